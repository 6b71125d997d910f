use std::{fs, sync::atomic::AtomicBool};

use lanspread_proto::{Catalog, ChunkHash, GameId, chunk::chunk_count};

use super::{hashes::*, *};

fn catalog() -> Catalog {
    let entry = |id: &str| {
        format!(
            r#"{{"id":"{id}","name":"{id}","description":"","genre":"","max_players":2,"release_year":2000,"size_bytes":0,"art":null}}"#
        )
    };
    Catalog::from_json(format!("[{},{},{}]", entry("alpha"), entry("bravo"), entry("charlie")).as_bytes())
        .unwrap()
}

fn write(path: &Path, data: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, data).unwrap();
}

#[test]
fn scan_gates_by_catalog_and_reads_states() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path();
    write(&g.join("alpha/version.ini"), b"20250101\n");
    write(&g.join("alpha/alpha.rar"), b"data");
    write(&g.join("alpha/sub/x.bin"), b"12345");
    fs::create_dir_all(g.join("alpha/local/bin")).unwrap();
    write(&g.join("alpha/local/bin/game.exe"), b"exe");
    write(&g.join("alpha/.lanspread.json"), b"{}");
    write(&g.join("alpha/.version.ini.tmp"), b"x");
    fs::create_dir_all(g.join("alpha/.local.installing")).unwrap();
    fs::create_dir_all(g.join("alpha/emptydir")).unwrap();
    write(&g.join("bravo/bravo.rar"), b"partial");
    write(&g.join("notincatalog/version.ini"), b"1");
    write(&g.join("charlie/version.ini"), b"bad version!");
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", g.join("alpha/escape")).unwrap();

    let lib = scan_local_library(g, &catalog(), &mut ScanCache::default()).unwrap();
    assert_eq!(lib.games.keys().map(GameId::as_str).collect::<Vec<_>>(), ["alpha", "bravo", "charlie"]);

    let a = &lib.games[&GameId::new("alpha").unwrap()];
    assert_eq!(a.version.as_ref().unwrap().as_str(), "20250101");
    assert!(a.installed);
    let paths: Vec<&str> = a.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["alpha.rar", "sub/x.bin", "version.ini"],
        "reserved names, local/ and symlinks excluded"
    );
    assert_eq!(a.empty_dirs.iter().map(|d| d.as_str()).collect::<Vec<_>>(), ["emptydir"]);
    assert_eq!(a.payload_bytes(), 4 + 5 + 9);
    #[cfg(unix)]
    assert_eq!(a.skipped, ["escape"]);

    let b = &lib.games[&GameId::new("bravo").unwrap()];
    assert!(!b.downloaded() && !b.installed);

    let c = &lib.games[&GameId::new("charlie").unwrap()];
    assert!(c.version.is_none());
    assert!(c.version_error.as_deref().unwrap().contains("may only contain"));

    let snap = lib.snapshot(3, &HashMap::new());
    assert_eq!(snap.games.len(), 1, "only completely downloaded games are announced");
    assert_eq!(snap.games[0].size_bytes, 18);
}

/// The install record names the installed version; records from before versions were recorded
/// (and installs without a record) load as "unknown", and a changed record is re-read.
#[test]
fn installed_version_comes_from_the_install_record() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("alpha");
    write(&root.join("version.ini"), b"2\n");
    let id: GameId = "alpha".parse().unwrap();
    let mut cache = ScanCache::default();
    assert_eq!(scan_game(&root, &id, &mut cache).unwrap().installed_version, None, "not installed");
    fs::create_dir_all(root.join("local")).unwrap();
    assert_eq!(scan_game(&root, &id, &mut cache).unwrap().installed_version, Some(InstalledVersion::Unknown));
    let legacy = br#"{"format":1,"files":{"a.bin":{"size":1,"mtime_ns":5}}}"#;
    write(&root.join(install::RECORD), legacy);
    assert_eq!(scan_game(&root, &id, &mut cache).unwrap().installed_version, Some(InstalledVersion::Unknown));
    write(
        &root.join(install::RECORD),
        br#"{"format":1,"version":"1","files":{"a.bin":{"size":1,"mtime_ns":5}}}"#,
    );
    let game = scan_game(&root, &id, &mut cache).unwrap();
    assert_eq!(game.installed_version, Some(InstalledVersion::Known("1".parse().unwrap())));
    assert_eq!(game.version, Some("2".parse().unwrap()), "the payload's version is another thing");
    write(&root.join(install::RECORD), br#"{"format":1,"version":"2","files":{}}"#);
    let game = scan_game(&root, &id, &mut cache).unwrap();
    assert_eq!(game.installed_version, Some(InstalledVersion::Known("2".parse().unwrap())), "re-read");
    write(&root.join(install::RECORD), b"garbage");
    assert_eq!(scan_game(&root, &id, &mut cache).unwrap().installed_version, Some(InstalledVersion::Unknown));
}

#[test]
fn manifest_uses_the_hash_cache_for_unchanged_files() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path().join("alpha");
    let big: Vec<u8> = (0..(2 * (1 << 20) + 77)).map(|i| (i % 251) as u8).collect();
    write(&root.join("version.ini"), b"7\n");
    write(&root.join("data.bin"), &big);
    let id = GameId::new("alpha").unwrap();
    let mut cache = ScanCache::default();
    let game = scan_game(&root, &id, &mut cache).unwrap();
    let index = HashIndex::new(state.path(), dir.path());
    let cancel = AtomicBool::new(false);

    let mut hashed = 0;
    let m = build_manifest(&game, &index, &cancel, &mut |h, _| hashed = h).unwrap();
    m.validate().unwrap();
    assert_eq!(hashed, big.len() as u64 + 2);
    let f = m.file(&lanspread_proto::RelPath::new("data.bin").unwrap()).unwrap();
    assert_eq!(f.chunks.len() as u64, chunk_count(big.len() as u64, m.chunk_size));
    assert_eq!(f.chunks[0], ChunkHash::of(&big[..1 << 20]));
    assert_eq!(f.chunks[2], ChunkHash::of(&big[2 << 20..]));

    // Unchanged: nothing is hashed again, same manifest.
    let mut hashed_again = 0;
    let m2 = build_manifest(&game, &index, &cancel, &mut |h, _| hashed_again = h).unwrap();
    assert_eq!(hashed_again, 0);
    assert_eq!(m2, m);

    // A changed file is re-hashed (size changes the key).
    write(&root.join("data.bin"), b"short");
    let game = scan_game(&root, &id, &mut cache).unwrap();
    let mut rehashed = 0;
    let m3 = build_manifest(&game, &index, &cancel, &mut |h, _| rehashed = h).unwrap();
    assert_eq!(rehashed, 5);
    assert_ne!(m3.digest(), m.digest());
}

#[test]
fn damaged_hash_cache_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path().join("alpha");
    write(&root.join("version.ini"), b"7\n");
    let id = GameId::new("alpha").unwrap();
    let game = scan_game(&root, &id, &mut ScanCache::default()).unwrap();
    let index = HashIndex::new(state.path(), dir.path());
    let cancel = AtomicBool::new(false);
    let m = build_manifest(&game, &index, &cancel, &mut |_, _| {}).unwrap();
    let idx_dir = fs::read_dir(state.path().join("index")).unwrap().next().unwrap().unwrap().path();
    let good = fs::read(idx_dir.join("alpha.json")).unwrap();
    // The cache is written without fsync: after a power cut it may be empty or cut short.
    for damaged in [&b"{not json"[..], &b""[..], &good[..good.len() / 2]] {
        fs::write(idx_dir.join("alpha.json"), damaged).unwrap();
        let mut hashed = 0;
        assert_eq!(build_manifest(&game, &index, &cancel, &mut |h, _| hashed = h).unwrap(), m);
        assert_eq!(hashed, 2, "re-hashed from the file, not taken from {damaged:?}");
        assert_eq!(fs::read(idx_dir.join("alpha.json")).unwrap(), good, "and stored again");
    }
    let leftovers: Vec<_> = fs::read_dir(&idx_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("alpha.json")], "no temporary files left");
}

/// Found by the `hash_index` fuzz target: a cache entry with the right size and mtime but the
/// wrong number of hashes went into the manifest as is, and peers refuse such a manifest.
#[test]
fn hash_cache_entry_with_wrong_chunk_count_is_rehashed() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path().join("alpha");
    write(&root.join("version.ini"), b"7\n");
    let id = GameId::new("alpha").unwrap();
    let game = scan_game(&root, &id, &mut ScanCache::default()).unwrap();
    let index = HashIndex::new(state.path(), dir.path());
    let cancel = AtomicBool::new(false);
    let m = build_manifest(&game, &index, &cancel, &mut |_, _| {}).unwrap();
    let mut cache = index.load(&id);
    cache.files.get_mut("version.ini").unwrap().chunks.push(ChunkHash([7; 32]));
    index.store(&id, &cache).unwrap();
    let mut hashed = 0;
    let again = build_manifest(&game, &index, &cancel, &mut |h, _| hashed = h).unwrap();
    again.validate().unwrap();
    assert_eq!(again, m);
    assert_eq!(hashed, 2, "the damaged entry is re-hashed");
}
