//! The orchestrator of `prove` and `verify-proof`: proofs made from a validly signed manifest
//! (`audit/proof.rs`) and written atomically, none over an existing file unless forced (`fsio`);
//! a proof read (bounded), checked offline against the trusted keys (`audit/proof.rs`, `trust`)
//! and, with a file, that file hashed (opened through `fsio`, read at most one byte past the
//! sealed size; `collection/hashing.rs`) and compared with the sealed size and digest, into one
//! [`ProofReport`] (`report/proof.rs`).

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::audit::proof::{self, Proof, ProveOptions, Proven};
use crate::collection::hashing::{self, ReadBuffer};
use crate::error::{Error, Result};
use crate::fsio::{self, Access};
use crate::report::proof::{
    FileCheck, PROOF_REPORT_VERSION, ProofReport, ProofSignature, ProveReport,
};
use crate::trust::note;
use crate::trust::signature::{SignatureReport, SignatureStatus};
use crate::trust::{PublicKey, Trust, TrustOptions};

/// Where the proofs go.
#[derive(Clone, Debug)]
pub enum ProofTarget {
    /// One proof, to this file.
    File(PathBuf),
    /// One proof per path, to `DIR/<path>.tlog-proof` (the sealed path's folders made below DIR).
    Folder(PathBuf),
}

/// What `prove` did: the proofs written, or the signature verdict that stopped it.
#[derive(Clone, Debug)]
pub enum ProveOutcome {
    /// Every proof was written.
    Written(ProveReport),
    /// The manifest's signature is not valid under the trusted keys: nothing was written.
    Refused(Box<SignatureReport>),
}

/// Makes the proofs of `opts.paths` and writes them to `target` (an existing file only when
/// `force`). Nothing is written unless every path is sealed and every target may be written.
pub fn prove(opts: &ProveOptions, target: &ProofTarget, force: bool) -> Result<ProveOutcome> {
    if let ProofTarget::File(_) = target
        && opts.paths.len() != 1
    {
        return Err(Error::Usage(
            "-o names one proof file, for one path; pass --into DIR to prove several paths".into(),
        ));
    }
    let proofs = match proof::prove(opts)? {
        Proven::Refused(sig) => return Ok(ProveOutcome::Refused(sig)),
        Proven::Proofs(p) => p,
    };
    let files: Vec<PathBuf> = proofs
        .iter()
        .map(|(path, _)| match target {
            ProofTarget::File(f) => f.clone(),
            ProofTarget::Folder(dir) => dir.join(format!("{path}.{}", proof::EXTENSION)),
        })
        .collect();
    if !force && let Some(existing) = files.iter().find(|f| std::fs::symlink_metadata(f).is_ok()) {
        return Err(Error::Exists {
            path: existing.clone(),
            what: "proof",
        });
    }
    let mut written = Vec::with_capacity(files.len());
    for ((path, p), file) in proofs.iter().zip(files) {
        fsio::write_atomic(
            &file,
            p.to_text().as_bytes(),
            Access::Public,
            force,
            "proof",
        )?;
        written.push((path.clone(), file));
    }
    Ok(ProveOutcome::Written(ProveReport { written }))
}

/// What to check.
#[derive(Clone, Debug)]
pub struct VerifyProofOptions {
    /// The proof file.
    pub proof: PathBuf,
    /// A file to compare with the sealed size and digest.
    pub file: Option<PathBuf>,
    /// The trusted keys and their revocations (a revoked key vouches for no checkpoint).
    pub trust: TrustOptions,
}

/// Checks a proof offline; `Err` only when it could not run (no trusted keys, an unreadable or
/// malformed proof, an unreadable file).
pub fn verify_proof(opts: &VerifyProofOptions) -> Result<ProofReport> {
    let trust = Trust::load(&opts.trust)?;
    let keyring = trust.keyring();
    let (trusted, revoked): (Vec<PublicKey>, Vec<PublicKey>) = {
        let (live, revoked): (Vec<_>, Vec<_>) = keyring
            .keys()
            .iter()
            .partition(|k| keyring.revocation(k.key.id()).is_none());
        let keys =
            |ks: Vec<&crate::trust::TrustedKey>| ks.into_iter().map(|k| k.key.clone()).collect();
        (keys(live), keys(revoked))
    };
    let text = fsio::read_text_at_most(&opts.proof, "proof", proof::PROOF_MAX)?;
    let parsed = Proof::parse(&opts.proof, &text)?;
    let mut checked = proof::check(&parsed, &trusted);
    // The run's requirements (--threshold, --signer, --expect-name), as for a manifest: the
    // checkpoint's valid signatures are counted once per distinct trusted key.
    let mut unmet = Vec::new();
    if checked.signature.status == SignatureStatus::Valid {
        let revoked_signers = note::verdict(
            &parsed.origin,
            &parsed.note_text(),
            &parsed.signatures,
            &revoked,
        )
        .signers;
        unmet = trust.unmet(
            &checked.collection,
            &checked.signature.signers,
            &revoked_signers,
        );
        if !unmet.is_empty() {
            checked.signature.status = SignatureStatus::Unmet;
        }
    }
    let file = match (&opts.file, &checked.leaf) {
        (Some(path), Ok(entry)) => Some(check_file(path, entry.size, &entry.digest)?),
        _ => None,
    };
    let success = checked.verified() && file.as_ref().is_none_or(|f| f.matches);
    Ok(ProofReport {
        report_version: PROOF_REPORT_VERSION,
        proof: opts.proof.display().to_string(),
        collection: checked.collection,
        sequence: checked.sequence,
        origin: parsed.origin.clone(),
        entries: parsed.count,
        index: parsed.index,
        root: parsed.root,
        signature: ProofSignature {
            status: checked.signature.status,
            signers: checked.signature.signers,
            invalid: checked.signature.invalid,
            ignored: checked.signature.ignored,
            unmet,
        },
        entry_problem: checked.leaf.as_ref().err().cloned(),
        entry: checked.leaf.ok(),
        included: checked.included,
        file,
        success,
    })
}

/// Compares the file at `path` with a sealed size and digest: by its size first (a regular file
/// of another size is not read), reading at most one byte more than the sealed size.
fn check_file(path: &Path, size: u64, digest: &crate::digest::Sha256Digest) -> Result<FileCheck> {
    let input = fsio::open_input(path, "file")?;
    let shown = path.display().to_string();
    if let Some(len) = input.file_len()
        && len != size
    {
        return Ok(FileCheck {
            path: shown,
            matches: false,
            size: len,
            digest: None,
        });
    }
    let mut buf = ReadBuffer::new(hashing::HASH_BUFFER_SIZE);
    let (actual, read) =
        hashing::hash_reader(input.take(size.saturating_add(1)), buf.as_mut_slice())
            .map_err(|e| Error::io(path, "cannot read", e))?;
    Ok(FileCheck {
        path: shown,
        matches: read == size && actual == *digest,
        size: read,
        digest: Some(actual),
    })
}
