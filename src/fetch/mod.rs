//! Polite HTTP fetching: robots.txt, per-host pacing, conditional GET, retries, size cap, charset.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::FetchConfig;

pub mod charset;

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
pub struct Fetcher {
    config: FetchConfig,
}

impl Fetcher {
    pub fn new(config: &FetchConfig) -> Result<Fetcher, FetchError> {
        Ok(Fetcher { config: config.clone() })
    }

    /// Fetches one URL politely, with retries bounded within the run.
    pub async fn fetch(&self, url: &str, validators: &Validators, expect: Expect) -> Result<Outcome, FetchError> {
        let _ = (&self.config, validators, expect);
        Err(FetchError::InvalidUrl(url.to_string()))
    }
}
