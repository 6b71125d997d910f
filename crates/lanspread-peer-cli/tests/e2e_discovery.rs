//! End to end with real processes: three `lanspread-peer-cli serve` in three network
//! namespaces on a bridge, real mDNS and QUIC, started with only --game-dir and --state-dir.
#![allow(clippy::unwrap_used)]

use std::{
    path::Path,
    time::{Duration, Instant},
};

use lanspread_testkit::{
    lan::Lan,
    library::{GameSpec, write_game},
    proc::PeerProc,
};
use serde_json::Value;

fn lists_remote(ev: &Value, id: &str) -> bool {
    ev["event"] == "list_games"
        && ev["games"]
            .as_array()
            .is_some_and(|gs| gs.iter().any(|g| g["id"] == id && g["peer_count"].as_u64() > Some(0)))
}

fn serve(lan: &Lan, i: usize, dir: &Path) -> PeerProc {
    let game_dir = dir.join(format!("games{i}"));
    let state_dir = dir.join(format!("state{i}"));
    std::fs::create_dir_all(&game_dir).unwrap();
    let mut cmd = lan.command(i, env!("CARGO_BIN_EXE_lanspread-peer-cli"));
    cmd.arg("serve").arg("--game-dir").arg(&game_dir).arg("--state-dir").arg(&state_dir);
    PeerProc::spawn(&format!("peer{i}"), cmd, dir.join(format!("peer{i}.log"))).unwrap()
}

#[test]
fn three_namespaced_peers_see_each_other_and_notice_changes_and_deaths() {
    let lan = Lan::new(&[None, None, None]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let games = ["quake3", "cs16", "ut2004"];
    for (i, id) in games.iter().enumerate() {
        let mut spec = GameSpec::new(id, "1", 64 << 10);
        spec.raw = true;
        write_game(&dir.path().join(format!("games{i}")), &spec).unwrap();
    }
    let started = Instant::now();
    let mut peers: Vec<PeerProc> = (0..3).map(|i| serve(&lan, i, dir.path())).collect();

    // Every peer sees the two other libraries.
    for (i, p) in peers.iter_mut().enumerate() {
        let others: Vec<&str> = games.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, g)| *g).collect();
        p.wait_event(&format!("{others:?} from the other peers"), Duration::from_secs(15), |e| {
            others.iter().all(|id| lists_remote(e, id))
        })
        .unwrap();
    }
    eprintln!("all three libraries visible everywhere {:?} after start", started.elapsed());

    // Stdin EOF does not stop a peer.
    peers[1].close_stdin();

    // A game folder added on peer 0 reaches the others.
    let mut spec = GameSpec::new("openarena", "088", 32 << 10);
    spec.raw = true;
    write_game(&dir.path().join("games0"), &spec).unwrap();
    let t = Instant::now();
    for p in peers.iter_mut().skip(1) {
        p.wait_event("openarena", Duration::from_secs(10), |e| lists_remote(e, "openarena")).unwrap();
    }
    eprintln!("added folder visible after {:?}", t.elapsed());

    // Killing peer 2 (no goodbye) makes the others report it lost within 10 s.
    let dead_id = peers[0]
        .seen
        .iter()
        .find(|e| {
            e["event"] == "peer_discovered"
                && e["peer"]["games"].as_array().is_some_and(|g| g.iter().any(|x| x == "ut2004"))
        })
        .map(|e| e["peer"]["peer_id"].clone())
        .expect("peer0 discovered peer2");
    let t = Instant::now();
    peers[2].kill9();
    for p in peers.iter_mut().take(2) {
        p.wait_event("peer_lost of peer2", Duration::from_secs(10), |e| {
            e["event"] == "peer_lost" && e["peer_id"] == dead_id
        })
        .unwrap();
    }
    eprintln!("killed peer reported lost after {:?}", t.elapsed());

    // Clean shutdown: SIGTERM → exit 0.
    for p in peers.iter_mut().take(2) {
        let st = p.terminate(Duration::from_secs(10)).unwrap();
        assert!(st.success(), "{}: {st}", p.label);
    }
}

/// Drops multicast and broadcast in and out of host `i` (a switch that eats discovery packets).
fn drop_discovery_packets(lan: &Lan, i: usize) {
    let rules: [&[&str]; 4] = [
        &["-A", "INPUT", "-d", "224.0.0.0/4", "-j", "DROP"],
        &["-A", "OUTPUT", "-d", "224.0.0.0/4", "-j", "DROP"],
        &["-A", "INPUT", "-m", "pkttype", "--pkt-type", "broadcast", "-j", "DROP"],
        &["-A", "OUTPUT", "-m", "pkttype", "--pkt-type", "broadcast", "-j", "DROP"],
    ];
    for rule in rules {
        let out = lan.command(i, "iptables").args(rule).output().unwrap();
        assert!(out.status.success(), "iptables {rule:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Packets host `i`'s OUTPUT rule for 224.0.0.0/4 dropped.
fn dropped_multicast(lan: &Lan, i: usize) -> u64 {
    let out = lan.command(i, "iptables").args(["-L", "OUTPUT", "-v", "-x", "-n"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("DROP") && l.contains("224.0.0.0/4"))
        .filter_map(|l| l.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// Multicast and broadcast dropped on every host: peers started with `--peer` pointing at one
/// of them meet each other through peer exchange and see every library.
#[test]
fn with_discovery_packets_dropped_one_typed_address_is_enough_to_meet_everyone() {
    let lan = Lan::new(&[None, None, None, None]).unwrap();
    for i in 0..4 {
        drop_discovery_packets(&lan, i);
    }
    let dir = tempfile::tempdir().unwrap();
    let games = ["quake3", "cs16", "ut2004", "openarena"];
    for (i, id) in games.iter().enumerate() {
        let mut spec = GameSpec::new(id, "1", 64 << 10);
        spec.raw = true;
        write_game(&dir.path().join(format!("games{i}")), &spec).unwrap();
    }
    let mut first = serve(&lan, 0, dir.path());
    let ready = first.wait_event("ready", Duration::from_secs(10), |e| e["event"] == "ready").unwrap();
    let port: u16 = ready["addr"].as_str().unwrap().rsplit(':').next().unwrap().parse().unwrap();
    let typed = format!("{}:{port}", lan.hosts[0].ip);
    let started = Instant::now();
    let mut peers = vec![first];
    for i in 1..4 {
        let game_dir = dir.path().join(format!("games{i}"));
        let mut cmd = lan.command(i, env!("CARGO_BIN_EXE_lanspread-peer-cli"));
        cmd.arg("serve")
            .arg("--game-dir")
            .arg(&game_dir)
            .arg("--state-dir")
            .arg(dir.path().join(format!("state{i}")))
            .arg("--peer")
            .arg(&typed);
        peers.push(
            PeerProc::spawn(&format!("peer{i}"), cmd, dir.path().join(format!("peer{i}.log"))).unwrap(),
        );
    }
    for (i, p) in peers.iter_mut().enumerate() {
        let others: Vec<&str> = games.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, g)| *g).collect();
        p.wait_event(&format!("{others:?} without multicast"), Duration::from_secs(15), |e| {
            others.iter().all(|id| lists_remote(e, id))
        })
        .unwrap();
    }
    let took = started.elapsed();
    eprintln!(
        "four peers, multicast and broadcast dropped: all libraries everywhere {took:?} after the last start"
    );
    // mDNS did try, and the rules dropped it: the peers met through the typed address and
    // peer exchange.
    let dropped: u64 = (0..4).map(|i| dropped_multicast(&lan, i)).sum();
    eprintln!("multicast packets dropped on the way out: {dropped}");
    assert!(dropped > 0, "mDNS never sent anything, so the test proves nothing");
    assert!(took <= Duration::from_secs(3), "took {took:?}; the budget is 3 s");
    for p in &mut peers {
        p.terminate(Duration::from_secs(10)).unwrap();
    }
}

/// `doctor` on one host, a peer on another: it names its interfaces, the peer it heard over
/// mDNS and connected to, and tests two connections: the peer's address (answers, with its
/// name) and an address where nothing answers (why, in words).
#[test]
fn doctor_reports_interfaces_who_it_heard_who_connected_and_why_the_others_did_not() {
    let lan = Lan::new(&[None, None]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut spec = GameSpec::new("quake3", "1", 64 << 10);
    spec.raw = true;
    write_game(&dir.path().join("games1"), &spec).unwrap();
    let mut cmd = lan.command(1, env!("CARGO_BIN_EXE_lanspread-peer-cli"));
    cmd.args(["serve", "--name", "seedbox", "--game-dir"])
        .arg(dir.path().join("games1"))
        .arg("--state-dir")
        .arg(dir.path().join("state1"));
    let mut other = PeerProc::spawn("seedbox", cmd, dir.path().join("seedbox.log")).unwrap();
    let ready = other.wait_event("ready", Duration::from_secs(10), |e| e["event"] == "ready").unwrap();
    let other_id = ready["peer_id"].clone();
    let port = ready["addr"].as_str().unwrap().rsplit(':').next().unwrap().to_string();
    let live = format!("{}:{port}", lan.hosts[1].ip);
    let dead = format!("{}:9", lan.hosts[1].ip);
    std::fs::create_dir_all(dir.path().join("games0")).unwrap();
    let out = lan
        .command(0, env!("CARGO_BIN_EXE_lanspread-peer-cli"))
        .args(["doctor", "--seconds", "2", "--test", &dead, "--test", &live, "--game-dir"])
        .arg(dir.path().join("games0"))
        .arg("--state-dir")
        .arg(dir.path().join("state0"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let own_ip = lan.hosts[0].ip.to_string();
    assert!(doc["interfaces"].as_array().unwrap().iter().any(|i| i["ip"] == own_ip), "{doc}");
    assert!(doc["port"].as_u64().unwrap() > 0);
    let heard = doc["heard"].as_array().unwrap();
    assert!(heard.iter().any(|h| h["via"] == "mdns" && h["peer_id"] == other_id), "{doc}");
    let connected = doc["connected"].as_array().unwrap();
    assert!(connected.iter().any(|c| c["peer_id"] == other_id && c["games"] == 1), "{doc}");
    let tests = doc["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 2, "{doc}");
    let test = |addr: &str| tests.iter().find(|t| t["addr"] == addr).unwrap_or_else(|| panic!("{doc}"));
    let (d, l) = (test(&dead), test(&live));
    assert_eq!(d["reachable"], false, "{doc}");
    assert!(d["peer_id"].is_null(), "{doc}");
    let words = d["message"].as_str().unwrap();
    assert!(words.starts_with(&format!("No answer from {dead}:")) && words.contains("UDP port 9"), "{words}");
    assert!(d["millis"].as_u64().unwrap() >= 3_000, "the dial waited for its timeout: {doc}");
    assert_eq!(l["reachable"], true, "{doc}");
    assert_eq!(l["peer_id"], other_id, "{doc}");
    assert_eq!(l["name"], "seedbox", "{doc}");
    assert!(
        l["message"].as_str().unwrap().starts_with(&format!("Connected to seedbox at {live} in ")),
        "{doc}"
    );
    // Listening was 2 s, but the dead address's test (4 s dial timeout) was waited for.
    assert!(stderr.contains("Connected to 1 peer(s).") && stderr.contains(words), "{stderr}");
    other.terminate(Duration::from_secs(10)).unwrap();
}

/// Drops multicast in and out of host `i` (a switch or access point that eats mDNS).
fn drop_multicast(lan: &Lan, i: usize) {
    for rule in [
        ["-A", "INPUT", "-d", "224.0.0.0/4", "-j", "DROP"],
        ["-A", "OUTPUT", "-d", "224.0.0.0/4", "-j", "DROP"],
    ] {
        let out = lan.command(i, "iptables").args(rule).output().unwrap();
        assert!(out.status.success(), "iptables {rule:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Starts `serve` on hosts `0..n` (no --peer), waits until every peer lists every other
/// library, and returns the time from the last start.
fn all_meet(lan: &Lan, dir: &Path, n: usize, budget: Duration) -> (Vec<PeerProc>, Duration) {
    let games = ["quake3", "cs16", "ut2004", "openarena"];
    for (i, id) in games.iter().enumerate().take(n) {
        let mut spec = GameSpec::new(id, "1", 64 << 10);
        spec.raw = true;
        write_game(&dir.join(format!("games{i}")), &spec).unwrap();
    }
    let mut peers: Vec<PeerProc> = (0..n).map(|i| serve(lan, i, dir)).collect();
    let started = Instant::now();
    for (i, p) in peers.iter_mut().enumerate() {
        let others: Vec<&str> =
            games.iter().take(n).enumerate().filter(|(j, _)| *j != i).map(|(_, g)| *g).collect();
        p.wait_event(&format!("{others:?} on peer {i}"), budget + Duration::from_secs(10), |e| {
            others.iter().all(|id| lists_remote(e, id))
        })
        .unwrap();
    }
    (peers, started.elapsed())
}

/// Multicast dropped on every host (mDNS is dead): the broadcast beacon alone brings four
/// peers together within 2 s of the last start.
#[test]
fn with_multicast_dropped_the_broadcast_beacon_meets_everyone_within_two_seconds() {
    let lan = Lan::new(&[None, None, None, None]).unwrap();
    for i in 0..4 {
        drop_multicast(&lan, i);
    }
    let dir = tempfile::tempdir().unwrap();
    let (mut peers, took) = all_meet(&lan, dir.path(), 4, Duration::from_secs(2));
    eprintln!("four peers, multicast dropped: all libraries everywhere {took:?} after the last start");
    let dropped: u64 = (0..4).map(|i| dropped_multicast(&lan, i)).sum();
    assert!(dropped > 0, "mDNS never sent anything, so the test proves nothing");
    assert!(took <= Duration::from_secs(2), "took {took:?}; the budget is 2 s");
    for p in &mut peers {
        p.terminate(Duration::from_secs(10)).unwrap();
    }
}

/// A bare switch without DHCP: link-local addresses only. Peers meet (mDNS and beacon) and
/// download from each other.
#[test]
fn hosts_with_link_local_addresses_only_meet_and_download() {
    let lan = Lan::link_local(2).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (mut peers, took) = all_meet(&lan, dir.path(), 2, Duration::from_secs(5));
    eprintln!("two link-local peers met {took:?} after the last start");
    let mut cmd = lan.command(1, env!("CARGO_BIN_EXE_lanspread-peer-cli"));
    let got = cmd
        .args(["get", "quake3", "--no-install", "--timeout", "30", "--game-dir"])
        .arg(dir.path().join("leech"))
        .arg("--state-dir")
        .arg(dir.path().join("leech-state"))
        .output()
        .unwrap();
    assert!(got.status.success(), "{}", String::from_utf8_lossy(&got.stderr));
    let last = lanspread_testkit::proc::last_json_line(&got.stdout);
    assert_eq!(last["event"], "finished", "{last}");
    for p in &mut peers {
        p.terminate(Duration::from_secs(10)).unwrap();
    }
}

/// A host with a second interface nobody else is on, and a third one that is down: discovery
/// and downloads still work, and `doctor` names the interfaces.
#[test]
fn a_second_interface_on_another_subnet_or_down_blocks_nothing() {
    let lan = Lan::new(&[None, None]).unwrap();
    for (name, addr, up) in [("lsx0", "10.99.0.1/24", true), ("lsx1", "10.98.0.1/24", false)] {
        let run = |args: &[&str]| {
            let out = lan.command(0, "ip").args(args).output().unwrap();
            assert!(out.status.success(), "ip {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        // A veth pair inside the host: a second network nobody else is on.
        let other_end = format!("{name}p");
        run(&["link", "add", name, "type", "veth", "peer", "name", &other_end]);
        run(&["addr", "add", addr, "brd", "+", "dev", name]);
        if up {
            run(&["link", "set", name, "up"]);
            run(&["link", "set", &other_end, "up"]);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (mut peers, took) = all_meet(&lan, dir.path(), 2, Duration::from_secs(5));
    eprintln!("two peers, one with an extra live and a dead interface, met {took:?} after the last start");
    let mut cmd = lan.command(0, env!("CARGO_BIN_EXE_lanspread-peer-cli"));
    let got = cmd
        .args(["get", "cs16", "--no-install", "--timeout", "30", "--game-dir"])
        .arg(dir.path().join("leech"))
        .arg("--state-dir")
        .arg(dir.path().join("leech-state"))
        .output()
        .unwrap();
    assert!(got.status.success(), "{}", String::from_utf8_lossy(&got.stderr));
    let mut cmd = lan.command(0, env!("CARGO_BIN_EXE_lanspread-peer-cli"));
    let doctor = cmd
        .args(["doctor", "--seconds", "3", "--game-dir"])
        .arg(dir.path().join("doctor"))
        .arg("--state-dir")
        .arg(dir.path().join("doctor-state"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&doctor.stdout).unwrap();
    let text = report["interfaces"].to_string();
    assert!(text.contains("eth0") && text.contains("lsx0"), "doctor names both live interfaces: {text}");
    assert!(report["heard"].to_string().contains("beacon"), "and hears the beacon: {report}");
    for p in &mut peers {
        p.terminate(Duration::from_secs(10)).unwrap();
    }
}
