/*!
`docseal verify` on intact collections: the human report, the JSON report (parsed into the strict
schema of [`crate::schema`]), the quiet mode, and the sample collection shipped in the repository.
*/

use std::fs;
use std::path::Path;

use crate::schema::{FileStatus, Fixity, SignatureStatus, Totals};
use crate::util::*;

#[test]
fn verify_of_an_untouched_collection_names_the_folder_first_succeeds_and_lists_every_file() {
    let env = TestEnv::sealed();
    let id = key_id_in(&env.read("keys/k.pub"));
    let out = env.run(["verify", MANIFEST]);
    assert_ok(&out);
    assert_eq!(
        stdout(&out),
        format!(
            "folder     manifests/../col\n\
             signature  valid, signed by \"k\" (key {id})\n\
             key        {id} valid: \"k\" from keys/k.pub\n\
             ok         a.txt\n\
             ok         b.txt\n\
             ok         sub/c.txt\n\
             3 sealed files: 3 ok, 0 modified, 0 moved, 0 missing, 0 unreadable; 0 extra; 1 lacking provenance\n\
             verified\n"
        )
    );
}

#[test]
fn verify_quiet_prints_nothing_when_everything_verified() {
    let env = TestEnv::sealed();
    let out = env.run(["verify", "--quiet", MANIFEST]);
    assert_ok(&out);
    assert_eq!(stdout(&out), "");
}

#[test]
fn verify_quiet_prints_only_the_problems() {
    let env = TestEnv::sealed();
    env.write("col/b.txt", "changed\n");
    let out = env.run(["verify", "-q", MANIFEST]);
    assert_verify_fails(&out, &[]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(
        lines[0],
        "modified   b.txt: content changed (size 12 -> 8 bytes; not read, the size shows it)"
    );
    assert!(!text.contains("ok         "), "{text}");
}

#[test]
fn verify_json_follows_the_documented_schema() {
    let env = TestEnv::sealed();
    let id = key_id_in(&env.read("keys/k.pub"));
    let (out, report) = env.verify_json(&[MANIFEST]);
    assert_ok(&out);
    assert_eq!(report.report_version, 1);
    assert_eq!(report.manifest, MANIFEST);
    assert_eq!(report.collection, "col");
    assert!(
        Path::new(&report.root).ends_with("col"),
        "root {:?}",
        report.root
    );
    assert_eq!(report.signature.status, SignatureStatus::Valid);
    assert_eq!(report.signature.signers.len(), 1);
    assert_eq!(report.signature.signers[0].key_id, id);
    assert_eq!(report.signature.signers[0].name, "k");
    assert!(report.signature.invalid.is_empty());
    assert!(report.signature.untrusted.is_empty());
    assert!(report.files_checked);
    assert!(report.manifest_problems.is_empty());
    assert_eq!(
        report.statuses(),
        [
            ("a.txt", FileStatus::Ok),
            ("b.txt", FileStatus::Ok),
            ("sub/c.txt", FileStatus::Ok)
        ]
    );
    let a = report.file("a.txt");
    let sealed = Fixity {
        size: 6,
        digest: "b6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51060".to_string(),
    };
    assert_eq!(a.expected.as_ref(), Some(&sealed));
    assert_eq!(a.actual.as_ref(), Some(&sealed));
    assert_eq!(a.origin.as_deref(), Some("https://example.org/a"));
    assert_eq!(a.retrieved.as_deref(), Some("2024-09-30T12:00:00Z"));
    assert_eq!(a.detail, None);
    let c = report.file("sub/c.txt");
    assert_eq!(c.origin.as_deref(), Some("https://example.org/c"));
    assert_eq!(c.retrieved, None, "an unknown time is null in JSON");
    assert!(report.skipped.is_empty());
    assert_eq!(
        report.totals,
        Totals {
            sealed: 3,
            ok: 3,
            modified: 0,
            missing: 0,
            extra: 0,
            unreadable: 0,
            moved: 0,
            misnamed: 0,
            lacking_provenance: 1,
        }
    );
    assert!(!report.require_provenance);
    assert!(report.success);
}

#[test]
fn verify_json_of_a_failed_verification_exits_1_and_still_follows_the_schema() {
    let env = TestEnv::sealed();
    std::fs::remove_file(env.join("col/a.txt")).unwrap();
    env.write("col/new.txt", "new\n");
    let (out, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!report.success);
    let a = report.file("a.txt");
    assert_eq!(a.status, FileStatus::Missing);
    assert!(a.expected.is_some());
    assert_eq!(a.actual, None);
    let new = report.file("new.txt");
    assert_eq!(new.status, FileStatus::Extra);
    assert_eq!(new.expected, None);
    assert_eq!(new.origin, None);
    assert_eq!(new.detail.as_deref(), Some("not in the manifest"));
    assert_eq!(report.totals.missing, 1);
    assert_eq!(report.totals.extra, 1);
    assert_eq!(report.totals.ok, 2);
}

#[test]
fn verify_finds_the_collection_relative_to_the_manifest_not_the_current_folder() {
    let env = TestEnv::sealed();
    let mut cmd = env.command(["verify", "../manifests/col.toml", "--trust", "../keys"]);
    cmd.current_dir(env.join("home"));
    assert_ok(&run_command(cmd));
}

#[test]
fn verify_root_option_checks_a_copy_of_the_collection_elsewhere() {
    let env = TestEnv::sealed();
    env.collection("copy")
        .file("a.txt", "alpha\n")
        .file("b.txt", "bravo bravo\n")
        .file("sub/c.txt", "charlie\n");
    assert_ok(&env.run(["verify", MANIFEST, "--root", "copy"]));
    env.write("copy/a.txt", "alpha!\n");
    let out = env.run(["verify", MANIFEST, "--root", "copy"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_shipped_sample_collection_verifies_from_the_repository_root() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_docseal"));
    cmd.args(["verify", "manifests/seeds.toml"])
        .current_dir(repo);
    let out = run_command(cmd);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "folder     manifests/../seeds\n\
             signature  valid, signed by \"docseal-sample\" (key 7f73941830ea6f5c)\n\
             key        7f73941830ea6f5c valid: \"docseal-sample\" from keys/docseal-sample.pub\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("\nok         000_80e66ab45e92db63.txt\n"),
        "{text}"
    );
    assert!(
        text.contains("\nok         004_ab707ea270bec5cc.txt\n"),
        "{text}"
    );
    assert!(text.ends_with("\nverified\n"), "{text}");

    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_docseal"));
    cmd.args(["verify", "--json", "manifests/seeds.toml"])
        .current_dir(repo);
    let out = run_command(cmd);
    assert_ok(&out);
    let report = crate::schema::parse_verify(&out);
    assert!(report.success);
    assert_eq!(
        report.statuses(),
        [
            ("000_80e66ab45e92db63.txt", FileStatus::Ok),
            ("004_ab707ea270bec5cc.txt", FileStatus::Ok)
        ]
    );
    assert_eq!(report.totals.sealed, 2);
}

#[test]
fn the_json_report_reads_back_into_the_library_s_report_and_writes_out_the_same() {
    let env = TestEnv::sealed();
    env.write("col/a.txt", "changed\n");
    std::fs::rename(env.join("col/b.txt"), env.join("col/b2.txt")).unwrap();
    env.write("col/new.txt", "new\n");
    let out = env.run(["verify", "--json", MANIFEST]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let report: docseal::report::VerifyReport = serde_json::from_str(&text).unwrap();
    assert!(!report.success);
    assert_eq!(report.collection_name, "col");
    let counts = report.files.counts();
    assert_eq!(
        (counts.ok, counts.modified, counts.moved, counts.extra),
        (1, 1, 1, 1)
    );
    let again = serde_json::to_string_pretty(&report).unwrap();
    assert_eq!(format!("{again}\n"), text);
}

#[test]
fn a_sealed_file_replaced_by_a_huge_sparse_one_is_modified_at_once_by_its_size() {
    let env = TestEnv::sealed();
    let path = env.join("col/a.txt");
    fs::remove_file(&path).unwrap();
    // A 50 GiB file that takes no room: reading it would take minutes.
    fs::File::create(&path).unwrap().set_len(50 << 30).unwrap();
    // No timed assertion: that it is not read shows in `actual`, and reading it would outlast
    // the harness's timeout.
    let (out, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(out.status.code(), Some(1));
    let a = report.file("a.txt");
    assert_eq!(a.status, FileStatus::Modified);
    assert_eq!(a.actual, None, "it was not read");
    assert_eq!(
        a.detail.as_deref(),
        Some("content changed (size 6 -> 53687091200 bytes; not read, the size shows it)")
    );
    let out = env.run(["verify", MANIFEST]);
    assert_stdout_line_starts(
        &out,
        "modified   a.txt: content changed (size 6 -> 53687091200 bytes; not read",
    );
}

#[test]
fn the_human_report_names_the_archive_it_checked_on_its_first_line() {
    let env = TestEnv::sealed();
    let status = std::process::Command::new("tar")
        .args(["czf", "c.tgz", "col"])
        .current_dir(env.path())
        .status()
        .unwrap();
    assert!(status.success());
    let out = env.run(["verify", MANIFEST, "--archive", "c.tgz"]);
    assert_ok(&out);
    assert!(
        stdout(&out).starts_with("archive    c.tgz\nsignature  valid"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn verify_with_paths_checks_only_the_named_files_signature_first() {
    let env = TestEnv::sealed();
    // Another file changed and an extra one added: neither is looked at.
    env.write("col/a.txt", "changed\n");
    env.write("col/new.txt", "extra\n");
    let out = env.run(["verify", MANIFEST, "b.txt", "./sub/c.txt"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("\nnamed      2 of the manifest's files, checked alone (extra files are not looked for)\n"),
        "{text}"
    );
    assert!(
        text.contains("\nok         b.txt\nok         sub/c.txt\n2 sealed files: 2 ok,"),
        "{text}"
    );
    assert!(
        !text.contains("a.txt") && !text.contains("new.txt"),
        "{text}"
    );
    let (out, report) = env.verify_json(&[MANIFEST, "sub/c.txt", "b.txt"]);
    assert_ok(&out);
    assert_eq!(report.paths, ["b.txt", "sub/c.txt"]);
    assert_eq!(report.totals.sealed, 2);
    // The changed file named: modified, exit 1.
    let out = env.run(["verify", MANIFEST, "a.txt"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("\nmodified   a.txt"),
        "{}",
        stdout(&out)
    );
    // A missing named file is missing; a name the manifest does not hold is an error.
    std::fs::remove_file(env.join("col/b.txt")).unwrap();
    let out = env.run(["verify", MANIFEST, "b.txt"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("\nmissing    b.txt"),
        "{}",
        stdout(&out)
    );
    assert_fails(
        &env.run(["verify", MANIFEST, "new.txt"]),
        2,
        "no file \"new.txt\" in this manifest",
    );
    // A folder on the way replaced by a link out of the collection is not followed.
    std::fs::rename(env.join("col/sub"), env.join("elsewhere")).unwrap();
    std::os::unix::fs::symlink("../elsewhere", env.join("col/sub")).unwrap();
    let out = env.run(["verify", MANIFEST, "sub/c.txt"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("unreadable sub/c.txt: cannot read: ")
            && stdout(&out).contains("is a symbolic link, not followed"),
        "{}",
        stdout(&out)
    );
    // The signature comes first: an edited manifest is refused before any file is named.
    env.edit(MANIFEST, "2024-09-30T12:00:00Z", "2024-09-30T12:00:01Z");
    let out = env.run(["verify", MANIFEST, "nothing-like-it.txt"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("INVALID"), "{}", stdout(&out));
}

#[test]
fn verify_with_paths_picks_the_named_entries_from_an_archive() {
    let env = TestEnv::sealed();
    let mut tar = std::process::Command::new("tar");
    tar.args(["-czf", "col.tgz", "col"]).current_dir(env.path());
    assert!(run_command(tar).status.success());
    env.write("col/a.txt", "changed after packing\n");
    let out = env.run(["verify", MANIFEST, "--archive", "col.tgz", "a.txt"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("\nok         a.txt\n1 sealed file: 1 ok,"),
        "{}",
        stdout(&out)
    );
}
