//! The trust rule: which version of a title counts as "latest", and which versions are only
//! offered. Pure decisions over what peers announce; `docs/security.md` explains the rule and
//! its limits, the manifest vote inside a version is `download/agree.rs`.
//!
//! - A **host** is the source address of a verified connection. Votes count per host: many
//!   identities on one machine are one vote. Banned peers and banned hosts never count, not
//!   even towards "latest". A copy taken unverified (see below) casts no vote.
//! - A version **passes** when the catalog pins it, when two or more hosts hold it, or when one
//!   host holds it and it is the **sole choice**: no other version of the title is held by two
//!   or more hosts, pinned, or present here. (A game only the organiser's seed box has still
//!   downloads with a plain `get`.)
//! - "Latest" is the newest version that passes. Newer versions that do not pass are
//!   **offered**: shown with who offers them, installed only on an explicit request
//!   (`accept_unverified`), and a copy taken that way is announced as unverified.

use std::{
    collections::{HashMap, HashSet},
    net::IpAddr,
};

use lanspread_proto::{Digest, GameVersion, PeerId, version};

/// One peer holding a version of the title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    /// The peer.
    pub peer: PeerId,
    /// The address of its verified connection.
    pub host: IpAddr,
    /// The version it holds completely.
    pub version: GameVersion,
    /// It took that version unverified: it serves it, but casts no vote.
    pub unverified: bool,
}

/// A version offered by too few hosts to be taken silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The version.
    pub version: GameVersion,
    /// Peers holding it (sorted).
    pub peers: Vec<PeerId>,
}

/// What the trust rule says about one title.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verdict {
    /// The newest version that passes.
    pub latest: Option<GameVersion>,
    /// Peers holding `latest` (sorted).
    pub holders: Vec<PeerId>,
    /// Newer versions that do not pass, newest first.
    pub offered: Vec<Offer>,
}

impl Verdict {
    /// The newest version available when the player accepts unverified ones.
    pub fn newest(&self) -> Option<&GameVersion> {
        self.offered.first().map(|o| &o.version).or(self.latest.as_ref())
    }

    /// Peers holding `version`, whether it passed or is offered.
    pub fn holders_of(&self, version: &GameVersion) -> &[PeerId] {
        if self.latest.as_ref() == Some(version) {
            return &self.holders;
        }
        self.offered.iter().find(|o| &o.version == version).map_or(&[], |o| &o.peers)
    }
}

/// Applies the trust rule to the (non-banned) `holdings` of one title, given the catalog's
/// `pins` for it and the version present here, if any.
pub fn decide(holdings: &[Holding], pins: &[(GameVersion, Digest)], here: Option<&GameVersion>) -> Verdict {
    let mut by_version: HashMap<&GameVersion, Vec<&Holding>> = HashMap::new();
    for h in holdings {
        by_version.entry(&h.version).or_default().push(h);
    }
    let votes =
        |hs: &[&Holding]| hs.iter().filter(|h| !h.unverified).map(|h| h.host).collect::<HashSet<_>>().len();
    let pinned = |v: &GameVersion| pins.iter().any(|(p, _)| p == v);
    let strong: Vec<&GameVersion> = by_version
        .iter()
        .filter(|(v, hs)| votes(hs) >= 2 || pinned(v))
        .map(|(v, _)| *v)
        .chain(pins.iter().map(|(v, _)| v))
        .chain(here)
        .collect();
    let passes = |v: &GameVersion, hs: &[&Holding]| {
        let n = votes(hs);
        pinned(v) || n >= 2 || (n == 1 && strong.iter().all(|w| *w == v))
    };
    let passing: Vec<&GameVersion> =
        by_version.iter().filter(|(v, hs)| passes(v, hs)).map(|(v, _)| *v).collect();
    let latest = version::latest(passing.iter().copied()).cloned();
    let peers_of = |v: &GameVersion| {
        let mut p: Vec<PeerId> =
            by_version.get(v).map(|hs| hs.iter().map(|h| h.peer).collect()).unwrap_or_default();
        p.sort();
        p.dedup();
        p
    };
    let mut offered: Vec<Offer> = by_version
        .iter()
        .filter(|(v, hs)| !passes(v, hs))
        .filter(|(v, _)| latest.as_ref().is_none_or(|l| v.is_newer_than(l)))
        .map(|(v, _)| Offer { version: (*v).clone(), peers: peers_of(v) })
        .collect();
    offered.sort_by(|a, b| version::total_cmp(&b.version, &a.version));
    let holders = latest.as_ref().map(peers_of).unwrap_or_default();
    Verdict { latest, holders, offered }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> GameVersion {
        GameVersion::new(s).unwrap()
    }

    fn h(peer: u8, host: u8, version: &str) -> Holding {
        Holding {
            peer: PeerId([peer; 32]),
            host: IpAddr::from([10, 0, 0, host]),
            version: v(version),
            unverified: false,
        }
    }

    fn pin(version: &str) -> (GameVersion, Digest) {
        (v(version), Digest([7; 32]))
    }

    #[test]
    fn a_lone_host_newer_version_is_offered_not_latest() {
        // Two honest hosts hold v1; one laptop (one or two identities) announces v2.
        for prank in [vec![h(9, 9, "2")], vec![h(9, 9, "2"), h(8, 9, "2")]] {
            let mut all = vec![h(1, 1, "1"), h(2, 2, "1")];
            all.extend(prank);
            let d = decide(&all, &[], None);
            assert_eq!(d.latest, Some(v("1")));
            assert_eq!(d.holders, vec![PeerId([1; 32]), PeerId([2; 32])]);
            assert_eq!(d.offered.len(), 1);
            assert_eq!(d.offered[0].version, v("2"));
            assert_eq!(d.newest(), Some(&v("2")), "taken only when asked for");
        }
    }

    #[test]
    fn the_sole_choice_passes_unless_another_version_is_held_pinned_or_here() {
        // Only the seed box has the game: it downloads.
        assert_eq!(decide(&[h(1, 1, "5")], &[], None).latest, Some(v("5")));
        // The same single-host version is only offered when we have another version here…
        let d = decide(&[h(1, 1, "5")], &[], Some(&v("4")));
        assert_eq!((d.latest, d.offered[0].version.clone()), (None, v("5")));
        // …or another version is pinned (held or not)…
        let d = decide(&[h(1, 1, "5")], &[pin("4")], None);
        assert_eq!(d.latest, None);
        // …but not when the version here is that version.
        assert_eq!(decide(&[h(1, 1, "5")], &[], Some(&v("5"))).latest, Some(v("5")));
        // Two single-host versions: each blocks the other only if it is strong; neither is.
        let d = decide(&[h(1, 1, "5"), h(2, 2, "6")], &[], None);
        assert_eq!(d.latest, Some(v("6")), "both pass as sole choices; the newest wins");
    }

    #[test]
    fn pins_pass_whoever_holds_them() {
        let d = decide(&[h(1, 1, "1"), h(2, 2, "1"), h(9, 9, "2")], &[pin("2")], None);
        assert_eq!(d.latest, Some(v("2")), "the organiser pinned 2");
        assert!(d.offered.is_empty());
    }

    #[test]
    fn identities_on_one_host_are_one_vote_and_unverified_copies_none() {
        // Two identities on host 9 (one vote) vs one honest host holding v1 and nothing else:
        // v2 has one vote, v1 has one vote: neither is strong, both pass, newest wins.
        let d = decide(&[h(1, 1, "1"), h(8, 9, "2"), h(9, 9, "2")], &[], None);
        assert_eq!(d.latest, Some(v("2")));
        // A victim that took v2 unverified does not make it a majority.
        let mut victim = h(3, 3, "2");
        victim.unverified = true;
        let d = decide(&[h(1, 1, "1"), h(2, 2, "1"), h(9, 9, "2"), victim], &[], None);
        assert_eq!(d.latest, Some(v("1")));
        assert_eq!(d.offered[0].peers, vec![PeerId([3; 32]), PeerId([9; 32])]);
        // Two real hosts make it latest.
        let d = decide(&[h(1, 1, "1"), h(2, 2, "1"), h(9, 9, "2"), h(4, 4, "2")], &[], None);
        assert_eq!(d.latest, Some(v("2")));
        assert!(d.offered.is_empty());
    }

    #[test]
    fn older_versions_than_latest_are_neither_latest_nor_offered() {
        let d = decide(&[h(1, 1, "3"), h(2, 2, "3"), h(9, 9, "2")], &[], None);
        assert_eq!(d.latest, Some(v("3")));
        assert!(d.offered.is_empty());
        assert_eq!(d.holders_of(&v("3")).len(), 2);
        assert!(d.holders_of(&v("2")).is_empty());
        assert_eq!(decide(&[], &[], None), Verdict::default());
    }
}
