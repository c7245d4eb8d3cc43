/*!
Tampering: every change to a sealed collection or to its manifest makes `verify` exit 1 and say
what changed — a file modified, truncated, deleted, added or renamed; any byte of the signed
manifest body; the signature swapped, made by an untrusted key or removed.
*/

use crate::schema::{FileStatus, SignatureStatus};
use crate::util::*;

const SUMMARY_OK: &str = "3 sealed files: 3 ok, 0 modified, 0 moved, 0 missing, 0 unreadable; 0 extra; 1 lacking provenance";

/// Asserts that `verify` rejects the (edited) manifest because its signature by "k" no longer
/// matches, without checking any file.
fn assert_signature_invalid(env: &TestEnv) {
    let id = key_id_in(&env.read("keys/k.pub"));
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &[
            &format!(
                "signature  INVALID: a signature claiming key \"k\" (key {id}) does not verify: the manifest was changed after it was signed, or the signature was"
            ),
            "files not checked: the manifest's signature cannot be trusted",
        ],
    );
    assert!(
        !stdout(&out).contains("ok         "),
        "files were reported although the signature is invalid:\n{}",
        stdout(&out)
    );
    let (out, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report.signature.status, SignatureStatus::Invalid);
    assert_eq!(report.signature.invalid.len(), 1);
    assert_eq!(report.signature.invalid[0].key_id, id);
    assert!(report.signature.signers.is_empty());
    assert!(!report.files_checked);
    assert!(report.files.is_empty());
    assert!(!report.success);
}

// --- the collection changed -------------------------------------------------------------------

#[test]
fn one_changed_byte_in_a_file_is_reported_as_modified() {
    let env = TestEnv::sealed();
    env.write("col/a.txt", "alphA\n");
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &[
            "3 sealed files: 2 ok, 1 modified, 0 moved, 0 missing, 0 unreadable; 0 extra; 1 lacking provenance",
        ],
    );
    assert_stdout_line_starts(
        &out,
        "modified   a.txt: content changed (same size, sha256 b6a98d9ce9a2 -> ",
    );
    let (_, report) = env.verify_json(&[MANIFEST]);
    let a = report.file("a.txt");
    assert_eq!(a.status, FileStatus::Modified);
    assert_eq!(a.actual.as_ref().unwrap().size, 6);
    assert_ne!(a.actual, a.expected);
}

#[test]
fn a_truncated_file_is_reported_as_modified_with_both_sizes_without_being_read() {
    let env = TestEnv::sealed();
    env.write("col/b.txt", "bravo");
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &["modified   b.txt: content changed (size 12 -> 5 bytes; not read, the size shows it)"],
    );
}

#[test]
fn a_file_changed_within_its_size_is_reported_with_both_digests() {
    let env = TestEnv::sealed();
    env.write("col/b.txt", "bravo BRAVO\n");
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(&out, &[]);
    assert_stdout_line_starts(
        &out,
        "modified   b.txt: content changed (same size, sha256 d0eaa02c3a91 -> ",
    );
}

#[test]
fn a_file_truncated_to_nothing_is_reported_as_modified() {
    let env = TestEnv::sealed();
    env.write("col/b.txt", "");
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &["modified   b.txt: content changed (size 12 -> 0 bytes; not read, the size shows it)"],
    );
}

#[test]
fn a_deleted_file_is_reported_as_missing() {
    let env = TestEnv::sealed();
    std::fs::remove_file(env.join("col/sub/c.txt")).unwrap();
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &[
            "ok         a.txt",
            "missing    sub/c.txt",
            "3 sealed files: 2 ok, 0 modified, 0 moved, 1 missing, 0 unreadable; 0 extra; 1 lacking provenance",
        ],
    );
}

#[test]
fn an_added_file_is_reported_as_extra() {
    let env = TestEnv::sealed();
    env.write("col/sub/new.txt", "new\n");
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &[
            "extra      sub/new.txt: not in the manifest",
            "3 sealed files: 3 ok, 0 modified, 0 moved, 0 missing, 0 unreadable; 1 extra; 1 lacking provenance",
        ],
    );
}

#[test]
fn a_renamed_file_is_reported_as_moved_from_its_sealed_path() {
    let env = TestEnv::sealed();
    std::fs::rename(env.join("col/a.txt"), env.join("col/renamed.txt")).unwrap();
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &[
            "moved      a.txt -> renamed.txt",
            "3 sealed files: 2 ok, 0 modified, 1 moved, 0 missing, 0 unreadable; 0 extra; 1 lacking provenance",
        ],
    );
    assert!(
        !stdout(&out).contains("missing    a.txt"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_renamed_file_whose_content_also_changed_is_missing_plus_extra() {
    let env = TestEnv::sealed();
    std::fs::rename(env.join("col/a.txt"), env.join("col/renamed.txt")).unwrap();
    std::fs::write(env.join("col/renamed.txt"), "different content").unwrap();
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &[
            "missing    a.txt",
            "extra      renamed.txt: not in the manifest",
            "3 sealed files: 2 ok, 0 modified, 0 moved, 1 missing, 0 unreadable; 1 extra; 1 lacking provenance",
        ],
    );
}

#[test]
fn restoring_the_original_content_verifies_again() {
    let env = TestEnv::sealed();
    env.write("col/a.txt", "alphA\n");
    assert_eq!(env.run(["verify", MANIFEST]).status.code(), Some(1));
    env.write("col/a.txt", "alpha\n");
    let out = env.run(["verify", MANIFEST]);
    assert_ok(&out);
    assert!(stdout(&out).contains(SUMMARY_OK));
}

// --- the manifest changed ---------------------------------------------------------------------

#[test]
fn an_edited_digest_in_the_manifest_invalidates_the_signature() {
    let env = TestEnv::sealed();
    env.edit(
        MANIFEST,
        "b6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51060",
        "b6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51061",
    );
    assert_signature_invalid(&env);
}

#[test]
fn an_edited_size_in_the_manifest_invalidates_the_signature() {
    let env = TestEnv::sealed();
    env.edit(MANIFEST, "size = 12\n", "size = 13\n");
    assert_signature_invalid(&env);
}

#[test]
fn an_edited_origin_url_in_the_manifest_invalidates_the_signature() {
    let env = TestEnv::sealed();
    env.edit(
        MANIFEST,
        "origin = \"https://example.org/a\"",
        "origin = \"https://example.org/A\"",
    );
    assert_signature_invalid(&env);
}

#[test]
fn an_edited_retrieval_time_in_the_manifest_invalidates_the_signature() {
    let env = TestEnv::sealed();
    env.edit(
        MANIFEST,
        "retrieved = \"2024-09-30T12:00:00Z\"",
        "retrieved = \"2024-09-30T12:00:01Z\"",
    );
    assert_signature_invalid(&env);
}

#[test]
fn an_unknown_retrieval_time_replaced_by_a_time_invalidates_the_signature() {
    let env = TestEnv::sealed();
    env.edit(
        MANIFEST,
        "retrieved = \"unknown\"",
        "retrieved = \"2024-10-02T00:00:00Z\"",
    );
    assert_signature_invalid(&env);
}

#[test]
fn an_edited_collection_name_invalidates_the_signature() {
    let env = TestEnv::sealed();
    env.edit(MANIFEST, "name = \"col\"\n", "name = \"cot\"\n");
    assert_signature_invalid(&env);
}

#[test]
fn an_edited_comment_in_the_signed_body_invalidates_the_signature() {
    let env = TestEnv::sealed();
    env.edit(MANIFEST, "# docseal manifest", "# docseal  manifest");
    assert_signature_invalid(&env);
}

#[test]
fn two_swapped_entries_invalidate_the_signature() {
    let env = TestEnv::sealed();
    let text = env.read(MANIFEST);
    let a_start = text.find("[[file]]\npath = \"a.txt\"").unwrap();
    let b_start = text.find("[[file]]\npath = \"b.txt\"").unwrap();
    let c_start = text.find("[[file]]\npath = \"sub/c.txt\"").unwrap();
    let a = &text[a_start..b_start];
    let b = &text[b_start..c_start];
    let swapped = format!("{}{b}{a}{}", &text[..a_start], &text[c_start..]);
    assert_eq!(swapped.len(), text.len());
    env.write(MANIFEST, swapped);
    assert_signature_invalid(&env);
}

#[test]
fn an_entry_appended_to_the_signed_body_invalidates_the_signature() {
    let env = TestEnv::sealed();
    env.write("col/new.txt", "new\n");
    let text = env.read(MANIFEST);
    let block = signature_block(&text);
    let appended = format!(
        "{}[[file]]\npath = \"new.txt\"\nsize = 4\n\
         digest = \"7aa6b4b6d6f8b7b8a9c36a0d8fa0e1b1b0e42bd5a4a6e2b0e5f7ee1b3c4d5e6f\"\n\
         origin = \"unknown\"\nretrieved = \"unknown\"\n\n{block}",
        body(&text)
    );
    env.write(MANIFEST, appended);
    assert_signature_invalid(&env);
}

#[test]
fn an_entry_appended_after_the_signature_block_is_refused_not_ignored() {
    let env = TestEnv::sealed();
    let text = env.read(MANIFEST);
    let line = text.lines().count() + 2;
    env.write(
        MANIFEST,
        format!(
            "{text}\n[[file]]\npath = \"new.txt\"\nsize = 4\n\
             digest = \"7aa6b4b6d6f8b7b8a9c36a0d8fa0e1b1b0e42bd5a4a6e2b0e5f7ee1b3c4d5e6f\"\n\
             origin = \"unknown\"\nretrieved = \"unknown\"\n"
        ),
    );
    let out = env.run(["verify", MANIFEST]);
    assert_bad_input(
        &out,
        &format!("{MANIFEST}:{line}: in the signature block: "),
        "unknown table \"[[file]]\"; this part of a manifest holds only [[signature]] tables",
    );
}

#[test]
fn a_removed_entry_invalidates_the_signature() {
    let env = TestEnv::sealed();
    let text = env.read(MANIFEST);
    let b_start = text.find("[[file]]\npath = \"b.txt\"").unwrap();
    let c_start = text.find("[[file]]\npath = \"sub/c.txt\"").unwrap();
    env.write(
        MANIFEST,
        format!("{}{}", &text[..b_start], &text[c_start..]),
    );
    assert_signature_invalid(&env);
}

// --- the signature changed --------------------------------------------------------------------

/// Seals the standard collection with a second key "other" under another name, returning the
/// signature block of that manifest and the other key's ID.
fn other_signature(env: &TestEnv) -> (String, String) {
    env.keygen("other");
    assert_ok(&env.run([
        "seal",
        "col",
        "--key",
        "other",
        "--name",
        "col-by-other",
        "--sources",
        "sources.toml",
    ]));
    let other = env.read("manifests/col-by-other.toml");
    (
        signature_block(&other).to_string(),
        key_id_in(&env.read("keys/other.pub")),
    )
}

#[test]
fn a_signature_replaced_by_one_from_another_trusted_key_is_invalid() {
    let env = TestEnv::sealed();
    let (block, other_id) = other_signature(&env);
    let text = env.read(MANIFEST);
    env.write(MANIFEST, format!("{}{block}", body(&text)));
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &[&format!(
            "signature  INVALID: a signature claiming key \"other\" (key {other_id}) does not verify: the manifest was changed after it was signed, or the signature was"
        )],
    );
}

#[test]
fn a_signature_replaced_by_one_from_an_untrusted_key_is_untrusted() {
    let env = TestEnv::sealed();
    let (block, other_id) = other_signature(&env);
    let text = env.read(MANIFEST);
    env.write(MANIFEST, format!("{}{block}", body(&text)));
    let out = env.run(["verify", MANIFEST, "--trust", "keys/k.pub"]);
    assert_verify_fails(
        &out,
        &[
            &format!(
                "signature  UNTRUSTED: signed only by key {other_id}, which is not trusted; pass --trust KEY.pub if you trust it"
            ),
            "files not checked: the manifest's signature cannot be trusted",
        ],
    );
}

#[test]
fn an_added_invalid_signature_by_a_trusted_key_fails_despite_a_valid_one() {
    let env = TestEnv::sealed();
    let (block, other_id) = other_signature(&env);
    let id = key_id_in(&env.read("keys/k.pub"));
    let text = env.read(MANIFEST);
    env.write(MANIFEST, format!("{text}{block}"));
    // The signature block is not signed: the body is unchanged, and the report says so.
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &[&format!(
            "signature  INVALID: a signature claiming key \"other\" (key {other_id}) does not verify, while the signature by \"k\" (key {id}) does: the body is as it was signed, and the signature block holds a signature that is not genuine"
        )],
    );
    assert!(
        !stdout(&out).contains("changed after it was signed"),
        "{}",
        stdout(&out)
    );
    let (out, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report.signature.status, SignatureStatus::Invalid);
    assert_eq!(report.signature.signers.len(), 1);
    assert_eq!(report.signature.signers[0].name, "k");
    assert_eq!(report.signature.invalid.len(), 1);
    assert_eq!(report.signature.invalid[0].name, "other");
}

#[test]
fn a_manifest_signed_by_a_key_that_is_not_trusted_fails() {
    let env = TestEnv::sealed();
    env.keygen("other");
    let id = key_id_in(&env.read("keys/k.pub"));
    let out = env.run(["verify", MANIFEST, "--trust", "keys/other.pub"]);
    assert_verify_fails(
        &out,
        &[&format!(
            "signature  UNTRUSTED: signed only by key {id}, which is not trusted; pass --trust KEY.pub if you trust it"
        )],
    );
    let (_, report) = env.verify_json(&[MANIFEST, "--trust", "keys/other.pub"]);
    assert_eq!(report.signature.status, SignatureStatus::Untrusted);
    assert_eq!(report.signature.untrusted, [id]);
    assert!(!report.files_checked);
}

#[test]
fn a_manifest_without_its_signature_block_fails_as_unsigned() {
    let env = TestEnv::sealed();
    let text = env.read(MANIFEST);
    env.write(MANIFEST, body(&text));
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &[
            "signature  MISSING: the manifest is not signed",
            "files not checked: the manifest's signature cannot be trusted",
        ],
    );
    let (_, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(report.signature.status, SignatureStatus::Unsigned);
}

#[test]
fn an_appended_garbage_signature_claiming_a_trusted_key_says_that_signature_does_not_verify() {
    let env = TestEnv::sealed();
    env.keygen("auditor");
    let auditor = key_id_in(&env.read("keys/auditor.pub"));
    let id = key_id_in(&env.read("keys/k.pub"));
    let text = env.read(MANIFEST);
    env.write(
        MANIFEST,
        format!(
            "{text}\n[[signature]]\nkey_id = \"{auditor}\"\nalgorithm = \"ed25519\"\nsignature = \"{}\"\n",
            "ab".repeat(64)
        ),
    );
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &[&format!(
            "signature  INVALID: a signature claiming key \"auditor\" (key {auditor}) does not verify, while the signature by \"k\" (key {id}) does: the body is as it was signed, and the signature block holds a signature that is not genuine"
        )],
    );
    let (_, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(report.signature.status, SignatureStatus::Invalid);
    assert_eq!(report.signature.signers.len(), 1);
    assert_eq!(report.signature.invalid[0].key_id, auditor);
}

#[test]
fn a_signature_block_pasted_twice_is_refused_naming_the_line_of_the_repeat() {
    let env = TestEnv::sealed();
    let text = env.read(MANIFEST);
    let block = signature_block(&text).to_string();
    let doubled = format!("{text}\n{block}");
    env.write(MANIFEST, &doubled);
    let id = key_id_in(&env.read("keys/k.pub"));
    let first = text.lines().count() - block.lines().count() + 2;
    let repeat = doubled.lines().count() - block.lines().count() + 2;
    let out = env.run(["verify", MANIFEST]);
    assert_error_is(
        &out,
        &format!(
            "{MANIFEST}:{repeat}: a second signature by key {id} (the first is on line {first}); a key signs a manifest once, so remove one of the two [[signature]] tables"
        ),
    );
    // Never two signers out of one key.
    let out = env.run(["verify", "--json", MANIFEST]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
