/*!
The manifest spec vectors: the small manifests in `tests/vectors/manifest/`, each with the verdict
`tests/vectors/manifest/verdicts.txt` gives it (what a TOML 1.0 reader says of it, and what docseal
says), checked through the real binary.
*/

use std::path::Path;

use crate::util::*;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/manifest");

#[test]
fn every_manifest_vector_gets_its_expected_verdict() {
    let dir = Path::new(VECTORS);
    let verdicts = std::fs::read_to_string(dir.join("verdicts.txt")).unwrap();
    let env = TestEnv::new();
    let mut listed = Vec::new();
    for line in verdicts
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let fields: Vec<&str> = line.split(" | ").collect();
        let (file, toml10, verdict) = (fields[0], fields[1], fields[2]);
        listed.push(file.to_string());
        assert!(
            toml10 == "valid" || verdict == "refused",
            "{file}: a TOML 1.0 reader refuses it, so docseal must refuse it too"
        );
        // Read without keys: the vectors are about what a manifest says, not who signed it.
        let mut cmd = env.command(["show", "--no-verify", file]);
        cmd.current_dir(dir);
        let out = run_command(cmd);
        match verdict {
            "ok" => assert_ok(&out),
            "refused" => {
                let (at, message) = (fields[3], fields[4]);
                assert_bad_input(&out, &format!("{file}:{at}: "), message);
            }
            other => panic!("{file}: unknown verdict {other:?}"),
        }
    }
    let mut present: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    present.sort();
    listed.sort();
    assert_eq!(present, listed, "every vector has exactly one verdict line");
}
