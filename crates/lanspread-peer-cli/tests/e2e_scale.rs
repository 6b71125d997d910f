//! A small party in CI: ten `serve` processes in ten network namespaces, each with a 50-game
//! library, started at once. Every peer must come to see every other library completely (real
//! mDNS, QUIC handshakes with library snapshots). Generous timeout: the time budget belongs to
//! `just bench-scale` (30 peers × 200 games), this checks correctness.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use lanspread_testkit::{
    lan::Lan,
    library::{catalog_json, write_tiny_library},
    proc::{PeerProc, wait_until_all_see_all},
};

const CLI: &str = env!("CARGO_BIN_EXE_lanspread-peer-cli");
const PEERS: usize = 10;
const GAMES: usize = 50;

#[test]
fn ten_peers_with_fifty_games_each_all_see_every_library() {
    let lan = Lan::new(&[None; PEERS]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.json");
    std::fs::write(&catalog, catalog_json(GAMES)).unwrap();
    let mut procs: Vec<PeerProc> = (0..PEERS)
        .map(|h| {
            let games = dir.path().join(format!("p{h}/games"));
            // Peer 0 holds an older version of everything; the others agree on the latest.
            write_tiny_library(&games, GAMES, if h == 0 { "100" } else { "200" }).unwrap();
            let mut cmd = lan.command(h, CLI);
            cmd.arg("serve")
                .arg("--catalog")
                .arg(&catalog)
                .arg("--game-dir")
                .arg(&games)
                .arg("--state-dir")
                .arg(dir.path().join(format!("p{h}/state")));
            PeerProc::spawn(&format!("peer{h}"), cmd, dir.path().join(format!("p{h}.log"))).unwrap()
        })
        .collect();
    for p in &mut procs {
        p.wait_event("ready", Duration::from_secs(30), |e| e["event"] == "ready").unwrap();
    }
    let start = Instant::now();
    let seen = wait_until_all_see_all(&mut procs, GAMES, start, Duration::from_secs(60)).unwrap();
    eprintln!("every peer sees every library after {:?}", seen.iter().max().unwrap());
    // Each peer's view carries the others' versions, not just a count.
    procs[0].send(&serde_json::json!({"command": "list_games"})).unwrap();
    let games =
        procs[0].wait_event("games", Duration::from_secs(10), |e| e["event"] == "list_games").unwrap();
    let list = games["games"].as_array().unwrap();
    assert_eq!(list.len(), GAMES, "{games}");
    for g in list {
        assert_eq!((&g["local_version"], &g["latest_version"]), (&"100".into(), &"200".into()), "{g}");
        assert_eq!(g["peer_count"], PEERS - 1, "{g}");
    }
    // Library updates reach the UI coalesced: a handful of ListGames events, not one per
    // remote handshake, delta and manifest digest (hundreds at this size before coalescing).
    for p in &mut procs {
        let lists = p.drain().iter().filter(|e| e["event"] == "list_games").count();
        assert!(lists <= 2 * PEERS, "{}: {lists} list_games events", p.label);
    }
    for p in &mut procs {
        assert!(p.terminate(Duration::from_secs(15)).unwrap().success(), "{} did not stop cleanly", p.label);
    }
}
