//! Discovery: which article URLs (or files) a source offers now.
//!
//! One file per kind of source: [`feed`] (RSS and Atom), [`sitemap`], [`links`] (section
//! pages), [`files`] (saved pages on disk) and [`warc`] (web archives on disk). The parsers
//! are pure; this module holds the little network glue around them and the de-duplication by
//! [`canonical_url`].

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use url::Url;

use crate::config::{DiscoverConfig, SourceConfig, SourceKind};
use crate::fetch::{Expect, Fetcher, Outcome, OutcomeKind, Page, Validators};

pub mod canonical;
pub mod feed;
pub mod files;
pub mod links;
pub mod sitemap;
pub mod warc;

pub use canonical::{TRACKING_PARAMS, canonical_url, fetch_url};
pub use feed::parse_feed;
pub use files::list_files;
pub use links::page_links;
pub use sitemap::{Sitemap, parse_sitemap};

/// An article a source points to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Candidate {
    /// Absolute URL (for `files`, a `file://` URL of the saved page).
    pub url: String,
    /// For `files`: the page on disk; for `warc`: the WARC file.
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
    Unusable {
        url: String,
        outcome: String,
        kind: OutcomeKind,
        /// How long the server asked us to wait (a Retry-After beyond the run).
        retry_after: Option<Duration>,
    },
}

impl DiscoverError {
    /// The kind of outcome this error records in the source's health.
    pub fn kind(&self) -> OutcomeKind {
        match self {
            DiscoverError::Fetch(e) => OutcomeKind::from(e),
            DiscoverError::Unusable { kind, .. } => *kind,
            DiscoverError::Parse { .. } | DiscoverError::Files(_) => OutcomeKind::Other,
        }
    }

    /// How long the server asked us to wait before asking again, when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            DiscoverError::Unusable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// What a source offers now, and how reading it went.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovered {
    pub candidates: Vec<Candidate>,
    /// The source's own URL answered 304 Not Modified: nothing new since the last full read.
    pub unchanged: bool,
    /// Every feed, sitemap or section page read in full or confirmed unchanged, with the
    /// validators for the next conditional GET.
    pub documents: Vec<(String, Validators)>,
    /// The outcome of each of those fetches, failures of child sitemaps included.
    pub outcomes: Vec<OutcomeKind>,
}

/// What reading one source collects along the way: the validators it may send, and what it
/// fetched. Behind locks because a sitemap's children are fetched from a closure.
#[derive(Default)]
struct Reads<'a> {
    known: Option<&'a HashMap<String, Validators>>,
    documents: Mutex<Vec<(String, Validators)>>,
    outcomes: Mutex<Vec<OutcomeKind>>,
}

impl Reads<'_> {
    fn outcome(&self, kind: OutcomeKind) {
        self.outcomes.lock().unwrap_or_else(PoisonError::into_inner).push(kind);
    }

    fn document(&self, url: &str, validators: Validators) {
        self.documents
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((url.to_string(), validators));
    }

    fn validators(&self, url: &str) -> Validators {
        self.known.and_then(|k| k.get(url)).cloned().unwrap_or_default()
    }
}

/// Lists the candidates a source offers now, each article once (by [`canonical_url`]), in the
/// order the source lists them.
///
/// A `link_pattern` set on a feed or sitemap source filters its candidates too, as it does
/// the links of a section page. In a sitemap index, a child sitemap that cannot be fetched or
/// read is logged and skipped; the source's own URL failing is an error. Every limit of
/// `source.discover` applies to what is read; how many of the candidates one pass takes is
/// [`take_for_pass`]'s choice.
pub async fn discover(source: &SourceConfig, fetcher: &Fetcher) -> Result<Vec<Candidate>, DiscoverError> {
    Ok(discover_with(source, fetcher, &HashMap::new()).await?.candidates)
}

/// [`discover`] with conditional GET: `known` holds the validators of the feeds, sitemaps and
/// section pages read before, by URL. A source whose own URL answers 304 offers nothing new;
/// a child sitemap that answers 304 is skipped (its URLs were taken when it was read).
///
/// Candidate URLs come without fragments and tracking parameters ([`fetch_url`]).
pub async fn discover_with(
    source: &SourceConfig,
    fetcher: &Fetcher,
    known: &HashMap<String, Validators>,
) -> Result<Discovered, DiscoverError> {
    let reads = Reads {
        known: Some(known),
        ..Reads::default()
    };
    let limits = &source.discover;
    let wanted = |c: &Candidate| source.link_pattern.as_ref().is_none_or(|p| p.is_match(&c.url));
    let found = match source.kind {
        SourceKind::Rss => discover_feed(&source.url, fetcher, limits, &reads).await?.map(|mut found| {
            found.retain(wanted);
            found
        }),
        SourceKind::Sitemap => discover_sitemap(&source.url, fetcher, limits, &wanted, &reads).await?,
        SourceKind::Page => discover_page(source, fetcher, &reads).await?,
        SourceKind::Files => {
            let found = list_files(&source.url)?;
            reads.outcome(OutcomeKind::Ok);
            Some(found)
        }
        // The archives themselves: their records are read as a stream by the pipeline.
        SourceKind::Warc => Some(
            warc::list_warc_files(&source.url)?
                .into_iter()
                .map(|path| Candidate {
                    url: Url::from_file_path(&path).map_or_else(|()| path.display().to_string(), String::from),
                    path: Some(path),
                    ..Candidate::default()
                })
                .collect(),
        ),
    };
    let unchanged = found.is_none();
    let candidates = dedup(found.unwrap_or_default());
    tracing::debug!(source = %source.name, candidates = candidates.len(), unchanged, "Discovered.");
    Ok(Discovered {
        candidates,
        unchanged,
        documents: reads.documents.into_inner().unwrap_or_else(PoisonError::into_inner),
        outcomes: reads.outcomes.into_inner().unwrap_or_else(PoisonError::into_inner),
    })
}

/// The candidates one pass takes, at most `max`: those never seen before (`known` says which
/// were) come first, so a backlog longer than one pass is worked through pass after pass;
/// within each group, the newest first (undated ones after the dated, in source order).
/// Returns them with how many were left for later passes.
pub fn take_for_pass(found: Vec<Candidate>, max: usize, mut known: impl FnMut(&Candidate) -> bool) -> (Vec<Candidate>, usize) {
    if found.len() <= max {
        return (found, 0);
    }
    let (mut taken, mut seen): (Vec<Candidate>, Vec<Candidate>) = found.into_iter().partition(|c| !known(c));
    // ISO 8601 dates in UTC sort as text; the sort is stable.
    let newest_first = |a: &Candidate, b: &Candidate| {
        b.published
            .is_some()
            .cmp(&a.published.is_some())
            .then_with(|| b.published.cmp(&a.published))
    };
    taken.sort_by(newest_first);
    seen.sort_by(newest_first);
    taken.append(&mut seen);
    let left = taken.len() - max;
    taken.truncate(max);
    (taken, left)
}

/// The feed's entries, or None when it has not changed since the last read.
async fn discover_feed(
    url: &str,
    fetcher: &Fetcher,
    limits: &DiscoverConfig,
    reads: &Reads<'_>,
) -> Result<Option<Vec<Candidate>>, DiscoverError> {
    match fetch_source(fetcher, url, Expect::Any, reads).await? {
        None => Ok(None),
        Some(page) => parse_feed(&page.body, &page.final_url, limits).map(Some),
    }
}

async fn discover_page(source: &SourceConfig, fetcher: &Fetcher, reads: &Reads<'_>) -> Result<Option<Vec<Candidate>>, DiscoverError> {
    let Some(page) = fetch_source(fetcher, &source.url, Expect::Html, reads).await? else {
        return Ok(None);
    };
    let html = crate::article::charset::decode(&page.body, page.content_type.as_deref());
    let any = regex::Regex::new("").expect("constant pattern");
    let pattern = source.link_pattern.as_ref().unwrap_or(&any);
    Ok(Some(
        page_links(&html, &page.final_url, pattern, source.discover.max_entries)
            .into_iter()
            .map(|url| Candidate {
                url,
                ..Candidate::default()
            })
            .collect(),
    ))
}

async fn discover_sitemap(
    url: &str,
    fetcher: &Fetcher,
    limits: &DiscoverConfig,
    wanted: &dyn Fn(&Candidate) -> bool,
    reads: &Reads<'_>,
) -> Result<Option<Vec<Candidate>>, DiscoverError> {
    let Some(page) = fetch_source(fetcher, url, Expect::Any, reads).await? else {
        return Ok(None);
    };
    walk_sitemaps(url, &page, limits, wanted, |child| async move {
        fetch_source(fetcher, &child, Expect::Any, reads).await
    })
    .await
    .map(Some)
}

/// Reads a fetched sitemap and, breadth first, the child sitemaps of any index it is;
/// `fetch_child` fetches one child. Keeps the `wanted` URLs, at most `max_entries` of them
/// in all, and follows at most `max_child_sitemaps` children, `max_sitemap_depth` levels down.
async fn walk_sitemaps<F, Fut>(
    url: &str,
    root: &Page,
    limits: &DiscoverConfig,
    wanted: &dyn Fn(&Candidate) -> bool,
    mut fetch_child: F,
) -> Result<Vec<Candidate>, DiscoverError>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Result<Option<Page>, DiscoverError>>,
{
    let root_map = read_sitemap(root, limits)?;
    let mut found: Vec<Candidate> = root_map.urls.into_iter().filter(|c| wanted(c)).collect();
    let mut seen: HashSet<String> = HashSet::from([dedup_key(url), dedup_key(&root.final_url)]);
    let mut queue: VecDeque<(String, usize)> = VecDeque::new();
    // Children are queued once each, and no more than can still be fetched.
    let mut left_out = 0;
    let mut enqueue = |queue: &mut VecDeque<(String, usize)>, children: Vec<String>, depth: usize, fetched: usize| {
        for child in children {
            let key = dedup_key(&child);
            if seen.contains(&key) {
                continue;
            }
            if queue.len() + fetched >= limits.max_child_sitemaps {
                left_out += 1;
            } else {
                seen.insert(key);
                queue.push_back((child, depth));
            }
        }
    };
    enqueue(&mut queue, root_map.children, 1, 0);
    let mut fetched = 0;
    while let Some((child, depth)) = queue.pop_front() {
        if found.len() >= limits.max_entries {
            tracing::warn!(
                sitemap = url,
                left = queue.len() + 1,
                "Sitemap entry limit reached; the remaining children are skipped."
            );
            break;
        }
        fetched += 1;
        let read = match fetch_child(child.clone()).await {
            Ok(Some(page)) => read_sitemap(&page, limits),
            Ok(None) => {
                tracing::debug!(sitemap = %child, "Child sitemap not modified; its URLs were taken before.");
                continue;
            }
            Err(e) => Err(e),
        };
        match read {
            Ok(map) => {
                let room = limits.max_entries - found.len();
                found.extend(map.urls.into_iter().filter(|c| wanted(c)).take(room));
                if depth < limits.max_sitemap_depth {
                    enqueue(&mut queue, map.children, depth + 1, fetched);
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
    if left_out > 0 {
        tracing::warn!(sitemap = url, left = left_out, "Child sitemap limit reached; the rest are skipped.");
    }
    Ok(found)
}

/// Parses a fetched sitemap, resolving its URLs against where it was found.
fn read_sitemap(page: &Page, limits: &DiscoverConfig) -> Result<Sitemap, DiscoverError> {
    let map = parse_sitemap(&page.body, limits).map_err(|e| match e {
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

/// Fetches a source URL, conditionally when `reads` knows its validators: the page, or `None`
/// for 304 Not Modified; any other outcome is [`DiscoverError::Unusable`]. Every outcome and
/// every document read is noted in `reads`.
async fn fetch_source(fetcher: &Fetcher, url: &str, expect: Expect, reads: &Reads<'_>) -> Result<Option<Page>, DiscoverError> {
    let validators = reads.validators(url);
    let fetched = fetcher.fetch(url, &validators, expect).await;
    let outcome = match fetched {
        Ok(outcome) => outcome,
        Err(e) => {
            reads.outcome(OutcomeKind::from(&e));
            return Err(e.into());
        }
    };
    let kind = OutcomeKind::from(&outcome);
    let (described, retry_after) = match outcome {
        Outcome::Fetched(page) => {
            reads.outcome(kind);
            let fresh = Validators {
                etag: page.etag.clone(),
                last_modified: page.last_modified.clone(),
            };
            reads.document(url, fresh);
            return Ok(Some(page));
        }
        Outcome::NotModified if validators != Validators::default() => {
            reads.outcome(kind);
            reads.document(url, validators);
            return Ok(None);
        }
        Outcome::NotModified => ("304 Not Modified to an unconditional request".to_string(), None),
        Outcome::Disallowed => ("a robots.txt disallow".to_string(), None),
        Outcome::Deferred { retry_after } => (format!("Retry-After {}s; deferred", retry_after.as_secs()), Some(retry_after)),
        Outcome::WrongType { status, content_type, .. } => (
            format!(
                "status {status} with unexpected content type {}",
                content_type.as_deref().unwrap_or("(none)")
            ),
            None,
        ),
    };
    let kind = if kind == OutcomeKind::NotModified {
        OutcomeKind::Other
    } else {
        kind
    };
    reads.outcome(kind);
    Err(DiscoverError::Unusable {
        url: url.to_string(),
        outcome: described,
        kind,
        retry_after,
    })
}

/// Keeps the first candidate of each canonical URL, in order, each to be fetched at its
/// [`fetch_url`].
fn dedup(candidates: Vec<Candidate>) -> Vec<Candidate> {
    let mut seen = HashSet::new();
    candidates
        .into_iter()
        .filter(|c| seen.insert(dedup_key(&c.url)))
        .map(|c| Candidate {
            url: fetch_url(&c.url),
            ..c
        })
        .collect()
}

/// The key one article's URLs share: its canonical URL (or the text itself when it is none).
pub fn dedup_key(url: &str) -> String {
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

/// The body itself, or its decompressed content when it starts with the gzip magic bytes:
/// read as a stream, never holding more than `max_bytes`, an error past them.
pub(crate) fn gunzip_if_needed(bytes: &[u8], max_bytes: u64) -> Result<Cow<'_, [u8]>, String> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(Cow::Borrowed(bytes));
    }
    let max = usize::try_from(max_bytes).unwrap_or(usize::MAX);
    let mut reader = flate2::read::MultiGzDecoder::new(bytes);
    let mut out: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut chunk).map_err(|e| format!("cannot decompress gzip body: {e}"))?;
        if n == 0 {
            return Ok(Cow::Owned(out));
        }
        if n > max - out.len() {
            return Err(format!("gzip body exceeds {max_bytes} bytes once decompressed"));
        }
        // Grow by doubling, but never past the cap.
        if out.capacity() - out.len() < n {
            out.reserve_exact(out.capacity().max(n).min(max - out.len()));
        }
        out.extend_from_slice(&chunk[..n]);
    }
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
            copy_pages: false,
            discover: DiscoverConfig::default(),
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
        assert_eq!(urls, ["https://e.org/a/", "https://e.org/b", "not a url"]);
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
        let map = read_sitemap(&page, &DiscoverConfig::default()).unwrap();
        let urls: Vec<&str> = map.urls.iter().map(|c| c.url.as_str()).collect();
        assert_eq!(urls, ["https://www.e.org/nota/1", "https://e.org/nota/2"]);

        let broken = Page {
            body: b"<html>".to_vec(),
            ..page
        };
        match read_sitemap(&broken, &DiscoverConfig::default()) {
            Err(DiscoverError::Parse { what, url, .. }) => {
                assert_eq!(what, "sitemap");
                assert_eq!(url, "https://www.e.org/maps/sitemap.xml");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn gunzip_is_bounded_and_passes_plain_bytes_through() {
        assert!(matches!(gunzip_if_needed(b"<urlset/>", 10), Ok(Cow::Borrowed(_))));
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..=8 {
            gz.write_all(&zeros).unwrap();
        }
        let bomb = gz.finish().unwrap();
        assert!(bomb.len() < 1024 * 1024);
        let err = gunzip_if_needed(&bomb, 8 * 1024 * 1024).unwrap_err();
        assert!(err.contains("exceeds"), "{err}");
        // A body of exactly the cap is whole.
        assert_eq!(gunzip_if_needed(&bomb, 9 * 1024 * 1024).unwrap().len(), 9 * 1024 * 1024);
    }

    fn dated(url: &str, published: Option<&str>) -> Candidate {
        Candidate {
            url: url.to_string(),
            published: published.map(str::to_string),
            ..Candidate::default()
        }
    }

    #[test]
    fn a_pass_takes_the_newest_candidates() {
        let found = vec![
            dated("https://e.org/a", Some("2024-03-01")),
            dated("https://e.org/b", None),
            dated("https://e.org/c", Some("2024-03-05T10:00:00Z")),
            dated("https://e.org/d", Some("2024-03-03")),
            dated("https://e.org/e", None),
        ];
        let urls = |(found, _): (Vec<Candidate>, usize)| found.into_iter().map(|c| c.url).collect::<Vec<_>>();
        let none = |_: &Candidate| false;
        assert_eq!(
            urls(take_for_pass(found.clone(), 5, none)),
            urls((found.clone(), 0)),
            "all fit: source order"
        );
        assert_eq!(urls(take_for_pass(found.clone(), 2, none)), ["https://e.org/c", "https://e.org/d"]);
        assert_eq!(
            urls(take_for_pass(found.clone(), 4, none)),
            ["https://e.org/c", "https://e.org/d", "https://e.org/a", "https://e.org/b"]
        );
        assert_eq!(take_for_pass(found.clone(), 2, none).1, 3);
        // Candidates seen before make way for new ones, however old those are.
        let seen = |c: &Candidate| ["https://e.org/c", "https://e.org/d"].contains(&c.url.as_str());
        assert_eq!(
            urls(take_for_pass(found, 3, seen)),
            ["https://e.org/a", "https://e.org/b", "https://e.org/e"]
        );
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
        let found = walk_sitemaps(root, &root_page, &DiscoverConfig::default(), &|_| true, |child| {
            asked.borrow_mut().push(child.clone());
            let answer = match site.get(&child) {
                Some(body) => Ok(Some(page(&child, body.clone()))),
                None => Err(DiscoverError::Unusable {
                    url: child,
                    outcome: "404".to_string(),
                    kind: OutcomeKind::Http(404),
                    retry_after: None,
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
        // The root's own children are depth 1; indexes at the deepest level are read but
        // their children are not.
        let depth = DiscoverConfig::default().max_sitemap_depth;
        let want: Vec<String> = (0..depth).map(|n| format!("https://e.org/page{n}")).collect();
        assert_eq!(urls(&found), want);
        assert!(!asked.contains(&level(0)), "the root was fetched again: {asked:?}");
        assert!(asked.contains(&level(depth)));
        assert!(!asked.contains(&level(depth + 1)));
    }

    #[tokio::test]
    async fn child_fetches_are_bounded() {
        let mut site = HashMap::new();
        let max = DiscoverConfig::default().max_child_sitemaps;
        let children: Vec<String> = (0..max + 10).map(|n| format!("https://e.org/s{n}.xml")).collect();
        site.insert("https://e.org/index.xml".to_string(), index(&children));
        for (n, child) in children.iter().enumerate() {
            site.insert(child.clone(), urlset(&[&format!("https://e.org/p{n}")]));
        }
        let (found, asked) = walk("https://e.org/index.xml", &site).await;
        assert_eq!(asked.len(), max);
        assert_eq!(found.unwrap().len(), max);
    }

    #[tokio::test]
    async fn a_walk_keeps_no_more_entries_than_the_cap() {
        let mut site = HashMap::new();
        let children: Vec<String> = (0..10).map(|n| format!("https://e.org/s{n}.xml")).collect();
        site.insert("https://e.org/index.xml".to_string(), index(&children));
        for (n, child) in children.iter().enumerate() {
            let urls: Vec<String> = (0..100).map(|i| format!("https://e.org/{n}/{i}")).collect();
            let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
            site.insert(child.clone(), urlset(&urls));
        }
        let limits = DiscoverConfig {
            max_entries: 250,
            ..DiscoverConfig::default()
        };
        let asked = RefCell::new(Vec::new());
        let root = page("https://e.org/index.xml", site["https://e.org/index.xml"].clone());
        let found = walk_sitemaps("https://e.org/index.xml", &root, &limits, &|c| !c.url.ends_with("/0"), |child| {
            asked.borrow_mut().push(child.clone());
            let answer = Ok(site.get(&child).map(|body| page(&child, body.clone())));
            async move { answer }
        })
        .await
        .unwrap();
        assert_eq!(found.len(), 250);
        assert!(!found.iter().any(|c| c.url.ends_with("/0")), "unwanted URLs take no room");
        // Three children fill the cap; the rest are not fetched.
        assert_eq!(asked.borrow().len(), 3);
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
            let limits = DiscoverConfig::default();
            let _ = parse_feed(&bytes, "https://e.org/feed", &limits);
            let _ = parse_sitemap(&bytes, &limits);
            let text = String::from_utf8_lossy(&bytes);
            let _ = page_links(&text, "https://e.org/", &regex::Regex::new("").unwrap(), limits.max_entries);
        }

        #[test]
        fn canonical_url_is_stable(url in "(https?|file|HTTP)://[a-zA-Z0-9.:]{0,20}(/[a-z0-9%._~-]{0,8}){0,4}/?(\\?[a-z_=&%0-9]{0,30})?(#[a-z]{0,5})?") {
            if let Some(once) = canonical_url(&url) {
                prop_assert_eq!(canonical_url(&once), Some(once.clone()));
            }
        }
    }
}
