//! Install transactions: install, update, uninstall and startup recovery of one game root.
//!
//! A player's installed game and savegames must survive a crash, a power cut, a full disk or a
//! broken archive at any moment. Every transaction therefore moves a root through states that
//! are each either "old" or "new" once recovery has run.
//!
//! # Names in a game root (all reserved: never scanned, served or transferred)
//! - `local/` — the install. Present as a directory ⇔ installed.
//! - `.local.installing/` — the new tree being built (staging).
//! - `.local.backup/` — the previous `local/` during an update's swap.
//! - `.local.removing/` — `local/` being deleted by an uninstall.
//! - `.lanspread_owned` — marker file inside each of the three directories above.
//! - `.lanspread.json` (+ `.tmp`) — the intent log: operation and phase.
//! - `.lanspread.installed.json` (+ `.next`, `.tmp`) — what the current install extracted
//!   (size and mtime per file), used to tell user data from stale game files on update.
//! - `.lanspread.lock` — an OS file lock, held for the length of a transaction or recovery, so
//!   two processes (say the app and the CLI) never work on one root at once. A killed process
//!   releases it; the empty file stays.
//!
//! # Steps
//! Each step is durable before the next starts (intent log: tmp, fsync, rename, fsync dir;
//! renames: fsync the root; extracted files: one `syncfs` / per-file flush before the swap).
//!
//! | op        | phase (log)  | steps                                                            |
//! |-----------|--------------|------------------------------------------------------------------|
//! | install   | `staging`    | create marked staging, extract, write record `.next`, sync tree  |
//! |           | `swapping`   | unmark staging, rename staging → `local/` (commit)                |
//! |           | —            | promote record, delete log                                       |
//! | update    | `staging`    | as install, then carry user data from `local/` into staging      |
//! |           | `swapping`   | rename `local/` → backup, mark backup, unmark staging, rename staging → `local/` (commit) |
//! |           | `cleanup`    | promote record, delete backup (marker last), delete log          |
//! | uninstall | `removing`   | rename `local/` → removing (commit), mark it, delete record, delete tree (marker last), delete log |
//!
//! A preflight runs before the log is written and changes nothing: the archives are found and
//! listed (every entry name is checked), the unpacked size is compared with the free space.
//!
//! # Invariants
//! 1. No log ⇒ no transaction was in flight: `.local.installing/`, `.local.backup/` and
//!    `.local.removing/` can only be leftovers of a damaged or deleted log, and are touched only
//!    if they carry the marker.
//! 2. A reserved directory is deleted only when the log or its marker proves it is ours. Files
//!    outside `local/` and the owned directories are never modified (the payload, `version.ini`,
//!    `.lanspread/` download state, anything the user put there).
//! 3. `local/` exists only as a complete tree: a staging tree becomes `local/` by one rename,
//!    after it was fully written and synced; `local/` disappears by one rename into an owned
//!    directory, so a half-deleted install never looks installed.
//! 4. Phase `staging`: `local/` is untouched ⇒ recovery (and any error or cancellation) rolls
//!    back to the old state by deleting the staging tree.
//! 5. Phase `swapping`/`cleanup`: the staging tree is complete and durable ⇒ recovery rolls
//!    forward to the new state. A runtime error before the commit rename rolls back instead.
//! 6. Phase `removing`: recovery finishes the uninstall.
//! 7. Deleting an owned tree removes its marker last, so a crash midway leaves a directory that
//!    is still provably ours.
//! 8. User data rule on update: see `carry.rs` (files of the old `local/` the new version does
//!    not ship are carried over, except unmodified files of the previous install).
//!
//! Operations on one root are serialized by the caller (the runtime); the lock additionally
//! keeps separate processes apart. Cancellation is honoured until the swap starts; it always
//! leaves the previous state.

use std::{
    path::{Path, PathBuf},
    sync::atomic::AtomicBool,
};

use lanspread_unpack::{UnpackError, Unpacker};

mod carry;
mod ctx;
mod fsops;
pub(crate) mod intent;
mod platform;
mod recovery;
mod source;
#[cfg(test)]
mod tests;
mod txn;

use ctx::{Ctx, Fail};

/// The install directory.
pub const LOCAL: &str = lanspread_proto::LOCAL_DIR;
/// The staging directory.
pub const STAGING: &str = ".local.installing";
/// The previous install during an update's swap.
pub const BACKUP: &str = ".local.backup";
/// An uninstalled tree being deleted.
pub const REMOVING: &str = ".local.removing";
/// The ownership marker file inside the three directories above.
pub const MARKER: &str = ".lanspread_owned";
/// The intent log.
pub const INTENT: &str = ".lanspread.json";
const INTENT_TMP: &str = ".lanspread.json.tmp";
/// The record of what the current install extracted.
pub const RECORD: &str = ".lanspread.installed.json";
const RECORD_NEXT: &str = ".lanspread.installed.json.next";
const RECORD_TMP: &str = ".lanspread.installed.json.tmp";
/// The per-root lock file.
pub const LOCK: &str = ".lanspread.lock";

/// Which version `local/` holds, as the install record says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstalledVersion {
    /// The version the install transaction recorded.
    Known(lanspread_proto::GameVersion),
    /// Installed by a release that did not record versions (or without a valid `version.ini`).
    Unknown,
}

impl InstalledVersion {
    /// The recorded version, if known.
    pub fn known(&self) -> Option<&lanspread_proto::GameVersion> {
        match self {
            Self::Known(v) => Some(v),
            Self::Unknown => None,
        }
    }
}

impl std::fmt::Display for InstalledVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Known(v) => v.fmt(f),
            Self::Unknown => f.write_str("unknown"),
        }
    }
}

/// The version named by the install record bytes (`.lanspread.installed.json`): `None` when
/// they are not a record.
pub fn recorded_version(record: &[u8]) -> Option<InstalledVersion> {
    carry::recorded_version(record)
}

/// A file's size and modification time as the install record stores them.
pub(crate) type Stamp = carry::Stamp;

/// The stamp of a file as the install record would store it.
pub(crate) fn stamp_of(meta: &std::fs::Metadata) -> Stamp {
    Stamp::of(meta)
}

/// The files the current install wrote (`/`-separated path under `local/` → stamp at install
/// time), if its record is readable.
pub(crate) fn installed_stamps(root: &Path) -> Option<std::collections::BTreeMap<String, Stamp>> {
    carry::Record::load(root).map(|r| r.files)
}

/// The payload files an install without archives copies (path under the root, size).
pub(crate) fn payload_files(root: &Path) -> std::io::Result<Vec<(PathBuf, u64)>> {
    let mut out = Vec::new();
    for entry in fsops::walk(root, &source::skip_payload_name)? {
        if entry.kind == fsops::Kind::File {
            let path = entry.under(root);
            let size = std::fs::symlink_metadata(&path)?.len();
            out.push((entry.under(Path::new("")), size));
        }
    }
    Ok(out)
}

/// Bytes of the regular files under `dir`.
pub(crate) fn tree_bytes(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0u64;
    for entry in fsops::walk(dir, &|name| name == MARKER)? {
        if entry.kind == fsops::Kind::File {
            total = total.saturating_add(std::fs::symlink_metadata(entry.under(dir))?.len());
        }
    }
    Ok(total)
}

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
    #[error("the game is not completely downloaded (no version.ini); finish the download first")]
    NotDownloaded,
    /// The game is not installed (uninstall).
    #[error("the game is not installed; there is nothing to uninstall")]
    NotInstalled,
    /// Not enough free disk space.
    #[error(
        "not enough disk space in {path}: {needed} bytes needed, {available} available; free up space and retry"
    )]
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
    #[error("{op} {path}: {error}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error (in the message; not repeated as a source).
        error: std::io::Error,
    },
    /// The intent log is unreadable. (Recovery falls back to the ownership markers instead of
    /// failing; kept for callers that match on it.)
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
    /// A reserved name is in the way and nothing proves lanspread created it.
    #[error(
        "{path} exists but was not created by lanspread (no ownership marker); move it out of the game folder and retry"
    )]
    NotOwned {
        /// The directory (or file) in the way.
        path: PathBuf,
    },
    /// Another process holds the game's lock.
    #[error(
        "another lanspread process is installing, updating or uninstalling {path}; wait for it to finish"
    )]
    Busy {
        /// The game root.
        path: PathBuf,
    },
}

/// Turns the internal outcome into the public error. Without a crash hook `Fail::Crash` cannot
/// occur; it is mapped to an I/O error rather than a panic all the same.
fn public<T>(result: Result<T, Fail>, root: &Path) -> Result<T, InstallError> {
    result.map_err(|fail| match fail {
        Fail::Error(e) => e,
        Fail::Crash => InstallError::Io {
            op: "run transaction in",
            path: root.to_path_buf(),
            error: std::io::Error::other("interrupted by a test crash hook"),
        },
    })
}

/// Installs the downloaded game at `root` into `root/local/`, or updates an existing install
/// (keeping user data). Blocking; the caller serializes operations per root.
///
/// Runs recovery first if an earlier transaction was interrupted. On any error or cancellation
/// the previous state is kept.
pub fn install_game(
    root: &Path,
    unpacker: &dyn Unpacker,
    progress: &mut dyn FnMut(InstallProgress),
    cancel: &AtomicBool,
) -> Result<InstallReport, InstallError> {
    public(txn::install(&mut Ctx::new(root), unpacker, progress, cancel), root)
}

/// What [`repair_local`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalRepair {
    /// The files replaced or restored, `/`-separated under `local/`.
    pub files: Vec<String>,
    /// Their bytes.
    pub bytes: u64,
}

/// Re-extracts the damaged or missing files `paths` (`/`-separated, under `local/`) from the
/// game's archives into `local/`, each by one rename; nothing else is written. Blocking; the
/// caller serializes operations per root.
pub fn repair_local(
    root: &Path,
    unpacker: &dyn Unpacker,
    paths: &[String],
    progress: &mut dyn FnMut(u64),
    cancel: &AtomicBool,
) -> Result<LocalRepair, InstallError> {
    public(txn::repair(&mut Ctx::new(root), unpacker, paths, progress, cancel), root)
}

/// Removes `root/local/` crash-safely. The downloaded payload stays.
pub fn uninstall_game(root: &Path) -> Result<(), InstallError> {
    public(txn::uninstall(&mut Ctx::new(root)), root)
}

/// Free bytes on the file system holding `path` (for the caller's own checks).
pub fn available_space(path: &Path) -> std::io::Result<u64> {
    platform::available_space(path)
}

/// Deletes the game at `root` from this machine: its install (by the uninstall transaction),
/// then `version.ini` (from then on it is not a complete game: nothing serves or installs it),
/// then the payload, any download state and the folder itself. Also discards a paused
/// download. Returns the bytes freed. Blocking; the caller serializes operations per root.
pub fn delete_game(root: &Path) -> Result<u64, InstallError> {
    public(txn::delete(&mut Ctx::new(root)), root)
}

/// Finishes or rolls back whatever an interrupted transaction left in `root`. A clean root is
/// not touched. Fails with [`InstallError::Busy`] while another process works on the root.
pub fn recover_game(root: &Path) -> Result<RecoveryReport, InstallError> {
    public(recovery::recover(&mut Ctx::new(root)), root)
}

/// Runs [`recover_game`] on every game root (each directory, links not followed) in
/// `game_dir` that has leftovers, returning the roots where something was done or failed.
pub fn recover_all(game_dir: &Path) -> std::io::Result<Vec<(PathBuf, Result<RecoveryReport, InstallError>)>> {
    let mut out = Vec::new();
    for (name, kind) in fsops::read_dir_sorted(game_dir)? {
        if kind != fsops::Kind::Dir {
            continue;
        }
        let root = game_dir.join(name);
        match recover_game(&root) {
            Ok(report) if report.actions.is_empty() => {}
            result => out.push((root, result)),
        }
    }
    Ok(out)
}
