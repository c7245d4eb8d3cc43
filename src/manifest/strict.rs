//! The strict reader: the manifest's TOML read by serde into structs that refuse every field they
//! do not know — the header, a batch of `[[file]]` tables, the signature block — with every value
//! validated and every error naming its line, after `toml10` has checked that the text is TOML
//! 1.0 with table headers spelled one way. It is the reference for what a manifest means; the
//! fast reader (`fast.rs`) only ever agrees with it or hands the text over to it.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::batches::FILE_LINE;
use super::canonical::SIGNATURE_LINE;
use super::head::HEADER_MAX;
use super::{
    Capture, DigestAlgorithm, FORMAT_VERSION, FileEntry, Header, Naming, OLDEST_FORMAT_VERSION,
    WarcOrigin, WarcVerified, toml10,
};
use crate::digest::{Sha256Digest, from_hex};
use crate::error::{Error, Result, line_of, toml_message};
use crate::provenance::{OriginUrl, Recorded, Timestamp, de_origin, de_time_canonical};
use crate::relpath::{self, RelPath};
use crate::trust::KeyId;
use crate::trust::note::NoteSignature;
use crate::trust::signature::ManifestSignature;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBody {
    format_version: Spanned<i64>,
    name: Spanned<String>,
    digest_algorithm: DigestAlgorithm,
    created: Spanned<String>,
    tool: Spanned<String>,
    collection: Spanned<String>,
    root: Sha256Digest,
    sequence: Option<Spanned<i64>>,
    previous: Option<Sha256Digest>,
    /// New in format version 2.
    expires: Option<Spanned<String>>,
    /// New in format version 2.
    naming: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    path: Spanned<RelPath>,
    size: u64,
    digest: Sha256Digest,
    #[serde(deserialize_with = "de_origin")]
    origin: Recorded<OriginUrl>,
    #[serde(deserialize_with = "de_time_canonical")]
    retrieved: Recorded<Timestamp>,
    final_url: Option<Spanned<String>>,
    http_status: Option<Spanned<i64>>,
    media_type: Option<Spanned<String>>,
    content_encoding: Option<Spanned<String>>,
    etag: Option<Spanned<String>>,
    last_modified: Option<Spanned<String>>,
    /// New in format version 3, as the three after it.
    warc_file: Option<Spanned<String>>,
    warc_record_id: Option<Spanned<String>>,
    warc_date: Option<Spanned<String>>,
    warc_verified: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignatures {
    #[serde(default)]
    signature: Vec<RawSignature>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignature {
    key_id: Spanned<String>,
    algorithm: Spanned<String>,
    signature: Spanned<String>,
    /// New in format version 2.
    checkpoint: Option<Spanned<String>>,
}

/// Only the version, read leniently so that a manifest of another version gets a clear message
/// instead of a complaint about fields this version does not know.
#[derive(Deserialize)]
struct VersionProbe {
    format_version: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFiles {
    file: Vec<RawFile>,
}

/// Parses the header: the text of the body before its first entry.
///
/// A header longer than [`HEADER_MAX`] is refused unparsed (after a look for a misspelled table
/// header in its first part, the likely reason); every header is checked to be TOML 1.0 first.
pub(super) fn parse_header(path: &Path, body: &str, header_end: usize) -> Result<Header> {
    if header_end > HEADER_MAX {
        let cut = body[..HEADER_MAX].rfind('\n').map_or(0, |i| i + 1);
        toml10::check(&body[..cut], FILE_LINE)
            .map_err(|(at, message)| Error::at_offset(path, body, at, message))?;
        return Err(Error::at_offset(
            path,
            body,
            cut,
            "the manifest header (the text before the first [[file]] line) is longer than 64 KiB; this is not a manifest docseal wrote",
        ));
    }
    let header_text = &body[..header_end];
    toml10::check(header_text, FILE_LINE)
        .map_err(|(at, message)| Error::at_offset(path, body, at, message))?;
    let raw: RawBody = toml::from_str(header_text).map_err(|e| {
        if let Ok(VersionProbe {
            format_version: Some(v),
        }) = toml::from_str::<VersionProbe>(header_text)
            && !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(v.get_ref())
        {
            return unsupported_version(path, body, &v);
        }
        Error::from_toml(path, body, &e)
    })?;
    let version = *raw.format_version.get_ref();
    if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(unsupported_version(path, body, &raw.format_version));
    }
    let at = |span: Range<usize>, msg: String| Error::at_offset(path, body, span.start, msg);
    let naming = match &raw.naming {
        None => None,
        Some(n) if version < 2 => return Err(at(n.span(), new_in_v2("naming"))),
        Some(n) => Some(Naming::parse(n.get_ref()).map_err(|m| at(n.span(), m))?),
    };
    let expires = match raw.expires {
        None => None,
        Some(e) if version < 2 => return Err(at(e.span(), new_in_v2("expires"))),
        Some(e) => Some(Timestamp::parse_canonical(e.get_ref()).map_err(|m| at(e.span(), m))?),
    };
    check_text(raw.name.get_ref(), "name").map_err(|m| at(raw.name.span(), m))?;
    check_text(raw.tool.get_ref(), "tool").map_err(|m| at(raw.tool.span(), m))?;
    check_collection(raw.collection.get_ref()).map_err(|m| at(raw.collection.span(), m))?;
    let created =
        Timestamp::parse_canonical(raw.created.get_ref()).map_err(|m| at(raw.created.span(), m))?;
    let sequence = match raw.sequence {
        None => None,
        Some(s) => Some(
            u64::try_from(*s.get_ref())
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| {
                    at(
                        s.span(),
                        format!("sequence {} is not a positive integer", s.get_ref()),
                    )
                })?,
        ),
    };
    Ok(Header {
        name: raw.name.into_inner(),
        digest_algorithm: raw.digest_algorithm,
        created,
        tool: raw.tool.into_inner(),
        collection_path: raw.collection.into_inner(),
        sequence,
        previous: raw.previous,
        expires,
        root_digest: raw.root,
        naming,
        format_version: version,
    })
}

/// The message for a field of format version 2 in a version-1 manifest, refused as a version-1
/// reader refuses it: as an unknown field.
pub(super) fn new_in_v2(field: &str) -> String {
    newer_field(field, 1)
}

/// The message for a field new in a later version than `version`, the manifest's (a WARC field
/// is new in version 3, every other one in version 2), refused as a reader of that version refuses
/// it: as an unknown field.
pub(super) fn newer_field(field: &str, version: i64) -> String {
    let since = if field.starts_with("warc_") { 3 } else { 2 };
    format!(
        "unknown field \"{field}\" in a format_version = {version} manifest (it is new in version {since}); a version-{version} manifest cannot hold it, so this manifest was edited"
    )
}

/// The message for an entry holding some of the four WARC fields but not all.
pub(super) fn warc_incomplete(missing: &[&str]) -> String {
    format!(
        "warc_file, warc_record_id, warc_date and warc_verified go together, and this entry lacks {}; give all four or none",
        missing.join(", ")
    )
}

/// A capture value that is text (a header as sent): non-empty, no control characters.
pub(super) fn check_capture_text(value: &str, field: &str) -> std::result::Result<(), String> {
    check_text(value, field)
}

/// An HTTP status code: 100 to 599.
pub(super) fn check_status(value: i64) -> std::result::Result<u16, String> {
    u16::try_from(value)
        .ok()
        .filter(|s| (100..=599).contains(s))
        .ok_or_else(|| format!("http_status {value} is not an HTTP status code (100 to 599)"))
}

/// Parses the batch of `[[file]]` tables at `range` of the body with serde: each entry with the
/// body offset of its `path` value (for messages).
pub(super) fn parse_files(
    path: &Path,
    body: &str,
    range: Range<usize>,
) -> Result<Vec<(FileEntry, usize)>> {
    let from = range.start;
    let text = &body[range];
    toml10::check(text, FILE_LINE)
        .map_err(|(at, message)| Error::at_offset(path, body, from + at, message))?;
    let raw: RawFiles = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(from, |s| from + s.start);
        let message = toml_message(&e);
        Error::at_offset(path, body, offset, message)
    })?;
    raw.file
        .into_iter()
        .map(|f| {
            let offset = from + f.path.span().start;
            let at =
                |span: Range<usize>, m: String| Error::at_offset(path, body, from + span.start, m);
            let text = |v: Option<Spanned<String>>, field: &str| {
                v.map(|v| {
                    check_capture_text(v.get_ref(), field).map_err(|m| at(v.span(), m))?;
                    Ok(v.into_inner())
                })
                .transpose()
            };
            let capture = Capture {
                final_url: f
                    .final_url
                    .map(|u| OriginUrl::parse(u.get_ref()).map_err(|m| at(u.span(), m)))
                    .transpose()?,
                http_status: f
                    .http_status
                    .map(|s| check_status(*s.get_ref()).map_err(|m| at(s.span(), m)))
                    .transpose()?,
                media_type: text(f.media_type, "media_type")?,
                content_encoding: text(f.content_encoding, "content_encoding")?,
                etag: text(f.etag, "etag")?,
                last_modified: text(f.last_modified, "last_modified")?,
            };
            let warc = match (f.warc_file, f.warc_record_id, f.warc_date, f.warc_verified) {
                (None, None, None, None) => None,
                (Some(file), Some(record_id), Some(date), Some(verified)) => {
                    let text = |v: Spanned<String>, field: &str| {
                        WarcOrigin::check_text(v.get_ref(), field).map_err(|m| at(v.span(), m))?;
                        Ok::<_, Error>(v.into_inner())
                    };
                    Some(WarcOrigin {
                        file: text(file, "warc_file")?,
                        record_id: text(record_id, "warc_record_id")?,
                        date: text(date, "warc_date")?,
                        verified: WarcVerified::from_words(verified.get_ref())
                            .map_err(|m| at(verified.span(), m))?,
                    })
                }
                (file, record_id, date, verified) => {
                    let spans = [
                        file.as_ref().map(Spanned::span),
                        record_id.as_ref().map(Spanned::span),
                        date.as_ref().map(Spanned::span),
                        verified.as_ref().map(Spanned::span),
                    ];
                    let missing: Vec<&str> = WarcOrigin::FIELDS
                        .iter()
                        .zip(&spans)
                        .filter(|(_, s)| s.is_none())
                        .map(|(f, _)| *f)
                        .collect();
                    let first = spans.into_iter().flatten().min_by_key(|s| s.start);
                    return Err(at(first.unwrap_or(0..0), warc_incomplete(&missing)));
                }
            };
            let entry = FileEntry {
                path: f.path.into_inner(),
                size: f.size,
                digest: f.digest,
                origin: f.origin,
                retrieved: f.retrieved,
                capture,
                warc,
            };
            Ok((entry, offset))
        })
        .collect()
}

fn unsupported_version(path: &Path, body: &str, v: &Spanned<i64>) -> Error {
    Error::at_offset(
        path,
        body,
        v.span().start,
        format!(
            "unsupported manifest format version {}; this docseal reads versions {OLDEST_FORMAT_VERSION} to {FORMAT_VERSION}, upgrade docseal to read it",
            v.get_ref()
        ),
    )
}

/// Parses the signature block, which starts at byte `offset` of the file `text`, of a manifest of
/// format version `version` (a `checkpoint` field is new in version 2).
pub(super) fn parse_signatures(
    path: &Path,
    text: &str,
    block: &str,
    offset: usize,
    version: i64,
) -> Result<Vec<ManifestSignature>> {
    // Parse the block on its own, but report lines of the whole file.
    toml10::check(block, SIGNATURE_LINE).map_err(|(at, message)| {
        Error::at_offset(
            path,
            text,
            offset + at,
            format!("in the signature block: {message}"),
        )
    })?;
    let raw: RawSignatures = toml::from_str(block).map_err(|e| {
        let shifted = e.span().map(|s| s.start + offset).unwrap_or(offset);
        let message = toml_message(&e);
        Error::at_offset(
            path,
            text,
            shifted,
            format!("in the signature block: {message}"),
        )
    })?;
    let mut seen: Vec<(KeyId, usize)> = Vec::new();
    raw.signature
        .into_iter()
        .map(|s| {
            let at = |span: Range<usize>, msg: String| {
                Error::at_offset(path, text, span.start + offset, msg)
            };
            if s.algorithm.get_ref() != "ed25519" {
                return Err(at(
                    s.algorithm.span(),
                    format!(
                        "unknown signature algorithm \"{}\"; this docseal supports \"ed25519\"",
                        s.algorithm.get_ref().escape_debug()
                    ),
                ));
            }
            let key_id = KeyId::parse(s.key_id.get_ref()).map_err(|m| at(s.key_id.span(), m))?;
            let line = line_of(text, s.key_id.span().start + offset);
            if let Some((_, first)) = seen.iter().find(|(id, _)| *id == key_id) {
                return Err(at(
                    s.key_id.span(),
                    format!(
                        "a second signature by key {key_id} (the first is on line {first}); a key signs a manifest once, so remove one of the two [[signature]] tables"
                    ),
                ));
            }
            seen.push((key_id, line));
            let bytes = from_hex::<64>(s.signature.get_ref()).ok_or_else(|| {
                at(
                    s.signature.span(),
                    "signature is not 128 lower-case hex digits".to_string(),
                )
            })?;
            let checkpoint = match s.checkpoint {
                None => None,
                // What a version-1 reader says of it: a field it does not know.
                Some(c) if version < 2 => {
                    return Err(at(
                        c.span(),
                        "in the signature block: unknown field \"checkpoint\" in a format_version = 1 manifest (checkpoint is new in version 2); restore the manifest as it was signed".to_string(),
                    ));
                }
                Some(c) => Some(NoteSignature::from_base64(c.get_ref()).ok_or_else(|| {
                    at(
                        c.span(),
                        "checkpoint is not the base64 of 68 bytes (a 4-byte key hash and a 64-byte Ed25519 signature, docs/manifest-format.md §12)".to_string(),
                    )
                })?),
            };
            Ok(ManifestSignature {
                key_id,
                bytes,
                checkpoint,
            })
        })
        .collect()
}

/// A name or tool string: non-empty, no control characters.
pub(crate) fn check_text(value: &str, field: &str) -> std::result::Result<(), String> {
    if value.is_empty() {
        return Err(format!("{field} is empty"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!(
            "{field} \"{}\" contains a control character",
            value.escape_debug()
        ));
    }
    Ok(())
}

/// The collection folder: `.`, or a relative `/`-separated path whose segments are `..` (the
/// collection is often beside the manifests folder), `.`, or what a segment of an entry path may be.
pub fn check_collection(value: &str) -> std::result::Result<(), String> {
    let segment_ok = |s: &str| s == ".." || s == "." || relpath::validate(s).is_ok();
    if value == "." || (!value.is_empty() && value.split('/').all(segment_ok)) {
        return Ok(());
    }
    Err(format!(
        "collection \"{}\" must be a relative \"/\"-separated folder path (e.g. \"../seeds\"); use --root to verify elsewhere",
        value.escape_debug()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_folders_may_climb_but_not_be_absolute_or_malformed() {
        for ok in [".", "..", "../seeds", "../../a/b", "a/./b", "col.tar.gz"] {
            assert!(check_collection(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "/abs", "a//b", "a/", "a\\b", "C:/x", "a\nb", "a\0b", "./",
        ] {
            assert!(check_collection(bad).is_err(), "{bad:?}");
        }
    }
}
