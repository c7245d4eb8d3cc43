//! Revocations: a statement, signed by a key itself (as an OpenPGP revocation certificate is),
//! that the key must no longer be believed — made by `docseal revoke`, written atomically to
//! `keys/NAME.revoked`, and read back strictly. The signed message has its own prefix
//! ([`REVOCATION_PREFIX`]), so that a revocation's signature can never be taken for a manifest
//! signature, nor a manifest signature for a revocation (`docs/manifest-format.md` §8.1). Whether
//! a revocation applies to a run is the keyring's business (`keyring.rs`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{KeyId, PublicKey, SecretKey, SecretKeySource};
use crate::digest::{from_hex, to_hex};
use crate::error::{Error, Result};
use crate::fsio::{self, Access};
use crate::provenance::Timestamp;

/// Prefix of every signed revocation message.
pub const REVOCATION_PREFIX: &[u8] = b"docseal-revocation-v1\n";
/// The `type` of a revocation file.
pub const REVOCATION_TYPE: &str = "docseal-revocation";
/// The revocation file format version this docseal reads and writes.
pub const REVOCATION_FORMAT_VERSION: i64 = 1;
/// The longest reason, in bytes.
pub const REASON_MAX: usize = 1024;

/// A revocation of one key, whose signature by that key has been checked (or that was just made).
#[derive(Clone, Debug)]
pub struct Revocation {
    key: PublicKey,
    revoked: Timestamp,
    reason: Option<String>,
    signature: [u8; 64],
}

/// The file, as written: one strict struct.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevocationFile {
    #[serde(rename = "type")]
    kind: String,
    format_version: i64,
    key_id: String,
    algorithm: String,
    public_key: String,
    revoked: String,
    reason: Option<String>,
    signature: String,
}

/// The exact bytes a revocation's signature covers: [`REVOCATION_PREFIX`], the 32 bytes of the
/// public key, then `u32be(len) ‖ bytes` of the canonical revocation time, then `0x00` when there
/// is no reason or `0x01 ‖ u32be(len) ‖ bytes` of the reason (UTF-8).
pub fn signed_message(public_key: &[u8; 32], revoked: &Timestamp, reason: Option<&str>) -> Vec<u8> {
    let time = revoked.to_string();
    let mut msg = Vec::with_capacity(REVOCATION_PREFIX.len() + 32 + 9 + time.len() + 1);
    msg.extend_from_slice(REVOCATION_PREFIX);
    msg.extend_from_slice(public_key);
    push_field(&mut msg, &time);
    match reason {
        None => msg.push(0),
        Some(reason) => {
            msg.push(1);
            push_field(&mut msg, reason);
        }
    }
    msg
}

fn push_field(msg: &mut Vec<u8>, value: &str) {
    // Bounded by REASON_MAX and a time's length, so the length always fits.
    let len = u32::try_from(value.len()).unwrap_or(u32::MAX);
    msg.extend_from_slice(&len.to_be_bytes());
    msg.extend_from_slice(value.as_bytes());
}

/// Checks a reason: 1 to [`REASON_MAX`] bytes, no control characters (one line).
pub fn check_reason(reason: &str) -> std::result::Result<(), String> {
    if reason.is_empty() || reason.len() > REASON_MAX {
        return Err(format!(
            "a revocation reason is 1 to {REASON_MAX} bytes, and this one is {}",
            reason.len()
        ));
    }
    if reason.chars().any(char::is_control) {
        return Err("a revocation reason is one line without control characters".into());
    }
    Ok(())
}

impl Revocation {
    /// Revokes `key` as of `revoked`, signed by the key itself.
    pub fn make(key: &SecretKey, revoked: Timestamp, reason: Option<String>) -> Result<Self> {
        if let Some(reason) = &reason {
            check_reason(reason).map_err(|m| Error::Usage(format!("--reason: {m}")))?;
        }
        let public = key.public();
        let message = signed_message(public.as_bytes(), &revoked, reason.as_deref());
        Ok(Revocation {
            signature: key.sign(&message),
            key: public,
            revoked,
            reason,
        })
    }

    /// The ID of the key it revokes.
    pub fn key_id(&self) -> KeyId {
        self.key.id()
    }

    /// The key it revokes.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// When the key was revoked (a claim of its holder; nothing is decided by it).
    pub fn revoked(&self) -> Timestamp {
        self.revoked
    }

    /// Why, if a reason was given.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// A revocation from the text of its file (`path` is for messages): strictly parsed, the key
    /// canonical and matching its key ID, the time canonical, the reason one line, and the
    /// signature verifying strictly under the key it revokes. The keyring reads the file (an
    /// error when it cannot) and turns an error here into a warning.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let file: RevocationFile = toml::from_str(text).map_err(|e| {
            let mut err = Error::from_toml(path, text, &e);
            if let Error::Parse { message, .. } | Error::Invalid { message, .. } = &mut err {
                message.push_str("; this is not a docseal revocation");
            }
            err
        })?;
        let bad = |why: String| Error::invalid(path, why);
        if file.kind != REVOCATION_TYPE {
            return Err(bad(format!(
                "not a docseal revocation (type \"{}\", expected \"{REVOCATION_TYPE}\")",
                file.kind.escape_debug()
            )));
        }
        if file.format_version != REVOCATION_FORMAT_VERSION {
            return Err(bad(format!(
                "unsupported revocation format version {}; this docseal reads version {REVOCATION_FORMAT_VERSION}",
                file.format_version
            )));
        }
        if file.algorithm != "ed25519" {
            return Err(bad(format!(
                "unsupported key algorithm \"{}\"; docseal keys are \"ed25519\"",
                file.algorithm.escape_debug()
            )));
        }
        let bytes = from_hex::<32>(&file.public_key)
            .ok_or_else(|| bad("public_key is not 64 lower-case hex digits".into()))?;
        let key = PublicKey::from_bytes("revoked", &bytes)
            .map_err(|problem| bad(format!("public_key {problem}")))?;
        if file.key_id != key.id().to_string() {
            return Err(bad(format!(
                "key_id {} does not match the public key (whose ID is {})",
                file.key_id.escape_debug(),
                key.id()
            )));
        }
        let revoked = Timestamp::parse_canonical(&file.revoked).map_err(bad)?;
        if let Some(reason) = &file.reason {
            check_reason(reason).map_err(bad)?;
        }
        let signature = from_hex::<64>(&file.signature)
            .ok_or_else(|| bad("signature is not 128 lower-case hex digits".into()))?;
        let message = signed_message(key.as_bytes(), &revoked, file.reason.as_deref());
        if !key.verifies(&message, &signature) {
            return Err(bad(format!(
                "its signature does not verify under the key it revokes (key {}): forged, or changed after it was made",
                key.id()
            )));
        }
        Ok(Revocation {
            key,
            revoked,
            reason: file.reason,
            signature,
        })
    }

    /// The text of the revocation file; `name` (the key's name) goes only into the comment.
    pub fn to_file_text(&self, name: &str) -> String {
        let mut out = format!(
            "# docseal revocation of key \"{name}\" ({id}). Put it beside the key's .pub file in the\n\
             # trusted keys folder and commit it: docseal then rejects every signature by this key.\n\
             type = \"{REVOCATION_TYPE}\"\nformat_version = {REVOCATION_FORMAT_VERSION}\n\
             key_id = \"{id}\"\nalgorithm = \"ed25519\"\npublic_key = \"{key}\"\nrevoked = \"{time}\"\n",
            id = self.key.id(),
            key = to_hex(self.key.as_bytes()),
            time = self.revoked,
        );
        if let Some(reason) = &self.reason {
            // One line without control characters: only `\` and `"` need escaping.
            let quoted = reason.replace('\\', "\\\\").replace('"', "\\\"");
            out.push_str(&format!("reason = \"{quoted}\"\n"));
        }
        out.push_str(&format!("signature = \"{}\"\n", to_hex(&self.signature)));
        out
    }
}

/// What `revoke` makes and where.
#[derive(Clone, Debug)]
pub struct RevokeOptions {
    /// The secret key of the key to revoke and its passphrase (loaded as `seal` loads its key).
    pub key: SecretKeySource,
    /// Why (optional, one line).
    pub reason: Option<String>,
    /// Where the revocation goes [default: [`default_revocation_path`] of the key's name].
    pub output: Option<PathBuf>,
    /// Overwrite an existing file.
    pub force: bool,
}

/// What `revoke` made.
#[derive(Clone, Debug)]
pub struct RevokedKey {
    /// The revoked key's ID.
    pub id: KeyId,
    /// Its name.
    pub name: String,
    /// Where the revocation was written.
    pub path: PathBuf,
    /// The revocation time recorded.
    pub revoked: Timestamp,
}

/// Where `revoke` writes by default: `keys/NAME.revoked`, beside `keys/NAME.pub`.
pub fn default_revocation_path(name: &str) -> PathBuf {
    PathBuf::from("keys").join(format!("{name}.revoked"))
}

/// Loads the secret key `opts.key`, makes a revocation of it signed by it, and writes it
/// atomically (never over an existing file unless `force`).
pub fn revoke(opts: &RevokeOptions) -> Result<RevokedKey> {
    let key = opts.key.load()?;
    let output = opts
        .output
        .clone()
        .unwrap_or_else(|| default_revocation_path(key.name()));
    if !opts.force && std::fs::symlink_metadata(&output).is_ok() {
        return Err(Error::Exists {
            path: output,
            what: "revocation",
        });
    }
    let revocation = Revocation::make(&key, Timestamp::now(), opts.reason.clone())?;
    fsio::write_atomic(
        &output,
        revocation.to_file_text(key.name()).as_bytes(),
        Access::Public,
        opts.force,
        "revocation",
    )?;
    Ok(RevokedKey {
        id: revocation.key_id(),
        name: key.name().to_string(),
        path: output,
        revoked: revocation.revoked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn made(reason: Option<&str>) -> (SecretKey, String) {
        let key = SecretKey::generate("k").unwrap();
        let r = Revocation::make(&key, Timestamp::now(), reason.map(String::from)).unwrap();
        let text = r.to_file_text("k");
        (key, text)
    }

    #[test]
    fn a_revocation_reads_back_and_covers_its_reason() {
        let (key, text) = made(Some("laptop \"lost\" \\ stolen"));
        let r = Revocation::parse(Path::new("k.revoked"), &text).unwrap();
        assert_eq!(r.key_id(), key.id());
        assert_eq!(r.reason(), Some("laptop \"lost\" \\ stolen"));
        let changed = text.replace("stolen", "stolem");
        let err = Revocation::parse(Path::new("k.revoked"), &changed).unwrap_err();
        assert!(err.to_string().contains("does not verify"), "{err}");
        let (_, plain) = made(None);
        assert!(Revocation::parse(Path::new("k.revoked"), &plain).is_ok());
    }

    #[test]
    fn a_revocation_signed_by_another_key_is_refused() {
        let (_, text) = made(None);
        let victim = SecretKey::generate("v").unwrap().public();
        let mut forged = String::new();
        for line in text.lines() {
            let line = if line.starts_with("key_id") {
                format!("key_id = \"{}\"", victim.id())
            } else if line.starts_with("public_key") {
                format!("public_key = \"{}\"", to_hex(victim.as_bytes()))
            } else {
                line.to_string()
            };
            forged.push_str(&line);
            forged.push('\n');
        }
        let err = Revocation::parse(Path::new("v.revoked"), &forged).unwrap_err();
        assert!(err.to_string().contains("does not verify"), "{err}");
    }

    #[test]
    fn the_signed_message_can_never_be_a_manifest_message() {
        let key = SecretKey::generate("k").unwrap();
        let m = signed_message(key.public().as_bytes(), &Timestamp::now(), None);
        assert!(m.starts_with(REVOCATION_PREFIX));
        assert!(!m.starts_with(super::super::signature::SIGNED_PREFIX));
        assert!(check_reason("two\nlines").is_err());
        assert!(check_reason("").is_err());
        assert!(check_reason(&"x".repeat(REASON_MAX + 1)).is_err());
    }
}
