/*!
Other tools' formats and what the command line offers beside the main commands: `export
sha256sum` checked by the real `sha256sum -c`, completion scripts loaded by the real `bash`, and
manual pages rendered by the real `man` without warnings, and `seal --digests` checking a
collection against a list made by the real `sha256sum`.
*/

use std::process::Command;

use crate::util::*;

/// Runs `sha256sum -c LIST` in `dir` of the environment.
fn sha256sum_check(env: &TestEnv, dir: &str, list: &str) -> std::process::Output {
    let mut cmd = Command::new("sha256sum");
    cmd.arg("-c").arg(env.join(list)).current_dir(env.join(dir));
    run_command(cmd)
}

#[test]
fn an_exported_sha256sum_list_is_accepted_by_sha256sum_and_catches_a_change() {
    let env = TestEnv::new();
    env.keygen("k");
    env.collection("col")
        .file("plain.txt", "p\n")
        .file("with space.txt", "s\n")
        .file("ünïcode/名前.txt", "u\n")
        .file("deep/er/x", "x\n");
    assert_ok(&env.run(["seal", "col", "--key", "k"]));
    let out = env.run(["export", "sha256sum", MANIFEST, "-o", "col.sha256"]);
    assert_ok_with_warnings(&out);
    assert_eq!(
        stderr(&out),
        format!("exported 4 files from {MANIFEST} to col.sha256\n")
    );
    let check = sha256sum_check(&env, "col", "col.sha256");
    assert!(
        check.status.success(),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
    assert_eq!(
        stdout(&check)
            .lines()
            .filter(|l| l.ends_with(": OK"))
            .count(),
        4
    );
    env.write("col/with space.txt", "changed\n");
    let check = sha256sum_check(&env, "col", "col.sha256");
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stdout(&check).contains("with space.txt: FAILED"),
        "{}",
        stdout(&check)
    );
}

#[test]
fn export_writes_the_list_to_standard_output_by_default() {
    let env = TestEnv::sealed();
    let out = env.run(["export", "sha256sum", MANIFEST]);
    assert_ok(&out);
    let lines: Vec<String> = stdout(&out).lines().map(String::from).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].ends_with("  a.txt"), "{lines:?}");
    assert!(lines[2].ends_with("  sub/c.txt"), "{lines:?}");
}

#[test]
fn nothing_is_exported_from_a_manifest_whose_signature_is_not_trusted() {
    let env = TestEnv::sealed();
    env.keygen("other");
    std::fs::remove_file(env.join("keys/k.pub")).unwrap();
    let out = env.run(["export", "sha256sum", MANIFEST, "-o", "list"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out)
            .contains("nothing exported from manifests/col.toml: its signature cannot be trusted"),
        "{}",
        stderr(&out)
    );
    assert!(!env.exists("list"));
}

#[test]
fn nothing_is_exported_from_a_manifest_changed_after_signing() {
    let env = TestEnv::sealed();
    let text = env.read(MANIFEST).replacen("size = 6", "size = 7", 1);
    env.write(MANIFEST, text);
    let out = env.run(["export", "sha256sum", MANIFEST]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).starts_with("signature  INVALID"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn export_never_overwrites_a_list_without_force() {
    let env = TestEnv::sealed();
    env.write("list", "keep me\n");
    let out = env.run(["export", "sha256sum", MANIFEST, "-o", "list"]);
    assert_error_is(
        &out,
        "list: checksum list already exists; pass --force to overwrite it",
    );
    assert_eq!(env.read("list"), "keep me\n");
    assert_ok_with_warnings(&env.run(["export", "sha256sum", MANIFEST, "-o", "list", "--force"]));
    assert_eq!(env.read("list").lines().count(), 3);
    assert!(env.stray_temp_files().is_empty());
}

#[test]
fn the_list_writer_escapes_names_as_sha256sum_reads_them() {
    // Names a manifest cannot hold (a backslash, a line feed, a carriage return), written by the
    // library's writer and read back by the real `sha256sum -c`.
    let env = TestEnv::new();
    let names = [
        "back\\slash",
        "line\nfeed",
        "carriage\rreturn",
        "plain name",
    ];
    let mut list = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let content = format!("{i}\n");
        env.write(format!("odd/{name}"), &content);
        let digest = docseal::digest::Sha256Digest::of(content.as_bytes());
        docseal::interop::sha256sum::write_line(&mut list, &digest, name).unwrap();
    }
    env.write("odd.sha256", &list);
    let check = sha256sum_check(&env, "odd", "odd.sha256");
    assert!(
        check.status.success(),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
    assert_eq!(
        stdout(&check).lines().count(),
        names.len(),
        "{}",
        stdout(&check)
    );
}

#[test]
fn completion_scripts_are_generated_for_every_shell_and_bash_loads_its_own() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = env.run(["completions", shell]);
        assert_ok(&out);
        assert!(stdout(&out).contains("docseal"), "{shell}");
    }
    let script = stdout(&env.run(["completions", "bash"]));
    env.write("docseal.bash", &script);
    let mut bash = Command::new("bash");
    bash.arg("-c")
        .arg("source ./docseal.bash && complete -p docseal")
        .current_dir(env.path());
    let out = run_command(bash);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("docseal"), "{}", stdout(&out));
    let out = env.run(["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_manual_page_renders_without_warnings() {
    let env = TestEnv::new();
    for page in std::iter::once("").chain(SUBCOMMANDS.iter().copied()) {
        let args: Vec<&str> = ["man", page]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        let out = env.run(&args);
        assert_ok(&out);
        let title = if page.is_empty() {
            "docseal".to_string()
        } else {
            format!("docseal-{page}")
        };
        assert!(stdout(&out).contains(&format!(".TH {title} 1")), "{page}");
        env.write("page.1", stdout(&out));
        let mut man = Command::new("man");
        man.args(["--warnings", "-l", "-Tutf8", "page.1"])
            .env("MANWIDTH", "80")
            .current_dir(env.path());
        let rendered = run_command(man);
        assert!(rendered.status.success(), "{page}: {}", stderr(&rendered));
        assert_eq!(stderr(&rendered), "", "{page}: man warned");
        assert!(stdout(&rendered).contains(&format!("{title}(1)")), "{page}");
    }
    assert_error_is(
        &env.run(["man", "nope"]),
        &format!(
            "no subcommand \"nope\"; the manual pages are of: {}",
            SUBCOMMANDS.join(", ")
        ),
    );
}

/// A `sha256sum` list of every file of `col/`, made by the real tool (with `--tag` if asked).
fn real_list(env: &TestEnv, tag: bool) -> String {
    let mut cmd = Command::new("bash");
    let flag = if tag { "--tag" } else { "" };
    cmd.arg("-c")
        .arg(format!(
            "find . -type f -print0 | sort -z | xargs -0 sha256sum {flag}"
        ))
        .current_dir(env.join("col"));
    let out = run_command(cmd);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn seal_checks_the_files_against_a_sha256sum_list_in_either_form() {
    for tag in [false, true] {
        let env = TestEnv::new();
        env.keygen("k");
        env.standard_collection();
        env.write("col/with space.txt", "s\n");
        env.write("list", real_list(&env, tag));
        let out = env.run(["seal", "col", "--key", "k", "--digests", "list"]);
        assert_ok(&out);
        assert_ok(&env.run(["verify", MANIFEST]));
    }
}

#[test]
fn seal_refuses_a_file_whose_digest_differs_from_the_list_naming_its_line() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    env.write("list", real_list(&env, false));
    env.write("col/b.txt", "changed after the list was made\n");
    let out = env.run(["seal", "col", "--key", "k", "--digests", "list"]);
    assert_bad_input(
        &out,
        "list:2: \"b.txt\" does not match: the list says ",
        "the file changed after the list was made",
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn seal_refuses_a_file_the_list_does_not_name_and_a_listed_file_that_is_gone() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    env.write("list", real_list(&env, false));
    env.write("col/new.txt", "new\n");
    let out = env.run(["seal", "col", "--key", "k", "--digests", "list"]);
    assert_error_is(
        &out,
        "list: has no line for \"new.txt\", which is in the collection; add it to the list or take the file out",
    );
    std::fs::remove_file(env.join("col/new.txt")).unwrap();
    std::fs::remove_file(env.join("col/a.txt")).unwrap();
    let out = env.run(["seal", "col", "--key", "k", "--digests", "list"]);
    assert_error_is(
        &out,
        "list:1: \"a.txt\" is listed but is not a file of the collection; fix the list or restore the file",
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn seal_refuses_a_digests_list_that_is_not_one() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    env.write("list", "this is not a checksum list\n");
    let out = env.run(["seal", "col", "--key", "k", "--digests", "list"]);
    assert_bad_input(&out, "list:1: ", "a sha256sum list has lines");
    let out = env.run(["seal", "col", "--key", "k", "--digests", "nowhere"]);
    assert_bad_input(&out, "nowhere: ", "not found");
    env.assert_nothing_written(MANIFEST);
}
