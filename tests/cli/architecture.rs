/*!
`docs/architecture.md` against the tree: the page names every file under `src/` and no file that
is not there, and every `crate::…` path in the library keeps the dependency rule the page states
(values → trust → manifest; values → collection; → capture, audit, interop → report → the
orchestrators).
*/

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const VALUES: &[&str] = &[
    "digest",
    "relpath",
    "provenance",
    "sanitize",
    "fsio",
    "timing",
    "error",
];

/// The areas each area may use, besides itself and the values.
fn allowed(area: &str) -> Option<&'static [&'static str]> {
    const BELOW_REPORT: &[&str] = &[
        "trust",
        "manifest",
        "collection",
        "capture",
        "audit",
        "interop",
    ];
    Some(match area {
        a if VALUES.contains(&a) => &[],
        "trust" | "collection" => &[],
        "manifest" => &["trust"],
        "capture" => &["collection"],
        "audit" => &["trust", "manifest"],
        "interop" => &["trust", "manifest", "collection"],
        "report" => BELOW_REPORT,
        "seal" | "verify" | "export" | "audit_files" | "identify" | "sign" | "proofs" => &[
            "trust",
            "manifest",
            "collection",
            "capture",
            "audit",
            "interop",
            "report",
        ],
        _ => return None,
    })
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, as a path relative to the repository.
fn rust_files(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(repo()).unwrap();
            out.insert(rel.to_str().unwrap().replace('\\', "/"));
        }
    }
}

/// The `src/….rs` paths named in `text`.
fn named_paths(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("src/") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '.')))
            .unwrap_or(tail.len());
        let name = tail[..end].trim_end_matches('.');
        if name.ends_with(".rs") {
            out.insert(name.to_string());
        }
        rest = &tail[end..];
    }
    out
}

#[test]
fn the_architecture_page_names_every_source_file_and_only_those() {
    let page = std::fs::read_to_string(repo().join("docs/architecture.md")).unwrap();
    let mut files = BTreeSet::new();
    rust_files(&repo().join("src"), &mut files);
    let named = named_paths(&page);
    let unnamed: Vec<_> = files.difference(&named).collect();
    let missing: Vec<_> = named.difference(&files).collect();
    assert!(
        unnamed.is_empty(),
        "files under src/ that docs/architecture.md does not name: {unnamed:?}"
    );
    assert!(
        missing.is_empty(),
        "files docs/architecture.md names that do not exist: {missing:?}"
    );
}

#[test]
fn library_dependencies_point_one_way() {
    let mut files = BTreeSet::new();
    rust_files(&repo().join("src"), &mut files);
    let mut broken = Vec::new();
    for file in &files {
        let rel = file.trim_start_matches("src/");
        let area = rel.split(['/', '.']).next().unwrap();
        if matches!(area, "main" | "cli" | "lib") {
            continue;
        }
        let allowed = allowed(area).unwrap_or_else(|| {
            panic!("{file}: area {area:?} is not in docs/architecture.md's rule")
        });
        let text = std::fs::read_to_string(repo().join(file)).unwrap();
        for (i, _) in text.match_indices("crate::") {
            let used: String = text[i + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let ok = used == area
                || VALUES.contains(&used.as_str())
                || allowed.contains(&used.as_str())
                || matches!(used.as_str(), "Result" | "Error");
            if !ok {
                broken.push(format!("{file} uses crate::{used}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "dependencies against the rule: {broken:#?}"
    );
}

#[test]
fn the_binary_uses_only_the_library_s_public_items() {
    let mut files = BTreeSet::new();
    rust_files(&repo().join("src/cli"), &mut files);
    files.insert("src/main.rs".into());
    files.insert("src/cli.rs".into());
    for file in files {
        let text = std::fs::read_to_string(repo().join(&file)).unwrap();
        assert!(!text.contains("crate::"), "{file} reaches into crate::");
        for forbidden in ["sha2::", "ed25519_dalek", "toml::"] {
            assert!(
                !text.contains(forbidden),
                "{file} uses {forbidden}: hashing, crypto and TOML belong to the library"
            );
        }
    }
}
