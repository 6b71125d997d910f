//! The app's commands against a real peer runtime: temp dirs, QUIC on 127.0.0.1, manual
//! discovery (the e2e test covers mDNS in a real window).
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{Seeder, app, app_paths, connect};
use lanspread_app::{
    error::ErrorKind,
    events::{GameState, RuntimeStatus, SettingsUpdate, UiEvent},
};
use lanspread_testkit::library::{GameSpec, archive_entries};

fn spec(id: &str, version: &str, mib: u64) -> GameSpec {
    let mut s = GameSpec::new(id, version, mib << 20);
    s.seed = 7;
    s
}

/// Every file of the game's archive, extracted under `local/`, byte for byte.
fn assert_installed(game_root: &std::path::Path, spec: &GameSpec) {
    for (name, data) in archive_entries(spec) {
        let p = game_root.join("local").join(&name);
        let got = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(got == data, "{} differs from the archive entry", p.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn install_from_a_peer_downloads_extracts_and_uninstall_keeps_the_download() {
    let tmp = tempfile::tempdir().unwrap();
    let seeder = Seeder::start(tmp.path(), vec![spec("quake3", "20250314", 3)]).await;
    let (state, rec) = app(app_paths(tmp.path()));
    state.start().await;
    assert!(matches!(state.settings().runtime, RuntimeStatus::Running { .. }), "{:?}", state.settings());
    connect(&state, &seeder).await;

    let g = rec.wait_game(0, "quake3", |g| g.state == GameState::RemoteOnly).await;
    assert_eq!((g.peer_count, g.latest_version.as_deref()), (1, Some("20250314")));
    rec.wait("peer-count-updated 1", |e| matches!(e, UiEvent::PeerCountUpdated(c) if c.count == 1)).await;
    let peers = state.list_peers().peers;
    assert_eq!(peers.len(), 1);
    assert_eq!(peers[0].name, "seedbox");
    assert_eq!(peers[0].games[0].name, "Quake III Arena");
    assert_eq!(peers[0].games[0].version.as_deref(), Some("20250314"));

    let mark = rec.len();
    state.install_game("quake3").await.unwrap();
    rec.wait("install finished", |e| matches!(e, UiEvent::InstallFinished(f) if f.id == "quake3")).await;
    let names = rec.names()[mark..].to_vec();
    let pos = |n: &str| names.iter().position(|x| *x == n).unwrap_or_else(|| panic!("no {n} in {names:?}"));
    assert!(pos("game-download-begin") < pos("game-download-finished"));
    assert!(pos("game-download-finished") < pos("game-install-begin"));
    assert!(pos("game-install-begin") < pos("game-install-finished"));
    let root = state.settings().game_dir.path;
    let game_root = std::path::Path::new(&root).join("quake3");
    assert_installed(&game_root, &seeder.specs[0]);
    let g = rec.wait_game(mark, "quake3", |g| g.state == GameState::Installed).await;
    assert!(g.installed && g.downloaded && g.progress.is_none());
    let listed = state.request_games().await;
    assert_eq!(listed.games.iter().find(|g| g.id == "quake3").unwrap().state, GameState::Installed);

    let mark = rec.len();
    state.uninstall_game("quake3").await.unwrap();
    rec.wait("uninstall finished", |e| matches!(e, UiEvent::UninstallFinished(f) if f.id == "quake3")).await;
    assert!(!game_root.join("local").exists());
    assert!(game_root.join("version.ini").exists(), "the download stays and keeps being shared");
    let g = rec.wait_game(mark, "quake3", |g| !g.installed).await;
    assert_eq!(g.state, GameState::Downloaded);

    // Installing a downloaded game extracts again without downloading.
    let mark = rec.len();
    state.install_game("quake3").await.unwrap();
    rec.wait_from(mark, "reinstall", Duration::from_secs(60), |e| matches!(e, UiEvent::InstallFinished(_)))
        .await;
    assert!(!rec.names()[mark..].contains(&"game-download-begin"));
    assert_installed(&game_root, &seeder.specs[0]);

    state.shutdown().await;
    seeder.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_download_is_paused_after_a_restart_and_resumes_to_installed() {
    let tmp = tempfile::tempdir().unwrap();
    // 8 MB/s: the 32 MiB download takes ~4 s, so the cancel lands mid-transfer on any machine.
    let seeder =
        Seeder::start_with_upload_limit(tmp.path(), vec![spec("openarena", "088", 32)], Some(8_000_000))
            .await;
    let paths = app_paths(tmp.path());
    let (state, rec) = app(paths.clone());
    state.start().await;
    connect(&state, &seeder).await;
    rec.wait_game(0, "openarena", |g| g.state == GameState::RemoteOnly).await;

    state.install_game("openarena").await.unwrap();
    // Cancel once some chunks are verified (a download with none is not worth keeping).
    rec.wait("some progress", |e| matches!(e, UiEvent::DownloadProgress(p) if p.bytes_done > 0)).await;
    state.cancel("openarena").await.unwrap();
    let failed = rec.wait("download failed", |e| matches!(e, UiEvent::DownloadFailed(_))).await;
    let UiEvent::DownloadFailed(f) = failed else { unreachable!() };
    assert_eq!(f.error.kind, ErrorKind::Cancelled, "{:?}", f.error);
    state.shutdown().await;

    // A new app on the same directories: the download shows as paused, with its progress.
    let (state, rec) = app(paths);
    state.start().await;
    assert!(
        matches!(state.settings().runtime, RuntimeStatus::Running { .. }),
        "{:?}",
        state.settings().runtime
    );
    let g = rec.wait_game(0, "openarena", |g| g.state == GameState::Paused).await;
    let kept = g.downloaded_bytes.unwrap_or_else(|| panic!("paused without progress: {g:?}"));
    assert!(!g.downloaded);
    connect(&state, &seeder).await;
    rec.wait_game(0, "openarena", |g| g.state == GameState::Paused && g.peer_count == 1).await;
    state.install_game("openarena").await.unwrap();
    let (_, begin) = rec
        .wait_from(0, "resumed download", Duration::from_secs(60), |e| matches!(e, UiEvent::DownloadBegin(_)))
        .await;
    let UiEvent::DownloadBegin(b) = begin else { unreachable!() };
    assert_eq!(b.verified_bytes, kept, "the resumed download starts from the verified bytes");
    rec.wait("installed", |e| matches!(e, UiEvent::InstallFinished(_))).await;
    let root = std::path::PathBuf::from(state.settings().game_dir.path).join("openarena");
    assert_installed(&root, &seeder.specs[0]);
    state.shutdown().await;
    seeder.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_uses_the_default_dir_and_a_chosen_dir_is_validated_and_remembered() {
    let tmp = tempfile::tempdir().unwrap();
    let paths = app_paths(tmp.path());
    let (state, rec) = app(paths.clone());
    state.start().await;
    let s = state.settings();
    assert!(s.game_dir.is_default && s.game_dir.problem.is_none(), "{s:?}");
    assert!(paths.default_game_dir.is_dir(), "the default game dir is created");
    assert!(matches!(s.runtime, RuntimeStatus::Running { .. }));
    assert!(rec.names().contains(&"settings-changed"));

    // A file is refused with a game_dir error; nothing changes.
    let file = tmp.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let e = state.update_game_directory(file.to_str().unwrap()).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::GameDir);
    assert!(state.settings().game_dir.is_default);

    // A new folder is created, used and remembered.
    let chosen = tmp.path().join("lan games");
    let s = state.update_game_directory(chosen.to_str().unwrap()).await.unwrap();
    assert_eq!(s.game_dir.path, chosen.display().to_string());
    assert!(!s.game_dir.is_default && chosen.is_dir());
    state.shutdown().await;

    let (state, _rec) = app(paths.clone());
    state.start().await;
    assert_eq!(state.settings().game_dir.path, chosen.display().to_string());
    state.shutdown().await;

    // The remembered folder went missing (an unplugged drive): it is not silently recreated.
    std::fs::remove_dir_all(&chosen).unwrap();
    let (state, _rec) = app(paths);
    state.start().await;
    let s = state.settings();
    assert_eq!(s.runtime, RuntimeStatus::NoGameDir);
    let problem = s.game_dir.problem.unwrap();
    assert_eq!(problem.kind, ErrorKind::GameDir);
    assert!(problem.message.contains("missing"), "{}", problem.message);
    assert!(!chosen.exists());
    let e = state.install_game("quake3").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotRunning);
    assert!(state.request_games().await.games.is_empty());
    // Choosing it again creates it and starts the peer.
    let s = state.update_game_directory(chosen.to_str().unwrap()).await.unwrap();
    assert!(matches!(s.runtime, RuntimeStatus::Running { .. }), "{s:?}");
    assert!(s.game_dir.problem.is_none());
    state.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_change_restarts_the_peer_and_bad_input_is_refused_in_plain_words() {
    let tmp = tempfile::tempdir().unwrap();
    let (state, _rec) = app(app_paths(tmp.path()));
    state.start().await;
    let before = state.settings();
    assert!(before.auto_install);
    let s = state
        .update_settings(SettingsUpdate {
            peer_name: Some("  lan-box ".into()),
            auto_install: Some(false),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(s.peer_name, "lan-box");
    assert!(!s.auto_install);
    assert!(matches!(s.runtime, RuntimeStatus::Running { .. }));

    let bad = tmp.path().join("catalog.json");
    std::fs::write(&bad, b"[{\"id\": \"Not Valid\"}]").unwrap();
    let e = state
        .update_settings(SettingsUpdate {
            catalog_path: Some(bad.display().to_string()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Config);
    assert!(state.settings().catalog_path.is_none());
    assert_eq!((state.settings().pinned_titles, state.settings().catalog_name), (0, None));

    // An organiser's catalog (format 2) names itself and pins versions: settings say so.
    let pinned = tmp.path().join("party.json");
    let digest = "ab".repeat(32);
    std::fs::write(
        &pinned,
        format!(
            r#"{{"format": 2, "name": "LAN Party 2026", "titles": [
                {{"id": "quake3", "name": "Quake III Arena", "description": "d", "genre": "FPS",
                  "max_players": 16, "release_year": 1999, "size_bytes": 1, "art": null,
                  "pins": {{"20250314": "{digest}"}}}},
                {{"id": "cs16", "name": "Counter-Strike", "description": "d", "genre": "FPS",
                  "max_players": 32, "release_year": 2000, "size_bytes": 1, "art": null}}]}}"#
        ),
    )
    .unwrap();
    let s = state
        .update_settings(SettingsUpdate {
            catalog_path: Some(pinned.display().to_string()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((s.catalog_size, s.pinned_titles, s.catalog_name.as_deref()), (2, 1, Some("LAN Party 2026")));
    let s = state
        .update_settings(SettingsUpdate { catalog_path: Some(String::new()), ..Default::default() })
        .await
        .unwrap();
    assert!(s.catalog_path.is_none());

    let e = state.install_game("../etc").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    // Nobody has the game: the runtime refuses in plain words.
    let e = state.install_game("quake3").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoPeers);
    assert!(e.message.contains("no peer"), "{}", e.message);
    let e = state.cancel("quake3").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    state.shutdown().await;
}

/// The app with v1 installed from `seeder`, whose v2 then replaces v1 (a new root, as a copy
/// would): one machine alone offers v2. Returns the v2 spec and the event mark before it.
async fn installed_v1_then_offered_v2(
    tmp: &std::path::Path,
    seeder: &Seeder,
    state: &lanspread_app::state::LanSpreadState,
    rec: &common::Recorder,
) -> (GameSpec, usize) {
    connect(state, seeder).await;
    rec.wait_game(0, "teeworlds", |g| g.state == GameState::RemoteOnly).await;
    state.install_game("teeworlds").await.unwrap();
    rec.wait(
        "installed v1",
        |e| matches!(e, UiEvent::InstallFinished(f) if f.version.as_deref() == Some("1")),
    )
    .await;
    let mut v2 = spec("teeworlds", "2", 2);
    v2.seed = 8;
    let staging = tmp.join("staging");
    lanspread_testkit::library::write_game(&staging, &v2).unwrap();
    let root = seeder.game_dir.join("teeworlds");
    std::fs::remove_dir_all(&root).unwrap();
    std::fs::rename(staging.join("teeworlds"), &root).unwrap();

    // One machine alone offering v2 is not an update (trust rule): the card shows the offer.
    let mark = rec.len();
    let g = rec.wait_game(mark, "teeworlds", |g| g.offered_version.as_deref() == Some("2")).await;
    assert!(g.installed && g.state != GameState::UpdateAvailable, "{g:?}");
    assert_eq!(g.latest_version, None, "no version passes: v1 is only here, v2 on one host");
    assert_eq!(g.offered_by, vec!["seedbox".to_string()]);
    (v2, mark)
}

/// Waits (after `mark`) until v2 of teeworlds is installed, checks its files byte for byte and
/// returns the game root.
async fn v2_installed(
    state: &lanspread_app::state::LanSpreadState,
    rec: &common::Recorder,
    mark: usize,
    v2: &GameSpec,
) -> std::path::PathBuf {
    rec.wait_from(
        mark,
        "installed v2",
        Duration::from_secs(60),
        |e| matches!(e, UiEvent::InstallFinished(f) if f.version.as_deref() == Some("2")),
    )
    .await;
    let game_root = std::path::PathBuf::from(state.settings().game_dir.path).join("teeworlds");
    assert_installed(&game_root, v2);
    game_root
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_version_on_two_hosts_shows_update_available_and_update_installs_it() {
    let tmp = tempfile::tempdir().unwrap();
    let seeder = Seeder::start(tmp.path(), vec![spec("teeworlds", "1", 2)]).await;
    let (state, rec) = app(app_paths(tmp.path()));
    state.start().await;
    let (v2, mark) = installed_v1_then_offered_v2(tmp.path(), &seeder, &state, &rec).await;
    // Update does not take the lone offer.
    let e = state.update_game("teeworlds").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unverified, "{}", e.message);

    // A second host with the same v2 makes it the latest.
    let second = Seeder::start_host(tmp.path(), vec![v2.clone()], "second", "127.0.0.2").await;
    state.connect_to(second.handle.local_addr(), second.handle.peer_id()).await.unwrap();
    let g = rec.wait_game(mark, "teeworlds", |g| g.state == GameState::UpdateAvailable).await;
    assert_eq!((g.local_version.as_deref(), g.latest_version.as_deref()), (Some("1"), Some("2")));
    assert_eq!(g.offered_version, None);
    assert!(g.installed);
    state.update_game("teeworlds").await.unwrap();
    let game_root = v2_installed(&state, &rec, mark, &v2).await;
    assert!(!game_root.join(".lanspread.unverified").exists());
    let g = rec.wait_game(mark, "teeworlds", |g| g.state == GameState::Installed).await;
    assert_eq!(g.local_version.as_deref(), Some("2"));
    assert!(!g.unverified);
    state.shutdown().await;
    seeder.handle.shutdown().await;
    second.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn install_unverified_takes_a_lone_offer_and_marks_the_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let seeder = Seeder::start(tmp.path(), vec![spec("teeworlds", "1", 2)]).await;
    let (state, rec) = app(app_paths(tmp.path()));
    state.start().await;
    let (v2, mark) = installed_v1_then_offered_v2(tmp.path(), &seeder, &state, &rec).await;
    state.install_unverified("teeworlds").await.unwrap();
    let game_root = v2_installed(&state, &rec, mark, &v2).await;
    assert!(game_root.join(".lanspread.unverified").is_file());
    let g = rec
        .wait_game(mark, "teeworlds", |g| g.local_version.as_deref() == Some("2") && g.operation.is_none())
        .await;
    assert!(g.unverified, "{g:?}");
    assert_eq!(g.offered_version, None);
    state.shutdown().await;
    seeder.handle.shutdown().await;
}

/// The download queue: three Install clicks → one runs, two wait (in order, reorderable);
/// they finish in queue order; "Start now" runs one beside the running one; Cancel on a queued
/// game just takes it out of the queue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn installs_queue_one_at_a_time_in_order_and_start_now_runs_in_parallel() {
    let tmp = tempfile::tempdir().unwrap();
    let specs = vec![
        spec("quake3", "1", 4),
        spec("teeworlds", "1", 2),
        spec("openarena", "1", 2),
        spec("cs16", "1", 2),
    ];
    // 8 MB/s: each game takes a noticeable moment, so the clicks land while one runs.
    let seeder = Seeder::start_with_upload_limit(tmp.path(), specs, Some(8_000_000)).await;
    let (state, rec) = app(app_paths(tmp.path()));
    state.start().await;
    connect(&state, &seeder).await;
    for id in ["quake3", "teeworlds", "openarena", "cs16"] {
        rec.wait_game(0, id, |g| g.state == GameState::RemoteOnly).await;
    }
    let mark = rec.len();
    for id in ["quake3", "teeworlds", "openarena"] {
        state.install_game(id).await.unwrap();
    }
    let list = state.request_games().await;
    let pos = |id: &str| list.games.iter().find(|g| g.id == id).unwrap().queue_position;
    assert_eq!((pos("quake3"), pos("teeworlds"), pos("openarena")), (None, Some(1), Some(2)));
    // Reorder: openarena first.
    state.move_in_queue("openarena", true).unwrap();
    assert!(state.move_in_queue("openarena", true).is_err(), "already first");
    // Cancel on a queued game takes it out of the queue; Install queues it again at the end.
    state.cancel("teeworlds").await.unwrap();
    state.install_game("teeworlds").await.unwrap();
    let list = state.request_games().await;
    let pos = |id: &str| list.games.iter().find(|g| g.id == id).unwrap().queue_position;
    assert_eq!((pos("openarena"), pos("teeworlds")), (Some(1), Some(2)));

    for id in ["quake3", "openarena", "teeworlds"] {
        rec.wait_from(
            mark,
            &format!("{id} installed"),
            Duration::from_secs(90),
            |e| matches!(e, UiEvent::InstallFinished(f) if f.id == id),
        )
        .await;
    }
    let finished: Vec<String> = rec.all()[mark..]
        .iter()
        .filter_map(|e| match e {
            UiEvent::DownloadFinished(f) => Some(f.id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(finished, ["quake3", "openarena", "teeworlds"], "downloads finish in queue order");
    let begins: Vec<usize> = ["quake3", "openarena", "teeworlds"]
        .iter()
        .map(|id| {
            rec.all()[mark..]
                .iter()
                .position(|e| matches!(e, UiEvent::DownloadBegin(b) if b.id == *id))
                .unwrap()
        })
        .collect();
    let ends: Vec<usize> = ["quake3", "openarena"]
        .iter()
        .map(|id| {
            rec.all()[mark..]
                .iter()
                .position(|e| matches!(e, UiEvent::DownloadFinished(f) if f.id == *id))
                .unwrap()
        })
        .collect();
    assert!(begins[1] > ends[0] && begins[2] > ends[1], "one at a time: {begins:?} {ends:?}");

    // Start now: a queued download runs beside the running one.
    let mark = rec.len();
    state.delete_game("quake3").await.unwrap();
    rec.wait_from(mark, "quake3 deleted", Duration::from_secs(30), |e| matches!(e, UiEvent::GameDeleted(_)))
        .await;
    rec.wait_game(mark, "quake3", |g| g.state == GameState::RemoteOnly).await;
    let mark = rec.len();
    state.install_game("quake3").await.unwrap();
    state.install_game("cs16").await.unwrap();
    assert_eq!(
        state.request_games().await.games.iter().find(|g| g.id == "cs16").unwrap().queue_position,
        Some(1)
    );
    state.start_now("cs16").await.unwrap();
    let (_, both) = rec
        .wait_from(mark, "two downloads at once", Duration::from_secs(30), |e| {
            matches!(e, UiEvent::GamesListUpdated(l)
                if l.games.iter().filter(|g| g.operation.is_some() && g.queue_position.is_none()).count() == 2)
        })
        .await;
    let UiEvent::GamesListUpdated(l) = both else { unreachable!() };
    assert!(l.games.iter().all(|g| g.queue_position.is_none()), "nothing waits");
    for id in ["quake3", "cs16"] {
        rec.wait_from(
            mark,
            &format!("{id} installed"),
            Duration::from_secs(90),
            |e| matches!(e, UiEvent::InstallFinished(f) if f.id == id),
        )
        .await;
    }
    state.shutdown().await;
}

/// Caps change in Settings without a restart and slow a download that is already running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_cap_set_in_settings_applies_at_once_without_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let seeder = Seeder::start(tmp.path(), vec![spec("quake3", "1", 12)]).await;
    let (state, rec) = app(app_paths(tmp.path()));
    state.start().await;
    connect(&state, &seeder).await;
    rec.wait_game(0, "quake3", |g| g.state == GameState::RemoteOnly).await;
    let before = state.settings();
    let RuntimeStatus::Running { peer_id, .. } = before.runtime.clone() else { panic!("{before:?}") };
    // 16 Mbit/s = 2 MB/s before anything starts, then the download.
    let s = state
        .update_settings(SettingsUpdate { download_limit_mbit: Some(16), ..SettingsUpdate::default() })
        .await
        .unwrap();
    assert_eq!(s.download_limit_mbit, Some(16));
    assert!(matches!(&s.runtime, RuntimeStatus::Running { peer_id: p, .. } if *p == peer_id), "no restart");
    let mark = rec.len();
    let t = std::time::Instant::now();
    state.install_game("quake3").await.unwrap();
    rec.wait_from(mark, "begin", Duration::from_secs(30), |e| matches!(e, UiEvent::DownloadBegin(_))).await;
    // Lift it mid-way: the rest goes at full speed.
    tokio::time::sleep(Duration::from_secs(2)).await;
    state
        .update_settings(SettingsUpdate { download_limit_mbit: Some(0), ..SettingsUpdate::default() })
        .await
        .unwrap();
    rec.wait_from(mark, "finished", Duration::from_secs(60), |e| matches!(e, UiEvent::DownloadFinished(_)))
        .await;
    let took = t.elapsed();
    // 12.6 MB: capped for 2 s (~4 MB), then unlimited on loopback.
    assert!(took > Duration::from_secs(2), "{took:?}");
    assert!(took < Duration::from_secs(6), "the cap was lifted at once: {took:?}");
    assert_eq!(state.settings().download_limit_mbit, None);
    state.shutdown().await;
}

/// A kill during an update left a staging tree and its log: the app's start rolls it back
/// before the first scan and says so in a notice; the card shows the truth — v1 installed, v2
/// downloaded — and offers "Install update", which installs v2 with no peer at all and keeps
/// the player's save.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_recovers_an_interrupted_update_and_install_update_needs_no_peer() {
    use std::sync::atomic::AtomicBool;
    let tmp = tempfile::tempdir().unwrap();
    let paths = app_paths(tmp.path());
    let games = paths.default_game_dir.clone();
    let v1 = spec("quake3", "20250314", 1);
    let root = lanspread_testkit::library::write_game(&games, &v1).unwrap();
    let unrar = lanspread_unpack::UnrarUnpacker::new();
    lanspread_peer::install::install_game(&root, &unrar, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    std::fs::write(root.join("local/save.dat"), b"level 7").unwrap();
    let mut v2 = spec("quake3", "20250401", 1);
    v2.seed = 8;
    lanspread_testkit::library::write_game(&games, &v2).unwrap();
    // What `kill -9` mid-update leaves: the log in phase staging and a half-built tree.
    std::fs::create_dir(root.join(".local.installing")).unwrap();
    std::fs::write(root.join(".local.installing/.lanspread_owned"), b"").unwrap();
    std::fs::write(root.join(".local.installing/half.pak"), b"partial").unwrap();
    std::fs::write(root.join(".lanspread.json"), br#"{"format":1,"op":"update","phase":"staging","pid":1}"#)
        .unwrap();
    // Keep the game directory the app would create on first start.
    std::fs::create_dir_all(paths.config_dir.clone()).unwrap();
    let settings = lanspread_app::config::Settings {
        game_dir: Some(games.clone()),
        auto_install: false,
        ..Default::default()
    };
    settings.save(&paths.config_dir).unwrap();

    let (state, rec) = app(paths);
    state.start().await;
    let notice = rec
        .wait(
            "the recovery notice",
            |e| matches!(e, UiEvent::Notice(n) if n.message.contains("Quake III Arena")),
        )
        .await;
    let UiEvent::Notice(n) = notice else { unreachable!() };
    assert!(n.message.contains("rolled back an interrupted update"), "{}", n.message);
    assert!(!root.join(".local.installing").exists() && !root.join(".lanspread.json").exists());
    let g = rec.wait_game(0, "quake3", |g| g.installed).await;
    assert_eq!(g.state, GameState::UpdateDownloaded, "{g:?}");
    assert_eq!(
        (g.installed_version.as_deref(), g.local_version.as_deref()),
        (Some("20250314"), Some("20250401"))
    );
    assert_installed(&root, &v1);

    let mark = rec.len();
    state.install_game("quake3").await.unwrap();
    rec.wait_from(
        mark,
        "update installed",
        Duration::from_secs(60),
        |e| matches!(e, UiEvent::InstallFinished(f) if f.id == "quake3"),
    )
    .await;
    assert!(!rec.names()[mark..].contains(&"game-download-begin"), "no download");
    let g = rec.wait_game(mark, "quake3", |g| g.installed_version.as_deref() == Some("20250401")).await;
    assert_ne!(g.state, GameState::UpdateDownloaded);
    assert_installed(&root, &v2);
    assert_eq!(std::fs::read(root.join("local/save.dat")).unwrap(), b"level 7");
    state.shutdown().await;
}

/// "Add a peer by address": the address is checked, remembered, dialled at once (the peer and
/// its games appear), dialled again at the next start, and can be forgotten; the Peers panel
/// names this machine's own address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_added_by_address_is_dialled_remembered_and_forgotten() {
    let tmp = tempfile::tempdir().unwrap();
    let seeder = Seeder::start(tmp.path(), vec![spec("quake3", "1", 1)]).await;
    let (state, rec) = app(app_paths(tmp.path()));
    state.start().await;
    let bad = state.add_peer("seedbox:port").await.unwrap_err();
    assert_eq!(bad.kind, ErrorKind::InvalidInput, "{bad:?}");
    let typed = seeder.handle.local_addr().to_string();
    let s = state.add_peer(&typed).await.unwrap();
    assert_eq!(s.known_peers, vec![typed.clone()]);
    assert!(s.own_addresses.iter().any(|a| a.starts_with("127.0.0.1:")), "{:?}", s.own_addresses);
    rec.wait_game(0, "quake3", |g| g.peer_count == 1).await;
    assert_eq!(state.list_peers().peers[0].name, "seedbox");

    // A restart dials it again.
    state.shutdown().await;
    let (state, rec) = app(app_paths(tmp.path()));
    state.start().await;
    assert_eq!(state.settings().known_peers, vec![typed.clone()]);
    rec.wait_game(0, "quake3", |g| g.peer_count == 1).await;

    let s = state.forget_peer(&typed).await.unwrap();
    assert!(s.known_peers.is_empty());
    state.shutdown().await;
    let (state, _rec) = app(app_paths(tmp.path()));
    state.start().await;
    assert!(state.settings().known_peers.is_empty());
    state.shutdown().await;
}

/// "Test" in the Peers panel: a peer that answers is named and met for this session (not
/// remembered); an address where nothing answers is explained in words; a malformed address
/// is refused before anything is dialled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn testing_a_connection_names_the_peer_or_says_why_not() {
    let tmp = tempfile::tempdir().unwrap();
    let seeder = Seeder::start(tmp.path(), vec![spec("quake3", "1", 1)]).await;
    let (state, rec) = app(app_paths(tmp.path()));
    state.start().await;
    let bad = state.test_connection("seedbox:port").await.unwrap_err();
    assert_eq!(bad.kind, ErrorKind::InvalidInput, "{bad:?}");

    let live = seeder.handle.local_addr().to_string();
    let mark = rec.len();
    state.test_connection(&live).await.unwrap();
    let ev = rec
        .wait_from(
            mark,
            "the live test",
            Duration::from_secs(20),
            |e| matches!(e, UiEvent::ConnectionTested(t) if t.addr == live),
        )
        .await;
    let (_, UiEvent::ConnectionTested(t)) = ev else { unreachable!() };
    assert!(t.reachable, "{t:?}");
    assert_eq!(t.name.as_deref(), Some("seedbox"));
    assert!(t.message.starts_with(&format!("Connected to seedbox at {live} in ")), "{t:?}");
    rec.wait_game(mark, "quake3", |g| g.peer_count == 1).await;
    assert!(state.settings().known_peers.is_empty(), "a test is not remembered");

    // Nothing listens there: a UDP port that was just free.
    let dead = {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        s.local_addr().unwrap().to_string()
    };
    let mark = rec.len();
    state.test_connection(&dead).await.unwrap();
    let ev = rec
        .wait_from(
            mark,
            "the dead test",
            Duration::from_secs(20),
            |e| matches!(e, UiEvent::ConnectionTested(t) if t.addr == dead),
        )
        .await;
    let (_, UiEvent::ConnectionTested(t)) = ev else { unreachable!() };
    assert!(!t.reachable && t.name.is_none(), "{t:?}");
    assert!(
        t.message.starts_with(&format!("No answer from {dead}:")) && t.message.contains("firewall"),
        "{t:?}"
    );
    state.shutdown().await;
}

/// Verify from the window: a clean install says so; bit rot in an installed file (size and
/// mtime restored) is named; a config the player edited is listed as theirs, not as damage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_reports_intact_then_names_the_damaged_file_and_keeps_the_players_edit() {
    let tmp = tempfile::tempdir().unwrap();
    let seeder = Seeder::start(tmp.path(), vec![spec("quake3", "20250314", 3)]).await;
    let (state, rec) = app(app_paths(tmp.path()));
    state.start().await;
    connect(&state, &seeder).await;
    rec.wait_game(0, "quake3", |g| g.state == GameState::RemoteOnly).await;
    state.install_game("quake3").await.unwrap();
    rec.wait("install finished", |e| matches!(e, UiEvent::InstallFinished(f) if f.id == "quake3")).await;
    let root = std::path::PathBuf::from(state.settings().game_dir.path).join("quake3");

    let verify = |label: &'static str, repair: bool| {
        let (state, rec) = (&state, &rec);
        async move {
            let mark = rec.len();
            state.verify_game("quake3", repair).await.unwrap();
            let (_, ev) = rec
                .wait_from(mark, label, Duration::from_secs(60), |e| {
                    matches!(e, UiEvent::VerifyFinished(_) | UiEvent::VerifyFailed(_))
                })
                .await;
            assert!(rec.names()[mark..].contains(&"game-verify-begin"));
            let UiEvent::VerifyFinished(r) = ev else { panic!("{ev:?}") };
            r
        }
    };
    let clean = verify("a clean verify", false).await;
    assert!(clean.ok, "{clean:?}");
    assert_eq!(clean.summary, "Quake III Arena: every file checked, nothing damaged.");

    let pak = root.join("local/data/pak0.pak");
    lanspread_testkit::library::flip_byte(&pak, 777).unwrap();
    std::fs::write(root.join("local/config/game.cfg"), "[game]\nsensitivity=3\n").unwrap();
    let found = verify("a verify that finds damage", false).await;
    assert!(!found.ok, "{found:?}");
    assert_eq!(found.damaged, vec!["local/data/pak0.pak".to_string()]);
    assert_eq!(found.changed_by_player, vec!["config/game.cfg".to_string()]);
    assert_eq!(found.summary, "Quake III Arena: 1 file(s) damaged or missing.");
    let repaired = verify("a repair", true).await;
    assert!(repaired.ok, "{repaired:?}");
    assert_eq!(
        repaired.summary,
        "Quake III Arena is repaired: 0 bytes fetched again, 1 file(s) extracted again; every file checked."
    );
    let spec = &seeder.specs[0];
    let want = archive_entries(spec).into_iter().find(|(n, _)| n == "data/pak0.pak").unwrap().1;
    assert_eq!(std::fs::read(&pak).unwrap(), want, "repaired byte for byte");
    assert_eq!(
        std::fs::read_to_string(root.join("local/config/game.cfg")).unwrap(),
        "[game]\nsensitivity=3\n"
    );
    let bad = state.verify_game("../etc", false).await.unwrap_err();
    assert_eq!(bad.kind, ErrorKind::InvalidInput, "{bad:?}");
    state.shutdown().await;
    seeder.handle.shutdown().await;
}
