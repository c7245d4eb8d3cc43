//! What `import-warc` says of each record as it is done: one line on standard output for a
//! record stored, one line on standard error (`docseal: FILE: record at byte N: reason`) for a
//! record refused, and at the end the totals with the skipped records counted by kind. URLs and
//! names come from the WARC files: they are escaped before they reach a terminal.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use crate::capture::warc::{RecordOutcome, Skip};
use crate::error::{Error, Result};
use crate::sanitize::escape;

/// Counts of what an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportTotals {
    /// Records stored.
    pub stored: usize,
    /// Records skipped, by kind (`request`, `revisit`, `status 404`, `imported before`, …).
    pub skipped: BTreeMap<String, usize>,
    /// Records refused.
    pub failed: usize,
}

impl ImportTotals {
    /// Counts one more outcome.
    pub fn add(&mut self, outcome: &RecordOutcome) {
        match outcome {
            RecordOutcome::Stored { .. } => self.stored += 1,
            RecordOutcome::Failed { .. } => self.failed += 1,
            RecordOutcome::Skipped(skip) => {
                let kind = match skip {
                    Skip::Type(t) => t.clone(),
                    Skip::ErrorStatus(s) => format!("status {s}"),
                    Skip::Imported(_) => "imported before".to_string(),
                };
                *self.skipped.entry(kind).or_default() += 1;
            }
        }
    }
}

/// Writes the line for one record: a stored one to `out`, a refused one to `err`; a skipped one
/// is only counted.
pub fn render_record<W: Write, E: Write>(
    out: &mut W,
    err: &mut E,
    o: &RecordOutcome,
) -> Result<()> {
    match o {
        RecordOutcome::Stored {
            url,
            stored,
            verified,
        } => {
            let words = verified.words();
            let checked = if words.is_empty() {
                "no digest checked".to_string()
            } else {
                let names: Vec<&str> = words
                    .into_iter()
                    .map(|v| match v {
                        "payload-dechunked" => "de-chunked payload",
                        other => other,
                    })
                    .collect();
                format!("{} digest verified", names.join(" and "))
            };
            writeln!(
                out,
                "stored   {}  {} bytes  {}  ({checked})",
                escape(stored.path.as_str()),
                stored.size,
                escape(url)
            )
            .map_err(Error::Output)
        }
        RecordOutcome::Skipped(_) => Ok(()),
        RecordOutcome::Failed { at, reason } => {
            let _ = writeln!(err, "docseal: {}: {}", escape(at), escape(reason));
            Ok(())
        }
    }
}

/// Writes the totals and where the provenance went.
pub fn render_totals<W: Write>(w: &mut W, t: &ImportTotals, sources: Option<&Path>) -> Result<()> {
    let skipped: usize = t.skipped.values().sum();
    let kinds = if t.skipped.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = t
            .skipped
            .iter()
            .map(|(kind, n)| format!("{n} {}", escape(kind)))
            .collect();
        format!(" ({})", parts.join(", "))
    };
    writeln!(
        w,
        "{} stored, {skipped} skipped{kinds}, {} failed; {}",
        t.stored,
        t.failed,
        super::fetch::recorded_in(sources)
    )
    .map_err(Error::Output)
}
