use std::{fs::OpenOptions, io, path::Path};

/// Windows makes renames durable with the file's own flush; directories cannot be opened
/// for fsync without backup semantics, and NTFS journals the rename.
pub(crate) fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// The user's profile directory is private by default ACLs.
pub(super) fn private_mode(_opts: &mut OpenOptions) {}
