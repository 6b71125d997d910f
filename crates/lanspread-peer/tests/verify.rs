//! Verify over real peers and real RAR archives: every payload byte re-hashed against the
//! manifest the peers agree on, `local/` checked against what the archives unpack to, bit rot
//! (bytes flipped, size and mtime restored) found, player edits told apart and kept.
#![allow(clippy::unwrap_used)]

mod common;

use std::{fs, path::Path, time::Duration};

use common::*;
use lanspread_peer::{PeerCommand, PeerEvent, VerifyReport};
use lanspread_proto::GameId;
use rars::{ArchiveVersion, Builder};

const GAME: &str = "ut2004";

/// A solid multi-volume RAR5 set with the big files, a RAR 4.x archive with a config, an nfo.
fn write_rar_game(game_dir: &Path) {
    let root = game_dir.join(GAME);
    fs::create_dir_all(&root).unwrap();
    let mut big = Builder::new(ArchiveVersion::Rar50).solid(true).volume_size(Some(256 * 1024));
    big.add_bytes(b"System/ut2004.exe".to_vec(), bytes(1, 400_000), None, None).unwrap();
    big.add_bytes(b"Maps/DM-Rankin.ut2".to_vec(), bytes(2, 300_000), None, None).unwrap();
    for (i, volume) in big.build_volumes(None).unwrap().iter().enumerate() {
        fs::write(root.join(format!("game.part{:02}.rar", i + 1)), volume).unwrap();
    }
    let mut small = Builder::new(ArchiveVersion::Rar40);
    small.add_bytes(b"System\\User.ini".to_vec(), b"[Engine]\nName=Player\n".to_vec(), None, None).unwrap();
    fs::write(root.join("config.rar"), small.to_bytes().unwrap()).unwrap();
    fs::write(root.join("game.nfo"), "release notes ".repeat(100)).unwrap();
    fs::write(root.join("version.ini"), "3369\n").unwrap();
}

/// Flips one byte of `path` in place, keeping its size and modification time (bit rot).
fn rot(path: &Path, offset: u64) {
    let mtime = fs::metadata(path).unwrap().modified().unwrap();
    let mut data = fs::read(path).unwrap();
    data[offset as usize] ^= 0x01;
    fs::write(path, &data).unwrap();
    fs::File::options().write(true).open(path).unwrap().set_modified(mtime).unwrap();
}

async fn verify(peer: &mut TestPeer) -> VerifyReport {
    check(peer, false).await
}

async fn check(peer: &mut TestPeer, repair: bool) -> VerifyReport {
    let id = GameId::new(GAME).unwrap();
    peer.handle.command(PeerCommand::VerifyGame { id: id.clone(), repair }).await.unwrap();
    let ev = peer
        .wait_for("the verify", Duration::from_secs(120), |e| {
            matches!(e, PeerEvent::VerifyGameFinished { .. } | PeerEvent::VerifyGameFailed { .. })
        })
        .await;
    let PeerEvent::VerifyGameFinished { report, .. } = ev else { panic!("{ev:?}") };
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_finds_bit_rot_in_the_payload_and_the_install_and_keeps_player_edits() {
    let unrar = |name| PeerSpec { unrar: true, ..PeerSpec::manual(name) };
    let seeder = TestPeer::start(unrar("seeder"), write_rar_game).await;
    let mut player = TestPeer::start(unrar("player"), write_rar_game).await;
    let id = GameId::new(GAME).unwrap();
    player.handle.command(PeerCommand::InstallGame { id: id.clone() }).await.unwrap();
    let fin = player
        .wait_for("the install", Duration::from_secs(60), |e| {
            matches!(e, PeerEvent::InstallGameFinished { .. } | PeerEvent::InstallGameFailed { .. })
        })
        .await;
    assert!(matches!(fin, PeerEvent::InstallGameFinished { .. }), "{fin:?}");
    let root = player.game_dir.join(GAME);
    let local = root.join("local");
    assert_eq!(fs::read(local.join("System/ut2004.exe")).unwrap(), bytes(1, 400_000));

    // Alone, it checks against the hashes it recorded.
    let alone = verify(&mut player).await;
    assert!(alone.ok, "{alone:?}");
    assert!(alone.reference.contains("this PC recorded"), "{}", alone.reference);

    connect_all(&player, &[&seeder]).await;
    player.wait_for("the seeder's library", Duration::from_secs(10), |e| lists_remote(e, GAME)).await;
    let clean = verify(&mut player).await;
    assert!(clean.ok, "{clean:?}");
    assert_eq!(clean.reference, "the manifest 1 peer agrees on");
    let payload: u64 = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file() && !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.metadata().unwrap().len())
        .sum();
    assert_eq!(clean.payload_bytes, payload, "every payload byte is read");
    assert_eq!(clean.local.files, 3);

    // Bit rot in the nfo (payload) and in the installed exe; the player edits the config.
    rot(&root.join("game.nfo"), 700);
    rot(&local.join("System/ut2004.exe"), 123_456);
    std::thread::sleep(Duration::from_millis(20));
    fs::write(local.join("System/User.ini"), "[Engine]\nName=Fragmaster\n").unwrap();
    let found = verify(&mut player).await;
    assert!(!found.ok, "{found:?}");
    assert_eq!(found.damaged_payload.len(), 1, "{found:?}");
    assert_eq!(found.damaged_payload[0].path, "game.nfo");
    assert_eq!(found.damaged_payload[0].chunks, vec![0]);
    assert_eq!(found.local.damaged, vec!["System/ut2004.exe".to_string()]);
    assert_eq!(found.local.changed_by_player, vec!["System/User.ini".to_string()]);
    assert!(found.local.missing.is_empty() && found.local.skipped.is_none(), "{found:?}");
    assert_eq!(
        fs::read_to_string(local.join("System/User.ini")).unwrap(),
        "[Engine]\nName=Fragmaster\n",
        "verify changes nothing"
    );

    // A deleted file is missing; bit rot inside an archive volume leaves local/ unchecked,
    // with the reason.
    fs::remove_file(local.join("Maps/DM-Rankin.ut2")).unwrap();
    let found = verify(&mut player).await;
    assert_eq!(found.local.missing, vec!["Maps/DM-Rankin.ut2".to_string()]);
    rot(&root.join("game.part02.rar"), 1000);
    let found = verify(&mut player).await;
    let parts: Vec<&str> = found.damaged_payload.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(parts, vec!["game.nfo", "game.part02.rar"]);
    let skipped = found.local.skipped.clone().unwrap_or_default();
    assert!(skipped.contains("repair the download first"), "{found:?}");

    // Progress was reported and ends at the total.
    let progress: Vec<(u64, u64)> = player
        .seen
        .iter()
        .filter_map(|e| match e {
            PeerEvent::VerifyGameProgress { bytes_done, total_bytes, .. } => {
                Some((*bytes_done, *total_bytes))
            }
            _ => None,
        })
        .collect();
    assert!(progress.iter().any(|(d, t)| d == t && *t > payload), "{progress:?}");
}

/// Verify needs a downloaded game, and one operation at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_is_refused_for_games_not_downloaded() {
    let peer = TestPeer::start(PeerSpec::manual("player"), |_| {}).await;
    let err = peer
        .handle
        .command(PeerCommand::VerifyGame { id: GameId::new(GAME).unwrap(), repair: false })
        .await
        .unwrap_err();
    assert!(err.message.contains("not completely downloaded"), "{err:?}");
}

/// Repair from a peer: only the damaged chunks are fetched again (the bytes moved are counted),
/// only the damaged and missing installed files are extracted again, the player's edit stays,
/// and afterwards payload and install are byte-identical to a fresh copy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repair_fetches_only_bad_chunks_reextracts_only_damaged_files_and_keeps_player_edits() {
    let unrar = |name| PeerSpec { unrar: true, ..PeerSpec::manual(name) };
    let seeder = TestPeer::start(unrar("seeder"), write_rar_game).await;
    let mut player = TestPeer::start(unrar("player"), write_rar_game).await;
    let id = GameId::new(GAME).unwrap();
    player.handle.command(PeerCommand::InstallGame { id: id.clone() }).await.unwrap();
    player
        .wait_for("the install", Duration::from_secs(60), |e| {
            matches!(e, PeerEvent::InstallGameFinished { .. })
        })
        .await;
    let root = player.game_dir.join(GAME);
    let local = root.join("local");
    let pristine_local: Vec<(String, Vec<u8>)> =
        ["System/ut2004.exe", "Maps/DM-Rankin.ut2", "System/User.ini"]
            .iter()
            .map(|p| (p.to_string(), fs::read(local.join(p)).unwrap()))
            .collect();

    connect_all(&player, &[&seeder]).await;
    player.wait_for("the seeder's library", Duration::from_secs(10), |e| lists_remote(e, GAME)).await;
    // Payload: a flipped byte in the nfo and in the second volume; install: a flipped byte in
    // the exe and a deleted map; the player's own config edit.
    rot(&root.join("game.nfo"), 700);
    rot(&root.join("game.part02.rar"), 1000);
    rot(&local.join("System/ut2004.exe"), 123_456);
    fs::remove_file(local.join("Maps/DM-Rankin.ut2")).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    fs::write(local.join("System/User.ini"), "[Engine]\nName=Fragmaster\n").unwrap();
    let before = verify(&mut player).await;
    let damaged_bytes: u64 = before.damaged_payload.iter().map(|d| d.bytes).sum();
    assert_eq!(before.damaged_payload.len(), 2, "{before:?}");

    let fixed = check(&mut player, true).await;
    assert!(fixed.ok, "{fixed:?}");
    let done = fixed.repair.clone().unwrap();
    // The bytes moved: the damaged chunks, plus version.ini (always fetched again at a commit).
    let version_ini = fs::metadata(root.join("version.ini")).unwrap().len();
    assert_eq!(done.fetched_bytes, damaged_bytes + version_ini, "{done:?}");
    assert_eq!(done.refetched_files, vec!["game.nfo".to_string(), "game.part02.rar".to_string()]);
    // The archives were damaged before, so local/ is checked after the payload repair: the
    // exe (damaged) and the map (missing) are extracted again; nothing else.
    assert_eq!(done.reextracted, vec!["System/ut2004.exe".to_string(), "Maps/DM-Rankin.ut2".to_string()]);
    assert_eq!(done.reextracted_bytes, 400_000 + 300_000);
    assert_eq!(fixed.local.changed_by_player, vec!["System/User.ini".to_string()]);
    assert!(
        fixed.damaged_payload.is_empty() && fixed.local.damaged.is_empty() && fixed.local.missing.is_empty()
    );
    same_payload(&seeder.game_dir.join(GAME), &root).unwrap();
    for (path, data) in &pristine_local[..2] {
        assert_eq!(&fs::read(local.join(path)).unwrap(), data, "{path} repaired byte for byte");
    }
    assert_eq!(fs::read_to_string(local.join("System/User.ini")).unwrap(), "[Engine]\nName=Fragmaster\n");
    assert!(!root.join(".local.installing").exists(), "no staging left");
    // Verify afterwards: clean. The install record knows the repaired files: bit rot in one of
    // them is damage again, not a player's edit.
    assert!(verify(&mut player).await.ok);
    rot(&local.join("System/ut2004.exe"), 99);
    let again = verify(&mut player).await;
    assert_eq!(again.local.damaged, vec!["System/ut2004.exe".to_string()], "{again:?}");
}
