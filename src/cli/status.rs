//! `vigia status`: sources, last fetch, errors, counts, and each source's health flags.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use vigia::store::SourceStatus;

use super::Global;

#[derive(Args)]
#[command(
    after_help = "Flags: failing (its feed, sitemap or page, or every page it offered, failed in the last 2 passes), \
silent (no new article for 3 times its usual gap between articles, and at least 3 days), \
blocked (the last 3 fetches or more answered 403, 429 or a long Retry-After), \
empty (in 7 days, at least 3 pages and 80% of those fetched gave no text: a paywall or a page built by JavaScript).\n\n\
Exit status: 0 when no configured source is flagged, 1 when one is (so cron or a systemd timer reports it), \
2 bad usage or configuration."
)]
pub struct StatusArgs {
    /// Print JSON instead of a table
    #[arg(long)]
    json: bool,
}

pub fn run(global: &Global, args: StatusArgs) -> anyhow::Result<ExitCode> {
    let store = super::open_store_read_only(global)?;
    let mut sources = store.status()?;
    // A source no longer configured is shown but not judged: nobody fetches it any more.
    // Without a configuration (`--db` alone) every source is judged.
    if let Some(config) = super::try_config(global).ok().flatten() {
        for source in &mut sources {
            if !config.sources.iter().any(|s| s.name == source.name) {
                source.health.flags.clear();
            }
        }
    }
    let flagged: Vec<&str> = sources
        .iter()
        .filter(|s| !s.health.flags.is_empty())
        .map(|s| s.name.as_str())
        .collect();
    let exit = if flagged.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) };
    let last_run = store.last_run()?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let last = last_run
            .as_ref()
            .map(|r| serde_json::json!({ "started_at": r.started_at, "finished_at": r.finished_at, "summary": r.summary }));
        serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({ "sources": sources, "last_run": last, "flagged": flagged }),
        )?;
        writeln!(out)?;
        return Ok(exit);
    }
    let columns = [
        "source",
        "kind",
        "last fetch",
        "last success",
        "errors in a row",
        "new 7d",
        "new 30d",
        "usual 30d",
        "articles",
        "flags",
        "last error",
    ]
    .map(String::from);
    let rows: Vec<Vec<String>> = sources.iter().map(row).collect();
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
    if !flagged.is_empty() {
        writeln!(out, "flagged: {} (see `vigia help status` for the rules)", flagged.join(", "))?;
    }
    Ok(exit)
}

/// One source's line of the table.
fn row(s: &SourceStatus) -> Vec<String> {
    let h = &s.health;
    let streak = match (&h.error_kind, h.error_streak) {
        (_, 0) => "0".to_string(),
        (Some(kind), n) => format!("{n} ({kind})"),
        (None, n) => n.to_string(),
    };
    let streak = match &h.backoff_until {
        Some(until) => format!("{streak}, waits until {until}"),
        None => streak,
    };
    vec![
        s.name.clone(),
        s.kind.clone(),
        s.last_fetch_at.clone().unwrap_or_else(|| "never".into()),
        h.last_success_at.clone().unwrap_or_else(|| "never".into()),
        streak,
        h.articles_7d.to_string(),
        h.articles_30d.to_string(),
        h.usual_30d.map(|u| format!("{u:.1}")).unwrap_or_else(|| "-".into()),
        s.articles.to_string(),
        h.flags.join(" "),
        s.last_error.clone().unwrap_or_default(),
    ]
}
