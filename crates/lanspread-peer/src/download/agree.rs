//! Manifest agreement: peers agree on a version when their manifests are identical. The
//! manifest held by the most peers wins; a tie refuses the download; outvoted peers are not
//! used for the game.

use std::collections::BTreeMap;

use lanspread_proto::{Digest, GameId, GameManifest, GameVersion, PeerId};

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
    /// No peer served a usable manifest.
    None,
}

/// Why a peer's manifest was not counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejected {
    pub(crate) peer: PeerId,
    pub(crate) reason: String,
}

/// Validates each served manifest against `id`/`version` and counts votes.
pub(crate) fn agree(
    id: &GameId,
    version: &GameVersion,
    served: Vec<(PeerId, GameManifest)>,
) -> (Agreement, Vec<Rejected>) {
    let mut rejected = Vec::new();
    let mut groups: BTreeMap<Digest, (GameManifest, Vec<PeerId>)> = BTreeMap::new();
    for (peer, m) in served {
        if &m.game_id != id || &m.version != version {
            rejected.push(Rejected {
                peer,
                reason: format!(
                    "served a manifest for {} {} when asked for {id} {version}",
                    m.game_id, m.version
                ),
            });
            continue;
        }
        if let Err(e) = m.validate() {
            rejected.push(Rejected { peer, reason: format!("served an invalid manifest: {e}") });
            continue;
        }
        let d = m.digest();
        groups.entry(d).or_insert_with(|| (m, Vec::new())).1.push(peer);
    }
    if groups.is_empty() {
        return (Agreement::None, rejected);
    }
    let best = groups.values().map(|(_, p)| p.len()).max().unwrap_or(0);
    let winners: Vec<Digest> = groups.iter().filter(|(_, (_, p))| p.len() == best).map(|(d, _)| *d).collect();
    if winners.len() > 1 {
        let groups = groups.into_iter().map(|(d, (_, p))| (d, p)).collect();
        return (Agreement::Tie { groups }, rejected);
    }
    let win = winners[0];
    let mut outvoted = Vec::new();
    let mut result = None;
    for (d, (m, mut peers)) in groups {
        peers.sort();
        if d == win {
            result = Some((m, peers));
        } else {
            outvoted.extend(peers);
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

    fn ids() -> (GameId, GameVersion) {
        (GameId::new("quake3").unwrap(), GameVersion::new("1").unwrap())
    }

    #[test]
    fn majority_wins_and_minority_is_outvoted() {
        let (id, v) = ids();
        let (a, rej) = agree(&id, &v, vec![(p(1), manifest(1)), (p(2), manifest(2)), (p(3), manifest(1))]);
        assert!(rej.is_empty());
        let Agreement::Agreed { manifest: m, peers, outvoted } = a else { panic!("{a:?}") };
        assert_eq!(m, manifest(1));
        assert_eq!(peers, vec![p(1), p(3)]);
        assert_eq!(outvoted, vec![p(2)]);
    }

    #[test]
    fn a_tie_refuses() {
        let (id, v) = ids();
        let (a, _) = agree(&id, &v, vec![(p(1), manifest(1)), (p(2), manifest(2))]);
        assert!(matches!(a, Agreement::Tie { groups } if groups.len() == 2));
    }

    #[test]
    fn wrong_or_invalid_manifests_are_rejected_not_counted() {
        let (id, v) = ids();
        let mut other_version = manifest(1);
        other_version.version = GameVersion::new("2").unwrap();
        let mut broken = manifest(1);
        broken.files[0].chunks.clear();
        let (a, rej) = agree(&id, &v, vec![(p(1), other_version), (p(2), broken), (p(3), manifest(3))]);
        assert_eq!(rej.len(), 2);
        assert!(rej[1].reason.contains("invalid manifest"), "{:?}", rej[1]);
        assert!(matches!(a, Agreement::Agreed { peers, .. } if peers == vec![p(3)]));
        let (a, _) = agree(&id, &v, vec![]);
        assert_eq!(a, Agreement::None);
    }
}
