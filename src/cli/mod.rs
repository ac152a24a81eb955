//! Command-line definitions and dispatch; one file per subcommand.

mod daemon;
mod export;
mod extract;
mod progress;
mod reprocess;
mod run;
mod search;
mod sql;
mod status;
mod table;
mod trend;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use vigia::config::Config;
use vigia::lock::{LockError, RunLock};
use vigia::pipeline::Shutdown;
use vigia::store::{Store, StoreError};

/// A mistake in how a command was called (exit status 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

#[derive(Parser)]
#[command(
    name = "vigia",
    version,
    about = "Turns security news into queryable figures: fetch, extract, store, export.",
    long_about = "vigia watches security-news sources (RSS/Atom feeds, sitemaps, section pages, saved \
pages), fetches new articles politely, extracts their text, the statistics they quote and the \
people, organisations and places they name, and keeps everything in one SQLite file.\n\n\
Start with the bundled demo:\n  vigia run --config config/demo.toml\n  vigia export statistics --format csv --config config/demo.toml"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Args, Clone)]
pub struct Global {
    /// Configuration file [default: $VIGIA_CONFIG, then ./vigia.toml]
    #[arg(long, global = true, env = "VIGIA_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database file (overrides the configuration's `database`)
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// More log output (-v debug, -vv trace); RUST_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Log format on stderr: text for people, json (one object a line) for log collectors
    #[arg(long, global = true, env = "VIGIA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, value_name = "FORMAT")]
    pub log_format: LogFormat,
    /// No progress bar (one is drawn on stderr only at a terminal, and never with -q or json logs)
    #[arg(long, global = true)]
    pub no_progress: bool,
}

/// How logs and notices are written on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Plain lines, coloured at a terminal
    Text,
    /// One JSON object a line (`timestamp`, `level`, `message`, `target`, the event's fields)
    Json,
}

/// The format and `-q` chosen at start-up, so that notices printed outside `tracing` follow them too.
static LOG_SETTINGS: std::sync::OnceLock<(LogFormat, bool)> = std::sync::OnceLock::new();

fn json_logs() -> bool {
    LOG_SETTINGS.get().is_some_and(|(format, _)| *format == LogFormat::Json)
}

#[derive(Subcommand)]
pub enum Command {
    /// One pass: fetch the due sources (or --all, or --source NAME), extract, store, exit
    Run(run::RunArgs),
    /// Run forever, each source on its own cron schedule
    Daemon(daemon::DaemonArgs),
    /// Extract title, date, body, statistics and entities from an HTML page or a text
    Extract(extract::ExtractArgs),
    /// Re-run extraction over stored pages (no network), after vigia was upgraded
    Reprocess(reprocess::ReprocessArgs),
    /// Export articles, statistics or entities as CSV, JSON Lines or Parquet
    Export(export::ExportArgs),
    /// Search article titles and bodies: best matches first, with a passage and their figures
    Search(search::SearchArgs),
    /// Run a read-only SQL query over the database
    Sql(sql::SqlArgs),
    /// Sources, last fetch, errors and counts
    Status(status::StatusArgs),
    /// A series over time of matching statistics or entity mentions
    Trend(trend::TrendArgs),
}

/// Logs go to stderr; `RUST_LOG` wins over -v/-q.
///
/// By default only vigia's own events pass: the HTML parser's crates warn about every page that
/// breaks a nesting rule (hundreds of lines on real sites), which says nothing about vigia's
/// work. `-vv` (or `RUST_LOG`) lets everything through.
pub fn init_logging(global: &Global) {
    let directives = match (global.quiet, global.verbose) {
        (true, _) => "vigia=error",
        (false, 0) => "vigia=info",
        (false, 1) => "vigia=debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(directives));
    let _ = LOG_SETTINGS.set((global.log_format, global.quiet));
    // Each event is written whole, above a progress bar when one is drawn.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(progress::LogLine::make);
    match global.log_format {
        // Colour only for a person at a terminal, never in cron mail or log files.
        LogFormat::Text => builder.with_ansi(progress::colour_on_stderr()).with_target(false).init(),
        // The message and fields at the top level, as log collectors expect them.
        LogFormat::Json => builder.json().flatten_event(true).with_span_list(false).init(),
    }
    report_panics();
}

/// A panic (a bug; one while analysing a page is caught and fails only that page) is written
/// above a progress bar, and as an error event in JSON logs, where a plain line would be the
/// one thing a log collector cannot read.
fn report_panics() {
    let plain = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if json_logs() {
            tracing::error!(thread = std::thread::current().name().unwrap_or("unnamed"), "{info}");
        } else {
            progress::above_bar(|| plain(info));
        }
    }));
}

/// Ends a command line that clap refused, or a `--help` or `--version`, as clap would, except
/// that a mistake is one JSON error event when JSON logs were asked for (`--log-format json`
/// or `VIGIA_LOG_FORMAT=json`, read directly since the command line did not parse).
pub fn exit_unparsed(err: clap::Error) -> ! {
    let env = std::env::var_os("VIGIA_LOG_FORMAT");
    if err.use_stderr() && json_asked(std::env::args_os().skip(1), env.as_deref()) {
        init_logging(&Global {
            config: None,
            db: None,
            verbose: 0,
            quiet: false,
            log_format: LogFormat::Json,
            no_progress: true,
        });
        alert(err.to_string().trim_end());
        std::process::exit(err.exit_code());
    }
    err.exit()
}

/// Whether `args` (or else `env`, `VIGIA_LOG_FORMAT`) ask for JSON logs, as clap reads them:
/// the last `--log-format` wins and the command line wins over the environment.
fn json_asked(args: impl Iterator<Item = std::ffi::OsString>, env: Option<&std::ffi::OsStr>) -> bool {
    let mut asked = env.map(|v| v == "json");
    let mut args = args.take_while(|a| a != "--");
    while let Some(arg) = args.next() {
        if arg == "--log-format" {
            asked = Some(args.next().is_some_and(|v| v == "json"));
        } else if let Some(value) = arg.to_str().and_then(|a| a.strip_prefix("--log-format=")) {
            asked = Some(value == "json");
        }
    }
    asked.unwrap_or(false)
}

/// A line for whoever reads stderr (a pass's summary, a notice): as written in text logs, an
/// info event in JSON logs, so a log collector reads nothing but JSON. `-q` leaves it out, so
/// cron mails only trouble.
pub fn notice(line: &str) {
    if LOG_SETTINGS.get().is_some_and(|(_, quiet)| *quiet) {
        return;
    }
    if json_logs() {
        tracing::info!("{line}");
    } else {
        progress::to_stderr(format!("{line}\n").as_bytes());
    }
}

/// Like [`notice`] for a failure: an error event in JSON logs, so `-q` keeps it.
pub fn alert(line: &str) {
    if json_logs() {
        tracing::error!("{line}");
    } else {
        progress::to_stderr(format!("{line}\n").as_bytes());
    }
}

pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let g = &cli.global;
    match cli.command {
        Command::Run(args) => run::run(g, args),
        Command::Daemon(args) => daemon::run(g, args),
        Command::Extract(args) => extract::run(args),
        Command::Reprocess(args) => reprocess::run(g, args),
        Command::Export(args) => export::run(g, args),
        Command::Search(args) => search::run(g, args),
        Command::Sql(args) => sql::run(g, args),
        Command::Status(args) => status::run(g, args),
        Command::Trend(args) => trend::run(g, args),
    }
}

/// The configuration file to use: --config, then $VIGIA_CONFIG (both via clap), then ./vigia.toml.
fn config_path(global: &Global) -> Option<PathBuf> {
    global
        .config
        .clone()
        .or_else(|| Some(PathBuf::from("vigia.toml")).filter(|p| p.exists()))
}

/// Loads the configuration (required), applying --db.
pub fn open_config(global: &Global) -> anyhow::Result<Config> {
    let Some(path) = config_path(global) else {
        return Err(UsageError(
            "no configuration: pass --config FILE, set VIGIA_CONFIG, or create ./vigia.toml (see config/demo.toml)".into(),
        )
        .into());
    };
    let mut config = Config::load(&path)?;
    if let Some(db) = &global.db {
        config.database = db.clone();
    }
    Ok(config)
}

/// Loads the configuration when one is given or present; read-only commands can do without.
pub fn try_config(global: &Global) -> anyhow::Result<Option<Config>> {
    match config_path(global) {
        Some(_) => open_config(global).map(Some),
        None => Ok(None),
    }
}

/// The database: --db, else the configuration's.
pub fn database_path(global: &Global, config: Option<&Config>) -> anyhow::Result<PathBuf> {
    match (&global.db, config) {
        (Some(db), _) => Ok(db.clone()),
        (None, Some(c)) => Ok(c.database.clone()),
        (None, None) => Err(UsageError("no database: pass --db FILE or --config FILE".into()).into()),
    }
}

/// Opens the database read-only, needing a configuration only when --db is not given.
pub fn open_store_read_only(global: &Global) -> anyhow::Result<Store> {
    open_read_only(&read_only_database(global)?)
}

/// The database a reading command works on: --db, else the configuration's; it must exist.
pub fn read_only_database(global: &Global) -> anyhow::Result<PathBuf> {
    let config = if global.db.is_some() { None } else { Some(open_config(global)?) };
    let db = database_path(global, config.as_ref())?;
    if !db.exists() {
        return Err(UsageError(format!("database {} does not exist yet: run `vigia run` first", db.display())).into());
    }
    Ok(db)
}

/// How long a reading command waits for a running pass to let go of the run lock before it
/// gives up upgrading an older database.
const UPGRADE_LOCK_WAIT: Duration = Duration::from_secs(5);

/// Opens `db` read-only. A database written by an older vigia is first upgraded under the run
/// lock, as `vigia run` would, so a reading command never migrates while a pass writes; when a
/// pass holds the lock longer than [`UPGRADE_LOCK_WAIT`], or the file cannot be written, the
/// command stops and says how to upgrade.
pub fn open_read_only(db: &Path) -> anyhow::Result<Store> {
    match Store::open_read_only(db) {
        Err(outdated @ StoreError::Outdated { .. }) => {
            upgrade_under_lock(db).map_err(|cause| cause.context(outdated.to_string()))?;
            Ok(Store::open_read_only(db)?)
        }
        opened => Ok(opened?),
    }
}

/// Takes the run lock (waiting a little for a pass in progress) and migrates `db`.
fn upgrade_under_lock(db: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let _lock = loop {
        match RunLock::acquire(db) {
            Ok(lock) => break lock,
            Err(LockError::Held { .. }) if started.elapsed() < UPGRADE_LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => return Err(e.into()),
        }
    };
    tracing::info!(database = %db.display(), "Upgrading the database schema.");
    drop(Store::open(db)?);
    Ok(())
}

/// Creates the database's folder if needed.
pub fn ensure_parent(db: &Path) -> anyhow::Result<()> {
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create folder {}", dir.display()))?;
    }
    Ok(())
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// How long blocking work a stop abandoned (a DNS lookup in flight) may hold up the exit.
const RUNTIME_GRACE: Duration = Duration::from_millis(200);

/// Shuts `runtime` down without waiting on abandoned blocking work for more than [`RUNTIME_GRACE`].
pub fn stop_runtime(runtime: tokio::runtime::Runtime) {
    runtime.shutdown_timeout(RUNTIME_GRACE);
}

/// SIGHUP asks the daemon to read its configuration again. Each generation of the daemon
/// takes the current [`Reload::token`]; a SIGHUP asks that token to stop and puts a fresh one
/// in its place for the next generation.
#[derive(Clone, Default)]
pub struct Reload(std::sync::Arc<std::sync::Mutex<Shutdown>>);

impl Reload {
    pub fn token(&self) -> Shutdown {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    fn request(&self) {
        let mut token = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        token.request();
        *token = Shutdown::default();
    }
}

/// Watches SIGINT and SIGTERM: the first asks passes to stop (the pages in hand are committed,
/// network waits end at once), a second ends the process at once.
///
/// Signals are awaited on a thread of their own, so they are seen even while the main thread
/// is busy in a long synchronous step.
pub fn watch_signals() -> Shutdown {
    watch(None)
}

/// [`watch_signals`], and SIGHUP asks for a reload.
pub fn watch_signals_and_reload() -> (Shutdown, Reload) {
    let reload = Reload::default();
    (watch(Some(reload.clone())), reload)
}

fn watch(reload: Option<Reload>) -> Shutdown {
    let shutdown = Shutdown::default();
    let asked = shutdown.clone();
    let cannot =
        |e: &dyn std::fmt::Display| tracing::warn!(error = %e, "Cannot watch for signals; SIGINT and SIGTERM end the process at once.");
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(e) => {
            cannot(&e);
            return shutdown;
        }
    };
    // Handlers are in place before this returns, so no signal sent afterwards is missed.
    let signals = {
        let _inside = runtime.enter();
        Signals::register(reload.is_some())
    };
    let mut signals = match signals {
        Ok(signals) => signals,
        Err(e) => {
            cannot(&e);
            return shutdown;
        }
    };
    let watcher = std::thread::Builder::new().name("signals".into()).spawn(move || {
        runtime.block_on(async {
            let mut stops = 0;
            loop {
                match signals.next().await {
                    Caught::Stop if stops == 0 => {
                        stops += 1;
                        tracing::warn!("Stopping after the pages in hand (signal again to stop at once).");
                        asked.request();
                    }
                    Caught::Stop => {
                        progress::clear_bar();
                        alert("vigia: stopped at once by a second signal; what was not yet committed is lost");
                        std::process::exit(130);
                    }
                    Caught::Reload => {
                        tracing::info!("SIGHUP: reading the configuration again.");
                        if let Some(reload) = &reload {
                            reload.request();
                        }
                    }
                }
            }
        });
    });
    if let Err(e) = watcher {
        cannot(&e);
    }
    shutdown
}

/// A signal the process acts on.
enum Caught {
    /// SIGINT or SIGTERM.
    Stop,
    /// SIGHUP.
    Reload,
}

#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    hangup: Option<tokio::signal::unix::Signal>,
}

#[cfg(unix)]
impl Signals {
    fn register(hangup: bool) -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: if hangup { Some(signal(SignalKind::hangup())?) } else { None },
        })
    }

    async fn next(&mut self) -> Caught {
        let hangup = async {
            match &mut self.hangup {
                Some(hangup) => hangup.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = self.interrupt.recv() => Caught::Stop,
            _ = self.terminate.recv() => Caught::Stop,
            _ = hangup => Caught::Reload,
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn register(_hangup: bool) -> std::io::Result<Signals> {
        Ok(Signals)
    }

    async fn next(&mut self) -> Caught {
        let _ = tokio::signal::ctrl_c().await;
        Caught::Stop
    }
}

/// The article filters shared by `export`, `trend` and `search`.
#[derive(Args)]
pub struct FilterArgs {
    /// Only articles from this source (repeat for several)
    #[arg(long = "source", value_name = "NAME")]
    pub sources: Vec<String>,
    /// Only articles in this language
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Only articles published on or after this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub since: Option<chrono::NaiveDate>,
    /// Only articles published on or before this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub until: Option<chrono::NaiveDate>,
    /// Only articles at least this security-relevant (0..1)
    #[arg(long, value_name = "SCORE")]
    pub min_relevance: Option<f64>,
}

/// A language an article filter can ask for.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    En,
    Es,
}

impl FilterArgs {
    /// The filter, checked against `store`: a source it does not know is a usage error that
    /// lists the ones it has (a typo would otherwise give an empty result that looks true).
    pub fn to_filter(&self, store: &Store) -> anyhow::Result<vigia::store::ExportFilter> {
        if let Some(m) = self.min_relevance
            && !(0.0..=1.0).contains(&m)
        {
            return Err(UsageError(format!("--min-relevance must be between 0 and 1, got {m}")).into());
        }
        if !self.sources.is_empty() {
            let known = store.source_names()?;
            if let Some(unknown) = self.sources.iter().find(|s| !known.contains(s)) {
                return Err(UsageError(format!(
                    "no source named `{unknown}` in this database (it has: {})",
                    known.join(", ")
                ))
                .into());
            }
        }
        Ok(vigia::store::ExportFilter {
            since: self.since,
            until: self.until,
            min_relevance: self.min_relevance,
            sources: self.sources.clone(),
            language: self.lang.map(|l| match l {
                LangArg::En => "en".to_string(),
                LangArg::Es => "es".to_string(),
            }),
            ..Default::default()
        })
    }
}

/// A YYYY-MM-DD argument.
pub fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("`{s}` is not a date of the form YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(args: &[&str], env: Option<&str>) -> bool {
        json_asked(args.iter().map(std::ffi::OsString::from), env.map(std::ffi::OsStr::new))
    }

    #[test]
    fn json_logs_are_read_from_a_command_line_that_did_not_parse() {
        assert!(asked(&["sql", "--log-format", "json", "--bogus"], None));
        assert!(asked(&["--log-format=json", "export"], None));
        assert!(asked(&["trend", "--bogus"], Some("json")));
        assert!(!asked(&["trend", "--bogus"], None));
        assert!(!asked(&["trend", "--log-format", "text"], Some("json")), "the command line wins");
        assert!(!asked(&["--log-format", "json", "--log-format", "text"], None), "the last one wins");
        assert!(!asked(&["--log-format", "xml"], None));
        assert!(
            !asked(&["sql", "--", "--log-format", "json"], None),
            "after -- nothing is an option"
        );
        assert!(!asked(&["--log-format"], Some("json")));
    }
}
