//! version.ini: arbitrary bytes parse or fail with a typed error; a parsed version round trips
//! through its canonical file, and version ordering is consistent.
#![no_main]

use std::cmp::Ordering;

use lanspread_proto::{GameVersion, version::total_cmp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(v) = GameVersion::from_version_ini(data) else { return };
    let canonical = v.to_version_ini();
    assert_eq!(GameVersion::from_version_ini(canonical.as_bytes()).expect("canonical parses"), v);
    assert_eq!(v.as_str().parse::<GameVersion>().expect("parses"), v);
    assert_eq!(v.compare(&v), Ordering::Equal);
    // Compare against the tail of the input parsed as a second version.
    let split = data.len() / 2;
    if let Ok(w) = GameVersion::from_version_ini(&data[split..]) {
        assert_eq!(v.compare(&w), w.compare(&v).reverse(), "{v} vs {w}");
        assert_eq!(total_cmp(&v, &w), total_cmp(&w, &v).reverse(), "{v} vs {w}");
        assert_eq!(v.compare(&w) == Ordering::Equal, v == w, "{v} vs {w}");
    }
});
