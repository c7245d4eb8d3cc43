/*!
`docseal fetch` against a real server on 127.0.0.1 (`server.rs`): the exact bytes stored under
their content-addressed name, the provenance in the sources list (redirects, status, headers,
size, digest), every kind of failure reported for its URL with nothing stored, re-runs, HTTPS
with `--ca-cert`, and the fetched folder sealed and verified with its captured provenance under
the signature — and `misnamed` once a captured file is renamed.
*/

use std::time::Duration;

use crate::server::{Reply, Server, Tls, closed_port_url};
use crate::util::*;

/// The SHA-256 of `bytes`, in hex.
pub fn sha256(bytes: &[u8]) -> String {
    docseal::digest::Sha256Digest::of(bytes).to_hex()
}

/// The files stored in `dir`, by name.
pub fn stored_files(env: &TestEnv, dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(env.join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Seals the fetched folder `seeds` with key "k" and its sources list.
pub fn seal_fetched(env: &TestEnv) -> std::process::Output {
    env.run([
        "seal",
        "seeds",
        "--key",
        "k",
        "--sources",
        "sources/seeds.toml",
    ])
}

#[test]
fn a_fetched_body_is_stored_exactly_under_its_digest_with_its_provenance() {
    let body = b"<html>seed</html>\n".to_vec();
    let server = Server::http(vec![(
        "/doc",
        Reply::ok("text/html; charset=utf-8", body.clone())
            .with("ETag", "\"v1\"")
            .with("Last-Modified", "Wed, 02 Dec 2026 00:00:00 GMT"),
    )]);
    let env = TestEnv::new();
    let out = env.run(["fetch", &server.url("/doc"), "--into", "seeds"]);
    assert_ok(&out);
    let name = format!("000_{}.html", &sha256(&body)[..16]);
    assert_eq!(stored_files(&env, "seeds"), std::slice::from_ref(&name));
    assert_eq!(env.read_bytes(format!("seeds/{name}")), body);
    assert_eq!(mode_of(&env.join(format!("seeds/{name}"))), 0o644);
    assert!(stdout(&out).contains(&format!(
        "stored   {name}  18 bytes  {}",
        server.url("/doc")
    )));
    let list = env.read("sources/seeds.toml");
    for line in [
        "naming = \"sha256-prefix\"".to_string(),
        format!("path = \"{name}\""),
        format!("url = \"{}\"", server.url("/doc")),
        format!("final_url = \"{}\"", server.url("/doc")),
        "http_status = 200".to_string(),
        "content_type = \"text/html; charset=utf-8\"".to_string(),
        "etag = '\"v1\"'".to_string(),
        "last_modified = \"Wed, 02 Dec 2026 00:00:00 GMT\"".to_string(),
        "content_length = 18".to_string(),
        "size = 18".to_string(),
        format!("sha256 = \"{}\"", sha256(&body)),
    ] {
        assert!(
            list.lines().any(|l| l == line),
            "no line {line:?} in\n{list}"
        );
    }
    assert!(!list.contains("content_encoding"), "{list}");
    let retrieved = list
        .lines()
        .find_map(|l| l.strip_prefix("retrieved = \""))
        .unwrap();
    assert!(
        retrieved.starts_with("20") && retrieved.ends_with("Z\""),
        "{retrieved}"
    );
    let request = &server.requests()[0];
    assert!(
        request.contains("accept-encoding: identity\r\n"),
        "{request}"
    );
    assert!(
        request.contains(&format!(
            "user-agent: docseal/{}\r\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{request}"
    );
}

#[test]
fn redirects_are_followed_and_recorded_and_loops_and_long_chains_fail() {
    let server = Server::http(vec![
        ("/a", Reply::Redirect(301, "/b".into())),
        ("/b", Reply::Redirect(302, "/final".into())),
        ("/final", Reply::ok("text/plain", "at last\n")),
        ("/loop1", Reply::Redirect(302, "/loop2".into())),
        ("/loop2", Reply::Redirect(302, "/loop1".into())),
    ]);
    let env = TestEnv::new();
    assert_ok(&env.run(["fetch", &server.url("/a"), "--into", "seeds"]));
    let list = env.read("sources/seeds.toml");
    assert!(
        list.contains(&format!("url = \"{}\"\n", server.url("/a"))),
        "{list}"
    );
    assert!(
        list.contains(&format!("final_url = \"{}\"\n", server.url("/final"))),
        "{list}"
    );
    let chain = format!(
        "redirects = [{{ url = \"{}\", status = 301 }}, {{ url = \"{}\", status = 302 }}]\n",
        server.url("/a"),
        server.url("/b")
    );
    assert!(list.contains(&chain), "{list}");

    let out = env.run(["fetch", &server.url("/loop1"), "--into", "loops"]);
    assert_fails(&out, 1, "redirect loop");
    let out = env.run([
        "fetch",
        &server.url("/a"),
        "--into",
        "short",
        "--max-redirects",
        "1",
    ]);
    assert_fails(&out, 1, "more than 1 redirects (--max-redirects)");
    assert!(stored_files(&env, "loops").is_empty());
    assert!(stored_files(&env, "short").is_empty());
    assert!(!env.exists("sources/loops.toml") && !env.exists("sources/short.toml"));
}

#[test]
fn an_encoded_body_sent_unasked_is_stored_as_sent_with_its_encoding() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"plain text, gzipped by the server\n")
        .unwrap();
    let gzipped = gz.finish().unwrap();
    let server = Server::http(vec![(
        "/gz",
        Reply::ok("text/plain", gzipped.clone()).with("Content-Encoding", "gzip"),
    )]);
    let env = TestEnv::new();
    assert_ok(&env.run(["fetch", &server.url("/gz"), "--into", "seeds"]));
    let name = format!("000_{}.txt.gz", &sha256(&gzipped)[..16]);
    assert_eq!(env.read_bytes(format!("seeds/{name}")), gzipped);
    let list = env.read("sources/seeds.toml");
    assert!(list.contains("content_encoding = \"gzip\"\n"), "{list}");
    assert!(
        !list.contains("etag") && !list.contains("last_modified"),
        "{list}"
    );
}

#[test]
fn every_failure_is_one_line_for_its_url_and_stores_nothing() {
    let big = vec![b'x'; 5000];
    let server = Server::http(vec![
        ("/good", Reply::ok("text/plain", "good\n")),
        ("/500", Reply::status(500)),
        ("/slow", Reply::Silent(Duration::from_secs(5))),
        (
            "/cut",
            Reply::Cut {
                declared: 4000,
                body: vec![b'y'; 3000],
            },
        ),
        ("/big", Reply::ok("text/plain", big.clone())),
        ("/bigchunked", Reply::Chunked(big)),
    ]);
    let env = TestEnv::new();
    let refused = closed_port_url("/nothing");
    let urls = [
        server.url("/missing"),
        server.url("/500"),
        server.url("/slow"),
        server.url("/cut"),
        server.url("/big"),
        server.url("/bigchunked"),
        refused.clone(),
        server.url("/good"),
    ];
    let mut args = vec![
        "fetch",
        "--into",
        "seeds",
        "--timeout",
        "1",
        "--max-size",
        "4K",
    ];
    args.extend(urls.iter().map(String::as_str));
    let out = env.run(args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 7, "{err}");
    let expect = [
        (0, "HTTP 404 Not Found from "),
        (0, "/missing (text/plain, 11 bytes)"),
        (1, "HTTP 500 Internal Server Error"),
        (2, "timed out"),
        (3, "cut off after"),
        (4, "larger than --max-size (4096 bytes"),
        (5, "larger than --max-size (4096 bytes)"),
        (6, "connection refused"),
    ];
    for (i, reason) in expect {
        assert!(
            lines[i].starts_with(&format!("docseal: failed {}: ", urls[i]))
                && lines[i].contains(reason),
            "line {i} should say {reason:?}: {err}"
        );
    }
    assert!(
        stdout(&out).contains("1 stored, 0 skipped, 7 failed"),
        "{}",
        stdout(&out)
    );
    assert_eq!(stored_files(&env, "seeds").len(), 1);
    let list = env.read("sources/seeds.toml");
    assert_eq!(list.matches("\n[[source]]\n").count(), 1, "{list}");
    assert!(
        env.stray_temp_files().is_empty(),
        "{:?}",
        env.stray_temp_files()
    );
}

#[test]
fn a_rerun_skips_what_was_captured_and_refetch_keeps_the_old_capture() {
    let server = Server::http(vec![("/doc", Reply::ok("text/plain", "same\n"))]);
    let env = TestEnv::new();
    env.write("urls.txt", format!("# seeds\n\n{}\n", server.url("/doc")));
    assert_ok(&env.run(["fetch", "--from-file", "urls.txt", "--into", "seeds"]));
    let out = env.run(["fetch", "--from-file", "urls.txt", "--into", "seeds"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("skipped  "), "{}", stdout(&out));
    assert_eq!(server.requests().len(), 1, "{:?}", server.requests());
    assert_ok(&env.run(["fetch", &server.url("/doc"), "--into", "seeds", "--refetch"]));
    let names = stored_files(&env, "seeds");
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0].starts_with("000_") && names[1].starts_with("001_"),
        "{names:?}"
    );
    assert_eq!(
        env.read("sources/seeds.toml")
            .matches("\n[[source]]\n")
            .count(),
        2
    );
}

#[test]
fn https_works_with_the_ca_cert_and_fails_with_a_tls_error_without_it() {
    let tls = Tls::new();
    let server = Server::https(
        vec![("/secure", Reply::ok("text/plain", "over tls\n"))],
        &tls,
    );
    let env = TestEnv::new();
    env.write("ca.pem", &tls.cert_pem);
    let out = env.run(["fetch", &server.url("/secure"), "--into", "plain"]);
    assert_fails(&out, 1, "TLS error");
    assert!(stored_files(&env, "plain").is_empty());
    let out = env.run([
        "fetch",
        &server.url("/secure"),
        "--into",
        "seeds",
        "--ca-cert",
        "ca.pem",
    ]);
    assert_ok(&out);
    assert_eq!(stored_files(&env, "seeds").len(), 1);
    env.write("bad.pem", "not a certificate\n");
    let out = env.run([
        "fetch",
        &server.url("/secure"),
        "--into",
        "seeds",
        "--ca-cert",
        "bad.pem",
    ]);
    assert_bad_input(&out, "bad.pem: holds no PEM certificate", "");
}

#[test]
fn bad_urls_are_refused_before_anything_is_fetched() {
    let env = TestEnv::new();
    env.write(
        "urls.txt",
        "# list\nhttp://127.0.0.1:9/a\nftp://127.0.0.1/b\n",
    );
    let out = env.run(["fetch", "--from-file", "urls.txt", "--into", "seeds"]);
    assert_bad_input(&out, "urls.txt:3: cannot fetch \"ftp://127.0.0.1/b\"", "");
    let out = env.run(["fetch", "127.0.0.1/x", "--into", "seeds"]);
    assert_bad_input(&out, "cannot fetch \"127.0.0.1/x\"", "");
    let out = env.run(["fetch", "--into", "seeds"]);
    assert_bad_input(&out, "no URL to fetch", "");
    assert!(!env.exists("seeds") && !env.exists("sources"));
    // A folder that cannot be made, a sources list that is not one: refused before any request.
    env.write("afile", "x");
    let out = env.run([
        "fetch",
        "http://127.0.0.1:9/a",
        "--into",
        "afile",
        "--sources",
        "s.toml",
    ]);
    assert_bad_input(&out, "afile: cannot create the folder", "");
    env.write(
        "sources/seeds.toml",
        "[[source]]\npath = \"a\"\nhttp_status = \"200\"\n",
    );
    let out = env.run(["fetch", "http://127.0.0.1:9/a", "--into", "seeds"]);
    assert_bad_input(&out, "sources/seeds.toml:3: ", "");
    assert!(!env.exists("seeds"));
}

#[test]
fn a_fetched_folder_seals_with_its_captured_provenance_and_a_renamed_file_is_misnamed() {
    let server = Server::http(vec![
        ("/start", Reply::Redirect(302, "/page.html".into())),
        (
            "/page.html",
            Reply::ok("text/html", "<p>page</p>\n").with("ETag", "W/\"e1\""),
        ),
        ("/notes", Reply::ok("text/plain", "notes\n")),
    ]);
    let env = TestEnv::new();
    env.keygen("k");
    assert_ok(&env.run([
        "fetch",
        &server.url("/start"),
        &server.url("/notes"),
        "--into",
        "seeds",
    ]));
    let out = seal_fetched(&env);
    assert_ok(&out);
    let manifest = env.read("manifests/seeds.toml");
    assert!(manifest.contains("\nformat_version = 3\n"), "{manifest}");
    assert!(
        manifest.contains("\nnaming = \"sha256-prefix\"\n"),
        "{manifest}"
    );
    for line in [
        format!("final_url = \"{}\"", server.url("/page.html")),
        "http_status = 200".to_string(),
        "media_type = \"text/html\"".to_string(),
        "etag = 'W/\"e1\"'".to_string(),
    ] {
        assert!(
            manifest.lines().any(|l| l == line),
            "no {line:?} in\n{manifest}"
        );
    }
    let out = env.run(["verify", "manifests/seeds.toml", "--require-provenance"]);
    assert_ok(&out);
    let show = env.run(["show", "manifests/seeds.toml"]);
    assert_ok(&show);
    assert!(
        stdout(&show).contains("  etag       W/\"e1\"\n"),
        "{}",
        stdout(&show)
    );
    assert!(
        stdout(&show).contains("naming      sha256-prefix\n"),
        "{}",
        stdout(&show)
    );
    let json = crate::schema::parse_show(&env.run(["show", "--json", "manifests/seeds.toml"]));
    assert_eq!(json.header.naming.as_deref(), Some("sha256-prefix"));
    let page = json
        .files
        .iter()
        .find(|f| f.path.ends_with(".html"))
        .unwrap();
    let capture = page.capture.as_ref().unwrap();
    assert_eq!(capture.etag.as_deref(), Some("W/\"e1\""));
    assert_eq!(capture.http_status, Some(200));
    assert_eq!(
        capture.final_url.as_deref(),
        Some(server.url("/page.html").as_str())
    );

    let names = stored_files(&env, "seeds");
    let renamed = names[0].replacen("000_", "000_0", 1);
    std::fs::rename(
        env.join(format!("seeds/{}", names[0])),
        env.join(format!("seeds/{renamed}")),
    )
    .unwrap();
    let out = env.run(["verify", "manifests/seeds.toml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("misnamed   "))
        .unwrap_or_else(|| panic!("no misnamed line:\n{text}"));
    assert!(
        line.contains(&format!("{} -> {renamed}", names[0])),
        "{line}"
    );
    let (_, report) = env.verify_json(&["manifests/seeds.toml"]);
    assert_eq!(report.totals.misnamed, 1);
    assert!(!report.success);
}

#[test]
fn seal_refuses_a_changed_capture_and_a_name_that_does_not_fit() {
    let server = Server::http(vec![("/doc", Reply::ok("text/plain", "original\n"))]);
    let env = TestEnv::new();
    env.keygen("k");
    assert_ok(&env.run(["fetch", &server.url("/doc"), "--into", "seeds"]));
    let name = stored_files(&env, "seeds").remove(0);
    env.write(format!("seeds/{name}"), "changed!!\n");
    let out = seal_fetched(&env);
    assert_bad_input(
        &out,
        "sources/seeds.toml:6: ",
        "it changed after it was captured",
    );
    env.assert_nothing_written("manifests/seeds.toml");
    let out = env.run(["seal", "seeds", "--key", "k", "--naming", "sha256-prefix"]);
    assert_bad_input(&out, &format!("seeds/{name}: its name does not fit"), "");
    assert_ok(&env.run(["seal", "seeds", "--key", "k", "--naming", "none"]));
    assert!(!env.read("manifests/seeds.toml").contains("naming"));
}

#[test]
fn a_folder_another_run_is_storing_into_is_refused_at_once_and_left_alone() {
    let server = Server::http(vec![("/doc", Reply::ok("text/plain", b"seed\n".to_vec()))]);
    let env = TestEnv::new();
    std::fs::create_dir(env.join("seeds")).unwrap();
    env.write(
        "info.warc",
        "WARC/1.1\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: <urn:uuid:0>\r\n\
         WARC-Date: 2026-12-02T00:00:00Z\r\nContent-Length: 0\r\n\r\n\r\n\r\n",
    );
    // util-linux's flock(1) holds the same advisory lock a docseal run takes on the folder
    // (itself, not its child: --close), until it is killed.
    let mut holder = std::process::Command::new("flock")
        .arg("--close")
        .arg(env.join("seeds"))
        .args(["sleep", "60"])
        .spawn()
        .expect("flock(1) runs");
    let held = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        let probe = std::process::Command::new("flock")
            .args(["--nonblock"])
            .arg(env.join("seeds"))
            .arg("true")
            .status()
            .unwrap();
        !probe.success()
    });
    assert!(held, "flock(1) never took the lock");
    for args in [
        vec![
            "fetch".to_string(),
            server.url("/doc"),
            "--into".into(),
            "seeds".into(),
        ],
        vec![
            "import-warc".into(),
            "info.warc".into(),
            "--into".into(),
            "seeds".into(),
        ],
    ] {
        let out = env.run(args.iter().map(String::as_str));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(
                "seeds: another docseal fetch or import-warc is storing into this folder; wait for it to finish"
            ),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(stored_files(&env, "seeds").is_empty());
        assert!(!env.join("sources/seeds.toml").exists());
    }
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert_ok(&env.run(["fetch", &server.url("/doc"), "--into", "seeds"]));
    assert_eq!(stored_files(&env, "seeds").len(), 1);
}
