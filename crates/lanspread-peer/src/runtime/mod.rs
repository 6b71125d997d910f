//! The runtime: start-up, the command loop and clean shutdown.
//!
//! State lives in [`Ctx`] (see `ctx.rs` for its owners and the lock order). Tasks, each under
//! the runtime's cancellation tokens and spawned through [`crate::tasks::Tasks`]:
//! - command loop (this module): handles [`PeerCommand`]s, starts operations;
//! - server ([`crate::net::server`]): QUIC listener; one task per connection and per stream;
//! - discovery ([`crate::discovery`]): mDNS advert + browse on a dedicated thread;
//! - ping ([`crate::ping`]): liveness, prunes silent peers;
//! - local game monitor ([`crate::monitor`]): `notify` watches + fallback scans;
//! - operations (downloads, installs, uninstalls), one per game at most.
//!
//! Shutdown, in this order ([`shutdown`]):
//! 1. stop accepting commands (the command loop returns);
//! 2. cancel operations and wait for them (downloads keep their verified chunks, installs roll
//!    back);
//! 3. say goodbye on mDNS (the discovery task sends it as it stops);
//! 4. close connections (outbound pool, then inbound ones);
//! 5. stop the server and every other task, and wait for them;
//! 6. release the state directory and emit `ShutdownComplete`.

mod ctx;
mod library;
mod manifest_cache;
pub(crate) mod manifests;
mod op_table;
mod options;
mod peers;
mod shared;
pub(crate) mod sync;
mod view;

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
    time::Duration,
};

use lanspread_proto::{Catalog, PeerId};
use lanspread_unpack::Unpacker;
use tokio::sync::{mpsc, oneshot, watch};

pub(crate) use ctx::{Ctx, peer_info};
pub(crate) use op_table::{Agreed, OpGuard};
pub use options::{DEFAULT_PORT, DiscoveryMode, MAX_KNOWN_PEERS, PeerOptions, Timing, Tuning};

use self::{
    library::Library, manifest_cache::ManifestCache, op_table::OpTable, peers::Peers, shared::Cancel,
    shared::Shared, view::GamesView,
};
use crate::{
    api::{PeerCommand, PeerEvent},
    error::{ErrorInfo, ErrorKind, StartError},
    identity::{Identity, StateDirLock},
    net::{
        self, ConnPool,
        uploads::{RateLimiter, Uploads},
    },
    peer_db::PeerGameDB,
    swarm::Swarms,
    tasks::{Role, Tasks},
};

/// How long shutdown waits for operations to stop (they flush their verified chunks).
const OPS_STOP_WAIT: Duration = Duration::from_secs(10);
/// How long shutdown waits for mDNS to say goodbye.
const GOODBYE_WAIT: Duration = Duration::from_secs(2);
/// How long shutdown waits for the remaining tasks.
const TASKS_STOP_WAIT: Duration = Duration::from_secs(5);

/// Where events go.
pub type EventSender = mpsc::UnboundedSender<PeerEvent>;

/// A command plus an optional acknowledgement channel.
pub(crate) struct CommandEnvelope {
    pub(crate) command: PeerCommand,
    pub(crate) reply: Option<oneshot::Sender<Result<(), ErrorInfo>>>,
}

/// Controls a running peer.
#[derive(Clone)]
pub struct PeerRuntimeHandle {
    tx: mpsc::Sender<CommandEnvelope>,
    ctx: Arc<Ctx>,
    done: watch::Receiver<bool>,
    recovered: Vec<PeerEvent>,
}

impl std::fmt::Debug for PeerRuntimeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerRuntimeHandle").field("peer_id", &self.ctx.me()).finish()
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

    /// What start-up recovery did (also sent as `Recovered` events before `Ready`).
    pub fn recovered(&self) -> &[PeerEvent] {
        &self.recovered
    }

    /// This peer's id.
    pub fn peer_id(&self) -> PeerId {
        self.ctx.me()
    }

    /// The QUIC address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.ctx.shared.local_addr
    }

    /// The game directory in use.
    pub fn game_dir(&self) -> PathBuf {
        self.ctx.library.game_dir()
    }

    /// Bytes served to other peers so far.
    pub fn uploaded_bytes(&self) -> u64 {
        self.ctx.uploads.uploaded()
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
        self.ctx.shared.cancel.root.cancel();
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

/// Starts a peer: locks the state directory, loads the identity, scans the library, starts the
/// QUIC server and the long-lived tasks.
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
    let endpoints = match net::start_endpoints(&identity, opts.bind, opts.port, &alpn, &opts.tuning) {
        // Another program (or another lanspread on this address) holds the default port: any
        // free port works too, only a typed address then needs the new one.
        Err(e) if opts.port == DEFAULT_PORT => {
            tracing::info!(port = DEFAULT_PORT, error = %e, "the default port is taken; using any free port");
            net::start_endpoints(&identity, opts.bind, 0, &alpn, &opts.tuning)?
        }
        r => r?,
    };
    let local_addr = match opts.bind {
        Some(ip) => SocketAddr::new(ip, endpoints.local_addr.port()),
        None => endpoints.local_addr,
    };
    // Recovery before the first scan: a crash must not leave a staging copy behind or a game
    // showing a half-done state.
    let recovered = recover(&opts.game_dir).await;
    let library = Library::scan(&opts.game_dir, &catalog).await;
    let cancel = Cancel::new();
    let tasks = Tasks::new(tx_events.clone());
    let ctx = Arc::new(Ctx {
        shared: Shared {
            identity,
            name: options::clean_name(&opts.name),
            protocol_version: opts.protocol_version,
            timing: opts.timing,
            tuning: opts.tuning,
            bind: opts.bind,
            state_dir: opts.state_dir.clone(),
            local_addr,
            auto_install: opts.auto_install,
            swarming: opts.swarm,
            catalog,
            unpacker,
            events: tx_events,
            pool: ConnPool::new(endpoints.client, tasks.clone()),
            download_limit: RateLimiter::new(opts.download_limit),
            cancel: cancel.clone(),
            tasks: tasks.clone(),
        },
        ops: OpTable::new(cancel.ops.clone()),
        library,
        peers: Peers::new(peer_game_db),
        swarms: Swarms::default(),
        manifests: ManifestCache::default(),
        uploads: Uploads::new(opts.upload_limit),
        view: GamesView::default(),
    });
    let span = tracing::info_span!("peer", me = %ctx.me().short());
    let _entered = span.enter();
    tracing::info!(addr = %local_addr, game_dir = %opts.game_dir.display(), "peer starting");

    let (tx, rx) = mpsc::channel(256);
    let (done_tx, done_rx) = watch::channel(false);

    tasks.spawn(Role::Component, "server", span.clone(), net::server::run(ctx.clone(), endpoints.server));
    let discovery = if opts.discovery == DiscoveryMode::Mdns {
        let interfaces = match opts.bind {
            Some(ip) => lanspread_mdns::Interfaces::Bind(ip),
            None => lanspread_mdns::Interfaces::All,
        };
        let mdns =
            lanspread_mdns::Mdns::start(interfaces).map_err(|e| StartError::Discovery(e.to_string()))?;
        let (stopped_tx, stopped_rx) = oneshot::channel::<()>();
        let run = crate::discovery::run(ctx.clone(), mdns);
        tasks.spawn(Role::Component, "discovery", span.clone(), async move {
            let r = run.await;
            drop(stopped_tx);
            r
        });
        Some(stopped_rx)
    } else {
        None
    };
    if opts.discovery == DiscoveryMode::Mdns && opts.beacon && crate::beacon::wanted(opts.bind) {
        // A second way to meet where multicast is dropped. A port another program holds only
        // costs this path, never the peer.
        match crate::beacon::socket() {
            Ok(sock) => {
                tasks.spawn(Role::Component, "beacon", span.clone(), crate::beacon::run(ctx.clone(), sock));
            }
            Err(e) => tracing::warn!(port = crate::beacon::BEACON_PORT, error = %e, "no broadcast beacon"),
        }
    }
    tasks.spawn(Role::Component, "ping", span.clone(), crate::ping::run(ctx.clone()));
    for addr in opts.known_peers.iter().take(options::MAX_KNOWN_PEERS) {
        ctx.peers.add_known(*addr);
    }
    tasks.spawn(Role::Component, "known-peers", span.clone(), dial_known(ctx.clone()));
    tasks.spawn(Role::Component, "monitor", span.clone(), crate::monitor::run(ctx.clone()));

    crate::download::load_paused_progress(&ctx);
    for ev in &recovered {
        ctx.emit(ev.clone());
    }
    ctx.emit(PeerEvent::Ready { peer_id: ctx.me(), addr: local_addr.to_string() });
    ctx.emit_games();
    let warm = ctx.clone();
    tasks.spawn(Role::Work, "prehash", span.clone(), async move { manifests::prehash(&warm).await });

    let loop_ctx = ctx.clone();
    tasks.spawn_supervisor("commands", span.clone(), async move {
        command_loop(loop_ctx.clone(), rx).await;
        shutdown(&loop_ctx, discovery, lock).await;
        let _ = done_tx.send(true);
    });
    drop(_entered);
    Ok(PeerRuntimeHandle { tx, ctx, done: done_rx, recovered })
}

/// Keeps the typed addresses (`--peer`) connected: dials each one whose peer is not in the
/// peer list, at once and then every `DIAL_INTERVAL` (lost peers come back the same way).
async fn dial_known(ctx: Arc<Ctx>) -> Result<(), ErrorInfo> {
    // The id each address turned out to have, so a peer we already know is not dialled again.
    let mut seen: std::collections::HashMap<SocketAddr, PeerId> = std::collections::HashMap::new();
    let mut tick = tokio::time::interval(peers::DIAL_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            _ = ctx.shared.cancel.cancelled() => return Ok(()),
            _ = tick.tick() => {}
        }
        for addr in &ctx.peers.known() {
            let connected = {
                let db = ctx.peers.read();
                if let Some(id) = db.peers().find(|r| r.addr == *addr).map(|r| r.id) {
                    seen.insert(*addr, id);
                }
                seen.get(addr).is_some_and(|id| *id == ctx.me() || db.get(id).is_some())
            };
            if !connected {
                sync::spawn_dial(&ctx, *addr);
            }
        }
    }
}

/// Runs install recovery over every game root of `game_dir` (skipping roots another live
/// process holds locked) and describes what it did as `Recovered` events.
async fn recover(game_dir: &Path) -> Vec<PeerEvent> {
    let dir = game_dir.to_path_buf();
    let done = tokio::task::spawn_blocking(move || crate::install::recover_all(&dir)).await;
    let done = match done {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "start-up recovery could not read the game directory");
            return Vec::new();
        }
        Err(e) => {
            tracing::error!(error = %e, "start-up recovery panicked");
            return Vec::new();
        }
    };
    done.into_iter()
        // A root another live process holds locked is that process's business.
        .filter(|(_, result)| !matches!(result, Err(crate::install::InstallError::Busy { .. })))
        .map(|(root, result)| {
            let game = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            match result {
                Ok(report) => {
                    tracing::info!(game, actions = ?report.actions, "start-up recovery");
                    PeerEvent::Recovered { game, actions: report.actions, error: None }
                }
                Err(e) => {
                    tracing::warn!(game, error = %e, "start-up recovery failed");
                    PeerEvent::Recovered { game, actions: Vec::new(), error: Some(e.to_string()) }
                }
            }
        })
        .collect()
}

pub(crate) fn check_game_dir(dir: &Path) -> Result<(), StartError> {
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
            _ = ctx.shared.cancel.cancelled() => return,
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
            ctx.emit(PeerEvent::Stats { uploaded_bytes: ctx.uploads.uploaded() });
            Ok(())
        }
        PeerCommand::ListPeers => {
            ctx.emit(PeerEvent::Peers { peers: ctx.peer_infos() });
            Ok(())
        }
        PeerCommand::SetGameDir { path } => set_game_dir(ctx, path).await,
        PeerCommand::GetGame { id, download, accept_unverified } => {
            crate::download::get_game(ctx, id, false, download, accept_unverified)
        }
        PeerCommand::FetchLatestFromPeers { id, download, accept_unverified } => {
            crate::download::get_game(ctx, id, true, download, accept_unverified)
        }
        PeerCommand::DownloadGameFiles { id, files } => crate::download::start_download(ctx, id, files),
        PeerCommand::InstallGame { id } => crate::ops::install(ctx, id),
        PeerCommand::VerifyGame { id, repair } => crate::ops::verify(ctx, id, repair),
        PeerCommand::UninstallGame { id } => crate::ops::uninstall(ctx, id),
        PeerCommand::PlayGame { id } => crate::ops::play(ctx, id).await,
        PeerCommand::Cancel { id } => ctx.ops.cancel(&id),
        PeerCommand::DeleteGame { id } => crate::ops::delete(ctx, id),
        PeerCommand::SetLimits { upload, download } => {
            tracing::info!(?upload, ?download, "transfer caps changed");
            ctx.uploads.set_limit(upload);
            ctx.shared.download_limit.set(download);
            Ok(())
        }
        PeerCommand::AddPeer { addr } => {
            if !ctx.peers.add_known(addr) {
                return Err(ErrorInfo::new(
                    ErrorKind::InvalidInput,
                    format!("at most {} typed addresses; forget one first", options::MAX_KNOWN_PEERS),
                ));
            }
            sync::spawn_dial(ctx, addr);
            Ok(())
        }
        PeerCommand::TestConnection { addr } => {
            sync::spawn_test(ctx, addr);
            Ok(())
        }
        PeerCommand::ForgetPeer { addr } => {
            ctx.peers.forget_known(addr);
            Ok(())
        }
        PeerCommand::SetSharing { enabled } => {
            tracing::info!(enabled, "sharing changed");
            ctx.uploads.set_sharing(enabled);
            Ok(())
        }
        PeerCommand::Shutdown => Ok(()),
    }
}

/// Switches the game directory: validates, rescans, re-announces.
async fn set_game_dir(ctx: &Arc<Ctx>, path: PathBuf) -> Result<(), ErrorInfo> {
    check_game_dir(&path).map_err(|e| ErrorInfo::new(ErrorKind::GameDir, e.to_string()))?;
    if ctx.ops.any_running() {
        return Err(ErrorInfo::new(
            ErrorKind::Busy,
            "a download or install is running; cancel it or wait before changing the game directory",
        ));
    }
    ctx.manifests.clear().await;
    for ev in recover(&path).await {
        ctx.emit(ev);
    }
    ctx.library.switch_game_dir(path.clone());
    ctx.refresh_library().await;
    ctx.emit(PeerEvent::GameDirChanged { path });
    Ok(())
}

/// Stops the runtime in the order written in the module header.
async fn shutdown(ctx: &Arc<Ctx>, discovery: Option<oneshot::Receiver<()>>, lock: StateDirLock) {
    tracing::info!("shutting down");
    let cancel = &ctx.shared.cancel;
    let tasks = &ctx.shared.tasks;
    // 1. The command loop has returned: no new operation starts.
    // 2. Operations: cancelled, and given time to keep their verified chunks or roll back.
    ctx.ops.cancel_all();
    if tokio::time::timeout(OPS_STOP_WAIT, tasks.ops_done()).await.is_err() {
        tracing::warn!("some operations did not stop within {} s", OPS_STOP_WAIT.as_secs());
    }
    // 3. mDNS goodbye: the discovery task sends it as it stops.
    cancel.discovery.cancel();
    if let Some(stopped) = discovery {
        let _ = tokio::time::timeout(GOODBYE_WAIT, stopped).await;
    }
    // 4. Connections: ours, then the inbound ones (their tasks close them on `net`).
    ctx.shared.pool.close_all();
    // 5. The server and everything else.
    cancel.net.cancel();
    cancel.root.cancel();
    tasks.close();
    if tokio::time::timeout(TASKS_STOP_WAIT, tasks.wait()).await.is_err() {
        tracing::warn!(left = tasks.len(), "some tasks did not stop within {} s", TASKS_STOP_WAIT.as_secs());
    }
    // 6. Another runtime (an in-process restart) may take the state directory now.
    drop(lock);
    ctx.emit(PeerEvent::ShutdownComplete);
}
