//! Tauri commands: each forwards to [`crate::state::LanSpreadState`] in a line or two.
//! Every error reaches the UI as `{kind, message}` ([`crate::error::AppError`]).

pub(crate) mod games;
pub(crate) mod peers;
pub(crate) mod settings;
