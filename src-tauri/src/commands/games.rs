//! Library commands: list, install, update, install an unverified offer, play, uninstall, cancel.

use tauri::State;

use crate::{error::AppError, events::GamesList, state::LanSpreadState};

/// The library now; a fresh `games-list-updated` event follows.
#[tauri::command]
pub(crate) async fn request_games(state: State<'_, LanSpreadState>) -> Result<GamesList, AppError> {
    Ok(state.request_games().await)
}

/// Downloads (or resumes) and installs a game, or installs a downloaded one.
#[tauri::command]
pub(crate) async fn install_game(state: State<'_, LanSpreadState>, id: String) -> Result<(), AppError> {
    state.install_game(&id).await
}

/// Fetches the latest version from peers and installs it.
#[tauri::command]
pub(crate) async fn update_game(state: State<'_, LanSpreadState>, id: String) -> Result<(), AppError> {
    state.update_game(&id).await
}

/// Starts an installed game.
#[tauri::command]
pub(crate) async fn play_game(state: State<'_, LanSpreadState>, id: String) -> Result<(), AppError> {
    state.play_game(&id).await
}

/// Takes the newest version although only one host offers it (marked unverified).
#[tauri::command]
pub(crate) async fn install_unverified(state: State<'_, LanSpreadState>, id: String) -> Result<(), AppError> {
    state.install_unverified(&id).await
}

/// Removes the installed files (the download stays shared).
#[tauri::command]
pub(crate) async fn uninstall_game(state: State<'_, LanSpreadState>, id: String) -> Result<(), AppError> {
    state.uninstall_game(&id).await
}

/// Verify: re-checks every downloaded byte and the install; with `repair`, fixes what is
/// damaged (`game-verify-*` events).
#[tauri::command]
pub(crate) async fn verify_game(
    state: State<'_, LanSpreadState>,
    id: String,
    repair: bool,
) -> Result<(), AppError> {
    state.verify_game(&id, repair).await
}

/// Cancels a running download (it becomes paused) or install.
#[tauri::command]
pub(crate) async fn cancel_download(state: State<'_, LanSpreadState>, id: String) -> Result<(), AppError> {
    state.cancel(&id).await
}

/// Deletes the game from this machine (install, payload, download state); discards a paused
/// download. The window confirms first.
#[tauri::command]
pub(crate) async fn delete_game(state: State<'_, LanSpreadState>, id: String) -> Result<(), AppError> {
    state.delete_game(&id).await
}

/// Opens the game's folder (its install, else its download) in the file manager.
#[tauri::command]
pub(crate) async fn open_game_folder(state: State<'_, LanSpreadState>, id: String) -> Result<(), AppError> {
    let dir = state.game_folder(&id)?;
    tauri_plugin_opener::open_path(&dir, None::<&str>).map_err(|e| {
        AppError::new(crate::error::ErrorKind::Io, format!("cannot open {}: {e}", dir.display()))
    })
}

/// Starts a queued download now, beside the running one.
#[tauri::command]
pub(crate) async fn start_now(state: State<'_, LanSpreadState>, id: String) -> Result<(), AppError> {
    state.start_now(&id).await
}

/// Moves a queued download one place earlier (`up`) or later.
#[tauri::command]
pub(crate) async fn move_in_queue(
    state: State<'_, LanSpreadState>,
    id: String,
    up: bool,
) -> Result<(), AppError> {
    state.move_in_queue(&id, up)
}
