//! Reads: export rows streamed in a stable order, per-source status, full-text search, and
//! read-only SQL.

use std::collections::HashMap;

use rusqlite::types::{FromSql, ToSql, ValueRef};
use rusqlite::{OptionalExtension, Row, Statement, params};

use super::{
    ArticleRow, EntityRow, ExportFilter, QueryResult, Result, SourceStatus, StatisticRow, Store, StoreError, TrendFigure, Versions,
};

/// The filter shared by every export, trend and search, on `a`: the `articles` table or one of
/// the views, which carry its columns under the same names. Its parameters are ?1 to ?5, bound
/// by [`filter_params`].
fn filter_sql(filter: &ExportFilter) -> String {
    let versions = match filter.versions {
        Versions::Current => "a.superseded_at IS NULL",
        Versions::All => "1",
    };
    format!(
        "(?1 IS NULL OR a.day >= ?1)
         AND (?2 IS NULL OR a.day <= ?2)
         AND (?3 IS NULL OR a.relevance >= ?3)
         AND (?4 IS NULL OR a.language = ?4)
         AND (?5 IS NULL OR a.source IN (SELECT value FROM json_each(?5)))
         AND {versions}"
    )
}

/// The values of ?1 since, ?2 until, ?3 least relevance, ?4 language, ?5 sources (a JSON list).
type FilterParams = (Option<String>, Option<String>, Option<f64>, Option<String>, Option<String>);

fn filter_params(filter: &ExportFilter) -> FilterParams {
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    let sources = (!filter.sources.is_empty()).then(|| serde_json::Value::from(filter.sources.clone()).to_string());
    (
        day(filter.since),
        day(filter.until),
        filter.min_relevance,
        filter.language.clone(),
        sources,
    )
}

/// Figures a statistics stream keeps by their own columns; unset fields keep every figure.
///
/// Tested in SQL, where an index finds them, so a series of one topic and country reads its
/// own rows and not the whole table.
#[derive(Debug, Clone, Default)]
pub struct StatisticColumns {
    pub topic: Option<String>,
    pub unit: Option<String>,
    /// A country code, compared ignoring ASCII case.
    pub location: Option<String>,
}

impl StatisticColumns {
    /// The test of each column on `a` (a statistics view), parameters ?6 topic, ?7 unit and
    /// ?8 location. An unset column tests its parameter only (bound to NULL, always true), so
    /// the statement has the same parameters either way while a set one stays a plain
    /// equality an index serves (`?6 IS NULL OR a.topic = ?6` would not be).
    fn sql(&self) -> String {
        let test = |set: bool, test: &str, param: &str| if set { test.to_string() } else { format!("{param} IS NULL") };
        format!(
            "{} AND {} AND {}",
            test(self.topic.is_some(), "a.topic = ?6", "?6"),
            test(self.unit.is_some(), "a.unit = ?7", "?7"),
            // NOCASE folds ASCII letters only, as `eq_ignore_ascii_case` does.
            test(self.location.is_some(), "a.location = ?8 COLLATE NOCASE", "?8"),
        )
    }
}

/// The columns of a figure that a trend reads, from a row of `statistics_v` (or a selection
/// of it naming them).
fn read_figure(row: &Row<'_>, c: &Columns) -> rusqlite::Result<TrendFigure> {
    Ok(TrendFigure {
        article_url: c.get(row, "article_url")?,
        published: c.get(row, "published")?,
        source: c.get(row, "source")?,
        value: c.get(row, "value")?,
        low: c.get(row, "low")?,
        high: c.get(row, "high")?,
        unit: c.get(row, "unit")?,
        qualifier: c.get(row, "qualifier")?,
        topic: c.get(row, "topic")?,
        metric: c.get(row, "metric")?,
        year: c.get(row, "year")?,
        location: c.get(row, "location")?,
        change: c.get(row, "change")?,
        claim_id: c.get(row, "claim_id")?,
    })
}

/// A statement's columns by name, looked up once: rusqlite's lookup by name asks SQLite for
/// the name of every column on every call, which over the 30 columns of a view cost more than
/// the rest of an export.
struct Columns(HashMap<String, usize>);

impl Columns {
    fn of(stmt: &Statement<'_>) -> Columns {
        let mut at = HashMap::new();
        for (i, name) in stmt.column_names().into_iter().enumerate() {
            // The first column of a name, as rusqlite finds it.
            at.entry(name.to_string()).or_insert(i);
        }
        Columns(at)
    }

    fn get<T: FromSql>(&self, row: &Row<'_>, name: &str) -> rusqlite::Result<T> {
        let i = *self
            .0
            .get(name)
            .ok_or_else(|| rusqlite::Error::InvalidColumnName(name.to_string()))?;
        row.get(i)
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Store {
    /// Streams the articles that pass `filter`, by id.
    pub fn articles(&self, filter: &ExportFilter, each: &mut dyn FnMut(ArticleRow) -> Result<()>) -> Result<()> {
        let sql = format!("SELECT * FROM articles_v a WHERE {} ORDER BY a.article_id", filter_sql(filter));
        self.stream(&sql, filter, each, |row, c| {
            Ok(ArticleRow {
                url: c.get(row, "url")?,
                title: c.get(row, "title")?,
                published: c.get(row, "published")?,
                language: c.get(row, "language")?,
                source: c.get(row, "source")?,
                fetched_at: c.get(row, "fetched_at")?,
                body: c.get(row, "body")?,
                relevance: c.get(row, "relevance")?,
                topics: c.get(row, "topics")?,
                version: c.get(row, "version")?,
                superseded_at: c.get(row, "superseded_at")?,
                story_id: c.get(row, "story_id")?,
            })
        })
    }

    /// Streams the statistics of the articles that pass `filter`, by article then offset.
    pub fn statistics(&self, filter: &ExportFilter, each: &mut dyn FnMut(StatisticRow) -> Result<()>) -> Result<()> {
        let sql = format!(
            "SELECT * FROM statistics_v a WHERE {} ORDER BY a.article_id, a.\"start\", a.statistic_id",
            filter_sql(filter)
        );
        self.stream(&sql, filter, each, |row, c| {
            Ok(StatisticRow {
                figure: read_figure(row, c)?,
                counted: c.get(row, "counted")?,
                attributed_to: c.get(row, "attributed_to")?,
                sentence: c.get(row, "sentence")?,
                start: c.get(row, "start")?,
                end: c.get(row, "end")?,
                location_from: c.get(row, "location_from")?,
                version: c.get(row, "version")?,
                superseded_at: c.get(row, "superseded_at")?,
                story_id: c.get(row, "story_id")?,
            })
        })
    }

    /// Streams what a trend reads of the statistics of the articles that pass `filter` whose
    /// columns match `columns`, in no particular order: a trend groups its figures, so it needs
    /// neither the sentences nor a sort of every row, which at a million figures cost more than
    /// finding them.
    pub fn trend_figures(
        &self,
        filter: &ExportFilter,
        columns: &StatisticColumns,
        each: &mut dyn FnMut(TrendFigure) -> Result<()>,
    ) -> Result<()> {
        let sql = format!(
            "SELECT a.article_url, a.published, a.source, a.value, a.low, a.high, a.unit, a.qualifier, a.topic,
                    a.metric, a.year, a.location, a.change, a.claim_id
             FROM statistics_v a WHERE {} AND {}",
            filter_sql(filter),
            columns.sql()
        );
        let (since, until, relevance, language, sources) = filter_params(filter);
        let values: [&dyn ToSql; 8] = [
            &since,
            &until,
            &relevance,
            &language,
            &sources,
            &columns.topic,
            &columns.unit,
            &columns.location,
        ];
        self.stream_with(&sql, &values, each, read_figure)
    }

    /// Streams the entities of the articles that pass `filter`, by article then offset.
    pub fn entities(&self, filter: &ExportFilter, each: &mut dyn FnMut(EntityRow) -> Result<()>) -> Result<()> {
        let sql = format!(
            "SELECT * FROM entities_v a WHERE {} ORDER BY a.article_id, a.\"start\", a.entity_id",
            filter_sql(filter)
        );
        self.stream(&sql, filter, each, |row, c| {
            Ok(EntityRow {
                article_url: c.get(row, "article_url")?,
                published: c.get(row, "published")?,
                source: c.get(row, "source")?,
                kind: c.get(row, "type")?,
                name: c.get(row, "name")?,
                role: c.get(row, "role")?,
                country: c.get(row, "country")?,
                start: c.get(row, "start")?,
                end: c.get(row, "end")?,
                version: c.get(row, "version")?,
                superseded_at: c.get(row, "superseded_at")?,
                story_id: c.get(row, "story_id")?,
            })
        })
    }

    fn stream<T>(
        &self,
        sql: &str,
        filter: &ExportFilter,
        each: &mut dyn FnMut(T) -> Result<()>,
        read: impl Fn(&Row<'_>, &Columns) -> rusqlite::Result<T>,
    ) -> Result<()> {
        let (since, until, relevance, language, sources) = filter_params(filter);
        self.stream_with(sql, params![since, until, relevance, language, sources], each, read)
    }

    fn stream_with<T>(
        &self,
        sql: &str,
        values: &[&dyn ToSql],
        each: &mut dyn FnMut(T) -> Result<()>,
        read: impl Fn(&Row<'_>, &Columns) -> rusqlite::Result<T>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(sql)?;
        let columns = Columns::of(&stmt);
        let mut rows = stmt.query(values)?;
        while let Some(row) = rows.next()? {
            each(read(row, &columns)?)?;
        }
        Ok(())
    }

    /// One row per known source, by name, with its health now.
    pub fn status(&self) -> Result<Vec<SourceStatus>> {
        self.status_at(chrono::Utc::now())
    }

    /// One row per known source, by name, with its health at `now`; its articles and
    /// statistics are counted over current versions.
    pub fn status_at(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<SourceStatus>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.name, s.kind, s.url, s.last_fetch_at, s.last_error,
                    (SELECT count(*) FROM articles a WHERE a.source = s.name AND a.superseded_at IS NULL),
                    (SELECT count(*) FROM statistics st JOIN articles a ON a.id = st.article_id
                     WHERE a.source = s.name AND a.superseded_at IS NULL),
                    (SELECT count(*) FROM pages p WHERE p.source = s.name AND p.error IS NOT NULL)
             FROM sources s ORDER BY s.name",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(SourceStatus {
                name: row.get(0)?,
                kind: row.get(1)?,
                url: row.get(2)?,
                last_fetch_at: row.get(3)?,
                last_error: row.get(4)?,
                articles: count(row.get(5)?),
                statistics: count(row.get(6)?),
                failed_pages: count(row.get(7)?),
                health: Default::default(),
            })
        })?;
        let mut sources = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        for source in &mut sources {
            source.health = self.health(&source.name, now)?;
        }
        Ok(sources)
    }

    /// Runs one read-only statement (writes are refused) and collects its rows.
    pub fn query(&self, sql: &str) -> Result<QueryResult> {
        self.query_each(
            sql,
            |columns| {
                Ok(QueryResult {
                    columns: columns.to_vec(),
                    rows: Vec::new(),
                })
            },
            |result, row| {
                result.rows.push(row);
                Ok(())
            },
        )
    }

    /// Runs one read-only statement (writes are refused), handing each row to `each` as it is
    /// read, so a result of any size is never held in memory.
    ///
    /// `start` gets the column names before the first row and returns the state `each` writes
    /// into; that state is returned at the end.
    ///
    /// Three locks keep the statement from writing: SQLite must report it read-only, it must
    /// return columns (which rules out BEGIN, ATTACH and pragma assignments), and it runs with
    /// `query_only` on, so even a statement that slips through cannot change the file.
    pub fn query_each<S, E: From<StoreError>>(
        &self,
        sql: &str,
        start: impl FnOnce(&[String]) -> std::result::Result<S, E>,
        each: impl FnMut(&mut S, Vec<serde_json::Value>) -> std::result::Result<(), E>,
    ) -> std::result::Result<S, E> {
        if sql.trim().trim_end_matches(';').trim().is_empty() {
            return Err(StoreError::Query("the query is empty".into()).into());
        }
        let stmt = self.conn.prepare(sql).map_err(|e| match e {
            rusqlite::Error::MultipleStatement => StoreError::Query("give one statement at a time".into()),
            e => StoreError::Query(e.to_string()),
        })?;
        if !stmt.readonly() || stmt.column_count() == 0 {
            return Err(StoreError::Query(
                "the database is read-only here: only a single SELECT (or a read-only PRAGMA) \
                 is allowed"
                    .into(),
            )
            .into());
        }
        drop(stmt);
        let was_query_only: bool = self
            .conn
            .pragma_query_value(None, "query_only", |row| row.get(0))
            .map_err(StoreError::from)?;
        if !was_query_only {
            self.conn.pragma_update(None, "query_only", "ON").map_err(StoreError::from)?;
        }
        let result = self.stream_query(sql, start, each);
        if !was_query_only {
            self.conn.pragma_update(None, "query_only", "OFF").map_err(StoreError::from)?;
        }
        result
    }

    fn stream_query<S, E: From<StoreError>>(
        &self,
        sql: &str,
        start: impl FnOnce(&[String]) -> std::result::Result<S, E>,
        mut each: impl FnMut(&mut S, Vec<serde_json::Value>) -> std::result::Result<(), E>,
    ) -> std::result::Result<S, E> {
        // SQLite's own words say what is wrong with a query; a busy database stays Busy.
        let query_error = |e: rusqlite::Error| match StoreError::from(e) {
            StoreError::Sqlite(e) => StoreError::Query(e.to_string()),
            other => other,
        };
        let mut stmt = self.conn.prepare(sql).map_err(StoreError::from)?;
        let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let n = columns.len();
        let mut state = start(&columns)?;
        let mut rows = stmt.query([]).map_err(query_error)?;
        while let Some(row) = rows.next().map_err(query_error)? {
            let mut values = Vec::with_capacity(n);
            for i in 0..n {
                values.push(json_value(row.get_ref(i).map_err(StoreError::from)?));
            }
            each(&mut state, values)?;
        }
        Ok(state)
    }
}

fn json_value(value: ValueRef<'_>) -> serde_json::Value {
    use serde_json::Value;
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::String(format!("<{} bytes>", b.len())),
    }
}

/// A full-text search over article titles and bodies, with the article filters.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// An FTS5 `MATCH` expression over `articles_fts`.
    pub fts: String,
    pub filter: ExportFilter,
    /// The most hits returned, best first.
    pub limit: u32,
}

/// The best hits of a search, and how many articles matched in all.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<SearchHit>,
}

/// One article that matched a search.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub url: String,
    /// The title with the words that matched marked; empty when the article has none.
    pub title: Vec<Highlighted>,
    pub source: String,
    pub published: Option<String>,
    pub language: Option<String>,
    /// How well the article matches (bm25, title words weighing more); higher is better.
    pub score: f64,
    /// A passage of the body around the best match, the words that matched marked. It is the
    /// body's own text, whitespace included.
    pub snippet: Vec<Highlighted>,
    /// Whether the body goes on before and after the snippet.
    pub more_before: bool,
    pub more_after: bool,
    /// Every statistic of the article, in body order.
    pub figures: Vec<HitFigure>,
}

/// A stretch of text, and whether it is a match of the search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlighted {
    pub text: String,
    pub matched: bool,
}

/// A statistic of a hit, as `vigia search` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct HitFigure {
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub unit: String,
    pub qualifier: Option<String>,
    pub topic: Option<String>,
    pub year: Option<i32>,
    pub location: Option<String>,
    pub change: Option<String>,
    /// Offsets in the body (code points, end exclusive) and the text there.
    pub start: i64,
    pub end: i64,
    pub text: String,
    /// Whether the figure lies (at least partly) inside the hit's snippet.
    pub in_snippet: bool,
}

/// How much more a word in the title counts than one in the body when ranking.
const TITLE_WEIGHT: f64 = 5.0;

/// The length of a snippet, in words (FTS5 allows at most 64).
const SNIPPET_WORDS: u32 = 28;

/// Marks SQLite puts around matches, taken apart again by [`highlighted`]. Private-use
/// characters, so that text holding them is recognised (and then shown unmarked).
const MATCH_OPEN: char = '\u{e000}';
const MATCH_CLOSE: char = '\u{e001}';

impl Store {
    /// The best `query.limit` articles matching `query.fts` and its filters, best first, each
    /// with a snippet and its statistics.
    ///
    /// A `fts` that FTS5 cannot read gives [`StoreError::Query`] with FTS5's own words.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        // Every match is ranked and counted, so the work per match is kept to the full-text
        // index and `articles_current_id` (the filter's `superseded_at` is there, while in the
        // table it lies past the body); the publication day that breaks ties is read only for
        // the matches that can be shown. Snippets and figures come after, for the hits kept.
        let sql = format!(
            "SELECT articles_fts.rowid, bm25(articles_fts, {TITLE_WEIGHT:.1}, 1.0)
             FROM articles_fts JOIN articles a INDEXED BY articles_current_id ON a.id = articles_fts.rowid
             WHERE articles_fts MATCH ?6 AND {}",
            filter_sql(&query.filter)
        );
        let (since, until, relevance, language, sources) = filter_params(&query.filter);
        // (bm25, id): lower bm25 is a better match.
        let mut matched: Vec<(f64, i64)> = Vec::new();
        {
            let mut stmt = self.conn.prepare(&sql)?;
            let mut rows = stmt
                .query(params![since, until, relevance, language, sources, query.fts])
                .map_err(match_error)?;
            while let Some(row) = rows.next().map_err(match_error)? {
                matched.push((row.get(1)?, row.get(0)?));
            }
        }
        let total = matched.len() as u64;
        let ranked = self.best(matched, query.limit as usize)?;
        let mut hits = Vec::with_capacity(ranked.len());
        for (rank, id) in ranked {
            if let Some(hit) = self.search_hit(&query.fts, id, -rank)? {
                hits.push(hit);
            }
        }
        Ok(SearchResults { total, hits })
    }

    /// The `limit` best of `matched` (bm25, id), best first: by bm25, then the latest
    /// publication day, then id. Only the matches that tie with the last one kept or beat it
    /// have their day read.
    fn best(&self, mut matched: Vec<(f64, i64)>, limit: usize) -> Result<Vec<(f64, i64)>> {
        // As SQLite compares numbers (bm25 is never NaN).
        let by_rank = |a: &f64, b: &f64| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal);
        matched.sort_by(|a, b| by_rank(&a.0, &b.0));
        if let Some(&(last, _)) = matched.get(limit.saturating_sub(1)) {
            matched.retain(|(rank, _)| by_rank(rank, &last).is_le());
        }
        let mut stmt = self.conn.prepare_cached("SELECT day FROM articles WHERE id = ?1")?;
        let mut dated = Vec::with_capacity(matched.len());
        for (rank, id) in matched {
            let day: Option<String> = stmt.query_row([id], |row| row.get(0)).optional()?.flatten();
            dated.push((rank, day, id));
        }
        // A day DESC as SQLite orders it: latest first, undated last.
        dated.sort_by(|a, b| by_rank(&a.0, &b.0).then_with(|| b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        Ok(dated.into_iter().take(limit).map(|(rank, _, id)| (rank, id)).collect())
    }

    /// One ranked article with its marked title, snippet and figures.
    fn search_hit(&self, fts: &str, id: i64, score: f64) -> Result<Option<SearchHit>> {
        let found = self
            .conn
            .query_row(
                "SELECT a.canonical_url, a.title, a.source, a.published, a.language, a.body,
                        highlight(articles_fts, 0, ?3, ?4),
                        snippet(articles_fts, 1, '', '', '', ?5),
                        snippet(articles_fts, 1, ?3, ?4, '', ?5)
                 FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
                 WHERE articles_fts MATCH ?1 AND articles_fts.rowid = ?2",
                params![fts, id, MATCH_OPEN.to_string(), MATCH_CLOSE.to_string(), SNIPPET_WORDS],
                |row| {
                    let title: Option<String> = row.get(1)?;
                    let marked_title: Option<String> = row.get(6)?;
                    let body: String = row.get(5)?;
                    let plain: String = row.get::<_, Option<String>>(7)?.unwrap_or_default();
                    let marked: String = row.get::<_, Option<String>>(8)?.unwrap_or_default();
                    Ok((
                        SearchHit {
                            url: row.get(0)?,
                            title: title
                                .map(|t| highlighted(marked_title.as_deref().unwrap_or(&t), &t))
                                .unwrap_or_default(),
                            source: row.get(2)?,
                            published: row.get(3)?,
                            language: row.get(4)?,
                            score,
                            snippet: highlighted(&marked, &plain),
                            more_before: false,
                            more_after: false,
                            figures: Vec::new(),
                        },
                        body,
                        plain,
                    ))
                },
            )
            .optional()
            .map_err(match_error)?;
        let Some((mut hit, body, plain)) = found else {
            return Ok(None);
        };
        // Where the snippet lies in the body, in code points like the figures' offsets.
        let span = body.find(&plain).filter(|_| !plain.is_empty()).map(|at| {
            let start = body[..at].chars().count();
            (start, start + plain.chars().count())
        });
        if let Some((start, end)) = span {
            hit.more_before = start > 0;
            hit.more_after = end < body.chars().count();
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT value, low, high, unit, qualifier, topic, year, location, change, \"start\", \"end\"
             FROM statistics WHERE article_id = ?1 ORDER BY \"start\", id",
        )?;
        let rows = stmt.query_map([id], |row| {
            Ok(HitFigure {
                value: row.get(0)?,
                low: row.get(1)?,
                high: row.get(2)?,
                unit: row.get(3)?,
                qualifier: row.get(4)?,
                topic: row.get(5)?,
                year: row.get(6)?,
                location: row.get(7)?,
                change: row.get(8)?,
                start: row.get(9)?,
                end: row.get(10)?,
                text: String::new(),
                in_snippet: false,
            })
        })?;
        for figure in rows {
            let mut figure = figure?;
            figure.text = char_slice(&body, figure.start, figure.end).unwrap_or_default().to_string();
            figure.in_snippet = span.is_some_and(|(start, end)| figure.start < end as i64 && figure.end > start as i64);
            hit.figures.push(figure);
        }
        Ok(Some(hit))
    }

    /// The names of the sources the database knows: configured ones and those of stored articles.
    pub fn source_names(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM sources UNION SELECT source FROM articles ORDER BY 1")?;
        let names = stmt.query_map([], |row| row.get(0))?;
        Ok(names.collect::<rusqlite::Result<Vec<String>>>()?)
    }
}

/// An error running a search: what FTS5 says about the query stays a query error; a busy
/// database stays busy.
fn match_error(e: rusqlite::Error) -> StoreError {
    match StoreError::from(e) {
        StoreError::Sqlite(e) => StoreError::Query(e.to_string()),
        other => other,
    }
}

/// `plain` cut into matched and unmatched stretches, as `marked` (the same text with
/// [`MATCH_OPEN`] and [`MATCH_CLOSE`] around matches) shows them. When the two disagree (the
/// text itself holds a mark), all of `plain`, unmarked.
fn highlighted(marked: &str, plain: &str) -> Vec<Highlighted> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut matched = false;
    let mut well_formed = true;
    for c in marked.chars() {
        let opens = match c {
            MATCH_OPEN => true,
            MATCH_CLOSE => false,
            c => {
                text.push(c);
                continue;
            }
        };
        well_formed &= opens != matched;
        if !text.is_empty() {
            parts.push(Highlighted {
                text: std::mem::take(&mut text),
                matched,
            });
        }
        matched = opens;
    }
    if !text.is_empty() {
        parts.push(Highlighted { text, matched });
    }
    if well_formed && !matched && parts.iter().map(|p| p.text.as_str()).collect::<String>() == plain {
        parts
    } else if plain.is_empty() {
        Vec::new()
    } else {
        vec![Highlighted {
            text: plain.to_string(),
            matched: false,
        }]
    }
}

/// The code points `start..end` of `text`, if they lie within it.
fn char_slice(text: &str, start: i64, end: i64) -> Option<&str> {
    let start = usize::try_from(start).ok()?;
    let end = usize::try_from(end).ok()?;
    if end < start {
        return None;
    }
    let byte_at = |n: usize| text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).nth(n);
    let from = byte_at(start)?;
    let to = byte_at(end)?;
    text.get(from..to)
}

#[cfg(test)]
mod search_tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::extract::{self, Lang};
    use crate::store::{NewArticle, PageRecord};

    /// A store holding one article per `(url, source, language, published, title, body)`, its
    /// statistics extracted from the body.
    fn store_with(articles: &[(&str, &str, &str, &str, &str, &str)]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("search.db")).unwrap();
        let fetched_at = Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap();
        for (url, source, language, published, title, body) in articles {
            let page = PageRecord {
                url: url.to_string(),
                final_url: url.to_string(),
                source: source.to_string(),
                status: Some(200),
                body: Some(body.as_bytes().to_vec()),
                fetched_at,
                ..PageRecord::default()
            };
            let article = NewArticle {
                canonical_url: url.to_string(),
                url: url.to_string(),
                source: source.to_string(),
                title: Some(title.to_string()),
                published: Some(published.to_string()),
                language: Some(language.to_string()),
                body: body.to_string(),
                fetched_at,
                ..NewArticle::default()
            };
            let lang = if *language == "es" { Lang::Es } else { Lang::En };
            store.save_article(&page, &article, &extract::extract(body, lang)).unwrap();
        }
        (dir, store)
    }

    const BUSES: (&str, &str, &str, &str, &str, &str) = (
        "https://news.example/buses",
        "diario",
        "es",
        "2025-03-04",
        "Transportistas de Lima paralizan por la extorsión",
        "Los gremios de transporte anunciaron un paro de 48 horas en Lima. Según la Policía Nacional, \
         se registraron 2.130 denuncias por extorsión entre enero y agosto de 2024 en Lima Metropolitana.\n\n\
         Los dirigentes piden más patrullaje en los paraderos.",
    );
    const PRISON: (&str, &str, &str, &str, &str, &str) = (
        "https://wire.example/prison",
        "wire",
        "en",
        "2024-11-20",
        "Prison census finds overcrowding",
        "The census counted 19,450 inmates in facilities built for 11,000. Extortion calls made \
         from inside the prisons remain common, officials said.",
    );

    fn search(store: &Store, fts: &str) -> SearchResults {
        store
            .search(&SearchQuery {
                fts: fts.into(),
                limit: 20,
                ..SearchQuery::default()
            })
            .unwrap()
    }

    fn urls(results: &SearchResults) -> Vec<&str> {
        results.hits.iter().map(|h| h.url.as_str()).collect()
    }

    #[test]
    fn accents_and_case_are_folded_both_ways() {
        let (_dir, store) = store_with(&[BUSES, PRISON]);
        assert_eq!(urls(&search(&store, "extorsion")), [BUSES.0]);
        assert_eq!(urls(&search(&store, "\"EXTORSIÓN\"")), [BUSES.0]);
        let (_dir, store) = store_with(&[(
            "https://x.example/a",
            "x",
            "es",
            "2025-01-01",
            "Sin tilde",
            "La extorsion golpea a los comerciantes.",
        )]);
        assert_eq!(urls(&search(&store, "extorsión")), ["https://x.example/a"]);
    }

    #[test]
    fn a_title_match_outranks_a_body_match() {
        let (_dir, store) = store_with(&[PRISON, BUSES]);
        let both = search(&store, "extor*");
        assert_eq!(urls(&both), [BUSES.0, PRISON.0]);
        assert_eq!(both.total, 2);
        assert!(both.hits[0].score > both.hits[1].score);
        let title: Vec<(&str, bool)> = both.hits[0].title.iter().map(|p| (p.text.as_str(), p.matched)).collect();
        assert_eq!(title, [("Transportistas de Lima paralizan por la ", false), ("extorsión", true)]);
    }

    #[test]
    fn the_snippet_is_the_body_text_with_matches_marked_and_its_figures_flagged() {
        let (_dir, store) = store_with(&[BUSES]);
        let results = search(&store, "\"denuncias por extorsión\"");
        let hit = &results.hits[0];
        let text: String = hit.snippet.iter().map(|p| p.text.as_str()).collect();
        assert!(BUSES.5.contains(&text), "{text:?}");
        let matched: Vec<&str> = hit.snippet.iter().filter(|p| p.matched).map(|p| p.text.as_str()).collect();
        assert_eq!(matched, ["denuncias por extorsión"]);
        assert!(hit.more_before || hit.more_after);
        let figure = hit.figures.iter().find(|f| f.text == "2.130").expect("the figure as written");
        assert_eq!(figure.value, Some(2130.0));
        assert!(figure.in_snippet);
    }

    #[test]
    fn filters_narrow_the_hits_and_the_total() {
        let (_dir, store) = store_with(&[BUSES, PRISON]);
        let mut query = SearchQuery {
            fts: "extor*".into(),
            limit: 20,
            ..SearchQuery::default()
        };
        query.filter.sources = vec!["wire".into()];
        assert_eq!(urls(&store.search(&query).unwrap()), [PRISON.0]);
        query.filter.sources = vec!["wire".into(), "diario".into()];
        query.filter.language = Some("es".into());
        assert_eq!(urls(&store.search(&query).unwrap()), [BUSES.0]);
        query.filter.language = None;
        query.filter.until = chrono::NaiveDate::from_ymd_opt(2024, 12, 31);
        assert_eq!(urls(&store.search(&query).unwrap()), [PRISON.0]);
        query.filter.until = None;
        query.limit = 1;
        let first = store.search(&query).unwrap();
        assert_eq!((first.hits.len(), first.total), (1, 2));
        assert_eq!(store.source_names().unwrap(), ["diario", "wire"]);
    }

    #[test]
    fn equal_scores_go_latest_first_and_the_limit_cuts_after_the_tie_is_settled() {
        // One word apart, the bodies score the same for `inmates`: the day, then the id, decide.
        let body = |block: &str| format!("Guards counted the inmates twice; the {block} block stayed shut after the riot.");
        let (north, south, east) = (body("north"), body("south"), body("east"));
        let (_dir, store) = store_with(&[
            ("https://a.example/old", "a", "en", "2024-01-05", "First report", &north),
            ("https://a.example/new", "a", "en", "2024-03-01", "Second report", &south),
            ("https://a.example/same-day", "a", "en", "2024-03-01", "Third report", &east),
        ]);
        let all = search(&store, "inmates");
        assert_eq!(all.hits[0].score, all.hits[2].score);
        assert_eq!(
            urls(&all),
            ["https://a.example/new", "https://a.example/same-day", "https://a.example/old"]
        );
        let first = store
            .search(&SearchQuery {
                fts: "inmates".into(),
                limit: 1,
                ..SearchQuery::default()
            })
            .unwrap();
        assert_eq!((urls(&first), first.total), (vec!["https://a.example/new"], 3));
    }

    #[test]
    fn trend_figures_keep_the_rows_their_columns_name_the_country_in_any_case() {
        let (_dir, store) = store_with(&[BUSES, PRISON]);
        let filter = ExportFilter::default();
        let mut every = Vec::new();
        store
            .statistics(&filter, &mut |row| {
                every.push(row.figure);
                Ok(())
            })
            .unwrap();
        // Figures come unordered: compared as sorted lists of their fields.
        let key = |r: &TrendFigure| format!("{r:?}");
        let cases = [
            (Some("extortion"), None, Some("pe")),
            (Some("extortion"), Some("count"), Some("PE")),
            (None, None, Some("Pe")),
            (Some("prisons"), None, None),
            (None, Some("count"), None),
        ];
        let mut found = 0;
        for (topic, unit, location) in cases {
            let columns = StatisticColumns {
                topic: topic.map(String::from),
                unit: unit.map(String::from),
                location: location.map(String::from),
            };
            let mut kept = Vec::new();
            store
                .trend_figures(&filter, &columns, &mut |row| {
                    kept.push(key(&row));
                    Ok(())
                })
                .unwrap();
            let mut expected: Vec<_> = every
                .iter()
                .filter(|r| topic.is_none_or(|t| r.topic.as_deref() == Some(t)))
                .filter(|r| unit.is_none_or(|u| r.unit == u))
                .filter(|r| location.is_none_or(|l| r.location.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(l))))
                .map(key)
                .collect();
            kept.sort();
            expected.sort();
            assert_eq!(kept, expected, "{topic:?} {unit:?} {location:?}");
            found += kept.len();
        }
        // The rows compared are not all empty: the Lima figure is a Peruvian extortion count.
        assert!(found > 0);
    }

    #[test]
    fn a_query_fts5_cannot_read_is_a_query_error() {
        let (_dir, store) = store_with(&[BUSES]);
        let err = store
            .search(&SearchQuery {
                fts: "extorsión AND".into(),
                limit: 5,
                ..SearchQuery::default()
            })
            .unwrap_err();
        assert!(matches!(err, StoreError::Query(_)), "{err}");
    }

    #[test]
    fn marks_inside_the_text_leave_it_unmarked() {
        let part = |text: &str, matched| Highlighted {
            text: text.into(),
            matched,
        };
        assert_eq!(
            highlighted("a \u{e000}b\u{e001} c", "a b c"),
            [part("a ", false), part("b", true), part(" c", false)]
        );
        assert_eq!(
            highlighted("\u{e000}x\u{e001}\u{e000}y\u{e001}", "xy"),
            [part("x", true), part("y", true)]
        );
        // The text held a mark of its own: shown whole, nothing marked.
        assert_eq!(
            highlighted("a \u{e000}\u{e000}b\u{e001}", "a \u{e000}b"),
            [part("a \u{e000}b", false)]
        );
        assert_eq!(highlighted("", ""), []);
    }

    #[test]
    fn char_slices_count_code_points() {
        assert_eq!(char_slice("año 2.130 €", 4, 9), Some("2.130"));
        assert_eq!(char_slice("año", 0, 3), Some("año"));
        assert_eq!(char_slice("año", 2, 4), None);
        assert_eq!(char_slice("año", 2, 1), None);
        assert_eq!(char_slice("año", -1, 1), None);
    }
}
