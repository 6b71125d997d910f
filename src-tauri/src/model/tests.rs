use lanspread_peer::{
    DownloadProgress, ErrorInfo, ErrorKind as PeerKind, GameState as PeerState, PeerTransfer,
};
use lanspread_proto::{GameId, GameVersion, PeerId};

use super::*;
use crate::{
    error::{AppError, ErrorKind},
    events::GameState,
};

fn gid(s: &str) -> GameId {
    GameId::new(s).unwrap()
}

fn ver(s: &str) -> GameVersion {
    GameVersion::new(s).unwrap()
}

fn entry(id: &str, state: PeerState) -> GameEntry {
    let cat = Catalog::bundled();
    let c = cat.get_str(id).unwrap();
    GameEntry {
        id: gid(id),
        name: c.name.clone(),
        description: c.description.clone(),
        genre: c.genre.clone(),
        max_players: c.max_players,
        release_year: c.release_year,
        art: c.art.clone(),
        size_bytes: 4_000_000,
        state,
        operation: None,
        downloaded: false,
        installed: false,
        local_version: None,
        installed_version: None,
        latest_version: Some(ver("20250314")),
        peer_count: 2,
        offered: None,
        unverified: false,
        running: false,
        downloaded_bytes: None,
    }
}

fn downloading(id: &str) -> GameEntry {
    GameEntry { operation: Some(lanspread_peer::Operation::Downloading), ..entry(id, PeerState::Downloading) }
}

fn model() -> AppModel {
    AppModel::new(Arc::new(Catalog::bundled()))
}

fn peer(n: u8) -> PeerId {
    PeerId([n; 32])
}

#[test]
fn list_games_becomes_games_list_updated_with_views() {
    let mut m = model();
    let out = m.apply(&PeerEvent::ListGames { games: vec![entry("quake3", PeerState::RemoteOnly)] });
    assert_eq!(out.len(), 1);
    let UiEvent::GamesListUpdated(list) = &out[0] else { panic!("{out:?}") };
    assert_eq!(list.games.len(), 1);
    let g = &list.games[0];
    assert_eq!(g.id, "quake3");
    assert_eq!(g.name, "Quake III Arena");
    assert_eq!(g.state, GameState::RemoteOnly);
    assert_eq!(g.latest_version.as_deref(), Some("20250314"));
    assert_eq!(g.peer_count, 2);
    assert_eq!(g.progress, None);
    assert_eq!(out[0].name(), "games-list-updated");
}

#[test]
fn download_lifecycle_tracks_progress_and_merges_it_into_the_list() {
    let mut m = model();
    m.apply(&PeerEvent::ListGames { games: vec![entry("quake3", PeerState::Downloading)] });
    let out = m.apply(&PeerEvent::DownloadGameFilesBegin {
        id: gid("quake3"),
        version: ver("20250314"),
        total_bytes: 1000,
        verified_bytes: 250,
        peers: vec![peer(1), peer(2)],
    });
    assert_eq!(
        out,
        vec![UiEvent::DownloadBegin(DownloadBegin {
            id: "quake3".into(),
            version: "20250314".into(),
            total_bytes: 1000,
            verified_bytes: 250,
            peers: 2,
        })]
    );
    let out = m.apply(&PeerEvent::DownloadGameFilesProgress(DownloadProgress {
        id: gid("quake3"),
        bytes_done: 600,
        total_bytes: 1000,
        rate_bps: 200,
        eta_secs: Some(2),
        peers: vec![PeerTransfer { peer_id: peer(1), bytes: 350 }],
    }));
    let want = ProgressView {
        id: "quake3".into(),
        operation: Operation::Downloading,
        bytes_done: 600,
        total_bytes: 1000,
        rate_bps: 200,
        eta_secs: Some(2),
        peers: 1,
        // Not announced to the model: its short id stands in for its name.
        peer_names: vec![peer(1).short()],
    };
    assert_eq!(out, vec![UiEvent::DownloadProgress(want.clone())]);
    assert_eq!(out[0].name(), "game-download-progress");
    // A list refresh in the middle keeps the progress while the operation runs...
    m.apply(&PeerEvent::ListGames { games: vec![downloading("quake3")] });
    assert_eq!(m.games_list().games[0].progress, Some(want.clone()));
    // ...and a list that already reports the operation over hides it before the finished
    // event arrives.
    m.apply(&PeerEvent::ListGames { games: vec![entry("quake3", PeerState::Downloaded)] });
    assert_eq!(m.games_list().games[0].progress, None);
    m.apply(&PeerEvent::ListGames { games: vec![downloading("quake3")] });
    assert_eq!(m.games_list().games[0].progress, Some(want));

    let out = m.apply(&PeerEvent::DownloadGameFilesFinished {
        id: gid("quake3"),
        version: ver("20250314"),
        bytes: 750,
        seconds: 1.5,
        peers: vec![peer(1)],
    });
    assert_eq!(out[0].name(), "game-download-finished");
    assert_eq!(m.games_list().games[0].progress, None);
}

#[test]
fn cancelled_download_is_reported_as_failed_with_kind_cancelled_and_drops_progress() {
    let mut m = model();
    m.apply(&PeerEvent::ListGames { games: vec![entry("quake3", PeerState::Downloading)] });
    m.apply(&PeerEvent::DownloadGameFilesBegin {
        id: gid("quake3"),
        version: ver("1"),
        total_bytes: 10,
        verified_bytes: 0,
        peers: vec![peer(1)],
    });
    let out = m.apply(&PeerEvent::DownloadGameFilesFailed {
        id: gid("quake3"),
        error: ErrorInfo::new(PeerKind::Cancelled, "cancelled by the player"),
    });
    let UiEvent::DownloadFailed(f) = &out[0] else { panic!("{out:?}") };
    assert_eq!(f.id, "quake3");
    assert_eq!(f.error.kind, ErrorKind::Cancelled);
    assert_eq!(out[0].name(), "game-download-failed");
    assert_eq!(m.games_list().games[0].progress, None);
}

#[test]
fn install_and_uninstall_events_map_one_to_one() {
    let mut m = model();
    let id = gid("teeworlds");
    let names: Vec<&str> = [
        PeerEvent::InstallGameBegin { id: id.clone(), update: false },
        PeerEvent::InstallGameProgress { id: id.clone(), bytes_done: 5, total_bytes: 10 },
        PeerEvent::InstallGameFinished { id: id.clone(), version: Some(ver("0.7.5")), carried_over: vec![] },
        PeerEvent::InstallGameFailed {
            id: id.clone(),
            error: ErrorInfo::new(PeerKind::Unpack, "bad archive"),
        },
        PeerEvent::UninstallGameBegin { id: id.clone() },
        PeerEvent::UninstallGameFinished { id: id.clone() },
        PeerEvent::UninstallGameFailed { id: id.clone(), error: ErrorInfo::new(PeerKind::Io, "busy file") },
    ]
    .iter()
    .flat_map(|ev| m.apply(ev))
    .map(|e| e.name())
    .collect();
    assert_eq!(
        names,
        [
            "game-install-begin",
            "game-install-progress",
            "game-install-finished",
            "game-install-failed",
            "game-uninstall-begin",
            "game-uninstall-finished",
            "game-uninstall-failed",
        ]
    );
    let out = m.apply(&PeerEvent::InstallGameProgress { id: id.clone(), bytes_done: 5, total_bytes: 10 });
    let UiEvent::InstallProgress(p) = &out[0] else { panic!() };
    assert_eq!((p.operation, p.bytes_done, p.total_bytes), (Operation::Installing, 5, 10));
    let out =
        m.apply(&PeerEvent::InstallGameFailed { id, error: ErrorInfo::new(PeerKind::DiskFull, "disk full") });
    let UiEvent::InstallFailed(f) = &out[0] else { panic!() };
    assert_eq!(f.error, AppError::new(ErrorKind::DiskFull, "disk full"));
    assert!(m.progress.is_empty());
}

#[test]
fn peers_are_tracked_with_catalog_names_and_counted() {
    let mut m = model();
    let info = PeerInfo {
        peer_id: peer(7),
        name: "seedbox".into(),
        addr: "127.0.0.1:4000".into(),
        game_count: 2,
        games: vec![gid("quake3"), gid("teeworlds")],
    };
    let out = m.apply(&PeerEvent::PeerDiscovered { peer: info.clone() });
    let UiEvent::PeerDiscovered(v) = &out[0] else { panic!() };
    assert_eq!(v.name, "seedbox");
    assert_eq!(v.short_id, peer(7).short());
    assert_eq!(v.games.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["Quake III Arena", "Teeworlds"]);
    let out = m.apply(&PeerEvent::PeerCountUpdated { count: 1 });
    assert_eq!(out, vec![UiEvent::PeerCountUpdated(PeerCount { count: 1 })]);
    assert_eq!(m.games_list().peer_count, 1);
    assert_eq!(m.peers().peers.len(), 1);

    let out =
        m.apply(&PeerEvent::PeerLost { peer_id: peer(7), name: "seedbox".into(), reason: "goodbye".into() });
    assert_eq!(out[0].name(), "peer-lost");
    assert!(m.peers().peers.is_empty());

    let out = m.apply(&PeerEvent::Peers { peers: vec![info] });
    let UiEvent::PeersUpdated(list) = &out[0] else { panic!() };
    assert_eq!(list.peers.len(), 1);
}

#[test]
fn misbehaving_peer_and_background_failures_become_notices_command_failures_do_not() {
    let mut m = model();
    m.apply(&PeerEvent::PeerDiscovered {
        peer: PeerInfo {
            peer_id: peer(3),
            name: "liar".into(),
            addr: "127.0.0.1:1".into(),
            game_count: 0,
            games: vec![],
        },
    });
    let out = m.apply(&PeerEvent::PeerMisbehaved {
        peer_id: peer(3),
        game: Some(gid("quake3")),
        reason: "chunk hash mismatch".into(),
    });
    let UiEvent::Notice(n) = &out[0] else { panic!() };
    assert_eq!(n.level, NoticeLevel::Warning);
    assert!(n.message.contains("liar") && n.message.contains("Quake III Arena"), "{}", n.message);
    let out = m.apply(&PeerEvent::RuntimeFailed {
        component: "discovery".into(),
        error: ErrorInfo::new(PeerKind::Network, "socket closed"),
    });
    assert!(matches!(&out[0], UiEvent::Notice(n) if n.level == NoticeLevel::Error));
    let out = m.apply(&PeerEvent::CommandFailed {
        command: "get_game".into(),
        error: ErrorInfo::new(PeerKind::NoPeers, "nobody has it"),
    });
    assert!(out.is_empty());
    assert!(m.apply(&PeerEvent::ShutdownComplete).is_empty());
}

#[test]
fn start_up_recovery_becomes_a_notice_naming_the_game() {
    let mut m = model();
    let out = m.apply(&PeerEvent::Recovered {
        game: "quake3".into(),
        actions: vec!["rolled back an interrupted install; the previous state is kept".into()],
        error: None,
    });
    let [UiEvent::Notice(n)] = out.as_slice() else { panic!("{out:?}") };
    assert_eq!(n.level, NoticeLevel::Info);
    assert_eq!(n.message, "Quake III Arena: rolled back an interrupted install; the previous state is kept");
    let out = m.apply(&PeerEvent::Recovered {
        game: "not-in-catalog".into(),
        actions: vec![],
        error: Some("permission denied".into()),
    });
    let [UiEvent::Notice(n)] = out.as_slice() else { panic!("{out:?}") };
    assert_eq!(n.level, NoticeLevel::Warning);
    assert_eq!(n.message, "not-in-catalog: start-up recovery failed: permission denied");
}

#[test]
fn the_queue_keeps_order_moves_and_starts_the_next_only_when_nothing_downloads() {
    let mut m = model();
    m.apply(&PeerEvent::ListGames {
        games: vec![downloading("quake3"), entry("teeworlds", PeerState::RemoteOnly)],
    });
    assert_eq!(m.active_downloads(), 1);
    m.enqueue("teeworlds");
    m.enqueue("openarena");
    m.enqueue("teeworlds");
    assert_eq!(m.queue(), ["teeworlds", "openarena"], "once, in click order");
    assert!(m.move_queued("openarena", true));
    assert!(!m.move_queued("openarena", true), "already first");
    assert!(!m.move_queued("teeworlds", false), "already last");
    assert_eq!(m.queue(), ["openarena", "teeworlds"]);
    let pos: Vec<_> = m.games_list().games.iter().map(|g| (g.id.clone(), g.queue_position)).collect();
    assert!(pos.contains(&("teeworlds".to_string(), Some(2))), "{pos:?}");
    assert_eq!(m.next_to_start(), None, "quake3 still downloads");
    m.apply(&PeerEvent::ListGames { games: vec![entry("quake3", PeerState::Downloaded)] });
    assert_eq!(m.next_to_start(), Some("openarena".into()));
    assert_eq!(m.active_downloads(), 1, "started, not yet reported");
    assert_eq!(m.next_to_start(), None);
    m.clear_starting("openarena");
    assert!(m.dequeue("teeworlds"));
    assert!(!m.dequeue("teeworlds"));
    assert_eq!(m.next_to_start(), None, "empty queue");
}

#[test]
fn peers_heard_but_not_connected_say_why_in_words() {
    let mut m = model();
    let old = PeerEvent::PeerHeard {
        peer_id: Some(peer(7)),
        addr: "10.0.0.5:41800".into(),
        via: "beacon".into(),
        protocol_version: Some(1),
        name: Some("oldbox".into()),
    };
    m.apply(&old);
    m.apply(&PeerEvent::PeerHeard {
        peer_id: None,
        addr: "10.0.0.9:41800".into(),
        via: "typed".into(),
        protocol_version: None,
        name: None,
    });
    m.apply(&PeerEvent::HandshakeFailed {
        peer_id: None,
        addr: "10.0.0.9:41800".into(),
        reason: "no answer within 4s".into(),
    });
    let u = m.unreachable();
    assert_eq!(u.len(), 2);
    assert_eq!(
        (u[0].addr.as_str(), u[0].name.as_deref(), u[0].via.as_str()),
        ("10.0.0.5:41800", Some("oldbox"), "beacon")
    );
    assert!(
        u[0].reason.contains("another lanspread (protocol 1") && u[0].reason.contains("update lanspread"),
        "{}",
        u[0].reason
    );
    assert!(u[1].reason.starts_with("could not connect: no answer within 4s"), "{}", u[1].reason);
    assert_eq!(m.peers().unreachable, u, "the Peers list carries them");
}
