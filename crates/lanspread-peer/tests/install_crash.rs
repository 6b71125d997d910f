//! Crash injection with real processes, a few runs each (the `just crash-install` recipe does
//! 20+ per operation with bigger archives): the child is this test binary itself, re-executed
//! in "install tool" mode, killed (SIGKILL; TerminateProcess on Windows) at a random moment;
//! recovery must then leave the game exactly old or new.
#![allow(clippy::unwrap_used)]

#[path = "../examples/install_crash/driver.rs"]
mod driver;

use std::{path::PathBuf, sync::atomic::AtomicBool};

use driver::{Fixtures, Op, Tool};
use lanspread_peer::install;
use lanspread_unpack::UnrarUnpacker;

const CHILD_ENV: &str = "LANSPREAD_INSTALL_CRASH_CHILD";

/// In a child process: act as `install_tool <verb> <root>` (the last two arguments).
#[test]
fn install_tool_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    let (verb, root) = (&args[args.len() - 2], PathBuf::from(&args[args.len() - 1]));
    let result = install::recover_game(&root).and_then(|_| match verb.as_str() {
        "install" => {
            install::install_game(&root, &UnrarUnpacker::new(), &mut |_| {}, &AtomicBool::new(false))
                .map(drop)
        }
        _ => install::uninstall_game(&root),
    });
    std::process::exit(if result.is_ok() { 0 } else { 1 });
}

#[test]
fn kill_9_during_install_update_and_uninstall_leaves_old_or_new() {
    let work = tempfile::tempdir().unwrap();
    let fixtures = Fixtures::build(&work.path().join("fixtures"), 8).unwrap();
    let tool = Tool::Simple {
        program: std::env::current_exe().unwrap(),
        prefix_args: vec!["--exact".into(), "install_tool_child".into(), "--test-threads=1".into()],
        envs: vec![(CHILD_ENV.into(), "1".into())],
    };
    for (i, op) in Op::ALL.into_iter().enumerate() {
        let tally = driver::crash_runs(&fixtures, &tool, op, 3, 3, &work.path().join("runs"), 42 + i as u64)
            .unwrap_or_else(|e| panic!("{}: {e:#}", op.name()));
        eprintln!("{}: {tally:?}", op.name());
        assert_eq!(tally.runs, 3);
        assert_eq!(tally.old + tally.new, 3);
    }
}
