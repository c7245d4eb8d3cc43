//! Exporting, the orchestrator of `export`: the trusted keys and the manifest's signatures first
//! (`trust`, `manifest`), then — only for a validly signed manifest — its entries written in
//! another tool's format (`interop`), to standard output or atomically to a file (`fsio`). A
//! list of digests taken from a manifest nobody vouches for would launder them, so nothing is
//! written unless the signature is valid. It parses, hashes and formats nothing itself.

use std::io::Write;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::fsio::{self, Access};
use crate::interop::sha256sum;
use crate::manifest::Manifest;
use crate::report::export::ExportReport;
use crate::trust::{self, signature};

/// What to export, against which keys, and where.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// The manifest file.
    pub manifest: PathBuf,
    /// Trusted public key files or folders of `.pub` files.
    pub trust: Vec<PathBuf>,
    /// Write to this file (atomically) instead of the given writer.
    pub output: Option<PathBuf>,
    /// Replace an existing output file.
    pub force: bool,
}

/// Writes the manifest's entries as a `sha256sum` list (`sha256sum -c` checks the collection
/// with it, from the collection folder), to `out` or to `opts.output`.
pub fn sha256sum(opts: &ExportOptions, out: &mut dyn Write) -> Result<ExportReport> {
    let trusted = trust::load_trusted(&opts.trust)?;
    let (manifest, sig) = Manifest::load_checking(&opts.manifest, |message, signatures| {
        signature::check(message, signatures, &trusted)
    })?;
    let mut report = ExportReport {
        manifest: opts.manifest.clone(),
        signature: sig,
        files: 0,
        output: opts.output.clone(),
    };
    if !report.signature.is_valid() {
        return Ok(report);
    }
    if let Some(path) = &opts.output
        && !opts.force
        && std::fs::symlink_metadata(path).is_ok()
    {
        return Err(Error::Exists {
            path: path.clone(),
            what: "checksum list",
        });
    }
    let mut buffer = Vec::new();
    let sink: &mut dyn Write = match opts.output {
        Some(_) => &mut buffer,
        None => out,
    };
    for entry in manifest.entries() {
        let entry = entry?;
        sha256sum::write_line(sink, &entry.digest, entry.path.as_str()).map_err(Error::Output)?;
        report.files += 1;
    }
    if let Some(path) = &opts.output {
        fsio::write_atomic(path, &buffer, Access::Public, opts.force, "checksum list")?;
    }
    Ok(report)
}
