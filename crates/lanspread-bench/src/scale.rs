//! A 30-peer party: 30 `lanspread-peer-cli serve` processes, each in its own network namespace
//! with a 200-game library, all started at once. Measures how long after the last start every
//! peer sees every library, each peer's peak RSS and its mDNS traffic.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use lanspread_testkit::{
    lan::Lan,
    library::{catalog_json, write_tiny_library},
    proc::{PeerProc, peak_rss_kib, wait_until_all_see_all},
};

use crate::{report::Section, tools::cli};

const GAMES: usize = 200;

pub(crate) fn scale(peers: usize) -> Result<Section> {
    let lan = Lan::new(&vec![None; peers])?;
    let (_scratch, sp) = crate::tools::scratch_dir()?;
    let sp = sp.as_path();
    let catalog = sp.join("catalog.json");
    std::fs::write(&catalog, catalog_json(GAMES))?;
    for h in 0..peers {
        write_tiny_library(&sp.join(format!("p{h}/games")), GAMES, &format!("{}", 1000 + h))?;
    }
    let cli = cli();
    let spawn_start = Instant::now();
    let mut procs = Vec::new();
    for h in 0..peers {
        let mut cmd = lan.command(h, cli.to_str().context("cli path")?);
        cmd.arg("serve")
            .arg("--catalog")
            .arg(&catalog)
            .arg("--game-dir")
            .arg(sp.join(format!("p{h}/games")))
            .arg("--state-dir")
            .arg(sp.join(format!("p{h}/state")));
        procs.push(PeerProc::spawn(&format!("peer{h}"), cmd, sp.join(format!("p{h}.log")))?);
    }
    for p in &mut procs {
        p.wait_event("ready", Duration::from_secs(60), |e| e["event"] == "ready")?;
    }
    let last_start = Instant::now();
    let started_in = spawn_start.elapsed().as_secs_f64();
    let seen = wait_until_all_see_all(&mut procs, GAMES, last_start, Duration::from_secs(120))?;
    let full_mesh = seen.iter().map(Duration::as_secs_f64).fold(0.0, f64::max);
    let mcast_at_mesh: Vec<(u64, u64)> =
        (0..peers).map(|h| lan.discovery_octets(h)).collect::<Result<_>>()?;
    // Idle: what discovery (mDNS and the broadcast beacon) costs per peer while nothing changes, once the browse queries' backoff
    // (1 s, 2 s, 4 s, …) has stretched: measured from 30 s to 60 s after the full view.
    let idle = Duration::from_secs(30);
    std::thread::sleep(idle);
    let mcast_at_mesh_idle: Vec<(u64, u64)> =
        (0..peers).map(|h| lan.discovery_octets(h)).collect::<Result<_>>()?;
    std::thread::sleep(idle);
    let mcast_idle: Vec<(u64, u64)> = (0..peers).map(|h| lan.discovery_octets(h)).collect::<Result<_>>()?;
    let rss: Vec<u64> = procs.iter().map(|p| peak_rss_kib(p.pid())).collect::<Result<_>>()?;
    for p in &mut procs {
        let _ = p.terminate(Duration::from_secs(15));
    }
    let max_rss = rss.iter().copied().max().unwrap_or(0);
    let median = |mut v: Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        v[v.len() / 2]
    };
    let sent_discovery = median(mcast_at_mesh.iter().map(|m| m.1 as f64 / 1024.0).collect());
    let recv_discovery = median(mcast_at_mesh.iter().map(|m| m.0 as f64 / 1024.0).collect());
    let idle_rate = median(
        mcast_idle
            .iter()
            .zip(&mcast_at_mesh_idle)
            .map(|(b, a)| ((b.0 + b.1) - (a.0 + a.1)) as f64 / idle.as_secs_f64())
            .collect(),
    );
    // Idle discovery may cost at most twice what mDNS alone cost before the beacon (4.9 KB/s
    // per peer at 30 peers, docs/benchmarks.md of 2026-12-03).
    let idle_budget = 2.0 * 4_900.0;
    let ok = full_mesh <= 5.0 && max_rss <= 50 * 1024 && idle_rate <= idle_budget;
    Ok(Section {
        title: format!("Scale: {peers} peers, {GAMES}-game library each, one LAN"),
        notes: vec![format!(
            "All {peers} `serve` processes spawned at once (each in its own network namespace on one bridge); \
             the last one was ready {started_in:.1} s after the first spawn. Discovery is timed from that moment \
             until every peer has announced (event on stdout, read as written) all {} others with all {GAMES} \
             games each; `list_peers` on every peer confirms it. Budget: ≤ 5 s; peak RSS ≤ 50 MiB per peer.",
            peers - 1
        )],
        header: vec!["measure".into(), "value".into()],
        rows: vec![
            vec!["every peer sees every library".into(), format!("{full_mesh:.2} s after the last start")],
            vec![
                "per-peer time to full view (median / max)".into(),
                format!(
                    "{:.2} s / {full_mesh:.2} s",
                    median(seen.iter().map(Duration::as_secs_f64).collect())
                ),
            ],
            vec![
                "peak RSS per peer (median / max)".into(),
                format!(
                    "{:.1} MiB / {:.1} MiB",
                    median(rss.iter().map(|r| *r as f64 / 1024.0).collect()),
                    max_rss as f64 / 1024.0
                ),
            ],
            vec![
                "discovery (mDNS + beacon) per peer from start until the full view was confirmed (median sent / received)".into(),
                format!("{sent_discovery:.1} KiB / {recv_discovery:.1} KiB"),
            ],
            vec![
                "discovery (mDNS + beacon) per peer when idle (median, 30–60 s after the full view)".into(),
                format!("{idle_rate:.0} B/s sent + received"),
            ],
        ],
        verdict: format!(
            "full view {full_mesh:.2} s (budget ≤ 5 s), peak RSS {:.1} MiB (budget ≤ 50 MiB), idle discovery {idle_rate:.0} B/s (budget ≤ {idle_budget:.0} B/s): {}",
            max_rss as f64 / 1024.0,
            if ok { "PASS" } else { "MISS" }
        ),
    })
}
