//! The driver on virtual time (`start_paused`), with an in-memory transport and store: every
//! timer (stall checks, peer checks, the no-peer grace, flushes) runs on tokio's clock, so
//! these tests take milliseconds however long the scenario is.

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    io,
    net::SocketAddr,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use futures::future::BoxFuture;
use lanspread_proto::{ChunkHash, Game, GameFileDescription, GameVersion, LibrarySnapshot, RelPath};

use super::*;
use crate::download::{buf::BufPool, transfer::ChunkData};

const MIB: u64 = 1 << 20;
const CHUNKS: u64 = 8;

fn payload(i: u64) -> Vec<u8> {
    (0..MIB).map(|b| ((b * 31 + i * 7) % 251) as u8).collect()
}

fn manifest() -> Arc<GameManifest> {
    let data: Vec<u8> = (0..CHUNKS).flat_map(payload).collect();
    let chunks = data.chunks(MIB as usize).map(ChunkHash::of).collect();
    Arc::new(GameManifest::new(
        GameId::new("quake3").unwrap(),
        GameVersion::new("1").unwrap(),
        MIB as u32,
        vec![
            GameFileDescription { path: RelPath::new("data.bin").unwrap(), size: CHUNKS * MIB, chunks },
            GameFileDescription {
                path: RelPath::new("version.ini").unwrap(),
                size: 2,
                chunks: vec![ChunkHash::of(b"1\n")],
            },
        ],
        vec![],
    ))
}

fn peer(n: u8) -> PeerId {
    PeerId([n; 32])
}

/// A peer database where `peers` hold the game.
fn db(peers: &[PeerId]) -> Arc<RwLock<PeerGameDB>> {
    let mut db = PeerGameDB::new();
    for (i, p) in peers.iter().enumerate() {
        let game = Game {
            id: GameId::new("quake3").unwrap(),
            version: GameVersion::new("1").unwrap(),
            size_bytes: CHUNKS * MIB + 2,
            file_count: 2,
            manifest_digest: Some(manifest().digest()),
            unverified: false,
        };
        let addr: SocketAddr = format!("127.0.0.1:{}", 4000 + i).parse().unwrap();
        db.apply_snapshot(*p, "p", addr, LibrarySnapshot::new(1, vec![game])).unwrap();
    }
    Arc::new(RwLock::new(db))
}

/// How a fake peer answers.
#[derive(Clone, Copy)]
enum Serve {
    /// Every chunk after `latency`.
    Fast { latency: Duration },
    /// Never answers.
    Silent,
    /// Serves `n` chunks, then leaves the LAN (and answers nothing more).
    LeavesAfter { n: u64, latency: Duration },
}

struct FakeNet {
    serve: HashMap<PeerId, Serve>,
    served: Arc<Mutex<HashMap<PeerId, u64>>>,
    started: Arc<Mutex<HashMap<PeerId, u64>>>,
    db: Arc<RwLock<PeerGameDB>>,
    bufs: BufPool,
}

impl Transport for FakeNet {
    fn chunk(
        &self,
        p: PeerId,
        _: SocketAddr,
        spec: ChunkSpec,
    ) -> BoxFuture<'static, Result<ChunkData, Failure>> {
        let serve = self.serve.get(&p).copied().unwrap_or(Serve::Silent);
        let (served, started, db, bufs) =
            (self.served.clone(), self.started.clone(), self.db.clone(), self.bufs.clone());
        Box::pin(async move {
            let latency = match serve {
                Serve::Fast { latency } => latency,
                Serve::Silent => std::future::pending().await,
                Serve::LeavesAfter { n, latency } => {
                    // Requests start at once: count them as they start, not as they end.
                    let k = {
                        let mut s = started.lock().unwrap();
                        let k = s.entry(p).or_insert(0);
                        *k += 1;
                        *k
                    };
                    if k > n {
                        std::future::pending::<()>().await;
                    }
                    latency
                }
            };
            tokio::time::sleep(latency).await;
            let bytes = if spec.file == 0 { payload(spec.index) } else { b"1\n".to_vec() };
            let mut buf = bufs.take(bytes.len());
            buf.extend_from_slice(&bytes);
            let n = {
                let mut s = served.lock().unwrap();
                let n = s.entry(p).or_insert(0);
                *n += 1;
                *n
            };
            if let Serve::LeavesAfter { n: limit, .. } = serve
                && n >= limit
            {
                db.write().unwrap().remove_peer(&p);
            }
            Ok(ChunkData { buf })
        })
    }

    fn file(
        &self,
        _: PeerId,
        _: SocketAddr,
        _: usize,
        _cleared: BoxFuture<'static, io::Result<()>>,
    ) -> BoxFuture<'static, Result<(), Failure>> {
        Box::pin(async { Err(Failure::Refused("no whole files here".into())) })
    }
}

/// Written chunks by (file, chunk index).
type Written = BTreeMap<(usize, u64), Vec<u8>>;

/// Chunks land in memory; writes complete when polled.
#[derive(Default)]
struct MemStore {
    chunks: Arc<Mutex<Written>>,
    flushed: Arc<Mutex<Option<Verified>>>,
    done: VecDeque<(ChunkSpec, io::Result<()>)>,
    /// Chunks known from before that fail their re-verification.
    rotten: Vec<(usize, u64)>,
}

impl Store for MemStore {
    fn write(&mut self, spec: ChunkSpec, data: ChunkData) -> io::Result<()> {
        self.chunks.lock().unwrap().insert((spec.file, spec.index), data.to_vec());
        self.done.push_back((spec, Ok(())));
        Ok(())
    }

    fn written(&mut self) -> impl Future<Output = Option<(ChunkSpec, io::Result<()>)>> + Send {
        let done = &mut self.done;
        std::future::poll_fn(move |_| match done.pop_front() {
            Some(d) => std::task::Poll::Ready(Some(d)),
            None => std::task::Poll::Pending,
        })
    }

    fn reverify(&self, chunks: Vec<ChunkSpec>) -> BoxFuture<'static, Vec<(ChunkSpec, bool)>> {
        // Chunks listed in `rotten` no longer match on disk; the check takes a while.
        let rotten = self.rotten.clone();
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            chunks.into_iter().map(|c| (c, !rotten.contains(&(c.file, c.index)))).collect()
        })
    }

    fn flush(&self, _files: Vec<usize>, verified: Verified) -> BoxFuture<'static, io::Result<()>> {
        let flushed = self.flushed.clone();
        Box::pin(async move {
            *flushed.lock().unwrap() = Some(verified);
            Ok(())
        })
    }
}

struct Run {
    result: Result<(u64, Vec<PeerId>), ErrorInfo>,
    elapsed: Duration,
    chunks: Written,
    flushed: Option<Verified>,
    bytes: u64,
    served: HashMap<PeerId, u64>,
}

async fn run(serve: &[(PeerId, Serve)]) -> Run {
    run_resumed(serve, &[], &[]).await
}

/// Like [`run`] for a download resumed with data chunks `known` verified before, of which
/// `rotten` no longer match on disk.
async fn run_resumed(serve: &[(PeerId, Serve)], known: &[u64], rotten: &[u64]) -> Run {
    let m = manifest();
    let peers: Vec<PeerId> = serve.iter().map(|(p, _)| *p).collect();
    let db = db(&peers);
    let served = Arc::new(Mutex::new(HashMap::new()));
    let net = FakeNet {
        serve: serve.iter().copied().collect(),
        served: served.clone(),
        started: Arc::default(),
        db: db.clone(),
        bufs: BufPool::default(),
    };
    let store = MemStore { rotten: rotten.iter().map(|c| (0, *c)).collect(), ..MemStore::default() };
    let mut verified = Verified::empty(&m);
    for c in known {
        verified.set(0, *c, true);
    }
    let (chunks, flushed) = (store.chunks.clone(), store.flushed.clone());
    let (events, _rx) = tokio::sync::mpsc::unbounded_channel();
    let env = Env { me: peer(99), events, peers: db, tuning: Tuning::default() };
    let bytes = Arc::new(AtomicU64::new(0));
    let mut d = Driver::new(
        m.game_id.clone(),
        m.clone(),
        verified,
        Verified::empty(&m),
        env,
        net,
        store,
        bytes.clone(),
    );
    for p in &peers {
        d.add_peer(*p);
    }
    let t = Instant::now();
    let result = d.run(&CancellationToken::new()).await.map(|f| {
        assert_eq!(f.disk.sentinel(), Some(&b"1\n"[..]), "version.ini is held in memory");
        (f.bytes, f.peers)
    });
    let elapsed = t.elapsed();
    let chunks = chunks.lock().unwrap().clone();
    let flushed = flushed.lock().unwrap().clone();
    let served = served.lock().unwrap().clone();
    Run { result, elapsed, chunks, flushed, bytes: bytes.load(Ordering::Relaxed), served }
}

#[tokio::test(start_paused = true)]
async fn a_silent_peer_is_bypassed_and_every_chunk_lands_once() {
    let fast = Serve::Fast { latency: Duration::from_millis(10) };
    let r = run(&[(peer(1), fast), (peer(2), Serve::Silent)]).await;
    let (bytes, used) = r.result.expect("the download completes from the answering peer");
    assert_eq!(used, vec![peer(1)], "only the answering peer delivered");
    assert_eq!(bytes, CHUNKS * MIB + 2);
    assert_eq!(r.bytes, CHUNKS * MIB + 2, "the game list shows every byte verified");
    assert_eq!(r.chunks.len() as u64, CHUNKS, "version.ini is never written before the commit");
    for c in 0..CHUNKS {
        assert_eq!(r.chunks[&(0, c)], payload(c), "chunk {c}");
    }
    // The silent peer's requests were duplicated at the end (endgame), not waited out.
    assert!(r.elapsed < Duration::from_secs(1), "{:?}", r.elapsed);
}

#[tokio::test(start_paused = true)]
async fn with_no_holder_left_the_download_fails_after_the_grace_and_keeps_what_it_verified() {
    let leaving = Serve::LeavesAfter { n: 3, latency: Duration::from_millis(10) };
    let r = run(&[(peer(1), leaving)]).await;
    let e = r.result.expect_err("nobody holds the rest");
    assert_eq!(e.kind, ErrorKind::NoPeers, "{e:?}");
    assert!(e.message.contains("verified chunks are kept"), "{}", e.message);
    // The peer check runs every second; the grace runs from the first check without a holder.
    assert!(r.elapsed >= NO_PEER_GRACE, "{:?}", r.elapsed);
    assert!(r.elapsed <= NO_PEER_GRACE + Duration::from_secs(3), "{:?}", r.elapsed);
    assert_eq!(r.served[&peer(1)], 3);
    let kept: Vec<u64> = r.chunks.keys().map(|(_, c)| *c).collect();
    let flushed = r.flushed.expect("progress was saved on the way out");
    let m = manifest();
    for c in 0..CHUNKS {
        assert_eq!(
            flushed.get(0, c),
            kept.contains(&c),
            "chunk {c}: the saved bitmap matches what was written"
        );
    }
    // The three chunks served, but version.ini (if among them) stays in memory.
    assert!((2..=3).contains(&kept.len()), "{kept:?}");
    assert_eq!(flushed.bytes(&m), kept.len() as u64 * MIB);
}

#[tokio::test(start_paused = true)]
async fn chunks_known_from_before_are_reverified_and_a_rotten_one_is_fetched_again() {
    let fast = Serve::Fast { latency: Duration::from_millis(10) };
    let r = run_resumed(&[(peer(1), fast)], &[0, 1, 2, 3], &[2]).await;
    let (bytes, _) = r.result.expect("completes");
    let written: Vec<u64> = r.chunks.keys().map(|(_, c)| *c).collect();
    assert_eq!(written, vec![2, 4, 5, 6, 7], "good chunks are kept, the rotten one comes again");
    assert_eq!(r.chunks[&(0, 2)], payload(2));
    assert_eq!(bytes, 5 * MIB + 2, "bytes verified in this run");
    assert_eq!(r.bytes, CHUNKS * MIB + 2);
    // The check ran beside the transfer: it did not add its 300 ms to a 10 ms-per-chunk download
    // once the rest was fetched… but the download could not commit before it ended.
    assert!(r.elapsed >= Duration::from_millis(300), "{:?}", r.elapsed);
    assert!(r.elapsed < Duration::from_millis(600), "{:?}", r.elapsed);
}
