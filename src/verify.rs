//! Verification: check the manifest's signatures against the trusted keys first, then its
//! consistency, then re-hash the collection and give every sealed or present path a verdict.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use crate::archive::LeadingFolder;
use crate::collection::{self, Collection};
use crate::error::{Error, Result};
use crate::inventory::{HashOptions, Inventory, Measurement, Progress};
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
    let sig = signature::check(&manifest.body, &manifest.signatures, &trusted);
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
        check_files(
            &manifest,
            &collection,
            &opts.manifest,
            opts.hashing,
            progress,
            &mut report,
        )?;
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

fn check_files(
    manifest: &Manifest,
    collection: &Collection,
    manifest_path: &Path,
    hashing: HashOptions,
    progress: &dyn Progress,
    report: &mut VerifyReport,
) -> Result<()> {
    let exclude = match collection {
        Collection::Folder(root) => walk::path_inside(root, manifest_path),
        Collection::Archive { .. } => None,
    };
    let scanned = collection::scan(collection, exclude.as_ref(), hashing, progress)?;
    let (files, skipped) = judge(manifest, scanned.inventory);
    report.files = files;
    report.skipped = skipped;
    Ok(())
}

/// Gives every sealed entry and every present file a verdict. Shared by every kind of collection
/// (folder or archive): they differ only in how the [`Inventory`] is made.
pub fn judge(manifest: &Manifest, inventory: Inventory) -> (Vec<FileReport>, Vec<Skipped>) {
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
    let mut sealed_skips = HashSet::new();
    let mut reports = Vec::with_capacity(manifest.files.len());
    // Sealed entries that are gone, by content: candidates for a move.
    let mut gone: HashMap<([u8; 32], u64), VecDeque<&FileEntry>> = HashMap::new();
    let mut ok_by_content: HashMap<([u8; 32], u64), &FileEntry> = HashMap::new();

    for entry in &manifest.files {
        let path = entry.path.as_str();
        let report = match present.get(path) {
            Some(Measurement::Hashed(fx)) => {
                let r = compare(entry, *fx);
                if r.status == FileStatus::Ok {
                    ok_by_content.entry(content_key(entry)).or_insert(entry);
                }
                r
            }
            Some(Measurement::Unreadable(why)) => verdict(
                entry,
                FileStatus::Unreadable,
                None,
                Some(format!("cannot read: {why}")),
            ),
            Some(Measurement::Vanished) | None => {
                if let Some(s) = skipped.get(path) {
                    sealed_skips.insert(path);
                    verdict(
                        entry,
                        FileStatus::Unreadable,
                        None,
                        Some(format!("is now a {}", s.kind.describe())),
                    )
                } else if let Some(p) = unreadable_dirs
                    .iter()
                    .find(|p| p.path.is_empty() || path.starts_with(&format!("{}/", p.path)))
                {
                    verdict(
                        entry,
                        FileStatus::Unreadable,
                        None,
                        Some(format!("in {}: {}", p.path, p.reason)),
                    )
                } else {
                    gone.entry(content_key(entry)).or_default().push_back(entry);
                    continue;
                }
            }
        };
        reports.push(report);
    }

    let sealed: HashSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    // Present files that are not sealed, in path order: each one either completes a move (same
    // size and digest as a sealed entry that is gone; pairs are made in path order) or is extra.
    for m in &inventory.files {
        if sealed.contains(m.path.as_str()) {
            continue;
        }
        let path = m.path.as_str().to_string();
        let report = match &m.measurement {
            Measurement::Hashed(fx) => {
                let key = (*fx.digest.as_bytes(), fx.size);
                match gone.get_mut(&key).and_then(VecDeque::pop_front) {
                    Some(from) => moved(from, path, *fx),
                    None => {
                        let detail = match ok_by_content.get(&key) {
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
        reports.push(report);
    }
    for entries in gone.into_values() {
        for entry in entries {
            reports.push(verdict(entry, FileStatus::Missing, None, None));
        }
    }
    for p in &inventory.problems {
        if !p.unreadable {
            reports.push(extra(p.path.clone(), None, p.reason.clone()));
        }
    }
    let skipped = inventory
        .skipped
        .into_iter()
        .filter(|s| !sealed_skips.contains(s.path.as_str()))
        .collect();
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    (reports, skipped)
}

fn content_key(entry: &FileEntry) -> ([u8; 32], u64) {
    (*entry.digest.as_bytes(), entry.size)
}

fn moved(from: &FileEntry, to: String, actual: Fixity) -> FileReport {
    let mut r = verdict(from, FileStatus::Moved, Some(actual), None);
    r.moved_from = Some(r.path.clone());
    r.detail = Some(format!("sealed as {}", from.path));
    r.path = to;
    r
}

fn compare(entry: &FileEntry, actual: Fixity) -> FileReport {
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
    entry: &FileEntry,
    status: FileStatus,
    actual: Option<Fixity>,
    detail: Option<String>,
) -> FileReport {
    FileReport {
        path: entry.path.as_str().to_string(),
        status,
        moved_from: None,
        expected: Some(Fixity {
            size: entry.size,
            digest: entry.digest,
        }),
        actual,
        origin: entry.origin.known().map(ToString::to_string),
        retrieved: entry.retrieved.known().map(ToString::to_string),
        detail,
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
