//! `warc` sources end to end: archives built here from the pages in `tests/fixtures/warc/`
//! and read by `vigia run`.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::cli::vigia;
use predicates::prelude::*;
use rusqlite::Connection;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/warc").join(name)).unwrap()
}

/// One WARC/1.1 record (WARC/1.0 for requests, as mixed archives have them).
fn record(kind: &str, uri: &str, id: &str, block: &[u8]) -> Vec<u8> {
    let version = if kind == "request" { "WARC/1.0" } else { "WARC/1.1" };
    let mut out = format!(
        "{version}\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{id}>\r\nWARC-Date: 2025-04-01T06:00:00Z\r\n\
         WARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype={kind}\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn response(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nServer: test\r\n{headers}\r\n").into_bytes();
    out.extend_from_slice(body);
    out
}

/// `body` in chunks of at most 100 bytes.
fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in body.chunks(100) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

const EN: &str = "https://monitor.example/2025/03/30/prison-census";
const ES: &str = "https://litoral.example/judiciales/decomiso-banano";
const CP1252: &str = "https://vigiasur.example/nota/extorsion-transportistas";

/// The records of a small crawl: three HTML pages answered 200 among what else a crawl keeps.
fn crawl() -> Vec<Vec<u8>> {
    let html = "Content-Type: text/html; charset=utf-8\r\n";
    vec![
        record(
            "warcinfo",
            "",
            "info",
            b"software: test-crawler\r\nformat: WARC File Format 1.1\r\n",
        ),
        record(
            "request",
            EN,
            "req-1",
            b"GET /2025/03/30/prison-census HTTP/1.1\r\nHost: monitor.example\r\n\r\n",
        ),
        record("response", EN, "resp-1", &response("200 OK", html, &fixture("prison-census.html"))),
        record(
            "response",
            "https://monitor.example/missing",
            "resp-2",
            &response("404 Not Found", html, b"<html><body><p>Not found</p></body></html>"),
        ),
        record(
            "response",
            "https://monitor.example/logo.png",
            "resp-3",
            &response("200 OK", "Content-Type: image/png\r\n", b"\x89PNG\r\n\x1a\n"),
        ),
        record(
            "response",
            ES,
            "resp-4",
            &response(
                "200 OK",
                "Content-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n",
                &chunked(&fixture("incautacion-puerto.html")),
            ),
        ),
        record(
            "response",
            CP1252,
            "resp-5",
            &response(
                "200 OK",
                "Content-Type: text/html; charset=windows-1252\r\n",
                &fixture("extorsion-cp1252.html"),
            ),
        ),
        record("metadata", EN, "meta-1", b"outlink: https://monitor.example/\r\n"),
    ]
}

fn config(dir: &Path, spec: &str) -> PathBuf {
    let cfg = dir.join("vigia.toml");
    let text = format!("database = \"vigia.db\"\n\n[[sources]]\nname = \"archive\"\nkind = \"warc\"\nurl = \"{spec}\"\n");
    std::fs::write(&cfg, text).unwrap();
    cfg
}

fn run(cfg: &Path) -> assert_cmd::assert::Assert {
    vigia().args(["run", "--all", "--config"]).arg(cfg).assert()
}

fn article_urls(db: &Path) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT url FROM articles ORDER BY url").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn one<T: rusqlite::types::FromSql>(db: &Path, sql: &str) -> T {
    Connection::open(db).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn sorted(urls: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = urls.iter().map(|u| u.to_string()).collect();
    all.sort();
    all
}

#[test]
fn html_200_responses_become_articles_once() {
    let dir = tempfile::tempdir().unwrap();
    let archives = dir.path().join("archives");
    std::fs::create_dir(&archives).unwrap();
    let members: Vec<u8> = crawl().iter().flat_map(|r| gzip(r)).collect();
    let path = archives.join("crawl-00001.warc.gz");
    std::fs::write(&path, &members).unwrap();
    let cfg = config(dir.path(), "archives");
    let db = dir.path().join("vigia.db");

    run(&cfg).success().stderr(predicate::str::contains("3 articles new"));
    assert_eq!(article_urls(&db), sorted(&[EN, ES, CP1252]));
    let body: String = one(&db, &format!("SELECT body FROM articles WHERE url = '{CP1252}'"));
    assert!(body.contains("La policía detuvo a 12 presuntos integrantes"), "{body}");
    let chunked: String = one(&db, &format!("SELECT body FROM articles WHERE url = '{ES}'"));
    assert!(chunked.contains("2,3 toneladas de cocaína"), "{chunked}");
    assert!(!chunked.contains("\r\n"), "chunk sizes left in the body: {chunked}");
    // The fetch date is the record's; the published date is the page's own.
    let (fetched, published): (String, String) = Connection::open(&db)
        .unwrap()
        .query_row(&format!("SELECT fetched_at, published FROM articles WHERE url = '{EN}'"), [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(fetched.starts_with("2025-04-01T06:00:00"), "{fetched}");
    assert!(published.starts_with("2025-03-30"), "{published}");
    let stats: i64 = one(&db, "SELECT count(*) FROM statistics");
    assert!(stats > 0);

    // A second run: the archive has not changed, nothing is stored.
    run(&cfg)
        .success()
        .stderr(predicate::str::contains("0 pages fetched, 1 not modified").and(predicate::str::contains("0 articles new")));
    assert_eq!(one::<i64>(&db, "SELECT count(*) FROM articles"), 3);

    // A capture appended to the archive: only its page is new, the rest is passed over.
    let mut grown = members;
    let extra = fixture("prison-census.html");
    let extra = String::from_utf8(extra).unwrap().replace("14,200 inmates", "15,050 inmates");
    let later = "https://monitor.example/2025/04/01/prison-census-update";
    grown.extend(gzip(&record(
        "response",
        later,
        "resp-6",
        &response("200 OK", "Content-Type: text/html\r\n", extra.as_bytes()),
    )));
    std::fs::write(&path, &grown).unwrap();
    let future = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(future)
        .unwrap();
    run(&cfg)
        .success()
        .stderr(predicate::str::contains("1 pages fetched, 3 not modified").and(predicate::str::contains("1 articles new")));
    assert_eq!(article_urls(&db), sorted(&[EN, ES, CP1252, later]));
}

#[test]
fn whole_file_gzip_and_plain_archives_read_alike() {
    let dir = tempfile::tempdir().unwrap();
    let all: Vec<u8> = crawl().concat();
    std::fs::write(dir.path().join("whole.warc.gz"), gzip(&all)).unwrap();
    let cfg = config(dir.path(), "whole.warc.gz");
    run(&cfg).success();
    assert_eq!(article_urls(&dir.path().join("vigia.db")), sorted(&[EN, ES, CP1252]));

    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("crawl.warc"), &all).unwrap();
    let cfg = config(plain.path(), "*.warc");
    run(&cfg).success();
    assert_eq!(article_urls(&plain.path().join("vigia.db")), sorted(&[EN, ES, CP1252]));
}

#[test]
fn a_truncated_archive_keeps_its_whole_records_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let records = crawl();
    // The first archive stops in the middle of its chunked response.
    let cut: Vec<u8> = records[..5].iter().flat_map(|r| gzip(r)).collect();
    let mut cut_archive = cut.clone();
    let half = gzip(&records[5]);
    cut_archive.extend_from_slice(&half[..half.len() / 2]);
    std::fs::write(dir.path().join("a-cut.warc.gz"), &cut_archive).unwrap();
    // The second is whole, with one more page.
    let other = "https://litoral.example/judiciales/otra-nota";
    let page = String::from_utf8(fixture("incautacion-puerto.html"))
        .unwrap()
        .replace("2,3 toneladas", "4,1 toneladas");
    std::fs::write(
        dir.path().join("b-whole.warc.gz"),
        gzip(&record(
            "response",
            other,
            "resp-9",
            &response("200 OK", "Content-Type: text/html\r\n", page.as_bytes()),
        )),
    )
    .unwrap();
    let cfg = config(dir.path(), "*.warc.gz");
    let db = dir.path().join("vigia.db");

    run(&cfg).code(1).stderr(predicate::str::contains("a-cut.warc.gz"));
    assert_eq!(article_urls(&db), sorted(&[EN, other]));
    let error: String = one(&db, "SELECT error FROM pages WHERE url LIKE 'file://%a-cut.warc.gz'");
    assert!(error.contains("ends inside a record"), "{error}");

    // Read again next time (it failed), without storing its first page twice.
    run(&cfg).code(1);
    assert_eq!(one::<i64>(&db, "SELECT count(*) FROM articles"), 2);
}

#[test]
fn garbage_in_an_archive_is_an_error_not_a_stall() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = crawl()[2].clone();
    bytes.extend_from_slice(b"<html>this is no record</html>\r\nWARC/1.1\r\nContent-Length: 99999999999\r\n\r\n");
    std::fs::write(dir.path().join("bad.warc"), bytes).unwrap();
    let cfg = config(dir.path(), ".");
    run(&cfg).code(1).stderr(predicate::str::contains("malformed record"));
    assert_eq!(article_urls(&dir.path().join("vigia.db")), [EN.to_string()]);
}

#[test]
fn a_warc_source_naming_nothing_is_refused_at_run_time_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "missing/*.warc.gz");
    run(&cfg).code(1).stderr(predicate::str::contains("matches no files"));
}
