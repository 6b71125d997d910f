//! Discovery: advertises this peer over mDNS and browses for others. The blocking mDNS
//! receive loop runs on a dedicated blocking thread; this task reacts to its events.
//!
//! A resolved peer whose advertised library revision/digest differs from what we hold (or that
//! we do not know yet) gets a handshake. A goodbye removes the peer once it no longer answers
//! at its verified address (a goodbye is easy to spoof; see [`check_goodbye`]).

use std::{
    collections::HashSet,
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use lanspread_mdns::{Advert, Discovered, Mdns, MdnsEvent};
use lanspread_proto::{PeerId, Ping, Request, Response};
use tokio::sync::mpsc;

use crate::{
    api::PeerEvent,
    error::{ErrorInfo, ErrorKind},
    net,
    runtime::{Ctx, sync},
};

fn advert(ctx: &Ctx) -> Advert {
    let snap = ctx.library.snapshot();
    Advert {
        peer_id: ctx.me().to_hex(),
        protocol_version: ctx.shared.protocol_version,
        port: ctx.shared.local_addr.port(),
        name: ctx.shared.name.clone(),
        library_rev: snap.library_rev,
        library_digest: snap.digest.to_hex(),
    }
}

pub(crate) async fn run(ctx: Arc<Ctx>, mdns: Mdns) -> Result<(), ErrorInfo> {
    let mdns = Arc::new(mdns);
    let err = |e: lanspread_mdns::MdnsError| ErrorInfo::new(ErrorKind::Network, format!("mDNS: {e}"));
    mdns.advertise(&advert(&ctx)).map_err(err)?;
    let mut browser = mdns.browse().map_err(err)?;
    let (tx, mut rx) = mpsc::channel::<MdnsEvent>(256);
    let stop = ctx.shared.cancel.discovery.clone();
    let reader = tokio::task::spawn_blocking(move || {
        while !stop.is_cancelled() {
            match browser.recv_timeout(Duration::from_millis(200)) {
                Ok(Some(ev)) => {
                    if tx.blocking_send(ev).is_err() {
                        break;
                    }
                }
                Ok(None) => {}
                Err(()) => break,
            }
        }
    });
    let mut advert_rx = ctx.library.watch_adverts();
    let mut ignored_versions: HashSet<String> = HashSet::new();
    loop {
        tokio::select! {
            biased;
            _ = ctx.shared.cancel.discovery.cancelled() => break,
            changed = advert_rx.changed() => {
                if changed.is_err() {
                    break;
                }
                if let Err(e) = mdns.advertise(&advert(&ctx)) {
                    tracing::warn!(error = %e, "could not update the mDNS advert");
                }
            }
            ev = rx.recv() => match ev {
                Some(ev) => handle(&ctx, ev, &mut ignored_versions),
                None => break,
            },
        }
    }
    // Goodbye, so others drop us at once.
    let m = mdns.clone();
    let _ = tokio::task::spawn_blocking(move || m.shutdown(Duration::from_millis(400))).await;
    let _ = reader.await;
    Ok(())
}

fn handle(ctx: &Arc<Ctx>, ev: MdnsEvent, ignored: &mut HashSet<String>) {
    match ev {
        MdnsEvent::Resolved(d) => resolved(ctx, d, ignored),
        MdnsEvent::Removed { peer_id: Some(id) } => {
            if let Ok(id) = id.parse::<PeerId>() {
                check_goodbye(ctx, id);
            }
        }
        MdnsEvent::Removed { peer_id: None } => {}
        MdnsEvent::Invalid { reason } => tracing::debug!(reason, "ignoring an invalid mDNS record"),
    }
}

fn resolved(ctx: &Arc<Ctx>, d: Discovered, ignored: &mut HashSet<String>) {
    let Ok(peer) = d.advert.peer_id.parse::<PeerId>() else { return };
    if peer == ctx.me() {
        return;
    }
    if let Some(ip) = pick_addr(&d.addrs, ctx.shared.bind) {
        let addr = SocketAddr::new(ip, d.advert.port);
        if ctx.peers.first_heard(Some(peer), addr, "mdns") {
            ctx.emit(PeerEvent::PeerHeard {
                peer_id: Some(peer),
                addr: addr.to_string(),
                via: "mdns".into(),
                protocol_version: Some(d.advert.protocol_version),
                name: Some(d.advert.name.clone()),
            });
        }
    }
    if d.advert.protocol_version != ctx.shared.protocol_version {
        if ignored.insert(d.advert.peer_id.clone()) {
            tracing::warn!(
                peer = %peer.short(),
                name = %d.advert.name,
                theirs = d.advert.protocol_version,
                ours = ctx.shared.protocol_version,
                "ignoring a peer that speaks another protocol version (update lanspread on one of the machines)"
            );
        }
        return;
    }
    let Some(ip) = pick_addr(&d.addrs, ctx.shared.bind) else { return };
    let addr = SocketAddr::new(ip, d.advert.port);
    let (known, stale) = {
        let mut db = ctx.peers.write();
        let known = db.get(&peer).is_some_and(|r| r.addr == addr);
        (known, db.update_peer_library(&peer, d.advert.library_rev, &d.advert.library_digest))
    };
    match (stale, known) {
        (false, _) => {}
        // Connected at this address: the peer pushes its delta itself.
        (true, true) => sync::spawn_resync(ctx, peer, addr, "mDNS"),
        (true, false) => sync::spawn_handshake(ctx, peer, addr, "mDNS"),
    }
}

/// How long after a goodbye the peer is asked whether it is still there: a peer that says
/// goodbye closes its connections right after (shutdown step 4).
const GOODBYE_SETTLE: Duration = Duration::from_millis(1000);
/// How long that question may take.
const GOODBYE_PROBE: Duration = Duration::from_millis(1500);

/// A goodbye is a packet anyone can send, naming any instance. The peer is removed unless it
/// still answers a ping at the address its TLS identity was verified at, which a spoofer
/// cannot fake; the real peer's goodbye is followed by its connections closing, so it is
/// removed within about three seconds.
fn check_goodbye(ctx: &Arc<Ctx>, peer: PeerId) {
    let Some(addr) = ctx.peers.read().get(&peer).map(|r| r.addr) else { return };
    let ctx2 = ctx.clone();
    let span = tracing::debug_span!("goodbye", peer = %peer.short(), %addr);
    ctx.shared.tasks.spawn(crate::tasks::Role::Work, "goodbye", span, async move {
        tokio::time::sleep(GOODBYE_SETTLE).await;
        let probe = async {
            let h = ctx2.shared.pool.get(peer, addr).await.ok()?;
            let ping = Request::Ping(Ping { nonce: rand::random(), library_rev: ctx2.library.rev() });
            match net::request(&h, &ping, GOODBYE_PROBE).await {
                Ok(Response::Pong(_)) => Some(()),
                _ => None,
            }
        };
        let alive = tokio::select! {
            _ = ctx2.shared.cancel.cancelled() => return,
            r = tokio::time::timeout(GOODBYE_PROBE, probe) => matches!(r, Ok(Some(()))),
        };
        if alive {
            ctx2.peers.write().touch(&peer);
            tracing::warn!(
                "ignoring an mDNS goodbye: the peer still answers on its verified connection (spoofed?)"
            );
        } else {
            ctx2.lose_peer(&peer, "said goodbye");
        }
    });
}

/// Picks the address to dial: one on a subnet we share, else the first IPv4, else any.
fn pick_addr(addrs: &[IpAddr], bind: Option<IpAddr>) -> Option<IpAddr> {
    // An IPv6 link-local address cannot be dialled without its interface (scope id), which an
    // `IpAddr` does not carry: skip it. A record with nothing else waits for the next resolve
    // (mDNS delivers the IPv4 address moments later), instead of a handshake that can only
    // time out and keep the peer from joining a download for seconds.
    let usable: Vec<IpAddr> = addrs
        .iter()
        .copied()
        .filter(|a| {
            !a.is_unspecified() && !matches!(a, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80)
        })
        .collect();
    let addrs = usable.as_slice();
    if let Some(b) = bind
        && b.is_loopback()
    {
        return addrs.iter().copied().find(IpAddr::is_loopback).or_else(|| addrs.first().copied());
    }
    let ours = if_addrs::get_if_addrs().unwrap_or_default();
    for a in addrs {
        for i in &ours {
            if let (IpAddr::V4(peer), if_addrs::IfAddr::V4(mine)) = (a, &i.addr) {
                let mask = u32::from(mine.netmask);
                if !i.is_loopback() && u32::from(*peer) & mask == u32::from(mine.ip) & mask {
                    return Some(*a);
                }
            }
        }
    }
    addrs.iter().copied().find(IpAddr::is_ipv4).or_else(|| addrs.first().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_local_ipv6_is_never_dialled() {
        let ll: IpAddr = "fe80::68fd:24ff:fe89:45e4".parse().unwrap_or(IpAddr::from([0u8; 16]));
        let v4: IpAddr = IpAddr::from([10, 77, 0, 3]);
        let global6: IpAddr = "2001:db8::5".parse().unwrap_or(IpAddr::from([0u8; 16]));
        assert_eq!(pick_addr(&[ll], None), None, "wait for a dialable address");
        assert_eq!(pick_addr(&[ll, v4], None), Some(v4));
        assert_eq!(pick_addr(&[ll, global6], None), Some(global6));
        assert_eq!(pick_addr(&[], None), None);
    }
}
