/*!
Provenance captured before sealing: a CSV sources list, as a spreadsheet exports it, gives the
same manifest as the TOML list with the same facts; its errors name the line the row starts on.
*/

use crate::util::*;

#[test]
fn a_csv_sources_list_gives_the_same_manifest_entries_as_the_toml_list() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    env.write("sources.toml", SOURCES);
    assert_ok(&env.run([
        "seal",
        "col",
        "--key",
        "k",
        "--sources",
        "sources.toml",
        "-o",
        "toml.toml",
    ]));
    let toml = docseal::manifest::Manifest::load(&env.join("toml.toml")).unwrap();
    let mut csv = String::from("\u{feff}path,retrieved,url,comment\r\n");
    for f in toml.files().unwrap() {
        let retrieved = f
            .retrieved
            .known()
            .map(ToString::to_string)
            .unwrap_or_default();
        let url = f
            .origin
            .known()
            .map(ToString::to_string)
            .unwrap_or_default();
        csv.push_str(&format!(
            "\"{}\",{retrieved},{url},\"a note, with a comma\"\r\n",
            f.path
        ));
    }
    env.write("sources.csv", csv);
    assert_ok(&env.run([
        "seal",
        "col",
        "--key",
        "k",
        "--sources",
        "sources.csv",
        "-o",
        "csv.toml",
    ]));
    let from_csv = docseal::manifest::Manifest::load(&env.join("csv.toml")).unwrap();
    assert_eq!(from_csv.files().unwrap(), toml.files().unwrap());
    assert_eq!(from_csv.header.root_digest, toml.header.root_digest);
}

#[test]
fn a_bad_row_of_a_csv_sources_list_is_refused_naming_its_line() {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    env.write(
        "sources.csv",
        "path,url,note\r\na.txt,https://x.org/a,\"two\r\nlines\"\r\nb.txt,x.org/b,\r\n",
    );
    let out = env.run(["seal", "col", "--key", "k", "--sources", "sources.csv"]);
    assert_bad_input(&out, "sources.csv:4: URL \"x.org/b\" is not absolute", "");
    env.assert_nothing_written(MANIFEST);
    env.write("sources.csv", "path\r\nnot-in-col.txt\r\n");
    let out = env.run(["seal", "col", "--key", "k", "--sources", "sources.csv"]);
    assert_bad_input(
        &out,
        "sources.csv:2: source for \"not-in-col.txt\", which is not a file in the collection",
        "",
    );
}
