//! GameManifest: decode, round trip (same digest after a round trip), `validate` never panics,
//! and a manifest that validates keeps the promises the downloader relies on.
#![no_main]

use lanspread_proto::{GameManifest, chunk::chunk_count, global_chunk_index};
use lanspread_proto_fuzz::json_round_trip;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(m) = json_round_trip::<GameManifest>(data) else { return };
    let again: GameManifest =
        serde_json::from_slice(&serde_json::to_vec(&m).expect("encode")).expect("decode");
    assert_eq!(again.digest(), m.digest());
    if m.validate().is_err() {
        let _ = (m.total_size(), m.total_chunks());
        return;
    }
    let mut total = 0u64;
    let mut global = 0u64;
    for (i, f) in m.files.iter().enumerate() {
        assert_eq!(chunk_count(f.size, m.chunk_size), f.chunks.len() as u64);
        assert_eq!(m.file(&f.path).map(|x| &x.path), Some(&f.path), "sorted: binary search finds it");
        assert_eq!(global_chunk_index(&m, i, 0), global);
        global += f.chunks.len() as u64;
        total += f.size; // validate refused overflow
    }
    assert_eq!(m.total_size(), total);
    assert_eq!(m.total_chunks(), global);
    assert!(m.files.iter().any(|f| f.path.is_version_ini()));
});
