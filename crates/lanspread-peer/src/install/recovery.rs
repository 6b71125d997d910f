//! Startup recovery: combine the intent log with what is on disk, then finish or roll back.
//!
//! With a readable log the phase decides: `staging` rolls back (the new tree may be partial),
//! `swapping` and `cleanup` roll forward (the new tree is complete and durable), `removing`
//! finishes the uninstall. Without a log — or with a damaged one — only the ownership markers
//! speak: a marked `.local.installing/` or `.local.removing/` is deleted, a marked
//! `.local.backup/` is restored when `local/` is missing and deleted otherwise. Reserved
//! directories that neither the log nor a marker prove to be ours are left alone and reported.

use std::{io, path::Path};

use super::{
    BACKUP, INTENT, INTENT_TMP, RECORD, RECORD_NEXT, RECORD_TMP, REMOVING, RecoveryReport, STAGING, carry,
    ctx::{Ctx, Fail, io_err},
    fsops::{self, Kind},
    intent::{self, Intent, LogState, Op, Phase},
    txn::lock_root,
};

/// Names whose presence means a root may need recovery.
const LEFTOVERS: [&str; 7] = [INTENT, INTENT_TMP, RECORD_TMP, RECORD_NEXT, STAGING, BACKUP, REMOVING];

/// Whether anything in `root` is left over from a transaction.
pub(crate) fn needs_recovery(root: &Path) -> io::Result<bool> {
    for name in LEFTOVERS {
        if fsops::kind_of(&root.join(name))?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Recovers `root` under its lock; a clean root is not touched at all (no lock file).
pub(crate) fn recover(ctx: &mut Ctx<'_>) -> Result<RecoveryReport, Fail> {
    let root = ctx.paths.root.clone();
    if !needs_recovery(&root).map_err(io_err("inspect", &root))? {
        return Ok(RecoveryReport::default());
    }
    let _lock = lock_root(&root)?;
    recover_locked(ctx)
}

/// Recovers `root`; the caller holds its lock.
pub(crate) fn recover_locked(ctx: &mut Ctx<'_>) -> Result<RecoveryReport, Fail> {
    let root = ctx.paths.root.clone();
    let mut actions = Vec::new();
    for tmp in [INTENT_TMP, RECORD_TMP] {
        if fsops::kind_of(&root.join(tmp)).map_err(io_err("inspect", &root))?.is_some() {
            ctx.point("remove temporary")?;
            intent::remove_file_durable(&root, tmp).map_err(io_err("remove", &root.join(tmp)))?;
        }
    }
    match intent::read(&root).map_err(io_err("read", &root.join(INTENT)))? {
        LogState::Absent => by_markers(ctx, &mut actions)?,
        LogState::Present(log) => {
            by_intent(ctx, &log, &mut actions)?;
            ctx.point("recovery: clear intent")?;
            intent::clear(&root).map_err(io_err("remove", &root.join(INTENT)))?;
        }
        LogState::Corrupt(why) => {
            actions.push(format!("the install log is damaged ({why}); recovered from the ownership markers"));
            by_markers(ctx, &mut actions)?;
            ctx.point("recovery: clear intent")?;
            intent::clear(&root).map_err(io_err("remove", &root.join(INTENT)))?;
        }
    }
    Ok(RecoveryReport { actions })
}

fn exists(path: &Path) -> Result<bool, Fail> {
    Ok(fsops::kind_of(path).map_err(io_err("inspect", path))?.is_some())
}

fn is_dir(path: &Path) -> Result<bool, Fail> {
    Ok(fsops::kind_of(path).map_err(io_err("inspect", path))? == Some(Kind::Dir))
}

fn discard_next_record(ctx: &mut Ctx<'_>) -> Result<(), Fail> {
    let root = ctx.paths.root.clone();
    if exists(&root.join(RECORD_NEXT))? {
        ctx.point("recovery: discard record")?;
        intent::remove_file_durable(&root, RECORD_NEXT).map_err(io_err("remove", &root.join(RECORD_NEXT)))?;
    }
    Ok(())
}

fn promote_record(ctx: &mut Ctx<'_>) -> Result<(), Fail> {
    let root = ctx.paths.root.clone();
    ctx.point("recovery: promote record")?;
    carry::promote_record(&root).map_err(io_err("rename", &root.join(RECORD_NEXT)))
}

fn by_intent(ctx: &mut Ctx<'_>, log: &Intent, actions: &mut Vec<String>) -> Result<(), Fail> {
    let p = ctx.paths.clone();
    let what = match log.op {
        Op::Install => "install",
        Op::Update => "update",
        Op::Uninstall => "uninstall",
    };
    match (log.op, log.phase) {
        (Op::Install | Op::Update, Phase::Staging) => {
            // local/ was never touched; the staging tree is ours (the log says so).
            fsops::remove_tree(ctx, &p.staging)?;
            discard_next_record(ctx)?;
            if log.op == Op::Update && is_dir(&p.backup)? && !exists(&p.local)? {
                restore_backup(ctx)?;
            }
            actions.push(format!("rolled back an interrupted {what}; the previous state is kept"));
        }
        (Op::Install | Op::Update, Phase::Swapping | Phase::Cleanup) => {
            roll_forward(ctx, log.op)?;
            actions.push(format!("finished an interrupted {what}"));
        }
        (Op::Uninstall, _) => {
            if is_dir(&p.local)? {
                fsops::remove_tree(ctx, &p.removing)?;
                fsops::rename_durable(ctx, "recovery: local to removing", &p.local, &p.removing)?;
            }
            if exists(&p.removing)? {
                ctx.point("recovery: mark removing")?;
                fsops::mark(&p.removing)?;
            }
            ctx.point("recovery: remove record")?;
            intent::remove_file_durable(&p.root, RECORD).map_err(io_err("remove", &p.root.join(RECORD)))?;
            fsops::remove_tree(ctx, &p.removing)?;
            discard_next_record(ctx)?;
            actions.push("finished an interrupted uninstall".into());
        }
        (Op::Install | Op::Update, Phase::Removing) => {
            // Never written by this code: trust only the markers.
            actions.push(format!("the install log names an impossible state ({what} removing)"));
            return by_markers(ctx, actions);
        }
    }
    Ok(())
}

/// Completes phases `swapping`/`cleanup`: the staged tree is complete, so it becomes `local/`.
fn roll_forward(ctx: &mut Ctx<'_>, op: Op) -> Result<(), Fail> {
    let p = ctx.paths.clone();
    let local = is_dir(&p.local)?;
    let backup = exists(&p.backup)?;
    let staging = is_dir(&p.staging)?;
    match (local, backup, staging) {
        // Renamed local/ away (or never had one): move the new tree in.
        (false, _, true) => {
            ctx.point("recovery: unmark staging")?;
            fsops::unmark(&p.staging)?;
            fsops::rename_durable(ctx, "recovery: staging to local", &p.staging, &p.local)?;
            promote_record(ctx)?;
        }
        // An update that had not moved the old local/ yet: do the whole swap.
        (true, false, true) if op == Op::Update => {
            fsops::rename_durable(ctx, "recovery: local to backup", &p.local, &p.backup)?;
            ctx.point("recovery: mark backup")?;
            fsops::mark(&p.backup)?;
            ctx.point("recovery: unmark staging")?;
            fsops::unmark(&p.staging)?;
            fsops::rename_durable(ctx, "recovery: staging to local", &p.staging, &p.local)?;
            promote_record(ctx)?;
        }
        // The swap happened.
        (true, _, false) => promote_record(ctx)?,
        // The old tree is all there is (local/ vanished before the new one moved in).
        (false, true, false) => {
            restore_backup(ctx)?;
            discard_next_record(ctx)?;
            return Ok(());
        }
        // States the steps never produce; keep local/ and drop what the log proves ours.
        (true, _, true) => {
            fsops::remove_tree(ctx, &p.staging)?;
            discard_next_record(ctx)?;
        }
        (false, false, false) => discard_next_record(ctx)?,
    }
    // Only an update creates a backup; under an install log an unmarked one is not ours.
    if op == Op::Update || fsops::is_owned(&p.backup).map_err(io_err("inspect", &p.backup))? {
        fsops::remove_tree(ctx, &p.backup)?;
    }
    ctx.point("recovery: unmark local")?;
    fsops::unmark(&p.local)
}

fn restore_backup(ctx: &mut Ctx<'_>) -> Result<(), Fail> {
    let p = ctx.paths.clone();
    fsops::rename_durable(ctx, "recovery: backup to local", &p.backup, &p.local)?;
    ctx.point("recovery: unmark local")?;
    fsops::unmark(&p.local)
}

/// Recovery without a usable log: only the ownership markers prove what is ours.
fn by_markers(ctx: &mut Ctx<'_>, actions: &mut Vec<String>) -> Result<(), Fail> {
    let p = ctx.paths.clone();
    let owned = |dir: &Path| fsops::is_owned(dir).map_err(io_err("inspect", dir));
    let foreign = |dir: &Path, actions: &mut Vec<String>| {
        actions.push(format!(
            "left {} alone: it has no lanspread ownership marker; move it away if it is not needed",
            dir.display()
        ))
    };
    if owned(&p.staging)? {
        fsops::remove_tree(ctx, &p.staging)?;
        actions.push("deleted an abandoned staging directory".into());
    } else if exists(&p.staging)? {
        foreign(&p.staging, actions);
    }
    if owned(&p.backup)? {
        if exists(&p.local)? {
            fsops::remove_tree(ctx, &p.backup)?;
            actions.push("deleted a leftover backup of a previous install".into());
        } else {
            restore_backup(ctx)?;
            actions.push("restored the previous install from its backup".into());
        }
    } else if exists(&p.backup)? {
        foreign(&p.backup, actions);
    }
    if owned(&p.removing)? {
        fsops::remove_tree(ctx, &p.removing)?;
        actions.push("finished deleting an uninstalled game".into());
    } else if exists(&p.removing)? {
        foreign(&p.removing, actions);
    }
    discard_next_record(ctx)
}
