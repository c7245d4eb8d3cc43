//! Manifest signatures: what exactly is signed (the domain-separation prefix followed by the
//! manifest body bytes), signing with a [`SecretKey`], and checking every signature of a manifest
//! against the trusted keys ([`Keyring`]) with Ed25519 *strict* verification into one
//! [`SignatureReport`]: a verdict per signature (valid, invalid, untrusted, revoked) and one on
//! them all, counting each key once. What is *required* of the signers (a threshold, pinned
//! signers, the collection's name) is `policy.rs`'s, applied on top of this verdict.

use serde::{Deserialize, Serialize};

use super::{KeyId, Keyring, SecretKey};

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
    }
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
        }
    }
}

/// Checks every signature against the trusted keys, given the whole signed message
/// ([`SIGNED_PREFIX`] then the body, which a loaded manifest holds without a copy), with
/// `verify_strict` (which rejects non-canonical and small-order encodings that plain
/// verification would accept). A signature by a revoked key is rejected without being counted.
/// The verdict is one of valid, invalid, revoked, untrusted or unsigned; what was required of
/// the signers is applied afterwards (`Trust::check`).
pub fn check(
    message: &[u8],
    signatures: &[ManifestSignature],
    keyring: &Keyring,
) -> SignatureReport {
    let mut report = SignatureReport::empty(SignatureStatus::Unsigned);
    // Counted per distinct key, by its point (its canonical bytes): a signature block pasted
    // twice is one signer, not two, and a key with any signature that fails is not a signer.
    // (A manifest that repeats a key ID is refused when it is read, and a trust store holding
    // one key twice when it is loaded; this holds either way.)
    let mut by_key: Vec<(&super::TrustedKey, KeyStatus)> = Vec::new();
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
            None if trusted.key.verifies(message, &sig.bytes) => KeyStatus::Valid,
            None => KeyStatus::Invalid,
        };
        report.signatures.push(SignatureEntry {
            key_id: sig.key_id,
            name: Some(trusted.key.name().to_string()),
            key_file: Some(trusted.file.display().to_string()),
            status,
            revocation: revocation.map(|p| p.display().to_string()),
        });
        match by_key
            .iter_mut()
            .find(|(k, _)| k.key.as_bytes() == trusted.key.as_bytes())
        {
            Some((_, verdict)) if *verdict == KeyStatus::Valid => *verdict = status,
            Some(_) => {}
            None => by_key.push((trusted, status)),
        }
    }
    for (trusted, status) in by_key {
        let signer = Signer {
            key_id: trusted.key.id(),
            name: trusted.key.name().to_string(),
        };
        match status {
            KeyStatus::Valid => report.signers.push(signer),
            KeyStatus::Invalid => report.invalid.push(signer),
            KeyStatus::Revoked => report.revoked.push(signer),
            KeyStatus::Untrusted => {}
        }
    }
    report.status = if signatures.is_empty() {
        SignatureStatus::Unsigned
    } else if !report.invalid.is_empty() {
        SignatureStatus::Invalid
    } else if !report.signers.is_empty() {
        SignatureStatus::Valid
    } else if !report.revoked.is_empty() {
        SignatureStatus::Revoked
    } else {
        SignatureStatus::Untrusted
    };
    report.warnings = keyring.warnings().to_vec();
    report
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
        check(
            &signed_message(body),
            signatures,
            &Keyring::of(trusted.iter().cloned()),
        )
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
}
