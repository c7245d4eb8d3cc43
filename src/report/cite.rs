//! The formats of a citation ([`Citation`]): plain text, BibTeX, BibLaTeX, CSL-JSON and a Robust
//! Link in HTML. None of them has a field for a digest, so each carries it where its readers keep
//! what they do not know: BibLaTeX and BibTeX a `sha256` field (ignored by the styles) and a
//! `note`, CSL-JSON its `custom` object, HTML a `data-sha256` attribute beside Robust Links'
//! `data-originalurl` and `data-versiondate`. The retrieval date is the UTC day of the sealed
//! retrieval time. A file imported from a WARC record names the record in the sealed copy's
//! words (and CSL-JSON in `custom`).

use std::io::Write;

use crate::audit::cite::Citation;
use crate::error::{Error, Result};

/// The formats `cite` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CiteFormat {
    /// One line of text.
    Text,
    /// A BibTeX `@misc` entry.
    Bibtex,
    /// A BibLaTeX `@online` entry.
    Biblatex,
    /// A CSL-JSON item (in an array, as reference managers import it).
    CslJson,
    /// A Robust Link.
    Html,
}

/// Writes the citation in `format`.
pub fn render<W: Write>(w: &mut W, c: &Citation, format: CiteFormat) -> Result<()> {
    let text = match format {
        CiteFormat::Text => text(c),
        CiteFormat::Bibtex => bibtex(c, "misc"),
        CiteFormat::Biblatex => bibtex(c, "online"),
        CiteFormat::CslJson => csl_json(c)?,
        CiteFormat::Html => html(c),
    };
    w.write_all(text.as_bytes()).map_err(Error::Output)
}

/// Writes why no citation is given (for standard error): the signature line and the reason.
pub fn render_refusal<W: Write>(w: &mut W, c: &Citation) -> Result<()> {
    writeln!(
        w,
        "signature  {}\nno citation from {}: its signature cannot be trusted, and a citation vouches for the digest it carries",
        super::human::signature_text(&c.signature),
        crate::sanitize::escape(&c.manifest)
    )
    .map_err(Error::Output)
}

fn url(c: &Citation) -> Option<String> {
    c.entry.origin.known().map(ToString::to_string)
}

/// The UTC day of the retrieval time, `YYYY-MM-DD`.
fn day(c: &Citation) -> Option<String> {
    c.entry
        .retrieved
        .known()
        .map(|t| t.to_string()[..10].to_string())
}

fn signers(c: &Citation) -> String {
    c.signers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The sealed copy, in words: digest, path, collection, root, signers, and the WARC record it
/// was imported from (the archived copy a reader can look up).
fn sealed_copy(c: &Citation) -> String {
    let warc = c
        .entry
        .warc
        .as_ref()
        .map(|w| {
            format!(
                ", from WARC record {} of {} dated {}",
                w.record_id, w.file, w.date
            )
        })
        .unwrap_or_default();
    format!(
        "sealed copy sha256:{} ({} in collection \"{}\", root {}, signed by key {}{warc})",
        c.entry.digest,
        c.entry.path,
        c.collection,
        c.root,
        signers(c)
    )
}

fn text(c: &Citation) -> String {
    let url = url(c).unwrap_or_else(|| "origin unknown".into());
    let day = day(c).map_or_else(
        || "retrieval date unknown".into(),
        |d| format!("retrieved {d}"),
    );
    format!("{url} ({day}; {})\n", sealed_copy(c))
}

/// A BibTeX or BibLaTeX value in braces, with the characters that end or escape a value escaped.
fn braced(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('{');
    for ch in s.chars() {
        match ch {
            '{' | '}' | '\\' | '%' | '#' | '&' | '_' | '$' | '~' | '^' => {
                out.push('\\');
                out.push(ch);
            }
            ch => out.push(ch),
        }
    }
    out.push('}');
    out
}

fn bibtex(c: &Citation, kind: &str) -> String {
    let key = format!("docseal-{}", &c.entry.digest.to_hex()[..16]);
    let mut fields: Vec<(&str, String)> = vec![("title", braced(c.entry.path.as_str()))];
    if let Some(url) = url(c) {
        if kind == "online" {
            fields.push(("url", format!("{{{url}}}")));
        } else {
            fields.push(("howpublished", format!("{{\\url{{{url}}}}}")));
        }
    }
    if let Some(day) = day(c)
        && kind == "online"
    {
        fields.push(("urldate", format!("{{{day}}}")));
    }
    fields.push(("sha256", format!("{{{}}}", c.entry.digest)));
    let accessed = day(c)
        .map(|d| format!("Accessed: {d}. "))
        .unwrap_or_default();
    let note = match kind {
        "online" => braced(&sealed_copy(c)),
        _ => braced(&format!("{accessed}{}", sealed_copy(c))),
    };
    fields.push(("note", note));
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("  {k} = {v}")).collect();
    format!("@{kind}{{{key},\n{}\n}}\n", body.join(",\n"))
}

fn csl_json(c: &Citation) -> Result<String> {
    let mut item = serde_json::json!({
        "id": format!("docseal-{}", &c.entry.digest.to_hex()[..16]),
        "type": "webpage",
        "title": c.entry.path.as_str(),
        "custom": {
            "sha256": c.entry.digest.to_hex(),
            "docseal_collection": c.collection,
            "docseal_root": c.root.to_hex(),
            "docseal_signers": c.signers.iter().map(ToString::to_string).collect::<Vec<_>>(),
        },
    });
    if let Some(url) = url(c) {
        item["URL"] = url.into();
    }
    if let Some(w) = &c.entry.warc {
        item["custom"]["docseal_warc_file"] = w.file.clone().into();
        item["custom"]["docseal_warc_record_id"] = w.record_id.clone().into();
        item["custom"]["docseal_warc_date"] = w.date.clone().into();
    }
    if let Some(t) = c.entry.retrieved.known() {
        let t = t.as_offset_date_time();
        item["accessed"] =
            serde_json::json!({ "date-parts": [[t.year(), u8::from(t.month()), t.day()]] });
    }
    let text = serde_json::to_string_pretty(&[item])
        .map_err(|e| Error::Internal(format!("cannot write CSL-JSON: {e}")))?;
    Ok(format!("{text}\n"))
}

/// Text for an HTML attribute value or element content.
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html(c: &Citation) -> String {
    let url = url(c).unwrap_or_default();
    let date = day(c)
        .map(|d| format!(" data-versiondate=\"{d}\""))
        .unwrap_or_default();
    format!(
        "<a href=\"{u}\" data-originalurl=\"{u}\"{date} data-sha256=\"{}\" title=\"{}\">{}</a>\n",
        c.entry.digest,
        html_escape(&sealed_copy(c)),
        html_escape(c.entry.path.as_str()),
        u = html_escape(&url),
    )
}
