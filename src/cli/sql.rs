//! `vigia sql`: one read-only query over the database, as a table, CSV or JSON Lines.
//!
//! Rows are written as they are read, so a result of any size runs in flat memory.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::Global;
use super::table::TableWriter;

#[derive(Args)]
#[command(
    after_help = "Examples:\n  vigia sql \"SELECT topic, count(*) FROM statistics GROUP BY topic\"\n  \
vigia sql --format csv \"SELECT a.title, s.value, s.unit FROM statistics s JOIN articles a ON a.id = s.article_id\"\n  \
vigia sql \"SELECT title FROM articles_fts WHERE articles_fts MATCH 'cocaína'\"\n\n\
The database is opened read-only: statements that write are refused. See docs/schema.md for the tables.\n\
A table is sized on its first 1,000 rows; later cells are cut to fit (…). CSV and JSON keep every value whole."
)]
pub struct SqlArgs {
    /// The SELECT statement
    query: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = SqlFormat::Table)]
    format: SqlFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SqlFormat {
    Table,
    Csv,
    Json,
}

/// Rows a table is sized on before it starts printing; later rows are cut to those widths.
const TABLE_SIZING_ROWS: usize = 1000;

/// The widest a table cell gets, in characters.
const MAX_CELL_WIDTH: usize = 60;

pub fn run(global: &Global, args: SqlArgs) -> anyhow::Result<ExitCode> {
    let store = super::open_store_read_only(global)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        SqlFormat::Json => {
            store.query_each(
                &args.query,
                |columns| anyhow::Ok(columns.to_vec()),
                |columns, row| {
                    let obj: serde_json::Map<String, Value> = columns.iter().cloned().zip(row).collect();
                    serde_json::to_writer(&mut out, &obj)?;
                    writeln!(out)?;
                    Ok(())
                },
            )?;
        }
        SqlFormat::Csv => {
            let mut csv = store.query_each(
                &args.query,
                |columns| {
                    let mut w = csv::Writer::from_writer(&mut out);
                    w.write_record(columns)?;
                    anyhow::Ok(w)
                },
                |w, row| {
                    let cells: Vec<_> = row.iter().map(vigia::export::csv_cell).collect();
                    w.write_record(cells.iter().map(|c| c.as_bytes()))?;
                    Ok(())
                },
            )?;
            csv.flush()?;
        }
        SqlFormat::Table => {
            let table = store.query_each(
                &args.query,
                |columns| anyhow::Ok(StreamedTable::new(columns, &mut out)),
                |table, row| Ok(table.push(&row)?),
            )?;
            let rows = table.finish()?;
            // The rows first, then the count, even when both go to one terminal.
            out.flush()?;
            super::notice(&format!("({rows} {})", if rows == 1 { "row" } else { "rows" }));
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A table printed once its first rows are in (or the result ends), then row by row.
struct StreamedTable<'a> {
    out: &'a mut dyn Write,
    columns: Vec<String>,
    first: Vec<Vec<String>>,
    table: Option<TableWriter>,
    rows: u64,
}

impl<'a> StreamedTable<'a> {
    fn new(columns: &[String], out: &'a mut dyn Write) -> StreamedTable<'a> {
        StreamedTable {
            out,
            columns: columns.to_vec(),
            first: Vec::new(),
            table: None,
            rows: 0,
        }
    }

    fn push(&mut self, row: &[Value]) -> std::io::Result<()> {
        let cells: Vec<String> = row.iter().map(cell).collect();
        self.rows += 1;
        match &self.table {
            Some(table) => table.row(self.out, &cells),
            None => {
                self.first.push(cells);
                if self.first.len() >= TABLE_SIZING_ROWS {
                    self.start()?;
                }
                Ok(())
            }
        }
    }

    fn start(&mut self) -> std::io::Result<()> {
        let first = std::mem::take(&mut self.first);
        self.table = Some(TableWriter::start(self.out, &self.columns, &first, MAX_CELL_WIDTH)?);
        Ok(())
    }

    /// Prints what is still held; returns how many rows there were.
    fn finish(mut self) -> std::io::Result<u64> {
        if self.table.is_none() {
            self.start()?;
        }
        Ok(self.rows)
    }
}

/// A value as a table shows it (the table makes it safe for the terminal).
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_sized_on_its_first_rows_then_streams() {
        let mut out = Vec::new();
        let mut table = StreamedTable::new(&["n".to_string(), "text".to_string()], &mut out);
        for i in 0..TABLE_SIZING_ROWS {
            table.push(&[Value::from(i), Value::from("abc")]).unwrap();
        }
        // Printed as soon as the sizing rows are in.
        assert!(table.table.is_some() && table.first.is_empty());
        table.push(&[Value::from(-1), Value::from("longer than abc")]).unwrap();
        table.push(&[Value::Null, Value::from("x".repeat(500))]).unwrap();
        assert_eq!(table.finish().unwrap(), TABLE_SIZING_ROWS as u64 + 2);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), TABLE_SIZING_ROWS + 4);
        assert_eq!(lines[0], "n    text");
        assert_eq!(lines[2], "0    abc");
        assert_eq!(lines[TABLE_SIZING_ROWS + 2], "-1   lon…");
        assert_eq!(lines[TABLE_SIZING_ROWS + 3], "     xxx…");
    }

    #[test]
    fn a_short_result_is_printed_whole_at_the_end() {
        let mut out = Vec::new();
        let mut table = StreamedTable::new(&["text".to_string()], &mut out);
        table.push(&[Value::from("y".repeat(70))]).unwrap();
        assert!(table.table.is_none());
        assert_eq!(table.finish().unwrap(), 1);
        let text = String::from_utf8(out).unwrap();
        let last = text.lines().last().unwrap();
        assert_eq!(last.chars().count(), MAX_CELL_WIDTH);
        assert!(last.ends_with('…'));
    }

    #[test]
    fn an_empty_result_still_has_a_header() {
        let mut out = Vec::new();
        let table = StreamedTable::new(&["a".to_string(), "b".to_string()], &mut out);
        assert_eq!(table.finish().unwrap(), 0);
        assert_eq!(String::from_utf8(out).unwrap(), "a  b\n-  -\n");
    }
}
