//! Test and demo tooling for lanspread. Not part of the product.
//!
//! - [`library`]: generated game libraries with real RAR archives (made with `rars`);
//! - [`lan`]: an emulated LAN of network namespaces on a bridge, removed on drop;
//! - [`proc`]: `lanspread-peer-cli` processes whose JSON-line events can be awaited.

pub mod lan;
pub mod library;
pub mod proc;
