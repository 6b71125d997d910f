use std::{fs::File, fs::OpenOptions, io, os::unix::fs::OpenOptionsExt, path::Path};

/// fsyncs a directory so a rename inside it is durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

pub(super) fn private_mode(opts: &mut OpenOptions) {
    opts.mode(0o600);
}

/// One `pread` (or, with `flags`, `preadv2`) into the spare capacity of `buf`, up to `want`
/// bytes in all; returns the bytes read.
fn pread_spare(
    file: &File,
    buf: &mut bytes::BytesMut,
    want: usize,
    offset: u64,
    nowait: bool,
) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    let len = want.saturating_sub(buf.len());
    if len == 0 {
        return Ok(0);
    }
    buf.reserve(len);
    let spare = buf.spare_capacity_mut();
    let iov = libc::iovec { iov_base: spare.as_mut_ptr().cast(), iov_len: len.min(spare.len()) };
    let off = offset as libc::off_t;
    // SAFETY: the iovec covers spare capacity owned by `buf` (exclusively borrowed here); the
    // kernel writes at most `iov_len` bytes into it.
    let n = unsafe {
        #[cfg(target_os = "linux")]
        {
            libc::preadv2(file.as_raw_fd(), &iov, 1, off, if nowait { libc::RWF_NOWAIT } else { 0 })
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = nowait;
            libc::preadv(file.as_raw_fd(), &iov, 1, off)
        }
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let n = n as usize;
    // SAFETY: the kernel initialised exactly `n` bytes after the current length.
    unsafe { buf.set_len(buf.len() + n) };
    Ok(n)
}

/// Appends to `buf` (up to `want` bytes in all) what can be read at `offset` from the page
/// cache without waiting for the disk; may read nothing. Linux only; elsewhere it reads nothing.
pub(crate) fn read_cached(
    file: &File,
    buf: &mut bytes::BytesMut,
    want: usize,
    offset: u64,
) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    while buf.len() < want {
        let at = offset + buf.len() as u64;
        match pread_spare(file, buf, want, at, true) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // EAGAIN: not cached; EOPNOTSUPP/ENOSYS: no RWF_NOWAIT here. The caller reads the
            // rest the blocking way, which reports real errors.
            Err(_) => break,
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (file, buf, want, offset);
    Ok(())
}

/// Appends to `buf` (up to `want` bytes in all) one read at `offset`, blocking; `Ok(0)` at the
/// end of the file.
pub(crate) fn read_uncached(
    file: &File,
    buf: &mut bytes::BytesMut,
    want: usize,
    offset: u64,
) -> io::Result<usize> {
    loop {
        match pread_spare(file, buf, want, offset, false) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            r => return r,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_and_uncached_reads_append_the_right_bytes() {
        let d = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 249) as u8).collect();
        std::fs::write(d.path().join("f"), &data).unwrap();
        let f = File::open(d.path().join("f")).unwrap();
        // Just written: in the page cache.
        let mut b = bytes::BytesMut::new();
        read_cached(&f, &mut b, 100_000, 1000).unwrap();
        #[cfg(target_os = "linux")]
        assert_eq!(&b[..], &data[1000..101_000]);
        let mut b = bytes::BytesMut::from(&data[..10][..]);
        while b.len() < 200_000 {
            let at = 5000 + b.len() as u64 - 10;
            assert!(read_uncached(&f, &mut b, 200_000, at).unwrap() > 0);
        }
        assert_eq!(&b[10..], &data[5000..5000 + 199_990]);
        // End of file: a short read, then zero.
        let mut b = bytes::BytesMut::new();
        assert_eq!(read_uncached(&f, &mut b, 1000, 299_900).unwrap(), 100);
        assert_eq!(read_uncached(&f, &mut b, 1000, 300_000).unwrap(), 0);
        let mut b = bytes::BytesMut::new();
        read_cached(&f, &mut b, 1000, 299_900).unwrap();
        assert!(b.len() <= 100);
    }
}
