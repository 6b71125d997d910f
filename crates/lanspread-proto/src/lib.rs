//! Wire types of lanspread: everything two peers say to each other, with no sockets.
//!
//! - [`PROTOCOL_VERSION`] and [`ALPN`]: peers with another version are ignored.
//! - [`Request`] / [`Response`]: one request per bidirectional QUIC stream, framed by
//!   [`frame`] as a length-prefixed JSON message with a hard size cap; file data follows a
//!   [`FileDataHeader`] as raw bytes.
//! - [`Hello`] / [`HelloAck`] carry the full [`LibrarySnapshot`]; [`LibraryDelta`] is pushed
//!   when a library changes.
//! - [`GameManifest`] lists every payload file with per-chunk BLAKE3 hashes ([`chunk`]).
//! - [`GameVersion`] parses `version.ini`; [`Catalog`] parses `catalog.json`.
#![warn(missing_docs)]

pub mod catalog;
pub mod chunk;
pub mod frame;
pub mod ids;
pub mod library;
pub mod manifest;
pub mod messages;
pub mod path;
pub mod swarm;
pub mod version;

pub use catalog::{Catalog, CatalogEntry, CatalogError, Launch, LaunchSpec};
pub use frame::FrameError;
pub use ids::{ChunkHash, Digest, GameId, GameIdError, PeerId};
pub use library::{Game, LibraryDelta, LibraryError, LibrarySnapshot};
pub use manifest::{GameFileDescription, GameManifest, ManifestError};
pub use messages::*;
pub use path::{LOCAL_DIR, RelPath, RelPathError, VERSION_INI, is_reserved_root_name};
pub use swarm::{
    Bitfield, Have, MAX_HAVE_CHUNKS, MAX_SWARM_CHUNKS, MAX_SWARM_MEMBERS, SwarmJoin, SwarmMember, SwarmPeers,
    global_chunk_index,
};
pub use version::{GameVersion, VersionError};

/// The wire protocol version; peers with another version are ignored and logged.
///
/// History: 1 — first release (Hello/HelloAck carry the full library snapshot); 2 — games
/// carry `unverified` (a copy taken from a single host casts no vote in the trust rule).
pub const PROTOCOL_VERSION: u32 = 2;

/// The QUIC ALPN, `lanspread/<PROTOCOL_VERSION>`.
pub const ALPN: &str = "lanspread/2";

/// The mDNS service type peers advertise and browse.
pub const MDNS_SERVICE_TYPE: &str = "_lanspread._udp.local.";

#[cfg(test)]
mod tests {
    #[test]
    fn alpn_names_the_protocol_version() {
        assert_eq!(super::ALPN, format!("lanspread/{}", super::PROTOCOL_VERSION));
    }
}
