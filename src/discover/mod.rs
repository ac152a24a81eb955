//! Discovery: which article URLs (or files) a source offers now.
//!
//! One file per kind of source: [`feed`] (RSS and Atom), [`sitemap`], [`links`] (section
//! pages) and [`files`] (saved pages on disk). The parsers are pure; this module holds the
//! little network glue around them and the de-duplication by [`canonical_url`].

use std::borrow::Cow;
use std::collections::{HashSet, VecDeque};
use std::io::Read;
use std::path::PathBuf;

use url::Url;

use crate::config::{SourceConfig, SourceKind};
use crate::fetch::{Expect, Fetcher, Outcome, Page, Validators};

pub mod canonical;
pub mod feed;
pub mod files;
pub mod links;
pub mod sitemap;

pub use canonical::{TRACKING_PARAMS, canonical_url};
pub use feed::parse_feed;
pub use files::list_files;
pub use links::page_links;
pub use sitemap::{Sitemap, parse_sitemap};

/// How many levels of sitemap indexes below the source's own sitemap are followed.
pub const MAX_SITEMAP_DEPTH: usize = 3;
/// How many child sitemaps one source may fetch in one run.
pub const MAX_CHILD_SITEMAPS: usize = 50;
/// Cap on a decompressed gzip body (the sitemap protocol allows 50 MB uncompressed).
pub const MAX_GUNZIPPED_BYTES: u64 = 50 * 1024 * 1024;

/// An article a source points to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Candidate {
    /// Absolute URL (for `files`, a `file://` URL of the saved page).
    pub url: String,
    /// For `files`: the page on disk.
    pub path: Option<PathBuf>,
    /// What the feed or sitemap says, when it says it.
    pub title: Option<String>,
    /// ISO 8601: `2024-03-05T10:00:00Z` (UTC), or `2024-03-05` when only the day is known.
    pub published: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    #[error("cannot parse {what} at {url}: {message}")]
    Parse { what: &'static str, url: String, message: String },
    #[error("{0}")]
    Files(String),
    #[error("{url} answered {outcome}")]
    Unusable { url: String, outcome: String },
}

/// Lists the candidates a source offers now, each article once (by [`canonical_url`]), in the
/// order the source lists them.
///
/// A `link_pattern` set on a feed or sitemap source filters its candidates too, as it does
/// the links of a section page. In a sitemap index, a child sitemap that cannot be fetched or
/// read is logged and skipped; the source's own URL failing is an error.
pub async fn discover(source: &SourceConfig, fetcher: &Fetcher) -> Result<Vec<Candidate>, DiscoverError> {
    let mut found = match source.kind {
        SourceKind::Rss => discover_feed(&source.url, fetcher).await?,
        SourceKind::Sitemap => discover_sitemap(&source.url, fetcher).await?,
        SourceKind::Page => discover_page(source, fetcher).await?,
        SourceKind::Files => list_files(&source.url)?,
    };
    if let (Some(pattern), SourceKind::Rss | SourceKind::Sitemap) = (&source.link_pattern, source.kind) {
        found.retain(|c| pattern.is_match(&c.url));
    }
    let found = dedup(found);
    tracing::debug!(source = %source.name, candidates = found.len(), "Discovered.");
    Ok(found)
}

async fn discover_feed(url: &str, fetcher: &Fetcher) -> Result<Vec<Candidate>, DiscoverError> {
    match fetch_source(fetcher, url, Expect::Any).await? {
        // Nothing changed since the last look, so nothing new.
        None => Ok(Vec::new()),
        Some(page) => parse_feed(&page.body, &page.final_url),
    }
}

async fn discover_page(source: &SourceConfig, fetcher: &Fetcher) -> Result<Vec<Candidate>, DiscoverError> {
    let page = fetch_source(fetcher, &source.url, Expect::Html)
        .await?
        .ok_or_else(|| not_modified(&source.url))?;
    let html = crate::fetch::charset::decode(&page.body, page.content_type.as_deref());
    let any = regex::Regex::new("").expect("constant pattern");
    let pattern = source.link_pattern.as_ref().unwrap_or(&any);
    Ok(page_links(&html, &page.final_url, pattern)
        .into_iter()
        .map(|url| Candidate {
            url,
            ..Candidate::default()
        })
        .collect())
}

async fn discover_sitemap(url: &str, fetcher: &Fetcher) -> Result<Vec<Candidate>, DiscoverError> {
    let page = fetch_source(fetcher, url, Expect::Any).await?.ok_or_else(|| not_modified(url))?;
    walk_sitemaps(url, &page, |child| async move { fetch_source(fetcher, &child, Expect::Any).await }).await
}

/// Reads a fetched sitemap and, breadth first, the child sitemaps of any index it is, within
/// [`MAX_SITEMAP_DEPTH`] and [`MAX_CHILD_SITEMAPS`]; `fetch_child` fetches one child.
async fn walk_sitemaps<F, Fut>(url: &str, root: &Page, mut fetch_child: F) -> Result<Vec<Candidate>, DiscoverError>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Result<Option<Page>, DiscoverError>>,
{
    let root_map = read_sitemap(root)?;
    let mut found = root_map.urls;
    let mut seen: HashSet<String> = HashSet::from([dedup_key(url), dedup_key(&root.final_url)]);
    let mut queue: VecDeque<(String, usize)> = root_map.children.into_iter().map(|c| (c, 1)).collect();
    let mut fetched = 0;
    while let Some((child, depth)) = queue.pop_front() {
        if !seen.insert(dedup_key(&child)) {
            continue;
        }
        if fetched == MAX_CHILD_SITEMAPS {
            tracing::warn!(
                sitemap = url,
                left = queue.len() + 1,
                "Child sitemap limit reached; the rest are skipped."
            );
            break;
        }
        fetched += 1;
        let read = match fetch_child(child.clone()).await {
            Ok(Some(page)) => read_sitemap(&page),
            Ok(None) => Err(not_modified(&child)),
            Err(e) => Err(e),
        };
        match read {
            Ok(map) => {
                found.extend(map.urls);
                if depth < MAX_SITEMAP_DEPTH {
                    queue.extend(map.children.into_iter().map(|c| (c, depth + 1)));
                } else if !map.children.is_empty() {
                    tracing::warn!(
                        sitemap = %child,
                        "Sitemap indexes nest too deep; not following further."
                    );
                }
            }
            Err(e) => tracing::warn!(sitemap = %child, error = %e, "Skipping a child sitemap."),
        }
    }
    Ok(found)
}

/// Parses a fetched sitemap, resolving its URLs against where it was found.
fn read_sitemap(page: &Page) -> Result<Sitemap, DiscoverError> {
    let map = parse_sitemap(&page.body).map_err(|e| match e {
        DiscoverError::Parse { what, message, .. } => DiscoverError::Parse {
            what,
            url: page.final_url.clone(),
            message,
        },
        other => other,
    })?;
    let base = Url::parse(&page.final_url).ok();
    let urls = map
        .urls
        .into_iter()
        .filter_map(|mut c| {
            c.url = absolute_http(&c.url, base.as_ref())?;
            Some(c)
        })
        .collect();
    let children = map.children.iter().filter_map(|c| absolute_http(c, base.as_ref())).collect();
    Ok(Sitemap { urls, children })
}

/// Fetches a source URL: the page, or `None` for 304 Not Modified; any other outcome is
/// [`DiscoverError::Unusable`].
async fn fetch_source(fetcher: &Fetcher, url: &str, expect: Expect) -> Result<Option<Page>, DiscoverError> {
    let outcome = match fetcher.fetch(url, &Validators::default(), expect).await? {
        Outcome::Fetched(page) => return Ok(Some(page)),
        Outcome::NotModified => return Ok(None),
        Outcome::Disallowed => "a robots.txt disallow".to_string(),
        Outcome::Deferred { retry_after } => {
            format!("Retry-After {}s; deferred", retry_after.as_secs())
        }
        Outcome::WrongType { status, content_type, .. } => format!(
            "status {status} with unexpected content type {}",
            content_type.as_deref().unwrap_or("(none)")
        ),
    };
    Err(DiscoverError::Unusable {
        url: url.to_string(),
        outcome,
    })
}

fn not_modified(url: &str) -> DiscoverError {
    DiscoverError::Unusable {
        url: url.to_string(),
        outcome: "304 Not Modified to an unconditional request".to_string(),
    }
}

/// Keeps the first candidate of each canonical URL, in order.
fn dedup(candidates: Vec<Candidate>) -> Vec<Candidate> {
    let mut seen = HashSet::new();
    candidates.into_iter().filter(|c| seen.insert(dedup_key(&c.url))).collect()
}

fn dedup_key(url: &str) -> String {
    canonical_url(url).unwrap_or_else(|| url.to_string())
}

/// `href` as an absolute http(s) URL, resolved against `base` when relative.
pub(crate) fn absolute_http(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = match Url::parse(href) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.into())
}

/// The body itself, or its decompressed content when it starts with the gzip magic bytes.
pub(crate) fn gunzip_if_needed(bytes: &[u8]) -> Result<Cow<'_, [u8]>, String> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_GUNZIPPED_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot decompress gzip body: {e}"))?;
    if out.len() as u64 > MAX_GUNZIPPED_BYTES {
        return Err(format!("gzip body exceeds {MAX_GUNZIPPED_BYTES} bytes once decompressed"));
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FetchConfig, Language, parse_schedule};

    fn source(kind: SourceKind, url: &str) -> SourceConfig {
        SourceConfig {
            name: "test".to_string(),
            kind,
            url: url.to_string(),
            schedule: parse_schedule("0 * * * *").unwrap(),
            schedule_text: "0 * * * *".to_string(),
            language: Language::Auto,
            link_pattern: None,
            keywords: Vec::new(),
            min_relevance: None,
        }
    }

    fn candidate(url: &str) -> Candidate {
        Candidate {
            url: url.to_string(),
            ..Candidate::default()
        }
    }

    #[tokio::test]
    async fn files_source_lists_saved_pages() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["2.html", "1.htm", "skip.css"] {
            std::fs::write(dir.path().join(name), "<p>nota</p>").unwrap();
        }
        let fetcher = Fetcher::new(&FetchConfig::default()).unwrap();
        let folder = source(SourceKind::Files, dir.path().to_str().unwrap());
        let found = discover(&folder, &fetcher).await.unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(
            found,
            vec![
                Candidate {
                    url: Url::from_file_path(root.join("1.htm")).unwrap().into(),
                    path: Some(root.join("1.htm")),
                    title: None,
                    published: None,
                },
                Candidate {
                    url: Url::from_file_path(root.join("2.html")).unwrap().into(),
                    path: Some(root.join("2.html")),
                    title: None,
                    published: None,
                },
            ]
        );

        let glob = source(SourceKind::Files, &format!("{}/2.*", dir.path().display()));
        let found = discover(&glob, &fetcher).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path.as_deref(), Some(root.join("2.html").as_path()));
    }

    #[tokio::test]
    async fn files_source_matching_nothing_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let fetcher = Fetcher::new(&FetchConfig::default()).unwrap();
        let spec = format!("{}/*.html", dir.path().display());
        match discover(&source(SourceKind::Files, &spec), &fetcher).await {
            Err(DiscoverError::Files(message)) => assert!(message.contains(&spec), "{message}"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn dedup_keeps_the_first_spelling_in_order() {
        let got = dedup(vec![
            candidate("https://e.org/a/?utm_source=rss"),
            candidate("https://e.org/b"),
            candidate("https://E.org/a"),
            candidate("https://e.org/a#comentarios"),
            candidate("not a url"),
            candidate("not a url"),
            candidate("https://e.org/b/"),
        ]);
        let urls: Vec<&str> = got.iter().map(|c| c.url.as_str()).collect();
        assert_eq!(urls, ["https://e.org/a/?utm_source=rss", "https://e.org/b", "not a url"]);
    }

    #[test]
    fn sitemap_urls_resolve_against_where_it_was_found() {
        let page = Page {
            url: "https://e.org/sitemap.xml".to_string(),
            final_url: "https://www.e.org/maps/sitemap.xml".to_string(),
            status: 200,
            content_type: Some("application/xml".to_string()),
            etag: None,
            last_modified: None,
            body: b"<urlset><url><loc>/nota/1</loc></url><url><loc>ftp://e.org/x</loc></url>\
                    <url><loc>https://e.org/nota/2</loc></url></urlset>"
                .to_vec(),
            fetched_at: chrono::Utc::now(),
        };
        let map = read_sitemap(&page).unwrap();
        let urls: Vec<&str> = map.urls.iter().map(|c| c.url.as_str()).collect();
        assert_eq!(urls, ["https://www.e.org/nota/1", "https://e.org/nota/2"]);

        let broken = Page {
            body: b"<html>".to_vec(),
            ..page
        };
        match read_sitemap(&broken) {
            Err(DiscoverError::Parse { what, url, .. }) => {
                assert_eq!(what, "sitemap");
                assert_eq!(url, "https://www.e.org/maps/sitemap.xml");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn gunzip_is_bounded_and_passes_plain_bytes_through() {
        assert!(matches!(gunzip_if_needed(b"<urlset/>"), Ok(Cow::Borrowed(_))));
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..=MAX_GUNZIPPED_BYTES / zeros.len() as u64 {
            gz.write_all(&zeros).unwrap();
        }
        let bomb = gz.finish().unwrap();
        assert!(bomb.len() < 1024 * 1024);
        let err = gunzip_if_needed(&bomb).unwrap_err();
        assert!(err.contains("exceeds"), "{err}");
    }
}

#[cfg(test)]
mod walk_tests {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use super::*;

    fn page(url: &str, body: String) -> Page {
        Page {
            url: url.to_string(),
            final_url: url.to_string(),
            status: 200,
            content_type: Some("application/xml".to_string()),
            etag: None,
            last_modified: None,
            body: body.into_bytes(),
            fetched_at: chrono::Utc::now(),
        }
    }

    fn index(children: &[String]) -> String {
        let items: String = children.iter().map(|c| format!("<sitemap><loc>{c}</loc></sitemap>")).collect();
        format!("<sitemapindex>{items}</sitemapindex>")
    }

    fn urlset(urls: &[&str]) -> String {
        let items: String = urls.iter().map(|u| format!("<url><loc>{u}</loc></url>")).collect();
        format!("<urlset>{items}</urlset>")
    }

    /// Walks from `root` over the sitemaps in `site`; returns the URLs found and the children
    /// fetched, in order.
    async fn walk(root: &str, site: &HashMap<String, String>) -> (Result<Vec<Candidate>, DiscoverError>, Vec<String>) {
        let asked = RefCell::new(Vec::new());
        let root_page = page(root, site[root].clone());
        let found = walk_sitemaps(root, &root_page, |child| {
            asked.borrow_mut().push(child.clone());
            let answer = match site.get(&child) {
                Some(body) => Ok(Some(page(&child, body.clone()))),
                None => Err(DiscoverError::Unusable {
                    url: child,
                    outcome: "404".to_string(),
                }),
            };
            async move { answer }
        })
        .await;
        (found, asked.into_inner())
    }

    fn urls(found: &[Candidate]) -> Vec<&str> {
        found.iter().map(|c| c.url.as_str()).collect()
    }

    #[tokio::test]
    async fn index_children_are_read_and_failing_ones_skipped() {
        let mut site = HashMap::new();
        let root = "https://e.org/sitemap.xml";
        site.insert(
            root.to_string(),
            index(&[
                "https://e.org/a.xml".into(),
                "https://e.org/missing.xml".into(),
                "https://e.org/broken.xml".into(),
                "https://e.org/b.xml".into(),
                "https://e.org/a.xml".into(),
            ]),
        );
        site.insert("https://e.org/a.xml".into(), urlset(&["https://e.org/1", "https://e.org/2"]));
        site.insert("https://e.org/broken.xml".into(), "<html>".into());
        site.insert("https://e.org/b.xml".into(), urlset(&["https://e.org/3"]));
        let (found, asked) = walk(root, &site).await;
        assert_eq!(urls(&found.unwrap()), ["https://e.org/1", "https://e.org/2", "https://e.org/3"]);
        assert_eq!(
            asked,
            [
                "https://e.org/a.xml",
                "https://e.org/missing.xml",
                "https://e.org/broken.xml",
                "https://e.org/b.xml",
            ]
        );
    }

    #[tokio::test]
    async fn nesting_stops_at_the_depth_bound_and_cycles_end() {
        let mut site = HashMap::new();
        let level = |n: usize| format!("https://e.org/level{n}.xml");
        for n in 0..6 {
            let body = index(&[level(n + 1), level(0)]);
            let body = body.replace(
                "</sitemapindex>",
                &format!("<sitemap><loc>https://e.org/urls{n}.xml</loc></sitemap></sitemapindex>"),
            );
            site.insert(level(n), body);
            site.insert(format!("https://e.org/urls{n}.xml"), urlset(&[&format!("https://e.org/page{n}")]));
        }
        let (found, asked) = walk(&level(0), &site).await;
        let found = found.unwrap();
        // The root's own children are depth 1; indexes at depth MAX_SITEMAP_DEPTH are read
        // but their children are not.
        let want: Vec<String> = (0..MAX_SITEMAP_DEPTH).map(|n| format!("https://e.org/page{n}")).collect();
        assert_eq!(urls(&found), want);
        assert!(!asked.contains(&level(0)), "the root was fetched again: {asked:?}");
        assert!(asked.contains(&level(MAX_SITEMAP_DEPTH)));
        assert!(!asked.contains(&level(MAX_SITEMAP_DEPTH + 1)));
    }

    #[tokio::test]
    async fn child_fetches_are_bounded() {
        let mut site = HashMap::new();
        let children: Vec<String> = (0..MAX_CHILD_SITEMAPS + 10).map(|n| format!("https://e.org/s{n}.xml")).collect();
        site.insert("https://e.org/index.xml".to_string(), index(&children));
        for (n, child) in children.iter().enumerate() {
            site.insert(child.clone(), urlset(&[&format!("https://e.org/p{n}")]));
        }
        let (found, asked) = walk("https://e.org/index.xml", &site).await;
        assert_eq!(asked.len(), MAX_CHILD_SITEMAPS);
        assert_eq!(found.unwrap().len(), MAX_CHILD_SITEMAPS);
    }

    #[tokio::test]
    async fn a_root_that_is_no_sitemap_is_an_error() {
        let mut site = HashMap::new();
        site.insert("https://e.org/s.xml".to_string(), "<html></html>".to_string());
        let (found, asked) = walk("https://e.org/s.xml", &site).await;
        assert!(matches!(found, Err(DiscoverError::Parse { what: "sitemap", .. })));
        assert!(asked.is_empty());
    }
}

#[cfg(test)]
mod never_panic {
    use super::*;
    use proptest::prelude::*;

    fn fixtures() -> Vec<Vec<u8>> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/discover");
        let mut all: Vec<Vec<u8>> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        all.sort();
        all
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn parsers_survive_damaged_fixtures(
            pick in 0usize..64,
            cut in 0usize..4096,
            at in 0usize..4096,
            junk in proptest::collection::vec(any::<u8>(), 0..16),
        ) {
            let all = fixtures();
            let mut bytes = all[pick % all.len()].clone();
            let at = at.min(bytes.len());
            bytes.splice(at..at, junk);
            bytes.truncate(cut.max(1).min(bytes.len()) + bytes.len() / 2);
            let _ = parse_feed(&bytes, "https://e.org/feed");
            let _ = parse_sitemap(&bytes);
            let text = String::from_utf8_lossy(&bytes);
            let _ = page_links(&text, "https://e.org/", &regex::Regex::new("").unwrap());
        }

        #[test]
        fn canonical_url_is_stable(url in "(https?|file|HTTP)://[a-zA-Z0-9.:]{0,20}(/[a-z0-9%._~-]{0,8}){0,4}/?(\\?[a-z_=&%0-9]{0,30})?(#[a-z]{0,5})?") {
            if let Some(once) = canonical_url(&url) {
                prop_assert_eq!(canonical_url(&once), Some(once.clone()));
            }
        }
    }
}
