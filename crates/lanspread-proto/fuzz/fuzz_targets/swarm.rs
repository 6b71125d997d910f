//! Swarm messages (SwarmJoin, SwarmPeers, Have) and the Bitfield inside them: decode, round
//! trip, and the bitfield's invariants (count ≤ len, nothing past len).
#![no_main]

use lanspread_proto::{Bitfield, Have, MAX_SWARM_CHUNKS, SwarmJoin, SwarmPeers};
use lanspread_proto_fuzz::json_round_trip;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(j) = json_round_trip::<SwarmJoin>(data) {
        check_bitfield(&j.have);
    }
    if let Some(p) = json_round_trip::<SwarmPeers>(data) {
        for m in &p.members {
            check_bitfield(&m.have);
        }
    }
    let _ = json_round_trip::<Have>(data);
    if let Some(b) = json_round_trip::<Bitfield>(data) {
        check_bitfield(&b);
    }
});

fn check_bitfield(b: &Bitfield) {
    assert!(b.len() <= MAX_SWARM_CHUNKS);
    assert!(b.count() <= b.len(), "{b:?}");
    assert!(!b.get(b.len()), "a bit past the length reads as set");
    assert_eq!(b.is_full(), b.count() == b.len());
    let mut c = b.clone();
    c.set(b.len()); // out of range: ignored
    assert_eq!(&c, b);
}
