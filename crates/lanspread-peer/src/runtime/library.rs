//! [`Library`]: the local library inside the runtime — what the game directory holds, its
//! announced form (snapshot, revision, manifest digests) and the game directory itself.
//!
//! Every change goes through one code path: scan (all games, or one) on a blocking thread,
//! then [`Library::apply`] under the lock, which bumps the revision and returns the delta to
//! announce when the announced part changed. Announcing (pushing the delta to peers) is the
//! caller's job; the advert watch is bumped here so mDNS re-advertises.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{
        Arc, RwLock, RwLockReadGuard, RwLockWriteGuard,
        atomic::{AtomicBool, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

use lanspread_proto::{Catalog, Digest, GameId, GameVersion, LibraryDelta, LibrarySnapshot};
use tokio::sync::watch;

use crate::library::{LocalGame, LocalLibrary, ScanCache, scan_game, scan_local_library};

/// The scanned library and its announced form.
pub(crate) struct LibState {
    pub(crate) library: LocalLibrary,
    pub(crate) snapshot: LibrarySnapshot,
    digests: HashMap<(GameId, GameVersion), Digest>,
    cache: ScanCache,
}

/// What to rescan.
#[derive(Debug, Clone)]
pub(crate) enum Scope {
    /// The whole game directory; the entries of `keep` (games an operation is changing) stay
    /// as they are.
    All { keep: Vec<GameId> },
    /// One game root (its operation owns it, so it is replaced even while gated).
    Game(GameId),
}

/// The outcome of a rescan.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    /// The announced library changed: this delta goes to every peer.
    pub(crate) delta: Option<LibraryDelta>,
    /// Anything the game list shows changed.
    pub(crate) changed: bool,
}

/// The local library (one lock; see the module header).
pub(crate) struct Library {
    state: RwLock<LibState>,
    game_dir: watch::Sender<PathBuf>,
    /// Bumped whenever the announced library changes (mDNS re-advertises).
    adverts: watch::Sender<u64>,
    /// A coalesced publication of manifest digests is scheduled.
    publish_pending: AtomicBool,
}

/// A revision base that differs across restarts, so peers holding an old copy re-sync.
fn initial_rev() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_millis() as u64)
}

enum Scanned {
    All(std::io::Result<LocalLibrary>),
    Game(GameId, Option<LocalGame>),
}

impl Library {
    /// Scans `game_dir` (an unreadable directory gives an empty library and a warning).
    pub(crate) async fn scan(game_dir: &Path, catalog: &Arc<Catalog>) -> Self {
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
        Self::from_scan(game_dir, library, cache)
    }

    fn from_scan(game_dir: &Path, library: LocalLibrary, cache: ScanCache) -> Self {
        let digests = HashMap::new();
        let snapshot = library.snapshot(initial_rev(), &digests);
        Self {
            state: RwLock::new(LibState { library, snapshot, digests, cache }),
            game_dir: watch::channel(game_dir.to_path_buf()).0,
            adverts: watch::channel(0).0,
            publish_pending: AtomicBool::new(false),
        }
    }

    fn write(&self) -> RwLockWriteGuard<'_, LibState> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Read access for callers that combine the library with other state (lock order: see
    /// `runtime/ctx.rs`).
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, LibState> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The game directory in use.
    pub(crate) fn game_dir(&self) -> PathBuf {
        self.game_dir.borrow().clone()
    }

    /// Wakes when the game directory changes.
    pub(crate) fn watch_game_dir(&self) -> watch::Receiver<PathBuf> {
        self.game_dir.subscribe()
    }

    /// Wakes when the announced library changes.
    pub(crate) fn watch_adverts(&self) -> watch::Receiver<u64> {
        self.adverts.subscribe()
    }

    /// The announced library.
    pub(crate) fn snapshot(&self) -> LibrarySnapshot {
        self.read().snapshot.clone()
    }

    /// The revision of the announced library.
    pub(crate) fn rev(&self) -> u64 {
        self.read().snapshot.library_rev
    }

    /// The entry of game `id`.
    pub(crate) fn game(&self, id: &GameId) -> Option<LocalGame> {
        self.read().library.games.get(id).cloned()
    }

    /// `f` of game `id`, under the read lock: no copy of its file list (a hot path — every
    /// manifest request — must not clone a game of 100,000 files).
    pub(crate) fn with_game<R>(&self, id: &GameId, f: impl FnOnce(&LocalGame) -> R) -> Option<R> {
        self.read().library.games.get(id).map(f)
    }

    /// Games matching `f`.
    pub(crate) fn games_where(&self, f: impl Fn(&LocalGame) -> bool) -> Vec<LocalGame> {
        self.read().library.games.values().filter(|g| f(g)).cloned().collect()
    }

    /// Rescans `scope` and applies the result (see [`Library::apply`]).
    pub(crate) async fn rescan(&self, catalog: &Arc<Catalog>, scope: Scope) -> Changes {
        let dir = self.game_dir();
        let mut cache = std::mem::take(&mut self.write().cache);
        let catalog = catalog.clone();
        let scope2 = scope.clone();
        let scanned = tokio::task::spawn_blocking(move || {
            let scanned = match scope2 {
                Scope::All { .. } => Scanned::All(scan_local_library(&dir, &catalog, &mut cache)),
                Scope::Game(id) => {
                    let root = dir.join(id.as_str());
                    let game = if root.is_dir() { scan_game(&root, &id, &mut cache).ok() } else { None };
                    Scanned::Game(id, game)
                }
            };
            (scanned, cache)
        })
        .await;
        let Ok((scanned, cache)) = scanned else { return Changes::default() };
        let mut state = self.write();
        state.cache = cache;
        let next = match (scanned, scope) {
            (Scanned::All(Err(e)), _) => {
                tracing::warn!(error = %e, "rescan failed");
                return Changes::default();
            }
            (Scanned::All(Ok(mut lib)), Scope::All { keep }) => {
                for id in keep {
                    match state.library.games.get(&id) {
                        Some(g) => lib.games.insert(id, g.clone()),
                        None => lib.games.remove(&id),
                    };
                }
                lib
            }
            (Scanned::Game(id, game), _) => {
                let mut lib = state.library.clone();
                match game {
                    Some(g) => lib.games.insert(id, g),
                    None => lib.games.remove(&id),
                };
                lib
            }
            (Scanned::All(Ok(_)), Scope::Game(_)) => return Changes::default(),
        };
        self.apply(&mut state, next)
    }

    /// Replaces the library with `next`; when the announced part changed, bumps the revision,
    /// re-advertises and returns the delta.
    fn apply(&self, state: &mut LibState, next: LocalLibrary) -> Changes {
        if next == state.library {
            return Changes::default();
        }
        state.library = next;
        Changes { delta: self.new_revision(state), changed: true }
    }

    fn new_revision(&self, state: &mut LibState) -> Option<LibraryDelta> {
        let snapshot = state.library.snapshot(state.snapshot.library_rev + 1, &state.digests);
        if snapshot.games == state.snapshot.games {
            return None;
        }
        let delta = LibraryDelta::between(&state.snapshot, &snapshot);
        state.snapshot = snapshot;
        tracing::info!(
            rev = delta.library_rev,
            upserted = delta.upserted.len(),
            removed = delta.removed.len(),
            "local library changed"
        );
        self.adverts.send_modify(|v| *v += 1);
        Some(delta)
    }

    /// Records the manifest digest of a local game. Returns whether a publication must be
    /// scheduled (the digest is new and none is pending).
    pub(crate) fn record_digest(&self, id: &GameId, version: &GameVersion, digest: Digest) -> bool {
        let mut state = self.write();
        if state.digests.get(&(id.clone(), version.clone())) == Some(&digest) {
            return false;
        }
        state.digests.insert((id.clone(), version.clone()), digest);
        !self.publish_pending.swap(true, Ordering::AcqRel)
    }

    /// Announces the digests recorded since the last revision (the delta, if it changed).
    pub(crate) fn publish_digests(&self) -> Option<LibraryDelta> {
        self.publish_pending.store(false, Ordering::Release);
        let mut state = self.write();
        self.new_revision(&mut state)
    }

    /// Switches to `path`: forgets cached scan results and digests of the old directory. The
    /// caller rescans.
    pub(crate) fn switch_game_dir(&self, path: PathBuf) {
        {
            let mut state = self.write();
            state.cache = ScanCache::default();
            state.digests.clear();
        }
        self.game_dir.send_replace(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Arc<Catalog> {
        Arc::new(Catalog::bundled())
    }

    fn write_game(dir: &Path, id: &str, version: &str) {
        let root = dir.join(id);
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("a.bin"), b"payload").unwrap();
        std::fs::write(root.join("version.ini"), format!("{version}\n")).unwrap();
    }

    #[tokio::test]
    async fn one_rescan_path_for_all_and_one_game_with_revisions_and_deltas() {
        let d = tempfile::tempdir().unwrap();
        write_game(d.path(), "quake3", "1");
        let cat = catalog();
        let lib = Library::scan(d.path(), &cat).await;
        let rev0 = lib.rev();
        let mut adverts = lib.watch_adverts();
        assert_eq!(lib.snapshot().games.len(), 1);
        // Nothing changed: no revision, no delta.
        let c = lib.rescan(&cat, Scope::All { keep: vec![] }).await;
        assert!(c.delta.is_none() && !c.changed);
        assert_eq!(lib.rev(), rev0);
        // A new game: a delta with one upsert, a new revision, an advert.
        write_game(d.path(), "openarena", "7");
        let c = lib.rescan(&cat, Scope::All { keep: vec![] }).await;
        let delta = c.delta.expect("announced");
        assert_eq!((delta.base_rev, delta.library_rev, delta.upserted.len()), (rev0, rev0 + 1, 1));
        assert!(adverts.has_changed().unwrap());
        adverts.borrow_and_update();
        // A gated game keeps its entry in a full rescan, and is replaced by its own rescan.
        std::fs::remove_file(d.path().join("quake3/version.ini")).unwrap();
        let q3 = GameId::new("quake3").unwrap();
        let c = lib.rescan(&cat, Scope::All { keep: vec![q3.clone()] }).await;
        assert!(c.delta.is_none());
        assert!(lib.game(&q3).unwrap().downloaded(), "kept while gated");
        let c = lib.rescan(&cat, Scope::Game(q3.clone())).await;
        assert_eq!(c.delta.expect("announced").removed, vec![q3.clone()]);
        assert!(!lib.game(&q3).unwrap().downloaded());
        // A removed root disappears.
        std::fs::remove_dir_all(d.path().join("quake3")).unwrap();
        let c = lib.rescan(&cat, Scope::Game(q3.clone())).await;
        assert!(c.changed && c.delta.is_none(), "not announced (it was not downloaded)");
        assert!(lib.game(&q3).is_none());
    }

    #[tokio::test]
    async fn digests_are_published_once_in_a_new_revision() {
        let d = tempfile::tempdir().unwrap();
        write_game(d.path(), "quake3", "1");
        let cat = catalog();
        let lib = Library::scan(d.path(), &cat).await;
        let q3 = GameId::new("quake3").unwrap();
        let v = GameVersion::new("1").unwrap();
        assert!(lib.record_digest(&q3, &v, Digest([7; 32])), "first: schedule a publication");
        assert!(!lib.record_digest(&q3, &v, Digest([8; 32])), "one is pending already");
        let delta = lib.publish_digests().expect("the digest is announced");
        assert_eq!(delta.upserted[0].manifest_digest, Some(Digest([8; 32])));
        assert!(!lib.record_digest(&q3, &v, Digest([8; 32])), "unchanged digest");
        assert!(lib.publish_digests().is_none());
        lib.switch_game_dir(d.path().join("elsewhere"));
        assert_eq!(lib.game_dir(), d.path().join("elsewhere"));
        assert!(lib.record_digest(&q3, &v, Digest([8; 32])), "digests of the old directory are forgotten");
    }
}
