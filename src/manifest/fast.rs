//! A fast reader for `[[file]]` tables in exactly the canonical layout docseal writes
//! (`manifest/canonical.rs`). It accepts only text whose TOML meaning is plain — keys in the
//! canonical order, strings without escapes or control characters, decimal integers without
//! signs, underscores or leading zeros — and runs the same validation as the strict reader. For
//! anything else it gives up, and the strict TOML reader parses the batch (and reports the error,
//! if there is one). So it changes how fast a manifest is read, never what it means.

use super::merkle::{CaptureParts, LeafParts, WarcParts, leaf_hash_of};
use super::strict::{check_capture_text, check_status};
use super::summary::Checked;
use super::{Capture, FileEntry, WarcOrigin, WarcVerified};
use crate::digest::{Sha256Digest, from_hex};
use crate::provenance::{OriginUrl, Recorded, Timestamp, UNKNOWN, parse_recorded_time_canonical};
use crate::relpath::RelPath;

/// Parses a batch of canonical `[[file]]` tables starting at byte `from` of the body. Returns the
/// entries with the body offset of each `path` value, or `None` to leave the batch to the strict
/// reader.
pub(super) fn parse_batch(text: &str, from: usize) -> Option<Vec<(FileEntry, usize)>> {
    let mut entries = Vec::with_capacity(text.len() / 128 + 1);
    let mut at = 0;
    while at < text.len() {
        let (fields, next) = fields(text, at)?;
        let entry = FileEntry {
            path: RelPath::new(fields.path).ok()?,
            size: fields.size,
            digest: Sha256Digest::from_bytes(fields.digest),
            origin: fields.origin.parse::<Recorded<OriginUrl>>().ok()?,
            retrieved: parse_recorded_time_canonical(fields.retrieved).ok()?,
            capture: capture(&fields.capture)?,
            warc: warc(fields.warc)?,
        };
        entries.push((entry, from + fields.path_at));
        at = next;
    }
    Some(entries)
}

/// Checks each canonical `[[file]]` table of a batch as [`parse_batch`] does, without building
/// the entries: what [`super::summary::check_files`] needs of each, borrowed from the text. `None` for a
/// batch that is not in the canonical layout or does not pass (the strict reader then says why).
pub(super) fn check_batch(text: &str) -> Option<Vec<Checked<'_>>> {
    let mut checked = Vec::with_capacity(text.len() / 128 + 1);
    let mut at = 0;
    while at < text.len() {
        let (f, next) = fields(text, at)?;
        crate::relpath::validate(f.path).ok()?;
        let origin = known(f.origin);
        if let Some(url) = origin {
            OriginUrl::parse(url).ok()?;
        }
        let retrieved = known(f.retrieved);
        if let Some(time) = retrieved {
            Timestamp::parse_canonical(time).ok()?;
        }
        capture(&f.capture)?;
        warc(f.warc)?;
        let leaf = leaf_hash_of(&LeafParts {
            path: f.path,
            size: f.size,
            digest: &f.digest,
            origin,
            retrieved,
            capture: f.capture,
            warc: f.warc,
        });
        checked.push(Checked {
            path: f.path.into(),
            size: f.size,
            provenance: origin.is_some() && retrieved.is_some(),
            leaf,
            capture_at: (!f.capture.is_empty()).then_some(f.path_at),
            warc_at: f.warc.is_some().then_some(f.path_at),
        });
        at = next;
    }
    Some(checked)
}

/// The capture fields of a table, checked as the strict reader checks them.
fn capture(parts: &CaptureParts<'_>) -> Option<Capture> {
    let text = |v: Option<&str>, field: &str| match v {
        None => Some(None),
        Some(v) => check_capture_text(v, field)
            .ok()
            .map(|()| Some(v.to_string())),
    };
    Some(Capture {
        final_url: match parts.final_url {
            None => None,
            Some(u) => Some(OriginUrl::parse(u).ok()?),
        },
        http_status: match parts.http_status {
            None => None,
            Some(s) => Some(check_status(i64::from(s)).ok()?),
        },
        media_type: text(parts.media_type, "media_type")?,
        content_encoding: text(parts.content_encoding, "content_encoding")?,
        etag: text(parts.etag, "etag")?,
        last_modified: text(parts.last_modified, "last_modified")?,
    })
}

/// The WARC fields of a table, checked as the strict reader checks them: `Some(None)` when there
/// are none, `None` when they do not pass.
fn warc(parts: Option<WarcParts<'_>>) -> Option<Option<WarcOrigin>> {
    let Some(w) = parts else {
        return Some(None);
    };
    let text = |v: &str, field: &str| {
        WarcOrigin::check_text(v, field)
            .ok()
            .map(|()| v.to_string())
    };
    Some(Some(WarcOrigin {
        file: text(w.file, "warc_file")?,
        record_id: text(w.record_id, "warc_record_id")?,
        date: text(w.date, "warc_date")?,
        verified: w.verified,
    }))
}

/// The `warc_verified` arrays in the one spelling docseal writes, and their sets.
const VERIFIED: [(&[u8], u8); 6] = [
    (b"[]\n", 0),
    (b"[\"block\"]\n", WarcVerified::BLOCK),
    (b"[\"payload\"]\n", WarcVerified::PAYLOAD),
    (
        b"[\"payload-dechunked\"]\n",
        WarcVerified::PAYLOAD_DECHUNKED,
    ),
    (
        b"[\"block\", \"payload\"]\n",
        WarcVerified::BLOCK | WarcVerified::PAYLOAD,
    ),
    (
        b"[\"block\", \"payload-dechunked\"]\n",
        WarcVerified::BLOCK | WarcVerified::PAYLOAD_DECHUNKED,
    ),
];

/// A recorded value, `None` when it is the word for unknown.
fn known(value: &str) -> Option<&str> {
    (value != UNKNOWN).then_some(value)
}

/// The path, size and digest of each canonical `[[file]]` table of a batch, borrowed from the
/// text and not checked again (for a batch that [`parse_batch`] read before); `None` for a batch
/// that is not in the canonical layout.
pub(super) fn fixities(text: &str) -> Option<Vec<(&str, u64, [u8; 32])>> {
    let mut fixities = Vec::with_capacity(text.len() / 128 + 1);
    let mut at = 0;
    while at < text.len() {
        let (fields, next) = fields(text, at)?;
        fixities.push((fields.path, fields.size, fields.digest));
        at = next;
    }
    Some(fixities)
}

/// The values of one canonical `[[file]]` table, as they stand in the text.
struct Fields<'a> {
    path: &'a str,
    /// Offset of the path value (its opening quote) in the batch text.
    path_at: usize,
    size: u64,
    digest: [u8; 32],
    origin: &'a str,
    retrieved: &'a str,
    /// The capture fields present (format version 2), in their canonical order.
    capture: CaptureParts<'a>,
    /// The WARC fields (format version 3), all four, when present.
    warc: Option<WarcParts<'a>>,
}

/// Reads the table that starts at byte `at`; returns its values and where the next one starts.
fn fields(text: &str, at: usize) -> Option<(Fields<'_>, usize)> {
    let b = text.as_bytes();
    let at = expect(b, at, b"[[file]]\npath = \"")?;
    let path_at = at - 1;
    let (path, at) = string_value(text, at)?;
    let at = expect(b, at, b"size = ")?;
    let (size, at) = integer_value(b, at)?;
    let at = expect(b, at, b"digest = \"")?;
    let digest = from_hex::<32>(text.get(at..at + 64)?)?;
    let at = expect(b, at + 64, b"\"\norigin = \"")?;
    let (origin, at) = string_value(text, at)?;
    let at = expect(b, at, b"retrieved = \"")?;
    let (retrieved, mut at) = string_value(text, at)?;
    let mut capture = CaptureParts::default();
    let optional = |at: usize, key: &[u8]| expect(b, at, key);
    if let Some(from) = optional(at, b"final_url = \"") {
        let (v, next) = string_value(text, from)?;
        (capture.final_url, at) = (Some(v), next);
    }
    if let Some(from) = optional(at, b"http_status = ") {
        let (v, next) = integer_value(b, from)?;
        (capture.http_status, at) = (Some(u16::try_from(v).ok()?), next);
    }
    for (key, slot) in [
        (&b"media_type = "[..], &mut capture.media_type),
        (b"content_encoding = ", &mut capture.content_encoding),
        (b"etag = ", &mut capture.etag),
        (b"last_modified = ", &mut capture.last_modified),
    ] {
        if let Some(from) = optional(at, key) {
            // A header holding `"` (an ETag) is written as a literal string.
            let (v, next) = match b.get(from)? {
                b'"' => string_value(text, from + 1)?,
                b'\'' => literal_value(text, from + 1)?,
                _ => return None,
            };
            (*slot, at) = (Some(v), next);
        }
    }
    let mut warc = None;
    if let Some(from) = optional(at, b"warc_file = \"") {
        let (file, next) = string_value(text, from)?;
        let next = expect(b, next, b"warc_record_id = \"")?;
        let (record_id, next) = string_value(text, next)?;
        let next = expect(b, next, b"warc_date = \"")?;
        let (date, next) = string_value(text, next)?;
        let next = expect(b, next, b"warc_verified = ")?;
        let (bits, next) = VERIFIED
            .iter()
            .find_map(|(spelling, bits)| expect(b, next, spelling).map(|end| (*bits, end)))?;
        warc = Some(WarcParts {
            file,
            record_id,
            date,
            verified: WarcVerified::from_bits(bits)?,
        });
        at = next;
    }
    if b.get(at) == Some(&b'\n') {
        at += 1;
    }
    let fields = Fields {
        path,
        path_at,
        size,
        digest,
        origin,
        retrieved,
        capture,
        warc,
    };
    Some((fields, at))
}

/// The position after `literal`, if the text has it at `at`.
#[inline]
fn expect(b: &[u8], at: usize, literal: &[u8]) -> Option<usize> {
    let end = at + literal.len();
    (b.get(at..end)? == literal).then_some(end)
}

/// A string value from `at` (just after its opening quote) to the closing quote that ends its
/// line, if its TOML meaning is exactly its bytes (no escape, no control character); and the
/// position after the line.
fn string_value(text: &str, at: usize) -> Option<(&str, usize)> {
    let b = text.as_bytes();
    let end = at + memchr::memchr(b'"', b.get(at..)?)?;
    let value = text.get(at..end)?;
    let printable_ascii = value
        .bytes()
        .all(|c| (0x20..0x7f).contains(&c) && c != b'\\');
    if !printable_ascii && (value.contains('\\') || value.chars().any(char::is_control)) {
        return None;
    }
    Some((value, expect(b, end, b"\"\n")?))
}

/// A literal string value from `at` (just after its opening `'`) to the `'` that ends its line,
/// without control characters (its TOML meaning is exactly its bytes); and the position after
/// the line.
fn literal_value(text: &str, at: usize) -> Option<(&str, usize)> {
    let b = text.as_bytes();
    let end = at + memchr::memchr(b'\'', b.get(at..)?)?;
    let value = text.get(at..end)?;
    if value.chars().any(char::is_control) {
        return None;
    }
    Some((value, expect(b, end, b"'\n")?))
}

/// A plain decimal integer in TOML's (signed 64-bit) range from `at` to the end of its line;
/// and the position after the line.
fn integer_value(b: &[u8], at: usize) -> Option<(u64, usize)> {
    let end = at + memchr::memchr(b'\n', b.get(at..)?)?;
    let digits = &b[at..end];
    let plain = !digits.is_empty()
        && digits.iter().all(u8::is_ascii_digit)
        && (digits == b"0" || digits[0] != b'0');
    if !plain || digits.len() > 19 {
        return None;
    }
    let value = digits
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    (i64::try_from(value).is_ok()).then_some((value, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = "[[file]]\npath = \"a/b.txt\"\nsize = 12\n\
        digest = \"fd038300b6fc5309036ccd57625842cab563e7b1ca168c352719553ba770868e\"\n\
        origin = \"https://example.org/b\"\nretrieved = \"unknown\"\n\n";

    #[test]
    fn canonical_entries_are_read_with_their_path_offsets() {
        let text = format!("{ENTRY}{}", ENTRY.replace("a/b.txt", "c.txt"));
        let got = parse_batch(&text, 100).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0.path.as_str(), "a/b.txt");
        assert_eq!(got[0].0.size, 12);
        assert_eq!(got[0].1, 100 + "[[file]]\npath = ".len());
        assert!(got[1].0.retrieved.is_unknown());
    }

    #[test]
    fn capture_fields_are_read_in_their_canonical_order_and_an_escape_is_left_to_strict() {
        let v2 = ENTRY.replacen(
            "retrieved = \"unknown\"\n",
            "retrieved = \"unknown\"\nfinal_url = \"https://example.org/c\"\nhttp_status = 200\nmedia_type = \"text/plain\"\netag = \"W/e\"\n",
            1,
        );
        let got = parse_batch(&v2, 0).unwrap();
        let c = &got[0].0.capture;
        assert_eq!(c.http_status, Some(200));
        assert_eq!(c.etag.as_deref(), Some("W/e"));
        assert_eq!(
            c.final_url.as_ref().map(|u| u.as_str()),
            Some("https://example.org/c")
        );
        assert!(c.content_encoding.is_none() && c.last_modified.is_none());
        assert!(crate::manifest::differential::readers_agree(&v2).is_ok());
        // The canonical form of an ETag in quotes: a literal string, read as it stands.
        let quoted = v2.replacen("etag = \"W/e\"", "etag = 'W/\"e\"'", 1);
        let got = parse_batch(&quoted, 0).unwrap();
        assert_eq!(got[0].0.capture.etag.as_deref(), Some("W/\"e\""));
        assert!(crate::manifest::differential::readers_agree(&quoted).is_ok());
        for (from, to) in [
            ("etag = \"W/e\"", "etag = \"\\\"e\\\"\""),
            ("etag = \"W/e\"", "etag = '\"e\"\t'"),
            ("etag = \"W/e\"", "etag = '' "),
            (
                "http_status = 200\nmedia_type = \"text/plain\"",
                "media_type = \"text/plain\"\nhttp_status = 200",
            ),
            ("http_status = 200", "http_status = 70000"),
            ("etag = \"W/e\"", "etag = \"\""),
        ] {
            let text = v2.replacen(from, to, 1);
            assert!(parse_batch(&text, 0).is_none(), "{to:?} was accepted");
            assert!(crate::manifest::differential::readers_agree(&text).is_ok());
        }
    }

    #[test]
    fn anything_not_plainly_canonical_is_left_to_the_strict_reader() {
        for (from, to) in [
            ("size = 12", "size = 012"),
            ("size = 12", "size = 1_2"),
            ("size = 12", "size = +12"),
            ("size = 12", "size = 99999999999999999999"),
            ("a/b.txt", "a\\\\b.txt"),
            ("a/b.txt", "../b.txt"),
            ("a/b.txt", "a\tb.txt"),
            ("a/b.txt", "a\u{85}b.txt"),
            ("a/b.txt", "a\"b.txt"),
            ("size = 12\n", "size = 12\nextra = 1\n"),
            ("path = ", "path ="),
            ("\"unknown\"", "\"yesterday\""),
            ("[[file]]", "[[file]] # c"),
        ] {
            let text = ENTRY.replacen(from, to, 1);
            assert!(parse_batch(&text, 0).is_none(), "{to:?} was accepted");
        }
    }
}
