//! Retry policy: how often and how long one URL may be retried within a run.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};

/// The longest wait a Retry-After is read as. Servers may send any number (even 2^64-1
/// seconds); past a week it all means "much later", and a bounded wait keeps every time
/// computed from it representable. A week still defers the URL past any run.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(7 * 24 * 3600);

/// Bounds on retrying one URL. A run must keep moving, so the budget is small: a server that
/// asks for a longer pause gets the URL back in a later run (`Outcome::Deferred`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests per URL, the first one included (1 = no retry).
    pub max_attempts: u32,
    /// The wait before the first retry; each further retry doubles it (before jitter).
    pub base_delay: Duration,
    /// The total time one URL may spend waiting between attempts.
    pub max_total_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_total_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt `attempt` (1-based): exponential, with "equal jitter" so
    /// that clients retrying together spread out yet never retry at once. It lies in
    /// `[d/2, d]` with `d = base_delay * 2^(attempt-1)`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
        let full = self.base_delay.saturating_mul(factor);
        let half = full / 2;
        let jitter_ms = half.as_millis().min(u128::from(u64::MAX)) as u64;
        half + Duration::from_millis(fastrand::u64(0..=jitter_ms))
    }
}

/// Parses a Retry-After value: delay seconds or an HTTP-date (taken relative to `now`),
/// capped at [`MAX_RETRY_AFTER`]. A date in the past means "now".
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64 is still a number of seconds: a very large one.
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER));
    }
    let wait = parse_http_date(value)? - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO).min(MAX_RETRY_AFTER))
}

/// An HTTP-date in any of the three forms recipients must accept (RFC 9110, 5.6.7).
fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    // IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") is what servers must send; RFC 2822
    // parsing accepts it.
    if let Ok(date) = DateTime::parse_from_rfc2822(value) {
        return Some(date.with_timezone(&Utc));
    }
    // The obsolete RFC 850 form ("Sunday, 06-Nov-94 08:49:37 GMT", two-digit years read as
    // 1970-2069) and asctime ("Sun Nov  6 08:49:37 1994"), both in UTC.
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok())
        .map(|date| date.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 01 Mar 2026 12:01:30 GMT", now),
            Some(Duration::from_secs(90))
        );
        assert_eq!(parse_retry_after("Sun, 01 Mar 2026 11:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sunday, 01-Mar-26 12:00:10 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(parse_retry_after("Sun Mar  1 12:00:20 2026", now), Some(Duration::from_secs(20)));
        assert_eq!(parse_retry_after("Sun Mar 01 12:00:20 2026", now), Some(Duration::from_secs(20)));
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("+5", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }

    #[test]
    fn huge_retry_after_values_are_capped() {
        let now = DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap().with_timezone(&Utc);
        for value in [
            "18446744073709551615",
            "10000000000000",
            "99999999999999999999999999999999",
            "604801",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            assert_eq!(parse_retry_after(value, now), Some(MAX_RETRY_AFTER), "{value}");
        }
        assert_eq!(parse_retry_after("604800", now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("604799", now), Some(Duration::from_secs(604_799)));
        assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now), Some(Duration::ZERO));
    }

    #[test]
    fn backoff_grows_within_bounds() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_total_backoff: Duration::from_secs(10),
        };
        for _ in 0..200 {
            for attempt in 1..=4u32 {
                let full = Duration::from_millis(200 * 2u64.pow(attempt - 1));
                let wait = policy.backoff(attempt);
                assert!(wait >= full / 2 && wait <= full, "{attempt}: {wait:?}");
            }
        }
        // Huge attempt numbers saturate instead of overflowing.
        let _ = policy.backoff(u32::MAX);
        let zero = RetryPolicy {
            base_delay: Duration::ZERO,
            ..policy
        };
        assert_eq!(zero.backoff(3), Duration::ZERO);
    }
}
