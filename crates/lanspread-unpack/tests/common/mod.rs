//! RAR fixtures for the extraction tests, generated with the `rars` crate.
#![allow(dead_code, clippy::unwrap_used)]

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use rars::{ArchiveVersion, Builder};

/// Deterministic incompressible bytes.
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Compressible text.
pub(crate) fn text(len: usize, word: &str) -> Vec<u8> {
    word.as_bytes().iter().copied().cycle().take(len).collect()
}

/// How to build a fixture.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Opts {
    pub(crate) version: ArchiveVersion,
    pub(crate) store: bool,
    pub(crate) solid: bool,
}

impl Opts {
    pub(crate) fn rar5() -> Self {
        Self { version: ArchiveVersion::Rar50, store: false, solid: false }
    }
    pub(crate) fn rar4() -> Self {
        Self { version: ArchiveVersion::Rar40, ..Self::rar5() }
    }
    pub(crate) fn stored(self) -> Self {
        Self { store: true, ..self }
    }
    pub(crate) fn solid(self) -> Self {
        Self { solid: true, ..self }
    }
}

pub(crate) fn builder(opts: Opts) -> Builder {
    Builder::new(opts.version).store(opts.store).solid(opts.solid)
}

/// A single archive holding `files` (name → bytes) and the directories `dirs`.
pub(crate) fn archive(opts: Opts, files: &[(&str, Vec<u8>)], dirs: &[&str]) -> Vec<u8> {
    let mut b = builder(opts);
    for dir in dirs {
        b.add_directory(dir.as_bytes().to_vec(), None, None).unwrap();
    }
    for (name, data) in files {
        b.add_bytes(name.as_bytes().to_vec(), data.clone(), None, None).unwrap();
    }
    b.to_bytes().unwrap()
}

/// Volumes of a multi-volume archive.
pub(crate) fn volumes(opts: Opts, files: &[(&str, Vec<u8>)], volume_size: usize) -> Vec<Vec<u8>> {
    let mut b = builder(opts).volume_size(Some(volume_size));
    for (name, data) in files {
        b.add_bytes(name.as_bytes().to_vec(), data.clone(), None, None).unwrap();
    }
    b.build_volumes(None).unwrap()
}

/// Writes RAR5-style volumes `base.partNN.rar` (NN zero-padded to `width`).
pub(crate) fn write_parts(dir: &Path, base: &str, vols: &[Vec<u8>], width: usize) -> Vec<PathBuf> {
    vols.iter()
        .enumerate()
        .map(|(i, bytes)| {
            let path = dir.join(format!("{base}.part{:0width$}.rar", i + 1));
            fs::write(&path, bytes).unwrap();
            path
        })
        .collect()
}

/// Writes old-style volumes `base.rar`, `base.r00`, `base.r01`, ….
pub(crate) fn write_old_style(dir: &Path, base: &str, vols: &[Vec<u8>]) -> Vec<PathBuf> {
    vols.iter()
        .enumerate()
        .map(|(i, bytes)| {
            let name = if i == 0 { format!("{base}.rar") } else { format!("{base}.r{:02}", i - 1) };
            let path = dir.join(name);
            fs::write(&path, bytes).unwrap();
            path
        })
        .collect()
}

fn read_vint(bytes: &[u8], pos: &mut usize) -> u64 {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let b = bytes[*pos];
        *pos += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return value;
        }
        shift += 7;
    }
}

/// Replaces `from` by `to` (same length) inside RAR5 file headers and fixes the header CRCs.
/// Returns how many headers were patched.
pub(crate) fn patch_rar5_names(bytes: &mut [u8], from: &[u8], to: &[u8]) -> usize {
    assert_eq!(from.len(), to.len());
    assert_eq!(&bytes[..8], b"Rar!\x1a\x07\x01\x00", "not a RAR5 archive");
    let mut pos = 8;
    let mut patched = 0;
    while pos + 4 < bytes.len() {
        let crc_pos = pos;
        let mut p = pos + 4;
        let size = read_vint(bytes, &mut p) as usize;
        let header_start = pos + 4;
        let header_end = p + size;
        let mut q = p;
        let kind = read_vint(bytes, &mut q);
        let flags = read_vint(bytes, &mut q);
        if flags & 1 != 0 {
            read_vint(bytes, &mut q);
        }
        let data_size = if flags & 2 != 0 { read_vint(bytes, &mut q) as usize } else { 0 };
        if kind == 2 {
            let header = &mut bytes[p..header_end];
            if let Some(at) = header.windows(from.len()).position(|w| w == from) {
                header[at..at + from.len()].copy_from_slice(to);
                let crc = rars::crc32::crc32(&bytes[header_start..header_end]);
                bytes[crc_pos..crc_pos + 4].copy_from_slice(&crc.to_le_bytes());
                patched += 1;
            }
        }
        if kind == 5 {
            break;
        }
        pos = header_end + data_size;
    }
    patched
}

/// Replaces `from` by `to` (same length) inside RAR 1.5–4.x file headers and fixes the CRCs.
pub(crate) fn patch_rar4_names(bytes: &mut [u8], from: &[u8], to: &[u8]) -> usize {
    assert_eq!(from.len(), to.len());
    assert_eq!(&bytes[..7], b"Rar!\x1a\x07\x00", "not a RAR 4.x archive");
    let mut pos = 7;
    let mut patched = 0;
    while pos + 7 <= bytes.len() {
        let kind = bytes[pos + 2];
        let flags = u16::from_le_bytes([bytes[pos + 3], bytes[pos + 4]]);
        let size = u16::from_le_bytes([bytes[pos + 5], bytes[pos + 6]]) as usize;
        let add = if kind == 0x74 || flags & 0x8000 != 0 {
            u32::from_le_bytes(bytes[pos + 7..pos + 11].try_into().unwrap()) as usize
        } else {
            0
        };
        if kind == 0x74 {
            let header = &mut bytes[pos + 7..pos + size];
            if let Some(at) = header.windows(from.len()).position(|w| w == from) {
                header[at..at + from.len()].copy_from_slice(to);
                let crc = rars::crc32::crc32(&bytes[pos + 2..pos + size]) as u16;
                bytes[pos..pos + 2].copy_from_slice(&crc.to_le_bytes());
                patched += 1;
            }
        }
        if kind == 0x7b {
            break;
        }
        pos += size + add;
    }
    patched
}

/// Every file under `root` (relative `/`-separated path → bytes); links as `-> target`.
pub(crate) fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        let ft = entry.file_type().unwrap();
        if ft.is_symlink() {
            let target = fs::read_link(&path).unwrap();
            out.insert(rel, format!("-> {}", target.display()).into_bytes());
        } else if ft.is_dir() {
            out.insert(format!("{rel}/"), Vec::new());
            walk(root, &path, out);
        } else {
            out.insert(rel, fs::read(&path).unwrap());
        }
    }
}
