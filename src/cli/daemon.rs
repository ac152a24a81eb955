//! `vigia daemon`: runs forever, each source on its own cron schedule.
//!
//! Every source has a loop of its own: it sleeps until the source is due, runs a pass of that
//! source alone, and sleeps again, so a slow source delays no other. The loops share one
//! thread, one database connection (so writes never interleave) and one fetcher (so per-host
//! pacing and robots.txt hold across sources). A source's pass that fails (a database another
//! program keeps busy, a failed write) is logged and tried again later, waiting longer after
//! each failure in a row; only a bad configuration or a database that cannot be opened at all
//! at startup stops the daemon. SIGHUP reads the configuration again: sleeping sources stop
//! at once, passes in progress finish, then every source starts over under the new one.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use chrono::Utc;
use clap::Args;
use tracing::{info, warn};
use vigia::config::{Config, SourceConfig};
use vigia::fetch::Fetcher;
use vigia::lock::{LockError, RunLock};
use vigia::pipeline::{self, Selection, Shutdown};
use vigia::store::Store;

use super::{Global, open_config};

#[derive(Args)]
#[command(
    after_help = "Each source runs on its own schedule, independently of the others: a slow source delays no other.\n\
SIGINT or SIGTERM end every network wait at once, store and commit what is in hand, and exit 0; \
a second signal exits at once.\n\
SIGHUP reads the configuration again (a bad one is logged and the old one kept): passes in \
progress finish first.\n\
The run lock is held only while some source's pass runs, so `vigia run --source NAME` still works between passes.\n\
A pass that fails (for example on a database another program keeps busy) is logged and retried at a \
later schedule, at least 15 s later, doubling after each failure in a row up to an hour."
)]
pub struct DaemonArgs {}

pub fn run(global: &Global, _args: DaemonArgs) -> anyhow::Result<ExitCode> {
    let mut config = open_config(global)?;
    if config.sources.is_empty() {
        return Err(super::UsageError(format!("{} lists no sources", config.path.display())).into());
    }
    super::ensure_parent(&config.database)?;
    let runtime = super::runtime()?;
    let (shutdown, reload) = super::watch_signals_and_reload();
    let failed_passes = Cell::new(0u64);
    super::notice(&format!(
        "vigia daemon: {} sources, database {}",
        config.sources.len(),
        config.database.display()
    ));
    let mut opened_once = false;
    let mut failed_starts = 0u32;
    while !shutdown.is_requested() {
        let generation = reload.token();
        let Some(store) = runtime.block_on(open_store(&config.database, &shutdown, &generation, &mut opened_once))? else {
            if generation.is_requested() && !shutdown.is_requested() {
                config = reloaded(global, config);
            }
            continue;
        };
        let served = runtime.block_on(serve(&config, &store, &shutdown, &generation, &failed_passes));
        drop(store);
        if matches!(served, Ok(Served::Nothing)) {
            super::stop_runtime(runtime);
            return Err(super::UsageError("no source's schedule ever fires again".into()).into());
        }
        if let Err(e) = served {
            failed_passes.set(failed_passes.get() + 1);
            failed_starts = failed_starts.saturating_add(1);
            warn!(error = %format!("{e:#}"), "Cannot start the sources; trying again later.");
            if runtime.block_on(wait(backoff(failed_starts), &shutdown, &generation)) {
                continue;
            }
        } else {
            failed_starts = 0;
        }
        if !shutdown.is_requested() {
            config = reloaded(global, config);
        }
    }
    super::stop_runtime(runtime);
    super::notice(&format!("vigia daemon: stopped ({} passes had failures)", failed_passes.get()));
    Ok(ExitCode::SUCCESS)
}

/// The configuration read again, or `old` when the new one is bad (logged).
fn reloaded(global: &Global, old: Config) -> Config {
    match open_config(global) {
        Ok(new) if new.sources.is_empty() => {
            warn!(config = %new.path.display(), "The configuration lists no sources; keeping the old one.");
            old
        }
        Ok(new) => {
            super::notice(&format!("vigia daemon: configuration read again, {} sources", new.sources.len()));
            new
        }
        Err(e) => {
            warn!(error = %format!("{e:#}"), "Cannot read the configuration again; keeping the old one.");
            old
        }
    }
}

/// Opens (and, under the run lock, migrates) the database, trying again while another run
/// holds the lock or another program keeps it busy. None when a stop or reload came first.
/// Anything else at startup (not a database, a newer schema, no permission) will not mend by
/// waiting and stops the daemon; once the daemon has opened it, it is retried like the rest.
async fn open_store(database: &Path, shutdown: &Shutdown, reload: &Shutdown, opened_once: &mut bool) -> anyhow::Result<Option<Store>> {
    let mut failures = 0u32;
    loop {
        // (error, whether waiting can mend it)
        let opened: Result<Store, (anyhow::Error, bool)> = match RunLock::acquire(database) {
            Err(held @ LockError::Held { .. }) => Err((held.into(), true)),
            Err(e) => Err((e.into(), false)),
            Ok(_lock) => Store::open(database).map_err(|e| {
                let busy = e.is_busy();
                (e.into(), busy)
            }),
        };
        match opened {
            Ok(store) => {
                *opened_once = true;
                return Ok(Some(store));
            }
            Err((e, false)) if !*opened_once => return Err(e),
            Err((e, _)) => {
                failures = failures.saturating_add(1);
                warn!(error = %format!("{e:#}"), "Cannot open the database; trying again later.");
            }
        }
        if !wait(backoff(failures), shutdown, reload).await {
            return Ok(None);
        }
    }
}

/// Sleeps `wait`; false when a stop or reload came first.
async fn wait(wait: Duration, shutdown: &Shutdown, reload: &Shutdown) -> bool {
    tokio::select! {
        () = tokio::time::sleep(wait) => true,
        () = shutdown.requested() => false,
        () = reload.requested() => false,
    }
}

/// How [`serve`] ended.
enum Served {
    /// A stop or reload was asked for.
    Asked,
    /// Every source's loop ended by itself: no schedule fires again.
    Nothing,
}

/// Runs every source's loop until a stop or reload.
async fn serve(
    config: &Config,
    store: &Store,
    shutdown: &Shutdown,
    reload: &Shutdown,
    failed_passes: &Cell<u64>,
) -> anyhow::Result<Served> {
    store.sync_sources(&config.sources)?;
    let fetcher = pipeline::fetcher_for(config, store)?;
    let lock = SharedLock::new(&config.database);
    let claims = pipeline::Claims::default();
    let daemon = Daemon {
        config,
        store,
        fetcher: &fetcher,
        claims: &claims,
        lock: &lock,
        shutdown,
        reload,
        failed_passes,
    };
    futures_util::future::join_all(config.sources.iter().map(|source| daemon.source_loop(source))).await;
    Ok(if shutdown.is_requested() || reload.is_requested() {
        Served::Asked
    } else {
        Served::Nothing
    })
}

/// What the sources' loops share.
struct Daemon<'a> {
    config: &'a Config,
    store: &'a Store,
    fetcher: &'a Fetcher,
    /// The articles the passes running now are taking: one listed by two sources whose
    /// passes overlap is downloaded by one of them.
    claims: &'a pipeline::Claims,
    lock: &'a SharedLock,
    shutdown: &'a Shutdown,
    reload: &'a Shutdown,
    failed_passes: &'a Cell<u64>,
}

impl Daemon<'_> {
    /// One source, pass after pass, each when its schedule fires (or its backoff ends).
    async fn source_loop(&self, source: &SourceConfig) {
        let mut failed_in_a_row = 0u32;
        loop {
            let now = Utc::now();
            let due = match pipeline::next_due(source, self.store, now) {
                Ok(Some(due)) => due,
                Ok(None) => {
                    warn!(source = %source.name, "Its schedule never fires again.");
                    return;
                }
                Err(e) => {
                    failed_in_a_row = failed_in_a_row.saturating_add(1);
                    warn!(source = %source.name, error = %e, "Cannot tell when it is due.");
                    now
                }
            };
            let not_before = now + chrono::Duration::from_std(backoff(failed_in_a_row)).unwrap_or_default();
            let next = due.max(not_before);
            info!(source = %source.name, next = %next, "Sleeping until the source is due.");
            if !wait((next - now).to_std().unwrap_or_default(), self.shutdown, self.reload).await {
                return;
            }
            match self.pass(source).await {
                Ok(()) => failed_in_a_row = 0,
                Err(e) => {
                    self.failed_passes.set(self.failed_passes.get() + 1);
                    failed_in_a_row = failed_in_a_row.saturating_add(1);
                    warn!(source = %source.name, error = %format!("{e:#}"), "Pass failed; retrying later.");
                }
            }
            if self.shutdown.is_requested() || self.reload.is_requested() {
                return;
            }
        }
    }

    /// One pass of `source` under the run lock.
    async fn pass(&self, source: &SourceConfig) -> anyhow::Result<()> {
        let _held = self.lock.hold()?;
        let selection = Selection::Named(vec![source.name.clone()]);
        let report = pipeline::run_with(self.config, self.store, self.fetcher, &selection, self.shutdown, self.claims).await?;
        super::notice(&format!(
            "vigia daemon: {} {}: {}",
            Utc::now().format("%Y-%m-%d %H:%M:%S"),
            source.name,
            report.line()
        ));
        if report.summary.failed > 0 {
            self.failed_passes.set(self.failed_passes.get() + 1);
        }
        warn_flagged(self.store, &source.name);
        Ok(())
    }
}

/// The run lock, held while at least one source's pass runs.
struct SharedLock {
    database: PathBuf,
    held: RefCell<Option<RunLock>>,
    users: Cell<usize>,
}

/// One pass's share of the [`SharedLock`]; the last one out lets the lock go.
struct Held<'a>(&'a SharedLock);

impl SharedLock {
    fn new(database: &Path) -> SharedLock {
        SharedLock {
            database: database.to_path_buf(),
            held: RefCell::new(None),
            users: Cell::new(0),
        }
    }

    fn hold(&self) -> Result<Held<'_>, LockError> {
        if self.held.borrow().is_none() {
            *self.held.borrow_mut() = Some(RunLock::acquire(&self.database)?);
        }
        self.users.set(self.users.get() + 1);
        Ok(Held(self))
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let users = self.0.users.get().saturating_sub(1);
        self.0.users.set(users);
        if users == 0 {
            self.0.held.borrow_mut().take();
        }
    }
}

/// Logs it when `vigia status` would flag `source`, so a daemon's log shows it too.
fn warn_flagged(store: &Store, source: &str) {
    let sources = match store.status() {
        Ok(sources) => sources,
        Err(e) => {
            warn!(error = %e, "Cannot read source health.");
            return;
        }
    };
    for status in sources.iter().filter(|s| s.name == source) {
        if !status.health.flags.is_empty() {
            warn!(source = %status.name, flags = %status.health.flags.join(" "), "Source flagged; see `vigia status`.");
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

    #[test]
    fn the_run_lock_is_held_while_any_pass_runs_and_let_go_after_the_last() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("v.db");
        let lock = SharedLock::new(&db);
        let first = lock.hold().unwrap();
        let second = lock.hold().unwrap();
        assert!(matches!(RunLock::acquire(&db), Err(LockError::Held { .. })));
        drop(first);
        assert!(matches!(RunLock::acquire(&db), Err(LockError::Held { .. })), "one pass still runs");
        drop(second);
        assert!(RunLock::acquire(&db).is_ok(), "let go after the last pass");
    }
}
