//! File-system steps of the transactions. None of them follows a symbolic link: trees are
//! walked with `symlink_metadata`, links are removed or recreated as links.

use std::{
    fs::{self, File},
    io::{self, Read, Write},
    path::{Path, PathBuf},
    sync::atomic::{AtomicBool, Ordering},
};

use super::{
    InstallError, MARKER,
    ctx::{Ctx, Fail, io_err},
    platform,
};

/// Copy buffer size.
const COPY_BUF: usize = 1 << 20;

/// The kind of a directory entry, links not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    File,
    Dir,
    Symlink,
    /// Sockets, devices: never copied.
    Other,
}

/// Looks at `path` without following a link (`None` if absent).
pub(crate) fn kind_of(path: &Path) -> io::Result<Option<Kind>> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(kind_from(&meta.file_type()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn kind_from(ft: &fs::FileType) -> Kind {
    if ft.is_symlink() {
        Kind::Symlink
    } else if ft.is_dir() {
        Kind::Dir
    } else if ft.is_file() {
        Kind::File
    } else {
        Kind::Other
    }
}

/// Whether `dir` is a real directory holding our ownership marker.
pub(crate) fn is_owned(dir: &Path) -> io::Result<bool> {
    Ok(kind_of(dir)? == Some(Kind::Dir) && kind_of(&dir.join(MARKER))? == Some(Kind::File))
}

/// Writes the ownership marker into `dir` durably.
pub(crate) fn mark(dir: &Path) -> Result<(), Fail> {
    let marker = dir.join(MARKER);
    let mut file = File::create(&marker).map_err(io_err("create", &marker))?;
    file.write_all(b"created by lanspread; safe to delete with its directory\n")
        .and_then(|()| file.sync_all())
        .map_err(io_err("write", &marker))?;
    platform::sync_dir(dir).map_err(io_err("sync", dir))
}

/// Removes the ownership marker from `dir` durably (absent is fine).
pub(crate) fn unmark(dir: &Path) -> Result<(), Fail> {
    match fs::remove_file(dir.join(MARKER)) {
        Ok(()) => platform::sync_dir(dir).map_err(io_err("sync", dir)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err("remove", &dir.join(MARKER))(e)),
    }
}

/// Creates `dir` (which must not exist) with its marker, durably.
pub(crate) fn create_owned_dir(dir: &Path) -> Result<(), Fail> {
    fs::create_dir(dir).map_err(io_err("create directory", dir))?;
    mark(dir)?;
    sync_parent(dir)
}

pub(crate) fn sync_parent(path: &Path) -> Result<(), Fail> {
    match path.parent() {
        Some(parent) => platform::sync_dir(parent).map_err(io_err("sync", parent)),
        None => Ok(()),
    }
}

/// Renames `from` to `to` (same directory) and makes it durable.
pub(crate) fn rename_durable(
    ctx: &mut Ctx<'_>,
    step: &'static str,
    from: &Path,
    to: &Path,
) -> Result<(), Fail> {
    ctx.point(step)?;
    fs::rename(from, to).map_err(|source| {
        Fail::Error(InstallError::Io {
            op: "rename",
            path: from.to_path_buf(),
            error: io::Error::new(
                source.kind(),
                if source.kind() == io::ErrorKind::PermissionDenied {
                    format!(
                        "to {}: {source}; close the game and any program using its files, then retry",
                        to.display()
                    )
                } else {
                    format!("to {}: {source}", to.display())
                },
            ),
        })
    })?;
    sync_parent(to)
}

/// Deletes the tree `dir` without following links. The ownership marker at its top goes last,
/// just before the directory itself, so a crash midway leaves a still-marked, provably ours
/// directory. Absent is fine.
pub(crate) fn remove_tree(ctx: &mut Ctx<'_>, dir: &Path) -> Result<(), Fail> {
    match kind_of(dir).map_err(io_err("inspect", dir))? {
        None => return Ok(()),
        Some(Kind::Dir) => {}
        Some(_) => {
            ctx.point("remove")?;
            remove_file_forcibly(dir).map_err(io_err("remove", dir))?;
            return sync_parent(dir);
        }
    }
    remove_children(ctx, dir, true)?;
    ctx.point("remove")?;
    remove_file_forcibly(&dir.join(MARKER)).or_else(ignore_not_found).map_err(io_err("remove", dir))?;
    fs::remove_dir(dir).map_err(io_err("remove directory", dir))?;
    sync_parent(dir)
}

fn ignore_not_found(e: io::Error) -> io::Result<()> {
    if e.kind() == io::ErrorKind::NotFound { Ok(()) } else { Err(e) }
}

fn remove_children(ctx: &mut Ctx<'_>, dir: &Path, top: bool) -> Result<(), Fail> {
    let entries = read_dir_sorted(dir).map_err(io_err("list", dir))?;
    for (name, kind) in entries {
        if top && name == MARKER {
            continue;
        }
        let path = dir.join(&name);
        if kind == Kind::Dir {
            remove_children(ctx, &path, false)?;
            ctx.point("remove")?;
            remove_dir_forcibly(&path).map_err(io_err("remove directory", &path))?;
        } else {
            ctx.point("remove")?;
            remove_file_forcibly(&path).map_err(io_err("remove", &path))?;
        }
    }
    Ok(())
}

/// Entries of `dir` sorted by name (deterministic order for tests and crash points).
pub(crate) fn read_dir_sorted(dir: &Path) -> io::Result<Vec<(std::ffi::OsString, Kind)>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        out.push((entry.file_name(), kind_from(&entry.file_type()?)));
    }
    out.sort();
    Ok(out)
}

/// Removes a file or link, clearing a read-only flag (Windows) or a non-writable parent
/// (Unix) that a game may have left.
pub(crate) fn remove_file_forcibly(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            make_writable(path)?;
            fs::remove_file(path)
        }
        other => other,
    }
}

fn remove_dir_forcibly(path: &Path) -> io::Result<()> {
    match fs::remove_dir(path) {
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            make_writable(path)?;
            fs::remove_dir(path)
        }
        other => other,
    }
}

#[cfg(unix)]
fn make_writable(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // Unlinking needs write permission on the parent directory.
    if let Some(parent) = path.parent() {
        let mode = fs::symlink_metadata(parent)?.permissions().mode();
        fs::set_permissions(parent, fs::Permissions::from_mode(mode | 0o700))?;
    }
    Ok(())
}

#[cfg(windows)]
fn make_writable(path: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    let mut perms = meta.permissions();
    #[allow(clippy::permissions_set_readonly_false)] // Windows: clears FILE_ATTRIBUTE_READONLY
    perms.set_readonly(false);
    fs::set_permissions(path, perms)
}

/// One entry found by [`walk`].
#[derive(Debug, Clone)]
pub(crate) struct WalkEntry {
    /// Components below the walked directory.
    pub(crate) rel: Vec<std::ffi::OsString>,
    pub(crate) kind: Kind,
}

impl WalkEntry {
    /// `/`-separated form (lossy for names that are not Unicode).
    pub(crate) fn slash(&self) -> String {
        slash(&self.rel)
    }

    pub(crate) fn under(&self, dir: &Path) -> PathBuf {
        let mut path = dir.to_path_buf();
        path.extend(&self.rel);
        path
    }
}

/// `/`-joins components.
pub(crate) fn slash(rel: &[std::ffi::OsString]) -> String {
    rel.iter().map(|c| c.to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The case-folded key of a relative path: Windows compares names case-insensitively.
pub(crate) fn fold(rel: &str) -> String {
    rel.to_lowercase()
}

/// Every entry under `dir`, parents before children, names sorted; links are not followed.
/// `skip_top` names are left out at the top level.
pub(crate) fn walk(dir: &Path, skip_top: &dyn Fn(&str) -> bool) -> io::Result<Vec<WalkEntry>> {
    let mut out = Vec::new();
    walk_into(dir, &mut Vec::new(), skip_top, &mut out)?;
    Ok(out)
}

fn walk_into(
    dir: &Path,
    prefix: &mut Vec<std::ffi::OsString>,
    skip_top: &dyn Fn(&str) -> bool,
    out: &mut Vec<WalkEntry>,
) -> io::Result<()> {
    for (name, kind) in read_dir_sorted(dir)? {
        if prefix.is_empty() && skip_top(&name.to_string_lossy()) {
            continue;
        }
        prefix.push(name.clone());
        out.push(WalkEntry { rel: prefix.clone(), kind });
        if kind == Kind::Dir {
            walk_into(&dir.join(&name), prefix, skip_top, out)?;
        }
        prefix.pop();
    }
    Ok(())
}

/// Creates the parent directories of `rel` under `root`, refusing to pass through anything
/// that is not a real directory. Returns false (and creates nothing more) if a link or file
/// is in the way.
pub(crate) fn ensure_real_parents(root: &Path, rel: &[std::ffi::OsString]) -> io::Result<bool> {
    let mut path = root.to_path_buf();
    for part in &rel[..rel.len().saturating_sub(1)] {
        path.push(part);
        match kind_of(&path)? {
            Some(Kind::Dir) => {}
            Some(_) => return Ok(false),
            None => fs::create_dir(&path)?,
        }
    }
    Ok(true)
}

/// Copies the regular file `from` to the new file `to`, reporting bytes through `progress`
/// and stopping when `cancel` is raised. Keeps the modification time.
pub(crate) fn copy_file(
    from: &Path,
    to: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, Fail> {
    let mut src = File::open(from).map_err(io_err("open", from))?;
    let meta = src.metadata().map_err(io_err("inspect", from))?;
    let mut dst =
        fs::OpenOptions::new().write(true).create_new(true).open(to).map_err(io_err("create", to))?;
    let mut buf = vec![0u8; COPY_BUF];
    let mut total = 0u64;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(Fail::Error(InstallError::Cancelled));
        }
        let n = src.read(&mut buf).map_err(io_err("read", from))?;
        if n == 0 {
            break;
        }
        dst.write_all(&buf[..n]).map_err(io_err("write", to))?;
        total += n as u64;
        progress(n as u64);
    }
    if let Ok(mtime) = meta.modified() {
        let _ = dst.set_modified(mtime);
    }
    // Keep the permission bits (a program stays executable).
    #[cfg(unix)]
    dst.set_permissions(meta.permissions()).map_err(io_err("set permissions of", to))?;
    Ok(total)
}
