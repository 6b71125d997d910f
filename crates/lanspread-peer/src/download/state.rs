//! Persistent download state in `<root>/.lanspread/`: the agreed manifest, a bitmap of
//! verified chunks, and each file's identity ([`Stamp`]) as it was when its bits were saved. A
//! chunk's bit is persisted only after its bytes were fdatasync'ed, so the bitmap never claims
//! more than the disk held; a file whose identity changed since (deleted, truncated, replaced,
//! written to while we were stopped) loses its bits and is re-verified from disk. Damaged
//! state is ignored and rebuilt by re-hashing what is on disk. Either way the bits are only a
//! head start: before the commit every chunk not written in that run is re-verified
//! (`STATE.md`, invariant 1).

use std::{
    collections::BTreeMap,
    fs, io,
    path::{Path, PathBuf},
};

use lanspread_proto::{Digest, GameId, GameManifest, GameVersion};
use serde::{Deserialize, Serialize};

use crate::{
    library::{DOWNLOAD_STATE_DIR, DOWNLOAD_STATE_FILE},
    platform,
};

/// 2: per-file stamps (files without a matching stamp are re-verified). Format 1 state is
/// not trusted: the download rebuilds it by re-hashing.
const FORMAT: u32 = 2;
const MANIFEST_FILE: &str = "manifest.json";

/// Verified chunks of one download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verified {
    /// Per manifest file index, one bit per chunk.
    bits: Vec<Vec<u8>>,
}

impl Verified {
    pub(crate) fn empty(manifest: &GameManifest) -> Self {
        Self { bits: manifest.files.iter().map(|f| vec![0u8; f.chunks.len().div_ceil(8)]).collect() }
    }

    pub(crate) fn get(&self, file: usize, chunk: u64) -> bool {
        let (byte, bit) = ((chunk / 8) as usize, chunk % 8);
        self.bits.get(file).and_then(|b| b.get(byte)).is_some_and(|b| b & (1 << bit) != 0)
    }

    pub(crate) fn set(&mut self, file: usize, chunk: u64, on: bool) {
        let (byte, bit) = ((chunk / 8) as usize, chunk % 8);
        if let Some(b) = self.bits.get_mut(file).and_then(|b| b.get_mut(byte)) {
            if on {
                *b |= 1 << bit;
            } else {
                *b &= !(1 << bit);
            }
        }
    }

    /// Sets every bit set in `other`.
    pub(crate) fn union_with(&mut self, other: &Verified) {
        for (a, b) in self.bits.iter_mut().zip(&other.bits) {
            for (x, y) in a.iter_mut().zip(b) {
                *x |= y;
            }
        }
    }

    /// Clears every bit of file `file`.
    pub(crate) fn clear_file(&mut self, file: usize) {
        if let Some(b) = self.bits.get_mut(file) {
            b.fill(0);
        }
    }

    /// Every chunk set here that is not set in `other`, as (file, chunk).
    pub(crate) fn minus(&self, other: &Verified) -> Vec<(usize, u64)> {
        let mut out = Vec::new();
        for (i, b) in self.bits.iter().enumerate() {
            for (byte, x) in b.iter().enumerate() {
                let y = other.bits.get(i).and_then(|o| o.get(byte)).copied().unwrap_or(0);
                let mut d = x & !y;
                while d != 0 {
                    let bit = d.trailing_zeros() as u64;
                    out.push((i, byte as u64 * 8 + bit));
                    d &= d - 1;
                }
            }
        }
        out
    }

    /// Verified bytes according to `manifest`.
    pub(crate) fn bytes(&self, manifest: &GameManifest) -> u64 {
        let cs = manifest.chunk_size;
        manifest
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                (0..f.chunks.len() as u64)
                    .filter(|&c| self.get(i, c))
                    .map(|c| lanspread_proto::chunk::chunk_len(f.size, cs, c))
                    .sum::<u64>()
            })
            .sum()
    }
}

/// A file's identity: anything that changes when its bytes may have changed behind our back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stamp {
    size: u64,
    mtime_ns: i128,
    /// Unix: inode change time (nobody can set it) and the inode; Windows: creation time.
    changed_ns: i128,
    file_id: u64,
}

impl Stamp {
    /// The stamp of a file's metadata.
    pub(crate) fn of(md: &fs::Metadata) -> Self {
        #[cfg(unix)]
        let (changed_ns, file_id) = {
            use std::os::unix::fs::MetadataExt;
            (
                i128::from(md.ctime()) * 1_000_000_000 + i128::from(md.ctime_nsec()),
                md.ino() ^ md.dev().rotate_left(32),
            )
        };
        #[cfg(windows)]
        let (changed_ns, file_id) = {
            use std::os::windows::fs::MetadataExt;
            (i128::from(md.creation_time()), 0)
        };
        Self { size: md.len(), mtime_ns: crate::library::mtime_ns(md), changed_ns, file_id }
    }

    /// The stamp of `path` now (`None` when it is gone).
    pub(crate) fn of_path(path: &Path) -> Option<Self> {
        fs::symlink_metadata(path).ok().filter(fs::Metadata::is_file).map(|md| Self::of(&md))
    }
}

/// Stamps by manifest file index.
pub(crate) type Stamps = BTreeMap<usize, Stamp>;

#[derive(Serialize, Deserialize)]
struct StateFile {
    format: u32,
    game_id: GameId,
    version: GameVersion,
    manifest_digest: Digest,
    verified_bytes: u64,
    total_bytes: u64,
    /// Per file path: hex bitmap.
    verified: BTreeMap<String, String>,
    /// Per file path: its identity when its bits were saved.
    #[serde(default)]
    stamps: BTreeMap<String, Stamp>,
}

fn dir(root: &Path) -> PathBuf {
    root.join(DOWNLOAD_STATE_DIR)
}

/// Saves the manifest next to the state (once per download).
pub(crate) fn save_manifest(root: &Path, manifest: &GameManifest) -> io::Result<()> {
    fs::create_dir_all(dir(root))?;
    platform::write_atomic(
        &dir(root).join(MANIFEST_FILE),
        &serde_json::to_vec(manifest).map_err(io::Error::other)?,
    )
}

/// Persists the bitmap and the stamps atomically.
pub(crate) fn save(
    root: &Path,
    manifest: &GameManifest,
    digest: Digest,
    verified: &Verified,
    stamps: &Stamps,
) -> io::Result<()> {
    let bytes = encode(manifest, digest, verified, stamps)?;
    fs::create_dir_all(dir(root))?;
    platform::write_atomic(&dir(root).join(DOWNLOAD_STATE_FILE), &bytes)
}

/// Encodes the state file's content.
pub(crate) fn encode(
    manifest: &GameManifest,
    digest: Digest,
    verified: &Verified,
    stamps: &Stamps,
) -> io::Result<Vec<u8>> {
    let state = StateFile {
        format: FORMAT,
        game_id: manifest.game_id.clone(),
        version: manifest.version.clone(),
        manifest_digest: digest,
        verified_bytes: verified.bytes(manifest),
        total_bytes: manifest.total_size(),
        verified: manifest
            .files
            .iter()
            .zip(&verified.bits)
            .map(|(f, b)| (f.path.as_str().to_string(), hex::encode(b)))
            .collect(),
        stamps: stamps
            .iter()
            .filter_map(|(i, st)| Some((manifest.files.get(*i)?.path.as_str().to_string(), *st)))
            .collect(),
    };
    serde_json::to_vec(&state).map_err(io::Error::other)
}

/// Loads the bitmap and stamps if the saved state belongs to `manifest` (same digest) and is
/// intact.
pub(crate) fn load(root: &Path, manifest: &GameManifest, digest: Digest) -> Option<(Verified, Stamps)> {
    decode(&fs::read(dir(root).join(DOWNLOAD_STATE_FILE)).ok()?, manifest, digest)
}

/// Decodes a state file's content; `None` unless it belongs to `manifest` and is intact.
pub(crate) fn decode(bytes: &[u8], manifest: &GameManifest, digest: Digest) -> Option<(Verified, Stamps)> {
    let st: StateFile = serde_json::from_slice(bytes).ok()?;
    if st.format != FORMAT || st.manifest_digest != digest {
        return None;
    }
    let mut v = Verified::empty(manifest);
    for (i, f) in manifest.files.iter().enumerate() {
        let bits = hex::decode(st.verified.get(f.path.as_str())?).ok()?;
        if bits.len() != v.bits[i].len() {
            return None;
        }
        v.bits[i] = bits;
    }
    let stamps = manifest
        .files
        .iter()
        .enumerate()
        .filter_map(|(i, f)| Some((i, *st.stamps.get(f.path.as_str())?)))
        .collect();
    Some((v, stamps))
}

/// Keeps only the bits of files whose identity is what `stamps` recorded; returns the indexes
/// of files that had bits and lost them (changed, gone, or no stamp).
pub(crate) fn drop_changed(
    root: &Path,
    manifest: &GameManifest,
    verified: &mut Verified,
    stamps: &Stamps,
) -> Vec<usize> {
    let mut changed = Vec::new();
    for (i, f) in manifest.files.iter().enumerate() {
        if verified.bits.get(i).is_none_or(|b| b.iter().all(|x| *x == 0)) {
            continue;
        }
        let now = super::files::safe_path(root, &f.path, false).ok().and_then(|p| Stamp::of_path(&p));
        if now.is_none() || now != stamps.get(&i).copied() {
            verified.clear_file(i);
            changed.push(i);
        }
    }
    changed
}

/// Verified and total bytes of a paused download, for the UI after a restart.
pub(crate) fn progress_of(root: &Path) -> Option<(u64, u64)> {
    progress_from(&fs::read(dir(root).join(DOWNLOAD_STATE_FILE)).ok()?)
}

/// Decodes the progress fields of a state file's content.
pub(crate) fn progress_from(bytes: &[u8]) -> Option<(u64, u64)> {
    let st: StateFile = serde_json::from_slice(bytes).ok()?;
    Some((st.verified_bytes, st.total_bytes))
}

/// Removes the download state after the sentinel was committed.
pub(crate) fn clear(root: &Path) {
    let _ = fs::remove_dir_all(dir(root));
}

#[cfg(test)]
mod tests {
    use lanspread_proto::{ChunkHash, GameFileDescription, RelPath};

    use super::*;

    fn manifest() -> GameManifest {
        GameManifest::new(
            GameId::new("quake3").unwrap(),
            GameVersion::new("1").unwrap(),
            1 << 20,
            vec![
                GameFileDescription {
                    path: RelPath::new("version.ini").unwrap(),
                    size: 2,
                    chunks: vec![ChunkHash([0; 32])],
                },
                GameFileDescription {
                    path: RelPath::new("a.rar").unwrap(),
                    size: 20 << 20,
                    chunks: vec![ChunkHash([1; 32]); 20],
                },
            ],
            vec![],
        )
    }

    #[test]
    fn bitmap_round_trips_and_rejects_foreign_state() {
        let d = tempfile::tempdir().unwrap();
        let m = manifest();
        let mut v = Verified::empty(&m);
        // Files are sorted: a.rar (20 chunks) is #0, version.ini #1.
        v.set(0, 0, true);
        v.set(0, 17, true);
        assert!(v.get(0, 17) && !v.get(0, 16));
        assert_eq!(v.bytes(&m), 2 << 20);
        let stamps = Stamps::from([(0, Stamp { size: 1, mtime_ns: 2, changed_ns: 3, file_id: 4 })]);
        save(d.path(), &m, m.digest(), &v, &stamps).unwrap();
        assert_eq!(load(d.path(), &m, m.digest()), Some((v.clone(), stamps)));
        assert_eq!(v.minus(&Verified::empty(&m)), vec![(0, 0), (0, 17)]);
        assert_eq!(progress_of(d.path()), Some((2 << 20, (20 << 20) + 2)));
        assert_eq!(load(d.path(), &m, Digest([9; 32])), None, "another manifest's state is not reused");
        fs::write(d.path().join(".lanspread/download.json"), b"{broken").unwrap();
        assert_eq!(load(d.path(), &m, m.digest()), None);
        clear(d.path());
        assert!(!d.path().join(".lanspread").exists());
    }

    #[test]
    fn files_changed_while_stopped_lose_their_bits() {
        let d = tempfile::tempdir().unwrap();
        let names = ["a.bin", "b.bin", "c.bin", "d.bin"];
        let files: Vec<GameFileDescription> = names
            .iter()
            .map(|n| GameFileDescription {
                path: RelPath::new(*n).unwrap(),
                size: 8,
                chunks: vec![ChunkHash([1; 32])],
            })
            .collect();
        let m = GameManifest::new(
            GameId::new("quake3").unwrap(),
            GameVersion::new("1").unwrap(),
            1 << 20,
            files,
            vec![],
        );
        let mut v = Verified::empty(&m);
        let mut stamps = Stamps::new();
        for (i, n) in names.iter().enumerate() {
            fs::write(d.path().join(n), b"12345678").unwrap();
            v.set(i, 0, true);
            stamps.insert(i, Stamp::of_path(&d.path().join(n)).unwrap());
        }
        // Stopped: one deleted, one truncated, one overwritten in place (same size); d untouched.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::remove_file(d.path().join("a.bin")).unwrap();
        fs::OpenOptions::new().write(true).open(d.path().join("b.bin")).unwrap().set_len(4).unwrap();
        fs::write(d.path().join("c.bin"), b"87654321").unwrap();
        let changed = drop_changed(d.path(), &m, &mut v, &stamps);
        assert_eq!(changed, vec![0, 1, 2]);
        assert!(!v.get(0, 0) && !v.get(1, 0) && !v.get(2, 0));
        assert!(v.get(3, 0), "an untouched file keeps its bits");
        // A file with bits but no stamp (older state) is not trusted either.
        let mut v2 = Verified::empty(&m);
        v2.set(3, 0, true);
        assert_eq!(drop_changed(d.path(), &m, &mut v2, &Stamps::new()), vec![3]);
    }
}
