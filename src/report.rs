//! The verification report: one data model ([`VerifyReport`]) that `--json` serialises as is and
//! that [`render`] turns into the human report. Its JSON schema is documented in
//! `docs/json-report.md`.

use std::io::{self, Write};

use serde::Serialize;

pub use crate::digest::Fixity;
use crate::sanitize::escape;
use crate::signature::{SignatureReport, SignatureStatus};
use crate::walk::Skipped;

pub use crate::verify::FileVerdicts;

/// The version of the JSON report schema.
pub const REPORT_VERSION: u32 = 1;

/// What verification found for one path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Present with the sealed size and digest.
    Ok,
    /// Present, but its size or digest differs from the sealed one.
    Modified,
    /// Sealed, but not present.
    Missing,
    /// Present under the root, but not sealed.
    Extra,
    /// Sealed and present, but it could not be read (permissions, or no longer a regular file).
    Unreadable,
    /// Sealed under another path that is gone; present here with the same size and digest.
    Moved,
}

impl FileStatus {
    /// The word used in the human report.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Ok => "ok",
            FileStatus::Modified => "modified",
            FileStatus::Missing => "missing",
            FileStatus::Extra => "extra",
            FileStatus::Unreadable => "unreadable",
            FileStatus::Moved => "moved",
        }
    }
}

/// The verdict on one path.
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    /// The path inside the collection.
    pub path: String,
    /// The verdict.
    pub status: FileStatus,
    /// For `moved`: the path the content was sealed under (`null` otherwise).
    pub moved_from: Option<String>,
    /// Size and digest recorded in the manifest (`null` for an extra file).
    pub expected: Option<Fixity>,
    /// Size and digest measured now (`null` when missing or unreadable).
    pub actual: Option<Fixity>,
    /// The sealed origin URL (`null` when unknown or for an extra file).
    pub origin: Option<String>,
    /// The sealed retrieval time (`null` when unknown or for an extra file).
    pub retrieved: Option<String>,
    /// A human explanation where the status alone does not say enough.
    pub detail: Option<String>,
}

/// Counts by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Entries in the manifest.
    pub sealed: usize,
    /// Files that verified.
    pub ok: usize,
    /// Files whose content changed.
    pub modified: usize,
    /// Sealed files that are gone.
    pub missing: usize,
    /// Files present but not sealed.
    pub extra: usize,
    /// Sealed files that could not be read.
    pub unreadable: usize,
    /// Sealed files found under another path.
    pub moved: usize,
    /// Sealed entries whose origin or retrieval time is unknown.
    pub lacking_provenance: usize,
}

/// Everything `verify` found.
#[derive(Clone, Debug, Serialize)]
pub struct VerifyReport {
    /// Schema version of this report ([`REPORT_VERSION`]).
    pub report_version: u32,
    /// The manifest file verified.
    pub manifest: String,
    /// The collection name from the manifest.
    pub collection: String,
    /// The folder that was checked.
    pub root: String,
    /// The signature verdict. Files are checked only when it is valid.
    pub signature: SignatureReport,
    /// Whether the files were checked (false when the signature is not valid).
    pub files_checked: bool,
    /// Inconsistencies in a validly signed manifest (entry order, root digest).
    pub manifest_problems: Vec<String>,
    /// One verdict per sealed or extra path, sorted by path (produced one at a time, as the
    /// report is written: see [`FileVerdicts`]).
    pub files: FileVerdicts,
    /// Entries under the root that are not regular files and were not checked.
    pub skipped: Vec<Skipped>,
    /// Counts.
    pub totals: Totals,
    /// Whether every file was required to have a known origin and retrieval time.
    pub require_provenance: bool,
    /// The overall verdict; the exit status is 0 exactly when this is true.
    pub success: bool,
}

impl VerifyReport {
    /// True when the signature is valid, the manifest consistent, every sealed file ok, nothing
    /// extra, and (if required) every file has provenance.
    pub fn is_success(&self) -> bool {
        let t = &self.totals;
        self.signature.is_valid()
            && self.files_checked
            && self.manifest_problems.is_empty()
            && t.ok == t.sealed
            && t.extra == 0
            && t.unreadable == 0
            && !(self.require_provenance && t.lacking_provenance > 0)
    }

    /// Takes the counts by status from `files` and sets `success`.
    pub fn finish(&mut self) {
        self.totals = Totals {
            sealed: self.totals.sealed,
            lacking_provenance: self.totals.lacking_provenance,
            ..self.files.counts()
        };
        self.success = self.is_success();
    }
}

/// Counts reports by status (the `sealed` and `lacking_provenance` fields stay 0).
pub fn count_statuses<'a>(reports: impl IntoIterator<Item = &'a FileStatus>) -> Totals {
    let mut t = Totals::default();
    for status in reports {
        match status {
            FileStatus::Ok => t.ok += 1,
            FileStatus::Modified => t.modified += 1,
            FileStatus::Missing => t.missing += 1,
            FileStatus::Extra => t.extra += 1,
            FileStatus::Unreadable => t.unreadable += 1,
            FileStatus::Moved => t.moved += 1,
        }
    }
    t
}

/// How much of the report to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    /// Only problems, and nothing at all when everything verified.
    Quiet,
    /// Every file, the signature line and the totals.
    Normal,
}

/// Writes the human report.
pub fn render<W: Write>(w: &mut W, report: &VerifyReport, verbosity: Verbosity) -> io::Result<()> {
    let quiet = verbosity == Verbosity::Quiet;
    if !quiet || !report.signature.is_valid() {
        render_signature(w, &report.signature)?;
    }
    for problem in &report.manifest_problems {
        writeln!(w, "manifest   {}", escape(problem))?;
    }
    // Quiet and successful: every file is ok, so there is no line to print (and no need to
    // produce 10⁶ reports to find that out).
    let every_line_ok = quiet && report.success;
    if !every_line_ok {
        for f in report.files.iter() {
            let f = f.map_err(io::Error::other)?;
            if quiet && f.status == FileStatus::Ok {
                continue;
            }
            match &f.moved_from {
                Some(from) => write!(
                    w,
                    "{:<10} {} -> {}",
                    f.status.as_str(),
                    escape(from),
                    escape(&f.path)
                )?,
                None => write!(w, "{:<10} {}", f.status.as_str(), escape(&f.path))?,
            }
            if let Some(detail) = f.detail.as_ref().filter(|_| f.moved_from.is_none()) {
                write!(w, ": {}", escape(detail))?;
            }
            writeln!(w)?;
        }
    }
    if !quiet {
        for s in &report.skipped {
            writeln!(w, "skipped    {}: {}", escape(&s.path), s.kind.describe())?;
        }
    }
    if quiet && report.success {
        return Ok(());
    }
    let t = &report.totals;
    if report.files_checked {
        write!(
            w,
            "{} sealed files: {} ok, {} modified, {} moved, {} missing, {} unreadable; {} extra",
            t.sealed, t.ok, t.modified, t.moved, t.missing, t.unreadable, t.extra
        )?;
        if t.lacking_provenance > 0 {
            write!(w, "; {} lacking provenance", t.lacking_provenance)?;
            if report.require_provenance {
                write!(w, " (required)")?;
            }
        }
        writeln!(w)?;
    } else {
        writeln!(
            w,
            "files not checked: the manifest's signature cannot be trusted"
        )?;
    }
    if report.success {
        writeln!(w, "verified")
    } else {
        writeln!(w, "verification FAILED")
    }
}

fn render_signature<W: Write>(w: &mut W, s: &SignatureReport) -> io::Result<()> {
    let names = |list: &[crate::signature::Signer]| {
        list.iter()
            .map(|k| format!("\"{}\" (key {})", escape(&k.name), k.key_id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match s.status {
        SignatureStatus::Valid => writeln!(w, "signature  valid, signed by {}", names(&s.signers))?,
        SignatureStatus::Invalid => writeln!(
            w,
            "signature  INVALID for {}: the manifest was changed after it was signed",
            names(&s.invalid)
        )?,
        SignatureStatus::Untrusted => writeln!(
            w,
            "signature  UNTRUSTED: signed only by key {}, which is not trusted; pass --trust KEY.pub if you trust it",
            s.untrusted
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )?,
        SignatureStatus::Unsigned => writeln!(w, "signature  MISSING: the manifest is not signed")?,
    }
    Ok(())
}
