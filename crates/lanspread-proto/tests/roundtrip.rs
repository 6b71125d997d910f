//! Property tests: encode → decode is the identity for every message and for framing, and
//! truncated, oversized or random input yields a typed error, never a panic.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use lanspread_proto::{
    frame::{
        FrameError, MAX_REQUEST_FRAME, MAX_RESPONSE_FRAME, decode_frame, encode_frame, read_frame,
        write_frame,
    },
    *,
};
use proptest::{collection::vec, option, prelude::*};

fn arb_game_id() -> impl Strategy<Value = GameId> {
    "[a-z0-9][a-z0-9_-]{0,63}".prop_map(|s| GameId::new(s).unwrap())
}

fn arb_version() -> impl Strategy<Value = GameVersion> {
    "[A-Za-z0-9._-]{1,64}".prop_map(|s| GameVersion::new(s).unwrap())
}

fn arb_path() -> impl Strategy<Value = RelPath> {
    vec("[a-zA-Z0-9_][a-zA-Z0-9 _()+-]{0,20}[a-zA-Z0-9_]", 1..5)
        .prop_filter_map("reserved", |parts| RelPath::new(parts.join("/")).ok())
}

fn arb_32() -> impl Strategy<Value = [u8; 32]> {
    any::<[u8; 32]>()
}

fn arb_game() -> impl Strategy<Value = Game> {
    (arb_game_id(), arb_version(), any::<u64>(), any::<u64>(), option::of(arb_32()), any::<bool>()).prop_map(
        |(id, version, size_bytes, file_count, d, unverified)| Game {
            id,
            version,
            size_bytes,
            file_count,
            manifest_digest: d.map(Digest),
            unverified,
        },
    )
}

fn arb_snapshot() -> impl Strategy<Value = LibrarySnapshot> {
    (any::<u64>(), vec(arb_game(), 0..6)).prop_map(|(rev, games)| LibrarySnapshot::new(rev, games))
}

fn arb_addr() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        (any::<[u8; 4]>(), any::<u16>())
            .prop_map(|(ip, p)| SocketAddr::new(IpAddr::V4(Ipv4Addr::from(ip)), p)),
        (any::<[u8; 16]>(), any::<u16>())
            .prop_map(|(ip, p)| SocketAddr::new(IpAddr::V6(Ipv6Addr::from(ip)), p)),
    ]
}

fn arb_hello_parts() -> impl Strategy<Value = (PeerId, u32, String, Vec<SocketAddr>, LibrarySnapshot)> {
    (arb_32().prop_map(PeerId), any::<u32>(), "\\PC{0,64}", vec(arb_addr(), 0..4), arb_snapshot())
}

fn arb_manifest() -> impl Strategy<Value = GameManifest> {
    (arb_game_id(), arb_version(), 0u32..5, vec((arb_path(), 0u64..(5 << 20)), 0..5), vec(arb_path(), 0..3))
        .prop_map(|(id, v, shift, files, dirs)| {
            let cs = (1u32 << 20) << shift;
            let files = files
                .into_iter()
                .map(|(path, size)| GameFileDescription {
                    path,
                    size,
                    chunks: (0..chunk::chunk_count(size, cs))
                        .map(|i| ChunkHash::of(&i.to_le_bytes()))
                        .collect(),
                })
                .collect();
            GameManifest::new(id, v, cs, files, dirs)
        })
}

fn arb_bitfield() -> impl Strategy<Value = Bitfield> {
    (0u64..200, vec(any::<u64>(), 0..20)).prop_map(|(len, set)| {
        let mut b = Bitfield::new(len);
        for i in set {
            if len > 0 {
                b.set(i % len);
            }
        }
        b
    })
}

fn arb_delta() -> impl Strategy<Value = LibraryDelta> {
    (arb_snapshot(), arb_snapshot()).prop_map(|(a, b)| LibraryDelta::between(&a, &b))
}

fn arb_request() -> impl Strategy<Value = Request> {
    prop_oneof![
        arb_hello_parts().prop_map(|(peer_id, protocol_version, name, listen_addrs, library)| {
            Request::Hello(Hello { peer_id, protocol_version, name, listen_addrs, library, peers: vec![] })
        }),
        (any::<u64>(), any::<u64>())
            .prop_map(|(nonce, library_rev)| Request::Ping(Ping { nonce, library_rev })),
        Just(Request::ListGames),
        (arb_game_id(), option::of(arb_version()))
            .prop_map(|(game_id, version)| Request::GetGame(GetGame { game_id, version })),
        (arb_game_id(), arb_version(), arb_path()).prop_map(|(game_id, version, path)| {
            Request::GetGameFileData(GetGameFileData { game_id, version, path })
        }),
        (arb_game_id(), arb_version(), arb_path(), any::<u32>(), any::<u64>()).prop_map(
            |(game_id, version, path, chunk_size, chunk_index)| {
                Request::GetGameFileChunk(GetGameFileChunk {
                    game_id,
                    version,
                    path,
                    chunk_size,
                    chunk_index,
                })
            }
        ),
        arb_delta().prop_map(Request::LibraryDelta),
        (arb_game_id(), arb_version(), arb_32(), arb_bitfield()).prop_map(|(game_id, version, d, have)| {
            Request::SwarmJoin(SwarmJoin { game_id, version, manifest_digest: Digest(d), have })
        }),
        (arb_game_id(), arb_32(), vec(any::<u64>(), 0..50)).prop_map(|(game_id, d, chunks)| Request::Have(
            Have { game_id, manifest_digest: Digest(d), chunks }
        )),
    ]
}

fn arb_response() -> impl Strategy<Value = Response> {
    prop_oneof![
        arb_hello_parts().prop_map(|(peer_id, protocol_version, name, listen_addrs, library)| {
            Response::HelloAck(HelloAck {
                peer_id,
                protocol_version,
                name,
                listen_addrs: listen_addrs.clone(),
                library,
                peers: listen_addrs.iter().map(|a| PeerHint { peer_id, addr: *a }).collect(),
            })
        }),
        (any::<u64>(), any::<u64>())
            .prop_map(|(nonce, library_rev)| Response::Pong(Pong { nonce, library_rev })),
        (any::<u64>(), vec(arb_game(), 0..5))
            .prop_map(|(library_rev, games)| Response::Games(GamesList { library_rev, games })),
        arb_manifest().prop_map(Response::Manifest),
        (any::<u64>(), any::<u64>(), any::<u64>()).prop_map(|(offset, length, file_size)| {
            Response::FileData(FileDataHeader { offset, length, file_size })
        }),
        any::<u64>().prop_map(|library_rev| Response::Ack(Ack { library_rev })),
        (proptest::sample::select(ErrorCode::ALL), "\\PC{0,80}")
            .prop_map(|(code, msg)| Response::error(code, msg)),
        vec((arb_32(), arb_bitfield()), 0..4).prop_map(|m| Response::SwarmPeers(SwarmPeers {
            members: m.into_iter().map(|(p, have)| SwarmMember { peer_id: PeerId(p), have }).collect()
        })),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn request_round_trips(r in arb_request()) {
        let frame = encode_frame(&r, MAX_REQUEST_FRAME).unwrap();
        let (back, used): (Request, usize) = decode_frame(&frame, MAX_REQUEST_FRAME).unwrap();
        prop_assert_eq!(used, frame.len());
        prop_assert_eq!(back, r);
    }

    #[test]
    fn response_round_trips(r in arb_response()) {
        let frame = encode_frame(&r, MAX_RESPONSE_FRAME).unwrap();
        let (back, _): (Response, usize) = decode_frame(&frame, MAX_RESPONSE_FRAME).unwrap();
        prop_assert_eq!(back, r);
    }

    #[test]
    fn a_shared_manifest_frame_is_byte_identical_to_the_response(m in arb_manifest()) {
        let shared = lanspread_proto::frame::encode_manifest_response(&m).unwrap();
        let owned = encode_frame(&Response::Manifest(m.clone()), MAX_RESPONSE_FRAME).unwrap();
        prop_assert_eq!(&shared, &owned);
        let (back, _): (Response, usize) = decode_frame(&shared, MAX_RESPONSE_FRAME).unwrap();
        prop_assert_eq!(back, Response::Manifest(m));
    }

    #[test]
    fn every_truncation_is_a_typed_error(r in arb_request(), cut in any::<prop::sample::Index>()) {
        let frame = encode_frame(&r, MAX_REQUEST_FRAME).unwrap();
        let at = cut.index(frame.len());
        match decode_frame::<Request>(&frame[..at], MAX_REQUEST_FRAME) {
            Err(FrameError::Closed) => prop_assert_eq!(at, 0),
            Err(FrameError::Truncated { .. }) => prop_assert!(at > 0),
            other => prop_assert!(false, "cut at {} of {}: {:?}", at, frame.len(), other),
        }
    }

    #[test]
    fn oversized_frames_are_refused_before_reading(r in arb_response()) {
        let frame = encode_frame(&r, MAX_RESPONSE_FRAME).unwrap();
        let body = frame.len() - 4;
        let res = decode_frame::<Response>(&frame, body - 1);
        let is_too_large = matches!(res, Err(FrameError::TooLarge { len, max }) if len == body && max == body - 1);
        prop_assert!(is_too_large);
        let encode_refused = matches!(encode_frame(&r, body - 1), Err(FrameError::TooLarge { .. }));
        prop_assert!(encode_refused);
    }

    #[test]
    fn random_bytes_never_panic(bytes in vec(any::<u8>(), 0..512)) {
        let _ = decode_frame::<Request>(&bytes, MAX_REQUEST_FRAME);
        let _ = decode_frame::<Response>(&bytes, MAX_RESPONSE_FRAME);
    }

    #[test]
    fn valid_length_random_json_is_a_decode_error(body in "\\PC{0,200}") {
        let mut frame = (body.len() as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(body.as_bytes());
        if let Ok((r, _)) = decode_frame::<Request>(&frame, MAX_REQUEST_FRAME) {
            // Only a genuine request may decode; it must then re-encode to the same value.
            let again = encode_frame(&r, MAX_REQUEST_FRAME).unwrap();
            prop_assert_eq!(decode_frame::<Request>(&again, MAX_REQUEST_FRAME).unwrap().0, r);
        }
    }

    #[test]
    fn async_framing_round_trips_over_a_pipe(rs in vec(arb_request(), 1..4)) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let (mut a, mut b) = tokio::io::duplex(1024);
            let sent = rs.clone();
            let writer = tokio::spawn(async move {
                for r in &sent {
                    write_frame(&mut a, r, MAX_REQUEST_FRAME).await.unwrap();
                }
            });
            for r in &rs {
                let got: Request = read_frame(&mut b, MAX_REQUEST_FRAME).await.unwrap();
                assert_eq!(&got, r);
            }
            writer.await.unwrap();
            assert!(matches!(read_frame::<_, Request>(&mut b, MAX_REQUEST_FRAME).await, Err(FrameError::Closed)));
        });
    }

    #[test]
    fn async_truncation_is_typed(r in arb_request(), cut in any::<prop::sample::Index>()) {
        let frame = encode_frame(&r, MAX_REQUEST_FRAME).unwrap();
        let at = cut.index(frame.len());
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let res = rt.block_on(async { read_frame::<_, Request>(&mut &frame[..at], MAX_REQUEST_FRAME).await });
        match res {
            Err(FrameError::Closed) => prop_assert_eq!(at, 0),
            Err(FrameError::Truncated { .. }) => prop_assert!(at > 0),
            other => prop_assert!(false, "{:?}", other),
        }
    }

    #[test]
    fn manifests_validate_and_hash_stably(m in arb_manifest()) {
        let json = serde_json::to_vec(&m).unwrap();
        let back: GameManifest = serde_json::from_slice(&json).unwrap();
        prop_assert_eq!(back.digest(), m.digest());
    }
}

#[test]
fn async_oversized_header_is_refused_without_allocation() {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    // Announces 4 GiB and sends nothing more.
    let bytes = u32::MAX.to_be_bytes();
    let res = rt.block_on(async { read_frame::<_, Request>(&mut &bytes[..], MAX_REQUEST_FRAME).await });
    assert!(matches!(res, Err(FrameError::TooLarge { len, .. }) if len == u32::MAX as usize));
}

#[test]
fn hostile_paths_do_not_decode() {
    for bad in ["../../etc/passwd", "/etc/passwd", "C:/Windows/x", "local/x", "a/../b", "a\\b"] {
        let json = format!(
            r#"{{"type":"get_game_file_data","game_id":"quake3","version":"1","path":{}}}"#,
            serde_json::to_string(bad).unwrap()
        );
        let mut frame = (json.len() as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(json.as_bytes());
        assert!(
            matches!(decode_frame::<Request>(&frame, MAX_REQUEST_FRAME), Err(FrameError::Decode(_))),
            "{bad}"
        );
    }
}

/// DESIGN: a manifest for a 200 GB game of 100,000 files must fit under the control cap.
#[test]
fn worst_case_manifest_fits_under_the_response_cap() {
    let total: u64 = 200 * 1_000_000_000;
    let files = 100_000u64;
    let chunk_size = chunk::choose_chunk_size(total);
    let per_file = total / files;
    let mut descs: Vec<GameFileDescription> = (0..files - 1)
        .map(|i| {
            let size = per_file;
            GameFileDescription {
                path: RelPath::new(format!(
                    "data/level{:03}/textures/pack_{i:06}_highres_variant.pak",
                    i % 500
                ))
                .unwrap(),
                size,
                chunks: (0..chunk::chunk_count(size, chunk_size))
                    .map(|c| ChunkHash::of(&(i ^ c).to_le_bytes()))
                    .collect(),
            }
        })
        .collect();
    descs.push(GameFileDescription {
        path: RelPath::new("version.ini").unwrap(),
        size: 9,
        chunks: vec![ChunkHash([0; 32])],
    });
    let m = GameManifest::new(
        GameId::new("bigone").unwrap(),
        GameVersion::new("1").unwrap(),
        chunk_size,
        descs,
        vec![],
    );
    m.validate().unwrap();
    let frame = encode_frame(&Response::Manifest(m), MAX_RESPONSE_FRAME).unwrap();
    eprintln!("200 GB / 100k files manifest: {} bytes (cap {MAX_RESPONSE_FRAME})", frame.len());
    assert!(frame.len() < MAX_RESPONSE_FRAME);
}
