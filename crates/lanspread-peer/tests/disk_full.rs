//! A full disk, for real: each test mounts its own small tmpfs (root only; skipped otherwise)
//! and fills it so a download or an install runs out of space midway. `just test` runs the
//! suite in a private mount namespace (scripts/netns-run.sh), so nothing is mounted on the host;
//! outside it the mount is still removed on drop, even when the test fails.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, RwLock, atomic::AtomicBool},
    time::Duration,
};

use common::*;
use lanspread_peer::{
    ErrorKind, PeerCommand, PeerEvent, PeerGameDB, PeerOptions,
    install::{self, BACKUP, INTENT, InstallError, InstallPhase, LOCAL, REMOVING, STAGING},
    start_peer_with,
};
use lanspread_proto::Catalog;
use lanspread_unpack::UnrarUnpacker;
use rars::{ArchiveVersion, Builder};

const MIB: usize = 1 << 20;

/// A tmpfs of `size_mib` on a temporary directory, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// `None` (the test is skipped, saying why) when not running as root.
    fn mount(size_mib: usize) -> Option<Self> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("SKIPPED: mounting a size-limited tmpfs needs root (run `just test`)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size_mib}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "mount -t tmpfs on {} failed: {status}", dir.path().display());
        Some(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Grows `<mount>/filler` until the disk is full, then gives back `leave` bytes.
    fn fill_leaving(&self, leave: u64) {
        use std::io::Write;
        let mut f =
            fs::OpenOptions::new().create(true).append(true).open(self.path().join("filler")).unwrap();
        let block = vec![0xAAu8; 64 * 1024];
        loop {
            match f.write(&block) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => break,
                Err(e) => panic!("filling the disk: {e}"),
            }
        }
        let len = f.metadata().unwrap().len();
        f.set_len(len.saturating_sub(leave)).unwrap();
        assert!(free_bytes(self.path()) >= leave);
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount").arg(self.dir.path()).status().is_ok_and(|s| s.success());
        if !ok {
            // Something still holds a file open: detach now, the kernel frees it later.
            let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
        }
    }
}

fn free_bytes(path: &Path) -> u64 {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: `c` is a valid NUL-terminated path and `st` a writable statvfs.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::statvfs(c.as_ptr(), &mut st) }, 0);
    st.f_bavail as u64 * st.f_frsize as u64
}

/// Every file under `dir` (relative `/` paths) with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    // The transaction lock file stays by design (an empty file; see `install`).
    out.remove(".lanspread.lock");
    out
}

/// Temporary files anywhere under `root` (names with `tmp`, and the parked sentinel).
fn temp_files(root: &Path) -> Vec<String> {
    tree(root)
        .into_keys()
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap();
            name.contains("tmp") || name == ".version.ini.discarded"
        })
        .collect()
}

/// Installs version 1 of `ut2004` by hand: payload, version.ini, `local/` with a savegame.
fn old_install(root: &Path) {
    fs::create_dir_all(root.join("local/bin")).unwrap();
    fs::create_dir_all(root.join("local/save")).unwrap();
    fs::write(root.join("ut2004.part1.rar"), bytes(1, MIB)).unwrap();
    fs::write(root.join("version.ini"), "1\n").unwrap();
    fs::write(root.join("local/bin/game.exe"), bytes(2, 512 * 1024)).unwrap();
    fs::write(root.join("local/save/slot1.sav"), b"level 7, 3 lives").unwrap();
}

/// A downloader whose game directory is `game_dir` (on the small tmpfs).
async fn start_downloader(game_dir: &Path) -> (TestPeerIn, tempfile::TempDir) {
    let state = tempfile::tempdir().unwrap();
    let (tx, events) = tokio::sync::mpsc::unbounded_channel();
    let mut opts = PeerOptions::new(game_dir);
    opts.state_dir = state.path().to_path_buf();
    opts.bind = Some("127.0.0.1".parse().unwrap());
    opts.name = "dl".into();
    opts.discovery = lanspread_peer::DiscoveryMode::Manual;
    opts.timing = fast_timing();
    opts.auto_install = false;
    let db = Arc::new(RwLock::new(PeerGameDB::new()));
    let handle =
        start_peer_with(opts, tx, db, Arc::new(NoUnpack), Arc::new(Catalog::bundled())).await.unwrap();
    (TestPeerIn { handle, events, seen: Vec::new() }, state)
}

struct TestPeerIn {
    handle: lanspread_peer::PeerRuntimeHandle,
    events: tokio::sync::mpsc::UnboundedReceiver<PeerEvent>,
    seen: Vec<&'static str>,
}

impl TestPeerIn {
    async fn wait_for(
        &mut self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&PeerEvent) -> bool,
    ) -> PeerEvent {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(ev)) => {
                    self.seen.push(ev.name());
                    if pred(&ev) {
                        return ev;
                    }
                }
                Ok(None) => panic!("event channel closed while waiting for {what}"),
                Err(_) => panic!("timed out waiting for {what}; saw {:?}", self.seen),
            }
        }
    }
}

fn is_end(e: &PeerEvent) -> bool {
    matches!(e, PeerEvent::DownloadGameFilesFinished { .. } | PeerEvent::DownloadGameFilesFailed { .. })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_download_that_runs_out_of_space_fails_clearly_and_keeps_the_old_install_playable() {
    let Some(fs_) = Tmpfs::mount(64) else { return };
    let game_dir = fs_.path().join("games");
    let root = game_dir.join("ut2004");
    old_install(&root);
    let local_before = tree(&root.join(LOCAL));

    let new_payload = [("ut2004.part1.rar".to_string(), bytes(9, 24 * MIB))];
    // A paced seeder (8 MiB/s): the download is still running when the disk fills up.
    let seeder = TestPeer::start(PeerSpec::slow("seed", 8 * MIB as u64), |d| {
        let f: Vec<(&str, &[u8])> = new_payload.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
        write_game(d, "ut2004", "2", &f);
    })
    .await;
    let (mut dl, _state) = start_downloader(&game_dir).await;
    dl.handle.connect_to(seeder.handle.local_addr(), seeder.handle.peer_id()).await.unwrap();
    let id: lanspread_proto::GameId = "ut2004".parse().unwrap();
    // One seeder is one host: with version 1 here, version 2 is only offered (trust rule), so
    // this update is taken explicitly.
    let update =
        PeerCommand::FetchLatestFromPeers { id: id.clone(), download: true, accept_unverified: true };
    dl.handle.command(update).await.unwrap();
    // The space check passed; now something else takes the disk: 8 MiB left for 24 MiB.
    dl.wait_for("the download to start", Duration::from_secs(20), |e| {
        matches!(e, PeerEvent::DownloadGameFilesBegin { .. })
    })
    .await;
    fs_.fill_leaving(8 * MIB as u64);

    let end = dl.wait_for("the download to end", Duration::from_secs(60), is_end).await;
    let PeerEvent::DownloadGameFilesFailed { error, .. } = end else { panic!("did not fail: {end:?}") };
    assert_eq!(error.kind, ErrorKind::DiskFull, "{error:?}");
    assert!(error.message.contains("No space left on device"), "{}", error.message);
    assert!(error.message.contains("ut2004"), "says which game: {}", error.message);

    // The installed game is untouched and playable; no temporary file is left behind.
    assert_eq!(tree(&root.join(LOCAL)), local_before, "local/ changed");
    assert_eq!(temp_files(&root), Vec::<String>::new(), "temporary files left behind");
    assert_eq!(temp_files(fs_.path()), Vec::<String>::new(), "temporary files left behind");
    // The payload is partly version 2 now, so version 1's sentinel is not restored (it would
    // claim bytes that are no longer there); the verified chunks are kept (paused).
    assert!(!root.join("version.ini").exists(), "the old sentinel must not claim the changed payload");
    assert!(root.join(".lanspread/download.json").exists(), "verified chunks are kept");

    // Free the space: the download resumes from the kept chunks and completes.
    fs::remove_file(fs_.path().join("filler")).unwrap();
    dl.handle
        .command(PeerCommand::FetchLatestFromPeers { id, download: true, accept_unverified: false })
        .await
        .unwrap();
    let end = dl.wait_for("the resumed download to end", Duration::from_secs(60), is_end).await;
    assert!(matches!(end, PeerEvent::DownloadGameFilesFinished { .. }), "{end:?}");
    same_payload(&seeder.game_dir.join("ut2004"), &root).unwrap();
    assert_eq!(fs::read(root.join("version.ini")).unwrap(), b"2\n");
    assert_eq!(tree(&root.join(LOCAL)), local_before, "local/ changed");
    assert_eq!(temp_files(&root), Vec::<String>::new());
    dl.handle.shutdown().await;
    seeder.handle.shutdown().await;
}

/// A download that cannot fit is refused before anything changes, with the numbers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_that_cannot_fit_is_refused_up_front_with_the_numbers() {
    let Some(fs_) = Tmpfs::mount(64) else { return };
    let game_dir = fs_.path().join("games");
    let root = game_dir.join("ut2004");
    old_install(&root);
    let before = tree(&root);
    let payload = [("ut2004.part1.rar".to_string(), bytes(9, 24 * MIB))];
    let seeder = TestPeer::start(PeerSpec::manual("seed"), |d| {
        let f: Vec<(&str, &[u8])> = payload.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
        write_game(d, "ut2004", "2", &f);
    })
    .await;
    let (mut dl, _state) = start_downloader(&game_dir).await;
    fs_.fill_leaving(8 * MIB as u64);
    dl.handle.connect_to(seeder.handle.local_addr(), seeder.handle.peer_id()).await.unwrap();
    let id: lanspread_proto::GameId = "ut2004".parse().unwrap();
    dl.handle
        .command(PeerCommand::FetchLatestFromPeers { id, download: true, accept_unverified: true })
        .await
        .unwrap();
    let end = dl.wait_for("the refusal", Duration::from_secs(30), is_end).await;
    let PeerEvent::DownloadGameFilesFailed { error, .. } = end else { panic!("did not fail: {end:?}") };
    assert_eq!(error.kind, ErrorKind::DiskFull, "{error:?}");
    // The part already on disk (1 MiB of the old version at the same path) counts as there.
    assert!(error.message.contains("not enough disk space"), "{}", error.message);
    assert!(error.message.contains("24.1 MB to download"), "{}", error.message);
    assert!(error.message.contains("MB free"), "{}", error.message);
    assert_eq!(tree(&root), before, "nothing changed: version 1 stays complete and installed");
    assert!(!root.join(".lanspread").exists());
    dl.handle.shutdown().await;
    seeder.handle.shutdown().await;
}

/// An update archive: one 12 MiB incompressible file and a config.
fn write_update_archive(root: &Path) -> PathBuf {
    let mut b = Builder::new(ArchiveVersion::Rar50);
    b.add_bytes(b"bin/game.exe".to_vec(), bytes(3, 12 * MIB), None, None).unwrap();
    b.add_bytes(b"cfg/default.cfg".to_vec(), b"fov=110\n".to_vec(), None, None).unwrap();
    let path = root.join("ut2004.part1.rar");
    fs::write(&path, b.to_bytes().unwrap()).unwrap();
    fs::write(root.join("version.ini"), "2\n").unwrap();
    path
}

#[test]
fn install_that_runs_out_of_space_mid_extraction_rolls_back_and_keeps_local_byte_for_byte() {
    let Some(fs_) = Tmpfs::mount(64) else { return };
    let root = fs_.path().join("ut2004");
    old_install(&root);
    write_update_archive(&root);
    let local_before = tree(&root.join(LOCAL));
    let outside_before: BTreeMap<_, _> =
        tree(&root).into_iter().filter(|(p, _)| !p.starts_with("local/")).collect();

    // The preflight sees enough space; then something else fills the disk while the archive
    // is being extracted (the first extraction progress report is the moment).
    let mut filled = false;
    let mut on_progress = |p: install::InstallProgress| {
        if p.phase == InstallPhase::Extracting && !filled {
            filled = true;
            fs_.fill_leaving(256 * 1024);
        }
    };
    let err = install::install_game(&root, &UnrarUnpacker::new(), &mut on_progress, &AtomicBool::new(false))
        .unwrap_err();
    assert!(filled, "the extraction never started: {err}");
    let message = err.to_string();
    eprintln!("install error: {message}");
    assert!(
        matches!(
            err,
            InstallError::InsufficientSpace { .. } | InstallError::Io { .. } | InstallError::Unpack(_)
        ),
        "{err:?}"
    );
    assert!(message.to_lowercase().contains("space"), "the error must say the disk is full: {message}");

    // Rolled back: the old install byte for byte, nothing else touched, no leftovers.
    assert_eq!(tree(&root.join(LOCAL)), local_before, "local/ changed");
    for name in [STAGING, BACKUP, REMOVING, INTENT] {
        assert!(!root.join(name).exists(), "{name} left behind");
    }
    let outside_after: BTreeMap<_, _> =
        tree(&root).into_iter().filter(|(p, _)| !p.starts_with("local/")).collect();
    let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&outside_after), names(&outside_before), "files outside local/ appeared or vanished");
    assert_eq!(outside_after, outside_before);
    assert!(install::recover_game(&root).unwrap().actions.is_empty(), "nothing left for recovery");

    // With space again, the same update installs.
    fs::remove_file(fs_.path().join("filler")).unwrap();
    let report =
        install::install_game(&root, &UnrarUnpacker::new(), &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert!(report.update);
    assert_eq!(fs::read(root.join("local/bin/game.exe")).unwrap(), bytes(3, 12 * MIB));
    assert_eq!(fs::read(root.join("local/save/slot1.sav")).unwrap(), b"level 7, 3 lives", "savegame carried");
}

#[test]
fn install_refused_by_the_space_preflight_changes_nothing() {
    let Some(fs_) = Tmpfs::mount(64) else { return };
    let root = fs_.path().join("ut2004");
    old_install(&root);
    write_update_archive(&root);
    let before = tree(&root);
    fs_.fill_leaving(4 * MIB as u64);
    let err = install::install_game(&root, &UnrarUnpacker::new(), &mut |_| {}, &AtomicBool::new(false))
        .unwrap_err();
    assert!(matches!(err, InstallError::InsufficientSpace { .. }), "{err:?}");
    assert!(err.to_string().contains("free up space"), "{err}");
    assert_eq!(tree(&root), before, "the game root changed");
}
