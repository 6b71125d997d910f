//! A download's requests: one task per request the scheduler asked for, each fetching a chunk
//! (or, as a fallback, a whole file) from one peer through a [`Transport`]. Owned and changed
//! only here; the driver reaps the tasks and feeds their outcomes back to the scheduler.
//!
//! [`QuicTransport`] fetches over the runtime's connection pool; tests use an in-memory
//! transport so the driver runs on virtual time.

use std::{collections::HashMap, net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use futures::future::BoxFuture;
use lanspread_proto::{
    GameFileDescription, GameId, GameManifest, GetGameFileChunk, GetGameFileData, PeerId, chunk::chunk_range,
};
use tokio::{task::JoinSet, time::Instant};
use tracing::Instrument as _;

use super::{
    buf::BufPool,
    files,
    scheduler::{ChunkSpec, Failure, Work},
    transfer::{self, ChunkData},
};
use crate::runtime::Ctx;

/// A request older than this counts as a failure of its peer.
pub(super) const HARD_TIMEOUT: Duration = Duration::from_secs(20);

/// Fetches verified data from peers.
pub(crate) trait Transport: Send + Sync + 'static {
    /// Fetches chunk `spec` from `peer` at `addr`: its verified bytes.
    fn chunk(
        &self,
        peer: PeerId,
        addr: SocketAddr,
        spec: ChunkSpec,
    ) -> BoxFuture<'static, Result<ChunkData, Failure>>;
    /// Fetches file `file` whole from `peer` at `addr`, verifying and writing every chunk as it
    /// arrives (the file is truncated first: this is the fallback for files whose chunks keep
    /// failing). `cleared` is the save of the bitmap without the file's bits: it must complete
    /// before anything is truncated.
    fn file(
        &self,
        peer: PeerId,
        addr: SocketAddr,
        file: usize,
        cleared: BoxFuture<'static, std::io::Result<()>>,
    ) -> BoxFuture<'static, Result<(), Failure>>;
}

/// The outcome of one request.
pub(super) struct Done {
    pub(super) work: Work,
    pub(super) peer: PeerId,
    pub(super) elapsed: Duration,
    /// The chunk's bytes (`None` for a whole file, which the transport wrote itself).
    pub(super) result: Result<Option<ChunkData>, Failure>,
}

/// Requests in flight (see the module header).
pub(super) struct Requests<T: Transport> {
    transport: Arc<T>,
    pub(super) tasks: JoinSet<Done>,
    aborts: HashMap<(Work, PeerId), tokio::task::AbortHandle>,
    /// Where each peer of the download is dialled.
    addrs: HashMap<PeerId, SocketAddr>,
}

impl<T: Transport> Requests<T> {
    pub(super) fn new(transport: T) -> Self {
        Self {
            transport: Arc::new(transport),
            tasks: JoinSet::new(),
            aborts: HashMap::new(),
            addrs: HashMap::new(),
        }
    }

    /// Remembers where `peer` is dialled.
    pub(super) fn set_addr(&mut self, peer: PeerId, addr: SocketAddr) {
        self.addrs.insert(peer, addr);
    }

    /// Where `peer` is dialled, if known.
    pub(super) fn addr(&self, peer: &PeerId) -> Option<SocketAddr> {
        self.addrs.get(peer).copied()
    }

    /// Starts fetching `work` (chunk `spec`, if a chunk; for a whole file, `cleared` is the
    /// save that must complete before the file is truncated) from `peer`.
    pub(super) fn start(
        &mut self,
        work: Work,
        spec: Option<ChunkSpec>,
        cleared: Option<BoxFuture<'static, std::io::Result<()>>>,
        peer: PeerId,
    ) {
        let Some(addr) = self.addr(&peer) else { return };
        let t = self.transport.clone();
        let span = tracing::trace_span!("request", peer = %peer.short(), ?work);
        let handle = self.tasks.spawn(
            async move {
                let started = Instant::now();
                let result = match (work, spec, cleared) {
                    (Work::Chunk(_), Some(spec), _) => t.chunk(peer, addr, spec).await.map(Some),
                    (Work::File(f), _, Some(cleared)) => t.file(peer, addr, f, cleared).await.map(|()| None),
                    _ => Err(Failure::Refused("bad work item".into())),
                };
                Done { work, peer, elapsed: started.elapsed(), result }
            }
            .instrument(span),
        );
        self.aborts.insert((work, peer), handle);
    }

    /// Aborts the request for `work` on `peer` (a duplicate finished first, or it timed out).
    pub(super) fn cancel(&mut self, work: Work, peer: PeerId) {
        if let Some(h) = self.aborts.remove(&(work, peer)) {
            h.abort();
        }
    }

    /// A finished request leaves the books.
    pub(super) fn finished(&mut self, done: &Done) {
        self.aborts.remove(&(done.work, done.peer));
    }

    pub(super) fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Aborts everything (the download stops).
    pub(super) fn abort_all(&mut self) {
        self.tasks.abort_all();
        self.aborts.clear();
    }
}

/// The real [`Transport`]: QUIC streams over the runtime's connection pool.
pub(crate) struct QuicTransport {
    ctx: Arc<Ctx>,
    id: GameId,
    manifest: Arc<GameManifest>,
    root: PathBuf,
    bufs: BufPool,
}

impl QuicTransport {
    pub(crate) fn new(ctx: Arc<Ctx>, id: GameId, manifest: Arc<GameManifest>, root: PathBuf) -> Self {
        Self { ctx, id, manifest, root, bufs: BufPool::default() }
    }
}

impl Transport for QuicTransport {
    fn chunk(
        &self,
        peer: PeerId,
        addr: SocketAddr,
        spec: ChunkSpec,
    ) -> BoxFuture<'static, Result<ChunkData, Failure>> {
        let (ctx, manifest, bufs, id) =
            (self.ctx.clone(), self.manifest.clone(), self.bufs.clone(), self.id.clone());
        Box::pin(async move {
            let h = ctx.shared.pool.get(peer, addr).await.map_err(|e| Failure::Network(e.to_string()))?;
            let f: &GameFileDescription = &manifest.files[spec.file];
            let range = chunk_range(f.size, manifest.chunk_size, spec.index)
                .ok_or_else(|| Failure::Refused("chunk out of range".into()))?;
            let req = GetGameFileChunk {
                game_id: id,
                version: manifest.version.clone(),
                path: f.path.clone(),
                chunk_size: manifest.chunk_size,
                chunk_index: spec.index,
            };
            // The download cap paces requests (outside the per-chunk timeout): chunks then
            // arrive at line rate, on average at the cap.
            ctx.shared.download_limit.take(range.end - range.start).await;
            let fetch = transfer::fetch_chunk(
                &h,
                req,
                range.start,
                range.end - range.start,
                f.size,
                f.chunks[spec.index as usize],
                &bufs,
            );
            tokio::time::timeout(HARD_TIMEOUT, fetch)
                .await
                .map_err(|_| Failure::Network("no answer in time".into()))?
        })
    }

    fn file(
        &self,
        peer: PeerId,
        addr: SocketAddr,
        fi: usize,
        cleared: BoxFuture<'static, std::io::Result<()>>,
    ) -> BoxFuture<'static, Result<(), Failure>> {
        let (ctx, manifest, root, id) =
            (self.ctx.clone(), self.manifest.clone(), self.root.clone(), self.id.clone());
        Box::pin(async move {
            let h = ctx.shared.pool.get(peer, addr).await.map_err(|e| Failure::Network(e.to_string()))?;
            // Never truncate while saved state still claims the file's chunks.
            cleared.await.map_err(|e| {
                Failure::Network(format!("cannot save progress before rewriting a file: {e}"))
            })?;
            let f = manifest.files[fi].clone();
            let (r, p, size) = (root.clone(), f.path.clone(), f.size);
            tokio::task::spawn_blocking(move || files::truncate_for_rewrite(&r, &p, size))
                .await
                .map_err(|e| Failure::Network(e.to_string()))?
                .map_err(|e| Failure::Network(format!("local write failed: {e}")))?;
            ctx.shared.download_limit.take(f.size).await;
            let req =
                GetGameFileData { game_id: id, version: manifest.version.clone(), path: f.path.clone() };
            let cache = files::FileCache::new(&root);
            let cs = u64::from(manifest.chunk_size);
            transfer::fetch_file(&h, req, f.size, manifest.chunk_size, &f.chunks, |i, data| {
                let file = cache.get(fi, &f.path).map_err(|e| Failure::Network(e.to_string()))?;
                files::write_at(&file, i * cs, &data)
                    .map_err(|e| Failure::Network(format!("local write failed: {e}")))
            })
            .await
        })
    }
}
