//! Detecting archives cut short at a block boundary.
//!
//! UnRAR reports a truncation inside a header or inside file data as an error, but when an
//! archive ends exactly between two blocks it only prints a warning and lists (and extracts)
//! whatever came before. RAR5 archives always end with an end-of-archive block, so its absence
//! means the file is incomplete. (RAR 1.5–4.x writers could leave it out, `rar -en`, so for
//! those formats a cut at a block boundary stays undetectable; the download's per-chunk hashes
//! are the real guard.) Trailing zero bytes (padding some tools add) are tolerated.

use std::{
    fs::File,
    io::{self, Read, Seek, SeekFrom},
    path::Path,
};

const RAR5_SIGNATURE: &[u8] = b"Rar!\x1a\x07\x01\x00";
const RAR4_SIGNATURE: &[u8] = b"Rar!\x1a\x07\x00";
/// How much of the file's tail is examined.
const TAIL: u64 = 8192;

/// The archive family, from the signature at the start of a volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// RAR 1.5–4.x.
    Rar4,
    /// RAR 5.0 and later.
    Rar5,
}

/// Reads the signature at the start of `path` (`None`: unknown, e.g. a self-extractor).
pub(crate) fn family(path: &Path) -> io::Result<Option<Family>> {
    let mut head = [0u8; 8];
    let mut file = File::open(path)?;
    let n = read_up_to(&mut file, &mut head)?;
    let head = &head[..n];
    Ok(if head.starts_with(RAR5_SIGNATURE) {
        Some(Family::Rar5)
    } else if head.starts_with(RAR4_SIGNATURE) {
        Some(Family::Rar4)
    } else {
        None
    })
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Whether `path` ends with a valid end-of-archive block of `family`.
pub(crate) fn ends_with_end_block(path: &Path, family: Family) -> io::Result<bool> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let start = len.saturating_sub(TAIL);
    file.seek(SeekFrom::Start(start))?;
    let mut tail = Vec::with_capacity(TAIL as usize);
    file.read_to_end(&mut tail)?;
    // The block itself may end in zero bytes, so try every end point inside the zero run.
    let data_end = tail.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let check = match family {
        Family::Rar5 => rar5_end,
        Family::Rar4 => rar4_end,
    };
    Ok((data_end..=tail.len()).any(|end| check(&tail[..end])))
}

/// RAR5: `CRC32 | size (vint) | type 5 (vint) | flags (vint) | end flags (vint)`, CRC over the
/// bytes after it.
fn rar5_end(tail: &[u8]) -> bool {
    (7..=32.min(tail.len())).any(|total| {
        let block = &tail[tail.len() - total..];
        let crc = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        let mut pos = 4;
        let Some(size) = vint(block, &mut pos) else {
            return false;
        };
        if pos as u64 + size != total as u64 {
            return false;
        }
        vint(block, &mut pos) == Some(5) && crc32(&block[4..]) == crc
    })
}

/// RAR 1.5–4.x: `CRC16 | type 0x7b | flags (2) | size (2) | optional fields`, the CRC being the
/// low half of the CRC32 of the bytes after it.
fn rar4_end(tail: &[u8]) -> bool {
    (7..=64.min(tail.len())).any(|total| {
        let block = &tail[tail.len() - total..];
        let size = u16::from_le_bytes([block[5], block[6]]) as usize;
        block[2] == 0x7b
            && size == total
            && (crc32(&block[2..]) & 0xffff) as u16 == u16::from_le_bytes([block[0], block[1]])
    })
}

fn vint(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// CRC-32 (IEEE), bitwise: it only ever runs over a few bytes.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn recognizes_standard_end_blocks() {
        // The 8-byte RAR5 end block of a last volume and the 7-byte RAR 4.x one.
        assert!(rar5_end(b"junk\x1d\x77\x56\x51\x03\x05\x04\x00"));
        assert!(rar4_end(b"junk\xc4\x3d\x7b\x00\x40\x07\x00"));
        assert!(!rar5_end(b"junk\x1d\x77\x56\x52\x03\x05\x04\x00"));
        assert!(!rar4_end(b"\x00\x01\x02\x03\x04\x05\x06\x07"));
        assert!(!rar5_end(b""));
    }
}
