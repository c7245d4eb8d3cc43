//! The proof reader (`verify-proof`) on any text: it never panics, a proof it accepts writes back
//! as the same text, and checking it against a key that signed nothing never vouches for it.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use docseal::audit::proof::{self, Proof};
use docseal::trust::{PublicKey, SecretKey};
use libfuzzer_sys::fuzz_target;

fn key() -> &'static PublicKey {
    static KEY: OnceLock<PublicKey> = OnceLock::new();
    KEY.get_or_init(|| SecretKey::generate("fuzz").expect("a key").public())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = Proof::parse(Path::new("fuzz.tlog-proof"), text) else {
        return;
    };
    assert_eq!(parsed.to_text(), text, "a proof read is written back as it was");
    let checked = proof::check(&parsed, std::slice::from_ref(key()));
    assert!(!checked.verified(), "a key made here signed no input");
});
