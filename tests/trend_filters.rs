//! `trend` by quarter and ISO week, as SVG and PNG charts, and the article filters `--source` and `--lang` shared by
//! `trend`, `export` and `search`, and `trend --qualifier`, checked against SQL on the demo.

mod common;

use std::path::Path;

use common::cli::{demo_db, sql_count, stdout_of, vigia};
use predicates::prelude::*;

/// The (period, count) points of `vigia trend statistics ARGS --format csv`.
fn points(db: &Path, args: &[&str]) -> Vec<(String, u64)> {
    let out = stdout_of(
        vigia()
            .args(["trend", "statistics", "--format", "csv"])
            .args(args)
            .arg("--db")
            .arg(db),
    );
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].parse().unwrap())
        })
        .collect()
}

fn total(points: &[(String, u64)]) -> u64 {
    points.iter().map(|p| p.1).sum()
}

/// Levels of current articles with a publication date that also meet `cond`.
fn levels_where(db: &Path, cond: &str) -> u64 {
    sql_count(
        db,
        &format!(
            "SELECT count(*) FROM statistics s JOIN articles a ON a.id = s.article_id
             WHERE s.change IS NULL AND a.superseded_at IS NULL AND a.published IS NOT NULL AND {cond}"
        ),
    )
}

#[test]
fn quarters_and_weeks_split_the_same_figures_as_years() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let years = points(&db, &[]);
    let quarters = points(&db, &["--by", "quarter"]);
    let weeks = points(&db, &["--by", "week"]);
    assert_eq!(total(&years), levels_where(&db, "1"));
    assert_eq!(total(&quarters), total(&years));
    assert_eq!(total(&weeks), total(&years));
    let quarter = regex::Regex::new(r"^\d{4}-Q[1-4]$").unwrap();
    let week = regex::Regex::new(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$").unwrap();
    assert!(quarters.iter().all(|(p, _)| quarter.is_match(p)), "{quarters:?}");
    assert!(weeks.iter().all(|(p, _)| week.is_match(p)), "{weeks:?}");
    assert!(weeks.len() > quarters.len(), "the demo's articles fall in more weeks than quarters");
    // Each quarter holds what its three months hold.
    let months = points(&db, &["--by", "month"]);
    for (q, n) in &quarters {
        let (year, number) = q.split_once("-Q").unwrap();
        let first: u32 = 3 * number.parse::<u32>().unwrap() - 2;
        let in_quarter: u64 = months
            .iter()
            .filter(|(m, _)| m.starts_with(year) && (first..first + 3).contains(&m[5..].parse::<u32>().unwrap()))
            .map(|m| m.1)
            .sum();
        assert_eq!(*n, in_quarter, "{q}");
    }
}

#[test]
fn language_source_and_qualifier_narrow_trends_exports_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let spanish = total(&points(&db, &["--lang", "es"]));
    let english = total(&points(&db, &["--lang", "en"]));
    assert_eq!(spanish, levels_where(&db, "a.language = 'es'"));
    assert_eq!(english, levels_where(&db, "a.language = 'en'"));
    assert!(spanish > 0 && english > 0, "the demo holds both languages");
    assert_eq!(total(&points(&db, &["--source", "demo-pages"])), total(&points(&db, &[])));

    let exact = total(&points(&db, &["--qualifier", "exact"]));
    let approx = total(&points(&db, &["--qualifier", "approx"]));
    assert_eq!(exact, levels_where(&db, "s.qualifier IS NULL"));
    assert_eq!(approx, levels_where(&db, "s.qualifier = 'approx'"));
    assert!(exact > 0 && approx > 0);

    let exported = stdout_of(
        vigia()
            .args(["export", "statistics", "--format", "csv", "--lang", "en", "--db"])
            .arg(&db),
    );
    let rows = csv::Reader::from_reader(exported.as_bytes()).records().count() as u64;
    assert_eq!(
        rows,
        sql_count(
            &db,
            "SELECT count(*) FROM statistics s JOIN articles a ON a.id = s.article_id WHERE a.language = 'en'"
        )
    );

    // A source the database does not know is a usage error naming the ones it has, everywhere.
    for command in [
        &["trend", "statistics"][..],
        &["export", "articles", "--format", "jsonl"],
        &["search", "policía"],
    ] {
        vigia()
            .args(command)
            .args(["--source", "no-such-source", "--db"])
            .arg(&db)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no-such-source").and(predicate::str::contains("demo-pages")));
    }
    vigia()
        .args(["trend", "entities", "--qualifier", "approx", "--db"])
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--qualifier"));
}

#[test]
fn charts_are_drawn_to_svg_and_png_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let svg = dir.path().join("rate.svg");
    let png = dir.path().join("rate.png");
    for (format, path) in [("svg", &svg), ("png", &png)] {
        vigia()
            .args([
                "trend",
                "statistics",
                "--topic",
                "homicide",
                "--unit",
                "per_100k",
                "--by",
                "reference-year",
            ])
            .args(["--format", format, "--out"])
            .arg(path)
            .arg("--db")
            .arg(&db)
            .assert()
            .success()
            .stderr(predicate::str::contains("periods drawn to"));
    }
    let text = std::fs::read_to_string(&svg).unwrap();
    // The title, the unit on the axis, every period of the series and the count behind it.
    let points = points(&db, &["--topic", "homicide", "--unit", "per_100k", "--by", "reference-year"]);
    assert!(!points.is_empty());
    for needle in ["Homicide", "per_100k", "year the figures refer to", "Source: vigia"] {
        assert!(text.contains(needle), "{needle} missing from the SVG");
    }
    for (period, count) in &points {
        assert!(text.contains(period.as_str()) && text.contains(&format!("n={count}")), "{period}");
    }
    assert_eq!(&std::fs::read(&png).unwrap()[..4], b"\x89PNG");

    // A chart file needs --out, and a series with nothing in it draws nothing.
    vigia()
        .args(["trend", "statistics", "--format", "png", "--db"])
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--out"));
    let empty = dir.path().join("empty.png");
    vigia()
        .args(["trend", "statistics", "--topic", "no_such_topic", "--format", "png", "--out"])
        .arg(&empty)
        .arg("--db")
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing matches"));
    assert!(!empty.exists());
}
