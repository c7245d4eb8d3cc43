/*!
Malformed manifests: `verify` and `show` refuse them with exit status 2 and one line naming the
manifest and the line of the problem. `verify` parses the header and the signature block first and
the entries only of a validly signed manifest, so the edited manifests below are signed again
before an error in their entries is looked for (an edit that is not signed again is a verification
failure: see the last tests, and `tampering.rs`).
*/

use crate::util::*;

/// Signs the (edited) standard manifest again, runs `verify` and `show` on it and checks that both
/// refuse it with `manifests/col.toml:LINE: ...` containing `message`, where LINE is the line
/// holding `at`.
fn assert_refused(env: &TestEnv, at: &str, message: &str) {
    env.resign();
    let line = line_of(&env.read(MANIFEST), at);
    let prefix = format!("{MANIFEST}:{line}: ");
    let out = env.run(["verify", MANIFEST]);
    assert_bad_input(&out, &prefix, message);
    let out = env.run(["show", MANIFEST]);
    assert_bad_input(&out, &prefix, message);
}

#[test]
fn malformed_toml_in_a_manifest_is_refused_with_its_line() {
    let env = TestEnv::sealed();
    env.edit(MANIFEST, "name = \"col\"\n", "name = \"col\n");
    assert_refused(&env, "name = \"col", "invalid basic string");
}

#[test]
fn an_absolute_path_in_a_manifest_is_refused() {
    let env = TestEnv::sealed();
    env.edit(MANIFEST, "path = \"b.txt\"", "path = \"/etc/passwd\"");
    assert_refused(
        &env,
        "/etc/passwd",
        "absolute path \"/etc/passwd\" is not allowed; paths are relative to the collection",
    );
}

#[test]
fn a_dot_dot_segment_in_a_manifest_path_is_refused() {
    let env = TestEnv::sealed();
    env.edit(MANIFEST, "path = \"b.txt\"", "path = \"sub/../../b.txt\"");
    assert_refused(
        &env,
        "sub/../../b.txt",
        "path \"sub/../../b.txt\" has a \"..\" segment, which would leave the collection",
    );
}

#[test]
fn a_backslash_in_a_manifest_path_is_refused() {
    let env = TestEnv::sealed();
    env.edit(MANIFEST, "path = \"sub/c.txt\"", r#"path = "sub\\c.txt""#);
    assert_refused(
        &env,
        r"sub\\c.txt",
        r#"path "sub\\c.txt" contains a backslash; paths use "/" as separator"#,
    );
}

#[test]
fn a_nul_character_in_a_manifest_path_is_refused() {
    let env = TestEnv::sealed();
    env.edit(MANIFEST, "path = \"b.txt\"", r#"path = "b.txt\u0000.pdf""#);
    assert_refused(
        &env,
        r"\u0000",
        r#"path "b.txt\0.pdf" contains a NUL character"#,
    );
}

#[test]
fn a_duplicate_path_in_a_manifest_is_refused_naming_both_lines() {
    let env = TestEnv::sealed();
    let first = line_of(&env.read(MANIFEST), "path = \"a.txt\"");
    env.edit(MANIFEST, "path = \"b.txt\"", "path = \"a.txt\"");
    // The second occurrence is the one reported.
    let text = env.read(MANIFEST);
    let second = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "path = \"a.txt\"")
        .map(|(i, _)| i + 1)
        .nth(1)
        .unwrap();
    let message = format!(
        "duplicate path \"a.txt\" (first at line {first}); a manifest lists each file once"
    );
    let expected = format!("{MANIFEST}:{second}: {message}");
    env.resign();
    assert_error_is(&env.run(["verify", MANIFEST]), &expected);
    assert_error_is(&env.run(["show", MANIFEST]), &expected);
}

#[test]
fn two_paths_equal_after_unicode_normalisation_are_refused_like_a_duplicate() {
    let env = TestEnv::sealed();
    // Decomposed (as macOS writes it) and precomposed (as typed on Linux): one name to a reader.
    // Sorted by their bytes, with nothing else alike: no exact duplicate, no disorder.
    env.edit(MANIFEST, "path = \"a.txt\"", r#"path = "Nu\u0301n.txt""#);
    env.edit(MANIFEST, "path = \"b.txt\"", "path = \"N\u{fa}n.txt\"");
    let first = line_of(&env.read(MANIFEST), r"Nu\u0301n.txt");
    let second = line_of(&env.read(MANIFEST), "N\u{fa}n.txt");
    let expected = format!(
        "{MANIFEST}:{second}: path \"N\\u{{fa}}n.txt\" is the same name as \"Nu\\u{{301}}n.txt\" (line {first}) after Unicode normalisation (NFC): one file on macOS and to a reader; a manifest lists each file once"
    );
    env.resign();
    assert_error_is(&env.run(["verify", MANIFEST]), &expected);
    assert_error_is(&env.run(["show", MANIFEST]), &expected);
    // One decomposed name alone is a name like any other.
    let env = TestEnv::sealed();
    env.edit(MANIFEST, "path = \"a.txt\"", r#"path = "Nu\u0301n.txt""#);
    env.resign();
    assert_fails(&env.run(["verify", MANIFEST]), 1, "");
}

#[test]
fn an_unknown_format_version_is_refused_with_an_upgrade_hint() {
    let env = TestEnv::sealed();
    env.edit(MANIFEST, "format_version = 3\n", "format_version = 4\n");
    let expected = format!(
        "{MANIFEST}:3: unsupported manifest format version 4; this docseal reads versions 1 to 3, upgrade docseal to read it"
    );
    assert_error_is(&env.run(["verify", MANIFEST]), &expected);
    assert_error_is(&env.run(["show", MANIFEST]), &expected);
}

#[test]
fn a_future_format_version_with_new_fields_is_refused_for_its_version_not_its_fields() {
    let env = TestEnv::sealed();
    env.edit(MANIFEST, "format_version = 3\n", "format_version = 4\n");
    env.edit(MANIFEST, "sequence = 1\n", "sequence = 1\nparents = []\n");
    assert_error_is(
        &env.run(["verify", MANIFEST]),
        &format!(
            "{MANIFEST}:3: unsupported manifest format version 4; this docseal reads versions 1 to 3, upgrade docseal to read it"
        ),
    );
}

#[test]
fn a_version_1_manifest_is_read_as_before_and_refuses_the_fields_of_version_2() {
    let env = TestEnv::sealed();
    // No capture field and no naming: the body of version 1 has the same root digest.
    env.edit(MANIFEST, "format_version = 3\n", "format_version = 1\n");
    env.resign();
    assert_ok(&env.run(["verify", MANIFEST]));
    env.edit(
        MANIFEST,
        "retrieved = \"2024-10-01T08:30:00Z\"\n",
        "retrieved = \"2024-10-01T08:30:00Z\"\nhttp_status = 200\n",
    );
    env.resign();
    let text = env.read(MANIFEST);
    let line = line_of(&text, "http_status = 200");
    assert_error_is(
        &env.run(["verify", MANIFEST]),
        &format!(
            "{MANIFEST}:{line}: unknown field \"http_status\" in a format_version = 1 manifest (it is new in version 2); a version-1 manifest cannot hold it, so this manifest was edited"
        ),
    );
    env.edit(MANIFEST, "http_status = 200\n", "");
    env.edit(
        MANIFEST,
        "sequence = 1\n",
        "sequence = 1\nnaming = \"sha256-prefix\"\n",
    );
    env.resign();
    let text = env.read(MANIFEST);
    let line = line_of(&text, "naming = ");
    assert_error_is(
        &env.run(["verify", MANIFEST]),
        &format!(
            "{MANIFEST}:{line}: unknown field \"naming\" in a format_version = 1 manifest (it is new in version 2); a version-1 manifest cannot hold it, so this manifest was edited"
        ),
    );
}

#[test]
fn bad_capture_fields_and_naming_schemes_are_refused_with_their_line() {
    let env = TestEnv::sealed();
    for (from, to, says) in [
        (
            "retrieved = \"2024-10-01T08:30:00Z\"\n",
            "retrieved = \"2024-10-01T08:30:00Z\"\nhttp_status = 99\n",
            "http_status 99 is not an HTTP status code (100 to 599)",
        ),
        (
            "retrieved = \"2024-10-01T08:30:00Z\"\n",
            "retrieved = \"2024-10-01T08:30:00Z\"\netag = \"\"\n",
            "etag is empty",
        ),
        (
            "retrieved = \"2024-10-01T08:30:00Z\"\n",
            "retrieved = \"2024-10-01T08:30:00Z\"\nfinal_url = \"x.org/b\"\n",
            "URL \"x.org/b\" is not absolute",
        ),
        (
            "sequence = 1\n",
            "sequence = 1\nnaming = \"md5-prefix\"\n",
            "unknown naming scheme \"md5-prefix\"",
        ),
    ] {
        let original = env.read(MANIFEST);
        env.edit(MANIFEST, from, to);
        env.resign();
        let out = env.run(["verify", MANIFEST]);
        assert_bad_input(&out, &format!("{MANIFEST}:"), says);
        env.write(MANIFEST, original);
    }
}

#[test]
fn an_unknown_digest_algorithm_is_refused() {
    let env = TestEnv::sealed();
    env.edit(
        MANIFEST,
        "digest_algorithm = \"sha256\"",
        "digest_algorithm = \"sha512\"",
    );
    assert_refused(
        &env,
        "digest_algorithm",
        "unknown digest algorithm \"sha512\"; this docseal supports \"sha256\"",
    );
}

#[test]
fn an_unknown_field_in_the_manifest_header_is_refused() {
    let env = TestEnv::sealed();
    env.edit(
        MANIFEST,
        "sequence = 1\n",
        "sequence = 1\ncomment = \"hi\"\n",
    );
    assert_refused(
        &env,
        "comment = ",
        "unknown field \"comment\"; docseal refuses fields it does not know",
    );
}

#[test]
fn an_unknown_field_in_a_file_entry_is_refused() {
    let env = TestEnv::sealed();
    env.edit(
        MANIFEST,
        "path = \"b.txt\"\n",
        "path = \"b.txt\"\nsha265 = \"0000\"\n",
    );
    assert_refused(
        &env,
        "sha265",
        "unknown field \"sha265\"; docseal refuses fields it does not know",
    );
}

#[test]
fn a_malformed_signature_block_is_refused_with_its_line() {
    let env = TestEnv::sealed();
    let text = env.read(MANIFEST);
    let sig_line = text
        .lines()
        .find(|l| l.starts_with("signature = \""))
        .unwrap()
        .to_string();
    // Drop the last three hex digits, keeping the closing quote.
    let short = format!("{}\"", &sig_line[..sig_line.len() - 4]);
    env.edit(MANIFEST, &sig_line, &short);
    let line = line_of(&env.read(MANIFEST), "signature = ");
    assert_error_is(
        &env.run(["verify", MANIFEST]),
        &format!("{MANIFEST}:{line}: signature is not 128 lower-case hex digits"),
    );
}

#[test]
fn crlf_line_endings_are_refused_with_a_clear_message() {
    let env = TestEnv::sealed();
    let text = env.read(MANIFEST);
    env.write(MANIFEST, text.replace('\n', "\r\n"));
    let expected = format!(
        "{MANIFEST}:1: manifest has CR (Windows) line endings, which change the signed bytes; restore the original file (in git, mark manifests \"-text\" in .gitattributes)"
    );
    assert_error_is(&env.run(["verify", MANIFEST]), &expected);
    assert_error_is(&env.run(["show", MANIFEST]), &expected);
}

#[test]
fn a_manifest_that_is_not_utf8_is_refused() {
    let env = TestEnv::sealed();
    let mut bytes = env.read_bytes(MANIFEST);
    let at = bytes.windows(5).position(|w| w == b"b.txt").unwrap();
    bytes[at] = 0xff;
    env.write(MANIFEST, &bytes);
    let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
    assert_error_is(
        &env.run(["verify", MANIFEST]),
        &format!("{MANIFEST}:{line}: manifest is not valid UTF-8 text"),
    );
}

#[test]
fn a_missing_manifest_is_refused_naming_it() {
    let env = TestEnv::sealed();
    assert_error_is(
        &env.run(["verify", "manifests/nope.toml"]),
        "manifests/nope.toml: cannot read: not found",
    );
}

#[test]
fn the_entries_of_a_manifest_whose_signature_fails_are_not_parsed_by_verify() {
    let env = TestEnv::sealed();
    env.edit(
        MANIFEST,
        "path = \"b.txt\"\n",
        "path = \"b.txt\"\nsha265 = \"0000\"\n",
    );
    let out = env.run(["verify", MANIFEST]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(
        report.starts_with("signature  INVALID: a signature claiming key \"k\"")
            && report.contains("files not checked: the manifest's signature cannot be trusted"),
        "{report}"
    );
    // show (no signature check) reads the entries and refuses the unknown field.
    let line = line_of(&env.read(MANIFEST), "sha265");
    assert_bad_input(
        &env.run(["show", MANIFEST]),
        &format!("{MANIFEST}:{line}: "),
        "unknown field \"sha265\"",
    );
}

#[test]
fn an_error_quoting_a_huge_path_is_shortened_to_one_readable_line() {
    let env = TestEnv::sealed();
    let huge = format!("/{}", "x".repeat(10_000_000));
    env.edit(MANIFEST, "path = \"b.txt\"", &format!("path = \"{huge}\""));
    env.resign();
    for command in ["verify", "show"] {
        let out = env.run([command, MANIFEST]);
        assert_fails(&out, 2, " bytes left out]…");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{command}");
        assert!(err.len() < 1200, "{command}: {} bytes", err.len());
        assert!(err.contains("absolute path \"/xxx"), "{err}");
        assert!(
            err.ends_with("paths are relative to the collection\n"),
            "{err}"
        );
    }
}
