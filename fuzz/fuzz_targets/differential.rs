//! The fast canonical `[[file]]` reader against the strict TOML reader on the same bytes, a
//! manifest body cut into batches as a manifest is: same entries, same offsets, same Merkle leaves
//! whenever the fast reader reads at all.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(why) = docseal::manifest::differential::body_readers_agree(text) {
        panic!("the readers disagree: {why}\n--- text\n{text}");
    }
});
