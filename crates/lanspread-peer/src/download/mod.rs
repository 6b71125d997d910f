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
    agree::{Agreement, Served, agree},
    disk::DiskStore,
    driver::{Driver, Env},
    fetch::QuicTransport,
    state::{Stamps, Verified},
    swarm_glue::SwarmSide,
};
use crate::{
    api::{Operation, PeerEvent},
    error::{ErrorInfo, ErrorKind},
    net,
    peer_db::PeerGameDB,
    runtime::{Agreed, Ctx, EventSender, OpGuard},
    trust,
};

/// How long manifest queries wait for peers that are still hashing.
const MANIFEST_PATIENCE: Duration = Duration::from_secs(180);

fn err(kind: ErrorKind, msg: impl Into<String>) -> ErrorInfo {
    ErrorInfo::new(kind, msg)
}

/// What the trust rule says about `id` now (`trust.rs`).
pub(crate) fn verdict(ctx: &Ctx, id: &GameId) -> trust::Verdict {
    let here = ctx.library.game(id).and_then(|g| g.version);
    let pins = ctx.catalog().get(id).map(|e| e.pins.as_slice()).unwrap_or_default();
    let holdings = ctx.peers.read().holdings(id);
    trust::decide(&holdings, pins, here.as_ref())
}

/// The version GetGame takes: the trusted latest, or with `accept_unverified` the newest
/// offered one (and whether that one is unverified).
fn choose_version(ctx: &Ctx, id: &GameId, accept_unverified: bool) -> Result<(GameVersion, bool), ErrorInfo> {
    let v = verdict(ctx, id);
    if accept_unverified && let Some(o) = v.offered.first() {
        return Ok((o.version.clone(), true));
    }
    if let Some(latest) = v.latest {
        return Ok((latest, false));
    }
    match v.offered.first() {
        Some(o) => {
            let db = ctx.peers.read();
            let names: Vec<&str> = o.peers.iter().filter_map(|p| db.name_of(p)).collect();
            Err(err(
                ErrorKind::Unverified,
                format!(
                    "{id} {} is offered by {} only and nothing else confirms it (no second host, no catalog pin); \
                     install it explicitly (`get --accept-unverified`, or \"Install unverified\" in the app) if you trust them",
                    o.version,
                    names.join(", ")
                ),
            ))
        }
        None => Err(err(ErrorKind::NoPeers, format!("no peer on the network has {id} right now"))),
    }
}

/// Opens payload file `rel` of `root` for reading without following links.
pub(crate) fn payload_file(
    root: &std::path::Path,
    rel: &lanspread_proto::RelPath,
) -> std::io::Result<std::fs::File> {
    std::fs::File::open(files::safe_path(root, rel, false)?)
}

/// The manifest the peers holding `version` of `id` agree on (verify's reference).
pub(crate) async fn agreed_manifest(
    ctx: &Arc<Ctx>,
    id: &GameId,
    version: &GameVersion,
) -> Result<Agreed, ErrorInfo> {
    agree_on(ctx, id, version, false).await
}

/// GetGame / FetchLatestFromPeers: checks synchronously, then agrees (and maybe downloads) in
/// the background.
pub(crate) fn get_game(
    ctx: &Arc<Ctx>,
    id: GameId,
    update: bool,
    download: bool,
    accept_unverified: bool,
) -> Result<(), ErrorInfo> {
    if !ctx.catalog().contains(&id) {
        return Err(err(ErrorKind::InvalidInput, format!("{id} is not in the catalog")));
    }
    let (version, unverified) = choose_version(ctx, &id, accept_unverified)?;
    let guard = ctx.ops.begin(&id, Operation::Preparing)?;
    ctx.emit_games();
    let ctx2 = ctx.clone();
    let span = tracing::info_span!("download", game = %id);
    ctx.shared.tasks.spawn_op("download", span, async move {
        let agreed = tokio::select! {
            r = agree_on(&ctx2, &id, &version, unverified) => r,
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

/// Asks every holder of `version` for its manifest and counts votes (per host; the catalog's
/// pin, if any, decides).
async fn agree_on(
    ctx: &Arc<Ctx>,
    id: &GameId,
    version: &GameVersion,
    unverified: bool,
) -> Result<Agreed, ErrorInfo> {
    let holders: Vec<(PeerId, std::net::SocketAddr, bool)> = {
        let db = ctx.peers.read();
        db.peers_with(id, version)
            .into_iter()
            .filter_map(|p| {
                let r = db.get(&p)?;
                Some((p, r.addr, r.games.get(id).is_some_and(|g| g.unverified)))
            })
            .collect()
    };
    if holders.is_empty() {
        return Err(err(ErrorKind::NoPeers, format!("no usable peer has {id} {version}")));
    }
    let mut set = JoinSet::new();
    for (peer, addr, unverified) in holders {
        let ctx = ctx.clone();
        let (id, version) = (id.clone(), version.clone());
        set.spawn(
            async move { (peer, addr, unverified, fetch_manifest(&ctx, peer, addr, &id, &version).await) },
        );
    }
    let mut served = Vec::new();
    while let Some(r) = set.join_next().await {
        let Ok((peer, addr, unverified, r)) = r else { continue };
        match r {
            Ok(manifest) => served.push(Served { peer, host: addr.ip(), unverified, manifest }),
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
    let pin = ctx.catalog().pin(id, version);
    let (agreement, rejected) = agree(id, version, pin, served);
    for r in rejected {
        ctx_misbehaved(ctx, r.peer, id, &r.reason);
    }
    match agreement {
        Agreement::Agreed { manifest, peers, outvoted } => {
            let manifest = Arc::new(manifest);
            {
                // Only the agreed manifest is kept: the others were outvoted or lies.
                let mut db = ctx.peers.write();
                for p in &peers {
                    db.record_manifest(p, manifest.clone());
                }
                for p in &outvoted {
                    db.ban_for_game(p, id);
                }
            }
            if !outvoted.is_empty() {
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
            Ok(Agreed { manifest, peers, unverified })
        }
        Agreement::Tie { groups } => {
            let sizes: Vec<String> = groups.iter().map(|(_, p)| p.len().to_string()).collect();
            let message = format!(
                "peers disagree about the files of {id} {version} ({} groups of {} peers) and no copy has a majority of hosts; \
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
        Agreement::PinMissing => Err(err(
            ErrorKind::Integrity,
            format!(
                "the catalog pins {id} {version} to one manifest and no peer serves it; \
                 peers announcing that version with other files were reported"
            ),
        )),
        Agreement::None => Err(err(
            ErrorKind::NoPeers,
            format!("no peer served a usable file list for {id} {version}; try again in a moment"),
        )),
    }
}

fn ctx_misbehaved(ctx: &Ctx, peer: PeerId, id: &GameId, reason: &str) {
    misbehaved(&ctx.peers.db(), &ctx.shared.events, peer, id, reason);
}

/// `peer` was caught lying about game `id` (data that failed verification, a manifest that
/// contradicts the request or a pin): neither it nor its host is used for that game again, and
/// it is reported.
pub(super) fn misbehaved(
    peers: &RwLock<PeerGameDB>,
    events: &EventSender,
    peer: PeerId,
    id: &GameId,
    reason: &str,
) {
    tracing::warn!(peer = %peer.short(), game = %id, reason, "peer misbehaved");
    peers.write().unwrap_or_else(|p| p.into_inner()).ban_liar(&peer, id);
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

/// Repair's download: the download transaction of `agreed` over a complete game. What is on
/// disk is re-hashed (there is no saved state after a commit) and only chunks that do not match
/// are fetched; the commit writes `version.ini` back. Returns the bytes fetched and from whom.
/// The caller keeps the operation (and its guard) and rescans.
pub(crate) async fn repair_download(
    ctx: &Arc<Ctx>,
    guard: &OpGuard,
    agreed: &Agreed,
) -> Result<(u64, Vec<PeerId>), ErrorInfo> {
    guard.gate();
    let id = guard.game().clone();
    let root = ctx.game_root(&id);
    let result = download(ctx, guard, &root, agreed).await;
    files::sweep_sentinels(&root);
    if result.is_err() {
        ctx.ops.set_paused_bytes(&id, state::progress_of(&root).map(|(done, _)| done));
    }
    ctx.rescan_game(&id).await;
    result
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
                && let Err(e) = crate::ops::install_after_download(ctx, id.clone())
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

/// Free space kept beyond what a download (and its install) needs.
const SPACE_HEADROOM: u64 = 16 << 20;

/// Refuses, with the numbers, a download that cannot fit: the bytes still missing (files of
/// the manifest already on disk count as there), plus the install next to it when games
/// install right after downloading.
fn check_space(root: &Path, manifest: &GameManifest, install: bool) -> Result<(), ErrorInfo> {
    let total: u64 = manifest.files.iter().map(|f| f.size).sum();
    let on_disk: u64 = manifest
        .files
        .iter()
        .map(|f| std::fs::metadata(root.join(f.path.to_path_buf())).map_or(0, |m| m.len().min(f.size)))
        .sum();
    let download = total - on_disk;
    let unpack = if install { total } else { 0 };
    let needed = download + unpack + SPACE_HEADROOM;
    let at = if root.is_dir() { root } else { root.parent().unwrap_or(root) };
    let free = match crate::install::available_space(at) {
        Ok(free) => free,
        // Unknown: the download goes ahead and a full disk is reported when it happens.
        Err(e) => {
            tracing::warn!(dir = %at.display(), "cannot read the free space: {e}");
            return Ok(());
        }
    };
    if free >= needed {
        return Ok(());
    }
    let mb = |b: u64| format!("{:.1} MB", b as f64 / 1e6);
    let what = if install {
        format!("{} to download and {} to install", mb(download), mb(unpack))
    } else {
        format!("{} to download", mb(download))
    };
    Err(err(
        ErrorKind::DiskFull,
        format!(
            "not enough disk space in {}: {what}, {} free; free up space and retry",
            at.display(),
            mb(free)
        ),
    ))
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
    // Room for it, checked before anything changes (the old version stays complete if not).
    let (r2, m2, install) = (root.to_path_buf(), manifest.clone(), ctx.shared.auto_install);
    tokio::task::spawn_blocking(move || check_space(&r2, &m2, install)).await.map_err(blocking_failed)??;
    // Sentinel transaction: the old version is no longer complete from here on.
    let r2 = root.to_path_buf();
    let parked = tokio::task::spawn_blocking(move || {
        files::create_root(&r2)?;
        files::park_sentinel(&r2)
    })
    .await
    .map_err(blocking_failed)?
    .map_err(|e| io("cannot park the old version.ini", e))?;
    if parked {
        ctx.rescan_game(&id).await;
    }
    let Prepared { verified, mut fresh, stamps } = prepare(root, &manifest)
        .await
        .map_err(blocking_failed)?
        .map_err(|e| io("cannot prepare the game's files", e))?;
    if !ctx.shared.tuning.reverify_resumed {
        // Benchmark comparisons only: trust resumed bits without re-reading them.
        fresh = verified.clone();
    }
    let bytes = guard.bytes(0);
    let env = Env {
        me: ctx.me(),
        events: ctx.shared.events.clone(),
        peers: ctx.peers.db(),
        tuning: ctx.shared.tuning,
    };
    let transport = QuicTransport::new(ctx.clone(), id.clone(), manifest.clone(), root.to_path_buf());
    let store = DiskStore::start(root, manifest.clone(), digest, stamps);
    let mut driver =
        Driver::new(id.clone(), manifest.clone(), verified, fresh, env, transport, store, bytes.clone());
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
    let committed = commit(ctx, &id, root, &manifest, finished.disk.sentinel(), agreed.unverified).await;
    if let Some(swarm) = finished.swarm {
        swarm.end(committed.is_ok());
    }
    committed?;
    Ok((finished.bytes, finished.peers))
}

/// What a download starts from.
struct Prepared {
    /// Chunks present and good as far as we know.
    verified: Verified,
    /// The subset re-verified from disk just now (files without saved state, or whose identity
    /// changed since their bits were saved).
    fresh: Verified,
    /// The files' identities as saved.
    stamps: Stamps,
}

/// Pre-creates the payload files, saves the manifest, loads the verified bitmap and drops the
/// bits of files that changed while we were stopped, re-verifying those files (or, without
/// usable state, every file already there) from disk. Re-verified chunks are made durable
/// before their bits are saved. From here on the game shows as paused if anything stops the
/// download.
async fn prepare(
    root: &Path,
    manifest: &Arc<GameManifest>,
) -> Result<std::io::Result<Prepared>, tokio::task::JoinError> {
    let (m, r) = (manifest.clone(), root.to_path_buf());
    tokio::task::spawn_blocking(move || {
        let digest = m.digest();
        let prior = files::prepare(&r, &m)?;
        state::save_manifest(&r, &m)?;
        let (mut verified, mut stamps, recheck) = match state::load(&r, &m, digest) {
            Some((mut v, st)) => {
                let changed = state::drop_changed(&r, &m, &mut v, &st);
                if !changed.is_empty() {
                    tracing::info!(
                        files = changed.len(),
                        "files changed since the download stopped; re-verifying them"
                    );
                }
                (v, st, changed)
            }
            None => (Verified::empty(&m), Stamps::new(), (0..m.files.len()).collect()),
        };
        let mut masked = vec![None; m.files.len()];
        for &i in &recheck {
            masked[i] = prior[i];
        }
        let fresh = disk::rehash_existing(&r, &m, &masked);
        let rehashed: Vec<usize> = recheck.into_iter().filter(|&i| prior[i].is_some_and(|p| p > 0)).collect();
        files::sync_files(&r, &m, rehashed.iter().copied())?;
        for &i in &rehashed {
            if let Some(st) =
                files::safe_path(&r, &m.files[i].path, false).ok().and_then(|p| state::Stamp::of_path(&p))
            {
                stamps.insert(i, st);
            }
        }
        verified.union_with(&fresh);
        state::save(&r, &m, digest, &verified, &stamps)?;
        Ok(Prepared { verified, fresh, stamps })
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
    unverified: bool,
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
    tokio::task::spawn_blocking(move || disk::commit(&root, &m, &content, &index, &id2, unverified))
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
