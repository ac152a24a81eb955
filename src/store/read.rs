//! Reads: export rows streamed in a stable order, per-source status, and read-only SQL.

use rusqlite::types::ValueRef;
use rusqlite::{Row, params};

use super::{ArticleRow, EntityRow, ExportFilter, QueryResult, Result, SourceStatus, StatisticRow, Store, StoreError};

/// The filter on `articles a` shared by every export; parameters ?1 since, ?2 until,
/// ?3 minimum relevance.
const FILTER: &str = "(?1 IS NULL OR a.day >= ?1)
     AND (?2 IS NULL OR a.day <= ?2)
     AND (?3 IS NULL OR a.relevance >= ?3)";

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Store {
    /// Streams the articles that pass `filter`, by id.
    pub fn articles(&self, filter: &ExportFilter, each: &mut dyn FnMut(ArticleRow) -> Result<()>) -> Result<()> {
        let sql = format!(
            "SELECT a.canonical_url, a.title, a.published, a.language, a.source, a.fetched_at,
                    a.body, a.relevance, a.topics
             FROM articles a WHERE {FILTER} ORDER BY a.id"
        );
        self.stream(&sql, filter, each, |row| {
            Ok(ArticleRow {
                url: row.get(0)?,
                title: row.get(1)?,
                published: row.get(2)?,
                language: row.get(3)?,
                source: row.get(4)?,
                fetched_at: row.get(5)?,
                body: row.get(6)?,
                relevance: row.get(7)?,
                topics: row.get(8)?,
            })
        })
    }

    /// Streams the statistics of the articles that pass `filter`, by article then offset.
    pub fn statistics(&self, filter: &ExportFilter, each: &mut dyn FnMut(StatisticRow) -> Result<()>) -> Result<()> {
        let sql = format!(
            "SELECT a.canonical_url, a.published, a.source, s.value, s.low, s.high, s.unit,
                    s.qualifier, s.counted, s.topic, s.metric, s.year, s.location,
                    s.attributed_to, s.sentence, s.\"start\", s.\"end\", s.change, s.location_from
             FROM statistics s JOIN articles a ON a.id = s.article_id
             WHERE {FILTER} ORDER BY a.id, s.\"start\", s.id"
        );
        self.stream(&sql, filter, each, |row| {
            Ok(StatisticRow {
                article_url: row.get(0)?,
                published: row.get(1)?,
                source: row.get(2)?,
                value: row.get(3)?,
                low: row.get(4)?,
                high: row.get(5)?,
                unit: row.get(6)?,
                qualifier: row.get(7)?,
                counted: row.get(8)?,
                topic: row.get(9)?,
                metric: row.get(10)?,
                year: row.get(11)?,
                location: row.get(12)?,
                attributed_to: row.get(13)?,
                sentence: row.get(14)?,
                start: row.get(15)?,
                end: row.get(16)?,
                change: row.get(17)?,
                location_from: row.get(18)?,
            })
        })
    }

    /// Streams the entities of the articles that pass `filter`, by article then offset.
    pub fn entities(&self, filter: &ExportFilter, each: &mut dyn FnMut(EntityRow) -> Result<()>) -> Result<()> {
        let sql = format!(
            "SELECT a.canonical_url, a.published, a.source, e.type, e.name, e.role, e.country,
                    e.\"start\", e.\"end\"
             FROM entities e JOIN articles a ON a.id = e.article_id
             WHERE {FILTER} ORDER BY a.id, e.\"start\", e.id"
        );
        self.stream(&sql, filter, each, |row| {
            Ok(EntityRow {
                article_url: row.get(0)?,
                published: row.get(1)?,
                source: row.get(2)?,
                kind: row.get(3)?,
                name: row.get(4)?,
                role: row.get(5)?,
                country: row.get(6)?,
                start: row.get(7)?,
                end: row.get(8)?,
            })
        })
    }

    fn stream<T>(
        &self,
        sql: &str,
        filter: &ExportFilter,
        each: &mut dyn FnMut(T) -> Result<()>,
        read: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(sql)?;
        let since = filter.since.map(|d| d.format("%Y-%m-%d").to_string());
        let until = filter.until.map(|d| d.format("%Y-%m-%d").to_string());
        let mut rows = stmt.query(params![since, until, filter.min_relevance])?;
        while let Some(row) = rows.next()? {
            each(read(row)?)?;
        }
        Ok(())
    }

    /// One row per known source, by name, with its health now.
    pub fn status(&self) -> Result<Vec<SourceStatus>> {
        self.status_at(chrono::Utc::now())
    }

    /// One row per known source, by name, with its health at `now`.
    pub fn status_at(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<SourceStatus>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.name, s.kind, s.url, s.last_fetch_at, s.last_error,
                    (SELECT count(*) FROM articles a WHERE a.source = s.name),
                    (SELECT count(*) FROM statistics st JOIN articles a ON a.id = st.article_id
                     WHERE a.source = s.name),
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
