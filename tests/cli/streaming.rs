/*!
The streaming verifier: the walk yields paths in byte order of the whole path, files are hashed in
jobs of 128 and handed on in order, the manifest's entries are read again a batch of 1024 at a
time (by the fast reader, or the strict TOML reader for a batch not in the canonical layout), and
moves are paired at the end. These tests use collections and manifests large enough to cross every
one of those boundaries, paths whose byte order is not a per-folder order, validly signed
manifests that are out of order or out of the canonical layout, special files, moves among
identical contents, and the quiet report.

Hand-made manifests are signed here with the library's signing call; their root digest is computed
by this file's own RFC 9162 Merkle tree (`merkle_root`), not by docseal's.
*/

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest as _, Sha256};

use crate::schema::{FileReport, FileStatus, SkipKind, VerifyReport};
use crate::util::*;

/// Files per hashing job (`CHUNK` in `src/inventory.rs`).
const JOB: usize = 128;

/// Entries per manifest batch (`BATCH` in `src/manifest.rs`).
const BATCH: usize = 1024;

// --- building and sealing collections -----------------------------------------------------------

/// Paths and contents of a collection, in byte order of the path.
type Files = BTreeMap<String, Vec<u8>>;

/// `n` files at depths 0 to 3, with distinct contents of varied sizes, plus names that a
/// per-folder order would put in the wrong place (`d1` is a folder; `d1-`, `d1.txt`, `d10` are
/// files; `d1/e1` is a folder beside the file `d1/e1.txt`).
fn nested_files(n: usize) -> Files {
    let mut files = Files::new();
    for i in 0..n {
        let path = match i % 4 {
            0 => format!("c-{i:04}.txt"),
            1 => format!("d{}/f-{i:04}.txt", i % 3),
            2 => format!("d{}/e{}/f-{i:04}.txt", i % 3, i % 5),
            _ => format!("d{}/e{}/g/h-{i:04}", i % 3, i % 2),
        };
        files.insert(path, format!("file {i}\n").repeat(i % 7 + 1).into_bytes());
    }
    for trap in ["d1-", "d1.txt", "d10", "d1/e1.txt", "d1/e1-", "d1/e10"] {
        files.insert(trap.to_string(), format!("trap {trap}\n").into_bytes());
    }
    files
}

/// A new environment with key "k" and the collection `col/` holding `files`, sealed into
/// [`MANIFEST`] (with `sources` as its sources list, if given).
fn sealed_collection(files: &Files, sources: Option<&str>) -> TestEnv {
    let env = TestEnv::new();
    env.keygen("k");
    std::fs::create_dir_all(env.join("col")).unwrap();
    for (path, content) in files {
        env.write(format!("col/{path}"), content);
    }
    let mut args = vec!["seal", "col", "--key", "k"];
    if let Some(sources) = sources {
        env.write("sources.toml", sources);
        args.extend(["--sources", "sources.toml"]);
    }
    assert_ok(&env.run(args));
    env
}

fn remove(env: &TestEnv, path: &str) {
    std::fs::remove_file(env.join(format!("col/{path}"))).unwrap();
}

/// Moves `from` to `to` inside the collection (creating `to`'s folders).
fn rename(env: &TestEnv, from: &str, to: &str) {
    let to = env.join(format!("col/{to}"));
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::rename(env.join(format!("col/{from}")), to).unwrap();
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {} failed", path.display());
}

// --- reading reports ----------------------------------------------------------------------------

/// What is expected of every path: its status and, for a move, where it was sealed.
type Expected = BTreeMap<String, (FileStatus, Option<String>)>;

/// Every sealed path `ok`.
fn all_ok<'a>(paths: impl IntoIterator<Item = &'a String>) -> Expected {
    paths
        .into_iter()
        .map(|p| (p.clone(), (FileStatus::Ok, None)))
        .collect()
}

/// `(path, status, moved_from)` of every report, in report order.
fn verdicts(report: &VerifyReport) -> Vec<(String, FileStatus, Option<String>)> {
    report
        .files
        .iter()
        .map(|f| (f.path.clone(), f.status, f.moved_from.clone()))
        .collect()
}

/// The expected verdicts in byte order of the path (a `BTreeMap<String, _>` iterates so).
fn in_order(expected: &Expected) -> Vec<(String, FileStatus, Option<String>)> {
    expected
        .iter()
        .map(|(p, (s, from))| (p.clone(), *s, from.clone()))
        .collect()
}

/// Asserts that the report gives exactly the expected verdict on every path, in byte order of
/// the path, and that its totals count them.
fn assert_verdicts(report: &VerifyReport, expected: &Expected, sealed: usize) {
    let got = verdicts(report);
    let want = in_order(expected);
    if got != want {
        let diff: Vec<_> = got
            .iter()
            .zip(&want)
            .filter(|(g, w)| g != w)
            .take(5)
            .collect();
        panic!(
            "verdicts differ ({} reports, {} expected); first differences (got, want): {diff:#?}",
            got.len(),
            want.len()
        );
    }
    assert!(
        report
            .files
            .windows(2)
            .all(|w| w[0].path.as_bytes() < w[1].path.as_bytes()),
        "files are not strictly sorted by the bytes of their paths"
    );
    let count = |s: FileStatus| expected.values().filter(|(st, _)| *st == s).count();
    let t = &report.totals;
    assert_eq!(t.sealed, sealed, "{t:?}");
    assert_eq!(t.ok, count(FileStatus::Ok), "{t:?}");
    assert_eq!(t.modified, count(FileStatus::Modified), "{t:?}");
    assert_eq!(t.missing, count(FileStatus::Missing), "{t:?}");
    assert_eq!(t.moved, count(FileStatus::Moved), "{t:?}");
    assert_eq!(t.extra, count(FileStatus::Extra), "{t:?}");
    assert_eq!(t.unreadable, count(FileStatus::Unreadable), "{t:?}");
    // Every sealed entry is reported once: in place, or at the path it moved to.
    assert_eq!(
        t.ok + t.modified + t.missing + t.moved + t.unreadable,
        sealed,
        "{t:?}"
    );
}

fn skip_description(kind: SkipKind) -> &'static str {
    match kind {
        SkipKind::Symlink => "symbolic link (not followed)",
        SkipKind::Hardlink => "hard link (not followed)",
        SkipKind::Fifo => "named pipe",
        SkipKind::Socket => "socket",
        SkipKind::Device => "device file",
        SkipKind::Other => "special file",
    }
}

/// The line the human report gives a file report (paths here have nothing to escape).
fn human_line(f: &FileReport) -> String {
    match (&f.moved_from, &f.detail) {
        (Some(from), _) => format!("{:<10} {from} -> {}", f.status.as_str(), f.path),
        (None, Some(detail)) => format!("{:<10} {}: {detail}", f.status.as_str(), f.path),
        (None, None) => format!("{:<10} {}", f.status.as_str(), f.path),
    }
}

/// The totals line and the verdict line of the human report.
fn human_summary(report: &VerifyReport) -> String {
    let t = &report.totals;
    let mut out = format!(
        "{} sealed files: {} ok, {} modified, {} moved, {} missing, {} unreadable; {} extra",
        t.sealed, t.ok, t.modified, t.moved, t.missing, t.unreadable, t.extra
    );
    if t.lacking_provenance > 0 {
        out.push_str(&format!("; {} lacking provenance", t.lacking_provenance));
    }
    out.push('\n');
    out.push_str(if report.success {
        "verified\n"
    } else {
        "verification FAILED\n"
    });
    out
}

/// The whole human report that must correspond to `report` (the JSON report of the same run):
/// the same verdicts in the same order.
fn expected_human(env: &TestEnv, report: &VerifyReport) -> String {
    let id = key_id_in(&env.read("keys/k.pub"));
    let mut out = format!(
        "folder     {}\nsignature  valid, signed by \"k\" (key {id})\nkey        {id} valid: \"k\" from keys/k.pub\n",
        report.root
    );
    for p in &report.manifest_problems {
        out.push_str(&format!("manifest   {p}\n"));
    }
    for f in &report.files {
        out.push_str(&human_line(f));
        out.push('\n');
    }
    for s in &report.skipped {
        out.push_str(&format!(
            "skipped    {}: {}\n",
            s.path,
            skip_description(s.kind)
        ));
    }
    out.push_str(&human_summary(report));
    out
}

/// The quiet report that must correspond to `report`: nothing when it succeeded, else the lines
/// of the files that are not ok, then the summary.
fn expected_quiet(report: &VerifyReport) -> String {
    if report.success {
        return String::new();
    }
    let mut out = String::new();
    for p in &report.manifest_problems {
        out.push_str(&format!("manifest   {p}\n"));
    }
    for f in report.files.iter().filter(|f| f.status != FileStatus::Ok) {
        out.push_str(&human_line(f));
        out.push('\n');
    }
    out.push_str(&human_summary(report));
    out
}

/// Runs `verify --json` with `--jobs jobs`; returns the exact standard output and the report.
fn verify_json_jobs(env: &TestEnv, jobs: &str) -> (std::process::Output, VerifyReport) {
    env.verify_json(&[MANIFEST, "--jobs", jobs])
}

// --- hand-made manifests ------------------------------------------------------------------------

/// One entry as a manifest holds it (strings decoded).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    path: String,
    size: u64,
    digest: String,
    origin: String,
    retrieved: String,
}

/// A manifest docseal sealed, taken apart: the header (everything before the first entry) and
/// the entries in the order they stand.
struct Parts {
    header: String,
    entries: Vec<Entry>,
}

/// The value of a `key = "string"` line of the canonical layout, decoded.
fn string_value(line: &str, key: &str) -> String {
    let quoted = line
        .strip_prefix(key)
        .and_then(|l| l.strip_prefix(" = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or_else(|| panic!("expected {key} = \"...\", got {line:?}"));
    let mut out = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                other => panic!("unexpected escape {other:?} in {line:?}"),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn read_parts(env: &TestEnv) -> Parts {
    let text = env.read(MANIFEST);
    let body = body(&text);
    // The header ends with its last line; the blank line before each entry belongs to the entry.
    let first = body.find("\n[[file]]\n").expect("no entry");
    let header = body[..first].to_string();
    let entries = body[first..]
        .split("[[file]]\n")
        .filter(|t| !t.trim().is_empty())
        .map(|table| {
            let lines: Vec<&str> = table.lines().filter(|l| !l.is_empty()).collect();
            assert_eq!(lines.len(), 5, "not a canonical entry: {table:?}");
            Entry {
                path: string_value(lines[0], "path"),
                size: lines[1].strip_prefix("size = ").unwrap().parse().unwrap(),
                digest: string_value(lines[2], "digest"),
                origin: string_value(lines[3], "origin"),
                retrieved: string_value(lines[4], "retrieved"),
            }
        })
        .collect();
    Parts { header, entries }
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The RFC 9162 leaf hash of an entry (`docs/manifest-format.md` §6).
fn leaf_hash(e: &Entry) -> [u8; 32] {
    fn prefixed(h: &mut Sha256, s: &str) {
        h.update((s.len() as u32).to_be_bytes());
        h.update(s.as_bytes());
    }
    fn field(h: &mut Sha256, s: &str) {
        if s == "unknown" {
            h.update([0u8]);
        } else {
            h.update([1u8]);
            prefixed(h, s);
        }
    }
    let mut h = Sha256::new();
    h.update([0u8]);
    prefixed(&mut h, &e.path);
    h.update(e.size.to_be_bytes());
    h.update(hex_bytes(&e.digest));
    field(&mut h, &e.origin);
    field(&mut h, &e.retrieved);
    h.finalize().into()
}

fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
    if leaves.len() == 1 {
        return leaves[0];
    }
    let mut k = 1;
    while k * 2 < leaves.len() {
        k *= 2;
    }
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(mth(&leaves[..k]));
    h.update(mth(&leaves[k..]));
    h.finalize().into()
}

/// The collection root digest of `entries` in the order given.
fn merkle_root(entries: &[Entry]) -> String {
    if entries.is_empty() {
        return hex_string(&Sha256::digest(b""));
    }
    let leaves: Vec<[u8; 32]> = entries.iter().map(leaf_hash).collect();
    hex_string(&mth(&leaves))
}

/// A TOML basic string (paths here hold no control characters).
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// An entry in the canonical layout, with the blank line before it.
fn canonical_entry(_: usize, e: &Entry) -> String {
    format!(
        "\n[[file]]\npath = {}\nsize = {}\ndigest = \"{}\"\norigin = {}\nretrieved = {}\n",
        quoted(&e.path),
        e.size,
        e.digest,
        quoted(&e.origin),
        quoted(&e.retrieved)
    )
}

/// A body with `header` (its root replaced by the root of `entries` in this order) and the
/// entries written by `render`.
fn body_of(header: &str, entries: &[Entry], render: impl Fn(usize, &Entry) -> String) -> String {
    const ROOT: &str = "\nroot = \"";
    let at = header.find(ROOT).expect("no root line") + ROOT.len();
    let mut body = format!(
        "{}{}{}",
        &header[..at],
        merkle_root(entries),
        &header[at + 64..]
    );
    for (i, e) in entries.iter().enumerate() {
        body.push_str(&render(i, e));
    }
    body.push('\n');
    body
}

// --- 1. many jobs, many batches -----------------------------------------------------------------

/// Files in the large collections: more than ten hashing jobs, two manifest batches.
const LARGE: usize = 1300;

/// A sealed collection of [`LARGE`] [`nested_files`] (and a few more).
fn large_collection() -> (TestEnv, Files) {
    let files = nested_files(LARGE);
    assert!(files.len() > BATCH && files.len() > 10 * JOB);
    (sealed_collection(&files, None), files)
}

/// What changing a large collection is expected to give.
struct Changed {
    env: TestEnv,
    expected: Expected,
    sealed: usize,
}

/// Changes a sealed large collection at the boundaries of hashing jobs and manifest batches:
/// files modified, deleted, moved and added.
fn change_large(env: TestEnv, files: &Files) -> Changed {
    let sealed: Vec<String> = files.keys().cloned().collect();
    let mut expected = all_ok(&sealed);
    // Modified: on both sides of a job boundary, first of the second batch, the very last.
    for i in [JOB - 1, JOB, BATCH, sealed.len() - 1] {
        let path = &sealed[i];
        env.write(format!("col/{path}"), format!("changed {i}\n"));
        expected.insert(path.clone(), (FileStatus::Modified, None));
    }
    // Same size, other bytes.
    let same_size = &sealed[BATCH + 100];
    let mut bytes = files[same_size].clone();
    bytes[0] ^= 0x20;
    env.write(format!("col/{same_size}"), bytes);
    expected.insert(same_size.clone(), (FileStatus::Modified, None));
    // Deleted: the last entry of the first batch.
    let deleted = &sealed[BATCH - 1];
    remove(&env, deleted);
    expected.insert(deleted.clone(), (FileStatus::Missing, None));
    // Moved from the middle of the first batch to a path that sorts before everything.
    let from = &sealed[300];
    rename(&env, from, "a-moved/here.txt");
    expected.remove(from);
    expected.insert(
        "a-moved/here.txt".into(),
        (FileStatus::Moved, Some(from.clone())),
    );
    // Added, deep in the middle.
    env.write("col/d2/e3/new-extra.txt", "not sealed\n");
    expected.insert("d2/e3/new-extra.txt".into(), (FileStatus::Extra, None));
    Changed {
        env,
        expected,
        sealed: sealed.len(),
    }
}

fn large_collection_with_changes() -> Changed {
    let (env, files) = large_collection();
    change_large(env, &files)
}

#[test]
fn verify_of_a_large_changed_collection_gives_every_path_its_verdict_in_byte_order() {
    let Changed {
        env,
        expected,
        sealed,
    } = large_collection_with_changes();
    let (out, report) = verify_json_jobs(&env, "2");
    assert_eq!(out.status.code(), Some(1));
    assert!(!report.success);
    assert!(report.manifest_problems.is_empty(), "{report:#?}");
    assert!(report.skipped.is_empty());
    assert_verdicts(&report, &expected, sealed);

    // The details of a few reports.
    let moved = report.file("a-moved/here.txt");
    assert_eq!(moved.expected, moved.actual);
    assert!(moved.actual.is_some());
    let from = moved.moved_from.as_deref().unwrap();
    assert_eq!(moved.detail.as_deref(), Some(&*format!("sealed as {from}")));
    let modified = report
        .files
        .iter()
        .find(|f| f.status == FileStatus::Modified)
        .unwrap();
    assert_ne!(modified.expected, modified.actual);
    assert!(
        modified
            .detail
            .as_deref()
            .unwrap()
            .starts_with("content changed ("),
        "{modified:?}"
    );
    let extra = report.file("d2/e3/new-extra.txt");
    assert_eq!(extra.expected, None);
    assert_eq!(extra.actual.as_ref().unwrap().size, 11);
    assert_eq!(extra.detail.as_deref(), Some("not in the manifest"));
    let missing = report
        .files
        .iter()
        .find(|f| f.status == FileStatus::Missing)
        .unwrap();
    assert_eq!(missing.actual, None);
    assert!(missing.expected.is_some());
}

#[test]
fn verify_json_of_a_large_collection_is_byte_identical_for_one_and_three_jobs() {
    let (env, files) = large_collection();
    // Unchanged.
    let (one, report) = verify_json_jobs(&env, "1");
    let (three, _) = verify_json_jobs(&env, "3");
    assert_ok(&one);
    assert_ok(&three);
    assert_verdicts(&report, &all_ok(files.keys()), files.len());
    assert!(
        one.stdout == three.stdout,
        "verify --json of the untouched collection differs between --jobs 1 and --jobs 3"
    );
    // Changed.
    let Changed {
        env,
        expected,
        sealed,
    } = change_large(env, &files);
    let (one, report) = verify_json_jobs(&env, "1");
    let (three, _) = verify_json_jobs(&env, "3");
    assert_eq!(one.status.code(), Some(1));
    assert_eq!(three.status.code(), Some(1));
    assert_verdicts(&report, &expected, sealed);
    assert!(
        one.stdout == three.stdout,
        "verify --json of the changed collection differs between --jobs 1 and --jobs 3"
    );
}

#[test]
fn the_human_report_of_a_large_changed_collection_lists_the_json_verdicts_in_the_same_order() {
    let Changed { env, .. } = large_collection_with_changes();
    let (_, report) = verify_json_jobs(&env, "3");
    for jobs in ["1", "3"] {
        let out = env.run(["verify", MANIFEST, "--jobs", jobs]);
        assert_eq!(out.status.code(), Some(1));
        let text = stdout(&out);
        let want = expected_human(&env, &report);
        if text != want {
            let first = text
                .lines()
                .zip(want.lines())
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("got  {a:?}\nwant {b:?}"));
            panic!(
                "human report (--jobs {jobs}) differs from the JSON report: {first:?}, {} vs {} lines",
                text.lines().count(),
                want.lines().count()
            );
        }
    }
}

// --- 2. byte order of whole paths ---------------------------------------------------------------

/// Names whose byte order is not what a per-folder order (or a case-insensitive or Unicode-aware
/// one) gives: `a-` < `a.txt` < `a/…` < `a0`, `B` < `a`, `z` < `é`.
fn tricky_files() -> Files {
    [
        "a.txt", "a/b", "a0", "a-", "a/c/d", "a/c.txt", "a/c0", "a b", "B", "z", "é.txt", "a/é",
    ]
    .into_iter()
    .map(|p| (p.to_string(), format!("content of {p}\n").into_bytes()))
    .collect()
}

#[test]
fn paths_are_checked_and_reported_in_byte_order_of_the_whole_path() {
    let files = tricky_files();
    let env = sealed_collection(&files, None);
    let (out, report) = verify_json_jobs(&env, "2");
    assert_ok(&out);
    let order: Vec<&str> = report.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        order,
        [
            "B", "a b", "a-", "a.txt", "a/b", "a/c.txt", "a/c/d", "a/c0", "a/é", "a0", "z", "é.txt"
        ]
    );
    assert_verdicts(&report, &all_ok(files.keys()), files.len());
    let text = stdout(&env.run(["verify", MANIFEST]));
    assert_eq!(text, expected_human(&env, &report));
}

#[test]
fn moves_and_deletions_among_paths_in_byte_order_get_their_verdicts() {
    let files = tricky_files();
    let env = sealed_collection(&files, None);
    // a/c/d leaves its folder for a name that sorts after it; a0 moves into a/ between a/b and
    // a/c.txt; a- is deleted; a/c- is new; a.txt is changed; B becomes a/c (a file where a
    // folder was).
    rename(&env, "a/c/d", "a/c0-d");
    rename(&env, "a0", "a/b.x");
    remove(&env, "a-");
    env.write("col/a/c-", "new\n");
    env.write("col/a.txt", "changed\n");
    std::fs::remove_dir(env.join("col/a/c")).unwrap();
    rename(&env, "B", "a/c");
    let mut expected = all_ok(files.keys());
    expected.insert("a-".into(), (FileStatus::Missing, None));
    expected.insert("a.txt".into(), (FileStatus::Modified, None));
    for (from, to) in [("a/c/d", "a/c0-d"), ("a0", "a/b.x"), ("B", "a/c")] {
        expected.remove(from);
        expected.insert(to.into(), (FileStatus::Moved, Some(from.into())));
    }
    expected.insert("a/c-".into(), (FileStatus::Extra, None));
    let (out, report) = verify_json_jobs(&env, "2");
    assert_eq!(out.status.code(), Some(1));
    assert_verdicts(&report, &expected, files.len());
    let order: Vec<&str> = report.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        order,
        [
            "a b", "a-", "a.txt", "a/b", "a/b.x", "a/c", "a/c-", "a/c.txt", "a/c0", "a/c0-d",
            "a/é", "z", "é.txt"
        ]
    );
    let text = stdout(&env.run(["verify", MANIFEST]));
    assert_eq!(text, expected_human(&env, &report));
    assert!(text.contains("\nmoved      a0 -> a/b.x\n"), "{text}");
}

// --- 3. a validly signed manifest out of order --------------------------------------------------

/// Re-signs the sealed manifest with its entries in the order `reorder` makes, and checks that
/// verify gives the same per-file verdicts as the sorted manifest gave, in path order, plus one
/// manifest problem naming the first neighbours out of order (exit 1).
fn assert_unsorted_manifest_is_judged_like_the_sorted_one(
    files: Files,
    change: impl Fn(&TestEnv),
    reorder: impl Fn(&mut Vec<Entry>),
) {
    let env = sealed_collection(&files, None);
    change(&env);
    let (sorted_out, sorted_report) = verify_json_jobs(&env, "2");
    let Parts {
        header,
        mut entries,
    } = read_parts(&env);
    // This file's reading and writing of a manifest gives back docseal's exact text.
    assert!(
        body_of(&header, &entries, canonical_entry) == body(&env.read(MANIFEST)),
        "the test's canonical writer or root differs from docseal's"
    );
    reorder(&mut entries);
    let (before, after) = entries
        .windows(2)
        .find(|w| w[0].path >= w[1].path)
        .map(|w| (w[0].path.clone(), w[1].path.clone()))
        .expect("the reordering left the entries sorted");
    env.sign_and_write(&body_of(&header, &entries, canonical_entry));

    let (out, report) = verify_json_jobs(&env, "2");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(!report.success);
    assert_eq!(
        report.signature.status,
        crate::schema::SignatureStatus::Valid
    );
    assert_eq!(
        report.manifest_problems,
        [format!(
            "entries are not sorted by path (\"{before}\" comes before \"{after}\")"
        )],
        "a wrong root digest would mean that the entries were read in another order"
    );
    assert_eq!(
        verdicts(&report),
        verdicts(&sorted_report),
        "the unsorted manifest gives other verdicts than the sorted one"
    );
    let json = |out: &std::process::Output| -> serde_json::Value {
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (got, want) = (json(&out), json(&sorted_out));
    for field in ["files", "skipped", "totals"] {
        assert_eq!(got[field], want[field], "{field} differs");
    }
    let text = stdout(&env.run(["verify", MANIFEST]));
    assert_eq!(text, expected_human(&env, &report));
}

/// The changes the unsorted-manifest tests make to a [`nested_files`] collection, by sorted
/// index of the sealed paths.
fn change_nested(env: &TestEnv, sealed: &[String]) {
    env.write(format!("col/{}", sealed[10]), "changed\n");
    env.write(format!("col/{}", sealed[BATCH]), "changed\n");
    remove(env, &sealed[11]);
    remove(env, &sealed[BATCH - 1]);
    rename(env, &sealed[500], "zz/moved");
    env.write("col/d0/extra", "extra\n");
}

#[test]
fn a_signed_manifest_with_two_entries_swapped_in_a_batch_gives_the_right_verdicts_and_a_problem() {
    let files = nested_files(1200);
    let sealed: Vec<String> = files.keys().cloned().collect();
    assert_unsorted_manifest_is_judged_like_the_sorted_one(
        files,
        |env| change_nested(env, &sealed),
        |entries| entries.swap(10, 11),
    );
}

#[test]
fn a_signed_manifest_unsorted_across_a_batch_boundary_gives_the_right_verdicts_and_a_problem() {
    let files = nested_files(1200);
    let sealed: Vec<String> = files.keys().cloned().collect();
    assert_unsorted_manifest_is_judged_like_the_sorted_one(
        files,
        |env| change_nested(env, &sealed),
        // Only the last entry of the first batch and the first of the second change places:
        // each batch on its own is sorted.
        |entries| entries.swap(BATCH - 1, BATCH),
    );
}

#[test]
fn a_signed_manifest_in_reverse_order_gives_the_right_verdicts_and_a_problem() {
    let files = nested_files(1200);
    let sealed: Vec<String> = files.keys().cloned().collect();
    assert_unsorted_manifest_is_judged_like_the_sorted_one(
        files,
        |env| change_nested(env, &sealed),
        |entries| entries.reverse(),
    );
}

// --- 4. a validly signed manifest not in the canonical layout -----------------------------------

/// Rewrites the sealed manifest of a changed collection of about `n` files (more than one batch)
/// with each entry written by `render` (same entries, same order), signs it, and checks that
/// `verify --json` prints exactly what it printed for the canonical manifest.
fn assert_layout_gives_the_same_report(n: usize, render: impl Fn(usize, &Entry) -> String) {
    let mut files = nested_files(n);
    // A quote in a name: the canonical text escapes it, so its batch is read by the strict reader
    // even in the canonical layout.
    files.insert("d0/say \"hi\".txt".into(), b"quoted\n".to_vec());
    let sealed: Vec<String> = files.keys().cloned().collect();
    let env = sealed_collection(&files, None);
    change_nested(&env, &sealed);
    remove(&env, &sealed[sealed.len() - 3]);
    env.write(format!("col/{}", sealed[sealed.len() - 1]), "changed\n");
    let (canonical_out, canonical) = verify_json_jobs(&env, "2");
    assert_eq!(canonical_out.status.code(), Some(1));
    assert!(canonical.manifest_problems.is_empty(), "{canonical:#?}");

    let Parts { header, entries } = read_parts(&env);
    let body = body_of(&header, &entries, &render);
    assert_ne!(
        body,
        body_of(&header, &entries, canonical_entry),
        "not another layout"
    );
    env.sign_and_write(&body);
    for jobs in ["1", "2"] {
        let out = env.run(["verify", "--json", MANIFEST, "--jobs", jobs]);
        assert!(
            out.status.code() == Some(1) && out.stderr.is_empty(),
            "verify failed to run: exit status {:?}\n{}",
            out.status.code(),
            stderr(&out)
        );
        let report = crate::schema::parse_verify(&out);
        assert!(
            report.manifest_problems.is_empty(),
            "{:?}",
            report.manifest_problems
        );
        if out.stdout != canonical_out.stdout {
            assert_eq!(verdicts(&report), verdicts(&canonical));
            panic!(
                "the report differs from the canonical manifest's:\n{}",
                stdout(&out)
            );
        }
    }
}

#[test]
fn a_signed_manifest_with_the_keys_of_every_entry_in_another_order_gives_the_same_report() {
    assert_layout_gives_the_same_report(LARGE, |_, e| {
        format!(
            "\n[[file]]\ndigest = \"{}\"\nretrieved = {}\nsize = {}\norigin = {}\npath = {}\n",
            e.digest,
            quoted(&e.retrieved),
            e.size,
            quoted(&e.origin),
            quoted(&e.path)
        )
    });
}

#[test]
fn a_signed_manifest_with_escaped_and_literal_path_strings_gives_the_same_report() {
    // Some entries of every batch (not all: batches mix both readers' entries) have their path
    // written with a \u escape or as a literal string.
    assert_layout_gives_the_same_report(LARGE, |i, e| {
        let canonical = canonical_entry(i, e);
        let path_line = format!("path = {}", quoted(&e.path));
        let first = e.path.chars().next().unwrap();
        let rest = &e.path[first.len_utf8()..];
        match i % 97 {
            0 if !e.path.contains(['"', '\\']) => canonical.replacen(
                &path_line,
                &format!("path = \"\\u{:04X}{rest}\"", first as u32),
                1,
            ),
            1 if !e.path.contains('\'') => {
                canonical.replacen(&path_line, &format!("path = '{}'", e.path), 1)
            }
            _ => canonical,
        }
    });
}

#[test]
fn a_signed_manifest_with_comments_blank_lines_and_spacing_between_entries_gives_the_same_report() {
    assert_layout_gives_the_same_report(LARGE, |i, e| {
        let canonical = canonical_entry(i, e);
        match i % 5 {
            0 => format!("{canonical}# entry {i}\n\n\n"),
            1 => canonical.replacen("size = ", "size=", 1),
            2 => canonical.replacen("\ndigest = ", "\n  digest   =   ", 1),
            3 => format!("\n# before entry {i}{canonical}"),
            _ => canonical,
        }
    });
}

/// Writes the sealed manifest of about `n` files again with each entry written by `render`,
/// signs it, and checks that `verify` refuses it (exit 2) for the table header `header`.
fn assert_table_header_is_refused(
    n: usize,
    header: &str,
    render: impl Fn(usize, &Entry) -> String,
) {
    let files = nested_files(n);
    let env = sealed_collection(&files, None);
    let Parts {
        header: head,
        entries,
    } = read_parts(&env);
    env.sign_and_write(&body_of(&head, &entries, &render));
    let line = line_of(&env.read(MANIFEST), header);
    assert_error_is(
        &env.run(["verify", MANIFEST]),
        &format!(
            "{MANIFEST}:{line}: table header \"{header}\" must be written exactly \"[[file]]\", alone on its line (no blanks, tabs or comment); restore the original file"
        ),
    );
}

#[test]
fn a_signed_manifest_with_a_comment_on_an_entry_table_header_in_the_first_batch_is_refused() {
    // Valid TOML, but not the line `[[file]]` that the manifest is cut at: refused on any entry
    // (once it was read as part of the batch before it, shifting the batches after it).
    assert_table_header_is_refused(2 * BATCH + 50, "[[file]] # entry 500", |i, e| {
        let canonical = canonical_entry(i, e);
        match i {
            500 => canonical.replacen("[[file]]", "[[file]] # entry 500", 1),
            _ => canonical,
        }
    });
}

#[test]
fn a_signed_manifest_with_a_spaced_entry_table_header_in_the_last_batch_is_refused() {
    assert_table_header_is_refused(LARGE, "[[ file ]]", |i, e| {
        let canonical = canonical_entry(i, e);
        if i == BATCH + 5 {
            canonical.replacen("[[file]]", "[[ file ]]", 1)
        } else {
            canonical
        }
    });
}

// --- 5. special files and folders that became files ---------------------------------------------

#[test]
fn sealed_files_that_became_links_or_fifos_are_unreadable_and_a_folder_that_became_a_file_leaves_its_files_missing()
 {
    let mut files = nested_files(400);
    for p in [
        "box/1.txt",
        "box/2.txt",
        "box.txt",
        "box0",
        "box2/only.txt",
        "boxlink/inner.txt",
        "links/target.txt",
        "links/other.txt",
        "pipes/p.txt",
        "was-file",
    ] {
        files.insert(p.to_string(), format!("content of {p}\n").into_bytes());
    }
    // links/target.txt will point at a file of the same content, which must not be read.
    files.insert("links/target.txt".into(), b"same\n".to_vec());
    files.insert("links/other.txt".into(), b"same\n".to_vec());
    let env = sealed_collection(&files, None);
    let col = |p: &str| env.join(format!("col/{p}"));

    remove(&env, "links/target.txt");
    std::os::unix::fs::symlink("other.txt", col("links/target.txt")).unwrap();
    remove(&env, "pipes/p.txt");
    mkfifo(&col("pipes/p.txt"));
    // A folder replaced by a file of new content, and one by a file holding its only file's
    // content (a move), and one by a link to a folder holding the same files (not followed).
    std::fs::remove_dir_all(col("box")).unwrap();
    env.write("col/box", "now a file\n");
    std::fs::remove_dir_all(col("box2")).unwrap();
    env.write("col/box2", "content of box2/only.txt\n");
    env.write("elsewhere/inner.txt", "content of boxlink/inner.txt\n");
    std::fs::remove_dir_all(col("boxlink")).unwrap();
    std::os::unix::fs::symlink("../elsewhere", col("boxlink")).unwrap();
    // A file replaced by a folder.
    remove(&env, "was-file");
    env.write("col/was-file/inner", "content of was-file\n");
    // Special files that were never sealed.
    mkfifo(&col("d1/new-pipe"));
    std::os::unix::fs::symlink("../c-0000.txt", col("d0/new-link")).unwrap();
    // A name that cannot be recorded (not UTF-8): extra, under its escaped name.
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        std::fs::write(col("d0").join(name), "latin-1 name\n").unwrap();
    }

    let mut expected = all_ok(files.keys());
    expected.insert("d0/caf\\xe9.txt".into(), (FileStatus::Extra, None));
    for p in ["links/target.txt", "pipes/p.txt"] {
        expected.insert(p.into(), (FileStatus::Unreadable, None));
    }
    for p in ["box/1.txt", "box/2.txt", "boxlink/inner.txt"] {
        expected.insert(p.into(), (FileStatus::Missing, None));
    }
    expected.insert("box".into(), (FileStatus::Extra, None));
    expected.remove("box2/only.txt");
    expected.insert(
        "box2".into(),
        (FileStatus::Moved, Some("box2/only.txt".into())),
    );
    expected.remove("was-file");
    expected.insert(
        "was-file/inner".into(),
        (FileStatus::Moved, Some("was-file".into())),
    );

    let (out, report) = verify_json_jobs(&env, "2");
    assert_eq!(out.status.code(), Some(1));
    assert_verdicts(&report, &expected, files.len());
    let link = report.file("links/target.txt");
    assert_eq!(
        link.detail.as_deref(),
        Some("is now a symbolic link (not followed)")
    );
    assert_eq!(link.actual, None, "the link was followed");
    assert!(link.expected.is_some());
    let pipe = report.file("pipes/p.txt");
    assert_eq!(pipe.detail.as_deref(), Some("is now a named pipe"));
    assert_eq!(pipe.actual, None);
    assert_eq!(report.file("box/1.txt").detail, None);
    assert_eq!(
        report.file("box").detail.as_deref(),
        Some("not in the manifest")
    );
    assert_eq!(
        report.file("d0/caf\\xe9.txt").detail.as_deref(),
        Some("file name is not valid UTF-8; rename it (manifest paths are UTF-8)")
    );
    // Only what was not sealed is listed as skipped, in path order.
    assert_eq!(
        report.skipped_kinds(),
        [
            ("boxlink", SkipKind::Symlink),
            ("d0/new-link", SkipKind::Symlink),
            ("d1/new-pipe", SkipKind::Fifo),
        ]
    );
    let text = stdout(&env.run(["verify", MANIFEST]));
    assert_eq!(text, expected_human(&env, &report));
    for line in [
        "unreadable links/target.txt: is now a symbolic link (not followed)",
        "unreadable pipes/p.txt: is now a named pipe",
        "missing    box/1.txt",
        "extra      box: not in the manifest",
        "moved      box2/only.txt -> box2",
        "skipped    d1/new-pipe: named pipe",
    ] {
        assert!(text.lines().any(|l| l == line), "no line {line:?}:\n{text}");
    }
}

// --- 6. moves of identical contents -------------------------------------------------------------

#[test]
fn moves_of_identical_contents_across_batches_are_paired_in_path_order_and_copies_are_extra() {
    let mut files = Files::new();
    for i in 0..1100 {
        files.insert(
            format!("f/{i:04}.txt"),
            format!("filler {i}\n").into_bytes(),
        );
    }
    // Five sealed files with one content, in both batches.
    let dups: Vec<String> = [10, 600, 1000, 1030, 1090]
        .iter()
        .map(|i| format!("f/{i:04}.dup"))
        .collect();
    for d in &dups {
        files.insert(d.clone(), b"the same content\n".to_vec());
    }
    // One content sealed once, and one sealed twice (in two batches).
    files.insert("f/0900.one".into(), b"only once\n".to_vec());
    files.insert("f/0100.two".into(), b"twice\n".to_vec());
    files.insert("f/1050.two".into(), b"twice\n".to_vec());
    let index = |p: &str| files.keys().position(|k| k == p).unwrap();
    assert!(index(&dups[2]) < BATCH && index(&dups[3]) >= BATCH);
    assert!(index("f/0100.two") < BATCH && index("f/1050.two") >= BATCH);
    // Each duplicate has its own origin, so that the pairing shows in the reports.
    let sources: String = dups
        .iter()
        .map(|d| {
            format!(
                "[[source]]\npath = \"{d}\"\nurl = \"https://example.org/{d}\"\nretrieved = \"2024-01-02T03:04:05Z\"\n\n"
            )
        })
        .collect();
    let env = sealed_collection(&files, Some(&sources));

    // Three of the five are gone (first, third, fifth: two in the first batch, one in the
    // second); two new copies appear, in an order that is not their path order when created.
    for d in [&dups[0], &dups[2], &dups[4]] {
        remove(&env, d);
    }
    env.write("col/g/new-b", "the same content\n");
    env.write("col/a/new-a", "the same content\n");
    // Copies of sealed files that are still in place.
    env.write("col/z/copy-of-one", "only once\n");
    env.write("col/h/copy-of-two", "twice\n");

    let mut expected = all_ok(files.keys());
    expected.remove(&dups[0]);
    expected.remove(&dups[2]);
    expected.insert("a/new-a".into(), (FileStatus::Moved, Some(dups[0].clone())));
    expected.insert("g/new-b".into(), (FileStatus::Moved, Some(dups[2].clone())));
    expected.insert(dups[4].clone(), (FileStatus::Missing, None));
    expected.insert("z/copy-of-one".into(), (FileStatus::Extra, None));
    expected.insert("h/copy-of-two".into(), (FileStatus::Extra, None));

    let (one, report) = verify_json_jobs(&env, "1");
    let (three, _) = verify_json_jobs(&env, "3");
    assert_eq!(one.status.code(), Some(1));
    assert!(one.stdout == three.stdout, "--jobs 1 and --jobs 3 differ");
    assert_verdicts(&report, &expected, files.len());

    let a = report.file("a/new-a");
    assert_eq!(
        a.origin.as_deref(),
        Some(&*format!("https://example.org/{}", dups[0]))
    );
    assert_eq!(a.retrieved.as_deref(), Some("2024-01-02T03:04:05Z"));
    assert_eq!(
        a.detail.as_deref(),
        Some(&*format!("sealed as {}", dups[0]))
    );
    let g = report.file("g/new-b");
    assert_eq!(
        g.origin.as_deref(),
        Some(&*format!("https://example.org/{}", dups[2]))
    );
    let left = report.file(&dups[4]);
    assert_eq!(left.status, FileStatus::Missing);
    assert_eq!(
        left.origin.as_deref(),
        Some(&*format!("https://example.org/{}", dups[4]))
    );
    assert_eq!(
        report.file("z/copy-of-one").detail.as_deref(),
        Some("not in the manifest (a copy of sealed f/0900.one)")
    );
    assert_eq!(
        report.file("h/copy-of-two").detail.as_deref(),
        Some("not in the manifest (a copy of sealed f/0100.two)"),
        "the copy names the first sealed file with its content"
    );
    let text = stdout(&env.run(["verify", MANIFEST]));
    assert_eq!(text, expected_human(&env, &report));
    assert!(
        text.contains(&format!("\nmoved      {} -> a/new-a\n", dups[0])),
        "{text}"
    );
}

#[test]
fn a_third_copy_of_identical_contents_takes_the_last_gone_entry_and_a_fourth_is_a_copy() {
    let mut files = Files::new();
    for i in 0..1100 {
        files.insert(
            format!("f/{i:04}.txt"),
            format!("filler {i}\n").into_bytes(),
        );
    }
    let dups = ["f/0001.dup", "f/0600.dup", "f/1050.dup", "f/1099.dup"];
    for d in dups {
        files.insert(d.into(), b"same\n".to_vec());
    }
    let env = sealed_collection(&files, None);
    // Three gone, one in place; four new copies.
    for d in &dups[..3] {
        remove(&env, d);
    }
    for new in ["n/4", "n/1", "n/3", "n/2"] {
        env.write(format!("col/{new}"), "same\n");
    }
    let mut expected = all_ok(files.keys());
    for (from, to) in dups[..3].iter().zip(["n/1", "n/2", "n/3"]) {
        expected.remove(*from);
        expected.insert(to.into(), (FileStatus::Moved, Some(from.to_string())));
    }
    expected.insert("n/4".into(), (FileStatus::Extra, None));
    let (out, report) = verify_json_jobs(&env, "2");
    assert_eq!(out.status.code(), Some(1));
    assert_verdicts(&report, &expected, files.len());
    assert_eq!(
        report.file("n/4").detail.as_deref(),
        Some("not in the manifest (a copy of sealed f/1099.dup)")
    );
}

#[test]
fn a_renamed_folder_turns_every_entry_below_it_into_a_move_across_batches() {
    let (env, files) = large_collection();
    std::fs::rename(env.join("col/d2"), env.join("col/moved-d2")).unwrap();
    let mut expected = all_ok(files.keys());
    let below: Vec<&String> = files.keys().filter(|p| p.starts_with("d2/")).collect();
    let index = |p: &str| files.keys().position(|k| k == p).unwrap();
    assert!(below.len() > JOB && index(below[0]) < BATCH && index(below[below.len() - 1]) >= BATCH);
    for p in &below {
        expected.remove(*p);
        expected.insert(
            format!("moved-{p}"),
            (FileStatus::Moved, Some(p.to_string())),
        );
    }
    let (one, report) = verify_json_jobs(&env, "1");
    let (three, _) = verify_json_jobs(&env, "3");
    assert_eq!(one.status.code(), Some(1));
    assert!(one.stdout == three.stdout, "--jobs 1 and --jobs 3 differ");
    assert_verdicts(&report, &expected, files.len());
    assert_eq!(report.totals.moved, below.len());
    let text = stdout(&env.run(["verify", MANIFEST]));
    assert_eq!(text, expected_human(&env, &report));
}

#[test]
fn files_added_to_an_empty_sealed_collection_are_all_extra_in_byte_order() {
    let env = sealed_collection(&Files::new(), None);
    let files = nested_files(3 * JOB);
    for (path, content) in &files {
        env.write(format!("col/{path}"), content);
    }
    let expected: Expected = files
        .keys()
        .map(|p| (p.clone(), (FileStatus::Extra, None)))
        .collect();
    let (one, report) = verify_json_jobs(&env, "1");
    let (three, _) = verify_json_jobs(&env, "3");
    assert_eq!(one.status.code(), Some(1));
    assert!(one.stdout == three.stdout, "--jobs 1 and --jobs 3 differ");
    assert_verdicts(&report, &expected, 0);
    // And the other way round: everything sealed is gone.
    let env = sealed_collection(&files, None);
    std::fs::remove_dir_all(env.join("col")).unwrap();
    std::fs::create_dir(env.join("col")).unwrap();
    let expected: Expected = files
        .keys()
        .map(|p| (p.clone(), (FileStatus::Missing, None)))
        .collect();
    let (out, report) = verify_json_jobs(&env, "2");
    assert_eq!(out.status.code(), Some(1));
    assert_verdicts(&report, &expected, files.len());
}

// --- 7. quiet -----------------------------------------------------------------------------------

#[test]
fn verify_quiet_of_a_large_collection_that_verifies_prints_nothing() {
    let (env, _) = large_collection();
    // Skipped entries are no problem: still nothing to say.
    std::os::unix::fs::symlink("c-0000.txt", env.join("col/a-link")).unwrap();
    for jobs in ["1", "3"] {
        let out = env.run(["verify", "--quiet", MANIFEST, "--jobs", jobs]);
        assert_ok(&out);
        assert_eq!(stdout(&out), "", "--jobs {jobs}");
    }
}

#[test]
fn verify_quiet_of_a_large_changed_collection_prints_only_the_problems_and_the_summary() {
    let Changed { env, expected, .. } = large_collection_with_changes();
    std::os::unix::fs::symlink("c-0000.txt", env.join("col/a-link")).unwrap();
    let (_, report) = verify_json_jobs(&env, "2");
    let out = env.run(["verify", "--quiet", MANIFEST]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text, expected_quiet(&report));
    let problems = expected
        .values()
        .filter(|(s, _)| *s != FileStatus::Ok)
        .count();
    assert_eq!(problems, 8);
    assert_eq!(text.lines().count(), problems + 2, "{text}");
    assert!(!text.contains("ok         "), "{text}");
    assert!(!text.contains("skipped"), "{text}");
    assert!(!text.contains("signature"), "{text}");
    assert!(
        text.ends_with(&format!(
            "1 moved, 1 missing, 0 unreadable; 1 extra; {} lacking provenance\nverification FAILED\n",
            report.totals.sealed
        )),
        "{text}"
    );
}
