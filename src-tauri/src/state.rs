//! [`LanSpreadState`]: the peer runtime's control handle, the aggregated library with
//! per-game operation progress ([`AppModel`]), the catalog, the settings and the game
//! directory. Tauri commands call one method each.
//!
//! Invariants:
//! - at most one runtime runs; start, stop and restart are serialized by `lifecycle`;
//! - the runtime runs exactly when the game directory is usable and it started without error
//!   (`RuntimeStatus::Running`); otherwise commands that need it fail with `not_running`;
//! - each runtime start bumps `generation`; the fan-out task of an older runtime drops its
//!   events, so a replaced runtime can never overwrite the model;
//! - `settings.json` is written only after a change took effect.

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{
        Arc, Mutex, MutexGuard, RwLock,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use lanspread_peer::{
    DiscoveryMode, PeerCommand, PeerEvent, PeerGameDB, PeerOptions, PeerRuntimeHandle, Timing,
    start_peer_with,
};
use lanspread_proto::{Catalog, GameId, PeerId};
use tokio::sync::mpsc;

use crate::{
    config::{self, AppPaths, Settings},
    error::{AppError, ErrorKind},
    events::{
        DirStatus, EventSink, GamesList, Notice, NoticeLevel, PeersList, RuntimeStatus, SettingsUpdate,
        SettingsView, UiEvent, count,
    },
    model::{self, AppModel},
};

/// How the runtime is started; tests switch to manual discovery and fast timing.
#[derive(Debug, Clone, Copy, Default)]
pub struct StartOptions {
    /// Discovery mode (the app uses mDNS).
    pub discovery: DiscoveryMode,
    /// Timing knobs (`None`: the runtime's defaults).
    pub timing: Option<Timing>,
}

/// Shared state of the app; cheap to clone.
#[derive(Clone)]
pub struct LanSpreadState {
    inner: Arc<Inner>,
}

struct Inner {
    paths: AppPaths,
    start: StartOptions,
    sink: Arc<dyn EventSink>,
    settings: Mutex<Settings>,
    dir: Mutex<DirStatus>,
    status: Mutex<RuntimeStatus>,
    model: Mutex<AppModel>,
    runtime: Mutex<Option<Running>>,
    generation: AtomicU64,
    lifecycle: tokio::sync::Mutex<()>,
    /// Sharing paused from the tray (kept across runtime restarts, not across app starts).
    sharing_paused: AtomicBool,
}

#[derive(Clone)]
struct Running {
    handle: PeerRuntimeHandle,
    db: Arc<RwLock<PeerGameDB>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn parse_id(id: &str) -> Result<GameId, AppError> {
    GameId::new(id)
        .map_err(|e| AppError::new(ErrorKind::InvalidInput, format!("{id:?} is not a game id: {e}")))
}

impl LanSpreadState {
    /// Loads the settings; nothing runs until [`LanSpreadState::start`].
    pub fn new(paths: AppPaths, sink: Arc<dyn EventSink>, start: StartOptions) -> Self {
        let (settings, problem) = Settings::load(&paths.config_dir);
        if let Some(p) = &problem {
            tracing::warn!(error = %p, "settings");
        }
        let choice = config::choose_game_dir(&paths, &settings);
        let state = Self {
            inner: Arc::new(Inner {
                start,
                sink,
                dir: Mutex::new(DirStatus {
                    path: choice.path.display().to_string(),
                    is_default: choice.is_default,
                    problem: None,
                }),
                status: Mutex::new(RuntimeStatus::Starting),
                model: Mutex::new(AppModel::new(Arc::new(Catalog::bundled()))),
                runtime: Mutex::new(None),
                generation: AtomicU64::new(0),
                lifecycle: tokio::sync::Mutex::new(()),
                sharing_paused: AtomicBool::new(false),
                settings: Mutex::new(settings),
                paths,
            }),
        };
        if let Some(p) = problem {
            state.emit(&UiEvent::Notice(Notice { level: NoticeLevel::Warning, message: p.message }));
        }
        state
    }

    fn emit(&self, ev: &UiEvent) {
        if let UiEvent::GamesListUpdated(list) = ev {
            let mut list = list.clone();
            list.free_bytes = self.free_bytes();
            self.inner.sink.emit(&UiEvent::GamesListUpdated(list));
            return;
        }
        self.inner.sink.emit(ev);
    }

    /// Delivers a UI event (the desktop layer's own events).
    pub fn emit_ui(&self, ev: &UiEvent) {
        self.emit(ev);
    }

    /// Free bytes in the game directory, if it can be read.
    fn free_bytes(&self) -> Option<u64> {
        let dir = PathBuf::from(&lock(&self.inner.dir).path);
        lanspread_peer::install::available_space(&dir).ok()
    }

    fn emit_settings(&self) {
        self.emit(&UiEvent::SettingsChanged(self.settings()));
    }

    /// Starts the runtime on the configured game directory (the default one is created), or
    /// records why the directory cannot be used.
    pub async fn start(&self) {
        let _guard = self.inner.lifecycle.lock().await;
        let choice = {
            let settings = lock(&self.inner.settings);
            config::choose_game_dir(&self.inner.paths, &settings)
        };
        match config::check_game_dir(&choice.path, choice.create) {
            Ok(dir) => {
                *lock(&self.inner.dir) = DirStatus {
                    path: dir.display().to_string(),
                    is_default: choice.is_default,
                    problem: None,
                };
                self.start_runtime(dir).await;
            }
            Err(problem) => {
                tracing::warn!(error = %problem, "game directory not usable");
                *lock(&self.inner.dir) = DirStatus {
                    path: choice.path.display().to_string(),
                    is_default: choice.is_default,
                    problem: Some(problem),
                };
                *lock(&self.inner.status) = RuntimeStatus::NoGameDir;
                self.emit_settings();
            }
        }
    }

    fn load_catalog(&self) -> Arc<Catalog> {
        let path = lock(&self.inner.settings).catalog.clone();
        match path {
            None => Arc::new(Catalog::bundled()),
            Some(p) => match read_catalog(&p) {
                Ok(c) => Arc::new(c),
                Err(e) => {
                    self.emit(&UiEvent::Notice(Notice {
                        level: NoticeLevel::Warning,
                        message: format!("{}; using the bundled catalog instead", e.message),
                    }));
                    Arc::new(Catalog::bundled())
                }
            },
        }
    }

    /// Starts a runtime on `dir` (the caller holds `lifecycle` and checked `dir`).
    async fn start_runtime(&self, dir: PathBuf) {
        let catalog = self.load_catalog();
        let generation = self.inner.generation.fetch_add(1, Ordering::SeqCst) + 1;
        *lock(&self.inner.model) = AppModel::new(catalog.clone());
        *lock(&self.inner.status) = RuntimeStatus::Starting;
        let mut opts = PeerOptions::new(&dir);
        opts.state_dir = self.inner.paths.state_dir.clone();
        opts.bind = self.inner.paths.bind;
        opts.discovery = self.inner.start.discovery;
        if let Some(t) = self.inner.start.timing {
            opts.timing = t;
        }
        {
            let s = lock(&self.inner.settings);
            opts.auto_install = s.auto_install;
            opts.upload_limit = config::mbit_to_bytes(s.upload_limit_mbit);
            // Typed addresses that no longer resolve are skipped (the Peers panel still lists
            // them, to forget or fix).
            opts.known_peers = s
                .known_peers
                .iter()
                .filter_map(|p| config::parse_peer_address(p).ok())
                .map(|(_, a)| a)
                .collect();
            opts.download_limit = config::mbit_to_bytes(s.download_limit_mbit);
            if let Some(n) = s.peer_name.as_ref().filter(|n| !n.trim().is_empty()) {
                opts.name = n.trim().to_string();
            }
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let db = Arc::new(RwLock::new(PeerGameDB::new()));
        let unpacker = Arc::new(lanspread_unpack::UnrarUnpacker::new());
        match start_with_retry(opts, tx, db.clone(), unpacker, catalog).await {
            Ok(handle) => {
                tracing::info!(peer = %handle.peer_id().short(), addr = %handle.local_addr(), dir = %dir.display(), "peer runtime started");
                *lock(&self.inner.status) = RuntimeStatus::Running {
                    peer_id: handle.peer_id().to_hex(),
                    addr: handle.local_addr().to_string(),
                };
                if self.inner.sharing_paused.load(Ordering::SeqCst)
                    && let Err(e) = handle.command(PeerCommand::SetSharing { enabled: false }).await
                {
                    tracing::warn!(error = %e, "could not keep sharing paused");
                }
                tokio::spawn(tick_stats(self.clone(), generation, handle.clone()));
                *lock(&self.inner.runtime) = Some(Running { handle, db });
                tokio::spawn(fan_out(self.clone(), generation, rx));
            }
            Err(e) => {
                let error = AppError::from(e);
                tracing::error!(%error, "peer runtime failed to start");
                *lock(&self.inner.status) = RuntimeStatus::Failed { error };
            }
        }
        self.emit_settings();
    }

    /// Stops the runtime cleanly (goodbye on mDNS, state directory unlocked).
    pub async fn shutdown(&self) {
        let _guard = self.inner.lifecycle.lock().await;
        self.stop_runtime().await;
    }

    async fn stop_runtime(&self) {
        let running = lock(&self.inner.runtime).take();
        if let Some(r) = running
            && tokio::time::timeout(Duration::from_secs(10), r.handle.shutdown()).await.is_err()
        {
            tracing::warn!("the peer runtime did not stop within 10 s");
        }
        // Events still queued from the old runtime are dropped from here on.
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn handle(&self) -> Result<PeerRuntimeHandle, AppError> {
        if let Some(r) = lock(&self.inner.runtime).as_ref() {
            return Ok(r.handle.clone());
        }
        let message = match &*lock(&self.inner.status) {
            RuntimeStatus::Failed { error } => error.message.clone(),
            RuntimeStatus::NoGameDir => "choose a folder for your games first".to_string(),
            _ => "lanspread is still starting; try again in a moment".to_string(),
        };
        Err(AppError::new(ErrorKind::NotRunning, message))
    }

    async fn command(&self, command: PeerCommand) -> Result<(), AppError> {
        let handle = self.handle()?;
        handle.command(command).await.map_err(AppError::from)
    }

    /// The library as it is now; a fresh `games-list-updated` follows when the runtime runs.
    pub async fn request_games(&self) -> GamesList {
        if let Ok(h) = self.handle()
            && let Err(e) = h.command(PeerCommand::ListGames).await
        {
            tracing::warn!(error = %e, "list_games");
        }
        let mut list = lock(&self.inner.model).games_list();
        list.free_bytes = self.free_bytes();
        list
    }

    /// Downloads (or resumes) and installs a game; installs right away when it is already
    /// downloaded.
    pub async fn install_game(&self, id: &str) -> Result<(), AppError> {
        let id = parse_id(id)?;
        // Downloaded and not installed, or a downloaded update waits: installing needs no peer.
        let install_only = lock(&self.inner.model).game(id.as_str()).is_some_and(|g| {
            g.downloaded && (!g.installed || g.state == lanspread_peer::GameState::UpdateDownloaded)
        });
        if install_only {
            return self.command(PeerCommand::InstallGame { id }).await;
        }
        self.handle()?;
        // The download queue (the app's policy; the runtime itself runs any number at once):
        // one download at a time at full speed, the rest wait their turn in order.
        let queued = {
            let mut m = lock(&self.inner.model);
            if m.active_downloads() > 0 {
                m.enqueue(id.as_str());
                true
            } else {
                m.mark_starting(id.as_str());
                false
            }
        };
        if queued {
            tracing::info!(game = %id, "download queued");
            self.emit_games();
            return Ok(());
        }
        self.start_download(id).await
    }

    /// Starts a download now (first in line, or "Start now": next to the running one).
    async fn start_download(&self, id: GameId) -> Result<(), AppError> {
        let result = self
            .command(PeerCommand::GetGame { id: id.clone(), download: true, accept_unverified: false })
            .await;
        if result.is_err() {
            lock(&self.inner.model).clear_starting(id.as_str());
            self.emit_games();
        }
        result
    }

    /// "Start now" on a queued download: it leaves the queue and runs beside the others.
    pub async fn start_now(&self, id: &str) -> Result<(), AppError> {
        let id = parse_id(id)?;
        {
            let mut m = lock(&self.inner.model);
            if !m.dequeue(id.as_str()) {
                return Err(AppError::new(
                    ErrorKind::InvalidInput,
                    format!("{id} is not waiting in the queue"),
                ));
            }
            m.mark_starting(id.as_str());
        }
        self.emit_games();
        self.start_download(id).await
    }

    /// Moves a queued download one place earlier or later.
    pub fn move_in_queue(&self, id: &str, up: bool) -> Result<(), AppError> {
        let id = parse_id(id)?;
        if !lock(&self.inner.model).move_queued(id.as_str(), up) {
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                format!("{id} cannot move that way in the queue"),
            ));
        }
        self.emit_games();
        Ok(())
    }

    /// Starts the next queued download when none runs (after any runtime event).
    async fn pump_queue(&self) {
        loop {
            let next = lock(&self.inner.model).next_to_start();
            let Some(next) = next else { return };
            let Ok(id) = parse_id(&next) else { continue };
            tracing::info!(game = %id, "starting the next queued download");
            self.emit_games();
            match self.start_download(id.clone()).await {
                Ok(()) => return,
                Err(e) => self.emit(&UiEvent::DownloadFailed(crate::events::GameFailed {
                    id: id.to_string(),
                    error: e,
                })),
            }
        }
    }

    fn emit_games(&self) {
        let list = lock(&self.inner.model).games_list();
        self.emit(&UiEvent::GamesListUpdated(list));
    }

    /// Fetches the latest version from peers and installs it over the current one.
    pub async fn update_game(&self, id: &str) -> Result<(), AppError> {
        let id = parse_id(id)?;
        self.command(PeerCommand::FetchLatestFromPeers { id, download: true, accept_unverified: false }).await
    }

    /// Starts the installed game (detached, in its folder); the card shows it running until
    /// its last process exits.
    pub async fn play_game(&self, id: &str) -> Result<(), AppError> {
        let id = parse_id(id)?;
        self.command(PeerCommand::PlayGame { id }).await
    }

    /// Takes the newest version even when only one host offers it (the trust rule's explicit
    /// request): a fresh download, or an update over the installed copy. The copy is marked
    /// unverified and casts no vote for that version.
    pub async fn install_unverified(&self, id: &str) -> Result<(), AppError> {
        let id = parse_id(id)?;
        let has_copy = lock(&self.inner.model).game(id.as_str()).is_some_and(|g| g.downloaded);
        if has_copy {
            self.command(PeerCommand::FetchLatestFromPeers { id, download: true, accept_unverified: true })
                .await
        } else {
            self.command(PeerCommand::GetGame { id, download: true, accept_unverified: true }).await
        }
    }

    /// Deletes the game from this machine (install, payload, download state); a paused
    /// download is discarded.
    pub async fn delete_game(&self, id: &str) -> Result<(), AppError> {
        let id = parse_id(id)?;
        self.command(PeerCommand::DeleteGame { id }).await
    }

    /// Pauses or resumes sharing (tray menu); downloads go on either way.
    pub async fn set_sharing(&self, enabled: bool) -> Result<(), AppError> {
        self.inner.sharing_paused.store(!enabled, Ordering::SeqCst);
        let result = match self.handle() {
            Ok(h) => h.command(PeerCommand::SetSharing { enabled }).await.map_err(AppError::from),
            // Applied when the runtime starts.
            Err(_) => Ok(()),
        };
        self.emit_settings();
        result
    }

    /// "Add a peer by address": remembered in the settings and dialled now (and at every
    /// start, and whenever that peer is lost).
    pub async fn add_peer(&self, address: &str) -> Result<SettingsView, AppError> {
        let (text, addr) = config::parse_peer_address(address)?;
        {
            let mut s = lock(&self.inner.settings);
            if !s.known_peers.contains(&text) {
                if s.known_peers.len() >= config::MAX_TYPED_PEERS {
                    return Err(AppError::new(
                        ErrorKind::InvalidInput,
                        format!("at most {} addresses; forget one first", config::MAX_TYPED_PEERS),
                    ));
                }
                let mut next = s.clone();
                next.known_peers.push(text.clone());
                next.save(&self.inner.paths.config_dir)?;
                *s = next;
            }
        }
        if let Ok(h) = self.handle() {
            h.command(PeerCommand::AddPeer { addr }).await.map_err(AppError::from)?;
        }
        self.emit_settings();
        Ok(self.settings())
    }

    /// Verify (and with `repair`, Repair): re-checks the downloaded files and the install of
    /// `id`, and repairs what is damaged; progress and the result come as `game-verify-*`
    /// events.
    pub async fn verify_game(&self, id: &str, repair: bool) -> Result<(), AppError> {
        let id = parse_id(id)?;
        self.handle()?.command(PeerCommand::VerifyGame { id, repair }).await.map_err(AppError::from)
    }

    /// "Test" in the Peers panel: dials `address` and handshakes; the answer comes as the
    /// `connection-tested` event (a dead address takes the dial timeout, 4 s).
    pub async fn test_connection(&self, address: &str) -> Result<(), AppError> {
        let (_, addr) = config::parse_peer_address(address)?;
        self.handle()?.command(PeerCommand::TestConnection { addr }).await.map_err(AppError::from)
    }

    /// Forgets an address added by hand.
    pub async fn forget_peer(&self, address: &str) -> Result<SettingsView, AppError> {
        {
            let mut s = lock(&self.inner.settings);
            let mut next = s.clone();
            next.known_peers.retain(|p| p != address.trim());
            next.save(&self.inner.paths.config_dir)?;
            *s = next;
        }
        if let (Ok(h), Ok((_, addr))) = (self.handle(), config::parse_peer_address(address)) {
            h.command(PeerCommand::ForgetPeer { addr }).await.map_err(AppError::from)?;
        }
        self.emit_settings();
        Ok(self.settings())
    }

    /// This machine's LAN addresses with the QUIC port, for the player to read out.
    fn own_addresses(&self) -> Vec<String> {
        let port = match &*lock(&self.inner.status) {
            RuntimeStatus::Running { addr, .. } => addr.parse::<SocketAddr>().map(|a| a.port()).ok(),
            _ => None,
        };
        let Some(port) = port else { return Vec::new() };
        match self.inner.paths.bind {
            Some(ip) => vec![SocketAddr::new(ip, port).to_string()],
            None => lanspread_peer::beacon::usable_interfaces(None)
                .into_iter()
                .map(|i| SocketAddr::new(i.ip.into(), port).to_string())
                .collect(),
        }
    }

    /// Whether sharing is paused.
    pub fn sharing_paused(&self) -> bool {
        self.inner.sharing_paused.load(Ordering::SeqCst)
    }

    /// Names of the games a download, install or delete is running on (Quit asks first).
    pub fn busy_games(&self) -> Vec<String> {
        lock(&self.inner.model)
            .games_list()
            .games
            .into_iter()
            .filter(|g| g.operation.is_some())
            .map(|g| g.name)
            .collect()
    }

    /// The folder "Open folder" shows: the install, else the game's folder.
    pub fn game_folder(&self, id: &str) -> Result<PathBuf, AppError> {
        let id = parse_id(id)?;
        let root = PathBuf::from(&lock(&self.inner.dir).path).join(id.as_str());
        let local = root.join(lanspread_peer::install::LOCAL);
        match (local.is_dir(), root.is_dir()) {
            (true, _) => Ok(local),
            (false, true) => Ok(root),
            _ => Err(AppError::new(ErrorKind::InvalidInput, format!("{id} has no folder on this machine"))),
        }
    }

    /// Closing the window keeps sharing from the tray.
    pub fn keep_sharing(&self) -> bool {
        lock(&self.inner.settings).keep_sharing
    }

    /// True the first time only: the first close to the tray is explained once.
    pub fn explain_close_once(&self) -> bool {
        let mut s = lock(&self.inner.settings);
        if s.close_explained {
            return false;
        }
        s.close_explained = true;
        if let Err(e) = s.save(&self.inner.paths.config_dir) {
            tracing::warn!(error = %e, "could not save the settings");
        }
        true
    }

    /// Removes the installed files; the download stays and keeps being shared.
    pub async fn uninstall_game(&self, id: &str) -> Result<(), AppError> {
        let id = parse_id(id)?;
        self.command(PeerCommand::UninstallGame { id }).await
    }

    /// Cancels the download or install running on a game (a download becomes paused).
    pub async fn cancel(&self, id: &str) -> Result<(), AppError> {
        let id = parse_id(id)?;
        // A queued download just leaves the queue.
        if lock(&self.inner.model).dequeue(id.as_str()) {
            self.emit_games();
            return Ok(());
        }
        self.command(PeerCommand::Cancel { id }).await
    }

    /// Every live peer and what it shares.
    pub fn list_peers(&self) -> PeersList {
        let running = lock(&self.inner.runtime).clone();
        let Some(r) = running else { return PeersList { peers: Vec::new(), unreachable: Vec::new() } };
        let catalog = lock(&self.inner.model).catalog().clone();
        let db = r.db.read().unwrap_or_else(|p| p.into_inner());
        let mut peers: Vec<_> = db.peers().map(|rec| model::peer_view_from_record(rec, &catalog)).collect();
        peers.sort_by(|a, b| a.name.cmp(&b.name).then(a.peer_id.cmp(&b.peer_id)));
        PeersList { peers, unreachable: lock(&self.inner.model).unreachable() }
    }

    /// Settings, game directory and runtime status.
    pub fn settings(&self) -> SettingsView {
        let s = lock(&self.inner.settings).clone();
        let catalog = lock(&self.inner.model).catalog().clone();
        SettingsView {
            game_dir: lock(&self.inner.dir).clone(),
            default_game_dir: self.inner.paths.default_game_dir.display().to_string(),
            catalog_path: s.catalog.map(|p| p.display().to_string()),
            catalog_size: count(catalog.len()),
            catalog_name: catalog.name().map(str::to_string),
            pinned_titles: count(catalog.pinned_titles()),
            peer_name: s
                .peer_name
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| PeerOptions::new(PathBuf::new()).name),
            auto_install: s.auto_install,
            keep_sharing: s.keep_sharing,
            upload_limit_mbit: s.upload_limit_mbit,
            download_limit_mbit: s.download_limit_mbit,
            sharing_paused: self.inner.sharing_paused.load(Ordering::SeqCst),
            known_peers: s.known_peers.clone(),
            own_addresses: self.own_addresses(),
            runtime: lock(&self.inner.status).clone(),
            config_file: self.inner.paths.config_dir.join(config::SETTINGS_FILE).display().to_string(),
        }
    }

    /// Switches to another game directory (created if missing; it must be writable) and
    /// remembers it.
    pub async fn update_game_directory(&self, path: &str) -> Result<SettingsView, AppError> {
        let _guard = self.inner.lifecycle.lock().await;
        let dir = config::check_game_dir(&PathBuf::from(path.trim()), true)?;
        let handle = lock(&self.inner.runtime).as_ref().map(|r| r.handle.clone());
        if let Some(h) = handle {
            h.command(PeerCommand::SetGameDir { path: dir.clone() }).await?;
        }
        let saved = {
            let mut s = lock(&self.inner.settings);
            s.game_dir = Some(dir.clone());
            s.save(&self.inner.paths.config_dir)
        };
        *lock(&self.inner.dir) =
            DirStatus { path: dir.display().to_string(), is_default: false, problem: None };
        if lock(&self.inner.runtime).is_none() {
            self.start_runtime(dir).await;
        } else {
            self.emit_settings();
        }
        if let Err(e) = saved {
            // The switch worked; only remembering it failed. Say so, keep going.
            self.emit(&UiEvent::Notice(Notice { level: NoticeLevel::Warning, message: e.message }));
        }
        Ok(self.settings())
    }

    /// Changes the display name, catalog or auto-install and restarts the runtime with them.
    /// Refused while a download or install runs.
    pub async fn update_settings(&self, update: SettingsUpdate) -> Result<SettingsView, AppError> {
        let _guard = self.inner.lifecycle.lock().await;
        let mut next = lock(&self.inner.settings).clone();
        if let Some(name) = update.peer_name {
            let name = name.trim().to_string();
            next.peer_name = (!name.is_empty()).then_some(name);
        }
        if let Some(path) = update.catalog_path {
            let path = path.trim();
            next.catalog = if path.is_empty() {
                None
            } else {
                read_catalog(&PathBuf::from(path))?;
                Some(PathBuf::from(path))
            };
        }
        if let Some(a) = update.auto_install {
            next.auto_install = a;
        }
        if let Some(k) = update.keep_sharing {
            next.keep_sharing = k;
        }
        if let Some(m) = update.upload_limit_mbit {
            next.upload_limit_mbit = (m > 0).then_some(m);
        }
        if let Some(m) = update.download_limit_mbit {
            next.download_limit_mbit = (m > 0).then_some(m);
        }
        let prev = lock(&self.inner.settings).clone();
        // Caps and the close behaviour apply to the running peer: no restart for them.
        let restart = (&next.peer_name, &next.catalog, next.auto_install)
            != (&prev.peer_name, &prev.catalog, prev.auto_install);
        if restart {
            let busy = lock(&self.inner.model).games_list().games.into_iter().find(|g| g.operation.is_some());
            if let Some(g) = busy {
                return Err(AppError::new(
                    ErrorKind::Busy,
                    format!("{} is busy; wait for it or cancel it before changing these settings", g.name),
                ));
            }
        }
        next.save(&self.inner.paths.config_dir)?;
        *lock(&self.inner.settings) = next.clone();
        if !restart {
            if let Ok(h) = self.handle() {
                let limits = PeerCommand::SetLimits {
                    upload: config::mbit_to_bytes(next.upload_limit_mbit),
                    download: config::mbit_to_bytes(next.download_limit_mbit),
                };
                h.command(limits).await.map_err(AppError::from)?;
            }
            self.emit_settings();
            return Ok(self.settings());
        }
        let dir_ok = lock(&self.inner.dir).problem.is_none();
        let dir = PathBuf::from(&lock(&self.inner.dir).path);
        self.stop_runtime().await;
        if dir_ok {
            self.start_runtime(dir).await;
        } else {
            *lock(&self.inner.model) = AppModel::new(self.load_catalog());
            self.emit_settings();
        }
        Ok(self.settings())
    }

    /// Connects to a peer by address (manual discovery in tests and scripts).
    #[doc(hidden)]
    pub async fn connect_to(&self, addr: SocketAddr, peer_id: PeerId) -> Result<(), AppError> {
        self.handle()?.connect_to(addr, peer_id).await.map_err(AppError::from)
    }
}

fn read_catalog(path: &std::path::Path) -> Result<Catalog, AppError> {
    let bytes = std::fs::read(path).map_err(|e| {
        AppError::new(ErrorKind::Config, format!("cannot read the catalog {} ({e})", path.display()))
    })?;
    Catalog::from_json(&bytes).map_err(|e| {
        AppError::new(ErrorKind::Config, format!("the catalog {} is not usable: {e}", path.display()))
    })
}

/// Starts the runtime. A restart inside this process can find the state directory still
/// locked by the previous runtime for a moment (its last tasks are still unwinding after
/// `shutdown`), so a lock held by this very process is retried for a few seconds.
async fn start_with_retry(
    opts: PeerOptions,
    tx: mpsc::UnboundedSender<PeerEvent>,
    db: Arc<RwLock<PeerGameDB>>,
    unpacker: Arc<lanspread_unpack::UnrarUnpacker>,
    catalog: Arc<Catalog>,
) -> Result<PeerRuntimeHandle, lanspread_peer::StartError> {
    let started = std::time::Instant::now();
    let me = std::process::id().to_string();
    loop {
        match start_peer_with(opts.clone(), tx.clone(), db.clone(), unpacker.clone(), catalog.clone()).await {
            Err(lanspread_peer::StartError::StateDirLocked { pid, .. })
                if pid.trim() == me && started.elapsed() < Duration::from_secs(15) =>
            {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            r => {
                if started.elapsed() > Duration::from_millis(500) {
                    tracing::info!(
                        waited_ms = started.elapsed().as_millis() as u64,
                        "state directory released by the previous runtime"
                    );
                }
                return r;
            }
        }
    }
}

/// Asks the runtime for its transfer counters once a second (the Downloads panel's totals),
/// until that runtime is replaced or stops.
async fn tick_stats(state: LanSpreadState, generation: u64, handle: PeerRuntimeHandle) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        every.tick().await;
        if state.inner.generation.load(Ordering::SeqCst) != generation
            || handle.command(PeerCommand::GetStats).await.is_err()
        {
            return;
        }
    }
}

/// Fans every runtime event out as Tauri events, until the runtime stops.
async fn fan_out(state: LanSpreadState, generation: u64, mut rx: mpsc::UnboundedReceiver<PeerEvent>) {
    while let Some(ev) = rx.recv().await {
        if state.inner.generation.load(Ordering::SeqCst) != generation {
            continue;
        }
        tracing::debug!(event = ev.name(), "peer event");
        let out = lock(&state.inner.model).apply(&ev);
        for e in &out {
            state.emit(e);
        }
        if matches!(ev, PeerEvent::ShutdownComplete) {
            break;
        }
        state.pump_queue().await;
    }
}
