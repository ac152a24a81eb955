//! The fetch stage against hostile servers: absurd Retry-After values, links and redirects
//! into private networks, servers that stall, and broken robots.txt files.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::get;
use common::{Reply, TestServer, pass, reply};
use vigia::config::{Config, FetchConfig};
use vigia::fetch::{Expect, FetchError, Fetcher, MAX_RETRY_AFTER, Outcome, OutcomeKind, RetryPolicy, Validators};
use vigia::store::Store;

const AGENT: &str = "vigia/0.1 (+https://example.org/bot)";

/// Local servers are all the tests have, so private networks are allowed unless a test is
/// about the network policy.
fn config() -> FetchConfig {
    FetchConfig {
        user_agent: AGENT.to_string(),
        per_host_delay: Duration::ZERO,
        timeout: Duration::from_secs(5),
        url_deadline: Duration::from_secs(10),
        max_bytes: 1_000_000,
        respect_robots: true,
        allow_private_networks: true,
    }
}

/// As a user's default configuration: the network policy applies.
fn guarded() -> FetchConfig {
    FetchConfig {
        allow_private_networks: false,
        ..config()
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

/// An article page long enough to be kept.
fn article(title: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>{title}</title></head><body><article><h1>{title}</h1>\
         <p>Police said at least 40 people were arrested in raids on extortion gangs during the first half of the year.</p>\
         <p>Prosecutors opened more than 300 cases, and officials credited a new patrol plan in the three largest cities.</p>\
         </article></body></html>"
    )
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

/// A configuration with one rss source at `feed_url`; `fetch` adds lines to `[fetch]`.
fn pipeline_config(dir: &Path, fetch: &str, feed_url: &str) -> Config {
    let text = format!(
        "database = \"vigia.db\"\n[fetch]\nper_host_delay_ms = 0\ntimeout_s = 5\n{fetch}\n\n\
         [[sources]]\nname = \"feed\"\nkind = \"rss\"\nurl = \"{feed_url}\"\n"
    );
    Config::parse(&text, &dir.join("vigia.toml")).unwrap()
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

// --- Network policy ------------------------------------------------------------------------

/// A server standing for an intranet host: everything it serves is secret.
async fn intranet() -> TestServer {
    TestServer::start(
        Router::new()
            .route("/secreto", reply(Reply::html(article("Internal memo"))))
            .route("/robots.txt", reply(Reply::text("User-agent: *\nAllow: /\n"))),
    )
    .await
}

/// `http://localhost:PORT/path` for a server on 127.0.0.1:PORT: the same place by name, which
/// only the resolver sees.
fn by_name(server: &TestServer, path: &str) -> String {
    server.url(path).replace("127.0.0.1", "localhost")
}

fn is_refused(result: &Result<Outcome, FetchError>) -> bool {
    matches!(result, Err(e @ FetchError::Refused { .. }) if e.to_string().contains("allow_private_networks"))
}

#[tokio::test]
async fn a_feed_cannot_pull_pages_from_another_local_address() {
    let inside = intranet().await;
    let (by_ip, by_name) = (inside.url("/secreto"), by_name(&inside, "/secreto"));
    let server = TestServer::start(
        Router::new()
            .route("/feed.xml", feed(vec!["http://{host}/nota".into(), by_ip.clone(), by_name.clone()]))
            .route("/nota", reply(Reply::html(article("Our own article")))),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = pipeline_config(dir.path(), "", &server.url("/feed.xml"));
    let report = pass(&cfg).await;

    assert_eq!(inside.all_requests().len(), 0, "the intranet host is never contacted");
    assert_eq!(report.summary.articles_new, 1, "the source's own article is fetched: {report:?}");
    assert_eq!(report.summary.failed, 2, "{report:?}");
    for url in [&by_ip, &by_name] {
        let error = page_error(&cfg, url).expect("the refused page is recorded");
        assert!(
            error.starts_with("refused") && error.contains("loopback") && error.contains("allow_private_networks"),
            "{url}: {error}"
        );
    }

    // The flag lets the same feed reach them.
    let dir = tempfile::tempdir().unwrap();
    let cfg = pipeline_config(dir.path(), "allow_private_networks = true", &server.url("/feed.xml"));
    let report = pass(&cfg).await;
    assert_eq!(report.summary.failed, 0, "{report:?}");
    assert_eq!(inside.hits("/secreto"), 2);
}

#[tokio::test]
async fn a_redirect_into_another_local_address_is_refused_at_the_hop() {
    let inside = intranet().await;
    let server = TestServer::start(
        Router::new()
            .route("/salta", reply(Reply::redirect(&inside.url("/secreto"))))
            .route("/salta-por-nombre", reply(Reply::redirect(&by_name(&inside, "/secreto"))))
            .route("/salta-v6", reply(Reply::redirect("http://[::ffff:127.0.0.1]/")))
            .route("/metadatos", reply(Reply::redirect("http://169.254.169.254/latest/meta-data/")))
            .route("/propia", reply(Reply::redirect("/nota")))
            .route("/nota", reply(Reply::html("<p>nuestra</p>"))),
    )
    .await;
    let scoped = fetcher(guarded()).for_source(&server.url("/feed.xml"));
    for path in ["/salta", "/salta-por-nombre", "/salta-v6", "/metadatos"] {
        let result = get_html(&scoped, &server.url(path)).await;
        assert!(is_refused(&result), "{path}: {result:?}");
        assert_eq!(server.hits(path), 1, "{path}: refused at the hop, not retried");
    }
    assert_eq!(inside.all_requests().len(), 0, "the intranet host is never contacted");
    // The source's own origin is reachable, redirects within it too.
    let own = get_html(&scoped, &server.url("/propia")).await;
    assert!(matches!(own, Ok(Outcome::Fetched(_))), "{own:?}");

    // With the flag, the redirect is followed.
    let open = fetcher(config());
    let result = get_html(&open, &server.url("/salta")).await;
    assert!(matches!(result, Ok(Outcome::Fetched(_))), "{result:?}");
    assert_eq!(inside.hits("/secreto"), 1);
}

#[tokio::test]
async fn only_the_sources_own_origin_is_reachable_on_a_private_address() {
    let server = intranet().await;
    let other = intranet().await;
    let fetcher = fetcher(guarded());
    let scoped = fetcher.for_source(&server.url("/feed.xml"));
    let ok = get_html(&scoped, &server.url("/secreto")).await;
    assert!(matches!(ok, Ok(Outcome::Fetched(_))), "{ok:?}");
    // Same address, another port; the same server by another name; no source at all.
    for (handle, url) in [
        (&scoped, other.url("/secreto")),
        (&scoped, by_name(&server, "/secreto")),
        (&fetcher, server.url("/secreto")),
        (&fetcher, server.url("/secreto").replace("127.0.0.1", "[::1]")),
        (&fetcher, server.url("/secreto").replace("127.0.0.1", "0.0.0.0")),
        (&fetcher, server.url("/secreto").replace("127.0.0.1", "2130706433")),
    ] {
        let result = get_html(handle, &url).await;
        assert!(is_refused(&result), "{url}: {result:?}");
    }
    assert_eq!(other.all_requests().len(), 0);
    assert_eq!(server.hits("/secreto"), 1);
    assert_eq!(fetcher.robots_sitemaps(&server.url("/")).await, Vec::<String>::new());
    assert_eq!(server.hits("/robots.txt"), 1, "only for the source's own fetch");
}

// --- Deadlines -----------------------------------------------------------------------------

/// `/r/0` … `/r/9` each redirect to the next just before the client's timeout; `/r/10`
/// sends its headers, then one byte of body every 100 ms, forever.
fn slow_chain(timeout: Duration) -> Router {
    let hop = timeout.mul_f32(0.9);
    Router::new().route(
        "/r/{n}",
        get(move |axum::extract::Path(n): axum::extract::Path<u32>| async move {
            if n < 10 {
                tokio::time::sleep(hop).await;
                return Reply::redirect(&format!("/r/{}", n + 1)).into_response();
            }
            let drip = futures_util::stream::unfold((), |()| async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                Some((Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"<")), ()))
            });
            let mut response = axum::response::Response::new(axum::body::Body::from_stream(drip));
            response
                .headers_mut()
                .insert("content-type", axum::http::HeaderValue::from_static("text/html"));
            response
        }),
    )
}

#[tokio::test]
async fn a_stalling_server_cannot_hold_a_url_past_its_deadline() {
    let timeout = Duration::from_secs(1);
    let deadline = Duration::from_secs(2);
    let server = TestServer::start(slow_chain(timeout)).await;
    let fetcher = fetcher(FetchConfig {
        timeout,
        url_deadline: deadline,
        respect_robots: false,
        ..config()
    });
    let started = Instant::now();
    let result = get_html(&fetcher, &server.url("/r/0")).await;
    let elapsed = started.elapsed();
    assert!(matches!(result, Err(FetchError::Timeout(_))), "{result:?}");
    assert!(elapsed < deadline + Duration::from_millis(1500), "held for {elapsed:?}");
}

#[tokio::test]
async fn a_trickled_body_ends_at_the_deadline() {
    // A request timeout far above the deadline: only the deadline can end this.
    let deadline = Duration::from_secs(1);
    let server = TestServer::start(slow_chain(Duration::from_secs(1))).await;
    let fetcher = fetcher(FetchConfig {
        timeout: Duration::from_secs(60),
        url_deadline: deadline,
        respect_robots: false,
        ..config()
    });
    let started = Instant::now();
    let result = get_html(&fetcher, &server.url("/r/10")).await;
    let elapsed = started.elapsed();
    assert!(matches!(result, Err(FetchError::Timeout(_))), "{result:?}");
    assert!(elapsed < deadline + Duration::from_millis(1500), "held for {elapsed:?}");
    assert_eq!(server.hits("/r/10"), 1, "a URL past its deadline is not retried");
}

// --- robots.txt ----------------------------------------------------------------------------

#[tokio::test]
async fn a_slow_robots_txt_holds_up_only_its_own_origin() {
    let slow = TestServer::start(
        Router::new()
            .route(
                "/robots.txt",
                reply(Reply::text("User-agent: *\nAllow: /\n").delay(Duration::from_secs(2))),
            )
            .route("/nota", reply(Reply::html("<p>lenta</p>"))),
    )
    .await;
    let fast = TestServer::start(Router::new().route("/nota", reply(Reply::html("<p>rápida</p>")))).await;
    let fetcher = fetcher(config());
    let slow_url = slow.url("/nota");
    let (slow_result, (fast_result, fast_took)) = tokio::join!(get_html(&fetcher, &slow_url), async {
        // Let the slow origin's robots.txt fetch start first.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        (get_html(&fetcher, &fast.url("/nota")).await, started.elapsed())
    });
    assert!(matches!(slow_result, Ok(Outcome::Fetched(_))), "{slow_result:?}");
    assert!(matches!(fast_result, Ok(Outcome::Fetched(_))), "{fast_result:?}");
    assert!(fast_took < Duration::from_millis(1000), "the fast origin waited {fast_took:?}");
    assert_eq!(slow.hits("/robots.txt"), 1);
}

#[tokio::test]
async fn robots_txt_redirects_are_followed_up_to_five_hops() {
    let rules = "User-agent: *\nDisallow: /privado/\n";
    let hops = |n: usize| -> Router {
        let mut router = Router::new()
            .route("/robots.txt", reply(Reply::status(301).header("location", "/r1")))
            .route(&format!("/r{n}"), reply(Reply::text(rules)))
            .route("/privado/nota", reply(Reply::html("<p>secreto</p>")));
        for i in 1..n {
            router = router.route(&format!("/r{i}"), reply(Reply::redirect(&format!("/r{}", i + 1))));
        }
        router
    };
    // Five redirects: the rules are found.
    let server = TestServer::start(hops(5)).await;
    let result = get_html(&fetcher(config()), &server.url("/privado/nota")).await;
    assert!(matches!(result, Ok(Outcome::Disallowed)), "{result:?}");
    assert_eq!(server.hits("/privado/nota"), 0);
    // Six: taken as no robots.txt, which allows all.
    let server = TestServer::start(hops(6)).await;
    let result = get_html(&fetcher(config()), &server.url("/privado/nota")).await;
    assert!(matches!(result, Ok(Outcome::Fetched(_))), "{result:?}");
    assert_eq!(server.hits("/r6"), 0);
}

#[tokio::test]
async fn a_robots_txt_redirect_into_a_private_address_is_not_followed() {
    let inside = intranet().await;
    let server = TestServer::start(
        Router::new()
            .route("/robots.txt", reply(Reply::redirect(&inside.url("/robots.txt"))))
            .route("/nota", reply(Reply::html("<p>hola</p>"))),
    )
    .await;
    let fetcher = fetcher(guarded()).for_source(&server.url("/"));
    let result = get_html(&fetcher, &server.url("/nota")).await;
    assert!(matches!(result, Ok(Outcome::Fetched(_))), "{result:?}");
    assert_eq!(inside.all_requests().len(), 0);
}

#[tokio::test]
async fn a_failing_robots_txt_disallows_its_origin_for_the_run() {
    let timeout = Duration::from_secs(1);
    // Source health records each as the failure it is, not as a robots.txt rule.
    for (robots, why, kind) in [
        (Reply::status(503), "HTTP status 503", OutcomeKind::Http(503)),
        (Reply::status(429), "HTTP status 429", OutcomeKind::Http(429)),
        (Reply::status(500), "HTTP status 500", OutcomeKind::Http(500)),
        (
            Reply::text("User-agent: *\nAllow: /\n").delay(Duration::from_secs(3)),
            "timed out",
            OutcomeKind::Timeout,
        ),
    ] {
        let server = TestServer::start(
            Router::new()
                .route("/robots.txt", reply(robots))
                .route("/nota", reply(Reply::html("<p>hola</p>")))
                .route("/otra", reply(Reply::html("<p>otra</p>"))),
        )
        .await;
        let fetcher = fetcher(FetchConfig {
            timeout,
            url_deadline: 2 * timeout,
            ..config()
        });
        for path in ["/nota", "/otra"] {
            let result = get_html(&fetcher, &server.url(path)).await;
            match result {
                Err(e @ FetchError::RobotsUnreachable { .. }) => {
                    assert!(e.to_string().contains(why), "{path}: {e}");
                    assert_eq!(OutcomeKind::from(&e), kind, "{path}: {e}");
                }
                other => panic!("{path}: expected RobotsUnreachable, got {other:?}"),
            }
        }
        assert_eq!(server.hits("/nota") + server.hits("/otra"), 0, "{why}");
        assert_eq!(server.hits("/robots.txt"), 1, "{why}: asked once per run");
    }
    // A server that is not there at all: its robots.txt is unreachable too.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/nota", listener.local_addr().unwrap());
    drop(listener);
    let result = get_html(&fetcher(config()), &url).await;
    match result {
        Err(e @ FetchError::RobotsUnreachable { .. }) => assert_eq!(OutcomeKind::from(&e), OutcomeKind::Connect, "{e}"),
        other => panic!("expected RobotsUnreachable, got {other:?}"),
    }
}

#[tokio::test]
async fn a_page_behind_a_failing_robots_txt_is_recorded_with_the_reason() {
    let down = TestServer::start(
        Router::new()
            .route("/robots.txt", reply(Reply::status(503)))
            .route("/nota", reply(Reply::html(article("Behind a broken robots.txt")))),
    )
    .await;
    let server = TestServer::start(Router::new().route("/feed.xml", feed(vec![down.url("/nota")]))).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = pipeline_config(dir.path(), "allow_private_networks = true", &server.url("/feed.xml"));
    let report = pass(&cfg).await;
    assert_eq!(report.summary.failed, 1, "{report:?}");
    assert_eq!(down.hits("/nota"), 0);
    let error = page_error(&cfg, &down.url("/nota")).expect("the page is recorded");
    assert!(error.contains("robots.txt") && error.contains("503"), "{error}");
}
