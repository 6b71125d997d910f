//! The install intent log `.lanspread.json` (see `lanspread_peer::fuzz::intent_log`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lanspread_peer::fuzz::intent_log(data));
