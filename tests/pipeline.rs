//! Whole passes of the pipeline against a local server: feeds, sitemaps, robots.txt, faults,
//! conditional GET on the second run, dedup, charsets, and what reaches the database.

mod common;

use std::path::Path;

use axum::http::HeaderMap;
use axum::routing::get;
use common::{Reply, TestServer, conditional, pass_selected, reply};
use vigia::config::Config;
use vigia::pipeline::Selection;
use vigia::store::Store;

/// A plain news page: a navigation bar, the article, a footer.
fn page(title: &str, canonical: Option<&str>, paragraphs: &[&str]) -> String {
    let canonical = canonical
        .map(|c| format!(r#"<link rel="canonical" href="{c}">"#))
        .unwrap_or_default();
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Frontera Daily</title>{canonical}
<meta property="article:published_time" content="2024-06-03T09:00:00Z"></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/news/">News</a></li><li><a href="/sport/">Sport</a></li></ul></nav>
<article><h1>{title}</h1>
{body}</article>
<footer><p>© Frontera Daily. All rights reserved.</p></footer></body></html>"#
    )
}

fn first_article() -> String {
    page(
        "Homicides fall in the northern border region",
        Some("/news/one.html"),
        &[
            "The northern border region recorded a homicide rate of 12.5 per 100,000 inhabitants in 2023, according to the state statistics office.",
            "Police said at least 40 people were arrested in raids on extortion gangs during the first half of the year, and prosecutors opened more than 300 cases.",
            "Officials credited a new patrol plan that put about 1,200 additional officers on the streets of the three largest cities in the region.",
        ],
    )
}

fn second_article() -> String {
    page(
        "Port authorities seize cocaine hidden in banana boxes",
        None,
        &[
            "Customs officers seized 2.4 tons of cocaine hidden in a shipment of bananas bound for Europe, the anti-drug prosecutor's office said on Tuesday.",
            "The seizure is the largest at the port this year; investigators believe the cargo was worth around $70 million on European streets.",
            "Five port workers were detained and face up to 20 years in prison if convicted of drug trafficking.",
        ],
    )
}

/// A Spanish page saved in Windows-1252, declared only in a meta tag.
fn latin1_article() -> Vec<u8> {
    let html = r#"<!DOCTYPE html><html lang="es"><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><title>Incautan cocaína en el puerto</title></head>
<body><article><h1>Incautan cocaína en el puerto</h1>
<p>La policía incautó 850 kilos de cocaína en un contenedor con destino a Valencia, informó el ministro del Interior, Ramiro Santiváñez Olaechea.</p>
<p>Según la fiscalía, la droga estaba oculta en cajas de café y la organización movía cerca de 3 toneladas al año desde la selva central.</p>
<p>Los detenidos, cuatro trabajadores portuarios, podrían recibir hasta 25 años de prisión por tráfico ilícito de drogas.</p>
</article></body></html>"#;
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(html);
    assert!(!unmappable);
    bytes.into_owned()
}

fn rss(host: &str) -> String {
    let items: String = [
        "/news/one.html",
        "/news/one.html?utm_source=feed&amp;utm_medium=rss",
        "/amp/one.html",
        "/mirror/one-copy.html",
        "/news/two.html",
        "/news/latin1.html",
        "/private/three.html",
        "/docs/report.pdf",
        "/news/broken.html",
        "/news/later.html",
    ]
    .iter()
    .map(|p| format!("<item><title>Item {p}</title><link>http://{host}{p}</link><pubDate>Mon, 03 Jun 2024 09:00:00 GMT</pubDate></item>"))
    .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Frontera Daily</title><link>http://{host}/</link><description>News</description>{items}</channel></rss>"#
    )
}

/// Serves `body(host)` with the request's Host, so absolute links point back at the server.
fn with_host(content_type: &'static str, body: fn(&str) -> Vec<u8>) -> axum::routing::MethodRouter {
    get(move |headers: HeaderMap| async move {
        let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
        Reply::ok(content_type, body(&host))
    })
}

async fn news_server() -> TestServer {
    let one = first_article();
    TestServer::start(
        axum::Router::new()
            .route("/robots.txt", reply(Reply::text("User-agent: *\nDisallow: /private/\n")))
            .route("/feed.xml", with_host("application/rss+xml", |h| rss(h).into_bytes()))
            .route("/news/one.html", conditional("\"one-v1\"", Reply::html(one.clone())))
            .route(
                "/amp/one.html",
                conditional(
                    "\"amp-v1\"",
                    Reply::html(one.replace("Frontera Daily</title>", "Frontera Daily AMP</title>")),
                ),
            )
            .route(
                "/mirror/one-copy.html",
                conditional(
                    "\"mirror-v1\"",
                    Reply::html(one.replace(r#"<link rel="canonical" href="/news/one.html">"#, "")),
                ),
            )
            .route("/news/two.html", conditional("\"two-v1\"", Reply::html(second_article())))
            .route(
                "/news/latin1.html",
                conditional("\"latin1-v1\"", Reply::ok("text/html", latin1_article())),
            )
            .route(
                "/private/three.html",
                reply(Reply::html(page("Secret", None, &["Not for robots."]))),
            )
            .route(
                "/docs/report.pdf",
                reply(Reply::ok("application/pdf", b"%PDF-1.4 not an article".to_vec())),
            )
            .route("/news/broken.html", reply(Reply::status(500)))
            .route("/news/later.html", reply(Reply::status(429).header("retry-after", "3600"))),
    )
    .await
}

fn config(dir: &Path, sources: &str) -> Config {
    let text = format!("database = \"vigia.db\"\n[fetch]\nper_host_delay_ms = 0\ntimeout_s = 5\n\n{sources}");
    Config::parse(&text, &dir.join("vigia.toml")).unwrap()
}

fn scalar(config: &Config, sql: &str) -> i64 {
    let store = Store::open_read_only(&config.database).unwrap();
    store.query(sql).unwrap().rows[0][0].as_i64().unwrap()
}

fn text(config: &Config, sql: &str) -> String {
    let store = Store::open_read_only(&config.database).unwrap();
    store.query(sql).unwrap().rows[0][0].as_str().unwrap().to_string()
}

#[tokio::test]
async fn rss_pass_stores_each_article_once_and_the_second_pass_adds_nothing() {
    let server = news_server().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[[sources]]\nname = \"frontera\"\nkind = \"rss\"\nurl = \"{}\"\nschedule = \"0 0 1 1 *\"\n",
            server.url("/feed.xml")
        ),
    );

    let first = pass_selected(&cfg, Selection::Due).await;
    let s = &first.summary;
    assert_eq!(s.sources, 1);
    // one, amp, mirror, two, latin1; the utm variant of one is the same URL once canonical.
    assert_eq!(s.pages_fetched, 5, "{first:?}");
    assert_eq!(s.articles_new, 3, "{first:?}");
    assert_eq!(s.duplicates, 2, "amp copy (canonical) and mirror (same text): {first:?}");
    assert_eq!(s.failed, 1, "the 500 page: {first:?}");
    assert_eq!(s.skipped, 3, "robots, pdf, deferred: {first:?}");
    assert!(s.statistics > 0 && s.entities > 0, "{first:?}");

    assert_eq!(server.hits("/private/three.html"), 0, "robots.txt Disallow honoured");
    assert_eq!(server.hits("/robots.txt"), 1, "robots.txt once per host per run");
    assert!(server.hits("/news/broken.html") >= 2, "a 500 is retried");
    assert_eq!(server.hits("/news/later.html"), 1, "a long Retry-After is not waited for");

    assert_eq!(scalar(&cfg, "SELECT count(*) FROM articles"), 3);
    assert_eq!(
        scalar(
            &cfg,
            "SELECT count(*) FROM articles WHERE body LIKE '%cocaína%' AND body LIKE '%Santiváñez%'"
        ),
        1
    );
    assert_eq!(
        scalar(&cfg, "SELECT count(*) FROM articles WHERE title LIKE '%|%'"),
        0,
        "site name cleaned from titles"
    );
    assert_eq!(
        scalar(
            &cfg,
            "SELECT count(*) FROM pages WHERE url LIKE '%report.pdf' AND content_type = 'application/pdf'"
        ),
        1,
        "the PDF is recorded"
    );
    assert!(text(&cfg, "SELECT topics FROM articles WHERE canonical_url LIKE '%/news/two.html'").contains("drug"));
    let stats_after_first = scalar(&cfg, "SELECT count(*) FROM statistics");
    assert_eq!(stats_after_first as u64, s.statistics);

    // Nothing is due yet on a yearly schedule.
    assert_eq!(pass_selected(&cfg, Selection::Due).await.summary.sources, 0);

    // The 429's Retry-After holds the whole host off for an hour, across passes; let it pass.
    let conn = rusqlite::Connection::open(&cfg.database).unwrap();
    assert_eq!(
        conn.execute("UPDATE hosts SET not_before = NULL WHERE not_before IS NOT NULL", [])
            .unwrap(),
        1
    );
    drop(conn);

    let second = pass_selected(&cfg, Selection::All).await;
    let s = &second.summary;
    assert_eq!(s.articles_new, 0, "{second:?}");
    assert_eq!(s.not_modified, 5, "conditional GET answers 304: {second:?}");
    assert_eq!(s.pages_fetched, 0, "{second:?}");
    assert_eq!(server.hits("/news/later.html"), 1, "a deferred URL waits for a later run");
    let one = server.requests("/news/one.html");
    assert_eq!(one.last().unwrap().headers.get("if-none-match").unwrap(), "\"one-v1\"");
    assert_eq!(scalar(&cfg, "SELECT count(*) FROM statistics"), stats_after_first);
    assert_eq!(scalar(&cfg, "SELECT count(*) FROM runs WHERE finished_at IS NOT NULL"), 3);
}

fn atom(host: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Frontera</title><id>urn:frontera</id><updated>2024-06-03T09:00:00Z</updated>
<entry><title>One</title><id>urn:1</id><updated>2024-06-03T09:00:00Z</updated><link rel="alternate" href="http://{host}/news/one.html"/></entry>
<entry><title>Two</title><id>urn:2</id><updated>2024-06-03T09:00:00Z</updated><link rel="alternate" href="http://{host}/news/two.html"/></entry>
</feed>"#
    )
    .into_bytes()
}

fn sitemap_index(host: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://{host}/sitemap-news.xml</loc></sitemap><sitemap><loc>http://{host}/sitemap-old.xml.gz</loc></sitemap></sitemapindex>"#
    )
    .into_bytes()
}

fn sitemap_news(host: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://{host}/news/latin1.html</loc><news:news><news:publication_date>2024-06-04</news:publication_date><news:title>Incautan cocaína</news:title></news:news></url>
</urlset>"#
    )
    .into_bytes()
}

fn sitemap_old(host: &str) -> Vec<u8> {
    use std::io::Write;
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://{host}/news/two.html</loc><lastmod>2024-06-01</lastmod></url></urlset>"#
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(xml.as_bytes()).unwrap();
    gz.finish().unwrap()
}

#[tokio::test]
async fn atom_feed_and_sitemap_index_lead_to_articles() {
    let server = TestServer::start(
        axum::Router::new()
            .route("/atom.xml", with_host("application/atom+xml", atom))
            .route("/sitemap_index.xml", with_host("application/xml", sitemap_index))
            .route("/sitemap-news.xml", with_host("application/xml", sitemap_news))
            .route("/sitemap-old.xml.gz", with_host("application/gzip", sitemap_old))
            .route("/news/one.html", reply(Reply::html(first_article())))
            .route("/news/two.html", reply(Reply::html(second_article())))
            .route("/news/latin1.html", reply(Reply::ok("text/html", latin1_article()))),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[[sources]]\nname = \"atom\"\nkind = \"rss\"\nurl = \"{}\"\n\n[[sources]]\nname = \"map\"\nkind = \"sitemap\"\nurl = \"{}\"\n",
            server.url("/atom.xml"),
            server.url("/sitemap_index.xml")
        ),
    );
    let report = pass_selected(&cfg, Selection::All).await;
    assert_eq!(report.summary.failed, 0, "{report:?}");
    // two.html is offered by both sources but stored once.
    assert_eq!(report.summary.articles_new, 3, "{report:?}");
    // Sources run side by side, so either may be first to store the shared article.
    assert_eq!(scalar(&cfg, "SELECT count(*) FROM articles WHERE source IN ('map', 'atom')"), 3);
    assert_eq!(
        scalar(
            &cfg,
            "SELECT count(*) FROM articles WHERE canonical_url LIKE '%latin1%' AND source = 'map'"
        ),
        1
    );
    assert_eq!(
        scalar(
            &cfg,
            "SELECT count(*) FROM articles WHERE canonical_url LIKE '%one.html' AND source = 'atom'"
        ),
        1
    );
    assert_eq!(server.hits("/sitemap-old.xml.gz"), 1);
}

#[tokio::test]
async fn keywords_and_min_relevance_keep_only_security_news() {
    let sport = page(
        "Late goal sends the home side top of the league",
        None,
        &[
            "The home side won 2-1 with a goal in the 89th minute, lifting them to 34 points and top of the table after 15 rounds.",
            "The coach praised the crowd of 41,000 and said the squad would rest three players before the cup match on Sunday.",
        ],
    );
    let server = TestServer::start(
        axum::Router::new()
            .route("/section/", reply(Reply::html(r#"<html><body><a href="/news/two.html">Cocaine</a> <a href="/news/sport.html">Football</a> <a href="/about">About</a></body></html>"#)))
            .route("/news/two.html", reply(Reply::html(second_article())))
            .route("/news/sport.html", reply(Reply::html(sport))),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[[sources]]\nname = \"section\"\nkind = \"page\"\nurl = \"{}\"\nlink_pattern = \"/news/\"\nmin_relevance = 0.3\n",
            server.url("/section/")
        ),
    );
    let report = pass_selected(&cfg, Selection::All).await;
    assert_eq!(server.hits("/about"), 0, "links outside link_pattern are not fetched");
    assert_eq!(report.summary.articles_new, 1, "{report:?}");
    assert_eq!(report.summary.skipped, 1, "{report:?}");
    assert_eq!(scalar(&cfg, "SELECT count(*) FROM articles WHERE title LIKE '%cocaine%'"), 1);
}
