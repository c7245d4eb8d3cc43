//! The human form of `audit`: the bibliography and the manifests used (with their signature
//! verdicts), one line per reference with its verdict and why, the totals and the verdict.

use std::io::{self, Write};

use super::human::signature_text;
use crate::audit::citations::{AuditReport, ManifestUsed, ReferenceStatus};
use crate::error::Result;
use crate::sanitize::escape;

/// Writes what the audit found.
pub fn render<W: Write>(w: &mut W, r: &AuditReport) -> Result<()> {
    super::presenting(|_| write_audit(w, r))
}

/// One line per manifest given: its collection, or (`unused`, when its signature is not valid)
/// that its entries were not taken as fact; and the signature verdict. Shared with `identify`.
pub(crate) fn write_manifests<W: Write>(
    w: &mut W,
    manifests: &[ManifestUsed],
    unused: &str,
) -> io::Result<()> {
    for m in manifests {
        let used = match m.signature.is_valid() {
            true => format!("collection \"{}\"", escape(&m.collection)),
            false => format!("{unused}: its provenance is not taken as fact"),
        };
        writeln!(
            w,
            "manifest   {}: {used}; signature {}",
            escape(&m.manifest),
            signature_text(&m.signature)
        )?;
    }
    Ok(())
}

fn write_audit<W: Write>(w: &mut W, r: &AuditReport) -> io::Result<()> {
    writeln!(
        w,
        "references {} ({}; {} to web pages, {} without a URL)",
        escape(&r.bibliography),
        r.format.describe(),
        r.totals.references,
        r.totals.without_url
    )?;
    write_manifests(w, &r.manifests, "not used")?;
    for reference in &r.references {
        let label = reference.status.as_str();
        if reference.status == ReferenceStatus::Malformed {
            let key = match reference.key.is_empty() {
                true => String::new(),
                false => format!(" ({})", escape(&reference.key)),
            };
            writeln!(
                w,
                "{label:<10} {}:{}{key}: {}",
                escape(&r.bibliography),
                reference.line,
                escape(&reference.detail)
            )?;
            continue;
        }
        let cited = match &reference.cited {
            Some(day) => format!(", cited as accessed {day}"),
            None => String::new(),
        };
        writeln!(
            w,
            "{label:<10} {} {}{cited}: {}",
            escape(&reference.key),
            escape(&reference.url),
            escape(&reference.detail)
        )?;
    }
    let t = &r.totals;
    writeln!(
        w,
        "{} references: {} ok, {} retrieved another day, {} undated, {} modified, {} not sealed; {} malformed; {} without a URL",
        t.references,
        t.ok,
        t.other_day,
        t.retrieval_unknown,
        t.modified,
        t.not_sealed,
        t.malformed,
        t.without_url
    )?;
    if !r.files_checked {
        writeln!(
            w,
            "files      not checked: the manifests were audited alone (--check-files or --root DIR checks the sealed copies too)"
        )?;
    }
    writeln!(w, "{}", if r.success { "audited" } else { "AUDIT FAILED" })
}
