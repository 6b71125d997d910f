//! Chunk buffers: one contiguous, page-aligned buffer per chunk in flight, recycled through a
//! small pool.
//!
//! A chunk arrives as a few hundred QUIC pieces. Gathering them into one buffer as they arrive
//! costs one copy of hot data and buys three things: BLAKE3 hashes large contiguous runs at
//! full SIMD width (about 2.5× faster than piece by piece), the writer can hand the aligned
//! buffer straight to an `O_DIRECT` write, and recycled buffers never fault fresh pages in.

use std::sync::{Arc, Mutex};

/// Alignment of buffers, file offsets and lengths for direct I/O (covers 512-byte and 4 KiB
/// logical blocks).
pub(crate) const ALIGN: usize = 4096;

/// Idle buffers kept for reuse, in bytes; beyond this, returned buffers are freed.
const POOL_IDLE_BYTES: usize = 16 << 20;

/// Recycles chunk buffers of one download.
#[derive(Clone, Default)]
pub(crate) struct BufPool {
    idle: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl BufPool {
    /// An empty buffer that can hold `len` bytes at an aligned start.
    pub(crate) fn take(&self, len: usize) -> ChunkBuf {
        let need = len.next_multiple_of(ALIGN) + ALIGN;
        let reused = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            idle.iter().position(|b| b.len() >= need).map(|i| idle.swap_remove(i))
        };
        let raw = reused.unwrap_or_else(|| vec![0u8; need]);
        let start = raw.as_ptr().align_offset(ALIGN);
        ChunkBuf { raw, start, len: 0, pool: Some(self.clone()) }
    }

    fn give_back(&self, raw: Vec<u8>) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let held: usize = idle.iter().map(Vec::len).sum();
        if held + raw.len() <= POOL_IDLE_BYTES {
            idle.push(raw);
        }
    }
}

/// A chunk's bytes in one page-aligned buffer; goes back to its pool when dropped.
pub(crate) struct ChunkBuf {
    raw: Vec<u8>,
    start: usize,
    len: usize,
    pool: Option<BufPool>,
}

impl ChunkBuf {
    /// Appends `data`; panics if it would exceed the capacity asked for (callers check
    /// announced lengths first).
    pub(crate) fn extend_from_slice(&mut self, data: &[u8]) {
        let at = self.start + self.len;
        self.raw[at..at + data.len()].copy_from_slice(data);
        self.len += data.len();
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Bytes it can hold.
    pub(crate) fn capacity(&self) -> usize {
        self.raw.len() - self.start
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.raw[self.start..self.start + self.len]
    }
}

impl std::fmt::Debug for ChunkBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ChunkBuf({} bytes)", self.len)
    }
}

impl Drop for ChunkBuf {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            pool.give_back(std::mem::take(&mut self.raw));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_aligned_filled_in_order_and_recycled_up_to_the_idle_cap() {
        let pool = BufPool::default();
        let mut b = pool.take(10_000);
        assert_eq!(b.as_slice().as_ptr() as usize % ALIGN, 0);
        b.extend_from_slice(&[1, 2, 3]);
        b.extend_from_slice(&[4]);
        assert_eq!(b.as_slice(), &[1, 2, 3, 4]);
        let ptr = b.as_slice().as_ptr();
        drop(b);
        // The same memory comes back, empty.
        let b2 = pool.take(9_000);
        assert_eq!(b2.as_slice().as_ptr(), ptr);
        assert_eq!(b2.len(), 0);
        // A bigger request does not take a smaller idle buffer.
        drop(b2);
        let big = pool.take(1 << 20);
        assert_ne!(big.as_slice().as_ptr(), ptr);
        // Returned buffers beyond the idle cap are freed, not hoarded.
        let many: Vec<ChunkBuf> = (0..40).map(|_| pool.take(1 << 20)).collect();
        drop(many);
        drop(big);
        let held: usize = pool.idle.lock().unwrap().iter().map(Vec::len).sum();
        assert!(held <= POOL_IDLE_BYTES, "{held}");
        assert!(held >= POOL_IDLE_BYTES - (2 << 20), "{held}");
    }
}
