//! The broadcast beacon datagram (see `lanspread_peer::fuzz::beacon`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lanspread_peer::fuzz::beacon(data));
