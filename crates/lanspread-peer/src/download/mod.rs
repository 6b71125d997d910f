//! The download pipeline. What must hold is written in [`STATE.md`](./STATE.md); read it first.
//!
//! 1. [`get_game`] (GetGame / FetchLatestFromPeers) asks every peer holding the latest version
//!    for its manifest, counts votes ([`agree`]), records the manifests in `PeerGameDB` and
//!    emits `GotGameFiles`.
//! 2. [`start_download`] (DownloadGameFiles) runs the version-sentinel transaction
//!    ([`run_download`]): park an old `version.ini` as `.version.ini.discarded`, pre-create the
//!    payload files, emit `DownloadGameFilesBegin`, then the [`driver`] fetches chunks on
//!    per-chunk QUIC streams as the [`scheduler`] directs, verifies each against the agreed hash
//!    and writes it in place (never truncating), keeping `version.ini` in memory; finally the
//!    payload is made durable and `version.ini` committed via `.version.ini.tmp` + fsync +
//!    rename.
//! 3. Failure or cancel sweeps the transient sentinels without restoring the old one; verified
//!    chunks stay (state paused) and a later download resumes from them.
//!
//! Files: `driver.rs` routes events between the parts (`scheduler.rs`, `fetch.rs`,
//! `disk.rs`, `swarm_glue.rs`, `meter.rs`); `transfer.rs` moves and verifies bytes;
//! `files.rs` holds every file operation; `state.rs` the persisted bitmap.

mod agree;
mod buf;
mod disk;
mod driver;
mod fetch;
mod files;
mod meter;
pub(crate) mod scheduler;
pub(crate) mod state;
mod swarm_glue;
mod transfer;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
    time::Duration,
};

use lanspread_proto::{
    ErrorCode, GameFileDescription, GameId, GameManifest, GameVersion, GetGame, PeerId, Request, Response,
};
use tokio::{task::JoinSet, time::Instant};

use self::{
    agree::{Agreement, agree},
    disk::DiskStore,
    driver::{Driver, Env},
    fetch::QuicTransport,
    state::Verified,
    swarm_glue::SwarmSide,
};
use crate::{
    api::{Operation, PeerEvent},
    error::{ErrorInfo, ErrorKind},
    net,
    peer_db::PeerGameDB,
    runtime::{Agreed, Ctx, EventSender, OpGuard},
};

/// How long manifest queries wait for peers that are still hashing.
const MANIFEST_PATIENCE: Duration = Duration::from_secs(180);

fn err(kind: ErrorKind, msg: impl Into<String>) -> ErrorInfo {
    ErrorInfo::new(kind, msg)
}

/// GetGame / FetchLatestFromPeers: checks synchronously, then agrees (and maybe downloads) in
/// the background.
pub(crate) fn get_game(ctx: &Arc<Ctx>, id: GameId, update: bool, download: bool) -> Result<(), ErrorInfo> {
    if !ctx.catalog().contains(&id) {
        return Err(err(ErrorKind::InvalidInput, format!("{id} is not in the catalog")));
    }
    if ctx.peers.read().latest_version(&id).is_none() {
        return Err(err(ErrorKind::NoPeers, format!("no peer on the network has {id} right now")));
    }
    let guard = ctx.ops.begin(&id, Operation::Preparing)?;
    ctx.emit_games();
    let ctx2 = ctx.clone();
    let span = tracing::info_span!("download", game = %id);
    ctx.shared.tasks.spawn_op("download", span, async move {
        let agreed = tokio::select! {
            r = agree_on(&ctx2, &id) => r,
            _ = guard.token().cancelled() => Err(err(ErrorKind::Cancelled, format!("{id}: cancelled"))),
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
                ctx2.ops.set_agreed(&id, agreed.clone());
                if download {
                    guard.set(Operation::Downloading);
                    run_download(&ctx2, guard, agreed).await;
                } else {
                    drop(guard);
                    ctx2.emit_games();
                }
            }
            Err(error) => {
                drop(guard);
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
    let Some(agreed) = ctx.ops.agreed(&id) else {
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
    let guard = ctx.ops.begin(&id, Operation::Downloading)?;
    let ctx2 = ctx.clone();
    let span = tracing::info_span!("download", game = %id);
    ctx.shared.tasks.spawn_op("download", span, async move { run_download(&ctx2, guard, agreed).await });
    Ok(())
}

/// Asks every holder of the latest version for its manifest and counts votes.
async fn agree_on(ctx: &Arc<Ctx>, id: &GameId) -> Result<Agreed, ErrorInfo> {
    let (version, holders) = {
        let db = ctx.peers.read();
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
            ) => ctx_misbehaved(ctx, peer, id, &format!("answered the manifest request with {e}")),
            Err(e) => tracing::info!(peer = %peer.short(), error = %e, "no manifest from peer"),
        }
    }
    let (agreement, rejected) = agree(id, &version, served.clone());
    for r in rejected {
        ctx_misbehaved(ctx, r.peer, id, &r.reason);
    }
    {
        let mut db = ctx.peers.write();
        for (peer, m) in served {
            db.record_manifest(&peer, Arc::new(m));
        }
    }
    match agreement {
        Agreement::Agreed { manifest, peers, outvoted } => {
            if !outvoted.is_empty() {
                {
                    let mut db = ctx.peers.write();
                    for p in &outvoted {
                        db.ban_for_game(p, id);
                    }
                }
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

fn ctx_misbehaved(ctx: &Ctx, peer: PeerId, id: &GameId, reason: &str) {
    misbehaved(&ctx.peers.db(), &ctx.shared.events, peer, id, reason);
}

/// `peer` broke the rules for game `id`: it is not used for that game again, and reported.
pub(super) fn misbehaved(
    peers: &RwLock<PeerGameDB>,
    events: &EventSender,
    peer: PeerId,
    id: &GameId,
    reason: &str,
) {
    tracing::warn!(peer = %peer.short(), game = %id, reason, "peer misbehaved");
    peers.write().unwrap_or_else(|p| p.into_inner()).ban_for_game(&peer, id);
    let _ = events.send(PeerEvent::PeerMisbehaved {
        peer_id: peer,
        game: Some(id.clone()),
        reason: reason.to_string(),
    });
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
            let h = ctx.shared.pool.get(peer, addr).await?;
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
                tracing::info!(peer = %peer.short(), "{msg}");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Runs the download transaction of `guard`'s game and its aftermath (events, rescan,
/// auto-install). The guard ends the operation.
async fn run_download(ctx: &Arc<Ctx>, guard: OpGuard, agreed: Agreed) {
    guard.gate();
    let id = guard.game().clone();
    let root = ctx.game_root(&id);
    let started = Instant::now();
    let result = download(ctx, &guard, &root, &agreed).await;
    files::sweep_sentinels(&root);
    match &result {
        Ok(_) => {
            guard.clear_agreed();
            ctx.ops.set_paused_bytes(&id, None);
        }
        Err(_) => ctx.ops.set_paused_bytes(&id, state::progress_of(&root).map(|(done, _)| done)),
    }
    drop(guard);
    ctx.rescan_game(&id).await;
    match result {
        Ok((bytes, peers)) => {
            let seconds = started.elapsed().as_secs_f64();
            tracing::info!(bytes, seconds, "download finished");
            ctx.emit(PeerEvent::DownloadGameFilesFinished {
                id: id.clone(),
                version: agreed.manifest.version.clone(),
                bytes,
                seconds,
                peers,
            });
            // The list after the terminal event always shows the outcome.
            ctx.emit_games_now(true);
            if ctx.shared.auto_install
                && let Err(e) = crate::ops::install(ctx, id.clone())
            {
                ctx.emit(PeerEvent::InstallGameFailed { id, error: e });
            }
        }
        Err(error) => {
            tracing::warn!(%error, "download stopped");
            ctx.emit(PeerEvent::DownloadGameFilesFailed { id, error });
            ctx.emit_games_now(true);
        }
    }
}

/// The download transaction: prepare, run the driver, commit.
async fn download(
    ctx: &Arc<Ctx>,
    guard: &OpGuard,
    root: &Path,
    agreed: &Agreed,
) -> Result<(u64, Vec<PeerId>), ErrorInfo> {
    let id = guard.game().clone();
    let manifest = agreed.manifest.clone();
    let digest = manifest.digest();
    let io = |what: &str, e: std::io::Error| err(ErrorKind::of_io(&e), format!("{id}: {what}: {e}"));
    let blocking_failed = |e: tokio::task::JoinError| err(ErrorKind::Internal, format!("{id}: {e}"));
    // Sentinel transaction: the old version is no longer complete from here on.
    let r2 = root.to_path_buf();
    let parked = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&r2)?;
        files::park_sentinel(&r2)
    })
    .await
    .map_err(blocking_failed)?
    .map_err(|e| io("cannot park the old version.ini", e))?;
    if parked {
        ctx.rescan_game(&id).await;
    }
    let verified = prepare(root, &manifest)
        .await
        .map_err(blocking_failed)?
        .map_err(|e| io("cannot prepare the game's files", e))?;
    let bytes = guard.bytes(0);
    let env = Env {
        me: ctx.me(),
        events: ctx.shared.events.clone(),
        peers: ctx.peers.db(),
        tuning: ctx.shared.tuning,
    };
    let transport = QuicTransport::new(ctx.clone(), id.clone(), manifest.clone(), root.to_path_buf());
    let store = DiskStore::start(root, manifest.clone(), digest);
    let mut driver =
        Driver::new(id.clone(), manifest.clone(), verified, env, transport, store, bytes.clone());
    if ctx.shared.swarming {
        let have = driver.local_bitfield();
        driver = driver.with_swarm(SwarmSide::start(ctx.clone(), id.clone(), manifest.clone(), digest, have));
    }
    for p in &agreed.peers {
        driver.add_peer(*p);
    }
    ctx.emit(PeerEvent::DownloadGameFilesBegin {
        id: id.clone(),
        version: manifest.version.clone(),
        total_bytes: manifest.total_size(),
        verified_bytes: bytes.load(std::sync::atomic::Ordering::Relaxed),
        peers: agreed.peers.clone(),
    });
    let finished = driver.run(guard.token()).await?;
    let committed = commit(ctx, &id, root, &manifest, finished.disk.sentinel()).await;
    if let Some(swarm) = finished.swarm {
        swarm.end(committed.is_ok());
    }
    committed?;
    Ok((finished.bytes, finished.peers))
}

/// Pre-creates the payload files, saves the manifest, and loads the verified bitmap (or
/// rebuilds it by re-hashing what is on disk); from here on the game shows as paused if
/// anything stops the download.
async fn prepare(
    root: &Path,
    manifest: &Arc<GameManifest>,
) -> Result<std::io::Result<Verified>, tokio::task::JoinError> {
    let (m, r) = (manifest.clone(), root.to_path_buf());
    tokio::task::spawn_blocking(move || {
        let digest = m.digest();
        let prior = files::prepare(&r, &m)?;
        state::save_manifest(&r, &m)?;
        let verified = match state::load(&r, &m, digest) {
            Some(v) => v,
            None => disk::rehash_existing(&r, &m, &prior),
        };
        state::save(&r, &m, digest, &verified)?;
        Ok(verified)
    })
    .await
}

/// Checks the fetched `version.ini`, then makes everything durable, removes stale payload,
/// records hashes and commits it.
async fn commit(
    ctx: &Ctx,
    id: &GameId,
    root: &Path,
    manifest: &Arc<GameManifest>,
    sentinel: Option<&[u8]>,
) -> Result<(), ErrorInfo> {
    let content = sentinel.unwrap_or_default().to_vec();
    let text = GameVersion::from_version_ini(&content)
        .map_err(|e| err(ErrorKind::Integrity, format!("{id}: the peers' version.ini is unusable: {e}")))?;
    if text != manifest.version {
        return Err(err(
            ErrorKind::Integrity,
            format!("{id}: version.ini says {text} but the peers announce {}", manifest.version),
        ));
    }
    let (root, m, index, id2): (PathBuf, _, _, _) =
        (root.to_path_buf(), manifest.clone(), ctx.hash_index(), id.clone());
    tokio::task::spawn_blocking(move || disk::commit(&root, &m, &content, &index, &id2))
        .await
        .map_err(|e| err(ErrorKind::Internal, format!("{id}: {e}")))?
        .map_err(|e| err(ErrorKind::of_io(&e), format!("{id}: cannot complete the download: {e}")))
}

/// Fills in verified bytes of interrupted downloads (shown as paused with Resume).
pub(crate) fn load_paused_progress(ctx: &Ctx) {
    for g in ctx.library.games_where(|g| g.has_download_state) {
        if let Some((done, _)) = state::progress_of(&g.root) {
            ctx.ops.set_paused_bytes(&g.id, Some(done));
        }
    }
}
