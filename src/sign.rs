//! Co-signing, the orchestrator of `sign`: read a sealed manifest once and parse all of it
//! (`manifest`; one that does not parse is refused before the key is even loaded), load the key
//! (`trust`, its passphrase asked for only then), refuse a second signature by the same key,
//! optionally require that the very bytes about to be signed carry a valid signature by a trusted
//! key, sign the unchanged signed message, and append one `[[signature]]` table — the body's
//! bytes stay exactly as they were, which is checked on the new text before it replaces the old
//! one atomically (`fsio`). It parses, hashes and formats nothing itself.
//!
//! `sign --verify-first` runs `verify` (the binary calls it, an orchestrator never calls
//! another) and then this with [`SignOptions::trusted`] set, so that what is signed is a manifest
//! that verifies against the same trusted keys.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::fsio::{self, Access};
use crate::manifest::{Manifest, canonical};
use crate::report::sign::SignReport;
use crate::trust::{self, SecretKeySource, signature};

/// What to sign, and with which key.
#[derive(Clone, Debug)]
pub struct SignOptions {
    /// The manifest, rewritten in place.
    pub manifest: PathBuf,
    /// The secret key and its passphrase.
    pub key: SecretKeySource,
    /// When set, the manifest's signatures must be valid against these trusted keys (files or
    /// folders) at the moment it is signed; `verify` checked its files just before.
    pub trusted: Option<Vec<PathBuf>>,
}

/// Adds a signature by `opts.key` to the manifest at `opts.manifest`.
pub fn sign(opts: &SignOptions) -> Result<SignReport> {
    let path = &opts.manifest;
    let bytes = fsio::read_at_most(path, "manifest", fsio::MANIFEST_MAX)?;
    let manifest = Manifest::parse(path, &bytes)?;
    let trusted = opts
        .trusted
        .as_deref()
        .map(trust::load_trusted)
        .transpose()?;
    let key = opts.key.load()?;
    if manifest.signatures.iter().any(|s| s.key_id == key.id()) {
        return Err(Error::invalid(
            path,
            format!(
                "is already signed by key \"{}\" (key ID {}); a key signs a manifest once, so nothing was written",
                key.name(),
                key.id()
            ),
        ));
    }
    if let Some(keys) = &trusted {
        let verdict = signature::check(manifest.signed_message(), &manifest.signatures, keys);
        if !verdict.is_valid() {
            return Err(Error::invalid(
                path,
                "changed after it was verified (its signatures no longer verify); nothing was signed: run `docseal sign --verify-first` again",
            ));
        }
    }
    let sig = signature::sign_message(&key, manifest.signed_message());
    let mut text = bytes;
    if manifest.signatures.is_empty() {
        // No signature block: the whole file is the body, and the table must follow it directly.
        if !text.ends_with(b"\n") {
            return Err(Error::invalid(
                path,
                "does not end with a line break, so no signature can be appended without changing the signed body; reseal it",
            ));
        }
    } else {
        if !text.ends_with(b"\n") {
            text.push(b'\n');
        }
        text.push(b'\n');
    }
    text.extend_from_slice(canonical::signature_block(&sig).as_bytes());
    let check = Manifest::parse(path, &text)?;
    if check.signed_message() != manifest.signed_message() {
        return Err(Error::Internal(
            "appending a signature changed the signed body".to_string(),
        ));
    }
    fsio::write_atomic(path, &text, Access::Public, true, "manifest")?;
    Ok(SignReport {
        manifest: path.clone(),
        key_id: key.id(),
        key_name: key.name().to_string(),
        signatures: check.signatures.len(),
        verified_first: trusted.is_some(),
    })
}
