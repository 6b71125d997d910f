//! `doctor`: "why can't I see anyone?" Runs the peer for a few seconds (mDNS, typed addresses,
//! peer exchange: everything `serve` does, without installing anything) and reports what it
//! saw: this machine's addresses and port, who was heard on which path, who connected, and why
//! the others did not; `--test ADDR` tests a connection to an address and says in words what
//! answered or why nothing did. One JSON document on stdout; the advice in words on stderr.

use std::{
    collections::BTreeMap,
    process::ExitCode,
    time::{Duration, Instant},
};

use lanspread_peer::beacon::BEACON_PORT;
use lanspread_peer::{PeerCommand, PeerEvent};
use lanspread_proto::PROTOCOL_VERSION;
use serde_json::{Value, json};

use crate::{
    opts::{Common, DoctorArgs},
    out, serve, signals,
};

pub(crate) async fn run(common: &Common, args: &DoctorArgs) -> anyhow::Result<ExitCode> {
    let (handle, mut events) =
        serve::start_with(common, None, lanspread_peer::DEFAULT_PORT, false, true, None).await?;
    let port = handle.local_addr().port();
    let listen = Duration::from_secs_f64(args.seconds.clamp(1.0, 600.0));
    let started = Instant::now();
    let mut untested: Vec<String> = Vec::new();
    for addr in &args.test {
        if !untested.contains(&addr.to_string()) {
            untested.push(addr.to_string());
            handle.command(PeerCommand::TestConnection { addr: *addr }).await?;
        }
    }
    let mut heard: Vec<Value> = Vec::new();
    let mut connected: BTreeMap<String, Value> = BTreeMap::new();
    let mut failed: Vec<Value> = Vec::new();
    let mut tests: Vec<Value> = Vec::new();
    loop {
        // Listen for `--seconds`, and longer while a connection test is still out.
        let deadline = started + if untested.is_empty() { listen } else { listen.max(TEST_WAIT) };
        let ev = tokio::select! {
            ev = events.recv() => ev,
            _ = tokio::time::sleep_until(deadline.into()) => break,
            _ = signals::stop_requested() => break,
        };
        let Some(ev) = ev else { break };
        match ev {
            PeerEvent::ConnectionTested { addr, reachable, peer_id, name, millis, message } => {
                untested.retain(|a| *a != addr);
                tests.push(json!({
                    "addr": addr, "reachable": reachable, "peer_id": peer_id, "name": name,
                    "millis": millis, "message": message,
                }));
            }
            PeerEvent::PeerHeard { peer_id, addr, via, protocol_version, name } => heard.push(json!({
                "via": via, "peer_id": peer_id, "addr": addr, "protocol_version": protocol_version, "name": name,
            })),
            PeerEvent::PeerDiscovered { peer } => {
                connected.insert(
                    peer.peer_id.to_hex(),
                    json!({"peer_id": peer.peer_id, "name": peer.name, "addr": peer.addr, "games": peer.game_count}),
                );
            }
            PeerEvent::PeerLost { peer_id, .. } => {
                connected.remove(&peer_id.to_hex());
            }
            PeerEvent::HandshakeFailed { peer_id, addr, reason } => {
                failed.push(json!({"peer_id": peer_id, "addr": addr, "reason": reason}));
            }
            _ => {}
        }
    }
    handle.shutdown().await;
    let connected: Vec<Value> = connected.into_values().collect();
    for addr in untested {
        tests.push(json!({
            "addr": addr, "reachable": false, "peer_id": null, "name": null, "millis": null,
            "message": format!("The test of {addr} did not finish in time."),
        }));
    }
    let mut advice = advise(&heard, &connected, &failed, port, args.seconds);
    advice.splice(1..1, tests.iter().map(|t| t["message"].as_str().unwrap_or_default().to_string()));
    for line in &advice {
        eprintln!("{line}");
    }
    let doc = json!({
        "peer_id": handle.peer_id(),
        "port": port,
        "protocol_version": PROTOCOL_VERSION,
        "interfaces": interfaces(),
        "heard": heard,
        "connected": connected,
        "failed": failed,
        "tests": tests,
        "advice": advice,
    });
    out::json_line(&doc);
    Ok(ExitCode::SUCCESS)
}

/// The longest a run waits for its connection tests (dial timeout plus handshake timeout).
const TEST_WAIT: Duration = Duration::from_secs(16);

/// This machine's network interfaces and addresses.
fn interfaces() -> Vec<Value> {
    let mut out: Vec<Value> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            let ip = i.ip();
            let link_local = match ip {
                std::net::IpAddr::V4(v4) => v4.is_link_local(),
                std::net::IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
            };
            json!({"name": i.name, "ip": ip, "loopback": i.is_loopback(), "link_local": link_local})
        })
        .collect();
    out.sort_by_key(|v| (v["name"].as_str().unwrap_or_default().to_string(), v["ip"].to_string()));
    out
}

/// What the findings mean, in words.
fn advise(heard: &[Value], connected: &[Value], failed: &[Value], port: u16, seconds: f64) -> Vec<String> {
    let mut out = Vec::new();
    if connected.is_empty() {
        out.push(format!("Connected to no peer within {seconds:.0} s."));
    } else {
        out.push(format!("Connected to {} peer(s).", connected.len()));
    }
    let mdns = heard.iter().any(|h| h["via"] == "mdns");
    let beacon = heard.iter().any(|h| h["via"] == "beacon");
    if !mdns && !beacon {
        out.push(format!(
            "Nothing answered on mDNS or the broadcast beacon: the network may drop multicast and \
             broadcast (Wi-Fi client isolation, some switches) or a firewall blocks UDP ports 5353 \
             (mDNS) and {BEACON_PORT} (beacon). Start lanspread with --peer HOST:PORT of a machine \
             that runs it (its doctor shows its address and port)."
        ));
    } else if !mdns {
        out.push(
            "Peers were heard through the broadcast beacon but not on mDNS: the network drops \
             multicast; the beacon covers for it."
                .to_string(),
        );
    }
    for h in heard {
        if let Some(v) = h["protocol_version"].as_u64()
            && v != u64::from(PROTOCOL_VERSION)
        {
            out.push(format!(
                "{} at {} speaks protocol {v}, this lanspread speaks {PROTOCOL_VERSION}: update lanspread on one of the machines.",
                h["name"].as_str().unwrap_or("a peer"),
                h["addr"].as_str().unwrap_or("?"),
            ));
        }
    }
    for f in failed {
        out.push(format!(
            "Could not connect to {}: {}. A firewall on that machine may block its UDP port.",
            f["addr"].as_str().unwrap_or("?"),
            f["reason"].as_str().unwrap_or("?"),
        ));
    }
    out.push(format!("This peer listens on UDP port {port} (QUIC); others reach it with --peer <this machine's address>:{port}."));
    if cfg!(windows) {
        out.push(format!(
            "Windows Firewall: allow lanspread when Windows asks (tick Private networks), and at a party \
             where Windows calls the network Public run as administrator: {}",
            firewall_rule(port)
        ));
    }
    out
}

/// The Windows Defender Firewall rule that lets in mDNS, the beacon and QUIC on `port`; the
/// same rule README-windows.txt and the app's Peers panel show.
pub(crate) fn firewall_rule(port: u16) -> String {
    format!(
        "netsh advfirewall firewall add rule name=\"lanspread\" dir=in action=allow protocol=UDP \
         localport=5353,{port},{BEACON_PORT} profile=any"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule is written in three places a Windows player reads: the doctor, the app's Peers
    /// panel and README-windows.txt in the zip. They say the same thing.
    #[test]
    fn the_firewall_rule_is_the_same_in_doctor_app_and_readme() {
        let rule = firewall_rule(41800);
        assert!(rule.contains("localport=5353,41800,41801 profile=any"), "{rule}");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for file in ["ui/src/components/panels.tsx", "scripts/windows/README-windows.txt"] {
            let text = std::fs::read_to_string(root.join(file)).unwrap();
            assert!(text.contains(&rule), "{file} does not show {rule}");
        }
    }

    #[test]
    fn advice_names_missing_mdns_other_versions_and_failed_connections() {
        let lines = advise(
            &[],
            &[],
            &[json!({"addr": "10.0.0.9:41000", "reason": "no answer within 4s"})],
            41000,
            5.0,
        );
        assert_eq!(lines[0], "Connected to no peer within 5 s.");
        assert!(
            lines[1].contains("Nothing answered on mDNS") && lines[1].contains("--peer HOST:PORT"),
            "{lines:?}"
        );
        assert!(
            lines[2].starts_with("Could not connect to 10.0.0.9:41000: no answer within 4s."),
            "{lines:?}"
        );
        assert!(lines.last().unwrap().contains("UDP port 41000"));
        let old = json!({"via": "mdns", "name": "oldbox", "addr": "10.0.0.5:4000", "protocol_version": 1});
        let lines = advise(&[old], &[json!({})], &[], 1, 5.0);
        assert_eq!(lines[0], "Connected to 1 peer(s).");
        assert!(
            lines.iter().any(|l| l
                == &format!("oldbox at 10.0.0.5:4000 speaks protocol 1, this lanspread speaks {PROTOCOL_VERSION}: update lanspread on one of the machines.")),
            "{lines:?}"
        );
        assert!(!lines.iter().any(|l| l.contains("Nothing answered on mDNS")));
        let beacon_only = json!({"via": "beacon", "name": "box", "addr": "10.0.0.6:41800", "protocol_version": PROTOCOL_VERSION});
        let lines = advise(&[beacon_only], &[json!({})], &[], 41_800, 5.0);
        assert!(lines.iter().any(|l| l.contains("drops multicast; the beacon covers for it")), "{lines:?}");
        assert!(lines[1].contains(&BEACON_PORT.to_string()) || !lines[1].contains("Nothing"), "{lines:?}");
    }
}
