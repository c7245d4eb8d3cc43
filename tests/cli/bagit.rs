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
