//! What hosts asked of us that outlives a pass: Retry-After and Crawl-delay, per host.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Result, Store, iso, parse_time};
use crate::fetch::HostMemory;

/// A host that asked for nothing still running is forgotten after this long.
const FORGET_AFTER: chrono::Duration = chrono::Duration::days(30);

impl Store {
    /// Every host's memory kept by earlier passes.
    pub fn hosts(&self) -> Result<Vec<HostMemory>> {
        let mut stmt = self
            .conn
            .prepare("SELECT host, not_before, crawl_delay_ms, last_request_at FROM hosts")?;
        let rows = stmt.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, Option<i64>>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut hosts = Vec::new();
        for row in rows {
            let (host, not_before, delay_ms, last) = row?;
            let crawl_delay = delay_ms.and_then(|ms| u64::try_from(ms).ok()).map(Duration::from_millis);
            // `last_request_at` is when the last request ended; the next waits the gap.
            let gap = crawl_delay.and_then(|d| chrono::Duration::from_std(d).ok()).unwrap_or_default();
            let next_request_at = parse_time(last).map_or(DateTime::<Utc>::MIN_UTC, |t| t + gap);
            hosts.push(HostMemory {
                host,
                not_before: parse_time(not_before),
                crawl_delay,
                next_request_at,
            });
        }
        Ok(hosts)
    }

    /// Keeps what hosts asked of this pass for the next ones, and forgets hosts that ask
    /// nothing any more.
    pub fn save_hosts(&self, hosts: &[HostMemory], now: DateTime<Utc>) -> Result<()> {
        let tx = self.write_tx()?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO hosts (host, not_before, crawl_delay_ms, last_request_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (host) DO UPDATE SET
                     not_before = nullif(max(coalesce(excluded.not_before, ''), coalesce(hosts.not_before, '')), ''),
                     crawl_delay_ms = excluded.crawl_delay_ms,
                     last_request_at = excluded.last_request_at",
            )?;
            for h in hosts {
                let gap = h.crawl_delay.and_then(|d| chrono::Duration::from_std(d).ok()).unwrap_or_default();
                let delay_ms = h.crawl_delay.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
                // Times are kept to the second: rounded up, so the gap is never cut short.
                let last = round_up(h.next_request_at - gap);
                stmt.execute(params![h.host, h.not_before.map(round_up).map(iso), delay_ms, iso(last)])?;
            }
        }
        tx.execute("UPDATE hosts SET not_before = NULL WHERE not_before <= ?1", [iso(now)])?;
        tx.execute(
            "DELETE FROM hosts WHERE not_before IS NULL AND (crawl_delay_ms IS NULL OR last_request_at < ?1)",
            [iso(now - FORGET_AFTER)],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// `at` rounded up to a whole second.
fn round_up(at: DateTime<Utc>) -> DateTime<Utc> {
    let part = at.timestamp_subsec_nanos();
    if part == 0 {
        return at;
    }
    at + chrono::Duration::nanoseconds(i64::from(1_000_000_000 - part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_memory_round_trips_and_is_forgotten_when_it_no_longer_holds() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("v.db")).unwrap();
        let now = DateTime::parse_from_rfc3339("2026-05-01T12:00:00Z").unwrap().with_timezone(&Utc);
        let busy = HostMemory {
            host: "busy.org".into(),
            not_before: Some(now + chrono::Duration::hours(2)),
            crawl_delay: None,
            next_request_at: now,
        };
        let slow = HostMemory {
            host: "slow.org".into(),
            not_before: None,
            crawl_delay: Some(Duration::from_secs(20)),
            next_request_at: now + chrono::Duration::seconds(20),
        };
        store.save_hosts(&[busy.clone(), slow.clone()], now).unwrap();
        let mut got = store.hosts().unwrap();
        got.sort_by(|a, b| a.host.cmp(&b.host));
        assert_eq!(got, [busy, slow.clone()]);

        // Hours later the Retry-After has run out; a month later the Crawl-delay host unused.
        store.save_hosts(&[], now + chrono::Duration::hours(3)).unwrap();
        let hosts: Vec<String> = store.hosts().unwrap().into_iter().map(|h| h.host).collect();
        assert_eq!(hosts, ["slow.org"]);
        store.save_hosts(&[], now + chrono::Duration::days(40)).unwrap();
        assert!(store.hosts().unwrap().is_empty());
    }
}
