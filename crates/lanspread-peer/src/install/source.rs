//! What an install writes into `local/`: the install mapping of the design contract.
//!
//! - Every archive set at the top level of the root (`lanspread_unpack::find_archives`) is
//!   extracted, in name order, into the staging directory, keeping the archive's internal
//!   paths; a later archive overwrites what an earlier one wrote at the same path.
//! - A root without any archive installs by copying its payload: everything except the
//!   reserved names and `version.ini`, links skipped.
//! - Other payload files next to archives (nfo, readme) are not copied.

use std::{
    fs,
    path::Path,
    sync::atomic::{AtomicBool, Ordering},
};

use lanspread_proto::{VERSION_INI, is_reserved_root_name};
use lanspread_unpack::{ArchiveSet, UnpackError, Unpacker, find_archives};

use super::{
    InstallError,
    ctx::{Ctx, Fail, io_err},
    fsops::{self, Kind, WalkEntry},
};

/// Where the bytes come from.
#[derive(Debug)]
pub(crate) enum Source {
    /// Archive sets, in name order.
    Archives(Vec<ArchiveSet>),
    /// Payload entries to copy (no archive in the root).
    Payload(Vec<WalkEntry>),
}

/// The checked plan of an install, made before anything is written.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) source: Source,
    /// Bytes that will land in the staging directory.
    pub(crate) total_bytes: u64,
}

/// Whether a top-level name of a root is not part of the copied payload.
pub(crate) fn skip_payload_name(name: &str) -> bool {
    is_reserved_root_name(name) || name.eq_ignore_ascii_case(VERSION_INI)
}

/// Finds the archives (listing each one, which checks every entry name) or the payload.
pub(crate) fn prepare(root: &Path, unpacker: &dyn Unpacker) -> Result<Prepared, Fail> {
    let archives = find_archives(root).map_err(io_err("list", root))?;
    if !archives.is_empty() {
        let mut total = 0u64;
        for set in &archives {
            let listing = unpacker.list(&set.first_volume)?;
            total = total.saturating_add(listing.unpacked_bytes);
        }
        return Ok(Prepared { source: Source::Archives(archives), total_bytes: total });
    }
    let entries = fsops::walk(root, &skip_payload_name).map_err(io_err("list", root))?;
    let mut total = 0u64;
    let mut keep = Vec::new();
    for entry in entries {
        match entry.kind {
            Kind::File => {
                let path = entry.under(root);
                let meta = fs::symlink_metadata(&path).map_err(io_err("inspect", &path))?;
                total = total.saturating_add(meta.len());
                keep.push(entry);
            }
            Kind::Dir => keep.push(entry),
            // Links are never followed or served; sockets and devices are not game files.
            Kind::Symlink | Kind::Other => {}
        }
    }
    Ok(Prepared { source: Source::Payload(keep), total_bytes: total })
}

/// Writes the planned content into `staging` (which exists and is empty but for its marker).
/// `progress` receives the bytes written so far.
pub(crate) fn stage(
    ctx: &mut Ctx<'_>,
    prepared: &Prepared,
    unpacker: &dyn Unpacker,
    staging: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<(), Fail> {
    let root = ctx.paths.root.clone();
    match &prepared.source {
        Source::Archives(sets) => {
            let mut done = 0u64;
            for set in sets {
                ctx.point("extract")?;
                done += extract_one(ctx, unpacker, set, staging, cancel, &mut |b| progress(done + b))?;
            }
        }
        Source::Payload(entries) => {
            let mut done = 0u64;
            for entry in entries {
                ctx.point("copy")?;
                if cancel.load(Ordering::Relaxed) {
                    return Err(Fail::Error(InstallError::Cancelled));
                }
                let to = entry.under(staging);
                match entry.kind {
                    Kind::Dir => fs::create_dir(&to).map_err(io_err("create directory", &to))?,
                    Kind::File => {
                        fsops::copy_file(&entry.under(&root), &to, cancel, &mut |n| {
                            done += n;
                            progress(done);
                        })?;
                    }
                    Kind::Symlink | Kind::Other => {}
                }
            }
        }
    }
    Ok(())
}

/// Extracts one archive set. With a crash hook, every progress report is a possible crash
/// point: the hook's verdict stops the unpacker through a private flag.
fn extract_one(
    ctx: &mut Ctx<'_>,
    unpacker: &dyn Unpacker,
    set: &ArchiveSet,
    staging: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, Fail> {
    let stop = AtomicBool::new(false);
    let hooked = ctx.hooked();
    let flag = if hooked { &stop } else { cancel };
    let mut last = 0u64;
    let result = unpacker.extract(
        &set.first_volume,
        staging,
        &mut |bytes| {
            last = bytes;
            progress(bytes);
            if hooked {
                if cancel.load(Ordering::Relaxed) {
                    stop.store(true, Ordering::Relaxed);
                }
                if ctx.point("extract").is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        },
        flag,
    );
    if ctx.crashed {
        return Err(Fail::Crash);
    }
    match result {
        Ok(summary) => Ok(summary.bytes.max(last)),
        Err(UnpackError::Cancelled) => Err(Fail::Error(InstallError::Cancelled)),
        Err(e) => Err(e.into()),
    }
}
