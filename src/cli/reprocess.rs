//! `vigia reprocess`: re-runs extraction over stored pages, without the network.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;
use vigia::lock::RunLock;
use vigia::pipeline::{self, Progress};
use vigia::store::{Regroup, Store};

use super::progress::{Bar, Conditions, Kind};
use super::{Global, parse_day};

#[derive(Args)]
#[command(after_help = "Run it after upgrading vigia: stored pages are read again with the new extractor.")]
pub struct ReprocessArgs {
    /// Only pages fetched on or after this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    since: Option<chrono::NaiveDate>,
}

pub fn run(global: &Global, args: ReprocessArgs) -> anyhow::Result<ExitCode> {
    let config = super::try_config(global)?;
    let db = super::database_path(global, config.as_ref())?;
    let _lock = RunLock::acquire(&db)?;
    let store = Store::open(&db)?;
    let since = args.since.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
    let progress = Progress::default();
    let grouping = AtomicBool::new(false);
    let bar = Bar::new(Conditions::of(global, false), "vigia reprocess", Kind::Items);
    let report = bar.follow(
        || -> anyhow::Result<_> {
            let report = pipeline::reprocess_observed(config.as_ref(), &store, since, &progress)?;
            // Figures were replaced wholesale: every claim and story is decided again.
            grouping.store(true, Ordering::Relaxed);
            store.regroup(Regroup::All)?;
            Ok(report)
        },
        |bar| {
            let counts = progress.counts();
            bar.set_length(counts.total);
            bar.set_position(counts.done);
            bar.set_message(if grouping.load(Ordering::Relaxed) {
                "grouping claims and stories".to_string()
            } else {
                format!("pages, {} re-extracted, {} failed", counts.new, counts.failed)
            });
        },
    )?;
    drop(bar);
    let mut notes = Vec::new();
    if report.versions > 0 {
        notes.push(format!("{} earlier versions from their own text", report.versions));
    }
    if report.recovered > 0 {
        notes.push(format!("{} new articles from pages that had none", report.recovered));
    }
    if report.duplicates > 0 {
        notes.push(format!("{} copies of other pages", report.duplicates));
    }
    if report.orphans > 0 {
        notes.push(format!("{} pages without an article", report.orphans));
    }
    if report.failed > 0 {
        notes.push(format!("{} pages failed", report.failed));
    }
    if report.unreadable > 0 {
        notes.push(format!(
            "{} pages could not be read (a damaged copy, or an archive gone or changed)",
            report.unreadable
        ));
    }
    let line = format!(
        "vigia reprocess: {} pages, {} articles re-extracted, {} statistics, {} entities{}",
        report.pages,
        report.articles,
        report.statistics,
        report.entities,
        if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join(", "))
        }
    );
    let partial = report.failed > 0 || report.unreadable > 0;
    if partial {
        super::alert(&line);
    } else {
        super::notice(&line);
    }
    Ok(if partial { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
