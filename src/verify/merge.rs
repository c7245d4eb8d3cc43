//! `merge-reports`: the shard reports of one sharded verification read back strictly, checked —
//! one manifest, every shard of `N` exactly once, the ranges the pure function gives, counts that
//! agree with the entries listed, subtree hashes that the manifest's entries and the reported
//! verdicts give, and the root rebuilt from them equal to the signed root when every entry is
//! ok — and turned into the one [`VerifyReport`] an unsharded `verify` would have given: the
//! verdicts of the shards and the extras job put where the judge of `verify/check.rs` would have
//! put them, then concluded by the same code (moves paired, copies named).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::check::{self, Judged, SortedEntries};
use super::name_clashes;
use crate::collection::{Measurement, Problem, Skipped};
use crate::error::{Error, Result};
use crate::manifest::merkle::shards::{Shard, found_leaf, subtree_hashes, subtrees};
use crate::manifest::merkle::{RootBuilder, leaf_hash};
use crate::manifest::{Manifest, Verdict};
use crate::report::shard::{
    ExtrasPart, SHARD_REPORT_TYPE, SHARD_REPORT_VERSION, ShardPart, ShardReport,
};
use crate::report::{
    FileStatus, FileVerdicts, REPORT_VERSION, SealedStatus, Totals, VerifyReport, count_statuses,
};
use crate::trust::{Trust, TrustOptions};

/// Largest shard report read (a report lists only what is not ok).
const REPORT_MAX: u64 = 1 << 30;

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

fn read(path: &Path) -> Result<ShardReport> {
    let mut input = crate::fsio::open_input(path, "shard report")?;
    let mut bytes = Vec::new();
    input.read_to(&mut bytes, REPORT_MAX)?;
    let report: ShardReport = serde_json::from_slice(&bytes)
        .map_err(|e| malformed(path, format!("is not a shard report ({e})")))?;
    if report.kind != SHARD_REPORT_TYPE || report.version != SHARD_REPORT_VERSION {
        return Err(malformed(
            path,
            format!(
                "is a {:?} report version {}, and merge-reports reads {SHARD_REPORT_TYPE} version {SHARD_REPORT_VERSION}",
                report.kind, report.version
            ),
        ));
    }
    if report.shard.is_some() == report.extras.is_some() {
        return Err(malformed(path, "must hold exactly one of shard and extras"));
    }
    Ok(report)
}

fn malformed(path: &Path, message: impl Into<String>) -> Error {
    Error::invalid(path, message)
}

/// The one report of the extras job.
fn one_extras<'a>(reports: &'a [(&'a Path, ShardReport)]) -> Result<(&'a Path, &'a ShardReport)> {
    let mut extras = reports.iter().filter(|(_, r)| r.extras.is_some());
    let Some((path, r)) = extras.next() else {
        return Err(Error::Usage(
            "no extras report among the reports: run `docseal verify MANIFEST --extras-only --output FILE` once and pass its report too".into(),
        ));
    };
    if let Some((again, _)) = extras.next() {
        return Err(Error::Usage(format!(
            "two extras reports, {} and {}: pass the report of one --extras-only job",
            path.display(),
            again.display()
        )));
    }
    Ok((path, r))
}

/// Every report is of the same verification: one manifest, one signature verdict, one run's
/// options.
fn agree(first_path: &Path, first: &ShardReport, path: &Path, r: &ShardReport) -> Result<()> {
    let differ = |what: &str| {
        Err(Error::Usage(format!(
            "{} and {} are not of one verification: their {what} differ",
            first_path.display(),
            path.display()
        )))
    };
    if r.manifest_digest != first.manifest_digest {
        return differ("manifest digests");
    }
    if r.entries != first.entries {
        return differ("entry counts");
    }
    if (&r.manifest, &r.collection, &r.root) != (&first.manifest, &first.collection, &first.root) {
        return differ("manifest paths or collection folders");
    }
    let sig = |s: &ShardReport| serde_json::to_string(&s.signature).unwrap_or_default();
    if sig(r) != sig(first) || r.files_checked != first.files_checked {
        return differ("signature verdicts");
    }
    if r.manifest_problems != first.manifest_problems
        || r.require_provenance != first.require_provenance
    {
        return differ("manifest problems or --require-provenance");
    }
    Ok(())
}

/// The shard parts by index: every index of `N` once, each with the range `N` gives it.
fn every_shard_once<'a>(
    reports: &'a [(&'a Path, ShardReport)],
) -> Result<Vec<(&'a Path, &'a ShardPart)>> {
    let parts: Vec<(&Path, &ShardPart)> = reports
        .iter()
        .filter_map(|(p, r)| r.shard.as_ref().map(|s| (*p, s)))
        .collect();
    let Some((first_path, first)) = parts.first() else {
        return Err(Error::Usage(
            "no shard reports among the reports: pass the report of every `verify --shard I/N` job"
                .into(),
        ));
    };
    let count = first.count;
    let mut by_index: BTreeMap<usize, (&Path, &ShardPart)> = BTreeMap::new();
    for (path, part) in &parts {
        if part.count != count {
            return Err(Error::Usage(format!(
                "{} is a shard of {}, and {} a shard of {count}: pass the reports of one sharding",
                path.display(),
                part.count,
                first_path.display()
            )));
        }
        let shard = Shard::new(part.index, part.count).map_err(|e| malformed(path, e))?;
        if let Some((other, _)) = by_index.insert(part.index, (path, part)) {
            return Err(Error::Usage(format!(
                "shard {shard} given twice: {} and {}; pass each shard's report once",
                other.display(),
                path.display()
            )));
        }
    }
    if let Some(missing) = (0..count).find(|i| !by_index.contains_key(i)) {
        return Err(Error::Usage(format!(
            "shard {missing}/{count} is missing: run `docseal verify MANIFEST --shard {missing}/{count} --output FILE` and pass its report"
        )));
    }
    let n = reports[0].1.entries;
    for (path, part) in by_index.values() {
        let want = Shard::new(part.index, count)
            .map_err(|e| malformed(path, e))?
            .range(n);
        if (part.start..part.end) != want {
            return Err(malformed(
                path,
                format!(
                    "shard {}/{count} holds entries {}..{}, and of {n} entries it is {}..{}: the ranges do not tile the entries",
                    part.index, part.start, part.end, want.start, want.end
                ),
            ));
        }
        if reports[0].1.files_checked {
            consistent_counts(path, part)?;
        } else if !part.files.is_empty() || !part.subtrees.is_empty() {
            return Err(malformed(
                path,
                "lists verdicts on files that were not checked: the report was changed",
            ));
        }
    }
    Ok(by_index.into_values().collect())
}

/// The counts of a shard part agree with the entries it lists.
fn consistent_counts(path: &Path, part: &ShardPart) -> Result<()> {
    let len = part.end - part.start;
    let mut listed = count_statuses(part.files.iter().map(|f| &f.report.status));
    listed.ok = len - part.files.len().min(len);
    listed.sealed = len;
    listed.lacking_provenance = part.totals.lacking_provenance;
    let sorted = part.files.windows(2).all(|w| w[0].index < w[1].index);
    let inside = part.files.iter().all(|f| {
        (part.start..part.end).contains(&f.index)
            && !matches!(
                f.report.status,
                FileStatus::Ok | FileStatus::Extra | FileStatus::Moved
            )
    });
    if listed != part.totals || !sorted || !inside || part.files.len() > len {
        return Err(malformed(
            path,
            "its counts do not agree with the entries it lists: the report was changed",
        ));
    }
    Ok(())
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

/// Every subtree hash is the one the manifest's entries, as the shards found them, give; and
/// when every entry is ok, the root they rebuild is the signed root.
fn check_subtrees(
    manifest: &Manifest,
    shards: &[(&Path, &ShardPart)],
    judged: &Judged,
) -> Result<()> {
    let mut entries = manifest.entries().enumerate();
    let mut builder = RootBuilder::default();
    for (path, part) in shards {
        let mut leaves = Vec::with_capacity(part.end - part.start);
        let listed: HashMap<usize, &crate::report::FileReport> =
            part.files.iter().map(|f| (f.index, &f.report)).collect();
        for _ in part.start..part.end {
            let Some((i, entry)) = entries.next() else {
                break;
            };
            let entry = entry?;
            let leaf = match listed.get(&i) {
                None => leaf_hash(&entry),
                Some(r) => {
                    if r.path != entry.path.as_str() {
                        return Err(malformed(
                            path,
                            format!(
                                "entry {i} is {:?} in the manifest, and {:?} in the report",
                                entry.path.as_str(),
                                r.path
                            ),
                        ));
                    }
                    let found = match judged.status[i] {
                        SealedStatus::Misnamed => r.expected,
                        SealedStatus::Modified => r.actual,
                        _ => None,
                    };
                    found_leaf(&entry, found)
                }
            };
            leaves.push(leaf);
        }
        let want = subtree_hashes(part.start..part.end, &leaves);
        let shape: Vec<(usize, usize)> = part.subtrees.iter().map(|s| (s.start, s.size)).collect();
        let hashes_match = want.len() == part.subtrees.len()
            && want
                .iter()
                .zip(&part.subtrees)
                .all(|((s, z, h), t)| (*s, *z, *h) == (t.start, t.size, t.hash));
        if shape != subtrees(part.start..part.end) || !hashes_match {
            return Err(malformed(
                path,
                "its subtree hashes are not those of the manifest's entries as the report says they were found: the report was changed",
            ));
        }
        for s in &part.subtrees {
            builder.push_subtree(*s.hash.as_bytes(), s.size);
        }
    }
    let all_ok = judged.status.iter().all(|s| *s == SealedStatus::Ok);
    if all_ok && builder.finish() != manifest.header.root_digest {
        return Err(Error::Usage(format!(
            "the root rebuilt from the shards' subtrees, {}, is not the signed root {}",
            builder.finish(),
            manifest.header.root_digest
        )));
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
