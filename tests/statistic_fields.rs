//! The built `vigia` binary and each statistic's `change` and `location_from`: stored by a run,
//! exported in every format, selected by `trend --change`, and filled in by `reprocess` on a
//! database from before they were stored.

use std::path::Path;

mod common;

use common::cli::{demo_db, on_demo, sql_count, stdout_of, vigia};
use predicates::prelude::*;

/// Every statistic's (article, offset, change, location_from), in a stable order.
fn fields(db: &Path) -> Vec<(i64, i64, Option<String>, Option<String>)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT article_id, \"start\", change, location_from FROM statistics ORDER BY 1, 2, id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn a_run_stores_both_fields_and_every_export_carries_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    // The demo holds levels and changes of both kinds, placed by sentence and by article.
    for (what, sql) in [
        ("increase", "SELECT count(*) FROM statistics WHERE change = 'increase'"),
        ("decrease", "SELECT count(*) FROM statistics WHERE change = 'decrease'"),
        ("level", "SELECT count(*) FROM statistics WHERE change IS NULL"),
        ("by sentence", "SELECT count(*) FROM statistics WHERE location_from = 'sentence'"),
        ("by article", "SELECT count(*) FROM statistics WHERE location_from = 'article'"),
    ] {
        assert!(sql_count(&db, sql) > 0, "no statistic {what}");
    }
    // location_from says where location came from, so one is set exactly when the other is.
    let mismatched = "SELECT count(*) FROM statistics WHERE (location IS NULL) <> (location_from IS NULL)";
    assert_eq!(sql_count(&db, mismatched), 0);
    let stored = fields(&db);

    let export = |format: &str| stdout_of(vigia().args(["export", "statistics", "--format", format]).arg("--db").arg(&db));
    let csv = export("csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    // The two fields follow the first contract's columns; later additions go after them.
    assert_eq!(header[17..19], ["change", "location_from"], "{header:?}");
    let from_csv: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[17].to_string(), r[18].to_string())
        })
        .collect();

    let jsonl = export("jsonl");
    let from_jsonl: Vec<(String, String)> = jsonl
        .lines()
        .map(|l| {
            let row: serde_json::Value = serde_json::from_str(l).unwrap();
            let text = |key: &str| row[key].as_str().unwrap_or_default().to_string();
            (text("change"), text("location_from"))
        })
        .collect();
    // Exports run by article then offset, as `fields` does.
    let from_db: Vec<(String, String)> = stored
        .iter()
        .map(|(_, _, c, l)| (c.clone().unwrap_or_default(), l.clone().unwrap_or_default()))
        .collect();
    assert_eq!(from_csv, from_db);
    assert_eq!(from_jsonl, from_db);

    if cfg!(feature = "parquet") {
        let out = dir.path().join("statistics.parquet");
        vigia()
            .args(["export", "statistics", "--format", "parquet", "--out"])
            .arg(&out)
            .arg("--db")
            .arg(&db)
            .assert()
            .success();
        // The column names sit in the file's footer schema.
        let bytes = std::fs::read(&out).unwrap();
        for name in [b"change".as_slice(), b"location_from"] {
            assert!(bytes.windows(name.len()).any(|w| w == name), "{}", String::from_utf8_lossy(name));
        }
    }
}

#[test]
fn trend_counts_levels_unless_asked_for_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    // The total of a series' counts, by publication year (every demo article is dated).
    let trend_total = |extra: &[&str]| -> u64 {
        let out = stdout_of(
            vigia()
                .args(["trend", "statistics", "--format", "csv"])
                .args(extra)
                .arg("--db")
                .arg(&db),
        );
        let mut reader = csv::Reader::from_reader(out.as_bytes());
        assert_eq!(reader.headers().unwrap().get(1), Some("count"));
        reader.records().map(|r| r.unwrap()[1].parse::<u64>().unwrap()).sum()
    };
    let where_ = |cond: &str| sql_count(&db, &format!("SELECT count(*) FROM statistics WHERE {cond}"));
    let levels = trend_total(&[]);
    let increases = trend_total(&["--change", "increase"]);
    let decreases = trend_total(&["--change", "decrease"]);
    let any = trend_total(&["--change", "any"]);
    assert_eq!(levels, where_("change IS NULL"));
    assert_eq!(increases, where_("change = 'increase'"));
    assert_eq!(decreases, where_("change = 'decrease'"));
    assert_eq!(any, increases + decreases);
    assert!(increases > 0 && decreases > 0, "the demo has changes of both kinds");
    assert_eq!(levels + any, where_("1"));
    // Other filters still apply on top.
    assert_eq!(
        trend_total(&["--change", "any", "--unit", "percent"]),
        where_("change IS NOT NULL AND unit = 'percent'")
    );

    vigia()
        .args(["trend", "statistics", "--change", "sideways"])
        .arg("--db")
        .arg(&db)
        .assert()
        .code(2);
    vigia()
        .args(["trend", "entities", "--change", "any"])
        .arg("--db")
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--change"));
    vigia()
        .args(["trend", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--change").and(predicate::str::contains("levels only")));
}

#[test]
fn reprocess_fills_both_fields_on_a_database_from_before_they_were_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let want = fields(&db);
    // Make the file what schema version 3 and the previous extractor left: no such columns,
    // no claims or stories (version 7), no views (version 8), no read indexes (version 9), no
    // story indexes (version 10) and no archived pages (version 11).
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "DROP INDEX articles_unfingerprinted;
             DROP INDEX articles_current_story;
             DROP INDEX statistics_location_topic;
             DROP INDEX articles_current_id;
             DROP VIEW articles_v;
             DROP VIEW statistics_v;
             DROP VIEW entities_v;
             DROP VIEW claims_v;
             DROP INDEX statistics_claim;
             DROP INDEX statistics_claim_key;
             DROP INDEX articles_story;
             ALTER TABLE statistics DROP COLUMN claim_id;
             ALTER TABLE articles DROP COLUMN simhash;
             ALTER TABLE articles DROP COLUMN story_id;
             ALTER TABLE statistics DROP COLUMN change;
             ALTER TABLE statistics DROP COLUMN location_from;
             ALTER TABLE pages DROP COLUMN archive;
             ALTER TABLE pages DROP COLUMN archive_offset;
             UPDATE articles SET extractor_version = '0.1.0';
             PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    on_demo("reprocess", &db)
        .assert()
        .success()
        .stderr(predicate::str::contains("11 articles re-extracted"));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert!(version >= 4, "upgraded to schema version {version}");
    drop(conn);
    let old = "SELECT count(*) FROM articles WHERE extractor_version = '0.1.0'";
    assert_eq!(sql_count(&db, old), 0);
    assert_eq!(fields(&db), want);
}
