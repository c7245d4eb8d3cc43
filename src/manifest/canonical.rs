//! The canonical text of a manifest: how docseal writes the header, the entries and the signature
//! block, and how a reader splits a manifest into the signed body and the signature block.

use std::fmt::Write as _;

use crate::digest::to_hex;
use crate::manifest::{FORMAT_VERSION, FileEntry, Header};
use crate::trust::signature::ManifestSignature;

/// The line that starts the signature block. Everything before its first occurrence at the start
/// of a line is the signed body.
pub const SIGNATURE_LINE: &str = "[[signature]]";

/// Splits manifest text into `(body, signature block, offset of the block)`. A manifest without a
/// signature line is all body and an empty block.
pub fn split(text: &str) -> (&str, &str, usize) {
    let bytes = text.as_bytes();
    let found = memchr::memmem::find_iter(bytes, SIGNATURE_LINE.as_bytes()).find(|&start| {
        let end = start + SIGNATURE_LINE.len();
        let at_line_start = start == 0 || bytes[start - 1] == b'\n';
        let at_line_end = end == bytes.len() || bytes[end] == b'\n';
        at_line_start && at_line_end
    });
    match found {
        Some(start) => (&text[..start], &text[start..], start),
        None => (text, "", text.len()),
    }
}

/// A TOML basic string: quoted, with `"`, `\` and control characters escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The signed body docseal writes for `header` and `files` (files must already be sorted).
pub fn body(header: &Header, files: &[FileEntry]) -> String {
    let mut out = header_text(header);
    out.reserve(files.len() * 220);
    for f in files {
        push_entry(&mut out, f);
    }
    out.push('\n');
    out
}

/// The header part of the body docseal writes: everything before the first entry.
pub fn header_text(header: &Header) -> String {
    let mut out = String::with_capacity(512);
    out.push_str(
        "# docseal manifest (docs/manifest-format.md). Every byte above the first\n\
         # \"[[signature]]\" line is signed: any edit invalidates the signatures.\n",
    );
    let _ = writeln!(out, "format_version = {FORMAT_VERSION}");
    let _ = writeln!(out, "name = {}", quote(&header.name));
    let _ = writeln!(
        out,
        "digest_algorithm = \"{}\"",
        header.digest_algorithm.as_str()
    );
    let _ = writeln!(out, "created = \"{}\"", header.created);
    let _ = writeln!(out, "tool = {}", quote(&header.tool));
    let _ = writeln!(out, "collection = {}", quote(&header.collection_path));
    let _ = writeln!(out, "{ROOT_KEY}{}\"", header.root_digest);
    if let Some(seq) = header.sequence {
        let _ = writeln!(out, "sequence = {seq}");
    }
    if let Some(prev) = &header.previous {
        let _ = writeln!(out, "previous = \"{prev}\"");
    }
    if let Some(expires) = &header.expires {
        let _ = writeln!(out, "expires = \"{expires}\"");
    }
    if let Some(naming) = header.naming {
        let _ = writeln!(out, "naming = \"{}\"", naming.as_str());
    }
    out
}

/// How the header's root line starts; the 64 hex digits follow. No other line of the header
/// text can contain it after a newline (quoted values hold no newline).
pub const ROOT_KEY: &str = "root = \"";

/// Appends one `[[file]]` table (with the blank line before it).
pub fn push_entry(out: &mut String, f: &FileEntry) {
    let _ = write!(
        out,
        "\n[[file]]\npath = {}\nsize = {}\ndigest = \"{}\"\norigin = {}\nretrieved = {}\n",
        quote(f.path.as_str()),
        f.size,
        f.digest,
        quote(&f.origin.to_string()),
        quote(&f.retrieved.to_string()),
    );
    let c = &f.capture;
    let strings = [
        ("final_url", c.final_url.as_ref().map(|u| u.as_str())),
        ("media_type", c.media_type.as_deref()),
        ("content_encoding", c.content_encoding.as_deref()),
        ("etag", c.etag.as_deref()),
        ("last_modified", c.last_modified.as_deref()),
    ];
    let [final_url, rest @ ..] = strings;
    if let Some(v) = final_url.1 {
        let _ = writeln!(out, "final_url = {}", quote(v));
    }
    if let Some(status) = c.http_status {
        let _ = writeln!(out, "http_status = {status}");
    }
    for (key, value) in rest {
        if let Some(v) = value {
            let _ = writeln!(out, "{key} = {}", quote_header(v));
        }
    }
    if let Some(w) = &f.warc {
        w.write_toml(out, quote);
    }
}

/// A header value as a TOML string: a literal string (`'W/"e1"'`, its bytes as they are) when
/// it holds a `"` or a backslash and no `'` (an ETag is quoted), else a basic string. Capture
/// strings hold no control character.
fn quote_header(v: &str) -> String {
    if v.contains(['"', '\\']) && !v.contains('\'') && !v.chars().any(char::is_control) {
        format!("'{v}'")
    } else {
        quote(v)
    }
}

/// One `[[signature]]` table, with the checkpoint signature last when there is one.
pub fn signature_block(sig: &ManifestSignature) -> String {
    let mut out = format!(
        "{SIGNATURE_LINE}\nkey_id = \"{}\"\nalgorithm = \"ed25519\"\nsignature = \"{}\"\n",
        sig.key_id,
        to_hex(&sig.bytes)
    );
    if let Some(cp) = &sig.checkpoint {
        let _ = writeln!(out, "checkpoint = \"{}\"", cp.to_base64());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_finds_the_first_signature_line_only_at_a_line_start() {
        let text = "a = \"[[signature]]\"\n[[signature]]\nkey_id = \"x\"\n";
        let (body, block, at) = split(text);
        assert_eq!(body, "a = \"[[signature]]\"\n");
        assert_eq!(block, "[[signature]]\nkey_id = \"x\"\n");
        assert_eq!(at, body.len());
        assert_eq!(split("x = 1\n"), ("x = 1\n", "", 6));
        // Not exactly the line: stays in the body, where strict parsing will refuse it.
        assert_eq!(split("[[signature]] # c\n").1, "");
    }

    #[test]
    fn quoted_strings_parse_back_to_the_same_value() {
        for s in [
            "plain",
            "quo\"te",
            "back\\slash",
            "tab\tnew\nline",
            "bell\u{7}",
            "ünï",
        ] {
            let doc = format!("v = {}\n", quote(s));
            let table: toml::Table = toml::from_str(&doc).unwrap();
            assert_eq!(table["v"].as_str().unwrap(), s);
        }
    }
}
