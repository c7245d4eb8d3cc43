//! Co-signing, the orchestrator of `sign`: read a sealed manifest and parse all of it
//! (`manifest`; one that does not parse is refused before the key is even loaded), load the key
//! (`trust`, its passphrase asked for only then), refuse a second signature by the same key, sign
//! the unchanged signed message and check that one more `[[signature]]` table leaves the body's
//! bytes exactly as they were ([`prepare`]); then append it, atomically, to a file whose bytes are
//! still those that were signed ([`commit`], `fsio`). It parses, hashes and formats nothing itself.
//!
//! `sign --verify-first` prepares, runs `verify` (the binary calls it: an orchestrator never calls
//! another), and commits only if it verified — so the passphrase is asked before the long part,
//! and a manifest replaced while it was verified is not signed.

use std::path::PathBuf;

use crate::digest::Sha256Digest;
use crate::error::{Error, Result};
use crate::fsio::{self, Access};
use crate::manifest::{Manifest, canonical};
use crate::report::sign::SignReport;
use crate::trust::{SecretKeySource, signature};

/// What to sign, and with which key.
#[derive(Clone, Debug)]
pub struct SignOptions {
    /// The manifest, rewritten in place.
    pub manifest: PathBuf,
    /// The secret key and its passphrase.
    pub key: SecretKeySource,
    /// Whether the caller verifies the manifest between [`prepare`] and [`commit`] (only said
    /// in the report).
    pub verified_first: bool,
}

/// A signature made and not yet written: what [`commit`] appends, and the digest of the
/// manifest's bytes it was made over, which must still be the file's when it is written.
#[derive(Debug)]
pub struct Prepared {
    digest: Sha256Digest,
    len: usize,
    separator: &'static str,
    block: String,
    report: SignReport,
}

/// Adds a signature by `opts.key` to the manifest at `opts.manifest`.
pub fn sign(opts: &SignOptions) -> Result<SignReport> {
    commit(prepare(opts)?)
}

/// Reads and parses the manifest, loads the key (asking for its passphrase) and signs; nothing
/// is written yet.
pub fn prepare(opts: &SignOptions) -> Result<Prepared> {
    let path = &opts.manifest;
    let bytes = fsio::read_at_most(path, "manifest", fsio::MANIFEST_MAX)?;
    let manifest = Manifest::parse(path, &bytes)?;
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
    // The body and, in format version 2, the checkpoint: a co-signer can be proven against too.
    let sig = signature::sign_both(&key, &manifest.signed());
    let separator = if manifest.signatures.is_empty() {
        // No signature block: the whole file is the body, and the table must follow it directly.
        if !bytes.ends_with(b"\n") {
            return Err(Error::invalid(
                path,
                "does not end with a line break, so no signature can be appended without changing the signed body; reseal it",
            ));
        }
        ""
    } else if bytes.ends_with(b"\n") {
        "\n"
    } else {
        "\n\n"
    };
    let block = canonical::signature_block(&sig);
    let mut text = bytes;
    text.extend_from_slice(separator.as_bytes());
    text.extend_from_slice(block.as_bytes());
    let check = Manifest::parse(path, &text)?;
    if check.signed_message() != manifest.signed_message() {
        return Err(Error::Internal(
            "appending a signature changed the signed body".to_string(),
        ));
    }
    let len = text.len() - separator.len() - block.len();
    Ok(Prepared {
        digest: Sha256Digest::of(&text[..len]),
        len,
        separator,
        block,
        report: SignReport {
            manifest: path.clone(),
            key_id: key.id(),
            key_name: key.name().to_string(),
            signatures: check.signatures.len(),
            verified_first: opts.verified_first,
        },
    })
}

/// Appends the prepared signature, if the manifest's bytes are still those it was made over
/// (else nothing is written), atomically.
pub fn commit(prepared: Prepared) -> Result<SignReport> {
    let path = &prepared.report.manifest;
    let mut text = fsio::read_at_most(path, "manifest", fsio::MANIFEST_MAX)?;
    if text.len() != prepared.len || Sha256Digest::of(&text) != prepared.digest {
        return Err(Error::invalid(
            path,
            "changed while it was being signed; nothing was written: run `docseal sign` again",
        ));
    }
    text.extend_from_slice(prepared.separator.as_bytes());
    text.extend_from_slice(prepared.block.as_bytes());
    fsio::write_atomic(path, &text, Access::Public, true, "manifest")?;
    Ok(prepared.report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::{KeyLocation, PassphraseSource, SecretKey};

    const UNSIGNED: &str = "format_version = 1\nname = \"seeds\"\ndigest_algorithm = \"sha256\"\n\
        created = \"2026-11-25T13:52:24Z\"\ntool = \"docseal 0.1.0\"\ncollection = \"../seeds\"\n\
        root = \"dd5bdce46ba42c85c8016bc598a6292f2a3cb552aa3e8966c448c07eff643ff2\"\nsequence = 1\n\n\
        [[file]]\npath = \"a.txt\"\nsize = 1\n\
        digest = \"fd038300b6fc5309036ccd57625842cab563e7b1ca168c352719553ba770868e\"\n\
        origin = \"unknown\"\nretrieved = \"unknown\"\n";

    fn options(dir: &std::path::Path) -> SignOptions {
        let key = SecretKey::generate("t").unwrap();
        let key_path = dir.join("t.key");
        fsio::write_atomic(
            &key_path,
            key.to_file_text().as_bytes(),
            Access::Private,
            false,
            "secret key",
        )
        .unwrap();
        let manifest = dir.join("m.toml");
        std::fs::write(&manifest, UNSIGNED).unwrap();
        SignOptions {
            manifest,
            key: SecretKeySource {
                location: KeyLocation::File(key_path),
                passphrase: PassphraseSource::Env("UNUSED".to_string()),
            },
            verified_first: false,
        }
    }

    #[test]
    fn a_signature_is_appended_to_an_unsigned_body_without_changing_it() {
        let dir = tempfile::tempdir().unwrap();
        let opts = options(dir.path());
        let done = sign(&opts).unwrap();
        assert_eq!(done.signatures, 1);
        let text = std::fs::read_to_string(&opts.manifest).unwrap();
        assert!(text.starts_with(UNSIGNED));
        assert_eq!(canonical::split(&text).0, UNSIGNED);
    }

    #[test]
    fn a_manifest_changed_between_prepare_and_commit_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let opts = options(dir.path());
        let prepared = prepare(&opts).unwrap();
        let swapped = UNSIGNED.replace("seeds", "other");
        std::fs::write(&opts.manifest, &swapped).unwrap();
        let err = commit(prepared).unwrap_err();
        assert!(
            err.to_string()
                .contains("changed while it was being signed"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&opts.manifest).unwrap(), swapped);
    }
}
