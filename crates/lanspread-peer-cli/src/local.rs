//! Local subcommands without network: `list`, `install`, `uninstall`.

use std::{
    collections::BTreeMap,
    process::ExitCode,
    sync::{Arc, atomic::AtomicBool},
    time::Instant,
};

use anyhow::{Context as _, bail};
use lanspread_peer::{
    identity::StateDirLock,
    install::{self, InstallProgress},
    library::{
        ScanCache,
        hashes::{HashIndex, build_manifest},
        scan_game, scan_local_library,
    },
};
use lanspread_proto::GameId;
use serde_json::json;

use crate::{opts::Common, out};

/// Start-up recovery over the whole game directory, as every command that opens it runs:
/// interrupted install transactions are finished or rolled back (games another live process
/// holds locked are left alone). Reported on stderr, one line per game (stdout stays the
/// command's own output); returned per game directory name for `list`'s document.
fn recover(common: &Common) -> anyhow::Result<BTreeMap<String, Recovered>> {
    let mut out = BTreeMap::new();
    let dir = common.game_dir()?;
    if !dir.is_dir() {
        return Ok(out);
    }
    let done = install::recover_all(&dir)
        .with_context(|| format!("start-up recovery cannot read the game directory {}", dir.display()))?;
    for (root, result) in done {
        let game = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match result {
            Ok(report) => {
                eprintln!("recovered {game}: {}", report.actions.join("; "));
                out.insert(game, Recovered { actions: report.actions, error: None });
            }
            // Another live process is working on it: its business, not a leftover.
            Err(install::InstallError::Busy { .. }) => {}
            Err(e) => {
                eprintln!("recovery of {game} failed: {e}");
                out.insert(game, Recovered { actions: Vec::new(), error: Some(e.to_string()) });
            }
        }
    }
    Ok(out)
}

/// What start-up recovery did to one game.
#[derive(serde::Serialize)]
struct Recovered {
    actions: Vec<String>,
    error: Option<String>,
}

pub(crate) fn list(common: &Common) -> anyhow::Result<ExitCode> {
    let mut recovered = recover(common)?;
    let dir = common.game_dir()?;
    let catalog = common.catalog()?;
    let lib = scan_local_library(&dir, &catalog, &mut ScanCache::default())
        .with_context(|| format!("cannot read the game directory {}", dir.display()))?;
    let games: Vec<_> = lib
        .games
        .values()
        .map(|g| {
            json!({
                "id": g.id,
                "name": catalog.get(&g.id).map(|e| e.name.clone()),
                "version": g.version,
                "downloaded": g.downloaded(),
                "installed": g.installed,
                "installed_version": g.installed_version.as_ref().map(ToString::to_string),
                "paused": g.has_download_state && !g.downloaded(),
                "size_bytes": g.payload_bytes(),
                "file_count": g.files.len(),
                "problem": g.version_error,
                // What start-up recovery of this run did to the game (null when nothing).
                "recovered": recovered.remove(g.id.as_str()),
            })
        })
        .collect();
    println!("{}", serde_json::to_string_pretty(&games)?);
    Ok(ExitCode::SUCCESS)
}

fn game_root(common: &Common, id: &GameId) -> anyhow::Result<std::path::PathBuf> {
    let dir = common.game_dir()?;
    let catalog = common.catalog()?;
    if !catalog.contains(id) {
        bail!("{id} is not in the catalog");
    }
    let root = dir.join(id.as_str());
    if !root.is_dir() {
        bail!("{} does not exist; download the game first", root.display());
    }
    Ok(root)
}

/// `pin`: the catalog pin of a downloaded game.
pub(crate) fn pin(common: &Common, id: &GameId) -> anyhow::Result<ExitCode> {
    recover(common)?;
    let state_dir = common.state_dir();
    let _lock = StateDirLock::acquire(&state_dir)?;
    let root = game_root(common, id)?;
    let game = scan_game(&root, id, &mut ScanCache::default())?;
    let Some(version) = game.version.clone() else {
        bail!(
            "{id} is not completely downloaded here (no valid version.ini); only a complete copy can be pinned"
        );
    };
    let index = HashIndex::new(&state_dir, &common.game_dir()?);
    let mut last = Instant::now();
    let m = build_manifest(&game, &index, &AtomicBool::new(false), &mut |done, total| {
        if last.elapsed().as_secs() >= 1 {
            last = Instant::now();
            eprintln!("{id}: hashing {} / {} MB", done / 1_000_000, total / 1_000_000);
        }
    })
    .with_context(|| format!("cannot hash {id}"))?;
    let mut pins = serde_json::Map::new();
    pins.insert(version.to_string(), json!(m.digest().to_hex()));
    out::json_line(&json!({ "id": id, "pins": pins }));
    eprintln!("{id} {version}: add the \"pins\" entry to this title in the catalog you hand out (format 2)");
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn install(common: &Common, id: &GameId) -> anyhow::Result<ExitCode> {
    let _lock = StateDirLock::acquire(&common.state_dir())?;
    let root = game_root(common, id)?;
    recover(common)?;
    let game = scan_game(&root, id, &mut ScanCache::default())?;
    if game.version.is_none() {
        bail!("{id} is not completely downloaded (no valid version.ini); nothing to install");
    }
    let unpacker = Arc::new(lanspread_unpack::UnrarUnpacker::new());
    let cancel = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let id2 = id.clone();
    let job = tokio::task::spawn_blocking(move || {
        let mut last = Instant::now();
        install::install_game(
            &root,
            unpacker.as_ref(),
            &mut |p: InstallProgress| {
                if last.elapsed().as_millis() >= 500 || p.bytes_done == p.total_bytes {
                    last = Instant::now();
                    eprintln!("{id2}: {:?} {} / {} bytes", p.phase, p.bytes_done, p.total_bytes);
                }
            },
            &cancel,
        )
    });
    let report =
        job.await.context("install task failed")?.with_context(|| format!("installing {id} failed"))?;
    out::json_line(&json!({
        "event": "installed",
        "game": id,
        "version": game.version,
        "update": report.update,
        "files": report.files,
        "bytes": report.bytes,
        "carried_over": report.carried_over,
        "seconds": started.elapsed().as_secs_f64(),
    }));
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn uninstall(common: &Common, id: &GameId) -> anyhow::Result<ExitCode> {
    let _lock = StateDirLock::acquire(&common.state_dir())?;
    let root = game_root(common, id)?;
    recover(common)?;
    eprintln!("{id}: uninstalling");
    let r = root.clone();
    tokio::task::spawn_blocking(move || install::uninstall_game(&r))
        .await
        .context("uninstall task failed")?
        .with_context(|| format!("uninstalling {id} failed"))?;
    out::json_line(&json!({"event": "uninstalled", "game": id}));
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn play(common: &Common, id: &GameId, dry_run: bool) -> anyhow::Result<ExitCode> {
    recover(common)?;
    let catalog = common.catalog()?;
    let Some(entry) = catalog.get(id) else { bail!("{id} is not in the catalog") };
    let root = game_root(common, id)?;
    let plan = lanspread_peer::launch::plan(&root, id, Some(entry))?;
    if dry_run {
        out::json_line(&plan);
        return Ok(ExitCode::SUCCESS);
    }
    let child = lanspread_peer::launch::start(&plan)
        .with_context(|| format!("could not start {}", plan.program.display()))?;
    out::json_line(&json!({
        "event": "game_started",
        "id": id,
        "pid": child.id(),
        "program": plan.program,
        "args": plan.args,
        "cwd": plan.cwd,
        "source": plan.source,
    }));
    Ok(ExitCode::SUCCESS)
}
