//! Archive extraction for installs, over the official UnRAR library (through `unrar_sys`; see
//! `ffi.rs` for why the `unrar` wrapper crate is not used).
//!
//! The peer runtime receives an [`Unpacker`] by injection, so archive handling stays out of its
//! platform layer and tests can substitute their own. [`find_archives`] implements the install
//! mapping of the design contract: every archive at the top level of a game root, multi-volume
//! sets grouped and opened at their first volume, in name order.
//!
//! Every method is blocking; the runtime calls them from `spawn_blocking`.
//!
//! [`UnrarUnpacker`] checks every entry of an archive before writing anything, then writes each
//! file itself at a path built from validated components; UnRAR only decompresses and verifies.
//! See `names.rs` for the exact naming rules and `fsx.rs` for why no write passes through a link;
//! a writer thread (`writer.rs`) overlaps UnRAR's decompression with the writes.

use std::{
    path::{Path, PathBuf},
    sync::atomic::AtomicBool,
};

mod archives;
mod endcheck;
mod ffi;
mod fsx;
mod names;
mod platform;
mod unrar;
mod writer;

pub use archives::find_archives;
pub use unrar::UnrarUnpacker;

/// One entry of an archive listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveEntry {
    /// Path inside the archive, `/`-separated.
    pub path: String,
    /// Unpacked size in bytes (0 for directories).
    pub size: u64,
    /// Whether the entry is a directory.
    pub is_dir: bool,
}

/// What an archive contains, read without extracting.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArchiveListing {
    /// Entries in archive order.
    pub entries: Vec<ArchiveEntry>,
    /// Sum of the unpacked sizes.
    pub unpacked_bytes: u64,
}

/// The result of a successful extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExtractSummary {
    /// Files written.
    pub files: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// What one file of an archive unpacks to: its size and the BLAKE3 hash of its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileDigest {
    /// Unpacked size in bytes.
    pub size: u64,
    /// BLAKE3 of the unpacked bytes.
    pub blake3: [u8; 32],
}

/// A top-level archive of a game root: a single file or a multi-volume set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveSet {
    /// The volume extraction starts from.
    pub first_volume: PathBuf,
    /// Every volume of the set, in order (just `first_volume` for a single archive).
    pub volumes: Vec<PathBuf>,
}

/// Why an archive could not be listed or extracted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UnpackError {
    /// The archive is password-protected.
    #[error(
        "{archive} is password-protected; lanspread cannot install encrypted archives, so repack the game without a password"
    )]
    Encrypted {
        /// The archive.
        archive: PathBuf,
    },
    /// The archive is damaged, truncated or not an archive.
    #[error("{archive} is damaged or incomplete: {detail}")]
    Corrupt {
        /// The archive.
        archive: PathBuf,
        /// What UnRAR reported.
        detail: String,
    },
    /// A volume of a multi-volume set is missing.
    #[error("{archive}: volume {volume} is missing; download the game completely or add the missing part")]
    MissingVolume {
        /// The first volume.
        archive: PathBuf,
        /// The missing volume's name.
        volume: String,
    },
    /// An entry would land outside the target directory (`..`, absolute path, link).
    #[error(
        "{archive} contains an unsafe entry {entry:?} that would escape the install directory; nothing was extracted outside it. The archive is hostile or broken: delete the game and report it"
    )]
    UnsafeEntry {
        /// The archive.
        archive: PathBuf,
        /// The entry as named in the archive (with the reason in parentheses).
        entry: String,
    },
    /// An entry stays inside the target but cannot be written (e.g. a Windows device name,
    /// a name Windows would alter, a link whose target cannot be checked).
    #[error("{archive}: entry {entry:?} cannot be installed: {reason}")]
    InvalidEntry {
        /// The archive.
        archive: PathBuf,
        /// The entry as named in the archive.
        entry: String,
        /// Why it is refused.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{op} {path}: {error}")]
    Io {
        /// What was being done ("create", "write", ...).
        op: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error (in the message; not repeated as a source).
        error: std::io::Error,
    },
    /// The cancel flag was raised.
    #[error("extraction cancelled")]
    Cancelled,
    /// Anything else UnRAR reported.
    #[error("{archive}: {detail}")]
    Other {
        /// The archive.
        archive: PathBuf,
        /// What UnRAR reported.
        detail: String,
    },
}

/// Archive extraction, injected into the peer runtime.
pub trait Unpacker: Send + Sync + 'static {
    /// Lists the archive starting at `first_volume` without extracting.
    fn list(&self, first_volume: &Path) -> Result<ArchiveListing, UnpackError>;

    /// Unpacks the archive starting at `first_volume` without writing anything and returns,
    /// per file path (`/`-separated, as extracted; a later entry replaces an earlier one at the
    /// same path), the size and BLAKE3 of what extraction would write. UnRAR checks the
    /// archive's own checksums on the way: damaged archive data is an error. `progress`
    /// receives the bytes unpacked so far. Verify compares installed files with this.
    fn digests(
        &self,
        first_volume: &Path,
        progress: &mut dyn FnMut(u64),
        cancel: &AtomicBool,
    ) -> Result<std::collections::BTreeMap<String, FileDigest>, UnpackError>;

    /// Like [`Unpacker::extract`], writing only the files whose `/`-separated path `wanted`
    /// accepts (and the folders they need); everything else is skipped, links included.
    /// Repair re-extracts damaged files with it.
    fn extract_only(
        &self,
        first_volume: &Path,
        dest: &Path,
        wanted: &dyn Fn(&str) -> bool,
        progress: &mut dyn FnMut(u64),
        cancel: &AtomicBool,
    ) -> Result<ExtractSummary, UnpackError>;

    /// Extracts the archive starting at `first_volume` into the existing directory `dest`,
    /// keeping the archive's internal paths. `progress` receives the bytes written so far.
    /// Entries that would escape `dest` are refused. Stops with [`UnpackError::Cancelled`]
    /// soon after `cancel` becomes true.
    fn extract(
        &self,
        first_volume: &Path,
        dest: &Path,
        progress: &mut dyn FnMut(u64),
        cancel: &AtomicBool,
    ) -> Result<ExtractSummary, UnpackError>;
}
