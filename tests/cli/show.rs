/*!
`docseal show`: the provenance recorded in a manifest, for all files or the ones named, as text
and as JSON — only after the signature was checked against the trusted keys (exit 1 and a
warning above the data when it is not valid), or marked unchecked with `--no-verify`.
*/

use crate::schema::SignatureStatus;
use crate::util::*;

#[test]
fn show_prints_the_header_and_every_file_with_its_provenance() {
    let env = TestEnv::sealed();
    let id = key_id_in(&env.read("keys/k.pub"));
    let out = env.run(["show", MANIFEST]);
    assert_ok(&out);
    let text = stdout(&out);
    assert_eq!(
        text.lines().next(),
        Some(
            format!(
                "signature   valid, signed by \"k\" (key {id}); checked against the trusted keys in ./keys"
            )
            .as_str()
        ),
        "{text}"
    );
    for line in [
        "manifest    manifests/col.toml",
        "name        col",
        "collection  ../col",
        "algorithm   sha256",
        "sequence    1",
        "previous    none",
        "expires     never",
        "files       3 (1 lacking provenance)",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in:\n{text}"
        );
    }
    assert!(
        text.contains(
            "\na.txt\n  size       6\n  sha256     b6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51060\n  origin     https://example.org/a\n  retrieved  2024-09-30T12:00:00Z\n"
        ),
        "{text}"
    );
    assert!(text.contains("\nsub/c.txt\n  size       8\n"), "{text}");
    assert!(
        text.ends_with("  origin     https://example.org/c\n  retrieved  unknown\n"),
        "{text}"
    );
}

#[test]
fn show_with_url_finds_the_files_retrieved_from_it_as_audit_matches_urls() {
    let env = TestEnv::sealed();
    // Written another way: http for https, the host's case, a trailing slash, a fragment.
    let out = env.run(["show", MANIFEST, "--url", "HTTP://Example.org/b/#top"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("files       1 (0 lacking provenance)\n"),
        "{text}"
    );
    assert!(text.contains("\nb.txt\n  size       12\n"), "{text}");
    assert!(!text.contains("a.txt"), "{text}");
    // A URL no origin matches: said, and exit 1 (www. is another host).
    let out = env.run([
        "show",
        MANIFEST,
        "--url",
        "https://www.example.org/b",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report = crate::schema::parse_show(&out);
    assert!(report.files.is_empty());
    assert_eq!(report.unmatched_urls, ["https://www.example.org/b"]);
    let out = env.run(["show", MANIFEST, "--url", "https://www.example.org/b"]);
    assert!(
        stdout(&out).ends_with("\nno file retrieved from https://www.example.org/b\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn show_with_a_path_prints_only_that_file() {
    let env = TestEnv::sealed();
    let out = env.run(["show", MANIFEST, "b.txt"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("files       1 (0 lacking provenance)\n"),
        "{text}"
    );
    assert!(text.ends_with(
        "\nb.txt\n  size       12\n  sha256     d0eaa02c3a91eaaaf2c9df3f5002ed310878eea168cce544e6142c1830af5851\n  origin     https://example.org/b\n  retrieved  2024-10-01T08:30:00Z\n"
    ), "{text}");
    assert!(!text.contains("a.txt"), "{text}");
}

#[test]
fn show_json_follows_the_documented_schema() {
    let env = TestEnv::sealed();
    let id = key_id_in(&env.read("keys/k.pub"));
    let out = env.run(["show", "--json", MANIFEST, "sub/c.txt", "a.txt"]);
    assert_ok(&out);
    let report = crate::schema::parse_show(&out);
    assert_eq!(report.manifest, MANIFEST);
    assert_eq!(report.header.name, "col");
    assert_eq!(report.header.digest_algorithm, "sha256");
    assert_eq!(report.header.collection, "../col");
    assert_eq!(report.header.sequence, Some(1));
    assert_eq!(report.header.previous, None);
    assert!(report.header.tool.starts_with("docseal "));
    assert!(report.header.created.ends_with('Z'));
    assert_eq!(report.header.root.len(), 64);
    assert_eq!(report.signature_key_ids, [id.as_str()]);
    assert!(report.signature_checked);
    assert_eq!(report.trusted_keys, ["keys"]);
    let signature = report.signature.as_ref().unwrap();
    assert_eq!(signature.status, SignatureStatus::Valid);
    assert_eq!(signature.signers[0].key_id, id);
    let paths: Vec<&str> = report.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["sub/c.txt", "a.txt"],
        "files in the order asked for"
    );
    let c = &report.files[0];
    assert_eq!(c.size, 8);
    assert_eq!(
        c.digest,
        "999d1d048ee9123272dd9b718680551c83e867935b47c2650e6906dc22674e47"
    );
    assert_eq!(c.origin.as_deref(), Some("https://example.org/c"));
    assert_eq!(c.retrieved, None, "an unknown time is null in JSON");
}

#[test]
fn show_of_a_file_not_in_the_manifest_fails_naming_the_manifest() {
    let env = TestEnv::sealed();
    let out = env.run(["show", MANIFEST, "nope.txt"]);
    assert_error_is(
        &out,
        "manifests/col.toml: no file \"nope.txt\" in this manifest; run `docseal show manifests/col.toml` to list its files",
    );
}

/// The standard fixture with one origin in the signed body changed, as a forger would.
fn forged() -> TestEnv {
    let env = TestEnv::sealed();
    env.edit(
        MANIFEST,
        "https://example.org/a",
        "https://forged.example/a",
    );
    env
}

const NOT_VERIFIED: &str =
    "WARNING: this manifest's signature is not valid: what follows is NOT verified provenance";

#[test]
fn show_of_a_manifest_whose_signature_is_invalid_warns_above_the_data_and_exits_1() {
    let env = forged();
    let id = key_id_in(&env.read("keys/k.pub"));
    let out = env.run(["show", MANIFEST]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], NOT_VERIFIED, "{text}");
    assert_eq!(
        lines[1],
        format!(
            "signature   INVALID: a signature claiming key \"k\" (key {id}) does not verify: the manifest was changed after it was signed, or the signature was; checked against the trusted keys in ./keys"
        )
    );
    assert!(text.contains("https://forged.example/a"), "{text}");
    let out = env.run(["show", "--json", MANIFEST]);
    assert_eq!(out.status.code(), Some(1));
    let report = crate::schema::parse_show(&out);
    assert!(report.signature_checked);
    assert_eq!(report.signature.unwrap().status, SignatureStatus::Invalid);
}

#[test]
fn show_of_an_untrusted_or_unsigned_manifest_warns_and_exits_1() {
    let env = TestEnv::sealed();
    env.keygen("other");
    let out = env.run(["show", MANIFEST, "--trust", "keys/other.pub"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out).lines().next(), Some(NOT_VERIFIED));
    assert_stdout_line_starts(&out, "signature   UNTRUSTED: signed only by key ");

    let text = env.read(MANIFEST);
    env.write(MANIFEST, body(&text));
    let out = env.run(["show", MANIFEST]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out).lines().next(), Some(NOT_VERIFIED));
    assert_stdout_line_starts(
        &out,
        "signature   MISSING: the manifest is not signed; checked against the trusted keys in ./keys",
    );
}

#[test]
fn show_no_verify_reads_without_keys_and_marks_the_output_unchecked_in_text_and_json() {
    let env = forged();
    let id = key_id_in(&env.read("keys/k.pub"));
    std::fs::remove_dir_all(env.join("keys")).unwrap();
    let out = env.run(["show", "--no-verify", MANIFEST]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!(
            "WARNING: signature not checked (--no-verify): what follows is what the manifest says, NOT verified provenance\n\
             signature   UNCHECKED: key {id} (run `docseal show` without --no-verify, or `docseal verify`, to check)\n\
             manifest    manifests/col.toml\n"
        )),
        "{text}"
    );
    let out = env.run(["show", "--no-verify", "--json", MANIFEST]);
    assert_ok(&out);
    let report = crate::schema::parse_show(&out);
    assert!(!report.signature_checked);
    assert!(report.signature.is_none());
    assert!(report.trusted_keys.is_empty());
    assert_eq!(report.signature_key_ids, [id]);
}

#[test]
fn show_where_keys_does_not_exist_says_what_to_pass() {
    let env = TestEnv::sealed();
    std::fs::remove_dir_all(env.join("keys")).unwrap();
    let out = env.run(["show", MANIFEST]);
    assert_error_is(
        &out,
        "no trusted keys found in ./keys (there is no such folder here); pass --trust KEY.pub or a folder of .pub files, or run docseal where that folder is; or pass --no-verify to read the manifest without checking its signature",
    );
}
