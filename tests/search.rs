//! `vigia search` run as a user would: on the bundled demo, and on a page holding terminal
//! escapes; ranking, marks, figures, filters, formats, and mistakes in the query.

mod common;

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use common::cli::{demo_db, on_demo, stdout_of, vigia, with_closed_stdout};
use predicates::prelude::*;
use serde_json::Value;
use vigia::extract::{self, Lang};
use vigia::store::{NewArticle, PageRecord, Store};

/// The hits of `vigia search ARGS --format json` on `db`, one JSON object each.
fn json_hits(db: &Path, args: &[&str]) -> Vec<Value> {
    let text = stdout_of(on_demo("search", db).args(args).args(["--format", "json"]));
    text.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

fn urls(hits: &[Value]) -> Vec<String> {
    hits.iter().map(|h| h["url"].as_str().unwrap().to_string()).collect()
}

#[test]
fn search_finds_ranks_marks_and_shows_figures_on_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());

    // Accents are folded both ways: a plain query finds accented text, an accented one plain text.
    let plain = json_hits(&db, &["extorsion"]);
    assert!(!plain.is_empty());
    assert_eq!(urls(&plain), urls(&json_hits(&db, &["extorsión"])));
    assert!(
        plain
            .iter()
            .all(|h| h["snippet"].as_str().unwrap().to_lowercase().contains("[extorsión]"))
    );
    let guatemala = json_hits(&db, &["Guatemála"]);
    assert!(guatemala.iter().any(|h| h["title"].as_str().unwrap().contains("Guatemalan")));

    // Ranked: ranks count up, scores go down.
    let hits = json_hits(&db, &["extor*"]);
    assert!(hits.len() >= 3, "{hits:?}");
    for (i, pair) in hits.windows(2).enumerate() {
        assert_eq!(pair[0]["rank"], i + 1);
        assert!(pair[0]["score"].as_f64().unwrap() >= pair[1]["score"].as_f64().unwrap());
    }
    // Each hit carries where it comes from and its figures, those in the snippet first.
    for hit in &hits {
        for field in ["url", "source", "published", "language", "snippet"] {
            assert!(hit[field].is_string(), "{field} in {hit}");
        }
        let figures = hit["figures"].as_array().unwrap();
        assert!(figures.len() <= 5 && figures.len() as u64 <= hit["figures_total"].as_u64().unwrap());
        let inside: Vec<bool> = figures.iter().map(|f| f["in_snippet"].as_bool().unwrap()).collect();
        assert!(inside.windows(2).all(|w| w[0] >= w[1]), "{inside:?}");
        for f in figures {
            assert!(f["unit"].is_string() && f["text"].is_string(), "{f}");
            assert!(f["value"].is_number() || f["low"].is_number(), "{f}");
        }
    }
    assert!(
        hits.iter()
            .flat_map(|h| h["figures"].as_array().unwrap())
            .any(|f| f["in_snippet"] == true)
    );

    // A phrase, OR, NOT and a field.
    let phrase = json_hits(&db, &["\"estado de emergencia\""]);
    assert_eq!(phrase.len(), 1);
    assert!(phrase[0]["snippet"].as_str().unwrap().contains("[estado de emergencia]"));
    let either = urls(&json_hits(&db, &["cocaine OR cocaína"]));
    let english = urls(&json_hits(&db, &["cocaine"]));
    let spanish = urls(&json_hits(&db, &["cocaína"]));
    assert!(either.len() > english.len().max(spanish.len()));
    assert!(english.iter().chain(&spanish).all(|u| either.contains(u)));
    let without = urls(&json_hits(&db, &["cocaine", "NOT", "Ecuador"]));
    assert!(without.len() < english.len() && without.iter().all(|u| english.contains(u)));
    let titles = json_hits(&db, &["title:extor*"]);
    assert!(!titles.is_empty() && titles.len() < hits.len());

    // The list as a person reads it, piped: marks in brackets, no escape codes.
    let list = stdout_of(on_demo("search", &db).arg("extorsión Lima"));
    assert!(list.starts_with("1. "), "{list}");
    assert!(list.contains("[Lima]") && list.contains("[extorsión]"), "{list}");
    assert!(list.contains("   • "), "{list}");
    assert!(!list.contains('\u{1b}'), "{list}");
}

#[test]
fn filters_limit_and_formats() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let all = json_hits(&db, &["extor*"]);

    let english = json_hits(&db, &["extor*", "--lang", "en"]);
    assert!(!english.is_empty() && english.len() < all.len());
    assert!(english.iter().all(|h| h["language"] == "en"));
    let recent = json_hits(&db, &["extor*", "--since", "2024-08-01", "--until", "2024-10-31"]);
    assert!(!recent.is_empty() && recent.len() < all.len());
    assert!(
        recent
            .iter()
            .all(|h| ("2024-08-01".."2024-11").contains(&h["published"].as_str().unwrap()))
    );
    assert_eq!(json_hits(&db, &["extor*", "--source", "demo-pages"]).len(), all.len());
    assert_eq!(urls(&json_hits(&db, &["extor*", "--limit", "2"])), urls(&all)[..2]);
    let one = json_hits(&db, &["extor*", "--figures", "1"]);
    assert!(one.iter().all(|h| h["figures"].as_array().unwrap().len() <= 1));

    on_demo("search", &db)
        .args(["extor*", "--source", "nowhere"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no source named `nowhere`").and(predicate::str::contains("demo-pages")));
    on_demo("search", &db).args(["extor*", "--limit", "0"]).assert().code(2);

    // CSV: a header, then one row a hit in rank order.
    let csv = stdout_of(on_demo("search", &db).args(["extor*", "--format", "csv"]));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..3], ["rank", "score", "url"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), all.len());
    assert_eq!(rows[0][2], *all[0]["url"].as_str().unwrap());

    // Nothing found: no output, a word on stderr, success.
    on_demo("search", &db)
        .args(["sicariato", "AND", "Honduras", "AND", "Chile"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("nothing matches"));
}

#[test]
fn mistakes_in_the_query_are_named_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let cases: [(&[&str], &str); 6] = [
        (&["\"estado de emergencia"], "never closed"),
        (&["AND"], "`AND` has nothing before it"),
        (&["extorsión", "AND"], "`AND` at the end"),
        (&["NOT", "Lima"], "`NOT` needs something to look for before it"),
        (&["(Lima", "OR", "Callao"], "a `(` is never closed"),
        (&["ext*rs"], "only at the end of a word"),
    ];
    for (args, expected) in cases {
        on_demo("search", &db)
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(expected).and(predicate::str::contains("fts5").not()));
    }
}

/// A page whose text holds terminal escapes and a bidi override, in a database of its own.
fn hostile_db(dir: &Path) -> PathBuf {
    let db = dir.join("hostile.db");
    let store = Store::open(&db).unwrap();
    let url = "https://wire.example/escapes";
    let body = "Agents seized 640 kilograms of cocaine \u{1b}[2J\u{1b}]0;pwned\u{7} at the border crossing \u{202e}on Friday.";
    let fetched_at = Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0).unwrap();
    let page = PageRecord {
        url: url.into(),
        final_url: url.into(),
        source: "wire".into(),
        status: Some(200),
        body: Some(body.as_bytes().to_vec()),
        fetched_at,
        ..PageRecord::default()
    };
    let article = NewArticle {
        canonical_url: url.into(),
        url: url.into(),
        source: "wire".into(),
        title: Some("Border \u{1b}[31mseizure".into()),
        published: Some("2025-01-31".into()),
        language: Some("en".into()),
        body: body.into(),
        fetched_at,
        ..NewArticle::default()
    };
    store.save_article(&page, &article, &extract::extract(body, Lang::En)).unwrap();
    db
}

#[test]
fn control_characters_from_pages_are_shown_not_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());
    let list = stdout_of(vigia().args(["search", "--db"]).arg(&db).arg("cocaine"));
    assert!(
        list.contains("\\u{1b}[2J") && list.contains("\\u{202e}") && list.contains("\\u{1b}[31m"),
        "{list}"
    );
    assert!(!list.chars().any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{202e}'), "{list}");
    assert!(list.contains("640 kg"), "{list}");
    // JSON keeps the text exact.
    let json = stdout_of(vigia().args(["search", "--format", "json", "--db"]).arg(&db).arg("cocaine"));
    let hit: Value = serde_json::from_str(json.trim()).unwrap();
    assert!(hit["snippet"].as_str().unwrap().contains("\u{1b}[2J"), "{hit}");
}

#[test]
fn search_ends_quietly_when_the_reader_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    for format in ["table", "csv", "json"] {
        let (status, stderr) = with_closed_stdout(&["search", "extor*", "--format", format], &db);
        assert!(status.success(), "{format}: {status}, stderr: {stderr}");
        assert!(!stderr.contains("rror") && !stderr.contains("panicked"), "{format}: {stderr}");
    }
}
