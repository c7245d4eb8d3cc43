//! `show`: the provenance recorded in a manifest — its header and, for every file or the files
//! asked for, path, size, digest, origin and retrieval time — without touching the collection.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::keys::KeyId;
use crate::manifest::{FileEntry, Header, Manifest};
use crate::sanitize::escape;

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
                found.cloned().ok_or_else(|| {
                    Error::Usage(format!(
                        "{}: no file \"{}\" in this manifest; run `docseal show {}` to list its files",
                        path.display(),
                        escape(p),
                        path.display()
                    ))
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

/// Writes the human form of a [`ShowReport`].
pub fn render<W: Write>(w: &mut W, r: &ShowReport) -> io::Result<()> {
    let h = &r.header;
    writeln!(w, "manifest    {}", escape(&r.manifest))?;
    writeln!(w, "name        {}", escape(&h.name))?;
    writeln!(w, "created     {}", h.created)?;
    writeln!(w, "tool        {}", escape(&h.tool))?;
    writeln!(w, "collection  {}", escape(&h.collection))?;
    writeln!(w, "algorithm   {}", h.digest_algorithm.as_str())?;
    writeln!(w, "root        {}", h.root)?;
    match h.sequence {
        Some(s) => writeln!(w, "sequence    {s}")?,
        None => writeln!(w, "sequence    none")?,
    }
    match &h.previous {
        Some(p) => writeln!(w, "previous    {p}")?,
        None => writeln!(w, "previous    none")?,
    }
    let ids: Vec<String> = r
        .signature_key_ids
        .iter()
        .map(ToString::to_string)
        .collect();
    if ids.is_empty() {
        writeln!(w, "signatures  none")?;
    } else {
        writeln!(
            w,
            "signatures  key {} (not checked here; `docseal verify` checks them)",
            ids.join(", ")
        )?;
    }
    let lacking = r.files.iter().filter(|f| !f.has_provenance()).count();
    writeln!(
        w,
        "files       {} ({lacking} lacking provenance)",
        r.files.len()
    )?;
    for f in &r.files {
        writeln!(w)?;
        writeln!(w, "{}", escape(f.path.as_str()))?;
        writeln!(w, "  size       {}", f.size)?;
        writeln!(w, "  sha256     {}", f.digest)?;
        writeln!(w, "  origin     {}", escape(&f.origin.to_string()))?;
        writeln!(w, "  retrieved  {}", f.retrieved)?;
    }
    Ok(())
}
