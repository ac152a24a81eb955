//! A page that failed or was set aside is never taken as done: a 304 for a page that gave no
//! article is looked at again, `reprocess` recovers pages that today's filters keep, and a URL
//! that keeps failing waits between attempts instead of costing every pass.

mod common;

use std::path::Path;

use common::{Reply, TestServer, conditional, pass, reply};
use vigia::config::Config;
use vigia::pipeline;
use vigia::store::Store;

/// A short security report, with figures.
fn report_page(title: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"><title>{title}</title></head>
<body><article><h1>{title}</h1>
<p>La policía de Guayaquil decomisó 1,2 toneladas de cocaína ocultas en un contenedor de banano con destino a Amberes, informó el jueves el comandante de la zona.</p>
<p>Según la fiscalía, en lo que va del año se han incautado 48 toneladas de droga en los puertos del país, un récord que supera las cifras de los dos años anteriores.</p>
<p>Los tres detenidos fueron puestos a órdenes de un juez, que dictó prisión preventiva mientras avanza la investigación por tráfico de sustancias.</p>
</article></body></html>"#
    )
}

fn rss(host: &str, paths: &[&str]) -> String {
    let items: String = paths
        .iter()
        .map(|p| format!("<item><title>Nota</title><link>http://{host}{p}</link></item>"))
        .collect();
    format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Puerto</title><link>http://{host}/</link><description>x</description>{items}</channel></rss>"#
    )
}

fn config(dir: &Path, sources: &str) -> Config {
    let text = format!("database = \"vigia.db\"\n[fetch]\nper_host_delay_ms = 0\ntimeout_s = 5\n\n{sources}");
    Config::parse(&text, &dir.join("vigia.toml")).unwrap()
}

fn rss_source(name: &str, url: &str, extra: &str) -> String {
    format!("[[sources]]\nname = \"{name}\"\nkind = \"rss\"\nurl = \"{url}\"\n{extra}\n")
}

fn scalar(config: &Config, sql: &str) -> i64 {
    let store = Store::open_read_only(&config.database).unwrap();
    store.query(sql).unwrap().rows[0][0].as_i64().unwrap()
}

async fn port_server(paths: &[&'static str]) -> TestServer {
    // The feed names its own host, so it is built per request.
    let feed_paths: Vec<&'static str> = paths.to_vec();
    let mut router = axum::Router::new().route(
        "/feed.xml",
        axum::routing::get(move |headers: axum::http::HeaderMap| {
            let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
            let body = rss(&host, &feed_paths);
            async move { ([("content-type", "application/rss+xml")], body) }
        }),
    );
    for (i, path) in paths.iter().enumerate() {
        let etag = format!("\"v{i}\"");
        router = router.route(path, conditional(&etag, Reply::html(report_page("Decomiso en el puerto"))));
    }
    TestServer::start(router).await
}

#[tokio::test]
async fn a_page_filtered_out_is_kept_when_the_filter_is_relaxed_even_if_the_server_answers_304() {
    let server = port_server(&["/nota/1.html"]).await;
    let dir = tempfile::tempdir().unwrap();
    let strict = config(
        dir.path(),
        &rss_source("puerto", &server.url("/feed.xml"), "keywords = [\"extorsión\"]"),
    );
    let first = pass(&strict).await;
    assert_eq!(first.summary.skipped, 1, "filtered out: {first:?}");
    assert_eq!(scalar(&strict, "SELECT count(*) FROM articles"), 0);

    let relaxed = config(
        dir.path(),
        &rss_source("puerto", &server.url("/feed.xml"), "keywords = [\"cocaína\"]"),
    );
    let second = pass(&relaxed).await;
    let last = server.requests("/nota/1.html");
    assert_eq!(last.len(), 2);
    assert!(last[1].headers.get("if-none-match").is_some(), "conditional GET still used");
    assert_eq!(second.summary.not_modified, 1, "{second:?}");
    assert_eq!(second.summary.articles_new, 1, "the stored body is analysed again: {second:?}");
    assert_eq!(scalar(&relaxed, "SELECT count(*) FROM articles"), 1);
    assert!(scalar(&relaxed, "SELECT count(*) FROM statistics") > 0);

    // Once stored, a 304 is what it says: nothing new.
    let third = pass(&relaxed).await;
    assert_eq!((third.summary.not_modified, third.summary.articles_new), (1, 0), "{third:?}");
}

#[tokio::test]
async fn a_second_source_listing_a_page_another_filtered_out_stores_it() {
    let server = port_server(&["/nota/1.html"]).await;
    let dir = tempfile::tempdir().unwrap();
    let feed = server.url("/feed.xml");
    let cfg = config(
        dir.path(),
        &format!(
            "{}{}",
            rss_source("estricta", &feed, "keywords = [\"extorsión\"]"),
            rss_source("amplia", &format!("{feed}?todo=1"), "")
        ),
    );
    // Sources run concurrently; over two passes each has seen the page at least once.
    pass(&cfg).await;
    pass(&cfg).await;
    assert_eq!(scalar(&cfg, "SELECT count(*) FROM articles"), 1);
    assert_eq!(scalar(&cfg, "SELECT count(*) FROM articles WHERE source = 'amplia'"), 1);
}

#[test]
fn reprocess_makes_articles_of_pages_that_todays_filters_keep() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(port_server(&["/nota/1.html", "/nota/2.html"]));
    let dir = tempfile::tempdir().unwrap();
    let strict = config(
        dir.path(),
        &rss_source("puerto", &server.url("/feed.xml"), "keywords = [\"extorsión\"]"),
    );
    rt.block_on(pass(&strict));
    assert_eq!(scalar(&strict, "SELECT count(*) FROM articles"), 0);

    // Without the source's configuration its filters are unknown: nothing is added.
    let store = Store::open(&strict.database).unwrap();
    let blind = pipeline::reprocess(None, &store, None).unwrap();
    assert_eq!((blind.pages, blind.orphans, blind.recovered), (2, 2, 0), "{blind:?}");
    // Under the same filters, nothing changes either.
    let same = pipeline::reprocess(Some(&strict), &store, None).unwrap();
    assert_eq!((same.orphans, same.recovered), (2, 0), "{same:?}");

    let relaxed = config(dir.path(), &rss_source("puerto", &server.url("/feed.xml"), ""));
    let report = pipeline::reprocess(Some(&relaxed), &store, None).unwrap();
    assert_eq!(report.pages, 2, "{report:?}");
    // The two pages carry the same text: one article, one copy of it.
    assert_eq!((report.recovered, report.duplicates), (1, 1), "{report:?}");
    assert!(report.statistics > 0, "{report:?}");
    assert_eq!(scalar(&relaxed, "SELECT count(*) FROM articles"), 1);
}

#[tokio::test]
async fn a_url_that_keeps_failing_waits_between_attempts() {
    let server = TestServer::start(
        axum::Router::new()
            .route(
                "/feed.xml",
                axum::routing::get(|headers: axum::http::HeaderMap| async move {
                    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("").to_string();
                    (
                        [("content-type", "application/rss+xml")],
                        rss(&host, &["/rota.html", "/buena.html"]),
                    )
                }),
            )
            .route("/rota.html", reply(Reply::status(404)))
            .route("/buena.html", reply(Reply::html(report_page("Decomiso")))),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &rss_source("puerto", &server.url("/feed.xml"), ""));

    let first = pass(&cfg).await;
    assert_eq!(first.summary.failed, 1, "{first:?}");
    assert_eq!(first.summary.articles_new, 1, "the other page is stored: {first:?}");
    let second = pass(&cfg).await;
    assert_eq!(second.summary.failed, 1, "a first failure is tried again on the next pass");
    assert_eq!(server.hits("/rota.html"), 2);
    let third = pass(&cfg).await;
    assert_eq!(server.hits("/rota.html"), 2, "after two failures in a row the URL waits");
    assert_eq!(third.summary.failed, 0, "{third:?}");
    assert_eq!(
        scalar(
            &cfg,
            "SELECT count(*) FROM pages WHERE url LIKE '%/rota.html' AND failures = 2 AND retry_after IS NOT NULL AND error LIKE '%404%'"
        ),
        1
    );
}

#[tokio::test]
async fn a_backlog_longer_than_one_pass_is_worked_through_pass_after_pass() {
    let paths = ["/nota/1.html", "/nota/2.html", "/nota/3.html", "/nota/4.html", "/nota/5.html"];
    let server = port_server(&paths).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[discover]\nmax_candidates_per_pass = 2\n\n{}",
            rss_source("puerto", &server.url("/feed.xml"), "")
        ),
    );
    let fetched = || paths.iter().filter(|p| server.hits(p) > 0).count();
    pass(&cfg).await;
    assert_eq!(fetched(), 2);
    pass(&cfg).await;
    assert_eq!(fetched(), 4, "the next pass takes pages it has not seen");
    pass(&cfg).await;
    assert_eq!(fetched(), 5);
    assert_eq!(paths.iter().map(|p| server.hits(p)).sum::<usize>(), 6, "then one page seen before");
}
