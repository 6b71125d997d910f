//! A download's swarm glue: announcing verified chunks, joining members, merging their
//! bitfields into the schedule, and following peers that join or leave the LAN.

use super::*;

impl Download<'_> {
    /// Peers that left the LAN leave the download; new holders of the agreed version whose
    /// manifest matches join it.
    pub(super) fn look_for_peers(&mut self) {
        let digest = self.digest;
        let now = self.now();
        let gone: Vec<PeerId> = {
            let db = self.ctx.peers.read().unwrap_or_else(|p| p.into_inner());
            self.sched.peers().filter(|p| db.get(p).is_none()).copied().collect()
        };
        for p in gone {
            tracing::info!(game = %self.id, peer = %p.short(), "peer left the LAN; it leaves the download");
            self.member_gen.remove(&p);
            self.joined.remove(&p);
            let acts = self.sched.forget_peer(&p);
            self.apply(acts);
        }
        let candidates: Vec<PeerId> = {
            let db = self.ctx.peers.read().unwrap_or_else(|p| p.into_inner());
            db.peers_with(self.id, &self.manifest.version)
                .into_iter()
                .filter(|p| !self.sched.has_peer(p) && !self.sched.is_excluded(p, now))
                .filter(|p| {
                    let rec = db.get(p);
                    let announced = rec.and_then(|r| r.games.get(self.id)).and_then(|g| g.manifest_digest);
                    let served =
                        rec.and_then(|r| r.manifests.get(&(self.id.clone(), self.manifest.version.clone())));
                    announced == Some(digest) || served.is_some_and(|m| m.digest() == digest)
                })
                .collect()
        };
        for p in candidates {
            tracing::info!(game = %self.id, peer = %p.short(), "a new peer joins the download");
            self.add_peer(p);
        }
    }

    /// Our verified chunks as a swarm bitfield.
    pub(super) fn local_bitfield(&self) -> lanspread_proto::Bitfield {
        let mut b = lanspread_proto::Bitfield::new(self.manifest.total_chunks());
        let mut g = 0;
        for (i, f) in self.manifest.files.iter().enumerate() {
            for c in 0..f.chunks.len() as u64 {
                if self.verified.get(i, c) && Some(i) != self.sentinel_idx {
                    b.set(g);
                }
                g += 1;
            }
        }
        b
    }

    /// Announces new chunks, joins newly seen members, merges members into the schedule.
    /// Tells `targets` about the chunks verified since the last announcement. `detached`: the
    /// requests outlive this download (its last announcement, sent as it completes; without it
    /// the others would never learn that this copy holds the last chunks, and would keep
    /// treating it as partial).
    pub(super) fn announce_haves(&mut self, targets: &BTreeSet<PeerId>, detached: bool) {
        if self.have_pending.is_empty() {
            return;
        }
        let chunks = std::mem::take(&mut self.have_pending);
        let have = lanspread_proto::Have { game_id: self.id.clone(), manifest_digest: self.digest, chunks };
        for p in targets {
            let Some(addr) = self.ctx.peers.read().unwrap_or_else(|e| e.into_inner()).get(p).map(|r| r.addr)
            else {
                continue;
            };
            let (ctx, req, p) = (self.ctx.clone(), Request::Have(have.clone()), *p);
            let send = async move {
                if let Ok(h) = ctx.pool.get(p, addr).await {
                    let _ = net::request(&h, &req, Duration::from_secs(5)).await;
                }
            };
            if detached {
                self.ctx.tasks.spawn(send);
            } else {
                self.swarm_bg.spawn(send);
            }
        }
    }

    /// Everyone this download swarms with.
    pub(super) fn swarm_targets(&self) -> BTreeSet<PeerId> {
        let me = self.ctx.identity.peer_id;
        let mut targets: BTreeSet<PeerId> = self.sched.peers().copied().collect();
        targets.extend(self.ctx.swarms.member_ids(self.id, self.digest));
        targets.remove(&me);
        targets
    }

    /// Joins the swarm at every peer of the schedule before the first chunk is requested, so
    /// a complete copy knows from the start that members will trade (and records which
    /// chunks it handed to whom). Waits at most `JOIN_WAIT`.
    pub(super) async fn join_first(&mut self) {
        const JOIN_WAIT: Duration = Duration::from_millis(500);
        let mut joins = JoinSet::new();
        for p in self.sched.peers().copied().collect::<Vec<_>>() {
            let Some(&addr) = self.addrs.get(&p) else { continue };
            joins.spawn(self.join(p, addr));
        }
        let _ = tokio::time::timeout(JOIN_WAIT, async { while joins.join_next().await.is_some() {} }).await;
        // Joins still under way finish in the background.
        self.swarm_bg.spawn(async move { while joins.join_next().await.is_some() {} });
    }

    /// Marks `p` as joined and returns the SwarmJoin request to it, which records the members
    /// it answers with.
    fn join(&mut self, p: PeerId, addr: std::net::SocketAddr) -> impl Future<Output = ()> + use<> {
        self.joined.insert(p);
        let join = lanspread_proto::SwarmJoin {
            game_id: self.id.clone(),
            version: self.manifest.version.clone(),
            manifest_digest: self.digest,
            have: self.local_bitfield(),
        };
        let (ctx, id, digest) = (self.ctx.clone(), self.id.clone(), self.digest);
        async move {
            let r = async {
                let h = ctx.pool.get(p, addr).await?;
                net::request(&h, &Request::SwarmJoin(join), Duration::from_secs(5)).await
            }
            .await;
            if let Ok(Response::SwarmPeers(sp)) = r {
                ctx.swarms.learn(&id, digest, ctx.identity.peer_id, sp.members);
            }
        }
    }

    pub(super) fn swarm_tick(&mut self) {
        let targets = self.swarm_targets();
        let addr_of =
            |p: &PeerId| self.ctx.peers.read().unwrap_or_else(|e| e.into_inner()).get(p).map(|r| r.addr);
        // 1. Announce.
        if self.swarm_bg.len() < 256 {
            self.announce_haves(&targets, false);
        }
        // 2. Join whoever we have not joined yet (they learn us and tell us whom they know).
        for p in targets.iter().filter(|p| !self.joined.contains(*p)).copied().collect::<Vec<_>>() {
            let Some(addr) = addr_of(&p) else { continue };
            let join = self.join(p, addr);
            self.swarm_bg.spawn(join);
        }
        self.merge_members();
    }

    /// Members with news join (or update) the schedule.
    pub(super) fn merge_members(&mut self) {
        let me = self.ctx.identity.peer_id;
        let members = self.ctx.swarms.members_changed(self.id, self.digest, &self.member_gen);
        let addr_of =
            |p: &PeerId| self.ctx.peers.read().unwrap_or_else(|e| e.into_inner()).get(p).map(|r| r.addr);
        let now = self.now();
        for (p, m) in members {
            if p == me || self.member_gen.get(&p) == Some(&m.generation) || self.sched.is_excluded(&p, now) {
                continue;
            }
            let Some(addr) = addr_of(&p) else { continue };
            self.member_gen.insert(p, m.generation);
            self.addrs.insert(p, addr);
            let has = if m.have.is_full() { None } else { Some(m.have) };
            if !self.sched.has_peer(&p) {
                tracing::debug!(game = %self.id, peer = %p.short(), "swarm member joins the schedule");
            }
            self.sched.add_peer_with(p, has);
        }
    }
}
