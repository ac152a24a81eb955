//! Aggregated series over time: statistics (count, mean, median, range per period) or entity mentions.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::extract::geo::words::fold;
use crate::extract::{Change, Qualifier};
use crate::store::{EntityRow, ExportFilter, StatisticColumns, Store, StoreError, TrendFigure};

/// The length of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Year,
    /// Written `2024-Q1`.
    Quarter,
    Month,
    /// An ISO 8601 week, written `2024-W07` (its year is the week's, which differs from the
    /// calendar year for a few days around New Year).
    Week,
}

/// Which date places a figure in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBasis {
    /// The article's publication date.
    Published,
    /// The figure's own reference year ("in 2014"); figures without one are left out.
    Reference,
}

/// Which figures enter a statistics series by whether they are a change from an earlier value.
///
/// Levels ("9,914 inmates", "a rate of 6.3") and changes ("up 12 percent", "40 fewer murders")
/// measure different things, so a series holds one kind only: levels unless asked otherwise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ChangeFilter {
    /// Figures that are not a change.
    #[default]
    Levels,
    Increase,
    Decrease,
    /// Increases and decreases.
    Any,
}

impl ChangeFilter {
    /// Whether a figure with this `change` (as stored) belongs to the series.
    fn admits(self, change: Option<&str>) -> bool {
        match self {
            ChangeFilter::Levels => change.is_none(),
            ChangeFilter::Increase => change == Some(Change::Increase.as_str()),
            ChangeFilter::Decrease => change == Some(Change::Decrease.as_str()),
            ChangeFilter::Any => change.is_some(),
        }
    }
}

/// What a statistics series counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CountBy {
    /// Each claim once per period, however many articles repeat it (see [`crate::claims`]):
    /// ten outlets quoting one figure are one point of data, not ten.
    #[default]
    Claims,
    /// Every figure as reported, repeats included.
    Reports,
}

/// Which statistics enter a series; every field set must match.
#[derive(Debug, Clone, Default)]
pub struct StatisticQuery {
    /// Levels (the default) or changes.
    pub change: ChangeFilter,
    pub topic: Option<String>,
    pub unit: Option<String>,
    pub location: Option<String>,
    /// A word or phrase the metric must contain (case-insensitive).
    pub metric: Option<String>,
    /// `Some(None)`: exact figures only (no qualifier); `Some(Some(q))`: figures qualified so.
    pub qualifier: Option<Option<Qualifier>>,
    /// Distinct claims (the default) or every report.
    pub count: CountBy,
    pub filter: ExportFilter,
}

/// Which entity mentions enter a series.
#[derive(Debug, Clone, Default)]
pub struct EntityQuery {
    /// A name or part of one (case- and accent-insensitive).
    pub name: Option<String>,
    pub kind: Option<String>,
    pub filter: ExportFilter,
}

/// One period of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub period: String,
    pub count: u64,
    /// Articles the figures or mentions come from.
    pub articles: u64,
    /// For statistics: over point values and range midpoints.
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// For statistics: the claims behind the point, in the order first met (for `--explain`).
    #[serde(skip)]
    pub claims: Vec<i64>,
}

/// The columns of a point in tables and CSV: the fields of [`Point`] in the order it serialises them.
pub const POINT_COLUMNS: [&str; 7] = ["period", "count", "articles", "mean", "median", "min", "max"];

/// The figures of one period, as they are met.
#[derive(Default)]
struct Collected {
    values: Vec<f64>,
    urls: Vec<String>,
    claims: Vec<i64>,
    seen: HashSet<i64>,
}

impl Collected {
    /// Adds one figure: its value unless counting claims and its claim was met already.
    fn add(&mut self, value: f64, url: String, claim: Option<i64>, count: CountBy) {
        self.urls.push(url);
        let repeat = match claim {
            Some(claim) if self.seen.insert(claim) => {
                self.claims.push(claim);
                false
            }
            Some(_) => true,
            None => false,
        };
        if !repeat || count == CountBy::Reports {
            self.values.push(value);
        }
    }
}

/// How a statistics series is split into several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitBy {
    /// One series per country the figures are about; figures about none (world and regional
    /// figures, one figure for several countries) make the series [`NO_COUNTRY`].
    Location,
    /// One series per outlet (the source that published the article). A claim repeated by
    /// several outlets counts once in each of their series.
    Source,
}

/// The series of figures with no country when a series is split by location.
pub const NO_COUNTRY: &str = "(no country)";

/// One series of a split trend: its name (a country code, an outlet) and its points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<Point>,
}

impl Series {
    /// What the series counts over all its periods: claims, figures or mentions.
    pub fn total(&self) -> u64 {
        self.points.iter().map(|p| p.count).sum()
    }
}

/// The series of statistics matching `query`, one point per period, oldest first.
///
/// Counting claims, a figure whose claim was already met in its period adds its article but
/// not its value; a figure not grouped into a claim (a superseded version) counts on its own.
pub fn statistics(store: &Store, query: &StatisticQuery, period: Period, basis: DateBasis) -> Result<Vec<Point>, StoreError> {
    let mut series = collect(store, query, period, basis, None)?;
    Ok(series.pop().map(|s| s.points).unwrap_or_default())
}

/// The statistics matching `query` as one series per country or outlet, each counted as
/// [`statistics`] counts one; the series with the most claims (or figures) first, then by name.
pub fn statistics_split(
    store: &Store,
    query: &StatisticQuery,
    period: Period,
    basis: DateBasis,
    split: SplitBy,
) -> Result<Vec<Series>, StoreError> {
    let mut series = collect(store, query, period, basis, Some(split))?;
    largest_first(&mut series);
    Ok(series)
}

/// Orders series by what they count, most first, and equal ones by name, so the order (and
/// the colours of a chart) is the same on every run.
fn largest_first(series: &mut [Series]) {
    series.sort_by(|a, b| b.total().cmp(&a.total()).then_with(|| a.name.cmp(&b.name)));
}

/// Keeps the first `n` series (the largest, as [`statistics_split`] orders them) and returns
/// the rest, so a chart stays readable and the caller can say what was left out.
pub fn keep_top(series: &mut Vec<Series>, n: usize) -> Vec<Series> {
    series.split_off(n.min(series.len()))
}

/// The figures matching `query` grouped by series (one unnamed series unless `split`) and period.
fn collect(
    store: &Store,
    query: &StatisticQuery,
    period: Period,
    basis: DateBasis,
    split: Option<SplitBy>,
) -> Result<Vec<Series>, StoreError> {
    let mut groups: BTreeMap<String, BTreeMap<String, Collected>> = BTreeMap::new();
    let metric = query.metric.as_deref().map(fold);
    // The store selects by topic, unit and country (by index, the country in any ASCII case);
    // the other fields are tested here.
    let columns = StatisticColumns {
        topic: query.topic.clone(),
        unit: query.unit.clone(),
        location: query.location.clone(),
    };
    store.trend_figures(&query.filter, &columns, &mut |row: TrendFigure| {
        let keep = query.change.admits(row.change.as_deref())
            && query.qualifier.is_none_or(|q| row.qualifier.as_deref() == q.map(Qualifier::as_str))
            && metric
                .as_ref()
                .is_none_or(|m| row.metric.as_deref().is_some_and(|r| fold(r).contains(m.as_str())));
        if !keep {
            return Ok(());
        }
        let key = match basis {
            DateBasis::Published => row.published.as_deref().and_then(|p| period_of(p, period)),
            DateBasis::Reference => row.year.map(|y| y.to_string()),
        };
        let (Some(key), Some(v)) = (key, row.value.or(row.low.zip(row.high).map(|(l, h)| (l + h) / 2.0))) else {
            return Ok(());
        };
        let name = match split {
            None => String::new(),
            Some(SplitBy::Location) => row
                .location
                .as_deref()
                .filter(|l| !l.is_empty())
                .map_or_else(|| NO_COUNTRY.to_string(), str::to_ascii_uppercase),
            Some(SplitBy::Source) => row.source.clone(),
        };
        groups
            .entry(name)
            .or_default()
            .entry(key)
            .or_default()
            .add(v, row.article_url, row.claim_id, query.count);
        Ok(())
    })?;
    Ok(groups
        .into_iter()
        .map(|(name, periods)| Series {
            name,
            points: periods
                .into_iter()
                .map(|(period, mut c)| {
                    // Figures arrive in no particular order; a point's claims are listed by id.
                    c.claims.sort_unstable();
                    Point {
                        claims: c.claims,
                        ..point(period, c.values, c.urls)
                    }
                })
                .collect(),
        })
        .collect())
}

/// The series of entity mentions matching `query`, by publication date.
pub fn entities(store: &Store, query: &EntityQuery, period: Period) -> Result<Vec<Point>, StoreError> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let name = query.name.as_deref().map(fold);
    store.entities(&query.filter, &mut |row: EntityRow| {
        let keep = query.kind.as_ref().is_none_or(|k| &row.kind == k) && name.as_ref().is_none_or(|n| fold(&row.name).contains(n.as_str()));
        if let (true, Some(key)) = (keep, row.published.as_deref().and_then(|p| period_of(p, period))) {
            groups.entry(key).or_default().push(row.article_url);
        }
        Ok(())
    })?;
    Ok(groups
        .into_iter()
        .map(|(period, mut urls)| {
            let count = urls.len() as u64;
            urls.sort();
            urls.dedup();
            Point {
                period,
                count,
                articles: urls.len() as u64,
                mean: None,
                median: None,
                min: None,
                max: None,
                claims: Vec::new(),
            }
        })
        .collect())
}

fn point(period: String, mut values: Vec<f64>, mut urls: Vec<String>) -> Point {
    values.sort_by(f64::total_cmp);
    urls.sort();
    urls.dedup();
    let n = values.len();
    let median = if n == 0 {
        None
    } else if n % 2 == 1 {
        Some(values[n / 2])
    } else {
        Some((values[n / 2 - 1] + values[n / 2]) / 2.0)
    };
    Point {
        period,
        count: n as u64,
        articles: urls.len() as u64,
        mean: (n > 0).then(|| values.iter().sum::<f64>() / n as f64),
        median,
        min: values.first().copied(),
        max: values.last().copied(),
        claims: Vec::new(),
    }
}

/// "2024-03-15..." → "2024", "2024-Q1", "2024-03" or "2024-W11"; None for a date that is not
/// ISO (a week needs the day too).
fn period_of(date: &str, period: Period) -> Option<String> {
    let month = date.get(..7).filter(|p| {
        p.bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 { b == b'-' } else { b.is_ascii_digit() })
    });
    let year = date.get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit()));
    match period {
        Period::Year => year.map(str::to_string),
        Period::Month => month.map(str::to_string),
        Period::Quarter => {
            let month = month?;
            let m: u32 = month.get(5..)?.parse().ok().filter(|m| (1..=12).contains(m))?;
            Some(format!("{}-Q{}", &month[..4], m.div_ceil(3)))
        }
        Period::Week => {
            let day = chrono::NaiveDate::parse_from_str(date.get(..10)?, "%Y-%m-%d").ok()?;
            let week = chrono::Datelike::iso_week(&day);
            Some(format!("{}-W{:02}", week.year(), week.week()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_come_from_iso_dates() {
        assert_eq!(period_of("2024-03-15T10:00:00Z", Period::Year).as_deref(), Some("2024"));
        assert_eq!(period_of("2024-03-15", Period::Month).as_deref(), Some("2024-03"));
        assert_eq!(period_of("2024", Period::Month), None);
        assert_eq!(period_of("March 2024", Period::Year), None);
        assert_eq!(period_of("2024-03-15T10:00:00Z", Period::Quarter).as_deref(), Some("2024-Q1"));
        assert_eq!(period_of("2024-10-01", Period::Quarter).as_deref(), Some("2024-Q4"));
        assert_eq!(period_of("2024-13-01", Period::Quarter), None);
        assert_eq!(period_of("2024-03-15", Period::Week).as_deref(), Some("2024-W11"));
        // The first days of January can belong to the last week of the year before.
        assert_eq!(period_of("2021-01-02", Period::Week).as_deref(), Some("2020-W53"));
        assert_eq!(period_of("2024-03", Period::Week), None);
    }

    #[test]
    fn points_summarise_values_and_articles() {
        let p = point(
            "2024".into(),
            vec![7.0, 1.0, 4.0, 2.0],
            vec!["b".into(), "a".into(), "b".into(), "a".into()],
        );
        assert_eq!((p.count, p.articles), (4, 2));
        assert_eq!((p.min, p.max, p.median, p.mean), (Some(1.0), Some(7.0), Some(3.0), Some(3.5)));
    }

    #[test]
    fn a_claim_counts_once_unless_every_report_is_asked_for() {
        let collect = |count| {
            let mut c = Collected::default();
            c.add(31.5, "a".into(), Some(4), count);
            c.add(31.5, "b".into(), Some(4), count);
            c.add(12.0, "b".into(), Some(9), count);
            c.add(12.0, "c".into(), None, count);
            Point {
                claims: c.claims,
                ..point("2026".into(), c.values, c.urls)
            }
        };
        let claims = collect(CountBy::Claims);
        assert_eq!((claims.count, claims.articles, claims.claims.as_slice()), (3, 3, &[4, 9][..]));
        assert_eq!(claims.median, Some(12.0));
        let reports = collect(CountBy::Reports);
        assert_eq!((reports.count, reports.articles), (4, 3));
    }

    #[test]
    fn levels_by_default_changes_on_request() {
        let (inc, dec) = (Some("increase"), Some("decrease"));
        let admitted = |f: ChangeFilter| [None, inc, dec].map(|c| f.admits(c));
        assert_eq!(admitted(ChangeFilter::default()), [true, false, false]);
        assert_eq!(admitted(ChangeFilter::Increase), [false, true, false]);
        assert_eq!(admitted(ChangeFilter::Decrease), [false, false, true]);
        assert_eq!(admitted(ChangeFilter::Any), [false, true, true]);
    }

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Basombrío PERÚ"), "basombrio peru");
    }

    #[test]
    fn point_columns_are_the_serialised_fields_in_order() {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(point("2024".into(), vec![1.0], vec!["a".into()])).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text.lines().next(), Some(POINT_COLUMNS.join(",").as_str()));
    }

    #[test]
    fn the_largest_series_are_kept() {
        let series = |name: &str, count: u64| Series {
            name: name.into(),
            points: vec![Point {
                count,
                ..point("2024".into(), Vec::new(), Vec::new())
            }],
        };
        let mut kept = vec![series("EC", 1), series("PE", 3), series("HN", 3), series("(no country)", 5)];
        largest_first(&mut kept);
        let left = keep_top(&mut kept, 3);
        assert_eq!(
            kept.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["(no country)", "HN", "PE"]
        );
        assert_eq!((left.len(), left[0].name.as_str(), left[0].total()), (1, "EC", 1));
        assert!(keep_top(&mut kept, 6).is_empty());
        assert_eq!(kept.len(), 3);
    }
}
