//! `vigia export`: articles, statistics or entities as CSV, JSON Lines or Parquet, with provenance.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use vigia::export::{self, Format, Table};
use vigia::store::ExportFilter;

use super::{FilterArgs, Global, UsageError};

#[derive(Args)]
#[command(after_help = "Examples:\n  vigia export statistics --format csv > figures.csv\n  \
vigia export entities --format jsonl --since 2024-01-01 --out entities.jsonl\n  \
vigia export statistics --format parquet --out figures.parquet\n\n\
Every row carries its provenance: article_url, published and source.\n\
Parquet is written to a file only, so it needs --out.")]
pub struct ExportArgs {
    /// What to export
    #[arg(value_enum)]
    what: What,
    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    format: FormatArg,
    #[command(flatten)]
    filter: FilterArgs,
    /// Write to this file instead of standard output (written whole, then moved in place;
    /// required for parquet)
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum What {
    Statistics,
    Articles,
    Entities,
}

impl What {
    fn table(self) -> Table {
        match self {
            What::Statistics => Table::Statistics,
            What::Articles => Table::Articles,
            What::Entities => Table::Entities,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Csv,
    Jsonl,
    Parquet,
}

pub fn run(global: &Global, args: ExportArgs) -> anyhow::Result<ExitCode> {
    // Parquet stays a listed format in builds without it, so the refusal can say why.
    let format = match args.format {
        FormatArg::Csv => Format::Csv,
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Parquet => parquet_format()?,
    };
    if args.format == FormatArg::Parquet && args.out.is_none() {
        return Err(UsageError("--format parquet needs --out FILE: Parquet is not written to standard output".into()).into());
    }
    let store = super::open_store_read_only(global)?;
    let filter = args.filter.to_filter()?;
    let write = |out: &mut dyn Write| -> anyhow::Result<u64> {
        Ok(match args.what {
            What::Statistics => export::export_statistics(&store, &filter, format, out)?,
            What::Articles => export::export_articles(&store, &filter, format, out)?,
            What::Entities => export::export_entities(&store, &filter, format, out)?,
        })
    };
    match &args.out {
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            write(&mut out)?;
            out.flush()?;
        }
        Some(path) => {
            // Written beside the target and renamed, so a crash never leaves half a file. A
            // device or a pipe (`/dev/stdout`, a FIFO) is written in place: a rename would
            // replace it with a regular file.
            let tmp = if is_device_or_pipe(path) {
                path.clone()
            } else {
                let mut tmp_name = path.as_os_str().to_owned();
                tmp_name.push(".partial");
                PathBuf::from(tmp_name)
            };
            let written = if args.format == FormatArg::Parquet {
                write_parquet(&store, args.what.table(), &filter, &tmp)
            } else {
                write_stream(&tmp, write)
            };
            let rows = match written {
                Ok(rows) => rows,
                Err(e) => {
                    if tmp != *path {
                        // Best effort: the error that stopped the export is the one to report.
                        let _ = std::fs::remove_file(&tmp);
                    }
                    return Err(e);
                }
            };
            if tmp != *path {
                std::fs::rename(&tmp, path).with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))?;
            }
            if !global.quiet {
                eprintln!("vigia export: {rows} rows written to {}", path.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn is_device_or_pipe(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

fn write_stream(tmp: &Path, write: impl FnOnce(&mut dyn Write) -> anyhow::Result<u64>) -> anyhow::Result<u64> {
    let file = std::fs::File::create(tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let rows = write(&mut out)?;
    out.flush()?;
    Ok(rows)
}

#[cfg(feature = "parquet")]
fn parquet_format() -> anyhow::Result<Format> {
    Ok(Format::Parquet)
}

#[cfg(not(feature = "parquet"))]
fn parquet_format() -> anyhow::Result<Format> {
    Err(UsageError(export::PARQUET_UNAVAILABLE.into()).into())
}

#[cfg(feature = "parquet")]
fn write_parquet(store: &vigia::store::Store, table: Table, filter: &ExportFilter, tmp: &Path) -> anyhow::Result<u64> {
    Ok(export::export_parquet(store, table, filter, tmp)?)
}

#[cfg(not(feature = "parquet"))]
fn write_parquet(_: &vigia::store::Store, _: Table, _: &ExportFilter, _: &Path) -> anyhow::Result<u64> {
    Err(UsageError(export::PARQUET_UNAVAILABLE.into()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_devices_and_pipes_are_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out.csv");
        assert!(!is_device_or_pipe(&file), "missing");
        std::fs::write(&file, "x").unwrap();
        assert!(!is_device_or_pipe(&file), "regular file");
        assert!(!is_device_or_pipe(dir.path()), "directory");
        #[cfg(unix)]
        assert!(is_device_or_pipe(Path::new("/dev/null")));
    }
}
