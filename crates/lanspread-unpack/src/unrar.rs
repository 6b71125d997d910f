//! [`UnrarUnpacker`]: listing and extraction over the official UnRAR library.
//!
//! Extraction is two passes over the archive: a listing pass checks every entry name and link
//! target before a single byte is written, then an extraction pass writes each entry to a path
//! built from the validated components (see `names` and `fsx`). UnRAR only decompresses and
//! verifies checksums; it never creates a file itself.

use std::{
    collections::{BTreeMap, HashMap},
    fs::File,
    io::{self, Write},
    path::Path,
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, SystemTime},
};

use crate::{
    ArchiveEntry, ArchiveListing, ExtractSummary, FileDigest, UnpackError, Unpacker,
    endcheck::{self, Family},
    ffi::{HOST_UNIX, Header, Mode, Op, RawArchive, Redir, UnrarLock},
    fsx::SafeDest,
    names::{EntryPath, NameProblem, check_symlink_target},
    platform,
    writer::{FileMeta, Pipeline},
};

/// Copy buffer for hard links and file copies.
const WRITE_BUF: usize = 1 << 20;

/// The [`Unpacker`] over the official UnRAR library: RAR 1.5–4.x and RAR5/7, single or
/// multi-volume (`x.part01.rar`…, `x.rar` + `x.r00`…), solid or not.
///
/// Refuses password-protected archives, entries that would escape the target (`..`, absolute
/// paths, drive letters, links pointing outside) and names Windows cannot represent. Archive
/// calls are serialized process-wide because UnRAR keeps global error state.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnrarUnpacker;

impl UnrarUnpacker {
    /// A new unpacker (it holds no state).
    pub fn new() -> Self {
        Self
    }
}

impl Unpacker for UnrarUnpacker {
    fn list(&self, first_volume: &Path) -> Result<ArchiveListing, UnpackError> {
        let lock = UnrarLock::acquire();
        scan(&lock, first_volume).map(|plan| plan.listing)
    }

    fn digests(
        &self,
        first_volume: &Path,
        progress: &mut dyn FnMut(u64),
        cancel: &AtomicBool,
    ) -> Result<BTreeMap<String, FileDigest>, UnpackError> {
        let lock = UnrarLock::acquire();
        let plan = scan(&lock, first_volume)?;
        digest_planned(&lock, first_volume, &plan, progress, cancel)
    }

    fn extract(
        &self,
        first_volume: &Path,
        dest: &Path,
        progress: &mut dyn FnMut(u64),
        cancel: &AtomicBool,
    ) -> Result<ExtractSummary, UnpackError> {
        let lock = UnrarLock::acquire();
        let plan = scan(&lock, first_volume)?;
        if cancel.load(Ordering::Relaxed) {
            return Err(UnpackError::Cancelled);
        }
        extract_planned(&lock, first_volume, dest, &plan, None, progress, cancel)
    }

    fn extract_only(
        &self,
        first_volume: &Path,
        dest: &Path,
        wanted: &dyn Fn(&str) -> bool,
        progress: &mut dyn FnMut(u64),
        cancel: &AtomicBool,
    ) -> Result<ExtractSummary, UnpackError> {
        let lock = UnrarLock::acquire();
        let plan = scan(&lock, first_volume)?;
        // A wanted copy entry needs its source written first.
        let mut keep: std::collections::HashSet<String> = std::collections::HashSet::new();
        for e in &plan.entries {
            let path = e.path.to_slash_string();
            if wanted(&path) {
                if let Kind::Copy { source } = &e.kind {
                    keep.insert(source.to_slash_string());
                }
                keep.insert(path);
            }
        }
        extract_planned(&lock, first_volume, dest, &plan, Some(&keep), progress, cancel)
    }
}

/// What one entry will become.
#[derive(Debug, Clone)]
enum Kind {
    Dir,
    File,
    Symlink { target: String, target_is_dir: bool },
    Copy { source: EntryPath },
}

#[derive(Debug, Clone)]
struct Planned {
    raw_name: String,
    path: EntryPath,
    kind: Kind,
}

/// The checked contents of an archive.
struct Plan {
    entries: Vec<Planned>,
    listing: ArchiveListing,
}

fn name_error(archive: &Path, entry: &str, problem: NameProblem) -> UnpackError {
    match problem {
        NameProblem::Escapes(why) => {
            UnpackError::UnsafeEntry { archive: archive.to_path_buf(), entry: format!("{entry} ({why})") }
        }
        NameProblem::Invalid(reason) => UnpackError::InvalidEntry {
            archive: archive.to_path_buf(),
            entry: entry.to_string(),
            reason: reason.to_string(),
        },
    }
}

fn invalid(archive: &Path, entry: &str, reason: &str) -> UnpackError {
    UnpackError::InvalidEntry {
        archive: archive.to_path_buf(),
        entry: entry.to_string(),
        reason: reason.to_string(),
    }
}

fn corrupt(archive: &Path, detail: String) -> UnpackError {
    UnpackError::Corrupt { archive: archive.to_path_buf(), detail }
}

/// Reads every header and checks every entry without extracting anything.
fn scan(lock: &UnrarLock, archive: &Path) -> Result<Plan, UnpackError> {
    let mut arc = RawArchive::open(lock, archive, Mode::List, None, None)?;
    if arc.is_volume() && !arc.is_first_volume() {
        return Err(UnpackError::MissingVolume {
            archive: archive.to_path_buf(),
            volume: "the first volume (this file continues a set)".into(),
        });
    }
    if arc.has_encrypted_headers() {
        return Err(UnpackError::Encrypted { archive: archive.to_path_buf() });
    }
    let mut entries = Vec::new();
    let mut listing = ArchiveListing::default();
    // Every file entry so far with its size: a copy or hard link entry names one of them.
    let mut files: HashMap<EntryPath, u64> = HashMap::new();
    while let Some(header) = arc.read_header()? {
        if header.is_split_before() {
            arc.process(Op::Skip, None, 0)?;
            continue;
        }
        let planned = check_entry(archive, &header, &files)?;
        let size = match &planned.kind {
            Kind::File => header.unpacked_size,
            // Extracted as a full copy of its source, whatever size its header states (RAR
            // stores no data for it, and some writers record 0): the space preflight counts it.
            Kind::Copy { source } => header.unpacked_size.max(files.get(source).copied().unwrap_or(0)),
            Kind::Dir | Kind::Symlink { .. } => 0,
        };
        match planned.kind {
            Kind::File | Kind::Copy { .. } => {
                files.insert(planned.path.clone(), size);
            }
            Kind::Dir | Kind::Symlink { .. } => {
                files.remove(&planned.path);
            }
        }
        listing.unpacked_bytes = listing.unpacked_bytes.saturating_add(size);
        listing.entries.push(ArchiveEntry {
            path: planned.path.to_slash_string(),
            size,
            is_dir: matches!(planned.kind, Kind::Dir),
        });
        entries.push(planned);
        arc.process(Op::Skip, None, 0)?;
    }
    if entries.is_empty() {
        return Err(corrupt(
            archive,
            "the archive contains no entries (truncated?); download the game again".into(),
        ));
    }
    check_complete(archive, &arc.current_volume())?;
    Ok(Plan { entries, listing })
}

/// Refuses a RAR5 archive whose last volume was cut at a block boundary (see `endcheck`).
fn check_complete(archive: &Path, last_volume: &Path) -> Result<(), UnpackError> {
    let io_err = |path: &Path, source: io::Error| UnpackError::Io {
        op: "read",
        path: path.to_path_buf(),
        error: source,
    };
    let family = endcheck::family(archive).map_err(|e| io_err(archive, e))?;
    if family != Some(Family::Rar5) {
        // RAR 1.5-4.x writers could omit the end block (`rar -en`), so it proves nothing there.
        return Ok(());
    }
    if !last_volume.is_file() {
        // A name UnRAR could not map back to the file system; nothing to check against.
        return Ok(());
    }
    if endcheck::ends_with_end_block(last_volume, Family::Rar5).map_err(|e| io_err(last_volume, e))? {
        Ok(())
    } else {
        Err(corrupt(
            archive,
            format!(
                "{} ends without an end-of-archive block (truncated); download the game again",
                last_volume.display()
            ),
        ))
    }
}

fn check_entry(
    archive: &Path,
    header: &Header,
    files: &HashMap<EntryPath, u64>,
) -> Result<Planned, UnpackError> {
    let raw = &header.name;
    if header.is_encrypted() {
        return Err(UnpackError::Encrypted { archive: archive.to_path_buf() });
    }
    if header.name_truncated {
        return Err(invalid(archive, raw, "the name is too long"));
    }
    let path = EntryPath::parse(raw).map_err(|p| name_error(archive, raw, p))?;
    let kind = match header.redir {
        Redir::None if header.is_dir() => Kind::Dir,
        Redir::None => Kind::File,
        Redir::UnixSymlink | Redir::WinSymlink => {
            if header.redir_target.is_empty() {
                return Err(invalid(
                    archive,
                    raw,
                    "a RAR 4.x symbolic link, whose target cannot be checked before extraction",
                ));
            }
            let target = check_symlink_target(&path, &header.redir_target)
                .map_err(|p| name_error(archive, &format!("{raw} -> {}", header.redir_target), p))?;
            Kind::Symlink { target, target_is_dir: header.dir_target }
        }
        Redir::Junction => {
            return Err(UnpackError::UnsafeEntry {
                archive: archive.to_path_buf(),
                entry: format!("{raw} (a junction, which always points at an absolute path)"),
            });
        }
        Redir::HardLink | Redir::FileCopy => {
            let source = EntryPath::parse(&header.redir_target)
                .map_err(|p| name_error(archive, &format!("{raw} -> {}", header.redir_target), p))?;
            if !files.contains_key(&source) {
                return Err(invalid(
                    archive,
                    raw,
                    "a link to a file that is not an earlier entry of the archive",
                ));
            }
            Kind::Copy { source }
        }
        Redir::Unknown(kind) => {
            return Err(invalid(archive, raw, &format!("an unknown kind of link ({kind})")));
        }
    };
    Ok(Planned { raw_name: raw.clone(), path, kind })
}

struct PendingLink {
    path: EntryPath,
    target: String,
    target_is_dir: bool,
}

fn extract_planned(
    lock: &UnrarLock,
    archive: &Path,
    dest_root: &Path,
    plan: &Plan,
    only: Option<&std::collections::HashSet<String>>,
    progress: &mut dyn FnMut(u64),
    cancel: &AtomicBool,
) -> Result<ExtractSummary, UnpackError> {
    let mut dest = SafeDest::new(dest_root, archive);
    let mut arc = RawArchive::open(lock, archive, Mode::Extract, Some(progress), Some(cancel))?;
    let mut pipe = Pipeline::start().map_err(|source| UnpackError::Io {
        op: "start the writer thread for",
        path: archive.to_path_buf(),
        error: source,
    })?;
    let mut summary = ExtractSummary::default();
    let mut links: Vec<PendingLink> = Vec::new();
    let mut walk = Walk { plan, archive, index: 0 };
    while let Some((header, planned)) = walk.next(&mut arc, cancel)? {
        // A selective extraction (repair) writes only the wanted files (and their folders).
        if only.is_some_and(|keep| {
            matches!(planned.kind, Kind::Dir | Kind::Symlink { .. })
                || !keep.contains(&planned.path.to_slash_string())
        }) {
            arc.process(Op::Skip, None, 0)?;
            continue;
        }
        match &planned.kind {
            Kind::Dir => {
                dest.create_dir(&planned.path)?;
                arc.process(Op::Skip, None, 0)?;
            }
            Kind::File => {
                let (file, path) = dest.create_file(&planned.path)?;
                pipe.open(file, path.clone())?;
                let written = arc
                    .process(Op::Test, Some(&mut |data| pipe.write(data)), header.unpacked_size)
                    .map_err(|e| pipe.explain(e))?;
                if written != header.unpacked_size {
                    return Err(corrupt(
                        archive,
                        format!("{}: {written} of {} bytes unpacked", planned.raw_name, header.unpacked_size),
                    ));
                }
                pipe.close(file_meta(&header))
                    .map_err(|source| pipe.explain(UnpackError::Io { op: "write", path, error: source }))?;
                links.retain(|link| link.path != planned.path);
                summary.files += 1;
                summary.bytes += written;
            }
            Kind::Symlink { target, target_is_dir } => {
                arc.process(Op::Skip, None, 0)?;
                links.retain(|link| link.path != planned.path);
                links.push(PendingLink {
                    path: planned.path.clone(),
                    target: target.clone(),
                    target_is_dir: *target_is_dir,
                });
            }
            Kind::Copy { source } => {
                arc.process(Op::Skip, None, 0)?;
                // The source was written by the writer thread: let it finish first.
                pipe.barrier()?;
                let (mut from, from_path) = dest.open_existing(source)?;
                let (to, to_path) = dest.create_file(&planned.path)?;
                let mut to = io::BufWriter::with_capacity(WRITE_BUF, to);
                let copied = io::copy(&mut from, &mut to).map_err(|e| UnpackError::Io {
                    op: "copy",
                    path: from_path,
                    error: e,
                })?;
                let to = finish_file(to, &to_path)?;
                apply_metadata(&to, &header, &to_path)?;
                links.retain(|link| link.path != planned.path);
                summary.files += 1;
                summary.bytes += copied;
                arc.report_extra(copied);
            }
        }
    }
    walk.finish()?;
    drop(arc);
    pipe.finish()?;
    for link in links {
        if cancel.load(Ordering::Relaxed) {
            return Err(UnpackError::Cancelled);
        }
        let path = dest.prepare_leaf(&link.path)?;
        platform::create_symlink(&link.target, &path, link.target_is_dir)
            .map_err(|source| UnpackError::Io { op: "create link", path, error: source })?;
    }
    Ok(summary)
}

/// The test pass of [`Unpacker::digests`]: the same walk as `extract_planned`, hashing what
/// it would write.
fn digest_planned(
    lock: &UnrarLock,
    archive: &Path,
    plan: &Plan,
    progress: &mut dyn FnMut(u64),
    cancel: &AtomicBool,
) -> Result<BTreeMap<String, FileDigest>, UnpackError> {
    let mut arc = RawArchive::open(lock, archive, Mode::Extract, Some(progress), Some(cancel))?;
    let mut out: BTreeMap<String, FileDigest> = BTreeMap::new();
    let mut walk = Walk { plan, archive, index: 0 };
    while let Some((header, planned)) = walk.next(&mut arc, cancel)? {
        let path = planned.path.to_slash_string();
        match &planned.kind {
            Kind::File => {
                let mut hasher = blake3::Hasher::new();
                let size = arc.process(
                    Op::Test,
                    Some(&mut |data| {
                        hasher.update(data);
                        Ok(())
                    }),
                    header.unpacked_size,
                )?;
                if size != header.unpacked_size {
                    return Err(corrupt(
                        archive,
                        format!("{}: {size} of {} bytes unpacked", planned.raw_name, header.unpacked_size),
                    ));
                }
                out.insert(path, FileDigest { size, blake3: *hasher.finalize().as_bytes() });
            }
            Kind::Copy { source } => {
                arc.process(Op::Skip, None, 0)?;
                match out.get(&source.to_slash_string()).copied() {
                    Some(d) => out.insert(path, d),
                    None => out.remove(&path),
                };
            }
            Kind::Dir | Kind::Symlink { .. } => {
                arc.process(Op::Skip, None, 0)?;
                out.remove(&path);
            }
        }
    }
    walk.finish()?;
    Ok(out)
}

/// The second pass over an archive (extraction, digests): each header it reads, matched
/// against the entry the scan planned for it.
struct Walk<'p> {
    plan: &'p Plan,
    archive: &'p Path,
    index: usize,
}

impl<'p> Walk<'p> {
    /// The next entry (continuations of split files skipped), or `None` at the end.
    fn next(
        &mut self,
        arc: &mut RawArchive<'_>,
        cancel: &AtomicBool,
    ) -> Result<Option<(Header, &'p Planned)>, UnpackError> {
        while let Some(header) = arc.read_header()? {
            if header.is_split_before() {
                arc.process(Op::Skip, None, 0)?;
                continue;
            }
            let index = self.index;
            let Some(planned) = self.plan.entries.get(index) else {
                return Err(corrupt(self.archive, "the archive has more entries than its listing".into()));
            };
            if planned.raw_name != header.name {
                return Err(corrupt(
                    self.archive,
                    format!("entry {index} is {:?} but was listed as {:?}", header.name, planned.raw_name),
                ));
            }
            self.index += 1;
            if cancel.load(Ordering::Relaxed) {
                return Err(UnpackError::Cancelled);
            }
            return Ok(Some((header, planned)));
        }
        Ok(None)
    }

    /// Fails if the archive ended before every planned entry was seen.
    fn finish(&self) -> Result<(), UnpackError> {
        let (index, planned) = (self.index, self.plan.entries.len());
        if index != planned {
            return Err(corrupt(
                self.archive,
                format!("the archive ended after {index} of {planned} entries (truncated?)"),
            ));
        }
        Ok(())
    }
}

fn finish_file(mut sink: io::BufWriter<File>, path: &Path) -> Result<File, UnpackError> {
    let io_err = |source: io::Error| UnpackError::Io { op: "write", path: path.to_path_buf(), error: source };
    sink.flush().map_err(io_err)?;
    sink.into_inner().map_err(|e| io_err(e.into_error()))
}

/// The modification time and, for executable entries of Unix archives, the permission bits.
fn file_meta(header: &Header) -> FileMeta {
    FileMeta {
        mtime: filetime_to_system(header.mtime_filetime),
        unix_mode: (header.host_os == HOST_UNIX && header.file_attr & 0o111 != 0).then_some(header.file_attr),
    }
}

/// Applies [`file_meta`] to a file written on this thread (file copies).
fn apply_metadata(file: &File, header: &Header, path: &Path) -> Result<(), UnpackError> {
    let meta = file_meta(header);
    if let Some(mtime) = meta.mtime {
        // Best effort: some file systems refuse times out of their range.
        let _ = file.set_modified(mtime);
    }
    if let Some(mode) = meta.unix_mode {
        platform::apply_unix_mode(file, mode).map_err(|source| UnpackError::Io {
            op: "set permissions",
            path: path.to_path_buf(),
            error: source,
        })?;
    }
    Ok(())
}

/// Windows FILETIME (100 ns ticks since 1601) to `SystemTime`; `None` if unset or pre-1970.
fn filetime_to_system(ft: u64) -> Option<SystemTime> {
    const TICKS_PER_SEC: u64 = 10_000_000;
    const EPOCH_DIFF_SECS: u64 = 11_644_473_600;
    let secs = (ft / TICKS_PER_SEC).checked_sub(EPOCH_DIFF_SECS)?;
    if ft == 0 {
        return None;
    }
    let nanos = (ft % TICKS_PER_SEC) * 100;
    SystemTime::UNIX_EPOCH.checked_add(Duration::new(secs, nanos as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filetime_conversion() {
        assert_eq!(filetime_to_system(0), None);
        let ft = (11_644_473_600 + 86_400) * 10_000_000 + 5;
        assert_eq!(filetime_to_system(ft), Some(SystemTime::UNIX_EPOCH + Duration::new(86_400, 500)));
    }
}
