//! Manifest agreement inside one version: peers agree when their manifests are identical.
//!
//! Votes count per **host** (the address of the verified connection; many identities on one
//! machine are one vote), and a copy taken unverified casts no vote. A version pinned in the
//! catalog takes the manifest matching its pin whatever the vote, and a peer serving another
//! manifest for it is caught lying. Otherwise the manifest with the most votes wins (a tie is
//! refused); outvoted peers are not used for the game.

use std::{
    collections::{BTreeMap, HashSet},
    net::IpAddr,
};

use lanspread_proto::{Digest, GameId, GameManifest, GameVersion, PeerId};

/// One manifest a peer served.
#[derive(Debug, Clone)]
pub(crate) struct Served {
    pub(crate) peer: PeerId,
    /// The peer's host.
    pub(crate) host: IpAddr,
    /// The peer announced its copy as unverified (no vote).
    pub(crate) unverified: bool,
    pub(crate) manifest: GameManifest,
}

/// The result of comparing the manifests peers served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Agreement {
    /// A unique winner.
    Agreed {
        /// The winning manifest.
        manifest: GameManifest,
        /// Peers that served it.
        peers: Vec<PeerId>,
        /// Peers that served something else.
        outvoted: Vec<PeerId>,
    },
    /// Two or more manifests have the most votes.
    Tie {
        /// Vote counts of the tied groups.
        groups: Vec<(Digest, Vec<PeerId>)>,
    },
    /// The version is pinned and no peer served the pinned manifest.
    PinMissing,
    /// No peer served a usable manifest.
    None,
}

/// Why a peer's manifest was not counted (a proven lie: it contradicts the request or a pin,
/// or is invalid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejected {
    pub(crate) peer: PeerId,
    pub(crate) reason: String,
}

/// Validates each served manifest against `id`/`version` (and `pin`) and counts votes.
pub(crate) fn agree(
    id: &GameId,
    version: &GameVersion,
    pin: Option<Digest>,
    served: Vec<Served>,
) -> (Agreement, Vec<Rejected>) {
    let mut rejected = Vec::new();
    struct Group {
        manifest: GameManifest,
        peers: Vec<PeerId>,
        voters: HashSet<IpAddr>,
        hosts: HashSet<IpAddr>,
    }
    let mut groups: BTreeMap<Digest, Group> = BTreeMap::new();
    for s in served {
        let m = s.manifest;
        if &m.game_id != id || &m.version != version {
            rejected.push(Rejected {
                peer: s.peer,
                reason: format!(
                    "served a manifest for {} {} when asked for {id} {version}",
                    m.game_id, m.version
                ),
            });
            continue;
        }
        if let Err(e) = m.validate() {
            rejected.push(Rejected { peer: s.peer, reason: format!("served an invalid manifest: {e}") });
            continue;
        }
        let d = m.digest();
        if pin.is_some_and(|p| p != d) {
            rejected.push(Rejected {
                peer: s.peer,
                reason: format!("served a manifest for {id} {version} that contradicts the catalog's pin"),
            });
            continue;
        }
        let g = groups.entry(d).or_insert_with(|| Group {
            manifest: m,
            peers: Vec::new(),
            voters: HashSet::new(),
            hosts: HashSet::new(),
        });
        g.peers.push(s.peer);
        g.hosts.insert(s.host);
        if !s.unverified {
            g.voters.insert(s.host);
        }
    }
    if groups.is_empty() {
        return (if pin.is_some() { Agreement::PinMissing } else { Agreement::None }, rejected);
    }
    // Verified hosts vote; only when no group has a vote (every copy was taken unverified) do
    // the hosts serving it count, so an unverified copy never turns one host into a majority.
    let any_votes = groups.values().any(|g| !g.voters.is_empty());
    let weight = |g: &Group| if any_votes { g.voters.len() } else { g.hosts.len() };
    let best = groups.values().map(weight).max().unwrap_or_default();
    let winners: Vec<Digest> = groups.iter().filter(|(_, g)| weight(g) == best).map(|(d, _)| *d).collect();
    if winners.len() > 1 {
        let groups = groups.into_iter().map(|(d, g)| (d, g.peers)).collect();
        return (Agreement::Tie { groups }, rejected);
    }
    let win = winners[0];
    let mut outvoted = Vec::new();
    let mut result = None;
    for (d, mut g) in groups {
        g.peers.sort();
        if d == win {
            result = Some((g.manifest, g.peers));
        } else {
            outvoted.extend(g.peers);
        }
    }
    outvoted.sort();
    match result {
        Some((manifest, peers)) => (Agreement::Agreed { manifest, peers, outvoted }, rejected),
        None => (Agreement::None, rejected),
    }
}

#[cfg(test)]
mod tests {
    use lanspread_proto::{ChunkHash, GameFileDescription, RelPath};

    use super::*;

    fn manifest(content: u8) -> GameManifest {
        GameManifest::new(
            GameId::new("quake3").unwrap(),
            GameVersion::new("1").unwrap(),
            1 << 20,
            vec![
                GameFileDescription {
                    path: RelPath::new("version.ini").unwrap(),
                    size: 2,
                    chunks: vec![ChunkHash([0; 32])],
                },
                GameFileDescription {
                    path: RelPath::new("a.rar").unwrap(),
                    size: 5,
                    chunks: vec![ChunkHash([content; 32])],
                },
            ],
            vec![],
        )
    }

    fn p(n: u8) -> PeerId {
        PeerId([n; 32])
    }

    /// Peer `n` on host 10.0.0.`host` served `manifest(content)`.
    fn s(n: u8, host: u8, content: u8) -> Served {
        Served {
            peer: p(n),
            host: IpAddr::from([10, 0, 0, host]),
            unverified: false,
            manifest: manifest(content),
        }
    }

    fn ids() -> (GameId, GameVersion) {
        (GameId::new("quake3").unwrap(), GameVersion::new("1").unwrap())
    }

    #[test]
    fn majority_of_hosts_wins_and_minority_is_outvoted() {
        let (id, v) = ids();
        let (a, rej) = agree(&id, &v, None, vec![s(1, 1, 1), s(2, 2, 2), s(3, 3, 1)]);
        assert!(rej.is_empty());
        let Agreement::Agreed { manifest: m, peers, outvoted } = a else { panic!("{a:?}") };
        assert_eq!(m, manifest(1));
        assert_eq!(peers, vec![p(1), p(3)]);
        assert_eq!(outvoted, vec![p(2)]);
    }

    #[test]
    fn many_identities_on_one_host_are_one_vote() {
        let (id, v) = ids();
        // Three identities on host 9 against two honest hosts: the honest manifest wins.
        let (a, _) = agree(&id, &v, None, vec![s(1, 1, 1), s(2, 2, 1), s(7, 9, 2), s(8, 9, 2), s(9, 9, 2)]);
        let Agreement::Agreed { manifest: m, outvoted, .. } = a else { panic!("{a:?}") };
        assert_eq!(m, manifest(1));
        assert_eq!(outvoted, vec![p(7), p(8), p(9)]);
        // An unverified copy casts no vote: one honest host beats it.
        let mut victim = s(3, 3, 2);
        victim.unverified = true;
        let (a, _) = agree(&id, &v, None, vec![s(1, 1, 1), s(9, 9, 2), victim]);
        assert!(matches!(a, Agreement::Tie { .. }), "one vote each: {a:?}");
    }

    #[test]
    fn a_tie_refuses() {
        let (id, v) = ids();
        let (a, _) = agree(&id, &v, None, vec![s(1, 1, 1), s(2, 2, 2)]);
        assert!(matches!(a, Agreement::Tie { groups } if groups.len() == 2));
    }

    #[test]
    fn a_pin_decides_whatever_the_vote_and_contradicting_it_is_a_lie() {
        let (id, v) = ids();
        let pin = Some(manifest(1).digest());
        // The pinned manifest is held by one host against two.
        let (a, rej) = agree(&id, &v, pin, vec![s(1, 1, 1), s(2, 2, 2), s(3, 3, 2)]);
        let Agreement::Agreed { manifest: m, peers, outvoted } = a else { panic!("{a:?}") };
        assert_eq!((m, peers, outvoted), (manifest(1), vec![p(1)], vec![]));
        assert_eq!(rej.iter().map(|r| r.peer).collect::<Vec<_>>(), vec![p(2), p(3)]);
        assert!(rej[0].reason.contains("pin"), "{rej:?}");
        // Nobody serves the pinned manifest: refused.
        let (a, rej) = agree(&id, &v, pin, vec![s(2, 2, 2)]);
        assert_eq!(a, Agreement::PinMissing);
        assert_eq!(rej.len(), 1);
    }

    #[test]
    fn wrong_or_invalid_manifests_are_rejected_not_counted() {
        let (id, v) = ids();
        let mut other_version = s(1, 1, 1);
        other_version.manifest.version = GameVersion::new("2").unwrap();
        let mut broken = s(2, 2, 1);
        broken.manifest.files[0].chunks.clear();
        let (a, rej) = agree(&id, &v, None, vec![other_version, broken, s(3, 3, 3)]);
        assert_eq!(rej.len(), 2);
        assert!(rej[1].reason.contains("invalid manifest"), "{:?}", rej[1]);
        assert!(matches!(a, Agreement::Agreed { peers, .. } if peers == vec![p(3)]));
        let (a, _) = agree(&id, &v, None, vec![]);
        assert_eq!(a, Agreement::None);
    }
}
