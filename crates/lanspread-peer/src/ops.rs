//! Install and uninstall as runtime operations: one operation per game at a time (an
//! [`OpGuard`] from the runtime's operation table), each gating the monitor's rescans and the
//! serving of that game while it runs. The transaction engine of [`crate::install`] runs on a
//! blocking thread. Also Play: starting an installed game and watching its process group.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use lanspread_proto::GameId;
use lanspread_unpack::UnpackError;
use tokio::time::Instant;

use crate::{
    api::{Operation, PeerEvent},
    error::{ErrorInfo, ErrorKind},
    install::{self, InstallError},
    launch::LaunchError,
    runtime::{Ctx, OpGuard},
};

/// How often a started game's process group is checked.
const GAME_POLL: Duration = Duration::from_millis(500);

/// PlayGame: starts the installed game (see [`crate::launch`]) and watches its process group;
/// the game counts as running (install and uninstall refused) until its last process exits.
/// Shutdown stops watching and leaves the game running.
pub(crate) async fn play(ctx: &Arc<Ctx>, id: GameId) -> Result<(), ErrorInfo> {
    let Some(entry) = ctx.catalog().get(&id).cloned() else {
        return Err(err(ErrorKind::InvalidInput, format!("{id} is not in the catalog")));
    };
    let root = ctx.game_root(&id);
    let id2 = id.clone();
    let plan = tokio::task::spawn_blocking(move || crate::launch::plan(&root, &id2, Some(&entry)))
        .await
        .map_err(|e| err(ErrorKind::Internal, e.to_string()))?
        .map_err(|e| {
            let kind = match &e {
                LaunchError::NotInstalled(_) | LaunchError::Escapes { .. } => ErrorKind::InvalidInput,
                LaunchError::Io { error, .. } => ErrorKind::of_io(error),
            };
            err(kind, e.to_string())
        })?;
    ctx.ops.start_playing(&id, 0)?;
    let mut child = match crate::launch::start(&plan) {
        Ok(c) => c,
        Err(e) => {
            // Nothing can have been deferred in between: the flag is only set while playing
            // and this start has not been announced.
            let _ = ctx.ops.stop_playing(&id);
            return Err(err(
                ErrorKind::of_io(&e),
                format!("could not start {}: {e}", plan.program.display()),
            ));
        }
    };
    let pid = child.id();
    tracing::info!(game = %id, pid, program = %plan.program.display(), source = ?plan.source, "game started");
    ctx.emit(PeerEvent::GameStarted { id: id.clone(), pid, program: plan.program.clone() });
    ctx.emit_games();
    let ctx2 = ctx.clone();
    let span = tracing::info_span!("game", game = %id, pid);
    ctx.shared.tasks.spawn(crate::tasks::Role::Work, "game", span, async move {
        let code = tokio::task::spawn_blocking(move || child.wait().ok().and_then(|s| s.code()))
            .await
            .unwrap_or(None);
        // Launchers often exit at once and leave the game running in their group.
        while crate::launch::group_alive(pid) {
            tokio::select! {
                _ = ctx2.shared.cancel.cancelled() => return,
                _ = tokio::time::sleep(GAME_POLL) => {}
            }
        }
        let waiting_update = ctx2.ops.stop_playing(&id);
        tracing::info!(code, "game exited");
        ctx2.emit(PeerEvent::GameExited { id: id.clone(), code });
        ctx2.emit_games();
        // An update that finished downloading while the game ran swaps in now.
        if waiting_update {
            tracing::info!("installing the update that waited for the game to exit");
            if let Err(error) = install(&ctx2, id.clone()) {
                ctx2.emit(PeerEvent::InstallGameFailed { id, error });
            }
        }
    });
    Ok(())
}

/// Install progress events at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

fn err(kind: ErrorKind, msg: impl Into<String>) -> ErrorInfo {
    ErrorInfo::new(kind, msg)
}

/// The `{kind, message}` form of an install failure.
fn install_error(e: &InstallError) -> ErrorInfo {
    let kind = match e {
        InstallError::NotDownloaded | InstallError::NotInstalled => ErrorKind::InvalidInput,
        InstallError::InsufficientSpace { .. } => ErrorKind::DiskFull,
        InstallError::Unpack(UnpackError::Io { error, .. }) | InstallError::Io { error, .. } => {
            ErrorKind::of_io(error)
        }
        InstallError::Unpack(_) => ErrorKind::Unpack,
        InstallError::Cancelled => ErrorKind::Cancelled,
        _ => ErrorKind::Io,
    };
    err(kind, e.to_string())
}

/// After a download: installs it, or — while the game runs — lets it wait until the game
/// exits (the card shows "Update ready" meanwhile).
pub(crate) fn install_after_download(ctx: &Arc<Ctx>, id: GameId) -> Result<(), ErrorInfo> {
    if ctx.ops.install_after_exit(&id) {
        tracing::info!(game = %id, "the game is running: its update installs when it exits");
        return Ok(());
    }
    install(ctx, id)
}

/// InstallGame: installs (or updates) a downloaded game in the background.
pub(crate) fn install(ctx: &Arc<Ctx>, id: GameId) -> Result<(), ErrorInfo> {
    let root = ctx.game_root(&id);
    let Some(game) = ctx.library.game(&id).filter(|g| g.downloaded()) else {
        return Err(err(ErrorKind::InvalidInput, format!("{id} is not completely downloaded yet")));
    };
    let guard = ctx.ops.begin(&id, Operation::Installing)?;
    guard.gate();
    ctx.emit(PeerEvent::InstallGameBegin { id: id.clone(), update: game.installed });
    ctx.emit_games();
    let ctx2 = ctx.clone();
    let span = tracing::info_span!("install", game = %id);
    ctx.shared.tasks.spawn_op("install", span, async move {
        let result = run_install(&ctx2, &guard, root).await;
        drop(guard);
        ctx2.rescan_game(&id).await;
        match result {
            Ok(report) => {
                tracing::info!(update = report.update, carried = report.carried_over.len(), "installed");
                ctx2.emit(PeerEvent::InstallGameFinished {
                    id: id.clone(),
                    version: game.version,
                    carried_over: report.carried_over,
                });
            }
            Err(error) => {
                tracing::warn!(%error, "install failed");
                ctx2.emit(PeerEvent::InstallGameFailed { id: id.clone(), error });
            }
        }
        ctx2.emit_games();
    });
    Ok(())
}

async fn run_install(
    ctx: &Ctx,
    guard: &OpGuard,
    root: std::path::PathBuf,
) -> Result<install::InstallReport, ErrorInfo> {
    let (unpacker, events, id) =
        (ctx.shared.unpacker.clone(), ctx.shared.events.clone(), guard.game().clone());
    // The engine restores the previous state before returning from a cancel.
    blocking_op(guard, "install", install_error, move |cancel| {
        let mut last: Option<Instant> = None;
        install::install_game(
            &root,
            unpacker.as_ref(),
            &mut |p| {
                if last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY) || p.bytes_done == p.total_bytes {
                    last = Some(Instant::now());
                    let _ = events.send(PeerEvent::InstallGameProgress {
                        id: id.clone(),
                        bytes_done: p.bytes_done,
                        total_bytes: p.total_bytes,
                    });
                }
            },
            cancel,
        )
    })
    .await
}

/// Runs `job` on a blocking thread with a cancel flag the operation's cancel raises (the job
/// then stops and undoes its work before returning); its error goes through `map_err`.
async fn blocking_op<T: Send + 'static, E: Send + 'static>(
    guard: &OpGuard,
    what: &str,
    map_err: impl FnOnce(&E) -> ErrorInfo,
    job: impl FnOnce(&AtomicBool) -> Result<T, E> + Send + 'static,
) -> Result<T, ErrorInfo> {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let mut handle = tokio::task::spawn_blocking(move || job(&flag));
    let joined = tokio::select! {
        r = &mut handle => r,
        _ = guard.token().cancelled() => {
            cancel.store(true, Ordering::Relaxed);
            handle.await
        }
    };
    match joined {
        Ok(r) => r.map_err(|e| map_err(&e)),
        Err(e) => Err(err(ErrorKind::Internal, format!("the {what} stopped unexpectedly: {e}"))),
    }
}

/// UninstallGame: removes `local/` in the background.
pub(crate) fn uninstall(ctx: &Arc<Ctx>, id: GameId) -> Result<(), ErrorInfo> {
    let root = ctx.game_root(&id);
    if !ctx.library.game(&id).is_some_and(|g| g.installed) {
        return Err(err(ErrorKind::InvalidInput, format!("{id} is not installed")));
    }
    let guard = ctx.ops.begin(&id, Operation::Uninstalling)?;
    guard.gate();
    ctx.emit(PeerEvent::UninstallGameBegin { id: id.clone() });
    ctx.emit_games();
    let ctx2 = ctx.clone();
    let span = tracing::info_span!("uninstall", game = %id);
    ctx.shared.tasks.spawn_op("uninstall", span, async move {
        let result = tokio::task::spawn_blocking(move || install::uninstall_game(&root)).await;
        drop(guard);
        ctx2.rescan_game(&id).await;
        match result {
            Ok(Ok(())) => ctx2.emit(PeerEvent::UninstallGameFinished { id: id.clone() }),
            Ok(Err(e)) => {
                ctx2.emit(PeerEvent::UninstallGameFailed { id: id.clone(), error: install_error(&e) })
            }
            Err(e) => ctx2.emit(PeerEvent::UninstallGameFailed {
                id: id.clone(),
                error: err(ErrorKind::Internal, format!("the uninstall stopped unexpectedly: {e}")),
            }),
        }
        ctx2.emit_games();
    });
    Ok(())
}

/// DeleteGame: removes the whole game (install, payload, download state) in the background.
pub(crate) fn delete(ctx: &Arc<Ctx>, id: GameId) -> Result<(), ErrorInfo> {
    if !ctx.catalog().contains(&id) {
        return Err(err(ErrorKind::InvalidInput, format!("{id} is not in the catalog")));
    }
    let root = ctx.game_root(&id);
    if ctx.library.game(&id).is_none() && !root.is_dir() {
        return Err(err(ErrorKind::InvalidInput, format!("{id} is not on this machine")));
    }
    let guard = ctx.ops.begin(&id, Operation::Deleting)?;
    guard.gate();
    ctx.emit_games();
    let ctx2 = ctx.clone();
    let span = tracing::info_span!("delete", game = %id);
    ctx.shared.tasks.spawn_op("delete", span, async move {
        let result = tokio::task::spawn_blocking(move || install::delete_game(&root)).await;
        // A discarded download leaves no paused progress and no agreed manifest behind.
        guard.clear_agreed();
        ctx2.ops.set_paused_bytes(&id, None);
        drop(guard);
        ctx2.rescan_game(&id).await;
        match result {
            Ok(Ok(bytes)) => {
                tracing::info!(bytes, "deleted");
                ctx2.emit(PeerEvent::GameDeleted { id: id.clone(), bytes });
            }
            Ok(Err(e)) => ctx2.emit(PeerEvent::DeleteGameFailed { id: id.clone(), error: install_error(&e) }),
            Err(e) => ctx2.emit(PeerEvent::DeleteGameFailed {
                id: id.clone(),
                error: err(ErrorKind::Internal, format!("deleting stopped unexpectedly: {e}")),
            }),
        }
        ctx2.emit_games();
    });
    Ok(())
}

/// VerifyGame: checks the payload and `local/` of a downloaded game in the background (see
/// [`crate::verify`]).
pub(crate) fn verify(ctx: &Arc<Ctx>, id: GameId, repair: bool) -> Result<(), ErrorInfo> {
    let Some(game) = ctx.library.game(&id).filter(|g| g.downloaded()) else {
        return Err(err(
            ErrorKind::InvalidInput,
            format!("{id} is not completely downloaded; nothing to verify"),
        ));
    };
    let Some(version) = game.version.clone() else { unreachable!("downloaded") };
    let guard = ctx.ops.begin(&id, Operation::Verifying)?;
    ctx.emit_games();
    let ctx2 = ctx.clone();
    let span = tracing::info_span!("verify", game = %id);
    ctx.shared.tasks.spawn_op("verify", span, async move {
        let result = tokio::select! {
            r = verify_and_repair(&ctx2, &guard, game, repair) => r,
            _ = guard.token().cancelled() => Err(err(ErrorKind::Cancelled, format!("{id}: verify cancelled"))),
        };
        drop(guard);
        match result {
            Ok(report) => {
                tracing::info!(
                    ok = report.ok,
                    damaged_payload = report.damaged_payload.len(),
                    damaged_local = report.local.damaged.len(),
                    missing_local = report.local.missing.len(),
                    changed_by_player = report.local.changed_by_player.len(),
                    "verified"
                );
                ctx2.emit(PeerEvent::VerifyGameFinished { id: id.clone(), version, report });
            }
            Err(error) => {
                tracing::warn!(%error, "verify failed");
                ctx2.emit(PeerEvent::VerifyGameFailed { id: id.clone(), error });
            }
        }
        ctx2.emit_games();
    });
    Ok(())
}

/// The manifest the payload is checked against, and that reference in words.
async fn verify_reference(
    ctx: &Arc<Ctx>,
    game: &crate::library::LocalGame,
    version: &lanspread_proto::GameVersion,
) -> Result<(Arc<lanspread_proto::GameManifest>, String), ErrorInfo> {
    let holders = ctx.peers.read().peers_with(&game.id, version).len();
    if holders > 0 {
        let agreed = crate::download::agreed_manifest(ctx, &game.id, version).await?;
        let n = agreed.peers.len();
        return Ok((
            agreed.manifest,
            format!("the manifest {n} peer{} agree{} on", plural(n), if n == 1 { "s" } else { "" }),
        ));
    }
    // No peer has this version: the hashes this PC recorded when it hashed the game. A file
    // that changed size since is damaged whatever its bytes, so its recorded hashes stand.
    // Hashing that runs now (start-up, or right after an install) finishes first; nothing is
    // hashed for verify's sake (that would record the damage as the reference).
    for _ in 0..600 {
        if !ctx.manifests.building(&game.id).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut cache = ctx.hash_index().load(&game.id);
    if cache.files.is_empty() {
        // Never hashed on this PC (the start-up hashing has not reached it yet): hash it now,
        // as that would have; there was no earlier record to compare with.
        let _ =
            crate::runtime::manifests::manifest_for(ctx, &game.id, Some(version), Duration::from_secs(3600))
                .await;
        cache = ctx.hash_index().load(&game.id);
    }
    let mut files = Vec::with_capacity(game.files.len());
    for f in &game.files {
        let Some(h) = cache.files.get(f.path.as_str()) else {
            return Err(err(
                ErrorKind::NoPeers,
                format!(
                    "no peer has {} {version} to compare with, and this PC has no record of {}'s hashes; verify again when a peer with this version is online",
                    game.id, f.path
                ),
            ));
        };
        files.push(lanspread_proto::GameFileDescription {
            path: f.path.clone(),
            size: h.size,
            chunks: h.chunks.clone(),
        });
    }
    let m = lanspread_proto::GameManifest::new(
        game.id.clone(),
        version.clone(),
        cache.chunk_size,
        files,
        game.empty_dirs.clone(),
    );
    Ok((Arc::new(m), "the hashes this PC recorded (no peer with this version is online)".to_string()))
}

/// Verify, and with `repair`: re-fetch damaged chunks, re-extract damaged or missing installed
/// files, verify again.
async fn verify_and_repair(
    ctx: &Arc<Ctx>,
    guard: &OpGuard,
    game: crate::library::LocalGame,
    repair: bool,
) -> Result<crate::api::VerifyReport, ErrorInfo> {
    let id = game.id.clone();
    let report = run_verify(ctx, guard, game.clone()).await?;
    if !repair || report.ok {
        return Ok(report);
    }
    let mut done = crate::api::RepairReport::default();
    let mut local = report.local.clone();
    if !report.damaged_payload.is_empty() {
        let version = game.version.clone().ok_or_else(|| err(ErrorKind::InvalidInput, "not downloaded"))?;
        let agreed = crate::download::agreed_manifest(ctx, &id, &version).await.map_err(|e| {
            err(
                e.kind,
                format!(
                    "{id}: repairing the downloaded files needs a peer with version {version}: {}",
                    e.message
                ),
            )
        })?;
        guard.set(Operation::Downloading);
        let (bytes, _peers) = crate::download::repair_download(ctx, guard, &agreed).await?;
        done.fetched_bytes = bytes;
        done.refetched_files = report.damaged_payload.iter().map(|d| d.path.clone()).collect();
        guard.set(Operation::Verifying);
        // The archives are whole again: now local/ can be checked.
        let game = ctx.library.game(&id).ok_or_else(|| err(ErrorKind::NotFound, format!("{id} is gone")))?;
        local = run_verify(ctx, guard, game).await?.local;
    }
    let fix: Vec<String> = local.damaged.iter().chain(&local.missing).cloned().collect();
    if !fix.is_empty() {
        guard.set(Operation::Installing);
        guard.gate();
        let repaired = repair_local(ctx, guard, fix).await?;
        ctx.rescan_game(&id).await;
        done.reextracted = repaired.files;
        done.reextracted_bytes = repaired.bytes;
    }
    guard.set(Operation::Verifying);
    let game = ctx.library.game(&id).ok_or_else(|| err(ErrorKind::NotFound, format!("{id} is gone")))?;
    let mut after = run_verify(ctx, guard, game).await?;
    tracing::info!(
        fetched = done.fetched_bytes,
        reextracted = done.reextracted.len(),
        ok = after.ok,
        "repaired"
    );
    after.repair = Some(done);
    Ok(after)
}

/// Re-extracts `paths` into `local/` on a blocking thread (install progress events).
async fn repair_local(
    ctx: &Ctx,
    guard: &OpGuard,
    paths: Vec<String>,
) -> Result<install::LocalRepair, ErrorInfo> {
    let id = guard.game().clone();
    let root = ctx.game_root(&id);
    let (unpacker, events) = (ctx.shared.unpacker.clone(), ctx.shared.events.clone());
    blocking_op(guard, "repair", install_error, move |cancel| {
        let mut last: Option<Instant> = None;
        install::repair_local(
            &root,
            unpacker.as_ref(),
            &paths,
            &mut |bytes| {
                if last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY) {
                    last = Some(Instant::now());
                    let _ = events.send(PeerEvent::InstallGameProgress {
                        id: id.clone(),
                        bytes_done: bytes,
                        total_bytes: 0,
                    });
                }
            },
            cancel,
        )
    })
    .await
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

async fn run_verify(
    ctx: &Arc<Ctx>,
    guard: &OpGuard,
    game: crate::library::LocalGame,
) -> Result<crate::api::VerifyReport, ErrorInfo> {
    let version = game.version.clone().ok_or_else(|| err(ErrorKind::InvalidInput, "not downloaded"))?;
    let (manifest, reference) = verify_reference(ctx, &game, &version).await?;
    let root = game.root.clone();
    let payload_bytes = manifest.total_size();
    let (unpacker, events, id) =
        (ctx.shared.unpacker.clone(), ctx.shared.events.clone(), guard.game().clone());
    let m2 = manifest.clone();
    let game_id = game.id.clone();
    let map_err = move |e: &crate::verify::VerifyError| match e {
        crate::verify::VerifyError::Cancelled => {
            err(ErrorKind::Cancelled, format!("{game_id}: verify cancelled"))
        }
        crate::verify::VerifyError::Archive(_) => err(ErrorKind::Unpack, e.to_string()),
        crate::verify::VerifyError::Io { .. } => err(ErrorKind::Io, e.to_string()),
    };
    let (damaged_payload, local) = blocking_op(guard, "verify", map_err, move |c2| {
        let local_bytes = crate::verify::local_bytes(&root, unpacker.as_ref());
        let total = payload_bytes + local_bytes;
        let _ = events.send(PeerEvent::VerifyGameBegin {
            id: id.clone(),
            version: m2.version.clone(),
            total_bytes: total,
        });
        let mut last: Option<Instant> = None;
        let mut report = |done: u64| {
            if last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY) || done == total {
                last = Some(Instant::now());
                let _ = events.send(PeerEvent::VerifyGameProgress {
                    id: id.clone(),
                    bytes_done: done,
                    total_bytes: total,
                });
            }
        };
        let damaged_payload = crate::verify::check_payload(&root, &m2, c2, &mut report)?;
        let local = match crate::verify::check_local(&root, unpacker.as_ref(), c2, &mut |n| {
            report(payload_bytes + n)
        }) {
            // Damaged archives cannot say what the install wrote: the report says so.
            Err(crate::verify::VerifyError::Archive(e))
                if !matches!(e, lanspread_unpack::UnpackError::Cancelled) =>
            {
                crate::api::LocalCheck {
                    skipped: Some(format!(
                        "local/ was not checked: the archives could not be read ({e}); repair the download first"
                    )),
                    ..Default::default()
                }
            }
            r => r?,
        };
        report(total);
        Ok::<_, crate::verify::VerifyError>((damaged_payload, local))
    })
    .await?;
    let ok = damaged_payload.is_empty()
        && local.damaged.is_empty()
        && local.missing.is_empty()
        && local.skipped.is_none();
    Ok(crate::api::VerifyReport { reference, payload_bytes, damaged_payload, local, ok, repair: None })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn a_full_disk_is_disk_full_whichever_layer_reports_it() {
        let full = || std::io::Error::from(std::io::ErrorKind::StorageFull);
        let io = InstallError::Io { op: "write", path: PathBuf::from("x"), error: full() };
        assert_eq!(install_error(&io).kind, ErrorKind::DiskFull);
        let unpack =
            InstallError::Unpack(UnpackError::Io { op: "write", path: PathBuf::from("x"), error: full() });
        assert_eq!(install_error(&unpack).kind, ErrorKind::DiskFull);
        let other = InstallError::Io {
            op: "write",
            path: PathBuf::from("x"),
            error: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        assert_eq!(install_error(&other).kind, ErrorKind::Io);
        #[cfg(target_os = "linux")]
        assert_eq!(ErrorKind::of_io(&std::io::Error::from_raw_os_error(libc::ENOSPC)), ErrorKind::DiskFull);
        // ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL, as WriteFile reports them.
        #[cfg(windows)]
        for code in [112, 39] {
            assert_eq!(
                ErrorKind::of_io(&std::io::Error::from_raw_os_error(code)),
                ErrorKind::DiskFull,
                "{code}"
            );
        }
    }
}
