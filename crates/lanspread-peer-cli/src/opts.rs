//! Command-line options.

use std::{
    net::{IpAddr, SocketAddr},
    path::PathBuf,
};

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use lanspread_proto::{Catalog, GameId};

/// Headless lanspread peer: serves and downloads games on the LAN.
///
/// Exit codes: 0 success, 1 failure (one line on stderr says what and why), 2 usage error.
/// Logs go to stderr (level via LANSPREAD_LOG, e.g. LANSPREAD_LOG=debug); stdout carries only
/// JSON lines.
#[derive(Debug, Parser)]
#[command(name = "lanspread-peer-cli", version, about, long_about)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) common: Common,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Flags every subcommand takes.
#[derive(Debug, Clone, Args)]
pub(crate) struct Common {
    /// The game directory: one folder per game, named by its catalog id.
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) game_dir: Option<PathBuf>,
    /// Catalog JSON to use instead of the bundled catalog.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) catalog: Option<PathBuf>,
    /// State directory (identity, hash cache); default: $XDG_DATA_HOME/lanspread or
    /// ~/.local/share/lanspread. Locked: one process per state directory.
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) state_dir: Option<PathBuf>,
    /// Limit QUIC and mDNS to the interface with this address (default: all interfaces).
    #[arg(long, global = true, value_name = "IP")]
    pub(crate) bind: Option<IpAddr>,
    /// A peer's address, for networks where discovery packets do not pass (repeatable). Dialled
    /// until it answers and again whenever it is lost; its id comes from its certificate, and
    /// the peers it knows are met through it.
    #[arg(long = "peer", global = true, value_name = "HOST:PORT", value_parser = parse_peer_addr)]
    pub(crate) peers: Vec<SocketAddr>,
}

/// `HOST:PORT` (a name or an IP address, `[v6]:port` for IPv6) resolved to one address.
fn parse_peer_addr(s: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    let mut addrs = s
        .to_socket_addrs()
        .map_err(|e| format!("{s:?} is not HOST:PORT ({e}); e.g. 192.168.1.20:41000 or seedbox.lan:41000"))?;
    let first = addrs.next().ok_or_else(|| format!("{s:?} resolves to no address"))?;
    if first.port() == 0 {
        return Err(format!("{s:?}: the port must not be 0"));
    }
    Ok(first)
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run a full peer until SIGINT/SIGTERM or a {"command":"shutdown"} line (exit 0).
    ///
    /// Stdout: one JSON object per line per event, {"event": "<name>", ...}.
    /// Stdin: one JSON object per line per command, {"command": "<name>", ...}, e.g.
    /// {"command":"get_game","id":"quake3","download":true}. A line that does not parse gets
    /// an {"event":"error",...} line back and changes nothing. End of stdin does not stop it.
    Serve(ServeArgs),
    /// Download GAME_ID from the peers that have its latest version, verify, install.
    ///
    /// Waits until at least --min-peers peers announce the game complete at the latest
    /// version, downloads from them (and from peers that appear later), verifies every byte,
    /// installs unless --no-install, prints one final line
    /// {"event":"finished","game":ID,"version":V,"bytes":N,"seconds":S,"peers":[ids]} and
    /// exits 0 (or keeps serving with --keep-serving). Progress goes to stderr.
    /// SIGINT/SIGTERM: stops cleanly, keeps verified chunks, exits 1.
    Get(GetArgs),
    /// Install (or update) a downloaded game into its local/ directory (no network).
    Install {
        /// Catalog id of the game.
        game_id: GameId,
    },
    /// Remove a game's local/ directory; the downloaded files stay (no network).
    Uninstall {
        /// Catalog id of the game.
        game_id: GameId,
    },
    /// Verify a downloaded game: re-hash every payload byte against the manifest the peers
    /// holding its version agree on (without such peers, the hashes this PC recorded) and check
    /// local/ against what the archives unpack to.
    ///
    /// Runs the peer for discovery (up to --wait seconds to find a peer with the version),
    /// prints the verify_game_begin and verify_game_finished events as JSON lines (progress on
    /// stderr) and exits 0 when nothing is (or, with --repair, is left) damaged, 1 otherwise
    /// (the last line says what). Files the player changed in local/ are listed, never counted
    /// as damage and never overwritten.
    Verify(VerifyArgs),
    /// Print the local library as JSON.
    List,
    /// Why can't I see anyone? Runs the peer for a few seconds and reports this machine's
    /// addresses and port, who was heard (mDNS, peer exchange, --peer), who connected, and why
    /// the others did not: one JSON document on stdout, advice in words on stderr.
    Doctor(DoctorArgs),
    /// Start an installed game, detached, in its folder; prints {"event":"game_started",...}.
    ///
    /// The program is the catalog's launch entry for this OS, else the only executable at the
    /// top of local/ (or one level down), else the game's folder is opened.
    Play {
        /// Catalog id of the game.
        game_id: GameId,
        /// Print {"program":..,"args":[..],"cwd":..,"source":..} and start nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the catalog pin of a downloaded game: {"id":ID,"pins":{"<version>":"<digest>"}}.
    ///
    /// An organiser runs this on the seed box and copies the pin into the title's entry of the
    /// catalog (format 2) handed to every player: a pinned version is trusted whoever holds it,
    /// and only with exactly this manifest. Hashes the game unless the hash cache is current.
    Pin {
        /// Catalog id of the game.
        game_id: GameId,
    },
}

impl Command {
    pub(crate) fn is_json_stream(&self) -> bool {
        matches!(self, Self::Serve(_) | Self::Get(_) | Self::Verify(_))
    }
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Name shown to other peers (default: host name).
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// QUIC port (default 41800, or any free port when another program holds it; 0: any free port).
    #[arg(long, default_value_t = lanspread_peer::DEFAULT_PORT)]
    pub(crate) port: u16,
    /// Do not take part in download swarms (comparisons only).
    #[arg(long)]
    pub(crate) no_swarm: bool,
    /// Cap the upload rate (megabits per second), e.g. to keep a seed box from filling a
    /// shared uplink.
    #[arg(long, value_name = "MBIT")]
    pub(crate) upload_limit_mbit: Option<u64>,
}

#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// How long to listen, in seconds.
    #[arg(long, default_value_t = 5.0, value_name = "SECS")]
    pub(crate) seconds: f64,
    /// Also test a connection to this address (repeatable).
    #[arg(long, value_name = "HOST:PORT", value_parser = parse_peer_addr)]
    pub(crate) test: Vec<SocketAddr>,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// Catalog id of the game.
    pub(crate) game_id: GameId,
    /// How long to look for a peer holding this version before checking against the hashes
    /// this PC recorded, in seconds.
    #[arg(long, default_value_t = 3.0, value_name = "SECS")]
    pub(crate) wait: f64,
    /// Repair what is damaged: fetch the bad chunks again from peers (only those), extract
    /// only the damaged or missing installed files again (never one you changed), verify again.
    #[arg(long)]
    pub(crate) repair: bool,
}

#[derive(Debug, Args)]
pub(crate) struct GetArgs {
    /// Catalog id of the game.
    pub(crate) game_id: GameId,
    /// Wait until at least this many peers announce the game at its latest version.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub(crate) min_peers: usize,
    /// Give up after this many seconds (the whole run); default: no limit.
    #[arg(long, value_name = "SECS")]
    pub(crate) timeout: Option<f64>,
    /// Download and verify only; do not install.
    #[arg(long)]
    pub(crate) no_install: bool,
    /// Keep serving after finishing (until SIGINT/SIGTERM).
    #[arg(long)]
    pub(crate) keep_serving: bool,
    /// Fetch only from complete copies and do not serve partial chunks (comparisons only).
    #[arg(long)]
    pub(crate) no_swarm: bool,
    /// Name shown to other peers (default: host name).
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// Take the newest version even when a single host offers it and nothing else confirms
    /// it (no second host, no catalog pin). Without this, such a version is only reported and
    /// the newest confirmed version is taken. A copy taken this way is announced as unverified.
    #[arg(long)]
    pub(crate) accept_unverified: bool,
    /// Benchmarks only: stop (keeping verified chunks, exit 1) once this many MiB are verified.
    #[arg(long, value_name = "MIB", hide = true)]
    pub(crate) pause_after_mib: Option<u64>,
}

impl Common {
    pub(crate) fn game_dir(&self) -> anyhow::Result<PathBuf> {
        self.game_dir.clone().context("--game-dir DIR is required")
    }

    pub(crate) fn catalog(&self) -> anyhow::Result<Catalog> {
        match &self.catalog {
            None => Ok(Catalog::bundled()),
            Some(p) => {
                let bytes =
                    std::fs::read(p).with_context(|| format!("cannot read catalog {}", p.display()))?;
                Catalog::from_json(&bytes).with_context(|| format!("catalog {} is not usable", p.display()))
            }
        }
    }

    pub(crate) fn state_dir(&self) -> PathBuf {
        self.state_dir.clone().unwrap_or_else(lanspread_peer::identity::default_state_dir)
    }
}
