//! The merge at the heart of `verify`: the collection's items, in path order, judged against the
//! manifest's sealed entries, in path order, as they stream past — one status byte per entry —
//! and, at the end, the files that are not sealed paired with the entries that are missing (a
//! move). Shared by every kind of collection: they differ only in how their items are listed.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use crate::collection::{Item, Measurement, Problem, SealedSizes, Sink, Skipped};
use crate::error::{Error, Result};
use crate::manifest::{EntryFixity, FileEntry, Manifest, Naming};
use crate::relpath::RelPath;
use crate::report::{FileReport, FileStatus, FileVerdicts, Fixity, SealedEntries, SealedStatus};

/// The sealed entries in path order: the manifest itself when it is sorted (the normal case,
/// read again a batch at a time), else all its entries collected and sorted.
#[derive(Debug)]
pub(super) enum SortedEntries {
    Manifest(Box<Manifest>),
    Collected(Vec<FileEntry>),
    /// The entries of a shard's range of a sorted manifest.
    Range(Box<Manifest>, std::ops::Range<usize>),
}

type EntryIter<'a> = Box<dyn Iterator<Item = Result<FileEntry>> + Send + 'a>;
type FixityIter<'a> = Box<dyn Iterator<Item = Result<EntryFixity<'a>>> + 'a>;

impl SortedEntries {
    pub(super) fn of(manifest: Manifest) -> Result<Self> {
        if manifest.summary.is_sorted() {
            return Ok(SortedEntries::Manifest(Box::new(manifest)));
        }
        let mut files = manifest.files()?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(SortedEntries::Collected(files))
    }

    /// What is compared of each entry, cheaply.
    pub(super) fn fixities(&self) -> FixityIter<'_> {
        match self {
            SortedEntries::Manifest(m) => Box::new(m.fixities()),
            SortedEntries::Collected(files) => Box::new(files.iter().map(|f| Ok(f.into()))),
            SortedEntries::Range(m, r) => Box::new(m.fixities_from(r.start).take(r.len())),
        }
    }
}

impl SealedEntries for SortedEntries {
    fn entries(&self) -> EntryIter<'_> {
        match self {
            SortedEntries::Manifest(m) => Box::new(m.entries()),
            SortedEntries::Collected(files) => Box::new(files.iter().cloned().map(Ok)),
            SortedEntries::Range(m, r) => Box::new(m.entries_from(r.start).take(r.len())),
        }
    }
}

/// Checks the collection against the manifest's entries: `scan` hands every item of the
/// collection to the sink it is given, in path order, and each is judged against the sealed
/// entries as it comes (a merge of two sorted lists). Moves are paired at the end, from the files
/// that are not sealed. Shared by every kind of collection: they differ only in how `scan` lists
/// their items.
pub fn check(
    manifest: Manifest,
    scan: impl FnOnce(&mut Sink<'_>, &mut dyn SealedSizes) -> Result<()>,
) -> Result<(FileVerdicts, Vec<Skipped>)> {
    let capacity = manifest.summary.count;
    let naming = manifest.header.naming;
    judge_all(SortedEntries::of(manifest)?, naming, capacity, scan)
}

/// The entries named (`verify MANIFEST PATH...`), found in one pass over the manifest, sorted,
/// each once: a name the manifest does not hold is [`Error::NotInManifest`].
pub fn named_entries(manifest: &Manifest, names: &[String]) -> Result<Vec<FileEntry>> {
    let wanted: HashSet<&str> = names.iter().map(|n| n.trim_start_matches("./")).collect();
    let mut found: Vec<FileEntry> = Vec::with_capacity(wanted.len());
    for entry in manifest.entries() {
        let entry = entry?;
        if wanted.contains(entry.path.as_str()) {
            found.push(entry);
        }
    }
    if let Some(missing) = names.iter().find(|n| {
        let n = n.trim_start_matches("./");
        !found.iter().any(|e| e.path.as_str() == n)
    }) {
        return Err(Error::NotInManifest {
            manifest: manifest.display_path().to_path_buf(),
            path: missing.clone(),
        });
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    Ok(found)
}

/// [`check`] of only the `named` entries: `scan` hands it the items of those paths (other items
/// are passed over). Nothing is extra or moved here — only the named files are looked at.
pub fn check_named(
    named: Vec<FileEntry>,
    naming: Option<Naming>,
    scan: impl FnOnce(&mut Sink<'_>, &mut dyn SealedSizes) -> Result<()>,
) -> Result<(FileVerdicts, Vec<Skipped>)> {
    let wanted: HashSet<String> = named.iter().map(|e| e.path.as_str().to_string()).collect();
    let capacity = named.len();
    let entries = SortedEntries::Collected(named);
    let (verdicts, _) = judge_all(entries, naming, capacity, |sink, sizes| {
        scan(
            &mut |item| match wanted.contains(item.path()) {
                true => sink(item),
                false => Ok(()),
            },
            sizes,
        )
    })?;
    Ok((verdicts, Vec::new()))
}

/// The merge of `entries` with the items `scan` gives, then the moves.
fn judge_all(
    entries: SortedEntries,
    naming: Option<Naming>,
    capacity: usize,
    scan: impl FnOnce(&mut Sink<'_>, &mut dyn SealedSizes) -> Result<()>,
) -> Result<(FileVerdicts, Vec<Skipped>)> {
    let judged = judge(&entries, naming, capacity, scan)?;
    conclude(entries, naming, judged)
}

/// The merge of `entries` with the items `scan` gives: a verdict per entry, and what is not
/// sealed.
pub(super) fn judge(
    entries: &SortedEntries,
    naming: Option<Naming>,
    capacity: usize,
    scan: impl FnOnce(&mut Sink<'_>, &mut dyn SealedSizes) -> Result<()>,
) -> Result<Judged> {
    let mut sizes = SizeCursor {
        all: entries,
        entries: entries.fixities().peekable(),
        index: None,
    };
    let mut judge = Judge {
        naming,
        entries: entries.fixities().peekable(),
        next: 0,
        found: Judged {
            status: Vec::with_capacity(capacity),
            ..Judged::default()
        },
    };
    scan(&mut |item| judge.item(item), &mut sizes)?;
    judge.finish()
}

/// What was judged, concluded: the files that are not sealed paired with the missing entries
/// (moves), the names that cannot be recorded made extra, into the verdicts.
pub(super) fn conclude(
    entries: SortedEntries,
    naming: Option<Naming>,
    judged: Judged,
) -> Result<(FileVerdicts, Vec<Skipped>)> {
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
    if let Some(scheme) = naming {
        for report in others.iter_mut().filter(|r| r.status == FileStatus::Moved) {
            let digest = report.actual.map(|a| a.digest);
            if let Some(want) = digest.and_then(|d| scheme.misfit(&report.path, &d)) {
                report.status = FileStatus::Misnamed;
                report.detail = Some(format!(
                    "renamed from {}; the name does not fit its content ({} names it {want})",
                    report.moved_from.as_deref().unwrap_or_default(),
                    scheme.as_str()
                ));
            }
        }
    }
    others.extend(
        named
            .into_iter()
            .map(|p| FileReport::extra(p.path, None, p.reason)),
    );
    others.sort_by(|a, b| a.path.cmp(&b.path));
    let verdicts = FileVerdicts::new(Arc::new(entries), status, changed, reasons, others);
    Ok((verdicts, skipped))
}

/// The sealed sizes for the scan, from a second pass over the sorted entries that runs a little
/// ahead of the judge's (by the files being hashed meanwhile): bounded memory, as the judge's.
/// A tar archive, whose entries come in the stream's order, asks in any order: for it an index
/// of every sealed path's size is built at its first question (a tar's reader holds every
/// entry's name meanwhile anyway).
struct SizeCursor<'a> {
    all: &'a SortedEntries,
    entries: std::iter::Peekable<FixityIter<'a>>,
    index: Option<HashMap<Box<str>, u64>>,
}

impl SealedSizes for SizeCursor<'_> {
    fn size_of(&mut self, path: &RelPath) -> Option<u64> {
        // An entry that cannot be read again answers nothing here; the judge reports it.
        while let Some(Ok(entry)) = self.entries.peek() {
            match entry.path.as_ref().cmp(path.as_str()) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => return Some(entry.size),
                std::cmp::Ordering::Greater => return None,
            }
            self.entries.next();
        }
        None
    }

    fn size_of_unordered(&mut self, path: &RelPath) -> Option<u64> {
        let all = self.all;
        let index = self.index.get_or_insert_with(|| {
            // An entry that cannot be read again is left out here; the judge reports it.
            all.fixities()
                .filter_map(|e| e.ok())
                .map(|e| (Box::from(e.path.as_ref()), e.size))
                .collect()
        });
        index.get(path.as_str()).copied()
    }
}

/// What judging the collection's items found.
#[derive(Default)]
pub(super) struct Judged {
    pub(super) status: Vec<SealedStatus>,
    pub(super) changed: HashMap<usize, Fixity>,
    pub(super) reasons: HashMap<usize, String>,
    /// Folders that could not be read: (path followed by `/`, or empty for the root; path; why).
    pub(super) unreadable_dirs: Vec<(String, String, String)>,
    /// Present files that are not sealed, in path order.
    pub(super) unsealed: Vec<(String, Measurement)>,
    /// Entries whose names cannot be recorded.
    pub(super) named: Vec<Problem>,
    /// Entries that are not regular files and not sealed.
    pub(super) skipped: Vec<Skipped>,
}

/// The merge of the sorted entries with the collection's items.
struct Judge<'a> {
    /// The naming scheme the manifest declares, which every name must fit.
    naming: Option<Naming>,
    entries: std::iter::Peekable<FixityIter<'a>>,
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
                    let misfit = self
                        .naming
                        .and_then(|n| Some((n, n.misfit(&entry.path, &entry.digest)?)));
                    if fx.size == entry.size && fx.digest == entry.digest {
                        if let Some((scheme, want)) = misfit {
                            let why = format!(
                                "the name does not fit its content ({} names it {want})",
                                scheme.as_str()
                            );
                            self.found.reasons.insert(i, why);
                            self.set(SealedStatus::Misnamed);
                        } else {
                            self.set(SealedStatus::Ok);
                        }
                    } else {
                        self.found.changed.insert(i, fx);
                        self.set(SealedStatus::Modified);
                    }
                }
                Measurement::OtherSize(size) => {
                    let why = format!(
                        "content changed (size {} -> {size} bytes; not read, the size shows it)",
                        entry.size
                    );
                    self.found.reasons.insert(i, why);
                    self.set(SealedStatus::Modified);
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
    fn not_found(&mut self, entry: &EntryFixity<'_>) {
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
            None => self.set(SealedStatus::Missing),
        }
    }

    fn unreadable(&mut self, why: String) {
        self.found.reasons.insert(self.next, why);
        self.set(SealedStatus::Unreadable);
    }

    /// Records the verdict on the next entry.
    fn set(&mut self, status: SealedStatus) {
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
    status: &mut [SealedStatus],
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
        for (i, entry) in entries.entries().enumerate() {
            let entry = entry?;
            let key = (*entry.digest.as_bytes(), entry.size);
            if !wanted.contains(&key) {
                continue;
            }
            match status.get(i) {
                Some(SealedStatus::Missing) => gone.entry(key).or_default().push_back((i, entry)),
                Some(SealedStatus::Ok) => {
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
                        status[i] = SealedStatus::Moved;
                        FileReport::moved(sealed, path, fx)
                    }
                    None => {
                        let detail = match in_place.get(&key) {
                            Some(orig) => format!("not in the manifest (a copy of sealed {orig})"),
                            None => "not in the manifest".to_string(),
                        };
                        FileReport::extra(path, Some(fx), detail)
                    }
                }
            }
            Measurement::Unreadable(why) => FileReport::extra(
                path,
                None,
                format!("not in the manifest, and cannot read: {why}"),
            ),
            // Not asked for a path that is not sealed; should it come, it is extra all the same.
            Measurement::OtherSize(size) => FileReport::extra(
                path,
                None,
                format!("not in the manifest ({size} bytes, not read)"),
            ),
            Measurement::Vanished => continue,
        };
        others.push(report);
    }
    Ok(others)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::collection::{Inventory, Measured, SkipKind};
    use crate::digest::Sha256Digest;
    use crate::provenance::Recorded;
    use crate::report::FileStatus;

    fn entry(path: &str, content: &[u8]) -> FileEntry {
        FileEntry {
            path: RelPath::new(path).unwrap(),
            size: content.len() as u64,
            digest: Sha256Digest::of(content),
            origin: Recorded::Unknown,
            retrieved: Recorded::Unknown,
            capture: Default::default(),
            warc: None,
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
        let (verdicts, _) = check(m.clone(), |sink, _| {
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
            check(m.clone(), |sink, _| items.into_iter().try_for_each(sink)).unwrap();
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
        items.push(Item::Problem(Problem {
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
            skip("b", SkipKind::Fifo),
            skip("b2", SkipKind::Symlink),
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
    fn a_commented_entry_header_is_refused_on_the_first_entry_and_on_later_ones_alike() {
        let files: Vec<FileEntry> = (0..2100)
            .map(|i| entry(&format!("f/{i:05}"), format!("{i}").as_bytes()))
            .collect();
        let body = crate::manifest::tests::unsigned_body(&files);
        for n in [0, 1, 1500] {
            let header = format!("\n[[file]]\npath = \"f/{n:05}\"\n");
            let edited = body.replacen(
                &header,
                &format!("\n[[file]] # a note\npath = \"f/{n:05}\"\n"),
                1,
            );
            let err = Manifest::parse(Path::new("m.toml"), edited.as_bytes()).unwrap_err();
            let line = crate::error::line_of(&edited, edited.find("[[file]] # a note").unwrap());
            assert_eq!(
                err.to_string(),
                format!(
                    "m.toml:{line}: table header \"[[file]] # a note\" must be written exactly \"[[file]]\", alone on its line (no blanks, tabs or comment); restore the original file"
                ),
                "entry {n}"
            );
        }
    }
}
