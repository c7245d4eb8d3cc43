//! What a collection holds right now: every regular file under a folder with its measured size
//! and digest, hashed in parallel across files on a bounded pool of threads (one read buffer per
//! thread, never a whole file in memory), in an order that does not depend on the thread count.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;

use rayon::prelude::*;

use crate::digest::{Fixity, HASH_BUFFER_SIZE, ReadBuffer, hash_file};
use crate::error::{Error, Result, describe_io};
use crate::relpath::RelPath;
use crate::walk::{self, Found, Problem, Skipped};

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
pub(crate) fn with_thread_buffer<T>(f: impl FnOnce(&mut [u8]) -> T) -> T {
    BUFFER.with(|cell| {
        let mut buf = cell.borrow_mut();
        f(buf
            .get_or_insert_with(|| ReadBuffer::new(HASH_BUFFER_SIZE))
            .as_mut_slice())
    })
}

/// One thing in a collection, with a regular file measured.
#[derive(Clone, Debug)]
pub enum Item {
    /// A regular file and what reading it gave.
    File(Measured),
    /// An entry that is not a regular file (not read).
    Skipped(Skipped),
    /// An entry that could not be listed or named.
    Problem(Problem),
}

impl Item {
    /// The collection path this item is about.
    pub fn path(&self) -> &str {
        match self {
            Item::File(m) => m.path.as_str(),
            Item::Skipped(s) => &s.path,
            Item::Problem(p) => &p.path,
        }
    }
}

impl Inventory {
    /// Every file, skipped entry and problem, as one list sorted by path.
    pub fn into_items(self) -> Vec<Item> {
        let mut items: Vec<Item> = self.files.into_iter().map(Item::File).collect();
        items.extend(self.skipped.into_iter().map(Item::Skipped));
        items.extend(self.problems.into_iter().map(Item::Problem));
        items.sort_by(|a, b| a.path().cmp(b.path()));
        items
    }
}

/// The totals a progress bar counts towards, when known before hashing (a manifest's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    /// Number of files.
    pub files: u64,
    /// Number of bytes.
    pub bytes: u64,
}

/// Receives the items of a collection one at a time, in path order; an error stops the scan.
pub type Sink<'a> = dyn FnMut(Item) -> Result<()> + 'a;

/// Files per hashing job. Jobs are spread over the pool and their results put back in order.
const CHUNK: usize = 128;

/// Walks `root` (leaving out `exclude`) and hashes every regular file on a pool of `opts.jobs`
/// threads, handing every item to `sink` in path order, whatever the thread count. At most a few
/// jobs of 128 files are in flight, so memory does not grow with the collection. The
/// progress total is `expected`, else (with `opts.sizes_up_front`) counted by a first walk.
pub fn scan_dir(
    root: &Path,
    exclude: Option<&RelPath>,
    opts: HashOptions,
    expected: Option<Expected>,
    progress: &dyn Progress,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let walker = walk::Walker::new(root, exclude)?;
    let expected = match expected {
        Some(e) => e,
        None if opts.sizes_up_front => count(root, exclude)?,
        None => Expected::default(),
    };
    progress.start(expected.files, expected.bytes);
    let pool = hash_pool(opts.jobs)?;
    let in_flight = 4 * opts.jobs.max(1) + 2;
    let result = pool.in_place_scope(|scope| {
        let (tx, rx) = mpsc::channel::<(usize, Vec<Item>)>();
        let mut ordered = Reorder::new(sink);
        let mut sent = 0;
        let mut walker = walker.peekable();
        while ordered.ok() && walker.peek().is_some() {
            let chunk: Vec<Found> = walker.by_ref().take(CHUNK).collect();
            while sent - ordered.next >= in_flight {
                ordered.receive(&rx);
            }
            let tx = tx.clone();
            let k = sent;
            scope.spawn(move |_| {
                let items = chunk
                    .into_par_iter()
                    .map(|found| measure(root, found, progress))
                    .collect();
                // The receiver outlives every job of the scope.
                let _ = tx.send((k, items));
            });
            sent += 1;
        }
        drop(tx);
        while ordered.next < sent {
            ordered.receive(&rx);
        }
        ordered.result
    });
    progress.finish();
    result
}

/// The pool of `jobs` hashing threads (at least one).
pub(crate) fn hash_pool(jobs: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .thread_name(|i| format!("docseal-hash-{i}"))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {jobs} hashing threads: {e}")))
}

/// Puts the results of hashing jobs back in order and hands them to the sink.
struct Reorder<'s, 'a> {
    sink: &'s mut Sink<'a>,
    waiting: BTreeMap<usize, Vec<Item>>,
    next: usize,
    result: Result<()>,
}

impl<'s, 'a> Reorder<'s, 'a> {
    fn new(sink: &'s mut Sink<'a>) -> Self {
        Reorder {
            sink,
            waiting: BTreeMap::new(),
            next: 0,
            result: Ok(()),
        }
    }

    fn ok(&self) -> bool {
        self.result.is_ok()
    }

    /// Waits for one job and delivers every job that is now next in line.
    fn receive(&mut self, rx: &mpsc::Receiver<(usize, Vec<Item>)>) {
        let Ok((k, items)) = rx.recv() else {
            // Every sender is gone: nothing more will come.
            self.next = usize::MAX;
            return;
        };
        self.waiting.insert(k, items);
        while let Some(items) = self.waiting.remove(&self.next) {
            self.next += 1;
            for item in items {
                if self.result.is_ok() {
                    self.result = (self.sink)(item);
                }
            }
        }
    }
}

/// Hashes a file the walk found; other items pass through.
fn measure(root: &Path, found: Found, progress: &dyn Progress) -> Item {
    let path = match found {
        Found::File(path) => path,
        Found::Skipped(s) => return Item::Skipped(s),
        Found::Problem(p) => return Item::Problem(p),
    };
    let measurement = with_thread_buffer(|buf| match hash_file(&path.under(root), buf) {
        Ok((digest, size)) => Measurement::Hashed(Fixity { size, digest }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Measurement::Vanished,
        Err(e) => Measurement::Unreadable(describe_io(&e)),
    });
    match &measurement {
        Measurement::Hashed(fx) => progress.file_done(fx.size),
        _ => progress.file_done(0),
    }
    Item::File(Measured { path, measurement })
}

/// Counts the regular files under `root` and their sizes (one `stat` each), for a progress total.
fn count(root: &Path, exclude: Option<&RelPath>) -> Result<Expected> {
    let mut total = Expected::default();
    for found in walk::Walker::new(root, exclude)? {
        if let Found::File(path) = found {
            total.files += 1;
            total.bytes += std::fs::symlink_metadata(path.under(root)).map_or(0, |m| m.len());
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists and hashes every regular file under `root` (leaving out `exclude`), collected.
    fn scan_dir_collect(
        root: &Path,
        exclude: Option<&RelPath>,
        opts: HashOptions,
        progress: &dyn Progress,
    ) -> Result<Inventory> {
        let mut inventory = Inventory::default();
        scan_dir(root, exclude, opts, None, progress, &mut |item| {
            match item {
                Item::File(m) => inventory.files.push(m),
                Item::Skipped(s) => inventory.skipped.push(s),
                Item::Problem(p) => inventory.problems.push(p),
            }
            Ok(())
        })?;
        Ok(inventory)
    }

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
            scan_dir_collect(dir.path(), None, opts, &NoProgress)
                .unwrap()
                .files
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
        let inv = scan_dir_collect(dir.path(), None, HashOptions::default(), &NoProgress).unwrap();
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
