/*!
The CI examples in `examples/ci/`: both workflow files parse as YAML (Python's `yaml`) and run
the script beside them, and the script — run here on a copy of the repository's sample
collection, as the jobs run it — verifies with the pinned signer, writes the JUnit report, fails
on a changed file, and with `--format github` prints annotations and appends the step summary.
*/

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the sample collection, its manifest and its key, laid out as in the repository.
fn sample(env: &TestEnv) {
    for dir in ["seeds", "manifests", "keys"] {
        std::fs::create_dir_all(env.join(dir)).unwrap();
    }
    for entry in std::fs::read_dir(repo().join("seeds")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, env.join("seeds").join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::copy(
        repo().join("manifests/seeds.toml"),
        env.join("manifests/seeds.toml"),
    )
    .unwrap();
    std::fs::copy(
        repo().join("keys/docseal-sample.pub"),
        env.join("keys/docseal-sample.pub"),
    )
    .unwrap();
}

/// Runs the example script in `env` with the test's docseal.
fn script(env: &TestEnv, extra: &[&str], summary: Option<&Path>) -> std::process::Output {
    let mut cmd = script_command(env, "keys/docseal-sample.pub");
    cmd.args(extra);
    if let Some(path) = summary {
        cmd.env("GITHUB_STEP_SUMMARY", path);
    }
    run_command(cmd)
}

/// The example script on the sample manifest in `env`, trusting the key file `signer`.
fn script_command(env: &TestEnv, signer: &str) -> Command {
    let mut cmd = Command::new(repo().join("examples/ci/verify-collection.sh"));
    cmd.args(["manifests/seeds.toml", signer, "docseal-junit.xml"])
        .env("DOCSEAL", env!("CARGO_BIN_EXE_docseal"))
        .current_dir(env.path());
    cmd
}

#[test]
fn the_workflow_files_are_yaml_and_run_the_example_script() {
    for file in [
        "examples/ci/github-actions.yml",
        "examples/ci/gitlab-ci.yml",
    ] {
        let mut py = python3();
        py.arg("-c")
            .arg("import sys, yaml, json; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))")
            .arg(repo().join(file));
        let out = run_command(py);
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("examples/ci/verify-collection.sh manifests/seeds.toml keys/docseal-sample.pub docseal-junit.xml"), "{file}: {text}");
        assert!(text.contains("docseal-junit.xml"), "{file}");
    }
}

#[test]
fn the_example_script_verifies_with_the_pinned_signer_and_writes_junit() {
    let env = TestEnv::new();
    sample(&env);
    let out = script(&env, &[], None);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).ends_with("verified\n"), "{}", stdout(&out));
    let xml = env.read("docseal-junit.xml");
    assert!(
        xml.contains("<testcase name=\"summary\" classname=\"docseal.seeds\""),
        "{xml}"
    );
    // A changed file fails the job and is in the report.
    let name = std::fs::read_dir(env.join("seeds"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    std::fs::write(env.join("seeds").join(&name), "changed").unwrap();
    let summary = env.join("summary.md");
    let out = script(&env, &["--format", "github"], Some(&summary));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(env.read("docseal-junit.xml").contains("type=\"modified\""));
    assert!(
        stdout(&out).contains("::error file=seeds/"),
        "{}",
        stdout(&out)
    );
    assert!(env.read("summary.md").contains("| modified | seeds/"));
}

#[test]
fn the_example_script_fails_when_another_key_signed() {
    let env = TestEnv::new();
    sample(&env);
    env.keygen("impostor");
    let out = run_command(script_command(&env, "keys/impostor.pub"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(env.read("docseal-junit.xml").contains("name=\"signature\""));
}

#[test]
fn the_example_script_pins_the_key_id_a_pull_request_cannot_change() {
    let env = TestEnv::new();
    sample(&env);
    let sample_id = key_id_in(&env.read("keys/docseal-sample.pub"));
    let run = |signer: &str| {
        let mut cmd = script_command(&env, "keys/docseal-sample.pub");
        cmd.env("DOCSEAL_SIGNER", signer);
        run_command(cmd)
    };
    let out = run(&sample_id);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    // A pull request replaces the key file with its own key and reseals: the pinned key ID is not
    // the key the file now holds, and the job fails.
    env.run([
        "keygen",
        "--name",
        "docseal-sample",
        "--force",
        "--unencrypted",
    ]);
    let name = std::fs::read_dir(env.join("seeds"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    std::fs::write(env.join("seeds").join(&name), "changed").unwrap();
    assert_ok_with_warnings(&env.run(["seal", "seeds", "--key", "docseal-sample", "--force"]));
    let out = run(&sample_id);
    assert_ne!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stderr(&out).contains(&sample_id), "{}", stderr(&out));
}
