//! Errors of the peer runtime, and the `{kind, message}` form the UI and CLI show.

use serde::{Deserialize, Serialize};

/// Broad class of a failure, for UIs and scripts to react on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request is malformed or names something invalid.
    InvalidInput,
    /// The game, file or peer does not exist.
    NotFound,
    /// Another operation runs on that game.
    Busy,
    /// No peer offers what is needed.
    NoPeers,
    /// Peers disagree about a game's content and no majority exists.
    Disagreement,
    /// Only a single host offers that version and nothing else confirms it; it is installed
    /// only on an explicit request.
    Unverified,
    /// A peer sent data that failed verification.
    Integrity,
    /// Talking to a peer failed.
    Network,
    /// Reading or writing local files failed.
    Io,
    /// Not enough disk space.
    DiskFull,
    /// Archive extraction failed.
    Unpack,
    /// The operation was cancelled.
    Cancelled,
    /// The game directory is missing or unusable.
    GameDir,
    /// The feature is not available yet in this build.
    NotAvailable,
    /// Something unexpected; the message says what.
    Internal,
}

impl ErrorKind {
    /// The kind of a local I/O failure: a full disk or an exhausted quota is `DiskFull` (on
    /// every platform: the standard library maps ENOSPC/EDQUOT and ERROR_DISK_FULL alike),
    /// anything else `Io`.
    pub fn of_io(e: &std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => Self::DiskFull,
            _ => Self::Io,
        }
    }
}

/// An error as shown to users: a kind and a plain-words message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ErrorInfo {
    /// Broad class.
    pub kind: ErrorKind,
    /// What failed, why, and what to do.
    pub message: String,
}

impl ErrorInfo {
    /// Builds an error.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }
}

/// Errors when starting the runtime.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The state directory is used by another process.
    #[error(
        "state directory {path} is in use by another lanspread process (pid {pid}); stop it or pass a different --state-dir"
    )]
    StateDirLocked {
        /// The state directory.
        path: std::path::PathBuf,
        /// The process holding the lock, as recorded in the lock file.
        pid: String,
    },
    /// A file in the state directory could not be read or written.
    #[error("state directory {path}: {error}")]
    StateDir {
        /// The path.
        path: std::path::PathBuf,
        /// The OS error (in the message; not repeated as a source).
        error: std::io::Error,
    },
    /// The TLS identity could not be created or loaded.
    #[error("TLS identity: {0}")]
    Identity(String),
    /// The QUIC endpoint could not start.
    #[error("could not start the QUIC endpoint on {addr}: {message}")]
    Quic {
        /// The address.
        addr: std::net::SocketAddr,
        /// What s2n-quic reported.
        message: String,
    },
    /// mDNS could not start.
    #[error("could not start mDNS discovery: {0}")]
    Discovery(String),
    /// The game directory is not usable.
    #[error("game directory {path}: {message}")]
    GameDir {
        /// The path.
        path: std::path::PathBuf,
        /// What is wrong.
        message: String,
    },
}
