//! The platform-specific pieces of extraction, behind one interface.

use std::{fs::File, io, path::Path};

pub(crate) use imp::*;

#[cfg(unix)]
mod imp {
    use super::*;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

    /// Creates a new file; fails if anything (a link included) exists at `path`.
    pub(crate) fn create_new_nofollow(path: &Path) -> io::Result<File> {
        std::fs::OpenOptions::new().write(true).create_new(true).custom_flags(libc::O_NOFOLLOW).open(path)
    }

    /// Opens a file for reading, refusing a link.
    pub(crate) fn open_read_nofollow(path: &Path) -> io::Result<File> {
        std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path)
    }

    /// Applies the permission bits of a Unix archive entry (owner read/write always kept).
    pub(crate) fn apply_unix_mode(file: &File, mode: u32) -> io::Result<()> {
        file.set_permissions(std::fs::Permissions::from_mode((mode & 0o777) | 0o600))
    }

    /// Creates a symbolic link at `link` pointing to the `/`-separated relative `target`.
    pub(crate) fn create_symlink(target: &str, link: &Path, _target_is_dir: bool) -> io::Result<()> {
        std::os::unix::fs::symlink(target, link)
    }
}

#[cfg(windows)]
mod imp {
    use super::*;

    /// Creates a new file; fails if anything exists at `path` (the caller removed links).
    pub(crate) fn create_new_nofollow(path: &Path) -> io::Result<File> {
        std::fs::OpenOptions::new().write(true).create_new(true).open(path)
    }

    /// Opens a file for reading (the caller checked it is not a link).
    pub(crate) fn open_read_nofollow(path: &Path) -> io::Result<File> {
        File::open(path)
    }

    /// Unix permission bits mean nothing here.
    pub(crate) fn apply_unix_mode(_file: &File, _mode: u32) -> io::Result<()> {
        Ok(())
    }

    /// Creates a symbolic link (needs Developer Mode or the privilege; the error says so).
    pub(crate) fn create_symlink(target: &str, link: &Path, target_is_dir: bool) -> io::Result<()> {
        let target = target.replace('/', "\\");
        if target_is_dir {
            std::os::windows::fs::symlink_dir(target, link)
        } else {
            std::os::windows::fs::symlink_file(target, link)
        }
    }
}
