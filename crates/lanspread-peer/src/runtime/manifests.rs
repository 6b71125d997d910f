//! Our own manifests: built on demand (hashing only what the cache lacks), one build per game
//! at a time, reused while the game's files are unchanged.

use std::{
    collections::hash_map::DefaultHasher,
    hash::{Hash, Hasher},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use lanspread_proto::{ErrorCode, GameId, GameManifest, GameVersion};
use tokio::sync::watch;

use super::{Ctx, local};
use crate::library::{LocalGame, hashes::build_manifest};

/// A manifest request that could not be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ManifestRefusal {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
}

fn refuse(code: ErrorCode, message: impl Into<String>) -> ManifestRefusal {
    ManifestRefusal { code, message: message.into() }
}

/// A build in progress or done.
#[derive(Clone)]
pub(crate) enum Slot {
    Ready { version: GameVersion, files_key: u64, manifest: Arc<GameManifest> },
    Building { files_key: u64, done: watch::Receiver<bool>, hashed: Arc<AtomicU64>, total: Arc<AtomicU64> },
}

fn files_key(game: &LocalGame) -> u64 {
    let mut h = DefaultHasher::new();
    game.version.hash(&mut h);
    for f in &game.files {
        f.path.hash(&mut h);
        f.size.hash(&mut h);
        f.mtime_ns.hash(&mut h);
    }
    game.empty_dirs.hash(&mut h);
    h.finish()
}

/// The manifest of local game `id` (optionally at `want`), waiting up to `wait` for a build.
pub(crate) async fn manifest_for(
    ctx: &Arc<Ctx>,
    id: &GameId,
    want: Option<&GameVersion>,
    wait: Duration,
) -> Result<Arc<GameManifest>, ManifestRefusal> {
    if !ctx.catalog().contains(id) {
        return Err(refuse(ErrorCode::NotInCatalog, format!("{id} is not in this peer's catalog")));
    }
    let game = {
        let local = ctx.local.read().unwrap_or_else(|p| p.into_inner());
        local.library.games.get(id).cloned()
    };
    let Some(game) = game else {
        return Err(refuse(ErrorCode::UnknownGame, format!("this peer does not have {id}")));
    };
    let Some(version) = game.version.clone() else {
        return Err(refuse(ErrorCode::NotReady, format!("{id} is not completely downloaded here")));
    };
    if want.is_some_and(|w| *w != version) {
        return Err(refuse(ErrorCode::VersionMismatch, format!("this peer has {id} version {version}")));
    }
    if ctx.gated.lock().unwrap_or_else(|p| p.into_inner()).contains(id) {
        return Err(refuse(
            ErrorCode::NotReady,
            format!("{id} is being changed on this peer; try again shortly"),
        ));
    }
    let key = files_key(&game);
    let slot = {
        let mut slots = ctx.manifests.lock().await;
        match slots.get(id) {
            Some(Slot::Ready { version: v, files_key, manifest }) if *v == version && *files_key == key => {
                return Ok(manifest.clone());
            }
            Some(s @ Slot::Building { files_key, .. }) if *files_key == key => s.clone(),
            _ => {
                let slot = start_build(ctx, game, key);
                slots.insert(id.clone(), slot.clone());
                slot
            }
        }
    };
    let Slot::Building { mut done, hashed, total, .. } = slot else {
        return Err(refuse(ErrorCode::Internal, "manifest slot in an unexpected state"));
    };
    let _ = tokio::time::timeout(wait, done.wait_for(|d| *d)).await;
    match ctx.manifests.lock().await.get(id) {
        Some(Slot::Ready { version: v, files_key, manifest }) if *v == version && *files_key == key => {
            Ok(manifest.clone())
        }
        Some(Slot::Building { .. }) => {
            let (h, t) = (hashed.load(Ordering::Relaxed), total.load(Ordering::Relaxed).max(1));
            Err(refuse(
                ErrorCode::NotReady,
                format!("hashing {id}: {}% done; try again shortly", h * 100 / t),
            ))
        }
        _ => Err(refuse(
            ErrorCode::Internal,
            format!("could not build the manifest of {id}; see the serving peer's log"),
        )),
    }
}

fn start_build(ctx: &Arc<Ctx>, game: LocalGame, key: u64) -> Slot {
    let (done_tx, done_rx) = watch::channel(false);
    let hashed = Arc::new(AtomicU64::new(0));
    let total = Arc::new(AtomicU64::new(0));
    let (h2, t2) = (hashed.clone(), total.clone());
    let ctx2 = ctx.clone();
    let index = ctx.hash_index();
    let cancel = Arc::new(AtomicBool::new(false));
    let cancel2 = cancel.clone();
    let token = ctx.cancel.clone();
    ctx.tasks.spawn(async move {
        let id = game.id.clone();
        let version = game.version.clone();
        let job = tokio::task::spawn_blocking(move || {
            build_manifest(&game, &index, &cancel2, &mut |h, t| {
                h2.store(h, Ordering::Relaxed);
                t2.store(t, Ordering::Relaxed);
            })
        });
        let result = tokio::select! {
            r = job => r,
            _ = token.cancelled() => {
                cancel.store(true, Ordering::Relaxed);
                return;
            }
        };
        let mut slots = ctx2.manifests.lock().await;
        match result {
            Ok(Ok(m)) => {
                let m = Arc::new(m);
                if let Some(v) = version {
                    slots.insert(
                        id.clone(),
                        Slot::Ready { version: v.clone(), files_key: key, manifest: m.clone() },
                    );
                    drop(slots);
                    local::set_manifest_digest(&ctx2, &id, &v, m.digest()).await;
                }
            }
            Ok(Err(e)) => {
                tracing::warn!(game = %id, error = %e, "could not build manifest");
                slots.remove(&id);
            }
            Err(e) => {
                tracing::error!(game = %id, error = %e, "manifest build panicked");
                slots.remove(&id);
            }
        }
        let _ = done_tx.send(true);
    });
    Slot::Building { files_key: key, done: done_rx, hashed, total }
}

/// Our built manifest of `id`, if one is ready (no building, no waiting).
pub(crate) async fn ready(ctx: &Arc<Ctx>, id: &GameId) -> Option<Arc<GameManifest>> {
    match ctx.manifests.lock().await.get(id) {
        Some(Slot::Ready { manifest, .. }) => Some(manifest.clone()),
        _ => None,
    }
}
