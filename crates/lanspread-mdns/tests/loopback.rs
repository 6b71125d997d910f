//! Two responders on loopback (multicast enabled) find each other, see TXT updates and goodbyes.
//! Runs only where loopback multicast is on (the test command's network namespace).
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use lanspread_mdns::{Advert, Interfaces, Mdns, MdnsEvent};

fn advert(id_byte: &str, port: u16, rev: u64) -> Advert {
    Advert {
        peer_id: id_byte.repeat(64),
        protocol_version: 1,
        port,
        name: format!("peer-{id_byte}"),
        library_rev: rev,
        library_digest: "0".repeat(64),
    }
}

fn wait_for(
    browser: &mut lanspread_mdns::Browser,
    deadline: Duration,
    mut pred: impl FnMut(&MdnsEvent) -> bool,
) -> Option<MdnsEvent> {
    let end = Instant::now() + deadline;
    while Instant::now() < end {
        if let Ok(Some(ev)) = browser.recv_timeout(Duration::from_millis(100))
            && pred(&ev)
        {
            return Some(ev);
        }
    }
    None
}

#[test]
fn peers_on_loopback_discover_update_and_say_goodbye() {
    let lo = Interfaces::Bind("127.0.0.1".parse().unwrap());
    let a = Mdns::start(lo).unwrap();
    let b = Mdns::start(lo).unwrap();
    a.advertise(&advert("a", 4001, 1)).unwrap();
    b.advertise(&advert("b", 4002, 1)).unwrap();

    let mut browse_a = a.browse().unwrap();
    let started = Instant::now();
    let found = wait_for(
        &mut browse_a,
        Duration::from_secs(10),
        |ev| matches!(ev, MdnsEvent::Resolved(d) if d.advert.peer_id == "b".repeat(64)),
    )
    .expect("a should discover b on loopback");
    eprintln!("discovered in {:?}", started.elapsed());
    let MdnsEvent::Resolved(d) = found else { unreachable!() };
    assert_eq!(d.advert.port, 4002);
    assert_eq!(d.advert.name, "peer-b");
    assert!(d.addrs.iter().any(|ip| ip.is_loopback()), "{:?}", d.addrs);

    // A TXT update (library changed) reaches the browser.
    b.advertise(&advert("b", 4002, 2)).unwrap();
    wait_for(&mut browse_a, Duration::from_secs(10), |ev| {
        matches!(ev, MdnsEvent::Resolved(d) if d.advert.peer_id == "b".repeat(64) && d.advert.library_rev == 2)
    })
    .expect("revision update should be seen");

    // Goodbye on shutdown.
    b.shutdown(Duration::from_secs(2));
    wait_for(
        &mut browse_a,
        Duration::from_secs(10),
        |ev| matches!(ev, MdnsEvent::Removed { peer_id: Some(id) } if *id == "b".repeat(64)),
    )
    .expect("goodbye should be seen");
}
