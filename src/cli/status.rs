//! `vigia status`: sources, last fetch, errors, counts.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::Global;

#[derive(Args)]
pub struct StatusArgs {
    /// Print JSON instead of a table
    #[arg(long)]
    json: bool,
}

pub fn run(global: &Global, args: StatusArgs) -> anyhow::Result<ExitCode> {
    let store = super::open_store_read_only(global)?;
    let sources = store.status()?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &sources)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let columns = [
        "source",
        "kind",
        "last fetch",
        "articles",
        "statistics",
        "failed pages",
        "last error",
    ]
    .map(String::from);
    let rows: Vec<Vec<String>> = sources
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.kind.clone(),
                s.last_fetch_at.clone().unwrap_or_else(|| "never".into()),
                s.articles.to_string(),
                s.statistics.to_string(),
                s.failed_pages.to_string(),
                s.last_error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    super::print_table(&mut out, &columns, &rows)?;
    Ok(ExitCode::SUCCESS)
}
