//! The commands as the window calls them: through Tauri's IPC (mock runtime), with JSON
//! arguments and `{kind, message}` errors.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Value, json};
use tauri::{
    ipc::{CallbackFn, InvokeBody},
    test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets},
    webview::InvokeRequest,
};

fn request(cmd: &str, body: Value) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

#[test]
fn commands_answer_over_ipc_and_errors_arrive_as_kind_and_message() {
    let tmp = tempfile::tempdir().unwrap();
    let (state, _rec) = common::app(common::app_paths(tmp.path()));
    let app = mock_builder()
        .invoke_handler(lanspread_app::invoke_handler())
        .manage(state.clone())
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    let call = |cmd: &str, body: Value| -> Result<Value, Value> {
        get_ipc_response(&webview, request(cmd, body)).map(|b| b.deserialize::<Value>().unwrap())
    };

    // Before the runtime runs, commands that need it say so.
    let err = call("install_game", json!({"id": "quake3"})).unwrap_err();
    assert_eq!(err["kind"], "not_running", "{err}");
    assert!(err["message"].as_str().unwrap().contains("starting"), "{err}");
    let s = call("get_settings", json!({})).unwrap();
    assert_eq!(s["runtime"]["status"], "starting");

    tauri::async_runtime::block_on(state.start());
    let s = call("get_settings", json!({})).unwrap();
    assert_eq!(s["runtime"]["status"], "running", "{s}");
    assert_eq!(s["game_dir"]["is_default"], true);
    let games = call("request_games", json!({})).unwrap();
    assert_eq!((&games["games"], &games["peer_count"]), (&json!([]), &json!(0)), "{games}");
    assert!(games["free_bytes"].as_u64().is_some_and(|f| f > 0), "free space of the game folder: {games}");
    assert_eq!(call("list_peers", json!({})).unwrap(), json!({"peers": [], "unreachable": []}));

    let err = call("uninstall_game", json!({"id": "Not An Id"})).unwrap_err();
    assert_eq!(err["kind"], "invalid_input", "{err}");
    let err = call("install_game", json!({"id": "quake3"})).unwrap_err();
    assert_eq!(err["kind"], "no_peers", "{err}");
    let err = call("cancel_download", json!({"id": "quake3"})).unwrap_err();
    assert_eq!(err["kind"], "not_found", "{err}");
    let file = tmp.path().join("file.txt");
    std::fs::write(&file, "x").unwrap();
    let err = call("update_game_directory", json!({"path": file})).unwrap_err();
    assert_eq!(err["kind"], "game_dir", "{err}");
    assert_eq!(err.as_object().unwrap().len(), 2, "only kind and message: {err}");

    let games = tmp.path().join("games");
    let s = call("update_game_directory", json!({"path": games})).unwrap();
    assert_eq!(s["game_dir"]["path"], games.display().to_string());
    let s = call("update_settings", json!({"update": {"peer_name": "ipc-box"}})).unwrap();
    assert_eq!(s["peer_name"], "ipc-box");
    tauri::async_runtime::block_on(state.shutdown());
}
