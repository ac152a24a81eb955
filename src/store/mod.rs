//! The SQLite store: migrations, writes (each article whole; in its own transaction or a batch), dedup, read queries.
//!
//! The only module that speaks SQL.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;

use crate::config::{Language, SourceConfig};

mod batch;
mod claims;
mod health;
mod hosts;
mod migrate;
mod read;
mod write;

pub use batch::BATCH_WRITES;
pub use claims::{ClaimRow, Regroup, Regrouped};
pub use health::Health;
pub use migrate::SCHEMA_VERSION;
pub use read::{Highlighted, HitFigure, SearchHit, SearchQuery, SearchResults, StatisticColumns};
pub use write::PackedBody;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[source] rusqlite::Error),
    /// Another process (a `sqlite3` shell, a viewer, another writer) kept a lock on the file
    /// for longer than the busy timeout. The statement was not run; trying again later can work.
    #[error(
        "the database is busy: another program has held a lock on it for more than {secs} s ({0}); \
         try again when it lets go",
        secs = BUSY_TIMEOUT.as_secs()
    )]
    Busy(rusqlite::Error),
    #[error("cannot open database {path}: {message}")]
    Open { path: String, message: String },
    #[error("database {path} is at schema version {found}, this vigia needs {needed}: run `vigia run` once to upgrade")]
    Outdated { path: String, found: u32, needed: u32 },
    #[error("migration {version} failed: {message}")]
    Migration { version: u32, message: String },
    #[error("{0}")]
    Query(String),
    #[error("cannot compress the body of {url}: {message}")]
    Compress { url: String, message: String },
}

pub type Result<T> = std::result::Result<T, StoreError>;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
        match e.sqlite_error_code() {
            Some(DatabaseBusy | DatabaseLocked) => StoreError::Busy(e),
            _ => StoreError::Sqlite(e),
        }
    }
}

impl StoreError {
    /// Whether another process's lock stopped the operation (worth retrying later).
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Busy(_))
    }
}

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
    /// The body compressed already; when set, it is stored in place of `body`.
    pub packed_body: Option<PackedBody>,
    /// Where the body can be read again in a WARC archive; when set, no copy is stored (and
    /// `body` and `packed_body` are not looked at).
    pub archived: Option<ArchivedBody>,
    pub fetched_at: DateTime<Utc>,
    pub error: Option<String>,
    /// When a failed or deferred URL may be tried again.
    pub retry_after: Option<DateTime<Utc>>,
}

/// A page body kept in the WARC archive it was read from instead of copied into the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedBody {
    /// The archive's absolute path, as read.
    pub archive: String,
    /// The byte offset of the page's record: of its gzip member in a `.warc.gz`.
    pub offset: u64,
    /// The body's length, kept as `pages.body_size`.
    pub size: usize,
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
    /// The body's story fingerprint ([`crate::claims::simhash`]), when the caller made it
    /// already (a run does, on its analysis threads); None leaves it to the next regrouping.
    pub simhash: Option<u64>,
}

/// What `save_article` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    New(i64),
    /// The same article (same canonical URL or same normalised body) was stored already.
    Duplicate(i64),
    /// The article was stored already and its text has changed since: the new text is kept
    /// as its next version, and the one before it too, superseded. The id is that of the
    /// article's current version: the new one, unless the new text was fetched before the
    /// current one (then it is kept as a superseded version).
    Changed(i64),
}

/// A version of an article that a newer one replaced, for `reprocess`, which extracts it again
/// from its own stored text.
#[derive(Debug, Clone)]
pub struct SupersededVersion {
    pub id: i64,
    pub body: String,
    /// ISO 639-1 code as stored.
    pub language: Option<String>,
}

/// A stored page, for `reprocess`.
#[derive(Debug, Clone)]
pub struct StoredPage {
    pub url: String,
    pub final_url: String,
    pub source: String,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
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
    /// Stored articles whose text changed: each got a new version.
    pub changed: u64,
    pub statistics: u64,
    pub entities: u64,
    pub errors: Vec<String>,
}

impl RunSummary {
    /// Counts what [`Store::save_article`] did with an article and its extraction: a new
    /// article, a new version of a stored one (its figures are new rows too), or a duplicate.
    pub fn count_saved(&mut self, saved: Saved, extraction: &crate::extract::Extraction) {
        match saved {
            Saved::New(_) => self.articles_new += 1,
            Saved::Changed(_) => self.changed += 1,
            Saved::Duplicate(_) => {
                self.duplicates += 1;
                return;
            }
        }
        self.statistics += extraction.statistics.len() as u64;
        self.entities += extraction.entities.len() as u64;
    }

    /// Adds another summary's counts and errors to this one.
    pub fn merge(&mut self, other: &RunSummary) {
        self.sources += other.sources;
        self.pages_fetched += other.pages_fetched;
        self.not_modified += other.not_modified;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.articles_new += other.articles_new;
        self.duplicates += other.duplicates;
        self.changed += other.changed;
        self.statistics += other.statistics;
        self.entities += other.entities;
        self.errors.extend(other.errors.iter().cloned());
    }
}

/// A run as recorded in `runs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRecord {
    pub id: i64,
    pub started_at: String,
    /// None while the run is going, or when it was cut short.
    pub finished_at: Option<String>,
    pub summary: RunSummary,
}

/// The article filters shared by exports, trends and search.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    /// Articles published (or, when undated, fetched) on or after this date.
    pub since: Option<chrono::NaiveDate>,
    /// ... on or before this date.
    pub until: Option<chrono::NaiveDate>,
    pub min_relevance: Option<f64>,
    /// Only articles from one of these sources; empty for every source.
    pub sources: Vec<String>,
    /// Only articles in this language (`en`, `es`).
    pub language: Option<String>,
    /// Current versions only (the default, so a corrected figure is never counted twice), or
    /// every version.
    pub versions: Versions,
}

/// Which versions of an article a read takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Versions {
    /// The current version of each article.
    #[default]
    Current,
    /// Every version, superseded ones included.
    All,
}

/// One row of `vigia export articles`.
#[derive(Debug, Clone)]
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
    /// 1 for the text first stored, then 2, 3, ... as the page changed.
    pub version: i64,
    /// When a newer version replaced this one; None for the current version.
    pub superseded_at: Option<String>,
    /// The id of the story's first article (see [`crate::claims`]); None until grouped.
    pub story_id: Option<i64>,
}

/// A figure with what a trend filters and groups it by: the columns of a statistics row a
/// trend reads, and the first part of every [`StatisticRow`].
#[derive(Debug, Clone)]
pub struct TrendFigure {
    pub article_url: String,
    pub published: Option<String>,
    pub source: String,
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub unit: String,
    pub qualifier: Option<String>,
    pub topic: Option<String>,
    pub metric: Option<String>,
    pub year: Option<i32>,
    pub location: Option<String>,
    /// `increase` or `decrease` for a change from an earlier value; None for a level.
    pub change: Option<String>,
    /// The claim the figure belongs to: the id of its first report (see [`crate::claims`]).
    pub claim_id: Option<i64>,
}

/// One row of `vigia export statistics`.
#[derive(Debug, Clone)]
pub struct StatisticRow {
    pub figure: TrendFigure,
    pub counted: Option<String>,
    pub attributed_to: Option<String>,
    pub sentence: String,
    pub start: i64,
    pub end: i64,
    /// `sentence` or `article`: where `location` was read.
    pub location_from: Option<String>,
    /// The version of the article the figure was read from, and when it was superseded.
    pub version: i64,
    pub superseded_at: Option<String>,
    pub story_id: Option<i64>,
}

/// One row of `vigia export entities`.
#[derive(Debug, Clone)]
pub struct EntityRow {
    pub article_url: String,
    pub published: Option<String>,
    pub source: String,
    /// `person`, `organization` or `location` (the export's `type` column).
    pub kind: String,
    pub name: String,
    pub role: Option<String>,
    pub country: Option<String>,
    pub start: i64,
    pub end: i64,
    /// The version of the article the entity was read from, and when it was superseded.
    pub version: i64,
    pub superseded_at: Option<String>,
    pub story_id: Option<i64>,
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
    /// Streaks, yield and flags (its fields sit beside the ones above in JSON).
    #[serde(flatten)]
    pub health: Health,
}

/// The result of a read-only query.
#[derive(Debug, Clone, Default)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<serde_json::Value>>,
}

/// The hash used for content dedup: of the body with whitespace and case folded (its words
/// joined by one space, then lowercased).
pub fn content_hash(body: &str) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(folded_words(body).as_bytes()))
}

/// The words of `text` lowercased and joined by one space, built in one pass: every stored
/// article is hashed while it is written. Words are lowercased one by one, which gives what
/// lowercasing the joined text gives (a space ends a word for the final-sigma rule too).
fn folded_words(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !folded.is_empty() {
            folded.push(' ');
        }
        if word.is_ascii() {
            let at = folded.len();
            folded.push_str(word);
            folded[at..].make_ascii_lowercase();
        } else {
            folded.push_str(&word.to_lowercase());
        }
    }
    folded
}

/// The database: one SQLite file.
pub struct Store {
    conn: Connection,
    batch: batch::Batch,
    /// Claims given to new figures as they are written ([`claims::ClaimEnds`]).
    claim_ends: std::cell::RefCell<claims::ClaimEnds>,
}

/// The page size of a database file vigia creates, in bytes.
const NEW_FILE_PAGE_SIZE: i64 = 8192;

/// Compiled statements a read-write connection keeps.
const STATEMENT_CACHE: usize = 64;

/// How long a statement waits for another process's lock before giving up (set on every
/// connection).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A time as stored: ISO 8601 UTC to the second, so text order is time order.
fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Reads a stored time; anything unreadable (edited by hand) counts as absent.
fn parse_time(text: Option<String>) -> Option<DateTime<Utc>> {
    let text = text?;
    DateTime::parse_from_rfc3339(&text).ok().map(|t| t.with_timezone(&Utc))
}

/// A count as SQLite stores it.
fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn open_error(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Open {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn language_name(language: Language) -> &'static str {
    match language {
        Language::En => "en",
        Language::Es => "es",
        Language::Auto => "auto",
    }
}

impl Store {
    /// Opens (creating if needed) and migrates the database: WAL, foreign keys on.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| open_error(path, e))?;
        }
        Store::open_migrated(path, SCHEMA_VERSION)
    }

    /// Opens read-write and applies the first `upto` migrations.
    fn open_migrated(path: &Path, upto: u32) -> Result<Store> {
        let conn = Connection::open(path).map_err(|e| open_error(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // A pass's lookups and writes are a few dozen statements, each run once or more per
        // page: kept compiled, their SQL is parsed once per connection, not once per page.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // Before anything changes the file: refuse a newer schema or another program's file
        // (the first read is also where a file that is not a database shows itself).
        migrate::check_writable(&conn, &path.display().to_string()).map_err(|e| match e {
            StoreError::Sqlite(e) => open_error(path, e),
            other => other,
        })?;
        // A new file gets 8 KiB pages (SQLite's default is 4 KiB): an article's body spans half
        // as many overflow pages and a pass writes fewer log frames. It only takes effect before
        // the first table is made; an existing file keeps its page size.
        conn.pragma_update(None, "page_size", NEW_FILE_PAGE_SIZE)?;
        let journal: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !journal.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), journal, "Database is not in WAL mode.");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrate::migrate(&conn, &path.display().to_string(), upto)?;
        if upto == SCHEMA_VERSION {
            batch::index_left_pending(&conn)?;
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(Store {
            conn,
            batch: batch::Batch::default(),
            claim_ends: Default::default(),
        })
    }

    /// Opens an existing database read-only (for `sql`, `export`, `status`, `trend`).
    ///
    /// A read-only open never writes: a database written by an older vigia is refused with
    /// [`StoreError::Outdated`] (upgrade it with [`Store::open`] under the run lock), as is a
    /// file that is not a vigia database or one written by a newer vigia.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.is_file() {
            return Err(open_error(path, "no such database file"));
        }
        let store = Store::connect_read_only(path)?;
        let version = migrate::user_version(&store.conn).map_err(|e| match e {
            StoreError::Sqlite(e) => open_error(path, e),
            other => other,
        })?;
        match version {
            SCHEMA_VERSION => Ok(store),
            0 => Err(open_error(path, "not a vigia database (no schema); `vigia run` creates one")),
            v if v > SCHEMA_VERSION => Err(migrate::too_new(&path.display().to_string(), version)),
            _ => Err(StoreError::Outdated {
                path: path.display().to_string(),
                found: version,
                needed: SCHEMA_VERSION,
            }),
        }
    }

    fn connect_read_only(path: &Path) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "query_only", "ON")?;
        Ok(Store {
            conn,
            batch: batch::Batch::default(),
            claim_ends: Default::default(),
        })
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32> {
        migrate::user_version(&self.conn)
    }

    /// Inserts or updates the configured sources (sources no longer configured are kept).
    pub fn sync_sources(&self, sources: &[SourceConfig]) -> Result<()> {
        let now = iso(Utc::now());
        let tx = self.write_tx()?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO sources (name, kind, url, schedule, language, link_pattern, keywords,
                                      min_relevance, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
                 ON CONFLICT (name) DO UPDATE SET
                     kind = excluded.kind, url = excluded.url, schedule = excluded.schedule,
                     language = excluded.language, link_pattern = excluded.link_pattern,
                     keywords = excluded.keywords, min_relevance = excluded.min_relevance,
                     updated_at = excluded.updated_at",
            )?;
            for s in sources {
                let keywords = serde_json::to_string(&s.keywords).unwrap_or_else(|_| "[]".into());
                stmt.execute(params![
                    s.name,
                    s.kind.as_str(),
                    s.url,
                    s.schedule_text,
                    language_name(s.language),
                    s.link_pattern.as_ref().map(|r| r.as_str()),
                    keywords,
                    s.min_relevance,
                    now,
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// When a source was last fetched (successfully or not).
    pub fn source_last_fetch(&self, name: &str) -> Result<Option<DateTime<Utc>>> {
        let at: Option<Option<String>> = self
            .conn
            .query_row("SELECT last_fetch_at FROM sources WHERE name = ?1", [name], |row| row.get(0))
            .optional()?;
        Ok(parse_time(at.flatten()))
    }

    /// Records that a source was fetched at `at`, with its error if any. (Its last success is
    /// kept by [`Store::record_outcome`], fetch by fetch.)
    pub fn record_source_fetch(&self, name: &str, at: DateTime<Utc>, error: Option<&str>) -> Result<()> {
        let at = iso(at);
        self.conn.execute(
            "INSERT INTO sources (name, last_fetch_at, last_error, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?2, ?2)
             ON CONFLICT (name) DO UPDATE SET
                 last_fetch_at = excluded.last_fetch_at,
                 last_error = excluded.last_error",
            params![name, at, error],
        )?;
        Ok(())
    }

    pub fn start_run(&self, at: DateTime<Utc>) -> Result<i64> {
        self.conn.execute("INSERT INTO runs (started_at) VALUES (?1)", [iso(at)])?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn finish_run(&self, id: i64, at: DateTime<Utc>, summary: &RunSummary) -> Result<()> {
        let errors = serde_json::to_string(&summary.errors).unwrap_or_else(|_| "[]".into());
        self.conn.execute(
            "UPDATE runs SET finished_at = ?2, sources = ?3, pages_fetched = ?4,
                 not_modified = ?5, failed = ?6, skipped = ?7, articles_new = ?8,
                 duplicates = ?9, statistics = ?10, entities = ?11, errors = ?12, changed = ?13
             WHERE id = ?1",
            params![
                id,
                iso(at),
                int(summary.sources),
                int(summary.pages_fetched),
                int(summary.not_modified),
                int(summary.failed),
                int(summary.skipped),
                int(summary.articles_new),
                int(summary.duplicates),
                int(summary.statistics),
                int(summary.entities),
                errors,
                int(summary.changed),
            ],
        )?;
        Ok(())
    }

    /// The most recent run, if any.
    pub fn last_run(&self) -> Result<Option<RunRecord>> {
        let count = |v: i64| u64::try_from(v).unwrap_or(0);
        let run = self
            .conn
            .query_row(
                "SELECT id, started_at, finished_at, sources, pages_fetched, not_modified, failed,
                        skipped, articles_new, duplicates, statistics, entities, errors, changed
                 FROM runs ORDER BY id DESC LIMIT 1",
                [],
                |row| {
                    let errors: String = row.get(12)?;
                    Ok(RunRecord {
                        id: row.get(0)?,
                        started_at: row.get(1)?,
                        finished_at: row.get(2)?,
                        summary: RunSummary {
                            sources: count(row.get(3)?),
                            pages_fetched: count(row.get(4)?),
                            not_modified: count(row.get(5)?),
                            failed: count(row.get(6)?),
                            skipped: count(row.get(7)?),
                            articles_new: count(row.get(8)?),
                            duplicates: count(row.get(9)?),
                            changed: count(row.get(13)?),
                            statistics: count(row.get(10)?),
                            entities: count(row.get(11)?),
                            errors: serde_json::from_str(&errors).unwrap_or_default(),
                        },
                    })
                },
            )
            .optional()?;
        Ok(run)
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod content_hash_tests {
    use super::*;

    /// The folding as first defined: join the words by one space, then lowercase the whole.
    fn joined_then_lowercased(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
    }

    #[test]
    fn folding_word_by_word_equals_folding_the_joined_text() {
        for text in [
            "",
            "   ",
            "  El MINISTRO\tdel Interior\n\ndijo  ",
            "CÁRCEL de Máxima Seguridad\u{a0}en ÑUÑOA",
            // Greek capital sigma lowercases by its place in the word.
            "ΟΔΟΣ ΣΟΦΟΣ Σ ΑΣ.",
            "İstanbul DİYARBAKIR 2.3 TONS",
        ] {
            assert_eq!(folded_words(text), joined_then_lowercased(text), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn folding_word_by_word_equals_folding_the_joined_text_on_any_text(text in "[a-zA-Z0-9 \t\nÁÑéΣσİ\u{a0}.,-]{0,80}") {
            proptest::prop_assert_eq!(folded_words(&text), joined_then_lowercased(&text));
        }
    }

    #[test]
    fn the_hash_ignores_case_and_spacing_but_not_words() {
        assert_eq!(content_hash("Police  SEIZED\ncocaine"), content_hash("police seized cocaine"));
        assert_ne!(content_hash("police seized cocaine"), content_hash("police seized heroin"));
    }
}
