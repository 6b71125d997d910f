//! Experiment overrides: `LANSPREAD_*` environment variables mapped onto the runtime's
//! [`Tuning`] (the library itself reads no environment). Unset or unparsable values keep the
//! defaults, which are the measured optima (README, "Tuning experiments").

use std::time::Duration;

use lanspread_peer::Tuning;

/// [`Tuning::default`] with every override found in the environment applied.
pub(crate) fn from_env() -> Tuning {
    from_lookup(|k| std::env::var(k).ok())
}

/// Like [`from_env`] with an arbitrary variable lookup (tests).
pub(crate) fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Tuning {
    let num = |k: &str| get(k).and_then(|v| v.trim().parse::<u64>().ok());
    let mut t = Tuning::default();
    if let Some(mib) = num("LANSPREAD_INFLIGHT_MIB") {
        t.inflight_budget = mib << 20;
    }
    if let Some(ms) = num("LANSPREAD_PIPELINE_MS") {
        t.pipeline_target = Duration::from_millis(ms);
    }
    if let Some(n) = num("LANSPREAD_SEED_WINDOW") {
        t.seed_window = n as usize;
    }
    if let Some(ms) = num("LANSPREAD_HAVE_MS") {
        t.have_batch = Duration::from_millis(ms);
    }
    if let Some(n) = num("LANSPREAD_CID_LEN") {
        t.connection_id_len = n as usize;
    }
    if let Some(n) = num("LANSPREAD_MAX_MTU") {
        t.max_mtu = n.min(u64::from(u16::MAX)) as u16;
    }
    if let Some(n) = num("LANSPREAD_MTU") {
        t.initial_mtu = Some(n.min(u64::from(u16::MAX)) as u16);
    }
    if let Some(n) = num("LANSPREAD_SOCKBUF") {
        t.socket_recv_buffer = n as usize;
    }
    // Benchmarks only (the cost of the check): commit resumed chunks without re-reading them.
    if num("LANSPREAD_UNSAFE_SKIP_REVERIFY") == Some(1) {
        t.reverify_resumed = false;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_and_garbage_keeps_the_default() {
        let env = |k: &str| match k {
            "LANSPREAD_INFLIGHT_MIB" => Some("32".to_string()),
            "LANSPREAD_PIPELINE_MS" => Some("80".to_string()),
            "LANSPREAD_MTU" => Some("1400".to_string()),
            "LANSPREAD_SEED_WINDOW" => Some("two".to_string()),
            _ => None,
        };
        let t = from_lookup(env);
        assert_eq!(t.inflight_budget, 32 << 20);
        assert_eq!(t.pipeline_target, Duration::from_millis(80));
        assert_eq!(t.initial_mtu, Some(1400));
        assert_eq!(t.seed_window, Tuning::default().seed_window);
        assert_eq!(from_lookup(|_| None), Tuning::default());
    }
}
