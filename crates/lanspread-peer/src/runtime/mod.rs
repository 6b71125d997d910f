//! The runtime: shared context, start-up, the command loop and clean shutdown.
//!
//! Task tree (one `CancellationToken` root, children per task; shutdown order: stop accepting
//! commands → cancel operations → say goodbye on mDNS → close connections → stop the server →
//! emit `ShutdownComplete`):
//! - command loop (this module): handles [`PeerCommand`]s, spawns operations;
//! - server ([`crate::net::server`]): QUIC listener serving the handshake and requests;
//! - discovery ([`crate::discovery`]): mDNS advert + browse on a dedicated thread;
//! - ping ([`crate::ping`]): liveness, prunes silent peers;
//! - local game monitor ([`crate::monitor`]): `notify` watches + fallback scans.

pub(crate) mod local;
pub(crate) mod manifests;
pub(crate) mod sync;

use std::{
    collections::{HashMap, HashSet},
    net::{IpAddr, SocketAddr},
    path::{Path, PathBuf},
    sync::{Arc, Mutex, RwLock},
    time::Duration,
};

use lanspread_proto::{Catalog, GameId, LibrarySnapshot, PROTOCOL_VERSION, PeerId};
use lanspread_unpack::Unpacker;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

pub(crate) use local::{LocalState, refresh as refresh_local};

use crate::{
    api::{GameEntry, PeerCommand, PeerEvent, PeerInfo},
    error::{ErrorInfo, ErrorKind, StartError},
    game_db::{self, LiveState},
    identity::{Identity, StateDirLock, default_state_dir},
    library::hashes::HashIndex,
    net::{self, ConnPool},
    peer_db::PeerGameDB,
};

/// Library changes within this window become one ListGames event.
const GAMES_COALESCE: Duration = Duration::from_millis(50);

/// How peers find each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiscoveryMode {
    /// Real mDNS on the chosen interfaces.
    #[default]
    Mdns,
    /// No discovery; peers are added with [`PeerRuntimeHandle::connect_to`] (tests, scripts).
    Manual,
}

/// Timing knobs; the defaults meet the contract (a vanished peer is lost within 10 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// How often every peer is pinged.
    pub ping_interval: Duration,
    /// A peer silent for this long is removed.
    pub peer_timeout: Duration,
    /// Full rescan interval for events the file watcher missed.
    pub fallback_scan: Duration,
    /// Delay that batches file-system events before a rescan.
    pub monitor_debounce: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(2),
            peer_timeout: Duration::from_secs(7),
            fallback_scan: Duration::from_secs(300),
            monitor_debounce: Duration::from_millis(250),
        }
    }
}

/// Everything that configures one peer.
#[derive(Debug, Clone)]
pub struct PeerOptions {
    /// The game directory.
    pub game_dir: PathBuf,
    /// State directory (identity, index); locked while running.
    pub state_dir: PathBuf,
    /// Limit QUIC and mDNS to this interface address (default: all).
    pub bind: Option<IpAddr>,
    /// QUIC port (0 = any free port).
    pub port: u16,
    /// Display name for other peers.
    pub name: String,
    /// Discovery mode.
    pub discovery: DiscoveryMode,
    /// Timing knobs.
    pub timing: Timing,
    /// Install a game right after its download finishes.
    pub auto_install: bool,
    /// Take part in download swarms (serve verified chunks of running downloads, fetch from
    /// other downloaders). Off only for comparisons.
    pub swarm: bool,
    /// Cap on the upload rate in bytes per second (a seed box sharing a line); `None` = no cap.
    pub upload_limit: Option<u64>,
    /// Protocol version we speak. Only tests change it.
    #[doc(hidden)]
    pub protocol_version: u32,
}

impl PeerOptions {
    /// Defaults for `game_dir`: platform state directory, all interfaces, host name.
    pub fn new(game_dir: impl Into<PathBuf>) -> Self {
        Self {
            game_dir: game_dir.into(),
            state_dir: default_state_dir(),
            bind: None,
            port: 0,
            name: default_name(),
            discovery: DiscoveryMode::Mdns,
            timing: Timing::default(),
            auto_install: true,
            swarm: true,
            upload_limit: None,
            protocol_version: PROTOCOL_VERSION,
        }
    }
}

fn default_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "lanspread".into())
}

/// Where events go.
pub type EventSender = mpsc::UnboundedSender<PeerEvent>;

/// A command plus an optional acknowledgement channel.
pub(crate) struct CommandEnvelope {
    pub(crate) command: PeerCommand,
    pub(crate) reply: Option<oneshot::Sender<Result<(), ErrorInfo>>>,
}

/// Shared state of a running peer.
pub(crate) struct Ctx {
    pub(crate) identity: Identity,
    pub(crate) name: String,
    pub(crate) protocol_version: u32,
    pub(crate) timing: Timing,
    pub(crate) bind: Option<IpAddr>,
    pub(crate) state_dir: PathBuf,
    pub(crate) local_addr: SocketAddr,
    pub(crate) catalog: RwLock<Arc<Catalog>>,
    pub(crate) local: RwLock<LocalState>,
    pub(crate) peers: Arc<RwLock<PeerGameDB>>,
    pub(crate) live: Mutex<LiveState>,
    pub(crate) events: EventSender,
    pub(crate) pool: ConnPool,
    pub(crate) unpacker: Arc<dyn Unpacker>,
    pub(crate) cancel: CancellationToken,
    pub(crate) tasks: TaskTracker,
    /// Bumped whenever the advertised library changes (mDNS re-advertises).
    pub(crate) advert_tx: watch::Sender<u64>,
    /// Games whose operation gates monitor rescans.
    pub(crate) gated: Mutex<HashSet<GameId>>,
    /// Handshakes in flight, so discovery does not start two at once per peer.
    pub(crate) syncing: Mutex<HashSet<PeerId>>,
    /// File transfers this peer sends at once (bounds the memory serving holds).
    pub(crate) send_slots: tokio::sync::Semaphore,
    /// A coalesced ListGames emission is scheduled.
    pub(crate) games_pending: std::sync::atomic::AtomicBool,
    /// The last ListGames list emitted.
    pub(crate) last_games: Mutex<Option<Vec<GameEntry>>>,
    /// A coalesced publication of manifest digests is scheduled.
    pub(crate) publish_pending: std::sync::atomic::AtomicBool,
    /// Our own manifests, by game: built on demand, reused while the files are unchanged.
    pub(crate) manifests: tokio::sync::Mutex<HashMap<GameId, manifests::Slot>>,
    /// Bytes served to other peers.
    pub(crate) uploaded: std::sync::atomic::AtomicU64,
    /// Inbound connections per peer.
    pub(crate) inbound: Mutex<HashMap<PeerId, usize>>,
    /// Agreed manifests waiting for DownloadGameFiles.
    pub(crate) agreed: Mutex<HashMap<GameId, crate::download::Agreed>>,
    /// Cancellation tokens of running operations.
    pub(crate) op_tokens: Mutex<HashMap<GameId, CancellationToken>>,
    /// Install games right after they finish downloading.
    pub(crate) auto_install: bool,
    /// Swarms this peer takes part in.
    pub(crate) swarms: crate::swarm::Swarms,
    /// Exchange chunks with other downloaders (off: fetch only from complete copies).
    pub(crate) swarming: bool,
    /// Upload rate cap.
    pub(crate) upload_limiter: Option<crate::net::RateLimiter>,
    pub(crate) game_dir_tx: watch::Sender<PathBuf>,
    /// Held while running; released by shutdown even if handles to the runtime live on.
    lock: Mutex<Option<StateDirLock>>,
}

impl Ctx {
    pub(crate) fn emit(&self, ev: PeerEvent) {
        let _ = self.events.send(ev);
    }

    pub(crate) fn catalog(&self) -> Arc<Catalog> {
        self.catalog.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn game_dir(&self) -> PathBuf {
        self.game_dir_tx.borrow().clone()
    }

    pub(crate) fn snapshot(&self) -> LibrarySnapshot {
        self.local.read().unwrap_or_else(|p| p.into_inner()).snapshot.clone()
    }

    pub(crate) fn hash_index(&self) -> HashIndex {
        HashIndex::new(&self.state_dir, &self.game_dir())
    }

    /// The addresses our server listens on, as other peers should dial them.
    pub(crate) fn listen_addrs(&self) -> Vec<SocketAddr> {
        let port = self.local_addr.port();
        if let Some(ip) = self.bind {
            return vec![SocketAddr::new(ip, port)];
        }
        let mut out: Vec<SocketAddr> = if_addrs::get_if_addrs()
            .unwrap_or_default()
            .into_iter()
            .filter(|i| !i.is_loopback() && i.ip().is_ipv4())
            .map(|i| SocketAddr::new(i.ip(), port))
            .collect();
        out.truncate(lanspread_proto::MAX_LISTEN_ADDRS);
        out
    }

    pub(crate) fn peer_infos(&self) -> Vec<PeerInfo> {
        let db = self.peers.read().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<PeerInfo> = db.peers().map(peer_info).collect();
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.peer_id.cmp(&b.peer_id)));
        out
    }

    pub(crate) fn peer_count(&self) -> usize {
        self.peers.read().unwrap_or_else(|p| p.into_inner()).peer_count()
    }

    /// Emits the aggregated library.
    /// Emits the aggregated library now if it changed since the last ListGames event.
    pub(crate) fn emit_games(&self) {
        self.emit_games_now(false);
    }

    /// Emits the aggregated library soon, for remote changes that come in bursts (handshakes,
    /// deltas, lost peers): changes within `GAMES_COALESCE` become one ListGames event, and
    /// a list equal to the last one is not sent again (a party of 30 peers would otherwise
    /// flood the UI with hundreds of identical lists).
    pub(crate) fn emit_games_soon(self: &Arc<Self>) {
        if self.games_pending.swap(true, std::sync::atomic::Ordering::AcqRel) {
            return;
        }
        let ctx = self.clone();
        self.tasks.spawn(async move {
            tokio::select! {
                _ = tokio::time::sleep(GAMES_COALESCE) => {}
                _ = ctx.cancel.cancelled() => return,
            }
            ctx.games_pending.store(false, std::sync::atomic::Ordering::Release);
            ctx.emit_games_now(false);
        });
    }

    /// Emits the aggregated library now; unless `always`, only if it changed since the last
    /// ListGames event.
    pub(crate) fn emit_games_now(&self, always: bool) {
        let catalog = self.catalog();
        let games = {
            let local = self.local.read().unwrap_or_else(|p| p.into_inner());
            let peers = self.peers.read().unwrap_or_else(|p| p.into_inner());
            let live = self.live.lock().unwrap_or_else(|p| p.into_inner());
            game_db::aggregate(&catalog, &local.library, &peers, &live)
        };
        {
            let mut last = self.last_games.lock().unwrap_or_else(|p| p.into_inner());
            if !always && last.as_ref() == Some(&games) {
                return;
            }
            *last = Some(games.clone());
        }
        self.emit(PeerEvent::ListGames { games });
    }

    /// Removes a peer and reports it lost.
    pub(crate) fn lose_peer(self: &Arc<Self>, id: &PeerId, reason: &str) {
        let removed = self.peers.write().unwrap_or_else(|p| p.into_inner()).remove_peer(id);
        self.pool.drop_peer(id);
        self.swarms.forget_peer(id);
        if let Some(rec) = removed {
            tracing::info!(peer = %id.short(), name = %rec.name, reason, "peer lost");
            self.emit(PeerEvent::PeerLost { peer_id: *id, name: rec.name, reason: reason.to_string() });
            self.emit(PeerEvent::PeerCountUpdated { count: self.peer_count() });
            self.emit_games_soon();
        }
    }
}

pub(crate) fn peer_info(rec: &crate::peer_db::PeerRecord) -> PeerInfo {
    PeerInfo {
        peer_id: rec.id,
        name: rec.name.clone(),
        addr: rec.addr.to_string(),
        game_count: rec.games.len(),
        games: rec.games.keys().cloned().collect(),
    }
}

/// Controls a running peer.
#[derive(Clone)]
pub struct PeerRuntimeHandle {
    tx: mpsc::Sender<CommandEnvelope>,
    ctx: Arc<Ctx>,
    done: watch::Receiver<bool>,
}

impl std::fmt::Debug for PeerRuntimeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerRuntimeHandle").field("peer_id", &self.ctx.identity.peer_id).finish()
    }
}

impl PeerRuntimeHandle {
    /// Sends a command and waits until the runtime accepted or refused it. Outcomes arrive as
    /// events.
    pub async fn command(&self, command: PeerCommand) -> Result<(), ErrorInfo> {
        let (reply, rx) = oneshot::channel();
        let name = command.name();
        self.tx
            .send(CommandEnvelope { command, reply: Some(reply) })
            .await
            .map_err(|_| ErrorInfo::new(ErrorKind::Internal, format!("{name}: the runtime has stopped")))?;
        rx.await.unwrap_or_else(|_| Err(ErrorInfo::new(ErrorKind::Internal, "the runtime has stopped")))
    }

    /// Sends a command without waiting (refusals arrive as `CommandFailed` events).
    pub fn send(&self, command: PeerCommand) -> Result<(), ErrorInfo> {
        self.tx
            .try_send(CommandEnvelope { command, reply: None })
            .map_err(|_| ErrorInfo::new(ErrorKind::Busy, "the runtime is not accepting commands"))
    }

    /// This peer's id.
    pub fn peer_id(&self) -> PeerId {
        self.ctx.identity.peer_id
    }

    /// The QUIC address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.ctx.local_addr
    }

    /// The game directory in use.
    pub fn game_dir(&self) -> PathBuf {
        self.ctx.game_dir()
    }

    /// Bytes served to other peers so far.
    pub fn uploaded_bytes(&self) -> u64 {
        self.ctx.uploaded.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Connects to a peer by address and performs the handshake (manual discovery).
    pub async fn connect_to(&self, addr: SocketAddr, peer_id: PeerId) -> Result<(), ErrorInfo> {
        sync::handshake(&self.ctx, peer_id, addr)
            .await
            .map_err(|e| ErrorInfo::new(ErrorKind::Network, e.to_string()))
    }

    /// Shuts down cleanly and waits until every task has stopped.
    pub async fn shutdown(&self) {
        let _ = self.tx.send(CommandEnvelope { command: PeerCommand::Shutdown, reply: None }).await;
        self.wait().await;
    }

    /// Waits until the runtime has stopped.
    pub async fn wait(&self) {
        let mut done = self.done.clone();
        let _ = done.wait_for(|d| *d).await;
    }

    /// Stops every task at once without goodbyes (tests: a peer that vanishes).
    #[doc(hidden)]
    pub async fn kill_silently(&self) {
        self.ctx.cancel.cancel();
        self.wait().await;
    }
}

/// Starts a peer on `game_dir` with default options (platform state directory, all
/// interfaces, real mDNS). See [`start_peer_with`].
pub async fn start_peer(
    game_dir: impl Into<PathBuf>,
    tx_events: EventSender,
    peer_game_db: Arc<RwLock<PeerGameDB>>,
    unpacker: Arc<dyn Unpacker>,
    catalog: Arc<Catalog>,
) -> Result<PeerRuntimeHandle, StartError> {
    start_peer_with(PeerOptions::new(game_dir), tx_events, peer_game_db, unpacker, catalog).await
}

/// Starts a peer: locks the state directory, loads the identity, recovers interrupted
/// installs, scans the library, starts the QUIC server and the four long-lived tasks.
pub async fn start_peer_with(
    opts: PeerOptions,
    tx_events: EventSender,
    peer_game_db: Arc<RwLock<PeerGameDB>>,
    unpacker: Arc<dyn Unpacker>,
    catalog: Arc<Catalog>,
) -> Result<PeerRuntimeHandle, StartError> {
    let lock = StateDirLock::acquire(&opts.state_dir)?;
    let identity = Identity::load_or_create(&opts.state_dir)?;
    check_game_dir(&opts.game_dir)?;
    let alpn = format!("lanspread/{}", opts.protocol_version);
    let endpoints = net::start_endpoints(&identity, opts.bind, opts.port, &alpn)?;
    let local_addr = match opts.bind {
        Some(ip) => SocketAddr::new(ip, endpoints.local_addr.port()),
        None => endpoints.local_addr,
    };
    let local = local::initial_scan(&opts.game_dir, &catalog).await;
    let (advert_tx, _) = watch::channel(0u64);
    let (game_dir_tx, _) = watch::channel(opts.game_dir.clone());
    let ctx = Arc::new(Ctx {
        identity,
        name: opts
            .name
            .chars()
            .filter(|c| !c.is_control())
            .take(lanspread_proto::MAX_PEER_NAME_CHARS)
            .collect(),
        protocol_version: opts.protocol_version,
        timing: opts.timing,
        bind: opts.bind,
        state_dir: opts.state_dir.clone(),
        local_addr,
        catalog: RwLock::new(catalog),
        local: RwLock::new(local),
        peers: peer_game_db,
        live: Mutex::new(LiveState::default()),
        events: tx_events,
        pool: ConnPool::new(endpoints.client),
        unpacker,
        cancel: CancellationToken::new(),
        tasks: TaskTracker::new(),
        advert_tx,
        gated: Mutex::new(HashSet::new()),
        syncing: Mutex::new(HashSet::new()),
        send_slots: tokio::sync::Semaphore::new(crate::net::server::SEND_SLOTS),
        games_pending: Default::default(),
        last_games: Mutex::new(None),
        publish_pending: Default::default(),
        manifests: tokio::sync::Mutex::new(HashMap::new()),
        uploaded: Default::default(),
        inbound: Mutex::new(HashMap::new()),
        agreed: Mutex::new(HashMap::new()),
        op_tokens: Mutex::new(HashMap::new()),
        auto_install: opts.auto_install,
        swarms: Default::default(),
        swarming: opts.swarm,
        upload_limiter: opts.upload_limit.map(crate::net::RateLimiter::new),
        game_dir_tx,
        lock: Mutex::new(Some(lock)),
    });
    tracing::info!(peer = %ctx.identity.peer_id.short(), addr = %local_addr, game_dir = %opts.game_dir.display(), "peer starting");

    let (tx, rx) = mpsc::channel(256);
    let (done_tx, done_rx) = watch::channel(false);

    spawn(&ctx, "server", net::server::run(ctx.clone(), endpoints.server));
    if opts.discovery == DiscoveryMode::Mdns {
        let interfaces = match opts.bind {
            Some(ip) => lanspread_mdns::Interfaces::Bind(ip),
            None => lanspread_mdns::Interfaces::All,
        };
        let mdns =
            lanspread_mdns::Mdns::start(interfaces).map_err(|e| StartError::Discovery(e.to_string()))?;
        spawn(&ctx, "discovery", crate::discovery::run(ctx.clone(), mdns));
    }
    spawn(&ctx, "ping", crate::ping::run(ctx.clone()));
    spawn(&ctx, "monitor", crate::monitor::run(ctx.clone()));

    local::load_paused_progress(&ctx);
    ctx.emit(PeerEvent::Ready { peer_id: ctx.identity.peer_id, addr: local_addr.to_string() });
    ctx.emit_games();
    let warm = ctx.clone();
    ctx.tasks.spawn(async move { local::prehash(&warm).await });

    let loop_ctx = ctx.clone();
    tokio::spawn(async move {
        command_loop(loop_ctx.clone(), rx).await;
        shutdown(&loop_ctx).await;
        let _ = done_tx.send(true);
    });
    Ok(PeerRuntimeHandle { tx, ctx, done: done_rx })
}

/// Spawns a long-lived task on the tracker; an error is logged and reported.
pub(crate) fn spawn<F>(ctx: &Arc<Ctx>, name: &'static str, fut: F)
where
    F: std::future::Future<Output = Result<(), ErrorInfo>> + Send + 'static,
{
    let ctx2 = ctx.clone();
    ctx.tasks.spawn(async move {
        if let Err(error) = fut.await {
            tracing::error!(component = name, %error, "component failed");
            ctx2.emit(PeerEvent::RuntimeFailed { component: name.into(), error });
        }
    });
}

fn check_game_dir(dir: &Path) -> Result<(), StartError> {
    let err = |message: String| StartError::GameDir { path: dir.to_path_buf(), message };
    if !dir.exists() {
        std::fs::create_dir_all(dir)
            .map_err(|e| err(format!("does not exist and cannot be created: {e}")))?;
    }
    if !dir.is_dir() {
        return Err(err("is not a directory".into()));
    }
    std::fs::read_dir(dir).map_err(|e| err(format!("cannot be read: {e}")))?;
    Ok(())
}

async fn command_loop(ctx: Arc<Ctx>, mut rx: mpsc::Receiver<CommandEnvelope>) {
    loop {
        let env = tokio::select! {
            biased;
            _ = ctx.cancel.cancelled() => return,
            env = rx.recv() => match env {
                Some(env) => env,
                None => return,
            },
        };
        let name = env.command.name();
        if matches!(env.command, PeerCommand::Shutdown) {
            if let Some(reply) = env.reply {
                let _ = reply.send(Ok(()));
            }
            return;
        }
        let result = handle_command(&ctx, env.command).await;
        if let Err(error) = &result {
            ctx.emit(PeerEvent::CommandFailed { command: name.into(), error: error.clone() });
        }
        if let Some(reply) = env.reply {
            let _ = reply.send(result);
        }
    }
}

async fn handle_command(ctx: &Arc<Ctx>, command: PeerCommand) -> Result<(), ErrorInfo> {
    match command {
        PeerCommand::ListGames => {
            ctx.emit_games_now(true);
            Ok(())
        }
        PeerCommand::GetPeerCount => {
            ctx.emit(PeerEvent::PeerCountUpdated { count: ctx.peer_count() });
            Ok(())
        }
        PeerCommand::GetStats => {
            ctx.emit(PeerEvent::Stats {
                uploaded_bytes: ctx.uploaded.load(std::sync::atomic::Ordering::Relaxed),
            });
            Ok(())
        }
        PeerCommand::ListPeers => {
            ctx.emit(PeerEvent::Peers { peers: ctx.peer_infos() });
            Ok(())
        }
        PeerCommand::SetGameDir { path } => local::set_game_dir(ctx, path).await,
        PeerCommand::GetGame { id, download } => crate::download::get_game(ctx, id, false, download),
        PeerCommand::FetchLatestFromPeers { id, download } => {
            crate::download::get_game(ctx, id, true, download)
        }
        PeerCommand::DownloadGameFiles { id, files } => crate::download::start_download(ctx, id, files),
        PeerCommand::InstallGame { id } => crate::ops::install(ctx, id),
        PeerCommand::UninstallGame { id } => crate::ops::uninstall(ctx, id),
        PeerCommand::Cancel { id } => crate::ops::cancel(ctx, &id),
        PeerCommand::Shutdown => Ok(()),
    }
}

async fn shutdown(ctx: &Arc<Ctx>) {
    tracing::info!("shutting down");
    ctx.cancel.cancel();
    ctx.tasks.close();
    if tokio::time::timeout(Duration::from_secs(5), ctx.tasks.wait()).await.is_err() {
        tracing::warn!("some tasks did not stop within 5 s");
    }
    ctx.pool.close_all();
    // Another runtime (an in-process restart) may take the state directory now.
    drop(ctx.lock.lock().unwrap_or_else(|p| p.into_inner()).take());
    ctx.emit(PeerEvent::ShutdownComplete);
}
