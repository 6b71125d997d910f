//! Framing: a 4-byte big-endian length followed by that many bytes of JSON.
//!
//! Every read is capped: the length is checked against the caller's cap before any payload is
//! read, and the buffer grows only as bytes actually arrive, so a peer that announces a huge
//! frame and then stalls costs nothing. Raw file data follows a [`crate::FileDataHeader`] frame
//! unframed; see [`read_raw_exact`].

use serde::{Serialize, de::DeserializeOwned};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Bytes in the length prefix.
pub const FRAME_HEADER_LEN: usize = 4;

/// Cap for request frames (a Hello with a 20,000-game library fits).
pub const MAX_REQUEST_FRAME: usize = 8 << 20;

/// Cap for response frames. A manifest of a 200 GB game of 100,000 files fits (about 20 MB;
/// checked by a test).
pub const MAX_RESPONSE_FRAME: usize = 48 << 20;

/// Cap for the answers that carry no list: pongs, acks, file-data headers, errors.
pub const MAX_SMALL_RESPONSE: usize = 64 << 10;

/// Errors while reading or writing frames.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The stream ended cleanly before any byte of a frame.
    #[error("stream closed before a message arrived")]
    Closed,
    /// The stream ended in the middle of a frame.
    #[error("truncated frame: expected {expected} bytes, got {got}")]
    Truncated {
        /// Bytes the frame needed (header or payload).
        expected: usize,
        /// Bytes that arrived.
        got: usize,
    },
    /// The announced length exceeds the cap.
    #[error("frame of {len} bytes exceeds the {max}-byte cap")]
    TooLarge {
        /// Announced (or encoded) length.
        len: usize,
        /// The cap in force.
        max: usize,
    },
    /// The bytes are not a valid message.
    #[error("malformed message: {0}")]
    Decode(serde_json::Error),
    /// The message could not be encoded.
    #[error("could not encode message: {0}")]
    Encode(serde_json::Error),
    /// The underlying stream failed.
    #[error("stream error: {0}")]
    Io(std::io::Error),
}

// A manual `From` (not `#[from]`): the cause is in the message, so it is not also a `source`
// (printing the error chain would repeat it).
impl From<std::io::Error> for FrameError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

/// Encodes `msg` as one frame (length prefix + JSON).
pub fn encode_frame<T: Serialize>(msg: &T, max: usize) -> Result<Vec<u8>, FrameError> {
    let mut buf = vec![0u8; FRAME_HEADER_LEN];
    serde_json::to_writer(&mut buf, msg).map_err(FrameError::Encode)?;
    let len = buf.len() - FRAME_HEADER_LEN;
    if len > max || len > u32::MAX as usize {
        return Err(FrameError::TooLarge { len, max });
    }
    buf[..FRAME_HEADER_LEN].copy_from_slice(&(len as u32).to_be_bytes());
    Ok(buf)
}

/// Encodes `Response::Manifest(manifest)` as one frame without copying the manifest (a seeder
/// encodes each manifest once and shares the bytes among every stream that asks).
pub fn encode_manifest_response(manifest: &crate::GameManifest) -> Result<Vec<u8>, FrameError> {
    /// `Response`'s wire shape for its manifest variant, borrowing.
    #[derive(Serialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum ResponseRef<'a> {
        Manifest(&'a crate::GameManifest),
    }
    encode_frame(&ResponseRef::Manifest(manifest), MAX_RESPONSE_FRAME)
}

/// Decodes one frame from the start of `buf`; returns the message and the bytes consumed.
pub fn decode_frame<T: DeserializeOwned>(buf: &[u8], max: usize) -> Result<(T, usize), FrameError> {
    if buf.is_empty() {
        return Err(FrameError::Closed);
    }
    let Some(header) = buf.get(..FRAME_HEADER_LEN) else {
        return Err(FrameError::Truncated { expected: FRAME_HEADER_LEN, got: buf.len() });
    };
    let len = frame_len(header);
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    let body = &buf[FRAME_HEADER_LEN..];
    let Some(body) = body.get(..len) else {
        return Err(FrameError::Truncated { expected: len, got: body.len() });
    };
    let msg = serde_json::from_slice(body).map_err(FrameError::Decode)?;
    Ok((msg, FRAME_HEADER_LEN + len))
}

fn frame_len(header: &[u8]) -> usize {
    let mut b = [0u8; FRAME_HEADER_LEN];
    b.copy_from_slice(&header[..FRAME_HEADER_LEN]);
    u32::from_be_bytes(b) as usize
}

/// Writes `msg` as one frame. Does not flush or finish the stream.
pub async fn write_frame<W, T>(w: &mut W, msg: &T, max: usize) -> Result<(), FrameError>
where
    W: AsyncWrite + Unpin + ?Sized,
    T: Serialize,
{
    let buf = encode_frame(msg, max)?;
    w.write_all(&buf).await?;
    Ok(())
}

/// Reads one frame and decodes it, refusing frames longer than `max`.
pub async fn read_frame<R, T>(r: &mut R, max: usize) -> Result<T, FrameError>
where
    R: AsyncRead + Unpin + ?Sized,
    T: DeserializeOwned,
{
    let mut header = [0u8; FRAME_HEADER_LEN];
    let got = read_up_to(r, &mut header).await?;
    if got == 0 {
        return Err(FrameError::Closed);
    }
    if got < FRAME_HEADER_LEN {
        return Err(FrameError::Truncated { expected: FRAME_HEADER_LEN, got });
    }
    let len = frame_len(&header);
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    // Grow with the data actually received, never by the announced length alone.
    let mut body = Vec::with_capacity(len.min(64 * 1024));
    let got = (&mut *r).take(len as u64).read_to_end(&mut body).await?;
    if got < len {
        return Err(FrameError::Truncated { expected: len, got });
    }
    serde_json::from_slice(&body).map_err(FrameError::Decode)
}

/// Reads exactly `buf.len()` raw bytes (file data after a header).
pub async fn read_raw_exact<R>(r: &mut R, buf: &mut [u8]) -> Result<(), FrameError>
where
    R: AsyncRead + Unpin + ?Sized,
{
    let got = read_up_to(r, buf).await?;
    if got < buf.len() {
        return Err(FrameError::Truncated { expected: buf.len(), got });
    }
    Ok(())
}

/// Reads until `buf` is full or the stream ends; returns the bytes read.
async fn read_up_to<R: AsyncRead + Unpin + ?Sized>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = r.read(&mut buf[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// Writes `msg` and then the raw bytes in `data` (a file data response).
pub async fn write_frame_with_data<W, T>(w: &mut W, msg: &T, data: &[u8]) -> Result<(), FrameError>
where
    W: AsyncWrite + Unpin + ?Sized,
    T: Serialize,
{
    write_frame(w, msg, MAX_RESPONSE_FRAME).await?;
    w.write_all(data).await?;
    Ok(())
}
