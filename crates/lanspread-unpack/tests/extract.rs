//! Extraction of real RAR archives (generated with `rars`) through `UnrarUnpacker`.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    fs,
    path::Path,
    sync::atomic::{AtomicBool, Ordering},
};

use common::*;
use lanspread_unpack::{UnpackError, Unpacker, UnrarUnpacker, find_archives};

struct Run {
    result: Result<lanspread_unpack::ExtractSummary, UnpackError>,
    progress: Vec<u64>,
}

fn extract(archive: &Path, dest: &Path) -> Run {
    let cancel = AtomicBool::new(false);
    let mut progress = Vec::new();
    let result = UnrarUnpacker::new().extract(archive, dest, &mut |b| progress.push(b), &cancel);
    Run { result, progress }
}

fn game_files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("bin/game.exe", noise(300_000, 1)),
        ("data/maps/dm1.bsp", noise(70_000, 2)),
        ("data/maps/readme.txt", text(40_000, "frag responsibly ")),
        ("config.cfg", b"name player\n".to_vec()),
        ("empty.dat", Vec::new()),
    ]
}

fn expected_tree(files: &[(&str, Vec<u8>)], dirs: &[&str]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    for (name, data) in files {
        let mut prefix = String::new();
        let parts: Vec<&str> = name.split('/').collect();
        for part in &parts[..parts.len() - 1] {
            prefix.push_str(part);
            out.insert(format!("{prefix}/"), Vec::new());
            prefix.push('/');
        }
        out.insert(name.to_string(), data.clone());
    }
    for dir in dirs {
        out.insert(format!("{dir}/"), Vec::new());
    }
    out
}

fn assert_extracts(opts: Opts) {
    let files = game_files();
    let dirs = ["save", "data/empty"];
    let bytes = archive(opts, &files, &dirs);
    let tmp = tempfile::tempdir().unwrap();
    let arc = tmp.path().join("game.rar");
    fs::write(&arc, bytes).unwrap();
    let dest = tmp.path().join("out");
    fs::create_dir(&dest).unwrap();

    let listing = UnrarUnpacker::new().list(&arc).unwrap();
    let total: u64 = files.iter().map(|(_, d)| d.len() as u64).sum();
    assert_eq!(listing.unpacked_bytes, total);
    assert_eq!(listing.entries.iter().filter(|e| !e.is_dir).count(), files.len());
    assert!(listing.entries.iter().any(|e| e.is_dir && e.path == "data/empty"));

    let run = extract(&arc, &dest);
    let summary = run.result.unwrap();
    assert_eq!(summary.files, files.len() as u64);
    assert_eq!(summary.bytes, total);
    assert_eq!(tree(&dest), expected_tree(&files, &dirs));
    assert!(run.progress.windows(2).all(|w| w[0] <= w[1]), "progress went backwards");
    assert_eq!(run.progress.last().copied(), Some(total));
}

#[test]
fn rar5_compressed_nested_folders_extract_byte_exact() {
    assert_extracts(Opts::rar5());
}

#[test]
fn rar5_stored_extracts_byte_exact() {
    assert_extracts(Opts::rar5().stored());
}

#[test]
fn rar5_solid_extracts_byte_exact() {
    assert_extracts(Opts::rar5().solid());
}

#[test]
fn rar4_compressed_extracts_byte_exact() {
    assert_extracts(Opts::rar4());
}

#[test]
fn rar4_solid_stored_extracts_byte_exact() {
    assert_extracts(Opts::rar4().solid());
    assert_extracts(Opts::rar4().stored());
}

#[test]
fn rar29_extracts_byte_exact() {
    assert_extracts(Opts { version: rars::ArchiveVersion::Rar29, ..Opts::rar4() });
}

/// The `unrar` 0.5.8 trap: its volume-change callback read 2048 wide characters out of a short
/// `std::wstring`, which a debug build of this test reported as a failed
/// `ptr::copy_nonoverlapping` precondition. This test runs in the default (debug) test profile.
#[test]
fn multi_volume_rar5_extracts_in_a_debug_build() {
    let files = vec![
        ("big/one.bin", noise(700_000, 3)),
        ("two.txt", text(100_000, "abc")),
        ("three.bin", noise(200_000, 4)),
    ];
    for (opts, width) in [(Opts::rar5().stored(), 2), (Opts::rar5().solid(), 1)] {
        let vols = volumes(opts, &files, 128 * 1024);
        let tmp = tempfile::tempdir().unwrap();
        let paths = write_parts(tmp.path(), "game", &vols, width);
        assert!(paths.len() >= 3, "only {} volumes", paths.len());
        let sets = find_archives(tmp.path()).unwrap();
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0].volumes, paths);
        let dest = tmp.path().join("out");
        fs::create_dir(&dest).unwrap();
        let listing = UnrarUnpacker::new().list(&sets[0].first_volume).unwrap();
        assert_eq!(listing.unpacked_bytes, 1_000_000);
        let run = extract(&sets[0].first_volume, &dest);
        assert_eq!(run.result.unwrap().bytes, 1_000_000);
        assert_eq!(tree(&dest), expected_tree(&files, &[]));
    }
}

/// Verify's test pass: what extraction would write, per path, as size and BLAKE3, without
/// writing anything; for RAR5 and RAR4, solid or not, single or multi-volume (files split
/// across volumes); damaged archive data is an error, not a wrong digest.
#[test]
fn digests_are_what_extraction_writes_without_writing_anything() {
    let files = [
        ("big/one.bin", noise(700_000, 3)),
        ("two.txt", text(100_000, "abc")),
        ("three.bin", noise(200_000, 4)),
        ("empty.dat", Vec::new()),
    ];
    for opts in
        [Opts::rar4(), Opts::rar4().solid(), Opts::rar5(), Opts::rar5().solid(), Opts::rar5().stored()]
    {
        for volume_size in [None, Some(128 * 1024)] {
            // `rars` writes RAR 4.x volumes of one input file only.
            let rar4 = !matches!(opts.version, rars::ArchiveVersion::Rar50);
            let inputs = if rar4 && volume_size.is_some() { &files[..1] } else { &files[..] };
            let tmp = tempfile::tempdir().unwrap();
            let paths = match volume_size {
                None => {
                    let arc = tmp.path().join("game.rar");
                    fs::write(&arc, archive(opts, inputs, &["save"])).unwrap();
                    vec![arc]
                }
                Some(size) => {
                    let vols = volumes(opts, inputs, size);
                    let paths = if rar4 {
                        write_old_style(tmp.path(), "game", &vols)
                    } else {
                        write_parts(tmp.path(), "game", &vols, 2)
                    };
                    assert!(paths.len() >= 3, "only {} volumes", paths.len());
                    paths
                }
            };
            let before = tree(tmp.path());
            let mut progress = 0;
            let digests = UnrarUnpacker::new()
                .digests(&paths[0], &mut |n| progress = n, &AtomicBool::new(false))
                .unwrap();
            let want: std::collections::BTreeMap<String, lanspread_unpack::FileDigest> = inputs
                .iter()
                .map(|(n, d)| {
                    let digest = lanspread_unpack::FileDigest {
                        size: d.len() as u64,
                        blake3: *blake3::hash(d).as_bytes(),
                    };
                    (n.to_string(), digest)
                })
                .collect();
            assert_eq!(digests, want, "{opts:?}, volumes of {volume_size:?}");
            assert_eq!(progress, want.values().map(|d| d.size).sum::<u64>());
            assert_eq!(tree(tmp.path()), before, "nothing written");

            // One flipped byte in the middle of the (last) volume: an error.
            let last = paths.last().unwrap();
            let mut bytes = fs::read(last).unwrap();
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0x40;
            fs::write(last, &bytes).unwrap();
            let damaged = UnrarUnpacker::new().digests(&paths[0], &mut |_| {}, &AtomicBool::new(false));
            assert!(damaged.is_err(), "{opts:?}, volumes of {volume_size:?}: {damaged:?}");
        }
    }
}

/// Windows limits plain Win32 paths to 260 characters; game folders nest deep. Volumes in a
/// folder whose path is over 200 characters, entries whose full destination path is over 400:
/// every byte arrives (on Windows this runs under Wine in CI; on Linux it guards nothing new).
#[test]
fn paths_longer_than_260_characters_extract() {
    let deep_dir = format!("{}/{}", "d".repeat(100), "e".repeat(100));
    let long_entry = format!("{}/{}/{}.dat", "x".repeat(80), "y".repeat(80), "z".repeat(80));
    let files = vec![(long_entry.as_str(), noise(300_000, 5)), ("short.txt", text(50_000, "ok "))];
    let vols = volumes(Opts::rar5().stored(), &files, 128 * 1024);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(&deep_dir);
    fs::create_dir_all(&dir).unwrap();
    let paths = write_parts(&dir, "game", &vols, 1);
    assert!(paths.len() >= 2, "only {} volumes", paths.len());
    let dest = dir.join("out");
    fs::create_dir(&dest).unwrap();
    let longest = dest.join(&long_entry);
    assert!(longest.as_os_str().len() > 400, "{}", longest.display());
    let run = extract(&paths[0], &dest);
    assert_eq!(run.result.unwrap().bytes, 350_000);
    assert_eq!(tree(&dest), expected_tree(&files, &[]));
    assert_eq!(fs::read(&longest).unwrap(), files[0].1);
}

#[test]
fn old_style_volumes_rar_r00_r01_extract() {
    let data = noise(600_000, 5);
    let vols = volumes(Opts::rar4().stored(), &[("movie/intro.bik", data.clone())], 150_000);
    let tmp = tempfile::tempdir().unwrap();
    let paths = write_old_style(tmp.path(), "game", &vols);
    assert!(paths.len() >= 4);
    let sets = find_archives(tmp.path()).unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].first_volume, tmp.path().join("game.rar"));
    let dest = tmp.path().join("out");
    fs::create_dir(&dest).unwrap();
    let run = extract(&sets[0].first_volume, &dest);
    assert_eq!(run.result.unwrap().bytes, 600_000);
    assert_eq!(fs::read(dest.join("movie/intro.bik")).unwrap(), data);
}

#[test]
fn missing_volume_is_reported_by_name() {
    let files = vec![("a.bin", noise(500_000, 6))];
    let vols = volumes(Opts::rar5().stored(), &files, 100_000);
    let tmp = tempfile::tempdir().unwrap();
    let paths = write_parts(tmp.path(), "game", &vols, 2);
    fs::remove_file(&paths[2]).unwrap();
    let dest = tmp.path().join("out");
    fs::create_dir(&dest).unwrap();
    match extract(&paths[0], &dest).result {
        Err(UnpackError::MissingVolume { volume, .. }) => assert_eq!(volume, "game.part03.rar"),
        other => panic!("expected MissingVolume, got {other:?}"),
    }
    // Starting in the middle of a set is refused too.
    assert!(matches!(UnrarUnpacker::new().list(&paths[1]), Err(UnpackError::MissingVolume { .. })));
}

#[test]
fn password_protected_archives_are_refused_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, headers) in [false, true].into_iter().enumerate() {
        let mut b = builder(Opts::rar5()).password(Some(b"secret".to_vec())).header_encryption(headers);
        b.add_bytes(b"plain.txt".to_vec(), b"hello".to_vec(), None, None).unwrap();
        let arc = tmp.path().join(format!("locked{i}.rar"));
        fs::write(&arc, b.to_bytes().unwrap()).unwrap();
        let dest = tmp.path().join(format!("out{i}"));
        fs::create_dir(&dest).unwrap();
        let err = extract(&arc, &dest).result.unwrap_err();
        assert!(matches!(err, UnpackError::Encrypted { .. }), "{err:?}");
        assert!(err.to_string().contains("password"));
        assert!(tree(&dest).is_empty());
    }
}

/// Builds `AA/evil.txt`-style archives and patches the bytes into a hostile name.
fn hostile(opts: Opts, safe: &str, evil: &str) -> Vec<u8> {
    let files = vec![("first.txt", b"harmless".to_vec()), (safe, b"pwned".to_vec())];
    let mut bytes = archive(opts, &files, &[]);
    let n = if opts.version == rars::ArchiveVersion::Rar50 {
        patch_rar5_names(&mut bytes, safe.as_bytes(), evil.as_bytes())
    } else {
        patch_rar4_names(&mut bytes, safe.as_bytes(), evil.as_bytes())
    };
    assert_eq!(n, 1, "name not found in the archive");
    bytes
}

#[test]
fn dot_dot_entries_are_refused_and_nothing_is_written() {
    let cases = [
        (Opts::rar5(), "AA/evil.txt", "../evil.txt"),
        (Opts::rar5(), "b/BB/BB/BB/evil.txt", "a/../../../evil.txt"),
        (Opts::rar4(), "AA\\evil.txt", "..\\evil.txt"),
        (Opts::rar5(), "Xtmp/evil.txt", "/tmp/evil.txt"),
        (Opts::rar5(), "CC/evil.txt", "C:/evil.txt"),
    ];
    for (opts, safe, evil) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let arc = tmp.path().join("evil.rar");
        fs::write(&arc, hostile(opts, safe, evil)).unwrap();
        let dest = tmp.path().join("a/b/out");
        fs::create_dir_all(&dest).unwrap();
        if cfg!(windows) && evil.contains(':') {
            // UnRAR on Windows turns every ':' into '_' while reading the header (a drive
            // letter or an NTFS stream cannot come through): the entry lands inside.
            extract(&arc, &dest).result.unwrap();
            assert_eq!(fs::read(dest.join("C_/evil.txt")).unwrap(), b"pwned");
            assert!(!tmp.path().join("a/b/evil.txt").exists() && !tmp.path().join("evil.txt").exists());
            continue;
        }
        let err = extract(&arc, &dest).result.unwrap_err();
        assert!(matches!(err, UnpackError::UnsafeEntry { .. }), "{evil}: {err:?}");
        assert!(err.to_string().contains("evil.txt"), "{err}");
        // Checked before extraction: not even the harmless first entry was written.
        assert!(tree(&dest).is_empty(), "{evil}: {:?}", tree(&dest));
        let all = tree(tmp.path());
        assert!(!all.keys().any(|k| k.ends_with("evil.txt")), "{evil}: {all:?}");
        assert!(!Path::new("/tmp/evil.txt").exists());
        assert!(matches!(UnrarUnpacker::new().list(&arc), Err(UnpackError::UnsafeEntry { .. })));
    }
}

#[cfg(unix)]
#[test]
fn links_are_created_inside_and_refused_when_they_escape() {
    let tmp = tempfile::tempdir().unwrap();
    // Inside: created as a link, after the files.
    let mut b = builder(Opts::rar5());
    b.add_bytes(b"lib/libgame.so.1".to_vec(), b"elf".to_vec(), None, None).unwrap();
    b.add_unix_symlink(b"lib/libgame.so".to_vec(), b"libgame.so.1".to_vec(), false, None, None).unwrap();
    b.add_unix_symlink(b"bin/lib".to_vec(), b"../lib".to_vec(), true, None, None).unwrap();
    let arc = tmp.path().join("ok.rar");
    fs::write(&arc, b.to_bytes().unwrap()).unwrap();
    let dest = tmp.path().join("ok");
    fs::create_dir(&dest).unwrap();
    extract(&arc, &dest).result.unwrap();
    assert_eq!(fs::read_link(dest.join("lib/libgame.so")).unwrap(), Path::new("libgame.so.1"));
    assert_eq!(fs::read(dest.join("bin/lib/libgame.so")).unwrap(), b"elf");

    for target in ["../../outside", "/etc/passwd", "x/../../..", "..\\..\\x"] {
        let mut b = builder(Opts::rar5());
        b.add_bytes(b"a.txt".to_vec(), b"a".to_vec(), None, None).unwrap();
        b.add_unix_symlink(b"dir/link".to_vec(), target.as_bytes().to_vec(), false, None, None).unwrap();
        let arc = tmp.path().join("bad.rar");
        fs::write(&arc, b.to_bytes().unwrap()).unwrap();
        let dest = tmp.path().join("bad");
        let _ = fs::remove_dir_all(&dest);
        fs::create_dir(&dest).unwrap();
        let err = extract(&arc, &dest).result.unwrap_err();
        assert!(matches!(err, UnpackError::UnsafeEntry { .. }), "{target}: {err:?}");
        assert!(tree(&dest).is_empty());
    }
}

#[cfg(unix)]
#[test]
fn a_rar4_symlink_is_refused_because_its_target_cannot_be_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let mut b = builder(Opts::rar4());
    b.add_unix_symlink(b"link".to_vec(), b"/etc/passwd".to_vec(), false, None, None).unwrap();
    let arc = tmp.path().join("old.rar");
    fs::write(&arc, b.to_bytes().unwrap()).unwrap();
    let dest = tmp.path().join("out");
    fs::create_dir(&dest).unwrap();
    let err = extract(&arc, &dest).result.unwrap_err();
    assert!(matches!(err, UnpackError::InvalidEntry { .. }), "{err:?}");
    assert!(tree(&dest).is_empty());
}

#[test]
fn windows_device_names_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let bytes = archive(Opts::rar5(), &[("data/nul.txt", b"x".to_vec())], &[]);
    let arc = tmp.path().join("dev.rar");
    fs::write(&arc, bytes).unwrap();
    let dest = tmp.path().join("out");
    fs::create_dir(&dest).unwrap();
    let err = extract(&arc, &dest).result.unwrap_err();
    assert!(matches!(err, UnpackError::InvalidEntry { .. }), "{err:?}");
}

#[test]
fn truncated_archives_are_reported_as_corrupt() {
    let files = vec![("a.bin", noise(400_000, 7)), ("b.bin", noise(400_000, 8))];
    for opts in [Opts::rar5().stored(), Opts::rar5(), Opts::rar4(), Opts::rar5().solid()] {
        let full = archive(opts, &files, &[]);
        let mut cuts = vec![full.len() / 2, full.len() * 3 / 4, 20];
        if opts.version == rars::ArchiveVersion::Rar50 {
            // Exactly at a block boundary: only the 8-byte end-of-archive block is missing.
            // (RAR 4.x may legally omit that block, so there this cut is undetectable.)
            cuts.push(full.len() - 8);
        }
        for cut in cuts {
            let tmp = tempfile::tempdir().unwrap();
            let arc = tmp.path().join("cut.rar");
            fs::write(&arc, &full[..cut]).unwrap();
            let dest = tmp.path().join("out");
            fs::create_dir(&dest).unwrap();
            let err = match extract(&arc, &dest).result {
                Err(e) => e,
                Ok(s) => panic!(
                    "cut at {cut} of {}: extracted {s:?} {:?}",
                    full.len(),
                    tree(&dest).keys().collect::<Vec<_>>()
                ),
            };
            assert!(matches!(err, UnpackError::Corrupt { .. }), "cut at {cut}: {err:?}");
            assert!(err.to_string().contains("download the game again"), "{err}");
        }
    }
}

#[test]
fn damaged_data_is_reported_as_corrupt() {
    let files = vec![("a.bin", noise(200_000, 9))];
    let mut bytes = archive(Opts::rar5().stored(), &files, &[]);
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    let tmp = tempfile::tempdir().unwrap();
    let arc = tmp.path().join("bad.rar");
    fs::write(&arc, bytes).unwrap();
    let dest = tmp.path().join("out");
    fs::create_dir(&dest).unwrap();
    let err = extract(&arc, &dest).result.unwrap_err();
    assert!(matches!(err, UnpackError::Corrupt { .. }), "{err:?}");
}

#[test]
fn not_an_archive_is_reported_as_corrupt_and_a_missing_file_as_io() {
    let tmp = tempfile::tempdir().unwrap();
    let arc = tmp.path().join("fake.rar");
    fs::write(&arc, text(10_000, "not a rar ")).unwrap();
    assert!(matches!(UnrarUnpacker::new().list(&arc), Err(UnpackError::Corrupt { .. })));
    match UnrarUnpacker::new().list(&tmp.path().join("nope.rar")) {
        Err(UnpackError::Io { error: source, .. }) => {
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cancellation_stops_extraction() {
    let files = vec![("a.bin", noise(2_000_000, 10)), ("b.bin", noise(2_000_000, 11))];
    let bytes = archive(Opts::rar5().stored(), &files, &[]);
    let tmp = tempfile::tempdir().unwrap();
    let arc = tmp.path().join("big.rar");
    fs::write(&arc, bytes).unwrap();
    let dest = tmp.path().join("out");
    fs::create_dir(&dest).unwrap();
    let cancel = AtomicBool::new(false);
    let mut seen = 0;
    let result = UnrarUnpacker::new().extract(
        &arc,
        &dest,
        &mut |b| {
            seen = b;
            if b > 500_000 {
                cancel.store(true, Ordering::Relaxed);
            }
        },
        &cancel,
    );
    assert!(matches!(result, Err(UnpackError::Cancelled)), "{result:?}");
    assert!(seen < 4_000_000);
    assert!(!dest.join("b.bin").exists());
}

#[test]
fn later_entries_replace_earlier_ones_and_files_never_go_through_links() {
    // Two archives into one directory: the second overwrites a file of the first.
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("1.rar");
    let two = tmp.path().join("2.rar");
    fs::write(&one, archive(Opts::rar5(), &[("a/x.txt", b"old".to_vec())], &[])).unwrap();
    fs::write(&two, archive(Opts::rar5(), &[("a/x.txt", b"new!".to_vec())], &[])).unwrap();
    let dest = tmp.path().join("out");
    fs::create_dir(&dest).unwrap();
    extract(&one, &dest).result.unwrap();
    extract(&two, &dest).result.unwrap();
    assert_eq!(fs::read(dest.join("a/x.txt")).unwrap(), b"new!");

    #[cfg(unix)]
    {
        // A link already in the target is never written through.
        let outside = tmp.path().join("outside");
        fs::create_dir(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, dest.join("b")).unwrap();
        let three = tmp.path().join("3.rar");
        fs::write(&three, archive(Opts::rar5(), &[("b/y.txt", b"y".to_vec())], &[])).unwrap();
        let err = extract(&three, &dest).result.unwrap_err();
        assert!(matches!(err, UnpackError::UnsafeEntry { .. }), "{err:?}");
        assert!(!outside.join("y.txt").exists());
        // And a link at a file's own path is replaced, not followed.
        std::os::unix::fs::symlink(outside.join("z.txt"), dest.join("z.txt")).unwrap();
        let four = tmp.path().join("4.rar");
        fs::write(&four, archive(Opts::rar5(), &[("z.txt", b"z".to_vec())], &[])).unwrap();
        extract(&four, &dest).result.unwrap();
        assert!(!outside.join("z.txt").exists());
        assert_eq!(fs::read(dest.join("z.txt")).unwrap(), b"z");
    }
}

/// A RAR5 file-copy (`redirection_type` 5) or hard-link (4) entry named `name`, pointing at the
/// earlier entry `target`, whose header states `stated_size` bytes. `rars` has no builder call
/// for these, and its member types are non-exhaustive: a symlink member is read back from a
/// real archive and turned into one.
fn copy_entry(name: &str, target: &str, kind: u64, stated_size: u64) -> rars::ArchiveMember {
    let mut b = builder(Opts::rar5());
    b.add_unix_symlink(name.as_bytes().to_vec(), target.as_bytes().to_vec(), false, None, None).unwrap();
    let archive = rars::ArchiveReader::read_owned(b.to_bytes().unwrap()).unwrap();
    let mut member = archive.members().next().unwrap();
    member.meta.file_attr = 0o100_644;
    member.meta.unpacked_size = stated_size;
    let rars::ArchiveMemberDetail::Rar50Plus { redirection: Some(link), .. } = &mut member.detail else {
        panic!("a RAR5 symlink member carries a redirection");
    };
    link.redirection_type = kind;
    link.flags = 0;
    member
}

#[test]
fn copy_and_hard_link_entries_count_in_the_space_preflight_and_extract_as_copies() {
    let tmp = tempfile::tempdir().unwrap();
    let data = noise(200_000, 9);
    for (kind, stated) in [(5, 200_000), (4, 200_000)] {
        let mut b = builder(Opts::rar5());
        b.add_bytes(b"data/big.pak".to_vec(), data.clone(), None, None).unwrap();
        b.add_archive_redirection(&copy_entry("data/copy.pak", "data/big.pak", kind, stated)).unwrap();
        let arc = tmp.path().join(format!("copy-{kind}-{stated}.rar"));
        fs::write(&arc, b.to_bytes().unwrap()).unwrap();
        // The listing (which the install's free-space check sums) counts the copy in full,
        // whatever size its header states.
        let listing = UnrarUnpacker::new().list(&arc).unwrap();
        assert_eq!(listing.unpacked_bytes, 400_000, "kind {kind}, stated {stated}: {listing:?}");
        let copy = listing.entries.iter().find(|e| e.path == "data/copy.pak").unwrap();
        assert_eq!(copy.size, 200_000);
        let dest = tmp.path().join(format!("out-{kind}-{stated}"));
        fs::create_dir(&dest).unwrap();
        extract(&arc, &dest).result.unwrap();
        assert_eq!(fs::read(dest.join("data/copy.pak")).unwrap(), data, "kind {kind}");
        assert_eq!(fs::read(dest.join("data/big.pak")).unwrap(), data);
    }
}
