//! What a peer announces: the games it holds completely, as snapshots and deltas.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    ids::{Digest, GameId},
    version::GameVersion,
};

/// Most games a library may announce; larger snapshots are refused.
pub const MAX_LIBRARY_GAMES: usize = 20_000;

/// One completely downloaded game as announced to other peers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Game {
    /// Catalog id (also the game root's directory name).
    pub id: GameId,
    /// Version from the game's `version.ini`.
    pub version: GameVersion,
    /// Payload bytes (reserved names excluded).
    pub size_bytes: u64,
    /// Number of payload files.
    pub file_count: u64,
    /// Digest of the manifest, once the peer has hashed the game; `None` until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<Digest>,
    /// The peer took this version from a single host without any other confirmation (an
    /// explicit "install unverified"): it serves it, but its copy casts no vote for it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unverified: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A peer's whole library at revision `library_rev`.
///
/// `digest` is a BLAKE3 over the canonical encoding of `games`; the receiver recomputes it on
/// apply ([`LibrarySnapshot::compute_digest`]) and never trusts the sender's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibrarySnapshot {
    /// Monotonic revision, bumped on every local library change.
    pub library_rev: u64,
    /// Games sorted by id, each id at most once.
    pub games: Vec<Game>,
    /// Digest of `games` as computed by the sender.
    pub digest: Digest,
}

/// Why a snapshot or delta cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LibraryError {
    /// More than [`MAX_LIBRARY_GAMES`] games.
    #[error("library announces {0} games; at most {MAX_LIBRARY_GAMES} are accepted")]
    TooManyGames(usize),
    /// The same id appears twice.
    #[error("library lists game {0} twice")]
    DuplicateGame(GameId),
    /// The delta's base revision is not the revision we hold.
    #[error("delta from revision {base} does not apply to revision {held}")]
    RevisionGap {
        /// The delta's base revision.
        base: u64,
        /// Our revision for that peer.
        held: u64,
    },
    /// After applying, the digest differs from the one the sender announced.
    #[error("library digest mismatch after apply; a full re-sync is needed")]
    DigestMismatch,
}

impl LibrarySnapshot {
    /// Builds a snapshot, sorting games and computing the digest.
    pub fn new(library_rev: u64, mut games: Vec<Game>) -> Self {
        games.sort_by(|a, b| a.id.cmp(&b.id));
        let digest = Self::compute_digest(&games);
        Self { library_rev, games, digest }
    }

    /// The canonical digest of a sorted game list.
    pub fn compute_digest(games: &[Game]) -> Digest {
        let bytes = serde_json::to_vec(games).unwrap_or_default();
        Digest::of(&bytes)
    }

    /// Validates a received snapshot and returns its games keyed by id with the digest
    /// recomputed locally (the sender's `digest` field is ignored).
    pub fn into_checked(self) -> Result<(u64, BTreeMap<GameId, Game>, Digest), LibraryError> {
        if self.games.len() > MAX_LIBRARY_GAMES {
            return Err(LibraryError::TooManyGames(self.games.len()));
        }
        let mut map = BTreeMap::new();
        for g in self.games {
            let id = g.id.clone();
            if map.insert(id.clone(), g).is_some() {
                return Err(LibraryError::DuplicateGame(id));
            }
        }
        let sorted: Vec<Game> = map.values().cloned().collect();
        let digest = Self::compute_digest(&sorted);
        Ok((self.library_rev, map, digest))
    }
}

/// A change to a peer's library, pushed to connected peers when the local library changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryDelta {
    /// The revision this delta applies on top of.
    pub base_rev: u64,
    /// The revision after applying.
    pub library_rev: u64,
    /// Games added or changed.
    pub upserted: Vec<Game>,
    /// Games no longer held.
    pub removed: Vec<GameId>,
    /// Digest of the full library after applying, as computed by the sender.
    pub digest: Digest,
}

impl LibraryDelta {
    /// Computes the delta that turns `old` into `new`.
    pub fn between(old: &LibrarySnapshot, new: &LibrarySnapshot) -> Self {
        let old_map: BTreeMap<&GameId, &Game> = old.games.iter().map(|g| (&g.id, g)).collect();
        let new_map: BTreeMap<&GameId, &Game> = new.games.iter().map(|g| (&g.id, g)).collect();
        let upserted = new.games.iter().filter(|g| old_map.get(&g.id) != Some(g)).cloned().collect();
        let removed =
            old.games.iter().filter(|g| !new_map.contains_key(&g.id)).map(|g| g.id.clone()).collect();
        Self {
            base_rev: old.library_rev,
            library_rev: new.library_rev,
            upserted,
            removed,
            digest: new.digest,
        }
    }

    /// Applies the delta to `games` held at revision `held_rev`; returns the new digest.
    ///
    /// On any error `games` is left unchanged and the caller re-syncs with a full snapshot.
    pub fn apply(&self, held_rev: u64, games: &mut BTreeMap<GameId, Game>) -> Result<Digest, LibraryError> {
        if self.base_rev != held_rev {
            return Err(LibraryError::RevisionGap { base: self.base_rev, held: held_rev });
        }
        let mut next = games.clone();
        for id in &self.removed {
            next.remove(id);
        }
        for g in &self.upserted {
            next.insert(g.id.clone(), g.clone());
        }
        if next.len() > MAX_LIBRARY_GAMES {
            return Err(LibraryError::TooManyGames(next.len()));
        }
        let sorted: Vec<Game> = next.values().cloned().collect();
        let digest = LibrarySnapshot::compute_digest(&sorted);
        if digest != self.digest {
            return Err(LibraryError::DigestMismatch);
        }
        *games = next;
        Ok(digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn game(id: &str, v: &str) -> Game {
        Game {
            id: GameId::new(id).unwrap(),
            version: GameVersion::new(v).unwrap(),
            size_bytes: 100,
            file_count: 2,
            manifest_digest: None,
            unverified: false,
        }
    }

    #[test]
    fn snapshot_digest_is_order_independent() {
        let a = LibrarySnapshot::new(1, vec![game("a", "1"), game("b", "2")]);
        let b = LibrarySnapshot::new(1, vec![game("b", "2"), game("a", "1")]);
        assert_eq!(a.digest, b.digest);
        assert_eq!(a.games[0].id.as_str(), "a");
    }

    #[test]
    fn receiver_recomputes_digest() {
        let mut s = LibrarySnapshot::new(3, vec![game("a", "1")]);
        let honest = s.digest;
        s.digest = Digest([9; 32]);
        let (rev, map, digest) = s.into_checked().unwrap();
        assert_eq!((rev, map.len(), digest), (3, 1, honest));
    }

    #[test]
    fn duplicates_are_refused() {
        let s = LibrarySnapshot {
            library_rev: 1,
            games: vec![game("a", "1"), game("a", "2")],
            digest: Digest([0; 32]),
        };
        assert_eq!(s.into_checked().unwrap_err(), LibraryError::DuplicateGame(GameId::new("a").unwrap()));
    }

    #[test]
    fn delta_between_and_apply_round_trip() {
        let old = LibrarySnapshot::new(1, vec![game("a", "1"), game("b", "1")]);
        let new = LibrarySnapshot::new(2, vec![game("a", "2"), game("c", "1")]);
        let delta = LibraryDelta::between(&old, &new);
        assert_eq!(delta.removed, vec![GameId::new("b").unwrap()]);
        assert_eq!(delta.upserted.len(), 2);
        let (_, mut held, _) = old.clone().into_checked().unwrap();
        assert_eq!(delta.apply(1, &mut held).unwrap(), new.digest);
        assert_eq!(held.values().cloned().collect::<Vec<_>>(), new.games);
    }

    #[test]
    fn delta_gap_or_lie_leaves_state_untouched() {
        let old = LibrarySnapshot::new(1, vec![game("a", "1")]);
        let new = LibrarySnapshot::new(2, vec![game("a", "2")]);
        let mut delta = LibraryDelta::between(&old, &new);
        let (_, mut held, _) = old.into_checked().unwrap();
        let before = held.clone();
        assert_eq!(delta.apply(5, &mut held), Err(LibraryError::RevisionGap { base: 1, held: 5 }));
        delta.digest = Digest([1; 32]);
        assert_eq!(delta.apply(1, &mut held), Err(LibraryError::DigestMismatch));
        assert_eq!(held, before);
    }
}
