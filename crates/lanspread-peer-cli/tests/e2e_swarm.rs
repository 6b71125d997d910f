//! Swarm end to end: one seeder and four `get` processes that start at once, each in its own
//! network namespace behind a tc-shaped port, with real mDNS and QUIC. Downloaders serve each
//! other verified chunks; finished downloaders leave (no --keep-serving), so the ones still
//! running must cope with members that vanish mid-swarm.
#![allow(clippy::unwrap_used)]

use std::{
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use lanspread_testkit::{
    lan::Lan,
    library::{GameSpec, diff_trees, write_game},
    proc::PeerProc,
};
use serde_json::json;

const CLI: &str = env!("CARGO_BIN_EXE_lanspread-peer-cli");
const DOWNLOADERS: usize = 4;

fn get_cmd(lan: &Lan, i: usize, dir: &Path) -> Command {
    let mut cmd = lan.command(i, CLI);
    cmd.args(["get", "ut2004", "--no-install", "--timeout", "120", "--game-dir"])
        .arg(dir.join(format!("games{i}")))
        .arg("--state-dir")
        .arg(dir.join(format!("state{i}")))
        .env("LANSPREAD_LOG", "info")
        .stdin(Stdio::null());
    cmd
}

#[test]
fn four_downloaders_share_chunks_leave_when_done_and_the_seeder_uploads_far_less_than_four_copies() {
    // 100 Mbit/s ports: the seeder alone would need ~4 × 2.7 s for four copies.
    let lan = Lan::new(&[Some(100); DOWNLOADERS + 1]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut game = GameSpec::new("ut2004", "3369", 32 << 20);
    game.raw = true;
    game.seed = 7;
    write_game(&dir.path().join("games0"), &game).unwrap();
    let mut seed_cmd = lan.command(0, CLI);
    seed_cmd
        .arg("serve")
        .arg("--game-dir")
        .arg(dir.path().join("games0"))
        .arg("--state-dir")
        .arg(dir.path().join("state0"));
    let mut seeder = PeerProc::spawn("seeder", seed_cmd, dir.path().join("seeder.log")).unwrap();
    seeder.wait_event("ready", Duration::from_secs(10), |e| e["event"] == "ready").unwrap();

    let start = Instant::now();
    let children: Vec<_> = (1..=DOWNLOADERS)
        .map(|i| {
            let log = std::fs::File::create(dir.path().join(format!("dl{i}.log"))).unwrap();
            get_cmd(&lan, i, dir.path()).stdout(Stdio::piped()).stderr(log).spawn().unwrap()
        })
        .collect();
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        let log = std::fs::read_to_string(dir.path().join(format!("dl{}.log", i + 1))).unwrap_or_default();
        assert!(out.status.success(), "downloader {} failed:\n{log}", i + 1);
        let text = String::from_utf8_lossy(&out.stdout);
        let fin = lanspread_testkit::proc::last_json_line(&out.stdout);
        assert_eq!(fin["event"], "finished", "{text}");
        assert!(fin["bytes"].as_u64().unwrap() >= 32 << 20, "{fin}");
        eprintln!("downloader {} finished at {:?}: {fin}", i + 1, start.elapsed());
    }
    eprintln!("all {DOWNLOADERS} finished in {:?}", start.elapsed());
    for i in 1..=DOWNLOADERS {
        assert_eq!(
            diff_trees(
                &dir.path().join("games0/ut2004"),
                &dir.path().join(format!("games{i}/ut2004")),
                &[".lanspread"]
            ),
            None,
            "downloader {i}'s copy differs"
        );
    }
    seeder.send(&json!({"command": "get_stats"})).unwrap();
    let stats = seeder.wait_event("stats", Duration::from_secs(5), |e| e["event"] == "stats").unwrap();
    let uploaded = stats["uploaded_bytes"].as_u64().unwrap();
    let size = 32u64 << 20;
    eprintln!("seeder uploaded {:.2} copies", uploaded as f64 / size as f64);
    assert!(
        uploaded < 3 * size,
        "seeder uploaded {uploaded} bytes for {DOWNLOADERS} copies of {size}: the swarm did not share"
    );
    assert!(seeder.terminate(Duration::from_secs(10)).unwrap().success());
    if std::env::var_os("LANSPREAD_TEST_KEEP").is_some() {
        eprintln!("kept {}", dir.keep().display());
    }
}
