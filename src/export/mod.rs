//! Researcher exports of articles, statistics and entities as CSV, JSON Lines or Parquet.
//!
//! Every row carries its provenance (the article's canonical URL, published date, source).
//! All formats use the same names, in the same order (one list per table, in `columns`), so
//! a script can switch formats.
//! CSV and JSON Lines stream to any writer; Parquet (cargo feature `parquet`) needs a file.
//! CSV text cells go through [`csv_cell`], so page text never runs as a spreadsheet formula.

use std::borrow::Cow;
use std::io::Write;

use serde_json::Value;

use crate::store::{ExportFilter, Store, StoreError};

mod columns;
pub use columns::{ARTICLE_COLUMNS, Column, ENTITY_COLUMNS, Get, STATISTIC_COLUMNS, names};

#[cfg(feature = "parquet")]
mod parquet_file;
#[cfg(feature = "parquet")]
pub use parquet_file::export_parquet;

/// What this vigia says when asked for Parquet without the feature compiled in.
pub const PARQUET_UNAVAILABLE: &str = "this vigia was built without Parquet support (cargo feature `parquet`)";

/// An export format written by this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    /// Written to a file with [`export_parquet`]; the streaming functions refuse it.
    #[cfg(feature = "parquet")]
    Parquet,
}

/// The table an export reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Articles,
    Statistics,
    Entities,
}

impl Table {
    /// The export's column names, in order (the same in every format).
    pub fn columns(self) -> Vec<&'static str> {
        match self {
            Table::Articles => names(ARTICLE_COLUMNS),
            Table::Statistics => names(STATISTIC_COLUMNS),
            Table::Entities => names(ENTITY_COLUMNS),
        }
    }
}

impl std::str::FromStr for Format {
    type Err = ExportError;

    fn from_str(s: &str) -> Result<Format, ExportError> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            #[cfg(feature = "parquet")]
            "parquet" => Ok(Format::Parquet),
            #[cfg(not(feature = "parquet"))]
            "parquet" => Err(ExportError::ParquetUnavailable),
            other => Err(ExportError::Format(other.to_string())),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unknown export format `{0}` (expected csv, jsonl or parquet)")]
    Format(String),
    #[error("{PARQUET_UNAVAILABLE}")]
    ParquetUnavailable,
    #[error("Parquet is written to a file, not to a stream")]
    ParquetNeedsFile,
    #[error("cannot create {path}: {message}")]
    Create { path: String, message: String },
    #[error("cannot write Parquet: {0}")]
    Parquet(String),
}

/// Writes the articles that pass `filter`; returns how many rows were written.
pub fn export_articles(store: &Store, filter: &ExportFilter, format: Format, out: &mut dyn Write) -> Result<u64, ExportError> {
    let mut writer = RowWriter::new(format, ARTICLE_COLUMNS, out)?;
    let result = store.articles(filter, &mut |row| writer.write(&row));
    writer.finish(result)
}

/// Writes the statistics of the articles that pass `filter`; returns the row count.
pub fn export_statistics(store: &Store, filter: &ExportFilter, format: Format, out: &mut dyn Write) -> Result<u64, ExportError> {
    let mut writer = RowWriter::new(format, STATISTIC_COLUMNS, out)?;
    let result = store.statistics(filter, &mut |row| writer.write(&row));
    writer.finish(result)
}

/// Writes the entities of the articles that pass `filter`; returns the row count.
pub fn export_entities(store: &Store, filter: &ExportFilter, format: Format, out: &mut dyn Write) -> Result<u64, ExportError> {
    let mut writer = RowWriter::new(format, ENTITY_COLUMNS, out)?;
    let result = store.entities(filter, &mut |row| writer.write(&row));
    writer.finish(result)
}

/// The CSV form of one cell, for every CSV vigia writes.
///
/// Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (some also after a tab, a
/// carriage return or leading spaces) as a formula, and page text can start that way. Such a
/// text cell gets a leading `'`, which spreadsheets read as "this is text". Numbers are written
/// as they are, so a negative figure stays a number; null is an empty cell. JSON Lines and
/// Parquet keep the text exactly as stored.
pub fn csv_cell(value: &Value) -> Cow<'_, str> {
    match value {
        Value::Null => Cow::Borrowed(""),
        Value::String(text) => csv_text(text),
        Value::Number(n) => Cow::Owned(n.to_string()),
        Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        other => Cow::Owned(csv_text(&other.to_string()).into_owned()),
    }
}

/// A text cell, with a leading `'` when a spreadsheet would take it for a formula.
fn csv_text(text: &str) -> Cow<'_, str> {
    const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
    if text.trim_start_matches(' ').starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

enum Sink<'a> {
    Csv(Box<csv::Writer<&'a mut dyn Write>>),
    Jsonl(std::io::BufWriter<&'a mut dyn Write>),
}

/// Writes rows in one format, counting them. The store's row callback can only fail with a
/// `StoreError`, so a write error is kept here and the stream stopped with a placeholder.
struct RowWriter<'a, R: 'static> {
    sink: Sink<'a>,
    columns: &'static [Column<R>],
    rows: u64,
    failure: Option<ExportError>,
}

impl<'a, R> RowWriter<'a, R> {
    fn new(format: Format, columns: &'static [Column<R>], out: &'a mut dyn Write) -> Result<RowWriter<'a, R>, ExportError> {
        let sink = match format {
            Format::Csv => {
                // The header is written by hand so an empty export still names its columns.
                let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(out);
                w.write_record(names(columns))?;
                Sink::Csv(Box::new(w))
            }
            Format::Jsonl => Sink::Jsonl(std::io::BufWriter::new(out)),
            #[cfg(feature = "parquet")]
            Format::Parquet => return Err(ExportError::ParquetNeedsFile),
        };
        Ok(RowWriter {
            sink,
            columns,
            rows: 0,
            failure: None,
        })
    }

    fn write(&mut self, row: &R) -> crate::store::Result<()> {
        let written: Result<(), ExportError> = match &mut self.sink {
            Sink::Csv(w) => {
                let cells = self.columns.iter().map(|c| csv_cell(&c.value(row)).into_owned());
                w.write_record(cells.collect::<Vec<_>>()).map_err(ExportError::from)
            }
            Sink::Jsonl(w) => jsonl_record(w, self.columns, row),
        };
        match written {
            Ok(()) => {
                self.rows += 1;
                Ok(())
            }
            Err(e) => {
                self.failure = Some(e);
                Err(StoreError::Query("export stopped by a write error".into()))
            }
        }
    }

    fn finish(self, streamed: crate::store::Result<()>) -> Result<u64, ExportError> {
        if let Some(failure) = self.failure {
            return Err(failure);
        }
        streamed?;
        match self.sink {
            Sink::Csv(mut w) => w.flush()?,
            Sink::Jsonl(mut w) => w.flush()?,
        }
        Ok(self.rows)
    }
}

/// One JSON object on its own line, its keys the column names in column order.
fn jsonl_record<R>(w: &mut impl Write, columns: &[Column<R>], row: &R) -> Result<(), ExportError> {
    w.write_all(b"{")?;
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        serde_json::to_writer(&mut *w, column.name)?;
        w.write_all(b":")?;
        serde_json::to_writer(&mut *w, &column.value(row))?;
    }
    w.write_all(b"}\n")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Change, Entity, EntityType, Extraction, LocationFrom, Statistic, Topic, Unit};
    use crate::store::{NewArticle, PageRecord};
    use chrono::{NaiveDate, TimeZone, Utc};

    fn store_with_two_articles(dir: &tempfile::TempDir) -> Store {
        let store = Store::open(&dir.path().join("v.db")).unwrap();
        for (i, (published, place)) in [("2023-05-10", "PE"), ("2024-02-01T08:00:00Z", "MX")].into_iter().enumerate() {
            let url = format!("https://news.example/a{i}");
            let body = format!("Report {i}: homicides rose to 12 per 100,000 in {place}.");
            let page = PageRecord {
                url: url.clone(),
                final_url: url.clone(),
                source: "wire".into(),
                status: Some(200),
                body: Some(body.clone().into_bytes()),
                fetched_at: Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
                ..PageRecord::default()
            };
            let article = NewArticle {
                canonical_url: url.clone(),
                url,
                source: "wire".into(),
                title: Some(format!("Report {i}, with \"quotes\", and commas")),
                published: Some(published.into()),
                body,
                fetched_at: page.fetched_at,
                ..NewArticle::default()
            };
            let extraction = Extraction {
                relevance: 0.9,
                topics: vec![Topic::Homicide],
                statistics: vec![Statistic {
                    value: Some(12.0),
                    low: None,
                    high: None,
                    unit: Unit::Per100k,
                    qualifier: None,
                    counted: None,
                    topic: Some(Topic::Homicide),
                    metric: Some("homicide rate".into()),
                    year: None,
                    location: Some(place.into()),
                    source: None,
                    sentence: article.body.clone(),
                    start: 30,
                    end: 45,
                    change: (i == 1).then_some(Change::Increase),
                    location_from: Some(if i == 0 { LocationFrom::Sentence } else { LocationFrom::Article }),
                }],
                entities: vec![Entity {
                    kind: EntityType::Location,
                    name: place.into(),
                    role: None,
                    country: Some(place.into()),
                    start: 50,
                    end: 52,
                }],
            };
            store.save_article(&page, &article, &extraction).unwrap();
        }
        store
    }

    #[test]
    fn csv_has_the_contract_header_and_provenance() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_two_articles(&dir);
        let mut out = Vec::new();
        let n = export_statistics(&store, &ExportFilter::default(), Format::Csv, &mut out).unwrap();
        assert_eq!(n, 2);
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, names(STATISTIC_COLUMNS));
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][0], "https://news.example/a0");
        assert_eq!(&rows[0][1], "2023-05-10");
        assert_eq!(&rows[0][2], "wire");
        assert_eq!(&rows[0][6], "per_100k");
        assert_eq!(rows[0][3].parse::<f64>().unwrap(), 12.0);
        assert_eq!(&rows[1][12], "MX");
    }

    #[test]
    fn jsonl_rows_carry_provenance_and_contract_names() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_two_articles(&dir);
        let mut out = Vec::new();
        let n = export_entities(&store, &ExportFilter::default(), Format::Jsonl, &mut out).unwrap();
        assert_eq!(n, 2);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        let keys: Vec<&str> = lines[0].as_object().unwrap().keys().map(String::as_str).collect();
        for column in names(ENTITY_COLUMNS) {
            assert!(keys.contains(&column), "missing {column}");
        }
        assert_eq!(lines[1]["article_url"], "https://news.example/a1");
        assert_eq!(lines[1]["published"], "2024-02-01T08:00:00Z");
        assert_eq!(lines[1]["source"], "wire");
        assert_eq!(lines[1]["type"], "location");
    }

    #[test]
    fn articles_export_quotes_commas_and_filters_by_date() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_two_articles(&dir);
        let filter = ExportFilter {
            since: NaiveDate::from_ymd_opt(2024, 1, 1),
            ..ExportFilter::default()
        };
        let mut out = Vec::new();
        let n = export_articles(&store, &filter, Format::Csv, &mut out).unwrap();
        assert_eq!(n, 1);
        let mut reader = csv::Reader::from_reader(out.as_slice());
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), names(ARTICLE_COLUMNS));
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "https://news.example/a1");
        assert_eq!(&row[1], "Report 1, with \"quotes\", and commas");
        assert_eq!(&row[8], "[\"homicide\"]");
    }

    #[test]
    fn empty_csv_export_still_has_a_header() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("empty.db")).unwrap();
        let mut out = Vec::new();
        let n = export_entities(&store, &ExportFilter::default(), Format::Csv, &mut out).unwrap();
        assert_eq!(n, 0);
        assert_eq!(String::from_utf8(out).unwrap().trim_end(), names(ENTITY_COLUMNS).join(","));
    }

    #[test]
    fn a_failing_writer_gives_an_io_error() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Err(std::io::Error::other("disk full"))
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_two_articles(&dir);
        let err = export_articles(&store, &ExportFilter::default(), Format::Jsonl, &mut Broken).unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
    }

    #[test]
    fn each_view_starts_with_the_columns_of_its_export_and_ends_with_those_added_later() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_two_articles(&dir);
        for (view, table) in [
            ("articles_v", Table::Articles),
            ("statistics_v", Table::Statistics),
            ("entities_v", Table::Entities),
        ] {
            let result = store.query(&format!("SELECT name FROM pragma_table_info('{view}')")).unwrap();
            let names: Vec<String> = result.rows.iter().map(|r| r[0].as_str().unwrap().to_string()).collect();
            let export = table.columns();
            assert!(names.len() > export.len(), "{view} carries more than its export");
            // Columns added to an export after the views were made close both.
            let later = export.iter().rev().take_while(|c| ["claim_id", "story_id"].contains(c)).count();
            assert!(later > 0, "{view}");
            let (first, last) = export.split_at(export.len() - later);
            assert_eq!(names[..first.len()], *first, "{view}");
            assert_eq!(names[names.len() - later..], *last, "{view}");
            // Every column the shared filter reads is there too.
            for needed in ["day", "relevance", "language", "source", "superseded_at", "article_id"] {
                assert!(names.iter().any(|n| n == needed), "{view} lacks {needed}");
            }
        }
    }

    #[test]
    fn csv_cells_neutralise_formula_text_but_not_numbers() {
        let cell = |v: Value| csv_cell(&v).into_owned();
        for formula in ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "  =1+1"] {
            assert_eq!(cell(Value::from(formula)), format!("'{formula}"));
        }
        for text in ["plain", "1-2", "a=b", "", " ", "'quoted", "\nx"] {
            assert_eq!(cell(Value::from(text)), text);
        }
        assert_eq!(cell(Value::from(-5)), "-5");
        assert_eq!(cell(Value::from(-2.5)), "-2.5");
        assert_eq!(cell(Value::Null), "");
        assert_eq!(cell(Value::from(true)), "true");
    }

    #[test]
    fn csv_export_writes_numbers_as_before() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_two_articles(&dir);
        let mut out = Vec::new();
        export_statistics(&store, &ExportFilter::default(), Format::Csv, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let row = text.lines().nth(1).unwrap();
        // value 12.0, empty low and high, start 30, end 45, no change, location from its
        // sentence, version 1, current
        assert!(row.contains(",12.0,,,per_100k,"), "{row}");
        // (its claim, its own id, given as it was stored; no story until a run groups them)
        assert!(row.ends_with(",30,45,,sentence,1,,1,"), "{row}");
    }

    #[test]
    fn csv_statistics_carry_change_and_location_from() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_two_articles(&dir);
        let mut out = Vec::new();
        export_statistics(&store, &ExportFilter::default(), Format::Csv, &mut out).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let at = |name: &str| header.iter().position(|h| h == name).unwrap();
        let (change, from) = (at("change"), at("location_from"));
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!((&rows[0][change], &rows[0][from]), ("", "sentence"));
        assert_eq!((&rows[1][change], &rows[1][from]), ("increase", "article"));
    }

    #[test]
    fn jsonl_statistics_carry_change_and_location_from_in_column_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_two_articles(&dir);
        let mut out = Vec::new();
        export_statistics(&store, &ExportFilter::default(), Format::Jsonl, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        // Keys in column order, as written (a parsed map would sort them).
        let positions: Vec<usize> = names(STATISTIC_COLUMNS)
            .iter()
            .map(|c| {
                lines[0]
                    .find(&format!("\"{c}\":"))
                    .unwrap_or_else(|| panic!("no {c} in {}", lines[0]))
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{}", lines[0]);
        let rows: Vec<Value> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(rows[0]["change"], Value::Null);
        assert_eq!(rows[0]["location_from"], "sentence");
        assert_eq!(rows[1]["change"], "increase");
        assert_eq!(rows[1]["location_from"], "article");
        assert_eq!(rows[1]["value"], 12.0);
        assert_eq!(rows[1]["end"], 45);
    }

    #[test]
    fn csv_and_jsonl_name_the_same_columns_for_every_table() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_two_articles(&dir);
        for table in [Table::Articles, Table::Statistics, Table::Entities] {
            let export = |format: Format| {
                let mut out = Vec::new();
                match table {
                    Table::Articles => export_articles(&store, &ExportFilter::default(), format, &mut out),
                    Table::Statistics => export_statistics(&store, &ExportFilter::default(), format, &mut out),
                    Table::Entities => export_entities(&store, &ExportFilter::default(), format, &mut out),
                }
                .unwrap();
                String::from_utf8(out).unwrap()
            };
            let csv = export(Format::Csv);
            let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
            let jsonl = export(Format::Jsonl);
            let first: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
            let mut keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
            let mut sorted = header.clone();
            keys.sort_unstable();
            sorted.sort_unstable();
            assert_eq!(keys, sorted, "{table:?}");
            assert_eq!(header, table.columns(), "{table:?}");
        }
    }

    #[test]
    fn format_names_parse() {
        assert_eq!("csv".parse::<Format>().unwrap(), Format::Csv);
        assert_eq!("JSONL".parse::<Format>().unwrap(), Format::Jsonl);
        assert!("xml".parse::<Format>().is_err());
        #[cfg(feature = "parquet")]
        assert_eq!("Parquet".parse::<Format>().unwrap(), Format::Parquet);
        #[cfg(not(feature = "parquet"))]
        assert!(matches!("parquet".parse::<Format>(), Err(ExportError::ParquetUnavailable)));
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn streaming_refuses_parquet() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_two_articles(&dir);
        let mut out = Vec::new();
        let err = export_statistics(&store, &ExportFilter::default(), Format::Parquet, &mut out).unwrap_err();
        assert!(matches!(err, ExportError::ParquetNeedsFile), "{err}");
        assert!(out.is_empty());
    }
}
