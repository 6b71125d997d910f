//! `serve`: a full peer speaking JSON lines.

use std::{
    io::BufRead,
    process::ExitCode,
    sync::{Arc, RwLock},
};

use anyhow::Context as _;
use lanspread_peer::{PeerCommand, PeerEvent, PeerGameDB, PeerOptions, PeerRuntimeHandle, start_peer_with};
use serde_json::json;
use tokio::sync::mpsc;

use crate::{
    opts::{Common, ServeArgs},
    out, signals,
};

/// Starts the runtime; `auto_install` installs games right after they finish downloading.
pub(crate) async fn start_with(
    common: &Common,
    name: Option<&str>,
    port: u16,
    auto_install: bool,
    swarm: bool,
    upload_limit_mbit: Option<u64>,
) -> anyhow::Result<(PeerRuntimeHandle, mpsc::UnboundedReceiver<PeerEvent>)> {
    let mut opts = PeerOptions::new(common.game_dir()?);
    opts.state_dir = common.state_dir();
    opts.bind = common.bind;
    opts.port = port;
    opts.auto_install = auto_install;
    opts.swarm = swarm;
    opts.upload_limit = upload_limit_mbit.map(|m| m.max(1) * 1_000_000 / 8);
    opts.tuning = crate::tuning::from_env();
    // Comparisons only (benchmarks): LANSPREAD_BEACON=0 turns the broadcast beacon off.
    opts.beacon = std::env::var("LANSPREAD_BEACON").map_or(true, |v| v.trim() != "0");
    opts.known_peers = common.peers.clone();
    if let Some(n) = name {
        opts.name = n.to_string();
    }
    let catalog = Arc::new(common.catalog()?);
    let (tx, rx) = mpsc::unbounded_channel();
    let db = Arc::new(RwLock::new(PeerGameDB::new()));
    let unpacker = Arc::new(lanspread_unpack::UnrarUnpacker::new());
    let handle = start_peer_with(opts, tx, db, unpacker, catalog).await.context("cannot start the peer")?;
    Ok((handle, rx))
}

/// Reads stdin lines on a plain thread (so a blocked read never holds up shutdown).
pub(crate) fn stdin_lines() -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
        // End of stdin: the sender drops; serve keeps running.
    });
    rx
}

pub(crate) async fn run(common: &Common, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let (handle, mut events) =
        start_with(common, args.name.as_deref(), args.port, true, !args.no_swarm, args.upload_limit_mbit)
            .await?;
    let mut lines = stdin_lines();
    let mut stdin_open = true;
    let stopped = handle.clone();
    let mut done = Box::pin(async move { stopped.wait().await });
    let mut stop = Box::pin(signals::stop_requested());
    let mut stopping = false;
    loop {
        tokio::select! {
            biased;
            _ = &mut stop, if !stopping => {
                stopping = true;
                let h = handle.clone();
                tokio::spawn(async move { h.shutdown().await });
            }
            Some(ev) = events.recv() => {
                out::json_line(&ev);
                if matches!(ev, PeerEvent::ShutdownComplete) {
                    break;
                }
            }
            line = lines.recv(), if stdin_open => match line {
                Some(line) => handle_line(&handle, &line),
                None => stdin_open = false,
            },
            _ = &mut done => {
                while let Ok(ev) = events.try_recv() {
                    out::json_line(&ev);
                }
                break;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn handle_line(handle: &PeerRuntimeHandle, line: &str) {
    let line = line.trim();
    if line.is_empty() {
        return;
    }
    match serde_json::from_str::<PeerCommand>(line) {
        Ok(cmd) => {
            if let Err(e) = handle.send(cmd) {
                out::json_line(&json!({"event": "error", "kind": e.kind, "message": e.message}));
            }
        }
        Err(e) => out::json_line(&json!({
            "event": "error",
            "kind": "invalid_input",
            "message": format!("not a command: {e}; expected one JSON object per line such as {{\"command\":\"list_games\"}}"),
        })),
    }
}
