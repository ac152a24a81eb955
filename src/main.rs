//! The `vigia` command line: parse, set up logging, dispatch.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(err) => cli::exit_unparsed(err),
    };
    cli::init_logging(&args.global);
    match cli::dispatch(args) {
        Ok(code) => code,
        // A reader that stops early (`vigia export ... | head`) is not a failure: end quietly,
        // as other tools on a pipeline do.
        Err(err) if is_closed_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            cli::alert(&format!("error: {err:#}"));
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

/// Whether the command stopped because whoever read its standard output went away. The I/O
/// error may arrive wrapped by the CSV or JSON writer.
fn is_closed_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == BrokenPipe)
            || e.downcast_ref::<csv::Error>()
                .is_some_and(|c| matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == BrokenPipe))
            || e.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind) == Some(BrokenPipe)
    })
}
