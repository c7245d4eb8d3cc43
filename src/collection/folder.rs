//! A folder as a collection: every regular file below it, walked in path order and hashed in
//! parallel across files on the pool of `collection/hashing.rs`, handed on in an order that does
//! not depend on the thread count.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;

use rayon::prelude::*;

use super::hashing::{HashOptions, hash_pool, measure_file, with_thread_buffer};
use super::walk::{Found, Walker};
use super::{Expected, Item, Measured, Measurement, Progress, SealedSizes, Sink};
use crate::error::Result;
use crate::relpath::RelPath;

/// Files per hashing job. Jobs are spread over the pool and their results put back in order.
const CHUNK: usize = 128;

/// Walks `root` (leaving out `exclude`) and hashes every regular file on a pool of `opts.jobs`
/// threads, handing every item to `sink` in path order, whatever the thread count. At most a few
/// jobs of 128 files are in flight, so memory does not grow with the collection. The
/// progress total is `expected`, else (with `opts.sizes_up_front`) counted by a first walk.
/// `sealed` gives the sealed size of each file (asked in walk order, which is path order), so
/// that a file of another size is not read.
pub fn scan_dir(
    root: &Path,
    exclude: Option<&RelPath>,
    opts: HashOptions,
    expected: Option<Expected>,
    mut sealed: Option<&mut dyn SealedSizes>,
    progress: &dyn Progress,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let walker = Walker::new(root, exclude)?;
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
            // The sealed sizes are looked up here, in path order, as the walk goes.
            let chunk: Vec<(Found, Option<u64>)> = walker
                .by_ref()
                .take(CHUNK)
                .map(|found| {
                    let size = match (&found, sealed.as_deref_mut()) {
                        (Found::File(path), Some(sizes)) => sizes.size_of(path),
                        _ => None,
                    };
                    (found, size)
                })
                .collect();
            while sent - ordered.next >= in_flight {
                ordered.receive(&rx);
            }
            let tx = tx.clone();
            let k = sent;
            scope.spawn(move |_| {
                // One file per task: rayon's default splitting hands a run of neighbouring files
                // to one thread, which left the other cores idle when large files were together
                // (16 large files in one folder were hashed on one core of two).
                let items = chunk
                    .into_par_iter()
                    .with_max_len(1)
                    .map(|(found, size)| measure(root, found, size, progress))
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
fn measure(root: &Path, found: Found, sealed: Option<u64>, progress: &dyn Progress) -> Item {
    let path = match found {
        Found::File(path) => path,
        Found::Skipped(s) => return Item::Skipped(s),
        Found::Problem(p) => return Item::Problem(p),
    };
    let measurement = with_thread_buffer(|buf| measure_file(&path.under(root), buf, sealed));
    match &measurement {
        Measurement::Hashed(fx) => progress.file_done(fx.size),
        _ => progress.file_done(0),
    }
    Item::File(Measured { path, measurement })
}

/// Counts the regular files under `root` and their sizes (one `stat` each), for a progress total.
fn count(root: &Path, exclude: Option<&RelPath>) -> Result<Expected> {
    let mut total = Expected::default();
    for found in Walker::new(root, exclude)? {
        if let Found::File(path) = found {
            total.files += 1;
            total.bytes += std::fs::symlink_metadata(path.under(root)).map_or(0, |m| m.len());
        }
    }
    Ok(total)
}

/// Measures one file of the folder `root` by its collection path, without walking the folder:
/// never through a symbolic link (a folder on the way that is now a link or a file makes it
/// unreadable; the file itself is opened without following a link), and reading no further than
/// one byte past `sealed`, the size it was sealed with. Used when only some files are asked for
/// (`verify MANIFEST PATH...`, `audit --check-files`).
pub fn measure_path(root: &Path, path: &RelPath, sealed: u64, buf: &mut [u8]) -> Measurement {
    let mut below = root.to_path_buf();
    let segments: Vec<&str> = path.as_str().split('/').collect();
    for segment in &segments[..segments.len().saturating_sub(1)] {
        below.push(segment);
        match std::fs::symlink_metadata(&below) {
            Ok(m) if m.is_dir() => {}
            Ok(m) if m.file_type().is_symlink() => {
                return Measurement::Unreadable(format!(
                    "{} is a symbolic link, not followed",
                    below.display()
                ));
            }
            Ok(_) => {
                return Measurement::Unreadable(format!("{} is not a folder", below.display()));
            }
            Err(_) => return Measurement::Vanished,
        }
    }
    measure_file(&root.join(path.as_str()), buf, Some(sealed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::hashing::HASH_BUFFER_SIZE;
    use crate::collection::{Inventory, NoProgress};
    use crate::digest::Fixity;

    /// Lists and hashes every regular file under `root` (leaving out `exclude`), collected.
    fn scan_dir_collect(
        root: &Path,
        exclude: Option<&RelPath>,
        opts: HashOptions,
        progress: &dyn Progress,
    ) -> Result<Inventory> {
        let mut inventory = Inventory::default();
        scan_dir(root, exclude, opts, None, None, progress, &mut |item| {
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
                jobs_chosen: true,
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
