//! Article versions: a page whose text changes after it was stored (a corrected figure) gets a
//! new version, the old one kept with its figures; reads count current versions only; exports
//! show every version; `reprocess` keeps versions apart; a run killed mid-pass loses nothing
//! and doubles nothing. Pages come from a local server on 127.0.0.1, or from web archives
//! written here.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::routing::get;
use common::cli::{stdout_of, vigia};
use common::{Reply, TestServer, fixture_dir};
use serde_json::json;
use vigia::store::Store;

/// What the page says, edition by edition: the figure, the advert and the time stamp in the markup.
#[derive(Clone, Copy)]
struct Edition {
    figure: &'static str,
    advert: &'static str,
    stamp: &'static str,
}

/// A server with a feed of one report whose page reads as `editions[n]`, `n` set by the test.
struct ReportSite {
    server: TestServer,
    edition: Arc<AtomicUsize>,
}

impl ReportSite {
    async fn start(editions: &'static [Edition]) -> ReportSite {
        let template = std::fs::read_to_string(fixture_dir("article_versions").join("report.html.tmpl")).unwrap();
        let edition = Arc::new(AtomicUsize::new(0));
        let current = edition.clone();
        let server = TestServer::start(
            axum::Router::new()
                .route(
                    "/feed.xml",
                    get(|headers: HeaderMap| async move {
                        let base = format!("http://{}", host(&headers));
                        Reply::ok(
                            "application/rss+xml",
                            format!(
                                r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Border Monitor</title><link>{base}/</link><description>News</description><item><title>Homicides</title><link>{base}/news/report.html?utm_source=rss</link></item></channel></rss>"#
                            ),
                        )
                    }),
                )
                .route(
                    "/news/report.html",
                    get(move |headers: HeaderMap| {
                        let e = editions[current.load(Ordering::SeqCst)];
                        let page = template
                            .replace("{BASE}", &format!("http://{}", host(&headers)))
                            .replace("{FIGURE}", e.figure)
                            .replace("{ADVERT}", e.advert)
                            .replace("{STAMP}", e.stamp);
                        async move { Reply::html(page) }
                    }),
                ),
        )
        .await;
        ReportSite { server, edition }
    }

    fn show(&self, n: usize) {
        self.edition.store(n, Ordering::SeqCst);
    }
}

fn host(headers: &HeaderMap) -> String {
    headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string()
}

/// A configuration in `dir` with one feed source at `feed`; returns its path.
fn write_config(dir: &Path, feed: &str) -> PathBuf {
    let cfg = dir.join("vigia.toml");
    std::fs::write(
        &cfg,
        format!(
            "database = \"vigia.db\"\n[fetch]\nper_host_delay_ms = 0\ntimeout_s = 120\n\n\
             [[sources]]\nname = \"monitor\"\nkind = \"rss\"\nurl = \"{feed}\"\nlanguage = \"en\"\n"
        ),
    )
    .unwrap();
    cfg
}

/// `vigia run --all` over `cfg`; returns its summary line.
fn run_all(cfg: &Path) -> String {
    let out = vigia()
        .args(["run", "--all", "--config"])
        .arg(cfg)
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    String::from_utf8(out).unwrap()
}

fn rows(db: &Path, sql: &str) -> Vec<Vec<serde_json::Value>> {
    Store::open_read_only(db).unwrap().query(sql).unwrap().rows
}

fn number(db: &Path, sql: &str) -> i64 {
    rows(db, sql)[0][0].as_i64().unwrap()
}

const CORRECTED: &[Edition] = &[
    Edition {
        figure: "1,284",
        advert: "Subscribe for 1 dollar a week",
        stamp: "8 July 2024, 09:30",
    },
    Edition {
        figure: "1,248",
        advert: "Subscribe for 1 dollar a week",
        stamp: "8 July 2024, 09:30",
    },
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrected_figure_becomes_version_2_and_both_are_kept() {
    let site = ReportSite::start(CORRECTED).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &site.server.url("/feed.xml"));
    let db = dir.path().join("vigia.db");

    assert!(run_all(&cfg).contains("1 articles new (0 duplicates)"));
    // Unchanged: a duplicate, no version.
    assert!(run_all(&cfg).contains("0 articles new (1 duplicates)"));
    site.show(1);
    let line = run_all(&cfg);
    assert!(line.contains("0 articles new (0 duplicates, 1 changed)"), "{line}");
    assert_eq!(site.server.hits("/news/report.html"), 3);

    let versions = rows(
        &db,
        "SELECT version, superseded_at IS NOT NULL, body LIKE '%1,284 homicides%',
                (SELECT count(*) FROM statistics s WHERE s.article_id = a.id),
                (SELECT count(*) FROM entities e WHERE e.article_id = a.id)
         FROM articles a ORDER BY version",
    );
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0][..3], [json!(1), json!(1), json!(1)]);
    assert_eq!(versions[1][..3], [json!(2), json!(0), json!(0)]);
    for v in &versions {
        assert!(v[3].as_i64().unwrap() >= 3 && v[4].as_i64().unwrap() >= 1, "{v:?}");
    }

    // Every version in an export, each row saying which; --current keeps the corrected one.
    let db_arg = db.to_str().unwrap();
    let csv = stdout_of(vigia().args(["export", "statistics", "--format", "csv", "--db", db_arg]));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let at = header.iter().position(|h| h == "version").unwrap();
    assert_eq!(header[at + 1], "superseded_at");
    let homicides: Vec<(String, String, String)> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| r[9] == *"homicide")
        .map(|r| (r[3].to_string(), r[at].to_string(), r[at + 1].to_string()))
        .collect();
    assert_eq!(homicides.len(), 2, "{csv}");
    assert_eq!((homicides[0].0.as_str(), homicides[0].1.as_str()), ("1284.0", "1"));
    assert!(homicides[0].2.ends_with('Z'), "superseded at a time: {:?}", homicides[0]);
    assert_eq!(homicides[1], ("1248.0".into(), "2".into(), String::new()));
    let current = stdout_of(vigia().args(["export", "articles", "--format", "jsonl", "--current", "--db", db_arg]));
    let current: Vec<serde_json::Value> = current.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(
        (current[0]["version"].clone(), current[0]["superseded_at"].clone()),
        (2.into(), serde_json::Value::Null)
    );

    // Counts take the current version only: the corrected figure is not counted twice.
    let trend = stdout_of(vigia().args(["trend", "statistics", "--topic", "homicide", "--format", "csv", "--db", db_arg]));
    let points: Vec<&str> = trend.lines().skip(1).collect();
    assert_eq!(points.len(), 1, "{trend}");
    assert!(points[0].starts_with("2024,1,1,1248"), "{trend}");
    let status: serde_json::Value = serde_json::from_str(&stdout_of(vigia().args(["status", "--json", "--db", db_arg]))).unwrap();
    assert_eq!(status["sources"][0]["articles"], 1);
    let search = stdout_of(vigia().args(["search", "homicides", "--format", "json", "--db", db_arg]));
    assert_eq!(search.lines().count(), 1, "{search}");
    // The URLs from the feed lead to the current version.
    assert_eq!(
        number(
            &db,
            "SELECT count(*) FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE a.superseded_at IS NOT NULL"
        ),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_that_changes_around_the_same_text_is_no_new_version() {
    const RESTAMPED: &[Edition] = &[
        Edition {
            figure: "1,284",
            advert: "Subscribe for 1 dollar a week",
            stamp: "8 July 2024, 09:30",
        },
        Edition {
            figure: "1,284",
            advert: "Winter sale: two years for the price of one",
            stamp: "8 July 2024, 09:30 (updated 11:02)",
        },
    ];
    let site = ReportSite::start(RESTAMPED).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &site.server.url("/feed.xml"));
    let db = dir.path().join("vigia.db");
    run_all(&cfg);
    site.show(1);
    let line = run_all(&cfg);
    assert!(line.contains("0 articles new (1 duplicates)"), "{line}");
    assert_eq!(number(&db, "SELECT count(*) FROM articles"), 1);
    // The page itself is kept as fetched last.
    assert_eq!(site.server.hits("/news/report.html"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reprocess_re_extracts_each_version_from_its_own_text() {
    let site = ReportSite::start(CORRECTED).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &site.server.url("/feed.xml"));
    let db = dir.path().join("vigia.db");
    run_all(&cfg);
    site.show(1);
    run_all(&cfg);
    let figures = |db: &Path| {
        rows(
            db,
            "SELECT a.version, s.value FROM statistics s JOIN articles a ON a.id = s.article_id
             WHERE s.topic = 'homicide' ORDER BY a.version",
        )
    };
    let before = figures(&db);
    assert_eq!(before, [[json!(1), json!(1284.0)], [json!(2), json!(1248.0)]]);
    // Mark every row as made by an older extractor, as after an upgrade.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute("UPDATE articles SET extractor_version = 'old'", []).unwrap();
    }
    let out = vigia()
        .args(["reprocess", "--config"])
        .arg(&cfg)
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("1 articles re-extracted") && out.contains("1 earlier versions from their own text"),
        "{out}"
    );
    assert_eq!(figures(&db), before, "each version keeps its own figure");
    assert_eq!(number(&db, "SELECT count(*) FROM articles WHERE extractor_version = 'old'"), 0);
    assert_eq!(number(&db, "SELECT count(*) FROM articles"), 2);
    assert_eq!(
        number(&db, "SELECT count(*) FROM articles WHERE superseded_at IS NULL AND version = 2"),
        1
    );
}

/// Pages for the kill test: each different, with figures, read as `edition` (0 or 1).
fn bulletin(i: usize, edition: usize) -> String {
    let detained = 20 + 3 * i + edition;
    format!(
        r#"<html lang="es"><head><title>Boletín {i}</title></head><body><article><h1>Operativo {i} contra el narcotráfico</h1>
<p>La policía antidrogas detuvo a {detained} personas en el puerto durante la madrugada del martes, informó el ministerio público en un comunicado.</p>
<p>Los agentes decomisaron {kg} kilos de cocaína escondidos en contenedores de fruta que iban a salir hacia Europa, según la fiscalía.</p>
<p>La investigación comenzó hace {months} meses con la denuncia de un trabajador portuario, añadió el comunicado oficial.</p>
</article></body></html>"#,
        kg = 100 + 10 * i,
        months = 2 + i
    )
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_pages_change_loses_nothing_and_doubles_nothing() {
    const PAGES: usize = 8;
    let edition = Arc::new(AtomicUsize::new(0));
    let serving = edition.clone();
    let server = TestServer::start(
        axum::Router::new()
            .route(
                "/feed.xml",
                get(|headers: HeaderMap| async move {
                    let host = host(&headers);
                    let items: String = (0..PAGES)
                        .map(|i| format!("<item><title>Boletín {i}</title><link>http://{host}/boletin/{i}.html</link></item>"))
                        .collect();
                    Reply::ok(
                        "application/rss+xml",
                        format!(
                            r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Boletines</title><link>http://{host}/</link><description>x</description>{items}</channel></rss>"#
                        ),
                    )
                }),
            )
            .route(
                "/boletin/{file}",
                get(move |axum::extract::Path(file): axum::extract::Path<String>| {
                    let edition = serving.load(Ordering::SeqCst);
                    async move {
                        let i: usize = file.trim_end_matches(".html").parse().unwrap_or(0);
                        // The second edition comes slowly, so the kill lands mid-pass.
                        if edition > 0 {
                            tokio::time::sleep(Duration::from_millis(250)).await;
                        }
                        Reply::html(bulletin(i, edition))
                    }
                }),
            ),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &server.url("/feed.xml"));
    let db = dir.path().join("vigia.db");
    run_all(&cfg);
    assert_eq!(number(&db, "SELECT count(*) FROM articles"), PAGES as i64);

    edition.store(1, Ordering::SeqCst);
    let changed = || number(&db, "SELECT count(*) FROM articles WHERE version = 2");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vigia"))
        .args(["run", "--all", "-q", "--config"])
        .arg(&cfg)
        .env_remove("VIGIA_CONFIG")
        .spawn()
        .unwrap();
    let started = Instant::now();
    while changed() < 2 {
        assert!(started.elapsed() < Duration::from_secs(30), "the run stored no new version");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let kept = changed();
    assert!((2..PAGES as i64).contains(&kept), "killed mid-pass, yet {kept} new versions");
    // Every change is whole: a new version comes with its figures and its predecessor marked.
    let consistent = "SELECT count(*) FROM articles a WHERE
            (SELECT count(*) FROM articles c WHERE c.canonical_url = a.canonical_url AND c.superseded_at IS NULL) <> 1
         OR NOT EXISTS (SELECT 1 FROM statistics s WHERE s.article_id = a.id)
         OR (a.version > 1 AND NOT EXISTS (SELECT 1 FROM articles p WHERE p.canonical_url = a.canonical_url
                                           AND p.version = a.version - 1 AND p.superseded_at IS NOT NULL))";
    assert_eq!(number(&db, consistent), 0);
    assert_eq!(number(&db, "SELECT count(*) FROM articles WHERE superseded_at IS NOT NULL"), kept);

    // The next run completes the rest, and a further one changes nothing.
    run_all(&cfg);
    run_all(&cfg);
    assert_eq!(number(&db, "SELECT count(*) FROM articles"), 2 * PAGES as i64);
    assert_eq!(
        number(&db, "SELECT count(*) FROM articles WHERE superseded_at IS NULL AND version = 2"),
        PAGES as i64
    );
    assert_eq!(number(&db, consistent), 0);
    assert_eq!(
        number(&db, "SELECT count(DISTINCT canonical_url || ' ' || version) FROM articles"),
        2 * PAGES as i64
    );
}

/// One WARC response record of `page` at `uri`, captured at `date`.
fn capture(uri: &str, id: &str, date: &str, page: &str) -> Vec<u8> {
    let block = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{page}");
    let mut out = format!(
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{id}>\r\nWARC-Date: {date}\r\n\
         WARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    out.extend_from_slice(block.as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// Two captures of a page, in web archives read one run after the other: both kept, the later
/// capture current, whichever archive comes first.
#[test]
fn two_captures_in_web_archives_are_two_versions_the_later_current() {
    let template = std::fs::read_to_string(fixture_dir("article_versions").join("report.html.tmpl")).unwrap();
    let uri = "https://monitor.example/news/report.html";
    let page = |figure: &str| {
        template
            .replace("{BASE}", "https://monitor.example")
            .replace("{FIGURE}", figure)
            .replace("{ADVERT}", "")
            .replace("{STAMP}", "")
    };
    let early = capture(uri, "00000000-0000-4000-8000-000000000001", "2024-07-08T10:00:00Z", &page("1,284"));
    let late = capture(uri, "00000000-0000-4000-8000-000000000002", "2024-07-09T10:00:00Z", &page("1,248"));
    for (order, archives) in [("in order", [&early, &late]), ("late first", [&late, &early])] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("archives")).unwrap();
        let cfg = dir.path().join("vigia.toml");
        std::fs::write(
            &cfg,
            "database = \"vigia.db\"\n[[sources]]\nname = \"archive\"\nkind = \"warc\"\nurl = \"archives\"\nlanguage = \"en\"\n",
        )
        .unwrap();
        for (n, archive) in archives.iter().enumerate() {
            std::fs::write(dir.path().join(format!("archives/crawl-{n}.warc")), archive).unwrap();
            run_all(&cfg);
        }
        let db = dir.path().join("vigia.db");
        let versions = rows(
            &db,
            "SELECT version, fetched_at, superseded_at, body LIKE '%1,248 homicides%' FROM articles ORDER BY version",
        );
        let current: Vec<_> = versions.iter().filter(|v| v[2].is_null()).collect();
        assert_eq!((versions.len(), current.len()), (2, 1), "{order}: {versions:?}");
        assert_eq!(current[0][1..], [json!("2024-07-09T10:00:00Z"), json!(null), json!(1)], "{order}");
        let superseded = versions.iter().find(|v| !v[2].is_null()).unwrap();
        assert_eq!(
            superseded[1..],
            [json!("2024-07-08T10:00:00Z"), json!("2024-07-09T10:00:00Z"), json!(0)],
            "{order}"
        );
        // The page kept for `reprocess` is the later capture.
        let out = vigia()
            .args(["reprocess", "--config"])
            .arg(&cfg)
            .assert()
            .success()
            .get_output()
            .stderr
            .clone();
        assert!(String::from_utf8(out).unwrap().contains("1 earlier versions"), "{order}");
        assert_eq!(
            number(
                &db,
                "SELECT count(*) FROM articles WHERE superseded_at IS NULL AND body LIKE '%1,248 homicides%'"
            ),
            1,
            "{order}"
        );
    }
}
