//! QUIC endpoints (s2n-quic), the outbound connection pool and the request helper.
//!
//! One request per bidirectional stream: the opener writes one framed request and finishes its
//! send side; the other side answers with one framed response (plus raw bytes for file data).
//! Every wait has a timeout; every read has a size cap.

pub(crate) mod server;
pub(crate) mod uploads;

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::{Arc, Mutex},
    time::Duration,
};

use lanspread_proto::{
    PeerId, Request, Response,
    frame::{FrameError, MAX_REQUEST_FRAME, read_frame, write_frame},
};
use s2n_quic::{client::Connect, connection::Handle, provider::limits::Limits, stream::BidirectionalStream};
use tokio::sync::Mutex as AsyncMutex;

use crate::{
    error::StartError,
    identity::Identity,
    runtime::Tuning,
    tasks::{Role, Tasks},
    tls,
};

/// Most bidirectional streams a peer may have open towards us on one connection.
pub(crate) const MAX_STREAMS_PER_CONNECTION: u64 = 256;
/// Unacknowledged bytes one stream may buffer for sending (s2n-quic's default is 4 MiB).
pub(crate) const MAX_SEND_BUFFER: u32 = 512 << 10;
/// Most simultaneous inbound connections from one peer id.
pub(crate) const MAX_CONNECTIONS_PER_PEER: usize = 4;
/// Most simultaneous inbound connections in total.
pub(crate) const MAX_CONNECTIONS: usize = 512;
/// How long a connection attempt may take.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(4);
/// How long a control request may take end to end.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a peer may take to send its request after opening a stream.
pub(crate) const REQUEST_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// QUIC idle timeout: a silent connection is closed after this.
pub(crate) const IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// The application codes we close connections and reset streams with. They are on the wire:
/// never reuse a number for another meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum CloseCode {
    /// A normal close: shutdown, or a connection we no longer need.
    Done = 0,
    /// The peer's certificate is not the one of the peer id we dialled.
    IdentityMismatch = 1,
    /// The peer presented no client certificate.
    NoCertificate = 2,
    /// Too many connections from that peer, or in total.
    TooManyConnections = 3,
    /// (stream) The request did not arrive within `REQUEST_READ_TIMEOUT`.
    RequestTimeout = 4,
    /// (stream) Reading the served file failed midway.
    ReadFailed = 5,
    /// (stream) The receiver accepted nothing for too long.
    SendStalled = 6,
}

impl From<CloseCode> for s2n_quic::application::Error {
    fn from(c: CloseCode) -> Self {
        (c as u32).into()
    }
}

/// Errors talking to a peer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum NetError {
    /// Could not connect (unreachable, refused, timed out, or TLS/ALPN failed).
    #[error("could not connect to {addr}: {message}")]
    Connect {
        /// Address tried.
        addr: SocketAddr,
        /// Why.
        message: String,
    },
    /// The peer's certificate does not match the id it claims.
    #[error("peer at {addr} presented certificate {got} but claims to be {expected}")]
    IdentityMismatch {
        /// Address.
        addr: SocketAddr,
        /// Claimed id (short).
        expected: String,
        /// Fingerprint of the presented certificate (short).
        got: String,
    },
    /// The connection or stream failed.
    #[error("connection error: {0}")]
    Stream(String),
    /// A frame could not be read or written.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// No answer in time.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The peer answered with an error.
    #[error("peer refused ({0}): {1}")]
    Refused(lanspread_proto::ErrorCode, String),
    /// The peer answered with the wrong kind of message.
    #[error("unexpected answer {0}")]
    Unexpected(&'static str),
}

impl From<s2n_quic::connection::Error> for NetError {
    fn from(e: s2n_quic::connection::Error) -> Self {
        Self::Stream(e.to_string())
    }
}

impl From<s2n_quic::stream::Error> for NetError {
    fn from(e: s2n_quic::stream::Error) -> Self {
        Self::Stream(e.to_string())
    }
}

fn limits() -> Limits {
    // Generous flow-control windows so one connection can fill a fast link.
    let build = || {
        Limits::new()
            .with_max_idle_timeout(IDLE_TIMEOUT)?
            .with_max_open_remote_bidirectional_streams(MAX_STREAMS_PER_CONNECTION)?
            .with_data_window(16 << 20)?
            .with_bidirectional_local_data_window(4 << 20)?
            .with_bidirectional_remote_data_window(4 << 20)?
            .with_max_send_buffer_size(MAX_SEND_BUFFER)?
            .with_max_handshake_duration(Duration::from_secs(5))
    };
    build().unwrap_or_default()
}

/// Our connection IDs (`Tuning::connection_id_len` bytes; s2n-quic's default is 16). 8 random
/// bytes keep IDs unique among a peer's few hundred connections at most and save 8 bytes
/// (0.5 %) of every 1500-byte packet on the wire.
fn connection_ids(len: usize) -> s2n_quic::provider::connection_id::default::Format {
    match s2n_quic::provider::connection_id::default::Format::builder().with_len(len) {
        Ok(b) => b.build().unwrap_or_default(),
        Err(_) => Default::default(),
    }
}

/// CUBIC: on shaped LAN ports it keeps the link fuller than s2n-quic's BBR, whose periodic
/// ProbeRTT phases cost a few percent at LAN round-trip times (measured: 11.40 s vs 11.6 s for
/// 256 MiB over 200 Mbit/s; `just bench one-to-one`).
fn congestion() -> s2n_quic::provider::congestion_controller::Cubic {
    Default::default()
}

/// The UDP socket layer of an endpoint.
///
/// `Tuning::max_mtu` (9000) is the largest datagram path MTU discovery probes for: jumbo frames
/// where the path carries them (loopback, jumbo LANs), 1500 elsewhere (bigger probes are simply
/// lost). Fewer, larger packets cut the per-packet CPU cost: loopback 1 GiB 295 -> 393 MB/s, a
/// shaped 1500-byte LAN port unchanged (0.98x nginx); beyond 9000 probing makes things worse.
///
/// `Tuning::socket_recv_buffer` (2 MiB): with the OS default (208 KiB on Linux) a receiver
/// that is busy for a moment (hashing, writing, another process on its core) overflows the
/// socket: on loopback 5 % of the datagrams were dropped (`RcvbufErrors`), each loss cut the
/// sender's congestion window, and both peers idled half the time (1 GiB: 1.5 s -> 1.0 s). 1, 2
/// and 4 MiB do the same on loopback; 4 MiB (and a 4 MiB send buffer) made the shaped swarm
/// slower, 2 MiB does not. The kernel caps the request at `net.core.rmem_max`.
fn io(addr: SocketAddr, tuning: &Tuning) -> std::io::Result<s2n_quic::provider::io::tokio::Provider> {
    let mut b = s2n_quic::provider::io::tokio::Builder::default()
        .with_receive_address(addr)?
        .with_max_mtu(tuning.max_mtu)?;
    if let Some(m) = tuning.initial_mtu {
        b = b.with_initial_mtu(m)?;
    }
    b = b.with_recv_buffer_size(tuning.socket_recv_buffer)?;
    b.build()
}

/// The server and client endpoints of one peer.
pub(crate) struct Endpoints {
    pub(crate) server: s2n_quic::Server,
    pub(crate) client: s2n_quic::Client,
    pub(crate) local_addr: SocketAddr,
}

pub(crate) fn start_endpoints(
    identity: &Identity,
    bind: Option<IpAddr>,
    port: u16,
    alpn: &str,
    tuning: &Tuning,
) -> Result<Endpoints, StartError> {
    let ip = bind.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let addr = SocketAddr::new(ip, port);
    let quic_err =
        |addr: SocketAddr| move |e: &dyn std::fmt::Display| StartError::Quic { addr, message: e.to_string() };
    let cfg = tls::configs(identity, alpn).map_err(|e| StartError::Identity(e.to_string()))?;
    let server_tls = s2n_quic::provider::tls::rustls::Server::from(cfg.server);
    let client_tls = s2n_quic::provider::tls::rustls::Client::from(cfg.client);
    let server = s2n_quic::Server::builder()
        .with_tls(server_tls)
        .map_err(|e| quic_err(addr)(&e))?
        .with_io(io(addr, tuning).map_err(|e| quic_err(addr)(&e))?)
        .map_err(|e| quic_err(addr)(&e))?
        .with_limits(limits())
        .map_err(|e| quic_err(addr)(&e))?
        .with_connection_id(connection_ids(tuning.connection_id_len))
        .map_err(|e| quic_err(addr)(&e))?
        .with_congestion_controller(congestion())
        .map_err(|e| quic_err(addr)(&e))?
        .with_event(tls::PeerCertSubscriber)
        .map_err(|e| quic_err(addr)(&e))?
        .start()
        .map_err(|e| quic_err(addr)(&e))?;
    let local_addr = server.local_addr().map_err(|e| quic_err(addr)(&e))?;
    let client_addr = SocketAddr::new(ip, 0);
    let client = s2n_quic::Client::builder()
        .with_tls(client_tls)
        .map_err(|e| quic_err(client_addr)(&e))?
        .with_io(io(client_addr, tuning).map_err(|e| quic_err(client_addr)(&e))?)
        .map_err(|e| quic_err(client_addr)(&e))?
        .with_limits(limits())
        .map_err(|e| quic_err(client_addr)(&e))?
        .with_connection_id(connection_ids(tuning.connection_id_len))
        .map_err(|e| quic_err(client_addr)(&e))?
        .with_congestion_controller(congestion())
        .map_err(|e| quic_err(client_addr)(&e))?
        .with_event(tls::PeerCertSubscriber)
        .map_err(|e| quic_err(client_addr)(&e))?
        .start()
        .map_err(|e| quic_err(client_addr)(&e))?;
    Ok(Endpoints { server, client, local_addr })
}

/// Outbound connections, one per peer, verified against the peer's id.
pub(crate) struct ConnPool {
    client: s2n_quic::Client,
    tasks: Tasks,
    conns: Mutex<HashMap<PeerId, (SocketAddr, Handle)>>,
    connecting: Mutex<HashMap<PeerId, Arc<AsyncMutex<()>>>>,
}

impl ConnPool {
    pub(crate) fn new(client: s2n_quic::Client, tasks: Tasks) -> Self {
        Self { client, tasks, conns: Mutex::new(HashMap::new()), connecting: Mutex::new(HashMap::new()) }
    }

    /// A live connection to `peer` at `addr`, connecting (and verifying) when needed.
    pub(crate) async fn get(&self, peer: PeerId, addr: SocketAddr) -> Result<Handle, NetError> {
        if let Some(h) = self.cached(&peer, addr) {
            return Ok(h);
        }
        let gate = {
            let mut map = self.connecting.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(peer).or_insert_with(|| Arc::new(AsyncMutex::new(()))).clone()
        };
        let _guard = gate.lock().await;
        if let Some(h) = self.cached(&peer, addr) {
            return Ok(h);
        }
        let handle = self.connect(peer, addr).await?;
        self.conns.lock().unwrap_or_else(|p| p.into_inner()).insert(peer, (addr, handle.clone()));
        Ok(handle)
    }

    fn cached(&self, peer: &PeerId, addr: SocketAddr) -> Option<Handle> {
        let conns = self.conns.lock().unwrap_or_else(|p| p.into_inner());
        conns.get(peer).filter(|(a, _)| *a == addr).map(|(_, h)| h.clone())
    }

    /// Connects to `addr` whose peer id we do not know yet (a typed `--peer` address): the id
    /// is the one its TLS certificate proves. The connection is pooled under that id.
    pub(crate) async fn dial(&self, addr: SocketAddr) -> Result<PeerId, NetError> {
        let (handle, got) = self.open(addr, None).await?;
        let Some(peer) = got else {
            handle.close(CloseCode::NoCertificate.into());
            return Err(NetError::Connect { addr, message: "the peer presented no certificate".into() });
        };
        let mut conns = self.conns.lock().unwrap_or_else(|p| p.into_inner());
        if conns.get(&peer).is_some_and(|(a, _)| *a == addr) {
            // Already connected there: keep that connection (requests may run on it).
            handle.close(CloseCode::Done.into());
        } else if let Some((_, old)) = conns.insert(peer, (addr, handle)) {
            old.close(CloseCode::Done.into());
        }
        Ok(peer)
    }

    async fn connect(&self, peer: PeerId, addr: SocketAddr) -> Result<Handle, NetError> {
        Ok(self.open(addr, Some(peer)).await?.0)
    }

    /// Opens a connection to `addr`, checking the certificate against `expect` when given.
    async fn open(
        &self,
        addr: SocketAddr,
        expect: Option<PeerId>,
    ) -> Result<(Handle, Option<PeerId>), NetError> {
        let attempt = self.client.connect(Connect::new(addr).with_server_name("lanspread"));
        let conn = tokio::time::timeout(CONNECT_TIMEOUT, attempt)
            .await
            .map_err(|_| NetError::Connect {
                addr,
                message: format!("no answer within {CONNECT_TIMEOUT:?}"),
            })?
            .map_err(|e| NetError::Connect { addr, message: e.to_string() })?;
        let (mut handle, mut acceptor) = conn.split();
        let got = tls::peer_id_of(&handle);
        if let Some(peer) = expect
            && got != Some(peer)
        {
            handle.close(CloseCode::IdentityMismatch.into());
            return Err(NetError::IdentityMismatch {
                addr,
                expected: peer.short(),
                got: got.map_or_else(|| "none".into(), |g| g.short()),
            });
        }
        let label = got.map_or_else(|| "?".into(), |g| g.short());
        let _ = handle.keep_alive(true);
        // We never accept streams on outbound connections; this task only notices closure.
        self.tasks.spawn(
            Role::Work,
            "outbound-acceptor",
            tracing::debug_span!("outbound", peer = %label, %addr),
            async move {
                while let Ok(Some(stream)) = acceptor.accept_bidirectional_stream().await {
                    drop(stream);
                }
            },
        );
        Ok((handle, got))
    }

    /// Forgets (and closes) the connection to `peer`, e.g. after it stopped answering.
    pub(crate) fn drop_peer(&self, peer: &PeerId) {
        if let Some((_, h)) = self.conns.lock().unwrap_or_else(|p| p.into_inner()).remove(peer) {
            h.close(CloseCode::Done.into());
        }
    }

    /// Forgets (and closes) the connection to `peer` only if it goes to `addr`: a failure at
    /// another address (a spoofed mDNS record, say) never drops a verified connection.
    pub(crate) fn drop_peer_at(&self, peer: &PeerId, addr: SocketAddr) {
        let mut conns = self.conns.lock().unwrap_or_else(|p| p.into_inner());
        if conns.get(peer).is_some_and(|(a, _)| *a == addr)
            && let Some((_, h)) = conns.remove(peer)
        {
            h.close(CloseCode::Done.into());
        }
    }

    /// Forgets (and closes) the connection to `peer` only if it is still the one with QUIC
    /// connection id `conn_id`: a request that failed on a connection that has since been
    /// replaced must not close the replacement (and fail every request running on it).
    pub(crate) fn drop_conn(&self, peer: &PeerId, conn_id: u64) {
        let mut conns = self.conns.lock().unwrap_or_else(|p| p.into_inner());
        if conns.get(peer).is_some_and(|(_, h)| h.id() == conn_id)
            && let Some((_, h)) = conns.remove(peer)
        {
            h.close(CloseCode::Done.into());
        }
    }

    /// Closes every connection.
    pub(crate) fn close_all(&self) {
        let all: Vec<_> = self.conns.lock().unwrap_or_else(|p| p.into_inner()).drain().collect();
        for (_, (_, h)) in all {
            h.close(CloseCode::Done.into());
        }
    }
}

/// Opens a stream, sends `req`, finishes the send side and reads one response.
pub(crate) async fn request(handle: &Handle, req: &Request, timeout: Duration) -> Result<Response, NetError> {
    let fut = async {
        let mut stream = open_stream(handle).await?;
        send_request(&mut stream, req).await?;
        // Each kind of request has its own answer cap: a pong is never 48 MiB.
        let resp: Response = read_frame(&mut stream, req.response_cap()).await?;
        Ok::<_, NetError>(resp)
    };
    match tokio::time::timeout(timeout, fut).await {
        Ok(Ok(Response::Error(e))) => Err(NetError::Refused(e.code, e.message)),
        Ok(r) => r,
        Err(_) => Err(NetError::Timeout(timeout)),
    }
}

/// Opens a bidirectional stream on a connection.
pub(crate) async fn open_stream(handle: &Handle) -> Result<BidirectionalStream, NetError> {
    let mut h = handle.clone();
    Ok(h.open_bidirectional_stream().await?)
}

/// Writes a request and finishes the send side.
pub(crate) async fn send_request(stream: &mut BidirectionalStream, req: &Request) -> Result<(), NetError> {
    write_frame(stream, req, MAX_REQUEST_FRAME).await?;
    stream.finish()?;
    Ok(())
}
