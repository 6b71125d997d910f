//! Swarm state: which peers are downloading which agreed manifest, which chunks each holds,
//! and what this peer holds of it — so peers that download the same game at the same time
//! serve each other the chunks they have verified.
//!
//! Rules:
//! - only peers with the same manifest digest swarm together;
//! - only verified chunks are announced or served (a chunk's bit is set after its bytes are on
//!   disk);
//! - a peer holding a complete copy spends its upload on chunks nobody else has yet
//!   ("super-seeding"): downloaders do not ask it for chunks another member announced, and
//!   [`Swarms::admit`] refuses (`Busy`) a chunk it handed out moments ago and that is still on
//!   its way (at most `MAX_REFUSALS` times per member and chunk, so nobody starves).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::time::Instant;

use lanspread_proto::{
    Ack, Bitfield, Digest, ErrorCode, GameId, GameManifest, GameVersion, Have, MAX_HAVE_CHUNKS,
    MAX_SWARM_MEMBERS, PeerId, Response, SwarmJoin, SwarmMember, SwarmPeers, global_chunk_index,
};

/// How often one member may be refused one chunk before the seeder serves it anyway.
const MAX_REFUSALS: u8 = 3;
/// How long a chunk handed out by a complete seeder is assumed to be on its way to others.
const HANDED_OUT_GRACE: Duration = Duration::from_secs(2);

/// Our swarm for `id` at `version` where we hold a complete copy.
fn complete_swarm<'m>(
    map: &'m mut HashMap<(GameId, Digest), Swarm>,
    id: &GameId,
    version: &GameVersion,
) -> Option<&'m mut Swarm> {
    map.values_mut().find(|s| s.manifest.game_id == *id && &s.version == version && s.local.is_none())
}

/// How often a complete copy handed a chunk out, and the latest hand-out (when, to whom).
#[derive(Debug, Clone, Default)]
struct Handout {
    count: u32,
    last: Option<(Instant, PeerId)>,
}

/// One member of a swarm.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) have: Bitfield,
    /// Bumped on every change, so downloads can tell what is new.
    pub(crate) generation: u64,
}

/// One swarm (a game at one agreed manifest).
#[derive(Debug)]
pub(crate) struct Swarm {
    pub(crate) version: GameVersion,
    pub(crate) manifest: Arc<GameManifest>,
    pub(crate) members: HashMap<PeerId, Member>,
    /// Our verified chunks while we download; `None` when we hold a complete copy.
    pub(crate) local: Option<Bitfield>,
    /// For a complete copy: when each chunk was last handed out, and how often.
    served: Vec<Handout>,
    /// Refusals per (member, chunk), so nobody is refused for ever.
    refused: HashMap<(PeerId, u64), u8>,
    generation: u64,
    /// We held a complete copy before this swarm formed (the scarce source), rather than
    /// completing a download in it.
    origin: bool,
}

impl Swarm {
    fn new(manifest: Arc<GameManifest>, local: Option<Bitfield>) -> Self {
        let n = manifest.total_chunks() as usize;
        Self {
            version: manifest.version.clone(),
            manifest,
            members: HashMap::new(),
            local,
            served: vec![Handout::default(); n],
            refused: HashMap::new(),
            generation: 0,
            origin: false,
        }
    }

    fn total(&self) -> u64 {
        self.served.len() as u64
    }

    fn own_have(&self) -> Bitfield {
        self.local.clone().unwrap_or_else(|| Bitfield::full(self.total()))
    }
}

/// All swarms this peer takes part in.
#[derive(Debug)]
pub(crate) struct Swarms {
    map: Mutex<HashMap<(GameId, Digest), Swarm>>,
    /// Bumped whenever a member's chunks change, so downloads merge news at once instead of
    /// on their next tick.
    news: tokio::sync::watch::Sender<u64>,
}

impl Default for Swarms {
    fn default() -> Self {
        Self { map: Mutex::default(), news: tokio::sync::watch::channel(0).0 }
    }
}

impl Swarms {
    /// Wakes when a member's chunks changed (see [`Swarms::members`]).
    pub(crate) fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.news.subscribe()
    }

    fn bump(&self) {
        self.news.send_modify(|n| *n = n.wrapping_add(1));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(GameId, Digest), Swarm>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Our download of `manifest` starts (with `have` already verified).
    pub(crate) fn start_local(&self, manifest: Arc<GameManifest>, digest: Digest, have: Bitfield) {
        let key = (manifest.game_id.clone(), digest);
        let mut map = self.lock();
        match map.get_mut(&key) {
            Some(s) => s.local = Some(have),
            None => {
                map.insert(key, Swarm::new(manifest, Some(have)));
            }
        }
    }

    /// We verified (and wrote) global chunk `i`.
    pub(crate) fn mark_local(&self, id: &GameId, digest: Digest, i: u64) {
        if let Some(Some(local)) = self.lock().get_mut(&(id.clone(), digest)).map(|s| s.local.as_mut()) {
            local.set(i);
        }
    }

    /// Our download ended: a complete copy keeps the swarm (as a seeder), anything else
    /// leaves it.
    pub(crate) fn end_local(&self, id: &GameId, digest: Digest, complete: bool) {
        let mut map = self.lock();
        if complete {
            if let Some(s) = map.get_mut(&(id.clone(), digest)) {
                s.local = None;
            }
        } else {
            map.remove(&(id.clone(), digest));
        }
    }

    /// Registers a complete local copy (the manifest we serve) so joiners find us.
    pub(crate) fn ensure_complete(&self, manifest: Arc<GameManifest>, digest: Digest) {
        let key = (manifest.game_id.clone(), digest);
        self.lock().entry(key).or_insert_with(|| {
            let mut s = Swarm::new(manifest, None);
            s.origin = true;
            s
        });
    }

    /// Members of our swarm for (`id`, `digest`).
    pub(crate) fn member_ids(&self, id: &GameId, digest: Digest) -> Vec<PeerId> {
        self.lock()
            .get(&(id.clone(), digest))
            .map(|s| s.members.keys().copied().collect())
            .unwrap_or_default()
    }

    /// Members of our swarm for (`id`, `digest`) whose generation differs from `seen` (only
    /// those bitfields are copied: merges run on every announcement).
    pub(crate) fn members_changed(
        &self,
        id: &GameId,
        digest: Digest,
        seen: &HashMap<PeerId, u64>,
    ) -> Vec<(PeerId, Member)> {
        self.lock()
            .get(&(id.clone(), digest))
            .map(|s| {
                s.members
                    .iter()
                    .filter(|(p, m)| seen.get(*p) != Some(&m.generation))
                    .map(|(p, m)| (*p, m.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Records members learned from a `SwarmPeers` answer.
    pub(crate) fn learn(&self, id: &GameId, digest: Digest, me: PeerId, members: Vec<SwarmMember>) {
        let mut map = self.lock();
        let Some(s) = map.get_mut(&(id.clone(), digest)) else { return };
        let total = s.total();
        for m in members.into_iter().take(MAX_SWARM_MEMBERS) {
            if m.peer_id == me || m.have.len() != total {
                continue;
            }
            s.generation += 1;
            let g = s.generation;
            let e =
                s.members.entry(m.peer_id).or_insert(Member { have: Bitfield::new(total), generation: g });
            // Bits only ever get added: merge.
            for i in 0..total {
                if m.have.get(i) && !e.have.get(i) {
                    e.have.set(i);
                    e.generation = g;
                }
            }
        }
        drop(map);
        self.bump();
    }

    /// Server side of `SwarmJoin`.
    pub(crate) fn on_join(&self, me: PeerId, from: PeerId, join: SwarmJoin) -> Response {
        let mut map = self.lock();
        let key = (join.game_id.clone(), join.manifest_digest);
        let Some(s) = map.get_mut(&key) else {
            return Response::SwarmPeers(SwarmPeers { members: Vec::new() });
        };
        if join.have.len() != s.total() || join.version != s.version {
            return Response::error(ErrorCode::BadRequest, "bitfield or version does not match the manifest");
        }
        s.generation += 1;
        let g = s.generation;
        s.members.insert(from, Member { have: join.have, generation: g });
        self.bump();
        let mut members: Vec<SwarmMember> = s
            .members
            .iter()
            .filter(|(p, _)| **p != from)
            .take(MAX_SWARM_MEMBERS - 1)
            .map(|(p, m)| SwarmMember { peer_id: *p, have: m.have.clone() })
            .collect();
        members.push(SwarmMember { peer_id: me, have: s.own_have() });
        Response::SwarmPeers(SwarmPeers { members })
    }

    /// Server side of `Have`.
    pub(crate) fn on_have(&self, from: PeerId, have: Have) -> Response {
        if have.chunks.len() > MAX_HAVE_CHUNKS {
            return Response::error(
                ErrorCode::BadRequest,
                format!("at most {MAX_HAVE_CHUNKS} chunks per announcement"),
            );
        }
        let mut map = self.lock();
        if let Some(s) = map.get_mut(&(have.game_id.clone(), have.manifest_digest)) {
            self.bump();
            s.generation += 1;
            let g = s.generation;
            let total = s.total();
            let m = s.members.entry(from).or_insert(Member { have: Bitfield::new(total), generation: g });
            for c in have.chunks {
                m.have.set(c);
            }
            m.generation = g;
        }
        Response::Ack(Ack { library_rev: 0 })
    }

    /// Drops a member everywhere (peer lost).
    pub(crate) fn forget_peer(&self, peer: &PeerId) {
        for s in self.lock().values_mut() {
            s.members.remove(peer);
        }
    }

    /// For a chunk request of a game we are downloading: the manifest and whether chunk
    /// (`file`, `index`) is verified here. `None` when we have no download of that version.
    pub(crate) fn partial(
        &self,
        id: &GameId,
        version: &GameVersion,
    ) -> Option<(Arc<GameManifest>, Bitfield)> {
        let map = self.lock();
        map.iter()
            .find(|((g, _), s)| g == id && &s.version == version && s.local.is_some())
            .and_then(|(_, s)| s.local.clone().map(|l| (s.manifest.clone(), l)))
    }

    /// Super-seeding: may a complete copy hand chunk (`file`, `index`) of `id` to `to` at
    /// `now`?
    pub(crate) fn admit(
        &self,
        id: &GameId,
        version: &GameVersion,
        file: usize,
        index: u64,
        to: PeerId,
        now: Instant,
    ) -> bool {
        let mut map = self.lock();
        let Some(s) = complete_swarm(&mut map, id, version) else {
            return true;
        };
        if file >= s.manifest.files.len() {
            return true;
        }
        // version.ini is committed last and never served by downloaders: only complete
        // copies have it, so refusing it only makes the last step of every download wait.
        if s.manifest.files[file].path.is_version_ini() {
            return true;
        }
        // Only an original seeder is the scarce source (a copy that completed in this swarm
        // shares every chunk with it). Once as many members hold everything as are still
        // downloading, complete copies are no longer scarce either: serve whatever is asked.
        let complete = s.members.values().filter(|m| m.have.is_full()).count();
        let g = global_chunk_index(&s.manifest, file, index) as usize;
        if !s.origin || s.members.len() < 2 || complete >= s.members.len() - complete {
            // Still recorded: the first requests of a swarm can arrive before its members
            // have joined, and a second member asking for such a chunk is then refused.
            if let Some(h) = s.served.get_mut(g) {
                h.count = h.count.saturating_add(1);
                h.last = Some((now, to));
            }
            return true;
        }
        let Some(h) = s.served.get(g) else { return true };
        // Downloaders already avoid asking a complete copy for chunks other members announced;
        // what is left to catch is a chunk just handed out and not announced yet. A member
        // asking again for what it was handed itself never got it: that is served at once.
        let in_transit =
            h.last.is_some_and(|(t, whom)| whom != to && now.saturating_duration_since(t) < HANDED_OUT_GRACE);
        if h.count > 0 && in_transit {
            let n = s.refused.entry((to, g as u64)).or_insert(0);
            if *n < MAX_REFUSALS {
                *n += 1;
                return false;
            }
        }
        let h = &mut s.served[g];
        h.count = h.count.saturating_add(1);
        h.last = Some((now, to));
        true
    }

    /// A chunk admitted by [`Swarms::admit`] did not reach its receiver (the transfer failed
    /// or was dropped): it is no longer in transit, so others are not sent away for it.
    pub(crate) fn unserve(&self, id: &GameId, version: &GameVersion, file: usize, index: u64) {
        let mut map = self.lock();
        let Some(s) = complete_swarm(&mut map, id, version) else {
            return;
        };
        if file >= s.manifest.files.len() {
            return;
        }
        let g = global_chunk_index(&s.manifest, file, index) as usize;
        if let Some(h) = s.served.get_mut(g) {
            h.count = h.count.saturating_sub(1);
            h.last = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use lanspread_proto::{ChunkHash, GameFileDescription, RelPath};

    use super::*;

    fn manifest() -> Arc<GameManifest> {
        Arc::new(GameManifest::new(
            GameId::new("quake3").unwrap(),
            GameVersion::new("1").unwrap(),
            1 << 20,
            vec![
                GameFileDescription {
                    path: RelPath::new("a.bin").unwrap(),
                    size: 3 << 20,
                    chunks: vec![ChunkHash([1; 32]); 3],
                },
                GameFileDescription {
                    path: RelPath::new("version.ini").unwrap(),
                    size: 2,
                    chunks: vec![ChunkHash([0; 32])],
                },
            ],
            vec![],
        ))
    }

    fn p(n: u8) -> PeerId {
        PeerId([n; 32])
    }

    /// A SwarmJoin for `m` announcing `have`.
    fn join_of(m: &GameManifest, have: Bitfield) -> SwarmJoin {
        SwarmJoin {
            game_id: m.game_id.clone(),
            version: m.version.clone(),
            manifest_digest: m.digest(),
            have,
        }
    }

    #[test]
    fn join_have_and_partial_serving() {
        let s = Swarms::default();
        let m = manifest();
        let d = m.digest();
        let id = m.game_id.clone();
        s.start_local(m.clone(), d, Bitfield::new(4));
        s.mark_local(&id, d, 1);
        let (_, local) = s.partial(&id, &m.version).unwrap();
        assert!(local.get(1) && !local.get(0));
        let join = join_of(&m, Bitfield::new(4));
        let Response::SwarmPeers(peers) = s.on_join(p(9), p(2), join) else { panic!() };
        assert_eq!(peers.members.len(), 1, "only ourselves so far");
        assert_eq!(peers.members[0].peer_id, p(9));
        assert!(peers.members[0].have.get(1));
        s.on_have(p(2), Have { game_id: id.clone(), manifest_digest: d, chunks: vec![3] });
        let members = s.members_changed(&id, d, &HashMap::new());
        assert!(members[0].1.have.get(3));
        let seen = HashMap::from([(p(2), members[0].1.generation)]);
        assert!(s.members_changed(&id, d, &seen).is_empty(), "nothing new since");
        assert_eq!(s.member_ids(&id, d), vec![p(2)]);
        s.end_local(&id, d, false);
        assert!(s.partial(&id, &m.version).is_none());
    }

    #[test]
    fn a_complete_seeder_hands_each_chunk_out_once_while_unique_chunks_remain() {
        let t0 = Instant::now();
        let s = Swarms::default();
        let m = manifest();
        let d = m.digest();
        let id = m.game_id.clone();
        s.ensure_complete(m.clone(), d);
        for n in [2, 3] {
            let join = join_of(&m, Bitfield::new(4));
            s.on_join(p(9), p(n), join);
        }
        assert!(s.admit(&id, &m.version, 0, 0, p(2), t0), "first hand-out");
        assert!(!s.admit(&id, &m.version, 0, 0, p(3), t0), "in transit to p2: get it from there");
        assert!(s.admit(&id, &m.version, 0, 1, p(3), t0), "a unique chunk is served");
        for (f, i) in [(0, 2), (1, 0)] {
            assert!(s.admit(&id, &m.version, f, i, p(2), t0));
        }
        // p3 keeps being redirected to p2 for chunk 0 … until it would starve.
        assert!(!s.admit(&id, &m.version, 0, 0, p(3), t0));
        assert!(!s.admit(&id, &m.version, 0, 0, p(3), t0));
        assert!(s.admit(&id, &m.version, 0, 0, p(3), t0), "never refused for ever");
        // Asking again for a chunk handed to oneself: that transfer failed, serve it.
        assert!(s.admit(&id, &m.version, 0, 0, p(3), t0), "p3's own retry");
        // A hand-out whose transfer failed is no longer in transit for others either.
        assert!(!s.admit(&id, &m.version, 0, 0, p(2), t0), "in transit to p3");
        s.unserve(&id, &m.version, 0, 0);
        assert!(s.admit(&id, &m.version, 0, 0, p(2), t0), "the transfer to p3 failed: served");
    }

    #[test]
    fn version_ini_is_never_refused_and_refusals_stop_once_copies_are_plentiful() {
        let t0 = Instant::now();
        let s = Swarms::default();
        let m = manifest();
        let d = m.digest();
        let id = m.game_id.clone();
        s.ensure_complete(m.clone(), d);
        let join = |have: Bitfield| join_of(&m, have);
        for n in [2, 3, 4] {
            s.on_join(p(9), p(n), join(Bitfield::new(4)));
        }
        // version.ini (file 1) only comes from complete copies: handed out again at once.
        assert!(s.admit(&id, &m.version, 1, 0, p(2), t0));
        assert!(s.admit(&id, &m.version, 1, 0, p(3), t0), "the sentinel is never refused");
        assert!(s.admit(&id, &m.version, 0, 0, p(2), t0));
        assert!(!s.admit(&id, &m.version, 0, 0, p(3), t0), "payload in transit: refused");
        // Two members finish: complete copies are no longer scarce, nothing is refused.
        let mut full = Bitfield::new(4);
        for g in 0..4 {
            full.set(g);
        }
        for n in [2, 3] {
            s.on_join(p(9), p(n), join(full.clone()));
        }
        assert!(s.admit(&id, &m.version, 0, 0, p(4), t0), "plenty of complete copies: served");
    }

    #[test]
    fn hand_outs_before_members_join_count_and_a_finished_copy_never_refuses() {
        let t0 = Instant::now();
        let s = Swarms::default();
        let m = manifest();
        let d = m.digest();
        let id = m.game_id.clone();
        let join = |have: Bitfield| join_of(&m, have);
        // The original seeder: the first request arrives before anyone joined.
        s.ensure_complete(m.clone(), d);
        assert!(s.admit(&id, &m.version, 0, 0, p(2), t0));
        for n in [2, 3] {
            s.on_join(p(9), p(n), join(Bitfield::new(4)));
        }
        assert!(!s.admit(&id, &m.version, 0, 0, p(3), t0), "on its way to p2 since before the joins");

        // A copy that completed in the swarm is not the scarce source: it serves every request.
        let f = Swarms::default();
        f.start_local(m.clone(), d, Bitfield::new(4));
        f.end_local(&id, d, true);
        for n in [2, 3, 4] {
            f.on_join(p(8), p(n), join(Bitfield::new(4)));
        }
        for n in [2, 3, 4] {
            assert!(f.admit(&id, &m.version, 0, 0, p(n), t0), "finished copy refused p{n}");
        }
    }

    #[test]
    fn a_hand_out_counts_as_in_transit_only_for_the_grace_period() {
        let s = Swarms::default();
        let m = manifest();
        let d = m.digest();
        let id = m.game_id.clone();
        s.ensure_complete(m.clone(), d);
        for n in [2, 3] {
            s.on_join(p(9), p(n), join_of(&m, Bitfield::new(4)));
        }
        let t0 = Instant::now();
        assert!(s.admit(&id, &m.version, 0, 0, p(2), t0));
        let within = t0 + HANDED_OUT_GRACE - Duration::from_millis(1);
        assert!(!s.admit(&id, &m.version, 0, 0, p(3), within), "still on its way to p2");
        // Past the grace p2 should have announced it; since it did not, the seeder serves p3.
        assert!(s.admit(&id, &m.version, 0, 0, p(3), t0 + HANDED_OUT_GRACE), "grace over: served");
        // That hand-out went to p3: p2 asking now is sent to p3, p3 asking again is its own retry.
        assert!(!s.admit(&id, &m.version, 0, 0, p(2), t0 + HANDED_OUT_GRACE), "in transit to p3");
        assert!(s.admit(&id, &m.version, 0, 0, p(3), t0 + HANDED_OUT_GRACE), "p3's own retry");
    }

    #[test]
    fn member_news_wakes_subscribers() {
        let s = Swarms::default();
        let m = manifest();
        let d = m.digest();
        let id = m.game_id.clone();
        s.start_local(m.clone(), d, Bitfield::new(4));
        let mut rx = s.subscribe();
        assert!(!rx.has_changed().unwrap());
        let join = join_of(&m, Bitfield::new(4));
        s.on_join(p(9), p(2), join);
        assert!(rx.has_changed().unwrap(), "a join is news");
        rx.borrow_and_update();
        s.on_have(p(2), Have { game_id: id.clone(), manifest_digest: d, chunks: vec![1] });
        assert!(rx.has_changed().unwrap(), "a have is news");
        rx.borrow_and_update();
        s.learn(&id, d, p(9), vec![SwarmMember { peer_id: p(3), have: Bitfield::new(4) }]);
        assert!(rx.has_changed().unwrap(), "a learned member is news");
        rx.borrow_and_update();
        // News about a game we do not swarm on wakes nobody.
        let other = Have { game_id: GameId::new("doom").unwrap(), manifest_digest: d, chunks: vec![1] };
        s.on_have(p(2), other);
        assert!(!rx.has_changed().unwrap());
    }

    #[test]
    fn garbage_is_refused() {
        let s = Swarms::default();
        let m = manifest();
        let d = m.digest();
        s.ensure_complete(m.clone(), d);
        let join = join_of(&m, Bitfield::new(99));
        assert!(matches!(s.on_join(p(9), p(2), join), Response::Error(_)));
        let have =
            Have { game_id: m.game_id.clone(), manifest_digest: d, chunks: vec![0; MAX_HAVE_CHUNKS + 1] };
        assert!(matches!(s.on_have(p(2), have), Response::Error(_)));
    }
}
