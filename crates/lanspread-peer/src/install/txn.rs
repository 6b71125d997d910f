//! The install, update and uninstall transactions, step by step (see the module docs of
//! `install` for the states each step moves between).

use std::{
    fs::{File, OpenOptions, TryLockError},
    path::Path,
    sync::atomic::{AtomicBool, Ordering},
};

use lanspread_proto::VERSION_INI;
use lanspread_unpack::Unpacker;
use tracing::warn;

use super::{
    InstallError, InstallPhase, InstallProgress, InstallReport, LOCK, RECORD, RECORD_NEXT,
    carry::{self, Record},
    ctx::{Ctx, Fail, io_err},
    fsops::{self, Kind},
    intent::{self, Intent, Op, Phase},
    platform, recovery,
    source::{self, Prepared},
};

/// Free space kept in reserve beyond the unpacked size (file-system overhead, logs).
pub(crate) const SPACE_HEADROOM: u64 = 16 << 20;

/// Holds the per-root OS lock for the length of a transaction or a recovery.
pub(crate) struct RootLock {
    _file: File,
}

/// Takes `root/.lanspread.lock` (an OS lock: a killed process never leaves it held).
pub(crate) fn lock_root(root: &Path) -> Result<RootLock, InstallError> {
    let path = root.join(LOCK);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|error| InstallError::Io { op: "open", path: path.clone(), error })?;
    match file.try_lock() {
        Ok(()) => Ok(RootLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(InstallError::Busy { path: root.to_path_buf() }),
        Err(TryLockError::Error(error)) => Err(InstallError::Io { op: "lock", path, error }),
    }
}

fn check_root(root: &Path) -> Result<(), Fail> {
    match fsops::kind_of(root).map_err(io_err("open", root))? {
        Some(Kind::Dir) => Ok(()),
        _ => Err(io_err("open", root)(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the game directory does not exist",
        ))),
    }
}

/// A reserved directory that recovery left in place is not ours: refuse to touch it.
fn refuse_foreign(ctx: &Ctx<'_>) -> Result<(), Fail> {
    let p = &ctx.paths;
    for dir in [&p.staging, &p.backup, &p.removing] {
        if fsops::kind_of(dir).map_err(io_err("inspect", dir))?.is_some() {
            return Err(Fail::Error(InstallError::NotOwned { path: dir.clone() }));
        }
    }
    Ok(())
}

/// Installs or updates (see `install_game`).
pub(crate) fn install(
    ctx: &mut Ctx<'_>,
    unpacker: &dyn Unpacker,
    progress: &mut dyn FnMut(InstallProgress),
    cancel: &AtomicBool,
) -> Result<InstallReport, Fail> {
    let root = ctx.paths.root.clone();
    check_root(&root)?;
    if fsops::kind_of(&root.join(VERSION_INI)).map_err(io_err("inspect", &root))? != Some(Kind::File) {
        return Err(Fail::Error(InstallError::NotDownloaded));
    }
    let _lock = lock_root(&root)?;
    recovery::recover_locked(ctx)?;
    let update = match fsops::kind_of(&ctx.paths.local).map_err(io_err("inspect", &root))? {
        None => false,
        Some(Kind::Dir) => true,
        Some(_) => return Err(Fail::Error(InstallError::NotOwned { path: ctx.paths.local.clone() })),
    };
    refuse_foreign(ctx)?;

    let report = |phase, bytes_done, total_bytes| InstallProgress { phase, bytes_done, total_bytes };
    progress(report(InstallPhase::Preparing, 0, 0));
    let prepared = source::prepare(&root, unpacker)?;
    let total = prepared.total_bytes;
    progress(report(InstallPhase::Preparing, 0, total));
    let needed = total.saturating_add(SPACE_HEADROOM);
    let available = (ctx.free_space)(&root).map_err(io_err("check free space on", &root))?;
    if available < needed {
        return Err(Fail::Error(InstallError::InsufficientSpace { path: root, needed, available }));
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(Fail::Error(InstallError::Cancelled));
    }

    let op = if update { Op::Update } else { Op::Install };
    ctx.point("intent: staging")?;
    intent::write(&root, &Intent::new(op, Phase::Staging)).map_err(io_err("write install log in", &root))?;

    let staged = match stage(ctx, unpacker, &prepared, update, cancel, progress) {
        Ok(staged) => staged,
        Err(Fail::Error(e)) => {
            abort_staging(ctx);
            return Err(Fail::Error(e));
        }
        Err(Fail::Crash) => return Err(Fail::Crash),
    };
    progress(report(InstallPhase::Committing, total, total));

    match swap(ctx, update) {
        Ok(()) => {}
        Err(Fail::Error(e)) => {
            abort_swap(ctx);
            return Err(Fail::Error(e));
        }
        Err(Fail::Crash) => return Err(Fail::Crash),
    }
    // Committed: the new local/ is in place. What remains is cleanup; a failure there is
    // finished by recovery (the log stays) and does not undo the install.
    match cleanup(ctx, update) {
        Ok(()) => {}
        Err(Fail::Error(e)) => warn!(root = %root.display(), "install cleanup left work for recovery: {e}"),
        Err(Fail::Crash) => return Err(Fail::Crash),
    }
    Ok(InstallReport {
        update,
        carried_over: staged.carried,
        bytes: staged.record.files.values().map(|s| s.size).sum(),
        files: staged.record.files.len() as u64,
    })
}

struct Staged {
    record: Record,
    carried: Vec<String>,
}

/// Phase `staging`: builds the complete new tree in `.local.installing/`.
fn stage(
    ctx: &mut Ctx<'_>,
    unpacker: &dyn Unpacker,
    prepared: &Prepared,
    update: bool,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(InstallProgress),
) -> Result<Staged, Fail> {
    let p = ctx.paths.clone();
    let total = prepared.total_bytes;
    ctx.point("create staging")?;
    fsops::create_owned_dir(&p.staging)?;
    source::stage(ctx, prepared, unpacker, &p.staging, cancel, &mut |done| {
        progress(InstallProgress { phase: InstallPhase::Extracting, bytes_done: done, total_bytes: total })
    })?;
    // The version this install holds: `version.ini` as it is now (the caller serializes
    // downloads and installs of one root, so it cannot change under the transaction).
    let version = std::fs::read(p.root.join(VERSION_INI))
        .ok()
        .and_then(|bytes| lanspread_proto::GameVersion::from_version_ini(&bytes).ok());
    let record = Record::snapshot(&p.staging, version).map_err(io_err("list", &p.staging))?;
    let carried = if update {
        progress(InstallProgress { phase: InstallPhase::Committing, bytes_done: total, total_bytes: total });
        carry::carry_over(ctx, &p.local, &p.staging, Record::load(&p.root).as_ref(), cancel)?
    } else {
        Vec::new()
    };
    ctx.point("record")?;
    record.write_next(&p.root).map_err(io_err("write", &p.root.join(RECORD_NEXT)))?;
    ctx.point("sync")?;
    platform::sync_tree(&p.staging).map_err(io_err("sync", &p.staging))?;
    if cancel.load(Ordering::Relaxed) {
        return Err(Fail::Error(InstallError::Cancelled));
    }
    Ok(Staged { record, carried })
}

/// Phase `swapping`: the new tree replaces `local/` (the old one goes to `.local.backup/`).
fn swap(ctx: &mut Ctx<'_>, update: bool) -> Result<(), Fail> {
    let p = ctx.paths.clone();
    let op = if update { Op::Update } else { Op::Install };
    ctx.point("intent: swapping")?;
    intent::write(&p.root, &Intent::new(op, Phase::Swapping))
        .map_err(io_err("write install log in", &p.root))?;
    if update {
        fsops::rename_durable(ctx, "local to backup", &p.local, &p.backup)?;
        ctx.point("mark backup")?;
        fsops::mark(&p.backup)?;
    }
    ctx.point("unmark staging")?;
    fsops::unmark(&p.staging)?;
    fsops::rename_durable(ctx, "staging to local", &p.staging, &p.local)
}

/// After the commit: make the record current, delete the old tree, drop the log.
fn cleanup(ctx: &mut Ctx<'_>, update: bool) -> Result<(), Fail> {
    let p = ctx.paths.clone();
    ctx.point("promote record")?;
    carry::promote_record(&p.root).map_err(io_err("rename", &p.root.join(RECORD_NEXT)))?;
    if update {
        ctx.point("intent: cleanup")?;
        intent::write(&p.root, &Intent::new(Op::Update, Phase::Cleanup))
            .map_err(io_err("write install log in", &p.root))?;
        fsops::remove_tree(ctx, &p.backup)?;
    }
    ctx.point("clear intent")?;
    intent::clear(&p.root).map_err(io_err("remove install log in", &p.root))
}

/// Undoes phase `staging` after an error: `local/` was never touched.
fn abort_staging(ctx: &mut Ctx<'_>) {
    let p = ctx.paths.clone();
    let result = fsops::remove_tree(ctx, &p.staging)
        .and_then(|()| intent::remove_file_durable(&p.root, RECORD_NEXT).map_err(io_err("remove", &p.root)))
        .and_then(|()| intent::clear(&p.root).map_err(io_err("remove install log in", &p.root)));
    if let Err(Fail::Error(e)) = result {
        warn!(root = %p.root.display(), "rolling back the staging directory failed, recovery will finish it: {e}");
    }
}

/// Undoes phase `swapping` after an error (before the commit rename succeeded).
fn abort_swap(ctx: &mut Ctx<'_>) {
    let p = ctx.paths.clone();
    let result = (|| -> Result<(), Fail> {
        let local = fsops::kind_of(&p.local).map_err(io_err("inspect", &p.local))?;
        let backup = fsops::kind_of(&p.backup).map_err(io_err("inspect", &p.backup))?;
        if local.is_none() && backup == Some(Kind::Dir) {
            fsops::rename_durable(ctx, "restore backup", &p.backup, &p.local)?;
            fsops::unmark(&p.local)?;
        }
        fsops::remove_tree(ctx, &p.staging)?;
        intent::remove_file_durable(&p.root, RECORD_NEXT).map_err(io_err("remove", &p.root))?;
        intent::clear(&p.root).map_err(io_err("remove install log in", &p.root))
    })();
    if let Err(Fail::Error(e)) = result {
        warn!(root = %p.root.display(), "rolling back the swap failed, recovery will finish it: {e}");
    }
}

/// Uninstalls (see `uninstall_game`).
pub(crate) fn uninstall(ctx: &mut Ctx<'_>) -> Result<(), Fail> {
    let p = ctx.paths.clone();
    check_root(&p.root)?;
    let installed = |p: &super::ctx::Paths| -> Result<bool, Fail> {
        Ok(fsops::kind_of(&p.local).map_err(io_err("inspect", &p.local))? == Some(Kind::Dir))
    };
    // Nothing to do and nothing to recover: answer without touching the root.
    if !installed(&p)? && !recovery::needs_recovery(&p.root).map_err(io_err("inspect", &p.root))? {
        return Err(Fail::Error(InstallError::NotInstalled));
    }
    let _lock = lock_root(&p.root)?;
    recovery::recover_locked(ctx)?;
    if !installed(&p)? {
        return Err(Fail::Error(InstallError::NotInstalled));
    }
    refuse_foreign(ctx)?;
    ctx.point("intent: removing")?;
    intent::write(&p.root, &Intent::new(Op::Uninstall, Phase::Removing))
        .map_err(io_err("write install log in", &p.root))?;
    if let Err(e) = fsops::rename_durable(ctx, "local to removing", &p.local, &p.removing) {
        if let Fail::Error(_) = e {
            let _ = intent::clear(&p.root);
        }
        return Err(e);
    }
    // local/ is gone: the game is uninstalled. The rest is cleanup that recovery can finish.
    let result = (|| -> Result<(), Fail> {
        ctx.point("mark removing")?;
        fsops::mark(&p.removing)?;
        ctx.point("remove record")?;
        intent::remove_file_durable(&p.root, RECORD).map_err(io_err("remove", &p.root.join(RECORD)))?;
        fsops::remove_tree(ctx, &p.removing)?;
        ctx.point("clear intent")?;
        intent::clear(&p.root).map_err(io_err("remove install log in", &p.root))
    })();
    match result {
        Err(Fail::Error(e)) => {
            warn!(root = %p.root.display(), "uninstall cleanup left work for recovery: {e}");
            Ok(())
        }
        other => other,
    }
}

/// Deletes the whole game (see `delete_game`): returns the bytes freed.
pub(crate) fn delete(ctx: &mut Ctx<'_>) -> Result<u64, Fail> {
    let root = ctx.paths.root.clone();
    check_root(&root)?;
    // The install goes first, by its own crash-safe transaction (player data included: the
    // player asked for the game to be gone).
    match uninstall(ctx) {
        Ok(()) | Err(Fail::Error(InstallError::NotInstalled)) => {}
        Err(e) => return Err(e),
    }
    let lock = lock_root(&root)?;
    recovery::recover_locked(ctx)?;
    refuse_foreign(ctx)?;
    let freed = tree_bytes(&root);
    // From here on the root is no longer a complete game: nothing serves or installs it, and
    // a crash leaves only leftovers of a game that is gone.
    ctx.point("remove version.ini")?;
    intent::remove_file_durable(&root, VERSION_INI).map_err(io_err("remove", &root.join(VERSION_INI)))?;
    for (name, kind) in fsops::read_dir_sorted(&root).map_err(io_err("list", &root))? {
        if name == LOCK {
            continue;
        }
        let path = root.join(&name);
        if kind == Kind::Dir {
            fsops::remove_tree(ctx, &path)?;
        } else {
            ctx.point("remove")?;
            fsops::remove_file_forcibly(&path).map_err(io_err("remove", &path))?;
        }
    }
    drop(lock);
    let lock_path = root.join(LOCK);
    match std::fs::remove_file(&lock_path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err("remove", &lock_path)(e)),
    }
    match std::fs::remove_dir(&root) {
        Ok(()) => fsops::sync_parent(&root)?,
        // Another process put something there meanwhile: it stays, the game is gone anyway.
        Err(e) => warn!(root = %root.display(), "the game folder was emptied but not removed: {e}"),
    }
    Ok(freed)
}

/// Bytes of the regular files under `dir` (links not followed; unreadable parts count 0).
fn tree_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => tree_bytes(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

/// Repairs `local/`: re-extracts only `paths` (`/`-separated, under `local/`) from the game's
/// archives — or copies them from the payload when it has none — into an owned
/// `.local.installing/`, then moves each into `local/` with one rename, replacing the damaged
/// file or restoring a missing one. Nothing else in `local/` is touched (files the player
/// changed are never in `paths`). A crash leaves every file either as it was or repaired;
/// start-up recovery deletes the owned staging directory.
pub(crate) fn repair(
    ctx: &mut Ctx<'_>,
    unpacker: &dyn Unpacker,
    paths: &[String],
    progress: &mut dyn FnMut(u64),
    cancel: &AtomicBool,
) -> Result<super::LocalRepair, Fail> {
    let p = ctx.paths.clone();
    check_root(&p.root)?;
    let _lock = lock_root(&p.root)?;
    recovery::recover_locked(ctx)?;
    if fsops::kind_of(&p.local).map_err(io_err("inspect", &p.local))? != Some(Kind::Dir) {
        return Err(Fail::Error(InstallError::NotInstalled));
    }
    refuse_foreign(ctx)?;
    let wanted: std::collections::HashSet<&str> = paths.iter().map(String::as_str).collect();
    ctx.point("create staging")?;
    fsops::create_owned_dir(&p.staging)?;
    let result = repair_staged(ctx, unpacker, &wanted, paths, progress, cancel);
    if let Err(Fail::Crash) = result {
        return Err(Fail::Crash);
    }
    if let Err(e) = fsops::remove_tree(ctx, &p.staging) {
        warn!(root = %p.root.display(), "removing the repair's staging directory failed, recovery will finish it: {e:?}");
    }
    result
}

fn repair_staged(
    ctx: &mut Ctx<'_>,
    unpacker: &dyn Unpacker,
    wanted: &std::collections::HashSet<&str>,
    paths: &[String],
    progress: &mut dyn FnMut(u64),
    cancel: &AtomicBool,
) -> Result<super::LocalRepair, Fail> {
    let p = ctx.paths.clone();
    let mut done = 0u64;
    match source::prepare(&p.root, unpacker)?.source {
        source::Source::Archives(sets) => {
            for set in &sets {
                ctx.point("extract")?;
                let base = done;
                let summary = unpacker.extract_only(
                    &set.first_volume,
                    &p.staging,
                    &|path| wanted.contains(path),
                    &mut |n| progress(base + n),
                    cancel,
                )?;
                done += summary.bytes;
            }
        }
        source::Source::Payload(entries) => {
            for entry in
                entries.iter().filter(|e| e.kind == Kind::File && wanted.contains(e.slash().as_str()))
            {
                let to = entry.under(&p.staging);
                if !fsops::ensure_real_parents(&p.staging, &entry.rel).map_err(io_err("create", &to))? {
                    return Err(io_err("create", &to)(std::io::Error::other("a file is in the way")));
                }
                let base = done;
                done += fsops::copy_file(&entry.under(&p.root), &to, cancel, &mut |n| progress(base + n))?;
            }
        }
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(Fail::Error(InstallError::Cancelled));
    }
    platform::sync_tree(&p.staging).map_err(io_err("sync", &p.staging))?;
    let mut repaired = Vec::new();
    let mut bytes = 0u64;
    for path in paths {
        let rel: Vec<std::ffi::OsString> = path.split('/').map(Into::into).collect();
        let mut from = p.staging.clone();
        from.extend(&rel);
        let mut to = p.local.clone();
        to.extend(&rel);
        if fsops::kind_of(&from).map_err(io_err("inspect", &from))? != Some(Kind::File) {
            return Err(io_err("repair", &to)(std::io::Error::other(
                "the game's archives do not hold this file; delete the game and download it again",
            )));
        }
        if !fsops::ensure_real_parents(&p.local, &rel).map_err(io_err("create", &to))? {
            return Err(io_err("repair", &to)(std::io::Error::other(
                "a file or link is in the way of its folder",
            )));
        }
        // A link or folder where the file belongs is not replaced by a rename: refuse.
        if matches!(fsops::kind_of(&to).map_err(io_err("inspect", &to))?, Some(k) if k != Kind::File) {
            return Err(io_err("repair", &to)(std::io::Error::other(
                "something other than a file is in its place",
            )));
        }
        ctx.point("repair: replace")?;
        bytes += std::fs::symlink_metadata(&from).map_err(io_err("inspect", &from))?.len();
        std::fs::rename(&from, &to).map_err(io_err("replace", &to))?;
        fsops::sync_parent(&to)?;
        repaired.push(path.clone());
    }
    // The record holds each installed file's stamp (what tells bit rot from a player's edit):
    // the replaced files have new ones. A crash before this leaves them looking changed by the
    // player, which only means a later verify keeps rather than repairs them.
    if let Some(mut record) = Record::load(&p.root) {
        for path in &repaired {
            let mut file = p.local.clone();
            file.extend(path.split('/'));
            let meta = std::fs::symlink_metadata(&file).map_err(io_err("inspect", &file))?;
            record.files.insert(path.clone(), carry::Stamp::of(&meta));
        }
        ctx.point("repair: record")?;
        record.write_current(&p.root).map_err(io_err("write the install record in", &p.root))?;
    }
    Ok(super::LocalRepair { files: repaired, bytes })
}
