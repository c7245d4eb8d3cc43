//! Resealing with `--previous`: the manifest this one supersedes, loaded only when its signature
//! verifies, gives the new manifest its place in the chain (sequence + 1, `previous` = its
//! manifest digest) and the recorded provenance of every file whose content is unchanged — at
//! the same path, or moved or copied to another (the same digest: the same bytes, so the same
//! origin): its origin and retrieval time, and what its capture recorded (the HTTP facts and the
//! WARC record it came from), all of it or none. A sources list entry for a path wins over what is carried. A file whose content
//! changed, that had provenance and gets none, is a drop: sealing names every drop and refuses
//! unless asked to drop (a removed file is not a drop).
//!
//! Only the entries with some recorded provenance are kept, by path and by digest.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::audit::chain;
use crate::digest::Sha256Digest;
use crate::error::{Error, Result};
use crate::manifest::FileEntry;
use crate::provenance::{Capture, OriginUrl, Recorded, Timestamp, WarcOrigin};
use crate::relpath::RelPath;
use crate::report::plural;
use crate::trust::history::Position;
use crate::trust::{Trust, TrustOptions};

/// What a manifest recorded of where a file came from: everything of its entry but the path
/// and the fixity.
#[derive(Clone, PartialEq, Eq)]
struct Provenance {
    origin: Recorded<OriginUrl>,
    retrieved: Recorded<Timestamp>,
    capture: Capture,
    warc: Option<WarcOrigin>,
}

impl Provenance {
    fn of(e: FileEntry) -> Self {
        Provenance {
            origin: e.origin,
            retrieved: e.retrieved,
            capture: e.capture,
            warc: e.warc,
        }
    }

    fn is_empty(&self) -> bool {
        self.origin.is_unknown()
            && self.retrieved.is_unknown()
            && self.capture.is_empty()
            && self.warc.is_none()
    }
}

/// The superseded manifest, as far as the new one needs it.
pub(super) struct Previous {
    pub(super) path: PathBuf,
    pub(super) name: String,
    pub(super) position: Position,
    by_path: HashMap<RelPath, (Sha256Digest, Provenance)>,
    by_digest: HashMap<[u8; 32], Vec<Provenance>>,
}

/// What resealing did with the recorded provenance.
#[derive(Default)]
pub(super) struct Carry {
    /// Files whose provenance was carried over.
    pub(super) carried: usize,
    /// Files whose recorded provenance is dropped (content changed, no source).
    pub(super) dropped: Vec<String>,
    /// Files whose recorded provenance the sources list replaced.
    pub(super) replaced: Vec<String>,
}

impl Previous {
    /// Loads the manifest at `path`, whose signature must verify under the keys of `trust`.
    pub(super) fn load(path: &Path, trust: &TrustOptions) -> Result<Self> {
        let trusted = Trust::load(trust)?;
        let (m, _) = chain::load_verified(path, &trusted, "--previous")?;
        let position = chain::position(&m).ok_or_else(|| {
            Error::invalid(
                path,
                "records no sequence number, so the new manifest has no place after it; seal without --previous to start a chain",
            )
        })?;
        let mut by_path = HashMap::new();
        let mut by_digest: HashMap<[u8; 32], Vec<Provenance>> = HashMap::new();
        for entry in m.entries() {
            let e = entry?;
            let (path, digest) = (e.path.clone(), e.digest);
            let prov = Provenance::of(e);
            if prov.is_empty() {
                continue;
            }
            let same = by_digest.entry(*digest.as_bytes()).or_default();
            if !same.contains(&prov) {
                same.push(prov.clone());
            }
            by_path.insert(path, (digest, prov));
        }
        Ok(Previous {
            path: path.to_path_buf(),
            name: m.header.name.clone(),
            position,
            by_path,
            by_digest,
        })
    }

    /// Gives `entry` (with no source in the sources list) the provenance recorded for its
    /// content, and records a drop when there is none and its path had some.
    pub(super) fn carry(&self, entry: &mut FileEntry, carry: &mut Carry) {
        let old = self.by_path.get(&entry.path);
        let found = match old {
            Some((digest, prov)) if *digest == entry.digest => Some(prov),
            // Moved or copied: the same bytes elsewhere, with one recorded provenance.
            _ => match self
                .by_digest
                .get(entry.digest.as_bytes())
                .map(Vec::as_slice)
            {
                Some([prov]) => Some(prov),
                _ => None,
            },
        };
        match found {
            Some(prov) => {
                entry.origin = prov.origin.clone();
                entry.retrieved = prov.retrieved.clone();
                entry.capture = prov.capture.clone();
                entry.warc = prov.warc.clone();
                carry.carried += 1;
            }
            None if old.is_some() => carry.dropped.push(entry.path.to_string()),
            None => {}
        }
    }

    /// Notes that the sources list gave `entry` its provenance, replacing a recorded one.
    pub(super) fn sourced(&self, entry: &FileEntry, carry: &mut Carry) {
        if let Some((_, old)) = self.by_path.get(&entry.path)
            && (old.origin != entry.origin
                || old.retrieved != entry.retrieved
                || old.capture != entry.capture
                || old.warc != entry.warc)
        {
            carry.replaced.push(entry.path.to_string());
        }
    }
}

/// The refusal of a reseal that would drop provenance: the first few paths and a count.
pub(super) fn drop_refusal(previous: &Path, dropped: &[String]) -> Error {
    Error::invalid(
        previous,
        format!(
            "resealing would drop the recorded provenance of {} whose content changed and that the sources list does not name: {}; add them to the sources list, or pass --drop-provenance to record them as unknown",
            plural(dropped.len(), "file"),
            first_few(dropped)
        ),
    )
}

/// Up to five paths, quoted, and how many more.
pub(super) fn first_few(paths: &[String]) -> String {
    let shown: Vec<String> = paths
        .iter()
        .take(5)
        .map(|p| format!("\"{}\"", p.escape_debug()))
        .collect();
    match paths.len() {
        n if n > 5 => format!("{} and {} more", shown.join(", "), n - 5),
        _ => shown.join(", "),
    }
}
