//! What configures one peer: [`PeerOptions`], with its [`Timing`] and [`Tuning`] knobs.
//!
//! Library code reads no environment variables: binaries and benchmarks map theirs onto
//! these structs (see `lanspread-peer-cli`'s `tuning_from_env`).

use std::{
    net::{IpAddr, SocketAddr},
    path::PathBuf,
    time::Duration,
};

use lanspread_proto::PROTOCOL_VERSION;

use crate::identity::default_state_dir;

/// How peers find each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiscoveryMode {
    /// Real mDNS on the chosen interfaces.
    #[default]
    Mdns,
    /// No discovery; peers are added with
    /// [`PeerRuntimeHandle::connect_to`](crate::PeerRuntimeHandle::connect_to) (tests, scripts).
    Manual,
}

/// The QUIC port peers listen on unless told otherwise, so an address typed once (or
/// remembered by the app) still works after a restart. Named in the README and the firewall hint.
pub const DEFAULT_PORT: u16 = 41_800;

/// Timing knobs; the defaults meet the contract (a vanished peer is lost within 10 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// How often every peer is pinged.
    pub ping_interval: Duration,
    /// A peer silent for this long is removed.
    pub peer_timeout: Duration,
    /// Full rescan interval for events the file watcher missed.
    pub fallback_scan: Duration,
    /// Delay that batches file-system events before a rescan.
    pub monitor_debounce: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(2),
            peer_timeout: Duration::from_secs(7),
            fallback_scan: Duration::from_secs(300),
            monitor_debounce: Duration::from_millis(250),
        }
    }
}

/// Transfer tuning. The defaults are the measured optima (docs/benchmarks.md); the fields
/// exist for experiments and benchmarks, not for players.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// Bytes a download keeps requested but not yet written, over all peers (bounds memory).
    pub inflight_budget: u64,
    /// Transfer time each peer's request window should cover.
    pub pipeline_target: Duration,
    /// Requests each swarm member keeps in flight to an original seeder while complete copies
    /// are scarce.
    pub seed_window: usize,
    /// How long verified chunks gather before they are announced to the swarm.
    pub have_batch: Duration,
    /// Length of our QUIC connection IDs in bytes (s2n-quic's default is 16).
    pub connection_id_len: usize,
    /// Largest UDP datagram path MTU discovery probes for.
    pub max_mtu: u16,
    /// Initial datagram size (`None`: s2n-quic's default).
    pub initial_mtu: Option<u16>,
    /// UDP socket receive buffer in bytes (the kernel caps it at `net.core.rmem_max`).
    pub socket_recv_buffer: usize,
    /// Re-read from disk, before the commit, every chunk a resumed download knew from before.
    /// Only a benchmark comparing the cost of that check turns it off: without it a commit may
    /// include bytes nobody verified.
    #[doc(hidden)]
    pub reverify_resumed: bool,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            inflight_budget: 16 << 20,
            pipeline_target: Duration::from_millis(60),
            seed_window: 1,
            have_batch: Duration::from_millis(50),
            connection_id_len: 8,
            max_mtu: 9000,
            initial_mtu: None,
            socket_recv_buffer: 2 << 20,
            reverify_resumed: true,
        }
    }
}

/// Most `--peer` addresses a peer dials.
pub const MAX_KNOWN_PEERS: usize = 64;

/// Everything that configures one peer.
#[derive(Debug, Clone)]
pub struct PeerOptions {
    /// The game directory.
    pub game_dir: PathBuf,
    /// State directory (identity, index); locked while running.
    pub state_dir: PathBuf,
    /// Limit QUIC and mDNS to this interface address (default: all).
    pub bind: Option<IpAddr>,
    /// QUIC port: [`DEFAULT_PORT`] unless chosen (0 = any free port). The default falls back to
    /// any free port when another program holds it; a chosen port does not.
    pub port: u16,
    /// Send and hear UDP broadcast beacons (with real discovery; see `beacon`).
    pub beacon: bool,
    /// Display name for other peers.
    pub name: String,
    /// Discovery mode.
    pub discovery: DiscoveryMode,
    /// Timing knobs.
    pub timing: Timing,
    /// Transfer tuning.
    pub tuning: Tuning,
    /// Install a game right after its download finishes.
    pub auto_install: bool,
    /// Take part in download swarms (serve verified chunks of running downloads, fetch from
    /// other downloaders). Off only for comparisons.
    pub swarm: bool,
    /// Cap on the upload rate in bytes per second (a seed box sharing a line); `None` = no cap.
    pub upload_limit: Option<u64>,
    /// Cap on the download rate in bytes per second; `None` = no cap.
    pub download_limit: Option<u64>,
    /// Known peer addresses (`--peer HOST:PORT`), dialled until they answer and whenever they
    /// are lost: for networks where discovery packets do not pass. Their ids come from their
    /// TLS certificates; at most [`MAX_KNOWN_PEERS`] are used.
    pub known_peers: Vec<SocketAddr>,
    /// Protocol version we speak. Only tests change it.
    #[doc(hidden)]
    pub protocol_version: u32,
}

impl PeerOptions {
    /// Defaults for `game_dir`: platform state directory, all interfaces, host name.
    pub fn new(game_dir: impl Into<PathBuf>) -> Self {
        Self {
            game_dir: game_dir.into(),
            state_dir: default_state_dir(),
            bind: None,
            port: DEFAULT_PORT,
            beacon: true,
            name: default_name(),
            discovery: DiscoveryMode::Mdns,
            timing: Timing::default(),
            tuning: Tuning::default(),
            auto_install: true,
            swarm: true,
            upload_limit: None,
            download_limit: None,
            known_peers: Vec::new(),
            protocol_version: PROTOCOL_VERSION,
        }
    }
}

/// The machine's name, as other players see this peer unless `--name` says otherwise.
#[cfg(not(windows))]
fn default_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "lanspread".into())
}

/// The computer's name as Windows shows it (the DNS host name, in its own case: "Anna-PC"),
/// else `%COMPUTERNAME%` (the upper-case NetBIOS name).
#[cfg(windows)]
fn default_name() -> String {
    crate::platform::computer_name()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "lanspread".into())
}

/// `name` as announced: no control characters, at most `MAX_PEER_NAME_CHARS`.
pub(crate) fn clean_name(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).take(lanspread_proto::MAX_PEER_NAME_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Windows player showed as "lanspread" when the name came from `/etc/hostname`.
    /// Windows' NetBIOS name (`%COMPUTERNAME%`) is the host name upper-cased and cut to 15
    /// characters; the default name is the host name itself.
    #[cfg(windows)]
    #[test]
    fn the_default_name_is_the_computer_name() {
        let name = default_name();
        let netbios = std::env::var("COMPUTERNAME").expect("Windows sets COMPUTERNAME");
        assert_ne!(name, "lanspread");
        let short: String = name.to_uppercase().chars().take(15).collect();
        assert_eq!(short, netbios.to_uppercase(), "name {name:?}");
    }

    #[test]
    fn names_lose_control_characters_and_excess_length() {
        assert_eq!(clean_name("Anna\u{7}'s\nPC"), "Anna'sPC");
        let long = "x".repeat(lanspread_proto::MAX_PEER_NAME_CHARS + 10);
        assert_eq!(clean_name(&long).chars().count(), lanspread_proto::MAX_PEER_NAME_CHARS);
        assert!(!default_name().is_empty());
    }
}
