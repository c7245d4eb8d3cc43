//! The checks of `merge-reports` on the shard reports, before anything is merged: each one read
//! strictly; one extras report; every report of one verification; every shard of `N` once, with
//! the range the pure function gives it and counts that agree with what it lists; and subtree
//! hashes that the manifest's entries, as the reports say they were found, give.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::super::check::Judged;
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::manifest::merkle::shards::{Shard, found_leaf, subtree_hashes, subtrees};
use crate::manifest::merkle::{RootBuilder, leaf_hash};
use crate::report::shard::{SHARD_REPORT_TYPE, SHARD_REPORT_VERSION, ShardPart, ShardReport};
use crate::report::{FileStatus, SealedStatus, count_statuses};

/// Largest shard report read (a report lists only what is not ok).
const REPORT_MAX: u64 = 1 << 30;

pub(super) fn read(path: &Path) -> Result<ShardReport> {
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

pub(super) fn malformed(path: &Path, message: impl Into<String>) -> Error {
    Error::invalid(path, message)
}

/// The one report of the extras job.
pub(super) fn one_extras<'a>(
    reports: &'a [(&'a Path, ShardReport)],
) -> Result<(&'a Path, &'a ShardReport)> {
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
pub(super) fn agree(
    first_path: &Path,
    first: &ShardReport,
    path: &Path,
    r: &ShardReport,
) -> Result<()> {
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
pub(super) fn every_shard_once<'a>(
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

/// Every subtree hash is the one the manifest's entries, as the shards found them, give; and
/// when every entry is ok, the root they rebuild is the signed root.
pub(super) fn check_subtrees(
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
