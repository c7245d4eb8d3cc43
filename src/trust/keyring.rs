//! The trusted keys of one verification: the `.pub` files and folders of `.pub` files the user
//! named (or `./keys`). A corrupt key file among them is an error, never skipped.

use std::path::PathBuf;

use super::PublicKey;
use crate::error::{Error, Result};

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
