//! The `vigia` command line: parse, set up logging, dispatch.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::init_logging(args.global.verbose, args.global.quiet);
    match cli::dispatch(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(err_code(&err))
        }
    }
}

/// Bad usage and bad configuration exit 2; anything else that stops a command exits 1.
fn err_code(err: &anyhow::Error) -> u8 {
    if err
        .chain()
        .any(|e| e.is::<cli::UsageError>() || e.is::<vigia::config::ConfigError>())
    {
        2
    } else {
        1
    }
}
