//! Start-up recovery end to end: `kill -9` of a CLI `install` or `uninstall` mid-transaction,
//! then another command starts on the same game directory. Whatever starts next (`list`,
//! `serve`, `get`) finishes or rolls back the transaction before it scans, says so, and leaves
//! no `.local.*` leftovers.
#![allow(clippy::unwrap_used)]

use std::{
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

use lanspread_testkit::library::{GameSpec, archive_entries, write_game};
use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_lanspread-peer-cli");

fn spec() -> GameSpec {
    let mut s = GameSpec::new("quake3", "20250314", 48 << 20);
    s.seed = 5;
    s
}

fn cli(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(CLI);
    c.args(args)
        .arg("--game-dir")
        .arg(dir.join("games"))
        .arg("--state-dir")
        .arg(dir.join("state"))
        .arg("--bind")
        .arg("127.0.0.1");
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    cli(dir, args).stdin(Stdio::null()).output().unwrap()
}

/// The `.local*` and install-log entries of the game root (what a transaction leaves behind).
fn leftovers(root: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with(".local.")
                || [
                    ".lanspread.json",
                    ".lanspread.json.tmp",
                    ".lanspread.installed.json.tmp",
                    ".lanspread.installed.json.next",
                ]
                .contains(&n.as_str())
        })
        .collect();
    v.sort();
    v
}

/// Starts `args` and kills it with SIGKILL as soon as `marker` appears under `root`. Returns
/// whether the kill landed mid-transaction (the process had not finished yet).
fn kill_when(dir: &Path, args: &[&str], marker: &Path) -> bool {
    let child =
        cli(dir, args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    lanspread_testkit::proc::kill_when_exists(child, marker)
}

fn list(dir: &Path) -> (Value, String) {
    let out = run(dir, &["list"]);
    assert!(out.status.success(), "list failed: {}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    (doc, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn game<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc.as_array().unwrap().iter().find(|g| g["id"] == id).unwrap()
}

/// Every archive entry extracted under `local/`, byte for byte.
fn assert_installed(root: &Path) {
    for (name, data) in archive_entries(&spec()) {
        let got = std::fs::read(root.join("local").join(&name)).unwrap();
        assert!(got == data, "local/{name} differs");
    }
}

#[test]
fn kill_9_during_install_is_rolled_back_by_the_next_list_and_the_game_shows_its_true_state() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let root: PathBuf = write_game(&dir.join("games"), &spec()).unwrap();
    // The kill must land while the staging copy exists; a fast machine may finish first, so
    // try a few times.
    let caught = (0..5).any(|_| {
        let hit = kill_when(dir, &["install", "quake3"], &root.join(".local.installing"));
        if !hit {
            // It finished: undo for the next try.
            assert!(run(dir, &["uninstall", "quake3"]).status.success());
        }
        hit
    });
    assert!(caught, "install always finished before it could be killed");
    assert!(!leftovers(&root).is_empty(), "the kill left nothing to recover");

    let (doc, stderr) = list(dir);
    assert!(stderr.contains("recovered quake3:"), "{stderr}");
    assert_eq!(leftovers(&root), Vec::<String>::new(), "{stderr}");
    let g = game(&doc, "quake3");
    assert_eq!((g["downloaded"].as_bool(), g["installed"].as_bool()), (Some(true), Some(false)), "{g}");
    assert!(g["installed_version"].is_null(), "{g}");
    // The document says what recovery did, next to the game it did it to.
    assert!(g["recovered"]["error"].is_null(), "{g}");
    let actions = g["recovered"]["actions"].to_string();
    assert!(actions.contains("rolled back an interrupted install"), "{actions}");
    assert!(!root.join("local").exists());
    // And the game installs normally afterwards; the next list has nothing to recover and
    // names the installed version.
    assert!(run(dir, &["install", "quake3"]).status.success());
    assert_installed(&root);
    let (doc, _) = list(dir);
    let g = game(&doc, "quake3");
    assert!(g["recovered"].is_null(), "{g}");
    assert_eq!(g["installed_version"], g["version"], "{g}");
    assert!(g["installed_version"].is_string(), "{g}");
}

#[test]
fn kill_9_during_uninstall_is_finished_by_the_next_serve_which_says_so_on_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let root = write_game(&dir.join("games"), &spec()).unwrap();
    let mut caught = false;
    for _ in 0..5 {
        let out = run(dir, &["install", "quake3"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        if kill_when(dir, &["uninstall", "quake3"], &root.join(".local.removing")) {
            caught = true;
            break;
        }
    }
    assert!(caught, "uninstall always finished before it could be killed");

    // `serve` recovers before its first scan and prints a `recovered` line before `ready`.
    let mut serve = cli(dir, &["serve"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = serve.stdout.take().unwrap();
    let lines = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut seen = Vec::new();
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let v: Value = serde_json::from_str(&line).unwrap();
            let ready = v["event"] == "ready";
            seen.push(v);
            if ready {
                break;
            }
        }
        seen
    });
    let seen = lines.join().unwrap();
    let _ = serve.kill();
    let _ = serve.wait();
    let recovered: Vec<&Value> = seen.iter().filter(|v| v["event"] == "recovered").collect();
    assert_eq!(recovered.len(), 1, "{seen:?}");
    assert_eq!(recovered[0]["game"], "quake3");
    assert!(recovered[0]["error"].is_null(), "{seen:?}");
    let actions = recovered[0]["actions"].to_string();
    assert!(actions.contains("uninstall"), "{actions}");
    assert_eq!(leftovers(&root), Vec::<String>::new());
    assert!(!root.join("local").exists(), "the uninstall was finished, not undone");
    assert!(root.join("version.ini").is_file(), "the download stays");
}

/// An update (`install` over an older install) killed mid-way: the next `list` rolls it back,
/// names the version `local/` really holds, keeps the player's data, and the update then
/// installs normally.
#[test]
fn kill_9_during_an_update_keeps_the_old_version_and_the_players_data() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let games = dir.join("games");
    let root = write_game(&games, &spec()).unwrap();
    assert!(run(dir, &["install", "quake3"]).status.success());
    std::fs::write(root.join("local/save.dat"), b"my save").unwrap();
    let mut v2 = spec();
    v2.version = "20250401".into();
    v2.seed = 6;
    write_game(&games, &v2).unwrap();
    // A fast machine may finish the update first: then put v1 back and try again.
    let caught = (0..5).any(|_| {
        let hit = kill_when(dir, &["install", "quake3"], &root.join(".local.installing"));
        if !hit {
            write_game(&games, &spec()).unwrap();
            assert!(run(dir, &["install", "quake3"]).status.success());
            write_game(&games, &v2).unwrap();
        }
        hit
    });
    assert!(caught, "the update always finished before it could be killed");

    let (doc, stderr) = list(dir);
    assert_eq!(leftovers(&root), Vec::<String>::new(), "{stderr}");
    let g = game(&doc, "quake3");
    let actions = g["recovered"]["actions"].to_string();
    assert!(actions.contains("rolled back an interrupted update"), "{actions}");
    assert_eq!(g["installed_version"], "20250314", "the old install stays, and says so: {g}");
    assert_eq!(g["version"], "20250401", "{g}");
    assert_installed(&root);
    assert_eq!(std::fs::read(root.join("local/save.dat")).unwrap(), b"my save");

    let out = run(dir, &["install", "quake3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (doc, _) = list(dir);
    assert_eq!(game(&doc, "quake3")["installed_version"], "20250401");
    for (name, data) in archive_entries(&v2) {
        assert!(std::fs::read(root.join("local").join(&name)).unwrap() == data, "local/{name} differs");
    }
    assert_eq!(std::fs::read(root.join("local/save.dat")).unwrap(), b"my save");
}
