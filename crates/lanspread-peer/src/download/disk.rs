//! A download's disk side: which chunks are verified (and which of those were verified in
//! this run), the writes in flight, background durability (fdatasync, then the bitmap) and the
//! `version.ini` held in memory until the commit. Owned and changed only here.
//!
//! The bytes go through a [`Store`]: [`DiskStore`] writes into the game root from one writer
//! thread; tests use an in-memory store so the driver runs on virtual time.

use std::{
    collections::BTreeSet,
    future::Future,
    io,
    path::{Path, PathBuf},
    sync::Arc,
};

use futures::future::BoxFuture;
use lanspread_proto::{Digest, GameId, GameManifest, chunk::chunk_range};

use super::{
    files,
    scheduler::ChunkSpec,
    state::{self, Stamp, Stamps, Verified},
    transfer::ChunkData,
};
use crate::library::hashes::{FileHashes, GameHashes, HashIndex};

/// Where verified chunks go.
pub(crate) trait Store: Send + 'static {
    /// Hands a verified chunk to the writer; its outcome comes from [`Store::written`].
    /// `Err` when the writer has stopped.
    fn write(&mut self, spec: ChunkSpec, data: ChunkData) -> io::Result<()>;
    /// The outcome of the next write handed over (cancel-safe; pending while none is).
    fn written(&mut self) -> impl Future<Output = Option<(ChunkSpec, io::Result<()>)>> + Send;
    /// Makes the files with indexes `files` durable, then persists `verified` (with the files'
    /// stamps). Saves run in the order they were asked for.
    fn flush(&self, files: Vec<usize>, verified: Verified) -> BoxFuture<'static, io::Result<()>>;
    /// Re-reads `chunks` from disk and checks them against the manifest: (chunk, matches).
    fn reverify(&self, chunks: Vec<ChunkSpec>) -> BoxFuture<'static, Vec<(ChunkSpec, bool)>>;
}

/// The disk side of a download (see the module header).
pub(super) struct Disk<S: Store> {
    pub(super) store: S,
    /// Chunks present and good: written in this run, or known from before.
    verified: Verified,
    /// The subset verified in this run: written after their hash matched, or re-verified from
    /// disk. Only a download whose every chunk is fresh commits.
    fresh: Verified,
    /// Files with chunks written since the last flush.
    dirty: BTreeSet<usize>,
    /// Writes handed over and not reported back yet, and their bytes.
    pending: usize,
    pending_bytes: u64,
    /// A background flush in progress.
    pub(super) flushing: Option<BoxFuture<'static, io::Result<()>>>,
    /// Manifest index of `version.ini`, and its bytes once fetched (never written before the
    /// commit).
    sentinel_idx: Option<usize>,
    sentinel: Option<Vec<u8>>,
}

impl<S: Store> Disk<S> {
    pub(super) fn new(store: S, manifest: &GameManifest, verified: Verified, fresh: Verified) -> Self {
        Self {
            store,
            verified,
            fresh,
            dirty: BTreeSet::new(),
            pending: 0,
            pending_bytes: 0,
            flushing: None,
            sentinel_idx: manifest.files.iter().position(|f| f.path.is_version_ini()),
            sentinel: None,
        }
    }

    /// Whether chunk `c` of file `file` is verified (and written).
    pub(super) fn is_verified(&self, file: usize, c: u64) -> bool {
        self.verified.get(file, c)
    }

    /// Whether chunk `c` of file `file` was verified in this run.
    pub(super) fn is_fresh(&self, file: usize, c: u64) -> bool {
        self.fresh.get(file, c)
    }

    /// Verified chunks not verified in this run: they are re-read from disk before the commit.
    pub(super) fn to_reverify(&self, manifest: &GameManifest) -> Vec<ChunkSpec> {
        let mut firsts = Vec::with_capacity(manifest.files.len());
        let mut g = 0;
        for f in &manifest.files {
            firsts.push(g);
            g += f.chunks.len() as u64;
        }
        self.verified
            .minus(&self.fresh)
            .into_iter()
            .filter(|(file, _)| !self.is_sentinel(*file))
            .map(|(file, index)| {
                let f = &manifest.files[file];
                let len = lanspread_proto::chunk::chunk_len(f.size, manifest.chunk_size, index);
                ChunkSpec { file, index, len, global: firsts[file] + index }
            })
            .collect()
    }

    /// A chunk known from before matched on disk: it counts as verified in this run.
    pub(super) fn reverified(&mut self, spec: ChunkSpec) {
        if self.verified.get(spec.file, spec.index) {
            self.fresh.set(spec.file, spec.index, true);
        }
    }

    /// A chunk known from before did not match on disk: it is no longer verified.
    pub(super) fn unverify(&mut self, spec: ChunkSpec) {
        self.verified.set(spec.file, spec.index, false);
        self.fresh.set(spec.file, spec.index, false);
        self.dirty.insert(spec.file);
    }

    /// The first chunk (file, index) not verified in this run, if any.
    pub(super) fn first_stale(&self, manifest: &GameManifest) -> Option<(usize, u64)> {
        manifest
            .files
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.is_sentinel(*i))
            .flat_map(|(i, f)| (0..f.chunks.len() as u64).map(move |c| (i, c)))
            .find(|(i, c)| !self.fresh.get(*i, *c))
    }

    /// Whether `file` is `version.ini`.
    pub(super) fn is_sentinel(&self, file: usize) -> bool {
        self.sentinel_idx == Some(file)
    }

    /// Whether `version.ini` is in memory (or the manifest has none).
    pub(super) fn sentinel_ok(&self) -> bool {
        self.sentinel_idx.is_none() || self.sentinel.is_some()
    }

    /// The `version.ini` bytes fetched.
    pub(super) fn sentinel(&self) -> Option<&[u8]> {
        self.sentinel.as_deref()
    }

    /// Writes handed over and not reported back.
    pub(super) fn pending(&self) -> usize {
        self.pending
    }

    /// Bytes waiting for the writer.
    pub(super) fn pending_bytes(&self) -> u64 {
        self.pending_bytes
    }

    /// The verified bitmap.
    pub(super) fn verified(&self) -> &Verified {
        &self.verified
    }

    /// A verified chunk arrived: `version.ini` is kept in memory (returns its length, now
    /// verified); anything else goes to the writer and counts once written (returns 0).
    pub(super) fn accept(&mut self, spec: ChunkSpec, data: ChunkData) -> io::Result<u64> {
        if self.is_sentinel(spec.file) {
            if self.sentinel.is_some() {
                return Ok(0);
            }
            self.sentinel = Some(data.to_vec());
            return Ok(spec.len);
        }
        if self.verified.get(spec.file, spec.index) {
            return Ok(0);
        }
        self.store.write(spec, data)?;
        self.pending += 1;
        self.pending_bytes += spec.len;
        Ok(0)
    }

    /// A write finished: `Ok(true)` when it newly verified its chunk.
    pub(super) fn on_written(&mut self, spec: ChunkSpec, result: io::Result<()>) -> io::Result<bool> {
        self.pending = self.pending.saturating_sub(1);
        self.pending_bytes = self.pending_bytes.saturating_sub(spec.len);
        result?;
        if self.verified.get(spec.file, spec.index) {
            return Ok(false);
        }
        self.verified.set(spec.file, spec.index, true);
        self.fresh.set(spec.file, spec.index, true);
        self.dirty.insert(spec.file);
        Ok(true)
    }

    /// Chunks `chunks` (of one file) were written by a whole-file transfer and verified; returns
    /// the bytes newly verified (`version.ini` is never fetched whole).
    pub(super) fn file_written(&mut self, chunks: &[ChunkSpec]) -> u64 {
        let mut newly = 0;
        for spec in chunks {
            if !self.is_sentinel(spec.file) && !self.verified.get(spec.file, spec.index) {
                self.verified.set(spec.file, spec.index, true);
                self.fresh.set(spec.file, spec.index, true);
                self.dirty.insert(spec.file);
                newly += spec.len;
            }
        }
        newly
    }

    /// None of `file`'s chunks is verified any more (a whole-file transfer is about to truncate
    /// it, or failed after truncating it). Returns the bytes lost.
    pub(super) fn file_lost(&mut self, manifest: &GameManifest, file: usize) -> u64 {
        let f = &manifest.files[file];
        let mut lost = 0;
        for c in 0..f.chunks.len() as u64 {
            if self.verified.get(file, c) {
                self.verified.set(file, c, false);
                lost += lanspread_proto::chunk::chunk_len(f.size, manifest.chunk_size, c);
            }
            self.fresh.set(file, c, false);
        }
        self.dirty.insert(file);
        lost
    }

    /// Before a whole-file transfer truncates `file`: clears its bits and returns the save of
    /// the cleared bitmap, which the transfer awaits before it truncates (saves run in order,
    /// so no earlier save can bring the bits back). Also returns the bytes lost.
    pub(super) fn clear_for_rewrite(
        &mut self,
        manifest: &GameManifest,
        file: usize,
    ) -> (u64, BoxFuture<'static, io::Result<()>>) {
        let lost = self.file_lost(manifest, file);
        (lost, self.store.flush(Vec::new(), self.verified.clone()))
    }

    /// Starts a background flush of the files written since the last one (no-op when one runs
    /// or nothing changed).
    pub(super) fn start_flush(&mut self) {
        if self.flushing.is_some() || self.dirty.is_empty() {
            return;
        }
        let dirty: Vec<usize> = std::mem::take(&mut self.dirty).into_iter().collect();
        self.flushing = Some(self.store.flush(dirty, self.verified.clone()));
    }

    /// Waits for the running flush, then flushes what is left (on stop and before the commit).
    pub(super) async fn flush_now(&mut self) -> io::Result<()> {
        if let Some(f) = self.flushing.take() {
            f.await?;
        }
        self.start_flush();
        match self.flushing.take() {
            Some(f) => f.await,
            None => Ok(()),
        }
    }
}

/// The real [`Store`]: the game root on disk, written from one writer thread; saves (sync,
/// stamp, persist the bitmap) run on one saver thread in the order they were asked for.
///
/// One writer thread per download: writes to one file serialize on its inode anyway, and a
/// single thread avoids lock spinning and a context switch per chunk.
pub(crate) struct DiskStore {
    root: PathBuf,
    manifest: Arc<GameManifest>,
    tx: std::sync::mpsc::Sender<(ChunkSpec, ChunkData)>,
    done: tokio::sync::mpsc::UnboundedReceiver<(ChunkSpec, io::Result<()>)>,
    saves: std::sync::mpsc::Sender<SaveJob>,
}

/// One save: make `files` durable, stamp them, persist `verified` with every stamp.
struct SaveJob {
    files: Vec<usize>,
    verified: Verified,
    reply: tokio::sync::oneshot::Sender<io::Result<()>>,
}

impl DiskStore {
    /// Starts the writer and saver threads of a download into `root`; `stamps` are the files'
    /// identities as last saved.
    pub(crate) fn start(root: &Path, manifest: Arc<GameManifest>, digest: Digest, stamps: Stamps) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<(ChunkSpec, ChunkData)>();
        let (done_tx, done) = tokio::sync::mpsc::unbounded_channel();
        let mut writer = files::ChunkWriter::new(root);
        let m = manifest.clone();
        let spawned = std::thread::Builder::new().name("lanspread-writer".into()).spawn(move || {
            while let Ok((spec, data)) = rx.recv() {
                let f = &m.files[spec.file];
                let offset = u64::from(m.chunk_size) * spec.index;
                let r = writer.write(spec.file, &f.path, offset, data.buf.as_slice());
                if done_tx.send((spec, r)).is_err() {
                    break;
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the writer thread");
        }
        let (saves, jobs) = std::sync::mpsc::channel::<SaveJob>();
        let (r, m) = (root.to_path_buf(), manifest.clone());
        let spawned = std::thread::Builder::new().name("lanspread-saver".into()).spawn(move || {
            let mut stamps = stamps;
            while let Ok(job) = jobs.recv() {
                let result = save(&r, &m, digest, &job, &mut stamps);
                let _ = job.reply.send(result);
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the saver thread");
        }
        Self { root: root.to_path_buf(), manifest, tx, done, saves }
    }
}

/// Syncs the job's files, records their identity, persists the bitmap with every stamp.
fn save(root: &Path, m: &GameManifest, digest: Digest, job: &SaveJob, stamps: &mut Stamps) -> io::Result<()> {
    files::sync_files(root, m, job.files.iter().copied())?;
    for &i in &job.files {
        let path = files::safe_path(root, &m.files[i].path, false)?;
        match Stamp::of_path(&path) {
            Some(st) => stamps.insert(i, st),
            None => stamps.remove(&i),
        };
    }
    state::save(root, m, digest, &job.verified, stamps)
}

impl Store for DiskStore {
    fn write(&mut self, spec: ChunkSpec, data: ChunkData) -> io::Result<()> {
        self.tx.send((spec, data)).map_err(|_| io::Error::other("the file writer stopped"))
    }

    fn written(&mut self) -> impl Future<Output = Option<(ChunkSpec, io::Result<()>)>> + Send {
        self.done.recv()
    }

    fn flush(&self, files: Vec<usize>, verified: Verified) -> BoxFuture<'static, io::Result<()>> {
        let (reply, rx) = tokio::sync::oneshot::channel();
        let queued = self.saves.send(SaveJob { files, verified, reply });
        Box::pin(async move {
            queued.map_err(|_| io::Error::other("the saver thread stopped"))?;
            rx.await.map_err(|_| io::Error::other("the saver thread stopped"))?
        })
    }

    fn reverify(&self, chunks: Vec<ChunkSpec>) -> BoxFuture<'static, Vec<(ChunkSpec, bool)>> {
        let (root, m) = (self.root.clone(), self.manifest.clone());
        let job = tokio::task::spawn_blocking(move || reverify_chunks(&root, &m, &chunks));
        Box::pin(async move { job.await.unwrap_or_default() })
    }
}

/// Reads each chunk back and compares its hash with the manifest (a missing or short file, or
/// any read error, is a mismatch).
fn reverify_chunks(root: &Path, m: &GameManifest, chunks: &[ChunkSpec]) -> Vec<(ChunkSpec, bool)> {
    let mut out = Vec::with_capacity(chunks.len());
    let mut open: Option<(usize, std::fs::File)> = None;
    let mut buf = Vec::new();
    for &spec in chunks {
        let f = &m.files[spec.file];
        if open.as_ref().is_none_or(|(i, _)| *i != spec.file) {
            open = files::safe_path(root, &f.path, false)
                .and_then(std::fs::File::open)
                .ok()
                .map(|h| (spec.file, h));
        }
        let ok = match (&open, chunk_range(f.size, m.chunk_size, spec.index)) {
            (Some((_, file)), Some(r)) => {
                buf.resize((r.end - r.start) as usize, 0);
                files::read_at(file, r.start, &mut buf).is_ok()
                    && lanspread_proto::ChunkHash::of(&buf) == f.chunks[spec.index as usize]
            }
            _ => false,
        };
        out.push((spec, ok));
    }
    out
}

/// Makes everything durable, removes stale payload, records hashes, marks (or unmarks) the
/// version as taken unverified, and commits `version.ini` (blocking). The marker is in its
/// final state before `version.ini` appears, so a crash never leaves an unverified copy that
/// looks verified.
pub(super) fn commit(
    root: &Path,
    m: &GameManifest,
    sentinel: &[u8],
    index: &HashIndex,
    id: &GameId,
    unverified: bool,
) -> io::Result<()> {
    files::sync_files(root, m, 0..m.files.len())?;
    let removed = files::remove_extraneous(root, m)?;
    if !removed.is_empty() {
        tracing::info!(removed = removed.len(), "removed files of the previous version");
    }
    record_hashes(root, m, index, id);
    let marker = root.join(crate::library::UNVERIFIED_MARKER);
    if unverified {
        crate::platform::write_atomic(&marker, format!("{}\n", m.version).as_bytes())?;
    } else if std::fs::symlink_metadata(&marker).is_ok() {
        std::fs::remove_file(&marker)?;
        crate::platform::sync_dir(root)?;
    }
    files::commit_sentinel(root, sentinel)?;
    state::clear(root);
    files::sweep_sentinels(root);
    Ok(())
}

/// Puts the agreed hashes in the hash cache so this peer serves the game without re-hashing.
fn record_hashes(root: &Path, m: &GameManifest, index: &HashIndex, id: &GameId) {
    let mut files = std::collections::BTreeMap::new();
    for f in &m.files {
        let path = if f.path.is_version_ini() { continue } else { root.join(f.path.to_path_buf()) };
        if let Ok(md) = std::fs::symlink_metadata(&path) {
            files.insert(
                f.path.as_str().to_string(),
                FileHashes {
                    size: md.len(),
                    mtime_ns: crate::library::mtime_ns(&md),
                    chunks: f.chunks.clone(),
                },
            );
        }
    }
    let hashes = GameHashes { chunk_size: m.chunk_size, files };
    if let Err(e) = index.store(id, &hashes) {
        tracing::debug!(error = %e, "could not record hashes");
    }
}

/// Marks chunks of files that existed before the download as verified where their bytes
/// already match (GetGame may reuse local data; nothing unverified is ever trusted).
pub(super) fn rehash_existing(root: &Path, m: &GameManifest, prior: &[Option<u64>]) -> Verified {
    let mut v = Verified::empty(m);
    let mut buf = Vec::new();
    for (i, f) in m.files.iter().enumerate() {
        let Some(Some(before)) = prior.get(i) else { continue };
        if *before == 0 || f.path.is_version_ini() {
            continue;
        }
        let Ok(path) = files::safe_path(root, &f.path, false) else { continue };
        let Ok(file) = std::fs::File::open(&path) else { continue };
        for (c, hash) in f.chunks.iter().enumerate() {
            let Some(r) = chunk_range(f.size, m.chunk_size, c as u64) else { break };
            if r.end > *before {
                break;
            }
            buf.resize((r.end - r.start) as usize, 0);
            if files::read_at(&file, r.start, &mut buf).is_ok()
                && lanspread_proto::ChunkHash::of(&buf) == *hash
            {
                v.set(i, c as u64, true);
            }
        }
    }
    v
}
