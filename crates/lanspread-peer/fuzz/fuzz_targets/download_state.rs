//! The download state `.lanspread/download.json` (see `lanspread_peer::fuzz::download_state`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lanspread_peer::fuzz::download_state(data));
