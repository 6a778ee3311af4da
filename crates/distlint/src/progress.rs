//! Progress bar on stderr (indicatif), shown only when stderr is a terminal, output is not
//! `--quiet`/`--no-progress`, and the scan has been running for more than half a second — so
//! quick runs, CI logs and pipes stay clean.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a scan runs before the bar appears.
const DELAY: Duration = Duration::from_millis(500);

/// A progress bar that stays hidden until [`DELAY`] has passed. Cheap to tick from many threads.
pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    enabled: bool,
    shown: AtomicBool,
}

impl Progress {
    /// A bar over `len` files; `allowed` is false for `--quiet` and `--no-progress`.
    pub fn new(len: usize, allowed: bool) -> Self {
        let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} analysing {pos}/{len} files [{bar:30}] {elapsed}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Self {
            bar,
            start: Instant::now(),
            enabled: allowed && std::io::stderr().is_terminal(),
            shown: AtomicBool::new(false),
        }
    }

    /// One more file done.
    pub fn tick(&self) {
        self.bar.inc(1);
        if self.enabled
            && !self.shown.load(Ordering::Relaxed)
            && self.start.elapsed() > DELAY
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Removes the bar before the report is printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
