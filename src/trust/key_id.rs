//! [`KeyId`]: the short, stable name of a public key — the first 8 bytes of the SHA-256 of its 32
//! raw bytes, written as 16 lower-case hex digits — by which manifests, reports and people refer
//! to a key.

use std::fmt;

use ed25519_dalek::VerifyingKey;

use crate::digest::{Sha256Digest, from_hex, to_hex};

/// A short, stable fingerprint of a public key: the first 8 bytes of the SHA-256 of the 32 raw
/// public key bytes, written as 16 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId([u8; 8]);

impl KeyId {
    /// The key ID of a public key.
    pub fn of(key: &VerifyingKey) -> Self {
        let d = Sha256Digest::of(key.as_bytes());
        let mut id = [0u8; 8];
        id.copy_from_slice(&d.as_bytes()[..8]);
        KeyId(id)
    }

    /// Parses 16 lower-case hex digits.
    pub fn parse(s: &str) -> Result<Self, String> {
        from_hex::<8>(s).map(KeyId).ok_or_else(|| {
            format!(
                "invalid key ID \"{}\"; expected 16 lower-case hex digits",
                s.escape_debug()
            )
        })
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl serde::Serialize for KeyId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for KeyId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        KeyId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_are_16_hex_digits_and_parse_back() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
        let id = KeyId::of(&key);
        let text = id.to_string();
        assert_eq!(text.len(), 16);
        assert_eq!(KeyId::parse(&text).unwrap(), id);
        assert!(KeyId::parse(&text.to_uppercase()).is_err());
        assert!(KeyId::parse(&text[..15]).is_err());
    }
}
