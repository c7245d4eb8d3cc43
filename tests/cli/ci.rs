/*!
The reports for CI systems: `verify --format junit` validated against the JUnit schema
(`tests/vectors/junit/junit-10.xsd`, by Python's `xmlschema`) and read by a real XML parser — one
case per problem and a summary, never one per ok file, also for 10⁵ problems —
and `verify --format github`: workflow commands as the Actions toolkit escapes them, at most 10
error annotations, and the step summary appended to the file `GITHUB_STEP_SUMMARY` names.
`--output FILE` writes the report to a file while the text report goes to standard output.
*/

use crate::util::*;

/// The JUnit schema the reports must validate against: Jenkins' `junit-10.xsd`, as pytest and the
/// common reporters write to it and GitLab reads it (tests/vectors/junit/README.md).
const JUNIT_XSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vectors/junit/junit-10.xsd"
);

/// `(classname, name, failure type or "")` of every test case of a JUnit document, read by
/// Python's XML parser once the document is validated against [`JUNIT_XSD`] by `xmlschema`.
fn junit_cases(env: &TestEnv, xml: &str) -> Vec<(String, String, String)> {
    junit_cases_checked(env, xml, true)
}

/// The cases of a JUnit report, `(classname, name, failure type)`, after validating it against
/// the schema when `schema` is set (xmlschema takes ~40 s for 10⁵ cases, so the largest report
/// is only parsed: its cases are of the kinds the smaller reports validate).
fn junit_cases_checked(env: &TestEnv, xml: &str, schema: bool) -> Vec<(String, String, String)> {
    env.write("report.xml", xml);
    let mut py = python3();
    py.arg("-c")
        .arg(
            "import sys, xmlschema, xml.etree.ElementTree as E\n\
             if sys.argv[2] == 'schema': xmlschema.XMLSchema(sys.argv[1]).validate('report.xml')\n\
             r = E.parse('report.xml').getroot()\n\
             assert r.tag == 'testsuites', r.tag\n\
             for c in r.iter('testcase'):\n\
             \x20   f = c.find('failure')\n\
             \x20   print(c.get('classname'), c.get('name'), '' if f is None else f.get('type'), sep='\\t')\n",
        )
        .arg(JUNIT_XSD)
        .arg(if schema { "schema" } else { "parse" })
        .current_dir(env.path());
    let out = run_command(py);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| {
            let mut parts = l.split('\t').map(String::from);
            let mut next = || parts.next().unwrap_or_default();
            (next(), next(), next())
        })
        .collect()
}

fn case(name: &str, kind: &str) -> (String, String, String) {
    ("docseal.col".into(), name.into(), kind.into())
}

#[test]
fn junit_of_a_verified_collection_is_one_passing_summary_case() {
    let env = TestEnv::sealed();
    let out = env.run(["verify", MANIFEST, "--format", "junit"]);
    assert_ok(&out);
    assert_eq!(junit_cases(&env, &stdout(&out)), [case("summary", "")]);
}

#[test]
fn junit_has_one_failing_case_per_problem_named_by_path() {
    let env = TestEnv::sealed();
    env.write("col/a.txt", "changed\n");
    std::fs::rename(env.join("col/b.txt"), env.join("col/moved.txt")).unwrap();
    std::fs::remove_file(env.join("col/sub/c.txt")).unwrap();
    env.write("col/new.txt", "new\n");
    let out = env.run(["verify", MANIFEST, "--format", "junit"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        junit_cases(&env, &stdout(&out)),
        [
            case("a.txt", "modified"),
            case("moved.txt", "moved"),
            case("new.txt", "extra"),
            case("sub/c.txt", "missing"),
            case("summary", "verification"),
        ]
    );
}

#[test]
fn junit_names_the_files_lacking_provenance_when_it_is_required() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    assert_ok(&env.run(["seal", "col", "--key", "k"]));
    let out = env.run([
        "verify",
        MANIFEST,
        "--format",
        "junit",
        "--require-provenance",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let cases = junit_cases(&env, &stdout(&out));
    assert_eq!(
        cases,
        [
            case("a.txt", "provenance"),
            case("b.txt", "provenance"),
            case("sub/c.txt", "provenance"),
            case("summary", "verification"),
        ]
    );
}

#[test]
fn junit_of_an_untrusted_manifest_is_a_signature_case_and_no_file_cases() {
    let env = TestEnv::sealed();
    env.keygen("other");
    std::fs::remove_file(env.join("keys/k.pub")).unwrap();
    let out = env.run(["verify", MANIFEST, "--format", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        junit_cases(&env, &stdout(&out)),
        [
            case("signature", "signature"),
            case("summary", "verification")
        ]
    );
}

#[test]
fn junit_of_100_000_missing_files_stays_one_case_each_and_small() {
    // A signed manifest of 10⁵ entries (written directly: sealing as many files would be slow),
    // verified against an empty folder.
    let env = TestEnv::new();
    env.keygen("k");
    let n = 100_000;
    let digest = docseal::digest::Sha256Digest::of(b"x");
    let mut body = String::from(
        "format_version = 1\nname = \"col\"\ndigest_algorithm = \"sha256\"\n\
         created = \"2026-12-01T00:00:00Z\"\ntool = \"test\"\ncollection = \"../col\"\n",
    );
    body.push_str(&format!("root = \"{}\"\n", "0".repeat(64)));
    for i in 0..n {
        body.push_str(&format!(
            "\n[[file]]\npath = \"f/{i:06}\"\nsize = 1\ndigest = \"{digest}\"\norigin = \"unknown\"\nretrieved = \"unknown\"\n"
        ));
    }
    body.push('\n');
    env.sign_and_write(&body);
    std::fs::create_dir_all(env.join("col")).unwrap();
    let out = env.run(["verify", MANIFEST, "--format", "junit"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        out.stdout.len() < 20 * 1024 * 1024,
        "{} bytes",
        out.stdout.len()
    );
    let cases = junit_cases_checked(&env, &stdout(&out), false);
    // Every entry, the manifest's wrong root digest, and the summary.
    assert_eq!(cases.len(), n + 2);
    let missing = cases.iter().filter(|c| c.2 == "missing").count();
    assert_eq!(missing, n);
    let mut names: Vec<&str> = cases.iter().map(|c| c.1.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n + 2, "case names are not unique");
}

#[test]
fn github_format_annotates_problems_escaped_as_the_toolkit_does() {
    let env = TestEnv::new();
    env.keygen("k");
    env.collection("col")
        .file("100%, done: yes.txt", "a\n")
        .file("b.txt", "b\n");
    assert_ok(&env.run(["seal", "col", "--key", "k"]));
    env.write("col/100%, done: yes.txt", "changed\n");
    let out = env.run(["verify", MANIFEST, "--format", "github"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with(
            "::error file=col/100%25%2C done%3A yes.txt,title=docseal%3A modified::content changed"
        ),
        "{text}"
    );
    assert!(
        lines[1].starts_with("::notice title=docseal::2 sealed files: 1 ok, 1 modified"),
        "{text}"
    );
    assert!(lines[1].ends_with("; verification FAILED"), "{text}");
}

#[test]
fn github_format_annotates_at_most_ten_problems_and_summarises_all_of_them() {
    let env = TestEnv::new();
    env.keygen("k");
    let mut col = env.collection("col");
    for i in 0..15 {
        col = col.file(&format!("f{i:02}.txt"), format!("{i}\n"));
    }
    assert_ok(&env.run(["seal", "col", "--key", "k"]));
    for i in 0..15 {
        std::fs::remove_file(env.join(format!("col/f{i:02}.txt"))).unwrap();
    }
    env.write("summary.md", "earlier step\n");
    let mut cmd = env.command(["verify", MANIFEST, "--format", "github"]);
    cmd.env("GITHUB_STEP_SUMMARY", env.join("summary.md"));
    let out = run_command(cmd);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 11, "{text}");
    assert_eq!(
        errors[10],
        "::error title=docseal::5 more problems not annotated (GitHub shows 10 per step); see the step summary or run docseal verify"
    );
    let summary = env.read("summary.md");
    assert!(
        summary.starts_with(
            "earlier step\n### docseal verify manifests/col.toml: verification FAILED\n"
        ),
        "{summary}"
    );
    assert_eq!(
        summary
            .lines()
            .filter(|l| l.starts_with("| missing |"))
            .count(),
        15,
        "{summary}"
    );
    assert!(
        summary.contains("| missing | col/f14.txt | missing |"),
        "{summary}"
    );
    assert!(
        summary.contains("15 sealed files: 0 ok, 0 modified, 0 moved, 15 missing"),
        "{summary}"
    );
}

#[test]
fn output_writes_the_report_to_a_file_and_the_text_report_to_standard_output() {
    let env = TestEnv::sealed();
    env.write("col/a.txt", "changed\n");
    let out = env.run(["verify", MANIFEST, "--format", "junit", "-o", "report.xml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("modified   a.txt: content changed"),
        "{}",
        stdout(&out)
    );
    let cases = junit_cases(&env, &env.read("report.xml"));
    assert_eq!(cases[0], case("a.txt", "modified"));
    assert!(env.stray_temp_files().is_empty());
    // --json stays an alias of --format json, and the two cannot be combined.
    let json = env.run(["verify", MANIFEST, "--json"]);
    let format = env.run(["verify", MANIFEST, "--format", "json"]);
    assert_eq!(stdout(&json), stdout(&format));
    let both = env.run(["verify", MANIFEST, "--json", "--format", "junit"]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn output_that_cannot_be_written_is_an_error_naming_the_file_and_leaves_nothing_behind() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    for i in 0..40 {
        env.write(format!("col/many/{i:03}.txt"), format!("{i}\n"));
    }
    assert_ok(&env.run(["seal", "col", "--key", "k"]));
    // `ulimit -f 1`: at most one block per file written; the JSON report of 43 files is larger.
    // The report is streamed to the file, so the write fails midway: that is the error.
    let args = [
        "verify",
        MANIFEST,
        "--format",
        "json",
        "-o",
        "out/report.json",
    ];
    let out = env.run_under_file_size_limit(&args);
    assert_error_is(&out, "out/report.json: cannot write: file too large");
    assert!(!env.exists("out/report.json"));
    let strays = env.stray_temp_files();
    assert!(strays.is_empty(), "{strays:?}");
    // Without the limit the same report is written whole, and is the one standard output gets.
    assert_ok(&env.run(args));
    let to_stdout = env.run(["verify", MANIFEST, "--format", "json"]);
    let written = env.read("out/report.json");
    let strip = |t: &str| {
        let v: serde_json::Value = serde_json::from_str(t).unwrap();
        v["files"].clone()
    };
    assert_eq!(strip(&written), strip(&stdout(&to_stdout)));
}

#[test]
fn the_junit_schema_check_refuses_a_document_the_schema_does_not_allow() {
    // The check the JUnit tests rely on can fail: a test case without its required name, and an
    // attribute the schema does not know, are each refused.
    let env = TestEnv::new();
    for bad in [
        r#"<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase classname="c"/></testsuite></testsuites>"#,
        r#"<testsuites><testsuite name="s" tests="1" failures="0" errors="0" colour="red"><testcase name="n"/></testsuite></testsuites>"#,
    ] {
        env.write("bad.xml", bad);
        let mut py = python3();
        py.args([
            "-c",
            "import sys, xmlschema; xmlschema.XMLSchema(sys.argv[1]).validate('bad.xml')",
            JUNIT_XSD,
        ])
        .current_dir(env.path());
        let out = run_command(py);
        assert!(!out.status.success(), "{bad}");
        assert!(
            stderr(&out).contains("XMLSchemaValidationError"),
            "{}",
            stderr(&out)
        );
    }
}
