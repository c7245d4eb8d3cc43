//! What a collection holds right now: every regular file under a folder with its measured size
//! and digest, hashed in parallel across files on a bounded pool of threads (one read buffer per
//! thread, never a whole file in memory), in an order that does not depend on the thread count.

use std::path::Path;

use rayon::prelude::*;

use crate::digest::{Fixity, HASH_BUFFER_SIZE, ReadBuffer, hash_file};
use crate::error::{Error, Result, describe_io};
use crate::relpath::RelPath;
use crate::walk::{self, Problem, Skipped};

/// Receives progress while files are hashed. Implementations must be cheap: `file_done` is called
/// once per file from the hashing threads.
pub trait Progress: Sync {
    /// Hashing starts: `files` files, `bytes` bytes in all (as listed before reading).
    fn start(&self, files: u64, bytes: u64);
    /// One file was hashed (or failed); `bytes` were read from it.
    fn file_done(&self, bytes: u64);
    /// Hashing is over.
    fn finish(&self);
}

/// A [`Progress`] that ignores everything.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _files: u64, _bytes: u64) {}
    fn file_done(&self, _bytes: u64) {}
    fn finish(&self) {}
}

/// How hashing runs.
#[derive(Clone, Copy, Debug)]
pub struct HashOptions {
    /// Number of hashing threads (at least 1).
    pub jobs: usize,
    /// Whether to list file sizes before hashing (one `stat` per file), for a byte-accurate
    /// progress total. Not needed for correctness.
    pub sizes_up_front: bool,
}

impl Default for HashOptions {
    fn default() -> Self {
        HashOptions {
            jobs: default_jobs(),
            sizes_up_front: false,
        }
    }
}

/// The number of CPUs available to this process.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// What measuring one file gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Measurement {
    /// Its size and digest.
    Hashed(Fixity),
    /// It was listed, but was gone when docseal came to read it.
    Vanished,
    /// It could not be read; the text says why.
    Unreadable(String),
}

/// One regular file found in the collection.
#[derive(Clone, Debug)]
pub struct Measured {
    /// Its path inside the collection.
    pub path: RelPath,
    /// What reading it gave.
    pub measurement: Measurement,
}

/// Everything found in a collection.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    /// Regular files, sorted by path.
    pub files: Vec<Measured>,
    /// Entries that are not regular files (not read), sorted by path.
    pub skipped: Vec<Skipped>,
    /// Entries that could not be listed or named.
    pub problems: Vec<Problem>,
}

thread_local! {
    /// One page-aligned read buffer per hashing thread, allocated once and reused for every file
    /// (rayon's `map_init` would allocate one per split job, thousands of them).
    static BUFFER: std::cell::RefCell<Option<ReadBuffer>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with this thread's read buffer.
fn with_thread_buffer<T>(f: impl FnOnce(&mut [u8]) -> T) -> T {
    BUFFER.with(|cell| {
        let mut buf = cell.borrow_mut();
        f(buf
            .get_or_insert_with(|| ReadBuffer::new(HASH_BUFFER_SIZE))
            .as_mut_slice())
    })
}

/// Lists and hashes every regular file under `root` (leaving out `exclude`).
pub fn scan_dir(
    root: &Path,
    exclude: Option<&RelPath>,
    opts: HashOptions,
    progress: &dyn Progress,
) -> Result<Inventory> {
    let found = walk::walk(root, exclude)?;
    let total_bytes = if opts.sizes_up_front {
        found
            .files
            .iter()
            .filter_map(|p| std::fs::symlink_metadata(p.under(root)).ok())
            .map(|m| m.len())
            .sum()
    } else {
        0
    };
    progress.start(found.files.len() as u64, total_bytes);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .thread_name(|i| format!("docseal-hash-{i}"))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {} hashing threads: {e}", opts.jobs)))?;
    let files: Vec<Measured> = pool.install(|| {
        found
            .files
            .into_par_iter()
            .map(|path| {
                let measurement =
                    with_thread_buffer(|buf| match hash_file(&path.under(root), buf) {
                        Ok((digest, size)) => Measurement::Hashed(Fixity { size, digest }),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Measurement::Vanished,
                        Err(e) => Measurement::Unreadable(describe_io(&e)),
                    });
                match &measurement {
                    Measurement::Hashed(fx) => progress.file_done(fx.size),
                    _ => progress.file_done(0),
                }
                Measured { path, measurement }
            })
            .collect()
    });
    progress.finish();
    Ok(Inventory {
        files,
        skipped: found.skipped,
        problems: found.problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_and_order_do_not_depend_on_the_thread_count() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..50u32 {
            let sub = dir.path().join(format!("d{}", i % 7));
            std::fs::create_dir_all(&sub).unwrap();
            std::fs::write(
                sub.join(format!("f{i}")),
                vec![i as u8; (i as usize) * 1031],
            )
            .unwrap();
        }
        let scan = |jobs| {
            let opts = HashOptions {
                jobs,
                sizes_up_front: true,
            };
            scan_dir(dir.path(), None, opts, &NoProgress).unwrap().files
        };
        let one: Vec<_> = scan(1)
            .into_iter()
            .map(|m| (m.path, m.measurement))
            .collect();
        let four: Vec<_> = scan(4)
            .into_iter()
            .map(|m| (m.path, m.measurement))
            .collect();
        assert_eq!(one.len(), 50);
        assert_eq!(one, four);
    }

    #[test]
    fn files_of_the_buffer_size_and_one_byte_over_hash_correctly() {
        let dir = tempfile::tempdir().unwrap();
        let exact = vec![7u8; HASH_BUFFER_SIZE];
        let over = vec![7u8; HASH_BUFFER_SIZE + 1];
        std::fs::write(dir.path().join("exact"), &exact).unwrap();
        std::fs::write(dir.path().join("over"), &over).unwrap();
        std::fs::write(dir.path().join("empty"), b"").unwrap();
        let inv = scan_dir(dir.path(), None, HashOptions::default(), &NoProgress).unwrap();
        let got: Vec<_> = inv.files.iter().map(|m| m.measurement.clone()).collect();
        let want = |data: &[u8]| {
            Measurement::Hashed(Fixity {
                size: data.len() as u64,
                digest: crate::digest::Sha256Digest::of(data),
            })
        };
        assert_eq!(got, [want(b""), want(&exact), want(&over)]);
    }
}
