//! The lanspread desktop app: a thin Tauri 2 layer over the peer runtime.

/// Builds and runs the app until the window closes.
pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("lanspread: could not start the app window: {e}");
            std::process::exit(1);
        });
}
