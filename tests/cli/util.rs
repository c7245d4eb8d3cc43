/*!
The test harness: a [`TestEnv`] is a temporary folder in which `docseal` runs as a user would run
it — current directory set to the folder, `HOME` and `XDG_CONFIG_HOME` pointed inside it so that
keygen never touches the real config folder — plus a builder for collections, a standard sealed
fixture, and assertions on exit statuses and messages.
*/

use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// How long one docseal run may take before the test calls it hung (a FIFO that was opened, a
/// symbolic link loop that was followed) and kills it.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The manifest the standard fixture writes.
pub const MANIFEST: &str = "manifests/col.toml";

/// Every subcommand, in the order `docseal --help` lists them.
pub const SUBCOMMANDS: &[&str] = &[
    "keygen",
    "revoke",
    "seal",
    "fetch",
    "import-warc",
    "verify",
    "merge-reports",
    "sign",
    "passwd",
    "show",
    "log",
    "diff",
    "cite",
    "audit",
    "identify",
    "prove",
    "verify-proof",
    "export",
    "validate-bag",
    "completions",
    "man",
];

/// The sources list of the standard fixture: `a.txt` and `b.txt` have full provenance,
/// `sub/c.txt` has an origin but an unknown retrieval time.
pub const SOURCES: &str = r#"[[source]]
path = "a.txt"
url = "https://example.org/a"
retrieved = "2024-09-30T12:00:00Z"

[[source]]
path = "b.txt"
url = "https://example.org/b"
retrieved = "2024-10-01T08:30:00Z"

[[source]]
path = "sub/c.txt"
url = "https://example.org/c"
retrieved = "unknown"
"#;

/// The signature `key` makes of `body`, its checkpoint too (format version 2), as seal and sign
/// make it.
pub fn sign_body(
    key: &docseal::trust::SecretKey,
    body: &str,
) -> docseal::trust::signature::ManifestSignature {
    let mut signature = docseal::trust::signature::sign(key, body.as_bytes());
    signature.checkpoint = checkpoint_note(body).map(|text| {
        let origin = text.split('\n').next().unwrap().to_string();
        docseal::trust::note::sign(key, &origin, &text)
    });
    signature
}

/// The checkpoint note text of a (possibly edited) manifest body, from its header read as TOML
/// and its `[[file]]` lines counted, without docseal's reader; `None` for format version 1 (or a
/// header that does not say enough).
pub fn checkpoint_note(body: &str) -> Option<String> {
    let header_end = body.find("\n[[file]]\n").unwrap_or(body.len());
    let header: toml::Table = toml::from_str(&body[..header_end]).ok()?;
    if header.get("format_version")?.as_integer()? < 2 {
        return None;
    }
    let name = header.get("name")?.as_str()?;
    let sequence = header
        .get("sequence")
        .and_then(|s| s.as_integer())
        .map(|s| s as u64);
    let root = docseal::digest::from_hex::<32>(header.get("root")?.as_str()?)?;
    let count = body.split('\n').filter(|l| *l == "[[file]]").count() as u64;
    Some(docseal::manifest::checkpoint::text_of(
        &docseal::manifest::checkpoint::origin(name, sequence),
        count,
        &docseal::digest::Sha256Digest::from_bytes(root),
    ))
}

/// A temporary folder to run docseal in.
pub struct TestEnv {
    dir: tempfile::TempDir,
}

impl TestEnv {
    /// An empty environment, with `home/` and (not yet created) `config/` inside it.
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("docseal-test-")
            .tempdir()
            .unwrap();
        fs::create_dir(dir.path().join("home")).unwrap();
        TestEnv { dir }
    }

    /// The standard fixture: key "k" made by keygen, the collection `col/` (`a.txt`, `b.txt`,
    /// `sub/c.txt`) with [`SOURCES`] as `sources.toml`, sealed into [`MANIFEST`].
    pub fn sealed() -> Self {
        let env = TestEnv::new();
        env.keygen("k");
        env.standard_collection();
        env.write("sources.toml", SOURCES);
        assert_ok(&env.run(["seal", "col", "--key", "k", "--sources", "sources.toml"]));
        env
    }

    /// Writes the standard collection `col/` without sealing it.
    pub fn standard_collection(&self) {
        self.collection("col")
            .file("a.txt", "alpha\n")
            .file("b.txt", "bravo bravo\n")
            .file("sub/c.txt", "charlie\n");
    }

    /// The root of the environment.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `rel` inside the environment.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Where keygen puts the secret key of `name` by default.
    pub fn default_secret(&self, name: &str) -> PathBuf {
        self.join(format!("config/docseal/keys/{name}.key"))
    }

    /// Signs the (edited) [`MANIFEST`] again with key "k", replacing its signature block, so
    /// that verify reads what was edited instead of stopping at the invalid signature.
    pub fn resign(&self) {
        self.resign_at(MANIFEST);
    }

    /// Signs the (edited) manifest at `rel` again with key "k", replacing its signature block.
    pub fn resign_at(&self, rel: &str) {
        let text = self.read(rel);
        self.sign_and_write_at(rel, body(&text));
    }

    /// Signs `body` with key "k" (its checkpoint too, in format version 2) and writes it with
    /// that signature as [`MANIFEST`].
    pub fn sign_and_write(&self, body: &str) {
        self.sign_and_write_at(MANIFEST, body);
    }

    /// Signs `body` with key "k" (its checkpoint too, in format version 2) and writes it with
    /// that signature as `rel`.
    pub fn sign_and_write_at(&self, rel: &str, body: &str) {
        let key = docseal::trust::SecretKey::load(&self.default_secret("k")).unwrap();
        let signature = sign_body(&key, body);
        let block = docseal::manifest::canonical::signature_block(&signature);
        self.write(rel, format!("{body}{block}"));
    }

    /// Writes a file (creating its folders).
    pub fn write(&self, rel: impl AsRef<Path>, contents: impl AsRef<[u8]>) {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, contents).unwrap();
    }

    /// Reads a text file.
    pub fn read(&self, rel: impl AsRef<Path>) -> String {
        let path = self.join(rel);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// Reads a file's bytes.
    pub fn read_bytes(&self, rel: impl AsRef<Path>) -> Vec<u8> {
        fs::read(self.join(rel)).unwrap()
    }

    /// True when `rel` exists (without following a final symbolic link).
    pub fn exists(&self, rel: impl AsRef<Path>) -> bool {
        fs::symlink_metadata(self.join(rel)).is_ok()
    }

    /// Starts building a collection folder `dir`.
    pub fn collection(&self, dir: &str) -> Collection<'_> {
        fs::create_dir_all(self.join(dir)).unwrap();
        Collection {
            env: self,
            dir: dir.to_string(),
        }
    }

    /// Runs `docseal keygen --name NAME --unencrypted` (secret key in the default place) and checks
    /// it worked; tests of encrypted keys give a passphrase source themselves.
    pub fn keygen(&self, name: &str) {
        assert_ok(&self.run(["keygen", "--name", name, "--unencrypted"]));
    }

    /// Replaces exactly one occurrence of `from` by `to` in the text file `rel`.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert_eq!(
            text.matches(from).count(),
            1,
            "expected exactly one {from:?} in {rel}:\n{text}"
        );
        self.write(rel, text.replacen(from, to, 1));
    }

    /// A `docseal` command with the environment's current folder and config folders.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_docseal"));
        cmd.args(args)
            .current_dir(self.path())
            .env_clear()
            .env("HOME", self.join("home"))
            .env("XDG_CONFIG_HOME", self.join("config"));
        cmd
    }

    /// Runs `docseal ARGS` in the environment.
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run_command(self.command(args))
    }

    /// Runs `docseal verify --json ARGS` and parses the report strictly.
    pub fn verify_json(&self, args: &[&str]) -> (Output, crate::schema::VerifyReport) {
        let mut all = vec!["verify", "--json"];
        all.extend_from_slice(args);
        let out = self.run(all);
        let report = crate::schema::parse_verify(&out);
        (out, report)
    }

    /// Runs docseal with `args` here under `ulimit -f 1`: at most one block (512 or 1024 bytes)
    /// per file it writes, so that a larger write fails midway (SIGXFSZ, handled as an error).
    pub fn run_under_file_size_limit(&self, args: &[&str]) -> Output {
        let mut cmd = std::process::Command::new("sh");
        cmd.args(["-c", "ulimit -f 1 && exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_docseal"))
            .args(args)
            .current_dir(self.path())
            .env_clear()
            .env("HOME", self.join("home"))
            .env("XDG_CONFIG_HOME", self.join("config"));
        run_command(cmd)
    }

    /// Every leftover temporary file of docseal's atomic writes (`.docseal-*.tmp`) anywhere in
    /// the environment.
    pub fn stray_temp_files(&self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut stack = vec![self.path().to_path_buf()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                let entry = entry.unwrap();
                let name = entry.file_name();
                let name = name.to_string_lossy();
                let ft = entry.file_type().unwrap();
                if ft.is_dir() {
                    stack.push(entry.path());
                } else if name.starts_with(".docseal-") && name.ends_with(".tmp") {
                    found.push(entry.path());
                }
            }
        }
        found
    }

    /// Asserts that nothing was written: no file at `manifest`, no temporary file anywhere.
    pub fn assert_nothing_written(&self, manifest: &str) {
        assert!(
            !self.exists(manifest),
            "{manifest} was written although the command failed"
        );
        let stray = self.stray_temp_files();
        assert!(stray.is_empty(), "temporary files left behind: {stray:?}");
    }
}

/// Builds a collection folder file by file.
pub struct Collection<'a> {
    env: &'a TestEnv,
    dir: String,
}

impl Collection<'_> {
    /// Adds a file at `rel` inside the collection.
    pub fn file(self, rel: &str, contents: impl AsRef<[u8]>) -> Self {
        self.env.write(format!("{}/{rel}", self.dir), contents);
        self
    }
}

/// `python3` with the Python packages of `tests/python-requirements.txt` on its `PYTHONPATH`:
/// `target/ci-python`, where `.ci/run` installs them. When they are not there yet (a fresh clone,
/// where the README's `cargo test` is the first thing run), the first test that needs them
/// installs them there with pip from PyPI, once for the whole run.
pub fn python3() -> Command {
    static READY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    python3_with(
        &READY,
        "tests/python-requirements.txt",
        "target/ci-python",
        "import bagit, yaml, xmlschema",
    )
}

/// `python3` with the packages of `tests/python-requirements-s3.txt` (moto's S3 server and
/// boto3) on its `PYTHONPATH`: `target/ci-python-s3`, installed like [`python3`]'s.
#[cfg_attr(not(feature = "object-store"), allow(dead_code))]
pub fn python3_s3() -> Command {
    static READY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    python3_with(
        &READY,
        "tests/python-requirements-s3.txt",
        "target/ci-python-s3",
        "import moto.server, boto3",
    )
}

/// `python3` with `tests/python-requirements-azure.txt` (azure-storage-blob) on its `PYTHONPATH`:
/// `target/ci-python-azure`, installed like [`python3`]'s.
#[cfg_attr(not(feature = "object-store"), allow(dead_code))]
pub fn python3_azure() -> Command {
    static READY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    python3_with(
        &READY,
        "tests/python-requirements-azure.txt",
        "target/ci-python-azure",
        "import azure.storage.blob",
    )
}

/// Azurite's Blob Storage emulator (`azurite-blob`), from `tests/node/package.json` and its lock
/// file, installed on first use by `npm ci` into `target/ci-node`, once for the whole run.
#[cfg_attr(not(feature = "object-store"), allow(dead_code))]
pub fn azurite_blob() -> Command {
    static READY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let bin = READY.get_or_init(|| {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let dir = repo.join("target/ci-node");
        let bin = dir.join("node_modules/.bin/azurite-blob");
        let lock =
            fs::read(repo.join("tests/node/package-lock.json")).map_err(|e| e.to_string())?;
        // Installed, and from this lock file (a copy is kept beside what it installed).
        if bin.exists() && fs::read(dir.join("package-lock.json")).is_ok_and(|l| l == lock) {
            return Ok(bin);
        }
        fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        for name in ["package.json", "package-lock.json"] {
            fs::copy(repo.join("tests/node").join(name), dir.join(name))
                .map_err(|e| format!("cannot copy tests/node/{name}: {e}"))?;
        }
        let out = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--silent"])
            .current_dir(&dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run npm: {e}"))?;
        if !out.status.success() || !bin.exists() {
            return Err(format!(
                "cannot install tests/node/package.json into {}: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(bin)
    });
    Command::new(bin.as_ref().unwrap_or_else(|e| panic!("{e}")))
}

/// `python3` with the packages of `requirements` installed (by pip, on first use, once per run)
/// into `target` below the repository; `imports` is the Python line that checks they are there.
fn python3_with(
    ready: &'static OnceLock<Result<PathBuf, String>>,
    requirements: &str,
    target: &str,
    imports: &str,
) -> Command {
    let dir = ready.get_or_init(|| {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let dir = repo.join(target);
        let has_all = |dir: &Path| {
            Command::new("python3")
                .args(["-c", imports])
                .env("PYTHONPATH", dir)
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if has_all(&dir) {
            return Ok(dir);
        }
        let out = Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "--target",
            ])
            .arg(&dir)
            .arg("-r")
            .arg(repo.join(requirements))
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run python3 -m pip: {e}"))?;
        if !out.status.success() || !has_all(&dir) {
            return Err(format!(
                "cannot install {requirements} into {}: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(dir)
    });
    let dir = dir.as_ref().unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = Command::new("python3");
    cmd.env("PYTHONPATH", dir);
    cmd
}

/// Runs a command with [`TIMEOUT`], collecting its output; a run that does not finish in time is
/// killed and fails the test.
pub fn run_command(mut cmd: Command) -> Output {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let shown = format!("{cmd:?}");
    let mut child = cmd.spawn().expect("cannot start docseal");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = thread::spawn(move || {
        let mut v = Vec::new();
        stdout.read_to_end(&mut v).map(|_| v)
    });
    let err_reader = thread::spawn(move || {
        let mut v = Vec::new();
        stderr.read_to_end(&mut v).map(|_| v)
    });
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{shown} did not finish within {TIMEOUT:?}: it hangs");
        }
        thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: out_reader.join().unwrap().unwrap(),
        stderr: err_reader.join().unwrap().unwrap(),
    }
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn describe(out: &Output) -> String {
    format!(
        "exit status {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    )
}

/// Asserts exit status 0 and nothing on standard error.
pub fn assert_ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "expected success\n{}",
        describe(out)
    );
    assert!(
        out.stderr.is_empty(),
        "expected nothing on stderr\n{}",
        describe(out)
    );
}

/// Asserts exit status 0, allowing warnings on standard error.
pub fn assert_ok_with_warnings(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "expected success\n{}",
        describe(out)
    );
}

/// Asserts exit status `code` and that standard error contains `stderr_contains`.
pub fn assert_fails(out: &Output, code: i32, stderr_contains: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "expected exit status {code}\n{}",
        describe(out)
    );
    assert!(
        stderr(out).contains(stderr_contains),
        "expected stderr to contain {stderr_contains:?}\n{}",
        describe(out)
    );
}

/// Asserts exit status 1 (verification failed) and that standard output contains every one of
/// `lines` as a whole line.
pub fn assert_verify_fails(out: &Output, lines: &[&str]) {
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected verification to fail\n{}",
        describe(out)
    );
    let text = stdout(out);
    for line in lines {
        assert!(
            text.lines().any(|l| l == *line),
            "expected the line {line:?} in the report\n{}",
            describe(out)
        );
    }
    assert_eq!(
        text.lines().last(),
        Some("verification FAILED"),
        "{}",
        describe(out)
    );
}

/// Asserts that standard output has a line starting with `prefix`.
pub fn assert_stdout_line_starts(out: &Output, prefix: &str) {
    assert!(
        stdout(out).lines().any(|l| l.starts_with(prefix)),
        "expected a stdout line starting with {prefix:?}\n{}",
        describe(out)
    );
}

/// Asserts a bad-input error: exit status 2, nothing on standard output, and standard error
/// exactly one line, `docseal: ` followed by `prefix` (the file, and for parse errors
/// `:LINE:`), containing `contains`.
pub fn assert_bad_input(out: &Output, prefix: &str, contains: &str) {
    assert_fails(out, 2, contains);
    let err = stderr(out);
    assert_eq!(
        err.lines().count(),
        1,
        "expected exactly one line on stderr\n{}",
        describe(out)
    );
    assert!(
        err.ends_with('\n'),
        "stderr line is not terminated\n{}",
        describe(out)
    );
    let expected = format!("docseal: {prefix}");
    assert!(
        err.starts_with(&expected),
        "expected stderr to start with {expected:?}\n{}",
        describe(out)
    );
    assert!(
        out.stdout.is_empty(),
        "expected nothing on stdout\n{}",
        describe(out)
    );
}

/// Asserts a bad-input error whose whole message is known: exit status 2 and standard error
/// exactly `docseal: {message}\n`.
pub fn assert_error_is(out: &Output, message: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", describe(out));
    assert_eq!(
        stderr(out),
        format!("docseal: {message}\n"),
        "{}",
        describe(out)
    );
    assert!(out.stdout.is_empty(), "{}", describe(out));
}

/// The 1-based number of the only line of `text` that contains `needle`.
pub fn line_of(text: &str, needle: &str) -> usize {
    let hits: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "expected {needle:?} on exactly one line of:\n{text}"
    );
    hits[0]
}

/// Sets the permission bits of a file.
pub fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// The permission bits of a file.
pub fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The `key_id` recorded in a key file.
pub fn key_id_in(key_file_text: &str) -> String {
    let line = key_file_text
        .lines()
        .find(|l| l.starts_with("key_id = "))
        .expect("no key_id line");
    line.trim_start_matches("key_id = ")
        .trim_matches('"')
        .to_string()
}

/// The `[[signature]]` block of a manifest: everything from its `[[signature]]` line on.
pub fn signature_block(manifest: &str) -> &str {
    let at = manifest
        .find("\n[[signature]]\n")
        .expect("manifest has no signature block");
    &manifest[at + 1..]
}

/// The signed body of a manifest: everything before its `[[signature]]` line.
pub fn body(manifest: &str) -> &str {
    let block = signature_block(manifest);
    &manifest[..manifest.len() - block.len()]
}
