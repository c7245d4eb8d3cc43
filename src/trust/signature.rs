//! Manifest signatures: what exactly is signed (the domain-separation prefix followed by the
//! manifest body bytes; in format version 2 also the checkpoint, a signed note over the root),
//! signing with a [`SecretKey`], and checking every signature of a manifest against the trusted
//! keys ([`Keyring`]) with Ed25519 *strict* verification into one [`SignatureReport`]: a verdict
//! per signature (valid, invalid, untrusted, revoked), the checkpoint signatures, and one verdict
//! on them all, counting each key once. What is *required* of the signers (a threshold, pinned
//! signers, the collection's name) is `policy.rs`'s, applied on top of this verdict.

use serde::{Deserialize, Serialize};

use super::note::{self, NoteCheck, NoteSignature};
use super::{KeyId, Keyring, PublicKey, SecretKey};

/// Prefix of every signed message, so that a docseal signature can never be mistaken for a
/// signature over some other kind of data (and the reverse).
pub const SIGNED_PREFIX: &[u8] = b"docseal-manifest-v1\n";

/// One signature of a manifest, as recorded in its `[[signature]]` table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestSignature {
    /// The ID of the key that made it.
    pub key_id: KeyId,
    /// The 64-byte Ed25519 signature.
    pub bytes: [u8; 64],
    /// The signature of the manifest's checkpoint (format version 2; `None` in version 1, or
    /// when the table lacks it).
    pub checkpoint: Option<NoteSignature>,
}

/// What a manifest's signatures cover: the signed message ([`SIGNED_PREFIX`] then the body) and,
/// in format version 2, the checkpoint note (`docs/manifest-format.md` §12).
#[derive(Clone, Copy, Debug)]
pub struct Signed<'a> {
    /// The signed message.
    pub message: &'a [u8],
    /// The checkpoint's note text (three lines, each ending in a newline), whose first line —
    /// the origin — is the key name its signatures are made under; `None` for a format
    /// version 1 manifest, which has no checkpoint.
    pub checkpoint: Option<&'a str>,
}

impl Signed<'_> {
    /// The checkpoint's origin line: the key name of its signatures.
    pub fn origin(&self) -> Option<&str> {
        self.checkpoint
            .map(|text| text.split('\n').next().unwrap_or_default())
    }
}

/// The exact message that a manifest signature covers: [`SIGNED_PREFIX`] then the body bytes.
pub fn signed_message(body: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(SIGNED_PREFIX.len() + body.len());
    msg.extend_from_slice(SIGNED_PREFIX);
    msg.extend_from_slice(body);
    msg
}

/// Signs a manifest body.
pub fn sign(key: &SecretKey, body: &[u8]) -> ManifestSignature {
    sign_message(key, &signed_message(body))
}

/// Signs a message that already is [`SIGNED_PREFIX`] followed by the body (no copy of a large
/// body is made).
pub fn sign_message(key: &SecretKey, message: &[u8]) -> ManifestSignature {
    debug_assert!(message.starts_with(SIGNED_PREFIX));
    ManifestSignature {
        key_id: key.id(),
        bytes: key.sign(message),
        checkpoint: None,
    }
}

/// Signs both what a format version 2 manifest's signature covers: the message and the
/// checkpoint note (whose origin line is the key name). For version 1 (`checkpoint` `None`) the
/// signature has no checkpoint.
pub fn sign_both(key: &SecretKey, signed: &Signed<'_>) -> ManifestSignature {
    let mut sig = sign_message(key, signed.message);
    if let (Some(text), Some(origin)) = (signed.checkpoint, signed.origin()) {
        sig.checkpoint = Some(note::sign(key, origin, text));
    }
    sig
}

/// The overall verdict on a manifest's signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatus {
    /// At least one signature by a trusted key that is not revoked is valid, none by a trusted
    /// key is invalid, and what was required (threshold, signers, collection name) is met.
    Valid,
    /// A signature claiming a trusted key does not verify: the body was changed after signing,
    /// or that signature is not genuine (the signature block itself is not signed).
    Invalid,
    /// No signature by a trusted key that is not revoked verifies, and one by a revoked key is
    /// there.
    Revoked,
    /// The signatures verify, but do not meet what was required: too few distinct trusted
    /// signers (`--threshold`), a pinned signer missing (`--signer`), or a manifest of another
    /// collection (`--expect-name`). [`SignatureReport::unmet`] says what.
    Unmet,
    /// The manifest is signed, but by no trusted key.
    Untrusted,
    /// The manifest has no signature at all.
    Unsigned,
    /// Every trusted key's signature over the body verifies, but the checkpoint signature of at
    /// least one of them is missing or does not verify (format version 2): the signature block
    /// was changed, or written by a tool that does not know checkpoints.
    CheckpointInvalid,
}

/// The verdict on the checkpoint signatures of the trusted keys that signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointStatus {
    /// Every trusted key that signed the manifest also signed its checkpoint, and each of those
    /// signatures verifies.
    Valid,
    /// A trusted key's checkpoint signature is missing or does not verify (see `missing` and
    /// `invalid`).
    Failed,
    /// The manifest is format version 1, which has no checkpoint.
    None,
    /// No signature is by a trusted key, so no checkpoint signature was checked.
    Unchecked,
}

/// The checkpoint signatures of the trusted keys, checked (format version 2).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointReport {
    /// The verdict.
    pub status: CheckpointStatus,
    /// Trusted keys whose `[[signature]]` table has no checkpoint signature.
    pub missing: Vec<Signer>,
    /// Trusted keys whose checkpoint signature does not verify.
    pub invalid: Vec<Signer>,
}

/// The verdict on one `[[signature]]` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// By a trusted key that is not revoked, and it verifies.
    Valid,
    /// By a trusted key, and it does not verify.
    Invalid,
    /// By a key that is not trusted: not checked.
    Untrusted,
    /// By a trusted key with a valid revocation: rejected, whether it verifies or not.
    Revoked,
}

impl KeyStatus {
    /// The word in the reports.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Valid => "valid",
            KeyStatus::Invalid => "invalid",
            KeyStatus::Untrusted => "untrusted",
            KeyStatus::Revoked => "revoked",
        }
    }
}

/// One signature of the manifest and what was found of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureEntry {
    /// The key ID the signature names.
    pub key_id: KeyId,
    /// The name in the trusted key file that holds that key (`None` for an untrusted key).
    pub name: Option<String>,
    /// The trusted key file that holds it, as found (`None` for an untrusted key).
    pub key_file: Option<String>,
    /// The verdict.
    pub status: KeyStatus,
    /// For a revoked key: the revocation file that revokes it.
    pub revocation: Option<String>,
}

/// A trusted key, named as reports name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// The key ID.
    pub key_id: KeyId,
    /// The name in the trusted public key file.
    pub name: String,
}

/// What was required of the signers (`verify --threshold`, `--signer`, `--expect-name`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    /// Valid signatures by at least this many distinct trusted keys (1 unless asked).
    pub threshold: usize,
    /// Trusted keys that must each have signed validly.
    pub signers: Vec<Signer>,
    /// The collection name the manifest must carry.
    pub collection: Option<String>,
}

impl Default for Requirements {
    fn default() -> Self {
        Requirements {
            threshold: 1,
            signers: Vec::new(),
            collection: None,
        }
    }
}

/// The result of checking all of a manifest's signatures.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureReport {
    /// The verdict.
    pub status: SignatureStatus,
    /// Trusted keys (not revoked) whose signatures are valid, each once.
    pub signers: Vec<Signer>,
    /// Trusted keys whose signatures are invalid, each once.
    pub invalid: Vec<Signer>,
    /// Key IDs of signatures by keys that are not trusted (not checked).
    pub untrusted: Vec<KeyId>,
    /// Trusted keys that are revoked and signed, each once.
    pub revoked: Vec<Signer>,
    /// Every signature of the manifest, in the order they appear.
    pub signatures: Vec<SignatureEntry>,
    /// What was required of the signers.
    pub required: Requirements,
    /// What was required and not met (for [`SignatureStatus::Unmet`]); one sentence each.
    pub unmet: Vec<String>,
    /// Revocation files that were ignored, and why (forged or malformed).
    pub warnings: Vec<String>,
    /// The checkpoint signatures of the trusted keys.
    pub checkpoint: CheckpointReport,
}

impl SignatureReport {
    /// True when the signatures make the manifest trustworthy.
    pub fn is_valid(&self) -> bool {
        self.status == SignatureStatus::Valid
    }

    /// A report with no signature looked at, for a verdict of `status`.
    pub fn empty(status: SignatureStatus) -> Self {
        SignatureReport {
            status,
            signers: Vec::new(),
            invalid: Vec::new(),
            untrusted: Vec::new(),
            revoked: Vec::new(),
            signatures: Vec::new(),
            required: Requirements::default(),
            unmet: Vec::new(),
            warnings: Vec::new(),
            checkpoint: CheckpointReport {
                status: CheckpointStatus::None,
                missing: Vec::new(),
                invalid: Vec::new(),
            },
        }
    }
}

/// Checks every signature against the trusted keys — over the whole signed message
/// ([`SIGNED_PREFIX`] then the body, which a loaded manifest holds without a copy) and, in format
/// version 2, over the checkpoint note — with `verify_strict` (which rejects non-canonical and
/// small-order encodings that plain verification would accept). A trusted key is a signer only
/// when both of its signatures verify; a signature by a revoked key is rejected without being
/// counted. The verdict is one of valid, invalid, checkpoint-invalid, revoked, untrusted or
/// unsigned; what was required of the signers is applied afterwards (`Trust::check`).
pub fn check(
    signed: &Signed<'_>,
    signatures: &[ManifestSignature],
    keyring: &Keyring,
) -> SignatureReport {
    let mut report = SignatureReport::empty(SignatureStatus::Unsigned);
    // Counted per distinct key, by its point (its canonical bytes): a signature block pasted
    // twice is one signer, not two, and a key with any signature that fails is not a signer.
    // (A manifest that repeats a key ID is refused when it is read, and a trust store holding
    // one key twice when it is loaded; this holds either way.)
    let mut by_key: Vec<(&super::TrustedKey, KeyStatus, Checkpoint)> = Vec::new();
    for sig in signatures {
        let Some(trusted) = keyring.find(sig.key_id) else {
            if !report.untrusted.contains(&sig.key_id) {
                report.untrusted.push(sig.key_id);
            }
            report.signatures.push(SignatureEntry {
                key_id: sig.key_id,
                name: None,
                key_file: None,
                status: KeyStatus::Untrusted,
                revocation: None,
            });
            continue;
        };
        let revocation = keyring.revocation(trusted.key.id());
        let status = match revocation {
            Some(_) => KeyStatus::Revoked,
            None if trusted.key.verifies(signed.message, &sig.bytes) => KeyStatus::Valid,
            None => KeyStatus::Invalid,
        };
        let checkpoint = checkpoint_of(signed, &trusted.key, sig);
        report.signatures.push(SignatureEntry {
            key_id: sig.key_id,
            name: Some(trusted.key.name().to_string()),
            key_file: Some(trusted.file.display().to_string()),
            status,
            revocation: revocation.map(|p| p.display().to_string()),
        });
        match by_key
            .iter_mut()
            .find(|(k, _, _)| k.key.as_bytes() == trusted.key.as_bytes())
        {
            Some((_, verdict, cp)) => {
                if *verdict == KeyStatus::Valid {
                    *verdict = status;
                }
                *cp = (*cp).max(checkpoint);
            }
            None => by_key.push((trusted, status, checkpoint)),
        }
    }
    for (trusted, status, checkpoint) in by_key {
        let signer = Signer {
            key_id: trusted.key.id(),
            name: trusted.key.name().to_string(),
        };
        match (status, checkpoint) {
            (KeyStatus::Valid, Checkpoint::Missing) => report.checkpoint.missing.push(signer),
            (KeyStatus::Valid, Checkpoint::Fails) => report.checkpoint.invalid.push(signer),
            (KeyStatus::Valid, _) => report.signers.push(signer),
            (KeyStatus::Invalid, _) => report.invalid.push(signer),
            (KeyStatus::Revoked, _) => report.revoked.push(signer),
            (KeyStatus::Untrusted, _) => {}
        }
    }
    let checkpoint_failed =
        !report.checkpoint.missing.is_empty() || !report.checkpoint.invalid.is_empty();
    report.status = if signatures.is_empty() {
        SignatureStatus::Unsigned
    } else if !report.invalid.is_empty() {
        SignatureStatus::Invalid
    } else if checkpoint_failed {
        SignatureStatus::CheckpointInvalid
    } else if !report.signers.is_empty() {
        SignatureStatus::Valid
    } else if !report.revoked.is_empty() {
        SignatureStatus::Revoked
    } else {
        SignatureStatus::Untrusted
    };
    report.warnings = keyring.warnings().to_vec();
    report.checkpoint.status = if signed.checkpoint.is_none() {
        CheckpointStatus::None
    } else if checkpoint_failed {
        CheckpointStatus::Failed
    } else if report.signers.is_empty() {
        CheckpointStatus::Unchecked
    } else {
        CheckpointStatus::Valid
    };
    report
}

/// What one `[[signature]]` table's checkpoint signature says, worst last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Checkpoint {
    /// The manifest's format has no checkpoint (version 1).
    NotInFormat,
    Verified,
    Missing,
    Fails,
}

fn checkpoint_of(signed: &Signed<'_>, key: &PublicKey, sig: &ManifestSignature) -> Checkpoint {
    let (Some(text), Some(origin)) = (signed.checkpoint, signed.origin()) else {
        return Checkpoint::NotInFormat;
    };
    match &sig.checkpoint {
        None => Checkpoint::Missing,
        Some(cp) => match note::check(key, origin, text, cp) {
            NoteCheck::Verified => Checkpoint::Verified,
            // A key hash that is not this key's under the origin: not a signature of this
            // checkpoint by this key.
            NoteCheck::Fails | NoteCheck::OtherKey => Checkpoint::Fails,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::PublicKey;

    fn check_body(
        body: &[u8],
        signatures: &[ManifestSignature],
        trusted: &[PublicKey],
    ) -> SignatureReport {
        let message = signed_message(body);
        let signed = Signed {
            message: &message,
            checkpoint: None,
        };
        check(&signed, signatures, &Keyring::of(trusted.iter().cloned()))
    }

    #[test]
    fn a_signature_covers_every_byte_of_the_body() {
        let key = SecretKey::generate("t").unwrap();
        let body = b"format_version = 1\n".to_vec();
        let sig = sign(&key, &body);
        let trusted = [key.public()];
        assert_eq!(
            check_body(&body, std::slice::from_ref(&sig), &trusted).status,
            SignatureStatus::Valid
        );
        let mut changed = body.clone();
        changed[0] ^= 1;
        assert_eq!(
            check_body(&changed, std::slice::from_ref(&sig), &trusted).status,
            SignatureStatus::Invalid
        );
        let mut appended = body;
        appended.push(b'\n');
        assert_eq!(
            check_body(&appended, &[sig], &trusted).status,
            SignatureStatus::Invalid
        );
    }

    #[test]
    fn one_key_signing_twice_counts_as_one_signer() {
        let key = SecretKey::generate("k").unwrap();
        let sig = sign(&key, b"x");
        let report = check_body(b"x", &[sig.clone(), sig.clone()], &[key.public()]);
        assert_eq!(report.status, SignatureStatus::Valid);
        assert_eq!(report.signers.len(), 1);
        assert_eq!(report.signatures.len(), 2);
        // A failing copy makes that key's verdict invalid, never a signer and a failure at once.
        let mut garbage = sig.clone();
        garbage.bytes[40] ^= 1;
        let report = check_body(b"x", &[sig, garbage], &[key.public()]);
        assert_eq!(report.status, SignatureStatus::Invalid);
        assert!(report.signers.is_empty());
        assert_eq!(report.invalid.len(), 1);
        let statuses: Vec<KeyStatus> = report.signatures.iter().map(|s| s.status).collect();
        assert_eq!(statuses, [KeyStatus::Valid, KeyStatus::Invalid]);
    }

    #[test]
    fn signatures_by_unknown_keys_are_untrusted_and_no_signature_is_unsigned() {
        let key = SecretKey::generate("a").unwrap();
        let other = SecretKey::generate("b").unwrap();
        let sig = sign(&key, b"x");
        let report = check_body(b"x", &[sig], &[other.public()]);
        assert_eq!(report.status, SignatureStatus::Untrusted);
        assert_eq!(report.signatures[0].status, KeyStatus::Untrusted);
        assert_eq!(report.signatures[0].name, None);
        assert_eq!(
            check_body(b"x", &[], &[other.public()]).status,
            SignatureStatus::Unsigned
        );
    }

    #[test]
    fn a_trusted_key_is_a_signer_of_a_version_2_manifest_only_when_its_checkpoint_verifies_too() {
        let key = SecretKey::generate("k").unwrap();
        let message = signed_message(b"x");
        let signed = Signed {
            message: &message,
            checkpoint: Some("docseal/c/1\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"),
        };
        let trusted = Keyring::of([key.public()]);
        let both = sign_both(&key, &signed);
        let report = check(&signed, std::slice::from_ref(&both), &trusted);
        assert_eq!(report.status, SignatureStatus::Valid);
        assert_eq!(report.checkpoint.status, CheckpointStatus::Valid);
        let mut missing = both.clone();
        missing.checkpoint = None;
        let report = check(&signed, &[missing], &trusted);
        assert_eq!(report.status, SignatureStatus::CheckpointInvalid);
        assert_eq!(report.checkpoint.missing.len(), 1);
        assert!(report.signers.is_empty());
        let mut bad = both.clone();
        bad.checkpoint.as_mut().unwrap().0[10] ^= 1;
        let report = check(&signed, &[bad], &trusted);
        assert_eq!(report.status, SignatureStatus::CheckpointInvalid);
        assert_eq!(report.checkpoint.invalid.len(), 1);
        // A body that fails is invalid whatever the checkpoint says.
        let mut body = both;
        body.bytes[3] ^= 1;
        assert_eq!(
            check(&signed, &[body], &trusted).status,
            SignatureStatus::Invalid
        );
        // Version 1: no checkpoint expected.
        let v1 = Signed {
            message: &message,
            checkpoint: None,
        };
        let report = check(&v1, &[sign_message(&key, &message)], &trusted);
        assert_eq!(report.status, SignatureStatus::Valid);
        assert_eq!(report.checkpoint.status, CheckpointStatus::None);
    }
}
