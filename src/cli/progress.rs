//! The progress bars on standard error — seal's and verify's (bytes and files done, throughput
//! and time left), fetch's (URLs done, bytes, the current URL) and import-warc's (records done,
//! bytes of the WARC files read, the current file) — drawn only when standard error is a
//! terminal and `--quiet` was not given. Its style is set before its
//! first frame, and it fits the terminal's width: below 80 columns a shorter line is drawn, so
//! that it never wraps onto a second line.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use docseal::capture::fetch::FetchProgress;
use docseal::capture::warc::ImportProgress;
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

/// A spinner or bar with `template` on standard error if it is a terminal and `quiet` is false.
fn stderr_bar(quiet: bool, template: &str) -> Option<ProgressBar> {
    let show = !quiet && std::io::stderr().is_terminal();
    show.then(|| {
        let style =
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
        ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_style(style.progress_chars("=> "))
    })
}

/// `text` (a URL, a file name) escaped and cut to what is left of the line after `used` columns,
/// so that the bar never wraps.
fn fit(text: &str, used: usize) -> String {
    let columns = console::Term::stderr()
        .size_checked()
        .map_or(80, |(_, c)| c);
    let room = usize::from(columns).saturating_sub(used).max(10);
    let shown = docseal::sanitize::escape(text);
    if shown.chars().count() > room {
        let mut cut: String = shown.chars().take(room - 1).collect();
        cut.push('…');
        cut
    } else {
        shown.into_owned()
    }
}

/// Runs `f` with `bar` hidden, so that a line printed meanwhile is not drawn over.
fn suspended<T>(bar: Option<&ProgressBar>, f: impl FnOnce() -> T) -> T {
    match bar {
        Some(bar) => bar.suspend(f),
        None => f(),
    }
}

impl FetchBar {
    /// A bar on standard error if it is a terminal and `quiet` is false; otherwise nothing.
    pub fn new(quiet: bool) -> Self {
        FetchBar {
            bar: stderr_bar(quiet, FETCH),
            total: AtomicU64::new(0),
            done: AtomicU64::new(0),
        }
    }

    /// Runs `f` with the bar hidden, so that a line printed meanwhile is not drawn over.
    pub fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        suspended(self.bar.as_ref(), f)
    }

    fn message(&self, url: &str) -> String {
        let done = self.done.load(Ordering::Relaxed);
        let total = self.total.load(Ordering::Relaxed);
        format!("{done}/{total} URLs {}", fit(url, 50))
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

/// The line of `import-warc`'s bar: bytes of the WARC files read of all, records done, the file.
const IMPORT: &str = "{spinner} {elapsed_precise} [{bar:20}] {bytes}/{total_bytes} {msg}";

/// `import-warc`'s progress on a terminal: records done, bytes of the WARC files read (of all),
/// the file being read.
pub struct ImportBar {
    bar: Option<ProgressBar>,
    /// Bytes of the files done before the current one.
    before: AtomicU64,
    records: AtomicU64,
    file: std::sync::Mutex<String>,
}

impl ImportBar {
    /// A bar on standard error if it is a terminal and `quiet` is false; otherwise nothing.
    pub fn new(quiet: bool) -> Self {
        ImportBar {
            bar: stderr_bar(quiet, IMPORT),
            before: AtomicU64::new(0),
            records: AtomicU64::new(0),
            file: std::sync::Mutex::new(String::new()),
        }
    }

    /// Runs `f` with the bar hidden, so that a line printed meanwhile is not drawn over.
    pub fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        suspended(self.bar.as_ref(), f)
    }

    fn redraw(&self, bar: &ProgressBar) {
        let records = self.records.load(Ordering::Relaxed);
        let noun = if records == 1 { "record" } else { "records" };
        let file = self.file.lock().map(|f| f.clone()).unwrap_or_default();
        bar.set_message(format!("{records} {noun} {}", fit(&file, 60)));
    }
}

impl ImportProgress for ImportBar {
    fn start(&self, bytes: u64) {
        let Some(bar) = &self.bar else { return };
        bar.set_length(bytes);
        bar.enable_steady_tick(Duration::from_millis(200));
    }

    fn file_started(&self, name: &str) {
        let Some(bar) = &self.bar else { return };
        if let Ok(mut file) = self.file.lock() {
            *file = name.to_string();
        }
        self.redraw(bar);
        bar.tick();
    }

    fn record_done(&self, read: u64) {
        let Some(bar) = &self.bar else { return };
        self.records.fetch_add(1, Ordering::Relaxed);
        bar.set_position(self.before.load(Ordering::Relaxed) + read);
        self.redraw(bar);
    }

    fn file_done(&self, bytes: u64) {
        let Some(bar) = &self.bar else { return };
        let before = self.before.fetch_add(bytes, Ordering::Relaxed) + bytes;
        bar.set_position(before);
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
        for t in [WIDE, NARROW, FETCH, IMPORT] {
            assert!(ProgressStyle::with_template(t).is_ok(), "{t}");
        }
    }
}
