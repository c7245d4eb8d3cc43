/*!
Names that are distinct on Linux but one name elsewhere (equal after Unicode normalisation, or
ignoring case), and names holding characters that show nothing: what `seal` and `verify` say.
*/

use crate::schema::{ClashKind, FileStatus, NameClash};
use crate::util::*;

/// `Núñez.txt` precomposed (as typed on Linux) and decomposed (as macOS writes it).
const NFC: &str = "N\u{fa}\u{f1}ez.txt";
const NFD: &str = "Nu\u{301}n\u{303}ez.txt";

#[test]
fn seal_warns_about_names_equal_ignoring_case_and_verify_reports_them() {
    let env = TestEnv::new();
    env.keygen("k");
    env.collection("col")
        .file("Report.pdf", "one\n")
        .file("report.PDF", "two\n")
        .file("sub/a.txt", "a\n")
        .file("SUB/A.txt", "b\n")
        .file("other.txt", "c\n");
    let out = env.run(["seal", "col", "--key", "k"]);
    assert_ok_with_warnings(&out);
    let err = stderr(&out);
    for (a, b) in [("Report.pdf", "report.PDF"), ("SUB/A.txt", "sub/a.txt")] {
        let line = format!(
            "docseal: warning: {a} and {b} are equal ignoring case: one file on macOS and Windows, which ignore case"
        );
        assert!(err.contains(&line), "{err}");
    }
    // Verify names them too, and still verifies: a warning, not a failure.
    let (out, report) = env.verify_json(&[MANIFEST]);
    assert_ok(&out);
    assert_eq!(
        report.name_clashes,
        [
            NameClash {
                paths: ["Report.pdf".into(), "report.PDF".into()],
                kind: ClashKind::Case
            },
            NameClash {
                paths: ["SUB/A.txt".into(), "sub/a.txt".into()],
                kind: ClashKind::Case
            },
        ]
    );
    let out = env.run(["verify", MANIFEST]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("clash      Report.pdf and report.PDF: equal ignoring case"),
        "{}",
        stdout(&out)
    );
    // Quiet and successful: nothing at all.
    assert_eq!(stdout(&env.run(["verify", "-q", MANIFEST])), "");
}

#[test]
fn seal_refuses_two_names_equal_after_unicode_normalisation() {
    let env = TestEnv::new();
    env.keygen("k");
    env.collection("col")
        .file(NFC, "typed on Linux\n")
        .file(NFD, "typed on macOS\n")
        .file("other.txt", "c\n");
    let out = env.run(["seal", "col", "--key", "k"]);
    assert_fails(
        &out,
        2,
        "are the same name after Unicode normalisation (NFC): one file on macOS",
    );
    assert!(
        stderr(&out).contains("rename one of them"),
        "{}",
        stderr(&out)
    );
    assert!(!env.exists(MANIFEST));
    // One of the two is enough.
    std::fs::remove_file(env.join(format!("col/{NFD}"))).unwrap();
    assert_ok(&env.run(["seal", "col", "--key", "k"]));
    let (out, report) = env.verify_json(&[MANIFEST]);
    assert_ok(&out);
    assert!(report.name_clashes.is_empty());
}

#[test]
fn invisible_characters_in_names_are_shown_escaped_in_reports_and_warnings() {
    let env = TestEnv::new();
    env.keygen("k");
    env.collection("col")
        .file("ab.txt", "plain\n")
        .file("a\u{200b}b.txt", "with a zero-width space\n")
        .file("\u{feff}bom.txt", "byte-order mark\n")
        .file("tag\u{e0041}.txt", "tag character\n");
    assert_ok(&env.run(["seal", "col", "--key", "k"]));
    let out = env.run(["verify", MANIFEST]);
    assert_ok(&out);
    let text = stdout(&out);
    for line in [
        "ok         ab.txt\n",
        "ok         a\\u{200b}b.txt\n",
        "ok         \\u{feff}bom.txt\n",
        "ok         tag\\u{e0041}.txt\n",
    ] {
        assert!(text.contains(line), "{line:?} not in\n{text}");
    }
    assert!(
        !text.contains('\u{200b}') && !text.contains('\u{feff}'),
        "{text}"
    );
    // The JSON report keeps the names exactly.
    let (_, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(report.file("a\u{200b}b.txt").status, FileStatus::Ok);
}
