//! Install transactions over real RAR archives (generated with `rars`) and `UnrarUnpacker`.
#![allow(clippy::unwrap_used)]

use std::{collections::BTreeMap, fs, path::Path, sync::atomic::AtomicBool};

use lanspread_peer::install::{self, BACKUP, INTENT, InstallError, InstallPhase, LOCAL, REMOVING, STAGING};
use lanspread_unpack::{UnpackError, UnrarUnpacker};
use rars::{ArchiveVersion, Builder};

fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

fn install(root: &Path) -> Result<install::InstallReport, InstallError> {
    install::install_game(root, &UnrarUnpacker::new(), &mut |_| {}, &AtomicBool::new(false))
}

fn assert_no_leftovers(root: &Path) {
    for name in [STAGING, BACKUP, REMOVING, INTENT] {
        assert!(!root.join(name).exists(), "{name} left behind");
    }
}

/// Writes a game: a solid multi-volume RAR5 set with the big files, a RAR 4.x archive with the
/// small ones, an nfo next to them. Returns the files `local/` must hold.
fn write_game(root: &Path, version: u8) -> BTreeMap<String, Vec<u8>> {
    for entry in fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rar") {
            fs::remove_file(path).unwrap();
        }
    }
    let mut expected = BTreeMap::new();
    let mut big = Builder::new(ArchiveVersion::Rar50).solid(true).volume_size(Some(256 * 1024));
    for (name, data) in
        [("bin/game.exe", noise(400_000, u64::from(version))), ("data/pak0.pak", noise(300_000, 7))]
    {
        big.add_bytes(name.as_bytes().to_vec(), data.clone(), None, None).unwrap();
        expected.insert(name.to_string(), data);
    }
    for (i, volume) in big.build_volumes(None).unwrap().iter().enumerate() {
        fs::write(root.join(format!("game.part{:02}.rar", i + 1)), volume).unwrap();
    }
    let mut small = Builder::new(ArchiveVersion::Rar40);
    let cfg = format!("version={version}\n").into_bytes();
    small.add_bytes(b"cfg\\default.cfg".to_vec(), cfg.clone(), None, None).unwrap();
    expected.insert("cfg/default.cfg".into(), cfg);
    if version == 1 {
        small.add_bytes(b"docs\\old-manual.txt".to_vec(), b"v1 manual".to_vec(), None, None).unwrap();
        expected.insert("docs/old-manual.txt".into(), b"v1 manual".to_vec());
    }
    fs::write(root.join("extras.rar"), small.to_bytes().unwrap()).unwrap();
    fs::write(root.join("version.ini"), format!("{version}\n")).unwrap();
    fs::write(root.join("game.nfo"), "release notes").unwrap();
    expected
}

fn new_root() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("quake");
    fs::create_dir(&root).unwrap();
    (dir, root)
}

#[test]
fn install_update_and_uninstall_real_archives_keeping_savegames() {
    let (_dir, root) = new_root();
    let v1 = write_game(&root, 1);
    let volumes = fs::read_dir(&root)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains(".part"));
    assert!(volumes.count() >= 3);

    let mut progress = Vec::new();
    let report = install::install_game(
        &root,
        &UnrarUnpacker::new(),
        &mut |p| progress.push(p),
        &AtomicBool::new(false),
    )
    .unwrap();
    assert!(!report.update);
    assert_eq!(tree(&root.join(LOCAL)), v1, "the nfo next to the archives must not be installed");
    let total: u64 = v1.values().map(|v| v.len() as u64).sum();
    assert_eq!((report.bytes, report.files), (total, v1.len() as u64));
    let extracting: Vec<u64> =
        progress.iter().filter(|p| p.phase == InstallPhase::Extracting).map(|p| p.bytes_done).collect();
    assert!(extracting.windows(2).all(|w| w[0] <= w[1]) && extracting.last() == Some(&total));
    assert_no_leftovers(&root);

    // The player saves; a new version arrives.
    fs::create_dir_all(root.join("local/save")).unwrap();
    fs::write(root.join("local/save/slot1.sav"), "level 3").unwrap();
    let v2 = write_game(&root, 2);
    let report = install(&root).unwrap();
    assert!(report.update);
    assert_eq!(report.carried_over, vec!["save/slot1.sav".to_string()]);
    let mut expected = v2.clone();
    expected.insert("save/slot1.sav".into(), b"level 3".to_vec());
    // docs/old-manual.txt was an unmodified v1 file that v2 no longer ships: dropped.
    assert_eq!(tree(&root.join(LOCAL)), expected);
    assert_no_leftovers(&root);

    install::uninstall_game(&root).unwrap();
    assert!(!root.join(LOCAL).exists());
    assert_no_leftovers(&root);
    assert!(root.join("game.part01.rar").exists() && root.join("version.ini").exists());
}

/// Replaces `from` by `to` (same length) in the RAR5 file headers and fixes their CRCs.
fn patch_rar5_name(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    fn vint(b: &[u8], pos: &mut usize) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let byte = b[*pos];
            *pos += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return v;
            }
            shift += 7;
        }
    }
    let mut pos = 8;
    let mut patched = false;
    while pos + 4 < bytes.len() {
        let mut p = pos + 4;
        let size = vint(bytes, &mut p) as usize;
        let (start, end) = (pos + 4, p + size);
        let mut q = p;
        let kind = vint(bytes, &mut q);
        let flags = vint(bytes, &mut q);
        if flags & 1 != 0 {
            vint(bytes, &mut q);
        }
        let data = if flags & 2 != 0 { vint(bytes, &mut q) as usize } else { 0 };
        if let Some(at) = bytes[p..end].windows(from.len()).position(|w| w == from) {
            bytes[p + at..p + at + to.len()].copy_from_slice(to);
            let crc = rars::crc32::crc32(&bytes[start..end]);
            bytes[pos..pos + 4].copy_from_slice(&crc.to_le_bytes());
            patched = true;
        }
        if kind == 5 {
            break;
        }
        pos = end + data;
    }
    assert!(patched);
}

#[test]
fn a_hostile_archive_writes_nothing_outside_local_and_keeps_the_old_install() {
    let (dir, root) = new_root();
    let v1 = write_game(&root, 1);
    install(&root).unwrap();
    // The "update" is hostile: its second entry climbs out of the install directory.
    let mut b = Builder::new(ArchiveVersion::Rar50);
    b.add_bytes(b"bin/game.exe".to_vec(), b"trojan".to_vec(), None, None).unwrap();
    b.add_bytes(b"XX/XX/evil.txt".to_vec(), b"pwned".to_vec(), None, None).unwrap();
    let mut bytes = b.to_bytes().unwrap();
    patch_rar5_name(&mut bytes, b"XX/XX/evil.txt", b"../../evil.txt");
    fs::write(root.join("zz-patch.rar"), bytes).unwrap();

    let err = install(&root).unwrap_err();
    assert!(matches!(err, InstallError::Unpack(UnpackError::UnsafeEntry { .. })), "{err:?}");
    assert!(err.to_string().contains("evil.txt"), "{err}");
    assert_eq!(tree(&root.join(LOCAL)), v1);
    assert_no_leftovers(&root);
    let everything = tree(dir.path());
    assert!(!everything.keys().any(|k| k.contains("evil")), "{:?}", everything.keys());
    assert!(!everything.values().any(|v| v == b"pwned" || v == b"trojan"));
}

#[test]
fn encrypted_and_truncated_archives_fail_cleanly() {
    let (_dir, root) = new_root();
    fs::write(root.join("version.ini"), "1\n").unwrap();
    let mut b = Builder::new(ArchiveVersion::Rar50).password(Some(b"pw".to_vec()));
    b.add_bytes(b"game.exe".to_vec(), noise(1000, 1), None, None).unwrap();
    fs::write(root.join("locked.rar"), b.to_bytes().unwrap()).unwrap();
    let err = install(&root).unwrap_err();
    assert!(matches!(err, InstallError::Unpack(UnpackError::Encrypted { .. })), "{err:?}");
    assert!(!root.join(LOCAL).exists());
    assert_no_leftovers(&root);

    fs::remove_file(root.join("locked.rar")).unwrap();
    let mut b = Builder::new(ArchiveVersion::Rar50).store(true);
    b.add_bytes(b"game.exe".to_vec(), noise(500_000, 2), None, None).unwrap();
    let bytes = b.to_bytes().unwrap();
    fs::write(root.join("cut.rar"), &bytes[..bytes.len() / 2]).unwrap();
    let err = install(&root).unwrap_err();
    assert!(matches!(err, InstallError::Unpack(UnpackError::Corrupt { .. })), "{err:?}");
    assert!(!root.join(LOCAL).exists());
    assert_no_leftovers(&root);
}
