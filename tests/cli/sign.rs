/*!
`docseal sign`: a second signature appended to a sealed manifest without one signed byte
changing, refused for a manifest that does not parse or that the key already signed, and with
`--verify-first` only for a manifest whose signature and files verify.
*/

use crate::util::*;

/// The standard sealed fixture (key "k") and a second key, "auditor", both trusted in `keys/`.
fn with_auditor() -> TestEnv {
    let env = TestEnv::sealed();
    env.keygen("auditor");
    env
}

#[test]
fn sign_adds_a_second_signer_and_verify_counts_both() {
    let env = with_auditor();
    let before = env.read(MANIFEST);
    let out = env.run(["sign", MANIFEST, "--key", "auditor"]);
    assert_ok(&out);
    assert_stdout_line_starts(&out, "signatures  2 (the signed body is unchanged)");
    let after = env.read(MANIFEST);
    assert_eq!(body(&after), body(&before), "the signed body changed");
    assert!(
        after.starts_with(&before),
        "the old signature block changed"
    );
    assert_eq!(after.matches("[[signature]]\n").count(), 2);
    assert!(env.stray_temp_files().is_empty());
    let (out, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let mut names: Vec<&str> = report
        .signature
        .signers
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    names.sort();
    assert_eq!(names, ["auditor", "k"]);
}

#[test]
fn a_second_signature_by_the_same_key_is_refused_and_nothing_is_written() {
    let env = with_auditor();
    assert_ok(&env.run(["sign", MANIFEST, "--key", "auditor"]));
    let signed = env.read(MANIFEST);
    let out = env.run(["sign", MANIFEST, "--key", "auditor"]);
    assert_bad_input(
        &out,
        "manifests/col.toml: is already signed by key \"auditor\"",
        "a key signs a manifest once, so nothing was written",
    );
    let out = env.run(["sign", MANIFEST, "--key", "k"]);
    assert_fails(&out, 2, "is already signed by key \"k\"");
    assert_eq!(env.read(MANIFEST), signed);
    assert!(env.stray_temp_files().is_empty());
}

#[test]
fn a_manifest_that_does_not_parse_is_refused_before_the_key_is_read() {
    let env = with_auditor();
    env.edit(
        MANIFEST,
        "digest_algorithm = \"sha256\"",
        "digest_algorithm = \"sha265\"",
    );
    let broken = env.read(MANIFEST);
    // The key named does not even exist: the manifest is refused first.
    let out = env.run(["sign", MANIFEST, "--key", "auditor"]);
    assert_fails(&out, 2, "manifests/col.toml:");
    assert_eq!(env.read(MANIFEST), broken);
    assert!(env.stray_temp_files().is_empty());
    env.write("notes.toml", "just = \"a table\"\n");
    let out = env.run(["sign", "notes.toml", "--key", "auditor"]);
    assert_fails(&out, 2, "notes.toml");
    assert_eq!(env.read("notes.toml"), "just = \"a table\"\n");
}

#[test]
fn verify_first_signs_only_a_manifest_whose_files_verify() {
    let env = with_auditor();
    let before = env.read(MANIFEST);
    env.write("col/a.txt", "tampered\n");
    let out = env.run(["sign", MANIFEST, "--key", "auditor", "--verify-first"]);
    assert_fails(
        &out,
        1,
        "did not verify, so it was not signed (nothing was written)",
    );
    assert!(
        stderr(&out).contains("modified   a.txt"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.read(MANIFEST), before);
    // Restored, it verifies and is signed.
    env.write("col/a.txt", "alpha\n");
    let out = env.run([
        "sign",
        MANIFEST,
        "--key",
        "auditor",
        "--verify-first",
        "--trust",
        "keys/k.pub",
    ]);
    assert_ok(&out);
    assert_stdout_line_starts(&out, "signed      manifests/col.toml  (verified first");
}

#[test]
fn verify_first_refuses_a_manifest_signed_by_no_trusted_key() {
    let env = with_auditor();
    let before = env.read(MANIFEST);
    let out = env.run([
        "sign",
        MANIFEST,
        "--key",
        "auditor",
        "--verify-first",
        "--trust",
        "keys/auditor.pub",
    ]);
    assert_fails(&out, 1, "did not verify");
    assert_eq!(env.read(MANIFEST), before);
}

#[test]
fn verify_first_applies_the_trust_policy_and_trust_options_need_it() {
    let env = with_auditor();
    let before = env.read(MANIFEST);
    // The manifest is signed by "k" only: pinning "auditor" as a required signer fails.
    let out = env.run([
        "sign",
        MANIFEST,
        "--key",
        "auditor",
        "--verify-first",
        "--signer",
        "auditor",
    ]);
    assert_fails(&out, 1, "did not verify");
    assert_eq!(env.read(MANIFEST), before);
    let out = env.run(["sign", MANIFEST, "--key", "auditor", "--signer", "k"]);
    assert_error_is(
        &out,
        "--trust, --revoked, --threshold, --signer and --expect-name say what --verify-first checks; add --verify-first",
    );
    let out = env.run([
        "sign",
        MANIFEST,
        "--key",
        "auditor",
        "--verify-first",
        "--signer",
        "k",
    ]);
    assert_ok(&out);
}

#[test]
fn an_encrypted_co_signing_key_needs_its_passphrase() {
    let env = TestEnv::sealed();
    env.write("pw.txt", "auditor's passphrase\n");
    assert_ok(&env.run(["keygen", "--name", "auditor", "--passphrase-file", "pw.txt"]));
    let before = env.read(MANIFEST);
    env.write("bad.txt", "nope\n");
    let out = env.run([
        "sign",
        MANIFEST,
        "--key",
        "auditor",
        "--passphrase-file",
        "bad.txt",
    ]);
    assert_fails(&out, 2, "wrong passphrase");
    assert_eq!(env.read(MANIFEST), before);
    let out = env.run([
        "sign",
        MANIFEST,
        "--key",
        "auditor",
        "--passphrase-file",
        "pw.txt",
    ]);
    assert_ok(&out);
    let (out, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(report.signature.signers.len(), 2);
}

#[test]
fn a_collection_rotates_to_a_new_key_by_a_manifest_both_keys_sign() {
    // The README's steps: seal the next manifest with the old key (--previous keeps the chain),
    // co-sign it with the new key, pin both, then retire the old key.
    let env = TestEnv::new();
    env.keygen("old");
    env.keygen("new");
    env.collection("col").file("a.txt", "alpha\n");
    std::fs::create_dir(env.join("manifests")).unwrap();
    assert_ok(&env.run(["seal", "col", "--key", "old", "-o", "manifests/col.1.toml"]));
    env.write("col/b.txt", "bravo\n");
    let out = env.run([
        "seal",
        "col",
        "--key",
        "old",
        "--previous",
        "manifests/col.1.toml",
        "-o",
        "manifests/col.2.toml",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        env.run(["sign", "manifests/col.2.toml", "--key", "new"])
            .status
            .success()
    );
    let old_id = key_id_in(&env.read("keys/old.pub"));
    let new_id = key_id_in(&env.read("keys/new.pub"));
    let pinned = |extra: &[&str]| {
        let mut args = vec![
            "verify",
            "manifests/col.2.toml",
            "--signer",
            &old_id,
            "--signer",
            &new_id,
        ];
        args.extend_from_slice(extra);
        env.run(args)
    };
    assert_ok(&pinned(&[]));
    // A verifier that already trusts only the new key accepts it, and the chain holds.
    assert_ok(&env.run(["verify", "manifests/col.2.toml", "--trust", "keys/new.pub"]));
    let log = env.run([
        "log",
        "manifests/col.1.toml",
        "manifests/col.2.toml",
        "--trust",
        "keys",
    ]);
    assert!(log.status.success(), "{}{}", stdout(&log), stderr(&log));
    // The old key retired: its signature no longer counts, the new key's carries the manifest.
    assert!(
        env.run(["revoke", "old", "--reason", "rotated"])
            .status
            .success(),
        "revoke"
    );
    assert_ok(&env.run(["verify", "manifests/col.2.toml", "--signer", &new_id]));
    let out = env.run(["verify", "manifests/col.1.toml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("REVOKED"), "{}", stdout(&out));
}
