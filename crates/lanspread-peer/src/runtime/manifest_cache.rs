//! [`ManifestCache`]: our own manifests, one per game, reused while the game's files are
//! unchanged, with at most one build per game at a time. The building itself (hashing on a
//! blocking thread) is started by the caller (`runtime/manifests.rs`). The answer frame of each
//! manifest is encoded once and shared by every stream that sends it.

use std::{
    collections::{HashMap, hash_map::DefaultHasher},
    hash::{Hash, Hasher},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use bytes::Bytes;
use lanspread_proto::{
    GameId, GameManifest, GameVersion,
    frame::{FrameError, encode_manifest_response},
};
use tokio::sync::{Mutex, watch};

use crate::library::LocalGame;

/// A key that changes whenever the game's files (names, sizes, mtimes) or version change.
pub(crate) fn files_key(game: &LocalGame) -> u64 {
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

/// How far a build is.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    pub(crate) hashed: AtomicU64,
    pub(crate) total: AtomicU64,
}

impl Progress {
    /// Percent done.
    pub(crate) fn percent(&self) -> u64 {
        self.hashed.load(Ordering::Relaxed) * 100 / self.total.load(Ordering::Relaxed).max(1)
    }
}

/// A build in progress, to wait for.
#[derive(Debug, Clone)]
pub(crate) struct Build {
    files_key: u64,
    done: watch::Receiver<bool>,
    pub(crate) progress: Arc<Progress>,
}

impl Build {
    /// Waits until the build ended.
    pub(crate) async fn done(&mut self) {
        let _ = self.done.wait_for(|d| *d).await;
    }
}

/// A build the caller reserved and must run, then hand to [`ManifestCache::finish`].
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) build: Build,
    done: watch::Sender<bool>,
}

#[derive(Debug, Clone)]
enum Slot {
    Ready { version: GameVersion, files_key: u64, manifest: Arc<GameManifest> },
    Building(Build),
}

/// What [`ManifestCache::lookup`] found.
#[derive(Debug)]
pub(crate) enum Lookup {
    /// Built for the current files.
    Ready(Arc<GameManifest>),
    /// A build for the current files runs.
    Building(Build),
    /// Nothing usable: the caller runs this build.
    Start(Job),
}

/// Our manifests by game, and the encoded answer frame of each (two locks, never held
/// together).
#[derive(Debug, Default)]
pub(crate) struct ManifestCache {
    slots: Mutex<HashMap<GameId, Slot>>,
    frames: Mutex<HashMap<GameId, (Arc<GameManifest>, Bytes)>>,
}

impl ManifestCache {
    /// The manifest of `id` at `version` for files with `key`, the build that will make it, or
    /// a newly reserved build.
    pub(crate) async fn lookup(&self, id: &GameId, version: &GameVersion, key: u64) -> Lookup {
        let mut slots = self.slots.lock().await;
        match slots.get(id) {
            Some(Slot::Ready { version: v, files_key, manifest }) if v == version && *files_key == key => {
                Lookup::Ready(manifest.clone())
            }
            Some(Slot::Building(b)) if b.files_key == key => Lookup::Building(b.clone()),
            _ => {
                let (done, rx) = watch::channel(false);
                let build = Build { files_key: key, done: rx, progress: Arc::default() };
                slots.insert(id.clone(), Slot::Building(build.clone()));
                Lookup::Start(Job { build, done })
            }
        }
    }

    /// Records the outcome of a reserved build (`None`: it failed) and wakes its waiters.
    pub(crate) async fn finish(
        &self,
        id: &GameId,
        job: Job,
        version: GameVersion,
        result: Option<Arc<GameManifest>>,
    ) {
        {
            let mut slots = self.slots.lock().await;
            // A newer reservation (the files changed meanwhile) owns the slot now.
            let ours = matches!(slots.get(id), Some(Slot::Building(b)) if b.files_key == job.build.files_key);
            if ours {
                match result {
                    Some(manifest) => {
                        slots.insert(
                            id.clone(),
                            Slot::Ready { version, files_key: job.build.files_key, manifest },
                        );
                    }
                    None => {
                        slots.remove(id);
                    }
                }
            }
        }
        let _ = job.done.send(true);
    }

    /// The manifest of `id` at `version` for files with `key`, if built.
    pub(crate) async fn built(
        &self,
        id: &GameId,
        version: &GameVersion,
        key: u64,
    ) -> Option<Arc<GameManifest>> {
        match self.slots.lock().await.get(id) {
            Some(Slot::Ready { version: v, files_key, manifest }) if v == version && *files_key == key => {
                Some(manifest.clone())
            }
            _ => None,
        }
    }

    /// Whether a build of `id` is still running.
    pub(crate) async fn building(&self, id: &GameId) -> bool {
        matches!(self.slots.lock().await.get(id), Some(Slot::Building(_)))
    }

    /// The built manifest of `id`, whatever files it was built for (no building, no waiting).
    pub(crate) async fn ready(&self, id: &GameId) -> Option<Arc<GameManifest>> {
        match self.slots.lock().await.get(id) {
            Some(Slot::Ready { manifest, .. }) => Some(manifest.clone()),
            _ => None,
        }
    }

    /// The `Response::Manifest` frame of `manifest`, encoded once and shared by every stream
    /// that sends it (1,024 streams asking for a 5 MB manifest hold 5 MB, not 10 GB). Encoding
    /// runs under the lock, so concurrent askers wait for the one encoding.
    pub(crate) async fn frame(&self, manifest: &Arc<GameManifest>) -> Result<Bytes, FrameError> {
        let mut frames = self.frames.lock().await;
        if let Some((m, bytes)) = frames.get(&manifest.game_id)
            && Arc::ptr_eq(m, manifest)
        {
            return Ok(bytes.clone());
        }
        let m = manifest.clone();
        let bytes = tokio::task::spawn_blocking(move || encode_manifest_response(&m))
            .await
            .map_err(|e| FrameError::Io(std::io::Error::other(e)))??;
        let bytes = Bytes::from(bytes);
        frames.insert(manifest.game_id.clone(), (manifest.clone(), bytes.clone()));
        Ok(bytes)
    }

    /// Forgets everything (the game directory changed).
    pub(crate) async fn clear(&self) {
        self.slots.lock().await.clear();
        self.frames.lock().await.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (GameId, GameVersion) {
        (GameId::new("quake3").unwrap(), GameVersion::new("1").unwrap())
    }

    fn manifest() -> Arc<GameManifest> {
        let (id, v) = ids();
        Arc::new(GameManifest::new(id, v, 1 << 20, vec![], vec![]))
    }

    #[tokio::test]
    async fn one_build_per_game_reused_until_the_files_change() {
        let c = ManifestCache::default();
        let (id, v) = ids();
        let Lookup::Start(job) = c.lookup(&id, &v, 1).await else { panic!("nothing built yet") };
        let Lookup::Building(mut waiting) = c.lookup(&id, &v, 1).await else { panic!("one build at a time") };
        assert!(c.building(&id).await);
        c.finish(&id, job, v.clone(), Some(manifest())).await;
        waiting.done().await;
        assert!(matches!(c.lookup(&id, &v, 1).await, Lookup::Ready(_)));
        assert!(c.built(&id, &v, 1).await.is_some());
        assert!(c.ready(&id).await.is_some());
        // Changed files: a new build; the old manifest is not served for them.
        assert!(c.built(&id, &v, 2).await.is_none());
        let Lookup::Start(job2) = c.lookup(&id, &v, 2).await else { panic!("files changed") };
        // A failed build leaves nothing behind, so the next request tries again.
        c.finish(&id, job2, v.clone(), None).await;
        assert!(c.ready(&id).await.is_none());
        assert!(matches!(c.lookup(&id, &v, 2).await, Lookup::Start(_)));
    }

    #[tokio::test]
    async fn an_outdated_build_does_not_overwrite_a_newer_reservation() {
        let c = ManifestCache::default();
        let (id, v) = ids();
        let Lookup::Start(old) = c.lookup(&id, &v, 1).await else { panic!() };
        let Lookup::Start(_new) = c.lookup(&id, &v, 2).await else { panic!() };
        c.finish(&id, old, v.clone(), Some(manifest())).await;
        assert!(c.built(&id, &v, 1).await.is_none());
        assert!(c.building(&id).await, "the newer build still owns the slot");
        c.clear().await;
        assert!(!c.building(&id).await);
    }
}
