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
    let last_run = store.last_run()?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let last = last_run
            .as_ref()
            .map(|r| serde_json::json!({ "started_at": r.started_at, "finished_at": r.finished_at, "summary": r.summary }));
        serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "sources": sources, "last_run": last }))?;
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
    super::table::print_table(&mut out, &columns, &rows)?;
    match last_run {
        Some(run) => {
            let s = &run.summary;
            let ended = run
                .finished_at
                .as_deref()
                .map(|f| format!("finished {f}"))
                .unwrap_or_else(|| "did not finish".into());
            writeln!(
                out,
                "\nlast run: started {}, {ended}: {} sources, {} pages fetched, {} not modified, {} failed, {} articles new, {} statistics, {} entities",
                run.started_at, s.sources, s.pages_fetched, s.not_modified, s.failed, s.articles_new, s.statistics, s.entities
            )?;
            for err in s.errors.iter().take(10) {
                // Errors quote what servers and pages sent.
                writeln!(out, "  failed: {}", super::table::terminal_text(err))?;
            }
        }
        None => writeln!(out, "\nno run yet")?,
    }
    let total = store.articles_count()?;
    writeln!(out, "{total} articles stored")?;
    Ok(ExitCode::SUCCESS)
}
