//! Identifiers that cross the wire: game ids, peer ids and content hashes.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Maximum length of a [`GameId`] in bytes.
pub const MAX_GAME_ID_LEN: usize = 64;

/// A catalog game id: `[a-z0-9][a-z0-9_-]{0,63}`.
///
/// The id doubles as the name of the game's root directory, so the rule keeps it a safe,
/// portable single path component on every platform.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GameId(String);

/// Why a string is not a valid [`GameId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GameIdError {
    /// The id is empty.
    #[error("game id is empty")]
    Empty,
    /// The id is longer than [`MAX_GAME_ID_LEN`] bytes.
    #[error("game id is {len} bytes long; at most {MAX_GAME_ID_LEN} are allowed")]
    TooLong {
        /// Length of the rejected id in bytes.
        len: usize,
    },
    /// The first character is not `a-z` or `0-9`.
    #[error("game id must start with a-z or 0-9, not {found:?}")]
    BadStart {
        /// The offending first character.
        found: char,
    },
    /// A character outside `a-z0-9_-`.
    #[error("game id may only contain a-z, 0-9, '_' and '-'; found {found:?} at byte {at}")]
    BadChar {
        /// The offending character.
        found: char,
        /// Its byte offset.
        at: usize,
    },
}

impl GameId {
    /// Validates and wraps `id`.
    pub fn new(id: impl Into<String>) -> Result<Self, GameIdError> {
        let id = id.into();
        Self::validate(&id)?;
        Ok(Self(id))
    }

    /// Checks `id` against the game id rule without allocating.
    pub fn validate(id: &str) -> Result<(), GameIdError> {
        let mut chars = id.char_indices();
        let Some((_, first)) = chars.next() else {
            return Err(GameIdError::Empty);
        };
        if id.len() > MAX_GAME_ID_LEN {
            return Err(GameIdError::TooLong { len: id.len() });
        }
        if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
            return Err(GameIdError::BadStart { found: first });
        }
        for (at, c) in chars {
            if !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-') {
                return Err(GameIdError::BadChar { found: c, at });
            }
        }
        Ok(())
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GameId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for GameId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GameId({})", self.0)
    }
}

impl FromStr for GameId {
    type Err = GameIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl AsRef<str> for GameId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for GameId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for GameId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::new(s).map_err(serde::de::Error::custom)
    }
}

/// A 32-byte value shown as 64 lowercase hex characters.
macro_rules! hex32 {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// The raw 32 bytes.
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            /// Lowercase hex, 64 characters.
            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }

            /// The first 8 hex characters, for logs and UI labels.
            pub fn short(&self) -> String {
                hex::encode(&self.0[..4])
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.short())
            }
        }

        impl FromStr for $name {
            type Err = HexError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                if s.len() != 64 {
                    return Err(HexError::Length { len: s.len() });
                }
                let mut out = [0u8; 32];
                hex::decode_to_slice(s, &mut out).map_err(|_| HexError::NotHex)?;
                if s.bytes().any(|b| b.is_ascii_uppercase()) {
                    return Err(HexError::NotLowercase);
                }
                Ok(Self(out))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut buf = [0u8; 64];
                // Cannot fail: the buffer is exactly twice the input length.
                hex::encode_to_slice(self.0, &mut buf).map_err(serde::ser::Error::custom)?;
                s.serialize_str(std::str::from_utf8(&buf).map_err(serde::ser::Error::custom)?)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("64 lowercase hex characters")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        v.parse().map_err(E::custom)
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

/// Why a string is not a 32-byte hex value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HexError {
    /// Not exactly 64 characters.
    #[error("expected 64 hex characters, got {len}")]
    Length {
        /// The length that was found.
        len: usize,
    },
    /// A character that is not a hex digit.
    #[error("not a hex string")]
    NotHex,
    /// Uppercase hex digits (the canonical form is lowercase).
    #[error("hex must be lowercase")]
    NotLowercase,
}

hex32! {
    /// A peer's identity: the SHA-256 fingerprint of its self-signed TLS certificate (DER).
    ///
    /// Connections check that the certificate a peer presents hashes to the id it claims, so
    /// nobody can take over a peer id without that peer's private key.
    PeerId
}

hex32! {
    /// A BLAKE3 hash of one chunk of a payload file.
    ChunkHash
}

hex32! {
    /// A BLAKE3 digest over a canonical encoding (library snapshots, manifests).
    Digest
}

impl ChunkHash {
    /// Hashes `data` with BLAKE3.
    pub fn of(data: &[u8]) -> Self {
        Self(*blake3::hash(data).as_bytes())
    }
}

impl Digest {
    /// BLAKE3 of `data`.
    pub fn of(data: &[u8]) -> Self {
        Self(*blake3::hash(data).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn game_id_accepts_the_documented_alphabet() {
        for ok in ["a", "0", "quake3", "unreal-tournament_2004", &"x".repeat(64)] {
            assert!(GameId::new(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn game_id_rejects_with_a_specific_reason() {
        assert_eq!(GameId::new(""), Err(GameIdError::Empty));
        assert_eq!(GameId::new("x".repeat(65)), Err(GameIdError::TooLong { len: 65 }));
        assert_eq!(GameId::new("-ab"), Err(GameIdError::BadStart { found: '-' }));
        assert_eq!(GameId::new("_ab"), Err(GameIdError::BadStart { found: '_' }));
        assert_eq!(GameId::new("Quake"), Err(GameIdError::BadStart { found: 'Q' }));
        assert_eq!(GameId::new("qu ake"), Err(GameIdError::BadChar { found: ' ', at: 2 }));
        assert_eq!(GameId::new("a/b"), Err(GameIdError::BadChar { found: '/', at: 1 }));
        assert_eq!(GameId::new("a.b"), Err(GameIdError::BadChar { found: '.', at: 1 }));
        assert_eq!(GameId::new("ä"), Err(GameIdError::BadStart { found: 'ä' }));
    }

    #[test]
    fn game_id_deserialize_validates() {
        assert!(serde_json::from_str::<GameId>("\"../etc\"").is_err());
        let id: GameId = serde_json::from_str("\"cs16\"").unwrap();
        assert_eq!(id.as_str(), "cs16");
    }

    #[test]
    fn hex_ids_round_trip_and_reject_bad_text() {
        let id = PeerId([0xab; 32]);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
        assert_eq!(serde_json::from_str::<PeerId>(&json).unwrap(), id);
        assert_eq!("ab".parse::<PeerId>(), Err(HexError::Length { len: 2 }));
        assert_eq!("zz".repeat(32).parse::<PeerId>(), Err(HexError::NotHex));
        assert_eq!("AB".repeat(32).parse::<PeerId>(), Err(HexError::NotLowercase));
        assert_eq!(id.short(), "abababab");
    }
}
