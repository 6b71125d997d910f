//! The platform-specific pieces of install transactions, behind one interface:
//! making renames and file contents durable, and free disk space.

use std::{io, path::Path};

pub(crate) use imp::{available_space, sync_dir, sync_tree};

#[cfg(unix)]
mod imp {
    use std::{ffi::CString, fs::File, io, os::unix::ffi::OsStrExt, path::Path};

    /// fsyncs a directory, making renames and creations inside it durable.
    pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }

    /// Makes every file and directory under `dir` durable.
    #[cfg(target_os = "linux")]
    pub(crate) fn sync_tree(dir: &Path) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        // One syncfs(2) flushes the whole file system the tree lives on: far cheaper than an
        // fsync per extracted file, and it covers the directories too.
        let handle = File::open(dir)?;
        // SAFETY: a valid open file descriptor.
        if unsafe { libc::syncfs(handle.as_raw_fd()) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Makes every file and directory under `dir` durable.
    #[cfg(not(target_os = "linux"))]
    pub(crate) fn sync_tree(dir: &Path) -> io::Result<()> {
        super::sync_tree_by_walking(dir, |p| File::open(p)?.sync_all(), sync_dir)
    }

    /// Bytes available to this user on the file system holding `path`.
    pub(crate) fn available_space(path: &Path) -> io::Result<u64> {
        let c_path = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
        // SAFETY: statvfs is plain old data; all-zero is a valid value.
        let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: a NUL-terminated path and a valid out pointer.
        if unsafe { libc::statvfs(c_path.as_ptr(), &mut stats) } != 0 {
            return Err(io::Error::last_os_error());
        }
        #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
        Ok((stats.f_bavail as u64).saturating_mul(stats.f_frsize as u64))
    }
}

#[cfg(windows)]
mod imp {
    use std::{fs::OpenOptions, io, path::Path};

    /// NTFS journals metadata, so a completed rename is durable once the journal is flushed;
    /// Windows offers no portable way to fsync a directory handle from std.
    pub(crate) fn sync_dir(_dir: &Path) -> io::Result<()> {
        Ok(())
    }

    /// Flushes every file under `dir` (FlushFileBuffers needs write access; a read-only file,
    /// e.g. user data carried over by hard link, was not written by us and is skipped).
    pub(crate) fn sync_tree(dir: &Path) -> io::Result<()> {
        super::sync_tree_by_walking(
            dir,
            |p| match OpenOptions::new().write(true).open(p) {
                Ok(file) => file.sync_all(),
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Ok(()),
                Err(e) => Err(e),
            },
            sync_dir,
        )
    }

    #[link(name = "kernel32")]
    unsafe extern "system" {
        fn GetDiskFreeSpaceExW(
            directory: *const u16,
            free_to_caller: *mut u64,
            total: *mut u64,
            total_free: *mut u64,
        ) -> i32;
    }

    /// Bytes available to this user on the volume holding `path`.
    pub(crate) fn available_space(path: &Path) -> io::Result<u64> {
        let wide = crate::platform::wide_long_path(path);
        let mut free = 0u64;
        // SAFETY: a NUL-terminated wide path and valid out pointers (null ones are allowed).
        let ok = unsafe {
            GetDiskFreeSpaceExW(wide.as_ptr(), &mut free, std::ptr::null_mut(), std::ptr::null_mut())
        };
        if ok == 0 { Err(io::Error::last_os_error()) } else { Ok(free) }
    }
}

/// Walks a tree without following links, syncing files then directories.
#[cfg_attr(all(unix, target_os = "linux"), allow(dead_code))]
fn sync_tree_by_walking(
    dir: &Path,
    sync_file: impl Fn(&Path) -> io::Result<()> + Copy,
    sync_dir: impl Fn(&Path) -> io::Result<()> + Copy,
) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            sync_tree_by_walking(&entry.path(), sync_file, sync_dir)?;
        } else if kind.is_file() {
            sync_file(&entry.path())?;
        }
    }
    sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_free_space_and_syncs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/f"), b"x").unwrap();
        assert!(available_space(dir.path()).unwrap() > 0);
        sync_tree(dir.path()).unwrap();
        sync_dir(dir.path()).unwrap();
        // Windows flushes only handles opened for writing.
        let flush = |p: &Path| std::fs::OpenOptions::new().write(true).open(p)?.sync_all();
        sync_tree_by_walking(dir.path(), flush, |_| Ok(())).unwrap();
        assert!(available_space(&dir.path().join("missing")).is_err());
    }
}
