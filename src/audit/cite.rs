//! `cite`: what a citation of one sealed file says — its origin URL and retrieval time, and what
//! makes the copy checkable: the SHA-256 of the sealed bytes, the collection, its root digest and
//! the keys whose signatures verified. Only from a manifest whose signature is valid: a citation
//! that carries a digest vouches for it. The formats are `report/cite.rs`'s.

use std::path::PathBuf;

use crate::error::Result;
use crate::manifest::FileEntry;
use crate::trust::signature::SignatureReport;
use crate::trust::{KeyId, TrustOptions};

use super::show::{ShowOptions, show};

/// What to cite, from which manifest, against which keys.
#[derive(Clone, Debug)]
pub struct CiteOptions {
    /// The manifest file.
    pub manifest: PathBuf,
    /// The file's path inside the collection.
    pub path: String,
    /// The trusted keys, the revocations, and what is required of the signers.
    pub trust: TrustOptions,
}

/// The facts a citation of one sealed file carries.
#[derive(Clone, Debug)]
pub struct Citation {
    /// The manifest file.
    pub manifest: String,
    /// The verdict on its signatures; a citation is given only when it is valid.
    pub signature: SignatureReport,
    /// The collection's name.
    pub collection: String,
    /// The collection's root digest.
    pub root: crate::digest::Sha256Digest,
    /// The keys whose signatures verified.
    pub signers: Vec<KeyId>,
    /// The sealed entry.
    pub entry: FileEntry,
}

impl Citation {
    /// True when the manifest's signature is valid (and so the citation may be given).
    pub fn is_verified(&self) -> bool {
        self.signature.is_valid()
    }
}

/// Reads the manifest, checks its signatures, and gathers what a citation of `opts.path` says.
pub fn cite(opts: &CiteOptions) -> Result<Citation> {
    let shown = show(&ShowOptions {
        manifest: opts.manifest.clone(),
        paths: vec![opts.path.clone()],
        urls: Vec::new(),
        trust: Some(opts.trust.clone()),
    })?;
    let signature = shown.signature.clone().ok_or_else(|| {
        crate::Error::Internal("show with trusted keys did not check the signature".into())
    })?;
    let signers = signature.signers.iter().map(|s| s.key_id).collect();
    let entry = shown
        .files
        .into_iter()
        .next()
        .ok_or_else(|| crate::Error::NotInManifest {
            manifest: opts.manifest.clone(),
            path: opts.path.clone(),
        })?;
    Ok(Citation {
        manifest: shown.manifest,
        signature,
        collection: shown.header.name,
        root: shown.header.root_digest,
        signers,
        entry,
    })
}
