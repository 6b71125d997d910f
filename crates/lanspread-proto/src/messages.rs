//! Control messages. One request per bidirectional QUIC stream: the opener writes one framed
//! [`Request`], the other side answers with one framed [`Response`] (file data requests are
//! followed by raw bytes) and finishes the stream.
//!
//! Tags are snake_case names in a `"type"` field. A tag is never reused for a different
//! meaning; retired tags are listed here. Retired: none yet.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use crate::{
    ids::{GameId, PeerId},
    library::{Game, LibraryDelta, LibrarySnapshot},
    manifest::GameManifest,
    path::RelPath,
    version::GameVersion,
};

/// Longest peer display name accepted, in characters.
pub const MAX_PEER_NAME_CHARS: usize = 64;

/// Most listen addresses a peer may announce.
pub const MAX_LISTEN_ADDRS: usize = 16;

/// Most peer hints one Hello or HelloAck may carry.
pub const MAX_PEER_HINTS: usize = 64;

/// Peer exchange: a peer the sender has verified (TLS identity checked), and the address it
/// reached it at. Only a hint: the receiver dials it and the QUIC handshake proves the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PeerHint {
    /// The peer's id (certificate fingerprint).
    pub peer_id: PeerId,
    /// Where its QUIC server listens.
    pub addr: SocketAddr,
}

/// The first message on a new connection: who I am and everything I hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// Sender's peer id; must match the fingerprint of its TLS certificate.
    pub peer_id: PeerId,
    /// Sender's [`crate::PROTOCOL_VERSION`].
    pub protocol_version: u32,
    /// Human-readable name (host name or `--name`), for the peer list.
    pub name: String,
    /// Addresses the sender's QUIC server listens on.
    pub listen_addrs: Vec<SocketAddr>,
    /// The sender's full library.
    pub library: LibrarySnapshot,
    /// Peers the sender has verified (peer exchange), at most [`MAX_PEER_HINTS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub peers: Vec<PeerHint>,
}

/// The answer to [`Hello`], with the same content about the answering peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelloAck {
    /// Answering peer's id; must match the fingerprint of its TLS certificate.
    pub peer_id: PeerId,
    /// Answering peer's [`crate::PROTOCOL_VERSION`].
    pub protocol_version: u32,
    /// Human-readable name.
    pub name: String,
    /// Addresses the answering peer's QUIC server listens on.
    pub listen_addrs: Vec<SocketAddr>,
    /// The answering peer's full library.
    pub library: LibrarySnapshot,
    /// Peers the answering peer has verified (peer exchange), at most [`MAX_PEER_HINTS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub peers: Vec<PeerHint>,
}

/// Liveness probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ping {
    /// Echoed back in the [`Pong`].
    pub nonce: u64,
    /// The sender's current library revision.
    pub library_rev: u64,
}

/// Answer to [`Ping`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pong {
    /// The ping's nonce.
    pub nonce: u64,
    /// The answering peer's current library revision (a change means: re-sync).
    pub library_rev: u64,
}

/// Ask for a game's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetGame {
    /// The game.
    pub game_id: GameId,
    /// The version the requester expects; `None` accepts whatever the peer holds.
    pub version: Option<GameVersion>,
}

/// Ask for a whole payload file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetGameFileData {
    /// The game.
    pub game_id: GameId,
    /// The version the data must belong to.
    pub version: GameVersion,
    /// The payload file.
    pub path: RelPath,
}

/// Ask for one chunk of a payload file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetGameFileChunk {
    /// The game.
    pub game_id: GameId,
    /// The version the data must belong to.
    pub version: GameVersion,
    /// The payload file.
    pub path: RelPath,
    /// The manifest's chunk size (a power of two, 1–16 MiB).
    pub chunk_size: u32,
    /// Chunk number within the file.
    pub chunk_index: u64,
}

/// A request, the first frame on a stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Handshake; answered with [`Response::HelloAck`].
    Hello(Hello),
    /// Liveness; answered with [`Response::Pong`].
    Ping(Ping),
    /// The peer's library; answered with [`Response::Games`].
    ListGames,
    /// A game's manifest; answered with [`Response::Manifest`].
    GetGame(GetGame),
    /// A whole file; answered with [`Response::FileData`] and the raw bytes.
    GetGameFileData(GetGameFileData),
    /// One chunk; answered with [`Response::FileData`] and the raw bytes.
    GetGameFileChunk(GetGameFileChunk),
    /// Pushed library change; answered with [`Response::Ack`].
    LibraryDelta(LibraryDelta),
    /// Join a game's download swarm; answered with [`Response::SwarmPeers`].
    SwarmJoin(crate::swarm::SwarmJoin),
    /// Newly verified chunks of a swarm member; answered with [`Response::Ack`].
    Have(crate::swarm::Have),
}

/// The peer's library, answering [`Request::ListGames`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GamesList {
    /// Revision of the library.
    pub library_rev: u64,
    /// Games held completely.
    pub games: Vec<Game>,
}

/// Precedes raw file bytes on a data stream: exactly `length` bytes follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDataHeader {
    /// Offset of the first byte within the file.
    pub offset: u64,
    /// Number of raw bytes that follow the header.
    pub length: u64,
    /// Size of the whole file on the serving peer.
    pub file_size: u64,
}

/// Acknowledges a pushed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// The receiver's view of the sender's library revision after applying.
    pub library_rev: u64,
}

/// What went wrong with a request, for machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The request could not be decoded or breaks a rule.
    BadRequest,
    /// No such game on this peer.
    UnknownGame,
    /// The game is not in this peer's catalog, so it is not served.
    NotInCatalog,
    /// This peer holds another version of the game.
    VersionMismatch,
    /// The path is not a payload file of the game.
    NotFound,
    /// The game exists but is not ready (still downloading, or being hashed).
    NotReady,
    /// Too many requests or connections; retry later or elsewhere.
    Busy,
    /// The peer's identity could not be verified.
    Unauthenticated,
    /// The protocol versions differ.
    ProtocolVersion,
    /// An I/O or internal failure on the serving peer.
    Internal,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: &'static [ErrorCode] = &[
        Self::BadRequest,
        Self::UnknownGame,
        Self::NotInCatalog,
        Self::VersionMismatch,
        Self::NotFound,
        Self::NotReady,
        Self::Busy,
        Self::Unauthenticated,
        Self::ProtocolVersion,
        Self::Internal,
    ];

    /// The code in words, for messages shown to people.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad request",
            Self::UnknownGame => "unknown game",
            Self::NotInCatalog => "not in catalog",
            Self::VersionMismatch => "other version",
            Self::NotFound => "not found",
            Self::NotReady => "not ready",
            Self::Busy => "busy",
            Self::Unauthenticated => "unauthenticated",
            Self::ProtocolVersion => "other protocol version",
            Self::Internal => "internal error",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A typed error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// Machine-readable cause.
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
}

/// A response, the first frame the answering side writes on a stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    /// Answer to [`Request::Hello`].
    HelloAck(HelloAck),
    /// Answer to [`Request::Ping`].
    Pong(Pong),
    /// Answer to [`Request::ListGames`].
    Games(GamesList),
    /// Answer to [`Request::GetGame`].
    Manifest(GameManifest),
    /// Answer to [`Request::GetGameFileData`] and [`Request::GetGameFileChunk`]; raw bytes follow.
    FileData(FileDataHeader),
    /// Answer to [`Request::LibraryDelta`] and [`Request::Have`].
    Ack(Ack),
    /// Answer to [`Request::SwarmJoin`].
    SwarmPeers(crate::swarm::SwarmPeers),
    /// The request failed.
    Error(ErrorResponse),
}

impl Response {
    /// Shorthand for an error response.
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Error(ErrorResponse { code, message: message.into() })
    }
}

impl Request {
    /// The largest answer this request can legitimately get: the reader refuses a bigger
    /// frame from its header alone. Only a manifest or swarm answer may use the full
    /// [`MAX_RESPONSE_FRAME`](crate::frame::MAX_RESPONSE_FRAME); a library answer is as large
    /// as a request may be; everything else is small.
    pub fn response_cap(&self) -> usize {
        use crate::frame::{MAX_REQUEST_FRAME, MAX_RESPONSE_FRAME, MAX_SMALL_RESPONSE};
        match self {
            Self::GetGame(_) | Self::SwarmJoin(_) => MAX_RESPONSE_FRAME,
            Self::Hello(_) | Self::ListGames => MAX_REQUEST_FRAME,
            Self::Ping(_)
            | Self::GetGameFileData(_)
            | Self::GetGameFileChunk(_)
            | Self::LibraryDelta(_)
            | Self::Have(_) => MAX_SMALL_RESPONSE,
        }
    }

    /// The snake_case tag of this request, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Hello(_) => "hello",
            Self::Ping(_) => "ping",
            Self::ListGames => "list_games",
            Self::GetGame(_) => "get_game",
            Self::GetGameFileData(_) => "get_game_file_data",
            Self::GetGameFileChunk(_) => "get_game_file_chunk",
            Self::LibraryDelta(_) => "library_delta",
            Self::SwarmJoin(_) => "swarm_join",
            Self::Have(_) => "have",
        }
    }
}

impl Response {
    /// The snake_case tag of this response, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::HelloAck(_) => "hello_ack",
            Self::Pong(_) => "pong",
            Self::Games(_) => "games",
            Self::Manifest(_) => "manifest",
            Self::FileData(_) => "file_data",
            Self::Ack(_) => "ack",
            Self::SwarmPeers(_) => "swarm_peers",
            Self::Error(_) => "error",
        }
    }
}

impl Hello {
    /// Checks the fields that are not checked by decoding.
    pub fn validate(&self) -> Result<(), String> {
        check_peer_fields(&self.name, &self.listen_addrs, &self.peers)
    }
}

impl HelloAck {
    /// Checks the fields that are not checked by decoding.
    pub fn validate(&self) -> Result<(), String> {
        check_peer_fields(&self.name, &self.listen_addrs, &self.peers)
    }
}

fn check_peer_fields(name: &str, addrs: &[SocketAddr], peers: &[PeerHint]) -> Result<(), String> {
    if peers.len() > MAX_PEER_HINTS {
        return Err(format!("at most {MAX_PEER_HINTS} peer hints are accepted"));
    }
    if name.chars().count() > MAX_PEER_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(format!("peer name must be at most {MAX_PEER_NAME_CHARS} printable characters"));
    }
    if addrs.len() > MAX_LISTEN_ADDRS {
        return Err(format!("at most {MAX_LISTEN_ADDRS} listen addresses are accepted"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn error_code_all_is_complete() {
        // Exhaustive match: a new code fails to compile here until it is added to `ALL`.
        let listed = |c: ErrorCode| match c {
            ErrorCode::BadRequest
            | ErrorCode::UnknownGame
            | ErrorCode::NotInCatalog
            | ErrorCode::VersionMismatch
            | ErrorCode::NotFound
            | ErrorCode::NotReady
            | ErrorCode::Busy
            | ErrorCode::Unauthenticated
            | ErrorCode::ProtocolVersion
            | ErrorCode::Internal => ErrorCode::ALL.contains(&c),
        };
        assert!(ErrorCode::ALL.iter().all(|&c| listed(c)));
        assert_eq!(ErrorCode::ALL.len(), 10);
    }

    #[test]
    fn peer_hints_are_capped() {
        use super::*;
        let hint =
            |i: u16| PeerHint { peer_id: PeerId([1; 32]), addr: SocketAddr::from(([10, 0, 0, 1], 1000 + i)) };
        let mut h = Hello {
            peer_id: PeerId([2; 32]),
            protocol_version: crate::PROTOCOL_VERSION,
            name: "a".into(),
            listen_addrs: vec![],
            library: crate::LibrarySnapshot::new(0, vec![]),
            peers: (0..MAX_PEER_HINTS as u16).map(hint).collect(),
        };
        assert!(h.validate().is_ok());
        h.peers.push(hint(999));
        assert!(h.validate().unwrap_err().contains("peer hints"));
    }
}
