//! Chunk arithmetic: how payload files are split into verifiable pieces.

use std::ops::Range;

/// Smallest allowed chunk size (1 MiB).
pub const MIN_CHUNK_SIZE: u32 = 1 << 20;
/// Largest allowed chunk size (16 MiB).
pub const MAX_CHUNK_SIZE: u32 = 16 << 20;
/// The chunk count a game aims to stay under when [`choose_chunk_size`] picks a size.
pub const TARGET_MAX_CHUNKS: u64 = 1 << 16;

/// Whether `chunk_size` is a power of two between [`MIN_CHUNK_SIZE`] and [`MAX_CHUNK_SIZE`].
pub fn is_valid_chunk_size(chunk_size: u32) -> bool {
    chunk_size.is_power_of_two() && (MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&chunk_size)
}

/// Picks the chunk size for a game of `total_bytes`: the smallest valid size that keeps the
/// game under [`TARGET_MAX_CHUNKS`] chunks (1 MiB up to 64 GiB, 16 MiB beyond 512 GiB).
pub fn choose_chunk_size(total_bytes: u64) -> u32 {
    let mut size = MIN_CHUNK_SIZE;
    while size < MAX_CHUNK_SIZE && total_bytes.div_ceil(u64::from(size)) > TARGET_MAX_CHUNKS {
        size <<= 1;
    }
    size
}

/// Number of chunks of a file of `file_size` bytes (0 for an empty file).
pub fn chunk_count(file_size: u64, chunk_size: u32) -> u64 {
    file_size.div_ceil(u64::from(chunk_size.max(1)))
}

/// The byte range of chunk `index`, or `None` when the file has no such chunk.
pub fn chunk_range(file_size: u64, chunk_size: u32, index: u64) -> Option<Range<u64>> {
    let chunk_size = u64::from(chunk_size.max(1));
    let start = index.checked_mul(chunk_size)?;
    if start >= file_size {
        return None;
    }
    Some(start..(start.saturating_add(chunk_size)).min(file_size))
}

/// Length of chunk `index` in bytes (0 when out of range).
pub fn chunk_len(file_size: u64, chunk_size: u32, index: u64) -> u64 {
    chunk_range(file_size, chunk_size, index).map_or(0, |r| r.end - r.start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MIB: u32 = 1 << 20;

    #[test]
    fn chunk_edges() {
        assert_eq!(chunk_count(0, MIB), 0);
        assert_eq!(chunk_count(1, MIB), 1);
        assert_eq!(chunk_count(u64::from(MIB), MIB), 1);
        assert_eq!(chunk_count(u64::from(MIB) + 1, MIB), 2);
        assert_eq!(chunk_range(0, MIB, 0), None);
        assert_eq!(chunk_range(10, MIB, 0), Some(0..10));
        assert_eq!(chunk_range(u64::from(MIB) + 5, MIB, 1), Some(u64::from(MIB)..u64::from(MIB) + 5));
        assert_eq!(chunk_range(u64::from(MIB) + 5, MIB, 2), None);
        assert_eq!(chunk_range(u64::MAX, MIB, u64::MAX), None, "no overflow");
    }

    #[test]
    fn chunk_size_choice() {
        assert_eq!(choose_chunk_size(0), MIB);
        assert_eq!(choose_chunk_size(256 << 20), MIB);
        assert_eq!(choose_chunk_size(64 << 30), MIB);
        assert_eq!(choose_chunk_size((64 << 30) + 1), 2 * MIB);
        assert_eq!(choose_chunk_size(200 << 30), 4 * MIB);
        assert_eq!(choose_chunk_size(u64::MAX), 16 * MIB);
        for s in [MIB, 2 * MIB, 16 * MIB] {
            assert!(is_valid_chunk_size(s));
        }
        for s in [0, MIB - 1, MIB + 1, 32 * MIB, 512 * 1024] {
            assert!(!is_valid_chunk_size(s));
        }
    }

    proptest! {
        #[test]
        fn chunks_tile_the_file(size in 0u64..(1 << 40), shift in 0u32..5) {
            let cs = MIB << shift;
            let n = chunk_count(size, cs);
            let mut end = 0;
            for i in [0, n.saturating_sub(1)] {
                if let Some(r) = chunk_range(size, cs, i) {
                    prop_assert_eq!(r.start, i * u64::from(cs));
                    prop_assert!(r.end - r.start <= u64::from(cs));
                    end = end.max(r.end);
                }
            }
            prop_assert_eq!(end, size);
            prop_assert_eq!(chunk_range(size, cs, n), None);
        }
    }
}
