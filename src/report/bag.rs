//! The human form of `validate-bag`: the bag and its version, every error and warning, and the
//! verdict.

use std::io::{self, Write};

use crate::error::Result;
use crate::interop::bagit::BagReport;
use crate::sanitize::escape;

/// Writes the result of checking a bag.
pub fn render<W: Write>(w: &mut W, r: &BagReport) -> Result<()> {
    super::presenting(|_| write_bag(w, r))
}

fn write_bag<W: Write>(w: &mut W, r: &BagReport) -> io::Result<()> {
    let version = r.version.as_deref().unwrap_or("unknown version");
    writeln!(
        w,
        "bag        {} (BagIt {}; manifests {})",
        escape(&r.bag),
        escape(version),
        if r.algorithms.is_empty() {
            "none".to_string()
        } else {
            r.algorithms.join(", ")
        }
    )?;
    for e in &r.errors {
        writeln!(w, "error      {}", escape(e))?;
    }
    for warning in &r.warnings {
        writeln!(w, "warning    {}", escape(warning))?;
    }
    if let Some(manifest) = &r.docseal_manifest {
        writeln!(
            w,
            "docseal    this bag carries a docseal manifest; check its signature and the payload with `docseal verify {} --root {}`",
            escape(manifest),
            escape(
                &std::path::Path::new(&r.bag)
                    .join("data")
                    .display()
                    .to_string()
            )
        )?;
    }
    writeln!(
        w,
        "{} payload files ({} bytes); {} errors, {} warnings",
        r.payload_files,
        r.payload_bytes,
        r.errors.len(),
        r.warnings.len()
    )?;
    writeln!(w, "{}", if r.valid { "valid" } else { "INVALID" })
}
