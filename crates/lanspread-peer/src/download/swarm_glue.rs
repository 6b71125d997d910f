//! A download's swarm side: announcing verified chunks, joining members, and merging their
//! bitfields into the schedule. Owned and changed only here; the swarm state itself lives in
//! the runtime's [`Swarms`](crate::swarm::Swarms).

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    net::SocketAddr,
    sync::Arc,
    time::Duration,
};

use lanspread_proto::{Bitfield, Digest, GameId, GameManifest, Have, PeerId, Request, Response, SwarmJoin};
use tokio::{task::JoinSet, time::Instant};
use tracing::Instrument as _;

use super::{disk::Store, fetch::Requests, fetch::Transport, scheduler::Scheduler};
use crate::{net, runtime::Ctx, tasks::Role};

/// How long the first joins may hold back the first chunk requests.
const JOIN_WAIT: Duration = Duration::from_millis(500);
/// Background announcements and joins in flight before new ones wait.
const MAX_BACKGROUND: usize = 256;

/// The swarm side of one download (see the module header).
pub(super) struct SwarmSide {
    ctx: Arc<Ctx>,
    id: GameId,
    manifest: Arc<GameManifest>,
    digest: Digest,
    /// Peers we sent SwarmJoin to.
    joined: HashSet<PeerId>,
    /// Member generations already merged.
    member_gen: HashMap<PeerId, u64>,
    /// Verified chunks not announced yet, and when the last announcement went out.
    have_pending: Vec<u64>,
    pub(super) last_announce: Instant,
    /// Announcements and joins in flight.
    bg: JoinSet<()>,
}

impl SwarmSide {
    /// Joins our swarm for `manifest` with `have` verified.
    pub(super) fn start(
        ctx: Arc<Ctx>,
        id: GameId,
        manifest: Arc<GameManifest>,
        digest: Digest,
        have: Bitfield,
    ) -> Self {
        ctx.swarms.start_local(manifest.clone(), digest, have);
        Self {
            ctx,
            id,
            manifest,
            digest,
            joined: HashSet::new(),
            member_gen: HashMap::new(),
            have_pending: Vec::new(),
            last_announce: Instant::now(),
            bg: JoinSet::new(),
        }
    }

    /// Wakes when a member's chunks changed.
    pub(super) fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.ctx.swarms.subscribe()
    }

    /// We verified and wrote global chunk `g`: served from now on, announced soon.
    pub(super) fn verified(&mut self, g: u64) {
        self.ctx.swarms.mark_local(&self.id, self.digest, g);
        self.have_pending.push(g);
    }

    /// Whether verified chunks wait to be announced (and there is room to send).
    pub(super) fn has_news(&self) -> bool {
        !self.have_pending.is_empty() && self.bg.len() < MAX_BACKGROUND
    }

    /// A peer left the LAN: it is no longer a member we joined.
    pub(super) fn forget(&mut self, p: &PeerId) {
        self.member_gen.remove(p);
        self.joined.remove(p);
    }

    /// Everyone this download swarms with.
    fn targets(&self, sched: &Scheduler) -> BTreeSet<PeerId> {
        let mut targets: BTreeSet<PeerId> = sched.peers().copied().collect();
        targets.extend(self.ctx.swarms.member_ids(&self.id, self.digest));
        targets.remove(&self.ctx.me());
        targets
    }

    /// Tells everyone about the chunks verified since the last announcement. `last`: the
    /// download completed; the requests outlive it (without them the others would never learn
    /// that this copy holds the last chunks, and would keep treating it as partial).
    pub(super) fn announce(&mut self, sched: &Scheduler, last: bool) {
        self.last_announce = Instant::now();
        if self.have_pending.is_empty() {
            return;
        }
        let chunks = std::mem::take(&mut self.have_pending);
        let have = Have { game_id: self.id.clone(), manifest_digest: self.digest, chunks };
        for p in self.targets(sched) {
            let Some(addr) = self.ctx.peers.addr_of(&p) else { continue };
            let (ctx, req) = (self.ctx.clone(), Request::Have(have.clone()));
            let send = async move {
                if let Ok(h) = ctx.shared.pool.get(p, addr).await {
                    let _ = net::request(&h, &req, Duration::from_secs(5)).await;
                }
            };
            let span = tracing::trace_span!("have", peer = %p.short());
            if last {
                self.ctx.shared.tasks.spawn(Role::Work, "announce", span, send);
            } else {
                self.bg.spawn(send.instrument(span));
            }
        }
    }

    /// Joins the swarm at every peer of the schedule before the first chunk is requested, so
    /// a complete copy knows from the start that members will trade (and records which
    /// chunks it handed to whom). Waits at most `JOIN_WAIT`.
    pub(super) async fn join_first<T: Transport>(
        &mut self,
        sched: &Scheduler,
        requests: &Requests<T>,
        have: &Bitfield,
    ) {
        let mut joins = JoinSet::new();
        for p in sched.peers().copied().collect::<Vec<_>>() {
            let Some(addr) = requests.addr(&p) else { continue };
            joins.spawn(self.join(p, addr, have));
        }
        let _ = tokio::time::timeout(JOIN_WAIT, async { while joins.join_next().await.is_some() {} }).await;
        // Joins still under way finish in the background.
        self.bg.spawn(async move { while joins.join_next().await.is_some() {} });
    }

    /// Marks `p` as joined and returns the SwarmJoin request to it, which records the members
    /// it answers with.
    fn join(&mut self, p: PeerId, addr: SocketAddr, have: &Bitfield) -> impl Future<Output = ()> + use<> {
        self.joined.insert(p);
        let join = SwarmJoin {
            game_id: self.id.clone(),
            version: self.manifest.version.clone(),
            manifest_digest: self.digest,
            have: have.clone(),
        };
        let (ctx, id, digest) = (self.ctx.clone(), self.id.clone(), self.digest);
        let span = tracing::debug_span!("swarm-join", peer = %p.short());
        async move {
            let r = async {
                let h = ctx.shared.pool.get(p, addr).await?;
                net::request(&h, &Request::SwarmJoin(join), Duration::from_secs(5)).await
            }
            .await;
            if let Ok(Response::SwarmPeers(sp)) = r {
                ctx.swarms.learn(&id, digest, ctx.me(), sp.members);
            }
        }
        .instrument(span)
    }

    /// The periodic catch-up: announce, join whoever we have not joined yet (they learn us and
    /// tell us whom they know), merge members.
    pub(super) fn tick<T: Transport>(
        &mut self,
        sched: &mut Scheduler,
        requests: &mut Requests<T>,
        have: &Bitfield,
        now: Duration,
    ) {
        while self.bg.try_join_next().is_some() {}
        if self.bg.len() < MAX_BACKGROUND {
            self.announce(sched, false);
        }
        for p in self.targets(sched) {
            if self.joined.contains(&p) {
                continue;
            }
            let Some(addr) = self.ctx.peers.addr_of(&p) else { continue };
            let join = self.join(p, addr, have);
            self.bg.spawn(join);
        }
        self.merge(sched, requests, now);
    }

    /// Members with news join (or update) the schedule.
    pub(super) fn merge<T: Transport>(
        &mut self,
        sched: &mut Scheduler,
        requests: &mut Requests<T>,
        now: Duration,
    ) {
        let me = self.ctx.me();
        for (p, m) in self.ctx.swarms.members_changed(&self.id, self.digest, &self.member_gen) {
            if p == me || self.member_gen.get(&p) == Some(&m.generation) || sched.is_excluded(&p, now) {
                continue;
            }
            let Some(addr) = self.ctx.peers.addr_of(&p) else { continue };
            self.member_gen.insert(p, m.generation);
            requests.set_addr(p, addr);
            if !sched.has_peer(&p) {
                tracing::debug!(peer = %p.short(), "swarm member joins the schedule");
            }
            sched.add_peer_with(p, if m.have.is_full() { None } else { Some(m.have) });
        }
    }

    /// The download ended (`complete`: it committed): a complete copy stays in the swarm as a
    /// seeder, anything else leaves it.
    pub(super) fn end(mut self, complete: bool) {
        self.bg.abort_all();
        self.ctx.swarms.end_local(&self.id, self.digest, complete);
    }
}

/// Our verified chunks (from the disk side) as a swarm bitfield; `version.ini` never counts
/// (it is committed last and only complete copies serve it).
pub(super) fn local_bitfield<S: Store>(manifest: &GameManifest, disk: &super::disk::Disk<S>) -> Bitfield {
    let mut b = Bitfield::new(manifest.total_chunks());
    let mut g = 0;
    for (i, f) in manifest.files.iter().enumerate() {
        for c in 0..f.chunks.len() as u64 {
            if disk.is_verified(i, c) && !disk.is_sentinel(i) {
                b.set(g);
            }
            g += 1;
        }
    }
    b
}
