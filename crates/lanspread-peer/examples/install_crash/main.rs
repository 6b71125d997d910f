//! Crash injection with real processes (`just crash-install`): for install, update and
//! uninstall, `--runs` times each, start the transaction in a child process, `kill -9` it at a
//! random moment, run recovery, and check the game is exactly old or new (see `driver.rs`).
//!
//! ```text
//! install_crash [--runs N] [--size-mb M] [--work DIR] [--seed S] [--cli PATH]
//! ```
//! Without `--cli` the child is the `install_tool` example next to this binary; with it, the
//! headless CLI (`lanspread-peer-cli install|uninstall quake`). Exit 0 only if every run ended
//! fully old or fully new with nothing left behind.

mod driver;

use std::{path::PathBuf, process::ExitCode, time::Instant};

use driver::{Fixtures, Op, Tool};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("install_crash: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let mut runs = 20;
    let mut size_mb = 48;
    let mut work: Option<PathBuf> = None;
    let mut seed = 0x5eed_u64;
    let mut cli: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| anyhow::anyhow!("{flag} needs a value"));
        match flag.as_str() {
            "--runs" => runs = value()?.parse()?,
            "--size-mb" => size_mb = value()?.parse()?,
            "--work" => work = Some(value()?.into()),
            "--seed" => seed = value()?.parse()?,
            "--cli" => cli = Some(value()?.into()),
            other => anyhow::bail!("unknown flag {other}; see the source header for usage"),
        }
    }
    let tmp = tempfile::tempdir()?;
    let work = work.unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&work)?;
    let started = Instant::now();
    let fixtures = Fixtures::build(&work.join("fixtures"), size_mb)?;
    eprintln!("fixtures ({size_mb} MiB per version) built in {:.1}s", started.elapsed().as_secs_f64());
    let tool = match &cli {
        Some(program) => Tool::Cli { program: program.clone(), state_dir: work.join("state") },
        None => Tool::Simple {
            program: std::env::current_exe()?
                .with_file_name(format!("install_tool{}", std::env::consts::EXE_SUFFIX)),
            prefix_args: Vec::new(),
            envs: Vec::new(),
        },
    };
    let mut total = 0;
    for (i, op) in Op::ALL.into_iter().enumerate() {
        let t = driver::crash_runs(&fixtures, &tool, op, runs, 3, &work.join("runs"), seed + i as u64)?;
        total += t.runs;
        println!(
            "{{\"op\":\"{}\",\"tool\":\"{}\",\"runs\":{},\"killed_mid_way\":{},\"ended_old\":{},\"ended_new\":{},\"mixed\":0,\"recovery_rolled_back\":{},\"recovery_finished\":{},\"recovery_nothing\":{},\"uninterrupted_ms\":{},\"latest_kill_ms\":{}}}",
            op.name(),
            if cli.is_some() { "cli" } else { "install_tool" },
            t.runs,
            t.killed,
            t.old,
            t.new,
            t.recovery_rolled_back,
            t.recovery_finished,
            t.recovery_nothing,
            t.calibrated_ms,
            t.max_delay_ms
        );
    }
    eprintln!("{total} crash runs, all old or new, in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}
