//! The orchestrator of `audit`: a bibliography's references looked up in the sealed manifests
//! (`audit/citations.rs`) and then — when asked — each sealed copy found checked against the file
//! in its collection (`collection/hashing.rs`), so that a copy changed since sealing is told
//! apart from an intact one. Only the files a reference cites are read, never the collection.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::audit::citations::{self, AuditOptions, AuditReport, SealedCopy};
use crate::collection::archive::{LeadingFolder, scan_archive};
use crate::collection::hashing::{self, ReadBuffer};
use crate::collection::{Measurement, NoProgress, default_jobs, measure_path};
use crate::error::{Error, Result};
use crate::relpath::RelPath;

/// Which files the sealed copies are checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileCheck {
    /// None: the manifests alone are audited.
    None,
    /// Each manifest's own collection folder (its `collection`, relative to the manifest).
    Collections,
    /// This folder, for the one manifest given (`--root`).
    Root(PathBuf),
    /// This archive, for the one manifest given (`--archive`): read through once, its entries
    /// hashed, the cited ones compared.
    Archive(PathBuf),
}

/// Audits the references, and checks the files of the copies found as `files` says.
pub fn audit(opts: &AuditOptions, files: &FileCheck) -> Result<AuditReport> {
    if matches!(files, FileCheck::Root(_) | FileCheck::Archive(_)) && opts.manifests.len() != 1 {
        return Err(Error::Usage(
            "--root and --archive name the collection of one manifest; with several manifests, use --check-files (each manifest's own collection)".into(),
        ));
    }
    let mut report = citations::audit(opts)?;
    if *files == FileCheck::None {
        return Ok(report);
    }
    if let FileCheck::Archive(path) = files {
        check_in_archive(&mut report, path)?;
        report.files_checked = true;
        report.judge();
        return Ok(report);
    }
    let roots: Vec<PathBuf> = report
        .manifests
        .iter()
        .map(|m| match files {
            FileCheck::Root(root) => root.clone(),
            _ => m.collection_path.clone(),
        })
        .collect();
    let mut buf = ReadBuffer::new(hashing::HASH_BUFFER_SIZE);
    for reference in &mut report.references {
        for copy in &mut reference.copies {
            check_copy(copy, &roots[copy.manifest], buf.as_mut_slice());
        }
    }
    report.files_checked = true;
    report.judge();
    Ok(report)
}

/// Checks every copy against the entries of the archive at `path` (leading folder recognised as
/// `verify --archive` does); the archive is read only when some reference has a copy.
fn check_in_archive(report: &mut AuditReport, path: &Path) -> Result<()> {
    if report.references.iter().all(|r| r.copies.is_empty()) {
        return Ok(());
    }
    let leading = LeadingFolder::Detect { keep: None };
    let scan = scan_archive(path, &leading, default_jobs(), None, None, &NoProgress)?;
    let files: HashMap<&str, &Measurement> = scan
        .inventory
        .files
        .iter()
        .map(|m| (m.path.as_str(), &m.measurement))
        .collect();
    for copy in report
        .references
        .iter_mut()
        .flat_map(|r| r.copies.iter_mut())
    {
        match files.get(copy.path.as_str()) {
            Some(m @ (Measurement::Hashed(_) | Measurement::Unreadable(_))) => judge(copy, m),
            Some(_) | None => {
                copy.intact = Some(false);
                copy.file_detail = Some(format!("not in the archive {}", path.display()));
            }
        }
    }
    Ok(())
}

/// Checks one copy's file under `root`: never through a symbolic link, and never reading more
/// than one byte past its sealed size.
fn check_copy(copy: &mut SealedCopy, root: &Path, buf: &mut [u8]) {
    if root.is_file() {
        copy.file_detail = Some(format!(
            "not checked: the collection is the archive {}; pass it as --archive to check it",
            root.display()
        ));
        return;
    }
    if !root.is_dir() {
        copy.intact = Some(false);
        copy.file_detail = Some(format!(
            "the collection folder {} is not there",
            root.display()
        ));
        return;
    }
    let Ok(path) = RelPath::new(&copy.path) else {
        copy.intact = Some(false);
        copy.file_detail = Some("its sealed path cannot be looked up".into());
        return;
    };
    judge(copy, &measure_path(root, &path, copy.size, buf));
}

/// Whether the copy is intact, from what reading its file (or archive entry) gave.
fn judge(copy: &mut SealedCopy, measured: &Measurement) {
    let detail = match measured {
        Measurement::Hashed(fx) if fx.size == copy.size && fx.digest == copy.digest => None,
        Measurement::Hashed(fx) => Some(format!("content changed (sha256 {})", fx.digest)),
        Measurement::OtherSize(size) => Some(format!(
            "content changed (size {} -> {size} bytes)",
            copy.size
        )),
        Measurement::Vanished => Some(format!("{} is missing", copy.path)),
        Measurement::Unreadable(why) => Some(format!("cannot read {}: {why}", copy.path)),
    };
    copy.intact = Some(detail.is_none());
    copy.file_detail = detail;
}
