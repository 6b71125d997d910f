//! [`Ctx`]: a running peer — the immutable [`Shared`] part and the owners of changing state,
//! each behind its own lock with a small API:
//!
//! | owner            | lock                       | holds                                        |
//! |------------------|----------------------------|----------------------------------------------|
//! | [`OpTable`]      | `Mutex`                    | per-game operations, gates, agreed manifests, download byte counters |
//! | [`Library`]      | `RwLock`                   | the scanned library, its revision, snapshot and digests |
//! | [`Peers`]        | `RwLock` (+ `Mutex`)       | what other peers hold; handshakes in flight  |
//! | [`Swarms`]       | `Mutex`                    | download swarms and their members            |
//! | [`ManifestCache`]| async `Mutex`              | our built manifests                          |
//! | [`Uploads`]      | `Mutex`                    | inbound connection counts, send slots, rate cap |
//! | [`GamesView`]    | `Mutex`                    | the last game list sent                      |
//!
//! **Lock order.** Only [`Ctx::emit_games_now`] holds more than one lock at once: the library
//! (read), then the peer database (read), then the operation table. Every other method takes
//! one lock, copies what it needs and lets go before taking the next. Never await while holding
//! a std lock.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use lanspread_proto::{Catalog, Digest, GameId, GameVersion, LibraryDelta, PeerId, Request};

use super::{
    library::{Library, Scope},
    manifest_cache::ManifestCache,
    op_table::OpTable,
    peers::Peers,
    shared::Shared,
    view::GamesView,
};
use crate::{
    api::{PeerEvent, PeerInfo},
    game_db,
    library::hashes::HashIndex,
    net::{self, uploads::Uploads},
    peer_db::PeerRecord,
    swarm::Swarms,
    tasks::Role,
};

/// Library changes within this window become one ListGames event.
const GAMES_COALESCE: Duration = Duration::from_millis(50);
/// Manifest digests recorded within this window are announced as one library revision.
const PUBLISH_COALESCE: Duration = Duration::from_millis(1000);

/// A running peer (see the module header).
pub(crate) struct Ctx {
    pub(crate) shared: Shared,
    pub(crate) ops: OpTable,
    pub(crate) library: Library,
    pub(crate) peers: Peers,
    pub(crate) swarms: Swarms,
    pub(crate) manifests: ManifestCache,
    pub(crate) uploads: Uploads,
    pub(crate) view: GamesView,
}

impl Ctx {
    pub(crate) fn emit(&self, ev: PeerEvent) {
        self.shared.emit(ev);
    }

    pub(crate) fn me(&self) -> PeerId {
        self.shared.me()
    }

    pub(crate) fn catalog(&self) -> &Catalog {
        &self.shared.catalog
    }

    /// The root of game `id` in the current game directory.
    pub(crate) fn game_root(&self, id: &GameId) -> std::path::PathBuf {
        self.library.game_dir().join(id.as_str())
    }

    pub(crate) fn hash_index(&self) -> HashIndex {
        HashIndex::new(&self.shared.state_dir, &self.library.game_dir())
    }

    /// The addresses our server listens on, as other peers should dial them.
    pub(crate) fn listen_addrs(&self) -> Vec<SocketAddr> {
        let port = self.shared.local_addr.port();
        if let Some(ip) = self.shared.bind {
            return vec![SocketAddr::new(ip, port)];
        }
        let mut out: Vec<SocketAddr> = if_addrs::get_if_addrs()
            .unwrap_or_default()
            .into_iter()
            .filter(|i| !i.is_loopback() && i.ip().is_ipv4())
            .map(|i| SocketAddr::new(i.ip(), port))
            .collect();
        out.truncate(lanspread_proto::MAX_LISTEN_ADDRS);
        out
    }

    pub(crate) fn peer_infos(&self) -> Vec<PeerInfo> {
        let db = self.peers.read();
        let mut out: Vec<PeerInfo> = db.peers().map(peer_info).collect();
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.peer_id.cmp(&b.peer_id)));
        out
    }

    pub(crate) fn peer_count(&self) -> usize {
        self.peers.read().peer_count()
    }

    /// Emits the aggregated library now if it changed since the last ListGames event.
    pub(crate) fn emit_games(&self) {
        self.emit_games_now(false);
    }

    /// Emits the aggregated library soon, for remote changes that come in bursts (handshakes,
    /// deltas, lost peers): changes within `GAMES_COALESCE` become one ListGames event, and
    /// a list equal to the last one is not sent again (a party of 30 peers would otherwise
    /// flood the UI with hundreds of identical lists).
    pub(crate) fn emit_games_soon(self: &Arc<Self>) {
        if !self.view.claim() {
            return;
        }
        let ctx = self.clone();
        self.shared.tasks.spawn(Role::Work, "list-games", tracing::Span::none(), async move {
            tokio::select! {
                _ = tokio::time::sleep(GAMES_COALESCE) => {}
                _ = ctx.shared.cancel.cancelled() => return,
            }
            ctx.view.release();
            ctx.emit_games_now(false);
        });
    }

    /// Emits the aggregated library now; unless `always`, only if it changed since the last
    /// ListGames event. Holds three locks at once, in the documented order.
    pub(crate) fn emit_games_now(&self, always: bool) {
        let games = {
            let local = self.library.read();
            let peers = self.peers.read();
            let live = self.ops.live();
            game_db::aggregate(self.catalog(), &local.library, &peers, &live)
        };
        if self.view.should_send(&games, always) {
            self.emit(PeerEvent::ListGames { games });
        }
    }

    /// Removes a peer and reports it lost.
    pub(crate) fn lose_peer(self: &Arc<Self>, id: &PeerId, reason: &str) {
        let removed = self.peers.write().remove_peer(id);
        self.shared.pool.drop_peer(id);
        self.swarms.forget_peer(id);
        if let Some(rec) = removed {
            tracing::info!(peer = %id.short(), name = %rec.name, reason, "peer lost");
            self.emit(PeerEvent::PeerLost { peer_id: *id, name: rec.name, reason: reason.to_string() });
            self.emit(PeerEvent::PeerCountUpdated { count: self.peer_count() });
            self.emit_games_soon();
        }
    }

    /// Rescans the whole game directory (games an operation is changing keep their entries)
    /// and announces what changed.
    pub(crate) async fn refresh_library(self: &Arc<Self>) {
        let keep = self.ops.gated();
        self.rescan(Scope::All { keep }).await;
    }

    /// Rescans one game root (its operation owns it) and announces what changed.
    pub(crate) async fn rescan_game(self: &Arc<Self>, id: &GameId) {
        self.rescan(Scope::Game(id.clone())).await;
        // The game's operation just changed it: the list shows the operation's end too.
        self.emit_games();
    }

    async fn rescan(self: &Arc<Self>, scope: Scope) {
        let changes = self.library.rescan(&self.shared.catalog, scope).await;
        if let Some(delta) = changes.delta {
            self.push_delta(delta);
        }
        if changes.changed {
            self.emit_games();
        }
    }

    /// Records a manifest digest for a local game; if it is new, announces it soon. Digests that
    /// arrive within `PUBLISH_COALESCE` (a freshly scanned library hashes game after game) go out
    /// as one library revision, not one delta and one mDNS update per game.
    pub(crate) fn record_digest(self: &Arc<Self>, id: &GameId, version: &GameVersion, digest: Digest) {
        if !self.library.record_digest(id, version, digest) {
            return;
        }
        let ctx = self.clone();
        self.shared.tasks.spawn(Role::Work, "publish-digests", tracing::Span::none(), async move {
            tokio::select! {
                _ = tokio::time::sleep(PUBLISH_COALESCE) => {}
                _ = ctx.shared.cancel.cancelled() => return,
            }
            if let Some(delta) = ctx.library.publish_digests() {
                ctx.push_delta(delta);
            }
        });
    }

    /// Sends `delta` to every known peer in the background. A peer that cannot apply it
    /// re-syncs with a handshake (it sees our new revision in mDNS and pings).
    pub(crate) fn push_delta(self: &Arc<Self>, delta: LibraryDelta) {
        let targets: Vec<_> = self.peers.read().peers().map(|p| (p.id, p.addr)).collect();
        for (peer, addr) in targets {
            let ctx = self.clone();
            let req = Request::LibraryDelta(delta.clone());
            let span = tracing::debug_span!("push-delta", peer = %peer.short());
            self.shared.tasks.spawn(Role::Work, "push-delta", span, async move {
                let handle = ctx.shared.pool.get(peer, addr).await?;
                net::request(&handle, &req, net::REQUEST_TIMEOUT).await.map(drop)
            });
        }
    }
}

pub(crate) fn peer_info(rec: &PeerRecord) -> PeerInfo {
    PeerInfo {
        peer_id: rec.id,
        name: rec.name.clone(),
        addr: rec.addr.to_string(),
        game_count: rec.games.len(),
        games: rec.games.keys().cloned().collect(),
    }
}
