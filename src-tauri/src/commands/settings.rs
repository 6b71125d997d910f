//! Settings commands: game directory, display name, catalog, auto-install.

use tauri::State;

use crate::{
    error::AppError,
    events::{SettingsUpdate, SettingsView},
    state::LanSpreadState,
};

/// Settings, game directory status and runtime status.
#[tauri::command]
pub(crate) async fn get_settings(state: State<'_, LanSpreadState>) -> Result<SettingsView, AppError> {
    Ok(state.settings())
}

/// Switches to another game directory (validated: created if missing, must be writable) and
/// remembers it.
#[tauri::command]
pub(crate) async fn update_game_directory(
    state: State<'_, LanSpreadState>,
    path: String,
) -> Result<SettingsView, AppError> {
    state.update_game_directory(&path).await
}

/// Changes display name, catalog or auto-install (restarts the network peer).
#[tauri::command]
pub(crate) async fn update_settings(
    state: State<'_, LanSpreadState>,
    update: SettingsUpdate,
) -> Result<SettingsView, AppError> {
    state.update_settings(update).await
}

/// Quits the app (the window's answer to `quit-requested`): the runtime stops cleanly, verified
/// chunks are kept and an install that has not swapped is rolled back.
#[tauri::command]
pub(crate) async fn quit_app<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Result<(), AppError> {
    app.exit(0);
    Ok(())
}
