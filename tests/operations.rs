//! Running unattended: JSON logs, third-party parser warnings kept out of the default log, and
//! the bundled systemd units.

mod common;

use std::path::{Path, PathBuf};

use common::cli::{on_demo, vigia};

/// A page whose table holds stray text and a `<div>`, which the HTML parser moves out of the
/// table and warns about.
fn stray_table_page() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/operations/stray-table.html")
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Every stderr line parsed as a JSON object with a level and a message.
fn json_lines(stderr: &str) -> Vec<serde_json::Value> {
    stderr
        .lines()
        .map(|line| {
            let event: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            assert!(event["level"].is_string(), "no level: {line}");
            assert!(event["message"].is_string(), "no message: {line}");
            event
        })
        .collect()
}

#[test]
fn run_with_json_logs_writes_only_json_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let output = on_demo("run", &db).arg("--log-format").arg("json").output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let events = json_lines(&stderr_of(&output));
    let summary = events
        .iter()
        .find(|e| e["message"].as_str().is_some_and(|m| m.starts_with("vigia run:")))
        .expect("the run's summary is one of the events");
    assert_eq!(summary["level"], "INFO");
    assert!(summary["message"].as_str().unwrap().contains("articles new"));
    // The events carry their fields at the top level, as collectors read them.
    assert!(events.iter().any(|e| e["source"] == "demo-pages"), "no per-source event");

    // A second run finds nothing due; its summary is JSON too.
    let again = on_demo("run", &db).env("VIGIA_LOG_FORMAT", "json").output().unwrap();
    assert!(again.status.success());
    assert!(!json_lines(&stderr_of(&again)).is_empty());
}

#[test]
fn errors_are_json_events_in_json_logs_even_when_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let output = vigia()
        .args(["run", "-q", "--log-format", "json", "--config"])
        .arg(dir.path().join("missing.toml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let events = json_lines(&stderr_of(&output));
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["level"], "ERROR");
    assert!(events[0]["message"].as_str().unwrap().contains("missing.toml"));
}

#[test]
fn an_unknown_log_format_is_bad_usage() {
    let output = vigia().args(["status", "--log-format", "xml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("xml"));
}

#[test]
fn parser_warnings_stay_out_of_the_default_log() {
    let page = stray_table_page();
    let quiet = vigia().arg("extract").arg(&page).output().unwrap();
    assert!(quiet.status.success(), "{}", stderr_of(&quiet));
    assert!(String::from_utf8_lossy(&quiet.stdout).contains("14.300 internos"));
    assert!(!stderr_of(&quiet).contains("foster parenting"), "{}", stderr_of(&quiet));

    let json = vigia().args(["extract", "--log-format", "json"]).arg(&page).output().unwrap();
    assert!(!stderr_of(&json).contains("foster parenting"));

    // The same page does make the parser warn: RUST_LOG lets its events through.
    let asked = vigia().env("RUST_LOG", "warn").arg("extract").arg(&page).output().unwrap();
    assert!(asked.status.success());
    assert!(stderr_of(&asked).contains("foster parenting"), "{}", stderr_of(&asked));
}

#[test]
fn verbose_twice_shows_every_crate() {
    let output = vigia().args(["-vv", "extract"]).arg(stray_table_page()).output().unwrap();
    assert!(output.status.success());
    assert!(stderr_of(&output).contains("foster parenting"));
}

/// The units as installed, pointing at the binary under test (systemd checks it exists).
fn units_in(dir: &Path) -> Vec<PathBuf> {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let binary = assert_cmd::cargo::cargo_bin("vigia");
    ["vigia.service", "vigia.timer", "vigia-daemon.service"]
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(config.join(name)).unwrap();
            let path = dir.join(name);
            std::fs::write(&path, text.replace("/usr/local/bin/vigia", &binary.display().to_string())).unwrap();
            path
        })
        .collect()
}

/// The value of each `Key=` line of a unit file, comments left out.
fn unit_values(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix(key)?.strip_prefix('='))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_units_run_vigia_as_documented() {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let service = std::fs::read_to_string(config.join("vigia.service")).unwrap();
    assert_eq!(unit_values(&service, "Type"), ["oneshot"]);
    let exec = unit_values(&service, "ExecStart");
    assert!(exec.len() == 1 && exec[0].contains("vigia run "), "{exec:?}");
    for key in ["ProtectSystem", "NoNewPrivileges", "PrivateTmp", "StateDirectory"] {
        assert_eq!(unit_values(&service, key).len(), 1, "{key}");
    }

    let timer = std::fs::read_to_string(config.join("vigia.timer")).unwrap();
    assert_eq!(unit_values(&timer, "OnCalendar"), ["*:00/30"]);
    assert_eq!(unit_values(&timer, "Persistent"), ["true"]);
    assert_eq!(unit_values(&timer, "RandomizedDelaySec").len(), 1);

    let daemon = std::fs::read_to_string(config.join("vigia-daemon.service")).unwrap();
    assert_eq!(unit_values(&daemon, "Type"), ["simple"]);
    assert_eq!(unit_values(&daemon, "Restart"), ["on-failure"]);
    assert!(unit_values(&daemon, "ExecStart")[0].contains("vigia daemon "));
}

#[test]
fn systemd_accepts_the_units() {
    let Ok(probe) = std::process::Command::new("systemd-analyze").arg("--version").output() else {
        eprintln!("systemd-analyze not installed; skipped");
        return;
    };
    if !probe.status.success() {
        eprintln!("systemd-analyze does not run here; skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let units = units_in(dir.path());
    let output = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .args(&units)
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(output.status.success(), "{stderr}");
    // Unknown keys and bad values are only warned about.
    assert!(!stderr.contains("Unknown") && !stderr.contains("ignoring"), "{stderr}");
}

#[test]
fn an_overlapping_run_is_silent_when_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let _held = vigia::lock::RunLock::acquire(&db).unwrap();

    let told = on_demo("run", &db).output().unwrap();
    assert!(told.status.success());
    assert!(stderr_of(&told).contains("nothing to do"), "{}", stderr_of(&told));

    // From cron, an overlap is no news: nothing to mail.
    let quiet = on_demo("run", &db).arg("-q").output().unwrap();
    assert!(quiet.status.success());
    assert_eq!(stderr_of(&quiet), "");

    let json = on_demo("run", &db).args(["--log-format", "json"]).output().unwrap();
    let events = json_lines(&stderr_of(&json));
    assert!(
        events
            .iter()
            .any(|e| e["message"].as_str().is_some_and(|m| m.contains("nothing to do")))
    );
}
