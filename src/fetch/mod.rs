//! Polite HTTP fetching: robots.txt, per-host pacing, conditional GET, retries, size cap;
//! bounded in time per URL and kept out of private networks. Bodies are returned as bytes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{StatusCode, redirect};
use tokio::sync::OnceCell;
use tokio::time::error::Elapsed;
use tracing::debug;
use url::Url;

use crate::config::FetchConfig;

mod kind;
mod pacing;
mod policy;
mod retry;
mod robots;

pub use kind::OutcomeKind;
use pacing::{Lasting, Pacing, host_key, later};
pub use policy::Refusal;
pub use retry::{MAX_RETRY_AFTER, RetryPolicy};
use robots::RobotsRules;

/// What one host asked of us that outlives a pass: no request before `not_before`
/// (Retry-After), and `crawl_delay` between two requests (robots.txt), the next one not before
/// `next_request_at`. Kept in the database between passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostMemory {
    pub host: String,
    pub not_before: Option<DateTime<Utc>>,
    pub crawl_delay: Option<Duration>,
    pub next_request_at: DateTime<Utc>,
}

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 10;
/// How long a fetcher keeps a robots.txt before reading it again.
pub const ROBOTS_MAX_AGE: Duration = Duration::from_secs(3600);

/// Redirects followed for a robots.txt (RFC 9309 asks for at least five).
pub const MAX_ROBOTS_REDIRECTS: usize = 5;
/// robots.txt bodies beyond this are cut (the limit major crawlers use).
const MAX_ROBOTS_BYTES: u64 = 512 * 1024;
/// Bytes looked at to tell whether an unlabeled body is HTML.
const SNIFF_BYTES: usize = 512;

/// A response worth keeping.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The URL asked for.
    pub url: String,
    /// The URL after redirects.
    pub final_url: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The body as received after content-encoding is undone (not yet charset-decoded).
    pub body: Vec<u8>,
    pub fetched_at: DateTime<Utc>,
}

/// Stored validators for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What to accept as a useful body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// An article: only HTML/XHTML bodies are returned as `Fetched`.
    Html,
    /// A feed, sitemap or robots file: any body.
    Any,
}

/// What became of one URL.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Fetched(Page),
    /// 304: the stored copy is current.
    NotModified,
    /// The body is not what was expected (a PDF or an image for an article); recorded, not kept.
    WrongType {
        final_url: String,
        status: u16,
        content_type: Option<String>,
    },
    /// robots.txt forbids it.
    Disallowed,
    /// The server asked to wait longer than a run may wait (Retry-After); try in a later run.
    Deferred {
        retry_after: Duration,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("invalid URL `{0}`")]
    InvalidUrl(String),
    #[error("HTTP status {status} for {url}")]
    Status { url: String, status: u16 },
    #[error("timed out fetching {0}")]
    Timeout(String),
    #[error("body of {url} exceeds {max_bytes} bytes")]
    TooLarge { url: String, max_bytes: u64 },
    #[error("too many redirects from {0}")]
    TooManyRedirects(String),
    #[error("network error fetching {url}: {message}")]
    Network { url: String, message: String },
    /// The network policy forbids the address `url` (or a redirect from it) leads to.
    #[error("refused {url}: {refusal}")]
    Refused { url: String, refusal: Refusal },
    /// robots.txt failed on the server's side, which disallows the whole origin (RFC 9309).
    /// `kind` is how it failed (name lookup, connection, time, an HTTP status).
    #[error("robots.txt of {origin} could not be read ({reason}), so its pages are off limits for this run")]
    RobotsUnreachable { origin: String, reason: String, kind: OutcomeKind },
    #[error("cannot build HTTP client: {0}")]
    Client(String),
}

/// Fetches pages for one run. Holds the per-run robots.txt cache and per-host pacing.
///
/// Methods take `&self` and the caches sit behind locks, so several tasks may share one
/// fetcher; [`Fetcher::for_source`] makes the handle one source's fetches go through.
pub struct Fetcher {
    shared: Arc<Shared>,
    retry: RetryPolicy,
    /// The origin of the source this handle fetches for: private addresses are allowed there.
    home: Option<url::Origin>,
}

/// What all the handles of one run share.
struct Shared {
    /// Connects to any address: for a source's own origin, or for every URL when private
    /// networks are allowed.
    open: reqwest::Client,
    /// Connects to public addresses only.
    public: reqwest::Client,
    config: FetchConfig,
    /// Our product token, matched against robots.txt groups.
    agent: String,
    /// robots.txt rules by origin (`scheme://host:port`), fetched once per run (and again
    /// after [`ROBOTS_MAX_AGE`] in a fetcher that lives longer), with when the cell was made.
    /// Each origin has its own cell, so a slow robots.txt holds up its own origin only.
    robots: Mutex<HashMap<String, (Instant, RobotsCell)>>,
    pacing: Mutex<Pacing>,
}

/// The robots.txt rules of one origin, read by the first caller that needs them.
type RobotsCell = Arc<OnceCell<Arc<RobotsRules>>>;

/// A failed attempt, and whether another attempt may do better.
struct Failure {
    error: FetchError,
    retryable: bool,
    retry_after: Option<Duration>,
}

impl Failure {
    fn fatal(error: FetchError) -> Failure {
        Failure {
            error,
            retryable: false,
            retry_after: None,
        }
    }
}

impl Fetcher {
    pub fn new(config: &FetchConfig) -> Result<Fetcher, FetchError> {
        let builder = || {
            reqwest::Client::builder()
                .user_agent(config.user_agent.as_str())
                .timeout(config.timeout)
                .redirect(redirect::Policy::none())
        };
        let client_error = |e: reqwest::Error| FetchError::Client(e.to_string());
        let open = builder().build().map_err(client_error)?;
        let public = if config.allow_private_networks {
            open.clone()
        } else {
            builder().dns_resolver(policy::PublicOnly).build().map_err(client_error)?
        };
        Ok(Fetcher {
            shared: Arc::new(Shared {
                open,
                public,
                config: config.clone(),
                agent: robots::agent_token(&config.user_agent),
                robots: Mutex::new(HashMap::new()),
                pacing: Mutex::new(Pacing::new(config.per_host_delay)),
            }),
            retry: RetryPolicy::default(),
            home: None,
        })
    }

    /// Replaces the default retry bounds (3 attempts, 5 s of total backoff per URL).
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Fetcher {
        self.retry = policy;
        self
    }

    /// The handle for one source's fetches. It shares this fetcher's robots.txt cache, pacing
    /// and retry policy, and may also reach a private address on the source's own origin
    /// (scheme, host and port): a source on an intranet server works, while what its pages
    /// link or redirect to elsewhere stays under the network policy.
    pub fn for_source(&self, source_url: &str) -> Fetcher {
        Fetcher {
            shared: Arc::clone(&self.shared),
            retry: self.retry,
            home: Url::parse(source_url).ok().map(|u| u.origin()),
        }
    }

    /// Fetches one URL politely, with retries bounded within the run.
    ///
    /// A URL leading to a non-public address is refused (see [`Fetcher::for_source`]).
    /// robots.txt is read once per origin and run; requests to one host are spaced by
    /// `per_host_delay` (or a larger Crawl-delay). Connection errors, timeouts, 5xx and 429
    /// are retried with jittered exponential backoff, or after the server's Retry-After;
    /// a Retry-After beyond the retry budget gives `Deferred`, and the host's other URLs are
    /// deferred with it for the rest of the run. Other 4xx, oversized bodies and redirect
    /// loops fail at once. All hops, bodies and retries of the URL share one deadline
    /// (`url_deadline`); pacing waits are not counted, and a robots.txt, fetched once per
    /// origin and run, has a deadline of its own.
    pub async fn fetch(&self, url: &str, validators: &Validators, expect: Expect) -> Result<Outcome, FetchError> {
        let (parsed, host) = http_url(url)?;
        // Before anything is sent, robots.txt included.
        self.client_for(&parsed)?;
        if let Some(retry_after) = self.pacing().deferred(&host, Instant::now()) {
            debug!(url, ?retry_after, "Host asked us to wait, deferring.");
            return Ok(Outcome::Deferred { retry_after });
        }
        if self.config().respect_robots && !self.robots_allow(&parsed, &host).await? {
            debug!(url, "Disallowed by robots.txt.");
            return Ok(Outcome::Disallowed);
        }
        let mut deadline = later(Instant::now(), self.config().url_deadline);

        let mut waited = Duration::ZERO;
        let mut attempt = 1;
        loop {
            self.pace(&host, &mut deadline).await;
            let result = self.attempt(&parsed, validators, expect, &mut deadline).await;
            self.pacing().finished(&host, Instant::now());
            let failure = match result {
                Ok(outcome) => return Ok(outcome),
                Err(failure) => failure,
            };
            if !failure.retryable {
                return Err(failure.error);
            }
            let time_left = deadline.saturating_duration_since(Instant::now());
            let budget_left = self.retry.max_total_backoff.saturating_sub(waited).min(time_left);
            if let Some(retry_after) = failure.retry_after
                && retry_after > budget_left
            {
                debug!(url, ?retry_after, "Retry-After beyond this run's budget, deferring.");
                self.pacing().defer(&host, later(Instant::now(), retry_after));
                return Ok(Outcome::Deferred { retry_after });
            }
            if attempt >= self.retry.max_attempts || time_left.is_zero() {
                return Err(failure.error);
            }
            let wait = failure.retry_after.unwrap_or_else(|| self.retry.backoff(attempt)).min(budget_left);
            debug!(url, attempt, ?wait, error = %failure.error, "Retrying.");
            tokio::time::sleep(wait).await;
            waited += wait;
            attempt += 1;
        }
    }

    /// What hosts asked of this run that must outlive it (see [`HostMemory`]).
    pub fn host_memory(&self) -> Vec<HostMemory> {
        let (now, wall) = (Instant::now(), Utc::now());
        let at = |instant: Instant| {
            let ahead = chrono::Duration::from_std(instant.saturating_duration_since(now)).unwrap_or(chrono::Duration::MAX);
            wall.checked_add_signed(ahead).unwrap_or(wall)
        };
        self.pacing()
            .lasting(now)
            .into_iter()
            .map(|l| HostMemory {
                not_before: l.deferred_until.map(at),
                crawl_delay: l.raised_delay,
                next_request_at: at(l.next),
                host: l.host,
            })
            .collect()
    }

    /// Takes back what hosts asked of earlier runs: a Retry-After still running defers the
    /// host's URLs at once, and a Crawl-delay spaces this run's first request from the last
    /// run's last one.
    pub fn remember_hosts(&self, hosts: &[HostMemory]) {
        let (now, wall) = (Instant::now(), Utc::now());
        let at = |time: DateTime<Utc>| later(now, (time - wall).to_std().unwrap_or(Duration::ZERO));
        let mut pacing = self.pacing();
        for host in hosts {
            let lasting = Lasting {
                host: host.host.clone(),
                deferred_until: host.not_before.filter(|t| *t > wall).map(at),
                // Never more than robots.txt may ask, whatever the database holds.
                raised_delay: host.crawl_delay.map(|d| d.min(robots::MAX_CRAWL_DELAY)),
                next: at(host
                    .next_request_at
                    .min(wall + chrono::Duration::from_std(robots::MAX_CRAWL_DELAY).unwrap_or_default())),
            };
            pacing.restore(&lasting, now);
        }
    }

    /// The `Sitemap:` lines of the robots.txt of `url`'s host (fetched if not yet cached).
    pub async fn robots_sitemaps(&self, url: &str) -> Vec<String> {
        let Ok((parsed, host)) = http_url(url) else {
            return Vec::new();
        };
        if self.client_for(&parsed).is_err() {
            return Vec::new();
        }
        self.robots_for(&parsed, &host).await.sitemaps().to_vec()
    }

    fn config(&self) -> &FetchConfig {
        &self.shared.config
    }

    fn pacing(&self) -> std::sync::MutexGuard<'_, Pacing> {
        // The map stays consistent even if a holder panicked: every update is one statement.
        self.shared.pacing.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The client allowed to fetch `url`: the open one on the source's own origin or when
    /// private networks are allowed; otherwise the one that connects to public addresses only,
    /// once a non-public IP literal (which no resolver sees) has been refused.
    fn client_for(&self, url: &Url) -> Result<&reqwest::Client, FetchError> {
        let shared = &*self.shared;
        if shared.config.allow_private_networks || self.home.as_ref() == Some(&url.origin()) {
            return Ok(&shared.open);
        }
        if let Some(ip) = policy::literal_ip(url) {
            policy::check(ip).map_err(|refusal| FetchError::Refused {
                url: url.to_string(),
                refusal,
            })?;
        }
        Ok(&shared.public)
    }

    /// Waits for this host's next free slot. Politeness is our own choice, so the wait moves
    /// `deadline` rather than eating into it.
    async fn pace(&self, host: &str, deadline: &mut Instant) {
        let now = Instant::now();
        let slot = self.pacing().reserve(host, now);
        tokio::time::sleep_until(slot.into()).await;
        *deadline = later(*deadline, slot.saturating_duration_since(now));
    }

    /// Whether robots.txt lets us fetch `url`. A robots.txt whose server failed makes every
    /// page of its origin an error for this run, one that says why.
    async fn robots_allow(&self, url: &Url, host: &str) -> Result<bool, FetchError> {
        let rules = self.robots_for(url, host).await;
        if let Some((reason, kind)) = rules.unreachable_reason() {
            return Err(FetchError::RobotsUnreachable {
                origin: url.origin().ascii_serialization(),
                reason: reason.to_string(),
                kind,
            });
        }
        Ok(rules.allowed(url.as_str()))
    }

    /// The robots.txt rules for `url`'s origin, fetched on first use. Callers for one origin
    /// share one fetch; callers for other origins never wait on it.
    ///
    /// The fetch has its own deadline rather than the caller's: a caller giving up would leave
    /// it to the next one, and with a long pacing gap no caller might ever see it through.
    async fn robots_for(&self, url: &Url, host: &str) -> Arc<RobotsRules> {
        let origin = url.origin().ascii_serialization();
        let cell = {
            let mut cells = self.shared.robots.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let (made, cell) = cells.entry(origin).or_insert_with(|| (now, Arc::default()));
            // A fetcher that outlives one run (the daemon's) must see a site's rules change,
            // and a robots.txt that failed must not keep the site off limits for good.
            if now.saturating_duration_since(*made) > ROBOTS_MAX_AGE {
                (*made, *cell) = (now, Arc::default());
            }
            Arc::clone(cell)
        };
        let rules = cell
            .get_or_init(|| async {
                let rules = self.read_robots(url, host).await;
                if let Some(delay) = rules.crawl_delay() {
                    debug!(host, ?delay, "Crawl-delay applies.");
                    self.pacing().raise_delay(host, delay, Instant::now());
                }
                Arc::new(rules)
            })
            .await;
        Arc::clone(rules)
    }

    /// Reads the robots.txt of `url`'s origin within its own deadline, following up to
    /// [`MAX_ROBOTS_REDIRECTS`] redirects, each paced and under the network policy.
    async fn read_robots(&self, url: &Url, host: &str) -> RobotsRules {
        let Ok(mut current) = url.join("/robots.txt") else {
            return RobotsRules::allow_all();
        };
        let mut host = host.to_string();
        let mut deadline = later(Instant::now(), self.config().url_deadline);
        let timed_out = || RobotsRules::unreachable("timed out".into(), OutcomeKind::Timeout);
        let mut hops = 0;
        let response = loop {
            // A file we may not fetch is like a missing one: no rules.
            let client = match self.client_for(&current) {
                Ok(client) => client,
                Err(e) => {
                    debug!(error = %e, "robots.txt not fetched, allowing all.");
                    return RobotsRules::allow_all();
                }
            };
            self.pace(&host, &mut deadline).await;
            let sent = within(deadline, client.get(current.clone()).send()).await;
            self.pacing().finished(&host, Instant::now());
            let response = match sent {
                Ok(Ok(response)) => response,
                Ok(Err(e)) if policy::refusal_in(&e).is_some() => {
                    debug!(url = %current, "robots.txt resolves to a refused address, allowing all.");
                    return RobotsRules::allow_all();
                }
                Ok(Err(e)) => return self.unreachable_robots(&current, e),
                Err(_elapsed) => return timed_out(),
            };
            let Some(next) = redirect_target(&current, &response) else {
                break response;
            };
            hops += 1;
            // RFC 9309: past five redirects the file may be taken as missing.
            let Some((next, next_host)) = http_url(next.as_str()).ok().filter(|_| hops <= MAX_ROBOTS_REDIRECTS) else {
                debug!(url = %current, hops, "robots.txt redirects too often or oddly, allowing all.");
                return RobotsRules::allow_all();
            };
            debug!(from = %current, to = %next, "robots.txt redirect.");
            (current, host) = (next, next_host);
        };
        let status = response.status();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            debug!(url = %current, status = status.as_u16(), "robots.txt failed, disallowing all.");
            return RobotsRules::unreachable(format!("HTTP status {}", status.as_u16()), OutcomeKind::Http(status.as_u16()));
        }
        if !status.is_success() {
            return RobotsRules::allow_all();
        }
        let limit = MAX_ROBOTS_BYTES.min(self.config().max_bytes);
        let body = match read_body(response, deadline, limit, |_| false).await {
            Ok(Body::Whole(body) | Body::Stopped(body)) => body,
            Ok(Body::Over(mut body)) => {
                // Rules past the cap are ignored; cut at the last full line.
                let cut = body.iter().rposition(|&b| b == b'\n').unwrap_or(0);
                body.truncate(cut);
                body
            }
            Err(BodyError::Transport(e)) => return self.unreachable_robots(&current, e),
            Err(BodyError::Timeout) => return timed_out(),
        };
        RobotsRules::parse(&self.shared.agent, &body)
    }

    /// One request, with no retry.
    ///
    /// Redirects are followed here rather than inside the HTTP client, so that every hop is
    /// checked against the network policy and its own host's robots.txt, and paced like any
    /// other request.
    async fn attempt(&self, url: &Url, validators: &Validators, expect: Expect, deadline: &mut Instant) -> Result<Outcome, Failure> {
        let timed_out = |_: Elapsed| Failure::fatal(FetchError::Timeout(url.to_string()));
        let mut current = url.clone();
        let mut client = self.client_for(url).map_err(Failure::fatal)?;
        let mut hops = 0;
        let response = loop {
            let request = client.get(current.clone()).headers(conditional_headers(validators)).send();
            let response = within(*deadline, request)
                .await
                .map_err(timed_out)?
                .map_err(|e| self.failure(url, e))?;
            let status = response.status();
            let Some(next) = redirect_target(&current, &response) else {
                break response;
            };
            hops += 1;
            if hops > MAX_REDIRECTS {
                return Err(Failure::fatal(FetchError::TooManyRedirects(url.to_string())));
            }
            let (next, next_host) = http_url(next.as_str()).map_err(Failure::fatal)?;
            debug!(from = %current, to = %next, status = status.as_u16(), "Redirect.");
            if let Some(host) = host_key(&current) {
                self.pacing().finished(&host, Instant::now());
            }
            // Each hop is judged on its own: a public page may not redirect into a private network.
            client = self.client_for(&next).map_err(Failure::fatal)?;
            if self.config().respect_robots && !self.robots_allow(&next, &next_host).await.map_err(Failure::fatal)? {
                return Ok(Outcome::Disallowed);
            }
            self.pace(&next_host, deadline).await;
            current = next;
        };
        let status = response.status();
        let final_url = current.to_string();
        debug!(url = %url, final_url, status = status.as_u16(), "Response.");
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Outcome::NotModified);
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let retry_after = response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| retry::parse_retry_after(v, Utc::now()));
            return Err(Failure {
                error: FetchError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                },
                retryable: true,
                retry_after,
            });
        }
        if !status.is_success() {
            return Err(Failure::fatal(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            }));
        }

        let text_header = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        let content_type = text_header(header::CONTENT_TYPE);
        let etag = text_header(header::ETAG);
        let last_modified = text_header(header::LAST_MODIFIED);
        let wrong_type = || Outcome::WrongType {
            final_url: final_url.clone(),
            status: status.as_u16(),
            content_type: content_type.clone(),
        };
        if expect == Expect::Html && content_type.as_deref().is_some_and(|ct| !is_html_type(ct)) {
            // Dropping the response closes the connection without reading the body.
            return Ok(wrong_type());
        }
        let too_large = || {
            Failure::fatal(FetchError::TooLarge {
                url: url.to_string(),
                max_bytes: self.config().max_bytes,
            })
        };
        // Known only when the body is not compressed; then an oversized body is never read.
        if response.content_length().is_some_and(|len| len > self.config().max_bytes) {
            return Err(too_large());
        }

        // Unlabelled, it is read only as far as it takes to see whether it is HTML.
        let mut sniff = expect == Expect::Html && content_type.is_none();
        let not_html = |body: &[u8]| {
            let seen = sniff && body.len() >= SNIFF_BYTES;
            sniff &= !seen;
            seen && !looks_like_html(body)
        };
        let body = match read_body(response, *deadline, self.config().max_bytes, not_html).await {
            Ok(Body::Whole(body)) => body,
            Ok(Body::Stopped(_)) => return Ok(wrong_type()),
            Ok(Body::Over(_)) => return Err(too_large()),
            Err(BodyError::Transport(e)) => return Err(self.failure(url, e)),
            Err(BodyError::Timeout) => return Err(Failure::fatal(FetchError::Timeout(url.to_string()))),
        };
        if sniff && !looks_like_html(&body) {
            return Ok(wrong_type());
        }
        Ok(Outcome::Fetched(Page {
            url: url.to_string(),
            final_url,
            status: status.as_u16(),
            content_type,
            etag,
            last_modified,
            body,
            fetched_at: Utc::now(),
        }))
    }

    /// The rules of a robots.txt that failed in transport, with the kind of that failure
    /// sorted as for any other fetch (a failed name lookup is `dns`, not `robots`).
    fn unreachable_robots(&self, url: &Url, e: reqwest::Error) -> RobotsRules {
        let reason = error_chain(&e);
        RobotsRules::unreachable(reason, OutcomeKind::from(&self.failure(url, e).error))
    }

    /// Sorts a transport error: timeouts and connection trouble may pass, redirect loops not.
    fn failure(&self, url: &Url, e: reqwest::Error) -> Failure {
        let url = url.to_string();
        if let Some(refusal) = policy::refusal_in(&e) {
            return Failure::fatal(FetchError::Refused { url, refusal });
        }
        if e.is_redirect() {
            return Failure::fatal(FetchError::TooManyRedirects(url));
        }
        if e.is_timeout() {
            return Failure {
                error: FetchError::Timeout(url),
                retryable: true,
                retry_after: None,
            };
        }
        let message = error_chain(&e);
        let retryable = !e.is_builder();
        Failure {
            error: FetchError::Network { url, message },
            retryable,
            retry_after: None,
        }
    }
}

/// How reading a body ended.
#[derive(Debug)]
enum Body {
    /// Read to its end.
    Whole(Vec<u8>),
    /// Longer than the cap: its first bytes, up to the cap exactly.
    Over(Vec<u8>),
    /// Left unread past these bytes, as the caller's check asked.
    Stopped(Vec<u8>),
}

/// Why a body could not be read.
#[derive(Debug)]
enum BodyError {
    Timeout,
    Transport(reqwest::Error),
}

/// Reads a response's body by `deadline`, never holding more than `limit` bytes: the one loop
/// through which every body from the network is read. Counted on the decompressed stream, so a
/// compression bomb stops at the cap. `stop` sees the bytes read so far after each chunk and
/// may end the read there.
async fn read_body(
    response: reqwest::Response,
    deadline: Instant,
    limit: u64,
    mut stop: impl FnMut(&[u8]) -> bool,
) -> Result<Body, BodyError> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    // Sized once when the length is known (within the cap), not grown copy after copy.
    let announced = response
        .content_length()
        .map_or(0, |len| usize::try_from(len).unwrap_or(usize::MAX).min(limit));
    let mut body = Vec::with_capacity(announced);
    let mut stream = response.bytes_stream();
    while let Some(chunk) = within(deadline, stream.next()).await.map_err(|_| BodyError::Timeout)? {
        let chunk = chunk.map_err(BodyError::Transport)?;
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok(Body::Over(body));
        }
        body.extend_from_slice(&chunk);
        if stop(&body) {
            return Ok(Body::Stopped(body));
        }
    }
    Ok(Body::Whole(body))
}

/// Runs one network wait until it ends or `deadline` passes.
async fn within<F: Future>(deadline: Instant, wait: F) -> Result<F::Output, Elapsed> {
    tokio::time::timeout_at(deadline.into(), wait).await
}

/// Parses an http(s) URL and its pacing key.
fn http_url(url: &str) -> Result<(Url, String), FetchError> {
    let invalid = || FetchError::InvalidUrl(url.to_string());
    let parsed = Url::parse(url).map_err(|_| invalid())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid());
    }
    let host = host_key(&parsed).ok_or_else(invalid)?;
    Ok((parsed, host))
}

/// Where a redirect response points, if it is one with a usable Location.
fn redirect_target(current: &Url, response: &reqwest::Response) -> Option<Url> {
    let status = response.status();
    if !status.is_redirection() || status == StatusCode::NOT_MODIFIED {
        return None;
    }
    let location = response.headers().get(header::LOCATION)?.to_str().ok()?;
    current.join(location).ok()
}

/// If-None-Match / If-Modified-Since from stored validators; unusable values are skipped.
fn conditional_headers(validators: &Validators) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let mut put = |name, value: &Option<String>| {
        if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v.trim()).ok()) {
            headers.insert(name, v);
        }
    };
    put(header::IF_NONE_MATCH, &validators.etag);
    put(header::IF_MODIFIED_SINCE, &validators.last_modified);
    headers
}

/// Whether a Content-Type names an HTML document.
fn is_html_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("text/html") || essence.eq_ignore_ascii_case("application/xhtml+xml")
}

/// Whether unlabeled bytes start like an HTML document (after a BOM and whitespace), in the
/// manner of the WHATWG sniffing rules.
fn looks_like_html(body: &[u8]) -> bool {
    const TAGS: [&[u8]; 18] = [
        b"<!doctype html",
        b"<html",
        b"<head",
        b"<script",
        b"<iframe",
        b"<h1",
        b"<div",
        b"<font",
        b"<table",
        b"<a",
        b"<style",
        b"<title",
        b"<b",
        b"<body",
        b"<br",
        b"<p",
        b"<!--",
        b"<meta",
    ];
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    let head = body[start..body.len().min(start + 32)].to_ascii_lowercase();
    TAGS.iter()
        .any(|tag| head.starts_with(tag) && (*tag == b"<!--" || head.get(tag.len()).is_some_and(|&b| b == b'>' || b.is_ascii_whitespace())))
}

/// An error with its causes, on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_types() {
        assert!(is_html_type("text/html"));
        assert!(is_html_type("Text/HTML; charset=utf-8"));
        assert!(is_html_type("application/xhtml+xml"));
        assert!(!is_html_type("application/pdf"));
        assert!(!is_html_type("image/jpeg"));
        assert!(!is_html_type("text/htmlx"));
    }

    #[test]
    fn html_sniffing() {
        assert!(looks_like_html(b"\xEF\xBB\xBF  <!DOCTYPE html><html>"));
        assert!(looks_like_html(b"\n<HTML lang=es>"));
        assert!(looks_like_html(b"<!-- x --><html>"));
        assert!(looks_like_html(b"<p>hola</p>"));
        assert!(!looks_like_html(b"%PDF-1.7\n"));
        assert!(!looks_like_html(b"\x89PNG\r\n"));
        assert!(!looks_like_html(b"<pre>x</pre>"));
        assert!(!looks_like_html(b""));
    }

    #[test]
    fn conditional_headers_skip_unusable_values() {
        let v = Validators {
            etag: Some("\"abc\"".into()),
            last_modified: Some("bad\nvalue".into()),
        };
        let headers = conditional_headers(&v);
        assert_eq!(headers.get(header::IF_NONE_MATCH).unwrap(), "\"abc\"");
        assert!(headers.get(header::IF_MODIFIED_SINCE).is_none());
        assert!(conditional_headers(&Validators::default()).is_empty());
    }

    #[test]
    fn fetch_can_run_on_a_spawned_task() {
        fn assert_send<T: Send>(_: &T) {}
        let fetcher = Fetcher::new(&FetchConfig::default()).unwrap();
        let validators = Validators::default();
        assert_send(&fetcher.fetch("https://example.org/", &validators, Expect::Html));
        assert_send(&fetcher.robots_sitemaps("https://example.org/"));
    }

    #[test]
    fn unusable_urls_are_invalid() {
        let fetcher = Fetcher::new(&FetchConfig::default()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        for url in ["not a url", "ftp://example.org/x", "file:///etc/passwd"] {
            let result = rt.block_on(fetcher.fetch(url, &Validators::default(), Expect::Html));
            assert!(matches!(result, Err(FetchError::InvalidUrl(_))), "{url}: {result:?}");
        }
    }
}
