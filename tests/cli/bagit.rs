/*!
`validate-bag` against the Library of Congress BagIt conformance suite
(`../shared/testdata/bagit-conformance-suite/`, beside the repository; not copied into it): every
bag under `valid/` validates, every bag under `invalid/` fails, every bag under `warning/`
validates with a warning, and `linux-only/` bags fail (this runs on Linux). The `windows-only/`
bags name paths with backslashes and drive letters, which docseal refuses on any system.
*/

use std::path::PathBuf;

use crate::util::*;

fn suite() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata/bagit-conformance-suite");
    assert!(
        dir.is_dir(),
        "{}: the BagIt conformance suite is missing; it is shared test data beside the repository",
        dir.display()
    );
    dir
}

#[test]
fn the_bagit_conformance_suite_gives_the_expected_verdict_on_every_bag() {
    let env = TestEnv::new();
    let mut wrong = Vec::new();
    let mut counts = std::collections::BTreeMap::<String, (usize, usize)>::new();
    let mut versions: Vec<PathBuf> = std::fs::read_dir(suite())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    versions.sort();
    for version in versions {
        for category in ["valid", "invalid", "warning", "linux-only", "windows-only"] {
            let Ok(bags) = std::fs::read_dir(version.join(category)) else {
                continue;
            };
            let mut bags: Vec<PathBuf> = bags.map(|e| e.unwrap().path()).collect();
            bags.sort();
            for bag in bags {
                let out = env.run(["validate-bag".as_ref(), bag.as_os_str()]);
                let warned = stdout(&out).lines().any(|l| l.starts_with("warning "));
                let right = match category {
                    "valid" => out.status.code() == Some(0),
                    "warning" => out.status.code() == Some(0) && warned,
                    _ => out.status.code() == Some(1),
                };
                let tally = counts.entry(category.to_string()).or_default();
                tally.0 += 1;
                if right {
                    tally.1 += 1;
                } else {
                    wrong.push(format!(
                        "{}: {}{}",
                        bag.display(),
                        stdout(&out),
                        stderr(&out)
                    ));
                }
            }
        }
    }
    for (category, (all, right)) in &counts {
        println!("{category}: {right} of {all} bags as expected");
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        counts["valid"].0 >= 27 && counts["invalid"].0 >= 15,
        "{counts:?}"
    );
}

#[test]
fn validate_bag_json_says_what_is_wrong() {
    let env = TestEnv::new();
    let bag = suite().join("v0.97/invalid/corrupt-data-file");
    let out = env.run(["validate-bag".as_ref(), bag.as_os_str(), "--json".as_ref()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["version"], "0.97");
    let errors = report["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e
            .as_str()
            .unwrap()
            .contains("\"data/bare-filename\" does not match its checksum")),
        "{errors:?}"
    );
}

#[test]
fn validate_bag_of_something_that_is_not_a_folder_cannot_run() {
    let env = TestEnv::new();
    env.write("file", "x");
    assert_error_is(
        &env.run(["validate-bag", "file"]),
        "file: is not a folder; name the bag's folder",
    );
    assert_bad_input(
        &env.run(["validate-bag", "nowhere"]),
        "nowhere: cannot read bag: ",
        "not found",
    );
}

/// Runs bagit-python's validator (the reference implementation) on `bag`.
fn bagit_python(env: &TestEnv, bag: &str) -> std::process::Output {
    let mut cmd = python3();
    cmd.args(["-m", "bagit", "--validate", bag])
        .current_dir(env.path());
    run_command(cmd)
}

#[test]
fn an_exported_bag_validates_here_and_in_bagit_python_and_its_manifest_verifies_its_data() {
    let env = TestEnv::new();
    env.keygen("k");
    env.collection("col")
        .file("a.txt", "alpha\n")
        .file("with space/ünï.txt", "u\n")
        .file("deep/er/x", "x\n");
    assert_ok(&env.run(["seal", "col", "--key", "k"]));
    let out = env.run(["export", "bagit", MANIFEST, "-o", "bag"]);
    assert_ok_with_warnings(&out);
    assert_eq!(
        stderr(&out),
        format!("exported 3 files from {MANIFEST} to bag\n")
    );
    let checked = env.run(["validate-bag", "bag"]);
    assert_ok(&checked);
    let text = stdout(&checked);
    assert!(
        text.starts_with("bag        bag (BagIt 1.0; manifests sha256)\n3 payload files (10 bytes); 0 errors, 0 warnings\ndocseal    bag/docseal-manifest.toml verified against bag/data:\nfolder     bag/data\nsignature  valid, signed by \"k\""),
        "{text}"
    );
    assert!(
        text.ends_with("3 sealed files: 3 ok, 0 modified, 0 moved, 0 missing, 0 unreadable; 0 extra; 3 lacking provenance\nverified\nvalid\n"),
        "{text}"
    );
    let reference = bagit_python(&env, "bag");
    assert!(
        reference.status.success(),
        "bagit-python: {}",
        stderr(&reference)
    );
    assert!(
        env.read("bag/bag-info.txt")
            .contains("Payload-Oxum: 10.3\n")
    );
    assert_eq!(env.read("bag/docseal-manifest.toml"), env.read(MANIFEST));
    assert_ok(&env.run(["verify", "bag/docseal-manifest.toml", "--root", "bag/data"]));
    // A changed payload file is caught by both.
    env.write("bag/data/a.txt", "changed\n");
    assert_eq!(env.run(["validate-bag", "bag"]).status.code(), Some(1));
    assert_eq!(
        env.run(["verify", "bag/docseal-manifest.toml", "--root", "bag/data"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn validate_bag_verifies_the_docseal_manifest_a_bag_carries_which_catches_a_rehashed_bag() {
    let env = TestEnv::new();
    env.keygen("k");
    env.collection("col")
        .file("a.txt", "alpha\n")
        .file("b.txt", "bravo\n");
    assert_ok(&env.run(["seal", "col", "--key", "k"]));
    assert_ok_with_warnings(&env.run(["export", "bagit", MANIFEST, "-o", "bag"]));
    // Someone changes a payload file and brings the bag's own checksums up to date: as BagIt the
    // bag is valid again; only the signed docseal manifest it carries still knows better.
    let rehash = "printf 'forged\\n' > bag/data/a.txt \
        && (cd bag && sha256sum data/a.txt data/b.txt > manifest-sha256.txt \
        && sha256sum bagit.txt bag-info.txt manifest-sha256.txt docseal-manifest.toml > tagmanifest-sha256.txt) \
        && sed -i 's/^Payload-Oxum: .*/Payload-Oxum: 13.2/' bag/bag-info.txt \
        && (cd bag && sha256sum bagit.txt bag-info.txt manifest-sha256.txt docseal-manifest.toml > tagmanifest-sha256.txt)";
    let mut sh = std::process::Command::new("bash");
    sh.args(["-euc", rehash]).current_dir(env.path());
    assert!(run_command(sh).status.success());
    let reference = bagit_python(&env, "bag");
    assert!(reference.status.success(), "{}", stderr(&reference));
    assert_ok(&env.run(["validate-bag", "bag", "--bagit-only"]));
    let out = env.run(["validate-bag", "bag"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("\nmodified   a.txt"), "{text}");
    assert!(
        text.ends_with("\nINVALID (a valid bag, but its docseal manifest did not verify)\n"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&env.run(["validate-bag", "bag", "--json"]))).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["success"], false);
    assert_eq!(json["docseal_verification"]["success"], false);
    assert_eq!(json["docseal_verification"]["totals"]["modified"], 1);

    // The manifest is checked against the trusted keys as verify checks it: another key's is
    // untrusted (exit 1, no file read), and no key at all cannot be checked (exit 2).
    env.write("bag/data/a.txt", "alpha\n");
    env.keygen("other");
    let out = env.run(["validate-bag", "bag", "--trust", "keys/other.pub"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("signature  UNTRUSTED"),
        "{}",
        stdout(&out)
    );
    std::fs::remove_dir_all(env.join("keys")).unwrap();
    let out = env.run(["validate-bag", "bag"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("keys"), "{}", stderr(&out));
    // --bagit-only says what it left unchecked.
    let out = env.run(["validate-bag", "bag", "--bagit-only"]);
    assert!(
        stdout(&out).contains("docseal    this bag carries a docseal manifest, not checked (--bagit-only); check it with `docseal verify bag/docseal-manifest.toml --root bag/data`\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_name_holding_a_percent_sign_is_encoded_as_rfc_8493_requires() {
    let env = TestEnv::new();
    env.keygen("k");
    env.collection("col").file("100%.txt", "p\n");
    assert_ok(&env.run(["seal", "col", "--key", "k"]));
    assert_ok_with_warnings(&env.run(["export", "bagit", MANIFEST, "-o", "bag"]));
    assert!(
        env.read("bag/manifest-sha256.txt")
            .ends_with("  data/100%25.txt\n")
    );
    assert_ok(&env.run(["validate-bag", "bag"]));
}

#[test]
fn no_bag_is_written_from_an_untrusted_manifest_a_changed_collection_or_over_a_folder() {
    let env = TestEnv::sealed();
    env.write("col/a.txt", "changed\n");
    let out = env.run(["export", "bagit", MANIFEST, "-o", "bag"]);
    assert_bad_input(
        &out,
        "manifests/../col/a.txt: does not match the manifest",
        "nothing was written",
    );
    assert!(!env.exists("bag"));
    let leftovers: Vec<_> = std::fs::read_dir(env.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".docseal"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    env.write("col/a.txt", "alpha\n");
    std::fs::create_dir(env.join("bag")).unwrap();
    let out = env.run(["export", "bagit", MANIFEST, "-o", "bag"]);
    assert_error_is(
        &out,
        "bag: already exists; name a new folder for the bag (docseal never writes into an existing one)",
    );
    std::fs::remove_file(env.join("keys/k.pub")).unwrap();
    env.keygen("other");
    let out = env.run(["export", "bagit", MANIFEST, "-o", "bag2"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!env.exists("bag2"));
}
