//! lanspread-peer: the networking runtime that lets lanspread nodes find each other on the
//! local network, exchange library metadata and transfer game files.
//!
//! - [`start_peer`] / [`start_peer_with`] boot the runtime and return a
//!   [`PeerRuntimeHandle`]; [`PeerCommand`]s go in, [`PeerEvent`]s come out.
//! - [`PeerGameDB`] aggregates what other peers hold; [`game_db::aggregate`] merges it with
//!   the local library into the list the UI shows (including local-only titles).
//! - [`library::scan_local_library`] reads the game directory; [`install`] holds the install
//!   transactions.

pub mod api;
pub mod beacon;
mod discovery;
mod download;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzz;
pub mod game_db;
pub mod identity;
pub mod install;
pub mod launch;
pub mod library;
mod monitor;
mod net;
mod ops;
pub mod peer_db;
mod ping;
mod platform;
mod runtime;
mod swarm;
mod tasks;
mod tls;
pub mod trust;
mod verify;

pub use api::*;
pub use error::{ErrorInfo, ErrorKind, StartError};
pub use lanspread_unpack::Unpacker;
pub use peer_db::PeerGameDB;
pub use runtime::{
    DEFAULT_PORT, DiscoveryMode, EventSender, MAX_KNOWN_PEERS, PeerOptions, PeerRuntimeHandle, Timing,
    Tuning, start_peer, start_peer_with,
};
