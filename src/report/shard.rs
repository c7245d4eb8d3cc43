//! The shard report (`verify --shard I/N --output FILE`, and `verify --extras-only --output
//! FILE`): what one job of a sharded verification found, as data that `merge-reports` reads back
//! strictly (`docs/shards.md`). A shard job holds the verdicts on its range of entries (every
//! entry that is not ok, as the JSON report has it, and the hashes of its subtrees); the extras
//! job holds what the walk of the collection found that is not sealed.

use serde::{Deserialize, Serialize};

use super::{FileReport, Fixity, Totals};
use crate::collection::Skipped;
use crate::digest::Sha256Digest;
use crate::trust::signature::SignatureReport;

/// The `type` of a shard report.
pub const SHARD_REPORT_TYPE: &str = "docseal-shard-report";
/// The version of the shard report's schema.
pub const SHARD_REPORT_VERSION: u32 = 1;

/// What one job of a sharded verification found.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardReport {
    /// Always [`SHARD_REPORT_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// [`SHARD_REPORT_VERSION`].
    pub version: u32,
    /// The docseal that ran the job (`docseal 0.1.0`).
    pub tool: String,
    /// When the job started and finished (RFC 3339, UTC).
    pub started: String,
    /// When the job finished.
    pub finished: String,
    /// The manifest path as given to the job.
    pub manifest: String,
    /// SHA-256 of the manifest's signed message (the manifest digest of
    /// `docs/manifest-format.md` §2): the identity of the sharded job.
    pub manifest_digest: Sha256Digest,
    /// The collection name from the manifest.
    pub collection: String,
    /// The folder checked (`""` when the signature is not valid).
    pub root: String,
    /// The signature verdict, as in the JSON report.
    pub signature: SignatureReport,
    /// Whether the files were read (false when the signature is not valid).
    pub files_checked: bool,
    /// The manifest's own problems, as in the JSON report.
    pub manifest_problems: Vec<String>,
    /// Whether `--require-provenance` was given.
    pub require_provenance: bool,
    /// The number of entries in the manifest.
    pub entries: usize,
    /// For a shard job: its range and verdicts; `null` for the extras job.
    pub shard: Option<ShardPart>,
    /// For the extras job: what is present but not sealed; `null` for a shard job.
    pub extras: Option<ExtrasPart>,
    /// Whether this job found nothing wrong (its exit status is 0 exactly then).
    pub success: bool,
}

/// The range of one shard and what was found in it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardPart {
    /// `I` of `--shard I/N`.
    pub index: usize,
    /// `N`.
    pub count: usize,
    /// The first entry of the range (0-based, in manifest order).
    pub start: usize,
    /// One past the last entry.
    pub end: usize,
    /// Counts over the range (`sealed` is its length).
    pub totals: Totals,
    /// Every entry of the range that is not ok.
    pub files: Vec<ShardEntry>,
    /// The complete subtrees of the range, in order, their hashes over the files as found.
    pub subtrees: Vec<Subtree>,
}

/// An entry that is not ok: its index in the manifest and its report.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardEntry {
    /// Its position in the manifest (0-based).
    pub index: usize,
    /// The report, exactly as the JSON report has it.
    pub report: FileReport,
}

/// One complete subtree of the RFC 9162 tree over the entries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subtree {
    /// Its first leaf.
    pub start: usize,
    /// Its number of leaves (a power of two dividing `start`).
    pub size: usize,
    /// Its hash: the leaves are those of the entries with the size and digest found.
    pub hash: Sha256Digest,
}

/// What the walk of the collection found that is not a sealed entry.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtrasPart {
    /// Regular files that are not sealed, in path order.
    pub unsealed: Vec<Unsealed>,
    /// Names that cannot be recorded in a manifest: `{path, reason}`.
    pub unrecordable: Vec<Unlisted>,
    /// Folders that could not be read: `{path, reason}` (`""` for the root).
    pub unreadable_folders: Vec<Unlisted>,
    /// Entries that are not regular files and not sealed.
    pub skipped: Vec<Skipped>,
    /// Sealed paths that are no longer regular files (a link, a FIFO, …).
    pub not_regular: Vec<Skipped>,
}

/// A regular file that is not sealed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unsealed {
    /// Its path.
    pub path: String,
    /// Its size and digest; `null` when it could not be read.
    pub actual: Option<Fixity>,
    /// Why it could not be read.
    pub unreadable: Option<String>,
}

/// A path, and what is wrong with it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unlisted {
    /// The path.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}
