//! The local library: which catalog games are on disk, in what state, and their manifests.
//!
//! [`scan_local_library`] reads only metadata (directory listings and `stat`), plus the tiny
//! `version.ini` files whose parse result is cached by size and mtime, so rescanning an
//! unchanged library is cheap. Manifests (per-chunk BLAKE3) are built on demand by
//! [`hashes::build_manifest`] with a persistent hash cache keyed by (path, size, mtime).
//!
//! Invariants:
//! - only directories named by a catalog id are game roots;
//! - reserved root names (`local`, `.lanspread*`, `.local.*`, `.version.ini.*`) are never
//!   payload; symlinks are skipped, never followed;
//! - a game is downloaded exactly when its root `version.ini` exists and parses.

pub mod hashes;

use std::{
    collections::{BTreeMap, HashMap},
    fs, io,
    path::{Path, PathBuf},
    time::SystemTime,
};

use lanspread_proto::{
    Catalog, Digest, Game, GameId, GameVersion, LibrarySnapshot, RelPath, is_reserved_root_name,
    path::LOCAL_DIR, path::VERSION_INI,
};

use crate::install::{self, InstalledVersion};

/// The name of the per-game download state directory.
pub const DOWNLOAD_STATE_DIR: &str = ".lanspread";

/// The download state file inside [`DOWNLOAD_STATE_DIR`].
pub const DOWNLOAD_STATE_FILE: &str = "download.json";

/// Marks a version taken unverified (from a single host, on request): holds that version's
/// text. Written by the download that commits it, removed by the next commit.
pub const UNVERIFIED_MARKER: &str = ".lanspread.unverified";

/// Most payload entries (files + directories) scanned in one game root.
pub const MAX_SCAN_ENTRIES: usize = 1_000_000;

/// One payload file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// Path relative to the game root.
    pub path: RelPath,
    /// Size in bytes.
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (cache key).
    pub mtime_ns: i128,
}

/// One game root as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalGame {
    /// Catalog id (the directory name).
    pub id: GameId,
    /// The root directory.
    pub root: PathBuf,
    /// Version from `version.ini`; `Some` exactly when the game is completely downloaded.
    pub version: Option<GameVersion>,
    /// Why `version.ini` exists but could not be used.
    pub version_error: Option<String>,
    /// `local/` is a directory.
    pub installed: bool,
    /// The version `local/` holds (its install record); `None` when not installed.
    pub installed_version: Option<InstalledVersion>,
    /// A download state directory exists (interrupted download).
    pub has_download_state: bool,
    /// The version on disk was taken unverified (it is announced so and casts no vote).
    pub unverified: bool,
    /// Payload files, sorted by path.
    pub files: Vec<LocalFile>,
    /// Payload directories without files, sorted.
    pub empty_dirs: Vec<RelPath>,
    /// Entries that were skipped (symlinks, unusable names), for logs.
    pub skipped: Vec<String>,
}

impl LocalGame {
    /// Whether the game is completely downloaded.
    pub fn downloaded(&self) -> bool {
        self.version.is_some()
    }

    /// Sum of payload file sizes.
    pub fn payload_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// The scanned library of one game directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalLibrary {
    /// Game roots by id.
    pub games: BTreeMap<GameId, LocalGame>,
}

impl LocalLibrary {
    /// The announced part: completely downloaded games, as a snapshot at `rev`.
    /// `digests` supplies known manifest digests.
    pub fn snapshot(&self, rev: u64, digests: &HashMap<(GameId, GameVersion), Digest>) -> LibrarySnapshot {
        let games = self
            .games
            .values()
            .filter_map(|g| {
                let version = g.version.clone()?;
                Some(Game {
                    id: g.id.clone(),
                    manifest_digest: digests.get(&(g.id.clone(), version.clone())).copied(),
                    version,
                    size_bytes: g.payload_bytes(),
                    file_count: g.files.len() as u64,
                    unverified: g.unverified,
                })
            })
            .collect();
        LibrarySnapshot::new(rev, games)
    }
}

/// Remembers parsed `version.ini` files by (size, mtime) between scans.
#[derive(Debug, Default)]
pub struct ScanCache {
    versions: HashMap<PathBuf, (u64, i128, Result<GameVersion, String>)>,
    records: HashMap<PathBuf, (u64, i128, Option<InstalledVersion>)>,
}

/// Scans `game_dir` for catalog game roots. A missing game directory is an error; unreadable
/// individual roots are skipped with a warning.
pub fn scan_local_library(
    game_dir: &Path,
    catalog: &Catalog,
    cache: &mut ScanCache,
) -> io::Result<LocalLibrary> {
    let mut games = BTreeMap::new();
    for entry in fs::read_dir(game_dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Ok(id) = GameId::new(name) else { continue };
        if !catalog.contains(&id) {
            continue;
        }
        // `DirEntry::file_type` does not follow symlinks: a symlinked root is skipped.
        if !entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            continue;
        }
        match scan_game(&entry.path(), &id, cache) {
            Ok(g) => {
                games.insert(id, g);
            }
            Err(e) => tracing::warn!(game = %id, error = %e, "skipping unreadable game root"),
        }
    }
    Ok(LocalLibrary { games })
}

/// Scans one game root.
pub fn scan_game(root: &Path, id: &GameId, cache: &mut ScanCache) -> io::Result<LocalGame> {
    let mut game = LocalGame {
        id: id.clone(),
        root: root.to_path_buf(),
        version: None,
        version_error: None,
        installed: false,
        installed_version: None,
        has_download_state: false,
        unverified: false,
        files: Vec::new(),
        empty_dirs: Vec::new(),
        skipped: Vec::new(),
    };
    let mut entries = 0usize;
    let mut unverified_marker = None;
    let mut record = None;
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            game.skipped.push(name.to_string_lossy().into_owned());
            continue;
        };
        let ft = entry.file_type()?;
        if name.eq_ignore_ascii_case(LOCAL_DIR) {
            game.installed = ft.is_dir();
            continue;
        }
        if name == DOWNLOAD_STATE_DIR {
            game.has_download_state = ft.is_dir() && has_download_state(&entry.path());
            continue;
        }
        if name == install::RECORD && ft.is_file() {
            record = Some(entry.path());
            continue;
        }
        if name == UNVERIFIED_MARKER && ft.is_file() {
            unverified_marker = fs::read(entry.path()).ok();
            continue;
        }
        if is_reserved_root_name(name) {
            continue;
        }
        walk_payload(&entry.path(), name, ft, &mut game, &mut entries)?;
    }
    game.files.sort_by(|a, b| a.path.cmp(&b.path));
    game.empty_dirs.sort();
    if let Some(vf) = game.files.iter().find(|f| f.path.as_str() == VERSION_INI) {
        let path = root.join(VERSION_INI);
        let key = (vf.size, vf.mtime_ns);
        let parsed = match cache.versions.get(&path) {
            Some((s, m, v)) if (*s, *m) == key => v.clone(),
            _ => {
                let v = fs::read(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|b| GameVersion::from_version_ini(&b).map_err(|e| e.to_string()));
                cache.versions.insert(path, (key.0, key.1, v.clone()));
                v
            }
        };
        match parsed {
            Ok(v) => game.version = Some(v),
            Err(e) => game.version_error = Some(e),
        }
    }
    if game.installed {
        game.installed_version = Some(match record {
            Some(path) => installed_version(&path, cache),
            // Installed before records existed (or the record was lost): the files are there,
            // their version is not known.
            None => InstalledVersion::Unknown,
        });
    }
    // The marker speaks only for the version it names (a later trusted download replaces it).
    game.unverified = match (&game.version, unverified_marker) {
        (Some(v), Some(m)) => GameVersion::from_version_ini(&m).is_ok_and(|mv| &mv == v),
        _ => false,
    };
    Ok(game)
}

/// The version an install record names, re-read only when the record changed.
fn installed_version(path: &Path, cache: &mut ScanCache) -> InstalledVersion {
    let Ok(md) = fs::metadata(path) else { return InstalledVersion::Unknown };
    let key = (md.len(), mtime_ns(&md));
    if let Some((s, m, v)) = cache.records.get(path)
        && (*s, *m) == key
    {
        return v.clone().unwrap_or(InstalledVersion::Unknown);
    }
    let v = fs::read(path).ok().and_then(|b| install::recorded_version(&b));
    cache.records.insert(path.to_path_buf(), (key.0, key.1, v.clone()));
    v.unwrap_or(InstalledVersion::Unknown)
}

fn has_download_state(dir: &Path) -> bool {
    dir.join(DOWNLOAD_STATE_FILE).is_file()
}

fn walk_payload(
    path: &Path,
    rel: &str,
    ft: fs::FileType,
    game: &mut LocalGame,
    entries: &mut usize,
) -> io::Result<()> {
    *entries += 1;
    if *entries > MAX_SCAN_ENTRIES {
        return Err(io::Error::other(format!("more than {MAX_SCAN_ENTRIES} payload entries")));
    }
    if ft.is_symlink() {
        game.skipped.push(rel.to_string());
        return Ok(());
    }
    let Ok(rel_path) = RelPath::new(rel) else {
        game.skipped.push(rel.to_string());
        return Ok(());
    };
    if ft.is_file() {
        let md = fs::symlink_metadata(path)?;
        game.files.push(LocalFile { path: rel_path, size: md.len(), mtime_ns: mtime_ns(&md) });
    } else if ft.is_dir() {
        let mut any = false;
        for entry in fs::read_dir(path)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                game.skipped.push(format!("{rel}/{}", name.to_string_lossy()));
                continue;
            };
            any = true;
            walk_payload(&entry.path(), &format!("{rel}/{name}"), entry.file_type()?, game, entries)?;
        }
        if !any {
            game.empty_dirs.push(rel_path);
        }
    }
    Ok(())
}

/// Modification time in nanoseconds since the Unix epoch (0 when unavailable).
pub fn mtime_ns(md: &fs::Metadata) -> i128 {
    md.modified()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
}

#[cfg(test)]
mod tests;
