//! `lanspread-bench`: performance budgets of docs/design.md, measured against reference tools in the
//! same run on an emulated LAN (network namespaces, tc-shaped ports). Needs root; run it with
//! `just bench` (release build, inside a private network namespace).
//!
//!   lanspread-bench [all|one-to-one|three-to-one|loopback|seeder-rss|resume|discovery|rescan|swarm|scale]...
//!                   [--runs N] [--size-mib N] [--peers N] [--out FILE]

mod report;
mod scale;
mod scenarios;
mod swarm;
mod tools;

use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lanspread-bench: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut which: Vec<String> = Vec::new();
    let mut opts = scenarios::Opts { runs: 3, size_mib: 256, out: None };
    let mut peers = 30;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--runs" => {
                i += 1;
                opts.runs = args.get(i).ok_or_else(|| anyhow::anyhow!("--runs N"))?.parse()?;
            }
            "--size-mib" => {
                i += 1;
                opts.size_mib = args.get(i).ok_or_else(|| anyhow::anyhow!("--size-mib N"))?.parse()?;
            }
            "--peers" => {
                i += 1;
                peers = args.get(i).ok_or_else(|| anyhow::anyhow!("--peers N"))?.parse()?;
            }
            "--out" => {
                i += 1;
                opts.out = Some(args.get(i).ok_or_else(|| anyhow::anyhow!("--out FILE"))?.into());
            }
            other => which.push(other.to_string()),
        }
        i += 1;
    }
    if which.is_empty() || which.iter().any(|w| w == "all") {
        which = [
            "rescan",
            "discovery",
            "one-to-one",
            "three-to-one",
            "loopback",
            "seeder-rss",
            "resume",
            "swarm",
            "time-to-play",
            "scale",
        ]
        .map(String::from)
        .to_vec();
    }
    let mut report = report::Report::new();
    for w in &which {
        eprintln!("== {w}");
        let section = match w.as_str() {
            "one-to-one" => scenarios::one_to_one(&opts)?,
            "three-to-one" => scenarios::three_to_one(&opts)?,
            "loopback" => scenarios::loopback(&opts)?,
            "seeder-rss" => scenarios::seeder_rss(&opts)?,
            "resume" => scenarios::resume(&opts)?,
            "discovery" => scenarios::discovery(&opts)?,
            "rescan" => scenarios::rescan()?,
            "swarm" => swarm::swarm(&opts)?,
            "time-to-play" => scenarios::time_to_play(&opts)?,
            "scale" => scale::scale(peers)?,
            "bittorrent" => swarm::bittorrent_only(&opts)?,
            other => anyhow::bail!("unknown benchmark {other}"),
        };
        println!("{section}");
        report.push(section);
    }
    if let Some(out) = &opts.out {
        report.write(out)?;
        eprintln!("results written to {}", out.display());
    }
    Ok(())
}
