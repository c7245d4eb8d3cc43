/*!
Collections in object storage (`verify --root URL`): `file://` in every build, an unknown scheme
and, in the default build, a bucket URL refused by name. With `--features object-store`, a real S3
API on loopback (moto's server mode, installed from tests/python-requirements-s3.txt) and a real
Azure Blob Storage API (Azurite, from tests/node/package.json, with the client of
tests/python-requirements-azure.txt): a sealed collection uploaded by the test's own client
verifies, and a tampered bucket or container gets the same verdicts and exit status as the same
tampered folder.
*/

use crate::util::*;

#[test]
fn object_store_file_url_root_is_the_folder() {
    let env = TestEnv::sealed();
    let url = format!("file://{}", env.join("col").display());
    assert_ok(&env.run(["verify", MANIFEST, "--root", &url]));
    env.write("col/a.txt", "ALPHA\n");
    let (out, by_url) = env.verify_json(&[MANIFEST, "--root", &url]);
    let (folder_out, by_path) = env.verify_json(&[MANIFEST, "--root", "col"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(folder_out.status.code(), Some(1));
    assert_eq!(verdicts(&by_url), verdicts(&by_path));
}

#[test]
fn object_store_unknown_scheme_and_relative_file_url_are_refused() {
    let env = TestEnv::sealed();
    let out = env.run(["verify", MANIFEST, "--root", "ftp://host/col"]);
    assert_error_is(
        &out,
        "ftp://host/col: unknown scheme \"ftp\"; use s3://, gs://, az:// or file://, or a folder's path",
    );
    let out = env.run(["verify", MANIFEST, "--root", "file://col"]);
    assert_error_is(
        &out,
        "file://col: a file:// URL needs an absolute path (file:///path/to/folder)",
    );
}

#[cfg(not(feature = "object-store"))]
#[test]
fn object_store_bucket_url_is_refused_by_the_default_build() {
    let env = TestEnv::sealed();
    let out = env.run(["verify", MANIFEST, "--root", "s3://bucket/col"]);
    assert_error_is(
        &out,
        "s3://bucket/col: docseal was built without the object-store feature; rebuild with `cargo install --path . --features object-store`",
    );
}

/// `(path, status)` of every entry of a report, in report order.
fn verdicts(report: &crate::schema::VerifyReport) -> Vec<(String, &'static str)> {
    report
        .files
        .iter()
        .map(|f| (f.path.clone(), f.status.as_str()))
        .collect()
}

#[cfg(feature = "object-store")]
mod remote {
    use std::net::{TcpListener, TcpStream};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use super::verdicts;
    use crate::util::*;

    /// A server on a free loopback port, started by `command` (given the port), stopped when
    /// dropped.
    struct Server {
        child: Child,
        endpoint: String,
    }

    impl Server {
        fn start(what: &str, command: impl FnOnce(u16) -> Command) -> Server {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let child = command(port)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
            let server = Server {
                child,
                endpoint: format!("http://127.0.0.1:{port}"),
            };
            let start = Instant::now();
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(
                    start.elapsed() < Duration::from_secs(60),
                    "{what} did not listen on 127.0.0.1:{port} within 60 s"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
            server
        }

        /// Runs a test client, the Python `script` given the endpoint and `args`.
        fn client(&self, mut python: Command, script: &str, args: &[&str]) {
            python.args(["-c", script, &self.endpoint]).args(args);
            let out = run_command(python);
            assert!(
                out.status.success(),
                "client {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// moto's S3 server.
    struct Moto {
        server: Server,
    }

    impl Moto {
        fn start() -> Moto {
            let server = Server::start("moto.server", |port| {
                let mut cmd = python3_s3();
                cmd.args([
                    "-m",
                    "moto.server",
                    "-H",
                    "127.0.0.1",
                    "-p",
                    &port.to_string(),
                ]);
                cmd
            });
            Moto { server }
        }

        /// Runs the test's own S3 client (boto3) on this server: `op` is `mkbucket BUCKET`,
        /// `upload BUCKET PREFIX DIR`, `put BUCKET KEY FILE` or `delete BUCKET KEY`.
        fn client(&self, args: &[&str]) {
            self.server.client(python3_s3(), CLIENT, args);
        }

        /// A docseal command with this server's endpoint and test credentials.
        fn docseal(&self, env: &TestEnv, args: &[&str]) -> std::process::Output {
            docseal_s3(env, &self.server.endpoint, args)
        }
    }

    /// A docseal command with test credentials and the S3 endpoint `endpoint`.
    fn docseal_s3(env: &TestEnv, endpoint: &str, args: &[&str]) -> std::process::Output {
        let mut cmd = env.command(args);
        cmd.env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", endpoint)
            .env("AWS_ALLOW_HTTP", "true");
        run_command(cmd)
    }

    const CLIENT: &str = r#"
import os, sys, boto3
endpoint, op, bucket, *rest = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="testing", aws_secret_access_key="testing")
if op == "mkbucket":
    s3.create_bucket(Bucket=bucket)
elif op == "upload":
    prefix, folder = rest
    for here, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(here, name)
            key = prefix + "/" + os.path.relpath(path, folder).replace(os.sep, "/")
            s3.upload_file(path, bucket, key)
elif op == "put":
    key, path = rest
    s3.upload_file(path, bucket, key)
elif op == "delete":
    s3.delete_object(Bucket=bucket, Key=rest[0])
else:
    sys.exit("unknown op " + op)
"#;

    #[test]
    fn object_store_s3_bucket_verifies_and_tampering_gets_the_folder_verdicts() {
        let env = TestEnv::new();
        env.keygen("k");
        env.standard_collection();
        // Characters object_store would percent-encode in a key it builds itself.
        env.write("col/sub/50% {draft}.txt", "delta\n");
        assert_ok(&env.run(["seal", "col", "--key", "k"]));
        let moto = Moto::start();
        let col = env.join("col");
        let col = col.to_str().unwrap();
        moto.client(&["mkbucket", "docs"]);
        moto.client(&["upload", "docs", "batch/col", col]);
        // An object beside the prefix is not part of the collection.
        moto.client(&[
            "put",
            "docs",
            "batch/col-other/x.txt",
            &format!("{col}/a.txt"),
        ]);
        let out = moto.docseal(&env, &["verify", MANIFEST, "--root", "s3://docs/batch/col"]);
        assert_ok(&out);
        assert!(
            stdout(&out).contains("4 sealed files: 4 ok"),
            "{}",
            stdout(&out)
        );
        // It is named as what it is.
        assert_stdout_line_starts(&out, "bucket     s3://docs/batch/col");
        // A bucket is verified unsharded.
        for shard in [&["--shard", "0/2"][..], &["--extras-only"]] {
            let mut args = vec!["verify", MANIFEST, "--root", "s3://docs/batch/col"];
            args.extend_from_slice(shard);
            let out = moto.docseal(&env, &args);
            assert_eq!(out.status.code(), Some(2), "{shard:?}: {}", stderr(&out));
            assert!(
                stderr(&out).contains("a sharded verification reads a folder, not a bucket"),
                "{shard:?}: {}",
                stderr(&out)
            );
        }

        // The same tampering in the folder and in the bucket: one file modified (same size), one
        // of another size, one deleted, one added.
        env.write("col/a.txt", "ALPHA\n");
        env.write("col/sub/c.txt", "charlie, longer\n");
        std::fs::remove_file(env.join("col/b.txt")).unwrap();
        env.write("col/sub/new.txt", "not sealed\n");
        for rel in ["a.txt", "sub/c.txt", "sub/new.txt"] {
            moto.client(&[
                "put",
                "docs",
                &format!("batch/col/{rel}"),
                &format!("{col}/{rel}"),
            ]);
        }
        moto.client(&["delete", "docs", "batch/col/b.txt"]);
        // A key that is no collection path (a backslash) is reported like such a file name.
        env.write("col/w\\v.txt", "w\n");
        moto.client(&[
            "put",
            "docs",
            "batch/col/w\\v.txt",
            &format!("{col}/w\\v.txt"),
        ]);

        let bucket_out = moto.docseal(
            &env,
            &[
                "verify",
                "--json",
                MANIFEST,
                "--root",
                "s3://docs/batch/col",
            ],
        );
        let want = [
            ("a.txt", "modified"),
            ("b.txt", "missing"),
            ("sub/50% {draft}.txt", "ok"),
            ("sub/c.txt", "modified"),
            ("sub/new.txt", "extra"),
            ("w\\v.txt", "extra"),
        ];
        the_folder_verdicts(&env, &bucket_out, "s3://docs/batch/col", &want);

        // A key with an empty segment cannot even be listed by object_store: the run stops,
        // naming the key, and nothing is followed.
        moto.client(&["put", "docs", "batch/col/x//y.txt", &format!("{col}/a.txt")]);
        let out = moto.docseal(&env, &["verify", MANIFEST, "--root", "s3://docs/batch/col"]);
        assert_error_is(
            &out,
            "s3://docs/batch/col: cannot list the objects: Encountered object with invalid path: Path \"batch/col/x//y.txt\" contained empty path segment",
        );
    }

    #[test]
    fn object_store_an_endpoint_that_refuses_connections_is_an_error_naming_the_bucket() {
        let env = TestEnv::sealed();
        // A port nothing listens on: every connection is refused, the retries end, and the run
        // says so (exit 2) instead of reporting files missing.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let endpoint = format!("http://127.0.0.1:{port}");
        let out = docseal_s3(
            &env,
            &endpoint,
            &["verify", MANIFEST, "--root", "s3://docs/col"],
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let text = stderr(&out);
        assert!(
            text.starts_with("docseal: s3://docs/col: cannot list the objects: ")
                && text.contains("after 5 retries"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 1, "{text}");
    }

    #[test]
    fn object_store_s3_without_credentials_is_refused_before_any_request() {
        let env = TestEnv::sealed();
        // No server at all: the refusal comes before any connection.
        let out = env.run(["verify", MANIFEST, "--root", "s3://docs/col"]);
        assert_error_is(
            &out,
            "s3://docs/col: no credentials in the environment; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        );
    }

    #[test]
    fn object_store_gcs_and_azure_without_credentials_are_refused_before_any_request() {
        let env = TestEnv::sealed();
        let out = env.run(["verify", MANIFEST, "--root", "gs://docs/col"]);
        assert_error_is(
            &out,
            "gs://docs/col: no credentials in the environment; set GOOGLE_APPLICATION_CREDENTIALS (or GOOGLE_SERVICE_ACCOUNT_KEY)",
        );
        // An account name alone, or with a service principal's secret, would end at Azure's
        // metadata service: refused too.
        let mut cmd = env.command(["verify", MANIFEST, "--root", "az://docs/col"]);
        cmd.env("AZURE_STORAGE_ACCOUNT_NAME", "acct")
            .env("AZURE_CLIENT_SECRET", "s");
        assert_error_is(
            &run_command(cmd),
            "az://docs/col: no credentials in the environment; set AZURE_STORAGE_ACCOUNT_NAME and AZURE_STORAGE_ACCOUNT_KEY (or AZURE_STORAGE_SAS_KEY)",
        );
    }

    /// Azurite's Blob Storage emulator, its data in a folder.
    struct Azurite {
        server: Server,
    }

    impl Azurite {
        fn start(dir: &std::path::Path) -> Azurite {
            let server = Server::start("azurite-blob", |port| {
                let mut cmd = azurite_blob();
                cmd.args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string()])
                    .arg("--location")
                    .arg(dir)
                    // object_store may speak a newer API version than this Azurite knows.
                    .args(["--skipApiVersionCheck", "--loose", "--silent"]);
                cmd
            });
            Azurite { server }
        }

        /// Runs the test's own Blob Storage client: `op` is `mkcontainer C`,
        /// `upload C PREFIX DIR`, `put C KEY FILE` or `delete C KEY`.
        fn client(&self, args: &[&str]) {
            self.server.client(python3_azure(), AZURE_CLIENT, args);
        }

        /// A docseal command with the emulator's well-known account and this server's endpoint.
        fn docseal(&self, env: &TestEnv, args: &[&str]) -> std::process::Output {
            let mut cmd = env.command(args);
            cmd.env("AZURE_STORAGE_USE_EMULATOR", "true")
                .env("AZURITE_BLOB_STORAGE_URL", &self.server.endpoint);
            run_command(cmd)
        }
    }

    /// Azurite's documented development account and key.
    const AZURE_CLIENT: &str = r#"
import os, sys
from azure.storage.blob import BlobServiceClient
endpoint, op, container, *rest = sys.argv[1:]
key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
conn = ("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + key +
        ";BlobEndpoint=" + endpoint + "/devstoreaccount1;")
blobs = BlobServiceClient.from_connection_string(conn)
if op == "mkcontainer":
    blobs.create_container(container)
    sys.exit(0)
c = blobs.get_container_client(container)
if op == "upload":
    prefix, folder = rest
    for here, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(here, name)
            key = prefix + "/" + os.path.relpath(path, folder).replace(os.sep, "/")
            with open(path, "rb") as f:
                c.upload_blob(key, f.read(), overwrite=True)
elif op == "put":
    key, path = rest
    with open(path, "rb") as f:
        c.upload_blob(key, f.read(), overwrite=True)
elif op == "delete":
    c.delete_blob(rest[0])
else:
    sys.exit("unknown op " + op)
"#;

    #[test]
    fn object_store_azure_container_verifies_and_tampering_gets_the_folder_verdicts() {
        let env = TestEnv::new();
        env.keygen("k");
        env.standard_collection();
        assert_ok(&env.run(["seal", "col", "--key", "k"]));
        let azurite = Azurite::start(&env.join("azurite"));
        let col = env.join("col");
        let col = col.to_str().unwrap();
        azurite.client(&["mkcontainer", "docs"]);
        azurite.client(&["upload", "docs", "batch/col", col]);
        let url = "az://docs/batch/col";
        let out = azurite.docseal(&env, &["verify", MANIFEST, "--root", url]);
        assert_ok(&out);
        assert_stdout_line_starts(&out, "bucket     az://docs/batch/col");
        assert!(
            stdout(&out).contains("3 sealed files: 3 ok"),
            "{}",
            stdout(&out)
        );

        // The same tampering in the folder and in the container: one file modified (same
        // size), one deleted, one added.
        env.write("col/a.txt", "ALPHA\n");
        std::fs::remove_file(env.join("col/b.txt")).unwrap();
        env.write("col/sub/new.txt", "not sealed\n");
        for rel in ["a.txt", "sub/new.txt"] {
            let key = format!("batch/col/{rel}");
            azurite.client(&["put", "docs", &key, &format!("{col}/{rel}")]);
        }
        azurite.client(&["delete", "docs", "batch/col/b.txt"]);
        let out = azurite.docseal(&env, &["verify", "--json", MANIFEST, "--root", url]);
        let want = [
            ("a.txt", "modified"),
            ("b.txt", "missing"),
            ("sub/c.txt", "ok"),
            ("sub/new.txt", "extra"),
        ];
        the_folder_verdicts(&env, &out, url, &want);
    }

    /// Checks that `out`, a failed `verify --json` of the bucket `url`, has the verdicts `want`,
    /// and that they and its exit status are those of `verify` of the folder `col`.
    fn the_folder_verdicts(
        env: &TestEnv,
        out: &std::process::Output,
        url: &str,
        want: &[(&str, &str)],
    ) {
        let bucket = crate::schema::parse_verify(out);
        let (folder_out, folder) = env.verify_json(&[MANIFEST, "--root", "col"]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(folder_out.status.code(), Some(1));
        let want: Vec<(String, &str)> = want.iter().map(|(p, v)| (p.to_string(), *v)).collect();
        assert_eq!(verdicts(&bucket), want);
        assert_eq!(verdicts(&bucket), verdicts(&folder));
        assert_eq!(bucket.root, url);
    }
}
