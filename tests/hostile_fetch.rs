//! The fetch stage against hostile servers: absurd Retry-After values, links and redirects
//! into private networks, servers that stall, broken robots.txt files, and cancellation.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::get;
use common::{Reply, TestServer, reply};
use vigia::config::{Config, FetchConfig};
use vigia::fetch::{Expect, FetchError, Fetcher, MAX_RETRY_AFTER, Outcome, RetryPolicy, Validators};
use vigia::pipeline::{self, PassReport, Selection};
use vigia::store::Store;

const AGENT: &str = "vigia/0.1 (+https://example.org/bot)";

fn config() -> FetchConfig {
    FetchConfig {
        user_agent: AGENT.to_string(),
        per_host_delay: Duration::ZERO,
        timeout: Duration::from_secs(5),
        max_bytes: 1_000_000,
        respect_robots: true,
        ..FetchConfig::default()
    }
}

fn fetcher(config: FetchConfig) -> Fetcher {
    Fetcher::new(&config).unwrap().with_retry_policy(RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_total_backoff: Duration::from_secs(2),
    })
}

async fn get_html(fetcher: &Fetcher, url: &str) -> Result<Outcome, FetchError> {
    fetcher.fetch(url, &Validators::default(), Expect::Html).await
}

/// An RSS feed whose items are `links`; `{host}` in a link is replaced by the request's Host,
/// so that links can point back at the server that serves the feed.
fn feed(links: Vec<String>) -> axum::routing::MethodRouter {
    get(move |headers: HeaderMap| {
        let links = links.clone();
        async move {
            let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
            let items: String = links
                .iter()
                .map(|l| format!("<item><title>{l}</title><link>{}</link></item>", l.replace("{host}", &host)))
                .collect();
            Reply::ok(
                "application/rss+xml",
                format!(
                    r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://{host}/</link><description>d</description>{items}</channel></rss>"#
                ),
            )
        }
    })
}

fn pipeline_config(dir: &Path, fetch: &str, feed_url: &str) -> Config {
    let text = format!(
        "database = \"vigia.db\"\n[fetch]\nper_host_delay_ms = 0\ntimeout_s = 5\n{fetch}\n\n\
         [[sources]]\nname = \"feed\"\nkind = \"rss\"\nurl = \"{feed_url}\"\n"
    );
    Config::parse(&text, &dir.join("vigia.toml")).unwrap()
}

async fn pass(config: &Config) -> PassReport {
    let store = Store::open(&config.database).unwrap();
    pipeline::run(config, &store, &Selection::All, &Arc::new(AtomicBool::new(false)))
        .await
        .unwrap()
}

/// The recorded error of the page at `url`, if it was recorded at all.
fn page_error(config: &Config, url: &str) -> Option<String> {
    let store = Store::open_read_only(&config.database).unwrap();
    let sql = format!("SELECT coalesce(error, '') FROM pages WHERE url = '{}'", url.replace('\'', "''"));
    let rows = store.query(&sql).unwrap().rows;
    rows.first().map(|r| r[0].as_str().unwrap().to_string())
}

// --- Retry-After ---------------------------------------------------------------------------

const HUGE_RETRY_AFTERS: [&str; 2] = ["18446744073709551615", "10000000000000"];

#[tokio::test]
async fn a_huge_retry_after_defers_instead_of_overflowing() {
    for value in HUGE_RETRY_AFTERS {
        for status in [503, 429] {
            let server = TestServer::start(Router::new().route("/nota", reply(Reply::status(status).header("retry-after", value)))).await;
            let fetcher = fetcher(FetchConfig {
                respect_robots: false,
                ..config()
            });
            let result = get_html(&fetcher, &server.url("/nota")).await;
            match result {
                Ok(Outcome::Deferred { retry_after }) => assert_eq!(retry_after, MAX_RETRY_AFTER, "{status} {value}"),
                other => panic!("{status} {value}: expected Deferred, got {other:?}"),
            }
            assert_eq!(server.hits("/nota"), 1);
        }
    }
}

#[tokio::test]
async fn a_run_over_a_huge_retry_after_completes_and_records_the_page() {
    for value in HUGE_RETRY_AFTERS {
        let server = TestServer::start(
            Router::new()
                .route("/feed.xml", feed(vec!["http://{host}/nota".into()]))
                .route("/nota", reply(Reply::status(503).header("retry-after", value))),
        )
        .await;
        let dir = tempfile::tempdir().unwrap();
        let cfg = pipeline_config(dir.path(), "", &server.url("/feed.xml"));
        let report = pass(&cfg).await;
        assert_eq!(report.summary.skipped, 1, "{value}: {report:?}");
        let error = page_error(&cfg, &server.url("/nota")).expect("the page is recorded");
        assert!(error.starts_with("deferred until"), "{value}: {error}");
    }
}
