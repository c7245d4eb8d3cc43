//! A secret key protected by a passphrase (key file `format_version = 2`,
//! `docs/manifest-format.md` §8.2): the 32-byte seed encrypted with XChaCha20-Poly1305 under a
//! key derived from the passphrase by Argon2id with fixed parameters recorded in the file, the
//! associated data binding the file's type, version, name, key ID and KDF parameters.
//!
//! Argon2id (RFC 9106) rather than scrypt: it is the RFC's and OWASP's first choice for
//! passphrases, memory and time are two separate parameters, and its `id` variant resists both
//! GPU trade-off attacks and side channels. The parameters are fixed ([`DEFAULT_KDF`]), never tuned
//! to the machine, so a key made on a fast workstation opens on a slow CI runner; what a file may
//! ask for is bounded ([`MAX_KDF`]) and checked before any work, so a hostile key file cannot make
//! docseal allocate gigabytes. A `checksum` (SHA-256 of the authenticated and encrypted bytes)
//! tells a damaged file (truncated, a bit flipped) from a wrong passphrase, both of which would
//! otherwise be only a failed AEAD tag; it is no secret and guards nothing an attacker could not
//! recompute — the AEAD does that.

use std::path::Path;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::KeyId;
use super::key_file::{SECRET_TYPE, corrupt};
use super::passphrase::Passphrase;
use crate::digest::{Sha256Digest, decode_hex_into, to_hex};
use crate::error::{Error, Result};

/// The key-file format version of an encrypted secret key.
pub const ENCRYPTED_KEY_FORMAT_VERSION: i64 = 2;
/// The one KDF docseal uses.
pub const KDF: &str = "argon2id";
/// The one cipher docseal uses.
pub const CIPHER: &str = "xchacha20poly1305";

/// Argon2id's cost parameters, as a key file records them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB (1 KiB blocks).
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes (docseal computes them one after another).
    pub parallelism: u32,
}

/// What `keygen` and `passwd` write: 64 MiB, 3 passes, 1 lane (RFC 9106 §4's second
/// recommendation, with one lane), about 0.1–0.3 s on current hardware.
pub const DEFAULT_KDF: KdfParams = KdfParams {
    memory_kib: 64 * 1024,
    iterations: 3,
    parallelism: 1,
};

/// The most a key file may ask for: 256 MiB, 10 passes, 4 lanes. Beyond, the file is refused
/// before anything is derived.
pub const MAX_KDF: KdfParams = KdfParams {
    memory_kib: 256 * 1024,
    iterations: 10,
    parallelism: 4,
};

const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const SEED_LEN: usize = 32;
const TAG_LEN: usize = 16;

/// An encrypted secret key file (format version 2), every field required.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EncryptedKeyFile {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) format_version: i64,
    pub(crate) name: String,
    pub(crate) key_id: String,
    pub(crate) algorithm: String,
    kdf: String,
    kdf_memory_kib: i64,
    kdf_iterations: i64,
    kdf_parallelism: i64,
    cipher: String,
    kdf_salt: String,
    nonce: String,
    encrypted_secret_key: String,
    checksum: String,
}

/// The decoded binary fields of an encrypted key file whose checks passed.
pub(crate) struct Sealed {
    params: KdfParams,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
    ciphertext: [u8; SEED_LEN + TAG_LEN],
    associated: String,
}

/// The associated data: the file's lines from `type` to `cipher`, as docseal writes them.
fn associated_data(name: &str, key_id: &str, p: KdfParams) -> String {
    format!(
        "type = \"{SECRET_TYPE}\"\nformat_version = {ENCRYPTED_KEY_FORMAT_VERSION}\nname = \"{name}\"\n\
         key_id = \"{key_id}\"\nalgorithm = \"ed25519\"\nkdf = \"{KDF}\"\nkdf_memory_kib = {}\n\
         kdf_iterations = {}\nkdf_parallelism = {}\ncipher = \"{CIPHER}\"\n",
        p.memory_kib, p.iterations, p.parallelism
    )
}

/// SHA-256 of the associated data, the salt, the nonce and the ciphertext.
fn checksum(associated: &str, salt: &[u8], nonce: &[u8], ciphertext: &[u8]) -> Sha256Digest {
    let mut all =
        Vec::with_capacity(associated.len() + salt.len() + nonce.len() + ciphertext.len());
    all.extend_from_slice(associated.as_bytes());
    all.extend_from_slice(salt);
    all.extend_from_slice(nonce);
    all.extend_from_slice(ciphertext);
    Sha256Digest::of(&all)
}

/// The Argon2id key for XChaCha20-Poly1305.
fn derive(passphrase: &Passphrase, salt: &[u8], p: KdfParams) -> Result<Zeroizing<[u8; 32]>> {
    let params = argon2::Params::new(p.memory_kib, p.iterations, p.parallelism, Some(32))
        .map_err(|e| Error::Internal(format!("argon2 parameters: {e}")))?;
    let count = params.block_count();
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    // Our own memory, wiped when dropped: the crate's own allocation is freed unwiped, and the
    // blocks are enough to finish the derivation.
    let mut blocks = Zeroizing::new(vec![argon2::Block::new(); count]);
    argon
        .hash_password_into_with_memory(passphrase.as_bytes(), salt, &mut key[..], &mut blocks[..])
        .map_err(|e| Error::Internal(format!("argon2: {e}")))?;
    Ok(key)
}

fn cipher(key: &[u8; 32]) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&(*key).into())
}

/// The text of an encrypted key file for `seed`, under a fresh salt and nonce.
pub(crate) fn encrypt(
    comment: &str,
    name: &str,
    id: KeyId,
    seed: &[u8; SEED_LEN],
    passphrase: &Passphrase,
) -> Result<String> {
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut salt).map_err(|e| Error::Random(e.to_string()))?;
    getrandom::fill(&mut nonce).map_err(|e| Error::Random(e.to_string()))?;
    let params = DEFAULT_KDF;
    let id = id.to_string();
    let associated = associated_data(name, &id, params);
    let key = derive(passphrase, &salt, params)?;
    let mut ciphertext = [0u8; SEED_LEN + TAG_LEN];
    ciphertext[..SEED_LEN].copy_from_slice(seed);
    let tag = cipher(&key)
        .encrypt_inout_detached(
            &XNonce::from(nonce),
            associated.as_bytes(),
            (&mut ciphertext[..SEED_LEN]).into(),
        )
        .map_err(|_| Error::Internal("XChaCha20-Poly1305 encryption failed".to_string()))?;
    ciphertext[SEED_LEN..].copy_from_slice(&tag);
    let sum = checksum(&associated, &salt, &nonce, &ciphertext);
    Ok(format!(
        "# {comment}\n{associated}kdf_salt = \"{}\"\nnonce = \"{}\"\nencrypted_secret_key = \"{}\"\nchecksum = \"{}\"\n",
        to_hex(&salt),
        to_hex(&nonce),
        to_hex(&ciphertext),
        sum.to_hex()
    ))
}

/// A cost parameter within `1..=max`, else the file is refused.
fn param(path: &Path, field: &str, value: i64, max: u32) -> Result<u32> {
    if value < 1 || value > i64::from(max) {
        return Err(Error::invalid(
            path,
            format!(
                "{field} = {value} is outside what docseal accepts (1 to {max}); this key file was not made by docseal, or was altered: refused before deriving anything"
            ),
        ));
    }
    Ok(value as u32)
}

/// Checks everything that can be checked without the passphrase — algorithm names, cost
/// parameters against [`MAX_KDF`] (first, before any work), field lengths, the checksum — and
/// decodes the binary fields. The header fields were checked by the caller.
pub(crate) fn check(path: &Path, file: &EncryptedKeyFile) -> Result<Sealed> {
    if file.kdf != KDF {
        return Err(Error::invalid(
            path,
            format!(
                "unsupported key derivation \"{}\"; this docseal reads \"{KDF}\", upgrade docseal",
                file.kdf.escape_debug()
            ),
        ));
    }
    if file.cipher != CIPHER {
        return Err(Error::invalid(
            path,
            format!(
                "unsupported cipher \"{}\"; this docseal reads \"{CIPHER}\", upgrade docseal",
                file.cipher.escape_debug()
            ),
        ));
    }
    let params = KdfParams {
        memory_kib: param(
            path,
            "kdf_memory_kib",
            file.kdf_memory_kib,
            MAX_KDF.memory_kib,
        )?,
        iterations: param(
            path,
            "kdf_iterations",
            file.kdf_iterations,
            MAX_KDF.iterations,
        )?,
        parallelism: param(
            path,
            "kdf_parallelism",
            file.kdf_parallelism,
            MAX_KDF.parallelism,
        )?,
    };
    if params.memory_kib < 8 * params.parallelism {
        return Err(corrupt(
            path,
            "kdf_memory_kib is below 8 KiB per lane, which Argon2 does not allow",
        ));
    }
    let mut sealed = Sealed {
        params,
        salt: [0; SALT_LEN],
        nonce: [0; NONCE_LEN],
        ciphertext: [0; SEED_LEN + TAG_LEN],
        associated: associated_data(&file.name, &file.key_id, params),
    };
    let mut sum = [0u8; 32];
    for (field, hex, out) in [
        ("kdf_salt", &file.kdf_salt, &mut sealed.salt[..]),
        ("nonce", &file.nonce, &mut sealed.nonce[..]),
        (
            "encrypted_secret_key",
            &file.encrypted_secret_key,
            &mut sealed.ciphertext[..],
        ),
        ("checksum", &file.checksum, &mut sum[..]),
    ] {
        if !decode_hex_into(hex, out) {
            return Err(corrupt(
                path,
                &format!("{field} is not {} lower-case hex digits", 2 * out.len()),
            ));
        }
    }
    let expected = checksum(
        &sealed.associated,
        &sealed.salt,
        &sealed.nonce,
        &sealed.ciphertext,
    );
    if expected != Sha256Digest::from_bytes(sum) {
        return Err(corrupt(
            path,
            "its checksum does not match its contents (the file was damaged or edited)",
        ));
    }
    Ok(sealed)
}

/// The seed, decrypted with `passphrase`; a failed tag on a file whose checksum matched is a
/// wrong passphrase.
pub(crate) fn decrypt(
    path: &Path,
    sealed: &Sealed,
    name: &str,
    passphrase: &Passphrase,
) -> Result<Zeroizing<[u8; SEED_LEN]>> {
    let key = derive(passphrase, &sealed.salt, sealed.params)?;
    let mut seed = Zeroizing::new([0u8; SEED_LEN]);
    seed.copy_from_slice(&sealed.ciphertext[..SEED_LEN]);
    let mut tag = [0u8; TAG_LEN];
    tag.copy_from_slice(&sealed.ciphertext[SEED_LEN..]);
    cipher(&key)
        .decrypt_inout_detached(
            &XNonce::from(sealed.nonce),
            sealed.associated.as_bytes(),
            (&mut seed[..]).into(),
            &tag.into(),
        )
        .map_err(|_| Error::WrongPassphrase {
            path: path.to_path_buf(),
            name: name.to_string(),
        })?;
    Ok(seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::PassphraseSource;

    fn passphrase(text: &str) -> Passphrase {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p");
        std::fs::write(&path, text).unwrap();
        PassphraseSource::File(path).get("", false).unwrap()
    }

    fn file(text: &str) -> EncryptedKeyFile {
        let body: String = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        toml::from_str(&body).unwrap()
    }

    #[test]
    fn a_seed_encrypted_with_a_passphrase_decrypts_with_it_only() {
        let id = KeyId::parse("0011223344556677").unwrap();
        let seed = [7u8; 32];
        let text = encrypt("c", "k", id, &seed, &passphrase("right")).unwrap();
        let p = Path::new("k.key");
        let sealed = check(p, &file(&text)).unwrap();
        let back = decrypt(p, &sealed, "k", &passphrase("right")).unwrap();
        assert_eq!(*back, seed);
        let err = decrypt(p, &sealed, "k", &passphrase("wrong"))
            .err()
            .unwrap();
        assert!(err.to_string().contains("wrong passphrase"), "{err}");
        // The key ID is bound: the same ciphertext under another ID does not open.
        let other = text.replace("0011223344556677", "0011223344556678");
        let err = check(p, &file(&other)).err().unwrap();
        assert!(err.to_string().contains("checksum does not match"), "{err}");
    }

    #[test]
    fn the_example_in_the_format_spec_opens_with_its_passphrase() {
        let spec = include_str!("../../docs/manifest-format.md");
        let start = spec
            .find("# docseal secret key \"archive\", encrypted")
            .unwrap();
        let text = &spec[start..start + spec[start..].find("```").unwrap()];
        let p = Path::new("spec.key");
        let sealed = check(p, &file(text)).unwrap();
        let seed = decrypt(p, &sealed, "archive", &passphrase("correct horse")).unwrap();
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        assert_eq!(
            KeyId::of(&key.verifying_key()).to_string(),
            "a307419bcaf9cbd2"
        );
    }

    #[test]
    fn the_aead_itself_binds_the_key_id() {
        // With the checksum recomputed, so that only the AEAD can notice the change.
        let id = KeyId::parse("0011223344556677").unwrap();
        let text = encrypt("c", "k", id, &[3; 32], &passphrase("pw")).unwrap();
        let p = Path::new("k.key");
        let mut moved = check(p, &file(&text)).unwrap();
        moved.associated = associated_data("k", "0011223344556678", DEFAULT_KDF);
        let err = decrypt(p, &moved, "k", &passphrase("pw")).err().unwrap();
        assert!(err.to_string().contains("wrong passphrase"), "{err}");
    }

    #[test]
    fn the_associated_data_is_the_files_own_lines() {
        let id = KeyId::parse("0011223344556677").unwrap();
        let text = encrypt("c", "k", id, &[1; 32], &passphrase("pw")).unwrap();
        assert!(text.contains(&associated_data("k", "0011223344556677", DEFAULT_KDF)));
    }
}
