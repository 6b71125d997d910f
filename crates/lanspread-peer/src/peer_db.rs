//! `PeerGameDB`: what every other peer holds, as learned from handshakes and deltas, and who
//! is banned for which game (bans outlive the peer's record: a peer that goes silent or says
//! goodbye and comes back is still banned).
//!
//! Each update writes each field exactly once: a snapshot replaces the peer's games and sets
//! rev/digest from the *recomputed* digest; the mDNS TXT path only records the advertised
//! rev/digest so staleness can be detected ([`PeerGameDB::update_peer_library`]).

use std::{
    collections::{BTreeMap, BTreeSet, HashMap, HashSet},
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Instant,
};

use lanspread_proto::{
    Digest, Game, GameId, GameManifest, GameVersion, LibraryDelta, LibraryError, LibrarySnapshot, PeerId,
};

use crate::trust::Holding;

/// What we know about one peer.
#[derive(Debug, Clone)]
pub struct PeerRecord {
    /// The peer's id (verified certificate fingerprint).
    pub id: PeerId,
    /// Display name.
    pub name: String,
    /// Address of its QUIC server we use; its IP is the peer's **host**, the source address of
    /// the verified connection (votes count per host).
    pub addr: SocketAddr,
    /// Revision of the library we hold for it.
    pub library_rev: u64,
    /// Digest we computed for the library we hold.
    pub library_digest: Digest,
    /// Revision/digest it last advertised over mDNS (may be newer than what we hold).
    pub advertised: Option<(u64, String)>,
    /// Games it holds completely.
    pub games: BTreeMap<GameId, Game>,
    /// Manifests it served that were agreed on, by game and version.
    pub manifests: HashMap<(GameId, GameVersion), Arc<GameManifest>>,
    /// Last successful exchange.
    pub last_seen: Instant,
}

impl PeerRecord {
    /// The peer's host: the address of its verified connection.
    pub fn host(&self) -> IpAddr {
        self.addr.ip()
    }
}

/// Who is not used for one game.
#[derive(Debug, Default, Clone)]
struct Bans {
    /// Identities: outvoted, or caught lying.
    peers: HashSet<PeerId>,
    /// Hosts caught lying (a wrong chunk, a manifest that contradicts a pin): every identity on
    /// them is out.
    hosts: HashSet<IpAddr>,
}

/// Aggregated knowledge about all live peers.
#[derive(Debug, Default)]
pub struct PeerGameDB {
    peers: HashMap<PeerId, PeerRecord>,
    /// Per game; never forgotten while this database lives.
    bans: HashMap<GameId, Bans>,
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

    /// Whether `id` is known and its latest advert names a newer library than the one we hold
    /// (or the same revision with another digest).
    pub fn behind_advert(&self, id: &PeerId) -> bool {
        self.peers.get(id).is_some_and(|rec| {
            rec.advertised.as_ref().is_some_and(|(rev, digest)| {
                *rev > rec.library_rev || (*rev == rec.library_rev && rec.library_digest.to_hex() != *digest)
            })
        })
    }

    /// Marks a peer as alive now; returns the library revision we hold of it (`None`: not
    /// known).
    pub fn touch(&mut self, id: &PeerId) -> Option<u64> {
        let rec = self.peers.get_mut(id)?;
        rec.last_seen = Instant::now();
        Some(rec.library_rev)
    }

    /// Stores a manifest a peer served.
    pub fn record_manifest(&mut self, id: &PeerId, manifest: Arc<GameManifest>) {
        if let Some(rec) = self.peers.get_mut(id) {
            rec.manifests.insert((manifest.game_id.clone(), manifest.version.clone()), manifest);
        }
    }

    /// Stops using identity `id` for `game` (it served a minority manifest). Its host is not
    /// banned: being outvoted proves nothing.
    pub fn ban_for_game(&mut self, id: &PeerId, game: &GameId) {
        self.bans.entry(game.clone()).or_default().peers.insert(*id);
    }

    /// Stops using `id` and every identity on its host for `game`: it was caught in a proven lie
    /// (data that failed verification, a manifest that contradicts a pin or its request).
    pub fn ban_liar(&mut self, id: &PeerId, game: &GameId) {
        let host = self.peers.get(id).map(PeerRecord::host);
        let bans = self.bans.entry(game.clone()).or_default();
        bans.peers.insert(*id);
        bans.hosts.extend(host);
    }

    /// Whether `id` (or its host) is banned for `game`.
    pub fn is_banned(&self, id: &PeerId, game: &GameId) -> bool {
        let Some(bans) = self.bans.get(game) else { return false };
        bans.peers.contains(id) || self.peers.get(id).is_some_and(|r| bans.hosts.contains(&r.host()))
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

    /// What the peers that are not banned for `game` hold of it (the trust rule's input).
    pub fn holdings(&self, game: &GameId) -> Vec<Holding> {
        self.peers
            .values()
            .filter(|p| !self.is_banned(&p.id, game))
            .filter_map(|p| {
                let g = p.games.get(game)?;
                Some(Holding {
                    peer: p.id,
                    host: p.host(),
                    version: g.version.clone(),
                    unverified: g.unverified,
                })
            })
            .collect()
    }

    /// Peers announcing `game` at `version` that are not banned for it.
    pub fn peers_with(&self, game: &GameId, version: &GameVersion) -> Vec<PeerId> {
        let mut out: Vec<PeerId> = self
            .peers
            .values()
            .filter(|p| !self.is_banned(&p.id, game))
            .filter(|p| p.games.get(game).is_some_and(|g| &g.version == version))
            .map(|p| p.id)
            .collect();
        out.sort();
        out
    }

    /// Every game id any peer announces.
    pub fn titles(&self) -> BTreeSet<GameId> {
        self.peers.values().flat_map(|p| p.games.keys().cloned()).collect()
    }

    /// The payload size of `game` at `version` as announced (0 when nobody announces it).
    pub fn size_of(&self, game: &GameId, version: &GameVersion) -> u64 {
        self.peers
            .values()
            .filter_map(|p| p.games.get(game))
            .find(|g| &g.version == version)
            .map_or(0, |g| g.size_bytes)
    }

    /// The display name of `peer`.
    pub fn name_of(&self, peer: &PeerId) -> Option<&str> {
        self.peers.get(peer).map(|r| r.name.as_str())
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
            unverified: false,
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
        assert_eq!(db.holdings(&q3).len(), 2);
        assert_eq!(db.peers_with(&q3, &GameVersion::new("2").unwrap()), vec![b]);

        let old = LibrarySnapshot::new(1, vec![game("q3", "1")]);
        let new = LibrarySnapshot::new(2, vec![game("q3", "3")]);
        let applied = db.apply_delta(&a, &LibraryDelta::between(&old, &new)).unwrap();
        assert!(applied.games_changed);
        assert_eq!(db.peers_with(&q3, &GameVersion::new("3").unwrap()), vec![a]);
        assert_eq!(db.get(&a).unwrap().library_rev, 2);
        assert_eq!(db.get(&a).unwrap().library_digest, new.digest);

        assert_eq!(db.titles().len(), 2);
        assert_eq!(db.size_of(&q3, &GameVersion::new("3").unwrap()), 10);
        db.ban_for_game(&a, &q3);
        assert!(db.peers_with(&q3, &GameVersion::new("3").unwrap()).is_empty());
        db.remove_peer(&b);
        assert_eq!(db.peer_count(), 1);
    }

    #[test]
    fn bans_survive_silence_and_goodbye_and_a_liar_takes_its_host_along() {
        let mut db = PeerGameDB::new();
        let q3 = GameId::new("q3").unwrap();
        let at = |ip: [u8; 4]| SocketAddr::from((ip, 4000));
        let (liar, twin, honest, outvoted) =
            (PeerId([1; 32]), PeerId([2; 32]), PeerId([3; 32]), PeerId([4; 32]));
        for (p, ip) in
            [(liar, [10, 0, 0, 9]), (twin, [10, 0, 0, 9]), (honest, [10, 0, 0, 1]), (outvoted, [10, 0, 0, 4])]
        {
            db.apply_snapshot(p, "p", at(ip), LibrarySnapshot::new(1, vec![game("q3", "1")])).unwrap();
        }
        db.ban_liar(&liar, &q3);
        db.ban_for_game(&outvoted, &q3);
        assert!(db.is_banned(&liar, &q3) && db.is_banned(&twin, &q3), "a liar's host is out");
        assert!(db.is_banned(&outvoted, &q3) && !db.is_banned(&honest, &q3));
        assert!(!db.is_banned(&liar, &GameId::new("cs").unwrap()), "per game");
        let holders: Vec<PeerId> = db.holdings(&q3).into_iter().map(|h| h.peer).collect();
        assert_eq!(holders, vec![honest]);
        // Silence or a goodbye removes the record; the ban stays when the peer comes back.
        db.remove_peer(&liar);
        db.remove_peer(&outvoted);
        db.apply_snapshot(liar, "p", at([10, 0, 0, 9]), LibrarySnapshot::new(2, vec![game("q3", "1")]))
            .unwrap();
        db.apply_snapshot(outvoted, "p", at([10, 0, 0, 5]), LibrarySnapshot::new(2, vec![game("q3", "1")]))
            .unwrap();
        assert!(db.is_banned(&liar, &q3) && db.is_banned(&outvoted, &q3));
        assert_eq!(db.peers_with(&q3, &GameVersion::new("1").unwrap()), vec![honest]);
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

    /// The advert runs ahead of what we hold until the pushed delta lands; an advert older
    /// than what a delta already brought is not "behind"; a pong compares with what we hold.
    #[test]
    fn behind_advert_until_the_delta_lands() {
        let mut db = PeerGameDB::new();
        let a = PeerId([1; 32]);
        let v4 = LibrarySnapshot::new(4, vec![game("q3", "1")]);
        let v5 = LibrarySnapshot::new(5, vec![game("q3", "1"), game("cs", "1")]);
        assert!(!db.behind_advert(&a), "unknown peer");
        db.apply_snapshot(a, "a", addr(), v4.clone()).unwrap();
        assert!(!db.behind_advert(&a), "no advert yet");
        assert!(db.update_peer_library(&a, 5, &v5.digest.to_hex()));
        assert!(db.behind_advert(&a), "advert of rev 5, holding rev 4");
        db.apply_delta(&a, &LibraryDelta::between(&v4, &v5)).unwrap();
        assert!(!db.behind_advert(&a), "the delta brought rev 5");
        db.update_peer_library(&a, 4, &v4.digest.to_hex());
        assert!(!db.behind_advert(&a), "a late advert of rev 4 is not news");
        db.update_peer_library(&a, 5, &"00".repeat(32));
        assert!(db.behind_advert(&a), "same revision, another library: re-sync");
        assert_eq!(db.touch(&a), Some(5));
        assert_eq!(db.touch(&PeerId([9; 32])), None);
    }
}
