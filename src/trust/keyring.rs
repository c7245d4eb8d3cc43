//! The trusted keys of one verification: the `.pub` files and folders of `.pub` files the user
//! named (or `./keys`). A corrupt key file among them is an error, never skipped; so is one key
//! (or one key ID) held by two files, because the name a report gives a signer comes from the
//! file that holds its key — the name is local, not signed — and two files would make it a
//! choice.

use std::path::{Path, PathBuf};

use super::PublicKey;
use crate::error::{Error, Result};

/// Loads the trusted public keys: each path is a `.pub` file or a folder whose `*.pub` files are
/// all trusted. A corrupt key file is an error, not silently skipped, and so are two files that
/// hold the same key or the same key ID ([`Error::DuplicateTrustedKey`]); the same file named
/// twice counts once. A folder that does not exist is [`Error::NoTrustFolder`], and no key at all
/// [`Error::NoTrustedKeys`].
pub fn load_trusted(paths: &[PathBuf]) -> Result<Vec<PublicKey>> {
    let mut loaded: Vec<(PathBuf, PublicKey)> = Vec::new();
    let mut seen_files: Vec<PathBuf> = Vec::new();
    for path in paths {
        for file in key_files(path)? {
            // The same file reached twice (`--trust keys --trust keys/a.pub`) is one file.
            let real = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if seen_files.contains(&real) {
                continue;
            }
            seen_files.push(real);
            let key = PublicKey::load(&file)?;
            if let Some((other, earlier)) = loaded
                .iter()
                .find(|(_, k)| k.as_bytes() == key.as_bytes() || k.id() == key.id())
            {
                return Err(Error::DuplicateTrustedKey {
                    path: file,
                    other: other.clone(),
                    key_id: key.id().to_string(),
                    same_key: earlier.as_bytes() == key.as_bytes(),
                });
            }
            loaded.push((file, key));
        }
    }
    if loaded.is_empty() {
        return Err(Error::NoTrustedKeys {
            looked_in: paths.to_vec(),
        });
    }
    Ok(loaded.into_iter().map(|(_, k)| k).collect())
}

/// The key files that one `--trust` path names: the file itself, or a folder's `*.pub` files in
/// name order.
fn key_files(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_dir() {
        let entries =
            std::fs::read_dir(path).map_err(|e| Error::io(path, "cannot read folder", e))?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pub") && p.is_file())
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
        let err = load_trusted(&[dir.path().to_path_buf()]).unwrap_err();
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
        let keys = load_trusted(&[dir.path().to_path_buf(), file]).unwrap();
        assert_eq!(keys.len(), 1);
    }
}
