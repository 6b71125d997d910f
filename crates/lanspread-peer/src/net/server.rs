//! The QUIC server: accepts connections (identity from the TLS certificate, a cap per peer),
//! reads one request per stream with a timeout, and answers it.
//!
//! Serving rules: only catalog games that are completely downloaded here, only payload files
//! the local scan listed (never reserved names, never symlinks), resolved and checked to stay
//! inside the game root.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use bytes::{Bytes, BytesMut};
use lanspread_proto::{
    ErrorCode, FileDataHeader, FrameError, GameId, GameVersion, GamesList, PeerId, Pong, RelPath, Request,
    Response,
    chunk::{chunk_range, is_valid_chunk_size},
    frame::{FRAME_HEADER_LEN, MAX_REQUEST_FRAME, MAX_RESPONSE_FRAME, encode_frame},
};
use s2n_quic::{connection::Connection, stream::BidirectionalStream};
use tokio::{io::AsyncReadExt, sync::Semaphore};

use super::{CloseCode, REQUEST_READ_TIMEOUT, uploads::Uploads};
use crate::{
    error::ErrorInfo,
    runtime::{Ctx, manifests, sync},
    tasks::Role,
    tls,
};

/// Bytes read from disk and sent per QUIC write.
const SEND_PIECE: usize = 256 << 10;
/// A response or transfer whose receiver accepts nothing for this long is reset.
const SEND_STALL: Duration = Duration::from_secs(15);
/// While another transfer waits for a send slot, a receiver that takes longer than this for one
/// [`SEND_PIECE`] (slower than 128 KiB/s) loses its slot: a trickle reader cannot starve others.
const CONTENDED_PIECE: Duration = Duration::from_secs(2);
/// How often a blocked send checks for contention.
const CONTENTION_CHECK: Duration = Duration::from_millis(250);
/// Encoded response bytes one connection's streams may hold at once (manifests excepted: one
/// shared copy per game serves every stream). Over it, a stream gets `Busy`.
const CONNECTION_RESPONSE_BUDGET: usize = 16 << 20;
/// Responses up to this size are sent outside the budget.
const SMALL_RESPONSE: usize = 64 << 10;
/// Request bytes that all inbound streams together may buffer while their requests arrive.
/// Without it, streams that announce near-cap requests and trickle them in would hold up to
/// 256 streams × 8 MiB per connection until their read timeout.
const REQUEST_BYTES_BUDGET: usize = 64 << 20;
/// Requests up to this size (pings, chunk requests, most Hellos) are read outside the budget,
/// so they are served even while it is exhausted.
const SMALL_REQUEST: usize = 64 << 10;

pub(crate) async fn run(ctx: Arc<Ctx>, mut server: s2n_quic::Server) -> Result<(), ErrorInfo> {
    let budget = Arc::new(Semaphore::new(REQUEST_BYTES_BUDGET));
    let net = ctx.shared.cancel.net.clone();
    loop {
        let conn = tokio::select! {
            biased;
            _ = net.cancelled() => return Ok(()),
            c = server.accept() => match c {
                Some(c) => c,
                None => return Ok(()),
            },
        };
        let (ctx2, budget) = (ctx.clone(), budget.clone());
        let remote = conn.remote_addr().ok();
        let span = tracing::info_span!("conn", remote = ?remote, peer = tracing::field::Empty);
        ctx.shared.tasks.spawn(Role::Work, "connection", span, serve_connection(ctx2, conn, budget));
    }
}

async fn serve_connection(ctx: Arc<Ctx>, mut conn: Connection, budget: Arc<Semaphore>) {
    let remote = match conn.remote_addr() {
        Ok(a) => a,
        Err(_) => return,
    };
    let Some(peer) = tls::peer_id_of(&conn.handle()) else {
        tracing::info!("closing a connection without a client certificate");
        conn.close(CloseCode::NoCertificate.into());
        return;
    };
    tracing::Span::current().record("peer", tracing::field::display(peer.short()));
    let Some(_counted) = ctx.uploads.admit_connection(peer) else {
        tracing::warn!("too many connections from this peer; refusing");
        conn.close(CloseCode::TooManyConnections.into());
        return;
    };
    tracing::debug!("inbound connection");
    let net = ctx.shared.cancel.net.clone();
    let responses = Arc::new(Semaphore::new(CONNECTION_RESPONSE_BUDGET));
    loop {
        let stream = tokio::select! {
            biased;
            _ = net.cancelled() => {
                conn.close(CloseCode::Done.into());
                return;
            }
            s = conn.accept_bidirectional_stream() => match s {
                Ok(Some(s)) => s,
                _ => return,
            },
        };
        let (ctx2, budget, net, responses) = (ctx.clone(), budget.clone(), net.clone(), responses.clone());
        let span = tracing::debug_span!("stream", id = stream.id());
        ctx.shared.tasks.spawn(Role::Work, "stream", span, async move {
            let mut out = Out { stream, responses: &responses };
            tokio::select! {
                _ = net.cancelled() => {}
                _ = serve_stream(&ctx2, peer, remote, &mut out, &budget) => {}
            }
        });
    }
}

async fn serve_stream(
    ctx: &Arc<Ctx>,
    peer: lanspread_proto::PeerId,
    remote: SocketAddr,
    out: &mut Out<'_>,
    budget: &Semaphore,
) {
    let req: Request =
        match tokio::time::timeout(REQUEST_READ_TIMEOUT, read_request(&mut out.stream, budget)).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                tracing::debug!(peer = %peer.short(), error = %e, "bad request frame");
                let _ = out.respond(&Response::error(ErrorCode::BadRequest, e.to_string())).await;
                return;
            }
            Err(_) => {
                tracing::debug!(peer = %peer.short(), "request not received in time; closing the stream");
                let _ = out.stream.reset(CloseCode::RequestTimeout.into());
                return;
            }
        };
    ctx.peers.write().touch(&peer);
    let kind = req.kind();
    let result = match req {
        Request::Hello(hello) => out.respond(&sync::accept_hello(ctx, peer, remote, hello)).await,
        Request::Ping(p) => {
            let rev = ctx.library.rev();
            out.respond(&Response::Pong(Pong { nonce: p.nonce, library_rev: rev })).await
        }
        Request::ListGames => {
            let snap = ctx.library.snapshot();
            out.respond(&Response::Games(GamesList { library_rev: snap.library_rev, games: snap.games }))
                .await
        }
        Request::GetGame(_) | Request::GetGameFileData(_) | Request::GetGameFileChunk(_)
            if ctx.uploads.paused() =>
        {
            out.respond(&Response::error(ErrorCode::Busy, "sharing is paused on this peer")).await
        }
        Request::GetGame(g) => {
            match manifests::manifest_for(ctx, &g.game_id, g.version.as_ref(), Duration::from_secs(5)).await {
                // One encoded frame per manifest, shared by every stream that asks (no copy).
                Ok(m) => match ctx.manifests.frame(&m).await {
                    Ok(frame) => out.send_frame(frame).await,
                    Err(e) => out.respond(&Response::error(ErrorCode::Internal, e.to_string())).await,
                },
                Err(r) => out.respond(&Response::error(r.code, r.message)).await,
            }
        }
        Request::GetGameFileData(r) => {
            serve_file(ctx, out, &r.game_id, &r.version, &r.path, None, peer).await
        }
        Request::GetGameFileChunk(r) => {
            if !is_valid_chunk_size(r.chunk_size) {
                out.respond(&Response::error(ErrorCode::BadRequest, "invalid chunk size")).await
            } else {
                serve_file(
                    ctx,
                    out,
                    &r.game_id,
                    &r.version,
                    &r.path,
                    Some((r.chunk_size, r.chunk_index)),
                    peer,
                )
                .await
            }
        }
        Request::LibraryDelta(d) => out.respond(&sync::accept_delta(ctx, peer, d)).await,
        Request::SwarmJoin(j) => {
            let resp = if ctx.shared.swarming && !ctx.uploads.paused() {
                // A complete local copy of that manifest makes us a member (a seeder).
                if let Some(m) = ctx.manifests.ready(&j.game_id).await
                    && m.version == j.version
                    && m.digest() == j.manifest_digest
                {
                    ctx.swarms.ensure_complete(m, j.manifest_digest);
                }
                ctx.swarms.on_join(ctx.me(), peer, j)
            } else {
                Response::SwarmPeers(lanspread_proto::SwarmPeers { members: vec![] })
            };
            out.respond(&resp).await
        }
        Request::Have(h) => out.respond(&ctx.swarms.on_have(peer, h)).await,
    };
    if let Err(e) = result {
        tracing::debug!(peer = %peer.short(), request = kind, error = %e, "stream ended early");
    }
}

/// Reads one request frame like `frame::read_frame`, but a body larger than [`SMALL_REQUEST`]
/// first takes its announced size from `budget` (released when the request is decoded or the
/// stream fails), so stalled large requests cannot pile up in memory.
async fn read_request(stream: &mut BidirectionalStream, budget: &Semaphore) -> Result<Request, FrameError> {
    let mut header = [0u8; FRAME_HEADER_LEN];
    let mut got = 0;
    while got < FRAME_HEADER_LEN {
        match stream.read(&mut header[got..]).await? {
            0 => break,
            n => got += n,
        }
    }
    if got == 0 {
        return Err(FrameError::Closed);
    }
    if got < FRAME_HEADER_LEN {
        return Err(FrameError::Truncated { expected: FRAME_HEADER_LEN, got });
    }
    let len = u32::from_be_bytes(header) as usize;
    if len > MAX_REQUEST_FRAME {
        return Err(FrameError::TooLarge { len, max: MAX_REQUEST_FRAME });
    }
    let _permit = if len > SMALL_REQUEST {
        // len ≤ MAX_REQUEST_FRAME < REQUEST_BYTES_BUDGET, so the wait always ends (or times out).
        Some(budget.acquire_many(len as u32).await.map_err(|_| std::io::Error::other("server stopped"))?)
    } else {
        None
    };
    let mut body = Vec::with_capacity(len.min(SMALL_REQUEST));
    let got = (&mut *stream).take(len as u64).read_to_end(&mut body).await?;
    if got < len {
        return Err(FrameError::Truncated { expected: len, got });
    }
    serde_json::from_slice(&body).map_err(FrameError::Decode)
}

/// The answering side of one stream, with its connection's response budget.
struct Out<'a> {
    stream: BidirectionalStream,
    responses: &'a Semaphore,
}

/// Why a send gave up.
enum SendFail {
    /// The receiver took nothing for [`SEND_STALL`].
    Stalled,
    /// Another transfer waits for a slot and this receiver is slower than the minimum rate.
    TooSlow,
    /// The stream failed.
    Stream(String),
}

impl Out<'_> {
    /// Encodes and sends one response, then finishes the stream. A large response must fit
    /// the connection's budget; otherwise the stream gets `Busy` (the memory is not taken).
    async fn respond(&mut self, resp: &Response) -> Result<(), String> {
        let frame = encode_frame(resp, MAX_RESPONSE_FRAME).map_err(|e| e.to_string())?;
        let _permit = if frame.len() > SMALL_RESPONSE {
            let want = u32::try_from(frame.len()).unwrap_or(u32::MAX);
            match self.responses.try_acquire_many(want) {
                Ok(p) => Some(p),
                Err(_) => {
                    drop(frame);
                    let busy = Response::error(
                        ErrorCode::Busy,
                        "too many large answers are unread on this connection; read them or try again",
                    );
                    let small = encode_frame(&busy, SMALL_RESPONSE).map_err(|e| e.to_string())?;
                    return self.send_frame(Bytes::from(small)).await;
                }
            }
        } else {
            None
        };
        self.send_frame(Bytes::from(frame)).await
    }

    /// Sends an encoded frame (shared bytes are not copied) in pieces, each with a stall
    /// timeout, then finishes the stream (waiting for the receiver to take everything).
    async fn send_frame(&mut self, frame: Bytes) -> Result<(), String> {
        let mut at = 0;
        while at < frame.len() {
            let end = (at + SEND_PIECE).min(frame.len());
            self.send(frame.slice(at..end), None).await.map_err(|e| self.fail(e))?;
            at = end;
        }
        match tokio::time::timeout(SEND_STALL, self.stream.close()).await {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(_) => Err(self.fail(SendFail::Stalled)),
        }
    }

    /// Sends one piece. Gives up after [`SEND_STALL`] without progress, or — when `uploads`
    /// is given and another peer than the receiver waits for a send slot — after
    /// [`CONTENDED_PIECE`].
    async fn send(&mut self, piece: Bytes, uploads: Option<(&Uploads, PeerId)>) -> Result<(), SendFail> {
        let started = tokio::time::Instant::now();
        let mut send = std::pin::pin!(self.stream.send(piece));
        loop {
            match tokio::time::timeout(CONTENTION_CHECK, &mut send).await {
                Ok(r) => return r.map_err(|e| SendFail::Stream(e.to_string())),
                Err(_) => {
                    let waited = started.elapsed();
                    if waited >= SEND_STALL {
                        return Err(SendFail::Stalled);
                    }
                    if waited >= CONTENDED_PIECE && uploads.is_some_and(|(u, peer)| u.contended_for(&peer)) {
                        return Err(SendFail::TooSlow);
                    }
                }
            }
        }
    }

    /// Resets the stream for `e` and says why, for the log.
    fn fail(&mut self, e: SendFail) -> String {
        match e {
            SendFail::Stalled => {
                let _ = self.stream.reset(CloseCode::SendStalled.into());
                format!("the receiver took nothing for {} s", SEND_STALL.as_secs())
            }
            SendFail::TooSlow => {
                let _ = self.stream.reset(CloseCode::SendStalled.into());
                "the receiver was too slow while others waited for a send slot".to_string()
            }
            SendFail::Stream(e) => e,
        }
    }
}

/// Finds the file to serve, or the error to answer.
#[allow(clippy::result_large_err)] // the error is the answer itself; it is sent, not propagated
fn resolve_served_file(
    ctx: &Ctx,
    game_id: &GameId,
    version: &GameVersion,
    path: &RelPath,
) -> Result<(PathBuf, PathBuf, u64, usize), Response> {
    if !ctx.catalog().contains(game_id) {
        return Err(Response::error(
            ErrorCode::NotInCatalog,
            format!("{game_id} is not in this peer's catalog"),
        ));
    }
    if ctx.ops.is_gated(game_id) {
        return Err(Response::error(ErrorCode::NotReady, format!("{game_id} is being changed on this peer")));
    }
    let local = ctx.library.read();
    let Some(game) = local.library.games.get(game_id) else {
        return Err(Response::error(ErrorCode::UnknownGame, format!("this peer does not have {game_id}")));
    };
    match &game.version {
        None => {
            return Err(Response::error(
                ErrorCode::NotReady,
                format!("{game_id} is not completely downloaded here"),
            ));
        }
        Some(v) if v != version => {
            return Err(Response::error(
                ErrorCode::VersionMismatch,
                format!("this peer has {game_id} version {v}"),
            ));
        }
        Some(_) => {}
    }
    let Ok(idx) = game.files.binary_search_by(|f| f.path.cmp(path)) else {
        return Err(Response::error(
            ErrorCode::NotFound,
            format!("{path} is not a payload file of {game_id}"),
        ));
    };
    let size = game.files[idx].size;
    Ok((game.root.clone(), game.root.join(path.to_path_buf()), size, idx))
}

/// A chunk of a game this peer is still downloading: served when it is verified here.
#[allow(clippy::result_large_err)] // the error is the answer itself
fn partial_chunk(
    ctx: &Ctx,
    game_id: &GameId,
    version: &GameVersion,
    path: &RelPath,
    chunk_size: u32,
    index: u64,
) -> Option<Result<(PathBuf, PathBuf, u64), Response>> {
    if !ctx.shared.swarming || !ctx.catalog().contains(game_id) {
        return None;
    }
    let (manifest, local) = ctx.swarms.partial(game_id, version)?;
    if manifest.chunk_size != chunk_size {
        return Some(Err(Response::error(ErrorCode::BadRequest, "chunk size differs from the manifest")));
    }
    let Ok(file) = manifest.files.binary_search_by(|f| f.path.cmp(path)) else {
        return Some(Err(Response::error(
            ErrorCode::NotFound,
            format!("{path} is not a payload file of {game_id}"),
        )));
    };
    let f = &manifest.files[file];
    if f.path.is_version_ini() || !local.get(lanspread_proto::global_chunk_index(&manifest, file, index)) {
        return Some(Err(Response::error(ErrorCode::NotReady, "that chunk is not verified here yet")));
    }
    let root = ctx.game_root(game_id);
    let full = root.join(path.to_path_buf());
    Some(Ok((root, full, f.size)))
}

/// Opens `path` for reading only if it resolves to a regular file inside `root`.
#[cfg(unix)]
fn open_inside(root: &Path, path: &Path) -> std::io::Result<std::fs::File> {
    let root = std::fs::canonicalize(root)?;
    let real = std::fs::canonicalize(path)?;
    if !real.starts_with(&root) || real == root {
        return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "path escapes the game root"));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW);
    }
    let f = opts.open(&real)?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "not a regular file"));
    }
    Ok(f)
}

/// Opens `path` for reading only if it is a regular file inside `root` reached without any
/// link: every component below `root` is checked not to be a symbolic link or junction. (Not
/// `canonicalize`: its `GetFinalPathNameByHandleW` failed with ERROR_MORE_DATA past 260
/// characters under Wine, which made a seeder with a deep game folder serve nothing.)
#[cfg(not(unix))]
fn open_inside(root: &Path, path: &Path) -> std::io::Result<std::fs::File> {
    let denied = |what: &str| std::io::Error::new(std::io::ErrorKind::PermissionDenied, what.to_string());
    let rel = path.strip_prefix(root).map_err(|_| denied("path escapes the game root"))?;
    let mut at = root.to_path_buf();
    for part in rel.components() {
        let std::path::Component::Normal(name) = part else {
            return Err(denied("path escapes the game root"));
        };
        at.push(name);
        if std::fs::symlink_metadata(&at)?.file_type().is_symlink() {
            return Err(denied("path goes through a link"));
        }
    }
    let f = std::fs::File::open(path)?;
    if !f.metadata()?.is_file() {
        return Err(denied("not a regular file"));
    }
    Ok(f)
}

/// Reads `want` bytes at `offset`. Bytes already in the page cache are read right here
/// (Linux: `preadv2(RWF_NOWAIT)`), which is the common case for a seeder and costs no thread
/// hand-off; only what must come from the disk goes to the blocking pool.
async fn read_piece(file: &Arc<std::fs::File>, offset: u64, want: usize) -> std::io::Result<Bytes> {
    let mut buf = BytesMut::with_capacity(want);
    crate::platform::read_cached(file, &mut buf, want, offset)?;
    if buf.len() < want {
        let file = file.clone();
        buf = tokio::task::spawn_blocking(move || {
            while buf.len() < want {
                let got = buf.len();
                if crate::platform::read_uncached(&file, &mut buf, want, offset + got as u64)? == 0 {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the file shrank while being served",
                    ));
                }
            }
            Ok(buf)
        })
        .await
        .map_err(std::io::Error::other)??;
    }
    Ok(buf.freeze())
}

async fn serve_file(
    ctx: &Arc<Ctx>,
    out: &mut Out<'_>,
    game_id: &GameId,
    version: &GameVersion,
    path: &RelPath,
    chunk: Option<(u32, u64)>,
    peer: lanspread_proto::PeerId,
) -> Result<(), String> {
    // A chunk handed out as a super-seeder counts as in transit until it arrived; if this
    // transfer fails or is dropped, the guard takes the hand-out back.
    let mut handed_out = None;
    let (root, full, size) = match resolve_served_file(ctx, game_id, version, path) {
        Ok((root, full, size, file_idx)) => {
            if let Some((_, idx)) = chunk
                && ctx.shared.swarming
            {
                if !ctx.swarms.admit(game_id, version, file_idx, idx, peer, tokio::time::Instant::now()) {
                    return out
                        .respond(&Response::error(
                            ErrorCode::Busy,
                            "another peer of the swarm has this chunk; fetch it there",
                        ))
                        .await;
                }
                handed_out =
                    Some(HandedOut { ctx, game_id, version, file: file_idx, index: idx, arrived: false });
            }
            (root, full, size)
        }
        Err(resp) => match chunk.and_then(|(cs, idx)| partial_chunk(ctx, game_id, version, path, cs, idx)) {
            // A game we are downloading: only verified chunks are served.
            Some(Ok(x)) => x,
            Some(Err(r)) => return out.respond(&r).await,
            None => return out.respond(&resp).await,
        },
    };
    let range = match chunk {
        None => 0..size,
        Some((cs, idx)) => match chunk_range(size, cs, idx) {
            Some(r) => r,
            None => {
                return out
                    .respond(&Response::error(ErrorCode::NotFound, format!("{path} has no chunk {idx}")))
                    .await;
            }
        },
    };
    let file = match tokio::task::spawn_blocking(move || open_inside(&root, &full)).await {
        Ok(Ok(f)) => f,
        Ok(Err(e)) => {
            tracing::warn!(game = %game_id, %path, error = %e, "refusing to serve a file");
            return out
                .respond(&Response::error(ErrorCode::NotFound, format!("{path} cannot be served: {e}")))
                .await;
        }
        Err(e) => return out.respond(&Response::error(ErrorCode::Internal, e.to_string())).await,
    };
    let asked = std::time::Instant::now();
    let _slot = ctx.uploads.slot(peer).await.ok_or("the server is stopping")?;
    let slotted = asked.elapsed();
    let file = Arc::new(file);
    let header = FileDataHeader { offset: range.start, length: range.end - range.start, file_size: size };
    let header = encode_frame(&Response::FileData(header), SMALL_RESPONSE).map_err(|e| e.to_string())?;
    out.send(Bytes::from(header), Some((&ctx.uploads, peer))).await.map_err(|e| out.fail(e))?;
    let mut at = range.start;
    while at < range.end {
        let want = ((range.end - at) as usize).min(SEND_PIECE);
        let bytes = match read_piece(&file, at, want).await {
            Ok(b) => b,
            Err(e) => {
                // Abort the stream so the reader sees an error rather than a short body.
                let _ = out.stream.reset(CloseCode::ReadFailed.into());
                return Err(format!("{path}: {e}"));
            }
        };
        if let Err(e) = out.send(bytes, Some((&ctx.uploads, peer))).await {
            return Err(format!("{path}: {}", out.fail(e)));
        }
        at += want as u64;
        ctx.uploads.sent(want as u64).await;
    }
    match tokio::time::timeout(SEND_STALL, out.stream.close()).await {
        Ok(r) => r.map_err(|e| e.to_string())?,
        Err(_) => return Err(format!("{path}: {}", out.fail(SendFail::Stalled))),
    }
    if let Some(h) = &mut handed_out {
        h.arrived = true;
    }
    tracing::trace!(
        target: "lanspread_peer::chunks",
        to = %peer.short(),
        %path,
        chunk = ?chunk.map(|c| c.1),
        queued_ms = slotted.as_millis() as u64,
        ms = asked.elapsed().as_millis() as u64,
        "chunk served"
    );
    Ok(())
}

/// Takes back a super-seeder's hand-out of a chunk whose transfer did not complete.
struct HandedOut<'a> {
    ctx: &'a Ctx,
    game_id: &'a GameId,
    version: &'a GameVersion,
    file: usize,
    index: u64,
    arrived: bool,
}

impl Drop for HandedOut<'_> {
    fn drop(&mut self) {
        if !self.arrived {
            self.ctx.swarms.unserve(self.game_id, self.version, self.file, self.index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seeder serves files from a game folder nested past Windows' 260-character limit, and
    /// nothing that is not a regular file inside the game root.
    #[test]
    fn open_inside_serves_deep_files_and_refuses_directories_and_outsiders() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("a".repeat(130)).join("b".repeat(130));
        let dir = root.join("c".repeat(40));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("pak0.pak"), b"payload").unwrap();
        std::fs::write(d.path().join("outside.txt"), b"secret").unwrap();
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut open_inside(&root, &dir.join("pak0.pak")).unwrap(), &mut got)
            .unwrap();
        assert_eq!(got, b"payload");
        assert!(open_inside(&root, &dir).is_err(), "a directory");
        assert!(open_inside(&root, &d.path().join("outside.txt")).is_err(), "outside the root");
        assert!(open_inside(&root, &dir.join("missing")).is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(d.path().join("outside.txt"), dir.join("link")).unwrap();
            assert!(open_inside(&root, &dir.join("link")).is_err(), "a link out of the root");
        }
    }
}
