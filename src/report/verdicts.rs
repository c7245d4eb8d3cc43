//! [`FileVerdicts`]: every verdict of a verification, in path order, in a compact form — one
//! [`SealedStatus`] byte per sealed entry, plus what was measured where the content changed and
//! the reports on paths that are not a sealed entry in place (moved and extra) — so that memory
//! stays small at 10⁶ entries. The reports are produced one at a time as they are written
//! ([`FileVerdicts::iter`]), reading the sealed entries again through [`SealedEntries`].
//!
//! It serialises as the JSON array of reports, and a deserialised one holds that array.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use super::{FileReport, FileStatus, Fixity, Totals, count_statuses};
use crate::error::{Error, Result};
use crate::manifest::FileEntry;

/// The sealed entries of a verification, again, in path order: the narrow view of a manifest
/// that the verdict store needs to produce its reports.
pub trait SealedEntries: fmt::Debug + Send + Sync {
    /// Every sealed entry in path order. (An error means that the manifest text, which was read
    /// and checked once, could not be read again; it does not happen with a sound program.)
    fn entries(&self) -> Box<dyn Iterator<Item = Result<FileEntry>> + Send + '_>;
}

/// The verdict on a sealed entry, one byte per entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealedStatus {
    /// Present with the sealed size and digest.
    Ok,
    /// Present with another size or digest.
    Modified,
    /// Not present (and not found elsewhere).
    Missing,
    /// Present but not readable.
    Unreadable,
    /// Found under another path: its report is among the others, at the new path.
    Moved,
    /// Present with the sealed content, under a name that does not fit the declared naming
    /// scheme (why, in the reasons).
    Misnamed,
}

/// Every verdict of a verification (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct FileVerdicts {
    /// The sealed entries, when the verdicts are held compactly.
    entries: Option<Arc<dyn SealedEntries>>,
    /// One status per sealed entry, in path order.
    status: Vec<SealedStatus>,
    /// What was measured for the entries whose content changed.
    changed: HashMap<usize, Fixity>,
    /// Why entries could not be read, or (for a modified entry not read) what its size is now.
    reasons: HashMap<usize, String>,
    /// Reports that are not about a sealed entry in place (moved and extra), sorted by path; for
    /// deserialised verdicts, every report.
    others: Vec<FileReport>,
    /// The first error met while serialising (serde can only carry its text), kept for
    /// [`FileVerdicts::take_failure`].
    failure: Arc<Mutex<Option<Error>>>,
}

impl FileVerdicts {
    /// The verdicts on `entries` (`status[i]` is the verdict on the `i`-th, with the measurement
    /// of a changed one in `changed[i]` and why an unreadable one could not be read in
    /// `reasons[i]`), and the reports on every other path, sorted by path.
    pub fn new(
        entries: Arc<dyn SealedEntries>,
        status: Vec<SealedStatus>,
        changed: HashMap<usize, Fixity>,
        reasons: HashMap<usize, String>,
        others: Vec<FileReport>,
    ) -> Self {
        FileVerdicts {
            entries: Some(entries),
            status,
            changed,
            reasons,
            others,
            failure: Arc::default(),
        }
    }

    /// Verdicts given as reports, sorted by path (as a deserialised report holds them).
    pub fn from_reports(reports: Vec<FileReport>) -> Self {
        FileVerdicts {
            others: reports,
            ..FileVerdicts::default()
        }
    }

    /// Counts by status.
    pub fn counts(&self) -> Totals {
        let from_status = self.status.iter().filter_map(|s| match s {
            SealedStatus::Ok => Some(&FileStatus::Ok),
            SealedStatus::Modified => Some(&FileStatus::Modified),
            SealedStatus::Missing => Some(&FileStatus::Missing),
            SealedStatus::Unreadable => Some(&FileStatus::Unreadable),
            SealedStatus::Moved => None,
            SealedStatus::Misnamed => Some(&FileStatus::Misnamed),
        });
        count_statuses(from_status.chain(self.others.iter().map(|r| &r.status)))
    }

    /// Every report, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = Result<FileReport>> + '_ {
        let sealed = self
            .entries
            .iter()
            .flat_map(|e| e.entries())
            .enumerate()
            .filter_map(move |(i, entry)| match entry {
                Err(e) => Some(Err(e)),
                Ok(entry) => self.sealed_report(i, entry).map(Ok),
            });
        MergeByPath {
            a: sealed.peekable(),
            b: self.others.iter().cloned().map(Ok).peekable(),
        }
    }

    /// The error that stopped serialising, if any: serde's error keeps only its text, this keeps
    /// the error itself (with its file and line) for the caller to report.
    pub fn take_failure(&self) -> Option<Error> {
        self.failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// The report on the sealed entry at `i`, unless it moved (then it is among the others).
    fn sealed_report(&self, i: usize, entry: FileEntry) -> Option<FileReport> {
        let status = self.status.get(i).copied().unwrap_or(SealedStatus::Missing);
        Some(match status {
            SealedStatus::Ok => {
                let actual = Fixity {
                    size: entry.size,
                    digest: entry.digest,
                };
                FileReport::sealed(entry, FileStatus::Ok, Some(actual), None)
            }
            SealedStatus::Modified => match self.changed.get(&i) {
                Some(actual) => FileReport::compared(entry, *actual),
                // Found modified by its size alone, unread: the reason names both sizes.
                None => {
                    let why = self.reasons.get(&i).cloned();
                    FileReport::sealed(entry, FileStatus::Modified, None, why)
                }
            },
            SealedStatus::Missing => FileReport::sealed(entry, FileStatus::Missing, None, None),
            SealedStatus::Unreadable => {
                let why = self.reasons.get(&i).cloned();
                FileReport::sealed(entry, FileStatus::Unreadable, None, why)
            }
            SealedStatus::Moved => return None,
            SealedStatus::Misnamed => {
                let actual = Fixity {
                    size: entry.size,
                    digest: entry.digest,
                };
                let why = self.reasons.get(&i).cloned();
                FileReport::sealed(entry, FileStatus::Misnamed, Some(actual), why)
            }
        })
    }
}

impl Serialize for FileVerdicts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq};
        let mut seq = s.serialize_seq(None)?;
        for report in self.iter() {
            match report {
                Ok(report) => seq.serialize_element(&report)?,
                Err(e) => {
                    let text = e.to_string();
                    *self.failure.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
                    return Err(S::Error::custom(text));
                }
            }
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for FileVerdicts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Vec::<FileReport>::deserialize(d).map(FileVerdicts::from_reports)
    }
}

/// Two iterators of reports, each sorted by path, merged into one (errors pass first).
struct MergeByPath<A: Iterator, B: Iterator> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
}

impl<A, B> Iterator for MergeByPath<A, B>
where
    A: Iterator<Item = Result<FileReport>>,
    B: Iterator<Item = Result<FileReport>>,
{
    type Item = Result<FileReport>;

    fn next(&mut self) -> Option<Self::Item> {
        let take_a = match (self.a.peek(), self.b.peek()) {
            (None, None) => return None,
            (Some(_), None) | (Some(Err(_)), _) => true,
            (None, Some(_)) | (_, Some(Err(_))) => false,
            (Some(Ok(a)), Some(Ok(b))) => a.path <= b.path,
        };
        if take_a { self.a.next() } else { self.b.next() }
    }
}
