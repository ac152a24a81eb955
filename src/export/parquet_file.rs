//! Parquet export: the columns of the CSV and JSON Lines exports, typed and ZSTD-compressed.
//!
//! Rows are gathered into record batches of a few thousand, and row groups are closed by size,
//! so memory stays bounded however large the database is.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int32Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::{ARTICLE_COLUMNS, Column, ENTITY_COLUMNS, ExportError, Get, STATISTIC_COLUMNS, Table};
use crate::store::{ExportFilter, Store, StoreError};

/// Rows gathered before they are handed to the writer.
const BATCH_ROWS: usize = 4096;
/// A row group is closed once its encoded size passes this; article bodies make rows large.
const ROW_GROUP_BYTES: usize = 64 * 1024 * 1024;

/// The time zone of every timestamp column: stored instants are UTC.
const UTC: &str = "UTC";

/// Microseconds since 1970 of a stored date (`2024-03-15`, its midnight UTC) or instant (RFC
/// 3339); None for anything else, which Parquet then holds as null.
fn micros(text: &str) -> Option<i64> {
    if let Ok(instant) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(instant.timestamp_micros());
    }
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp_micros())
}

/// The Parquet field of a column: its type and whether it may be null.
fn field<R>(column: &Column<R>) -> Field {
    let (data_type, nullable) = match column.get {
        Get::Text(_) => (DataType::Utf8, false),
        Get::OptText(_) => (DataType::Utf8, true),
        Get::OptTime(_) => (DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())), true),
        Get::Float(_) => (DataType::Float64, false),
        Get::OptFloat(_) => (DataType::Float64, true),
        Get::OptInt32(_) => (DataType::Int32, true),
        Get::Int64(_) => (DataType::Int64, false),
        Get::OptInt64(_) => (DataType::Int64, true),
    };
    Field::new(column.name, data_type, nullable)
}

/// A write error of the file stays an I/O error, as in the other formats.
impl From<parquet::errors::ParquetError> for ExportError {
    fn from(e: parquet::errors::ParquetError) -> ExportError {
        match e {
            parquet::errors::ParquetError::External(inner) => match inner.downcast::<std::io::Error>() {
                Ok(io) => ExportError::Io(*io),
                Err(other) => ExportError::Parquet(other.to_string()),
            },
            other => ExportError::Parquet(other.to_string()),
        }
    }
}

/// Only a column that does not match its schema fails here, which the tests rule out.
impl From<arrow_schema::ArrowError> for ExportError {
    fn from(e: arrow_schema::ArrowError) -> ExportError {
        ExportError::Parquet(e.to_string())
    }
}

/// Writes the rows of `table` that pass `filter` to a new Parquet file at `path` (replacing
/// any file there); returns how many rows were written.
pub fn export_parquet(store: &Store, table: Table, filter: &ExportFilter, path: &Path) -> Result<u64, ExportError> {
    let file = File::create(path).map_err(|e| ExportError::Create {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    match table {
        Table::Articles => {
            let mut writer = BatchWriter::new(file, ARTICLE_COLUMNS)?;
            let streamed = store.articles(filter, &mut |row| writer.push(&row));
            writer.finish(streamed)
        }
        Table::Statistics => {
            let mut writer = BatchWriter::new(file, STATISTIC_COLUMNS)?;
            let streamed = store.statistics(filter, &mut |row| writer.push(&row));
            writer.finish(streamed)
        }
        Table::Entities => {
            let mut writer = BatchWriter::new(file, ENTITY_COLUMNS)?;
            let streamed = store.entities(filter, &mut |row| writer.push(&row));
            writer.finish(streamed)
        }
    }
}

enum Builder {
    Text(StringBuilder),
    Time(TimestampMicrosecondBuilder),
    Float(Float64Builder),
    Int32(Int32Builder),
    Int64(Int64Builder),
}

impl Builder {
    fn new<R>(column: &Column<R>) -> Builder {
        match column.get {
            Get::Text(_) | Get::OptText(_) => Builder::Text(StringBuilder::new()),
            Get::OptTime(_) => Builder::Time(TimestampMicrosecondBuilder::new().with_timezone(UTC)),
            Get::Float(_) | Get::OptFloat(_) => Builder::Float(Float64Builder::new()),
            Get::OptInt32(_) => Builder::Int32(Int32Builder::new()),
            Get::Int64(_) | Get::OptInt64(_) => Builder::Int64(Int64Builder::new()),
        }
    }

    /// Appends the value of `column` in `row`. A builder made for another column leaves its
    /// column short: the batch is then refused with an error rather than written wrong.
    fn append<R>(&mut self, column: &Column<R>, row: &R) {
        match (self, &column.get) {
            (Builder::Text(b), Get::Text(f)) => b.append_value(f(row)),
            (Builder::Text(b), Get::OptText(f)) => b.append_option(f(row)),
            (Builder::Time(b), Get::OptTime(f)) => b.append_option(f(row).and_then(micros)),
            (Builder::Float(b), Get::Float(f)) => b.append_value(f(row)),
            (Builder::Float(b), Get::OptFloat(f)) => b.append_option(f(row)),
            (Builder::Int32(b), Get::OptInt32(f)) => b.append_option(f(row)),
            (Builder::Int64(b), Get::Int64(f)) => b.append_value(f(row)),
            (Builder::Int64(b), Get::OptInt64(f)) => b.append_option(f(row)),
            _ => {}
        }
    }

    /// Takes the column built so far and leaves the builder empty for the next batch.
    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::Time(b) => Arc::new(b.finish()),
            Builder::Float(b) => Arc::new(b.finish()),
            Builder::Int32(b) => Arc::new(b.finish()),
            Builder::Int64(b) => Arc::new(b.finish()),
        }
    }
}

/// Gathers rows into record batches and writes them. As in the CSV writer, a write error is
/// kept here and the store's stream stopped with a placeholder error.
struct BatchWriter<R: 'static> {
    writer: ArrowWriter<File>,
    schema: SchemaRef,
    columns: &'static [Column<R>],
    builders: Vec<Builder>,
    pending: usize,
    rows: u64,
    failure: Option<ExportError>,
}

impl<R> BatchWriter<R> {
    fn new(file: File, columns: &'static [Column<R>]) -> Result<BatchWriter<R>, ExportError> {
        let schema = Arc::new(Schema::new(columns.iter().map(field).collect::<Vec<_>>()));
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
            .build();
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))?;
        Ok(BatchWriter {
            writer,
            schema,
            columns,
            builders: columns.iter().map(Builder::new).collect(),
            pending: 0,
            rows: 0,
            failure: None,
        })
    }

    fn push(&mut self, row: &R) -> crate::store::Result<()> {
        for (builder, column) in self.builders.iter_mut().zip(self.columns) {
            builder.append(column, row);
        }
        self.pending += 1;
        if self.pending < BATCH_ROWS {
            return Ok(());
        }
        self.flush().map_err(|e| {
            self.failure = Some(e);
            StoreError::Query("export stopped by a write error".into())
        })
    }

    fn flush(&mut self) -> Result<(), ExportError> {
        if self.pending == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)?;
        self.writer.write(&batch)?;
        self.rows += self.pending as u64;
        self.pending = 0;
        Ok(())
    }

    fn finish(mut self, streamed: crate::store::Result<()>) -> Result<u64, ExportError> {
        if let Some(failure) = self.failure.take() {
            return Err(failure);
        }
        streamed?;
        self.flush()?;
        // Closing writes the footer; without it the file is not readable Parquet.
        self.writer.close()?;
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Change, Entity, EntityType, Extraction, LocationFrom, Qualifier, Statistic, Topic, Unit};
    use crate::store::{NewArticle, PageRecord, Versions};
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
    use chrono::{NaiveDate, TimeZone, Utc};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    fn statistic(value: Option<f64>, range: Option<(f64, f64)>, year: Option<i32>, start: usize) -> Statistic {
        Statistic {
            value,
            low: range.map(|r| r.0),
            high: range.map(|r| r.1),
            unit: Unit::Count,
            qualifier: range.is_none().then_some(Qualifier::MoreThan),
            counted: Some("murders".into()),
            topic: Some(Topic::Homicide),
            metric: None,
            year,
            location: Some("CO".into()),
            source: range.map(|_| "Medicina Legal".into()),
            sentence: format!("sentence at {start}"),
            start,
            end: start + 10,
            change: range.map(|_| Change::Decrease),
            location_from: Some(LocationFrom::Article),
        }
    }

    /// `count` articles, each with two statistics (a point and a range) and one entity.
    fn store_with(dir: &tempfile::TempDir, count: usize) -> Store {
        let store = Store::open(&dir.path().join("v.db")).unwrap();
        for i in 0..count {
            let url = format!("https://news.example/p{i}");
            let body = format!("Article {i}: more than {i} murders in Colombia, between 10 and 20 in 2023.");
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
                title: (i % 2 == 0).then(|| format!("Report {i}")),
                published: (i > 0).then(|| "2024-02-01".to_string()),
                body,
                fetched_at: page.fetched_at,
                ..NewArticle::default()
            };
            let extraction = Extraction {
                relevance: 0.75,
                topics: vec![Topic::Homicide],
                statistics: vec![
                    statistic(Some(i as f64), None, None, 8),
                    statistic(None, Some((10.0, 20.0)), Some(2023), 40),
                ],
                entities: vec![Entity {
                    kind: EntityType::Location,
                    name: "Colombia".into(),
                    role: None,
                    country: Some("CO".into()),
                    start: 30,
                    end: 38,
                }],
            };
            store.save_article(&page, &article, &extraction).unwrap();
        }
        store
    }

    fn read_back(path: &Path) -> (SchemaRef, Vec<RecordBatch>) {
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
        let schema = reader.schema().clone();
        let batches = reader.build().unwrap().collect::<Result<Vec<_>, _>>().unwrap();
        (schema, batches)
    }

    #[test]
    fn statistics_read_back_with_names_types_and_values() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with(&dir, 2);
        let path = dir.path().join("statistics.parquet");
        let n = export_parquet(&store, Table::Statistics, &ExportFilter::default(), &path).unwrap();
        assert_eq!(n, 4);
        assert_eq!(&std::fs::read(&path).unwrap()[..4], b"PAR1");

        let (schema, batches) = read_back(&path);
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, crate::export::names(STATISTIC_COLUMNS));
        let type_of = |name: &str| schema.field_with_name(name).unwrap().data_type().clone();
        assert_eq!(type_of("article_url"), DataType::Utf8);
        assert_eq!(type_of("value"), DataType::Float64);
        assert_eq!(type_of("high"), DataType::Float64);
        assert_eq!(type_of("year"), DataType::Int32);
        assert_eq!(type_of("start"), DataType::Int64);
        assert!(schema.field_with_name("published").unwrap().is_nullable());
        assert!(!schema.field_with_name("sentence").unwrap().is_nullable());

        assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 4);
        let batch = &batches[0];
        let col = |name: &str| batch.column_by_name(name).unwrap().clone();
        let urls = col("article_url");
        let urls = urls.as_string::<i32>();
        assert_eq!(urls.value(0), "https://news.example/p0");
        assert_eq!(urls.value(3), "https://news.example/p1");
        // Dates are timestamps in UTC, a bare date its midnight.
        assert_eq!(type_of("published"), DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())));
        let published = col("published");
        let published = published.as_primitive::<TimestampMicrosecondType>();
        assert!(published.is_null(0), "the first article has no date");
        assert_eq!(
            published.value(2),
            Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap().timestamp_micros()
        );

        // Row 2 is the point figure of article 1, row 3 its range.
        let value = col("value");
        let value = value.as_primitive::<Float64Type>();
        assert_eq!(value.value(2), 1.0);
        assert!(value.is_null(3));
        let low = col("low");
        let high = col("high");
        assert_eq!(low.as_primitive::<Float64Type>().value(3), 10.0);
        assert_eq!(high.as_primitive::<Float64Type>().value(3), 20.0);
        let year = col("year");
        let year = year.as_primitive::<Int32Type>();
        assert!(year.is_null(2));
        assert_eq!(year.value(3), 2023);
        let qualifier = col("qualifier");
        assert_eq!(qualifier.as_string::<i32>().value(2), "more_than");
        let attributed = col("attributed_to");
        assert_eq!(attributed.as_string::<i32>().value(3), "Medicina Legal");
        let start = col("start");
        let end = col("end");
        assert_eq!(start.as_primitive::<Int64Type>().value(3), 40);
        assert_eq!(end.as_primitive::<Int64Type>().value(3), 50);

        // The version-2 fields: nullable text, null for a level.
        for name in ["change", "location_from"] {
            let field = schema.field_with_name(name).unwrap();
            assert_eq!((field.data_type(), field.is_nullable()), (&DataType::Utf8, true), "{name}");
        }
        let change = col("change");
        let change = change.as_string::<i32>();
        assert!(change.is_null(2));
        assert_eq!(change.value(3), "decrease");
        let from = col("location_from");
        assert_eq!(from.as_string::<i32>().value(2), "article");
    }

    #[test]
    fn rows_span_several_batches_and_the_filter_applies() {
        let dir = tempfile::tempdir().unwrap();
        let count = BATCH_ROWS + 10;
        let store = store_with(&dir, count);
        let path = dir.path().join("entities.parquet");
        let n = export_parquet(&store, Table::Entities, &ExportFilter::default(), &path).unwrap();
        assert_eq!(n, count as u64);
        let (schema, batches) = read_back(&path);
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, crate::export::names(ENTITY_COLUMNS));
        assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), count);
        let last = batches.last().unwrap();
        let urls = last.column_by_name("article_url").unwrap();
        let urls = urls.as_string::<i32>();
        assert_eq!(urls.value(urls.len() - 1), format!("https://news.example/p{}", count - 1));

        // Every article but the first was published before this; the first, undated, is kept
        // by its fetch date.
        let filter = ExportFilter {
            since: NaiveDate::from_ymd_opt(2024, 2, 15),
            ..ExportFilter::default()
        };
        let n = export_parquet(&store, Table::Entities, &filter, &path).unwrap();
        assert_eq!(n, 1);
        assert_eq!(read_back(&path).1.iter().map(RecordBatch::num_rows).sum::<usize>(), 1);
    }

    #[test]
    fn articles_have_typed_relevance_and_nullable_titles() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with(&dir, 2);
        let path = dir.path().join("articles.parquet");
        assert_eq!(export_parquet(&store, Table::Articles, &ExportFilter::default(), &path).unwrap(), 2);
        let (schema, batches) = read_back(&path);
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, crate::export::names(ARTICLE_COLUMNS));
        let batch = &batches[0];
        let relevance = batch.column_by_name("relevance").unwrap();
        assert_eq!(relevance.as_primitive::<Float64Type>().value(1), 0.75);
        let titles = batch.column_by_name("title").unwrap().as_string::<i32>();
        assert_eq!(titles.value(0), "Report 0");
        assert!(titles.is_null(1));
    }

    #[test]
    fn every_version_is_written_with_its_number_and_when_it_was_superseded() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("v.db")).unwrap();
        let url = "https://news.example/corrected";
        for (hour, figure) in [(1, "310"), (2, "301")] {
            let body = format!(
                "The coroner's office counted {figure} murders in the department between January and March, \
                 more than in the same months of last year, officials said on Friday."
            );
            let fetched_at = Utc.with_ymd_and_hms(2024, 4, 2, hour, 0, 0).unwrap();
            let page = PageRecord {
                url: url.into(),
                final_url: url.into(),
                source: "wire".into(),
                status: Some(200),
                body: Some(body.clone().into_bytes()),
                fetched_at,
                ..PageRecord::default()
            };
            let article = NewArticle {
                canonical_url: url.into(),
                url: url.into(),
                source: "wire".into(),
                body,
                fetched_at,
                ..NewArticle::default()
            };
            let extraction = Extraction {
                statistics: vec![statistic(Some(1.0), None, None, 30)],
                ..Extraction::default()
            };
            store.save_article(&page, &article, &extraction).unwrap();
        }
        let path = dir.path().join("statistics.parquet");
        let every = ExportFilter {
            versions: Versions::All,
            ..ExportFilter::default()
        };
        assert_eq!(export_parquet(&store, Table::Statistics, &every, &path).unwrap(), 2);
        let (schema, batches) = read_back(&path);
        let field = |name: &str| schema.field_with_name(name).unwrap().clone();
        assert_eq!(
            (field("version").data_type(), field("version").is_nullable()),
            (&DataType::Int64, false)
        );
        assert_eq!(
            (field("superseded_at").data_type(), field("superseded_at").is_nullable()),
            (&DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())), true)
        );
        let version = batches[0].column_by_name("version").unwrap().as_primitive::<Int64Type>().clone();
        assert_eq!((version.value(0), version.value(1)), (1, 2));
        let superseded = batches[0]
            .column_by_name("superseded_at")
            .unwrap()
            .as_primitive::<TimestampMicrosecondType>()
            .clone();
        assert_eq!(
            superseded.value(0),
            Utc.with_ymd_and_hms(2024, 4, 2, 2, 0, 0).unwrap().timestamp_micros()
        );
        assert!(superseded.is_null(1));
        // The default filter takes the current version only.
        assert_eq!(
            export_parquet(&store, Table::Statistics, &ExportFilter::default(), &path).unwrap(),
            1
        );
    }

    #[test]
    fn stored_dates_and_instants_become_utc_microseconds() {
        let at = |y, mo, d, h, mi, s| Some(Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap().timestamp_micros());
        assert_eq!(micros("2024-03-15"), at(2024, 3, 15, 0, 0, 0));
        assert_eq!(micros("2024-03-15T10:20:30Z"), at(2024, 3, 15, 10, 20, 30));
        assert_eq!(micros("2024-03-15T10:20:30-05:00"), at(2024, 3, 15, 15, 20, 30));
        assert_eq!(micros("March 2024"), None);
        assert_eq!(micros("2024-02-30"), None);
    }

    #[test]
    fn an_empty_export_is_still_a_readable_file_with_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("empty.db")).unwrap();
        let path = dir.path().join("empty.parquet");
        assert_eq!(
            export_parquet(&store, Table::Statistics, &ExportFilter::default(), &path).unwrap(),
            0
        );
        let (schema, batches) = read_back(&path);
        assert_eq!(schema.fields().len(), STATISTIC_COLUMNS.len());
        assert!(batches.iter().all(|b| b.num_rows() == 0));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_gives_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with(&dir, 3);
        let err = export_parquet(&store, Table::Articles, &ExportFilter::default(), Path::new("/dev/full")).unwrap_err();
        assert!(matches!(err, ExportError::Io(_)), "{err}");
    }

    #[test]
    fn an_unwritable_path_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("v.db")).unwrap();
        let path = dir.path().join("missing").join("out.parquet");
        let err = export_parquet(&store, Table::Entities, &ExportFilter::default(), &path).unwrap_err();
        assert!(matches!(err, ExportError::Create { .. }), "{err}");
        assert!(err.to_string().contains("out.parquet"), "{err}");
    }
}
