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

#[link(name = "kernel32")]
unsafe extern "system" {
    fn GetComputerNameExW(format: i32, buffer: *mut u16, size: *mut u32) -> i32;
}

/// `ComputerNamePhysicalDnsHostname`: the host name this machine itself has (not a cluster's).
const COMPUTER_NAME_PHYSICAL_DNS_HOSTNAME: i32 = 5;

/// The computer's host name in its own case, as Settings → System → About shows it.
pub(crate) fn computer_name() -> Option<String> {
    let mut buf = [0u16; 256];
    let mut len = buf.len() as u32;
    // SAFETY: `buf` holds `len` wide characters; on success the name fills `len` of them.
    let ok = unsafe { GetComputerNameExW(COMPUTER_NAME_PHYSICAL_DNS_HOSTNAME, buf.as_mut_ptr(), &mut len) };
    (ok != 0).then(|| String::from_utf16_lossy(&buf[..(len as usize).min(buf.len())]))
}

/// `path` as a NUL-terminated wide string in the `\\?\` form that lifts the 260-character
/// limit off raw Win32 calls (the standard library does this itself for its own file
/// functions). Relative paths, paths with `..` (which that form would not resolve) and paths
/// already in a device form are passed as they are.
pub(crate) fn wide_long_path(path: &Path) -> Vec<u16> {
    use std::{os::windows::ffi::OsStrExt, path::Component};
    let plain = || path.as_os_str().encode_wide().chain([0]).collect::<Vec<u16>>();
    let wide: Vec<u16> = path.as_os_str().encode_wide().collect();
    let starts = |p: &str| wide.starts_with(&p.encode_utf16().collect::<Vec<u16>>());
    if !path.is_absolute()
        || starts(r"\\?\")
        || starts(r"\\.\")
        || path.components().any(|c| c == Component::ParentDir)
    {
        return plain();
    }
    let slash = u16::from(b'/');
    let back = u16::from(b'\\');
    let wide: Vec<u16> = wide.into_iter().map(|c| if c == slash { back } else { c }).collect();
    let mut out: Vec<u16> = if wide.starts_with(&[back, back]) {
        r"\\?\UNC".encode_utf16().chain(wide[1..].iter().copied()).collect()
    } else {
        r"\\?\".encode_utf16().chain(wide).collect()
    };
    out.push(0);
    out
}
