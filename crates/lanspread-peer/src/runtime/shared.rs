//! [`Shared`]: what every part of a running peer reads and nobody changes — identity,
//! options, the outbound connection pool, the event sender, the cancellation tokens and the
//! task spawner.

use std::{
    net::{IpAddr, SocketAddr},
    path::PathBuf,
    sync::Arc,
};

use lanspread_proto::{Catalog, PeerId};
use lanspread_unpack::Unpacker;
use tokio_util::sync::CancellationToken;

use super::{EventSender, Timing, Tuning};
use crate::{
    api::PeerEvent,
    identity::Identity,
    net::{ConnPool, uploads::RateLimiter},
    tasks::Tasks,
};

/// The runtime's cancellation tokens. `root` stops everything at once; shutdown cancels the
/// children one by one in the order written in `runtime/mod.rs`.
#[derive(Debug, Clone)]
pub(crate) struct Cancel {
    pub(crate) root: CancellationToken,
    /// Parent of every operation's token (downloads, installs).
    pub(crate) ops: CancellationToken,
    /// mDNS (its task says goodbye when cancelled).
    pub(crate) discovery: CancellationToken,
    /// The QUIC server, its connections and their streams.
    pub(crate) net: CancellationToken,
}

impl Cancel {
    pub(crate) fn new() -> Self {
        let root = CancellationToken::new();
        Self { ops: root.child_token(), discovery: root.child_token(), net: root.child_token(), root }
    }

    /// Cancelled when the whole runtime stops.
    pub(crate) async fn cancelled(&self) {
        self.root.cancelled().await;
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.root.is_cancelled()
    }
}

/// Immutable parts of a running peer.
pub(crate) struct Shared {
    pub(crate) identity: Identity,
    /// Display name (cleaned).
    pub(crate) name: String,
    pub(crate) protocol_version: u32,
    pub(crate) timing: Timing,
    pub(crate) tuning: Tuning,
    pub(crate) bind: Option<IpAddr>,
    pub(crate) state_dir: PathBuf,
    /// Where our QUIC server listens.
    pub(crate) local_addr: SocketAddr,
    /// Install games right after they finish downloading.
    pub(crate) auto_install: bool,
    /// Exchange chunks with other downloaders (off: fetch only from complete copies).
    pub(crate) swarming: bool,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) unpacker: Arc<dyn Unpacker>,
    pub(crate) events: EventSender,
    pub(crate) pool: ConnPool,
    /// The download cap (the app's setting; changes while downloads run).
    pub(crate) download_limit: RateLimiter,
    pub(crate) cancel: Cancel,
    pub(crate) tasks: Tasks,
}

impl Shared {
    /// Our peer id.
    pub(crate) fn me(&self) -> PeerId {
        self.identity.peer_id
    }

    /// Sends an event (a closed receiver is fine: nobody listens any more).
    pub(crate) fn emit(&self, ev: PeerEvent) {
        let _ = self.events.send(ev);
    }
}
