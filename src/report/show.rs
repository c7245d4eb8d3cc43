//! The human form of `show`: first what the signature check found (and against which trusted
//! keys) — with a warning above everything else when the manifest's signature is not valid or
//! was not checked — and a `key` line per signature, then the manifest's header, then each
//! file's path, size, digest, origin and retrieval time (or `unknown`) and, for a file docseal
//! fetched, what the HTTP exchange said (final URL, status, media type, encoding, ETag,
//! Last-Modified), every value from the manifest escaped first.

use std::io::{self, Write};

use super::human::{key_text, signature_text};
use crate::audit::ShowReport;
use crate::error::Result;
use crate::sanitize::escape;

/// Writes the human form of a [`ShowReport`].
pub fn render<W: Write>(w: &mut W, r: &ShowReport) -> Result<()> {
    super::presenting(|_| write_show(w, r))
}

fn write_show<W: Write>(w: &mut W, r: &ShowReport) -> io::Result<()> {
    let ids: Vec<String> = r
        .signature_key_ids
        .iter()
        .map(ToString::to_string)
        .collect();
    match &r.signature {
        Some(s) if s.is_valid() => writeln!(
            w,
            "signature   {}; checked against the trusted keys in {}",
            signature_text(s),
            places(&r.trusted_keys)
        )?,
        Some(s) => {
            writeln!(
                w,
                "WARNING: this manifest's signature is not valid: what follows is NOT verified provenance"
            )?;
            writeln!(
                w,
                "signature   {}; checked against the trusted keys in {}",
                signature_text(s),
                places(&r.trusted_keys)
            )?;
        }
        None => {
            writeln!(
                w,
                "WARNING: signature not checked (--no-verify): what follows is what the manifest says, NOT verified provenance"
            )?;
            if ids.is_empty() {
                writeln!(w, "signature   UNCHECKED: the manifest is not signed")?;
            } else {
                writeln!(
                    w,
                    "signature   UNCHECKED: key {} (run `docseal show` without --no-verify, or `docseal verify`, to check)",
                    ids.join(", ")
                )?;
            }
        }
    }
    for entry in r.signature.iter().flat_map(|s| &s.signatures) {
        writeln!(w, "key         {}", key_text(entry))?;
    }
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
    match &h.expires {
        Some(t) => writeln!(w, "expires     {t}")?,
        None => writeln!(w, "expires     never")?,
    }
    if let Some(n) = h.naming {
        writeln!(w, "naming      {}", n.as_str())?;
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
        for (label, value) in super::facts::recorded(&f.capture, f.warc.as_ref()) {
            let width = super::facts::LABEL_WIDTH;
            writeln!(w, "  {label:<width$}{}", escape(&value))?;
        }
    }
    for url in &r.unmatched_urls {
        writeln!(w)?;
        writeln!(w, "no file retrieved from {}", escape(url))?;
    }
    Ok(())
}

/// The trusted key files and folders, a relative one written `./keys` so that it reads as a
/// place.
fn places(paths: &[String]) -> String {
    paths
        .iter()
        .map(|p| {
            if p.starts_with('/') || p.starts_with("./") || p.starts_with("../") {
                escape(p).into_owned()
            } else {
                format!("./{}", escape(p))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
