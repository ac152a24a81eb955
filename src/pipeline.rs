//! One pass over the due sources: discover, fetch, extract, store.
//!
//! Several sources are worked on at once, each fetching its articles one at a time (politeness,
//! per-host pacing, bounds the speed anyway). Parsing and extraction run on the analysis
//! threads ([`pool`]) so every core works, while this thread alone fetches and writes: it owns
//! the SQLite connection, so writes never interleave. Each article is written whole, and the
//! pass commits its writes in batches every [`COMMIT_INTERVAL`], so an interrupted pass loses
//! little and nothing committed.

use std::collections::{HashSet, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::stream::FuturesOrdered;
use futures_util::{FutureExt, StreamExt};
use tracing::{debug, info, warn};

use crate::article::{self, Article};
use crate::config::{Config, Language, SourceConfig, SourceKind};
use crate::discover::{self, Candidate};
use crate::extract::{self, Lang};
use crate::fetch::{self, Expect, Fetcher, Outcome, OutcomeKind, Validators};
use crate::store::{ArchivedBody, NewArticle, PackedBody, PageRecord, RunSummary, Saved, Store, StoreError, StoredPage};

mod pool;
pub mod progress;
mod warc;

pub use progress::Progress;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Fetch(#[from] fetch::FetchError),
    #[error("no source named {0}")]
    UnknownSource(String),
}

/// Which sources a pass takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Those whose schedule fired since their last fetch (never fetched counts as due).
    Due,
    All,
    Named(Vec<String>),
}

/// The outcome of a pass: its counts and how long it took.
#[derive(Debug, Clone, Default)]
pub struct PassReport {
    pub summary: RunSummary,
    pub seconds: f64,
    /// The pass stopped early because shutdown was asked for.
    pub interrupted: bool,
    /// Where this source's running counts are reported while the pass goes on.
    pub progress: Progress,
}

impl PassReport {
    /// Reports this source's counts to [`PassReport::progress`], `done` of its pages taken up.
    fn show_progress(&mut self, done: usize) {
        self.progress.update(done as u64, self.summary.articles_new, self.summary.failed);
    }

    /// The one-line summary printed at the end of `vigia run`.
    pub fn line(&self) -> String {
        let s = &self.summary;
        format!(
            "{} sources, {} pages fetched, {} not modified, {} skipped, {} failed, {} articles new ({} duplicates{}), {} statistics, {} entities in {:.1} s{}",
            s.sources,
            s.pages_fetched,
            s.not_modified,
            s.skipped,
            s.failed,
            s.articles_new,
            s.duplicates,
            if s.changed > 0 {
                format!(", {} changed", s.changed)
            } else {
                String::new()
            },
            s.statistics,
            s.entities,
            self.seconds,
            if self.interrupted { " (interrupted)" } else { "" }
        )
    }
}

/// Asks a pass to stop: the pages in hand are finished and committed, and every network wait
/// (discovery, fetches, pacing, backoff) is abandoned at once.
#[derive(Debug, Clone, Default)]
pub struct Shutdown(Arc<ShutdownState>);

#[derive(Debug, Default)]
struct ShutdownState {
    asked: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Shutdown {
    /// Asks every pass holding this to stop; callable from any thread.
    pub fn request(&self) {
        self.0.asked.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    pub fn is_requested(&self) -> bool {
        self.0.asked.load(Ordering::SeqCst)
    }

    /// Awaits `work` unless a stop is asked for first: then `work` is dropped (it must be a
    /// wait that may be abandoned, such as a network request) and None returned.
    pub async fn unless_stopped<T>(&self, work: impl Future<Output = T>) -> Option<T> {
        tokio::select! {
            biased;
            () = self.requested() => None,
            out = work => Some(out),
        }
    }

    /// Resolves once a stop is asked for (at once if it already was).
    pub async fn requested(&self) {
        loop {
            let notified = self.0.notify.notified();
            if self.is_requested() {
                return;
            }
            notified.await;
        }
    }
}

/// The sources of `config` that `selection` takes at `now`.
pub fn select<'a>(
    config: &'a Config,
    store: &Store,
    selection: &Selection,
    now: DateTime<Utc>,
) -> Result<Vec<&'a SourceConfig>, PipelineError> {
    match selection {
        Selection::All => Ok(config.sources.iter().collect()),
        Selection::Named(names) => names
            .iter()
            .map(|n| {
                config
                    .sources
                    .iter()
                    .find(|s| &s.name == n)
                    .ok_or_else(|| PipelineError::UnknownSource(n.clone()))
            })
            .collect(),
        Selection::Due => {
            let mut due = Vec::new();
            for source in &config.sources {
                if !is_due(source, store.source_last_fetch(&source.name)?, now) {
                    continue;
                }
                // A failing source waits out its backoff; naming it (or `--all`) takes it anyway.
                if let Some(until) = store.source_backoff(&source.name, now)? {
                    info!(source = %source.name, until = %until, "Failing source backs off; left for a later pass.");
                    continue;
                }
                due.push(source);
            }
            Ok(due)
        }
    }
}

/// When `source` is next due: at once when never fetched, else when its schedule next fires
/// after its last fetch, and not before a failing source's backoff ends. None when its
/// schedule never fires again.
pub fn next_due(source: &SourceConfig, store: &Store, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, PipelineError> {
    let due = match store.source_last_fetch(&source.name)? {
        None => now,
        Some(last) => match source.schedule.find_next_occurrence(&last, false) {
            Ok(next) => next,
            Err(_) => return Ok(None),
        },
    };
    let backoff = store.source_backoff(&source.name, now)?;
    Ok(Some(backoff.map_or(due, |until| due.max(until))))
}

/// Due when never fetched, or when the schedule fired between the last fetch and now.
pub fn is_due(source: &SourceConfig, last_fetch: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    match last_fetch {
        None => true,
        Some(last) => match source.schedule.find_next_occurrence(&last, false) {
            Ok(next) => next <= now,
            Err(_) => false,
        },
    }
}

/// How many sources a pass works on at once. Each host is still paced on its own; this only
/// lets slow hosts overlap. Each source fetches one page at a time and has up to
/// [`SOURCE_IN_FLIGHT`] being analysed.
pub const CONCURRENT_SOURCES: usize = 8;

/// Runs one pass over the selected sources and records it in `runs`.
///
/// Sources overlap (up to `CONCURRENT_SOURCES`) on one thread: every store write is
/// synchronous, between two awaits, so writes never interleave.
pub async fn run(config: &Config, store: &Store, selection: &Selection, shutdown: &Shutdown) -> Result<PassReport, PipelineError> {
    store.sync_sources(&config.sources)?;
    let fetcher = fetcher_for(config, store)?;
    run_with(config, store, &fetcher, selection, shutdown, &Claims::default()).await
}

/// A fetcher for `config` that remembers what hosts asked of earlier passes (Retry-After,
/// Crawl-delay), so they hold across passes, not only within one.
pub fn fetcher_for(config: &Config, store: &Store) -> Result<Fetcher, PipelineError> {
    let fetcher = Fetcher::new(&config.fetch)?;
    fetcher.remember_hosts(&store.hosts()?);
    Ok(fetcher)
}

/// [`run`] with a fetcher and claims of the caller's, which may be shared by passes running at
/// once (the daemon's sources): per-host pacing and robots.txt then hold across them, and an
/// article one pass is taking is not downloaded by another. The sources must be in the store
/// already ([`Store::sync_sources`]).
pub async fn run_with(
    config: &Config,
    store: &Store,
    fetcher: &Fetcher,
    selection: &Selection,
    shutdown: &Shutdown,
    claims: &Claims,
) -> Result<PassReport, PipelineError> {
    run_observed(config, store, fetcher, selection, shutdown, &Progress::default(), claims).await
}

/// [`run_with`], reporting its counts to `progress` as it goes (for a progress bar).
pub async fn run_observed(
    config: &Config,
    store: &Store,
    fetcher: &Fetcher,
    selection: &Selection,
    shutdown: &Shutdown,
    progress: &Progress,
    claims: &Claims,
) -> Result<PassReport, PipelineError> {
    let started = Instant::now();
    let now = Utc::now();
    store.prune_history(now)?;
    let sources = select(config, store, selection, now)?;
    progress.expect_parts(sources.len() as u64);
    let run_id = store.start_run(now)?;
    let claimed = Claimed::new(claims);
    let work = futures_util::stream::iter(sources)
        .map(|source| run_one(source, store, fetcher, shutdown, &claimed, progress.part()))
        .buffer_unordered(CONCURRENT_SOURCES)
        .collect::<Vec<Result<PassReport, PipelineError>>>();
    store.begin_batch()?;
    let results = committing(store, work).await;
    // Whatever happened, what the pass wrote is kept: every write in it is whole.
    store.end_batch()?;
    let results = results?;
    let mut report = PassReport::default();
    for result in results {
        let part = result?;
        report.summary.merge(&part.summary);
        report.interrupted |= part.interrupted;
    }
    report.seconds = started.elapsed().as_secs_f64();
    store.save_hosts(&fetcher.host_memory(), Utc::now())?;
    // Claims and stories of what this pass stored (only the claim keys its figures touched).
    store.regroup(crate::store::Regroup::Touched)?;
    store.finish_run(run_id, Utc::now(), &report.summary)?;
    Ok(report)
}

/// The longest a pass keeps its writes uncommitted: a crash loses at most this much work (or
/// [`crate::store::BATCH_WRITES`] writes), and readers see a running pass's articles this soon.
pub const COMMIT_INTERVAL: Duration = Duration::from_millis(500);

/// Runs `work` while committing the store's batch every [`COMMIT_INTERVAL`]. Writes are
/// synchronous between two awaits, so a commit here never splits one.
async fn committing<T>(store: &Store, work: impl Future<Output = T>) -> Result<T, PipelineError> {
    let mut work = std::pin::pin!(work);
    let mut tick = tokio::time::interval(COMMIT_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            out = &mut work => return Ok(out),
            _ = tick.tick() => store.commit_batch()?,
        }
    }
}

/// The articles (by [`discover::dedup_key`]) the passes running now have taken, so one
/// article listed by two sources (a feed and a sitemap of one site) is fetched once, whether
/// the two are read in one pass or in two passes at once (the daemon's).
#[derive(Debug, Default)]
pub struct Claims(Mutex<HashSet<String>>);

impl Claims {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One pass's share of the [`Claims`]: what it took is let go when the pass ends, so a later
/// pass looks at those articles again (a changed page is read again).
#[derive(Debug)]
struct Claimed<'a> {
    all: &'a Claims,
    mine: Mutex<Vec<String>>,
}

impl<'a> Claimed<'a> {
    fn new(all: &'a Claims) -> Claimed<'a> {
        Claimed {
            all,
            mine: Mutex::default(),
        }
    }

    /// Claims `url`'s article for this pass; false when another source already did, in this
    /// pass or in one running alongside.
    fn claim(&self, url: &str) -> bool {
        let key = discover::dedup_key(url);
        if !self.all.lock().insert(key.clone()) {
            return false;
        }
        self.mine.lock().unwrap_or_else(PoisonError::into_inner).push(key);
        true
    }
}

impl Drop for Claimed<'_> {
    fn drop(&mut self) {
        let mine = std::mem::take(self.mine.get_mut().unwrap_or_else(PoisonError::into_inner));
        let mut all = self.all.lock();
        for key in mine {
            all.remove(&key);
        }
    }
}

/// The longest a failing source is left out of scheduled passes.
pub const MAX_SOURCE_BACKOFF: chrono::Duration = chrono::Duration::days(1);

/// How long a source waits after `failed_passes` failed passes in a row: the doubling rule of
/// [`doubling_backoff`], capped at [`MAX_SOURCE_BACKOFF`] so a source that mends is back
/// within a day.
pub fn source_backoff(failed_passes: u32) -> Option<chrono::Duration> {
    doubling_backoff(failed_passes, MAX_SOURCE_BACKOFF)
}

/// How one source's pass went, beyond its counts.
#[derive(Debug, Default)]
struct SourcePass {
    /// The source-level error `status` shows.
    error: Option<String>,
    /// Its own URL failed, or every page it offered and was fetched failed.
    failed: bool,
    /// The server asked (Retry-After) not to be asked again before this long.
    retry_after: Option<Duration>,
    /// The validators to keep for its feed, sitemaps or section page: the pass took every
    /// candidate they listed and left none to try again, so a 304 next time means nothing new.
    documents: Option<Vec<(String, Validators)>>,
}

/// One source, with its own counts; its fetch is recorded unless shutdown cut it short.
async fn run_one(
    source: &SourceConfig,
    store: &Store,
    fetcher: &Fetcher,
    shutdown: &Shutdown,
    claimed: &Claimed<'_>,
    progress: Progress,
) -> Result<PassReport, PipelineError> {
    let mut report = PassReport {
        progress,
        ..PassReport::default()
    };
    if shutdown.is_requested() {
        report.interrupted = true;
        return Ok(report);
    }
    report.summary.sources = 1;
    // Its own origin may be on a private network; what it links to elsewhere may not.
    let fetcher = &fetcher.for_source(&source.url);
    let pass = run_source(source, store, fetcher, &mut report, shutdown, claimed).await?;
    if !report.interrupted {
        let now = Utc::now();
        store.record_source_fetch(&source.name, now, pass.error.as_deref())?;
        let failed_passes = store.record_source_pass(&source.name, pass.failed)?;
        let backoff = if pass.failed { source_backoff(failed_passes) } else { None };
        let asked = pass.retry_after.and_then(|wait| chrono::Duration::from_std(wait).ok());
        let wait = backoff.into_iter().chain(asked).max();
        let until = wait.and_then(|wait| now.checked_add_signed(wait));
        store.set_source_backoff(&source.name, until)?;
        if let Some(until) = until {
            warn!(source = %source.name, failed_passes, until = %until, "Source backs off.");
        }
        match &pass.documents {
            Some(documents) => store.save_discovery_validators(&source.name, documents, now)?,
            None => store.forget_discovery_validators(&source.name)?,
        }
    }
    let s = &report.summary;
    info!(source = %source.name, fetched = s.pages_fetched, new = s.articles_new, failed = s.failed, "Source done.");
    Ok(report)
}

/// One source: discovery then every candidate, each fetch outcome recorded in its health.
async fn run_source(
    source: &SourceConfig,
    store: &Store,
    fetcher: &Fetcher,
    report: &mut PassReport,
    shutdown: &Shutdown,
    claimed: &Claimed<'_>,
) -> Result<SourcePass, PipelineError> {
    let known = store.discovery_validators(&source.name)?;
    // Network waits are abandoned when a stop is asked for: a future dropped at an await
    // point leaves no half-done write, since every store write runs between two awaits.
    let Some(discovered) = shutdown.unless_stopped(discover::discover_with(source, fetcher, &known)).await else {
        report.interrupted = true;
        return Ok(SourcePass::default());
    };
    let discovered = match discovered {
        Ok(d) => d,
        Err(e) => {
            store.record_outcome(&source.name, e.kind(), false, Utc::now())?;
            let msg = format!("{}: {e}", source.name);
            warn!(source = %source.name, error = %e, "Discovery failed.");
            report.progress.part_known(0);
            report.summary.failed += 1;
            report.summary.errors.push(msg.clone());
            return Ok(SourcePass {
                error: Some(msg),
                failed: true,
                retry_after: e.retry_after(),
                documents: None,
            });
        }
    };
    for kind in &discovered.outcomes {
        store.record_outcome(&source.name, *kind, false, Utc::now())?;
    }
    if discovered.unchanged {
        debug!(source = %source.name, "Source not modified since its last read; nothing new.");
    }
    debug!(source = %source.name, candidates = discovered.candidates.len(), "Source discovered.");
    if source.kind == SourceKind::Warc {
        // Its pages are known only as its archives are read.
        report.progress.part_known(0);
        return warc::run_warc(source, &discovered.candidates, store, report, shutdown, claimed).await;
    }
    let (candidates, unseen_left) = for_this_pass(source, discovered.candidates, store)?;
    report.progress.part_known(candidates.len() as u64);
    // A child sitemap that failed must be read again, so its index must not answer 304.
    let complete = unseen_left == 0 && !discovered.outcomes.iter().any(|kind| kind.is_failure());
    let mut tally = SourceTally {
        complete,
        ..SourceTally::default()
    };
    // Pages fetched and being analysed, stored in the order fetched.
    let mut in_flight = InFlight::new(SOURCE_IN_FLIGHT, SOURCE_IN_FLIGHT_BYTES, &PROCESS_IN_FLIGHT);
    for (done, candidate) in candidates.iter().enumerate() {
        report.show_progress(done);
        if !claimed.claim(&candidate.url) {
            // Another source of this pass took this article: no second download, but a page
            // it set aside (its filters are not this source's) is read again under this
            // source's filters, as a 304 would have it.
            debug!(source = %source.name, url = %candidate.url, "Taken by another source in this pass.");
            if store.article_for_url(&candidate.url)?.is_none()
                && let Some(stored) = store.stored_page(&candidate.url)?
            {
                let page = stored_as_page(stored, Utc::now());
                in_flight.push(page.body.len(), analysing(source, candidate, page, Origin::SetAside));
            }
            continue;
        }
        if shutdown.is_requested() {
            report.interrupted = true;
            break;
        }
        // The oldest pages are stored first when too many are being analysed.
        while in_flight.full()
            && let Some((origin, ready)) = in_flight.next().await
        {
            tally.store(source, origin, ready, store, report)?;
        }
        let mut counts = RunSummary::default();
        // While it is fetched, the pages before it are stored as their analyses end.
        let step = {
            let mut fetch = std::pin::pin!(handle_candidate(source, candidate, store, fetcher, &mut counts, shutdown));
            loop {
                tokio::select! {
                    step = &mut fetch => break step?,
                    Some((origin, ready)) = in_flight.next(), if !in_flight.is_empty() => {
                        tally.store(source, origin, ready, store, report)?;
                    }
                }
            }
        };
        report.summary.merge(&counts);
        match step {
            Step::Done(handled) => tally.count(source, handled, Origin::Fetched, store, report)?,
            Step::Interrupted => {
                report.interrupted = true;
                break;
            }
            Step::Analyse { page, origin } => in_flight.push(page.body.len(), analysing(source, candidate, page, origin)),
        }
    }
    // What is in hand is analysed and stored, a stop asked for or not.
    while let Some((origin, ready)) = in_flight.next().await {
        tally.store(source, origin, ready, store, report)?;
    }
    report.show_progress(candidates.len());
    let SourceTally {
        failures,
        answered,
        unanswered,
        complete,
    } = tally;
    Ok(SourcePass {
        error: (failures > 0).then(|| format!("{failures} of {} pages failed", candidates.len())),
        failed: unanswered > 0 && answered == 0,
        retry_after: None,
        documents: (complete && !report.interrupted).then_some(discovered.documents),
    })
}

/// Pages of one source fetched and being analysed at once, at most. The source's thread
/// fetches the next page (one request at a time, paced per host) while the analysis threads
/// work through these, and stores each as its analysis ends; with several sources at once,
/// enough wait that the analysis threads keep working while that thread commits a batch.
/// About 0.3 MB each.
const SOURCE_IN_FLIGHT: usize = 16;

/// Bytes of page (as received) one source holds in analysis at once, beyond which it waits
/// before the next fetch: a run of pages near `fetch.max_bytes` is held to a few at a time.
const SOURCE_IN_FLIGHT_BYTES: usize = 16 << 20;

/// Bytes of page the whole process holds in analysis at once, beyond which a source that has
/// pages in analysis stores its oldest before it takes the next. Each source's own bound holds
/// only that source, and a pass works on several at once (the daemon on many passes): eight
/// sources of large pages could otherwise hold 128 MB. A source with nothing in analysis
/// always takes its next page, so no source waits for another's to be stored: the most held is
/// this plus one page per source.
const PROCESS_IN_FLIGHT_BYTES: usize = 64 << 20;

/// What every [`InFlight`] of the process holds, against [`PROCESS_IN_FLIGHT_BYTES`].
static PROCESS_IN_FLIGHT: SharedBytes = SharedBytes::new(PROCESS_IN_FLIGHT_BYTES);

/// Bytes held by several [`InFlight`]s together, and the most they may hold.
struct SharedBytes {
    held: AtomicUsize,
    max: usize,
}

impl SharedBytes {
    const fn new(max: usize) -> SharedBytes {
        SharedBytes {
            held: AtomicUsize::new(0),
            max,
        }
    }

    fn over(&self) -> bool {
        self.held.load(Ordering::Relaxed) > self.max
    }
}

/// The count and bytes of pages held in analysis, oldest first, against a bound of their own
/// and the bytes held by every holder sharing `shared`. It keeps no page: its owner keeps them
/// in the same order ([`InFlight`] as futures, `reprocess` as jobs).
struct Held<'s> {
    /// The size of each page held.
    sizes: VecDeque<usize>,
    bytes: usize,
    max_pages: usize,
    max_bytes: usize,
    shared: &'s SharedBytes,
}

impl<'s> Held<'s> {
    fn new(max_pages: usize, max_bytes: usize, shared: &'s SharedBytes) -> Self {
        Held {
            sizes: VecDeque::new(),
            bytes: 0,
            max_pages,
            max_bytes,
            shared,
        }
    }

    fn add(&mut self, size: usize) {
        self.sizes.push_back(size);
        self.bytes = self.bytes.saturating_add(size);
        self.shared.held.fetch_add(size, Ordering::Relaxed);
    }

    /// The oldest page is no longer held.
    fn remove_oldest(&mut self) {
        let size = self.sizes.pop_front().unwrap_or(0);
        self.bytes = self.bytes.saturating_sub(size);
        self.shared.held.fetch_sub(size, Ordering::Relaxed);
    }

    /// Whether the oldest page must be taken back before another is given. One page is always
    /// allowed, so no holder waits for another's pages to be stored.
    fn full(&self) -> bool {
        self.sizes.len() >= self.max_pages || self.bytes > self.max_bytes || (self.shared.over() && !self.sizes.is_empty())
    }
}

impl Drop for Held<'_> {
    /// Pages dropped untaken (a pass that ended on an error) are no longer held.
    fn drop(&mut self) {
        self.shared.held.fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

/// Pages handed to the analysis threads and not yet stored, taken back in the order given,
/// bounded as [`Held`] says.
struct InFlight<'s, F: Future> {
    pages: FuturesOrdered<F>,
    held: Held<'s>,
}

impl<'s, F: Future> InFlight<'s, F> {
    fn new(max_pages: usize, max_bytes: usize, shared: &'s SharedBytes) -> Self {
        InFlight {
            pages: FuturesOrdered::new(),
            held: Held::new(max_pages, max_bytes, shared),
        }
    }

    fn push(&mut self, size: usize, page: F) {
        self.pages.push_back(page);
        self.held.add(size);
    }

    /// Whether the oldest page must be taken back before another is given.
    fn full(&self) -> bool {
        self.held.full()
    }

    fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// The oldest page once its analysis is done; None when there is none. Dropped before it
    /// is ready, it leaves that page in place.
    async fn next(&mut self) -> Option<F::Output> {
        let out = self.pages.next().await?;
        self.held.remove_oldest();
        Some(out)
    }
}

/// How the candidates of one source went, for its pass's health.
#[derive(Debug, Default)]
struct SourceTally {
    failures: usize,
    /// Pages the server answered, and pages it did not.
    answered: usize,
    unanswered: usize,
    /// Every candidate was taken with nothing left to try again (a source with listings; a
    /// `warc` source keeps this per archive instead).
    complete: bool,
}

impl SourceTally {
    /// Stores a page the source analysed, as its analysis left it, and counts what became of
    /// it; false when it failed.
    fn store(
        &mut self,
        source: &SourceConfig,
        origin: Origin,
        ready: Ready,
        store: &Store,
        report: &mut PassReport,
    ) -> Result<bool, PipelineError> {
        let handled = Handled::analysed(store_analysed(source, ready, store, report)?);
        let stored = handled.failure.is_none();
        let handled = match origin {
            Origin::Revisited => Handled {
                kind: Some(OutcomeKind::NotModified),
                failure: handled.failure,
            },
            Origin::Fetched | Origin::SetAside => handled,
        };
        self.count(source, handled, origin, store, report)?;
        Ok(stored)
    }

    /// Counts one candidate's outcome, and records it in the source's health unless it was
    /// another source's page ([`Origin::SetAside`]).
    fn count(
        &mut self,
        source: &SourceConfig,
        handled: Handled,
        origin: Origin,
        store: &Store,
        report: &mut PassReport,
    ) -> Result<(), PipelineError> {
        if origin != Origin::SetAside {
            match handled.kind {
                Some(kind) => {
                    store.record_outcome(&source.name, kind, true, Utc::now())?;
                    if kind.is_failure() {
                        self.unanswered += 1;
                    } else {
                        self.answered += 1;
                    }
                    // A deferred page is tried again in a later pass, so its listing must be read again.
                    self.complete &= kind != OutcomeKind::Deferred;
                }
                None => self.complete = false,
            }
        }
        if let Some(msg) = handled.failure {
            self.failures += 1;
            self.complete = false;
            report.summary.failed += 1;
            report.summary.errors.push(msg);
        }
        Ok(())
    }
}

/// The candidates this pass takes: all of a `files` source's; of another source's, at most
/// `discover.max_candidates_per_pass`, the URLs never asked for before first, so a backlog
/// longer than one pass is worked through pass after pass. Returns them with how many URLs
/// never asked for are left for later passes.
fn for_this_pass(source: &SourceConfig, candidates: Vec<Candidate>, store: &Store) -> Result<(Vec<Candidate>, usize), PipelineError> {
    let max = source.discover.max_candidates_per_pass;
    if source.kind == SourceKind::Files || candidates.len() <= max {
        return Ok((candidates, 0));
    }
    let mut known = HashSet::new();
    for candidate in &candidates {
        if store.has_page(&candidate.url)? {
            known.insert(candidate.url.clone());
        }
    }
    let unseen = candidates.len() - known.len();
    let (taken, left) = discover::take_for_pass(candidates, max, |c| known.contains(&c.url));
    let unseen_left = unseen.saturating_sub(taken.iter().filter(|c| !known.contains(&c.url)).count());
    info!(
        source = %source.name,
        taken = taken.len(),
        left,
        unseen_left,
        "More candidates than one pass takes: new ones first, newest first; the rest wait for later passes."
    );
    Ok((taken, unseen_left))
}

/// What became of one candidate: the kind of its fetch outcome (None when it was not fetched:
/// it waits, after failures or a Retry-After, for a later pass), and the message of a page
/// that failed.
#[derive(Debug, Default)]
struct Handled {
    kind: Option<OutcomeKind>,
    failure: Option<String>,
}

impl Handled {
    fn done(kind: OutcomeKind) -> Handled {
        Handled {
            kind: Some(kind),
            failure: None,
        }
    }

    fn failed(kind: OutcomeKind, msg: String) -> Handled {
        Handled {
            kind: Some(kind),
            failure: Some(msg),
        }
    }

    /// A fetched (or read) page as its analysis left it.
    fn analysed(result: PageResult) -> Handled {
        match result {
            PageResult::Stored => Handled::done(OutcomeKind::Ok),
            PageResult::Empty => Handled::done(OutcomeKind::Empty),
            PageResult::Filtered => Handled::done(OutcomeKind::Filtered),
            PageResult::Failed(msg) => Handled::failed(OutcomeKind::Other, msg),
        }
    }
}

/// Fetches (or reads) one candidate: a page to analyse and store, or what became of it when
/// there is none. Failures are recorded and returned in [`Handled`]; `Err` is a store failure
/// that stops the pass.
///
/// What it fetched, skipped or found not modified is counted in `counts`. A stop asked for
/// ends its network waits at once: it then returns [`Step::Interrupted`], nothing done.
async fn handle_candidate(
    source: &SourceConfig,
    candidate: &Candidate,
    store: &Store,
    fetcher: &Fetcher,
    counts: &mut RunSummary,
    shutdown: &Shutdown,
) -> Result<Step, PipelineError> {
    let now = Utc::now();
    let base = PageRecord {
        url: candidate.url.clone(),
        final_url: candidate.url.clone(),
        source: source.name.clone(),
        fetched_at: now,
        ..PageRecord::default()
    };

    // A URL that failed again and again, or whose server asked us to wait, waits its turn.
    if let Some(until) = store.retry_after(&candidate.url)? {
        debug!(url = %candidate.url, until = %until, "Deferred by an earlier run.");
        counts.skipped += 1;
        return Ok(Step::Done(Handled::default()));
    }

    let page = if let Some(path) = &candidate.path {
        match read_file_page(candidate, path, store, source.discover.max_bytes)? {
            FileRead::Page(page) => page,
            FileRead::Unchanged => {
                counts.not_modified += 1;
                return Ok(Step::Done(Handled::done(OutcomeKind::NotModified)));
            }
            FileRead::Failed(msg) => {
                record_failure(store, base, &msg)?;
                return Ok(Step::Done(Handled::failed(OutcomeKind::Other, msg)));
            }
        }
    } else {
        let validators = store.validators(&candidate.url)?;
        let Some(outcome) = shutdown
            .unless_stopped(fetcher.fetch(&candidate.url, &validators, Expect::Html))
            .await
        else {
            return Ok(Step::Interrupted);
        };
        let outcome = match outcome {
            // 304 stands for the stored body. A page that gave no article then (filtered out,
            // no text, a failed analysis) is looked at again, under today's filters and for
            // whichever source lists it now, instead of being taken as done. Its outcome is
            // the 304: the server was asked nothing new.
            Ok(Outcome::NotModified) if store.article_for_url(&candidate.url)?.is_none() => match store.stored_page(&candidate.url)? {
                Some(stored) => {
                    counts.not_modified += 1;
                    return Ok(Step::Analyse {
                        page: stored_as_page(stored, now),
                        origin: Origin::Revisited,
                    });
                }
                None => match shutdown
                    .unless_stopped(fetcher.fetch(&candidate.url, &Validators::default(), Expect::Html))
                    .await
                {
                    Some(outcome) => outcome,
                    None => {
                        return Ok(Step::Interrupted);
                    }
                },
            },
            other => other,
        };
        let kind = match &outcome {
            Ok(outcome) => OutcomeKind::from(outcome),
            Err(e) => OutcomeKind::from(e),
        };
        match outcome {
            Ok(Outcome::Fetched(page)) => page,
            Ok(Outcome::NotModified) => {
                counts.not_modified += 1;
                store.record_page(&base)?;
                return Ok(Step::Done(Handled::done(kind)));
            }
            Ok(Outcome::WrongType {
                final_url,
                status,
                content_type,
            }) => {
                debug!(url = %candidate.url, content_type = ?content_type, "Not an HTML page; skipped.");
                counts.skipped += 1;
                store.record_page(&PageRecord {
                    final_url,
                    status: Some(status),
                    content_type,
                    ..base
                })?;
                return Ok(Step::Done(Handled::done(kind)));
            }
            Ok(Outcome::Disallowed) => {
                counts.skipped += 1;
                store.record_page(&PageRecord {
                    error: Some("disallowed by robots.txt".into()),
                    ..base
                })?;
                return Ok(Step::Done(Handled::done(kind)));
            }
            Ok(Outcome::Deferred { retry_after }) => {
                counts.skipped += 1;
                let until = chrono::Duration::from_std(retry_after)
                    .ok()
                    .and_then(|wait| now.checked_add_signed(wait))
                    .unwrap_or(now + chrono::Duration::hours(1));
                store.record_page(&PageRecord {
                    error: Some(format!("deferred until {until}")),
                    retry_after: Some(until),
                    ..base
                })?;
                return Ok(Step::Done(Handled::done(kind)));
            }
            Err(e) => {
                let msg = format!("{}: {e}", candidate.url);
                warn!(source = %source.name, url = %candidate.url, error = %e, "Fetch failed.");
                record_failure(store, base, &e.to_string())?;
                return Ok(Step::Done(Handled::failed(kind, msg)));
            }
        }
    };
    counts.pages_fetched += 1;
    Ok(Step::Analyse {
        page,
        origin: Origin::Fetched,
    })
}

/// What [`handle_candidate`] leaves to do.
enum Step {
    /// Nothing: this is what became of the candidate.
    Done(Handled),
    /// Nothing: a stop was asked for while it waited on the network.
    Interrupted,
    /// Its page, to analyse and store.
    Analyse { page: fetch::Page, origin: Origin },
}

/// Where a page a source analyses came from, which decides what its outcome counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Fetched (or read) for this source.
    Fetched,
    /// The stored page a 304 stood for: its outcome is the 304.
    Revisited,
    /// The stored page of an article another source of this pass took and set aside (its
    /// filters are not this source's): read again under this source's filters, as a 304
    /// would have it, with no outcome of this source's own; only a failure counts.
    SetAside,
}

/// A page of `candidate` handed to the analysis threads, to be stored in turn.
fn analysing(
    source: &SourceConfig,
    candidate: &Candidate,
    page: fetch::Page,
    origin: Origin,
) -> impl Future<Output = (Origin, Ready)> + use<> {
    let (title, published) = (candidate.title.clone(), candidate.published.clone());
    analyse_off_thread(source.language, page, title, published, None).map(move |ready| (origin, ready))
}

/// The longest a failing URL waits between two attempts.
pub const MAX_FAILURE_BACKOFF: chrono::Duration = chrono::Duration::days(7);

/// How long a URL waits after failing `failures` times in a row: the doubling rule of
/// [`doubling_backoff`] up to [`MAX_FAILURE_BACKOFF`], so a page that always fails costs little.
pub fn failure_backoff(failures: u32) -> Option<chrono::Duration> {
    doubling_backoff(failures, MAX_FAILURE_BACKOFF)
}

/// The wait after `failures` failures in a row, for a page or a source: a first failure is
/// tried again on the next pass (most trouble passes), later ones wait 15 minutes, doubling
/// with each failure up to `cap`.
pub fn doubling_backoff(failures: u32, cap: chrono::Duration) -> Option<chrono::Duration> {
    if failures < 2 {
        return None;
    }
    let minutes = 15_i64 << (failures - 2).min(20);
    Some(chrono::Duration::minutes(minutes).min(cap))
}

/// Records a page that failed, with the reason and when it may be tried again.
fn record_failure(store: &Store, record: PageRecord, reason: &str) -> Result<(), PipelineError> {
    let failures = store.page_failures(&record.url)?.saturating_add(1);
    let retry_after = failure_backoff(failures).map(|wait| record.fetched_at + wait);
    store.record_page(&PageRecord {
        error: Some(reason.to_string()),
        retry_after,
        ..record
    })?;
    Ok(())
}

enum FileRead {
    Page(fetch::Page),
    Unchanged,
    Failed(String),
}

/// A saved page is read from disk; its modification time plays the part of Last-Modified.
/// Like a response body, it is read up to `max_bytes` (`fetch.max_bytes`): a larger file is
/// a failed page, never read whole.
fn read_file_page(candidate: &Candidate, path: &std::path::Path, store: &Store, max_bytes: u64) -> Result<FileRead, PipelineError> {
    use std::io::Read;

    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return Ok(FileRead::Failed(format!("{}: {e}", path.display()))),
    };
    let mtime = meta.modified().ok().map(|t| DateTime::<Utc>::from(t).to_rfc3339());
    let stored = store.validators(&candidate.url)?;
    if mtime.is_some() && stored.last_modified == mtime && store.article_for_url(&candidate.url)?.is_some() {
        return Ok(FileRead::Unchanged);
    }
    let too_large = || FileRead::Failed(format!("{} is larger than {max_bytes} bytes (fetch.max_bytes)", path.display()));
    if meta.len() > max_bytes {
        return Ok(too_large());
    }
    // The file may grow between the look and the read: one byte past the cap tells.
    let mut body = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    let read = std::fs::File::open(path).and_then(|file| file.take(max_bytes.saturating_add(1)).read_to_end(&mut body));
    if let Err(e) = read {
        return Ok(FileRead::Failed(format!("{}: {e}", path.display())));
    }
    if body.len() as u64 > max_bytes {
        return Ok(too_large());
    }
    Ok(FileRead::Page(fetch::Page {
        url: candidate.url.clone(),
        final_url: candidate.url.clone(),
        status: 200,
        content_type: Some("text/html".into()),
        etag: None,
        last_modified: mtime,
        body,
        fetched_at: Utc::now(),
    }))
}

/// A stored page as the page it stands for; a 304 confirms its body as of `fetched_at`.
fn stored_as_page(stored: StoredPage, fetched_at: DateTime<Utc>) -> fetch::Page {
    fetch::Page {
        url: stored.url,
        final_url: stored.final_url,
        status: 200,
        content_type: stored.content_type,
        etag: stored.etag,
        last_modified: stored.last_modified,
        body: stored.body,
        fetched_at,
    }
}

/// The record of a page for `source`, without its body (a record without one keeps the body
/// stored before).
fn page_record(page: &fetch::Page, source: &str) -> PageRecord {
    PageRecord {
        url: page.url.clone(),
        final_url: page.final_url.clone(),
        source: source.to_string(),
        status: Some(page.status),
        content_type: page.content_type.clone(),
        etag: page.etag.clone(),
        last_modified: page.last_modified.clone(),
        body: None,
        packed_body: None,
        archived: None,
        fetched_at: page.fetched_at,
        error: None,
        retry_after: None,
    }
}

/// What the analysis of a page left.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PageResult {
    /// An article, new or a duplicate.
    Stored,
    /// No article text found.
    Empty,
    /// Set aside by the source's filters.
    Filtered,
    /// The analysis failed; the page is recorded with its body and this message.
    Failed(String),
}

/// What [`analyse_guarded`] makes of a page.
type Analysed = Result<(NewArticle, extract::Extraction), String>;

/// A page analysed and ready to store.
struct Ready {
    page: fetch::Page,
    /// Its body compressed for the store; None when that failed (the write then tries again
    /// and reports it), or when the body is kept in its archive instead.
    packed: Option<PackedBody>,
    /// Where its archive holds its body, when the store keeps it there instead of a copy.
    archived: Option<ArchivedBody>,
    analysed: Analysed,
}

/// [`analyse_guarded`] on the analysis threads ([`pool`]), so parsing and extraction use
/// every core while the pass's own thread fetches and writes. The analysis starts as soon as a
/// thread is free, before the returned future is first polled. The body is compressed there
/// too: it is the largest part of a write, and the pass's thread, which does every write, is
/// the one thread all pages go through. A page kept in its archive (`archived`) is not
/// compressed at all.
fn analyse_off_thread(
    language: Language,
    page: fetch::Page,
    feed_title: Option<String>,
    feed_published: Option<String>,
    archived: Option<ArchivedBody>,
) -> impl Future<Output = Ready> {
    let copy = archived.is_none();
    let OnPool { page, job } = OnPool::start(page, move |page| {
        let analysed = analyse_guarded(language, page, feed_title.as_deref(), feed_published.as_deref());
        let packed = if copy { PackedBody::new(&page.body).ok() } else { None };
        (packed, analysed)
    });
    async move {
        let (packed, analysed) = job.await.unwrap_or_else(|| (None, Err(NOT_RUN.into())));
        Ready {
            page: page_back(page),
            packed,
            archived,
            analysed,
        }
    }
}

/// A page handed to the analysis threads, kept here too: a job that cannot run still leaves
/// the page, to record or to pass over.
struct OnPool<T> {
    page: Arc<fetch::Page>,
    job: pool::Pending<T>,
}

impl<T: Send + 'static> OnPool<T> {
    /// Starts `work` on `page` on the analysis threads.
    fn start(page: fetch::Page, work: impl FnOnce(&fetch::Page) -> T + Send + 'static) -> OnPool<T> {
        let page = Arc::new(page);
        let shared = Arc::clone(&page);
        OnPool {
            job: pool::run(move || work(&shared)),
            page,
        }
    }
}

/// The page of an [`OnPool`] whose job is done (the job drops its share before its result
/// comes, so this is no copy).
fn page_back(page: Arc<fetch::Page>) -> fetch::Page {
    Arc::try_unwrap(page).unwrap_or_else(|shared| (*shared).clone())
}

/// The failure of a page whose job could not run at all; the analysis catches its own panics.
const NOT_RUN: &str = "page analysis could not run";

/// Stores a page as its analysis left it: page, article and figures together.
fn store_analysed(source: &SourceConfig, ready: Ready, store: &Store, report: &mut PassReport) -> Result<PageResult, PipelineError> {
    let Ready {
        page,
        packed,
        archived,
        analysed,
    } = ready;
    let mut record = page_record(&page, &source.name);
    match (archived, packed) {
        (Some(archived), _) => record.archived = Some(archived),
        (None, Some(packed)) => record.packed_body = Some(packed),
        (None, None) => record.body = Some(page.body),
    }
    let (new_article, extraction) = match analysed {
        Ok(analysed) => analysed,
        Err(reason) => {
            warn!(source = %source.name, url = %page.url, error = %reason, "Page analysis failed.");
            let msg = format!("{}: {reason}", page.url);
            record_failure(store, record, &reason)?;
            return Ok(PageResult::Failed(msg));
        }
    };
    if new_article.body.trim().is_empty() {
        report.summary.skipped += 1;
        record.error = Some("no article text found".into());
        store.record_page(&record)?;
        return Ok(PageResult::Empty);
    }
    if let Some(reason) = filtered_out(source, &new_article, extraction.relevance) {
        debug!(url = %page.url, reason, "Filtered out.");
        report.summary.skipped += 1;
        record.error = Some(format!("filtered out: {reason}"));
        store.record_page(&record)?;
        return Ok(PageResult::Filtered);
    }
    let new_article = NewArticle {
        source: source.name.clone(),
        ..new_article
    };
    let saved = store.save_article(&record, &new_article, &extraction)?;
    report.summary.count_saved(saved, &extraction);
    Ok(PageResult::Stored)
}

/// [`analyse`], with a panic in it caught and turned into the page's failure reason, so one
/// page that trips a bug never stops a pass (nor, being recorded, every later pass).
pub fn analyse_guarded(
    language: Language,
    page: &fetch::Page,
    feed_title: Option<&str>,
    feed_published: Option<&str>,
) -> Result<(NewArticle, extract::Extraction), String> {
    catch_panic(|| analyse(language, page, feed_title, feed_published)).map_err(|why| format!("page analysis failed: {why}"))
}

/// Runs `work`, turning a panic in it into its message: the one place where a bug tripped by
/// one input is kept from stopping the work on the others.
pub fn catch_panic<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|panic| panic_message(panic.as_ref()).to_string())
}

/// The text a panic was raised with.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("internal error")
}

/// One page read: its article, the language its rules were applied in, and what was extracted.
#[derive(Debug, Clone)]
pub struct PageAnalysis {
    pub article: Article,
    /// ISO 639-1 code: the one asked for, else the page's own, else "en".
    pub language: String,
    pub extraction: extract::Extraction,
}

/// The one page analysis, shared by `run`, `reprocess` and `vigia extract`, so they cannot
/// disagree: bytes to article (charset included), then language, then extraction.
pub fn analyse_page(
    bytes: &[u8],
    content_type: Option<&str>,
    url: Option<&str>,
    fetched_at: Option<DateTime<Utc>>,
    language: Language,
) -> PageAnalysis {
    // A stand-in for a bug that some page trips, so tests can show a pass survives one.
    #[cfg(test)]
    if bytes.starts_with(tests::PANICS) {
        panic!("a page that trips a bug");
    }
    analyse_article(article::from_bytes(bytes, content_type, url, fetched_at), language)
}

/// The language and extraction step of [`analyse_page`], for an article already made
/// (`vigia extract --text` makes one from plain text).
pub fn analyse_article(article: Article, language: Language) -> PageAnalysis {
    let language = match language {
        Language::En => "en".to_string(),
        Language::Es => "es".to_string(),
        Language::Auto => article
            .language
            .clone()
            .or_else(|| article::detect_language(&article.body))
            .unwrap_or_else(|| "en".to_string()),
    };
    let extraction = extract::extract(&article.body, Lang::from_code(&language));
    PageAnalysis {
        article,
        language,
        extraction,
    }
}

/// The article and extraction of a fetched or stored page, for `run` and `reprocess`: the page
/// analysis with the canonical URL settled and the feed's title and date as fallbacks.
pub fn analyse(
    language: Language,
    page: &fetch::Page,
    feed_title: Option<&str>,
    feed_published: Option<&str>,
) -> (NewArticle, extract::Extraction) {
    let PageAnalysis {
        article: art,
        language: lang_code,
        extraction,
    } = analyse_page(
        &page.body,
        page.content_type.as_deref(),
        Some(&page.final_url),
        Some(page.fetched_at),
        language,
    );
    let canonical_source = art
        .canonical_url
        .as_deref()
        .filter(|c| same_site(c, &page.final_url))
        .unwrap_or(&page.final_url);
    let canonical_url = discover::canonical_url(canonical_source).unwrap_or_else(|| page.final_url.clone());
    // Fingerprinted here, on the analysis threads, rather than by the one thread that writes.
    let simhash = crate::claims::simhash(&art.body);
    let new_article = NewArticle {
        canonical_url,
        url: page.final_url.clone(),
        source: String::new(),
        title: art.title.or_else(|| feed_title.map(str::to_string)),
        published: art.published.or_else(|| feed_published.map(str::to_string)),
        modified: art.modified,
        authors: art.authors,
        language: Some(lang_code),
        body: art.body,
        fetched_at: page.fetched_at,
        simhash,
    };
    (new_article, extraction)
}

/// A `rel=canonical` is trusted only within the page's own site (or for saved files, whose
/// canonical link is their only real address), so a page cannot claim another site's article.
fn same_site(canonical: &str, page_url: &str) -> bool {
    let (Ok(c), Ok(p)) = (url::Url::parse(canonical), url::Url::parse(page_url)) else {
        return false;
    };
    if p.scheme() == "file" {
        return matches!(c.scheme(), "http" | "https");
    }
    let site = |h: Option<&str>| h.map(|h| h.trim_start_matches("www.").to_ascii_lowercase());
    site(c.host_str()) == site(p.host_str())
}

/// Why a source's filters drop an article, if they do.
fn filtered_out(source: &SourceConfig, article: &NewArticle, relevance: f64) -> Option<&'static str> {
    if !source.keywords.is_empty() {
        let text = format!("{} {}", article.title.as_deref().unwrap_or(""), article.body).to_lowercase();
        if !source.keywords.iter().any(|k| text.contains(k.as_str())) {
            return Some("no keyword");
        }
    }
    match source.min_relevance {
        Some(min) if relevance < min => Some("below min_relevance"),
        _ => None,
    }
}

/// Counts of a `reprocess` pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReprocessReport {
    pub pages: u64,
    /// Articles re-extracted.
    pub articles: u64,
    /// Articles made from pages that gave none before (filtered out under older filters, no
    /// text found, or a failed analysis).
    pub recovered: u64,
    pub statistics: u64,
    pub entities: u64,
    /// Pages that are copies of an article made from another page.
    pub duplicates: u64,
    /// Pages that still lead to no article (filtered out, or no text).
    pub orphans: u64,
    /// Pages whose analysis failed; their articles are left as they were.
    pub failed: u64,
    /// Earlier versions of articles whose page changed, re-extracted from their own text.
    pub versions: u64,
    /// Stored pages whose body could not be read (a copy that no longer decompresses, an
    /// archive gone or changed); what they made is left as it was.
    pub unreadable: u64,
}

/// Re-runs article and statistics extraction over stored pages, without the network.
///
/// A page that gave no article is tried again under its source's current filters (when the
/// configuration still lists the source; without it the filters are unknown, and it is left).
/// A stored page holds only the latest text of its article, which rebuilds the current
/// version; earlier versions are extracted again from their own stored text, each apart.
pub fn reprocess(config: Option<&Config>, store: &Store, since: Option<DateTime<Utc>>) -> Result<ReprocessReport, PipelineError> {
    reprocess_observed(config, store, since, &Progress::default())
}

/// [`reprocess`], reporting its counts to `progress` as it goes (for a progress bar): pages and
/// earlier versions read, articles re-extracted, failures.
///
/// Its writes are batched as a pass's are ([`Store::begin_batch`]): with one transaction per
/// article, each waited on the log, a sync and a full-text segment of its own, and writing took
/// 11 of the 15 seconds a reprocess of 5,000 records took. Each write is still whole, and what
/// was written before an error is kept.
pub fn reprocess_observed(
    config: Option<&Config>,
    store: &Store,
    since: Option<DateTime<Utc>>,
    progress: &Progress,
) -> Result<ReprocessReport, PipelineError> {
    store.begin_batch()?;
    let report = reprocess_batched(config, store, since, progress);
    let ended = store.end_batch();
    let report = report?;
    ended?;
    Ok(report)
}

/// [`reprocess_observed`]'s work, inside the batch it opens.
fn reprocess_batched(
    config: Option<&Config>,
    store: &Store,
    since: Option<DateTime<Utc>>,
    progress: &Progress,
) -> Result<ReprocessReport, PipelineError> {
    let mut report = ReprocessReport::default();
    let mut progress = progress.part();
    progress.expect_parts(1);
    progress.part_known(store.stored_pages_count(since)? + store.superseded_versions_count(since)?);
    // Pages are analysed on the analysis threads, up to REPROCESS_AHEAD (and at most
    // REPROCESS_AHEAD_BYTES of them) ahead of the one being written; each is then written (or
    // passed over) in the order it was read, exactly as if analysed there and then: the
    // analysis reads nothing but the page.
    let mut ahead = VecDeque::new();
    let mut held = Held::new(REPROCESS_AHEAD, REPROCESS_AHEAD_BYTES, &PROCESS_IN_FLIGHT);
    let unreadable = store.each_stored_page(since, &mut |stored| {
        let language = config
            .and_then(|c| c.sources.iter().find(|s| s.name == stored.source))
            .map_or(Language::Auto, |s| s.language);
        let source = stored.source.clone();
        let fetched_at = stored.fetched_at;
        held.add(stored.body.len());
        let analysis = OnPool::start(stored_as_page(stored, fetched_at), move |page| {
            analyse_guarded(language, page, None, None)
        });
        ahead.push_back(Analysing { source, analysis });
        while held.full()
            && let Some(next) = ahead.pop_front()
        {
            held.remove_oldest();
            reprocess_page(config, store, &mut report, &mut progress, next)?;
        }
        Ok(())
    })?;
    report.unreadable = unreadable;
    while let Some(next) = ahead.pop_front() {
        held.remove_oldest();
        reprocess_page(config, store, &mut report, &mut progress, next)?;
    }
    store.each_superseded_version(since, &mut |version| {
        show_reprocess(&mut progress, &report);
        let lang = Lang::from_code(version.language.as_deref().unwrap_or("en"));
        match catch_panic(|| extract::extract(&version.body, lang)) {
            Ok(extraction) => {
                store.replace_version_extraction(version.id, &extraction)?;
                report.versions += 1;
                report.statistics += extraction.statistics.len() as u64;
                report.entities += extraction.entities.len() as u64;
            }
            Err(reason) => {
                warn!(version = version.id, error = %reason, "Extraction of an earlier version failed; left as it was.");
                report.failed += 1;
            }
        }
        Ok(())
    })?;
    show_reprocess(&mut progress, &report);
    Ok(report)
}

fn show_reprocess(progress: &mut Progress, report: &ReprocessReport) {
    progress.update(
        report.pages + report.versions,
        report.articles + report.recovered + report.versions,
        report.failed,
    );
}

/// A stored page being analysed for `reprocess`.
struct Analysing {
    /// The source that stored it.
    source: String,
    analysis: OnPool<Analysed>,
}

/// Rebuilds what one stored page makes, once its analysis is done: its article's extraction,
/// or an article it did not make before; nothing for a copy of another page.
fn reprocess_page(
    config: Option<&Config>,
    store: &Store,
    report: &mut ReprocessReport,
    progress: &mut Progress,
    analysing: Analysing,
) -> Result<(), StoreError> {
    let Analysing {
        source: source_name,
        analysis: OnPool { page, job },
    } = analysing;
    show_reprocess(progress, report);
    report.pages += 1;
    let analysed = job.wait().unwrap_or_else(|| Err(NOT_RUN.into()));
    let page = page_back(page);
    let source = config.and_then(|c| c.sources.iter().find(|s| s.name == source_name));
    // Only the page an article was made from rebuilds it; its other copies (an AMP page,
    // the same text elsewhere) were duplicates when fetched and stay so.
    let article_id = store.article_made_from(&page.final_url)?;
    if article_id.is_none() {
        if store.article_for_url(&page.url)?.is_some() {
            report.duplicates += 1;
            return Ok(());
        }
        if source.is_none() {
            report.orphans += 1;
            return Ok(());
        }
    }
    let (new_article, extraction) = match analysed {
        Ok(analysed) => analysed,
        Err(reason) => {
            warn!(url = %page.url, error = %reason, "Page analysis failed; left as it was.");
            report.failed += 1;
            return Ok(());
        }
    };
    let new_article = NewArticle {
        source: source_name.clone(),
        ..new_article
    };
    let counted = |report: &mut ReprocessReport| {
        report.statistics += extraction.statistics.len() as u64;
        report.entities += extraction.entities.len() as u64;
    };
    if let Some(article_id) = article_id {
        store.replace_extraction(article_id, &new_article, &extraction)?;
        report.articles += 1;
        counted(report);
        return Ok(());
    }
    let Some(source) = source else { return Ok(()) };
    if new_article.body.trim().is_empty() || filtered_out(source, &new_article, extraction.relevance).is_some() {
        report.orphans += 1;
        return Ok(());
    }
    match store.save_article(&page_record(&page, &source_name), &new_article, &extraction)? {
        Saved::New(_) | Saved::Changed(_) => {
            report.recovered += 1;
            counted(report);
        }
        Saved::Duplicate(_) => report.duplicates += 1,
    }
    Ok(())
}

/// Stored pages `reprocess` has analysing at once: enough to keep every core busy while it
/// writes, few enough that the pages in hand stay small.
const REPROCESS_AHEAD: usize = 32;

/// Bytes of stored page `reprocess` has analysing at once (and, with the rest of the process,
/// no more than [`PROCESS_IN_FLIGHT_BYTES`]): 32 pages near `fetch.max_bytes` would otherwise
/// all be in hand together.
const REPROCESS_AHEAD_BYTES: usize = 16 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages starting with this make [`analyse`] panic.
    pub(super) const PANICS: &[u8] = b"<!-- panics -->";

    #[tokio::test(flavor = "current_thread")]
    async fn pages_in_flight_are_bounded_in_number_and_bytes_and_come_back_in_order() {
        use std::future::ready;
        let shared = SharedBytes::new(usize::MAX);
        let mut pages = InFlight::new(3, 100, &shared);
        pages.push(10, ready(1));
        pages.push(10, ready(2));
        assert!(!pages.full());
        pages.push(10, ready(3));
        assert!(pages.full(), "three pages");
        assert_eq!(pages.next().await, Some(1));
        assert!(!pages.full());
        pages.push(200, ready(4));
        assert!(pages.full(), "220 bytes");
        assert_eq!(pages.next().await, Some(2));
        assert_eq!(pages.next().await, Some(3));
        // A page larger than the budget is alone in flight.
        assert!(pages.full());
        assert_eq!(pages.next().await, Some(4));
        assert!(pages.is_empty() && !pages.full());
        assert_eq!(pages.next().await, None);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn sources_in_flight_together_are_bounded_in_bytes_and_each_keeps_one_page() {
        use std::future::ready;
        let shared = SharedBytes::new(100);
        let mut first = InFlight::new(16, 1000, &shared);
        let mut second = InFlight::new(16, 1000, &shared);
        first.push(80, ready(1));
        assert!(!first.full() && !second.full(), "80 bytes held in all");
        second.push(30, ready(2));
        assert!(
            first.full() && second.full(),
            "110 bytes held together, each over none of its own bounds"
        );
        assert_eq!(first.next().await, Some(1));
        assert!(first.is_empty());
        second.push(90, ready(3));
        assert!(second.full(), "120 bytes held, all by the second");
        assert!(!first.full(), "one with nothing in analysis still takes its next page");
        drop(second);
        first.push(60, ready(4));
        assert!(!first.full(), "pages dropped untaken are no longer held");
        assert_eq!(shared.held.load(Ordering::Relaxed), 60);
    }

    #[test]
    fn a_pass_holds_its_claims_until_it_ends() {
        let claims = Claims::default();
        let first = Claimed::new(&claims);
        assert!(first.claim("https://example.org/a?utm_source=rss#top"));
        assert!(!first.claim("https://example.org/a"), "one article, claimed once per pass");
        {
            let alongside = Claimed::new(&claims);
            assert!(!alongside.claim("https://example.org/a"), "held by the pass running alongside");
            assert!(alongside.claim("https://example.org/b"));
        }
        assert!(first.claim("https://example.org/b"), "let go when the other pass ended");
        drop(first);
        assert!(Claimed::new(&claims).claim("https://example.org/a"), "a later pass looks again");
    }

    const GOOD: &str = "<html lang=\"en\"><head><title>Port seizure</title></head><body><article>\
        <p>Police in the port city seized 2.3 tons of cocaine hidden in a shipment of bananas bound for Rotterdam, the prosecutor said on Monday.</p>\
        <p>Four port workers were arrested and the authorities said the haul was the largest of the year so far in the province.</p>\
        </article></body></html>";

    fn pass(config: &Config, store: &Store) -> PassReport {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(run(config, store, &Selection::All, &Shutdown::default())).unwrap()
    }

    #[test]
    fn a_panic_while_analysing_a_page_fails_that_page_only_and_is_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let pages = dir.path().join("pages");
        std::fs::create_dir(&pages).unwrap();
        std::fs::write(pages.join("a-bad.html"), [PANICS, GOOD.as_bytes()].concat()).unwrap();
        std::fs::write(pages.join("b-good.html"), GOOD).unwrap();
        let text = "database = \"v.db\"\n[[sources]]\nname = \"saved\"\nkind = \"files\"\nurl = \"pages\"\n";
        let config = Config::parse(text, &dir.path().join("vigia.toml")).unwrap();
        let store = Store::open(&config.database).unwrap();

        let first = pass(&config, &store);
        assert_eq!((first.summary.failed, first.summary.articles_new), (1, 1), "{first:?}");
        assert!(
            first.summary.errors[0].contains("page analysis failed: a page that trips a bug"),
            "{first:?}"
        );
        let recorded = store
            .query("SELECT count(*) FROM pages WHERE url LIKE '%a-bad.html' AND error LIKE 'page analysis failed%' AND body IS NOT NULL")
            .unwrap();
        assert_eq!(recorded.rows[0][0], 1, "recorded with its reason and its body");

        // Tried again once, then left to wait.
        assert_eq!(pass(&config, &store).summary.failed, 1);
        let third = pass(&config, &store);
        assert_eq!((third.summary.failed, third.summary.skipped), (0, 1), "{third:?}");
    }

    #[test]
    fn failures_wait_longer_each_time_up_to_a_week() {
        assert_eq!(failure_backoff(0), None);
        assert_eq!(failure_backoff(1), None);
        assert_eq!(failure_backoff(2), Some(chrono::Duration::minutes(15)));
        assert_eq!(failure_backoff(3), Some(chrono::Duration::minutes(30)));
        assert_eq!(failure_backoff(12), Some(MAX_FAILURE_BACKOFF));
        assert_eq!(failure_backoff(u32::MAX), Some(MAX_FAILURE_BACKOFF));
    }
}
