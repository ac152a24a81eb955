//! A run killed with SIGKILL mid-pass leaves a consistent database that keeps every article
//! stored before the kill, whole, and the next run completes the rest.

mod common;

use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::routing::get;
use common::{Reply, TestServer, numbered_feed};
use vigia::store::Store;

const ARTICLES: usize = 8;

/// Each article is different, holds figures, and is served slowly so the kill lands mid-pass.
fn article(i: usize) -> String {
    format!(
        r#"<html lang="es"><head><title>Nota {i}</title></head><body><article><h1>Operativo número {i} contra la extorsión</h1>
<p>La policía detuvo a {n} presuntos extorsionadores en el distrito de San Juan de Lurigancho, en Lima, informó la fiscalía el lunes por la noche.</p>
<p>Según la fiscalía, la banda cobraba hasta {m} soles semanales a cada mototaxista y operaba desde hace al menos {y} años en la zona este de la capital.</p>
<p>Los detenidos fueron trasladados a la sede de la división de investigación criminal, donde permanecerán hasta que un juez revise su situación.</p>
</article></body></html>"#,
        n = 10 + i,
        m = 100 + 10 * i,
        y = 2 + i
    )
}

fn count(db: &std::path::Path, sql: &str) -> i64 {
    let store = Store::open_read_only(db).unwrap();
    store.query(sql).unwrap().rows[0][0].as_i64().unwrap()
}

/// A feed of [`ARTICLES`] articles, article `i` answered after `delay(i)`.
async fn lenta_server(delay: fn(usize) -> Duration) -> TestServer {
    TestServer::start(
        axum::Router::new()
            .route(
                "/feed.xml",
                get(|headers: HeaderMap| async move {
                    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
                    Reply::ok("application/rss+xml", numbered_feed(&format!("http://{host}"), ARTICLES))
                }),
            )
            .route(
                "/nota/{file}",
                get(move |axum::extract::Path(file): axum::extract::Path<String>| async move {
                    let i: usize = file.trim_end_matches(".html").parse().unwrap_or(0);
                    tokio::time::sleep(delay(i)).await;
                    Reply::html(article(i))
                }),
            ),
    )
    .await
}

/// A configuration in `dir` with the one feed source of `server`.
fn write_config(dir: &std::path::Path, server: &TestServer) -> std::path::PathBuf {
    let cfg = dir.join("vigia.toml");
    std::fs::write(
        &cfg,
        format!(
            "database = \"vigia.db\"\n[fetch]\nper_host_delay_ms = 0\ntimeout_s = 120\n\n[[sources]]\nname = \"lenta\"\nkind = \"rss\"\nurl = \"{}\"\n",
            server.url("/feed.xml")
        ),
    )
    .unwrap();
    cfg
}

/// Starts `vigia run` on `cfg`, without waiting for it.
fn spawn_run(cfg: &std::path::Path) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("vigia"))
        .args(["run", "-q", "--config"])
        .arg(cfg)
        .env_remove("VIGIA_CONFIG")
        .spawn()
        .unwrap()
}

/// Waits until the database `db` holds `n` articles; fails with `why` after 30 s.
async fn wait_for_articles(db: &std::path::Path, n: u64, why: &str) {
    let started = Instant::now();
    while !(db.exists() && Store::open_read_only(db).and_then(|s| s.articles_count()).unwrap_or(0) >= n) {
        assert!(started.elapsed() < Duration::from_secs(30), "{why}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_run_loses_at_most_the_article_in_hand() {
    let server = lenta_server(|_| Duration::from_millis(250)).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("vigia.db");
    let cfg = write_config(dir.path(), &server);
    let mut child = spawn_run(&cfg);
    wait_for_articles(&db, 2, "the run stored nothing").await;
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();

    let kept = count(&db, "SELECT count(*) FROM articles");
    assert!((2..ARTICLES as i64).contains(&kept), "killed mid-pass, yet {kept} articles");
    let store = Store::open_read_only(&db).unwrap();
    assert_eq!(store.query("PRAGMA integrity_check").unwrap().rows[0][0], "ok");
    drop(store);
    // Every stored article is whole: its figures came in the same transaction.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM statistics s WHERE s.article_id = a.id)"
        ),
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM runs WHERE finished_at IS NULL"),
        1,
        "the killed run is recorded as unfinished"
    );

    // The lock died with the process: the next run goes ahead and completes the rest.
    let status = spawn_run(&cfg).wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(count(&db, "SELECT count(*) FROM articles"), ARTICLES as i64);
}

/// A run started over a feed whose first article comes at once and whose second takes a
/// minute: the server, the run's folder, its database and the run.
async fn run_with_a_slow_second_page() -> (TestServer, tempfile::TempDir, std::path::PathBuf, std::process::Child) {
    let server = lenta_server(|i| Duration::from_secs(if i >= 1 { 60 } else { 0 })).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("vigia.db");
    let child = spawn_run(&write_config(dir.path(), &server));
    (server, dir, db, child)
}

/// SIGTERM while a page is being fetched from a server that takes a minute to answer: the run
/// stops waiting at once, keeps what it stored, records the pass, and exits promptly.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_network_waits_at_once() {
    let (server, _dir, db, mut child) = run_with_a_slow_second_page().await;
    let started = Instant::now();
    while server.hits("/nota/1.html") == 0 {
        assert!(started.elapsed() < Duration::from_secs(30), "the run never reached the slow page");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let signalled = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let asked = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(asked.elapsed() < Duration::from_secs(10), "the run kept waiting after SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // Generous for a loaded machine; an unresponsive run would take the full minute.
    assert!(asked.elapsed() < Duration::from_secs(5), "took {:?}", asked.elapsed());
    assert!(status.success(), "{status:?}");
    assert_eq!(
        count(&db, "SELECT count(*) FROM articles"),
        1,
        "the article before the slow one is kept"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM runs WHERE finished_at IS NOT NULL"),
        1,
        "the pass is recorded"
    );
}

/// A page is stored as soon as it is analysed, not when the next page of its source arrives:
/// killed while the second page takes a minute, the run has kept the first.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_the_next_page_is_slow_keeps_the_page_before_it() {
    let (_server, _dir, db, mut child) = run_with_a_slow_second_page().await;
    // Well within the minute the second page takes.
    wait_for_articles(&db, 1, "the first article waited for the second page").await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(count(&db, "SELECT count(*) FROM articles"), 1);
}
