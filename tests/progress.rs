//! Progress: the counts a pass and a reprocess report as they go, no bar when stderr is not a
//! terminal, and nothing but JSON on stderr under `--log-format json`, whatever the command.

mod common;

use std::path::Path;

use common::cli::{demo_config, demo_db, on_demo, vigia};
use vigia::pipeline::{self, Progress, Selection, Shutdown};
use vigia::store::Store;

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Every stderr line parsed as a JSON object with a level and a message; the messages.
fn json_messages(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .map(|line| {
            let event: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            assert!(event["level"].is_string(), "no level: {line}");
            event["message"]
                .as_str()
                .unwrap_or_else(|| panic!("no message: {line}"))
                .to_string()
        })
        .collect()
}

/// What a terminal bar leaves in its output: carriage returns and cursor or colour escapes.
fn assert_no_bar(command: &str, stderr: &str) {
    assert!(!stderr.contains('\r'), "{command}: a carriage return on stderr: {stderr:?}");
    assert!(!stderr.contains('\u{1b}'), "{command}: an escape sequence on stderr: {stderr:?}");
    assert!(!stderr.contains("=>"), "{command}: a bar on stderr: {stderr:?}");
}

#[tokio::test]
async fn a_pass_counts_every_page_it_takes_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = vigia::config::Config::load(&demo_config()).unwrap();
    config.database = dir.path().join("demo.db");
    let store = Store::open(&config.database).unwrap();
    store.sync_sources(&config.sources).unwrap();
    let fetcher = pipeline::fetcher_for(&config, &store).unwrap();
    let observed = async |progress: &Progress| {
        let claims = pipeline::Claims::default();
        pipeline::run_observed(&config, &store, &fetcher, &Selection::All, &Shutdown::default(), progress, &claims)
            .await
            .unwrap()
    };
    let progress = Progress::default();
    let report = observed(&progress).await;
    let counts = progress.counts();
    let s = &report.summary;
    assert!(s.pages_fetched > 0);
    assert_eq!((counts.parts, counts.parts_known), (1, 1));
    assert_eq!(counts.total, s.pages_fetched + s.not_modified + s.skipped);
    assert_eq!(counts.done, counts.total);
    assert_eq!(counts.new, s.articles_new);
    assert_eq!(counts.failed, s.failed);

    // A second pass takes up the same pages again and finds nothing new.
    let again = Progress::default();
    observed(&again).await;
    assert_eq!(again.counts().total, counts.total);
    assert_eq!(again.counts().new, 0);
}

#[test]
fn a_reprocess_counts_pages_of_a_total_known_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let store = Store::open(&db).unwrap();
    let config = vigia::config::Config::load(&demo_config()).unwrap();
    let progress = Progress::default();
    let report = pipeline::reprocess_observed(Some(&config), &store, None, &progress).unwrap();
    let counts = progress.counts();
    assert!(report.pages > 0);
    assert_eq!(counts.total, report.pages + report.versions);
    assert_eq!(counts.done, counts.total);
    assert_eq!(counts.new, report.articles + report.recovered + report.versions);
    assert_eq!(counts.failed, report.failed);

    // Only pages fetched since a later day: none.
    let later = Progress::default();
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    pipeline::reprocess_observed(Some(&config), &store, Some(tomorrow), &later).unwrap();
    assert_eq!(later.counts().total, 0);
}

#[test]
fn no_bar_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let run = on_demo("run", &db).output().unwrap();
    assert!(run.status.success(), "{}", stderr_of(&run));
    assert!(stderr_of(&run).contains("articles new"));
    assert_no_bar("run", &stderr_of(&run));

    let reprocess = on_demo("reprocess", &db).output().unwrap();
    assert!(reprocess.status.success(), "{}", stderr_of(&reprocess));
    assert!(stderr_of(&reprocess).contains("re-extracted"));
    assert_no_bar("reprocess", &stderr_of(&reprocess));

    let out = dir.path().join("figures.csv");
    let export = on_demo("export", &db).args(["statistics", "--out"]).arg(&out).output().unwrap();
    assert!(export.status.success(), "{}", stderr_of(&export));
    assert!(stderr_of(&export).contains("rows written"));
    assert_no_bar("export --out", &stderr_of(&export));

    // The export on stdout, a pipe here, comes out whole and alone.
    let piped = on_demo("export", &db).args(["statistics", "--format", "jsonl"]).output().unwrap();
    assert!(piped.status.success());
    assert!(!piped.stdout.is_empty());
    assert!(
        piped
            .stdout
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .all(|l| l.starts_with(b"{"))
    );
    assert_eq!(stderr_of(&piped), "");

    // --no-progress is taken by every command.
    let flagged = on_demo("reprocess", &db).arg("--no-progress").output().unwrap();
    assert!(flagged.status.success());
    assert_no_bar("reprocess --no-progress", &stderr_of(&flagged));
}

/// `vigia ARGS` on the demo database with JSON logs: its stderr, every line checked to be JSON.
fn json_stderr(db: &Path, command: &str, args: &[&str]) -> Vec<String> {
    let output = on_demo(command, db).args(args).args(["--log-format", "json"]).output().unwrap();
    assert!(output.status.success(), "{command} {args:?}: {}", stderr_of(&output));
    json_messages(&stderr_of(&output))
}

#[test]
fn json_logs_make_every_stderr_line_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let has = |messages: &[String], text: &str| messages.iter().any(|m| m.contains(text));

    assert!(has(&json_stderr(&db, "run", &[]), "articles new"));
    assert!(has(&json_stderr(&db, "reprocess", &[]), "re-extracted"));
    let out = dir.path().join("entities.jsonl");
    let out = out.to_str().unwrap();
    assert!(has(
        &json_stderr(&db, "export", &["entities", "--format", "jsonl", "--out", out]),
        "rows written"
    ));
    assert!(json_stderr(&db, "export", &["statistics"]).is_empty());
    assert!(has(&json_stderr(&db, "sql", &["SELECT count(*) FROM articles"]), "1 row"));
    assert!(has(&json_stderr(&db, "search", &["homicidios"]), "article"));
    assert!(has(&json_stderr(&db, "search", &["zzzunmatchedword"]), "nothing matches"));
    assert!(has(
        &json_stderr(&db, "trend", &["statistics", "--topic", "no_such_topic"]),
        "nothing matches"
    ));
    let chart = dir.path().join("chart.svg");
    assert!(has(
        &json_stderr(&db, "trend", &["statistics", "--format", "svg", "--out", chart.to_str().unwrap()]),
        "drawn to"
    ));
    json_stderr(&db, "status", &[]);
}

#[test]
fn a_command_line_that_does_not_parse_is_a_json_error_under_json_logs() {
    for (args, env) in [
        (vec!["export", "--bogus", "--log-format", "json"], None),
        (vec!["--log-format=json", "trend", "statistics", "--by", "decade"], None),
        (vec!["sql"], Some("json")),
    ] {
        let mut cmd = vigia();
        cmd.args(&args);
        if let Some(format) = env {
            cmd.env("VIGIA_LOG_FORMAT", format);
        }
        let output = cmd.output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let messages = json_messages(&stderr_of(&output));
        assert_eq!(messages.len(), 1, "{args:?}: {messages:?}");
        assert!(messages[0].contains("error"), "{messages:?}");
    }

    // In text logs it stays clap's own message, and --help still goes to stdout.
    let plain = vigia().args(["export", "--bogus"]).output().unwrap();
    assert_eq!(plain.status.code(), Some(2));
    assert!(stderr_of(&plain).contains("--bogus"));
    assert!(serde_json::from_str::<serde_json::Value>(stderr_of(&plain).lines().next().unwrap()).is_err());
    let help = vigia().args(["run", "--help", "--log-format", "json"]).output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--no-progress"));
    assert_eq!(stderr_of(&help), "");
}
