//! Verification: check the manifest's signatures against the trusted keys first, then its
//! consistency, then re-hash the collection and give every sealed or present path a verdict.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use crate::archive::LeadingFolder;
use crate::collection::{self, Collection};
use crate::error::{Error, Result};
use crate::inventory::{Expected, HashOptions, Item, Measurement, Progress, Sink};
use crate::keys;
use crate::manifest::{EntryKey, FileEntry, Manifest};
use crate::report::{self, FileReport, FileStatus, Fixity, REPORT_VERSION, Totals, VerifyReport};
use crate::signature;
use crate::timing;
use crate::walk::{self, Skipped};

/// What to verify and against which keys.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// The manifest file.
    pub manifest: PathBuf,
    /// The collection folder; by default the manifest's `collection`, relative to the manifest.
    pub root: Option<PathBuf>,
    /// An archive file to verify instead of a folder (the default when the manifest's
    /// `collection` names a file).
    pub archive: Option<PathBuf>,
    /// For an archive: strip exactly this many leading path segments from its entries, instead
    /// of recognising a single wrapping folder.
    pub strip_components: Option<usize>,
    /// Trusted public key files or folders of `.pub` files.
    pub trust: Vec<PathBuf>,
    /// Fail when any file's origin or retrieval time is unknown.
    pub require_provenance: bool,
    /// How files are hashed.
    pub hashing: HashOptions,
}

/// Verifies a collection against a manifest.
///
/// Returns `Ok` with a report whenever verification could run, whatever it found; `Err` only when
/// it could not run (unreadable or malformed manifest, no trusted keys, no collection folder).
pub fn verify(opts: &VerifyOptions, progress: &dyn Progress) -> Result<VerifyReport> {
    timing::start();
    let trusted = keys::load_trusted(&opts.trust)?;
    let (manifest, sig) = Manifest::load_checking(&opts.manifest, |message, signatures| {
        signature::check_message(message, signatures, &trusted)
    })?;
    timing::lap("manifest and signature");
    let collection = locate(opts, &manifest)?;
    let root = collection.path().to_path_buf();
    let mut report = VerifyReport {
        report_version: REPORT_VERSION,
        manifest: opts.manifest.display().to_string(),
        collection: manifest.header.name.clone(),
        root: root.display().to_string(),
        files_checked: false,
        signature: sig,
        manifest_problems: Vec::new(),
        files: FileVerdicts::default(),
        skipped: Vec::new(),
        totals: Totals {
            sealed: manifest.summary.count,
            lacking_provenance: manifest.summary.lacking_provenance,
            ..Totals::default()
        },
        require_provenance: opts.require_provenance,
        success: false,
    };
    if report.signature.is_valid() {
        report.manifest_problems = consistency_problems(&manifest);
        let exclude = match &collection {
            Collection::Folder(root) => walk::path_inside(root, &opts.manifest),
            Collection::Archive { .. } => None,
        };
        let expected = Expected {
            files: manifest.summary.count as u64,
            bytes: manifest.summary.bytes,
        };
        (report.files, report.skipped) = check(manifest, |sink| {
            let hashing = opts.hashing;
            collection::scan(
                &collection,
                exclude.as_ref(),
                hashing,
                Some(expected),
                progress,
                sink,
            )
            .map(|_| ())
        })?;
        report.files_checked = true;
        timing::lap("files");
    }
    report.finish();
    Ok(report)
}

/// The collection to check: `--archive`, `--root`, or the manifest's `collection` (relative to
/// the manifest), which is read as an archive when it names a file.
fn locate(opts: &VerifyOptions, manifest: &Manifest) -> Result<Collection> {
    let leading = match opts.strip_components {
        Some(n) => LeadingFolder::Strip(n),
        None => LeadingFolder::Detect {
            keep: manifest.summary.common_folder.clone(),
        },
    };
    if let Some(path) = &opts.archive {
        return Ok(Collection::Archive {
            path: path.clone(),
            leading,
        });
    }
    let (root, given) = match &opts.root {
        Some(r) => (r.clone(), true),
        None => (
            opts.manifest
                .parent()
                .unwrap_or(Path::new(""))
                .join(&manifest.header.collection),
            false,
        ),
    };
    if root.is_dir() {
        if opts.strip_components.is_some() {
            return Err(Error::Usage(format!(
                "--strip-components applies to archives, and {} is a folder; leave it out",
                root.display()
            )));
        }
        return Ok(Collection::Folder(root));
    }
    if root.is_file() && !given {
        return Ok(Collection::Archive {
            path: root,
            leading,
        });
    }
    if root.is_file() {
        return Err(Error::invalid(
            &root,
            "is a file, not a folder; pass an archive with --archive FILE",
        ));
    }
    Err(Error::invalid(
        &root,
        format!(
            "collection not found (the manifest says collection = \"{}\"); pass --root DIR or --archive FILE",
            manifest.header.collection.escape_debug()
        ),
    ))
}

/// Problems that only a faulty signer could produce: entries out of order, a wrong root digest.
fn consistency_problems(manifest: &Manifest) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some((before, after)) = &manifest.summary.out_of_order {
        problems.push(format!(
            "entries are not sorted by path (\"{before}\" comes before \"{after}\")"
        ));
    }
    let computed = manifest.summary.computed_root;
    if computed != manifest.header.root {
        problems.push(format!(
            "root digest {} does not match the entries (which give {computed})",
            manifest.header.root
        ));
    }
    problems
}

/// The verdict on a sealed entry, one byte per entry while the collection is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Ok,
    Modified,
    Missing,
    Unreadable,
    /// Found under another path: its report is among the others, at the new path.
    Moved,
}

/// The sealed entries in path order: the manifest itself when it is sorted (the normal case,
/// read again a batch at a time), else all its entries collected and sorted.
#[derive(Clone, Debug, Default)]
enum SortedEntries {
    #[default]
    None,
    Manifest(Box<Manifest>),
    Collected(Vec<FileEntry>),
}

type EntryIter<'a> = Box<dyn Iterator<Item = Result<FileEntry>> + Send + 'a>;
type KeyIter<'a> = Box<dyn Iterator<Item = Result<EntryKey<'a>>> + 'a>;

impl SortedEntries {
    fn of(manifest: Manifest) -> Result<Self> {
        if manifest.summary.is_sorted() {
            return Ok(SortedEntries::Manifest(Box::new(manifest)));
        }
        let mut files = manifest.files()?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(SortedEntries::Collected(files))
    }

    /// What is compared of each entry, cheaply.
    fn keys(&self) -> KeyIter<'_> {
        match self {
            SortedEntries::None => Box::new(std::iter::empty()),
            SortedEntries::Manifest(m) => Box::new(m.keys()),
            SortedEntries::Collected(files) => Box::new(files.iter().map(|f| Ok(f.into()))),
        }
    }

    fn iter(&self) -> EntryIter<'_> {
        match self {
            SortedEntries::None => Box::new(std::iter::empty()),
            SortedEntries::Manifest(m) => Box::new(m.entries()),
            SortedEntries::Collected(files) => Box::new(files.iter().cloned().map(Ok)),
        }
    }
}

/// Every verdict of a verification, produced one [`FileReport`] at a time in path order
/// ([`FileVerdicts::iter`]) rather than held: what is kept per sealed entry is one status byte
/// (and the manifest text, which the signatures cover), so that memory stays small at 10⁶ entries.
/// Serialises as the JSON array of reports.
#[derive(Clone, Debug, Default)]
pub struct FileVerdicts {
    entries: SortedEntries,
    /// One status per entry, in path order.
    status: Vec<Status>,
    /// What was measured for the entries whose content changed.
    changed: HashMap<usize, Fixity>,
    /// Why entries could not be read.
    reasons: HashMap<usize, String>,
    /// Reports that are not about a sealed entry in place (moved and extra), sorted by path.
    others: Vec<FileReport>,
}

impl FileVerdicts {
    /// Counts by status.
    pub fn counts(&self) -> Totals {
        let from_status = self.status.iter().filter_map(|s| match s {
            Status::Ok => Some(&FileStatus::Ok),
            Status::Modified => Some(&FileStatus::Modified),
            Status::Missing => Some(&FileStatus::Missing),
            Status::Unreadable => Some(&FileStatus::Unreadable),
            Status::Moved => None,
        });
        report::count_statuses(from_status.chain(self.others.iter().map(|r| &r.status)))
    }

    /// Every report, sorted by path. (An error means that the manifest text, which was read and
    /// checked once, could not be read again; it does not happen with a sound program.)
    pub fn iter(&self) -> impl Iterator<Item = Result<FileReport>> + '_ {
        let sealed = self
            .entries
            .iter()
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

    /// The report on the sealed entry at `i`, unless it moved (then it is among the others).
    fn sealed_report(&self, i: usize, entry: FileEntry) -> Option<FileReport> {
        let status = self.status.get(i).copied().unwrap_or(Status::Missing);
        Some(match status {
            Status::Ok => {
                let actual = Fixity {
                    size: entry.size,
                    digest: entry.digest,
                };
                verdict(entry, FileStatus::Ok, Some(actual), None)
            }
            Status::Modified => match self.changed.get(&i) {
                Some(actual) => compare(entry, *actual),
                None => verdict(entry, FileStatus::Modified, None, None),
            },
            Status::Missing => verdict(entry, FileStatus::Missing, None, None),
            Status::Unreadable => {
                let why = self.reasons.get(&i).cloned();
                verdict(entry, FileStatus::Unreadable, None, why)
            }
            Status::Moved => return None,
        })
    }
}

impl serde::Serialize for FileVerdicts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq};
        let mut seq = s.serialize_seq(None)?;
        for report in self.iter() {
            seq.serialize_element(&report.map_err(S::Error::custom)?)?;
        }
        seq.end()
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

/// Checks the collection against the manifest's entries: `scan` hands every item of the
/// collection to the sink it is given, in path order, and each is judged against the sealed
/// entries as it comes (a merge of two sorted lists). Moves are paired at the end, from the files
/// that are not sealed. Shared by every kind of collection: they differ only in how `scan` lists
/// their items.
pub fn check(
    manifest: Manifest,
    scan: impl FnOnce(&mut Sink<'_>) -> Result<()>,
) -> Result<(FileVerdicts, Vec<Skipped>)> {
    let capacity = manifest.summary.count;
    let entries = SortedEntries::of(manifest)?;
    let judged = {
        let mut judge = Judge {
            entries: entries.keys().peekable(),
            next: 0,
            found: Judged {
                status: Vec::with_capacity(capacity),
                ..Judged::default()
            },
        };
        scan(&mut |item| judge.item(item))?;
        judge.finish()?
    };
    let Judged {
        mut status,
        changed,
        reasons,
        unsealed,
        named,
        skipped,
        ..
    } = judged;
    let mut others = pair_moves(&entries, &mut status, unsealed)?;
    others.extend(named.into_iter().map(|p| extra(p.path, None, p.reason)));
    others.sort_by(|a, b| a.path.cmp(&b.path));
    let verdicts = FileVerdicts {
        entries,
        status,
        changed,
        reasons,
        others,
    };
    Ok((verdicts, skipped))
}

/// What judging the collection's items found.
#[derive(Default)]
struct Judged {
    status: Vec<Status>,
    changed: HashMap<usize, Fixity>,
    reasons: HashMap<usize, String>,
    /// Folders that could not be read: (path followed by `/`, or empty for the root; path; why).
    unreadable_dirs: Vec<(String, String, String)>,
    /// Present files that are not sealed, in path order.
    unsealed: Vec<(String, Measurement)>,
    /// Entries whose names cannot be recorded.
    named: Vec<walk::Problem>,
    /// Entries that are not regular files and not sealed.
    skipped: Vec<Skipped>,
}

/// The merge of the sorted entries with the collection's items.
struct Judge<'a> {
    entries: std::iter::Peekable<KeyIter<'a>>,
    /// The index of the next entry.
    next: usize,
    found: Judged,
}

impl Judge<'_> {
    fn item(&mut self, item: Item) -> Result<()> {
        // A name that cannot be recorded is never sealed: it is extra, wherever it comes.
        let item = match item {
            Item::Problem(p) if !p.unreadable => {
                self.found.named.push(p);
                return Ok(());
            }
            item => item,
        };
        self.pass_entries_before(item.path())?;
        let sealed = match self.entries.peek() {
            Some(Ok(entry)) => entry.path == item.path(),
            Some(Err(_)) => return self.entries.next().map_or(Ok(()), |e| e.map(|_| ())),
            None => false,
        };
        let entry = if sealed {
            self.entries.next().transpose()?
        } else {
            None
        };
        let i = self.next;
        match (item, entry) {
            (Item::File(m), Some(entry)) => match m.measurement {
                Measurement::Hashed(fx) => {
                    if fx.size == entry.size && fx.digest == entry.digest {
                        self.set(Status::Ok);
                    } else {
                        self.found.changed.insert(i, fx);
                        self.set(Status::Modified);
                    }
                }
                Measurement::Unreadable(why) => self.unreadable(format!("cannot read: {why}")),
                Measurement::Vanished => self.not_found(&entry),
            },
            (Item::File(m), None) => {
                if m.measurement != Measurement::Vanished {
                    self.found.unsealed.push((m.path.into(), m.measurement));
                }
            }
            (Item::Skipped(s), Some(_)) => {
                self.unreadable(format!("is now a {}", s.kind.describe()));
            }
            (Item::Skipped(s), None) => self.found.skipped.push(s),
            (Item::Problem(p), entry) => {
                if entry.is_some() {
                    self.unreadable(p.reason.clone());
                }
                let prefix = if p.path.is_empty() {
                    String::new()
                } else {
                    format!("{}/", p.path)
                };
                self.found.unreadable_dirs.push((prefix, p.path, p.reason));
            }
        }
        Ok(())
    }

    /// Gives a verdict to every entry before `path`: none of them was found.
    fn pass_entries_before(&mut self, path: &str) -> Result<()> {
        while let Some(next) = self.entries.peek() {
            match next {
                Ok(entry) if entry.path.as_ref() < path => {}
                Ok(_) => break,
                Err(_) => return self.entries.next().map_or(Ok(()), |e| e.map(|_| ())),
            }
            if let Some(entry) = self.entries.next().transpose()? {
                self.not_found(&entry);
            }
        }
        Ok(())
    }

    /// A sealed entry that is not (or no longer) present: unreadable if it lies in a folder that
    /// could not be read, else missing (and perhaps moved, which is found out at the end).
    fn not_found(&mut self, entry: &EntryKey<'_>) {
        let path = entry.path.as_ref();
        let dir = self
            .found
            .unreadable_dirs
            .iter()
            .find(|(prefix, _, _)| path.starts_with(prefix.as_str()));
        match dir {
            Some((_, dir, reason)) => {
                let why = format!("in {dir}: {reason}");
                self.unreadable(why);
            }
            None => self.set(Status::Missing),
        }
    }

    fn unreadable(&mut self, why: String) {
        self.found.reasons.insert(self.next, why);
        self.set(Status::Unreadable);
    }

    /// Records the verdict on the next entry.
    fn set(&mut self, status: Status) {
        self.found.status.push(status);
        self.next += 1;
    }

    /// Every entry left was not found.
    fn finish(mut self) -> Result<Judged> {
        while let Some(entry) = self.entries.next().transpose()? {
            self.not_found(&entry);
        }
        Ok(self.found)
    }
}

type ContentKey = ([u8; 32], u64);

/// Pairs present files that are not sealed with sealed entries that are missing and have the same
/// size and digest (pairs are made in path order): each pair is a move. The other unsealed files
/// are extra; one with the content of a sealed entry still in place is named as its copy. Reads
/// the entries once more, only when there are unsealed files.
fn pair_moves(
    entries: &SortedEntries,
    status: &mut [Status],
    unsealed: Vec<(String, Measurement)>,
) -> Result<Vec<FileReport>> {
    let wanted: HashSet<ContentKey> = unsealed
        .iter()
        .filter_map(|(_, m)| match m {
            Measurement::Hashed(fx) => Some((*fx.digest.as_bytes(), fx.size)),
            _ => None,
        })
        .collect();
    let mut gone: HashMap<ContentKey, VecDeque<(usize, FileEntry)>> = HashMap::new();
    let mut in_place: HashMap<ContentKey, String> = HashMap::new();
    if !wanted.is_empty() {
        for (i, entry) in entries.iter().enumerate() {
            let entry = entry?;
            let key = (*entry.digest.as_bytes(), entry.size);
            if !wanted.contains(&key) {
                continue;
            }
            match status.get(i) {
                Some(Status::Missing) => gone.entry(key).or_default().push_back((i, entry)),
                Some(Status::Ok) => {
                    in_place.entry(key).or_insert_with(|| entry.path.into());
                }
                _ => {}
            }
        }
    }
    let mut others = Vec::with_capacity(unsealed.len());
    for (path, measurement) in unsealed {
        let report = match measurement {
            Measurement::Hashed(fx) => {
                let key = (*fx.digest.as_bytes(), fx.size);
                match gone.get_mut(&key).and_then(VecDeque::pop_front) {
                    Some((i, sealed)) => {
                        status[i] = Status::Moved;
                        moved(sealed, path, fx)
                    }
                    None => {
                        let detail = match in_place.get(&key) {
                            Some(orig) => format!("not in the manifest (a copy of sealed {orig})"),
                            None => "not in the manifest".to_string(),
                        };
                        extra(path, Some(fx), detail)
                    }
                }
            }
            Measurement::Unreadable(why) => extra(
                path,
                None,
                format!("not in the manifest, and cannot read: {why}"),
            ),
            Measurement::Vanished => continue,
        };
        others.push(report);
    }
    Ok(others)
}

/// The report of a sealed entry that is gone, as a move to `to`.
fn moved(sealed: FileEntry, to: String, actual: Fixity) -> FileReport {
    let from = sealed.path.to_string();
    let mut report = verdict(sealed, FileStatus::Moved, Some(actual), None);
    report.detail = Some(format!("sealed as {from}"));
    report.path = to;
    report.moved_from = Some(from);
    report
}

fn compare(entry: FileEntry, actual: Fixity) -> FileReport {
    if actual.size == entry.size && actual.digest == entry.digest {
        return verdict(entry, FileStatus::Ok, Some(actual), None);
    }
    let detail = if actual.size != entry.size {
        format!(
            "content changed (size {} -> {} bytes, sha256 {} -> {})",
            entry.size,
            actual.size,
            short(&entry.digest.to_hex()),
            short(&actual.digest.to_hex())
        )
    } else {
        format!(
            "content changed (same size, sha256 {} -> {})",
            short(&entry.digest.to_hex()),
            short(&actual.digest.to_hex())
        )
    };
    verdict(entry, FileStatus::Modified, Some(actual), Some(detail))
}

fn short(hex: &str) -> &str {
    &hex[..12]
}

fn verdict(
    entry: FileEntry,
    status: FileStatus,
    actual: Option<Fixity>,
    detail: Option<String>,
) -> FileReport {
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

fn extra(path: String, actual: Option<Fixity>, detail: String) -> FileReport {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Sha256Digest;
    use crate::inventory::{Inventory, Measured};
    use crate::provenance::Recorded;
    use crate::relpath::RelPath;

    fn entry(path: &str, content: &[u8]) -> FileEntry {
        FileEntry {
            path: RelPath::new(path).unwrap(),
            size: content.len() as u64,
            digest: Sha256Digest::of(content),
            origin: Recorded::Unknown,
            retrieved: Recorded::Unknown,
        }
    }

    fn manifest(files: Vec<FileEntry>) -> Manifest {
        let text = crate::manifest::tests::unsigned_body(&files);
        Manifest::parse(Path::new("m.toml"), text.as_bytes()).unwrap()
    }

    fn present(path: &str, content: &[u8]) -> Measured {
        Measured {
            path: RelPath::new(path).unwrap(),
            measurement: Measurement::Hashed(Fixity {
                size: content.len() as u64,
                digest: Sha256Digest::of(content),
            }),
        }
    }

    fn verdicts(m: &Manifest, files: Vec<Measured>) -> Vec<(String, FileStatus, Option<String>)> {
        let inv = Inventory {
            files,
            ..Inventory::default()
        };
        let (verdicts, _) = check(m.clone(), |sink| {
            inv.into_items().into_iter().try_for_each(sink)
        })
        .unwrap();
        verdicts
            .iter()
            .map(|r| r.unwrap())
            .map(|r| (r.path, r.status, r.moved_from))
            .collect()
    }

    #[test]
    fn a_file_that_vanished_before_it_was_read_is_missing_never_ok() {
        let m = manifest(vec![entry("a", b"x")]);
        let gone = Measured {
            path: RelPath::new("a").unwrap(),
            measurement: Measurement::Vanished,
        };
        assert_eq!(
            verdicts(&m, vec![gone]),
            [("a".into(), FileStatus::Missing, None)]
        );
    }

    #[test]
    fn a_file_that_changed_size_while_being_read_is_modified() {
        let m = manifest(vec![entry("a", b"sealed content")]);
        let v = verdicts(&m, vec![present("a", b"sealed content, then it grew")]);
        assert_eq!(v, [("a".into(), FileStatus::Modified, None)]);
        let v = verdicts(&m, vec![present("a", b"sealed")]);
        assert_eq!(v, [("a".into(), FileStatus::Modified, None)]);
    }

    #[test]
    fn moves_of_identical_contents_are_paired_in_path_order_and_leftovers_stay_missing() {
        // Two sealed entries with one content; both gone; one new file with that content.
        let m = manifest(vec![entry("a", b"same"), entry("b", b"same")]);
        let v = verdicts(&m, vec![present("z", b"same")]);
        assert_eq!(
            v,
            [
                ("b".into(), FileStatus::Missing, None),
                ("z".into(), FileStatus::Moved, Some("a".into())),
            ]
        );
        // Two new files, two gone entries: a -> x, b -> y.
        let v = verdicts(&m, vec![present("y", b"same"), present("x", b"same")]);
        assert_eq!(
            v,
            [
                ("x".into(), FileStatus::Moved, Some("a".into())),
                ("y".into(), FileStatus::Moved, Some("b".into())),
            ]
        );
    }

    #[test]
    fn a_copy_of_a_file_still_in_place_is_extra_not_moved() {
        let m = manifest(vec![entry("a", b"same")]);
        let v = verdicts(&m, vec![present("a", b"same"), present("copy", b"same")]);
        assert_eq!(
            v,
            [
                ("a".into(), FileStatus::Ok, None),
                ("copy".into(), FileStatus::Extra, None),
            ]
        );
    }

    /// `(path, status, detail)` of a report.
    type Judged = (String, FileStatus, Option<String>);

    /// `(path, status, detail)` of every report of a check fed `items` in the order given.
    fn judged(m: &Manifest, items: Vec<Item>) -> (Vec<Judged>, Vec<Skipped>) {
        let (verdicts, skipped) =
            check(m.clone(), |sink| items.into_iter().try_for_each(sink)).unwrap();
        let reports = verdicts
            .iter()
            .map(|r| r.unwrap())
            .map(|r| (r.path, r.status, r.detail))
            .collect();
        (reports, skipped)
    }

    #[test]
    fn an_unreadable_folder_reported_where_the_walk_reports_it_makes_its_sealed_files_unreadable() {
        // The walk reports a folder it cannot read where the folder's contents would come (after
        // `m.txt`, before `m0`): later than paths that sort after the folder's own name. Its
        // sealed files straddle the first batch boundary of the manifest.
        let mut files: Vec<FileEntry> = (0..1000)
            .map(|i| entry(&format!("a/{i:05}"), format!("a{i}").as_bytes()))
            .collect();
        files.extend((0..100).map(|i| entry(&format!("m/{i:05}"), format!("m{i}").as_bytes())));
        files.push(entry("m.txt", b"m.txt"));
        files.push(entry("m0", b"m0"));
        files.push(entry("z", b"z"));
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let m = manifest(files.clone());
        let reason = "cannot read folder: permission denied";
        let mut items: Vec<Item> = (0..1000)
            .map(|i| Item::File(present(&format!("a/{i:05}"), format!("a{i}").as_bytes())))
            .collect();
        items.push(Item::File(present("m.txt", b"m.txt")));
        items.push(Item::Problem(walk::Problem {
            path: "m".into(),
            fs_path: PathBuf::from("col/m"),
            reason: reason.into(),
            unreadable: true,
        }));
        items.push(Item::File(present("m0", b"m0")));
        items.push(Item::File(present("z", b"z")));
        let (reports, skipped) = judged(&m, items);
        assert!(skipped.is_empty());
        assert_eq!(reports.len(), files.len());
        for (report, sealed) in reports.iter().zip(&files) {
            assert_eq!(report.0, sealed.path.as_str());
            if report.0.starts_with("m/") {
                let why = format!("in m: {reason}");
                assert_eq!(
                    (report.1, report.2.as_deref()),
                    (FileStatus::Unreadable, Some(why.as_str()))
                );
            } else {
                assert_eq!(
                    (report.1, report.2.as_deref()),
                    (FileStatus::Ok, None),
                    "{report:?}"
                );
            }
        }
    }

    #[test]
    fn a_sealed_path_that_is_now_a_special_file_is_unreadable_and_not_listed_as_skipped() {
        let m = manifest(vec![entry("a", b"a"), entry("b", b"b"), entry("c", b"c")]);
        let skip = |path: &str, kind| {
            Item::Skipped(Skipped {
                path: path.into(),
                kind,
            })
        };
        let items = vec![
            Item::File(present("a", b"a")),
            skip("b", walk::SkipKind::Fifo),
            skip("b2", walk::SkipKind::Symlink),
            Item::File(present("c", b"c")),
        ];
        let (reports, skipped) = judged(&m, items);
        assert_eq!(
            reports,
            [
                ("a".into(), FileStatus::Ok, None),
                (
                    "b".into(),
                    FileStatus::Unreadable,
                    Some("is now a named pipe".into())
                ),
                ("c".into(), FileStatus::Ok, None),
            ]
        );
        let skipped: Vec<&str> = skipped.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(skipped, ["b2"]);
    }

    #[test]
    fn a_manifest_with_commented_entry_headers_in_its_first_batch_has_no_consistency_problem() {
        let files: Vec<FileEntry> = (0..2100)
            .map(|i| entry(&format!("f/{i:05}"), format!("{i}").as_bytes()))
            .collect();
        let body = crate::manifest::tests::unsigned_body(&files);
        // The same TOML document: a comment after a table header changes nothing. (Not on the
        // first entry's header, which would then be read as part of the manifest header.)
        let second = "\n[[file]]\npath = \"f/00001\"\n";
        let body = body.replacen(
            second,
            "\n[[file]] # the second entry\npath = \"f/00001\"\n",
            1,
        );
        let m = Manifest::parse(Path::new("m.toml"), body.as_bytes()).unwrap();
        assert_eq!(m.summary.count, files.len());
        assert_eq!(m.files().unwrap(), files);
        assert_eq!(consistency_problems(&m), Vec::<String>::new());
    }
}
