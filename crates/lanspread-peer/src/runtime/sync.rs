//! Library synchronisation with other peers: the Hello/HelloAck handshake (both directions
//! apply the full snapshot before emitting events, and exchange the peers they have verified),
//! received deltas, and dialling typed addresses.

use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use lanspread_proto::{
    Ack, ErrorCode, Hello, HelloAck, LibraryDelta, LibrarySnapshot, MAX_PEER_HINTS, PeerHint, PeerId,
    Request, Response,
};

use super::{Ctx, peer_info};
use crate::tasks::Role;
use crate::{
    api::PeerEvent,
    net::{self, NetError},
};

pub(crate) fn hello(ctx: &Ctx) -> Hello {
    Hello {
        peer_id: ctx.me(),
        protocol_version: ctx.shared.protocol_version,
        name: ctx.shared.name.clone(),
        listen_addrs: ctx.listen_addrs(),
        library: ctx.library.snapshot(),
        peers: hints(ctx),
    }
}

/// Peer exchange: the peers we have verified, with the addresses we reach them at (at most
/// [`MAX_PEER_HINTS`]), so that one reachable peer is enough to meet everyone.
fn hints(ctx: &Ctx) -> Vec<PeerHint> {
    let db = ctx.peers.read();
    db.peers().take(MAX_PEER_HINTS).map(|r| PeerHint { peer_id: r.id, addr: r.addr }).collect()
}

/// Dials the peers a verified peer told us about that we do not know yet. Only hints: the
/// QUIC handshake checks each id, and each address is dialled at most once per
/// `DIAL_INTERVAL`.
fn learn(ctx: &Arc<Ctx>, from: PeerId, hints: &[PeerHint]) {
    let now = Instant::now();
    for h in hints.iter().take(MAX_PEER_HINTS) {
        if h.peer_id == ctx.me() || h.peer_id == from || h.addr.port() == 0 || h.addr.ip().is_unspecified() {
            continue;
        }
        if ctx.peers.read().get(&h.peer_id).is_some() || !ctx.peers.may_dial(h.addr, now) {
            continue;
        }
        tracing::debug!(peer = %h.peer_id.short(), addr = %h.addr, via = %from.short(), "dialling a peer we were told about");
        if ctx.peers.first_heard(Some(h.peer_id), h.addr, "peer_exchange") {
            ctx.emit(PeerEvent::PeerHeard {
                peer_id: Some(h.peer_id),
                addr: h.addr.to_string(),
                via: "peer_exchange".into(),
                protocol_version: None,
                name: None,
            });
        }
        spawn_handshake(ctx, h.peer_id, h.addr, "peer exchange");
    }
}

/// Dials `addr` whose id we do not know (a typed `--peer` address) and handshakes with
/// whoever its certificate proves it is. At most once per `DIAL_INTERVAL` per address.
pub(crate) fn spawn_dial(ctx: &Arc<Ctx>, addr: SocketAddr) {
    if !ctx.peers.may_dial(addr, Instant::now()) {
        return;
    }
    if ctx.peers.first_heard(None, addr, "typed") {
        ctx.emit(PeerEvent::PeerHeard {
            peer_id: None,
            addr: addr.to_string(),
            via: "typed".into(),
            protocol_version: None,
            name: None,
        });
    }
    let ctx2 = ctx.clone();
    let span = tracing::info_span!("dial", %addr);
    ctx.shared.tasks.spawn(Role::Work, "dial", span, async move {
        let peer = tokio::select! {
            _ = ctx2.shared.cancel.cancelled() => return,
            r = ctx2.shared.pool.dial(addr) => r,
        };
        match peer {
            Ok(peer) if peer == ctx2.me() => {
                tracing::debug!("that address is this peer");
                ctx2.shared.pool.drop_peer_at(&peer, addr);
            }
            Ok(peer) => {
                let Some(guard) = ctx2.peers.begin_sync(peer) else { return };
                let r = tokio::select! {
                    _ = ctx2.shared.cancel.cancelled() => Ok(()),
                    r = handshake(&ctx2, peer, addr) => r,
                };
                drop(guard);
                if let Err(e) = r {
                    tracing::info!(error = %e, "handshake with a typed address failed");
                    ctx2.emit(PeerEvent::HandshakeFailed {
                        peer_id: Some(peer),
                        addr: addr.to_string(),
                        reason: e.to_string(),
                    });
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, "no answer at a typed address");
                ctx2.emit(PeerEvent::HandshakeFailed {
                    peer_id: None,
                    addr: addr.to_string(),
                    reason: e.to_string(),
                });
            }
        }
    });
}

/// "Test a connection to ADDRESS": dials `addr` (whoever answers proves its id with its
/// certificate), handshakes, and emits [`PeerEvent::ConnectionTested`] in words. One test per
/// address at a time; a second request while one runs is answered by the first.
pub(crate) fn spawn_test(ctx: &Arc<Ctx>, addr: SocketAddr) {
    let Some(guard) = ctx.peers.begin_test(addr) else { return };
    let ctx2 = ctx.clone();
    let span = tracing::info_span!("test-connection", %addr);
    ctx.shared.tasks.spawn(Role::Work, "test-connection", span, async move {
        let start = Instant::now();
        let outcome = tokio::select! {
            _ = ctx2.shared.cancel.cancelled() => return,
            r = test_connection(&ctx2, addr) => r,
        };
        drop(guard);
        let millis = start.elapsed().as_millis() as u64;
        let event = match outcome {
            Ok(peer) if peer == ctx2.me() => PeerEvent::ConnectionTested {
                addr: addr.to_string(),
                reachable: true,
                peer_id: Some(peer),
                name: Some(ctx2.shared.name.clone()),
                millis,
                message: format!("{addr} is this PC: give the others this address."),
            },
            Ok(peer) => {
                let name = ctx2.peers.read().get(&peer).map(|r| r.name.clone());
                let who = name.clone().unwrap_or_else(|| peer.short());
                PeerEvent::ConnectionTested {
                    addr: addr.to_string(),
                    reachable: true,
                    peer_id: Some(peer),
                    name,
                    millis,
                    message: format!("Connected to {who} at {addr} in {millis} ms."),
                }
            }
            Err((peer, e)) => PeerEvent::ConnectionTested {
                addr: addr.to_string(),
                reachable: false,
                peer_id: peer,
                name: None,
                millis,
                message: failure_words(addr, &e),
            },
        };
        tracing::info!(?event, "connection tested");
        ctx2.emit(event);
    });
}

async fn test_connection(ctx: &Arc<Ctx>, addr: SocketAddr) -> Result<PeerId, (Option<PeerId>, NetError)> {
    let peer = ctx.shared.pool.dial(addr).await.map_err(|e| (None, e))?;
    if peer == ctx.me() {
        ctx.shared.pool.drop_peer_at(&peer, addr);
        return Ok(peer);
    }
    handshake(ctx, peer, addr).await.map_err(|e| (Some(peer), e))?;
    Ok(peer)
}

/// Why a connection test failed, and what to do, in words.
pub(crate) fn failure_words(addr: SocketAddr, e: &NetError) -> String {
    let port = addr.port();
    match e {
        NetError::Connect { message, .. } if message.starts_with("no answer") => format!(
            "No answer from {addr}: that machine is off or not running lanspread, the address or port is \
             wrong, or its firewall drops UDP port {port} (on Windows, run the firewall rule shown below there)."
        ),
        NetError::Connect { message, .. } => format!(
            "{addr} answered but refused a lanspread connection ({message}): it runs another lanspread \
             version (update one of the two machines) or it is not lanspread."
        ),
        NetError::IdentityMismatch { .. } => {
            format!("The machine at {addr} is not the peer it claims to be (its certificate does not match).")
        }
        NetError::Refused(ErrorCode::ProtocolVersion, m) => {
            format!(
                "{addr} runs another lanspread version ({m}): update lanspread on one of the two machines."
            )
        }
        NetError::Timeout(_) => {
            format!("{addr} connected but did not answer in time: that machine may be overloaded; try again.")
        }
        other => format!("{addr} connected but the handshake failed: {other}."),
    }
}

pub(crate) fn hello_ack(ctx: &Ctx) -> HelloAck {
    let h = hello(ctx);
    HelloAck {
        peer_id: h.peer_id,
        protocol_version: h.protocol_version,
        name: h.name,
        listen_addrs: h.listen_addrs,
        library: h.library,
        peers: h.peers,
    }
}

/// Outbound handshake with `peer` at `addr`: sends our snapshot, applies theirs, emits
/// PeerDiscovered (if new) + PeerCountUpdated + ListGames.
pub(crate) async fn handshake(ctx: &Arc<Ctx>, peer: PeerId, addr: SocketAddr) -> Result<(), NetError> {
    if peer == ctx.me() {
        return Ok(());
    }
    let mut used = None;
    let result = async {
        let handle = ctx.shared.pool.get(peer, addr).await?;
        used = Some(handle.id());
        let resp = net::request(&handle, &Request::Hello(hello(ctx)), net::REQUEST_TIMEOUT).await?;
        let Response::HelloAck(ack) = resp else {
            return Err(NetError::Unexpected(resp.kind()));
        };
        if ack.peer_id != peer {
            return Err(NetError::IdentityMismatch {
                addr,
                expected: peer.short(),
                got: ack.peer_id.short(),
            });
        }
        if ack.protocol_version != ctx.shared.protocol_version {
            return Err(NetError::Refused(
                ErrorCode::ProtocolVersion,
                format!(
                    "peer speaks protocol {}, we speak {}",
                    ack.protocol_version, ctx.shared.protocol_version
                ),
            ));
        }
        ack.validate().map_err(|e| NetError::Refused(ErrorCode::BadRequest, e))?;
        apply_snapshot(ctx, peer, &ack.name, addr, ack.library);
        learn(ctx, peer, &ack.peers);
        Ok(())
    }
    .await;
    if result.is_err()
        && let Some(conn_id) = used
    {
        // Only the connection this attempt used: a wrong address for a peer (a spoofed mDNS
        // record) must not cost the verified connection we hold at its real address, and a
        // connection that replaced a failed one must not be closed for its predecessor.
        ctx.shared.pool.drop_conn(&peer, conn_id);
    }
    result
}

/// Starts a handshake in the background unless one is already running for `peer`.
pub(crate) fn spawn_handshake(ctx: &Arc<Ctx>, peer: PeerId, addr: SocketAddr, why: &'static str) {
    spawn_sync(ctx, peer, addr, why, None);
}

/// How long a connected peer's pushed delta gets to arrive after its advert showed a new
/// revision, before a full handshake re-syncs: the advert and the delta leave together, and
/// either may land first.
const DELTA_GRACE: Duration = Duration::from_millis(1500);

/// A connected peer advertises a library revision we do not hold: waits [`DELTA_GRACE`] for
/// the delta it pushes, and handshakes only if we are still behind. Without the wait every
/// revision would cost a full snapshot in both directions besides the delta.
pub(crate) fn spawn_resync(ctx: &Arc<Ctx>, peer: PeerId, addr: SocketAddr, why: &'static str) {
    spawn_sync(ctx, peer, addr, why, Some(DELTA_GRACE));
}

fn spawn_sync(ctx: &Arc<Ctx>, peer: PeerId, addr: SocketAddr, why: &'static str, grace: Option<Duration>) {
    let Some(guard) = ctx.peers.begin_sync(peer) else { return };
    let ctx2 = ctx.clone();
    let span = tracing::info_span!("handshake", peer = %peer.short(), %addr);
    ctx.shared.tasks.spawn(Role::Work, "handshake", span, async move {
        if let Some(grace) = grace {
            tokio::select! {
                _ = ctx2.shared.cancel.cancelled() => return,
                _ = tokio::time::sleep(grace) => {}
            }
            if !ctx2.peers.read().behind_advert(&peer) {
                tracing::debug!(why, "the pushed delta brought us up to date");
                return;
            }
        }
        let r = tokio::select! {
            _ = ctx2.shared.cancel.cancelled() => Ok(()),
            r = handshake(&ctx2, peer, addr) => r,
        };
        drop(guard);
        match r {
            Ok(()) => tracing::debug!(why, "synced"),
            Err(e) => {
                tracing::info!(why, error = %e, "handshake failed");
                ctx2.emit(PeerEvent::HandshakeFailed {
                    peer_id: Some(peer),
                    addr: addr.to_string(),
                    reason: e.to_string(),
                });
            }
        }
    });
}

/// Applies a peer's full snapshot and emits the membership and library events.
pub(crate) fn apply_snapshot(
    ctx: &Arc<Ctx>,
    peer: PeerId,
    name: &str,
    addr: SocketAddr,
    library: LibrarySnapshot,
) {
    let applied = ctx.peers.write().apply_snapshot(peer, name, addr, library);
    match applied {
        Ok(applied) => {
            if applied.new_peer {
                let info = ctx.peers.read().get(&peer).map(peer_info);
                if let Some(info) = info {
                    tracing::info!(peer = %peer.short(), name, %addr, games = info.game_count, "peer discovered");
                    ctx.emit(PeerEvent::PeerDiscovered { peer: info });
                }
                ctx.emit(PeerEvent::PeerCountUpdated { count: ctx.peer_count() });
            }
            ctx.emit_games_soon();
        }
        Err(e) => {
            tracing::warn!(peer = %peer.short(), error = %e, "refused a library snapshot");
            ctx.emit(PeerEvent::PeerMisbehaved { peer_id: peer, game: None, reason: e.to_string() });
        }
    }
}

/// Server side of the handshake.
pub(crate) fn accept_hello(ctx: &Arc<Ctx>, conn_peer: PeerId, remote: SocketAddr, hello: Hello) -> Response {
    if hello.peer_id != conn_peer {
        return Response::error(
            ErrorCode::Unauthenticated,
            "the peer id in Hello does not match your TLS certificate",
        );
    }
    if hello.protocol_version != ctx.shared.protocol_version {
        tracing::info!(peer = %conn_peer.short(), theirs = hello.protocol_version, "ignoring a peer with another protocol version");
        return Response::error(
            ErrorCode::ProtocolVersion,
            format!("this peer speaks protocol {}", ctx.shared.protocol_version),
        );
    }
    if let Err(e) = hello.validate() {
        return Response::error(ErrorCode::BadRequest, e);
    }
    let addr = dial_addr(remote, &hello.listen_addrs);
    let ack = hello_ack(ctx);
    apply_snapshot(ctx, conn_peer, &hello.name, addr, hello.library);
    learn(ctx, conn_peer, &hello.peers);
    Response::HelloAck(ack)
}

/// The address to dial a peer back at: its listen address on the interface it came from.
fn dial_addr(remote: SocketAddr, listen: &[SocketAddr]) -> SocketAddr {
    if let Some(a) = listen.iter().find(|a| a.ip() == remote.ip()) {
        return *a;
    }
    match listen.first() {
        Some(a) => SocketAddr::new(remote.ip(), a.port()),
        None => remote,
    }
}

/// Server side of a pushed delta.
pub(crate) fn accept_delta(ctx: &Arc<Ctx>, conn_peer: PeerId, delta: LibraryDelta) -> Response {
    let result = ctx.peers.write().apply_delta(&conn_peer, &delta);
    match result {
        Ok(applied) => {
            if applied.games_changed {
                ctx.emit_games_soon();
            }
            Response::Ack(Ack { library_rev: delta.library_rev })
        }
        Err(e) => {
            // Out of step: re-sync with a full handshake.
            if let Some(addr) = ctx.peers.addr_of(&conn_peer) {
                spawn_handshake(ctx, conn_peer, addr, "delta did not apply");
            }
            Response::error(ErrorCode::BadRequest, format!("{e}; re-syncing"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::dial_addr;

    #[test]
    fn dial_back_prefers_the_matching_interface() {
        let remote = "10.0.0.5:50000".parse().unwrap();
        let listen = ["192.168.1.5:4000".parse().unwrap(), "10.0.0.5:4000".parse().unwrap()];
        assert_eq!(dial_addr(remote, &listen), "10.0.0.5:4000".parse().unwrap());
        let other = ["192.168.1.5:4000".parse().unwrap()];
        assert_eq!(dial_addr(remote, &other), "10.0.0.5:4000".parse().unwrap());
        assert_eq!(dial_addr(remote, &[]), remote);
    }
}
