//! What `prove` wrote and what `verify-proof` found: [`ProofReport`] (its JSON is
//! `docs/json-report.md`'s `verify-proof --json`) and the human forms. What a proof says of a
//! file — its path, size, digest, origin and retrieval time — is printed only once every check
//! passed; before that it is not fact.

use std::io::{self, Write};
use std::path::PathBuf;

use serde::Serialize;

use crate::digest::Sha256Digest;
use crate::error::Result;
use crate::manifest::FileEntry;
use crate::sanitize::escape;
use crate::trust::KeyId;
use crate::trust::signature::{SignatureStatus, Signer};

/// The version of the `verify-proof --json` document.
pub const PROOF_REPORT_VERSION: u32 = 1;

/// What checking one proof found.
#[derive(Clone, Debug, Serialize)]
pub struct ProofReport {
    /// [`PROOF_REPORT_VERSION`].
    pub report_version: u32,
    /// The proof file.
    pub proof: String,
    /// The collection's name, from the checkpoint's origin.
    pub collection: String,
    /// The manifest's sequence, from the checkpoint's origin.
    pub sequence: u64,
    /// The checkpoint's origin line.
    pub origin: String,
    /// The checkpoint's entry count.
    pub entries: u64,
    /// The entry's zero-based index.
    pub index: u64,
    /// The checkpoint's root.
    pub root: Sha256Digest,
    /// The verdict on the checkpoint's signatures.
    pub signature: ProofSignature,
    /// The sealed entry, as the leaf data says; `null` when it does not read as one.
    pub entry: Option<FileEntry>,
    /// Why the leaf data is not an entry, if it is not.
    pub entry_problem: Option<String>,
    /// True when the audit path leads from the leaf to the checkpoint's root.
    pub included: bool,
    /// The `--file` check, if one was asked for.
    pub file: Option<FileCheck>,
    /// Everything verified: the exit status is 0 exactly then.
    pub success: bool,
}

/// The checkpoint signature verdict of a proof.
#[derive(Clone, Debug, Serialize)]
pub struct ProofSignature {
    /// `valid`, `invalid`, `unmet`, `untrusted` or `unsigned`.
    pub status: SignatureStatus,
    /// Trusted keys whose signature verified.
    pub signers: Vec<Signer>,
    /// Trusted keys whose signature did not verify.
    pub invalid: Vec<Signer>,
    /// Signature lines by keys that are not trusted (or under another name), ignored.
    pub ignored: usize,
    /// For `unmet`: each requirement (`--threshold`, `--signer`, `--expect-name`) not met, one
    /// sentence.
    pub unmet: Vec<String>,
}

/// A file compared with the sealed size and digest.
#[derive(Clone, Debug, Serialize)]
pub struct FileCheck {
    /// The file.
    pub path: String,
    /// True when its size and digest are the sealed ones.
    pub matches: bool,
    /// Its size (from its metadata when that differs from the sealed size; it is then not read).
    pub size: u64,
    /// Its SHA-256, when it was read.
    pub digest: Option<Sha256Digest>,
}

impl ProofReport {
    /// The signers' key IDs.
    pub fn signer_ids(&self) -> Vec<KeyId> {
        self.signature.signers.iter().map(|s| s.key_id).collect()
    }
}

/// What `prove` wrote: one proof file per path.
#[derive(Clone, Debug)]
pub struct ProveReport {
    /// Each sealed path and the proof file written for it.
    pub written: Vec<(String, PathBuf)>,
}

/// Writes the human form of a proof check.
pub fn render<W: Write>(w: &mut W, r: &ProofReport) -> Result<()> {
    super::presenting(|_| write_check(w, r))
}

fn names(list: &[Signer]) -> String {
    list.iter()
        .map(|k| format!("\"{}\" (key {})", escape(&k.name), k.key_id))
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_check<W: Write>(w: &mut W, r: &ProofReport) -> io::Result<()> {
    writeln!(w, "proof      {}", escape(&r.proof))?;
    if r.success
        && let Some(e) = &r.entry
    {
        writeln!(
            w,
            "verified   entry {} of {} of collection \"{}\", sequence {}",
            r.index + 1,
            r.entries,
            escape(&r.collection),
            r.sequence
        )?;
        writeln!(w, "path       {}", escape(e.path.as_str()))?;
        writeln!(w, "size       {}", e.size)?;
        writeln!(w, "sha256     {}", e.digest)?;
        writeln!(w, "origin     {}", escape(&e.origin.to_string()))?;
        writeln!(w, "retrieved  {}", e.retrieved)?;
        for (label, value) in super::facts::recorded(&e.capture, e.warc.as_ref()) {
            let width = super::facts::LABEL_WIDTH;
            writeln!(w, "{label:<width$}{}", escape(&value))?;
        }
        writeln!(w, "signer     {}", names(&r.signature.signers))?;
        if let Some(f) = &r.file {
            writeln!(
                w,
                "file       {}: its size and SHA-256 are the sealed ones",
                escape(&f.path)
            )?;
        }
        return Ok(());
    }
    let s = &r.signature;
    let proof_ok = s.status == SignatureStatus::Valid && r.entry_problem.is_none() && r.included;
    match proof_ok {
        true => writeln!(
            w,
            "FAILED     the proof verifies, but the file given is not the sealed one"
        )?,
        false => writeln!(
            w,
            "FAILED     the proof does not verify: nothing it says about the file is vouched for"
        )?,
    }
    match s.status {
        SignatureStatus::Valid => writeln!(w, "signature  valid, by {}", names(&s.signers))?,
        SignatureStatus::Invalid => writeln!(
            w,
            "signature  INVALID: the checkpoint signature claiming key {} does not verify: the checkpoint was changed, or the signature is not genuine",
            names(&s.invalid)
        )?,
        SignatureStatus::Unmet => writeln!(
            w,
            "signature  NOT ACCEPTED: {}; the valid signatures are by {}",
            escape(&s.unmet.join("; ")),
            names(&s.signers)
        )?,
        SignatureStatus::Untrusted
        | SignatureStatus::CheckpointInvalid
        | SignatureStatus::Revoked => writeln!(
            w,
            "signature  UNTRUSTED: no signature of the checkpoint is by a trusted key ({} ignored); pass --trust KEY.pub if you trust the signer",
            s.ignored
        )?,
        SignatureStatus::Unsigned => {
            writeln!(w, "signature  MISSING: the checkpoint is not signed")?
        }
    }
    if let Some(problem) = &r.entry_problem {
        writeln!(w, "leaf       FAILED: {}", escape(problem))?;
    }
    if !r.included {
        writeln!(
            w,
            "inclusion  FAILED: the audit path does not lead from the leaf (entry {} of {}) to the checkpoint's root",
            r.index + 1,
            r.entries
        )?;
    }
    if let Some(f) = &r.file
        && !f.matches
    {
        let expected = r.entry.as_ref();
        writeln!(
            w,
            "file       MODIFIED: {} is not the sealed file ({} bytes{}; sealed: {})",
            escape(&f.path),
            f.size,
            f.digest
                .map(|d| format!(", sha256 {d}"))
                .unwrap_or_default(),
            expected
                .map(|e| format!("{} bytes, sha256 {}", e.size, e.digest))
                .unwrap_or_else(|| "unknown".into())
        )?;
    }
    Ok(())
}

/// Writes the human form of what `prove` wrote.
pub fn render_written<W: Write>(w: &mut W, r: &ProveReport) -> Result<()> {
    super::presenting(|_| {
        for (path, file) in &r.written {
            writeln!(
                w,
                "proved     {} -> {}",
                escape(path),
                escape(&file.display().to_string())
            )?;
        }
        Ok(())
    })
}

/// Writes why `prove` wrote nothing: the manifest's signature verdict (to standard error).
pub fn render_refusal<W: Write>(
    w: &mut W,
    manifest: &std::path::Path,
    signature: &crate::trust::signature::SignatureReport,
) -> Result<()> {
    super::presenting(|_| {
        writeln!(
            w,
            "docseal: {}: no proof written: signature {}",
            escape(&manifest.display().to_string()),
            super::human::signature_text(signature)
        )
    })
}
