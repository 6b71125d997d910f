//! Extraction throughput of `UnrarUnpacker` against copying the same bytes with `cp`
//! (`just bench-unpack`; build with `--release`).
//!
//! ```text
//! unpack_bench [--size-mb N] [--files N] [--rounds N] [--work DIR] [--compressed] [--rar4]
//! ```
//! Generates a RAR5 archive of incompressible data (stored by default, as most game data does
//! not compress; `--compressed` uses the default method; `--rar4` writes RAR 4.x, whose
//! checksum is CRC32 rather than the BLAKE2sp `rars` writes into RAR5), extracts it, then copies the
//! extracted tree with `cp -r`: same bytes, same files, both from and to the page cache on the
//! same file system. Prints the median of `--rounds` runs of each and the ratio.

use std::{
    fs,
    path::Path,
    process::Command,
    sync::atomic::AtomicBool,
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use lanspread_unpack::{Unpacker, UnrarUnpacker};

fn noise(len: usize, seed: u64) -> Vec<u8> {
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

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn mb_per_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / (1 << 20) as f64 / d.as_secs_f64()
}

fn main() -> anyhow::Result<()> {
    let (mut size_mb, mut files, mut rounds, mut compressed, mut rar4) =
        (1024usize, 16usize, 3usize, false, false);
    let mut work: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().context("missing value");
        match flag.as_str() {
            "--size-mb" => size_mb = value()?.parse()?,
            "--files" => files = value()?.parse()?,
            "--rounds" => rounds = value()?.parse()?,
            "--work" => work = Some(value()?.into()),
            "--compressed" => compressed = true,
            "--rar4" => rar4 = true,
            other => bail!("unknown flag {other}"),
        }
    }
    let tmp = tempfile::tempdir()?;
    let work = work.unwrap_or_else(|| tmp.path().to_path_buf());
    fs::create_dir_all(&work)?;
    let archive = work.join("bench.rar");
    let per_file = (size_mb << 20) / files.max(1);
    let started = Instant::now();
    let format = if rar4 { rars::ArchiveVersion::Rar40 } else { rars::ArchiveVersion::Rar50 };
    let mut b = rars::Builder::new(format).store(!compressed);
    for i in 0..files {
        b.add_bytes(format!("data/pak{i:03}.pak").into_bytes(), noise(per_file, i as u64 + 1), None, None)?;
    }
    b.write_to_path(&archive, None)?;
    let bytes = (per_file * files) as u64;
    eprintln!(
        "archive: {} MiB in {files} files ({}, {}), built in {:.1}s",
        bytes >> 20,
        if rar4 { "RAR 4.x, CRC32" } else { "RAR5, BLAKE2sp" },
        if compressed { "compressed" } else { "stored" },
        started.elapsed().as_secs_f64()
    );

    let unpacker = UnrarUnpacker::new();
    let (mut extract_times, mut cp_times) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let out = work.join(format!("extract-{round}"));
        let copy = work.join(format!("copy-{round}"));
        fs::create_dir_all(&out)?;
        let t = Instant::now();
        let summary = unpacker.extract(&archive, &out, &mut |_| {}, &AtomicBool::new(false))?;
        extract_times.push(t.elapsed());
        if summary.bytes != bytes {
            bail!("extracted {} bytes, expected {bytes}", summary.bytes);
        }
        let t = Instant::now();
        let status = Command::new("cp").arg("-r").arg(&out).arg(&copy).status()?;
        cp_times.push(t.elapsed());
        if !status.success() {
            bail!("cp failed: {status}");
        }
        remove(&out)?;
        remove(&copy)?;
    }
    let (e, c) = (median(extract_times), median(cp_times));
    let (e_rate, c_rate) = (mb_per_s(bytes, e), mb_per_s(bytes, c));
    println!(
        "{{\"format\":\"{}\",\"bytes\":{bytes},\"files\":{files},\"method\":\"{}\",\"extract_mb_s\":{e_rate:.0},\"cp_mb_s\":{c_rate:.0},\"ratio\":{:.2}}}",
        if rar4 { "rar4" } else { "rar5" },
        if compressed { "compressed" } else { "stored" },
        e_rate / c_rate
    );
    eprintln!(
        "extract {e_rate:.0} MB/s vs cp {c_rate:.0} MB/s: ratio {:.2} (median of {rounds})",
        e_rate / c_rate
    );
    Ok(())
}

fn remove(dir: &Path) -> anyhow::Result<()> {
    fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))
}
