//! `trend statistics --by-location` and `--by-source`: two outlets (saved pages in
//! `tests/fixtures/trend_series/`) report homicide rates for three countries and the world, one
//! of them twice; each split is checked in every output format, with its filters and bounds.

mod common;

use std::path::{Path, PathBuf};

use common::cli::{stdout_of, vigia};
use predicates::prelude::*;

const OUTLETS: [&str; 2] = ["coast-courier", "valley-times"];

/// Runs the fixtures' two outlets into a fresh database and returns its path.
fn database(dir: &Path) -> PathBuf {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trend_series");
    let db = dir.join("series.db");
    let mut text = format!("database = {:?}\n", db.to_str().unwrap());
    for outlet in OUTLETS {
        text += &format!(
            "\n[[sources]]\nname = {outlet:?}\nkind = \"files\"\nurl = {:?}\nlanguage = \"auto\"\n",
            fixtures.join(outlet).to_str().unwrap()
        );
    }
    let config = dir.join("series.toml");
    std::fs::write(&config, text).unwrap();
    vigia().args(["run", "--all", "-q", "--config"]).arg(&config).assert().success();
    db
}

/// `vigia trend statistics --topic homicide ARGS --db DB`.
fn trend(db: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = vigia();
    cmd.args(["trend", "statistics", "--topic", "homicide"])
        .args(args)
        .arg("--db")
        .arg(db);
    cmd
}

/// One CSV row of a trend: (series, period, count, articles, median to three decimals).
type Row = (String, String, u64, u64, f64);

/// The rows of `trend ... --format csv`, checking that the columns of an unsplit trend come
/// first, in their order, and `series` last.
fn rows(db: &Path, args: &[&str]) -> Vec<Row> {
    let out = stdout_of(trend(db, args).args(["--format", "csv"]));
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        ["period", "count", "articles", "mean", "median", "min", "max", "series"],
        "{out}"
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let median: f64 = r[4].parse().unwrap();
            (
                r[7].into(),
                r[0].into(),
                r[1].parse().unwrap(),
                r[2].parse().unwrap(),
                (median * 1000.0).round() / 1000.0,
            )
        })
        .collect()
}

fn row(series: &str, period: &str, count: u64, articles: u64, median: f64) -> Row {
    (series.into(), period.into(), count, articles, median)
}

/// What each series counts in all, in the order the trend gives them.
fn totals(rows: &[Row]) -> Vec<(String, u64)> {
    let mut totals: Vec<(String, u64)> = Vec::new();
    for (series, _, count, _, _) in rows {
        match totals.last_mut() {
            Some((name, total)) if name == series => *total += count,
            _ => totals.push((series.clone(), *count)),
        }
    }
    totals
}

#[test]
fn a_series_splits_by_country_and_by_outlet_and_the_parts_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let rate = ["--unit", "per_100k"];

    // By country: the rate repeated by both outlets in March 2025 is one claim from two
    // articles; the world figure has no country; the largest series come first, then by name.
    let by_country = rows(&db, &[&rate[..], &["--by-location"]].concat());
    assert_eq!(
        by_country,
        [
            row("GT", "2025", 1, 2, 16.1),
            row("GT", "2026", 1, 1, 15.2),
            row("(no country)", "2026", 1, 1, 5.8),
            row("EC", "2025", 1, 1, 38.8),
            row("HN", "2026", 1, 1, 25.9),
        ]
    );
    // Split by country, every claim is in one series: the counts add up to the unsplit trend's.
    let whole = stdout_of(trend(&db, &rate).args(["--format", "csv"]));
    let whole_total: u64 = csv::Reader::from_reader(whole.as_bytes())
        .records()
        .map(|r| r.unwrap()[1].parse::<u64>().unwrap())
        .sum();
    assert_eq!(whole_total, 5);
    assert_eq!(by_country.iter().map(|r| r.2).sum::<u64>(), whole_total);

    // By outlet: the repeated claim counts once in each outlet that reported it.
    let by_outlet = rows(&db, &[&rate[..], &["--by-source"]].concat());
    assert_eq!(
        by_outlet,
        [
            row("coast-courier", "2025", 2, 2, 27.45),
            row("coast-courier", "2026", 1, 1, 5.8),
            row("valley-times", "2025", 1, 1, 16.1),
            row("valley-times", "2026", 2, 2, 20.55),
        ]
    );

    // --count reports counts both reports of the repeated figure.
    let reports = rows(&db, &[&rate[..], &["--by-location", "--count", "reports"]].concat());
    assert_eq!(reports[0], row("GT", "2025", 2, 2, 16.1));
    assert_eq!(totals(&reports)[0], ("GT".to_string(), 3));

    // The article filters narrow each split: Spanish pages hold only the Honduran figure, one
    // outlet makes one series.
    assert_eq!(
        rows(&db, &[&rate[..], &["--by-location", "--lang", "es"]].concat()),
        [row("HN", "2026", 1, 1, 25.9)]
    );
    let one_outlet = rows(&db, &[&rate[..], &["--by-source", "--source", "valley-times"]].concat());
    assert_eq!(totals(&one_outlet), [("valley-times".to_string(), 3)]);

    // By month and by the year the figures refer to.
    let months = rows(&db, &[&rate[..], &["--by-location", "--by", "month"]].concat());
    assert_eq!(months[0], row("GT", "2025-03", 1, 2, 16.1));
    let referred = rows(&db, &[&rate[..], &["--by-location", "--by", "reference-year"]].concat());
    assert!(referred.contains(&row("(no country)", "2023", 1, 1, 5.8)), "{referred:?}");
    assert!(referred.contains(&row("GT", "2024", 1, 2, 16.1)), "{referred:?}");

    // Changes are split too, and kept apart from levels.
    let changes = rows(&db, &["--unit", "percent", "--change", "decrease", "--by-location"]);
    assert_eq!(changes, [row("EC", "2025", 1, 1, 15.0)]);
    assert!(rows(&db, &["--unit", "percent", "--by-location"]).is_empty());
}

#[test]
fn top_keeps_the_largest_series_and_names_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let out = trend(&db, &["--unit", "per_100k", "--by-location", "--top", "2", "--format", "csv"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("2 of 4 countries shown")
                .and(predicate::str::contains("EC (1), HN (1)"))
                .and(predicate::str::contains("--top 4")),
        )
        .get_output()
        .stdout
        .clone();
    let series: Vec<String> = csv::Reader::from_reader(&out[..])
        .records()
        .map(|r| r.unwrap()[7].to_string())
        .collect();
    assert_eq!(series, ["GT", "GT", "(no country)"]);
    // Data formats keep every series unless told otherwise; -q keeps the note to itself.
    trend(&db, &["--by-location", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    trend(&db, &["--by-location", "--top", "1", "-q"])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());

    // Mistakes are usage errors.
    for (args, named) in [
        (&["--by-location", "--by-source"][..], "--by-source"),
        (&["--top", "3"], "--top"),
        (&["--by-location", "--top", "0"], "--top"),
    ] {
        trend(&db, args).assert().code(2).stderr(predicate::str::contains(named));
    }
    vigia()
        .args(["trend", "entities", "--by-source", "--db"])
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--by-source"));
}

#[test]
fn every_format_names_the_series() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let split = ["--unit", "per_100k", "--by-location"];

    // The table leads with the series.
    let table = stdout_of(&mut trend(&db, &split));
    let mut lines = table.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .split_whitespace()
            .eq(["series", "period", "count", "articles", "mean", "median", "min", "max"])
    );
    assert!(table.lines().any(|l| l.starts_with("(no country)") && l.contains("5.8")), "{table}");

    // JSON Lines: each point with its series.
    let json = stdout_of(trend(&db, &split).args(["--format", "json"]));
    let points: Vec<serde_json::Value> = json.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(points.len(), 5);
    assert_eq!(
        (points[0]["series"].as_str(), points[0]["period"].as_str()),
        (Some("GT"), Some("2025"))
    );
    assert_eq!(points[0]["articles"], 2);

    // --explain lists each series' claims: in JSON inside its points, in CSV and the table as rows.
    let explained = stdout_of(trend(&db, &split).args(["--explain", "--format", "json"]));
    let first: serde_json::Value = serde_json::from_str(explained.lines().next().unwrap()).unwrap();
    assert_eq!(first["claims"][0]["articles"], 2);
    assert_eq!(first["claims"][0]["outlets"], 2);
    let csv_claims = stdout_of(trend(&db, &split).args(["--explain", "--format", "csv"]));
    assert!(csv_claims.starts_with("period,claim_id,value,unit,first_outlet,first_date,articles,outlets,series\n"));
    assert!(
        csv_claims.contains(",16.1,per_100k,coast-courier,2025-03-10,2,2,GT\n"),
        "{csv_claims}"
    );
    assert_eq!(csv_claims.lines().count(), 6);
    let table_claims = stdout_of(trend(&db, &split).arg("--explain"));
    assert!(
        table_claims.lines().any(|l| l.starts_with("series") && l.contains("claim_id")),
        "{table_claims}"
    );

    // The terminal chart groups each period's bars, one per series.
    let chart = stdout_of(trend(&db, &split).args(["--format", "chart"]));
    let bars: Vec<&str> = chart.lines().collect();
    assert_eq!(bars.len(), 5, "{chart}");
    assert!(bars[0].starts_with("2025") && bars[0].contains("GT"), "{chart}");
    assert!(bars[1].starts_with(' ') && bars[1].contains("EC"), "{chart}");
    assert!(bars[2].starts_with("2026") && bars[2].contains("GT"), "{chart}");

    // Chart files: one legend entry per series with its claims, and a note on what is left out.
    let svg = dir.path().join("rates.svg");
    trend(&db, &split)
        .args(["--top", "3", "--format", "svg", "--out"])
        .arg(&svg)
        .assert()
        .success()
        .stderr(predicate::str::contains("2 periods in 3 series drawn to"));
    let text = std::fs::read_to_string(&svg).unwrap();
    for needle in [
        "by country",
        "GT",
        "(no country)",
        "EC",
        "claims: 2",
        "claims: 1",
        "left out (claims): HN (1)",
    ] {
        assert!(text.contains(needle), "{needle} missing from the SVG");
    }
    let png = dir.path().join("outlets.png");
    trend(&db, &["--unit", "per_100k", "--by-source", "--format", "png"])
        .arg("--out")
        .arg(&png)
        .assert()
        .success();
    assert_eq!(&std::fs::read(&png).unwrap()[..4], b"\x89PNG");
}
