//! `vigia daemon`: runs forever, each source on its own cron schedule.
//!
//! A pass that fails (a database another program keeps busy, a failed write) is logged and
//! tried again at a later schedule, waiting longer after each failure in a row; only a bad
//! configuration or a database that cannot be opened at all at startup stops the daemon.

use std::process::ExitCode;
use std::time::Duration;

use chrono::Utc;
use clap::Args;
use tracing::{info, warn};
use vigia::config::Config;
use vigia::lock::{LockError, RunLock};
use vigia::pipeline::{self, PassReport, Selection, Shutdown};
use vigia::store::Store;

use super::{Global, open_config};

#[derive(Args)]
#[command(
    after_help = "SIGINT or SIGTERM finish the article in hand, commit, and exit 0 (network waits end at once); \
a second signal exits at once.\n\
The run lock is taken for each pass only, so `vigia run --source NAME` still works between passes.\n\
A pass that fails (for example on a database another program keeps busy) is logged and retried at a \
later schedule, at least 15 s later, doubling after each failure in a row up to an hour."
)]
pub struct DaemonArgs {}

/// Why a pass did not complete.
enum PassError {
    /// The database cannot be opened at all, and never was since the daemon started: stop.
    Unusable(anyhow::Error),
    /// Anything else: log it and retry later.
    Failed(anyhow::Error),
}

pub fn run(global: &Global, _args: DaemonArgs) -> anyhow::Result<ExitCode> {
    let config = open_config(global)?;
    if config.sources.is_empty() {
        return Err(super::UsageError(format!("{} lists no sources", config.path.display())).into());
    }
    super::ensure_parent(&config.database)?;
    let runtime = super::runtime()?;
    let shutdown = super::watch_signals();
    let mut failed_passes = 0u64;
    let mut failed_in_a_row = 0u32;
    let mut opened_once = false;
    super::notice(&format!(
        "vigia daemon: {} sources, database {}",
        config.sources.len(),
        config.database.display()
    ));
    while !shutdown.is_requested() {
        match pass(&config, &runtime, &shutdown, &mut opened_once) {
            Ok(Some(report)) => {
                failed_in_a_row = 0;
                if report.summary.sources > 0 {
                    super::notice(&format!(
                        "vigia daemon: {} {}",
                        Utc::now().format("%Y-%m-%d %H:%M:%S"),
                        report.line()
                    ));
                }
                if report.summary.failed > 0 {
                    failed_passes += 1;
                }
            }
            Ok(None) => {}
            Err(PassError::Unusable(e)) => return Err(e),
            Err(PassError::Failed(e)) => {
                failed_passes += 1;
                failed_in_a_row = failed_in_a_row.saturating_add(1);
                warn!(error = %format!("{e:#}"), "Pass failed; retrying at a later schedule.");
            }
        }
        let now = Utc::now();
        let not_before = now + chrono::Duration::from_std(backoff(failed_in_a_row)).unwrap_or_default();
        let next = config
            .sources
            .iter()
            .filter_map(|s| s.schedule.find_next_occurrence(&not_before, false).ok())
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
    super::notice(&format!("vigia daemon: stopped ({failed_passes} passes had failures)"));
    Ok(ExitCode::SUCCESS)
}

/// One pass under the run lock; `Ok(None)` when another run holds the lock.
fn pass(
    config: &Config,
    runtime: &tokio::runtime::Runtime,
    shutdown: &Shutdown,
    opened_once: &mut bool,
) -> Result<Option<PassReport>, PassError> {
    let _lock = match RunLock::acquire(&config.database) {
        Ok(lock) => lock,
        Err(held @ LockError::Held { .. }) => {
            warn!(error = %held, "Pass skipped.");
            return Ok(None);
        }
        Err(e) if !*opened_once => return Err(PassError::Unusable(e.into())),
        Err(e) => return Err(PassError::Failed(e.into())),
    };
    let store = match Store::open(&config.database) {
        Ok(store) => store,
        // A busy database opens once the other program lets go; anything else at startup
        // (not a database, a newer schema, no permission) will not mend by waiting.
        Err(e) if !*opened_once && !e.is_busy() => return Err(PassError::Unusable(e.into())),
        Err(e) => return Err(PassError::Failed(e.into())),
    };
    *opened_once = true;
    let report = runtime
        .block_on(pipeline::run(config, &store, &Selection::Due, shutdown))
        .map_err(|e| PassError::Failed(e.into()))?;
    warn_flagged(config, &store);
    Ok(Some(report))
}

/// Logs the configured sources `vigia status` would flag, so a daemon's log shows them too.
fn warn_flagged(config: &Config, store: &Store) {
    let sources = match store.status() {
        Ok(sources) => sources,
        Err(e) => {
            warn!(error = %e, "Cannot read source health.");
            return;
        }
    };
    for source in sources.iter().filter(|s| config.sources.iter().any(|c| c.name == s.name)) {
        if !source.health.flags.is_empty() {
            warn!(source = %source.name, flags = %source.health.flags.join(" "), "Source flagged; see `vigia status`.");
        }
    }
}

/// How long to wait at least before the next pass after `failures` failed passes in a row:
/// nothing after a good pass, then 15 s, doubling up to an hour.
fn backoff(failures: u32) -> Duration {
    const FIRST: Duration = Duration::from_secs(15);
    const MOST: Duration = Duration::from_secs(3600);
    match failures {
        0 => Duration::ZERO,
        n => FIRST.saturating_mul(1 << (n - 1).min(16)).min(MOST),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_fifteen_seconds_up_to_an_hour() {
        assert_eq!(backoff(0), Duration::ZERO);
        assert_eq!(backoff(1), Duration::from_secs(15));
        assert_eq!(backoff(2), Duration::from_secs(30));
        assert_eq!(backoff(5), Duration::from_secs(240));
        assert_eq!(backoff(9), Duration::from_secs(3600));
        assert_eq!(backoff(u32::MAX), Duration::from_secs(3600));
    }
}
