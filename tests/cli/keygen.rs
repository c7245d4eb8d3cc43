/*!
`docseal keygen`: where the two key files go, their modes, what is printed, and that an existing
key is never replaced unless `--force` is given.
*/

use crate::util::*;

#[test]
fn keygen_writes_public_key_to_keys_dir_and_secret_key_0600_to_config_folder() {
    let env = TestEnv::new();
    let out = env.run(["keygen", "--name", "archive", "--unencrypted"]);
    assert_ok(&out);
    let public = env.read("keys/archive.pub");
    let secret_path = env.default_secret("archive");
    let secret = std::fs::read_to_string(&secret_path).unwrap();
    assert!(
        public.contains("type = \"docseal-public-key\"\n"),
        "{public}"
    );
    assert!(public.contains("name = \"archive\"\n"), "{public}");
    assert!(!public.contains("secret_key"), "{public}");
    assert!(
        secret.contains("type = \"docseal-secret-key\"\n"),
        "{secret}"
    );
    assert_eq!(mode_of(&secret_path), 0o600);
    assert_eq!(mode_of(&env.join("keys/archive.pub")), 0o644);
    assert!(
        !env.exists("keys/archive.key"),
        "the secret key must not land next to the public key"
    );
}

#[test]
fn keygen_prints_the_key_id_recorded_in_both_key_files() {
    let env = TestEnv::new();
    let out = env.run(["keygen", "--name", "archive", "--unencrypted"]);
    assert_ok(&out);
    let id = key_id_in(&env.read("keys/archive.pub"));
    assert_eq!(id.len(), 16);
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    let secret_path = env.default_secret("archive");
    assert_eq!(
        key_id_in(&std::fs::read_to_string(&secret_path).unwrap()),
        id
    );
    assert_eq!(
        stdout(&out),
        format!(
            "key ID      {id}\n\
             public key  keys/archive.pub  (commit this file)\n\
             secret key  {}  (unencrypted, mode 0600; keep it private)\n",
            secret_path.display()
        )
    );
}

#[test]
fn keygen_secret_option_writes_the_secret_key_there_with_mode_0600() {
    let env = TestEnv::new();
    let out = env.run([
        "keygen",
        "--name",
        "k",
        "--secret",
        "private/k.key",
        "--unencrypted",
    ]);
    assert_ok(&out);
    assert_eq!(mode_of(&env.join("private/k.key")), 0o600);
    assert!(env.exists("keys/k.pub"));
    assert!(
        !env.exists("config"),
        "nothing may be written to the config folder when --secret is given"
    );
    // The key works: seal with it by path.
    env.collection("col").file("a.txt", "a");
    assert_ok(&env.run(["seal", "col", "--key", "private/k.key"]));
    assert_ok(&env.run(["verify", MANIFEST]));
}

#[test]
fn keygen_without_xdg_config_home_puts_the_secret_key_under_home_dot_config() {
    let env = TestEnv::new();
    let mut cmd = env.command(["keygen", "--name", "k", "--unencrypted"]);
    cmd.env_remove("XDG_CONFIG_HOME");
    assert_ok(&run_command(cmd));
    let secret = env.join("home/.config/docseal/keys/k.key");
    assert_eq!(mode_of(&secret), 0o600);
}

#[test]
fn keygen_refuses_to_overwrite_an_existing_key_and_leaves_it_intact() {
    let env = TestEnv::new();
    env.keygen("k");
    let secret_path = env.default_secret("k");
    let public_before = env.read_bytes("keys/k.pub");
    let secret_before = std::fs::read(&secret_path).unwrap();

    let out = env.run(["keygen", "--name", "k", "--unencrypted"]);
    assert_error_is(
        &out,
        &format!(
            "{}: secret key already exists; pass --force to overwrite it",
            secret_path.display()
        ),
    );
    assert_eq!(env.read_bytes("keys/k.pub"), public_before);
    assert_eq!(std::fs::read(&secret_path).unwrap(), secret_before);
    assert!(env.stray_temp_files().is_empty());
}

#[test]
fn keygen_refuses_when_only_the_public_key_exists_and_writes_no_secret_key() {
    let env = TestEnv::new();
    env.keygen("k");
    let secret_path = env.default_secret("k");
    std::fs::remove_file(&secret_path).unwrap();
    let public_before = env.read_bytes("keys/k.pub");

    let out = env.run(["keygen", "--name", "k", "--unencrypted"]);
    assert_error_is(
        &out,
        "keys/k.pub: public key already exists; pass --force to overwrite it",
    );
    assert!(
        !secret_path.exists(),
        "a secret key without a matching public key was written"
    );
    assert_eq!(env.read_bytes("keys/k.pub"), public_before);
}

#[test]
fn keygen_force_replaces_both_key_files_with_a_new_key() {
    let env = TestEnv::new();
    env.keygen("k");
    let old_id = key_id_in(&env.read("keys/k.pub"));
    let out = env.run(["keygen", "--name", "k", "--force", "--unencrypted"]);
    assert_ok(&out);
    let new_id = key_id_in(&env.read("keys/k.pub"));
    assert_ne!(new_id, old_id);
    let secret_path = env.default_secret("k");
    assert_eq!(
        key_id_in(&std::fs::read_to_string(&secret_path).unwrap()),
        new_id
    );
    assert_eq!(mode_of(&secret_path), 0o600);
    assert_stdout_line_starts(&out, &format!("key ID      {new_id}"));
}

#[test]
fn keygen_refuses_a_key_name_that_is_not_a_plain_file_name() {
    let env = TestEnv::new();
    let out = env.run(["keygen", "--name", "../evil"]);
    assert_error_is(
        &out,
        "invalid key name \"../evil\"; use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.' or '-'",
    );
    assert!(!env.exists("keys"));
    assert!(!env.exists("config"));
    assert!(!env.exists("evil.pub"));
}
