//! `show`: the provenance recorded in a manifest — its header and, for every file or the files
//! asked for, path, size, digest, origin and retrieval time — without touching the collection.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::manifest::{FileEntry, Header, Manifest};
use crate::trust::KeyId;

/// What `show` prints.
#[derive(Clone, Debug, Serialize)]
pub struct ShowReport {
    /// The manifest file.
    pub manifest: String,
    /// Its header.
    pub header: Header,
    /// The key IDs of its signatures (not checked by `show`; `verify` checks them).
    pub signature_key_ids: Vec<KeyId>,
    /// The entries shown.
    pub files: Vec<FileEntry>,
}

/// Reads the manifest at `path` and selects `paths` (all files when empty). Naming a file that
/// the manifest does not hold is an error.
pub fn show(path: &Path, paths: &[String]) -> Result<ShowReport> {
    let manifest = Manifest::load(path)?;
    let all = manifest.files()?;
    let files = if paths.is_empty() {
        all
    } else {
        paths
            .iter()
            .map(|p| {
                let wanted = p.trim_start_matches("./");
                let found = all.iter().find(|f| f.path.as_str() == wanted);
                found.cloned().ok_or_else(|| Error::NotInManifest {
                    manifest: path.to_path_buf(),
                    path: p.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?
    };
    Ok(ShowReport {
        manifest: PathBuf::from(path).display().to_string(),
        header: manifest.header,
        signature_key_ids: manifest.signatures.iter().map(|s| s.key_id).collect(),
        files,
    })
}
