//! `vigia sql`: one read-only query over the database, as a table, CSV or JSON.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::Global;

#[derive(Args)]
#[command(
    after_help = "Examples:\n  vigia sql \"SELECT topic, count(*) FROM statistics GROUP BY topic\"\n  \
vigia sql --format csv \"SELECT a.title, s.value, s.unit FROM statistics s JOIN articles a ON a.id = s.article_id\"\n  \
vigia sql \"SELECT title FROM articles_fts WHERE articles_fts MATCH 'cocaína'\"\n\n\
The database is opened read-only: statements that write are refused. See docs/schema.md for the tables."
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

pub fn run(global: &Global, args: SqlArgs) -> anyhow::Result<ExitCode> {
    let store = super::open_store_read_only(global)?;
    let result = store.query(&args.query)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        SqlFormat::Json => {
            for row in &result.rows {
                let obj: serde_json::Map<String, Value> = result.columns.iter().cloned().zip(row.iter().cloned()).collect();
                serde_json::to_writer(&mut out, &obj)?;
                writeln!(out)?;
            }
        }
        SqlFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(&result.columns)?;
            for row in &result.rows {
                let cells: Vec<_> = row.iter().map(vigia::export::csv_cell).collect();
                w.write_record(cells.iter().map(|c| c.as_bytes()))?;
            }
            w.flush()?;
        }
        SqlFormat::Table => {
            let cells: Vec<Vec<String>> = result
                .rows
                .iter()
                .map(|r| r.iter().map(|v| truncate(&cell(v), 60)).collect())
                .collect();
            super::print_table(&mut out, &result.columns, &cells)?;
            if !global.quiet {
                eprintln!("({} rows)", result.rows.len());
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn truncate(s: &str, max: usize) -> String {
    let flat = s.replace(['\n', '\r', '\t'], " ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max - 1).collect::<String>())
    }
}
