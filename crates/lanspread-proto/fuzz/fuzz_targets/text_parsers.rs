//! version.ini and catalog parsers on arbitrary bytes.
#![no_main]

use lanspread_proto::{Catalog, GameVersion};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = GameVersion::from_version_ini(data) {
        assert_eq!(GameVersion::from_version_ini(v.to_version_ini().as_bytes()).expect("canonical"), v);
    }
    if let Ok(c) = Catalog::from_json(data) {
        for e in c.entries() {
            assert!(c.contains(&e.id));
        }
    }
});
