//! The analysis threads: one per core, fed from one queue, shared by every pass of the process.
//!
//! A page handed over starts being analysed as soon as a thread is free, whatever the pass's
//! own thread is doing then: that thread fetches and writes, and while it commits a batch the
//! analyses queued behind it go on. (Tasks on tokio's blocking pool would start only when the
//! pass's thread next polls them.) One thread per core, so many sources at once (the daemon's)
//! share the cores instead of piling threads on them.

use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::task::{Context, Poll};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

struct Pool {
    queue: Mutex<Sender<Job>>,
}

/// The process's pool, started on first use.
fn pool() -> &'static Pool {
    static POOL: LazyLock<Pool> = LazyLock::new(|| {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (queue, jobs) = std::sync::mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..threads {
            let jobs = Arc::clone(&jobs);
            // A thread that cannot be started leaves the others (or, with none, `run` below
            // reports each job as failed).
            let _ = std::thread::Builder::new()
                .name(format!("vigia-analysis-{n}"))
                .spawn(move || work(&jobs));
        }
        Pool { queue: Mutex::new(queue) }
    });
    &POOL
}

/// Takes jobs one at a time until the queue closes (never, for the process's pool).
fn work(jobs: &Mutex<Receiver<Job>>) {
    loop {
        let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = job else { return };
        // A job catches its own panics; this keeps the thread for the next one if it did not.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
    }
}

/// Runs `job` on an analysis thread, starting now (in the queue's order). Its result comes
/// through the returned [`Pending`].
pub fn run<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> Pending<T> {
    let (done, result) = oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = done.send(job());
    });
    // A send fails only with every thread gone; the result then never comes.
    let _ = pool().queue.lock().unwrap_or_else(PoisonError::into_inner).send(job);
    Pending(result)
}

/// The result of a job given to [`run`]: awaited in async code, or waited for with
/// [`Pending::wait`] in code that runs outside any async runtime. None when the job could not
/// run (it panicked, or the pool has no thread).
pub struct Pending<T>(oneshot::Receiver<T>);

impl<T> Pending<T> {
    /// Blocks until the result comes. Not for async code, which awaits it instead.
    pub fn wait(self) -> Option<T> {
        self.0.blocking_recv().ok()
    }
}

impl<T> Future for Pending<T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(&mut self.0).poll(cx).map(Result::ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn jobs_run_without_being_polled_and_return_their_results() {
        let (started, seen) = std::sync::mpsc::channel();
        let result = run(move || {
            started.send(()).unwrap();
            6 * 7
        });
        // Not yet awaited, the job runs anyway.
        seen.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
        assert_eq!(result.await, Some(42));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_job_that_panics_gives_none_and_leaves_the_threads_working() {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        for _ in 0..threads {
            assert_eq!(run(|| -> u8 { panic!("a job that trips a bug") }).await, None);
        }
        assert_eq!(run(|| 1).await, Some(1));
    }

    #[test]
    fn code_outside_a_runtime_waits_for_results_in_the_order_it_asks() {
        let jobs: Vec<_> = (0..20u64).map(|n| run(move || n * n)).collect();
        let results: Vec<_> = jobs.into_iter().map(Pending::wait).collect();
        assert_eq!(results, (0..20u64).map(|n| Some(n * n)).collect::<Vec<_>>());
    }
}
