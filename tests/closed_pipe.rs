//! A reader that closes the pipe early (`vigia export ... | head`) ends the command quietly.

mod common;

use common::cli::{demo_db, with_closed_stdout};

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
