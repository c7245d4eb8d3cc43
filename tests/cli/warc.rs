/*!
`docseal import-warc`: WARC files written by the real `wget --warc-file` against a server on
127.0.0.1 (`server.rs`) — gzip per record, uncompressed, whole-file gzip, a chunked body whose
payload digest wget computes over the chunks — imported, sealed and verified with
`--require-provenance`; and small files written here by hand for what wget does not write: a
`resource` record, a `revisit` record, a WARC 1.1 record with a short date, a wrong payload
digest, a truncated gzip member. Bad input: not a WARC file, a folder, a FIFO with no writer.
*/

use std::io::Write as _;
use std::process::Command;

use crate::fetch::{seal_fetched, sha256, stored_files};
use crate::server::{Reply, Server};
use crate::util::*;

/// Runs the real wget in `env` with `args` (no configuration file, no proxy); wget's own exit
/// status is not asserted (it is 8 when a URL answered 404), the WARC file it wrote is.
pub(crate) fn wget(env: &TestEnv, args: &[&str], warc: &str) {
    let out = Command::new("wget")
        .args([
            "--no-config",
            "--no-proxy",
            "--tries=1",
            "--timeout=20",
            "-q",
        ])
        .args(["-O", "/dev/null"])
        .args(args)
        .current_dir(env.path())
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTPS_PROXY")
        .output()
        .expect("wget must be installed (.ci/run installs it)");
    assert!(
        env.exists(warc),
        "wget wrote no {warc}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// wget's uncompressed `crawl.warc` of `urls`.
fn uncompressed_crawl(env: &TestEnv, urls: &[String]) {
    let mut args = vec!["--warc-file=crawl", "--no-warc-compression"];
    args.extend(urls.iter().map(String::as_str));
    wget(env, &args, "crawl.warc");
}

/// The server the wget tests crawl: a page with an ETag and Last-Modified, a chunked text, a 404.
pub(crate) fn site() -> Server {
    Server::http(vec![
        (
            "/page.html",
            Reply::ok("text/html", "<p>page</p>\n")
                .with("ETag", "\"e1\"")
                .with("Last-Modified", "Wed, 02 Dec 2026 00:00:00 GMT"),
        ),
        (
            "/chunked.txt",
            Reply::Chunked(b"chunked body, sent in pieces\n".repeat(50)),
        ),
    ])
}

/// The `[[source]]` table of `path` in the sources list `text`.
pub(crate) fn source_of<'a>(text: &'a str, path: &str) -> &'a str {
    let start = text
        .find(&format!("path = \"{path}\""))
        .unwrap_or_else(|| panic!("no source for {path} in\n{text}"));
    let rest = &text[start..];
    &rest[..rest.find("[[source]]").unwrap_or(rest.len())]
}

#[test]
fn a_wget_warc_is_imported_then_sealed_and_verified_with_its_provenance() {
    let server = site();
    let env = TestEnv::new();
    env.keygen("k");
    let (page, chunked) = (server.url("/page.html"), server.url("/chunked.txt"));
    let missing = server.url("/missing");
    wget(
        &env,
        &["--warc-file=crawl", &page, &chunked, &missing],
        "crawl.warc.gz",
    );
    let out = env.run(["import-warc", "crawl.warc.gz", "--into", "seeds"]);
    assert_ok(&out);
    let page_name = format!("000_{}.html", &sha256(b"<p>page</p>\n")[..16]);
    let body = b"chunked body, sent in pieces\n".repeat(50);
    let chunked_name = format!("001_{}.bin", &sha256(&body)[..16]);
    assert_eq!(
        stored_files(&env, "seeds"),
        vec![page_name.clone(), chunked_name.clone()]
    );
    // The body a client receives: de-chunked.
    assert_eq!(env.read_bytes(format!("seeds/{chunked_name}")), body);
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "stored   {page_name}  12 bytes  {page}  (block and payload digest verified)"
        )),
        "{text}"
    );
    assert!(
        text.ends_with(
            "2 stored, 8 skipped (1 metadata, 2 metadata resource, 3 request, 1 status 404, 1 warcinfo), 0 failed; provenance in sources/seeds.toml\n"
        ),
        "{text}"
    );
    let sources = env.read("sources/seeds.toml");
    let entry = source_of(&sources, &page_name);
    for line in [
        format!("url = \"{page}\""),
        "http_status = 200".to_string(),
        "content_type = \"text/html\"".to_string(),
        "etag = '\"e1\"'".to_string(),
        "last_modified = \"Wed, 02 Dec 2026 00:00:00 GMT\"".to_string(),
        "content_length = 12".to_string(),
        "warc_file = \"crawl.warc.gz\"".to_string(),
        "warc_verified = [\"block\", \"payload\"]".to_string(),
        format!("sha256 = \"{}\"", sha256(b"<p>page</p>\n")),
    ] {
        assert!(entry.lines().any(|l| l == line), "no {line:?} in\n{entry}");
    }
    assert!(entry.contains("\nwarc_record_id = \"<urn:uuid:"), "{entry}");
    // wget's WARC-Date is to the second: it is the retrieval time, and also kept as written.
    let date = entry
        .lines()
        .find_map(|l| l.strip_prefix("warc_date = "))
        .unwrap();
    assert!(
        entry.contains(&format!("\nretrieved = {date}\n")),
        "{entry}"
    );
    // wget computes the payload digest over the chunks as transferred.
    let entry = source_of(&sources, &chunked_name);
    assert!(
        entry.contains("\nwarc_verified = [\"block\", \"payload\"]\n"),
        "{entry}"
    );
    assert!(!entry.contains("content_length"), "{entry}");

    let out = seal_fetched(&env);
    assert_ok(&out);
    let manifest = env.read("manifests/seeds.toml");
    assert!(manifest.contains("\nhttp_status = 200\n"), "{manifest}");
    assert!(manifest.contains("\netag = '\"e1\"'\n"), "{manifest}");
    let out = env.run(["verify", "manifests/seeds.toml", "--require-provenance"]);
    assert_ok(&out);

    // Again: every record was imported before; with --include-errors the 404 comes in too.
    let out = env.run(["import-warc", "crawl.warc.gz", "--into", "seeds"]);
    assert_ok(&out);
    assert!(stdout(&out).starts_with("0 stored, 10 skipped (2 imported before,"));
    let out = env.run([
        "import-warc",
        "crawl.warc.gz",
        "--into",
        "seeds",
        "--include-errors",
    ]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains(&format!("bytes  {missing}  (")),
        "{}",
        stdout(&out)
    );
    assert!(
        env.read("sources/seeds.toml")
            .contains("\nhttp_status = 404\n")
    );
}

#[test]
fn uncompressed_and_whole_file_gzip_warcs_are_read_alike() {
    let server = site();
    let env = TestEnv::new();
    uncompressed_crawl(&env, &[server.url("/page.html")]);
    env.write("whole.warc.gz", gzip(&env.read_bytes("crawl.warc")));
    let plain = env.run(["import-warc", "crawl.warc", "--into", "a"]);
    assert_ok(&plain);
    let whole = env.run(["import-warc", "whole.warc.gz", "--into", "b"]);
    assert_ok(&whole);
    assert_eq!(stored_files(&env, "a"), stored_files(&env, "b"));
    assert_eq!(stored_files(&env, "a").len(), 1);
    assert_eq!(
        stdout(&plain).lines().last(),
        stdout(&whole)
            .lines()
            .last()
            .map(|l| l.replace("sources/b", "sources/a"))
            .as_deref()
    );
}

#[test]
fn a_record_whose_payload_digest_matches_neither_form_is_refused_and_the_rest_imported() {
    let server = site();
    let env = TestEnv::new();
    uncompressed_crawl(
        &env,
        &[server.url("/page.html"), server.url("/chunked.txt")],
    );
    // The first response's payload digest becomes the SHA-1 of nothing.
    let text = env.read_bytes("crawl.warc");
    let response = memfind(&text, b"WARC-Type: response").unwrap();
    let at = response + memfind(&text[response..], b"WARC-Payload-Digest: sha1:").unwrap() + 26;
    let mut edited = text.clone();
    edited[at..at + 32].copy_from_slice(b"3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    env.write("crawl.warc", &edited);
    let start = text[..response]
        .windows(9)
        .rposition(|w| w == b"WARC/1.0\r")
        .unwrap();
    let out = env.run(["import-warc", "crawl.warc", "--into", "seeds"]);
    assert_fails(
        &out,
        1,
        &format!(
            "docseal: crawl.warc: record at byte {start}: its WARC-Payload-Digest (sha1) matches neither the payload as transferred nor de-chunked; the record is damaged\n"
        ),
    );
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    let body = b"chunked body, sent in pieces\n".repeat(50);
    assert_eq!(
        stored_files(&env, "seeds"),
        vec![format!("000_{}.bin", &sha256(&body)[..16])]
    );
    assert!(stdout(&out).contains("1 stored,"), "{}", stdout(&out));
    assert!(stdout(&out).contains(", 1 failed;"), "{}", stdout(&out));
    assert!(env.stray_temp_files().is_empty());
}

fn memfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A WARC record: its version line, `fields`, a Content-Length, and `block`.
fn record(version: &str, fields: &[(&str, &str)], block: &[u8]) -> Vec<u8> {
    let mut r = format!("{version}\r\n");
    for (name, value) in fields {
        r.push_str(&format!("{name}: {value}\r\n"));
    }
    r.push_str(&format!("Content-Length: {}\r\n\r\n", block.len()));
    let mut r = r.into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

#[test]
fn resource_revisit_and_short_dated_records_written_by_hand() {
    let env = TestEnv::new();
    let doc = b"%PDF-1.4 a resource\n";
    let mut warc = record(
        "WARC/1.0",
        &[
            ("WARC-Type", "resource"),
            (
                "WARC-Record-ID",
                "<urn:uuid:00000000-0000-0000-0000-000000000001>",
            ),
            ("WARC-Date", "2024-09-30T14:05:00.250Z"),
            ("WARC-Target-URI", "file:///archive/report.pdf"),
            ("Content-Type", "application/pdf"),
            ("WARC-Block-Digest", &format!("sha256:{}", sha256(doc))),
        ],
        doc,
    );
    warc.extend(record(
        "WARC/1.1",
        &[
            ("WARC-Type", "revisit"),
            (
                "WARC-Record-ID",
                "<urn:uuid:00000000-0000-0000-0000-000000000002>",
            ),
            ("WARC-Date", "2024-10-01T00:00:00Z"),
            ("WARC-Target-URI", "https://example.org/report.pdf"),
            (
                "WARC-Profile",
                "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
            ),
        ],
        b"HTTP/1.1 200 OK\r\n\r\n",
    ));
    let http = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nold\n";
    warc.extend(record(
        "WARC/1.1",
        &[
            ("WARC-Type", "response"),
            (
                "WARC-Record-ID",
                "<urn:uuid:00000000-0000-0000-0000-000000000003>",
            ),
            ("WARC-Date", "2016-01"),
            ("WARC-Target-URI", "<https://example.org/old.txt>"),
            ("Content-Type", "application/http; msgtype=response"),
        ],
        http,
    ));
    env.write("hand.warc", &warc);
    let out = env.run(["import-warc", "hand.warc", "--into", "seeds"]);
    assert_ok(&out);
    assert!(
        stdout(&out).ends_with(
            "2 stored, 1 skipped (1 revisit), 0 failed; provenance in sources/seeds.toml\n"
        ),
        "{}",
        stdout(&out)
    );
    let pdf = format!("000_{}.pdf", &sha256(doc)[..16]);
    let old = format!("001_{}.txt", &sha256(b"old\n")[..16]);
    assert_eq!(stored_files(&env, "seeds"), vec![pdf.clone(), old.clone()]);
    let sources = env.read("sources/seeds.toml");
    let entry = source_of(&sources, &pdf);
    assert!(
        entry.contains("\nurl = \"file:///archive/report.pdf\"\n"),
        "{entry}"
    );
    assert!(
        entry.contains("\nretrieved = \"2024-09-30T14:05:00.25Z\"\n"),
        "{entry}"
    );
    assert!(
        entry.contains("\ncontent_type = \"application/pdf\"\n"),
        "{entry}"
    );
    assert!(entry.contains("\nwarc_verified = [\"block\"]\n"), "{entry}");
    assert!(!entry.contains("http_status"), "{entry}");
    // A month is not an instant: the retrieval time is unknown, the date kept as written.
    let entry = source_of(&sources, &old);
    assert!(
        entry.contains("\nurl = \"https://example.org/old.txt\"\n"),
        "{entry}"
    );
    assert!(entry.contains("\nretrieved = \"unknown\"\n"), "{entry}");
    assert!(entry.contains("\nwarc_date = \"2016-01\"\n"), "{entry}");
    assert!(entry.contains("\nwarc_verified = []\n"), "{entry}");
    // The list reads back as seal reads it.
    env.keygen("k");
    assert_ok(&seal_fetched(&env));
}

#[test]
fn a_payload_digest_over_the_dechunked_body_after_a_100_continue_is_accepted_and_recorded_so() {
    let env = TestEnv::new();
    let http = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n4\r\nabc\n\r\n3;x=1\r\ndef\r\n0\r\n\r\n";
    let sha1 = |b: &[u8]| {
        use sha1::Digest as _;
        data_encoding::BASE32.encode(&sha1::Sha1::digest(b))
    };
    env.write(
        "chunked.warc",
        record(
            "WARC/1.0",
            &[
                ("WARC-Type", "response"),
                ("WARC-Record-ID", "<urn:uuid:c>"),
                ("WARC-Date", "2024-09-30T14:05:00Z"),
                ("WARC-Target-URI", "http://example.org/c"),
                ("Content-Type", "application/http;msgtype=response"),
                (
                    "WARC-Payload-Digest",
                    &format!("sha1:{}", sha1(b"abc\ndef")),
                ),
                ("WARC-Block-Digest", &format!("sha1:{}", sha1(http))),
            ],
            http,
        ),
    );
    let out = env.run(["import-warc", "chunked.warc", "--into", "seeds"]);
    assert_ok(&out);
    let name = format!("000_{}.txt", &sha256(b"abc\ndef")[..16]);
    assert!(
        stdout(&out).contains("(block and de-chunked payload digest verified)"),
        "{}",
        stdout(&out)
    );
    assert_eq!(stored_files(&env, "seeds"), vec![name.clone()]);
    assert_eq!(env.read_bytes(format!("seeds/{name}")), b"abc\ndef");
    let sources = env.read("sources/seeds.toml");
    assert!(
        source_of(&sources, &name)
            .contains("\nwarc_verified = [\"block\", \"payload-dechunked\"]\n"),
        "{sources}"
    );
}

#[test]
fn a_truncated_gzip_member_fails_its_record_with_its_offset_and_keeps_the_others() {
    let env = TestEnv::new();
    let first = gzip(&record(
        "WARC/1.0",
        &[
            ("WARC-Type", "resource"),
            (
                "WARC-Record-ID",
                "<urn:uuid:00000000-0000-0000-0000-00000000000a>",
            ),
            ("WARC-Date", "2024-09-30T14:05:00Z"),
            ("WARC-Target-URI", "https://example.org/a.txt"),
            ("Content-Type", "text/plain"),
        ],
        b"first\n",
    ));
    let second = gzip(&record(
        "WARC/1.0",
        &[
            ("WARC-Type", "resource"),
            (
                "WARC-Record-ID",
                "<urn:uuid:00000000-0000-0000-0000-00000000000b>",
            ),
            ("WARC-Date", "2024-09-30T14:06:00Z"),
            ("WARC-Target-URI", "https://example.org/b.txt"),
            ("Content-Type", "text/plain"),
        ],
        &b"second, cut off\n".repeat(100),
    ));
    let mut file = first.clone();
    file.extend_from_slice(&second[..second.len() - 12]);
    env.write("cut.warc.gz", &file);
    let out = env.run(["import-warc", "cut.warc.gz", "--into", "seeds"]);
    assert_fails(
        &out,
        1,
        &format!(
            "(gzip member at byte {}): the file ends inside the record (truncated)\n",
            first.len()
        ),
    );
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert_eq!(
        stored_files(&env, "seeds"),
        vec![format!("000_{}.txt", &sha256(b"first\n")[..16])]
    );
    assert!(!env.read("sources/seeds.toml").contains("b.txt"));
    assert!(env.stray_temp_files().is_empty());
}

#[test]
fn a_truncated_plain_record_is_an_error_with_its_offset() {
    let env = TestEnv::new();
    let whole = record(
        "WARC/1.1",
        &[
            ("WARC-Type", "resource"),
            (
                "WARC-Record-ID",
                "<urn:uuid:00000000-0000-0000-0000-00000000000c>",
            ),
            ("WARC-Date", "2024-09-30T14:05:00Z"),
            ("WARC-Target-URI", "https://example.org/c.txt"),
        ],
        b"a block that is cut off\n",
    );
    env.write("cut.warc", &whole[..whole.len() - 10]);
    let out = env.run(["import-warc", "cut.warc", "--into", "seeds"]);
    assert_fails(
        &out,
        1,
        "docseal: cut.warc: record at byte 0: the file ends inside the record (truncated)\n",
    );
    assert!(stored_files(&env, "seeds").is_empty());
}

#[test]
fn a_record_longer_than_its_content_length_stores_nothing_of_it_and_ends_the_file() {
    // Found by the `warc` fuzz target: the record's payload was stored, and its sources entry
    // written, before the CRLF CRLF after its block turned out to be missing.
    let env = TestEnv::new();
    let good = record(
        "WARC/1.1",
        &[
            ("WARC-Type", "resource"),
            (
                "WARC-Record-ID",
                "<urn:uuid:00000000-0000-0000-0000-00000000000a>",
            ),
            ("WARC-Date", "2024-09-30T14:05:00Z"),
            ("WARC-Target-URI", "https://example.org/a.txt"),
        ],
        b"a\n",
    );
    let mut long = record(
        "WARC/1.1",
        &[
            ("WARC-Type", "resource"),
            (
                "WARC-Record-ID",
                "<urn:uuid:00000000-0000-0000-0000-00000000000b>",
            ),
            ("WARC-Date", "2024-09-30T14:05:00Z"),
            ("WARC-Target-URI", "https://example.org/b.txt"),
        ],
        b"b\n",
    );
    // Two bytes more in the block than its Content-Length says.
    let at = long.len() - 4;
    long.splice(at..at, b"XX".iter().copied());
    let mut warc = good.clone();
    warc.extend(&long);
    warc.extend(&good);
    env.write("long.warc", &warc);
    let out = env.run(["import-warc", "long.warc", "--into", "seeds"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "docseal: long.warc: record at byte {}: the record's block is not followed by CRLF CRLF: its Content-Length is wrong",
            good.len()
        )),
        "{}",
        stderr(&out)
    );
    let stored = stored_files(&env, "seeds");
    assert_eq!(stored.len(), 1, "only the first record: {stored:?}");
    let sources = env.read("sources/seeds.toml");
    assert_eq!(sources.matches("\npath = ").count(), 1, "{sources}");
    assert!(!sources.contains("b.txt"), "{sources}");
}

#[test]
fn what_a_sources_list_cannot_hold_is_refused_not_written() {
    // Found by the `warc` fuzz target: an empty WARC-Record-ID was written into a sources list
    // that seal (and import-warc itself) then refused to read.
    let env = TestEnv::new();
    let warc = record(
        "WARC/1.1",
        &[
            ("WARC-Type", "resource"),
            ("WARC-Record-ID", ""),
            ("WARC-Date", "2024-09-30T14:05:00Z"),
            ("WARC-Target-URI", "https://example.org/a.txt"),
        ],
        b"a\n",
    );
    env.write("empty-id.warc", &warc);
    let out = env.run(["import-warc", "empty-id.warc", "--into", "seeds"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "docseal: empty-id.warc: record at byte 0: its WARC-Record-ID must be the WARC header's text: not empty"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stdout(&out),
        "0 stored, 0 skipped, 1 failed; no sources list written\n"
    );
    assert!(stored_files(&env, "seeds").is_empty());
    assert!(!env.join("sources/seeds.toml").exists());

    // A WARC file whose name a sources list cannot hold.
    env.write("bad\tname.warc", &warc);
    let out = env.run(["import-warc", "bad\tname.warc", "--into", "seeds"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "its name holds control characters, which a sources list cannot record; rename the file"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_input_is_refused_before_anything_is_stored() {
    let env = TestEnv::new();
    env.write("notes.txt", "not a WARC file\n");
    let out = env.run(["import-warc", "notes.txt", "--into", "seeds"]);
    assert_bad_input(
        &out,
        "notes.txt: ",
        "is not a WARC file (it does not start with WARC/)",
    );
    env.write("empty.warc", "");
    let out = env.run(["import-warc", "empty.warc", "--into", "seeds"]);
    assert_bad_input(&out, "empty.warc: ", "is not a WARC file (it is empty)");
    env.write("text.warc.gz", gzip(b"<html>not a WARC</html>\n"));
    let out = env.run(["import-warc", "text.warc.gz", "--into", "seeds"]);
    assert_bad_input(&out, "text.warc.gz: ", "is not a WARC file");
    std::fs::create_dir(env.join("folder")).unwrap();
    let out = env.run(["import-warc", "folder", "--into", "seeds"]);
    assert_bad_input(
        &out,
        "folder: ",
        "is a folder, not a WARC; pass the WARC file itself",
    );
    let status = Command::new("mkfifo")
        .arg(env.join("pipe.warc"))
        .status()
        .unwrap();
    assert!(status.success());
    let out = env.run(["import-warc", "pipe.warc", "--into", "seeds"]);
    assert_bad_input(&out, "pipe.warc: ", "FIFO");
    // A good file after a bad one: nothing of it is stored either.
    env.write(
        "good.warc",
        record(
            "WARC/1.0",
            &[
                ("WARC-Type", "resource"),
                ("WARC-Record-ID", "<urn:uuid:1>"),
                ("WARC-Date", "2024-09-30T14:05:00Z"),
                ("WARC-Target-URI", "https://example.org/good"),
            ],
            b"good\n",
        ),
    );
    let out = env.run(["import-warc", "good.warc", "notes.txt", "--into", "seeds"]);
    assert_bad_input(&out, "notes.txt: ", "is not a WARC file");
    assert!(!env.exists("seeds"));
    assert!(!env.exists("sources"));
}

#[test]
fn a_payload_beyond_max_size_is_refused_and_the_next_record_imported() {
    let env = TestEnv::new();
    let resource = |id: &str, body: &[u8]| {
        record(
            "WARC/1.0",
            &[
                ("WARC-Type", "resource"),
                ("WARC-Record-ID", id),
                ("WARC-Date", "2024-09-30T14:05:00Z"),
                ("WARC-Target-URI", "https://example.org/r"),
            ],
            body,
        )
    };
    let mut warc = resource("<urn:uuid:big>", &[b'x'; 2000]);
    warc.extend(resource("<urn:uuid:small>", b"small\n"));
    env.write("two.warc", &warc);
    let out = env.run([
        "import-warc",
        "two.warc",
        "--into",
        "seeds",
        "--max-size",
        "1K",
    ]);
    assert_fails(
        &out,
        1,
        "docseal: two.warc: record at byte 0: the body is larger than --max-size (1024 bytes); raise it to capture this\n",
    );
    assert_eq!(
        stored_files(&env, "seeds"),
        vec![format!("000_{}.bin", &sha256(b"small\n")[..16])]
    );
    assert!(env.stray_temp_files().is_empty());
}

/// `docseal ARGS` run in `env` on a terminal: under the real `script` (util-linux), whose
/// pseudo-terminal is docseal's standard output and error; what the terminal received.
fn on_a_terminal(env: &TestEnv, args: &str) -> String {
    let out = Command::new("script")
        .args(["-qec"])
        .arg(format!("{} {args}", env!("CARGO_BIN_EXE_docseal")))
        .arg("/dev/null")
        .current_dir(env.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm")
        .env("HOME", env.join("home"))
        .env("XDG_CONFIG_HOME", env.join("config"))
        .output()
        .expect("script must be installed (util-linux; .ci/run installs bsdutils)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn import_warc_shows_its_progress_on_a_terminal_and_none_in_a_pipe_or_when_quiet() {
    let server = site();
    let env = TestEnv::new();
    wget(
        &env,
        &["--warc-file=crawl", &server.url("/page.html")],
        "crawl.warc.gz",
    );
    let size = std::fs::metadata(env.join("crawl.warc.gz")).unwrap().len();
    let terminal = on_a_terminal(&env, "import-warc crawl.warc.gz --into a");
    // The bar: bytes of the WARC file read of all, records done, the file; cleared at the end.
    assert!(terminal.contains(" records crawl.warc.gz"), "{terminal:?}");
    assert!(terminal.contains("1 record crawl.warc.gz"), "{terminal:?}");
    assert!(
        terminal.contains(&format!("/{}", bytes_shown(size))),
        "{terminal:?}"
    );
    assert!(terminal.contains("\u{1b}[2K"), "{terminal:?}");
    assert!(terminal.contains("1 stored, "), "{terminal:?}");
    // --quiet: the same lines, no bar.
    let quiet = on_a_terminal(&env, "import-warc crawl.warc.gz --into b --quiet");
    assert!(quiet.contains("1 stored, "), "{quiet:?}");
    assert!(
        !quiet.contains("records") && !quiet.contains('\u{1b}'),
        "{quiet:?}"
    );
    // In a pipe: standard error holds nothing at all.
    let out = env.run(["import-warc", "crawl.warc.gz", "--into", "c"]);
    assert_ok(&out);
    assert!(out.stderr.is_empty(), "{:?}", stderr(&out));
    assert!(stdout(&out).contains("1 stored, "));
}

/// A size as indicatif's `{total_bytes}` writes it (binary units, two decimals above 1 KiB).
fn bytes_shown(n: u64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else {
        format!("{:.2} KiB", n as f64 / 1024.0)
    }
}
