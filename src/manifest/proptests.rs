//! Property tests of the two `[[file]]` readers: on canonical batches written by
//! `manifest/canonical.rs` and on random edits of them, whatever the fast reader (`fast.rs`)
//! accepts, the strict TOML reader (`strict.rs`) reads the same way — same entries, same offsets,
//! same Merkle leaves (`differential.rs`) — so that the fast path changes how fast a manifest is
//! read, never what it means.

use proptest::prelude::*;

use super::{FileEntry, canonical, differential, fast};
use crate::digest::Sha256Digest;
use crate::provenance::{OriginUrl, Recorded, Timestamp};
use crate::relpath::RelPath;

/// A path segment: plain characters, a few that need care in TOML or in paths, some non-ASCII.
fn segment() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9._ #=-]{1,8}|[ñü日\u{301}\u{200b}]{1,3}")
        .expect("a valid regex")
        .prop_filter("not . or ..", |s| s != "." && s != "..")
}

fn entry() -> impl Strategy<Value = FileEntry> {
    (
        proptest::collection::vec(segment(), 1..4),
        // A TOML integer is 64-bit signed: no reader takes a size above i64::MAX (8 EiB).
        0..=i64::MAX as u64,
        any::<[u8; 32]>(),
        proptest::option::of("[a-z]{1,8}"),
        proptest::option::of(0i64..4_000_000_000),
        // Capture fields (format version 2): a status, an ETag (with quotes and backslashes,
        // written as a literal string; without `'`, which would need a basic string with
        // escapes, left by the fast reader to the strict one) and a media type.
        proptest::option::of((
            proptest::option::of(100u16..600),
            proptest::option::of("W/[!-&(-~]{1,10}"),
            proptest::option::of("[a-z]{1,6}/[a-z]{1,6}(; charset=[a-z0-9-]{1,8})?"),
        )),
        // The WARC fields (format version 3): a file name, a record ID, a date of any
        // precision and a set of digests verified (some bytes are not sets docseal writes).
        proptest::option::of((
            "[a-z0-9._-]{1,12}\\.warc(\\.gz)?",
            "<urn:uuid:[0-9a-f-]{1,36}>",
            "[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?Z)?)?)?",
            0u8..6,
        )),
    )
        .prop_filter_map(
            "a valid path",
            |(segments, size, digest, origin, time, capture, warc)| {
                let path = RelPath::new(&segments.join("/")).ok()?;
                let origin = match origin {
                    Some(host) => Recorded::Known(
                        OriginUrl::parse(&format!("https://{host}.example/x?q=1")).ok()?,
                    ),
                    None => Recorded::Unknown,
                };
                let retrieved = match time {
                    Some(t) => {
                        let at = time::OffsetDateTime::from_unix_timestamp(t).ok()?;
                        let text = at
                            .format(&time::format_description::well_known::Rfc3339)
                            .ok()?;
                        Recorded::Known(Timestamp::parse_canonical(&text).ok()?)
                    }
                    None => Recorded::Unknown,
                };
                let final_url = origin.known().cloned();
                Some(FileEntry {
                    path,
                    size,
                    digest: Sha256Digest::from_bytes(digest),
                    origin,
                    retrieved,
                    capture: match capture {
                        None => Default::default(),
                        Some((http_status, etag, media_type)) => crate::manifest::Capture {
                            final_url,
                            http_status,
                            etag,
                            media_type,
                            ..Default::default()
                        },
                    },
                    warc: match warc {
                        None => None,
                        Some((file, record_id, date, bits)) => {
                            crate::provenance::parse_warc_date(&date).ok()?;
                            Some(crate::provenance::WarcOrigin {
                                file,
                                record_id,
                                date,
                                verified: crate::provenance::WarcVerified::from_bits(
                                    [0, 1, 2, 4, 3, 5][usize::from(bits)],
                                )?,
                            })
                        }
                    },
                })
            },
        )
}

/// A batch as it stands in a manifest: canonical `[[file]]` tables, one blank line apart.
fn batch_text(entries: &[FileEntry]) -> String {
    let mut text = String::new();
    for e in entries {
        canonical::push_entry(&mut text, e);
    }
    text.push('\n');
    text.split_off(1)
}

/// One edit of a batch's text.
#[derive(Clone, Debug)]
enum Edit {
    /// Replace the byte at (a fraction of) the length by one of the interesting ones.
    Byte(usize, u8),
    /// Insert a snippet.
    Insert(usize, &'static str),
    /// Delete a run of bytes.
    Delete(usize, usize),
}

const SNIPPETS: &[&str] = &[
    " ",
    "\t",
    "\n",
    "\r\n",
    "#",
    " # c",
    "\"",
    "'",
    "\\",
    "\\u0061",
    "\\x61",
    "\\e",
    "_",
    "0",
    "+",
    "-",
    "1e3",
    "0x1",
    "[[file]]\n",
    "[file]\n",
    "size = 1\n",
    "path = \"a\"\n",
    "=",
    ".",
    "/",
    "..",
    "\u{feff}",
    "\u{85}",
    "unknown",
    "warc_file = \"w.warc\"\n",
    "warc_verified = [\"payload\", \"block\"]\n",
    "[\"bogus\"]",
    "\"\"\"",
    "inf",
    "nan",
];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (
            any::<usize>(),
            prop::sample::select(b" \t\n\"'\\#=_+-.0123456789aZ[]{},/\x7f".to_vec())
        )
            .prop_map(|(at, b)| Edit::Byte(at, b)),
        (any::<usize>(), prop::sample::select(SNIPPETS)).prop_map(|(at, s)| Edit::Insert(at, s)),
        (any::<usize>(), 1usize..12).prop_map(|(at, n)| Edit::Delete(at, n)),
    ]
}

/// `text` with `edit` applied, at a character boundary; `None` when the result is not UTF-8.
fn apply(text: &str, edit: &Edit) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    let at = |i: usize, len: usize| if len == 0 { 0 } else { i % (len + 1) };
    match *edit {
        Edit::Byte(i, b) if !bytes.is_empty() => {
            let i = i % bytes.len();
            bytes[i] = b;
        }
        Edit::Byte(..) => {}
        Edit::Insert(i, s) => {
            let i = at(i, bytes.len());
            bytes.splice(i..i, s.bytes());
        }
        Edit::Delete(i, n) => {
            let i = at(i, bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
    }
    String::from_utf8(bytes).ok()
}

/// The fast reader's verdict on `text` must be the strict reader's whenever the fast one reads.
fn readers_agree(text: &str) -> Result<(), TestCaseError> {
    differential::readers_agree(text).map_err(TestCaseError::fail)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn both_readers_read_a_canonical_batch_alike(entries in proptest::collection::vec(entry(), 1..6)) {
        let text = batch_text(&entries);
        let read = fast::parse_batch(&text, 0);
        prop_assert!(read.is_some(), "the fast reader refused canonical text:\n{}", text);
        let read: Vec<FileEntry> = read.unwrap_or_default().into_iter().map(|(e, _)| e).collect();
        prop_assert_eq!(&read, &entries);
        readers_agree(&text)?;
    }

    #[test]
    fn the_fast_reader_reads_an_edited_batch_as_the_strict_reader_does_or_not_at_all(
        entries in proptest::collection::vec(entry(), 1..4),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let mut text = batch_text(&entries);
        for e in &edits {
            match apply(&text, e) {
                Some(t) => text = t,
                None => return Ok(()),
            }
        }
        readers_agree(&text)?;
    }
}
