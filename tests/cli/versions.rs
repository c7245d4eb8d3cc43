/*!
Every manifest format version docseal has written still reads and verifies, byte for byte as it
was committed: version 1 (the sample `manifests/seeds.toml`, with `keys/docseal-sample.pub`) and
version 2 (`tests/vectors/v2/`: a signed manifest with a file captured over HTTP and one from a
plain sources list, its collection and its public key; marked `-text` in `.gitattributes` so that
no byte of it ever changes). And `seal` writes version 3, whose leaves for the same files and
provenance are version 2's: the same root.

The version-2 fixture was made by sealing `tests/vectors/v2/collection` with
`tests/vectors/v2/sources.toml`, writing `format_version = 2` into the unsigned body (it holds no
field new in version 3, so its root is version 2's — checked independently against the §6 bytes)
and signing it with `docseal sign`; the secret key was thrown away.
*/

use std::path::PathBuf;

use crate::schema::parse_show;
use crate::util::*;

/// A path in the repository.
fn repo(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

const V2: &str = "tests/vectors/v2/manifest.toml";
const V2_KEY: &str = "tests/vectors/v2/keys/v2-fixture.pub";

/// The `root = "…"` line of a manifest.
fn root_line(manifest: &str) -> String {
    manifest
        .lines()
        .find(|l| l.starts_with("root = "))
        .unwrap()
        .to_string()
}

#[test]
fn the_version_1_sample_still_verifies_and_shows() {
    let env = TestEnv::new();
    let manifest = repo("manifests/seeds.toml");
    assert!(
        std::fs::read_to_string(&manifest)
            .unwrap()
            .contains("\nformat_version = 1\n")
    );
    let key = repo("keys/docseal-sample.pub");
    let out = env.run(["verify", &manifest, "--trust", &key]);
    assert_ok(&out);
    assert!(stdout(&out).ends_with("verified\n"), "{}", stdout(&out));
    let out = env.run(["show", &manifest, "--trust", &key, "--json"]);
    assert_ok(&out);
    let report = parse_show(&out);
    assert!(!report.files.is_empty());
    assert!(
        report
            .files
            .iter()
            .all(|f| f.capture.is_none() && f.warc.is_none())
    );
}

#[test]
fn the_committed_version_2_manifest_still_verifies_and_shows_its_capture_fields() {
    let env = TestEnv::new();
    let (manifest, key) = (repo(V2), repo(V2_KEY));
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains("\nformat_version = 2\n") && !text.contains('\r'));
    assert!(text.contains("\ncheckpoint = "), "{text}");
    let out = env.run(["verify", &manifest, "--trust", &key, "--require-provenance"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("signature  valid, signed by \"v2-fixture\""),
        "{}",
        stdout(&out)
    );
    let out = env.run(["show", &manifest, "--trust", &key, "--json"]);
    assert_ok(&out);
    let report = parse_show(&out);
    let page = report.files.iter().find(|f| f.path == "page.html").unwrap();
    let capture = page.capture.as_ref().unwrap();
    assert_eq!(capture.http_status, Some(200));
    assert_eq!(capture.etag.as_deref(), Some("\"v1\""));
    assert!(page.warc.is_none());
    let out = env.run(["show", &manifest, "--trust", &key, "page.html"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("\n  final url  http://127.0.0.1:8080/page.html\n"),
        "{}",
        stdout(&out)
    );
    // A proof of one of its files, checked offline (version 2 has checkpoints).
    let out = env.run([
        "prove",
        &manifest,
        "page.html",
        "--trust",
        &key,
        "-o",
        "p.tlog-proof",
    ]);
    assert_ok(&out);
    let out = env.run([
        "verify-proof",
        "p.tlog-proof",
        "--trust",
        &key,
        "--file",
        &repo("tests/vectors/v2/collection/page.html"),
    ]);
    assert_ok(&out);
}

#[test]
fn seal_writes_version_3_with_version_2_leaves_and_carries_a_version_2_manifest_forward() {
    let env = TestEnv::new();
    env.keygen("k");
    let v2 = std::fs::read_to_string(repo(V2)).unwrap();
    for name in ["a.txt", "page.html"] {
        let bytes = std::fs::read(repo(&format!("tests/vectors/v2/collection/{name}"))).unwrap();
        env.write(format!("collection/{name}"), bytes);
    }
    // Sealed afresh from the same sources list: version 3, the same leaves, so the same root.
    let sources = repo("tests/vectors/v2/sources.toml");
    let out = env.run([
        "seal",
        "collection",
        "--key",
        "k",
        "--sources",
        &sources,
        "-o",
        "fresh.toml",
    ]);
    assert_ok(&out);
    let fresh = env.read("fresh.toml");
    assert!(fresh.contains("\nformat_version = 3\n"), "{fresh}");
    assert_eq!(root_line(&fresh), root_line(&v2));
    // Resealed after the version 2 manifest, without a sources list: everything it recorded
    // (the capture fields too) is carried into version 3.
    env.write("old.toml", &v2);
    let out = env.run([
        "seal",
        "collection",
        "--key",
        "k",
        "--previous",
        "old.toml",
        "--trust",
        &repo(V2_KEY),
        "-o",
        "next.toml",
    ]);
    assert_ok(&out);
    let next = env.read("next.toml");
    assert!(
        next.contains("\nformat_version = 3\nname = \"collection\"\n"),
        "{next}"
    );
    assert!(next.contains("\nsequence = 2\n"), "{next}");
    assert_eq!(root_line(&next), root_line(&v2));
    assert!(next.contains("\netag = '\"v1\"'\n"), "{next}");
    assert_ok(&env.run(["verify", "next.toml", "--require-provenance", "-q"]));
}
