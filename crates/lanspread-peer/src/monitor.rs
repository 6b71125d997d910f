//! Local game monitor: `notify` watches the game directory and each game root
//! (non-recursive); events are debounced into rescans. Games with a running operation are
//! gated (their events are ignored and their entries kept until the operation ends). A full
//! rescan runs every `fallback_scan` for events the watcher missed (changes deep inside a
//! payload tree, network file systems).

use std::{
    collections::HashSet,
    path::{Path, PathBuf},
    sync::Arc,
};

use lanspread_proto::GameId;
use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;

use crate::{
    error::{ErrorInfo, ErrorKind},
    runtime::Ctx,
};

pub(crate) async fn run(ctx: Arc<Ctx>) -> Result<(), ErrorInfo> {
    let (tx, mut rx) = mpsc::unbounded_channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(move |res| {
        let _ = tx.send(res);
    })
    .map_err(|e| ErrorInfo::new(ErrorKind::Io, format!("could not start the file watcher: {e}")))?;
    let mut dir_rx = ctx.library.watch_game_dir();
    let mut game_dir = ctx.library.game_dir();
    let mut watched: HashSet<PathBuf> = HashSet::new();
    sync_watches(&ctx, &mut watcher, &game_dir, &mut watched);
    let mut fallback = tokio::time::interval(ctx.shared.timing.fallback_scan);
    fallback.tick().await;
    loop {
        let mut rescan = false;
        tokio::select! {
            biased;
            _ = ctx.shared.cancel.cancelled() => return Ok(()),
            changed = dir_rx.changed() => {
                if changed.is_err() {
                    return Ok(());
                }
                for p in watched.drain() {
                    let _ = watcher.unwatch(&p);
                }
                game_dir = ctx.library.game_dir();
                rescan = true;
            }
            _ = fallback.tick() => rescan = true,
            Some(ev) = rx.recv() => {
                if relevant(&ctx, &game_dir, &ev) {
                    // Debounce: let a burst of events settle, then rescan once.
                    tokio::time::sleep(ctx.shared.timing.monitor_debounce).await;
                    while rx.try_recv().is_ok() {}
                    rescan = true;
                }
            }
        }
        if rescan {
            ctx.refresh_library().await;
            // Only after a rescan: listing the directory itself raises (access) events, so
            // doing this on every event would spin.
            sync_watches(&ctx, &mut watcher, &game_dir, &mut watched);
        }
    }
}

/// Whether an event concerns a game root that is not gated.
fn relevant(ctx: &Ctx, game_dir: &Path, ev: &notify::Result<notify::Event>) -> bool {
    let Ok(ev) = ev else { return true };
    if matches!(ev.kind, notify::EventKind::Access(_)) {
        return false;
    }
    let gated = ctx.ops.gated();
    ev.paths.iter().any(|p| {
        let Ok(rel) = p.strip_prefix(game_dir) else { return true };
        let Some(first) = rel.components().next() else { return true };
        let name = first.as_os_str().to_string_lossy();
        match GameId::new(name.as_ref()) {
            Ok(id) => !gated.contains(&id),
            Err(_) => false,
        }
    })
}

/// Watches the game directory and every catalog game root in it (non-recursive).
fn sync_watches(
    ctx: &Ctx,
    watcher: &mut notify::RecommendedWatcher,
    game_dir: &Path,
    watched: &mut HashSet<PathBuf>,
) {
    let mut want: HashSet<PathBuf> = HashSet::new();
    want.insert(game_dir.to_path_buf());
    let catalog = ctx.catalog();
    if let Ok(rd) = std::fs::read_dir(game_dir) {
        for e in rd.flatten() {
            let is_root = e.file_type().map(|t| t.is_dir()).unwrap_or(false)
                && e.file_name()
                    .to_str()
                    .and_then(|n| GameId::new(n).ok())
                    .is_some_and(|id| catalog.contains(&id));
            if is_root {
                want.insert(e.path());
            }
        }
    }
    for gone in watched.difference(&want).cloned().collect::<Vec<_>>() {
        let _ = watcher.unwatch(&gone);
        watched.remove(&gone);
    }
    for p in want {
        if !watched.contains(&p) {
            match watcher.watch(&p, RecursiveMode::NonRecursive) {
                Ok(()) => {
                    watched.insert(p);
                }
                Err(e) => tracing::debug!(path = %p.display(), error = %e, "cannot watch"),
            }
        }
    }
}
