//! The local library inside the runtime: scans, revisions, snapshots and change propagation.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use lanspread_proto::{Catalog, Digest, GameId, GameVersion, LibraryDelta, LibrarySnapshot, Request};

use super::Ctx;

/// Manifest digests recorded within this window are announced as one library revision.
const PUBLISH_COALESCE: std::time::Duration = std::time::Duration::from_millis(200);
use crate::{
    api::PeerEvent,
    error::{ErrorInfo, ErrorKind},
    library::{LocalLibrary, ScanCache, scan_local_library},
    net,
};

/// The local library and its announced form.
pub(crate) struct LocalState {
    pub(crate) library: LocalLibrary,
    pub(crate) snapshot: LibrarySnapshot,
    pub(crate) digests: HashMap<(GameId, GameVersion), Digest>,
    pub(crate) cache: ScanCache,
}

/// A revision base that differs across restarts, so peers holding an old copy re-sync.
fn initial_rev() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_millis() as u64)
}

pub(crate) async fn initial_scan(game_dir: &Path, catalog: &Arc<Catalog>) -> LocalState {
    let dir = game_dir.to_path_buf();
    let catalog = catalog.clone();
    let (library, cache) = tokio::task::spawn_blocking(move || {
        let mut cache = ScanCache::default();
        let lib = scan_local_library(&dir, &catalog, &mut cache).unwrap_or_else(|e| {
            tracing::warn!(error = %e, dir = %dir.display(), "could not scan the game directory");
            LocalLibrary::default()
        });
        (lib, cache)
    })
    .await
    .unwrap_or_default();
    let digests = HashMap::new();
    let snapshot = library.snapshot(initial_rev(), &digests);
    LocalState { library, snapshot, digests, cache }
}

/// Rescans the game directory (keeping the entries of gated games), and when the announced
/// library changed: bumps the revision, pushes a delta to every peer and re-advertises.
/// Emits `ListGames` when anything the UI shows changed.
pub(crate) async fn refresh(ctx: &Arc<Ctx>) {
    let dir = ctx.game_dir();
    let catalog = ctx.catalog();
    let gated: Vec<GameId> = ctx.gated.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect();
    let mut cache = std::mem::take(&mut ctx.local.write().unwrap_or_else(|p| p.into_inner()).cache);
    let scanned = tokio::task::spawn_blocking(move || {
        let r = scan_local_library(&dir, &catalog, &mut cache);
        (r, cache)
    })
    .await;
    let Ok((result, cache)) = scanned else { return };
    let mut scanned = match result {
        Ok(lib) => lib,
        Err(e) => {
            tracing::warn!(error = %e, "rescan failed");
            ctx.local.write().unwrap_or_else(|p| p.into_inner()).cache = cache;
            return;
        }
    };
    let (delta, ui_changed) = {
        let mut local = ctx.local.write().unwrap_or_else(|p| p.into_inner());
        local.cache = cache;
        for id in &gated {
            match local.library.games.get(id) {
                Some(g) => {
                    scanned.games.insert(id.clone(), g.clone());
                }
                None => {
                    scanned.games.remove(id);
                }
            }
        }
        if scanned == local.library {
            (None, false)
        } else {
            local.library = scanned;
            let rev = local.snapshot.library_rev + 1;
            let snapshot = local.library.snapshot(rev, &local.digests);
            if snapshot.games == local.snapshot.games {
                (None, true)
            } else {
                let delta = LibraryDelta::between(&local.snapshot, &snapshot);
                local.snapshot = snapshot;
                (Some(delta), true)
            }
        }
    };
    if let Some(delta) = delta {
        tracing::info!(
            rev = delta.library_rev,
            upserted = delta.upserted.len(),
            removed = delta.removed.len(),
            "local library changed"
        );
        ctx.advert_tx.send_modify(|v| *v += 1);
        push_delta(ctx, delta);
    }
    if ui_changed {
        ctx.emit_games();
    }
}

/// Records a manifest digest for a local game; if it is new, announces it soon. Digests that
/// arrive within `PUBLISH_COALESCE` (a freshly scanned library hashes game after game) go out
/// as one library revision, not one delta and one mDNS update per game.
pub(crate) async fn set_manifest_digest(ctx: &Arc<Ctx>, id: &GameId, version: &GameVersion, digest: Digest) {
    {
        let mut local = ctx.local.write().unwrap_or_else(|p| p.into_inner());
        if local.digests.get(&(id.clone(), version.clone())) == Some(&digest) {
            return;
        }
        local.digests.insert((id.clone(), version.clone()), digest);
    }
    if ctx.publish_pending.swap(true, std::sync::atomic::Ordering::AcqRel) {
        return;
    }
    let ctx = ctx.clone();
    ctx.tasks.clone().spawn(async move {
        tokio::select! {
            _ = tokio::time::sleep(PUBLISH_COALESCE) => {}
            _ = ctx.cancel.cancelled() => return,
        }
        ctx.publish_pending.store(false, std::sync::atomic::Ordering::Release);
        publish_digests(&ctx);
    });
}

/// Announces the digests recorded since the last revision.
fn publish_digests(ctx: &Arc<Ctx>) {
    let delta = {
        let mut local = ctx.local.write().unwrap_or_else(|p| p.into_inner());
        let rev = local.snapshot.library_rev + 1;
        let snapshot = local.library.snapshot(rev, &local.digests);
        if snapshot.games == local.snapshot.games {
            return;
        }
        let delta = LibraryDelta::between(&local.snapshot, &snapshot);
        local.snapshot = snapshot;
        delta
    };
    ctx.advert_tx.send_modify(|v| *v += 1);
    push_delta(ctx, delta);
}

/// Sends `delta` to every known peer in the background. A peer that cannot apply it re-syncs
/// with a handshake.
fn push_delta(ctx: &Arc<Ctx>, delta: LibraryDelta) {
    let targets: Vec<_> = {
        let db = ctx.peers.read().unwrap_or_else(|p| p.into_inner());
        db.peers().map(|p| (p.id, p.addr)).collect()
    };
    for (peer, addr) in targets {
        let ctx = ctx.clone();
        let req = Request::LibraryDelta(delta.clone());
        ctx.tasks.clone().spawn(async move {
            let result = async {
                let handle = ctx.pool.get(peer, addr).await?;
                net::request(&handle, &req, net::REQUEST_TIMEOUT).await
            }
            .await;
            if let Err(e) = result {
                tracing::debug!(peer = %peer.short(), error = %e, "delta push failed; peer will re-sync from the mDNS revision");
            }
        });
    }
}

/// Switches the game directory: validates, rescans, re-announces.
pub(crate) async fn set_game_dir(ctx: &Arc<Ctx>, path: PathBuf) -> Result<(), ErrorInfo> {
    super::check_game_dir(&path).map_err(|e| ErrorInfo::new(ErrorKind::GameDir, e.to_string()))?;
    if !ctx.live.lock().unwrap_or_else(|p| p.into_inner()).operations.is_empty() {
        return Err(ErrorInfo::new(
            ErrorKind::Busy,
            "a download or install is running; cancel it or wait before changing the game directory",
        ));
    }
    {
        let mut local = ctx.local.write().unwrap_or_else(|p| p.into_inner());
        local.cache = ScanCache::default();
        local.digests.clear();
    }
    ctx.manifests.lock().await.clear();
    ctx.game_dir_tx.send_replace(path.clone());
    refresh(ctx).await;
    ctx.emit(PeerEvent::GameDirChanged { path });
    Ok(())
}

/// Rescans one game root and replaces its entry (even while gated: the caller owns the
/// operation), announcing any change.
pub(crate) async fn rescan_game(ctx: &Arc<Ctx>, id: &GameId) {
    let root = ctx.game_dir().join(id.as_str());
    let id2 = id.clone();
    let scanned = tokio::task::spawn_blocking(move || {
        if root.is_dir() {
            crate::library::scan_game(&root, &id2, &mut ScanCache::default()).ok()
        } else {
            None
        }
    })
    .await
    .ok()
    .flatten();
    let delta = {
        let mut local = ctx.local.write().unwrap_or_else(|p| p.into_inner());
        match scanned {
            Some(g) => {
                local.library.games.insert(id.clone(), g);
            }
            None => {
                local.library.games.remove(id);
            }
        }
        let rev = local.snapshot.library_rev + 1;
        let snapshot = local.library.snapshot(rev, &local.digests);
        if snapshot.games == local.snapshot.games {
            None
        } else {
            let delta = LibraryDelta::between(&local.snapshot, &snapshot);
            local.snapshot = snapshot;
            Some(delta)
        }
    };
    if let Some(delta) = delta {
        ctx.advert_tx.send_modify(|v| *v += 1);
        push_delta(ctx, delta);
    }
    ctx.emit_games();
}

/// Fills in verified bytes of interrupted downloads (shown as paused with Resume).
pub(crate) fn load_paused_progress(ctx: &Ctx) {
    let roots: Vec<(GameId, PathBuf)> = {
        let local = ctx.local.read().unwrap_or_else(|p| p.into_inner());
        local
            .library
            .games
            .values()
            .filter(|g| g.has_download_state)
            .map(|g| (g.id.clone(), g.root.clone()))
            .collect()
    };
    let mut live = ctx.live.lock().unwrap_or_else(|p| p.into_inner());
    for (id, root) in roots {
        if let Some((done, _)) = crate::download::progress_of(&root) {
            live.download_bytes.insert(id, done);
        }
    }
}

/// Builds the manifests of every downloaded game in the background, so they are ready (and
/// their digests announced) before anyone asks.
pub(crate) async fn prehash(ctx: &Arc<Ctx>) {
    let ids: Vec<GameId> = {
        let local = ctx.local.read().unwrap_or_else(|p| p.into_inner());
        local.library.games.values().filter(|g| g.downloaded()).map(|g| g.id.clone()).collect()
    };
    for id in ids {
        if ctx.cancel.is_cancelled() {
            return;
        }
        let _ = super::manifests::manifest_for(ctx, &id, None, std::time::Duration::from_secs(3600)).await;
    }
}
