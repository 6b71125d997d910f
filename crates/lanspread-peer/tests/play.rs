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
