//! Liveness: pings every known peer over QUIC; a peer silent for `peer_timeout` is removed and
//! reported lost. A pong announcing a library revision other than the one we hold triggers a
//! re-sync (covers lost deltas).

use std::{sync::Arc, time::Instant};

use lanspread_proto::{Ping, Request, Response};

use crate::{
    error::ErrorInfo,
    net,
    runtime::{Ctx, sync},
    tasks::Role,
};

pub(crate) async fn run(ctx: Arc<Ctx>) -> Result<(), ErrorInfo> {
    let timing = ctx.shared.timing;
    let mut tick = tokio::time::interval(timing.ping_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut nonce: u64 = rand::random();
    // At most one ping in flight per peer: a dead peer's pings must not pile up.
    let in_flight: Arc<std::sync::Mutex<std::collections::HashSet<lanspread_proto::PeerId>>> =
        Default::default();
    loop {
        tokio::select! {
            biased;
            _ = ctx.shared.cancel.cancelled() => return Ok(()),
            _ = tick.tick() => {}
        }
        let targets: Vec<_> = ctx.peers.read().peers().map(|p| (p.id, p.addr, p.last_seen)).collect();
        let now = Instant::now();
        for (peer, addr, last_seen) in targets {
            let silent = now.saturating_duration_since(last_seen);
            if silent > timing.peer_timeout {
                ctx.lose_peer(&peer, &format!("stopped answering for {} s", silent.as_secs()));
                continue;
            }
            if !in_flight.lock().unwrap_or_else(|p| p.into_inner()).insert(peer) {
                continue;
            }
            nonce = nonce.wrapping_add(1);
            let ctx2 = ctx.clone();
            let in_flight2 = in_flight.clone();
            let rev = ctx.library.rev();
            let timeout = timing.ping_interval.max(std::time::Duration::from_secs(1));
            let span = tracing::trace_span!("ping", peer = %peer.short());
            ctx.shared.tasks.spawn(Role::Work, "ping", span, async move {
                let mut used = None;
                let r = async {
                    let h = ctx2.shared.pool.get(peer, addr).await?;
                    used = Some(h.id());
                    net::request(&h, &Request::Ping(Ping { nonce, library_rev: rev }), timeout).await
                }
                .await;
                in_flight2.lock().unwrap_or_else(|p| p.into_inner()).remove(&peer);
                match r {
                    Ok(Response::Pong(p)) if p.nonce == nonce => {
                        // Compared with the revision held now: a delta that landed while the
                        // ping was out already brought us up to date.
                        let held = ctx2.peers.write().touch(&peer);
                        if held.is_some_and(|held| p.library_rev != held) {
                            sync::spawn_handshake(&ctx2, peer, addr, "revision changed");
                        }
                    }
                    Ok(other) => {
                        tracing::debug!(answer = other.kind(), "odd ping answer")
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, "ping failed");
                        // A slow answer from a busy peer is not a broken connection: closing it
                        // would fail every request running on it. A timed-out connection goes
                        // once the peer has been silent for half the peer timeout; any other
                        // failure means the connection itself is gone. Only the connection
                        // this ping used is dropped, never one that replaced it meanwhile.
                        let silent = ctx2.peers.read().get(&peer).map(|r| r.last_seen.elapsed());
                        let dead = !matches!(e, net::NetError::Timeout(_))
                            || silent.is_none_or(|s| s > timing.peer_timeout / 2);
                        if dead && let Some(conn_id) = used {
                            ctx2.shared.pool.drop_conn(&peer, conn_id);
                        }
                    }
                }
            });
        }
    }
}
