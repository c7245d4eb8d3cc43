//! Who signed a manifest and whether we believe them: key IDs, public and secret key files (one
//! strict struct per kind), making a key pair, the set of trusted keys and the revocations among
//! them, the signatures — exactly which bytes they cover, and the verdict on all of a manifest's
//! signatures together — and what a run requires of the signers (a threshold, pinned signers, the
//! collection's name), applied in one place ([`Trust::check`]) by every command that checks one.
//!
//! A public key is accepted only as the canonical encoding of a point that is not of small order,
//! so one key has one key ID, and a trust store holds each key through one file. Secret key files
//! are written `0600` by this area, encrypted with a passphrase unless asked not to
//! (`encrypted_key`: Argon2id and XChaCha20-Poly1305); reading one (`secret_file`) opens it once,
//! checks what was opened, refuses it when other users can read it, and wipes the text, the
//! passphrase and the seed after use.
//! Nothing here reads a collection or formats a report.

mod encrypted_key;
pub mod history;
mod key_file;
mod key_id;
mod key_pair;
mod key_source;
mod keyring;
pub mod note;
mod passphrase;
mod passwd;
mod policy;
mod public_key;
mod revocation;
mod secret_file;
mod secret_key;
pub mod signature;

pub use encrypted_key::{DEFAULT_KDF, ENCRYPTED_KEY_FORMAT_VERSION, KdfParams, MAX_KDF};
pub use key_file::{KEY_FORMAT_VERSION, PUBLIC_TYPE, SECRET_TYPE};
pub use key_id::KeyId;
pub use key_pair::{GeneratedKey, KeygenOptions, keygen, keygen_options};
pub use key_source::{KeyLocation, SecretKeySource};
pub use keyring::{Keyring, TrustedKey};
pub use passphrase::{Ask, MAX_PASSPHRASE_FILE, Passphrase, PassphraseSource};
pub use passwd::{PasswdDone, PasswdOptions, change_passphrase};
pub use policy::{Policy, Trust, TrustOptions};
pub use public_key::{KeyRejection, PublicKey};
pub use revocation::{
    REVOCATION_PREFIX, Revocation, RevokeOptions, RevokedKey, default_revocation_path, revoke,
};
pub use secret_file::MAX_KEY_FILE;
pub use secret_key::{SecretKey, default_secret_path};

/// Checks that a key name is usable as a file name: 1–64 of `A–Z a–z 0–9 . _ -`, not starting
/// with `.` or `-`.
pub fn validate_key_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with(['.', '-'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid key name \"{}\"; use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.' or '-'",
            name.escape_debug()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_that_are_not_plain_file_names_are_refused() {
        for bad in ["", "../x", "a/b", ".hidden", "-rf", "a b"] {
            assert!(validate_key_name(bad).is_err(), "{bad:?}");
        }
        assert!(validate_key_name("archive-2026.v1").is_ok());
    }
}
