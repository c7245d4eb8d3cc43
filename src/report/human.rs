//! The human report of `verify`: the folder or archive checked, the signature line, one line per
//! file (`ok`, `modified`, `moved a -> b`, …), with `--require-provenance` one line per file
//! lacking provenance, the skipped entries, the totals and the verdict — or, with `--quiet`, only
//! the problems; sealed names that clash on other file systems are named (`clash      a and A:
//! …`). Below the signature line, one `key` line per signature of the manifest: its key ID, its
//! verdict (valid, invalid, untrusted, revoked), and the trusted key file that holds it. Every
//! path and name from the manifest or the file system is escaped first.

use std::io::{self, Write};

use super::{FileStatus, VerifyReport};
use crate::error::{Error, Result};
use crate::sanitize::escape;
use crate::trust::signature::{
    CheckpointStatus, KeyStatus, SignatureEntry, SignatureReport, SignatureStatus, Signer,
};

/// How much of the report to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    /// Only problems, and nothing at all when everything verified.
    Quiet,
    /// Every file, the signature line and the totals.
    Normal,
}

/// Writes the human report of a verification.
pub fn render<W: Write>(w: &mut W, report: &VerifyReport, verbosity: Verbosity) -> Result<()> {
    super::presenting(|failure| write_report(w, report, verbosity, failure))
}

fn write_report<W: Write>(
    w: &mut W,
    report: &VerifyReport,
    verbosity: Verbosity,
    failure: &mut Option<Error>,
) -> io::Result<()> {
    let quiet = verbosity == Verbosity::Quiet;
    if !quiet && !report.checked_path.is_empty() {
        let kind = if report.checked_archive {
            "archive"
        } else if crate::collection::bucket::is_url(&report.checked_path) {
            "bucket"
        } else {
            "folder"
        };
        writeln!(w, "{kind:<10} {}", escape(&report.checked_path))?;
        if !report.paths.is_empty() {
            writeln!(
                w,
                "named      {} of the manifest's files, checked alone (extra files are not looked for)",
                report.paths.len()
            )?;
        }
    }
    if !quiet || !report.signature.is_valid() {
        render_signature(w, &report.signature)?;
    }
    if !quiet {
        render_checkpoint(w, &report.signature)?;
    }
    for problem in &report.manifest_problems {
        writeln!(w, "manifest   {}", escape(problem))?;
    }
    if !quiet {
        for c in &report.name_clashes {
            writeln!(
                w,
                "clash      {} and {}: {}",
                escape(&c.paths[0]),
                escape(&c.paths[1]),
                c.kind.describe()
            )?;
        }
    }
    // Quiet and successful: every file is ok, so there is no line to print (and no need to
    // produce 10⁶ reports to find that out).
    let every_line_ok = quiet && report.success;
    if !every_line_ok {
        for f in report.files.iter() {
            let f = super::passing_on(f, failure)?;
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
            let shown = f.moved_from.is_none() || f.status == FileStatus::Misnamed;
            if let Some(detail) = f.detail.as_ref().filter(|_| shown) {
                write!(w, ": {}", escape(detail))?;
            }
            writeln!(w)?;
        }
    }
    if report.require_provenance && report.totals.lacking_provenance > 0 {
        for f in report.files.iter() {
            let f = super::passing_on(f, failure)?;
            let unknown = match (f.expected.is_some(), &f.origin, &f.retrieved) {
                (false, _, _) | (true, Some(_), Some(_)) => continue,
                (true, None, None) => "origin and retrieval time unknown",
                (true, None, Some(_)) => "origin unknown",
                (true, Some(_), None) => "retrieval time unknown",
            };
            let path = f.moved_from.as_ref().unwrap_or(&f.path);
            writeln!(
                w,
                "provenance {}: {unknown} (required by --require-provenance)",
                escape(path)
            )?;
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
        write!(w, "{}", t.counts_text())?;
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

/// Writes the signature line — who signed, or what is wrong with the signatures — and a `key`
/// line per signature.
pub(crate) fn render_signature<W: Write>(w: &mut W, s: &SignatureReport) -> io::Result<()> {
    writeln!(w, "signature  {}", signature_text(s))?;
    for entry in &s.signatures {
        writeln!(w, "key        {}", key_text(entry))?;
    }
    Ok(())
}

/// One signature of the manifest as text (without a label): key ID, verdict, and the trusted key
/// file that holds it, every name and path escaped: shared by `verify` and `show`.
pub(crate) fn key_text(e: &SignatureEntry) -> String {
    let held = match (&e.name, &e.key_file) {
        (Some(name), Some(file)) if !file.is_empty() => {
            format!("\"{}\" from {}", escape(name), escape(file))
        }
        (Some(name), _) => format!("\"{}\"", escape(name)),
        _ => "no trusted key file holds this key".to_string(),
    };
    match (e.status, &e.revocation) {
        (KeyStatus::Valid, _) => format!("{} valid: {held}", e.key_id),
        (KeyStatus::Invalid, _) => format!("{} INVALID: {held}; does not verify", e.key_id),
        (KeyStatus::Untrusted, _) => format!("{} untrusted (ignored): {held}", e.key_id),
        (KeyStatus::Revoked, Some(by)) => {
            format!("{} REVOKED: {held}; revoked by {}", e.key_id, escape(by))
        }
        (KeyStatus::Revoked, None) => format!("{} REVOKED: {held}", e.key_id),
    }
}

/// The checkpoint line of a report on a format version 1 manifest, which has none (a valid
/// checkpoint goes without saying on the signature line, a failure is told there).
pub(crate) fn render_checkpoint<W: Write>(w: &mut W, s: &SignatureReport) -> io::Result<()> {
    match s.checkpoint.status {
        CheckpointStatus::None => writeln!(
            w,
            "checkpoint none: a format version 1 manifest has no checkpoint, so no single file can be proven; reseal to get one"
        ),
        CheckpointStatus::Valid | CheckpointStatus::Failed | CheckpointStatus::Unchecked => Ok(()),
    }
}

/// The verdict on a manifest's signatures as one line of text (without a label), every name
/// escaped: shared by `verify` and `show`.
pub(crate) fn signature_text(s: &SignatureReport) -> String {
    let names = |list: &[Signer]| {
        list.iter()
            .map(|k| format!("\"{}\" (key {})", escape(&k.name), k.key_id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match s.status {
        SignatureStatus::Valid => format!("valid, signed by {}", names(&s.signers)),
        // The signature block is not signed: a signature that fails says only that it fails,
        // unless another one shows that the body is as it was signed.
        SignatureStatus::Invalid => {
            let (claiming, verb) = if s.invalid.len() == 1 {
                ("a signature claiming key", "does")
            } else {
                ("signatures claiming keys", "do")
            };
            let head = format!(
                "INVALID: {claiming} {} {verb} not verify",
                names(&s.invalid)
            );
            if s.signers.is_empty() {
                format!(
                    "{head}: the manifest was changed after it was signed, or the signature was"
                )
            } else {
                format!(
                    "{head}, while the signature by {} does: the body is as it was signed, and the signature block holds a signature that is not genuine",
                    names(&s.signers)
                )
            }
        }
        SignatureStatus::Untrusted => format!(
            "UNTRUSTED: signed only by key {}, which is not trusted; pass --trust KEY.pub if you trust it",
            s.untrusted
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        SignatureStatus::Revoked => {
            let (what, verb) = if s.revoked.len() == 1 {
                ("the key of", "is")
            } else {
                ("the keys of", "are")
            };
            format!(
                "REVOKED: {what} {} {verb} revoked, and no other trusted key signed validly",
                names(&s.revoked)
            )
        }
        SignatureStatus::Unmet => format!(
            "NOT ACCEPTED: {}; the valid signatures are by {}",
            s.unmet
                .iter()
                .map(|u| escape(u).into_owned())
                .collect::<Vec<_>>()
                .join("; "),
            names(&s.signers)
        ),
        SignatureStatus::Unsigned => "MISSING: the manifest is not signed".to_string(),
        SignatureStatus::CheckpointInvalid => {
            let mut parts = Vec::new();
            if !s.checkpoint.missing.is_empty() {
                parts.push(format!(
                    "the signature by {} has no checkpoint signature",
                    names(&s.checkpoint.missing)
                ));
            }
            if !s.checkpoint.invalid.is_empty() {
                parts.push(format!(
                    "the checkpoint signature by {} does not verify",
                    names(&s.checkpoint.invalid)
                ));
            }
            format!(
                "CHECKPOINT INVALID: {}, though its signature over the body does: the signature block was changed, or written by a tool that does not know checkpoints; sign again",
                parts.join(", and ")
            )
        }
    }
}

/// Writes one `docseal: warning:` line (for standard error) per warning of a signature check: a
/// revocation that was ignored, and why.
pub fn render_warnings<W: Write>(w: &mut W, s: &SignatureReport) -> Result<()> {
    super::presenting(|_| {
        for warning in &s.warnings {
            writeln!(w, "docseal: warning: {}", escape(warning))?;
        }
        Ok(())
    })
}
