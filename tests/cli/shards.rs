/*!
Sharded verification (`docs/shards.md`): a 10⁴-entry collection with modified, missing, moved,
copied and extra files, verified in N = 1, 2, 3, 7 and 16 shards run as separate processes in a
seeded random order, merged: the merged report is byte for byte the unsharded one. A missing
shard, a shard given twice, a shard of another manifest, a report without its extras job and
tampered reports are each refused (exit 2); `--shard auto/N` reads the batch systems' indexes;
bad `--shard` values are refused. The recipes in `examples/kubernetes`, `examples/slurm` and
`examples/github` are read and their docseal commands run here as they stand.
*/

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::util::*;

const M: &str = "manifests/col.toml";

/// A seeded shuffle (xorshift), so that a failing order can be replayed.
fn shuffled<T>(mut items: Vec<T>, seed: u64) -> Vec<T> {
    let mut x = seed | 1;
    for i in (1..items.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        items.swap(i, (x % (i as u64 + 1)) as usize);
    }
    items
}

/// A collection of `n` small files in 100 folders, sealed with key "k", then changed: one file
/// modified in place (same size), one grown, one deleted, one moved, one copied, one new, one
/// replaced by a symbolic link, and a symbolic link added.
fn changed_collection(n: usize) -> TestEnv {
    let env = TestEnv::new();
    env.keygen("k");
    for i in 0..n {
        let dir = env.join(format!("col/d{:02}", i % 100));
        if i < 100 {
            fs::create_dir_all(&dir).unwrap();
        }
        fs::write(dir.join(format!("f{i:05}.txt")), format!("file {i}\n")).unwrap();
    }
    // Two names that are one on a file system that ignores case: a warning in the report.
    env.write("col/Case.txt", "upper\n");
    env.write("col/case.txt", "lower\n");
    assert_ok_with_warnings(&env.run(["seal", "col", "--key", "k"]));
    let file = |i: usize| format!("col/d{:02}/f{i:05}.txt", i % 100);
    env.write(file(10), "FILE 10\n");
    env.write(file(n / 2), "this one grew\n");
    fs::remove_file(env.join(file(n / 3))).unwrap();
    fs::create_dir_all(env.join("col/moved")).unwrap();
    fs::rename(env.join(file(n - 1)), env.join("col/moved/last.txt")).unwrap();
    fs::copy(env.join(file(7)), env.join("col/copy-of-7.txt")).unwrap();
    env.write("col/new.txt", "not sealed\n");
    fs::remove_file(env.join(file(105))).unwrap();
    std::os::unix::fs::symlink("f00005.txt", env.join(file(105))).unwrap();
    std::os::unix::fs::symlink("d01/f00001.txt", env.join("col/link-to-1")).unwrap();
    env
}

/// Runs every shard of `count` (in a seeded random order, each its own process) and the extras
/// job, writing their reports under `dir`; returns the report files.
fn run_shards(env: &TestEnv, count: usize, dir: &str, seed: u64) -> Vec<String> {
    let mut jobs: Vec<Option<usize>> = (0..count).map(Some).collect();
    jobs.push(None);
    let mut files = Vec::new();
    for job in shuffled(jobs, seed) {
        let (file, out) = match job {
            Some(i) => {
                let file = format!("{dir}/shard-{i}.json");
                let shard = format!("{i}/{count}");
                (
                    file.clone(),
                    env.run(["verify", M, "--shard", &shard, "--output", &file, "-q"]),
                )
            }
            None => {
                let file = format!("{dir}/extras.json");
                (
                    file.clone(),
                    env.run(["verify", M, "--extras-only", "--output", &file, "-q"]),
                )
            }
        };
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "{file}: {code:?} {}",
            stderr(&out)
        );
        files.push(file);
    }
    files
}

fn merge(env: &TestEnv, reports: &[String], format: &str) -> Output {
    let mut args = vec!["merge-reports".to_string()];
    args.extend(reports.iter().cloned());
    args.extend(["--format".into(), format.into()]);
    env.run(args)
}

#[test]
fn the_merged_report_of_10000_entries_in_1_2_3_7_and_16_shards_is_the_unsharded_report() {
    let env = changed_collection(10_000);
    let unsharded = env.run(["verify", M, "--format", "json"]);
    assert_eq!(unsharded.status.code(), Some(1), "{}", stderr(&unsharded));
    let text = stdout(&unsharded);
    for status in [
        "\"modified\"",
        "\"missing\"",
        "\"moved\"",
        "\"extra\"",
        "a copy of sealed",
    ] {
        assert!(text.contains(status), "the fixture lacks {status}");
    }
    for (seed, count) in [1usize, 2, 3, 7, 16].into_iter().enumerate() {
        let reports = run_shards(&env, count, &format!("reports-{count}"), seed as u64 + 17);
        let merged = merge(&env, &reports, "json");
        assert_eq!(
            merged.status.code(),
            Some(1),
            "N={count}: {}",
            stderr(&merged)
        );
        assert!(
            merged.stdout == unsharded.stdout,
            "N={count}: the merged JSON report differs from the unsharded one"
        );
    }
    let reports = run_shards(&env, 7, "reports-7b", 99);
    for format in ["text", "junit", "github"] {
        let merged = merge(&env, &reports, format);
        let direct = env.run(["verify", M, "--format", format]);
        assert_eq!(
            merged.status.code(),
            Some(1),
            "{format}: {}",
            stderr(&merged)
        );
        assert_eq!(stdout(&merged), stdout(&direct), "{format}");
    }
}

#[test]
fn a_clean_collection_merges_to_success_and_fewer_entries_than_shards_leave_empty_shards() {
    let env = TestEnv::sealed();
    let unsharded = env.run(["verify", MANIFEST, "--format", "json"]);
    assert_ok(&unsharded);
    let mut reports = Vec::new();
    for i in shuffled((0..5).collect(), 3) {
        let file = format!("r/{i}.json");
        let out = env.run([
            "verify",
            MANIFEST,
            "--shard",
            &format!("{i}/5"),
            "-o",
            &file,
        ]);
        assert_ok(&out);
        reports.push(file);
    }
    assert_ok(&env.run(["verify", MANIFEST, "--extras-only", "-o", "r/x.json"]));
    reports.push("r/x.json".into());
    let merged = merge(&env, &reports, "json");
    assert_ok(&merged);
    assert!(merged.stdout == unsharded.stdout, "{}", stdout(&merged));
    let empty: Value = serde_json::from_str(&env.read("r/0.json")).unwrap();
    assert_eq!(
        empty["shard"]["start"], empty["shard"]["end"],
        "3 entries, 5 shards: shard 0 is empty"
    );
}

/// A 300-entry changed collection in 3 shards and the extras job: the report files.
fn three_shards() -> (TestEnv, Vec<String>) {
    let env = changed_collection(300);
    let reports = run_shards(&env, 3, "r", 5);
    let mut sorted = reports;
    sorted.sort();
    (env, sorted)
}

fn edit_json(env: &TestEnv, file: &str, change: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&env.read(file)).unwrap();
    change(&mut v);
    env.write(file, serde_json::to_string_pretty(&v).unwrap());
}

fn reports_but(reports: &[String], leave_out: &str) -> Vec<String> {
    reports
        .iter()
        .filter(|r| !r.ends_with(leave_out))
        .cloned()
        .collect()
}

#[test]
fn shard_reports_have_the_documented_schema() {
    let (env, reports) = three_shards();
    let parse = |file: &str| -> crate::schema::ShardReport {
        serde_json::from_str(&env.read(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    };
    let mut next = 0;
    for file in reports.iter().filter(|r| r.contains("shard-")) {
        let r = parse(file);
        assert_eq!((r.kind.as_str(), r.version), ("docseal-shard-report", 1));
        assert!(r.extras.is_none());
        assert_eq!(r.tool, format!("docseal {}", env!("CARGO_PKG_VERSION")));
        assert!(r.started <= r.finished && r.finished.ends_with('Z'));
        assert_eq!(r.manifest_digest.len(), 64);
        let part = r.shard.unwrap();
        assert_eq!(part.start, next, "{file}");
        next = part.end;
        let covered: usize = part.subtrees.iter().map(|s| s.size).sum();
        assert_eq!(covered, part.end - part.start);
        assert_eq!(part.totals.sealed, part.end - part.start);
        assert_eq!(part.totals.ok + part.files.len(), part.totals.sealed);
    }
    assert_eq!(next, 302, "the shards tile the 302 entries");
    let extras = parse("r/extras.json");
    assert!(extras.shard.is_none());
    let part = extras.extras.unwrap();
    let unsealed: Vec<&str> = part.unsealed.iter().map(|u| u.path.as_str()).collect();
    assert_eq!(unsealed, ["copy-of-7.txt", "moved/last.txt", "new.txt"]);
    assert_eq!(part.not_regular.len(), 1);
    assert_eq!(part.skipped.len(), 1);
}

#[test]
fn merges_that_would_not_cover_every_entry_once_are_refused() {
    let (env, reports) = three_shards();
    assert_eq!(merge(&env, &reports, "json").status.code(), Some(1));

    let out = merge(&env, &reports_but(&reports, "shard-1.json"), "json");
    assert_fails(&out, 2, "shard 1/3 is missing");
    assert!(out.stdout.is_empty());

    let mut twice = reports.clone();
    fs::copy(env.join("r/shard-2.json"), env.join("r/again.json")).unwrap();
    twice.push("r/again.json".into());
    assert_fails(&merge(&env, &twice, "json"), 2, "shard 2/3 given twice");

    let out = merge(&env, &reports_but(&reports, "extras.json"), "json");
    assert_fails(&out, 2, "no extras report");
    let mut two_extras = reports.clone();
    fs::copy(env.join("r/extras.json"), env.join("r/extras2.json")).unwrap();
    two_extras.push("r/extras2.json".into());
    assert_fails(&merge(&env, &two_extras, "json"), 2, "two extras reports");

    // A shard of 4 among shards of 3.
    let out = env.run(["verify", M, "--shard", "3/4", "--output", "other/s.json"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let mut mixed = reports_but(&reports, "shard-1.json");
    mixed.push("other/s.json".into());
    assert_fails(&merge(&env, &mixed, "json"), 2, "a shard of 4");
}

#[test]
fn a_shard_of_another_manifest_is_refused() {
    let (env, reports) = three_shards();
    env.collection("col2").file("a.txt", "a\n");
    assert_ok(&env.run(["seal", "col2", "--key", "k"]));
    assert_ok(&env.run([
        "verify",
        "manifests/col2.toml",
        "--shard",
        "1/3",
        "-o",
        "o/s1.json",
    ]));
    let mut mixed = reports_but(&reports, "shard-1.json");
    mixed.push("o/s1.json".into());
    assert_fails(
        &merge(&env, &mixed, "json"),
        2,
        "their manifest digests differ",
    );
    let mut with_other = vec![
        "merge-reports".to_string(),
        "--manifest".into(),
        "manifests/col2.toml".into(),
    ];
    with_other.extend(reports.iter().cloned());
    assert_fails(&env.run(with_other), 2, "is not the manifest of");
}

#[test]
fn merge_reports_with_manifest_checks_the_signature_again() {
    let (env, reports) = three_shards();
    let mut args = vec![
        "merge-reports".to_string(),
        "--manifest".into(),
        M.into(),
        "--format".into(),
        "json".into(),
    ];
    args.extend(reports.iter().cloned());
    let merged = env.run(&args);
    assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
    assert!(merged.stdout == env.run(["verify", M, "--format", "json"]).stdout);
    // Trusting another key now, the signature the shards found valid is not.
    fs::create_dir_all(env.join("other")).unwrap();
    assert_ok(&env.run([
        "keygen",
        "--name",
        "o",
        "--unencrypted",
        "--keys-dir",
        "other",
    ]));
    args.extend(["--trust".into(), "other".into()]);
    assert_fails(
        &env.run(&args),
        2,
        "is not valid now, and the shard reports say it is valid",
    );
}

#[test]
fn tampered_shard_reports_are_refused() {
    let (env, reports) = three_shards();
    let original = env.read("r/shard-0.json");
    let refused = |file: &str, change: &dyn Fn(&mut Value), message: &str| {
        edit_json(&env, file, |v| change(v));
        assert_fails(&merge(&env, &reports, "json"), 2, message);
        env.write(file, &original);
    };
    refused(
        "r/shard-0.json",
        &|v| {
            let ok = v["shard"]["totals"]["ok"].as_u64().unwrap();
            v["shard"]["totals"]["ok"] = (ok - 1).into();
        },
        "counts do not agree",
    );
    refused(
        "r/shard-0.json",
        &|v| {
            let h = v["shard"]["subtrees"][0]["hash"]
                .as_str()
                .unwrap()
                .to_string();
            let flipped = if h.starts_with('0') { "1" } else { "0" };
            v["shard"]["subtrees"][0]["hash"] = format!("{flipped}{}", &h[1..]).into();
        },
        "subtree hashes",
    );
    // The modified file hidden, the counts made to agree: the subtree hash gives it away.
    refused(
        "r/shard-0.json",
        &|v| {
            let files = v["shard"]["files"].as_array_mut().unwrap();
            let at = files
                .iter()
                .position(|f| f["report"]["status"] == "modified")
                .unwrap();
            files.remove(at);
            let t = &mut v["shard"]["totals"];
            t["modified"] = (t["modified"].as_u64().unwrap() - 1).into();
            t["ok"] = (t["ok"].as_u64().unwrap() + 1).into();
        },
        "subtree hashes",
    );
    refused(
        "r/shard-0.json",
        &|v| v["shard"]["end"] = (v["shard"]["end"].as_u64().unwrap() - 1).into(),
        "do not tile",
    );
    refused(
        "r/shard-0.json",
        &|v| v["unknown"] = 1.into(),
        "is not a shard report",
    );
    env.write("r/shard-0.json", "{ not json");
    assert_fails(&merge(&env, &reports, "json"), 2, "r/shard-0.json");
}

#[test]
fn auto_takes_the_index_from_kubernetes_then_slurm() {
    let env = TestEnv::sealed();
    let strip = |file: &str| {
        let mut v: Value = serde_json::from_str(&env.read(file)).unwrap();
        v.as_object_mut().unwrap().remove("started");
        v.as_object_mut().unwrap().remove("finished");
        v
    };
    let run_with = |vars: &[(&str, &str)], file: &str| {
        let mut cmd = env.command(["verify", MANIFEST, "--shard", "auto/3", "-o", file]);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        run_command(cmd)
    };
    assert_ok(&env.run(["verify", MANIFEST, "--shard", "1/3", "-o", "one.json"]));
    assert_ok(&env.run(["verify", MANIFEST, "--shard", "2/3", "-o", "two.json"]));
    assert_ok(&run_with(&[("JOB_COMPLETION_INDEX", "1")], "k8s.json"));
    assert_eq!(strip("k8s.json"), strip("one.json"));
    assert_ok(&run_with(&[("SLURM_ARRAY_TASK_ID", "2")], "slurm.json"));
    assert_eq!(strip("slurm.json"), strip("two.json"));
    let both = [("JOB_COMPLETION_INDEX", "1"), ("SLURM_ARRAY_TASK_ID", "2")];
    assert_ok(&run_with(&both, "both.json"));
    assert_eq!(strip("both.json"), strip("one.json"));
    assert_fails(
        &run_with(&[], "none.json"),
        2,
        "neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set",
    );
    assert_fails(
        &run_with(&[("JOB_COMPLETION_INDEX", "x")], "x.json"),
        2,
        "is not a whole number",
    );
    assert_fails(
        &run_with(&[("SLURM_ARRAY_TASK_ID", "3")], "3.json"),
        2,
        "shard 3 of 3 does not exist",
    );
    assert!(!env.exists("none.json") && !env.exists("x.json") && !env.exists("3.json"));
}

#[test]
fn bad_shard_values_and_options_a_shard_does_not_take_are_refused() {
    let env = TestEnv::sealed();
    for (value, message) in [
        ("3/3", "shard 3 of 3 does not exist"),
        ("0/0", "at least 1"),
        ("x/2", "I \"x\" is not a whole number"),
        ("-1/2", "is not a whole number"),
        ("1", "give I/N"),
        ("1/", "N \"\" is not a whole number"),
        ("auto/x", "is not a whole number"),
    ] {
        let out = env.run([
            "verify",
            MANIFEST,
            &format!("--shard={value}"),
            "-o",
            "s.json",
        ]);
        assert_fails(&out, 2, message);
        assert!(!env.exists("s.json"), "{value}");
    }
    let out = env.run(["verify", MANIFEST, "a.txt", "--shard", "0/2"]);
    assert_fails(&out, 2, "--shard does not take file paths");
    let out = env.run(["verify", MANIFEST, "--extras-only", "--state", "st.toml"]);
    assert_fails(&out, 2, "--extras-only does not take --state");
    let out = env.run(["verify", MANIFEST, "--extras-only", "--shard", "0/2"]);
    assert_fails(&out, 2, "cannot be used with");
}

#[test]
fn a_shard_of_a_manifest_whose_signature_is_not_valid_fails_and_merges_to_the_unsharded_verdict() {
    let env = TestEnv::sealed();
    env.edit(MANIFEST, "2024-10-01T08:30:00Z", "2024-10-02T08:30:00Z");
    let unsharded = env.run(["verify", MANIFEST, "--format", "json"]);
    assert_eq!(unsharded.status.code(), Some(1));
    let mut reports = Vec::new();
    for i in 0..2 {
        let file = format!("r/{i}.json");
        let out = env.run([
            "verify",
            MANIFEST,
            "--shard",
            &format!("{i}/2"),
            "-o",
            &file,
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        reports.push(file);
    }
    let out = env.run(["verify", MANIFEST, "--extras-only", "-o", "r/x.json"]);
    assert_eq!(out.status.code(), Some(1));
    reports.push("r/x.json".into());
    let merged = merge(&env, &reports, "json");
    assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
    assert!(merged.stdout == unsharded.stdout, "{}", stdout(&merged));
}

// ---- The recipes --------------------------------------------------------------------------

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The YAML documents of an example, as JSON (PyYAML's safe loader).
fn yaml_documents(file: &str) -> Vec<Value> {
    let mut py = python3();
    py.arg("-c")
        .arg("import sys, yaml, json; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))")
        .arg(repo().join(file));
    let out = run_command(py);
    assert!(out.status.success(), "{file}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

/// Runs a recipe's command line with `sh`, the test's docseal first on PATH.
fn sh(env: &TestEnv, line: &str, vars: &[(&str, String)]) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_docseal")).parent().unwrap();
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(line)
        .current_dir(env.path())
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("HOME", env.join("home"))
        .env("XDG_CONFIG_HOME", env.join("config"));
    for (k, v) in vars {
        cmd.env(k, v);
    }
    run_command(cmd)
}

/// Runs the shard lines (once per index, in a seeded random order, with `vars(i)`), then the
/// other lines in order, and checks the merged report the last one writes.
fn run_recipe(
    name: &str,
    shard_line: &str,
    count: usize,
    vars: impl Fn(usize) -> Vec<(&'static str, String)>,
    rest: &[String],
    merged_file: Option<&str>,
) {
    let env = changed_collection(500);
    let unsharded = env.run(["verify", M, "--format", "json"]);
    for i in shuffled((0..count).collect(), 11) {
        let line = shard_line.replace("${{ matrix.index }}", &i.to_string());
        let out = sh(&env, &line, &vars(i));
        assert_ok_code(name, &line, &out, 0);
    }
    for (k, line) in rest.iter().enumerate() {
        let out = sh(&env, line, &[]);
        let want = if k + 1 == rest.len() { 1 } else { 0 };
        assert_ok_code(name, line, &out, want);
        if k + 1 == rest.len() {
            match merged_file {
                Some(file) => assert!(
                    env.read_bytes(file) == unsharded.stdout,
                    "{name}: {file} is not the unsharded report"
                ),
                None => {
                    let direct = env.run(["verify", M, "--format", "github"]);
                    assert_eq!(stdout(&out), stdout(&direct), "{name}");
                }
            }
        }
    }
}

fn assert_ok_code(name: &str, line: &str, out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{name}: {line}: {}",
        stderr(out)
    );
}

fn k8s_command(doc: &Value) -> String {
    let command = &doc["spec"]["template"]["spec"]["containers"][0]["command"];
    assert_eq!(command[0], "sh");
    assert_eq!(command[1], "-c");
    command[2].as_str().unwrap().to_string()
}

#[test]
fn the_kubernetes_recipe_runs_as_it_stands() {
    let jobs = yaml_documents("examples/kubernetes/verify-shards.yaml");
    let merge = yaml_documents("examples/kubernetes/merge-reports.yaml");
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0]["spec"]["completionMode"], "Indexed");
    assert_eq!(jobs[0]["spec"]["completions"], 16);
    let shard = k8s_command(&jobs[0]);
    assert_eq!(
        shard,
        "docseal verify manifests/col.toml --shard auto/16 --output reports/shard-$JOB_COMPLETION_INDEX.json || [ $? -eq 1 ]"
    );
    let rest = [k8s_command(&jobs[1]), k8s_command(&merge[0])];
    run_recipe(
        "kubernetes",
        &shard,
        16,
        |i| vec![("JOB_COMPLETION_INDEX", i.to_string())],
        &rest,
        Some("merged-report.json"),
    );
}

#[test]
fn the_slurm_recipe_runs_as_it_stands() {
    let lines = |file: &str| -> Vec<String> {
        fs::read_to_string(repo().join(file))
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("docseal "))
            .map(String::from)
            .collect()
    };
    let array = lines("examples/slurm/verify-shards.sbatch");
    let text = fs::read_to_string(repo().join("examples/slurm/verify-shards.sbatch")).unwrap();
    assert!(text.contains("#SBATCH --array=0-15"));
    assert_eq!(array.len(), 1);
    assert!(array[0].contains("--shard auto/16"), "{}", array[0]);
    let rest = lines("examples/slurm/merge-reports.sbatch");
    assert_eq!(rest.len(), 2);
    run_recipe(
        "slurm",
        &array[0],
        16,
        |i| vec![("SLURM_ARRAY_TASK_ID", i.to_string())],
        &rest,
        Some("merged-report.json"),
    );
}

#[test]
fn the_github_matrix_recipe_runs_as_it_stands() {
    let workflow = yaml_documents("examples/github/verify-shards.yml").remove(0);
    let runs = |job: &str| -> Vec<String> {
        workflow["jobs"][job]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["run"].as_str())
            .filter(|r| r.starts_with("docseal "))
            .map(String::from)
            .collect()
    };
    let matrix = &workflow["jobs"]["shard"]["strategy"]["matrix"]["index"];
    assert_eq!(matrix, &serde_json::json!([0, 1, 2, 3]));
    let shard = runs("shard");
    assert_eq!(shard.len(), 1);
    assert!(
        shard[0].contains("--shard ${{ matrix.index }}/4"),
        "{}",
        shard[0]
    );
    let mut rest = runs("extras");
    rest.extend(runs("merge"));
    assert_eq!(rest.len(), 2);
    run_recipe("github", &shard[0], 4, |_| Vec::new(), &rest, None);
}
