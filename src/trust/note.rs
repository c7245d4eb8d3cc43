//! C2SP signed notes (c2sp.org/signed-note), the format of docseal's checkpoints: a text ending
//! in a newline, a blank line, and signature lines `— <key name> base64(key hash ‖ signature)`.
//! Only Ed25519 (signature type 0x01) is made or checked; the key hash is
//! SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key)`[:4]`, and signatures are checked with the
//! same strict Ed25519 as a manifest's.
//!
//! Written here rather than taken from the `signed_note` crate: the format is a few lines, and
//! that crate pulls a second generation of ed25519-dalek and sha2 (it is a dev-dependency, to
//! check that what docseal writes verifies with an independent implementation).

use base64ct::{Base64, Encoding as _};
use sha2::{Digest as _, Sha256};

use super::signature::{SignatureStatus, Signer};
use super::{PublicKey, SecretKey};

/// The signature type byte of Ed25519 in signed notes.
pub const ED25519: u8 = 0x01;

/// What starts every signature line: an em dash (U+2014) and a space.
pub const SIGNATURE_DASH: &str = "\u{2014} ";

/// An Ed25519 note signature: the 4-byte key hash, then the 64-byte signature over the note text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoteSignature(pub [u8; 68]);

impl NoteSignature {
    /// The key hash the signature claims (`SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]`).
    pub fn key_hash(&self) -> [u8; 4] {
        let mut hash = [0; 4];
        hash.copy_from_slice(&self.0[..4]);
        hash
    }

    /// The Ed25519 signature.
    pub fn signature(&self) -> &[u8] {
        &self.0[4..]
    }

    /// The base64 (RFC 4648 §4, padded) of the 68 bytes, as a signature line holds it.
    pub fn to_base64(&self) -> String {
        Base64::encode_string(&self.0)
    }

    /// Reads the base64 of exactly 68 bytes (canonical padded base64 only).
    pub fn from_base64(text: &str) -> Option<Self> {
        let mut bytes = [0; 68];
        match Base64::decode(text, &mut bytes) {
            Ok(decoded) if decoded.len() == 68 => Some(NoteSignature(bytes)),
            _ => None,
        }
    }
}

/// True when `name` may be a key name: non-empty, no Unicode white space and no `+`.
pub fn is_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The key hash of `key` under `name`: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)`[:4]`.
pub fn key_hash(name: &str, key: &PublicKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ED25519]);
    h.update(key.as_bytes());
    let digest: [u8; 32] = h.finalize().into();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The verifier key (vkey) of `key` under `name`, as Go's `golang.org/x/mod/sumdb/note` and other
/// C2SP verifiers take it: `name+hex(key hash)+base64(0x01 ‖ public key)`.
pub fn verifier_key(name: &str, key: &PublicKey) -> String {
    let mut typed = [0; 33];
    typed[0] = ED25519;
    typed[1..].copy_from_slice(key.as_bytes());
    format!(
        "{name}+{}+{}",
        crate::digest::to_hex(&key_hash(name, key)),
        Base64::encode_string(&typed)
    )
}

/// Signs the note `text` (which ends in a newline) as key `name`.
pub fn sign(key: &SecretKey, name: &str, text: &str) -> NoteSignature {
    debug_assert!(is_key_name(name) && text.ends_with('\n'));
    let mut bytes = [0; 68];
    bytes[..4].copy_from_slice(&key_hash(name, &key.public()));
    bytes[4..].copy_from_slice(&key.sign(text.as_bytes()));
    NoteSignature(bytes)
}

/// What a note signature says of one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteCheck {
    /// It claims this key (its key hash matches) and verifies.
    Verified,
    /// It claims this key but does not verify: the text or the signature was changed.
    Fails,
    /// Its key hash is not this key's under the name: it claims another key, or another name.
    OtherKey,
}

/// Checks `sig` over the note `text` against `key` under `name`, strictly.
pub fn check(key: &PublicKey, name: &str, text: &str, sig: &NoteSignature) -> NoteCheck {
    if sig.key_hash() != key_hash(name, key) {
        NoteCheck::OtherKey
    } else if key.verifies(text.as_bytes(), sig.signature()) {
        NoteCheck::Verified
    } else {
        NoteCheck::Fails
    }
}

/// One signature line, newline included: `— <name> <base64>\n`.
pub fn signature_line(name: &str, sig: &NoteSignature) -> String {
    format!("{SIGNATURE_DASH}{name} {}\n", sig.to_base64())
}

/// A signature line of any signature type, read: its key name and the decoded bytes (a key hash
/// and a signature of any length).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureLine {
    /// The key name.
    pub name: String,
    /// The decoded bytes: 4 of key hash, then the signature.
    pub bytes: Vec<u8>,
}

impl SignatureLine {
    /// The Ed25519 signature the line holds, if it holds 68 bytes.
    pub fn ed25519(&self) -> Option<NoteSignature> {
        <[u8; 68]>::try_from(self.bytes.as_slice())
            .ok()
            .map(NoteSignature)
    }
}

/// Reads one signature line (without its newline), or says what is wrong with it.
pub fn parse_signature_line(line: &str) -> Result<SignatureLine, String> {
    let rest = line
        .strip_prefix(SIGNATURE_DASH)
        .ok_or("a signature line starts with an em dash (U+2014) and a space")?;
    let (name, b64) = rest
        .split_once(' ')
        .ok_or("a signature line is \"— <key name> <base64 signature>\"")?;
    if !is_key_name(name) {
        return Err(format!(
            "key name \"{}\" is empty or holds a space or \"+\"",
            name.escape_debug()
        ));
    }
    let bytes = Base64::decode_vec(b64)
        .map_err(|_| "the signature is not canonical padded base64".to_string())?;
    if bytes.len() < 5 {
        return Err("the signature is shorter than a key hash and a signature".to_string());
    }
    Ok(SignatureLine {
        name: name.to_string(),
        bytes,
    })
}

/// The verdict on a signed note's signatures under the trusted keys, as c2sp.org/signed-note
/// says: a line under another key name, or whose key hash is no trusted key's under the note's
/// origin, is ignored; a line of a trusted key must verify.
#[derive(Clone, Debug)]
pub struct NoteVerdict {
    /// `valid` (a trusted key's signature verifies and none fails), `invalid` (a trusted key's
    /// fails), `untrusted` (none is by a trusted key) or `unsigned` (no signature line).
    pub status: SignatureStatus,
    /// Trusted keys whose signature verified.
    pub signers: Vec<Signer>,
    /// Trusted keys whose signature did not verify.
    pub invalid: Vec<Signer>,
    /// Lines by other keys or under other names, ignored.
    pub ignored: usize,
}

/// Checks the signature `lines` of the note `text` against `trusted`, under the key name `name`
/// (for a checkpoint, its origin line), strictly; each key counted once.
pub fn verdict(
    name: &str,
    text: &str,
    lines: &[SignatureLine],
    trusted: &[PublicKey],
) -> NoteVerdict {
    let mut by_key: Vec<(&PublicKey, bool)> = Vec::new();
    let mut ignored = 0;
    for line in lines {
        let key = (line.name == name)
            .then(|| {
                trusted
                    .iter()
                    .find(|k| line.bytes[..4] == key_hash(name, k))
            })
            .flatten();
        let Some(key) = key else {
            ignored += 1;
            continue;
        };
        let ok = line
            .ed25519()
            .is_some_and(|sig| check(key, name, text, &sig) == NoteCheck::Verified);
        match by_key
            .iter_mut()
            .find(|(k, _)| k.as_bytes() == key.as_bytes())
        {
            Some((_, all_ok)) => *all_ok &= ok,
            None => by_key.push((key, ok)),
        }
    }
    let mut verdict = NoteVerdict {
        status: SignatureStatus::Unsigned,
        signers: Vec::new(),
        invalid: Vec::new(),
        ignored,
    };
    for (key, ok) in by_key {
        let signer = Signer {
            key_id: key.id(),
            name: key.name().to_string(),
        };
        match ok {
            true => verdict.signers.push(signer),
            false => verdict.invalid.push(signer),
        }
    }
    verdict.status = if lines.is_empty() {
        SignatureStatus::Unsigned
    } else if !verdict.invalid.is_empty() {
        SignatureStatus::Invalid
    } else if !verdict.signers.is_empty() {
        SignatureStatus::Valid
    } else {
        SignatureStatus::Untrusted
    };
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_example_note_verifies_with_its_vkey() {
        // c2sp.org/signed-note, "Verifier keys", Example.
        let vkey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
        let line = "\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=";
        let text = "This is an example message.\n";
        let parts: Vec<&str> = vkey.split('+').collect();
        let typed = Base64::decode_vec(parts[2]).unwrap();
        assert_eq!(typed[0], ED25519);
        let key = PublicKey::from_bytes("foo", typed[1..].try_into().unwrap()).unwrap();
        assert_eq!(verifier_key(parts[0], &key), vkey);
        let parsed = parse_signature_line(line).unwrap();
        assert_eq!(parsed.name, "example.com/foo");
        let sig = parsed.ed25519().unwrap();
        assert_eq!(check(&key, parts[0], text, &sig), NoteCheck::Verified);
        assert_eq!(
            check(&key, parts[0], "This is an example message!\n", &sig),
            NoteCheck::Fails
        );
        assert_eq!(
            check(&key, "example.com/bar", text, &sig),
            NoteCheck::OtherKey
        );
        assert_eq!(signature_line(&parsed.name, &sig), format!("{line}\n"));
    }

    #[test]
    fn what_docseal_signs_verifies_and_round_trips_through_base64() {
        let key = SecretKey::generate("k").unwrap();
        let sig = sign(&key, "docseal/c/1", "docseal/c/1\n3\nAAAA\n");
        assert_eq!(NoteSignature::from_base64(&sig.to_base64()), Some(sig));
        assert_eq!(
            check(&key.public(), "docseal/c/1", "docseal/c/1\n3\nAAAA\n", &sig),
            NoteCheck::Verified
        );
        assert_eq!(NoteSignature::from_base64("AAAA"), None);
        for bad in ["", "a b", "a+b", "a\u{a0}b"] {
            assert!(!is_key_name(bad), "{bad:?}");
        }
    }
}
