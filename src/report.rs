//! The report as data, and its presenters. [`VerifyReport`] is everything `verify` found: one
//! model that serialises to the JSON of `docs/json-report.md` and deserialises from it again (so
//! reports can be stored, merged and turned into other formats), and that [`human::render`] turns
//! into the terminal report. The verdict store ([`FileVerdicts`]) and the functions that build one
//! file's verdict live here too. The presenters of the other commands' results (`seal`, `keygen`,
//! `revoke`, `show`) are the other files of this area.
//!
//! Presenters write to any `W: Write` and return docseal's [`Result`]: a write
//! that fails is [`Error::Output`], and any other error (an entry that cannot
//! be read again from the manifest) is passed on as it is. Nothing here hashes, parses or checks
//! a signature.

pub mod audit;
pub mod bag;
pub mod cite;
pub mod export;
pub mod facts;
pub mod fetch;
pub mod github;
pub mod history;
pub mod human;
pub mod identify;
pub mod json;
pub mod junit;
pub mod keygen;
pub mod proof;
pub mod revoke;
pub mod seal;
pub mod shard;
pub mod show;
pub mod sign;
mod verdicts;
pub mod warc;

use std::io;

use serde::{Deserialize, Serialize};

use crate::collection::{NameClash, Skipped};
pub use crate::digest::Fixity;
use crate::error::{Error, Result};
use crate::manifest::FileEntry;
use crate::trust::signature::SignatureReport;

pub use verdicts::{FileVerdicts, SealedEntries, SealedStatus};

/// The version of the JSON report schema.
pub const REPORT_VERSION: u32 = 1;

/// What verification found for one path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Present with the sealed size and digest.
    Ok,
    /// Present, but its size or digest differs from the sealed one.
    Modified,
    /// Sealed, but not present.
    Missing,
    /// Present under the root, but not sealed.
    Extra,
    /// Sealed and present, but it could not be read (permissions, or no longer a regular file).
    Unreadable,
    /// Sealed under another path that is gone; present here with the same size and digest.
    Moved,
    /// Present with the sealed content, under a name that does not fit the naming scheme the
    /// manifest declares (renamed, in place or from the sealed path in `moved_from`).
    Misnamed,
}

impl FileStatus {
    /// The word used in the human report.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Ok => "ok",
            FileStatus::Modified => "modified",
            FileStatus::Missing => "missing",
            FileStatus::Extra => "extra",
            FileStatus::Unreadable => "unreadable",
            FileStatus::Moved => "moved",
            FileStatus::Misnamed => "misnamed",
        }
    }
}

/// The verdict on one path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileReport {
    /// The path inside the collection.
    pub path: String,
    /// The verdict.
    pub status: FileStatus,
    /// For `moved`: the path the content was sealed under (`null` otherwise).
    pub moved_from: Option<String>,
    /// Size and digest recorded in the manifest (`null` for an extra file).
    pub expected: Option<Fixity>,
    /// Size and digest measured now (`null` when missing or unreadable).
    pub actual: Option<Fixity>,
    /// The sealed origin URL (`null` when unknown or for an extra file).
    pub origin: Option<String>,
    /// The sealed retrieval time (`null` when unknown or for an extra file).
    pub retrieved: Option<String>,
    /// A human explanation where the status alone does not say enough.
    pub detail: Option<String>,
}

impl FileReport {
    /// The report on a sealed entry, with the given verdict.
    pub fn sealed(
        entry: FileEntry,
        status: FileStatus,
        actual: Option<Fixity>,
        detail: Option<String>,
    ) -> Self {
        FileReport {
            status,
            moved_from: None,
            expected: Some(Fixity {
                size: entry.size,
                digest: entry.digest,
            }),
            actual,
            origin: entry.origin.into_known().map(String::from),
            retrieved: entry.retrieved.known().map(ToString::to_string),
            detail,
            path: entry.path.into(),
        }
    }

    /// The report on a sealed entry measured as `actual`: ok, or modified with what changed.
    pub fn compared(entry: FileEntry, actual: Fixity) -> Self {
        if actual
            == (Fixity {
                size: entry.size,
                digest: entry.digest,
            })
        {
            return Self::sealed(entry, FileStatus::Ok, Some(actual), None);
        }
        let short = |d: &crate::digest::Sha256Digest| d.to_hex()[..12].to_string();
        let detail = if actual.size != entry.size {
            format!(
                "content changed (size {} -> {} bytes, sha256 {} -> {})",
                entry.size,
                actual.size,
                short(&entry.digest),
                short(&actual.digest)
            )
        } else {
            format!(
                "content changed (same size, sha256 {} -> {})",
                short(&entry.digest),
                short(&actual.digest)
            )
        };
        Self::sealed(entry, FileStatus::Modified, Some(actual), Some(detail))
    }

    /// The report on a sealed entry that is gone from its path and present at `to`.
    pub fn moved(sealed: FileEntry, to: String, actual: Fixity) -> Self {
        let from = sealed.path.to_string();
        let mut report = Self::sealed(sealed, FileStatus::Moved, Some(actual), None);
        report.detail = Some(format!("sealed as {from}"));
        report.path = to;
        report.moved_from = Some(from);
        report
    }

    /// The report on a present file that is not sealed.
    pub fn extra(path: String, actual: Option<Fixity>, detail: String) -> Self {
        FileReport {
            path,
            status: FileStatus::Extra,
            moved_from: None,
            expected: None,
            actual,
            origin: None,
            retrieved: None,
            detail: Some(detail),
        }
    }
}

impl FileReport {
    /// True for a sealed file whose origin or retrieval time is unknown.
    pub fn lacks_provenance(&self) -> bool {
        self.status != FileStatus::Extra && (self.origin.is_none() || self.retrieved.is_none())
    }
}

/// Counts by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// Entries in the manifest.
    pub sealed: usize,
    /// Files that verified.
    pub ok: usize,
    /// Files whose content changed.
    pub modified: usize,
    /// Sealed files that are gone.
    pub missing: usize,
    /// Files present but not sealed.
    pub extra: usize,
    /// Sealed files that could not be read.
    pub unreadable: usize,
    /// Sealed files found under another path.
    pub moved: usize,
    /// Files whose name does not fit the declared naming scheme.
    pub misnamed: usize,
    /// Sealed entries whose origin or retrieval time is unknown.
    pub lacking_provenance: usize,
}

/// `n` and a noun, plural (with an `s`) when `n` is not 1: `1 file`, `2 files`.
pub fn plural(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

impl Totals {
    /// Every count on one line, as the CI presenters give it.
    pub fn summary(&self) -> String {
        format!(
            "{}; {} lacking provenance",
            self.counts_text(),
            self.lacking_provenance
        )
    }

    /// The counts of the sealed files and of the extra ones (and the misnamed, when there are
    /// any): `2 sealed files: 2 ok, 0 modified, … ; 0 extra`.
    pub fn counts_text(&self) -> String {
        format!(
            "{}: {} ok, {} modified, {} moved, {} missing, {} unreadable; {} extra{}",
            plural(self.sealed, "sealed file"),
            self.ok,
            self.modified,
            self.moved,
            self.missing,
            self.unreadable,
            self.extra,
            self.misnamed_text(),
        )
    }

    /// `; N misnamed` when a file is, else nothing (a collection without a naming scheme has
    /// none, and its summary stays as it was).
    pub fn misnamed_text(&self) -> String {
        if self.misnamed > 0 {
            format!("; {} misnamed", self.misnamed)
        } else {
            String::new()
        }
    }
}

/// Everything `verify` found.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyReport {
    /// Schema version of this report ([`REPORT_VERSION`]).
    pub report_version: u32,
    /// The manifest file verified.
    pub manifest: String,
    /// The collection name from the manifest (`collection` in JSON).
    #[serde(rename = "collection")]
    pub collection_name: String,
    /// The folder or archive file that was checked (`root` in JSON); empty when the files were
    /// not checked (an untrusted manifest's collection is never looked up).
    #[serde(rename = "root")]
    pub checked_path: String,
    /// True when `checked_path` is an archive file, false for a folder (human report only).
    #[serde(skip)]
    pub checked_archive: bool,
    /// The signature verdict. Files are checked only when it is valid.
    pub signature: SignatureReport,
    /// Whether the files were checked (false when the signature is not valid).
    pub files_checked: bool,
    /// Inconsistencies in a validly signed manifest (entry order, root digest).
    pub manifest_problems: Vec<String>,
    /// Pairs of sealed paths that are one name on other file systems (equal after Unicode
    /// normalisation, or ignoring case): a warning, not a failure.
    pub name_clashes: Vec<NameClash>,
    /// One verdict per sealed or extra path, sorted by path (produced one at a time, as the
    /// report is written: see [`FileVerdicts`]).
    pub files: FileVerdicts,
    /// Entries under the root that are not regular files and were not checked.
    pub skipped: Vec<Skipped>,
    /// Counts.
    pub totals: Totals,
    /// Whether every file was required to have a known origin and retrieval time.
    pub require_provenance: bool,
    /// The files named on the command line (`verify MANIFEST PATH...`): only they were checked,
    /// and the totals count only them. Empty when every file was checked.
    pub paths: Vec<String>,
    /// The overall verdict; the exit status is 0 exactly when this is true.
    pub success: bool,
}

impl VerifyReport {
    /// True when the signature is valid, the manifest consistent, every sealed file ok, nothing
    /// extra, and (if required) every file has provenance.
    pub fn is_success(&self) -> bool {
        let t = &self.totals;
        self.signature.is_valid()
            && self.files_checked
            && self.manifest_problems.is_empty()
            && t.ok == t.sealed
            && t.extra == 0
            && t.unreadable == 0
            && t.misnamed == 0
            && !(self.require_provenance && t.lacking_provenance > 0)
    }

    /// Takes the counts by status from `files` and sets `success`.
    pub fn finish(&mut self) {
        self.totals = Totals {
            sealed: self.totals.sealed,
            lacking_provenance: self.totals.lacking_provenance,
            ..self.files.counts()
        };
        self.success = self.is_success();
    }
}

/// Counts reports by status (the `sealed` and `lacking_provenance` fields stay 0).
pub fn count_statuses<'a>(reports: impl IntoIterator<Item = &'a FileStatus>) -> Totals {
    let mut t = Totals::default();
    for status in reports {
        match status {
            FileStatus::Ok => t.ok += 1,
            FileStatus::Modified => t.modified += 1,
            FileStatus::Missing => t.missing += 1,
            FileStatus::Extra => t.extra += 1,
            FileStatus::Unreadable => t.unreadable += 1,
            FileStatus::Moved => t.moved += 1,
            FileStatus::Misnamed => t.misnamed += 1,
        }
    }
    t
}

/// Runs a presenter that writes with `io::Result`, recording in `failure` an error of docseal's
/// that it hit while writing (see [`passing_on`]): that error is returned as it is, and a failed
/// write becomes [`Error::Output`].
pub(crate) fn presenting(f: impl FnOnce(&mut Option<Error>) -> io::Result<()>) -> Result<()> {
    let mut failure = None;
    let written = f(&mut failure);
    match failure {
        Some(e) => Err(e),
        None => written.map_err(Error::Output),
    }
}

/// The value of `item`, or (for an error) records it in `failure` and stops the presenter.
pub(crate) fn passing_on<T>(item: Result<T>, failure: &mut Option<Error>) -> io::Result<T> {
    item.map_err(|e| {
        *failure = Some(e);
        io::Error::other("stopped by an error of docseal's")
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::trust::signature::SignatureStatus;

    /// Sealed entries whose text can no longer be read.
    #[derive(Debug)]
    struct Unreadable;

    impl SealedEntries for Unreadable {
        fn entries(&self) -> Box<dyn Iterator<Item = Result<FileEntry>> + Send + '_> {
            Box::new(std::iter::once(Err(Error::Parse {
                path: PathBuf::from("m.toml"),
                line: 7,
                message: "changed in memory".into(),
            })))
        }
    }

    fn report() -> VerifyReport {
        VerifyReport {
            report_version: REPORT_VERSION,
            manifest: "m.toml".into(),
            collection_name: "c".into(),
            checked_path: "c".into(),
            checked_archive: false,
            signature: SignatureReport::empty(SignatureStatus::Valid),
            files_checked: true,
            manifest_problems: Vec::new(),
            files: FileVerdicts::new(
                Arc::new(Unreadable),
                vec![SealedStatus::Ok],
                Default::default(),
                Default::default(),
                Vec::new(),
            ),
            skipped: Vec::new(),
            name_clashes: Vec::new(),
            totals: Totals::default(),
            require_provenance: false,
            paths: Vec::new(),
            success: false,
        }
    }

    #[test]
    fn an_entry_that_cannot_be_read_again_is_reported_as_itself_not_as_a_failed_write() {
        let mut out = Vec::new();
        let err = human::render(&mut out, &report(), human::Verbosity::Normal).unwrap_err();
        assert_eq!(err.to_string(), "m.toml:7: changed in memory");
        let err = json::write_verify(&mut Vec::new(), &report()).unwrap_err();
        assert_eq!(err.to_string(), "m.toml:7: changed in memory");
    }

    #[test]
    fn a_failed_write_is_an_output_error() {
        struct Closed;
        impl std::io::Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let err = human::render(&mut Closed, &report(), human::Verbosity::Normal).unwrap_err();
        assert!(err.is_broken_pipe(), "{err}");
        let err = json::write_verify(&mut Closed, &report()).unwrap_err();
        assert!(err.is_broken_pipe(), "{err}");
    }
}
