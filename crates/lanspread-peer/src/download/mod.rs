//! The download pipeline.
//!
//! 1. [`get_game`] (GetGame / FetchLatestFromPeers) asks every peer holding the latest version
//!    for its manifest, counts votes ([`agree`]), records the manifests in `PeerGameDB` and
//!    emits `GotGameFiles`.
//! 2. [`start_download`] (DownloadGameFiles) runs the version-sentinel transaction: park an old
//!    `version.ini` as `.version.ini.discarded`, pre-create the payload files, emit
//!    `DownloadGameFilesBegin`, fetch chunks on per-chunk QUIC streams as the [`scheduler`]
//!    directs, verify each against the agreed hash and write it in place (never truncating),
//!    keep `version.ini` in memory, make payload durable (incremental fdatasync), then commit
//!    `version.ini` via `.version.ini.tmp` + fsync + rename.
//! 3. Failure or cancel sweeps the transient sentinels without restoring the old one; verified
//!    chunks stay (state paused) and a later download resumes from them.
//!
//! Invariants (see also `STATE.md`):
//! - `version.ini` exists ⇒ every payload chunk was verified against the agreed manifest and is
//!   durable, and no stale payload is left in the root;
//! - no byte is written that did not match its chunk hash (whole-file fallback truncates first,
//!   then writes only verified chunks);
//! - a chunk's verified bit is persisted only after its bytes were fdatasync'ed.

mod agree;
mod buf;
mod disk;
mod fetch;
mod files;
pub(crate) mod scheduler;
pub(crate) mod state;
mod swarm_glue;
mod transfer;

use self::disk::{rehash_existing, spawn_writer};
use self::fetch::Done;

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use lanspread_proto::{
    ErrorCode, GameFileDescription, GameId, GameManifest, GameVersion, GetGame, GetGameFileChunk,
    GetGameFileData, PeerId, Request, Response, chunk::chunk_range,
};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use self::{
    agree::{Agreement, agree},
    scheduler::{Action, ChunkSpec, Failure, Scheduler, Work},
    state::Verified,
};
use crate::{
    api::{DownloadProgress, Operation, PeerEvent, PeerTransfer},
    error::{ErrorInfo, ErrorKind},
    library::hashes::{FileHashes, GameHashes},
    net,
    ops::{begin_op, end_op, set_op},
    runtime::{Ctx, local},
};

pub(crate) use state::progress_of;

/// Bytes requested but not yet written, over all peers (bounds memory).
const INFLIGHT_BUDGET: u64 = 16 << 20;

/// `INFLIGHT_BUDGET`, or `LANSPREAD_INFLIGHT_MIB` for experiments.
fn inflight_budget() -> u64 {
    std::env::var("LANSPREAD_INFLIGHT_MIB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(INFLIGHT_BUDGET, |m| m << 20)
}
/// How often the download joins members it has not joined yet and catches up on whatever the
/// event-driven paths missed (announcements and merges normally happen at once).
const SWARM_TICK: Duration = Duration::from_millis(150);
/// How long newly verified chunks gather before they are announced to the swarm (each
/// announcement is one small request per member; every hop of a chunk through the swarm waits
/// for one). `LANSPREAD_HAVE_MS` overrides it for experiments.
const HAVE_BATCH: Duration = Duration::from_millis(50);

fn have_batch() -> Duration {
    static B: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();
    *B.get_or_init(|| {
        std::env::var("LANSPREAD_HAVE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(HAVE_BATCH, Duration::from_millis)
    })
}
/// Verified bytes waiting for the disk before new requests pause.
const WRITE_BUDGET: u64 = 8 << 20;
/// A request older than this counts as a failure of its peer.
const HARD_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a download waits for a peer when none is left.
const NO_PEER_GRACE: Duration = Duration::from_secs(20);
/// How long manifest queries wait for peers that are still hashing.
const MANIFEST_PATIENCE: Duration = Duration::from_secs(180);

/// The agreed manifest of a game, waiting for DownloadGameFiles.
#[derive(Debug, Clone)]
pub(crate) struct Agreed {
    pub(crate) manifest: Arc<GameManifest>,
    pub(crate) peers: Vec<PeerId>,
}

fn err(kind: ErrorKind, msg: impl Into<String>) -> ErrorInfo {
    ErrorInfo::new(kind, msg)
}

/// GetGame / FetchLatestFromPeers: checks synchronously, then agrees (and maybe downloads) in
/// the background.
pub(crate) fn get_game(ctx: &Arc<Ctx>, id: GameId, update: bool, download: bool) -> Result<(), ErrorInfo> {
    if !ctx.catalog().contains(&id) {
        return Err(err(ErrorKind::InvalidInput, format!("{id} is not in the catalog")));
    }
    let latest = ctx.peers.read().unwrap_or_else(|p| p.into_inner()).latest_version(&id);
    if latest.is_none() {
        return Err(err(ErrorKind::NoPeers, format!("no peer on the network has {id} right now")));
    }
    let token = begin_op(ctx, &id, Operation::Preparing)?;
    ctx.emit_games();
    let ctx2 = ctx.clone();
    ctx.tasks.spawn(async move {
        let agreed = tokio::select! {
            r = agree_on(&ctx2, &id) => r,
            _ = token.cancelled() => Err(err(ErrorKind::Cancelled, format!("{id}: cancelled"))),
        };
        match agreed {
            Ok(agreed) => {
                ctx2.emit(PeerEvent::GotGameFiles {
                    id: id.clone(),
                    version: agreed.manifest.version.clone(),
                    total_bytes: agreed.manifest.total_size(),
                    files: agreed.manifest.files.clone(),
                    peers: agreed.peers.clone(),
                    update,
                });
                ctx2.agreed.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone(), agreed.clone());
                if download {
                    set_op(&ctx2, &id, Operation::Downloading);
                    run_download(&ctx2, &id, agreed, token).await;
                } else {
                    end_op(&ctx2, &id);
                    ctx2.emit_games();
                }
            }
            Err(error) => {
                end_op(&ctx2, &id);
                ctx2.emit(PeerEvent::DownloadGameFilesFailed { id: id.clone(), error });
                ctx2.emit_games();
            }
        }
    });
    Ok(())
}

/// DownloadGameFiles: downloads the agreed manifest of `id`.
pub(crate) fn start_download(
    ctx: &Arc<Ctx>,
    id: GameId,
    files: Option<Vec<GameFileDescription>>,
) -> Result<(), ErrorInfo> {
    let agreed = ctx.agreed.lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned();
    let Some(agreed) = agreed else {
        return Err(err(
            ErrorKind::InvalidInput,
            format!("no agreed file list for {id}; send get_game first"),
        ));
    };
    if let Some(files) = files
        && files != agreed.manifest.files
    {
        return Err(err(
            ErrorKind::InvalidInput,
            format!("the file list does not match the agreed manifest of {id}; send get_game again"),
        ));
    }
    let token = begin_op(ctx, &id, Operation::Downloading)?;
    let ctx2 = ctx.clone();
    ctx.tasks.spawn(async move { run_download(&ctx2, &id, agreed, token).await });
    Ok(())
}

/// Asks every holder of the latest version for its manifest and counts votes.
async fn agree_on(ctx: &Arc<Ctx>, id: &GameId) -> Result<Agreed, ErrorInfo> {
    let (version, holders) = {
        let db = ctx.peers.read().unwrap_or_else(|p| p.into_inner());
        let v = db
            .latest_version(id)
            .ok_or_else(|| err(ErrorKind::NoPeers, format!("no peer has {id} any more")))?;
        let holders: Vec<(PeerId, std::net::SocketAddr)> =
            db.peers_with(id, &v).into_iter().filter_map(|p| db.get(&p).map(|r| (p, r.addr))).collect();
        (v, holders)
    };
    if holders.is_empty() {
        return Err(err(ErrorKind::NoPeers, format!("no usable peer has {id} {version}")));
    }
    let mut set = JoinSet::new();
    for (peer, addr) in holders {
        let ctx = ctx.clone();
        let (id, version) = (id.clone(), version.clone());
        set.spawn(async move { (peer, fetch_manifest(&ctx, peer, addr, &id, &version).await) });
    }
    let mut served = Vec::new();
    while let Some(r) = set.join_next().await {
        let Ok((peer, r)) = r else { continue };
        match r {
            Ok(m) => served.push((peer, m)),
            // An answer that is not a manifest at all (a path that escapes the root, a frame
            // over the cap, another message) is a lie, not a network failure.
            Err(
                e @ (net::NetError::Unexpected(_)
                | net::NetError::Frame(
                    lanspread_proto::FrameError::Decode(_) | lanspread_proto::FrameError::TooLarge { .. },
                )),
            ) => misbehaved(ctx, peer, id, &format!("answered the manifest request with {e}")),
            Err(e) => tracing::info!(game = %id, peer = %peer.short(), error = %e, "no manifest from peer"),
        }
    }
    let (agreement, rejected) = agree(id, &version, served.clone());
    for r in rejected {
        misbehaved(ctx, r.peer, id, &r.reason);
    }
    {
        let mut db = ctx.peers.write().unwrap_or_else(|p| p.into_inner());
        for (peer, m) in served {
            db.record_manifest(&peer, Arc::new(m));
        }
    }
    match agreement {
        Agreement::Agreed { manifest, peers, outvoted } => {
            if !outvoted.is_empty() {
                let mut db = ctx.peers.write().unwrap_or_else(|p| p.into_inner());
                for p in &outvoted {
                    db.ban_for_game(p, id);
                }
                drop(db);
                let message = format!(
                    "{} of {} peers announcing {id} {version} have different files; using the majority and ignoring {}",
                    outvoted.len(),
                    outvoted.len() + peers.len(),
                    outvoted.iter().map(PeerId::short).collect::<Vec<_>>().join(", ")
                );
                tracing::warn!("{message}");
                ctx.emit(PeerEvent::ManifestDisagreement {
                    id: id.clone(),
                    version: version.clone(),
                    outvoted,
                    message,
                });
            }
            Ok(Agreed { manifest: Arc::new(manifest), peers })
        }
        Agreement::Tie { groups } => {
            let sizes: Vec<String> = groups.iter().map(|(_, p)| p.len().to_string()).collect();
            let message = format!(
                "peers disagree about the files of {id} {version} ({} groups of {} peers) and no copy has a majority; \
                 ask the owners to compare their copies",
                groups.len(),
                sizes.join("/")
            );
            let outvoted = groups.into_iter().flat_map(|(_, p)| p).collect();
            ctx.emit(PeerEvent::ManifestDisagreement {
                id: id.clone(),
                version: version.clone(),
                outvoted,
                message: message.clone(),
            });
            Err(err(ErrorKind::Disagreement, message))
        }
        Agreement::None => Err(err(
            ErrorKind::NoPeers,
            format!("no peer served a usable file list for {id} {version}; try again in a moment"),
        )),
    }
}

fn misbehaved(ctx: &Ctx, peer: PeerId, id: &GameId, reason: &str) {
    tracing::warn!(peer = %peer.short(), game = %id, reason, "peer misbehaved");
    ctx.peers.write().unwrap_or_else(|p| p.into_inner()).ban_for_game(&peer, id);
    ctx.emit(PeerEvent::PeerMisbehaved { peer_id: peer, game: Some(id.clone()), reason: reason.to_string() });
}

async fn fetch_manifest(
    ctx: &Arc<Ctx>,
    peer: PeerId,
    addr: std::net::SocketAddr,
    id: &GameId,
    version: &GameVersion,
) -> Result<GameManifest, net::NetError> {
    let started = Instant::now();
    loop {
        let r = async {
            let h = ctx.pool.get(peer, addr).await?;
            let req = Request::GetGame(GetGame { game_id: id.clone(), version: Some(version.clone()) });
            net::request(&h, &req, Duration::from_secs(15)).await
        }
        .await;
        match r {
            Ok(Response::Manifest(m)) => return Ok(m),
            Ok(other) => return Err(net::NetError::Unexpected(other.kind())),
            Err(net::NetError::Refused(ErrorCode::NotReady, msg))
                if started.elapsed() < MANIFEST_PATIENCE =>
            {
                tracing::info!(game = %id, peer = %peer.short(), "{msg}");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Runs the download transaction and its aftermath (events, rescan, auto-install).
async fn run_download(ctx: &Arc<Ctx>, id: &GameId, agreed: Agreed, token: CancellationToken) {
    ctx.gated.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone());
    let root = ctx.game_dir().join(id.as_str());
    let started = Instant::now();
    let result = Download::run(ctx, id, &root, &agreed, &token).await;
    files::sweep_sentinels(&root);
    ctx.gated.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    ctx.live.lock().unwrap_or_else(|p| p.into_inner()).download_bytes.remove(id);
    end_op(ctx, id);
    local::rescan_game(ctx, id).await;
    match result {
        Ok((bytes, peers)) => {
            let seconds = started.elapsed().as_secs_f64();
            tracing::info!(game = %id, bytes, seconds, "download finished");
            ctx.agreed.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
            ctx.emit(PeerEvent::DownloadGameFilesFinished {
                id: id.clone(),
                version: agreed.manifest.version.clone(),
                bytes,
                seconds,
                peers,
            });
            ctx.emit_games();
            if ctx.auto_install
                && let Err(e) = crate::ops::install(ctx, id.clone())
            {
                ctx.emit(PeerEvent::InstallGameFailed { id: id.clone(), error: e });
            }
        }
        Err(error) => {
            tracing::warn!(game = %id, %error, "download stopped");
            if let Some((done, _)) = state::progress_of(&root) {
                ctx.live.lock().unwrap_or_else(|p| p.into_inner()).download_bytes.insert(id.clone(), done);
            }
            ctx.emit(PeerEvent::DownloadGameFilesFailed { id: id.clone(), error });
            ctx.emit_games();
        }
    }
}

/// One running download.
struct Download<'a> {
    ctx: &'a Arc<Ctx>,
    id: &'a GameId,
    root: &'a Path,
    manifest: Arc<GameManifest>,
    verified: Verified,
    sched: Scheduler,
    sentinel: Option<Vec<u8>>,
    sentinel_idx: Option<usize>,
    dirty: BTreeSet<usize>,
    tasks: JoinSet<Done>,
    aborts: HashMap<(Work, PeerId), tokio::task::AbortHandle>,
    addrs: HashMap<PeerId, std::net::SocketAddr>,
    start: Instant,
    transferred: u64,
    verified_bytes: u64,
    total: u64,
    used: HashSet<PeerId>,
    digest: lanspread_proto::Digest,
    /// Verified chunks being written.
    /// One writer thread per download: writes to one file serialize on its inode anyway,
    /// and a single thread avoids lock spinning and a context switch per chunk.
    write_tx: Option<std::sync::mpsc::Sender<(ChunkSpec, transfer::ChunkData)>>,
    written_rx: tokio::sync::mpsc::UnboundedReceiver<(ChunkSpec, std::io::Result<()>)>,
    pending_writes: usize,
    pending_write_bytes: u64,
    /// Swarm: peers we sent SwarmJoin to, member generations seen, chunks to announce.
    joined: HashSet<PeerId>,
    member_gen: HashMap<PeerId, u64>,
    have_pending: Vec<u64>,
    swarm_bg: JoinSet<()>,
    /// A background fdatasync + bitmap save in progress.
    flushing: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// Chunk buffers, recycled between fetches.
    bufs: buf::BufPool,
}

impl<'a> Download<'a> {
    async fn run(
        ctx: &'a Arc<Ctx>,
        id: &'a GameId,
        root: &'a Path,
        agreed: &Agreed,
        token: &CancellationToken,
    ) -> Result<(u64, Vec<PeerId>), ErrorInfo> {
        let manifest = agreed.manifest.clone();
        let io = |what: &str, e: std::io::Error| {
            let kind = if e.raw_os_error() == Some(28) { ErrorKind::DiskFull } else { ErrorKind::Io };
            err(kind, format!("{id}: {what}: {e}"))
        };
        // Sentinel transaction: the old version is no longer complete from here on.
        let r2 = root.to_path_buf();
        let parked = tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&r2)?;
            files::park_sentinel(&r2)
        })
        .await
        .map_err(|e| err(ErrorKind::Internal, e.to_string()))?
        .map_err(|e| io("cannot park the old version.ini", e))?;
        if parked {
            local::rescan_game(ctx, id).await;
        }
        let (m2, r2) = (manifest.clone(), root.to_path_buf());
        let digest = manifest.digest();
        let prepared = tokio::task::spawn_blocking(move || -> std::io::Result<Verified> {
            let prior = files::prepare(&r2, &m2)?;
            state::save_manifest(&r2, &m2)?;
            let verified = match state::load(&r2, &m2, digest) {
                Some(v) => v,
                None => rehash_existing(&r2, &m2, &prior),
            };
            // From here on the game shows as paused if anything stops the download.
            state::save(&r2, &m2, digest, &verified)?;
            Ok(verified)
        })
        .await
        .map_err(|e| err(ErrorKind::Internal, e.to_string()))?
        .map_err(|e| io("cannot prepare the game's files", e))?;
        let mut dl = Download::new(ctx, id, root, manifest, prepared);
        dl.digest = digest;
        if ctx.swarming {
            ctx.swarms.start_local(dl.manifest.clone(), digest, dl.local_bitfield());
        }
        for p in &agreed.peers {
            dl.add_peer(*p);
        }
        ctx.emit(PeerEvent::DownloadGameFilesBegin {
            id: id.clone(),
            version: dl.manifest.version.clone(),
            total_bytes: dl.total,
            verified_bytes: dl.verified_bytes,
            peers: agreed.peers.clone(),
        });
        if ctx.swarming {
            dl.join_first().await;
        }
        let result = dl.drive(token).await;
        dl.tasks.abort_all();
        dl.swarm_bg.abort_all();
        while dl.pending_writes > 0 {
            match dl.written_rx.recv().await {
                Some((spec, r)) => {
                    dl.pending_writes -= 1;
                    let _ = dl.on_written(spec, r, &mut RateMeter::default());
                }
                None => break,
            }
        }
        dl.write_tx = None;
        if ctx.swarming && result.is_ok() {
            let targets = dl.swarm_targets();
            dl.announce_haves(&targets, true);
        }
        // Never let a background save race the commit (or outlive the download).
        if let Some(h) = dl.flushing.take() {
            let _ = h.await;
        }
        match result {
            Ok(()) => {
                let done = dl.finish().await;
                ctx.swarms.end_local(id, digest, done.is_ok());
                done?;
                Ok((dl.transferred, dl.used.into_iter().collect()))
            }
            Err(e) => {
                ctx.swarms.end_local(id, digest, false);
                let _ = dl.flush().await;
                Err(e)
            }
        }
    }

    fn new(
        ctx: &'a Arc<Ctx>,
        id: &'a GameId,
        root: &'a Path,
        manifest: Arc<GameManifest>,
        verified: Verified,
    ) -> Self {
        let sentinel_idx = manifest.files.iter().position(|f| f.path.is_version_ini());
        let cs = manifest.chunk_size;
        let mut chunks = Vec::new();
        let mut global = 0u64;
        for (i, f) in manifest.files.iter().enumerate() {
            for c in 0..f.chunks.len() as u64 {
                // The sentinel is always fetched again: it lives in memory until the commit.
                if Some(i) == sentinel_idx || !verified.get(i, c) {
                    let len = lanspread_proto::chunk::chunk_len(f.size, cs, c);
                    chunks.push(ChunkSpec { file: i, index: c, len, global });
                }
                global += 1;
            }
        }
        let verified_bytes = verified.bytes(&manifest);
        let total = manifest.total_size();
        let (write_tx, written_rx) = spawn_writer(root, manifest.clone());
        Self {
            ctx,
            id,
            root,
            sched: Scheduler::with_seed(chunks, inflight_budget(), seed_of(&ctx.identity.peer_id)),
            verified,
            manifest,
            sentinel: None,
            sentinel_idx,
            dirty: BTreeSet::new(),
            tasks: JoinSet::new(),
            aborts: HashMap::new(),
            addrs: HashMap::new(),
            start: Instant::now(),
            transferred: 0,
            verified_bytes,
            total,
            used: HashSet::new(),
            digest: lanspread_proto::Digest([0; 32]),
            write_tx: Some(write_tx),
            written_rx,
            pending_writes: 0,
            joined: HashSet::new(),
            member_gen: HashMap::new(),
            have_pending: Vec::new(),
            swarm_bg: JoinSet::new(),
            pending_write_bytes: 0,
            flushing: None,
            bufs: buf::BufPool::default(),
        }
    }

    fn add_peer(&mut self, peer: PeerId) {
        let addr = self.ctx.peers.read().unwrap_or_else(|p| p.into_inner()).get(&peer).map(|r| r.addr);
        if let Some(addr) = addr {
            self.addrs.insert(peer, addr);
            self.sched.add_peer(peer);
        }
    }

    /// Shows the verified byte count in the live state (what ListGames reports while this runs).
    fn publish_verified_bytes(&self) {
        let mut live = self.ctx.live.lock().unwrap_or_else(|p| p.into_inner());
        live.download_bytes.insert(self.id.clone(), self.verified_bytes);
    }

    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    async fn drive(&mut self, token: &CancellationToken) -> Result<(), ErrorInfo> {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_flush = Instant::now();
        let mut last_progress = Instant::now() - Duration::from_secs(1);
        let mut last_peer_check = Instant::now();
        let mut alone_since: Option<Instant> = None;
        let mut rate = RateMeter::default();
        let mut last_swarm = Instant::now() - SWARM_TICK;
        let mut last_announce = Instant::now();
        let mut news = self.ctx.swarms.subscribe();
        if self.ctx.swarming {
            // Members learned while joining shape the first requests already.
            self.merge_members();
        }
        let actions = self.sched.next_actions(self.now());
        self.apply(actions);
        loop {
            if self.sched.is_done() && self.sentinel_ok() && self.pending_writes == 0 {
                return Ok(());
            }
            if let Some(f) = self.sched.failure() {
                return Err(err(ErrorKind::Network, format!("{}: {f}; verified chunks are kept", self.id)));
            }
            tokio::select! {
                biased;
                _ = token.cancelled() => {
                    return Err(err(ErrorKind::Cancelled, format!("{}: download cancelled; verified chunks are kept", self.id)));
                }
                Some((spec, r)) = self.written_rx.recv(), if self.pending_writes > 0 => {
                    self.pending_writes -= 1;
                    self.on_written(spec, r, &mut rate)?;
                }
                Some(done) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                    let Ok(done) = done else { continue };
                    self.aborts.remove(&(done.work, done.peer));
                    let actions = self.on_done(done, &mut rate)?;
                    self.apply(actions);
                }
                Ok(()) = news.changed(), if self.ctx.swarming => self.merge_members(),
                _ = tick.tick() => {
                    let now = self.now();
                    for (work, peer) in self.sched.check_stalls(now, HARD_TIMEOUT) {
                        if let Some(a) = self.aborts.remove(&(work, peer)) {
                            a.abort();
                        }
                        let acts = self.sched.on_failure(work, peer, &Failure::Network("no answer in time".into()));
                        self.apply(acts);
                    }
                    // Durability runs beside the transfer: an fdatasync must never stall the
                    // pipe (the loop keeps requesting chunks while it runs).
                    if self.flushing.as_ref().is_some_and(|h| h.is_finished())
                        && let Some(h) = self.flushing.take() {
                            h.await
                                .map_err(|e| err(ErrorKind::Internal, e.to_string()))?
                                .map_err(|e| err(ErrorKind::Io, format!("{}: cannot save progress: {e}", self.id)))?;
                        }
                    if self.flushing.is_none() && last_flush.elapsed() >= Duration::from_secs(1) {
                        last_flush = Instant::now();
                        self.flushing = self.spawn_flush();
                    }
                    if last_peer_check.elapsed() >= Duration::from_secs(1) {
                        last_peer_check = Instant::now();
                        self.look_for_peers();
                    }
                    if self.ctx.swarming && last_swarm.elapsed() >= SWARM_TICK {
                        last_swarm = Instant::now();
                        self.swarm_tick();
                    }
                    while self.swarm_bg.try_join_next().is_some() {}
                    if last_progress.elapsed() >= Duration::from_millis(250) {
                        last_progress = Instant::now();
                        self.progress(&mut rate);
                    }
                    if !self.sched.can_progress() {
                        let since = *alone_since.get_or_insert_with(Instant::now);
                        if since.elapsed() > NO_PEER_GRACE {
                            return Err(err(ErrorKind::NoPeers, format!(
                                "{}: no peer holding the rest of version {} is left; verified chunks are kept, resume when one is back",
                                self.id, self.manifest.version
                            )));
                        }
                    } else {
                        alone_since = None;
                    }
                }
            }
            // Verified chunks are announced in small batches right away: every hop of a chunk
            // through the swarm waits for this announcement.
            if self.ctx.swarming
                && !self.have_pending.is_empty()
                && last_announce.elapsed() >= have_batch()
                && self.swarm_bg.len() < 256
            {
                last_announce = Instant::now();
                let targets = self.swarm_targets();
                self.announce_haves(&targets, false);
            }
            // Back-pressure: a slow disk holds verified chunks in memory; stop requesting
            // more once WRITE_BUDGET bytes wait to be written.
            if self.pending_write_bytes < WRITE_BUDGET {
                let actions = self.sched.next_actions(self.now());
                self.apply(actions);
            }
        }
    }

    fn sentinel_ok(&self) -> bool {
        self.sentinel_idx.is_none() || self.sentinel.is_some()
    }

    fn progress(&self, rate: &mut RateMeter) {
        let bps = rate.rate();
        let left = self.total.saturating_sub(self.verified_bytes);
        let bytes: HashMap<PeerId, u64> = self.sched.peer_bytes().into_iter().collect();
        let mut peers: Vec<PeerTransfer> = self
            .sched
            .peers()
            .map(|p| PeerTransfer { peer_id: *p, bytes: bytes.get(p).copied().unwrap_or(0) })
            .collect();
        peers.sort_by_key(|a| a.peer_id);
        self.ctx.emit(PeerEvent::DownloadGameFilesProgress(DownloadProgress {
            id: self.id.clone(),
            bytes_done: self.verified_bytes,
            total_bytes: self.total,
            rate_bps: bps as u64,
            eta_secs: (bps > 1.0).then(|| (left as f64 / bps).ceil() as u64),
            peers,
        }));
    }
}

fn seed_of(p: &PeerId) -> u64 {
    u64::from_le_bytes([p.0[0], p.0[1], p.0[2], p.0[3], p.0[4], p.0[5], p.0[6], p.0[7]])
}

/// Smoothed transfer rate over the last seconds.
#[derive(Default)]
struct RateMeter {
    samples: std::collections::VecDeque<(Instant, u64)>,
    first: Option<Instant>,
}

impl RateMeter {
    fn add(&mut self, bytes: u64) {
        self.samples.push_back((Instant::now(), bytes));
    }

    /// Bytes per second, or 0 until a second of data makes the figure meaningful.
    fn rate(&mut self) -> f64 {
        let window = Duration::from_secs(2);
        let first = *self.first.get_or_insert_with(Instant::now);
        let bytes_so_far: u64 = self.samples.iter().map(|(_, b)| b).sum();
        if first.elapsed() < Duration::from_secs(1) && bytes_so_far < (1 << 20) {
            return 0.0;
        }
        while self.samples.front().is_some_and(|(t, _)| t.elapsed() > window) {
            self.samples.pop_front();
        }
        let bytes: u64 = self.samples.iter().map(|(_, b)| b).sum();
        let span = self.samples.front().map_or(window, |(t, _)| t.elapsed().max(Duration::from_millis(250)));
        bytes as f64 / span.as_secs_f64()
    }
}
