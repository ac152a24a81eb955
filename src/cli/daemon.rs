//! `vigia daemon`: runs forever, each source on its own cron schedule.

use std::process::ExitCode;

use chrono::Utc;
use clap::Args;
use tracing::{info, warn};
use vigia::lock::{LockError, RunLock};
use vigia::pipeline::{self, Selection};
use vigia::store::Store;

use super::{Global, open_config};

#[derive(Args)]
#[command(after_help = "SIGINT or SIGTERM finish the article in hand, commit, and exit 0.\n\
The run lock is taken for each pass only, so `vigia run --source NAME` still works between passes.")]
pub struct DaemonArgs {}

pub fn run(global: &Global, _args: DaemonArgs) -> anyhow::Result<ExitCode> {
    let config = open_config(global)?;
    if config.sources.is_empty() {
        return Err(super::UsageError(format!("{} lists no sources", config.path.display())).into());
    }
    super::ensure_parent(&config.database)?;
    let runtime = super::runtime()?;
    let shutdown = super::watch_signals();
    let mut failed_passes = 0u64;
    eprintln!(
        "vigia daemon: {} sources, database {}",
        config.sources.len(),
        config.database.display()
    );
    while !shutdown.is_requested() {
        match RunLock::acquire(&config.database) {
            Ok(_lock) => {
                let store = Store::open(&config.database)?;
                let report = runtime.block_on(pipeline::run(&config, &store, &Selection::Due, &shutdown))?;
                if report.summary.sources > 0 {
                    eprintln!("vigia daemon: {} {}", Utc::now().format("%Y-%m-%d %H:%M:%S"), report.line());
                }
                if report.summary.failed > 0 {
                    failed_passes += 1;
                }
            }
            Err(held @ LockError::Held { .. }) => warn!(error = %held, "Pass skipped."),
            Err(e) => return Err(e.into()),
        }
        let now = Utc::now();
        let next = config
            .sources
            .iter()
            .filter_map(|s| s.schedule.find_next_occurrence(&now, false).ok())
            .min();
        let Some(next) = next else {
            return Err(super::UsageError("no schedule ever fires again".into()).into());
        };
        info!(next = %next, "Sleeping until the next schedule.");
        let wait = (next - now).to_std().unwrap_or_default();
        runtime.block_on(async {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                () = shutdown.requested() => {}
            }
        });
    }
    eprintln!("vigia daemon: stopped ({failed_passes} passes had failures)");
    Ok(ExitCode::SUCCESS)
}
