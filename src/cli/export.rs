//! `vigia export`: articles, statistics or entities as CSV or JSON Lines, with provenance.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use vigia::export::{self, Format};
use vigia::store::ExportFilter;

use super::{Global, UsageError, parse_day};

#[derive(Args)]
#[command(after_help = "Examples:\n  vigia export statistics --format csv > figures.csv\n  \
vigia export entities --format jsonl --since 2024-01-01 --out entities.jsonl\n\n\
Every row carries its provenance: article_url, published and source.")]
pub struct ExportArgs {
    /// What to export
    #[arg(value_enum)]
    what: What,
    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    format: FormatArg,
    /// Only articles published on or after this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    since: Option<chrono::NaiveDate>,
    /// Only articles published on or before this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    until: Option<chrono::NaiveDate>,
    /// Only articles at least this security-relevant (0..1)
    #[arg(long, value_name = "SCORE")]
    min_relevance: Option<f64>,
    /// Write to this file instead of standard output (written whole, then moved in place)
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum What {
    Statistics,
    Articles,
    Entities,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Csv,
    Jsonl,
    Parquet,
}

pub fn run(global: &Global, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let format = match args.format {
        FormatArg::Csv => Format::Csv,
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Parquet => {
            return Err(UsageError(
                "--format parquet is not available in this version of vigia; use --format csv or --format jsonl".into(),
            )
            .into());
        }
    };
    if let Some(m) = args.min_relevance
        && !(0.0..=1.0).contains(&m)
    {
        return Err(UsageError(format!("--min-relevance must be between 0 and 1, got {m}")).into());
    }
    let store = super::open_store_read_only(global)?;
    let filter = ExportFilter {
        since: args.since,
        until: args.until,
        min_relevance: args.min_relevance,
    };
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
            // Written beside the target and renamed, so a crash never leaves half a file.
            let mut tmp_name = path.as_os_str().to_owned();
            tmp_name.push(".partial");
            let tmp = PathBuf::from(tmp_name);
            let file = std::fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let rows = write(&mut out)?;
            out.flush()?;
            drop(out);
            std::fs::rename(&tmp, path).with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))?;
            if !global.quiet {
                eprintln!("vigia export: {rows} rows written to {}", path.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
