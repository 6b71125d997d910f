//! `lanspread-peer-cli` child processes: JSON-line events on stdout become awaitable values;
//! stderr goes to a log file that is printed when a wait fails.

use std::{
    io::{BufRead, BufReader, Write},
    path::PathBuf,
    process::{Child, ChildStdin, Command, ExitStatus, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, anyhow};
use serde_json::Value;

/// The last line a finished command (`get`, `list`, …) printed, as JSON; panics with the whole
/// output when it is not one.
pub fn last_json_line(stdout: &[u8]) -> Value {
    let text = String::from_utf8_lossy(stdout);
    let last = text.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|_| panic!("no final JSON line in {text:?}"))
}

/// Kills `child` with SIGKILL as soon as `marker` exists (polled every 2 ms, for up to a
/// minute). Whether the kill landed before the child finished on its own.
pub fn kill_when_exists(mut child: Child, marker: &std::path::Path) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    let landed = loop {
        if marker.exists() {
            break true;
        }
        if matches!(child.try_wait(), Ok(Some(_))) || Instant::now() >= deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let _ = child.kill();
    let _ = child.wait();
    landed
}

/// A running peer process.
pub struct PeerProc {
    /// Label for messages.
    pub label: String,
    child: Child,
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<(Instant, Value)>,
    /// Every event received so far.
    pub seen: Vec<Value>,
    /// When each event in `seen` arrived (read by a background thread as it was printed).
    pub arrived: Vec<Instant>,
    /// Where stderr goes.
    pub stderr_log: PathBuf,
}

impl PeerProc {
    /// Spawns `cmd` with piped stdin/stdout and stderr to `stderr_log`.
    pub fn spawn(label: &str, mut cmd: Command, stderr_log: PathBuf) -> Result<Self> {
        let log = std::fs::File::create(&stderr_log)?;
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("spawn {label}"))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Ok(v) = serde_json::from_str::<Value>(&line)
                    && tx.send((Instant::now(), v)).is_err()
                {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Ok(Self { label: label.into(), child, stdin, rx, seen: Vec::new(), arrived: Vec::new(), stderr_log })
    }

    /// Waits for an event satisfying `pred`.
    pub fn wait_event(
        &mut self,
        what: &str,
        timeout: Duration,
        mut pred: impl FnMut(&Value) -> bool,
    ) -> Result<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok((at, v)) => {
                    self.seen.push(v.clone());
                    self.arrived.push(at);
                    if pred(&v) {
                        return Ok(v);
                    }
                }
                Err(e) => {
                    let names: Vec<String> =
                        self.seen.iter().map(|v| v["event"].as_str().unwrap_or("?").to_string()).collect();
                    let log = std::fs::read_to_string(&self.stderr_log).unwrap_or_default();
                    let tail: Vec<&str> =
                        log.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect();
                    return Err(anyhow!(
                        "{}: {e} waiting for {what} after {timeout:?}; events seen: {names:?}\nstderr tail:\n{}",
                        self.label,
                        tail.join("\n")
                    ));
                }
            }
        }
    }

    /// Events received so far plus any pending, without waiting.
    pub fn drain(&mut self) -> &[Value] {
        while let Ok((at, v)) = self.rx.try_recv() {
            self.seen.push(v);
            self.arrived.push(at);
        }
        &self.seen
    }

    /// Sends one command line on stdin.
    pub fn send(&mut self, cmd: &Value) -> Result<()> {
        let stdin = self.stdin.as_mut().context("stdin closed")?;
        writeln!(stdin, "{cmd}")?;
        stdin.flush()?;
        Ok(())
    }

    /// Closes stdin (the peer must keep running).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, no chance to say goodbye.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM and wait up to `timeout` for the exit status.
    pub fn terminate(&mut self, timeout: Duration) -> Result<ExitStatus> {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        self.wait_exit(timeout)
    }

    /// Waits up to `timeout` for the process to exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(st) = self.child.try_wait()? {
                return Ok(st);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                return Err(anyhow!("{} did not exit within {timeout:?}", self.label));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for PeerProc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// When `p` had received `peer_discovered` events for `others` distinct peers each announcing
/// `games` games; `None` if some library was not complete at discovery.
fn discovered_all_at(p: &mut PeerProc, others: usize, games: usize) -> Option<Instant> {
    p.drain();
    let mut ids = std::collections::HashSet::new();
    for (e, at) in p.seen.iter().zip(&p.arrived) {
        if e["event"] == "peer_discovered" && e["peer"]["game_count"].as_u64() == Some(games as u64) {
            ids.insert(e["peer"]["peer_id"].to_string());
            if ids.len() == others {
                return Some(*at);
            }
        }
    }
    None
}

/// Peak resident set size of a running process in KiB (`VmHWM`).
pub fn peak_rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM in /proc/PID/status")
}

/// Asks every `serve` process for its peers (`list_peers`) until each lists all the others,
/// every one of them with `games` complete games. Returns, per process, how long after
/// `since` it came to see them: when the last `peer_discovered` event it needed arrived
/// (stdout is read as it is written), or, when a library completed later than its peer's
/// discovery, when `list_peers` first confirmed it. Polling 30 busy processes one after the
/// other takes seconds, so the poll time alone would overstate discovery. Fails after
/// `timeout` naming the processes still short.
pub fn wait_until_all_see_all(
    procs: &mut [PeerProc],
    games: usize,
    since: Instant,
    timeout: Duration,
) -> Result<Vec<Duration>> {
    let others = procs.len() - 1;
    let mut seen_all: Vec<Option<Duration>> = vec![None; procs.len()];
    let deadline = Instant::now() + timeout;
    let mut last: Vec<String> = vec![String::new(); procs.len()];
    while seen_all.iter().any(Option::is_none) {
        for (i, p) in procs.iter_mut().enumerate() {
            if seen_all[i].is_some() {
                continue;
            }
            p.send(&serde_json::json!({"command": "list_peers"}))?;
            let ev = p.wait_event("peers", Duration::from_secs(10), |e| e["event"] == "peers")?;
            let peers = ev["peers"].as_array().cloned().unwrap_or_default();
            let full = peers.iter().filter(|x| x["game_count"].as_u64() == Some(games as u64)).count();
            last[i] = format!("{} peers, {full} with all {games} games", peers.len());
            if peers.len() == others && full == others {
                seen_all[i] = Some(discovered_all_at(p, others, games).unwrap_or_else(Instant::now) - since);
            }
        }
        if Instant::now() > deadline {
            let short: Vec<String> = seen_all
                .iter()
                .enumerate()
                .filter(|(_, s)| s.is_none())
                .map(|(i, _)| format!("{}: {}", procs[i].label, last[i]))
                .collect();
            return Err(anyhow!("after {timeout:?} not every peer sees every library: {}", short.join("; ")));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(seen_all.into_iter().flatten().collect())
}
