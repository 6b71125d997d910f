//! Peer commands.

use tauri::State;

use crate::{error::AppError, events::PeersList, state::LanSpreadState};

/// Every live peer and what it shares.
#[tauri::command]
pub(crate) async fn list_peers(state: State<'_, LanSpreadState>) -> Result<PeersList, AppError> {
    Ok(state.list_peers())
}
