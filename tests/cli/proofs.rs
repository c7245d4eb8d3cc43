//! Checkpoints and inclusion proofs through the real binary: `seal` writes the checkpoint
//! signature, `verify` checks it (and still verifies a version 1 manifest), `prove` writes
//! c2sp.org/tlog-proof files for the first, a middle and the last entry of collections of many
//! sizes, `verify-proof` accepts them and refuses every alteration, and the checkpoint verifies
//! with an independent C2SP implementation (the `signed_note` crate).

use base64ct::{Base64, Encoding as _};

use crate::policy::id_of;
use crate::util::*;

/// Seals a collection of `n` files as `cN.toml` (key "k" must exist) and returns the
/// manifest's path and the sealed paths, in manifest order.
fn sealed_of(env: &TestEnv, n: usize) -> (String, Vec<String>) {
    let dir = format!("c{n}");
    let mut c = env.collection(&dir);
    let mut paths = Vec::with_capacity(n);
    for i in 0..n {
        let path = if i % 5 == 4 {
            format!("sub/f{i:04}.txt")
        } else {
            format!("f{i:04}.txt")
        };
        c = c.file(&path, format!("file {i}\n"));
        paths.push(path);
    }
    paths.sort();
    let manifest = format!("c{n}.toml");
    assert_ok(&env.run(["seal", &dir, "--key", "k", "-o", &manifest]));
    (manifest, paths)
}

/// The proof file `prove --into proofs/cN` writes for `path`.
fn proof_file(n: usize, path: &str) -> String {
    format!("proofs/c{n}/{path}.tlog-proof")
}

#[test]
fn proofs_of_the_first_a_middle_and_the_last_entry_verify_for_every_size() {
    let env = TestEnv::new();
    env.keygen("k");
    for n in [1, 2, 3, 7, 8, 9, 1000] {
        let (manifest, paths) = sealed_of(&env, n);
        let mut chosen = vec![paths[0].clone(), paths[n / 2].clone(), paths[n - 1].clone()];
        chosen.dedup();
        let into = format!("proofs/c{n}");
        let mut args = vec!["prove", manifest.as_str()];
        args.extend(chosen.iter().map(String::as_str));
        args.extend(["--into", into.as_str()]);
        let out = env.run(&args);
        assert_ok(&out);
        for path in &chosen {
            let proof = proof_file(n, path);
            let text = env.read(&proof);
            assert!(
                text.len() < 4096,
                "a proof of {n} entries is {} bytes",
                text.len()
            );
            let out = env.run(["verify-proof", &proof]);
            assert_ok(&out);
            let index = paths.iter().position(|p| p == path).unwrap();
            let stdout = stdout(&out);
            assert!(
                stdout.contains(&format!(
                    "verified   entry {} of {n} of collection \"c{n}\", sequence 1\n",
                    index + 1
                )),
                "{stdout}"
            );
            assert!(stdout.contains(&format!("path       {path}\n")), "{stdout}");
            assert!(stdout.contains("signer     \"k\""), "{stdout}");
            let file = format!("c{n}/{path}");
            assert_ok(&env.run(["verify-proof", &proof, "--file", &file]));
        }
    }
}

/// The standard fixture proven: `sub/c.txt`, the last of three entries, to `c.tlog-proof`.
fn proven() -> TestEnv {
    let env = TestEnv::sealed();
    assert_ok(&env.run(["prove", MANIFEST, "sub/c.txt", "-o", "c.tlog-proof"]));
    env
}

/// The proof's text with line `n` (0-based) replaced by what `change` makes of it.
fn with_line(text: &str, n: usize, change: impl Fn(&str) -> String) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    lines[n] = change(&lines[n]);
    lines.join("\n")
}

/// The base64 `b64` decoded, changed by `change`, encoded again.
fn rebase64(b64: &str, change: impl Fn(&mut Vec<u8>)) -> String {
    let mut bytes = Base64::decode_vec(b64).unwrap();
    change(&mut bytes);
    Base64::encode_string(&bytes)
}

#[test]
fn a_proof_says_what_was_sealed_and_the_file_is_checked_against_it() {
    let env = proven();
    let out = env.run(["verify-proof", "c.tlog-proof", "--file", "col/sub/c.txt"]);
    assert_ok(&out);
    let shown = stdout(&out);
    for line in [
        "proof      c.tlog-proof\n",
        "verified   entry 3 of 3 of collection \"col\", sequence 1\n",
        "path       sub/c.txt\n",
        "origin     https://example.org/c\n",
        "retrieved  unknown\n",
        "file       col/sub/c.txt: its size and SHA-256 are the sealed ones\n",
    ] {
        assert!(shown.contains(line), "{line:?} in\n{shown}");
    }
    env.write("other.txt", env.read("col/sub/c.txt").replace('c', "C"));
    let out = env.run(["verify-proof", "c.tlog-proof", "--file", "other.txt"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("file       MODIFIED: other.txt is not the sealed file"));
    assert!(
        !stdout(&out).contains("origin "),
        "provenance printed as fact"
    );
    env.write("longer.txt", format!("{}x", env.read("col/sub/c.txt")));
    assert_fails(
        &env.run(["verify-proof", "c.tlog-proof", "--file", "longer.txt"]),
        1,
        "",
    );
}

#[test]
fn a_proof_whose_path_leaf_data_root_count_index_or_signature_changed_fails() {
    let env = proven();
    let text = env.read("c.tlog-proof");
    let lines: Vec<&str> = text.split('\n').collect();
    let checkpoint_at = lines.iter().position(|l| l.is_empty()).unwrap() + 1;
    let signature_at = checkpoint_at + 4;
    let extra = |change: fn(&mut Vec<u8>)| {
        with_line(&text, 1, |l| {
            format!(
                "extra {}",
                rebase64(l.strip_prefix("extra ").unwrap(), change)
            )
        })
    };
    let altered = [
        // sub/c.txt -> sub/d.txt: a valid path, another leaf.
        ("path", extra(|b| b[4 + 4] = b'd')),
        // The size's last byte.
        ("leaf data", extra(|b| b[4 + 9 + 7] ^= 1)),
        (
            "root",
            with_line(&text, checkpoint_at + 2, |l| rebase64(l, |b| b[0] ^= 1)),
        ),
        (
            "entry count",
            with_line(&text, checkpoint_at + 1, |_| "4".into()),
        ),
        ("index", with_line(&text, 2, |_| "index 1".into())),
        (
            "signature",
            with_line(&text, signature_at, |l| {
                let (head, b64) = l.rsplit_once(' ').unwrap();
                format!("{head} {}", rebase64(b64, |b| b[40] ^= 1))
            }),
        ),
    ];
    for (what, proof) in altered {
        assert_ne!(proof, text);
        env.write("altered.tlog-proof", &proof);
        let out = env.run(["verify-proof", "altered.tlog-proof"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "altered {what}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(stdout(&out).contains("FAILED"), "altered {what}");
        assert!(!stdout(&out).contains("path       "), "altered {what}");
    }
}

#[test]
fn a_proof_checked_against_a_key_that_is_not_trusted_fails() {
    let env = proven();
    env.keygen("other");
    let out = env.run(["verify-proof", "c.tlog-proof", "--trust", "keys/other.pub"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("signature  UNTRUSTED"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_path_not_in_the_manifest_cannot_be_proven_and_nothing_is_written() {
    let env = TestEnv::sealed();
    // The same path twice is one proof.
    assert_ok(&env.run(["prove", MANIFEST, "a.txt", "a.txt", "--into", "twice"]));
    assert!(env.exists("twice/a.txt.tlog-proof"));
    let out = env.run(["prove", MANIFEST, "a.txt", "nope.txt", "--into", "proofs"]);
    assert_fails(&out, 2, "nope.txt");
    assert!(!env.exists("proofs"));
    assert_fails(
        &env.run(["prove", MANIFEST, "a.txt", "b.txt", "-o", "p"]),
        2,
        "--into",
    );
}

#[test]
fn a_proof_is_not_written_over_a_file_without_force() {
    let env = proven();
    let before = env.read("c.tlog-proof");
    env.write("c.tlog-proof", "mine");
    assert_fails(
        &env.run(["prove", MANIFEST, "sub/c.txt", "-o", "c.tlog-proof"]),
        2,
        "c.tlog-proof",
    );
    assert_eq!(env.read("c.tlog-proof"), "mine");
    assert_ok(&env.run([
        "prove",
        MANIFEST,
        "sub/c.txt",
        "-o",
        "c.tlog-proof",
        "--force",
    ]));
    assert_eq!(env.read("c.tlog-proof"), before);
}

#[test]
fn nothing_is_proven_from_a_manifest_whose_signature_is_not_valid() {
    let env = TestEnv::sealed();
    env.keygen("other");
    let out = env.run([
        "prove",
        MANIFEST,
        "a.txt",
        "-o",
        "a.tlog-proof",
        "--trust",
        "keys/other.pub",
    ]);
    assert_fails(&out, 1, "no proof written: signature UNTRUSTED");
    assert!(!env.exists("a.tlog-proof"));
}

#[test]
fn a_malformed_proof_is_refused_with_its_line() {
    let env = proven();
    let text = env.read("c.tlog-proof");
    for (proof, line, message) in [
        ("hello\n".to_string(), 1, "not an inclusion proof"),
        (
            with_line(&text, 1, |_| "index 2".into()),
            2,
            "no \"extra\" line",
        ),
        (with_line(&text, 2, |_| "index 02".into()), 3, "index N"),
        (text.replace('\n', "\r\n"), 1, "control character"),
        (text.trim_end().to_string(), 0, "ends with a newline"),
    ] {
        env.write("bad.tlog-proof", &proof);
        let out = env.run(["verify-proof", "bad.tlog-proof"]);
        let prefix = match line {
            0 => "bad.tlog-proof:".to_string(),
            n => format!("bad.tlog-proof:{n}:"),
        };
        assert_bad_input(&out, &prefix, message);
    }
}

#[test]
fn verify_proof_json_says_what_was_checked() {
    let env = proven();
    let out = env.run([
        "verify-proof",
        "c.tlog-proof",
        "--json",
        "--file",
        "col/sub/c.txt",
    ]);
    assert_ok(&out);
    let r: crate::schema::ProofReport = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r.success && r.included);
    assert_eq!(r.collection, "col");
    assert_eq!(r.origin, "docseal/col/1");
    assert_eq!((r.index, r.entries), (2, 3));
    assert_eq!(r.entry.unwrap().path, "sub/c.txt");
    assert!(r.file.unwrap().matches);
    assert_eq!(r.signature.signers.len(), 1);
}

/// The hex public key of the key file `keys/NAME.pub`.
fn public_key(env: &TestEnv, name: &str) -> Vec<u8> {
    let text = env.read(format!("keys/{name}.pub"));
    let hex = text
        .lines()
        .find_map(|l| l.strip_prefix("public_key = \""))
        .unwrap()
        .trim_end_matches('"');
    (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

#[test]
fn the_checkpoint_verifies_with_an_independent_c2sp_implementation() {
    use signed_note::{Note, StandardVerifier, VerifierList};
    let env = proven();
    let text = env.read("c.tlog-proof");
    let checkpoint = &text[text.find("\n\n").unwrap() + 2..];
    let origin = checkpoint.lines().next().unwrap();
    let mut typed = vec![0x01];
    typed.extend(public_key(&env, "k"));
    // The vkey built from the key with signed_note's own key ID.
    let vkey = format!(
        "{origin}+{:08x}+{}",
        signed_note::key_id(origin, &typed),
        Base64::encode_string(&typed)
    );
    let verifier = StandardVerifier::new(&vkey).unwrap();
    let note = Note::from_bytes(checkpoint.as_bytes()).unwrap();
    let (verified, unverified) = note
        .verify(&VerifierList::new(vec![Box::new(verifier)]))
        .unwrap();
    assert_eq!((verified.len(), unverified.len()), (1, 0));
    assert_eq!(
        note.text(),
        &checkpoint.as_bytes()[..checkpoint.find("\n\n").unwrap() + 1]
    );
    // A changed count does not verify.
    let changed = checkpoint.replacen("\n3\n", "\n4\n", 1);
    let verifier = StandardVerifier::new(&vkey).unwrap();
    assert!(
        Note::from_bytes(changed.as_bytes())
            .unwrap()
            .verify(&VerifierList::new(vec![Box::new(verifier)]))
            .is_err()
    );
}

#[test]
fn verify_reports_a_checkpoint_signature_that_was_altered_or_removed() {
    let env = TestEnv::sealed();
    let text = env.read(MANIFEST);
    let line = text
        .lines()
        .find(|l| l.starts_with("checkpoint = \""))
        .unwrap()
        .to_string();
    let b64 = line
        .strip_prefix("checkpoint = \"")
        .unwrap()
        .trim_end_matches('"');
    let altered = format!("checkpoint = \"{}\"", rebase64(b64, |b| b[30] ^= 1));
    for (what, replacement, expected) in [
        ("altered", altered.as_str(), "does not verify"),
        ("removed", "", "has no checkpoint signature"),
    ] {
        env.write(
            MANIFEST,
            text.replace(&format!("{line}\n"), &format!("{replacement}\n")),
        );
        let out = env.run(["verify", MANIFEST]);
        assert_eq!(out.status.code(), Some(1), "{what}");
        let stdout = stdout(&out);
        assert!(
            stdout.contains("signature  CHECKPOINT INVALID:") && stdout.contains(expected),
            "{what}: {stdout}"
        );
        let (out, report) = env.verify_json(&[MANIFEST]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            report.signature.status,
            crate::schema::SignatureStatus::CheckpointInvalid
        );
        assert_eq!(
            report.signature.checkpoint.status,
            crate::schema::CheckpointStatus::Failed
        );
        assert_fails(
            &env.run(["prove", MANIFEST, "a.txt", "-o", "a.p"]),
            1,
            "CHECKPOINT INVALID",
        );
    }
}

/// The standard fixture's manifest made a format version 1 one: no checkpoint, signed again.
fn version_1() -> TestEnv {
    let env = TestEnv::sealed();
    env.edit(MANIFEST, "format_version = 3\n", "format_version = 1\n");
    env.resign();
    assert!(!env.read(MANIFEST).contains("checkpoint = "));
    env
}

#[test]
fn a_version_1_manifest_still_verifies_and_says_it_has_no_checkpoint() {
    let env = version_1();
    let out = env.run(["verify", MANIFEST]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("checkpoint none: a format version 1 manifest has no checkpoint")
    );
    let (_, report) = env.verify_json(&[MANIFEST]);
    assert_eq!(
        report.signature.checkpoint.status,
        crate::schema::CheckpointStatus::None
    );
    assert_fails(
        &env.run(["prove", MANIFEST, "a.txt", "-o", "a.p"]),
        2,
        "format version 1 manifest, which has no checkpoint",
    );
    assert!(!env.exists("a.p"));
}

#[test]
fn a_checkpoint_in_a_version_1_manifest_is_an_unknown_field() {
    let env = TestEnv::sealed();
    let line = env
        .read(MANIFEST)
        .lines()
        .find(|l| l.starts_with("checkpoint = "))
        .unwrap()
        .to_string();
    env.edit(MANIFEST, "format_version = 3\n", "format_version = 1\n");
    env.resign();
    let text = env.read(MANIFEST);
    env.write(MANIFEST, format!("{text}{line}\n"));
    assert_bad_input(
        &env.run(["verify", MANIFEST]),
        &format!("{MANIFEST}:"),
        "unknown field \"checkpoint\" in a format_version = 1 manifest",
    );
}

/// The standard fixture co-signed by a second key `k2` (over the body and the checkpoint, as
/// `docseal sign` appends it), with `b.tlog-proof` proving `b.txt`.
fn co_signed() -> TestEnv {
    let env = TestEnv::sealed();
    env.keygen("k2");
    let path = env.join(MANIFEST);
    let manifest = docseal::manifest::Manifest::load(&path).unwrap();
    let key = docseal::trust::SecretKey::load(&env.default_secret("k2")).unwrap();
    let sig = docseal::trust::signature::sign_both(&key, &manifest.signed());
    let block = docseal::manifest::canonical::signature_block(&sig);
    env.write(MANIFEST, format!("{}\n{block}", env.read(MANIFEST)));
    let (out, report) = env.verify_json(&[MANIFEST]);
    assert_ok(&out);
    assert_eq!(report.signature.signers.len(), 2);
    assert_ok(&env.run(["prove", MANIFEST, "b.txt", "-o", "b.tlog-proof"]));
    env
}

#[test]
fn a_proof_of_a_co_signed_manifest_carries_one_signature_line_per_signer() {
    let env = co_signed();
    let text = env.read("b.tlog-proof");
    assert_eq!(
        text.matches("\n\u{2014} docseal/col/1 ").count(),
        2,
        "{text}"
    );
    for trust in ["keys/k.pub", "keys/k2.pub", "keys"] {
        let out = env.run(["verify-proof", "b.tlog-proof", "--trust", trust, "--json"]);
        assert_ok(&out);
        let r: crate::schema::ProofReport = serde_json::from_slice(&out.stdout).unwrap();
        let signers = if trust == "keys" { 2 } else { 1 };
        assert_eq!(r.signature.signers.len(), signers, "{trust}");
        assert_eq!(r.signature.ignored, 2 - signers, "{trust}");
    }
}

#[test]
fn a_proof_from_a_manifest_of_100_000_entries_is_a_few_hundred_bytes_and_verifies() {
    // Written directly (sealing as many files would be slow); prove never reads the collection.
    let env = TestEnv::new();
    env.keygen("k");
    let n = 100_000u64;
    let digest = docseal::digest::Sha256Digest::of(b"x");
    let mut root = docseal::manifest::merkle::RootBuilder::default();
    let mut entries = String::with_capacity(n as usize * 120);
    for i in 0..n {
        let path = format!("f/{i:06}");
        root.push(docseal::manifest::merkle::leaf_hash_of(
            &docseal::manifest::merkle::LeafParts {
                path: &path,
                size: 1,
                digest: digest.as_bytes(),
                origin: None,
                retrieved: None,
                capture: Default::default(),
                warc: None,
            },
        ));
        entries.push_str(&format!(
            "\n[[file]]\npath = \"{path}\"\nsize = 1\ndigest = \"{digest}\"\norigin = \"unknown\"\nretrieved = \"unknown\"\n"
        ));
    }
    let body = format!(
        "format_version = 2\nname = \"big\"\ndigest_algorithm = \"sha256\"\n\
         created = \"2026-12-01T00:00:00Z\"\ntool = \"test\"\ncollection = \"../col\"\n\
         root = \"{}\"\nsequence = 4\n{entries}\n",
        root.finish()
    );
    env.sign_and_write(&body);
    let out = env.run([
        "prove", MANIFEST, "f/000000", "f/077777", "f/099999", "--into", "p",
    ]);
    assert_ok(&out);
    for (path, index) in [("f/000000", 0), ("f/077777", 77_777), ("f/099999", 99_999)] {
        let proof = format!("p/{path}.tlog-proof");
        let text = env.read(&proof);
        // 17 levels for 10⁵ leaves, at most: a hash line each.
        assert!(text.len() < 1200, "{} bytes", text.len());
        let out = env.run(["verify-proof", &proof]);
        assert_ok(&out);
        assert!(stdout(&out).contains(&format!(
            "verified   entry {} of 100000 of collection \"big\", sequence 4\n",
            index + 1
        )));
    }
}

/// `verify-proof` with `args` after the proof: its exit status, and the report's signature.
fn proof_check(env: &TestEnv, proof: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["verify-proof", proof];
    all.extend_from_slice(args);
    let text = env.run(all.iter().copied());
    all.push("--json");
    let json = env.run(all.iter().copied());
    assert_eq!(text.status.code(), json.status.code(), "{}", stderr(&text));
    let status = match json.status.code() {
        Some(2) => String::new(),
        _ => {
            let r: crate::schema::ProofReport = serde_json::from_slice(&json.stdout).unwrap();
            format!("{:?}", r.signature.status)
        }
    };
    let said = format!("{}{}", stdout(&text), stderr(&text));
    (text.status.code(), status, said)
}

#[test]
fn verify_proof_requires_a_threshold_of_distinct_keys_pinned_signers_and_the_collection() {
    let env = co_signed();
    let k2 = id_of(&env, "keys/k2.pub");
    for ok in [
        &["--trust", "keys", "--threshold", "2"][..],
        &["--trust", "keys", "--signer", "k", "--signer", &k2],
        &["--trust", "keys", "--expect-name", "col"],
    ] {
        let (code, status, said) = proof_check(&env, "b.tlog-proof", ok);
        assert_eq!(
            (code, status.as_str()),
            (Some(0), "Valid"),
            "{ok:?}: {said}"
        );
    }
    // Impossible requirements are refused before the proof is read.
    for (bad, message) in [
        (
            &["--trust", "keys/k.pub", "--threshold", "2"][..],
            "--threshold 2 can never be met: only 1 key is trusted",
        ),
        (
            &["--trust", "keys", "--signer", "nobody"],
            "--signer nobody: not among the trusted keys",
        ),
        (&["--trust", "keys", "--threshold", "0"], "--threshold"),
    ] {
        let (code, _, said) = proof_check(&env, "b.tlog-proof", bad);
        assert_eq!(code, Some(2), "{bad:?}: {said}");
        assert!(said.contains(message), "{bad:?}: {said}");
    }

    // Revoked: k2's valid signature no longer counts, and a pinned k2 says why.
    assert_ok(&env.run(["revoke", "k2"]));
    let (code, status, said) =
        proof_check(&env, "b.tlog-proof", &["--trust", "keys", "--signer", "k2"]);
    assert_eq!((code, status.as_str()), (Some(1), "Unmet"), "{said}");
    assert!(
        said.contains(&format!(
            "signature  NOT ACCEPTED: the required signer \"k2\" (key {k2}, --signer) signed, but its key is revoked"
        )),
        "{said}"
    );
}

#[test]
fn verify_proof_counts_each_key_once_and_says_which_requirement_is_unmet() {
    // Signed by k alone; k and k2 trusted.
    let env = proven();
    env.keygen("k2");
    let k2 = id_of(&env, "keys/k2.pub");
    let (code, status, said) = proof_check(&env, "c.tlog-proof", &["--trust", "keys"]);
    assert_eq!((code, status.as_str()), (Some(0), "Valid"), "{said}");
    for (args, unmet) in [
        (
            &["--threshold", "2"][..],
            "1 distinct trusted key signed validly, and --threshold requires 2".to_string(),
        ),
        (
            &["--signer", "k2"],
            format!("the required signer \"k2\" (key {k2}, --signer) did not sign"),
        ),
        (
            &["--expect-name", "other"],
            "the manifest is for the collection \"col\", not \"other\" (--expect-name)".to_string(),
        ),
    ] {
        let mut all = vec!["--trust", "keys"];
        all.extend_from_slice(args);
        let (code, status, said) = proof_check(&env, "c.tlog-proof", &all);
        assert_eq!(
            (code, status.as_str()),
            (Some(1), "Unmet"),
            "{args:?}: {said}"
        );
        assert!(
            said.contains(&format!("signature  NOT ACCEPTED: {unmet}")),
            "{args:?}: {said}"
        );
        assert!(
            said.contains("FAILED     the proof does not verify"),
            "{said}"
        );
        assert!(
            !said.contains("sealed"),
            "nothing vouched for is printed: {said}"
        );
    }
    // The same signature line twice is still one key.
    let text = env.read("c.tlog-proof");
    let line = text
        .lines()
        .find(|l| l.starts_with("\u{2014} docseal/col/1 "))
        .unwrap()
        .to_string();
    env.write(
        "twice.tlog-proof",
        text.replace(&format!("{line}\n"), &format!("{line}\n{line}\n")),
    );
    let (code, status, said) = proof_check(
        &env,
        "twice.tlog-proof",
        &["--trust", "keys", "--threshold", "2"],
    );
    assert_eq!((code, status.as_str()), (Some(1), "Unmet"), "{said}");
    assert!(
        said.contains("1 distinct trusted key signed validly"),
        "{said}"
    );
}
