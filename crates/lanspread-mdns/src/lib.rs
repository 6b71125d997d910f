//! mDNS advertisement and browsing for lanspread peers, over `mdns-sd`.
//!
//! Each peer advertises one `_lanspread._udp.local.` instance whose TXT record carries its
//! peer id, protocol version, QUIC port, display name and library revision/digest. The TXT
//! revision and digest only tell other peers that their copy is stale; the library itself
//! always travels over QUIC.
//!
//! Everything here is blocking and thread-based (mdns-sd runs its own daemon thread);
//! [`Browser::recv_timeout`] is meant to be called from a dedicated thread, never from an
//! async task.

use std::{collections::HashMap, net::IpAddr, sync::Mutex, time::Duration};

use mdns_sd::{IfKind, ResolvedService, ServiceDaemon, ServiceEvent, ServiceInfo};

/// The service type lanspread peers advertise and browse.
pub const SERVICE_TYPE: &str = "_lanspread._udp.local.";

/// TXT keys.
mod txt {
    pub(crate) const PEER_ID: &str = "id";
    pub(crate) const PROTOCOL_VERSION: &str = "proto";
    pub(crate) const PORT: &str = "port";
    pub(crate) const NAME: &str = "name";
    pub(crate) const LIBRARY_REV: &str = "rev";
    pub(crate) const LIBRARY_DIGEST: &str = "digest";
}

/// What a peer announces about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advert {
    /// 64 lowercase hex characters (SHA-256 of the peer's certificate).
    pub peer_id: String,
    /// The peer's protocol version.
    pub protocol_version: u32,
    /// UDP port of the peer's QUIC server.
    pub port: u16,
    /// Display name (truncated to fit the TXT record).
    pub name: String,
    /// Current library revision.
    pub library_rev: u64,
    /// Current library digest (64 hex characters).
    pub library_digest: String,
}

/// A peer found on the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// What the peer announces.
    pub advert: Advert,
    /// Addresses the record resolved to.
    pub addrs: Vec<IpAddr>,
}

/// Browsing results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MdnsEvent {
    /// A peer appeared or changed its record.
    Resolved(Discovered),
    /// A peer said goodbye (or its record expired).
    Removed {
        /// Peer id, when the instance had been resolved before.
        peer_id: Option<String>,
    },
    /// A record of our service type that is not a valid lanspread advert.
    Invalid {
        /// Why it was rejected.
        reason: String,
    },
}

/// Errors from the mDNS layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MdnsError {
    /// The mDNS daemon could not start or refused an operation.
    #[error("mDNS failed: {0}")]
    Daemon(mdns_sd::Error),
    /// The advert does not fit an mDNS record.
    #[error("invalid mDNS advert: {0}")]
    InvalidAdvert(String),
}

// A manual `From`: the cause is in the message, so it is not also a `source`.
impl From<mdns_sd::Error> for MdnsError {
    fn from(e: mdns_sd::Error) -> Self {
        Self::Daemon(e)
    }
}

/// Which interfaces mDNS uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interfaces {
    /// Every non-loopback interface (a player's LAN).
    #[default]
    All,
    /// Only the interface that holds this address (`--bind`); a loopback address selects
    /// the IPv4 loopback interface (tests and demos).
    Bind(IpAddr),
}

/// A running mDNS responder + browser for one peer.
pub struct Mdns {
    daemon: ServiceDaemon,
    interfaces: Interfaces,
    registered: Mutex<Option<String>>,
}

impl Mdns {
    /// Starts the mDNS daemon on the chosen interfaces.
    pub fn start(interfaces: Interfaces) -> Result<Self, MdnsError> {
        let daemon = ServiceDaemon::new()?;
        if let Interfaces::Bind(ip) = interfaces {
            daemon.disable_interface(IfKind::All)?;
            if ip.is_loopback() {
                daemon.enable_interface(if ip.is_ipv4() {
                    IfKind::LoopbackV4
                } else {
                    IfKind::LoopbackV6
                })?;
            } else {
                daemon.enable_interface(IfKind::Addr(ip))?;
            }
        }
        // Several peers on one host (demos, tests) must hear each other.
        daemon.set_multicast_loop_v4(true)?;
        Ok(Self { daemon, interfaces, registered: Mutex::new(None) })
    }

    /// Publishes (or updates) this peer's record and announces it.
    pub fn advertise(&self, advert: &Advert) -> Result<(), MdnsError> {
        if advert.peer_id.len() != 64 || !advert.peer_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(MdnsError::InvalidAdvert("peer id must be 64 hex characters".into()));
        }
        let instance = instance_name(&advert.peer_id);
        let host = format!("{instance}.local.");
        let name: String = advert.name.chars().filter(|c| !c.is_control()).take(60).collect();
        let props = [
            (txt::PEER_ID, advert.peer_id.clone()),
            (txt::PROTOCOL_VERSION, advert.protocol_version.to_string()),
            (txt::PORT, advert.port.to_string()),
            (txt::NAME, name),
            (txt::LIBRARY_REV, advert.library_rev.to_string()),
            (txt::LIBRARY_DIGEST, advert.library_digest.clone()),
        ];
        let info = match self.interfaces {
            Interfaces::Bind(ip) => {
                ServiceInfo::new(SERVICE_TYPE, &instance, &host, ip, advert.port, &props[..])?
            }
            Interfaces::All => ServiceInfo::new(SERVICE_TYPE, &instance, &host, "", advert.port, &props[..])?
                .enable_addr_auto(),
        };
        let mut info = info;
        // Instance names embed the peer id, so they cannot collide: skip the probe delay.
        info.set_requires_probe(false);
        let fullname = info.get_fullname().to_string();
        self.daemon.register(info)?;
        if let Ok(mut reg) = self.registered.lock() {
            *reg = Some(fullname);
        }
        Ok(())
    }

    /// Starts browsing for peers.
    pub fn browse(&self) -> Result<Browser, MdnsError> {
        let rx = self.daemon.browse(SERVICE_TYPE)?;
        Ok(Browser { rx, names: HashMap::new() })
    }

    /// Sends a goodbye for our record and stops the daemon, waiting up to `timeout`.
    pub fn shutdown(&self, timeout: Duration) {
        let fullname = self.registered.lock().ok().and_then(|mut r| r.take());
        if let Some(fullname) = fullname
            && let Ok(rx) = self.daemon.unregister(&fullname)
        {
            let _ = rx.recv_timeout(timeout);
        }
        if let Ok(rx) = self.daemon.shutdown() {
            let _ = rx.recv_timeout(timeout);
        }
    }
}

impl Drop for Mdns {
    fn drop(&mut self) {
        self.shutdown(Duration::from_millis(500));
    }
}

/// Whether `fullname` (`<instance>._lanspread._udp.local.`) is the instance of `peer_id`.
fn instance_matches(fullname: &str, peer_id: &str) -> bool {
    fullname
        .strip_prefix(&instance_name(peer_id))
        .is_some_and(|rest| rest.eq_ignore_ascii_case(&format!(".{SERVICE_TYPE}")))
}

/// The instance label for a peer id (a DNS label holds at most 63 bytes).
fn instance_name(peer_id: &str) -> String {
    format!("lanspread-{}", &peer_id[..32.min(peer_id.len())])
}

/// Receives browse results; call [`Browser::recv_timeout`] from a dedicated thread.
pub struct Browser {
    rx: mdns_sd::Receiver<ServiceEvent>,
    /// Instance full name → peer id, to name peers in `Removed` events.
    names: HashMap<String, String>,
}

impl Browser {
    /// Waits up to `timeout` for the next relevant event. `Ok(None)` on timeout;
    /// `Err(())` once the daemon has stopped.
    #[allow(clippy::result_unit_err)]
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<Option<MdnsEvent>, ()> {
        match self.rx.recv_timeout(timeout) {
            Ok(ev) => Ok(self.translate(ev)),
            Err(mdns_sd::RecvTimeoutError::Timeout) => Ok(None),
            Err(mdns_sd::RecvTimeoutError::Disconnected) => Err(()),
        }
    }

    fn translate(&mut self, ev: ServiceEvent) -> Option<MdnsEvent> {
        match ev {
            ServiceEvent::ServiceResolved(svc) => match parse_resolved(&svc) {
                Ok(d) => {
                    self.names.insert(svc.fullname.clone(), d.advert.peer_id.clone());
                    Some(MdnsEvent::Resolved(d))
                }
                Err(reason) => Some(MdnsEvent::Invalid { reason: format!("{}: {reason}", svc.fullname) }),
            },
            ServiceEvent::ServiceRemoved(_, fullname) => {
                Some(MdnsEvent::Removed { peer_id: self.names.remove(&fullname) })
            }
            _ => None,
        }
    }
}

fn parse_resolved(svc: &ResolvedService) -> Result<Discovered, String> {
    let get = |k: &str| svc.get_property_val_str(k).ok_or_else(|| format!("TXT lacks {k:?}"));
    let peer_id = get(txt::PEER_ID)?.to_string();
    if peer_id.len() != 64 || !peer_id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
        return Err("peer id is not 64 lowercase hex characters".into());
    }
    // The instance name is derived from the peer id: a record naming someone else's id under
    // its own instance (to make us dial a wrong address for that peer) is refused here.
    if !instance_matches(&svc.fullname, &peer_id) {
        return Err("the instance name does not match the peer id in its TXT record".into());
    }
    let protocol_version = get(txt::PROTOCOL_VERSION)?.parse().map_err(|_| "bad protocol version")?;
    let port = match svc.get_property_val_str(txt::PORT) {
        Some(p) => p.parse().map_err(|_| "bad port")?,
        None => svc.port,
    };
    let library_rev = get(txt::LIBRARY_REV)?.parse().map_err(|_| "bad library revision")?;
    let library_digest = get(txt::LIBRARY_DIGEST)?.to_string();
    let name = svc.get_property_val_str(txt::NAME).unwrap_or_default().to_string();
    let mut addrs: Vec<IpAddr> = svc.addresses.iter().map(|a| a.to_ip_addr()).collect();
    addrs.sort_by_key(|a| (a.is_ipv6(), *a));
    if addrs.is_empty() {
        return Err("no addresses".into());
    }
    Ok(Discovered {
        advert: Advert { peer_id, protocol_version, port, name, library_rev, library_digest },
        addrs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_names_fit_a_dns_label() {
        let id = "ab".repeat(32);
        let name = instance_name(&id);
        assert!(name.len() <= 63);
        assert!(name.starts_with("lanspread-abab"));
    }

    #[test]
    fn an_instance_name_is_bound_to_its_peer_id() {
        let id = "ab".repeat(32);
        let other = "cd".repeat(32);
        let full = format!("{}.{SERVICE_TYPE}", instance_name(&id));
        assert!(instance_matches(&full, &id));
        assert!(!instance_matches(&full, &other), "someone else's id under this instance");
        assert!(!instance_matches(&format!("{}x.{SERVICE_TYPE}", instance_name(&id)), &id));
        assert!(!instance_matches(&instance_name(&id), &id), "no service type");
    }

    #[test]
    fn adverts_with_bad_ids_are_refused_before_touching_the_network() {
        let mdns = Mdns::start(Interfaces::Bind("127.0.0.1".parse().unwrap())).unwrap();
        let bad = Advert {
            peer_id: "xyz".into(),
            protocol_version: 1,
            port: 1,
            name: "n".into(),
            library_rev: 0,
            library_digest: "0".repeat(64),
        };
        assert!(matches!(mdns.advertise(&bad), Err(MdnsError::InvalidAdvert(_))));
    }
}
