//! Peer commands.

use tauri::State;

use crate::{error::AppError, events::PeersList, state::LanSpreadState};

/// Every live peer and what it shares.
#[tauri::command]
pub(crate) async fn list_peers(state: State<'_, LanSpreadState>) -> Result<PeersList, AppError> {
    Ok(state.list_peers())
}

/// "Add a peer by address": `HOST` or `HOST:PORT`, remembered and dialled now.
#[tauri::command]
pub(crate) async fn add_peer(
    state: State<'_, LanSpreadState>,
    address: String,
) -> Result<crate::events::SettingsView, AppError> {
    state.add_peer(&address).await
}

/// Forgets an address added by hand.
#[tauri::command]
pub(crate) async fn forget_peer(
    state: State<'_, LanSpreadState>,
    address: String,
) -> Result<crate::events::SettingsView, AppError> {
    state.forget_peer(&address).await
}

/// "Test" in the Peers panel: dials `HOST` or `HOST:PORT` and handshakes; the outcome arrives
/// as the `connection-tested` event, in words.
#[tauri::command]
pub(crate) async fn test_connection(
    state: State<'_, LanSpreadState>,
    address: String,
) -> Result<(), AppError> {
    state.test_connection(&address).await
}
