//! One seeder and eight downloaders starting at once: lanspread's swarm vs. the naive case
//! (every downloader from the seeder only) vs. BitTorrent (aria2c + opentracker).

use std::{
    path::Path,
    process::{Child, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use lanspread_testkit::{lan::Lan, proc::PeerProc};
use sha1::{Digest as _, Sha1};

use crate::{
    report::Section,
    scenarios::Opts,
    tools::{Serve, cli, write_file},
};

const GAME: &str = "quake3";
const FILE: &str = "quake3.bin";
const DOWNLOADERS: usize = 8;

/// Downloaders per run: eight, or `LANSPREAD_BENCH_DOWNLOADERS` to study smaller and larger
/// swarms (the budget is defined for eight).
fn downloaders() -> usize {
    std::env::var("LANSPREAD_BENCH_DOWNLOADERS").ok().and_then(|v| v.parse().ok()).unwrap_or(DOWNLOADERS)
}

pub(crate) fn swarm(o: &Opts) -> Result<Section> {
    let size = o.size_mib << 20;
    let raw = size as f64 / 25e6;
    let ours = run_lanspread(size, true)?;
    let quick = std::env::var_os("LANSPREAD_BENCH_QUICK").is_some();
    let naive = if quick { None } else { Some(run_lanspread(size, false)?) };
    let bt = if quick {
        Vec::new()
    } else {
        run_bittorrent(size).unwrap_or_else(|e| {
            eprintln!("  BitTorrent reference failed: {e:#}");
            Vec::new()
        })
    };
    let row = |name: &str, t: &[f64], run: Option<&Run>| {
        let last = t.iter().cloned().fold(0.0, f64::max);
        vec![
            name.to_string(),
            if t.is_empty() { "–".into() } else { format!("{last:.1} s = {:.2}×", last / raw) },
            t.iter().map(|x| format!("{:.2}", x / raw)).collect::<Vec<_>>().join(", "),
            run.map_or("–".into(), |r| format!("{:.2}", r.seeder_copies)),
            run.map_or("–".into(), |r| format!("{:.1} MiB", r.rss_kib as f64 / 1024.0)),
        ]
    };
    let last = ours.times.iter().cloned().fold(0.0, f64::max);
    Ok(Section {
        title: format!(
            "Swarm: one seeder → {} downloaders at once, 200 Mbit/s ports, {} MiB",
            match downloaders() {
                8 => "eight".to_string(),
                n => n.to_string(),
            },
            o.size_mib
        ),
        notes: vec![format!(
            "Raw single-copy time (size ÷ port rate) = {raw:.1} s. Timed from launch; finish multiples of the raw time. \
             Budget: last lanspread downloader within 1.2× ({:.1} s).",
            raw * 1.2
        )],
        header: vec![
            "tool".into(),
            "last finish".into(),
            "each finish (× raw)".into(),
            "seeder upload (copies)".into(),
            "peak RSS (any peer)".into(),
        ],
        rows: vec![
            row("lanspread (swarm)", &ours.times, Some(&ours)),
            row(
                "lanspread naive (seeder only)",
                naive.as_ref().map_or(&[][..], |n| &n.times),
                naive.as_ref(),
            ),
            row("BitTorrent (aria2c + opentracker)", &bt, None),
        ],
        verdict: format!(
            "last downloader at {:.2}× the raw single-copy time (budget ≤ 1.2×): {}",
            last / raw,
            if last / raw <= 1.2 { "PASS" } else { "MISS" }
        ),
    })
}

/// One lanspread run: finish times (s, sorted), seeder upload in game copies, peak RSS (KiB)
/// of the busiest process.
struct Run {
    times: Vec<f64>,
    seeder_copies: f64,
    rss_kib: u64,
}

fn run_lanspread(size: u64, swarm: bool) -> Result<Run> {
    let rates = vec![Some(200); downloaders() + 1];
    let lan = Lan::new(&rates)?;
    let scratch = tempfile::tempdir()?;
    let sp = scratch.path();
    if std::env::var_os("LANSPREAD_BENCH_KEEP").is_some() {
        eprintln!("  keeping {}", sp.display());
    }
    let games = sp.join("seed/games");
    write_file(&games.join(GAME).join(FILE), size, 42)?;
    std::fs::write(games.join(GAME).join("version.ini"), "1\n")?;
    let mut seeder = Serve::start(&lan, 0, &games, &sp.join("seed/state"), None, &sp.join("seed.log"))?;
    std::thread::sleep(Duration::from_secs(2));
    let cli = cli();
    let start = Instant::now();
    let mut procs = Vec::new();
    let mut launched = Vec::new();
    for h in 1..=downloaders() {
        let g = sp.join(format!("dl{h}/games"));
        std::fs::create_dir_all(&g)?;
        let mut cmd = lan.command(h, cli.to_str().context("cli")?);
        cmd.args(["get", GAME, "--no-install", "--keep-serving", "--timeout", "600", "--game-dir"])
            .arg(&g)
            .arg("--state-dir")
            .arg(sp.join(format!("dl{h}/state")));
        if !swarm {
            cmd.arg("--no-swarm");
        }
        launched.push(start.elapsed().as_secs_f64());
        procs.push(PeerProc::spawn(&format!("dl{h}"), cmd, sp.join(format!("dl{h}.log")))?);
    }
    // Each finish time: when its `get` was launched plus the seconds it reports (the events
    // are read one process after the other, so reading time would lump them together).
    let mut times = Vec::new();
    for (p, at) in procs.iter_mut().zip(&launched) {
        let fin = p.wait_event("finished", Duration::from_secs(600), |e| e["event"] == "finished")?;
        times.push(at + fin["seconds"].as_f64().unwrap_or(0.0));
    }
    let rss = procs
        .iter()
        .chain(std::iter::once(&seeder.proc))
        .filter_map(|p| lanspread_testkit::proc::peak_rss_kib(p.pid()).ok())
        .max()
        .unwrap_or(0);
    seeder.proc.send(&serde_json::json!({"command": "get_stats"}))?;
    let stats = seeder.proc.wait_event("stats", Duration::from_secs(5), |e| e["event"] == "stats")?;
    let up = stats["uploaded_bytes"].as_u64().unwrap_or(0);
    eprintln!(
        "  lanspread {}: last finished {:.1} s; seeder uploaded {:.2} copies; peak RSS of any peer {:.1} MiB",
        if swarm { "swarm" } else { "naive" },
        times.iter().cloned().fold(0.0, f64::max),
        up as f64 / size as f64,
        rss as f64 / 1024.0
    );
    for mut p in procs {
        let _ = p.terminate(Duration::from_secs(10));
    }
    seeder.stop()?;
    if std::env::var_os("LANSPREAD_BENCH_KEEP").is_some() {
        let _ = scratch.keep();
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    Ok(Run { times, seeder_copies: up as f64 / size as f64, rss_kib: rss })
}

/// Bencodes a single-file torrent; returns (torrent bytes, info-hash hex).
fn make_torrent(file: &Path, announce: &str, piece: usize) -> Result<(Vec<u8>, String)> {
    use std::io::Read;
    let len = std::fs::metadata(file)?.len();
    let mut pieces = Vec::new();
    let mut f = std::fs::File::open(file)?;
    let mut buf = vec![0u8; piece];
    loop {
        let mut filled = 0;
        while filled < piece {
            let n = f.read(&mut buf[filled..])?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        if filled == 0 {
            break;
        }
        pieces.extend_from_slice(&Sha1::digest(&buf[..filled]));
        if filled < piece {
            break;
        }
    }
    let name = FILE.as_bytes();
    let mut info = Vec::new();
    info.extend_from_slice(format!("d6:lengthi{len}e4:name{}:", name.len()).as_bytes());
    info.extend_from_slice(name);
    info.extend_from_slice(format!("12:piece lengthi{piece}e6:pieces{}:", pieces.len()).as_bytes());
    info.extend_from_slice(&pieces);
    info.push(b'e');
    let hash = hex_lower(&Sha1::digest(&info));
    let mut t = Vec::new();
    t.extend_from_slice(format!("d8:announce{}:{announce}4:info", announce.len()).as_bytes());
    t.extend_from_slice(&info);
    t.push(b'e');
    Ok((t, hash))
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Only the BitTorrent reference (debugging the harness): `lanspread-bench bittorrent`.
pub(crate) fn bittorrent_only(o: &Opts) -> Result<Section> {
    let size = o.size_mib << 20;
    let raw = size as f64 / 25e6;
    let t = run_bittorrent(size)?;
    let last = t.iter().cloned().fold(0.0, f64::max);
    Ok(Section {
        title: format!("BitTorrent reference alone, {} MiB", o.size_mib),
        notes: vec![],
        header: vec!["tool".into(), "last finish".into()],
        rows: vec![vec!["aria2c + opentracker".into(), format!("{last:.1} s = {:.2}×", last / raw)]],
        verdict: String::new(),
    })
}

fn run_bittorrent(size: u64) -> Result<Vec<f64>> {
    let rates = vec![Some(200); downloaders() + 1];
    let lan = Lan::new(&rates)?;
    let (_scratch, sp) = crate::tools::scratch_dir()?;
    let sp = sp.as_path();
    let log = |name: &str| -> Result<Stdio> { Ok(Stdio::from(std::fs::File::create(sp.join(name))?)) };
    let seed_dir = sp.join("seed");
    write_file(&seed_dir.join(FILE), size, 42)?;
    let ip = lan.hosts[0].ip.to_string();
    let announce = format!("http://{ip}:6969/announce");
    let (torrent, hash) = make_torrent(&seed_dir.join(FILE), &announce, 256 << 10)?;
    let tfile = sp.join("game.torrent");
    std::fs::write(&tfile, torrent)?;
    // opentracker refuses to run as root: it drops to `nobody` and chroots into the scratch
    // directory, so that directory and the whitelist must be readable by everyone, and the
    // whitelist path is relative to the chroot.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(sp, std::fs::Permissions::from_mode(0o755))?;
    let wl = sp.join("whitelist.txt");
    std::fs::write(&wl, format!("{hash}\n"))?;
    std::fs::set_permissions(&wl, std::fs::Permissions::from_mode(0o644))?;
    let conf = sp.join("opentracker.conf");
    std::fs::write(&conf, "access.whitelist whitelist.txt\n")?;
    let _tracker = Kill(
        lan.command(0, "opentracker")
            .args(["-i", &ip, "-p", "6969", "-P", "6969", "-d"])
            .arg(sp)
            .arg("-f")
            .arg(&conf)
            .stdout(log("tracker.out")?)
            .stderr(log("tracker.err")?)
            .spawn()
            .context("start opentracker (apt install opentracker)")?,
    );
    std::thread::sleep(Duration::from_millis(500));
    let common = [
        "--enable-dht=false",
        "--bt-enable-lpd=false",
        "--enable-peer-exchange=true",
        "--seed-ratio=0.0",
        "--bt-tracker-interval=2",
        "--file-allocation=none",
        "--summary-interval=0",
        "--console-log-level=notice",
    ];
    let _seed = Kill(
        lan.command(0, "aria2c")
            .args(common)
            .args(["-V", "-d"])
            .arg(&seed_dir)
            .arg(&tfile)
            .stdout(log("seed.out")?)
            .stderr(log("seed.err")?)
            .spawn()?,
    );
    std::thread::sleep(Duration::from_secs(3));
    let start = Instant::now();
    let mut leechers = Vec::new();
    for h in 1..=downloaders() {
        let dir = sp.join(format!("dl{h}"));
        std::fs::create_dir_all(&dir)?;
        let hook = dir.join("done.sh");
        std::fs::write(&hook, format!("#!/bin/sh\ndate +%s.%N > {}/done\n", dir.display()))?;
        std::process::Command::new("chmod").arg("+x").arg(&hook).status()?;
        leechers.push(Kill(
            lan.command(h, "aria2c")
                .args(common)
                .arg(format!("--on-bt-download-complete={}", hook.display()))
                .arg("-d")
                .arg(&dir)
                .arg(&tfile)
                .stdout(log(&format!("dl{h}.out"))?)
                .stderr(log(&format!("dl{h}.err"))?)
                .spawn()?,
        ));
    }
    let epoch_start = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs_f64()
        - start.elapsed().as_secs_f64();
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut times = vec![None; downloaders()];
    while times.iter().any(Option::is_none) {
        if Instant::now() > deadline {
            bail!("BitTorrent leechers did not finish in 10 minutes");
        }
        for h in 1..=downloaders() {
            if times[h - 1].is_none()
                && let Ok(t) = std::fs::read_to_string(sp.join(format!("dl{h}/done")))
            {
                times[h - 1] = t.trim().parse::<f64>().ok().map(|t| t - epoch_start);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut times: Vec<f64> = times.into_iter().flatten().collect();
    times.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    eprintln!("  BitTorrent: last finished {:.1} s", times.last().copied().unwrap_or(0.0));
    drop(leechers);
    Ok(times)
}
