//! The built `vigia` binary: the demo run, exports with provenance, the run lock, read-only SQL,
//! configuration errors and `extract`.

mod common;

use common::cli::{demo_config, demo_db, on_demo, stdout_of, vigia};
use predicates::prelude::*;

#[test]
fn demo_run_stores_articles_and_exports_carry_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());

    let articles = stdout_of(
        vigia()
            .args(["sql", "--format", "csv", "SELECT count(*) AS n FROM articles"])
            .arg("--db")
            .arg(&db),
    );
    let n: u32 = articles.lines().nth(1).unwrap().trim().parse().unwrap();
    assert_eq!(n, 11, "twelve pages, one of them a copy of another");

    let jsonl = stdout_of(vigia().args(["export", "statistics", "--format", "jsonl"]).arg("--db").arg(&db));
    let rows: Vec<serde_json::Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(rows.len() >= 30, "only {} statistics", rows.len());
    for row in &rows {
        // Saved pages are known by their canonical link, or by their file when they have none.
        assert!(
            row["article_url"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://") || u.starts_with("file://")),
            "{row}"
        );
        assert_eq!(row["source"], "demo-pages");
        assert!(row["published"].is_string(), "{row}");
        for key in [
            "value",
            "low",
            "high",
            "unit",
            "qualifier",
            "counted",
            "topic",
            "metric",
            "year",
            "location",
            "attributed_to",
            "sentence",
            "start",
            "end",
        ] {
            assert!(row.get(key).is_some(), "missing {key} in {row}");
        }
    }

    let csv = stdout_of(vigia().args(["export", "entities", "--format", "csv"]).arg("--db").arg(&db));
    assert!(
        csv.starts_with("article_url,published,source,type,name,role,country,start,end"),
        "{csv}"
    );

    // A second run finds every file unchanged.
    on_demo("run", &db)
        .arg("--all")
        .assert()
        .success()
        .stderr(predicate::str::contains("0 articles new"));
    let again = stdout_of(
        vigia()
            .args(["sql", "--format", "csv", "SELECT count(*) FROM articles"])
            .arg("--db")
            .arg(&db),
    );
    assert_eq!(again.lines().nth(1).unwrap().trim(), "11");
}

#[test]
fn exports_to_a_file_and_filters_by_date() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let out = dir.path().join("articles.jsonl");
    vigia()
        .args(["export", "articles", "--format", "jsonl", "--since", "2024-09-01", "--out"])
        .arg(&out)
        .arg("--db")
        .arg(&db)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.is_empty());
    for line in text.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(row["published"].as_str().unwrap() >= "2024-09-01", "{row}");
        assert!(row["body"].as_str().unwrap().len() > 500);
    }
}

#[test]
fn parquet_export_needs_out_and_writes_a_parquet_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    // Without the feature, the missing build support is the first thing to say.
    let refusal = if cfg!(feature = "parquet") {
        "--out"
    } else {
        "built without Parquet support"
    };
    // Parquet is never written to standard output.
    vigia()
        .args(["export", "articles", "--format", "parquet"])
        .arg("--db")
        .arg(&db)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(refusal));
    let parquet = dir.path().join("articles.parquet");
    let exported = vigia()
        .args(["export", "articles", "--format", "parquet", "--out"])
        .arg(&parquet)
        .arg("--db")
        .arg(&db)
        .assert();
    if cfg!(feature = "parquet") {
        let stderr = String::from_utf8(exported.success().get_output().stderr.clone()).unwrap();
        assert!(stderr.contains("rows written") && !stderr.contains(" 0 rows"), "{stderr}");
        let bytes = std::fs::read(&parquet).unwrap();
        assert!(bytes.len() > 8);
        assert_eq!(&bytes[..4], b"PAR1");
        assert_eq!(&bytes[bytes.len() - 4..], b"PAR1", "the footer was written");
    } else {
        exported.code(2).stderr(predicate::str::contains(refusal));
        assert!(!parquet.exists());
    }
    let mut partial = parquet.into_os_string();
    partial.push(".partial");
    assert!(!std::path::Path::new(&partial).exists());
}

#[test]
fn an_overlapping_run_is_refused_by_the_lock_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("locked.db");
    let _held = vigia::lock::RunLock::acquire(&db).unwrap();
    on_demo("run", &db)
        .assert()
        .success()
        .stderr(predicate::str::contains("another vigia run holds"));
    assert!(!db.exists(), "the refused run wrote nothing");
}

#[test]
fn sql_is_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    vigia()
        .args(["sql", "DELETE FROM articles"])
        .arg("--db")
        .arg(&db)
        .assert()
        .failure()
        .stderr(predicate::str::contains("read-only"));
    let out = stdout_of(
        vigia()
            .args(["sql", "--format", "json", "SELECT count(*) AS n FROM articles"])
            .arg("--db")
            .arg(&db),
    );
    assert_eq!(out.trim(), r#"{"n":11}"#);
}

#[test]
fn status_and_trend_read_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let status = stdout_of(vigia().arg("status").arg("--db").arg(&db));
    assert!(status.contains("demo-pages"), "{status}");
    let trend = stdout_of(
        vigia()
            .args(["trend", "statistics", "--unit", "per_100k", "--format", "csv"])
            .arg("--db")
            .arg(&db),
    );
    assert!(trend.starts_with("period,count,articles,mean,median,min,max"), "{trend}");
    assert!(trend.lines().count() >= 2, "{trend}");
}

#[test]
fn bad_configuration_exits_two_naming_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("vigia.toml");
    std::fs::write(
        &cfg,
        "database = \"x.db\"\n\n[[sources]]\nname = \"a\"\nkind = \"rss\"\nurl = \"https://example.org/feed\"\nschedul = \"* * * * *\"\n",
    )
    .unwrap();
    vigia()
        .args(["run", "--config"])
        .arg(&cfg)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 7").and(predicate::str::contains("schedul")));
    vigia()
        .args(["run", "--config"])
        .arg(dir.path().join("missing.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.toml"));
    vigia()
        .args(["export", "statistics"])
        .current_dir(dir.path())
        .env("VIGIA_CONFIG", "")
        .assert()
        .code(2);
}

#[test]
fn extract_reads_text_and_html_and_batches_as_json_lines() {
    let out = stdout_of(
        vigia()
            .args(["extract", "--text", "--lang", "es"])
            .write_stdin("La policía incautó 8,5 toneladas de cocaína en el Callao.\n"),
    );
    let record: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(record["body"], "La policía incautó 8,5 toneladas de cocaína en el Callao.");
    assert_eq!(record["language"], "es");
    assert!(record["statistics"].is_array() && record["entities"].is_array());

    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("a.html");
    std::fs::write(&page, "<html><body><article><p>Officers seized 300 kilograms of cocaine in the port of Guayaquil on Monday night.</p></article></body></html>").unwrap();
    let missing = dir.path().join("missing.html");
    let assert = vigia().arg("extract").arg(&page).arg(&missing).assert().code(1);
    let lines: Vec<serde_json::Value> = String::from_utf8(assert.get_output().stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["body"].as_str().unwrap().contains("300 kilograms"));
    assert_eq!(lines[0]["path"], page.display().to_string());
    assert!(lines[1]["error"].is_string());

    vigia()
        .args(["extract", "--text"])
        .write_stdin("   \n")
        .assert()
        .failure()
        .stderr(predicate::str::contains("empty"));
}

#[cfg(unix)]
#[test]
fn daemon_runs_a_pass_then_stops_cleanly_on_sigterm() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("daemon.db");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vigia"))
        .args(["daemon", "--config"])
        .arg(demo_config())
        .arg("--db")
        .arg(&db)
        .env_remove("VIGIA_CONFIG")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The first pass takes every never-fetched source at once; wait for its run to be recorded.
    let started = Instant::now();
    let finished_pass = || {
        db.exists()
            && vigia::store::Store::open_read_only(&db)
                .and_then(|s| s.query("SELECT count(*) FROM runs WHERE finished_at IS NOT NULL"))
                .map(|r| r.rows[0][0].as_i64() == Some(1))
                .unwrap_or(false)
    };
    while !finished_pass() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the daemon's first pass did not finish"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let waited = Instant::now();
    let code = loop {
        if let Some(code) = child.try_wait().unwrap() {
            break code;
        }
        assert!(waited.elapsed() < Duration::from_secs(20), "the daemon did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(code.success(), "{code:?}");
}

#[test]
fn reprocess_re_extracts_stored_pages_without_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let count = |sql: &str| -> String {
        let out = stdout_of(vigia().args(["sql", "--format", "csv", sql]).arg("--db").arg(&db));
        out.lines().nth(1).unwrap().trim().to_string()
    };
    let before = count("SELECT count(*) FROM statistics");
    // Damage the stored figures; reprocessing rebuilds them from the stored pages.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("DELETE FROM statistics", []).unwrap();
    drop(conn);
    assert_eq!(count("SELECT count(*) FROM statistics"), "0");
    on_demo("reprocess", &db)
        .assert()
        .success()
        .stderr(predicate::str::contains("11 articles re-extracted"));
    assert_eq!(count("SELECT count(*) FROM statistics"), before);
}
