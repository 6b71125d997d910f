//! The download driver: one loop per running download that feeds the [`Scheduler`] events on
//! the clock of `tokio::time` and carries out its actions. Its state is split by owner:
//!
//! | part                         | file            | changes                                  |
//! |------------------------------|-----------------|------------------------------------------|
//! | [`Scheduler`]                | `scheduler.rs`  | which peer fetches which chunk (no I/O)   |
//! | [`Requests`]                 | `fetch.rs`      | request tasks, their abort handles, peer addresses |
//! | [`Disk`]                     | `disk.rs`       | verified bitmap, writes in flight, flushes, `version.ini` |
//! | [`SwarmSide`]                | `swarm_glue.rs` | joins, announcements, member merges      |
//! | [`Meter`]                    | `meter.rs`      | byte counts, rate, progress              |
//!
//! The driver itself only routes: an outcome goes to the scheduler, the disk side and the
//! meter; the scheduler's actions go to the requests. Invariants: `download/STATE.md`.

use std::{
    net::SocketAddr,
    sync::{Arc, RwLock},
    time::Duration,
};

use futures::future::OptionFuture;
use lanspread_proto::{Digest, GameId, GameManifest, PeerId};
use tokio::time::{Instant, MissedTickBehavior, interval};
use tokio_util::sync::CancellationToken;

use super::{
    disk::{Disk, Store},
    fetch::{Done, HARD_TIMEOUT, Requests, Transport},
    meter::Meter,
    scheduler::{Action, ChunkSpec, Failure, Scheduler, Work},
    state::Verified,
    swarm_glue::{SwarmSide, local_bitfield},
};
use crate::{
    api::PeerEvent,
    error::{ErrorInfo, ErrorKind},
    peer_db::PeerGameDB,
    runtime::{EventSender, Tuning},
};

/// How often stalled requests are looked for.
const STALL_CHECK: Duration = Duration::from_millis(100);
/// How often written chunks are made durable (fdatasync, then the bitmap).
const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// How often peers that left or joined the LAN are looked for.
const PEER_CHECK: Duration = Duration::from_secs(1);
/// How often progress is reported.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// How often the download joins members it has not joined yet and catches up on whatever the
/// event-driven paths missed (announcements and merges normally happen at once).
const SWARM_TICK: Duration = Duration::from_millis(150);
/// Verified bytes waiting for the disk before new requests pause.
const WRITE_BUDGET: u64 = 8 << 20;
/// How long a download waits for a peer when none is left.
pub(super) const NO_PEER_GRACE: Duration = Duration::from_secs(20);

/// What the driver needs from the runtime besides fetching and storing.
pub(super) struct Env {
    pub(super) me: PeerId,
    pub(super) events: EventSender,
    pub(super) peers: Arc<RwLock<PeerGameDB>>,
    pub(super) tuning: Tuning,
}

impl Env {
    fn peers(&self) -> std::sync::RwLockReadGuard<'_, PeerGameDB> {
        self.peers.read().unwrap_or_else(|p| p.into_inner())
    }

    fn addr_of(&self, peer: &PeerId) -> Option<SocketAddr> {
        self.peers().get(peer).map(|r| r.addr)
    }

    /// A peer served data that failed verification: it is not used for this game again.
    fn misbehaved(&self, peer: PeerId, id: &GameId, reason: &str) {
        super::misbehaved(&self.peers, &self.events, peer, id, reason);
    }
}

/// One running download.
pub(super) struct Driver<T: Transport, S: Store> {
    id: GameId,
    manifest: Arc<GameManifest>,
    digest: Digest,
    env: Env,
    sched: Scheduler,
    requests: Requests<T>,
    disk: Disk<S>,
    swarm: Option<SwarmSide>,
    meter: Meter,
    start: Instant,
    /// Chunks known from before being re-read from disk (STATE.md, invariant 1).
    reverify: Option<futures::future::BoxFuture<'static, Vec<(ChunkSpec, bool)>>>,
}

impl<T: Transport, S: Store> Driver<T, S> {
    /// A driver for `manifest` with `verified` chunks already on disk, `fresh` of them verified
    /// in this run (the others are re-read from disk while the download runs); `bytes` is the
    /// game list's counter of verified bytes.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        id: GameId,
        manifest: Arc<GameManifest>,
        verified: Verified,
        fresh: Verified,
        env: Env,
        transport: T,
        store: S,
        bytes: Arc<std::sync::atomic::AtomicU64>,
    ) -> Self {
        let digest = manifest.digest();
        let disk = Disk::new(store, &manifest, verified, fresh);
        let cs = manifest.chunk_size;
        let mut chunks = Vec::new();
        let mut global = 0u64;
        for (i, f) in manifest.files.iter().enumerate() {
            for c in 0..f.chunks.len() as u64 {
                // The sentinel is always fetched again: it lives in memory until the commit.
                if disk.is_sentinel(i) || !disk.is_verified(i, c) {
                    let len = lanspread_proto::chunk::chunk_len(f.size, cs, c);
                    chunks.push(ChunkSpec { file: i, index: c, len, global });
                }
                global += 1;
            }
        }
        bytes.store(disk.verified().bytes(&manifest), std::sync::atomic::Ordering::Relaxed);
        let t = env.tuning;
        let sched = Scheduler::with_seed(chunks, t.inflight_budget, seed_of(&env.me))
            .tuned(t.pipeline_target, t.seed_window);
        Self {
            meter: Meter::new(manifest.total_size(), bytes),
            id,
            manifest,
            digest,
            env,
            sched,
            requests: Requests::new(transport),
            disk,
            swarm: None,
            start: Instant::now(),
            reverify: None,
        }
    }

    /// Our verified chunks as a swarm bitfield.
    pub(super) fn local_bitfield(&self) -> lanspread_proto::Bitfield {
        local_bitfield(&self.manifest, &self.disk)
    }

    /// Takes part in the download's swarm through `swarm`.
    pub(super) fn with_swarm(mut self, swarm: SwarmSide) -> Self {
        self.swarm = Some(swarm);
        self
    }

    /// Adds a peer holding a complete copy of the agreed manifest.
    pub(super) fn add_peer(&mut self, peer: PeerId) {
        if let Some(addr) = self.env.addr_of(&peer) {
            self.requests.set_addr(peer, addr);
            self.sched.add_peer(peer);
        }
    }

    /// The time the scheduler sees.
    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    /// Runs the download until every chunk is verified and written, it fails, or `token` is
    /// cancelled; then stops every request, waits for the writes handed over and (on failure)
    /// makes what was written durable. Returns the disk side for the commit.
    pub(super) async fn run(mut self, token: &CancellationToken) -> Result<Finished<S>, ErrorInfo> {
        if let Some(mut swarm) = self.swarm.take() {
            let have = self.local_bitfield();
            swarm.join_first(&self.sched, &self.requests, &have).await;
            self.swarm = Some(swarm);
        }
        let stale = self.disk.to_reverify(&self.manifest);
        if !stale.is_empty() {
            tracing::debug!(chunks = stale.len(), "re-verifying chunks known from before");
            self.reverify = Some(self.disk.store.reverify(stale));
        }
        let result = self.drive(token).await;
        self.requests.abort_all();
        while self.disk.pending() > 0 {
            match self.disk.store.written().await {
                Some((spec, r)) => {
                    let _ = self.on_written(spec, r);
                }
                None => break,
            }
        }
        if let Some(mut swarm) = self.swarm.take() {
            if result.is_ok() {
                swarm.announce(&self.sched, true);
            }
            self.swarm = Some(swarm);
        }
        match result {
            Ok(()) => {
                // Never let a background save race the commit.
                if let Some(f) = self.disk.flushing.take() {
                    let _ = f.await;
                }
                if let Some((file, c)) = self.disk.first_stale(&self.manifest) {
                    return Err(err(
                        ErrorKind::Integrity,
                        format!(
                            "{}: chunk {c} of {} was not verified in this run; refusing to commit",
                            self.id, self.manifest.files[file].path
                        ),
                    ));
                }
                let (bytes, peers) = self.meter.result();
                Ok(Finished { disk: self.disk, swarm: self.swarm, bytes, peers })
            }
            Err(e) => {
                if let Some(swarm) = self.swarm.take() {
                    swarm.end(false);
                }
                if let Err(io) = self.disk.flush_now().await {
                    tracing::warn!(error = %io, "could not save the download's progress");
                }
                Err(e)
            }
        }
    }

    async fn drive(&mut self, token: &CancellationToken) -> Result<(), ErrorInfo> {
        let ticker = |every: Duration| {
            let mut i = interval(every);
            i.set_missed_tick_behavior(MissedTickBehavior::Delay);
            i
        };
        let mut stalls = ticker(STALL_CHECK);
        let mut flush = tokio::time::interval_at(Instant::now() + FLUSH_EVERY, FLUSH_EVERY);
        flush.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut peer_check = tokio::time::interval_at(Instant::now() + PEER_CHECK, PEER_CHECK);
        peer_check.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut progress = ticker(PROGRESS_EVERY);
        let mut swarm_tick = ticker(SWARM_TICK);
        let have_batch = self.env.tuning.have_batch;
        let announce = tokio::time::sleep(have_batch);
        tokio::pin!(announce);
        let mut news = self.swarm.as_ref().map(SwarmSide::subscribe);
        let swarming = self.swarm.is_some();
        let mut alone_since: Option<Instant> = None;
        if let Some(swarm) = &mut self.swarm {
            // Members learned while joining shape the first requests already.
            let now = self.start.elapsed();
            swarm.merge(&mut self.sched, &mut self.requests, now);
        }
        let actions = self.sched.next_actions(self.now());
        self.apply(actions);
        loop {
            if self.sched.is_done()
                && self.disk.sentinel_ok()
                && self.disk.pending() == 0
                && self.reverify.is_none()
            {
                return Ok(());
            }
            if let Some(f) = self.sched.failure() {
                return Err(err(ErrorKind::Network, format!("{}: {f}; verified chunks are kept", self.id)));
            }
            let news_pending = self.swarm.as_ref().is_some_and(SwarmSide::has_news);
            if news_pending && announce.is_elapsed() {
                let last = self.swarm.as_ref().map_or(Instant::now(), |s| s.last_announce);
                announce.as_mut().reset(last + have_batch);
            }
            tokio::select! {
                biased;
                _ = token.cancelled() => {
                    return Err(err(ErrorKind::Cancelled, format!("{}: download cancelled; verified chunks are kept", self.id)));
                }
                Some((spec, r)) = self.disk.store.written(), if self.disk.pending() > 0 => {
                    self.on_written(spec, r)?;
                }
                Some(done) = self.requests.tasks.join_next(), if !self.requests.is_empty() => {
                    let Ok(done) = done else { continue };
                    self.requests.finished(&done);
                    let actions = self.on_done(done)?;
                    self.apply(actions);
                }
                Some(results) = OptionFuture::from(self.reverify.as_mut()), if self.reverify.is_some() => {
                    self.reverify = None;
                    self.on_reverified(results);
                }
                Some(r) = OptionFuture::from(self.disk.flushing.as_mut()), if self.disk.flushing.is_some() => {
                    self.disk.flushing = None;
                    r.map_err(|e| err(ErrorKind::of_io(&e), format!("{}: cannot save progress: {e}", self.id)))?;
                }
                Some(Ok(())) = async { Some(news.as_mut()?.changed().await) }, if swarming => self.merge_members(),
                () = &mut announce, if news_pending => {
                    if let Some(swarm) = &mut self.swarm {
                        swarm.announce(&self.sched, false);
                    }
                }
                _ = stalls.tick() => self.check_stalls(),
                _ = flush.tick() => self.disk.start_flush(),
                _ = peer_check.tick() => {
                    self.look_for_peers();
                    if self.sched.can_progress() {
                        alone_since = None;
                    } else if alone_since.get_or_insert_with(Instant::now).elapsed() > NO_PEER_GRACE {
                        return Err(err(ErrorKind::NoPeers, format!(
                            "{}: no peer holding the rest of version {} is left; verified chunks are kept, resume when one is back",
                            self.id, self.manifest.version
                        )));
                    }
                }
                _ = swarm_tick.tick(), if swarming => {
                    let have = self.local_bitfield();
                    let now = self.now();
                    if let Some(swarm) = &mut self.swarm {
                        swarm.tick(&mut self.sched, &mut self.requests, &have, now);
                    }
                }
                _ = progress.tick() => {
                    let p = self.meter.progress(&self.id, &self.sched);
                    let _ = self.env.events.send(PeerEvent::DownloadGameFilesProgress(p));
                }
            }
            // Back-pressure: a slow disk holds verified chunks in memory; stop requesting
            // more once WRITE_BUDGET bytes wait to be written.
            if self.disk.pending_bytes() < WRITE_BUDGET {
                let actions = self.sched.next_actions(self.now());
                self.apply(actions);
            }
        }
    }

    /// Carries out the scheduler's actions.
    fn apply(&mut self, actions: Vec<Action>) {
        for a in actions {
            match a {
                Action::Fetch { work: Work::Chunk(c), peer } => {
                    let spec = self.sched.chunk(c);
                    self.requests.start(Work::Chunk(c), Some(spec), None, peer);
                }
                Action::Fetch { work: Work::File(f), peer } => {
                    // The file is about to be truncated: its bits go first, durably.
                    let (lost, cleared) = self.disk.clear_for_rewrite(&self.manifest, f);
                    self.meter.lost(lost);
                    self.requests.start(Work::File(f), None, Some(cleared), peer);
                }
                Action::Cancel { work, peer } => self.requests.cancel(work, peer),
                Action::DropPeer { peer, reason } => {
                    tracing::info!(peer = %peer.short(), reason, "peer dropped from download");
                    if reason.contains("verification") {
                        self.env.misbehaved(peer, &self.id, &reason);
                    }
                }
            }
        }
    }

    /// A request ended: verified data goes to the disk side, the scheduler learns the outcome.
    fn on_done(&mut self, done: Done) -> Result<Vec<Action>, ErrorInfo> {
        match done.result {
            Ok(Some(data)) => {
                let Work::Chunk(c) = done.work else {
                    return Err(err(ErrorKind::Internal, "a whole-file request returned chunk data"));
                };
                let spec = self.sched.chunk(c);
                tracing::trace!(
                    target: "lanspread_peer::chunks",
                    g = spec.global,
                    peer = %done.peer.short(),
                    ms = done.elapsed.as_millis() as u64,
                    at = self.now().as_millis() as u64,
                    "chunk verified"
                );
                // A verified chunk is written in the background; it counts as verified
                // (bitmap, progress) once it is on disk. version.ini counts at once.
                let newly = self
                    .disk
                    .accept(spec, data)
                    .map_err(|e| err(ErrorKind::Io, format!("{}: {e}; verified chunks are kept", self.id)))?;
                self.meter.verified(newly);
            }
            Ok(None) => {
                let Work::File(f) = done.work else {
                    return Err(err(ErrorKind::Internal, "a chunk request returned no data"));
                };
                let specs: Vec<ChunkSpec> =
                    self.sched.file_chunks(f).iter().map(|&c| self.sched.chunk(c)).collect();
                let newly = self.disk.file_written(&specs);
                self.meter.verified(newly);
            }
            Err(failure) => {
                tracing::debug!(peer = %done.peer.short(), ?failure, "request failed");
                if let Work::File(f) = done.work {
                    // The file was truncated: its chunks are no longer verified.
                    let lost = self.disk.file_lost(&self.manifest, f);
                    self.meter.lost(lost);
                }
                return Ok(self.sched.on_failure(done.work, done.peer, &failure));
            }
        }
        self.meter.used(done.peer);
        Ok(self.sched.on_success(done.work, done.peer, done.elapsed))
    }

    /// The re-verification of chunks known from before ended: matches count as verified in this
    /// run, mismatches (changed on disk while we were stopped) are fetched again.
    fn on_reverified(&mut self, results: Vec<(ChunkSpec, bool)>) {
        let mut bad = 0u64;
        for (spec, ok) in results {
            // A chunk rewritten meanwhile (whole-file fallback) is judged by that rewrite.
            if !self.disk.is_verified(spec.file, spec.index) || self.disk.is_fresh(spec.file, spec.index) {
                continue;
            }
            if ok {
                self.disk.reverified(spec);
            } else {
                self.disk.unverify(spec);
                self.meter.lost(spec.len);
                self.sched.add_chunk(spec);
                bad += 1;
            }
        }
        if bad > 0 {
            tracing::warn!(
                chunks = bad,
                "chunks verified before no longer match on disk; fetching them again"
            );
        }
    }

    /// A write finished.
    fn on_written(&mut self, spec: ChunkSpec, r: std::io::Result<()>) -> Result<(), ErrorInfo> {
        let newly = self.disk.on_written(spec, r).map_err(|e| {
            err(
                ErrorKind::of_io(&e),
                format!("{}: cannot write {}: {e}", self.id, self.manifest.files[spec.file].path),
            )
        })?;
        if newly {
            if let Some(swarm) = &mut self.swarm {
                swarm.verified(spec.global);
            }
            self.meter.verified(spec.len);
        }
        Ok(())
    }

    /// Requests past their deadline: duplicated elsewhere, or (past `HARD_TIMEOUT`) failed.
    fn check_stalls(&mut self) {
        let now = self.now();
        for (work, peer) in self.sched.check_stalls(now, HARD_TIMEOUT) {
            self.requests.cancel(work, peer);
            let acts = self.sched.on_failure(work, peer, &Failure::Network("no answer in time".into()));
            self.apply(acts);
        }
    }

    /// Members with news join (or update) the schedule.
    fn merge_members(&mut self) {
        let now = self.now();
        if let Some(swarm) = &mut self.swarm {
            swarm.merge(&mut self.sched, &mut self.requests, now);
        }
    }

    /// Peers that left the LAN leave the download; new holders of the agreed version whose
    /// manifest matches join it.
    fn look_for_peers(&mut self) {
        let now = self.now();
        let (gone, candidates) = {
            let db = self.env.peers();
            let gone: Vec<PeerId> = self.sched.peers().filter(|p| db.get(p).is_none()).copied().collect();
            let key = (self.id.clone(), self.manifest.version.clone());
            let candidates: Vec<PeerId> = db
                .peers_with(&self.id, &self.manifest.version)
                .into_iter()
                .filter(|p| !self.sched.has_peer(p) && !self.sched.is_excluded(p, now))
                .filter(|p| {
                    let rec = db.get(p);
                    let announced = rec.and_then(|r| r.games.get(&self.id)).and_then(|g| g.manifest_digest);
                    let served = rec.and_then(|r| r.manifests.get(&key));
                    announced == Some(self.digest) || served.is_some_and(|m| m.digest() == self.digest)
                })
                .collect();
            (gone, candidates)
        };
        for p in gone {
            tracing::info!(peer = %p.short(), "peer left the LAN; it leaves the download");
            if let Some(swarm) = &mut self.swarm {
                swarm.forget(&p);
            }
            let acts = self.sched.forget_peer(&p);
            self.apply(acts);
        }
        for p in candidates {
            tracing::info!(peer = %p.short(), "a new peer joins the download");
            self.add_peer(p);
        }
    }
}

/// A download whose every chunk is verified and written, ready for the commit.
pub(super) struct Finished<S: Store> {
    pub(super) disk: Disk<S>,
    pub(super) swarm: Option<SwarmSide>,
    /// Bytes verified in this run.
    pub(super) bytes: u64,
    /// Peers that delivered data.
    pub(super) peers: Vec<PeerId>,
}

fn err(kind: ErrorKind, msg: impl Into<String>) -> ErrorInfo {
    ErrorInfo::new(kind, msg)
}

fn seed_of(p: &PeerId) -> u64 {
    u64::from_le_bytes([p.0[0], p.0[1], p.0[2], p.0[3], p.0[4], p.0[5], p.0[6], p.0[7]])
}

#[cfg(test)]
#[path = "driver_tests.rs"]
mod tests;
