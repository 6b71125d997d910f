//! The list the UI gets: catalog data merged with the local library and with every peer's
//! library, including titles that exist only locally (state `local_only`).

use std::collections::HashMap;

use lanspread_proto::{Catalog, GameId};

use crate::{
    api::{GameEntry, GameState, OfferedVersion, Operation},
    install::InstalledVersion,
    library::LocalLibrary,
    peer_db::PeerGameDB,
    trust,
};

/// Inputs that change while operations run.
#[derive(Debug, Default, Clone)]
pub struct LiveState {
    /// Operation running per game.
    pub operations: HashMap<GameId, Operation>,
    /// Verified bytes of running or paused downloads.
    pub download_bytes: HashMap<GameId, u64>,
    /// Games started from here whose processes still run.
    pub playing: std::collections::HashSet<GameId>,
}

/// Decides the summary state of one title. `install_behind`: installed, and the downloaded
/// version is not the one `local/` holds.
pub fn decide_state(
    downloaded: bool,
    installed: bool,
    install_behind: bool,
    paused: bool,
    local_newer_or_equal: Option<bool>,
    remote_holders: usize,
    operation: Option<Operation>,
) -> GameState {
    if operation == Some(Operation::Downloading) {
        return GameState::Downloading;
    }
    if paused && !downloaded {
        return GameState::Paused;
    }
    if downloaded || installed {
        return match local_newer_or_equal {
            Some(false) => GameState::UpdateAvailable,
            _ if install_behind => GameState::UpdateDownloaded,
            None if remote_holders == 0 => GameState::LocalOnly,
            _ if installed => GameState::Installed,
            _ => GameState::Downloaded,
        };
    }
    if paused {
        return GameState::Paused;
    }
    GameState::RemoteOnly
}

/// Builds the UI list, sorted by name.
pub fn aggregate(
    catalog: &Catalog,
    local: &LocalLibrary,
    peers: &PeerGameDB,
    live: &LiveState,
) -> Vec<GameEntry> {
    let remote = peers.titles();
    let mut ids: Vec<&GameId> = local.games.keys().chain(remote.iter()).collect();
    ids.sort();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(entry) = catalog.get(id) else { continue };
        let local_game = local.games.get(id);
        let downloaded = local_game.is_some_and(|g| g.downloaded());
        let installed = local_game.is_some_and(|g| g.installed);
        let paused = local_game.is_some_and(|g| g.has_download_state);
        let operation = live.operations.get(id).copied();
        let local_version = local_game.and_then(|g| g.version.clone());
        let installed_version = local_game.and_then(|g| g.installed_version.clone());
        // An install of unknown version (recorded before versions were) counts as current:
        // "Install update" is offered only when the record names another version.
        let install_behind = match (&installed_version, &local_version) {
            (Some(InstalledVersion::Known(i)), Some(l)) => i != l,
            _ => false,
        };
        let verdict = trust::decide(&peers.holdings(id), &entry.pins, local_version.as_ref());
        if !downloaded
            && !installed
            && !paused
            && verdict.latest.is_none()
            && verdict.offered.is_empty()
            && operation.is_none()
        {
            // A bare directory with nothing usable in it.
            continue;
        }
        let latest_version = verdict.latest.clone();
        let local_newer_or_equal = match (&local_version, &latest_version) {
            (Some(l), Some(r)) => Some(!r.is_newer_than(l)),
            (None, Some(_)) => Some(true),
            _ => None,
        };
        let holders = verdict.holders.len();
        let state = decide_state(
            downloaded,
            installed,
            install_behind,
            paused,
            local_newer_or_equal,
            holders,
            operation,
        );
        let offered = verdict.offered.first().map(|o| OfferedVersion {
            version: o.version.clone(),
            by: o.peers.iter().filter_map(|p| peers.name_of(p)).map(str::to_string).collect(),
        });
        let size_bytes = latest_version
            .as_ref()
            .or(offered.as_ref().map(|o| &o.version))
            .map(|v| peers.size_of(id, v))
            .filter(|s| *s > 0)
            .or_else(|| local_game.filter(|g| g.downloaded()).map(|g| g.payload_bytes()))
            .unwrap_or(entry.size_bytes);
        out.push(GameEntry {
            id: id.clone(),
            name: entry.name.clone(),
            description: entry.description.clone(),
            genre: entry.genre.clone(),
            max_players: entry.max_players,
            release_year: entry.release_year,
            art: entry.art.clone(),
            size_bytes,
            state,
            operation,
            downloaded,
            installed,
            local_version,
            installed_version: installed_version.map(|v| v.to_string()),
            latest_version,
            peer_count: holders,
            offered,
            unverified: local_game.is_some_and(|g| g.unverified),
            running: installed && live.playing.contains(id),
            downloaded_bytes: live.download_bytes.get(id).copied(),
        });
    }
    out.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use GameState::*;

    #[test]
    fn state_table() {
        // (downloaded, installed, install behind, paused, local>=remote, holders, op) -> state
        let cases = [
            ((false, false, false, false, Some(true), 2, None), RemoteOnly),
            ((false, false, false, false, Some(true), 2, Some(Operation::Downloading)), Downloading),
            ((false, false, false, true, Some(true), 2, None), Paused),
            ((false, false, false, true, None, 0, None), Paused),
            ((true, false, false, false, Some(true), 1, None), Downloaded),
            ((true, true, false, false, Some(true), 1, None), Installed),
            ((true, true, false, false, Some(false), 1, None), UpdateAvailable),
            ((true, false, false, false, Some(false), 1, None), UpdateAvailable),
            ((true, true, false, false, None, 0, None), LocalOnly),
            ((true, false, false, false, None, 0, None), LocalOnly),
            ((true, true, false, false, Some(false), 1, Some(Operation::Downloading)), Downloading),
            ((true, true, false, false, Some(true), 1, Some(Operation::Installing)), Installed),
            // Downloaded newer than installed: "Install update", no network needed.
            ((true, true, true, false, Some(true), 1, None), UpdateDownloaded),
            ((true, true, true, false, None, 0, None), UpdateDownloaded),
            // A peer has newer still: that update wins.
            ((true, true, true, false, Some(false), 1, None), UpdateAvailable),
        ];
        for ((d, i, b, p, n, h, op), want) in cases {
            assert_eq!(decide_state(d, i, b, p, n, h, op), want, "{:?}", (d, i, b, p, n, h, op));
        }
    }
}
