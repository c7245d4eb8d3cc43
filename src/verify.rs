//! Verification, the orchestrator of `verify`: the trusted keys and the manifest's signatures
//! first (`trust`; the manifest's entries are parsed only once they are trusted), then the
//! manifest's own consistency, then the collection (`collection`; never looked up for an
//! untrusted manifest), each item judged against the sealed entries as it comes (`verify/check.rs`), into one
//! [`VerifyReport`] (`report`). It parses, hashes and formats nothing itself.

mod check;
mod history;
mod merge;
mod shards;

use std::path::{Path, PathBuf};

pub use check::check;
pub use history::HistoryOptions;
pub use merge::{MergeOptions, merge_reports};
pub use shards::{verify_extras, verify_shard};

use crate::collection::bucket;
use crate::collection::{
    self, Collection, Expected, HashOptions, LeadingFolder, NameClash, NameClashes, Progress,
};
use crate::error::{Error, Result};
use crate::fsio;
use crate::interop::bagit;
use crate::manifest::Manifest;
use crate::relpath::RelPath;
use crate::report::bag::BagValidation;
use crate::report::{FileVerdicts, REPORT_VERSION, Totals, VerifyReport};
use crate::timing;
use crate::trust::{Trust, TrustOptions};

/// What to verify and against which keys.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// The manifest file.
    pub manifest: PathBuf,
    /// The collection folder (`--root`); by default the manifest's `collection`, relative to the
    /// manifest.
    pub folder: Option<PathBuf>,
    /// An archive file to verify instead of a folder (the default when the manifest's
    /// `collection` names a file).
    pub archive: Option<PathBuf>,
    /// For an archive: strip exactly this many leading path segments from its entries, instead
    /// of recognising a single wrapping folder.
    pub strip_components: Option<usize>,
    /// The trusted keys, the revocations, and what is required of the signers.
    pub trust: TrustOptions,
    /// Fail when any file's origin or retrieval time is unknown.
    pub require_provenance: bool,
    /// How files are hashed.
    pub hashing: HashOptions,
    /// Only these files (collection paths; `verify MANIFEST PATH...`); every file when empty.
    pub paths: Vec<String>,
    /// Expiry, and the checks against what the verifier trusted before (rollback).
    pub history: HistoryOptions,
}

/// Verifies a collection against a manifest.
///
/// Returns `Ok` with a report whenever verification could run, whatever it found; `Err` only when
/// it could not run (unreadable or malformed manifest, no trusted keys, no collection folder).
pub fn verify(opts: &VerifyOptions, progress: &dyn Progress) -> Result<VerifyReport> {
    let Begun {
        manifest,
        collection,
        mut report,
        history,
    } = begin(opts, true)?;
    if let Some(collection) = collection {
        let exclude = match &collection {
            Collection::Folder(_) | Collection::Objects(_) => collection.path_of(&opts.manifest),
            Collection::Archive { .. } => {
                own_entry(&opts.manifest, &manifest.header.collection_path)
            }
        };
        (report.files, report.skipped) = if opts.paths.is_empty() {
            let expected = Expected {
                files: manifest.summary.count as u64,
                bytes: manifest.summary.bytes,
            };
            check(manifest, |sink, sealed| {
                let hashing = opts.hashing;
                collection::scan(
                    &collection,
                    exclude.as_ref(),
                    hashing,
                    Some(expected),
                    Some(sealed),
                    progress,
                    sink,
                )
                .map(|_| ())
            })?
        } else {
            check_named_files(opts, &manifest, &collection, &mut report, progress)?
        };
        report.files_checked = true;
        timing::lap("files");
    }
    report.finish();
    history.finish(&report.signature, report.success)?;
    Ok(report)
}

/// A verification begun: the signature checked, the collection located (only for a valid one),
/// and the report's manifest-wide parts filled in.
struct Begun {
    manifest: Manifest,
    collection: Option<Collection>,
    report: VerifyReport,
    history: history::History,
}

/// Everything of a verification before the files are read: the trusted keys, the manifest and
/// its signature, the collection, the manifest's own problems and (with `clashes`) its name
/// clashes, a pass over every entry that the jobs of a sharded verification leave to the merge.
fn begin(opts: &VerifyOptions, clashes: bool) -> Result<Begun> {
    timing::start();
    let trust = Trust::load(&opts.trust)?;
    let mut history = history::History::load(&opts.history, &trust)?;
    let (manifest, sig) = Manifest::load_trusted(&opts.manifest, &trust)?;
    timing::lap("manifest and signature");
    // The collection an untrusted manifest names is never looked up: whether a path exists is
    // not the business of whoever wrote it.
    let collection = match sig.is_valid() {
        true => Some(locate(opts, &manifest)?),
        false => None,
    };
    let mut report = VerifyReport {
        report_version: REPORT_VERSION,
        manifest: opts.manifest.display().to_string(),
        collection_name: manifest.header.name.clone(),
        checked_path: collection
            .as_ref()
            .map(|c| c.path().display().to_string())
            .unwrap_or_default(),
        checked_archive: collection.as_ref().is_some_and(Collection::is_archive),
        files_checked: false,
        signature: sig,
        manifest_problems: Vec::new(),
        name_clashes: Vec::new(),
        files: FileVerdicts::default(),
        skipped: Vec::new(),
        totals: Totals {
            sealed: manifest.summary.count,
            lacking_provenance: manifest.summary.lacking_provenance,
            ..Totals::default()
        },
        require_provenance: opts.require_provenance,
        paths: Vec::new(),
        success: false,
    };
    if let Some(collection) = &collection {
        if collection.is_archive() {
            crate::fsio::check_archive(collection.path())?;
        }
        report.manifest_problems = consistency_problems(&manifest);
        let history_problems = history.problems(&manifest, &report.signature)?;
        report.manifest_problems.extend(history_problems);
        if clashes {
            report.name_clashes = name_clashes(&manifest)?;
        }
    }
    Ok(Begun {
        manifest,
        collection,
        report,
        history,
    })
}

/// `verify MANIFEST PATH...`: only the named entries, looked up in the manifest (a name it does
/// not hold is an error), each file read by its path in a folder (the folder is not walked) or
/// picked from the archive as its stream passes. The totals count the named files only.
fn check_named_files(
    opts: &VerifyOptions,
    manifest: &Manifest,
    collection: &Collection,
    report: &mut VerifyReport,
    progress: &dyn Progress,
) -> Result<(FileVerdicts, Vec<collection::Skipped>)> {
    let named = check::named_entries(manifest, &opts.paths)?;
    report.totals.sealed = named.len();
    report.totals.lacking_provenance = named.iter().filter(|e| !e.has_provenance()).count();
    report.paths = named.iter().map(|e| e.path.as_str().to_string()).collect();
    let expected = Expected {
        files: named.len() as u64,
        bytes: named.iter().map(|e| e.size).sum(),
    };
    let sizes: Vec<(RelPath, u64)> = named.iter().map(|e| (e.path.clone(), e.size)).collect();
    check::check_named(
        named,
        manifest.header.naming,
        |sink, sealed| match collection {
            Collection::Folder(root) => {
                progress.start(expected.files, expected.bytes);
                let mut buf =
                    collection::hashing::ReadBuffer::new(collection::hashing::HASH_BUFFER_SIZE);
                for (path, size) in sizes {
                    let measurement =
                        collection::measure_path(root, &path, size, buf.as_mut_slice());
                    progress.file_done(size);
                    sink(collection::Item::File(collection::Measured {
                        path,
                        measurement,
                    }))?;
                }
                progress.finish();
                Ok(())
            }
            Collection::Archive { .. } | Collection::Objects(_) => collection::scan(
                collection,
                None,
                opts.hashing,
                Some(expected),
                Some(sealed),
                progress,
                sink,
            )
            .map(|_| ()),
        },
    )
}

/// Checks the BagIt bag in folder `bag` and — unless `verifying` is `None` — verifies the docseal
/// manifest it carries, if any, against its `data/` folder, with the trusted keys and hashing of
/// `verifying` (its manifest, folder and archive are the bag's). `Err` when either check could not
/// run (the bag's folder cannot be read; no trusted keys; a malformed docseal manifest).
pub fn validate_bag(
    bag: &Path,
    verifying: Option<VerifyOptions>,
    progress: &dyn Progress,
) -> Result<BagValidation> {
    let checked = bagit::validate(bag)?;
    let verified = match (&checked.docseal_manifest, verifying) {
        (Some(_), Some(opts)) => Some(verify(
            &VerifyOptions {
                manifest: bag.join(bagit::DOCSEAL_MANIFEST),
                folder: Some(bag.join("data")),
                archive: None,
                strip_components: None,
                paths: Vec::new(),
                ..opts
            },
            progress,
        )?),
        _ => None,
    };
    Ok(BagValidation::new(checked, verified))
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
    let (root, given) = match &opts.folder {
        Some(r) if r.to_str().is_some_and(bucket::is_url) => {
            match bucket::parse(r.to_str().unwrap_or_default())? {
                bucket::Root::Bucket(b) => {
                    bucket::check_supported(&b)?;
                    if opts.strip_components.is_some() {
                        return Err(Error::Usage(
                            "--strip-components applies to archives, not to a bucket; leave it out"
                                .to_string(),
                        ));
                    }
                    return Ok(Collection::Objects(b));
                }
                bucket::Root::Folder(dir) => (dir, true),
            }
        }
        Some(r) => (r.clone(), true),
        None => (
            opts.manifest
                .parent()
                .unwrap_or(Path::new(""))
                .join(&manifest.header.collection_path),
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
            manifest.header.collection_path.escape_debug()
        ),
    ))
}

/// The path a manifest kept inside its own collection folder has in an archive of that folder,
/// so that it is left out there as it is from the folder: when the manifest's `collection` is `.`
/// or only `..` segments (the manifest lies inside the folder it names), its file name below as
/// many of its parent folders' names as there are `..` segments (`c/manifests/m.toml` with
/// `collection = ".."` is `manifests/m.toml`). Worked out from the names alone: nothing is looked
/// up. `None` when the manifest lies outside its collection.
fn own_entry(manifest: &Path, collection: &str) -> Option<RelPath> {
    let ups = match collection {
        "." => 0,
        _ => {
            let segments: Vec<&str> = collection.split('/').collect();
            if !segments.iter().all(|s| *s == "..") {
                return None;
            }
            segments.len()
        }
    };
    let file = fsio::absolute(manifest)?;
    let names: Vec<&str> = file
        .components()
        .rev()
        .take(ups + 1)
        .map(|c| match c {
            std::path::Component::Normal(name) => name.to_str(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    if names.len() != ups + 1 {
        return None;
    }
    let path: Vec<&str> = names.into_iter().rev().collect();
    RelPath::new(&path.join("/")).ok()
}

/// The pairs of sealed paths that are one name on other file systems: two passes over the
/// entries' paths, the second only when the first found a folded name twice.
fn name_clashes(manifest: &Manifest) -> Result<Vec<NameClash>> {
    let mut names = NameClashes::with_capacity(manifest.summary.count);
    for entry in manifest.fixities() {
        names.add(entry?.path.as_ref());
    }
    if !names.any() {
        return Ok(Vec::new());
    }
    let mut failure = None;
    let paths = manifest.fixities().map_while(|entry| match entry {
        Ok(entry) => Some(entry.path),
        Err(e) => {
            failure = Some(e);
            None
        }
    });
    let pairs = names.pairs(paths);
    failure.map_or(Ok(pairs), Err)
}

/// Problems that only a faulty signer could produce: entries out of order, a wrong root digest.
fn consistency_problems(manifest: &Manifest) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some((before, after)) = &manifest.summary.out_of_order {
        problems.push(format!(
            "entries are not sorted by path (\"{before}\" comes before \"{after}\")"
        ));
    }
    let computed = manifest.summary.computed_root_digest;
    if computed != manifest.header.root_digest {
        problems.push(format!(
            "root digest {} does not match the entries (which give {computed})",
            manifest.header.root_digest
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_inside_its_collection_names_its_own_archive_entry() {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("c/manifests/m.toml");
        let own = |collection| own_entry(&m, collection).map(|p| p.as_str().to_string());
        assert_eq!(own("."), Some("m.toml".into()));
        assert_eq!(own(".."), Some("manifests/m.toml".into()));
        let top = dir.path().canonicalize().unwrap();
        let top = top.file_name().unwrap().to_str().unwrap();
        assert_eq!(own("../.."), Some("c/manifests/m.toml".into()));
        assert_eq!(own("../../.."), Some(format!("{top}/c/manifests/m.toml")));
        for outside in ["../seeds", "col", "../c.tgz", "batch.tar.gz"] {
            assert_eq!(own(outside), None, "{outside}");
        }
    }
}
