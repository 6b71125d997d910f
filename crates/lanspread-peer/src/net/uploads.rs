//! [`Uploads`]: what serving other peers may use — inbound connections per peer, send slots,
//! the upload rate cap — and the count of bytes served.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use lanspread_proto::PeerId;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::{MAX_CONNECTIONS, MAX_CONNECTIONS_PER_PEER};

/// File transfers sent at once; more wait their turn. With `net::MAX_SEND_BUFFER` per stream
/// this bounds what serving can hold in memory (16 × (512 KiB + 256 KiB) = 12 MiB) however
/// many peers ask and however large the chunks are.
pub(crate) const SEND_SLOTS: usize = 16;

/// Serving limits and counters (one lock: the inbound connection counts).
#[derive(Debug)]
pub(crate) struct Uploads {
    inbound: Arc<Mutex<HashMap<PeerId, usize>>>,
    slots: Semaphore,
    limiter: Option<RateLimiter>,
    uploaded: AtomicU64,
}

impl Uploads {
    /// Limits with an optional cap on the upload rate in bytes per second.
    pub(crate) fn new(upload_limit: Option<u64>) -> Self {
        Self {
            inbound: Arc::default(),
            slots: Semaphore::new(SEND_SLOTS),
            limiter: upload_limit.map(RateLimiter::new),
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

    /// Waits for one of the [`SEND_SLOTS`].
    pub(crate) async fn slot(&self) -> Option<SemaphorePermit<'_>> {
        self.slots.acquire().await.ok()
    }

    /// Counts `bytes` served and waits as long as the rate cap asks.
    pub(crate) async fn sent(&self, bytes: u64) {
        self.uploaded.fetch_add(bytes, Ordering::Relaxed);
        if let Some(limit) = &self.limiter {
            limit.take(bytes).await;
        }
    }

    /// Bytes served since start.
    pub(crate) fn uploaded(&self) -> u64 {
        self.uploaded.load(Ordering::Relaxed)
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

/// A token bucket shared by every upload of a peer (`--upload-limit`).
#[derive(Debug)]
pub(crate) struct RateLimiter {
    rate: u64,
    /// When the bytes taken so far are paid off.
    next_free: Mutex<tokio::time::Instant>,
}

impl RateLimiter {
    pub(crate) fn new(bytes_per_sec: u64) -> Self {
        Self { rate: bytes_per_sec.max(1), next_free: Mutex::new(tokio::time::Instant::now()) }
    }

    /// Waits until `bytes` more may be sent.
    pub(crate) async fn take(&self, bytes: u64) {
        let until = {
            let mut next = self.next_free.lock().unwrap_or_else(|p| p.into_inner());
            let now = tokio::time::Instant::now();
            let start = (*next).max(now);
            *next = start + Duration::from_secs_f64(bytes as f64 / self.rate as f64);
            start
        };
        tokio::time::sleep_until(until).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
