//! A download's meter: verified and transferred bytes, the smoothed rate, which peers
//! delivered, and the progress events built from them. Owned and changed only here.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use lanspread_proto::{GameId, PeerId};
use tokio::time::Instant;

use super::scheduler::Scheduler;
use crate::api::{DownloadProgress, PeerTransfer};

/// Byte counts of one download run.
pub(super) struct Meter {
    /// Verified bytes, also published to the game list (shared with the operation table).
    verified: Arc<AtomicU64>,
    total: u64,
    /// Bytes verified in this run.
    transferred: u64,
    used: HashSet<PeerId>,
    rate: RateMeter,
}

impl Meter {
    /// A meter for `total` bytes of which `verified` (shared with the game list) are done.
    pub(super) fn new(total: u64, verified: Arc<AtomicU64>) -> Self {
        Self { verified, total, transferred: 0, used: HashSet::new(), rate: RateMeter::default() }
    }

    /// `bytes` more were verified in this run.
    pub(super) fn verified(&mut self, bytes: u64) {
        if bytes == 0 {
            return;
        }
        self.verified.fetch_add(bytes, Ordering::Relaxed);
        self.transferred += bytes;
        self.rate.add(bytes);
    }

    /// `bytes` are no longer verified (a whole-file transfer failed after truncating).
    pub(super) fn lost(&mut self, bytes: u64) {
        let _ = self
            .verified
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| Some(v.saturating_sub(bytes)));
    }

    /// `peer` delivered verified data.
    pub(super) fn used(&mut self, peer: PeerId) {
        self.used.insert(peer);
    }

    /// Bytes verified in this run, and the peers that delivered them.
    pub(super) fn result(&self) -> (u64, Vec<PeerId>) {
        let mut peers: Vec<PeerId> = self.used.iter().copied().collect();
        peers.sort();
        (self.transferred, peers)
    }

    /// The progress event payload.
    pub(super) fn progress(&mut self, id: &GameId, sched: &Scheduler) -> DownloadProgress {
        let bps = self.rate.rate();
        let done = self.verified.load(Ordering::Relaxed);
        let left = self.total.saturating_sub(done);
        let bytes: HashMap<PeerId, u64> = sched.peer_bytes().into_iter().collect();
        let mut peers: Vec<PeerTransfer> = sched
            .peers()
            .map(|p| PeerTransfer { peer_id: *p, bytes: bytes.get(p).copied().unwrap_or(0) })
            .collect();
        peers.sort_by_key(|a| a.peer_id);
        DownloadProgress {
            id: id.clone(),
            bytes_done: done,
            total_bytes: self.total,
            rate_bps: bps as u64,
            eta_secs: (bps > 1.0).then(|| (left as f64 / bps).ceil() as u64),
            peers,
        }
    }
}

/// Smoothed transfer rate over the last seconds.
#[derive(Default)]
struct RateMeter {
    samples: VecDeque<(Instant, u64)>,
    first: Option<Instant>,
}

impl RateMeter {
    const WINDOW: Duration = Duration::from_secs(2);

    fn add(&mut self, bytes: u64) {
        self.samples.push_back((Instant::now(), bytes));
    }

    /// Bytes per second, or 0 until a second of data makes the figure meaningful.
    fn rate(&mut self) -> f64 {
        let first = *self.first.get_or_insert_with(Instant::now);
        let bytes_so_far: u64 = self.samples.iter().map(|(_, b)| b).sum();
        if first.elapsed() < Duration::from_secs(1) && bytes_so_far < (1 << 20) {
            return 0.0;
        }
        while self.samples.front().is_some_and(|(t, _)| t.elapsed() > Self::WINDOW) {
            self.samples.pop_front();
        }
        let bytes: u64 = self.samples.iter().map(|(_, b)| b).sum();
        let span =
            self.samples.front().map_or(Self::WINDOW, |(t, _)| t.elapsed().max(Duration::from_millis(250)));
        bytes as f64 / span.as_secs_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn rate_and_eta_follow_virtual_time() {
        let shared = Arc::new(AtomicU64::new(1 << 20));
        let mut m = Meter::new(11 << 20, shared.clone());
        let id = GameId::new("quake3").unwrap();
        let sched = Scheduler::new(Vec::new(), 1);
        assert_eq!(m.progress(&id, &sched).rate_bps, 0, "no rate before a second of data");
        for _ in 0..4 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            m.verified(1 << 20);
        }
        m.used(PeerId([1; 32]));
        let p = m.progress(&id, &sched);
        assert_eq!(p.bytes_done, 5 << 20);
        assert_eq!(shared.load(Ordering::Relaxed), 5 << 20, "the game list sees the same count");
        // 4 MiB over the 1.5 s since the oldest sample in the window.
        assert_eq!(p.rate_bps, (4 << 20) * 2 / 3);
        assert_eq!(p.eta_secs, Some(3));
        m.lost(2 << 20);
        assert_eq!(shared.load(Ordering::Relaxed), 3 << 20);
        assert_eq!(m.result(), (4 << 20, vec![PeerId([1; 32])]));
    }
}
