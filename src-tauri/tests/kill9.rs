//! `kill -9` of the app while it installs, updates or uninstalls a game. The app's backend
//! (`LanSpreadState` with its peer runtime, as the window drives it) works in a child process
//! (this test binary started again, running `helper_app_runs_one_operation`) and gets SIGKILL the
//! moment the transaction's staging or removal folder appears. The next app start recovers
//! before its first scan, says what it did in a notice, and the card shows the truth; the
//! player's data survives an interrupted update.
#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::atomic::AtomicBool,
    time::Duration,
};

use common::{app, app_paths};
use lanspread_app::events::{GameState, UiEvent};
use lanspread_testkit::library::{GameSpec, archive_entries, write_game};

/// Set (to `DIR|OPERATION`) only in the child process the test below starts.
const HELPER: &str = "LANSPREAD_KILL9_HELPER";

fn spec(version: &str, seed: u64) -> GameSpec {
    let mut s = GameSpec::new("quake3", version, 48 << 20);
    s.seed = seed;
    s
}

/// The app side of the test: start the app on `DIR`, run one operation, wait to be killed. A
/// no-op when the test binary runs normally.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helper_app_runs_one_operation() {
    let Ok(job) = std::env::var(HELPER) else { return };
    let (dir, op) = job.split_once('|').unwrap();
    let (state, rec) = app(app_paths(Path::new(dir)));
    state.start().await;
    rec.wait_game(0, "quake3", |g| g.downloaded).await;
    match op {
        "install" => state.install_game("quake3").await.unwrap(),
        "uninstall" => state.uninstall_game("quake3").await.unwrap(),
        other => panic!("unknown operation {other}"),
    }
    tokio::time::sleep(Duration::from_secs(120)).await;
}

/// Starts the app in a child process running `op` and kills it with SIGKILL as soon as
/// `marker` exists. Whether the kill landed mid-transaction.
fn kill_app_when(dir: &Path, op: &str, marker: &Path) -> bool {
    let me = std::env::current_exe().unwrap();
    let child = Command::new(me)
        .args(["--exact", "helper_app_runs_one_operation", "--nocapture"])
        .env(HELPER, format!("{}|{op}", dir.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    lanspread_testkit::proc::kill_when_exists(child, marker)
}

/// `.local.*` and install-log entries in the game root: what a transaction leaves behind.
fn leftovers(root: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".local.") || n.starts_with(".lanspread.json") || n.ends_with(".next"))
        .collect();
    v.sort();
    v
}

fn assert_installed(root: &Path, spec: &GameSpec) {
    for (name, data) in archive_entries(spec) {
        let got = std::fs::read(root.join("local").join(&name)).unwrap();
        assert!(got == data, "local/{name} differs from version {}", spec.version);
    }
}

/// A game directory with `v1` downloaded, remembered in the app's settings (auto-install off,
/// so nothing but the operation under test touches the game).
fn setup(dir: &Path, v1: &GameSpec) -> PathBuf {
    let paths = app_paths(dir);
    let games = paths.default_game_dir.clone();
    let root = write_game(&games, v1).unwrap();
    std::fs::create_dir_all(&paths.config_dir).unwrap();
    let settings =
        lanspread_app::config::Settings { game_dir: Some(games), auto_install: false, ..Default::default() };
    settings.save(&paths.config_dir).unwrap();
    root
}

fn install_directly(root: &Path) {
    let unrar = lanspread_unpack::UnrarUnpacker::new();
    lanspread_peer::install::install_game(root, &unrar, &mut |_| {}, &AtomicBool::new(false)).unwrap();
}

/// Kills the app mid-`op` (a fast machine may finish first: `reset` undoes a finished run and
/// it is tried again), then starts the app and returns its recovery notice and the card.
fn kill_then_restart(
    dir: &Path,
    op: &str,
    marker: &str,
    reset: impl Fn(),
) -> (String, lanspread_app::events::GameView) {
    let root = app_paths(dir).default_game_dir.join("quake3");
    let caught = (0..5).any(|_| {
        let hit = kill_app_when(dir, op, &root.join(marker));
        if !hit {
            reset();
        }
        hit
    });
    assert!(caught, "{op} always finished before the app could be killed");
    assert!(!leftovers(&root).is_empty(), "the kill during {op} left nothing to recover");

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let (state, rec) = app(app_paths(dir));
        state.start().await;
        let notice = rec
            .wait(
                "the recovery notice",
                |e| matches!(e, UiEvent::Notice(n) if n.message.contains("Quake III Arena")),
            )
            .await;
        let UiEvent::Notice(n) = notice else { unreachable!() };
        let card = rec.wait_game(0, "quake3", |g| g.downloaded).await;
        assert_eq!(leftovers(&root), Vec::<String>::new(), "after the start that recovered");
        state.shutdown().await;
        (n.message, card)
    })
}

#[test]
fn kill_9_of_the_app_during_install_update_and_uninstall_is_recovered_at_the_next_start() {
    let v1 = spec("20250314", 5);
    let mut v2 = spec("20250401", 9);
    v2.size = 40 << 20;

    // Install: rolled back; the game is downloaded, not installed, and installs afterwards.
    let tmp = tempfile::tempdir().unwrap();
    let root = setup(tmp.path(), &v1);
    let undo = || lanspread_peer::install::uninstall_game(&root).unwrap();
    let (notice, card) = kill_then_restart(tmp.path(), "install", ".local.installing", undo);
    assert!(notice.contains("rolled back an interrupted install"), "{notice}");
    assert!(!card.installed && card.installed_version.is_none(), "{card:?}");
    assert!(!root.join("local").exists());
    install_directly(&root);
    assert_installed(&root, &v1);

    // Update (Install update of a downloaded v2): rolled back to v1 with the player's save;
    // the card offers "Install update" again.
    let tmp = tempfile::tempdir().unwrap();
    let root = setup(tmp.path(), &v1);
    install_directly(&root);
    std::fs::write(root.join("local/save.dat"), b"level 7").unwrap();
    write_game(root.parent().unwrap(), &v2).unwrap();
    let back_to_v1 = || {
        // A finished update: put v1 back for the next try.
        let games = root.parent().unwrap().to_path_buf();
        lanspread_peer::install::uninstall_game(&root).unwrap();
        write_game(&games, &v1).unwrap();
        install_directly(&root);
        std::fs::write(root.join("local/save.dat"), b"level 7").unwrap();
        write_game(&games, &v2).unwrap();
    };
    let (notice, card) = kill_then_restart(tmp.path(), "install", ".local.installing", back_to_v1);
    assert!(notice.contains("rolled back an interrupted update"), "{notice}");
    assert_eq!(card.state, GameState::UpdateDownloaded, "{card:?}");
    assert_eq!(
        (card.installed_version.as_deref(), card.local_version.as_deref()),
        (Some("20250314"), Some("20250401"))
    );
    assert_installed(&root, &v1);
    assert_eq!(std::fs::read(root.join("local/save.dat")).unwrap(), b"level 7");

    // Uninstall: finished (not undone); the download stays.
    let tmp = tempfile::tempdir().unwrap();
    let root = setup(tmp.path(), &v1);
    install_directly(&root);
    let reinstall = || install_directly(&root);
    let (notice, card) = kill_then_restart(tmp.path(), "uninstall", ".local.removing", reinstall);
    assert!(notice.contains("finished an interrupted uninstall"), "{notice}");
    assert!(!card.installed && card.downloaded, "{card:?}");
    assert!(!root.join("local").exists() && root.join("version.ini").is_file());
}
