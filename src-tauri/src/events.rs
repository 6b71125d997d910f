//! Typed payloads of every Tauri event and command result. The TypeScript types in
//! `ui/src/bindings/` are generated from these (`just bindings`; a test fails when stale).
//!
//! Events (name → payload):
//! `games-list-updated` → [`GamesList`]; `game-download-begin` → [`DownloadBegin`];
//! `game-download-progress` → [`ProgressView`]; `game-download-finished` →
//! [`DownloadFinished`]; `game-download-failed` / `game-install-failed` /
//! `game-uninstall-failed` → [`GameFailed`]; `game-install-begin` → [`InstallBegin`];
//! `game-install-progress` → [`ProgressView`]; `game-install-finished` → [`InstallFinished`];
//! `game-uninstall-begin` / `game-uninstall-finished` → [`GameRef`]; `peer-discovered` →
//! [`PeerView`]; `peer-lost` → [`PeerLost`]; `peer-count-updated` → [`PeerCount`];
//! `peers-updated` → [`PeersList`]; `settings-changed` → [`SettingsView`]; `notice` →
//! [`Notice`]; `connection-tested` → [`ConnectionTest`]; `game-verify-begin` → [`GameRef`];
//! `game-verify-progress` → [`ProgressView`]; `game-verify-finished` → [`VerifyResult`];
//! `game-verify-failed` → [`GameFailed`].

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::AppError;

/// Where a title stands on this machine (mirrors the runtime's states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
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
    /// Installed, and a newer version is downloaded: "Install update" needs no network.
    UpdateDownloaded,
    /// On disk, but no peer has it.
    LocalOnly,
}

impl From<lanspread_peer::GameState> for GameState {
    fn from(s: lanspread_peer::GameState) -> Self {
        use lanspread_peer::GameState as P;
        match s {
            P::RemoteOnly => Self::RemoteOnly,
            P::Downloading => Self::Downloading,
            P::Paused => Self::Paused,
            P::Downloaded => Self::Downloaded,
            P::Installed => Self::Installed,
            P::UpdateAvailable => Self::UpdateAvailable,
            P::UpdateDownloaded => Self::UpdateDownloaded,
            P::LocalOnly => Self::LocalOnly,
        }
    }
}

/// An operation running on a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
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
    /// Deleting the whole game.
    Deleting,
    /// Verifying the downloaded files and the install.
    Verifying,
}

impl From<lanspread_peer::Operation> for Operation {
    fn from(o: lanspread_peer::Operation) -> Self {
        use lanspread_peer::Operation as P;
        match o {
            P::Preparing => Self::Preparing,
            P::Downloading => Self::Downloading,
            P::Installing => Self::Installing,
            P::Uninstalling => Self::Uninstalling,
            P::Deleting => Self::Deleting,
            P::Verifying => Self::Verifying,
        }
    }
}

/// Progress of the download or install running on a title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProgressView {
    /// The game.
    pub id: String,
    /// Which operation.
    pub operation: Operation,
    /// Bytes done (downloads: verified, including bytes kept from before a pause).
    #[ts(type = "number")]
    pub bytes_done: u64,
    /// Bytes in total (0 while unknown).
    #[ts(type = "number")]
    pub total_bytes: u64,
    /// Current rate in bytes per second (0 while unknown).
    #[ts(type = "number")]
    pub rate_bps: u64,
    /// Estimated seconds left, when the rate is known.
    #[ts(type = "number | null")]
    pub eta_secs: Option<u64>,
    /// Peers delivering data (downloads).
    pub peers: u32,
    /// Their names (downloads), most bytes first.
    pub peer_names: Vec<String>,
}

/// One title as the library shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct GameView {
    /// Catalog id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// One or two sentences.
    pub description: String,
    /// Genre label.
    pub genre: String,
    /// Most players per match.
    pub max_players: u32,
    /// Original release year.
    pub release_year: u16,
    /// Art path relative to the catalog directory (served at `/<art>`).
    pub art: Option<String>,
    /// Size in bytes (latest version's, else local, else the catalog's estimate).
    #[ts(type = "number")]
    pub size_bytes: u64,
    /// Summary state.
    pub state: GameState,
    /// Running operation, if any.
    pub operation: Option<Operation>,
    /// Completely downloaded.
    pub downloaded: bool,
    /// Installed.
    pub installed: bool,
    /// Version on disk (the downloaded payload).
    pub local_version: Option<String>,
    /// The version the install holds (`"unknown"` for installs recorded before versions were).
    pub installed_version: Option<String>,
    /// The newest version that passes the trust rule (two hosts, a catalog pin, or the only
    /// choice).
    pub latest_version: Option<String>,
    /// Peers announcing the latest version.
    pub peer_count: u32,
    /// A newer version only one host offers: installed only by `install_unverified`.
    pub offered_version: Option<String>,
    /// Display names of the peers offering `offered_version`.
    pub offered_by: Vec<String>,
    /// The local copy was taken unverified (on request, from a single host).
    pub unverified: bool,
    /// Started from here and still running.
    pub running: bool,
    /// Verified bytes of a paused or running download.
    #[ts(type = "number | null")]
    pub downloaded_bytes: Option<u64>,
    /// Progress of the running download or install.
    pub progress: Option<ProgressView>,
    /// Waiting its turn in the download queue (1 = next), or `null`.
    pub queue_position: Option<u32>,
}

impl GameView {
    /// The view of a runtime entry, with the progress the app tracks for it.
    pub fn new(e: &lanspread_peer::GameEntry, progress: Option<ProgressView>) -> Self {
        Self {
            id: e.id.to_string(),
            name: e.name.clone(),
            description: e.description.clone(),
            genre: e.genre.clone(),
            max_players: e.max_players,
            release_year: e.release_year,
            art: e.art.clone(),
            size_bytes: e.size_bytes,
            state: e.state.into(),
            operation: e.operation.map(Into::into),
            downloaded: e.downloaded,
            installed: e.installed,
            local_version: e.local_version.as_ref().map(|v| v.as_str().to_string()),
            installed_version: e.installed_version.clone(),
            latest_version: e.latest_version.as_ref().map(|v| v.as_str().to_string()),
            peer_count: count(e.peer_count),
            offered_version: e.offered.as_ref().map(|o| o.version.as_str().to_string()),
            offered_by: e.offered.as_ref().map(|o| o.by.clone()).unwrap_or_default(),
            unverified: e.unverified,
            running: e.running,
            downloaded_bytes: e.downloaded_bytes,
            // Progress belongs to a running operation; the list can report the end of an
            // operation before its finished event arrives.
            progress: progress.filter(|_| e.operation.is_some()),
            queue_position: None,
        }
    }
}

pub(crate) fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A game a peer shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SharedGame {
    /// Catalog id.
    pub id: String,
    /// Display name (the id when the catalog does not know it).
    pub name: String,
    /// Version it holds.
    pub version: Option<String>,
}

/// A peer on the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PeerView {
    /// Peer id (hex certificate fingerprint).
    pub peer_id: String,
    /// Short form of the id for display.
    pub short_id: String,
    /// Display name.
    pub name: String,
    /// Address we talk to.
    pub addr: String,
    /// Games it holds completely.
    pub games: Vec<SharedGame>,
}

/// Whether the game directory can be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DirStatus {
    /// The directory.
    pub path: String,
    /// It is the default directory (the player never chose one).
    pub is_default: bool,
    /// What is wrong with it, if anything (`kind` is `game_dir`).
    pub problem: Option<AppError>,
}

/// State of the network peer inside the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RuntimeStatus {
    /// Starting up.
    Starting,
    /// Running: listening and announcing itself.
    Running {
        /// Our peer id (hex).
        peer_id: String,
        /// QUIC address we listen on.
        addr: String,
    },
    /// Not running because the game directory is not usable (see [`DirStatus`]).
    NoGameDir,
    /// Not running because it failed to start.
    Failed {
        /// Why.
        error: AppError,
    },
}

/// Everything the settings panel and the header show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettingsView {
    /// The game directory and whether it is usable.
    pub game_dir: DirStatus,
    /// The directory used when none was chosen.
    pub default_game_dir: String,
    /// The catalog file in use, or `null` for the bundled catalog.
    pub catalog_path: Option<String>,
    /// Titles in the catalog in use.
    pub catalog_size: u32,
    /// The catalog's name (an organiser's catalog names itself), if it has one.
    pub catalog_name: Option<String>,
    /// Titles whose versions the catalog pins (their manifests cannot be outvoted).
    pub pinned_titles: u32,
    /// Display name other peers see.
    pub peer_name: String,
    /// Install right after a download finishes.
    pub auto_install: bool,
    /// Closing the window keeps sharing from the tray.
    pub keep_sharing: bool,
    /// Upload cap in Mbit/s (`null`: none).
    pub upload_limit_mbit: Option<u32>,
    /// Download cap in Mbit/s (`null`: none).
    pub download_limit_mbit: Option<u32>,
    /// Sharing is paused (tray menu): other peers get no game data from here.
    pub sharing_paused: bool,
    /// Addresses the player added ("Add a peer by address"), as typed (`HOST:PORT`).
    pub known_peers: Vec<String>,
    /// This machine's addresses others can type (`IP:PORT`), best first.
    pub own_addresses: Vec<String>,
    /// The network peer.
    pub runtime: RuntimeStatus,
    /// Where the settings are saved.
    pub config_file: String,
}

/// Settings the player can change (besides the game directory). `null` fields stay as they
/// are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettingsUpdate {
    /// New display name (empty: the host name).
    #[ts(optional)]
    pub peer_name: Option<String>,
    /// New catalog file (empty: back to the bundled catalog).
    #[ts(optional)]
    pub catalog_path: Option<String>,
    /// Install right after a download finishes.
    #[ts(optional)]
    pub auto_install: Option<bool>,
    /// Closing the window keeps sharing from the tray.
    #[ts(optional)]
    pub keep_sharing: Option<bool>,
    /// Upload cap in Mbit/s (0: none). Applies at once, without a restart.
    #[ts(optional)]
    pub upload_limit_mbit: Option<u32>,
    /// Download cap in Mbit/s (0: none). Applies at once, without a restart.
    #[ts(optional)]
    pub download_limit_mbit: Option<u32>,
}

/// Payload of `games-list-updated` and result of `request_games`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct GamesList {
    /// Every title known locally or remotely, sorted by name.
    pub games: Vec<GameView>,
    /// Live peers.
    pub peer_count: u32,
    /// Free bytes where games are stored (`null` while unknown).
    #[ts(type = "number | null")]
    pub free_bytes: Option<u64>,
}

/// Payload of `game-download-begin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DownloadBegin {
    /// The game.
    pub id: String,
    /// Version being downloaded.
    pub version: String,
    /// Payload bytes.
    #[ts(type = "number")]
    pub total_bytes: u64,
    /// Bytes already verified on disk (resume).
    #[ts(type = "number")]
    pub verified_bytes: u64,
    /// Peers used.
    pub peers: u32,
}

/// Payload of `game-download-finished`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DownloadFinished {
    /// The game.
    pub id: String,
    /// Version downloaded.
    pub version: String,
    /// Bytes transferred in this run.
    #[ts(type = "number")]
    pub bytes: u64,
    /// Wall time of this run.
    pub seconds: f64,
    /// Peers that delivered data.
    pub peers: u32,
}

/// Payload of the `*-failed` events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GameFailed {
    /// The game.
    pub id: String,
    /// What went wrong (`cancelled` when the player cancelled).
    pub error: AppError,
}

/// Payload of `game-install-begin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InstallBegin {
    /// The game.
    pub id: String,
    /// An existing install is being replaced.
    pub update: bool,
}

/// Payload of `game-install-finished`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InstallFinished {
    /// The game.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Installed version.
    pub version: Option<String>,
}

/// Payload naming just a game (`game-uninstall-begin`, `game-uninstall-finished`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GameRef {
    /// The game.
    pub id: String,
}

/// Payload of `peer-lost`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PeerLost {
    /// Peer id (hex).
    pub peer_id: String,
    /// Its display name.
    pub name: String,
    /// Why it is considered gone.
    pub reason: String,
}

/// Payload of `peer-count-updated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PeerCount {
    /// Live peers.
    pub count: u32,
}

/// Payload of `peers-updated` and result of `list_peers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PeersList {
    /// Every known peer, sorted by name.
    pub peers: Vec<PeerView>,
    /// Peers heard of (mDNS, beacon, exchange, a typed address) but not connected, with why:
    /// the Peers panel's "Can't see someone?".
    pub unreachable: Vec<UnreachableView>,
}

/// A peer heard of but not connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UnreachableView {
    /// The address heard.
    pub addr: String,
    /// The name it announced, if any.
    pub name: Option<String>,
    /// How it was heard: `mdns`, `beacon`, `peer_exchange` or `typed`.
    pub via: String,
    /// Why there is no connection, in words.
    pub reason: String,
}

/// Payload of `game-verify-finished`: what Verify found, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VerifyResult {
    /// The game.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Nothing damaged or missing (files the player changed do not count).
    pub ok: bool,
    /// The outcome in one sentence.
    pub summary: String,
    /// Damaged or missing files (downloaded files first, then installed ones).
    pub damaged: Vec<String>,
    /// Installed files the player changed since the install: listed, never touched.
    pub changed_by_player: Vec<String>,
}

/// Payload of `connection-tested`: the answer to "Test" in the Peers panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectionTest {
    /// The address tested (`IP:PORT`).
    pub addr: String,
    /// Whether a lanspread peer answered and the handshake passed.
    pub reachable: bool,
    /// The name of the peer that answered.
    pub name: Option<String>,
    /// How long the test took, in milliseconds.
    #[ts(type = "number")]
    pub millis: u64,
    /// The outcome in words, with what to do about a failure.
    pub message: String,
}

/// How serious a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NoticeLevel {
    /// For information.
    Info,
    /// Something went wrong but things continue.
    Warning,
    /// Something failed.
    Error,
}

/// Payload of `notice`: something the player should know that is not tied to a button
/// press (a misbehaving peer, a background failure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Notice {
    /// How serious.
    pub level: NoticeLevel,
    /// Plain words.
    pub message: String,
}

/// Every event the backend emits, as `{event, payload}`: the TypeScript side gets one
/// discriminated union to type its listeners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "event", content = "payload")]
pub enum UiEvent {
    /// The library changed.
    #[serde(rename = "games-list-updated")]
    GamesListUpdated(GamesList),
    /// A download started.
    #[serde(rename = "game-download-begin")]
    DownloadBegin(DownloadBegin),
    /// Download progress (a few per second at most).
    #[serde(rename = "game-download-progress")]
    DownloadProgress(ProgressView),
    /// A download completed.
    #[serde(rename = "game-download-finished")]
    DownloadFinished(DownloadFinished),
    /// A download failed or was cancelled (verified data is kept: the game is paused).
    #[serde(rename = "game-download-failed")]
    DownloadFailed(GameFailed),
    /// An install started.
    #[serde(rename = "game-install-begin")]
    InstallBegin(InstallBegin),
    /// Install progress.
    #[serde(rename = "game-install-progress")]
    InstallProgress(ProgressView),
    /// An install finished.
    #[serde(rename = "game-install-finished")]
    InstallFinished(InstallFinished),
    /// An install failed; the previous state was kept.
    #[serde(rename = "game-install-failed")]
    InstallFailed(GameFailed),
    /// An uninstall started.
    #[serde(rename = "game-uninstall-begin")]
    UninstallBegin(GameRef),
    /// An uninstall finished.
    #[serde(rename = "game-uninstall-finished")]
    UninstallFinished(GameRef),
    /// An uninstall failed.
    #[serde(rename = "game-uninstall-failed")]
    UninstallFailed(GameFailed),
    /// A peer appeared.
    #[serde(rename = "peer-discovered")]
    PeerDiscovered(PeerView),
    /// A peer disappeared.
    #[serde(rename = "peer-lost")]
    PeerLost(PeerLost),
    /// The number of live peers changed.
    #[serde(rename = "peer-count-updated")]
    PeerCountUpdated(PeerCount),
    /// The full list of peers.
    #[serde(rename = "peers-updated")]
    PeersUpdated(PeersList),
    /// Settings or the runtime status changed.
    #[serde(rename = "settings-changed")]
    SettingsChanged(SettingsView),
    /// Something the player should know.
    #[serde(rename = "notice")]
    Notice(Notice),
    /// A game was deleted from this machine.
    #[serde(rename = "game-deleted")]
    GameDeleted(GameRef),
    /// Deleting a game failed.
    #[serde(rename = "game-delete-failed")]
    DeleteFailed(GameFailed),
    /// Quit was chosen (tray) while something runs: the window asks first.
    #[serde(rename = "quit-requested")]
    QuitRequested(QuitRequest),
    /// Transfer totals, about once a second while the peer runs.
    #[serde(rename = "transfer-totals")]
    TransferTotals(TransferTotals),
    /// A connection test finished.
    #[serde(rename = "connection-tested")]
    ConnectionTested(ConnectionTest),
    /// A verify started.
    #[serde(rename = "game-verify-begin")]
    VerifyBegin(GameRef),
    /// Verify progress.
    #[serde(rename = "game-verify-progress")]
    VerifyProgress(ProgressView),
    /// A verify finished (whether or not it found damage).
    #[serde(rename = "game-verify-finished")]
    VerifyFinished(VerifyResult),
    /// A verify could not run to the end.
    #[serde(rename = "game-verify-failed")]
    VerifyFailed(GameFailed),
}

/// Payload of `transfer-totals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TransferTotals {
    /// Bytes per second received by running downloads.
    #[ts(type = "number")]
    pub down_bps: u64,
    /// Bytes per second sent to other peers.
    #[ts(type = "number")]
    pub up_bps: u64,
    /// Bytes sent to other peers since the peer started.
    #[ts(type = "number")]
    pub uploaded_bytes: u64,
}

/// Payload of `quit-requested`: what would be interrupted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuitRequest {
    /// Names of the games with a download or install running.
    pub busy: Vec<String>,
}

impl UiEvent {
    /// The Tauri event name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::GamesListUpdated(_) => "games-list-updated",
            Self::DownloadBegin(_) => "game-download-begin",
            Self::DownloadProgress(_) => "game-download-progress",
            Self::DownloadFinished(_) => "game-download-finished",
            Self::DownloadFailed(_) => "game-download-failed",
            Self::InstallBegin(_) => "game-install-begin",
            Self::InstallProgress(_) => "game-install-progress",
            Self::InstallFinished(_) => "game-install-finished",
            Self::InstallFailed(_) => "game-install-failed",
            Self::UninstallBegin(_) => "game-uninstall-begin",
            Self::UninstallFinished(_) => "game-uninstall-finished",
            Self::UninstallFailed(_) => "game-uninstall-failed",
            Self::PeerDiscovered(_) => "peer-discovered",
            Self::PeerLost(_) => "peer-lost",
            Self::PeerCountUpdated(_) => "peer-count-updated",
            Self::PeersUpdated(_) => "peers-updated",
            Self::SettingsChanged(_) => "settings-changed",
            Self::Notice(_) => "notice",
            Self::GameDeleted(_) => "game-deleted",
            Self::DeleteFailed(_) => "game-delete-failed",
            Self::QuitRequested(_) => "quit-requested",
            Self::TransferTotals(_) => "transfer-totals",
            Self::ConnectionTested(_) => "connection-tested",
            Self::VerifyBegin(_) => "game-verify-begin",
            Self::VerifyProgress(_) => "game-verify-progress",
            Self::VerifyFinished(_) => "game-verify-finished",
            Self::VerifyFailed(_) => "game-verify-failed",
        }
    }

    /// The payload as JSON (what the Tauri event carries).
    pub fn payload(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut m)) => m.remove("payload").unwrap_or(serde_json::Value::Null),
            _ => serde_json::Value::Null,
        }
    }
}

/// Delivers [`UiEvent`]s: the Tauri app handle in the app, a recorder in tests.
pub trait EventSink: Send + Sync + 'static {
    /// Delivers one event.
    fn emit(&self, event: &UiEvent);
}

impl<R: tauri::Runtime> EventSink for tauri::AppHandle<R> {
    fn emit(&self, event: &UiEvent) {
        if let Err(e) = tauri::Emitter::emit(self, event.name(), event.payload()) {
            tracing::warn!(event = event.name(), error = %e, "could not emit an event to the window");
        }
        if let UiEvent::InstallFinished(f) = event {
            crate::desktop::notify_ready(self, &f.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_match_their_serialized_tag() {
        let events = [
            UiEvent::GamesListUpdated(GamesList { games: vec![], peer_count: 0, free_bytes: None }),
            UiEvent::GameDeleted(GameRef { id: "q".into() }),
            UiEvent::QuitRequested(QuitRequest { busy: vec![] }),
            UiEvent::UninstallBegin(GameRef { id: "quake3".into() }),
            UiEvent::PeerCountUpdated(PeerCount { count: 2 }),
            UiEvent::Notice(Notice { level: NoticeLevel::Info, message: "hi".into() }),
        ];
        for ev in events {
            let v = serde_json::to_value(&ev).unwrap();
            assert_eq!(v["event"], ev.name());
            assert_eq!(v["payload"], ev.payload());
        }
        let ev = UiEvent::PeerCountUpdated(PeerCount { count: 2 });
        assert_eq!(ev.payload(), serde_json::json!({"count": 2}));
    }

    #[test]
    fn runtime_states_keep_their_names() {
        use lanspread_peer::GameState as P;
        for s in [
            P::RemoteOnly,
            P::Downloading,
            P::Paused,
            P::Downloaded,
            P::Installed,
            P::UpdateAvailable,
            P::LocalOnly,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::to_value(GameState::from(s)).unwrap());
        }
    }
}
