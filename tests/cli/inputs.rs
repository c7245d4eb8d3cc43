/*!
Input files that are not what they claim to be: a folder, a device or a socket given as the
manifest, `--sources`, `--trust` or `--archive` is refused with a message saying what it is, and a
FIFO nothing writes to (as the manifest, `--sources` or `--trust`) is never waited on forever; pipes with a writer (process substitution, `/dev/stdin`) keep working; a file
given as the manifest that is a key, a sources list or an archive is named for what it is; and no
input is read without bound.
*/

use std::io::Write;
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {} failed", path.display());
}

/// The commands that read an input file of each kind, with `{}` standing for the file.
fn readers(file: &str) -> Vec<(&'static str, Vec<String>)> {
    let v = |args: &[&str]| -> Vec<String> {
        args.iter()
            .map(|a| a.replace("{}", file))
            .collect::<Vec<_>>()
    };
    vec![
        ("manifest", v(&["verify", "{}"])),
        ("manifest", v(&["show", "{}"])),
        (
            "sources list",
            v(&[
                "seal",
                "col",
                "--key",
                "k",
                "-o",
                "out.toml",
                "--sources",
                "{}",
            ]),
        ),
        ("public key file", v(&["verify", MANIFEST, "--trust", "{}"])),
        ("archive", v(&["verify", MANIFEST, "--archive", "{}"])),
        (
            "archive",
            v(&["seal", "--archive", "{}", "--key", "k", "-o", "out.toml"]),
        ),
    ]
}

#[test]
fn a_fifo_that_nothing_writes_to_is_refused_after_the_wait_as_manifest_sources_or_key() {
    let env = TestEnv::sealed();
    mkfifo(&env.join("fifo"));
    // All at once: each waits ten seconds for a writer (a run that hangs fails the harness's
    // timeout).
    let runs: Vec<_> = readers("fifo")
        .into_iter()
        .map(|(what, args)| {
            let cmd = env.command(args);
            (what, std::thread::spawn(move || run_command(cmd)))
        })
        .collect();
    for (what, run) in runs {
        let out = run.join().unwrap();
        assert_error_is(
            &out,
            &format!(
                "fifo: is a FIFO that nothing wrote to within 10 seconds; start the program that writes the {what} first, or pass a regular file"
            ),
        );
    }
    env.assert_nothing_written("out.toml");
}

#[test]
fn a_folder_a_device_and_a_socket_are_refused_naming_what_they_are() {
    let env = TestEnv::sealed();
    let _socket = UnixListener::bind(env.join("sock")).unwrap();
    std::fs::create_dir(env.join("dir")).unwrap();
    for (file, it_is) in [
        ("/dev/null", "a device"),
        ("sock", "a socket"),
        ("dir", "a folder"),
    ] {
        for (what, args) in readers(file) {
            if what == "archive" && file == "dir" {
                continue; // a folder is a collection: see archive.rs
            }
            if what == "public key file" && file == "dir" {
                continue; // a folder of trusted keys
            }
            let a = if what == "archive" { "an" } else { "a" };
            assert_error_is(
                &env.run(&args),
                &format!("{file}: is {it_is}, not {a} {what}; pass the {what} file itself"),
            );
        }
    }
    env.assert_nothing_written("out.toml");
}

/// Runs `docseal ARGS` with `input` written to its standard input.
fn run_with_stdin(env: &TestEnv, args: &[&str], input: Vec<u8>) -> std::process::Output {
    let mut child = env
        .command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

#[test]
fn a_manifest_and_a_sources_list_from_a_pipe_or_a_fifo_with_a_writer_are_read() {
    let env = TestEnv::sealed();
    let manifest = env.read_bytes(MANIFEST);
    // `cat m.toml | docseal verify /dev/stdin`
    let out = run_with_stdin(
        &env,
        &["verify", "/dev/stdin", "--root", "col"],
        manifest.clone(),
    );
    assert_ok(&out);
    // A FIFO whose writer starts after docseal opened it.
    mkfifo(&env.join("fifo"));
    let fifo = env.join("fifo");
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        std::fs::write(fifo, manifest)
    });
    let out = env.run(["verify", "fifo", "--root", "col"]);
    writer.join().unwrap().unwrap();
    assert_ok(&out);
    // `--sources /dev/stdin`
    let out = run_with_stdin(
        &env,
        &[
            "seal",
            "col",
            "--key",
            "k",
            "-o",
            "out.toml",
            "--sources",
            "/dev/stdin",
        ],
        SOURCES.as_bytes().to_vec(),
    );
    assert_ok(&out);
    assert!(env.read("out.toml").contains("https://example.org/a"));
}

#[test]
fn a_manifest_argument_that_is_another_kind_of_file_is_named_for_what_it_is() {
    let env = TestEnv::sealed();
    let status = Command::new("tar")
        .args(["czf", "c.tgz", "col"])
        .current_dir(env.path())
        .status()
        .unwrap();
    assert!(status.success());
    for (file, message) in [
        (
            "keys/k.pub",
            "this is a docseal public key, not a manifest; pass it with --trust, and the manifest (manifests/NAME.toml) first",
        ),
        (
            "sources.toml",
            "this is a sources list (for `docseal seal --sources`), not a manifest; pass the manifest (manifests/NAME.toml)",
        ),
        (
            "c.tgz",
            "this looks like a tar.gz (gzip) archive, not a manifest; did you mean --archive? (`docseal verify MANIFEST --archive FILE`)",
        ),
    ] {
        let expected = format!("{file}: {message}");
        assert_error_is(&env.run(["verify", file]), &expected);
        assert_error_is(&env.run(["show", file]), &expected);
    }
    let secret = env.default_secret("k");
    let out = env.run(["verify".as_ref(), secret.as_os_str()]);
    assert_fails(&out, 2, "this is a docseal secret key, not a manifest");
    assert!(!stderr(&out).contains("secret_key ="), "{}", stderr(&out));
    env.write("empty.toml", "");
    assert_error_is(
        &env.run(["verify", "empty.toml"]),
        "empty.toml: is empty, so it is not a manifest; pass the manifest docseal wrote (manifests/NAME.toml)",
    );
}

#[test]
fn a_manifest_with_a_byte_order_mark_gets_its_own_message_not_a_tampering_verdict() {
    let env = TestEnv::sealed();
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(env.read_bytes(MANIFEST));
    env.write(MANIFEST, bytes);
    let expected = format!(
        "{MANIFEST}:1: manifest starts with a UTF-8 byte-order mark (an editor added it), which changes the signed bytes; remove the first 3 bytes or restore the original file"
    );
    assert_error_is(&env.run(["verify", MANIFEST]), &expected);
    assert_error_is(&env.run(["show", MANIFEST]), &expected);
}

#[test]
fn a_key_file_larger_than_64_kib_is_refused_unread() {
    let env = TestEnv::sealed();
    let mut key = env.read("keys/k.pub");
    key.push_str(&"# padding\n".repeat(7000));
    env.write("big.pub", key);
    assert_error_is(
        &env.run(["verify", MANIFEST, "--trust", "big.pub"]),
        "big.pub: is larger than 64 KiB, the most docseal reads of a public key file; this is not a public key file",
    );
}

#[test]
fn a_file_of_nul_bytes_given_as_the_manifest_is_refused_from_its_first_bytes() {
    let env = TestEnv::sealed();
    // Sparse: 1 GiB that takes no disk space. Reading it whole would take seconds and 1 GiB.
    let file = std::fs::File::create(env.join("zeros.toml")).unwrap();
    file.set_len(1 << 30).unwrap();
    let started = Instant::now();
    assert_error_is(
        &env.run(["verify", "zeros.toml"]),
        "zeros.toml:1: manifest contains a NUL byte, so it is not a text file; pass the manifest (.toml) docseal wrote",
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_junk_header_too_long_to_be_a_manifest_is_refused_without_parsing_it() {
    let env = TestEnv::sealed();
    let mut junk = String::from("format_version = 1\n");
    for i in 0..2_000_000 {
        junk.push_str(&format!("k{i} = \"junk\"\n"));
    }
    env.write("junk.toml", junk);
    let started = Instant::now();
    assert_fails(
        &env.run(["verify", "junk.toml"]),
        2,
        "the manifest header (the text before the first [[file]] line) is longer than 64 KiB; this is not a manifest docseal wrote",
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn an_untrusted_manifest_never_has_its_collection_looked_up() {
    let env = TestEnv::sealed();
    // Unsigned, naming a folder that exists and one that does not: the same answer for both.
    let text = env.read(MANIFEST);
    let body = body(&text).to_string();
    for collection in ["../../../../etc", "../../../../no/such/folder"] {
        let edited = body.replacen(
            "collection = \"../col\"",
            &format!("collection = \"{collection}\""),
            1,
        );
        env.write("m.toml", &edited);
        let out = env.run(["verify", "m.toml", "--trust", "keys/k.pub"]);
        assert_eq!(out.status.code(), Some(1), "{collection}: {}", stderr(&out));
        assert!(
            stdout(&out).starts_with("signature  MISSING"),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn an_archive_from_a_fifo_with_a_writer_is_read() {
    let env = TestEnv::sealed();
    let status = std::process::Command::new("tar")
        .args(["cf", "c.tar", "col"])
        .current_dir(env.path())
        .status()
        .unwrap();
    assert!(status.success());
    mkfifo(&env.join("fifo"));
    let (tar, fifo) = (env.join("c.tar"), env.join("fifo"));
    let writer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        std::fs::write(&fifo, std::fs::read(&tar).unwrap()).unwrap();
    });
    let out = env.run(["verify", MANIFEST, "--archive", "fifo"]);
    writer.join().unwrap();
    assert_ok(&out);
    assert!(
        stdout(&out).starts_with("archive    fifo\n"),
        "{}",
        stdout(&out)
    );
}
