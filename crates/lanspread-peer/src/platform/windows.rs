use std::{fs::OpenOptions, io, path::Path};

/// Windows makes renames durable with the file's own flush; directories cannot be opened
/// for fsync without backup semantics, and NTFS journals the rename.
pub(crate) fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// The user's profile directory is private by default ACLs.
pub(super) fn private_mode(_opts: &mut OpenOptions) {}

/// Reads nothing: Windows has no non-blocking page-cache read; callers read the blocking way.
pub(crate) fn read_cached(
    _file: &std::fs::File,
    _buf: &mut bytes::BytesMut,
    _want: usize,
    _offset: u64,
) -> io::Result<()> {
    Ok(())
}

/// Appends to `buf` (up to `want` bytes in all) one read at `offset`; `Ok(0)` at the end of
/// the file.
pub(crate) fn read_uncached(
    file: &std::fs::File,
    buf: &mut bytes::BytesMut,
    want: usize,
    offset: u64,
) -> io::Result<usize> {
    use std::os::windows::fs::FileExt;
    let got = buf.len();
    buf.resize(want.max(got), 0);
    let n = file.seek_read(&mut buf[got..], offset);
    buf.truncate(got + *n.as_ref().unwrap_or(&0));
    n
}
