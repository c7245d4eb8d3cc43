//! The manifest reader on any bytes: it never panics, and a manifest it accepts reads back the
//! same entries whether read whole or by fixities.
#![no_main]

use std::path::Path;

use docseal::manifest::Manifest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(manifest) = Manifest::parse(Path::new("fuzz.toml"), data) else {
        return;
    };
    let entries: Vec<_> = manifest.entries().collect();
    let fixities: Vec<_> = manifest.fixities().collect();
    assert_eq!(entries.len(), fixities.len());
    for (e, f) in entries.iter().zip(&fixities) {
        match (e, f) {
            (Ok(e), Ok(f)) => {
                assert_eq!(e.path.as_str(), f.path.as_ref());
                assert_eq!((e.size, e.digest), (f.size, f.digest));
            }
            (Err(_), Err(_)) => {}
            _ => panic!("entries and fixities disagree: {e:?} / {f:?}"),
        }
    }
    let _ = manifest.signed_message();
});
