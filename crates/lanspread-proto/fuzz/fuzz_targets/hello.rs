//! Hello / HelloAck (and the LibrarySnapshot inside): decode, round trip, and the receiver's
//! checks (`validate`, `into_checked`) never panic and keep their promises.
#![no_main]

use lanspread_proto::{Hello, HelloAck, LibrarySnapshot, library::MAX_LIBRARY_GAMES};
use lanspread_proto_fuzz::json_round_trip;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(h) = json_round_trip::<Hello>(data) {
        let _ = h.validate();
        check_snapshot(h.library);
    }
    if let Some(h) = json_round_trip::<HelloAck>(data) {
        let _ = h.validate();
        check_snapshot(h.library);
    }
    if let Some(s) = json_round_trip::<LibrarySnapshot>(data) {
        check_snapshot(s);
    }
});

fn check_snapshot(s: LibrarySnapshot) {
    let games = s.games.clone();
    if let Ok((_, map, digest)) = s.into_checked() {
        assert!(map.len() <= MAX_LIBRARY_GAMES);
        assert_eq!(map.len(), games.len(), "no game may be lost or invented");
        // The digest is recomputed locally and equals that of a freshly built snapshot.
        assert_eq!(digest, LibrarySnapshot::new(0, games).digest);
    }
}
