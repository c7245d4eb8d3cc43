//! The two kinds of job of a sharded verification (`docs/shards.md`): `verify --shard I/N`,
//! which checks the signature as `verify` does and then only the entries of its range (each file
//! read by its path, the folder not walked), and `verify --extras-only`, the one job that walks
//! the folder and hashes only what is not sealed. Each gives the report of what it saw and the
//! [`ShardReport`] that `merge-reports` reads.

use rayon::prelude::*;

use super::check::{self, Judged, SortedEntries};
use super::{Begun, begin};
use crate::collection::hashing::{
    HASH_BUFFER_SIZE, ReadBuffer, hash_pool, measure_file, with_thread_buffer,
};
use crate::collection::walk::{Found, Walker};
use crate::collection::{Collection, Item, Measured, Measurement, Progress, measure_path};
use crate::error::{Error, Result};
use crate::manifest::merkle::RootBuilder;
use crate::manifest::merkle::shards::{Shard, found_leaf, subtrees};
use crate::manifest::{FileEntry, Manifest};
use crate::provenance::Timestamp;
use crate::relpath::RelPath;
use crate::report::shard::{
    ExtrasPart, SHARD_REPORT_TYPE, SHARD_REPORT_VERSION, ShardEntry, ShardPart, ShardReport,
    Subtree, Unlisted, Unsealed,
};
use crate::report::{
    FileReport, FileStatus, FileVerdicts, SealedEntries, SealedStatus, VerifyReport,
};
use crate::timing;

use super::VerifyOptions;

/// Entries hashed in parallel at a time.
const BATCH: usize = 1024;

/// `verify --shard I/N`: the signature, then the entries of the shard's range. Returns the report
/// of the range (its totals count the range only) and the shard report.
pub fn verify_shard(
    opts: &VerifyOptions,
    shard: Shard,
    progress: &dyn Progress,
) -> Result<(VerifyReport, ShardReport)> {
    let started = Timestamp::now();
    refuse_options(opts, "--shard")?;
    let Begun {
        manifest,
        collection,
        mut report,
        ..
    } = begin(opts, false)?;
    let n = manifest.summary.count;
    let range = shard.range(n);
    let mut part = ShardPart {
        index: shard.index,
        count: shard.count,
        start: range.start,
        end: range.end,
        totals: Default::default(),
        files: Vec::new(),
        subtrees: Vec::new(),
    };
    let digest = manifest.digest();
    if let Some(collection) = collection {
        let root = folder_of(&collection)?;
        unsorted_refused(&manifest)?;
        let naming = manifest.header.naming;
        let entries = SortedEntries::Range(Box::new(manifest), range.clone());
        let mut lacking = 0;
        let judged = check::judge(&entries, naming, range.len(), |sink, _| {
            measure_entries(opts, root, &entries, progress, &mut lacking, sink)
        })?;
        timing::lap("files");
        report.totals.sealed = range.len();
        report.totals.lacking_provenance = lacking;
        part.subtrees = subtrees_found(&entries, &range, &judged)?;
        let (verdicts, _) = check::conclude(entries, naming, judged)?;
        for (i, file) in verdicts.iter().enumerate() {
            let file = file?;
            if file.status != FileStatus::Ok {
                part.files.push(ShardEntry {
                    index: range.start + i,
                    report: file,
                });
            }
        }
        report.files = verdicts;
        report.files_checked = true;
    }
    report.finish();
    part.totals = report.totals;
    let shard_report = shard_report(&report, digest, n, started, Some(part), None);
    Ok((report, shard_report))
}

/// `verify --extras-only`: the signature, then one walk of the folder that hashes only the files
/// that are not sealed (and lists what is not a regular file). Its report lists them as extra
/// (whether one is a sealed file moved is decided by the merge, which knows what is missing).
pub fn verify_extras(
    opts: &VerifyOptions,
    progress: &dyn Progress,
) -> Result<(VerifyReport, ShardReport)> {
    let started = Timestamp::now();
    refuse_options(opts, "--extras-only")?;
    let Begun {
        manifest,
        collection,
        mut report,
        ..
    } = begin(opts, false)?;
    let n = manifest.summary.count;
    let digest = manifest.digest();
    let mut part = ExtrasPart::default();
    if let Some(collection) = collection {
        let root = folder_of(&collection)?.to_path_buf();
        unsorted_refused(&manifest)?;
        let exclude = collection.path_of(&opts.manifest);
        let entries = SortedEntries::of(manifest)?;
        let mut not_regular = Vec::new();
        let judged = check::judge(&entries, None, n, |sink, sizes| {
            progress.start(0, 0);
            let mut buf = ReadBuffer::new(HASH_BUFFER_SIZE);
            for found in Walker::new(&root, exclude.as_ref())? {
                sink(match found {
                    Found::File(path) => {
                        let measurement = match sizes.size_of(&path) {
                            Some(_) => Measurement::Vanished,
                            None => measure_file(&path.under(&root), buf.as_mut_slice(), None),
                        };
                        Item::File(Measured { path, measurement })
                    }
                    Found::Skipped(s) => {
                        let sealed = RelPath::new(&s.path).ok().and_then(|p| sizes.size_of(&p));
                        if sealed.is_some() {
                            not_regular.push(s.clone());
                        }
                        Item::Skipped(s)
                    }
                    Found::Problem(p) => Item::Problem(p),
                })?;
            }
            progress.finish();
            Ok(())
        })?;
        timing::lap("files");
        part = extras_part(judged);
        part.not_regular = not_regular;
        let extras = part
            .unsealed
            .iter()
            .map(|u| {
                let detail = match &u.unreadable {
                    Some(why) => format!("not in the manifest, and cannot read: {why}"),
                    None => "not in the manifest".to_string(),
                };
                FileReport::extra(u.path.clone(), u.actual, detail)
            })
            .chain(
                part.unrecordable
                    .iter()
                    .map(|u| FileReport::extra(u.path.clone(), None, u.reason.clone())),
            );
        let mut extras: Vec<FileReport> = extras.collect();
        extras.sort_by(|a, b| a.path.cmp(&b.path));
        report.files = FileVerdicts::from_reports(extras);
        report.skipped = part.skipped.clone();
        report.files_checked = true;
        report.totals.sealed = 0;
        report.totals.lacking_provenance = 0;
    }
    report.finish();
    let shard_report = shard_report(&report, digest, n, started, None, Some(part));
    Ok((report, shard_report))
}

/// What the walk found that is not sealed, as the shard report holds it.
fn extras_part(judged: Judged) -> ExtrasPart {
    ExtrasPart {
        unsealed: judged
            .unsealed
            .into_iter()
            .filter_map(|(path, m)| match m {
                Measurement::Hashed(fx) => Some(Unsealed {
                    path,
                    actual: Some(fx),
                    unreadable: None,
                }),
                Measurement::Unreadable(why) => Some(Unsealed {
                    path,
                    actual: None,
                    unreadable: Some(why),
                }),
                _ => None,
            })
            .collect(),
        unrecordable: judged
            .named
            .into_iter()
            .map(|p| Unlisted {
                path: p.path,
                reason: p.reason,
            })
            .collect(),
        unreadable_folders: judged
            .unreadable_dirs
            .into_iter()
            .map(|(_, path, reason)| Unlisted { path, reason })
            .collect(),
        skipped: judged.skipped,
        not_regular: Vec::new(),
    }
}

fn shard_report(
    report: &VerifyReport,
    digest: crate::digest::Sha256Digest,
    entries: usize,
    started: Timestamp,
    shard: Option<ShardPart>,
    extras: Option<ExtrasPart>,
) -> ShardReport {
    ShardReport {
        kind: SHARD_REPORT_TYPE.into(),
        version: SHARD_REPORT_VERSION,
        tool: format!("docseal {}", env!("CARGO_PKG_VERSION")),
        started: started.to_string(),
        finished: Timestamp::now().to_string(),
        manifest: report.manifest.clone(),
        manifest_digest: digest,
        collection: report.collection_name.clone(),
        root: report.checked_path.clone(),
        signature: report.signature.clone(),
        files_checked: report.files_checked,
        manifest_problems: report.manifest_problems.clone(),
        require_provenance: report.require_provenance,
        entries,
        shard,
        extras,
        success: report.success,
    }
}

/// Measures the entries (in parallel, a batch at a time) and hands them to `sink` in order,
/// counting those that lack provenance.
fn measure_entries(
    opts: &VerifyOptions,
    root: &std::path::Path,
    entries: &SortedEntries,
    progress: &dyn Progress,
    lacking: &mut usize,
    sink: &mut crate::collection::Sink<'_>,
) -> Result<()> {
    let (mut files, mut bytes) = (0u64, 0u64);
    for e in entries.fixities() {
        files += 1;
        bytes += e?.size;
    }
    progress.start(files, bytes);
    let pool = hash_pool(opts.hashing.jobs)?;
    let mut all = entries.entries();
    loop {
        let batch: Vec<FileEntry> = all.by_ref().take(BATCH).collect::<Result<_>>()?;
        if batch.is_empty() {
            break;
        }
        *lacking += batch.iter().filter(|e| !e.has_provenance()).count();
        let measured: Vec<Measurement> = pool.install(|| {
            // One file per task, each thread with its one buffer (as a folder's scan).
            batch
                .par_iter()
                .with_max_len(1)
                .map(|e| {
                    let m = with_thread_buffer(|buf| measure_path(root, &e.path, e.size, buf));
                    progress.file_done(e.size);
                    m
                })
                .collect()
        });
        for (entry, measurement) in batch.into_iter().zip(measured) {
            sink(Item::File(Measured {
                path: entry.path,
                measurement,
            }))?;
        }
    }
    progress.finish();
    Ok(())
}

/// The hashes of the range's subtrees over the files as found, one subtree built at a time.
fn subtrees_found(
    entries: &SortedEntries,
    range: &std::ops::Range<usize>,
    judged: &Judged,
) -> Result<Vec<Subtree>> {
    let mut all = entries.entries().enumerate();
    let mut out = Vec::new();
    for (start, size) in subtrees(range.clone()) {
        let mut builder = RootBuilder::default();
        for _ in 0..size {
            let Some((i, entry)) = all.next() else { break };
            let entry = entry?;
            let found = match judged.status[i] {
                SealedStatus::Ok | SealedStatus::Misnamed => Some(fixity(&entry)),
                SealedStatus::Modified => judged.changed.get(&i).copied(),
                _ => None,
            };
            builder.push(found_leaf(&entry, found));
        }
        out.push(Subtree {
            start,
            size,
            hash: builder.finish(),
        });
    }
    Ok(out)
}

fn fixity(entry: &FileEntry) -> crate::report::Fixity {
    crate::report::Fixity {
        size: entry.size,
        digest: entry.digest,
    }
}

/// The folder of a sharded verification (an archive is one stream, read whole by one job).
fn folder_of(collection: &Collection) -> Result<&std::path::Path> {
    match collection {
        Collection::Folder(root) => Ok(root),
        Collection::Archive { path, .. } => Err(Error::invalid(
            path,
            "is an archive, and a sharded verification reads a folder; verify an archive unsharded",
        )),
        Collection::Objects(_) => Err(Error::Usage(format!(
            "{}: a sharded verification reads a folder, not a bucket; verify a bucket unsharded",
            collection.path().display()
        ))),
    }
}

/// A validly signed manifest whose entries are not in path order is verified unsharded (the
/// shards' ranges are positions in the manifest, the verdicts in path order).
fn unsorted_refused(manifest: &Manifest) -> Result<()> {
    if manifest.summary.is_sorted() {
        return Ok(());
    }
    Err(Error::invalid(
        manifest.display_path(),
        "its entries are not sorted by path; verify it unsharded",
    ))
}

/// The options a sharded job does not take.
fn refuse_options(opts: &VerifyOptions, flag: &str) -> Result<()> {
    let refused = if !opts.paths.is_empty() {
        Some("file paths")
    } else if opts.archive.is_some() {
        Some("--archive")
    } else if opts.history.state.is_some() {
        Some("--state")
    } else {
        None
    };
    match refused {
        Some(what) => Err(Error::Usage(format!(
            "{flag} does not take {what}: a sharded job verifies a folder, and its state is not one job's to write"
        ))),
        None => Ok(()),
    }
}
