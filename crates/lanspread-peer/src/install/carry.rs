//! User data across updates, and the record of what an install wrote.
//!
//! **The rule.** After the new version is extracted into `.local.installing/`, every file (or
//! link) of the old `local/` is carried into the new tree unless
//! 1. the new version has something at the same path (compared case-insensitively, as
//!    Windows does) — the new version wins, also over a user's edit of a shipped file; or
//! 2. a parent of that path is a file (or link) in the new version — the new version wins; or
//! 3. it is an unmodified file of the previous install: `.lanspread.installed.json` lists it
//!    with the same size and modification time. Such a file is a game file the new version no
//!    longer ships, so it is dropped rather than left behind as stale data.
//!
//! Everything else — savegames, configs the game wrote, screenshots, mods the player added,
//! shipped files the player modified that the new version dropped — is carried over, by hard
//! link when the file system supports it (instant, no extra space), else by copy. Empty
//! directories are not carried. Without a readable record every file not shipped by the new
//! version is carried (the safe direction).
//!
//! **The record.** `.lanspread.installed.json` names the version the current install holds
//! (read from `version.ini` when the transaction started; records written before versions were
//! recorded load with the version unknown) and lists the size and modification time of every
//! file it extracted. A transaction writes the next record to
//! `.lanspread.installed.json.next` while staging and renames it into place right after the new
//! `local/` is, so the record always describes the `local/` it sits next to (recovery finishes
//! or discards the rename together with the swap).

use std::{
    collections::{BTreeMap, HashMap},
    fs, io,
    path::Path,
    sync::atomic::{AtomicBool, Ordering},
    time::UNIX_EPOCH,
};

use lanspread_proto::GameVersion;
use serde::{Deserialize, Serialize};

use super::{
    InstallError, InstalledVersion, MARKER, RECORD, RECORD_NEXT, RECORD_TMP,
    ctx::{Ctx, Fail, io_err},
    fsops::{self, Kind},
    intent, platform,
};

const FORMAT: u32 = 1;

/// Size and modification time of an installed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stamp {
    pub(crate) size: u64,
    /// Nanoseconds since the Unix epoch (0 if earlier or unknown).
    pub(crate) mtime_ns: u64,
}

impl Stamp {
    pub(crate) fn of(meta: &fs::Metadata) -> Self {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        Self { size: meta.len(), mtime_ns }
    }
}

/// What an install extracted: `/`-separated path → stamp.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    format: u32,
    /// The installed version; `None` in records written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) version: Option<GameVersion>,
    pub(crate) files: BTreeMap<String, Stamp>,
}

/// The head of a record: what the library reads on a scan (the file list is skipped).
#[derive(Deserialize)]
struct RecordHead {
    format: u32,
    #[serde(default)]
    version: Option<GameVersion>,
}

/// The version a record names: `None` if the record is missing or unreadable, `Unknown` if it
/// predates recorded versions.
pub(crate) fn recorded_version(bytes: &[u8]) -> Option<InstalledVersion> {
    let head = serde_json::from_slice::<RecordHead>(bytes).ok().filter(|h| h.format == FORMAT)?;
    Some(head.version.map_or(InstalledVersion::Unknown, InstalledVersion::Known))
}

impl Record {
    /// Stamps every regular file under `dir` (the staging tree, before carry-over).
    pub(crate) fn snapshot(dir: &Path, version: Option<GameVersion>) -> io::Result<Self> {
        let mut files = BTreeMap::new();
        for entry in fsops::walk(dir, &|name| name == MARKER)? {
            if entry.kind == Kind::File {
                let meta = fs::symlink_metadata(entry.under(dir))?;
                files.insert(entry.slash(), Stamp::of(&meta));
            }
        }
        Ok(Self { format: FORMAT, version, files })
    }

    /// The record of the current install, if readable.
    pub(crate) fn load(root: &Path) -> Option<Self> {
        let bytes = fs::read(root.join(RECORD)).ok()?;
        serde_json::from_slice::<Self>(&bytes).ok().filter(|r| r.format == FORMAT)
    }

    /// Replaces the current record (a repair updates the stamps of the files it replaced).
    pub(crate) fn write_current(&self, root: &Path) -> io::Result<()> {
        let bytes = serde_json::to_vec(self).map_err(io::Error::other)?;
        intent::write_atomic(root, RECORD, RECORD_TMP, &bytes)
    }

    /// Writes the record of the install being staged (`.lanspread.installed.json.next`).
    pub(crate) fn write_next(&self, root: &Path) -> io::Result<()> {
        let bytes = serde_json::to_vec(self).map_err(io::Error::other)?;
        intent::write_atomic(root, RECORD_NEXT, RECORD_TMP, &bytes)
    }
}

/// Makes the staged record current (after the new `local/` is in place); absent is fine.
pub(crate) fn promote_record(root: &Path) -> io::Result<()> {
    match fs::rename(root.join(RECORD_NEXT), root.join(RECORD)) {
        Ok(()) => platform::sync_dir(root),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Carries user data from `old` into `new` (see the module docs). Returns the carried paths,
/// `/`-separated and relative to `local/`.
pub(crate) fn carry_over(
    ctx: &mut Ctx<'_>,
    old: &Path,
    new: &Path,
    record: Option<&Record>,
    cancel: &AtomicBool,
) -> Result<Vec<String>, Fail> {
    let mut index: HashMap<String, Kind> = HashMap::new();
    for entry in fsops::walk(new, &|name| name == MARKER).map_err(io_err("list", new))? {
        index.insert(fsops::fold(&entry.slash()), entry.kind);
    }
    let mut carried = Vec::new();
    for entry in fsops::walk(old, &|name| name == MARKER).map_err(io_err("list", old))? {
        if !matches!(entry.kind, Kind::File | Kind::Symlink) {
            continue;
        }
        let slash = entry.slash();
        let key = fsops::fold(&slash);
        if index.contains_key(&key) {
            continue; // rule 1: the new version ships this path
        }
        let prefixes: Vec<String> =
            (1..entry.rel.len()).map(|n| fsops::fold(&fsops::slash(&entry.rel[..n]))).collect();
        if prefixes.iter().any(|p| index.get(p).is_some_and(|k| *k != Kind::Dir)) {
            continue; // rule 2: a new file sits where this path needs a directory
        }
        let from = entry.under(old);
        if entry.kind == Kind::File
            && let Some(record) = record
        {
            let meta = fs::symlink_metadata(&from).map_err(io_err("inspect", &from))?;
            if record.files.get(&slash) == Some(&Stamp::of(&meta)) {
                continue; // rule 3: an unmodified file of the old version
            }
        }
        ctx.point("carry")?;
        if cancel.load(Ordering::Relaxed) {
            return Err(Fail::Error(InstallError::Cancelled));
        }
        let to = entry.under(new);
        if !fsops::ensure_real_parents(new, &entry.rel).map_err(io_err("create directory", &to))? {
            continue; // something other than a directory is in the way: the new version wins
        }
        for prefix in prefixes {
            index.entry(prefix).or_insert(Kind::Dir);
        }
        match entry.kind {
            Kind::File => {
                if fs::hard_link(&from, &to).is_err() {
                    fsops::copy_file(&from, &to, cancel, &mut |_| {})?;
                }
            }
            _ => copy_link(&from, &to).map_err(io_err("copy link", &from))?,
        }
        index.insert(key, entry.kind);
        carried.push(slash);
    }
    Ok(carried)
}

/// Recreates the link `from` at `to` (never following it).
#[cfg(unix)]
fn copy_link(from: &Path, to: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(fs::read_link(from)?, to)
}

/// Recreates the link `from` at `to` (never following it).
#[cfg(windows)]
fn copy_link(from: &Path, to: &Path) -> io::Result<()> {
    let target = fs::read_link(from)?;
    let is_dir = fs::metadata(from).map(|m| m.is_dir()).unwrap_or(false);
    if is_dir {
        std::os::windows::fs::symlink_dir(target, to)
    } else {
        std::os::windows::fs::symlink_file(target, to)
    }
}
