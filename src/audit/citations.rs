//! `audit`: the references of a bibliography looked up in sealed manifests — for each cited URL,
//! the sealed copies of that page (matched as [`super::urls`] says), whether one was retrieved on
//! the day the reference says it was accessed, and (when the orchestrator checks the files) whether
//! it is still intact. Only manifests whose signature is valid under the trusted keys are used;
//! the others are listed with their verdict and none of their entries is read as fact.
//!
//! Each manifest is read once, streaming, keeping only the entries a reference cites.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::references::{self, Bibliography, CitedDate, Format, Malformed};
use super::urls::{self, Match};
use crate::digest::Sha256Digest;
use crate::error::Result;
use crate::manifest::Manifest;
use crate::trust::signature::SignatureReport;
use crate::trust::{Trust, TrustOptions};

/// What to audit, against which manifests and keys.
#[derive(Clone, Debug)]
pub struct AuditOptions {
    /// The bibliography.
    pub references: PathBuf,
    /// The manifests whose sealed copies count.
    pub manifests: Vec<PathBuf>,
    /// The trusted keys, revocations and requirements, as for `verify`.
    pub trust: TrustOptions,
}

/// One manifest the audit was given.
#[derive(Clone, Debug, Serialize)]
pub struct ManifestUsed {
    /// The manifest file.
    pub manifest: String,
    /// Its collection's name (empty when its signature is not valid: nothing of it is used).
    pub collection: String,
    /// The verdict on its signatures; only a valid one's entries are used.
    pub signature: SignatureReport,
    /// The folder or archive its collection is in (its `collection`, relative to the manifest).
    #[serde(skip)]
    pub collection_path: PathBuf,
}

/// One sealed copy of a cited page.
#[derive(Clone, Debug, Serialize)]
pub struct SealedCopy {
    /// Index into [`AuditReport::manifests`].
    pub manifest: usize,
    /// Its path in the collection.
    pub path: String,
    /// Its sealed size.
    pub size: u64,
    /// Its sealed SHA-256.
    pub digest: Sha256Digest,
    /// The origin recorded for it.
    pub origin: String,
    /// When it was retrieved, as recorded (`None`: unknown).
    pub retrieved: Option<String>,
    /// How the cited URL matched its origin.
    pub matched: Match,
    /// Days between the retrieval and the cited day (0 inside a cited month or year); `None`
    /// when either is unknown.
    pub days_apart: Option<i64>,
    /// Whether the file is as sealed: `None` when the files were not checked.
    pub intact: Option<bool>,
    /// Why it is not intact, or could not be checked.
    pub file_detail: Option<String>,
}

impl SealedCopy {
    /// Retrieved on the cited day: within one day either way (a date written in another time
    /// zone), or no day is cited.
    fn on_the_day(&self, cited: Option<CitedDate>) -> bool {
        cited.is_none() || self.days_apart.is_some_and(|d| d <= 1)
    }
}

/// The verdict on one reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceStatus {
    /// A sealed copy retrieved on the cited day (and intact, when the files were checked).
    Ok,
    /// Sealed copies exist, but none retrieved on the cited day.
    OtherDay,
    /// Sealed copies exist, but their retrieval time is not recorded: the day cannot be told.
    RetrievalUnknown,
    /// The copy retrieved on the cited day is no longer as sealed.
    Modified,
    /// No sealed copy of the page.
    NotSealed,
    /// The entry could not be read.
    Malformed,
}

impl ReferenceStatus {
    /// The word the human report uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceStatus::Ok => "ok",
            ReferenceStatus::OtherDay => "other-day",
            ReferenceStatus::RetrievalUnknown => "undated",
            ReferenceStatus::Modified => "modified",
            ReferenceStatus::NotSealed => "not-sealed",
            ReferenceStatus::Malformed => "malformed",
        }
    }
}

/// What the audit found for one reference.
#[derive(Clone, Debug, Serialize)]
pub struct ReferenceReport {
    /// The line its entry starts on.
    pub line: usize,
    /// Its key (or `line N`).
    pub key: String,
    /// The URL cited (empty for a malformed entry).
    pub url: String,
    /// The day it was cited as accessed (`2020-08-22`, `2020-08`), if cited.
    pub cited: Option<String>,
    /// The verdict.
    pub status: ReferenceStatus,
    /// Why, in words.
    pub detail: String,
    /// Every sealed copy of the page, the best first.
    pub copies: Vec<SealedCopy>,
}

/// Counts of references by verdict.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AuditTotals {
    /// References to web pages.
    pub references: usize,
    /// With a verdict of each kind.
    pub ok: usize,
    /// Retrieved on another day.
    pub other_day: usize,
    /// Retrieval time unknown.
    pub retrieval_unknown: usize,
    /// Modified since sealing.
    pub modified: usize,
    /// No sealed copy.
    pub not_sealed: usize,
    /// Entries that could not be read.
    pub malformed: usize,
    /// Entries without a URL (not audited).
    pub without_url: usize,
}

/// Everything `audit` found.
#[derive(Clone, Debug, Serialize)]
pub struct AuditReport {
    /// The bibliography.
    pub bibliography: String,
    /// Its format.
    pub format: Format,
    /// The manifests, with their signature verdicts.
    pub manifests: Vec<ManifestUsed>,
    /// Whether the sealed files were checked too.
    pub files_checked: bool,
    /// One report per reference (and per malformed entry), in the order of the bibliography.
    pub references: Vec<ReferenceReport>,
    /// Keys of the entries that cite no URL.
    pub without_url: Vec<String>,
    /// Counts.
    pub totals: AuditTotals,
    /// True when every manifest's signature is valid, no entry is malformed, and every reference
    /// has an intact sealed copy retrieved on the cited day. The exit status is 0 exactly then.
    pub success: bool,
}

/// Reads the bibliography and the manifests (checking each one's signatures), and finds every
/// reference's sealed copies. The files are not checked here: see [`AuditReport::judge`].
pub fn audit(opts: &AuditOptions) -> Result<AuditReport> {
    let bib = references::read(&opts.references)?;
    let trusted = Trust::load(&opts.trust)?;
    // Every cited URL's match key, and the references citing it.
    let mut wanted: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in bib.references.iter().enumerate() {
        if let Some(key) = urls::match_key(&r.url) {
            wanted.entry(key).or_default().push(i);
        }
    }
    let mut copies: Vec<Vec<SealedCopy>> = vec![Vec::new(); bib.references.len()];
    let manifests = each_manifest(&opts.manifests, &trusted, |index, manifest| {
        match wanted.is_empty() {
            true => Ok(()),
            false => collect_copies(manifest, index, &bib, &wanted, &mut copies),
        }
    })?;
    let mut report = AuditReport {
        bibliography: opts.references.display().to_string(),
        format: bib.format,
        manifests,
        files_checked: false,
        references: Vec::new(),
        without_url: bib.without_url.clone(),
        totals: AuditTotals::default(),
        success: false,
    };
    report.references = references_of(&bib, copies);
    report.judge();
    Ok(report)
}

/// Loads each manifest in turn (one at a time: never two held), checks its signatures as
/// `trusted` says, and hands the validly signed ones to `use_entries` with their index in the list
/// returned; the others are only listed, with their verdict.
pub fn each_manifest(
    paths: &[PathBuf],
    trusted: &Trust,
    mut use_entries: impl FnMut(usize, &Manifest) -> Result<()>,
) -> Result<Vec<ManifestUsed>> {
    let mut manifests = Vec::with_capacity(paths.len());
    for path in paths {
        let (manifest, sig) = Manifest::load_trusted(path, trusted)?;
        let valid = sig.is_valid();
        manifests.push(ManifestUsed {
            manifest: path.display().to_string(),
            collection: match valid {
                true => manifest.header.name.clone(),
                false => String::new(),
            },
            collection_path: path
                .parent()
                .unwrap_or(Path::new(""))
                .join(&manifest.header.collection_path),
            signature: sig,
        });
        if valid {
            use_entries(manifests.len() - 1, &manifest)?;
        }
    }
    Ok(manifests)
}

/// Adds to `copies` every entry of `manifest` whose origin a reference cites.
fn collect_copies(
    manifest: &Manifest,
    index: usize,
    bib: &Bibliography,
    wanted: &HashMap<String, Vec<usize>>,
    copies: &mut [Vec<SealedCopy>],
) -> Result<()> {
    for entry in manifest.entries() {
        let entry = entry?;
        let Some(origin) = entry.origin.known() else {
            continue;
        };
        let Some(citing) = urls::match_key(origin.as_str()).and_then(|k| wanted.get(&k)) else {
            continue;
        };
        for &r in citing {
            let reference = &bib.references[r];
            let Some(matched) = urls::matches(&reference.url, origin.as_str()) else {
                continue;
            };
            let retrieved = entry.retrieved.known();
            copies[r].push(SealedCopy {
                manifest: index,
                path: entry.path.as_str().to_string(),
                size: entry.size,
                digest: entry.digest,
                origin: origin.as_str().to_string(),
                retrieved: retrieved.map(ToString::to_string),
                matched,
                days_apart: match (retrieved, reference.cited) {
                    (Some(t), Some(c)) => Some(days_apart(t.as_offset_date_time().date(), c)),
                    _ => None,
                },
                intact: None,
                file_detail: None,
            });
        }
    }
    Ok(())
}

/// Days from `day` to the nearest day of the cited day, month or year (0 inside it).
fn days_apart(day: time::Date, cited: CitedDate) -> i64 {
    use time::{Date, Month};
    let month = |m: u8| Month::try_from(m).unwrap_or(Month::January);
    let (first, last) = match (cited.month, cited.day) {
        (Some(m), Some(d)) => {
            let at = Date::from_calendar_date(cited.year, month(m), d).unwrap_or(day);
            (at, at)
        }
        (Some(m), None) => {
            let first = Date::from_calendar_date(cited.year, month(m), 1).unwrap_or(day);
            let last = Date::from_calendar_date(
                cited.year,
                month(m),
                time::util::days_in_month(month(m), cited.year),
            )
            .unwrap_or(day);
            (first, last)
        }
        _ => (
            Date::from_calendar_date(cited.year, Month::January, 1).unwrap_or(day),
            Date::from_calendar_date(cited.year, Month::December, 31).unwrap_or(day),
        ),
    };
    if day < first {
        (first - day).whole_days()
    } else if day > last {
        (day - last).whole_days()
    } else {
        0
    }
}

/// The reports of the references (copies attached) and of the malformed entries, in file order.
fn references_of(bib: &Bibliography, copies: Vec<Vec<SealedCopy>>) -> Vec<ReferenceReport> {
    let mut out: Vec<ReferenceReport> = bib
        .references
        .iter()
        .zip(copies)
        .map(|(r, copies)| ReferenceReport {
            line: r.line,
            key: r.key.clone(),
            url: r.url.clone(),
            cited: r.cited.map(|c| c.display()),
            status: ReferenceStatus::NotSealed,
            detail: String::new(),
            copies,
        })
        .collect();
    out.extend(bib.malformed.iter().map(|m: &Malformed| ReferenceReport {
        line: m.line,
        key: m.key.clone().unwrap_or_default(),
        url: String::new(),
        cited: None,
        status: ReferenceStatus::Malformed,
        detail: m.message.clone(),
        copies: Vec::new(),
    }));
    out.sort_by_key(|r| r.line);
    out
}

impl AuditReport {
    /// Gives every reference its verdict from its copies (as they stand: call again after the
    /// files were checked), orders its copies best first, and counts.
    pub fn judge(&mut self) {
        let mut totals = AuditTotals {
            without_url: self.without_url.len(),
            ..AuditTotals::default()
        };
        for r in &mut self.references {
            if r.status != ReferenceStatus::Malformed {
                let cited = r.cited.as_deref().and_then(references::parse_day);
                judge_reference(r, cited);
                totals.references += 1;
            }
            match r.status {
                ReferenceStatus::Ok => totals.ok += 1,
                ReferenceStatus::OtherDay => totals.other_day += 1,
                ReferenceStatus::RetrievalUnknown => totals.retrieval_unknown += 1,
                ReferenceStatus::Modified => totals.modified += 1,
                ReferenceStatus::NotSealed => totals.not_sealed += 1,
                ReferenceStatus::Malformed => totals.malformed += 1,
            }
        }
        self.success = self.manifests.iter().all(|m| m.signature.is_valid())
            && totals.ok == totals.references
            && totals.malformed == 0;
        self.totals = totals;
    }
}

fn judge_reference(r: &mut ReferenceReport, cited: Option<CitedDate>) {
    let intact = |c: &SealedCopy| c.intact != Some(false);
    // Best first: on the day and intact; then on the day; then the nearest day.
    r.copies.sort_by_key(|c| {
        (
            !(c.on_the_day(cited) && intact(c)),
            !c.on_the_day(cited),
            c.days_apart.unwrap_or(i64::MAX),
        )
    });
    let several = match r.copies.len() {
        0 | 1 => String::new(),
        n => format!(" ({n} sealed copies)"),
    };
    let Some(best) = r.copies.first() else {
        r.status = ReferenceStatus::NotSealed;
        r.detail = "no sealed copy of this page in the manifests".into();
        return;
    };
    let when = best.retrieved.as_deref().unwrap_or("at an unknown time");
    (r.status, r.detail) = if best.on_the_day(cited) && intact(best) {
        let day = match (cited, best.days_apart) {
            (None, _) => "no access date cited".to_string(),
            (Some(_), Some(1)) => {
                "retrieved one day from the cited day (a date written in another time zone counts as the same day)".to_string()
            }
            _ => "retrieved on the cited day".to_string(),
        };
        let checked = match best.intact {
            Some(true) => ", and intact",
            _ => "",
        };
        (
            ReferenceStatus::Ok,
            format!(
                "sealed as {} (retrieved {when}): {day}{checked}{several}",
                best.path
            ),
        )
    } else if best.on_the_day(cited) {
        (
            ReferenceStatus::Modified,
            format!(
                "sealed as {} (retrieved {when}), but the file changed since sealing: {}{several}",
                best.path,
                best.file_detail.as_deref().unwrap_or("modified")
            ),
        )
    } else if let Some(days) = best.days_apart {
        (
            ReferenceStatus::OtherDay,
            format!(
                "sealed as {}, but retrieved {when}: {days} days from the cited {}{several}",
                best.path,
                r.cited.as_deref().unwrap_or("day")
            ),
        )
    } else {
        (
            ReferenceStatus::RetrievalUnknown,
            format!(
                "sealed as {}, but its retrieval time is unknown: whether it is the page as cited on {} cannot be told{several}",
                best.path,
                r.cited.as_deref().unwrap_or("that day")
            ),
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u8, d: u8) -> time::Date {
        time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap()
    }

    #[test]
    fn days_apart_counts_from_the_nearest_cited_day() {
        let c = |y, m, d| CitedDate::new(y, m, d).unwrap();
        assert_eq!(days_apart(date(2020, 8, 22), c(2020, Some(8), Some(22))), 0);
        assert_eq!(days_apart(date(2020, 8, 23), c(2020, Some(8), Some(22))), 1);
        assert_eq!(
            days_apart(date(2020, 8, 12), c(2020, Some(8), Some(22))),
            10
        );
        assert_eq!(days_apart(date(2020, 8, 12), c(2020, Some(8), None)), 0);
        assert_eq!(days_apart(date(2020, 9, 2), c(2020, Some(8), None)), 2);
        assert_eq!(days_apart(date(2020, 12, 31), c(2020, None, None)), 0);
        assert_eq!(days_apart(date(2021, 1, 1), c(2020, None, None)), 1);
    }
}
