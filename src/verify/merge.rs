//! `merge-reports`: the shard reports of one sharded verification read back strictly, checked
//! (`merge/checks.rs`) — one manifest, every shard of `N` exactly once, the ranges the pure function gives, counts that
//! agree with the entries listed, subtree hashes that the manifest's entries and the reported
//! verdicts give, and the root rebuilt from them equal to the signed root when every entry is
//! ok — and turned into the one [`VerifyReport`] an unsharded `verify` would have given: the
//! verdicts of the shards and the extras job put where the judge of `verify/check.rs` would have
//! put them, then concluded by the same code (moves paired, copies named).

mod checks;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use checks::{agree, check_subtrees, every_shard_once, malformed, one_extras, read};

use super::check::{self, Judged, SortedEntries};
use super::name_clashes;
use crate::collection::{Measurement, Problem, Skipped};
use crate::error::{Error, Result};
use crate::manifest::{Manifest, Verdict};
use crate::report::shard::{ExtrasPart, ShardPart, ShardReport};
use crate::report::{FileStatus, FileVerdicts, REPORT_VERSION, SealedStatus, Totals, VerifyReport};
use crate::trust::{Trust, TrustOptions};

/// What to merge.
#[derive(Clone, Debug)]
pub struct MergeOptions {
    /// The shard reports: one per shard of `N`, and the one of the extras job.
    pub reports: Vec<PathBuf>,
    /// The manifest, with the trusted keys to check its signature again; without it, the
    /// manifest the reports name is read (its digest checked, its signature not again).
    pub manifest: Option<(PathBuf, TrustOptions)>,
}

/// Merges the shard reports into the report of the whole verification; `Err` when they do not
/// make one verification exactly once (see the module documentation).
pub fn merge_reports(opts: &MergeOptions) -> Result<VerifyReport> {
    let mut reports = Vec::with_capacity(opts.reports.len());
    for path in &opts.reports {
        reports.push((path.as_path(), read(path)?));
    }
    let (extras_path, extras) = one_extras(&reports)?;
    let (first_path, first) = &reports[0];
    for (path, r) in &reports {
        agree(first_path, first, path, r)?;
    }
    let shards = every_shard_once(&reports)?;
    let n = first.entries;
    let manifest = load(opts, first_path, first)?;
    let mut report = VerifyReport {
        report_version: REPORT_VERSION,
        manifest: first.manifest.clone(),
        collection_name: first.collection.clone(),
        checked_path: first.root.clone(),
        checked_archive: false,
        signature: first.signature.clone(),
        files_checked: false,
        manifest_problems: first.manifest_problems.clone(),
        name_clashes: Vec::new(),
        files: FileVerdicts::default(),
        skipped: Vec::new(),
        totals: Totals {
            sealed: n,
            lacking_provenance: manifest.summary.lacking_provenance,
            ..Totals::default()
        },
        require_provenance: first.require_provenance,
        paths: Vec::new(),
        success: false,
    };
    if first.files_checked {
        report.name_clashes = name_clashes(&manifest)?;
        let mut judged = Judged {
            status: vec![SealedStatus::Ok; n],
            ..Judged::default()
        };
        for (path, part) in &shards {
            take_verdicts(path, part, &mut judged)?;
        }
        check_subtrees(&manifest, &shards, &judged)?;
        let extras = extras.extras.clone().unwrap_or_default();
        not_found_as_walked(&manifest, &extras, &mut judged)?;
        let root = PathBuf::from(&first.root);
        judged.unsealed = extras
            .unsealed
            .into_iter()
            .map(|u| match (u.actual, u.unreadable) {
                (Some(fx), None) => Ok((u.path, Measurement::Hashed(fx))),
                (None, Some(why)) => Ok((u.path, Measurement::Unreadable(why))),
                _ => Err(malformed(
                    extras_path,
                    format!(
                        "unsealed file {:?} has both or neither of actual and unreadable",
                        u.path
                    ),
                )),
            })
            .collect::<Result<_>>()?;
        judged.named = extras
            .unrecordable
            .into_iter()
            .map(|u| Problem {
                fs_path: root.join(&u.path),
                path: u.path,
                reason: u.reason,
                unreadable: false,
            })
            .collect();
        judged.skipped = extras.skipped;
        let naming = manifest.header.naming;
        (report.files, report.skipped) =
            check::conclude(SortedEntries::of(manifest)?, naming, judged)?;
        report.files_checked = true;
    }
    report.finish();
    Ok(report)
}

/// Puts a shard's verdicts where the judge would have put them.
fn take_verdicts(path: &Path, part: &ShardPart, judged: &mut Judged) -> Result<()> {
    for f in &part.files {
        let i = f.index;
        let r = &f.report;
        let status = match r.status {
            FileStatus::Modified => {
                match r.actual {
                    Some(fx) => {
                        judged.changed.insert(i, fx);
                    }
                    None => {
                        judged
                            .reasons
                            .insert(i, r.detail.clone().unwrap_or_default());
                    }
                }
                SealedStatus::Modified
            }
            FileStatus::Missing => SealedStatus::Missing,
            FileStatus::Unreadable => {
                judged
                    .reasons
                    .insert(i, r.detail.clone().unwrap_or_default());
                SealedStatus::Unreadable
            }
            FileStatus::Misnamed => {
                judged
                    .reasons
                    .insert(i, r.detail.clone().unwrap_or_default());
                SealedStatus::Misnamed
            }
            _ => {
                return Err(malformed(
                    path,
                    format!("entry {i} has status {}", r.status.as_str()),
                ));
            }
        };
        judged.status[i] = status;
    }
    Ok(())
}

/// What the walk found of sealed entries that a shard, reading them by their paths, could not
/// tell apart, as the judge says of them in an unsharded verification: a sealed path that is no
/// longer a regular file is unreadable ("is now a symbolic link"), and an entry not found in a
/// folder that could not be read is unreadable "in" that folder.
fn not_found_as_walked(
    manifest: &Manifest,
    extras: &ExtrasPart,
    judged: &mut Judged,
) -> Result<()> {
    if extras.unreadable_folders.is_empty() && extras.not_regular.is_empty() {
        return Ok(());
    }
    let not_regular: HashMap<&str, &Skipped> = extras
        .not_regular
        .iter()
        .map(|s| (s.path.as_str(), s))
        .collect();
    for (i, entry) in manifest.fixities().enumerate() {
        let entry = entry?;
        if let Some(s) = not_regular.get(entry.path.as_ref()) {
            judged
                .reasons
                .insert(i, format!("is now a {}", s.kind.describe()));
            judged.status[i] = SealedStatus::Unreadable;
            continue;
        }
        if !matches!(
            judged.status[i],
            SealedStatus::Missing | SealedStatus::Unreadable
        ) {
            continue;
        }
        let dir = extras
            .unreadable_folders
            .iter()
            .find(|f| f.path.is_empty() || entry.path.starts_with(&format!("{}/", f.path)));
        if let Some(dir) = dir {
            judged
                .reasons
                .insert(i, format!("in {}: {}", dir.path, dir.reason));
            judged.status[i] = SealedStatus::Unreadable;
        }
    }
    Ok(())
}

/// The manifest the reports name (or `--manifest`, its signature checked again), which must be
/// the one they verified.
fn load(opts: &MergeOptions, first_path: &Path, first: &ShardReport) -> Result<Manifest> {
    let manifest = match &opts.manifest {
        Some((path, trust)) => {
            let trust = Trust::load(trust)?;
            let (manifest, sig) = Manifest::load_trusted(path, &trust)?;
            if sig.is_valid() != first.signature.is_valid() {
                let valid = |v: bool| if v { "valid" } else { "not valid" };
                return Err(Error::Usage(format!(
                    "the signature of {} is {} now, and the shard reports say it is {}",
                    path.display(),
                    valid(sig.is_valid()),
                    valid(first.signature.is_valid())
                )));
            }
            manifest
        }
        // As in `verify`, the entries are parsed only when the signature (as the shards found it)
        // is valid.
        None => {
            let said = ShardsSaid(first.signature.is_valid());
            Manifest::load_checking(Path::new(&first.manifest), |_, _| said)?.0
        }
    };
    if manifest.digest() != first.manifest_digest || manifest.summary.count != first.entries {
        return Err(Error::Usage(format!(
            "{} is not the manifest of {}: its digest is {}, and the reports' {}",
            manifest.display_path().display(),
            first_path.display(),
            manifest.digest(),
            first.manifest_digest
        )));
    }
    Ok(manifest)
}

/// The signature verdict the shard reports give, as far as loading the manifest is concerned.
struct ShardsSaid(bool);

impl Verdict for ShardsSaid {
    fn trusts_entries(&self) -> bool {
        self.0
    }
}
