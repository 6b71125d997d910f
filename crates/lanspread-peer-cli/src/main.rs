//! Headless lanspread peer (seed box, scripting, benchmarks).

use clap::Parser;

/// Headless lanspread peer.
#[derive(Parser)]
#[command(version, about)]
struct Cli {}

fn main() {
    let _ = Cli::parse();
    println!(
        "{} catalog entries bundled",
        lanspread_proto::Catalog::bundled().len()
    );
}
