//! Progress bars for long work at a terminal (`run`, `reprocess`, `export`), and the one way
//! stderr is written to, so that log lines and notices go above a bar instead of tearing it.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Global, LogFormat};

/// What decides whether a bar is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Conditions {
    /// stderr is a terminal: a person is watching.
    pub stderr_terminal: bool,
    /// `--log-format json`: stderr is for a log collector.
    pub json_logs: bool,
    /// `--no-progress`.
    pub no_progress: bool,
    /// `-q`: errors only.
    pub quiet: bool,
    /// `TERM=dumb`: a terminal that cannot redraw a line.
    pub dumb_terminal: bool,
    /// The command's own output goes to a terminal too (an export printed on the screen),
    /// where a bar would mix with it.
    pub output_on_terminal: bool,
}

impl Conditions {
    /// The conditions now, for a command whose output goes to a terminal or not.
    pub fn of(global: &Global, output_on_terminal: bool) -> Conditions {
        Conditions {
            stderr_terminal: std::io::stderr().is_terminal(),
            json_logs: global.log_format == LogFormat::Json,
            no_progress: global.no_progress,
            quiet: global.quiet,
            dumb_terminal: std::env::var_os("TERM").is_some_and(|term| term == "dumb"),
            output_on_terminal,
        }
    }

    /// Whether a bar is drawn: only for a person at a terminal who asked for nothing else.
    pub fn show(&self) -> bool {
        self.stderr_terminal && !self.json_logs && !self.no_progress && !self.quiet && !self.dumb_terminal && !self.output_on_terminal
    }
}

/// Whether text on stderr may be coloured: a terminal, and no `NO_COLOR` (no-color.org: set
/// and not empty).
pub fn colour_on_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The bar being drawn, if any, with its number: every write to stderr goes above it.
static SHOWN: Mutex<Option<(u64, ProgressBar)>> = Mutex::new(None);

/// Numbers the bars, so that a bar dropped late never takes a newer one off [`SHOWN`].
static BARS: AtomicU64 = AtomicU64::new(0);

fn shown() -> Option<ProgressBar> {
    SHOWN
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .map(|(_, bar)| bar.clone())
}

/// Runs `write` (something writing to stderr) with the bar, if one is drawn, lifted out of
/// the way and drawn again after.
pub fn above_bar<T>(write: impl FnOnce() -> T) -> T {
    match shown() {
        Some(bar) => bar.suspend(write),
        None => write(),
    }
}

/// Takes the bar off the terminal for good, before the process exits at once.
pub fn clear_bar() {
    if let Some(bar) = shown() {
        bar.finish_and_clear();
    }
}

/// Writes `bytes` to stderr in one piece, above the bar. A failed write to stderr has nowhere
/// to be reported, so it is dropped.
pub fn to_stderr(bytes: &[u8]) {
    above_bar(|| {
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(bytes);
        let _ = stderr.flush();
    });
}

/// A writer for the log: collects one event and writes it whole, above the bar, when dropped
/// (the log formatter makes one writer per event).
#[derive(Default)]
pub struct LogLine(Vec<u8>);

impl LogLine {
    /// The log's writer maker.
    pub fn make() -> LogLine {
        LogLine::default()
    }
}

impl Write for LogLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LogLine {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            to_stderr(&self.0);
        }
    }
}

/// What a bar counts.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Items of a known (or growing) total: a bar with a position.
    Items,
    /// Bytes written, total unknown: a spinner with the rate.
    Bytes,
}

/// How often a followed count is read again.
const REFRESH: Duration = Duration::from_millis(100);

/// A progress bar on stderr, drawn only when [`Conditions::show`] says so; otherwise every
/// method does nothing. It is cleared when dropped.
pub struct Bar(Option<ProgressBar>, u64);

impl Bar {
    /// A bar for `command` (its name, shown first) counting `kind`.
    pub fn new(conditions: Conditions, command: &'static str, kind: Kind) -> Bar {
        let number = BARS.fetch_add(1, Ordering::Relaxed);
        if !conditions.show() {
            return Bar(None, number);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_prefix(command);
        bar.set_style(style(kind));
        bar.enable_steady_tick(REFRESH);
        let mut slot = SHOWN.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, previous)) = slot.replace((number, bar.clone())) {
            previous.finish_and_clear();
        }
        Bar(Some(bar), number)
    }

    /// Runs `work` on this thread while another calls `refresh` with the bar every
    /// [`REFRESH`], and once more at the end: for work that counts in a
    /// [`vigia::pipeline::Progress`] and cannot draw itself.
    pub fn follow<T>(&self, work: impl FnOnce() -> T, refresh: impl Fn(&ProgressBar) + Sync) -> T {
        let Some(bar) = &self.0 else { return work() };
        let (done, finished) = mpsc::channel::<()>();
        let refresh = &refresh;
        refresh(bar);
        std::thread::scope(|scope| {
            let watcher = std::thread::Builder::new().name("progress".into()).spawn_scoped(scope, move || {
                while finished.recv_timeout(REFRESH) == Err(RecvTimeoutError::Timeout) {
                    refresh(bar);
                }
            });
            // Without a thread the bar only spins; the work goes on all the same.
            drop(watcher);
            let out = work();
            drop(done);
            refresh(bar);
            out
        })
    }

    /// `out` with every byte written through it counted on the bar.
    pub fn counting<W: Write>(&self, out: W) -> Counting<W> {
        Counting { out, bar: self.0.clone() }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
            let mut slot = SHOWN.lock().unwrap_or_else(PoisonError::into_inner);
            if slot.as_ref().is_some_and(|(number, _)| *number == self.1) {
                *slot = None;
            }
        }
    }
}

/// A writer that counts its bytes on a bar (see [`Bar::counting`]).
pub struct Counting<W> {
    out: W,
    bar: Option<ProgressBar>,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The look of a bar of `kind`, coloured unless `NO_COLOR` asks otherwise.
fn style(kind: Kind) -> ProgressStyle {
    let colour = colour_on_stderr();
    let template = match (kind, colour) {
        (Kind::Items, true) => "{prefix:.bold} {spinner} [{wide_bar:.cyan/blue}] {pos}/{len} {msg} ({elapsed})",
        (Kind::Items, false) => "{prefix} {spinner} [{wide_bar}] {pos}/{len} {msg} ({elapsed})",
        (Kind::Bytes, true) => "{prefix:.bold} {spinner} {bytes} written ({bytes_per_sec}) {msg} ({elapsed})",
        (Kind::Bytes, false) => "{prefix} {spinner} {bytes} written ({bytes_per_sec}) {msg} ({elapsed})",
    };
    // The templates are fixed, so this cannot fail; a plain bar would do if it did.
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A person at a terminal who asked for nothing else.
    fn watched() -> Conditions {
        Conditions {
            stderr_terminal: true,
            ..Conditions::default()
        }
    }

    #[test]
    fn a_bar_only_for_a_person_at_a_terminal() {
        assert!(watched().show());
        let not = [
            Conditions {
                stderr_terminal: false,
                ..watched()
            },
            Conditions {
                json_logs: true,
                ..watched()
            },
            Conditions {
                no_progress: true,
                ..watched()
            },
            Conditions { quiet: true, ..watched() },
            Conditions {
                dumb_terminal: true,
                ..watched()
            },
            Conditions {
                output_on_terminal: true,
                ..watched()
            },
        ];
        for conditions in not {
            assert!(!conditions.show(), "{conditions:?}");
        }
    }

    #[test]
    fn a_bar_not_shown_does_nothing() {
        let bar = Bar::new(Conditions::default(), "test", Kind::Items);
        assert!(bar.0.is_none());
        assert_eq!(bar.follow(|| 7, |_| unreachable!("no bar to refresh")), 7);
        let mut out = bar.counting(Vec::new());
        out.write_all(b"abc").unwrap();
        assert_eq!(out.out, b"abc");
    }

    #[test]
    fn a_drawn_bar_follows_the_work_and_counts_bytes() {
        let bar = Bar(Some(ProgressBar::hidden()), u64::MAX);
        let count = std::sync::atomic::AtomicU64::new(0);
        let out = bar.follow(
            || {
                count.store(41, std::sync::atomic::Ordering::Relaxed);
                "done"
            },
            |bar| bar.set_position(count.load(std::sync::atomic::Ordering::Relaxed) + 1),
        );
        assert_eq!(out, "done");
        let drawn = bar.0.as_ref().unwrap();
        // Refreshed once more after the work, so the bar shows where it ended.
        assert_eq!(drawn.position(), 42);
        drawn.set_position(0);
        bar.counting(Vec::new()).write_all(b"12345").unwrap();
        assert_eq!(drawn.position(), 5);
    }

    #[test]
    fn a_log_line_is_collected_until_dropped() {
        let mut line = LogLine::make();
        write!(line, "one ").unwrap();
        write!(line, "event").unwrap();
        assert_eq!(line.0, b"one event");
        line.0.clear();
    }
}
