//! The trusted keys of one verification: the `.pub` files and folders of `.pub` files the user
//! named (or `./keys`), each key with the file it came from, and the revocations that apply to
//! them: every `*.revoked` file in those folders, `NAME.revoked` beside a `NAME.pub` named on its
//! own, and every `--revoked` file. A corrupt key file
//! is an error, never skipped; so is one key (or one key ID) held by two files, because the name
//! a report gives a signer comes from the file that holds its key — the name is local, not
//! signed — and two files would make it a choice. A revocation that is malformed, or whose
//! signature does not verify under the key it names (forged), is ignored with a warning, so that
//! nobody can make a key look revoked without its secret, nor stop a verification with a file.

use std::path::{Path, PathBuf};

use super::{KeyId, PublicKey, Revocation};
use crate::error::{Error, Result};

/// A trusted key and the file it was read from.
#[derive(Clone, Debug)]
pub struct TrustedKey {
    /// The key.
    pub key: PublicKey,
    /// The `.pub` file that holds it, as found.
    pub file: PathBuf,
}

/// The trusted keys of one run, the revocations among them, and what was ignored.
#[derive(Clone, Debug, Default)]
pub struct Keyring {
    keys: Vec<TrustedKey>,
    revoked: Vec<(KeyId, PathBuf)>,
    warnings: Vec<String>,
}

impl Keyring {
    /// Loads the trusted public keys: each path is a `.pub` file or a folder whose `*.pub` files
    /// are all trusted. A corrupt key file is an error, not silently skipped, and so are two
    /// files that hold the same key or the same key ID ([`Error::DuplicateTrustedKey`]); the same
    /// file named twice counts once. A folder that does not exist is [`Error::NoTrustFolder`],
    /// and no key at all [`Error::NoTrustedKeys`].
    ///
    /// Then the revocations: the `*.revoked` files of those folders, `NAME.revoked` beside each
    /// `NAME.pub` named on its own, and the files in `revocations`. One that cannot be read is an error; one that is not a valid revocation
    /// (malformed, or its signature does not verify under the key it names) is ignored with a
    /// warning ([`Keyring::warnings`]). A valid revocation of a key that is not trusted changes
    /// nothing.
    pub fn load(paths: &[PathBuf], revocations: &[PathBuf]) -> Result<Self> {
        let mut keyring = Keyring::default();
        let mut seen_files: Vec<PathBuf> = Vec::new();
        let mut revocation_files: Vec<PathBuf> = Vec::new();
        for path in paths {
            for file in key_files(path, "pub")? {
                // The same file reached twice (`--trust keys --trust keys/a.pub`) is one file.
                let real = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
                if seen_files.contains(&real) {
                    continue;
                }
                seen_files.push(real);
                let key = PublicKey::load(&file)?;
                keyring.add(key, file)?;
            }
            if path.is_dir() {
                revocation_files.extend(key_files(path, "revoked")?);
            } else {
                // A key trusted through its own file (`--trust keys/k.pub`): its revocation is
                // the file beside it, `keys/k.revoked`, so that pinning one key file does not
                // hide the revocation committed next to it.
                let beside = path.with_extension("revoked");
                if beside.is_file() {
                    revocation_files.push(beside);
                }
            }
        }
        if keyring.keys.is_empty() {
            return Err(Error::NoTrustedKeys {
                looked_in: paths.to_vec(),
            });
        }
        revocation_files.extend(revocations.iter().cloned());
        let mut seen: Vec<PathBuf> = Vec::new();
        for file in revocation_files {
            let real = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if seen.contains(&real) {
                continue;
            }
            seen.push(real);
            let text = crate::fsio::read_text(&file, "revocation")?;
            match Revocation::parse(&file, &text) {
                Ok(r) => keyring.revoke(&r, file),
                Err(e) => keyring
                    .warnings
                    .push(format!("{e}; this revocation is ignored")),
            }
        }
        Ok(keyring)
    }

    /// A keyring of keys held in memory, none revoked (for tests and test vectors: each key's
    /// file is empty).
    pub fn of(keys: impl IntoIterator<Item = PublicKey>) -> Self {
        Keyring {
            keys: keys
                .into_iter()
                .map(|key| TrustedKey {
                    key,
                    file: PathBuf::new(),
                })
                .collect(),
            ..Keyring::default()
        }
    }

    fn add(&mut self, key: PublicKey, file: PathBuf) -> Result<()> {
        if let Some(earlier) = self
            .keys
            .iter()
            .find(|k| k.key.as_bytes() == key.as_bytes() || k.key.id() == key.id())
        {
            return Err(Error::DuplicateTrustedKey {
                path: file,
                other: earlier.file.clone(),
                key_id: key.id().to_string(),
                same_key: earlier.key.as_bytes() == key.as_bytes(),
            });
        }
        self.keys.push(TrustedKey { key, file });
        Ok(())
    }

    /// Records a checked revocation, if it revokes a trusted key (by its point).
    fn revoke(&mut self, revocation: &Revocation, file: PathBuf) {
        let id = revocation.key_id();
        let trusted = self
            .keys
            .iter()
            .any(|k| k.key.as_bytes() == revocation.key().as_bytes());
        if trusted && self.revocation(id).is_none() {
            self.revoked.push((id, file));
        }
    }

    /// The trusted keys, in the order they were found.
    pub fn keys(&self) -> &[TrustedKey] {
        &self.keys
    }

    /// The trusted key with this ID.
    pub fn find(&self, id: KeyId) -> Option<&TrustedKey> {
        self.keys.iter().find(|k| k.key.id() == id)
    }

    /// The revocation file that revokes the trusted key `id`, if one does.
    pub fn revocation(&self, id: KeyId) -> Option<&Path> {
        self.revoked
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, p)| p.as_path())
    }

    /// The revocation files that were ignored, one sentence each naming the file.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// The key files that one `--trust` path names: the file itself, or a folder's files ending in
/// `.EXTENSION` (`pub` or `revoked`), in name order.
fn key_files(path: &Path, extension: &str) -> Result<Vec<PathBuf>> {
    if path.is_dir() {
        let entries =
            std::fs::read_dir(path).map_err(|e| Error::io(path, "cannot read folder", e))?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == extension) && p.is_file())
            .collect();
        files.sort();
        return Ok(files);
    }
    // Nothing there, and not named like a file (no extension): a folder of keys that is not
    // here (most often `./keys`, when docseal runs somewhere else).
    if std::fs::symlink_metadata(path).is_err() && path.extension().is_none() {
        return Err(Error::NoTrustFolder {
            path: path.to_path_buf(),
        });
    }
    Ok(vec![path.to_path_buf()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::SecretKey;

    fn write_key(dir: &Path, file: &str, key: &PublicKey) -> PathBuf {
        let path = dir.join(file);
        std::fs::write(&path, key.to_file_text()).unwrap();
        path
    }

    #[test]
    fn one_key_trusted_under_two_file_names_is_refused_naming_both() {
        let dir = tempfile::tempdir().unwrap();
        let key = SecretKey::generate("archivist").unwrap().public();
        write_key(dir.path(), "archivist.pub", &key);
        let impostor = PublicKey::new("Mallory", *key.verifying_key());
        write_key(dir.path(), "aa-impostor.pub", &impostor);
        let err = Keyring::load(&[dir.path().to_path_buf()], &[]).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, Error::DuplicateTrustedKey { same_key: true, .. }),
            "{text}"
        );
        assert!(
            text.contains("aa-impostor.pub") && text.contains("archivist.pub"),
            "{text}"
        );
    }

    #[test]
    fn the_same_key_file_named_twice_counts_once() {
        let dir = tempfile::tempdir().unwrap();
        let key = SecretKey::generate("a").unwrap().public();
        let file = write_key(dir.path(), "a.pub", &key);
        let keys = Keyring::load(&[dir.path().to_path_buf(), file], &[]).unwrap();
        assert_eq!(keys.keys().len(), 1);
    }
}
