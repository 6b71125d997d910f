//! Verify: re-hashes every byte of a downloaded game's payload against a reference manifest
//! (the one the peers holding that version agree on; without such peers, the hashes this PC
//! recorded when it hashed the game) and checks `local/` against what the install wrote: the
//! archives are unpacked without writing (UnRAR checks their own checksums on the way) and
//! each file's size and BLAKE3 compared (a game without archives: its payload copy).
//! No cache is trusted for the bytes themselves: bit rot keeps a file's size and mtime.
//!
//! A file of `local/` that differs is *damaged* when its size and modification time are still
//! the ones the install record holds (the bytes changed under it), and *changed by the player*
//! otherwise (a config, a save, a mod): those are listed and never touched.
//!
//! Everything here is blocking; the runtime runs it on a blocking thread
//! (`runtime::verify_game`).

use std::{
    collections::BTreeMap,
    fs::{self, File},
    io::{self, Read},
    path::{Path, PathBuf},
    sync::atomic::{AtomicBool, Ordering},
};

use lanspread_proto::{ChunkHash, GameManifest, chunk::chunk_range};
use lanspread_unpack::{FileDigest, Unpacker, find_archives};

use crate::{
    api::{DamagedFile, LocalCheck},
    install::{self, LOCAL},
};

/// Why a check stopped before the end.
#[derive(Debug, thiserror::Error)]
pub(crate) enum VerifyError {
    /// The cancel flag was raised.
    #[error("verify cancelled")]
    Cancelled,
    /// The archives could not be listed.
    #[error("{0}")]
    Archive(#[from] lanspread_unpack::UnpackError),
    /// A directory could not be read.
    #[error("{op} {path}: {error}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// Where.
        path: PathBuf,
        /// The OS error.
        error: io::Error,
    },
}

fn io_err(op: &'static str, path: &Path) -> impl FnOnce(io::Error) -> VerifyError + use<> {
    let path = path.to_path_buf();
    move |error| VerifyError::Io { op, path, error }
}

/// Re-hashes every payload file of `root` against `m`; returns the files with chunks that do
/// not match (a missing or short file: every chunk it lacks). `progress` receives the bytes
/// read so far.
pub(crate) fn check_payload(
    root: &Path,
    m: &GameManifest,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<DamagedFile>, VerifyError> {
    let mut damaged = Vec::new();
    let mut done = 0u64;
    let mut buf = vec![0u8; m.chunk_size as usize];
    for f in &m.files {
        let mut bad = Vec::new();
        let mut file = crate::download::payload_file(root, &f.path).ok();
        for (c, want) in f.chunks.iter().enumerate() {
            if cancel.load(Ordering::Relaxed) {
                return Err(VerifyError::Cancelled);
            }
            let Some(r) = chunk_range(f.size, m.chunk_size, c as u64) else { break };
            let len = (r.end - r.start) as usize;
            let ok = match file.as_mut() {
                Some(file) => match read_full(file, &mut buf[..len]) {
                    Ok(()) => ChunkHash::of(&buf[..len]) == *want,
                    Err(_) => {
                        // Short or unreadable: everything from here on is missing.
                        false
                    }
                },
                None => false,
            };
            if !ok {
                bad.push(c as u64);
            }
            done += len as u64;
            progress(done);
        }
        // Longer than the manifest says: damaged too (the tail is not part of the game).
        let longer = file.as_ref().and_then(|f| f.metadata().ok()).is_some_and(|md| md.len() > f.size);
        if longer && bad.is_empty() && !f.chunks.is_empty() {
            bad.push(f.chunks.len() as u64 - 1);
        }
        if !bad.is_empty() || (longer && f.chunks.is_empty()) {
            let bytes = bad
                .iter()
                .filter_map(|&c| chunk_range(f.size, m.chunk_size, c))
                .map(|r| r.end - r.start)
                .sum();
            damaged.push(DamagedFile { path: f.path.as_str().to_string(), chunks: bad, bytes });
        }
    }
    Ok(damaged)
}

fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<()> {
    file.read_exact(buf)
}

/// What the install of `root` wrote, per `/`-separated path under `local/`: from the archives
/// in install order (a later archive replaces what an earlier one wrote at the same path; UnRAR
/// checks each archive's own checksums while unpacking), or the payload copy. `progress`
/// receives the bytes unpacked or read so far.
fn expected_files(
    root: &Path,
    unpacker: &dyn Unpacker,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<BTreeMap<String, FileDigest>, VerifyError> {
    let mut out = BTreeMap::new();
    let mut done = 0u64;
    let sets = find_archives(root).map_err(io_err("list", root))?;
    if !sets.is_empty() {
        for set in &sets {
            let base = done;
            let digests = unpacker.digests(&set.first_volume, &mut |n| progress(base + n), cancel)?;
            done += digests.values().map(|d| d.size).sum::<u64>();
            out.extend(digests);
        }
        return Ok(out);
    }
    for (path, _) in install::payload_files(root).map_err(io_err("list", root))? {
        let full = root.join(&path);
        let base = done;
        let digest = digest_of(&full, cancel, &mut |n| progress(base + n)).map_err(io_err("read", &full))?;
        done += digest.size;
        out.insert(path.to_string_lossy().replace('\\', "/"), digest);
    }
    Ok(out)
}

/// Checks every file the install wrote into `root/local/`: unpacks (or reads) what the install
/// wrote and compares each file's size and BLAKE3 with what `local/` holds. `progress` receives
/// the bytes processed so far.
pub(crate) fn check_local(
    root: &Path,
    unpacker: &dyn Unpacker,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<LocalCheck, VerifyError> {
    let local = root.join(LOCAL);
    let mut check = LocalCheck::default();
    if !local.is_dir() {
        return Ok(check);
    }
    let expected = match expected_files(root, unpacker, cancel, progress) {
        Err(VerifyError::Archive(lanspread_unpack::UnpackError::Cancelled)) => {
            return Err(VerifyError::Cancelled);
        }
        r => r?,
    };
    let unpacked: u64 = expected.values().map(|d| d.size).sum();
    let record = install::installed_stamps(root);
    let mut done = unpacked;
    for (path, want) in &expected {
        if cancel.load(Ordering::Relaxed) {
            return Err(VerifyError::Cancelled);
        }
        let file = path.split('/').fold(local.clone(), |p, c| p.join(c));
        let Ok(meta) = fs::symlink_metadata(&file) else {
            check.missing.push(path.clone());
            continue;
        };
        check.files += 1;
        let same = meta.is_file() && meta.len() == want.size && {
            let base = done;
            let got = digest_of(&file, cancel, &mut |n| progress(base + n));
            done += meta.len();
            if cancel.load(Ordering::Relaxed) {
                return Err(VerifyError::Cancelled);
            }
            got.is_ok_and(|got| got == *want)
        };
        if same {
            continue;
        }
        let untouched =
            record.as_ref().and_then(|r| r.get(path)).is_some_and(|stamp| *stamp == install::stamp_of(&meta));
        if untouched {
            check.damaged.push(path.clone());
        } else {
            check.changed_by_player.push(path.clone());
        }
    }
    Ok(check)
}

/// Size and BLAKE3 of a file's bytes; `progress` receives the bytes read so far.
fn digest_of(path: &Path, cancel: &AtomicBool, progress: &mut dyn FnMut(u64)) -> io::Result<FileDigest> {
    let mut f = File::open(path)?;
    let mut h = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(io::Error::other("cancelled"));
        }
        let got = f.read(&mut buf)?;
        if got == 0 {
            return Ok(FileDigest { size: n, blake3: *h.finalize().as_bytes() });
        }
        h.update(&buf[..got]);
        n += got as u64;
        progress(n);
    }
}

/// Bytes the local check processes at most: what the install unpacks (the archives' unpacked
/// size, or the payload) plus what `local/` holds.
pub(crate) fn local_bytes(root: &Path, unpacker: &dyn Unpacker) -> u64 {
    let local = root.join(LOCAL);
    if !local.is_dir() {
        return 0;
    }
    let held = install::tree_bytes(&local).unwrap_or(0);
    let source = match find_archives(root) {
        Ok(sets) if !sets.is_empty() => {
            sets.iter().filter_map(|s| unpacker.list(&s.first_volume).ok()).map(|l| l.unpacked_bytes).sum()
        }
        _ => install::payload_files(root).map(|f| f.iter().map(|(_, n)| n).sum()).unwrap_or(0),
    };
    source + held
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanspread_proto::{GameFileDescription, GameId, GameVersion, RelPath};

    fn manifest(files: &[(&str, &[u8])], chunk: u32) -> GameManifest {
        let descs = files
            .iter()
            .map(|(p, d)| GameFileDescription {
                path: RelPath::new(*p).unwrap(),
                size: d.len() as u64,
                chunks: d.chunks(chunk as usize).map(ChunkHash::of).collect(),
            })
            .collect();
        GameManifest::new(
            GameId::new("q3").unwrap(),
            GameVersion::new("1").unwrap(),
            chunk,
            descs,
            Vec::new(),
        )
    }

    #[test]
    fn payload_check_names_each_bad_chunk_and_missing_or_short_files() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let big: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
        let m =
            manifest(&[("a.bin", &big), ("b.bin", b"hello"), ("c.bin", b"gone"), ("d.bin", b"short!")], 1024);
        let mut flipped = big.clone();
        flipped[1500] ^= 1;
        fs::write(root.join("a.bin"), &flipped).unwrap();
        fs::write(root.join("b.bin"), b"hello").unwrap();
        fs::write(root.join("d.bin"), b"sho").unwrap();
        let mut last = 0;
        let damaged = check_payload(root, &m, &AtomicBool::new(false), &mut |n| last = n).unwrap();
        let got: Vec<(&str, &[u64])> =
            damaged.iter().map(|d| (d.path.as_str(), d.chunks.as_slice())).collect();
        assert_eq!(got, vec![("a.bin", &[1][..]), ("c.bin", &[0][..]), ("d.bin", &[0][..])]);
        assert_eq!(damaged[0].bytes, 1024);
        assert_eq!(last, 3000 + 5 + 4 + 6, "every byte counted");
        fs::write(root.join("a.bin"), &big).unwrap();
        fs::write(root.join("c.bin"), b"gone").unwrap();
        fs::write(root.join("d.bin"), b"short!+tail").unwrap();
        let damaged = check_payload(root, &m, &AtomicBool::new(false), &mut |_| {}).unwrap();
        assert_eq!(damaged.len(), 1, "{damaged:?}");
        assert_eq!(damaged[0].path, "d.bin", "a longer file is damaged too");
        let cancel = AtomicBool::new(true);
        assert!(matches!(check_payload(root, &m, &cancel, &mut |_| {}), Err(VerifyError::Cancelled)));
    }
}
