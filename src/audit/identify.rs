//! `identify`: which sealed entry holds the content of a loose document — same size and SHA-256 —
//! in validly signed manifests, with the provenance recorded for it; or that none does. The
//! documents are hashed by the orchestrator (`src/identify.rs`); here each manifest is read once,
//! streaming, keeping only the entries whose content is asked for.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Serialize;

use super::citations::{ManifestUsed, each_manifest};
use crate::digest::{Fixity, Sha256Digest};
use crate::error::Result;
use crate::trust::{Trust, TrustOptions};

/// A sealed entry with the content asked for.
#[derive(Clone, Debug, Serialize)]
pub struct Sighting {
    /// Index into [`IdentifyReport::manifests`].
    pub manifest: usize,
    /// Its path in the collection.
    pub path: String,
    /// Its recorded origin (`None`: unknown).
    pub origin: Option<String>,
    /// When it was retrieved, as recorded (`None`: unknown).
    pub retrieved: Option<String>,
}

/// One document and the sealed entries that hold its content.
#[derive(Clone, Debug, Serialize)]
pub struct Identified {
    /// The document, as named.
    pub file: String,
    /// Its size.
    pub size: u64,
    /// Its SHA-256.
    pub digest: Sha256Digest,
    /// Every sealed entry with the same content, in manifest order.
    pub sealed_as: Vec<Sighting>,
}

/// Everything `identify` found.
#[derive(Clone, Debug, Serialize)]
pub struct IdentifyReport {
    /// The manifests, with their signature verdicts (only the valid ones were searched).
    pub manifests: Vec<ManifestUsed>,
    /// One per document, in the order given.
    pub files: Vec<Identified>,
    /// True when every document was found sealed and every manifest's signature is valid. The
    /// exit status is 0 exactly then.
    pub success: bool,
}

/// Finds the sealed entries holding the content of each of `files` (name and measured fixity)
/// in `manifests`, their signatures checked as `trust` says.
pub fn identify(
    files: Vec<(String, Fixity)>,
    manifests: &[PathBuf],
    trust: &TrustOptions,
) -> Result<IdentifyReport> {
    let trusted = Trust::load(trust)?;
    let mut wanted: HashMap<([u8; 32], u64), Vec<usize>> = HashMap::new();
    for (i, (_, fx)) in files.iter().enumerate() {
        wanted
            .entry((*fx.digest.as_bytes(), fx.size))
            .or_default()
            .push(i);
    }
    let mut found: Vec<Vec<Sighting>> = vec![Vec::new(); files.len()];
    let manifests = each_manifest(manifests, &trusted, |index, manifest| {
        for entry in manifest.entries() {
            let entry = entry?;
            let Some(which) = wanted.get(&(*entry.digest.as_bytes(), entry.size)) else {
                continue;
            };
            for &i in which {
                found[i].push(Sighting {
                    manifest: index,
                    path: entry.path.as_str().to_string(),
                    origin: entry.origin.known().map(|o| o.as_str().to_string()),
                    retrieved: entry.retrieved.known().map(ToString::to_string),
                });
            }
        }
        Ok(())
    })?;
    let files: Vec<Identified> = files
        .into_iter()
        .zip(found)
        .map(|((file, fx), sealed_as)| Identified {
            file,
            size: fx.size,
            digest: fx.digest,
            sealed_as,
        })
        .collect();
    let success = manifests.iter().all(|m| m.signature.is_valid())
        && files.iter().all(|f| !f.sealed_as.is_empty());
    Ok(IdentifyReport {
        manifests,
        files,
        success,
    })
}
