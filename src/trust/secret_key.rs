//! [`SecretKey`]: an Ed25519 key that signs manifests — generated from the operating system's
//! random source, read from a `.key` file that other users must not be able to read, and found by
//! name in the config folder where `keygen` puts it.

use std::fmt;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;

use super::key_file::{self, KeyFile, SECRET_TYPE, Wanted, corrupt};
use super::{KeyId, PublicKey, validate_key_name};
use crate::digest::{from_hex, to_hex};
use crate::error::{Error, Result};
use crate::fsio;

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

impl SecretKey {
    /// Generates a new key pair from the operating system's random source.
    pub fn generate(name: &str) -> Result<Self> {
        validate_key_name(name).map_err(Error::Usage)?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| Error::Random(e.to_string()))?;
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
        PublicKey::new(&self.name, self.key.verifying_key())
    }

    /// Signs `message` (Ed25519, RFC 8032).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer;
        self.key.sign(message).to_bytes()
    }

    /// Loads a secret key file, refusing one that other users can read.
    pub fn load(path: &Path) -> Result<Self> {
        let mode_problem = check_private(path).err();
        let text = match fsio::read_text(path, "secret key file") {
            Ok(text) => text,
            Err(e) => return Err(mode_problem.unwrap_or(e)),
        };
        let parsed = key_file::parse(path, &text, Wanted::Secret);
        // A public key is meant to be readable by everyone: say what it is instead.
        if let Ok(KeyFile::Public(_)) = &parsed {
            return Err(public_not_secret(path));
        }
        if let Some(e) = mode_problem {
            return Err(e);
        }
        let file = match parsed? {
            KeyFile::Secret(file) => file,
            KeyFile::Public(_) => return Err(public_not_secret(path)),
        };
        key_file::check_header(
            path,
            &file.kind,
            SECRET_TYPE,
            file.format_version,
            &file.algorithm,
            &file.name,
        )?;
        let seed = from_hex::<32>(&file.secret_key)
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
        key_file::text(
            &format!(
                "docseal secret key \"{}\". Keep it private: never commit, copy or share this file.",
                self.name
            ),
            SECRET_TYPE,
            &self.name,
            &self.id.to_string(),
            "secret_key",
            &to_hex(self.key.as_bytes()),
        )
    }

    /// The secret key file that `--key` names: an existing file as it is, or, for a bare key name
    /// such as `archive` (not `archive.key`, not a path), the key of that name that `keygen` put
    /// in the config folder ([`default_secret_path`]).
    pub fn locate(given: &Path) -> Result<PathBuf> {
        if given.exists() {
            return Ok(given.to_path_buf());
        }
        if let Some(name) = given.to_str()
            && validate_key_name(name).is_ok()
            && !name.ends_with(".key")
            && !name.ends_with(".pub")
        {
            let default = default_secret_path(name)?;
            if default.exists() {
                return Ok(default);
            }
            return Err(Error::invalid(
                given,
                format!(
                    "secret key not found (nor {}); run `docseal keygen --name {name}` or pass the key file's path",
                    default.display()
                ),
            ));
        }
        Err(Error::invalid(
            given,
            "secret key not found; pass the path of a key made by `docseal keygen`",
        ))
    }
}

fn public_not_secret(path: &Path) -> Error {
    Error::invalid(
        path,
        "this is a public key; seal needs the secret key (by default in ~/.config/docseal/keys/NAME.key)",
    )
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
