//! Manifest signatures: what exactly is signed (the domain-separation prefix followed by the
//! manifest body bytes), signing with a [`SecretKey`], and checking every signature of a manifest
//! against the trusted keys with Ed25519 *strict* verification into one [`SignatureReport`],
//! counting each key once.

use serde::{Deserialize, Serialize};

use super::{KeyId, PublicKey, SecretKey};

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
    /// At least one signature by a trusted key is valid and none by a trusted key is invalid.
    Valid,
    /// A signature claiming a trusted key does not verify: the body was changed after signing,
    /// or that signature is not genuine (the signature block itself is not signed).
    Invalid,
    /// The manifest is signed, but by no trusted key.
    Untrusted,
    /// The manifest has no signature at all.
    Unsigned,
}

/// A key whose signature on the manifest was checked and found valid.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// The key ID.
    pub key_id: KeyId,
    /// The name in the trusted public key file.
    pub name: String,
}

/// The result of checking all of a manifest's signatures.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureReport {
    /// The verdict.
    pub status: SignatureStatus,
    /// Trusted keys whose signatures are valid.
    pub signers: Vec<Signer>,
    /// Trusted keys whose signatures are invalid.
    pub invalid: Vec<Signer>,
    /// Key IDs of signatures by keys that are not trusted (not checked).
    pub untrusted: Vec<KeyId>,
}

impl SignatureReport {
    /// True when the signatures make the manifest trustworthy.
    pub fn is_valid(&self) -> bool {
        self.status == SignatureStatus::Valid
    }
}

/// Checks every signature against `trusted`, given the whole signed message ([`SIGNED_PREFIX`]
/// then the body, which a loaded manifest holds without a copy), with `verify_strict` (which
/// rejects non-canonical and small-order encodings that plain verification would accept).
pub fn check(
    message: &[u8],
    signatures: &[ManifestSignature],
    trusted: &[PublicKey],
) -> SignatureReport {
    let mut report = SignatureReport {
        status: SignatureStatus::Unsigned,
        signers: Vec::new(),
        invalid: Vec::new(),
        untrusted: Vec::new(),
    };
    // Counted per distinct key, by its point (its canonical bytes): a signature block pasted
    // twice is one signer, not two, and a key with any signature that fails is not a signer.
    // (A manifest that repeats a key ID is refused when it is read, and a trust store holding
    // one key twice when it is loaded; this holds either way.)
    let mut by_key: Vec<(&PublicKey, bool)> = Vec::new();
    for sig in signatures {
        let Some(key) = trusted.iter().find(|k| k.id() == sig.key_id) else {
            if !report.untrusted.contains(&sig.key_id) {
                report.untrusted.push(sig.key_id);
            }
            continue;
        };
        let ok = key.verifies(message, &sig.bytes);
        match by_key
            .iter_mut()
            .find(|(k, _)| k.as_bytes() == key.as_bytes())
        {
            Some((_, all_ok)) => *all_ok &= ok,
            None => by_key.push((key, ok)),
        }
    }
    for (key, ok) in by_key {
        let signer = Signer {
            key_id: key.id(),
            name: key.name().to_string(),
        };
        if ok {
            report.signers.push(signer);
        } else {
            report.invalid.push(signer);
        }
    }
    report.status = if signatures.is_empty() {
        SignatureStatus::Unsigned
    } else if !report.invalid.is_empty() {
        SignatureStatus::Invalid
    } else if !report.signers.is_empty() {
        SignatureStatus::Valid
    } else {
        SignatureStatus::Untrusted
    };
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_body(
        body: &[u8],
        signatures: &[ManifestSignature],
        trusted: &[PublicKey],
    ) -> SignatureReport {
        check(&signed_message(body), signatures, trusted)
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
        // A failing copy makes that key's verdict invalid, never a signer and a failure at once.
        let mut garbage = sig.clone();
        garbage.bytes[40] ^= 1;
        let report = check_body(b"x", &[sig, garbage], &[key.public()]);
        assert_eq!(report.status, SignatureStatus::Invalid);
        assert!(report.signers.is_empty());
        assert_eq!(report.invalid.len(), 1);
    }

    #[test]
    fn signatures_by_unknown_keys_are_untrusted_and_no_signature_is_unsigned() {
        let key = SecretKey::generate("a").unwrap();
        let other = SecretKey::generate("b").unwrap();
        let sig = sign(&key, b"x");
        assert_eq!(
            check_body(b"x", &[sig], &[other.public()]).status,
            SignatureStatus::Untrusted
        );
        assert_eq!(
            check_body(b"x", &[], &[other.public()]).status,
            SignatureStatus::Unsigned
        );
    }
}
