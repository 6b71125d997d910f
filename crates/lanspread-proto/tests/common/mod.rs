//! Canonical example messages shared by the golden-fixture and round-trip tests.
#![allow(dead_code)]

use std::net::SocketAddr;

use lanspread_proto::*;

pub(crate) fn game_id(s: &str) -> GameId {
    GameId::new(s).unwrap()
}

pub(crate) fn version(s: &str) -> GameVersion {
    GameVersion::new(s).unwrap()
}

pub(crate) fn path(s: &str) -> RelPath {
    RelPath::new(s).unwrap()
}

pub(crate) fn peer_id(b: u8) -> PeerId {
    PeerId([b; 32])
}

pub(crate) fn game(id: &str, v: &str) -> Game {
    Game {
        id: game_id(id),
        version: version(v),
        size_bytes: 734_003_200,
        file_count: 3,
        manifest_digest: Some(Digest([0x11; 32])),
        unverified: false,
    }
}

pub(crate) fn snapshot() -> LibrarySnapshot {
    LibrarySnapshot::new(
        7,
        vec![game("quake3", "20250314"), Game { manifest_digest: None, ..game("cs16", "1.6") }],
    )
}

pub(crate) fn manifest() -> GameManifest {
    let mib = 1u64 << 20;
    GameManifest::new(
        game_id("quake3"),
        version("20250314"),
        1 << 20,
        vec![
            GameFileDescription {
                path: path("version.ini"),
                size: 9,
                chunks: vec![ChunkHash::of(b"20250314\n")],
            },
            GameFileDescription {
                path: path("quake3.part01.rar"),
                size: 2 * mib + 17,
                chunks: vec![ChunkHash([1; 32]), ChunkHash([2; 32]), ChunkHash([3; 32])],
            },
            GameFileDescription { path: path("docs/readme.nfo"), size: 0, chunks: vec![] },
        ],
        vec![path("baseq3/empty")],
    )
}

pub(crate) fn bitfield() -> Bitfield {
    let mut b = Bitfield::new(4);
    b.set(0);
    b.set(3);
    b
}

fn addrs() -> Vec<SocketAddr> {
    vec!["192.168.1.20:40123".parse().unwrap(), "[fe80::1]:40123".parse().unwrap()]
}

pub(crate) fn hello() -> Hello {
    Hello {
        peer_id: peer_id(0xa1),
        protocol_version: PROTOCOL_VERSION,
        name: "alpha".into(),
        listen_addrs: addrs(),
        library: snapshot(),
        peers: vec![],
    }
}

pub(crate) fn hello_ack() -> HelloAck {
    HelloAck {
        peer_id: peer_id(0xb2),
        protocol_version: PROTOCOL_VERSION,
        name: "bravo".into(),
        listen_addrs: addrs(),
        library: LibrarySnapshot::new(0, vec![]),
        peers: vec![PeerHint { peer_id: peer_id(0xc3), addr: addrs()[0] }],
    }
}

pub(crate) fn delta() -> LibraryDelta {
    let old = snapshot();
    let new = LibrarySnapshot::new(8, vec![game("quake3", "20250401"), game("ut2004", "3369")]);
    LibraryDelta::between(&old, &new)
}

/// One example of every request variant. The match in `request_name` is exhaustive, so a new
/// variant does not compile until it has a name and therefore a fixture.
pub(crate) fn requests() -> Vec<Request> {
    vec![
        Request::Hello(hello()),
        Request::Ping(Ping { nonce: 42, library_rev: 7 }),
        Request::ListGames,
        Request::GetGame(GetGame { game_id: game_id("quake3"), version: Some(version("20250314")) }),
        Request::GetGameFileData(GetGameFileData {
            game_id: game_id("quake3"),
            version: version("20250314"),
            path: path("version.ini"),
        }),
        Request::GetGameFileChunk(GetGameFileChunk {
            game_id: game_id("quake3"),
            version: version("20250314"),
            path: path("quake3.part01.rar"),
            chunk_size: 1 << 20,
            chunk_index: 2,
        }),
        Request::LibraryDelta(delta()),
        Request::SwarmJoin(SwarmJoin {
            game_id: game_id("quake3"),
            version: version("20250314"),
            manifest_digest: manifest().digest(),
            have: bitfield(),
        }),
        Request::Have(Have {
            game_id: game_id("quake3"),
            manifest_digest: manifest().digest(),
            chunks: vec![0, 3],
        }),
    ]
}

pub(crate) fn request_name(r: &Request) -> &'static str {
    match r {
        Request::Hello(_) => "request_hello",
        Request::Ping(_) => "request_ping",
        Request::ListGames => "request_list_games",
        Request::GetGame(_) => "request_get_game",
        Request::GetGameFileData(_) => "request_get_game_file_data",
        Request::GetGameFileChunk(_) => "request_get_game_file_chunk",
        Request::LibraryDelta(_) => "request_library_delta",
        Request::SwarmJoin(_) => "request_swarm_join",
        Request::Have(_) => "request_have",
    }
}

/// One example of every response variant (and of every error code).
pub(crate) fn responses() -> Vec<Response> {
    let mut out = vec![
        Response::HelloAck(hello_ack()),
        Response::Pong(Pong { nonce: 42, library_rev: 3 }),
        Response::Games(GamesList { library_rev: 7, games: snapshot().games }),
        Response::Manifest(manifest()),
        Response::FileData(FileDataHeader { offset: 2 << 20, length: 17, file_size: (2 << 20) + 17 }),
        Response::Ack(Ack { library_rev: 8 }),
        Response::SwarmPeers(SwarmPeers {
            members: vec![
                SwarmMember { peer_id: peer_id(0xa1), have: Bitfield::full(4) },
                SwarmMember { peer_id: peer_id(0xb2), have: bitfield() },
            ],
        }),
    ];
    for code in error_codes() {
        out.push(Response::error(code, "example message"));
    }
    out
}

pub(crate) fn error_codes() -> Vec<ErrorCode> {
    ErrorCode::ALL.to_vec()
}

pub(crate) fn response_name(r: &Response) -> String {
    match r {
        Response::HelloAck(_) => "response_hello_ack".into(),
        Response::Pong(_) => "response_pong".into(),
        Response::Games(_) => "response_games".into(),
        Response::Manifest(_) => "response_manifest".into(),
        Response::FileData(_) => "response_file_data".into(),
        Response::Ack(_) => "response_ack".into(),
        Response::SwarmPeers(_) => "response_swarm_peers".into(),
        Response::Error(e) => {
            format!("response_error_{}", serde_json::to_value(e.code).unwrap().as_str().unwrap())
        }
    }
}
