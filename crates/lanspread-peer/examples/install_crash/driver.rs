//! Crash injection with real processes: start an install, update or uninstall in a child
//! process, `kill -9` it after a random delay, run recovery (as the next start would), and check
//! that the game is exactly in its old or its new state, that nothing owned is left behind and
//! that nothing outside `local/` changed. Shared by the `install_crash` example (the
//! `just crash-install` recipe) and the `install_crash` integration test.
#![allow(dead_code, clippy::unwrap_used)]

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::atomic::AtomicBool,
    time::{Duration, Instant},
};

use anyhow::{Context as _, Result, bail, ensure};
use lanspread_peer::install::{self, BACKUP, INTENT, LOCAL, MARKER, REMOVING, STAGING};
use lanspread_unpack::UnrarUnpacker;
use rars::{ArchiveVersion, Builder};

/// Which transaction a run interrupts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Install,
    Update,
    Uninstall,
}

impl Op {
    pub(crate) const ALL: [Op; 3] = [Op::Install, Op::Update, Op::Uninstall];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Op::Install => "install",
            Op::Update => "update",
            Op::Uninstall => "uninstall",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Op::Install | Op::Update => "install",
            Op::Uninstall => "uninstall",
        }
    }
}

/// The process under test.
pub(crate) enum Tool {
    /// `install_tool install|uninstall <root>` (the example binary, or a test binary acting as it).
    Simple { program: PathBuf, prefix_args: Vec<String>, envs: Vec<(String, String)> },
    /// `lanspread-peer-cli --game-dir D --state-dir S install|uninstall <id>`.
    Cli { program: PathBuf, state_dir: PathBuf },
}

impl Tool {
    fn command(&self, op: Op, root: &Path) -> Command {
        match self {
            Tool::Simple { program, prefix_args, envs } => {
                let mut cmd = Command::new(program);
                cmd.args(prefix_args).envs(envs.iter().map(|(k, v)| (k, v)));
                cmd.arg(op.verb()).arg(root);
                cmd
            }
            Tool::Cli { program, state_dir } => {
                let mut cmd = Command::new(program);
                cmd.arg("--game-dir")
                    .arg(root.parent().unwrap())
                    .arg("--state-dir")
                    .arg(state_dir)
                    .arg(op.verb())
                    .arg(root.file_name().unwrap());
                cmd
            }
        }
    }
}

/// The game id used for the roots (a bundled catalog id, so the CLI accepts it).
pub(crate) const GAME_ID: &str = "quake";

/// Deterministic incompressible bytes.
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

type Files = BTreeMap<String, Vec<u8>>;

/// The two versions of the test game: big files (RAR5, stored, multi-volume) and many small
/// ones (RAR 4.x, compressed), so kills land both inside large writes and between files.
fn version_files(version: u32, size_mb: usize) -> (Files, Files) {
    let big_count = 4;
    let big_len = (size_mb << 20) / big_count;
    let mut big = Files::new();
    for i in 0..big_count {
        // Version 2 changes one file, drops one and adds one.
        let seed = if version == 2 && i == 0 { 100 } else { i as u64 + 1 };
        if version == 2 && i == 1 {
            continue;
        }
        big.insert(format!("data/pak{i}.pak"), noise(big_len, seed));
    }
    if version == 2 {
        big.insert("data/new.pak".into(), noise(big_len / 2, 77));
    }
    big.insert("bin/game.exe".into(), noise(300_000, u64::from(version) * 1000));
    let mut small = Files::new();
    for i in 0..600 {
        let text = format!("map {i} of version {}\n", if i % 2 == 0 { version } else { 1 });
        small.insert(format!("maps/e{}/m{i}.bsp", i % 8), text.repeat(20 + i % 50).into_bytes());
    }
    small.insert("cfg/default.cfg".into(), format!("version {version}\n").into_bytes());
    (big, small)
}

/// Writes the payload of `version` into `dir` and returns the files it installs.
fn write_payload(dir: &Path, version: u32, size_mb: usize) -> Result<Files> {
    fs::create_dir_all(dir)?;
    let (big, small) = version_files(version, size_mb);
    let mut b = Builder::new(ArchiveVersion::Rar50).store(true).volume_size(Some(8 << 20));
    for (name, data) in &big {
        b.add_bytes(name.as_bytes().to_vec(), data.clone(), None, None)?;
    }
    for (i, volume) in b.build_volumes(None)?.iter().enumerate() {
        fs::write(dir.join(format!("{GAME_ID}.part{:02}.rar", i + 1)), volume)?;
    }
    let mut b = Builder::new(ArchiveVersion::Rar40);
    for (name, data) in &small {
        b.add_bytes(name.replace('/', "\\").into_bytes(), data.clone(), None, None)?;
    }
    fs::write(dir.join("maps.rar"), b.to_bytes()?)?;
    fs::write(dir.join("version.ini"), format!("{version}\n"))?;
    fs::write(dir.join(format!("{GAME_ID}.nfo")), "cracked by nobody\n")?;
    let mut all = big;
    all.extend(small);
    Ok(all)
}

/// A file's digest (trees are compared by digest to keep memory low).
fn digest(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// Files and links under `dir` (`None` if `dir` is absent): path → digest.
fn tree(dir: &Path) -> Result<Option<BTreeMap<String, String>>> {
    if !dir.exists() {
        return Ok(None);
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out)?;
    Ok(Some(out))
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let rel = path.strip_prefix(root)?.to_string_lossy().replace('\\', "/");
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(root, &path, out)?;
        } else if kind.is_symlink() {
            out.insert(rel, format!("-> {}", fs::read_link(&path)?.display()));
        } else {
            out.insert(rel, digest(&fs::read(&path)?));
        }
    }
    Ok(())
}

fn digests(files: &Files) -> BTreeMap<String, String> {
    files.iter().map(|(k, v)| (k.clone(), digest(v))).collect()
}

/// Pre-built payloads, shared by all runs (runs hard-link them: the tools never write there).
pub(crate) struct Fixtures {
    pub(crate) dir: PathBuf,
    v1: BTreeMap<String, String>,
    v2: BTreeMap<String, String>,
}

impl Fixtures {
    pub(crate) fn build(dir: &Path, size_mb: usize) -> Result<Self> {
        let v1 = write_payload(&dir.join("v1"), 1, size_mb)?;
        let v2 = write_payload(&dir.join("v2"), 2, size_mb)?;
        Ok(Self { dir: dir.to_path_buf(), v1: digests(&v1), v2: digests(&v2) })
    }

    fn link_payload(&self, version: u32, root: &Path) -> Result<()> {
        let src = self.dir.join(format!("v{version}"));
        for entry in fs::read_dir(&src)? {
            let entry = entry?;
            let to = root.join(entry.file_name());
            let _ = fs::remove_file(&to);
            fs::hard_link(entry.path(), &to).or_else(|_| fs::copy(entry.path(), &to).map(drop))?;
        }
        Ok(())
    }
}

/// User data written into `local/` before updates and uninstalls.
const USER_FILES: [(&str, &str); 2] =
    [("save/slot1.sav", "level 7, 99 frags"), ("cfg/user.cfg", "bind w +forward")];

/// How one run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Old,
    New,
}

/// Tallies per operation.
#[derive(Debug, Default, Clone)]
pub(crate) struct Tally {
    pub(crate) runs: usize,
    /// Killed while still running.
    pub(crate) killed: usize,
    pub(crate) old: usize,
    pub(crate) new: usize,
    /// Delays (ms) at which the kills landed.
    pub(crate) max_delay_ms: u64,
    pub(crate) calibrated_ms: u64,
    /// What recovery did after the kills: rolled back, finished (rolled forward), nothing.
    pub(crate) recovery_rolled_back: usize,
    pub(crate) recovery_finished: usize,
    pub(crate) recovery_nothing: usize,
}

struct Case {
    root: PathBuf,
    old: Option<BTreeMap<String, String>>,
    new: Option<BTreeMap<String, String>>,
    outside: BTreeMap<String, String>,
}

/// Everything in the game dir except `local/`, the lock and the install record.
fn outside(game_dir: &Path) -> Result<BTreeMap<String, String>> {
    let prefix = format!("{GAME_ID}/");
    Ok(tree(game_dir)?
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| {
            let r = k.strip_prefix(&prefix).unwrap_or(k);
            !(r.starts_with("local/") || r == install::LOCK || r == install::RECORD)
        })
        .collect())
}

fn setup(fx: &Fixtures, op: Op, game_dir: &Path) -> Result<Case> {
    let _ = fs::remove_dir_all(game_dir);
    let root = game_dir.join(GAME_ID);
    fs::create_dir_all(root.join(".lanspread"))?;
    fs::write(root.join(".lanspread/chunks.bin"), "verified chunk bitmap")?;
    fs::create_dir_all(game_dir.join("other"))?;
    fs::write(game_dir.join("other/local"), "a neighbour's file")?;
    fx.link_payload(1, &root)?;
    let with_user = |mut t: BTreeMap<String, String>| {
        for (p, c) in USER_FILES {
            t.insert(p.into(), digest(c.as_bytes()));
        }
        t
    };
    if op != Op::Install {
        install::install_game(&root, &UnrarUnpacker::new(), &mut |_| {}, &AtomicBool::new(false))
            .context("setting up the installed version")?;
        for (p, c) in USER_FILES {
            let path = root.join(LOCAL).join(p);
            fs::create_dir_all(path.parent().unwrap())?;
            fs::write(path, c)?;
        }
    }
    let (old, new) = match op {
        Op::Install => (None, Some(fx.v1.clone())),
        Op::Update => {
            for entry in fs::read_dir(fx.dir.join("v1"))? {
                fs::remove_file(root.join(entry?.file_name()))?;
            }
            fx.link_payload(2, &root)?;
            (Some(with_user(fx.v1.clone())), Some(with_user(fx.v2.clone())))
        }
        Op::Uninstall => (Some(with_user(fx.v1.clone())), None),
    };
    ensure!(tree(&root.join(LOCAL))? == old, "setup produced an unexpected local/");
    Ok(Case { outside: outside(game_dir)?, root, old, new })
}

fn check(case: &Case, game_dir: &Path) -> Result<Outcome> {
    let root = &case.root;
    for name in [STAGING, BACKUP, REMOVING, INTENT] {
        ensure!(!root.join(name).exists(), "{name} left behind after recovery");
    }
    ensure!(!root.join(LOCAL).join(MARKER).exists(), "ownership marker left in local/");
    for entry in fs::read_dir(root)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        ensure!(!name.ends_with(".tmp") && !name.ends_with(".next"), "{name} left behind");
    }
    ensure!(outside(game_dir)? == case.outside, "files outside local/ changed");
    let local = tree(&root.join(LOCAL))?;
    if local == case.new {
        Ok(Outcome::New)
    } else if local == case.old {
        Ok(Outcome::Old)
    } else {
        let describe = |t: &Option<BTreeMap<String, String>>| t.as_ref().map_or(0, |t| t.len());
        bail!(
            "MIXED STATE: local/ has {} files, old {}, new {}",
            describe(&local),
            describe(&case.old),
            describe(&case.new)
        )
    }
}

fn spawn(tool: &Tool, op: Op, root: &Path) -> Result<Child> {
    Ok(tool.command(op, root).stdout(Stdio::null()).stderr(Stdio::null()).spawn()?)
}

/// Runs `op` once to completion and returns how long it took.
fn calibrate(fx: &Fixtures, tool: &Tool, op: Op, work: &Path) -> Result<Duration> {
    let game_dir = work.join(format!("calibrate-{}", op.name()));
    let case = setup(fx, op, &game_dir)?;
    let started = Instant::now();
    let status = spawn(tool, op, &case.root)?.wait()?;
    let took = started.elapsed();
    ensure!(status.success(), "{} without a kill failed: {status}", op.name());
    ensure!(check(&case, &game_dir)? == Outcome::New, "{} without a kill did not finish", op.name());
    fs::remove_dir_all(&game_dir)?;
    Ok(took)
}

/// `runs` kill-9 runs of `op`; fails on the first mixed state, leftover or outside change.
/// Kill delays are uniform over 110 % of the median uninterrupted duration (every other run:
/// over its last part, 75–110 %); the median starts from
/// `calibrations` runs without a kill and learns from every run that finished before its kill
/// (the machine may be busier or idler than during calibration).
pub(crate) fn crash_runs(
    fx: &Fixtures,
    tool: &Tool,
    op: Op,
    runs: usize,
    calibrations: usize,
    work: &Path,
    seed: u64,
) -> Result<Tally> {
    let mut durations =
        (0..calibrations.max(1)).map(|_| calibrate(fx, tool, op, work)).collect::<Result<Vec<_>>>()?;
    let median = |d: &[Duration]| {
        let mut d = d.to_vec();
        d.sort();
        d[d.len() / 2]
    };
    let mut tally = Tally { calibrated_ms: median(&durations).as_millis() as u64, ..Tally::default() };
    let mut rng = seed | 1;
    for run in 0..runs {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // Even runs: anywhere in the run. Odd runs: its last quarter, where the swap and the
        // cleanup happen (short steps that uniform delays rarely hit).
        let typical = median(&durations).max(Duration::from_millis(5));
        let unit = (rng % 10_000) as f64 / 10_000.0;
        let fraction = if run % 2 == 0 { 1.1 * unit } else { 0.75 + 0.35 * unit };
        let delay = typical.mul_f64(fraction);
        let game_dir = work.join(format!("{}-{run}", op.name()));
        let case = setup(fx, op, &game_dir)?;
        let mut child = spawn(tool, op, &case.root)?;
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait()? {
                durations.push(started.elapsed());
                break Some(status);
            }
            let elapsed = started.elapsed();
            if elapsed >= delay {
                break None;
            }
            std::thread::sleep((delay - elapsed).min(Duration::from_millis(1)));
        };
        match status {
            Some(status) => ensure!(status.success(), "{} run {run} failed: {status}", op.name()),
            None => {
                child.kill()?; // SIGKILL on Unix
                child.wait()?;
                tally.killed += 1;
                tally.max_delay_ms = tally.max_delay_ms.max(delay.as_millis() as u64);
            }
        }
        // The next start: recovery first.
        let report =
            install::recover_game(&case.root).with_context(|| format!("recovery after run {run}"))?;
        if report.actions.iter().any(|a| a.contains("rolled back")) {
            tally.recovery_rolled_back += 1;
        } else if report.actions.iter().any(|a| a.contains("finished")) {
            tally.recovery_finished += 1;
        } else {
            tally.recovery_nothing += 1;
        }
        let outcome = check(&case, &game_dir)
            .with_context(|| format!("{} run {run}, killed after {} ms", op.name(), delay.as_millis()))?;
        match outcome {
            Outcome::Old => tally.old += 1,
            Outcome::New => tally.new += 1,
        }
        tally.runs += 1;
        fs::remove_dir_all(&game_dir)?;
    }
    Ok(tally)
}
