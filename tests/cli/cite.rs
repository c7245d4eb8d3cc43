/*!
`cite`: a citation of one sealed file that carries its digest, from a validly signed manifest
only — BibLaTeX and BibTeX read back by the `biblatex` crate, CSL-JSON by serde, the Robust Link
and the text line checked for the facts they must carry.
*/

use biblatex::{Bibliography, ChunksExt};

use crate::util::*;

fn cite(env: &TestEnv, path: &str, format: &str) -> String {
    let out = env.run(["cite", MANIFEST, path, "--format", format]);
    assert_ok(&out);
    stdout(&out)
}

fn digest_of(content: &str) -> String {
    docseal::digest::Sha256Digest::of(content.as_bytes()).to_hex()
}

#[test]
fn biblatex_and_bibtex_citations_parse_back_with_url_date_and_digest() {
    let env = TestEnv::sealed();
    let digest = digest_of("alpha\n");
    let bib = Bibliography::parse(&cite(&env, "a.txt", "biblatex")).unwrap();
    let entry = bib.iter().next().unwrap();
    assert_eq!(entry.entry_type.to_string(), "online");
    assert_eq!(
        entry.get("url").unwrap().format_verbatim(),
        "https://example.org/a"
    );
    assert_eq!(
        entry.get("urldate").unwrap().format_verbatim(),
        "2024-09-30"
    );
    assert_eq!(entry.get("sha256").unwrap().format_verbatim(), digest);
    assert!(
        entry
            .get("note")
            .unwrap()
            .format_verbatim()
            .contains("collection \"col\"")
    );
    let bib = Bibliography::parse(&cite(&env, "a.txt", "bibtex")).unwrap();
    let entry = bib.iter().next().unwrap();
    assert_eq!(entry.entry_type.to_string(), "misc");
    let howpublished = entry.get("howpublished").unwrap().format_verbatim();
    assert!(
        howpublished.contains("https://example.org/a"),
        "{howpublished}"
    );
    let note = entry.get("note").unwrap().format_verbatim();
    assert!(
        note.starts_with("Accessed: 2024-09-30. sealed copy sha256:"),
        "{note}"
    );
}

#[test]
fn csl_json_carries_url_accessed_and_the_digest_in_custom() {
    let env = TestEnv::sealed();
    let items: serde_json::Value = serde_json::from_str(&cite(&env, "b.txt", "csl-json")).unwrap();
    let item = &items[0];
    assert_eq!(item["type"], "webpage");
    assert_eq!(item["URL"], "https://example.org/b");
    assert_eq!(
        item["accessed"]["date-parts"],
        serde_json::json!([[2024, 10, 1]])
    );
    assert_eq!(item["custom"]["sha256"], digest_of("bravo bravo\n"));
    assert_eq!(item["custom"]["docseal_collection"], "col");
    // An unknown retrieval time is left out, never invented.
    let items: serde_json::Value =
        serde_json::from_str(&cite(&env, "sub/c.txt", "csl-json")).unwrap();
    assert!(items[0].get("accessed").is_none());
}

#[test]
fn the_text_and_html_citations_carry_the_origin_day_and_digest() {
    let env = TestEnv::sealed();
    let text = cite(&env, "a.txt", "text");
    assert!(
        text.starts_with("https://example.org/a (retrieved 2024-09-30; sealed copy sha256:"),
        "{text}"
    );
    let html = cite(&env, "a.txt", "html");
    assert!(html.starts_with("<a href=\"https://example.org/a\" data-originalurl=\"https://example.org/a\" data-versiondate=\"2024-09-30\" data-sha256=\""), "{html}");
    assert!(html.contains(&digest_of("alpha\n")));
}

#[test]
fn no_citation_is_given_from_a_manifest_whose_signature_is_not_trusted() {
    let env = TestEnv::sealed();
    std::fs::remove_file(env.join("keys/k.pub")).unwrap();
    env.keygen("other");
    let out = env.run(["cite", MANIFEST, "a.txt"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out)
            .contains("no citation from manifests/col.toml: its signature cannot be trusted"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn citing_a_file_the_manifest_does_not_hold_cannot_run() {
    let env = TestEnv::sealed();
    let out = env.run(["cite", MANIFEST, "nope.txt"]);
    assert_error_is(
        &out,
        "manifests/col.toml: no file \"nope.txt\" in this manifest; run `docseal show manifests/col.toml` to list its files",
    );
}
