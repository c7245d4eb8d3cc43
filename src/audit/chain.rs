//! Chains of manifests: a manifest loaded only when its signature verifies (what `seal
//! --previous`, `verify --since` and `diff` build on), its [`Position`] in the chain, and `log`:
//! a list of manifests checked as `verify` checks them, put in sequence order, and every link
//! between neighbours checked (each `previous` is the manifest digest of the one before; gaps,
//! breaks, two manifests for one sequence number and other collections are named). Nothing of a
//! manifest whose signature is not valid is reported as fact, and only one manifest is held at a
//! time.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::digest::Sha256Digest;
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::provenance::Timestamp;
use crate::trust::history::Position;
use crate::trust::signature::{SignatureReport, SignatureStatus};
use crate::trust::{Trust, TrustOptions};

/// Reads the manifest at `path` and checks its signatures against `trusted`; a manifest whose
/// verdict is not valid is an error saying so (`role` names what the manifest was given as, e.g.
/// "--previous").
pub fn load_verified(
    path: &Path,
    trusted: &Trust,
    role: &str,
) -> Result<(Manifest, SignatureReport)> {
    let (manifest, report) = Manifest::load_trusted(path, trusted)?;
    if !report.is_valid() {
        return Err(Error::invalid(
            path,
            format!(
                "the {role} manifest's signature is {}, so nothing is taken from it; pass a manifest that `docseal verify` accepts with these --trust keys",
                status_word(report.status)
            ),
        ));
    }
    Ok((manifest, report))
}

/// The verdict in a word.
pub fn status_word(status: SignatureStatus) -> &'static str {
    match status {
        SignatureStatus::Valid => "valid",
        SignatureStatus::Invalid => "invalid (a signature by a trusted key does not verify)",
        SignatureStatus::Untrusted => "untrusted (signed by no trusted key)",
        SignatureStatus::Unsigned => "missing (the manifest is not signed)",
        SignatureStatus::Revoked => "revoked (its trusted signer's key is revoked)",
        SignatureStatus::CheckpointInvalid => {
            "not valid: a trusted key's checkpoint signature is missing or does not verify"
        }
        SignatureStatus::Unmet => {
            "not accepted (it does not meet --threshold, --signer or --expect-name)"
        }
    }
}

/// Where `manifest` stands in its chain, `None` when it records no sequence number.
pub fn position(manifest: &Manifest) -> Option<Position> {
    Some(Position {
        sequence: manifest.header.sequence?,
        digest: manifest.digest(),
    })
}

/// What `log` reads and which keys it trusts.
#[derive(Clone, Debug)]
pub struct LogOptions {
    /// The manifests, in any order.
    pub manifests: Vec<PathBuf>,
    /// Trusted public key files or folders of `.pub` files.
    pub trust: TrustOptions,
}

/// What `log` found: the manifests in chain order and what is wrong with the chain.
#[derive(Clone, Debug, Serialize)]
pub struct LogReport {
    /// Schema version of this report (1).
    pub log_version: u32,
    /// The collection name of the chain (of its first validly signed manifest).
    pub collection: Option<String>,
    /// The validly signed manifests by sequence number, then the others in the order given.
    pub manifests: Vec<LogEntry>,
    /// What breaks the chain, one sentence each; empty when every link holds.
    pub problems: Vec<String>,
    /// True when every manifest verified and every link holds.
    pub chain_ok: bool,
}

/// One manifest of a log. Every field but `manifest`, `signature` and `digest` is `None` when
/// the signature is not valid: what such a manifest says is not fact.
#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    /// The manifest file.
    pub manifest: String,
    /// The verdict on its signatures (signers with the names of the trusted key files).
    pub signature: SignatureReport,
    /// Its manifest digest (computed: SHA-256 of the signed message).
    pub digest: Sha256Digest,
    /// The collection name.
    pub collection: Option<String>,
    /// Its sequence number.
    pub sequence: Option<u64>,
    /// When it was made.
    pub created: Option<Timestamp>,
    /// When it expires.
    pub expires: Option<Timestamp>,
    /// The digest of the manifest it supersedes.
    pub previous: Option<Sha256Digest>,
    /// How many files it seals.
    pub files: Option<usize>,
    /// Its collection root digest.
    pub root: Option<Sha256Digest>,
}

/// Reads every manifest (one at a time), checks its signatures and puts the chain together.
pub fn log(opts: &LogOptions) -> Result<LogReport> {
    let trusted = Trust::load(&opts.trust)?;
    let mut entries = Vec::with_capacity(opts.manifests.len());
    for path in &opts.manifests {
        let (m, sig) = Manifest::load_trusted(path, &trusted)?;
        let valid = sig.is_valid();
        let h = &m.header;
        entries.push(LogEntry {
            manifest: path.display().to_string(),
            digest: m.digest(),
            collection: valid.then(|| h.name.clone()),
            sequence: h.sequence.filter(|_| valid),
            created: valid.then_some(h.created),
            expires: h.expires.filter(|_| valid),
            previous: h.previous.filter(|_| valid),
            files: valid.then_some(m.summary.count),
            root: valid.then_some(h.root_digest),
            signature: sig,
        });
    }
    let (mut chain, others): (Vec<LogEntry>, Vec<LogEntry>) = entries
        .into_iter()
        .partition(|e| e.signature.is_valid() && e.sequence.is_some());
    chain.sort_by_key(|e| e.sequence);
    let mut problems = Vec::new();
    for e in &others {
        problems.push(if e.signature.is_valid() {
            format!(
                "{} records no sequence number, so it has no place in the chain",
                e.manifest
            )
        } else {
            format!(
                "{}: signature {}; it is not part of the checked chain",
                e.manifest,
                status_word(e.signature.status)
            )
        });
    }
    let collection = chain.first().and_then(|e| e.collection.clone());
    for e in &chain {
        if e.collection != collection {
            problems.push(format!(
                "{} is a manifest of collection \"{}\", not of \"{}\"",
                e.manifest,
                e.collection.as_deref().unwrap_or_default().escape_debug(),
                collection.as_deref().unwrap_or_default().escape_debug()
            ));
        }
    }
    for pair in chain.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (sa, sb) = (a.sequence.unwrap_or(0), b.sequence.unwrap_or(0));
        if sa == sb {
            if a.digest != b.digest {
                problems.push(format!(
                    "two different manifests signed for sequence {sa}: {} and {} (equivocation)",
                    a.manifest, b.manifest
                ));
            }
        } else if sb > sa + 1 {
            problems.push(format!(
                "gap: no manifest given for sequence {} between {} (sequence {sa}) and {} (sequence {sb}), so that link is not checked",
                if sb == sa + 2 {
                    (sa + 1).to_string()
                } else {
                    format!("{} to {}", sa + 1, sb - 1)
                },
                a.manifest,
                b.manifest
            ));
        } else if b.previous != Some(a.digest) {
            problems.push(format!(
                "broken link: {} (sequence {sb}) says previous = {}, but {} (sequence {sa}) has manifest digest {}",
                b.manifest,
                b.previous.map_or("nothing".to_string(), |d| d.to_string()),
                a.manifest,
                a.digest
            ));
        }
    }
    chain.extend(others);
    Ok(LogReport {
        log_version: 1,
        collection,
        chain_ok: problems.is_empty(),
        manifests: chain,
        problems,
    })
}
