//! Scheduler tests on virtual time: a small simulator plays peers with given rates and
//! behaviours against the scheduler's actions.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    time::Duration,
};

use super::*;

const MIB: u64 = 1 << 20;

#[derive(Clone, Copy, PartialEq)]
enum Behaviour {
    /// Serves at `rate` bytes/s.
    Good,
    /// Disappears at the given time (requests in flight never complete).
    VanishAt(Duration),
    /// Serves corrupt data for every request.
    Corrupt,
    /// Accepts requests and never answers.
    Stall,
}

struct SimPeer {
    rate: f64,
    behaviour: Behaviour,
    busy_until: Duration,
}

struct Sim {
    sched: Scheduler,
    peers: BTreeMap<PeerId, SimPeer>,
    /// (completion time, work, peer, ok, requested at)
    pending: Vec<(Duration, Work, PeerId, bool, Duration)>,
    cancelled: HashSet<(Work, PeerId)>,
    now: Duration,
    dropped: Vec<(PeerId, String)>,
    delivered: HashMap<PeerId, u64>,
    fetches: usize,
}

fn pid(n: u8) -> PeerId {
    PeerId([n; 32])
}

fn chunks(files: &[u64]) -> Vec<ChunkSpec> {
    let mut out = Vec::new();
    for (f, &size) in files.iter().enumerate() {
        let n = size.div_ceil(MIB);
        for i in 0..n {
            let global = out.len() as u64;
            out.push(ChunkSpec { file: f, index: i, len: (size - i * MIB).min(MIB), global });
        }
    }
    out
}

impl Sim {
    fn new(files: &[u64], peers: &[(u8, f64, Behaviour)]) -> Self {
        let mut sched = Scheduler::new(chunks(files), 64 * MIB);
        let mut map = BTreeMap::new();
        for &(n, rate, behaviour) in peers {
            sched.add_peer(pid(n));
            map.insert(pid(n), SimPeer { rate, behaviour, busy_until: Duration::ZERO });
        }
        Self {
            sched,
            peers: map,
            pending: Vec::new(),
            cancelled: HashSet::new(),
            now: Duration::ZERO,
            dropped: Vec::new(),
            delivered: HashMap::new(),
            fetches: 0,
        }
    }

    fn apply(&mut self, actions: Vec<Action>) {
        for a in actions {
            match a {
                Action::Fetch { work, peer } => {
                    self.fetches += 1;
                    self.cancelled.remove(&(work, peer));
                    let len = match work {
                        Work::Chunk(c) => self.sched.chunk(c).len,
                        Work::File(f) => {
                            self.sched.file_chunks(f).iter().map(|&c| self.sched.chunk(c).len).sum()
                        }
                    };
                    let p = self.peers.get_mut(&peer).unwrap();
                    let start = p.busy_until.max(self.now);
                    let done = start + Duration::from_secs_f64(len as f64 / p.rate);
                    p.busy_until = done;
                    let (alive, ok) = match p.behaviour {
                        Behaviour::Good => (true, true),
                        Behaviour::VanishAt(t) => (done < t, true),
                        Behaviour::Corrupt => (true, false),
                        Behaviour::Stall => (false, true),
                    };
                    if alive {
                        self.pending.push((done, work, peer, ok, self.now));
                    }
                }
                Action::Cancel { work, peer } => {
                    self.cancelled.insert((work, peer));
                }
                Action::DropPeer { peer, reason } => self.dropped.push((peer, reason)),
            }
        }
    }

    /// Runs until done or failed (or `limit`), ticking stall checks every 100 ms.
    fn run(&mut self, limit: Duration) -> Duration {
        let a = self.sched.next_actions(self.now);
        self.apply(a);
        let tick = Duration::from_millis(100);
        let mut next_tick = tick;
        while !self.sched.is_done() && self.sched.failure().is_none() && self.now < limit {
            self.pending.sort_by_key(|p| p.0);
            let next = self.pending.first().map(|p| p.0);
            if next.is_some_and(|t| t <= next_tick) {
                let (t, work, peer, ok, asked) = self.pending.remove(0);
                self.now = t;
                if self.cancelled.remove(&(work, peer)) || !self.sched.has_peer(&peer) {
                    continue;
                }
                let elapsed = t - asked;
                let acts = if ok {
                    let len = match work {
                        Work::Chunk(c) => self.sched.chunk(c).len,
                        Work::File(_) => 0,
                    };
                    *self.delivered.entry(peer).or_default() += len;
                    self.sched.on_success(work, peer, elapsed)
                } else {
                    self.sched.on_failure(work, peer, &Failure::BadData("hash mismatch".into()))
                };
                self.apply(acts);
            } else {
                self.now = next_tick;
                next_tick += tick;
                for (work, peer) in self.sched.check_stalls(self.now, Duration::from_secs(10)) {
                    let acts = self.sched.on_failure(work, peer, &Failure::Network("timed out".into()));
                    self.apply(acts);
                }
            }
            let a = self.sched.next_actions(self.now);
            self.apply(a);
        }
        self.now
    }
}

#[test]
fn work_is_shared_in_proportion_to_throughput() {
    let mut sim = Sim::new(
        &[256 * MIB],
        &[(1, 10e6, Behaviour::Good), (2, 20e6, Behaviour::Good), (3, 30e6, Behaviour::Good)],
    );
    let t = sim.run(Duration::from_secs(60));
    assert!(sim.sched.is_done());
    let total = (256 * MIB) as f64;
    let ideal = total / 60e6;
    assert!(t.as_secs_f64() < ideal * 1.08, "took {t:?}, ideal {ideal:.2}s");
    let share = |n| sim.delivered[&pid(n)] as f64 / total;
    assert!((share(1) - 1.0 / 6.0).abs() < 0.04, "slow peer share {}", share(1));
    assert!((share(3) - 0.5).abs() < 0.05, "fast peer share {}", share(3));
}

#[test]
fn a_vanished_peers_chunks_move_to_the_others() {
    let mut sim = Sim::new(
        &[64 * MIB, 3 * MIB],
        &[(1, 20e6, Behaviour::VanishAt(Duration::from_secs(1))), (2, 20e6, Behaviour::Good)],
    );
    let t = sim.run(Duration::from_secs(120));
    assert!(sim.sched.is_done(), "failure: {:?}", sim.sched.failure());
    // Its stalled requests were duplicated on the other peer long before the hard timeout.
    assert!(t < Duration::from_secs(6), "{t:?}");
    assert!(sim.delivered[&pid(2)] > 40 * MIB);
}

#[test]
fn a_peer_serving_bad_data_is_dropped_and_its_chunk_refetched() {
    let mut sim = Sim::new(&[16 * MIB], &[(1, 50e6, Behaviour::Corrupt), (2, 10e6, Behaviour::Good)]);
    sim.run(Duration::from_secs(60));
    assert!(sim.sched.is_done());
    let (p, why) = &sim.dropped[0];
    assert_eq!(*p, pid(1));
    assert!(why.contains("verification"), "{why}");
    assert_eq!(sim.delivered.get(&pid(1)), None);
    assert_eq!(sim.delivered[&pid(2)], 16 * MIB);
    assert!(sim.sched.is_excluded(&pid(1), Duration::from_secs(3600)), "bad data bans for good");
    sim.sched.add_peer(pid(1));
    assert!(!sim.sched.has_peer(&pid(1)), "a dropped peer is not taken back for this download");
}

#[test]
fn stalled_requests_are_duplicated_and_the_staller_times_out() {
    let mut sim = Sim::new(&[8 * MIB], &[(1, 50e6, Behaviour::Stall), (2, 10e6, Behaviour::Good)]);
    let t = sim.run(Duration::from_secs(60));
    assert!(sim.sched.is_done(), "{:?}", sim.sched.failure());
    assert!(t < Duration::from_secs(12), "stalls must not wait for the hard timeout: {t:?}");
    assert_eq!(sim.delivered[&pid(2)], 8 * MIB);
}

#[test]
fn endgame_lets_a_fast_idle_peer_finish_a_slow_peers_last_chunk() {
    // One slow peer (1 MB/s) and one fast (100 MB/s): without endgame the last chunk taken by
    // the slow peer would cost ~1 s after everything else is done.
    let mut sim = Sim::new(&[40 * MIB], &[(1, 1e6, Behaviour::Good), (2, 100e6, Behaviour::Good)]);
    let t = sim.run(Duration::from_secs(60));
    assert!(sim.sched.is_done());
    assert!(t < Duration::from_millis(700), "{t:?}");
    assert!(sim.delivered[&pid(2)] >= 38 * MIB);
}

#[test]
fn a_chunk_failing_everywhere_fails_the_download() {
    let mut sim = Sim::new(&[2 * MIB], &[(1, 10e6, Behaviour::Corrupt)]);
    sim.run(Duration::from_secs(10));
    assert!(!sim.sched.is_done());
    // The only peer is dropped; the driver reports "no peers left". Direct failure counting:
    let mut s = Scheduler::new(chunks(&[MIB]), 8 * MIB);
    for n in 0..MAX_ATTEMPTS as u8 {
        s.add_peer(pid(10 + n));
        let acts = s.next_actions(Duration::ZERO);
        let Some(Action::Fetch { work, peer }) = acts.into_iter().next() else { panic!("no fetch") };
        s.on_failure(work, peer, &Failure::Refused("not ready".into()));
    }
    assert!(s.failure().unwrap().contains("failed 8 times"), "{:?}", s.failure());
}

#[test]
fn repeated_failures_in_one_file_switch_it_to_a_whole_file_transfer() {
    let mut s = Scheduler::new(chunks(&[4 * MIB, MIB]), 64 * MIB);
    for n in 1..=4 {
        s.add_peer(pid(n));
    }
    let mut whole = None;
    for _ in 0..10 {
        let acts = s.next_actions(Duration::ZERO);
        for a in acts {
            if let Action::Fetch { work, peer } = a {
                match work {
                    Work::File(f) => whole = Some((f, peer)),
                    Work::Chunk(c) if s.chunk(c).file == 0 => {
                        s.on_failure(work, peer, &Failure::Network("reset".into()));
                    }
                    Work::Chunk(_) => {
                        s.on_success(work, peer, Duration::from_millis(10));
                    }
                }
            }
        }
        if whole.is_some() {
            break;
        }
    }
    let (f, peer) = whole.expect("file 0 switched to whole-file mode");
    assert_eq!(f, 0);
    s.on_success(Work::File(0), peer, Duration::from_millis(100));
    assert!(s.is_done(), "whole-file success completes all its chunks");
}

#[test]
fn windows_grow_with_throughput_and_memory_stays_bounded() {
    let mut s = Scheduler::new(chunks(&[512 * MIB]), 16 * MIB);
    s.add_peer(pid(1));
    let acts = s.next_actions(Duration::ZERO);
    assert_eq!(acts.len(), INITIAL_WINDOW);
    // Report very fast completions: the window grows but the byte budget caps requests.
    let mut inflight: Vec<Work> = acts
        .into_iter()
        .filter_map(|a| if let Action::Fetch { work, .. } = a { Some(work) } else { None })
        .collect();
    for _ in 0..50 {
        let w = inflight.remove(0);
        s.on_success(w, pid(1), Duration::from_micros(500));
        for a in s.next_actions(Duration::ZERO) {
            if let Action::Fetch { work, .. } = a {
                inflight.push(work);
            }
        }
        assert!(inflight.len() as u64 * MIB <= 16 * MIB, "{} in flight", inflight.len());
    }
    assert!(inflight.len() > INITIAL_WINDOW, "window grew to {}", inflight.len());
}

#[test]
fn rarest_chunks_first_and_only_from_peers_that_hold_them() {
    let mut s = Scheduler::with_seed(chunks(&[4 * MIB]), 64 * MIB, 7);
    // A partial peer with chunks 0 and 1; a complete peer.
    let mut has = lanspread_proto::Bitfield::new(4);
    has.set(0);
    has.set(1);
    s.add_peer_with(pid(1), Some(has));
    s.add_peer(pid(2));
    let acts = s.next_actions(Duration::ZERO);
    let mut by_peer: HashMap<PeerId, Vec<usize>> = HashMap::new();
    for a in acts {
        if let Action::Fetch { work: Work::Chunk(c), peer } = a {
            by_peer.entry(peer).or_default().push(c);
        }
    }
    for c in by_peer.get(&pid(1)).cloned().unwrap_or_default() {
        assert!(c < 2, "the partial peer is asked only for chunks it holds: {c}");
    }
    // The complete peer is asked for a chunk only it has (2, 3) before the shared ones, and,
    // as the scarce source of a swarm, for one at a time.
    let complete = &by_peer[&pid(2)];
    assert_eq!(complete.len(), SEED_WINDOW, "{complete:?}");
    assert!(complete.iter().all(|c| *c >= 2), "rarest first: {complete:?}");
}

#[test]
fn a_scarce_seeder_gets_few_requests_and_a_finished_copy_is_not_held_back() {
    let mut s = Scheduler::with_seed(chunks(&[8 * MIB]), 64 * MIB, 5);
    // An original seeder and a member holding chunk 0.
    s.add_peer(pid(1));
    let mut has = lanspread_proto::Bitfield::new(8);
    has.set(0);
    s.add_peer_with(pid(2), Some(has));
    let acts = s.next_actions(Duration::ZERO);
    let to =
        |p: u8| acts.iter().filter(|a| matches!(a, Action::Fetch { peer, .. } if *peer == pid(p))).count();
    assert_eq!(to(1), SEED_WINDOW, "scarce seeder: {acts:?}");
    for a in &acts {
        let Action::Fetch { work: Work::Chunk(c), peer } = a else { panic!("{a:?}") };
        assert!(
            (*peer == pid(2) && *c == 0) || (*peer == pid(1) && *c != 0),
            "the member serves what it has, the seeder what nobody else has: {acts:?}"
        );
    }
    // The member completes: complete copies are no longer scarce, the seeder's window opens.
    s.add_peer_with(pid(2), None);
    let more = s.next_actions(Duration::from_millis(1));
    assert!(
        more.iter().filter(|a| matches!(a, Action::Fetch { peer, .. } if *peer == pid(1))).count() >= 1,
        "{more:?}"
    );

    // Scarce again (two complete copies, two members): the finished member serves chunks
    // other members hold; only the original seeder is kept for the chunks nobody else has.
    let mut s = Scheduler::with_seed(chunks(&[2 * MIB]), 64 * MIB, 5);
    s.add_peer(pid(1));
    s.add_peer_with(pid(2), Some(lanspread_proto::Bitfield::new(2)));
    s.add_peer_with(pid(2), None);
    let mut both = lanspread_proto::Bitfield::new(2);
    both.set(0);
    both.set(1);
    s.add_peer_with(pid(3), Some(both));
    s.add_peer_with(pid(4), Some(lanspread_proto::Bitfield::new(2)));
    let acts = s.next_actions(Duration::ZERO);
    assert!(
        acts.iter().all(|a| !matches!(a, Action::Fetch { peer, .. } if *peer == pid(1))),
        "the seeder waits while members hold every chunk: {acts:?}"
    );
    assert!(
        acts.iter().any(|a| matches!(a, Action::Fetch { peer, .. } if *peer == pid(2))),
        "the finished copy is asked: {acts:?}"
    );
}

#[test]
fn a_redirect_is_not_a_fault_and_the_chunk_goes_elsewhere() {
    let mut s = Scheduler::with_seed(chunks(&[MIB]), 64 * MIB, 1);
    s.add_peer(pid(1));
    let Some(Action::Fetch { work, peer }) = s.next_actions(Duration::ZERO).into_iter().next() else {
        panic!()
    };
    let acts = s.on_failure(work, peer, &Failure::Redirect("get it elsewhere".into()));
    assert!(acts.is_empty(), "{acts:?}");
    assert!(s.has_peer(&pid(1)));
    assert!(s.next_actions(Duration::from_millis(10)).is_empty(), "not asked again right away");
    s.add_peer(pid(2));
    let acts = s.next_actions(Duration::from_millis(20));
    assert_eq!(acts, vec![Action::Fetch { work, peer: pid(2) }]);
    assert!(s.failure().is_none());
}

#[test]
fn a_have_update_makes_a_partial_peer_useful() {
    let mut s = Scheduler::with_seed(chunks(&[2 * MIB]), 64 * MIB, 3);
    s.add_peer_with(pid(1), Some(lanspread_proto::Bitfield::new(2)));
    assert!(s.next_actions(Duration::ZERO).is_empty());
    s.peer_has(&pid(1), 1);
    let acts = s.next_actions(Duration::ZERO);
    assert_eq!(acts.len(), 1);
    assert!(matches!(acts[0], Action::Fetch { work: Work::Chunk(1), .. }));
}

#[test]
fn a_peer_dropped_for_failures_may_rejoin_after_the_cooldown() {
    let mut s = Scheduler::new(chunks(&[4 * MIB]), 64 * MIB);
    s.add_peer(pid(1));
    let mut actions = s.next_actions(Duration::ZERO);
    let works: Vec<Work> = actions
        .drain(..)
        .filter_map(|a| match a {
            Action::Fetch { work, .. } => Some(work),
            _ => None,
        })
        .collect();
    assert!(works.len() >= MAX_PEER_FAILURES as usize);
    let mut dropped = false;
    for w in works.into_iter().take(MAX_PEER_FAILURES as usize) {
        let acts = s.on_failure(w, pid(1), &Failure::Network("connection lost".into()));
        dropped |= acts.iter().any(|a| matches!(a, Action::DropPeer { .. }));
    }
    assert!(dropped && !s.has_peer(&pid(1)));
    assert!(!s.can_progress(), "nobody left who holds the game");
    s.add_peer(pid(1));
    assert!(!s.has_peer(&pid(1)), "not during the cooldown");
    let later = DROP_COOLDOWN + Duration::from_millis(1);
    assert!(!s.is_excluded(&pid(1), later));
    let _ = s.next_actions(later);
    s.add_peer(pid(1));
    assert!(s.has_peer(&pid(1)) && s.can_progress());
    let fetches = s.next_actions(later).iter().filter(|a| matches!(a, Action::Fetch { .. })).count();
    assert!(fetches > 0, "the rejoined peer gets work again");
}

#[test]
fn a_partial_peer_without_the_missing_chunks_cannot_carry_the_download() {
    let mut s = Scheduler::new(chunks(&[2 * MIB]), 64 * MIB);
    let mut has = lanspread_proto::Bitfield::new(2);
    has.set(0);
    s.add_peer_with(pid(2), Some(has));
    assert!(s.can_progress(), "it holds chunk 0");
    let acts = s.next_actions(Duration::ZERO);
    assert_eq!(acts, vec![Action::Fetch { work: Work::Chunk(0), peer: pid(2) }]);
    s.on_success(Work::Chunk(0), pid(2), Duration::from_millis(10));
    assert!(!s.can_progress(), "chunk 1 is held by nobody in the download");
    s.add_peer(pid(1));
    assert!(s.can_progress());
    // The complete copy leaves the LAN: forgotten, not banned; it may come back.
    let _ = s.forget_peer(&pid(1));
    assert!(!s.has_peer(&pid(1)) && !s.can_progress());
    assert!(!s.is_excluded(&pid(1), Duration::ZERO));
    s.add_peer(pid(1));
    assert!(s.has_peer(&pid(1)));
}

#[test]
fn complete_copies_serve_anything_once_they_are_not_scarce() {
    // One chunk, held by a partial member and by complete copies.
    let mut has = lanspread_proto::Bitfield::new(1);
    has.set(0);
    let mut s = Scheduler::new(chunks(&[MIB]), 64 * MIB);
    s.add_peer_with(pid(2), Some(has.clone()));
    s.add_peer(pid(1));
    // One complete copy, one partial: the seeder is kept for chunks nobody else has.
    s.on_failure(Work::Chunk(0), pid(2), &Failure::Redirect("busy".into()));
    let acts = s.next_actions(Duration::from_millis(10));
    assert!(acts.is_empty(), "the scarce seeder is not asked for a chunk a member holds: {acts:?}");
    // A second complete copy (a finished downloader): no longer scarce, it is asked at once.
    s.add_peer(pid(3));
    let acts = s.next_actions(Duration::from_millis(20));
    assert!(!acts.is_empty(), "{acts:?}");
    for a in &acts {
        assert!(matches!(a, Action::Fetch { work: Work::Chunk(0), peer } if *peer != pid(2)), "{acts:?}");
    }
}

#[test]
fn a_members_newer_bitfield_adds_its_new_chunks() {
    let mut s = Scheduler::new(chunks(&[4 * MIB]), 64 * MIB);
    let mut has = lanspread_proto::Bitfield::new(4);
    has.set(1);
    s.add_peer_with(pid(2), Some(has.clone()));
    assert_eq!(s.next_actions(Duration::ZERO), vec![Action::Fetch { work: Work::Chunk(1), peer: pid(2) }]);
    has.set(3);
    s.add_peer_with(pid(2), Some(has));
    assert_eq!(
        s.next_actions(Duration::from_millis(1)),
        vec![Action::Fetch { work: Work::Chunk(3), peer: pid(2) }],
        "chunk 3 is new; chunk 1 is already on its way"
    );
    assert_eq!(s.avail[1], 1, "a chunk announced twice counts once");
}

#[test]
fn a_chunk_added_late_is_fetched_from_a_peer_that_holds_it() {
    // Chunks 0 and 1 were verified before; chunk 1 failed its re-verification from disk.
    let all = chunks(&[3 * MIB]);
    let mut s = Scheduler::new(vec![all[2]], 64 * MIB);
    let mut partial = lanspread_proto::Bitfield::new(3);
    partial.set(2);
    s.add_peer_with(pid(1), Some(partial));
    s.add_peer(pid(2));
    let acts = s.next_actions(Duration::ZERO);
    for a in &acts {
        if let Action::Fetch { work, peer } = a {
            s.on_success(*work, *peer, Duration::from_millis(10));
        }
    }
    assert!(s.is_done());
    s.add_chunk(all[1]);
    assert!(!s.is_done(), "the added chunk is pending");
    let acts = s.next_actions(Duration::from_millis(20));
    let fetched: Vec<(Work, PeerId)> = acts
        .iter()
        .filter_map(|a| if let Action::Fetch { work, peer } = a { Some((*work, *peer)) } else { None })
        .collect();
    assert_eq!(fetched.len(), 1);
    assert_eq!(fetched[0].1, pid(2), "only the complete copy holds chunk 1");
    assert_eq!(
        s.chunk(match fetched[0].0 {
            Work::Chunk(c) => c,
            Work::File(_) => unreachable!(),
        }),
        all[1]
    );
    s.on_success(fetched[0].0, fetched[0].1, Duration::from_millis(10));
    assert!(s.is_done());
    // Adding a chunk the scheduler already finished schedules it again.
    s.add_chunk(all[2]);
    assert!(!s.is_done());
}
