//! The progress bar on standard error: bytes and files done, throughput and time left, drawn only
//! when standard error is a terminal and `--quiet` was not given. Its style is set before its
//! first frame, and it fits the terminal's width: below 80 columns a shorter line is drawn, so
//! that it never wraps onto a second line.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use docseal::capture::fetch::FetchProgress;
use docseal::collection::Progress;

/// The line drawn on terminals at least 80 columns wide.
const WIDE: &str = "{spinner} {elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta} {msg}";
/// The line drawn on narrower terminals.
const NARROW: &str = "{spinner} [{wide_bar}] {percent:>3}% {msg}";

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
            bar: show.then(|| {
                ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                    .with_style(style())
            }),
            files_total: AtomicU64::new(0),
            files_done: AtomicU64::new(0),
        }
    }

    /// Whether a bar is drawn (and so whether sizes are worth listing up front).
    pub fn is_shown(&self) -> bool {
        self.bar.is_some()
    }
}

/// The style for the terminal's width.
fn style() -> ProgressStyle {
    let columns = console::Term::stderr()
        .size_checked()
        .map_or(80, |(_, c)| c);
    let template = if columns >= 80 { WIDE } else { NARROW };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// `done/total files`, with the noun in the singular for one file.
fn files_message(done: u64, total: u64) -> String {
    let noun = if total == 1 { "file" } else { "files" };
    format!("{done}/{total} {noun}")
}

impl Progress for TermProgress {
    fn start(&self, files: u64, bytes: u64) {
        let Some(bar) = &self.bar else { return };
        self.files_total.store(files, Ordering::Relaxed);
        bar.set_message(files_message(0, files));
        bar.set_length(bytes);
        bar.enable_steady_tick(Duration::from_millis(200));
    }

    fn file_done(&self, bytes: u64) {
        let Some(bar) = &self.bar else { return };
        bar.inc(bytes);
        let done = self.files_done.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.files_total.load(Ordering::Relaxed);
        if done.is_multiple_of(64) || done == total {
            bar.set_message(files_message(done, total));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The line of `fetch`'s bar: bytes stored, throughput, URLs done and the current URL.
const FETCH: &str = "{spinner} {elapsed_precise} {bytes} {binary_bytes_per_sec} {msg}";

/// `fetch`'s progress on a terminal: URLs done of all, bytes, the URL being fetched.
pub struct FetchBar {
    bar: Option<ProgressBar>,
    total: AtomicU64,
    done: AtomicU64,
}

impl FetchBar {
    /// A bar on standard error if it is a terminal and `quiet` is false; otherwise nothing.
    pub fn new(quiet: bool) -> Self {
        let show = !quiet && std::io::stderr().is_terminal();
        FetchBar {
            bar: show.then(|| {
                let style = ProgressStyle::with_template(FETCH)
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
                ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(style)
            }),
            total: AtomicU64::new(0),
            done: AtomicU64::new(0),
        }
    }

    /// Runs `f` with the bar hidden, so that a line printed meanwhile is not drawn over.
    pub fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    fn message(&self, url: &str) -> String {
        let done = self.done.load(Ordering::Relaxed);
        let total = self.total.load(Ordering::Relaxed);
        let columns = console::Term::stderr()
            .size_checked()
            .map_or(80, |(_, c)| c);
        // The URL is cut to what is left of the line, so that the bar never wraps.
        let room = usize::from(columns).saturating_sub(50).max(10);
        let shown = docseal::sanitize::escape(url);
        let shown: String = if shown.chars().count() > room {
            let mut cut: String = shown.chars().take(room - 1).collect();
            cut.push('…');
            cut
        } else {
            shown.into_owned()
        };
        format!("{done}/{total} URLs {shown}")
    }
}

impl FetchProgress for FetchBar {
    fn start(&self, total: u64) {
        let Some(bar) = &self.bar else { return };
        self.total.store(total, Ordering::Relaxed);
        bar.enable_steady_tick(Duration::from_millis(200));
    }

    fn url_started(&self, url: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(self.message(url));
        }
    }

    fn bytes(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    fn url_done(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.set_message(self.message(""));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_is_counted_in_the_singular() {
        assert_eq!(files_message(0, 1), "0/1 file");
        assert_eq!(files_message(3, 7), "3/7 files");
    }

    #[test]
    fn both_templates_are_valid() {
        for t in [WIDE, NARROW, FETCH] {
            assert!(ProgressStyle::with_template(t).is_ok(), "{t}");
        }
    }
}
