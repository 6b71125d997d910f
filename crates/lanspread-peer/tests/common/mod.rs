//! Shared helpers for in-process multi-peer tests: peers on loopback (port 0, temp dirs).
#![allow(dead_code, unreachable_pub)]

use std::{
    path::{Path, PathBuf},
    sync::{Arc, RwLock, atomic::AtomicBool},
    time::{Duration, Instant},
};

use lanspread_peer::{
    DiscoveryMode, PeerEvent, PeerGameDB, PeerOptions, PeerRuntimeHandle, Timing, Unpacker, start_peer_with,
};
use lanspread_proto::Catalog;
use lanspread_unpack::{ArchiveListing, ExtractSummary, UnpackError};
use tokio::sync::mpsc;

/// mDNS tests share loopback's multicast group; run them one at a time so peers of one test
/// never meet peers of another.
pub static MDNS_SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// An unpacker for tests that never extract anything.
pub struct NoUnpack;

impl Unpacker for NoUnpack {
    fn list(&self, p: &Path) -> Result<ArchiveListing, UnpackError> {
        Err(UnpackError::Other { archive: p.to_path_buf(), detail: "test unpacker".into() })
    }
    fn digests(
        &self,
        p: &Path,
        _progress: &mut dyn FnMut(u64),
        _cancel: &AtomicBool,
    ) -> Result<std::collections::BTreeMap<String, lanspread_unpack::FileDigest>, UnpackError> {
        Err(UnpackError::Other { archive: p.to_path_buf(), detail: "test unpacker".into() })
    }
    fn extract_only(
        &self,
        p: &Path,
        _dest: &Path,
        _wanted: &dyn Fn(&str) -> bool,
        _progress: &mut dyn FnMut(u64),
        _cancel: &AtomicBool,
    ) -> Result<ExtractSummary, UnpackError> {
        Err(UnpackError::Other { archive: p.to_path_buf(), detail: "test unpacker".into() })
    }
    fn extract(
        &self,
        p: &Path,
        _dest: &Path,
        _progress: &mut dyn FnMut(u64),
        _cancel: &AtomicBool,
    ) -> Result<ExtractSummary, UnpackError> {
        Err(UnpackError::Other { archive: p.to_path_buf(), detail: "test unpacker".into() })
    }
}

/// A fresh loopback address, 127.0.0.2 to 127.0.0.250 (127.0.0.1 is left to hostile peers).
pub fn next_loopback() -> std::net::IpAddr {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 249;
    std::net::IpAddr::from([127, 0, 0, 2 + n as u8])
}

pub struct TestPeer {
    pub handle: PeerRuntimeHandle,
    pub events: mpsc::UnboundedReceiver<PeerEvent>,
    pub seen: Vec<PeerEvent>,
    pub db: Arc<RwLock<PeerGameDB>>,
    pub game_dir: PathBuf,
    /// Where it listens (its host: votes count per host).
    pub ip: std::net::IpAddr,
    spec: PeerSpec,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

pub fn fast_timing() -> Timing {
    Timing {
        ping_interval: Duration::from_millis(500),
        peer_timeout: Duration::from_secs(3),
        fallback_scan: Duration::from_secs(300),
        monitor_debounce: Duration::from_millis(100),
    }
}

#[derive(Clone)]
pub struct PeerSpec {
    pub upload_limit: Option<u64>,
    pub name: &'static str,
    pub discovery: DiscoveryMode,
    pub protocol_version: Option<u32>,
    pub timing: Timing,
    /// Listen on this address (default: a fresh loopback address per peer).
    pub bind: Option<std::net::IpAddr>,
    /// Use this catalog (default: the bundled one).
    pub catalog: Option<Arc<Catalog>>,
    /// Install right after a download (off by default in tests).
    pub auto_install: bool,
    /// Extract with UnRAR (default: an unpacker that refuses, for tests without archives).
    pub unrar: bool,
}

impl PeerSpec {
    pub fn mdns(name: &'static str) -> Self {
        Self {
            name,
            discovery: DiscoveryMode::Mdns,
            protocol_version: None,
            timing: Timing::default(),
            upload_limit: None,
            bind: None,
            catalog: None,
            auto_install: false,
            unrar: false,
        }
    }
    /// A manual-discovery peer whose uploads are capped (a slow seeder).
    pub fn slow(name: &'static str, bytes_per_sec: u64) -> Self {
        Self { upload_limit: Some(bytes_per_sec), ..Self::manual(name) }
    }
    pub fn manual(name: &'static str) -> Self {
        Self {
            name,
            discovery: DiscoveryMode::Manual,
            protocol_version: None,
            timing: fast_timing(),
            upload_limit: None,
            bind: None,
            catalog: None,
            auto_install: false,
            unrar: false,
        }
    }
}

/// Writes a complete game (version.ini + payload) into `game_dir/id`.
pub fn write_game(game_dir: &Path, id: &str, version: &str, files: &[(&str, &[u8])]) {
    let root = game_dir.join(id);
    for (p, data) in files {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
    std::fs::write(root.join("version.ini"), format!("{version}\n")).unwrap();
}

impl TestPeer {
    pub async fn start(spec: PeerSpec, setup: impl FnOnce(&Path)) -> Self {
        if let Ok(filter) = std::env::var("LANSPREAD_TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init();
        }
        let game = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        setup(game.path());
        let ip = spec.bind.unwrap_or_else(next_loopback);
        Self::run(spec, ip, (game, state)).await
    }

    /// Stops this peer and starts it again on the same game and state directories (same
    /// identity, same address).
    pub async fn restart(self) -> Self {
        self.handle.shutdown().await;
        let Self { spec, ip, _dirs, .. } = self;
        Self::run(spec, ip, _dirs).await
    }

    async fn run(spec: PeerSpec, ip: std::net::IpAddr, dirs: (tempfile::TempDir, tempfile::TempDir)) -> Self {
        let (game, state) = dirs;
        let (tx, rx) = mpsc::unbounded_channel();
        let db = Arc::new(RwLock::new(PeerGameDB::new()));
        let mut opts = PeerOptions::new(game.path());
        opts.state_dir = state.path().to_path_buf();
        // Each peer on its own loopback address: votes count per host (the trust rule), so
        // peers of one test must not all be one machine.
        opts.bind = Some(ip);
        opts.name = spec.name.into();
        opts.discovery = spec.discovery;
        opts.timing = spec.timing;
        opts.auto_install = spec.auto_install;
        opts.upload_limit = spec.upload_limit;
        if let Some(v) = spec.protocol_version {
            opts.protocol_version = v;
        }
        let catalog = spec.catalog.clone().unwrap_or_else(|| Arc::new(Catalog::bundled()));
        let unpacker: Arc<dyn Unpacker> =
            if spec.unrar { Arc::new(lanspread_unpack::UnrarUnpacker::new()) } else { Arc::new(NoUnpack) };
        let handle = start_peer_with(opts, tx, db.clone(), unpacker, catalog).await.unwrap();
        Self {
            handle,
            events: rx,
            seen: Vec::new(),
            db,
            game_dir: game.path().to_path_buf(),
            ip,
            spec,
            _dirs: (game, state),
        }
    }

    /// Waits for an event matching `pred`, keeping everything seen.
    pub async fn wait_for(
        &mut self,
        what: &str,
        timeout: Duration,
        mut pred: impl FnMut(&PeerEvent) -> bool,
    ) -> PeerEvent {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.events.recv()).await {
                Ok(Some(ev)) => {
                    self.seen.push(ev.clone());
                    if pred(&ev) {
                        return ev;
                    }
                }
                Ok(None) => panic!("{}: event channel closed while waiting for {what}", self.name()),
                Err(_) => panic!(
                    "{}: timed out after {timeout:?} waiting for {what}; saw: {:?}",
                    self.name(),
                    self.seen.iter().map(|e| e.name()).collect::<Vec<_>>()
                ),
            }
        }
    }

    /// Drains events for `d`, returning them.
    pub async fn collect_for(&mut self, d: Duration) -> Vec<PeerEvent> {
        let deadline = Instant::now() + d;
        let mut out = Vec::new();
        while let Ok(Some(ev)) =
            tokio::time::timeout(deadline.saturating_duration_since(Instant::now()), self.events.recv()).await
        {
            self.seen.push(ev.clone());
            out.push(ev);
        }
        out
    }

    pub fn name(&self) -> String {
        self.handle.peer_id().short()
    }
}

/// Whether a ListGames event lists `id` with a remote holder.
pub fn lists_remote(ev: &PeerEvent, id: &str) -> bool {
    matches!(ev, PeerEvent::ListGames { games } if games.iter().any(|g| g.id.as_str() == id && g.peer_count > 0))
}

/// Deterministic incompressible bytes.
pub fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Connects `a` to every peer in `others` (manual discovery).
pub async fn connect_all(a: &TestPeer, others: &[&TestPeer]) {
    for o in others {
        a.handle.connect_to(o.handle.local_addr(), o.handle.peer_id()).await.unwrap();
    }
}

/// Compares the payload of two game roots (reserved names ignored).
pub fn same_payload(a: &Path, b: &Path) -> Result<(), String> {
    let list = |root: &Path| -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().to_string();
                let top = rel.split('/').next().unwrap().to_string();
                if lanspread_proto::is_reserved_root_name(&top) {
                    continue;
                }
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push((rel, std::fs::read(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    };
    let (la, lb) = (list(a), list(b));
    let na: Vec<_> = la.iter().map(|x| x.0.clone()).collect();
    let nb: Vec<_> = lb.iter().map(|x| x.0.clone()).collect();
    if na != nb {
        return Err(format!("file lists differ: {na:?} vs {nb:?}"));
    }
    for ((p, x), (_, y)) in la.iter().zip(&lb) {
        if x != y {
            return Err(format!("{p} differs"));
        }
    }
    Ok(())
}
