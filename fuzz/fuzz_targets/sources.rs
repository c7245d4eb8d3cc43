//! The sources-list reader on any bytes: it never panics.
#![no_main]

use std::path::Path;

use docseal::capture::Sources;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Sources::parse(Path::new("fuzz-sources.toml"), text);
});
