//! How a manifest's entries are found and read again: the body is a header followed by batches of
//! [`BATCH`] `[[file]]` tables, each parsed as a TOML document of its own (in parallel; by the
//! fast reader when it can, else by the strict one), so that no tree of the whole manifest is
//! ever built. [`Reread`] reads the entries (or just their fixities) again from the text a group
//! of batches at a time, in the order they appear.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::ops::Range;
use std::path::Path;

use super::{FileEntry, Manifest, fast, strict};
use crate::digest::Sha256Digest;
use crate::error::Result;

/// The line that starts each entry. The body is read as a header document followed by batches of
/// `[[file]]` tables, each batch parsed as a TOML document of its own (in parallel): no tree of the
/// whole manifest is ever built, which keeps memory and time per entry small at 10⁶ entries.
pub(super) const FILE_LINE: &str = "[[file]]";

/// Entries per batch document: a power of two, so that a full batch is a subtree of the root
/// digest's Merkle tree.
pub(super) const BATCH: usize = 1024;

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

/// Batches are parsed in parallel this many at a time, so that at most one group of batches is
/// held parsed at any moment.
pub(super) const GROUP: usize = 16;

/// Where the header ends (the first entry starts), the byte ranges of the batches of entries,
/// and the number of entries (of `[[file]]` lines).
pub(super) fn find(body: &str) -> (usize, Vec<Range<usize>>, usize) {
    let starts = file_line_starts(body);
    let header_end = starts.first().copied().unwrap_or(body.len());
    let batches = starts
        .chunks(BATCH)
        .enumerate()
        .map(|(i, chunk)| chunk[0]..starts.get((i + 1) * BATCH).copied().unwrap_or(body.len()))
        .collect();
    (header_end, batches, starts.len())
}

/// Parses the batch of `[[file]]` tables at `range` of the body: each entry with the body offset
/// of its `path` value (for messages).
pub(super) fn parse_batch(
    path: &Path,
    body: &str,
    range: Range<usize>,
) -> Result<Vec<(FileEntry, usize)>> {
    match fast::parse_batch(&body[range.clone()], range.start) {
        Some(entries) => Ok(entries),
        None => strict::parse_files(path, body, range),
    }
}

/// What verification compares of an entry: its path, size and digest (its fixity, under its path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryFixity<'a> {
    /// The sealed path (borrowed from the manifest text when it stands there as is).
    pub path: Cow<'a, str>,
    /// The sealed size.
    pub size: u64,
    /// The sealed digest.
    pub digest: Sha256Digest,
}

impl<'a> From<&'a FileEntry> for EntryFixity<'a> {
    fn from(e: &'a FileEntry) -> Self {
        EntryFixity {
            path: e.path.as_str().into(),
            size: e.size,
            digest: e.digest,
        }
    }
}

/// Items read again from a manifest's text, a group of batches at a time, in the order they
/// appear (see [`Manifest::entries`] and [`Manifest::fixities`]).
pub struct Reread<'a, T> {
    manifest: &'a Manifest,
    next_batch: usize,
    /// Batches read at a time.
    step: usize,
    read: ReadGroup<'a, T>,
    ready: VecDeque<T>,
    /// Items of the first batch read to pass over (see [`Reread::starting_at`]).
    pass_over: usize,
}

/// Reads the items of a group of batches.
type ReadGroup<'a, T> = fn(&'a Manifest, &'a [Range<usize>]) -> Result<Vec<T>>;

/// The entries of a [`Manifest`] (see [`Manifest::entries`]).
pub type Entries<'a> = Reread<'a, FileEntry>;

/// The [`EntryFixity`] of each entry of a [`Manifest`] (see [`Manifest::fixities`]).
pub type Fixities<'a> = Reread<'a, EntryFixity<'a>>;

impl<'a, T> Reread<'a, T> {
    pub(super) fn new(manifest: &'a Manifest, step: usize, read: ReadGroup<'a, T>) -> Self {
        Reread {
            manifest,
            next_batch: 0,
            step,
            read,
            ready: VecDeque::new(),
            pass_over: 0,
        }
    }

    /// The same items from the `first`-th on, without reading the batches before it.
    pub(super) fn starting_at(mut self, first: usize) -> Self {
        self.next_batch = first / BATCH;
        self.pass_over = first % BATCH;
        self
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
                Ok(items) => {
                    let pass = std::mem::take(&mut self.pass_over).min(items.len());
                    self.ready.extend(items.into_iter().skip(pass));
                }
                Err(e) => {
                    self.next_batch = m.batches.len();
                    return Some(Err(e));
                }
            }
        }
    }
}

/// The entries of a group of batches, parsed in parallel.
pub(super) fn read_entries<'a>(
    m: &'a Manifest,
    group: &'a [Range<usize>],
) -> Result<Vec<FileEntry>> {
    use rayon::prelude::*;
    let body = m.body_text();
    let parsed: Vec<Vec<(FileEntry, usize)>> = group
        .par_iter()
        .map(|range| parse_batch(m.display_path(), body, range.clone()))
        .collect::<Result<_>>()?;
    Ok(parsed.into_iter().flatten().map(|(e, _)| e).collect())
}

/// The fixities of a group of batches: borrowed from the text where a batch is in the canonical
/// layout, else from its entries.
pub(super) fn read_fixities<'a>(
    m: &'a Manifest,
    group: &'a [Range<usize>],
) -> Result<Vec<EntryFixity<'a>>> {
    let body = m.body_text();
    let mut fixities = Vec::new();
    for range in group {
        match fast::fixities(&body[range.clone()]) {
            Some(found) => {
                fixities.extend(found.into_iter().map(|(path, size, digest)| EntryFixity {
                    path: path.into(),
                    size,
                    digest: Sha256Digest::from_bytes(digest),
                }))
            }
            None => {
                let entries = parse_batch(m.display_path(), body, range.clone())?;
                fixities.extend(entries.into_iter().map(|(e, _)| EntryFixity {
                    path: String::from(e.path).into(),
                    size: e.size,
                    digest: e.digest,
                }));
            }
        }
    }
    Ok(fixities)
}
