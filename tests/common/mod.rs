//! A local HTTP server for integration tests: fixture files, programmable replies, hit counts.
//!
//! A test builds an axum `Router` from the pieces here (or its own handlers), starts it on
//! 127.0.0.1 with a free port, and asks afterwards which paths were requested and when:
//!
//! ```ignore
//! let server = TestServer::start(
//!     fixtures("fetch")                                   // files under tests/fixtures/fetch/
//!         .route("/robots.txt", reply(Reply::text("User-agent: *\nDisallow: /x\n")))
//!         .route("/flaky", sequence(vec![Reply::status(503), Reply::html("<p>ok</p>")])),
//! )
//! .await;
//! fetch(&server.url("/flaky"));
//! assert_eq!(server.hits("/flaky"), 2);
//! ```
//!
//! `fixtures` sets the router's fallback, so add further routes with `.route(…)` (axum refuses
//! to merge two routers that both have a fallback). Paths with no route answer 404 and are
//! counted too.

#![allow(dead_code)]

pub mod cli;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Hit {
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub at: Instant,
}

/// A running server; it stops when dropped.
pub struct TestServer {
    base: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Serves `router` on 127.0.0.1 with a free port, counting every request.
    pub async fn start(router: Router) -> TestServer {
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let app = router.layer(middleware::from_fn_with_state(hits.clone(), record));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a local port");
        let addr = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestServer {
            base: format!("http://{addr}"),
            hits,
            task,
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// How many requests reached `path` (query ignored).
    pub fn hits(&self, path: &str) -> usize {
        self.requests(path).len()
    }

    /// The requests that reached `path`, in order.
    pub fn requests(&self, path: &str) -> Vec<Hit> {
        self.all_requests().into_iter().filter(|h| h.path == path).collect()
    }

    /// Every request so far, in order.
    pub fn all_requests(&self) -> Vec<Hit> {
        self.hits.lock().expect("hits lock").clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(State(hits): State<Arc<Mutex<Vec<Hit>>>>, request: Request, next: Next) -> Response {
    let hit = Hit {
        path: request.uri().path().to_string(),
        query: request.uri().query().map(str::to_string),
        headers: request.headers().clone(),
        at: Instant::now(),
    };
    hits.lock().expect("hits lock").push(hit);
    next.run(request).await
}

/// An RSS feed of `count` items linking `{base}/nota/0.html`, `{base}/nota/1.html`, ...
pub fn numbered_feed(base: &str, count: usize) -> String {
    let items: String = (0..count)
        .map(|i| format!("<item><title>Nota {i}</title><link>{base}/nota/{i}.html</link></item>"))
        .collect();
    format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Notas</title><link>{base}/</link><description>x</description>{items}</channel></rss>"#
    )
}

/// The folder `tests/fixtures/<area>`.
pub fn fixture_dir(area: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(area)
}

/// A router serving the files of `tests/fixtures/<area>` (as its fallback), with a content
/// type taken from the extension.
pub fn fixtures(area: &str) -> Router {
    files(fixture_dir(area))
}

/// A router serving the files under `dir` (as its fallback).
pub fn files(dir: PathBuf) -> Router {
    Router::new().fallback(move |uri: Uri| {
        let dir = dir.clone();
        async move { serve_file(&dir, uri.path()).await }
    })
}

async fn serve_file(dir: &Path, path: &str) -> Response {
    let relative = path.trim_start_matches('/');
    let safe = Path::new(relative)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !safe || relative.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let file = dir.join(relative);
    match tokio::fs::read(&file).await {
        Ok(bytes) => Reply::ok(content_type_of(&file), bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

fn content_type_of(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html",
        "xml" => "application/xml",
        "rss" => "application/rss+xml",
        "atom" => "application/atom+xml",
        "txt" => "text/plain",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}

/// A canned response: status, headers, body, and an optional delay before it is sent.
#[derive(Debug, Clone)]
pub struct Reply {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Vec<u8>,
    delay: Duration,
}

impl Reply {
    /// An empty response with this status.
    pub fn status(status: u16) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).expect("valid status"),
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// 200 with a body and its Content-Type.
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::status(200).header("content-type", content_type).body(body)
    }

    /// 200 `text/html; charset=utf-8`.
    pub fn html(body: impl Into<Vec<u8>>) -> Reply {
        Reply::ok("text/html; charset=utf-8", body)
    }

    /// 200 `text/plain` (a robots.txt, say).
    pub fn text(body: impl Into<Vec<u8>>) -> Reply {
        Reply::ok("text/plain", body)
    }

    /// 302 to `location`.
    pub fn redirect(location: &str) -> Reply {
        Reply::status(302).header("location", location)
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((
            HeaderName::from_bytes(name.as_bytes()).expect("valid header name"),
            HeaderValue::from_str(value).expect("valid header value"),
        ));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Reply {
        self.body = body.into();
        self
    }

    /// Waits this long before answering (to trip client timeouts).
    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// Gzips the body and labels it `Content-Encoding: gzip`.
    pub fn gzip(mut self) -> Reply {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&self.body).expect("gzip in memory");
        self.body = encoder.finish().expect("gzip in memory");
        self.header("content-encoding", "gzip")
    }

    async fn send(self) -> Response {
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        self.into_response()
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        for (name, value) in self.headers {
            response.headers_mut().append(name, value);
        }
        response
    }
}

/// A GET route that always answers `reply`.
pub fn reply(reply: Reply) -> MethodRouter {
    get(move || {
        let reply = reply.clone();
        async move { reply.send().await }
    })
}

/// A GET route answering its n-th request with the n-th reply; the last one repeats.
pub fn sequence(replies: Vec<Reply>) -> MethodRouter {
    assert!(!replies.is_empty(), "sequence needs at least one reply");
    let replies = Arc::new(replies);
    let count = Arc::new(AtomicUsize::new(0));
    get(move || {
        let replies = replies.clone();
        let n = count.fetch_add(1, Ordering::SeqCst);
        async move { replies[n.min(replies.len() - 1)].clone().send().await }
    })
}

/// A GET route that sends `reply` with `ETag: etag`, or 304 when the request's
/// If-None-Match names that tag.
pub fn conditional(etag: &str, reply: Reply) -> MethodRouter {
    let etag = etag.to_string();
    let reply = reply.header("etag", &etag);
    get(move |headers: HeaderMap| {
        let reply = reply.clone();
        let matches = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
        let etag = etag.clone();
        async move {
            if matches {
                Reply::status(304).header("etag", &etag).send().await
            } else {
                reply.send().await
            }
        }
    })
}

/// One pipeline pass over `config`'s sources, on its own database.
pub async fn pass(config: &vigia::config::Config) -> vigia::pipeline::PassReport {
    pass_selected(config, vigia::pipeline::Selection::All).await
}

/// One pipeline pass over the sources `selection` picks.
pub async fn pass_selected(config: &vigia::config::Config, selection: vigia::pipeline::Selection) -> vigia::pipeline::PassReport {
    let store = vigia::store::Store::open(&config.database).unwrap();
    vigia::pipeline::run(config, &store, &selection, &vigia::pipeline::Shutdown::default())
        .await
        .unwrap()
}
