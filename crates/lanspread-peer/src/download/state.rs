//! Persistent download state in `<root>/.lanspread/`: the agreed manifest and a bitmap of
//! verified chunks. A chunk's bit is persisted only after its bytes were fdatasync'ed, so the
//! bitmap never claims more than the disk holds. Damaged state is ignored and rebuilt by
//! re-hashing what is on disk.

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

const FORMAT: u32 = 1;
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

/// Persists the bitmap atomically.
pub(crate) fn save(
    root: &Path,
    manifest: &GameManifest,
    digest: Digest,
    verified: &Verified,
) -> io::Result<()> {
    let bytes = encode(manifest, digest, verified)?;
    fs::create_dir_all(dir(root))?;
    platform::write_atomic(&dir(root).join(DOWNLOAD_STATE_FILE), &bytes)
}

/// Encodes the state file's content.
pub(crate) fn encode(manifest: &GameManifest, digest: Digest, verified: &Verified) -> io::Result<Vec<u8>> {
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
    };
    serde_json::to_vec(&state).map_err(io::Error::other)
}

/// Loads the bitmap if the saved state belongs to `manifest` (same digest) and is intact.
pub(crate) fn load(root: &Path, manifest: &GameManifest, digest: Digest) -> Option<Verified> {
    decode(&fs::read(dir(root).join(DOWNLOAD_STATE_FILE)).ok()?, manifest, digest)
}

/// Decodes a state file's content; `None` unless it belongs to `manifest` and is intact.
pub(crate) fn decode(bytes: &[u8], manifest: &GameManifest, digest: Digest) -> Option<Verified> {
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
    Some(v)
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
        save(d.path(), &m, m.digest(), &v).unwrap();
        assert_eq!(load(d.path(), &m, m.digest()), Some(v.clone()));
        assert_eq!(progress_of(d.path()), Some((2 << 20, (20 << 20) + 2)));
        assert_eq!(load(d.path(), &m, Digest([9; 32])), None, "another manifest's state is not reused");
        fs::write(d.path().join(".lanspread/download.json"), b"{broken").unwrap();
        assert_eq!(load(d.path(), &m, m.digest()), None);
        clear(d.path());
        assert!(!d.path().join(".lanspread").exists());
    }
}
