//! Shared by the tar and zip targets: the bytes as an archive file, read as a collection.

use std::sync::OnceLock;

use docseal::collection::archive::{LeadingFolder, scan_archive};
use docseal::collection::{Measurement, NoProgress};

fn dir() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder"))
}

/// Reads `data` as an archive: never panics, and every file it lists has a valid path, sorted.
pub fn read(data: &[u8]) {
    let path = dir().path().join("fuzz.archive");
    std::fs::write(&path, data).expect("write");
    for leading in [
        LeadingFolder::Detect { keep: None },
        LeadingFolder::Strip(0),
    ] {
        let Ok(scan) = scan_archive(&path, &leading, 1, None, None, &NoProgress) else {
            continue;
        };
        let files = &scan.inventory.files;
        assert!(
            files.windows(2).all(|w| w[0].path < w[1].path),
            "files out of order"
        );
        for f in files {
            if let Measurement::Hashed(fx) = &f.measurement {
                assert!(fx.size <= 64 << 30, "an implausible size");
            }
        }
    }
}
