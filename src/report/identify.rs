//! The human form of `identify`: the manifests searched (with their signature verdicts), and for
//! each document the sealed entries that hold its content, with their provenance, or that none
//! does.

use std::io::{self, Write};

use crate::audit::identify::IdentifyReport;
use crate::error::Result;
use crate::sanitize::escape;

/// Writes what `identify` found.
pub fn render<W: Write>(w: &mut W, r: &IdentifyReport) -> Result<()> {
    super::presenting(|_| write_identify(w, r))
}

fn write_identify<W: Write>(w: &mut W, r: &IdentifyReport) -> io::Result<()> {
    super::audit::write_manifests(w, &r.manifests, "not searched")?;
    for f in &r.files {
        if f.sealed_as.is_empty() {
            writeln!(
                w,
                "unknown    {}: no sealed entry has its content ({} bytes, sha256 {})",
                escape(&f.file),
                f.size,
                f.digest
            )?;
            continue;
        }
        for s in &f.sealed_as {
            let m = &r.manifests[s.manifest];
            writeln!(
                w,
                "sealed     {} = {} in {} (\"{}\"): from {}, retrieved {}",
                escape(&f.file),
                escape(&s.path),
                escape(&m.manifest),
                escape(&m.collection),
                escape(s.origin.as_deref().unwrap_or("an unknown origin")),
                escape(s.retrieved.as_deref().unwrap_or("at an unknown time"))
            )?;
        }
    }
    let known = r.files.iter().filter(|f| !f.sealed_as.is_empty()).count();
    writeln!(w, "{known} of {} documents found sealed", r.files.len())?;
    writeln!(
        w,
        "{}",
        if r.success {
            "identified"
        } else {
            "NOT IDENTIFIED"
        }
    )
}
