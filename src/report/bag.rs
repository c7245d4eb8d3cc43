//! What `validate-bag` found — the bag as BagIt sees it and the verification of the docseal
//! manifest it carries — and its human form: the bag and its version, every error and warning,
//! the docseal manifest's verification as `verify` reports it, and the verdict.

use std::io::{self, Write};

use serde::Serialize;

use super::VerifyReport;
use super::human::{self, Verbosity};
use crate::error::Result;
use crate::interop::bagit::BagReport;
use crate::sanitize::escape;

/// Everything `validate-bag` found.
#[derive(Clone, Debug, Serialize)]
pub struct BagValidation {
    /// The bag, checked as RFC 8493 says (`valid` is its verdict as a bag).
    #[serde(flatten)]
    pub bag: BagReport,
    /// The verification of the docseal manifest the bag carries against its `data/` folder, when
    /// it carries one and it was checked (`null` otherwise).
    pub docseal_verification: Option<VerifyReport>,
    /// The overall verdict: the bag is valid and its docseal manifest, when checked, verified.
    /// The exit status is 0 exactly when this is true.
    pub success: bool,
}

impl BagValidation {
    /// Joins the two checks.
    pub fn new(bag: BagReport, docseal_verification: Option<VerifyReport>) -> Self {
        let success = bag.valid && docseal_verification.as_ref().is_none_or(|v| v.success);
        BagValidation {
            bag,
            docseal_verification,
            success,
        }
    }
}

/// Writes the result of checking a bag.
pub fn render<W: Write>(w: &mut W, r: &BagValidation) -> Result<()> {
    super::presenting(|failure| {
        write_bag(w, &r.bag)?;
        if let (None, Some(manifest)) = (&r.docseal_verification, &r.bag.docseal_manifest) {
            write_unchecked(w, &r.bag, manifest)?;
        }
        if let Some(v) = &r.docseal_verification {
            writeln!(
                w,
                "docseal    {} verified against {}:",
                escape(&v.manifest),
                escape(&v.checked_path)
            )?;
            super::passing_on(human::render(w, v, Verbosity::Normal), failure)?;
        }
        let verdict = match (r.success, r.bag.valid) {
            (true, _) => "valid",
            (false, true) => "INVALID (a valid bag, but its docseal manifest did not verify)",
            (false, false) => "INVALID",
        };
        writeln!(w, "{verdict}")
    })
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
    writeln!(
        w,
        "{} payload files ({} bytes); {} errors, {} warnings",
        r.payload_files,
        r.payload_bytes,
        r.errors.len(),
        r.warnings.len()
    )?;
    Ok(())
}

/// The line for a docseal manifest that was not verified (`--bagit-only`).
fn write_unchecked<W: Write>(w: &mut W, r: &BagReport, manifest: &str) -> io::Result<()> {
    let data = std::path::Path::new(&r.bag).join("data");
    writeln!(
        w,
        "docseal    this bag carries a docseal manifest, not checked (--bagit-only); check it with `docseal verify {} --root {}`",
        escape(manifest),
        escape(&data.display().to_string())
    )
}
