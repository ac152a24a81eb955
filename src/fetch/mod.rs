//! Polite HTTP fetching: robots.txt, per-host pacing, conditional GET, retries, size cap, charset.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{StatusCode, redirect};
use tracing::debug;
use url::Url;

use crate::config::FetchConfig;

pub mod charset;
mod pacing;
mod retry;
mod robots;

use pacing::{Pacing, host_key, later};
pub use retry::{MAX_RETRY_AFTER, RetryPolicy};
use robots::RobotsRules;

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 10;
/// robots.txt bodies beyond this are cut (the limit major crawlers use).
const MAX_ROBOTS_BYTES: u64 = 512 * 1024;
/// Bytes looked at to tell whether an unlabeled body is HTML.
const SNIFF_BYTES: usize = 512;

/// A response worth keeping.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The URL asked for.
    pub url: String,
    /// The URL after redirects.
    pub final_url: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The body as received after content-encoding is undone (not yet charset-decoded).
    pub body: Vec<u8>,
    pub fetched_at: DateTime<Utc>,
}

/// Stored validators for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What to accept as a useful body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// An article: only HTML/XHTML bodies are returned as `Fetched`.
    Html,
    /// A feed, sitemap or robots file: any body.
    Any,
}

/// What became of one URL.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Fetched(Page),
    /// 304: the stored copy is current.
    NotModified,
    /// The body is not what was expected (a PDF or an image for an article); recorded, not kept.
    WrongType {
        final_url: String,
        status: u16,
        content_type: Option<String>,
    },
    /// robots.txt forbids it.
    Disallowed,
    /// The server asked to wait longer than a run may wait (Retry-After); try in a later run.
    Deferred {
        retry_after: Duration,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("invalid URL `{0}`")]
    InvalidUrl(String),
    #[error("HTTP status {status} for {url}")]
    Status { url: String, status: u16 },
    #[error("timed out fetching {0}")]
    Timeout(String),
    #[error("body of {url} exceeds {max_bytes} bytes")]
    TooLarge { url: String, max_bytes: u64 },
    #[error("too many redirects from {0}")]
    TooManyRedirects(String),
    #[error("network error fetching {url}: {message}")]
    Network { url: String, message: String },
    #[error("cannot build HTTP client: {0}")]
    Client(String),
}

/// Fetches pages for one run. Holds the per-run robots.txt cache and per-host pacing.
///
/// Meant for one task at a time: methods take `&self`, and the caches sit behind locks.
pub struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
    /// Our product token, matched against robots.txt groups.
    agent: String,
    retry: RetryPolicy,
    /// robots.txt rules by origin (`scheme://host:port`), fetched once per run.
    robots: tokio::sync::Mutex<HashMap<String, Arc<RobotsRules>>>,
    pacing: Mutex<Pacing>,
}

/// A failed attempt, and whether another attempt may do better.
struct Failure {
    error: FetchError,
    retryable: bool,
    retry_after: Option<Duration>,
}

impl Failure {
    fn fatal(error: FetchError) -> Failure {
        Failure {
            error,
            retryable: false,
            retry_after: None,
        }
    }
}

impl Fetcher {
    pub fn new(config: &FetchConfig) -> Result<Fetcher, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.as_str())
            .timeout(config.timeout)
            .redirect(redirect::Policy::none())
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Fetcher {
            client,
            agent: robots::agent_token(&config.user_agent),
            retry: RetryPolicy::default(),
            robots: tokio::sync::Mutex::new(HashMap::new()),
            pacing: Mutex::new(Pacing::new(config.per_host_delay)),
            config: config.clone(),
        })
    }

    /// Replaces the default retry bounds (3 attempts, 5 s of total backoff per URL).
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Fetcher {
        self.retry = policy;
        self
    }

    /// Fetches one URL politely, with retries bounded within the run.
    ///
    /// robots.txt is read once per origin and run; requests to one host are spaced by
    /// `per_host_delay` (or a larger Crawl-delay). Connection errors, timeouts, 5xx and 429
    /// are retried with jittered exponential backoff, or after the server's Retry-After;
    /// a Retry-After beyond the retry budget gives `Deferred`, and the host's other URLs are
    /// deferred with it for the rest of the run. Other 4xx, oversized bodies and redirect
    /// loops fail at once.
    pub async fn fetch(&self, url: &str, validators: &Validators, expect: Expect) -> Result<Outcome, FetchError> {
        let (parsed, host) = http_url(url)?;
        if let Some(retry_after) = self.pacing().deferred(&host, Instant::now()) {
            debug!(url, ?retry_after, "Host asked us to wait, deferring.");
            return Ok(Outcome::Deferred { retry_after });
        }
        if self.config.respect_robots && !self.robots_allow(&parsed, &host).await {
            debug!(url, "Disallowed by robots.txt.");
            return Ok(Outcome::Disallowed);
        }

        let mut waited = Duration::ZERO;
        let mut attempt = 1;
        loop {
            self.pace(&host).await;
            let result = self.attempt(&parsed, validators, expect).await;
            self.pacing().finished(&host, Instant::now());
            let failure = match result {
                Ok(outcome) => return Ok(outcome),
                Err(failure) => failure,
            };
            if !failure.retryable {
                return Err(failure.error);
            }
            let budget_left = self.retry.max_total_backoff.saturating_sub(waited);
            if let Some(retry_after) = failure.retry_after
                && retry_after > budget_left
            {
                debug!(url, ?retry_after, "Retry-After beyond this run's budget, deferring.");
                self.pacing().defer(&host, later(Instant::now(), retry_after));
                return Ok(Outcome::Deferred { retry_after });
            }
            if attempt >= self.retry.max_attempts {
                return Err(failure.error);
            }
            let wait = failure.retry_after.unwrap_or_else(|| self.retry.backoff(attempt)).min(budget_left);
            debug!(url, attempt, ?wait, error = %failure.error, "Retrying.");
            tokio::time::sleep(wait).await;
            waited += wait;
            attempt += 1;
        }
    }

    /// The `Sitemap:` lines of the robots.txt of `url`'s host (fetched if not yet cached).
    pub async fn robots_sitemaps(&self, url: &str) -> Vec<String> {
        let Ok((parsed, host)) = http_url(url) else {
            return Vec::new();
        };
        self.robots_for(&parsed, &host).await.sitemaps().to_vec()
    }

    fn pacing(&self) -> std::sync::MutexGuard<'_, Pacing> {
        // The map stays consistent even if a holder panicked: every update is one statement.
        self.pacing.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for this host's next free slot.
    async fn pace(&self, host: &str) {
        let slot = self.pacing().reserve(host, Instant::now());
        tokio::time::sleep_until(slot.into()).await;
    }

    async fn robots_allow(&self, url: &Url, host: &str) -> bool {
        self.robots_for(url, host).await.allowed(url.as_str())
    }

    /// The robots.txt rules for `url`'s origin, fetched on first use.
    async fn robots_for(&self, url: &Url, host: &str) -> Arc<RobotsRules> {
        let origin = url.origin().ascii_serialization();
        // Held across the fetch so that one origin is never asked twice.
        let mut cache = self.robots.lock().await;
        if let Some(rules) = cache.get(&origin) {
            return Arc::clone(rules);
        }
        let rules = Arc::new(self.fetch_robots(&origin, host).await);
        if let Some(delay) = rules.crawl_delay() {
            debug!(host, ?delay, "Crawl-delay applies.");
            self.pacing().raise_delay(host, delay, Instant::now());
        }
        cache.insert(origin, Arc::clone(&rules));
        rules
    }

    /// One attempt at `/robots.txt`; any failure allows everything.
    async fn fetch_robots(&self, origin: &str, host: &str) -> RobotsRules {
        self.pace(host).await;
        let rules = self.read_robots(origin).await;
        self.pacing().finished(host, Instant::now());
        rules
    }

    async fn read_robots(&self, origin: &str) -> RobotsRules {
        let robots_url = format!("{origin}/robots.txt");
        let response = match self.client.get(&robots_url).send().await {
            Ok(response) => response,
            Err(e) => {
                debug!(url = %robots_url, error = %e, "robots.txt unreachable, allowing all.");
                return RobotsRules::allow_all();
            }
        };
        let status = response.status();
        if !status.is_success() {
            if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                debug!(url = %robots_url, status = status.as_u16(), "robots.txt failed, allowing all.");
            }
            return RobotsRules::allow_all();
        }
        let limit = MAX_ROBOTS_BYTES.min(self.config.max_bytes);
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => body.extend_from_slice(&chunk),
                Err(e) => {
                    debug!(url = %robots_url, error = %e, "robots.txt body failed, allowing all.");
                    return RobotsRules::allow_all();
                }
            }
            if body.len() as u64 >= limit {
                // Rules past the cap are ignored; cut at the last full line.
                let cut = body[..limit as usize].iter().rposition(|&b| b == b'\n').unwrap_or(0);
                body.truncate(cut);
                break;
            }
        }
        RobotsRules::parse(&self.agent, &body)
    }

    /// One request, with no retry.
    ///
    /// Redirects are followed here rather than inside the HTTP client, so that every hop is
    /// checked against its own host's robots.txt and paced like any other request.
    async fn attempt(&self, url: &Url, validators: &Validators, expect: Expect) -> Result<Outcome, Failure> {
        let mut current = url.clone();
        let mut hops = 0;
        let response = loop {
            let response = self
                .client
                .get(current.clone())
                .headers(conditional_headers(validators))
                .send()
                .await
                .map_err(|e| self.failure(url, e))?;
            let status = response.status();
            let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok());
            let next = match location {
                Some(loc) if status.is_redirection() && status != StatusCode::NOT_MODIFIED => current.join(loc).ok(),
                _ => None,
            };
            let Some(next) = next else { break response };
            hops += 1;
            if hops > MAX_REDIRECTS {
                return Err(Failure::fatal(FetchError::TooManyRedirects(url.to_string())));
            }
            let (next, next_host) = http_url(next.as_str()).map_err(Failure::fatal)?;
            debug!(from = %current, to = %next, status = status.as_u16(), "Redirect.");
            if let Some(host) = host_key(&current) {
                self.pacing().finished(&host, Instant::now());
            }
            if self.config.respect_robots && !self.robots_allow(&next, &next_host).await {
                return Ok(Outcome::Disallowed);
            }
            self.pace(&next_host).await;
            current = next;
        };
        let status = response.status();
        let final_url = current.to_string();
        debug!(url = %url, final_url, status = status.as_u16(), "Response.");
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Outcome::NotModified);
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let retry_after = response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| retry::parse_retry_after(v, Utc::now()));
            return Err(Failure {
                error: FetchError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                },
                retryable: true,
                retry_after,
            });
        }
        if !status.is_success() {
            return Err(Failure::fatal(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            }));
        }

        let text_header = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        let content_type = text_header(header::CONTENT_TYPE);
        let etag = text_header(header::ETAG);
        let last_modified = text_header(header::LAST_MODIFIED);
        let wrong_type = || Outcome::WrongType {
            final_url: final_url.clone(),
            status: status.as_u16(),
            content_type: content_type.clone(),
        };
        if expect == Expect::Html && content_type.as_deref().is_some_and(|ct| !is_html_type(ct)) {
            // Dropping the response closes the connection without reading the body.
            return Ok(wrong_type());
        }
        let too_large = || {
            Failure::fatal(FetchError::TooLarge {
                url: url.to_string(),
                max_bytes: self.config.max_bytes,
            })
        };
        // Known only when the body is not compressed; then an oversized body is never read.
        if response.content_length().is_some_and(|len| len > self.config.max_bytes) {
            return Err(too_large());
        }

        let mut sniff = expect == Expect::Html && content_type.is_none();
        let mut body = Vec::new();
        // Counted on the decompressed stream, so a compression bomb stops at the cap.
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.failure(url, e))?;
            if (body.len() + chunk.len()) as u64 > self.config.max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
            if sniff && body.len() >= SNIFF_BYTES {
                if !looks_like_html(&body) {
                    return Ok(wrong_type());
                }
                sniff = false;
            }
        }
        if sniff && !looks_like_html(&body) {
            return Ok(wrong_type());
        }
        Ok(Outcome::Fetched(Page {
            url: url.to_string(),
            final_url,
            status: status.as_u16(),
            content_type,
            etag,
            last_modified,
            body,
            fetched_at: Utc::now(),
        }))
    }

    /// Sorts a transport error: timeouts and connection trouble may pass, redirect loops not.
    fn failure(&self, url: &Url, e: reqwest::Error) -> Failure {
        let url = url.to_string();
        if e.is_redirect() {
            return Failure::fatal(FetchError::TooManyRedirects(url));
        }
        if e.is_timeout() {
            return Failure {
                error: FetchError::Timeout(url),
                retryable: true,
                retry_after: None,
            };
        }
        let message = error_chain(&e);
        let retryable = !e.is_builder();
        Failure {
            error: FetchError::Network { url, message },
            retryable,
            retry_after: None,
        }
    }
}

/// Parses an http(s) URL and its pacing key.
fn http_url(url: &str) -> Result<(Url, String), FetchError> {
    let invalid = || FetchError::InvalidUrl(url.to_string());
    let parsed = Url::parse(url).map_err(|_| invalid())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid());
    }
    let host = host_key(&parsed).ok_or_else(invalid)?;
    Ok((parsed, host))
}

/// If-None-Match / If-Modified-Since from stored validators; unusable values are skipped.
fn conditional_headers(validators: &Validators) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let mut put = |name, value: &Option<String>| {
        if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v.trim()).ok()) {
            headers.insert(name, v);
        }
    };
    put(header::IF_NONE_MATCH, &validators.etag);
    put(header::IF_MODIFIED_SINCE, &validators.last_modified);
    headers
}

/// Whether a Content-Type names an HTML document.
fn is_html_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("text/html") || essence.eq_ignore_ascii_case("application/xhtml+xml")
}

/// Whether unlabeled bytes start like an HTML document (after a BOM and whitespace), in the
/// manner of the WHATWG sniffing rules.
fn looks_like_html(body: &[u8]) -> bool {
    const TAGS: [&[u8]; 18] = [
        b"<!doctype html",
        b"<html",
        b"<head",
        b"<script",
        b"<iframe",
        b"<h1",
        b"<div",
        b"<font",
        b"<table",
        b"<a",
        b"<style",
        b"<title",
        b"<b",
        b"<body",
        b"<br",
        b"<p",
        b"<!--",
        b"<meta",
    ];
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    let head = body[start..body.len().min(start + 32)].to_ascii_lowercase();
    TAGS.iter()
        .any(|tag| head.starts_with(tag) && (*tag == b"<!--" || head.get(tag.len()).is_some_and(|&b| b == b'>' || b.is_ascii_whitespace())))
}

/// An error with its causes, on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_types() {
        assert!(is_html_type("text/html"));
        assert!(is_html_type("Text/HTML; charset=utf-8"));
        assert!(is_html_type("application/xhtml+xml"));
        assert!(!is_html_type("application/pdf"));
        assert!(!is_html_type("image/jpeg"));
        assert!(!is_html_type("text/htmlx"));
    }

    #[test]
    fn html_sniffing() {
        assert!(looks_like_html(b"\xEF\xBB\xBF  <!DOCTYPE html><html>"));
        assert!(looks_like_html(b"\n<HTML lang=es>"));
        assert!(looks_like_html(b"<!-- x --><html>"));
        assert!(looks_like_html(b"<p>hola</p>"));
        assert!(!looks_like_html(b"%PDF-1.7\n"));
        assert!(!looks_like_html(b"\x89PNG\r\n"));
        assert!(!looks_like_html(b"<pre>x</pre>"));
        assert!(!looks_like_html(b""));
    }

    #[test]
    fn conditional_headers_skip_unusable_values() {
        let v = Validators {
            etag: Some("\"abc\"".into()),
            last_modified: Some("bad\nvalue".into()),
        };
        let headers = conditional_headers(&v);
        assert_eq!(headers.get(header::IF_NONE_MATCH).unwrap(), "\"abc\"");
        assert!(headers.get(header::IF_MODIFIED_SINCE).is_none());
        assert!(conditional_headers(&Validators::default()).is_empty());
    }

    #[test]
    fn fetch_can_run_on_a_spawned_task() {
        fn assert_send<T: Send>(_: &T) {}
        let fetcher = Fetcher::new(&FetchConfig::default()).unwrap();
        let validators = Validators::default();
        assert_send(&fetcher.fetch("https://example.org/", &validators, Expect::Html));
        assert_send(&fetcher.robots_sitemaps("https://example.org/"));
    }

    #[test]
    fn unusable_urls_are_invalid() {
        let fetcher = Fetcher::new(&FetchConfig::default()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        for url in ["not a url", "ftp://example.org/x", "file:///etc/passwd"] {
            let result = rt.block_on(fetcher.fetch(url, &Validators::default(), Expect::Html));
            assert!(matches!(result, Err(FetchError::InvalidUrl(_))), "{url}: {result:?}");
        }
    }
}
