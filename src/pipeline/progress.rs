//! Live counts of a pass or a `reprocess`, for a progress display: written by the work as it
//! goes, read from any thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What the work has done so far, summed over its parts (the sources of a pass).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Parts (sources) the work takes.
    pub parts: u64,
    /// Parts whose items are known (a source whose discovery is done).
    pub parts_known: u64,
    /// Items (pages, articles) known so far; grows while parts are discovered.
    pub total: u64,
    /// Items taken up.
    pub done: u64,
    /// New articles.
    pub new: u64,
    /// Items that failed.
    pub failed: u64,
}

#[derive(Debug, Default)]
struct Shared {
    parts: AtomicU64,
    parts_known: AtomicU64,
    total: AtomicU64,
    done: AtomicU64,
    new: AtomicU64,
    failed: AtomicU64,
}

/// A handle on the counts of one piece of work. [`Progress::part`] gives each part (a source)
/// its own handle, which reports that part's running counts; the handles add them up.
/// Nobody needs to read it: the work counts the same whether or not anything is shown.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    shared: Arc<Shared>,
    /// This part's counts as last reported (done, new, failed), so only the change is added.
    reported: [u64; 3],
}

impl Progress {
    /// A handle for one more part of the same work, counting from zero.
    pub fn part(&self) -> Progress {
        Progress {
            shared: Arc::clone(&self.shared),
            reported: [0; 3],
        }
    }

    /// The work takes `n` parts.
    pub fn expect_parts(&self, n: u64) {
        self.shared.parts.fetch_add(n, Ordering::Relaxed);
    }

    /// One part's items are known: `n` of them.
    pub fn part_known(&self, n: u64) {
        self.shared.parts_known.fetch_add(1, Ordering::Relaxed);
        self.add_total(n);
    }

    /// `n` more items, found while the work goes on (records of an archive).
    pub fn add_total(&self, n: u64) {
        self.shared.total.fetch_add(n, Ordering::Relaxed);
    }

    /// This part has now taken up `done` items, made `new` articles and seen `failed` failures
    /// (its running totals, never less than before).
    pub fn update(&mut self, done: u64, new: u64, failed: u64) {
        let now = [done, new, failed];
        let counters = [&self.shared.done, &self.shared.new, &self.shared.failed];
        for ((counter, now), before) in counters.into_iter().zip(now).zip(&mut self.reported) {
            counter.fetch_add(now.saturating_sub(*before), Ordering::Relaxed);
            *before = now.max(*before);
        }
    }

    /// The counts of the whole work.
    pub fn counts(&self) -> Counts {
        let s = &self.shared;
        Counts {
            parts: s.parts.load(Ordering::Relaxed),
            parts_known: s.parts_known.load(Ordering::Relaxed),
            total: s.total.load(Ordering::Relaxed),
            done: s.done.load(Ordering::Relaxed),
            new: s.new.load(Ordering::Relaxed),
            failed: s.failed.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_add_up_and_report_only_what_changed() {
        let work = Progress::default();
        work.expect_parts(2);
        let mut a = work.part();
        let mut b = work.part();
        a.part_known(10);
        a.update(3, 1, 0);
        b.part_known(5);
        b.update(2, 0, 1);
        a.update(4, 2, 0);
        // A running total reported again adds nothing.
        a.update(4, 2, 0);
        assert_eq!(
            work.counts(),
            Counts {
                parts: 2,
                parts_known: 2,
                total: 15,
                done: 6,
                new: 2,
                failed: 1,
            }
        );
    }
}
