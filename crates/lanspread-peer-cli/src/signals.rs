//! Waiting for a request to stop: SIGINT/SIGTERM on Unix; on Windows Ctrl+C, Ctrl+Break,
//! the console window being closed, and log-off or shutdown.

/// Resolves when the process is asked to stop.
pub(crate) async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt()))
        else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
    #[cfg(windows)]
    {
        use tokio::signal::windows;
        // Closing the console gives the process about five seconds before Windows ends it:
        // enough for `serve` and `get` to stop their transfers and roll back an install.
        let (Ok(mut c), Ok(mut brk), Ok(mut close), Ok(mut shutdown)) =
            (windows::ctrl_c(), windows::ctrl_break(), windows::ctrl_close(), windows::ctrl_shutdown())
        else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = c.recv() => {}
            _ = brk.recv() => {}
            _ = close.recv() => {}
            _ = shutdown.recv() => {}
        }
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
