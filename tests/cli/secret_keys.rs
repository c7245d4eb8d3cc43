/*!
What `seal --key` reads: one open of the file, checked on that descriptor — a regular file, a key
file's size, and, for a real secret key only, private to its owner. Anything else given as the
key (a folder, a device, a FIFO, a link, a manifest, a sources list) is named for what it is, and
never told to `chmod 600`.
*/

use std::process::Command;

use crate::util::*;

/// An environment with key "k" and the standard collection, not yet sealed.
fn unsealed() -> TestEnv {
    let env = TestEnv::new();
    env.keygen("k");
    env.standard_collection();
    env
}

const WHERE: &str = "pass the secret key file made by `docseal keygen` (by default ~/.config/docseal/keys/NAME.key)";

/// Seals `col` with `--key KEY`, expects exactly `message`, and that nothing was written.
fn assert_key_refused(env: &TestEnv, key: &str, message: &str) {
    let out = env.run(["seal", "col", "--key", key]);
    assert_error_is(&out, message);
    assert!(!stderr(&out).contains("chmod"), "{}", stderr(&out));
    env.assert_nothing_written(MANIFEST);
}

#[test]
fn a_folder_given_as_the_key_is_named_a_folder() {
    let env = unsealed();
    assert_key_refused(
        &env,
        "col",
        &format!("col: is a folder, not a secret key file; {WHERE}"),
    );
}

#[test]
fn dev_null_given_as_the_key_is_named_a_device_and_never_told_to_chmod() {
    let env = unsealed();
    assert_key_refused(
        &env,
        "/dev/null",
        &format!("/dev/null: is a device, not a secret key file; {WHERE}"),
    );
}

#[test]
fn a_fifo_given_as_the_key_is_refused_without_waiting_for_a_writer() {
    let env = unsealed();
    let status = Command::new("mkfifo")
        .arg(env.join("pipe"))
        .status()
        .unwrap();
    assert!(status.success());
    assert_key_refused(
        &env,
        "pipe",
        &format!("pipe: is a named pipe, not a secret key file; {WHERE}"),
    );
}

#[test]
fn a_manifest_given_as_the_key_is_named_a_manifest() {
    let env = TestEnv::sealed();
    let out = env.run(["seal", "col", "--key", MANIFEST, "-o", "m2.toml"]);
    assert_error_is(
        &out,
        &format!("{MANIFEST}: this is a docseal manifest, not a secret key; {WHERE}"),
    );
    env.assert_nothing_written("m2.toml");
    // And as a trusted key.
    let out = env.run(["verify", MANIFEST, "--trust", MANIFEST]);
    assert_error_is(
        &out,
        &format!(
            "{MANIFEST}: this is a docseal manifest, not a public key; trust a KEY.pub file or a folder of .pub files"
        ),
    );
}

#[test]
fn a_sources_list_given_as_the_key_is_named_a_sources_list() {
    let env = unsealed();
    env.write("sources.toml", SOURCES);
    assert_key_refused(
        &env,
        "sources.toml",
        &format!(
            "sources.toml: this is a sources list (for `seal --sources`), not a secret key; {WHERE}"
        ),
    );
}

#[test]
fn a_symbolic_link_to_the_secret_key_is_not_followed() {
    let env = unsealed();
    std::os::unix::fs::symlink(env.default_secret("k"), env.join("link.key")).unwrap();
    assert_key_refused(
        &env,
        "link.key",
        "link.key: is a symbolic link; docseal reads a secret key only from the file itself: pass the path of the file it points to",
    );
}

#[test]
fn a_key_file_larger_than_64_kib_is_refused_before_it_is_read() {
    let env = unsealed();
    let file = std::fs::File::create(env.join("huge.key")).unwrap();
    file.set_len(1 << 30).unwrap();
    chmod(&env.join("huge.key"), 0o600);
    assert_key_refused(
        &env,
        "huge.key",
        &format!(
            "huge.key: is 1073741824 bytes, too large for a docseal key file (a few hundred bytes); {WHERE}"
        ),
    );
}

#[test]
fn a_malformed_secret_key_readable_by_other_users_gets_the_permission_advice_first() {
    let env = unsealed();
    let secret = env.default_secret("k");
    let text = std::fs::read_to_string(&secret).unwrap();
    std::fs::write(&secret, text.replace("algorithm = ", "algorithm = = ")).unwrap();
    chmod(&secret, 0o640);
    let out = env.run(["seal", "col", "--key", "k"]);
    assert_error_is(
        &out,
        &format!(
            "{path}: secret key is readable by other users (mode 0640); run `chmod 600 {path}` and check who has seen it",
            path = secret.display()
        ),
    );
}

#[test]
fn a_secret_key_owned_by_another_user_is_refused() {
    let env = unsealed();
    let secret = env.default_secret("k");
    // keygen made the file, so it is ours; give it to someone else. Only a privileged user can
    // give a file away; elsewhere there is nothing to test.
    let mine = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&secret).unwrap());
    let other = if mine == 65534 { 65533 } else { 65534 };
    let given = Command::new("chown")
        .arg(other.to_string())
        .arg(&secret)
        .output()
        .unwrap();
    if !given.status.success() {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("note: cannot chown (not root?); skipping the foreign-owner assertion");
        }
        return;
    }
    let out = env.run(["seal", "col", "--key", "k"]);
    assert_bad_input(
        &out,
        &format!(
            "{}: secret key belongs to another user (uid {other}, and you are uid {mine})",
            secret.display()
        ),
        "sign with a key of your own (`docseal keygen`), or have its owner sign",
    );
    env.assert_nothing_written(MANIFEST);
}

/// Regression: the permission check and the read were two opens of the path, so a key swapped
/// in between was used although it was readable by everyone (121 of 1,821 seals).
#[test]
fn a_secret_key_swapped_while_sealing_never_signs_with_the_readable_one() {
    let env = unsealed();
    env.keygen("open");
    let private = env.default_secret("k");
    let open = env.default_secret("open");
    chmod(&open, 0o644);
    let open_id = key_id_in(&env.read("keys/open.pub"));
    let target = env.join("swapped.key");
    let tmp = env.join("swapped.tmp");
    std::fs::hard_link(&private, &target).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (stop, target, tmp) = (stop.clone(), target.clone(), tmp.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for source in [&private, &open] {
                    let _ = std::fs::remove_file(&tmp);
                    std::fs::hard_link(source, &tmp).unwrap();
                    std::fs::rename(&tmp, &target).unwrap();
                }
            }
        })
    };
    let (mut signed, mut refused) = (0, 0);
    std::fs::create_dir_all(env.join("m")).unwrap();
    for i in 0..150 {
        let manifest = format!("m/{i}.toml");
        let out = env.run(["seal", "col", "--key", "swapped.key", "-o", &manifest]);
        match out.status.code() {
            Some(0) => {
                signed += 1;
                let text = env.read(&manifest);
                assert!(
                    !text.contains(&open_id),
                    "seal {i} was signed with the key that everyone can read"
                );
            }
            _ => {
                refused += 1;
                assert!(
                    stderr(&out).contains("secret key is readable by other users (mode 0644)"),
                    "{}",
                    stderr(&out)
                );
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    swapper.join().unwrap();
    #[allow(clippy::print_stderr)]
    {
        eprintln!("swapped key: {signed} signed with the private key, {refused} refused");
    }
}

/// How often `needle` occurs in the writable memory of process `pid` (heap, stacks, anonymous
/// mappings), read through `/proc/PID/mem`.
fn occurrences_in_memory(pid: u32, needle: &[u8]) -> Vec<String> {
    use std::io::{Read, Seek, SeekFrom};
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let mut mem = std::fs::File::open(format!("/proc/{pid}/mem")).unwrap();
    let mut found = Vec::new();
    for line in maps.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if !fields[1].starts_with("rw") {
            continue;
        }
        let (start, end) = fields[0].split_once('-').unwrap();
        let start = u64::from_str_radix(start, 16).unwrap();
        let end = u64::from_str_radix(end, 16).unwrap();
        let mut data = vec![0u8; (end - start) as usize];
        if mem.seek(SeekFrom::Start(start)).is_err() || mem.read_exact(&mut data).is_err() {
            continue; // a guard page, or a mapping that went away
        }
        let name = fields.get(5).copied().unwrap_or("anonymous");
        found.extend(
            data.windows(needle.len())
                .enumerate()
                .filter(|(_, w)| *w == needle)
                .map(|(i, _)| format!("{name} at {:#x}", start + i as u64)),
        );
    }
    found
}

/// The seed of key "k", from its unencrypted key file.
fn seed_of(env: &TestEnv) -> (String, Vec<u8>) {
    let text = std::fs::read_to_string(env.default_secret("k")).unwrap();
    let hex = text
        .lines()
        .find_map(|l| l.strip_prefix("secret_key = \""))
        .unwrap()
        .trim_end_matches('"')
        .to_string();
    let seed: Vec<u8> = (0..64)
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    (hex, seed)
}

/// Runs `seal col --key k ARGS` and, once it has loaded the key, finds every one of `needles` in
/// its memory (how often, and where).
fn memory_of_a_sealing_process(
    env: &TestEnv,
    args: &[&str],
    needles: &[&[u8]],
) -> Vec<Vec<String>> {
    use std::io::Write;
    // The sources list is a FIFO that this test holds open: seal loads the key, then waits for
    // the list, and is looked at while it waits.
    let status = Command::new("mkfifo")
        .arg(env.join("sources.fifo"))
        .status()
        .unwrap();
    assert!(status.success());
    let mut fifo = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(env.join("sources.fifo"))
        .unwrap();
    let mut child = env
        .command(["seal", "col", "--key", "k", "--sources", "sources.fifo"])
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let waiting = loop {
        let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .into_iter()
            .flatten();
        if fds
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|t| t.ends_with("sources.fifo")))
        {
            break true;
        }
        if child.try_wait().unwrap().is_some() || std::time::Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let found = match waiting {
        true => needles
            .iter()
            .map(|n| occurrences_in_memory(pid, n))
            .collect(),
        false => Vec::new(),
    };
    fifo.write_all(SOURCES.as_bytes()).unwrap();
    drop(fifo);
    let status = child.wait().unwrap();
    assert!(waiting, "seal never opened the sources list");
    assert!(status.success());
    found
}

/// Regression: stopped after the key was loaded, a sealing process still held the key file's
/// hex text on its heap and copies of the raw seed on its stack.
#[test]
fn a_sealing_process_holds_no_copy_of_the_key_text_and_only_its_live_key() {
    let env = unsealed();
    let (hex, seed) = seed_of(&env);
    let found = memory_of_a_sealing_process(&env, &[], &[hex.as_bytes(), &seed]);
    assert!(
        found[0].is_empty(),
        "the key file's hex text is still in memory: {:?}",
        found[0]
    );
    // The signing key itself (on the heap, wiped when dropped) is the one copy.
    assert_eq!(found[1].len(), 1, "copies of the seed: {:?}", found[1]);
}

/// The same for a key encrypted with a passphrase: neither the passphrase nor a copy of the
/// decrypted seed is left once the key is loaded.
#[test]
fn a_sealing_process_holds_no_copy_of_the_passphrase_and_only_its_live_key() {
    let env = unsealed();
    let (_, seed) = seed_of(&env);
    let passphrase = "a passphrase that must not linger 7f3a";
    env.write("pw.txt", format!("{passphrase}\n"));
    let out = env.run(["passwd", "k", "--new-passphrase-file", "pw.txt"]);
    assert_ok(&out);
    let found = memory_of_a_sealing_process(
        &env,
        &["--passphrase-file", "pw.txt"],
        &[passphrase.as_bytes(), &seed],
    );
    assert!(
        found[0].is_empty(),
        "the passphrase is still in memory: {:?}",
        found[0]
    );
    assert_eq!(found[1].len(), 1, "copies of the seed: {:?}", found[1]);
}
