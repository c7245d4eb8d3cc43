//! Verification: check the manifest's signatures against the trusted keys first, then its
//! consistency, then re-hash the collection and give every sealed or present path a verdict.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use crate::archive::LeadingFolder;
use crate::collection::{self, Collection};
use crate::error::{Error, Result};
use crate::inventory::{HashOptions, Inventory, Measured, Measurement, Progress};
use crate::keys;
use crate::manifest::{FileEntry, Manifest, merkle};
use crate::report::{FileReport, FileStatus, Fixity, REPORT_VERSION, Totals, VerifyReport};
use crate::signature;
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
    let manifest = Manifest::load(&opts.manifest)?;
    let trusted = keys::load_trusted(&opts.trust)?;
    let collection = locate(opts, &manifest)?;
    let root = collection.path().to_path_buf();
    let sig = signature::check_message(manifest.signed_message(), &manifest.signatures, &trusted);
    let mut report = VerifyReport {
        report_version: REPORT_VERSION,
        manifest: opts.manifest.display().to_string(),
        collection: manifest.header.name.clone(),
        root: root.display().to_string(),
        files_checked: false,
        signature: sig,
        manifest_problems: Vec::new(),
        files: Vec::new(),
        skipped: Vec::new(),
        totals: Totals {
            sealed: manifest.files.len(),
            lacking_provenance: manifest.count_lacking_provenance(),
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
        // The manifest's text is not needed past this point: free it before hashing.
        let (_, entries) = manifest.into_parts();
        let scanned = collection::scan(&collection, exclude.as_ref(), opts.hashing, progress)?;
        (report.files, report.skipped) = judge(entries, scanned.inventory);
        report.files_checked = true;
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
            keep: common_folder(manifest),
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

/// The first path segment that every sealed path shares, if all of them lie below one folder.
fn common_folder(manifest: &Manifest) -> Option<String> {
    let mut firsts = manifest
        .files
        .iter()
        .map(|f| f.path.as_str().split_once('/').map(|(first, _)| first));
    let first = firsts.next()??;
    firsts.all(|f| f == Some(first)).then(|| first.to_string())
}

/// Problems that only a faulty signer could produce: entries out of order, a wrong root digest.
fn consistency_problems(manifest: &Manifest) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(w) = manifest.files.windows(2).find(|w| w[0].path >= w[1].path) {
        problems.push(format!(
            "entries are not sorted by path (\"{}\" comes before \"{}\")",
            w[0].path, w[1].path
        ));
    }
    let root = merkle::root(&manifest.files);
    if root != manifest.header.root {
        problems.push(format!(
            "root digest {} does not match the entries (which give {root})",
            manifest.header.root
        ));
    }
    problems
}

/// Gives every sealed entry and every present file a verdict. Shared by every kind of collection
/// (folder or archive): they differ only in how the [`Inventory`] is made. The entries are
/// consumed: their paths and provenance move into the reports.
pub fn judge(entries: Vec<FileEntry>, mut inventory: Inventory) -> (Vec<FileReport>, Vec<Skipped>) {
    // Moves are paired in path order, whatever order the inventory came in (archives list their
    // entries in their own order). Already sorted input costs one linear pass.
    inventory.files.sort_by(|a, b| a.path.cmp(&b.path));
    let present: HashMap<&str, &Measurement> = inventory
        .files
        .iter()
        .map(|m| (m.path.as_str(), &m.measurement))
        .collect();
    let skipped: HashMap<&str, &Skipped> = inventory
        .skipped
        .iter()
        .map(|s| (s.path.as_str(), s))
        .collect();
    let unreadable_dirs: Vec<&walk::Problem> =
        inventory.problems.iter().filter(|p| p.unreadable).collect();
    let mut sealed_skips: HashSet<String> = HashSet::new();
    // One verdict per sealed entry, in manifest order; a missing entry that turns out to have
    // moved gives up its slot to the moved report.
    let mut slots: Vec<Option<FileReport>> = Vec::with_capacity(entries.len());
    let mut gone_slots: Vec<usize> = Vec::new();

    for entry in entries {
        let path = entry.path.as_str();
        let report = match present.get(path) {
            Some(Measurement::Hashed(fx)) => compare(entry, *fx),
            Some(Measurement::Unreadable(why)) => {
                let why = format!("cannot read: {why}");
                verdict(entry, FileStatus::Unreadable, None, Some(why))
            }
            Some(Measurement::Vanished) | None => {
                if let Some(s) = skipped.get(path) {
                    sealed_skips.insert(path.to_string());
                    let why = format!("is now a {}", s.kind.describe());
                    verdict(entry, FileStatus::Unreadable, None, Some(why))
                } else if let Some(p) = unreadable_dirs
                    .iter()
                    .find(|p| p.path.is_empty() || path.starts_with(&format!("{}/", p.path)))
                {
                    let why = format!("in {}: {}", p.path, p.reason);
                    verdict(entry, FileStatus::Unreadable, None, Some(why))
                } else {
                    gone_slots.push(slots.len());
                    verdict(entry, FileStatus::Missing, None, None)
                }
            }
        };
        slots.push(Some(report));
    }

    let unsealed: Vec<&Measured> = {
        let sealed: HashSet<&str> = slots.iter().flatten().map(|r| r.path.as_str()).collect();
        let unsealed = inventory
            .files
            .iter()
            .filter(|m| !sealed.contains(m.path.as_str()));
        unsealed.collect()
    };
    // Only when files that are not sealed are present are the sealed contents indexed: the gone
    // ones (slot indices, in path order) and the ones still in place.
    let mut gone: HashMap<([u8; 32], u64), VecDeque<usize>> = HashMap::new();
    let mut in_place: HashMap<([u8; 32], u64), usize> = HashMap::new();
    if !unsealed.is_empty() {
        for &slot in &gone_slots {
            if let Some(key) = slots[slot].as_ref().and_then(content_key) {
                gone.entry(key).or_default().push_back(slot);
            }
        }
        for (slot, report) in slots.iter().enumerate() {
            if let Some(r) = report.as_ref().filter(|r| r.status == FileStatus::Ok)
                && let Some(key) = content_key(r)
            {
                in_place.entry(key).or_insert(slot);
            }
        }
    }
    // Present files that are not sealed, in path order: each one either completes a move (same
    // size and digest as a sealed entry that is gone; pairs are made in path order) or is extra.
    let mut others = Vec::new();
    for m in unsealed {
        let path = m.path.as_str().to_string();
        let report = match &m.measurement {
            Measurement::Hashed(fx) => {
                let key = (*fx.digest.as_bytes(), fx.size);
                let from = gone.get_mut(&key).and_then(VecDeque::pop_front);
                match from.and_then(|slot| slots[slot].take()) {
                    Some(sealed) => moved(sealed, path, *fx),
                    None => {
                        let original = in_place.get(&key).and_then(|&i| slots[i].as_ref());
                        let detail = match original {
                            Some(orig) => {
                                format!("not in the manifest (a copy of sealed {})", orig.path)
                            }
                            None => "not in the manifest".to_string(),
                        };
                        extra(path, Some(*fx), detail)
                    }
                }
            }
            Measurement::Vanished => continue,
            Measurement::Unreadable(why) => extra(
                path,
                None,
                format!("not in the manifest, and cannot read: {why}"),
            ),
        };
        others.push(report);
    }
    for p in &inventory.problems {
        if !p.unreadable {
            others.push(extra(p.path.clone(), None, p.reason.clone()));
        }
    }
    drop(present);
    drop(std::mem::take(&mut inventory.files));
    let skipped = inventory
        .skipped
        .into_iter()
        .filter(|s| !sealed_skips.contains(&s.path))
        .collect();
    // Paths are unique, so an unstable sort gives the one order, without the scratch buffer of
    // half a million reports that a stable sort of 10^6 would allocate. Sealed reports are
    // already in order (the usual case has no others): a sorted run is detected in one pass.
    let mut reports: Vec<FileReport> = slots.into_iter().flatten().collect();
    reports.append(&mut others);
    reports.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    (reports, skipped)
}

/// The sealed size and digest of a sealed entry's report.
fn content_key(report: &FileReport) -> Option<([u8; 32], u64)> {
    report.expected.map(|fx| (*fx.digest.as_bytes(), fx.size))
}

/// The report of a sealed entry that is gone, turned into a move to `to`.
fn moved(mut sealed: FileReport, to: String, actual: Fixity) -> FileReport {
    sealed.detail = Some(format!("sealed as {}", sealed.path));
    sealed.moved_from = Some(std::mem::replace(&mut sealed.path, to));
    sealed.status = FileStatus::Moved;
    sealed.actual = Some(actual);
    sealed
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
        judge(m.files.clone(), inv)
            .0
            .into_iter()
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
}
