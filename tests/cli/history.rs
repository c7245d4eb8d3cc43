//! History: `seal --previous` (sequence, previous, provenance carried over, drops refused),
//! `seal --expires` and expired manifests, `verify --state` and `--since` (rollback,
//! equivocation), `log` (a chain and a broken link) and `diff`, through the real binary with keys
//! made by `docseal keygen`.

use std::process::Command;

use crate::schema::{DiffReport, LogReport, SignatureStatus, parse_json};
use crate::util::*;

/// The SHA-256 of a manifest's signed message: its manifest digest.
fn manifest_digest(text: &str) -> String {
    let mut message = b"docseal-manifest-v1\n".to_vec();
    message.extend_from_slice(body(text).as_bytes());
    docseal::digest::Sha256Digest::of(&message).to_hex()
}

/// Signs the (edited) manifest at `rel` again with key "k".
fn resign(env: &TestEnv, rel: &str) {
    env.resign_at(rel);
}

/// Runs `docseal seal col --key k ARGS`.
fn seal(env: &TestEnv, args: &[&str]) -> std::process::Output {
    let mut all = vec!["seal", "col", "--key", "k"];
    all.extend_from_slice(args);
    env.run(all)
}

/// The five lines of the `[[file]]` table of `path` in a manifest's text.
fn entry<'a>(text: &'a str, path: &str) -> Vec<&'a str> {
    let start = text
        .find(&format!("path = \"{path}\"\n"))
        .unwrap_or_else(|| panic!("no entry {path} in\n{text}"));
    text[start..].lines().take(5).collect()
}

fn origin_and_time<'a>(text: &'a str, path: &str) -> (&'a str, &'a str) {
    let e = entry(text, path);
    (e[3], e[4])
}

/// The standard fixture, resealed with no change as sequence 2 (`manifests/col.2.toml`).
fn two_in_a_chain() -> TestEnv {
    let env = TestEnv::sealed();
    let out = seal(
        &env,
        &["--previous", MANIFEST, "-o", "manifests/col.2.toml"],
    );
    assert_ok(&out);
    env
}

#[test]
fn a_reseal_with_previous_is_the_next_in_the_chain_and_keeps_unchanged_files_provenance() {
    let env = TestEnv::sealed();
    let first = env.read(MANIFEST);
    // A new file with a source of its own, a file moved, a file removed.
    env.write("col/d.txt", "delta\n");
    std::fs::rename(env.join("col/b.txt"), env.join("col/b2.txt")).unwrap();
    std::fs::remove_file(env.join("col/sub/c.txt")).unwrap();
    env.write(
        "new.toml",
        "[[source]]\npath = \"d.txt\"\nurl = \"https://example.org/d\"\nretrieved = \"2025-01-02T03:04:05Z\"\n",
    );
    let out = seal(
        &env,
        &[
            "--sources",
            "new.toml",
            "--previous",
            MANIFEST,
            "-o",
            "manifests/col.2.toml",
        ],
    );
    assert_ok(&out);
    assert_stdout_line_starts(
        &out,
        "sequence 2, after manifests/col.toml; provenance of 2 unchanged files carried over",
    );
    let second = env.read("manifests/col.2.toml");
    assert!(body(&second).contains(&format!(
        "\nsequence = 2\nprevious = \"{}\"\n",
        manifest_digest(&first)
    )));
    assert_eq!(
        origin_and_time(&second, "a.txt"),
        (
            "origin = \"https://example.org/a\"",
            "retrieved = \"2024-09-30T12:00:00Z\""
        )
    );
    // Moved: the same bytes, so the same origin.
    assert_eq!(
        origin_and_time(&second, "b2.txt"),
        (
            "origin = \"https://example.org/b\"",
            "retrieved = \"2024-10-01T08:30:00Z\""
        )
    );
    assert_eq!(
        origin_and_time(&second, "d.txt"),
        (
            "origin = \"https://example.org/d\"",
            "retrieved = \"2025-01-02T03:04:05Z\""
        )
    );
    assert_ok(&env.run(["verify", "manifests/col.2.toml", "-q"]));
}

#[test]
fn the_sources_list_wins_over_carried_provenance_and_says_so() {
    let env = TestEnv::sealed();
    env.write(
        "new.toml",
        "[[source]]\npath = \"a.txt\"\nurl = \"https://example.org/a-mirror\"\nretrieved = \"2025-01-01T00:00:00Z\"\n",
    );
    let out = seal(
        &env,
        &[
            "--sources",
            "new.toml",
            "--previous",
            MANIFEST,
            "-o",
            "m2.toml",
        ],
    );
    assert_fails(
        &out,
        0,
        "docseal: note: the sources list replaced the recorded provenance of a.txt",
    );
    let text = env.read("m2.toml");
    assert_eq!(
        origin_and_time(&text, "a.txt").0,
        "origin = \"https://example.org/a-mirror\""
    );
    assert_eq!(
        origin_and_time(&text, "b.txt").0,
        "origin = \"https://example.org/b\""
    );
}

#[test]
fn a_reseal_that_would_drop_provenance_is_refused_unless_drop_provenance() {
    let env = TestEnv::sealed();
    env.write("col/a.txt", "alpha, edited\n");
    env.write("col/b.txt", "bravo, edited\n");
    let args = [
        "seal",
        "col",
        "--key",
        "k",
        "--previous",
        MANIFEST,
        "-o",
        "m2.toml",
    ];
    let out = env.run(args);
    assert_bad_input(
        &out,
        "manifests/col.toml: resealing would drop the recorded provenance of 2 files whose content changed",
        "\"a.txt\", \"b.txt\"; add them to the sources list, or pass --drop-provenance",
    );
    assert!(!env.exists("m2.toml"));
    assert!(env.stray_temp_files().is_empty());
    let mut with = args.to_vec();
    with.push("--drop-provenance");
    let out = env.run(&with);
    assert_fails(
        &out,
        0,
        "docseal: warning: dropped the recorded provenance of a.txt",
    );
    assert!(stderr(&out).contains("docseal: warning: dropped the recorded provenance of b.txt"));
    assert_stdout_line_starts(
        &out,
        "dropped the recorded provenance of 2 files whose content changed (--drop-provenance)",
    );
    let text = env.read("m2.toml");
    assert_eq!(
        origin_and_time(&text, "a.txt"),
        ("origin = \"unknown\"", "retrieved = \"unknown\"")
    );
}

#[test]
fn many_drops_are_named_by_the_first_five_and_a_count() {
    let env = TestEnv::new();
    env.keygen("k");
    let mut sources = String::new();
    for i in 0..8 {
        env.write(format!("col/f{i}.txt"), format!("{i}\n"));
        sources.push_str(&format!(
            "[[source]]\npath = \"f{i}.txt\"\nurl = \"https://example.org/{i}\"\nretrieved = \"unknown\"\n"
        ));
    }
    env.write("s.toml", sources);
    assert_ok(&seal(&env, &["--sources", "s.toml", "-o", "m1.toml"]));
    for i in 0..8 {
        env.write(format!("col/f{i}.txt"), format!("{i} edited\n"));
    }
    let out = seal(&env, &["--previous", "m1.toml", "-o", "m2.toml"]);
    assert_fails(
        &out,
        2,
        "of 8 files whose content changed and that the sources list does not name: \"f0.txt\", \"f1.txt\", \"f2.txt\", \"f3.txt\", \"f4.txt\" and 3 more;",
    );
}

#[test]
fn previous_whose_signature_does_not_verify_is_refused() {
    let env = TestEnv::sealed();
    let mut edited = env.read(MANIFEST);
    edited = edited.replacen("tool = \"docseal", "tool = \"xdocseal", 1);
    env.write("forged.toml", &edited);
    let out = seal(&env, &["--previous", "forged.toml", "-o", "m2.toml"]);
    assert_bad_input(
        &out,
        "forged.toml: the --previous manifest's signature is invalid",
        "so nothing is taken from it",
    );
    env.keygen("other");
    let out = seal(
        &env,
        &[
            "--previous",
            MANIFEST,
            "--trust",
            "keys/other.pub",
            "-o",
            "m2.toml",
        ],
    );
    assert_bad_input(
        &out,
        "manifests/col.toml: the --previous manifest's signature is untrusted",
        "pass a manifest that `docseal verify` accepts",
    );
    assert!(!env.exists("m2.toml"));
}

#[test]
fn previous_of_another_collection_is_refused() {
    let env = TestEnv::sealed();
    let out = seal(
        &env,
        &["--previous", MANIFEST, "--name", "other", "-o", "m2.toml"],
    );
    assert_bad_input(
        &out,
        "manifests/col.toml: is a manifest of collection \"col\", not \"other\"",
        "leave out --name",
    );
}

#[test]
fn state_catches_rollback_and_equivocation_and_records_newer_manifests() {
    let env = two_in_a_chain();
    let args = |m: &'static str| ["verify", m, "--state", "state.toml", "-q"];
    // First use: the state is created.
    assert_ok(&env.run(args(MANIFEST)));
    let state = env.read("state.toml");
    assert!(state.contains("type = \"docseal-state\""), "{state}");
    assert!(state.contains("sequence = 1\n"), "{state}");
    // Newer: passes and updates.
    assert_ok(&env.run(args("manifests/col.2.toml")));
    let state = env.read("state.toml");
    assert!(state.contains("sequence = 2\n"), "{state}");
    // Back to the older one: rollback, both numbers, and the state is left as it was.
    let out = env.run(args(MANIFEST));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(
            "manifest   rollback: this manifest is sequence 1, older than sequence 2 seen in the state file state.toml"
        ),
        "{}",
        stdout(&out)
    );
    assert_eq!(env.read("state.toml"), state);
    // Another manifest for sequence 2.
    let out = seal(
        &env,
        &[
            "--previous",
            MANIFEST,
            "--expires",
            "30d",
            "-o",
            "manifests/col.2b.toml",
        ],
    );
    assert_ok(&out);
    let out = env.run(args("manifests/col.2b.toml"));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("manifest   two different manifests signed for sequence 2: this one"),
        "{}",
        stdout(&out)
    );
    assert_eq!(env.read("state.toml"), state);
    // The same manifest again is fine.
    assert_ok(&env.run(args("manifests/col.2.toml")));
    // The JSON report carries the problem too.
    let (out, report) = env.verify_json(&[MANIFEST, "--state", "state.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!report.success);
    assert!(report.manifest_problems[0].starts_with("rollback: "));
}

#[test]
fn a_state_file_that_is_not_one_is_a_clear_error_and_never_waited_on() {
    let env = TestEnv::sealed();
    env.write("garbage.toml", "this is = not [toml\n");
    let out = env.run(["verify", MANIFEST, "--state", "garbage.toml"]);
    assert_bad_input(
        &out,
        "garbage.toml:1:",
        "pass --state a file that docseal verify --state wrote",
    );
    env.write("key.toml", env.read("keys/k.pub"));
    let out = env.run(["verify", MANIFEST, "--state", "key.toml"]);
    assert_bad_input(&out, "key.toml:", "unknown field");
    let out = env.run(["verify", MANIFEST, "--state", "nowhere/state.toml"]);
    assert_bad_input(
        &out,
        "nowhere/state.toml: state file not found, and its folder nowhere does not exist",
        "create the folder first",
    );
    std::fs::create_dir(env.join("folder")).unwrap();
    let out = env.run(["verify", MANIFEST, "--state", "folder"]);
    assert_fails(&out, 2, "folder");
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    let fifo = env.join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let out = env.run(["verify", MANIFEST, "--state", "fifo"]);
    assert_fails(&out, 2, "fifo");
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn since_catches_rollback_and_equivocation_against_one_trusted_manifest() {
    let env = two_in_a_chain();
    assert_ok(&env.run(["verify", "manifests/col.2.toml", "--since", MANIFEST, "-q"]));
    let out = env.run(["verify", MANIFEST, "--since", "manifests/col.2.toml", "-q"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(
            "rollback: this manifest is sequence 1, older than sequence 2 seen in the --since manifest manifests/col.2.toml"
        ),
        "{}",
        stdout(&out)
    );
    assert_ok(&seal(
        &env,
        &[
            "--previous",
            MANIFEST,
            "--expires",
            "30d",
            "-o",
            "manifests/col.2b.toml",
        ],
    ));
    let out = env.run([
        "verify",
        "manifests/col.2b.toml",
        "--since",
        "manifests/col.2.toml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("two different manifests signed for sequence 2"));
    // A manifest of another collection is no reference for this one.
    assert_ok(&seal(&env, &["--name", "other", "-o", "other.toml"]));
    let out = env.run(["verify", MANIFEST, "--since", "other.toml"]);
    assert_bad_input(
        &out,
        "other.toml: is a manifest of collection \"other\", and the manifest verified is of \"col\"",
        "pass a manifest of the same collection to --since",
    );
    // A --since manifest that does not verify is not a reference.
    let forged = env
        .read(MANIFEST)
        .replacen("tool = \"docseal", "tool = \"x", 1);
    env.write("forged.toml", forged);
    let out = env.run(["verify", "manifests/col.2.toml", "--since", "forged.toml"]);
    assert_bad_input(
        &out,
        "forged.toml: the --since manifest's signature is invalid",
        "",
    );
}

#[test]
fn an_expired_manifest_fails_unless_allow_expired() {
    let env = TestEnv::sealed();
    env.edit(
        MANIFEST,
        "sequence = 1\n",
        "sequence = 1\nexpires = \"2020-01-01T00:00:00Z\"\n",
    );
    resign(&env, MANIFEST);
    let out = env.run(["verify", MANIFEST, "-q"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("manifest   expired: this manifest expired at 2020-01-01T00:00:00Z"),
        "{}",
        stdout(&out)
    );
    assert_ok(&env.run(["verify", MANIFEST, "-q", "--allow-expired"]));
    let out = env.run(["show", MANIFEST]);
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l == "expires     2020-01-01T00:00:00Z")
    );
    // Accepted with --allow-expired, it is recorded, and still rejects an older manifest.
    env.edit(MANIFEST, "sequence = 1\n", "sequence = 2\n");
    resign(&env, MANIFEST);
    assert_ok(&env.run([
        "verify",
        MANIFEST,
        "-q",
        "--allow-expired",
        "--state",
        "kept.toml",
    ]));
    env.edit(MANIFEST, "sequence = 2\n", "sequence = 1\n");
    resign(&env, MANIFEST);
    let out = env.run([
        "verify",
        MANIFEST,
        "-q",
        "--allow-expired",
        "--state",
        "kept.toml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("rollback: this manifest is sequence 1, older than sequence 2"));
    // Not recorded in a state while it fails.
    let out = env.run(["verify", MANIFEST, "-q", "--state", "s.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!env.exists("s.toml"));
}

#[test]
fn seal_expires_writes_a_signed_expiry_and_refuses_a_bad_one() {
    let env = TestEnv::sealed();
    let out = seal(&env, &["--expires", "90d", "-o", "m2.toml"]);
    assert_ok(&out);
    assert_stdout_line_starts(&out, "expires 20");
    assert!(env.read("m2.toml").contains("\nexpires = \"20"));
    assert_ok(&env.run(["verify", "m2.toml", "-q"]));
    for (bad, says) in [
        ("soon", "is not a duration or a time"),
        ("2020-01-01T00:00:00Z", "is not in the future"),
    ] {
        let out = seal(&env, &["--expires", bad, "-o", "m3.toml"]);
        assert_bad_input(&out, "--expires: ", says);
    }
    assert!(!env.exists("m3.toml"));
}

#[test]
fn expires_in_a_version_1_manifest_is_an_unknown_field_and_version_1_still_reads() {
    let env = TestEnv::sealed();
    env.edit(MANIFEST, "format_version = 3\n", "format_version = 1\n");
    resign(&env, MANIFEST);
    assert_ok(&env.run(["verify", MANIFEST, "-q"]));
    env.edit(
        MANIFEST,
        "sequence = 1\n",
        "sequence = 1\nexpires = \"2030-01-01T00:00:00Z\"\n",
    );
    resign(&env, MANIFEST);
    let line = line_of(&env.read(MANIFEST), "expires = ");
    assert_bad_input(
        &env.run(["verify", MANIFEST]),
        &format!("{MANIFEST}:{line}: unknown field \"expires\" in a format_version = 1 manifest"),
        "a version-1 manifest cannot hold it",
    );
}

/// Three manifests in a chain: `c1`, `c2`, `c3` in `manifests/`.
fn three_in_a_chain() -> TestEnv {
    let env = TestEnv::sealed();
    std::fs::rename(env.join(MANIFEST), env.join("manifests/c1.toml")).unwrap();
    env.write("col/d.txt", "delta\n");
    assert_ok(&seal(
        &env,
        &["--previous", "manifests/c1.toml", "-o", "manifests/c2.toml"],
    ));
    env.write("col/e.txt", "echo\n");
    assert_ok(&seal(
        &env,
        &["--previous", "manifests/c2.toml", "-o", "manifests/c3.toml"],
    ));
    env
}

#[test]
fn log_shows_a_chain_in_sequence_order_and_names_a_broken_link() {
    let env = three_in_a_chain();
    let out = env.run([
        "log",
        "manifests/c3.toml",
        "manifests/c1.toml",
        "manifests/c2.toml",
    ]);
    assert_ok(&out);
    let text = stdout(&out);
    let at = |s: &str| {
        text.find(s)
            .unwrap_or_else(|| panic!("no {s:?} in\n{text}"))
    };
    assert!(at("sequence 1  manifests/c1.toml") < at("sequence 2  manifests/c2.toml"));
    assert!(at("sequence 2  manifests/c2.toml") < at("sequence 3  manifests/c3.toml"));
    assert!(text.contains("  files      5\n"), "{text}");
    assert!(text.contains("chain ok: 3 manifests"), "{text}");
    // c3 made to point elsewhere, and signed again: a broken link.
    let c3 = env.read("manifests/c3.toml");
    let wrong = "0".repeat(64);
    env.write(
        "manifests/c3.toml",
        c3.replacen(&manifest_digest(&env.read("manifests/c2.toml")), &wrong, 1),
    );
    resign(&env, "manifests/c3.toml");
    let out = env.run([
        "log",
        "manifests/c1.toml",
        "manifests/c2.toml",
        "manifests/c3.toml",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(&format!(
            "problem    broken link: manifests/c3.toml (sequence 3) says previous = {wrong}, but manifests/c2.toml (sequence 2) has manifest digest"
        )),
        "{}",
        stdout(&out)
    );
    let out = env.run([
        "log",
        "--json",
        "manifests/c1.toml",
        "manifests/c2.toml",
        "manifests/c3.toml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let log: LogReport = parse_json(&out);
    assert!(!log.chain_ok);
    assert_eq!(log.log_version, 1);
    assert_eq!(log.collection.as_deref(), Some("col"));
    let sequences: Vec<_> = log.manifests.iter().map(|m| m.sequence).collect();
    assert_eq!(sequences, [Some(1), Some(2), Some(3)]);
    assert_eq!(log.manifests[2].previous.as_deref(), Some(wrong.as_str()));
    assert_eq!(log.manifests[0].files, Some(3));
    assert_eq!(log.manifests[0].signature.signers[0].name, "k");
    assert_eq!(log.problems.len(), 1);
    assert!(log.problems[0].starts_with("broken link: "));
}

#[test]
fn log_names_a_gap_and_shows_an_untrusted_manifest_only_by_its_verdict() {
    let env = three_in_a_chain();
    let out = env.run(["log", "manifests/c1.toml", "manifests/c3.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("gap: no manifest given for sequence 2 between manifests/c1.toml")
    );
    env.keygen("other");
    let out = env.run([
        "seal",
        "col",
        "--key",
        "other",
        "-o",
        "manifests/foreign.toml",
    ]);
    assert_ok(&out);
    std::fs::remove_file(env.join("keys/other.pub")).unwrap();
    let out = env.run([
        "log",
        "manifests/c1.toml",
        "manifests/foreign.toml",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let log: LogReport = parse_json(&out);
    let foreign = &log.manifests[1];
    assert_eq!(foreign.manifest, "manifests/foreign.toml");
    assert_eq!(foreign.signature.status, SignatureStatus::Untrusted);
    assert_eq!(
        (
            foreign.sequence,
            &foreign.created,
            foreign.files,
            &foreign.root,
            &foreign.collection
        ),
        (None, &None, None, &None, &None)
    );
}

#[test]
fn diff_names_each_capture_and_warc_field_that_changed() {
    let env = TestEnv::sealed();
    let list = |etag: &str, warc: &str| {
        format!(
            "[[source]]\npath = \"a.txt\"\nurl = \"https://example.org/a\"\n\
             retrieved = \"2024-09-30T12:00:00Z\"\nhttp_status = 200\netag = '\"{etag}\"'\n{warc}"
        )
    };
    env.write("s1.toml", list("v1", ""));
    let warc = "warc_file = \"crawl.warc.gz\"\nwarc_record_id = \"<urn:uuid:1>\"\n\
                warc_date = \"2016-01\"\nwarc_verified = [\"block\"]\n";
    env.write("s2.toml", list("v2", warc));
    for (sources, out) in [("s1.toml", "m1.toml"), ("s2.toml", "m2.toml")] {
        assert_ok_with_warnings(&seal(&env, &["--sources", sources, "-o", out]));
    }
    let out = env.run(["diff", "m1.toml", "m2.toml"]);
    assert_ok(&out);
    let text = stdout(&out);
    let line = "provenance  a.txt: etag \"v1\" -> \"v2\"; warc file none -> crawl.warc.gz; \
                record none -> <urn:uuid:1>; warc date none -> 2016-01; digests none -> block";
    assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
    assert!(
        text.contains(
            "3 unchanged, 0 added, 0 removed, 0 changed, 0 moved, 1 with provenance changed"
        ),
        "{text}"
    );
    let out = env.run(["diff", "m1.toml", "m2.toml", "--json"]);
    let diff: DiffReport = parse_json(&out);
    let change = &diff.provenance_changed[0];
    let etag = |p: &crate::schema::Provenance| p.capture.as_ref().and_then(|c| c.etag.clone());
    assert_eq!(etag(&change.old).as_deref(), Some("\"v1\""));
    assert_eq!(etag(&change.new).as_deref(), Some("\"v2\""));
    assert!(change.old.warc.is_none());
    assert_eq!(
        change.new.warc.as_ref().map(|w| w.record_id.as_str()),
        Some("<urn:uuid:1>")
    );
    // The same capture twice is no change.
    let out = env.run(["diff", "m2.toml", "m2.toml", "--json"]);
    assert!(parse_json::<DiffReport>(&out).provenance_changed.is_empty());
}

#[test]
fn diff_lists_added_removed_changed_moved_and_provenance_changed() {
    let env = TestEnv::sealed();
    env.write("col/a.txt", "alpha, edited\n");
    std::fs::rename(env.join("col/b.txt"), env.join("col/b2.txt")).unwrap();
    std::fs::remove_file(env.join("col/sub/c.txt")).unwrap();
    env.write("col/d.txt", "delta\n");
    env.write(
        "new.toml",
        "[[source]]\npath = \"a.txt\"\nurl = \"https://example.org/a2\"\nretrieved = \"2025-01-01T00:00:00Z\"\n",
    );
    assert_ok_with_warnings(&seal(
        &env,
        &[
            "--sources",
            "new.toml",
            "--previous",
            MANIFEST,
            "-o",
            "m2.toml",
        ],
    ));
    let out = env.run(["diff", MANIFEST, "m2.toml"]);
    assert_ok(&out);
    let text = stdout(&out);
    for line in [
        "added       d.txt (6 bytes)",
        "removed     sub/c.txt",
        "moved       b.txt -> b2.txt",
        "provenance  a.txt: origin https://example.org/a -> https://example.org/a2; retrieved 2024-09-30T12:00:00Z -> 2025-01-01T00:00:00Z",
        "0 unchanged, 1 added, 1 removed, 1 changed, 1 moved, 1 with provenance changed",
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
    }
    assert!(
        text.contains("changed     a.txt (size 6 -> 14 bytes, sha256 "),
        "{text}"
    );
    let out = env.run(["diff", MANIFEST, "m2.toml", "--json"]);
    assert_ok(&out);
    let diff: DiffReport = parse_json(&out);
    assert_eq!(diff.diff_version, 1);
    assert!(diff.compared);
    assert_eq!((diff.old.sequence, diff.new.sequence), (Some(1), Some(2)));
    assert_eq!(diff.unchanged, 0);
    assert_eq!(diff.added.len(), 1);
    assert_eq!(diff.added[0].path, "d.txt");
    assert_eq!(diff.added[0].origin, None);
    assert_eq!(diff.removed.len(), 1);
    assert_eq!(diff.removed[0].path, "sub/c.txt");
    assert_eq!(diff.changed.len(), 1);
    assert_eq!(
        (diff.changed[0].old.size, diff.changed[0].new.size),
        (6, 14)
    );
    assert_eq!(diff.moved.len(), 1);
    assert_eq!(
        (diff.moved[0].from.as_str(), diff.moved[0].to.as_str()),
        ("b.txt", "b2.txt")
    );
    assert_eq!(diff.provenance_changed.len(), 1);
    let change = &diff.provenance_changed[0];
    assert_eq!(change.path, "a.txt");
    assert_eq!(change.moved_from, None);
    assert_eq!(change.old.origin.as_deref(), Some("https://example.org/a"));
    assert_eq!(change.new.origin.as_deref(), Some("https://example.org/a2"));
    assert_eq!(
        change.new.retrieved.as_deref(),
        Some("2025-01-01T00:00:00Z")
    );
    // A manifest that does not verify is not compared.
    let forged = env
        .read("m2.toml")
        .replacen("tool = \"docseal", "tool = \"x", 1);
    env.write("forged.toml", forged);
    let out = env.run(["diff", MANIFEST, "forged.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("new  forged.toml: signature invalid"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("added"), "{}", stdout(&out));
}
