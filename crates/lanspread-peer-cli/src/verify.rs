//! `verify GAME_ID`: the runtime's VerifyGame through the same peer as everything else; the
//! peer runs for discovery so the payload is checked against the manifest the peers agree on.

use std::{
    process::ExitCode,
    time::{Duration, Instant},
};

use anyhow::{anyhow, bail};
use lanspread_peer::{PeerCommand, PeerEvent, VerifyReport};

use crate::{
    opts::{Common, VerifyArgs},
    out, serve, signals,
};

pub(crate) async fn run(common: &Common, args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let (handle, mut events) =
        serve::start_with(common, None, lanspread_peer::DEFAULT_PORT, false, true, None).await?;
    for ev in handle.recovered() {
        out::json_line(ev);
    }
    let outcome = tokio::select! {
        r = drive(&handle, &mut events, args) => r,
        _ = signals::stop_requested() => Err(anyhow!("interrupted; nothing was changed")),
    };
    handle.shutdown().await;
    let report = outcome?;
    if let Some(r) = &report.repair {
        eprintln!(
            "{}: repaired: fetched {} bytes again ({}), extracted {} file(s) again ({} bytes)",
            args.game_id,
            r.fetched_bytes,
            if r.refetched_files.is_empty() { "nothing".to_string() } else { r.refetched_files.join(", ") },
            r.reextracted.len(),
            r.reextracted_bytes
        );
    }
    if report.ok {
        eprintln!("{}: every byte checked, nothing damaged ({})", args.game_id, report.reference);
        return Ok(ExitCode::SUCCESS);
    }
    bail!("{}: {}", args.game_id, summary(&report))
}

/// Waits (up to `--wait`) for a peer holding the local version, then verifies.
async fn drive(
    handle: &lanspread_peer::PeerRuntimeHandle,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<PeerEvent>,
    args: &VerifyArgs,
) -> anyhow::Result<VerifyReport> {
    let id = &args.game_id;
    let deadline = Instant::now() + Duration::from_secs_f64(args.wait.clamp(0.0, 600.0));
    handle.command(PeerCommand::ListGames).await?;
    loop {
        let ev = tokio::select! {
            ev = events.recv() => ev.ok_or_else(|| anyhow!("the peer stopped"))?,
            _ = tokio::time::sleep_until(deadline.into()) => break,
        };
        if let PeerEvent::ListGames { games } = &ev
            && let Some(g) = games.iter().find(|g| g.id == *id)
        {
            if !g.downloaded {
                bail!("{id} is not completely downloaded here; nothing to verify");
            }
            if g.peer_count > 0 && g.latest_version == g.local_version {
                break;
            }
        }
    }
    handle.command(PeerCommand::VerifyGame { id: id.clone(), repair: args.repair }).await?;
    let mut last = Instant::now();
    loop {
        let ev = events.recv().await.ok_or_else(|| anyhow!("the peer stopped"))?;
        match ev {
            PeerEvent::VerifyGameBegin { id: ref g, .. } if g == id => out::json_line(&ev),
            PeerEvent::VerifyGameProgress { id: ref g, bytes_done, total_bytes }
                if g == id && (last.elapsed() >= Duration::from_millis(500) || bytes_done == total_bytes) =>
            {
                last = Instant::now();
                let pct =
                    if total_bytes == 0 { 100.0 } else { bytes_done as f64 * 100.0 / total_bytes as f64 };
                eprintln!("{id}: verified {pct:.0}% ({bytes_done} of {total_bytes} bytes)");
            }
            PeerEvent::VerifyGameFinished { id: ref g, ref report, .. } if g == id => {
                out::json_line(&ev);
                return Ok(report.clone());
            }
            PeerEvent::VerifyGameFailed { id: ref g, ref error } if g == id => {
                out::json_line(&ev);
                bail!("{}", error.message);
            }
            _ => {}
        }
    }
}

/// What is damaged, in one line.
fn summary(r: &VerifyReport) -> String {
    let mut parts = Vec::new();
    if !r.damaged_payload.is_empty() {
        let bytes: u64 = r.damaged_payload.iter().map(|d| d.bytes).sum();
        let names: Vec<&str> = r.damaged_payload.iter().map(|d| d.path.as_str()).collect();
        parts.push(format!(
            "{} downloaded file(s) damaged ({bytes} bytes to fetch again: {})",
            names.len(),
            names.join(", ")
        ));
    }
    if !r.local.damaged.is_empty() {
        parts.push(format!(
            "{} installed file(s) damaged ({})",
            r.local.damaged.len(),
            r.local.damaged.join(", ")
        ));
    }
    if !r.local.missing.is_empty() {
        parts.push(format!(
            "{} installed file(s) missing ({})",
            r.local.missing.len(),
            r.local.missing.join(", ")
        ));
    }
    if let Some(why) = &r.local.skipped {
        parts.push(why.clone());
    }
    if !r.local.changed_by_player.is_empty() {
        parts.push(format!("{} file(s) you changed are kept", r.local.changed_by_player.len()));
    }
    parts.join("; ")
}
