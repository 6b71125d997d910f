//! Tests of the transaction engine with a fake unpacker (fast, deterministic), including a
//! model-based test that injects crashes at every step. Real RAR archives are exercised in
//! `tests/install_*.rs`.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::Path,
    sync::atomic::{AtomicBool, AtomicUsize, Ordering},
    time::{Duration, SystemTime},
};

use lanspread_unpack::{ArchiveEntry, ArchiveListing, ExtractSummary, UnpackError, Unpacker};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::*;

// ---------------------------------------------------------------------------------------------
// A fake unpacker: a "*.rar" file is JSON naming the files it contains.

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct FakeArchive {
    /// Modification time of every file, seconds since the epoch.
    mtime: u64,
    files: Vec<(String, String)>,
    /// Fail with `Corrupt` after writing this many files.
    #[serde(default)]
    fail_after: Option<usize>,
}

struct FakeUnpacker {
    /// Raised by `extract` after this many files (to test cancellation).
    cancel_after: Option<(usize, &'static AtomicBool)>,
}

const FAKE: FakeUnpacker = FakeUnpacker { cancel_after: None };

fn read_fake(path: &Path) -> Result<FakeArchive, UnpackError> {
    let bytes =
        fs::read(path).map_err(|source| UnpackError::Io { op: "open", path: path.into(), error: source })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| UnpackError::Corrupt { archive: path.into(), detail: e.to_string() })
}

impl Unpacker for FakeUnpacker {
    fn list(&self, first_volume: &Path) -> Result<ArchiveListing, UnpackError> {
        let archive = read_fake(first_volume)?;
        let entries: Vec<ArchiveEntry> = archive
            .files
            .iter()
            .map(|(p, c)| ArchiveEntry { path: p.clone(), size: c.len() as u64, is_dir: false })
            .collect();
        Ok(ArchiveListing { unpacked_bytes: entries.iter().map(|e| e.size).sum(), entries })
    }

    fn digests(
        &self,
        first_volume: &Path,
        _progress: &mut dyn FnMut(u64),
        _cancel: &AtomicBool,
    ) -> Result<std::collections::BTreeMap<String, lanspread_unpack::FileDigest>, UnpackError> {
        let archive = read_fake(first_volume)?;
        Ok(archive
            .files
            .iter()
            .map(|(p, c)| {
                let d = lanspread_unpack::FileDigest {
                    size: c.len() as u64,
                    blake3: *blake3::hash(c.as_bytes()).as_bytes(),
                };
                (p.clone(), d)
            })
            .collect())
    }

    fn extract(
        &self,
        first_volume: &Path,
        dest: &Path,
        progress: &mut dyn FnMut(u64),
        cancel: &AtomicBool,
    ) -> Result<ExtractSummary, UnpackError> {
        self.extract_only(first_volume, dest, &|_| true, progress, cancel)
    }

    fn extract_only(
        &self,
        first_volume: &Path,
        dest: &Path,
        wanted: &dyn Fn(&str) -> bool,
        progress: &mut dyn FnMut(u64),
        cancel: &AtomicBool,
    ) -> Result<ExtractSummary, UnpackError> {
        let archive = read_fake(first_volume)?;
        let mut summary = ExtractSummary::default();
        for (i, (path, content)) in archive.files.iter().enumerate() {
            if !wanted(path) {
                continue;
            }
            if cancel.load(Ordering::Relaxed) {
                return Err(UnpackError::Cancelled);
            }
            if archive.fail_after == Some(i) {
                return Err(UnpackError::Corrupt { archive: first_volume.into(), detail: "bad data".into() });
            }
            if let Some((n, flag)) = self.cancel_after
                && i == n
            {
                flag.store(true, Ordering::Relaxed);
            }
            let to = dest.join(path);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            let _ = fs::remove_file(&to);
            let file = fs::File::create(&to).unwrap();
            use std::io::Write as _;
            (&file).write_all(content.as_bytes()).unwrap();
            file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(archive.mtime)).unwrap();
            summary.files += 1;
            summary.bytes += content.len() as u64;
            progress(summary.bytes);
        }
        Ok(summary)
    }
}

fn write_fake(root: &Path, name: &str, mtime: u64, files: &[(&str, &str)]) {
    let archive = FakeArchive {
        mtime,
        files: files.iter().map(|(p, c)| (p.to_string(), c.to_string())).collect(),
        fail_after: None,
    };
    fs::write(root.join(name), serde_json::to_vec(&archive).unwrap()).unwrap();
}

/// Files (and links, as `-> target`) under `dir`, `/`-separated.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for entry in fsops::walk(dir, &|_| false).unwrap() {
        let path = entry.under(dir);
        match entry.kind {
            fsops::Kind::File => {
                out.insert(entry.slash(), fs::read(&path).unwrap());
            }
            fsops::Kind::Symlink => {
                out.insert(entry.slash(), format!("-> {}", fs::read_link(&path).unwrap().display()).into());
            }
            _ => {}
        }
    }
    out
}

fn game_root() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("quake");
    fs::create_dir(&root).unwrap();
    fs::write(root.join("version.ini"), "1\n").unwrap();
    fs::write(root.join("readme.nfo"), "greetings").unwrap();
    (dir, root)
}

fn install(root: &Path) -> Result<InstallReport, InstallError> {
    install_game(root, &FAKE, &mut |_| {}, &AtomicBool::new(false))
}

/// Nothing transient is left in `root`.
fn assert_clean(root: &Path) {
    for name in [STAGING, BACKUP, REMOVING, INTENT, INTENT_TMP, RECORD_NEXT, RECORD_TMP] {
        assert!(!root.join(name).exists(), "{name} left behind in {}", root.display());
    }
    assert!(!root.join(LOCAL).join(MARKER).exists(), "marker left in local/");
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    pairs.iter().map(|(p, c)| (p.to_string(), c.as_bytes().to_vec())).collect()
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

#[test]
fn install_then_uninstall_round_trip() {
    let (_dir, root) = game_root();
    write_fake(&root, "quake.rar", 1_000_000_000, &[("bin/quake.exe", "exe1"), ("id1/pak0.pak", "pak")]);
    let mut phases = Vec::new();
    let report = install_game(&root, &FAKE, &mut |p| phases.push(p), &AtomicBool::new(false)).unwrap();
    assert_eq!(report, InstallReport { update: false, carried_over: vec![], bytes: 7, files: 2 });
    assert_eq!(files(&root.join(LOCAL)), map(&[("bin/quake.exe", "exe1"), ("id1/pak0.pak", "pak")]));
    assert_eq!(phases.first().map(|p| p.phase), Some(InstallPhase::Preparing));
    assert!(phases.iter().any(|p| p.phase == InstallPhase::Extracting && p.bytes_done == 7));
    assert_eq!(
        phases.last().map(|p| (p.phase, p.bytes_done, p.total_bytes)),
        Some((InstallPhase::Committing, 7, 7))
    );
    assert_clean(&root);
    // The record names the version the install holds.
    let record = fs::read(root.join(RECORD)).unwrap();
    assert_eq!(recorded_version(&record), Some(InstalledVersion::Known("1".parse().unwrap())));
    // The payload next to the archive stays where it is and is not copied.
    assert_eq!(fs::read(root.join("readme.nfo")).unwrap(), b"greetings");

    uninstall_game(&root).unwrap();
    assert!(!root.join(LOCAL).exists());
    assert!(!root.join(RECORD).exists());
    assert_clean(&root);
    assert!(root.join("quake.rar").is_file() && root.join("version.ini").is_file());
    assert!(matches!(uninstall_game(&root), Err(InstallError::NotInstalled)));
}

#[test]
fn update_carries_user_data_and_drops_unmodified_old_game_files() {
    let (_dir, root) = game_root();
    write_fake(
        &root,
        "quake.rar",
        1_000_000_000,
        &[("bin/quake.exe", "v1"), ("bin/old.dll", "old"), ("cfg/default.cfg", "d1"), ("cfg/gone.cfg", "g1")],
    );
    install(&root).unwrap();
    let local = root.join(LOCAL);
    fs::create_dir_all(local.join("Save")).unwrap();
    fs::write(local.join("Save/slot1.sav"), "progress").unwrap();
    fs::write(local.join("cfg/default.cfg"), "user edit of a shipped file").unwrap();
    fs::write(local.join("cfg/gone.cfg"), "user edit of a file v2 drops").unwrap();

    write_fake(
        &root,
        "quake.rar",
        1_100_000_000,
        &[
            ("bin/quake.exe", "v2"),
            ("bin/new.dll", "new"),
            ("cfg/default.cfg", "d2"),
            ("save/readme.txt", "r"),
        ],
    );
    let report = install(&root).unwrap();
    assert!(report.update);
    assert_eq!(report.carried_over, vec!["Save/slot1.sav".to_string(), "cfg/gone.cfg".to_string()]);
    // Windows file names ignore case: the carried save lands in the new version's `save/`.
    let save = if cfg!(windows) { "save/slot1.sav" } else { "Save/slot1.sav" };
    assert_eq!(
        files(&local),
        map(&[
            (save, "progress"),
            ("bin/new.dll", "new"),
            ("bin/quake.exe", "v2"),
            ("cfg/default.cfg", "d2"),
            ("cfg/gone.cfg", "user edit of a file v2 drops"),
            ("save/readme.txt", "r"),
        ])
    );
    assert_clean(&root);
}

#[test]
fn without_a_record_every_file_the_new_version_lacks_is_kept() {
    let (_dir, root) = game_root();
    write_fake(&root, "a.rar", 1_000_000_000, &[("old.dll", "old"), ("game.exe", "v1")]);
    install(&root).unwrap();
    fs::remove_file(root.join(RECORD)).unwrap();
    write_fake(&root, "a.rar", 1_100_000_000, &[("game.exe", "v2")]);
    let report = install(&root).unwrap();
    assert_eq!(report.carried_over, vec!["old.dll".to_string()]);
    assert_eq!(files(&root.join(LOCAL)), map(&[("game.exe", "v2"), ("old.dll", "old")]));
}

#[test]
fn a_new_file_where_user_data_needs_a_directory_wins() {
    let (_dir, root) = game_root();
    write_fake(&root, "a.rar", 1_000_000_000, &[("game.exe", "v1")]);
    install(&root).unwrap();
    fs::create_dir_all(root.join("local/data")).unwrap();
    fs::write(root.join("local/data/user.txt"), "u").unwrap();
    write_fake(&root, "a.rar", 1_100_000_000, &[("game.exe", "v2"), ("DATA", "a file now")]);
    let report = install(&root).unwrap();
    assert!(report.carried_over.is_empty(), "{:?}", report.carried_over);
    assert_eq!(files(&root.join(LOCAL)), map(&[("DATA", "a file now"), ("game.exe", "v2")]));
}

#[test]
fn archives_are_extracted_in_name_order_later_ones_win() {
    let (_dir, root) = game_root();
    write_fake(&root, "b-patch.rar", 1, &[("game.exe", "patched")]);
    write_fake(&root, "a-game.rar", 1, &[("game.exe", "original"), ("data.pak", "d")]);
    let report = install(&root).unwrap();
    assert_eq!(files(&root.join(LOCAL)), map(&[("data.pak", "d"), ("game.exe", "patched")]));
    assert_eq!(report.files, 2);
}

#[test]
fn a_game_without_archives_installs_by_copying_its_payload() {
    let (_dir, root) = game_root();
    fs::create_dir_all(root.join("maps/ctf")).unwrap();
    fs::write(root.join("maps/ctf/1.bsp"), "map").unwrap();
    fs::create_dir(root.join(".lanspread")).unwrap();
    fs::write(root.join(".lanspread/state"), "download state").unwrap();
    fs::write(root.join(".version.ini.tmp"), "x").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc", root.join("etc-link")).unwrap();
    let report = install(&root).unwrap();
    assert_eq!(files(&root.join(LOCAL)), map(&[("maps/ctf/1.bsp", "map"), ("readme.nfo", "greetings")]));
    assert_eq!(report.bytes, 12);
    // The payload is copied, not linked: changing the install leaves the served files intact.
    fs::write(root.join("local/maps/ctf/1.bsp"), "modded").unwrap();
    assert_eq!(fs::read(root.join("maps/ctf/1.bsp")).unwrap(), b"map");
}

/// A game folder nested past Windows' 260-character limit installs (space check, staging,
/// commit), updates and uninstalls; on Windows this runs under Wine in CI.
#[test]
fn paths_longer_than_260_characters_install_update_and_uninstall() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("g".repeat(120)).join("h".repeat(120));
    fs::create_dir_all(&root).unwrap();
    fs::write(root.join("version.ini"), "1\n").unwrap();
    let deep = format!("{}/{}/pak0.pak", "m".repeat(90), "n".repeat(90));
    write_fake(&root, "game.rar", 1, &[(deep.as_str(), "pak"), ("game.exe", "exe1")]);
    assert!(root.join(LOCAL).join(&deep).as_os_str().len() > 400);
    assert!(available_space(&root).unwrap() > 0);
    install(&root).unwrap();
    assert_eq!(files(&root.join(LOCAL)), map(&[(deep.as_str(), "pak"), ("game.exe", "exe1")]));
    fs::write(root.join("version.ini"), "2\n").unwrap();
    write_fake(&root, "game.rar", 2, &[(deep.as_str(), "pak2"), ("game.exe", "exe2")]);
    assert!(install(&root).unwrap().update);
    assert_eq!(files(&root.join(LOCAL)), map(&[(deep.as_str(), "pak2"), ("game.exe", "exe2")]));
    assert_clean(&root);
    uninstall_game(&root).unwrap();
    assert!(!root.join(LOCAL).exists());
    assert_clean(&root);
}

#[test]
fn not_downloaded_and_missing_roots_are_refused() {
    let (dir, root) = game_root();
    fs::remove_file(root.join("version.ini")).unwrap();
    assert!(matches!(install(&root), Err(InstallError::NotDownloaded)));
    assert!(matches!(install(&dir.path().join("nope")), Err(InstallError::Io { .. })));
    assert!(matches!(uninstall_game(&root), Err(InstallError::NotInstalled)));
    assert!(recover_game(&root).unwrap().actions.is_empty());
    assert!(!root.join(LOCK).exists(), "a clean root must not even get a lock file");
}

#[test]
fn insufficient_space_is_refused_before_anything_is_written() {
    let (_dir, root) = game_root();
    write_fake(&root, "a.rar", 1, &[("big.bin", "0123456789")]);
    let mut ctx = Ctx::new(&root);
    ctx.free_space = |_| Ok(1000);
    let err = txn::install(&mut ctx, &FAKE, &mut |_| {}, &AtomicBool::new(false)).unwrap_err();
    let Fail::Error(err) = err else { panic!("crash") };
    match &err {
        InstallError::InsufficientSpace { needed, available, .. } => {
            assert_eq!((*needed, *available), (10 + txn::SPACE_HEADROOM, 1000));
        }
        other => panic!("{other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains(&(10 + txn::SPACE_HEADROOM).to_string()) && msg.contains("1000"), "{msg}");
    assert!(!root.join(LOCAL).exists() && !root.join(INTENT).exists() && !root.join(STAGING).exists());
}

#[test]
fn a_broken_archive_during_an_update_keeps_the_old_install() {
    let (_dir, root) = game_root();
    write_fake(&root, "a.rar", 1, &[("game.exe", "v1")]);
    install(&root).unwrap();
    fs::write(root.join("local/save.sav"), "s").unwrap();
    let broken = FakeArchive {
        mtime: 2,
        files: vec![("game.exe".into(), "v2".into()), ("more".into(), "m".into())],
        fail_after: Some(1),
    };
    fs::write(root.join("a.rar"), serde_json::to_vec(&broken).unwrap()).unwrap();
    let err = install(&root).unwrap_err();
    assert!(matches!(err, InstallError::Unpack(UnpackError::Corrupt { .. })), "{err:?}");
    assert_eq!(files(&root.join(LOCAL)), map(&[("game.exe", "v1"), ("save.sav", "s")]));
    assert_clean(&root);
}

#[test]
fn cancelling_an_update_keeps_the_old_install() {
    static CANCEL: AtomicBool = AtomicBool::new(false);
    let (_dir, root) = game_root();
    write_fake(&root, "a.rar", 1, &[("game.exe", "v1")]);
    install(&root).unwrap();
    write_fake(&root, "a.rar", 2, &[("game.exe", "v2"), ("b", "b"), ("c", "c")]);
    let unpacker = FakeUnpacker { cancel_after: Some((1, &CANCEL)) };
    let err = install_game(&root, &unpacker, &mut |_| {}, &CANCEL).unwrap_err();
    assert!(matches!(err, InstallError::Cancelled), "{err:?}");
    assert_eq!(files(&root.join(LOCAL)), map(&[("game.exe", "v1")]));
    assert_clean(&root);
}

#[test]
fn unowned_reserved_directories_are_left_alone_and_block_installs() {
    let (_dir, root) = game_root();
    write_fake(&root, "a.rar", 1, &[("game.exe", "v1")]);
    fs::create_dir(root.join(STAGING)).unwrap();
    fs::write(root.join(STAGING).join("mine.txt"), "user file").unwrap();
    let report = recover_game(&root).unwrap();
    assert!(report.actions.iter().any(|a| a.contains("left")), "{report:?}");
    assert!(root.join(STAGING).join("mine.txt").exists());
    assert!(matches!(install(&root), Err(InstallError::NotOwned { .. })));
    assert!(root.join(STAGING).join("mine.txt").exists());
}

#[test]
fn a_damaged_log_falls_back_to_the_markers() {
    let (_dir, root) = game_root();
    write_fake(&root, "a.rar", 1, &[("game.exe", "v1")]);
    install(&root).unwrap();
    // As if an update crashed mid-swap and the log was then damaged: local/ is in the
    // marked backup, a marked staging tree is half-written.
    fs::rename(root.join(LOCAL), root.join(BACKUP)).unwrap();
    fs::write(root.join(BACKUP).join(MARKER), "").unwrap();
    fs::create_dir(root.join(STAGING)).unwrap();
    fs::write(root.join(STAGING).join(MARKER), "").unwrap();
    fs::write(root.join(INTENT), "{garbage").unwrap();
    let report = recover_game(&root).unwrap();
    assert!(report.actions.iter().any(|a| a.contains("damaged")), "{report:?}");
    assert_eq!(files(&root.join(LOCAL)), map(&[("game.exe", "v1")]));
    assert_clean(&root);
}

#[test]
fn another_process_holding_the_lock_makes_operations_busy() {
    let (_dir, root) = game_root();
    write_fake(&root, "a.rar", 1, &[("game.exe", "v1")]);
    let held = txn::lock_root(&root).unwrap();
    assert!(matches!(install(&root), Err(InstallError::Busy { .. })));
    fs::write(root.join(INTENT), "{}").unwrap();
    assert!(matches!(recover_game(&root), Err(InstallError::Busy { .. })));
    drop(held);
    fs::remove_file(root.join(INTENT)).unwrap();
    install(&root).unwrap();
}

#[test]
fn recover_all_reports_only_roots_with_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        let root = dir.path().join(name);
        fs::create_dir(&root).unwrap();
        fs::write(root.join("version.ini"), "1").unwrap();
    }
    let b = dir.path().join("b");
    fs::create_dir(b.join(STAGING)).unwrap();
    fs::write(b.join(STAGING).join(MARKER), "").unwrap();
    let done = recover_all(dir.path()).unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].0, b);
    assert!(!b.join(STAGING).exists());
}

// ---------------------------------------------------------------------------------------------
// Model-based test: random operation sequences with crashes injected at random steps.

/// One fake archive: (name, mtime, files).
type FakeSpec = (&'static str, u64, Vec<(&'static str, &'static str)>);

/// Versions of the game: (archive name, mtime, files). Paths are lowercase so the model need
/// not fold case (the case rule has its own test above).
fn version_archives(v: usize) -> Vec<FakeSpec> {
    match v {
        0 => vec![(
            "game.rar",
            1_000_000_000,
            vec![
                ("bin/game.exe", "exe-1"),
                ("data/a.pak", "a"),
                ("data/b.pak", "b-1"),
                ("cfg/default.cfg", "cfg-1"),
            ],
        )],
        1 => vec![
            (
                "game.rar",
                1_100_000_000,
                vec![("bin/game.exe", "exe-2"), ("data/a.pak", "a"), ("data/c.pak", "c-2")],
            ),
            ("patch.rar", 1_100_000_500, vec![("bin/game.exe", "exe-2p"), ("cfg/default.cfg", "cfg-2")]),
        ],
        _ => vec![(
            "game.rar",
            1_200_000_000,
            vec![("bin/game.exe", "exe-3"), ("data/b.pak", "b-3"), ("extra/d.bin", "d-3")],
        )],
    }
}

fn version_files(v: usize) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for (_, _, files) in version_archives(v) {
        for (p, c) in files {
            out.insert(p.to_string(), c.as_bytes().to_vec());
        }
    }
    out
}

const USER_PATHS: [&str; 5] =
    ["save/slot1.sav", "save/slot2.sav", "cfg/user.cfg", "cfg/default.cfg", "data/b.pak"];

#[derive(Debug, Clone)]
enum ModelOp {
    /// A new version's payload arrives (a download; not a transaction).
    Download(usize),
    /// Install or update, crashing at step `crash` (if it gets that far), and then crashing
    /// the first recovery at step `recovery_crash`.
    Install {
        crash: Option<usize>,
        recovery_crash: Option<usize>,
    },
    Uninstall {
        crash: Option<usize>,
        recovery_crash: Option<usize>,
    },
    /// The player writes a file into local/ (if installed).
    UserWrite {
        path: usize,
        seq: u8,
    },
}

fn op_strategy() -> impl Strategy<Value = ModelOp> {
    let crash = proptest::option::weighted(0.7, 0usize..70);
    let rcrash = proptest::option::weighted(0.3, 0usize..20);
    prop_oneof![
        1 => (0usize..3).prop_map(ModelOp::Download),
        4 => (crash.clone(), rcrash.clone()).prop_map(|(crash, recovery_crash)| ModelOp::Install { crash, recovery_crash }),
        2 => (crash, rcrash).prop_map(|(crash, recovery_crash)| ModelOp::Uninstall { crash, recovery_crash }),
        3 => (0..USER_PATHS.len(), any::<u8>()).prop_map(|(path, seq)| ModelOp::UserWrite { path, seq }),
    ]
}

/// Where a file in the model's local/ came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Extracted by the current install and not modified since.
    Pristine,
    /// Written or modified by the player, or carried over.
    User,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Model {
    payload: usize,
    local: Option<BTreeMap<String, (Vec<u8>, Origin)>>,
}

impl Model {
    fn contents(&self) -> Option<BTreeMap<String, Vec<u8>>> {
        self.local.as_ref().map(|l| l.iter().map(|(k, (c, _))| (k.clone(), c.clone())).collect())
    }

    /// The state after a successful install/update of the current payload.
    fn installed(&self) -> (Model, Vec<String>) {
        let new_files = version_files(self.payload);
        let mut local: BTreeMap<String, (Vec<u8>, Origin)> =
            new_files.iter().map(|(k, c)| (k.clone(), (c.clone(), Origin::Pristine))).collect();
        let mut carried = Vec::new();
        if let Some(old) = &self.local {
            for (path, (content, origin)) in old {
                let conflict = new_files.contains_key(path)
                    || new_files
                        .keys()
                        .any(|k| path.starts_with(&format!("{k}/")) || k.starts_with(&format!("{path}/")));
                if !conflict && *origin == Origin::User {
                    local.insert(path.clone(), (content.clone(), Origin::User));
                    carried.push(path.clone());
                }
            }
        }
        (Model { payload: self.payload, local: Some(local) }, carried)
    }
}

struct Harness {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    outside: BTreeMap<String, Vec<u8>>,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("game");
        fs::create_dir(&root).unwrap();
        fs::write(root.join("version.ini"), "1\n").unwrap();
        fs::write(root.join("readme.nfo"), "nfo").unwrap();
        fs::create_dir(root.join(".lanspread")).unwrap();
        fs::write(root.join(".lanspread/chunks"), "bitmap").unwrap();
        fs::create_dir_all(dir.path().join("other/local")).unwrap();
        fs::write(dir.path().join("other/local/keep.txt"), "neighbour").unwrap();
        let h = Harness { root, outside: BTreeMap::new(), _dir: dir };
        h.set_payload(0);
        h
    }

    fn set_payload(&self, v: usize) {
        for name in ["game.rar", "patch.rar"] {
            let _ = fs::remove_file(self.root.join(name));
        }
        for (name, mtime, files) in version_archives(v) {
            write_fake(&self.root, name, mtime, &files);
        }
    }

    /// Everything outside local/ and the transaction's own files.
    fn outside_snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        let parent = self.root.parent().unwrap();
        files(parent)
            .into_iter()
            .filter(|(k, _)| {
                let in_root = k.strip_prefix("game/");
                !in_root.is_some_and(|r| {
                    r.starts_with("local/") || r == RECORD || r == LOCK || r.ends_with(".rar")
                })
            })
            .collect()
    }

    fn run(&self, op: &ModelOp) -> Result<Option<Vec<String>>, InstallError> {
        let (crash, rcrash) = match op {
            ModelOp::Install { crash, recovery_crash } | ModelOp::Uninstall { crash, recovery_crash } => {
                (*crash, *recovery_crash)
            }
            _ => unreachable!(),
        };
        let count = AtomicUsize::new(0);
        let mut hook = |_step: &'static str| crash == Some(count.fetch_add(1, Ordering::Relaxed));
        let mut ctx = Ctx::with_hook(&self.root, &mut hook);
        let result = match op {
            ModelOp::Install { .. } => txn::install(&mut ctx, &FAKE, &mut |_| {}, &AtomicBool::new(false))
                .map(|r| Some(r.carried_over)),
            _ => txn::uninstall(&mut ctx).map(|()| None),
        };
        match result {
            Ok(r) => Ok(r),
            Err(Fail::Error(e)) => Err(e),
            Err(Fail::Crash) => {
                // The process died here. On restart, recovery runs (and may itself crash).
                if let Some(rc) = rcrash {
                    let count = AtomicUsize::new(0);
                    let mut hook = |_s: &'static str| count.fetch_add(1, Ordering::Relaxed) == rc;
                    let _ = recovery::recover(&mut Ctx::with_hook(&self.root, &mut hook));
                }
                recover_game(&self.root).unwrap();
                Ok(None)
            }
        }
    }
}

fn check_invariants(h: &Harness, model: &Model) -> Result<(), TestCaseError> {
    for name in [STAGING, BACKUP, REMOVING, INTENT, INTENT_TMP, RECORD_NEXT, RECORD_TMP] {
        prop_assert!(!h.root.join(name).exists(), "{} left behind", name);
    }
    prop_assert!(!h.root.join(LOCAL).join(MARKER).exists());
    prop_assert_eq!(&h.outside_snapshot(), &h.outside, "files outside local/ changed");
    let actual = h.root.join(LOCAL).is_dir().then(|| files(&h.root.join(LOCAL)));
    prop_assert_eq!(actual, model.contents());
    // The record lists exactly the pristine files of the current install.
    if let Some(local) = &model.local {
        let record = carry::Record::load(&h.root).expect("record");
        let shipped: BTreeSet<&String> = record.files.keys().collect();
        for (path, (_, origin)) in local {
            if *origin == Origin::Pristine {
                prop_assert!(shipped.contains(path), "{} not in the record", path);
            }
        }
    }
    Ok(())
}

fn run_model(ops: Vec<ModelOp>) -> Result<(), TestCaseError> {
    let mut h = Harness::new();
    h.outside = h.outside_snapshot();
    let mut model = Model { payload: 0, local: None };
    for op in &ops {
        match op {
            ModelOp::Download(v) => {
                h.set_payload(*v);
                model.payload = *v;
            }
            ModelOp::UserWrite { path, seq } => {
                if let Some(local) = &mut model.local {
                    let rel = USER_PATHS[*path];
                    let content = format!("user-{seq}-{}", rel.len()).into_bytes();
                    let full = h.root.join(LOCAL).join(rel);
                    fs::create_dir_all(full.parent().unwrap()).unwrap();
                    fs::write(&full, &content).unwrap();
                    local.insert(rel.to_string(), (content, Origin::User));
                }
            }
            ModelOp::Install { crash, .. } => {
                let old = model.clone();
                let (new, carried) = model.installed();
                let result = h.run(op).map_err(|e| TestCaseError::fail(format!("{op:?}: {e}")))?;
                let actual = h.root.join(LOCAL).is_dir().then(|| files(&h.root.join(LOCAL)));
                if actual == new.contents() {
                    model = new;
                    if let Some(report_carried) = result {
                        let mut sorted = report_carried.clone();
                        sorted.sort();
                        prop_assert_eq!(sorted, carried);
                    }
                } else {
                    prop_assert!(crash.is_some(), "install without a crash did not reach the new state");
                    prop_assert_eq!(actual, old.contents(), "after {:?}: neither old nor new", op);
                }
            }
            ModelOp::Uninstall { crash, .. } => {
                let installed = model.local.is_some();
                let result = h.run(op);
                if !installed {
                    prop_assert!(matches!(result, Err(InstallError::NotInstalled)), "{:?}", result);
                } else {
                    prop_assert!(result.is_ok(), "{:?}", result);
                    let actual = h.root.join(LOCAL).is_dir().then(|| files(&h.root.join(LOCAL)));
                    if actual.is_none() {
                        model.local = None;
                    } else {
                        prop_assert!(crash.is_some(), "uninstall without a crash left local/");
                        prop_assert_eq!(actual, model.contents(), "after {:?}: neither old nor new", op);
                    }
                }
            }
        }
        check_invariants(&h, &model)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// After any sequence of installs, updates, uninstalls and player writes, with a crash
    /// injected at any step of a transaction (and of the recovery after it), the root holds
    /// exactly the old or the new state: nothing mixed, nothing owned left behind, nothing
    /// outside local/ touched, user data carried by the documented rule.
    #[test]
    fn crashes_at_any_step_leave_exactly_the_old_or_the_new_state(
        ops in proptest::collection::vec(op_strategy(), 1..14)
    ) {
        run_model(ops)?;
    }
}

/// How many crash points an update of the model's first two versions passes.
fn crash_points_of_an_update() -> usize {
    let h = Harness::new();
    install(&h.root).unwrap();
    fs::create_dir_all(h.root.join("local/save")).unwrap();
    fs::write(h.root.join("local/save/slot1.sav"), "s").unwrap();
    h.set_payload(1);
    let count = AtomicUsize::new(0);
    let mut hook = |_s: &'static str| {
        count.fetch_add(1, Ordering::Relaxed);
        false
    };
    txn::install(&mut Ctx::with_hook(&h.root, &mut hook), &FAKE, &mut |_| {}, &AtomicBool::new(false))
        .map_err(|_| "update failed")
        .unwrap();
    count.load(Ordering::Relaxed)
}

/// Every single crash point of an update and of the uninstall after it, one by one (the
/// proptest only samples them), each followed by a crash at every early recovery step.
#[test]
fn every_crash_point_of_an_update_is_recoverable() {
    let points = crash_points_of_an_update();
    assert!(points > 20, "only {points} crash points");
    for crash in 0..=points {
        for recovery_crash in [None, Some(0), Some(1), Some(3)] {
            let ops = vec![
                ModelOp::Install { crash: None, recovery_crash: None },
                ModelOp::UserWrite { path: 0, seq: 1 },
                ModelOp::UserWrite { path: 4, seq: 2 },
                ModelOp::Download(1),
                ModelOp::Install { crash: Some(crash), recovery_crash },
                ModelOp::Uninstall { crash: Some(crash), recovery_crash },
            ];
            run_model(ops)
                .unwrap_or_else(|e| panic!("crash at {crash}, recovery crash {recovery_crash:?}: {e}"));
        }
    }
}

#[test]
fn delete_removes_install_payload_and_folder_and_discards_a_paused_download() {
    let (dir, root) = game_root();
    write_fake(&root, "quake.rar", 1_000, &[("bin/quake.exe", "exe1")]);
    install(&root).unwrap();
    fs::write(root.join(LOCAL).join("save.dat"), "mine").unwrap();
    let freed = delete_game(&root).unwrap();
    assert!(freed > 0);
    assert!(!root.exists(), "the game folder is gone");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);

    // A paused download: payload pieces and download state, no version.ini.
    let paused = dir.path().join("paused");
    fs::create_dir_all(paused.join(".lanspread")).unwrap();
    fs::write(paused.join(".lanspread/download.json"), "{}").unwrap();
    fs::write(paused.join("part.rar"), vec![7u8; 5000]).unwrap();
    assert_eq!(delete_game(&paused).unwrap(), 5002);
    assert!(!paused.exists());

    // Nothing there: a clear error, nothing touched.
    assert!(matches!(delete_game(&dir.path().join("missing")), Err(InstallError::Io { .. })));
}

#[test]
fn delete_refuses_a_reserved_folder_it_does_not_own() {
    let (_dir, root) = game_root();
    fs::create_dir(root.join(STAGING)).unwrap();
    fs::write(root.join(STAGING).join("theirs.txt"), "x").unwrap();
    assert!(matches!(delete_game(&root), Err(InstallError::NotOwned { .. })));
    assert!(root.join("version.ini").is_file() && root.join(STAGING).join("theirs.txt").is_file());
}

/// Repair's transaction, crashed at every step in turn: after start-up recovery every file it
/// repairs is either still damaged or repaired, no other file changed, nothing is left over;
/// and the run without a crash repairs both and records their new stamps.
#[test]
fn repair_crashed_at_every_step_leaves_each_file_old_or_new() {
    let damaged = vec!["bin/game.exe".to_string(), "data/b.pak".to_string()];
    let mut steps = 0;
    for crash in 0.. {
        let h = Harness::new();
        install_game(&h.root, &FAKE, &mut |_| {}, &AtomicBool::new(false)).unwrap();
        let local = h.root.join(LOCAL);
        fs::write(local.join("bin/game.exe"), "exX-1").unwrap();
        fs::remove_file(local.join("data/b.pak")).unwrap();
        fs::write(local.join("cfg/default.cfg"), "player edit").unwrap();
        let count = AtomicUsize::new(0);
        let mut hook = |_s: &'static str| count.fetch_add(1, Ordering::Relaxed) == crash;
        let result = txn::repair(
            &mut Ctx::with_hook(&h.root, &mut hook),
            &FAKE,
            &damaged,
            &mut |_| {},
            &AtomicBool::new(false),
        );
        let crashed = matches!(result, Err(Fail::Crash));
        recover_game(&h.root).unwrap();
        let got = files(&local);
        let exe = got.get("bin/game.exe").cloned();
        assert!(
            exe == Some(b"exX-1".to_vec()) || exe == Some(b"exe-1".to_vec()),
            "crash at {crash}: {exe:?}"
        );
        let b = got.get("data/b.pak").cloned();
        assert!(b.is_none() || b == Some(b"b-1".to_vec()), "crash at {crash}: {b:?}");
        assert_eq!(got["cfg/default.cfg"], b"player edit", "crash at {crash}");
        assert_eq!(got["data/a.pak"], b"a");
        for name in [STAGING, BACKUP, REMOVING, INTENT, INTENT_TMP, RECORD_NEXT, RECORD_TMP] {
            assert!(!h.root.join(name).exists(), "crash at {crash}: {name} left behind");
        }
        if !crashed {
            let report = result.unwrap_or_else(|_| panic!("crash at {crash}"));
            assert_eq!(report.files, damaged);
            assert_eq!(report.bytes, 5 + 3, "only the two files were written");
            assert_eq!((exe.as_deref(), b.as_deref()), (Some(&b"exe-1"[..]), Some(&b"b-1"[..])));
            let record = carry::Record::load(&h.root).unwrap();
            for path in &damaged {
                let meta = fs::symlink_metadata(local.join(path)).unwrap();
                assert_eq!(record.files[path], carry::Stamp::of(&meta), "{path}: stamp recorded");
            }
            steps = crash;
            break;
        }
    }
    assert!(steps >= 4, "the repair has crash points: {steps}");
}
