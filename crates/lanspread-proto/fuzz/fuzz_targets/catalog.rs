//! catalog.json: arbitrary bytes load or fail with a typed error; a loaded catalog is
//! consistent (every entry found by id, every pin found by version) and survives being written
//! out (format 2) and read back.
#![no_main]

use lanspread_proto::Catalog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(c) = Catalog::from_json(data) else { return };
    for e in c.entries() {
        assert_eq!(c.get(&e.id), Some(e));
        assert_eq!(c.get_str(e.id.as_str()), Some(e));
    }
    // Written out (as format 2, with name and pins) it reads back the same.
    let back = Catalog::from_json(&c.to_json()).expect("a written catalog loads");
    assert_eq!(back.entries(), c.entries());
    assert_eq!(back.name(), c.name());
    assert_eq!(back.pinned_titles(), c.pinned_titles());
    for e in c.entries() {
        for (v, d) in &e.pins {
            assert_eq!(c.pin(&e.id, v), Some(*d));
        }
    }
});
