//! Play through the runtime: the catalog's launch entry starts a test game (a script that
//! records its folder and arguments, leaves a child running after it exits, like a launcher),
//! the game shows as running until its last process exits, and uninstall is refused meanwhile.
#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

use std::{os::unix::fs::PermissionsExt, path::Path, sync::Arc, time::Duration};

use common::*;
use lanspread_peer::{ErrorKind, PeerCommand, PeerEvent};
use lanspread_proto::{Catalog, GameId};

fn catalog() -> Arc<Catalog> {
    let json = r#"{"format":2,"titles":[{"id":"quake3","name":"Quake III Arena","description":"","genre":"FPS",
        "max_players":16,"release_year":1999,"size_bytes":0,"art":null,
        "launch":{"linux":{"exe":"bin/run.sh","args":["+map","q3dm17"]},"windows":{"exe":"quake3.exe"}}}]}"#;
    Arc::new(Catalog::from_json(json.as_bytes()).unwrap())
}

/// An installed quake3 whose program records its folder and arguments, then waits for `go`
/// (in its folder) in a child process while the launcher itself exits at once.
fn installed_game(game_dir: &Path) {
    write_game(game_dir, "quake3", "1", &[("q3.pk3", b"data")]);
    let bin = game_dir.join("quake3/local/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("run.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\npwd > started.txt\necho \"$@\" >> started.txt\n(while [ ! -e go ]; do sleep 0.1; done; echo bye > exited.txt) &\nexit 0\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn running_in_list(ev: &PeerEvent, running: bool) -> bool {
    matches!(ev, PeerEvent::ListGames { games } if games.iter().any(|g| g.id.as_str() == "quake3" && g.running == running && g.installed))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn play_starts_the_catalog_program_and_the_game_runs_until_its_last_process_exits() {
    let spec = PeerSpec { catalog: Some(catalog()), ..PeerSpec::manual("player") };
    let mut p = TestPeer::start(spec, installed_game).await;
    let id = GameId::new("quake3").unwrap();
    p.handle.command(PeerCommand::PlayGame { id: id.clone() }).await.unwrap();
    let started = p
        .wait_for("game started", Duration::from_secs(10), |e| matches!(e, PeerEvent::GameStarted { .. }))
        .await;
    let PeerEvent::GameStarted { program, .. } = started else { unreachable!() };
    assert!(program.ends_with("local/bin/run.sh"), "{program:?}");
    p.wait_for("listed as running", Duration::from_secs(10), |e| running_in_list(e, true)).await;

    // The launcher wrote where it ran and what it got.
    let bin = std::fs::canonicalize(p.game_dir.join("quake3/local/bin")).unwrap();
    let marker = bin.join("started.txt");
    let t = std::time::Instant::now();
    while !marker.exists() && t.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), format!("{}\n+map q3dm17\n", bin.display()));

    // While it runs (the launcher has exited; its child has not): no uninstall, no second start.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let e = p.handle.command(PeerCommand::UninstallGame { id: id.clone() }).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Busy, "{}", e.message);
    assert!(e.message.contains("running"), "{}", e.message);
    let e = p.handle.command(PeerCommand::PlayGame { id: id.clone() }).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Busy);
    assert!(p.game_dir.join("quake3/local").is_dir());

    // The game's last process exits: it is no longer running, and Play works again.
    std::fs::write(bin.join("go"), b"").unwrap();
    p.wait_for("game exited", Duration::from_secs(10), |e| matches!(e, PeerEvent::GameExited { .. })).await;
    p.wait_for("listed as not running", Duration::from_secs(10), |e| running_in_list(e, false)).await;
    assert_eq!(std::fs::read_to_string(bin.join("exited.txt")).unwrap(), "bye\n");
    std::fs::remove_file(bin.join("go")).unwrap();
    p.handle.command(PeerCommand::PlayGame { id: id.clone() }).await.unwrap();
    p.wait_for("started again", Duration::from_secs(10), |e| matches!(e, PeerEvent::GameStarted { .. }))
        .await;
    std::fs::write(bin.join("go"), b"").unwrap();
    p.wait_for("exited again", Duration::from_secs(10), |e| matches!(e, PeerEvent::GameExited { .. })).await;
    p.handle.command(PeerCommand::UninstallGame { id }).await.unwrap();
    p.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn play_refuses_a_game_that_is_not_installed_in_words() {
    let spec = PeerSpec { catalog: Some(catalog()), ..PeerSpec::manual("player") };
    let p = TestPeer::start(spec, |d| write_game(d, "quake3", "1", &[("q3.pk3", b"data")])).await;
    let e = p.handle.command(PeerCommand::PlayGame { id: GameId::new("quake3").unwrap() }).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("not installed"), "{}", e.message);
    p.handle.shutdown().await;
}

const GAME_SCRIPT: &[u8] =
    b"#!/bin/sh\n(while [ ! -e go ]; do sleep 0.1; done; echo bye > exited.txt) &\nexit 0\n";

/// A payload of version `v` whose program is the launcher script above.
fn payload(game_dir: &Path, v: &str) {
    write_game(game_dir, "quake3", v, &[("bin/run.sh", GAME_SCRIPT), ("q3.pk3", v.as_bytes())]);
    let script = game_dir.join("quake3/bin/run.sh");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn pk3_installed(p: &TestPeer) -> String {
    std::fs::read_to_string(p.game_dir.join("quake3/local/q3.pk3")).unwrap()
}

/// An update that finishes downloading while the game runs does not swap under it: the card
/// says "update ready" until the game's last process exits, then the update installs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_downloaded_while_the_game_runs_installs_when_it_exits() {
    let spec = |name| PeerSpec { catalog: Some(catalog()), auto_install: true, ..PeerSpec::manual(name) };
    let s1 = TestPeer::start(spec("s1"), |d| payload(d, "2")).await;
    let s2 = TestPeer::start(spec("s2"), |d| payload(d, "2")).await;
    let mut p = TestPeer::start(spec("player"), |d| payload(d, "1")).await;
    let id = GameId::new("quake3").unwrap();
    p.handle.command(PeerCommand::InstallGame { id: id.clone() }).await.unwrap();
    p.wait_for("v1 installed", Duration::from_secs(10), |e| {
        matches!(e, PeerEvent::InstallGameFinished { .. })
    })
    .await;
    assert_eq!(pk3_installed(&p), "1");
    p.handle.command(PeerCommand::PlayGame { id: id.clone() }).await.unwrap();
    p.wait_for("game started", Duration::from_secs(10), |e| matches!(e, PeerEvent::GameStarted { .. })).await;

    connect_all(&p, &[&s1, &s2]).await;
    p.wait_for("update offered", Duration::from_secs(10), |e| {
        matches!(e, PeerEvent::ListGames { games } if games.iter().any(|g| g.state == lanspread_peer::GameState::UpdateAvailable))
    })
    .await;
    p.handle
        .command(PeerCommand::FetchLatestFromPeers {
            id: id.clone(),
            download: true,
            accept_unverified: false,
        })
        .await
        .unwrap();
    p.wait_for("update downloaded", Duration::from_secs(30), |e| {
        matches!(e, PeerEvent::DownloadGameFilesFinished { .. })
    })
    .await;
    // The game still runs: nothing is installed, and the list says an update waits.
    let waited = p.collect_for(Duration::from_millis(1500)).await;
    assert!(
        !waited
            .iter()
            .any(|e| matches!(e, PeerEvent::InstallGameBegin { .. } | PeerEvent::InstallGameFailed { .. })),
        "{:?}",
        waited.iter().map(|e| e.name()).collect::<Vec<_>>()
    );
    let last = p.seen.iter().rev().find_map(|e| match e {
        PeerEvent::ListGames { games } => games.iter().find(|g| g.id == id).cloned(),
        _ => None,
    });
    let g = last.unwrap();
    assert_eq!(
        (g.state, g.running, g.installed_version.as_deref()),
        (lanspread_peer::GameState::UpdateDownloaded, true, Some("1"))
    );
    assert_eq!(pk3_installed(&p), "1");

    // The game exits: the update swaps in.
    std::fs::write(p.game_dir.join("quake3/local/bin/go"), b"").unwrap();
    p.wait_for("game exited", Duration::from_secs(10), |e| matches!(e, PeerEvent::GameExited { .. })).await;
    let fin = p
        .wait_for("update installed", Duration::from_secs(20), |e| {
            matches!(e, PeerEvent::InstallGameFinished { .. } | PeerEvent::InstallGameFailed { .. })
        })
        .await;
    assert!(matches!(fin, PeerEvent::InstallGameFinished { .. }), "{fin:?}");
    assert_eq!(pk3_installed(&p), "2");
    // The downloaded program carries no execute bit (manifests carry no modes): Play gives it
    // one and starts it.
    p.handle.command(PeerCommand::PlayGame { id: id.clone() }).await.unwrap();
    p.wait_for("v2 started", Duration::from_secs(10), |e| matches!(e, PeerEvent::GameStarted { .. })).await;
    s1.handle.shutdown().await;
    s2.handle.shutdown().await;
    p.handle.shutdown().await;
}
