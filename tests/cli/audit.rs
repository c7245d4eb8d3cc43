/*!
`docseal audit`: bibliographies as people write them — BibTeX with braces and quotes, `@misc`
and `@online`, `@string`, comments, a Zotero export, a JabRef `@Comment{jabref-meta…}` block;
a CSL-JSON export; a list of URLs — checked against a real sealed collection: each reference's
verdict, malformed entries reported with their line while the rest are still audited, the files
checked with `--check-files`, and only validly signed manifests used.
*/

use serde_json::Value;

use crate::util::*;

/// A collection sealed with real retrieval times: `news.html` from
/// `https://example.org/news/item` on 2020-08-22, `b.html` from `http://example.org/b/` late on
/// 2021-03-01 (UTC), `c.html` from `https://example.org/c` at an unknown time.
fn sealed_pages() -> TestEnv {
    let env = TestEnv::new();
    env.keygen("k");
    env.collection("col")
        .file("news.html", "<p>news</p>\n")
        .file("b.html", "<p>b</p>\n")
        .file("c.html", "<p>c</p>\n");
    env.write(
        "sources.toml",
        "[[source]]\npath = \"news.html\"\nurl = \"https://example.org/news/item\"\nretrieved = \"2020-08-22T10:00:00Z\"\n\n\
         [[source]]\npath = \"b.html\"\nurl = \"http://example.org/b/\"\nretrieved = \"2021-03-01T23:30:00Z\"\n\n\
         [[source]]\npath = \"c.html\"\nurl = \"https://example.org/c\"\n",
    );
    assert_ok_with_warnings(&env.run(["seal", "col", "--key", "k", "--sources", "sources.toml"]));
    env
}

/// `audit FILE --manifest MANIFEST ARGS… --json`, its exit status and its report.
fn audit_json(env: &TestEnv, file: &str, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["audit", file, "--manifest", MANIFEST, "--json"];
    all.extend_from_slice(args);
    let out = env.run(all);
    let json = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
    (out.status.code().unwrap_or(-1), json)
}

/// `(key, status)` of every reference, in file order.
fn verdicts(report: &Value) -> Vec<(String, String)> {
    report["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, s)| (k.to_string(), s.to_string()))
        .collect()
}

/// A BibTeX file written as people write them: a Zotero BibTeX export (tabs, `month = aug`,
/// `file`), a Zotero BibLaTeX entry (`{{…}}` titles), hand-written `@misc` with quotes and
/// `howpublished = {\url{…}}` and `note = {Accessed: …}`, an `@string`, comments, a book without
/// a URL, and JabRef's metadata block.
const BIBTEX: &str = r#"% Exported by Zotero, then edited by hand.
@string{org = "Example {Org}"}

@misc{smith_news_2020,
	title = {A {News} {Item}},
	url = {https://example.org/news/item},
	urldate = {2020-08-22},
	journal = org,
	author = {Smith, Jo},
	month = aug,
	year = {2020},
	file = {Snapshot:/home/u/Zotero/storage/ABCD/item.html:text/html},
}

@online{smithNewsItem2020,
  title = {A {{News}} Item},
  author = {Smith, Jo},
  date = {2020-08-20},
  url = {HTTP://Example.org/news/item/#comments},
  urldate = {2020-08-22},
  langid = {english},
}

@misc{jones,
  title = "The {B} page, {"}quoted{"}",
  howpublished = {\url{https://example.org/b}},
  note = {Accessed: 2021-03-02},
}

@online{late, url = {https://example.org/news/item}, urldate = {2020-09-30}}
@online{undated, url = {https://example.org/c}, urldate = {2021-01-01}}
@online{elsewhere, url = {https://www.example.org/news/item}, urldate = {2020-08-22}}
@book{knuth, title = {The Art of Computer Programming}, publisher = {Addison-Wesley}, year = 1968}

@Comment{jabref-meta: databaseType:biblatex;}
"#;

#[test]
fn a_bibtex_file_as_people_write_it_is_audited_reference_by_reference() {
    let env = sealed_pages();
    env.write("refs.bib", BIBTEX);
    let (code, report) = audit_json(&env, "refs.bib", &[]);
    assert_eq!(code, 1);
    assert_eq!(report["format"], "bibtex");
    assert_eq!(
        verdicts(&report),
        pairs(&[
            ("smith_news_2020", "ok"),
            ("smithNewsItem2020", "ok"),
            ("jones", "ok"),
            ("late", "other_day"),
            ("undated", "retrieval_unknown"),
            ("elsewhere", "not_sealed"),
        ])
    );
    let refs = report["references"].as_array().unwrap();
    assert_eq!(refs[0]["copies"][0]["path"], "news.html");
    assert_eq!(refs[0]["copies"][0]["matched"], "exact");
    assert_eq!(refs[1]["copies"][0]["matched"], "equivalent");
    // Cited on 2021-03-02, retrieved 2021-03-01 23:30 UTC: one day apart, the same day.
    assert_eq!(refs[2]["copies"][0]["days_apart"], 1);
    assert!(refs[2]["detail"].as_str().unwrap().contains("time zone"));
    assert_eq!(refs[3]["copies"][0]["days_apart"], 39);
    assert_eq!(report["without_url"], serde_json::json!(["knuth"]));
    assert_eq!(report["totals"]["ok"], 3);
    assert_eq!(report["success"], false);

    // The human report: one line per reference, the totals, the verdict.
    let out = env.run(["audit", "refs.bib", "--manifest", MANIFEST]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    for line in [
        "references refs.bib (BibTeX/BibLaTeX; 6 to web pages, 1 without a URL)\n",
        "\nok         smith_news_2020 https://example.org/news/item, cited as accessed 2020-08-22: sealed as news.html (retrieved 2020-08-22T10:00:00Z): retrieved on the cited day\n",
        "\nother-day  late https://example.org/news/item, cited as accessed 2020-09-30: sealed as news.html, but retrieved 2020-08-22T10:00:00Z: 39 days from the cited 2020-09-30\n",
        "\nnot-sealed elsewhere https://www.example.org/news/item",
        "\n6 references: 3 ok, 1 retrieved another day, 1 undated, 0 modified, 1 not sealed; 0 malformed; 1 without a URL\n",
        "\nAUDIT FAILED\n",
    ] {
        assert!(text.contains(line), "{line:?} not in\n{text}");
    }

    // Only the references that hold: exit 0.
    let good: String = BIBTEX.split("@online{late").next().unwrap().to_string();
    env.write("good.bib", good);
    let (code, report) = audit_json(&env, "good.bib", &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["success"], true);
}

#[test]
fn a_malformed_bibtex_entry_is_reported_with_its_line_and_the_rest_is_audited() {
    let env = sealed_pages();
    let text = "@online{first, url = {https://example.org/news/item}, urldate = {2020-08-22}}\n\
                @online{unclosed, url = {https://example.org/x}, title = {never closed}\n\
                @online{baddate, url = {https://example.org/b}, urldate = {2021-13-45}}\n\
                @online{relative, url = {/news/item}}\n\
                @online{last, url = {https://example.org/b}, urldate = {2021-03-01}}\n";
    env.write("bad.bib", text);
    let (code, report) = audit_json(&env, "bad.bib", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        verdicts(&report),
        pairs(&[
            ("first", "ok"),
            ("unclosed", "malformed"),
            ("baddate", "malformed"),
            ("relative", "malformed"),
            ("last", "ok"),
        ])
    );
    let lines: Vec<u64> = report["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [1, 2, 3, 4, 5]);
    let out = env.run(["audit", "bad.bib", "--manifest", MANIFEST]);
    let text = stdout(&out);
    assert!(
        text.contains("\nmalformed  bad.bib:2 (unclosed): @online entry cannot be read"),
        "{text}"
    );
    assert!(
        text.contains("\nmalformed  bad.bib:4 (relative): \"/news/item\" is not an absolute URL"),
        "{text}"
    );
}

/// A CSL-JSON export (Zotero's shape) with `accessed` in several of its shapes, an item without a
/// URL, and two malformed items.
const CSL_JSON: &str = r#"[
  {
    "id": "http://zotero.org/users/1/items/ABCD",
    "type": "webpage",
    "title": "A news item, with ] and \" inside",
    "URL": "http://example.org/news/item/",
    "accessed": { "date-parts": [["2020", "8", "22"]] }
  },
  {"id": "b", "type": "post-weblog", "URL": "https://example.org/b", "accessed": {"raw": "2021-03-01"}},
  {"id": "c-literal", "URL": "https://example.org/news/item", "accessed": {"literal": "22 August 2020"}},
  {"id": "season", "URL": "https://example.org/b", "accessed": {"season": 2}},
  {"id": "broken" "URL": "https://example.org/b"},
  {"id": "book", "type": "book", "title": "No URL"}
]
"#;

#[test]
fn a_csl_json_export_is_audited_item_by_item() {
    let env = sealed_pages();
    env.write("refs.json", CSL_JSON);
    let (code, report) = audit_json(&env, "refs.json", &[]);
    assert_eq!(code, 1);
    assert_eq!(report["format"], "csl-json");
    assert_eq!(
        verdicts(&report),
        pairs(&[
            ("http://zotero.org/users/1/items/ABCD", "ok"),
            ("b", "ok"),
            ("c-literal", "ok"),
            ("season", "malformed"),
            ("", "malformed"),
        ])
    );
    let refs = report["references"].as_array().unwrap();
    assert_eq!(refs[3]["line"], 11);
    assert_eq!(refs[4]["line"], 12);
    assert!(
        refs[4]["detail"]
            .as_str()
            .unwrap()
            .starts_with("CSL-JSON item cannot be read"),
        "{}",
        refs[4]
    );
    assert_eq!(report["without_url"], serde_json::json!(["book"]));
    // Not an array at all: the file cannot be audited.
    env.write(
        "cut.json",
        "[ {\"id\": \"a\", \"URL\": \"https://example.org/b\"",
    );
    let out = env.run(["audit", "cut.json", "--manifest", MANIFEST]);
    assert_fails(&out, 2, "cut.json: is not a CSL-JSON array");
}

#[test]
fn a_list_of_urls_and_the_files_checked_against_the_collection() {
    let env = sealed_pages();
    env.write(
        "urls.txt",
        "# the sources of chapter 2\nhttps://example.org/news/item 2020-08-22\nhttps://example.org/b   # no day cited\n",
    );
    let (code, report) = audit_json(&env, "urls.txt", &["--check-files"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["format"], "url-list");
    assert_eq!(report["files_checked"], true);
    assert_eq!(
        verdicts(&report),
        pairs(&[("line 2", "ok"), ("line 3", "ok")])
    );
    assert_eq!(report["references"][0]["copies"][0]["intact"], true);
    // The sealed copy changed: the reference no longer holds, and the manifest alone cannot tell.
    env.write("col/news.html", "<p>rewritten</p>\n");
    let (code, report) = audit_json(&env, "urls.txt", &["--check-files"]);
    assert_eq!(code, 1);
    assert_eq!(report["references"][0]["status"], "modified");
    assert_eq!(report["references"][0]["copies"][0]["intact"], false);
    let (code, _) = audit_json(&env, "urls.txt", &[]);
    assert_eq!(code, 0);
    // --root names the folder instead of the manifest's collection.
    std::fs::rename(env.join("col"), env.join("moved")).unwrap();
    let (code, report) = audit_json(&env, "urls.txt", &["--root", "moved"]);
    assert_eq!(code, 1);
    assert_eq!(report["references"][0]["status"], "modified");
    assert_eq!(report["references"][1]["status"], "ok");
    // --archive checks the copies against an archive's entries instead.
    let mut tar = std::process::Command::new("tar");
    tar.args(["-czf", "moved.tgz", "moved"])
        .current_dir(env.path());
    assert!(run_command(tar).status.success());
    let (code, report) = audit_json(&env, "urls.txt", &["--archive", "moved.tgz"]);
    assert_eq!(code, 1);
    assert_eq!(report["files_checked"], true);
    assert_eq!(report["references"][0]["status"], "modified");
    assert_eq!(report["references"][1]["status"], "ok");
    // A file replaced by a link out of the collection is not followed.
    std::fs::remove_file(env.join("moved/b.html")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", env.join("moved/b.html")).unwrap();
    let (_, report) = audit_json(&env, "urls.txt", &["--root", "moved"]);
    assert_eq!(report["references"][1]["status"], "modified");
}

#[test]
fn only_validly_signed_manifests_count() {
    let env = sealed_pages();
    env.write("urls.txt", "https://example.org/news/item 2020-08-22\n");
    // Edited after signing: its entries are not used, and the audit fails.
    env.edit(MANIFEST, "2020-08-22T10:00:00Z", "2020-08-23T10:00:00Z");
    let (code, report) = audit_json(&env, "urls.txt", &[]);
    assert_eq!(code, 1);
    assert_eq!(report["manifests"][0]["signature"]["status"], "invalid");
    assert_eq!(report["references"][0]["status"], "not_sealed");
    let text = stdout(&env.run(["audit", "urls.txt", "--manifest", MANIFEST]));
    assert!(
        text.contains("not used: its provenance is not taken as fact; signature INVALID"),
        "{text}"
    );
}

#[test]
fn a_bibliography_that_cannot_be_read_is_an_error_naming_it() {
    let env = sealed_pages();
    let out = env.run(["audit", "missing.bib", "--manifest", MANIFEST]);
    assert_fails(&out, 2, "missing.bib");
    std::fs::create_dir(env.join("folder.bib")).unwrap();
    assert_fails(
        &env.run(["audit", "folder.bib", "--manifest", MANIFEST]),
        2,
        "folder.bib",
    );
    env.write("binary.bib", [0xffu8, 0xfe, 0x00, 0x41]);
    assert_fails(
        &env.run(["audit", "binary.bib", "--manifest", MANIFEST]),
        2,
        "binary.bib",
    );
    // --root with two manifests is ambiguous.
    env.write("urls.txt", "https://example.org/b\n");
    assert_fails(
        &env.run([
            "audit", "urls.txt", "-m", MANIFEST, "-m", MANIFEST, "--root", "col",
        ]),
        2,
        "--root and --archive name the collection of one manifest",
    );
}

#[test]
fn identify_names_the_sealed_entry_holding_a_loose_documents_content() {
    let env = sealed_pages();
    env.write("Downloads/page.html", "<p>b</p>\n");
    env.write("Downloads/other.html", "<p>never sealed</p>\n");
    let out = env.run([
        "identify",
        "Downloads/page.html",
        "Downloads/other.html",
        "--manifest",
        MANIFEST,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("\nsealed     Downloads/page.html = b.html in manifests/col.toml (\"col\"): from http://example.org/b/, retrieved 2021-03-01T23:30:00Z\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "\nunknown    Downloads/other.html: no sealed entry has its content (20 bytes, sha256 "
        ),
        "{text}"
    );
    assert!(
        text.ends_with("1 of 2 documents found sealed\nNOT IDENTIFIED\n"),
        "{text}"
    );
    // From a pipe, as JSON; every document found: exit 0.
    let mut sh = std::process::Command::new("bash");
    sh.args([
        "-c",
        &format!(
            "cat col/news.html | {} identify /dev/stdin -m {MANIFEST} --json",
            env!("CARGO_BIN_EXE_docseal")
        ),
    ])
    .current_dir(env.path());
    let out = run_command(sh);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["files"][0]["sealed_as"][0]["path"], "news.html");
    assert_eq!(
        json["files"][0]["sealed_as"][0]["origin"],
        "https://example.org/news/item"
    );
    // A manifest whose signature does not verify is not searched, and says so.
    env.edit(MANIFEST, "2020-08-22T10:00:00Z", "2020-08-23T10:00:00Z");
    let out = env.run(["identify", "col/news.html", "-m", MANIFEST]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("not searched: its provenance is not taken as fact"));
    assert!(stdout(&out).contains("\nunknown    col/news.html"));
    // A folder is not a document.
    assert_fails(
        &env.run(["identify", "col", "-m", MANIFEST]),
        2,
        "col: is a folder",
    );
}
