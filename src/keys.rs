//! Ed25519 keys: generating a pair, the public and secret key files (small TOML files), the short
//! [`KeyId`] that names a key, and loading the set of trusted public keys for verification.
//!
//! Secret key files are written `0600` by this module and refused when other users can read them.

use std::fmt;
use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::Deserialize;

use crate::digest::{Sha256Digest, from_hex, to_hex};
use crate::error::{Error, Result};
use crate::fsio::{self, Access};

const PUBLIC_TYPE: &str = "docseal-public-key";
const SECRET_TYPE: &str = "docseal-secret-key";
const KEY_FORMAT_VERSION: i64 = 1;

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

/// A public key that can check signatures, with the name it was generated under.
#[derive(Clone, Debug)]
pub struct PublicKey {
    name: String,
    id: KeyId,
    key: VerifyingKey,
    path: Option<PathBuf>,
}

/// A secret key that can sign manifests.
pub struct SecretKey {
    name: String,
    id: KeyId,
    key: SigningKey,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({}, {})", self.name, self.id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    #[serde(rename = "type")]
    kind: String,
    format_version: i64,
    name: String,
    key_id: String,
    algorithm: String,
    public_key: Option<String>,
    secret_key: Option<String>,
}

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

impl PublicKey {
    /// The name the key was generated under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The Ed25519 verifying key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The file this key was loaded from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Loads and checks a public key file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = fsio::read_text(path, "public key file")?;
        let file = parse_key_file(path, &text)?;
        if file.kind == SECRET_TYPE {
            return Err(Error::invalid(
                path,
                "this is a secret key, not a public key; trust the matching .pub file instead (and keep this one private)",
            ));
        }
        check_header(path, &file, PUBLIC_TYPE)?;
        let hex = file
            .public_key
            .ok_or_else(|| corrupt(path, "it has no public_key field"))?;
        let bytes = from_hex::<32>(&hex)
            .ok_or_else(|| corrupt(path, "public_key is not 64 lower-case hex digits"))?;
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|_| corrupt(path, "public_key is not a valid Ed25519 point"))?;
        if key.is_weak() {
            return Err(corrupt(
                path,
                "public_key is a weak (small-order) Ed25519 key",
            ));
        }
        let id = KeyId::of(&key);
        if file.key_id != id.to_string() {
            return Err(corrupt(
                path,
                &format!(
                    "key_id {} does not match the key (whose ID is {id})",
                    file.key_id
                ),
            ));
        }
        Ok(PublicKey {
            name: file.name,
            id,
            key,
            path: Some(path.to_path_buf()),
        })
    }

    /// The text of a public key file for this key.
    pub fn to_file_text(&self) -> String {
        format!(
            "# docseal public key \"{name}\". Commit this file: it lets anyone check what this key signs.\n\
             type = \"{PUBLIC_TYPE}\"\nformat_version = {KEY_FORMAT_VERSION}\nname = \"{name}\"\n\
             key_id = \"{id}\"\nalgorithm = \"ed25519\"\npublic_key = \"{key}\"\n",
            name = self.name,
            id = self.id,
            key = to_hex(self.key.as_bytes()),
        )
    }
}

impl SecretKey {
    /// Generates a new key pair from the operating system's random source.
    pub fn generate(name: &str) -> Result<Self> {
        validate_key_name(name).map_err(Error::Usage)?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| {
            Error::Usage(format!(
                "cannot get random bytes from the operating system: {e}"
            ))
        })?;
        let key = SigningKey::from_bytes(&seed);
        seed.fill(0);
        Ok(Self::from_signing_key(name, key))
    }

    fn from_signing_key(name: &str, key: SigningKey) -> Self {
        SecretKey {
            name: name.to_string(),
            id: KeyId::of(&key.verifying_key()),
            key,
        }
    }

    /// The name the key was generated under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID (of the public half).
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey {
            name: self.name.clone(),
            id: self.id,
            key: self.key.verifying_key(),
            path: None,
        }
    }

    /// Signs `message` (Ed25519, RFC 8032).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer;
        self.key.sign(message).to_bytes()
    }

    /// Loads a secret key file, refusing one that other users can read.
    pub fn load(path: &Path) -> Result<Self> {
        check_private(path).map_err(|e| match e {
            // A public key is meant to be readable by everyone: say what it is instead.
            Error::InsecureKey { .. } if is_public_key_file(path) => public_not_secret(path),
            e => e,
        })?;
        let text = fsio::read_text(path, "secret key file")?;
        let file = parse_key_file(path, &text)?;
        if file.kind == PUBLIC_TYPE {
            return Err(public_not_secret(path));
        }
        check_header(path, &file, SECRET_TYPE)?;
        let hex = file
            .secret_key
            .ok_or_else(|| corrupt(path, "it has no secret_key field"))?;
        let seed = from_hex::<32>(&hex)
            .ok_or_else(|| corrupt(path, "secret_key is not 64 lower-case hex digits"))?;
        let key = Self::from_signing_key(&file.name, SigningKey::from_bytes(&seed));
        if file.key_id != key.id.to_string() {
            return Err(corrupt(
                path,
                &format!(
                    "key_id {} does not match the key (whose ID is {})",
                    file.key_id, key.id
                ),
            ));
        }
        Ok(key)
    }

    /// The text of a secret key file for this key.
    pub fn to_file_text(&self) -> String {
        format!(
            "# docseal secret key \"{name}\". Keep it private: never commit, copy or share this file.\n\
             type = \"{SECRET_TYPE}\"\nformat_version = {KEY_FORMAT_VERSION}\nname = \"{name}\"\n\
             key_id = \"{id}\"\nalgorithm = \"ed25519\"\nsecret_key = \"{key}\"\n",
            name = self.name,
            id = self.id,
            key = to_hex(self.key.as_bytes()),
        )
    }
}

fn public_not_secret(path: &Path) -> Error {
    Error::invalid(
        path,
        "this is a public key; seal needs the secret key (by default in ~/.config/docseal/keys/NAME.key)",
    )
}

/// True when `path` holds a well-formed public key file.
fn is_public_key_file(path: &Path) -> bool {
    fsio::read_text(path, "key file")
        .ok()
        .and_then(|text| toml::from_str::<KeyFile>(&text).ok())
        .is_some_and(|file| file.kind == PUBLIC_TYPE)
}

fn corrupt(path: &Path, why: &str) -> Error {
    Error::invalid(
        path,
        format!("corrupt key file: {why}; restore it from a copy or generate a new key"),
    )
}

fn parse_key_file(path: &Path, text: &str) -> Result<KeyFile> {
    toml::from_str::<KeyFile>(text).map_err(|e| {
        let mut err = Error::from_toml(path, text, &e);
        if let Error::Parse { message, .. } | Error::Invalid { message, .. } = &mut err {
            message.push_str("; this is not a valid docseal key file");
        }
        err
    })
}

fn check_header(path: &Path, file: &KeyFile, kind: &str) -> Result<()> {
    if file.kind != kind {
        return Err(Error::invalid(
            path,
            format!(
                "not a docseal key file (type \"{}\", expected \"{kind}\")",
                file.kind.escape_debug()
            ),
        ));
    }
    if file.format_version != KEY_FORMAT_VERSION {
        return Err(Error::invalid(
            path,
            format!(
                "unsupported key format version {}; this docseal reads version {KEY_FORMAT_VERSION}, upgrade docseal",
                file.format_version
            ),
        ));
    }
    if file.algorithm != "ed25519" {
        return Err(Error::invalid(
            path,
            format!(
                "unsupported key algorithm \"{}\"; docseal keys are \"ed25519\"",
                file.algorithm.escape_debug()
            ),
        ));
    }
    validate_key_name(&file.name).map_err(|m| corrupt(path, &m))
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, "cannot read secret key", e))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::InsecureKey {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<()> {
    Ok(())
}

/// Where `keygen` puts a secret key by default: `$XDG_CONFIG_HOME/docseal/keys/NAME.key`, else
/// `$HOME/.config/docseal/keys/NAME.key` (`%APPDATA%\docseal\keys\NAME.key` on Windows).
pub fn default_secret_path(name: &str) -> Result<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })
        .or_else(|| std::env::var_os("APPDATA").map(PathBuf::from))
        .ok_or_else(|| {
            Error::Usage(
                "cannot find a config folder (HOME is not set); pass --secret PATH".to_string(),
            )
        })?;
    Ok(base
        .join("docseal")
        .join("keys")
        .join(format!("{name}.key")))
}

/// What `keygen` made.
#[derive(Debug)]
pub struct GeneratedKey {
    /// The new key's ID.
    pub id: KeyId,
    /// Where the public key was written.
    pub public_path: PathBuf,
    /// Where the secret key was written (mode 0600).
    pub secret_path: PathBuf,
}

/// Generates a key pair named `name` and writes both files atomically.
///
/// Neither file is written if either already exists and `force` is false.
pub fn keygen(
    name: &str,
    public_path: &Path,
    secret_path: &Path,
    force: bool,
) -> Result<GeneratedKey> {
    let key = SecretKey::generate(name)?;
    if !force {
        for (path, what) in [(secret_path, "secret key"), (public_path, "public key")] {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(Error::Exists {
                    path: path.to_path_buf(),
                    what,
                });
            }
        }
    }
    fsio::write_atomic(
        secret_path,
        key.to_file_text().as_bytes(),
        Access::Private,
        force,
        "secret key",
    )?;
    // If the public key cannot be written, take the new secret key back out: a secret without its
    // public half would only block the next attempt.
    if let Err(e) = fsio::write_atomic(
        public_path,
        key.public().to_file_text().as_bytes(),
        Access::Public,
        force,
        "public key",
    ) {
        if !force {
            let _ = std::fs::remove_file(secret_path);
        }
        return Err(e);
    }
    Ok(GeneratedKey {
        id: key.id(),
        public_path: public_path.to_path_buf(),
        secret_path: secret_path.to_path_buf(),
    })
}

/// Loads the trusted public keys: each path is a `.pub` file or a folder whose `*.pub` files are
/// all trusted. A corrupt key file is an error, not silently skipped. No key at all is
/// [`Error::NoTrustedKeys`].
pub fn load_trusted(paths: &[PathBuf]) -> Result<Vec<PublicKey>> {
    let mut keys = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries =
                std::fs::read_dir(path).map_err(|e| Error::io(path, "cannot read folder", e))?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "pub") && p.is_file())
                .collect();
            files.sort();
            for file in files {
                keys.push(PublicKey::load(&file)?);
            }
        } else {
            keys.push(PublicKey::load(path)?);
        }
    }
    if keys.is_empty() {
        return Err(Error::NoTrustedKeys {
            looked_in: paths.to_vec(),
        });
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_round_trip_and_keep_the_key_id() {
        let dir = tempfile::tempdir().unwrap();
        let (p, s) = (dir.path().join("k.pub"), dir.path().join("k.key"));
        let made = keygen("archive", &p, &s, false).unwrap();
        let public = PublicKey::load(&p).unwrap();
        let secret = SecretKey::load(&s).unwrap();
        assert_eq!(public.id(), made.id);
        assert_eq!(secret.id(), made.id);
        assert_eq!(public.name(), "archive");
        assert_eq!(made.id.to_string().len(), 16);
    }

    #[test]
    fn keygen_never_overwrites_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let (p, s) = (dir.path().join("k.pub"), dir.path().join("k.key"));
        let first = keygen("a", &p, &s, false).unwrap();
        assert!(matches!(
            keygen("a", &p, &s, false),
            Err(Error::Exists { .. })
        ));
        assert_eq!(PublicKey::load(&p).unwrap().id(), first.id);
        let second = keygen("a", &p, &s, true).unwrap();
        assert_ne!(second.id, first.id);
    }

    #[test]
    fn key_names_that_are_not_plain_file_names_are_refused() {
        for bad in ["", "../x", "a/b", ".hidden", "-rf", "a b"] {
            assert!(validate_key_name(bad).is_err(), "{bad:?}");
        }
        assert!(validate_key_name("archive-2026.v1").is_ok());
    }
}
