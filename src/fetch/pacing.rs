//! Per-host pacing: a minimum gap between two requests to one host, and hosts that asked us
//! to come back later.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// When each host may next be asked. Slots are booked in advance, so callers only sleep.
#[derive(Debug)]
pub struct Pacing {
    default_delay: Duration,
    hosts: HashMap<String, HostState>,
}

#[derive(Debug)]
struct HostState {
    next: Instant,
    delay: Duration,
    deferred_until: Option<Instant>,
}

impl Pacing {
    pub fn new(default_delay: Duration) -> Pacing {
        Pacing {
            default_delay,
            hosts: HashMap::new(),
        }
    }

    /// Books the next request to `host` and returns when it may be sent.
    pub fn reserve(&mut self, host: &str, now: Instant) -> Instant {
        let default_delay = self.default_delay;
        let state = self.hosts.entry(host.to_string()).or_insert(HostState {
            next: now,
            delay: default_delay,
            deferred_until: None,
        });
        let slot = state.next.max(now);
        state.next = later(slot, state.delay);
        slot
    }

    /// Records that a request to `host` has just ended: the next one waits a full gap from
    /// now, so a slow response or connection set-up never squeezes two requests together.
    pub fn finished(&mut self, host: &str, now: Instant) {
        if let Some(state) = self.hosts.get_mut(host) {
            state.next = state.next.max(later(now, state.delay));
        }
    }

    /// Raises the gap for `host` (a robots.txt Crawl-delay); never lowers it below the default.
    pub fn raise_delay(&mut self, host: &str, delay: Duration, now: Instant) {
        let default_delay = self.default_delay;
        let state = self.hosts.entry(host.to_string()).or_insert(HostState {
            next: now,
            delay: default_delay,
            deferred_until: None,
        });
        if delay > state.delay {
            // The slot already booked was spaced by the old gap.
            state.next = later(state.next, delay - state.delay);
            state.delay = delay;
        }
    }

    /// Records that `host` asked not to be contacted before `until`.
    pub fn defer(&mut self, host: &str, until: Instant) {
        if let Some(state) = self.hosts.get_mut(host) {
            state.deferred_until = Some(state.deferred_until.map_or(until, |u| u.max(until)));
        }
    }

    /// What must outlive this pass, per host that asked for it: when it may next be asked
    /// (None when its slot has passed at `now`), how long it asked us to stay away, and its
    /// gap when a Crawl-delay raised it above the default.
    pub fn lasting(&self, now: Instant) -> Vec<Lasting> {
        self.hosts
            .iter()
            .filter_map(|(host, state)| {
                let deferred_until = state.deferred_until.filter(|u| *u > now);
                let raised = (state.delay > self.default_delay).then_some(state.delay);
                (deferred_until.is_some() || raised.is_some()).then(|| Lasting {
                    host: host.clone(),
                    deferred_until,
                    raised_delay: raised,
                    next: state.next,
                })
            })
            .collect()
    }

    /// Takes back what an earlier pass left for `lasting.host`.
    pub fn restore(&mut self, lasting: &Lasting, now: Instant) {
        let default_delay = self.default_delay;
        let state = self.hosts.entry(lasting.host.clone()).or_insert(HostState {
            next: now,
            delay: default_delay,
            deferred_until: None,
        });
        if let Some(delay) = lasting.raised_delay {
            state.delay = state.delay.max(delay);
        }
        state.next = state.next.max(lasting.next);
        if let Some(until) = lasting.deferred_until {
            state.deferred_until = Some(state.deferred_until.map_or(until, |u| u.max(until)));
        }
    }

    /// How long `host` still asks us to wait, if it does.
    pub fn deferred(&self, host: &str, now: Instant) -> Option<Duration> {
        let until = self.hosts.get(host)?.deferred_until?;
        (until > now).then(|| until - now)
    }
}

/// A host's pacing that outlives a pass (see [`Pacing::lasting`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lasting {
    pub host: String,
    pub deferred_until: Option<Instant>,
    pub raised_delay: Option<Duration>,
    /// When the next request may be sent.
    pub next: Instant,
}

/// `at + wait`, for a wait that may come from the network: one too long to represent is cut to
/// a year, which for a run is forever, instead of overflowing.
pub fn later(at: Instant, wait: Duration) -> Instant {
    const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);
    at.checked_add(wait).or_else(|| at.checked_add(YEAR)).unwrap_or(at)
}

/// The pacing key of a URL: its host, with the port when it is not the scheme's default.
pub fn host_key(url: &url::Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn requests_to_one_host_are_spaced() {
        let mut pacing = Pacing::new(SECOND);
        let t0 = Instant::now();
        assert_eq!(pacing.reserve("a.org", t0), t0);
        assert_eq!(pacing.reserve("a.org", t0), t0 + SECOND);
        assert_eq!(pacing.reserve("a.org", t0), t0 + 2 * SECOND);
        // Another host is not held up.
        assert_eq!(pacing.reserve("b.org", t0), t0);
        // After a long pause the host is free at once.
        let later = t0 + 10 * SECOND;
        assert_eq!(pacing.reserve("a.org", later), later);
    }

    #[test]
    fn the_gap_runs_from_the_end_of_a_slow_request() {
        let mut pacing = Pacing::new(SECOND);
        let t0 = Instant::now();
        assert_eq!(pacing.reserve("a.org", t0), t0);
        pacing.finished("a.org", t0 + 5 * SECOND);
        assert_eq!(pacing.reserve("a.org", t0 + 5 * SECOND), t0 + 6 * SECOND);
    }

    #[test]
    fn crawl_delay_raises_but_never_lowers() {
        let mut pacing = Pacing::new(SECOND);
        let t0 = Instant::now();
        assert_eq!(pacing.reserve("a.org", t0), t0);
        pacing.raise_delay("a.org", 3 * SECOND, t0);
        assert_eq!(pacing.reserve("a.org", t0), t0 + 3 * SECOND);
        pacing.raise_delay("a.org", Duration::from_millis(10), t0);
        assert_eq!(pacing.reserve("a.org", t0), t0 + 6 * SECOND);
    }

    #[test]
    fn deferred_hosts_report_the_remaining_wait() {
        let mut pacing = Pacing::new(SECOND);
        let t0 = Instant::now();
        pacing.reserve("a.org", t0);
        pacing.defer("a.org", t0 + 60 * SECOND);
        assert_eq!(pacing.deferred("a.org", t0 + SECOND), Some(59 * SECOND));
        assert_eq!(pacing.deferred("a.org", t0 + 61 * SECOND), None);
        assert_eq!(pacing.deferred("b.org", t0), None);
    }

    #[test]
    fn what_a_host_asked_for_outlives_the_pass() {
        let t0 = Instant::now();
        let mut pacing = Pacing::new(SECOND);
        pacing.reserve("plain.org", t0);
        pacing.reserve("slow.org", t0);
        pacing.raise_delay("slow.org", 5 * SECOND, t0);
        pacing.reserve("busy.org", t0);
        pacing.defer("busy.org", t0 + 60 * SECOND);
        let mut kept = pacing.lasting(t0);
        kept.sort_by(|a, b| a.host.cmp(&b.host));
        let hosts: Vec<&str> = kept.iter().map(|l| l.host.as_str()).collect();
        assert_eq!(hosts, ["busy.org", "slow.org"], "a host that asked nothing is not kept");

        let mut next_pass = Pacing::new(SECOND);
        for lasting in &kept {
            next_pass.restore(lasting, t0);
        }
        assert_eq!(next_pass.deferred("busy.org", t0 + SECOND), Some(59 * SECOND));
        assert_eq!(next_pass.reserve("slow.org", t0), t0 + 5 * SECOND);
        assert_eq!(next_pass.reserve("slow.org", t0), t0 + 10 * SECOND);
    }

    #[test]
    fn later_never_overflows() {
        let t0 = Instant::now();
        assert_eq!(later(t0, SECOND), t0 + SECOND);
        assert!(later(t0, Duration::MAX) > t0 + 300 * 24 * 3600 * SECOND);
        let mut pacing = Pacing::new(SECOND);
        pacing.reserve("a.org", t0);
        pacing.defer("a.org", later(t0, Duration::from_secs(u64::MAX)));
        assert!(pacing.deferred("a.org", t0).is_some());
        pacing.raise_delay("a.org", Duration::MAX, t0);
        pacing.finished("a.org", t0);
        pacing.reserve("a.org", t0);
    }

    #[test]
    fn host_key_keeps_explicit_ports_only() {
        let key = |u: &str| host_key(&url::Url::parse(u).unwrap());
        assert_eq!(key("https://Example.org/a").as_deref(), Some("example.org"));
        assert_eq!(key("http://example.org:80/a").as_deref(), Some("example.org"));
        assert_eq!(key("http://127.0.0.1:8080/").as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(key("data:text/plain,x"), None);
    }
}
