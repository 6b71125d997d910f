//! A minimal front end to the install transactions, for crash tests with real processes:
//!
//! ```text
//! install_tool install <root>     recovery, then install or update (UnrarUnpacker)
//! install_tool uninstall <root>   recovery, then uninstall
//! install_tool recover <root>     recovery only
//! ```
//!
//! Progress goes to stderr; exit 0 on success, 1 on failure (one line saying why), 2 on usage.

use std::{path::PathBuf, process::ExitCode, sync::atomic::AtomicBool};

use lanspread_peer::install;
use lanspread_unpack::UnrarUnpacker;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [cmd, root] = args.as_slice() else {
        eprintln!("usage: install_tool install|uninstall|recover <game root>");
        return ExitCode::from(2);
    };
    let root = PathBuf::from(root);
    let result = match cmd.as_str() {
        "recover" => install::recover_game(&root).map(|r| report_recovery(&r)),
        "install" => install::recover_game(&root).and_then(|r| {
            report_recovery(&r);
            let mut last = None;
            install::install_game(
                &root,
                &UnrarUnpacker::new(),
                &mut |p| {
                    let tenth = (p.phase, p.bytes_done * 10 / p.total_bytes.max(1));
                    if last != Some(tenth) {
                        last = Some(tenth);
                        eprintln!("{:?} {} / {} bytes", p.phase, p.bytes_done, p.total_bytes);
                    }
                },
                &AtomicBool::new(false),
            )
            .map(|report| {
                println!(
                    "installed: update={} files={} bytes={} carried_over={:?}",
                    report.update, report.files, report.bytes, report.carried_over
                )
            })
        }),
        "uninstall" => install::recover_game(&root).and_then(|r| {
            report_recovery(&r);
            install::uninstall_game(&root).map(|()| println!("uninstalled"))
        }),
        _ => {
            eprintln!("unknown command {cmd:?}; use install, uninstall or recover");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{cmd} {} failed: {e}", root.display());
            ExitCode::FAILURE
        }
    }
}

fn report_recovery(report: &install::RecoveryReport) {
    for action in &report.actions {
        eprintln!("recovery: {action}");
    }
}
