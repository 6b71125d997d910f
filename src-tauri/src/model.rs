//! The app's view of the runtime, fed by [`lanspread_peer::PeerEvent`]s: the aggregated
//! library, per-game operation progress and the peers. [`AppModel::apply`] turns one runtime
//! event into the Tauri events of the app contract (docs/desktop-app.md), with no I/O, so the mapping is tested directly.
//!
//! Invariants:
//! - `progress` holds an entry exactly while a download or install/uninstall of that game has
//!   begun and not yet finished or failed (per the runtime's begin/finished/failed events);
//! - every `games-list-updated` carries each game's current progress;
//! - events of a runtime that was replaced are dropped by the caller (generation check), so
//!   the model only ever reflects the running runtime.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::Arc,
    time::Instant,
};

use lanspread_peer::{GameEntry, PeerEvent, PeerInfo, peer_db::PeerRecord};
use lanspread_proto::Catalog;

use crate::events::{
    DownloadBegin, DownloadFinished, GameFailed, GameRef, GameView, GamesList, InstallBegin, InstallFinished,
    Notice, NoticeLevel, Operation, PeerCount, PeerLost, PeerView, PeersList, ProgressView, SharedGame,
    TransferTotals, UiEvent, count,
};

/// What the app knows about the running peer.
#[derive(Debug)]
pub struct AppModel {
    catalog: Arc<Catalog>,
    games: Vec<GameEntry>,
    progress: HashMap<String, ProgressView>,
    peers: BTreeMap<String, PeerView>,
    peer_count: usize,
    /// Downloads waiting their turn, in order (the app's policy: one at a time).
    queue: Vec<String>,
    /// Downloads the app asked for that the runtime has not shown as running yet.
    starting: HashSet<String>,
    /// The last upload counter and when it was read (for the upload rate).
    uploaded: Option<(u64, Instant)>,
    /// Peers heard of by address (diagnostics; at most [`MAX_HEARD`]).
    heard: BTreeMap<String, Heard>,
}

/// Addresses remembered for "Can't see someone?".
const MAX_HEARD: usize = 64;

/// A peer heard of at an address, and what became of it.
#[derive(Debug, Clone)]
struct Heard {
    peer_id: Option<String>,
    name: Option<String>,
    via: String,
    protocol_version: Option<u32>,
    failure: Option<String>,
}

impl AppModel {
    /// An empty model for a runtime using `catalog`.
    pub fn new(catalog: Arc<Catalog>) -> Self {
        Self {
            catalog,
            games: Vec::new(),
            progress: HashMap::new(),
            peers: BTreeMap::new(),
            peer_count: 0,
            queue: Vec::new(),
            starting: HashSet::new(),
            uploaded: None,
            heard: BTreeMap::new(),
        }
    }

    /// Peers heard of but not connected, with the reason in words.
    pub fn unreachable(&self) -> Vec<crate::events::UnreachableView> {
        let connected: HashSet<&str> = self.peers.values().map(|p| p.addr.as_str()).collect();
        self.heard
            .iter()
            .filter(|(addr, h)| {
                !connected.contains(addr.as_str())
                    && !h.peer_id.as_ref().is_some_and(|id| self.peers.contains_key(id))
            })
            .map(|(addr, h)| {
                let ours = lanspread_proto::PROTOCOL_VERSION;
                let reason = match (h.protocol_version, &h.failure) {
                    (Some(v), _) if v != ours => format!(
                        "it runs another lanspread (protocol {v}; this one speaks {ours}): update lanspread on one of the two machines"
                    ),
                    (_, Some(f)) => format!("could not connect: {f}; a firewall on that machine may block lanspread"),
                    _ => "heard of, not connected yet".to_string(),
                };
                crate::events::UnreachableView { addr: addr.clone(), name: h.name.clone(), via: h.via.clone(), reason }
            })
            .collect()
    }

    /// Downloads running or being started (preparing counts).
    pub fn active_downloads(&self) -> usize {
        let running = self
            .games
            .iter()
            .filter(|g| {
                matches!(
                    g.operation,
                    Some(lanspread_peer::Operation::Preparing | lanspread_peer::Operation::Downloading)
                )
            })
            .map(|g| g.id.as_str());
        running.chain(self.starting.iter().map(String::as_str)).collect::<HashSet<_>>().len()
    }

    /// Puts `id` at the end of the download queue (once).
    pub fn enqueue(&mut self, id: &str) {
        if !self.queue.iter().any(|q| q == id) {
            self.queue.push(id.to_string());
        }
    }

    /// Takes `id` out of the queue; whether it was queued.
    pub fn dequeue(&mut self, id: &str) -> bool {
        let before = self.queue.len();
        self.queue.retain(|q| q != id);
        before != self.queue.len()
    }

    /// Moves a queued download one place earlier (`up`) or later; whether it moved.
    pub fn move_queued(&mut self, id: &str, up: bool) -> bool {
        let Some(i) = self.queue.iter().position(|q| q == id) else { return false };
        let j = if up { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < self.queue.len()) };
        let Some(j) = j else { return false };
        self.queue.swap(i, j);
        true
    }

    /// The queue, in order.
    pub fn queue(&self) -> &[String] {
        &self.queue
    }

    /// Notes that the app asked the runtime to download `id`.
    pub fn mark_starting(&mut self, id: &str) {
        self.starting.insert(id.to_string());
    }

    /// The app's request for `id` ended (refused or seen running).
    pub fn clear_starting(&mut self, id: &str) {
        self.starting.remove(id);
    }

    /// The next queued download to start, when none runs: taken off the queue and marked
    /// starting.
    pub fn next_to_start(&mut self) -> Option<String> {
        if self.active_downloads() > 0 || self.queue.is_empty() {
            return None;
        }
        let id = self.queue.remove(0);
        self.starting.insert(id.clone());
        Some(id)
    }

    /// The catalog in use.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// The library as the UI shows it.
    pub fn games_list(&self) -> GamesList {
        GamesList {
            games: self
                .games
                .iter()
                .map(|g| {
                    let mut v = GameView::new(g, self.progress.get(g.id.as_str()).cloned());
                    v.queue_position =
                        self.queue.iter().position(|q| q == g.id.as_str()).map(|i| count(i + 1));
                    v
                })
                .collect(),
            peer_count: count(self.peer_count),
            free_bytes: None,
        }
    }

    /// The runtime's entry for a game.
    pub fn game(&self, id: &str) -> Option<&GameEntry> {
        self.games.iter().find(|g| g.id.as_str() == id)
    }

    /// The peers seen through events, sorted by name.
    pub fn peers(&self) -> PeersList {
        let mut peers: Vec<PeerView> = self.peers.values().cloned().collect();
        peers.sort_by(|a, b| a.name.cmp(&b.name).then(a.peer_id.cmp(&b.peer_id)));
        PeersList { peers, unreachable: self.unreachable() }
    }

    /// Applies one runtime event and returns the UI events it causes.
    pub fn apply(&mut self, ev: &PeerEvent) -> Vec<UiEvent> {
        match ev {
            PeerEvent::ListGames { games } => {
                self.games = games.clone();
                // A requested download the runtime now shows (or that ended) is no longer
                // "starting".
                for g in games.iter().filter(|g| g.operation.is_some()) {
                    self.starting.remove(g.id.as_str());
                }
                vec![UiEvent::GamesListUpdated(self.games_list())]
            }
            PeerEvent::DownloadGameFilesBegin { id, version, total_bytes, verified_bytes, peers } => {
                self.starting.remove(id.as_str());
                let p = ProgressView {
                    id: id.to_string(),
                    operation: Operation::Downloading,
                    bytes_done: *verified_bytes,
                    total_bytes: *total_bytes,
                    rate_bps: 0,
                    eta_secs: None,
                    peers: count(peers.len()),
                    peer_names: Vec::new(),
                };
                self.progress.insert(id.to_string(), p);
                vec![UiEvent::DownloadBegin(DownloadBegin {
                    id: id.to_string(),
                    version: version.as_str().to_string(),
                    total_bytes: *total_bytes,
                    verified_bytes: *verified_bytes,
                    peers: count(peers.len()),
                })]
            }
            PeerEvent::DownloadGameFilesProgress(d) => {
                let p = ProgressView {
                    id: d.id.to_string(),
                    operation: Operation::Downloading,
                    bytes_done: d.bytes_done,
                    total_bytes: d.total_bytes,
                    rate_bps: d.rate_bps,
                    eta_secs: d.eta_secs,
                    peers: count(d.peers.len()),
                    peer_names: self.names_by_bytes(&d.peers),
                };
                self.progress.insert(d.id.to_string(), p.clone());
                vec![UiEvent::DownloadProgress(p)]
            }
            PeerEvent::DownloadGameFilesFinished { id, version, bytes, seconds, peers } => {
                self.progress.remove(id.as_str());
                self.starting.remove(id.as_str());
                vec![UiEvent::DownloadFinished(DownloadFinished {
                    id: id.to_string(),
                    version: version.as_str().to_string(),
                    bytes: *bytes,
                    seconds: *seconds,
                    peers: count(peers.len()),
                })]
            }
            PeerEvent::DownloadGameFilesFailed { id, error } => {
                self.progress.remove(id.as_str());
                self.starting.remove(id.as_str());
                vec![UiEvent::DownloadFailed(GameFailed { id: id.to_string(), error: error.into() })]
            }
            PeerEvent::InstallGameBegin { id, update } => {
                self.progress.insert(id.to_string(), op_progress(id.as_str(), Operation::Installing));
                vec![UiEvent::InstallBegin(InstallBegin { id: id.to_string(), update: *update })]
            }
            PeerEvent::InstallGameProgress { id, bytes_done, total_bytes } => {
                let mut p = op_progress(id.as_str(), Operation::Installing);
                p.bytes_done = *bytes_done;
                p.total_bytes = *total_bytes;
                self.progress.insert(id.to_string(), p.clone());
                vec![UiEvent::InstallProgress(p)]
            }
            PeerEvent::InstallGameFinished { id, version, .. } => {
                self.progress.remove(id.as_str());
                vec![UiEvent::InstallFinished(InstallFinished {
                    id: id.to_string(),
                    name: self.display_name(id.as_str()),
                    version: version.as_ref().map(|v| v.as_str().to_string()),
                })]
            }
            PeerEvent::InstallGameFailed { id, error } => {
                self.progress.remove(id.as_str());
                vec![UiEvent::InstallFailed(GameFailed { id: id.to_string(), error: error.into() })]
            }
            PeerEvent::VerifyGameBegin { id, total_bytes, .. } => {
                let mut p = op_progress(id.as_str(), Operation::Verifying);
                p.total_bytes = *total_bytes;
                self.progress.insert(id.to_string(), p);
                vec![UiEvent::VerifyBegin(GameRef { id: id.to_string() })]
            }
            PeerEvent::VerifyGameProgress { id, bytes_done, total_bytes } => {
                let mut p = op_progress(id.as_str(), Operation::Verifying);
                p.bytes_done = *bytes_done;
                p.total_bytes = *total_bytes;
                self.progress.insert(id.to_string(), p.clone());
                vec![UiEvent::VerifyProgress(p)]
            }
            PeerEvent::VerifyGameFinished { id, report, .. } => {
                self.progress.remove(id.as_str());
                vec![UiEvent::VerifyFinished(verify_result(
                    id.as_str(),
                    &self.display_name(id.as_str()),
                    report,
                ))]
            }
            PeerEvent::VerifyGameFailed { id, error } => {
                self.progress.remove(id.as_str());
                vec![UiEvent::VerifyFailed(GameFailed { id: id.to_string(), error: error.into() })]
            }
            PeerEvent::UninstallGameBegin { id } => {
                self.progress.insert(id.to_string(), op_progress(id.as_str(), Operation::Uninstalling));
                vec![UiEvent::UninstallBegin(GameRef { id: id.to_string() })]
            }
            PeerEvent::UninstallGameFinished { id } => {
                self.progress.remove(id.as_str());
                vec![UiEvent::UninstallFinished(GameRef { id: id.to_string() })]
            }
            PeerEvent::UninstallGameFailed { id, error } => {
                self.progress.remove(id.as_str());
                vec![UiEvent::UninstallFailed(GameFailed { id: id.to_string(), error: error.into() })]
            }
            PeerEvent::Stats { uploaded_bytes } => {
                let now = Instant::now();
                let up_bps = match self.uploaded {
                    Some((before, at)) if now > at => {
                        let secs = now.duration_since(at).as_secs_f64();
                        (uploaded_bytes.saturating_sub(before) as f64 / secs) as u64
                    }
                    _ => 0,
                };
                self.uploaded = Some((*uploaded_bytes, now));
                let down_bps = self
                    .progress
                    .values()
                    .filter(|p| p.operation == Operation::Downloading)
                    .map(|p| p.rate_bps)
                    .sum();
                vec![UiEvent::TransferTotals(TransferTotals {
                    down_bps,
                    up_bps,
                    uploaded_bytes: *uploaded_bytes,
                })]
            }
            PeerEvent::PeerHeard { peer_id, addr, via, protocol_version, name } => {
                if self.heard.len() < MAX_HEARD || self.heard.contains_key(addr) {
                    let h = self.heard.entry(addr.clone()).or_insert_with(|| Heard {
                        peer_id: None,
                        name: None,
                        via: via.clone(),
                        protocol_version: None,
                        failure: None,
                    });
                    h.peer_id = peer_id.map(|p| p.to_hex()).or(h.peer_id.take());
                    h.name = name.clone().or(h.name.take());
                    h.protocol_version = protocol_version.or(h.protocol_version);
                }
                Vec::new()
            }
            PeerEvent::ConnectionTested { addr, reachable, name, millis, message, .. } => {
                vec![UiEvent::ConnectionTested(crate::events::ConnectionTest {
                    addr: addr.clone(),
                    reachable: *reachable,
                    name: name.clone(),
                    millis: *millis,
                    message: message.clone(),
                })]
            }
            PeerEvent::HandshakeFailed { addr, reason, .. } => {
                if let Some(h) = self.heard.get_mut(addr) {
                    h.failure = Some(reason.clone());
                }
                Vec::new()
            }
            PeerEvent::GameDeleted { id, .. } => {
                self.progress.remove(id.as_str());
                vec![UiEvent::GameDeleted(GameRef { id: id.to_string() })]
            }
            PeerEvent::DeleteGameFailed { id, error } => {
                self.progress.remove(id.as_str());
                vec![UiEvent::DeleteFailed(GameFailed { id: id.to_string(), error: error.into() })]
            }
            PeerEvent::PeerDiscovered { peer } => {
                let view = peer_view_from_info(peer, &self.catalog);
                self.peers.insert(view.peer_id.clone(), view.clone());
                vec![UiEvent::PeerDiscovered(view)]
            }
            PeerEvent::PeerLost { peer_id, name, reason } => {
                self.peers.remove(&peer_id.to_hex());
                vec![UiEvent::PeerLost(PeerLost {
                    peer_id: peer_id.to_hex(),
                    name: name.clone(),
                    reason: reason.clone(),
                })]
            }
            PeerEvent::PeerCountUpdated { count: n } => {
                self.peer_count = *n;
                vec![UiEvent::PeerCountUpdated(PeerCount { count: count(*n) })]
            }
            PeerEvent::Peers { peers } => {
                self.peers = peers
                    .iter()
                    .map(|p| {
                        let v = peer_view_from_info(p, &self.catalog);
                        (v.peer_id.clone(), v)
                    })
                    .collect();
                vec![UiEvent::PeersUpdated(self.peers())]
            }
            PeerEvent::PeerMisbehaved { peer_id, game, reason } => {
                let name =
                    self.peers.get(&peer_id.to_hex()).map_or_else(|| peer_id.short(), |p| p.name.clone());
                let about =
                    game.as_ref().map(|g| format!(" while sending {}", self.display_name(g.as_str())));
                vec![notice(
                    NoticeLevel::Warning,
                    format!(
                        "peer {name} sent bad data{} ({reason}); it is no longer used for that game",
                        about.unwrap_or_default()
                    ),
                )]
            }
            PeerEvent::ManifestDisagreement { message, .. } => {
                vec![notice(NoticeLevel::Warning, message.clone())]
            }
            PeerEvent::Recovered { game, actions, error } => {
                let name = self.display_name(game);
                match error {
                    None => vec![notice(NoticeLevel::Info, format!("{name}: {}", actions.join("; ")))],
                    Some(e) => {
                        vec![notice(NoticeLevel::Warning, format!("{name}: start-up recovery failed: {e}"))]
                    }
                }
            }
            PeerEvent::RuntimeFailed { component, error } => vec![notice(
                NoticeLevel::Error,
                format!("the network peer's {component} failed: {}", error.message),
            )],
            // Commands are sent with `command()`, whose reply already carries any refusal to
            // the caller; repeating it as a notice would show it twice.
            PeerEvent::CommandFailed { .. }
            | PeerEvent::GameStarted { .. }
            | PeerEvent::GameExited { .. }
            | PeerEvent::GotGameFiles { .. }
            | PeerEvent::GameDirChanged { .. }
            | PeerEvent::Ready { .. }
            | PeerEvent::ShutdownComplete => Vec::new(),
            _ => Vec::new(),
        }
    }

    /// Names of the peers a download gets data from, most bytes first.
    fn names_by_bytes(&self, peers: &[lanspread_peer::PeerTransfer]) -> Vec<String> {
        let mut by: Vec<&lanspread_peer::PeerTransfer> = peers.iter().collect();
        by.sort_by_key(|t| std::cmp::Reverse(t.bytes));
        by.iter()
            .map(|t| {
                let hex = t.peer_id.to_hex();
                self.peers.get(&hex).map_or_else(|| t.peer_id.short(), |p| p.name.clone())
            })
            .collect()
    }

    fn display_name(&self, id: &str) -> String {
        self.catalog.get_str(id).map_or_else(|| id.to_string(), |e| e.name.clone())
    }
}

fn op_progress(id: &str, operation: Operation) -> ProgressView {
    ProgressView {
        id: id.to_string(),
        operation,
        bytes_done: 0,
        total_bytes: 0,
        rate_bps: 0,
        eta_secs: None,
        peers: 0,
        peer_names: Vec::new(),
    }
}

fn notice(level: NoticeLevel, message: String) -> UiEvent {
    UiEvent::Notice(Notice { level, message })
}

fn shared_game(catalog: &Catalog, id: &str, version: Option<String>) -> SharedGame {
    SharedGame {
        id: id.to_string(),
        name: catalog.get_str(id).map_or_else(|| id.to_string(), |e| e.name.clone()),
        version,
    }
}

/// The view of a peer from a runtime event.
pub fn peer_view_from_info(p: &PeerInfo, catalog: &Catalog) -> PeerView {
    PeerView {
        peer_id: p.peer_id.to_hex(),
        short_id: p.peer_id.short(),
        name: p.name.clone(),
        addr: p.addr.clone(),
        games: p.games.iter().map(|g| shared_game(catalog, g.as_str(), None)).collect(),
    }
}

/// The view of a peer from the shared peer database (includes versions).
pub fn peer_view_from_record(r: &PeerRecord, catalog: &Catalog) -> PeerView {
    PeerView {
        peer_id: r.id.to_hex(),
        short_id: r.id.short(),
        name: r.name.clone(),
        addr: r.addr.to_string(),
        games: r
            .games
            .values()
            .map(|g| shared_game(catalog, g.id.as_str(), Some(g.version.as_str().to_string())))
            .collect(),
    }
}

#[cfg(test)]
mod tests;

/// What Verify found, in words for the window.
fn verify_result(id: &str, name: &str, r: &lanspread_peer::VerifyReport) -> crate::events::VerifyResult {
    let mut damaged: Vec<String> = r.damaged_payload.iter().map(|d| d.path.clone()).collect();
    damaged.extend(r.local.damaged.iter().map(|p| format!("local/{p}")));
    damaged.extend(r.local.missing.iter().map(|p| format!("local/{p} (missing)")));
    let summary = if let (true, Some(done)) = (r.ok, &r.repair) {
        format!(
            "{name} is repaired: {} fetched again, {} file(s) extracted again; every file checked.",
            human_bytes(done.fetched_bytes),
            done.reextracted.len()
        )
    } else if r.ok {
        let kept = r.local.changed_by_player.len();
        if kept == 0 {
            format!("{name}: every file checked, nothing damaged.")
        } else {
            format!(
                "{name}: every file checked, nothing damaged; {kept} file(s) you changed are yours to keep."
            )
        }
    } else if let Some(why) = &r.local.skipped {
        format!("{name}: {} downloaded file(s) damaged; {why}.", r.damaged_payload.len())
    } else {
        format!("{name}: {} file(s) damaged or missing.", damaged.len())
    };
    crate::events::VerifyResult {
        id: id.to_string(),
        name: name.to_string(),
        ok: r.ok,
        summary,
        damaged,
        changed_by_player: r.local.changed_by_player.clone(),
    }
}

/// `"1.2 MB"`, `"340 bytes"`: sizes in the window's words (decimal units, like the UI).
fn human_bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} bytes"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.1} GB", n as f64 / 1e9),
    }
}
