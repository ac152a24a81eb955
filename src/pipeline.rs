//! One pass over the due sources: discover, fetch, extract, store.
//!
//! Sources are taken one after the other and their articles one at a time: politeness
//! (per-host pacing) bounds the speed anyway, and one writer keeps SQLite simple. Each
//! article is stored in its own transaction, so an interrupted pass loses at most the
//! article in hand.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tracing::{debug, info, warn};

use crate::article;
use crate::config::{Config, Language, SourceConfig};
use crate::discover::{self, Candidate};
use crate::extract::{self, Lang};
use crate::fetch::{self, Expect, Fetcher, Outcome};
use crate::store::{NewArticle, PageRecord, RunSummary, Saved, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Fetch(#[from] fetch::FetchError),
    #[error("no source named {0}")]
    UnknownSource(String),
}

/// Which sources a pass takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Those whose schedule fired since their last fetch (never fetched counts as due).
    Due,
    All,
    Named(Vec<String>),
}

/// The outcome of a pass: its counts and how long it took.
#[derive(Debug, Clone, Default)]
pub struct PassReport {
    pub summary: RunSummary,
    pub seconds: f64,
    /// The pass stopped early because shutdown was asked for.
    pub interrupted: bool,
}

impl PassReport {
    /// The one-line summary printed at the end of `vigia run`.
    pub fn line(&self) -> String {
        let s = &self.summary;
        format!(
            "{} sources, {} pages fetched, {} not modified, {} skipped, {} failed, {} articles new ({} duplicates), {} statistics, {} entities in {:.1} s{}",
            s.sources,
            s.pages_fetched,
            s.not_modified,
            s.skipped,
            s.failed,
            s.articles_new,
            s.duplicates,
            s.statistics,
            s.entities,
            self.seconds,
            if self.interrupted { " (interrupted)" } else { "" }
        )
    }
}

/// A flag that asks a pass to stop after the article in hand.
pub type Shutdown = Arc<AtomicBool>;

/// The sources of `config` that `selection` takes at `now`.
pub fn select<'a>(
    config: &'a Config,
    store: &Store,
    selection: &Selection,
    now: DateTime<Utc>,
) -> Result<Vec<&'a SourceConfig>, PipelineError> {
    match selection {
        Selection::All => Ok(config.sources.iter().collect()),
        Selection::Named(names) => names
            .iter()
            .map(|n| {
                config
                    .sources
                    .iter()
                    .find(|s| &s.name == n)
                    .ok_or_else(|| PipelineError::UnknownSource(n.clone()))
            })
            .collect(),
        Selection::Due => {
            let mut due = Vec::new();
            for source in &config.sources {
                if is_due(source, store.source_last_fetch(&source.name)?, now) {
                    due.push(source);
                }
            }
            Ok(due)
        }
    }
}

/// Due when never fetched, or when the schedule fired between the last fetch and now.
pub fn is_due(source: &SourceConfig, last_fetch: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    match last_fetch {
        None => true,
        Some(last) => match source.schedule.find_next_occurrence(&last, false) {
            Ok(next) => next <= now,
            Err(_) => false,
        },
    }
}

/// How many sources a pass works on at once. Each host is still paced on its own; this only
/// lets slow hosts overlap.
pub const CONCURRENT_SOURCES: usize = 4;

/// Runs one pass over the selected sources and records it in `runs`.
///
/// Sources overlap (up to `CONCURRENT_SOURCES`) on one thread: every store write is a
/// synchronous transaction between two awaits, so writes never interleave.
pub async fn run(config: &Config, store: &Store, selection: &Selection, shutdown: &Shutdown) -> Result<PassReport, PipelineError> {
    let started = Instant::now();
    let now = Utc::now();
    store.sync_sources(&config.sources)?;
    let sources = select(config, store, selection, now)?;
    let run_id = store.start_run(now)?;
    let fetcher = Fetcher::new(&config.fetch)?;
    let results: Vec<Result<PassReport, PipelineError>> = futures_util::stream::iter(sources)
        .map(|source| run_one(source, store, &fetcher, shutdown))
        .buffer_unordered(CONCURRENT_SOURCES)
        .collect()
        .await;
    let mut report = PassReport::default();
    for result in results {
        let part = result?;
        report.summary.merge(&part.summary);
        report.interrupted |= part.interrupted;
    }
    report.seconds = started.elapsed().as_secs_f64();
    store.finish_run(run_id, Utc::now(), &report.summary)?;
    Ok(report)
}

/// One source, with its own counts; its fetch is recorded unless shutdown cut it short.
async fn run_one(source: &SourceConfig, store: &Store, fetcher: &Fetcher, shutdown: &Shutdown) -> Result<PassReport, PipelineError> {
    let mut report = PassReport::default();
    if shutdown.load(Ordering::Relaxed) {
        report.interrupted = true;
        return Ok(report);
    }
    report.summary.sources = 1;
    let error = run_source(source, store, fetcher, &mut report, shutdown).await?;
    if !report.interrupted {
        store.record_source_fetch(&source.name, Utc::now(), error.as_deref())?;
    }
    let s = &report.summary;
    info!(source = %source.name, fetched = s.pages_fetched, new = s.articles_new, failed = s.failed, "Source done.");
    Ok(report)
}

/// One source: discovery then every candidate. Returns the source-level error, if any.
async fn run_source(
    source: &SourceConfig,
    store: &Store,
    fetcher: &Fetcher,
    report: &mut PassReport,
    shutdown: &Shutdown,
) -> Result<Option<String>, PipelineError> {
    let candidates = match discover::discover(source, fetcher).await {
        Ok(c) => c,
        Err(e) => {
            let msg = format!("{}: {e}", source.name);
            warn!(source = %source.name, error = %e, "Discovery failed.");
            report.summary.failed += 1;
            report.summary.errors.push(msg.clone());
            return Ok(Some(msg));
        }
    };
    debug!(source = %source.name, candidates = candidates.len(), "Source discovered.");
    let mut failures = 0;
    for candidate in &candidates {
        if shutdown.load(Ordering::Relaxed) {
            report.interrupted = true;
            break;
        }
        if let Err(msg) = handle_candidate(source, candidate, store, fetcher, report).await? {
            failures += 1;
            report.summary.failed += 1;
            report.summary.errors.push(msg);
        }
    }
    Ok((failures > 0).then(|| format!("{failures} of {} pages failed", candidates.len())))
}

/// Fetches (or reads) one candidate and stores what it yields. `Ok(Err(msg))` is a page that
/// failed and was recorded; `Err` is a store failure that stops the pass.
async fn handle_candidate(
    source: &SourceConfig,
    candidate: &Candidate,
    store: &Store,
    fetcher: &Fetcher,
    report: &mut PassReport,
) -> Result<Result<(), String>, PipelineError> {
    let now = Utc::now();
    let base = PageRecord {
        url: candidate.url.clone(),
        final_url: candidate.url.clone(),
        source: source.name.clone(),
        fetched_at: now,
        ..PageRecord::default()
    };

    let page = if let Some(path) = &candidate.path {
        match read_file_page(candidate, path, store, source.discover.max_bytes)? {
            FileRead::Page(page) => page,
            FileRead::Unchanged => {
                report.summary.not_modified += 1;
                return Ok(Ok(()));
            }
            FileRead::Failed(msg) => {
                store.record_page(&PageRecord {
                    error: Some(msg.clone()),
                    ..base
                })?;
                return Ok(Err(msg));
            }
        }
    } else {
        if let Some(until) = store.retry_after(&candidate.url)? {
            debug!(url = %candidate.url, until = %until, "Deferred by an earlier run.");
            report.summary.skipped += 1;
            return Ok(Ok(()));
        }
        let validators = store.validators(&candidate.url)?;
        match fetcher.fetch(&candidate.url, &validators, Expect::Html).await {
            Ok(Outcome::Fetched(page)) => page,
            Ok(Outcome::NotModified) => {
                report.summary.not_modified += 1;
                store.record_page(&base)?;
                return Ok(Ok(()));
            }
            Ok(Outcome::WrongType {
                final_url,
                status,
                content_type,
            }) => {
                debug!(url = %candidate.url, content_type = ?content_type, "Not an HTML page; skipped.");
                report.summary.skipped += 1;
                store.record_page(&PageRecord {
                    final_url,
                    status: Some(status),
                    content_type,
                    ..base
                })?;
                return Ok(Ok(()));
            }
            Ok(Outcome::Disallowed) => {
                report.summary.skipped += 1;
                store.record_page(&PageRecord {
                    error: Some("disallowed by robots.txt".into()),
                    ..base
                })?;
                return Ok(Ok(()));
            }
            Ok(Outcome::Deferred { retry_after }) => {
                report.summary.skipped += 1;
                let until = now + chrono::Duration::from_std(retry_after).unwrap_or(chrono::Duration::hours(1));
                store.record_page(&PageRecord {
                    error: Some(format!("deferred until {until}")),
                    retry_after: Some(until),
                    ..base
                })?;
                return Ok(Ok(()));
            }
            Err(e) => {
                let msg = format!("{}: {e}", candidate.url);
                warn!(source = %source.name, url = %candidate.url, error = %e, "Fetch failed.");
                store.record_page(&PageRecord {
                    error: Some(e.to_string()),
                    ..base
                })?;
                return Ok(Err(msg));
            }
        }
    };
    report.summary.pages_fetched += 1;
    store_page(source, candidate, page, store, report)?;
    Ok(Ok(()))
}

enum FileRead {
    Page(fetch::Page),
    Unchanged,
    Failed(String),
}

/// A saved page is read from disk; its modification time plays the part of Last-Modified.
/// Like a response body, it is read up to `max_bytes` (`fetch.max_bytes`): a larger file is
/// a failed page, never read whole.
fn read_file_page(candidate: &Candidate, path: &std::path::Path, store: &Store, max_bytes: u64) -> Result<FileRead, PipelineError> {
    use std::io::Read;

    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return Ok(FileRead::Failed(format!("{}: {e}", path.display()))),
    };
    let mtime = meta.modified().ok().map(|t| DateTime::<Utc>::from(t).to_rfc3339());
    let stored = store.validators(&candidate.url)?;
    if mtime.is_some() && stored.last_modified == mtime && store.article_for_url(&candidate.url)?.is_some() {
        return Ok(FileRead::Unchanged);
    }
    let too_large = || FileRead::Failed(format!("{} is larger than {max_bytes} bytes (fetch.max_bytes)", path.display()));
    if meta.len() > max_bytes {
        return Ok(too_large());
    }
    // The file may grow between the look and the read: one byte past the cap tells.
    let mut body = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    let read = std::fs::File::open(path).and_then(|file| file.take(max_bytes.saturating_add(1)).read_to_end(&mut body));
    if let Err(e) = read {
        return Ok(FileRead::Failed(format!("{}: {e}", path.display())));
    }
    if body.len() as u64 > max_bytes {
        return Ok(too_large());
    }
    Ok(FileRead::Page(fetch::Page {
        url: candidate.url.clone(),
        final_url: candidate.url.clone(),
        status: 200,
        content_type: Some("text/html".into()),
        etag: None,
        last_modified: mtime,
        body,
        fetched_at: Utc::now(),
    }))
}

/// Extracts an article from a fetched page and stores page, article and figures together.
fn store_page(
    source: &SourceConfig,
    candidate: &Candidate,
    page: fetch::Page,
    store: &Store,
    report: &mut PassReport,
) -> Result<(), PipelineError> {
    let (new_article, extraction) = analyse(source.language, &page, candidate.title.as_deref(), candidate.published.as_deref());
    let mut record = PageRecord {
        url: page.url.clone(),
        final_url: page.final_url.clone(),
        source: source.name.clone(),
        status: Some(page.status),
        content_type: page.content_type.clone(),
        etag: page.etag.clone(),
        last_modified: page.last_modified.clone(),
        body: Some(page.body),
        fetched_at: page.fetched_at,
        error: None,
        retry_after: None,
    };
    if new_article.body.trim().is_empty() {
        report.summary.skipped += 1;
        record.error = Some("no article text found".into());
        store.record_page(&record)?;
        return Ok(());
    }
    if let Some(reason) = filtered_out(source, &new_article, extraction.relevance) {
        debug!(url = %page.url, reason, "Filtered out.");
        report.summary.skipped += 1;
        record.error = Some(format!("filtered out: {reason}"));
        store.record_page(&record)?;
        return Ok(());
    }
    let new_article = NewArticle {
        source: source.name.clone(),
        ..new_article
    };
    match store.save_article(&record, &new_article, &extraction)? {
        Saved::New(_) => {
            report.summary.articles_new += 1;
            report.summary.statistics += extraction.statistics.len() as u64;
            report.summary.entities += extraction.entities.len() as u64;
        }
        Saved::Duplicate(_) => report.summary.duplicates += 1,
    }
    Ok(())
}

/// The article and extraction of a page: pure, shared by `run` and `reprocess`.
pub fn analyse(
    language: Language,
    page: &fetch::Page,
    feed_title: Option<&str>,
    feed_published: Option<&str>,
) -> (NewArticle, extract::Extraction) {
    let html = fetch::charset::decode_with_url(&page.body, page.content_type.as_deref(), Some(&page.final_url));
    let art = article::extract_article(&html, Some(&page.final_url), Some(page.fetched_at));
    let lang_code = match language {
        Language::En => "en".to_string(),
        Language::Es => "es".to_string(),
        Language::Auto => art
            .language
            .clone()
            .or_else(|| article::detect_language(&art.body))
            .unwrap_or_else(|| "en".to_string()),
    };
    let extraction = extract::extract(&art.body, Lang::from_code(&lang_code));
    let canonical_source = art
        .canonical_url
        .as_deref()
        .filter(|c| same_site(c, &page.final_url))
        .unwrap_or(&page.final_url);
    let canonical_url = discover::canonical_url(canonical_source).unwrap_or_else(|| page.final_url.clone());
    let new_article = NewArticle {
        canonical_url,
        url: page.final_url.clone(),
        source: String::new(),
        title: art.title.or_else(|| feed_title.map(str::to_string)),
        published: art.published.or_else(|| feed_published.map(str::to_string)),
        modified: art.modified,
        authors: art.authors,
        language: Some(lang_code),
        body: art.body,
        fetched_at: page.fetched_at,
    };
    (new_article, extraction)
}

/// A `rel=canonical` is trusted only within the page's own site (or for saved files, whose
/// canonical link is their only real address), so a page cannot claim another site's article.
fn same_site(canonical: &str, page_url: &str) -> bool {
    let (Ok(c), Ok(p)) = (url::Url::parse(canonical), url::Url::parse(page_url)) else {
        return false;
    };
    if p.scheme() == "file" {
        return matches!(c.scheme(), "http" | "https");
    }
    let site = |h: Option<&str>| h.map(|h| h.trim_start_matches("www.").to_ascii_lowercase());
    site(c.host_str()) == site(p.host_str())
}

/// Why a source's filters drop an article, if they do.
fn filtered_out(source: &SourceConfig, article: &NewArticle, relevance: f64) -> Option<&'static str> {
    if !source.keywords.is_empty() {
        let text = format!("{} {}", article.title.as_deref().unwrap_or(""), article.body).to_lowercase();
        if !source.keywords.iter().any(|k| text.contains(k.as_str())) {
            return Some("no keyword");
        }
    }
    match source.min_relevance {
        Some(min) if relevance < min => Some("below min_relevance"),
        _ => None,
    }
}

/// Counts of a `reprocess` pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReprocessReport {
    pub pages: u64,
    pub articles: u64,
    pub statistics: u64,
    pub entities: u64,
    /// Pages that are copies of an article made from another page.
    pub duplicates: u64,
    /// Pages that led to no article (filtered out, or no text).
    pub orphans: u64,
}

/// Re-runs article and statistics extraction over stored pages, without the network.
pub fn reprocess(config: Option<&Config>, store: &Store, since: Option<DateTime<Utc>>) -> Result<ReprocessReport, PipelineError> {
    let mut report = ReprocessReport::default();
    store.each_stored_page(since, &mut |stored| {
        report.pages += 1;
        // Only the page an article was made from rebuilds it; its other copies (an AMP page,
        // the same text elsewhere) were duplicates when fetched and stay so.
        let Some(article_id) = store.article_made_from(&stored.final_url)? else {
            if store.article_for_url(&stored.url)?.is_some() {
                report.duplicates += 1;
            } else {
                report.orphans += 1;
            }
            return Ok(());
        };
        let language = config
            .and_then(|c| c.sources.iter().find(|s| s.name == stored.source))
            .map(|s| s.language)
            .unwrap_or(Language::Auto);
        let page = fetch::Page {
            url: stored.url.clone(),
            final_url: stored.final_url.clone(),
            status: 200,
            content_type: stored.content_type.clone(),
            etag: None,
            last_modified: None,
            body: stored.body,
            fetched_at: stored.fetched_at,
        };
        let (new_article, extraction) = analyse(language, &page, None, None);
        let new_article = NewArticle {
            source: stored.source.clone(),
            ..new_article
        };
        store.replace_extraction(article_id, &new_article, &extraction)?;
        report.articles += 1;
        report.statistics += extraction.statistics.len() as u64;
        report.entities += extraction.entities.len() as u64;
        Ok(())
    })?;
    Ok(report)
}
