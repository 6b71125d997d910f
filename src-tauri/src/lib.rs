//! The lanspread desktop app: a thin Tauri 2 layer over the peer runtime.
//!
//! - [`state::LanSpreadState`] holds the runtime handle, the aggregated library with
//!   per-game progress, the catalog, the settings and the game directory;
//! - `commands/` forward each Tauri command to it in a line or two;
//! - [`events`] holds the typed payloads (TypeScript types generated into `ui/src/bindings/`);
//! - [`model::AppModel`] maps every runtime event to the Tauri events; a background task per
//!   runtime feeds it ([`state`]).

mod commands;
pub mod config;
pub mod desktop;
pub mod error;
pub mod events;
pub mod model;
pub mod state;

use std::sync::Arc;

use tauri::{App, AppHandle, Builder, Manager as _, RunEvent, Runtime};

use crate::{
    config::AppPaths,
    state::{LanSpreadState, StartOptions},
};

/// Builds and runs the app until the window closes.
pub fn run() {
    init_logging();
    let app = build(tauri::Builder::default()).build(tauri::generate_context!()).unwrap_or_else(|e| {
        eprintln!("lanspread: could not start the app window: {e}");
        std::process::exit(1);
    });
    run_app(app);
}

/// Registers the plugins (single instance first: a second launch shows this window and
/// exits), the commands, the close-to-tray handler and the start-up hook.
pub fn build<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .plugin(tauri_plugin_single_instance::init(|app, args, cwd| desktop::second_instance(app, args, cwd)))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(invoke_handler())
        .on_window_event(desktop::on_window_event)
        .setup(|app| {
            setup(app.handle())?;
            if let Err(e) = desktop::create_tray(app.handle()) {
                tracing::warn!(error = %e, "no tray icon: closing the window quits");
            }
            Ok(())
        })
}

/// Every command the window may call.
pub fn invoke_handler<R: Runtime>() -> Box<dyn Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync> {
    Box::new(tauri::generate_handler![
        commands::games::request_games,
        commands::games::install_game,
        commands::games::update_game,
        commands::games::install_unverified,
        commands::games::play_game,
        commands::games::uninstall_game,
        commands::games::verify_game,
        commands::games::cancel_download,
        commands::games::delete_game,
        commands::games::start_now,
        commands::games::move_in_queue,
        commands::games::open_game_folder,
        commands::settings::quit_app,
        commands::peers::list_peers,
        commands::peers::add_peer,
        commands::peers::forget_peer,
        commands::peers::test_connection,
        commands::settings::get_settings,
        commands::settings::update_game_directory,
        commands::settings::update_settings,
    ])
}

/// Resolves the directories, creates the state and starts the runtime in the background.
fn setup<R: Runtime>(app: &AppHandle<R>) -> Result<(), Box<dyn std::error::Error>> {
    // Settings roam with the Windows profile (%APPDATA%); the peer's key, hash index and
    // download state stay on this machine (%LOCALAPPDATA%). On Linux both are under ~/.config
    // and ~/.local/share.
    let paths = AppPaths::from_env(app.path().app_config_dir()?, app.path().app_local_data_dir()?)?;
    tracing::info!(config = %paths.config_dir.display(), state = %paths.state_dir.display(), bind = ?paths.bind, "starting");
    let state = LanSpreadState::new(paths, Arc::new(app.clone()), StartOptions::default());
    app.manage(state.clone());
    tauri::async_runtime::spawn(async move { state.start().await });
    Ok(())
}

/// Runs the event loop; on exit the runtime stops cleanly (mDNS goodbye, state unlocked).
pub fn run_app<R: Runtime>(app: App<R>) {
    app.run(|handle, event| {
        if let RunEvent::Exit = event
            && let Some(state) = handle.try_state::<LanSpreadState>()
        {
            let state = state.inner().clone();
            tauri::async_runtime::block_on(async move { state.shutdown().await });
        }
    });
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("LANSPREAD_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
