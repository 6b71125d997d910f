//! Swarm in-process: one seeder, several simultaneous downloaders on loopback. Downloaders
//! serve each other verified chunks; the seeder hands each chunk out about once.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use lanspread_peer::{PeerCommand, PeerEvent};

const MIB: usize = 1 << 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_downloaders_share_chunks_and_the_seeder_uploads_about_one_copy() {
    let size = 24 * MIB;
    let data = bytes(11, size);
    let seeder =
        TestPeer::start(PeerSpec::manual("seed"), |d| write_game(d, "quake3", "1", &[("q3.pak", &data)]))
            .await;
    let mut dls = Vec::new();
    for name in ["d1", "d2", "d3", "d4"] {
        dls.push(TestPeer::start(PeerSpec::manual(name), |_| {}).await);
    }
    // Full mesh (manual discovery): everyone knows everyone's address.
    for i in 0..dls.len() {
        connect_all(&dls[i], &[&seeder]).await;
        for j in 0..dls.len() {
            if i != j {
                dls[i].handle.connect_to(dls[j].handle.local_addr(), dls[j].handle.peer_id()).await.unwrap();
            }
        }
    }
    for d in &dls {
        d.handle
            .command(PeerCommand::GetGame {
                id: "quake3".parse().unwrap(),
                download: true,
                accept_unverified: false,
            })
            .await
            .unwrap();
    }
    let mut from_downloaders = 0u64;
    for d in &mut dls {
        let fin = d
            .wait_for("finished", Duration::from_secs(120), |e| {
                matches!(
                    e,
                    PeerEvent::DownloadGameFilesFinished { .. } | PeerEvent::DownloadGameFilesFailed { .. }
                )
            })
            .await;
        assert!(matches!(fin, PeerEvent::DownloadGameFilesFinished { .. }), "{fin:?}");
        same_payload(&seeder.game_dir.join("quake3"), &d.game_dir.join("quake3")).unwrap();
    }
    // What the downloaders served each other, by their own upload counters (the last progress
    // event of a download that takes a second can be a quarter of a second stale).
    for d in &dls {
        from_downloaders += d.handle.uploaded_bytes();
    }
    let uploaded = seeder.handle.uploaded_bytes();
    eprintln!(
        "seeder uploaded {:.2} copies; {:.1} MiB came from other downloaders",
        uploaded as f64 / size as f64,
        from_downloaders as f64 / MIB as f64
    );
    assert!(uploaded < 3 * size as u64, "seeder uploaded {uploaded} bytes for 4 downloads of {size}");
    assert!(from_downloaders > size as u64, "downloaders served each other");
    seeder.handle.shutdown().await;
    for d in dls {
        d.handle.shutdown().await;
    }
}
