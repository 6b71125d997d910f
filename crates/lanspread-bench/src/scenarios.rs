//! The scenarios of the performance budgets (docs/design.md, "Budgets"; figures in docs/benchmarks.md).

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use lanspread_testkit::lan::Lan;

use crate::{
    report::Section,
    tools::{Nginx, Serve, Timed, cli, median, timed, write_file},
};

/// Common options.
pub(crate) struct Opts {
    pub(crate) runs: usize,
    pub(crate) size_mib: u64,
    pub(crate) out: Option<PathBuf>,
}

const GAME: &str = "quake3";
const FILE: &str = "quake3.bin";
const MB: f64 = 1e6;

/// A seeder's game directory with one big payload file.
fn make_game(games: &Path, size: u64) -> Result<()> {
    let root = games.join(GAME);
    write_file(&root.join(FILE), size, 42)?;
    std::fs::write(root.join("version.ini"), "1\n")?;
    Ok(())
}

fn clone_game(from: &Path, to: &Path) -> Result<()> {
    let src = from.join(GAME);
    let dst = to.join(GAME);
    std::fs::create_dir_all(&dst)?;
    for f in [FILE, "version.ini"] {
        // Hard links: same bytes, no extra disk.
        let _ = std::fs::remove_file(dst.join(f));
        std::fs::hard_link(src.join(f), dst.join(f))
            .or_else(|_| std::fs::copy(src.join(f), dst.join(f)).map(|_| ()))?;
    }
    Ok(())
}

fn ours_get(lan: &Lan, h: usize, scratch: &Path, extra: &[&str]) -> Result<Timed> {
    get_timed(lan, h, scratch, false, extra)
}

/// `get` on host `h` into a fresh directory, installing when `install`.
fn get_timed(lan: &Lan, h: usize, scratch: &Path, install: bool, extra: &[&str]) -> Result<Timed> {
    let games = scratch.join(format!("dl{h}/games"));
    let state = scratch.join(format!("dl{h}/state"));
    let _ = std::fs::remove_dir_all(scratch.join(format!("dl{h}")));
    std::fs::create_dir_all(&games)?;
    let cli = cli();
    let (g, s) = (games.to_string_lossy().to_string(), state.to_string_lossy().to_string());
    let mut args = vec!["get", GAME, "--timeout", "600", "--game-dir", &g, "--state-dir", &s];
    if !install {
        args.push("--no-install");
    }
    args.extend_from_slice(extra);
    timed(lan, h, cli.to_str().context("cli")?, &args, scratch)
}

/// A game as real packs are: a multi-volume compressed RAR5 set, half compressible text, half
/// incompressible data, six volumes. Returns the unpacked bytes.
fn make_rar_game(games: &Path, size: u64) -> Result<u64> {
    let root = games.join(GAME);
    std::fs::create_dir_all(&root)?;
    let half = (size / 2) as usize;
    let text: Vec<u8> =
        b"the quick brown fox frags the lazy camper on q3dm17; ".iter().copied().cycle().take(half).collect();
    let noise_path = root.join(".noise.tmp");
    write_file(&noise_path, half as u64, 7)?;
    let noise = std::fs::read(&noise_path)?;
    std::fs::remove_file(&noise_path)?;
    // The text packs to almost nothing: six volumes of the packed half.
    let mut b = rars::Builder::new(rars::ArchiveVersion::Rar50).volume_size(Some((size / 12) as usize + 1));
    b.add_bytes(b"baseq3/maps.txt".to_vec(), text, None, Some(0o644)).context("add")?;
    b.add_bytes(b"baseq3/pak0.pk3".to_vec(), noise, None, Some(0o644)).context("add")?;
    let vols = b.build_volumes(None).context("build RAR volumes")?;
    for (i, v) in vols.iter().enumerate() {
        std::fs::write(root.join(format!("{GAME}.part{:02}.rar", i + 1)), v)?;
    }
    std::fs::write(root.join("version.ini"), "1\n")?;
    eprintln!(
        "  game: {} volumes, {} MiB packed",
        vols.len(),
        vols.iter().map(Vec::len).sum::<usize>() >> 20
    );
    Ok(2 * half as u64)
}

/// Time to play: one seeder → one player on 200 Mbit/s ports, a multi-volume compressed RAR5
/// game. The same `get` with and without install, alternating, in the same run.
pub(crate) fn time_to_play(o: &Opts) -> Result<Section> {
    let size = (o.size_mib / 2).max(16) << 20;
    let lan = Lan::new(&[Some(200), Some(200)])?;
    let scratch = tempfile::tempdir()?;
    let sp = scratch.path();
    let seed_games = sp.join("seed/games");
    let unpacked = make_rar_game(&seed_games, size)?;
    let seeder = Serve::start(&lan, 0, &seed_games, &sp.join("seed/state"), None, &sp.join("seed.log"))?;
    std::thread::sleep(Duration::from_secs(2)); // let the seeder hash its library
    let (mut download, mut play) = (Vec::new(), Vec::new());
    for run in 0..o.runs {
        for install in if run % 2 == 0 { [false, true] } else { [true, false] } {
            let t = get_timed(&lan, 1, sp, install, &[])?;
            if install {
                let local = sp.join(format!("dl1/games/{GAME}/local/baseq3"));
                let got: u64 = ["maps.txt", "pak0.pk3"]
                    .iter()
                    .map(|f| std::fs::metadata(local.join(f)).map_or(0, |m| m.len()))
                    .sum();
                if got != unpacked {
                    bail!("the install holds {got} of {unpacked} bytes");
                }
                eprintln!("  run {run}: download + install {:.2}s", t.secs);
                play.push(t.secs);
            } else {
                eprintln!("  run {run}: download only {:.2}s", t.secs);
                download.push(t.secs);
            }
        }
    }
    seeder.stop()?;
    let (md, mp) = (median(download.clone()), median(play.clone()));
    let ratio = mp / md;
    Ok(Section {
        title: format!(
            "Time to play: one seeder → one player, 200 Mbit/s ports, {} MiB multi-volume compressed RAR5",
            size >> 20
        ),
        notes: vec![format!(
            "Timed from launching `lanspread-peer-cli get` to its exit; the game unpacks to {} MiB (half text, half incompressible). Budget: time to play ≤ 1.10× the pure download. Streaming install (extracting each volume while the next ones arrive) is not built yet: today's install runs after the download.",
            unpacked >> 20
        )],
        header: vec!["mode".into(), "median s".into(), "runs s".into(), "× download".into()],
        rows: vec![
            vec![
                "download only (`get --no-install`)".into(),
                format!("{md:.2}"),
                fmt_runs(&download),
                "1.00".into(),
            ],
            vec![
                "download, then install (`get`)".into(),
                format!("{mp:.2}"),
                fmt_runs(&play),
                format!("{ratio:.2}"),
            ],
            vec!["streaming install".into(), "–".into(), "not built".into(), "–".into()],
        ],
        verdict: format!(
            "time to play {ratio:.2}× the pure download (budget ≤ 1.10×): {}",
            pass(ratio <= 1.10)
        ),
    })
}

fn verify(scratch: &Path, h: usize, source: &Path) -> Result<()> {
    let got = scratch.join(format!("dl{h}/games/{GAME}/{FILE}"));
    let want = source.join(GAME).join(FILE);
    if std::fs::metadata(&got)?.len() != std::fs::metadata(&want)?.len()
        || std::fs::read(&got)? != std::fs::read(&want)?
    {
        bail!("downloaded file differs from the source");
    }
    Ok(())
}

fn curl(lan: &Lan, h: usize, url: &str, scratch: &Path) -> Result<Timed> {
    let out = scratch.join(format!("curl{h}.bin"));
    let _ = std::fs::remove_file(&out);
    let t = timed(lan, h, "curl", &["-sS", "--fail", "-o", out.to_str().context("path")?, url], scratch)?;
    Ok(t)
}

fn pct(bytes: u64, secs: f64, link_mbit: f64) -> f64 {
    bytes as f64 * 8.0 / secs / (link_mbit * 1e6) * 100.0
}

/// One seeder → one downloader on 200 Mbit/s ports.
pub(crate) fn one_to_one(o: &Opts) -> Result<Section> {
    let size = o.size_mib << 20;
    let lan = Lan::new(&[Some(200), Some(200)])?;
    let scratch = tempfile::tempdir()?;
    let sp = scratch.path();
    let seed_games = sp.join("seed/games");
    make_game(&seed_games, size)?;
    let seeder = Serve::start(&lan, 0, &seed_games, &sp.join("seed/state"), None, &sp.join("seed.log"))?;
    std::thread::sleep(Duration::from_secs(2)); // let the seeder hash its library
    let _nginx = Nginx::start(&lan, 0, &lan.hosts[0].ip.to_string(), &seed_games, sp)?;
    let url = format!("http://{}:8080/{GAME}/{FILE}", lan.hosts[0].ip);
    let (mut ours, mut theirs, mut rss) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..o.runs {
        let order: [bool; 2] = if run % 2 == 0 { [true, false] } else { [false, true] };
        for ours_first in order {
            if ours_first {
                let t = ours_get(&lan, 1, sp, &[])?;
                verify(sp, 1, &seed_games)?;
                eprintln!(
                    "  run {run}: lanspread {:.2}s ({:.1} MB/s, rss {} KiB)",
                    t.secs,
                    size as f64 / t.secs / MB,
                    t.rss_kib
                );
                ours.push(t.secs);
                rss.push(t.rss_kib);
            } else {
                let t = curl(&lan, 1, &url, sp)?;
                eprintln!("  run {run}: nginx→curl {:.2}s ({:.1} MB/s)", t.secs, size as f64 / t.secs / MB);
                theirs.push(t.secs);
            }
        }
    }
    seeder.stop()?;
    let (mo, mt) = (median(ours.clone()), median(theirs.clone()));
    let ratio = mt / mo;
    Ok(Section {
        title: format!("One seeder → one downloader, 200 Mbit/s ports, {} MiB", o.size_mib),
        notes: vec![
            "Timed from launching `lanspread-peer-cli get` to its exit (discovery, manifest, transfer, fsync, commit included); \
             reference: nginx → curl on the same link. Budget: ≥ 0.97× nginx → curl."
                .into(),
        ],
        header: vec!["tool".into(), "median s".into(), "runs s".into(), "% of link".into(), "peak RSS".into()],
        rows: vec![
            vec![
                "lanspread".into(),
                format!("{mo:.2}"),
                fmt_runs(&ours),
                format!("{:.1}", pct(size, mo, 200.0)),
                format!("{} MiB", rss.iter().max().copied().unwrap_or(0) / 1024),
            ],
            vec!["nginx → curl".into(), format!("{mt:.2}"), fmt_runs(&theirs), format!("{:.1}", pct(size, mt, 200.0)), "–".into()],
        ],
        verdict: format!("ratio {ratio:.3}× nginx → curl (budget ≥ 0.97×): {}", pass(ratio >= 0.97)),
    })
}

/// Three seeders at 200 Mbit/s → one downloader at 600 Mbit/s.
pub(crate) fn three_to_one(o: &Opts) -> Result<Section> {
    let size = o.size_mib << 20;
    let lan = Lan::new(&[Some(200), Some(200), Some(200), Some(600)])?;
    let scratch = tempfile::tempdir()?;
    let sp = scratch.path();
    let base = sp.join("seed0/games");
    make_game(&base, size)?;
    let mut seeders = Vec::new();
    let mut nginx = Vec::new();
    for i in 0..3 {
        let games = sp.join(format!("seed{i}/games"));
        if i > 0 {
            clone_game(&base, &games)?;
        }
        seeders.push(Serve::start(
            &lan,
            i,
            &games,
            &sp.join(format!("seed{i}/state")),
            None,
            &sp.join(format!("seed{i}.log")),
        )?);
        nginx.push(Nginx::start(&lan, i, &lan.hosts[i].ip.to_string(), &games, sp)?);
    }
    std::thread::sleep(Duration::from_secs(2));
    let urls: Vec<String> =
        (0..3).map(|i| format!("http://{}:8080/{GAME}/{FILE}", lan.hosts[i].ip)).collect();
    let (mut ours, mut theirs, mut rss) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..o.runs {
        let order: [bool; 2] = if run % 2 == 0 { [true, false] } else { [false, true] };
        for ours_first in order {
            if ours_first {
                let t = ours_get(&lan, 3, sp, &["--min-peers", "3"])?;
                verify(sp, 3, &base)?;
                eprintln!(
                    "  run {run}: lanspread {:.2}s ({:.1}% of 600 Mbit/s)",
                    t.secs,
                    pct(size, t.secs, 600.0)
                );
                ours.push(t.secs);
                rss.push(t.rss_kib);
            } else {
                let dir = sp.join("aria");
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir)?;
                let d = dir.to_string_lossy().to_string();
                let mut args = vec![
                    "-q",
                    "--allow-overwrite=true",
                    "--file-allocation=none",
                    "-s3",
                    "-x1",
                    "--min-split-size=1M",
                    "-d",
                    &d,
                    "-o",
                    "out.bin",
                ];
                args.extend(urls.iter().map(String::as_str));
                let t = timed(&lan, 3, "aria2c", &args, sp)?;
                eprintln!(
                    "  run {run}: aria2c {:.2}s ({:.1}% of 600 Mbit/s)",
                    t.secs,
                    pct(size, t.secs, 600.0)
                );
                theirs.push(t.secs);
            }
        }
    }
    for s in seeders {
        s.stop()?;
    }
    let (mo, mt) = (median(ours.clone()), median(theirs.clone()));
    let share = pct(size, mo, 600.0);
    Ok(Section {
        title: format!("Three seeders at 200 Mbit/s → one downloader at 600 Mbit/s, {} MiB", o.size_mib),
        notes: vec!["Timed from launch. Reference: aria2c splitting across three nginx mirrors. Budget: ≥ 90 % of the summed link rate.".into()],
        header: vec!["tool".into(), "median s".into(), "runs s".into(), "% of 600 Mbit/s".into(), "peak RSS".into()],
        rows: vec![
            vec![
                "lanspread".into(),
                format!("{mo:.2}"),
                fmt_runs(&ours),
                format!("{share:.1}"),
                format!("{} MiB", rss.iter().max().copied().unwrap_or(0) / 1024),
            ],
            vec!["aria2c (3 mirrors)".into(), format!("{mt:.2}"), fmt_runs(&theirs), format!("{:.1}", pct(size, mt, 600.0)), "–".into()],
        ],
        verdict: format!("{share:.1} % of the summed link rate (budget ≥ 90 %), {:.3}× aria2c: {}", mt / mo, pass(share >= 90.0)),
    })
}

/// Loopback, unshaped, 1 GiB file to file.
pub(crate) fn loopback(o: &Opts) -> Result<Section> {
    let size: u64 = 1 << 30;
    let lan = Lan::new(&[None])?;
    let scratch = tempfile::tempdir()?;
    let sp = scratch.path();
    let seed_games = sp.join("seed/games");
    make_game(&seed_games, size)?;
    let seeder =
        Serve::start(&lan, 0, &seed_games, &sp.join("seed/state"), Some("127.0.0.1"), &sp.join("seed.log"))?;
    std::thread::sleep(Duration::from_secs(3));
    let _nginx = Nginx::start(&lan, 0, "127.0.0.1", &seed_games, sp)?;
    let url = format!("http://127.0.0.1:8080/{GAME}/{FILE}");
    let (mut ours, mut theirs, mut rss) = (Vec::new(), Vec::new(), Vec::new());
    // CPU split (seconds per run): downloader user/sys, seeder user/sys.
    let mut cpu = Vec::new();
    for run in 0..o.runs {
        let order: [bool; 2] = if run % 2 == 0 { [true, false] } else { [false, true] };
        for ours_first in order {
            if ours_first {
                let before = crate::tools::cpu_secs(seeder.proc.pid());
                let t = ours_get(&lan, 0, sp, &["--bind", "127.0.0.1"])?;
                let after = crate::tools::cpu_secs(seeder.proc.pid());
                cpu.push((t.user, t.sys, after.0 - before.0, after.1 - before.1));
                verify(sp, 0, &seed_games)?;
                eprintln!("  run {run}: lanspread {:.2}s ({:.0} MB/s)", t.secs, size as f64 / t.secs / MB);
                ours.push(t.secs);
                rss.push(t.rss_kib);
            } else {
                let t = curl(&lan, 0, &url, sp)?;
                eprintln!("  run {run}: nginx→curl {:.2}s ({:.0} MB/s)", t.secs, size as f64 / t.secs / MB);
                theirs.push(t.secs);
            }
        }
    }
    seeder.stop()?;
    let (mo, mt) = (median(ours.clone()), median(theirs.clone()));
    let ratio = mt / mo;
    let n = cpu.len().max(1) as f64;
    let avg = |f: fn(&(f64, f64, f64, f64)) -> f64| cpu.iter().map(f).sum::<f64>() / n;
    let (du, ds, su, ss) = (avg(|c| c.0), avg(|c| c.1), avg(|c| c.2), avg(|c| c.3));
    Ok(Section {
        title: "Loopback, unshaped, 1 GiB file to file".into(),
        notes: vec![
            "Both processes share the machine's two cores. lanspread encrypts (TLS 1.3 over QUIC), verifies every chunk \
             (BLAKE3) and fdatasyncs; curl does none of that. Budget: ≥ 0.8× nginx → curl."
                .into(),
            format!(
                "CPU per 1 GiB transfer (mean of runs): downloader {du:.2} s user + {ds:.2} s kernel, seeder {su:.2} s user \
                 + {ss:.2} s kernel; {:.0} % of the two cores during the transfer. Kernel time is UDP send/receive, \
                 the seeder's page-cache reads and the downloader's O_DIRECT writes; user time is QUIC packet \
                 processing, AES-GCM, copies and BLAKE3.",
                (du + ds + su + ss) / (2.0 * mo) * 100.0
            ),
        ],
        header: vec!["tool".into(), "median s".into(), "runs s".into(), "MB/s".into(), "peak RSS".into()],
        rows: vec![
            vec![
                "lanspread".into(),
                format!("{mo:.2}"),
                fmt_runs(&ours),
                format!("{:.0}", size as f64 / mo / MB),
                format!("{} MiB", rss.iter().max().copied().unwrap_or(0) / 1024),
            ],
            vec!["nginx → curl".into(), format!("{mt:.2}"), fmt_runs(&theirs), format!("{:.0}", size as f64 / mt / MB), "–".into()],
        ],
        verdict: format!("ratio {ratio:.3}× nginx → curl (budget ≥ 0.8×): {}", pass(ratio >= 0.8)),
    })
}

/// Peak RSS of a seeder serving eight downloaders at once (and of the downloaders).
pub(crate) fn seeder_rss(o: &Opts) -> Result<Section> {
    let size = o.size_mib << 20;
    let rates: Vec<Option<u32>> = vec![Some(200); 9];
    let lan = Lan::new(&rates)?;
    let scratch = tempfile::tempdir()?;
    let sp = scratch.path();
    eprintln!("  scratch {}", sp.display());
    let seed_games = sp.join("seed/games");
    make_game(&seed_games, size)?;
    // The seeder's peak RSS (VmHWM) is read from /proc before it is stopped.
    let cli = cli();
    let mut cmd = lan.command(0, cli.to_str().context("cli path")?);
    cmd.arg("serve").arg("--game-dir").arg(&seed_games).arg("--state-dir").arg(sp.join("seed/state"));
    let mut seeder = lanspread_testkit::proc::PeerProc::spawn("seeder", cmd, sp.join("seeder.log"))?;
    seeder.wait_event("ready", Duration::from_secs(10), |e| e["event"] == "ready")?;
    std::thread::sleep(Duration::from_secs(2));
    let start = Instant::now();
    let handles: Vec<_> = (1..9)
        .map(|h| {
            let sp = sp.to_path_buf();
            let lan_ns = lan.hosts[h].ns.clone();
            std::thread::spawn(move || -> Result<(f64, u64)> {
                let games = sp.join(format!("dl{h}/games"));
                std::fs::create_dir_all(&games)?;
                let tf = sp.join(format!("t{h}.txt"));
                let st = std::process::Command::new("ip")
                    .args(["netns", "exec", &lan_ns, "/usr/bin/time", "-f", "%M", "-o"])
                    .arg(&tf)
                    .arg(crate::tools::cli())
                    .args(["get", GAME, "--no-install", "--no-swarm", "--timeout", "900", "--game-dir"])
                    .arg(&games)
                    .arg("--state-dir")
                    .arg(sp.join(format!("dl{h}/state")))
                    .env("LANSPREAD_LOG", std::env::var("LANSPREAD_LOG").unwrap_or_else(|_| "info".into()))
                    .stdout(std::process::Stdio::null())
                    .stderr(std::fs::File::create(sp.join(format!("dl{h}.log")))?)
                    .status()?;
                if !st.success() {
                    bail!("downloader {h} failed: {st}");
                }
                let rss = std::fs::read_to_string(&tf)?.trim().parse().unwrap_or(0);
                Ok((start.elapsed().as_secs_f64(), rss))
            })
        })
        .collect();
    let mut finishes = Vec::new();
    let mut dl_rss = 0;
    for h in handles {
        let (secs, rss) = h.join().map_err(|_| anyhow::anyhow!("thread panicked"))??;
        finishes.push(secs);
        dl_rss = dl_rss.max(rss);
    }
    let seeder_rss = lanspread_testkit::proc::peak_rss_kib(seeder.pid())?;
    seeder.terminate(Duration::from_secs(15))?;
    let raw = size as f64 / 25e6;
    let last = finishes.iter().cloned().fold(0.0, f64::max);
    let ok = seeder_rss <= 64 * 1024 && dl_rss <= 64 * 1024;
    Ok(Section {
        title: format!(
            "One seeder → eight downloaders at once (no swarming: all load on the seeder), 200 Mbit/s ports, {} MiB",
            o.size_mib
        ),
        notes: vec![format!(
            "Every downloader fetches from the seeder only (the naive case); raw single-copy time {raw:.1} s. \
             Budget: peak RSS ≤ 64 MiB for the seeder and for each downloader."
        )],
        header: vec!["role".into(), "peak RSS".into(), "finish times s".into()],
        rows: vec![
            vec!["seeder (serving 8)".into(), format!("{:.1} MiB", seeder_rss as f64 / 1024.0), "–".into()],
            vec![
                "downloaders (max)".into(),
                format!("{:.1} MiB", dl_rss as f64 / 1024.0),
                format!("{} (last {:.1} s = {:.2}× raw)", fmt_runs(&finishes), last, last / raw),
            ],
        ],
        verdict: format!(
            "peak RSS seeder {} KiB, downloader {} KiB (budget 65536 KiB): {}",
            seeder_rss,
            dl_rss,
            pass(ok)
        ),
    })
}

/// Start → remote library visible, two peers in two namespaces.
pub(crate) fn discovery(o: &Opts) -> Result<Section> {
    let lan = Lan::new(&[None, None])?;
    let scratch = tempfile::tempdir()?;
    let sp = scratch.path();
    let games = sp.join("a/games");
    let root = games.join(GAME);
    std::fs::create_dir_all(&root)?;
    std::fs::write(root.join("version.ini"), "1\n")?;
    std::fs::write(root.join(FILE), b"x")?;
    let a = Serve::start(&lan, 0, &games, &sp.join("a/state"), None, &sp.join("a.log"))?;
    let mut times = Vec::new();
    for run in 0..o.runs.max(5) {
        let bg = sp.join(format!("b{run}/games"));
        std::fs::create_dir_all(&bg)?;
        let cli = cli();
        let mut cmd = lan.command(1, cli.to_str().context("cli")?);
        cmd.arg("serve").arg("--game-dir").arg(&bg).arg("--state-dir").arg(sp.join(format!("b{run}/state")));
        let t = Instant::now();
        let mut b = lanspread_testkit::proc::PeerProc::spawn("b", cmd, sp.join(format!("b{run}.log")))?;
        b.wait_event("remote library", Duration::from_secs(20), |e| {
            e["event"] == "list_games"
                && e["games"]
                    .as_array()
                    .is_some_and(|g| g.iter().any(|x| x["id"] == GAME && x["peer_count"].as_u64() > Some(0)))
        })?;
        let secs = t.elapsed().as_secs_f64();
        eprintln!("  run {run}: {secs:.3}s");
        times.push(secs);
        b.terminate(Duration::from_secs(10))?;
    }
    a.stop()?;
    let m = median(times.clone());
    Ok(Section {
        title: "Discovery: peer start → remote library visible".into(),
        notes: vec!["Two `serve` processes in two namespaces on a bridge, real mDNS + QUIC handshake; timed from launching the second process until it lists the first one's game. Budget ≤ 1 s.".into()],
        header: vec!["median s".into(), "runs s".into()],
        rows: vec![vec![format!("{m:.3}"), fmt_runs(&times)]],
        verdict: format!("median {m:.3} s (budget ≤ 1 s): {}", pass(m <= 1.0)),
    })
}

/// Rescan of an unchanged 200-game library.
pub(crate) fn rescan() -> Result<Section> {
    use lanspread_peer::library::{ScanCache, scan_local_library};
    let scratch = tempfile::tempdir()?;
    let dir = scratch.path();
    let catalog =
        lanspread_proto::Catalog::from_json(lanspread_testkit::library::catalog_json(200).as_bytes())?;
    lanspread_testkit::library::write_tiny_library(dir, 200, "20250101")?;
    let mut cache = ScanCache::default();
    let first = Instant::now();
    let lib = scan_local_library(dir, &catalog, &mut cache)?;
    let cold = first.elapsed().as_secs_f64() * 1e3;
    if lib.games.len() != 200 {
        bail!("scanned {} games", lib.games.len());
    }
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let again = scan_local_library(dir, &catalog, &mut cache)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        if again != lib {
            bail!("rescan changed the library");
        }
    }
    let m = median(times.clone());
    let max = times.iter().cloned().fold(0.0, f64::max);
    Ok(Section {
        title: "Rescan of an unchanged 200-game library".into(),
        notes: vec!["200 catalog games × (version.ini, 8 archive volumes, a data tree, an installed local/); metadata only after the first scan.".into()],
        header: vec!["first scan ms".into(), "rescan median ms".into(), "rescan max ms".into()],
        rows: vec![vec![format!("{cold:.1}"), format!("{m:.1}"), format!("{max:.1}")]],
        verdict: format!("median {m:.1} ms, max {max:.1} ms (budget ≤ 100 ms): {}", pass(max <= 100.0)),
    })
}

fn fmt_runs(v: &[f64]) -> String {
    v.iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>().join(", ")
}

fn pass(ok: bool) -> &'static str {
    if ok { "PASS" } else { "MISS" }
}

/// A resume that starts with half of the game verified: the cost of re-reading those chunks
/// from disk before the commit (every committed byte verified in the run that commits it),
/// against the same resume that trusts them (`LANSPREAD_UNSAFE_SKIP_REVERIFY=1`, benchmarks
/// only). One seeder → one downloader on 200 Mbit/s ports; the first half is fetched by a
/// `get --pause-after-mib` that stops there, then the timed `get` resumes.
pub(crate) fn resume(o: &Opts) -> Result<Section> {
    let size = o.size_mib << 20;
    let half_mib = o.size_mib / 2;
    let lan = Lan::new(&[Some(200), Some(200)])?;
    let scratch = tempfile::tempdir()?;
    let sp = scratch.path();
    let seed_games = sp.join("seed/games");
    make_game(&seed_games, size)?;
    let seeder = Serve::start(&lan, 0, &seed_games, &sp.join("seed/state"), None, &sp.join("seed.log"))?;
    std::thread::sleep(Duration::from_secs(2));
    let cli = cli();
    let cli = cli.to_str().context("cli")?;
    // (seconds per MiB resumed, resumed MiB, seconds) per run, per variant.
    type Runs = Vec<(f64, f64, f64)>;
    let (mut checked, mut trusted): (Runs, Runs) = (Vec::new(), Vec::new());
    for run in 0..o.runs * 2 {
        let check = (run % 4 == 0) || (run % 4 == 3);
        // Where `verify` looks for host 1's download.
        let games = sp.join("dl1/games");
        let state = sp.join("dl1/state");
        let _ = std::fs::remove_dir_all(sp.join("dl1"));
        std::fs::create_dir_all(&games)?;
        let (g, s) = (games.to_string_lossy().to_string(), state.to_string_lossy().to_string());
        let half = half_mib.to_string();
        let pause = lan
            .command(1, cli)
            .args(["get", GAME, "--no-install", "--timeout", "600", "--pause-after-mib", &half])
            .args(["--game-dir", &g, "--state-dir", &s])
            .output()?;
        if pause.status.success() {
            bail!("the pausing get finished the download instead of stopping half-way");
        }
        let state_file = games.join(GAME).join(".lanspread/download.json");
        let st: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&state_file).with_context(|| {
                format!(
                    "no download state at {} after the pausing get: {}",
                    state_file.display(),
                    String::from_utf8_lossy(&pause.stderr).lines().last().unwrap_or_default()
                )
            })?)?;
        let kept = st["verified_bytes"].as_u64().context("verified_bytes")?;
        let mut args = vec![];
        if !check {
            args.push("LANSPREAD_UNSAFE_SKIP_REVERIFY=1");
        }
        args.extend([
            cli,
            "get",
            GAME,
            "--no-install",
            "--timeout",
            "600",
            "--game-dir",
            &g,
            "--state-dir",
            &s,
        ]);
        let t = timed(&lan, 1, "env", &args, sp)?;
        verify(sp, 1, &seed_games)?;
        let left = (size - kept) as f64 / (1 << 20) as f64;
        eprintln!(
            "  run {run}: {} resume of {left:.0} MiB in {:.2}s",
            if check { "checked" } else { "trusting" },
            t.secs
        );
        let row = (t.secs / left, left, t.secs);
        if check { checked.push(row) } else { trusted.push(row) }
    }
    seeder.stop()?;
    let med = |v: &[(f64, f64, f64)]| median(v.iter().map(|r| r.0).collect());
    let (mc, mt) = (med(&checked), med(&trusted));
    let ratio = mc / mt;
    let runs = |v: &[(f64, f64, f64)]| {
        v.iter().map(|(_, l, s)| format!("{s:.2} s / {l:.0} MiB")).collect::<Vec<_>>().join(", ")
    };
    Ok(Section {
        title: format!(
            "Resume of a half-verified {} MiB game: cost of re-verifying the kept half",
            o.size_mib
        ),
        notes: vec![format!(
            "A `get --pause-after-mib {half_mib}` fetches about half, then the timed `get` resumes (discovery, manifest, \
             transfer, re-verification, fsync, commit included). Checked: every kept chunk is re-read from disk in the \
             background and must match before the commit. Trusting: the same resume with the check off \
             (`LANSPREAD_UNSAFE_SKIP_REVERIFY=1`, benchmarks only). Compared per MiB resumed (the pause point varies by a \
             few MiB). Budget: ≤ 1.02× the trusting resume."
        )],
        header: vec!["resume".into(), "median s per GiB resumed".into(), "runs".into()],
        rows: vec![
            vec!["checked (re-verifies the kept half)".into(), format!("{:.2}", mc * 1024.0), runs(&checked)],
            vec!["trusting (check off)".into(), format!("{:.2}", mt * 1024.0), runs(&trusted)],
        ],
        verdict: format!(
            "checked resume at {ratio:.3}× the trusting one (budget ≤ 1.02×): {}",
            pass(ratio <= 1.02)
        ),
    })
}
