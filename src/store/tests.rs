//! Store tests on temporary files, through the real migrations.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rusqlite::Connection;

use super::*;
use crate::extract::{Change, Entity, EntityType, Extraction, LocationFrom, Qualifier, Statistic, Topic, Unit};
use crate::fetch::{OutcomeKind, Validators};

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("vigia.db")).unwrap();
    (dir, store)
}

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, day, 12, 0, 0).unwrap()
}

fn page(url: &str, body: &str) -> PageRecord {
    PageRecord {
        url: url.into(),
        final_url: url.into(),
        source: "wire".into(),
        status: Some(200),
        content_type: Some("text/html".into()),
        body: Some(body.as_bytes().to_vec()),
        fetched_at: at(3),
        ..PageRecord::default()
    }
}

fn article(canonical: &str, body: &str, published: Option<&str>) -> NewArticle {
    NewArticle {
        canonical_url: canonical.into(),
        url: canonical.into(),
        source: "wire".into(),
        title: Some("Prison riot leaves nine dead".into()),
        published: published.map(String::from),
        modified: None,
        authors: vec!["Ana Pérez".into(), "John Roe".into()],
        language: Some("en".into()),
        body: body.into(),
        fetched_at: at(3),
        simhash: None,
    }
}

fn extraction() -> Extraction {
    Extraction {
        relevance: 0.8,
        topics: vec![Topic::Prisons, Topic::Homicide],
        statistics: vec![
            Statistic {
                value: Some(9.0),
                low: None,
                high: None,
                unit: Unit::Count,
                qualifier: Some(Qualifier::AtLeast),
                counted: Some("inmates".into()),
                topic: Some(Topic::Prisons),
                metric: Some("inmates killed".into()),
                year: Some(2024),
                location: Some("EC".into()),
                source: Some("the prison service".into()),
                sentence: "At least 9 inmates were killed, the prison service said.".into(),
                start: 40,
                end: 49,
                change: None,
                location_from: Some(LocationFrom::Sentence),
            },
            Statistic {
                value: None,
                low: Some(200.0),
                high: Some(400.0),
                unit: Unit::Kg,
                qualifier: None,
                counted: None,
                topic: Some(Topic::DrugSeizure),
                metric: Some("cocaine seized".into()),
                year: None,
                location: None,
                source: None,
                sentence: "Guards found between 200 and 400 kilograms of cocaine.".into(),
                start: 5,
                end: 20,
                change: Some(Change::Increase),
                location_from: None,
            },
        ],
        entities: vec![Entity {
            kind: EntityType::Person,
            name: "Ana Pérez".into(),
            role: Some("Interior minister".into()),
            country: None,
            start: 60,
            end: 69,
        }],
    }
}

const BODY: &str = "A riot in the Litoral prison left nine inmates dead on Tuesday.\n\n\
                    Guards found between 200 and 400 kilograms of cocaine.";

/// Saves a new article at `url` with [`BODY`] and [`extraction`], and gives its id.
fn new_article(store: &Store, url: &str) -> i64 {
    match store
        .save_article(&page(url, BODY), &article(url, BODY, None), &extraction())
        .unwrap()
    {
        Saved::New(id) => id,
        other => panic!("{url} was not new: {other:?}"),
    }
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn open_creates_the_schema_in_wal_mode() {
    let (_dir, store) = temp_store();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let mode: String = store.conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = store.conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
    assert_eq!(fk, 1);
    let page_size: i64 = store.conn.pragma_query_value(None, "page_size", |r| r.get(0)).unwrap();
    assert_eq!(page_size, NEW_FILE_PAGE_SIZE);
    for table in [
        "sources",
        "pages",
        "articles",
        "article_urls",
        "statistics",
        "entities",
        "runs",
        "articles_fts",
    ] {
        let n = count(&store, &format!("SELECT count(*) FROM sqlite_schema WHERE name = '{table}'"));
        assert_eq!(n, 1, "table {table}");
    }
}

#[test]
fn a_file_made_elsewhere_keeps_its_page_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vigia.db");
    // An empty file with SQLite's default pages, as another program leaves it.
    Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 0; CREATE TABLE t (x); DROP TABLE t;")
        .unwrap();
    let store = Store::open(&path).unwrap();
    let page_size: i64 = store.conn.pragma_query_value(None, "page_size", |r| r.get(0)).unwrap();
    assert_eq!(page_size, 4096);
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn reopening_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("vigia.db");
    drop(Store::open(&path).unwrap());
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

/// Inserts one article about extortion by SQL alone, as another program (or a vigia of the
/// first schema version) would.
fn insert_bare_article(conn: &Connection) {
    conn.execute_batch(include_str!("../../tests/fixtures/store/bare_article.sql"))
        .unwrap();
}

#[test]
fn an_older_database_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let old = Store::open_migrated(&path, 1).unwrap();
        assert_eq!(old.schema_version().unwrap(), 1);
        insert_bare_article(&old.conn);
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    // The full-text index added by a later migration covers rows stored before it.
    let found = count(&store, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'extortion'");
    assert_eq!(found, 1);
}

#[test]
fn a_version_3_database_gains_change_and_location_from_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    {
        let old = Store::open_migrated(&path, 3).unwrap();
        assert_eq!(old.schema_version().unwrap(), 3);
        old.conn
            .execute_batch(
                "INSERT INTO articles (id, canonical_url, url, source, body, extractor_version,
                     fetched_at, created_at)
                 VALUES (1, 'https://x.example/1', 'https://x.example/1', 'wire',
                     'Murders rose by 12 percent.', '0.1.0', '2024-01-01T00:00:00Z',
                     '2024-01-01T00:00:00Z');
                 INSERT INTO statistics (article_id, value, unit, sentence, \"start\", \"end\")
                 VALUES (1, 12, 'percent', 'Murders rose by 12 percent.', 16, 26);",
            )
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    // The row stored before keeps its figure, with neither field known yet.
    let mut rows = Vec::new();
    store
        .statistics(&ExportFilter::default(), &mut |row| {
            rows.push(row);
            Ok(())
        })
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].figure.value, rows[0].figure.unit.as_str()), (Some(12.0), "percent"));
    assert_eq!((rows[0].figure.change.as_deref(), rows[0].location_from.as_deref()), (None, None));
    // The new columns take only the values of the record.
    store
        .conn
        .execute("UPDATE statistics SET change = 'decrease', location_from = 'article'", [])
        .unwrap();
    for bad in [
        "UPDATE statistics SET change = 'up'",
        "UPDATE statistics SET location_from = 'title'",
    ] {
        assert!(store.conn.execute(bad, []).is_err(), "{bad}");
    }
}

#[test]
fn a_newer_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Store::open(&path).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    }
    for result in [Store::open(&path), Store::open_read_only(&path)] {
        let err = result.err().expect("a newer schema must be refused");
        let msg = err.to_string();
        assert!(msg.contains("newer"), "{msg}");
        assert!(msg.contains("new.db"), "{msg}");
    }
}

#[test]
fn read_only_open_needs_an_existing_vigia_database() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let msg = Store::open_read_only(&missing).err().unwrap().to_string();
    assert!(msg.contains("missing.db"), "{msg}");
    assert!(!missing.exists());

    let other = dir.path().join("other.db");
    Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
    let msg = Store::open_read_only(&other).err().unwrap().to_string();
    assert!(msg.contains("not a vigia database"), "{msg}");

    let text = dir.path().join("notes.db");
    std::fs::write(&text, "just some text, long enough to not be a database header").unwrap();
    let msg = Store::open_read_only(&text).err().unwrap().to_string();
    assert!(msg.contains("notes.db"), "{msg}");
    let msg = Store::open(&text).err().unwrap().to_string();
    assert!(msg.contains("notes.db"), "{msg}");
}

#[test]
fn read_only_open_never_migrates_an_older_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    drop(Store::open_migrated(&path, 1).unwrap());
    let before = std::fs::read(&path).unwrap();
    let err = Store::open_read_only(&path).err().expect("an older schema is refused");
    assert!(
        matches!(
            err,
            StoreError::Outdated {
                found: 1,
                needed: SCHEMA_VERSION,
                ..
            }
        ),
        "{err}"
    );
    let msg = err.to_string();
    assert!(msg.contains("old.db") && msg.contains("vigia run"), "{msg}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file is untouched");
    // Once upgraded by a writer, it opens.
    drop(Store::open(&path).unwrap());
    let store = Store::open_read_only(&path).unwrap();
    assert!(store.query("SELECT count(*) FROM articles_fts").is_ok());
}

#[test]
fn save_article_stores_article_statistics_and_entities() {
    let (_dir, store) = temp_store();
    let saved = store
        .save_article(
            &page("https://news.example/riot?utm_source=x", BODY),
            &article("https://news.example/riot", BODY, Some("2024-06-02")),
            &extraction(),
        )
        .unwrap();
    let Saved::New(id) = saved else {
        panic!("expected a new article, got {saved:?}")
    };
    assert_eq!(store.articles_count().unwrap(), 1);
    let (author, topics, version, hash): (String, String, String, String) = store
        .conn
        .query_row(
            "SELECT author, topics, extractor_version, content_hash FROM articles WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(author, "Ana Pérez; John Roe");
    assert_eq!(topics, r#"["prisons","homicide"]"#);
    assert_eq!(version, crate::extract::EXTRACTOR_VERSION);
    assert_eq!(hash, content_hash(BODY));

    let mut stats = Vec::new();
    store
        .statistics(&ExportFilter::default(), &mut |row| {
            stats.push(row);
            Ok(())
        })
        .unwrap();
    assert_eq!(stats.len(), 2);
    // Ordered by offset within the article.
    assert_eq!(stats[0].figure.unit, "kg");
    assert_eq!((stats[0].figure.low, stats[0].figure.high), (Some(200.0), Some(400.0)));
    assert_eq!(stats[1].figure.qualifier.as_deref(), Some("at_least"));
    assert_eq!(stats[1].attributed_to.as_deref(), Some("the prison service"));
    assert_eq!(stats[1].figure.year, Some(2024));
    assert_eq!(stats[1].figure.article_url, "https://news.example/riot");
    assert_eq!(stats[1].figure.published.as_deref(), Some("2024-06-02"));
    assert_eq!(stats[1].figure.source, "wire");
    assert_eq!(stats[0].figure.change.as_deref(), Some("increase"));
    assert_eq!(stats[0].location_from, None);
    assert_eq!(stats[1].figure.change, None);
    assert_eq!(stats[1].location_from.as_deref(), Some("sentence"));

    let mut entities = Vec::new();
    store
        .entities(&ExportFilter::default(), &mut |row| {
            entities.push(row);
            Ok(())
        })
        .unwrap();
    assert_eq!(entities.len(), 1);
    assert_eq!(entities[0].kind, "person");
    assert_eq!(entities[0].role.as_deref(), Some("Interior minister"));

    // The page was kept, compressed, and comes back whole.
    let pages = store.stored_pages(None).unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].body, BODY.as_bytes());
    let stored_len: i64 = count(&store, "SELECT length(body) FROM pages");
    assert!(stored_len > 0);
}

#[test]
fn the_same_article_under_a_second_url_is_stored_once() {
    let (_dir, store) = temp_store();
    let first = store
        .save_article(
            &page("https://news.example/riot?utm_source=feed", BODY),
            &article("https://news.example/riot", BODY, None),
            &extraction(),
        )
        .unwrap();
    let Saved::New(id) = first else { panic!("{first:?}") };
    let mut other = page("https://m.news.example/riot", "mobile page");
    other.final_url = "https://m.news.example/riot/".into();
    let second = store
        .save_article(
            &other,
            &article("https://news.example/riot", "A slightly edited body.", None),
            &extraction(),
        )
        .unwrap();
    assert_eq!(second, Saved::Duplicate(id));
    assert_eq!(store.articles_count().unwrap(), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM statistics"), 2);
    for url in [
        "https://news.example/riot?utm_source=feed",
        "https://news.example/riot",
        "https://m.news.example/riot",
        "https://m.news.example/riot/",
    ] {
        assert_eq!(store.article_for_url(url).unwrap(), Some(id), "{url}");
    }
    assert_eq!(store.article_for_url("https://news.example/other").unwrap(), None);
}

#[test]
fn the_same_body_under_another_canonical_url_is_a_duplicate() {
    let (_dir, store) = temp_store();
    let id = new_article(&store, "https://a.example/story");
    // Whitespace and case do not make a different article.
    let reworded = BODY.to_uppercase().replace("\n\n", "\n \n  ");
    let saved = store
        .save_article(
            &page("https://b.example/copy", &reworded),
            &article("https://b.example/copy", &reworded, None),
            &extraction(),
        )
        .unwrap();
    assert_eq!(saved, Saved::Duplicate(id));
    assert_eq!(store.article_for_url("https://b.example/copy").unwrap(), Some(id));
    // A later page that names the alias as canonical is the same article too.
    let saved = store
        .save_article(
            &page("https://b.example/copy?page=1", "x"),
            &article("https://b.example/copy", "Yet another text", None),
            &extraction(),
        )
        .unwrap();
    assert_eq!(saved, Saved::Duplicate(id));
    assert_eq!(store.articles_count().unwrap(), 1);
}

#[test]
fn full_text_search_finds_words_and_follows_updates() {
    let (_dir, store) = temp_store();
    let id = new_article(&store, "https://a.example/1");
    let search = |word: &str| {
        store
            .query(&format!("SELECT rowid FROM articles_fts WHERE articles_fts MATCH '{word}'"))
            .unwrap()
            .rows
    };
    assert_eq!(search("cocaine"), vec![vec![serde_json::json!(id)]]);
    assert_eq!(search("riot"), vec![vec![serde_json::json!(id)]]);
    assert!(search("football").is_empty());

    // The same text again (a reprocess by the same extractor) leaves the index as it was.
    let index_rows = || count(&store, "SELECT count(*) FROM articles_fts_data");
    let before = index_rows();
    store
        .replace_extraction(id, &article("https://a.example/1", BODY, None), &extraction())
        .unwrap();
    assert_eq!(index_rows(), before, "an unchanged text is not indexed again");
    assert_eq!(search("cocaine"), vec![vec![serde_json::json!(id)]]);

    let mut changed = article("https://a.example/1", "Extorsión en el transporte.", None);
    changed.title = Some("Extorsión".into());
    store.replace_extraction(id, &changed, &Extraction::default()).unwrap();
    assert!(search("cocaine").is_empty());
    // Accents are folded.
    assert_eq!(search("extorsion"), vec![vec![serde_json::json!(id)]]);
    assert_eq!(count(&store, "SELECT count(*) FROM statistics"), 0);
}

#[test]
fn replace_extraction_replaces_rows_and_deletes_cascade() {
    let (_dir, store) = temp_store();
    let id = new_article(&store, "https://a.example/1");
    let mut new = extraction();
    new.statistics.truncate(1);
    new.relevance = 0.25;
    store
        .replace_extraction(id, &article("https://a.example/1", BODY, None), &new)
        .unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM statistics"), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM entities"), 1);
    assert!(store.replace_extraction(id + 100, &article("https://z", "z", None), &new).is_err());

    store.conn.execute("DELETE FROM articles WHERE id = ?1", [id]).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM statistics"), 0);
    assert_eq!(count(&store, "SELECT count(*) FROM entities"), 0);
    assert_eq!(count(&store, "SELECT count(*) FROM article_urls"), 0);
}

#[test]
fn replace_extraction_keeps_the_rows_it_finds_again_and_replaces_the_rest() {
    let (_dir, store) = temp_store();
    let id = new_article(&store, "https://a.example/1");
    // Another article's rows come after, so rows written again get new ids.
    let other_body = "Customs officers seized 120 kilograms of cocaine hidden in a container of frozen fish at the port on Tuesday, \
                      the third such seizure this month, and two dock workers were detained for questioning.";
    store
        .save_article(
            &page("https://a.example/2", other_body),
            &article("https://a.example/2", other_body, None),
            &extraction(),
        )
        .unwrap();
    let ids = |table: &str| -> String {
        store
            .conn
            .query_row(
                &format!("SELECT group_concat(id) FROM (SELECT id FROM {table} WHERE article_id = {id} ORDER BY id)"),
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let (figures, entities) = (ids("statistics"), ids("entities"));
    let again = |extraction: &Extraction| {
        store
            .replace_extraction(id, &article("https://a.example/1", BODY, None), extraction)
            .unwrap()
    };

    again(&extraction());
    assert_eq!(
        (ids("statistics"), ids("entities")),
        (figures.clone(), entities.clone()),
        "found again as stored"
    );

    // A figure re-read differently at the same place is the same figure: its row and id stay,
    // with the new attribution, and its claim is left to be decided again.
    let mut other = extraction();
    other.statistics[1].source = Some("the guards' union".into());
    again(&other);
    assert_eq!(ids("statistics"), figures, "the figures keep their ids");
    assert_eq!(ids("entities"), entities, "the entities were found again");
    let second = figures.split(',').nth(1).unwrap().to_string();
    assert_eq!(
        count(
            &store,
            &format!("SELECT count(*) FROM statistics WHERE id = {second} AND attributed_to = 'the guards'' union' AND claim_id IS NULL")
        ),
        1
    );

    // A figure at a place where none was before is a new row; the one found there no more goes.
    let mut moved = other.clone();
    moved.statistics[1].start += 1;
    again(&moved);
    let first = figures.split(',').next().unwrap().to_string();
    let now = ids("statistics");
    assert_eq!(now.split(',').next(), Some(first.as_str()), "the first figure keeps its id");
    assert_eq!(now.split(',').count(), 2);
    assert!(!now.split(',').any(|n| n == second), "the second figure's old row is gone: {now}");
    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT count(*) FROM statistics WHERE article_id = {id} AND \"start\" = {}",
                moved.statistics[1].start
            )
        ),
        1
    );

    let figures = ids("statistics");
    let mut fewer = moved.clone();
    fewer.entities.clear();
    again(&fewer);
    assert_eq!(ids("statistics"), figures);
    assert_eq!(count(&store, &format!("SELECT count(*) FROM entities WHERE article_id = {id}")), 0);
}

#[test]
fn replace_extraction_fills_change_and_location_from() {
    let (_dir, store) = temp_store();
    // As an older extractor left it: neither field known.
    let mut old = extraction();
    for s in &mut old.statistics {
        s.change = None;
        s.location_from = None;
    }
    let Saved::New(id) = store
        .save_article(
            &page("https://a.example/1", BODY),
            &article("https://a.example/1", BODY, None),
            &old,
        )
        .unwrap()
    else {
        panic!()
    };
    let filled = "SELECT count(*) FROM statistics WHERE change IS NOT NULL OR location_from IS NOT NULL";
    assert_eq!(count(&store, filled), 0);
    store
        .replace_extraction(id, &article("https://a.example/1", BODY, None), &extraction())
        .unwrap();
    let rows: Vec<(String, Option<String>, Option<String>)> = store
        .conn
        .prepare("SELECT unit, change, location_from FROM statistics ORDER BY \"start\"")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        rows,
        [
            ("kg".to_string(), Some("increase".to_string()), None),
            ("count".to_string(), None, Some("sentence".to_string())),
        ]
    );
}

#[test]
fn record_page_keeps_the_old_body_and_validators() {
    let (_dir, store) = temp_store();
    let mut first = page("https://a.example/1", "<p>first</p>");
    first.etag = Some("\"v1\"".into());
    first.last_modified = Some("Mon, 03 Jun 2024 10:00:00 GMT".into());
    store.record_page(&first).unwrap();

    let not_modified = PageRecord {
        url: first.url.clone(),
        source: "wire".into(),
        status: Some(304),
        fetched_at: at(5),
        ..PageRecord::default()
    };
    store.record_page(&not_modified).unwrap();
    let pages = store.stored_pages(None).unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].body, b"<p>first</p>");
    assert_eq!(pages[0].final_url, "https://a.example/1");
    assert_eq!(pages[0].content_type.as_deref(), Some("text/html"));
    assert_eq!(pages[0].fetched_at, at(3));
    let v = store.validators(&first.url).unwrap();
    assert_eq!(v.etag.as_deref(), Some("\"v1\""));
    assert_eq!(v.last_modified.as_deref(), Some("Mon, 03 Jun 2024 10:00:00 GMT"));

    let mut second = page("https://a.example/1", "<p>second</p>");
    second.etag = Some("\"v2\"".into());
    second.fetched_at = at(6);
    store.record_page(&second).unwrap();
    assert_eq!(store.stored_pages(None).unwrap()[0].body, b"<p>second</p>");
    assert_eq!(store.validators(&first.url).unwrap().etag.as_deref(), Some("\"v2\""));
    assert_eq!(store.validators("https://unknown").unwrap(), Validators::default());

    // `since` filters on when the body was fetched.
    assert_eq!(store.stored_pages(Some(at(7))).unwrap().len(), 0);
    assert_eq!(store.stored_pages(Some(at(6))).unwrap().len(), 1);
}

#[test]
fn errors_and_retry_after_are_recorded_and_cleared_by_success() {
    let (_dir, store) = temp_store();
    let url = "https://a.example/slow";
    let later = Utc::now() + Duration::hours(2);
    store
        .record_page(&PageRecord {
            url: url.into(),
            source: "wire".into(),
            status: Some(503),
            fetched_at: Utc::now(),
            error: Some("HTTP status 503".into()),
            retry_after: Some(later),
            ..PageRecord::default()
        })
        .unwrap();
    let got = store.retry_after(url).unwrap().unwrap();
    assert_eq!(got.timestamp(), later.timestamp());
    let status = {
        store.sync_sources(&[]).unwrap();
        store.record_source_fetch("wire", at(1), None).unwrap();
        store.status().unwrap()
    };
    assert_eq!(status.len(), 1);
    assert_eq!(status[0].failed_pages, 1);

    // A retry time in the past no longer holds the URL back.
    store
        .record_page(&PageRecord {
            url: url.into(),
            source: "wire".into(),
            fetched_at: Utc::now(),
            error: Some("timed out".into()),
            retry_after: Some(Utc::now() - Duration::minutes(1)),
            ..PageRecord::default()
        })
        .unwrap();
    assert_eq!(store.retry_after(url).unwrap(), None);

    store.record_page(&page(url, "<p>ok</p>")).unwrap();
    assert_eq!(store.retry_after(url).unwrap(), None);
    assert_eq!(store.status().unwrap()[0].failed_pages, 0);
    let (attempts, failures): (i64, i64) = store
        .conn
        .query_row("SELECT attempts, failures FROM pages WHERE url = ?1", [url], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((attempts, failures), (3, 0));
}

#[test]
fn sources_runs_and_status() {
    let (_dir, store) = temp_store();
    let config = crate::config::Config::parse(
        r#"
[[sources]]
name = "wire"
kind = "rss"
url = "https://news.example/feed"
schedule = "*/30 * * * *"
language = "es"
"#,
        std::path::Path::new("/tmp/vigia.toml"),
    )
    .unwrap();
    store.sync_sources(&config.sources).unwrap();
    store.sync_sources(&config.sources).unwrap();
    assert_eq!(store.source_last_fetch("wire").unwrap(), None);
    assert_eq!(store.source_last_fetch("nobody").unwrap(), None);
    store.record_source_fetch("wire", at(4), Some("feed is not XML")).unwrap();
    assert_eq!(store.source_last_fetch("wire").unwrap(), Some(at(4)));
    store
        .save_article(
            &page("https://news.example/1", BODY),
            &article("https://news.example/1", BODY, None),
            &extraction(),
        )
        .unwrap();

    let status = store.status().unwrap();
    assert_eq!(status.len(), 1);
    let s = &status[0];
    assert_eq!((s.kind.as_str(), s.url.as_str()), ("rss", "https://news.example/feed"));
    assert_eq!(s.last_fetch_at.as_deref(), Some("2024-06-04T12:00:00Z"));
    assert_eq!(s.last_error.as_deref(), Some("feed is not XML"));
    assert_eq!((s.articles, s.statistics, s.failed_pages), (1, 2, 0));

    assert_eq!(store.last_run().unwrap(), None);
    let run = store.start_run(at(4)).unwrap();
    let summary = RunSummary {
        sources: 1,
        pages_fetched: 3,
        articles_new: 1,
        errors: vec!["feed is not XML".into()],
        ..RunSummary::default()
    };
    store.finish_run(run, at(5), &summary).unwrap();
    let last = store.last_run().unwrap().unwrap();
    assert_eq!(last.id, run);
    assert_eq!(last.finished_at.as_deref(), Some("2024-06-05T12:00:00Z"));
    assert_eq!(last.summary, summary);
    let row = store
        .query("SELECT started_at, finished_at, pages_fetched, errors FROM runs")
        .unwrap();
    assert_eq!(
        row.rows[0],
        vec![
            serde_json::json!("2024-06-04T12:00:00Z"),
            serde_json::json!("2024-06-05T12:00:00Z"),
            serde_json::json!(3),
            serde_json::json!(r#"["feed is not XML"]"#),
        ]
    );
}

#[test]
fn history_past_120_days_is_dropped_but_the_last_run_is_kept() {
    let (_dir, store) = temp_store();
    let day = |n: i64| at(1) + Duration::days(n);
    for n in [0, 10, 200] {
        store.record_outcome("wire", OutcomeKind::Ok, true, day(n)).unwrap();
        let run = store.start_run(day(n)).unwrap();
        store.finish_run(run, day(n), &RunSummary::default()).unwrap();
    }
    let left = |sql: &str| {
        store
            .query(sql)
            .unwrap()
            .rows
            .iter()
            .map(|row| row[0].to_string())
            .collect::<Vec<_>>()
    };

    store.prune_history(day(125)).unwrap();
    assert_eq!(
        left("SELECT day FROM source_outcomes ORDER BY day"),
        ["\"2024-06-11\"", "\"2024-12-18\""]
    );
    assert_eq!(
        left("SELECT substr(started_at, 1, 10) FROM runs ORDER BY id"),
        ["\"2024-06-11\"", "\"2024-12-18\""]
    );

    // Long after every run, the last one is still there for `status`.
    store.prune_history(day(900)).unwrap();
    assert!(left("SELECT day FROM source_outcomes").is_empty());
    assert_eq!(left("SELECT substr(started_at, 1, 10) FROM runs"), ["\"2024-12-18\""]);
}

#[test]
fn query_refuses_writes_on_both_kinds_of_connection() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let writable = Store::open(&path).unwrap();
    writable
        .save_article(
            &page("https://a.example/1", BODY),
            &article("https://a.example/1", BODY, Some("2024-06-02")),
            &extraction(),
        )
        .unwrap();
    let read_only = Store::open_read_only(&path).unwrap();
    for store in [&writable, &read_only] {
        for sql in [
            "INSERT INTO sources (name, created_at, updated_at) VALUES ('x', '', '')",
            "DELETE FROM articles",
            "DROP TABLE statistics",
            "UPDATE articles SET title = 'x'",
            "PRAGMA user_version = 99",
            "PRAGMA journal_mode = DELETE",
            "PRAGMA query_only = OFF",
            "CREATE TABLE t (x)",
            "ATTACH DATABASE ':memory:' AS other",
            "BEGIN",
            "SELECT 1; DELETE FROM articles",
            "",
        ] {
            let err = store.query(sql).err();
            assert!(err.is_some(), "{sql:?} was allowed");
        }
        let msg = store.query("DELETE FROM articles").err().unwrap().to_string();
        assert!(msg.contains("read-only"), "{msg}");
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.articles_count().unwrap(), 1);

        let result = store
            .query(
                "SELECT s.value, s.unit, s.year, a.title, x'00ff' AS raw, NULL AS missing
                 FROM statistics s JOIN articles a ON a.id = s.article_id
                 WHERE s.unit = 'count';",
            )
            .unwrap();
        assert_eq!(result.columns, ["value", "unit", "year", "title", "raw", "missing"]);
        assert_eq!(
            result.rows,
            vec![vec![
                serde_json::json!(9.0),
                serde_json::json!("count"),
                serde_json::json!(2024),
                serde_json::json!("Prison riot leaves nine dead"),
                serde_json::json!("<2 bytes>"),
                serde_json::Value::Null,
            ]]
        );
        assert!(store.query("PRAGMA table_info(articles)").is_ok());
        assert!(store.query("SELECT nonsense FROM nowhere").is_err());
    }
    // The writable connection is still writable after a refused query.
    writable.record_source_fetch("wire", Utc::now(), None).unwrap();
}

#[test]
fn exports_filter_by_published_or_fetch_day_and_relevance() {
    let (_dir, store) = temp_store();
    let items = [
        ("https://a.example/old", Some("2023-12-31"), 0.9),
        ("https://a.example/new", Some("2024-02-01T23:30:00Z"), 0.9),
        // Undated: falls back to its fetch day, 2024-06-03.
        ("https://a.example/undated", None, 0.1),
    ];
    for (i, (url, published, relevance)) in items.into_iter().enumerate() {
        let body = format!("{BODY} Item {i}.");
        let mut e = extraction();
        e.relevance = relevance;
        store.save_article(&page(url, &body), &article(url, &body, published), &e).unwrap();
    }
    let urls = |filter: ExportFilter| {
        let mut urls = Vec::new();
        store
            .articles(&filter, &mut |row| {
                urls.push(row.url);
                Ok(())
            })
            .unwrap();
        urls
    };
    let day = |m, d| NaiveDate::from_ymd_opt(2024, m, d);
    assert_eq!(urls(ExportFilter::default()).len(), 3);
    assert_eq!(
        urls(ExportFilter {
            since: day(1, 1),
            until: day(2, 1),
            ..ExportFilter::default()
        }),
        ["https://a.example/new"]
    );
    assert_eq!(
        urls(ExportFilter {
            since: day(6, 3),
            ..ExportFilter::default()
        }),
        ["https://a.example/undated"]
    );
    assert_eq!(
        urls(ExportFilter {
            min_relevance: Some(0.5),
            ..ExportFilter::default()
        }),
        ["https://a.example/old", "https://a.example/new"]
    );
    let mut n = 0;
    store
        .statistics(
            &ExportFilter {
                until: day(1, 31),
                ..ExportFilter::default()
            },
            &mut |row| {
                assert_eq!(row.figure.article_url, "https://a.example/old");
                n += 1;
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(n, 2);
}

#[test]
fn a_callback_error_stops_the_stream() {
    let (_dir, store) = temp_store();
    for i in 0..3 {
        let url = format!("https://a.example/{i}");
        let body = format!("{BODY} {i}");
        store
            .save_article(&page(&url, &body), &article(&url, &body, None), &extraction())
            .unwrap();
    }
    let mut seen = 0;
    let result = store.articles(&ExportFilter::default(), &mut |_| {
        seen += 1;
        Err(StoreError::Query("stop".into()))
    });
    assert!(result.is_err());
    assert_eq!(seen, 1);
}

#[test]
fn odd_values_do_not_break_a_save() {
    let (_dir, store) = temp_store();
    let mut e = extraction();
    e.relevance = f64::NAN;
    e.statistics[0].value = Some(f64::INFINITY);
    let mut a = article("", "body", None);
    a.url = String::new();
    a.authors = vec!["  ".into()];
    let saved = store.save_article(&page("https://a.example/odd", "body"), &a, &e).unwrap();
    assert!(matches!(saved, Saved::New(_)));
    assert_eq!(
        store.article_for_url("https://a.example/odd").unwrap(),
        Some(match saved {
            Saved::New(id) | Saved::Duplicate(id) | Saved::Changed(id) => id,
        })
    );
}

#[test]
fn stored_pages_stream_while_the_callback_writes() {
    let (_dir, store) = temp_store();
    let mut ids = Vec::new();
    for i in 0..70 {
        let url = format!("https://a.example/{i}");
        let body = format!("{BODY} Number {i}.");
        match store
            .save_article(&page(&url, &body), &article(&url, &body, None), &extraction())
            .unwrap()
        {
            Saved::New(id) => ids.push(id),
            other => panic!("{other:?}"),
        }
    }
    // A page whose stored body is damaged is skipped, not fatal.
    store
        .conn
        .execute("UPDATE pages SET body = x'00010203' WHERE url = 'https://a.example/40'", [])
        .unwrap();
    let mut seen = Vec::new();
    let unreadable = store
        .each_stored_page(None, &mut |p| {
            let id = store.article_for_url(&p.url)?.unwrap();
            let body = String::from_utf8(p.body).unwrap();
            store.replace_extraction(id, &article(&p.url, &body, None), &Extraction::default())?;
            seen.push(p.url);
            Ok(())
        })
        .unwrap();
    assert_eq!(unreadable, 1);
    assert_eq!(seen.len(), 69);
    assert!(!seen.contains(&"https://a.example/40".to_string()));
    assert_eq!(seen[0], "https://a.example/0");
    assert_eq!(count(&store, "SELECT count(*) FROM statistics"), 2);
    assert_eq!(store.stored_pages(None).unwrap().len(), 69);
}

/// A plain WARC file holding one response record for `url` with `body`.
fn warc_with(url: &str, body: &str) -> Vec<u8> {
    let block = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{body}");
    format!(
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Record-ID: <urn:uuid:r1>\r\n\
         Content-Length: {}\r\n\r\n{block}\r\n\r\n",
        block.len()
    )
    .into_bytes()
}

#[test]
fn a_page_kept_in_its_archive_is_read_back_from_it_and_a_copy_replaces_the_reference() {
    let (dir, store) = temp_store();
    let url = "https://a.example/nota";
    let html = "<p>Nota archivada</p>";
    let archive = dir.path().join("crawl.warc");
    std::fs::write(&archive, warc_with(url, html)).unwrap();
    let archived = ArchivedBody {
        archive: archive.to_string_lossy().into_owned(),
        offset: 0,
        size: html.len(),
    };
    let record = PageRecord {
        body: None,
        etag: Some("<urn:uuid:r1>".into()),
        archived: Some(archived.clone()),
        ..page(url, "")
    };
    store.record_page(&record).unwrap();
    let row = "SELECT body IS NULL, archive IS NOT NULL, archive_offset, body_size, body_fetched_at IS NOT NULL FROM pages";
    let stored = store.query(row).unwrap();
    assert_eq!(
        stored.rows[0],
        [
            serde_json::json!(1),
            serde_json::json!(1),
            serde_json::json!(0),
            serde_json::json!(html.len()),
            serde_json::json!(1)
        ]
    );
    assert_eq!(store.stored_pages_count(None).unwrap(), 1);
    let read = store.stored_page(url).unwrap().unwrap();
    assert_eq!(read.body, html.as_bytes());
    assert_eq!(store.stored_pages(None).unwrap().len(), 1);

    // A record of another page at that offset, or another capture of this one: not read.
    std::fs::write(&archive, warc_with("https://a.example/otra", html)).unwrap();
    assert!(store.stored_page(url).unwrap().is_none());
    std::fs::write(&archive, String::from_utf8(warc_with(url, html)).unwrap().replace("r1>", "r2>")).unwrap();
    assert!(store.stored_page(url).unwrap().is_none());
    std::fs::remove_file(&archive).unwrap();
    assert_eq!(store.each_stored_page(None, &mut |_| Ok(())).unwrap(), 1);

    // A record without a body keeps the reference; a copy replaces it, and back.
    store
        .record_page(&PageRecord {
            body: None,
            ..page(url, "")
        })
        .unwrap();
    assert_eq!(store.query(row).unwrap().rows[0][1], serde_json::json!(1));
    store.record_page(&page(url, "<p>copia</p>")).unwrap();
    assert_eq!(
        store.query(row).unwrap().rows[0][..3],
        [serde_json::json!(0), serde_json::json!(0), serde_json::json!(null)]
    );
    assert_eq!(store.stored_page(url).unwrap().unwrap().body, b"<p>copia</p>");
    store.record_page(&record).unwrap();
    assert_eq!(
        store.query(row).unwrap().rows[0][..3],
        [serde_json::json!(1), serde_json::json!(1), serde_json::json!(0)]
    );
}

#[test]
fn another_programs_database_is_not_written_into() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("theirs.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE sources (id INTEGER)")
        .unwrap();
    let msg = Store::open(&path).err().unwrap().to_string();
    assert!(msg.contains("no vigia schema"), "{msg}");
    // Not even the journal mode was changed.
    let mode: String = Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
}

#[test]
fn short_identical_bodies_are_not_merged() {
    let (_dir, store) = temp_store();
    let notice = "This content is for subscribers only.";
    let mut ids = Vec::new();
    for url in ["https://a.example/one", "https://a.example/two"] {
        match store
            .save_article(&page(url, notice), &article(url, notice, None), &extraction())
            .unwrap()
        {
            Saved::New(id) => ids.push(id),
            other => panic!("{other:?}"),
        }
    }
    assert_ne!(ids[0], ids[1]);
    // Both can be reprocessed into the same short text without a conflict.
    for id in &ids {
        store
            .replace_extraction(
                *id,
                &article(&format!("https://a.example/{id}"), "Gone.", Some("")),
                &Extraction::default(),
            )
            .unwrap();
    }
    assert_eq!(count(&store, "SELECT count(*) FROM articles WHERE published IS NULL"), 2);
}

#[test]
fn query_each_streams_rows_and_stops_at_the_callers_error() {
    let (_dir, store) = temp_store();
    let sql = "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 1000000) SELECT i FROM g";
    let mut seen = 0;
    let err = store
        .query_each(
            sql,
            |columns| {
                assert_eq!(columns, ["i"]);
                Ok(())
            },
            |(), row| {
                seen += 1;
                if row[0] == 3 {
                    return Err(StoreError::Query("reader went away".into()));
                }
                Ok(())
            },
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "reader went away");
    assert_eq!(seen, 3, "no row is read after the caller stops");
    // The writable connection is writable again afterwards.
    store
        .save_article(
            &page("https://a.example/1", BODY),
            &article("https://a.example/1", BODY, Some("2024-06-02")),
            &extraction(),
        )
        .unwrap();
    assert_eq!(store.articles_count().unwrap(), 1);
}

#[test]
fn busy_and_locked_errors_are_told_apart_from_other_errors() {
    let sqlite = |code| rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None);
    for code in [rusqlite::ffi::SQLITE_BUSY, rusqlite::ffi::SQLITE_LOCKED] {
        let err = StoreError::from(sqlite(code));
        assert!(err.is_busy(), "{err}");
        assert!(err.to_string().contains("busy"), "{err}");
    }
    let err = StoreError::from(sqlite(rusqlite::ffi::SQLITE_CORRUPT));
    assert!(!err.is_busy() && matches!(err, StoreError::Sqlite(_)), "{err}");
}

#[test]
fn a_write_blocked_by_another_program_fails_as_busy_and_writes_nothing() {
    let (dir, store) = temp_store();
    let other = Connection::open(dir.path().join("vigia.db")).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let err = store.record_page(&page("https://a.example/1", BODY)).unwrap_err();
    assert!(err.is_busy(), "{err}");
    other.execute_batch("ROLLBACK").unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM pages"), 0);
    store.record_page(&page("https://a.example/1", BODY)).unwrap();
}

/// A body long enough to be told apart by its content hash, with `figure` in it.
fn report_body(figure: &str) -> String {
    format!(
        "Police in the coastal province reported {figure} homicides in the first half of the year, \
         the prosecutor's office said on Monday.\n\nThe figure includes victims of the gang war \
         that broke out in the port city in March."
    )
}

fn at_hour(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 4, hour, 0, 0).unwrap()
}

/// Saves the page `url` read at `hour` with `body`, as the pipeline does.
fn save_at(store: &Store, url: &str, body: &str, hour: u32) -> Saved {
    let mut page = page(url, body);
    page.fetched_at = at_hour(hour);
    let mut article = article(url, body, Some("2024-06-03"));
    article.fetched_at = at_hour(hour);
    store.save_article(&page, &article, &extraction()).unwrap()
}

#[test]
fn a_changed_text_of_the_same_page_becomes_the_next_version() {
    let (_dir, store) = temp_store();
    let url = "https://news.example/homicides";
    let Saved::New(first) = save_at(&store, url, &report_body("412"), 1) else {
        panic!()
    };
    // Read again unchanged (case and spacing aside): a duplicate, no new version.
    assert_eq!(save_at(&store, url, &report_body("412").to_uppercase(), 2), Saved::Duplicate(first));
    let Saved::Changed(second) = save_at(&store, url, &report_body("421"), 3) else {
        panic!()
    };
    assert_ne!(first, second);
    let rows = store
        .query("SELECT id, version, superseded_at, body LIKE '%412%' FROM articles ORDER BY id")
        .unwrap()
        .rows;
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0][1..],
        [
            serde_json::json!(1),
            serde_json::json!("2024-06-04T03:00:00Z"),
            serde_json::json!(1)
        ]
    );
    assert_eq!(rows[1][1..], [serde_json::json!(2), serde_json::Value::Null, serde_json::json!(0)]);
    // Both keep their figures and entities; the URLs lead to the current version.
    for id in [first, second] {
        assert_eq!(
            count(&store, &format!("SELECT count(*) FROM statistics WHERE article_id = {id}")),
            2
        );
        assert_eq!(count(&store, &format!("SELECT count(*) FROM entities WHERE article_id = {id}")), 1);
    }
    assert_eq!(store.article_for_url(url).unwrap(), Some(second));
    assert_eq!(store.article_made_from(url).unwrap(), Some(second));
    assert_eq!(store.articles_count().unwrap(), 1);

    // Reads count the current version only unless asked for every one.
    let versions = |versions: Versions| {
        let mut seen = Vec::new();
        let filter = ExportFilter {
            versions,
            ..ExportFilter::default()
        };
        store
            .statistics(&filter, &mut |row| {
                seen.push((row.version, row.superseded_at));
                Ok(())
            })
            .unwrap();
        seen
    };
    assert_eq!(versions(Versions::Current), vec![(2, None), (2, None)]);
    let all = versions(Versions::All);
    assert_eq!(all.len(), 4);
    assert_eq!(all[0], (1, Some("2024-06-04T03:00:00Z".to_string())));
    store.record_source_fetch("wire", at_hour(3), None).unwrap();
    let status = store.status().unwrap();
    assert_eq!((status[0].articles, status[0].statistics), (1, 2));

    // The old text again is one more version, not a return to the first.
    let Saved::Changed(third) = save_at(&store, url, &report_body("412"), 4) else {
        panic!()
    };
    let version: i64 = store
        .conn
        .query_row("SELECT version FROM articles WHERE id = ?1", [third], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 3);
    assert_eq!(count(&store, "SELECT count(*) FROM articles WHERE superseded_at IS NULL"), 1);
}

#[test]
fn only_the_page_an_article_was_read_from_makes_a_version() {
    let (_dir, store) = temp_store();
    let url = "https://news.example/homicides";
    let Saved::New(id) = save_at(&store, url, &report_body("412"), 1) else {
        panic!()
    };
    // An AMP page naming the article as canonical, with a text of its own.
    let mut amp = page("https://news.example/homicides/amp", "amp");
    amp.fetched_at = at_hour(2);
    let mut other = article(url, &report_body("412 (AMP)"), None);
    other.url = amp.url.clone();
    assert_eq!(store.save_article(&amp, &other, &extraction()).unwrap(), Saved::Duplicate(id));
    // The page itself, now redirected to a new address with a new text, is.
    let mut moved = page(url, "moved");
    moved.final_url = "https://news.example/2024/homicides".into();
    moved.fetched_at = at_hour(2);
    let mut corrected = article(url, &report_body("421"), None);
    corrected.url = moved.final_url.clone();
    let Saved::Changed(id) = store.save_article(&moved, &corrected, &extraction()).unwrap() else {
        panic!()
    };
    let url = "https://news.example/2024/homicides";
    // A page cut down to a notice too short to tell is not a new text either.
    assert_eq!(save_at(&store, url, "Subscribe to keep reading.", 3), Saved::Duplicate(id));
    // Nor is a text that another stored article holds.
    let elsewhere = "https://other.example/story";
    let Saved::New(_) = save_at(&store, elsewhere, &report_body("97"), 4) else {
        panic!()
    };
    assert_eq!(save_at(&store, url, &report_body("97"), 5), Saved::Duplicate(id));
    assert_eq!(count(&store, "SELECT count(*) FROM articles WHERE superseded_at IS NOT NULL"), 1);
}

#[test]
fn a_text_fetched_before_the_current_one_is_kept_superseded() {
    let (_dir, store) = temp_store();
    let url = "https://news.example/homicides";
    let Saved::New(current) = save_at(&store, url, &report_body("421"), 9) else {
        panic!()
    };
    // An older capture, read late: kept, but the newer text stays current.
    assert_eq!(save_at(&store, url, &report_body("412"), 2), Saved::Changed(current));
    let rows = store
        .query("SELECT id, version, superseded_at FROM articles ORDER BY id")
        .unwrap()
        .rows;
    assert_eq!(rows[0], [serde_json::json!(current), serde_json::json!(1), serde_json::Value::Null]);
    assert_eq!(rows[1][1..], [serde_json::json!(2), serde_json::json!("2024-06-04T09:00:00Z")]);
    assert_eq!(store.article_for_url(url).unwrap(), Some(current));
    // The page stored is still the newest, which rebuilds the current version.
    let stored = store.stored_page(url).unwrap().unwrap();
    assert!(String::from_utf8(stored.body).unwrap().contains("421"));
    assert_eq!(stored.fetched_at, at_hour(9));
    // Seen again, it is that version's text, not a third one.
    assert_eq!(save_at(&store, url, &report_body("412"), 3), Saved::Duplicate(current));
    assert_eq!(count(&store, "SELECT count(*) FROM articles"), 2);
}

#[test]
fn reprocessing_keeps_versions_apart() {
    let (_dir, store) = temp_store();
    let url = "https://news.example/homicides";
    let Saved::New(first) = save_at(&store, url, &report_body("412"), 1) else {
        panic!()
    };
    let Saved::Changed(second) = save_at(&store, url, &report_body("421"), 2) else {
        panic!()
    };
    let mut fewer = extraction();
    fewer.statistics.truncate(1);
    store.replace_version_extraction(first, &fewer).unwrap();
    assert!(
        store.replace_version_extraction(second, &fewer).is_err(),
        "the current version comes from its page"
    );
    assert!(
        store.replace_extraction(first, &article(url, "x", None), &fewer).is_err(),
        "an earlier version keeps its text"
    );
    // A new canonical URL for the current version takes the earlier ones along.
    let mut moved = article("https://news.example/2024/homicides", &report_body("421"), None);
    moved.url = url.into();
    store.replace_extraction(second, &moved, &extraction()).unwrap();
    let rows = store
        .query("SELECT canonical_url, version, (SELECT count(*) FROM statistics s WHERE s.article_id = a.id) FROM articles a ORDER BY id")
        .unwrap()
        .rows;
    assert_eq!(
        rows[0],
        [
            serde_json::json!("https://news.example/2024/homicides"),
            serde_json::json!(1),
            serde_json::json!(1)
        ]
    );
    assert_eq!(
        rows[1],
        [
            serde_json::json!("https://news.example/2024/homicides"),
            serde_json::json!(2),
            serde_json::json!(2)
        ]
    );
    let mut superseded = Vec::new();
    store
        .each_superseded_version(None, &mut |v| {
            superseded.push(v.id);
            Ok(())
        })
        .unwrap();
    assert_eq!(superseded, vec![first]);
}

#[test]
fn a_version_5_database_keeps_every_row_as_version_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.db");
    {
        let old = Store::open_migrated(&path, 5).unwrap();
        let Saved::New(_) = save_v5(&old) else { panic!() };
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let fk: i64 = store.conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
    assert_eq!(fk, 1);
    // Nothing pointing at the rebuilt table was lost, and the index still finds it.
    assert_eq!(
        count(&store, "SELECT count(*) FROM articles WHERE version = 1 AND superseded_at IS NULL"),
        1
    );
    assert_eq!(count(&store, "SELECT count(*) FROM statistics"), 2);
    assert_eq!(count(&store, "SELECT count(*) FROM entities"), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM article_urls"), 1);
    assert_eq!(
        count(&store, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'litoral'"),
        1
    );
    assert!(store.query("PRAGMA foreign_key_check").unwrap().rows.is_empty());
    // The upgraded article changes like any other, and the index follows.
    let url = "https://news.example/riot";
    let Saved::Changed(_) = save_at(&store, url, &report_body("15"), 5) else {
        panic!()
    };
    assert_eq!(
        count(&store, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'litoral'"),
        1
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'coastal'"),
        1
    );
}

/// An article stored the way schema version 5 stored it.
fn save_v5(store: &Store) -> Saved {
    store
        .conn
        .execute_batch(
            "INSERT INTO articles (id, canonical_url, url, source, title, body, content_hash,
                 extractor_version, fetched_at, created_at)
             VALUES (7, 'https://news.example/riot', 'https://news.example/riot', 'wire', 'Riot',
                 'A riot in the Litoral prison left nine inmates dead.', 'h7', '0.1.0',
                 '2024-06-01T00:00:00Z', '2024-06-01T00:00:00Z');
             INSERT INTO article_urls (url, article_id) VALUES ('https://news.example/riot', 7);
             INSERT INTO statistics (article_id, value, unit, sentence, \"start\", \"end\")
             VALUES (7, 9, 'count', 'nine inmates dead', 0, 4), (7, 1, 'count', 'one riot', 0, 1);
             INSERT INTO entities (article_id, type, name, \"start\", \"end\")
             VALUES (7, 'location', 'Litoral', 14, 21);",
        )
        .unwrap();
    Saved::New(7)
}

#[test]
fn a_fingerprint_made_with_the_analysis_is_stored_and_a_missing_one_is_made_at_regrouping() {
    let (_dir, store) = temp_store();
    let long: String = (0..60).map(|n| format!("inmates{n} ")).collect();
    let given = NewArticle {
        simhash: Some(0x00ff_00ff_00ff_00ff),
        ..article("https://news.example/given", &long, Some("2024-06-02"))
    };
    let Saved::New(given_id) = store.save_article(&page(&given.url, &long), &given, &extraction()).unwrap() else {
        panic!("expected a new article")
    };
    let other_body = format!("{long} guards");
    let missing = article("https://news.example/missing", &other_body, Some("2024-06-02"));
    let Saved::New(missing_id) = store
        .save_article(&page(&missing.url, &other_body), &missing, &extraction())
        .unwrap()
    else {
        panic!("expected a new article")
    };
    let stored = |id: i64| -> Option<i64> {
        store
            .conn
            .query_row("SELECT simhash FROM articles WHERE id = ?1", [id], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(stored(given_id), Some(0x00ff_00ff_00ff_00ff));
    assert_eq!(stored(missing_id), None);
    store.regroup(Regroup::Touched).unwrap();
    assert_eq!(
        stored(given_id),
        Some(0x00ff_00ff_00ff_00ff),
        "a stored fingerprint is not made again"
    );
    assert_eq!(stored(missing_id), crate::claims::simhash(&other_body).map(|h| h as i64));
}

/// Articles the full-text index finds for `word`, after FTS5 checked the index against the
/// articles it was built from (an error if they disagree).
fn indexed(store: &Store, word: &str) -> i64 {
    store
        .conn
        .execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)", [])
        .unwrap();
    store
        .conn
        .query_row("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?1", [word], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn batched_articles_enter_the_full_text_index_when_the_batch_commits() {
    let (_dir, store) = temp_store();
    store.begin_batch().unwrap();
    let mut ids = Vec::new();
    for n in 0..3 {
        let url = format!("https://news.example/riot-{n}");
        let body = format!("{BODY} Report number {n}.");
        let Saved::New(id) = store
            .save_article(&page(&url, &body), &article(&url, &body, None), &extraction())
            .unwrap()
        else {
            panic!("expected a new article")
        };
        ids.push(id);
    }
    assert_eq!(count(&store, "SELECT count(*) FROM articles_fts_pending"), 3);
    // Changed and deleted while waiting: the index gets the new text, and nothing of the other.
    let changed = article("https://news.example/riot-0", "Extortion of bus drivers in Lima.", None);
    store.replace_extraction(ids[0], &changed, &extraction()).unwrap();
    store.conn.execute("DELETE FROM articles WHERE id = ?1", [ids[2]]).unwrap();
    store.end_batch().unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM articles_fts_pending"), 0);
    assert_eq!(indexed(&store, "extortion"), 1);
    assert_eq!(indexed(&store, "cocaine"), 1, "only the unchanged article still says cocaine");
    // Changed and deleted once indexed: the index follows too.
    store.replace_extraction(ids[1], &changed, &extraction()).unwrap();
    assert_eq!(indexed(&store, "cocaine"), 0);
    assert_eq!(indexed(&store, "extortion"), 2);
    store.conn.execute("DELETE FROM articles WHERE id = ?1", [ids[0]]).unwrap();
    assert_eq!(indexed(&store, "extortion"), 1);
}

#[test]
fn articles_another_program_added_are_indexed_when_vigia_opens_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    drop(Store::open(&path).unwrap());
    insert_bare_article(&Connection::open(&path).unwrap());
    let store = Store::open(&path).unwrap();
    assert_eq!(indexed(&store, "extortion"), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM articles_fts_pending"), 0);
}

/// A figure of one of a few claim keys, for the claim tests below.
fn figure_of_key(k: usize) -> Statistic {
    let mut s = extraction().statistics[0].clone();
    s.value = Some([9.0, 12.0, -0.0, 0.0][k % 4]);
    s.year = [Some(2024), None][k / 4 % 2];
    s
}

#[test]
fn claims_given_as_figures_are_stored_are_those_of_a_whole_sweep() {
    // Articles of a few keys stored in shuffled day order (some undated, some 60+ days apart,
    // some new versions), in batches and not; each pass ends with the regrouping `run` does.
    // A whole sweep afterwards must find nothing to change.
    let days = [
        Some("2024-01-05"),
        Some("2024-01-20"),
        Some("2024-03-30"),
        None,
        Some("2024-06-03"),
        Some("2024-01-05"),
    ];
    let mut given_at_insert = 0;
    for seed in 0..12 {
        let mut rng = fastrand::Rng::with_seed(seed);
        let (_dir, store) = temp_store();
        for pass in 0..3 {
            let batched = rng.bool();
            if batched {
                store.begin_batch().unwrap();
            }
            for i in 0..15 {
                // Mostly new articles; now and then a new text of an earlier one (a version).
                let n = if rng.u8(..5) == 0 && pass > 0 {
                    rng.usize(..15)
                } else {
                    100 * pass + i
                };
                let url = format!("https://wire.example/{n}");
                let body = format!("Report {n}, text {pass}-{i}: a riot in the prison left inmates dead.");
                let day = days[if seed % 3 == 0 {
                    (i / 3).min(days.len() - 1)
                } else {
                    rng.usize(..days.len())
                }];
                let mut extraction = extraction();
                let figures = rng.usize(1..4);
                extraction.statistics = (0..figures).map(|_| figure_of_key(rng.usize(..8))).collect();
                store
                    .save_article(&page(&url, &body), &article(&url, &body, day), &extraction)
                    .unwrap();
            }
            given_at_insert += count(&store, "SELECT count(*) FROM statistics WHERE claim_id IS NOT NULL");
            if batched {
                store.end_batch().unwrap();
            }
            store.regroup(Regroup::Touched).unwrap();
            assert_eq!(store.regroup(Regroup::All).unwrap().figures, 0, "seed {seed}, pass {pass}");
        }
    }
    assert!(given_at_insert > 0, "no claim was given as figures were stored");
}
