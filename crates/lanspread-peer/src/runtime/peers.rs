//! [`Peers`]: what other peers hold ([`PeerGameDB`], shared with the embedding app) and which
//! handshakes are in flight.

use std::{
    collections::{HashMap, HashSet},
    net::SocketAddr,
    sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard},
    time::{Duration, Instant},
};

use lanspread_proto::PeerId;

use crate::peer_db::PeerGameDB;

/// An address learned from a hint or typed by the player is dialled at most this often: a
/// hint costs the sender ~50 bytes, a dial costs us a QUIC handshake (no amplification).
pub(crate) const DIAL_INTERVAL: Duration = Duration::from_secs(2);
/// Most addresses whose last dial is remembered (older ones are forgotten first).
const MAX_DIALED: usize = 4096;

/// The peer database, the handshakes in flight, when each address was last dialled and which
/// peers were heard of (four locks, never held together).
#[derive(Debug)]
pub(crate) struct Peers {
    db: Arc<RwLock<PeerGameDB>>,
    syncing: Arc<Mutex<HashSet<PeerId>>>,
    /// Addresses a "test a connection" runs for (one at a time per address).
    testing: Arc<Mutex<HashSet<SocketAddr>>>,
    dialed: Mutex<HashMap<SocketAddr, Instant>>,
    heard: Mutex<HashSet<(Option<PeerId>, SocketAddr, &'static str)>>,
    /// Typed addresses (`--peer`, the app's "Add a peer"), dialled until they answer and
    /// whenever they are lost; at most `MAX_KNOWN_PEERS`.
    known: Mutex<Vec<SocketAddr>>,
}

impl Peers {
    pub(crate) fn new(db: Arc<RwLock<PeerGameDB>>) -> Self {
        Self {
            db,
            syncing: Arc::default(),
            testing: Arc::default(),
            dialed: Mutex::default(),
            heard: Mutex::default(),
            known: Mutex::default(),
        }
    }

    /// Adds a typed address (once); false when the list is full.
    pub(crate) fn add_known(&self, addr: SocketAddr) -> bool {
        let mut k = self.known.lock().unwrap_or_else(|p| p.into_inner());
        if k.contains(&addr) {
            return true;
        }
        if k.len() >= crate::runtime::MAX_KNOWN_PEERS {
            return false;
        }
        k.push(addr);
        true
    }

    /// Forgets a typed address.
    pub(crate) fn forget_known(&self, addr: SocketAddr) {
        self.known.lock().unwrap_or_else(|p| p.into_inner()).retain(|a| *a != addr);
    }

    /// The typed addresses.
    pub(crate) fn known(&self) -> Vec<SocketAddr> {
        self.known.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Whether `peer` at `addr` is heard of `via` a discovery path for the first time
    /// (diagnostics report each once per path; at most [`MAX_DIALED`] are remembered).
    pub(crate) fn first_heard(&self, peer: Option<PeerId>, addr: SocketAddr, via: &'static str) -> bool {
        let mut h = self.heard.lock().unwrap_or_else(|p| p.into_inner());
        if h.len() >= MAX_DIALED {
            return false;
        }
        h.insert((peer, addr, via))
    }

    /// Whether `addr` may be dialled now (and records the dial): at most once per
    /// [`DIAL_INTERVAL`] per address.
    pub(crate) fn may_dial(&self, addr: SocketAddr, now: Instant) -> bool {
        let mut d = self.dialed.lock().unwrap_or_else(|p| p.into_inner());
        if d.get(&addr).is_some_and(|t| now.saturating_duration_since(*t) < DIAL_INTERVAL) {
            return false;
        }
        if d.len() >= MAX_DIALED {
            d.retain(|_, t| now.saturating_duration_since(*t) < DIAL_INTERVAL);
        }
        d.insert(addr, now);
        true
    }

    /// Read access (lock order: see `runtime/ctx.rs`).
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, PeerGameDB> {
        self.db.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Write access (lock order: see `runtime/ctx.rs`).
    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, PeerGameDB> {
        self.db.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The shared database itself (downloads read it from their own tasks).
    pub(crate) fn db(&self) -> Arc<RwLock<PeerGameDB>> {
        self.db.clone()
    }

    /// The address we dial `peer` at.
    pub(crate) fn addr_of(&self, peer: &PeerId) -> Option<std::net::SocketAddr> {
        self.read().get(peer).map(|r| r.addr)
    }

    /// Marks a handshake with `peer` as running; `None` when one runs already. The guard
    /// clears the mark when dropped.
    pub(crate) fn begin_sync(&self, peer: PeerId) -> Option<InFlight<PeerId>> {
        InFlight::begin(&self.syncing, peer)
    }

    /// Marks a connection test of `addr` as running; `None` when one runs already.
    pub(crate) fn begin_test(&self, addr: SocketAddr) -> Option<InFlight<SocketAddr>> {
        InFlight::begin(&self.testing, addr)
    }
}

/// Work in flight for a key (a handshake with a peer, a test of an address): the mark is
/// cleared when the guard is dropped.
#[derive(Debug)]
pub(crate) struct InFlight<K: std::hash::Hash + Eq> {
    set: Arc<Mutex<HashSet<K>>>,
    key: K,
}

impl<K: std::hash::Hash + Eq + Clone> InFlight<K> {
    fn begin(set: &Arc<Mutex<HashSet<K>>>, key: K) -> Option<Self> {
        let mut s = set.lock().unwrap_or_else(|p| p.into_inner());
        s.insert(key.clone()).then(|| Self { set: set.clone(), key })
    }
}

impl<K: std::hash::Hash + Eq> Drop for InFlight<K> {
    fn drop(&mut self) {
        self.set.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_handshake_per_peer_at_a_time() {
        let p = Peers::new(Arc::default());
        let a = PeerId([1; 32]);
        let g = p.begin_sync(a).expect("first");
        assert!(p.begin_sync(a).is_none());
        assert!(p.begin_sync(PeerId([2; 32])).is_some());
        drop(g);
        assert!(p.begin_sync(a).is_some());
        assert!(p.addr_of(&a).is_none());
    }

    #[test]
    fn an_address_is_dialled_at_most_once_per_interval() {
        let p = Peers::new(Arc::default());
        let (a, b) = ("10.0.0.1:7000".parse().unwrap(), "10.0.0.2:7000".parse().unwrap());
        let t = Instant::now();
        assert!(p.may_dial(a, t));
        assert!(!p.may_dial(a, t + DIAL_INTERVAL / 2), "too soon");
        assert!(p.may_dial(b, t), "other addresses are independent");
        assert!(p.may_dial(a, t + DIAL_INTERVAL));
    }
}
