//! The public and secret key file readers on any bytes, through a real file (mode 0600, as a
//! secret key must be): they never panic, and a key they accept writes back a file that reads as
//! the same key.
#![no_main]

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::sync::OnceLock;

use docseal::trust::{PublicKey, SecretKey};
use libfuzzer_sys::fuzz_target;

fn dir() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder"))
}

fuzz_target!(|data: &[u8]| {
    let path = dir().path().join("fuzz.key");
    let mut file = std::fs::File::create(&path).expect("create");
    file.write_all(data).expect("write");
    drop(file);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    if let Ok(key) = PublicKey::load(&path) {
        std::fs::write(&path, key.to_file_text()).expect("write");
        let again = PublicKey::load(&path).expect("a written public key reads back");
        assert_eq!(again.id(), key.id());
    }
    let path = dir().path().join("fuzz2.key");
    std::fs::write(&path, data).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    if let Ok(key) = SecretKey::load(&path) {
        std::fs::write(&path, key.to_file_text()).expect("write");
        let again = SecretKey::load(&path).expect("a written secret key reads back");
        assert_eq!(again.id(), key.id());
    }
});
