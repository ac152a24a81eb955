//! `warc` pages kept by reference: archives built here from the pages in
//! `tests/fixtures/warc_reference/`, ingested with `vigia run`, their pages read back from the
//! archive by `vigia reprocess`.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::cli::vigia;
use predicates::prelude::*;
use rusqlite::Connection;

const ES: &str = "https://diariodelsur.example/regionales/penal-san-roque-hacinamiento";
const EN: &str = "https://frontierreport.example/2025/03/04/border-marijuana-seizure";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/warc_reference")
            .join(name),
    )
    .unwrap()
}

/// One WARC/1.0 record.
fn record(kind: &str, uri: &str, id: &str, block: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2025-03-05T10:00:00Z\r\n\
         WARC-Record-ID: <urn:uuid:{id}>\r\nContent-Type: application/http; msgtype={kind}\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn page(uri: &str, id: &str, file: &str) -> Vec<u8> {
    let mut block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n".to_vec();
    block.extend_from_slice(&fixture(file));
    record("response", uri, id, &block)
}

/// Two pages, with the request of the second between them.
fn crawl() -> Vec<Vec<u8>> {
    vec![
        page(ES, "resp-es", "carcel-hacinamiento.html"),
        record(
            "request",
            EN,
            "req-en",
            b"GET /2025/03/04/border-marijuana-seizure HTTP/1.1\r\n\r\n",
        ),
        page(EN, "resp-en", "border-seizure.html"),
    ]
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// How an archive is written.
#[derive(Debug, Clone, Copy)]
enum Form {
    PerRecordGzip,
    Plain,
    WholeFileGzip,
}

/// Writes the crawl in `form` into `dir` with a configuration reading it; gives the
/// configuration and the archive.
fn setup(dir: &Path, form: Form, extra: &str) -> (PathBuf, PathBuf) {
    let records = crawl();
    let (name, bytes) = match form {
        Form::PerRecordGzip => ("crawl.warc.gz", records.iter().flat_map(|r| gzip(r)).collect()),
        Form::Plain => ("crawl.warc", records.concat()),
        Form::WholeFileGzip => ("crawl.warc.gz", gzip(&records.concat())),
    };
    let archives = dir.join("archives");
    std::fs::create_dir_all(&archives).unwrap();
    let archive = archives.join(name);
    std::fs::write(&archive, bytes).unwrap();
    let cfg = dir.join("vigia.toml");
    let text = format!("database = \"vigia.db\"\n\n[[sources]]\nname = \"crawl\"\nkind = \"warc\"\nurl = \"archives\"\n{extra}");
    std::fs::write(&cfg, text).unwrap();
    (cfg, std::fs::canonicalize(archive).unwrap())
}

fn run(cfg: &Path) -> assert_cmd::assert::Assert {
    vigia().args(["run", "--all", "--config"]).arg(cfg).assert()
}

fn reprocess(cfg: &Path) -> assert_cmd::assert::Assert {
    vigia().args(["reprocess", "--config"]).arg(cfg).assert()
}

/// Every article, statistic and entity as text rows, in a fixed order.
fn results(db: &Path) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let mut rows = Vec::new();
    for sql in [
        "SELECT url || ' | ' || coalesce(title, '') || ' | ' || length(body) FROM articles",
        "SELECT a.url || ' | ' || s.value || ' ' || s.unit || ' ' || coalesce(s.topic, '') || ' @' || s.start
         FROM statistics s JOIN articles a ON a.id = s.article_id",
        "SELECT a.url || ' | ' || e.type || ' ' || e.name || ' @' || e.start FROM entities e JOIN articles a ON a.id = e.article_id",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        rows.extend(stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap));
    }
    rows.sort();
    rows
}

/// A page's (url, body is stored, archive, archive_offset, body_size).
type PageRow = (String, bool, Option<String>, Option<i64>, Option<i64>);

/// The crawl's pages, by URL.
fn pages(db: &Path) -> Vec<PageRow> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT url, body IS NOT NULL, archive, archive_offset, body_size FROM pages WHERE url LIKE 'https:%' ORDER BY url")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Runs `cfg` (two articles) and checks every page was stored as a copy, with no archive
/// location; gives the database.
fn stored_as_copies(cfg: &Path, dir: &Path) -> PathBuf {
    let db = dir.join("vigia.db");
    run(cfg).success().stderr(predicate::str::contains("2 articles new"));
    for (url, has_body, at, offset, _) in pages(&db) {
        assert!(has_body && at.is_none() && offset.is_none(), "{url}");
    }
    db
}

/// Runs `reprocess` on `cfg` and checks it rebuilt the results `db` held before.
fn reprocess_gives_the_same_results(cfg: &Path, db: &Path) {
    let before = results(db);
    reprocess(cfg).success();
    assert_eq!(results(db), before);
}

#[test]
fn per_record_gzip_and_plain_archives_are_kept_by_reference_and_reprocess_alike() {
    for form in [Form::PerRecordGzip, Form::Plain] {
        let dir = tempfile::tempdir().unwrap();
        let (cfg, archive) = setup(dir.path(), form, "");
        let db = dir.path().join("vigia.db");
        run(&cfg).success().stderr(predicate::str::contains("2 articles new"));

        let stored = pages(&db);
        assert_eq!(stored.len(), 2, "{form:?}: {stored:?}");
        for (url, has_body, at, offset, size) in &stored {
            assert!(!has_body, "{form:?}: {url} copied");
            assert_eq!(at.as_deref(), archive.to_str(), "{form:?}: {url}");
            assert!(
                offset.is_some() && size.is_some_and(|s| s > 0),
                "{form:?}: {url}: {offset:?} {size:?}"
            );
        }
        // The first record starts the file; the second page follows a request record.
        assert_eq!((&stored[0].0, stored[0].3), (&ES.to_string(), Some(0)), "{form:?}");
        assert!(stored[1].3.is_some_and(|o| o > 0), "{form:?}");
        let before = results(&db);
        assert!(
            before.iter().any(|r| r.starts_with(ES) && r.contains("| 3412.0 count prisons")),
            "{form:?}: {before:?}"
        );
        assert!(
            before.iter().any(|r| r.starts_with(EN) && r.contains("| 1800.0 kg drug_seizure")),
            "{form:?}: {before:?}"
        );

        reprocess(&cfg)
            .success()
            .stderr(predicate::str::contains("vigia reprocess: 2 pages, 2 articles re-extracted"));
        assert_eq!(results(&db), before, "{form:?}");
        assert_eq!(pages(&db), stored, "{form:?}");
    }
}

#[test]
fn an_archive_moved_away_fails_reprocess_by_name_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, archive) = setup(dir.path(), Form::PerRecordGzip, "");
    let db = dir.path().join("vigia.db");
    run(&cfg).success();
    let before = results(&db);
    let stored = pages(&db);

    let moved = dir.path().join("elsewhere.warc.gz");
    std::fs::rename(&archive, &moved).unwrap();
    reprocess(&cfg).code(1).stderr(
        predicate::str::contains(archive.to_str().unwrap())
            .and(predicate::str::contains("2 pages could not be read"))
            .and(predicate::str::contains("0 articles re-extracted")),
    );
    assert_eq!(results(&db), before);
    assert_eq!(pages(&db), stored);

    // Another archive in its place: its records are not the pages stored.
    let other: Vec<u8> = crawl().iter().rev().flat_map(|r| gzip(r)).collect();
    std::fs::write(&archive, other).unwrap();
    reprocess(&cfg).code(1).stderr(
        predicate::str::contains("the archive has changed")
            .and(predicate::str::contains(archive.to_str().unwrap()))
            .and(predicate::str::contains("2 pages could not be read")),
    );
    assert_eq!(results(&db), before);

    // Back where it was, the pages read again.
    std::fs::rename(&moved, &archive).unwrap();
    reprocess(&cfg).success();
    assert_eq!(results(&db), before);
}

#[test]
fn a_whole_file_gzip_archive_is_copied() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, _) = setup(dir.path(), Form::WholeFileGzip, "");
    let db = stored_as_copies(&cfg, dir.path());
    reprocess_gives_the_same_results(&cfg, &db);
}

#[test]
fn copy_pages_keeps_a_copy_and_is_refused_on_other_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, archive) = setup(dir.path(), Form::PerRecordGzip, "copy_pages = true\n");
    let db = stored_as_copies(&cfg, dir.path());
    // The copies stand without the archive.
    std::fs::remove_file(&archive).unwrap();
    reprocess_gives_the_same_results(&cfg, &db);

    let text = "[[sources]]\nname = \"feed\"\nkind = \"rss\"\nurl = \"https://diariodelsur.example/feed\"\ncopy_pages = true\n";
    std::fs::write(&cfg, text).unwrap();
    vigia()
        .args(["run", "--all", "--config"])
        .arg(&cfg)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sources.copy_pages").and(predicate::str::contains("warc")));
}

/// An archive whose name is not UTF-8 cannot be named in the database as written, so its
/// pages are kept as copies instead of references that could never be read back.
#[cfg(unix)]
#[test]
fn an_archive_whose_name_is_not_utf8_is_copied() {
    use std::os::unix::ffi::OsStrExt;

    let dir = tempfile::tempdir().unwrap();
    let (cfg, archive) = setup(dir.path(), Form::PerRecordGzip, "");
    let renamed = archive.with_file_name(std::ffi::OsStr::from_bytes(b"rastreo-\xf1.warc.gz"));
    std::fs::rename(&archive, &renamed).unwrap();
    let db = stored_as_copies(&cfg, dir.path());
    reprocess_gives_the_same_results(&cfg, &db);
}
