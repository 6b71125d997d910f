//! The trust rule against a prankster on the LAN: votes per host, pins, offered versions,
//! bans that last. Real peers over QUIC on loopback, each on its own address (its host).
#![allow(clippy::unwrap_used)]

mod common;

use std::{sync::Arc, time::Duration};

use common::*;
use lanspread_peer::{
    ErrorKind, GameEntry, PeerCommand, PeerEvent,
    library::{
        ScanCache,
        hashes::{HashIndex, build_manifest},
        scan_game,
    },
};
use lanspread_proto::{Catalog, Digest, GameId};

const MIB: usize = 1 << 20;

fn q3() -> GameId {
    "quake3".parse().unwrap()
}

fn honest_files() -> Vec<(String, Vec<u8>)> {
    vec![("quake3.rar".into(), bytes(1, 3 * MIB)), ("docs/readme.txt".into(), bytes(2, 1000))]
}

fn prank_files() -> Vec<(String, Vec<u8>)> {
    vec![("quake3.rar".into(), bytes(66, 3 * MIB)), ("docs/readme.txt".into(), b"gotcha".to_vec())]
}

fn seed(version: &'static str, files: Vec<(String, Vec<u8>)>) -> impl FnOnce(&std::path::Path) {
    move |d| {
        let f: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
        write_game(d, "quake3", version, &f);
    }
}

fn game(ev: &PeerEvent) -> Option<&GameEntry> {
    match ev {
        PeerEvent::ListGames { games } => games.iter().find(|g| g.id.as_str() == "quake3"),
        _ => None,
    }
}

async fn finished(p: &mut TestPeer) -> PeerEvent {
    p.wait_for("the download to end", Duration::from_secs(60), |e| {
        matches!(e, PeerEvent::DownloadGameFilesFinished { .. } | PeerEvent::DownloadGameFilesFailed { .. })
    })
    .await
}

/// The manifest digest of the game in `game_dir` (what `lanspread-peer-cli pin` prints).
fn digest_of(game_dir: &std::path::Path) -> Digest {
    let state = tempfile::tempdir().unwrap();
    let g = scan_game(&game_dir.join("quake3"), &q3(), &mut ScanCache::default()).unwrap();
    let index = HashIndex::new(state.path(), game_dir);
    build_manifest(&g, &index, &Default::default(), &mut |_, _| {}).unwrap().digest()
}

/// The bundled catalog with quake3 `version` pinned to `digest`.
fn pinned_catalog(version: &str, digest: Digest) -> Arc<Catalog> {
    let mut doc: serde_json::Value = serde_json::from_slice(&Catalog::bundled().to_json()).unwrap();
    doc["name"] = "Spring LAN".into();
    let titles = doc["titles"].as_array_mut().unwrap();
    let q3 = titles.iter_mut().find(|t| t["id"] == "quake3").unwrap();
    q3["pins"] = serde_json::json!({ version: digest.to_hex() });
    let c = Catalog::from_json(&serde_json::to_vec(&doc).unwrap()).unwrap();
    assert_eq!((c.pinned_titles(), c.name()), (1, Some("Spring LAN")));
    Arc::new(c)
}

/// Two honest hosts hold version 1; one laptop runs `identities` peers announcing version 2
/// with other bytes.
async fn prank_party(identities: usize) -> (Vec<TestPeer>, Vec<TestPeer>) {
    let honest = vec![
        TestPeer::start(PeerSpec::manual("honest-1"), seed("1", honest_files())).await,
        TestPeer::start(PeerSpec::manual("honest-2"), seed("1", honest_files())).await,
    ];
    let laptop = next_loopback();
    let mut prank = Vec::new();
    for _ in 0..identities {
        let spec = PeerSpec { bind: Some(laptop), ..PeerSpec::manual("prankster") };
        prank.push(TestPeer::start(spec, seed("2", prank_files())).await);
    }
    (honest, prank)
}

async fn a_lone_host_with_a_newer_version_is_offered_not_installed(identities: usize) {
    let (honest, prank) = prank_party(identities).await;
    let mut victim = TestPeer::start(PeerSpec::manual("victim"), |_| {}).await;
    let all: Vec<&TestPeer> = honest.iter().chain(&prank).collect();
    connect_all(&victim, &all).await;
    let listed = victim
        .wait_for("the offer", Duration::from_secs(10), |e| {
            game(e).is_some_and(|g| g.offered.is_some() && g.peer_count == 2)
        })
        .await;
    let g = game(&listed).unwrap();
    assert_eq!(g.latest_version.as_ref().unwrap().as_str(), "1", "the honest version is latest");
    let offer = g.offered.as_ref().unwrap();
    assert_eq!(offer.version.as_str(), "2");
    assert_eq!(offer.by, vec!["prankster"; identities], "who offers it, by name");

    // A plain GetGame (what `get` and the app's Install send) takes the honest version.
    victim
        .handle
        .command(PeerCommand::GetGame { id: q3(), download: true, accept_unverified: false })
        .await
        .unwrap();
    let end = finished(&mut victim).await;
    let PeerEvent::DownloadGameFilesFinished { version, peers, .. } = end else { panic!("{end:?}") };
    assert_eq!(version.as_str(), "1");
    let prank_ids: Vec<_> = prank.iter().map(|p| p.handle.peer_id()).collect();
    assert!(peers.iter().all(|p| !prank_ids.contains(p)), "nothing came from the prankster");
    same_payload(&honest[0].game_dir.join("quake3"), &victim.game_dir.join("quake3")).unwrap();
    assert!(!victim.game_dir.join("quake3/.lanspread.unverified").exists());
    for p in all.into_iter().chain([&victim]) {
        p.handle.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lone_host_announcing_a_newer_version_is_offered_not_installed() {
    a_lone_host_with_a_newer_version_is_offered_not_installed(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lone_host_with_two_identities_is_still_one_vote() {
    a_lone_host_with_a_newer_version_is_offered_not_installed(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unverified_copy_is_taken_only_on_request_and_casts_no_vote() {
    let (honest, prank) = prank_party(1).await;
    let mut victim = TestPeer::start(PeerSpec::manual("victim"), |_| {}).await;
    let all: Vec<&TestPeer> = honest.iter().chain(&prank).collect();
    connect_all(&victim, &all).await;
    victim
        .wait_for("the offer", Duration::from_secs(10), |e| game(e).is_some_and(|g| g.offered.is_some()))
        .await;
    victim
        .handle
        .command(PeerCommand::GetGame { id: q3(), download: true, accept_unverified: true })
        .await
        .unwrap();
    let end = finished(&mut victim).await;
    let PeerEvent::DownloadGameFilesFinished { version, .. } = end else { panic!("{end:?}") };
    assert_eq!(version.as_str(), "2", "taken on explicit request");
    same_payload(&prank[0].game_dir.join("quake3"), &victim.game_dir.join("quake3")).unwrap();
    assert_eq!(std::fs::read_to_string(victim.game_dir.join("quake3/.lanspread.unverified")).unwrap(), "2\n");
    let listed = victim
        .wait_for("the unverified copy", Duration::from_secs(5), |e| game(e).is_some_and(|g| g.unverified))
        .await;
    assert_eq!(game(&listed).unwrap().local_version.as_ref().unwrap().as_str(), "2");

    // Someone else now sees version 2 on two hosts, but the victim's copy casts no vote.
    let mut other = TestPeer::start(PeerSpec::manual("other"), |_| {}).await;
    let mut everyone = all.clone();
    everyone.push(&victim);
    connect_all(&other, &everyone).await;
    let seen = other
        .wait_for("all four peers", Duration::from_secs(10), |e| {
            game(e).is_some_and(|g| g.offered.as_ref().is_some_and(|o| o.by.len() == 2))
        })
        .await;
    let g = game(&seen).unwrap();
    assert_eq!(g.latest_version.as_ref().unwrap().as_str(), "1", "one click did not make a majority");
    assert!(other.db.read().unwrap().get(&victim.handle.peer_id()).unwrap().games[&q3()].unverified);
    for p in everyone.into_iter().chain([&other]) {
        p.handle.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_version_with_a_wrong_manifest_is_refused_and_its_hosts_banned_for_good() {
    let honest = TestPeer::start(PeerSpec::manual("honest"), seed("2", honest_files())).await;
    let pin = digest_of(&honest.game_dir);
    let catalog = pinned_catalog("2", pin);
    // Two pranksters on two machines serve version 2 with other bytes: a majority of hosts.
    let mut prank = Vec::new();
    for _ in 0..2 {
        prank.push(TestPeer::start(PeerSpec::manual("prankster"), seed("2", prank_files())).await);
    }
    // Without the honest host nobody serves the pinned manifest: refused, nothing written. (This
    // runs first: once the victim below has met everyone, peer exchange would lead a newcomer
    // from the pranksters to the honest copies.)
    let spec = PeerSpec { catalog: Some(catalog.clone()), ..PeerSpec::manual("victim-2") };
    let mut v2 = TestPeer::start(spec, |_| {}).await;
    connect_all(&v2, &[&prank[0], &prank[1]]).await;
    v2.handle
        .command(PeerCommand::GetGame { id: q3(), download: true, accept_unverified: false })
        .await
        .unwrap();
    let end = finished(&mut v2).await;
    let PeerEvent::DownloadGameFilesFailed { error, .. } = end else { panic!("{end:?}") };
    assert_eq!(error.kind, ErrorKind::Integrity, "{error:?}");
    assert!(error.message.contains("pins"), "{}", error.message);
    assert!(!v2.game_dir.join("quake3/version.ini").exists());

    let spec = PeerSpec { catalog: Some(catalog.clone()), ..PeerSpec::manual("victim") };
    let mut victim = TestPeer::start(spec, |_| {}).await;
    connect_all(&victim, &[&honest, &prank[0], &prank[1]]).await;
    victim
        .handle
        .command(PeerCommand::GetGame { id: q3(), download: true, accept_unverified: false })
        .await
        .unwrap();
    let end = finished(&mut victim).await;
    let PeerEvent::DownloadGameFilesFinished { version, .. } = end else { panic!("{end:?}") };
    assert_eq!(version.as_str(), "2");
    same_payload(&honest.game_dir.join("quake3"), &victim.game_dir.join("quake3")).unwrap();
    for p in &prank {
        let id = p.handle.peer_id();
        assert!(victim.db.read().unwrap().is_banned(&id, &q3()), "a manifest against the pin is a lie");
        assert!(
            victim.seen.iter().any(|e| matches!(e, PeerEvent::PeerMisbehaved { peer_id, reason, .. }
                if *peer_id == id && reason.contains("pin"))),
            "reported"
        );
    }

    // The banned prankster comes back (stopped, restarted: same identity, same machine) with
    // a newer version of its own: still banned, and its version is neither latest nor offered.
    let p0 = prank.remove(0);
    let p0_id = p0.handle.peer_id();
    std::fs::write(p0.game_dir.join("quake3/version.ini"), "3\n").unwrap();
    let p0 = p0.restart().await;
    victim
        .wait_for(
            "the prankster lost",
            Duration::from_secs(10),
            |e| matches!(e, PeerEvent::PeerLost { peer_id, .. } if *peer_id == p0_id),
        )
        .await;
    connect_all(&victim, &[&p0]).await;
    assert!(victim.db.read().unwrap().is_banned(&p0_id, &q3()), "bans survive silence and coming back");
    victim.handle.command(PeerCommand::ListGames).await.unwrap();
    let listed = victim.wait_for("the list", Duration::from_secs(5), |e| game(e).is_some()).await;
    let g = game(&listed).unwrap();
    assert_eq!(
        g.latest_version.as_ref().unwrap().as_str(),
        "2",
        "a banned host never makes a version latest"
    );
    assert!(g.offered.is_none(), "nor offers one: {:?}", g.offered);
    for p in [&honest, &prank[0], &p0, &victim, &v2] {
        p.handle.shutdown().await;
    }
}
