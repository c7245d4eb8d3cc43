//! A fast reader for `[[file]]` tables in exactly the canonical layout docseal writes
//! (`manifest/canonical.rs`). It accepts only text whose TOML meaning is plain — keys in the
//! canonical order, strings without escapes or control characters, decimal integers without
//! signs, underscores or leading zeros — and runs the same validation as the strict reader. For
//! anything else it gives up, and the strict TOML reader parses the batch (and reports the error,
//! if there is one). So it changes how fast a manifest is read, never what it means.

use crate::digest::Sha256Digest;
use crate::manifest::FileEntry;
use crate::provenance::{OriginUrl, Recorded, parse_recorded_time_canonical};
use crate::relpath::RelPath;

/// Parses a batch of canonical `[[file]]` tables starting at byte `from` of the body. Returns the
/// entries with the body offset of each `path` value, or `None` to leave the batch to the strict
/// reader.
pub(super) fn parse_batch(text: &str, from: usize) -> Option<Vec<(FileEntry, usize)>> {
    let mut entries = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        rest = rest.strip_prefix("[[file]]\n")?;
        let path_at = from + (text.len() - rest.len()) + "path = ".len();
        let (path, r) = string_line(rest, "path = ")?;
        let (size, r) = integer_line(r, "size = ")?;
        let (digest, r) = string_line(r, "digest = ")?;
        let (origin, r) = string_line(r, "origin = ")?;
        let (retrieved, r) = string_line(r, "retrieved = ")?;
        rest = r.strip_prefix('\n').unwrap_or(r);
        let entry = FileEntry {
            path: RelPath::new(path).ok()?,
            size,
            digest: digest.parse::<Sha256Digest>().ok()?,
            origin: origin.parse::<Recorded<OriginUrl>>().ok()?,
            retrieved: parse_recorded_time_canonical(retrieved).ok()?,
        };
        entries.push((entry, path_at));
    }
    Some(entries)
}

/// `KEY"value"\n` with a value that means exactly its bytes in TOML.
fn string_line<'a>(text: &'a str, key: &str) -> Option<(&'a str, &'a str)> {
    let rest = text.strip_prefix(key)?.strip_prefix('"')?;
    let bytes = rest.as_bytes();
    // One pass over the bytes: printable ASCII is taken as is; a value with other bytes is
    // checked character by character (a control character or an escape sends the batch to the
    // strict reader).
    let mut ascii = true;
    let end = bytes.iter().position(|&b| {
        ascii &= (0x20..0x7f).contains(&b);
        b == b'"' || b == b'\n' || b == b'\\' || b < 0x20
    })?;
    if bytes[end] != b'"' {
        return None;
    }
    let value = &rest[..end];
    if !ascii && value.chars().any(char::is_control) {
        return None;
    }
    Some((value, rest[end..].strip_prefix("\"\n")?))
}

/// `KEY123\n` with a plain decimal integer in TOML's (signed 64-bit) range.
fn integer_line<'a>(text: &'a str, key: &str) -> Option<(u64, &'a str)> {
    let rest = text.strip_prefix(key)?;
    let end = rest.find('\n')?;
    let digits = &rest[..end];
    let plain = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if !plain {
        return None;
    }
    let value: i64 = digits.parse().ok()?;
    Some((u64::try_from(value).ok()?, &rest[end + 1..]))
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
