//! `vigia run`: one pass over the due sources, made for cron.

use std::process::ExitCode;

use clap::Args;
use vigia::lock::{LockError, RunLock};
use vigia::pipeline::{self, Progress, Selection};
use vigia::store::Store;

use super::progress::{Bar, Conditions, Kind};
use super::{Global, open_config};

#[derive(Args)]
#[command(
    after_help = "Exit status: 0 success (or another run holds the lock), 1 some sources or pages failed \
(the rest was stored), 2 bad usage or configuration.\n\nFrom cron, every 15 minutes:\n  \
*/15 * * * * cd /srv/vigia && vigia run --config vigia.toml -q"
)]
pub struct RunArgs {
    /// Fetch every source now, due or not
    #[arg(long, conflicts_with = "source")]
    all: bool,
    /// Fetch only these sources now (repeatable)
    #[arg(long, value_name = "NAME")]
    source: Vec<String>,
}

pub fn run(global: &Global, args: RunArgs) -> anyhow::Result<ExitCode> {
    let config = open_config(global)?;
    let selection = if args.all {
        Selection::All
    } else if !args.source.is_empty() {
        Selection::Named(args.source)
    } else {
        Selection::Due
    };
    if let Selection::Named(names) = &selection
        && let Some(missing) = names.iter().find(|n| !config.sources.iter().any(|s| &s.name == *n))
    {
        return Err(super::UsageError(format!("no source named `{missing}` in {}", config.path.display())).into());
    }
    super::ensure_parent(&config.database)?;
    let _lock = match RunLock::acquire(&config.database) {
        Ok(lock) => lock,
        Err(held @ LockError::Held { .. }) => {
            super::notice(&format!("vigia run: {held}; nothing to do"));
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return Err(e.into()),
    };
    let store = Store::open(&config.database)?;
    let runtime = super::runtime()?;
    let shutdown = super::watch_signals();
    let progress = Progress::default();
    let bar = Bar::new(Conditions::of(global, false), "vigia run", Kind::Items);
    let report = bar.follow(
        || {
            runtime.block_on(async {
                store.sync_sources(&config.sources)?;
                let fetcher = pipeline::fetcher_for(&config, &store)?;
                pipeline::run_observed(
                    &config,
                    &store,
                    &fetcher,
                    &selection,
                    &shutdown,
                    &progress,
                    &pipeline::Claims::default(),
                )
                .await
            })
        },
        |bar| {
            let counts = progress.counts();
            bar.set_length(counts.total);
            bar.set_position(counts.done);
            let listing = if counts.parts_known < counts.parts {
                format!(", listing {} of {} sources", counts.parts - counts.parts_known, counts.parts)
            } else {
                String::new()
            };
            bar.set_message(format!("pages, {} new, {} failed{listing}", counts.new, counts.failed));
        },
    );
    drop(bar);
    super::stop_runtime(runtime);
    let report = report?;
    let line = format!("vigia run: {}", report.line());
    if report.summary.failed > 0 {
        super::alert(&line);
    } else {
        super::notice(&line);
    }
    for err in report.summary.errors.iter().take(20) {
        super::alert(&format!("  failed: {err}"));
    }
    Ok(if report.summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
