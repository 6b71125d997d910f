//! [`OpTable`]: every piece of per-game operation state, behind one lock.
//!
//! Per game it holds the running operation (kind, cancellation token, whether it gates the
//! monitor's rescans and the serving of that game), the manifest peers agreed on (waiting for
//! `DownloadGameFiles`), and the verified byte count of a running or paused download.
//!
//! An operation begins with [`OpTable::begin`], which returns an [`OpGuard`]; dropping the
//! guard ends the operation, whatever the path: a normal end, an early `?` return or a panic
//! unwinding through the task. A game is therefore never left "busy" until a restart.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
};

use lanspread_proto::{GameId, GameManifest, PeerId};
use tokio_util::sync::CancellationToken;

use crate::{
    api::Operation,
    error::{ErrorInfo, ErrorKind},
    game_db::LiveState,
};

/// The manifest peers agreed on, and who served it.
#[derive(Debug, Clone)]
pub(crate) struct Agreed {
    pub(crate) manifest: Arc<GameManifest>,
    pub(crate) peers: Vec<PeerId>,
    /// The version did not pass the trust rule and was taken on explicit request: the copy is
    /// committed as unverified.
    pub(crate) unverified: bool,
}

/// An operation running on a game.
#[derive(Debug)]
struct Running {
    op: Operation,
    token: CancellationToken,
    /// Rescans keep this game's entry, and it is not served, while the operation changes it.
    gated: bool,
    /// Tells this operation's guard from a later one's.
    serial: u64,
}

#[derive(Debug, Default)]
struct GameOps {
    running: Option<Running>,
    agreed: Option<Agreed>,
    /// Verified bytes of a running download (updated by the download) or a paused one.
    bytes: Option<Arc<AtomicU64>>,
    /// The game was started from here and its process group (this id) still runs.
    playing: Option<u32>,
    /// A downloaded update waits for the game to exit before it is installed.
    install_after_exit: bool,
}

impl GameOps {
    fn is_empty(&self) -> bool {
        self.running.is_none() && self.agreed.is_none() && self.bytes.is_none() && self.playing.is_none()
    }
}

#[derive(Debug, Default)]
struct Table {
    games: HashMap<GameId, GameOps>,
    next_serial: u64,
}

/// Per-game operation state (one lock; see the module header).
#[derive(Debug, Clone)]
pub(crate) struct OpTable {
    table: Arc<Mutex<Table>>,
    /// Parent of every operation's token (a child of the runtime's root token).
    cancel: CancellationToken,
}

impl OpTable {
    /// A table whose operations are cancelled with `cancel`.
    pub(crate) fn new(cancel: CancellationToken) -> Self {
        Self { table: Arc::default(), cancel }
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts `op` on `game`, or refuses (`Busy`) while another operation runs on it.
    pub(crate) fn begin(&self, game: &GameId, op: Operation) -> Result<OpGuard, ErrorInfo> {
        let mut t = self.lock();
        t.next_serial += 1;
        let serial = t.next_serial;
        let entry = t.games.entry(game.clone()).or_default();
        if entry.playing.is_some()
            && matches!(
                op,
                Operation::Installing | Operation::Uninstalling | Operation::Deleting | Operation::Verifying
            )
        {
            return Err(ErrorInfo::new(
                ErrorKind::Busy,
                format!("{game} is running; quit the game first (its files cannot change while it runs)"),
            ));
        }
        if let Some(running) = &entry.running {
            let what = match running.op {
                Operation::Preparing | Operation::Downloading => "downloading",
                Operation::Installing => "installing",
                Operation::Uninstalling => "uninstalling",
                Operation::Deleting => "being deleted",
                Operation::Verifying => "being verified",
            };
            return Err(ErrorInfo::new(
                ErrorKind::Busy,
                format!("{game} is already {what}; wait for it or cancel it first"),
            ));
        }
        let token = self.cancel.child_token();
        entry.running = Some(Running { op, token: token.clone(), gated: false, serial });
        Ok(OpGuard { table: self.table.clone(), game: game.clone(), serial, token })
    }

    /// Cancels whatever runs on `game`.
    pub(crate) fn cancel(&self, game: &GameId) -> Result<(), ErrorInfo> {
        match self.lock().games.get(game).and_then(|g| g.running.as_ref()) {
            Some(r) => {
                r.token.cancel();
                Ok(())
            }
            None => Err(ErrorInfo::new(ErrorKind::NotFound, format!("nothing is running on {game}"))),
        }
    }

    /// Cancels every operation (shutdown).
    pub(crate) fn cancel_all(&self) {
        self.cancel.cancel();
    }

    /// Whether an operation that changes `game` on disk runs (rescans keep its entry, and it is
    /// not served meanwhile).
    pub(crate) fn is_gated(&self, game: &GameId) -> bool {
        self.lock().games.get(game).and_then(|g| g.running.as_ref()).is_some_and(|r| r.gated)
    }

    /// Every gated game.
    pub(crate) fn gated(&self) -> Vec<GameId> {
        self.lock()
            .games
            .iter()
            .filter(|(_, g)| g.running.as_ref().is_some_and(|r| r.gated))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Whether any operation runs.
    pub(crate) fn any_running(&self) -> bool {
        self.lock().games.values().any(|g| g.running.is_some())
    }

    /// Marks `game` as started (process group `pgid`), or refuses (`Busy`) while it already
    /// runs or while an install or uninstall changes its files.
    pub(crate) fn start_playing(&self, game: &GameId, pgid: u32) -> Result<(), ErrorInfo> {
        let mut t = self.lock();
        let entry = t.games.entry(game.clone()).or_default();
        if entry.playing.is_some() {
            return Err(ErrorInfo::new(ErrorKind::Busy, format!("{game} is already running")));
        }
        if entry.running.as_ref().is_some_and(|r| {
            matches!(r.op, Operation::Installing | Operation::Uninstalling | Operation::Deleting)
        }) {
            return Err(ErrorInfo::new(
                ErrorKind::Busy,
                format!("{game} is being installed or uninstalled; start it when that has finished"),
            ));
        }
        entry.playing = Some(pgid);
        Ok(())
    }

    /// The game's processes have all exited. Returns whether an install waited for that.
    pub(crate) fn stop_playing(&self, game: &GameId) -> bool {
        let mut t = self.lock();
        let Some(entry) = t.games.get_mut(game) else { return false };
        entry.playing = None;
        let install = std::mem::take(&mut entry.install_after_exit);
        if entry.is_empty() {
            t.games.remove(game);
        }
        install
    }

    /// While `game` runs, notes that its install has to wait until it exits (and returns
    /// true); otherwise returns false and notes nothing.
    pub(crate) fn install_after_exit(&self, game: &GameId) -> bool {
        let mut t = self.lock();
        match t.games.get_mut(game) {
            Some(entry) if entry.playing.is_some() => {
                entry.install_after_exit = true;
                true
            }
            _ => false,
        }
    }

    /// Records the agreed manifest of `game` (for a later `DownloadGameFiles`).
    pub(crate) fn set_agreed(&self, game: &GameId, agreed: Agreed) {
        self.lock().games.entry(game.clone()).or_default().agreed = Some(agreed);
    }

    /// The agreed manifest of `game`, if any.
    pub(crate) fn agreed(&self, game: &GameId) -> Option<Agreed> {
        self.lock().games.get(game).and_then(|g| g.agreed.clone())
    }

    /// Sets (or with `None` clears) the verified bytes shown for a paused download.
    pub(crate) fn set_paused_bytes(&self, game: &GameId, bytes: Option<u64>) {
        let mut t = self.lock();
        let entry = t.games.entry(game.clone()).or_default();
        entry.bytes = bytes.map(|b| Arc::new(AtomicU64::new(b)));
        if entry.is_empty() {
            t.games.remove(game);
        }
    }

    /// What the game list shows of running operations and download progress.
    pub(crate) fn live(&self) -> LiveState {
        let t = self.lock();
        let mut live = LiveState::default();
        for (id, g) in &t.games {
            if let Some(r) = &g.running {
                live.operations.insert(id.clone(), r.op);
            }
            if let Some(b) = &g.bytes {
                live.download_bytes.insert(id.clone(), b.load(Ordering::Relaxed));
            }
            if g.playing.is_some() {
                live.playing.insert(id.clone());
            }
        }
        live
    }
}

/// A running operation; dropping it ends the operation (see the module header).
#[derive(Debug)]
pub(crate) struct OpGuard {
    table: Arc<Mutex<Table>>,
    game: GameId,
    serial: u64,
    token: CancellationToken,
}

impl OpGuard {
    fn with_running(&self, f: impl FnOnce(&mut Running)) {
        let mut t = self.table.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = t.games.get_mut(&self.game).and_then(|g| g.running.as_mut())
            && r.serial == self.serial
        {
            f(r);
        }
    }

    /// The game.
    pub(crate) fn game(&self) -> &GameId {
        &self.game
    }

    /// Cancelled when the operation is cancelled (or the runtime stops).
    pub(crate) fn token(&self) -> &CancellationToken {
        &self.token
    }

    /// Changes the kind of the running operation (Preparing → Downloading).
    pub(crate) fn set(&self, op: Operation) {
        self.with_running(|r| r.op = op);
    }

    /// From now until the operation ends, rescans keep the game's entry and it is not served.
    pub(crate) fn gate(&self) {
        self.with_running(|r| r.gated = true);
    }

    /// The live verified-byte counter of this game's download, starting at `start`; the game
    /// list reads it while the download runs.
    pub(crate) fn bytes(&self, start: u64) -> Arc<AtomicU64> {
        let counter = Arc::new(AtomicU64::new(start));
        let mut t = self.table.lock().unwrap_or_else(|p| p.into_inner());
        t.games.entry(self.game.clone()).or_default().bytes = Some(counter.clone());
        counter
    }

    /// Forgets the agreed manifest (the download that used it completed).
    pub(crate) fn clear_agreed(&self) {
        let mut t = self.table.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(g) = t.games.get_mut(&self.game) {
            g.agreed = None;
        }
    }
}

impl Drop for OpGuard {
    fn drop(&mut self) {
        let mut t = self.table.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(g) = t.games.get_mut(&self.game) {
            if g.running.as_ref().is_some_and(|r| r.serial == self.serial) {
                g.running = None;
            }
            if g.is_empty() {
                t.games.remove(&self.game);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gid(s: &str) -> GameId {
        GameId::new(s).unwrap()
    }

    /// Verify is refused while the game runs (a repair would change its files), and a verify
    /// running is named as such to a second operation.
    #[test]
    fn verify_waits_for_the_game_to_exit() {
        let t = OpTable::new(CancellationToken::new());
        let q3 = gid("quake3");
        t.start_playing(&q3, 4242).unwrap();
        let err = t.begin(&q3, Operation::Verifying).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Busy);
        assert!(err.message.contains("is running; quit the game first"), "{}", err.message);
        assert!(!t.stop_playing(&q3), "no install waited");
        let g = t.begin(&q3, Operation::Verifying).unwrap();
        let busy = t.begin(&q3, Operation::Installing).unwrap_err();
        assert!(busy.message.contains("already being verified"), "{}", busy.message);
        drop(g);
    }

    #[test]
    fn one_operation_per_game_and_the_guard_ends_it() {
        let t = OpTable::new(CancellationToken::new());
        let q3 = gid("quake3");
        let g = t.begin(&q3, Operation::Preparing).unwrap();
        let busy = t.begin(&q3, Operation::Installing).unwrap_err();
        assert_eq!(busy.kind, ErrorKind::Busy);
        assert!(busy.message.contains("already downloading"), "{}", busy.message);
        // Another game is independent.
        let other = t.begin(&gid("doom"), Operation::Installing).unwrap();
        g.set(Operation::Downloading);
        assert_eq!(t.live().operations.get(&q3), Some(&Operation::Downloading));
        assert!(!t.is_gated(&q3));
        g.gate();
        assert!(t.is_gated(&q3) && t.gated() == vec![q3.clone()]);
        drop(g);
        assert!(!t.is_gated(&q3));
        assert!(!t.live().operations.contains_key(&q3));
        assert!(t.any_running(), "doom still runs");
        drop(other);
        assert!(!t.any_running());
        t.begin(&q3, Operation::Installing).unwrap();
    }

    #[test]
    fn an_operation_that_panics_releases_its_game() {
        let t = OpTable::new(CancellationToken::new());
        let q3 = gid("quake3");
        let t2 = t.clone();
        let q = q3.clone();
        let r = std::thread::spawn(move || {
            let g = t2.begin(&q, Operation::Installing).unwrap();
            g.gate();
            panic!("extraction blew up");
        })
        .join();
        assert!(r.is_err(), "the operation panicked");
        assert!(!t.any_running() && !t.is_gated(&q3));
        t.begin(&q3, Operation::Installing).expect("the game is free again");
    }

    #[tokio::test]
    async fn an_operation_task_that_panics_is_reported_and_releases_its_game() {
        // The way the runtime runs operations: the guard moves into a task spawned by `Tasks`.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let tasks = crate::tasks::Tasks::new(tx);
        let t = OpTable::new(CancellationToken::new());
        let q3 = gid("quake3");
        let guard = t.begin(&q3, Operation::Downloading).unwrap();
        guard.gate();
        let broken = true;
        tasks.spawn_op("download", tracing::Span::none(), async move {
            let _guard = guard;
            tokio::task::yield_now().await;
            if broken {
                panic!("scheduler invariant broken");
            }
        });
        tasks.ops_done().await;
        assert!(!t.any_running() && !t.is_gated(&q3), "the game is released");
        t.begin(&q3, Operation::Downloading).expect("and can be downloaded again");
        let ev = rx.try_recv().expect("the panic is reported");
        assert!(
            matches!(&ev, crate::api::PeerEvent::RuntimeFailed { component, error }
                if component == "download" && error.message.contains("scheduler invariant broken")),
            "{ev:?}"
        );
    }

    #[test]
    fn cancel_reaches_the_running_operation_only() {
        let root = CancellationToken::new();
        let t = OpTable::new(root.child_token());
        let q3 = gid("quake3");
        assert_eq!(t.cancel(&q3).unwrap_err().kind, ErrorKind::NotFound);
        let g = t.begin(&q3, Operation::Downloading).unwrap();
        let other = t.begin(&gid("doom"), Operation::Downloading).unwrap();
        t.cancel(&q3).unwrap();
        assert!(g.token().is_cancelled() && !other.token().is_cancelled());
        t.cancel_all();
        assert!(other.token().is_cancelled());
        assert!(!root.is_cancelled(), "cancelling operations leaves the runtime running");
    }

    #[test]
    fn agreed_manifest_and_byte_counters_outlive_the_operation() {
        let t = OpTable::new(CancellationToken::new());
        let q3 = gid("quake3");
        let m = Arc::new(GameManifest::new(
            q3.clone(),
            lanspread_proto::GameVersion::new("1").unwrap(),
            1 << 20,
            vec![],
            vec![],
        ));
        let g = t.begin(&q3, Operation::Preparing).unwrap();
        t.set_agreed(&q3, Agreed { manifest: m, peers: vec![PeerId([1; 32])], unverified: false });
        let bytes = g.bytes(10);
        bytes.fetch_add(5, Ordering::Relaxed);
        assert_eq!(t.live().download_bytes.get(&q3), Some(&15));
        drop(g);
        assert!(t.agreed(&q3).is_some(), "kept for DownloadGameFiles");
        assert_eq!(t.live().download_bytes.get(&q3), Some(&15));
        t.set_paused_bytes(&q3, Some(7));
        assert_eq!(t.live().download_bytes.get(&q3), Some(&7));
        let g = t.begin(&q3, Operation::Downloading).unwrap();
        g.clear_agreed();
        drop(g);
        t.set_paused_bytes(&q3, None);
        assert!(t.lock().games.is_empty(), "nothing left behind");
    }
}
