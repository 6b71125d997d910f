//! A hostile peer for the security tests: it speaks the wire protocol over real s2n-quic with its
//! own self-signed certificate (its peer id is that certificate's SHA-256, as for a real peer)
//! and then misbehaves on purpose, as a client of a victim's server or as a seeder a victim
//! downloads from.
#![allow(dead_code, unreachable_pub)]

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use lanspread_peer::identity::Identity;
use lanspread_proto::{
    Ack, ChunkHash, Game, GameFileDescription, GameId, GameManifest, GameVersion, HelloAck, LibrarySnapshot,
    PROTOCOL_VERSION, PeerId, Pong, RelPath, Request, Response, SwarmPeers,
    chunk::{MIN_CHUNK_SIZE, chunk_range},
    frame::{MAX_REQUEST_FRAME, MAX_RESPONSE_FRAME, encode_frame, read_frame},
};
use rustls::{
    DigitallySignedStruct, DistinguishedName, SignatureScheme,
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    crypto::{CryptoProvider, WebPkiSupportedAlgorithms, aws_lc_rs, verify_tls13_signature},
    pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime},
    server::danger::{ClientCertVerified, ClientCertVerifier},
};
use s2n_quic::{connection::Connection, stream::BidirectionalStream};
use tokio::io::AsyncWriteExt;

/// Accepts any certificate but checks the handshake signature (what the product does too).
#[derive(Debug)]
struct AnyCert(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AnyCert {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::PeerIncompatible(rustls::PeerIncompatible::Tls12NotOffered))
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(m, c, d, &self.0)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

impl ClientCertVerifier for AnyCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }
    fn verify_client_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::PeerIncompatible(rustls::PeerIncompatible::Tls12NotOffered))
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(m, c, d, &self.0)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(aws_lc_rs::default_provider())
}

fn client_tls(id: &Identity, alpn: &str) -> s2n_quic::provider::tls::rustls::Client {
    let p = provider();
    let algs = p.signature_verification_algorithms;
    let mut cfg = rustls::ClientConfig::builder_with_provider(p)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCert(algs)))
        .with_client_auth_cert(
            vec![CertificateDer::from(id.cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key_der.clone())),
        )
        .unwrap();
    cfg.alpn_protocols = vec![alpn.as_bytes().to_vec()];
    cfg.into()
}

fn server_tls(id: &Identity, alpn: &str) -> s2n_quic::provider::tls::rustls::Server {
    let p = provider();
    let algs = p.signature_verification_algorithms;
    let mut cfg = rustls::ServerConfig::builder_with_provider(p)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_client_cert_verifier(Arc::new(AnyCert(algs)))
        .with_single_cert(
            vec![CertificateDer::from(id.cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key_der.clone())),
        )
        .unwrap();
    cfg.alpn_protocols = vec![alpn.as_bytes().to_vec()];
    cfg.into()
}

/// The protocol's ALPN.
pub fn alpn() -> &'static str {
    lanspread_proto::ALPN
}

/// A hostile client endpoint with its own fresh identity.
pub struct HostileClient {
    client: s2n_quic::Client,
    pub identity: Identity,
}

impl HostileClient {
    pub fn new(alpn: &str) -> Self {
        Self::with_identity(Identity::generate().unwrap(), alpn)
    }

    pub fn with_identity(identity: Identity, alpn: &str) -> Self {
        let client = s2n_quic::Client::builder()
            .with_tls(client_tls(&identity, alpn))
            .unwrap()
            .with_io("127.0.0.1:0")
            .unwrap()
            // s2n-quic limits itself to 100 open streams by default; an attacker does not.
            .with_limits(
                s2n_quic::provider::limits::Limits::new()
                    .with_max_open_local_bidirectional_streams(10_000)
                    .unwrap(),
            )
            .unwrap()
            .start()
            .unwrap();
        Self { client, identity }
    }

    pub fn peer_id(&self) -> PeerId {
        self.identity.peer_id
    }

    /// Connects (TLS handshake included) within 5 s.
    pub async fn connect(&self, addr: SocketAddr) -> Result<Connection, String> {
        self.connect_within(addr, Duration::from_secs(5)).await
    }

    pub async fn connect_within(&self, addr: SocketAddr, limit: Duration) -> Result<Connection, String> {
        let attempt = self.client.connect(s2n_quic::client::Connect::new(addr).with_server_name("lanspread"));
        match tokio::time::timeout(limit, attempt).await {
            Ok(Ok(mut c)) => {
                let _ = c.keep_alive(true);
                Ok(c)
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("connect timed out".into()),
        }
    }
}

/// Sends one well-formed request on a new stream and reads the answer (5 s at most).
pub async fn request(conn: &mut Connection, req: &Request) -> Result<Response, String> {
    let bytes = encode_frame(req, MAX_REQUEST_FRAME).map_err(|e| e.to_string())?;
    send_raw(conn, &bytes, true, Duration::from_secs(5)).await
}

/// Writes `bytes` on a new stream (finishing it when `finish`) and reads one response frame.
pub async fn send_raw(
    conn: &mut Connection,
    bytes: &[u8],
    finish: bool,
    timeout: Duration,
) -> Result<Response, String> {
    let fut = async {
        let mut s = conn.open_bidirectional_stream().await.map_err(|e| e.to_string())?;
        s.write_all(bytes).await.map_err(|e| e.to_string())?;
        // Finish right away, as a real peer does: a flush first waits for the data to be
        // acknowledged, and the victim may answer (and close) before our FIN goes out.
        if finish {
            s.finish().map_err(|e| e.to_string())?;
        } else {
            s.flush().await.map_err(|e| e.to_string())?;
        }
        read_frame::<_, Response>(&mut s, MAX_RESPONSE_FRAME).await.map_err(|e| e.to_string())
    };
    tokio::time::timeout(timeout, fut).await.map_err(|_| format!("no answer within {timeout:?}"))?
}

/// Asserts `resp` is a typed error with `code`; returns its message.
pub fn expect_error(resp: Result<Response, String>, code: lanspread_proto::ErrorCode) -> String {
    match resp {
        Ok(Response::Error(e)) if e.code == code => e.message,
        other => panic!("expected a {code:?} error, got {other:?}"),
    }
}

/// A frame holding arbitrary JSON (for messages the typed encoder refuses to build).
pub fn raw_frame(json: &serde_json::Value) -> Vec<u8> {
    let body = serde_json::to_vec(json).unwrap();
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out
}

/// How the hostile seeder answers one request.
pub enum Reply {
    /// One frame, then finish.
    Frame(Response),
    /// A file data header and then these raw bytes, then finish.
    Data(Response, Vec<u8>),
    /// These bytes, whatever they are, then finish.
    Raw(Vec<u8>),
    /// These bytes, then keep the stream open and say nothing more.
    RawThenHang(Vec<u8>),
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A hostile seeder: answers Hello, Ping and swarm messages like a peer holding `library`,
/// and every other request as `handler` says. Every request is recorded.
pub struct HostileServer {
    pub addr: SocketAddr,
    pub identity: Identity,
    pub requests: Arc<Mutex<Vec<Request>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl HostileServer {
    pub fn start(
        library: LibrarySnapshot,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let identity = Identity::generate().unwrap();
        let mut server = s2n_quic::Server::builder()
            .with_tls(server_tls(&identity, alpn()))
            .unwrap()
            .with_io("127.0.0.1:0")
            .unwrap()
            .start()
            .unwrap();
        let addr = server.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let (reqs, me) = (requests.clone(), identity.peer_id);
        // Connections and streams are owned by the server task: dropping the server (which
        // aborts the task) takes them all down, as if the machine left the LAN.
        let task = tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            while let Some(mut conn) = server.accept().await {
                let (reqs, handler, library) = (reqs.clone(), handler.clone(), library.clone());
                conns.spawn(async move {
                    let mut streams = tokio::task::JoinSet::new();
                    while let Ok(Some(stream)) = conn.accept_bidirectional_stream().await {
                        let (reqs, handler, library) = (reqs.clone(), handler.clone(), library.clone());
                        streams.spawn(serve(stream, me, addr, library, reqs, handler));
                        while streams.try_join_next().is_some() {}
                    }
                    while streams.join_next().await.is_some() {}
                });
                while conns.try_join_next().is_some() {}
            }
        });
        Self { addr, identity, requests, task }
    }

    pub fn peer_id(&self) -> PeerId {
        self.identity.peer_id
    }

    /// Recorded requests matching `pred`.
    pub fn count(&self, pred: impl Fn(&Request) -> bool) -> usize {
        self.requests.lock().unwrap().iter().filter(|r| pred(r)).count()
    }
}

async fn serve(
    mut s: BidirectionalStream,
    me: PeerId,
    addr: SocketAddr,
    library: LibrarySnapshot,
    reqs: Arc<Mutex<Vec<Request>>>,
    handler: Arc<Handler>,
) {
    let Ok(req) = read_frame::<_, Request>(&mut s, MAX_REQUEST_FRAME).await else { return };
    reqs.lock().unwrap().push(req.clone());
    let reply = match &req {
        Request::Hello(_) => Reply::Frame(Response::HelloAck(HelloAck {
            peer_id: me,
            protocol_version: PROTOCOL_VERSION,
            name: "hostile".into(),
            listen_addrs: vec![addr],
            library: library.clone(),
            peers: vec![],
        })),
        Request::Ping(p) => {
            Reply::Frame(Response::Pong(Pong { nonce: p.nonce, library_rev: library.library_rev }))
        }
        Request::Have(_) | Request::LibraryDelta(_) => {
            Reply::Frame(Response::Ack(Ack { library_rev: library.library_rev }))
        }
        Request::SwarmJoin(_) => Reply::Frame(Response::SwarmPeers(SwarmPeers { members: vec![] })),
        other => handler(other),
    };
    let (bytes, hang) = match reply {
        Reply::Frame(r) => (encode_frame(&r, MAX_RESPONSE_FRAME).unwrap(), false),
        Reply::Data(r, data) => {
            let mut b = encode_frame(&r, MAX_RESPONSE_FRAME).unwrap();
            b.extend_from_slice(&data);
            (b, false)
        }
        Reply::Raw(b) => (b, false),
        Reply::RawThenHang(b) => (b, true),
    };
    if s.write_all(&bytes).await.is_err() || s.flush().await.is_err() {
        return;
    }
    if hang {
        tokio::time::sleep(Duration::from_secs(60)).await;
    } else {
        let _ = s.close().await;
    }
}

/// One game's content as the hostile seeder announces it (1 MiB chunks).
#[derive(Clone)]
pub struct FakeGame {
    pub id: GameId,
    pub version: GameVersion,
    pub files: Vec<(String, Vec<u8>)>,
}

impl FakeGame {
    /// `files` plus a `version.ini` for `version`.
    pub fn new(id: &str, version: &str, files: &[(&str, Vec<u8>)]) -> Self {
        let mut all: Vec<(String, Vec<u8>)> = files.iter().map(|(p, d)| (p.to_string(), d.clone())).collect();
        all.push(("version.ini".into(), format!("{version}\n").into_bytes()));
        all.sort();
        Self { id: GameId::new(id).unwrap(), version: GameVersion::new(version).unwrap(), files: all }
    }

    pub fn chunk_size(&self) -> u32 {
        MIN_CHUNK_SIZE
    }

    pub fn manifest(&self) -> GameManifest {
        let cs = self.chunk_size() as usize;
        let files = self
            .files
            .iter()
            .map(|(p, d)| GameFileDescription {
                path: RelPath::new(p.as_str()).unwrap(),
                size: d.len() as u64,
                chunks: d.chunks(cs).map(ChunkHash::of).collect(),
            })
            .collect();
        let m = GameManifest::new(self.id.clone(), self.version.clone(), self.chunk_size(), files, vec![]);
        m.validate().unwrap();
        m
    }

    pub fn library(&self) -> LibrarySnapshot {
        let m = self.manifest();
        LibrarySnapshot::new(
            1,
            vec![Game {
                id: self.id.clone(),
                version: self.version.clone(),
                size_bytes: m.total_size(),
                file_count: m.files.len() as u64,
                manifest_digest: Some(m.digest()),
                unverified: false,
            }],
        )
    }

    /// The honest bytes of chunk `index` of `path`, with their range.
    pub fn chunk(&self, path: &RelPath, index: u64) -> (std::ops::Range<u64>, Vec<u8>) {
        let data = &self.files.iter().find(|(p, _)| p == path.as_str()).unwrap().1;
        let r = chunk_range(data.len() as u64, self.chunk_size(), index).unwrap();
        (r.clone(), data[r.start as usize..r.end as usize].to_vec())
    }

    pub fn file(&self, path: &str) -> &[u8] {
        &self.files.iter().find(|(p, _)| p == path).unwrap().1
    }

    /// The manifest answer as JSON, with the path of file `idx` replaced by `path` (a path the
    /// typed encoder would refuse).
    pub fn manifest_frame_with_path(&self, idx: usize, path: &str) -> Vec<u8> {
        let mut v = serde_json::to_value(Response::Manifest(self.manifest())).unwrap();
        v["files"][idx]["path"] = serde_json::Value::String(path.into());
        raw_frame(&v)
    }
}

/// Every entry below `root` (not following links): path → (kind, size, content hash).
pub fn tree(root: &Path) -> BTreeMap<PathBuf, (char, u64, ChunkHash)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            let md = std::fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            if md.file_type().is_symlink() {
                out.insert(rel, ('l', 0, ChunkHash([0; 32])));
            } else if md.is_dir() {
                out.insert(rel, ('d', 0, ChunkHash([0; 32])));
                stack.push(p);
            } else {
                let data = std::fs::read(&p).unwrap_or_default();
                out.insert(rel, ('f', md.len(), ChunkHash::of(&data)));
            }
        }
    }
    out
}

/// The entries of `after` that are new or changed compared to `before`.
pub fn changed(
    before: &BTreeMap<PathBuf, (char, u64, ChunkHash)>,
    after: &BTreeMap<PathBuf, (char, u64, ChunkHash)>,
) -> Vec<PathBuf> {
    after.iter().filter(|(p, v)| before.get(*p) != Some(*v)).map(|(p, _)| p.clone()).collect()
}

/// Peak resident memory of this test process, in bytes (Linux).
pub fn peak_rss() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
