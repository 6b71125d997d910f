//! Frame + message decoder: arbitrary bytes must decode or fail with a typed error, and
//! whatever decodes must re-encode to an equal message.
#![no_main]

use lanspread_proto::{
    GameManifest, Request, Response,
    frame::{MAX_REQUEST_FRAME, MAX_RESPONSE_FRAME, decode_frame, encode_frame},
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    check(data);
    // The same bytes as a frame body, so JSON seeds exercise the message decoders directly.
    let mut framed = (data.len() as u32).to_be_bytes().to_vec();
    framed.extend_from_slice(data);
    check(&framed);
});

fn check(data: &[u8]) {
    if let Ok((req, used)) = decode_frame::<Request>(data, MAX_REQUEST_FRAME) {
        assert!(used <= data.len());
        let again = encode_frame(&req, MAX_REQUEST_FRAME).expect("re-encode");
        let (back, _) = decode_frame::<Request>(&again, MAX_REQUEST_FRAME).expect("re-decode");
        assert_eq!(back, req);
    }
    if let Ok((resp, _)) = decode_frame::<Response>(data, MAX_RESPONSE_FRAME) {
        if let Response::Manifest(m) = &resp {
            let _ = m.validate();
            let _ = m.digest();
        }
        let again = encode_frame(&resp, MAX_RESPONSE_FRAME).expect("re-encode");
        let (back, _) = decode_frame::<Response>(&again, MAX_RESPONSE_FRAME).expect("re-decode");
        assert_eq!(back, resp);
    }
    // The body alone as a manifest (the largest message).
    if let Ok(m) = serde_json::from_slice::<GameManifest>(data) {
        let _ = m.validate();
    }
}
