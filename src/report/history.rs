//! The human form of `log` (each manifest of the chain in sequence order — sequence, created,
//! expires, signers, file count, root, digest — then what breaks the chain) and of `diff` (the
//! files added, removed, changed, moved and whose provenance changed). A manifest whose
//! signature is not valid is shown by its verdict only. Every value from a manifest is escaped
//! first; the JSON forms are the serde form of the reports (`docs/history.md`).

use std::io::{self, Write};

use super::human::signature_text;
use crate::audit::chain::{LogEntry, status_word};
use crate::audit::diff::Provenance;
use crate::audit::{DiffReport, LogReport};
use crate::error::Result;
use crate::sanitize::escape;

/// Writes the human form of a [`LogReport`].
pub fn render_log<W: Write>(w: &mut W, r: &LogReport) -> Result<()> {
    super::presenting(|_| write_log(w, r))
}

fn write_log<W: Write>(w: &mut W, r: &LogReport) -> io::Result<()> {
    if let Some(name) = &r.collection {
        writeln!(w, "collection {}", escape(name))?;
    }
    for e in &r.manifests {
        writeln!(w)?;
        write_entry(w, e)?;
    }
    writeln!(w)?;
    for p in &r.problems {
        writeln!(w, "problem    {}", escape(p))?;
    }
    if r.chain_ok {
        writeln!(
            w,
            "chain ok: {} manifests, every signature valid and every link checked",
            r.manifests.len()
        )?;
    } else {
        writeln!(w, "chain NOT ok: {} problems", r.problems.len())?;
    }
    Ok(())
}

fn write_entry<W: Write>(w: &mut W, e: &LogEntry) -> io::Result<()> {
    let Some(sequence) = e.sequence.filter(|_| e.signature.is_valid()) else {
        writeln!(w, "{}", escape(&e.manifest))?;
        if e.signature.is_valid() {
            writeln!(w, "  sequence   none")?;
        } else {
            writeln!(
                w,
                "  signature  {}: NOT verified, so nothing it says is shown",
                status_word(e.signature.status)
            )?;
        }
        return Ok(());
    };
    writeln!(w, "sequence {sequence}  {}", escape(&e.manifest))?;
    if let Some(created) = e.created {
        writeln!(w, "  created    {created}")?;
    }
    match e.expires {
        Some(t) => writeln!(w, "  expires    {t}")?,
        None => writeln!(w, "  expires    never")?,
    }
    writeln!(w, "  signature  {}", signature_text(&e.signature))?;
    if let Some(files) = e.files {
        writeln!(w, "  files      {files}")?;
    }
    if let Some(root) = e.root {
        writeln!(w, "  root       {root}")?;
    }
    writeln!(w, "  digest     {}", e.digest)?;
    match e.previous {
        Some(p) => writeln!(w, "  previous   {p}")?,
        None => writeln!(w, "  previous   none")?,
    }
    Ok(())
}

/// Writes the human form of a [`DiffReport`].
pub fn render_diff<W: Write>(w: &mut W, r: &DiffReport) -> Result<()> {
    super::presenting(|_| write_diff(w, r))
}

fn write_diff<W: Write>(w: &mut W, r: &DiffReport) -> io::Result<()> {
    for (label, side) in [("old", &r.old), ("new", &r.new)] {
        let seq = side
            .sequence
            .map_or("no sequence".to_string(), |s| format!("sequence {s}"));
        if side.signature.is_valid() {
            writeln!(
                w,
                "{label}  {} ({seq}; {})",
                escape(&side.manifest),
                signature_text(&side.signature)
            )?;
        } else {
            writeln!(
                w,
                "{label}  {}: signature {}; NOT compared",
                escape(&side.manifest),
                status_word(side.signature.status)
            )?;
        }
    }
    if !r.compared {
        return Ok(());
    }
    for e in &r.added {
        writeln!(
            w,
            "added       {} ({} bytes)",
            escape(e.path.as_str()),
            e.size
        )?;
    }
    for e in &r.removed {
        writeln!(w, "removed     {}", escape(e.path.as_str()))?;
    }
    for c in &r.changed {
        writeln!(
            w,
            "changed     {} (size {} -> {} bytes, sha256 {} -> {})",
            escape(&c.path),
            c.old.size,
            c.new.size,
            &c.old.digest.to_hex()[..12],
            &c.new.digest.to_hex()[..12]
        )?;
    }
    for m in &r.moved {
        writeln!(w, "moved       {} -> {}", escape(&m.from), escape(&m.to))?;
    }
    for p in &r.provenance_changed {
        let from = p
            .moved_from
            .as_ref()
            .map(|f| format!(" (moved from {})", escape(f)))
            .unwrap_or_default();
        writeln!(
            w,
            "provenance  {}{from}: {}",
            escape(&p.path),
            provenance_change(&p.old, &p.new)
        )?;
    }
    writeln!(
        w,
        "{} unchanged, {} added, {} removed, {} changed, {} moved, {} with provenance changed",
        r.unchanged,
        r.added.len(),
        r.removed.len(),
        r.changed.len(),
        r.moved.len(),
        r.provenance_changed.len()
    )
}

fn provenance_change(old: &Provenance, new: &Provenance) -> String {
    let mut parts = Vec::new();
    if old.origin != new.origin {
        parts.push(format!(
            "origin {} -> {}",
            escape(&old.origin.to_string()),
            escape(&new.origin.to_string())
        ));
    }
    if old.retrieved != new.retrieved {
        parts.push(format!("retrieved {} -> {}", old.retrieved, new.retrieved));
    }
    let changed = super::facts::changed(
        (&old.capture, old.warc.as_ref()),
        (&new.capture, new.warc.as_ref()),
    );
    for (label, a, b) in changed {
        let text = |v: Option<String>| v.map_or("none".to_string(), |v| escape(&v).to_string());
        parts.push(format!("{label} {} -> {}", text(a), text(b)));
    }
    parts.join("; ")
}
