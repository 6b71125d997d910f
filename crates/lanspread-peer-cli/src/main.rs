//! `lanspread-peer-cli`: the headless lanspread peer (seed box, scripting, benchmarks).
//!
//! The CLI contract (flags, JSON lines, exit codes) is stable: scripts and benchmarks depend on
//! it. See `--help` and docs/design.md, "Headless CLI".

mod doctor;
mod get;
mod local;
mod opts;
mod out;
mod serve;
mod signals;
mod tuning;
mod verify;

use std::process::ExitCode;

use clap::Parser;

use crate::opts::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.command.is_json_stream());
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            out::fail(&format!("could not start the async runtime: {e}"));
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Serve(args) => serve::run(&cli.common, args).await,
            Command::Get(args) => get::run(&cli.common, args).await,
            Command::Verify(args) => verify::run(&cli.common, args).await,
            Command::Install { game_id } => local::install(&cli.common, game_id).await,
            Command::Uninstall { game_id } => local::uninstall(&cli.common, game_id).await,
            Command::List => local::list(&cli.common),
            Command::Doctor(args) => doctor::run(&cli.common, args).await,
            Command::Pin { game_id } => local::pin(&cli.common, game_id),
            Command::Play { game_id, dry_run } => local::play(&cli.common, game_id, *dry_run),
        }
    });
    // Do not wait for stray blocking tasks (a stdin reader) when leaving.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(code) => code,
        Err(e) => {
            out::fail(&format!("{e:#}"));
            ExitCode::from(1)
        }
    }
}

fn init_logging(json_on_stdout: bool) {
    use tracing_subscriber::{EnvFilter, fmt};
    let default = if json_on_stdout { "warn,lanspread_peer=info" } else { "warn" };
    let filter = EnvFilter::try_from_env("LANSPREAD_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // Logs always go to stderr; stdout carries only JSON lines.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(ansi)
        .try_init();
}
