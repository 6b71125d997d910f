//! [`Peers`]: what other peers hold ([`PeerGameDB`], shared with the embedding app) and which
//! handshakes are in flight.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard},
};

use lanspread_proto::PeerId;

use crate::peer_db::PeerGameDB;

/// The peer database and the handshakes in flight (two locks, never held together).
#[derive(Debug)]
pub(crate) struct Peers {
    db: Arc<RwLock<PeerGameDB>>,
    syncing: Arc<Mutex<HashSet<PeerId>>>,
}

impl Peers {
    pub(crate) fn new(db: Arc<RwLock<PeerGameDB>>) -> Self {
        Self { db, syncing: Arc::default() }
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
    pub(crate) fn begin_sync(&self, peer: PeerId) -> Option<SyncGuard> {
        let mut s = self.syncing.lock().unwrap_or_else(|p| p.into_inner());
        s.insert(peer).then(|| SyncGuard { syncing: self.syncing.clone(), peer })
    }
}

/// A handshake in flight (see [`Peers::begin_sync`]).
#[derive(Debug)]
pub(crate) struct SyncGuard {
    syncing: Arc<Mutex<HashSet<PeerId>>>,
    peer: PeerId,
}

impl Drop for SyncGuard {
    fn drop(&mut self) {
        self.syncing.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.peer);
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
}
