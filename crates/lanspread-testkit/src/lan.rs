//! An emulated LAN: network namespaces joined by a bridge, optionally rate-shaped with `tc`.
//!
//! Needs root (the test command runs the suite inside its own network namespace, so all of
//! this stays off the machine's real network). Everything is removed on drop, even when a test
//! panics: host-side veths first, then the namespaces, then the bridge.

use std::{
    net::Ipv4Addr,
    process::{Command, Stdio},
    sync::atomic::{AtomicU32, Ordering},
};

use anyhow::{Context, Result, bail};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// One host of the LAN.
#[derive(Debug, Clone)]
pub struct Host {
    /// Namespace name (use with `ip netns exec`).
    pub ns: String,
    /// Address on the LAN.
    pub ip: Ipv4Addr,
    /// Host-side veth name.
    veth: String,
}

/// A LAN of network namespaces on one bridge.
#[derive(Debug)]
pub struct Lan {
    /// The hosts, in creation order.
    pub hosts: Vec<Host>,
    bridge: String,
}

fn run(args: &[&str]) -> Result<()> {
    let out = Command::new(args[0])
        .args(&args[1..])
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("run {args:?}"))?;
    if !out.status.success() {
        bail!("{args:?} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// Whether this process may create namespaces (root).
pub fn can_create() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Lan {
    /// Creates `rates.len()` hosts; `rates[i]` shapes host i's port (both directions) to that
    /// many Mbit/s, `None` leaves it unshaped.
    pub fn new(rates: &[Option<u32>]) -> Result<Self> {
        Self::with_addresses(rates, |i| (Ipv4Addr::new(10, 77, 0, (i + 1) as u8), 24))
    }

    /// Hosts with link-local addresses only (169.254.77.x/16), as on a bare switch without DHCP.
    pub fn link_local(n: usize) -> Result<Self> {
        Self::with_addresses(&vec![None; n], |i| (Ipv4Addr::new(169, 254, 77, (i + 1) as u8), 16))
    }

    /// Like [`Lan::new`], with host i's address and prefix length from `addr(i)`.
    pub fn with_addresses(rates: &[Option<u32>], addr: impl Fn(usize) -> (Ipv4Addr, u8)) -> Result<Self> {
        if !can_create() {
            bail!("creating network namespaces needs root; run the tests with `just test`");
        }
        let id = format!("{}{}", std::process::id() % 100_000, COUNTER.fetch_add(1, Ordering::Relaxed));
        let bridge = format!("lsb{id}");
        let mut lan = Self { hosts: Vec::new(), bridge: bridge.clone() };
        run(&["ip", "link", "add", &bridge, "type", "bridge"])?;
        // Forward multicast (mDNS) to every port without waiting for IGMP snooping state.
        let _ = run(&["ip", "link", "set", &bridge, "type", "bridge", "mcast_snooping", "0"]);
        run(&["ip", "link", "set", &bridge, "up"])?;
        for (i, rate) in rates.iter().enumerate() {
            let ns = format!("lsn{id}h{i}");
            let veth = format!("lsv{id}h{i}");
            let (ip, prefix) = addr(i);
            run(&["ip", "netns", "add", &ns])?;
            lan.hosts.push(Host { ns: ns.clone(), ip, veth: veth.clone() });
            run(&["ip", "link", "add", &veth, "type", "veth", "peer", "name", "eth0", "netns", &ns])?;
            run(&["ip", "link", "set", &veth, "master", &bridge, "up"])?;
            let x = |args: &[&str]| {
                let mut full = vec!["ip", "netns", "exec", ns.as_str()];
                full.extend_from_slice(args);
                run(&full)
            };
            x(&["ip", "link", "set", "lo", "up"])?;
            x(&["ip", "addr", "add", &format!("{ip}/{prefix}"), "brd", "+", "dev", "eth0"])?;
            x(&["ip", "link", "set", "eth0", "up"])?;
            x(&["ip", "route", "add", "224.0.0.0/4", "dev", "eth0"])?;
            if let Some(mbit) = rate {
                let rate = format!("{mbit}mbit");
                let burst = format!("{}kb", (mbit / 8).max(32));
                {
                    let dev = ("host", veth.as_str());
                    run(&[
                        "tc", "qdisc", "add", "dev", dev.1, "root", "tbf", "rate", &rate, "burst", &burst,
                        "latency", "50ms",
                    ])?;
                }
                x(&[
                    "tc", "qdisc", "add", "dev", "eth0", "root", "tbf", "rate", &rate, "burst", &burst,
                    "latency", "50ms",
                ])?;
            }
        }
        Ok(lan)
    }

    /// A command to run inside host `i`'s namespace.
    pub fn command(&self, i: usize, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.hosts[i].ns, program]);
        c
    }
}

impl Lan {
    /// Multicast octets (IPv4 + IPv6) host `i` received and sent so far: on this LAN that is
    /// mDNS traffic, nothing else uses multicast.
    pub fn multicast_octets(&self, i: usize) -> Result<(u64, u64)> {
        self.octets(i, false)
    }

    /// Discovery octets host `i` received and sent so far: multicast (mDNS) plus IPv4
    /// broadcast (the beacon); nothing else on this LAN uses either.
    pub fn discovery_octets(&self, i: usize) -> Result<(u64, u64)> {
        self.octets(i, true)
    }

    fn octets(&self, i: usize, with_broadcast: bool) -> Result<(u64, u64)> {
        let read = |path: &str| -> Result<String> {
            let out = Command::new("ip").args(["netns", "exec", &self.hosts[i].ns, "cat", path]).output()?;
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        };
        let netstat = read("/proc/net/netstat")?;
        let mut ipext = netstat.lines().filter(|l| l.starts_with("IpExt:"));
        let (names, values) = (ipext.next().context("IpExt")?, ipext.next().context("IpExt values")?);
        let field = |name: &str| -> u64 {
            names
                .split_whitespace()
                .position(|n| n == name)
                .and_then(|k| values.split_whitespace().nth(k))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        let (mut rx, mut tx) = (field("InMcastOctets"), field("OutMcastOctets"));
        if with_broadcast {
            rx += field("InBcastOctets");
            tx += field("OutBcastOctets");
        }
        for l in read("/proc/net/snmp6")?.lines() {
            let mut it = l.split_whitespace();
            match (it.next(), it.next().and_then(|v| v.parse::<u64>().ok())) {
                (Some("Ip6InMcastOctets"), Some(v)) => rx += v,
                (Some("Ip6OutMcastOctets"), Some(v)) => tx += v,
                _ => {}
            }
        }
        Ok((rx, tx))
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        for h in &self.hosts {
            let _ = run(&["ip", "link", "del", &h.veth]);
        }
        for h in &self.hosts {
            let _ = run(&["ip", "netns", "del", &h.ns]);
        }
        let _ = run(&["ip", "link", "del", &self.bridge]);
    }
}
