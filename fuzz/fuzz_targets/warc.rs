//! `import-warc`'s reader on any bytes, written to a real file (plain, or as one gzip member when
//! the first byte is odd) and imported into a fresh folder: it never panics nor reads without
//! bound (libFuzzer's RSS limit), and what it says it stored is there, byte for byte under the
//! digest it names, with a sources list that reads back.
#![no_main]

use std::io::Write;
use std::sync::OnceLock;

use docseal::capture::Sources;
use docseal::capture::warc::{ImportOptions, RecordOutcome, import};
use docseal::digest::Sha256Digest;
use libfuzzer_sys::fuzz_target;

fn dir() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let work = tempfile::tempdir_in(dir().path()).expect("a folder per input");
    let gzipped = mode & 1 == 1;
    let file = work
        .path()
        .join(if gzipped { "in.warc.gz" } else { "in.warc" });
    let bytes = if gzipped {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(body).expect("gzip");
        gz.finish().expect("gzip")
    } else {
        body.to_vec()
    };
    std::fs::write(&file, bytes).expect("write");
    let opts = ImportOptions {
        files: vec![file],
        into: work.path().join("col"),
        sources: work.path().join("sources.toml"),
        include_errors: mode & 2 == 2,
        max_size: 1 << 20,
    };
    let mut stored = Vec::new();
    let result = import(&opts, &(), &mut |outcome| {
        if let RecordOutcome::Stored { stored: s, .. } = outcome {
            stored.push(s.clone());
        }
        Ok(())
    });
    if result.is_err() {
        assert!(stored.is_empty(), "a failed import stored {stored:?}");
        return;
    }
    for s in &stored {
        let bytes = std::fs::read(opts.into.join(s.path.as_str())).expect("a stored file is there");
        assert_eq!(bytes.len() as u64, s.size, "{}", s.path.as_str());
        assert_eq!(Sha256Digest::of(&bytes), s.digest, "{}", s.path.as_str());
    }
    if !stored.is_empty() {
        let sources = Sources::load(&opts.sources).expect("the sources list written reads back");
        assert_eq!(sources.entries.len(), stored.len());
    }
});
