//! `diff`: what changed between two validly signed manifests of a collection — files added,
//! removed, changed (size or digest), moved (the content of a removed file under an added path)
//! and whose provenance (origin, retrieval time, or what its capture recorded) changed — found by merging the two sorted
//! entry streams, so that only the differences are ever held, never either manifest's entries.
//! Nothing is compared unless both signatures verify.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Serialize;

use crate::digest::{Fixity, Sha256Digest};
use crate::error::{Error, Result};
use crate::manifest::{FileEntry, Manifest};
use crate::provenance::{Capture, OriginUrl, Recorded, Timestamp, WarcOrigin};
use crate::trust::signature::SignatureReport;
use crate::trust::{Trust, TrustOptions};

/// The two manifests and the keys to check them with.
#[derive(Clone, Debug)]
pub struct DiffOptions {
    /// The older manifest.
    pub old: PathBuf,
    /// The newer manifest.
    pub new: PathBuf,
    /// Trusted public key files or folders of `.pub` files.
    pub trust: TrustOptions,
}

/// One side of a diff.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    /// The manifest file.
    pub manifest: String,
    /// The verdict on its signatures.
    pub signature: SignatureReport,
    /// Its collection name (`None` when the signature is not valid).
    pub collection: Option<String>,
    /// Its sequence number (`None` when not recorded or the signature is not valid).
    pub sequence: Option<u64>,
    /// Its manifest digest.
    pub digest: Sha256Digest,
}

/// A file whose content changed.
#[derive(Clone, Debug, Serialize)]
pub struct Changed {
    /// Its path.
    pub path: String,
    /// Size and digest in the old manifest.
    pub old: Fixity,
    /// Size and digest in the new manifest.
    pub new: Fixity,
}

/// A file whose content is under another path now.
#[derive(Clone, Debug, Serialize)]
pub struct Moved {
    /// Its old path.
    pub from: String,
    /// Its new path.
    pub to: String,
    /// Its size and digest (the same in both).
    #[serde(flatten)]
    pub fixity: Fixity,
}

/// Origin and retrieval time as recorded (`null` when unknown), and what the capture recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The origin URL.
    pub origin: Recorded<OriginUrl>,
    /// The retrieval time.
    pub retrieved: Recorded<Timestamp>,
    /// What the HTTP exchange that captured it said (left out of JSON when empty).
    #[serde(skip_serializing_if = "Capture::is_empty")]
    pub capture: Capture,
    /// The WARC record it was imported from (left out of JSON when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warc: Option<WarcOrigin>,
}

/// A file whose recorded provenance changed.
#[derive(Clone, Debug, Serialize)]
pub struct ProvenanceChange {
    /// Its path (in the new manifest).
    pub path: String,
    /// Its old path, when it moved.
    pub moved_from: Option<String>,
    /// What the old manifest records.
    pub old: Provenance,
    /// What the new manifest records.
    pub new: Provenance,
}

/// What `diff` found.
#[derive(Clone, Debug, Serialize)]
pub struct DiffReport {
    /// Schema version of this report (1).
    pub diff_version: u32,
    /// The older manifest.
    pub old: Side,
    /// The newer manifest.
    pub new: Side,
    /// False when a signature is not valid: then nothing was compared and the lists are empty.
    pub compared: bool,
    /// Files only in the new manifest (not moves).
    pub added: Vec<FileEntry>,
    /// Files only in the old manifest (not moves).
    pub removed: Vec<FileEntry>,
    /// Files under one path in both whose size or digest differs.
    pub changed: Vec<Changed>,
    /// Removed paths whose content is at an added path.
    pub moved: Vec<Moved>,
    /// Files (at one path, or moved) whose origin, retrieval time, capture or WARC record
    /// differs.
    pub provenance_changed: Vec<ProvenanceChange>,
    /// Files at one path in both with the same content.
    pub unchanged: usize,
}

/// Compares two manifests, both checked against the trusted keys first.
pub fn diff(opts: &DiffOptions) -> Result<DiffReport> {
    let trusted = Trust::load(&opts.trust)?;
    let load = |path: &PathBuf| Manifest::load_trusted(path, &trusted);
    let (old, old_sig) = load(&opts.old)?;
    let (new, new_sig) = load(&opts.new)?;
    let side = |m: &Manifest, path: &PathBuf, sig: SignatureReport| {
        let valid = sig.is_valid();
        Side {
            manifest: path.display().to_string(),
            collection: valid.then(|| m.header.name.clone()),
            sequence: m.header.sequence.filter(|_| valid),
            digest: m.digest(),
            signature: sig,
        }
    };
    let compared = old_sig.is_valid() && new_sig.is_valid();
    let mut report = DiffReport {
        diff_version: 1,
        old: side(&old, &opts.old, old_sig),
        new: side(&new, &opts.new, new_sig),
        compared,
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        moved: Vec::new(),
        provenance_changed: Vec::new(),
        unchanged: 0,
    };
    if compared {
        for (m, path) in [(&old, &opts.old), (&new, &opts.new)] {
            if !m.summary.is_sorted() {
                return Err(Error::invalid(
                    path,
                    "its entries are not sorted by path (`docseal verify` reports it), so it cannot be compared; reseal the collection",
                ));
            }
        }
        merge(&old, &new, &mut report)?;
    }
    Ok(report)
}

fn provenance(e: &FileEntry) -> Provenance {
    Provenance {
        origin: e.origin.clone(),
        retrieved: e.retrieved.clone(),
        capture: e.capture.clone(),
        warc: e.warc.clone(),
    }
}

/// Whether two entries record the same provenance, without copying it out.
fn same_provenance(a: &FileEntry, b: &FileEntry) -> bool {
    a.origin == b.origin && a.retrieved == b.retrieved && a.capture == b.capture && a.warc == b.warc
}

fn fixity(e: &FileEntry) -> Fixity {
    Fixity {
        size: e.size,
        digest: e.digest,
    }
}

/// The merge of the two sorted entry streams, then the pairing of removed and added files by
/// content (moves).
fn merge(old: &Manifest, new: &Manifest, r: &mut DiffReport) -> Result<()> {
    let mut olds = old.entries().peekable();
    let mut news = new.entries().peekable();
    loop {
        let order = match (olds.peek(), news.peek()) {
            (None, None) => break,
            (Some(Err(_)), _) => {
                return Err(olds.next().and_then(Result::err).unwrap_or_else(gone));
            }
            (_, Some(Err(_))) => {
                return Err(news.next().and_then(Result::err).unwrap_or_else(gone));
            }
            (Some(Ok(a)), Some(Ok(b))) => a.path.cmp(&b.path),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => r.removed.extend(olds.next().transpose()?),
            std::cmp::Ordering::Greater => r.added.extend(news.next().transpose()?),
            std::cmp::Ordering::Equal => {
                let (Some(a), Some(b)) = (olds.next().transpose()?, news.next().transpose()?)
                else {
                    return Err(gone());
                };
                if fixity(&a) == fixity(&b) {
                    r.unchanged += 1;
                } else {
                    r.changed.push(Changed {
                        path: b.path.to_string(),
                        old: fixity(&a),
                        new: fixity(&b),
                    });
                }
                if !same_provenance(&a, &b) {
                    r.provenance_changed.push(ProvenanceChange {
                        path: b.path.to_string(),
                        moved_from: None,
                        old: provenance(&a),
                        new: provenance(&b),
                    });
                }
            }
        }
    }
    pair_moves(r);
    Ok(())
}

fn gone() -> Error {
    Error::Internal("an entry stream ended while it was being read".into())
}

/// Pairs each added file with a removed file of the same size and digest, in path order.
fn pair_moves(r: &mut DiffReport) {
    let key = |e: &FileEntry| (e.size, *e.digest.as_bytes());
    let mut by_content: HashMap<(u64, [u8; 32]), Vec<usize>> = HashMap::new();
    for (i, e) in r.removed.iter().enumerate().rev() {
        by_content.entry(key(e)).or_default().push(i);
    }
    let mut taken = vec![false; r.removed.len()];
    let mut added = Vec::new();
    for b in std::mem::take(&mut r.added) {
        let Some(i) = by_content.get_mut(&key(&b)).and_then(Vec::pop) else {
            added.push(b);
            continue;
        };
        taken[i] = true;
        let a = &r.removed[i];
        if !same_provenance(a, &b) {
            r.provenance_changed.push(ProvenanceChange {
                path: b.path.to_string(),
                moved_from: Some(a.path.to_string()),
                old: provenance(a),
                new: provenance(&b),
            });
        }
        r.moved.push(Moved {
            from: a.path.to_string(),
            to: b.path.to_string(),
            fixity: fixity(&b),
        });
    }
    r.added = added;
    let mut i = 0;
    r.removed.retain(|_| {
        i += 1;
        !taken[i - 1]
    });
    r.provenance_changed.sort_by(|x, y| x.path.cmp(&y.path));
}
