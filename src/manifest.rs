//! The manifest: its header, its `[[file]]` entries and its signatures, parsed strictly from the
//! TOML text specified in `docs/manifest-format.md` (unknown fields, versions and algorithms are
//! errors; paths that could leave the collection are refused) and written back canonically.

pub mod canonical;
mod fast;
pub mod merkle;

use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::digest::{Sha256Digest, from_hex};
use crate::error::{Error, Result};
use crate::keys::KeyId;
use crate::provenance::{OriginUrl, Recorded, Timestamp, de_origin, de_time_canonical};
use crate::relpath::RelPath;
use crate::signature::{ManifestSignature, SIGNED_PREFIX};

/// The manifest format version this docseal reads and writes.
pub const FORMAT_VERSION: i64 = 1;

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
    /// The collection folder, relative to the manifest's own folder, `/`-separated.
    pub collection: String,
    /// Position in the collection's chain of manifests (1 for the first), if recorded.
    pub sequence: Option<u64>,
    /// Digest of the signed body of the manifest this one supersedes, if any.
    pub previous: Option<Sha256Digest>,
    /// The collection root digest (see [`merkle`]) as recorded.
    pub root: Sha256Digest,
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
    /// The byte ranges of the body that hold the batches of `[[file]]` tables, in order.
    batches: Vec<std::ops::Range<usize>>,
    /// The file it was read from, for messages.
    path: std::path::PathBuf,
}

/// Facts about a manifest's entries, gathered in the one pass that checks them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Number of entries.
    pub count: usize,
    /// Sum of the sealed sizes.
    pub bytes: u64,
    /// Entries whose origin or retrieval time is unknown.
    pub lacking_provenance: usize,
    /// The root digest the entries give, in the order they appear (compare with the header's).
    pub computed_root: Sha256Digest,
    /// The first two neighbouring entries that are out of order, if any (a valid manifest sorts
    /// its entries by path).
    pub out_of_order: Option<(String, String)>,
    /// The first path segment that every sealed path shares, if all lie below one folder.
    pub common_folder: Option<String>,
}

impl Summary {
    /// True when the entries are sorted by path (and so unique).
    pub fn is_sorted(&self) -> bool {
        self.out_of_order.is_none()
    }
}

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
}

/// Only the version, read leniently so that a manifest of another version gets a clear message
/// instead of a complaint about fields this version does not know.
#[derive(Deserialize)]
struct VersionProbe {
    format_version: Option<Spanned<i64>>,
}

impl Manifest {
    /// Reads and parses the manifest at `path`.
    pub fn load(path: &Path) -> Result<Self> {
        Ok(Self::load_checking(path, |_, _| ())?.0)
    }

    /// Reads and parses the manifest at `path`, running `check` on the signed message and the
    /// signatures (the signature check) on one thread while the entries are checked on the
    /// others: for a large manifest the two take comparable time. `check`'s result is returned
    /// with the manifest, unless the manifest is malformed.
    pub fn load_checking<T: Send>(
        path: &Path,
        check: impl FnOnce(&[u8], &[ManifestSignature]) -> T + Send,
    ) -> Result<(Self, T)> {
        use std::io::Read;
        let mut buf = SIGNED_PREFIX.to_vec();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut buf))
            .map_err(|e| Error::io(path, "cannot read", e))?;
        Self::parse_prefixed(path, buf, check)
    }

    /// The signed body: every byte before the first `[[signature]]` line.
    pub fn body(&self) -> &[u8] {
        &self.signed_message()[SIGNED_PREFIX.len()..]
    }

    /// The exact message the signatures cover: [`SIGNED_PREFIX`] then the body.
    pub fn signed_message(&self) -> &[u8] {
        &self.text.as_bytes()[..SIGNED_PREFIX.len() + self.body_len]
    }

    /// Parses manifest bytes; `path` is only used in error messages.
    ///
    /// This checks the form of the manifest (syntax, fields, values, paths, no duplicate path).
    /// It does not check signatures, the order of entries or the root digest: those are
    /// verification results (see [`crate::verify`]), not parse errors.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self> {
        let mut buf = Vec::with_capacity(SIGNED_PREFIX.len() + bytes.len());
        buf.extend_from_slice(SIGNED_PREFIX);
        buf.extend_from_slice(bytes);
        Ok(Self::parse_prefixed(path, buf, |_, _| ())?.0)
    }

    /// [`Manifest::parse`] of `buf`, which holds [`SIGNED_PREFIX`] then the file's bytes, with
    /// `check` run as [`Manifest::load_checking`] says.
    fn parse_prefixed<T: Send>(
        path: &Path,
        buf: Vec<u8>,
        check: impl FnOnce(&[u8], &[ManifestSignature]) -> T + Send,
    ) -> Result<(Self, T)> {
        let skip = SIGNED_PREFIX.len();
        let text = String::from_utf8(buf).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let bytes = &e.as_bytes()[skip..];
            let valid = valid - skip;
            Error::Parse {
                path: path.to_path_buf(),
                line: bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1,
                message: "manifest is not valid UTF-8 text".to_string(),
            }
        })?;
        let file = &text[skip..];
        if let Some(offset) = file.find('\r') {
            return Err(Error::at_offset(
                path,
                file,
                offset,
                "manifest has CR (Windows) line endings, which change the signed bytes; restore the original file (in git, mark manifests \"-text\" in .gitattributes)",
            ));
        }
        let (body, sigs, sig_offset) = canonical::split(file);
        let (header, batches) = parse_header(path, body)?;
        let signatures = match parse_signatures(path, file, sigs, sig_offset) {
            Ok(s) => s,
            Err(e) => {
                // An error in the entries comes first, as it does in the file.
                check_files(path, body, &batches)?;
                return Err(e);
            }
        };
        let message = &text.as_bytes()[..skip + body.len()];
        let (summary, checked) = rayon::join(
            || check_files(path, body, &batches),
            || check(message, &signatures),
        );
        let body_len = body.len();
        let manifest = Manifest {
            header,
            signatures,
            summary: summary?,
            text,
            body_len,
            batches,
            path: path.to_path_buf(),
        };
        Ok((manifest, checked))
    }

    /// The entries in the order they appear, parsed again from the text a group of batches at a
    /// time (in parallel), so that only one group is ever held parsed. Loading checked them all,
    /// so an error here would mean the text changed in memory; it is reported, not assumed away.
    pub fn entries(&self) -> Entries<'_> {
        Reread::new(self, GROUP, read_entries)
    }

    /// The path, size and digest of every entry, in the order they appear, read again from the
    /// text a batch at a time without checking them again (loading did) and, in the canonical
    /// layout, without copying: what verification compares, at a fraction of the cost of
    /// [`Manifest::entries`].
    pub fn keys(&self) -> Keys<'_> {
        Reread::new(self, 1, read_keys)
    }

    /// Every entry, collected (for small manifests and tests; large ones should stream with
    /// [`Manifest::entries`]).
    pub fn files(&self) -> Result<Vec<FileEntry>> {
        self.entries().collect()
    }

    fn body_text(&self) -> &str {
        &self.text[SIGNED_PREFIX.len()..SIGNED_PREFIX.len() + self.body_len]
    }

    /// The manifest's file name, for messages.
    fn display_path(&self) -> &Path {
        &self.path
    }
}

/// What verification compares of an entry: its path, size and digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryKey<'a> {
    /// The sealed path (borrowed from the manifest text when it stands there as is).
    pub path: std::borrow::Cow<'a, str>,
    /// The sealed size.
    pub size: u64,
    /// The sealed digest.
    pub digest: Sha256Digest,
}

impl<'a> From<&'a FileEntry> for EntryKey<'a> {
    fn from(e: &'a FileEntry) -> Self {
        EntryKey {
            path: e.path.as_str().into(),
            size: e.size,
            digest: e.digest,
        }
    }
}

/// Items read again from a manifest's text, a group of batches at a time, in the order they
/// appear (see [`Manifest::entries`] and [`Manifest::keys`]).
pub struct Reread<'a, T> {
    manifest: &'a Manifest,
    next_batch: usize,
    /// Batches read at a time.
    step: usize,
    read: ReadGroup<'a, T>,
    ready: std::collections::VecDeque<T>,
}

/// Reads the items of a group of batches.
type ReadGroup<'a, T> = fn(&'a Manifest, &'a [std::ops::Range<usize>]) -> Result<Vec<T>>;

/// The entries of a [`Manifest`] (see [`Manifest::entries`]).
pub type Entries<'a> = Reread<'a, FileEntry>;

/// The [`EntryKey`]s of a [`Manifest`] (see [`Manifest::keys`]).
pub type Keys<'a> = Reread<'a, EntryKey<'a>>;

impl<'a, T> Reread<'a, T> {
    fn new(manifest: &'a Manifest, step: usize, read: ReadGroup<'a, T>) -> Self {
        Reread {
            manifest,
            next_batch: 0,
            step,
            read,
            ready: std::collections::VecDeque::new(),
        }
    }
}

impl<T> Iterator for Reread<'_, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(Ok(item));
            }
            let m = self.manifest;
            let end = (self.next_batch + self.step).min(m.batches.len());
            let group = m
                .batches
                .get(self.next_batch..end)
                .filter(|g| !g.is_empty())?;
            self.next_batch = end;
            match crate::timing::rereading(|| (self.read)(m, group)) {
                Ok(items) => self.ready.extend(items),
                Err(e) => {
                    self.next_batch = m.batches.len();
                    return Some(Err(e));
                }
            }
        }
    }
}

/// The entries of a group of batches, parsed in parallel.
fn read_entries<'a>(
    m: &'a Manifest,
    group: &'a [std::ops::Range<usize>],
) -> Result<Vec<FileEntry>> {
    use rayon::prelude::*;
    let body = m.body_text();
    let parsed: Vec<Vec<(FileEntry, usize)>> = group
        .par_iter()
        .map(|range| parse_batch(m.display_path(), body, range.clone()))
        .collect::<Result<_>>()?;
    Ok(parsed.into_iter().flatten().map(|(e, _)| e).collect())
}

/// The keys of a group of batches: borrowed from the text where a batch is in the canonical
/// layout, else from its entries.
fn read_keys<'a>(
    m: &'a Manifest,
    group: &'a [std::ops::Range<usize>],
) -> Result<Vec<EntryKey<'a>>> {
    let body = m.body_text();
    let mut keys = Vec::new();
    for range in group {
        match fast::keys(&body[range.clone()]) {
            Some(found) => keys.extend(found.into_iter().map(|(path, size, digest)| EntryKey {
                path: path.into(),
                size,
                digest: Sha256Digest::from_bytes(digest),
            })),
            None => {
                let entries = parse_batch(m.display_path(), body, range.clone())?;
                keys.extend(entries.into_iter().map(|(e, _)| EntryKey {
                    path: String::from(e.path).into(),
                    size: e.size,
                    digest: e.digest,
                }));
            }
        }
    }
    Ok(keys)
}

/// The line that starts each entry. The body is read as a header document followed by batches of
/// `[[file]]` tables, each batch parsed as a TOML document of its own (in parallel): no tree of the
/// whole manifest is ever built, which keeps memory and time per entry small at 10⁶ entries.
const FILE_LINE: &str = "[[file]]";

/// Entries per batch document: a power of two, so that a full batch is a subtree of the root
/// digest's Merkle tree.
const BATCH: usize = 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFiles {
    file: Vec<RawFile>,
}

/// Byte offsets of the lines that are exactly `[[file]]` (found with a vectorised search: the
/// body of a manifest of 10⁶ entries is about 160 MB).
fn file_line_starts(body: &str) -> Vec<usize> {
    let bytes = body.as_bytes();
    memchr::memmem::find_iter(bytes, FILE_LINE.as_bytes())
        .filter(|&i| {
            let end = i + FILE_LINE.len();
            (i == 0 || bytes[i - 1] == b'\n') && (end == bytes.len() || bytes[end] == b'\n')
        })
        .collect()
}

/// Parses the header and finds the batches of entries (the byte ranges of the body that hold
/// them); the entries themselves are checked by [`check_files`].
fn parse_header(path: &Path, body: &str) -> Result<(Header, Vec<std::ops::Range<usize>>)> {
    let starts = file_line_starts(body);
    let header_text = &body[..starts.first().copied().unwrap_or(body.len())];
    let raw: RawBody = toml::from_str(header_text).map_err(|e| {
        if let Ok(VersionProbe {
            format_version: Some(v),
        }) = toml::from_str::<VersionProbe>(header_text)
            && *v.get_ref() != FORMAT_VERSION
        {
            return unsupported_version(path, body, &v);
        }
        Error::from_toml(path, body, &e)
    })?;
    if *raw.format_version.get_ref() != FORMAT_VERSION {
        return Err(unsupported_version(path, body, &raw.format_version));
    }
    let at =
        |span: std::ops::Range<usize>, msg: String| Error::at_offset(path, body, span.start, msg);
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
    let batches: Vec<std::ops::Range<usize>> = starts
        .chunks(BATCH)
        .enumerate()
        .map(|(i, chunk)| chunk[0]..starts.get((i + 1) * BATCH).copied().unwrap_or(body.len()))
        .collect();
    drop(starts);
    let header = Header {
        name: raw.name.into_inner(),
        digest_algorithm: raw.digest_algorithm,
        created,
        tool: raw.tool.into_inner(),
        collection: raw.collection.into_inner(),
        sequence,
        previous: raw.previous,
        root: raw.root,
    };
    Ok((header, batches))
}

/// Batches are parsed in parallel this many at a time, so that at most one group of batches is
/// held parsed at any moment.
const GROUP: usize = 16;

/// Parses the batch of `[[file]]` tables at `range` of the body: each entry with the body offset of
/// its `path` value (for messages).
fn parse_batch(
    path: &Path,
    body: &str,
    range: std::ops::Range<usize>,
) -> Result<Vec<(FileEntry, usize)>> {
    let from = range.start;
    let text = &body[range];
    if let Some(entries) = fast::parse_batch(text, from) {
        return Ok(entries);
    }
    let raw: RawFiles = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(from, |s| from + s.start);
        let message =
            crate::error::with_hint(&e.message().split_whitespace().collect::<Vec<_>>().join(" "));
        Error::at_offset(path, body, offset, message)
    })?;
    Ok(raw
        .file
        .into_iter()
        .map(|f| {
            let offset = from + f.path.span().start;
            let entry = FileEntry {
                path: f.path.into_inner(),
                size: f.size,
                digest: f.digest,
                origin: f.origin,
                retrieved: f.retrieved,
            };
            (entry, offset)
        })
        .collect())
}

/// What checking the entries needs of each: path, size, whether its provenance is known, and its
/// Merkle leaf hash. The path is borrowed from the text when it stands there as is.
pub(crate) struct Checked<'a> {
    pub(crate) path: std::borrow::Cow<'a, str>,
    pub(crate) size: u64,
    pub(crate) provenance: bool,
    pub(crate) leaf: [u8; 32],
}

/// Checks the batch at `range` of the body; the strict reader reports the first error.
fn check_batch<'a>(
    path: &Path,
    body: &'a str,
    range: std::ops::Range<usize>,
) -> Result<Vec<Checked<'a>>> {
    if let Some(checked) = fast::check_batch(&body[range.clone()]) {
        return Ok(checked);
    }
    let entries = parse_batch(path, body, range)?;
    Ok(entries
        .into_iter()
        .map(|(e, _)| Checked {
            leaf: merkle::leaf_hash(&e),
            provenance: e.has_provenance(),
            size: e.size,
            path: String::from(e.path).into(),
        })
        .collect())
}

/// The first segment of a path, if it lies below a folder.
fn first_folder(path: &str) -> Option<&str> {
    path.split_once('/').map(|(first, _)| first)
}

/// What checking one batch found: everything [`Summary`] needs, so that batches are checked in
/// parallel and only their boundaries are joined in order.
struct BatchFacts<'a> {
    count: usize,
    bytes: u64,
    lacking_provenance: usize,
    first: std::borrow::Cow<'a, str>,
    last: std::borrow::Cow<'a, str>,
    /// The first neighbours out of order inside the batch.
    out_of_order: Option<(String, String)>,
    /// The folder all its paths share, if they do.
    common: Option<std::borrow::Cow<'a, str>>,
    /// The leaf hashes, or (for a full batch) their subtree's root.
    leaves: Leaves,
}

/// The leaf hashes of a batch: of each entry, or (for a full batch) their subtree's root.
enum Leaves {
    Each(Vec<[u8; 32]>),
    Subtree([u8; 32]),
}

fn batch_facts(checked: Vec<Checked<'_>>) -> Option<BatchFacts<'_>> {
    let first = checked.first()?.path.clone();
    let last = checked.last()?.path.clone();
    let common = first_folder(&first)
        .filter(|folder| {
            checked
                .iter()
                .all(|c| first_folder(&c.path) == Some(*folder))
        })
        .map(|folder| std::borrow::Cow::Owned(folder.to_string()));
    let out_of_order = checked
        .windows(2)
        .find(|w| w[0].path >= w[1].path)
        .map(|w| (w[0].path.to_string(), w[1].path.to_string()));
    let leaves: Vec<[u8; 32]> = checked.iter().map(|c| c.leaf).collect();
    let leaves = if leaves.len() == BATCH {
        Leaves::Subtree(merkle::perfect_root(&leaves))
    } else {
        Leaves::Each(leaves)
    };
    Some(BatchFacts {
        count: checked.len(),
        bytes: checked.iter().fold(0u64, |n, c| n.saturating_add(c.size)),
        lacking_provenance: checked.iter().filter(|c| !c.provenance).count(),
        first,
        last,
        out_of_order,
        common,
        leaves,
    })
}

/// Checks every entry once (in parallel batches, keeping none) and gathers the [`Summary`]; a
/// path listed twice is an error.
fn check_files(path: &Path, body: &str, batches: &[std::ops::Range<usize>]) -> Result<Summary> {
    use rayon::prelude::*;
    let facts: Vec<Option<BatchFacts<'_>>> = batches
        .par_iter()
        .map(|range| check_batch(path, body, range.clone()).map(batch_facts))
        .collect::<Result<_>>()?;
    let mut summary = Summary {
        count: 0,
        bytes: 0,
        lacking_provenance: 0,
        computed_root: Sha256Digest::of(b""),
        out_of_order: None,
        common_folder: None,
    };
    let mut root = merkle::RootBuilder::default();
    let mut previous: Option<std::borrow::Cow<'_, str>> = None;
    let mut common: Option<Option<std::borrow::Cow<'_, str>>> = None;
    for (batch, range) in facts.into_iter().zip(batches) {
        let Some(batch) = batch else { continue };
        match batch.leaves {
            // A full batch is a subtree of the tree only where it starts at a multiple of its
            // size: always in the canonical layout, whose batches all hold BATCH entries but the
            // last. A table header written otherwise (`[[file]] # note`) does not start a batch,
            // so a batch before it holds more entries and shifts the ones after it.
            Leaves::Subtree(hash) if summary.count % BATCH == 0 => root.push_subtree(hash, BATCH),
            Leaves::Subtree(_) => {
                for checked in check_batch(path, body, range.clone())? {
                    root.push(checked.leaf);
                }
            }
            Leaves::Each(leaves) => leaves.into_iter().for_each(|l| root.push(l)),
        }
        summary.count += batch.count;
        summary.bytes = summary.bytes.saturating_add(batch.bytes);
        summary.lacking_provenance += batch.lacking_provenance;
        if summary.out_of_order.is_none() {
            summary.out_of_order = match &previous {
                Some(prev) if *prev >= batch.first => {
                    Some((prev.to_string(), batch.first.to_string()))
                }
                _ => batch.out_of_order,
            };
        }
        common = Some(match common {
            None => batch.common,
            Some(c) => c.filter(|c| batch.common.as_ref() == Some(c)),
        });
        previous = Some(batch.last);
    }
    summary.computed_root = root.finish();
    summary.common_folder = common.flatten().map(String::from);
    if summary.out_of_order.is_some() {
        // Only an unsorted manifest can hold a path twice: look for one, with every entry.
        let mut files = Vec::with_capacity(summary.count);
        let mut offsets = Vec::with_capacity(summary.count);
        for range in batches {
            for (entry, offset) in parse_batch(path, body, range.clone())? {
                files.push(entry);
                offsets.push(offset);
            }
        }
        check_duplicates(path, body, &files, &offsets)?;
    }
    Ok(summary)
}

/// Refuses a path listed twice. Sorted entries (the normal case) need one linear pass.
fn check_duplicates(path: &Path, body: &str, files: &[FileEntry], offsets: &[usize]) -> Result<()> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    if !files.windows(2).all(|w| w[0].path < w[1].path) {
        order.sort_by(|&a, &b| files[a].path.cmp(&files[b].path).then(a.cmp(&b)));
    }
    for w in order.windows(2) {
        let (first, second) = (w[0], w[1]);
        if files[first].path == files[second].path {
            return Err(Error::at_offset(
                path,
                body,
                offsets[second],
                format!(
                    "duplicate path \"{}\" (first at line {}); a manifest lists each file once",
                    files[second].path.as_str().escape_debug(),
                    crate::error::line_of(body, offsets[first])
                ),
            ));
        }
    }
    Ok(())
}

fn unsupported_version(path: &Path, body: &str, v: &Spanned<i64>) -> Error {
    Error::at_offset(
        path,
        body,
        v.span().start,
        format!(
            "unsupported manifest format version {}; this docseal reads version {FORMAT_VERSION}, upgrade docseal to read it",
            v.get_ref()
        ),
    )
}

fn parse_signatures(
    path: &Path,
    text: &str,
    block: &str,
    offset: usize,
) -> Result<Vec<ManifestSignature>> {
    // Parse the block on its own, but report lines of the whole file.
    let raw: RawSignatures = toml::from_str(block).map_err(|e| {
        let shifted = e.span().map(|s| s.start + offset).unwrap_or(offset);
        let message =
            crate::error::with_hint(&e.message().split_whitespace().collect::<Vec<_>>().join(" "));
        Error::at_offset(
            path,
            text,
            shifted,
            format!("in the signature block: {message}"),
        )
    })?;
    raw.signature
        .into_iter()
        .map(|s| {
            let at = |span: std::ops::Range<usize>, msg: String| {
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
            let bytes = from_hex::<64>(s.signature.get_ref()).ok_or_else(|| {
                at(
                    s.signature.span(),
                    "signature is not 128 lower-case hex digits".to_string(),
                )
            })?;
            Ok(ManifestSignature { key_id, bytes })
        })
        .collect()
}

/// A name or tool string: non-empty, no control characters.
fn check_text(value: &str, field: &str) -> std::result::Result<(), String> {
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

/// The collection folder: `.` or a relative `/`-separated path (which may start with `..`
/// segments, since the collection is often beside the manifests folder).
pub fn check_collection(value: &str) -> std::result::Result<(), String> {
    let shown = value.escape_debug();
    let bad = value.is_empty()
        || value.starts_with('/')
        || value.contains(['\\', '\0'])
        || value.chars().any(char::is_control)
        || value.split('/').any(str::is_empty)
        || (value.len() >= 2
            && value.as_bytes()[0].is_ascii_alphabetic()
            && value.as_bytes()[1] == b':');
    if bad {
        return Err(format!(
            "collection \"{shown}\" must be a relative \"/\"-separated folder path (e.g. \"../seeds\"); use --root to verify elsewhere"
        ));
    }
    Ok(())
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
            collection: ".".into(),
            sequence: None,
            previous: None,
            root: merkle::root(files),
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
            })
            .collect();
        unsigned_body(&files)
    }

    #[test]
    fn entries_across_many_batches_keep_their_order() {
        let m = Manifest::parse(Path::new("m.toml"), body_of(2 * BATCH + 7).as_bytes()).unwrap();
        let files = m.files().unwrap();
        assert_eq!(files.len(), 2 * BATCH + 7);
        assert!(files.windows(2).all(|w| w[0].path < w[1].path));
        assert_eq!(files[BATCH + 3].size, (BATCH + 3) as u64);
        assert_eq!(m.summary.count, 2 * BATCH + 7);
        assert_eq!(m.summary.computed_root, m.header.root);
        assert!(m.summary.is_sorted());
        assert_eq!(m.summary.common_folder.as_deref(), Some("d"));
    }

    #[test]
    fn an_error_in_a_later_batch_names_its_own_line() {
        let body = body_of(BATCH + 10);
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
        let body = body_of(BATCH + 10);
        let dup = body.replacen("d/01030.txt", "d/00002.txt", 1);
        let err = Manifest::parse(Path::new("m.toml"), dup.as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains("duplicate path \"d/00002.txt\""),
            "{err}"
        );
    }
}
