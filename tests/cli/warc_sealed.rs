/*!
The WARC record a file was imported from, under the signature (manifest format version 3): a WARC
written by the real `wget --warc-file` against a loopback server, imported, sealed with its
sources list and verified; `show` (text and JSON) prints the record, and a proof of the file
carries it; an edit of it breaks the
signature; `seal --previous` carries it (and the HTTP capture fields) over. Bad manifests, each
refused with one line naming the file and line: some of the four WARC fields without the others,
a `warc_verified` word docseal does not write, a WARC field in a version 1 or 2 manifest.
*/

use crate::schema::{Warc, parse_show};
use crate::util::*;
use crate::warc::{site, source_of, wget};

/// A folder `seeds/` imported from wget's `crawl.warc.gz` of the site's page, sealed with its
/// sources list into `manifests/seeds.toml` by key "k"; and the page's stored name.
fn imported_and_sealed() -> (TestEnv, String) {
    let server = site();
    let env = TestEnv::new();
    env.keygen("k");
    wget(
        &env,
        &["--warc-file=crawl", &server.url("/page.html")],
        "crawl.warc.gz",
    );
    assert_ok(&env.run(["import-warc", "crawl.warc.gz", "--into", "seeds", "-q"]));
    assert_ok(&crate::fetch::seal_fetched(&env));
    let name = crate::fetch::stored_files(&env, "seeds").remove(0);
    (env, name)
}

/// The value of `key` in the `[[source]]` table or `[[file]]` table of `path` in `text`.
fn value_of<'a>(text: &'a str, path: &str, key: &str) -> &'a str {
    let table = source_of(text, path);
    let table = &table[..table.find("[[file]]").unwrap_or(table.len())];
    table
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no {key} in\n{table}"))
}

const SEALED: &str = "manifests/seeds.toml";

#[test]
fn an_imported_record_is_sealed_under_the_signature_and_shown() {
    let (env, name) = imported_and_sealed();
    let sources = env.read("sources/seeds.toml");
    let manifest = env.read(SEALED);
    assert!(manifest.contains("\nformat_version = 3\n"), "{manifest}");
    // The sources list's four WARC fields, copied exactly into the manifest.
    for key in ["warc_file", "warc_record_id", "warc_date", "warc_verified"] {
        assert_eq!(
            value_of(&manifest, &name, key),
            value_of(&sources, &name, key),
            "{key}"
        );
    }
    assert_eq!(value_of(&manifest, &name, "warc_file"), "\"crawl.warc.gz\"");
    assert_eq!(
        value_of(&manifest, &name, "warc_verified"),
        "[\"block\", \"payload\"]"
    );
    let record_id = value_of(&manifest, &name, "warc_record_id").trim_matches('"');
    let date = value_of(&manifest, &name, "warc_date").trim_matches('"');
    assert!(record_id.starts_with("<urn:uuid:"), "{record_id}");
    assert_ok(&env.run(["verify", SEALED, "--require-provenance", "-q"]));

    let out = env.run(["show", SEALED, "--json"]);
    assert_ok(&out);
    let report = parse_show(&out);
    assert_eq!(
        report.files[0].warc,
        Some(Warc {
            file: "crawl.warc.gz".into(),
            record_id: record_id.into(),
            date: date.into(),
            verified: vec!["block".into(), "payload".into()],
        })
    );
    assert_eq!(
        report.files[0].capture.as_ref().map(|c| c.http_status),
        Some(Some(200))
    );
    // A proof of it carries the WARC section in its leaf data, and is checked offline.
    let out = env.run(["prove", SEALED, &name, "-o", "p.tlog-proof"]);
    assert_ok(&out);
    let file = format!("seeds/{name}");
    let out = env.run(["verify-proof", "p.tlog-proof", "--file", &file, "--json"]);
    assert_ok(&out);
    let proven: crate::schema::ProofReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(proven.entry.unwrap().warc, report.files[0].warc);
    // A citation names the record: the archived copy a reader can look up.
    let out = env.run(["cite", SEALED, &name]);
    assert_ok(&out);
    let cited = format!(", from WARC record {record_id} of crawl.warc.gz dated {date})");
    assert!(stdout(&out).contains(&cited), "{}", stdout(&out));
    let out = env.run(["cite", SEALED, &name, "--format", "csl-json"]);
    assert_ok(&out);
    let csl: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(csl[0]["custom"]["docseal_warc_record_id"], record_id);
    // Its text says what the proof vouches for: the capture and the record too.
    let out = env.run(["verify-proof", "p.tlog-proof", "--file", &file]);
    assert_ok(&out);
    let text = stdout(&out);
    for line in [
        "status     200".to_string(),
        "warc file  crawl.warc.gz".to_string(),
        format!("record     {record_id}"),
        format!("warc date  {date}"),
        "digests    block, payload".to_string(),
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
    }
    let out = env.run(["show", SEALED, &name]);
    assert_ok(&out);
    let text = stdout(&out);
    for line in [
        "  warc file  crawl.warc.gz".to_string(),
        format!("  record     {record_id}"),
        format!("  warc date  {date}"),
        "  digests    block, payload".to_string(),
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
    }
}

#[test]
fn an_edited_warc_record_id_breaks_the_signature() {
    let (env, name) = imported_and_sealed();
    let manifest = env.read(SEALED);
    let record_id = value_of(&manifest, &name, "warc_record_id").to_string();
    let forged = format!("{}0>\"", &record_id[..record_id.len() - 2]);
    env.edit(
        SEALED,
        &format!("warc_record_id = {record_id}\n"),
        &format!("warc_record_id = {forged}\n"),
    );
    let out = env.run(["verify", SEALED]);
    assert_verify_fails(
        &out,
        &["files not checked: the manifest's signature cannot be trusted"],
    );
    assert!(
        stdout(&out).contains("signature  INVALID: a signature claiming key \"k\""),
        "{}",
        stdout(&out)
    );
    assert_fails(&env.run(["show", SEALED]), 1, "");
}

#[test]
fn seal_previous_carries_the_capture_and_warc_fields_of_an_unchanged_file() {
    let (env, name) = imported_and_sealed();
    let first = env.read(SEALED);
    // No sources list this time: everything recorded comes from the previous manifest.
    let out = env.run([
        "seal",
        "seeds",
        "--key",
        "k",
        "--previous",
        SEALED,
        "-o",
        "manifests/seeds.2.toml",
    ]);
    assert_ok(&out);
    let second = env.read("manifests/seeds.2.toml");
    for key in [
        "origin",
        "retrieved",
        "http_status",
        "media_type",
        "etag",
        "last_modified",
        "warc_file",
        "warc_record_id",
        "warc_date",
        "warc_verified",
    ] {
        assert_eq!(
            value_of(&second, &name, key),
            value_of(&first, &name, key),
            "{key} was not carried over"
        );
    }
    // The same entries, so the same root.
    let root = |m: &str| {
        m.lines()
            .find(|l| l.starts_with("root = "))
            .unwrap()
            .to_string()
    };
    assert_eq!(root(&first), root(&second));
    assert_ok(&env.run([
        "verify",
        "manifests/seeds.2.toml",
        "--require-provenance",
        "-q",
    ]));
}

/// The standard fixture with `lines` added to `a.txt`'s entry (after its retrieval time) and the
/// manifest signed again, so that the reader, not the signature, judges them.
fn with_a_txt_lines(env: &TestEnv, lines: &str) {
    env.edit(
        MANIFEST,
        "retrieved = \"2024-09-30T12:00:00Z\"\n",
        &format!("retrieved = \"2024-09-30T12:00:00Z\"\n{lines}"),
    );
    env.resign();
}

const WARC_LINES: &str = "warc_file = \"crawl.warc.gz\"\nwarc_record_id = \"<urn:uuid:1>\"\n\
    warc_date = \"2016-01\"\nwarc_verified = [\"block\"]\n";

#[test]
fn some_of_the_four_warc_fields_without_the_others_are_refused_naming_the_line() {
    for (drop, lacks) in [
        ("warc_date = \"2016-01\"\n", "warc_date"),
        ("warc_verified = [\"block\"]\n", "warc_verified"),
        (
            "warc_file = \"crawl.warc.gz\"\nwarc_record_id = \"<urn:uuid:1>\"\n",
            "warc_file, warc_record_id",
        ),
    ] {
        let env = TestEnv::sealed();
        with_a_txt_lines(&env, &WARC_LINES.replace(drop, ""));
        let text = env.read(MANIFEST);
        let first = text.find("\nwarc_").unwrap() + 1;
        let line = text[..first].lines().count() + 1;
        let expected = format!(
            "{MANIFEST}:{line}: warc_file, warc_record_id, warc_date and warc_verified go together, and this entry lacks {lacks}; give all four or none"
        );
        assert_error_is(&env.run(["verify", MANIFEST]), &expected);
        assert_error_is(&env.run(["show", MANIFEST]), &expected);
    }
}

#[test]
fn a_warc_verified_word_docseal_does_not_write_is_refused_naming_the_line() {
    for (verified, says) in [
        (
            "[\"bogus\"]",
            "warc_verified holds \"bogus\"; its words are \"block\", \"payload\" and \"payload-dechunked\"",
        ),
        (
            "[\"payload\", \"block\"]",
            "warc_verified must be [], [\"block\"], [\"payload\"], [\"payload-dechunked\"], or \"block\" followed by one payload word (each word once, \"block\" first)",
        ),
    ] {
        let env = TestEnv::sealed();
        with_a_txt_lines(&env, &WARC_LINES.replace("[\"block\"]", verified));
        let line = line_of(&env.read(MANIFEST), "warc_verified");
        assert_error_is(
            &env.run(["verify", MANIFEST]),
            &format!("{MANIFEST}:{line}: {says}"),
        );
    }
}

#[test]
fn a_warc_date_that_is_no_warc_date_is_refused_naming_the_line() {
    let env = TestEnv::sealed();
    with_a_txt_lines(&env, &WARC_LINES.replace("\"2016-01\"", "\"January 2016\""));
    let line = line_of(&env.read(MANIFEST), "warc_date");
    assert_error_is(
        &env.run(["verify", MANIFEST]),
        &format!(
            "{MANIFEST}:{line}: warc_date: WARC-Date \"January 2016\" is not a W3C date such as 2016-01-02T10:00:00Z or 2016-01"
        ),
    );
}

#[test]
fn a_warc_field_in_a_version_2_or_1_manifest_is_an_unknown_field() {
    for version in [2, 1] {
        let env = TestEnv::sealed();
        env.edit(
            MANIFEST,
            "format_version = 3\n",
            &format!("format_version = {version}\n"),
        );
        with_a_txt_lines(&env, WARC_LINES);
        let line = line_of(&env.read(MANIFEST), "warc_file");
        assert_error_is(
            &env.run(["verify", MANIFEST]),
            &format!(
                "{MANIFEST}:{line}: unknown field \"warc_file\" in a format_version = {version} manifest (it is new in version 3); a version-{version} manifest cannot hold it, so this manifest was edited"
            ),
        );
    }
}
