//! A manifest's checkpoint (`docs/manifest-format.md` §12): the C2SP tlog-checkpoint note text
//! — origin line, entry count, base64 root — that names one manifest (its collection's name and
//! sequence, in the origin `docseal/<percent-encoded name>/<sequence>`) and its Merkle root, so
//! that one entry can be proven with an audit path. The origin is also the key name of the
//! checkpoint's signatures (`trust/note.rs` signs and checks them).

use std::fmt::Write as _;

use base64ct::{Base64, Encoding as _};

use super::Header;
use crate::digest::Sha256Digest;
use crate::trust::SecretKey;
use crate::trust::note::{self, NoteSignature};

/// What every docseal origin starts with.
pub const ORIGIN_PREFIX: &str = "docseal/";

/// The origin of the manifest of collection `name` at `sequence` (a manifest without one counts
/// as sequence 1): `docseal/` ‖ the name percent-encoded ‖ `/` ‖ the sequence in decimal. Every
/// byte of the name's UTF-8 other than `A–Z a–z 0–9 - . _ ~` is written `%XX` (upper-case hex),
/// so the origin holds no space, `+` or `/` of the name, and one name has one origin.
pub fn origin(name: &str, sequence: Option<u64>) -> String {
    let mut out = String::with_capacity(ORIGIN_PREFIX.len() + name.len() * 3 + 21);
    out.push_str(ORIGIN_PREFIX);
    for &b in name.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    let _ = write!(out, "/{}", sequence.unwrap_or(1));
    out
}

/// The collection name and sequence an origin names, when it is exactly what [`origin`] writes
/// for them (no other spelling of the same name is accepted).
pub fn parse_origin(text: &str) -> Option<(String, u64)> {
    let rest = text.strip_prefix(ORIGIN_PREFIX)?;
    let (encoded, sequence) = rest.rsplit_once('/')?;
    if sequence.starts_with('0') || !sequence.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sequence: u64 = sequence.parse().ok()?;
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut iter = encoded.bytes();
    while let Some(b) = iter.next() {
        if b == b'%' {
            let hex = [iter.next()?, iter.next()?];
            bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            bytes.push(b);
        }
    }
    let name = String::from_utf8(bytes).ok()?;
    (origin(&name, Some(sequence)) == text && !name.is_empty()).then_some((name, sequence))
}

/// The checkpoint note text of the manifest with `header` and `count` entries: the origin, the
/// count in decimal and the base64 of the recorded root, each line ending in `\n`.
pub fn note_text(header: &Header, count: usize) -> String {
    text_of(
        &origin(&header.name, header.sequence),
        count as u64,
        &header.root_digest,
    )
}

/// The note text of a checkpoint by its parts.
pub fn text_of(origin: &str, count: u64, root: &Sha256Digest) -> String {
    format!(
        "{origin}\n{count}\n{}\n",
        Base64::encode_string(root.as_bytes())
    )
}

/// Signs the checkpoint of the manifest with `header` and `count` entries with `key`, under the
/// origin as key name: what a `[[signature]]` table's `checkpoint` holds (format version 2).
/// `seal` and `sign` call this beside the signature over the body.
pub fn sign(header: &Header, count: usize, key: &SecretKey) -> NoteSignature {
    let origin = origin(&header.name, header.sequence);
    note::sign(
        key,
        &origin,
        &text_of(&origin, count as u64, &header.root_digest),
    )
}

/// The signed note: the note `text`, a blank line, and one signature line per signature.
pub fn signed_note<'a>(
    text: &str,
    signatures: impl IntoIterator<Item = &'a NoteSignature>,
) -> String {
    let origin = text.split('\n').next().unwrap_or_default();
    let mut out = format!("{text}\n");
    for sig in signatures {
        out.push_str(&note::signature_line(origin, sig));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_names_one_collection_and_sequence_and_reads_back() {
        assert_eq!(origin("seeds", None), "docseal/seeds/1");
        assert_eq!(origin("seeds", Some(12)), "docseal/seeds/12");
        assert_eq!(
            origin("a b+c/d%é", Some(3)),
            "docseal/a%20b%2Bc%2Fd%25%C3%A9/3"
        );
        for (name, seq) in [("seeds", 1), ("a b+c/d%é", 3), ("x/1", 7), ("~._-", 99)] {
            let o = origin(name, Some(seq));
            assert!(note::is_key_name(&o), "{o}");
            assert_eq!(parse_origin(&o), Some((name.to_string(), seq)));
        }
        for bad in [
            "docseal/seeds",
            "docseal/seeds/01",
            "docseal/seeds/",
            "docseal//1",
            "docseal/a%2fb/1",
            "docseal/a b/1",
            "docseal/%FF/1",
            "other/seeds/1",
            "docseal/seeds/1x",
        ] {
            assert_eq!(parse_origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_note_text_is_three_lines_ending_in_newlines() {
        let root = Sha256Digest::of(b"");
        assert_eq!(
            text_of("docseal/c/1", 3, &root),
            "docseal/c/1\n3\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
        );
    }
}
