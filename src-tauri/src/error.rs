//! The `{kind, message}` error every command returns and every failure event carries.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Broad class of a failure, for the UI to pick wording and actions.
///
/// Mirrors [`lanspread_peer::ErrorKind`] (same snake_case names) plus the app's own kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
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
    /// Only a single host offers that version and nothing else confirms it.
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
    /// The peer runtime is not running (no usable game directory, or it failed to start).
    NotRunning,
    /// A settings file or catalog could not be read or written.
    Config,
    /// Something unexpected; the message says what.
    Internal,
}

impl From<lanspread_peer::ErrorKind> for ErrorKind {
    fn from(kind: lanspread_peer::ErrorKind) -> Self {
        use lanspread_peer::ErrorKind as P;
        match kind {
            P::InvalidInput => Self::InvalidInput,
            P::NotFound => Self::NotFound,
            P::Busy => Self::Busy,
            P::NoPeers => Self::NoPeers,
            P::Disagreement => Self::Disagreement,
            P::Unverified => Self::Unverified,
            P::Integrity => Self::Integrity,
            P::Network => Self::Network,
            P::Io => Self::Io,
            P::DiskFull => Self::DiskFull,
            P::Unpack => Self::Unpack,
            P::Cancelled => Self::Cancelled,
            P::GameDir => Self::GameDir,
            P::NotAvailable => Self::NotAvailable,
            P::Internal => Self::Internal,
            // The runtime's enum is non-exhaustive; a kind added there shows as internal until
            // it is mirrored here (a test compares both lists).
            _ => Self::Internal,
        }
    }
}

/// An error as the UI shows it: a kind and a plain-words message (what failed, why, what to
/// do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// Broad class.
    pub kind: ErrorKind,
    /// What failed, why, and what to do.
    pub message: String,
}

impl AppError {
    /// Builds an error.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }
}

impl From<lanspread_peer::ErrorInfo> for AppError {
    fn from(e: lanspread_peer::ErrorInfo) -> Self {
        Self { kind: e.kind.into(), message: e.message }
    }
}

impl From<&lanspread_peer::ErrorInfo> for AppError {
    fn from(e: &lanspread_peer::ErrorInfo) -> Self {
        Self { kind: e.kind.into(), message: e.message.clone() }
    }
}

impl From<lanspread_peer::StartError> for AppError {
    fn from(e: lanspread_peer::StartError) -> Self {
        use lanspread_peer::StartError as S;
        let kind = match &e {
            S::StateDirLocked { .. } => ErrorKind::Busy,
            S::StateDir { .. } | S::Identity(_) => ErrorKind::Config,
            S::Quic { .. } | S::Discovery(_) => ErrorKind::Network,
            S::GameDir { .. } => ErrorKind::GameDir,
            _ => ErrorKind::Internal,
        };
        let message = match &e {
            S::StateDirLocked { path, pid } => format!(
                "another lanspread (process {pid}) is already running with the state directory {}; close it and start again",
                path.display()
            ),
            _ => format!("the network peer could not start: {e}"),
        };
        Self { kind, message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every runtime kind keeps its snake_case name in the app's mirror.
    #[test]
    fn runtime_error_kinds_keep_their_names() {
        use lanspread_peer::ErrorKind as P;
        let all = [
            P::InvalidInput,
            P::NotFound,
            P::Busy,
            P::NoPeers,
            P::Disagreement,
            P::Integrity,
            P::Network,
            P::Io,
            P::DiskFull,
            P::Unpack,
            P::Cancelled,
            P::GameDir,
            P::NotAvailable,
            P::Internal,
        ];
        for kind in all {
            let theirs = serde_json::to_value(kind).unwrap();
            let ours = serde_json::to_value(ErrorKind::from(kind)).unwrap();
            assert_eq!(theirs, ours);
        }
    }

    #[test]
    fn serializes_as_kind_and_message() {
        let e = AppError::new(ErrorKind::GameDir, "D:\\Games is not writable");
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v, serde_json::json!({"kind": "game_dir", "message": "D:\\Games is not writable"}));
    }
}
