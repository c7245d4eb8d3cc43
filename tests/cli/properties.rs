/*!
Property tests through the real binary: sealing then verifying any small tree of files succeeds,
and any single-byte change in the signed part of a manifest makes verification fail. (The fast and
strict manifest readers are compared in `src/manifest/proptests.rs`.)
*/

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;

use crate::util::*;

/// A path segment: plain characters and a few non-ASCII ones (precomposed only: two names equal
/// after normalisation are refused by seal, see `names.rs`).
fn segment() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9._ -]{1,6}|[ñü日]{1,2}")
        .expect("a valid regex")
        .prop_filter("not . or ..", |s| s != "." && s != "..")
}

/// A small tree: paths of one to three segments with their contents, no path below another.
fn tree() -> impl Strategy<Value = BTreeMap<String, Vec<u8>>> {
    proptest::collection::btree_map(
        proptest::collection::vec(segment(), 1..4).prop_map(|s| s.join("/")),
        proptest::collection::vec(any::<u8>(), 0..300),
        0..8,
    )
    .prop_map(|files| {
        let paths: Vec<String> = files.keys().cloned().collect();
        files
            .into_iter()
            .filter(|(p, _)| !paths.iter().any(|q| q.starts_with(&format!("{p}/"))))
            .collect()
    })
}

/// One environment with a key for every case; each case gets its own collection folder.
fn shared() -> &'static TestEnv {
    static ENV: OnceLock<TestEnv> = OnceLock::new();
    ENV.get_or_init(|| {
        let env = TestEnv::new();
        env.keygen("k");
        env
    })
}

static CASE: AtomicUsize = AtomicUsize::new(0);

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn sealing_then_verifying_any_small_tree_of_files_succeeds(files in tree()) {
        let env = shared();
        let n = CASE.fetch_add(1, Ordering::Relaxed);
        let dir = format!("tree{n}");
        std::fs::create_dir_all(env.join(&dir)).unwrap();
        for (path, data) in &files {
            env.write(format!("{dir}/{path}"), data);
        }
        let manifest = format!("manifests/{dir}.toml");
        std::fs::create_dir_all(env.join("manifests")).unwrap();
        let out = env.run(["seal", &dir, "--key", "k", "-o", &manifest]);
        prop_assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let (out, report) = env.verify_json(&[&manifest]);
        prop_assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        prop_assert!(report.success);
        prop_assert_eq!(report.totals.ok, files.len());
        let paths: Vec<&str> = report.files.iter().map(|f| f.path.as_str()).collect();
        let sealed: Vec<&str> = files.keys().map(String::as_str).collect();
        prop_assert_eq!(paths, sealed);
    }
}

/// The sealed standard collection's manifest, once.
fn sealed() -> &'static (TestEnv, String) {
    static SEALED: OnceLock<(TestEnv, String)> = OnceLock::new();
    SEALED.get_or_init(|| {
        let env = TestEnv::sealed();
        let text = env.read(MANIFEST);
        (env, text)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_single_byte_change_in_the_signed_part_of_a_manifest_fails_verification(
        at in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let (env, text) = sealed();
        let signed = body(text).len();
        let i = at.index(signed);
        let mut bytes = text.clone().into_bytes();
        bytes[i] ^= flip;
        let n = CASE.fetch_add(1, Ordering::Relaxed);
        let edited = format!("manifests/edited{n}.toml");
        env.write(&edited, &bytes);
        let out = env.run(["verify", &edited, "--root", "col"]);
        let code = out.status.code();
        prop_assert!(
            code == Some(1) || code == Some(2),
            "byte {} ({:?} -> {:?}) changed, and verify said {:?}:\n{}{}",
            i,
            text.as_bytes()[i] as char,
            bytes[i] as char,
            code,
            stdout(&out),
            stderr(&out)
        );
        std::fs::remove_file(env.join(&edited)).unwrap();
    }
}
