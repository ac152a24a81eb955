//! A reader that closes the pipe early (`vigia export ... | head`) ends the command quietly.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::cli::{demo_config, demo_db};

/// Runs `vigia ARGS` with its standard output a pipe whose reading end is already closed, and
/// returns the exit status and what it wrote to standard error.
fn with_closed_stdout(args: &[&str], db: &std::path::Path) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigia"))
        .args(args)
        .arg("--config")
        .arg(demo_config())
        .arg("--db")
        .arg(db)
        .env_remove("VIGIA_CONFIG")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Closing the only reading end before the child writes makes its first write fail.
    drop(child.stdout.take());
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (child.wait().unwrap(), stderr)
}

#[test]
fn exports_and_queries_end_quietly_when_the_reader_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let commands: [&[&str]; 5] = [
        &["export", "statistics", "--format", "csv"],
        &["export", "entities", "--format", "jsonl"],
        &["sql", "SELECT * FROM statistics"],
        &["sql", "--format", "csv", "SELECT * FROM statistics"],
        &["trend", "statistics", "--topic", "homicide"],
    ];
    for args in commands {
        let (status, stderr) = with_closed_stdout(args, &db);
        assert!(status.success(), "{args:?}: {status}, stderr: {stderr}");
        assert!(!stderr.contains("rror"), "{args:?} complained: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    }
}
