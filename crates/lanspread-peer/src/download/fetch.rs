//! A download's requests: carrying out the scheduler's actions (fetch a chunk or a whole
//! file from a peer, cancel, drop a peer) and taking in what the fetches return.

use super::*;

/// Result of one request task.
pub(super) struct Done {
    pub(super) work: Work,
    pub(super) peer: PeerId,
    pub(super) elapsed: Duration,
    pub(super) result: Result<Option<transfer::ChunkData>, Failure>,
}

impl Download<'_> {
    pub(super) fn apply(&mut self, actions: Vec<Action>) {
        for a in actions {
            match a {
                Action::Fetch { work, peer } => self.spawn_fetch(work, peer),
                Action::Cancel { work, peer } => {
                    if let Some(h) = self.aborts.remove(&(work, peer)) {
                        h.abort();
                    }
                }
                Action::DropPeer { peer, reason } => {
                    tracing::info!(game = %self.id, peer = %peer.short(), reason, "peer dropped from download");
                    if reason.contains("verification") {
                        misbehaved(self.ctx, peer, self.id, &reason);
                    }
                }
            }
        }
    }

    fn spawn_fetch(&mut self, work: Work, peer: PeerId) {
        let Some(&addr) = self.addrs.get(&peer) else { return };
        let ctx = self.ctx.clone();
        let manifest = self.manifest.clone();
        let root = self.root.to_path_buf();
        let spec = match work {
            Work::Chunk(c) => Some(self.sched.chunk(c)),
            Work::File(_) => None,
        };
        let id = self.id.clone();
        let bufs = self.bufs.clone();
        let handle = self.tasks.spawn(async move {
            let t = Instant::now();
            let result = async {
                let h = ctx.pool.get(peer, addr).await.map_err(|e| Failure::Network(e.to_string()))?;
                match (work, spec) {
                    (Work::Chunk(_), Some(spec)) => {
                        let f = &manifest.files[spec.file];
                        let range = chunk_range(f.size, manifest.chunk_size, spec.index)
                            .ok_or_else(|| Failure::Refused("chunk out of range".into()))?;
                        let req = GetGameFileChunk {
                            game_id: id.clone(),
                            version: manifest.version.clone(),
                            path: f.path.clone(),
                            chunk_size: manifest.chunk_size,
                            chunk_index: spec.index,
                        };
                        let data = tokio::time::timeout(
                            HARD_TIMEOUT,
                            transfer::fetch_chunk(
                                &h,
                                req,
                                range.start,
                                range.end - range.start,
                                f.size,
                                f.chunks[spec.index as usize],
                                &bufs,
                            ),
                        )
                        .await
                        .map_err(|_| Failure::Network("no answer in time".into()))??;
                        Ok(Some(data))
                    }
                    (Work::File(fi), _) => {
                        let f = manifest.files[fi].clone();
                        let (r, p, size) = (root.clone(), f.path.clone(), f.size);
                        tokio::task::spawn_blocking(move || files::truncate_for_rewrite(&r, &p, size))
                            .await
                            .map_err(|e| Failure::Network(e.to_string()))?
                            .map_err(|e| Failure::Network(format!("local write failed: {e}")))?;
                        let req = GetGameFileData {
                            game_id: id.clone(),
                            version: manifest.version.clone(),
                            path: f.path.clone(),
                        };
                        let cache = files::FileCache::new(&root);
                        let cs = u64::from(manifest.chunk_size);
                        transfer::fetch_file(&h, req, f.size, manifest.chunk_size, &f.chunks, |i, data| {
                            let file = cache.get(fi, &f.path).map_err(|e| Failure::Network(e.to_string()))?;
                            files::write_at(&file, i * cs, &data)
                                .map_err(|e| Failure::Network(format!("local write failed: {e}")))
                        })
                        .await?;
                        Ok(None)
                    }
                    _ => Err(Failure::Refused("bad work item".into())),
                }
            }
            .await;
            Done { work, peer, elapsed: t.elapsed(), result }
        });
        self.aborts.insert((work, peer), handle);
    }

    pub(super) fn on_done(&mut self, done: Done, rate: &mut RateMeter) -> Result<Vec<Action>, ErrorInfo> {
        match done.result {
            Ok(data) => {
                let chunks: Vec<usize> = match done.work {
                    Work::Chunk(c) => vec![c],
                    Work::File(f) => self.sched.file_chunks(f).to_vec(),
                };
                let mut newly = 0u64;
                for c in chunks {
                    let spec = self.sched.chunk(c);
                    if Some(spec.file) == self.sentinel_idx {
                        if let (Some(d), None) = (&data, &self.sentinel) {
                            self.sentinel = Some(d.to_vec());
                            self.verified_bytes += spec.len;
                            newly += spec.len;
                        }
                        continue;
                    }
                    match (&data, done.work) {
                        // A verified chunk: written in the background; it counts as verified
                        // (bitmap, progress) once it is on disk.
                        (Some(_), Work::Chunk(_)) => {}
                        _ => {
                            if !self.verified.get(spec.file, spec.index) {
                                self.verified.set(spec.file, spec.index, true);
                                self.verified_bytes += spec.len;
                                newly += spec.len;
                                self.dirty.insert(spec.file);
                            }
                        }
                    }
                }
                if let (Some(bytes), Work::Chunk(c)) = (data, done.work) {
                    let spec = self.sched.chunk(c);
                    if Some(spec.file) != self.sentinel_idx && !self.verified.get(spec.file, spec.index) {
                        self.spawn_write(spec, bytes)?;
                    }
                }
                if let Work::Chunk(c) = done.work {
                    tracing::trace!(
                        target: "lanspread_peer::chunks",
                        g = self.sched.chunk(c).global,
                        peer = %done.peer.short(),
                        ms = done.elapsed.as_millis() as u64,
                        at = self.now().as_millis() as u64,
                        "chunk verified"
                    );
                }
                self.transferred += newly;
                rate.add(newly);
                self.used.insert(done.peer);
                self.publish_verified_bytes();
                Ok(self.sched.on_success(done.work, done.peer, done.elapsed))
            }
            Err(failure) => {
                tracing::debug!(game = %self.id, peer = %done.peer.short(), ?failure, "request failed");
                if let Work::File(f) = done.work {
                    // The file was truncated: its chunks are no longer verified.
                    for c in 0..self.manifest.files[f].chunks.len() as u64 {
                        if self.verified.get(f, c) {
                            self.verified.set(f, c, false);
                            self.verified_bytes -= lanspread_proto::chunk::chunk_len(
                                self.manifest.files[f].size,
                                self.manifest.chunk_size,
                                c,
                            );
                        }
                    }
                    self.dirty.insert(f);
                }
                Ok(self.sched.on_failure(done.work, done.peer, &failure))
            }
        }
    }
}
