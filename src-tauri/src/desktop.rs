//! The desktop around the window: the tray icon (Open, Pause sharing, Quit), closing the
//! window to the tray to keep sharing, one instance only, and OS notifications.
//!
//! - **Tray.** Built at start-up when the platform can show one (on Linux the tray needs
//!   `libayatana-appindicator3` at run time; without it there is no tray, and closing the
//!   window quits as before).
//! - **Close.** With "Keep sharing when the window is closed" on (the default) and a tray host
//!   present, closing hides the window and the peer keeps serving; the first time, a
//!   notification says so. Without a tray host the window closes and the app quits.
//! - **Quit** (tray): with a download, install or delete running, the window comes back and
//!   asks first (`quit-requested`); the UI's answer is the `quit_app` command. Quitting stops
//!   the runtime cleanly: verified chunks are kept, an install that has not swapped is rolled
//!   back.
//! - **One instance** (`tauri-plugin-single-instance`): a second launch shows the running
//!   window.

use tauri::{
    AppHandle, Manager, Runtime, WebviewWindow, WindowEvent,
    menu::{CheckMenuItem, Menu, MenuItem},
    tray::TrayIconBuilder,
};

use crate::{
    events::{QuitRequest, UiEvent},
    state::LanSpreadState,
};

/// The main window's label.
pub const MAIN: &str = "main";
const TRAY: &str = "lanspread";

/// Whether the tray icon was created (checked when the window closes).
pub struct Tray<R: Runtime> {
    pause: CheckMenuItem<R>,
}

/// Shows, unminimizes and focuses the main window.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// Creates the tray icon and its menu, where the platform has a tray library.
pub fn create_tray<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<bool> {
    if !tray_library_present() {
        tracing::info!("no tray library (libayatana-appindicator3): closing the window quits");
        return Ok(false);
    }
    let open = MenuItem::with_id(app, "open", "Open lanspread", true, None::<&str>)?;
    let pause = CheckMenuItem::with_id(app, "pause", "Pause sharing", true, false, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &pause, &quit])?;
    let mut tray =
        TrayIconBuilder::with_id(TRAY).tooltip("lanspread").menu(&menu).show_menu_on_left_click(true);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.on_menu_event(|app, event| match event.id.as_ref() {
        "open" => show_main(app),
        "pause" => toggle_sharing(app),
        "quit" => request_quit(app),
        _ => {}
    })
    .build(app)?;
    app.manage(Tray { pause });
    Ok(true)
}

fn toggle_sharing<R: Runtime>(app: &AppHandle<R>) {
    let Some(state) = app.try_state::<LanSpreadState>() else { return };
    let state = state.inner().clone();
    let enable = state.sharing_paused();
    if let Some(tray) = app.try_state::<Tray<R>>() {
        let _ = tray.pause.set_checked(!enable);
    }
    tauri::async_runtime::spawn(async move {
        if let Err(e) = state.set_sharing(enable).await {
            tracing::warn!(error = %e, "could not change sharing");
        }
    });
}

/// Quit from the tray: at once when nothing runs, else the window asks first.
fn request_quit<R: Runtime>(app: &AppHandle<R>) {
    let busy = app.try_state::<LanSpreadState>().map(|s| s.busy_games()).unwrap_or_default();
    if busy.is_empty() {
        app.exit(0);
        return;
    }
    show_main(app);
    if let Some(state) = app.try_state::<LanSpreadState>() {
        state.emit_ui(&UiEvent::QuitRequested(QuitRequest { busy }));
    }
}

/// The main window's close button: hide to the tray to keep sharing, or let it close.
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    let WindowEvent::CloseRequested { api, .. } = event else { return };
    if window.label() != MAIN {
        return;
    }
    let app = window.app_handle();
    let Some(state) = app.try_state::<LanSpreadState>() else { return };
    if !state.keep_sharing() || app.try_state::<Tray<R>>().is_none() || !tray_host_present() {
        return;
    }
    api.prevent_close();
    let _ = window.hide();
    tracing::info!("window closed: still sharing from the tray");
    if state.explain_close_once() {
        notify(
            app,
            "lanspread keeps sharing",
            "Your games stay available to the LAN. Quit from the tray icon, or start lanspread again to open the window.",
        );
    }
}

/// "Quake III Arena is ready to play" when an install finishes.
pub fn notify_ready<R: Runtime>(app: &AppHandle<R>, name: &str) {
    notify(app, &format!("{name} is ready"), "Installed — press Play in lanspread.");
}

fn notify<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    let Some(n) = app.try_state::<tauri_plugin_notification::Notification<R>>() else { return };
    if let Err(e) = n.builder().title(title).body(body).show() {
        // No notification daemon (a bare X session, a test): the window says it anyway.
        tracing::debug!(error = %e, "no OS notification");
    }
}

/// The single-instance callback: a second launch shows the running window.
pub fn second_instance<R: Runtime>(app: &AppHandle<R>, _args: Vec<String>, _cwd: String) {
    tracing::info!("second launch: showing the running window");
    if let Some(w) = app.get_webview_window(MAIN) {
        show(&w);
    }
}

fn show<R: Runtime>(w: &WebviewWindow<R>) {
    let _ = w.show();
    let _ = w.unminimize();
    let _ = w.set_focus();
}

/// Whether the tray library can be loaded (Linux; elsewhere the OS always has a tray). The
/// tray crate panics when it cannot load it, so this is asked first.
fn tray_library_present() -> bool {
    #[cfg(target_os = "linux")]
    {
        ["libayatana-appindicator3.so.1", "libappindicator3.so.1"].iter().any(|name| {
            let c = std::ffi::CString::new(*name).unwrap_or_default();
            // SAFETY: dlopen with a valid C string; the handle is closed right away.
            unsafe {
                let h = libc::dlopen(c.as_ptr(), libc::RTLD_LAZY | libc::RTLD_LOCAL);
                if h.is_null() {
                    false
                } else {
                    libc::dlclose(h);
                    true
                }
            }
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

/// Whether something will show the tray icon right now (Linux: a StatusNotifier host on the
/// session bus, or an X11 system tray such as trayer or stalonetray). Without one, hiding the
/// window would leave the player nothing to click.
fn tray_host_present() -> bool {
    #[cfg(target_os = "linux")]
    {
        sni_watcher_present() || x11_tray_present()
    }
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

#[cfg(target_os = "linux")]
fn sni_watcher_present() -> bool {
    let Ok(conn) = zbus::blocking::Connection::session() else { return false };
    let Ok(proxy) = zbus::blocking::fdo::DBusProxy::new(&conn) else { return false };
    let Ok(name) = zbus::names::BusName::try_from("org.kde.StatusNotifierWatcher") else { return false };
    proxy.name_has_owner(name).unwrap_or(false)
}

#[cfg(target_os = "linux")]
fn x11_tray_present() -> bool {
    let Ok(xlib) = x11_dl::xlib::Xlib::open() else { return false };
    // SAFETY: plain Xlib calls on a display this function opens and closes; every pointer
    // passed is valid for the call.
    unsafe {
        let display = (xlib.XOpenDisplay)(std::ptr::null());
        if display.is_null() {
            return false;
        }
        let screen = (xlib.XDefaultScreen)(display);
        let atom_name = std::ffi::CString::new(format!("_NET_SYSTEM_TRAY_S{screen}")).unwrap_or_default();
        let atom = (xlib.XInternAtom)(display, atom_name.as_ptr(), 0);
        let owner = (xlib.XGetSelectionOwner)(display, atom);
        (xlib.XCloseDisplay)(display);
        owner != 0
    }
}
