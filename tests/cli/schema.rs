/*!
The JSON output schemas of `verify --json`, `show --json`, `log --json`, `diff --json` and the shard report
(`docs/shards.md`), written down as strict structs:
every field must be present (optional values are `null`, never absent) and no other field may
appear. A change to `src/report.rs` or `src/audit/show.rs` that changes the JSON breaks these tests,
which is the point: the schema is a public interface (`docs/json-report.md`, `docs/history.md`).
*/

// Some fields are only there to pin the schema down; no test needs to read them.
#![allow(dead_code)]

use std::process::Output;

use serde::{Deserialize, Deserializer};

/// `Option<T>` that must be present in the document (as a value or `null`).
pub fn required<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d)
}

/// The whole `verify --json` document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyReport {
    pub report_version: u32,
    pub manifest: String,
    pub collection: String,
    pub root: String,
    pub signature: SignatureReport,
    pub files_checked: bool,
    pub manifest_problems: Vec<String>,
    pub name_clashes: Vec<NameClash>,
    pub files: Vec<FileReport>,
    pub skipped: Vec<Skipped>,
    pub totals: Totals,
    pub require_provenance: bool,
    pub paths: Vec<String>,
    pub success: bool,
}

impl VerifyReport {
    /// The report on `path`; panics if there is not exactly one.
    pub fn file(&self, path: &str) -> &FileReport {
        let found: Vec<_> = self.files.iter().filter(|f| f.path == path).collect();
        assert_eq!(found.len(), 1, "expected one report on {path:?}: {self:#?}");
        found[0]
    }

    /// `(path, kind)` of every skipped entry, in report order.
    pub fn skipped_kinds(&self) -> Vec<(&str, SkipKind)> {
        self.skipped
            .iter()
            .map(|s| (s.path.as_str(), s.kind))
            .collect()
    }

    /// `(path, status)` of every file report, in report order.
    pub fn statuses(&self) -> Vec<(&str, FileStatus)> {
        self.files
            .iter()
            .map(|f| (f.path.as_str(), f.status))
            .collect()
    }
}

/// Two sealed paths that are one name on other file systems.
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameClash {
    pub paths: [String; 2],
    pub kind: ClashKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClashKind {
    Nfc,
    Case,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureReport {
    pub status: SignatureStatus,
    pub signers: Vec<Signer>,
    pub invalid: Vec<Signer>,
    pub untrusted: Vec<String>,
    pub revoked: Vec<Signer>,
    pub signatures: Vec<SignatureEntry>,
    pub required: Requirements,
    pub unmet: Vec<String>,
    pub warnings: Vec<String>,
    pub checkpoint: CheckpointReport,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatus {
    Valid,
    Invalid,
    Revoked,
    Unmet,
    Untrusted,
    Unsigned,
    CheckpointInvalid,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointReport {
    pub status: CheckpointStatus,
    pub missing: Vec<Signer>,
    pub invalid: Vec<Signer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointStatus {
    Valid,
    Failed,
    None,
    Unchecked,
}

#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    pub key_id: String,
    pub name: String,
}

/// One signature of the manifest.
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureEntry {
    pub key_id: String,
    #[serde(deserialize_with = "required")]
    pub name: Option<String>,
    #[serde(deserialize_with = "required")]
    pub key_file: Option<String>,
    pub status: KeyStatus,
    #[serde(deserialize_with = "required")]
    pub revocation: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    Valid,
    Invalid,
    Untrusted,
    Revoked,
}

/// What was required of the signers.
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    pub threshold: usize,
    pub signers: Vec<Signer>,
    #[serde(deserialize_with = "required")]
    pub collection: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileReport {
    pub path: String,
    pub status: FileStatus,
    #[serde(deserialize_with = "required")]
    pub moved_from: Option<String>,
    #[serde(deserialize_with = "required")]
    pub expected: Option<Fixity>,
    #[serde(deserialize_with = "required")]
    pub actual: Option<Fixity>,
    #[serde(deserialize_with = "required")]
    pub origin: Option<String>,
    #[serde(deserialize_with = "required")]
    pub retrieved: Option<String>,
    #[serde(deserialize_with = "required")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    Ok,
    Modified,
    Missing,
    Extra,
    Unreadable,
    Moved,
    Misnamed,
}

impl FileStatus {
    /// The word in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Ok => "ok",
            FileStatus::Modified => "modified",
            FileStatus::Missing => "missing",
            FileStatus::Extra => "extra",
            FileStatus::Unreadable => "unreadable",
            FileStatus::Moved => "moved",
            FileStatus::Misnamed => "misnamed",
        }
    }
}

#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixity {
    pub size: u64,
    pub digest: String,
}

#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Skipped {
    pub path: String,
    pub kind: SkipKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipKind {
    Symlink,
    Hardlink,
    Fifo,
    Socket,
    Device,
    Other,
}

impl SkipKind {
    /// The word in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipKind::Symlink => "symlink",
            SkipKind::Hardlink => "hardlink",
            SkipKind::Fifo => "fifo",
            SkipKind::Socket => "socket",
            SkipKind::Device => "device",
            SkipKind::Other => "other",
        }
    }
}

impl From<&str> for SkipKind {
    fn from(word: &str) -> Self {
        serde_json::from_value(serde_json::Value::from(word)).unwrap()
    }
}

#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    pub sealed: usize,
    pub ok: usize,
    pub modified: usize,
    pub missing: usize,
    pub extra: usize,
    pub unreadable: usize,
    pub moved: usize,
    pub misnamed: usize,
    pub lacking_provenance: usize,
}

/// The whole `show --json` document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShowReport {
    pub manifest: String,
    pub signature_checked: bool,
    pub trusted_keys: Vec<String>,
    #[serde(deserialize_with = "required")]
    pub signature: Option<SignatureReport>,
    pub header: Header,
    pub signature_key_ids: Vec<String>,
    pub files: Vec<FileEntry>,
    pub unmatched_urls: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub name: String,
    pub digest_algorithm: String,
    pub created: String,
    pub tool: String,
    pub collection: String,
    #[serde(deserialize_with = "required")]
    pub sequence: Option<u64>,
    #[serde(deserialize_with = "required")]
    pub previous: Option<String>,
    #[serde(deserialize_with = "required")]
    pub expires: Option<String>,
    pub root: String,
    /// Present only when the manifest declares a naming scheme.
    #[serde(default)]
    pub naming: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub digest: String,
    #[serde(deserialize_with = "required")]
    pub origin: Option<String>,
    #[serde(deserialize_with = "required")]
    pub retrieved: Option<String>,
    /// Present only for a file captured by `docseal fetch`.
    #[serde(default)]
    pub capture: Option<Capture>,
    /// Present only for a file imported by `docseal import-warc` (format version 3).
    #[serde(default)]
    pub warc: Option<Warc>,
}

/// The WARC record a file was imported from: all four fields, always.
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warc {
    pub file: String,
    pub record_id: String,
    pub date: String,
    pub verified: Vec<String>,
}

/// What the HTTP exchange said of a file `docseal fetch` captured: each field only when known.
#[derive(Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    #[serde(default)]
    pub final_url: Option<String>,
    #[serde(default)]
    pub http_status: Option<u16>,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub content_encoding: Option<String>,
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
}

/// Parses `verify --json` output strictly.
pub fn parse_verify(out: &Output) -> VerifyReport {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "verify --json output does not match the schema: {e}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Parses `show --json` output strictly.
pub fn parse_show(out: &Output) -> ShowReport {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "show --json output does not match the schema: {e}\n--- stdout ---\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// The whole `log --json` document (docs/history.md §4).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogReport {
    pub log_version: u32,
    #[serde(deserialize_with = "required")]
    pub collection: Option<String>,
    pub manifests: Vec<LogEntry>,
    pub problems: Vec<String>,
    pub chain_ok: bool,
}

/// `verify-proof --json` (docs/json-report.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofReport {
    pub report_version: u32,
    pub proof: String,
    pub collection: String,
    pub sequence: u64,
    pub origin: String,
    pub entries: u64,
    pub index: u64,
    pub root: String,
    pub signature: ProofSignature,
    pub entry: Option<ProvenEntry>,
    pub entry_problem: Option<String>,
    pub included: bool,
    pub file: Option<ProofFile>,
    pub success: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    pub manifest: String,
    pub signature: SignatureReport,
    pub digest: String,
    #[serde(deserialize_with = "required")]
    pub collection: Option<String>,
    #[serde(deserialize_with = "required")]
    pub sequence: Option<u64>,
    #[serde(deserialize_with = "required")]
    pub created: Option<String>,
    #[serde(deserialize_with = "required")]
    pub expires: Option<String>,
    #[serde(deserialize_with = "required")]
    pub previous: Option<String>,
    #[serde(deserialize_with = "required")]
    pub files: Option<usize>,
    #[serde(deserialize_with = "required")]
    pub root: Option<String>,
}

/// The whole `diff --json` document (docs/history.md §5).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffReport {
    pub diff_version: u32,
    pub old: DiffSide,
    pub new: DiffSide,
    pub compared: bool,
    pub added: Vec<FileEntry>,
    pub removed: Vec<FileEntry>,
    pub changed: Vec<Changed>,
    pub moved: Vec<Moved>,
    pub provenance_changed: Vec<ProvenanceChange>,
    pub unchanged: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofSignature {
    pub status: SignatureStatus,
    pub signers: Vec<Signer>,
    pub invalid: Vec<Signer>,
    pub ignored: usize,
    pub unmet: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffSide {
    pub manifest: String,
    pub signature: SignatureReport,
    #[serde(deserialize_with = "required")]
    pub collection: Option<String>,
    #[serde(deserialize_with = "required")]
    pub sequence: Option<u64>,
    pub digest: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Changed {
    pub path: String,
    pub old: Fixity,
    pub new: Fixity,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moved {
    pub from: String,
    pub to: String,
    pub size: u64,
    pub digest: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceChange {
    pub path: String,
    #[serde(deserialize_with = "required")]
    pub moved_from: Option<String>,
    pub old: Provenance,
    pub new: Provenance,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    #[serde(deserialize_with = "required")]
    pub origin: Option<String>,
    #[serde(deserialize_with = "required")]
    pub retrieved: Option<String>,
    /// Present only when the capture recorded something.
    #[serde(default)]
    pub capture: Option<Capture>,
    /// Present only for a file imported from a WARC record.
    #[serde(default)]
    pub warc: Option<Warc>,
}

/// Parses JSON output strictly into `T`.
pub fn parse_json<T: serde::de::DeserializeOwned>(out: &Output) -> T {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON output does not match the schema: {e}\n--- stdout ---\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvenEntry {
    pub path: String,
    pub size: u64,
    pub digest: String,
    pub origin: Option<String>,
    pub retrieved: Option<String>,
    /// Present only when the leaf data holds a capture section.
    #[serde(default)]
    pub capture: Option<Capture>,
    /// Present only when the leaf data holds a WARC section (format version 3).
    #[serde(default)]
    pub warc: Option<Warc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofFile {
    pub path: String,
    pub matches: bool,
    pub size: u64,
    pub digest: Option<String>,
}

/// The shard report of `verify --shard I/N --output FILE` and `verify --extras-only --output
/// FILE` (`docs/shards.md`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardReport {
    #[serde(rename = "type")]
    pub kind: String,
    pub version: u32,
    pub tool: String,
    pub started: String,
    pub finished: String,
    pub manifest: String,
    pub manifest_digest: String,
    pub collection: String,
    pub root: String,
    pub signature: SignatureReport,
    pub files_checked: bool,
    pub manifest_problems: Vec<String>,
    pub require_provenance: bool,
    pub entries: usize,
    #[serde(deserialize_with = "required")]
    pub shard: Option<ShardPart>,
    #[serde(deserialize_with = "required")]
    pub extras: Option<ExtrasPart>,
    pub success: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardPart {
    pub index: usize,
    pub count: usize,
    pub start: usize,
    pub end: usize,
    pub totals: Totals,
    pub files: Vec<ShardEntry>,
    pub subtrees: Vec<Subtree>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardEntry {
    pub index: usize,
    pub report: FileReport,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subtree {
    pub start: usize,
    pub size: usize,
    pub hash: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtrasPart {
    pub unsealed: Vec<Unsealed>,
    pub unrecordable: Vec<Unlisted>,
    pub unreadable_folders: Vec<Unlisted>,
    pub skipped: Vec<Skipped>,
    pub not_regular: Vec<Skipped>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unsealed {
    pub path: String,
    #[serde(deserialize_with = "required")]
    pub actual: Option<Fixity>,
    #[serde(deserialize_with = "required")]
    pub unreadable: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unlisted {
    pub path: String,
    pub reason: String,
}
