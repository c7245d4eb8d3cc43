//! Checking a manifest's entries once, as it is loaded: every batch in parallel, each reduced to
//! the facts the [`Summary`] needs — counts, order, the folder all paths share, and its part of
//! the Merkle root — and joined in order. Nothing is kept parsed. Two passes: the fast reader's
//! (bounded work on any text, so it may run before the signature is checked), then the strict
//! reader's for the batches the fast one left (only for a manifest whose entries may be read).

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use super::batches::{BATCH, parse_batch};
use super::{FileEntry, fast, merkle, strict};
use crate::digest::Sha256Digest;
use crate::error::{Error, Result, line_of};
use crate::relpath;

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
    pub computed_root_digest: Sha256Digest,
    /// The first two neighbouring entries that are out of order, if any (a valid manifest sorts
    /// its entries by path).
    pub out_of_order: Option<(String, String)>,
    /// The first path segment that every sealed path shares, if all lie below one folder.
    pub common_folder: Option<String>,
    /// False when the entries were not read at all, because the signature check said the
    /// manifest cannot be trusted: then only `count` (the `[[file]]` lines) is known, and the
    /// other facts are empty.
    pub entries_checked: bool,
    /// The body offset of the `path` of the first entry that holds a capture field (new in
    /// format version 2), if any: a version-1 manifest must hold none.
    pub first_capture: Option<usize>,
    /// The body offset of the `path` of the first entry that holds the WARC fields (new in
    /// format version 3), if any: a version-1 or version-2 manifest must hold none.
    pub first_warc: Option<usize>,
}

impl Summary {
    /// The summary of a manifest whose entries were not read: `count` `[[file]]` lines.
    pub(super) fn unchecked(count: usize) -> Self {
        Summary {
            count,
            bytes: 0,
            lacking_provenance: 0,
            computed_root_digest: Sha256Digest::of(b""),
            out_of_order: None,
            common_folder: None,
            entries_checked: false,
            first_capture: None,
            first_warc: None,
        }
    }

    /// True when the entries are sorted by path (and so unique).
    pub fn is_sorted(&self) -> bool {
        self.out_of_order.is_none()
    }
}

/// What checking the entries needs of each: path, size, whether its provenance is known, and its
/// Merkle leaf hash. The path is borrowed from the text when it stands there as is.
pub(super) struct Checked<'a> {
    pub(super) path: Cow<'a, str>,
    pub(super) size: u64,
    pub(super) provenance: bool,
    pub(super) leaf: [u8; 32],
    /// The offset of its `path` value in its batch, when it holds a capture field.
    pub(super) capture_at: Option<usize>,
    /// The offset of its `path` value in its batch, when it holds the WARC fields.
    pub(super) warc_at: Option<usize>,
}

/// Checks the batch at `range` of the body; the strict reader reports the first error.
fn check_batch<'a>(path: &Path, body: &'a str, range: Range<usize>) -> Result<Vec<Checked<'a>>> {
    if let Some(checked) = fast::check_batch(&body[range.clone()]) {
        return Ok(checked);
    }
    let from = range.start;
    let entries = strict::parse_files(path, body, range)?;
    Ok(entries
        .into_iter()
        .map(|(e, offset)| Checked {
            capture_at: (!e.capture.is_empty()).then_some(offset - from),
            warc_at: e.warc.is_some().then_some(offset - from),
            leaf: merkle::leaf_hash(&e),
            provenance: e.has_provenance(),
            size: e.size,
            path: String::from(e.path).into(),
        })
        .collect())
}

/// What checking one batch found: everything [`Summary`] needs, so that batches are checked in
/// parallel and only their boundaries are joined in order.
pub(super) struct BatchFacts<'a> {
    count: usize,
    bytes: u64,
    lacking_provenance: usize,
    first: Cow<'a, str>,
    last: Cow<'a, str>,
    /// The first neighbours out of order inside the batch.
    out_of_order: Option<(String, String)>,
    /// The folder all its paths share, if they do.
    common: Option<Cow<'a, str>>,
    /// Some path is not in Unicode normalisation form C, so it may be another's twin.
    denormal: bool,
    /// The leaf hashes, or (for a full batch) their subtree's root.
    leaves: Leaves,
    /// The body offset of the first entry with a capture field.
    capture_at: Option<usize>,
    /// The body offset of the first entry with the WARC fields.
    warc_at: Option<usize>,
}

/// The leaf hashes of a batch: of each entry, or (for a full batch) their subtree's root.
enum Leaves {
    Each(Vec<[u8; 32]>),
    Subtree([u8; 32]),
}

fn batch_facts(checked: Vec<Checked<'_>>, from: usize) -> Option<BatchFacts<'_>> {
    let capture_at = checked
        .iter()
        .find_map(|c| c.capture_at)
        .map(|at| from + at);
    let warc_at = checked.iter().find_map(|c| c.warc_at).map(|at| from + at);
    let first = checked.first()?.path.clone();
    let last = checked.last()?.path.clone();
    let common = relpath::first_folder(&first)
        .filter(|folder| {
            checked
                .iter()
                .all(|c| relpath::first_folder(&c.path) == Some(*folder))
        })
        .map(|folder| Cow::Owned(folder.to_string()));
    let out_of_order = checked
        .windows(2)
        .find(|w| w[0].path >= w[1].path)
        .map(|w| (w[0].path.to_string(), w[1].path.to_string()));
    let denormal = checked.iter().any(|c| !is_nfc(&c.path));
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
        denormal,
        leaves,
        capture_at,
        warc_at,
    })
}

/// `name` with every character outside ASCII written as its code point (`Nu\u{301}n.txt`), so that
/// two names that look alike are told apart.
fn code_points(name: &str) -> String {
    name.chars()
        .map(|c| match c.is_ascii() {
            true => c.escape_debug().to_string(),
            false => format!("\\u{{{:x}}}", u32::from(c)),
        })
        .collect()
}

/// True when `path` is in Unicode normalisation form C, cheaply for the usual ASCII path.
fn is_nfc(path: &str) -> bool {
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    path.is_ascii()
        || match is_nfc_quick(path.chars()) {
            IsNormalized::Yes => true,
            IsNormalized::No => false,
            IsNormalized::Maybe => unicode_normalization::is_nfc(path),
        }
}

/// What the first pass found of a batch: its facts, or that the strict reader must read it.
// One per batch of thousands of entries: boxing the facts would save nothing worth an allocation.
#[allow(clippy::large_enum_variant)]
pub(super) enum Pending<'a> {
    /// Checked by the fast reader (`None`: an empty batch).
    Done(Option<BatchFacts<'a>>),
    /// Not in the canonical layout: the strict reader checks it (and says what is wrong).
    Strict,
}

/// The first pass over the entries: every batch in the canonical layout checked by the fast
/// reader (in parallel). This work is linear in the text and allocates little whatever the text
/// holds, so it may run before the signature is known to be valid ([`super::Manifest`] runs it
/// beside the signature check); the strict TOML reader runs only in [`finish`].
pub(super) fn first_pass<'a>(body: &'a str, batches: &[Range<usize>]) -> Vec<Pending<'a>> {
    use rayon::prelude::*;
    batches
        .par_iter()
        .map(|range| match fast::check_batch(&body[range.clone()]) {
            Some(checked) => Pending::Done(batch_facts(checked, range.start)),
            None => Pending::Strict,
        })
        .collect()
}

/// The second pass: the batches the fast reader left are read by the strict one, and all the
/// facts are joined in order into the [`Summary`]; a path listed twice is an error, and so are two
/// paths equal after Unicode normalisation unless `refuse_twins` is false. Nothing is kept parsed.
pub(super) fn finish<'a>(
    path: &Path,
    body: &'a str,
    batches: &[Range<usize>],
    pending: Vec<Pending<'a>>,
    refuse_twins: bool,
) -> Result<Summary> {
    use rayon::prelude::*;
    let facts: Vec<Option<BatchFacts<'a>>> = pending
        .into_par_iter()
        .zip(batches.par_iter())
        .map(|(p, range)| match p {
            Pending::Done(facts) => Ok(facts),
            Pending::Strict => {
                check_batch(path, body, range.clone()).map(|c| batch_facts(c, range.start))
            }
        })
        .collect::<Result<_>>()?;
    let mut summary = Summary {
        count: 0,
        bytes: 0,
        lacking_provenance: 0,
        computed_root_digest: Sha256Digest::of(b""),
        out_of_order: None,
        common_folder: None,
        entries_checked: true,
        first_capture: None,
        first_warc: None,
    };
    let mut root = merkle::RootBuilder::default();
    let mut previous: Option<Cow<'_, str>> = None;
    let mut common: Option<Option<Cow<'_, str>>> = None;
    let mut denormal = false;
    for (batch, range) in facts.into_iter().zip(batches) {
        let Some(batch) = batch else { continue };
        match batch.leaves {
            // A full batch is a subtree of the tree only where it starts at a multiple of its
            // size: always in the canonical layout, whose batches all hold BATCH entries but the
            // last. (Every batch holds at most BATCH entries: a table header written otherwise
            // than `[[file]]` is refused.)
            Leaves::Subtree(hash) if summary.count.is_multiple_of(BATCH) => {
                root.push_subtree(hash, BATCH)
            }
            Leaves::Subtree(_) => {
                for checked in check_batch(path, body, range.clone())? {
                    root.push(checked.leaf);
                }
            }
            Leaves::Each(leaves) => leaves.into_iter().for_each(|l| root.push(l)),
        }
        summary.first_capture = summary.first_capture.or(batch.capture_at);
        summary.first_warc = summary.first_warc.or(batch.warc_at);
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
        denormal |= batch.denormal;
    }
    summary.computed_root_digest = root.finish();
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
    if denormal && refuse_twins {
        // Two distinct paths equal after normalisation need one that is not in NFC: only then
        // are the entries read again, and their NFC forms compared.
        check_twins(path, body, batches)?;
    }
    Ok(summary)
}

/// Refuses two paths that are equal after Unicode normalisation (NFC): canonically equivalent
/// names, shown alike and one file on macOS, so a manifest holding both is ambiguous (§3).
fn check_twins(path: &Path, body: &str, batches: &[Range<usize>]) -> Result<()> {
    use unicode_normalization::UnicodeNormalization;
    let mut forms: Vec<(String, usize, String)> = Vec::new();
    for range in batches {
        for (entry, offset) in parse_batch(path, body, range.clone())? {
            let name = entry.path.as_str();
            forms.push((name.nfc().collect(), offset, name.to_string()));
        }
    }
    forms.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    for w in forms.windows(2) {
        let ((nfc, first, one), (twin, second, other)) = (&w[0], &w[1]);
        if nfc == twin && one != other {
            return Err(Error::at_offset(
                path,
                body,
                *second,
                format!(
                    "path \"{}\" is the same name as \"{}\" (line {}) after Unicode normalisation (NFC): one file on macOS and to a reader; a manifest lists each file once",
                    code_points(other),
                    code_points(one),
                    line_of(body, *first)
                ),
            ));
        }
    }
    Ok(())
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
                    line_of(body, offsets[first])
                ),
            ));
        }
    }
    Ok(())
}
