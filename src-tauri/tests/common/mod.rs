//! Shared helpers: an event recorder standing in for the window, temp app directories, and a
//! seeding peer on loopback with a generated RAR game.
#![allow(dead_code, unreachable_pub)]

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, RwLock},
    time::{Duration, Instant},
};

use lanspread_app::{
    config::AppPaths,
    events::{EventSink, GameView, UiEvent},
    state::{LanSpreadState, StartOptions},
};
use lanspread_peer::{DiscoveryMode, PeerEvent, PeerGameDB, PeerOptions, PeerRuntimeHandle, Timing};
use lanspread_proto::Catalog;
use lanspread_testkit::library::{GameSpec, write_game};
use tokio::sync::{Notify, mpsc};

/// Records every event the app emits, as the window would receive them.
#[derive(Default)]
pub struct Recorder {
    events: Mutex<Vec<UiEvent>>,
    notify: Notify,
}

impl EventSink for Recorder {
    fn emit(&self, event: &UiEvent) {
        self.events.lock().unwrap().push(event.clone());
        self.notify.notify_waiters();
    }
}

impl Recorder {
    pub fn all(&self) -> Vec<UiEvent> {
        self.events.lock().unwrap().clone()
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.events.lock().unwrap().iter().map(UiEvent::name).collect()
    }

    /// Waits until an event recorded at index `from` or later matches; returns it and its
    /// index.
    pub async fn wait_from(
        &self,
        from: usize,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&UiEvent) -> bool,
    ) -> (usize, UiEvent) {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.notify.notified();
            {
                let evs = self.events.lock().unwrap();
                if let Some((i, e)) = evs.iter().enumerate().skip(from).find(|(_, e)| pred(e)) {
                    return (i, e.clone());
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "timed out waiting for {what}; events: {:?}", self.names());
            let _ = tokio::time::timeout(left, notified).await;
        }
    }

    pub async fn wait(&self, what: &str, pred: impl Fn(&UiEvent) -> bool) -> UiEvent {
        self.wait_from(0, what, Duration::from_secs(60), pred).await.1
    }

    pub fn len(&self) -> usize {
        self.events.lock().unwrap().len()
    }

    /// Waits until the game list shows `id` matching `pred`.
    pub async fn wait_game(&self, from: usize, id: &str, pred: impl Fn(&GameView) -> bool) -> GameView {
        let (_, ev) = self
            .wait_from(from, &format!("{id} in the library"), Duration::from_secs(60), |e| {
                matches!(e, UiEvent::GamesListUpdated(l) if l.games.iter().any(|g| g.id == id && pred(g)))
            })
            .await;
        let UiEvent::GamesListUpdated(l) = ev else { unreachable!() };
        l.games.into_iter().find(|g| g.id == id).unwrap()
    }
}

pub fn fast_timing() -> Timing {
    Timing {
        ping_interval: Duration::from_millis(500),
        peer_timeout: Duration::from_secs(3),
        fallback_scan: Duration::from_secs(300),
        monitor_debounce: Duration::from_millis(100),
    }
}

/// App directories inside `root`: config, state, default game dir (not created).
pub fn app_paths(root: &Path) -> AppPaths {
    AppPaths {
        config_dir: root.join("config"),
        state_dir: root.join("state"),
        default_game_dir: root.join("home/Games/lanspread"),
        game_dir_override: None,
        bind: Some("127.0.0.1".parse().unwrap()),
    }
}

/// An app state with manual discovery, recording its events.
pub fn app(paths: AppPaths) -> (LanSpreadState, Arc<Recorder>) {
    let rec = Arc::new(Recorder::default());
    let state = LanSpreadState::new(
        paths,
        rec.clone(),
        StartOptions { discovery: DiscoveryMode::Manual, timing: Some(fast_timing()) },
    );
    (state, rec)
}

/// A headless peer on 127.0.0.1 sharing generated RAR games.
pub struct Seeder {
    pub handle: PeerRuntimeHandle,
    pub game_dir: PathBuf,
    pub specs: Vec<GameSpec>,
    _events: mpsc::UnboundedReceiver<PeerEvent>,
}

impl Seeder {
    pub async fn start(root: &Path, specs: Vec<GameSpec>) -> Self {
        Self::start_with_upload_limit(root, specs, None).await
    }

    /// A seeder that serves at most `limit` bytes per second (a transfer that takes a while,
    /// whatever the machine's speed).
    pub async fn start_with_upload_limit(root: &Path, specs: Vec<GameSpec>, limit: Option<u64>) -> Self {
        Self::start_at(root, specs, limit, "seedbox", "127.0.0.1").await
    }

    /// A second machine: its own name, directories under `root/<name>-*` and loopback address
    /// `ip` (the trust rule counts hosts by address).
    pub async fn start_host(root: &Path, specs: Vec<GameSpec>, name: &str, ip: &str) -> Self {
        Self::start_at(root, specs, None, name, ip).await
    }

    async fn start_at(root: &Path, specs: Vec<GameSpec>, limit: Option<u64>, name: &str, ip: &str) -> Self {
        let prefix = if name == "seedbox" { "seed".to_string() } else { name.to_string() };
        let game_dir = root.join(format!("{prefix}-games"));
        for s in &specs {
            write_game(&game_dir, s).unwrap();
        }
        let mut opts = PeerOptions::new(&game_dir);
        opts.state_dir = root.join(format!("{prefix}-state"));
        opts.bind = Some(ip.parse().unwrap());
        opts.name = name.into();
        opts.discovery = DiscoveryMode::Manual;
        opts.timing = fast_timing();
        opts.upload_limit = limit;
        let (tx, rx) = mpsc::unbounded_channel();
        let handle = lanspread_peer::start_peer_with(
            opts,
            tx,
            Arc::new(RwLock::new(PeerGameDB::new())),
            Arc::new(lanspread_unpack::UnrarUnpacker::new()),
            Arc::new(Catalog::bundled()),
        )
        .await
        .unwrap();
        Self { handle, game_dir, specs, _events: rx }
    }
}

/// Connects the app to the seeder (manual discovery).
pub async fn connect(state: &LanSpreadState, seeder: &Seeder) {
    state.connect_to(seeder.handle.local_addr(), seeder.handle.peer_id()).await.unwrap();
}
