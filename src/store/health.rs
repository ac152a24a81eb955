//! Source health: every fetch outcome per source and day, the running streaks, and the flags
//! `vigia status` raises, each judged against the source's own history.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, Store, iso, parse_time};
use crate::fetch::{OutcomeKind, Validators};

/// Days of outcomes kept per source; older days are dropped at the start of each pass.
pub const OUTCOME_DAYS: u64 = 120;
/// Passes in a row in which a source failed (its own URL, or every page it offered) that
/// make it `failing`.
pub const FAILING_PASSES: u32 = 2;
/// Fetches in a row refused by the server (403, 429, a Retry-After beyond the run) that make
/// a source `blocked`.
pub const BLOCKED_STREAK: u32 = 3;
/// Pages without text in the last 7 days that can make a source `empty`...
pub const EMPTY_MIN_PAGES: u64 = 3;
/// ...when they are at least this share of the pages it fetched (the others gave text).
pub const EMPTY_SHARE: f64 = 0.8;
/// A source is `silent` only once it has yielded articles on at least this many days...
pub const SILENT_MIN_ACTIVE_DAYS: u64 = 4;
/// ...and has gone this many times its usual gap between yielding days without one...
pub const SILENT_GAP_FACTOR: f64 = 3.0;
/// ...and never fewer days than this.
pub const SILENT_MIN_DAYS: f64 = 3.0;

/// A source's health, as `vigia status` shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Health {
    /// The last fetch of the source that did not fail (its feed, or any of its pages).
    pub last_success_at: Option<String>,
    /// Fetches in a row that failed, and the kind of the latest (`timeout`, `http 403`, ...).
    pub error_streak: u64,
    pub error_kind: Option<String>,
    /// Passes in a row that failed.
    pub failed_passes: u64,
    /// A failing source is not taken by a scheduled pass before this time.
    pub backoff_until: Option<String>,
    /// New articles stored in the last 7 and 30 days.
    pub articles_7d: u64,
    pub articles_30d: u64,
    /// New articles per 30 days before the last 30 (up to [`OUTCOME_DAYS`] back, the source's
    /// first day left out as a backlog); None while that history is shorter than two weeks.
    pub usual_30d: Option<f64>,
    /// Outcomes of the last 7 days by kind (`ok`, `not_modified`, `http 403`, `empty`, ...).
    pub outcomes_7d: BTreeMap<String, u64>,
    /// `failing`, `silent`, `blocked`, `empty`: see the README for the rules.
    pub flags: Vec<String>,
}

/// What the flags are judged on, read from the store.
#[derive(Debug, Clone, Default)]
pub(super) struct Evidence {
    pub error_streak: u32,
    pub refused_streak: u32,
    pub failed_passes: u32,
    /// Outcomes of the last 7 days.
    pub outcomes_7d: HashMap<OutcomeKind, u64>,
    /// New articles per day (by the day they were stored), the last [`OUTCOME_DAYS`].
    pub article_days: BTreeMap<NaiveDate, u64>,
    /// The day of the source's first article ever.
    pub first_day: Option<NaiveDate>,
}

impl Evidence {
    /// The flags and yield figures at `today`.
    pub(super) fn judge(&self, today: NaiveDate) -> (Vec<String>, u64, u64, Option<f64>) {
        let since = |days: u64| today.checked_sub_days(Days::new(days)).unwrap_or(today);
        let sum = |from: NaiveDate, to: NaiveDate| -> u64 { self.article_days.range(from..to).map(|(_, n)| n).sum() };
        let tomorrow = today.checked_add_days(Days::new(1)).unwrap_or(today);
        let articles_7d = sum(since(6), tomorrow);
        let articles_30d = sum(since(29), tomorrow);

        // The usual yield: days after the first (a first pass may take a whole backlog) and
        // before the last 30.
        let history_start = since(OUTCOME_DAYS).max(self.first_day.and_then(|d| d.checked_add_days(Days::new(1))).unwrap_or(today));
        let history_end = since(29);
        let history_days = (history_end - history_start).num_days();
        let usual_30d = (history_days >= 14).then(|| sum(history_start, history_end) as f64 * 30.0 / history_days as f64);

        let mut flags = Vec::new();
        if self.failed_passes >= FAILING_PASSES {
            flags.push("failing".to_string());
        }
        if self.is_silent(today) {
            flags.push("silent".to_string());
        }
        if self.refused_streak >= BLOCKED_STREAK {
            flags.push("blocked".to_string());
        }
        let count = |kind| self.outcomes_7d.get(&kind).copied().unwrap_or(0);
        let empty = count(OutcomeKind::Empty);
        let with_text = count(OutcomeKind::Filtered) + articles_7d;
        if empty >= EMPTY_MIN_PAGES && empty as f64 >= EMPTY_SHARE * (empty + with_text) as f64 {
            flags.push("empty".to_string());
        }
        (flags, articles_7d, articles_30d, usual_30d)
    }

    /// Silent: a source that yielded articles on enough days has gone far longer than its
    /// usual gap between them without one. A weekly source waits weeks, a daily one days.
    fn is_silent(&self, today: NaiveDate) -> bool {
        let (Some(first), Some((&last, _))) = (self.first_day, self.article_days.last_key_value()) else {
            return false;
        };
        let active_days = self.article_days.len() as u64;
        if active_days < SILENT_MIN_ACTIVE_DAYS {
            return false;
        }
        let window_start = today.checked_sub_days(Days::new(OUTCOME_DAYS)).unwrap_or(today).max(first);
        let span = (today - window_start).num_days().max(1) as f64;
        let usual_gap = span / active_days as f64;
        let quiet = (today - last).num_days() as f64;
        quiet > (SILENT_GAP_FACTOR * usual_gap).max(SILENT_MIN_DAYS)
    }
}

impl Store {
    /// Records one fetch outcome of `source` at `at`: counted in its day, and carried into the
    /// source's streaks. A failure lengthens the error streak (and a refusal the refused
    /// one); anything else is the source's latest success and, when `ends_streak`, ends both.
    /// A feed or sitemap read does not end them: a site may serve those from a cache while
    /// it turns away every request for a page.
    pub fn record_outcome(&self, source: &str, kind: OutcomeKind, ends_streak: bool, at: DateTime<Utc>) -> Result<()> {
        let at = iso(at);
        let tx = self.write_tx()?;
        tx.prepare_cached(
            "INSERT INTO source_outcomes (source, day, kind, status, count, last_at)
             VALUES (?1, substr(?2, 1, 10), ?3, ?4, 1, ?2)
             ON CONFLICT (source, day, kind, status) DO UPDATE SET
                 count = count + 1, last_at = excluded.last_at",
        )?
        .execute(params![source, at, kind.as_str(), kind.status().unwrap_or(0)])?;
        tx.prepare_cached(
            "INSERT INTO source_state (source, error_streak, error_kind, refused_streak)
             VALUES (?1, ?2, CASE WHEN ?2 THEN ?3 END, ?4)
             ON CONFLICT (source) DO UPDATE SET
                 error_streak = CASE WHEN ?2 THEN error_streak + 1 WHEN ?5 THEN 0 ELSE error_streak END,
                 error_kind = CASE WHEN ?2 THEN ?3 WHEN ?5 THEN NULL ELSE error_kind END,
                 refused_streak = CASE WHEN ?4 THEN refused_streak + 1 WHEN ?2 OR ?5 THEN 0 ELSE refused_streak END",
        )?
        .execute(params![source, kind.is_failure(), kind.label(), kind.is_refusal(), ends_streak])?;
        if !kind.is_failure() {
            tx.prepare_cached("UPDATE sources SET last_success_at = ?2 WHERE name = ?1")?
                .execute(params![source, at])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Drops outcome days and runs older than [`OUTCOME_DAYS`] before `now`, the last run
    /// excepted: a daemon records a run per source pass, which over months would otherwise
    /// pile up without end.
    pub fn prune_history(&self, now: DateTime<Utc>) -> Result<()> {
        let cutoff = now
            .date_naive()
            .checked_sub_days(Days::new(OUTCOME_DAYS))
            .unwrap_or(now.date_naive())
            .to_string();
        let tx = self.write_tx()?;
        tx.execute("DELETE FROM source_outcomes WHERE day < ?1", [&cutoff])?;
        // Runs are numbered as they start, so the old ones come first and the search for the
        // first recent one stops early, whatever the number of runs. (`started_at` is an
        // RFC 3339 time, which sorts after its own day.)
        tx.execute(
            "DELETE FROM runs WHERE id < coalesce(
                 (SELECT id FROM runs WHERE started_at >= ?1 ORDER BY id LIMIT 1),
                 (SELECT max(id) FROM runs))",
            [&cutoff],
        )?;
        tx.commit()
    }

    /// Records whether a pass over `source` failed: returns how many passes in a row have
    /// failed now (0 after a good one).
    pub fn record_source_pass(&self, source: &str, failed: bool) -> Result<u32> {
        let n: Option<i64> = self
            .conn
            .query_row(
                "INSERT INTO source_state (source, failed_passes) VALUES (?1, ?2)
                 ON CONFLICT (source) DO UPDATE SET
                     failed_passes = CASE WHEN ?2 THEN failed_passes + 1 ELSE 0 END
                 RETURNING failed_passes",
                params![source, failed],
                |row| row.get(0),
            )
            .optional()?;
        Ok(n.map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX)))
    }

    /// Sets (or with None, clears) the time before which scheduled passes leave `source` alone.
    pub fn set_source_backoff(&self, source: &str, until: Option<DateTime<Utc>>) -> Result<()> {
        self.conn.execute(
            "INSERT INTO source_state (source, backoff_until) VALUES (?1, ?2)
             ON CONFLICT (source) DO UPDATE SET backoff_until = excluded.backoff_until",
            params![source, until.map(iso)],
        )?;
        Ok(())
    }

    /// When a failing source may be taken again by a scheduled pass, if later than now.
    pub fn source_backoff(&self, source: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        let at: Option<Option<String>> = self
            .conn
            .query_row("SELECT backoff_until FROM source_state WHERE source = ?1", [source], |row| {
                row.get(0)
            })
            .optional()?;
        Ok(parse_time(at.flatten()).filter(|t| *t > now))
    }

    /// The validators kept for the feeds, sitemaps and section pages of `source`, by URL.
    pub fn discovery_validators(&self, source: &str) -> Result<HashMap<String, Validators>> {
        let mut stmt = self
            .conn
            .prepare("SELECT url, etag, last_modified FROM discovery_validators WHERE source = ?1")?;
        let rows = stmt.query_map([source], |row| {
            Ok((
                row.get::<_, String>(0)?,
                Validators {
                    etag: row.get(1)?,
                    last_modified: row.get(2)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
    }

    /// Replaces the validators kept for `source` with `validators` (URL and validators of each
    /// document read in a pass that took everything they listed).
    pub fn save_discovery_validators(&self, source: &str, validators: &[(String, Validators)], at: DateTime<Utc>) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute("DELETE FROM discovery_validators WHERE source = ?1", [source])?;
        {
            let mut stmt = tx.prepare(
                "INSERT OR REPLACE INTO discovery_validators (url, source, etag, last_modified, checked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (url, v) in validators.iter().filter(|(_, v)| v.etag.is_some() || v.last_modified.is_some()) {
                stmt.execute(params![url, source, v.etag, v.last_modified, iso(at)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets the validators of `source`, so its next pass reads every document in full.
    pub fn forget_discovery_validators(&self, source: &str) -> Result<()> {
        self.conn.execute("DELETE FROM discovery_validators WHERE source = ?1", [source])?;
        Ok(())
    }

    /// The health of `source` at `now`.
    pub fn health(&self, source: &str, now: DateTime<Utc>) -> Result<Health> {
        let today = now.date_naive();
        let day = |days: u64| today.checked_sub_days(Days::new(days)).unwrap_or(today).to_string();
        type State = (Option<String>, i64, Option<String>, i64, i64, Option<String>);
        let state: Option<State> = self
            .conn
            .query_row(
                "SELECT s.last_success_at, coalesce(h.error_streak, 0), h.error_kind, coalesce(h.refused_streak, 0),
                        coalesce(h.failed_passes, 0), h.backoff_until
                 FROM sources s LEFT JOIN source_state h ON h.source = s.name WHERE s.name = ?1",
                [source],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?;
        let Some((last_success_at, error_streak, error_kind, refused_streak, failed_passes, backoff_until)) = state else {
            return Ok(Health::default());
        };
        let small = |n: i64| u32::try_from(n).unwrap_or(0);
        let mut evidence = Evidence {
            error_streak: small(error_streak),
            refused_streak: small(refused_streak),
            failed_passes: small(failed_passes),
            ..Evidence::default()
        };
        let mut outcomes_7d = BTreeMap::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT kind, status, sum(count) FROM source_outcomes
                 WHERE source = ?1 AND day >= ?2 GROUP BY kind, status",
            )?;
            let rows = stmt.query_map(params![source, day(6)], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
            })?;
            for row in rows {
                let (kind, status, n) = row?;
                let kind = OutcomeKind::from_stored(&kind, u16::try_from(status).ok());
                let n = u64::try_from(n).unwrap_or(0);
                *evidence.outcomes_7d.entry(kind).or_default() += n;
                *outcomes_7d.entry(kind.label()).or_default() += n;
            }
        }
        {
            let mut stmt = self.conn.prepare(
                "SELECT substr(created_at, 1, 10) AS d, count(*) FROM articles
                 WHERE source = ?1 AND created_at >= ?2 AND version = 1 GROUP BY d",
            )?;
            let rows = stmt.query_map(params![source, day(OUTCOME_DAYS)], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?;
            for row in rows {
                let (d, n) = row?;
                if let Ok(d) = d.parse::<NaiveDate>() {
                    evidence.article_days.insert(d, u64::try_from(n).unwrap_or(0));
                }
            }
        }
        let first: Option<String> = self
            .conn
            .query_row("SELECT min(created_at) FROM articles WHERE source = ?1", [source], |r| r.get(0))?;
        evidence.first_day = first.and_then(|f| f.get(..10).and_then(|d| d.parse().ok()));
        let (flags, articles_7d, articles_30d, usual_30d) = evidence.judge(today);
        Ok(Health {
            last_success_at,
            error_streak: u64::from(evidence.error_streak),
            error_kind: (evidence.error_streak > 0).then_some(error_kind).flatten(),
            failed_passes: u64::from(evidence.failed_passes),
            backoff_until: backoff_until.filter(|b| parse_time(Some(b.clone())).is_some_and(|t| t > now)),
            articles_7d,
            articles_30d,
            usual_30d: usual_30d.map(|u| (u * 10.0).round() / 10.0),
            outcomes_7d,
            flags,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn evidence(days: &[(&str, u64)]) -> Evidence {
        Evidence {
            article_days: days.iter().map(|(day, n)| (d(day), *n)).collect(),
            first_day: days.first().map(|(day, _)| d(day)),
            ..Evidence::default()
        }
    }

    #[test]
    fn a_weekly_source_is_not_silent_after_a_quiet_week_but_is_after_a_month() {
        let weekly: Vec<(String, u64)> = (0..10).map(|w| ((d("2026-01-05") + Days::new(7 * w)).to_string(), 2)).collect();
        let days: Vec<(&str, u64)> = weekly.iter().map(|(s, n)| (s.as_str(), *n)).collect();
        let e = evidence(&days);
        // The last article came on 2026-03-09.
        assert!(!e.judge(d("2026-03-17")).0.contains(&"silent".to_string()));
        assert!(!e.judge(d("2026-03-25")).0.contains(&"silent".to_string()));
        assert!(e.judge(d("2026-04-15")).0.contains(&"silent".to_string()));
    }

    #[test]
    fn a_daily_source_is_silent_after_a_few_empty_days() {
        let daily: Vec<(String, u64)> = (0..30).map(|n| ((d("2026-01-01") + Days::new(n)).to_string(), 5)).collect();
        let days: Vec<(&str, u64)> = daily.iter().map(|(s, n)| (s.as_str(), *n)).collect();
        let e = evidence(&days);
        // The last article came on 2026-01-30.
        assert!(e.judge(d("2026-01-31")).0.is_empty());
        assert!(e.judge(d("2026-02-02")).0.is_empty());
        assert_eq!(e.judge(d("2026-02-04")).0, ["silent"]);
        // Too little history: never silent.
        assert!(evidence(&days[..3]).judge(d("2026-06-01")).0.is_empty());
    }

    #[test]
    fn the_usual_yield_leaves_out_the_first_day_and_the_last_thirty() {
        let mut days = vec![("2026-01-01".to_string(), 500)];
        days.extend((1..90).map(|n| ((d("2026-01-01") + Days::new(n)).to_string(), 1)));
        let days: Vec<(&str, u64)> = days.iter().map(|(s, n)| (s.as_str(), *n)).collect();
        let (_, week, month, usual) = evidence(&days).judge(d("2026-03-31"));
        assert_eq!((week, month), (7, 30));
        assert_eq!(usual.map(|u| u.round()), Some(30.0));
        assert_eq!(evidence(&days[..10]).judge(d("2026-01-10")).3, None);
    }

    #[test]
    fn refusals_failures_and_empty_pages_raise_their_flags() {
        let flags = |e: Evidence| e.judge(d("2026-03-01")).0;
        let blocked = Evidence {
            refused_streak: BLOCKED_STREAK,
            failed_passes: FAILING_PASSES,
            ..Evidence::default()
        };
        assert_eq!(flags(blocked), ["failing", "blocked"]);
        let mut empty = Evidence::default();
        empty.outcomes_7d.insert(OutcomeKind::Empty, 5);
        empty.outcomes_7d.insert(OutcomeKind::Filtered, 1);
        assert_eq!(flags(empty.clone()), ["empty"]);
        // Most pages still give text: a few paywalled ones do not make the source empty.
        empty.outcomes_7d.insert(OutcomeKind::Filtered, 4);
        assert!(flags(empty).is_empty());
        let one_refusal = Evidence {
            refused_streak: 1,
            failed_passes: 1,
            ..Evidence::default()
        };
        assert!(flags(one_refusal).is_empty());
    }
}
