//! File operations of a download, all confined to the game root: pre-creating payload files,
//! writing verified chunks, durability, removing stale payload and the version-sentinel
//! transaction (park → tmp → fsync → rename).
//!
//! Nothing is ever written through a symbolic link: every directory on the way is checked with
//! `symlink_metadata`, and files are opened with `O_NOFOLLOW` where the platform has it.

use std::{
    collections::{HashMap, HashSet},
    fs::{self, File, OpenOptions},
    io::{self, Write},
    path::{Path, PathBuf},
};

use lanspread_proto::{
    GameManifest, RelPath, is_reserved_root_name,
    path::{LOCAL_DIR, VERSION_INI},
};

use super::buf::{ALIGN, BufPool, ChunkBuf};
use crate::platform;

/// The parked previous sentinel.
pub(crate) const DISCARDED: &str = ".version.ini.discarded";
/// The sentinel being committed.
pub(crate) const TMP: &str = ".version.ini.tmp";

fn not_link(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(md) if md.file_type().is_symlink() => Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("refusing to write through the symbolic link {}", path.display()),
        )),
        _ => Ok(()),
    }
}

/// Creates the game root if needed, refusing a root that is a symbolic link (a download must
/// never rename or delete anything outside the game directory, not even `version.ini`).
pub(crate) fn create_root(root: &Path) -> io::Result<()> {
    not_link(root)?;
    fs::create_dir_all(root)?;
    not_link(root)
}

/// Creates the directories of `rel` under `root` without following links; returns the path.
pub(crate) fn safe_path(root: &Path, rel: &RelPath, create_parents: bool) -> io::Result<PathBuf> {
    let comps: Vec<&str> = rel.components().collect();
    let mut p = root.to_path_buf();
    for (i, c) in comps.iter().enumerate() {
        p.push(c);
        not_link(&p)?;
        if i + 1 < comps.len() && create_parents {
            match fs::create_dir(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    if !fs::symlink_metadata(&p)?.is_dir() {
                        return Err(io::Error::other(format!(
                            "{} is in the way of a directory",
                            p.display()
                        )));
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(p)
}

fn open_rw(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW);
    }
    o.open(path)
}

/// Pre-creates every payload file (except `version.ini`) at its final size without truncating
/// data that is already there, and the empty directories. Returns, per file index, the length
/// the file had before (to know what local data may be reused).
pub(crate) fn prepare(root: &Path, manifest: &GameManifest) -> io::Result<Vec<Option<u64>>> {
    fs::create_dir_all(root)?;
    not_link(root)?;
    let mut prior = Vec::with_capacity(manifest.files.len());
    for f in &manifest.files {
        if f.path.is_version_ini() {
            prior.push(None);
            continue;
        }
        let path = safe_path(root, &f.path, true)?;
        if let Ok(md) = fs::symlink_metadata(&path)
            && md.is_dir()
        {
            return Err(io::Error::other(format!(
                "{} is a directory; the game expects a file there",
                path.display()
            )));
        }
        let before = fs::symlink_metadata(&path).ok().map(|m| m.len());
        let file = open_rw(&path)?;
        if file.metadata()?.len() != f.size {
            file.set_len(f.size)?;
        }
        prior.push(before);
    }
    for d in &manifest.empty_dirs {
        let p = safe_path(root, d, true)?;
        if !p.exists() {
            fs::create_dir(&p)?;
        }
    }
    Ok(prior)
}

/// Open payload files, a few at a time, shared by concurrent writers (`pwrite` needs no
/// cursor, so one handle serves every writer of a file).
pub(crate) struct FileCache {
    root: PathBuf,
    open: std::sync::Mutex<HashMap<usize, std::sync::Arc<File>>>,
}

impl FileCache {
    pub(crate) fn new(root: &Path) -> Self {
        Self { root: root.to_path_buf(), open: std::sync::Mutex::new(HashMap::new()) }
    }

    pub(crate) fn get(&self, idx: usize, rel: &RelPath) -> io::Result<std::sync::Arc<File>> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = open.get(&idx) {
            return Ok(f.clone());
        }
        if open.len() >= 64 {
            open.clear();
        }
        let path = safe_path(&self.root, rel, false)?;
        let f = std::sync::Arc::new(open_rw(&path)?);
        open.insert(idx, f.clone());
        Ok(f)
    }
}

/// The download writer's files: chunk data goes to disk with `O_DIRECT` where the platform
/// and filesystem allow it, else through the page cache.
///
/// A download is made durable with fdatasync anyway, so caching gigabytes of freshly written
/// payload only evicts what the machine was using and makes every sync a write-back storm.
/// Direct writes skip that copy: the aligned chunk buffer (see [`super::buf`]) goes straight to
/// the device. A chunk's unaligned tail (end of a file) goes through the page cache, and a
/// filesystem that refuses direct I/O (`EINVAL`) silently gets buffered writes.
pub(crate) struct ChunkWriter {
    files: FileCache,
    /// Direct handles per file index; `None` once the filesystem refused direct I/O.
    direct: HashMap<usize, Option<File>>,
    /// For data that is not page-aligned in memory.
    bounce: Option<ChunkBuf>,
    pool: BufPool,
}

impl ChunkWriter {
    pub(crate) fn new(root: &Path) -> Self {
        Self { files: FileCache::new(root), direct: HashMap::new(), bounce: None, pool: BufPool::default() }
    }

    /// Writes `data` at `offset` of manifest file `idx`.
    pub(crate) fn write(&mut self, idx: usize, rel: &RelPath, offset: u64, data: &[u8]) -> io::Result<()> {
        let aligned = data.len() & !(ALIGN - 1);
        if aligned > 0
            && offset.is_multiple_of(ALIGN as u64)
            && self.write_direct(idx, rel, offset, data, aligned)?
        {
            return Ok(());
        }
        write_at(&*self.files.get(idx, rel)?, offset, data)
    }

    /// `Ok(false)`: direct I/O is not available for this file; nothing was written.
    fn write_direct(
        &mut self,
        idx: usize,
        rel: &RelPath,
        offset: u64,
        data: &[u8],
        aligned: usize,
    ) -> io::Result<bool> {
        if self.direct.len() >= 64 && !self.direct.contains_key(&idx) {
            self.direct.clear();
        }
        let handle = match self.direct.get(&idx) {
            Some(h) => h,
            None => {
                let h = open_direct(&safe_path(&self.files.root, rel, false)?);
                self.direct.entry(idx).or_insert(h)
            }
        };
        let Some(file) = handle else { return Ok(false) };
        let body = if (data.as_ptr() as usize).is_multiple_of(ALIGN) {
            &data[..aligned]
        } else {
            let bounce = match &mut self.bounce {
                Some(b) if b.capacity() >= aligned => b,
                slot => slot.insert(self.pool.take(aligned)),
            };
            bounce.clear();
            bounce.extend_from_slice(&data[..aligned]);
            bounce.as_slice()
        };
        match write_at(file, offset, body) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
                tracing::debug!(path = %rel, "direct I/O refused by the filesystem; writing through the page cache");
                self.direct.insert(idx, None);
                return Ok(false);
            }
            Err(e) => return Err(e),
        }
        if aligned < data.len() {
            write_at(&*self.files.get(idx, rel)?, offset + aligned as u64, &data[aligned..])?;
        }
        Ok(true)
    }
}

/// Opens an existing payload file for direct writes, or `None` where that is not possible.
fn open_direct(path: &Path) -> Option<File> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        OpenOptions::new().write(true).custom_flags(libc::O_NOFOLLOW | libc::O_DIRECT).open(path).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        None
    }
}

/// Writes `data` at `offset` without moving any cursor.
pub(crate) fn write_at(file: &File, offset: u64, data: &[u8]) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.write_all_at(data, offset)
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt;
        let mut done = 0;
        while done < data.len() {
            let n = file.seek_write(&data[done..], offset + done as u64)?;
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::WriteZero, "short write"));
            }
            done += n;
        }
        Ok(())
    }
}

/// Reads `len` bytes at `offset`.
pub(crate) fn read_at(file: &File, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(buf, offset)
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt;
        let mut done = 0;
        while done < buf.len() {
            let n = file.seek_read(&mut buf[done..], offset + done as u64)?;
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "short read"));
            }
            done += n;
        }
        Ok(())
    }
}

/// Truncates a file to zero and back to `size` (whole-file fallback only).
pub(crate) fn truncate_for_rewrite(root: &Path, rel: &RelPath, size: u64) -> io::Result<()> {
    let f = open_rw(&safe_path(root, rel, true)?)?;
    f.set_len(0)?;
    f.set_len(size)
}

/// fdatasyncs the files with the given indexes.
pub(crate) fn sync_files(
    root: &Path,
    manifest: &GameManifest,
    idx: impl IntoIterator<Item = usize>,
) -> io::Result<()> {
    for i in idx {
        let f = &manifest.files[i];
        if f.path.is_version_ini() {
            continue;
        }
        let file = open_rw(&safe_path(root, &f.path, false)?)?;
        file.sync_data()?;
    }
    Ok(())
}

/// Deletes payload that is not part of `manifest` (stale files of an older version), never
/// touching reserved names. Empty directories left behind go too, unless the manifest lists them.
///
/// Names compare case-folded: on Windows and macOS an old `Data/` on disk *is* the manifest's
/// `data/`, and deleting `Data/x.bin` would delete `data/x.bin`. On a case-sensitive file
/// system this keeps a stale file that differs from a payload name only in case, never more.
pub(crate) fn remove_extraneous(root: &Path, manifest: &GameManifest) -> io::Result<Vec<String>> {
    let keep: HashSet<String> = manifest.files.iter().map(|f| f.path.fold_key()).collect();
    let keep_dirs: HashSet<String> = manifest
        .files
        .iter()
        .flat_map(|f| {
            let key = f.path.fold_key();
            let comps: Vec<String> = key.split('/').map(str::to_string).collect();
            (1..comps.len()).map(move |n| comps[..n].join("/"))
        })
        .chain(manifest.empty_dirs.iter().map(|d| d.fold_key()))
        .collect();
    let mut removed = Vec::new();
    for e in fs::read_dir(root)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if is_reserved_root_name(&name) || name == VERSION_INI || name.eq_ignore_ascii_case(LOCAL_DIR) {
            continue;
        }
        sweep(&e.path(), &name, &keep, &keep_dirs, &mut removed)?;
    }
    Ok(removed)
}

fn sweep(
    path: &Path,
    rel: &str,
    keep: &HashSet<String>,
    keep_dirs: &HashSet<String>,
    removed: &mut Vec<String>,
) -> io::Result<()> {
    let md = fs::symlink_metadata(path)?;
    let key = rel.to_lowercase();
    if md.is_dir() {
        for e in fs::read_dir(path)? {
            let e = e?;
            let child = format!("{rel}/{}", e.file_name().to_string_lossy());
            sweep(&e.path(), &child, keep, keep_dirs, removed)?;
        }
        if !keep_dirs.contains(&key) && fs::read_dir(path)?.next().is_none() {
            fs::remove_dir(path)?;
            removed.push(format!("{rel}/"));
        }
    } else if !keep.contains(&key) {
        // Symlinks are removed as links (never followed).
        fs::remove_file(path)?;
        removed.push(rel.to_string());
    }
    Ok(())
}

/// Parks an existing `version.ini` as `.version.ini.discarded`. Returns whether one existed.
pub(crate) fn park_sentinel(root: &Path) -> io::Result<bool> {
    let v = root.join(VERSION_INI);
    if fs::symlink_metadata(&v).is_err() {
        return Ok(false);
    }
    fs::rename(&v, root.join(DISCARDED))?;
    platform::sync_dir(root)?;
    Ok(true)
}

/// Commits `content` as `version.ini`: write `.version.ini.tmp`, fsync, rename, fsync dir.
pub(crate) fn commit_sentinel(root: &Path, content: &[u8]) -> io::Result<()> {
    let tmp = root.join(TMP);
    {
        let mut f = File::create(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, root.join(VERSION_INI))?;
    platform::sync_dir(root)
}

/// Removes the transient sentinels (never restores the parked one).
pub(crate) fn sweep_sentinels(root: &Path) {
    for n in [TMP, DISCARDED] {
        let _ = fs::remove_file(root.join(n));
    }
}

#[cfg(test)]
mod tests {
    use lanspread_proto::{ChunkHash, GameFileDescription, GameId, GameVersion};

    use super::*;

    fn manifest(files: &[(&str, u64)]) -> GameManifest {
        GameManifest::new(
            GameId::new("quake3").unwrap(),
            GameVersion::new("1").unwrap(),
            1 << 20,
            files
                .iter()
                .map(|(p, s)| GameFileDescription {
                    path: RelPath::new(*p).unwrap(),
                    size: *s,
                    chunks: vec![ChunkHash([0; 32]); s.div_ceil(1 << 20) as usize],
                })
                .collect(),
            vec![RelPath::new("saves").unwrap()],
        )
    }

    #[test]
    fn prepare_keeps_existing_bytes_and_sizes_files() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("quake3");
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::write(root.join("sub/a.bin"), b"hello").unwrap();
        let m = manifest(&[("version.ini", 2), ("sub/a.bin", 10), ("b.bin", 3)]);
        let prior = prepare(&root, &m).unwrap();
        let a = m.files.iter().position(|f| f.path.as_str() == "sub/a.bin").unwrap();
        assert_eq!(prior[a], Some(5));
        assert_eq!(&fs::read(root.join("sub/a.bin")).unwrap()[..5], b"hello", "no truncation");
        assert_eq!(fs::metadata(root.join("sub/a.bin")).unwrap().len(), 10);
        assert_eq!(fs::metadata(root.join("b.bin")).unwrap().len(), 3);
        assert!(!root.join("version.ini").exists(), "the sentinel is never pre-created");
        assert!(root.join("saves").is_dir());
    }

    #[cfg(unix)]
    #[test]
    fn prepare_refuses_to_write_through_symlinks() {
        let d = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = d.path().join("quake3");
        fs::create_dir_all(&root).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("data")).unwrap();
        let m = manifest(&[("version.ini", 2), ("data/x.bin", 10)]);
        let err = prepare(&root, &m).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0, "nothing written outside");
        std::os::unix::fs::symlink("/etc/passwd", root.join("f.bin")).unwrap();
        let m = manifest(&[("version.ini", 2), ("f.bin", 10)]);
        assert!(prepare(&root, &m).is_err());
    }

    #[test]
    fn stale_payload_is_removed_but_reserved_names_stay() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        for p in [
            "keep.rar",
            "old.part3.rar",
            "olddir/x",
            "local/save.dat",
            ".lanspread/download.json",
            "version.ini",
        ] {
            fs::create_dir_all(root.join(p).parent().unwrap()).unwrap();
            fs::write(root.join(p), b"x").unwrap();
        }
        fs::create_dir_all(root.join("saves")).unwrap();
        let m = manifest(&[("version.ini", 2), ("keep.rar", 1)]);
        let mut removed = remove_extraneous(root, &m).unwrap();
        removed.sort();
        assert_eq!(removed, ["old.part3.rar", "olddir/", "olddir/x"]);
        assert!(root.join("local/save.dat").exists());
        assert!(root.join(".lanspread/download.json").exists());
        assert!(root.join("saves").is_dir(), "listed empty dir kept");
    }

    #[test]
    fn sweep_compares_names_case_insensitively() {
        // On Windows and macOS `Data/X.bin` on disk is the manifest's `data/x.bin`.
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        for p in ["Data/X.bin", "Data/old.bin", "Maps/e1.bsp"] {
            fs::create_dir_all(root.join(p).parent().unwrap()).unwrap();
            fs::write(root.join(p), b"x").unwrap();
        }
        fs::create_dir_all(root.join("SAVES")).unwrap();
        let mut m = manifest(&[("version.ini", 2), ("data/x.bin", 1)]);
        m.empty_dirs.push(RelPath::new("saves").unwrap());
        let mut removed = remove_extraneous(root, &m).unwrap();
        removed.sort();
        assert_eq!(removed, ["Data/old.bin", "Maps/", "Maps/e1.bsp"]);
        assert_eq!(fs::read(root.join("Data/X.bin")).unwrap(), b"x");
        assert!(root.join("SAVES").is_dir());
    }

    #[test]
    fn chunk_writer_lands_direct_and_buffered_writes_byte_for_byte() {
        let d = tempfile::tempdir().unwrap();
        let rel = RelPath::new("data/x.bin").unwrap();
        fs::create_dir_all(d.path().join("data")).unwrap();
        let size = 3 * 65536 + 1234;
        let path = d.path().join("data/x.bin");
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap()
            .set_len(size)
            .unwrap();
        let want: Vec<u8> = (0..size).map(|i| (i * 7 % 253) as u8).collect();
        // Aligned buffers as the download hands them over, and unaligned slices (bounce copy).
        let pool = BufPool::default();
        let aligned = |from: usize, to: usize| {
            let mut b = pool.take(to - from);
            b.extend_from_slice(&want[from..to]);
            b
        };
        let unaligned = |from: usize, to: usize| {
            let mut v = vec![0u8; to - from + 1];
            v[1..].copy_from_slice(&want[from..to]);
            v
        };
        let mut w = ChunkWriter::new(d.path());
        let s = size as usize;
        // Out of order: the file's unaligned last chunk (direct body + buffered tail), an
        // unaligned buffer (bounced), an unaligned offset (buffered only), then the rest.
        w.write(0, &rel, 3 * 65536, aligned(3 * 65536, s).as_slice()).unwrap();
        w.write(0, &rel, 65536, &unaligned(65536, 2 * 65536)[1..]).unwrap();
        w.write(0, &rel, 2 * 65536 + 100, aligned(2 * 65536 + 100, 3 * 65536).as_slice()).unwrap();
        w.write(0, &rel, 0, aligned(0, 65536).as_slice()).unwrap();
        w.write(0, &rel, 2 * 65536, &want[2 * 65536..2 * 65536 + 100]).unwrap();
        // A rewrite of a range already written buffered goes direct and wins.
        let mut again = aligned(2 * 65536, 3 * 65536);
        again.clear();
        again.extend_from_slice(&want[2 * 65536..3 * 65536]);
        w.write(0, &rel, 2 * 65536, again.as_slice()).unwrap();
        assert_eq!(fs::read(&path).unwrap(), want);
        #[cfg(target_os = "linux")]
        assert!(matches!(w.direct.get(&0), Some(Some(_))), "ext4/tmpfs take direct writes");
    }

    /// (Windows: creating a symbolic link needs a privilege players do not have.)
    #[cfg(unix)]
    #[test]
    fn chunk_writer_refuses_to_write_through_a_symlink() {
        let d = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("t"), vec![0u8; 8192]).unwrap();
        std::os::unix::fs::symlink(outside.path().join("t"), d.path().join("x.bin")).unwrap();
        let mut w = ChunkWriter::new(d.path());
        assert!(w.write(0, &RelPath::new("x.bin").unwrap(), 0, &[9u8; 8192]).is_err());
        assert_eq!(fs::read(outside.path().join("t")).unwrap(), vec![0u8; 8192]);
    }

    #[test]
    fn sentinel_transaction() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        assert!(!park_sentinel(root).unwrap());
        fs::write(root.join("version.ini"), b"1\n").unwrap();
        assert!(park_sentinel(root).unwrap());
        assert!(!root.join("version.ini").exists());
        assert_eq!(fs::read(root.join(DISCARDED)).unwrap(), b"1\n");
        commit_sentinel(root, b"2\n").unwrap();
        assert_eq!(fs::read(root.join("version.ini")).unwrap(), b"2\n");
        assert!(!root.join(TMP).exists());
        sweep_sentinels(root);
        assert!(!root.join(DISCARDED).exists());
    }
}
