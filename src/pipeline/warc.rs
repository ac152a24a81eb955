//! The pass of a `warc` source: its archives read record by record, each HTML page stored like
//! a fetched one.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use tracing::{debug, warn};

use super::{
    Claimed, Handled, InFlight, Origin, PROCESS_IN_FLIGHT, PassReport, PipelineError, Shutdown, SourcePass, SourceTally,
    analyse_off_thread, record_failure,
};
use crate::config::SourceConfig;
use crate::discover::{self, Candidate};
use crate::fetch::{self, OutcomeKind};
use crate::store::{ArchivedBody, PageRecord, Store};

/// Records of one archive taken up at once, per core. Analyses run one per core; the rest
/// wait analysed (or queued) for this thread, so the cores keep working while it commits a
/// batch, which (full-text index and write-ahead log included) can take as long as analysing
/// a hundred pages: with 16 per core the analysis threads ran dry during commits. About
/// 0.3 MB each.
const IN_FLIGHT_PER_CORE: usize = 64;

/// Bytes of page one archive holds in analysis at once, beyond which the next record waits: a
/// run of pages near `fetch.max_bytes` is held to a few at a time.
const IN_FLIGHT_BYTES: usize = 64 << 20;

/// Records of one archive taken up at once. Asked of the system once: the answer reads files
/// (cgroup limits), too slow to ask once per record.
fn in_flight_limit() -> usize {
    static LIMIT: LazyLock<usize> = LazyLock::new(|| std::thread::available_parallelism().map_or(2, |n| n.get()) * IN_FLIGHT_PER_CORE);
    *LIMIT
}

/// Records read ahead of the one being handled.
const READ_AHEAD: usize = 8;

/// Reads (and decompresses) an archive's records on a thread of its own, a few ahead of the
/// pass, so that work leaves the pass's thread. The thread ends when the records do or when
/// the receiver is dropped.
fn read_ahead<I>(reader: I) -> std::io::Result<tokio::sync::mpsc::Receiver<I::Item>>
where
    I: Iterator + Send + 'static,
    I::Item: Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel(READ_AHEAD);
    std::thread::Builder::new().name("warc-reader".into()).spawn(move || {
        for item in reader {
            if sender.blocking_send(item).is_err() {
                break;
            }
        }
    })?;
    Ok(receiver)
}

/// How the pages of a `warc` source went.
#[derive(Debug, Default)]
struct WarcTally {
    /// Its pages and archives, counted as any source's pages are.
    outcomes: SourceTally,
    /// Records read from the source's archives, for its progress.
    records: usize,
}

/// A `warc` source: each archive read as a stream, every HTML page it recorded analysed and
/// stored like a fetched one (same dedup, filters and health). An archive that cannot be
/// read to its end is recorded as a failed page under its own `file://` URL, and the next
/// archive is read.
pub(super) async fn run_warc(
    source: &SourceConfig,
    archives: &[Candidate],
    store: &Store,
    report: &mut PassReport,
    shutdown: &Shutdown,
    claimed: &Claimed<'_>,
) -> Result<SourcePass, PipelineError> {
    let mut tally = WarcTally::default();
    for archive in archives {
        if report.interrupted {
            break;
        }
        if let Some(path) = &archive.path {
            read_warc(source, &archive.url, path, store, report, shutdown, claimed, &mut tally).await?;
        }
    }
    Ok(SourcePass {
        error: (tally.outcomes.failures > 0).then(|| format!("{} pages or archives failed", tally.outcomes.failures)),
        failed: tally.outcomes.unanswered > 0 && tally.outcomes.answered == 0,
        retry_after: None,
        documents: None,
    })
}

/// One archive. Read whole without a failure, it is recorded with its modification time, so
/// an unchanged archive is not read again; within a changed one, a record already stored
/// (same URL and `WARC-Record-ID`) is passed over without being analysed again.
#[allow(clippy::too_many_arguments)]
async fn read_warc(
    source: &SourceConfig,
    file_url: &str,
    path: &std::path::Path,
    store: &Store,
    report: &mut PassReport,
    shutdown: &Shutdown,
    claimed: &Claimed<'_>,
    tally: &mut WarcTally,
) -> Result<(), PipelineError> {
    use discover::warc::{Item, Skip};

    let mtime = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .map(|t| DateTime::<Utc>::from(t).to_rfc3339());
    if mtime.is_some() && store.validators(file_url)?.last_modified == mtime && store.page_failures(file_url)? == 0 {
        debug!(source = %source.name, archive = %path.display(), "Archive unchanged since it was read.");
        report.summary.not_modified += 1;
        store.record_outcome(&source.name, OutcomeKind::NotModified, true, Utc::now())?;
        return Ok(());
    }
    let file_record = PageRecord {
        url: file_url.to_string(),
        final_url: file_url.to_string(),
        source: source.name.clone(),
        fetched_at: Utc::now(),
        ..PageRecord::default()
    };
    let archive_failed = |store: &Store, report: &mut PassReport, tally: &mut WarcTally, reason: String| {
        warn!(source = %source.name, archive = %path.display(), error = %reason, "Archive failed.");
        record_failure(store, file_record.clone(), &reason)?;
        let failed = Handled::failed(OutcomeKind::Other, format!("{}: {reason}", path.display()));
        tally.outcomes.count(source, failed, Origin::Fetched, store, report)
    };
    // As read: the path an archived page is read again from. Absolute (the source's folder is).
    // A path that is not UTF-8 could not be stored as written, so its pages are copied.
    let archive_path = path.to_str().map(str::to_string);
    let reader = match discover::warc::open(path, source.discover.max_bytes) {
        Ok(reader) => reader,
        Err(e) => return archive_failed(store, report, tally, e.to_string()),
    };
    // Read whole with nothing left to try again: then it need not be read until it changes.
    let mut complete = true;
    // Pages read and being analysed on the analysis threads, stored in the order read.
    let mut in_flight = InFlight::new(in_flight_limit(), IN_FLIGHT_BYTES, &PROCESS_IN_FLIGHT);
    let mut records = match read_ahead(reader) {
        Ok(records) => records,
        Err(e) => return archive_failed(store, report, tally, format!("cannot start a thread to read it: {e}")),
    };
    loop {
        // While the next record is read, the pages before it are stored as their analyses end.
        let item = tokio::select! {
            item = records.recv() => match item {
                Some(item) => item,
                None => break,
            },
            Some(ready) = in_flight.next(), if !in_flight.is_empty() => {
                complete &= tally.outcomes.store(source, Origin::Fetched, ready, store, report)?;
                continue;
            }
        };
        report.show_progress(tally.records);
        tally.records += 1;
        report.progress.add_total(1);
        if shutdown.is_requested() {
            // What is read is analysed and stored; the archive is read again next time.
            report.interrupted = true;
            complete = false;
            break;
        }
        let warc_page = match item {
            Ok(Item::Page(page)) => page,
            Ok(Item::Skipped { uri, why }) => {
                debug!(source = %source.name, uri = %uri, why = ?why, "Record passed over.");
                report.summary.skipped += 1;
                if why == Skip::NotHtml {
                    store.record_outcome(&source.name, OutcomeKind::NotHtml, true, Utc::now())?;
                }
                continue;
            }
            Err(e) => {
                while let Some(ready) = in_flight.next().await {
                    tally.outcomes.store(source, Origin::Fetched, ready, store, report)?;
                }
                return archive_failed(store, report, tally, e.to_string());
            }
        };
        let url = warc_page.uri;
        // Kept by reference when the record can be read on its own again; else copied.
        let archived = match (&archive_path, warc_page.offset) {
            (Some(archive), Some(offset)) if !source.copy_pages => Some(ArchivedBody {
                archive: archive.clone(),
                offset,
                size: warc_page.body.len(),
            }),
            _ => None,
        };
        if !claimed.claim(&url) {
            // Taken by another source or by an earlier record of this archive in this pass.
            report.summary.skipped += 1;
            continue;
        }
        if store.retry_after(&url)?.is_some() {
            // Failed before and waits its turn, so the archive must be read again later.
            report.summary.skipped += 1;
            complete = false;
            continue;
        }
        if warc_page.record_id.is_some() && store.validators(&url)?.etag == warc_page.record_id && store.article_for_url(&url)?.is_some() {
            report.summary.not_modified += 1;
            store.record_outcome(&source.name, OutcomeKind::NotModified, true, Utc::now())?;
            continue;
        }
        let page = fetch::Page {
            url: url.clone(),
            final_url: url,
            status: 200,
            content_type: warc_page.content_type,
            etag: warc_page.record_id,
            last_modified: None,
            body: warc_page.body,
            fetched_at: warc_page.date.unwrap_or_else(Utc::now),
        };
        report.summary.pages_fetched += 1;
        let size = page.body.len();
        in_flight.push(size, analyse_off_thread(source.language, page, None, None, archived));
        while in_flight.full()
            && let Some(ready) = in_flight.next().await
        {
            complete &= tally.outcomes.store(source, Origin::Fetched, ready, store, report)?;
        }
    }
    while let Some(ready) = in_flight.next().await {
        complete &= tally.outcomes.store(source, Origin::Fetched, ready, store, report)?;
    }
    report.show_progress(tally.records);
    if complete {
        store.record_page(&PageRecord {
            last_modified: mtime,
            ..file_record
        })?;
    }
    Ok(())
}
