//! Swarm messages: peers that are downloading the same game (same agreed manifest) tell each
//! other which chunks they have verified and serve those chunks to each other, so one copy from
//! the original seeder spreads through the room.
//!
//! Chunks are numbered globally over the manifest's files in manifest order (file 0's chunks
//! first, then file 1's, …), see [`global_chunk_index`].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{
    ids::{Digest, GameId, PeerId},
    manifest::GameManifest,
    version::GameVersion,
};

/// Most chunks a swarm may track (a 16 MiB-chunk manifest of 160 TB).
pub const MAX_SWARM_CHUNKS: u64 = 10_000_000;

/// Most chunk numbers one [`Have`] may carry.
pub const MAX_HAVE_CHUNKS: usize = 65_536;

/// Most members a [`SwarmPeers`] answer lists.
pub const MAX_SWARM_MEMBERS: usize = 256;

/// A set of chunk numbers `0..len`, one bit each; on the wire `{"len": N, "bits": "<hex>"}`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Bitfield {
    len: u64,
    bits: Vec<u8>,
}

impl Bitfield {
    /// An empty set over `len` chunks.
    pub fn new(len: u64) -> Self {
        Self { len, bits: vec![0; len.div_ceil(8) as usize] }
    }

    /// A full set over `len` chunks.
    pub fn full(len: u64) -> Self {
        let mut b = Self::new(len);
        for i in 0..len {
            b.set(i);
        }
        b
    }

    /// Number of chunks covered.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the set covers no chunks.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether chunk `i` is in the set.
    pub fn get(&self, i: u64) -> bool {
        i < self.len && self.bits[(i / 8) as usize] & (1 << (i % 8)) != 0
    }

    /// Adds chunk `i` (ignored when out of range).
    pub fn set(&mut self, i: u64) {
        if i < self.len {
            self.bits[(i / 8) as usize] |= 1 << (i % 8);
        }
    }

    /// Number of chunks in the set.
    pub fn count(&self) -> u64 {
        self.bits.iter().map(|b| u64::from(b.count_ones())).sum()
    }

    /// Whether every chunk is in the set.
    pub fn is_full(&self) -> bool {
        self.count() == self.len
    }

    /// Chunks in this set and not in `other`, ascending (chunks beyond `other`'s length
    /// count as not in it). Skips a byte of eight chunks at a time.
    pub fn difference<'a>(&'a self, other: &'a Bitfield) -> impl Iterator<Item = u64> + 'a {
        self.bits.iter().enumerate().flat_map(move |(i, &b)| {
            let new = b & !other.bits.get(i).copied().unwrap_or(0);
            (0..8u64).filter(move |k| new & (1 << k) != 0).map(move |k| i as u64 * 8 + k)
        })
    }
}

impl fmt::Debug for Bitfield {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bitfield({}/{})", self.count(), self.len)
    }
}

#[derive(Serialize, Deserialize)]
struct BitfieldWire {
    len: u64,
    bits: String,
}

impl Serialize for Bitfield {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        BitfieldWire { len: self.len, bits: hex::encode(&self.bits) }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Bitfield {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let w = BitfieldWire::deserialize(d)?;
        if w.len > MAX_SWARM_CHUNKS {
            return Err(D::Error::custom(format!("bitfield of {} chunks exceeds {MAX_SWARM_CHUNKS}", w.len)));
        }
        let bits = hex::decode(&w.bits).map_err(D::Error::custom)?;
        if bits.len() as u64 != w.len.div_ceil(8) {
            return Err(D::Error::custom("bitfield length does not match its bits"));
        }
        // Bits past `len` must be clear, so equal sets have one encoding.
        if w.len % 8 != 0 && bits.last().is_some_and(|b| b >> (w.len % 8) != 0) {
            return Err(D::Error::custom("bitfield has bits set past its length"));
        }
        Ok(Self { len: w.len, bits })
    }
}

/// The global number of chunk `index` of file `file` in `manifest`.
pub fn global_chunk_index(manifest: &GameManifest, file: usize, index: u64) -> u64 {
    manifest.files[..file].iter().map(|f| f.chunks.len() as u64).sum::<u64>() + index
}

/// Joins (or refreshes membership in) the swarm of a game download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwarmJoin {
    /// The game.
    pub game_id: GameId,
    /// The version being downloaded.
    pub version: GameVersion,
    /// Digest of the agreed manifest; only peers with the same digest swarm together.
    pub manifest_digest: Digest,
    /// Chunks the sender has verified.
    pub have: Bitfield,
}

/// One member of a swarm as known to the answering peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwarmMember {
    /// The member.
    pub peer_id: PeerId,
    /// Chunks it has verified (full for a complete copy).
    pub have: Bitfield,
}

/// Answer to [`SwarmJoin`]: the members the answering peer knows, itself included when it
/// holds chunks of that manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwarmPeers {
    /// Known members.
    pub members: Vec<SwarmMember>,
}

/// Chunks the sender verified since its last announcement (batched).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Have {
    /// The game.
    pub game_id: GameId,
    /// Digest of the agreed manifest.
    pub manifest_digest: Digest,
    /// Newly verified global chunk numbers.
    pub chunks: Vec<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitfield_round_trips_and_rejects_garbage() {
        let mut b = Bitfield::new(11);
        b.set(0);
        b.set(10);
        b.set(99);
        assert_eq!(b.count(), 2);
        assert!(b.get(10) && !b.get(9) && !b.get(99));
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(json, r#"{"len":11,"bits":"0104"}"#);
        assert_eq!(serde_json::from_str::<Bitfield>(&json).unwrap(), b);
        assert!(Bitfield::full(11).is_full());
        for bad in [
            r#"{"len":11,"bits":"01"}"#,
            r#"{"len":11,"bits":"01ff"}"#,
            r#"{"len":99999999,"bits":""}"#,
            r#"{"len":8,"bits":"zz"}"#,
        ] {
            assert!(serde_json::from_str::<Bitfield>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn difference_lists_the_chunks_only_in_the_first_set() {
        let mut a = Bitfield::new(20);
        let mut b = Bitfield::new(20);
        for i in [0, 3, 8, 9, 15, 19] {
            a.set(i);
        }
        for i in [3, 9, 10] {
            b.set(i);
        }
        assert_eq!(a.difference(&b).collect::<Vec<_>>(), vec![0, 8, 15, 19]);
        assert_eq!(b.difference(&a).collect::<Vec<_>>(), vec![10]);
        assert_eq!(a.difference(&a).count(), 0);
        assert_eq!(
            a.difference(&Bitfield::new(4)).collect::<Vec<_>>(),
            vec![0, 3, 8, 9, 15, 19],
            "shorter other"
        );
    }
}
