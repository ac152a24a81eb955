//! The fetch stage against a local server: robots.txt, pacing, conditional GET, retries,
//! timeouts, redirects, content types, charsets and the size cap.

mod common;

use std::time::{Duration, Instant};

use axum::Router;
use common::{Reply, TestServer, conditional, fixtures, reply, sequence};
use vigia::article::charset;
use vigia::config::FetchConfig;
use vigia::fetch::{Expect, FetchError, Fetcher, Outcome, Page, RetryPolicy, Validators};

const AGENT: &str = "vigia/0.1 (+https://example.org/bot)";

fn config() -> FetchConfig {
    FetchConfig {
        user_agent: AGENT.to_string(),
        per_host_delay: Duration::ZERO,
        timeout: Duration::from_secs(5),
        max_bytes: 1_000_000,
        respect_robots: true,
        // These tests are about politeness, not the network policy: the server is local.
        allow_private_networks: true,
        ..FetchConfig::default()
    }
}

/// Short waits so that retry tests stay fast.
fn quick_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(20),
        max_total_backoff: Duration::from_secs(2),
    }
}

fn fetcher(config: FetchConfig) -> Fetcher {
    Fetcher::new(&config).unwrap().with_retry_policy(quick_retries(3))
}

async fn get(fetcher: &Fetcher, url: &str, expect: Expect) -> Result<Outcome, FetchError> {
    fetcher.fetch(url, &Validators::default(), expect).await
}

fn page(outcome: Result<Outcome, FetchError>) -> Page {
    match outcome {
        Ok(Outcome::Fetched(page)) => page,
        other => panic!("expected a page, got {other:?}"),
    }
}

fn gaps(server: &TestServer) -> Vec<Duration> {
    let times: Vec<Instant> = server.all_requests().iter().map(|h| h.at).collect();
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

#[tokio::test]
async fn robots_disallow_is_honoured_and_robots_is_fetched_once() {
    let robots = "User-agent: *\nDisallow: /privado/\n\nUser-agent: otrobot\nDisallow: /\n";
    let server = TestServer::start(
        fixtures("fetch")
            .route("/robots.txt", reply(Reply::text(robots)))
            .route("/privado/nota", reply(Reply::html("<p>secreto</p>"))),
    )
    .await;
    let fetcher = fetcher(config());

    let first = page(get(&fetcher, &server.url("/nota.html"), Expect::Html).await);
    assert!(first.body.starts_with(b"<!DOCTYPE html>"));
    let blocked = get(&fetcher, &server.url("/privado/nota"), Expect::Html).await;
    assert!(matches!(blocked, Ok(Outcome::Disallowed)), "{blocked:?}");
    let again = get(&fetcher, &server.url("/nota.html?page=2"), Expect::Html).await;
    assert!(matches!(again, Ok(Outcome::Fetched(_))), "{again:?}");

    assert_eq!(server.hits("/robots.txt"), 1);
    assert_eq!(server.hits("/privado/nota"), 0);
    assert_eq!(server.hits("/nota.html"), 2);
    let sent_agent = &server.requests("/nota.html")[0].headers["user-agent"];
    assert_eq!(sent_agent, AGENT);
}

#[tokio::test]
async fn a_robots_txt_past_the_cap_keeps_its_full_lines_before_it() {
    // 40 comment lines of 51 bytes put the last rule well past a cap of 2,000 bytes.
    let padding = format!("# {}\n", "relleno ".repeat(6)).repeat(40);
    let robots = format!("User-agent: *\nDisallow: /privado/\n{padding}Disallow: /tarde/\n");
    let server = TestServer::start(
        fixtures("fetch")
            .route("/robots.txt", reply(Reply::text(robots)))
            .route("/privado/nota", reply(Reply::html("<p>secreto</p>")))
            .route("/tarde/nota", reply(Reply::html("<!DOCTYPE html><p>tarde</p>"))),
    )
    .await;
    let fetcher = fetcher(FetchConfig {
        max_bytes: 2_000,
        ..config()
    });

    let blocked = get(&fetcher, &server.url("/privado/nota"), Expect::Html).await;
    assert!(matches!(blocked, Ok(Outcome::Disallowed)), "{blocked:?}");
    // Its rule lies past the cap, so it is not read.
    let late = get(&fetcher, &server.url("/tarde/nota"), Expect::Html).await;
    assert!(matches!(late, Ok(Outcome::Fetched(_))), "{late:?}");
}

#[tokio::test]
async fn robots_sitemaps_share_the_cached_robots() {
    let robots = "User-agent: *\nAllow: /\nSitemap: https://example.org/sitemap.xml\n";
    let server = TestServer::start(fixtures("fetch").route("/robots.txt", reply(Reply::text(robots)))).await;
    let fetcher = fetcher(config());
    let sitemaps = fetcher.robots_sitemaps(&server.url("/")).await;
    assert_eq!(sitemaps, ["https://example.org/sitemap.xml"]);
    page(get(&fetcher, &server.url("/nota.html"), Expect::Html).await);
    assert_eq!(server.hits("/robots.txt"), 1);
}

#[tokio::test]
async fn robots_can_be_ignored_a_broken_robots_disallows_and_a_missing_one_allows() {
    let server = TestServer::start(fixtures("fetch").route("/robots.txt", reply(Reply::text("User-agent: *\nDisallow: /\n")))).await;
    let ignoring = fetcher(FetchConfig {
        respect_robots: false,
        ..config()
    });
    page(get(&ignoring, &server.url("/nota.html"), Expect::Html).await);
    assert_eq!(server.hits("/robots.txt"), 0);

    let broken = TestServer::start(fixtures("fetch").route("/robots.txt", reply(Reply::status(503)))).await;
    let fetcher = fetcher(config());
    // RFC 9309: a server error on robots.txt means "disallow everything" for now.
    for _ in 0..2 {
        let result = get(&fetcher, &broken.url("/nota.html"), Expect::Html).await;
        assert!(matches!(result, Err(FetchError::RobotsUnreachable { .. })), "{result:?}");
    }
    assert_eq!(broken.hits("/robots.txt"), 1, "robots.txt is asked once per run");
    assert_eq!(broken.hits("/nota.html"), 0);

    // No robots.txt at all (404) allows everything too.
    let missing = TestServer::start(fixtures("fetch")).await;
    page(get(&fetcher, &missing.url("/nota.html"), Expect::Html).await);
    assert_eq!(missing.hits("/robots.txt"), 1);
}

#[tokio::test]
async fn requests_to_one_host_are_spaced_by_the_per_host_delay() {
    let server = TestServer::start(fixtures("fetch")).await;
    let delay = Duration::from_millis(300);
    let fetcher = fetcher(FetchConfig {
        per_host_delay: delay,
        ..config()
    });
    let started = Instant::now();
    page(get(&fetcher, &server.url("/nota.html"), Expect::Html).await);
    page(get(&fetcher, &server.url("/nota.html"), Expect::Html).await);
    // robots.txt, then two pages: three requests, each pair at least `delay` apart.
    assert_eq!(server.all_requests().len(), 3);
    for gap in gaps(&server) {
        assert!(gap >= delay - Duration::from_millis(10), "gap {gap:?}");
    }
    assert!(started.elapsed() >= 2 * delay - Duration::from_millis(20));
}

#[tokio::test]
async fn crawl_delay_raises_the_pacing() {
    let server =
        TestServer::start(fixtures("fetch").route("/robots.txt", reply(Reply::text("User-agent: vigia\nCrawl-delay: 0.4\n")))).await;
    let fetcher = fetcher(FetchConfig {
        per_host_delay: Duration::from_millis(50),
        ..config()
    });
    page(get(&fetcher, &server.url("/nota.html"), Expect::Html).await);
    page(get(&fetcher, &server.url("/nota.html"), Expect::Html).await);
    let gaps = gaps(&server);
    assert_eq!(gaps.len(), 2);
    for gap in gaps {
        assert!(gap >= Duration::from_millis(390), "gap {gap:?}");
    }
}

#[tokio::test]
async fn second_request_with_the_etag_gets_not_modified() {
    let modified = "Tue, 03 Mar 2026 10:00:00 GMT";
    let server = TestServer::start(Router::new().route(
        "/nota",
        conditional("\"v1\"", Reply::html("<p>hola</p>").header("last-modified", modified)),
    ))
    .await;
    let fetcher = fetcher(FetchConfig {
        respect_robots: false,
        ..config()
    });
    let url = server.url("/nota");
    let first = page(get(&fetcher, &url, Expect::Html).await);
    assert_eq!(first.etag.as_deref(), Some("\"v1\""));
    assert_eq!(first.last_modified.as_deref(), Some(modified));
    let validators = Validators {
        etag: first.etag.clone(),
        last_modified: first.last_modified.clone(),
    };
    let second = fetcher.fetch(&url, &validators, Expect::Html).await;
    assert!(matches!(second, Ok(Outcome::NotModified)), "{second:?}");
    let sent = &server.requests("/nota")[1].headers;
    assert_eq!(sent["if-none-match"], "\"v1\"");
    assert_eq!(sent["if-modified-since"], modified);
    // A stale tag gets the page again.
    let stale = Validators {
        etag: Some("\"v0\"".into()),
        last_modified: None,
    };
    let third = fetcher.fetch(&url, &stale, Expect::Html).await;
    assert!(matches!(third, Ok(Outcome::Fetched(_))), "{third:?}");
}

#[tokio::test]
async fn server_errors_are_retried_then_given_up() {
    let server = TestServer::start(
        Router::new()
            .route("/caido", reply(Reply::status(500)))
            .route("/falta", reply(Reply::status(404))),
    )
    .await;
    let fetcher = fetcher(FetchConfig {
        respect_robots: false,
        ..config()
    });
    let result = get(&fetcher, &server.url("/caido"), Expect::Html).await;
    assert!(matches!(result, Err(FetchError::Status { status: 500, .. })), "{result:?}");
    assert_eq!(server.hits("/caido"), 3);

    let result = get(&fetcher, &server.url("/falta"), Expect::Html).await;
    assert!(matches!(result, Err(FetchError::Status { status: 404, .. })), "{result:?}");
    assert_eq!(server.hits("/falta"), 1, "a 404 is not retried");
}

#[tokio::test]
async fn a_short_retry_after_is_waited_for() {
    let server = TestServer::start(Router::new().route(
        "/ocupado",
        sequence(vec![Reply::status(429).header("retry-after", "1"), Reply::html("<p>listo</p>")]),
    ))
    .await;
    let fetcher = fetcher(FetchConfig {
        respect_robots: false,
        ..config()
    });
    let started = Instant::now();
    let page = page(get(&fetcher, &server.url("/ocupado"), Expect::Html).await);
    assert_eq!(page.body, b"<p>listo</p>");
    assert_eq!(server.hits("/ocupado"), 2);
    let gap = gaps(&server)[0];
    assert!(gap >= Duration::from_millis(990), "gap {gap:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn too_many_requests_is_retried_then_given_up() {
    let server = TestServer::start(Router::new().route("/saturado", reply(Reply::status(429).header("retry-after", "0")))).await;
    let fetcher = fetcher(FetchConfig {
        respect_robots: false,
        ..config()
    });
    let result = get(&fetcher, &server.url("/saturado"), Expect::Html).await;
    assert!(matches!(result, Err(FetchError::Status { status: 429, .. })), "{result:?}");
    assert_eq!(server.hits("/saturado"), 3, "every attempt of the policy is used");
}

#[tokio::test]
async fn a_long_retry_after_defers_without_waiting() {
    let server = TestServer::start(
        Router::new()
            .route("/lleno", reply(Reply::status(429).header("retry-after", "3600")))
            .route("/otra", reply(Reply::html("<p>otra</p>"))),
    )
    .await;
    let fetcher = fetcher(FetchConfig {
        respect_robots: false,
        ..config()
    });
    let started = Instant::now();
    let result = get(&fetcher, &server.url("/lleno"), Expect::Html).await;
    match result {
        Ok(Outcome::Deferred { retry_after }) => assert_eq!(retry_after, Duration::from_secs(3600)),
        other => panic!("expected Deferred, got {other:?}"),
    }
    // The host asked for a pause: its other pages wait for a later run too.
    let other = get(&fetcher, &server.url("/otra"), Expect::Html).await;
    assert!(matches!(other, Ok(Outcome::Deferred { .. })), "{other:?}");
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(server.hits("/lleno"), 1);
    assert_eq!(server.hits("/otra"), 0);
}

#[tokio::test]
async fn a_slow_response_times_out() {
    let server = TestServer::start(Router::new().route("/lento", reply(Reply::html("<p>tarde</p>").delay(Duration::from_secs(3))))).await;
    let fetcher = Fetcher::new(&FetchConfig {
        timeout: Duration::from_secs(1),
        respect_robots: false,
        ..config()
    })
    .unwrap()
    .with_retry_policy(quick_retries(1));
    let started = Instant::now();
    let result = get(&fetcher, &server.url("/lento"), Expect::Html).await;
    assert!(matches!(result, Err(FetchError::Timeout(_))), "{result:?}");
    assert!(started.elapsed() < Duration::from_millis(2500));
    assert_eq!(server.hits("/lento"), 1);
}

#[tokio::test]
async fn an_unreachable_host_is_a_network_error_after_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/nota", listener.local_addr().unwrap());
    drop(listener);
    let fetcher = Fetcher::new(&FetchConfig {
        respect_robots: false,
        ..config()
    })
    .unwrap()
    .with_retry_policy(quick_retries(2));
    let result = get(&fetcher, &url, Expect::Html).await;
    assert!(matches!(result, Err(FetchError::Network { .. })), "{result:?}");
}

#[tokio::test]
async fn redirects_are_followed_and_loops_stopped() {
    let server = TestServer::start(
        fixtures("fetch")
            .route("/viejo", reply(Reply::redirect("/nota.html")))
            .route("/bucle", reply(Reply::redirect("/bucle"))),
    )
    .await;
    let fetcher = fetcher(FetchConfig {
        respect_robots: false,
        ..config()
    });
    let page = page(get(&fetcher, &server.url("/viejo"), Expect::Html).await);
    assert_eq!(page.url, server.url("/viejo"));
    assert_eq!(page.final_url, server.url("/nota.html"));

    let result = get(&fetcher, &server.url("/bucle"), Expect::Html).await;
    assert!(matches!(result, Err(FetchError::TooManyRedirects(_))), "{result:?}");
    assert_eq!(server.hits("/bucle"), 11, "the first request and ten redirects");
}

#[tokio::test]
async fn every_redirect_hop_obeys_robots() {
    let server = TestServer::start(
        fixtures("fetch")
            .route("/robots.txt", reply(Reply::text("User-agent: *\nDisallow: /privado/\n")))
            .route("/salta", reply(Reply::redirect("/privado/nota")))
            .route("/privado/nota", reply(Reply::html("<p>secreto</p>"))),
    )
    .await;
    let fetcher = fetcher(config());
    let result = get(&fetcher, &server.url("/salta"), Expect::Html).await;
    assert!(matches!(result, Ok(Outcome::Disallowed)), "{result:?}");
    assert_eq!(server.hits("/salta"), 1);
    assert_eq!(server.hits("/privado/nota"), 0, "the disallowed target is never requested");
}

#[tokio::test]
async fn non_html_bodies_are_wrong_type_for_articles() {
    let big_pdf = [b"%PDF-1.7\n".as_slice(), &vec![b'0'; 300_000]].concat();
    let server = TestServer::start(
        fixtures("fetch")
            .route("/grande.pdf", reply(Reply::ok("application/pdf", big_pdf)))
            .route("/sin-tipo.pdf", reply(Reply::status(200).body(b"%PDF-1.4\n".to_vec())))
            .route("/sin-tipo", reply(Reply::status(200).body(b"<html><p>hola</p></html>".to_vec()))),
    )
    .await;
    let fetcher = fetcher(FetchConfig {
        respect_robots: false,
        max_bytes: 100_000,
        ..config()
    });
    let result = get(&fetcher, &server.url("/informe.pdf"), Expect::Html).await;
    match result {
        Ok(Outcome::WrongType {
            final_url,
            status,
            content_type,
        }) => {
            assert_eq!(final_url, server.url("/informe.pdf"));
            assert_eq!(status, 200);
            assert_eq!(content_type.as_deref(), Some("application/pdf"));
        }
        other => panic!("expected WrongType, got {other:?}"),
    }
    // A PDF above the size cap is refused by type, so its body was never read.
    let result = get(&fetcher, &server.url("/grande.pdf"), Expect::Html).await;
    assert!(matches!(result, Ok(Outcome::WrongType { .. })), "{result:?}");
    // Without a Content-Type, the first bytes decide.
    let result = get(&fetcher, &server.url("/sin-tipo.pdf"), Expect::Html).await;
    assert!(matches!(result, Ok(Outcome::WrongType { .. })), "{result:?}");
    page(get(&fetcher, &server.url("/sin-tipo"), Expect::Html).await);
    // Expect::Any takes anything.
    let pdf = page(get(&fetcher, &server.url("/informe.pdf"), Expect::Any).await);
    assert!(pdf.body.starts_with(b"%PDF"));
}

#[tokio::test]
async fn a_windows_1252_page_is_decoded() {
    let text = "<html><head><title>Operativo</title></head><body><p>La policía incautó \
        cocaína y armas en Santiváñez durante un operativo nocturno en la zona del \
        trópico.</p></body></html>";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    let bytes = bytes.into_owned();
    assert!(std::str::from_utf8(&bytes).is_err(), "the fixture must not be UTF-8");
    let server = TestServer::start(
        Router::new()
            .route("/sin-charset", reply(Reply::ok("text/html", bytes.clone())))
            .route("/latin1", reply(Reply::ok("text/html; charset=ISO-8859-1", bytes))),
    )
    .await;
    let fetcher = fetcher(FetchConfig {
        respect_robots: false,
        ..config()
    });
    for path in ["/sin-charset", "/latin1"] {
        let page = page(get(&fetcher, &server.url(path), Expect::Html).await);
        let decoded = charset::decode(&page.body, page.content_type.as_deref());
        assert_eq!(decoded, text, "{path}");
    }
}

#[tokio::test]
async fn gzip_bodies_are_capped_after_decompression() {
    let bomb = vec![b' '; 5_000_000];
    let small = "<p>comprimido</p>".repeat(100);
    let server = TestServer::start(
        Router::new()
            .route("/bomba", reply(Reply::html(bomb).gzip()))
            .route("/chico", reply(Reply::html(small.clone()).gzip())),
    )
    .await;
    let fetcher = fetcher(FetchConfig {
        respect_robots: false,
        max_bytes: 100_000,
        ..config()
    });
    let result = get(&fetcher, &server.url("/bomba"), Expect::Html).await;
    assert!(matches!(result, Err(FetchError::TooLarge { max_bytes: 100_000, .. })), "{result:?}");
    assert_eq!(server.hits("/bomba"), 1, "an oversized body is not retried");
    let page = page(get(&fetcher, &server.url("/chico"), Expect::Html).await);
    assert_eq!(page.body, small.as_bytes());
}

#[tokio::test]
async fn fixture_server_serves_files_and_counts_misses() {
    let server = TestServer::start(fixtures("fetch")).await;
    let client = reqwest::Client::new();
    let response = client.get(server.url("/nota.html")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/html");
    let response = client.get(server.url("/nada.html")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(server.hits("/nota.html"), 1);
    assert_eq!(server.hits("/nada.html"), 1);

    // A router without a fallback counts its misses too.
    let bare = TestServer::start(Router::new()).await;
    let response = client.get(bare.url("/x?y=1")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(bare.hits("/x"), 1);
    assert_eq!(bare.requests("/x")[0].query.as_deref(), Some("y=1"));
}
