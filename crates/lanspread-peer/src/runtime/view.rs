//! [`GamesView`]: the last game list sent to the UI, and the coalescing of bursts of remote
//! changes into one `ListGames` event.

use std::sync::{
    Mutex,
    atomic::{AtomicBool, Ordering},
};

use crate::api::GameEntry;

/// The last `ListGames` list and whether a coalesced emission is scheduled (one lock).
#[derive(Debug, Default)]
pub(crate) struct GamesView {
    last: Mutex<Option<Vec<GameEntry>>>,
    pending: AtomicBool,
}

impl GamesView {
    /// Whether `games` must be sent (it differs from the last list, or `always`); records it.
    pub(crate) fn should_send(&self, games: &[GameEntry], always: bool) -> bool {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if !always && last.as_deref() == Some(games) {
            return false;
        }
        *last = Some(games.to_vec());
        true
    }

    /// Claims the one scheduled emission; `false` when one is scheduled already.
    pub(crate) fn claim(&self) -> bool {
        !self.pending.swap(true, Ordering::AcqRel)
    }

    /// The scheduled emission is running: later changes schedule a new one.
    pub(crate) fn release(&self) {
        self.pending.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_lists_are_sent_once_and_one_emission_is_scheduled_at_a_time() {
        let v = GamesView::default();
        assert!(v.should_send(&[], false), "the first list is always sent");
        assert!(!v.should_send(&[], false));
        assert!(v.should_send(&[], true), "asked for explicitly");
        assert!(v.claim());
        assert!(!v.claim());
        v.release();
        assert!(v.claim());
    }
}
