//! Writing entries under the target directory without ever following a link.
//!
//! Every parent directory of an entry is checked with `symlink_metadata` (and created when
//! missing); a symbolic link anywhere on the way is refused. The file itself is opened without
//! following a link (`O_NOFOLLOW` on Unix; a link found there is removed first, since the
//! target directory belongs to the extraction). Symbolic links from the archive are created only
//! after every file is written, so no write can pass through them.

use std::{
    collections::HashSet,
    fs::{self, File},
    io,
    path::{Path, PathBuf},
};

use crate::{UnpackError, names::EntryPath, platform};

/// The target directory of one extraction.
pub(crate) struct SafeDest<'a> {
    root: &'a Path,
    archive: &'a Path,
    /// Directories already checked to be real directories.
    known_dirs: HashSet<PathBuf>,
}

impl<'a> SafeDest<'a> {
    pub(crate) fn new(root: &'a Path, archive: &'a Path) -> Self {
        Self { root, archive, known_dirs: HashSet::new() }
    }

    fn io(&self, op: &'static str, path: &Path, source: io::Error) -> UnpackError {
        UnpackError::Io { op, path: path.to_path_buf(), error: source }
    }

    fn through_link(&self, entry: &EntryPath) -> UnpackError {
        UnpackError::UnsafeEntry {
            archive: self.archive.to_path_buf(),
            entry: format!("{} (a directory on its path is a link)", entry.to_slash_string()),
        }
    }

    /// Makes sure the first `count` components of `entry` are real directories.
    fn ensure_dirs(&mut self, entry: &EntryPath, count: usize) -> Result<PathBuf, UnpackError> {
        let mut path = self.root.to_path_buf();
        for part in &entry.parts()[..count] {
            path.push(part);
            if self.known_dirs.contains(&path) {
                continue;
            }
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.is_dir() => {}
                Ok(meta) if meta.file_type().is_symlink() => return Err(self.through_link(entry)),
                Ok(_) => {
                    return Err(self.io(
                        "create directory",
                        &path,
                        io::Error::new(io::ErrorKind::AlreadyExists, "a file of that name is in the way"),
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => match fs::create_dir(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        let meta = fs::symlink_metadata(&path).map_err(|e| self.io("inspect", &path, e))?;
                        if !meta.is_dir() {
                            return Err(self.through_link(entry));
                        }
                    }
                    Err(e) => return Err(self.io("create directory", &path, e)),
                },
                Err(e) => return Err(self.io("inspect", &path, e)),
            }
            self.known_dirs.insert(path.clone());
        }
        Ok(path)
    }

    /// Creates the directory `entry` (and its parents).
    pub(crate) fn create_dir(&mut self, entry: &EntryPath) -> Result<(), UnpackError> {
        self.ensure_dirs(entry, entry.parts().len()).map(drop)
    }

    /// Prepares the leaf of `entry`: parents exist, and whatever a previous entry left at the
    /// path (a file or a link) is removed. Returns the full path.
    pub(crate) fn prepare_leaf(&mut self, entry: &EntryPath) -> Result<PathBuf, UnpackError> {
        let parents = entry.parts().len() - 1;
        let mut path = self.ensure_dirs(entry, parents)?;
        path.push(&entry.parts()[parents]);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => Err(self.io(
                "create",
                &path,
                io::Error::new(io::ErrorKind::AlreadyExists, "a directory of that name is in the way"),
            )),
            Ok(_) => fs::remove_file(&path).map_err(|e| self.io("replace", &path, e)).map(|()| path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(path),
            Err(e) => Err(self.io("inspect", &path, e)),
        }
    }

    /// Creates (or replaces) the file `entry` for writing.
    pub(crate) fn create_file(&mut self, entry: &EntryPath) -> Result<(File, PathBuf), UnpackError> {
        let path = self.prepare_leaf(entry)?;
        let file = platform::create_new_nofollow(&path).map_err(|e| self.io("create", &path, e))?;
        Ok((file, path))
    }

    /// Opens the already extracted regular file `entry` for reading (hard links and file
    /// copies refer to earlier entries).
    pub(crate) fn open_existing(&mut self, entry: &EntryPath) -> Result<(File, PathBuf), UnpackError> {
        let parents = entry.parts().len() - 1;
        let mut path = self.ensure_dirs(entry, parents)?;
        path.push(&entry.parts()[parents]);
        let meta = fs::symlink_metadata(&path).map_err(|e| self.io("open", &path, e))?;
        if !meta.is_file() {
            return Err(UnpackError::UnsafeEntry {
                archive: self.archive.to_path_buf(),
                entry: format!("{} (a link to something that is not a file)", entry.to_slash_string()),
            });
        }
        let file = platform::open_read_nofollow(&path).map_err(|e| self.io("open", &path, e))?;
        Ok((file, path))
    }
}
