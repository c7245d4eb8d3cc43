/*!
External Ed25519 test vectors through docseal's own path: every public key through
[`PublicKey::from_bytes`] (the checks a `.pub` file gets) and, for the Wycheproof keys, through a
real key file and [`PublicKey::load`]; every signature through [`PublicKey::verifies`] and the
manifest verdict [`signature::check`]. Project Wycheproof's vectors are read from
`../shared/testdata/wycheproof-ed25519/` (never copied into the project); RFC 8032 §7.1's are
written out here. The small-order and non-canonical key encodings are cases of their own.
*/

use std::path::PathBuf;

use docseal::digest::{Sha256Digest, from_hex};
use docseal::trust::signature::{self, ManifestSignature, SignatureStatus};
use docseal::trust::{KeyRejection, Keyring, PublicKey};
use serde::Deserialize;

/// Lower-case hex of any length, decoded (the vectors' signatures are not always 64 bytes).
fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex {s:?}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Checks one signature through both of docseal's entry points, which must agree: the raw check
/// and, for a 64-byte signature, the verdict on a manifest signed by that key alone.
fn accepted(key: &PublicKey, message: &[u8], sig: &[u8]) -> bool {
    let raw = key.verifies(message, sig);
    if let Ok(bytes) = <[u8; 64]>::try_from(sig) {
        let signed = signature::Signed {
            message,
            checkpoint: None,
        };
        let report = signature::check(
            &signed,
            &[ManifestSignature {
                key_id: key.id(),
                bytes,
                checkpoint: None,
            }],
            &Keyring::of([key.clone()]),
        );
        let valid = report.status == SignatureStatus::Valid;
        assert_eq!(valid, raw, "the two entry points disagree");
        if !valid {
            assert_eq!(report.status, SignatureStatus::Invalid);
        }
    }
    raw
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wycheproof {
    number_of_tests: usize,
    test_groups: Vec<Group>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Group {
    public_key: GroupKey,
    tests: Vec<Vector>,
}

#[derive(Deserialize)]
struct GroupKey {
    pk: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vector {
    tc_id: u32,
    msg: String,
    sig: String,
    result: String,
    flags: Vec<String>,
}

/// The snapshot named in the folder's README.
const WYCHEPROOF_SHA256: &str = "752d2ea7d7c6cf4736381b6cbacb61f8182b126ab7cd9b058f00c50084975536";

#[test]
#[allow(clippy::print_stderr)]
fn wycheproof_ed25519_vectors_give_their_expected_results_through_docseals_key_and_signature_checks()
 {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata/wycheproof-ed25519/ed25519_test.json");
    let bytes = std::fs::read(&file).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; the Wycheproof vectors belong in ../shared/testdata (see its README)",
            file.display()
        )
    });
    assert_eq!(Sha256Digest::of(&bytes).to_hex(), WYCHEPROOF_SHA256);
    let vectors: Wycheproof = serde_json::from_slice(&bytes).unwrap();
    let keys_dir = tempfile::tempdir().unwrap();
    let (mut valid_accepted, mut invalid_rejected, mut total) = (0, 0, 0);
    let mut wrong = Vec::new();
    for (g, group) in vectors.test_groups.iter().enumerate() {
        let pk: [u8; 32] = from_hex(&group.public_key.pk).unwrap();
        let key = PublicKey::from_bytes("wycheproof", &pk)
            .unwrap_or_else(|why| panic!("group {g}: public key {} {why}", group.public_key.pk));
        // The same key through a key file, as `--trust` reads it.
        let path = keys_dir.path().join(format!("group-{g}.pub"));
        std::fs::write(&path, key.to_file_text()).unwrap();
        let loaded = PublicKey::load(&path).unwrap();
        assert_eq!(loaded.as_bytes(), &pk);
        for v in &group.tests {
            total += 1;
            let ok = accepted(&loaded, &unhex(&v.msg), &unhex(&v.sig));
            match (v.result.as_str(), ok) {
                ("valid", true) => valid_accepted += 1,
                ("invalid", false) => invalid_rejected += 1,
                (expected, _) => wrong.push(format!(
                    "tcId {} ({}): expected {expected}, docseal {}",
                    v.tc_id,
                    v.flags.join(","),
                    if ok { "accepted it" } else { "rejected it" }
                )),
            }
        }
    }
    eprintln!(
        "wycheproof ed25519: {total} vectors, {valid_accepted} valid accepted, {invalid_rejected} invalid rejected, {} wrong",
        wrong.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(total, vectors.number_of_tests);
    assert_eq!((valid_accepted, invalid_rejected), (88, 63));
}

/// RFC 8032 §7.1: public key, message, signature (TEST 1, 2, 3 and SHA(abc); TEST 1024 is
/// Wycheproof's tcId 83, checked above).
const RFC8032: [(&str, &str, &str, &str); 4] = [
    (
        "TEST 1",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "TEST 2",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "TEST 3",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
    (
        "TEST SHA(abc)",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
    ),
];

#[test]
#[allow(clippy::print_stderr)]
fn rfc8032_vectors_verify_and_any_changed_bit_does_not() {
    let mut checked = 0;
    for (name, pk, msg, sig) in RFC8032 {
        let key = PublicKey::from_bytes(name, &from_hex(pk).unwrap()).unwrap();
        let (msg, sig) = (unhex(msg), unhex(sig));
        assert!(accepted(&key, &msg, &sig), "{name} was rejected");
        for bit in [0, 7, 255, 256, 511] {
            let mut bad = sig.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert!(
                !accepted(&key, &msg, &bad),
                "{name} with signature bit {bit} flipped"
            );
        }
        let mut longer = msg.clone();
        longer.push(0);
        assert!(
            !accepted(&key, &longer, &sig),
            "{name} with a byte appended"
        );
        checked += 1;
    }
    eprintln!("rfc 8032: {checked} vectors accepted, each with 6 changed copies rejected");
    assert_eq!(checked, 4);
}

/// The eight points of small order, canonically encoded: each is refused as a key.
const SMALL_ORDER: [&str; 8] = [
    "0100000000000000000000000000000000000000000000000000000000000000", // the identity
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2 (y = -1)
    "0000000000000000000000000000000000000000000000000000000000000000", // order 4
    "0000000000000000000000000000000000000000000000000000000000000080", // order 4
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", // order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", // order 8
];

#[test]
#[allow(clippy::print_stderr)]
fn small_order_public_key_encodings_are_refused() {
    for hex in SMALL_ORDER {
        let bytes: [u8; 32] = from_hex(hex).unwrap();
        assert_eq!(
            PublicKey::from_bytes("weak", &bytes).unwrap_err(),
            KeyRejection::SmallOrder,
            "{hex}"
        );
    }
    // With such a key, lenient verification accepts the signature (R = identity, S = 0) on any
    // message; docseal never gets that far, and refuses the signature's small-order R besides.
    let real = PublicKey::from_bytes("t", &from_hex(RFC8032[0].1).unwrap()).unwrap();
    let mut sig = [0u8; 64];
    sig[0] = 1;
    assert!(!accepted(&real, b"any message", &sig));
    eprintln!("small order: {} encodings refused", SMALL_ORDER.len());
}

/// `value` (< 2^255) as 32 little-endian bytes, with the sign bit of x set when `negative`.
fn encode(value_plus_p: bool, y: u8, negative: bool) -> [u8; 32] {
    let mut b = [0u8; 32];
    if value_plus_p {
        // y + p, where p = 2^255 - 19 is ed ff … ff 7f; no carry for y ≤ 18.
        b = [0xff; 32];
        b[0] = 0xed + y;
        b[31] = 0x7f;
    } else {
        b[0] = y;
    }
    if negative {
        b[31] |= 0x80;
    }
    b
}

#[test]
#[allow(clippy::print_stderr)]
fn non_canonical_public_key_encodings_are_refused() {
    // Every y < 19 has a second encoding, y + p < 2^255 (RFC 8032 §5.1.3 says decoding fails for
    // y ≥ p). Whenever the canonical encoding is a point, the other one must be refused.
    let (mut points, mut refused) = (0, 0);
    for y in 0..19u8 {
        for negative in [false, true] {
            let canonical = PublicKey::from_bytes("t", &encode(false, y, negative));
            let twin = PublicKey::from_bytes("t", &encode(true, y, negative));
            if canonical.as_ref().err() == Some(&KeyRejection::NotAPoint) {
                assert!(twin.is_err(), "y = {y} + p decodes although y does not");
                continue;
            }
            points += 1;
            let why = twin.expect_err(&format!("y = {y} + p (negative: {negative}) was accepted"));
            assert!(
                matches!(why, KeyRejection::NonCanonical | KeyRejection::SmallOrder),
                "y = {y} + p: {why:?}"
            );
            refused += 1;
        }
    }
    // y = 3: f0 ff … ff 7f, a full-order point whose canonical encoding is 03 00 … 00.
    assert_eq!(
        PublicKey::from_bytes("t", &encode(true, 3, false)).unwrap_err(),
        KeyRejection::NonCanonical
    );
    assert!(PublicKey::from_bytes("t", &encode(false, 3, false)).is_ok());
    // x = 0 has no negative: the sign bit set on y = 1 (the identity) is another non-canonical
    // encoding.
    assert!(PublicKey::from_bytes("t", &encode(false, 1, true)).is_err());
    eprintln!(
        "non-canonical: {points} points with y < 19, {refused} second encodings (y + p) refused"
    );
    assert!(points > 0);
}
