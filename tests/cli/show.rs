/*!
`docseal show`: the provenance recorded in a manifest, for all files or the ones named, as text
and as JSON.
*/

use crate::util::*;

#[test]
fn show_prints_the_header_and_every_file_with_its_provenance() {
    let env = TestEnv::sealed();
    let id = key_id_in(&env.read("keys/k.pub"));
    let out = env.run(["show", MANIFEST]);
    assert_ok(&out);
    let text = stdout(&out);
    for line in [
        "manifest    manifests/col.toml",
        "name        col",
        "collection  ../col",
        "algorithm   sha256",
        "sequence    1",
        "previous    none",
        &format!("signatures  key {id} (not checked here; `docseal verify` checks them)"),
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
    assert_eq!(report.signature_key_ids, [id]);
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
