//! `PeerGameDB`: what every other peer holds, as learned from handshakes and deltas.
//!
//! Each update writes each field exactly once: a snapshot replaces the peer's games and sets
//! rev/digest from the *recomputed* digest; the mDNS TXT path only records the advertised
//! rev/digest so staleness can be detected ([`PeerGameDB::update_peer_library`]).

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    net::SocketAddr,
    sync::Arc,
    time::Instant,
};

use lanspread_proto::{
    Digest, Game, GameId, GameManifest, GameVersion, LibraryDelta, LibraryError, LibrarySnapshot, PeerId,
    version,
};

/// What we know about one peer.
#[derive(Debug, Clone)]
pub struct PeerRecord {
    /// The peer's id (verified certificate fingerprint).
    pub id: PeerId,
    /// Display name.
    pub name: String,
    /// Address of its QUIC server we use.
    pub addr: SocketAddr,
    /// Revision of the library we hold for it.
    pub library_rev: u64,
    /// Digest we computed for the library we hold.
    pub library_digest: Digest,
    /// Revision/digest it last advertised over mDNS (may be newer than what we hold).
    pub advertised: Option<(u64, String)>,
    /// Games it holds completely.
    pub games: BTreeMap<GameId, Game>,
    /// Manifests it served, by game and version.
    pub manifests: HashMap<(GameId, GameVersion), Arc<GameManifest>>,
    /// Games for which it misbehaved; it is not used for them again.
    pub banned_for: HashSet<GameId>,
    /// Last successful exchange.
    pub last_seen: Instant,
}

/// Aggregated knowledge about all live peers.
#[derive(Debug, Default)]
pub struct PeerGameDB {
    peers: HashMap<PeerId, PeerRecord>,
}

/// The outcome of applying a library update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The peer was not known before.
    pub new_peer: bool,
    /// Its game list changed.
    pub games_changed: bool,
}

impl PeerGameDB {
    /// An empty database.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies a full snapshot (handshake) for `id`, creating the record if needed.
    pub fn apply_snapshot(
        &mut self,
        id: PeerId,
        name: &str,
        addr: SocketAddr,
        snapshot: LibrarySnapshot,
    ) -> Result<Applied, LibraryError> {
        let (rev, games, digest) = snapshot.into_checked()?;
        let now = Instant::now();
        match self.peers.get_mut(&id) {
            Some(rec) => {
                let games_changed = rec.games != games;
                rec.name = name.to_string();
                rec.addr = addr;
                rec.library_rev = rev;
                rec.library_digest = digest;
                rec.games = games;
                rec.last_seen = now;
                if games_changed {
                    let live: HashSet<(GameId, GameVersion)> =
                        rec.games.values().map(|g| (g.id.clone(), g.version.clone())).collect();
                    rec.manifests.retain(|k, _| live.contains(k));
                }
                Ok(Applied { new_peer: false, games_changed })
            }
            None => {
                let games_changed = !games.is_empty();
                self.peers.insert(
                    id,
                    PeerRecord {
                        id,
                        name: name.to_string(),
                        addr,
                        library_rev: rev,
                        library_digest: digest,
                        advertised: None,
                        games,
                        manifests: HashMap::new(),
                        banned_for: HashSet::new(),
                        last_seen: now,
                    },
                );
                Ok(Applied { new_peer: true, games_changed })
            }
        }
    }

    /// Applies a pushed delta. On error the record is unchanged and the caller re-syncs.
    pub fn apply_delta(&mut self, id: &PeerId, delta: &LibraryDelta) -> Result<Applied, LibraryError> {
        let Some(rec) = self.peers.get_mut(id) else {
            return Err(LibraryError::RevisionGap { base: delta.base_rev, held: 0 });
        };
        let before = rec.games.clone();
        let digest = delta.apply(rec.library_rev, &mut rec.games)?;
        rec.library_rev = delta.library_rev;
        rec.library_digest = digest;
        rec.last_seen = Instant::now();
        let live: HashSet<(GameId, GameVersion)> =
            rec.games.values().map(|g| (g.id.clone(), g.version.clone())).collect();
        rec.manifests.retain(|k, _| live.contains(k));
        Ok(Applied { new_peer: false, games_changed: before != rec.games })
    }

    /// Records the rev/digest a peer advertises over mDNS. Returns true when it differs from
    /// the library we hold (a re-sync is needed). Unknown peers return true.
    pub fn update_peer_library(&mut self, id: &PeerId, rev: u64, digest: &str) -> bool {
        match self.peers.get_mut(id) {
            Some(rec) => {
                rec.advertised = Some((rev, digest.to_string()));
                rec.library_rev != rev || rec.library_digest.to_hex() != digest
            }
            None => true,
        }
    }

    /// Marks a peer as alive now.
    pub fn touch(&mut self, id: &PeerId) {
        if let Some(rec) = self.peers.get_mut(id) {
            rec.last_seen = Instant::now();
        }
    }

    /// Stores a manifest a peer served.
    pub fn record_manifest(&mut self, id: &PeerId, manifest: Arc<GameManifest>) {
        if let Some(rec) = self.peers.get_mut(id) {
            rec.manifests.insert((manifest.game_id.clone(), manifest.version.clone()), manifest);
        }
    }

    /// Stops using `id` for `game` (it served bad data or a minority manifest).
    pub fn ban_for_game(&mut self, id: &PeerId, game: &GameId) {
        if let Some(rec) = self.peers.get_mut(id) {
            rec.banned_for.insert(game.clone());
        }
    }

    /// Removes a peer; returns its record.
    pub fn remove_peer(&mut self, id: &PeerId) -> Option<PeerRecord> {
        self.peers.remove(id)
    }

    /// The record of `id`.
    pub fn get(&self, id: &PeerId) -> Option<&PeerRecord> {
        self.peers.get(id)
    }

    /// Whether `id` is known.
    pub fn contains(&self, id: &PeerId) -> bool {
        self.peers.contains_key(id)
    }

    /// All peers.
    pub fn peers(&self) -> impl Iterator<Item = &PeerRecord> {
        self.peers.values()
    }

    /// Number of live peers.
    pub fn peer_count(&self) -> usize {
        self.peers.len()
    }

    /// The highest version of `game` any peer announces.
    pub fn latest_version(&self, game: &GameId) -> Option<GameVersion> {
        let versions: Vec<&GameVersion> =
            self.peers.values().filter_map(|p| p.games.get(game)).map(|g| &g.version).collect();
        version::latest(versions).cloned()
    }

    /// Peers announcing `game` at `version` that are not banned for it.
    pub fn peers_with(&self, game: &GameId, version: &GameVersion) -> Vec<PeerId> {
        let mut out: Vec<PeerId> = self
            .peers
            .values()
            .filter(|p| !p.banned_for.contains(game))
            .filter(|p| p.games.get(game).is_some_and(|g| &g.version == version))
            .map(|p| p.id)
            .collect();
        out.sort();
        out
    }

    /// Every game id any peer announces, with the latest version and how many peers hold it.
    pub fn remote_titles(&self) -> BTreeMap<GameId, (GameVersion, usize, u64)> {
        let mut ids: BTreeMap<GameId, ()> = BTreeMap::new();
        for p in self.peers.values() {
            for id in p.games.keys() {
                ids.insert(id.clone(), ());
            }
        }
        ids.into_keys()
            .filter_map(|id| {
                let latest = self.latest_version(&id)?;
                let holders: Vec<&Game> = self
                    .peers
                    .values()
                    .filter_map(|p| p.games.get(&id))
                    .filter(|g| g.version == latest)
                    .collect();
                let size = holders.first().map_or(0, |g| g.size_bytes);
                Some((id, (latest, holders.len(), size)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn game(id: &str, v: &str) -> Game {
        Game {
            id: GameId::new(id).unwrap(),
            version: GameVersion::new(v).unwrap(),
            size_bytes: 10,
            file_count: 1,
            manifest_digest: None,
        }
    }

    fn addr() -> SocketAddr {
        "127.0.0.1:1".parse().unwrap()
    }

    #[test]
    fn snapshot_then_delta_then_latest() {
        let mut db = PeerGameDB::new();
        let a = PeerId([1; 32]);
        let b = PeerId([2; 32]);
        let applied =
            db.apply_snapshot(a, "a", addr(), LibrarySnapshot::new(1, vec![game("q3", "1")])).unwrap();
        assert_eq!(applied, Applied { new_peer: true, games_changed: true });
        db.apply_snapshot(b, "b", addr(), LibrarySnapshot::new(5, vec![game("q3", "2"), game("cs", "1")]))
            .unwrap();
        let q3 = GameId::new("q3").unwrap();
        assert_eq!(db.latest_version(&q3).unwrap().as_str(), "2");
        assert_eq!(db.peers_with(&q3, &GameVersion::new("2").unwrap()), vec![b]);

        let old = LibrarySnapshot::new(1, vec![game("q3", "1")]);
        let new = LibrarySnapshot::new(2, vec![game("q3", "3")]);
        let applied = db.apply_delta(&a, &LibraryDelta::between(&old, &new)).unwrap();
        assert!(applied.games_changed);
        assert_eq!(db.latest_version(&q3).unwrap().as_str(), "3");
        assert_eq!(db.get(&a).unwrap().library_rev, 2);
        assert_eq!(db.get(&a).unwrap().library_digest, new.digest);

        let titles = db.remote_titles();
        assert_eq!(titles[&q3].1, 1);
        db.ban_for_game(&a, &q3);
        assert!(db.peers_with(&q3, &GameVersion::new("3").unwrap()).is_empty());
        db.remove_peer(&b);
        assert_eq!(db.peer_count(), 1);
    }

    #[test]
    fn stale_advert_is_detected_and_delta_gap_refused() {
        let mut db = PeerGameDB::new();
        let a = PeerId([1; 32]);
        let snap = LibrarySnapshot::new(4, vec![game("q3", "1")]);
        let digest = snap.digest.to_hex();
        db.apply_snapshot(a, "a", addr(), snap).unwrap();
        assert!(!db.update_peer_library(&a, 4, &digest));
        assert!(db.update_peer_library(&a, 5, &digest));
        assert!(db.update_peer_library(&PeerId([9; 32]), 0, &digest), "unknown peers need a sync");
        let old = LibrarySnapshot::new(2, vec![]);
        let new = LibrarySnapshot::new(3, vec![game("x", "1")]);
        assert!(db.apply_delta(&a, &LibraryDelta::between(&old, &new)).is_err());
        assert_eq!(db.get(&a).unwrap().library_rev, 4, "unchanged after a refused delta");
    }
}
