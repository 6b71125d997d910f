//! In-process multi-peer tests of the peer runtime: real QUIC and (where named) real mDNS,
//! all on loopback with port 0 and temp dirs.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use lanspread_peer::{GameState, PeerCommand, PeerEvent};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mdns_peers_apply_each_others_snapshot_in_both_directions() {
    let _serial = MDNS_SERIAL.lock().await;
    let mut a = TestPeer::start(PeerSpec::mdns("alpha"), |d| {
        write_game(d, "quake3", "20250314", &[("q3.rar", b"abc")])
    })
    .await;
    let started = Instant::now();
    let mut b =
        TestPeer::start(PeerSpec::mdns("bravo"), |d| write_game(d, "cs16", "1", &[("cs.rar", b"xyz")])).await;
    let a_id = a.handle.peer_id();
    let b_id = b.handle.peer_id();

    // Each side: PeerDiscovered for the other, then a list with the other's game.
    a.wait_for(
        "a discovers b",
        Duration::from_secs(10),
        |e| matches!(e, PeerEvent::PeerDiscovered { peer } if peer.peer_id == b_id),
    )
    .await;
    a.wait_for("a lists cs16", Duration::from_secs(10), |e| lists_remote(e, "cs16")).await;
    b.wait_for(
        "b discovers a",
        Duration::from_secs(10),
        |e| matches!(e, PeerEvent::PeerDiscovered { peer } if peer.peer_id == a_id),
    )
    .await;
    let ev = b.wait_for("b lists quake3", Duration::from_secs(10), |e| lists_remote(e, "quake3")).await;
    eprintln!("remote library visible after {:?}", started.elapsed());

    // The snapshot was applied to the DB before the events: B's DB holds A's game.
    {
        let db = b.db.read().unwrap();
        let rec = db.get(&a_id).expect("b knows a");
        assert_eq!(rec.name, "alpha");
        assert_eq!(rec.games.keys().map(|g| g.as_str()).collect::<Vec<_>>(), ["quake3"]);
    }
    let PeerEvent::ListGames { games } = ev else { unreachable!() };
    let q3 = games.iter().find(|g| g.id.as_str() == "quake3").unwrap();
    assert_eq!(q3.state, GameState::RemoteOnly);
    assert_eq!(q3.latest_version.as_ref().unwrap().as_str(), "20250314");
    let cs = games.iter().find(|g| g.id.as_str() == "cs16").unwrap();
    assert_eq!(cs.state, GameState::LocalOnly, "B's own game is merged in; no peer has it");
    assert_eq!(cs.peer_count, 0);

    // Peer count on request; a clean shutdown of B says goodbye: A reports it lost quickly.
    one_peer_then_goodbye(a, b).await;
}

/// `a` counts one peer (`b`); `b` shuts down cleanly and `a` reports it lost within 10 s.
async fn one_peer_then_goodbye(mut a: TestPeer, b: TestPeer) {
    let b_id = b.handle.peer_id();
    a.handle.command(PeerCommand::GetPeerCount).await.unwrap();
    a.wait_for("count 1", Duration::from_secs(5), |e| matches!(e, PeerEvent::PeerCountUpdated { count: 1 }))
        .await;
    let t = Instant::now();
    b.handle.shutdown().await;
    a.wait_for(
        "b lost",
        Duration::from_secs(10),
        |e| matches!(e, PeerEvent::PeerLost { peer_id, .. } if *peer_id == b_id),
    )
    .await;
    eprintln!("goodbye seen after {:?}", t.elapsed());
    a.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn added_game_folder_reaches_the_other_peer_and_removal_disappears() {
    let _serial = MDNS_SERIAL.lock().await;
    let mut a = TestPeer::start(PeerSpec::mdns("alpha"), |_| {}).await;
    let mut b = TestPeer::start(PeerSpec::mdns("bravo"), |_| {}).await;
    let a_id = a.handle.peer_id();
    b.wait_for(
        "b discovers a",
        Duration::from_secs(10),
        |e| matches!(e, PeerEvent::PeerDiscovered { peer } if peer.peer_id == a_id),
    )
    .await;

    // A game folder appears on A (payload first, version.ini last, as a copy would).
    write_game(&a.game_dir, "ut2004", "3369", &[("ut2004.part1.rar", b"1111"), ("ut2004.part2.rar", b"22")]);
    let t = Instant::now();
    let ev = b.wait_for("b lists ut2004", Duration::from_secs(10), |e| lists_remote(e, "ut2004")).await;
    eprintln!("delta visible after {:?}", t.elapsed());
    let PeerEvent::ListGames { games } = ev else { unreachable!() };
    let ut = games.iter().find(|g| g.id.as_str() == "ut2004").unwrap();
    assert_eq!(ut.size_bytes, 4 + 2 + 5, "payload size includes version.ini");
    a.wait_for("a lists its own ut2004", Duration::from_secs(5), |e| {
        matches!(e, PeerEvent::ListGames { games } if games.iter().any(|g| g.id.as_str() == "ut2004" && g.state == GameState::LocalOnly))
    })
    .await;

    // Removing it makes it disappear on B.
    std::fs::remove_dir_all(a.game_dir.join("ut2004")).unwrap();
    b.wait_for(
        "ut2004 gone on b",
        Duration::from_secs(10),
        |e| matches!(e, PeerEvent::ListGames { games } if !games.iter().any(|g| g.id.as_str() == "ut2004")),
    )
    .await;
    assert!(!b.db.read().unwrap().get(&a_id).unwrap().games.contains_key(&"ut2004".parse().unwrap()));

    // A folder that is not in the catalog is never announced.
    write_game(&a.game_dir, "not-a-catalog-game", "1", &[("x", b"x")]);
    write_game(&a.game_dir, "cs16", "1", &[("cs.rar", b"x")]);
    b.wait_for("cs16 arrives", Duration::from_secs(10), |e| lists_remote(e, "cs16")).await;
    assert!(!b.seen.iter().any(|e| matches!(e, PeerEvent::ListGames { games } if games.iter().any(|g| g.id.as_str() == "not-a-catalog-game"))));
    a.handle.shutdown().await;
    b.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_stops_answering_is_pruned() {
    let mut a = TestPeer::start(PeerSpec::manual("alpha"), |_| {}).await;
    let b =
        TestPeer::start(PeerSpec::manual("bravo"), |d| write_game(d, "quake3", "1", &[("a", b"a")])).await;
    let b_id = b.handle.peer_id();
    a.handle.connect_to(b.handle.local_addr(), b_id).await.unwrap();
    a.wait_for("a lists quake3", Duration::from_secs(5), |e| lists_remote(e, "quake3")).await;

    let t = Instant::now();
    b.handle.kill_silently().await;
    let ev = a
        .wait_for(
            "b lost",
            Duration::from_secs(10),
            |e| matches!(e, PeerEvent::PeerLost { peer_id, .. } if *peer_id == b_id),
        )
        .await;
    eprintln!("silent peer pruned after {:?}: {ev:?}", t.elapsed());
    a.wait_for(
        "quake3 gone",
        Duration::from_secs(5),
        |e| matches!(e, PeerEvent::ListGames { games } if games.is_empty()),
    )
    .await;
    assert_eq!(a.db.read().unwrap().peer_count(), 0);
    a.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_with_another_protocol_version_is_ignored() {
    let _serial = MDNS_SERIAL.lock().await;
    let mut a = TestPeer::start(PeerSpec::mdns("alpha"), |_| {}).await;
    let mut spec = PeerSpec::mdns("future");
    spec.protocol_version = Some(99);
    let mut b = TestPeer::start(spec, |d| write_game(d, "quake3", "1", &[("a", b"a")])).await;

    // Direct connection attempts fail at the ALPN, cleanly.
    let err = a.handle.connect_to(b.handle.local_addr(), b.handle.peer_id()).await.unwrap_err();
    eprintln!("connect to v99 peer: {err}");
    let evs = a.collect_for(Duration::from_secs(3)).await;
    assert!(!evs.iter().any(|e| matches!(e, PeerEvent::PeerDiscovered { .. })), "{evs:?}");
    assert!(!evs.iter().any(|e| lists_remote(e, "quake3")));
    let evs = b.collect_for(Duration::from_millis(200)).await;
    assert!(!evs.iter().any(|e| matches!(e, PeerEvent::PeerDiscovered { .. })));
    assert_eq!(a.db.read().unwrap().peer_count(), 0);
    a.handle.shutdown().await;
    b.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_cannot_claim_another_peers_id() {
    let a = TestPeer::start(PeerSpec::manual("alpha"), |_| {}).await;
    let b = TestPeer::start(PeerSpec::manual("bravo"), |_| {}).await;
    let c = TestPeer::start(PeerSpec::manual("charlie"), |_| {}).await;
    // Dial B's address while expecting C's id: the certificate does not match.
    let err = a.handle.connect_to(b.handle.local_addr(), c.handle.peer_id()).await.unwrap_err();
    assert!(err.message.contains("presented certificate"), "{err:?}");
    assert_eq!(a.db.read().unwrap().peer_count(), 0);
    for p in [a, b, c] {
        p.handle.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_runtime_on_the_same_state_dir_is_refused() {
    let state = tempfile::tempdir().unwrap();
    let games = tempfile::tempdir().unwrap();
    let mk = || {
        let mut o = lanspread_peer::PeerOptions::new(games.path());
        o.state_dir = state.path().to_path_buf();
        o.bind = Some("127.0.0.1".parse().unwrap());
        o.discovery = lanspread_peer::DiscoveryMode::Manual;
        o
    };
    let db = || std::sync::Arc::new(std::sync::RwLock::new(lanspread_peer::PeerGameDB::new()));
    let cat = std::sync::Arc::new(lanspread_proto::Catalog::bundled());
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let first =
        lanspread_peer::start_peer_with(mk(), tx.clone(), db(), std::sync::Arc::new(NoUnpack), cat.clone())
            .await
            .unwrap();
    let err = lanspread_peer::start_peer_with(mk(), tx, db(), std::sync::Arc::new(NoUnpack), cat)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("in use by another lanspread process"), "{err}");
    first.shutdown().await;
}

fn cpu_seconds() -> f64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_peer_does_not_burn_cpu() {
    // Regression: the monitor once re-listed the game directory on every (access) event it
    // caused itself, spinning a core forever.
    let a = TestPeer::start(PeerSpec::manual("idle"), |d| {
        write_game(d, "quake3", "1", &[("a.rar", b"a")]);
        write_game(d, "cs16", "1", &[("b.rar", b"b")]);
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = cpu_seconds();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let used = cpu_seconds() - before;
    eprintln!("idle peer used {used:.3} s of CPU in 3 s");
    assert!(used < 0.3, "an idle peer used {used:.2} s of CPU in 3 s");
    a.handle.shutdown().await;
}

/// The mDNS spoofing attack: a record carrying a real peer's id at another address, then a
/// goodbye for it. The real peer stays connected and listed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spoofed_mdns_record_and_its_goodbye_leave_the_real_peer_listed() {
    let _serial = MDNS_SERIAL.lock().await;
    let mut a = TestPeer::start(PeerSpec::mdns("alpha"), |_| {}).await;
    let b =
        TestPeer::start(PeerSpec::mdns("bravo"), |d| write_game(d, "cs16", "1", &[("cs.rar", b"xyz")])).await;
    let b_id = b.handle.peer_id();
    a.wait_for("a lists cs16", Duration::from_secs(10), |e| lists_remote(e, "cs16")).await;

    // The prankster's laptop: bravo's id, another address, a library revision that makes alpha
    // want to sync (so it dials the wrong address), then a goodbye.
    let spoof_ip = next_loopback();
    let spoofer = lanspread_mdns::Mdns::start(lanspread_mdns::Interfaces::Bind(spoof_ip)).unwrap();
    spoofer
        .advertise(&lanspread_mdns::Advert {
            peer_id: b_id.to_hex(),
            protocol_version: lanspread_proto::PROTOCOL_VERSION,
            port: 9,
            name: "bravo".into(),
            library_rev: 9_999,
            library_digest: "0".repeat(64),
        })
        .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    tokio::task::spawn_blocking(move || spoofer.shutdown(Duration::from_millis(400))).await.unwrap();

    // Long enough for the goodbye check (1 s settle + 1.5 s probe) and then some.
    let seen = a.collect_for(Duration::from_secs(6)).await;
    let lost: Vec<_> = seen
        .iter()
        .filter(|e| matches!(e, PeerEvent::PeerLost { peer_id, .. } if *peer_id == b_id))
        .collect();
    assert!(lost.is_empty(), "the real peer was dropped: {lost:?}");
    // Still one peer; and the real peer's own goodbye still removes it quickly.
    one_peer_then_goodbye(a, b).await;
}
