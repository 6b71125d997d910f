//! Install transactions: install, update, uninstall and startup recovery of one game root.
//!
//! (Interface fixed; the transaction engine is being implemented.)

use std::{
    path::{Path, PathBuf},
    sync::atomic::AtomicBool,
};

use lanspread_unpack::{UnpackError, Unpacker};

/// Where an install or update is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstallPhase {
    /// Checking archives and free space.
    Preparing,
    /// Extracting archives into the staging directory.
    Extracting,
    /// Carrying user data over and swapping directories.
    Committing,
}

/// Progress of an install or update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstallProgress {
    /// Current phase.
    pub phase: InstallPhase,
    /// Bytes extracted (or copied) so far.
    pub bytes_done: u64,
    /// Bytes to extract in total.
    pub total_bytes: u64,
}

/// The result of a successful install or update.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InstallReport {
    /// Whether an existing `local/` was replaced.
    pub update: bool,
    /// Paths (relative to `local/`, `/`-separated) carried over from the old install.
    pub carried_over: Vec<String>,
    /// Bytes written into `local/`.
    pub bytes: u64,
    /// Files written into `local/`.
    pub files: u64,
}

/// What startup recovery found and did for one game root.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecoveryReport {
    /// Human-readable actions taken (empty when the root was clean).
    pub actions: Vec<String>,
}

/// Why an install transaction failed. The previous state is kept in every case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstallError {
    /// The game has no `version.ini`, so it is not completely downloaded.
    #[error("the game is not completely downloaded (no version.ini)")]
    NotDownloaded,
    /// The game is not installed (uninstall).
    #[error("the game is not installed")]
    NotInstalled,
    /// Not enough free disk space.
    #[error("not enough disk space in {path}: {needed} bytes needed, {available} available")]
    InsufficientSpace {
        /// Where the space is needed.
        path: PathBuf,
        /// Bytes needed.
        needed: u64,
        /// Bytes free.
        available: u64,
    },
    /// Extraction failed.
    #[error(transparent)]
    Unpack(#[from] UnpackError),
    /// A file operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The intent log is unreadable.
    #[error("install log {path} is damaged: {detail}")]
    CorruptLog {
        /// The log file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The operation was cancelled; the previous state was restored.
    #[error("cancelled; the previous install was kept")]
    Cancelled,
}

/// Installs the downloaded game at `root` into `root/local/`, or updates an existing install
/// (keeping user data). Blocking; the caller serializes operations per root.
pub fn install_game(
    root: &Path,
    unpacker: &dyn Unpacker,
    progress: &mut dyn FnMut(InstallProgress),
    cancel: &AtomicBool,
) -> Result<InstallReport, InstallError> {
    let _ = (root, unpacker, progress, cancel);
    Err(InstallError::Io {
        op: "install",
        path: root.to_path_buf(),
        source: std::io::Error::other("install transactions are not available yet"),
    })
}

/// Removes `root/local/` crash-safely. The downloaded payload stays.
pub fn uninstall_game(root: &Path) -> Result<(), InstallError> {
    Err(InstallError::Io {
        op: "uninstall",
        path: root.to_path_buf(),
        source: std::io::Error::other("uninstall is not available yet"),
    })
}

/// Finishes or rolls back whatever an interrupted transaction left in `root`.
pub fn recover_game(root: &Path) -> Result<RecoveryReport, InstallError> {
    let _ = root;
    Ok(RecoveryReport::default())
}
