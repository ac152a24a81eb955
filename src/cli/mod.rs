//! Command-line definitions and dispatch; one file per subcommand.

mod extract;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

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
    /// More log output (-v info, -vv debug, -vvv trace); RUST_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Subcommand)]
pub enum Command {
    /// Extract title, date, body, statistics and entities from an HTML page or a text
    Extract(extract::ExtractArgs),
}

/// Logs go to stderr; `RUST_LOG` wins over -v/-q.
pub fn init_logging(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("vigia={level},warn")));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Extract(args) => extract::run(args),
    }
}
