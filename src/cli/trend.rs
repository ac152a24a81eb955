//! `vigia trend`: a series over time of matching statistics or entity mentions.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::process::ExitCode;

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use vigia::chart::{Chart, ChartError, ChartFormat, Measure, write_chart};
use vigia::extract::Qualifier;
use vigia::store::ClaimRow;
use vigia::trend::{self, ChangeFilter, CountBy, DateBasis, EntityQuery, POINT_COLUMNS, Period, Point, Series, SplitBy, StatisticQuery};

use super::{FilterArgs, Global};

#[derive(Args)]
#[command(
    after_help = "Examples:\n  vigia trend statistics --topic homicide --unit per_100k --location PE --by reference-year\n  \
vigia trend statistics --topic drug_seizure --unit kg --by month --format chart\n  \
vigia trend statistics --topic robbery --unit percent --change decrease\n  \
vigia trend entities --name Basombrío --by month\n  \
vigia trend statistics --topic extortion --lang es --source diario --by quarter --qualifier exact\n  \
vigia trend statistics --topic homicide --unit per_100k --location HN --by reference-year --format svg --out hn.svg\n  \
vigia trend statistics --topic homicide --unit per_100k --by reference-year --by-location --format png --out rates.png\n\n\
Values of ranges count at their midpoint. Units are never mixed: give --unit for a meaningful mean.\n\
Statistics series count distinct claims: one figure repeated by several articles within 60 days (same\n\
unit, value, topic, location, year and change) counts once; --count reports counts every mention, and\n\
--explain lists the claims behind each point, oldest first (value, unit, first outlet and date, articles, outlets).\n\
Statistics series count levels only (\"9,914 inmates\", \"a rate of 6.3\"); --change selects the\n\
figures that are a change from an earlier value instead (\"up 12 percent\", \"40 fewer murders\").\n\
--by-location and --by-source split a statistics series into one series per country or outlet (a `series`\n\
column); figures about no one country form the series \"(no country)\"."
)]
pub struct TrendArgs {
    /// Series of figures or of entity mentions
    #[arg(value_enum)]
    what: What,
    /// Topic of the figures (homicide, drug_seizure, extortion, ...)
    #[arg(long)]
    topic: Option<String>,
    /// Unit of the figures (per_100k, percent, kg, USD, count, ...)
    #[arg(long)]
    unit: Option<String>,
    /// Country of the figures (ISO code: PE, MX, CO, ...)
    #[arg(long)]
    location: Option<String>,
    /// Words the figure's metric must contain
    #[arg(long)]
    metric: Option<String>,
    /// Count changes from an earlier value instead of levels: increase, decrease or any (both)
    #[arg(long, value_enum, value_name = "KIND")]
    change: Option<ChangeArg>,
    /// Only figures with this qualifier; `exact` for figures without one ("about", "more than")
    #[arg(long, value_enum, value_name = "QUALIFIER")]
    qualifier: Option<QualifierArg>,
    /// What statistics series count: distinct claims (a figure repeated by several articles
    /// counts once) or every report
    #[arg(long, value_enum, value_name = "WHAT")]
    count: Option<CountArg>,
    /// List, per point, the claims behind it
    #[arg(long)]
    explain: bool,
    /// Entity name (or part of it, accents optional)
    #[arg(long)]
    name: Option<String>,
    /// Entity type: person, organization or location
    #[arg(long = "type", value_name = "TYPE")]
    kind: Option<String>,
    /// One series per country the figures are about (statistics only)
    #[arg(long, conflicts_with = "by_source")]
    by_location: bool,
    /// One series per outlet (statistics only)
    #[arg(long)]
    by_source: bool,
    /// With --by-location or --by-source: keep the N series with the most claims (default: 6
    /// in charts, all in tables, CSV and JSON)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    top: Option<u32>,
    /// Period of each point: by publication date (year, quarter, month, ISO week), or the
    /// figures' own reference year
    #[arg(long, value_enum, default_value_t = By::Year)]
    by: By,
    #[command(flatten)]
    filter: FilterArgs,
    /// Output format: a table, CSV, JSON Lines, a bar chart in the terminal, or a chart file
    /// to publish (svg, png: needs --out)
    #[arg(long, value_enum, default_value_t = TrendFormat::Table)]
    format: TrendFormat,
    /// Write to this file instead of standard output (needed for svg and png)
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum What {
    Statistics,
    Entities,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ChangeArg {
    Increase,
    Decrease,
    Any,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CountArg {
    Claims,
    Reports,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum QualifierArg {
    Exact,
    Approx,
    AtLeast,
    MoreThan,
    LessThan,
    AtMost,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum By {
    Year,
    Quarter,
    Month,
    Week,
    ReferenceYear,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TrendFormat {
    Table,
    Csv,
    Json,
    Chart,
    Svg,
    Png,
}

/// How many series a chart keeps when --top is not given: more lines than this are hard to tell apart.
const CHART_SERIES: usize = 6;

pub fn run(global: &Global, args: TrendArgs) -> anyhow::Result<ExitCode> {
    let chart_format = match args.format {
        TrendFormat::Svg => Some(ChartFormat::Svg),
        TrendFormat::Png => Some(ChartFormat::Png),
        _ => None,
    };
    if chart_format.is_some() && args.out.is_none() {
        return Err(super::UsageError("--format svg and --format png need --out FILE".into()).into());
    }
    let drawn = matches!(args.format, TrendFormat::Chart | TrendFormat::Svg | TrendFormat::Png);
    if args.explain && drawn {
        return Err(super::UsageError("--explain lists claims as a table, CSV or JSON, not a chart".into()).into());
    }
    let split = match (args.by_location, args.by_source) {
        (true, _) => Some(SplitBy::Location),
        (_, true) => Some(SplitBy::Source),
        _ => None,
    };
    if args.top.is_some() && split.is_none() {
        return Err(super::UsageError("--top bounds the series of --by-location or --by-source".into()).into());
    }
    let title = chart_title(&args, split);
    let database = super::read_only_database(global)?;
    let store = super::open_read_only(&database)?;
    let filter = args.filter.to_filter(&store)?;
    let (period, basis) = match args.by {
        By::Year => (Period::Year, DateBasis::Published),
        By::Quarter => (Period::Quarter, DateBasis::Published),
        By::Month => (Period::Month, DateBasis::Published),
        By::Week => (Period::Week, DateBasis::Published),
        By::ReferenceYear => (Period::Year, DateBasis::Reference),
    };
    let unnamed = |points| {
        vec![Series {
            name: String::new(),
            points,
        }]
    };
    let mut series = match args.what {
        What::Statistics => {
            let query = StatisticQuery {
                change: match args.change {
                    None => ChangeFilter::Levels,
                    Some(ChangeArg::Increase) => ChangeFilter::Increase,
                    Some(ChangeArg::Decrease) => ChangeFilter::Decrease,
                    Some(ChangeArg::Any) => ChangeFilter::Any,
                },
                topic: args.topic,
                unit: args.unit.clone(),
                location: args.location,
                metric: args.metric,
                qualifier: args.qualifier.map(|q| match q {
                    QualifierArg::Exact => None,
                    QualifierArg::Approx => Some(Qualifier::Approx),
                    QualifierArg::AtLeast => Some(Qualifier::AtLeast),
                    QualifierArg::MoreThan => Some(Qualifier::MoreThan),
                    QualifierArg::LessThan => Some(Qualifier::LessThan),
                    QualifierArg::AtMost => Some(Qualifier::AtMost),
                }),
                count: match args.count {
                    None | Some(CountArg::Claims) => CountBy::Claims,
                    Some(CountArg::Reports) => CountBy::Reports,
                },
                filter,
            };
            match split {
                Some(by) => trend::statistics_split(&store, &query, period, basis, by)?,
                None => unnamed(trend::statistics(&store, &query, period, basis)?),
            }
        }
        What::Entities => {
            if basis == DateBasis::Reference {
                return Err(super::UsageError("entity mentions have no reference year: use --by year or --by month".into()).into());
            }
            if args.qualifier.is_some() {
                return Err(super::UsageError("--qualifier selects statistics; entity mentions have none".into()).into());
            }
            if args.change.is_some() {
                return Err(super::UsageError("--change selects statistics; entity mentions are not changes".into()).into());
            }
            if args.count.is_some() || args.explain {
                return Err(super::UsageError(
                    "--count and --explain are about the claims of statistics; entity mentions have none".into(),
                )
                .into());
            }
            if split.is_some() {
                return Err(super::UsageError("--by-location and --by-source split statistics series, not entity mentions".into()).into());
            }
            unnamed(trend::entities(
                &store,
                &EntityQuery {
                    name: args.name,
                    kind: args.kind,
                    filter,
                },
                period,
            )?)
        }
    };
    let figures = args.what == What::Statistics;
    // What a point's `count` counts: distinct claims by default, every figure with --count reports.
    let counted = match (figures, args.count) {
        (false, _) => "mentions",
        (true, Some(CountArg::Reports)) => "figures",
        (true, _) => "claims",
    };
    // A chart keeps the largest series unless told otherwise; data formats keep every one.
    let top = args.top.map(|n| n as usize).or(drawn.then_some(CHART_SERIES));
    let left_out = match (split, top) {
        (Some(by), Some(n)) => {
            let shown = series.len().min(n);
            left_out_note(by, shown, &trend::keep_top(&mut series, n), counted)
        }
        _ => None,
    };
    if let Some(note) = &left_out {
        super::notice(&format!("vigia trend: {note}"));
    }
    if let (Some(format), Some(path)) = (chart_format, &args.out) {
        let total: u64 = series.iter().map(Series::total).sum();
        let mut note = format!(
            "Source: vigia, {} ({total} {counted}; {}). n = {counted} behind each point.",
            database.file_name().map_or(database.display(), |n| Path::new(n).display()),
            if figures {
                change_label(args.change)
            } else {
                "by publication date"
            },
        );
        if let Some(left_out) = &left_out {
            note = format!("{note}\n{}", capitalised(left_out));
        }
        let chart = Chart {
            title,
            y_label: if figures {
                args.unit.clone().unwrap_or_else(|| "value (give --unit)".into())
            } else {
                "mentions".into()
            },
            x_label: period_label(args.by).into(),
            note,
            measure: if figures { Measure::Median } else { Measure::Count },
            counted: counted.into(),
            series: &series,
            legend: split.is_some(),
        };
        write_chart(&chart, format, path).map_err(|e| match e {
            ChartError::Empty => anyhow::Error::from(super::UsageError("nothing matches: no chart was drawn".into())),
            other => other.into(),
        })?;
        if !global.quiet {
            let periods: BTreeSet<&str> = series.iter().flat_map(|s| s.points.iter().map(|p| p.period.as_str())).collect();
            let lines = if split.is_some() {
                format!(" in {} series", series.len())
            } else {
                String::new()
            };
            super::notice(&format!(
                "vigia trend: {} periods{lines} drawn to {}",
                periods.len(),
                path.display()
            ));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let points = || series.iter().flat_map(|s| s.points.iter().map(move |p| (s.name.as_str(), p)));
    // Each point's claims, looked up once (a claim can stand behind several points).
    let claims: HashMap<i64, ClaimRow> = if args.explain {
        let mut ids: Vec<i64> = points().flat_map(|(_, p)| p.claims.iter().copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        store.claims(&ids)?.into_iter().map(|c| (c.claim_id, c)).collect()
    } else {
        HashMap::new()
    };
    // A point's claims oldest first: the order figures were stored in depends on which page's
    // analysis finished first.
    let explained = |p: &Point| {
        let mut rows: Vec<&ClaimRow> = p.claims.iter().filter_map(|id| claims.get(id)).collect();
        rows.sort_by(|a, b| (&a.first_date, a.claim_id).cmp(&(&b.first_date, b.claim_id)));
        rows
    };
    // A split trend is long (tidy) data: the series' name is one more column, the last in CSV
    // and JSON (so the columns of an unsplit trend keep their places) and the first in a table,
    // where a reader scans for it.
    let series_column = split.map(|_| SERIES_COLUMN);
    let num = |v: Option<f64>| v.map(|x| format!("{}", (x * 1000.0).round() / 1000.0)).unwrap_or_default();
    match args.format {
        TrendFormat::Json => {
            for (name, p) in points() {
                let mut line = serde_json::to_value(p)?;
                if let Some(fields) = line.as_object_mut() {
                    if let Some(column) = series_column {
                        fields.insert(column.into(), name.into());
                    }
                    if args.explain {
                        fields.insert("claims".into(), serde_json::to_value(explained(p))?);
                    }
                }
                serde_json::to_writer(&mut out, &line)?;
                writeln!(out)?;
            }
        }
        TrendFormat::Csv => {
            // The header is written by hand so that a trend with no point still names its columns.
            let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut out);
            if args.explain {
                w.write_record(CLAIM_COLUMNS.iter().chain(&series_column))?;
                for (name, p) in points() {
                    for c in explained(p) {
                        w.write_record(
                            claim_cells(&p.period, c)
                                .iter()
                                .map(String::as_str)
                                .chain(series_column.map(|_| name)),
                        )?;
                    }
                }
            } else {
                w.write_record(POINT_COLUMNS.iter().chain(&series_column))?;
                for (name, p) in points() {
                    match series_column {
                        Some(_) => w.serialize((p, name))?,
                        None => w.serialize(p)?,
                    }
                }
            }
            w.flush()?;
        }
        TrendFormat::Table => {
            let lead = |name: &str| series_column.map(|_| name.to_string());
            let columns: Vec<String> = series_column.iter().chain(&POINT_COLUMNS).map(|c| c.to_string()).collect();
            let rows: Vec<Vec<String>> = points()
                .map(|(name, p)| {
                    lead(name)
                        .into_iter()
                        .chain([
                            p.period.clone(),
                            p.count.to_string(),
                            p.articles.to_string(),
                            num(p.mean),
                            num(p.median),
                            num(p.min),
                            num(p.max),
                        ])
                        .collect()
                })
                .collect();
            super::table::print_table(&mut out, &columns, &rows)?;
            if args.explain {
                let columns: Vec<String> = series_column.iter().chain(&CLAIM_COLUMNS).map(|c| c.to_string()).collect();
                let rows: Vec<Vec<String>> = points()
                    .flat_map(|(name, p)| {
                        explained(p)
                            .into_iter()
                            .map(move |c| lead(name).into_iter().chain(claim_cells(&p.period, c)).collect())
                    })
                    .collect();
                writeln!(out)?;
                super::table::print_table(&mut out, &columns, &rows)?;
            }
        }
        TrendFormat::Chart => chart(&mut out, &series, figures, split.is_some())?,
        TrendFormat::Svg | TrendFormat::Png => unreachable!("chart files are drawn above"),
    }
    out.flush()?;
    if series.iter().all(|s| s.points.is_empty()) {
        super::notice("vigia trend: nothing matches");
    }
    Ok(ExitCode::SUCCESS)
}

/// The column naming the series of a split trend.
const SERIES_COLUMN: &str = "series";

/// What a split trend left out, for standard error and the chart's note: None when nothing was.
fn left_out_note(by: SplitBy, shown: usize, left_out: &[Series], counted: &str) -> Option<String> {
    /// Names listed before "…": the note stays one line.
    const NAMED: usize = 6;
    if left_out.is_empty() {
        return None;
    }
    let kinds = match by {
        SplitBy::Location => "countries",
        SplitBy::Source => "outlets",
    };
    let mut names: Vec<String> = left_out.iter().take(NAMED).map(|s| format!("{} ({})", s.name, s.total())).collect();
    if left_out.len() > NAMED {
        names.push("…".into());
    }
    let all = shown + left_out.len();
    Some(format!(
        "{shown} of {all} {kinds} shown, those with the most {counted}; left out ({counted}): {}; --top {all} shows all",
        names.join(", ")
    ))
}

/// The title of a chart: what the series holds, from its filters.
fn chart_title(args: &TrendArgs, split: Option<SplitBy>) -> String {
    let mut parts: Vec<String> = Vec::new();
    match args.what {
        What::Statistics => {
            parts.push(
                args.topic
                    .as_deref()
                    .map_or("Figures".to_string(), |t| capitalised(&t.replace('_', " "))),
            );
            parts.extend(args.metric.iter().map(|m| format!("\"{m}\"")));
            parts.extend(args.unit.clone());
        }
        What::Entities => {
            parts.push(args.name.as_deref().map_or("Mentions".to_string(), |n| format!("Mentions of {n}")));
            parts.extend(args.kind.clone());
        }
    }
    parts.extend(args.location.clone());
    parts.extend(args.filter.sources.iter().cloned());
    parts.extend(split.map(|by| match by {
        SplitBy::Location => "by country".to_string(),
        SplitBy::Source => "by outlet".to_string(),
    }));
    parts.join(" · ")
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

fn period_label(by: By) -> &'static str {
    match by {
        By::Year => "year of publication",
        By::Quarter => "quarter of publication",
        By::Month => "month of publication",
        By::Week => "ISO week of publication",
        By::ReferenceYear => "year the figures refer to",
    }
}

fn change_label(change: Option<ChangeArg>) -> &'static str {
    match change {
        None => "levels only, median per period",
        Some(ChangeArg::Increase) => "increases only, median per period",
        Some(ChangeArg::Decrease) => "decreases only, median per period",
        Some(ChangeArg::Any) => "changes only, median per period",
    }
}

/// The columns of `--explain`: one row per claim of a point.
const CLAIM_COLUMNS: [&str; 8] = [
    "period",
    "claim_id",
    "value",
    "unit",
    "first_outlet",
    "first_date",
    "articles",
    "outlets",
];

/// A claim's cells under [`CLAIM_COLUMNS`]; a range is written `low-high`.
fn claim_cells(period: &str, c: &ClaimRow) -> Vec<String> {
    let num = |x: f64| format!("{x}");
    let value = match (c.value, c.low, c.high) {
        (Some(v), _, _) => num(v),
        (None, Some(l), Some(h)) => format!("{}-{}", num(l), num(h)),
        _ => String::new(),
    };
    vec![
        period.to_string(),
        c.claim_id.to_string(),
        value,
        c.unit.clone(),
        c.first_outlet.clone(),
        c.first_date.clone().unwrap_or_default(),
        c.articles.to_string(),
        c.outlets.to_string(),
    ]
}

/// A horizontal bar per period (the median for figures, the count for mentions), one per series
/// in each period when the trend is split, every bar on one scale.
fn chart(out: &mut dyn Write, series: &[Series], figures: bool, named: bool) -> std::io::Result<()> {
    let height = |p: &Point| if figures { p.median.unwrap_or(0.0) } else { p.count as f64 };
    let max = series.iter().flat_map(|s| &s.points).map(height).fold(0.0_f64, f64::max);
    let width = series.iter().map(|s| s.name.chars().count()).max().unwrap_or(0);
    let by_period: Vec<HashMap<&str, &Point>> = series
        .iter()
        .map(|s| s.points.iter().map(|p| (p.period.as_str(), p)).collect())
        .collect();
    let periods: BTreeSet<&str> = by_period.iter().flat_map(|m| m.keys().copied()).collect();
    for period in periods {
        // The period is written on its first bar only, so the bars of one period read as a group.
        let mut label = period;
        for (s, points) in series.iter().zip(&by_period) {
            let Some(p) = points.get(period) else { continue };
            let h = height(p);
            let bar = if max > 0.0 { ((h / max) * 50.0).round() as usize } else { 0 };
            let shown = (h * 1000.0).round() / 1000.0;
            if named {
                writeln!(out, "{label:<8} {:<width$} {:<50} {shown}", s.name, "█".repeat(bar))?;
            } else {
                writeln!(out, "{label:<8} {:<50} {shown}", "█".repeat(bar))?;
            }
            label = "";
        }
    }
    Ok(())
}
