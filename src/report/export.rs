//! What `export` did ([`ExportReport`]), and what it says when it refuses: the signature line
//! of the human report and why nothing was written.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::error::Result;
use crate::trust::signature::SignatureReport;

/// What exporting did.
#[derive(Clone, Debug)]
pub struct ExportReport {
    /// The manifest exported.
    pub manifest: PathBuf,
    /// The verdict on its signatures; nothing is exported unless it is valid.
    pub signature: SignatureReport,
    /// Entries written.
    pub files: usize,
    /// The file written, when not standard output.
    pub output: Option<PathBuf>,
}

impl ExportReport {
    /// True when the manifest's signature was valid and its entries were written.
    pub fn is_success(&self) -> bool {
        self.signature.is_valid()
    }
}

/// Writes what happened (for standard error): the refusal when the signature is not valid, else
/// where the list went when it went to a file; nothing when it went to standard output.
pub fn render<W: Write>(w: &mut W, r: &ExportReport) -> Result<()> {
    super::presenting(|_| write_summary(w, r))
}

fn write_summary<W: Write>(w: &mut W, r: &ExportReport) -> io::Result<()> {
    if !r.is_success() {
        super::human::render_signature(w, &r.signature)?;
        return writeln!(
            w,
            "nothing exported from {}: its signature cannot be trusted",
            r.manifest.display()
        );
    }
    if let Some(path) = &r.output {
        writeln!(
            w,
            "exported {} files from {} to {}",
            r.files,
            r.manifest.display(),
            path.display()
        )?;
    }
    Ok(())
}
