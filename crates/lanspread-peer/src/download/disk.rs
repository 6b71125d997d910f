//! A download's disk side: the writer thread, background durability (fdatasync + bitmap),
//! reuse of local data, the final commit and the hash cache.

use super::*;

impl Download<'_> {
    pub(super) fn spawn_write(
        &mut self,
        spec: ChunkSpec,
        data: transfer::ChunkData,
    ) -> Result<(), ErrorInfo> {
        let sent = self.write_tx.as_ref().is_some_and(|tx| tx.send((spec, data)).is_ok());
        if !sent {
            return Err(err(
                ErrorKind::Io,
                format!("{}: the file writer stopped; verified chunks are kept", self.id),
            ));
        }
        self.pending_write_bytes += spec.len;
        self.pending_writes += 1;
        Ok(())
    }

    pub(super) fn on_written(
        &mut self,
        spec: ChunkSpec,
        result: std::io::Result<()>,
        rate: &mut RateMeter,
    ) -> Result<(), ErrorInfo> {
        self.pending_write_bytes = self.pending_write_bytes.saturating_sub(spec.len);
        if let Err(e) = result {
            let kind = if e.raw_os_error() == Some(28) { ErrorKind::DiskFull } else { ErrorKind::Io };
            return Err(err(
                kind,
                format!("{}: cannot write {}: {e}", self.id, self.manifest.files[spec.file].path),
            ));
        }
        if !self.verified.get(spec.file, spec.index) {
            self.verified.set(spec.file, spec.index, true);
            if self.ctx.swarming {
                self.ctx.swarms.mark_local(self.id, self.digest, spec.global);
                self.have_pending.push(spec.global);
            }
            self.verified_bytes += spec.len;
            self.transferred += spec.len;
            rate.add(spec.len);
            self.dirty.insert(spec.file);
            self.publish_verified_bytes();
        }
        Ok(())
    }

    /// Starts fdatasyncing the files with new chunks, then persisting the bitmap as it was
    /// when the sync started (every chunk it marks was written before the sync began).
    pub(super) fn spawn_flush(&mut self) -> Option<tokio::task::JoinHandle<std::io::Result<()>>> {
        if self.dirty.is_empty() {
            return None;
        }
        let dirty: Vec<usize> = std::mem::take(&mut self.dirty).into_iter().collect();
        let (root, m, v) = (self.root.to_path_buf(), self.manifest.clone(), self.verified.clone());
        let digest = self.digest;
        Some(tokio::task::spawn_blocking(move || {
            files::sync_files(&root, &m, dirty)?;
            state::save(&root, &m, digest, &v)
        }))
    }

    /// Syncs and persists now (on stop).
    pub(super) async fn flush(&mut self) -> std::io::Result<()> {
        match self.spawn_flush() {
            Some(h) => h.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }

    /// Makes everything durable, removes stale payload, records hashes, commits the sentinel.
    pub(super) async fn finish(&mut self) -> Result<(), ErrorInfo> {
        let content = self.sentinel.clone().unwrap_or_default();
        let text = lanspread_proto::GameVersion::from_version_ini(&content).map_err(|e| {
            err(ErrorKind::Integrity, format!("{}: the peers' version.ini is unusable: {e}", self.id))
        })?;
        if text != self.manifest.version {
            return Err(err(
                ErrorKind::Integrity,
                format!(
                    "{}: version.ini says {text} but the peers announce {}",
                    self.id, self.manifest.version
                ),
            ));
        }
        let (root, m) = (self.root.to_path_buf(), self.manifest.clone());
        let index = self.ctx.hash_index();
        let id = self.id.clone();
        let r = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            files::sync_files(&root, &m, 0..m.files.len())?;
            let removed = files::remove_extraneous(&root, &m)?;
            if !removed.is_empty() {
                tracing::info!(game = %id, removed = removed.len(), "removed files of the previous version");
            }
            record_hashes(&root, &m, &index, &id);
            files::commit_sentinel(&root, &content)?;
            state::clear(&root);
            files::sweep_sentinels(&root);
            Ok(())
        })
        .await
        .map_err(|e| err(ErrorKind::Internal, e.to_string()))?;
        r.map_err(|e| {
            let kind = if e.raw_os_error() == Some(28) { ErrorKind::DiskFull } else { ErrorKind::Io };
            err(kind, format!("{}: cannot complete the download: {e}", self.id))
        })
    }
}

/// Puts the agreed hashes in the hash cache so this peer serves the game without re-hashing.
fn record_hashes(root: &Path, m: &GameManifest, index: &crate::library::hashes::HashIndex, id: &GameId) {
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
        tracing::debug!(game = %id, error = %e, "could not record hashes");
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

/// Starts the writer thread of a download; it ends when the sender is dropped.
#[allow(clippy::type_complexity)]
pub(super) fn spawn_writer(
    root: &Path,
    manifest: Arc<GameManifest>,
) -> (
    std::sync::mpsc::Sender<(ChunkSpec, transfer::ChunkData)>,
    tokio::sync::mpsc::UnboundedReceiver<(ChunkSpec, std::io::Result<()>)>,
) {
    let (tx, rx) = std::sync::mpsc::channel::<(ChunkSpec, transfer::ChunkData)>();
    let (done_tx, done_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut writer = files::ChunkWriter::new(root);
    let spawned = std::thread::Builder::new().name("lanspread-writer".into()).spawn(move || {
        while let Ok((spec, data)) = rx.recv() {
            let f = &manifest.files[spec.file];
            let offset = u64::from(manifest.chunk_size) * spec.index;
            let r = writer.write(spec.file, &f.path, offset, data.buf.as_slice());
            if done_tx.send((spec, r)).is_err() {
                break;
            }
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the writer thread");
    }
    (tx, done_rx)
}
