//! [`PublicKey`]: an Ed25519 key that checks signatures, read from a `.pub` file (meant to be
//! committed, so that anyone can check what the key signs) and written back in the same form.
//! Only the canonical encoding of a point that is not of small order is a key, however it comes
//! in ([`PublicKey::from_bytes`] makes the same checks on raw bytes), and [`PublicKey::verifies`]
//! is the one signature check every manifest signature goes through.

use std::fmt;
use std::path::Path;

use ed25519_dalek::VerifyingKey;

use super::KeyId;
use super::key_file::{self, KEY_FORMAT_VERSION, KeyFile, PUBLIC_TYPE, Wanted, corrupt};
use crate::digest::{from_hex, to_hex};
use crate::error::{Error, Result};
use crate::fsio;

/// Why 32 bytes are not accepted as a public key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRejection {
    /// They do not decode to a point on the curve.
    NotAPoint,
    /// They decode, but are not the canonical encoding of their point (y ≥ p, or a sign bit set
    /// on x = 0).
    NonCanonical,
    /// The point has small order (a weak key).
    SmallOrder,
}

impl fmt::Display for KeyRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyRejection::NotAPoint => "is not a valid Ed25519 point",
            KeyRejection::NonCanonical => {
                "is not the canonical encoding of its Ed25519 point (RFC 8032 section 5.1.3)"
            }
            KeyRejection::SmallOrder => "is a weak (small-order) Ed25519 key",
        })
    }
}

/// A public key that can check signatures, with the name it was generated under.
#[derive(Clone, Debug)]
pub struct PublicKey {
    name: String,
    id: KeyId,
    key: VerifyingKey,
}

impl PublicKey {
    /// The public half of a key pair made here.
    pub(crate) fn new(name: &str, key: VerifyingKey) -> Self {
        PublicKey {
            name: name.to_string(),
            id: KeyId::of(&key),
            key,
        }
    }

    /// The name the key was generated under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The 32 bytes of the key: the canonical encoding of its point, so two keys are the same
    /// key exactly when these are equal.
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.key.as_bytes()
    }

    /// The Ed25519 verifying key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Loads and checks a public key file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = fsio::read_text(path, "public key file")?;
        Self::parse(path, &text)
    }

    /// A public key from the text of a key file that is already read (`path` is for messages),
    /// with every check [`PublicKey::load`] makes. For tests and fuzzing.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let file = match key_file::parse(path, text, Wanted::Public)? {
            KeyFile::Public(file) => file,
            KeyFile::Secret(_) | KeyFile::Encrypted(_) => {
                return Err(Error::invalid(
                    path,
                    "this is a secret key, not a public key; trust the matching .pub file instead (and keep this one private)",
                ));
            }
        };
        key_file::check_header(
            path,
            &file.kind,
            PUBLIC_TYPE,
            (file.format_version, KEY_FORMAT_VERSION),
            &file.algorithm,
            &file.name,
        )?;
        let bytes = from_hex::<32>(&file.public_key)
            .ok_or_else(|| corrupt(path, "public_key is not 64 lower-case hex digits"))?;
        let key = PublicKey::from_bytes(&file.name, &bytes)
            .map_err(|problem| corrupt(path, &format!("public_key {problem}")))?;
        let id = key.id;
        if file.key_id != id.to_string() {
            return Err(corrupt(
                path,
                &format!(
                    "key_id {} does not match the key (whose ID is {id})",
                    file.key_id
                ),
            ));
        }
        Ok(key)
    }

    /// A public key from its 32 raw bytes, with the checks that loading a key file makes: the
    /// bytes MUST be the canonical encoding of a point on the curve (RFC 8032 §5.1.3: decoding
    /// fails for y ≥ p, and for x = 0 with the sign bit set — so one point never has two key
    /// IDs), and the point MUST NOT have small order (a key that "verifies" almost anything).
    pub fn from_bytes(name: &str, bytes: &[u8; 32]) -> Result<Self, KeyRejection> {
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| KeyRejection::NotAPoint)?;
        // ed25519-dalek decodes y modulo p and keeps the bytes as given; compressing the decoded
        // point again gives the one canonical encoding.
        if key.to_edwards().compress().as_bytes() != bytes {
            return Err(KeyRejection::NonCanonical);
        }
        if key.is_weak() {
            return Err(KeyRejection::SmallOrder);
        }
        Ok(PublicKey::new(name, key))
    }

    /// True when `signature` is a valid Ed25519 signature (RFC 8032, checked strictly: `S` < L,
    /// canonical `R`, and neither `R` nor the key of small order) by this key over `message`.
    /// A signature that is not exactly 64 bytes is false. This is the check every manifest
    /// signature goes through.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <&[u8; 64]>::try_from(signature) else {
            return false;
        };
        let signature = ed25519_dalek::Signature::from_bytes(bytes);
        self.key.verify_strict(message, &signature).is_ok()
    }

    /// The text of a public key file for this key.
    pub fn to_file_text(&self) -> String {
        key_file::text(
            &format!(
                "docseal public key \"{}\". Commit this file: it lets anyone check what this key signs.",
                self.name
            ),
            PUBLIC_TYPE,
            &self.name,
            &self.id.to_string(),
            "public_key",
            &to_hex(self.key.as_bytes()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `y` (< 19) as 32 little-endian bytes, plus p = 2^255 - 19 when `plus_p`.
    fn y_bytes(y: u8, plus_p: bool) -> [u8; 32] {
        let mut b = [0u8; 32];
        b[0] = y;
        if plus_p {
            b = [0xff; 32];
            b[0] = 0xed + y;
            b[31] = 0x7f;
        }
        b
    }

    #[test]
    fn a_point_written_with_y_plus_p_is_refused_and_its_canonical_form_accepted() {
        assert_eq!(
            PublicKey::from_bytes("t", &y_bytes(3, true)).unwrap_err(),
            KeyRejection::NonCanonical
        );
        let canonical = PublicKey::from_bytes("t", &y_bytes(3, false)).unwrap();
        assert_eq!(canonical.as_bytes(), &y_bytes(3, false));
    }

    #[test]
    fn the_identity_and_other_small_order_points_are_refused() {
        // y = 1 is the identity; y = 0 a point of order 4.
        for y in [0, 1] {
            assert_eq!(
                PublicKey::from_bytes("t", &y_bytes(y, false)).unwrap_err(),
                KeyRejection::SmallOrder,
                "y = {y}"
            );
        }
        // x = 0 with the sign bit set ("negative zero") is not an encoding at all.
        let mut negative_zero = y_bytes(1, false);
        negative_zero[31] |= 0x80;
        assert!(PublicKey::from_bytes("t", &negative_zero).is_err());
    }

    #[test]
    fn a_signature_that_is_not_64_bytes_never_verifies() {
        let key = crate::trust::SecretKey::generate("t").unwrap();
        let sig = key.sign(b"m");
        let public = key.public();
        assert!(public.verifies(b"m", &sig));
        assert!(!public.verifies(b"m", &sig[..63]));
        assert!(!public.verifies(b"m", &[&sig[..], &[0]].concat()));
    }
}
