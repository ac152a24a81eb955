//! `vigia trend`: a series over time of matching statistics or entity mentions.

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use vigia::chart::{Chart, ChartError, ChartFormat, Measure, write_chart};
use vigia::extract::Qualifier;
use vigia::store::ClaimRow;
use vigia::trend::{self, ChangeFilter, CountBy, DateBasis, EntityQuery, Period, Point, StatisticQuery};

use super::{FilterArgs, Global};

#[derive(Args)]
#[command(
    after_help = "Examples:\n  vigia trend statistics --topic homicide --unit per_100k --location PE --by reference-year\n  \
vigia trend statistics --topic drug_seizure --unit kg --by month --format chart\n  \
vigia trend statistics --topic robbery --unit percent --change decrease\n  \
vigia trend entities --name Basombrío --by month\n  \
vigia trend statistics --topic extortion --lang es --source diario --by quarter --qualifier exact\n  \
vigia trend statistics --topic homicide --unit per_100k --location HN --by reference-year --format svg --out hn.svg\n\n\
Values of ranges count at their midpoint. Units are never mixed: give --unit for a meaningful mean.\n\
Statistics series count distinct claims: one figure repeated by several articles within 60 days (same\n\
unit, value, topic, location, year and change) counts once; --count reports counts every mention, and\n\
--explain lists the claims behind each point, oldest first (value, unit, first outlet and date, articles, outlets).\n\
Statistics series count levels only (\"9,914 inmates\", \"a rate of 6.3\"); --change selects the\n\
figures that are a change from an earlier value instead (\"up 12 percent\", \"40 fewer murders\")."
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

pub fn run(global: &Global, args: TrendArgs) -> anyhow::Result<ExitCode> {
    let chart_format = match args.format {
        TrendFormat::Svg => Some(ChartFormat::Svg),
        TrendFormat::Png => Some(ChartFormat::Png),
        _ => None,
    };
    if chart_format.is_some() && args.out.is_none() {
        return Err(super::UsageError("--format svg and --format png need --out FILE".into()).into());
    }
    let title = chart_title(&args);
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
    let points = match args.what {
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
            trend::statistics(&store, &query, period, basis)?
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
            trend::entities(
                &store,
                &EntityQuery {
                    name: args.name,
                    kind: args.kind,
                    filter,
                },
                period,
            )?
        }
    };
    if args.explain && matches!(args.format, TrendFormat::Chart | TrendFormat::Svg | TrendFormat::Png) {
        return Err(super::UsageError("--explain lists claims as a table, CSV or JSON, not a chart".into()).into());
    }
    if let (Some(format), Some(path)) = (chart_format, &args.out) {
        let figures = args.what == What::Statistics;
        let total: u64 = points.iter().map(|p| p.count).sum();
        // What `count` counts: distinct claims by default, every figure with --count reports.
        let counted = match (figures, args.count) {
            (false, _) => "mentions",
            (true, Some(CountArg::Reports)) => "figures",
            (true, _) => "claims",
        };
        let chart = Chart {
            title,
            y_label: if figures {
                args.unit.clone().unwrap_or_else(|| "value (give --unit)".into())
            } else {
                "mentions".into()
            },
            x_label: period_label(args.by).into(),
            note: format!(
                "Source: vigia, {} ({total} {counted}; {}). n = {counted} behind each point.",
                database.file_name().map_or(database.display(), |n| Path::new(n).display()),
                if figures {
                    change_label(args.change)
                } else {
                    "by publication date"
                },
            ),
            measure: if figures { Measure::Median } else { Measure::Count },
            points: &points,
        };
        write_chart(&chart, format, path).map_err(|e| match e {
            ChartError::Empty => anyhow::Error::from(super::UsageError("nothing matches: no chart was drawn".into())),
            other => other.into(),
        })?;
        if !global.quiet {
            super::notice(&format!("vigia trend: {} periods drawn to {}", points.len(), path.display()));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    // Each point's claims, looked up once (a claim can stand behind several points).
    let claims: HashMap<i64, ClaimRow> = if args.explain {
        let mut ids: Vec<i64> = points.iter().flat_map(|p| p.claims.iter().copied()).collect();
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
    let num = |v: Option<f64>| v.map(|x| format!("{}", (x * 1000.0).round() / 1000.0)).unwrap_or_default();
    match args.format {
        TrendFormat::Json => {
            for p in &points {
                let mut line = serde_json::to_value(p)?;
                if args.explain
                    && let Some(fields) = line.as_object_mut()
                {
                    fields.insert("claims".into(), serde_json::to_value(explained(p))?);
                }
                serde_json::to_writer(&mut out, &line)?;
                writeln!(out)?;
            }
        }
        TrendFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            if args.explain {
                w.write_record(CLAIM_COLUMNS)?;
                for p in &points {
                    for c in explained(p) {
                        w.write_record(claim_cells(&p.period, c))?;
                    }
                }
            } else {
                for p in &points {
                    w.serialize(p)?;
                }
            }
            w.flush()?;
        }
        TrendFormat::Table => {
            let columns = ["period", "count", "articles", "mean", "median", "min", "max"].map(String::from);
            let rows: Vec<Vec<String>> = points
                .iter()
                .map(|p| {
                    vec![
                        p.period.clone(),
                        p.count.to_string(),
                        p.articles.to_string(),
                        num(p.mean),
                        num(p.median),
                        num(p.min),
                        num(p.max),
                    ]
                })
                .collect();
            super::table::print_table(&mut out, &columns, &rows)?;
            if args.explain {
                let rows: Vec<Vec<String>> = points
                    .iter()
                    .flat_map(|p| explained(p).into_iter().map(|c| claim_cells(&p.period, c)))
                    .collect();
                writeln!(out)?;
                super::table::print_table(&mut out, &CLAIM_COLUMNS.map(String::from), &rows)?;
            }
        }
        TrendFormat::Chart => chart(&mut out, &points, args.what == What::Statistics)?,
        TrendFormat::Svg | TrendFormat::Png => unreachable!("chart files are drawn above"),
    }
    out.flush()?;
    if points.is_empty() && !global.quiet {
        super::notice("vigia trend: nothing matches");
    }
    Ok(ExitCode::SUCCESS)
}

/// The title of a chart: what the series holds, from its filters.
fn chart_title(args: &TrendArgs) -> String {
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

/// A horizontal bar per period: the median for figures, the count for mentions.
fn chart(out: &mut dyn Write, points: &[Point], figures: bool) -> std::io::Result<()> {
    let height = |p: &Point| if figures { p.median.unwrap_or(0.0) } else { p.count as f64 };
    let max = points.iter().map(height).fold(0.0_f64, f64::max);
    for p in points {
        let h = height(p);
        let bar = if max > 0.0 { ((h / max) * 50.0).round() as usize } else { 0 };
        writeln!(out, "{:<8} {:<50} {}", p.period, "█".repeat(bar), (h * 1000.0).round() / 1000.0)?;
    }
    Ok(())
}
