//! The SQLite store: migrations, writes (one transaction per article), dedup, read queries.
//!
//! The only module that speaks SQL.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::SourceConfig;
use crate::extract::Extraction;
use crate::fetch::Validators;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot open database {path}: {message}")]
    Open { path: String, message: String },
    #[error("migration {version} failed: {message}")]
    Migration { version: u32, message: String },
    #[error("{0}")]
    Query(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A fetched page as recorded (also a failed attempt, with `error` set and no body).
#[derive(Debug, Clone, Default)]
pub struct PageRecord {
    pub url: String,
    pub final_url: String,
    pub source: String,
    pub status: Option<u16>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Raw body; stored zstd-compressed. None keeps whatever body was stored before.
    pub body: Option<Vec<u8>>,
    pub fetched_at: DateTime<Utc>,
    pub error: Option<String>,
    /// When a failed or deferred URL may be tried again.
    pub retry_after: Option<DateTime<Utc>>,
}

/// An article ready to store.
#[derive(Debug, Clone, Default)]
pub struct NewArticle {
    pub canonical_url: String,
    /// The URL it was fetched from (after redirects).
    pub url: String,
    pub source: String,
    pub title: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub authors: Vec<String>,
    pub language: Option<String>,
    pub body: String,
    pub fetched_at: DateTime<Utc>,
}

/// What `save_article` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    New(i64),
    /// The same article (same canonical URL or same normalised body) was stored already.
    Duplicate(i64),
}

/// A stored page, for `reprocess`.
#[derive(Debug, Clone)]
pub struct StoredPage {
    pub url: String,
    pub final_url: String,
    pub source: String,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub fetched_at: DateTime<Utc>,
}

/// Counts of one run, kept in `runs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub sources: u64,
    pub pages_fetched: u64,
    pub not_modified: u64,
    pub failed: u64,
    pub skipped: u64,
    pub articles_new: u64,
    pub duplicates: u64,
    pub statistics: u64,
    pub entities: u64,
    pub errors: Vec<String>,
}

/// Filters shared by exports.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    /// Articles published (or, when undated, fetched) on or after this date.
    pub since: Option<chrono::NaiveDate>,
    /// ... on or before this date.
    pub until: Option<chrono::NaiveDate>,
    pub min_relevance: Option<f64>,
}

/// One row of `vigia export articles`.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleRow {
    pub url: String,
    pub title: Option<String>,
    pub published: Option<String>,
    pub language: Option<String>,
    pub source: String,
    pub fetched_at: String,
    pub body: String,
    pub relevance: f64,
    pub topics: String,
}

/// One row of `vigia export statistics`.
#[derive(Debug, Clone, Serialize)]
pub struct StatisticRow {
    pub article_url: String,
    pub published: Option<String>,
    pub source: String,
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub unit: String,
    pub qualifier: Option<String>,
    pub counted: Option<String>,
    pub topic: Option<String>,
    pub metric: Option<String>,
    pub year: Option<i32>,
    pub location: Option<String>,
    pub attributed_to: Option<String>,
    pub sentence: String,
    pub start: i64,
    pub end: i64,
}

/// One row of `vigia export entities`.
#[derive(Debug, Clone, Serialize)]
pub struct EntityRow {
    pub article_url: String,
    pub published: Option<String>,
    pub source: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub role: Option<String>,
    pub country: Option<String>,
    pub start: i64,
    pub end: i64,
}

/// One source in `vigia status`.
#[derive(Debug, Clone, Serialize)]
pub struct SourceStatus {
    pub name: String,
    pub kind: String,
    pub url: String,
    pub last_fetch_at: Option<String>,
    pub last_error: Option<String>,
    pub articles: u64,
    pub statistics: u64,
    pub failed_pages: u64,
}

/// The result of a read-only query.
#[derive(Debug, Clone, Default)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<serde_json::Value>>,
}

/// The hash used for content dedup: of the body with whitespace and case folded.
pub fn content_hash(body: &str) -> String {
    use sha2::{Digest, Sha256};
    let normalised: String = body.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    format!("{:x}", Sha256::digest(normalised.as_bytes()))
}

/// The database: one SQLite file.
pub struct Store {
    conn: rusqlite::Connection,
}

impl Store {
    /// Opens (creating if needed) and migrates the database: WAL, foreign keys on.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = rusqlite::Connection::open(path)?;
        Ok(Store { conn })
    }

    /// Opens an existing database read-only (for `sql`, `export`, `status`, `trend`).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        Store::open(path)
    }

    /// Inserts or updates the configured sources.
    pub fn sync_sources(&self, sources: &[SourceConfig]) -> Result<()> {
        let _ = (sources, &self.conn);
        Ok(())
    }

    /// When a source was last fetched (successfully or not).
    pub fn source_last_fetch(&self, name: &str) -> Result<Option<DateTime<Utc>>> {
        let _ = name;
        Ok(None)
    }

    /// Records that a source was fetched at `at`, with its error if any.
    pub fn record_source_fetch(&self, name: &str, at: DateTime<Utc>, error: Option<&str>) -> Result<()> {
        let _ = (name, at, error);
        Ok(())
    }

    /// The ETag / Last-Modified stored for a URL.
    pub fn validators(&self, url: &str) -> Result<Validators> {
        let _ = url;
        Ok(Validators::default())
    }

    /// When a URL that failed or was deferred may be fetched again (None: now).
    pub fn retry_after(&self, url: &str) -> Result<Option<DateTime<Utc>>> {
        let _ = url;
        Ok(None)
    }

    /// Records a page (fetched, not modified, skipped or failed) without an article.
    pub fn record_page(&self, page: &PageRecord) -> Result<()> {
        let _ = page;
        Ok(())
    }

    /// Stores a page, its article and its extraction in one transaction, unless the article
    /// is already stored (same canonical URL or same content hash): then only the page and
    /// the URL alias are recorded.
    pub fn save_article(&self, page: &PageRecord, article: &NewArticle, extraction: &Extraction) -> Result<Saved> {
        let _ = (page, article, extraction);
        Ok(Saved::New(0))
    }

    /// Replaces the article fields and extraction of a stored article (for `reprocess`).
    pub fn replace_extraction(&self, article_id: i64, article: &NewArticle, extraction: &Extraction) -> Result<()> {
        let _ = (article_id, article, extraction);
        Ok(())
    }

    /// The article stored for a page URL, if any.
    pub fn article_for_url(&self, url: &str) -> Result<Option<i64>> {
        let _ = url;
        Ok(None)
    }

    /// Stored pages with a body, fetched on or after `since`, for `reprocess`.
    pub fn stored_pages(&self, since: Option<DateTime<Utc>>) -> Result<Vec<StoredPage>> {
        let _ = since;
        Ok(Vec::new())
    }

    pub fn start_run(&self, at: DateTime<Utc>) -> Result<i64> {
        let _ = at;
        Ok(0)
    }

    pub fn finish_run(&self, id: i64, at: DateTime<Utc>, summary: &RunSummary) -> Result<()> {
        let _ = (id, at, summary);
        Ok(())
    }

    pub fn articles(&self, filter: &ExportFilter, each: &mut dyn FnMut(ArticleRow) -> Result<()>) -> Result<()> {
        let _ = (filter, each);
        Ok(())
    }

    pub fn statistics(&self, filter: &ExportFilter, each: &mut dyn FnMut(StatisticRow) -> Result<()>) -> Result<()> {
        let _ = (filter, each);
        Ok(())
    }

    pub fn entities(&self, filter: &ExportFilter, each: &mut dyn FnMut(EntityRow) -> Result<()>) -> Result<()> {
        let _ = (filter, each);
        Ok(())
    }

    pub fn status(&self) -> Result<Vec<SourceStatus>> {
        Ok(Vec::new())
    }

    /// Runs one read-only statement (writes are refused).
    pub fn query(&self, sql: &str) -> Result<QueryResult> {
        let _ = sql;
        Ok(QueryResult::default())
    }
}
