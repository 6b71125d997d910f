//! Moving bytes: one chunk per QUIC stream (or, as a fallback, one whole file), verified
//! against the agreed hash before anything is written.

use bytes::{Bytes, BytesMut};
use lanspread_proto::{
    ChunkHash, ErrorCode, FileDataHeader, GetGameFileChunk, GetGameFileData, Request, Response,
    frame::{MAX_RESPONSE_FRAME, read_frame},
};
use s2n_quic::{connection::Handle, stream::BidirectionalStream};

use super::scheduler::Failure;
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
    let resp: Response = read_frame(stream, MAX_RESPONSE_FRAME).await.map_err(|e| net_failure(e.into()))?;
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

/// A verified chunk as the pieces QUIC delivered (no copy into one buffer).
#[derive(Debug, Clone)]
pub(crate) struct ChunkData {
    pub(crate) pieces: Vec<Bytes>,
}

impl ChunkData {
    /// The bytes in one buffer (small data such as `version.ini`).
    pub(crate) fn to_vec(&self) -> Vec<u8> {
        self.pieces.concat()
    }
}

/// Fetches one chunk and verifies it while it arrives.
pub(crate) async fn fetch_chunk(
    handle: &Handle,
    req: GetGameFileChunk,
    offset: u64,
    len: u64,
    file_size: u64,
    expected: ChunkHash,
) -> Result<ChunkData, Failure> {
    let mut stream = net::open_stream(handle).await.map_err(net_failure)?;
    net::send_request(&mut stream, &Request::GetGameFileChunk(req)).await.map_err(net_failure)?;
    read_header(&mut stream, offset, len, file_size).await?;
    let mut pieces = Vec::new();
    let mut got = 0u64;
    let mut hasher = blake3::Hasher::new();
    while got < len {
        match stream.receive().await {
            Ok(Some(piece)) => {
                got += piece.len() as u64;
                if got > len {
                    return Err(Failure::BadData("sent more bytes than announced".into()));
                }
                hasher.update(&piece);
                pieces.push(piece);
            }
            Ok(None) => return Err(Failure::Network(format!("stream ended after {got} of {len} bytes"))),
            Err(e) => return Err(Failure::Network(e.to_string())),
        }
    }
    if ChunkHash(*hasher.finalize().as_bytes()) != expected {
        return Err(Failure::BadData(format!("chunk at offset {offset} does not match its hash")));
    }
    Ok(ChunkData { pieces })
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
