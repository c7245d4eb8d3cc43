//! What a manifest says, byte for byte: its header, its `[[file]]` entries and its signatures,
//! read strictly from the TOML text specified in `docs/manifest-format.md` (unknown fields,
//! versions and algorithms are errors; paths that could leave the collection are refused) and
//! written back canonically.
//!
//! The files of this area: `head` (what is plainly not a manifest, refused from its first bytes;
//! the size bounds), `toml10` (exactly TOML 1.0, table headers spelled one way), `strict` (the
//! serde reader, the reference for what a manifest means), `fast` (a reader for the canonical
//! layout that only ever agrees with it), `batches` (how the entries are found and read again),
//! `summary` (the passes that check them all), `canonical` (the writer) and `merkle` (the root
//! digest). The entries are parsed only once the signature check allows it ([`Verdict`]). Nothing here reads a collection or checks a
//! signature's verdict (that is `trust`).

mod batches;
pub mod canonical;
pub mod checkpoint;
#[cfg(any(test, feature = "fuzzing"))]
pub mod differential;
mod fast;
mod head;
pub mod merkle;
#[cfg(test)]
mod proptests;
mod strict;
mod summary;
mod toml10;

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::digest::Sha256Digest;
use crate::error::{Error, Result};
use crate::fsio;
pub use crate::provenance::{Capture, Naming, WarcOrigin, WarcVerified};
use crate::provenance::{OriginUrl, Recorded, Timestamp};
use crate::relpath::RelPath;
use crate::trust::Trust;
use crate::trust::signature::{ManifestSignature, SIGNED_PREFIX, SignatureReport, Signed};

pub use batches::{Entries, EntryFixity, Fixities, Reread};
pub use strict::check_collection;
pub(crate) use strict::check_text;
pub use summary::Summary;

/// The manifest format version this docseal writes. It reads this one, version 2, which lacks
/// the WARC fields of `[[file]]` (`docs/manifest-format.md` §11), and version 1, which also lacks
/// the fields new in version 2 (the header's `expires` and `naming`, the capture fields of
/// `[[file]]`; §12).
pub const FORMAT_VERSION: i64 = 3;

/// The oldest manifest format version this docseal reads.
pub const OLDEST_FORMAT_VERSION: i64 = 1;

/// The digest algorithm of a manifest's file digests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestAlgorithm {
    /// SHA-256 (FIPS 180-4).
    Sha256,
}

impl DigestAlgorithm {
    /// The name written in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha256",
        }
    }
}

impl<'de> Deserialize<'de> for DigestAlgorithm {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "sha256" => Ok(DigestAlgorithm::Sha256),
            other => Err(serde::de::Error::custom(format!(
                "unknown digest algorithm \"{}\"; this docseal supports \"sha256\"",
                other.escape_debug()
            ))),
        }
    }
}

/// The header: everything about the collection as a whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Header {
    /// The collection's name.
    pub name: String,
    /// The algorithm of every file digest.
    pub digest_algorithm: DigestAlgorithm,
    /// When the manifest was made (UTC).
    pub created: Timestamp,
    /// The program that made it, e.g. `docseal 0.1.0`.
    pub tool: String,
    /// The collection folder (or archive file), relative to the manifest's own folder,
    /// `/`-separated (`collection` in the manifest).
    #[serde(rename = "collection")]
    pub collection_path: String,
    /// Position in the collection's chain of manifests (1 for the first), if recorded.
    pub sequence: Option<u64>,
    /// Digest of the signed body of the manifest this one supersedes, if any.
    pub previous: Option<Sha256Digest>,
    /// When the manifest stops being valid, if it expires (format version 2).
    pub expires: Option<Timestamp>,
    /// The collection root digest (see [`merkle`]) as recorded (`root` in the manifest).
    #[serde(rename = "root")]
    pub root_digest: Sha256Digest,
    /// The naming scheme the collection's file names follow, if it declares one (format
    /// version 2): `verify` then checks every name against its file's content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub naming: Option<Naming>,
    /// The format version the manifest was read as (what docseal writes: [`FORMAT_VERSION`]).
    #[serde(skip)]
    pub format_version: i64,
}

/// One sealed file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    /// Where the file is inside the collection.
    pub path: RelPath,
    /// Its size in bytes.
    pub size: u64,
    /// Its digest.
    pub digest: Sha256Digest,
    /// Where it was retrieved from (`null` in JSON when unknown).
    pub origin: Recorded<OriginUrl>,
    /// When it was retrieved (`null` in JSON when unknown).
    pub retrieved: Recorded<Timestamp>,
    /// What the HTTP exchange that captured it said, when docseal captured it (format
    /// version 2; left out of JSON when empty).
    #[serde(skip_serializing_if = "Capture::is_empty")]
    pub capture: Capture,
    /// The WARC record it was imported from, when `docseal import-warc` imported it (format
    /// version 3; left out of JSON when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warc: Option<WarcOrigin>,
}

impl FileEntry {
    /// True when both the origin and the retrieval time are known.
    pub fn has_provenance(&self) -> bool {
        !self.origin.is_unknown() && !self.retrieved.is_unknown()
    }
}

/// A parsed manifest together with the exact bytes its signatures cover.
///
/// The entries are not kept parsed: a manifest of 10⁶ entries would take several times the size
/// of its text. Loading checks every entry once and records what verification needs in a
/// [`Summary`]; [`Manifest::entries`] parses them again, a batch at a time, from the text (which
/// the signatures cover, so it is kept anyway).
#[derive(Clone, Debug)]
pub struct Manifest {
    /// The header.
    pub header: Header,
    /// The signatures, in the order they appear.
    pub signatures: Vec<ManifestSignature>,
    /// Facts about the entries, gathered while they were checked.
    pub summary: Summary,
    /// [`SIGNED_PREFIX`] followed by the whole manifest file, so that the signed message is one
    /// slice and never copied (it is most of a large manifest's size).
    text: String,
    /// The length of the signed body, which starts the file.
    body_len: usize,
    /// The checkpoint's note text (format version 2), which the signatures' `checkpoint` cover.
    checkpoint: Option<String>,
    /// The byte ranges of the body that hold the batches of `[[file]]` tables, in order.
    batches: Vec<Range<usize>>,
    /// The file it was read from, for messages.
    path: PathBuf,
}

/// What a signature check (the `check` of [`Manifest::load_checking`]) said, as far as loading
/// is concerned: whether the entries may be read. The entries of a manifest that no trusted key
/// vouches for are never parsed — anyone can hand docseal a manifest, and the TOML parser's work
/// and memory grow with what it is given.
pub trait Verdict {
    /// True when the entries may be parsed and checked.
    fn trusts_entries(&self) -> bool;
}

/// No signature check: the caller wants the entries read (`show --no-verify`, unsigned paths).
impl Verdict for () {
    fn trusts_entries(&self) -> bool {
        true
    }
}

impl Verdict for SignatureReport {
    fn trusts_entries(&self) -> bool {
        self.is_valid()
    }
}

impl Manifest {
    /// Reads and parses the manifest at `path`, entries included.
    pub fn load(path: &Path) -> Result<Self> {
        Ok(Self::load_checking(path, |_, _| ())?.0)
    }

    /// Reads the manifest at `path` and runs `check` on the signed message and the signatures
    /// (the signature check) before its entries are parsed: they are parsed and checked only
    /// when `check`'s result [trusts them](Verdict::trusts_entries) (else
    /// [`Summary::entries_checked`] is false). The header and the signature block are parsed
    /// first (both are bounded), and the file is refused early when it is plainly not a manifest
    /// (`manifest/head.rs`). While `check` runs, the entries in the canonical layout are checked
    /// on the other threads (bounded work whatever the text: see `summary.rs`). `check`'s result
    /// is returned with the manifest, unless the manifest is malformed.
    pub fn load_checking<T: Send + Verdict>(
        path: &Path,
        check: impl FnOnce(&Signed<'_>, &[ManifestSignature]) -> T + Send,
    ) -> Result<(Self, T)> {
        Self::load_judging(path, |_, signed, signatures| check(signed, signatures))
    }

    /// Reads the manifest at `path` and judges its signatures by `trust` (the trusted keys, their
    /// revocations, and what the run requires: [`Trust::check`]), as
    /// [`Manifest::load_checking`] does: the entries are parsed only when the verdict is valid.
    /// Every command that checks a signature loads through this.
    pub fn load_trusted(path: &Path, trust: &Trust) -> Result<(Self, SignatureReport)> {
        Self::load_judging(path, |header, signed, signatures| {
            trust.check(&header.name, signed, signatures)
        })
    }

    /// [`Manifest::load_checking`] with a `check` that also sees the parsed header.
    fn load_judging<T: Send + Verdict>(
        path: &Path,
        check: impl FnOnce(&Header, &Signed<'_>, &[ManifestSignature]) -> T + Send,
    ) -> Result<(Self, T)> {
        let mut input = fsio::open_input(path, "manifest")?;
        let mut buf = SIGNED_PREFIX.to_vec();
        let complete = input.read_up_to(&mut buf, head::HEAD as u64)?;
        head::check(path, &buf[SIGNED_PREFIX.len()..], complete)?;
        if !complete {
            let head_text = head::text(&buf[SIGNED_PREFIX.len()..]);
            if !head::ends_header(head_text) {
                // Refused before the rest is read, saying why.
                strict::parse_header(path, head_text, head_text.len())?;
            }
            input.read_to(&mut buf, fsio::MANIFEST_MAX - head::HEAD as u64)?;
        }
        Self::parse_prefixed(path, buf, true, check)
    }

    /// The exact message the signatures cover: [`SIGNED_PREFIX`] then the body.
    pub fn signed_message(&self) -> &[u8] {
        &self.text.as_bytes()[..SIGNED_PREFIX.len() + self.body_len]
    }

    /// Everything the signatures cover: the signed message and (format version 2) the
    /// checkpoint's note text.
    pub fn signed(&self) -> Signed<'_> {
        Signed {
            message: self.signed_message(),
            checkpoint: self.checkpoint.as_deref(),
        }
    }

    /// The checkpoint's note text (format version 2; `None` for version 1).
    pub fn checkpoint_text(&self) -> Option<&str> {
        self.checkpoint.as_deref()
    }

    /// The manifest digest: SHA-256 of [`Manifest::signed_message`], what the `previous` of the
    /// manifest that supersedes this one holds (`docs/manifest-format.md` §2).
    pub fn digest(&self) -> Sha256Digest {
        Sha256Digest::of(self.signed_message())
    }

    /// Parses manifest bytes, entries included; `path` is only used in error messages.
    ///
    /// This checks the form of the manifest (syntax, fields, values, paths, no duplicate path).
    /// It does not check signatures, the order of entries or the root digest: those are
    /// verification results (the `verify` orchestrator's), not parse errors.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self> {
        Self::parse_with(path, bytes, true)
    }

    /// [`Manifest::parse`] of a body docseal has just built itself, without refusing two paths
    /// equal after Unicode normalisation: `seal` reads its own text back to name such a pair in
    /// its own terms ("rename one of them").
    pub(crate) fn parse_own(path: &Path, bytes: &[u8]) -> Result<Self> {
        Self::parse_with(path, bytes, false)
    }

    fn parse_with(path: &Path, bytes: &[u8], refuse_twins: bool) -> Result<Self> {
        let head_len = bytes.len().min(head::HEAD);
        head::check(path, &bytes[..head_len], head_len == bytes.len())?;
        let mut buf = Vec::with_capacity(SIGNED_PREFIX.len() + bytes.len());
        buf.extend_from_slice(SIGNED_PREFIX);
        buf.extend_from_slice(bytes);
        Ok(Self::parse_prefixed(path, buf, refuse_twins, |_, _, _| ())?.0)
    }

    /// [`Manifest::parse`] of `buf`, which holds [`SIGNED_PREFIX`] then the file's bytes (whose
    /// head [`head::check`] passed), with `check` run as [`Manifest::load_checking`] says.
    fn parse_prefixed<T: Send + Verdict>(
        path: &Path,
        buf: Vec<u8>,
        refuse_twins: bool,
        check: impl FnOnce(&Header, &Signed<'_>, &[ManifestSignature]) -> T + Send,
    ) -> Result<(Self, T)> {
        let skip = SIGNED_PREFIX.len();
        if let Some(at) = memchr::memchr(0, &buf[skip..]) {
            return Err(head::nul_at(path, &buf[skip..], at));
        }
        let text = String::from_utf8(buf).map_err(|e| {
            let valid = e.utf8_error().valid_up_to() - skip;
            head::not_utf8(path, &e.as_bytes()[skip..], valid)
        })?;
        let file = &text[skip..];
        if let Some(offset) = memchr::memchr(b'\r', file.as_bytes()) {
            return Err(Error::at_offset(
                path,
                file,
                offset,
                "manifest has CR (Windows) line endings, which change the signed bytes; restore the original file (in git, mark manifests \"-text\" in .gitattributes)",
            ));
        }
        let (body, sigs, sig_offset) = canonical::split(file);
        if sigs.len() > head::SIGNATURE_BLOCK_MAX {
            return Err(Error::at_offset(
                path,
                file,
                sig_offset,
                "the signature block is longer than 1 MiB (thousands of signatures); this is not a manifest docseal wrote",
            ));
        }
        let (header_end, batches, count) = batches::find(body);
        let header = strict::parse_header(path, body, header_end)?;
        let signatures =
            strict::parse_signatures(path, file, sigs, sig_offset, header.format_version)?;
        let message = &text.as_bytes()[..skip + body.len()];
        let checkpoint =
            (header.format_version >= 2).then(|| checkpoint::note_text(&header, count));
        let signed = Signed {
            message,
            checkpoint: checkpoint.as_deref(),
        };
        let (checked, pending) = rayon::join(
            || check(&header, &signed, &signatures),
            || summary::first_pass(body, &batches),
        );
        let summary = if checked.trusts_entries() {
            let summary = summary::finish(path, body, &batches, pending, refuse_twins)?;
            if header.format_version < 2
                && let Some(entry) = summary.first_capture
            {
                return Err(newer_field(path, body, entry, &Capture::FIELDS, 1));
            }
            if header.format_version < 3
                && let Some(entry) = summary.first_warc
            {
                let version = header.format_version;
                return Err(newer_field(path, body, entry, &WarcOrigin::FIELDS, version));
            }
            summary
        } else {
            Summary::unchecked(count)
        };
        let body_len = body.len();
        let manifest = Manifest {
            header,
            signatures,
            summary,
            text,
            body_len,
            checkpoint,
            batches,
            path: path.to_path_buf(),
        };
        Ok((manifest, checked))
    }

    /// The entries in the order they appear, parsed again from the text a group of batches at a
    /// time (in parallel), so that only one group is ever held parsed. Loading checked them all,
    /// so an error here would mean the text changed in memory; it is reported, not assumed away.
    pub fn entries(&self) -> Entries<'_> {
        Reread::new(self, batches::GROUP, batches::read_entries)
    }

    /// The path, size and digest of every entry, in the order they appear, read again from the
    /// text a batch at a time without checking them again (loading did) and, in the canonical
    /// layout, without copying: what verification compares, at a fraction of the cost of
    /// [`Manifest::entries`].
    pub fn fixities(&self) -> Fixities<'_> {
        Reread::new(self, 1, batches::read_fixities)
    }

    /// The entries from the `first`-th on (0-based), as [`Manifest::entries`] gives them, without
    /// reading the batches before it again.
    pub fn entries_from(&self, first: usize) -> Entries<'_> {
        self.entries().starting_at(first)
    }

    /// The fixities from the `first`-th entry on, as [`Manifest::fixities`] gives them.
    pub fn fixities_from(&self, first: usize) -> Fixities<'_> {
        self.fixities().starting_at(first)
    }

    /// Every entry, collected (for small manifests and tests; large ones should stream with
    /// [`Manifest::entries`]).
    pub fn files(&self) -> Result<Vec<FileEntry>> {
        self.entries().collect()
    }

    pub(crate) fn body_text(&self) -> &str {
        &self.text[SIGNED_PREFIX.len()..SIGNED_PREFIX.len() + self.body_len]
    }

    /// The manifest's file name, for messages.
    pub(crate) fn display_path(&self) -> &Path {
        &self.path
    }
}

/// The error for the first of `fields` (new in a later version) of the entry whose `path` value
/// starts at `entry`, in a manifest of format `version`.
fn newer_field(path: &Path, body: &str, entry: usize, fields: &[&str], version: i64) -> Error {
    let mut offset = entry;
    for line in body[entry..].split_inclusive('\n') {
        if line.starts_with("[[") {
            break;
        }
        let key = line.split('=').next().unwrap_or_default().trim();
        if let Some(field) = fields.iter().find(|f| **f == key) {
            return Error::at_offset(path, body, offset, strict::newer_field(field, version));
        }
        offset += line.len();
    }
    Error::at_offset(path, body, entry, strict::newer_field(fields[0], version))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::provenance::Recorded;

    /// An unsigned manifest body over `files` (a test fixture, also used by `verify`'s tests).
    pub(crate) fn unsigned_body(files: &[FileEntry]) -> String {
        let header = Header {
            name: "t".into(),
            digest_algorithm: DigestAlgorithm::Sha256,
            created: Timestamp::now(),
            tool: "test".into(),
            collection_path: ".".into(),
            sequence: None,
            previous: None,
            expires: None,
            root_digest: merkle::root(files),
            naming: None,
            format_version: FORMAT_VERSION,
        };
        canonical::body(&header, files)
    }

    fn body_of(n: usize) -> String {
        let files: Vec<FileEntry> = (0..n)
            .map(|i| FileEntry {
                path: RelPath::new(&format!("d/{i:05}.txt")).unwrap(),
                size: i as u64,
                digest: Sha256Digest::of(&i.to_be_bytes()),
                origin: Recorded::Unknown,
                retrieved: Recorded::Unknown,
                capture: Capture::default(),
                warc: None,
            })
            .collect();
        unsigned_body(&files)
    }

    #[test]
    fn entries_from_an_index_are_the_entries_after_it_in_any_batch() {
        let n = 2 * batches::BATCH + 7;
        let m = Manifest::parse(Path::new("m.toml"), body_of(n).as_bytes()).unwrap();
        let all: Vec<String> = m.entries().map(|e| e.unwrap().path.to_string()).collect();
        for first in [0, 1, 1023, 1024, 1025, 2048, n - 1, n, n + 5] {
            let from: Vec<String> = m
                .entries_from(first)
                .map(|e| e.unwrap().path.to_string())
                .collect();
            assert_eq!(from, all[first.min(n)..], "entries from {first}");
            let fixities: Vec<String> = m
                .fixities_from(first)
                .map(|e| e.unwrap().path.to_string())
                .collect();
            assert_eq!(fixities, all[first.min(n)..], "fixities from {first}");
        }
    }

    #[test]
    fn entries_across_many_batches_keep_their_order() {
        let m = Manifest::parse(
            Path::new("m.toml"),
            body_of(2 * batches::BATCH + 7).as_bytes(),
        )
        .unwrap();
        let files = m.files().unwrap();
        assert_eq!(files.len(), 2 * batches::BATCH + 7);
        assert!(files.windows(2).all(|w| w[0].path < w[1].path));
        assert_eq!(files[batches::BATCH + 3].size, (batches::BATCH + 3) as u64);
        assert_eq!(m.summary.count, 2 * batches::BATCH + 7);
        assert_eq!(m.summary.computed_root_digest, m.header.root_digest);
        assert!(m.summary.is_sorted());
        assert_eq!(m.summary.common_folder.as_deref(), Some("d"));
    }

    #[test]
    fn an_error_in_a_later_batch_names_its_own_line() {
        let body = body_of(batches::BATCH + 10);
        let bad = body.replacen("size = 1030\n", "size = 1030\ncolour = 1\n", 1);
        let line = crate::error::line_of(&bad, bad.find("colour").unwrap());
        let err = Manifest::parse(Path::new("m.toml"), bad.as_bytes()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("m.toml:{line}: unknown field \"colour\"")),
            "{err}"
        );
    }

    #[test]
    fn a_duplicate_in_another_batch_is_found() {
        let body = body_of(batches::BATCH + 10);
        let dup = body.replacen("d/01030.txt", "d/00002.txt", 1);
        let err = Manifest::parse(Path::new("m.toml"), dup.as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains("duplicate path \"d/00002.txt\""),
            "{err}"
        );
    }
}
