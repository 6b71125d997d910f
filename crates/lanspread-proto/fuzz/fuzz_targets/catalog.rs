//! catalog.json: arbitrary bytes load or fail with a typed error; a loaded catalog is
//! consistent (every entry found by id) and survives being written out and read back.
#![no_main]

use lanspread_proto::Catalog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(c) = Catalog::from_json(data) else { return };
    for e in c.entries() {
        assert_eq!(c.get(&e.id), Some(e));
        assert_eq!(c.get_str(e.id.as_str()), Some(e));
    }
    let written = serde_json::to_vec(c.entries()).expect("encode");
    let back = Catalog::from_json(&written).expect("a written catalog loads");
    assert_eq!(back, c);
});
