//! Processes the benchmarks drive: nginx, curl, aria2c and lanspread-peer-cli, timed with GNU
//! time (wall clock and peak RSS).

use std::{
    path::{Path, PathBuf},
    process::{Child, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use lanspread_testkit::lan::Lan;

/// The release `lanspread-peer-cli` next to this binary (or `LANSPREAD_CLI`).
pub(crate) fn cli() -> PathBuf {
    if let Some(p) = std::env::var_os("LANSPREAD_CLI") {
        return p.into();
    }
    let exe = std::env::current_exe().unwrap_or_default();
    exe.with_file_name("lanspread-peer-cli")
}

/// Wall time and peak RSS of one command.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timed {
    pub(crate) secs: f64,
    pub(crate) rss_kib: u64,
    /// CPU seconds in user and kernel mode.
    pub(crate) user: f64,
    pub(crate) sys: f64,
}

/// CPU seconds (user, kernel) a running process has used so far (/proc/PID/stat).
pub(crate) fn cpu_secs(pid: u32) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = rest.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    let tick = 100.0;
    (f.get(11).copied().unwrap_or(0.0) / tick, f.get(12).copied().unwrap_or(0.0) / tick)
}

/// Runs `program args…` inside host `h` under GNU time; fails when it fails.
pub(crate) fn timed(lan: &Lan, h: usize, program: &str, args: &[&str], scratch: &Path) -> Result<Timed> {
    let tfile = scratch.join(format!("time-{}.txt", std::process::id()));
    let mut cmd = lan.command(h, "/usr/bin/time");
    cmd.args(["-f", "%e %M %U %S", "-o"]).arg(&tfile).arg(program).args(args);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let t = Instant::now();
    let out = cmd.output().with_context(|| format!("run {program}"))?;
    let wall = t.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!(
            "{program} {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).lines().rev().take(5).collect::<Vec<_>>().join(" | ")
        );
    }
    let text = std::fs::read_to_string(&tfile).unwrap_or_default();
    let field = |i: usize| text.split_whitespace().nth(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    Ok(Timed { secs: wall, rss_kib: field(1) as u64, user: field(2), sys: field(3) })
}

/// nginx serving `root` on `ip:8080` inside host `h`; stopped on drop.
pub(crate) struct Nginx {
    child: Child,
}

impl Nginx {
    pub(crate) fn start(lan: &Lan, h: usize, ip: &str, root: &Path, scratch: &Path) -> Result<Self> {
        let dir = scratch.join(format!("nginx{h}"));
        std::fs::create_dir_all(dir.join("tmp"))?;
        let conf = dir.join("nginx.conf");
        std::fs::write(
            &conf,
            format!(
                "daemon off; user root; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log;\n\
                 events {{ worker_connections 256; }}\n\
                 http {{ access_log off; sendfile on; tcp_nopush on; client_body_temp_path {d}/tmp;\n\
                   proxy_temp_path {d}/tmp; fastcgi_temp_path {d}/tmp; uwsgi_temp_path {d}/tmp; scgi_temp_path {d}/tmp;\n\
                   server {{ listen {ip}:8080; root {r}; }} }}\n",
                d = dir.display(),
                r = root.display()
            ),
        )?;
        let child = lan
            .command(h, "nginx")
            .arg("-c")
            .arg(&conf)
            .arg("-p")
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("start nginx (apt install nginx-light)")?;
        std::thread::sleep(Duration::from_millis(300));
        Ok(Self { child })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `lanspread-peer-cli serve` in host `h`; SIGTERM on drop.
pub(crate) struct Serve {
    pub(crate) proc: lanspread_testkit::proc::PeerProc,
}

impl Serve {
    pub(crate) fn start(
        lan: &Lan,
        h: usize,
        games: &Path,
        state: &Path,
        bind: Option<&str>,
        log: &Path,
    ) -> Result<Self> {
        let cli = cli();
        let mut cmd = lan.command(h, cli.to_str().context("cli path")?);
        cmd.arg("serve").arg("--game-dir").arg(games).arg("--state-dir").arg(state);
        if let Some(b) = bind {
            cmd.args(["--bind", b]);
        }
        let mut proc =
            lanspread_testkit::proc::PeerProc::spawn(&format!("serve{h}"), cmd, log.to_path_buf())?;
        proc.wait_event("ready", Duration::from_secs(10), |e| e["event"] == "ready")?;
        Ok(Self { proc })
    }

    /// SIGTERM and wait.
    pub(crate) fn stop(mut self) -> Result<()> {
        self.proc.terminate(Duration::from_secs(15))?;
        Ok(())
    }
}

/// Median of a non-empty list.
pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    if v.is_empty() {
        return f64::NAN;
    }
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

/// Writes `size` deterministic bytes to `path` (streamed, constant memory).
pub(crate) fn write_file(path: &Path, size: u64, seed: u64) -> Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(path.parent().context("parent")?)?;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut left = size;
    let mut i = 0u64;
    while left > 0 {
        let block = lanspread_testkit::library::random_bytes(seed ^ i, (1 << 20).min(left as usize));
        f.write_all(&block)?;
        left -= block.len() as u64;
        i += 1;
    }
    f.flush()?;
    Ok(())
}

/// A scratch directory for one benchmark: removed when the guard drops, or kept (and printed)
/// with LANSPREAD_BENCH_KEEP=1 for a post-mortem of its libraries and logs.
pub(crate) fn scratch_dir() -> Result<(Option<tempfile::TempDir>, std::path::PathBuf)> {
    let scratch = tempfile::tempdir()?;
    if std::env::var_os("LANSPREAD_BENCH_KEEP").is_some() {
        let kept = scratch.keep();
        eprintln!("  keeping {}", kept.display());
        Ok((None, kept))
    } else {
        let p = scratch.path().to_path_buf();
        Ok((Some(scratch), p))
    }
}
