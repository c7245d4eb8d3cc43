/*!
Snapshots of `--help` for docseal and each subcommand, so that a reviewer reads the exact text a
user sees and every change to it shows up in a diff. Run with `DOCSEAL_UPDATE_SNAPSHOTS=1` to
rewrite the files in `tests/cli/snapshots/` after an intended change.
*/

use std::path::PathBuf;

use crate::util::*;

fn check_snapshot(name: &str, args: &[&str]) {
    let env = TestEnv::new();
    let out = env.run(args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let actual = stdout(&out);
    let file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/cli/snapshots/{name}.txt"));
    if std::env::var_os("DOCSEAL_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&file, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&file).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with DOCSEAL_UPDATE_SNAPSHOTS=1",
            file.display()
        )
    });
    assert_eq!(
        actual,
        expected,
        "help text of `docseal {}` changed; review it and run with DOCSEAL_UPDATE_SNAPSHOTS=1",
        args.join(" ")
    );
}

#[test]
fn top_level_help_matches_its_snapshot_and_states_the_exit_statuses() {
    check_snapshot("help", &["--help"]);
    let out = TestEnv::new().run(["--help"]);
    for line in [
        "  0  success: everything verified",
        "  1  verification failed: bad, untrusted or missing signature, or a file not ok",
        "  2  docseal could not run: bad arguments, unreadable or malformed input, missing key",
    ] {
        assert!(stdout(&out).contains(line), "{line}");
    }
}

#[test]
fn subcommand_help_matches_its_snapshot() {
    for &cmd in SUBCOMMANDS {
        check_snapshot(&format!("help-{cmd}"), &[cmd, "--help"]);
    }
}

#[test]
fn export_format_help_matches_its_snapshot() {
    check_snapshot("help-export-sha256sum", &["export", "sha256sum", "--help"]);
}

#[test]
fn each_subcommand_states_the_exit_statuses_it_can_give_with_examples() {
    let env = TestEnv::new();
    for (cmd, statuses) in [
        ("keygen", &["  0  the key pair was written", "  2  "][..]),
        ("seal", &["  0  the manifest was written", "  2  "][..]),
        (
            "sign",
            &[
                "  0  a signature was added",
                "  1  with --verify-first",
                "  2  ",
            ][..],
        ),
        ("passwd", &["  0  the key file was rewritten", "  2  "][..]),
        (
            "verify",
            &["  0  success", "  1  verification failed", "  2  "][..],
        ),
        (
            "export",
            &["  0  written", "  1  nothing written", "  2  "][..],
        ),
        (
            "validate-bag",
            &[
                "  0  the bag is valid",
                "  1  the bag is not valid",
                "  2  ",
            ][..],
        ),
    ] {
        let help = stdout(&env.run([cmd, "--help"]));
        assert!(help.contains("\nExamples:\n  docseal "), "{cmd}");
        for line in statuses {
            assert!(help.contains(&format!("\n{line}")), "{cmd}: {line}");
        }
        if cmd != "verify" {
            assert!(!help.contains("everything verified"), "{cmd}");
        }
    }
}

#[test]
fn the_tests_know_every_subcommand_the_help_lists() {
    let help = stdout(&TestEnv::new().run(["--help"]));
    let listed: Vec<&str> = help
        .split("Commands:\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.strip_prefix("  ").filter(|r| !r.starts_with(' ')))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .collect();
    assert_eq!(listed, SUBCOMMANDS);
}
