//! Sealing and verifying archive files (`--archive`): the real `docseal` binary on archives made
//! by the real `tar`, `gzip`, `zstd` and `zip` programs and by the `tar`, `flate2`, `zstd` and
//! `zip` crates, and on hostile and broken archives. Every verification also checks that nothing
//! was written to disk.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::SystemTime;

use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Harness

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit status\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Exit status `code` and an error on standard error holding every one of `words`.
    fn assert_fails(&self, code: i32, words: &[&str]) -> &Self {
        self.assert_code(code);
        for w in words {
            assert!(
                self.stderr.contains(w),
                "stderr lacks {w:?}:\n{}",
                self.stderr
            );
        }
        self
    }

    fn assert_stdout_has(&self, words: &[&str]) -> &Self {
        for w in words {
            assert!(
                self.stdout.contains(w),
                "stdout lacks {w:?}:\n{}",
                self.stdout
            );
        }
        self
    }

    /// The `--json` report, parsed with the strict schema of `schema.rs`.
    fn json(&self) -> Report {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "verify --json does not match the schema: {e}\n{}",
                self.stdout
            )
        })
    }
}

/// A temporary folder with a key pair and a sample collection `col/`.
struct Env {
    tmp: TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            tmp: tempfile::tempdir().unwrap(),
        };
        env.docseal(&[
            "keygen",
            "--name",
            "t",
            "--secret",
            "t.key",
            "--keys-dir",
            "keys",
            "--unencrypted",
        ])
        .assert_code(0);
        env.write("col/a.txt", b"alpha\n");
        env.write("col/sub/b.txt", b"bravo\n");
        env.write("col/empty", b"");
        let big: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        env.write("col/sub/big.bin", &big);
        env.write(&format!("col/{LONG}"), b"a path longer than 100 bytes\n");
        // The folder the manifests go to (`-o m/...`): seal creates no folder for an explicit -o.
        std::fs::create_dir(env.path("m")).unwrap();
        env
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    fn write(&self, rel: &str, data: &[u8]) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, data).unwrap();
    }

    fn read(&self, rel: &str) -> Vec<u8> {
        fs::read(self.path(rel)).unwrap()
    }

    fn docseal(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_docseal"))
            .args(args)
            .current_dir(self.tmp.path())
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs a shell script in the temporary folder; it must succeed.
    fn sh(&self, script: &str) {
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", script])
            .current_dir(self.tmp.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{script}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn seal(&self, args: &[&str]) -> Run {
        let mut all = vec!["seal", "--key", "t.key", "--quiet"];
        all.extend_from_slice(args);
        self.docseal(&all)
    }

    /// Seals `col/` into `m/col.toml`.
    fn seal_folder(&self) -> &'static str {
        self.seal(&["col", "-o", "m/col.toml"]).assert_code(0);
        "m/col.toml"
    }

    /// Runs a bash script in the temporary folder with `$DOCSEAL` naming the binary, for
    /// commands that need real pipes and process substitution; gives what it printed.
    fn sh_run(&self, script: &str) -> Run {
        let out = Command::new("bash")
            .args(["-o", "pipefail", "-c", script])
            .env("DOCSEAL", env!("CARGO_BIN_EXE_docseal"))
            .current_dir(self.tmp.path())
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `docseal verify MANIFEST --trust keys ARGS...`, asserting that nothing under the temporary
    /// folder was created, removed or changed.
    fn verify(&self, manifest: &str, args: &[&str]) -> Run {
        let before = self.snapshot();
        let mut all = vec!["verify", manifest, "--trust", "keys"];
        all.extend_from_slice(args);
        let run = self.docseal(&all);
        assert_eq!(before, self.snapshot(), "verify wrote to disk");
        run
    }

    fn verify_archive(&self, manifest: &str, archive: &str) -> Run {
        self.verify(manifest, &["--archive", archive, "--json"])
    }

    fn snapshot(&self) -> BTreeMap<PathBuf, (u64, SystemTime)> {
        let mut out = BTreeMap::new();
        let mut stack = vec![self.tmp.path().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for e in fs::read_dir(&dir).unwrap() {
                let e = e.unwrap();
                let meta = fs::symlink_metadata(e.path()).unwrap();
                if meta.is_dir() {
                    stack.push(e.path());
                }
                out.insert(e.path(), (meta.len(), meta.modified().unwrap()));
            }
        }
        out
    }
}

/// A path of more than 100 bytes: tar needs a PAX or GNU long-name record for it.
const LONG: &str = "deep/a-folder-name-that-is-quite-long-indeed-0123456789/and-a-file-name-that-is-longer-still-0123456789.txt";

/// The `[[file]]` tables and the `root` line of a manifest: what must be equal when the same
/// collection is sealed from a folder and from an archive.
fn entries_and_root(manifest: &[u8]) -> (String, String) {
    let text = String::from_utf8(manifest.to_vec()).unwrap();
    let root = text
        .lines()
        .find(|l| l.starts_with("root = "))
        .unwrap()
        .to_string();
    let end = text.find("\n[[signature]]\n").unwrap();
    let start = text.find("\n[[file]]\n").unwrap_or(end);
    (text[start..end].to_string(), root)
}

// ---------------------------------------------------------------------------------------------
// The JSON report (docs/json-report.md), parsed strictly.

use crate::schema::{Skipped as SkippedEntry, Totals, VerifyReport as Report};

/// The verdict on one path, as the words of the JSON report.
trait StatusOf {
    fn status_of(&self, path: &str) -> (&'static str, Option<&str>);
}

impl StatusOf for Report {
    fn status_of(&self, path: &str) -> (&'static str, Option<&str>) {
        let f = self.file(path);
        (f.status.as_str(), f.detail.as_deref())
    }
}

// ---------------------------------------------------------------------------------------------
// Archives made with the crates

/// A tar archive built with the `tar` crate: regular files from `files`, plus raw entries whose
/// names are written byte for byte (no checks), so that hostile names can be made.
fn tar_bytes(files: &[(&str, &[u8])], raw: &[(&[u8], tar::EntryType, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, *data).unwrap();
    }
    for (name, kind, data) in raw {
        let mut h = tar::Header::new_ustar();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(*kind);
        h.set_cksum();
        b.append(&h, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

/// A zip archive built with the `zip` crate (deflated entries).
fn zip_bytes(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        z.start_file(*name, opts).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn stored_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in files {
        z.start_file(*name, opts).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// Offset of the first occurrence of `needle` at or after `from`.
fn find(hay: &[u8], needle: &[u8], from: usize) -> usize {
    from + hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Archives users' tools make

/// Archives of `col/` made with the real programs: (file, how).
const TOOL_ARCHIVES: &[(&str, &str)] = &[
    ("col.tar", "tar -cf col.tar col"),
    ("col-pax.tar", "tar --format=pax -cf col-pax.tar col"),
    ("col.tgz", "tar -czf col.tgz col/"),
    ("col.tar.gz", "tar -cf - col | gzip -9 > col.tar.gz"),
    ("col.tar.zst", "tar -cf - col | zstd -q -o col.tar.zst"),
    ("dot.tar", "tar -C col -cf dot.tar ."),
    ("col.zip", "zip -qr col.zip col"),
    (
        "streamed.zip",
        "(cd col && zip -qr - . | cat > ../streamed.zip)",
    ),
    ("misnamed.zip", "tar -czf misnamed.zip col"),
];

#[test]
fn archives_made_by_tar_gzip_zstd_and_zip_verify_like_their_folder() {
    let env = Env::new();
    let manifest = env.seal_folder();
    for (file, how) in TOOL_ARCHIVES {
        env.sh(how);
        let run = env.verify_archive(manifest, file);
        run.assert_code(0);
        let report = run.json();
        assert!(report.success, "{file}");
        assert_eq!(report.totals.ok, 5, "{file}");
        assert_eq!(report.root, *file);
        assert_eq!(report.status_of(LONG).0, "ok", "{file}");
    }
    // The human report too.
    env.verify(manifest, &["--archive", "col.tgz"])
        .assert_code(0)
        .assert_stdout_has(&["ok         a.txt", "verified"]);
}

#[test]
fn the_streamed_zip_uses_data_descriptors_and_the_tars_long_name_records() {
    let env = Env::new();
    let manifest = env.seal_folder();
    env.sh("(cd col && zip -qr - . | cat > ../streamed.zip)");
    let zip = env.read("streamed.zip");
    // Every file entry's local header has general purpose flag bit 3: sizes and CRC follow the
    // data, in a data descriptor.
    let mut at = 0;
    let mut streamed = 0;
    while let Some(pos) = zip[at..].windows(4).position(|w| w == b"PK\x03\x04") {
        let h = at + pos;
        if u16::from_le_bytes([zip[h + 6], zip[h + 7]]) & 8 != 0 {
            streamed += 1;
        }
        at = h + 4;
    }
    assert!(streamed >= 5, "{streamed} streamed entries");
    env.verify_archive(manifest, "streamed.zip").assert_code(0);

    env.sh("tar --format=pax -cf pax.tar col && tar --format=gnu -cf gnu.tar col");
    let pax = env.read("pax.tar");
    assert!(find(&pax, format!("path=col/{LONG}").as_bytes(), 0) > 0);
    let gnu = env.read("gnu.tar");
    assert!(find(&gnu, b"././@LongLink", 0) < gnu.len());
    env.verify_archive(manifest, "pax.tar").assert_code(0);
    env.verify_archive(manifest, "gnu.tar").assert_code(0);
}

#[test]
fn sealing_an_archive_gives_the_same_entries_and_root_as_sealing_its_folder() {
    let env = Env::new();
    let folder = entries_and_root(&env.read(env.seal_folder()));
    // Made with the crates.
    let files: Vec<(String, Vec<u8>)> = ["a.txt", "empty", "sub/b.txt", "sub/big.bin", LONG]
        .iter()
        .map(|p| (format!("col/{p}"), env.read(&format!("col/{p}"))))
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_slice()))
        .collect();
    let tar = tar_bytes(&refs, &[]);
    env.write("crate.tar", &tar);
    env.write("crate.tar.gz", &gzip(&tar));
    env.write("crate.tar.zst", &zstd(&tar));
    env.write("crate.zip", &zip_bytes(&refs));
    env.write("crate-stored.zip", &stored_zip(&refs));
    let mut archives: Vec<&str> = vec![
        "crate.tar",
        "crate.tar.gz",
        "crate.tar.zst",
        "crate.zip",
        "crate-stored.zip",
    ];
    for (file, how) in TOOL_ARCHIVES {
        env.sh(how);
        archives.push(file);
    }
    for file in archives {
        let out = format!("m/{file}.toml");
        env.seal(&["--archive", file, "-o", &out]).assert_code(0);
        assert_eq!(
            entries_and_root(&env.read(&out)),
            folder,
            "sealing {file} differs from sealing col/"
        );
        // And the manifest verifies against the archive it names, with no --archive.
        env.verify(&out, &[]).assert_code(0);
    }
}

#[test]
fn seal_records_the_archive_path_and_names_the_collection_after_the_archive() {
    let env = Env::new();
    env.sh("tar -czf batch-7.tar.gz col/");
    let run = env.docseal(&["seal", "--archive", "batch-7.tar.gz", "--key", "t.key"]);
    run.assert_code(0)
        .assert_stdout_has(&["sealed 5 files", "leading folder col/"]);
    let text = String::from_utf8(env.read("manifests/batch-7.toml")).unwrap();
    assert!(text.contains("name = \"batch-7\"\n"), "{text}");
    assert!(
        text.contains("collection = \"../batch-7.tar.gz\"\n"),
        "{text}"
    );
    env.verify("manifests/batch-7.toml", &["--json"])
        .assert_code(0);
    // --root names folders; an archive is passed with --archive.
    env.verify("manifests/batch-7.toml", &["--root", "batch-7.tar.gz"])
        .assert_fails(2, &["batch-7.tar.gz", "--archive FILE"]);
    // Exactly one of DIR and --archive.
    env.docseal(&["seal", "--key", "t.key"])
        .assert_fails(2, &["--archive"]);
    env.docseal(&[
        "seal",
        "col",
        "--archive",
        "batch-7.tar.gz",
        "--key",
        "t.key",
    ])
    .assert_fails(2, &["cannot be used with"]);
    env.docseal(&["seal", "col", "--strip-components", "1", "--key", "t.key"])
        .assert_fails(2, &["--archive"]);
}

#[test]
fn a_changed_archive_reports_modified_moved_missing_and_extra() {
    let env = Env::new();
    let manifest = env.seal_folder();
    env.sh(
        "cp -r col changed && printf changed > changed/a.txt && mv changed/sub/b.txt changed/moved.txt \
         && rm changed/empty && printf new > changed/new.txt && tar -czf changed.tgz changed",
    );
    let run = env.verify_archive(manifest, "changed.tgz");
    run.assert_code(1);
    let r = run.json();
    assert_eq!(r.status_of("a.txt").0, "modified");
    assert_eq!(r.status_of("moved.txt").0, "moved");
    assert_eq!(r.status_of("empty").0, "missing");
    assert_eq!(r.status_of("new.txt").0, "extra");
    assert_eq!(
        r.totals,
        Totals {
            sealed: 5,
            ok: 2,
            modified: 1,
            moved: 1,
            misnamed: 0,
            missing: 1,
            extra: 1,
            unreadable: 0,
            lacking_provenance: 5,
        }
    );
}

#[test]
fn strip_components_names_the_leading_folders_and_a_manifests_own_folder_is_kept() {
    let env = Env::new();
    let manifest = env.seal_folder();
    env.sh("mkdir outer && cp -r col outer/ && tar -cf nested.tar outer");
    env.verify(
        manifest,
        &["--archive", "nested.tar", "--strip-components", "2"],
    )
    .assert_code(0);
    // The rule strips one wrapping folder only: "col/a.txt" is not "a.txt" (reported as moves).
    let run = env.verify_archive(manifest, "nested.tar");
    run.assert_code(1);
    assert_eq!(run.json().status_of("col/a.txt").0, "moved");
    // --strip-components 0 keeps the wrapping folder.
    env.sh("tar -cf col.tar col");
    env.verify(
        manifest,
        &["--archive", "col.tar", "--strip-components", "0"],
    )
    .assert_code(1);
    // ... and means nothing for a folder.
    env.verify(manifest, &["--strip-components", "1"])
        .assert_fails(2, &["--strip-components", "folder"]);

    // A collection whose only content is one folder, zipped from inside: "docs/" is the
    // manifest's own folder, not a wrapper, so it is kept.
    env.write("only/docs/x.txt", b"x");
    env.write("only/docs/y.txt", b"y");
    env.seal(&["only", "-o", "m/only.toml"]).assert_code(0);
    env.sh("(cd only && zip -qr ../only.zip .)");
    env.verify_archive("m/only.toml", "only.zip").assert_code(0);
}

// ---------------------------------------------------------------------------------------------
// Hostile and broken archives

#[test]
fn path_traversal_and_absolute_entries_are_extra_in_verify_and_refused_by_seal() {
    let env = Env::new();
    let manifest = env.seal_folder();
    env.write("outside.txt", b"outside\n");
    // GNU tar keeps "../" and "/" only with -P.
    env.sh("(cd col && tar -cPf ../slip.tar a.txt ../outside.txt \"$PWD/../outside.txt\")");
    let abs = env.path("outside.txt").display().to_string();
    let run = env.verify_archive(manifest, "slip.tar");
    run.assert_code(1);
    let r = run.json();
    let (status, detail) = r.status_of("../outside.txt");
    assert_eq!(status, "extra");
    assert!(detail.unwrap().contains("\"..\" segment"), "{detail:?}");
    let abs_entry = r
        .files
        .iter()
        .find(|f| f.path.ends_with("/col/../outside.txt") && f.path.starts_with('/'))
        .unwrap_or_else(|| panic!("{r:#?}\n{abs}"));
    assert_eq!(abs_entry.status.as_str(), "extra");
    assert!(
        abs_entry
            .detail
            .as_deref()
            .unwrap()
            .contains("absolute path")
    );
    env.seal(&["--archive", "slip.tar", "-o", "m/slip.toml"])
        .assert_fails(
            2,
            &["slip.tar", "archive entry", "..", "rebuild the archive"],
        );
    assert!(!env.path("m/slip.toml").exists());

    // Zip slip, made with the crate (which stores any name).
    env.write(
        "slip.zip",
        &zip_bytes(&[
            ("a.txt", b"alpha\n"),
            ("../../evil.txt", b"evil"),
            ("/tmp/evil.txt", b"evil"),
            ("sub\\..\\..\\evil.txt", b"evil"),
        ]),
    );
    let run = env.verify_archive(manifest, "slip.zip");
    run.assert_code(1);
    let r = run.json();
    assert_eq!(r.status_of("../../evil.txt").0, "extra");
    assert_eq!(r.status_of("/tmp/evil.txt").0, "extra");
    assert!(
        r.status_of("sub\\..\\..\\evil.txt")
            .1
            .unwrap()
            .contains("backslash")
    );
    env.seal(&["--archive", "slip.zip", "-o", "m/slip.toml"])
        .assert_fails(2, &["slip.zip", "archive entry"]);
}

#[test]
fn duplicate_entry_names_are_unreadable_and_refused_by_seal() {
    let env = Env::new();
    let manifest = env.seal_folder();
    // Appending a second a.txt, as `tar -r` does: which copy is meant is ambiguous.
    env.sh(
        "tar -cf dup.tar -C col . && printf other > a.txt && tar -rf dup.tar ./a.txt && rm a.txt",
    );
    let run = env.verify_archive(manifest, "dup.tar");
    run.assert_code(1);
    let r = run.json();
    let (status, detail) = r.status_of("a.txt");
    assert_eq!(status, "unreadable");
    assert!(
        detail.unwrap().contains("2 entries with this name"),
        "{detail:?}"
    );
    env.seal(&["--archive", "dup.tar", "-o", "m/dup.toml"])
        .assert_fails(2, &["dup.tar", "a.txt", "2 entries with this name"]);

    // A zip with two entries named a.txt (made by renaming b.txt in both headers).
    let mut zip = stored_zip(&[("a.txt", b"alpha\n"), ("b.txt", b"other\n")]);
    let mut at = 0;
    while let Some(pos) = zip[at..].windows(5).position(|w| w == b"b.txt") {
        zip[at + pos] = b'a';
        at += pos + 1;
    }
    env.write("dup.zip", &zip);
    let run = env.verify_archive(manifest, "dup.zip");
    run.assert_code(1);
    assert_eq!(run.json().status_of("a.txt").0, "unreadable");
}

#[test]
fn symlink_and_hardlink_entries_are_skipped_and_never_followed() {
    let env = Env::new();
    env.sh(
        "mkdir links && printf data > links/file.txt && ln links/file.txt links/hard.txt \
         && ln -s /etc/passwd links/passwd && ln -s file.txt links/soft.txt \
         && tar -cf links.tar links/file.txt links/hard.txt links/passwd links/soft.txt \
         && (cd links && zip -qry ../links.zip .)",
    );
    let run = env.seal(&["--archive", "links.tar", "-o", "m/links.toml"]);
    run.assert_code(0);
    let manifest = String::from_utf8(env.read("m/links.toml")).unwrap();
    assert_eq!(manifest.matches("[[file]]").count(), 1, "{manifest}");
    let run = env.verify_archive("m/links.toml", "links.tar");
    run.assert_code(0);
    let skipped = run.json().skipped;
    let want = |path: &str, kind: &str| SkippedEntry {
        path: path.to_string(),
        kind: kind.into(),
    };
    assert_eq!(
        skipped,
        [
            want("hard.txt", "hardlink"),
            want("passwd", "symlink"),
            want("soft.txt", "symlink")
        ]
    );
    // Seal warns about each one (without --quiet).
    let run = env.docseal(&[
        "seal",
        "--archive",
        "links.tar",
        "--key",
        "t.key",
        "-o",
        "m/l2.toml",
    ]);
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("skipped hard.txt: hard link (not followed)")
    );
    assert!(
        run.stderr
            .contains("skipped passwd: symbolic link (not followed)")
    );

    // zip -y stores symbolic links as links.
    let run = env.verify_archive("m/links.toml", "links.zip");
    let r = run.json();
    assert!(r.skipped.contains(&want("passwd", "symlink")), "{r:#?}");
    // A sealed path that is a link in the archive is unreadable, not followed.
    env.sh("mkdir swapped && ln -s /etc/passwd swapped/file.txt && tar -cf swapped.tar swapped");
    let run = env.verify_archive("m/links.toml", "swapped.tar");
    run.assert_code(1);
    let r = run.json();
    assert_eq!(
        r.status_of("file.txt"),
        ("unreadable", Some("is now a symbolic link (not followed)"))
    );
}

#[test]
fn a_file_whose_path_passes_through_a_link_member_is_unreadable_and_refused_by_seal() {
    let env = Env::new();
    // `sub -> /elsewhere` (or `sub -> real`), then `sub/c.txt`: GNU tar unpacks c.txt through the
    // link, a naive extractor outside the folder. Made by the real tar and zip, in two steps.
    env.sh(
        "mkdir -p one two/sub real && ln -s /elsewhere one/sub && ln -s real one/rel \
         && printf c > two/sub/c.txt && mkdir two/rel && printf d > two/rel/d.txt \
         && printf ok > two/ok.txt \
         && tar -cf via.tar -C one sub rel && tar -rf via.tar -C two sub/c.txt rel/d.txt ok.txt \
         && (cd one && zip -qy ../via.zip sub rel) && (cd two && zip -q ../via.zip sub/c.txt rel/d.txt ok.txt)",
    );
    // A manifest that seals exactly those paths, so that only the layout is wrong.
    env.sh("mkdir -p flat/sub flat/rel && printf c > flat/sub/c.txt && printf d > flat/rel/d.txt && printf ok > flat/ok.txt");
    env.seal(&["flat", "-o", "m/flat.toml"]).assert_code(0);
    for archive in ["via.tar", "via.zip"] {
        let run = env.verify_archive("m/flat.toml", archive);
        run.assert_code(1);
        let r = run.json();
        for (path, link) in [("sub/c.txt", "sub"), ("rel/d.txt", "rel")] {
            let (status, detail) = r.status_of(path);
            assert_eq!(status, "unreadable", "{archive} {path}");
            let want = format!(
                "its path passes through \"{link}\", which is a symbolic link in the archive"
            );
            assert!(detail.unwrap().contains(&want), "{archive}: {detail:?}");
        }
        assert_eq!(r.status_of("ok.txt").0, "ok", "{archive}");
        env.seal(&["--archive", archive, "-o", "m/via.toml"])
            .assert_fails(
                2,
                &[
                    archive,
                    "rel/d.txt",
                    "passes through \"rel\", which is a symbolic link",
                ],
            );
        assert!(!env.path("m/via.toml").exists());
    }
}

#[test]
fn device_and_fifo_entries_are_skipped() {
    let env = Env::new();
    env.sh("mkdir pipes && printf data > pipes/file.txt && mkfifo pipes/fifo && tar -cf pipes.tar pipes");
    env.seal(&["--archive", "pipes.tar", "-o", "m/pipes.toml"])
        .assert_code(0);
    let r = env.verify_archive("m/pipes.toml", "pipes.tar").json();
    assert!(r.success);
    assert_eq!(
        r.skipped,
        [SkippedEntry {
            path: "fifo".into(),
            kind: "fifo".into()
        }]
    );
    // Device entries, made with the crate (mknod needs privileges).
    let tar = tar_bytes(
        &[("file.txt", b"data")],
        &[
            (b"tty", tar::EntryType::Char, b""),
            (b"sda", tar::EntryType::Block, b""),
            (b"fifo", tar::EntryType::Fifo, b""),
        ],
    );
    env.write("dev.tar", &tar);
    let r = env.verify_archive("m/pipes.toml", "dev.tar").json();
    assert!(r.success, "{r:#?}");
    let kinds: Vec<_> = r
        .skipped
        .iter()
        .map(|s| (s.path.as_str(), s.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [("fifo", "fifo"), ("sda", "device"), ("tty", "device")]
    );
}

#[test]
fn truncated_archives_are_errors() {
    let env = Env::new();
    let manifest = env.seal_folder();
    env.sh("tar -cf col.tar col && tar -czf col.tgz col && tar -cf - col | zstd -q -o col.tar.zst && zip -qr col.zip col");
    for (file, cut, words) in [
        ("col.tar", 2, &["ends early"][..]),
        ("col.tgz", 2, &["gzip stream ends early"]),
        ("col.tar.zst", 2, &["zstd stream ends early"]),
        ("col.zip", 2, &["zip archive is invalid"]),
    ] {
        let data = env.read(file);
        let name = format!("cut-{file}");
        env.write(&name, &data[..data.len() / cut]);
        let mut all = vec![name.as_str(), "damaged"];
        all.extend_from_slice(words);
        env.verify_archive(manifest, &name).assert_fails(2, &all);
    }
    // A tar cut exactly after an entry (no end-of-archive blocks) is truncated too.
    let tar = tar_bytes(&[("a.txt", b"alpha\n")], &[]);
    env.write("short.tar", &tar[..1024]);
    env.verify_archive(manifest, "short.tar")
        .assert_fails(2, &["short.tar", "ends early", "damaged"]);
    // Nothing is printed on standard output for an error, even with --json.
    assert!(env.verify_archive(manifest, "short.tar").stdout.is_empty());
    // Cut inside an entry larger than 1 MiB, which is hashed in pieces while it is read.
    let big = vec![7u8; 3 << 20];
    let tar = tar_bytes(&[("a.txt", b"alpha\n"), ("big.bin", &big)], &[]);
    env.write("cut-big.tar", &tar[..2 << 20]);
    for jobs in ["1", "3"] {
        env.verify(manifest, &["--archive", "cut-big.tar", "--jobs", jobs])
            .assert_fails(2, &["cut-big.tar", "ends early", "damaged"]);
    }
}

#[test]
fn corrupt_gzip_and_zstd_streams_are_errors() {
    let env = Env::new();
    let manifest = env.seal_folder();
    env.sh("tar -czf col.tgz col && tar -cf - col | zstd -q -o col.tar.zst");
    for file in ["col.tgz", "col.tar.zst"] {
        let mut data = env.read(file);
        let mid = data.len() / 2;
        for b in &mut data[mid..mid + 16] {
            *b ^= 0x5a;
        }
        let name = format!("bad-{file}");
        env.write(&name, &data);
        env.verify_archive(manifest, &name)
            .assert_fails(2, &[&name, "damaged"]);
        env.seal(&["--archive", &name, "-o", "m/bad.toml"])
            .assert_fails(2, &[&name, "damaged"]);
    }
    // A gzip stream whose CRC at the end is wrong.
    let mut data = env.read("col.tgz");
    let n = data.len();
    data[n - 8] ^= 1;
    env.write("crc.tgz", &data);
    env.verify_archive(manifest, "crc.tgz")
        .assert_fails(2, &["gzip stream is corrupt", "damaged"]);
}

#[test]
fn a_zip_whose_central_directory_disagrees_with_its_local_header_is_refused() {
    let env = Env::new();
    let manifest = env.seal_folder();
    let good = stored_zip(&[("a.txt", b"alpha\n"), ("b.txt", b"bravo\n")]);
    // Rename b.txt to c.txt in the central directory only.
    let mut zip = good.clone();
    let central = find(&zip, b"PK\x01\x02", 0);
    let at = find(&zip, b"b.txt", central);
    zip[at] = b'c';
    env.write("names.zip", &zip);
    env.verify_archive(manifest, "names.zip").assert_fails(
        2,
        &[
            "names.zip",
            "local header and the central directory disagree",
            "name",
        ],
    );
    // Change the CRC-32 in the local header only.
    let mut zip = good.clone();
    zip[14] ^= 0xff;
    env.write("crc.zip", &zip);
    env.verify_archive(manifest, "crc.zip")
        .assert_fails(2, &["crc.zip", "disagree", "CRC-32"]);
}

/// `zip` without the central directory record of entry `index` (its local entry stays in place),
/// the end record's counts and size mended to match.
fn without_central_record(zip: &[u8], index: usize) -> Vec<u8> {
    let u16_at = |b: &[u8], o: usize| usize::from(u16::from_le_bytes([b[o], b[o + 1]]));
    let u32_at = |b: &[u8], o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
    let end = find(zip, b"PK\x05\x06", 0);
    let central = u32_at(zip, end + 16) as usize;
    let mut at = central;
    for _ in 0..index {
        at += 46 + u16_at(zip, at + 28) + u16_at(zip, at + 30) + u16_at(zip, at + 32);
    }
    let len = 46 + u16_at(zip, at + 28) + u16_at(zip, at + 30) + u16_at(zip, at + 32);
    let mut out = [&zip[..at], &zip[at + len..]].concat();
    let end = end - len;
    for o in [8, 10] {
        let n = u16_at(&out, end + o) as u16 - 1;
        out[end + o..end + o + 2].copy_from_slice(&n.to_le_bytes());
    }
    let size = u32_at(&out, end + 12) - len as u32;
    out[end + 12..end + 16].copy_from_slice(&size.to_le_bytes());
    out
}

#[test]
fn a_zip_with_a_local_entry_its_central_directory_does_not_list_is_refused() {
    let env = Env::new();
    let manifest = env.seal_folder();
    let files: [(&str, &[u8]); 3] = [
        ("a.txt", b"alpha\n"),
        ("hidden.txt", b"seen only by a streaming reader\n"),
        ("b.txt", b"bravo\n"),
    ];
    // The hidden entry lies between two listed ones; stored and deflated alike.
    for (name, zip) in [
        ("hidden-stored.zip", stored_zip(&files)),
        ("hidden-deflated.zip", zip_bytes(&files)),
    ] {
        env.write(name, &without_central_record(&zip, 1));
        env.verify_archive(manifest, name).assert_fails(
            2,
            &[
                name,
                "belong to no entry of the central directory",
                "damaged",
            ],
        );
        env.seal(&["--archive", name, "-o", "m/hidden.toml"])
            .assert_fails(2, &[name, "belong to no entry"]);
    }
    // Leaving out the last record leaves its local entry before the central directory.
    env.write(
        "hidden-last.zip",
        &without_central_record(&stored_zip(&files), 2),
    );
    env.verify_archive(manifest, "hidden-last.zip")
        .assert_fails(2, &["belong to no entry"]);
    // The untouched archives, and zips streamed with data descriptors by the real zip, are sound.
    env.write("sound.zip", &stored_zip(&files));
    env.seal(&["--archive", "sound.zip", "-o", "m/sound.toml"])
        .assert_code(0);
    env.sh(
        "(cd col && zip -qr - . | cat > ../streamed.zip && zip -qr -fd - . > /dev/null || true)",
    );
    env.verify_archive(manifest, "streamed.zip").assert_code(0);
}

#[test]
fn an_entry_whose_declared_size_disagrees_with_its_data() {
    let env = Env::new();
    let manifest = env.seal_folder();
    // Tar: a size larger than the data left in the archive is a truncated archive.
    let mut tar = tar_bytes(&[("a.txt", b"alpha\n")], &[]);
    let mut h = tar::Header::new_old();
    h.as_mut_bytes().copy_from_slice(&tar[..512]);
    h.set_size(1 << 20);
    h.set_cksum();
    tar[..512].copy_from_slice(h.as_bytes());
    env.write("big.tar", &tar);
    env.verify_archive(manifest, "big.tar")
        .assert_fails(2, &["big.tar", "ends early", "declared size"]);
    // Tar: a size smaller than the data makes the rest of the data read as a header.
    let mut tar = tar_bytes(&[("a.txt", &[b'x'; 2000])], &[]);
    h.as_mut_bytes().copy_from_slice(&tar[..512]);
    h.set_size(10);
    h.set_cksum();
    tar[..512].copy_from_slice(h.as_bytes());
    env.write("small.tar", &tar);
    env.verify_archive(manifest, "small.tar")
        .assert_fails(2, &["small.tar", "damaged"]);

    // Zip: both headers declare 100 bytes for a 6-byte stored entry. Sealing reads it and finds
    // it unreadable, with the reason; verify, which knows the sealed size (6), finds it modified
    // by its declared size alone, without reading it.
    let mut zip = stored_zip(&[("a.txt", b"alpha\n")]);
    let central = find(&zip, b"PK\x01\x02", 0);
    zip[22..26].copy_from_slice(&100u32.to_le_bytes());
    zip[central + 24..central + 28].copy_from_slice(&100u32.to_le_bytes());
    env.write("size.zip", &zip);
    env.seal(&["--archive", "size.zip", "-o", "m/size.toml"])
        .assert_fails(
            2,
            &[
                "size.zip",
                "a.txt",
                "declares 100 bytes but the entry holds 6",
            ],
        );
    let run = env.verify_archive(manifest, "size.zip");
    run.assert_code(1);
    let r = run.json();
    assert_eq!(
        r.status_of("a.txt"),
        (
            "modified",
            Some("content changed (size 6 -> 100 bytes; not read, the size shows it)")
        )
    );

    // Zip: data that does not match its CRC-32 (same size).
    let mut zip = stored_zip(&[("a.txt", b"alpha\n")]);
    let data = find(&zip, b"alpha", 0);
    zip[data] = b'A';
    env.write("flip.zip", &zip);
    let run = env.verify_archive(manifest, "flip.zip");
    run.assert_code(1);
    assert!(run.json().status_of("a.txt").1.unwrap().contains("CRC-32"));
}

#[test]
fn a_zip_bomb_entry_is_hashed_in_bounded_memory_and_reported_right() {
    let env = Env::new();
    // 1 GiB of zeros in about 1 MB.
    let mut z = zip::ZipWriter::new(fs::File::create(env.path("bomb.zip")).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    z.start_file("zeros.bin", opts).unwrap();
    let block = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        z.write_all(&block).unwrap();
    }
    z.finish().unwrap();
    let compressed = fs::metadata(env.path("bomb.zip")).unwrap().len();
    assert!(compressed < 4 << 20, "{compressed} bytes");
    // Under a 512 MiB address-space limit: holding the entry in memory would fail.
    let script = format!(
        "ulimit -v 524288; exec {} seal --archive bomb.zip --key t.key -o m/bomb.toml --quiet",
        env!("CARGO_BIN_EXE_docseal")
    );
    env.sh(&script);
    let manifest = String::from_utf8(env.read("m/bomb.toml")).unwrap();
    assert!(manifest.contains("size = 1073741824\n"), "{manifest}");
    assert!(
        manifest.contains(
            "digest = \"49bc20df15e412a64472421e13fe86ff1c5165e18b2afccf160d4dc19fe68a14\""
        )
    );
    let before = env.snapshot();
    let script = format!(
        "ulimit -v 524288; exec {} verify m/bomb.toml --trust keys --quiet",
        env!("CARGO_BIN_EXE_docseal")
    );
    env.sh(&script);
    assert_eq!(before, env.snapshot());
}

#[test]
fn a_zip_entry_whose_declared_size_differs_from_the_sealed_size_is_modified_without_being_read() {
    let env = Env::new();
    let manifest = env.seal_folder();
    // a.txt (6 bytes sealed) is now 256 MiB of zeros, deflated to a few hundred KiB; the others
    // are as sealed. With and without a leading folder to take away.
    for prefix in ["", "col/"] {
        let mut z = zip::ZipWriter::new(fs::File::create(env.path("grown.zip")).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file(format!("{prefix}a.txt"), opts).unwrap();
        let block = vec![0u8; 1 << 20];
        for _ in 0..256 {
            z.write_all(&block).unwrap();
        }
        z.start_file(format!("{prefix}sub/b.txt"), opts).unwrap();
        z.write_all(b"bravo\n").unwrap();
        z.start_file(format!("{prefix}empty"), opts).unwrap();
        z.finish().unwrap();
        let run = env.verify_archive(manifest, "grown.zip");
        run.assert_code(1);
        let r = run.json();
        assert_eq!(
            r.status_of("a.txt"),
            (
                "modified",
                Some("content changed (size 6 -> 268435456 bytes; not read, the size shows it)")
            ),
            "{prefix}"
        );
        assert_eq!(r.file("a.txt").actual, None);
        assert_eq!(r.status_of("sub/b.txt").0, "ok");
        assert_eq!(r.status_of("empty").0, "ok");
    }
    // A tar's entry is looked up by its header as the stream passes, its data skipped unread;
    // with and without a leading folder, and through a pipe.
    env.sh("mkdir -p t/col/sub && printf 'alpha, longer now\n' > t/col/a.txt && printf 'bravo\n' > t/col/sub/b.txt && tar -czf grown.tgz -C t col && tar -cf flat.tar -C t/col .");
    for archive in ["grown.tgz", "flat.tar"] {
        let r = env.verify_archive(manifest, archive).json();
        assert_eq!(
            r.status_of("a.txt"),
            (
                "modified",
                Some("content changed (size 6 -> 18 bytes; not read, the size shows it)")
            ),
            "{archive}"
        );
        assert_eq!(r.status_of("sub/b.txt").0, "ok", "{archive}");
    }
}

#[test]
fn tar_sparse_entries_are_never_expanded_for_nothing_and_their_holes_are_bounded() {
    let env = Env::new();
    let manifest = env.seal_folder();
    // a.txt (6 bytes sealed) is now a 1 TiB GNU sparse file — a few blocks of sparse map in the
    // archive — and an unsealed 3 GiB sparse file lies beside it. Expanding either would hash
    // zeros for minutes or days.
    env.sh("mkdir -p s/col/sub && truncate -s 1T s/col/a.txt && printf 'bravo\n' > s/col/sub/b.txt && cp col/empty s/col/ && truncate -s 3G s/col/holes.bin && tar --format=gnu --sparse -czf sparse.tgz -C s col");
    let run = env.verify_archive(manifest, "sparse.tgz");
    run.assert_code(1);
    let r = run.json();
    assert_eq!(
        r.status_of("a.txt"),
        (
            "modified",
            Some("content changed (size 6 -> 1099511627776 bytes; not read, the size shows it)")
        )
    );
    assert_eq!(r.status_of("sub/b.txt").0, "ok");
    assert_eq!(
        r.status_of("holes.bin"),
        (
            "extra",
            Some("not in the manifest (3221225472 bytes, not read)")
        )
    );
    // Seal has no sealed size to vouch for the holes: past the bound it refuses, writing nothing.
    env.seal(&["--archive", "sparse.tgz", "-o", "m/sparse.toml"])
        .assert_fails(2, &["sparse.tgz", "expand to more than 64 GiB of holes"]);
    assert!(!env.path("m/sparse.toml").exists());

    // A genuine sparse file within the bound seals from the archive as from its folder, and
    // verifies: its holes are hashed as the zeros they stand for.
    env.sh("mkdir -p g/col && truncate -s 20M g/col/disk.img && printf 'data in the middle' | dd of=g/col/disk.img bs=1 seek=10485760 conv=notrunc status=none && tar --format=gnu --sparse -cf g.tar -C g col");
    env.seal(&["g/col", "-o", "m/g-folder.toml"]).assert_code(0);
    env.seal(&["--archive", "g.tar", "-o", "m/g.toml"])
        .assert_code(0);
    assert_eq!(
        entries_and_root(&env.read("m/g.toml")),
        entries_and_root(&env.read("m/g-folder.toml"))
    );
    let r = env.verify_archive("m/g.toml", "g.tar").json();
    assert_eq!(r.status_of("disk.img").0, "ok");
}

#[test]
fn oversized_tar_headers_are_refused_not_held_in_memory() {
    let env = Env::new();
    let manifest = env.seal_folder();
    let mut b = tar::Builder::new(Vec::new());
    let huge = vec![b'x'; 17 << 20];
    b.append_pax_extensions([("comment", huge.as_slice())])
        .unwrap();
    let mut h = tar::Header::new_ustar();
    h.set_size(1);
    h.set_entry_type(tar::EntryType::Regular);
    b.append_data(&mut h, "a.txt", &b"a"[..]).unwrap();
    env.write("pax-bomb.tar.gz", &gzip(&b.into_inner().unwrap()));
    env.verify_archive(manifest, "pax-bomb.tar.gz")
        .assert_fails(2, &["pax-bomb.tar.gz", "exceed 16 MiB"]);
}

#[test]
fn files_that_are_not_archives_are_refused_whatever_their_name() {
    let env = Env::new();
    let manifest = env.seal_folder();
    env.write("notes.tar.gz", b"just some text, not an archive\n");
    env.write("doc.zip", b"%PDF-1.7\n");
    env.write("empty.tar", b"");
    env.write(
        "col.tar.xz",
        b"\xfd7zXZ\0\0\x04\xe6\xd6\xb4\x46 (the start of an xz stream)",
    );
    env.sh("printf 'plain text' | gzip > text.tar.gz");
    for (file, extra) in [
        ("notes.tar.gz", ""),
        ("doc.zip", ""),
        ("empty.tar", "the file is empty"),
        ("col.tar.xz", "xz-compressed"),
    ] {
        env.verify_archive(manifest, file).assert_fails(
            2,
            &[file, "not a tar, tar.gz, tar.zst or zip archive", extra],
        );
    }
    env.verify_archive(manifest, "text.tar.gz")
        .assert_fails(2, &["text.tar.gz", "gzip-compressed", "not a tar archive"]);
    env.verify_archive(manifest, "col")
        .assert_fails(2, &["col", "is a folder, not an archive"]);
    env.verify_archive(manifest, "nowhere.tar")
        .assert_fails(2, &["nowhere.tar", "not found"]);
}

#[test]
fn compressed_and_plain_tars_are_read_from_pipes_without_seeking() {
    let env = Env::new();
    let manifest = env.seal_folder();
    env.sh("tar -czf col.tgz col && tar -cf col.tar col && tar -cf - col | zstd -q > col.tar.zst");
    for file in ["col.tgz", "col.tar", "col.tar.zst"] {
        let piped = env.sh_run(&format!(
            "cat {file} | \"$DOCSEAL\" verify {manifest} --trust keys --archive /dev/stdin --json"
        ));
        piped.assert_code(0);
        assert_eq!(piped.json().totals.ok, 5, "{file}");
        env.sh_run(&format!(
            "\"$DOCSEAL\" verify {manifest} --trust keys --archive <(cat {file})"
        ))
        .assert_code(0)
        .assert_stdout_has(&["ok         a.txt", "verified"]);
    }
    // Sealing from a pipe gives the entries and root of sealing the folder.
    env.sh_run(
        "\"$DOCSEAL\" seal --key t.key --quiet --name col --archive <(cat col.tgz) -o m/piped.toml",
    )
    .assert_code(0);
    assert_eq!(
        entries_and_root(&env.read("m/piped.toml")),
        entries_and_root(&env.read(manifest))
    );
    // A pipe has no file to record: the collection is "-" (never "../../proc/PID/fd/63"), verify
    // says where it looked and what to pass, and --archive verifies it.
    let text = String::from_utf8(env.read("m/piped.toml")).unwrap();
    assert!(text.contains("\ncollection = \"-\"\n"), "{text}");
    env.verify("m/piped.toml", &[])
        .assert_fails(2, &["collection not found", "--archive FILE"]);
    env.verify("m/piped.toml", &["--archive", "col.tgz"])
        .assert_code(0);
    // Without --name there is nothing to name the collection after.
    env.sh_run("\"$DOCSEAL\" seal --key t.key --quiet --archive <(cat col.tgz) -o m/unnamed.toml")
        .assert_fails(
            2,
            &["is read from a pipe, which has no name to take; pass --name NAME"],
        );
}

#[test]
fn a_zip_from_a_pipe_is_refused_with_advice_to_save_it_to_a_file() {
    let env = Env::new();
    let manifest = env.seal_folder();
    env.sh("(cd col && zip -qr ../col.zip .)");
    for script in [
        format!("cat col.zip | \"$DOCSEAL\" verify {manifest} --trust keys --archive /dev/stdin"),
        "\"$DOCSEAL\" seal --key t.key --name col --archive <(cat col.zip) -o m/z.toml".to_string(),
    ] {
        let run = env.sh_run(&script);
        run.assert_fails(
            2,
            &["zip archive read from a pipe", "save it to a file first"],
        );
        assert!(!run.stderr.contains("seek"), "{}", run.stderr);
    }
    assert!(!env.path("m/z.toml").exists());
    // Standard input redirected from the file itself is a file, and is read.
    env.sh_run(&format!(
        "\"$DOCSEAL\" verify {manifest} --trust keys --archive /dev/stdin < col.zip"
    ))
    .assert_code(0);
}

#[test]
fn a_manifest_kept_inside_its_collection_is_left_out_of_its_archive_as_of_its_folder() {
    let env = Env::new();
    // `collection = "."` (the manifest at the top) and `collection = ".."` (in a subfolder).
    for (manifest, own) in [
        ("col/m.toml", "m.toml"),
        ("col/manifests/m.toml", "manifests/m.toml"),
    ] {
        env.sh("mkdir -p col/manifests m");
        env.seal(&["col", "-o", manifest, "--force"]).assert_code(0);
        let folder = env.verify(manifest, &["--json"]);
        folder.assert_code(0);
        env.sh("rm -f col.tgz col.zip && tar -czf col.tgz col && (cd col && zip -qr ../col.zip .)");
        for archive in ["col.tgz", "col.zip"] {
            let run = env.verify_archive(manifest, archive);
            run.assert_code(0);
            let r = run.json();
            assert_eq!((r.totals.ok, r.totals.extra), (5, 0), "{archive}");
            assert!(r.files.iter().all(|f| f.path != own), "{archive}");
            assert_eq!(r.files.len(), folder.json().files.len());
        }
        env.sh(&format!("rm {manifest}"));
    }
    // A manifest outside the collection: an entry of that name in the archive is extra.
    env.seal(&["col", "-o", "m/m.toml"]).assert_code(0);
    env.write("col/m.toml", b"not the manifest\n");
    env.sh("rm -f col.tgz && tar -czf col.tgz col");
    let run = env.verify_archive("m/m.toml", "col.tgz");
    run.assert_code(1);
    assert_eq!(run.json().status_of("m.toml").0, "extra");
}

#[test]
fn empty_archives_are_empty_collections() {
    let env = Env::new();
    let manifest = env.seal_folder();
    env.sh("tar -cf empty.tar -T /dev/null && gzip -c empty.tar > empty.tgz");
    env.write("empty.zip", &stored_zip(&[]));
    for file in ["empty.tar", "empty.tgz", "empty.zip"] {
        let run = env.verify_archive(manifest, file);
        run.assert_code(1);
        assert_eq!(run.json().totals.missing, 5, "{file}");
        let out = format!("m/{file}.toml");
        env.seal(&["--archive", file, "-o", &out]).assert_code(0);
        assert!(
            !String::from_utf8(env.read(&out))
                .unwrap()
                .contains("[[file]]")
        );
        env.verify(&out, &[]).assert_code(0);
    }
}

#[test]
fn archive_entries_hashed_on_several_threads_give_the_same_report_and_manifest_as_on_one() {
    let env = Env::new();
    // Files on both sides of the size up to which a tar entry is hashed whole (1 MiB), and many
    // small ones, so that several hashing jobs are in flight at once.
    const MIB: usize = 1 << 20;
    let pattern = |n: usize, seed: u32| -> Vec<u8> {
        (0..n as u32)
            .map(|i| (i.wrapping_mul(31) ^ seed) as u8)
            .collect()
    };
    for (i, size) in [MIB - 1, MIB, MIB + 1, 3 * MIB + 5].into_iter().enumerate() {
        env.write(&format!("col/large/{i}.bin"), &pattern(size, i as u32));
    }
    for i in 0..300u32 {
        env.write(
            &format!("col/small/{i:03}.txt"),
            &pattern(i as usize * 37, i),
        );
    }
    let folder = entries_and_root(&env.read(env.seal_folder()));
    env.sh("tar -czf col.tgz col && tar -cf col.tar col && zip -qr col.zip col");
    for archive in ["col.tar", "col.tgz", "col.zip"] {
        let mut reports = Vec::new();
        for jobs in ["1", "3"] {
            let out = format!("m/{archive}-{jobs}.toml");
            env.seal(&["--archive", archive, "--jobs", jobs, "-o", &out])
                .assert_code(0);
            assert_eq!(
                entries_and_root(&env.read(&out)),
                folder,
                "{archive}, {jobs} jobs"
            );
            let run = env.verify(
                "m/col.toml",
                &["--archive", archive, "--json", "--jobs", jobs],
            );
            run.assert_code(0);
            assert_eq!(run.json().totals.ok, 309, "{archive}");
            reports.push(run.stdout);
        }
        assert_eq!(
            reports[0], reports[1],
            "{archive}: reports differ with the thread count"
        );
    }
    // A changed large entry is found whichever thread hashes it.
    env.write("col/large/3.bin", &pattern(3 * MIB + 5, 99));
    env.sh("tar -cf changed.tar col");
    let run = env.verify(
        "m/col.toml",
        &["--archive", "changed.tar", "--json", "--jobs", "3"],
    );
    run.assert_code(1);
    assert_eq!(run.json().status_of("large/3.bin").0, "modified");
}
