//! Hostile load against a real in-process peer (the victim): 1,024 `GetGame` streams that never
//! read, plus 16 trickle readers holding whole-file transfers, from a second process (the
//! attacker's receive buffers must not count as the victim's memory). The victim's peak RSS
//! stays bounded and an honest chunk request is answered within 5 s.
//!
//! The attacker is this test binary run again with `LANSPREAD_HOSTILE_LOAD_ADDR` set (see
//! [`attacker_process`]); the file holds nothing else, so the victim's peak RSS is this test's.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use common::*;
use hostile::*;
use lanspread_proto::{
    FileDataHeader, GameId, GameVersion, GetGame, GetGameFileChunk, GetGameFileData, RelPath, Request,
    Response,
    frame::{MAX_REQUEST_FRAME, MAX_SMALL_RESPONSE, encode_frame, read_frame},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const MIB: usize = 1 << 20;
/// Small files that make the manifest large (about 1.5 MB of JSON).
const SMALL_FILES: usize = 12_000;
/// Whole-file targets of the trickle readers: larger than what the receive windows absorb.
const BIG_FILES: usize = 4;
const BIG_FILE: usize = 16 * MIB;
const ADDR_ENV: &str = "LANSPREAD_HOSTILE_LOAD_ADDR";
/// The victim's peak RSS may not exceed this (the budget).
const RSS_BUDGET: u64 = 128 << 20;

fn gid() -> GameId {
    GameId::new("quake3").unwrap()
}

fn ver() -> GameVersion {
    GameVersion::new("1").unwrap()
}

fn big_path(i: usize) -> String {
    format!("pak{i}.pk3")
}

fn small_files() -> Vec<(String, Vec<u8>)> {
    (0..SMALL_FILES)
        .map(|i| (format!("maps/m{:03}/f{i:05}.bsp", i % 200), (i as u32).to_le_bytes().repeat(16)))
        .collect()
}

/// Bytes `range` of big file `i`, made of 1 MiB blocks (written a block at a time, so the test
/// data never sits in the victim's memory).
fn big_bytes(i: usize, range: std::ops::Range<usize>) -> Vec<u8> {
    let mut out = Vec::with_capacity(range.len());
    let mut at = range.start;
    while at < range.end {
        let block = at / MIB;
        let data = bytes((100 + i * 1000 + block) as u64, MIB);
        let from = at - block * MIB;
        let to = (range.end - block * MIB).min(MIB);
        out.extend_from_slice(&data[from..to]);
        at = block * MIB + to;
    }
    out
}

fn write_big_files(game_root: &std::path::Path) {
    use std::io::Write;
    for i in 0..BIG_FILES {
        let mut f = std::fs::File::create(game_root.join(big_path(i))).unwrap();
        for block in 0..BIG_FILE / MIB {
            f.write_all(&big_bytes(i, block * MIB..(block + 1) * MIB)).unwrap();
        }
    }
}

/// The attacker, when this binary runs with `LANSPREAD_HOSTILE_LOAD_ADDR` set (otherwise a
/// no-op). It prints `ATTACKING` once every stream is open and holds them until killed.
#[test]
fn attacker_process() {
    let Ok(addr) = std::env::var(ADDR_ENV) else { return };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(attack(addr.parse().unwrap()));
}

async fn attack(addr: SocketAddr) {
    // 1,024 GetGame streams that never read: one identity, its 4 connections × 256 streams.
    let get_game =
        encode_frame(&Request::GetGame(GetGame { game_id: gid(), version: Some(ver()) }), MAX_REQUEST_FRAME)
            .unwrap();
    let flood = HostileClient::new(alpn());
    let mut held = Vec::new();
    let mut conns = Vec::new();
    for _ in 0..4 {
        let mut conn = flood.connect(addr).await.unwrap();
        for _ in 0..256 {
            let mut st = conn.open_bidirectional_stream().await.unwrap();
            st.write_all(&get_game).await.unwrap();
            st.finish().unwrap();
            held.push(st);
        }
        conns.push(conn);
    }
    // 16 trickle readers: four identities × four whole-file requests, each reading 4 KiB every
    // 100 ms (fast enough never to stall a 256 KiB piece for 15 s, far too slow to deserve a
    // send slot while others wait).
    let mut readers = tokio::task::JoinSet::new();
    let mut clients = vec![flood];
    for id in 0..4 {
        let client = HostileClient::new(alpn());
        let mut conn = client.connect(addr).await.unwrap();
        for j in 0..4 {
            let req = Request::GetGameFileData(GetGameFileData {
                game_id: gid(),
                version: ver(),
                path: RelPath::new(big_path((id + j) % BIG_FILES)).unwrap(),
            });
            let frame = encode_frame(&req, MAX_REQUEST_FRAME).unwrap();
            let mut st = conn.open_bidirectional_stream().await.unwrap();
            st.write_all(&frame).await.unwrap();
            st.finish().unwrap();
            readers.spawn(async move {
                let mut buf = vec![0u8; 4096];
                loop {
                    match st.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                    }
                }
            });
        }
        conns.push(conn);
        clients.push(client);
    }
    println!("ATTACKING");
    tokio::time::sleep(Duration::from_secs(600)).await;
    drop((held, conns, clients, readers));
}

/// Asks for one chunk and reads it completely; returns the bytes.
async fn fetch_chunk(conn: &mut s2n_quic::Connection, path: &str, chunk_size: u32, index: u64) -> Vec<u8> {
    let req = Request::GetGameFileChunk(GetGameFileChunk {
        game_id: gid(),
        version: ver(),
        path: RelPath::new(path).unwrap(),
        chunk_size,
        chunk_index: index,
    });
    let mut st = conn.open_bidirectional_stream().await.unwrap();
    st.write_all(&encode_frame(&req, MAX_REQUEST_FRAME).unwrap()).await.unwrap();
    st.finish().unwrap();
    let resp: Response = read_frame(&mut st, MAX_SMALL_RESPONSE).await.unwrap();
    let Response::FileData(FileDataHeader { length, .. }) = resp else { panic!("{resp:?}") };
    let mut data = vec![0u8; length as usize];
    st.read_exact(&mut data).await.unwrap();
    data
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_unread_manifest_streams_and_trickle_readers_leave_the_victim_bounded_and_serving() {
    let victim = TestPeer::start(PeerSpec::manual("victim"), |d| {
        let files = small_files();
        let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
        write_game(d, "quake3", "1", &refs);
        write_big_files(&d.join("quake3"));
    })
    .await;
    let addr = victim.handle.local_addr();

    // An honest peer fetches the manifest first (it is built once, then served from memory).
    let honest = HostileClient::new(alpn());
    let mut conn = honest.connect(addr).await.unwrap();
    let get_game = Request::GetGame(GetGame { game_id: gid(), version: Some(ver()) });
    let mut manifest = None;
    for _ in 0..60 {
        match request(&mut conn, &get_game).await {
            Ok(Response::Manifest(m)) => {
                manifest = Some(m);
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
    let manifest = manifest.expect("the victim never served its manifest");
    assert_eq!(manifest.files.len(), SMALL_FILES + BIG_FILES + 1, "payload plus version.ini");
    let frame_len = encode_frame(&Response::Manifest(manifest.clone()), usize::MAX).unwrap().len();
    let chunk_size = manifest.chunk_size;
    drop(manifest);
    let before = peak_rss();
    eprintln!(
        "manifest frame {} KiB; victim peak RSS before the attack {} MiB",
        frame_len >> 10,
        before >> 20
    );
    // Without sharing, 1,024 streams would each hold a copy and an encoding of the manifest.
    assert!(1024 * frame_len as u64 > 8 * RSS_BUDGET, "the manifest is too small to test anything");

    let mut attacker = Command::new(std::env::current_exe().unwrap())
        .args(["attacker_process", "--exact", "--nocapture", "--test-threads", "1"])
        .env(ADDR_ENV, addr.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = attacker.stdout.take().unwrap();
    let ready = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout).lines().map_while(Result::ok).any(|l| l.contains("ATTACKING"))
    });
    let ready = tokio::time::timeout(Duration::from_secs(90), ready).await;
    if !matches!(ready, Ok(Ok(true))) {
        let _ = attacker.kill();
        panic!("the attacker did not start: {ready:?}");
    }
    // Let the flood and the trickle readers settle on the victim's send slots.
    tokio::time::sleep(Duration::from_secs(3)).await;

    // An honest chunk request needs a send slot that trickle readers hold: answered in 5 s.
    let t = Instant::now();
    let got =
        tokio::time::timeout(Duration::from_secs(5), fetch_chunk(&mut conn, &big_path(1), chunk_size, 0))
            .await;
    let took = t.elapsed();
    let peak = peak_rss();
    let _ = attacker.kill();
    let _ = attacker.wait();
    let got = got.unwrap_or_else(|_| panic!("no honest chunk within 5 s under attack"));
    assert!(got == big_bytes(1, 0..chunk_size as usize), "the honest chunk differs from the file");
    eprintln!(
        "honest chunk answered in {took:?}; victim peak RSS {} MiB (budget {} MiB)",
        peak >> 20,
        RSS_BUDGET >> 20
    );
    assert!(peak <= RSS_BUDGET, "victim peak RSS {} MiB exceeds {} MiB", peak >> 20, RSS_BUDGET >> 20);
    // And it still answers everything else.
    let pong = request(&mut conn, &Request::Ping(lanspread_proto::Ping { nonce: 7, library_rev: 0 })).await;
    assert!(matches!(pong, Ok(Response::Pong(_))), "{pong:?}");
}
