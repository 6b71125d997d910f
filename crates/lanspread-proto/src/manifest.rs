//! Game manifests: every payload file with its size and per-chunk BLAKE3 hashes.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::{
    chunk::{MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, chunk_count, is_valid_chunk_size},
    ids::{ChunkHash, Digest, GameId},
    path::RelPath,
    version::{GameVersion, MAX_VERSION_INI_BYTES},
};

/// Most files a manifest may list.
pub const MAX_MANIFEST_FILES: usize = 500_000;
/// Most empty directories a manifest may list.
pub const MAX_MANIFEST_EMPTY_DIRS: usize = 500_000;
/// Most chunk hashes one file may list (16 TiB at the largest chunk size).
pub const MAX_FILE_CHUNKS: usize = 1 << 20;

/// Deserializes a list, refusing it as soon as it grows past `N` items: a hostile manifest
/// cannot make the decoder allocate for more than the caps allow.
mod bounded {
    use std::{fmt, marker::PhantomData};

    use serde::{
        Deserialize, Deserializer,
        de::{Error, SeqAccess, Visitor},
    };

    pub(super) fn vec<'de, D, T, const N: usize>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        struct V<T, const N: usize>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const N: usize> Visitor<'de> for V<T, N> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a list of at most {N} items")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(N).min(1024));
                while let Some(item) = seq.next_element()? {
                    if out.len() == N {
                        return Err(A::Error::custom(format!("more than {N} items")));
                    }
                    out.push(item);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V::<T, N>(PhantomData))
    }

    pub(super) fn files<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<super::GameFileDescription>, D::Error> {
        vec::<D, _, { super::MAX_MANIFEST_FILES }>(d)
    }

    pub(super) fn dirs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<super::RelPath>, D::Error> {
        vec::<D, _, { super::MAX_MANIFEST_EMPTY_DIRS }>(d)
    }

    pub(super) fn chunks<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<super::ChunkHash>, D::Error> {
        vec::<D, _, { super::MAX_FILE_CHUNKS }>(d)
    }
}

/// One payload file of a game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameFileDescription {
    /// Path relative to the game root, `/`-separated.
    pub path: RelPath,
    /// File size in bytes.
    pub size: u64,
    /// BLAKE3 hash of each chunk, in order; `chunk_count(size, chunk_size)` entries.
    #[serde(deserialize_with = "bounded::chunks")]
    pub chunks: Vec<ChunkHash>,
}

/// The complete description of one version of a game, as served by `GetGame`.
///
/// Peers agree on a version when their manifests for it are identical; [`GameManifest::digest`]
/// is the cheap way to compare them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameManifest {
    /// The game this manifest describes.
    pub game_id: GameId,
    /// The version named by the game's `version.ini`.
    pub version: GameVersion,
    /// Chunk size in bytes: a power of two from 1 MiB to 16 MiB.
    pub chunk_size: u32,
    /// Payload files sorted by path (byte order), including `version.ini`.
    #[serde(deserialize_with = "bounded::files")]
    pub files: Vec<GameFileDescription>,
    /// Directories that contain no files but are part of the payload, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "bounded::dirs")]
    pub empty_dirs: Vec<RelPath>,
}

/// Why a manifest is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// The chunk size is not a power of two within the allowed range.
    #[error("chunk size {0} is not a power of two between {MIN_CHUNK_SIZE} and {MAX_CHUNK_SIZE} bytes")]
    BadChunkSize(u32),
    /// A file lists the wrong number of chunk hashes for its size.
    #[error("{path}: {size} bytes need {expected} chunk hashes, manifest lists {found}")]
    ChunkCountMismatch {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
        /// Hashes required by the size.
        expected: u64,
        /// Hashes listed.
        found: usize,
    },
    /// Files are not sorted, or a path repeats (compared case-insensitively).
    #[error("{path}: listed twice or out of order (paths must be unique ignoring case)")]
    DuplicateOrUnsorted {
        /// The offending path.
        path: String,
    },
    /// A file path is also used as a directory by another entry.
    #[error("{path}: used both as a file and as a directory")]
    FileDirConflict {
        /// The offending path.
        path: String,
    },
    /// No root `version.ini` in the manifest.
    #[error("manifest has no root version.ini")]
    MissingVersionIni,
    /// `version.ini` is implausibly large.
    #[error("version.ini is {0} bytes; a version file is at most {MAX_VERSION_INI_BYTES} bytes")]
    VersionIniTooLarge(u64),
    /// More empty directories than [`MAX_MANIFEST_EMPTY_DIRS`].
    #[error("manifest lists {0} empty directories; at most {MAX_MANIFEST_EMPTY_DIRS} are allowed")]
    TooManyEmptyDirs(usize),
    /// More files than [`MAX_MANIFEST_FILES`].
    #[error("manifest lists {0} files; at most {MAX_MANIFEST_FILES} are allowed")]
    TooManyFiles(usize),
    /// The sizes add up to more than `u64::MAX`.
    #[error("file sizes overflow")]
    SizeOverflow,
}

impl GameManifest {
    /// Builds a manifest, sorting files and directories into canonical order.
    pub fn new(
        game_id: GameId,
        version: GameVersion,
        chunk_size: u32,
        mut files: Vec<GameFileDescription>,
        mut empty_dirs: Vec<RelPath>,
    ) -> Self {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        empty_dirs.sort();
        Self { game_id, version, chunk_size, files, empty_dirs }
    }

    /// Checks every structural rule; call it on every manifest received from a peer.
    pub fn validate(&self) -> Result<(), ManifestError> {
        if !is_valid_chunk_size(self.chunk_size) {
            return Err(ManifestError::BadChunkSize(self.chunk_size));
        }
        if self.files.len() > MAX_MANIFEST_FILES {
            return Err(ManifestError::TooManyFiles(self.files.len()));
        }
        if self.empty_dirs.len() > MAX_MANIFEST_EMPTY_DIRS {
            return Err(ManifestError::TooManyEmptyDirs(self.empty_dirs.len()));
        }
        let mut total: u64 = 0;
        let mut seen = HashSet::with_capacity(self.files.len() + self.empty_dirs.len());
        let mut prev: Option<&RelPath> = None;
        let mut has_version_ini = false;
        for f in &self.files {
            let expected = chunk_count(f.size, self.chunk_size);
            if expected != f.chunks.len() as u64 {
                return Err(ManifestError::ChunkCountMismatch {
                    path: f.path.to_string(),
                    size: f.size,
                    expected,
                    found: f.chunks.len(),
                });
            }
            if prev.is_some_and(|p| p >= &f.path) || !seen.insert(f.path.fold_key()) {
                return Err(ManifestError::DuplicateOrUnsorted { path: f.path.to_string() });
            }
            prev = Some(&f.path);
            if f.path.is_version_ini() {
                has_version_ini = true;
                if f.size > MAX_VERSION_INI_BYTES as u64 {
                    return Err(ManifestError::VersionIniTooLarge(f.size));
                }
            }
            total = total.checked_add(f.size).ok_or(ManifestError::SizeOverflow)?;
        }
        for d in &self.empty_dirs {
            if !seen.insert(d.fold_key()) {
                return Err(ManifestError::DuplicateOrUnsorted { path: d.to_string() });
            }
        }
        // No entry may sit below a file: every proper prefix must not be a file.
        let files: HashSet<String> = self.files.iter().map(|f| f.path.fold_key()).collect();
        for key in
            self.files.iter().map(|f| f.path.fold_key()).chain(self.empty_dirs.iter().map(|d| d.fold_key()))
        {
            let mut idx = 0;
            while let Some(pos) = key[idx..].find('/') {
                let prefix = &key[..idx + pos];
                if files.contains(prefix) {
                    return Err(ManifestError::FileDirConflict { path: prefix.to_string() });
                }
                idx += pos + 1;
            }
        }
        if !has_version_ini {
            return Err(ManifestError::MissingVersionIni);
        }
        Ok(())
    }

    /// Total payload bytes.
    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).fold(0u64, u64::saturating_add)
    }

    /// Total number of chunks over all files.
    pub fn total_chunks(&self) -> u64 {
        self.files.iter().map(|f| f.chunks.len() as u64).sum()
    }

    /// BLAKE3 over the canonical JSON encoding; equal manifests have equal digests.
    pub fn digest(&self) -> Digest {
        let mut hasher = blake3::Hasher::new();
        // Serializing plain data into a hasher cannot fail.
        if serde_json::to_writer(HashWriter(&mut hasher), self).is_err() {
            return Digest([0; 32]);
        }
        Digest(*hasher.finalize().as_bytes())
    }

    /// Looks up a file by path.
    pub fn file(&self, path: &RelPath) -> Option<&GameFileDescription> {
        self.files.binary_search_by(|f| f.path.cmp(path)).ok().map(|i| &self.files[i])
    }
}

/// Adapts a BLAKE3 hasher to `io::Write` so large manifests hash without a buffer.
struct HashWriter<'a>(&'a mut blake3::Hasher);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u32 = 1 << 20;

    fn file(path: &str, size: u64) -> GameFileDescription {
        GameFileDescription {
            path: RelPath::new(path).unwrap(),
            size,
            chunks: (0..chunk_count(size, MIB)).map(|i| ChunkHash::of(&i.to_le_bytes())).collect(),
        }
    }

    fn manifest(files: Vec<GameFileDescription>) -> GameManifest {
        GameManifest::new(GameId::new("quake3").unwrap(), GameVersion::new("1").unwrap(), MIB, files, vec![])
    }

    #[test]
    fn valid_manifest_passes_and_sorts() {
        let m =
            manifest(vec![file("version.ini", 9), file("b/x.pak", 3 * u64::from(MIB) + 1), file("a.rar", 0)]);
        m.validate().unwrap();
        assert_eq!(m.files[0].path.as_str(), "a.rar");
        assert_eq!(m.total_size(), 3 * u64::from(MIB) + 10);
        assert_eq!(m.total_chunks(), 5);
        assert!(m.file(&RelPath::new("b/x.pak").unwrap()).is_some());
        assert!(m.file(&RelPath::new("nope").unwrap()).is_none());
    }

    #[test]
    fn structural_errors_are_reported() {
        let mut m = manifest(vec![file("version.ini", 9)]);
        m.chunk_size = 1000;
        assert_eq!(m.validate(), Err(ManifestError::BadChunkSize(1000)));

        let mut m = manifest(vec![file("version.ini", 9), file("a", 10)]);
        m.files[0].chunks.clear();
        assert!(matches!(m.validate(), Err(ManifestError::ChunkCountMismatch { .. })));

        let m = manifest(vec![file("version.ini", 9), file("Data", 1), file("data", 1)]);
        assert!(matches!(m.validate(), Err(ManifestError::DuplicateOrUnsorted { .. })));

        let m = manifest(vec![file("version.ini", 9), file("a", 1), file("a/b", 1)]);
        assert_eq!(m.validate(), Err(ManifestError::FileDirConflict { path: "a".into() }));

        let m = manifest(vec![file("a", 1)]);
        assert_eq!(m.validate(), Err(ManifestError::MissingVersionIni));

        let mut m = manifest(vec![file("version.ini", 9), file("a", 1)]);
        m.files.swap(0, 1);
        assert!(matches!(m.validate(), Err(ManifestError::DuplicateOrUnsorted { .. })));
    }

    #[test]
    fn digest_changes_with_content() {
        let a = manifest(vec![file("version.ini", 9), file("a", 1)]);
        let mut b = a.clone();
        assert_eq!(a.digest(), b.digest());
        b.files[0].chunks[0] = ChunkHash([7; 32]);
        assert_ne!(a.digest(), b.digest());
    }

    #[test]
    fn lists_are_refused_while_decoding_once_past_their_cap() {
        #[derive(Debug, Deserialize)]
        struct Three {
            #[serde(deserialize_with = "super::bounded::vec::<_, _, 3>")]
            items: Vec<u32>,
        }
        assert_eq!(serde_json::from_str::<Three>(r#"{"items":[1,2,3]}"#).unwrap().items, [1, 2, 3]);
        let e = serde_json::from_str::<Three>(r#"{"items":[1,2,3,4]}"#).unwrap_err();
        assert!(e.to_string().contains("more than 3 items"), "{e}");
        // The real caps are wired to the manifest's lists: one empty directory too many is
        // refused by the decoder, not after it.
        let dirs: Vec<String> = (0..=MAX_MANIFEST_EMPTY_DIRS).map(|i| format!("\"d{i}\"")).collect();
        let json = format!(
            r#"{{"game_id":"quake3","version":"1","chunk_size":1048576,"files":[],"empty_dirs":[{}]}}"#,
            dirs.join(",")
        );
        let e = serde_json::from_str::<GameManifest>(&json).unwrap_err();
        assert!(e.to_string().contains(&format!("more than {MAX_MANIFEST_EMPTY_DIRS} items")), "{e}");
    }
}
