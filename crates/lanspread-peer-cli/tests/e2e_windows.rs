//! The Windows peer (`lanspread-peer-cli.exe`, cross-built for x86_64-pc-windows-gnu) under
//! Wine trades a game with Linux peers, each in its own network namespace: a Linux `serve`
//! seeds a multi-volume RAR game → the Windows `get` downloads, verifies and installs it with
//! UnRAR (bytes identical) into a folder nested past 260 characters → the Windows `serve` seeds it to a Linux `get` (the only source) →
//! Ctrl+C (SIGINT, which Wine delivers as CTRL_C_EVENT) stops the Windows peer cleanly.
//!
//! `scripts/windows.sh test` runs it with LANSPREAD_WINDOWS_CLI (the exe unpacked from the zip)
//! and LANSPREAD_WINE (Wine's loader); WINEPREFIX and WINEPATH (the test-only ProcessPrng
//! stand-in) come from that script too.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use lanspread_testkit::{
    lan::Lan,
    library::{GameSpec, archive_entries, diff_trees, write_game},
    proc::{PeerProc, last_json_line},
};
use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_lanspread-peer-cli");

struct Wine {
    exe: PathBuf,
    loader: PathBuf,
    prefix: PathBuf,
}

impl Wine {
    /// A private copy of the prepared Wine prefix: Wine creates sockets in its wineserver, so
    /// the server must start inside the Windows host's namespace, not be shared with one
    /// started elsewhere.
    fn new(dir: &Path) -> Self {
        let var = |name: &str| {
            std::env::var_os(name)
                .map(PathBuf::from)
                .unwrap_or_else(|| panic!("{name} is not set: run this test through scripts/windows.sh test"))
        };
        let (exe, loader, shared) = (var("LANSPREAD_WINDOWS_CLI"), var("LANSPREAD_WINE"), var("WINEPREFIX"));
        let prefix = dir.join("wineprefix");
        let st = Command::new("cp").arg("-a").arg(&shared).arg(&prefix).status().unwrap();
        assert!(st.success(), "copying the Wine prefix {} failed", shared.display());
        Self { exe, loader, prefix }
    }

    /// `lanspread-peer-cli.exe ARGS` under Wine inside host `i`'s namespace.
    fn command(&self, lan: &Lan, i: usize, args: &[&str]) -> Command {
        let mut cmd = lan.command(i, self.loader.to_str().unwrap());
        cmd.env("WINEPREFIX", &self.prefix).arg(&self.exe).args(args);
        cmd
    }
}

/// The Windows spelling of a Linux path (Wine maps `/` to drive Z:).
fn win(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

fn spec() -> GameSpec {
    let mut s = GameSpec::new("quake3", "20250314", 12 << 20);
    s.volume_size = Some(2 << 20);
    s.seed = 16;
    s
}

#[test]
#[ignore = "needs the Windows build and Wine: scripts/windows.sh test runs it"]
fn linux_and_windows_peers_trade_a_multi_volume_rar_game() {
    let lan = Lan::new(&[None, None, None]).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let wine = Wine::new(dir);
    let src = write_game(&dir.join("games0"), &spec()).unwrap();
    let volumes = std::fs::read_dir(&src)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".rar"));
    assert!(volumes.count() >= 6, "a multi-volume game");

    // Linux seeder on host 0.
    let mut cmd = lan.command(0, CLI);
    cmd.args(["serve", "--game-dir"]).arg(dir.join("games0")).arg("--state-dir").arg(dir.join("state0"));
    let mut linux_seed = PeerProc::spawn("linux-serve", cmd, dir.join("linux-serve.log")).unwrap();
    linux_seed.wait_event("ready", Duration::from_secs(10), |e| e["event"] == "ready").unwrap();

    // Windows `get` on host 1: download, verify, install, into a game directory nested past
    // Windows' 260-character limit (state, payload and `local/` paths all exceed it).
    let games1 = dir.join("g".repeat(130)).join("h".repeat(130));
    let state1 = dir.join("state1");
    assert!(win(&games1.join("quake3/local")).len() > 260);
    let t = Instant::now();
    let out = wine
        .command(&lan, 1, &["get", "quake3", "--game-dir", &win(&games1), "--state-dir", &win(&state1)])
        .args(["--timeout", "180"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "Windows get failed: {}\n{stderr}", out.status);
    let fin = last_json_line(&out.stdout);
    eprintln!("Windows get finished in {:?}: {fin}", t.elapsed());
    assert_eq!(fin["event"], "finished");
    assert_eq!((fin["game"].as_str(), fin["version"].as_str()), (Some("quake3"), Some("20250314")));
    let dst = games1.join("quake3");
    assert_eq!(diff_trees(&src, &dst, &["local", ".lanspread"]), None, "payload byte-identical");
    for (name, data) in archive_entries(&spec()) {
        assert_eq!(std::fs::read(dst.join("local").join(&name)).unwrap(), data, "{name}");
    }

    // The Linux seeder leaves: the Windows peer is the only source from here on.
    assert!(linux_seed.terminate(Duration::from_secs(10)).unwrap().success());

    // Windows `serve` on host 1 → Linux `get` on host 2.
    let cmd = wine.command(&lan, 1, &["serve", "--game-dir", &win(&games1), "--state-dir", &win(&state1)]);
    let mut win_seed = PeerProc::spawn("windows-serve", cmd, dir.join("windows-serve.log")).unwrap();
    let ready = win_seed.wait_event("ready", Duration::from_secs(60), |e| e["event"] == "ready").unwrap();
    let win_id = ready["peer_id"].as_str().unwrap().to_string();
    let t = Instant::now();
    let out = lan
        .command(2, CLI)
        .args(["get", "quake3", "--game-dir"])
        .arg(dir.join("games2"))
        .arg("--state-dir")
        .arg(dir.join("state2"))
        .args(["--timeout", "120"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "Linux get failed: {}", String::from_utf8_lossy(&out.stderr));
    let fin = last_json_line(&out.stdout);
    eprintln!("Linux get from the Windows peer finished in {:?}: {fin}", t.elapsed());
    let peers: Vec<&str> = fin["peers"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert_eq!(peers, [win_id.as_str()], "the Windows peer served every byte");
    let dst2 = dir.join("games2/quake3");
    assert_eq!(diff_trees(&src, &dst2, &["local", ".lanspread"]), None, "payload byte-identical");
    for (name, data) in archive_entries(&spec()) {
        assert_eq!(std::fs::read(dst2.join("local").join(&name)).unwrap(), data, "{name}");
    }

    // Ctrl+C: the Windows peer says goodbye and exits 0.
    let st = Command::new("kill").args(["-INT", &win_seed.pid().to_string()]).status().unwrap();
    assert!(st.success());
    win_seed
        .wait_event("shutdown_complete", Duration::from_secs(20), |e| e["event"] == "shutdown_complete")
        .unwrap();
    let status = win_seed.wait_exit(Duration::from_secs(20)).unwrap();
    assert!(status.success(), "Windows serve exited with {status} after Ctrl+C");
    // The wineserver of this prefix ends with its last process.
    let _ = Command::new(wine.loader.with_file_name("wineserver"))
        .arg("-k")
        .env("WINEPREFIX", &wine.prefix)
        .status();
}
