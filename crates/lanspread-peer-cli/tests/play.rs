//! `lanspread-peer-cli play GAME_ID [--dry-run]`: the catalog's launch entry, the fallback to
//! the only executable, and a real start that records its folder and arguments.
#![cfg(unix)]
#![allow(clippy::unwrap_used)]

use std::{
    os::unix::fs::PermissionsExt,
    path::Path,
    process::{Command, Output},
    time::{Duration, Instant},
};

use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_lanspread-peer-cli");

const CATALOG: &str = r#"{"format":2,"titles":[
  {"id":"quake3","name":"Quake III Arena","description":"","genre":"FPS","max_players":16,"release_year":1999,
   "size_bytes":0,"art":null,"launch":{"linux":{"exe":"bin/run.sh","args":["+set","fs_game","baseq3"]}}},
  {"id":"doom","name":"Doom","description":"","genre":"FPS","max_players":4,"release_year":1993,
   "size_bytes":0,"art":null}]}"#;

fn script(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn play(dir: &Path, args: &[&str]) -> Output {
    Command::new(CLI)
        .arg("play")
        .args(args)
        .arg("--game-dir")
        .arg(dir.join("games"))
        .arg("--state-dir")
        .arg(dir.join("state"))
        .arg("--catalog")
        .arg(dir.join("catalog.json"))
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn dry_run_prints_the_plan_and_play_starts_it_in_its_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("catalog.json"), CATALOG).unwrap();
    let games = dir.join("games");
    for id in ["quake3", "doom"] {
        std::fs::create_dir_all(games.join(id).join("local")).unwrap();
        std::fs::write(games.join(id).join("version.ini"), "1\n").unwrap();
    }
    script(&games.join("quake3/local/bin/run.sh"), "pwd > started.txt\necho \"$@\" >> started.txt");
    script(&games.join("doom/local/doom.sh"), "exit 0");

    // The catalog entry: program, arguments, its folder.
    let bin = std::fs::canonicalize(games.join("quake3/local/bin")).unwrap();
    let plan = json(&play(dir, &["quake3", "--dry-run"]));
    assert_eq!(plan["program"], bin.join("run.sh").display().to_string());
    assert_eq!(plan["args"], serde_json::json!(["+set", "fs_game", "baseq3"]));
    assert_eq!(plan["cwd"], bin.display().to_string());
    assert_eq!(plan["source"], "catalog");
    assert!(!bin.join("started.txt").exists(), "a dry run starts nothing");

    // No entry: the only executable.
    let plan = json(&play(dir, &["doom", "--dry-run"]));
    assert_eq!(plan["source"], "found");
    assert!(plan["program"].as_str().unwrap().ends_with("local/doom.sh"), "{plan}");

    // A real start: detached, in its folder, with its arguments.
    let started = json(&play(dir, &["quake3"]));
    assert_eq!(started["event"], "game_started");
    assert!(started["pid"].as_u64().unwrap() > 0);
    let marker = bin.join("started.txt");
    let t = Instant::now();
    while !marker.exists() && t.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        std::fs::read_to_string(&marker).unwrap(),
        format!("{}\n+set fs_game baseq3\n", bin.display())
    );

    // Not installed, or not in the catalog: exit 1 with a reason.
    std::fs::remove_dir_all(games.join("doom/local")).unwrap();
    let out = play(dir, &["doom", "--dry-run"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not installed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = play(dir, &["halflife", "--dry-run"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in the catalog"));
}
