//! Running the built `vigia` binary from tests: a clean environment, the bundled demo.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use assert_cmd::Command;
use predicates::prelude::*;

/// The binary, with no configuration or log filter inherited from the environment.
pub fn vigia() -> Command {
    let mut cmd = Command::cargo_bin("vigia").unwrap();
    cmd.env_remove("VIGIA_CONFIG").env_remove("RUST_LOG");
    cmd
}

pub fn demo_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config/demo.toml")
}

/// `vigia COMMAND --config <the demo's> --db DB`.
pub fn on_demo(command: &str, db: &Path) -> Command {
    let mut cmd = vigia();
    cmd.arg(command).arg("--config").arg(demo_config()).arg("--db").arg(db);
    cmd
}

/// Runs the bundled demo into a temporary database and returns its path.
pub fn demo_db(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    on_demo("run", &db)
        .assert()
        .success()
        .stderr(predicate::str::contains("articles new"));
    db
}

/// The one number a `SELECT count(*) ...` over the database gives.
pub fn sql_count(db: &Path, sql: &str) -> u64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    let n: i64 = conn.query_row(sql, [], |r| r.get(0)).unwrap();
    u64::try_from(n).unwrap()
}

/// What a command that must succeed prints.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

/// Runs `vigia ARGS` with its standard output a pipe whose reading end is already closed, and
/// returns the exit status and what it wrote to standard error.
pub fn with_closed_stdout(args: &[&str], db: &Path) -> (std::process::ExitStatus, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vigia"))
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
