/*!
What `verify` (and `show`, `cite`, `export`) require of a manifest's signers: `--threshold N`
distinct trusted keys, pinned `--signer`s, `--expect-name`; every signature listed with its
verdict in the human and JSON reports; and the attack pinning stops — a key committed into
`keys/` that reseals a tampered collection.
*/

use crate::schema::{KeyStatus, SignatureStatus};
use crate::util::*;

/// Appends a signature by the key `name` (its secret in the default place) to [`MANIFEST`],
/// as a co-signer would: the body is not touched.
pub fn cosign(env: &TestEnv, name: &str) {
    let text = env.read(MANIFEST);
    let key = docseal::trust::SecretKey::load(&env.default_secret(name)).unwrap();
    let signature = sign_body(&key, body(&text));
    let block = docseal::manifest::canonical::signature_block(&signature);
    env.write(MANIFEST, format!("{text}\n{block}"));
}

/// A key made by keygen whose public half is NOT in `keys/` (so it is not trusted).
fn stranger(env: &TestEnv, name: &str) {
    assert_ok(&env.run([
        "keygen",
        "--name",
        name,
        "--keys-dir",
        "elsewhere",
        "--unencrypted",
    ]));
}

/// The key ID in the public key file `public`.
pub fn id_of(env: &TestEnv, public: &str) -> String {
    key_id_in(&env.read(public))
}

#[test]
fn a_threshold_of_two_is_met_by_two_distinct_trusted_keys() {
    let env = TestEnv::sealed();
    env.keygen("auditor");
    cosign(&env, "auditor");
    let out = env.run(["verify", MANIFEST, "--threshold", "2"]);
    assert_ok(&out);
    let (out, report) = env.verify_json(&[MANIFEST, "--threshold", "2"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(report.signature.status, SignatureStatus::Valid);
    assert_eq!(report.signature.signers.len(), 2);
    assert_eq!(report.signature.required.threshold, 2);
}

#[test]
fn a_threshold_not_met_says_how_many_distinct_keys_signed_and_how_many_are_required() {
    let env = TestEnv::sealed();
    env.keygen("auditor");
    let id = id_of(&env, "keys/k.pub");
    let out = env.run(["verify", MANIFEST, "--threshold", "2"]);
    assert_verify_fails(
        &out,
        &[
            &format!(
                "signature  NOT ACCEPTED: 1 distinct trusted key signed validly, and --threshold requires 2; the valid signatures are by \"k\" (key {id})"
            ),
            "files not checked: the manifest's signature cannot be trusted",
        ],
    );
    let (_, report) = env.verify_json(&[MANIFEST, "--threshold", "2"]);
    assert_eq!(report.signature.status, SignatureStatus::Unmet);
    assert!(!report.files_checked);
    assert_eq!(
        report.signature.unmet,
        ["1 distinct trusted key signed validly, and --threshold requires 2"]
    );
    // More than there are trusted keys can never be met: that is a mistake in the command.
    let out = env.run(["verify", MANIFEST, "--threshold", "3"]);
    assert_bad_input(
        &out,
        "--threshold 3 can never be met: only 2 keys are trusted",
        "trust more keys or lower the threshold",
    );
    let out = env.run(["verify", MANIFEST, "--threshold", "0"]);
    assert_fails(&out, 2, "--threshold");
}

#[test]
fn one_key_never_counts_twice_toward_a_threshold() {
    // Trusted under two file names: the trust store is refused.
    let env = TestEnv::sealed();
    let genuine = env.read("keys/k.pub");
    env.write("keys/k-again.pub", genuine.replace("\"k\"", "\"k2\""));
    let id = key_id_in(&genuine);
    let out = env.run(["verify", MANIFEST, "--threshold", "2"]);
    assert_error_is(
        &out,
        &format!(
            "keys/k.pub: holds the same key (key ID {id}) as keys/k-again.pub; trust each key through one file, so that its name is not a choice: remove one of the two"
        ),
    );
    // Listed twice in the signature block: the manifest is refused as malformed.
    let env = TestEnv::sealed();
    env.keygen("auditor");
    let text = env.read(MANIFEST);
    let block = signature_block(&text).to_string();
    env.write(MANIFEST, format!("{text}\n{block}"));
    let out = env.run(["verify", MANIFEST, "--threshold", "2"]);
    assert_bad_input(
        &out,
        &format!("{MANIFEST}:"),
        &format!(
            "a second signature by key {id}",
            id = id_of(&env, "keys/k.pub")
        ),
    );
}

#[test]
fn an_untrusted_extra_signature_is_listed_as_untrusted_and_ignored() {
    let env = TestEnv::sealed();
    stranger(&env, "stranger");
    cosign(&env, "stranger");
    let id = id_of(&env, "keys/k.pub");
    let other = id_of(&env, "elsewhere/stranger.pub");
    let out = env.run(["verify", MANIFEST]);
    assert_ok(&out);
    let text = stdout(&out);
    for line in [
        format!("key        {id} valid: \"k\" from keys/k.pub"),
        format!("key        {other} untrusted (ignored): no trusted key file holds this key"),
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
    }
    let out = env.run(["show", MANIFEST]);
    assert_ok(&out);
    assert_stdout_line_starts(
        &out,
        &format!("key         {other} untrusted (ignored): no trusted key file holds this key"),
    );
    // It never counts toward a threshold.
    env.keygen("auditor");
    let out = env.run(["verify", MANIFEST, "--threshold", "2"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));

    let (_, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(report.signature.status, SignatureStatus::Valid);
    let listed: Vec<_> = report
        .signature
        .signatures
        .iter()
        .map(|s| {
            (
                s.key_id.as_str(),
                s.status,
                s.name.as_deref(),
                s.key_file.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (id.as_str(), KeyStatus::Valid, Some("k"), Some("keys/k.pub")),
            (other.as_str(), KeyStatus::Untrusted, None, None),
        ]
    );
    assert_eq!(report.signature.untrusted, [other]);
}

#[test]
fn a_pinned_signer_is_found_by_key_id_or_by_name_and_must_have_signed() {
    let env = TestEnv::sealed();
    env.keygen("auditor");
    let id = id_of(&env, "keys/k.pub");
    let auditor = id_of(&env, "keys/auditor.pub");
    assert_ok(&env.run(["verify", MANIFEST, "--signer", "k"]));
    assert_ok(&env.run(["verify", MANIFEST, "--signer", &id]));
    for pinned in ["auditor", auditor.as_str()] {
        let out = env.run(["verify", MANIFEST, "--signer", "k", "--signer", pinned]);
        assert_verify_fails(
            &out,
            &[&format!(
                "signature  NOT ACCEPTED: the required signer \"auditor\" (key {auditor}, --signer) did not sign; the valid signatures are by \"k\" (key {id})"
            )],
        );
    }
    cosign(&env, "auditor");
    assert_ok(&env.run(["verify", MANIFEST, "--signer", "k", "--signer", "auditor"]));
    let (_, report) = env.verify_json(&[MANIFEST, "--signer", "auditor"]);
    assert_eq!(report.signature.required.signers.len(), 1);
    assert_eq!(report.signature.required.signers[0].key_id, auditor);
}

#[test]
fn a_signer_that_is_not_trusted_or_whose_name_two_keys_carry_is_an_error() {
    let env = TestEnv::sealed();
    let id = id_of(&env, "keys/k.pub");
    let out = env.run(["verify", MANIFEST, "--signer", "nobody"]);
    assert_error_is(
        &out,
        &format!(
            "--signer nobody: not among the trusted keys (\"k\" (key {id}, keys/k.pub)); name a trusted key by its key ID or the name in its .pub file, or trust its key file"
        ),
    );
    // A key ID that is well formed but not trusted is the same mistake.
    let out = env.run(["verify", MANIFEST, "--signer", "0123456789abcdef"]);
    assert_fails(&out, 2, "not among the trusted keys");
    // A second trusted key that carries the name "k".
    stranger(&env, "k2");
    env.write(
        "keys/k-other.pub",
        env.read("elsewhere/k2.pub").replace("\"k2\"", "\"k\""),
    );
    let out = env.run(["verify", MANIFEST, "--signer", "k"]);
    assert_bad_input(
        &out,
        "--signer k: 2 trusted keys carry that name",
        "pin the signer by its key ID",
    );
    assert_ok(&env.run(["verify", MANIFEST, "--signer", &id]));
}

#[test]
fn a_key_committed_into_keys_reseals_a_tampered_collection_and_only_a_pinned_signer_catches_it() {
    let env = TestEnv::sealed();
    let id = id_of(&env, "keys/k.pub");
    // The pull request: a key of its own in keys/, a changed file, the manifest resealed.
    env.keygen("mallory");
    env.write("col/a.txt", "tampered\n");
    assert_ok_with_warnings(&env.run([
        "seal",
        "col",
        "--key",
        "mallory",
        "--sources",
        "sources.toml",
        "--force",
    ]));
    // Every key in keys/ is trusted, so it verifies...
    assert_ok(&env.run(["verify", MANIFEST]));
    // ...unless the signer is pinned.
    let mallory = id_of(&env, "keys/mallory.pub");
    for pinned in ["k", id.as_str()] {
        let out = env.run(["verify", MANIFEST, "--signer", pinned]);
        assert_verify_fails(
            &out,
            &[&format!(
                "signature  NOT ACCEPTED: the required signer \"k\" (key {id}, --signer) did not sign; the valid signatures are by \"mallory\" (key {mallory})"
            )],
        );
    }
    // A pull request that also puts its key into keys/k.pub under the name "k" fools a pin by
    // name, never a pin by key ID: which is why CI pins the key ID.
    let impostor = env.read("keys/mallory.pub").replace("\"mallory\"", "\"k\"");
    std::fs::remove_file(env.join("keys/mallory.pub")).unwrap();
    env.write("keys/k.pub", impostor);
    assert_ok(&env.run(["verify", MANIFEST, "--signer", "k"]));
    let out = env.run(["verify", MANIFEST, "--signer", &id]);
    assert_fails(
        &out,
        2,
        &format!("--signer {id}: not among the trusted keys"),
    );
}

#[test]
fn expect_name_fails_a_validly_signed_manifest_of_another_collection_naming_both() {
    let env = TestEnv::sealed();
    env.collection("other").file("x.txt", "x\n");
    assert_ok(&env.run(["seal", "other", "--key", "k"]));
    assert_ok(&env.run(["verify", MANIFEST, "--expect-name", "col"]));
    // The manifest of "other" put in place of col's.
    std::fs::copy(env.join("manifests/other.toml"), env.join(MANIFEST)).unwrap();
    let out = env.run(["verify", MANIFEST, "--expect-name", "col"]);
    let id = id_of(&env, "keys/k.pub");
    assert_verify_fails(
        &out,
        &[&format!(
            "signature  NOT ACCEPTED: the manifest is for the collection \"other\", not \"col\" (--expect-name); the valid signatures are by \"k\" (key {id})"
        )],
    );
    let (_, report) = env.verify_json(&[MANIFEST, "--expect-name", "col"]);
    assert_eq!(report.signature.status, SignatureStatus::Unmet);
    assert_eq!(report.signature.required.collection.as_deref(), Some("col"));
    assert_eq!(report.root, "", "the other collection is not looked up");
}

#[test]
fn show_cite_and_export_apply_the_same_requirements() {
    let env = TestEnv::sealed();
    env.keygen("auditor");
    let pin = ["--signer", "auditor"];
    let out = env.run([&["show", MANIFEST][..], &pin].concat());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_stdout_line_starts(
        &out,
        "signature   NOT ACCEPTED: the required signer \"auditor\"",
    );
    let out = env.run([&["cite", MANIFEST, "a.txt"][..], &pin].concat());
    assert_fails(&out, 1, "signature  NOT ACCEPTED: the required signer");
    assert_eq!(stdout(&out), "");
    let out = env.run([&["export", "sha256sum", MANIFEST][..], &pin].concat());
    assert_fails(&out, 1, "signature  NOT ACCEPTED: the required signer");
    assert_eq!(stdout(&out), "");
    let out = env.run(["show", MANIFEST, "--expect-name", "other"]);
    assert_eq!(out.status.code(), Some(1));
    // --no-verify checks nothing, so it takes no requirement.
    let out = env.run(["show", "--no-verify", MANIFEST, "--signer", "k"]);
    assert_fails(&out, 2, "cannot be used with");
    // And all of them pass once the requirement is met.
    cosign(&env, "auditor");
    assert_ok(&env.run([&["show", MANIFEST][..], &pin].concat()));
    assert_ok(&env.run([&["cite", MANIFEST, "a.txt"][..], &pin].concat()));
    assert_ok(&env.run([&["export", "sha256sum", MANIFEST][..], &pin].concat()));
}

#[test]
fn the_ci_reports_give_a_requirement_not_met_as_a_problem() {
    let env = TestEnv::sealed();
    env.keygen("auditor");
    let out = env.run(["verify", MANIFEST, "--threshold", "2", "--format", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    let xml = stdout(&out);
    assert!(
        xml.contains("type=\"signature\"")
            && xml.contains(
                "1 distinct trusted key signed validly, and --threshold requires 2; files not checked"
            ),
        "{xml}"
    );
    let out = env.run([
        "verify", MANIFEST, "--signer", "auditor", "--format", "github",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.lines().any(|l| l.starts_with("::error ")
            && l.contains("title=docseal%3A signature::NOT ACCEPTED: the required signer")),
        "{text}"
    );
}
