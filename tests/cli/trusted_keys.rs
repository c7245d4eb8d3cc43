/*!
The trust store of `verify` (and `show`): one file per trusted key, public keys only in their
canonical encoding, and a missing `./keys` answered with what to pass. Each refusal is exit 2 with
one line naming the file.
*/

use sha2::{Digest, Sha256};

use crate::util::*;

/// A public key file holding `bytes` under `name`, with the key ID those bytes give (so that only
/// the encoding can be what is refused).
fn public_key_file(name: &str, bytes: &[u8; 32]) -> String {
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let id = hex(&Sha256::digest(bytes)[..8]);
    format!(
        "type = \"docseal-public-key\"\nformat_version = 1\nname = \"{name}\"\nkey_id = \"{id}\"\n\
         algorithm = \"ed25519\"\npublic_key = \"{}\"\n",
        hex(bytes)
    )
}

#[test]
fn a_trusted_public_key_with_a_non_canonical_encoding_is_refused() {
    let env = TestEnv::sealed();
    // y = 3 written as y + p: 0xf0, thirty 0xff, 0x7f. Its canonical encoding is 03 00 … 00.
    let mut bytes = [0xff; 32];
    bytes[0] = 0xf0;
    bytes[31] = 0x7f;
    env.write("keys/twin.pub", public_key_file("twin", &bytes));
    let out = env.run(["verify", MANIFEST]);
    assert_error_is(
        &out,
        "keys/twin.pub: corrupt key file: public_key is not the canonical encoding of its Ed25519 point (RFC 8032 section 5.1.3); restore it from a copy or generate a new key",
    );
    // The canonical encoding of the same point is a key like any other.
    let mut canonical = [0; 32];
    canonical[0] = 3;
    env.write("keys/twin.pub", public_key_file("twin", &canonical));
    assert_ok(&env.run(["verify", MANIFEST]));
}

#[test]
fn a_trusted_small_order_public_key_is_refused() {
    let env = TestEnv::sealed();
    let mut identity = [0; 32];
    identity[0] = 1;
    env.write("keys/weak.pub", public_key_file("weak", &identity));
    let out = env.run(["verify", MANIFEST]);
    assert_bad_input(
        &out,
        "keys/weak.pub: corrupt key file: ",
        "public_key is a weak (small-order) Ed25519 key",
    );
}

#[test]
fn one_key_trusted_under_two_file_names_is_refused_naming_both() {
    let env = TestEnv::sealed();
    // "Mallory" holds the archivist's key under a name that sorts first.
    let genuine = env.read("keys/k.pub");
    env.write(
        "keys/aa-impostor.pub",
        genuine.replace("\"k\"", "\"Mallory\""),
    );
    let id = key_id_in(&genuine);
    let out = env.run(["verify", MANIFEST]);
    assert_error_is(
        &out,
        &format!(
            "keys/k.pub: holds the same key (key ID {id}) as keys/aa-impostor.pub; trust each key through one file, so that its name is not a choice: remove one of the two"
        ),
    );
    assert!(!stdout(&out).contains("Mallory"));
    // Naming the one file twice is not two files.
    let out = env.run([
        "verify",
        MANIFEST,
        "--trust",
        "keys/k.pub",
        "--trust",
        "keys/k.pub",
    ]);
    assert_ok(&out);
}

#[test]
fn verify_where_keys_does_not_exist_says_no_trusted_keys_were_found_there() {
    let env = TestEnv::sealed();
    std::fs::rename(env.join("keys"), env.join("elsewhere")).unwrap();
    let out = env.run(["verify", MANIFEST]);
    assert_error_is(
        &out,
        "no trusted keys found in ./keys (there is no such folder here); pass --trust KEY.pub or a folder of .pub files, or run docseal where that folder is",
    );
    assert_ok(&env.run(["verify", MANIFEST, "--trust", "elsewhere"]));
    // A missing key file is named as such.
    let out = env.run(["verify", MANIFEST, "--trust", "elsewhere/none.pub"]);
    assert_error_is(&out, "elsewhere/none.pub: cannot read: not found");
}
