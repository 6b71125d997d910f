//! The UDP broadcast beacon: the second discovery path, for networks that drop multicast (and
//! so mDNS) but pass broadcast — access points with client isolation for multicast, switches
//! with IGMP snooping and no querier.
//!
//! At start (three times in the first two seconds), within a second of a library change, and
//! every [`BEACON_EVERY`] after, each peer sends one small datagram to [`BEACON_PORT`] on every usable
//! IPv4 interface (its subnet-directed broadcast) and to the limited broadcast address: magic,
//! protocol version, peer id, display name, QUIC port, library revision and digest. A peer that
//! hears someone new answers with its own beacon straight to the sender (at most once per
//! [`REPLY_EVERY`] per address), so a newcomer meets everyone within a round trip.
//!
//! A beacon proves nothing. It only says where to try: the QUIC handshake that follows proves
//! the identity (a forged beacon costs the forger one handshake that fails), dials per address
//! are rate-limited by `Peers::may_dial`, a beacon is at most [`MAX_BEACON`] bytes and never
//! answered with more than one beacon of our own (no amplification).

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4},
    sync::Arc,
    time::Duration,
};

use lanspread_proto::PeerId;
use serde::{Deserialize, Serialize};
use tokio::{net::UdpSocket, time::Instant};

use crate::{api::PeerEvent, error::ErrorInfo, runtime::Ctx};

/// The UDP port beacons go to (and are sent from). Named in the README and the firewall hint.
pub const BEACON_PORT: u16 = 41_801;
/// How often a peer repeats its beacon when nothing changes.
pub const BEACON_EVERY: Duration = Duration::from_secs(5);
/// A library change is announced this soon (changes in a burst go out as one beacon).
const CHANGE_DELAY: Duration = Duration::from_secs(1);
/// At most one direct answer per source address in this time.
const REPLY_EVERY: Duration = Duration::from_secs(1);
/// The largest beacon read; anything longer is not a beacon.
pub const MAX_BEACON: usize = 512;
/// Every beacon starts with these bytes.
const MAGIC: &[u8; 4] = b"LSPB";
/// Beacon sources remembered for the reply rate limit (oldest forgotten first).
const MAX_SOURCES: usize = 1024;

/// What a beacon says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Beacon {
    /// Protocol version.
    pub v: u32,
    /// Peer id (hex).
    pub id: String,
    /// Display name (at most 64 characters).
    pub name: String,
    /// QUIC port.
    pub port: u16,
    /// Library revision.
    pub rev: u64,
    /// Library digest (hex).
    pub digest: String,
}

impl Beacon {
    /// The datagram.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend(serde_json::to_vec(self).unwrap_or_default());
        out
    }

    /// Reads a datagram; `None` when it is not a beacon.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        if bytes.len() > MAX_BEACON {
            return None;
        }
        let body = bytes.strip_prefix(MAGIC)?;
        let b: Self = serde_json::from_slice(body).ok()?;
        let hex64 = |s: &str| s.len() == 64 && s.bytes().all(|c| c.is_ascii_hexdigit());
        (b.name.chars().count() <= 64 && b.port != 0 && hex64(&b.id) && hex64(&b.digest)).then_some(b)
    }
}

fn ours(ctx: &Ctx) -> Beacon {
    let snap = ctx.library.snapshot();
    Beacon {
        v: ctx.shared.protocol_version,
        id: ctx.me().to_hex(),
        name: ctx.shared.name.chars().take(64).collect(),
        port: ctx.shared.local_addr.port(),
        rev: snap.library_rev,
        digest: snap.digest.to_hex(),
    }
}

/// Whether the beacon runs with this bind address: not on loopback (no broadcast there).
pub(crate) fn wanted(bind: Option<IpAddr>) -> bool {
    !bind.is_some_and(|b| b.is_loopback())
}

/// The socket: every address on [`BEACON_PORT`], shared with other lanspread processes on this
/// machine (each gets every broadcast), broadcast allowed.
pub(crate) fn socket() -> std::io::Result<UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    s.set_reuse_address(true)?;
    #[cfg(unix)]
    s.set_reuse_port(true)?;
    s.set_broadcast(true)?;
    s.set_nonblocking(true)?;
    s.bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, BEACON_PORT)).into())?;
    UdpSocket::from_std(s.into())
}

/// Where beacons go: the subnet broadcast of every usable interface, and the limited broadcast.
pub(crate) fn targets(bind: Option<IpAddr>) -> Vec<SocketAddr> {
    let mut out: Vec<SocketAddr> = usable_interfaces(bind)
        .into_iter()
        .filter_map(|i| i.broadcast)
        .map(|b| SocketAddr::V4(SocketAddrV4::new(b, BEACON_PORT)))
        .collect();
    out.push(SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::BROADCAST, BEACON_PORT)));
    out.dedup();
    out
}

/// An IPv4 interface address beacons can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// Interface name.
    pub name: String,
    /// Its address.
    pub ip: Ipv4Addr,
    /// Its subnet's broadcast address.
    pub broadcast: Option<Ipv4Addr>,
}

/// Names of virtual bridges that lead to containers and VMs, not to the LAN.
fn is_virtual_bridge(name: &str) -> bool {
    ["docker", "br-", "virbr", "vboxnet", "vmnet", "lxcbr", "lxdbr", "cni", "flannel", "podman", "vEthernet"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// The IPv4 interfaces discovery uses: not loopback, not container or VM bridges (unless that
/// is all there is or it is the bound one), and link-local (169.254/16) only where an
/// interface has nothing better — a bare switch without DHCP.
pub fn usable_interfaces(bind: Option<IpAddr>) -> Vec<Interface> {
    let all: Vec<Interface> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|i| match i.addr {
            if_addrs::IfAddr::V4(v4) if !v4.ip.is_loopback() => {
                // An address added without a broadcast address still has a subnet to reach.
                let mask = u32::from(v4.netmask);
                let computed = (mask != u32::MAX).then(|| Ipv4Addr::from(u32::from(v4.ip) | !mask));
                Some(Interface { name: i.name, ip: v4.ip, broadcast: v4.broadcast.or(computed) })
            }
            _ => None,
        })
        .collect();
    pick_interfaces(all, bind)
}

fn pick_interfaces(all: Vec<Interface>, bind: Option<IpAddr>) -> Vec<Interface> {
    if let Some(IpAddr::V4(b)) = bind {
        return all.into_iter().filter(|i| i.ip == b).collect();
    }
    let lan: Vec<Interface> = all.iter().filter(|i| !is_virtual_bridge(&i.name)).cloned().collect();
    let pool = if lan.is_empty() { all } else { lan };
    pool.iter()
        .filter(|i| !i.ip.is_link_local() || !pool.iter().any(|o| o.name == i.name && !o.ip.is_link_local()))
        .cloned()
        .collect()
}

/// Runs the beacon until the runtime stops: sends ours, hears the others.
pub(crate) async fn run(ctx: Arc<Ctx>, sock: UdpSocket) -> Result<(), ErrorInfo> {
    let sock = Arc::new(sock);
    let mut adverts = ctx.library.watch_adverts();
    let mut replied: HashMap<IpAddr, Instant> = HashMap::new();
    let mut buf = vec![0u8; MAX_BEACON + 1];
    let start = Instant::now();
    // Three beacons in the first two seconds (one may be lost while links come up), then
    // every BEACON_EVERY, and whenever the library changes.
    let mut next = start;
    let mut sent = 0u32;
    loop {
        tokio::select! {
            _ = ctx.shared.cancel.discovery.cancelled() => return Ok(()),
            _ = tokio::time::sleep_until(next) => {
                send(&ctx, &sock, &targets(ctx.shared.bind)).await;
                sent += 1;
                next = match sent {
                    1 => start + Duration::from_millis(500),
                    2 => start + Duration::from_millis(1500),
                    _ => Instant::now() + BEACON_EVERY,
                };
            }
            r = adverts.changed() => {
                if r.is_err() {
                    return Ok(());
                }
                // A library change goes out with the next beacon, at most a second from now
                // (a freshly scanned library changes many times in a row).
                next = next.min(Instant::now() + CHANGE_DELAY);
            }
            r = sock.recv_from(&mut buf) => {
                let Ok((n, from)) = r else { continue };
                let Some(b) = Beacon::decode(&buf[..n]) else { continue };
                if heard(&ctx, &b, from.ip()) {
                    answer(&ctx, &sock, from.ip(), &mut replied).await;
                }
            }
        }
    }
}

async fn send(ctx: &Ctx, sock: &UdpSocket, to: &[SocketAddr]) {
    let bytes = ours(ctx).encode();
    for addr in to {
        if let Err(e) = sock.send_to(&bytes, addr).await {
            tracing::trace!(%addr, error = %e, "beacon not sent");
        }
    }
}

/// A new peer heard us: answer it directly, at most once per REPLY_EVERY per address.
async fn answer(ctx: &Ctx, sock: &UdpSocket, ip: IpAddr, replied: &mut HashMap<IpAddr, Instant>) {
    let now = Instant::now();
    if replied.get(&ip).is_some_and(|t| now.duration_since(*t) < REPLY_EVERY) {
        return;
    }
    if replied.len() >= MAX_SOURCES {
        replied.retain(|_, t| now.duration_since(*t) < REPLY_EVERY);
        if replied.len() >= MAX_SOURCES {
            return;
        }
    }
    replied.insert(ip, now);
    send(ctx, sock, &[SocketAddr::new(ip, BEACON_PORT)]).await;
}

/// Acts on a beacon from `ip`: reports it once, and handshakes when it is a peer we are not
/// connected to. Returns whether the sender is new to us (worth an answer).
fn heard(ctx: &Arc<Ctx>, b: &Beacon, ip: IpAddr) -> bool {
    let Ok(peer) = b.id.parse::<PeerId>() else { return false };
    if peer == ctx.me() {
        return false;
    }
    let addr = SocketAddr::new(ip, b.port);
    let first = ctx.peers.first_heard(Some(peer), addr, "beacon");
    if first {
        ctx.emit(PeerEvent::PeerHeard {
            peer_id: Some(peer),
            addr: addr.to_string(),
            via: "beacon".into(),
            protocol_version: Some(b.v),
            name: Some(b.name.clone()),
        });
    }
    if b.v != ctx.shared.protocol_version {
        return false;
    }
    // A peer we are connected to keeps us current over that connection (deltas, and pings
    // that carry its library revision): its beacons need no handshake. Re-syncing on every
    // beacon would multiply full-library handshakes while a crowd starts up.
    if ctx.peers.read().get(&peer).is_some() {
        return false;
    }
    if ctx.peers.may_dial(addr, std::time::Instant::now()) {
        crate::runtime::sync::spawn_handshake(ctx, peer, addr, "beacon");
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beacon() -> Beacon {
        Beacon {
            v: 2,
            id: "ab".repeat(32),
            name: "seedbox".into(),
            port: 41_800,
            rev: 7,
            digest: "cd".repeat(32),
        }
    }

    #[test]
    fn a_beacon_is_small_and_round_trips() {
        let b = beacon();
        let bytes = b.encode();
        assert!(bytes.len() < 300, "{} bytes", bytes.len());
        assert_eq!(Beacon::decode(&bytes), Some(b));
    }

    #[test]
    fn anything_else_is_not_a_beacon() {
        let good = beacon().encode();
        assert_eq!(Beacon::decode(&good[1..]), None, "no magic");
        assert_eq!(Beacon::decode(b"LSPB{"), None, "not JSON");
        let mut long = beacon();
        long.name = "x".repeat(65);
        assert_eq!(Beacon::decode(&long.encode()), None, "name too long");
        let mut zero = beacon();
        zero.port = 0;
        assert_eq!(Beacon::decode(&zero.encode()), None, "port 0");
        let mut id = beacon();
        id.id = "not an id".into();
        assert_eq!(Beacon::decode(&id.encode()), None, "peer id");
        let mut big = good.clone();
        big.resize(MAX_BEACON + 1, b' ');
        assert_eq!(Beacon::decode(&big), None, "too big");
    }

    #[test]
    fn interfaces_skip_bridges_and_link_local_when_something_better_exists() {
        let i = |name: &str, ip: [u8; 4]| Interface {
            name: name.into(),
            ip: Ipv4Addr::from(ip),
            broadcast: Some(Ipv4Addr::from([ip[0], ip[1], 255, 255])),
        };
        let all = vec![
            i("eth0", [192, 168, 1, 20]),
            i("eth0", [169, 254, 3, 4]),
            i("docker0", [172, 17, 0, 1]),
            i("wlan0", [169, 254, 9, 9]),
        ];
        let names: Vec<(String, Ipv4Addr)> =
            pick_interfaces(all.clone(), None).into_iter().map(|i| (i.name, i.ip)).collect();
        assert_eq!(
            names,
            vec![
                ("eth0".into(), Ipv4Addr::from([192, 168, 1, 20])),
                ("wlan0".into(), Ipv4Addr::from([169, 254, 9, 9]))
            ],
            "the docker bridge and eth0's link-local address are skipped; wlan0 has only link-local"
        );
        // Only a bridge: better than nothing.
        let only = vec![i("docker0", [172, 17, 0, 1])];
        assert_eq!(pick_interfaces(only.clone(), None), only);
        // Bound to one address: that interface only.
        let bound = pick_interfaces(all, Some(IpAddr::from([169, 254, 3, 4])));
        assert_eq!(bound.len(), 1);
        assert_eq!(bound[0].ip, Ipv4Addr::from([169, 254, 3, 4]));
    }
}
