//! The columns of every export: name, type and value of each, defined once for all formats.
//!
//! CSV headers, JSON Lines keys, Parquet schemas and the cells of each row all come from these
//! lists, so the formats cannot drift apart.

use serde_json::Value;

use crate::store::{ArticleRow, EntityRow, StatisticRow};

/// How a column reads its value from a row. The variant is also the column's type: Parquet
/// types its columns by it (`Opt*` columns are nullable); CSV and JSON Lines write the value.
pub enum Get<R> {
    Text(fn(&R) -> &str),
    OptText(fn(&R) -> Option<&str>),
    /// A date or an instant as stored (`2024-03-15` or RFC 3339): text in CSV and JSON Lines,
    /// a UTC timestamp in Parquet (a bare date is its midnight).
    OptTime(fn(&R) -> Option<&str>),
    Float(fn(&R) -> f64),
    OptFloat(fn(&R) -> Option<f64>),
    OptInt32(fn(&R) -> Option<i32>),
    OptInt64(fn(&R) -> Option<i64>),
    Int64(fn(&R) -> i64),
}

/// One column of an export: its name, the same in every format, and how to read it.
pub struct Column<R> {
    pub name: &'static str,
    pub get: Get<R>,
}

impl<R> Column<R> {
    /// The column's value in `row`, as JSON (null for a missing or non-finite number).
    pub fn value(&self, row: &R) -> Value {
        let float = |x: Option<f64>| x.and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number);
        match &self.get {
            Get::Text(f) => Value::from(f(row)),
            Get::OptText(f) | Get::OptTime(f) => f(row).map_or(Value::Null, Value::from),
            Get::Float(f) => float(Some(f(row))),
            Get::OptFloat(f) => float(f(row)),
            Get::OptInt32(f) => f(row).map_or(Value::Null, Value::from),
            Get::OptInt64(f) => f(row).map_or(Value::Null, Value::from),
            Get::Int64(f) => Value::from(f(row)),
        }
    }
}

/// The names of `columns`, in order.
pub fn names<R>(columns: &[Column<R>]) -> Vec<&'static str> {
    columns.iter().map(|c| c.name).collect()
}

const fn col<R>(name: &'static str, get: Get<R>) -> Column<R> {
    Column { name, get }
}

// Every table has the article's `version` and `superseded_at` (None for the current
// version), so a row of an earlier text is never mistaken for the current one. Columns added
// later follow them: `claim_id` and `story_id` (see `crate::claims`).

/// The columns of `export articles`, in order.
pub const ARTICLE_COLUMNS: &[Column<ArticleRow>] = &[
    col("url", Get::Text(|r| &r.url)),
    col("title", Get::OptText(|r| r.title.as_deref())),
    col("published", Get::OptTime(|r| r.published.as_deref())),
    col("language", Get::OptText(|r| r.language.as_deref())),
    col("source", Get::Text(|r| &r.source)),
    col("fetched_at", Get::OptTime(|r| Some(&r.fetched_at))),
    col("body", Get::Text(|r| &r.body)),
    col("relevance", Get::Float(|r| r.relevance)),
    col("topics", Get::Text(|r| &r.topics)),
    col("version", Get::Int64(|r| r.version)),
    col("superseded_at", Get::OptTime(|r| r.superseded_at.as_deref())),
    col("story_id", Get::OptInt64(|r| r.story_id)),
];

/// The columns of `export statistics`, in order: provenance, then the fields of `vigia
/// extract` (its `source` named `attributed_to`), the version-2 fields last.
pub const STATISTIC_COLUMNS: &[Column<StatisticRow>] = &[
    col("article_url", Get::Text(|r| &r.figure.article_url)),
    col("published", Get::OptTime(|r| r.figure.published.as_deref())),
    col("source", Get::Text(|r| &r.figure.source)),
    col("value", Get::OptFloat(|r| r.figure.value)),
    col("low", Get::OptFloat(|r| r.figure.low)),
    col("high", Get::OptFloat(|r| r.figure.high)),
    col("unit", Get::Text(|r| &r.figure.unit)),
    col("qualifier", Get::OptText(|r| r.figure.qualifier.as_deref())),
    col("counted", Get::OptText(|r| r.counted.as_deref())),
    col("topic", Get::OptText(|r| r.figure.topic.as_deref())),
    col("metric", Get::OptText(|r| r.figure.metric.as_deref())),
    col("year", Get::OptInt32(|r| r.figure.year)),
    col("location", Get::OptText(|r| r.figure.location.as_deref())),
    col("attributed_to", Get::OptText(|r| r.attributed_to.as_deref())),
    col("sentence", Get::Text(|r| &r.sentence)),
    col("start", Get::Int64(|r| r.start)),
    col("end", Get::Int64(|r| r.end)),
    col("change", Get::OptText(|r| r.figure.change.as_deref())),
    col("location_from", Get::OptText(|r| r.location_from.as_deref())),
    col("version", Get::Int64(|r| r.version)),
    col("superseded_at", Get::OptTime(|r| r.superseded_at.as_deref())),
    col("claim_id", Get::OptInt64(|r| r.figure.claim_id)),
    col("story_id", Get::OptInt64(|r| r.story_id)),
];

/// The columns of `export entities`, in order.
pub const ENTITY_COLUMNS: &[Column<EntityRow>] = &[
    col("article_url", Get::Text(|r| &r.article_url)),
    col("published", Get::OptTime(|r| r.published.as_deref())),
    col("source", Get::Text(|r| &r.source)),
    col("type", Get::Text(|r| &r.kind)),
    col("name", Get::Text(|r| &r.name)),
    col("role", Get::OptText(|r| r.role.as_deref())),
    col("country", Get::OptText(|r| r.country.as_deref())),
    col("start", Get::Int64(|r| r.start)),
    col("end", Get::Int64(|r| r.end)),
    col("version", Get::Int64(|r| r.version)),
    col("superseded_at", Get::OptTime(|r| r.superseded_at.as_deref())),
    col("story_id", Get::OptInt64(|r| r.story_id)),
];
