//! Dates as pages write them: ISO 8601 and RFC 2822 in metadata, "July 2, 2024",
//! "22 de agosto de 2024" or "22/08/2024" in visible text; normalised to ISO 8601 in UTC.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use regex::Regex;

/// A page date: a calendar day, or an instant when the page gives the time too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageDate {
    Day(NaiveDate),
    Instant(DateTime<Utc>),
}

impl PageDate {
    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn to_iso(&self) -> String {
        match self {
            PageDate::Day(d) => d.format("%Y-%m-%d").to_string(),
            PageDate::Instant(t) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        }
    }

    fn day(&self) -> NaiveDate {
        match self {
            PageDate::Day(d) => *d,
            PageDate::Instant(t) => t.date_naive(),
        }
    }

    /// Whether the date is plausible for a page fetched at `fetched_at`: not before the web
    /// and not after the fetch (a day-only date may equal the fetch day).
    pub fn plausible(&self, fetched_at: Option<DateTime<Utc>>) -> bool {
        if self.day().year() < 1995 {
            return false;
        }
        match (self, fetched_at) {
            (_, None) => self.day().year() <= 2100,
            (PageDate::Day(d), Some(f)) => *d <= f.date_naive(),
            (PageDate::Instant(t), Some(f)) => *t <= f,
        }
    }
}

static MONTHS: LazyLock<HashMap<String, u32>> = LazyLock::new(|| {
    include_str!("data/months.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (name, num) = l.trim().rsplit_once(' ')?;
            Some((name.to_string(), num.parse().ok()?))
        })
        .collect()
});

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?",
    )
    .expect("valid regex")
});

fn month_alternation() -> String {
    let mut names: Vec<&String> = MONTHS.keys().collect();
    // Longest first, so "septiembre" wins over "sep".
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names.iter().map(|n| regex::escape(n)).collect::<Vec<_>>().join("|")
}

/// "July 2, 2024", "Jul. 2nd 2024".
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b({})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b",
        month_alternation()
    ))
    .expect("valid regex")
});

/// "2 July 2024", "22 de agosto de 2024", "22 agosto, 2024".
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th|º|°)?\.?\s+(?:de\s+)?({})\.?,?\s+(?:de\s+|del\s+)?(\d{{4}})\b",
        month_alternation()
    ))
    .expect("valid regex")
});

/// "22/08/2024", "22-08-2024", "22.08.2024" (day first).
static NUMERIC_DMY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b").expect("valid regex"));

/// "2024/08/22", "2024-08-22".
static NUMERIC_YMD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})\b").expect("valid regex"));

fn offset_of(zone: &str) -> Option<FixedOffset> {
    match zone {
        "" | "Z" | "UTC" | "GMT" => FixedOffset::east_opt(0),
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let digits: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
            let hours: i32 = digits.get(..2)?.parse().ok()?;
            let minutes: i32 = digits.get(2..4).map_or(Some(0), |m| m.parse().ok())?;
            FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
        }
    }
}

/// Parses a machine-readable date (metadata, `datetime` attributes), falling back to the
/// visible-text forms.
pub fn parse_date(text: &str) -> Option<PageDate> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(c) = ISO.captures(s) {
        let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        let date = NaiveDate::from_ymd_opt(num(1)? as i32, num(2)?, num(3)?)?;
        let Some(hour) = num(4) else { return Some(PageDate::Day(date)) };
        let time = NaiveTime::from_hms_opt(hour, num(5)?, num(6).unwrap_or(0))?;
        // A local time without its offset cannot be placed in UTC; the day is still known.
        let Some(zone) = c.get(7).map(|m| m.as_str()) else {
            return Some(PageDate::Day(date));
        };
        let offset = offset_of(zone)?;
        let local = offset.from_local_datetime(&NaiveDateTime::new(date, time)).single()?;
        return Some(PageDate::Instant(local.with_timezone(&Utc)));
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(PageDate::Instant(t.with_timezone(&Utc)));
    }
    if s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit()) {
        let secs: i64 = s.parse().ok()?;
        return DateTime::from_timestamp(secs, 0).map(PageDate::Instant);
    }
    if s.len() == 13 && s.bytes().all(|b| b.is_ascii_digit()) {
        let ms: i64 = s.parse().ok()?;
        return DateTime::from_timestamp_millis(ms).map(PageDate::Instant);
    }
    parse_visible_date(s).map(PageDate::Day)
}

/// Finds a date written for people in a piece of text: "July 2, 2024", "2 July 2024",
/// "22 de agosto de 2024", "22/08/2024" (day first) or "2024-08-22".
pub fn parse_visible_date(text: &str) -> Option<NaiveDate> {
    let month = |name: &str| MONTHS.get(&name.to_lowercase()).copied();
    let mut found: Vec<(usize, NaiveDate)> = Vec::new();
    if let Some(c) = MONTH_DAY_YEAR.captures(text) {
        let d = NaiveDate::from_ymd_opt(c[3].parse().ok()?, month(&c[1])?, c[2].parse().ok()?);
        if let (Some(d), Some(m)) = (d, c.get(0)) {
            found.push((m.start(), d));
        }
    }
    if let Some(c) = DAY_MONTH_YEAR.captures(text) {
        let d = month(&c[2]).and_then(|mo| NaiveDate::from_ymd_opt(c[3].parse().ok()?, mo, c[1].parse().ok()?));
        if let (Some(d), Some(m)) = (d, c.get(0)) {
            found.push((m.start(), d));
        }
    }
    if let Some(c) = NUMERIC_YMD.captures(text) {
        let d = NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
        if let (Some(d), Some(m)) = (d, c.get(0)) {
            found.push((m.start(), d));
        }
    }
    if let Some(c) = NUMERIC_DMY.captures(text) {
        let a: u32 = c[1].parse().ok()?;
        let b: u32 = c[2].parse().ok()?;
        let y: i32 = c[3].parse().ok()?;
        // Day first unless that cannot be a date.
        let d = NaiveDate::from_ymd_opt(y, b, a).or_else(|| NaiveDate::from_ymd_opt(y, a, b));
        if let (Some(d), Some(m)) = (d, c.get(0)) {
            found.push((m.start(), d));
        }
    }
    found.into_iter().min_by_key(|f| f.0).map(|f| f.1)
}

/// The date in a URL path: `/2024/03/15/`, or `/2024/03/` read as the first of that month.
pub fn date_from_url(url: &str) -> Option<PageDate> {
    static URL_DATE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|[-_]|$)").expect("valid regex"));
    static URL_MONTH: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"/((?:19|20)\d{2})/(\d{1,2})/").expect("valid regex"));
    if let Some(c) = URL_DATE.captures(url) {
        return NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?).map(PageDate::Day);
    }
    let c = URL_MONTH.captures(url)?;
    NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, 1).map(PageDate::Day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> Option<String> {
        parse_date(s).map(|d| d.to_iso())
    }

    #[test]
    fn iso_dates_and_offsets() {
        assert_eq!(iso("2024-03-15").as_deref(), Some("2024-03-15"));
        assert_eq!(iso("2024-03-15T10:30:00Z").as_deref(), Some("2024-03-15T10:30:00Z"));
        assert_eq!(iso("2024-03-15T22:30:00-05:00").as_deref(), Some("2024-03-16T03:30:00Z"));
        assert_eq!(iso("2024-03-15T10:30:00.123+0200").as_deref(), Some("2024-03-15T08:30:00Z"));
        assert_eq!(iso("2024-03-15 10:30").as_deref(), Some("2024-03-15"));
        assert_eq!(iso("2024-03-15 10:30 UTC").as_deref(), Some("2024-03-15T10:30:00Z"));
        assert_eq!(iso("Tue, 02 Jul 2024 10:00:00 GMT").as_deref(), Some("2024-07-02T10:00:00Z"));
        assert_eq!(iso("2024-13-45"), None);
    }

    #[test]
    fn visible_english_and_spanish() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        assert_eq!(parse_visible_date("Published July 2, 2024 at 5 pm"), d(2024, 7, 2));
        assert_eq!(parse_visible_date("Updated: Sept. 30th, 2023"), d(2023, 9, 30));
        assert_eq!(parse_visible_date("2 July 2024"), d(2024, 7, 2));
        assert_eq!(parse_visible_date("Lunes 22 de agosto de 2024 - 10:15"), d(2024, 8, 22));
        assert_eq!(parse_visible_date("5 de septiembre del 2023"), d(2023, 9, 5));
        assert_eq!(parse_visible_date("22/08/2024"), d(2024, 8, 22));
        assert_eq!(parse_visible_date("03/04/2024"), d(2024, 4, 3));
        assert_eq!(parse_visible_date("no date here"), None);
    }

    #[test]
    fn future_dates_are_implausible() {
        let fetched = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).single();
        let future = parse_date("2024-05-02T00:00:00Z").unwrap();
        let same_day = parse_date("2024-05-01").unwrap();
        let past = parse_date("2023-12-31T23:00:00-03:00").unwrap();
        assert!(!future.plausible(fetched));
        assert!(same_day.plausible(fetched));
        assert!(past.plausible(fetched));
        assert!(!parse_date("1970-01-01").unwrap().plausible(None));
    }

    #[test]
    fn dates_in_urls() {
        assert_eq!(
            date_from_url("https://x.com/2024/03/15/some-story/").map(|d| d.to_iso()).as_deref(),
            Some("2024-03-15")
        );
        assert_eq!(
            date_from_url("https://x.com/news/2024/03/story").map(|d| d.to_iso()).as_deref(),
            Some("2024-03-01")
        );
        assert_eq!(date_from_url("https://x.com/news/story-123"), None);
    }
}
