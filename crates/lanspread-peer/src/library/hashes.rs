//! Per-chunk BLAKE3 hashes with a persistent cache, and manifest construction.
//!
//! The cache lives in the state directory (`index/<game-dir key>/<game id>.json`), keyed by
//! (path, size, mtime): unchanged files are never re-hashed. A damaged cache file is ignored
//! and rebuilt.

use std::{
    collections::BTreeMap,
    fs::File,
    io::{self, Read},
    path::{Path, PathBuf},
    sync::atomic::{AtomicBool, Ordering},
};

use lanspread_proto::{
    ChunkHash, GameFileDescription, GameId, GameManifest, GameVersion,
    chunk::{choose_chunk_size, chunk_count},
};
use serde::{Deserialize, Serialize};

use super::LocalGame;
use crate::platform;

/// Cached hashes of one payload file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHashes {
    /// Size the hashes belong to.
    pub size: u64,
    /// Modification time the hashes belong to.
    pub mtime_ns: i128,
    /// One hash per chunk.
    pub chunks: Vec<ChunkHash>,
}

/// Cached hashes of one game.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameHashes {
    /// Chunk size the hashes were computed with.
    pub chunk_size: u32,
    /// By payload path.
    pub files: BTreeMap<String, FileHashes>,
}

impl GameHashes {
    /// Decodes a cache file; a damaged one is empty (everything gets re-hashed), and an entry
    /// whose hash count does not fit its size is dropped (that file gets re-hashed): its hashes
    /// would otherwise go into the manifest unchecked, and every peer would refuse it.
    pub fn decode(bytes: &[u8]) -> Self {
        let mut hashes: Self = serde_json::from_slice(bytes).unwrap_or_default();
        let chunk_size = hashes.chunk_size;
        hashes.files.retain(|_, f| f.chunks.len() as u64 == chunk_count(f.size, chunk_size));
        hashes
    }

    /// Encodes a cache file.
    pub fn encode(&self) -> io::Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(io::Error::other)
    }
}

/// The on-disk hash cache of one game directory.
#[derive(Debug, Clone)]
pub struct HashIndex {
    dir: PathBuf,
}

impl HashIndex {
    /// The index for `game_dir` inside `state_dir`.
    pub fn new(state_dir: &Path, game_dir: &Path) -> Self {
        let canonical = std::fs::canonicalize(game_dir).unwrap_or_else(|_| game_dir.to_path_buf());
        let key = blake3::hash(canonical.to_string_lossy().as_bytes());
        let dir = state_dir.join("index").join(&key.to_hex()[..16]);
        Self { dir }
    }

    fn file(&self, id: &GameId) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Cached hashes of `id` (empty when missing or damaged).
    pub fn load(&self, id: &GameId) -> GameHashes {
        std::fs::read(self.file(id)).map(|b| GameHashes::decode(&b)).unwrap_or_default()
    }

    /// Stores hashes of `id` atomically. Not durably: it is a cache (a lost or torn file
    /// decodes as empty and the game is hashed again), and fsyncing one file per game made a
    /// seed box with hundreds of games spend its first seconds waiting on the disk.
    pub fn store(&self, id: &GameId, hashes: &GameHashes) -> io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        platform::write_replace(&self.file(id), &hashes.encode()?)
    }
}

/// Why a manifest could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The game has no valid `version.ini`.
    #[error("the game is not completely downloaded")]
    NotDownloaded,
    /// A file could not be read.
    #[error("reading {path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error (in the message; not repeated as a source).
        error: io::Error,
    },
    /// A file changed while it was being hashed.
    #[error("{0} changed while it was being hashed")]
    Changed(String),
    /// Cancelled.
    #[error("cancelled")]
    Cancelled,
}

/// Builds the manifest of a downloaded game, hashing only files the cache does not cover.
/// `progress` receives (bytes hashed, bytes to hash).
pub fn build_manifest(
    game: &LocalGame,
    index: &HashIndex,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<GameManifest, BuildError> {
    let version: GameVersion = game.version.clone().ok_or(BuildError::NotDownloaded)?;
    let chunk_size = choose_chunk_size(game.payload_bytes());
    let mut cache = index.load(&game.id);
    if cache.chunk_size != chunk_size {
        cache = GameHashes { chunk_size, files: BTreeMap::new() };
    }
    let to_hash: u64 = game
        .files
        .iter()
        .filter(|f| !is_fresh(cache.files.get(f.path.as_str()), f.size, f.mtime_ns))
        .map(|f| f.size)
        .sum();
    let mut hashed = 0u64;
    let mut files = Vec::with_capacity(game.files.len());
    let mut dirty = false;
    for f in &game.files {
        let key = f.path.as_str();
        let chunks = match cache.files.get(key) {
            Some(c) if is_fresh(Some(c), f.size, f.mtime_ns) => c.chunks.clone(),
            _ => {
                let path = game.root.join(f.path.to_path_buf());
                let chunks = hash_file(&path, f.size, chunk_size, cancel, &mut |n| {
                    hashed += n;
                    progress(hashed, to_hash);
                })?;
                let md = std::fs::symlink_metadata(&path)
                    .map_err(|source| BuildError::Io { path: path.clone(), error: source })?;
                if md.len() != f.size || super::mtime_ns(&md) != f.mtime_ns {
                    return Err(BuildError::Changed(key.to_string()));
                }
                cache.files.insert(
                    key.to_string(),
                    FileHashes { size: f.size, mtime_ns: f.mtime_ns, chunks: chunks.clone() },
                );
                dirty = true;
                chunks
            }
        };
        files.push(GameFileDescription { path: f.path.clone(), size: f.size, chunks });
    }
    // Forget files that are gone.
    let before = cache.files.len();
    cache.files.retain(|k, _| game.files.iter().any(|f| f.path.as_str() == k));
    dirty |= cache.files.len() != before;
    if dirty && let Err(e) = index.store(&game.id, &cache) {
        tracing::warn!(game = %game.id, error = %e, "could not save the hash cache; hashes will be recomputed next time");
    }
    Ok(GameManifest::new(game.id.clone(), version, chunk_size, files, game.empty_dirs.clone()))
}

fn is_fresh(c: Option<&FileHashes>, size: u64, mtime_ns: i128) -> bool {
    c.is_some_and(|c| c.size == size && c.mtime_ns == mtime_ns)
}

/// Hashes `path` chunk by chunk. `on_bytes` receives byte counts as they are read.
pub fn hash_file(
    path: &Path,
    size: u64,
    chunk_size: u32,
    cancel: &AtomicBool,
    on_bytes: &mut dyn FnMut(u64),
) -> Result<Vec<ChunkHash>, BuildError> {
    let io_err = |source| BuildError::Io { path: path.to_path_buf(), error: source };
    let mut file = File::open(path).map_err(io_err)?;
    let n = chunk_count(size, chunk_size);
    let mut out = Vec::with_capacity(n as usize);
    let mut buf = vec![0u8; 1 << 20];
    let mut remaining = size;
    for _ in 0..n {
        if cancel.load(Ordering::Relaxed) {
            return Err(BuildError::Cancelled);
        }
        let mut hasher = blake3::Hasher::new();
        let mut left = remaining.min(u64::from(chunk_size));
        remaining -= left;
        while left > 0 {
            let want = (left as usize).min(buf.len());
            let got = file.read(&mut buf[..want]).map_err(io_err)?;
            if got == 0 {
                return Err(BuildError::Changed(path.display().to_string()));
            }
            hasher.update(&buf[..got]);
            left -= got as u64;
            on_bytes(got as u64);
        }
        out.push(ChunkHash(*hasher.finalize().as_bytes()));
    }
    Ok(out)
}
