//! Per-game operations: one at a time per game, each with its own cancellation token (a
//! child of the runtime's), gating the monitor's rescans of that game while it runs. Install
//! and uninstall run the transaction engine of [`crate::install`] on a blocking thread.

use std::sync::{Arc, atomic::AtomicBool};

use lanspread_proto::GameId;
use tokio_util::sync::CancellationToken;

use crate::{
    api::{Operation, PeerEvent},
    error::{ErrorInfo, ErrorKind},
    install::{self, InstallError},
    runtime::{Ctx, local},
};

fn err(kind: ErrorKind, msg: impl Into<String>) -> ErrorInfo {
    ErrorInfo::new(kind, msg)
}

/// Marks an operation as running on `id` (refusing if one runs) and returns its token.
pub(crate) fn begin_op(ctx: &Arc<Ctx>, id: &GameId, op: Operation) -> Result<CancellationToken, ErrorInfo> {
    let mut live = ctx.live.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(running) = live.operations.get(id) {
        let what = match running {
            Operation::Preparing | Operation::Downloading => "downloading",
            Operation::Installing => "installing",
            Operation::Uninstalling => "uninstalling",
        };
        return Err(err(ErrorKind::Busy, format!("{id} is already {what}; wait for it or cancel it first")));
    }
    live.operations.insert(id.clone(), op);
    drop(live);
    let token = ctx.cancel.child_token();
    ctx.op_tokens.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone(), token.clone());
    Ok(token)
}

/// Changes the kind of the running operation.
pub(crate) fn set_op(ctx: &Ctx, id: &GameId, op: Operation) {
    ctx.live.lock().unwrap_or_else(|p| p.into_inner()).operations.insert(id.clone(), op);
}

/// Marks the operation on `id` as finished.
pub(crate) fn end_op(ctx: &Ctx, id: &GameId) {
    ctx.live.lock().unwrap_or_else(|p| p.into_inner()).operations.remove(id);
    ctx.op_tokens.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
}

/// Cancels whatever runs on `id`.
pub(crate) fn cancel(ctx: &Arc<Ctx>, id: &GameId) -> Result<(), ErrorInfo> {
    match ctx.op_tokens.lock().unwrap_or_else(|p| p.into_inner()).get(id) {
        Some(t) => {
            t.cancel();
            Ok(())
        }
        None => Err(err(ErrorKind::NotFound, format!("nothing is running on {id}"))),
    }
}

fn install_error(e: &InstallError) -> ErrorInfo {
    let kind = match e {
        InstallError::NotDownloaded | InstallError::NotInstalled => ErrorKind::InvalidInput,
        InstallError::InsufficientSpace { .. } => ErrorKind::DiskFull,
        InstallError::Unpack(_) => ErrorKind::Unpack,
        InstallError::Cancelled => ErrorKind::Cancelled,
        InstallError::Io { source, .. } if source.raw_os_error() == Some(28) => ErrorKind::DiskFull,
        _ => ErrorKind::Io,
    };
    err(kind, e.to_string())
}

/// InstallGame: installs (or updates) a downloaded game in the background.
pub(crate) fn install(ctx: &Arc<Ctx>, id: GameId) -> Result<(), ErrorInfo> {
    let root = ctx.game_dir().join(id.as_str());
    let (downloaded, installed, version) = {
        let local = ctx.local.read().unwrap_or_else(|p| p.into_inner());
        match local.library.games.get(&id) {
            Some(g) => (g.downloaded(), g.installed, g.version.clone()),
            None => (false, false, None),
        }
    };
    if !downloaded {
        return Err(err(ErrorKind::InvalidInput, format!("{id} is not completely downloaded yet")));
    }
    let token = begin_op(ctx, &id, Operation::Installing)?;
    ctx.gated.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone());
    ctx.emit(PeerEvent::InstallGameBegin { id: id.clone(), update: installed });
    ctx.emit_games();
    let ctx2 = ctx.clone();
    ctx.tasks.spawn(async move {
        let cancel = Arc::new(AtomicBool::new(false));
        let (c2, unpacker, events, id2) = (cancel.clone(), ctx2.unpacker.clone(), ctx2.events.clone(), id.clone());
        let mut job = tokio::task::spawn_blocking(move || {
            let mut last = std::time::Instant::now() - std::time::Duration::from_secs(1);
            install::install_game(
                &root,
                unpacker.as_ref(),
                &mut |p| {
                    if last.elapsed() >= std::time::Duration::from_millis(200) || p.bytes_done == p.total_bytes {
                        last = std::time::Instant::now();
                        let _ = events.send(PeerEvent::InstallGameProgress {
                            id: id2.clone(),
                            bytes_done: p.bytes_done,
                            total_bytes: p.total_bytes,
                        });
                    }
                },
                &c2,
            )
        });
        let result = tokio::select! {
            r = &mut job => r,
            _ = token.cancelled() => {
                // The engine restores the previous state before returning.
                cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                job.await
            }
        };
        ctx2.gated.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        end_op(&ctx2, &id);
        local::rescan_game(&ctx2, &id).await;
        match result {
            Ok(Ok(report)) => {
                tracing::info!(game = %id, update = report.update, carried = report.carried_over.len(), "installed");
                ctx2.emit(PeerEvent::InstallGameFinished { id: id.clone(), version, carried_over: report.carried_over });
            }
            Ok(Err(e)) => {
                tracing::warn!(game = %id, error = %e, "install failed");
                ctx2.emit(PeerEvent::InstallGameFailed { id: id.clone(), error: install_error(&e) });
            }
            Err(e) => {
                ctx2.emit(PeerEvent::InstallGameFailed { id: id.clone(), error: err(ErrorKind::Internal, e.to_string()) });
            }
        }
        ctx2.emit_games();
    });
    Ok(())
}

/// UninstallGame: removes `local/` in the background.
pub(crate) fn uninstall(ctx: &Arc<Ctx>, id: GameId) -> Result<(), ErrorInfo> {
    let root = ctx.game_dir().join(id.as_str());
    let installed = ctx
        .local
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .library
        .games
        .get(&id)
        .is_some_and(|g| g.installed);
    if !installed {
        return Err(err(ErrorKind::InvalidInput, format!("{id} is not installed")));
    }
    let _token = begin_op(ctx, &id, Operation::Uninstalling)?;
    ctx.gated.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone());
    ctx.emit(PeerEvent::UninstallGameBegin { id: id.clone() });
    ctx.emit_games();
    let ctx2 = ctx.clone();
    ctx.tasks.spawn(async move {
        let result = tokio::task::spawn_blocking(move || install::uninstall_game(&root)).await;
        ctx2.gated.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        end_op(&ctx2, &id);
        local::rescan_game(&ctx2, &id).await;
        match result {
            Ok(Ok(())) => ctx2.emit(PeerEvent::UninstallGameFinished { id: id.clone() }),
            Ok(Err(e)) => {
                ctx2.emit(PeerEvent::UninstallGameFailed { id: id.clone(), error: install_error(&e) })
            }
            Err(e) => ctx2.emit(PeerEvent::UninstallGameFailed {
                id: id.clone(),
                error: err(ErrorKind::Internal, e.to_string()),
            }),
        }
        ctx2.emit_games();
    });
    Ok(())
}
