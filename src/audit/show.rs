//! `show`: the provenance recorded in a manifest — its header and, for every file or the files
//! asked for, path, size, digest, origin and retrieval time — without touching the collection,
//! and only after the manifest's signature was checked against the trusted keys, as `verify`
//! checks it (unless the caller asked for no check, and then the report says so).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::manifest::{FileEntry, Header, Manifest};
use crate::trust::signature::SignatureReport;
use crate::trust::{KeyId, Trust, TrustOptions};

/// What `show` reads and which keys it trusts.
#[derive(Clone, Debug)]
pub struct ShowOptions {
    /// The manifest file.
    pub manifest: PathBuf,
    /// Only these files (all when empty, and no `urls` either).
    pub paths: Vec<String>,
    /// Only the files whose recorded origin matches one of these URLs (as `audit` matches them:
    /// [`super::urls`]).
    pub urls: Vec<String>,
    /// The trusted keys, revocations and requirements, as for `verify`; `None` reads the
    /// manifest without checking its signature.
    pub trust: Option<TrustOptions>,
}

/// What `show` prints.
#[derive(Clone, Debug, Serialize)]
pub struct ShowReport {
    /// The manifest file.
    pub manifest: String,
    /// Whether the signature was checked (false only when the caller asked for no check).
    pub signature_checked: bool,
    /// The trusted key files and folders it was checked against (empty when not checked).
    pub trusted_keys: Vec<String>,
    /// The verdict on the signatures (`None` when not checked).
    pub signature: Option<SignatureReport>,
    /// Its header.
    pub header: Header,
    /// The key IDs of its signatures, as recorded.
    pub signature_key_ids: Vec<KeyId>,
    /// The entries shown.
    pub files: Vec<FileEntry>,
    /// The URLs asked for (`--url`) that no entry's origin matches.
    pub unmatched_urls: Vec<String>,
}

impl ShowReport {
    /// True when what is shown is provenance that a trusted key signed.
    pub fn is_verified(&self) -> bool {
        self.signature
            .as_ref()
            .is_some_and(SignatureReport::is_valid)
    }
}

/// Reads the manifest, checks its signatures against the trusted keys (unless `opts.trust` is
/// `None`), and selects `opts.paths` (all files when empty). Naming a file that the manifest does
/// not hold is an error; a signature that is not valid is not (the report says it).
pub fn show(opts: &ShowOptions) -> Result<ShowReport> {
    let path = opts.manifest.as_path();
    let (manifest, signature, trusted_keys) = match &opts.trust {
        Some(options) => {
            let trust = Trust::load(options)?;
            let (manifest, report) = Manifest::load_trusted(path, &trust)?;
            let shown = trust
                .places()
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            (manifest, Some(report), shown)
        }
        None => (Manifest::load(path)?, None, Vec::new()),
    };
    let (files, unmatched_urls) = select(path, &manifest, &opts.paths, &opts.urls)?;
    Ok(ShowReport {
        manifest: path.display().to_string(),
        signature_checked: signature.is_some(),
        trusted_keys,
        signature,
        signature_key_ids: manifest.signatures.iter().map(|s| s.key_id).collect(),
        header: manifest.header,
        files,
        unmatched_urls,
    })
}

/// The entries asked for — by path (each must be there) and by origin URL — in that order, and
/// the URLs no origin matches.
fn select(
    path: &Path,
    manifest: &Manifest,
    paths: &[String],
    urls: &[String],
) -> Result<(Vec<FileEntry>, Vec<String>)> {
    if paths.is_empty() && urls.is_empty() {
        return Ok((manifest.files()?, Vec::new()));
    }
    // One pass over the entries, keeping only those asked for (never the whole manifest).
    let wanted: Vec<&str> = paths.iter().map(|p| p.trim_start_matches("./")).collect();
    let mut found: Vec<Option<FileEntry>> = vec![None; paths.len()];
    let mut by_url: Vec<FileEntry> = Vec::new();
    let mut matched = vec![false; urls.len()];
    for entry in manifest.entries() {
        let entry = entry?;
        for (slot, want) in found.iter_mut().zip(&wanted) {
            if slot.is_none() && entry.path.as_str() == *want {
                *slot = Some(entry.clone());
            }
        }
        if let Some(origin) = entry.origin.known() {
            let mut hit = false;
            for (m, url) in matched.iter_mut().zip(urls) {
                if super::urls::matches(url, origin.as_str()).is_some() {
                    *m = true;
                    hit = true;
                }
            }
            if hit {
                by_url.push(entry);
            }
        }
    }
    let mut files = found
        .into_iter()
        .zip(paths)
        .map(|(entry, p)| {
            entry.ok_or_else(|| Error::NotInManifest {
                manifest: path.to_path_buf(),
                path: p.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    files.extend(by_url);
    let unmatched = urls
        .iter()
        .zip(matched)
        .filter(|(_, m)| !m)
        .map(|(u, _)| u.clone())
        .collect();
    Ok((files, unmatched))
}
