//! The per-root intent log `.lanspread.json` and durable atomic file replacement.
//!
//! The log exists exactly while a transaction is in flight (or was interrupted): it is written
//! before the first change on disk and removed after the last one. Every write is atomic and
//! durable (write `<name>.tmp`, fsync it, rename over the log, fsync the directory), so after a
//! crash the log is either the previous or the next version, never a torn mix.

use std::{
    fs::{self, File},
    io::{self, Write},
    path::Path,
};

use serde::{Deserialize, Serialize};

use super::{INTENT, INTENT_TMP, platform};

/// The current log format.
const FORMAT: u32 = 1;
/// A log larger than this is damaged (a real one is a few hundred bytes).
const MAX_LOG_BYTES: u64 = 64 * 1024;

/// Which transaction is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Op {
    /// First install: no `local/` before.
    Install,
    /// Replace an existing `local/`, carrying user data over.
    Update,
    /// Remove `local/`.
    Uninstall,
}

/// How far it got. See the module docs of `install` for what each phase allows on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Phase {
    /// Building `.local.installing/`; `local/` is untouched. Recovery rolls back.
    Staging,
    /// The new tree is complete and durable; directories are being renamed. Recovery rolls
    /// forward.
    Swapping,
    /// The new `local/` is in place; `.local.backup/` is being deleted.
    Cleanup,
    /// Uninstall: `local/` is being moved to `.local.removing/` and deleted.
    Removing,
}

/// The content of `.lanspread.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Intent {
    /// Log format version.
    pub(crate) format: u32,
    /// The transaction.
    pub(crate) op: Op,
    /// Its phase.
    pub(crate) phase: Phase,
    /// Process that wrote it (diagnostics only).
    pub(crate) pid: u32,
}

impl Intent {
    pub(crate) fn new(op: Op, phase: Phase) -> Self {
        Self { format: FORMAT, op, phase, pid: std::process::id() }
    }
}

/// What is on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LogState {
    /// No transaction in flight.
    Absent,
    /// A transaction was in flight.
    Present(Intent),
    /// The log exists but cannot be read (what is wrong).
    Corrupt(String),
}

/// Reads the log of `root`.
pub(crate) fn read(root: &Path) -> io::Result<LogState> {
    let path = root.join(INTENT);
    let meta = match fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(LogState::Absent),
        Err(e) => return Err(e),
    };
    if !meta.is_file() {
        return Ok(LogState::Corrupt("it is not a regular file".into()));
    }
    if meta.len() > MAX_LOG_BYTES {
        return Ok(LogState::Corrupt(format!("it is {} bytes long", meta.len())));
    }
    Ok(parse(&fs::read(&path)?))
}

/// Decodes the content of a log file.
pub(crate) fn parse(bytes: &[u8]) -> LogState {
    match serde_json::from_slice::<Intent>(bytes) {
        Ok(intent) if intent.format == FORMAT => LogState::Present(intent),
        Ok(intent) => LogState::Corrupt(format!("unknown format {}", intent.format)),
        Err(e) => LogState::Corrupt(e.to_string()),
    }
}

/// Encodes a log file's content.
pub(crate) fn encode(intent: &Intent) -> io::Result<Vec<u8>> {
    serde_json::to_vec_pretty(intent).map_err(io::Error::other)
}

/// Writes the log of `root` atomically and durably.
pub(crate) fn write(root: &Path, intent: &Intent) -> io::Result<()> {
    write_atomic(root, INTENT, INTENT_TMP, &encode(intent)?)
}

/// Removes the log of `root` durably (absent is fine).
pub(crate) fn clear(root: &Path) -> io::Result<()> {
    remove_file_durable(root, INTENT)
}

/// Replaces `dir/name` with `bytes`: write `dir/tmp`, fsync, rename, fsync `dir`.
pub(crate) fn write_atomic(dir: &Path, name: &str, tmp: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp_path = dir.join(tmp);
    let written = File::create(&tmp_path).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    // On any failure (a full disk, typically) the temporary file goes too.
    if let Err(e) = written.and_then(|()| fs::rename(&tmp_path, dir.join(name))) {
        let _ = fs::remove_file(&tmp_path);
        return Err(e);
    }
    platform::sync_dir(dir)
}

/// Removes `dir/name` if present and fsyncs `dir`.
pub(crate) fn remove_file_durable(dir: &Path, name: &str) -> io::Result<()> {
    match fs::remove_file(dir.join(name)) {
        Ok(()) => platform::sync_dir(dir),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_detects_damage() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(read(root).unwrap(), LogState::Absent);
        let intent = Intent::new(Op::Update, Phase::Swapping);
        write(root, &intent).unwrap();
        assert_eq!(read(root).unwrap(), LogState::Present(intent));
        assert!(!root.join(INTENT_TMP).exists());
        let text = fs::read_to_string(root.join(INTENT)).unwrap();
        assert!(text.contains("\"update\"") && text.contains("\"swapping\""), "{text}");

        fs::write(root.join(INTENT), b"{\"format\": 1, \"op\": \"upd").unwrap();
        assert!(matches!(read(root).unwrap(), LogState::Corrupt(_)));
        fs::write(root.join(INTENT), br#"{"format":9,"op":"install","phase":"staging","pid":1}"#).unwrap();
        assert!(matches!(read(root).unwrap(), LogState::Corrupt(d) if d.contains("format 9")));

        clear(root).unwrap();
        clear(root).unwrap();
        assert_eq!(read(root).unwrap(), LogState::Absent);
    }
}
