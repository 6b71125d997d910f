//! [`Uploads`]: what serving other peers may use — inbound connections per peer, send slots
//! (handed out fairly per peer), the upload rate cap — and the count of bytes served.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use lanspread_proto::PeerId;
use tokio::sync::oneshot;

use super::{MAX_CONNECTIONS, MAX_CONNECTIONS_PER_PEER};

/// File transfers sent at once; more wait their turn. With `net::MAX_SEND_BUFFER` per stream
/// this bounds what serving can hold in memory (16 × (512 KiB + 256 KiB) = 12 MiB) however
/// many peers ask and however large the chunks are.
pub(crate) const SEND_SLOTS: usize = 16;

/// Serving limits and counters (two locks, never held together: the inbound connection
/// counts, and the send slots).
#[derive(Debug)]
pub(crate) struct Uploads {
    inbound: Arc<Mutex<HashMap<PeerId, usize>>>,
    slots: Arc<Mutex<Slots>>,
    limiter: RateLimiter,
    /// Sharing is paused: requests for game data are refused.
    paused: AtomicBool,
    uploaded: AtomicU64,
}

impl Uploads {
    /// Limits with an optional cap on the upload rate in bytes per second.
    pub(crate) fn new(upload_limit: Option<u64>) -> Self {
        Self {
            inbound: Arc::default(),
            slots: Arc::new(Mutex::new(Slots { free: SEND_SLOTS, ..Slots::default() })),
            limiter: RateLimiter::new(upload_limit),
            paused: AtomicBool::new(false),
            uploaded: AtomicU64::new(0),
        }
    }

    /// Counts an inbound connection from `peer`, or refuses it when that peer (or everyone
    /// together) has too many; the guard uncounts it.
    pub(crate) fn admit_connection(&self, peer: PeerId) -> Option<InboundGuard> {
        let mut map = self.inbound.lock().unwrap_or_else(|p| p.into_inner());
        let total: usize = map.values().sum();
        let n = map.entry(peer).or_insert(0);
        if *n >= MAX_CONNECTIONS_PER_PEER || total >= MAX_CONNECTIONS {
            return None;
        }
        *n += 1;
        Some(InboundGuard { inbound: self.inbound.clone(), peer })
    }

    /// Waits for one of the [`SEND_SLOTS`] for a transfer to `peer`. A freed slot goes to the
    /// waiting peer that holds the fewest slots (the earliest request among equals), so one
    /// peer with many queued requests cannot keep another waiting behind all of them.
    pub(crate) async fn slot(&self, peer: PeerId) -> Option<UploadSlot> {
        let rx = {
            let mut s = lock(&self.slots);
            if s.free > 0 && s.waiters.is_empty() {
                s.free -= 1;
                *s.held.entry(peer).or_insert(0) += 1;
                return Some(UploadSlot { slots: self.slots.clone(), peer });
            }
            let (tx, rx) = oneshot::channel();
            s.waiters.push((peer, tx));
            rx
        };
        let mut waiting = Waiting { rx: Some(rx), slots: self.slots.clone(), peer };
        let granted = waiting.rx.as_mut()?.await.is_ok();
        waiting.rx = None;
        granted.then(|| UploadSlot { slots: self.slots.clone(), peer })
    }

    /// Whether another peer than `peer` waits for a send slot: a slow receiver then loses its
    /// slot. (A peer's own queued requests never evict its transfers: its pipeline, its pace.)
    pub(crate) fn contended_for(&self, peer: &PeerId) -> bool {
        let mut s = lock(&self.slots);
        s.waiters.retain(|(_, tx)| !tx.is_closed());
        s.waiters.iter().any(|(p, _)| p != peer)
    }

    /// Counts `bytes` served and waits as long as the rate cap asks.
    pub(crate) async fn sent(&self, bytes: u64) {
        self.uploaded.fetch_add(bytes, Ordering::Relaxed);
        self.limiter.take(bytes).await;
    }

    /// Changes the upload cap (bytes per second; `None`: none) for every transfer, running
    /// ones included.
    pub(crate) fn set_limit(&self, bytes_per_sec: Option<u64>) {
        self.limiter.set(bytes_per_sec);
    }

    /// Pauses or resumes sharing.
    pub(crate) fn set_sharing(&self, enabled: bool) {
        self.paused.store(!enabled, Ordering::Relaxed);
    }

    /// Whether sharing is paused.
    pub(crate) fn paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    /// Bytes served since start.
    pub(crate) fn uploaded(&self) -> u64 {
        self.uploaded.load(Ordering::Relaxed)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The send slots: how many are free, who holds how many, and who waits (in arrival order).
#[derive(Debug, Default)]
pub(crate) struct Slots {
    free: usize,
    held: HashMap<PeerId, usize>,
    waiters: Vec<(PeerId, oneshot::Sender<()>)>,
}

impl Slots {
    /// Hands free slots to waiters, fewest-held peer first.
    fn grant(&mut self) {
        while self.free > 0 {
            self.waiters.retain(|(_, tx)| !tx.is_closed());
            let held = &self.held;
            let Some(i) = (0..self.waiters.len())
                .min_by_key(|&i| (held.get(&self.waiters[i].0).copied().unwrap_or(0), i))
            else {
                return;
            };
            let (peer, tx) = self.waiters.remove(i);
            // A waiter that goes away after this send gives the slot back (`Waiting::drop`).
            if tx.send(()).is_ok() {
                self.free -= 1;
                *self.held.entry(peer).or_insert(0) += 1;
            }
        }
    }
}

/// A transfer waiting for a slot. If it is dropped after a slot was granted but before it
/// took it, the slot goes back.
struct Waiting {
    rx: Option<oneshot::Receiver<()>>,
    slots: Arc<Mutex<Slots>>,
    peer: PeerId,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(mut rx) = self.rx.take() {
            rx.close();
            if rx.try_recv().is_ok() {
                drop(UploadSlot { slots: self.slots.clone(), peer: self.peer });
            }
        }
    }
}

/// A send slot held for one transfer; dropping it frees the slot for the next waiter.
#[derive(Debug)]
pub(crate) struct UploadSlot {
    slots: Arc<Mutex<Slots>>,
    peer: PeerId,
}

impl Drop for UploadSlot {
    fn drop(&mut self) {
        let mut s = lock(&self.slots);
        if let Some(n) = s.held.get_mut(&self.peer) {
            *n -= 1;
            if *n == 0 {
                s.held.remove(&self.peer);
            }
        }
        s.free += 1;
        s.grant();
    }
}

/// One counted inbound connection.
#[derive(Debug)]
pub(crate) struct InboundGuard {
    inbound: Arc<Mutex<HashMap<PeerId, usize>>>,
    peer: PeerId,
}

impl Drop for InboundGuard {
    fn drop(&mut self) {
        let mut map = self.inbound.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.peer) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.peer);
            }
        }
    }
}

/// A token bucket shared by every transfer in one direction (`--upload-limit`, the app's
/// caps). Its rate changes while transfers run; 0 means no cap (one atomic load per call).
#[derive(Debug)]
pub(crate) struct RateLimiter {
    /// Bytes per second; 0 = no cap.
    rate: AtomicU64,
    /// When the bytes taken so far are paid off.
    next_free: Mutex<tokio::time::Instant>,
    /// Wakes every waiter when the cap changes.
    changed: tokio::sync::Notify,
}

impl RateLimiter {
    pub(crate) fn new(bytes_per_sec: Option<u64>) -> Self {
        Self {
            rate: AtomicU64::new(bytes_per_sec.map_or(0, |r| r.max(1))),
            next_free: Mutex::new(tokio::time::Instant::now()),
            changed: tokio::sync::Notify::new(),
        }
    }

    /// A new cap (`None`: none). It applies at once: debt under the old cap is forgiven and
    /// every transfer waiting for its turn reserves again under the new one.
    pub(crate) fn set(&self, bytes_per_sec: Option<u64>) {
        *self.next_free.lock().unwrap_or_else(|p| p.into_inner()) = tokio::time::Instant::now();
        self.rate.store(bytes_per_sec.map_or(0, |r| r.max(1)), Ordering::Relaxed);
        self.changed.notify_waiters();
    }

    /// Waits until `bytes` more may be sent (or received).
    pub(crate) async fn take(&self, bytes: u64) {
        loop {
            let rate = self.rate.load(Ordering::Relaxed);
            if rate == 0 {
                return;
            }
            // Registered before the reservation: a change after it wakes this waiter.
            let changed = self.changed.notified();
            let until = {
                let mut next = self.next_free.lock().unwrap_or_else(|p| p.into_inner());
                let now = tokio::time::Instant::now();
                let start = (*next).max(now);
                *next = start + Duration::from_secs_f64(bytes as f64 / rate as f64);
                start
            };
            tokio::select! {
                () = tokio::time::sleep_until(until) => return,
                () = changed => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cap applies at once: a waiter reserved under a slow cap goes on when it is lifted,
    /// and one reserved without a cap is paced when one is set.
    #[tokio::test(start_paused = true)]
    async fn a_changed_cap_applies_to_transfers_already_waiting() {
        let limit = Arc::new(RateLimiter::new(Some(1_000)));
        let t = tokio::time::Instant::now();
        limit.take(10_000).await; // first reservation starts now
        let l2 = limit.clone();
        let mut waiting = tokio::task::JoinSet::new();
        waiting.spawn(async move {
            l2.take(10_000).await; // would start after 10 s at 1 kB/s
            tokio::time::Instant::now()
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        limit.set(None);
        let went = waiting.join_next().await.unwrap().unwrap();
        assert!(went - t < Duration::from_millis(1_100), "lifted at once: {:?}", went - t);
        // Now a cap of 1 MB/s: 3 MB take about 2 s beyond the first reservation.
        limit.set(Some(1_000_000));
        let t = tokio::time::Instant::now();
        for _ in 0..3 {
            limit.take(1_000_000).await;
        }
        let took = t.elapsed();
        assert!(took >= Duration::from_secs(2) && took < Duration::from_millis(2_100), "{took:?}");
    }

    #[test]
    fn connections_are_capped_per_peer_and_uncounted_on_drop() {
        let u = Uploads::new(None);
        let a = PeerId([1; 32]);
        let held: Vec<_> = (0..MAX_CONNECTIONS_PER_PEER).map(|_| u.admit_connection(a).unwrap()).collect();
        assert!(u.admit_connection(a).is_none());
        assert!(u.admit_connection(PeerId([2; 32])).is_some(), "other peers are not affected");
        drop(held);
        assert!(u.admit_connection(a).is_some());
    }

    #[tokio::test]
    async fn freed_slots_go_to_the_waiting_peer_holding_the_fewest() {
        let u = Arc::new(Uploads::new(None));
        let (hog, other) = (PeerId([1; 32]), PeerId([2; 32]));
        let mut held = Vec::new();
        for _ in 0..SEND_SLOTS {
            held.push(u.slot(hog).await.unwrap());
        }
        assert!(!u.contended_for(&other));
        // The hog queues three more, then another peer asks once (tasks in a JoinSet: the
        // crate's only bare spawn stays in tasks.rs).
        let mut queued = tokio::task::JoinSet::new();
        for _ in 0..3 {
            let u2 = u.clone();
            queued.spawn(async move { u2.slot(hog).await.map(|_s| hog) });
            tokio::task::yield_now().await;
        }
        let u2 = u.clone();
        let (tx, mut first) = tokio::sync::mpsc::unbounded_channel();
        let mut waiting_other = tokio::task::JoinSet::new();
        waiting_other.spawn(async move {
            let s = u2.slot(other).await;
            let _ = tx.send(other);
            tokio::time::sleep(Duration::from_millis(50)).await;
            drop(s);
        });
        while !u.contended_for(&hog) || lock(&u.slots).waiters.len() < 4 {
            tokio::task::yield_now().await;
        }
        // One slot frees: it goes to `other` (0 held), not to the hog's earlier requests.
        held.pop();
        assert_eq!(tokio::time::timeout(Duration::from_secs(5), first.recv()).await.unwrap(), Some(other));
        waiting_other.join_next().await.unwrap().unwrap();
        drop(held);
        let mut got = 0;
        while let Some(r) = tokio::time::timeout(Duration::from_secs(5), queued.join_next()).await.unwrap() {
            assert_eq!(r.unwrap(), Some(hog));
            got += 1;
        }
        assert_eq!(got, 3);
        assert_eq!(lock(&u.slots).free, SEND_SLOTS, "every slot came back");
    }

    #[tokio::test]
    async fn a_waiter_that_goes_away_gives_its_slot_back() {
        let u = Uploads::new(None);
        let p = PeerId([3; 32]);
        let mut held = Vec::new();
        for _ in 0..SEND_SLOTS {
            held.push(u.slot(p).await.unwrap());
        }
        // Waiters that time out (dropped before or after a grant) leak nothing.
        for _ in 0..3 {
            let _ = tokio::time::timeout(Duration::from_millis(5), u.slot(p)).await;
        }
        assert!(!u.contended_for(&PeerId([9; 32])), "gone waiters do not count as contention");
        drop(held);
        assert_eq!(lock(&u.slots).free, SEND_SLOTS);
        let all: Vec<_> = futures_all(&u, p).await;
        assert_eq!(all.len(), SEND_SLOTS);
    }

    async fn futures_all(u: &Uploads, p: PeerId) -> Vec<UploadSlot> {
        let mut v = Vec::new();
        for _ in 0..SEND_SLOTS {
            v.push(tokio::time::timeout(Duration::from_secs(1), u.slot(p)).await.unwrap().unwrap());
        }
        v
    }

    #[tokio::test(start_paused = true)]
    async fn the_rate_cap_paces_uploads_on_virtual_time() {
        let u = Uploads::new(Some(1_000_000));
        let t = tokio::time::Instant::now();
        for _ in 0..4 {
            u.sent(500_000).await;
        }
        // The first half second is free (the bucket starts full-rate now), the rest waits.
        assert_eq!(t.elapsed(), Duration::from_millis(1500));
        assert_eq!(u.uploaded(), 2_000_000);
    }
}
