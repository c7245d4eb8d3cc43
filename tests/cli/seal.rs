/*!
`docseal seal`: what it writes and prints, provenance from a sources list, refusing to overwrite a
manifest, and leaving a manifest written into its own collection out of it.
*/

use crate::util::*;

#[test]
fn seal_reports_files_bytes_key_and_files_lacking_provenance() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    env.write("sources.toml", SOURCES);
    std::fs::create_dir(env.join("manifests")).unwrap();
    let out = env.run(["seal", "col", "--key", "k", "--sources", "sources.toml"]);
    assert_ok(&out);
    let id = key_id_in(&env.read("keys/k.pub"));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(
        lines[0],
        "sealed 3 files (26 bytes) from col into manifests/col.toml"
    );
    let root = lines[1]
        .strip_prefix(&format!("signed by key {id}; root "))
        .unwrap_or_else(|| panic!("unexpected line {:?}", lines[1]));
    assert_eq!(root.len(), 64);
    assert!(env.read(MANIFEST).contains(&format!("root = \"{root}\"\n")));
    assert_eq!(
        lines[2],
        "1 of 3 files lacks provenance (origin or retrieval time recorded as unknown)"
    );
}

#[test]
fn seal_writes_entries_sorted_by_path_with_their_provenance() {
    let env = TestEnv::sealed();
    let manifest = env.read(MANIFEST);
    let body = body(&manifest);
    assert!(body.contains("format_version = 3\nname = \"col\"\ndigest_algorithm = \"sha256\"\n"));
    assert!(body.contains("collection = \"../col\"\n"), "{body}");
    let a = body.find("path = \"a.txt\"").unwrap();
    let b = body.find("path = \"b.txt\"").unwrap();
    let c = body.find("path = \"sub/c.txt\"").unwrap();
    assert!(a < b && b < c, "entries not sorted:\n{body}");
    // Digests computed independently (`printf 'alpha\n' | sha256sum`).
    assert!(
        body.contains(
            "path = \"a.txt\"\nsize = 6\n\
         digest = \"b6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51060\"\n\
         origin = \"https://example.org/a\"\nretrieved = \"2024-09-30T12:00:00Z\"\n"
        ),
        "{body}"
    );
    assert!(
        body.contains(
            "path = \"sub/c.txt\"\nsize = 8\n\
         digest = \"999d1d048ee9123272dd9b718680551c83e867935b47c2650e6906dc22674e47\"\n"
        ),
        "{body}"
    );
    assert!(
        body.contains("origin = \"https://example.org/b\"\nretrieved = \"2024-10-01T08:30:00Z\"\n")
    );
    assert!(body.contains("origin = \"https://example.org/c\"\nretrieved = \"unknown\"\n"));
    assert_eq!(mode_of(&env.join(MANIFEST)), 0o644);
    assert!(env.stray_temp_files().is_empty());
}

#[test]
fn seal_refuses_to_overwrite_an_existing_manifest_without_force() {
    let env = TestEnv::sealed();
    let before = env.read(MANIFEST);
    env.collection("col").file("new.txt", "new");

    let out = env.run(["seal", "col", "--key", "k"]);
    assert_error_is(
        &out,
        "manifests/col.toml: manifest already exists; pass --force to overwrite it",
    );
    assert_eq!(env.read(MANIFEST), before);
    assert!(env.stray_temp_files().is_empty());

    let out = env.run(["seal", "col", "--key", "k", "--force"]);
    assert_fails(
        &out,
        0,
        "docseal: warning: replaced manifests/col.toml without --previous: the new manifest starts a chain again (sequence 1)",
    );
    assert!(env.read(MANIFEST).contains("path = \"new.txt\""));
    assert_ok(&env.run(["verify", MANIFEST]));
}

#[test]
fn files_without_provenance_are_counted_and_named_and_fail_verify_require_provenance() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    let out = env.run(["seal", "col", "--key", "k"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains(
            "\n3 of 3 files lack provenance (origin or retrieval time recorded as unknown)\n"
        ),
        "{}",
        stdout(&out)
    );

    // Without --require-provenance, unknown provenance is reported but not a failure.
    let out = env.run(["verify", MANIFEST]);
    assert_ok(&out);
    assert!(stdout(&out).contains(
        "3 sealed files: 3 ok, 0 modified, 0 moved, 0 missing, 0 unreadable; 0 extra; 3 lacking provenance\n"
    ));

    let out = env.run(["verify", "--require-provenance", MANIFEST]);
    assert_verify_fails(
        &out,
        &[
            "provenance a.txt: origin and retrieval time unknown (required by --require-provenance)",
            "provenance b.txt: origin and retrieval time unknown (required by --require-provenance)",
            "provenance sub/c.txt: origin and retrieval time unknown (required by --require-provenance)",
            "3 sealed files: 3 ok, 0 modified, 0 moved, 0 missing, 0 unreadable; 0 extra; 3 lacking provenance (required)",
        ],
    );
}

#[test]
fn a_file_with_a_url_but_no_retrieval_time_lacks_provenance_and_is_named() {
    let env = TestEnv::sealed();
    let out = env.run(["verify", "--require-provenance", MANIFEST]);
    assert_verify_fails(
        &out,
        &[
            "provenance sub/c.txt: retrieval time unknown (required by --require-provenance)",
            "3 sealed files: 3 ok, 0 modified, 0 moved, 0 missing, 0 unreadable; 0 extra; 1 lacking provenance (required)",
        ],
    );
    // Quiet prints them too: they are why verification failed.
    let out = env.run(["verify", "--quiet", "--require-provenance", MANIFEST]);
    assert!(
        stdout(&out).starts_with(
            "provenance sub/c.txt: retrieval time unknown (required by --require-provenance)\n"
        ),
        "{}",
        stdout(&out)
    );
    let (_, report) = env.verify_json(&["--require-provenance", MANIFEST]);
    assert!(!report.success);
    assert!(report.require_provenance);
    assert_eq!(report.totals.lacking_provenance, 1);
}

#[test]
fn verify_require_provenance_succeeds_when_every_file_has_provenance() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    env.write(
        "sources.toml",
        SOURCES.replace(
            "retrieved = \"unknown\"",
            "retrieved = \"2024-10-02T00:00:00Z\"",
        ),
    );
    let out = env.run(["seal", "col", "--key", "k", "--sources", "sources.toml"]);
    assert_ok(&out);
    assert!(
        !stdout(&out).contains("lack provenance"),
        "{}",
        stdout(&out)
    );
    let out = env.run(["verify", "--require-provenance", MANIFEST]);
    assert_ok(&out);
    assert!(stdout(&out).contains(
        "3 sealed files: 3 ok, 0 modified, 0 moved, 0 missing, 0 unreadable; 0 extra\nverified\n"
    ));
}

#[test]
fn seal_records_source_times_with_offsets_in_utc() {
    let env = TestEnv::new();
    env.keygen("k");
    env.collection("col")
        .file("a.txt", "a")
        .file("b.txt", "b")
        .file("c.txt", "c");
    env.write(
        "sources.toml",
        r#"[[source]]
path = "a.txt"
url = "https://example.org/a"
retrieved = "2024-09-30T14:05:00+02:00"

[[source]]
path = "b.txt"
url = "https://example.org/b"
retrieved = 2024-09-30T23:30:00-05:00

[[source]]
path = "c.txt"
url = "https://example.org/c"
retrieved = "2024-12-31T23:59:59.250-01:00"
"#,
    );
    assert_ok(&env.run(["seal", "col", "--key", "k", "--sources", "sources.toml"]));
    let manifest = env.read(MANIFEST);
    assert!(
        manifest.contains("retrieved = \"2024-09-30T12:05:00Z\"\n"),
        "{manifest}"
    );
    assert!(
        manifest.contains("retrieved = \"2024-10-01T04:30:00Z\"\n"),
        "{manifest}"
    );
    assert!(
        manifest.contains("retrieved = \"2025-01-01T00:59:59.25Z\"\n"),
        "{manifest}"
    );
    assert!(!manifest.contains("+02:00") && !manifest.contains("-05:00"));
    assert_ok(&env.run(["verify", "--require-provenance", MANIFEST]));
}

#[test]
fn a_manifest_written_inside_its_own_collection_is_not_sealed_nor_reported_extra() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    let out = env.run(["seal", "col", "--key", "k", "-o", "col/SEAL.toml"]);
    assert_ok(&out);
    assert!(
        stdout(&out).starts_with("sealed 3 files "),
        "{}",
        stdout(&out)
    );
    let manifest = env.read("col/SEAL.toml");
    assert!(manifest.contains("collection = \".\"\n"), "{manifest}");
    assert!(!manifest.contains("SEAL.toml"), "{manifest}");

    let out = env.run(["verify", "col/SEAL.toml"]);
    assert_ok(&out);
    assert!(!stdout(&out).contains("SEAL.toml"), "{}", stdout(&out));
    let (_, report) = env.verify_json(&["col/SEAL.toml"]);
    assert!(report.success);
    assert_eq!(report.totals.extra, 0);
    assert_eq!(report.files.len(), 3);

    // Sealing again over it leaves the old manifest out too.
    let out = env.run([
        "seal",
        "col",
        "--key",
        "k",
        "-o",
        "col/SEAL.toml",
        "--force",
    ]);
    assert_ok_with_warnings(&out);
    assert!(
        stdout(&out).starts_with("sealed 3 files "),
        "{}",
        stdout(&out)
    );
    assert_ok(&env.run(["verify", "col/SEAL.toml"]));
}

#[test]
fn seal_name_option_sets_the_collection_name_and_default_manifest_path() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    assert_ok(&env.run(["seal", "col", "--key", "k", "--name", "letters-1990"]));
    let manifest = env.read("manifests/letters-1990.toml");
    assert!(
        manifest.contains("\nname = \"letters-1990\"\n"),
        "{manifest}"
    );
    let (_, report) = env.verify_json(&["manifests/letters-1990.toml"]);
    assert!(report.success);
    assert_eq!(report.collection, "letters-1990");
}

#[test]
fn the_manifest_is_byte_identical_whatever_the_number_of_hashing_threads() {
    let env = TestEnv::new();
    env.keygen("k");
    let mut col = env.collection("col");
    // Around the 128 KiB read buffer, and one file big enough to be read on a second thread.
    let sizes = [0usize, 1, 131_071, 131_072, 131_073, 17 << 20];
    for i in 0..60 {
        let size = sizes.get(i).copied().unwrap_or(1000 + i * 37);
        col = col.file(&format!("d{}/f{i:02}.bin", i % 7), vec![i as u8; size]);
    }
    let without_time = |text: String| -> String {
        text.lines()
            .filter(|l| !l.starts_with("created = ") && !l.starts_with("signature = "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut manifests = Vec::new();
    for jobs in ["1", "2", "7"] {
        let out = format!("m{jobs}.toml");
        assert_ok(&env.run(["seal", "col", "--key", "k", "-o", &out, "--jobs", jobs]));
        manifests.push(without_time(env.read(&out)));
    }
    assert_eq!(manifests[0], manifests[1]);
    assert_eq!(manifests[0], manifests[2]);
    for jobs in ["1", "3"] {
        let out = env.run(["verify", "m1.toml", "--jobs", jobs, "--quiet"]);
        assert_ok(&out);
    }
}

#[test]
fn an_empty_collection_seals_and_verifies() {
    let env = TestEnv::new();
    env.keygen("k");
    std::fs::create_dir(env.join("empty")).unwrap();
    let out = env.run(["seal", "empty", "--key", "k"]);
    assert_ok(&out);
    assert!(
        stdout(&out).starts_with("sealed 0 files (0 bytes) from empty"),
        "{}",
        stdout(&out)
    );
    let manifest = env.read("manifests/empty.toml");
    // The root of no entries is the SHA-256 of the empty string.
    assert!(
        manifest.contains(
            "root = \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""
        ),
        "{manifest}"
    );
    assert!(!manifest.contains("[[file]]"));
    let (_, report) = env.verify_json(&["manifests/empty.toml"]);
    assert!(report.success);
    assert_eq!(report.totals.sealed, 0);
    env.write("empty/new.txt", "x");
    let (out, report) = env.verify_json(&["manifests/empty.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report.totals.extra, 1);
}

#[test]
fn seal_refuses_an_explicit_output_in_a_missing_folder_before_hashing() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    let out = env.run(["seal", "col", "--key", "k", "-o", "nonexistent/x.toml"]);
    assert_error_is(
        &out,
        "nonexistent: folder not found, so the manifest nonexistent/x.toml cannot be written there; create the folder first, or pass another -o",
    );
    assert!(!env.exists("nonexistent"));
}

#[test]
fn seal_says_when_it_creates_the_default_manifests_folder() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    let out = env.run(["seal", "col", "--key", "k"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("\ncreated folder manifests/ for the manifest\n"),
        "{}",
        stdout(&out)
    );
    // Not when it is there already.
    let out = env.run(["seal", "col", "--key", "k", "--force"]);
    assert!(!stdout(&out).contains("created folder"), "{}", stdout(&out));
}

#[test]
fn seal_refuses_a_sources_origin_with_a_space_and_a_time_finer_than_nanoseconds() {
    for (from, to, message) in [
        (
            "url = \"https://example.org/b\"",
            "url = \"https://example.org/b c\"",
            "URL \"https://example.org/b c\" contains a space, which a URL cannot hold",
        ),
        (
            "retrieved = \"2024-10-01T08:30:00Z\"",
            "retrieved = \"2024-10-01T08:30:00.1234567891Z\"",
            "has 10 fractional digits, more than the nanoseconds (9) docseal records",
        ),
        (
            "retrieved = \"2024-10-01T08:30:00Z\"",
            "retrieved = 2024-10-01T08:30:00.1234567891Z",
            "has 10 fractional digits, more than the nanoseconds (9) docseal records",
        ),
    ] {
        let env = TestEnv::new();
        env.keygen("k");
        env.standard_collection();
        env.write("sources.toml", SOURCES.replacen(from, to, 1));
        let line = line_of(&env.read("sources.toml"), to);
        let out = env.run(["seal", "col", "--key", "k", "--sources", "sources.toml"]);
        assert_bad_input(&out, &format!("sources.toml:{line}: "), message);
        env.assert_nothing_written(MANIFEST);
    }
}

#[test]
fn seal_under_a_file_size_limit_fails_with_a_write_error_and_leaves_no_temporary_file() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    for i in 0..40 {
        env.write(format!("col/many/{i:03}.txt"), format!("{i}\n"));
    }
    std::fs::create_dir(env.join("manifests")).unwrap();
    // `ulimit -f 1`: at most one block (512 or 1024 bytes) per file written; the manifest of 43
    // files is larger. Without a handler, SIGXFSZ kills the process with no message.
    let out = env.run_under_file_size_limit(&["seal", "col", "--key", "k"]);
    assert_error_is(&out, "manifests/col.toml: cannot write: file too large");
    env.assert_nothing_written(MANIFEST);
    assert_eq!(env.stray_temp_files(), Vec::<std::path::PathBuf>::new());
}
