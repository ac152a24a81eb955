//! Source health and polite polling against a local server: refusal streaks flag a source
//! `blocked` and make `status` exit 1, feeds answer 304 and nothing is fetched, a failing
//! source backs off and comes back, tracking variants of a link are fetched once, pages
//! without text flag a source `empty`, one that stops yielding `silent`, and the shape of
//! `status --json`.

mod common;

use std::path::Path;

use axum::http::{HeaderMap, header};
use axum::routing::{MethodRouter, get};
use chrono::{Duration, Utc};
use common::cli::vigia;
use common::{Reply, TestServer, fixtures, pass, reply, sequence};
use vigia::config::Config;
use vigia::pipeline::{self, Selection};
use vigia::store::Store;

const APP_SHELL: &str = include_str!("fixtures/source_health/app-shell.html");

/// An RSS feed linking `paths` on the requesting host. With `etag`, it carries that tag and
/// answers 304 to a request naming it.
fn feed(paths: &'static [&'static str], etag: Option<&'static str>) -> MethodRouter {
    get(move |headers: HeaderMap| async move {
        let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
        let asked = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
        if let Some(tag) = etag
            && asked == Some(tag)
        {
            return Reply::status(304).header("etag", tag);
        }
        let items: String = paths
            .iter()
            .map(|p| {
                format!(
                    "<item><title>Story</title><link>http://{host}{}</link></item>",
                    p.replace('&', "&amp;")
                )
            })
            .collect();
        let body = format!(r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Harbor Herald</title>{items}</channel></rss>"#);
        let reply = Reply::ok("application/rss+xml", body);
        match etag {
            Some(tag) => reply.header("etag", tag),
            None => reply,
        }
    })
}

/// A sitemap listing `paths` on the requesting host.
fn sitemap(paths: &'static [&'static str]) -> MethodRouter {
    get(move |headers: HeaderMap| async move {
        let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
        let urls: String = paths.iter().map(|p| format!("<url><loc>http://{host}{p}</loc></url>")).collect();
        Reply::ok(
            "application/xml",
            format!(r#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>"#),
        )
    })
}

fn config(dir: &Path, extra: &str, sources: &[(&str, &str, String)]) -> Config {
    let mut text = format!("database = \"vigia.db\"\n[fetch]\nper_host_delay_ms = 0\ntimeout_s = 5\n{extra}\n");
    for (name, kind, url) in sources {
        text.push_str(&format!(
            "[[sources]]\nname = \"{name}\"\nkind = \"{kind}\"\nurl = \"{url}\"\nschedule = \"*/5 * * * *\"\n"
        ));
    }
    Config::parse(&text, &dir.join("vigia.toml")).unwrap()
}

/// `vigia status --json --db DB`: its exit code and document.
fn status_json(db: &Path) -> (i32, serde_json::Value) {
    let out = vigia().arg("status").arg("--json").arg("--db").arg(db).output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap_or(-1), json)
}

fn flags(json: &serde_json::Value, source: &str) -> Vec<String> {
    let found = json["sources"].as_array().unwrap().iter().find(|s| s["name"] == source).unwrap();
    found["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn pages_answering_403_flag_the_source_blocked_and_status_exits_1() {
    let server = TestServer::start(
        fixtures("source_health")
            .route("/feed.xml", feed(&["/locked/1", "/locked/2", "/locked/3"], None))
            .route("/locked/{n}", reply(Reply::status(403))),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "", &[("herald", "rss", server.url("/feed.xml"))]);
    let report = pass(&cfg).await;
    assert_eq!(report.summary.failed, 3, "{report:?}");

    let (code, json) = status_json(&cfg.database);
    assert_eq!(code, 1, "{json}");
    assert_eq!(flags(&json, "herald"), ["blocked"], "one failed pass is not yet `failing`: {json}");
    assert_eq!(json["flagged"], serde_json::json!(["herald"]));
    let source = &json["sources"][0];
    assert_eq!(source["error_streak"], 3);
    assert_eq!(source["error_kind"], "http 403");
    assert_eq!(source["outcomes_7d"], serde_json::json!({"ok": 1, "http 403": 3}));

    let table = vigia().arg("status").arg("--db").arg(&cfg.database).output().unwrap();
    assert_eq!(table.status.code(), Some(1));
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("3 (http 403)") && text.contains("blocked") && text.contains("flagged: herald"),
        "{text}"
    );

    // The second failed pass makes it `failing` too.
    pass(&cfg).await;
    let (_, json) = status_json(&cfg.database);
    assert_eq!(flags(&json, "herald"), ["failing", "blocked"], "{json}");
}

#[tokio::test]
async fn a_feed_answering_304_is_not_read_again_and_nothing_is_fetched() {
    let server =
        TestServer::start(fixtures("source_health").route("/feed.xml", feed(&["/patrol.html", "/carcel.html"], Some("\"f1\"")))).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "", &[("herald", "rss", server.url("/feed.xml"))]);
    let first = pass(&cfg).await;
    assert_eq!((first.summary.pages_fetched, first.summary.articles_new), (2, 2), "{first:?}");

    let second = pass(&cfg).await;
    assert_eq!(second.summary.failed, 0, "{second:?}");
    assert_eq!((second.summary.pages_fetched, second.summary.not_modified), (0, 0), "{second:?}");
    let asked = server.requests("/feed.xml");
    assert_eq!(asked.len(), 2);
    assert_eq!(asked[1].headers.get(header::IF_NONE_MATCH).unwrap(), "\"f1\"");
    assert_eq!(
        (server.hits("/patrol.html"), server.hits("/carcel.html")),
        (1, 1),
        "nothing fetched after a 304"
    );

    let (code, json) = status_json(&cfg.database);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["sources"][0]["outcomes_7d"], serde_json::json!({"ok": 3, "not_modified": 1}));
    assert_eq!(json["sources"][0]["articles_7d"], 2);
}

#[tokio::test]
async fn a_feed_whose_entries_were_not_all_taken_is_read_in_full_next_time() {
    let server =
        TestServer::start(fixtures("source_health").route("/feed.xml", feed(&["/patrol.html", "/carcel.html"], Some("\"f1\"")))).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        "[discover]\nmax_articles_per_source = 1",
        &[("herald", "rss", server.url("/feed.xml"))],
    );
    assert_eq!(pass(&cfg).await.summary.articles_new, 1);
    let second = pass(&cfg).await;
    assert_eq!(second.summary.articles_new, 1, "the backlog is worked through: {second:?}");
    let asked = server.requests("/feed.xml");
    assert!(
        asked[1].headers.get(header::IF_NONE_MATCH).is_none(),
        "read in full while a backlog is left"
    );
    // Now everything was taken: the next pass asks conditionally and fetches nothing.
    pass(&cfg).await;
    assert!(server.requests("/feed.xml")[2].headers.get(header::IF_NONE_MATCH).is_some());
    assert_eq!((server.hits("/patrol.html"), server.hits("/carcel.html")), (1, 1));
}

#[tokio::test]
async fn a_failing_source_backs_off_and_comes_back_on_success() {
    let server = TestServer::start(fixtures("source_health").route(
        "/feed.xml",
        sequence(vec![
            Reply::status(404),
            Reply::status(404),
            Reply::ok(
                "application/rss+xml",
                r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Harbor Herald</title></channel></rss>"#,
            ),
        ]),
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "", &[("herald", "rss", server.url("/feed.xml"))]);
    let due_at = |minutes: i64| {
        let store = Store::open(&cfg.database).unwrap();
        let now = Utc::now() + Duration::minutes(minutes);
        !pipeline::select(&cfg, &store, &Selection::Due, now).unwrap().is_empty()
    };

    assert_eq!(pass(&cfg).await.summary.failed, 1);
    assert!(due_at(6), "a first failure waits for nothing but the schedule");
    assert_eq!(pass(&cfg).await.summary.failed, 1);
    assert!(!due_at(6), "the second failure in a row waits 15 minutes");
    assert!(due_at(16));
    let (_, json) = status_json(&cfg.database);
    assert_eq!(flags(&json, "herald"), ["failing"]);
    assert_eq!(json["sources"][0]["failed_passes"], 2);
    assert!(json["sources"][0]["backoff_until"].is_string(), "{json}");

    // Named (or --all) it is fetched anyway; its success ends the backoff.
    assert_eq!(pass(&cfg).await.summary.failed, 0);
    assert!(due_at(6));
    let (code, json) = status_json(&cfg.database);
    assert_eq!((code, json["sources"][0]["failed_passes"].as_i64()), (0, Some(0)), "{json}");
    assert!(json["sources"][0]["backoff_until"].is_null());
}

#[tokio::test]
async fn tracking_and_fragment_variants_of_a_link_are_fetched_once_per_pass() {
    let server = TestServer::start(
        fixtures("source_health")
            .route(
                "/feed.xml",
                feed(&["/patrol.html?utm_source=rss&utm_medium=feed", "/patrol.html#comments"], None),
            )
            .route("/sitemap.xml", sitemap(&["/patrol.html", "/carcel.html?fbclid=abc"])),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        "",
        &[
            ("herald-feed", "rss", server.url("/feed.xml")),
            ("herald-map", "sitemap", server.url("/sitemap.xml")),
        ],
    );
    let report = pass(&cfg).await;
    assert_eq!(report.summary.articles_new, 2, "{report:?}");
    assert_eq!(server.hits("/patrol.html"), 1, "one fetch for four spellings in two sources");
    assert_eq!(server.hits("/carcel.html"), 1);
    assert!(
        server.all_requests().iter().all(|h| h.query.is_none()),
        "tracking parameters are not sent"
    );
}

#[tokio::test]
async fn pages_without_text_flag_the_source_empty() {
    let shell = || reply(Reply::html(APP_SHELL));
    let server = TestServer::start(
        fixtures("source_health")
            .route("/feed.xml", feed(&["/story/1", "/story/2", "/story/3"], None))
            .route("/story/1", shell())
            .route("/story/2", shell())
            .route("/story/3", shell()),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "", &[("herald", "rss", server.url("/feed.xml"))]);
    let report = pass(&cfg).await;
    assert_eq!((report.summary.pages_fetched, report.summary.articles_new), (3, 0), "{report:?}");
    let (code, json) = status_json(&cfg.database);
    assert_eq!(code, 1);
    assert_eq!(flags(&json, "herald"), ["empty"], "{json}");
    assert_eq!(json["sources"][0]["error_streak"], 0, "pages that answer are no errors");

    // A source no longer configured is shown but not judged.
    std::fs::write(
        dir.path().join("other.toml"),
        "database = \"vigia.db\"\n[[sources]]\nname = \"another\"\nkind = \"rss\"\nurl = \"http://127.0.0.1:1/\"\n",
    )
    .unwrap();
    let out = vigia()
        .arg("status")
        .arg("--config")
        .arg(dir.path().join("other.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[tokio::test]
async fn a_retry_after_longer_than_a_pass_holds_the_host_off_in_the_next_pass() {
    let server = TestServer::start(
        fixtures("source_health")
            .route(
                "/feed.xml",
                sequence(vec![
                    Reply::ok(
                        "application/rss+xml",
                        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>H</title><item><link>/busy.html</link></item></channel></rss>"#,
                    ),
                    Reply::status(200),
                ]),
            )
            .route("/busy.html", reply(Reply::status(429).header("retry-after", "3600"))),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "", &[("herald", "rss", server.url("/feed.xml"))]);
    let first = pass(&cfg).await;
    assert_eq!((first.summary.skipped, server.hits("/busy.html")), (1, 1), "{first:?}");

    let second = pass(&cfg).await;
    assert_eq!(
        server.hits("/feed.xml"),
        1,
        "the host is not asked again within the hour: {second:?}"
    );
    let (_, json) = status_json(&cfg.database);
    let source = &json["sources"][0];
    assert_eq!(source["error_kind"], "deferred", "{json}");
    let until = source["backoff_until"].as_str().unwrap();
    let until = chrono::DateTime::parse_from_rfc3339(until).unwrap();
    assert!(
        until > Utc::now() + Duration::minutes(50),
        "the source waits as long as asked: {until}"
    );
}

#[tokio::test]
async fn a_crawl_delay_spaces_the_first_request_of_a_pass_from_the_last_of_the_one_before() {
    let server = TestServer::start(
        fixtures("source_health")
            .route("/robots.txt", reply(Reply::text("User-agent: *\nCrawl-delay: 2\n")))
            .route("/feed.xml", feed(&[], Some("\"empty\""))),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "", &[("herald", "rss", server.url("/feed.xml"))]);
    pass(&cfg).await;
    let end_of_first = server.all_requests().last().unwrap().at;
    let requests_before = server.all_requests().len();
    pass(&cfg).await;
    let start_of_second = server.all_requests()[requests_before].at;
    assert!(
        start_of_second.duration_since(end_of_first) >= std::time::Duration::from_millis(1900),
        "{:?}",
        start_of_second.duration_since(end_of_first)
    );
}

#[tokio::test]
async fn a_sitemap_index_whose_child_failed_is_read_in_full_next_time() {
    let index = |headers: HeaderMap| async move {
        let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
        let asked = headers.get(header::IF_NONE_MATCH).is_some();
        if asked {
            return Reply::status(304).header("etag", "\"i1\"");
        }
        let children: String = ["/map-a.xml", "/map-b.xml"]
            .iter()
            .map(|c| format!("<sitemap><loc>http://{host}{c}</loc></sitemap>"))
            .collect();
        Reply::ok("application/xml", format!("<sitemapindex>{children}</sitemapindex>")).header("etag", "\"i1\"")
    };
    let server = TestServer::start(
        fixtures("source_health")
            .route("/index.xml", get(index))
            .route("/map-a.xml", sitemap(&["/patrol.html"]))
            .route("/map-b.xml", sequence(vec![Reply::status(404), Reply::status(404)])),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "", &[("herald", "sitemap", server.url("/index.xml"))]);
    assert_eq!(pass(&cfg).await.summary.articles_new, 1);
    pass(&cfg).await;
    let asked = server.requests("/index.xml");
    assert!(
        asked[1].headers.get(header::IF_NONE_MATCH).is_none(),
        "read in full while a child fails"
    );
    assert_eq!(server.hits("/map-b.xml"), 2);
}

/// A short article of its own for each number, so every page is a new article.
fn story(n: u32) -> String {
    format!(
        r#"<html lang="es"><head><title>Balance semanal {n}</title></head><body><article><h1>Balance semanal {n}</h1>
<p>La policía regional informó que durante la semana {n} se registraron {a} denuncias por extorsión en los distritos del norte, según el parte entregado el lunes.</p>
<p>El jefe de la división explicó que {b} personas fueron detenidas en operativos nocturnos y que las investigaciones continúan con apoyo de la fiscalía provincial.</p>
</article></body></html>"#,
        a = 20 + n,
        b = 3 + n
    )
}

#[tokio::test]
async fn a_source_that_stops_yielding_is_flagged_silent() {
    let server = TestServer::start(
        fixtures("source_health")
            .route(
                "/feed.xml",
                feed(&["/story/1", "/story/2", "/story/3", "/story/4", "/story/5"], None),
            )
            .route(
                "/story/{n}",
                get(|axum::extract::Path(n): axum::extract::Path<u32>| async move { Reply::html(story(n)) }),
            ),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "", &[("herald", "rss", server.url("/feed.xml"))]);
    assert_eq!(pass(&cfg).await.summary.articles_new, 5);
    let (code, json) = status_json(&cfg.database);
    assert_eq!(
        (code, flags(&json, "herald")),
        (0, Vec::<String>::new()),
        "one day of history is no pattern: {json}"
    );

    // As if the articles had come one a day from 20 to 16 days ago: a daily source, quiet since.
    let conn = rusqlite::Connection::open(&cfg.database).unwrap();
    conn.execute(
        "UPDATE articles SET created_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || (15 + id) || ' days')",
        [],
    )
    .unwrap();
    drop(conn);
    // The feed still answers, with nothing new: not failing, but silent.
    let report = pass(&cfg).await;
    assert_eq!((report.summary.failed, report.summary.articles_new), (0, 0), "{report:?}");
    let (code, json) = status_json(&cfg.database);
    assert_eq!(code, 1, "{json}");
    assert_eq!(flags(&json, "herald"), ["silent"], "{json}");
    assert_eq!(json["sources"][0]["articles_7d"], 0);
}
