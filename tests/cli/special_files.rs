/*!
What is not a plain readable file with a UTF-8 name: unreadable files, FIFOs, symbolic links and
names that are not valid UTF-8, when sealing and when verifying. Nothing hangs, nothing outside the
collection is read, and what cannot be recorded is refused with a clear message.
*/

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command;

use crate::schema::{FileStatus, SkipKind};
use crate::util::*;

/// True when permission bits do not stop this process from reading (tests running as root), in
/// which case a note goes to the test log and the caller skips its assertions. `.ci/run` runs
/// this test binary a second time as `nobody`, where they hold.
#[allow(clippy::print_stderr)]
fn permissions_are_ignored(chmodded_000: &Path) -> bool {
    if std::fs::File::open(chmodded_000).is_ok() {
        eprintln!(
            "note: running with privileges that ignore permission bits (root?); skipping the unreadable-file assertions"
        );
        true
    } else {
        false
    }
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {} failed", path.display());
}

#[test]
fn seal_refuses_an_unreadable_file_naming_it_and_writes_nothing() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    chmod(&env.join("col/b.txt"), 0o000);
    if permissions_are_ignored(&env.join("col/b.txt")) {
        return;
    }
    let out = env.run(["seal", "col", "--key", "k"]);
    assert_error_is(
        &out,
        "col/b.txt: cannot read: permission denied; fix its permissions or move it out of the collection",
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn verify_reports_an_unreadable_sealed_file_and_goes_on() {
    let env = TestEnv::sealed();
    chmod(&env.join("col/a.txt"), 0o000);
    if permissions_are_ignored(&env.join("col/a.txt")) {
        return;
    }
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &[
            "unreadable a.txt: cannot read: permission denied",
            "ok         b.txt",
            "ok         sub/c.txt",
        ],
    );
}

#[test]
fn seal_skips_a_fifo_with_a_warning_instead_of_hanging() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    mkfifo(&env.join("col/pipe"));
    let out = env.run(["seal", "col", "--key", "k"]);
    assert_ok_with_warnings(&out);
    assert_eq!(stderr(&out), "docseal: warning: skipped pipe: named pipe\n");
    assert!(stdout(&out).contains("\n1 entries skipped: not regular files\n"));
    assert!(stdout(&out).starts_with("sealed 3 files "));
    assert!(!env.read(MANIFEST).contains("pipe"));

    let out = env.run(["verify", MANIFEST]);
    assert_ok(&out);
    assert!(stdout(&out).contains("\nskipped    pipe: named pipe\n"));
    let (_, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].path, "pipe");
    assert_eq!(report.skipped[0].kind, SkipKind::Fifo);
}

#[test]
fn verify_of_a_sealed_file_replaced_by_a_fifo_reports_it_unreadable_without_hanging() {
    let env = TestEnv::sealed();
    std::fs::remove_file(env.join("col/a.txt")).unwrap();
    mkfifo(&env.join("col/a.txt"));
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(&out, &["unreadable a.txt: is now a named pipe"]);
}

#[test]
fn seal_does_not_follow_a_symlink_to_a_file_outside_the_collection() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    env.write("outside/secret.txt", "not for the manifest\n");
    // A FIFO outside too: following the link and opening it would block.
    mkfifo(&env.join("outside/pipe"));
    std::os::unix::fs::symlink("../outside/secret.txt", env.join("col/link")).unwrap();
    std::os::unix::fs::symlink("../outside/pipe", env.join("col/pipe-link")).unwrap();
    std::os::unix::fs::symlink("../outside", env.join("col/dir-link")).unwrap();

    let out = env.run(["seal", "col", "--key", "k"]);
    assert_ok_with_warnings(&out);
    assert_eq!(
        stderr(&out),
        "docseal: warning: skipped dir-link: symbolic link (not followed)\n\
         docseal: warning: skipped link: symbolic link (not followed)\n\
         docseal: warning: skipped pipe-link: symbolic link (not followed)\n"
    );
    assert!(
        stdout(&out).starts_with("sealed 3 files (26 bytes) "),
        "{}",
        stdout(&out)
    );
    let manifest = env.read(MANIFEST);
    for absent in ["link", "secret.txt", "pipe"] {
        assert!(!manifest.contains(absent), "{absent} in:\n{manifest}");
    }

    let out = env.run(["verify", MANIFEST]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("\nskipped    link: symbolic link (not followed)\n"),
        "{text}"
    );
    let (_, report) = env.verify_json(&[MANIFEST]);
    assert!(report.success);
    assert_eq!(
        report.skipped_kinds(),
        [
            ("dir-link", SkipKind::Symlink),
            ("link", SkipKind::Symlink),
            ("pipe-link", SkipKind::Symlink)
        ]
    );
    assert!(
        report.files.iter().all(|f| !f.path.contains("link")),
        "a link got a file verdict, so it was read: {report:#?}"
    );
}

#[test]
fn verify_of_a_sealed_file_replaced_by_a_symlink_to_identical_content_is_not_ok() {
    let env = TestEnv::sealed();
    env.write("outside/a.txt", "alpha\n");
    std::fs::remove_file(env.join("col/a.txt")).unwrap();
    std::os::unix::fs::symlink("../outside/a.txt", env.join("col/a.txt")).unwrap();
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &["unreadable a.txt: is now a symbolic link (not followed)"],
    );
}

#[test]
fn seal_refuses_a_file_name_that_is_not_utf8_and_writes_nothing() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    let name = OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(env.join("col").join(name), "latin-1 name").unwrap();
    let out = env.run(["seal", "col", "--key", "k"]);
    assert_error_is(
        &out,
        "col/caf\\xe9.txt: file name is not valid UTF-8; rename it (manifest paths are UTF-8)",
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn verify_reports_a_file_name_that_is_not_utf8_as_extra() {
    let env = TestEnv::sealed();
    let name = OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(env.join("col").join(name), "latin-1 name").unwrap();
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &[
            "extra      caf\\xe9.txt: file name is not valid UTF-8; rename it (manifest paths are UTF-8)",
        ],
    );
    let (_, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(report.file("caf\\xe9.txt").status, FileStatus::Extra);
    assert_eq!(report.totals.extra, 1);
    assert_eq!(report.totals.ok, 3);
}

#[test]
fn seal_refuses_a_file_name_with_control_characters_in_one_escaped_line() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    env.write("col/evil\n\x1b[2Jname", "x");
    let out = env.run(["seal", "col", "--key", "k"]);
    assert_error_is(
        &out,
        r#"col/evil\n\u{1b}[2Jname: path "evil\n\u{1b}[2Jname" contains a control character; rename the file"#,
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn verify_escapes_control_characters_in_file_names_before_printing_them() {
    let env = TestEnv::sealed();
    env.write("col/evil\x1b[2J\u{202E}txt.exe", "x");
    let out = env.run(["verify", MANIFEST]);
    assert_verify_fails(
        &out,
        &[
            r#"extra      evil\u{1b}[2J\u{202e}txt.exe: path "evil\u{1b}[2J\u{202e}txt.exe" contains a control character; rename the file"#,
        ],
    );
    assert!(
        !out.stdout.contains(&0x1b),
        "a raw escape reached the terminal"
    );
    // JSON keeps the real name (JSON escaping makes it safe).
    let (_, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(
        report.file("evil\x1b[2J\u{202E}txt.exe").status,
        FileStatus::Extra
    );
}
