//! A hostile peer against a real in-process peer (the victim), over real QUIC on loopback.
//!
//! As a client the hostile peer attacks the victim's server (wrong ALPN, wrong protocol
//! version, oversized / truncated / garbage frames, slowloris, too many connections and
//! streams, paths outside the served roots); as a seeder it feeds a downloading victim lying
//! manifests and data. Each test checks that nothing is written outside the victim's game root,
//! that the victim answers an honest client afterwards, that it says what happened (typed error
//! or event) and that a lying seeder is banned for the game. `docs/security.md` maps every
//! threat to the test here that proves the protection.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use std::{
    path::Path,
    time::{Duration, Instant},
};

use common::*;
use hostile::*;
use lanspread_peer::{PeerCommand, PeerEvent};
use lanspread_proto::{
    ErrorCode, FileDataHeader, GameId, GameVersion, GetGame, GetGameFileChunk, GetGameFileData, Hello,
    LibrarySnapshot, PROTOCOL_VERSION, Ping, Pong, RelPath, Request, Response,
    frame::{MAX_REQUEST_FRAME, MAX_RESPONSE_FRAME, encode_frame},
};

const MIB: usize = 1 << 20;

fn gid(s: &str) -> GameId {
    GameId::new(s).unwrap()
}

fn ver(s: &str) -> GameVersion {
    GameVersion::new(s).unwrap()
}

/// An honest client still gets answers from the victim (ping and its game list).
async fn assert_still_serving(victim: &TestPeer, expect_game: Option<&str>) {
    let honest = HostileClient::new(alpn());
    let mut conn = honest.connect(victim.handle.local_addr()).await.unwrap();
    let pong = request(&mut conn, &Request::Ping(Ping { nonce: 4242, library_rev: 0 })).await.unwrap();
    assert!(matches!(pong, Response::Pong(Pong { nonce: 4242, .. })), "{pong:?}");
    let games = request(&mut conn, &Request::ListGames).await.unwrap();
    let Response::Games(list) = games else { panic!("{games:?}") };
    if let Some(id) = expect_game {
        assert!(list.games.iter().any(|g| g.id.as_str() == id), "{list:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// The hostile peer as a client of the victim's server.
// ---------------------------------------------------------------------------------------------

/// A victim serving `quake3` 1 (a payload file, a symlink to a file outside the root and one to
/// a directory outside it), a complete non-catalog game `homebrew` and an incomplete `doom2`.
struct Served {
    victim: TestPeer,
    outside: tempfile::TempDir,
    pak: Vec<u8>,
}

async fn served_victim() -> Served {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), b"SECRET OUTSIDE THE ROOT").unwrap();
    let pak = bytes(7, MIB + 4321);
    let (o, p) = (outside.path().to_path_buf(), pak.clone());
    let victim = TestPeer::start(PeerSpec::manual("victim"), move |d| {
        write_game(d, "quake3", "1", &[("baseq3/pak0.pk3", &p)]);
        std::os::unix::fs::symlink(o.join("secret.txt"), d.join("quake3/link.pk3")).unwrap();
        std::os::unix::fs::symlink(&o, d.join("quake3/linkdir")).unwrap();
        write_game(d, "homebrew", "1", &[("secret.txt", b"NOT IN THE CATALOG")]);
        std::fs::create_dir_all(d.join("doom2")).unwrap();
        std::fs::write(d.join("doom2/doom2.wad"), b"partial").unwrap();
    })
    .await;
    Served { victim, outside, pak }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_alpn_is_refused_at_the_handshake_and_the_victim_keeps_serving() {
    let logs = capture_logs();
    let s = served_victim().await;
    let addr = s.victim.handle.local_addr();
    // The TLS handshake never completes without the common ALPN (s2n-quic drops it quietly or
    // closes it); either way no connection and no request reach the victim.
    let attempts = ["lanspread/0", "lanspread/999", "h3"].map(|alpn| async move {
        let c = HostileClient::new(alpn);
        (alpn, c.connect_within(addr, Duration::from_secs(2)).await.map(|_| ()))
    });
    for (alpn, r) in futures::future::join_all(attempts).await {
        let err = r.err().unwrap_or_else(|| panic!("{alpn} was accepted"));
        eprintln!("{alpn}: {err}");
    }
    let same_alpn = HostileClient::new(alpn());
    assert!(same_alpn.connect_within(addr, Duration::from_secs(2)).await.is_ok(), "control");
    assert_still_serving(&s.victim, Some("quake3")).await;
    // The victim says why in its log (the refusal happens inside s2n-quic, before any request).
    let deadline = Instant::now() + Duration::from_secs(5);
    let needle = "refused an inbound connection during the QUIC/TLS handshake";
    while !logs.text().contains(needle) {
        assert!(Instant::now() < deadline, "no log line about the refused handshakes:\n{}", logs.text());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Log lines of every in-process peer of this test binary, captured from the first call on
/// (other tests' lines land here too; assertions look for specific messages).
struct Logs(&'static std::sync::Mutex<Vec<u8>>);

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

struct LogWriter(&'static std::sync::Mutex<Vec<u8>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() -> Logs {
    static BUF: std::sync::OnceLock<std::sync::Mutex<Vec<u8>>> = std::sync::OnceLock::new();
    let buf = BUF.get_or_init(|| std::sync::Mutex::new(Vec::new()));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .with_ansi(false)
        .with_writer(move || LogWriter(buf))
        .try_init();
    Logs(buf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_hellos_get_typed_errors_and_never_register_the_peer() {
    let mut s = served_victim().await;
    let c = HostileClient::new(alpn());
    let mut conn = c.connect(s.victim.handle.local_addr()).await.unwrap();
    let hello = |peer_id, protocol_version, name: &str, addrs: usize| {
        Request::Hello(Hello {
            peer_id,
            protocol_version,
            name: name.into(),
            listen_addrs: (0..addrs).map(|i| format!("127.0.0.1:{}", 1000 + i).parse().unwrap()).collect(),
            library: LibrarySnapshot::new(1, vec![]),
            peers: vec![],
        })
    };
    let me = c.peer_id();
    let r = request(&mut conn, &hello(me, PROTOCOL_VERSION + 1, "h", 1)).await;
    expect_error(r, ErrorCode::ProtocolVersion);
    // Someone else's id (the victim's own) with our certificate: impersonation.
    let r = request(&mut conn, &hello(s.victim.handle.peer_id(), PROTOCOL_VERSION, "h", 1)).await;
    expect_error(r, ErrorCode::Unauthenticated);
    let r =
        request(&mut conn, &hello(me, PROTOCOL_VERSION, "h", lanspread_proto::MAX_LISTEN_ADDRS + 1)).await;
    expect_error(r, ErrorCode::BadRequest);
    let r = request(&mut conn, &hello(me, PROTOCOL_VERSION, "evil\nname", 1)).await;
    expect_error(r, ErrorCode::BadRequest);
    let events = s.victim.collect_for(Duration::from_millis(300)).await;
    assert!(
        !events.iter().any(|e| matches!(e, PeerEvent::PeerDiscovered { .. })),
        "no refused Hello registers a peer: {events:?}"
    );
    assert!(s.victim.db.read().unwrap().get(&me).is_none());
    assert_still_serving(&s.victim, Some("quake3")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_truncated_and_garbage_frames_get_bad_request() {
    let s = served_victim().await;
    let c = HostileClient::new(alpn());
    let mut conn = c.connect(s.victim.handle.local_addr()).await.unwrap();
    let rss_before = peak_rss();

    // A header announcing 4 GiB, and more than the cap by one, with the stream left open: the
    // victim answers at once from the header alone (no wait for, no buffer for the body).
    for len in [u32::MAX, MAX_REQUEST_FRAME as u32 + 1] {
        let t = Instant::now();
        let r = send_raw(&mut conn, &len.to_be_bytes(), false, Duration::from_secs(3)).await;
        let msg = expect_error(r, ErrorCode::BadRequest);
        assert!(msg.contains(&format!("{MAX_REQUEST_FRAME}-byte cap")), "{msg}");
        assert!(t.elapsed() < Duration::from_secs(2), "answered from the header: {:?}", t.elapsed());
    }
    // Truncated: half a header, or a header promising more than arrives, then FIN.
    for bytes in [vec![0u8, 0], [&100u32.to_be_bytes()[..], b"{\"type\":"].concat()] {
        let r = send_raw(&mut conn, &bytes, true, Duration::from_secs(3)).await;
        let msg = expect_error(r, ErrorCode::BadRequest);
        assert!(msg.contains("truncated"), "{msg}");
    }
    // Garbage: not JSON; JSON of an unknown request; an HTTP request (its first four bytes read
    // as a ~1.1 GB length).
    let junk = [&16u32.to_be_bytes()[..], &[0xde; 16]].concat();
    let unknown = raw_frame(&serde_json::json!({"type": "format_disk", "drive": "C:"}));
    for bytes in [junk, unknown] {
        let r = send_raw(&mut conn, &bytes, true, Duration::from_secs(3)).await;
        let msg = expect_error(r, ErrorCode::BadRequest);
        assert!(msg.contains("malformed"), "{msg}");
    }
    let r = send_raw(&mut conn, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", true, Duration::from_secs(3)).await;
    assert!(expect_error(r, ErrorCode::BadRequest).contains("cap"));
    assert!(peak_rss() < rss_before + (256 << 20), "no buffer was sized by an announced length");
    // The same connection keeps working for well-formed requests.
    let r = request(&mut conn, &Request::ListGames).await.unwrap();
    assert!(matches!(r, Response::Games(_)), "{r:?}");
    assert_still_serving(&s.victim, Some("quake3")).await;
}

/// Reads from a stream until it ends; returns how it ended.
async fn stream_end(s: &mut s2n_quic::stream::BidirectionalStream) -> String {
    loop {
        match s.receive().await {
            Ok(Some(_)) => {}
            Ok(None) => return "finished".into(),
            Err(e) => return format!("{e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_streams_are_reset_after_the_read_timeout_while_others_are_served() {
    use tokio::io::AsyncWriteExt;
    let s = served_victim().await;
    let c = HostileClient::new(alpn());
    let mut conn = c.connect(s.victim.handle.local_addr()).await.unwrap();
    let started = Instant::now();
    let mut slow = Vec::new();
    for i in 0..32u32 {
        let mut st = conn.open_bidirectional_stream().await.unwrap();
        // Half a header, or a header and half a body; never more.
        let half = if i % 2 == 0 { vec![0u8, 0] } else { [&64u32.to_be_bytes()[..], b"{\"ty"].concat() };
        st.write_all(&half).await.unwrap();
        st.flush().await.unwrap();
        slow.push(st);
    }
    // Meanwhile the victim serves others, on another connection and on this one.
    for _ in 0..3 {
        let t = Instant::now();
        assert_still_serving(&s.victim, Some("quake3")).await;
        let r = request(&mut conn, &Request::ListGames).await.unwrap();
        assert!(matches!(r, Response::Games(_)));
        assert!(t.elapsed() < Duration::from_secs(2), "served promptly: {:?}", t.elapsed());
    }
    // Every slow stream is reset by the victim after its 10 s read timeout; none is answered.
    let ends = tokio::time::timeout(Duration::from_secs(14), async {
        let mut out = Vec::new();
        for st in &mut slow {
            out.push(stream_end(st).await);
        }
        out
    })
    .await
    .expect("the victim never timed out the slow streams");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(9), "not before the read timeout: {waited:?}");
    for e in &ends {
        assert!(e.contains("reset") || e.contains("Reset"), "stream reset, not answered: {e}");
    }
    assert_still_serving(&s.victim, Some("quake3")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_and_stream_caps_hold_and_the_victim_stays_responsive() {
    use tokio::io::AsyncWriteExt;
    let s = served_victim().await;
    let addr = s.victim.handle.local_addr();
    let c = HostileClient::new(alpn());
    // MAX_CONNECTIONS_PER_PEER = 4 for one identity: a fifth is closed by the victim.
    let mut conns = Vec::new();
    for _ in 0..4 {
        let mut conn = c.connect(addr).await.unwrap();
        let r = request(&mut conn, &Request::ListGames).await.unwrap();
        assert!(matches!(r, Response::Games(_)));
        conns.push(conn);
    }
    let mut fifth = c.connect(addr).await.unwrap();
    let r = request(&mut fifth, &Request::ListGames).await;
    let err = r.expect_err("a fifth connection of one peer is refused");
    assert!(err.contains("closed on the application level") && err.contains("3"), "{err}");
    // Once one closes, a new one is accepted (as soon as the victim has seen the close: on a
    // loaded machine that can take longer than a fixed pause, so retry for a while).
    conns.pop().unwrap().close(0u32.into());
    let mut accepted = Err(String::new());
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let mut again = c.connect(addr).await.unwrap();
        accepted = request(&mut again, &Request::ListGames).await;
        if accepted.is_ok() {
            break;
        }
    }
    assert!(matches!(accepted, Ok(Response::Games(_))), "{accepted:?}");

    // MAX_STREAMS_PER_CONNECTION = 256: 256 streams that never finish their request fit, the
    // 257th cannot even be opened until one of them ends. (A fresh connection: the credit of
    // closed streams comes back in batches.)
    let streamer = HostileClient::new(alpn());
    let conn = &mut streamer.connect(addr).await.unwrap();
    let mut open = Vec::new();
    for i in 0..256 {
        // No flush: it would wait for an acknowledgement per stream.
        let opening = tokio::time::timeout(Duration::from_secs(2), conn.open_bidirectional_stream());
        let mut st = opening.await.unwrap_or_else(|_| panic!("stream {i} of 256 blocked")).unwrap();
        st.write_all(&[0]).await.unwrap();
        open.push(st);
    }
    let blocked = tokio::time::timeout(Duration::from_secs(1), async {
        let mut st = conn.open_bidirectional_stream().await.unwrap();
        st.write_all(&[0]).await.unwrap();
    })
    .await;
    assert!(blocked.is_err(), "a 257th concurrent stream was accepted");
    // Other connections and peers are served meanwhile.
    assert!(matches!(request(&mut conns[1], &Request::ListGames).await.unwrap(), Response::Games(_)));
    assert_still_serving(&s.victim, Some("quake3")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_outside_the_served_roots_get_typed_errors_and_no_bytes() {
    let s = served_victim().await;
    let c = HostileClient::new(alpn());
    let mut conn = c.connect(s.victim.handle.local_addr()).await.unwrap();
    let data_req = |game: &str, version: &str, path: &str| {
        raw_frame(&serde_json::json!({
            "type": "get_game_file_data", "game_id": game, "version": version, "path": path,
        }))
    };
    let t3 = Duration::from_secs(3);

    // Control: the real payload file is served, so the refusals below are not a broken link.
    let ok = data_req("quake3", "1", "baseq3/pak0.pk3");
    let r = send_raw(&mut conn, &ok, true, t3).await.unwrap();
    assert!(
        matches!(r, Response::FileData(FileDataHeader { length, .. }) if length == s.pak.len() as u64),
        "{r:?}"
    );

    // Paths that leave the root never get past decoding.
    for (path, what) in [
        ("../homebrew/secret.txt", "'..'"),
        ("baseq3/../../homebrew/secret.txt", "'..'"),
        ("/etc/passwd", "absolute"),
        ("C:\\Windows\\win.ini", "absolute"),
        ("C:/Windows/win.ini", "absolute"),
        ("..\\homebrew\\secret.txt", "backslash"),
        ("local/bin/game.exe", "reserved"),
        (".lanspread/state.json", "reserved"),
    ] {
        let r = send_raw(&mut conn, &data_req("quake3", "1", path), true, t3).await;
        let msg = expect_error(r, ErrorCode::BadRequest);
        assert!(msg.contains(what), "{path}: {msg}");
    }
    let r = send_raw(&mut conn, &data_req("../quake3", "1", "baseq3/pak0.pk3"), true, t3).await;
    expect_error(r, ErrorCode::BadRequest);

    // Symlinks in the root (to a file and to a directory outside) are not payload.
    for path in ["link.pk3", "linkdir/secret.txt"] {
        let r = send_raw(&mut conn, &data_req("quake3", "1", path), true, t3).await;
        expect_error(r, ErrorCode::NotFound);
    }
    // A game on disk but not in the catalog is not served, neither manifest nor data.
    let r = send_raw(&mut conn, &data_req("homebrew", "1", "secret.txt"), true, t3).await;
    expect_error(r, ErrorCode::NotInCatalog);
    let get = |id: &str, v: Option<&str>| Request::GetGame(GetGame { game_id: gid(id), version: v.map(ver) });
    expect_error(request(&mut conn, &get("homebrew", None)).await, ErrorCode::NotInCatalog);
    // In the catalog but not here / not complete here / another version.
    expect_error(request(&mut conn, &get("ut99", None)).await, ErrorCode::UnknownGame);
    let r = send_raw(&mut conn, &data_req("ut99", "1", "x.rar"), true, t3).await;
    expect_error(r, ErrorCode::UnknownGame);
    expect_error(request(&mut conn, &get("doom2", None)).await, ErrorCode::NotReady);
    let r = send_raw(&mut conn, &data_req("doom2", "1", "doom2.wad"), true, t3).await;
    expect_error(r, ErrorCode::NotReady);
    expect_error(request(&mut conn, &get("quake3", Some("2"))).await, ErrorCode::VersionMismatch);
    // A valid path that is not a payload file; chunk outside the file; bad chunk size.
    let r = send_raw(&mut conn, &data_req("quake3", "1", "baseq3/nothere.pk3"), true, t3).await;
    expect_error(r, ErrorCode::NotFound);
    let chunk = |index: u64, chunk_size: u32| {
        Request::GetGameFileChunk(GetGameFileChunk {
            game_id: gid("quake3"),
            version: ver("1"),
            path: RelPath::new("baseq3/pak0.pk3").unwrap(),
            chunk_size,
            chunk_index: index,
        })
    };
    expect_error(request(&mut conn, &chunk(2, MIB as u32)).await, ErrorCode::NotFound);
    expect_error(request(&mut conn, &chunk(0, 1000)).await, ErrorCode::BadRequest);
    assert!(matches!(request(&mut conn, &chunk(1, MIB as u32)).await.unwrap(), Response::FileData(_)));

    // Nothing outside was read out or touched.
    assert_eq!(std::fs::read(s.outside.path().join("secret.txt")).unwrap(), b"SECRET OUTSIDE THE ROOT");
    assert_still_serving(&s.victim, Some("quake3")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_bodies_share_a_memory_budget_that_stalled_streams_cannot_exceed() {
    use tokio::io::AsyncWriteExt;
    let s = served_victim().await;
    let addr = s.victim.handle.local_addr();
    // Eight streams announce near-cap requests (8 × 8 MiB = the whole 64 MiB budget) and then
    // trickle: together they may hold no more than the budget, whatever else arrives.
    let attacker = HostileClient::new(alpn());
    let mut conn = attacker.connect(addr).await.unwrap();
    let mut hogs = Vec::new();
    for _ in 0..8 {
        let mut st = conn.open_bidirectional_stream().await.unwrap();
        st.write_all(&(MAX_REQUEST_FRAME as u32).to_be_bytes()).await.unwrap();
        st.write_all(b"{").await.unwrap();
        hogs.push(st);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A ninth large request (128 KiB, complete) must wait for room in the budget...
    let padded = raw_frame(&serde_json::json!({"type": "list_games", "pad": "x".repeat(128 << 10)}));
    let other = HostileClient::new(alpn());
    let mut conn2 = other.connect(addr).await.unwrap();
    let big = send_raw(&mut conn2, &padded, true, Duration::from_millis(800)).await;
    assert!(big.is_err(), "a large request was buffered beyond the budget: {big:?}");
    // ...while small requests (pings, chunk requests, a small Hello) are served as usual.
    assert_still_serving(&s.victim, Some("quake3")).await;
    // Once the hogs are gone the large request goes through.
    for mut st in hogs {
        let _ = st.reset(0u32.into());
    }
    let big = send_raw(&mut conn2, &padded, true, Duration::from_secs(3)).await;
    assert!(matches!(big, Ok(Response::Games(_))), "{big:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_swarm_announcements_are_refused() {
    let s = served_victim().await;
    let c = HostileClient::new(alpn());
    let mut conn = c.connect(s.victim.handle.local_addr()).await.unwrap();
    let have = Request::Have(lanspread_proto::Have {
        game_id: gid("quake3"),
        manifest_digest: lanspread_proto::Digest([1; 32]),
        chunks: (0..lanspread_proto::MAX_HAVE_CHUNKS as u64 + 1).collect(),
    });
    let msg = expect_error(request(&mut conn, &have).await, ErrorCode::BadRequest);
    assert!(msg.contains(&lanspread_proto::MAX_HAVE_CHUNKS.to_string()), "{msg}");
    // A bitfield claiming more chunks than any manifest can have is not even decoded.
    let join = raw_frame(&serde_json::json!({
        "type": "swarm_join", "game_id": "quake3", "version": "1",
        "manifest_digest": lanspread_proto::Digest([1; 32]),
        "have": {"len": lanspread_proto::MAX_SWARM_CHUNKS + 1, "bits": ""},
    }));
    let r = send_raw(&mut conn, &join, true, Duration::from_secs(3)).await;
    assert!(expect_error(r, ErrorCode::BadRequest).contains("exceeds"));
    assert_still_serving(&s.victim, Some("quake3")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payload_swapped_for_a_symlink_after_the_scan_is_not_followed() {
    let s = served_victim().await;
    let c = HostileClient::new(alpn());
    let mut conn = c.connect(s.victim.handle.local_addr()).await.unwrap();
    let pak = s.victim.game_dir.join("quake3/baseq3/pak0.pk3");
    // The scan listed pak0.pk3 as a regular file; now it points outside (a local attacker, or
    // a race). The server resolves the path again at open time and refuses.
    std::fs::remove_file(&pak).unwrap();
    std::os::unix::fs::symlink(s.outside.path().join("secret.txt"), &pak).unwrap();
    let req = Request::GetGameFileData(GetGameFileData {
        game_id: gid("quake3"),
        version: ver("1"),
        path: RelPath::new("baseq3/pak0.pk3").unwrap(),
    });
    let r = request(&mut conn, &req).await;
    expect_error(r, ErrorCode::NotFound);
    assert_still_serving(&s.victim, Some("quake3")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receivers_that_never_read_hold_at_most_sixteen_send_slots() {
    use tokio::io::AsyncReadExt;
    // An 8 MiB file: one transfer cannot fit the 4 MiB stream window, so a receiver that
    // stops reading after the header keeps its transfer (and its send slot) open.
    let big = bytes(3, 8 * MIB);
    let victim =
        TestPeer::start(PeerSpec::manual("victim"), |d| write_game(d, "quake3", "1", &[("big.pk3", &big)]))
            .await;
    let req = Request::GetGameFileData(GetGameFileData {
        game_id: gid("quake3"),
        version: ver("1"),
        path: RelPath::new("big.pk3").unwrap(),
    });
    let frame =
        lanspread_proto::frame::encode_frame(&req, lanspread_proto::frame::MAX_REQUEST_FRAME).unwrap();
    // 24 transfers over six identities × one connection × four streams: each connection's
    // 16 MiB window fills, so no transfer can finish while nobody reads.
    let mut streams = Vec::new();
    let mut conns = Vec::new();
    for _ in 0..6 {
        let c = HostileClient::new(alpn());
        let mut conn = c.connect(victim.handle.local_addr()).await.unwrap();
        for _ in 0..4 {
            let mut st = conn.open_bidirectional_stream().await.unwrap();
            tokio::io::AsyncWriteExt::write_all(&mut st, &frame).await.unwrap();
            st.finish().unwrap();
            streams.push(st);
        }
        conns.push((c, conn));
    }
    // A transfer has started once its 4-byte frame header arrives.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut started = 0;
    for st in &mut streams {
        let mut hdr = [0u8; 4];
        if tokio::time::timeout(Duration::from_millis(20), st.read_exact(&mut hdr)).await.is_ok() {
            started += 1;
        }
    }
    assert!(started <= 16, "{started} transfers run at once; serving memory must stay bounded");
    assert!(started >= 8, "only {started} transfers started");
    // The victim still answers others (control requests need no send slot).
    assert_still_serving(&victim, Some("quake3")).await;
    // Readers that go away free their slots: the waiting transfers start.
    streams.truncate(0);
    conns.truncate(0);
    let c = HostileClient::new(alpn());
    let mut conn = c.connect(victim.handle.local_addr()).await.unwrap();
    let r = tokio::time::timeout(Duration::from_secs(10), request(&mut conn, &req)).await.unwrap();
    assert!(matches!(r, Ok(Response::FileData(_))), "{r:?}");
}

// ---------------------------------------------------------------------------------------------
// The hostile peer as a seeder the victim downloads from.
// ---------------------------------------------------------------------------------------------

fn fake_quake3() -> FakeGame {
    FakeGame::new(
        "quake3",
        "1",
        &[("baseq3/pak0.pk3", bytes(11, 2 * MIB + 77)), ("readme.txt", b"hi".to_vec())],
    )
}

/// A victim with an empty library (plus whatever `setup` adds) connected to a hostile seeder.
async fn downloading_victim(server: &HostileServer, setup: impl FnOnce(&Path)) -> TestPeer {
    let victim = TestPeer::start(PeerSpec::manual("victim"), setup).await;
    victim.handle.connect_to(server.addr, server.peer_id()).await.unwrap();
    victim
        .handle
        .command(PeerCommand::GetGame { id: gid("quake3"), download: true, accept_unverified: false })
        .await
        .unwrap();
    victim
}

async fn wait_misbehaved(v: &mut TestPeer, hostile: lanspread_proto::PeerId) -> String {
    let ev = v
        .wait_for("peer misbehaved", Duration::from_secs(8), |e| {
            matches!(e, PeerEvent::PeerMisbehaved { peer_id, game: Some(g), .. }
                if *peer_id == hostile && g.as_str() == "quake3")
        })
        .await;
    let PeerEvent::PeerMisbehaved { reason, .. } = ev else { unreachable!() };
    reason
}

async fn wait_failed(v: &mut TestPeer) -> lanspread_peer::ErrorInfo {
    let ev = v
        .wait_for("download failed", Duration::from_secs(8), |e| {
            matches!(
                e,
                PeerEvent::DownloadGameFilesFailed { .. } | PeerEvent::DownloadGameFilesFinished { .. }
            )
        })
        .await;
    match ev {
        PeerEvent::DownloadGameFilesFailed { error, .. } => error,
        other => panic!("a hostile seeder's download finished: {other:?}"),
    }
}

fn banned(v: &TestPeer, hostile: lanspread_proto::PeerId) -> bool {
    v.db.read().unwrap().is_banned(&hostile, &gid("quake3"))
}

/// Files of the victim's game dir outside the game root, and in the directory above it.
fn outside_root(v: &TestPeer) -> Vec<String> {
    let mut out: Vec<String> = tree(&v.game_dir)
        .keys()
        .map(|p| p.to_string_lossy().to_string())
        .filter(|p| p != "quake3" && !p.starts_with("quake3/"))
        .collect();
    if let Some(parent) = v.game_dir.parent() {
        for e in std::fs::read_dir(parent).unwrap().flatten() {
            let n = e.file_name().to_string_lossy().to_string();
            if n.contains("hostile-escape") {
                out.push(format!("../{n}"));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeder_manifest_paths_that_escape_are_refused_and_the_seeder_banned() {
    let game = fake_quake3();
    // files[0] is baseq3/pak0.pk3; each case rewrites its path.
    for bad in [
        "../hostile-escape-dotdot",
        "../../hostile-escape-dotdot2",
        "/tmp/hostile-escape-absolute",
        "C:\\hostile-escape-drive",
        "C:/hostile-escape-drive2",
        "baseq3/..\\..\\hostile-escape-backslash",
        "local/hostile-escape-reserved",
    ] {
        let frame = game.manifest_frame_with_path(0, bad);
        let server = HostileServer::start(game.library(), move |r| match r {
            Request::GetGame(_) => Reply::Raw(frame.clone()),
            _ => Reply::Frame(Response::error(ErrorCode::Internal, "no")),
        });
        let mut v = downloading_victim(&server, |_| {}).await;
        let reason = wait_misbehaved(&mut v, server.peer_id()).await;
        assert!(reason.contains("malformed"), "{bad}: {reason}");
        let error = wait_failed(&mut v).await;
        assert!(error.message.contains("no peer served a usable file list"), "{bad}: {error:?}");
        assert!(banned(&v, server.peer_id()), "{bad}: banned for the game");
        assert_eq!(outside_root(&v), Vec::<String>::new(), "{bad}");
        assert!(!Path::new("/tmp/hostile-escape-absolute").exists());
        assert_eq!(
            server.count(|r| matches!(r, Request::GetGameFileData(_) | Request::GetGameFileChunk(_))),
            0
        );
        assert_still_serving(&v, None).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeder_manifest_through_a_symlink_writes_nothing_outside() {
    let game = FakeGame::new("quake3", "1", &[("maps/evil.bsp", b"EVIL".to_vec())]);
    let honest = game.clone();
    let server = HostileServer::start(game.library(), move |r| match r {
        Request::GetGame(_) => Reply::Frame(Response::Manifest(honest.manifest())),
        Request::GetGameFileChunk(c) => {
            let (range, data) = honest.chunk(&c.path, c.chunk_index);
            let len = honest.file(c.path.as_str()).len() as u64;
            Reply::Data(
                Response::FileData(FileDataHeader {
                    offset: range.start,
                    length: data.len() as u64,
                    file_size: len,
                }),
                data,
            )
        }
        _ => Reply::Frame(Response::error(ErrorCode::Internal, "no")),
    });
    // Case 1: a directory inside the root is a symlink to outside. Case 2: the root itself is.
    for root_is_link in [false, true] {
        let outside = tempfile::tempdir().unwrap();
        let o = outside.path().to_path_buf();
        let before = tree(&o);
        let mut v = downloading_victim(&server, move |d| {
            if root_is_link {
                std::os::unix::fs::symlink(&o, d.join("quake3")).unwrap();
            } else {
                std::fs::create_dir_all(d.join("quake3")).unwrap();
                std::os::unix::fs::symlink(&o, d.join("quake3/maps")).unwrap();
            }
        })
        .await;
        let error = wait_failed(&mut v).await;
        assert!(error.message.contains("symbolic link"), "{error:?}");
        assert_eq!(changed(&before, &tree(outside.path())), Vec::<std::path::PathBuf>::new());
        assert!(!v.game_dir.join("quake3/version.ini").exists());
        assert_still_serving(&v, None).await;
    }
}

/// A seeder that answers every data request with `lie(request, honest header, honest bytes)`.
fn lying_seeder(
    game: &FakeGame,
    lie: impl Fn(FileDataHeader, Vec<u8>) -> Reply + Send + Sync + 'static,
) -> HostileServer {
    let honest = game.clone();
    HostileServer::start(game.library(), move |r| match r {
        Request::GetGame(_) => Reply::Frame(Response::Manifest(honest.manifest())),
        Request::GetGameFileChunk(c) => {
            let (range, data) = honest.chunk(&c.path, c.chunk_index);
            let size = honest.file(c.path.as_str()).len() as u64;
            lie(FileDataHeader { offset: range.start, length: data.len() as u64, file_size: size }, data)
        }
        Request::GetGameFileData(d) => {
            let data = honest.file(d.path.as_str()).to_vec();
            let n = data.len() as u64;
            lie(FileDataHeader { offset: 0, length: n, file_size: n }, data)
        }
        _ => Reply::Frame(Response::error(ErrorCode::Internal, "no")),
    })
}

/// After the victim gave up on the seeder: cancel, then check that no lying byte reached the
/// disk (every chunk of a pre-created payload file holds zeros or its verified content) and
/// nothing is committed.
async fn assert_nothing_unverified_written(v: &mut TestPeer, game: &FakeGame) {
    v.handle.command(PeerCommand::Cancel { id: gid("quake3") }).await.unwrap();
    wait_failed(v).await;
    let root = v.game_dir.join("quake3");
    assert!(!root.join("version.ini").exists(), "nothing committed");
    for (p, honest) in &game.files {
        let Ok(data) = std::fs::read(root.join(p)) else { continue };
        assert_eq!(data.len(), honest.len(), "{p}: pre-created at the manifest's size");
        for (i, (got, want)) in data.chunks(MIB).zip(honest.chunks(MIB)).enumerate() {
            assert!(
                got.iter().all(|&b| b == 0) || got == want,
                "{p} chunk {i}: only verified bytes are written"
            );
        }
    }
    assert_eq!(outside_root(v), Vec::<String>::new());
}

fn data_requests(r: &Request) -> Option<(String, u64)> {
    match r {
        Request::GetGameFileChunk(c) => Some((c.path.to_string(), c.chunk_index)),
        Request::GetGameFileData(d) => Some((d.path.to_string(), u64::MAX)),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeder_data_that_fails_its_hash_is_never_written_and_the_seeder_is_banned() {
    let game = fake_quake3();
    let server = lying_seeder(&game, |h, mut data| {
        for b in &mut data {
            *b ^= 0x5a;
        }
        Reply::Data(Response::FileData(h), data)
    });
    let mut v = downloading_victim(&server, |_| {}).await;
    let reason = wait_misbehaved(&mut v, server.peer_id()).await;
    assert!(reason.contains("does not match its hash"), "{reason}");
    assert!(banned(&v, server.peer_id()));
    // Dropped for good: no chunk is asked of it twice, and no new request follows.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let asked: Vec<_> = server.requests.lock().unwrap().iter().filter_map(data_requests).collect();
    let mut unique = asked.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(asked.len(), unique.len(), "never trusted twice for the same chunk: {asked:?}");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(server.count(|r| data_requests(r).is_some()), asked.len(), "no request after the ban");
    assert_nothing_unverified_written(&mut v, &game).await;
    assert_still_serving(&v, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeder_lying_about_lengths_is_banned_and_nothing_is_written() {
    let game = fake_quake3();
    type Lie = fn(FileDataHeader, Vec<u8>) -> Reply;
    let cases: [(&str, Lie, &str); 4] = [
        (
            "header announces a longer file",
            |mut h, d| {
                h.file_size += 1;
                Reply::Data(Response::FileData(h), d)
            },
            "expected",
        ),
        (
            "header announces a shorter range",
            |mut h, mut d| {
                h.length -= 1;
                d.pop();
                Reply::Data(Response::FileData(h), d)
            },
            "expected",
        ),
        (
            "more bytes than announced",
            |h, mut d| {
                d.extend_from_slice(&[0xee; 4096]);
                Reply::Data(Response::FileData(h), d)
            },
            "more bytes than announced",
        ),
        (
            "a response that is not file data",
            |_, _| Reply::Frame(Response::Pong(Pong { nonce: 1, library_rev: 1 })),
            "answered pong",
        ),
    ];
    for (what, lie, expect) in cases {
        let server = lying_seeder(&game, lie);
        let mut v = downloading_victim(&server, |_| {}).await;
        let reason = wait_misbehaved(&mut v, server.peer_id()).await;
        assert!(reason.contains(expect), "{what}: {reason}");
        assert!(banned(&v, server.peer_id()), "{what}");
        assert_nothing_unverified_written(&mut v, &game).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeder_sending_less_than_announced_is_dropped_and_nothing_is_written() {
    let game = fake_quake3();
    // Short data then FIN looks like a network failure: no ban, but the seeder is dropped from
    // the download after MAX_PEER_FAILURES (3) failures in a row and asked nothing more.
    let server = lying_seeder(&game, |h, mut d| {
        d.truncate(d.len() / 2);
        Reply::Data(Response::FileData(h), d)
    });
    let mut v = downloading_victim(&server, |_| {}).await;
    v.wait_for("download begins", Duration::from_secs(5), |e| {
        matches!(e, PeerEvent::DownloadGameFilesBegin { .. })
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let asked = server.count(|r| data_requests(r).is_some());
    assert!((3..=8).contains(&asked), "dropped after a few failures: {asked} requests");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(server.count(|r| data_requests(r).is_some()), asked, "nothing asked after the drop");
    assert!(!banned(&v, server.peer_id()), "a short read is not proof of lying");
    assert_nothing_unverified_written(&mut v, &game).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeder_oversized_and_garbage_frames_are_refused_without_buffering() {
    let game = fake_quake3();
    let rss_before = peak_rss();
    // 1. The manifest answer announces 4 GiB and then stalls: refused from the header alone.
    let honest = game.clone();
    let server = HostileServer::start(game.library(), move |r| match r {
        Request::GetGame(_) => Reply::RawThenHang(u32::MAX.to_be_bytes().to_vec()),
        _ => Reply::Frame(Response::Manifest(honest.manifest())),
    });
    let t = Instant::now();
    let mut v = downloading_victim(&server, |_| {}).await;
    let reason = wait_misbehaved(&mut v, server.peer_id()).await;
    assert!(reason.contains(&format!("{MAX_RESPONSE_FRAME}-byte cap")), "{reason}");
    assert!(t.elapsed() < Duration::from_secs(5), "no wait for the body: {:?}", t.elapsed());
    wait_failed(&mut v).await;
    assert!(banned(&v, server.peer_id()));
    drop(server);

    // 2. Chunk answers: an oversized header, then garbage that is not a frame at all.
    let garbage: [(&str, Vec<u8>, &str); 3] = [
        ("oversized header", (MAX_RESPONSE_FRAME as u32 + 1).to_be_bytes().to_vec(), "exceeds"),
        ("not json", [&5u32.to_be_bytes()[..], b"hello"].concat(), "malformed"),
        ("http", b"HTTP/1.1 200 OK\r\n\r\n".to_vec(), "exceeds"),
    ];
    for (what, bytes, expect) in garbage {
        let server = lying_seeder(&game, move |_, _| Reply::RawThenHang(bytes.clone()));
        let mut v = downloading_victim(&server, |_| {}).await;
        let reason = wait_misbehaved(&mut v, server.peer_id()).await;
        assert!(reason.contains(expect), "{what}: {reason}");
        assert_nothing_unverified_written(&mut v, &game).await;
    }
    assert!(peak_rss() < rss_before + (256 << 20), "no buffer was sized by an announced length");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeder_truncated_manifest_fails_the_download_cleanly() {
    let game = fake_quake3();
    let full = encode_frame(&Response::Manifest(game.manifest()), MAX_RESPONSE_FRAME).unwrap();
    let half = full[..full.len() / 2].to_vec();
    let server = HostileServer::start(game.library(), move |r| match r {
        Request::GetGame(_) => Reply::Raw(half.clone()),
        _ => Reply::Frame(Response::error(ErrorCode::Internal, "no")),
    });
    let mut v = downloading_victim(&server, |_| {}).await;
    let error = wait_failed(&mut v).await;
    assert!(error.message.contains("no peer served a usable file list"), "{error:?}");
    // A cut stream can be the network's fault: reported, not banned.
    assert!(!banned(&v, server.peer_id()));
    assert!(!v.game_dir.join("quake3").exists(), "nothing was created for a manifest never agreed");
    assert_still_serving(&v, None).await;
}

/// Honest seeders holding `game` (written by the real product) and a hostile one announcing the
/// same version with other content; the victim knows all of them.
async fn honest_and_hostile(game: &FakeGame, honest: usize) -> (Vec<TestPeer>, HostileServer, TestPeer) {
    let files: Vec<(String, Vec<u8>)> =
        game.files.iter().filter(|(p, _)| p != "version.ini").cloned().collect();
    let mut seeders = Vec::new();
    for _ in 0..honest {
        let f = files.clone();
        seeders.push(
            TestPeer::start(PeerSpec::manual("honest"), move |d| {
                let f: Vec<(&str, &[u8])> = f.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
                write_game(d, "quake3", "1", &f);
            })
            .await,
        );
    }
    let mut forged = game.clone();
    forged.files.iter_mut().find(|(p, _)| p == "baseq3/pak0.pk3").unwrap().1[5] ^= 1;
    let lies = forged.clone();
    let server = HostileServer::start(forged.library(), move |r| match r {
        Request::GetGame(_) => Reply::Frame(Response::Manifest(lies.manifest())),
        Request::GetGameFileChunk(c) => {
            let (range, data) = lies.chunk(&c.path, c.chunk_index);
            let size = lies.file(c.path.as_str()).len() as u64;
            Reply::Data(
                Response::FileData(FileDataHeader {
                    offset: range.start,
                    length: data.len() as u64,
                    file_size: size,
                }),
                data,
            )
        }
        _ => Reply::Frame(Response::error(ErrorCode::Internal, "no")),
    });
    let victim = TestPeer::start(PeerSpec::manual("victim"), |_| {}).await;
    for s in &seeders {
        victim.handle.connect_to(s.handle.local_addr(), s.handle.peer_id()).await.unwrap();
    }
    victim.handle.connect_to(server.addr, server.peer_id()).await.unwrap();
    victim
        .handle
        .command(PeerCommand::GetGame { id: gid("quake3"), download: true, accept_unverified: false })
        .await
        .unwrap();
    (seeders, server, victim)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_minority_manifest_is_outvoted_banned_and_never_used() {
    let game = fake_quake3();
    let (seeders, server, mut v) = honest_and_hostile(&game, 2).await;
    let ev = v
        .wait_for("disagreement", Duration::from_secs(8), |e| {
            matches!(e, PeerEvent::ManifestDisagreement { .. })
        })
        .await;
    let PeerEvent::ManifestDisagreement { outvoted, .. } = ev else { unreachable!() };
    assert_eq!(outvoted, vec![server.peer_id()]);
    let fin = v
        .wait_for("download end", Duration::from_secs(15), |e| {
            matches!(
                e,
                PeerEvent::DownloadGameFilesFinished { .. } | PeerEvent::DownloadGameFilesFailed { .. }
            )
        })
        .await;
    let PeerEvent::DownloadGameFilesFinished { peers, .. } = fin else { panic!("{fin:?}") };
    assert!(!peers.contains(&server.peer_id()), "the outvoted seeder delivered nothing");
    assert_eq!(server.count(|r| data_requests(r).is_some()), 0, "never asked for data");
    assert!(banned(&v, server.peer_id()));
    same_payload(&seeders[0].game_dir.join("quake3"), &v.game_dir.join("quake3")).unwrap();
    assert_eq!(outside_root(&v), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tie_between_manifests_refuses_the_download() {
    let game = fake_quake3();
    let (_seeders, server, mut v) = honest_and_hostile(&game, 1).await;
    let error = wait_failed(&mut v).await;
    assert_eq!(error.kind, lanspread_peer::ErrorKind::Disagreement, "{error:?}");
    assert!(v.seen.iter().any(|e| matches!(e, PeerEvent::ManifestDisagreement { .. })));
    assert_eq!(server.count(|r| data_requests(r).is_some()), 0);
    assert!(!v.game_dir.join("quake3").exists(), "nothing written without an agreed manifest");
}

/// Chunks 0 and 1 of `x.bin` are honest; every later chunk is short-sent (half, then FIN) until
/// the victim falls back to fetching the file whole, which gets a header and then silence.
fn short_sender_then_staller(game: &FakeGame) -> HostileServer {
    let honest = game.clone();
    HostileServer::start(game.library(), move |r| match r {
        Request::GetGame(_) => Reply::Frame(Response::Manifest(honest.manifest())),
        Request::GetGameFileChunk(c) => {
            let (range, mut data) = honest.chunk(&c.path, c.chunk_index);
            let size = honest.file(c.path.as_str()).len() as u64;
            let header = FileDataHeader { offset: range.start, length: data.len() as u64, file_size: size };
            if c.path.as_str() == "x.bin" && c.chunk_index >= 2 {
                data.truncate(data.len() / 2);
            }
            Reply::Data(Response::FileData(header), data)
        }
        Request::GetGameFileData(d) => {
            let n = honest.file(d.path.as_str()).len() as u64;
            let header = Response::FileData(FileDataHeader { offset: 0, length: n, file_size: n });
            Reply::RawThenHang(encode_frame(&header, MAX_RESPONSE_FRAME).unwrap())
        }
        _ => Reply::Frame(Response::error(ErrorCode::Internal, "no")),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeder_short_sending_until_whole_file_then_stalling_then_cancel_and_resume_from_honest_ends_byte_identical()
 {
    let x: Vec<u8> = bytes(21, 8 * MIB);
    let game = FakeGame::new("quake3", "1", &[("x.bin", x.clone()), ("readme.txt", b"hi".to_vec())]);
    // Four identities, so the victim keeps some to ask while others are dropped for failing.
    let hostile: Vec<HostileServer> = (0..4).map(|_| short_sender_then_staller(&game)).collect();
    let mut v = TestPeer::start(PeerSpec::manual("victim"), |_| {}).await;
    for h in &hostile {
        v.handle.connect_to(h.addr, h.peer_id()).await.unwrap();
    }
    v.handle
        .command(PeerCommand::GetGame { id: gid("quake3"), download: true, accept_unverified: false })
        .await
        .unwrap();
    let whole = |hs: &[HostileServer]| {
        hs.iter()
            .map(|h| h.count(|r| matches!(r, Request::GetGameFileData(d) if d.path.as_str() == "x.bin")))
            .sum::<usize>()
    };
    let t = Instant::now();
    while whole(&hostile) == 0 {
        assert!(t.elapsed() < Duration::from_secs(60), "the victim never fell back to a whole-file transfer");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let it truncate the file and wait on the silent stream, then cancel.
    tokio::time::sleep(Duration::from_millis(700)).await;
    v.handle.command(PeerCommand::Cancel { id: gid("quake3") }).await.unwrap();
    v.wait_for("the cancel", Duration::from_secs(10), |e| {
        matches!(e, PeerEvent::DownloadGameFilesFailed { .. })
    })
    .await;
    let on_disk = std::fs::read(v.game_dir.join("quake3/x.bin")).unwrap();
    assert_eq!(on_disk.len(), x.len());
    assert!(on_disk[..MIB] != x[..MIB], "the whole-file fallback truncated x.bin (chunk 0 is gone)");
    drop(hostile);

    // An honest seeder appears; the victim resumes from it and must end byte-identical: the
    // chunks of x.bin verified before the truncation must not be trusted.
    let honest = TestPeer::start(PeerSpec::manual("honest"), |d| {
        write_game(d, "quake3", "1", &[("x.bin", &x), ("readme.txt", b"hi")]);
    })
    .await;
    v.handle.connect_to(honest.handle.local_addr(), honest.handle.peer_id()).await.unwrap();
    let t = Instant::now();
    loop {
        match v
            .handle
            .command(PeerCommand::GetGame { id: gid("quake3"), download: true, accept_unverified: false })
            .await
        {
            Ok(()) => break,
            // The hostile peers are still listed until their pings time out.
            Err(e) => assert!(t.elapsed() < Duration::from_secs(10), "{e:?}"),
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let end = v
        .wait_for("the resumed download", Duration::from_secs(60), |e| {
            matches!(
                e,
                PeerEvent::DownloadGameFilesFinished { .. } | PeerEvent::DownloadGameFilesFailed { .. }
            )
        })
        .await;
    assert!(matches!(end, PeerEvent::DownloadGameFilesFinished { .. }), "{end:?}");
    let got = std::fs::read(v.game_dir.join("quake3/x.bin")).unwrap();
    let first_diff = got.iter().zip(&x).position(|(a, b)| a != b);
    assert!(
        got.len() == x.len() && first_diff.is_none(),
        "x.bin differs from the honest copy at byte {first_diff:?}"
    );
    honest.handle.shutdown().await;
    v.handle.shutdown().await;
}
