//! The hash index cache file (see `lanspread_peer::fuzz::hash_index`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lanspread_peer::fuzz::hash_index(data));
