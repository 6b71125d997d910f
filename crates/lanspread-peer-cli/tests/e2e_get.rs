//! `lanspread-peer-cli get` end to end: real processes in network namespaces, real mDNS, QUIC,
//! verification and unrar install; crash (kill -9) and resume.
#![allow(clippy::unwrap_used)]

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use lanspread_testkit::{
    lan::Lan,
    library::{GameSpec, archive_entries, diff_trees, flip_byte, write_game},
    proc::{PeerProc, last_json_line},
};
use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_lanspread-peer-cli");

fn serve(lan: &Lan, i: usize, dir: &Path) -> PeerProc {
    let mut cmd = lan.command(i, CLI);
    cmd.arg("serve")
        .arg("--game-dir")
        .arg(dir.join(format!("games{i}")))
        .arg("--state-dir")
        .arg(dir.join(format!("state{i}")));
    PeerProc::spawn(&format!("seeder{i}"), cmd, dir.join(format!("seeder{i}.log"))).unwrap()
}

fn get_cmd(lan: &Lan, i: usize, dir: &Path, game: &str, extra: &[&str]) -> Command {
    let mut cmd = lan.command(i, CLI);
    cmd.arg("get")
        .arg(game)
        .arg("--game-dir")
        .arg(dir.join(format!("games{i}")))
        .arg("--state-dir")
        .arg(dir.join(format!("state{i}")))
        .args(extra);
    cmd
}

fn spec() -> GameSpec {
    let mut s = GameSpec::new("quake3", "20250314", 24 << 20);
    s.volume_size = Some(5 << 20);
    s.seed = 42;
    s
}

#[test]
fn get_pulls_from_three_seeders_verifies_and_installs() {
    let lan = Lan::new(&[None, None, None, None]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3 {
        write_game(&dir.path().join(format!("games{i}")), &spec()).unwrap();
    }
    let mut seeders: Vec<PeerProc> = (0..3).map(|i| serve(&lan, i, dir.path())).collect();
    for s in &mut seeders {
        s.wait_event("ready", Duration::from_secs(10), |e| e["event"] == "ready").unwrap();
    }
    let t = Instant::now();
    let out = get_cmd(&lan, 3, dir.path(), "quake3", &["--min-peers", "3", "--timeout", "120"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("get exited after {:?}", t.elapsed());
    assert!(out.status.success(), "get failed: {}\n{stderr}", out.status);
    let fin = last_json_line(&out.stdout);
    eprintln!("get finished in {:?}: {fin}", t.elapsed());
    assert_eq!(fin["event"], "finished");
    assert_eq!(fin["game"], "quake3");
    assert_eq!(fin["version"], "20250314");
    assert!(fin["peers"].as_array().unwrap().len() >= 2, "{fin}");
    let src = dir.path().join("games0/quake3");
    let dst = dir.path().join("games3/quake3");
    assert_eq!(diff_trees(&src, &dst, &["local", ".lanspread"]), None, "payload byte-identical");
    // Installed: every archive entry extracted into local/ with its bytes.
    for (name, data) in archive_entries(&spec()) {
        assert_eq!(std::fs::read(dst.join("local").join(&name)).unwrap(), data, "{name}");
    }
    assert!(!dst.join("local/quake3.nfo").exists(), "files beside archives are not copied");

    // Already current: exits at once without transferring.
    let t = Instant::now();
    let out = get_cmd(&lan, 3, dir.path(), "quake3", &["--timeout", "30"])
        .env("LANSPREAD_LOG", "info")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(last_json_line(&out.stdout)["bytes"], 0);
    eprintln!("already-current get took {:?}", t.elapsed());
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    for s in &mut seeders {
        assert!(s.terminate(Duration::from_secs(10)).unwrap().success());
    }
}

#[test]
fn get_killed_at_random_points_resumes_without_refetching_verified_chunks() {
    // 80 Mbit/s: 40 MiB take ~4.2 s (progress is persisted each second), so every kill
    // lands mid-transfer.
    let lan = Lan::new(&[Some(80), None]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut big = GameSpec::new("ut2004", "3369", 40 << 20);
    big.raw = true;
    write_game(&dir.path().join("games0"), &big).unwrap();
    let mut seeder = serve(&lan, 0, dir.path());
    seeder.wait_event("ready", Duration::from_secs(10), |e| e["event"] == "ready").unwrap();
    let total: u64 = walk_size(&dir.path().join("games0/ut2004"));
    let state = dir.path().join("games1/ut2004/.lanspread/download.json");
    let mut fetched = 0u64;
    // Kill -9 once the persisted state shows this share verified (progress, not wall time,
    // decides when: the test means the same on a fast and a loaded machine).
    let mut last = 0u64;
    for (run, share) in [0.10f64, 0.30, 0.50].into_iter().enumerate() {
        let mut child = get_cmd(&lan, 1, dir.path(), "ut2004", &["--no-install"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        let verified = loop {
            let v = std::fs::read(&state)
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .and_then(|j| j["verified_bytes"].as_u64())
                .unwrap_or(0);
            // At least a tenth of the game more than the previous run left behind.
            if v as f64 >= share * total as f64 && v >= last + total / 10 {
                break v;
            }
            assert!(child.try_wait().unwrap().is_none(), "run {run}: get exited before the kill");
            assert!(Instant::now() < deadline, "run {run}: only {v} of {total} bytes verified after 60 s");
            std::thread::sleep(Duration::from_millis(10));
        };
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(verified > last, "run {run}: no progress over the previous run ({verified} <= {last})");
        last = verified;
        assert!(!dir.path().join("games1/ut2004/version.ini").exists(), "run {run}: not complete after kill");
    }
    let out = get_cmd(&lan, 1, dir.path(), "ut2004", &["--no-install", "--timeout", "120"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fin = last_json_line(&out.stdout);
    fetched += fin["bytes"].as_u64().unwrap();
    eprintln!("final run fetched {fetched} of {total} bytes");
    assert!(
        fetched < total,
        "chunks verified before the kills were not fetched again ({fetched} of {total})"
    );
    assert_eq!(
        diff_trees(&dir.path().join("games0/ut2004"), &dir.path().join("games1/ut2004"), &[".lanspread"]),
        None
    );
    assert!(seeder.terminate(Duration::from_secs(10)).unwrap().success());
}

fn walk_size(p: &Path) -> u64 {
    let mut total = 0;
    let mut stack: Vec<PathBuf> = vec![p.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let md = e.metadata().unwrap();
            if md.is_dir() {
                stack.push(e.path());
            } else {
                total += md.len();
            }
        }
    }
    total
}

/// `verify` end to end: a seeder on one host, an installed copy on another. Clean: exit 0,
/// checked against the manifest the seeder agrees to. Bit rot in a downloaded volume and in an
/// installed file (size and mtime restored) plus a config the player edited: exit 1 naming the
/// damage, the edit listed as the player's and left alone.
#[test]
fn verify_checks_every_byte_against_the_peers_and_names_the_damage() {
    let lan = Lan::new(&[None, None]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut game = GameSpec::new("quake3", "20250314", 3 << 20);
    game.volume_size = Some(1 << 20);
    for i in 0..2 {
        write_game(&dir.path().join(format!("games{i}")), &game).unwrap();
    }
    let mut seeder = serve(&lan, 1, dir.path());
    seeder.wait_event("ready", Duration::from_secs(10), |e| e["event"] == "ready").unwrap();
    let cli = |args: &[&str]| {
        let mut cmd = lan.command(0, CLI);
        cmd.args(args)
            .arg("--game-dir")
            .arg(dir.path().join("games0"))
            .arg("--state-dir")
            .arg(dir.path().join("state0"))
            .stdin(Stdio::null());
        cmd.output().unwrap()
    };
    let out = cli(&["install", "quake3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = cli(&["verify", "quake3", "--wait", "10"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let fin = last_json_line(&out.stdout);
    assert_eq!(fin["event"], "verify_game_finished", "{fin}");
    assert_eq!(fin["report"]["ok"], true, "{fin}");
    assert_eq!(fin["report"]["reference"], "the manifest 1 peer agrees on", "{fin}");
    assert!(stderr.contains("nothing damaged"), "{stderr}");

    let root = dir.path().join("games0/quake3");
    let rot = |path: &Path, offset: usize| flip_byte(path, offset).unwrap();
    rot(&root.join("local/data/pak0.pak"), 4242);
    std::fs::write(root.join("local/config/game.cfg"), "[game]\nfov=110\n").unwrap();
    let out = cli(&["verify", "quake3", "--wait", "10"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let fin = last_json_line(&out.stdout);
    let local = &fin["report"]["local"];
    assert_eq!(local["damaged"], serde_json::json!(["data/pak0.pak"]), "{fin}");
    assert_eq!(local["changed_by_player"], serde_json::json!(["config/game.cfg"]), "{fin}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("1 installed file(s) damaged (data/pak0.pak)")
            && last.contains("1 file(s) you changed are kept"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(root.join("local/config/game.cfg")).unwrap(), "[game]\nfov=110\n");

    // A flipped byte in a downloaded volume: named with its chunk; local/ is not checked.
    let volume = root.join("quake3.part2.rar");
    let volume = if volume.exists() { volume } else { root.join("quake3.part02.rar") };
    rot(&volume, 1000);
    let out = cli(&["verify", "quake3", "--wait", "10"]);
    assert_eq!(out.status.code(), Some(1));
    let fin = last_json_line(&out.stdout);
    let damaged = fin["report"]["damaged_payload"].as_array().unwrap();
    assert_eq!(damaged.len(), 1, "{fin}");
    assert_eq!(damaged[0]["path"], volume.file_name().unwrap().to_str().unwrap(), "{fin}");
    assert_eq!(damaged[0]["chunks"], serde_json::json!([0]), "{fin}");
    assert!(
        fin["report"]["local"]["skipped"].as_str().unwrap().contains("repair the download first"),
        "{fin}"
    );

    // --repair: the bad chunk comes again from the seeder, the damaged file is extracted again,
    // the player's config stays; exit 0.
    let out = cli(&["verify", "quake3", "--wait", "10", "--repair"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let fin = last_json_line(&out.stdout);
    assert_eq!(fin["report"]["ok"], true, "{fin}");
    let repair = &fin["report"]["repair"];
    assert_eq!(repair["refetched_files"], serde_json::json!([volume.file_name().unwrap().to_str().unwrap()]));
    assert_eq!(repair["reextracted"], serde_json::json!(["data/pak0.pak"]), "{fin}");
    assert!(stderr.contains("repaired: fetched"), "{stderr}");
    let src = dir.path().join("games1/quake3");
    assert_eq!(diff_trees(&src, &root, &["local", ".lanspread"]), None, "payload byte-identical again");
    for (name, data) in archive_entries(&game) {
        let got = std::fs::read(root.join("local").join(&name)).unwrap();
        if name == "config/game.cfg" {
            assert_eq!(got, b"[game]\nfov=110\n", "the player's config is kept");
        } else {
            assert_eq!(got, data, "{name}");
        }
    }
    seeder.terminate(Duration::from_secs(10)).unwrap();
}
