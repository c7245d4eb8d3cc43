//! [`SecretKeySource`]: where the secret key a command signs with comes from — a key file (a path,
//! or the name of a key `keygen` made) or an environment variable holding a key file's text
//! (`--key env:VAR`, for CI signing without the key ever touching disk) — and where its
//! passphrase comes from, if it is encrypted.

use std::path::{Path, PathBuf};

use super::{PassphraseSource, SecretKey};
use crate::error::{Error, Result};

/// Where a secret key's text is.
#[derive(Clone, Debug)]
pub enum KeyLocation {
    /// A secret key file.
    File(PathBuf),
    /// An environment variable holding a secret key file's text.
    Env(String),
}

/// A secret key to load, and the passphrase to decrypt it with if it is encrypted.
#[derive(Clone, Debug)]
pub struct SecretKeySource {
    /// Where the key is.
    pub location: KeyLocation,
    /// Where the passphrase comes from (asked for only for an encrypted key).
    pub passphrase: PassphraseSource,
}

impl SecretKeySource {
    /// The source that `--key GIVEN` names: `env:VAR`, an existing file, or a key name
    /// ([`SecretKey::locate`]).
    pub fn from_arg(given: &Path, passphrase: PassphraseSource) -> Result<Self> {
        let location = match given.to_str().and_then(|s| s.strip_prefix("env:")) {
            Some(var) if !var.is_empty() && !var.contains(['=', '\0']) => {
                KeyLocation::Env(var.to_string())
            }
            Some(_) => {
                return Err(Error::Usage(
                    "--key env:VAR needs the name of an environment variable holding the secret key file's text (for a file named \"env:…\", pass ./env:…)".to_string(),
                ));
            }
            None => KeyLocation::File(SecretKey::locate(given)?),
        };
        Ok(SecretKeySource {
            location,
            passphrase,
        })
    }

    /// Loads the key, decrypting it if it is encrypted.
    #[inline(always)]
    pub fn load(&self) -> Result<SecretKey> {
        match &self.location {
            KeyLocation::File(path) => SecretKey::load_with(path, Some(&self.passphrase)),
            KeyLocation::Env(var) => SecretKey::from_env(var, Some(&self.passphrase)),
        }
    }
}
