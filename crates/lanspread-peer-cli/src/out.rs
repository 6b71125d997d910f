//! Output: JSON lines on stdout, one clear error line on stderr.

use std::io::Write;

use serde::Serialize;

/// Prints one JSON object as a line on stdout and flushes.
pub(crate) fn json_line<T: Serialize>(value: &T) {
    let mut out = std::io::stdout().lock();
    if serde_json::to_writer(&mut out, value).is_ok() {
        let _ = out.write_all(b"\n");
        let _ = out.flush();
    }
}

/// The one line on stderr that says what failed and why.
pub(crate) fn fail(message: &str) {
    let line = message.replace('\n', "; ");
    eprintln!("lanspread-peer-cli: error: {line}");
}
