/*!
`docseal revoke` and what verification does with a revocation: a revoked signer is rejected and
named (exit 1), a revoked co-signer leaves the others, `--revoked FILE` applies one from
elsewhere, a forged or malformed revocation is ignored with a warning naming the file, and
`revoke` never overwrites without `--force`.
*/

use crate::policy::{cosign, id_of};
use crate::schema::{KeyStatus, SignatureStatus};
use crate::util::*;

#[test]
fn a_manifest_whose_only_trusted_signer_is_revoked_fails_naming_the_key_and_the_revocation() {
    let env = TestEnv::sealed();
    let id = id_of(&env, "keys/k.pub");
    let out = env.run(["revoke", "k", "--reason", "laptop stolen"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("revocation  keys/k.revoked  (commit it"),
        "{}",
        stdout(&out)
    );
    let text = env.read("keys/k.revoked");
    assert!(text.contains("reason = \"laptop stolen\"\n"), "{text}");
    assert!(text.contains(&format!("key_id = \"{id}\"\n")), "{text}");

    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &[
            &format!(
                "signature  REVOKED: the key of \"k\" (key {id}) is revoked, and no other trusted key signed validly"
            ),
            &format!("key        {id} REVOKED: \"k\" from keys/k.pub; revoked by keys/k.revoked"),
            "files not checked: the manifest's signature cannot be trusted",
        ],
    );
    let (_, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(report.signature.status, SignatureStatus::Revoked);
    let entry = &report.signature.signatures[0];
    assert_eq!(entry.status, KeyStatus::Revoked);
    assert_eq!(entry.revocation.as_deref(), Some("keys/k.revoked"));
    assert_eq!(report.signature.revoked[0].key_id, id);
    // show and cite reject it the same way.
    let out = env.run(["show", MANIFEST]);
    assert_eq!(out.status.code(), Some(1));
    assert_stdout_line_starts(&out, "signature   REVOKED: the key of \"k\"");
    let out = env.run(["cite", MANIFEST, "a.txt"]);
    assert_fails(&out, 1, "signature  REVOKED");
    // Trusting the key through its own file finds the revocation beside it.
    let out = env.run(["verify", MANIFEST, "--trust", "keys/k.pub"]);
    assert_stdout_line_starts(&out, "signature  REVOKED");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_revoked_cosigner_leaves_the_other_signer_but_counts_for_no_threshold_or_pin() {
    let env = TestEnv::sealed();
    env.keygen("auditor");
    cosign(&env, "auditor");
    assert_ok(&env.run(["verify", MANIFEST, "--threshold", "2"]));
    assert_ok(&env.run(["revoke", "auditor"]));
    let auditor = id_of(&env, "keys/auditor.pub");
    let out = env.run(["verify", MANIFEST]);
    assert_ok(&out);
    assert!(
        stdout(&out).lines().any(|l| l
            == format!(
                "key        {auditor} REVOKED: \"auditor\" from keys/auditor.pub; revoked by keys/auditor.revoked"
            )),
        "{}",
        stdout(&out)
    );
    let out = env.run(["verify", MANIFEST, "--threshold", "2"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let out = env.run(["verify", MANIFEST, "--signer", "auditor"]);
    assert_stdout_line_starts(
        &out,
        &format!(
            "signature  NOT ACCEPTED: the required signer \"auditor\" (key {auditor}, --signer) signed, but its key is revoked"
        ),
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_revocation_kept_elsewhere_applies_when_named_with_revoked() {
    let env = TestEnv::sealed();
    assert_ok(&env.run(["revoke", "k", "-o", "elsewhere/k.revoked"]));
    assert_ok(&env.run(["verify", MANIFEST]));
    let out = env.run(["verify", MANIFEST, "--revoked", "elsewhere/k.revoked"]);
    assert_eq!(out.status.code(), Some(1));
    assert_stdout_line_starts(&out, "signature  REVOKED");
    // A revocation named that is not there is a mistake in the command.
    let out = env.run(["verify", MANIFEST, "--revoked", "elsewhere/none.revoked"]);
    assert_error_is(&out, "elsewhere/none.revoked: cannot read: not found");
}

#[test]
fn a_forged_or_malformed_revocation_is_ignored_with_a_warning_naming_the_file() {
    let env = TestEnv::sealed();
    let genuine = env.read("keys/k.pub");
    let id = key_id_in(&genuine);
    let public = genuine
        .lines()
        .find(|l| l.starts_with("public_key = "))
        .unwrap()
        .to_string();
    // Mallory, whose key is not trusted, signs a revocation naming k's key.
    assert_ok(&env.run([
        "keygen",
        "--name",
        "mallory",
        "--keys-dir",
        "elsewhere",
        "--unencrypted",
    ]));
    assert_ok(&env.run(["revoke", "mallory", "-o", "elsewhere/m.revoked"]));
    let mallory = id_of(&env, "elsewhere/mallory.pub");
    let forged: String = env
        .read("elsewhere/m.revoked")
        .lines()
        .map(|l| {
            if l.starts_with("key_id = ") {
                format!("key_id = \"{id}\"\n")
            } else if l.starts_with("public_key = ") {
                format!("{public}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    // Only the comment still names Mallory's key.
    assert!(
        forged
            .lines()
            .all(|l| l.starts_with('#') || !l.contains(&mallory)),
        "{forged}"
    );
    env.write("keys/k.revoked", &forged);
    env.write("keys/junk.revoked", "hello\n");
    let out = env.run(["verify", MANIFEST]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).lines().any(|l| l == "verified"),
        "{}",
        stdout(&out)
    );
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            "docseal: warning: keys/junk.revoked:1: key with no value, expected `=`; this is not a docseal revocation; this revocation is ignored"
                .to_string(),
            format!(
                "docseal: warning: keys/k.revoked: its signature does not verify under the key it revokes (key {id}): forged, or changed after it was made; this revocation is ignored"
            ),
        ],
        "{err}"
    );
    let (_, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(report.signature.status, SignatureStatus::Valid);
    assert_eq!(report.signature.warnings.len(), 2);
}

#[test]
fn revoke_never_overwrites_without_force_and_refuses_a_bad_reason() {
    let env = TestEnv::sealed();
    assert_ok(&env.run(["revoke", "k", "--reason", "first"]));
    let first = env.read("keys/k.revoked");
    let out = env.run(["revoke", "k", "--reason", "second"]);
    assert_error_is(
        &out,
        "keys/k.revoked: revocation already exists; pass --force to overwrite it",
    );
    assert_eq!(env.read("keys/k.revoked"), first);
    assert_ok(&env.run(["revoke", "k", "--reason", "second", "--force"]));
    assert!(env.read("keys/k.revoked").contains("reason = \"second\""));

    let out = env.run(["revoke", "k", "--reason", "two\nlines", "-o", "x.revoked"]);
    assert_error_is(
        &out,
        "--reason: a revocation reason is one line without control characters",
    );
    env.assert_nothing_written("x.revoked");
    let out = env.run(["revoke", "nobody"]);
    assert_fails(&out, 2, "nobody");
    env.assert_nothing_written("keys/nobody.revoked");
}
