//! What sealing did ([`SealReport`]) and how it is told: the summary on standard output (files,
//! bytes, the manifest written, the folder created for it, the key that signed, the root digest,
//! what lacks provenance) and one warning line per skipped entry, and per pair of names that
//! clash elsewhere, for standard error.

use std::io::{self, Write};
use std::path::PathBuf;

use serde::Serialize;

use crate::collection::{NameClash, Skipped};
use crate::digest::Sha256Digest;
use crate::error::Result;
use crate::provenance::Timestamp;
use crate::sanitize::escape;
use crate::trust::KeyId;

/// What sealing did.
#[derive(Clone, Debug, Serialize)]
pub struct SealReport {
    /// The folder or archive file sealed.
    pub collection: PathBuf,
    /// The manifest written.
    pub manifest: PathBuf,
    /// Number of files sealed.
    pub files: usize,
    /// Their total size in bytes.
    pub bytes: u64,
    /// Files sealed with an unknown origin or retrieval time.
    pub lacking_provenance: usize,
    /// Entries that are not regular files and were left out.
    pub skipped: Vec<Skipped>,
    /// The key that signed.
    pub key_id: KeyId,
    /// The collection root digest.
    pub root_digest: Sha256Digest,
    /// For an archive: the leading folder stripped from every entry, if any.
    pub stripped: Option<String>,
    /// Sealed paths that are equal ignoring case: one file on macOS and Windows.
    pub name_clashes: Vec<NameClash>,
    /// The folder created for the manifest (the default `manifests/`), if it did not exist.
    pub created_folder: Option<PathBuf>,
    /// True when an existing manifest was overwritten (`--force`) without `--previous`: its
    /// recorded provenance was not carried over.
    pub replaced_without_previous: bool,
    /// The manifest's sequence number.
    pub sequence: u64,
    /// The manifest it supersedes (`--previous`), if any.
    pub previous: Option<PathBuf>,
    /// When it expires, if it does.
    pub expires: Option<Timestamp>,
    /// Files whose recorded provenance was carried over from `previous`.
    pub carried: usize,
    /// Files whose recorded provenance was dropped (`--drop-provenance`).
    pub dropped: Vec<String>,
    /// Files whose recorded provenance the sources list replaced.
    pub replaced_by_sources: Vec<String>,
}

/// Writes the summary of a seal.
pub fn render<W: Write>(w: &mut W, done: &SealReport) -> Result<()> {
    super::presenting(|_| write_summary(w, done))
}

fn write_summary<W: Write>(w: &mut W, done: &SealReport) -> io::Result<()> {
    writeln!(
        w,
        "sealed {} ({} bytes) from {} into {}",
        super::plural(done.files, "file"),
        done.bytes,
        done.collection.display(),
        done.manifest.display()
    )?;
    if let Some(folder) = &done.created_folder {
        writeln!(w, "created folder {}/ for the manifest", folder.display())?;
    }
    if let Some(folder) = &done.stripped {
        writeln!(
            w,
            "leading folder {}/ of every entry left out of the paths (--strip-components 0 keeps it)",
            escape(folder)
        )?;
    }
    writeln!(
        w,
        "signed by key {}; root {}",
        done.key_id, done.root_digest
    )?;
    if let Some(previous) = &done.previous {
        writeln!(
            w,
            "sequence {}, after {}; provenance of {} unchanged files carried over",
            done.sequence,
            previous.display(),
            done.carried
        )?;
    }
    if !done.dropped.is_empty() {
        writeln!(
            w,
            "dropped the recorded provenance of {} files whose content changed (--drop-provenance)",
            done.dropped.len()
        )?;
    }
    if let Some(expires) = &done.expires {
        writeln!(w, "expires {expires}")?;
    }
    if done.lacking_provenance > 0 {
        writeln!(
            w,
            "{} of {} {} provenance (origin or retrieval time recorded as unknown)",
            done.lacking_provenance,
            super::plural(done.files, "file"),
            if done.lacking_provenance == 1 {
                "lacks"
            } else {
                "lack"
            }
        )?;
    }
    if !done.skipped.is_empty() {
        writeln!(
            w,
            "{} entries skipped: not regular files",
            done.skipped.len()
        )?;
    }
    Ok(())
}

/// Writes one warning line per skipped entry (for standard error).
pub fn render_warnings<W: Write>(w: &mut W, done: &SealReport) -> Result<()> {
    super::presenting(|_| {
        for s in &done.skipped {
            writeln!(
                w,
                "docseal: warning: skipped {}: {}",
                escape(&s.path),
                s.kind.describe()
            )?;
        }
        if done.replaced_without_previous {
            writeln!(
                w,
                "docseal: warning: replaced {} without --previous: the new manifest starts a chain again (sequence 1) and carries over none of the old one's provenance; to keep it, seal with --previous pointing at the old manifest",
                done.manifest.display()
            )?;
        }
        for p in &done.dropped {
            writeln!(
                w,
                "docseal: warning: dropped the recorded provenance of {} (its content changed, and the sources list does not name it; --drop-provenance)",
                escape(p)
            )?;
        }
        for p in &done.replaced_by_sources {
            writeln!(
                w,
                "docseal: note: the sources list replaced the recorded provenance of {}",
                escape(p)
            )?;
        }
        for c in &done.name_clashes {
            writeln!(
                w,
                "docseal: warning: {} and {} are {}",
                escape(&c.paths[0]),
                escape(&c.paths[1]),
                c.kind.describe()
            )?;
        }
        Ok(())
    })
}
