//! Pages and articles: recording fetches, saving articles with dedup, and the lookups the
//! pipeline needs between fetches.

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, OptionalExtension, ParamsFromIter, params};

use super::claims::ClaimEnds;
use super::{NewArticle, PageRecord, Result, Saved, Store, StoreError, StoredPage, SupersededVersion, content_hash, iso, parse_time};
use crate::claims::ClaimKey;
use crate::extract::{EXTRACTOR_VERSION, Entity, Extraction, Statistic};
use crate::fetch::Validators;

/// Bodies shorter than this many words are not deduplicated by content: a paywall notice or
/// a "page not found" text is the same on many different articles.
const MIN_WORDS_FOR_CONTENT_DEDUP: usize = 20;

/// The content hash to store and deduplicate by, or None for a body too short to tell.
fn dedup_hash(body: &str) -> Option<String> {
    let long_enough = body.split_whitespace().nth(MIN_WORDS_FOR_CONTENT_DEDUP - 1).is_some();
    long_enough.then(|| content_hash(body))
}

/// zstd level for stored pages: the fastest, and HTML still shrinks five to ten times at it
/// (level 3 saves about 6% more space for half again the time).
const ZSTD_LEVEL: i32 = 1;

/// A page body compressed as the store keeps it. Made ahead of the write, it lets a pass
/// compress on the thread that analysed the page, so the writer's thread only stores it.
#[derive(Debug, Clone)]
pub struct PackedBody {
    /// Length of the raw body, kept as `pages.body_size`.
    raw_len: usize,
    zstd: Vec<u8>,
}

impl PackedBody {
    /// Compresses `raw`, with a compression context kept per thread (making one costs more
    /// than compressing a small page).
    pub fn new(raw: &[u8]) -> std::io::Result<PackedBody> {
        thread_local! {
            static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> = const { std::cell::RefCell::new(None) };
        }
        COMPRESSOR.with(|cell| {
            let mut cell = cell.borrow_mut();
            let compressor = match cell.as_mut() {
                Some(compressor) => compressor,
                None => cell.insert(zstd::bulk::Compressor::new(ZSTD_LEVEL)?),
            };
            let mut zstd = compressor.compress(raw)?;
            // The buffer was sized for an incompressible page; a page in flight keeps only its bytes.
            zstd.shrink_to_fit();
            Ok(PackedBody { raw_len: raw.len(), zstd })
        })
    }
}

/// The stored pages `reprocess` reads again: those with a body (a copy, or a record in an
/// archive) fetched on or after ?2, past id ?1 (they are read a few at a time, by id).
const STORED_PAGES: &str = "FROM pages WHERE id > ?1 AND (body IS NOT NULL OR archive IS NOT NULL) \
                            AND (?2 IS NULL OR coalesce(body_fetched_at, fetched_at) >= ?2)";

/// The columns [`stored_page_from_row`] reads, in its order.
const STORED_PAGE_COLUMNS: &str = "id, url, final_url, source, content_type, body, coalesce(body_fetched_at, fetched_at), \
                                   etag, last_modified, archive, archive_offset, body_size";

/// Room, beyond twice the page's own size, for the HTTP headers and chunk sizes around a page
/// read again from its archive (the cap on the record read, which the page passed once).
const ARCHIVED_RECORD_HEADROOM: u64 = 1 << 20;

/// The superseded versions `reprocess` extracts again: fetched on or after ?2, past id ?1.
const SUPERSEDED_VERSIONS: &str = "FROM articles WHERE id > ?1 AND superseded_at IS NOT NULL AND (?2 IS NULL OR fetched_at >= ?2)";

impl Store {
    /// The ETag / Last-Modified stored for a URL.
    pub fn validators(&self, url: &str) -> Result<Validators> {
        let found = self
            .conn
            .prepare_cached("SELECT etag, last_modified FROM pages WHERE url = ?1")?
            .query_row([url], |row| {
                Ok(Validators {
                    etag: row.get(0)?,
                    last_modified: row.get(1)?,
                })
            })
            .optional()?;
        Ok(found.unwrap_or_default())
    }

    /// When a URL that failed or was deferred may be fetched again (None: now).
    pub fn retry_after(&self, url: &str) -> Result<Option<DateTime<Utc>>> {
        let at: Option<Option<String>> = self
            .conn
            .prepare_cached("SELECT retry_after FROM pages WHERE url = ?1")?
            .query_row([url], |row| row.get(0))
            .optional()?;
        Ok(parse_time(at.flatten()).filter(|t| *t > Utc::now()))
    }

    /// Records a page (fetched, not modified, skipped or failed) without an article.
    pub fn record_page(&self, page: &PageRecord) -> Result<()> {
        let tx = self.write_tx()?;
        upsert_page(&tx, page)?;
        tx.commit()?;
        Ok(())
    }

    /// Stores a page, its article and its extraction in one transaction.
    ///
    /// An article stored already (same canonical URL or same content hash) is not stored
    /// again: only the page and the URL aliases are recorded. But when the page is the one the
    /// stored article was read from and its text has changed, the new text is stored as the
    /// article's next version, and the version it replaces keeps its text, figures and
    /// entities, marked superseded as of the new fetch. Other pages of the same article (an
    /// AMP or print page, a copy elsewhere) never make a version. Whether the text changed is
    /// decided on the extracted body (case and whitespace folded), so a new advert or time
    /// stamp in the markup is not a new version; nor is a body too short to tell (a paywall
    /// notice).
    pub fn save_article(&self, page: &PageRecord, article: &NewArticle, extraction: &Extraction) -> Result<Saved> {
        // Taken out for the write and put back once it is done: a write that fails leaves the
        // store none of the claims it gave.
        let mut claim_ends = self.claim_ends.take();
        let tx = self.write_tx()?;
        let canonical = canonical_of(page, article);
        let hash = dedup_hash(&article.body);
        let aliases = [page.url.as_str(), page.final_url.as_str(), article.url.as_str(), canonical];
        // Current versions only; a text that an article had before still names that article.
        let existing: Option<i64> = tx
            .prepare_cached(
                "SELECT id FROM (
                     SELECT article_id AS id, 0 AS rank FROM article_urls WHERE url = ?1
                     UNION ALL SELECT id, 1 FROM articles WHERE canonical_url = ?1 AND superseded_at IS NULL
                     UNION ALL SELECT id, 2 FROM articles WHERE content_hash = ?2 AND superseded_at IS NULL
                     UNION ALL SELECT c.id, 3 FROM articles o JOIN articles c
                         ON c.canonical_url = o.canonical_url AND c.superseded_at IS NULL
                         WHERE o.content_hash = ?2 AND o.superseded_at IS NOT NULL
                 ) ORDER BY rank LIMIT 1",
            )?
            .query_row(params![canonical, hash], |row| row.get(0))
            .optional()?;
        // The addresses of this fetch: asked for, after redirects, and as the article records it.
        let addresses = [
            page.url.as_str(),
            page.final_url.as_str(),
            non_empty(&article.url).unwrap_or(canonical),
        ];
        let (saved, older) = match existing {
            Some(id) if text_changed(&tx, id, &addresses, hash.as_deref())? => {
                match insert_next_version(&tx, id, article, hash.as_deref(), extraction)? {
                    NextVersion::Current(new_id) => (Saved::Changed(new_id), false),
                    NextVersion::Earlier => (Saved::Changed(id), true),
                    NextVersion::Known => (Saved::Duplicate(id), true),
                }
            }
            Some(id) => (Saved::Duplicate(id), false),
            None => (
                Saved::New(insert_article(
                    &tx,
                    canonical,
                    1,
                    article,
                    hash.as_deref(),
                    extraction,
                    None,
                    Some(&mut claim_ends),
                )?),
                false,
            ),
        };
        if older {
            // The stored page stays the one the current version was read from, which is what
            // `reprocess` rebuilds it from, with the validators of that body (a record kept in
            // its archive is checked against its record id, kept as the etag).
            upsert_page(
                &tx,
                &PageRecord {
                    body: None,
                    packed_body: None,
                    archived: None,
                    etag: None,
                    last_modified: None,
                    ..page.clone()
                },
            )?;
        } else {
            upsert_page(&tx, page)?;
        }
        let id = match saved {
            Saved::New(id) | Saved::Duplicate(id) | Saved::Changed(id) => id,
        };
        add_aliases(&tx, id, &aliases)?;
        tx.commit()?;
        self.claim_ends.replace(claim_ends);
        Ok(saved)
    }

    /// Replaces the article fields and extraction of the current version of a stored article
    /// (for `reprocess`).
    ///
    /// The canonical URL and content hash change only when no other article holds the new
    /// ones: two articles that now read alike stay two rows rather than failing the update.
    /// A new canonical URL moves the article's earlier versions with it.
    pub fn replace_extraction(&self, article_id: i64, article: &NewArticle, extraction: &Extraction) -> Result<()> {
        let tx = self.write_tx()?;
        let old_canonical: String = tx
            .prepare_cached("SELECT canonical_url FROM articles WHERE id = ?1 AND superseded_at IS NULL")?
            .query_row([article_id], |row| row.get(0))
            .optional()?
            .ok_or_else(|| StoreError::Query(format!("no current article with id {article_id}")))?;
        let canonical = non_empty(&article.canonical_url).or(non_empty(&article.url)).unwrap_or("");
        let canonical_taken: bool = tx
            .prepare_cached("SELECT ?1 = '' OR EXISTS (SELECT 1 FROM articles WHERE canonical_url = ?1 AND canonical_url <> ?2)")?
            .query_row(params![canonical, old_canonical], |row| row.get(0))?;
        let canonical = if canonical_taken { old_canonical.as_str() } else { canonical };
        let published = article.published.as_deref().and_then(non_empty);
        // Earlier versions first, so no two rows ever share a canonical URL and version.
        tx.prepare_cached("UPDATE articles SET canonical_url = ?2 WHERE canonical_url = ?1 AND superseded_at IS NOT NULL")?
            .execute(params![old_canonical, canonical])?;
        tx.prepare_cached(
            "UPDATE articles SET
                 canonical_url = ?2,
                 content_hash = CASE WHEN EXISTS (SELECT 1 FROM articles o
                     WHERE o.content_hash = ?3 AND o.id <> ?1 AND o.superseded_at IS NULL)
                     THEN content_hash ELSE ?3 END,
                 published = ?4, modified = ?5, author = ?6, language = ?7,
                 relevance = ?8, topics = ?9, extractor_version = ?10,
                 updated_at = ?11, simhash = ?12
             WHERE id = ?1",
        )?
        .execute(params![
            article_id,
            canonical,
            dedup_hash(&article.body),
            published,
            article.modified,
            authors(article),
            article.language,
            finite(extraction.relevance),
            topics_json(extraction),
            EXTRACTOR_VERSION,
            iso(Utc::now()),
            stored_simhash(article.simhash),
        ])?;
        // The text only where it changed: setting it, even to what it was, takes the article out
        // of the full-text index and queues it again (schema version 10), a segment of the
        // index per article, and a reprocess by the same extractor changes no text.
        tx.prepare_cached("UPDATE articles SET title = ?2, body = ?3 WHERE id = ?1 AND (title IS NOT ?2 OR body IS NOT ?3)")?
            .execute(params![article_id, article.title, article.body])?;
        replace_figures(&tx, article_id, extraction)?;
        // Only claim URLs no other article holds.
        let mut stmt = tx.prepare_cached("INSERT INTO article_urls (url, article_id) VALUES (?1, ?2) ON CONFLICT (url) DO NOTHING")?;
        for url in [canonical, article.url.as_str()] {
            if !url.is_empty() {
                stmt.execute(params![url, article_id])?;
            }
        }
        drop(stmt);
        tx.commit()?;
        Ok(())
    }

    /// Replaces the extraction of a superseded version (for `reprocess`, from the version's own
    /// stored text, which stays as it is).
    pub fn replace_version_extraction(&self, version_id: i64, extraction: &Extraction) -> Result<()> {
        let tx = self.write_tx()?;
        let changed = tx
            .prepare_cached(
                "UPDATE articles SET relevance = ?2, topics = ?3, extractor_version = ?4, updated_at = ?5
             WHERE id = ?1 AND superseded_at IS NOT NULL",
            )?
            .execute(params![
                version_id,
                finite(extraction.relevance),
                topics_json(extraction),
                EXTRACTOR_VERSION,
                iso(Utc::now())
            ])?;
        if changed == 0 {
            return Err(StoreError::Query(format!("no superseded version with id {version_id}")));
        }
        replace_figures(&tx, version_id, extraction)?;
        tx.commit()?;
        Ok(())
    }

    /// Calls `each` with every superseded version fetched on or after `since`, oldest first, a
    /// few at a time; no statement stays open while `each` runs, so it may write.
    pub fn each_superseded_version(
        &self,
        since: Option<DateTime<Utc>>,
        each: &mut dyn FnMut(SupersededVersion) -> Result<()>,
    ) -> Result<()> {
        const BATCH: i64 = 32;
        let since = since.map(iso);
        let mut after = 0_i64;
        loop {
            let batch = {
                let mut stmt = self
                    .conn
                    .prepare_cached(&format!("SELECT id, body, language {SUPERSEDED_VERSIONS} ORDER BY id LIMIT ?3"))?;
                let rows = stmt.query_map(params![after, since, BATCH], |row| {
                    Ok(SupersededVersion {
                        id: row.get(0)?,
                        body: row.get(1)?,
                        language: row.get(2)?,
                    })
                })?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            let Some(last) = batch.last() else { return Ok(()) };
            after = last.id;
            for version in batch {
                each(version)?;
            }
        }
    }

    /// The article stored for a page URL, if any.
    pub fn article_for_url(&self, url: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT article_id FROM article_urls WHERE url = ?1")?
            .query_row([url], |row| row.get(0))
            .optional()?)
    }

    /// The current version of the article made from the page fetched at `url` (its final
    /// URL), if any; copies that were found to be duplicates point to their article only
    /// through `article_for_url`.
    pub fn article_made_from(&self, url: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM articles WHERE url = ?1 AND superseded_at IS NULL")?
            .query_row([url], |row| row.get(0))
            .optional()?)
    }

    /// Stored pages with a body, fetched on or after `since`, for `reprocess`.
    ///
    /// Holds every body in memory; `each_stored_page` streams them instead.
    pub fn stored_pages(&self, since: Option<DateTime<Utc>>) -> Result<Vec<StoredPage>> {
        let mut pages = Vec::new();
        self.each_stored_page(since, &mut |page| {
            pages.push(page);
            Ok(())
        })?;
        Ok(pages)
    }

    /// Calls `each` with every stored page with a body fetched on or after `since`, in the
    /// order they were first recorded, a few at a time; gives how many pages could not be read.
    ///
    /// No statement stays open while `each` runs, so it may write to the store (as
    /// `reprocess` does). A body that no longer decompresses, or whose archive is gone or
    /// changed, is skipped (logged once per archive), so one damaged row does not stop the
    /// others.
    pub fn each_stored_page(&self, since: Option<DateTime<Utc>>, each: &mut dyn FnMut(StoredPage) -> Result<()>) -> Result<u64> {
        const BATCH: i64 = 32;
        let since = since.map(iso);
        let mut after = 0_i64;
        let mut unreadable = 0;
        let mut warned = HashSet::new();
        loop {
            let mut batch = Vec::new();
            let mut read = 0;
            {
                let mut stmt = self
                    .conn
                    .prepare_cached(&format!("SELECT {STORED_PAGE_COLUMNS} {STORED_PAGES} ORDER BY id LIMIT ?3"))?;
                let mut rows = stmt.query(params![after, since, BATCH])?;
                while let Some(row) = rows.next()? {
                    read += 1;
                    after = row.get(0)?;
                    match stored_page_from_row(row, &mut warned)? {
                        Some(page) => batch.push(page),
                        None => unreadable += 1,
                    }
                }
            }
            if read == 0 {
                return Ok(unreadable);
            }
            for page in batch {
                each(page)?;
            }
        }
    }

    /// How many pages [`Store::each_stored_page`] goes through for `since`.
    pub fn stored_pages_count(&self, since: Option<DateTime<Utc>>) -> Result<u64> {
        self.count_from(STORED_PAGES, since)
    }

    /// How many versions [`Store::each_superseded_version`] goes through for `since`.
    pub fn superseded_versions_count(&self, since: Option<DateTime<Utc>>) -> Result<u64> {
        self.count_from(SUPERSEDED_VERSIONS, since)
    }

    /// The rows of `from` (one of the selections above) from the first id on.
    fn count_from(&self, from: &str, since: Option<DateTime<Utc>>) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row(&format!("SELECT count(*) {from}"), params![0_i64, since.map(iso)], |row| row.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The page stored for `url` with its body, if a body is stored (a copy, or a record in
    /// an archive that can still be read): what a 304 Not Modified stands for.
    pub fn stored_page(&self, url: &str) -> Result<Option<StoredPage>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {STORED_PAGE_COLUMNS} FROM pages WHERE url = ?1 AND (body IS NOT NULL OR archive IS NOT NULL)"
        ))?;
        let mut rows = stmt.query([url])?;
        match rows.next()? {
            Some(row) => stored_page_from_row(row, &mut HashSet::new()),
            None => Ok(None),
        }
    }

    /// Whether `url` was ever asked for (fetched, failed or skipped).
    pub fn has_page(&self, url: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM pages WHERE url = ?1")?
            .query_row([url], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// How many attempts at `url` have failed in a row (0 when it never failed or was never tried).
    pub fn page_failures(&self, url: &str) -> Result<u32> {
        let n: Option<i64> = self
            .conn
            .prepare_cached("SELECT failures FROM pages WHERE url = ?1")?
            .query_row([url], |row| row.get(0))
            .optional()?;
        Ok(n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0))
    }

    /// How many articles are stored (each counted once, whatever its versions).
    pub fn articles_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM articles WHERE superseded_at IS NULL")?
            .query_row([], |row| row.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// A stored page from a row of [`STORED_PAGE_COLUMNS`]. A body that cannot be read (see
/// [`page_body`]) gives None, so one damaged row does not stop the others.
fn stored_page_from_row(row: &rusqlite::Row<'_>, warned: &mut HashSet<String>) -> Result<Option<StoredPage>> {
    let url: String = row.get(1)?;
    let etag: Option<String> = row.get(7)?;
    let Some(body) = page_body(row, &url, etag.as_deref(), warned)? else {
        return Ok(None);
    };
    let Some(fetched_at) = parse_time(row.get(6)?) else {
        tracing::warn!(url = %url, "Stored page has an unreadable fetch time; skipped.");
        return Ok(None);
    };
    Ok(Some(StoredPage {
        url,
        final_url: row.get(2)?,
        source: row.get(3)?,
        content_type: row.get(4)?,
        etag,
        last_modified: row.get(8)?,
        body,
        fetched_at,
    }))
}

/// The one way a stored row (of [`STORED_PAGE_COLUMNS`]) becomes a page body: its copy,
/// decompressed, else its record read again from its archive. None, logged, when it cannot be
/// read: a copy that no longer decompresses (each such row logged), or an archive that is gone,
/// unreadable or changed (logged once per archive in `warned`).
fn page_body(row: &rusqlite::Row<'_>, url: &str, etag: Option<&str>, warned: &mut HashSet<String>) -> Result<Option<Vec<u8>>> {
    if let Some(compressed) = row.get::<_, Option<Vec<u8>>>(5)? {
        return Ok(match zstd::decode_all(compressed.as_slice()) {
            Ok(body) => Some(body),
            Err(e) => {
                tracing::warn!(url = %url, error = %e, "Stored body does not decompress; skipped.");
                None
            }
        });
    }
    let archive: Option<String> = row.get(9)?;
    let offset: Option<i64> = row.get(10)?;
    let size: Option<i64> = row.get(11)?;
    let read = match (archive.as_deref(), offset.and_then(|o| u64::try_from(o).ok())) {
        (Some(archive), Some(offset)) => read_archived(archive, offset, size.and_then(|s| u64::try_from(s).ok()), url, etag),
        _ => Err("the page has no body and no usable archive location".to_string()),
    };
    match read {
        Ok(body) => Ok(Some(body)),
        Err(why) => {
            let archive = archive.unwrap_or_default();
            if warned.insert(archive.clone()) {
                tracing::warn!(archive = %archive, url = %url, error = %why, "Pages kept in this archive cannot be read from it; skipped.");
            } else {
                tracing::debug!(archive = %archive, url = %url, error = %why, "Archived page cannot be read; skipped.");
            }
            Ok(None)
        }
    }
}

/// The body of the page `url` read again from its record at `offset` of `archive`, checked to
/// be that page: the same target URI, the same record id when one is stored (`etag`), the
/// same size; else why not.
fn read_archived(archive: &str, offset: u64, size: Option<u64>, url: &str, etag: Option<&str>) -> std::result::Result<Vec<u8>, String> {
    use crate::discover::warc::{Item, read_at};

    let cap = size.unwrap_or(0).saturating_mul(2).saturating_add(ARCHIVED_RECORD_HEADROOM);
    let changed = |what: &str| format!("the archive has changed: {what} at byte {offset}");
    let page = match read_at(Path::new(archive), offset, cap) {
        Ok(Some(Item::Page(page))) => page,
        Ok(Some(Item::Skipped { .. })) | Ok(None) => return Err(changed("no HTML page record")),
        Err(e) => return Err(e.to_string()),
    };
    if page.uri != url {
        return Err(changed(&format!("a record of {} instead of {url}", page.uri)));
    }
    if etag.is_some() && page.record_id.as_deref() != etag {
        return Err(changed("another record of the page"));
    }
    if size.is_some_and(|size| page.body.len() as u64 != size) {
        return Err(changed("a page of another size"));
    }
    Ok(page.body)
}

fn non_empty(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

/// The URL an article is known by: its canonical URL, else where it was read from.
fn canonical_of<'a>(page: &'a PageRecord, article: &'a NewArticle) -> &'a str {
    non_empty(&article.canonical_url)
        .or(non_empty(&article.url))
        .or(non_empty(&page.final_url))
        .unwrap_or(page.url.as_str())
}

fn authors(article: &NewArticle) -> Option<String> {
    let names: Vec<&str> = article.authors.iter().map(|a| a.trim()).filter(|a| !a.is_empty()).collect();
    (!names.is_empty()).then(|| names.join("; "))
}

fn topics_json(extraction: &Extraction) -> String {
    serde_json::to_string(&extraction.topics).unwrap_or_else(|_| "[]".into())
}

/// The fingerprint as SQLite stores it: its signed integer, the same 64 bits.
pub(super) fn stored_simhash(hash: Option<u64>) -> Option<i64> {
    hash.map(|h| h as i64)
}

/// SQLite stores NaN as NULL, which a NOT NULL column refuses.
fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

fn finite_opt(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

fn upsert_page(conn: &Connection, page: &PageRecord) -> Result<()> {
    let packed_here;
    let body = match (&page.archived, &page.packed_body, &page.body) {
        (Some(_), _, _) => None,
        (None, Some(packed), _) => Some(packed),
        (None, None, Some(raw)) => {
            packed_here = PackedBody::new(raw).map_err(|e| StoreError::Compress {
                url: page.url.clone(),
                message: e.to_string(),
            })?;
            Some(&packed_here)
        }
        (None, None, None) => None,
    };
    let archived = page.archived.as_ref();
    let body_size = body.map(|b| b.raw_len).or(archived.map(|a| a.size)).map(|n| n as i64);
    let fetched_at = iso(page.fetched_at);
    let body_fetched_at = body_size.map(|_| fetched_at.clone());
    let body = body.map(|b| b.zstd.as_slice());
    let archive = archived.map(|a| a.archive.as_str());
    let archive_offset = archived.map(|a| i64::try_from(a.offset).unwrap_or(i64::MAX));
    let final_url = non_empty(&page.final_url).unwrap_or(page.url.as_str());
    conn.prepare_cached(
        "INSERT INTO pages (url, final_url, source, status, content_type, etag, last_modified,
                            body, body_size, body_fetched_at, fetched_at, error, retry_after,
                            attempts, failures, archive, archive_offset)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 1,
                 CASE WHEN ?12 IS NULL THEN 0 ELSE 1 END, ?15, ?16)
         ON CONFLICT (url) DO UPDATE SET
             final_url = CASE WHEN ?14 THEN excluded.final_url ELSE pages.final_url END,
             source = excluded.source,
             status = excluded.status,
             content_type = CASE WHEN excluded.body_size IS NOT NULL OR (pages.body IS NULL AND pages.archive IS NULL)
                                 THEN excluded.content_type ELSE pages.content_type END,
             etag = coalesce(excluded.etag, pages.etag),
             last_modified = coalesce(excluded.last_modified, pages.last_modified),
             -- A page has one body: a copy, or a record in an archive; a new one replaces either.
             body = CASE WHEN excluded.archive IS NOT NULL THEN NULL ELSE coalesce(excluded.body, pages.body) END,
             archive = CASE WHEN excluded.body IS NOT NULL THEN NULL ELSE coalesce(excluded.archive, pages.archive) END,
             archive_offset = CASE WHEN excluded.body IS NOT NULL THEN NULL
                                   ELSE coalesce(excluded.archive_offset, pages.archive_offset) END,
             body_size = coalesce(excluded.body_size, pages.body_size),
             body_fetched_at = coalesce(excluded.body_fetched_at, pages.body_fetched_at),
             fetched_at = excluded.fetched_at,
             error = excluded.error,
             retry_after = excluded.retry_after,
             attempts = pages.attempts + 1,
             failures = CASE WHEN excluded.error IS NULL THEN 0 ELSE pages.failures + 1 END",
    )?
    .execute(params![
        page.url,
        final_url,
        page.source,
        page.status,
        page.content_type,
        page.etag,
        page.last_modified,
        body,
        body_size,
        body_fetched_at,
        fetched_at,
        page.error,
        page.retry_after.map(iso),
        non_empty(&page.final_url).is_some(),
        archive,
        archive_offset,
    ])?;
    Ok(())
}

/// Whether a body newly fetched at `addresses` (with content hash `hash`) is a new version of
/// the stored article `id`: the page is the one the article was read from (one of the
/// addresses, so a page that now redirects elsewhere still counts), and its text differs. A
/// body too short to hash never counts as a change, nor does a text that another current
/// article holds (the page now copies that article).
fn text_changed(conn: &Connection, id: i64, addresses: &[&str], hash: Option<&str>) -> Result<bool> {
    let Some(hash) = hash else { return Ok(false) };
    let (url, stored_hash, held_elsewhere): (String, Option<String>, bool) = conn
        .prepare_cached(
            "SELECT url, content_hash, EXISTS (SELECT 1 FROM articles o
                WHERE o.content_hash = ?2 AND o.superseded_at IS NULL AND o.id <> ?1)
         FROM articles WHERE id = ?1",
        )?
        .query_row(params![id, hash], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    if !addresses.contains(&url.as_str()) || held_elsewhere || stored_hash.as_deref() == Some(hash) {
        return Ok(false);
    }
    // The stored body is hashed too: `content_hash` is NULL for short bodies and may be left
    // as it was by `reprocess`.
    let body: String = conn
        .prepare_cached("SELECT body FROM articles WHERE id = ?1")?
        .query_row([id], |row| row.get(0))?;
    Ok(content_hash(&body) != hash)
}

/// What [`insert_next_version`] did.
enum NextVersion {
    /// The new text is the current version, this row.
    Current(i64),
    /// The new text was fetched before the current one and is kept as a superseded version.
    Earlier,
    /// The new text was fetched before the current one, and a version holds it already.
    Known,
}

/// Stores `article` as the next version of the current article `id`.
///
/// The old row is marked superseded (as of the new fetch) and keeps everything it had; the
/// URLs that led to it now lead to the new version. A text fetched before the current one (an
/// older capture of a web archive, read late) is kept as a superseded version instead, unless
/// one of the article's versions has that text already: the newest text stays current.
fn insert_next_version(
    conn: &Connection,
    id: i64,
    article: &NewArticle,
    hash: Option<&str>,
    extraction: &Extraction,
) -> Result<NextVersion> {
    let (canonical, current_fetched_at, next): (String, String, i64) = conn
        .prepare_cached(
            "SELECT a.canonical_url, a.fetched_at,
                (SELECT max(v.version) FROM articles v WHERE v.canonical_url = a.canonical_url) + 1
         FROM articles a WHERE a.id = ?1",
        )?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    let fetched_at = iso(article.fetched_at);
    if fetched_at < current_fetched_at {
        let known: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM articles WHERE canonical_url = ?1 AND content_hash = ?2)")?
            .query_row(params![canonical, hash], |row| row.get(0))?;
        if known {
            return Ok(NextVersion::Known);
        }
        insert_article(conn, &canonical, next, article, hash, extraction, Some(&current_fetched_at), None)?;
        return Ok(NextVersion::Earlier);
    }
    conn.prepare_cached("UPDATE articles SET superseded_at = ?2 WHERE id = ?1")?
        .execute(params![id, fetched_at])?;
    let new_id = insert_article(conn, &canonical, next, article, hash, extraction, None, None)?;
    conn.prepare_cached("UPDATE article_urls SET article_id = ?2 WHERE article_id = ?1")?
        .execute(params![id, new_id])?;
    Ok(NextVersion::Current(new_id))
}

/// Inserts an article row as `version` of `canonical`, superseded at `superseded_at` (None:
/// current), with its extraction; returns its id.
#[allow(clippy::too_many_arguments)]
fn insert_article(
    conn: &Connection,
    canonical: &str,
    version: i64,
    article: &NewArticle,
    hash: Option<&str>,
    extraction: &Extraction,
    superseded_at: Option<&str>,
    claim_ends: Option<&mut ClaimEnds>,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO articles (canonical_url, url, source, title, published, modified,
             author, language, body, content_hash, relevance, topics,
             extractor_version, fetched_at, created_at, version, superseded_at, simhash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?
    .execute(params![
        canonical,
        non_empty(&article.url).unwrap_or(canonical),
        article.source,
        article.title,
        article.published.as_deref().and_then(non_empty),
        article.modified,
        authors(article),
        article.language,
        article.body,
        hash,
        finite(extraction.relevance),
        topics_json(extraction),
        EXTRACTOR_VERSION,
        iso(article.fetched_at),
        iso(Utc::now()),
        version,
        superseded_at,
        stored_simhash(article.simhash),
    ])?;
    let id = conn.last_insert_rowid();
    insert_extraction(conn, id, extraction, claim_ends)?;
    Ok(id)
}

/// A figure's columns from `value` to `location_from`: what [`figure_row`] gives, in its order.
macro_rules! figure_columns {
    () => {
        "value, low, high, unit, qualifier, counted, topic, metric, year, location, attributed_to, sentence, \"start\", \"end\", change, location_from"
    };
}

/// An entity's columns from `type` to `end`: what [`entity_row`] gives, in its order.
macro_rules! entity_columns {
    () => {
        "type, name, role, country, \"start\", \"end\""
    };
}

/// A text column's value, NULL for none.
fn text(t: Option<&str>) -> ValueRef<'_> {
    t.map_or(ValueRef::Null, |t| ValueRef::Text(t.as_bytes()))
}

/// A figure as its row holds it, in [`figure_columns`] order: what is written, and what a
/// reprocess compares with what is stored. Borrowed from the figure: nothing is copied.
fn figure_row(s: &Statistic) -> [ValueRef<'_>; 16] {
    let real = |x: Option<f64>| finite_opt(x).map_or(ValueRef::Null, ValueRef::Real);
    [
        real(s.value),
        real(s.low),
        real(s.high),
        text(Some(s.unit.as_str())),
        text(s.qualifier.map(|q| q.as_str())),
        text(s.counted.as_deref()),
        text(s.topic.map(|t| t.as_str())),
        text(s.metric.as_deref()),
        s.year.map_or(ValueRef::Null, |y| ValueRef::Integer(y.into())),
        text(s.location.as_deref()),
        text(s.source.as_deref()),
        text(Some(&s.sentence)),
        ValueRef::Integer(s.start as i64),
        ValueRef::Integer(s.end as i64),
        text(s.change.map(|c| c.as_str())),
        text(s.location_from.map(|l| l.as_str())),
    ]
}

/// An entity as its row holds it, in [`entity_columns`] order.
fn entity_row(e: &Entity) -> [ValueRef<'_>; 6] {
    [
        text(Some(e.kind.as_str())),
        text(Some(&e.name)),
        text(e.role.as_deref()),
        text(e.country.as_deref()),
        ValueRef::Integer(e.start as i64),
        ValueRef::Integer(e.end as i64),
    ]
}

/// Whether the rows `select` reads for article `id` (bound as ?1) are `rows`, in order, after
/// each row's id (its first column).
fn stored_as<'a, const N: usize>(
    conn: &Connection,
    select: &str,
    id: i64,
    mut rows: impl Iterator<Item = [ValueRef<'a>; N]>,
) -> Result<bool> {
    let mut stmt = conn.prepare_cached(select)?;
    let mut stored = stmt.query([id])?;
    while let Some(row) = stored.next()? {
        let Some(given) = rows.next() else { return Ok(false) };
        for (n, value) in given.iter().enumerate() {
            if row.get_ref(n + 1)? != *value {
                return Ok(false);
            }
        }
    }
    Ok(rows.next().is_none())
}

/// `first` (an article's or a row's id), then `values`, as the parameters ?1, ?2, ... of a
/// statement; borrowed, nothing copied.
fn bound<'a>(first: i64, values: impl IntoIterator<Item = ValueRef<'a>>) -> ParamsFromIter<impl Iterator<Item = ToSqlOutput<'a>>> {
    rusqlite::params_from_iter(std::iter::once(ValueRef::Integer(first)).chain(values).map(ToSqlOutput::Borrowed))
}

/// Replaces the statistics and entities of one article row. A figure (or entity) found again
/// at the same place in the text keeps its row and id, its columns rewritten where they
/// changed; one found no more is deleted and a new one inserted. A reprocess by the same
/// extractor rewrites nothing, and a figure re-read differently (a new attribution, a unit
/// resolved another way) is still the figure its id names.
fn replace_figures(conn: &Connection, id: i64, extraction: &Extraction) -> Result<()> {
    replace_rows(conn, id, &FIGURE_ROWS, &extraction.statistics, figure_row, |conn, new| {
        insert_figures(conn, id, new, None)
    })?;
    replace_rows(conn, id, &ENTITY_ROWS, &extraction.entities, entity_row, |conn, new| {
        insert_entities(conn, id, new)
    })
}

/// The statements that re-read and rewrite one table's rows of an article in place.
struct RowStatements {
    /// The id and columns of an article's rows (bound as ?1), in id order.
    select: &'static str,
    /// Sets the columns of row ?1 to ?2...; a figure's claim is decided again.
    update: &'static str,
    delete: &'static str,
    /// Where `start` and `end` are among the columns.
    place: (usize, usize),
}

const FIGURE_ROWS: RowStatements = RowStatements {
    select: concat!(
        "SELECT id, ",
        figure_columns!(),
        " FROM statistics WHERE article_id = ?1 ORDER BY id"
    ),
    update: concat!(
        "UPDATE statistics SET (",
        figure_columns!(),
        ") = (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17), claim_id = NULL WHERE id = ?1"
    ),
    delete: "DELETE FROM statistics WHERE id = ?1",
    place: (12, 13),
};

const ENTITY_ROWS: RowStatements = RowStatements {
    select: concat!("SELECT id, ", entity_columns!(), " FROM entities WHERE article_id = ?1 ORDER BY id"),
    update: concat!(
        "UPDATE entities SET (",
        entity_columns!(),
        ") = (?2, ?3, ?4, ?5, ?6, ?7) WHERE id = ?1"
    ),
    delete: "DELETE FROM entities WHERE id = ?1",
    place: (4, 5),
};

/// [`replace_figures`] for one table: `items` as `row` gives them against the article's stored
/// rows; `insert` stores those found at no stored place.
fn replace_rows<'a, T, const N: usize>(
    conn: &Connection,
    id: i64,
    table: &RowStatements,
    items: &'a [T],
    row: fn(&'a T) -> [ValueRef<'a>; N],
    insert: impl FnOnce(&Connection, Vec<&'a T>) -> Result<()>,
) -> Result<()> {
    // The usual case, every row as stored, is read without copying anything.
    if stored_as(conn, table.select, id, items.iter().map(row))? {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(table.select)?;
    let stored = stmt
        .query_map([id], |r| {
            let values = (1..=N).map(|n| r.get::<_, Value>(n)).collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((r.get::<_, i64>(0)?, values))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    drop(stmt);
    // Whether a stored row lies at the same place in the text as a new one (`start` and `end`).
    let (start, end) = table.place;
    let same_place =
        |old: &[Value], new: &[ValueRef<'_>]| ValueRef::from(&old[start]) == new[start] && ValueRef::from(&old[end]) == new[end];
    let mut taken = vec![false; stored.len()];
    let mut new = Vec::new();
    let mut update = conn.prepare_cached(table.update)?;
    for item in items {
        let values = row(item);
        // The first stored row at the same place not yet taken (two at one place pair in order).
        let Some(n) = (0..stored.len()).find(|&n| !taken[n] && same_place(&stored[n].1, &values)) else {
            new.push(item);
            continue;
        };
        taken[n] = true;
        let (row_id, old) = &stored[n];
        if old.iter().map(ValueRef::from).ne(values.iter().copied()) {
            update.execute(bound(*row_id, values))?;
        }
    }
    drop(update);
    let mut delete = conn.prepare_cached(table.delete)?;
    for ((row_id, _), taken) in stored.iter().zip(taken) {
        if !taken {
            delete.execute([row_id])?;
        }
    }
    drop(delete);
    insert(conn, new)
}

fn add_aliases(conn: &Connection, article_id: i64, urls: &[&str]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO article_urls (url, article_id) VALUES (?1, ?2)
         ON CONFLICT (url) DO UPDATE SET article_id = excluded.article_id",
    )?;
    for url in urls {
        if let Some(url) = non_empty(url) {
            stmt.execute(params![url, article_id])?;
        }
    }
    Ok(())
}

/// Stores an article's statistics and entities. With `claim_ends` (a new current article),
/// each figure gets its claim as it is stored where that is settled ([`ClaimEnds`]); the
/// claim of a figure that starts one is its own id, so ids are given here, as SQLite would
/// (one past the largest).
fn insert_extraction(conn: &Connection, article_id: i64, extraction: &Extraction, claim_ends: Option<&mut ClaimEnds>) -> Result<()> {
    insert_figures(conn, article_id, &extraction.statistics, claim_ends)?;
    insert_entities(conn, article_id, &extraction.entities)
}

/// [`insert_extraction`]'s figures.
fn insert_figures<'a>(
    conn: &Connection,
    article_id: i64,
    statistics: impl IntoIterator<Item = &'a Statistic>,
    claim_ends: Option<&mut ClaimEnds>,
) -> Result<()> {
    let mut statistics = statistics.into_iter().peekable();
    let mut claims = match claim_ends {
        Some(ends) if statistics.peek().is_some() => {
            let day: Option<String> = conn
                .prepare_cached("SELECT day FROM articles INDEXED BY articles_current_story WHERE id = ?1 AND superseded_at IS NULL")?
                .query_row([article_id], |row| row.get(0))?;
            let last: i64 = conn
                .prepare_cached("SELECT coalesce(max(id), 0) FROM statistics")?
                .query_row([], |row| row.get(0))?;
            Some((ends, day, last))
        }
        _ => None,
    };
    let mut stmt = conn.prepare_cached(concat!(
        "INSERT INTO statistics (article_id, ",
        figure_columns!(),
        ", id, claim_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
    ))?;
    for s in statistics {
        // (An id past i64::MAX is left to SQLite, and its figure to the regrouping.)
        let (id, claim) = match &mut claims {
            Some((ends, day, last)) => match last.checked_add(1) {
                Some(id) => {
                    *last = id;
                    let key = ClaimKey {
                        unit: s.unit.as_str().to_string(),
                        value: finite_opt(s.value),
                        low: finite_opt(s.low),
                        high: finite_opt(s.high),
                        topic: s.topic.map(|t| t.as_str().to_string()),
                        location: s.location.clone(),
                        year: s.year,
                        change: s.change.map(|c| c.as_str().to_string()),
                    };
                    (Some(id), ends.assign(conn, &key, day.as_deref(), id)?)
                }
                None => (None, None),
            },
            None => (None, None),
        };
        let ends = [id, claim].map(|n| n.map_or(ValueRef::Null, ValueRef::Integer));
        stmt.execute(bound(article_id, figure_row(s).into_iter().chain(ends)))?;
    }
    Ok(())
}

/// [`insert_extraction`]'s entities.
fn insert_entities<'a>(conn: &Connection, article_id: i64, entities: impl IntoIterator<Item = &'a Entity>) -> Result<()> {
    let mut stmt = conn.prepare_cached(concat!(
        "INSERT INTO entities (article_id, ",
        entity_columns!(),
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    ))?;
    for e in entities {
        stmt.execute(bound(article_id, entity_row(e)))?;
    }
    Ok(())
}
