//! The control surface of the runtime: [`PeerCommand`] in, [`PeerEvent`] out.
//!
//! Both are plain serializable data; the headless CLI speaks them as JSON lines
//! (`{"command": "get_game", "id": "quake3"}` in, `{"event": "list_games", …}` out).

use std::path::PathBuf;

use lanspread_proto::{GameFileDescription, GameId, GameVersion, PeerId};
use serde::{Deserialize, Serialize};

use crate::error::ErrorInfo;

/// A command for the runtime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PeerCommand {
    /// Emit [`PeerEvent::ListGames`] with the aggregated library.
    ListGames,
    /// Query the peers holding the latest version of `id`, agree on its manifest and emit
    /// [`PeerEvent::GotGameFiles`]. A new download may reuse verified local data. With
    /// `download`, the download starts as soon as the manifest is agreed.
    GetGame {
        /// The game.
        id: GameId,
        /// Start downloading right away.
        #[serde(default)]
        download: bool,
        /// Take the newest version even when only one host offers it (the trust rule would
        /// only offer it); the copy is then announced as unverified.
        #[serde(default)]
        accept_unverified: bool,
    },
    /// Like [`PeerCommand::GetGame`] for an update: local payload that the new manifest does
    /// not contain is ignored, and the latest version is fetched from peers.
    FetchLatestFromPeers {
        /// The game.
        id: GameId,
        /// Start downloading right away.
        #[serde(default)]
        download: bool,
        /// As for [`PeerCommand::GetGame`].
        #[serde(default)]
        accept_unverified: bool,
    },
    /// Download the agreed manifest of `id` (from the last `GetGame`/`FetchLatestFromPeers`).
    /// `files`, when given, must equal the agreed manifest's file list.
    DownloadGameFiles {
        /// The game.
        id: GameId,
        /// The file list from [`PeerEvent::GotGameFiles`]; `None` means the agreed manifest.
        #[serde(default)]
        files: Option<Vec<GameFileDescription>>,
    },
    /// Install (or update) the downloaded game into its `local/` directory.
    InstallGame {
        /// The game.
        id: GameId,
    },
    /// Verify a downloaded game: re-hash every payload byte against the manifest the peers
    /// holding its version agree on (without such peers, the hashes this PC recorded) and check
    /// `local/` against what the install wrote. Emits [`PeerEvent::VerifyGameBegin`],
    /// progress, then [`PeerEvent::VerifyGameFinished`] with what is damaged. Refused while the
    /// game runs or another operation works on it.
    VerifyGame {
        /// The game.
        id: GameId,
        /// Then repair what is damaged: re-fetch bad chunks from peers (only those), re-extract
        /// only damaged or missing installed files (never one the player changed), and verify
        /// again; the report carries what was done.
        #[serde(default)]
        repair: bool,
    },
    /// Remove the game's `local/` directory; the downloaded files stay and keep being served.
    UninstallGame {
        /// The game.
        id: GameId,
    },
    /// Start the installed game (see `launch`): detached, in its own folder. While its
    /// process tree runs the game is `running`, and install and uninstall are refused.
    PlayGame {
        /// The game.
        id: GameId,
    },
    /// Delete the game from this machine: install (player data included), payload and
    /// download state; discards a paused download. Refused while it runs or an operation
    /// works on it.
    DeleteGame {
        /// The game.
        id: GameId,
    },
    /// Change the transfer caps of the running peer, in bytes per second (`None`: no cap).
    /// They apply to running transfers at once.
    SetLimits {
        /// Cap on what this peer sends to others.
        #[serde(default)]
        upload: Option<u64>,
        /// Cap on what this peer receives.
        #[serde(default)]
        download: Option<u64>,
    },
    /// Dial `addr` now and again whenever that peer is lost (a typed address: "Add a peer by
    /// address", `--peer`). Its identity comes from its certificate.
    AddPeer {
        /// `IP:PORT`.
        addr: std::net::SocketAddr,
    },
    /// "Test a connection to ADDRESS": dial `addr`, check its certificate and handshake, then
    /// emit [`PeerEvent::ConnectionTested`] with the outcome in words. A peer that answers is
    /// met for this session (not remembered: that is [`PeerCommand::AddPeer`]).
    TestConnection {
        /// `IP:PORT`.
        addr: std::net::SocketAddr,
    },
    /// Stop dialling a typed address.
    ForgetPeer {
        /// `IP:PORT`.
        addr: std::net::SocketAddr,
    },
    /// Pause (`false`) or resume sharing: while paused, requests for game data are refused
    /// ("sharing is paused") and no swarm lists this peer; downloads go on.
    SetSharing {
        /// Serve other peers.
        enabled: bool,
    },
    /// Switch to another game directory (rescans, re-announces).
    SetGameDir {
        /// The new directory.
        path: PathBuf,
    },
    /// Emit [`PeerEvent::PeerCountUpdated`].
    GetPeerCount,
    /// Emit [`PeerEvent::Peers`] with every known peer.
    ListPeers,
    /// Emit [`PeerEvent::Stats`] with transfer counters.
    GetStats,
    /// Cancel the download or install running on `id`.
    Cancel {
        /// The game.
        id: GameId,
    },
    /// Stop every task cleanly and emit [`PeerEvent::ShutdownComplete`].
    Shutdown,
}

impl PeerCommand {
    /// The snake_case name of the command, for logs and errors.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ListGames => "list_games",
            Self::GetGame { .. } => "get_game",
            Self::FetchLatestFromPeers { .. } => "fetch_latest_from_peers",
            Self::DownloadGameFiles { .. } => "download_game_files",
            Self::InstallGame { .. } => "install_game",
            Self::VerifyGame { .. } => "verify_game",
            Self::UninstallGame { .. } => "uninstall_game",
            Self::PlayGame { .. } => "play_game",
            Self::DeleteGame { .. } => "delete_game",
            Self::SetLimits { .. } => "set_limits",
            Self::SetSharing { .. } => "set_sharing",
            Self::AddPeer { .. } => "add_peer",
            Self::ForgetPeer { .. } => "forget_peer",
            Self::TestConnection { .. } => "test_connection",
            Self::SetGameDir { .. } => "set_game_dir",
            Self::GetPeerCount => "get_peer_count",
            Self::ListPeers => "list_peers",
            Self::GetStats => "get_stats",
            Self::Cancel { .. } => "cancel",
            Self::Shutdown => "shutdown",
        }
    }
}

/// Where a title stands on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GameState {
    /// Only other peers have it.
    RemoteOnly,
    /// A download runs.
    Downloading,
    /// An interrupted download with verified chunks kept; can resume.
    Paused,
    /// Completely downloaded, not installed.
    Downloaded,
    /// Downloaded and installed.
    Installed,
    /// A peer announces a higher version than the local one.
    UpdateAvailable,
    /// Installed, and a different (newer) version is downloaded: installing it needs no network.
    UpdateDownloaded,
    /// On disk, but no peer has it.
    LocalOnly,
}

/// An operation running on a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Agreeing on a manifest with peers.
    Preparing,
    /// Downloading.
    Downloading,
    /// Installing or updating.
    Installing,
    /// Uninstalling.
    Uninstalling,
    /// Deleting the whole game from this machine.
    Deleting,
    /// Verifying the payload and `local/`.
    Verifying,
}

/// A payload file with chunks that do not match the reference manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DamagedFile {
    /// Payload path, `/`-separated.
    pub path: String,
    /// Indexes of the chunks that do not match (a missing file: all of them).
    pub chunks: Vec<u64>,
    /// Bytes in those chunks.
    pub bytes: u64,
}

/// What a check of `local/` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalCheck {
    /// Files the install wrote that were checked.
    pub files: u64,
    /// Files whose bytes differ from what the install wrote while their size and modification
    /// time are the recorded ones: damaged on disk.
    pub damaged: Vec<String>,
    /// Files the install wrote that are gone.
    pub missing: Vec<String>,
    /// Files that differ and were changed since the install (configs, saves, mods): kept.
    pub changed_by_player: Vec<String>,
    /// Why `local/` could not be checked (damaged archives: repair the download first).
    pub skipped: Option<String>,
}

/// The outcome of [`PeerCommand::VerifyGame`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// What the payload was checked against, in words ("the manifest 2 peers agree on", "the
    /// hashes this PC recorded").
    pub reference: String,
    /// Payload bytes re-hashed.
    pub payload_bytes: u64,
    /// Payload files with bad chunks.
    pub damaged_payload: Vec<DamagedFile>,
    /// `local/` (empty when the game is not installed).
    pub local: LocalCheck,
    /// Whether nothing is damaged or missing (files the player changed do not count).
    pub ok: bool,
    /// With `repair`: what the repair did (the rest of the report is the check after it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repair: Option<RepairReport>,
}

/// What a repair did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairReport {
    /// Damaged chunks fetched again from peers, in bytes.
    pub fetched_bytes: u64,
    /// The downloaded files those chunks belong to.
    pub refetched_files: Vec<String>,
    /// Installed files extracted again (damaged or missing), under `local/`.
    pub reextracted: Vec<String>,
    /// Their bytes.
    pub reextracted_bytes: u64,
}

/// One title as the UI shows it: catalog data merged with local and remote state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameEntry {
    /// Catalog id.
    pub id: GameId,
    /// Display name.
    pub name: String,
    /// Catalog description.
    pub description: String,
    /// Genre label.
    pub genre: String,
    /// Most players per match.
    pub max_players: u32,
    /// Original release year.
    pub release_year: u16,
    /// Art path relative to the catalog directory.
    pub art: Option<String>,
    /// Size in bytes: the latest version's, else the local one's, else the catalog estimate.
    pub size_bytes: u64,
    /// Summary state.
    pub state: GameState,
    /// Running operation, if any.
    pub operation: Option<Operation>,
    /// Completely downloaded (`version.ini` present).
    pub downloaded: bool,
    /// Installed (`local/` present).
    pub installed: bool,
    /// Version on disk (the downloaded payload).
    pub local_version: Option<GameVersion>,
    /// The version `local/` holds, from its install record (`"unknown"` for installs recorded
    /// before versions were); `None` when not installed.
    #[serde(default)]
    pub installed_version: Option<String>,
    /// The newest version that passes the trust rule (votes per host, pins; see
    /// `docs/security.md`).
    pub latest_version: Option<GameVersion>,
    /// Peers announcing the latest version.
    pub peer_count: usize,
    /// A newer version too few hosts hold to be taken silently: installed only on an explicit
    /// request (`accept_unverified`).
    pub offered: Option<OfferedVersion>,
    /// The local copy was taken unverified (from a single host, on request).
    pub unverified: bool,
    /// The game was started from here and its processes still run.
    #[serde(default)]
    pub running: bool,
    /// Verified bytes of a paused or running download.
    pub downloaded_bytes: Option<u64>,
}

/// A version offered by a single host only, unverified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedVersion {
    /// The version.
    pub version: GameVersion,
    /// Display names of the peers offering it.
    pub by: Vec<String>,
}

/// A known peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerInfo {
    /// Peer id (certificate fingerprint).
    pub peer_id: PeerId,
    /// Display name.
    pub name: String,
    /// Address we talk to.
    pub addr: String,
    /// Games it holds completely.
    pub game_count: usize,
    /// Ids of those games.
    pub games: Vec<GameId>,
}

/// Progress of a running download.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DownloadProgress {
    /// The game.
    pub id: GameId,
    /// Verified bytes so far (including bytes verified before a restart).
    pub bytes_done: u64,
    /// Bytes in total.
    pub total_bytes: u64,
    /// Current rate in bytes per second (smoothed).
    pub rate_bps: u64,
    /// Estimated seconds left, when the rate is known.
    pub eta_secs: Option<u64>,
    /// Peers currently delivering data.
    pub peers: Vec<PeerTransfer>,
}

/// Bytes delivered by one peer during a download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerTransfer {
    /// The peer.
    pub peer_id: PeerId,
    /// Verified bytes received from it.
    pub bytes: u64,
}

/// Something the runtime reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PeerEvent {
    /// The aggregated library (catalog ∩ (local ∪ remote)) changed, or was asked for.
    ListGames {
        /// Every title known locally or remotely.
        games: Vec<GameEntry>,
    },
    /// Peers agreed on the manifest of a game (answer to GetGame / FetchLatestFromPeers).
    GotGameFiles {
        /// The game.
        id: GameId,
        /// Agreed version.
        version: GameVersion,
        /// Payload bytes.
        total_bytes: u64,
        /// The agreed file list.
        files: Vec<GameFileDescription>,
        /// Peers whose manifest agrees.
        peers: Vec<PeerId>,
        /// Whether this is an update of a local version.
        update: bool,
    },
    /// A download started.
    DownloadGameFilesBegin {
        /// The game.
        id: GameId,
        /// Version being downloaded.
        version: GameVersion,
        /// Payload bytes.
        total_bytes: u64,
        /// Bytes already verified on disk (resume).
        verified_bytes: u64,
        /// Peers used.
        peers: Vec<PeerId>,
    },
    /// Download progress (a few per second at most).
    DownloadGameFilesProgress(DownloadProgress),
    /// A download completed and `version.ini` was committed.
    DownloadGameFilesFinished {
        /// The game.
        id: GameId,
        /// Version downloaded.
        version: GameVersion,
        /// Bytes transferred in this run.
        bytes: u64,
        /// Wall time of this run.
        seconds: f64,
        /// Peers that delivered data.
        peers: Vec<PeerId>,
    },
    /// A download failed or was cancelled; verified chunks are kept (state paused).
    DownloadGameFilesFailed {
        /// The game.
        id: GameId,
        /// What went wrong.
        error: ErrorInfo,
    },
    /// An install (or update) started.
    InstallGameBegin {
        /// The game.
        id: GameId,
        /// Whether an existing install is being replaced.
        update: bool,
    },
    /// Install progress.
    InstallGameProgress {
        /// The game.
        id: GameId,
        /// Bytes extracted.
        bytes_done: u64,
        /// Bytes to extract.
        total_bytes: u64,
    },
    /// An install finished.
    InstallGameFinished {
        /// The game.
        id: GameId,
        /// Installed version.
        version: Option<GameVersion>,
        /// Files carried over from the previous install (user data).
        carried_over: Vec<String>,
    },
    /// An install failed; the previous state was kept.
    InstallGameFailed {
        /// The game.
        id: GameId,
        /// What went wrong.
        error: ErrorInfo,
    },
    /// An uninstall started.
    UninstallGameBegin {
        /// The game.
        id: GameId,
    },
    /// An uninstall finished.
    UninstallGameFinished {
        /// The game.
        id: GameId,
    },
    /// An uninstall failed.
    UninstallGameFailed {
        /// The game.
        id: GameId,
        /// What went wrong.
        error: ErrorInfo,
    },
    /// A game was deleted from this machine.
    GameDeleted {
        /// The game.
        id: GameId,
        /// Bytes freed.
        bytes: u64,
    },
    /// Deleting a game failed; what was not deleted yet stays.
    DeleteGameFailed {
        /// The game.
        id: GameId,
        /// What went wrong.
        error: ErrorInfo,
    },
    /// A peer was heard of, before any handshake (diagnostics, once per peer and address): an
    /// mDNS record, a peer-exchange hint, or a typed `--peer` address.
    PeerHeard {
        /// The id it claims (unknown for a typed address).
        peer_id: Option<PeerId>,
        /// The address heard.
        addr: String,
        /// `mdns`, `peer_exchange` or `typed`.
        via: String,
        /// The protocol version it announces (mDNS only).
        protocol_version: Option<u32>,
        /// The name it announces (mDNS only).
        name: Option<String>,
    },
    /// A verify started.
    VerifyGameBegin {
        /// The game.
        id: GameId,
        /// Its version.
        version: GameVersion,
        /// Bytes to read (payload and `local/`).
        total_bytes: u64,
    },
    /// Verify progress (a few per second at most).
    VerifyGameProgress {
        /// The game.
        id: GameId,
        /// Bytes read so far.
        bytes_done: u64,
        /// Bytes to read.
        total_bytes: u64,
    },
    /// A verify finished; the report says what is damaged.
    VerifyGameFinished {
        /// The game.
        id: GameId,
        /// Its version.
        version: GameVersion,
        /// What was found.
        report: VerifyReport,
    },
    /// A verify could not run to the end (no reference manifest, cancelled, unreadable).
    VerifyGameFailed {
        /// The game.
        id: GameId,
        /// Why.
        error: ErrorInfo,
    },
    /// The answer to [`PeerCommand::TestConnection`].
    ConnectionTested {
        /// The address tested.
        addr: String,
        /// Whether a lanspread peer answered and the handshake passed.
        reachable: bool,
        /// The peer that answered (its certificate proves the id).
        peer_id: Option<PeerId>,
        /// Its name, once the handshake passed.
        name: Option<String>,
        /// How long the test took, in milliseconds.
        millis: u64,
        /// The outcome in words, with what to do about a failure.
        message: String,
    },
    /// A handshake with a peer heard of failed (diagnostics): why we are not connected.
    HandshakeFailed {
        /// The id expected (unknown for a typed address).
        peer_id: Option<PeerId>,
        /// The address dialled.
        addr: String,
        /// Why, in words.
        reason: String,
    },
    /// A peer appeared (after a successful handshake).
    PeerDiscovered {
        /// The peer.
        peer: PeerInfo,
    },
    /// A peer disappeared (goodbye, or stopped answering).
    PeerLost {
        /// The peer.
        peer_id: PeerId,
        /// Its display name.
        name: String,
        /// Why it is considered gone.
        reason: String,
    },
    /// The number of live peers changed, or was asked for.
    PeerCountUpdated {
        /// Live peers.
        count: usize,
    },
    /// Every known peer (answer to ListPeers).
    Peers {
        /// The peers.
        peers: Vec<PeerInfo>,
    },
    /// Transfer counters (answer to GetStats).
    Stats {
        /// Payload bytes served to other peers since start.
        uploaded_bytes: u64,
    },
    /// A peer broke the rules (bad data, lying manifest) and is not used for that game.
    PeerMisbehaved {
        /// The peer.
        peer_id: PeerId,
        /// The game concerned, if any.
        game: Option<GameId>,
        /// What it did.
        reason: String,
    },
    /// Peers announcing the same version disagree about its content.
    ManifestDisagreement {
        /// The game.
        id: GameId,
        /// The version.
        version: GameVersion,
        /// Peers whose manifest is not used.
        outvoted: Vec<PeerId>,
        /// Plain-words summary.
        message: String,
    },
    /// The game directory changed.
    GameDirChanged {
        /// The new directory.
        path: PathBuf,
    },
    /// A game was started ([`PeerCommand::PlayGame`]).
    GameStarted {
        /// The game.
        id: GameId,
        /// The process (and process group) id.
        pid: u32,
        /// The program started.
        program: PathBuf,
    },
    /// A started game's last process exited.
    GameExited {
        /// The game.
        id: GameId,
        /// The first process's exit code, when it had one.
        code: Option<i32>,
    },
    /// Start-up recovery (before the first scan, and when the game directory changes) finished
    /// or rolled back a transaction that an earlier process left interrupted (a crash, a kill,
    /// a power cut), or could not.
    Recovered {
        /// The game's directory name (its catalog id when it is one).
        game: String,
        /// What was done, in words ("rolled back an interrupted install; the previous state is
        /// kept").
        actions: Vec<String>,
        /// Why recovery failed, if it did (the game is left as it was; another process may be
        /// working on it).
        error: Option<String>,
    },
    /// The runtime is listening and announcing itself.
    Ready {
        /// Our peer id.
        peer_id: PeerId,
        /// QUIC address we listen on.
        addr: String,
    },
    /// A command was refused or failed before it started.
    CommandFailed {
        /// The command's name.
        command: String,
        /// What went wrong.
        error: ErrorInfo,
    },
    /// A background component failed (it is restarted where possible).
    RuntimeFailed {
        /// Which component.
        component: String,
        /// What went wrong.
        error: ErrorInfo,
    },
    /// Every task stopped; no more events follow.
    ShutdownComplete,
}

impl PeerEvent {
    /// The snake_case name of the event.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ListGames { .. } => "list_games",
            Self::GotGameFiles { .. } => "got_game_files",
            Self::DownloadGameFilesBegin { .. } => "download_game_files_begin",
            Self::DownloadGameFilesProgress(_) => "download_game_files_progress",
            Self::DownloadGameFilesFinished { .. } => "download_game_files_finished",
            Self::DownloadGameFilesFailed { .. } => "download_game_files_failed",
            Self::InstallGameBegin { .. } => "install_game_begin",
            Self::InstallGameProgress { .. } => "install_game_progress",
            Self::InstallGameFinished { .. } => "install_game_finished",
            Self::InstallGameFailed { .. } => "install_game_failed",
            Self::UninstallGameBegin { .. } => "uninstall_game_begin",
            Self::UninstallGameFinished { .. } => "uninstall_game_finished",
            Self::UninstallGameFailed { .. } => "uninstall_game_failed",
            Self::GameDeleted { .. } => "game_deleted",
            Self::DeleteGameFailed { .. } => "delete_game_failed",
            Self::PeerDiscovered { .. } => "peer_discovered",
            Self::PeerLost { .. } => "peer_lost",
            Self::PeerCountUpdated { .. } => "peer_count_updated",
            Self::Peers { .. } => "peers",
            Self::Stats { .. } => "stats",
            Self::PeerMisbehaved { .. } => "peer_misbehaved",
            Self::ManifestDisagreement { .. } => "manifest_disagreement",
            Self::GameDirChanged { .. } => "game_dir_changed",
            Self::Recovered { .. } => "recovered",
            Self::GameStarted { .. } => "game_started",
            Self::PeerHeard { .. } => "peer_heard",
            Self::HandshakeFailed { .. } => "handshake_failed",
            Self::ConnectionTested { .. } => "connection_tested",
            Self::VerifyGameBegin { .. } => "verify_game_begin",
            Self::VerifyGameProgress { .. } => "verify_game_progress",
            Self::VerifyGameFinished { .. } => "verify_game_finished",
            Self::VerifyGameFailed { .. } => "verify_game_failed",
            Self::GameExited { .. } => "game_exited",
            Self::Ready { .. } => "ready",
            Self::CommandFailed { .. } => "command_failed",
            Self::RuntimeFailed { .. } => "runtime_failed",
            Self::ShutdownComplete => "shutdown_complete",
        }
    }
}
