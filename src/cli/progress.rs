//! The progress bar on standard error: bytes and files done, throughput and time left, drawn only
//! when standard error is a terminal and `--quiet` was not given.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use docseal::collection::Progress;

/// A progress bar that draws on a terminal and does nothing elsewhere.
pub struct TermProgress {
    bar: Option<ProgressBar>,
    files_total: AtomicU64,
    files_done: AtomicU64,
}

impl TermProgress {
    /// A bar on standard error if it is a terminal and `quiet` is false; otherwise nothing.
    pub fn new(quiet: bool) -> Self {
        let show = !quiet && std::io::stderr().is_terminal();
        TermProgress {
            bar: show.then(|| ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())),
            files_total: AtomicU64::new(0),
            files_done: AtomicU64::new(0),
        }
    }

    /// Whether a bar is drawn (and so whether sizes are worth listing up front).
    pub fn is_shown(&self) -> bool {
        self.bar.is_some()
    }
}

impl Progress for TermProgress {
    fn start(&self, files: u64, bytes: u64) {
        let Some(bar) = &self.bar else { return };
        self.files_total.store(files, Ordering::Relaxed);
        bar.set_length(bytes);
        let style = ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(format!("0/{files} files"));
        bar.enable_steady_tick(Duration::from_millis(200));
    }

    fn file_done(&self, bytes: u64) {
        let Some(bar) = &self.bar else { return };
        bar.inc(bytes);
        let done = self.files_done.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.files_total.load(Ordering::Relaxed);
        if done.is_multiple_of(64) || done == total {
            bar.set_message(format!("{done}/{total} files"));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
