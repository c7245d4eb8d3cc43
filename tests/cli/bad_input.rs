/*!
Bad sources lists and bad keys: exit status 2, one line on stderr naming the file (and for parse
errors the line), and for `seal` nothing half-written: no manifest, no temporary file.
*/

use crate::util::*;

/// An environment with key "k" and the standard collection, not yet sealed.
fn unsealed() -> TestEnv {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    env
}

/// Seals with `sources.toml` and checks the refusal.
fn assert_sources_refused(env: &TestEnv, prefix: &str, message: &str) {
    let out = env.run(["seal", "col", "--key", "k", "--sources", "sources.toml"]);
    assert_bad_input(&out, prefix, message);
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn malformed_toml_in_a_sources_list_is_refused_with_its_line() {
    let env = unsealed();
    env.write(
        "sources.toml",
        "[[source]]\npath = \"a.txt\"\nurl = https://example.org/a\n",
    );
    assert_sources_refused(&env, "sources.toml:3: ", "string values must be quoted");
}

#[test]
fn a_source_for_a_file_not_in_the_collection_is_refused() {
    let env = unsealed();
    env.write(
        "sources.toml",
        format!("{SOURCES}\n[[source]]\npath = \"nope.txt\"\nurl = \"https://example.org/n\"\n"),
    );
    let line = line_of(&env.read("sources.toml"), "nope.txt");
    let out = env.run(["seal", "col", "--key", "k", "--sources", "sources.toml"]);
    assert_error_is(
        &out,
        &format!(
            "sources.toml:{line}: source for \"nope.txt\", which is not a file in the collection; fix the path or remove the entry"
        ),
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn a_source_url_that_is_not_absolute_is_refused() {
    let env = unsealed();
    env.edit_sources("url = \"https://example.org/b\"", "url = \"example.org/b\"");
    let line = line_of(&env.read("sources.toml"), "example.org/b");
    assert_sources_refused(
        &env,
        &format!("sources.toml:{line}: "),
        "URL \"example.org/b\" is not absolute",
    );
}

#[test]
fn a_retrieval_time_that_is_not_rfc3339_is_refused() {
    let env = unsealed();
    env.edit_sources(
        "retrieved = \"2024-10-01T08:30:00Z\"",
        "retrieved = \"01/10/2024 08:30\"",
    );
    let line = line_of(&env.read("sources.toml"), "01/10/2024");
    let out = env.run(["seal", "col", "--key", "k", "--sources", "sources.toml"]);
    assert_error_is(
        &out,
        &format!(
            "sources.toml:{line}: \"01/10/2024 08:30\" is not an RFC 3339 time; write e.g. \"2024-09-30T14:05:00Z\" or \"unknown\""
        ),
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn a_retrieval_time_without_an_offset_is_refused() {
    let env = unsealed();
    env.edit_sources(
        "retrieved = \"2024-10-01T08:30:00Z\"",
        "retrieved = 2024-10-01T08:30:00",
    );
    let line = line_of(&env.read("sources.toml"), "2024-10-01T08:30:00");
    assert_sources_refused(
        &env,
        &format!("sources.toml:{line}: "),
        "is not an RFC 3339 time",
    );
}

#[test]
fn a_source_path_leaving_the_collection_is_refused() {
    let env = unsealed();
    env.edit_sources("path = \"b.txt\"", "path = \"../b.txt\"");
    let line = line_of(&env.read("sources.toml"), "../b.txt");
    assert_sources_refused(
        &env,
        &format!("sources.toml:{line}: "),
        "has a \"..\" segment",
    );
}

#[test]
fn a_missing_sources_list_is_refused_naming_it() {
    let env = unsealed();
    let out = env.run(["seal", "col", "--key", "k", "--sources", "nope.toml"]);
    assert_error_is(&out, "nope.toml: cannot read: not found");
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn a_missing_secret_key_file_is_refused() {
    let env = unsealed();
    let out = env.run(["seal", "col", "--key", "private/none.key"]);
    assert_error_is(
        &out,
        "private/none.key: secret key not found; pass the path of a key made by `docseal keygen`",
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn a_missing_secret_key_name_is_refused_with_a_keygen_hint() {
    let env = unsealed();
    let out = env.run(["seal", "col", "--key", "other"]);
    assert_error_is(
        &out,
        &format!(
            "other: secret key not found (nor {}); run `docseal keygen --name other` or pass the key file's path",
            env.default_secret("other").display()
        ),
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn a_corrupt_secret_key_file_is_refused() {
    let env = unsealed();
    let secret = env.default_secret("k");
    std::fs::write(&secret, "this is not a key\n").unwrap();
    let out = env.run(["seal", "col", "--key", "k"]);
    assert_bad_input(
        &out,
        &format!("{}:1: ", secret.display()),
        "; this is not a valid docseal key file",
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn a_secret_key_whose_bytes_were_changed_is_refused() {
    let env = unsealed();
    let secret = env.default_secret("k");
    let text = std::fs::read_to_string(&secret).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("secret_key = \""))
        .unwrap();
    let flipped = flip_last_hex_digit(line);
    std::fs::write(&secret, text.replace(line, &flipped)).unwrap();
    let out = env.run(["seal", "col", "--key", "k"]);
    assert_bad_input(
        &out,
        &format!("{}: corrupt key file: key_id ", secret.display()),
        "does not match the key",
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn a_secret_key_readable_by_other_users_is_refused() {
    let env = unsealed();
    let secret = env.default_secret("k");
    chmod(&secret, 0o644);
    let out = env.run(["seal", "col", "--key", "k"]);
    assert_error_is(
        &out,
        &format!(
            "{path}: secret key is readable by other users (mode 0644); run `chmod 600 {path}` and check who has seen it",
            path = secret.display()
        ),
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn a_public_key_given_as_the_signing_key_is_refused() {
    let env = unsealed();
    let out = env.run(["seal", "col", "--key", "keys/k.pub"]);
    // Not "readable by other users": a public key is meant to be (regression: it was reported as
    // an exposed secret key).
    assert_error_is(
        &out,
        "keys/k.pub: this is a public key; seal needs the secret key (by default in ~/.config/docseal/keys/NAME.key)",
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn a_corrupt_trusted_public_key_is_refused_not_skipped() {
    let env = TestEnv::sealed();
    let text = env.read("keys/k.pub");
    let line = text
        .lines()
        .find(|l| l.starts_with("public_key = \""))
        .unwrap();
    env.write("keys/k.pub", text.replace(line, &flip_last_hex_digit(line)));
    let out = env.run(["verify", MANIFEST]);
    assert_bad_input(&out, "keys/k.pub: corrupt key file: ", "");
    let out = env.run(["verify", MANIFEST, "--trust", "keys/k.pub"]);
    assert_bad_input(&out, "keys/k.pub: corrupt key file: ", "");
}

#[test]
fn a_trusted_public_key_that_is_not_toml_is_refused_with_its_line() {
    let env = TestEnv::sealed();
    env.write("keys/k.pub", "type = \"docseal-public-key\"\nname = \n");
    let out = env.run(["verify", MANIFEST]);
    assert_bad_input(
        &out,
        "keys/k.pub:2: ",
        "this is not a valid docseal key file",
    );
}

#[test]
fn verify_without_any_trusted_key_is_refused() {
    let env = TestEnv::sealed();
    std::fs::remove_file(env.join("keys/k.pub")).unwrap();
    let out = env.run(["verify", MANIFEST]);
    assert_error_is(
        &out,
        "no trusted public keys in keys; pass --trust KEY.pub (or a folder of .pub files)",
    );
}

#[test]
fn verify_of_a_missing_collection_folder_is_refused() {
    let env = TestEnv::sealed();
    std::fs::rename(env.join("col"), env.join("moved")).unwrap();
    let out = env.run(["verify", MANIFEST]);
    assert_error_is(
        &out,
        "manifests/../col: collection not found (the manifest says collection = \"../col\"); pass --root DIR or --archive FILE",
    );
}

/// `line` with its last hex digit (before the closing quote) changed.
fn flip_last_hex_digit(line: &str) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    let i = chars.len() - 2;
    chars[i] = if chars[i] == '0' { '1' } else { '0' };
    chars.into_iter().collect()
}

impl TestEnv {
    /// Writes the standard sources list with one edit.
    fn edit_sources(&self, from: &str, to: &str) {
        self.write("sources.toml", SOURCES);
        self.edit("sources.toml", from, to);
    }
}

#[test]
fn a_public_key_file_that_also_holds_a_secret_key_is_refused_with_a_warning() {
    let env = TestEnv::sealed();
    let secret = std::fs::read_to_string(env.default_secret("k")).unwrap();
    let line = secret
        .lines()
        .find(|l| l.starts_with("secret_key = \""))
        .unwrap();
    let public = env.read("keys/k.pub");
    env.write("keys/k.pub", format!("{public}{line}\n"));
    let out = env.run(["verify", MANIFEST]);
    assert_bad_input(
        &out,
        "keys/k.pub: this public key file also holds a secret_key, a secret in a file meant to be committed",
        "make a new key if this file was ever shared",
    );
}
