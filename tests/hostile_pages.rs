//! Pages, feeds, sitemaps and saved files built to stall or swamp a run: each is read within
//! its caps, in bounded time, and what it cannot give is recorded, not retried forever.

mod common;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{Reply, TestServer, reply};
use vigia::article::extract_article;
use vigia::config::Config;
use vigia::discover::{self, Candidate};
use vigia::fetch::Fetcher;
use vigia::pipeline::{self, Selection};
use vigia::store::Store;

/// Far more than any of these takes with the caps, far less than any took without them
/// (20 s and more in a release build).
const BOUND: Duration = Duration::from_secs(10);

const ARTICLE: &str = "<article><h1>Capturan a una banda de extorsionadores en el puerto</h1>\
    <p>La policía detuvo a doce presuntos integrantes de una banda que cobraba cupos a los transportistas del puerto desde hace dos años, informó la fiscalía.</p>\
    <p>Según los investigadores, la organización recaudaba cerca de 40.000 dólares al mes y amenazaba a quienes se negaban a pagar.</p></article>";

fn config(dir: &Path, extra: &str, sources: &str) -> Config {
    let text = format!("database = \"vigia.db\"\n[fetch]\nper_host_delay_ms = 0\ntimeout_s = 5\n{extra}\n{sources}");
    Config::parse(&text, &dir.join("vigia.toml")).unwrap()
}

fn source(kind: &str, url: &str, more: &str) -> String {
    format!("[[sources]]\nname = \"s\"\nkind = \"{kind}\"\nurl = \"{url}\"\n{more}\n")
}

async fn discover_one(cfg: &Config) -> Result<Vec<Candidate>, discover::DiscoverError> {
    let fetcher = Fetcher::new(&cfg.fetch).unwrap().for_source(&cfg.sources[0].url);
    let found = discover::discover(&cfg.sources[0], &fetcher).await?;
    // What the first pass over a new database takes.
    Ok(discover::take_for_pass(found, cfg.sources[0].discover.max_candidates_per_pass, |_| false).0)
}

/// `bytes` as one gzip member; members put one after the other make one gzip body.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Markup that makes the HTML tree builder's work grow with the square of its size.
fn hostile_markup() -> Vec<(&'static str, String)> {
    vec![
        ("self-closed divs", "<div/>".repeat(80_000)),
        ("nested divs", "<div>".repeat(80_000)),
        ("distinct formatting", (0..20_000).map(|i| format!("<b class=c{i}>")).collect()),
        (
            "reopened formatting",
            "<p>".to_string() + &(0..2_000).map(|i| format!("<i class=c{i}>")).collect::<String>() + "</p>" + &"<p>x</p>".repeat(20_000),
        ),
        ("foster-parented divs", "<table>".to_string() + &"<div>x".repeat(80_000)),
        ("nested lists", "<ul><li>".repeat(40_000)),
        ("paragraphs in buttons", "<button><p>".repeat(40_000)),
        ("misnested blocks", "<b><div>x".repeat(40_000) + &"</b>".repeat(40_000)),
        (
            "huge attribute list",
            format!(
                "<div {}>x</div>",
                (0..50_000).map(|i| format!("a{i}")).collect::<Vec<_>>().join(" ")
            ),
        ),
    ]
}

#[test]
fn hostile_article_pages_parse_in_bounded_time() {
    for (name, markup) in hostile_markup() {
        let before = format!("<html><body>{ARTICLE}{markup}</body></html>");
        let after = format!("<html><body>{markup}{ARTICLE}</body></html>");
        for (page, where_) in [(before, "before"), (after, "after")] {
            let started = Instant::now();
            let article = extract_article(&page, Some("https://e.org/nota"), None);
            let took = started.elapsed();
            assert!(took < BOUND, "{name}, article {where_}: {took:?}");
            if where_ == "before" {
                assert!(article.title.is_some(), "{name}");
            }
        }
    }
    // The page's own text outlives the markup the caps leave out.
    for markup in ["<div/>".repeat(80_000), "<div>".repeat(80_000)] {
        let page = format!("<html><body>{markup}{ARTICLE}</body></html>");
        let body = extract_article(&page, None, None).body;
        assert!(body.contains("doce presuntos integrantes"), "{body}");
    }
}

#[tokio::test]
async fn hostile_section_page_and_feed_titles_are_read_in_bounded_time() {
    let links: String = (0..20).map(|i| format!("<a href=\"/noticias/{i}\">nota {i}</a>")).collect();
    let section = format!("<html><body>{}{links}</body></html>", "<div>".repeat(80_000));
    let title = "&lt;div&gt;".repeat(80_000) + "Cae una banda";
    let feed = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
        <item><title>{title}</title><link>https://e.org/noticias/1</link></item></channel></rss>"#
    );
    let server = TestServer::start(
        axum::Router::new()
            .route("/seccion", reply(Reply::html(section)))
            .route("/feed", reply(Reply::ok("application/rss+xml", feed))),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();

    let started = Instant::now();
    let page = config(
        dir.path(),
        "",
        &source("page", &server.url("/seccion"), "link_pattern = \"/noticias/\""),
    );
    let found = discover_one(&page).await.unwrap();
    assert_eq!(found.len(), 20);
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());

    let started = Instant::now();
    let rss = config(dir.path(), "", &source("rss", &server.url("/feed"), ""));
    let found = discover_one(&rss).await.unwrap();
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
    let title = found[0].title.as_deref().unwrap_or_default();
    assert!(title.ends_with("Cae una banda"), "{}", &title[title.len().saturating_sub(80)..]);
}

fn rss_items(from: usize, to: usize) -> String {
    (from..to)
        .map(|i| {
            format!(
                "<item><title>n{i}</title><link>https://e.org/n/{i}</link><pubDate>{}</pubDate></item>\n",
                // Later items are newer.
                (chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap() + chrono::Duration::minutes(i as i64)).to_rfc2822()
            )
        })
        .collect()
}

#[tokio::test]
async fn gzip_feeds_are_read_within_their_caps() {
    // 50 MiB of entries once decompressed, 1.1 million of them, in under a megabyte.
    let mut bomb = gzip(b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>");
    bomb.extend(gzip(&b"<item><link>https://e.org/a</link></item>\n".repeat(22_000)).repeat(50));
    bomb.extend(gzip(b"</channel></rss>"));
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());

    // 20,000 dated entries, well within the byte cap.
    let many = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>{}</channel></rss>",
        rss_items(0, 20_000)
    );
    let many = gzip(many.as_bytes());
    let server = TestServer::start(
        axum::Router::new()
            .route("/bomb.xml.gz", reply(Reply::ok("application/x-gzip", bomb)))
            .route("/many.xml.gz", reply(Reply::ok("application/x-gzip", many))),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();

    let cfg = config(dir.path(), "", &source("rss", &server.url("/bomb.xml.gz"), ""));
    let err = discover_one(&cfg).await.unwrap_err().to_string();
    assert!(err.contains("exceeds 5000000 bytes"), "{err}");

    let limits = "[discover]\nmax_entries = 1000\nmax_candidates_per_pass = 100";
    let cfg = config(dir.path(), limits, &source("rss", &server.url("/many.xml.gz"), ""));
    let found = discover_one(&cfg).await.unwrap();
    // The first 1,000 entries are read, and of those the pass takes the 100 newest.
    assert_eq!(found.len(), 100);
    assert_eq!(found[0].url, "https://e.org/n/999");
    assert_eq!(found[99].url, "https://e.org/n/900");
}

#[tokio::test]
async fn sitemap_indexes_keep_no_more_than_their_caps() {
    // Child c lists 20,000 × (c + 1) URLs, about 1.4 MB × (c + 1) once decompressed; the
    // higher its number, the newer it is.
    let urls = |child: usize| -> Vec<u8> {
        let items: String = (0..20_000 * (child + 1))
            .map(|i| {
                format!(
                    "<url><loc>https://e.org/{child}/{i}</loc><lastmod>2024-03-0{}</lastmod></url>\n",
                    1 + child
                )
            })
            .collect();
        format!("<urlset>{items}</urlset>").into_bytes()
    };
    let index: String = (0..5)
        .map(|c| format!("<sitemap><loc>/s{c}.xml.gz</loc><lastmod>2024-03-0{}</lastmod></sitemap>", 1 + c))
        .collect();
    let mut router = axum::Router::new().route(
        "/index.xml",
        reply(Reply::ok("application/xml", format!("<sitemapindex>{index}</sitemapindex>"))),
    );
    for c in 0..5 {
        router = router.route(&format!("/s{c}.xml.gz"), reply(Reply::ok("application/x-gzip", gzip(&urls(c)))));
    }
    let server = TestServer::start(router).await;
    let dir = tempfile::tempdir().unwrap();

    let limits = "[discover]\nmax_entries = 30000\nmax_candidates_per_pass = 500";
    let cfg = config(dir.path(), limits, &source("sitemap", &server.url("/index.xml"), ""));
    let found = discover_one(&cfg).await.unwrap();
    assert_eq!(found.len(), 500);
    // Children are read newest first, and the first fills the entry cap.
    assert!(found.iter().all(|c| c.url.starts_with("https://e.org/4/")), "{:?}", found[0]);
    assert_eq!(server.hits("/s4.xml.gz"), 1);
    assert_eq!(server.hits("/s0.xml.gz"), 0);

    // Children larger than the sitemap byte cap are skipped; the next one fills the
    // (default) entry cap.
    let limits = "[discover]\nmax_sitemap_bytes = 5_000_000\nmax_candidates_per_pass = 1_000_000";
    let cfg = config(dir.path(), limits, &source("sitemap", &server.url("/index.xml"), ""));
    let found = discover_one(&cfg).await.unwrap();
    assert_eq!(found.len(), 50_000);
    assert!(found.iter().all(|c| c.url.starts_with("https://e.org/2/")), "{:?}", found[0]);
    assert_eq!(server.hits("/s4.xml.gz"), 2);
    assert_eq!(server.hits("/s3.xml.gz"), 1);
    assert_eq!(server.hits("/s1.xml.gz"), 0);
}

#[tokio::test]
async fn an_oversized_saved_page_is_a_failed_page() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    std::fs::write(pages.join("a.html"), format!("<html><body>{ARTICLE}</body></html>")).unwrap();
    // 60 MB on disk as far as its length goes, with no disk space behind it.
    let huge = std::fs::File::create(pages.join("b.html")).unwrap();
    huge.set_len(60_000_000).unwrap();
    drop(huge);
    let cfg = config(dir.path(), "", &source("files", "pages", ""));

    let store = Store::open(&cfg.database).unwrap();
    let report = pipeline::run(&cfg, &store, &Selection::All, &pipeline::Shutdown::default())
        .await
        .unwrap();
    assert_eq!(report.summary.articles_new, 1, "{report:?}");
    assert_eq!(report.summary.failed, 1, "{report:?}");
    let rows = store.query("SELECT error FROM pages WHERE url LIKE '%b.html'").unwrap().rows;
    let error = rows[0][0].as_str().unwrap_or_default().to_string();
    assert!(error.contains("larger than 5000000 bytes"), "{error}");
}
