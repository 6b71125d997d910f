//! `get`: download (and install) one game through the same runtime and pipeline as the app.

use std::{
    process::ExitCode,
    time::{Duration, Instant},
};

use anyhow::{anyhow, bail};
use lanspread_peer::{GameEntry, GameState, PeerCommand, PeerEvent, PeerRuntimeHandle};
use lanspread_proto::{GameVersion, PeerId};
use serde_json::json;
use tokio::sync::mpsc;

use crate::{
    opts::{Common, GetArgs},
    out, serve, signals,
};

struct Finished {
    version: GameVersion,
    bytes: u64,
    peers: Vec<PeerId>,
}

pub(crate) async fn run(common: &Common, args: &GetArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let (handle, mut events) = serve::start_with(
        common,
        args.name.as_deref(),
        lanspread_peer::DEFAULT_PORT,
        !args.no_install,
        !args.no_swarm,
        None,
    )
    .await?;
    // What start-up recovery did, as `serve` prints it (JSON lines before the final one).
    for ev in handle.recovered() {
        out::json_line(ev);
    }
    let deadline = args.timeout.map(|s| started + Duration::from_secs_f64(s.max(0.0)));
    let timeout = async {
        match deadline {
            Some(d) => tokio::time::sleep_until(d.into()).await,
            None => std::future::pending().await,
        }
    };
    let outcome = tokio::select! {
        r = drive(&handle, &mut events, args) => r,
        _ = signals::stop_requested() => Err(anyhow!("interrupted; verified chunks are kept, run the same command to resume")),
        _ = timeout => Err(anyhow!(
            "gave up after {:.0} s (--timeout); verified chunks are kept",
            args.timeout.unwrap_or_default()
        )),
    };
    match outcome {
        Ok(f) => {
            out::json_line(&json!({
                "event": "finished",
                "game": args.game_id,
                "version": f.version,
                "bytes": f.bytes,
                "seconds": started.elapsed().as_secs_f64(),
                "peers": f.peers,
            }));
            if args.keep_serving {
                eprintln!("{}: done; serving until SIGINT/SIGTERM", args.game_id);
                signals::stop_requested().await;
            }
            handle.shutdown().await;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            handle.shutdown().await;
            Err(e)
        }
    }
}

fn entry<'a>(games: &'a [GameEntry], id: &str) -> Option<&'a GameEntry> {
    games.iter().find(|g| g.id.as_str() == id)
}

async fn drive(
    handle: &PeerRuntimeHandle,
    events: &mut mpsc::UnboundedReceiver<PeerEvent>,
    args: &GetArgs,
) -> anyhow::Result<Finished> {
    let id = &args.game_id;
    let waiting_since = Instant::now();
    let mut last_note = Instant::now() - Duration::from_secs(60);
    let mut local_done: Option<Instant> = None;
    // 1. Wait for enough peers announcing the latest version (or a local copy that is current).
    let game = loop {
        let ev = events.recv().await.ok_or_else(|| anyhow!("the peer runtime stopped"))?;
        let PeerEvent::ListGames { games } = ev else { continue };
        let Some(g) = entry(&games, id.as_str()) else {
            if last_note.elapsed() > Duration::from_secs(5) {
                eprintln!("{id}: waiting for peers that have it…");
                last_note = Instant::now();
            }
            continue;
        };
        let offer_taken = args.accept_unverified && g.offered.is_some();
        let current_locally = g.downloaded && !matches!(g.state, GameState::UpdateAvailable) && !offer_taken;
        if current_locally {
            // Give discovery a moment to reveal a newer version before declaring it current.
            let since = *local_done.get_or_insert_with(Instant::now);
            if g.peer_count >= args.min_peers || since.elapsed() > Duration::from_secs(2) {
                break g.clone();
            }
            continue;
        }
        if g.latest_version.is_some() && g.peer_count >= args.min_peers {
            break g.clone();
        }
        if let Some(o) = &g.offered {
            if args.accept_unverified {
                break g.clone();
            }
            if last_note.elapsed() > Duration::from_secs(5) {
                eprintln!(
                    "{id}: version {} is offered by {} only and nothing else confirms it; waiting for a confirmed \
                     version (pass --accept-unverified to take it)",
                    o.version,
                    o.by.join(", ")
                );
                last_note = Instant::now();
            }
            continue;
        }
        if last_note.elapsed() > Duration::from_secs(5) {
            eprintln!("{id}: {} of {} peers so far…", g.peer_count, args.min_peers);
            last_note = Instant::now();
        }
    };
    let _ = waiting_since;
    let offer_taken = args.accept_unverified && game.offered.is_some();
    if game.downloaded && !matches!(game.state, GameState::UpdateAvailable) && !offer_taken {
        let version = game.local_version.clone().ok_or_else(|| anyhow!("{id} has no version"))?;
        eprintln!("{id}: version {version} is already downloaded");
        if !args.no_install && !game.installed {
            handle
                .command(PeerCommand::InstallGame { id: id.clone() })
                .await
                .map_err(|e| anyhow!(e.message))?;
            wait_install(events, id.as_str()).await?;
        }
        return Ok(Finished { version, bytes: 0, peers: Vec::new() });
    }

    // 2. Agree on the manifest and download.
    let accept_unverified = args.accept_unverified;
    let cmd = if game.downloaded || game.local_version.is_some() {
        PeerCommand::FetchLatestFromPeers { id: id.clone(), download: true, accept_unverified }
    } else {
        PeerCommand::GetGame { id: id.clone(), download: true, accept_unverified }
    };
    handle.command(cmd).await.map_err(|e| anyhow!(e.message))?;
    let mut last_progress = Instant::now() - Duration::from_secs(1);
    let mut by_peer: Vec<lanspread_peer::PeerTransfer> = Vec::new();
    let mut pausing = false;
    let finished = loop {
        let ev = events.recv().await.ok_or_else(|| anyhow!("the peer runtime stopped"))?;
        match ev {
            PeerEvent::GotGameFiles { id: gid, version, total_bytes, peers, .. } if &gid == id => {
                eprintln!("{id}: version {version}, {total_bytes} bytes, agreed by {} peer(s)", peers.len());
            }
            PeerEvent::DownloadGameFilesBegin { id: gid, verified_bytes, total_bytes, .. }
                if &gid == id && verified_bytes > 0 =>
            {
                eprintln!("{id}: resuming, {verified_bytes} of {total_bytes} bytes already verified");
            }
            PeerEvent::DownloadGameFilesProgress(p) if &p.id == id => {
                by_peer = p.peers.clone();
                if args.pause_after_mib.is_some_and(|m| p.bytes_done >= m << 20) && !pausing {
                    pausing = true;
                    handle.send(PeerCommand::Cancel { id: id.clone() }).map_err(|e| anyhow!(e.message))?;
                }
                if last_progress.elapsed() >= Duration::from_millis(500) {
                    last_progress = Instant::now();
                    let pct = (p.bytes_done * 100).checked_div(p.total_bytes).unwrap_or(100);
                    eprintln!(
                        "{id}: {pct:>3}% {} / {} MB, {:.1} MB/s, {} peer(s){}",
                        p.bytes_done / 1_000_000,
                        p.total_bytes / 1_000_000,
                        p.rate_bps as f64 / 1e6,
                        p.peers.len(),
                        p.eta_secs.map(|s| format!(", {s} s left")).unwrap_or_default()
                    );
                }
            }
            PeerEvent::ManifestDisagreement { id: gid, message, .. } if &gid == id => {
                eprintln!("{id}: {message}")
            }
            PeerEvent::PeerMisbehaved { reason, peer_id, .. } => {
                eprintln!("peer {}: {reason}", peer_id.short())
            }
            PeerEvent::DownloadGameFilesFinished { id: gid, version, bytes, peers, seconds }
                if &gid == id =>
            {
                eprintln!("{id}: downloaded and verified {bytes} bytes in {seconds:.1} s");
                let parts: Vec<String> = by_peer
                    .iter()
                    .map(|t| format!("{} {:.1} MB", t.peer_id.short(), t.bytes as f64 / 1e6))
                    .collect();
                eprintln!("{id}: received from {}", parts.join(", "));
                break Finished { version, bytes, peers };
            }
            PeerEvent::DownloadGameFilesFailed { id: gid, .. } if &gid == id && pausing => {
                bail!(
                    "paused after {} MiB (--pause-after-mib); verified chunks are kept",
                    args.pause_after_mib.unwrap_or(0)
                )
            }
            PeerEvent::DownloadGameFilesFailed { id: gid, error } if &gid == id => bail!("{}", error.message),
            PeerEvent::CommandFailed { error, .. } => bail!("{}", error.message),
            _ => {}
        }
    };
    if !args.no_install {
        wait_install(events, id.as_str()).await?;
    }
    Ok(finished)
}

async fn wait_install(events: &mut mpsc::UnboundedReceiver<PeerEvent>, id: &str) -> anyhow::Result<()> {
    let mut last = Instant::now() - Duration::from_secs(1);
    loop {
        let ev = events.recv().await.ok_or_else(|| anyhow!("the peer runtime stopped"))?;
        match ev {
            PeerEvent::InstallGameProgress { id: gid, bytes_done, total_bytes }
                if gid.as_str() == id && last.elapsed() >= Duration::from_millis(500) =>
            {
                last = Instant::now();
                eprintln!("{id}: installing {} / {} MB", bytes_done / 1_000_000, total_bytes / 1_000_000);
            }
            PeerEvent::InstallGameFinished { id: gid, carried_over, .. } if gid.as_str() == id => {
                if !carried_over.is_empty() {
                    eprintln!(
                        "{id}: kept {} file(s) of your data from the previous install",
                        carried_over.len()
                    );
                }
                eprintln!("{id}: installed");
                return Ok(());
            }
            PeerEvent::InstallGameFailed { id: gid, error } if gid.as_str() == id => {
                bail!("install failed: {}", error.message)
            }
            _ => {}
        }
    }
}
