//! `passwd`: a secret key file given a new passphrase, or none, in place — read with every check
//! of [`SecretKey::load_with`] (and the old passphrase, if it has one), written again atomically
//! and `0600`, so that the key file is at every moment either the old one or the new one.

use std::path::PathBuf;

use zeroize::Zeroizing;

use super::{KeyId, PassphraseSource, SecretKey};
use crate::error::Result;
use crate::fsio::{self, Access};

/// Which key file, and its old and new passphrases.
#[derive(Clone, Debug)]
pub struct PasswdOptions {
    /// The secret key file (rewritten in place).
    pub path: PathBuf,
    /// The current passphrase (used only if the key is encrypted).
    pub old: PassphraseSource,
    /// The new passphrase; `None` writes the key unencrypted.
    pub new: Option<PassphraseSource>,
}

/// What `passwd` did.
#[derive(Clone, Debug)]
pub struct PasswdDone {
    /// The key file.
    pub path: PathBuf,
    /// The key's name.
    pub name: String,
    /// The key's ID.
    pub id: KeyId,
    /// Whether the file was encrypted before.
    pub was_encrypted: bool,
    /// Whether it is encrypted now.
    pub encrypted: bool,
}

/// Rewrites the key file with the new passphrase (or none).
pub fn change_passphrase(opts: &PasswdOptions) -> Result<PasswdDone> {
    let key = SecretKey::load_with(&opts.path, Some(&opts.old))?;
    let text = match &opts.new {
        Some(source) => {
            let what = format!("secret key \"{}\" ({})", key.name(), opts.path.display());
            let passphrase = source.get(&what, true)?;
            Zeroizing::new(key.to_encrypted_file_text(&passphrase)?)
        }
        None => key.to_file_text(),
    };
    fsio::write_atomic(
        &opts.path,
        text.as_bytes(),
        Access::Private,
        true,
        "secret key",
    )?;
    Ok(PasswdDone {
        path: opts.path.clone(),
        name: key.name().to_string(),
        id: key.id(),
        was_encrypted: key.was_encrypted(),
        encrypted: opts.new.is_some(),
    })
}
