//! What `fetch` says of each URL as it is done: one line on standard output for a URL stored or
//! skipped, one line on standard error (`docseal: failed URL: reason`) for a URL that failed, and
//! the totals at the end. URLs and names come from servers: they are escaped before they reach
//! a terminal.

use std::io::Write;
use std::path::Path;

use crate::capture::fetch::UrlOutcome;
use crate::error::{Error, Result};
use crate::sanitize::escape;

/// Counts of what a fetch did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FetchTotals {
    /// URLs stored.
    pub stored: usize,
    /// URLs skipped, captured before.
    pub skipped: usize,
    /// URLs that failed.
    pub failed: usize,
}

impl FetchTotals {
    /// Counts one more outcome.
    pub fn add(&mut self, outcome: &UrlOutcome) {
        match outcome {
            UrlOutcome::Stored { .. } => self.stored += 1,
            UrlOutcome::Skipped { .. } => self.skipped += 1,
            UrlOutcome::Failed { .. } => self.failed += 1,
        }
    }
}

/// Writes the line for one URL: a stored or skipped one to `out`, a failed one to `err`.
pub fn render_outcome<W: Write, E: Write>(out: &mut W, err: &mut E, o: &UrlOutcome) -> Result<()> {
    match o {
        UrlOutcome::Stored {
            url,
            stored,
            final_url,
        } => {
            let via = final_url
                .as_ref()
                .map(|f| format!(" (redirected to {})", escape(f)))
                .unwrap_or_default();
            writeln!(
                out,
                "stored   {}  {} bytes  {}{via}",
                escape(stored.path.as_str()),
                stored.size,
                escape(url)
            )
            .map_err(Error::Output)
        }
        UrlOutcome::Skipped { url, path } => writeln!(
            out,
            "skipped  {}  captured before as {} (--refetch to fetch it again)",
            escape(url),
            escape(path)
        )
        .map_err(Error::Output),
        UrlOutcome::Failed { url, reason } => {
            let _ = writeln!(err, "docseal: failed {}: {}", escape(url), escape(reason));
            Ok(())
        }
    }
}

/// Writes the totals and where the provenance went (`sources`: the sources list, if there is
/// one).
pub fn render_totals<W: Write>(w: &mut W, t: &FetchTotals, sources: Option<&Path>) -> Result<()> {
    writeln!(
        w,
        "{} stored, {} skipped, {} failed; {}",
        t.stored,
        t.skipped,
        t.failed,
        recorded_in(sources)
    )
    .map_err(Error::Output)
}

/// Where the provenance went: the sources list, or (`None`) that none was written: nothing was
/// stored, and there is no list from an earlier run.
pub(crate) fn recorded_in(sources: Option<&Path>) -> String {
    match sources {
        Some(path) => format!("provenance in {}", escape(&path.display().to_string())),
        None => "no sources list written".to_string(),
    }
}
