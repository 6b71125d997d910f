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
    let cancel = Arc::new(AtomicBool::new(false));
    let (c2, unpacker, events, id) =
        (cancel.clone(), ctx.shared.unpacker.clone(), ctx.shared.events.clone(), guard.game().clone());
    let mut job = tokio::task::spawn_blocking(move || {
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
            &c2,
        )
    });
    let joined = tokio::select! {
        r = &mut job => r,
        _ = guard.token().cancelled() => {
            // The engine restores the previous state before returning.
            cancel.store(true, Ordering::Relaxed);
            job.await
        }
    };
    match joined {
        Ok(r) => r.map_err(|e| install_error(&e)),
        Err(e) => Err(err(ErrorKind::Internal, format!("the install stopped unexpectedly: {e}"))),
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
