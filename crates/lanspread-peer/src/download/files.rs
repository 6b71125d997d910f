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

/// Writes `pieces` back to back starting at `offset`, in as few system calls as possible
/// (a chunk arrives as ~175 QUIC pieces per MiB).
pub(crate) fn write_pieces_at(file: &File, offset: u64, pieces: &[bytes::Bytes]) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // Cursor over (piece index, offset inside the piece).
        let (mut idx, mut skip) = (0usize, 0usize);
        let mut at = offset;
        while idx < pieces.len() {
            let iov: Vec<libc::iovec> = pieces[idx..]
                .iter()
                .take(512)
                .enumerate()
                .map(|(n, p)| {
                    let start = if n == 0 { skip } else { 0 };
                    libc::iovec {
                        iov_base: p[start..].as_ptr() as *mut libc::c_void,
                        iov_len: p.len() - start,
                    }
                })
                .collect();
            // SAFETY: every iovec points into a live `Bytes` borrowed for this call, with its
            // exact remaining length; pwritev only reads them.
            let n = unsafe {
                libc::pwritev(file.as_raw_fd(), iov.as_ptr(), iov.len() as libc::c_int, at as libc::off_t)
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::WriteZero, "short write"));
            }
            let mut n = n as usize;
            at += n as u64;
            while n > 0 && idx < pieces.len() {
                let left = pieces[idx].len() - skip;
                if n >= left {
                    n -= left;
                    idx += 1;
                    skip = 0;
                } else {
                    skip += n;
                    n = 0;
                }
            }
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let mut at = offset;
        for p in pieces {
            write_at(file, at, p)?;
            at += p.len() as u64;
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
pub(crate) fn remove_extraneous(root: &Path, manifest: &GameManifest) -> io::Result<Vec<String>> {
    let keep: HashSet<String> = manifest.files.iter().map(|f| f.path.as_str().to_string()).collect();
    let keep_dirs: HashSet<String> = manifest
        .files
        .iter()
        .flat_map(|f| {
            let comps: Vec<&str> = f.path.components().collect();
            (1..comps.len()).map(move |n| comps[..n].join("/"))
        })
        .chain(manifest.empty_dirs.iter().map(|d| d.as_str().to_string()))
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
    if md.is_dir() {
        for e in fs::read_dir(path)? {
            let e = e?;
            let child = format!("{rel}/{}", e.file_name().to_string_lossy());
            sweep(&e.path(), &child, keep, keep_dirs, removed)?;
        }
        if !keep_dirs.contains(rel) && fs::read_dir(path)?.next().is_none() {
            fs::remove_dir(path)?;
            removed.push(format!("{rel}/"));
        }
    } else if !keep.contains(rel) {
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
    fn vectored_writes_land_at_the_right_offsets() {
        let d = tempfile::tempdir().unwrap();
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(d.path().join("x"))
            .unwrap();
        let pieces: Vec<bytes::Bytes> =
            (0..1500u32).map(|i| bytes::Bytes::from(vec![(i % 251) as u8; (i % 7 + 1) as usize])).collect();
        let want: Vec<u8> = pieces.iter().flat_map(|p| p.iter().copied()).collect();
        write_pieces_at(&f, 3, &pieces).unwrap();
        let got = fs::read(d.path().join("x")).unwrap();
        assert_eq!(&got[3..], &want[..]);
        assert_eq!(&got[..3], &[0, 0, 0]);
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
