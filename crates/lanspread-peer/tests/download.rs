//! The download pipeline in-process: several real peers on loopback (QUIC), manual discovery.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use lanspread_peer::{GameState, PeerCommand, PeerEvent};

const MIB: usize = 1 << 20;

fn game_files(seed: u64) -> Vec<(String, Vec<u8>)> {
    vec![
        ("ut2004.part1.rar".into(), bytes(seed, 5 * MIB + 123)),
        ("ut2004.part2.rar".into(), bytes(seed + 1, 3 * MIB)),
        ("docs/readme.nfo".into(), b"hello".to_vec()),
        ("empty.bin".into(), Vec::new()),
    ]
}

fn seed_game(dir: &std::path::Path, files: &[(String, Vec<u8>)]) {
    let f: Vec<(&str, &[u8])> = files.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
    write_game(dir, "ut2004", "3369", &f);
}

async fn wait_finished(p: &mut TestPeer, t: Duration) -> PeerEvent {
    p.wait_for("download finished", t, |e| {
        matches!(e, PeerEvent::DownloadGameFilesFinished { .. } | PeerEvent::DownloadGameFilesFailed { .. })
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_from_three_peers_byte_identical_and_becomes_a_seeder() {
    let files = game_files(1);
    let s1 = TestPeer::start(PeerSpec::manual("s1"), |d| seed_game(d, &files)).await;
    let s2 = TestPeer::start(PeerSpec::manual("s2"), |d| seed_game(d, &files)).await;
    let s3 = TestPeer::start(PeerSpec::manual("s3"), |d| seed_game(d, &files)).await;
    let mut dl = TestPeer::start(PeerSpec::manual("dl"), |_| {}).await;
    connect_all(&dl, &[&s1, &s2, &s3]).await;
    dl.wait_for("3 holders", Duration::from_secs(5), |e| {
        matches!(e, PeerEvent::ListGames { games } if games.iter().any(|g| g.id.as_str() == "ut2004" && g.peer_count == 3))
    })
    .await;

    let t = Instant::now();
    dl.handle
        .command(PeerCommand::GetGame {
            id: "ut2004".parse().unwrap(),
            download: true,
            accept_unverified: false,
        })
        .await
        .unwrap();
    let got = dl
        .wait_for("got files", Duration::from_secs(10), |e| matches!(e, PeerEvent::GotGameFiles { .. }))
        .await;
    let PeerEvent::GotGameFiles { peers, total_bytes, .. } = got else { unreachable!() };
    assert_eq!(peers.len(), 3, "all three agree");
    assert_eq!(total_bytes as usize, 8 * MIB + 123 + 5 + 5);
    let fin = wait_finished(&mut dl, Duration::from_secs(60)).await;
    let PeerEvent::DownloadGameFilesFinished { bytes, peers, .. } = fin else { panic!("{fin:?}") };
    eprintln!("downloaded {bytes} bytes from {} peers in {:?}", peers.len(), t.elapsed());
    assert!(peers.len() >= 2, "more than one peer delivered data: {peers:?}");
    same_payload(&s1.game_dir.join("ut2004"), &dl.game_dir.join("ut2004")).unwrap();
    assert!(!dl.game_dir.join("ut2004/.lanspread").exists(), "download state removed after commit");
    assert!(!dl.game_dir.join("ut2004/.version.ini.tmp").exists());

    // Progress events were emitted with sane numbers.
    let progress: Vec<_> = dl
        .seen
        .iter()
        .filter_map(|e| if let PeerEvent::DownloadGameFilesProgress(p) = e { Some(p.clone()) } else { None })
        .collect();
    assert!(progress.iter().all(|p| p.bytes_done <= p.total_bytes));

    // It now announces the game and serves it to a fourth peer.
    let mut late = TestPeer::start(PeerSpec::manual("late"), |_| {}).await;
    connect_all(&late, &[&dl]).await;
    late.handle
        .command(PeerCommand::GetGame {
            id: "ut2004".parse().unwrap(),
            download: true,
            accept_unverified: false,
        })
        .await
        .unwrap();
    let fin = wait_finished(&mut late, Duration::from_secs(60)).await;
    assert!(matches!(fin, PeerEvent::DownloadGameFilesFinished { .. }), "{fin:?}");
    same_payload(&s1.game_dir.join("ut2004"), &late.game_dir.join("ut2004")).unwrap();
    let entry_state = late
        .seen
        .iter()
        .rev()
        .find_map(|e| match e {
            PeerEvent::ListGames { games } => {
                games.iter().find(|g| g.id.as_str() == "ut2004").map(|g| g.state)
            }
            _ => None,
        })
        .unwrap();
    assert_eq!(entry_state, GameState::Downloaded);
    for p in [s1, s2, s3, dl, late] {
        p.handle.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seeder_killed_mid_transfer_does_not_stop_the_download() {
    let files = vec![("big.bin".to_string(), bytes(7, 40 * MIB))];
    let s1 = TestPeer::start(PeerSpec::slow("s1", 10_000_000), |d| seed_game(d, &files)).await;
    let s2 = TestPeer::start(PeerSpec::slow("s2", 10_000_000), |d| seed_game(d, &files)).await;
    let mut dl = TestPeer::start(PeerSpec::manual("dl"), |_| {}).await;
    connect_all(&dl, &[&s1, &s2]).await;
    dl.handle
        .command(PeerCommand::GetGame {
            id: "ut2004".parse().unwrap(),
            download: true,
            accept_unverified: false,
        })
        .await
        .unwrap();
    dl.wait_for(
        "some progress",
        Duration::from_secs(20),
        |e| matches!(e, PeerEvent::DownloadGameFilesProgress(p) if p.bytes_done > 4 * MIB as u64),
    )
    .await;
    s1.handle.kill_silently().await;
    let fin = wait_finished(&mut dl, Duration::from_secs(90)).await;
    assert!(matches!(fin, PeerEvent::DownloadGameFilesFinished { .. }), "{fin:?}");
    same_payload(&s2.game_dir.join("ut2004"), &dl.game_dir.join("ut2004")).unwrap();
    s2.handle.shutdown().await;
    dl.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_serving_corrupt_data_is_detected_reported_and_bypassed() {
    let files = vec![("data.pak".to_string(), bytes(3, 12 * MIB))];
    // The honest seeders serve 4 MB/s each, so the download cannot finish before the fast
    // liar has been asked for chunks (on a fast loopback it once did, and nothing was caught).
    let good1 = TestPeer::start(PeerSpec::slow("good1", 4_000_000), |d| seed_game(d, &files)).await;
    let good2 = TestPeer::start(PeerSpec::slow("good2", 4_000_000), |d| seed_game(d, &files)).await;
    let liar = TestPeer::start(PeerSpec::manual("liar"), |d| seed_game(d, &files)).await;
    // Let the liar hash its honest copy, then corrupt bytes behind its hash cache's back
    // (same size, mtime restored): it keeps announcing the agreed manifest but serves garbage.
    let mut probe = TestPeer::start(PeerSpec::manual("probe"), |_| {}).await;
    connect_all(&probe, &[&liar]).await;
    probe
        .handle
        .command(PeerCommand::GetGame {
            id: "ut2004".parse().unwrap(),
            download: false,
            accept_unverified: false,
        })
        .await
        .unwrap();
    probe
        .wait_for("manifest", Duration::from_secs(10), |e| matches!(e, PeerEvent::GotGameFiles { .. }))
        .await;
    let path = liar.game_dir.join("ut2004/data.pak");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let mut data = std::fs::read(&path).unwrap();
    for b in data.iter_mut().step_by(4096) {
        *b ^= 0xff;
    }
    std::fs::write(&path, &data).unwrap();
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(mtime).unwrap();

    let mut dl = TestPeer::start(PeerSpec::manual("dl"), |_| {}).await;
    connect_all(&dl, &[&good1, &good2, &liar]).await;
    dl.handle
        .command(PeerCommand::GetGame {
            id: "ut2004".parse().unwrap(),
            download: true,
            accept_unverified: false,
        })
        .await
        .unwrap();
    let fin = wait_finished(&mut dl, Duration::from_secs(60)).await;
    assert!(matches!(fin, PeerEvent::DownloadGameFilesFinished { .. }), "{fin:?}");
    same_payload(&good1.game_dir.join("ut2004"), &dl.game_dir.join("ut2004")).unwrap();
    let liar_id = liar.handle.peer_id();
    let reported = dl.seen.iter().find_map(|e| match e {
        PeerEvent::PeerMisbehaved { peer_id, reason, .. } if *peer_id == liar_id => Some(reason.clone()),
        _ => None,
    });
    assert!(reported.as_deref().is_some_and(|r| r.contains("verification")), "{reported:?}");
    assert!(dl.db.read().unwrap().is_banned(&liar_id, &"ut2004".parse().unwrap()));
    for p in [good1, good2, liar, probe, dl] {
        p.handle.shutdown().await;
    }
}

/// A slow seeder (16 MB/s) of ut2004 with `files` and a downloader that fetched more than
/// `at` bytes of it and was then cancelled; returns them, the game id and the downloader's
/// end event.
async fn cancelled_after(
    files: &[(String, Vec<u8>)],
    at: usize,
) -> (TestPeer, TestPeer, lanspread_proto::GameId, PeerEvent) {
    let s1 = TestPeer::start(PeerSpec::slow("s1", 16_000_000), |d| seed_game(d, files)).await;
    let mut dl = TestPeer::start(PeerSpec::manual("dl"), |_| {}).await;
    connect_all(&dl, &[&s1]).await;
    let id: lanspread_proto::GameId = "ut2004".parse().unwrap();
    dl.handle
        .command(PeerCommand::GetGame { id: id.clone(), download: true, accept_unverified: false })
        .await
        .unwrap();
    dl.wait_for(
        "progress",
        Duration::from_secs(20),
        |e| matches!(e, PeerEvent::DownloadGameFilesProgress(p) if p.bytes_done > at as u64),
    )
    .await;
    dl.handle.command(PeerCommand::Cancel { id: id.clone() }).await.unwrap();
    let end = wait_finished(&mut dl, Duration::from_secs(10)).await;
    (s1, dl, id, end)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_download_pauses_and_resumes_without_refetching_verified_chunks() {
    let files = vec![("big.bin".to_string(), bytes(9, 48 * MIB))];
    let (s1, mut dl, id, failed) = cancelled_after(&files, 10 * MIB).await;
    let PeerEvent::DownloadGameFilesFailed { error, .. } = failed else { panic!("{failed:?}") };
    assert_eq!(error.kind, lanspread_peer::ErrorKind::Cancelled);
    let paused = dl
        .wait_for("paused", Duration::from_secs(5), |e| {
            matches!(e, PeerEvent::ListGames { games } if games.iter().any(|g| g.id == id && g.state == GameState::Paused))
        })
        .await;
    let PeerEvent::ListGames { games } = paused else { unreachable!() };
    let kept = games.iter().find(|g| g.id == id).unwrap().downloaded_bytes.unwrap();
    assert!(kept >= 10 * MIB as u64, "kept {kept}");
    assert!(!dl.game_dir.join("ut2004/version.ini").exists());

    dl.handle
        .command(PeerCommand::GetGame { id: id.clone(), download: true, accept_unverified: false })
        .await
        .unwrap();
    let begin = dl
        .wait_for("begin", Duration::from_secs(10), |e| matches!(e, PeerEvent::DownloadGameFilesBegin { .. }))
        .await;
    let PeerEvent::DownloadGameFilesBegin { verified_bytes, .. } = begin else { unreachable!() };
    assert!(verified_bytes >= 10 * MIB as u64, "resume starts from {verified_bytes}");
    let fin = wait_finished(&mut dl, Duration::from_secs(60)).await;
    let PeerEvent::DownloadGameFilesFinished { bytes, .. } = fin else { panic!("{fin:?}") };
    assert_eq!(bytes + verified_bytes, 48 * MIB as u64 + 5, "only unverified chunks were fetched again");
    same_payload(&s1.game_dir.join("ut2004"), &dl.game_dir.join("ut2004")).unwrap();
    s1.handle.shutdown().await;
    dl.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_replaces_stale_payload_and_keeps_the_install() {
    let v1 = [("a.part1.rar".to_string(), bytes(1, 2 * MIB)), ("a.part2.rar".to_string(), bytes(2, MIB))];
    let v2 = [("a.part1.rar".to_string(), bytes(1, 2 * MIB)), ("b.rar".to_string(), bytes(5, MIB))];
    // Two hosts hold the update: with version 3369 here, one host alone would only offer it.
    let seed = |d: &std::path::Path| {
        let f: Vec<(&str, &[u8])> = v2.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
        write_game(d, "ut2004", "3370", &f);
    };
    let seeder = TestPeer::start(PeerSpec::manual("s"), seed).await;
    let seeder2 = TestPeer::start(PeerSpec::manual("s2"), seed).await;
    let mut dl = TestPeer::start(PeerSpec::manual("dl"), |d| {
        let f: Vec<(&str, &[u8])> = v1.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
        write_game(d, "ut2004", "3369", &f);
        std::fs::create_dir_all(d.join("ut2004/local")).unwrap();
        std::fs::write(d.join("ut2004/local/save.dat"), b"my save").unwrap();
    })
    .await;
    connect_all(&dl, &[&seeder, &seeder2]).await;
    dl.wait_for("update available", Duration::from_secs(5), |e| {
        matches!(e, PeerEvent::ListGames { games } if games.iter().any(|g| g.state == GameState::UpdateAvailable))
    })
    .await;
    dl.handle
        .command(PeerCommand::FetchLatestFromPeers {
            id: "ut2004".parse().unwrap(),
            download: true,
            accept_unverified: false,
        })
        .await
        .unwrap();
    let fin = wait_finished(&mut dl, Duration::from_secs(30)).await;
    let PeerEvent::DownloadGameFilesFinished { bytes, .. } = fin else { panic!("{fin:?}") };
    assert_eq!(bytes as usize, MIB + 5, "the unchanged part1 was reused after verification");
    same_payload(&seeder.game_dir.join("ut2004"), &dl.game_dir.join("ut2004")).unwrap();
    assert_eq!(std::fs::read(dl.game_dir.join("ut2004/local/save.dat")).unwrap(), b"my save");
    seeder2.handle.shutdown().await;
    seeder.handle.shutdown().await;
    dl.handle.shutdown().await;
}

async fn install(p: &mut TestPeer, id: &str) -> PeerEvent {
    p.handle.command(PeerCommand::InstallGame { id: id.parse().unwrap() }).await.unwrap();
    p.wait_for("install done", Duration::from_secs(20), |e| {
        matches!(e, PeerEvent::InstallGameFinished { .. } | PeerEvent::InstallGameFailed { .. })
    })
    .await
}

async fn wait_entry(
    p: &mut TestPeer,
    what: &str,
    pred: impl Fn(&lanspread_peer::GameEntry) -> bool,
) -> lanspread_peer::GameEntry {
    let of = |games: &[lanspread_peer::GameEntry]| games.iter().find(|g| g.id.as_str() == "ut2004").cloned();
    // The newest list already seen may be the answer (it came before the event waited on last).
    let last = p.seen.iter().rev().find_map(|e| match e {
        PeerEvent::ListGames { games } => Some(of(games)),
        _ => None,
    });
    if let Some(Some(g)) = last
        && pred(&g)
    {
        return g;
    }
    let ev = p
        .wait_for(what, Duration::from_secs(10), |e| {
            matches!(e, PeerEvent::ListGames { games } if games.iter().any(|g| g.id.as_str() == "ut2004" && pred(g)))
        })
        .await;
    let PeerEvent::ListGames { games } = ev else { unreachable!() };
    of(&games).unwrap()
}

/// With auto-install off, a downloaded update never dead-ends: the library knows which version
/// `local/` holds, offers "Install update" (state `update_downloaded`) without any peer, and
/// installing it carries the player's data over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_downloaded_update_is_known_and_installs_without_peers() {
    let v1 = [("data/a.bin".to_string(), bytes(1, MIB)), ("data/old.bin".to_string(), bytes(2, 1000))];
    let v2 = [("data/a.bin".to_string(), bytes(3, MIB)), ("data/new.bin".to_string(), bytes(4, 2000))];
    let seed = |d: &std::path::Path| {
        let f: Vec<(&str, &[u8])> = v2.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
        write_game(d, "ut2004", "3370", &f);
    };
    let seeder = TestPeer::start(PeerSpec::manual("s"), seed).await;
    let seeder2 = TestPeer::start(PeerSpec::manual("s2"), seed).await;
    let mut dl = TestPeer::start(PeerSpec::manual("dl"), |d| {
        let f: Vec<(&str, &[u8])> = v1.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
        write_game(d, "ut2004", "3369", &f);
    })
    .await;
    let root = dl.game_dir.join("ut2004");
    let fin = install(&mut dl, "ut2004").await;
    assert!(matches!(fin, PeerEvent::InstallGameFinished { .. }), "{fin:?}");
    let e = wait_entry(&mut dl, "v1 installed", |g| g.installed).await;
    assert_eq!((e.state, e.installed_version.as_deref()), (GameState::LocalOnly, Some("3369")));
    std::fs::write(root.join("local/save.dat"), b"my save").unwrap();

    connect_all(&dl, &[&seeder, &seeder2]).await;
    wait_entry(&mut dl, "update available", |g| g.state == GameState::UpdateAvailable).await;
    dl.handle
        .command(PeerCommand::FetchLatestFromPeers {
            id: "ut2004".parse().unwrap(),
            download: true,
            accept_unverified: false,
        })
        .await
        .unwrap();
    let fin = wait_finished(&mut dl, Duration::from_secs(30)).await;
    assert!(matches!(fin, PeerEvent::DownloadGameFilesFinished { .. }), "{fin:?}");
    // The peers go away: installing what is on disk needs none of them.
    seeder.handle.shutdown().await;
    seeder2.handle.shutdown().await;
    let e = wait_entry(&mut dl, "update downloaded", |g| g.state == GameState::UpdateDownloaded).await;
    assert_eq!(e.installed_version.as_deref(), Some("3369"));
    assert_eq!(e.local_version.as_ref().map(|v| v.as_str()), Some("3370"));
    assert_eq!(std::fs::read(root.join("local/data/a.bin")).unwrap(), v1[0].1, "v1 still installed");

    let fin = install(&mut dl, "ut2004").await;
    let PeerEvent::InstallGameFinished { carried_over, .. } = fin else { panic!("{fin:?}") };
    assert_eq!(carried_over, vec!["save.dat".to_string()]);
    let e = wait_entry(&mut dl, "v2 installed", |g| g.installed_version.as_deref() == Some("3370")).await;
    assert_ne!(e.state, GameState::UpdateDownloaded);
    assert_eq!(std::fs::read(root.join("local/data/a.bin")).unwrap(), v2[0].1);
    assert_eq!(std::fs::read(root.join("local/data/new.bin")).unwrap(), v2[1].1);
    assert!(!root.join("local/data/old.bin").exists(), "a file v2 no longer ships is dropped");
    assert_eq!(std::fs::read(root.join("local/save.dat")).unwrap(), b"my save");
    dl.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_tampering_while_stopped_ends_byte_identical() {
    let files: Vec<(String, Vec<u8>)> =
        (0..4).map(|i| (format!("data{i}.bin"), bytes(40 + i, 6 * MIB))).collect();
    let (s1, mut dl, id, _) = cancelled_after(&files, 12 * MIB).await;
    // Which files have verified chunks saved: tamper with three of them while stopped.
    let root = dl.game_dir.join("ut2004");
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join(".lanspread/download.json")).unwrap()).unwrap();
    let with_bits: Vec<String> = state["verified"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(p, bits)| p.starts_with("data") && bits.as_str().unwrap().chars().any(|c| c != '0'))
        .map(|(p, _)| p.clone())
        .collect();
    assert!(with_bits.len() >= 3, "need three files with verified chunks: {with_bits:?}");
    std::fs::remove_file(root.join(&with_bits[0])).unwrap();
    let f = std::fs::OpenOptions::new().write(true).open(root.join(&with_bits[1])).unwrap();
    f.set_len(MIB as u64 / 2).unwrap();
    drop(f);
    std::fs::write(root.join(&with_bits[2]), bytes(99, 6 * MIB)).unwrap();

    dl.handle
        .command(PeerCommand::GetGame { id: id.clone(), download: true, accept_unverified: false })
        .await
        .unwrap();
    let fin = wait_finished(&mut dl, Duration::from_secs(60)).await;
    assert!(matches!(fin, PeerEvent::DownloadGameFilesFinished { .. }), "{fin:?}");
    same_payload(&s1.game_dir.join("ut2004"), &root).unwrap();
    s1.handle.shutdown().await;
    dl.handle.shutdown().await;
}

async fn get(p: &TestPeer, id: &str) {
    p.handle
        .command(PeerCommand::GetGame { id: id.parse().unwrap(), download: true, accept_unverified: true })
        .await
        .unwrap();
}

/// Caps set on a running peer change the rate of a download already running: the download
/// cap on the receiving side, the upload cap on the sending side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caps_change_the_rate_of_a_running_download() {
    let files: Vec<(String, Vec<u8>)> =
        (0..4).map(|i| (format!("d{i}.bin"), bytes(60 + i, 3 * MIB))).collect();
    let s = TestPeer::start(PeerSpec::manual("s"), |d| seed_game(d, &files)).await;
    for (side, cap_sender) in [("download", false), ("upload", true)] {
        let mut dl = TestPeer::start(PeerSpec::manual("dl"), |_| {}).await;
        connect_all(&dl, &[&s]).await;
        dl.wait_for("listed", Duration::from_secs(5), |e| lists_remote(e, "ut2004")).await;
        get(&dl, "ut2004").await;
        dl.wait_for("begin", Duration::from_secs(10), |e| {
            matches!(e, PeerEvent::DownloadGameFilesBegin { .. })
        })
        .await;
        let t = Instant::now();
        let cap = PeerCommand::SetLimits {
            upload: cap_sender.then_some(2 * MIB as u64),
            download: (!cap_sender).then_some(2 * MIB as u64),
        };
        if cap_sender {
            s.handle.command(cap).await.unwrap()
        } else {
            dl.handle.command(cap).await.unwrap()
        }
        let fin = wait_finished(&mut dl, Duration::from_secs(30)).await;
        assert!(matches!(fin, PeerEvent::DownloadGameFilesFinished { .. }), "{fin:?}");
        let took = t.elapsed();
        // 12 MiB at 2 MiB/s: ~6 s less whatever had arrived before the cap (loopback is fast,
        // so allow most of it); uncapped this takes well under a second.
        assert!(took > Duration::from_secs(3), "{side} cap: finished in {took:?}");
        same_payload(&s.game_dir.join("ut2004"), &dl.game_dir.join("ut2004")).unwrap();
        s.handle.command(PeerCommand::SetLimits { upload: None, download: None }).await.unwrap();
        dl.handle.shutdown().await;
    }
    s.handle.shutdown().await;
}

/// Paused sharing refuses game data ("sharing is paused"), and serving resumes when it is
/// switched back on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused_sharing_refuses_game_data_until_resumed() {
    let files = game_files(70);
    let s = TestPeer::start(PeerSpec::manual("s"), |d| seed_game(d, &files)).await;
    let mut dl = TestPeer::start(PeerSpec::manual("dl"), |_| {}).await;
    connect_all(&dl, &[&s]).await;
    dl.wait_for("listed", Duration::from_secs(5), |e| lists_remote(e, "ut2004")).await;
    s.handle.command(PeerCommand::SetSharing { enabled: false }).await.unwrap();
    let e = dl
        .handle
        .command(PeerCommand::GetGame {
            id: "ut2004".parse().unwrap(),
            download: true,
            accept_unverified: true,
        })
        .await;
    let failed = match e {
        Err(e) => e.message,
        Ok(()) => {
            let end = dl
                .wait_for("refused", Duration::from_secs(20), |e| {
                    matches!(
                        e,
                        PeerEvent::DownloadGameFilesFailed { .. }
                            | PeerEvent::DownloadGameFilesFinished { .. }
                    )
                })
                .await;
            let PeerEvent::DownloadGameFilesFailed { error, .. } = end else {
                panic!("served while paused: {end:?}")
            };
            error.message
        }
    };
    assert!(!dl.game_dir.join("ut2004/version.ini").exists(), "{failed}");
    s.handle.command(PeerCommand::SetSharing { enabled: true }).await.unwrap();
    get(&dl, "ut2004").await;
    let fin = wait_finished(&mut dl, Duration::from_secs(20)).await;
    assert!(matches!(fin, PeerEvent::DownloadGameFilesFinished { .. }), "{fin:?}");
    same_payload(&s.game_dir.join("ut2004"), &dl.game_dir.join("ut2004")).unwrap();
    s.handle.shutdown().await;
    dl.handle.shutdown().await;
}

/// DeleteGame removes a downloaded game (and discards a paused one): its folder is gone, the
/// list shows it as another peer's again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_removes_a_downloaded_game_and_discards_a_paused_one() {
    let files: Vec<(String, Vec<u8>)> =
        (0..4).map(|i| (format!("data{i}.bin"), bytes(80 + i, 6 * MIB))).collect();
    let (s1, mut dl, id, _) = cancelled_after(&files, 12 * MIB).await;
    let root = dl.game_dir.join(id.as_str());
    assert!(root.join(".lanspread").is_dir(), "a paused download to discard");
    dl.handle.command(PeerCommand::DeleteGame { id: id.clone() }).await.unwrap();
    let ev = dl
        .wait_for("deleted", Duration::from_secs(10), |e| {
            matches!(e, PeerEvent::GameDeleted { .. } | PeerEvent::DeleteGameFailed { .. })
        })
        .await;
    let PeerEvent::GameDeleted { bytes, .. } = ev else { panic!("{ev:?}") };
    assert!(bytes >= 12 * MIB as u64, "{bytes}");
    assert!(!root.exists());
    let g = wait_entry(&mut dl, "remote only again", |g| g.state == GameState::RemoteOnly).await;
    assert_eq!((g.downloaded_bytes, g.downloaded, g.installed), (None, false, false), "{g:?}");

    // Downloaded completely, then deleted.
    get(&dl, id.as_str()).await;
    let fin = wait_finished(&mut dl, Duration::from_secs(30)).await;
    assert!(matches!(fin, PeerEvent::DownloadGameFilesFinished { .. }), "{fin:?}");
    dl.handle.command(PeerCommand::DeleteGame { id: id.clone() }).await.unwrap();
    dl.wait_for("deleted again", Duration::from_secs(10), |e| matches!(e, PeerEvent::GameDeleted { .. }))
        .await;
    assert!(!root.exists());
    let e = dl.handle.command(PeerCommand::DeleteGame { id: id.clone() }).await.unwrap_err();
    assert!(e.message.contains("not on this machine"), "{}", e.message);
    s1.handle.shutdown().await;
    dl.handle.shutdown().await;
}

/// Quitting while an install runs (the app's Quit, a seed box's SIGTERM) rolls the install
/// back before shutdown returns: no half-built tree, no log, nothing installed, the download
/// intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_during_an_install_rolls_it_back() {
    let files: Vec<(String, Vec<u8>)> =
        (0..8).map(|i| (format!("data/pak{i}.bin"), bytes(90 + i, 32 * MIB))).collect();
    let mut p = TestPeer::start(PeerSpec::manual("p"), |d| seed_game(d, &files)).await;
    let root = p.game_dir.join("ut2004");
    p.handle.command(PeerCommand::InstallGame { id: "ut2004".parse().unwrap() }).await.unwrap();
    p.wait_for("the install to start", Duration::from_secs(10), |e| {
        matches!(e, PeerEvent::InstallGameProgress { .. })
    })
    .await;
    p.handle.shutdown().await;
    let after = p.collect_for(Duration::from_millis(200)).await;
    let ended = after.iter().find_map(|e| match e {
        PeerEvent::InstallGameFailed { error, .. } => Some(Err(error.kind)),
        PeerEvent::InstallGameFinished { .. } => Some(Ok(())),
        _ => None,
    });
    assert_eq!(
        ended,
        Some(Err(lanspread_peer::ErrorKind::Cancelled)),
        "{:?}",
        after.iter().map(|e| e.name()).collect::<Vec<_>>()
    );
    for name in
        ["local", ".local.installing", ".local.backup", ".lanspread.json", ".lanspread.installed.json.next"]
    {
        assert!(!root.join(name).exists(), "{name} left behind");
    }
    assert!(root.join("version.ini").is_file(), "the download stays");
    same_payload_files(&root, &files);
}

fn same_payload_files(root: &std::path::Path, files: &[(String, Vec<u8>)]) {
    for (path, data) in files {
        assert!(std::fs::read(root.join(path)).unwrap() == *data, "{path} changed");
    }
}
