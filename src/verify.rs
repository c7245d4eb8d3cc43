//! Verification: check the manifest's signatures against the trusted keys first, then its
//! consistency, then re-hash the collection and give every sealed or present path a verdict.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::digest::{HASH_BUFFER_SIZE, hash_file};
use crate::error::{Error, Result, describe_io};
use crate::keys;
use crate::manifest::{FileEntry, Manifest, merkle};
use crate::report::{FileReport, FileStatus, Fixity, REPORT_VERSION, Totals, VerifyReport};
use crate::signature;
use crate::walk;

/// What to verify and against which keys.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// The manifest file.
    pub manifest: PathBuf,
    /// The collection folder; by default the manifest's `collection`, relative to the manifest.
    pub root: Option<PathBuf>,
    /// Trusted public key files or folders of `.pub` files.
    pub trust: Vec<PathBuf>,
    /// Fail when any file's origin or retrieval time is unknown.
    pub require_provenance: bool,
}

/// Verifies a collection against a manifest.
///
/// Returns `Ok` with a report whenever verification could run, whatever it found; `Err` only when
/// it could not run (unreadable or malformed manifest, no trusted keys, no collection folder).
pub fn verify(opts: &VerifyOptions) -> Result<VerifyReport> {
    let manifest = Manifest::load(&opts.manifest)?;
    let trusted = keys::load_trusted(&opts.trust)?;
    let root = match &opts.root {
        Some(r) => r.clone(),
        None => opts
            .manifest
            .parent()
            .unwrap_or(Path::new(""))
            .join(&manifest.header.collection),
    };
    if !root.is_dir() {
        return Err(Error::invalid(
            &root,
            format!(
                "collection folder not found (the manifest says collection = \"{}\"); pass --root DIR",
                manifest.header.collection.escape_debug()
            ),
        ));
    }
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
        check_files(&manifest, &root, &opts.manifest, &mut report)?;
        report.files_checked = true;
    }
    report.finish();
    Ok(report)
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
    root: &Path,
    manifest_path: &Path,
    report: &mut VerifyReport,
) -> Result<()> {
    let exclude = walk::path_inside(root, manifest_path);
    let found = walk::walk(root, exclude.as_ref())?;
    let present: HashMap<&str, &Path> = found
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.fs_path.as_path()))
        .collect();
    let skipped: HashMap<&str, &walk::Skipped> =
        found.skipped.iter().map(|s| (s.path.as_str(), s)).collect();
    let unreadable_dirs: Vec<&walk::Problem> =
        found.problems.iter().filter(|p| p.unreadable).collect();
    let mut sealed_skips = HashSet::new();
    let mut buf = vec![0u8; HASH_BUFFER_SIZE];

    for entry in &manifest.files {
        let path = entry.path.as_str();
        let file = if let Some(fs_path) = present.get(path) {
            match hash_file(fs_path, &mut buf) {
                Ok((digest, size)) => compare(entry, Fixity { size, digest }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    verdict(entry, FileStatus::Missing, None, None)
                }
                Err(e) => verdict(
                    entry,
                    FileStatus::Unreadable,
                    None,
                    Some(format!("cannot read: {}", describe_io(&e))),
                ),
            }
        } else if let Some(s) = skipped.get(path) {
            sealed_skips.insert(path);
            verdict(
                entry,
                FileStatus::Unreadable,
                None,
                Some(format!("is now a {}", s.kind.describe())),
            )
        } else if let Some(p) = unreadable_dirs
            .iter()
            .find(|p| path.starts_with(&format!("{}/", p.path)) || p.path.is_empty())
        {
            verdict(
                entry,
                FileStatus::Unreadable,
                None,
                Some(format!("in {}: {}", p.path, p.reason)),
            )
        } else {
            verdict(entry, FileStatus::Missing, None, None)
        };
        report.files.push(file);
    }

    let sealed: HashSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    for f in &found.files {
        if !sealed.contains(f.path.as_str()) {
            report.files.push(extra(f.path.as_str().to_string(), None));
        }
    }
    for p in &found.problems {
        if !p.unreadable {
            report
                .files
                .push(extra(p.path.clone(), Some(p.reason.clone())));
        }
    }
    report.skipped = found
        .skipped
        .into_iter()
        .filter(|s| !sealed_skips.contains(s.path.as_str()))
        .collect();
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(())
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

fn extra(path: String, detail: Option<String>) -> FileReport {
    FileReport {
        path,
        status: FileStatus::Extra,
        expected: None,
        actual: None,
        origin: None,
        retrieved: None,
        detail: detail.or_else(|| Some("not in the manifest".to_string())),
    }
}
