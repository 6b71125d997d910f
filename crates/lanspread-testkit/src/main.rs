//! `lanspread-testkit`: generates demo libraries for `just demo` and the benchmarks.
//!
//!   lanspread-testkit make-game DIR ID VERSION SIZE_MIB [--volumes MIB] [--raw] [--seed N]
//!   lanspread-testkit make-demo-library DIR

use std::{path::PathBuf, process::ExitCode};

use anyhow::{Context, Result, bail};
use lanspread_testkit::library::{GameSpec, write_game};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lanspread-testkit: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("make-game") => {
            let [dir, id, version, size] = [1, 2, 3, 4].map(|i| args.get(i).cloned().unwrap_or_default());
            if size.is_empty() {
                bail!("usage: make-game DIR ID VERSION SIZE_MIB [--volumes MIB] [--raw] [--seed N]");
            }
            let mut spec = GameSpec::new(&id, &version, size.parse::<u64>().context("SIZE_MIB")? << 20);
            let mut i = 5;
            while i < args.len() {
                match args[i].as_str() {
                    "--raw" => spec.raw = true,
                    "--volumes" => {
                        i += 1;
                        spec.volume_size =
                            Some(args.get(i).context("--volumes MIB")?.parse::<usize>()? << 20);
                    }
                    "--seed" => {
                        i += 1;
                        spec.seed = args.get(i).context("--seed N")?.parse()?;
                    }
                    other => bail!("unknown option {other}"),
                }
                i += 1;
            }
            let root = write_game(&PathBuf::from(dir), &spec)?;
            println!("{}", root.display());
            Ok(())
        }
        Some("make-demo-library") => {
            let dir = PathBuf::from(args.get(1).context("usage: make-demo-library DIR")?);
            for (i, (id, ver, mib, vols)) in [
                ("quake3", "20250314", 24u64, None),
                ("openarena", "088", 16, Some(6usize)),
                ("teeworlds", "0.7.5", 4, None),
                ("supertuxkart", "1.4", 12, None),
            ]
            .into_iter()
            .enumerate()
            {
                let mut spec = GameSpec::new(id, ver, mib << 20);
                spec.volume_size = vols.map(|v| v << 20);
                spec.seed = i as u64 + 7;
                let root = write_game(&dir, &spec)?;
                println!("{}", root.display());
            }
            Ok(())
        }
        _ => bail!("usage: lanspread-testkit make-game|make-demo-library ..."),
    }
}
