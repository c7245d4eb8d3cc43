//! The human form of `show`: the manifest's header, then each file's path, size, digest, origin
//! and retrieval time (or `unknown`), every value from the manifest escaped first.

use std::io::{self, Write};

use crate::audit::ShowReport;
use crate::error::Result;
use crate::sanitize::escape;

/// Writes the human form of a [`ShowReport`].
pub fn render<W: Write>(w: &mut W, r: &ShowReport) -> Result<()> {
    super::presenting(|_| write_show(w, r))
}

fn write_show<W: Write>(w: &mut W, r: &ShowReport) -> io::Result<()> {
    let h = &r.header;
    writeln!(w, "manifest    {}", escape(&r.manifest))?;
    writeln!(w, "name        {}", escape(&h.name))?;
    writeln!(w, "created     {}", h.created)?;
    writeln!(w, "tool        {}", escape(&h.tool))?;
    writeln!(w, "collection  {}", escape(&h.collection_path))?;
    writeln!(w, "algorithm   {}", h.digest_algorithm.as_str())?;
    writeln!(w, "root        {}", h.root_digest)?;
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
