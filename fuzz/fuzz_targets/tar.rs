//! The tar, tar.gz and tar.zst readers on any bytes (seeded with real archives).
#![no_main]

mod archive_common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| archive_common::read(data));
