//! `vigia daemon` as a process: each source on its own schedule, a slow source delaying no
//! other, SIGTERM in the middle of a slow fetch, SIGHUP reading the configuration again.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Reply, TestServer, numbered_feed, reply};
use vigia::store::Store;

/// An article with figures of its own, so no two are duplicates.
fn article(i: usize) -> String {
    format!(
        r#"<html lang="es"><head><title>Parte {i}</title></head><body><article><h1>Balance policial número {i}</h1>
<p>La policía de la provincia informó el martes que {n} personas fueron detenidas durante el fin de semana en operativos contra el narcomenudeo en los barrios del sur.</p>
<p>Según el parte, los agentes incautaron {k} kilos de marihuana y {m} dosis de cocaína, y clausuraron tres viviendas usadas como puntos de venta.</p>
<p>El fiscal a cargo pidió prisión preventiva para los detenidos mientras avanza la investigación sobre la red que abastecía los puntos.</p>
</article></body></html>"#,
        n = 20 + i,
        k = 5 + i,
        m = 300 + 10 * i
    )
}

/// A site whose feed lists `count` articles; the feed answers after `feed_delay`, article `i`
/// after `delay(i)`.
async fn site(count: usize, feed_delay: Duration, delay: fn(usize) -> Duration) -> TestServer {
    let router = axum::Router::new()
        .route(
            "/feed.xml",
            axum::routing::get(move |headers: axum::http::HeaderMap| async move {
                let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
                tokio::time::sleep(feed_delay).await;
                Reply::ok("application/rss+xml", numbered_feed(&format!("http://{host}"), count))
            }),
        )
        .route(
            "/nota/{file}",
            axum::routing::get(move |axum::extract::Path(file): axum::extract::Path<String>| async move {
                let i: usize = file.trim_end_matches(".html").parse().unwrap_or(0);
                tokio::time::sleep(delay(i)).await;
                Reply::html(article(i))
            }),
        )
        .route("/robots.txt", reply(Reply::text("User-agent: *\nAllow: /\n")));
    TestServer::start(router).await
}

/// A configuration of feed sources `(name, feed URL, schedule)`.
fn config_text(sources: &[(&str, String, &str)]) -> String {
    let mut text = String::from("database = \"vigia.db\"\n[fetch]\nper_host_delay_ms = 0\ntimeout_s = 120\n\n");
    for (name, url, schedule) in sources {
        text += &format!("[[sources]]\nname = \"{name}\"\nkind = \"rss\"\nurl = \"{url}\"\nschedule = \"{schedule}\"\n\n");
    }
    text
}

/// A running daemon, its stderr kept in a file; killed if the test ends first.
struct Daemon {
    child: Child,
    log: PathBuf,
}

impl Daemon {
    fn start(config: &Path) -> Daemon {
        let log = config.with_file_name("daemon.log");
        let child = Command::new(assert_cmd::cargo::cargo_bin("vigia"))
            .args(["daemon", "--config"])
            .arg(config)
            .env_remove("VIGIA_CONFIG")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Daemon { child, log }
    }

    fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for the process to end; its status and how long that took.
    async fn exit(&mut self, limit: Duration) -> (std::process::ExitStatus, Duration) {
        let asked = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, asked.elapsed());
            }
            assert!(asked.elapsed() < limit, "still running {limit:?} later; log:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `done` holds, failing after `limit` with `what` and the daemon's log.
async fn until(limit: Duration, daemon: &Daemon, what: &str, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}; log:\n{}", daemon.log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn articles(db: &Path) -> i64 {
    Store::open_read_only(db)
        .and_then(|s| s.query("SELECT count(*) FROM articles"))
        .map(|r| r.rows[0][0].as_i64().unwrap_or(0))
        .unwrap_or(0)
}

const EVERY_SECOND: &str = "* * * * * *";
const HOURLY: &str = "0 * * * *";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_source_keeps_its_own_schedule_and_a_slow_one_delays_no_other() {
    let fast = site(1, Duration::ZERO, |_| Duration::ZERO).await;
    let hourly = site(1, Duration::ZERO, |_| Duration::ZERO).await;
    // Its feed takes a minute: the old way, every other source waited for it.
    let slow = site(1, Duration::from_secs(60), |_| Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("vigia.toml");
    let sources = [
        ("fast", fast.url("/feed.xml"), EVERY_SECOND),
        ("hourly", hourly.url("/feed.xml"), HOURLY),
        ("slow", slow.url("/feed.xml"), EVERY_SECOND),
    ];
    std::fs::write(&cfg, config_text(&sources)).unwrap();
    let mut daemon = Daemon::start(&cfg);

    until(Duration::from_secs(30), &daemon, "the fast source polled three times", || {
        fast.hits("/feed.xml") >= 3
    })
    .await;
    assert_eq!(slow.hits("/feed.xml"), 1, "the slow source is still on its first read");
    assert_eq!(hourly.hits("/feed.xml"), 1, "an hourly source is read once, when first due");
    let db = dir.path().join("vigia.db");
    until(
        Duration::from_secs(5),
        &daemon,
        "the articles committed while the daemon runs",
        || articles(&db) >= 1,
    )
    .await;

    daemon.signal("TERM");
    let (status, took) = daemon.exit(Duration::from_secs(10)).await;
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(2), "took {took:?} with a slow fetch in flight");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_slow_fetch_exits_within_two_seconds_keeping_what_was_fetched() {
    // Three articles come at once, the fourth takes a minute.
    let server = site(4, Duration::ZERO, |i| Duration::from_secs(if i == 3 { 60 } else { 0 })).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("vigia.toml");
    std::fs::write(&cfg, config_text(&[("parte", server.url("/feed.xml"), HOURLY)])).unwrap();
    let mut daemon = Daemon::start(&cfg);
    until(Duration::from_secs(30), &daemon, "the slow page asked for", || {
        server.hits("/nota/3.html") == 1
    })
    .await;

    daemon.signal("TERM");
    let (status, took) = daemon.exit(Duration::from_secs(10)).await;
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
    let db = dir.path().join("vigia.db");
    assert_eq!(articles(&db), 3, "every article fetched before the signal is stored");
    let store = Store::open_read_only(&db).unwrap();
    let finished = store.query("SELECT count(*) FROM runs WHERE finished_at IS NOT NULL").unwrap();
    assert_eq!(finished.rows[0][0], 1, "the pass is recorded");
    assert!(daemon.log().contains("(interrupted)"), "{}", daemon.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reads_the_configuration_again_and_keeps_the_old_one_when_the_new_is_bad() {
    let first = site(1, Duration::ZERO, |_| Duration::ZERO).await;
    let second = site(1, Duration::ZERO, |_| Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("vigia.toml");
    std::fs::write(&cfg, config_text(&[("first", first.url("/feed.xml"), EVERY_SECOND)])).unwrap();
    let mut daemon = Daemon::start(&cfg);
    until(Duration::from_secs(30), &daemon, "the first source read", || {
        first.hits("/feed.xml") >= 1
    })
    .await;

    // A configuration with a mistake is refused and the daemon goes on with the old one.
    std::fs::write(&cfg, "database = \"vigia.db\"\n[[sources]]\nname = 3\n").unwrap();
    daemon.signal("HUP");
    until(Duration::from_secs(10), &daemon, "the bad configuration logged", || {
        daemon.log().contains("keeping the old one")
    })
    .await;
    let seen = first.hits("/feed.xml");
    until(Duration::from_secs(10), &daemon, "the first source still polled", || {
        first.hits("/feed.xml") > seen
    })
    .await;
    assert_eq!(second.hits("/feed.xml"), 0);

    // A good one replaces it: the second source is read, the first no longer.
    std::fs::write(&cfg, config_text(&[("second", second.url("/feed.xml"), EVERY_SECOND)])).unwrap();
    daemon.signal("HUP");
    until(Duration::from_secs(10), &daemon, "the second source read", || {
        second.hits("/feed.xml") >= 1
    })
    .await;
    let seen = first.hits("/feed.xml");
    let polled = second.hits("/feed.xml");
    until(Duration::from_secs(10), &daemon, "the second source polled again", || {
        second.hits("/feed.xml") >= polled + 2
    })
    .await;
    assert_eq!(first.hits("/feed.xml"), seen, "the first source is no longer polled");

    daemon.signal("TERM");
    let (status, _) = daemon.exit(Duration::from_secs(10)).await;
    assert!(status.success(), "{status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_article_one_pass_is_fetching_is_not_fetched_by_a_pass_running_alongside() {
    // Two sources list one article, which takes ten seconds to answer; their passes overlap.
    let server = site(1, Duration::ZERO, |_| Duration::from_secs(10)).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("vigia.toml");
    let sources = [
        ("feed", server.url("/feed.xml"), EVERY_SECOND),
        ("tracked-feed", server.url("/feed.xml?utm_source=rss"), EVERY_SECOND),
    ];
    std::fs::write(&cfg, config_text(&sources)).unwrap();
    let mut daemon = Daemon::start(&cfg);

    // One pass holds the slow article; the other source's passes keep coming round meanwhile.
    until(
        Duration::from_secs(20),
        &daemon,
        "the other source read its feed three times",
        || server.hits("/feed.xml") >= 4,
    )
    .await;
    assert_eq!(server.hits("/nota/0.html"), 1, "the article is downloaded by one pass only");

    daemon.signal("TERM");
    let (status, _) = daemon.exit(Duration::from_secs(10)).await;
    assert!(status.success(), "{status:?}");
}
