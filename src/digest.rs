//! SHA-256 digests: the [`Sha256Digest`] value type (lower-case hex in every text format,
//! compared in constant time), [`Fixity`] (a size and a digest), and the hex codec every text
//! format of docseal uses. Hashing files is the collection's work (`collection/hashing.rs`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// A SHA-256 digest. Displayed and parsed as exactly 64 lower-case hexadecimal digits.
#[derive(Clone, Copy, Eq, PartialOrd, Ord)]
pub struct Sha256Digest([u8; 32]);

impl Sha256Digest {
    /// Wraps raw digest bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Sha256Digest(bytes)
    }

    /// The raw digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The digest of `data`.
    pub fn of(data: &[u8]) -> Self {
        Sha256Digest(Sha256::digest(data).into())
    }

    /// The digest as 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
}

impl PartialEq for Sha256Digest {
    /// Constant-time comparison: the time taken does not depend on where the digests differ.
    fn eq(&self, other: &Self) -> bool {
        self.0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Digest({})", self.to_hex())
    }
}

impl FromStr for Sha256Digest {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = from_hex::<32>(s).ok_or_else(|| {
            format!("invalid SHA-256 digest \"{s}\"; expected 64 lower-case hex digits")
        })?;
        Ok(Sha256Digest(bytes))
    }
}

impl Serialize for Sha256Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Sha256Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A size and digest pair: what docseal measures of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixity {
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 digest.
    pub digest: Sha256Digest,
}

/// Lower-case hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// The value of each lower-case hex digit, and 0xFF for every other byte.
const HEX_VALUES: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// Parses exactly `N` bytes of lower-case hex; `None` for anything else. (Branch-free over the
/// digits: a manifest of 10⁶ entries holds 64 million of them.)
pub fn from_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    decode_hex_into(s, &mut out).then_some(out)
}

/// Decodes exactly `out.len() * 2` lower-case hex digits into `out`, in place (so that a secret
/// is decoded straight into a buffer that will be wiped); false when `s` is anything else, and
/// then `out` holds nothing of use.
#[inline]
pub fn decode_hex_into(s: &str, out: &mut [u8]) -> bool {
    let s = s.as_bytes();
    if s.len() != out.len() * 2 {
        return false;
    }
    let mut invalid = 0u8;
    for (byte, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        let (high, low) = (
            HEX_VALUES[usize::from(pair[0])],
            HEX_VALUES[usize::from(pair[1])],
        );
        invalid |= high | low;
        *byte = (high << 4) | (low & 0x0f);
    }
    invalid & 0xF0 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_of_empty_input_is_the_known_value() {
        assert_eq!(
            Sha256Digest::of(b"").to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn hex_parsing_rejects_upper_case_and_wrong_lengths() {
        let hex = "fd038300b6fc5309036ccd57625842cab563e7b1ca168c352719553ba770868e";
        assert_eq!(hex.parse::<Sha256Digest>().unwrap().to_hex(), hex);
        assert!(hex.to_uppercase().parse::<Sha256Digest>().is_err());
        assert!(hex[..62].parse::<Sha256Digest>().is_err());
        assert!(format!("{hex}00").parse::<Sha256Digest>().is_err());
        assert!(from_hex::<1>("g0").is_none());
        // Every byte that is not a lower-case hex digit is refused, in either place of a pair.
        for b in 0..=255u8 {
            let valid = b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
            for pair in [[b, b'0'], [b'0', b]] {
                if let Ok(s) = std::str::from_utf8(&pair) {
                    assert_eq!(from_hex::<1>(s).is_some(), valid, "{pair:?}");
                }
            }
        }
        assert_eq!(from_hex::<2>("0fa9"), Some([0x0f, 0xa9]));
    }

    #[test]
    fn digests_differing_in_one_bit_are_unequal() {
        let a = Sha256Digest::from_bytes([0; 32]);
        let mut bytes = [0; 32];
        bytes[31] = 1;
        assert_ne!(a, Sha256Digest::from_bytes(bytes));
    }
}
