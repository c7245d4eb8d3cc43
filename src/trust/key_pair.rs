//! Making a key pair: a new secret key (encrypted with a passphrase unless asked not to) and its
//! public half, both written atomically — the secret `0600` in the config folder, the public key
//! where it will be committed — and neither written over an existing file unless asked.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::{KeyId, PassphraseSource, SecretKey};
use crate::error::{Error, Result};
use crate::fsio::{self, Access};

/// What `keygen` makes and where.
#[derive(Clone, Debug)]
pub struct KeygenOptions {
    /// The key's name.
    pub name: String,
    /// Where the public key goes.
    pub public: PathBuf,
    /// Where the secret key goes (written mode 0600).
    pub secret: PathBuf,
    /// Overwrite existing key files.
    pub force: bool,
    /// Where the passphrase that encrypts the secret key comes from; `None` writes it
    /// unencrypted.
    pub passphrase: Option<PassphraseSource>,
}

/// What `keygen` made.
#[derive(Clone, Debug)]
pub struct GeneratedKey {
    /// The new key's ID.
    pub id: KeyId,
    /// Where the public key was written.
    pub public_path: PathBuf,
    /// Where the secret key was written (mode 0600).
    pub secret_path: PathBuf,
    /// Whether the secret key is encrypted with a passphrase.
    pub encrypted: bool,
}

/// Generates a key pair and writes both files atomically.
///
/// Neither file is written if either already exists and `force` is false. The passphrase is
/// asked for (twice, on a terminal) after that check and before the key is made.
pub fn keygen(opts: &KeygenOptions) -> Result<GeneratedKey> {
    super::validate_key_name(&opts.name).map_err(Error::Usage)?;
    let (public_path, secret_path, force) = (&opts.public, &opts.secret, opts.force);
    if !force {
        for (path, what) in [(secret_path, "secret key"), (public_path, "public key")] {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(Error::Exists {
                    path: path.clone(),
                    what,
                });
            }
        }
    }
    let passphrase = match &opts.passphrase {
        Some(source) => {
            let what = format!("the new secret key \"{}\"", opts.name);
            Some(source.get(&what, true)?)
        }
        None => None,
    };
    let key = SecretKey::generate(&opts.name)?;
    let secret_text = match &passphrase {
        Some(p) => Zeroizing::new(key.to_encrypted_file_text(p)?),
        None => key.to_file_text(),
    };
    drop(passphrase);
    fsio::write_atomic(
        secret_path,
        secret_text.as_bytes(),
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
        public_path: public_path.clone(),
        secret_path: secret_path.clone(),
        encrypted: opts.passphrase.is_some(),
    })
}

/// The default options for a key named `name`: the public key in `keys_dir`, the secret key at
/// `secret` or else in the config folder.
pub fn keygen_options(
    name: String,
    secret: Option<PathBuf>,
    keys_dir: &Path,
    force: bool,
    passphrase: Option<PassphraseSource>,
) -> Result<KeygenOptions> {
    super::validate_key_name(&name).map_err(Error::Usage)?;
    let secret = match secret {
        Some(s) => s,
        None => super::default_secret_path(&name)?,
    };
    Ok(KeygenOptions {
        public: keys_dir.join(format!("{name}.pub")),
        name,
        secret,
        force,
        passphrase,
    })
}

#[cfg(test)]
mod tests {
    use super::super::PublicKey;
    use super::*;

    fn options(dir: &Path, force: bool) -> KeygenOptions {
        KeygenOptions {
            name: "archive".into(),
            public: dir.join("k.pub"),
            secret: dir.join("k.key"),
            force,
            passphrase: None,
        }
    }

    #[test]
    fn key_files_round_trip_and_keep_the_key_id() {
        let dir = tempfile::tempdir().unwrap();
        let opts = options(dir.path(), false);
        let made = keygen(&opts).unwrap();
        let public = PublicKey::load(&opts.public).unwrap();
        let secret = SecretKey::load(&opts.secret).unwrap();
        assert_eq!(public.id(), made.id);
        assert_eq!(secret.id(), made.id);
        assert_eq!(public.name(), "archive");
        assert_eq!(made.id.to_string().len(), 16);
    }

    #[test]
    fn keygen_never_overwrites_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let first = keygen(&options(dir.path(), false)).unwrap();
        assert!(matches!(
            keygen(&options(dir.path(), false)),
            Err(Error::Exists { .. })
        ));
        let public = PublicKey::load(&dir.path().join("k.pub")).unwrap();
        assert_eq!(public.id(), first.id);
        let second = keygen(&options(dir.path(), true)).unwrap();
        assert_ne!(second.id, first.id);
    }
}
