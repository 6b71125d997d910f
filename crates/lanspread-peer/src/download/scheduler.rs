//! The chunk scheduler: decides which peer fetches which chunk. No I/O and no clock: the
//! driver feeds it events with a virtual `now` and executes the [`Action`]s it returns, so it
//! is tested on virtual time.
//!
//! Policy:
//! - **Pull, not push.** Pending work sits in one queue; whenever a peer has a free slot it
//!   takes the next item. A fast peer frees slots more often and so takes proportionally more
//!   work (work stealing by construction).
//! - **Adaptive windows.** Each peer's number of requests in flight follows its measured
//!   throughput (enough to cover `PIPELINE_TARGET` of transfer time, within bounds), so every
//!   pipe stays full without over-committing memory (`inflight_budget` bytes in total).
//! - **Stalls and losses.** A request older than its stall deadline is duplicated on another
//!   peer; a peer that fails `MAX_PEER_FAILURES` times in a row or refuses is dropped for
//!   `DROP_COOLDOWN`, one that serves bad data for good, and their requests go back to the
//!   queue. A peer that left the LAN is forgotten and may join again when it is back.
//! - **Endgame.** With the queue empty, idle peers duplicate the oldest requests still in
//!   flight elsewhere; the first verified copy wins and the others are cancelled.
//! - **Whole-file fallback.** A file whose chunks keep failing is fetched whole from one peer.
//! - A chunk that failed `MAX_ATTEMPTS` times fails the download.

use std::{
    collections::{HashMap, VecDeque},
    time::Duration,
};

use lanspread_proto::PeerId;

/// Attempts per chunk before the download fails.
pub(crate) const MAX_ATTEMPTS: u32 = 8;
/// Chunk failures within one file that switch it to a whole-file transfer.
pub(crate) const WHOLE_FILE_AFTER: u32 = 3;
/// Consecutive failures after which a peer is dropped from this download.
pub(crate) const MAX_PEER_FAILURES: u32 = 3;
/// Transfer time the per-peer window should cover (default of `Tuning::pipeline_target`).
const PIPELINE_TARGET: Duration = Duration::from_millis(60);
/// Requests in flight to an original seeder while complete copies are scarce (default of
/// `Tuning::seed_window`).
const SEED_WINDOW: usize = 1;
const MIN_WINDOW: usize = 2;
const MAX_WINDOW: usize = 32;
const INITIAL_WINDOW: usize = 4;
/// How long a chunk other members hold may wait before a complete copy serves it anyway.
const SEEDER_RESCUE: Duration = Duration::from_secs(3);
/// How long a peer dropped for failures or a refusal stays out of this download.
pub(crate) const DROP_COOLDOWN: Duration = Duration::from_secs(10);
/// How long a peer that redirected a chunk is not asked for it again.
const REDIRECT_AVOID: Duration = Duration::from_secs(2);

/// One chunk to download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChunkSpec {
    /// Index of the file in the manifest.
    pub(crate) file: usize,
    /// Chunk number within the file.
    pub(crate) index: u64,
    /// Length in bytes.
    pub(crate) len: u64,
    /// Global chunk number over the manifest (swarm bitfields use it).
    pub(crate) global: u64,
}

/// A unit of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Work {
    /// One chunk (index into the scheduler's chunk list).
    Chunk(usize),
    /// A whole file (index into the manifest's files).
    File(usize),
}

/// What the driver must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// Request `work` from `peer`.
    Fetch { work: Work, peer: PeerId },
    /// Abort the request for `work` on `peer` (a duplicate finished first).
    Cancel { work: Work, peer: PeerId },
    /// Stop using `peer` for this download.
    DropPeer { peer: PeerId, reason: String },
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Connection or stream error, or no answer in time.
    Network(String),
    /// The peer refused (not ready, version mismatch, not found, busy).
    Refused(String),
    /// The bytes did not match the agreed hash, or the framing lied.
    BadData(String),
    /// A seeder asked us to get this chunk from another swarm member (not a fault).
    Redirect(String),
}

#[derive(Debug, Clone)]
enum ChunkState {
    Pending,
    InFlight {
        peers: Vec<(PeerId, Duration)>,
    },
    Done,
    /// Part of a whole-file transfer in progress.
    InFile,
}

#[derive(Debug, Clone)]
struct PeerStats {
    in_flight: Vec<(Work, Duration)>,
    window: usize,
    /// Smoothed bytes per second.
    rate: f64,
    failures_in_row: u32,
    bytes: u64,
    /// Global chunks this peer holds; `None` for a complete copy.
    has: Option<lanspread_proto::Bitfield>,
    /// Chunks it redirected us away from, until when.
    avoid: HashMap<usize, Duration>,
    /// It was a partial member of this download's swarm and completed: not an original
    /// seeder, so it is not kept for the chunks nobody else has.
    finished: bool,
}

impl PeerStats {
    /// A complete copy that did not download in this swarm (the scarce source).
    fn is_origin(&self) -> bool {
        self.has.is_none() && !self.finished
    }
}

/// The scheduler of one download.
#[derive(Debug)]
pub(crate) struct Scheduler {
    chunks: Vec<ChunkSpec>,
    state: Vec<ChunkState>,
    attempts: Vec<u32>,
    /// Chunk ids per file, to switch a file to whole-file mode.
    by_file: HashMap<usize, Vec<usize>>,
    file_failures: HashMap<usize, u32>,
    whole_files: HashMap<usize, Option<PeerId>>,
    queue: VecDeque<Work>,
    /// Chunks in flight on one peer past their stall deadline, to duplicate elsewhere.
    stalled: VecDeque<usize>,
    peers: HashMap<PeerId, PeerStats>,
    /// Peers kept out of this download: until when, or for good (`None`, bad data).
    dropped: HashMap<PeerId, Option<Duration>>,
    done: usize,
    inflight_bytes: u64,
    inflight_budget: u64,
    failed: Option<String>,
    /// How many peers of this download hold each chunk.
    avail: Vec<u32>,
    /// How many of those are partial (swarm members still downloading).
    avail_partial: Vec<u32>,
    /// When a partial member first announced each chunk.
    partial_since: Vec<Duration>,
    /// Per-download random order among equally rare chunks (downloaders spread out).
    tie: Vec<u64>,
    by_global: HashMap<u64, usize>,
    partial_peers: usize,
    /// The latest `now` the driver passed in.
    last_now: Duration,
    /// Transfer time each peer's window covers, in seconds.
    pipeline_target: f64,
    /// Requests in flight to a scarce original seeder.
    seed_window: usize,
}

impl Scheduler {
    /// A scheduler for `chunks` (all not yet verified), keeping at most `inflight_budget`
    /// bytes requested at once.
    #[cfg(test)]
    pub(crate) fn new(chunks: Vec<ChunkSpec>, inflight_budget: u64) -> Self {
        Self::with_seed(chunks, inflight_budget, 0)
    }

    /// Like [`Scheduler::new`]; `seed` orders equally rare chunks (use the peer id so that
    /// downloaders of one swarm ask for different chunks first).
    pub(crate) fn with_seed(chunks: Vec<ChunkSpec>, inflight_budget: u64, seed: u64) -> Self {
        let n = chunks.len();
        let tie = chunks
            .iter()
            .map(|c| {
                let mut x = c.global ^ seed.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15;
                x ^= x >> 33;
                x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
                x ^ (x >> 29)
            })
            .collect();
        let by_global = chunks.iter().enumerate().map(|(i, c)| (c.global, i)).collect();
        let mut by_file: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, c) in chunks.iter().enumerate() {
            by_file.entry(c.file).or_default().push(i);
        }
        Self {
            queue: (0..n).map(Work::Chunk).collect(),
            stalled: VecDeque::new(),
            state: vec![ChunkState::Pending; n],
            attempts: vec![0; n],
            chunks,
            by_file,
            file_failures: HashMap::new(),
            whole_files: HashMap::new(),
            peers: HashMap::new(),
            dropped: HashMap::new(),
            done: 0,
            inflight_bytes: 0,
            inflight_budget: inflight_budget.max(1),
            failed: None,
            avail: vec![0; n],
            avail_partial: vec![0; n],
            partial_since: vec![Duration::ZERO; n],
            tie,
            by_global,
            partial_peers: 0,
            last_now: Duration::ZERO,
            pipeline_target: PIPELINE_TARGET.as_secs_f64(),
            seed_window: SEED_WINDOW,
        }
    }

    /// Sets the transfer time each peer's window covers and the requests in flight to a scarce
    /// original seeder (`Tuning::pipeline_target`, `Tuning::seed_window`).
    pub(crate) fn tuned(mut self, pipeline_target: Duration, seed_window: usize) -> Self {
        self.pipeline_target = pipeline_target.as_secs_f64();
        self.seed_window = seed_window.max(1);
        self
    }

    /// Adds a chunk to download after all (one that was verified before but failed its
    /// re-verification from disk). Peers holding it get it like any other pending chunk.
    pub(crate) fn add_chunk(&mut self, spec: ChunkSpec) {
        if self.by_global.contains_key(&spec.global) {
            // Already scheduled: make sure it is fetched again.
            let c = self.by_global[&spec.global];
            if matches!(self.state[c], ChunkState::Done) {
                self.done -= 1;
                self.state[c] = ChunkState::Pending;
                self.queue.push_back(Work::Chunk(c));
            }
            return;
        }
        let c = self.chunks.len();
        self.chunks.push(spec);
        self.state.push(ChunkState::Pending);
        self.attempts.push(0);
        self.by_file.entry(spec.file).or_default().push(c);
        let holders = self.peers.values().filter(|s| s.has.as_ref().is_none_or(|h| h.get(spec.global)));
        let (mut all, mut partial) = (0, 0);
        for s in holders {
            all += 1;
            partial += u32::from(s.has.is_some());
        }
        self.avail.push(all);
        self.avail_partial.push(partial);
        self.partial_since.push(self.last_now);
        let mut x = spec.global ^ 0x9e37_79b9_7f4a_7c15;
        x ^= x >> 33;
        self.tie.push(x.wrapping_mul(0xff51_afd7_ed55_8ccd));
        self.by_global.insert(spec.global, c);
        if self.whole_files.contains_key(&spec.file) {
            // The file is fetched whole right now: the chunk comes with it.
            self.state[c] = ChunkState::InFile;
        } else {
            self.queue.push_back(Work::Chunk(c));
        }
    }

    /// The chunk behind an id.
    pub(crate) fn chunk(&self, id: usize) -> ChunkSpec {
        self.chunks[id]
    }

    /// Chunk ids of a file.
    pub(crate) fn file_chunks(&self, file: usize) -> &[usize] {
        self.by_file.get(&file).map_or(&[], Vec::as_slice)
    }

    /// Whether every chunk is verified.
    pub(crate) fn is_done(&self) -> bool {
        self.done == self.chunks.len()
    }

    /// Why the download cannot finish, if it cannot.
    pub(crate) fn failure(&self) -> Option<&str> {
        self.failed.as_deref()
    }

    /// Peers currently used.
    pub(crate) fn peers(&self) -> impl Iterator<Item = &PeerId> {
        self.peers.keys()
    }

    /// Whether `peer` is in use.
    pub(crate) fn has_peer(&self, peer: &PeerId) -> bool {
        self.peers.contains_key(peer)
    }

    /// Whether `peer` is kept out of this download at `now` (dropped, cooldown not over).
    pub(crate) fn is_excluded(&self, peer: &PeerId, now: Duration) -> bool {
        self.dropped.get(peer).is_some_and(|until| until.is_none_or(|t| now < t))
    }

    /// Whether some peer in use holds a chunk (or file) still to download; `false` means the
    /// download cannot progress until a holder (re)appears.
    pub(crate) fn can_progress(&self) -> bool {
        self.peers.values().any(|s| s.has.is_none())
            || self
                .state
                .iter()
                .enumerate()
                .any(|(c, st)| !matches!(st, ChunkState::Done) && self.peers.keys().any(|p| self.holds(p, c)))
    }

    /// Verified bytes delivered by each peer.
    pub(crate) fn peer_bytes(&self) -> Vec<(PeerId, u64)> {
        let mut v: Vec<_> = self.peers.iter().map(|(p, s)| (*p, s.bytes)).collect();
        v.sort();
        v
    }

    /// Adds a peer that holds a complete copy of the agreed manifest.
    pub(crate) fn add_peer(&mut self, peer: PeerId) {
        self.add_peer_with(peer, None);
    }

    /// Adds a peer holding `has` (global chunks; `None` = complete). A known partial peer's
    /// set is replaced (bits are only ever added by peers).
    pub(crate) fn add_peer_with(&mut self, peer: PeerId, has: Option<lanspread_proto::Bitfield>) {
        if self.is_excluded(&peer, self.last_now) {
            return;
        }
        self.dropped.remove(&peer);
        if let Some(s) = self.peers.get(&peer) {
            if s.has.is_none() {
                return;
            }
            if let Some(h) = has {
                // Only the chunks it added since (this runs on every announcement).
                let new: Vec<u64> = match &s.has {
                    Some(old) => h.difference(old).collect(),
                    None => Vec::new(),
                };
                for g in new {
                    self.peer_has(&peer, g);
                }
            } else {
                // It completed: it now holds everything.
                let old = self.peers.get_mut(&peer).and_then(|s| {
                    s.finished = true;
                    s.has.take()
                });
                self.partial_peers -= 1;
                for (c, spec) in self.chunks.iter().enumerate() {
                    if old.as_ref().is_some_and(|o| o.get(spec.global)) {
                        self.avail_partial[c] = self.avail_partial[c].saturating_sub(1);
                    } else {
                        self.avail[c] += 1;
                    }
                }
            }
            return;
        }
        for (c, spec) in self.chunks.iter().enumerate() {
            if has.as_ref().is_none_or(|h| h.get(spec.global)) {
                self.avail[c] += 1;
                if has.is_some() {
                    self.avail_partial[c] += 1;
                    if self.avail_partial[c] == 1 {
                        self.partial_since[c] = self.last_now;
                    }
                }
            }
        }
        if has.is_some() {
            self.partial_peers += 1;
        }
        self.peers.insert(
            peer,
            PeerStats {
                in_flight: Vec::new(),
                window: INITIAL_WINDOW,
                rate: 0.0,
                failures_in_row: 0,
                bytes: 0,
                has,
                avoid: HashMap::new(),
                finished: false,
            },
        );
    }

    /// A partial peer announced global chunk `g`.
    pub(crate) fn peer_has(&mut self, peer: &PeerId, g: u64) {
        let Some(s) = self.peers.get_mut(peer) else { return };
        let Some(h) = s.has.as_mut() else { return };
        if h.get(g) {
            return;
        }
        h.set(g);
        if let Some(&c) = self.by_global.get(&g) {
            self.avail[c] += 1;
            self.avail_partial[c] += 1;
            if self.avail_partial[c] == 1 {
                self.partial_since[c] = self.last_now;
            }
        }
    }

    fn holds(&self, peer: &PeerId, c: usize) -> bool {
        self.peers.get(peer).is_some_and(|s| s.has.as_ref().is_none_or(|h| h.get(self.chunks[c].global)))
    }

    /// Forgets a peer that left the LAN (it may join again when it is back); its requests
    /// go back to the queue.
    pub(crate) fn forget_peer(&mut self, peer: &PeerId) -> Vec<Action> {
        self.remove_peer(peer)
    }

    /// Removes a peer from the schedule; its requests go back to the queue.
    fn remove_peer(&mut self, peer: &PeerId) -> Vec<Action> {
        let Some(stats) = self.peers.remove(peer) else { return Vec::new() };
        if stats.has.is_some() {
            self.partial_peers -= 1;
        }
        for (c, spec) in self.chunks.iter().enumerate() {
            if stats.has.as_ref().is_none_or(|h| h.get(spec.global)) {
                self.avail[c] = self.avail[c].saturating_sub(1);
                if stats.has.is_some() {
                    self.avail_partial[c] = self.avail_partial[c].saturating_sub(1);
                }
            }
        }
        let mut out = Vec::new();
        for (work, _) in stats.in_flight {
            self.release(work, peer);
            out.push(Action::Cancel { work, peer: *peer });
        }
        out
    }

    fn work_len(&self, work: Work) -> u64 {
        match work {
            Work::Chunk(c) => self.chunks[c].len,
            Work::File(f) => self.file_chunks(f).iter().map(|&c| self.chunks[c].len).sum(),
        }
    }

    /// Undoes the bookkeeping of `work` in flight on `peer` and requeues it if nobody else
    /// is fetching it.
    fn release(&mut self, work: Work, peer: &PeerId) {
        let len = self.work_len(work);
        self.inflight_bytes = self.inflight_bytes.saturating_sub(len);
        match work {
            Work::Chunk(c) => {
                if let ChunkState::InFlight { peers } = &mut self.state[c] {
                    peers.retain(|(p, _)| p != peer);
                    if peers.is_empty() {
                        self.state[c] = ChunkState::Pending;
                        self.queue.push_front(Work::Chunk(c));
                    }
                }
            }
            Work::File(f) => {
                if self.whole_files.get(&f) == Some(&Some(*peer)) {
                    self.whole_files.insert(f, None);
                    self.queue.push_front(Work::File(f));
                }
            }
        }
    }

    /// Fills every peer's free slots from the queue, then (queue empty) duplicates the oldest
    /// requests in flight elsewhere (endgame).
    pub(crate) fn next_actions(&mut self, now: Duration) -> Vec<Action> {
        let mut out = Vec::new();
        if self.failed.is_some() {
            return out;
        }
        self.last_now = now;
        out.extend(self.duplicate_stalled(now));
        // Fastest peers first, so they get the head of the queue.
        let mut order: Vec<PeerId> = self.peers.keys().copied().collect();
        order.sort_by(|a, b| {
            let (ra, rb) = (self.peers[a].rate, self.peers[b].rate);
            rb.partial_cmp(&ra).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(b))
        });
        loop {
            let mut progressed = false;
            let scarce = self.scarce();
            for peer in &order {
                let free = {
                    let s = &self.peers[peer];
                    // An original seeder, while scarce, gets few requests from each member, so
                    // the chunks only it has spread over all members instead of piling up on
                    // the fastest one (which would then have to upload them all alone).
                    let window =
                        if scarce && s.is_origin() { s.window.min(self.seed_window) } else { s.window };
                    s.in_flight.len() < window
                };
                if !free || self.inflight_bytes >= self.inflight_budget {
                    continue;
                }
                let Some(work) = self.pick_for(peer, now) else { continue };
                self.assign(work, *peer, now);
                out.push(Action::Fetch { work, peer: *peer });
                progressed = true;
            }
            if !progressed || self.queue.is_empty() {
                break;
            }
        }
        if self.queue.is_empty() {
            out.extend(self.endgame(now, &order));
        }
        out
    }

    /// The next work item for `peer`: plain queue order when every peer holds everything;
    /// otherwise the rarest pending chunk it holds (ties in this download's random order).
    fn pick_for(&mut self, peer: &PeerId, now: Duration) -> Option<Work> {
        let complete = self.peers.get(peer).is_some_and(|s| s.has.is_none());
        let origin = self.peers.get(peer).is_some_and(PeerStats::is_origin);
        if self.partial_peers == 0 && complete && self.peers.values().all(|s| s.avoid.is_empty()) {
            return self.pop_queue();
        }
        if let Some(s) = self.peers.get_mut(peer) {
            s.avoid.retain(|_, until| *until > now);
        }
        // Complete copies are kept for chunks nobody else has only while they are scarce; once
        // as many peers hold everything as are still downloading (the end of a swarm), any
        // holder serves any chunk, so the last downloaders are not held back.
        let scarce = self.scarce();
        let mut best: Option<(usize, (u32, u64))> = None;
        for (pos, w) in self.queue.iter().enumerate() {
            let key = match *w {
                Work::Chunk(c) => {
                    if !matches!(self.state[c], ChunkState::Pending)
                        || !self.holds(peer, c)
                        || self.peers[peer].avoid.contains_key(&c)
                    {
                        continue;
                    }
                    // A complete copy (the seeder) is kept for chunks no other member has;
                    // a chunk waiting too long for its partial holders may come from it too.
                    if origin
                        && scarce
                        && self.avail_partial[c] > 0
                        && now.saturating_sub(self.partial_since[c]) < SEEDER_RESCUE
                    {
                        continue;
                    }
                    (self.avail[c], self.tie[c])
                }
                Work::File(f) => {
                    if !complete || self.whole_files.get(&f) != Some(&None) {
                        continue;
                    }
                    (0, 0)
                }
            };
            if best.is_none_or(|(_, k)| key < k) {
                best = Some((pos, key));
            }
        }
        let (pos, _) = best?;
        self.queue.remove(pos)
    }

    /// Whether complete copies are scarce: no more of them than members still downloading.
    fn scarce(&self) -> bool {
        self.partial_peers > 0 && self.peers.len() - self.partial_peers <= self.partial_peers
    }

    fn pop_queue(&mut self) -> Option<Work> {
        while let Some(w) = self.queue.pop_front() {
            let live = match w {
                Work::Chunk(c) => matches!(self.state[c], ChunkState::Pending),
                Work::File(f) => self.whole_files.get(&f) == Some(&None),
            };
            if live {
                return Some(w);
            }
        }
        None
    }

    fn assign(&mut self, work: Work, peer: PeerId, now: Duration) {
        self.inflight_bytes += self.work_len(work);
        match work {
            Work::Chunk(c) => match &mut self.state[c] {
                ChunkState::InFlight { peers } => peers.push((peer, now)),
                s => *s = ChunkState::InFlight { peers: vec![(peer, now)] },
            },
            Work::File(f) => {
                self.whole_files.insert(f, Some(peer));
            }
        }
        if let Some(s) = self.peers.get_mut(&peer) {
            s.in_flight.push((work, now));
        }
    }

    fn endgame(&mut self, now: Duration, order: &[PeerId]) -> Vec<Action> {
        let mut out = Vec::new();
        // A scarce seeder's upload belongs to the chunks nobody else has (other members may
        // still need them), not to copies of chunks already on their way.
        let scarce = self.scarce();
        for peer in order {
            let idle = self.peers[peer].in_flight.is_empty();
            if !idle || (scarce && self.peers[peer].is_origin()) {
                continue;
            }
            // The oldest chunk in flight elsewhere, fetched by a single peer so far.
            let candidate = self
                .state
                .iter()
                .enumerate()
                .filter_map(|(c, s)| match s {
                    ChunkState::InFlight { peers }
                        if peers.len() == 1
                            && peers[0].0 != *peer
                            && self.holds(peer, c)
                            && !self.peers[peer].avoid.contains_key(&c) =>
                    {
                        Some((c, peers[0].1))
                    }
                    _ => None,
                })
                .min_by_key(|(_, since)| *since);
            if let Some((c, _)) = candidate {
                self.assign(Work::Chunk(c), *peer, now);
                out.push(Action::Fetch { work: Work::Chunk(c), peer: *peer });
            }
        }
        out
    }

    /// A request completed and its data verified. Returns cancellations of duplicates.
    pub(crate) fn on_success(&mut self, work: Work, peer: PeerId, elapsed: Duration) -> Vec<Action> {
        let len = self.work_len(work);
        self.inflight_bytes = self.inflight_bytes.saturating_sub(len);
        let mut out = Vec::new();
        if let Some(s) = self.peers.get_mut(&peer) {
            s.in_flight.retain(|(w, _)| *w != work);
            s.failures_in_row = 0;
            s.bytes += len;
            let secs = elapsed.as_secs_f64().max(1e-4);
            // Per-request rate times requests in flight approximates the peer's throughput.
            let sample = len as f64 / secs * (s.in_flight.len() + 1) as f64;
            s.rate = if s.rate == 0.0 { sample } else { 0.7 * s.rate + 0.3 * sample };
            let per_req = (len as f64).max(1.0);
            let want = (s.rate * self.pipeline_target / per_req).ceil() as usize + 1;
            s.window = want.clamp(MIN_WINDOW, MAX_WINDOW);
        }
        let ids: Vec<usize> = match work {
            Work::Chunk(c) => vec![c],
            Work::File(f) => {
                self.whole_files.remove(&f);
                self.file_chunks(f).to_vec()
            }
        };
        for c in ids {
            if let ChunkState::InFlight { peers } = &self.state[c] {
                for (other, _) in peers.clone() {
                    if other != peer {
                        if let Some(s) = self.peers.get_mut(&other) {
                            s.in_flight.retain(|(w, _)| *w != Work::Chunk(c));
                        }
                        self.inflight_bytes = self.inflight_bytes.saturating_sub(self.chunks[c].len);
                        out.push(Action::Cancel { work: Work::Chunk(c), peer: other });
                    }
                }
            }
            if !matches!(self.state[c], ChunkState::Done) {
                self.state[c] = ChunkState::Done;
                self.done += 1;
            }
        }
        out
    }

    /// Marks `work` as failed on `peer`. Returns actions (peer drops) to carry out.
    pub(crate) fn on_failure(&mut self, work: Work, peer: PeerId, failure: &Failure) -> Vec<Action> {
        let mut out = Vec::new();
        if let Some(s) = self.peers.get_mut(&peer) {
            s.in_flight.retain(|(w, _)| *w != work);
        }
        let was_whole_file_on_peer =
            matches!(work, Work::File(f) if self.whole_files.get(&f) == Some(&Some(peer)));
        self.release(work, &peer);
        if was_whole_file_on_peer {
            // A failed whole-file transfer truncated the file: every chunk must come again.
            if let Work::File(f) = work {
                for &c in self.by_file.get(&f).cloned().unwrap_or_default().iter() {
                    if matches!(self.state[c], ChunkState::Done) {
                        self.done -= 1;
                    }
                    self.state[c] = ChunkState::InFile;
                    self.attempts[c] += 1;
                    if self.attempts[c] >= MAX_ATTEMPTS {
                        self.failed = Some(format!("file #{f} failed {} times", self.attempts[c]));
                    }
                }
            }
        }
        if let (Work::Chunk(c), Failure::Redirect(_)) = (work, failure) {
            let until = self.last_now + REDIRECT_AVOID;
            if let Some(s) = self.peers.get_mut(&peer) {
                s.avoid.insert(c, until);
            }
            return out;
        }
        if let Work::Chunk(c) = work {
            self.attempts[c] += 1;
            let file = self.chunks[c].file;
            let ff = self.file_failures.entry(file).or_insert(0);
            // Only chunks that failed more than once count: one dead peer fails many chunks
            // once each, which says nothing about the file.
            if self.attempts[c] >= 2 {
                *ff += 1;
            }
            if self.attempts[c] >= MAX_ATTEMPTS {
                self.failed = Some(format!(
                    "chunk {} of file #{} failed {} times on every peer tried",
                    self.chunks[c].index, file, self.attempts[c]
                ));
            } else if *ff >= WHOLE_FILE_AFTER
                && !self.whole_files.contains_key(&file)
                && self.by_file[&file].len() > 1
            {
                self.switch_to_whole_file(file, &mut out);
            }
        }
        let banned = matches!(failure, Failure::BadData(_));
        let drop_reason = match failure {
            Failure::BadData(why) => Some(format!("served data that failed verification: {why}")),
            Failure::Refused(why) => Some(format!("refused: {why}")),
            Failure::Redirect(_) => None,
            Failure::Network(why) => {
                let s = self.peers.get_mut(&peer);
                match s {
                    Some(s) => {
                        s.failures_in_row += 1;
                        (s.failures_in_row >= MAX_PEER_FAILURES)
                            .then(|| format!("failed {} requests in a row (last: {why})", s.failures_in_row))
                    }
                    None => None,
                }
            }
        };
        if let Some(reason) = drop_reason
            && self.peers.contains_key(&peer)
        {
            out.extend(self.remove_peer(&peer));
            self.dropped.insert(peer, (!banned).then_some(self.last_now + DROP_COOLDOWN));
            out.push(Action::DropPeer { peer, reason });
        }
        out
    }

    /// Switches `file` to a whole-file transfer: its pending chunks leave the queue.
    fn switch_to_whole_file(&mut self, file: usize, out: &mut Vec<Action>) {
        let ids = self.by_file[&file].clone();
        for c in ids {
            match &self.state[c] {
                ChunkState::InFlight { peers } => {
                    for (p, _) in peers.clone() {
                        if let Some(s) = self.peers.get_mut(&p) {
                            s.in_flight.retain(|(w, _)| *w != Work::Chunk(c));
                        }
                        self.inflight_bytes = self.inflight_bytes.saturating_sub(self.chunks[c].len);
                        out.push(Action::Cancel { work: Work::Chunk(c), peer: p });
                    }
                    self.state[c] = ChunkState::InFile;
                }
                ChunkState::Pending => self.state[c] = ChunkState::InFile,
                ChunkState::Done => {
                    self.done -= 1;
                    self.state[c] = ChunkState::InFile;
                }
                ChunkState::InFile => {}
            }
        }
        self.whole_files.insert(file, None);
        self.queue.push_front(Work::File(file));
    }

    /// Requests in flight longer than their stall deadline get a duplicate on another peer;
    /// requests past `hard_timeout` count as failures of their peer.
    pub(crate) fn check_stalls(&mut self, now: Duration, hard_timeout: Duration) -> Vec<(Work, PeerId)> {
        let mut timed_out = Vec::new();
        for (peer, s) in &self.peers {
            for (work, since) in &s.in_flight {
                if now.saturating_sub(*since) > hard_timeout {
                    timed_out.push((*work, *peer));
                }
            }
        }
        for (c, st) in self.state.iter().enumerate() {
            if let ChunkState::InFlight { peers } = st
                && peers.len() == 1
                && !self.stalled.contains(&c)
            {
                let (p, since) = peers[0];
                let rate = self.peers.get(&p).map_or(0.0, |s| s.rate).max(1.0);
                let expected = Duration::from_secs_f64(self.chunks[c].len as f64 / rate);
                let deadline = (expected * 8).max(Duration::from_secs(3));
                if now.saturating_sub(since) > deadline {
                    self.stalled.push_back(c);
                }
            }
        }
        timed_out
    }

    /// Hands stalled chunks to a second peer with a free slot.
    fn duplicate_stalled(&mut self, now: Duration) -> Vec<Action> {
        let mut out = Vec::new();
        let mut keep = VecDeque::new();
        while let Some(c) = self.stalled.pop_front() {
            let holder = match &self.state[c] {
                ChunkState::InFlight { peers } if peers.len() == 1 => peers[0].0,
                _ => continue, // finished, failed or already duplicated
            };
            let target = self
                .peers
                .iter()
                .filter(|(p, s)| {
                    **p != holder
                        && s.in_flight.len() < s.window
                        && s.has.as_ref().is_none_or(|h| h.get(self.chunks[c].global))
                })
                .max_by(|a, b| a.1.rate.partial_cmp(&b.1.rate).unwrap_or(std::cmp::Ordering::Equal))
                .map(|(p, _)| *p);
            match target {
                Some(peer) => {
                    self.assign(Work::Chunk(c), peer, now);
                    out.push(Action::Fetch { work: Work::Chunk(c), peer });
                }
                None => keep.push_back(c),
            }
        }
        self.stalled = keep;
        out
    }
}

#[cfg(test)]
mod tests;
