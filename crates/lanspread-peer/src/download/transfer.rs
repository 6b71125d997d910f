//! Moving bytes: one chunk per QUIC stream (or, as a fallback, one whole file), verified
//! against the agreed hash before anything is written.

use bytes::BytesMut;
use lanspread_proto::{
    ChunkHash, ErrorCode, FileDataHeader, GetGameFileChunk, GetGameFileData, Request, Response,
    frame::{MAX_SMALL_RESPONSE, read_frame},
};
use s2n_quic::{connection::Handle, stream::BidirectionalStream};

use super::{
    buf::{BufPool, ChunkBuf},
    scheduler::Failure,
};
use crate::net::{self, NetError};

fn net_failure(e: NetError) -> Failure {
    match e {
        // A swarm member without that chunk yet, or a seeder handing it out elsewhere.
        NetError::Refused(ErrorCode::NotReady | ErrorCode::Busy, m) => Failure::Redirect(m),
        NetError::Refused(code, m) => Failure::Refused(format!("{code:?}: {m}")),
        NetError::Frame(lanspread_proto::FrameError::Decode(e)) => {
            Failure::BadData(format!("malformed answer: {e}"))
        }
        NetError::Frame(lanspread_proto::FrameError::TooLarge { len, max }) => {
            Failure::BadData(format!("answer of {len} bytes exceeds {max}"))
        }
        other => Failure::Network(other.to_string()),
    }
}

/// Reads the data header and checks it announces exactly the expected range.
async fn read_header(
    stream: &mut BidirectionalStream,
    offset: u64,
    length: u64,
    file_size: u64,
) -> Result<(), Failure> {
    let resp: Response = read_frame(stream, MAX_SMALL_RESPONSE).await.map_err(|e| net_failure(e.into()))?;
    match resp {
        Response::FileData(FileDataHeader { offset: o, length: l, file_size: s }) => {
            if o != offset || l != length || s != file_size {
                return Err(Failure::BadData(format!(
                    "announced bytes {o}+{l} of {s}, expected {offset}+{length} of {file_size}"
                )));
            }
            Ok(())
        }
        Response::Error(e) => Err(net_failure(NetError::Refused(e.code, e.message))),
        other => Err(Failure::BadData(format!("answered {} to a data request", other.kind()))),
    }
}

/// A verified chunk in one aligned buffer (see [`super::buf`]).
#[derive(Debug)]
pub(crate) struct ChunkData {
    pub(crate) buf: ChunkBuf,
}

impl ChunkData {
    /// The bytes in a plain vector (small data such as `version.ini`).
    pub(crate) fn to_vec(&self) -> Vec<u8> {
        self.buf.as_slice().to_vec()
    }
}

/// BLAKE3 runs at full SIMD width on runs this long.
const HASH_STEP: usize = 64 << 10;

/// Fetches one chunk into a buffer from `pool` and verifies it while it arrives.
pub(crate) async fn fetch_chunk(
    handle: &Handle,
    req: GetGameFileChunk,
    offset: u64,
    len: u64,
    file_size: u64,
    expected: ChunkHash,
    pool: &BufPool,
) -> Result<ChunkData, Failure> {
    let mut stream = net::open_stream(handle).await.map_err(net_failure)?;
    net::send_request(&mut stream, &Request::GetGameFileChunk(req)).await.map_err(net_failure)?;
    read_header(&mut stream, offset, len, file_size).await?;
    let len = usize::try_from(len).map_err(|_| Failure::BadData("chunk too large".into()))?;
    let mut buf = pool.take(len);
    let mut hasher = blake3::Hasher::new();
    let mut hashed = 0;
    while buf.len() < len {
        match stream.receive().await {
            Ok(Some(piece)) => {
                if piece.len() > len - buf.len() {
                    return Err(Failure::BadData("sent more bytes than announced".into()));
                }
                buf.extend_from_slice(&piece);
                // Hash what just arrived in long runs, while it is still in the cache.
                let ready = buf.len() - (buf.len() - hashed) % HASH_STEP;
                if ready > hashed {
                    hasher.update(&buf.as_slice()[hashed..ready]);
                    hashed = ready;
                }
            }
            Ok(None) => {
                return Err(Failure::Network(format!("stream ended after {} of {len} bytes", buf.len())));
            }
            Err(e) => return Err(Failure::Network(e.to_string())),
        }
    }
    hasher.update(&buf.as_slice()[hashed..]);
    if ChunkHash(*hasher.finalize().as_bytes()) != expected {
        return Err(Failure::BadData(format!("chunk at offset {offset} does not match its hash")));
    }
    Ok(ChunkData { buf })
}

/// Fetches a whole file, verifying and handing over each chunk as it completes.
pub(crate) async fn fetch_file(
    handle: &Handle,
    req: GetGameFileData,
    file_size: u64,
    chunk_size: u32,
    hashes: &[ChunkHash],
    mut on_chunk: impl FnMut(u64, BytesMut) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let mut stream = net::open_stream(handle).await.map_err(net_failure)?;
    net::send_request(&mut stream, &Request::GetGameFileData(req)).await.map_err(net_failure)?;
    read_header(&mut stream, 0, file_size, file_size).await?;
    // QUIC delivers the body in pieces that do not respect chunk boundaries: keep the rest.
    let mut carry = BytesMut::new();
    for (i, expected) in hashes.iter().enumerate() {
        let offset = i as u64 * u64::from(chunk_size);
        let len = (file_size - offset).min(u64::from(chunk_size)) as usize;
        let mut buf = BytesMut::with_capacity(len);
        let take = carry.len().min(len);
        buf.extend_from_slice(&carry.split_to(take));
        while buf.len() < len {
            match stream.receive().await {
                Ok(Some(piece)) => {
                    let need = len - buf.len();
                    if piece.len() > need {
                        buf.extend_from_slice(&piece[..need]);
                        carry.extend_from_slice(&piece[need..]);
                    } else {
                        buf.extend_from_slice(&piece);
                    }
                }
                Ok(None) => {
                    return Err(Failure::Network(format!(
                        "stream ended at {} of {file_size} bytes",
                        offset + buf.len() as u64
                    )));
                }
                Err(e) => return Err(Failure::Network(e.to_string())),
            }
        }
        if ChunkHash::of(&buf) != *expected {
            return Err(Failure::BadData(format!("chunk at offset {offset} does not match its hash")));
        }
        on_chunk(i as u64, buf)?;
    }
    if !carry.is_empty() {
        return Err(Failure::BadData("sent more bytes than announced".into()));
    }
    Ok(())
}
