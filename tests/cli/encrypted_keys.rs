/*!
Secret keys protected by a passphrase (key file format version 2): `keygen` encrypts by default,
the passphrase comes from a file, from a variable named with `env:VAR`, or from a terminal — and
with none of these docseal says so at once instead of waiting. A wrong passphrase, a damaged file
and a hostile one each have their own message; `--key env:VAR` signs without a key file; `passwd`
changes or removes a passphrase in place.
*/

use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::*;

const PASSPHRASE: &str = "correct horse battery staple";

/// An environment with `pw.txt` holding the passphrase (and a trailing newline, which is not
/// part of it), the standard collection, and the encrypted key "k" made from that file.
fn encrypted() -> TestEnv {
    let env = TestEnv::new();
    env.write("pw.txt", format!("{PASSPHRASE}\n"));
    env.standard_collection();
    assert_ok(&env.run(["keygen", "--name", "k", "--passphrase-file", "pw.txt"]));
    env
}

fn secret(env: &TestEnv) -> String {
    std::fs::read_to_string(env.default_secret("k")).unwrap()
}

/// Rewrites the secret key file of "k" (keeping it 0600).
fn write_secret(env: &TestEnv, text: &str) {
    let path = env.default_secret("k");
    std::fs::write(&path, text).unwrap();
    chmod(&path, 0o600);
}

#[test]
fn keygen_encrypts_by_default_and_seal_and_verify_work_with_the_passphrase_file() {
    let env = encrypted();
    let text = secret(&env);
    assert!(text.contains("format_version = 2\n"), "{text}");
    assert!(text.contains("kdf = \"argon2id\"\n"), "{text}");
    assert!(text.contains("cipher = \"xchacha20poly1305\"\n"), "{text}");
    assert!(!text.contains("\nsecret_key = "), "{text}");
    assert_eq!(mode_of(&env.default_secret("k")), 0o600);
    let out = env.run(["seal", "col", "--key", "k", "--passphrase-file", "pw.txt"]);
    assert_ok(&out);
    assert_ok(&env.run(["verify", MANIFEST]));
}

#[test]
fn a_passphrase_from_a_named_environment_variable_makes_and_opens_a_key() {
    let env = TestEnv::new();
    env.standard_collection();
    let mut cmd = env.command(["keygen", "--name", "k", "--passphrase", "env:DOCSEAL_PW"]);
    cmd.env("DOCSEAL_PW", PASSPHRASE);
    assert_ok(&run_command(cmd));
    // The same passphrase from a file (with its newline) opens it: one passphrase, two sources.
    env.write("pw.txt", format!("{PASSPHRASE}\n"));
    assert_ok(&env.run(["seal", "col", "--key", "k", "--passphrase-file", "pw.txt"]));
    let mut cmd = env.command(["seal", "col", "--key", "k", "--force"]);
    cmd.args(["--passphrase", "env:DOCSEAL_PW"])
        .env("DOCSEAL_PW", PASSPHRASE);
    assert_ok_with_warnings(&run_command(cmd));
    assert_ok(&env.run(["verify", MANIFEST]));
    // A variable that is not set, and a passphrase written on the command line.
    let out = env.run([
        "seal",
        "col",
        "--key",
        "k",
        "--force",
        "--passphrase",
        "env:NOPE",
    ]);
    assert_error_is(
        &out,
        "environment variable NOPE is not set (--passphrase env:NOPE); set it to the passphrase",
    );
    let out = env.run([
        "seal",
        "col",
        "--key",
        "k",
        "--force",
        "--passphrase",
        PASSPHRASE,
    ]);
    assert_fails(&out, 2, "--passphrase takes env:VAR");
}

#[test]
fn a_wrong_passphrase_is_exit_2_and_says_so() {
    let env = encrypted();
    env.write("bad.txt", "not it\n");
    let out = env.run(["seal", "col", "--key", "k", "--passphrase-file", "bad.txt"]);
    assert_bad_input(
        &out,
        &format!("{}: wrong passphrase", env.default_secret("k").display()),
        "wrong passphrase for secret key \"k\"",
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn a_truncated_or_bit_flipped_key_file_is_damaged_not_a_wrong_passphrase() {
    let env = encrypted();
    let good = secret(&env);
    // Truncated: the last lines are gone.
    let cut = &good[..good.find("encrypted_secret_key").unwrap()];
    write_secret(&env, cut);
    let out = env.run(["seal", "col", "--key", "k", "--passphrase-file", "pw.txt"]);
    assert_fails(
        &out,
        2,
        "this encrypted key file is damaged (truncated or edited)",
    );
    assert!(
        !stderr(&out).contains("wrong passphrase"),
        "{}",
        stderr(&out)
    );
    // Cut in the middle of a line.
    write_secret(&env, &good[..good.find("kdf_salt").unwrap() + 5]);
    let out = env.run(["seal", "col", "--key", "k", "--passphrase-file", "pw.txt"]);
    assert_fails(
        &out,
        2,
        "this encrypted key file is damaged (truncated or edited)",
    );
    // One bit flipped in the ciphertext (a hex digit that stays a hex digit).
    let at = good.find("encrypted_secret_key = \"").unwrap() + 30;
    let mut bytes = good.clone().into_bytes();
    bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
    write_secret(&env, std::str::from_utf8(&bytes).unwrap());
    let out = env.run(["seal", "col", "--key", "k", "--passphrase-file", "pw.txt"]);
    assert_fails(
        &out,
        2,
        "corrupt key file: its checksum does not match its contents",
    );
    assert!(
        !stderr(&out).contains("wrong passphrase"),
        "{}",
        stderr(&out)
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn kdf_parameters_beyond_the_maximum_are_refused_before_any_work() {
    let env = encrypted();
    let good = secret(&env);
    for (from, to, field) in [
        (
            "kdf_memory_kib = 65536",
            "kdf_memory_kib = 4194304",
            "kdf_memory_kib = 4194304",
        ),
        (
            "kdf_iterations = 3",
            "kdf_iterations = 100000",
            "kdf_iterations = 100000",
        ),
        (
            "kdf_parallelism = 1",
            "kdf_parallelism = 0",
            "kdf_parallelism = 0",
        ),
    ] {
        write_secret(&env, &good.replace(from, to));
        let started = Instant::now();
        let out = env.run(["seal", "col", "--key", "k", "--passphrase-file", "pw.txt"]);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
        assert_fails(&out, 2, &format!("{field} is outside what docseal accepts"));
        assert_fails(&out, 2, "refused before deriving anything");
    }
}

#[test]
fn a_passphrase_file_that_is_missing_a_folder_or_a_fifo_without_writer_is_refused() {
    let env = encrypted();
    let out = env.run([
        "seal",
        "col",
        "--key",
        "k",
        "--passphrase-file",
        "missing.txt",
    ]);
    assert_error_is(
        &out,
        "missing.txt: passphrase file not found; pass the file that holds the passphrase (--passphrase-file FILE)",
    );
    let out = env.run(["seal", "col", "--key", "k", "--passphrase-file", "col"]);
    assert_error_is(
        &out,
        "col: is a folder, not a passphrase; pass the passphrase file itself",
    );
    let status = Command::new("mkfifo")
        .arg(env.join("pw.fifo"))
        .status()
        .unwrap();
    assert!(status.success());
    let out = env.run(["seal", "col", "--key", "k", "--passphrase-file", "pw.fifo"]);
    assert_fails(
        &out,
        2,
        "pw.fifo: is a FIFO that nothing wrote to within 10 seconds",
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn without_a_terminal_or_a_passphrase_option_docseal_says_how_at_once() {
    // Standard input is /dev/null (run_command); under `setsid` there is no controlling terminal
    // either. Either way nothing waits for an answer.
    let env = TestEnv::new();
    env.standard_collection();
    let started = Instant::now();
    let out = env.run(["keygen", "--name", "k"]);
    assert_error_is(
        &out,
        "the passphrase of the new secret key \"k\" is needed and standard input is not a terminal to ask on; pass --passphrase-file FILE or --passphrase env:VAR (or --unencrypted for a key without a passphrase)",
    );
    assert!(!env.exists("keys/k.pub"));
    assert!(!env.default_secret("k").exists());
    if Command::new("setsid").arg("--version").output().is_ok() {
        let mut cmd = Command::new("setsid");
        cmd.arg("--wait")
            .arg(env!("CARGO_BIN_EXE_docseal"))
            .args(["keygen", "--name", "k"])
            .current_dir(env.path())
            .env_clear()
            .env("HOME", env.join("home"))
            .env("XDG_CONFIG_HOME", env.join("config"));
        let out = run_command(cmd);
        assert_fails(&out, 2, "standard input is not a terminal to ask on");
        assert!(!stderr(&out).contains("No such device"), "{}", stderr(&out));
    }
    assert!(started.elapsed() < Duration::from_secs(20));
    // An encrypted key, then seal with no passphrase option.
    env.write("pw.txt", PASSPHRASE);
    assert_ok(&env.run(["keygen", "--name", "k", "--passphrase-file", "pw.txt"]));
    let out = env.run(["seal", "col", "--key", "k"]);
    assert_fails(&out, 2, "the passphrase of secret key \"k\" (");
    assert_fails(
        &out,
        2,
        "pass --passphrase-file FILE or --passphrase env:VAR",
    );
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn unencrypted_and_version_1_key_files_still_load() {
    let env = TestEnv::new();
    env.standard_collection();
    assert_ok(&env.run(["keygen", "--name", "k", "--unencrypted"]));
    let text = secret(&env);
    assert!(text.contains("format_version = 1\n"), "{text}");
    assert!(text.contains("\nsecret_key = \""), "{text}");
    // A version-1 file needs no passphrase, and a passphrase option given anyway is unused.
    assert_ok(&env.run(["seal", "col", "--key", "k"]));
    env.write("pw.txt", "whatever");
    assert_ok_with_warnings(&env.run([
        "seal",
        "col",
        "--key",
        "k",
        "--force",
        "--passphrase-file",
        "pw.txt",
    ]));
    assert_ok(&env.run(["verify", MANIFEST]));
    // `--unencrypted` with a passphrase option is a contradiction.
    let out = env.run([
        "keygen",
        "--name",
        "j",
        "--unencrypted",
        "--passphrase-file",
        "pw.txt",
    ]);
    assert_fails(&out, 2, "cannot be used with");
}

#[test]
fn a_version_1_key_file_written_before_encryption_existed_still_signs() {
    // The exact text docseal 0.1 wrote (the RFC 8032 §7.1 TEST 1 seed).
    let env = TestEnv::new();
    env.standard_collection();
    let id_line = "key_id = \"21fe31dfa154a261\"";
    env.write(
        "old.key",
        format!(
            "# docseal secret key \"old\". Keep it private: never commit, copy or share this file.\n\
             type = \"docseal-secret-key\"\nformat_version = 1\nname = \"old\"\n{id_line}\n\
             algorithm = \"ed25519\"\n\
             secret_key = \"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\"\n"
        ),
    );
    chmod(&env.join("old.key"), 0o600);
    assert_ok(&env.run(["seal", "col", "--key", "old.key"]));
    assert!(env.read(MANIFEST).contains("key_id = \"21fe31dfa154a261\""));
}

#[test]
fn a_key_from_an_environment_variable_signs_encrypted_or_not() {
    let env = encrypted();
    let text = secret(&env);
    std::fs::remove_file(env.default_secret("k")).unwrap();
    let mut cmd = env.command(["seal", "col", "--key", "env:DOCSEAL_KEY"]);
    cmd.args(["--passphrase", "env:DOCSEAL_PW"])
        .env("DOCSEAL_KEY", &text)
        .env("DOCSEAL_PW", PASSPHRASE);
    assert_ok(&run_command(cmd));
    assert_ok(&env.run(["verify", MANIFEST]));
    // Unencrypted, and a wrong passphrase for the encrypted one.
    let plain = TestEnv::new();
    plain.keygen("u");
    let unencrypted = std::fs::read_to_string(plain.default_secret("u")).unwrap();
    let mut cmd = env.command(["seal", "col", "--key", "env:PLAIN", "--force"]);
    cmd.env("PLAIN", &unencrypted);
    assert_ok_with_warnings(&run_command(cmd));
    let mut cmd = env.command(["seal", "col", "--key", "env:DOCSEAL_KEY", "--force"]);
    cmd.args(["--passphrase", "env:DOCSEAL_PW"])
        .env("DOCSEAL_KEY", &text)
        .env("DOCSEAL_PW", "wrong");
    assert_bad_input(
        &run_command(cmd),
        "env:DOCSEAL_KEY: wrong passphrase",
        "\"k\"",
    );
    let out = env.run(["seal", "col", "--key", "env:UNSET", "--force"]);
    assert_fails(
        &out,
        2,
        "environment variable UNSET is not set (--key env:UNSET)",
    );
}

#[test]
fn passwd_changes_and_removes_the_passphrase_atomically_keeping_mode_0600() {
    let env = encrypted();
    let before = secret(&env);
    env.write("new.txt", "a new passphrase\n");
    let out = env.run([
        "passwd",
        "k",
        "--passphrase-file",
        "pw.txt",
        "--new-passphrase-file",
        "new.txt",
    ]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("passphrase changed (mode 0600)"),
        "{}",
        stdout(&out)
    );
    let after = secret(&env);
    assert_ne!(before, after);
    assert_eq!(key_id_in(&before), key_id_in(&after));
    assert_eq!(mode_of(&env.default_secret("k")), 0o600);
    assert!(env.stray_temp_files().is_empty());
    // The old passphrase no longer opens it; the new one does.
    let out = env.run(["seal", "col", "--key", "k", "--passphrase-file", "pw.txt"]);
    assert_fails(&out, 2, "wrong passphrase");
    assert_ok(&env.run(["seal", "col", "--key", "k", "--passphrase-file", "new.txt"]));
    // A wrong old passphrase changes nothing.
    let out = env.run([
        "passwd",
        "k",
        "--passphrase-file",
        "pw.txt",
        "--unencrypted",
    ]);
    assert_fails(&out, 2, "wrong passphrase");
    assert_eq!(secret(&env), after);
    // Removed: a version-1 file, still 0600, that needs no passphrase.
    let out = env.run([
        "passwd",
        "k",
        "--passphrase-file",
        "new.txt",
        "--unencrypted",
    ]);
    assert_ok(&out);
    assert!(secret(&env).contains("format_version = 1\n"));
    assert_eq!(mode_of(&env.default_secret("k")), 0o600);
    assert_ok_with_warnings(&env.run(["seal", "col", "--key", "k", "--force"]));
    // And added again, from a variable.
    let mut cmd = env.command(["passwd", "k", "--new-passphrase", "env:NEW"]);
    cmd.env("NEW", "third");
    let out = run_command(cmd);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("now encrypted with a passphrase"),
        "{}",
        stdout(&out)
    );
    assert!(secret(&env).contains("format_version = 2\n"));
    assert_ok(&env.run(["verify", MANIFEST]));
    // Without a terminal, a new passphrase must be given.
    let mut cmd = env.command(["passwd", "k", "--passphrase", "env:NEW"]);
    cmd.env("NEW", "third");
    let out = run_command(cmd);
    assert_fails(&out, 2, "standard input is not a terminal");
    assert!(secret(&env).contains("format_version = 2\n"));
}

#[test]
fn revoke_opens_an_encrypted_key_with_its_passphrase_like_seal() {
    let env = encrypted();
    env.write("bad.txt", "not it\n");
    let out = env.run(["revoke", "k", "--passphrase-file", "bad.txt"]);
    assert_fails(&out, 2, "wrong passphrase for secret key \"k\"");
    assert!(!env.exists("keys/k.revoked"));
    let out = env.run(["revoke", "k"]);
    assert_fails(&out, 2, "standard input is not a terminal");
    assert_ok(&env.run(["revoke", "k", "--passphrase-file", "pw.txt"]));
    assert!(env.exists("keys/k.revoked"));
}
