//! LibraryDelta: decode, round trip, and apply onto a small held library. A delta either
//! applies and leaves exactly the digest it announced, or fails and changes nothing.
#![no_main]

use std::collections::BTreeMap;

use lanspread_proto::{Game, GameId, GameVersion, LibraryDelta, LibrarySnapshot};
use lanspread_proto_fuzz::json_round_trip;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(delta) = json_round_trip::<LibraryDelta>(data) else { return };
    let mut held = BTreeMap::new();
    for id in ["a", "quake3"] {
        let id = GameId::new(id).expect("valid id");
        let game = Game {
            id: id.clone(),
            version: GameVersion::new("1").expect("valid version"),
            size_bytes: 1,
            file_count: 1,
            manifest_digest: None,
            unverified: false,
        };
        held.insert(id, game);
    }
    let before = held.clone();
    match delta.apply(delta.base_rev, &mut held) {
        Ok(digest) => {
            assert_eq!(digest, delta.digest);
            let games: Vec<Game> = held.values().cloned().collect();
            assert_eq!(LibrarySnapshot::compute_digest(&games), digest);
        }
        Err(_) => assert_eq!(held, before, "a failed apply must leave the library untouched"),
    }
    // A delta from another revision never applies.
    let mut other = before.clone();
    assert!(delta.apply(delta.base_rev.wrapping_add(1), &mut other).is_err());
    assert_eq!(other, before);
});
