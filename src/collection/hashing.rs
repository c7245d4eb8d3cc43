//! Hashing what a collection holds: files and streams read through one page-aligned buffer per
//! thread (never a whole file in memory), each file read and hashed on the same thread, on a
//! bounded pool of `--jobs` threads. When the sealed size of a file is known (verify),
//! its size is compared first and nothing past the sealed size is ever read. Files are opened by
//! `hashing/open.rs`: regular files only, never through a link, relative to their folder.

use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest as _, Sha256};

use super::Measurement;
use crate::digest::{Fixity, Sha256Digest};
use crate::error::{Error, Result, describe_io};

mod open;

pub(crate) use open::forget_folders;

/// Size of the read buffer used when hashing a file.
pub const HASH_BUFFER_SIZE: usize = 128 * 1024;

/// Files at least this large are announced to the kernel as read sequentially
/// (`posix_fadvise`), which widens its read-ahead for a file read cold from a disk.
///
/// A large file used to be read on a second thread while the first one hashed. Measured on a
/// 2-core Intel Xeon (family 6 model 167, SHA-NI), a warm 2 GiB file: read and hashed on one
/// thread, 1.57 s wall and 1.55 s CPU; read on a second thread, 1.65 s wall and 2.05 s CPU (every
/// buffer crosses between the cores' caches); `openssl dgst -sha256` 1.60 s, `rhash -c` 1.61 s.
/// With `--jobs` threads busy on a mixed collection, the extra reading thread only competes with
/// them.
pub const SEQUENTIAL_HINT_MIN_SIZE: u64 = 16 * 1024 * 1024;

/// How hashing runs.
#[derive(Clone, Copy, Debug)]
pub struct HashOptions {
    /// Number of hashing threads (at least 1).
    pub jobs: usize,
    /// Whether `jobs` is the user's choice (`--jobs`) rather than the number of CPUs: a bucket's
    /// objects are then fetched `jobs` at a time, else more at once than there are CPUs.
    pub jobs_chosen: bool,
    /// Whether to list file sizes before hashing (one `stat` per file), for a byte-accurate
    /// progress total. Not needed for correctness.
    pub sizes_up_front: bool,
}

impl Default for HashOptions {
    fn default() -> Self {
        HashOptions {
            jobs: default_jobs(),
            jobs_chosen: false,
            sizes_up_front: false,
        }
    }
}

/// The number of CPUs available to this process.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// A read buffer whose start is aligned to a page. The kernel copies file data into it with
/// `rep movsb`, which on some CPUs (AMD EPYC measured here) runs at a quarter of its speed when
/// the destination's offset within a cache line differs from the page cache's: a plain `Vec`
/// from `malloc` starts 16 bytes into a page, and reading into it cost more than hashing.
pub struct ReadBuffer {
    storage: Vec<u8>,
    offset: usize,
    len: usize,
}

impl ReadBuffer {
    /// Alignment of the buffer's start.
    const ALIGN: usize = 4096;

    /// A zeroed buffer of `len` bytes starting at a page boundary.
    pub fn new(len: usize) -> Self {
        let storage = vec![0u8; len + Self::ALIGN];
        let misalign = storage.as_ptr() as usize % Self::ALIGN;
        let offset = (Self::ALIGN - misalign) % Self::ALIGN;
        ReadBuffer {
            storage,
            offset,
            len,
        }
    }

    /// The buffer.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.storage[self.offset..self.offset + self.len]
    }

    /// The first `n` bytes.
    pub fn filled(&self, n: usize) -> &[u8] {
        &self.storage[self.offset..self.offset + n]
    }
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

/// The pool of `jobs` hashing threads (at least one).
pub(crate) fn hash_pool(jobs: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .thread_name(|i| format!("docseal-hash-{i}"))
        .build()
        .map_err(|e| Error::Threads {
            jobs,
            reason: e.to_string(),
        })
}

/// Hashes everything `reader` yields, using `buf` for reads. Returns the digest and the number
/// of bytes hashed.
pub fn hash_reader<R: Read>(reader: R, buf: &mut [u8]) -> io::Result<(Sha256Digest, u64)> {
    // No size at opening that the reader could reach: read to the end.
    hash_bounded(reader, u64::MAX, u64::MAX, buf)
}

/// Hashes what `reader` yields up to `limit` bytes. `len` is the size the file had when it was
/// opened: once that many bytes are in, a read that gives less than it was asked for is the end
/// (a short read of a regular file is its end), so a small file costs one `read`, not a second one
/// only to see the end. A reader that never reads short is read to its end or to `limit`.
fn hash_bounded<R: Read>(
    mut reader: R,
    len: u64,
    limit: u64,
    buf: &mut [u8],
) -> io::Result<(Sha256Digest, u64)> {
    let mut hasher = Sha256::new();
    let mut total = 0u64;
    loop {
        let want = usize::try_from(limit - total).map_or(buf.len(), |left| left.min(buf.len()));
        if want == 0 {
            break;
        }
        let n = match reader.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        total += n as u64;
        if n < want && total == len {
            break;
        }
    }
    Ok((Sha256Digest::from_bytes(hasher.finalize().into()), total))
}

/// Hashes what `reader` yields if it is no more than `limit` bytes, reading at most one byte past
/// it; `None` when there was more. `len` as for [`hash_bounded`].
fn hash_up_to<R: Read>(
    reader: R,
    len: u64,
    limit: u64,
    buf: &mut [u8],
) -> io::Result<Option<(Sha256Digest, u64)>> {
    let (digest, size) = hash_bounded(reader, len, limit.saturating_add(1), buf)?;
    Ok((size <= limit).then_some((digest, size)))
}

/// Measures the file at `path` (not following a symbolic link at its last component nor at the
/// folder that holds it). With the size it was sealed with, `sealed`: a file whose size on disk
/// differs is not read at all ([`Measurement::OtherSize`]), and one that grows while it is read is
/// read no further than one byte past the sealed size — so a sealed 5-byte file replaced by a
/// 50 GiB one costs one `stat`.
pub fn measure_file(path: &Path, buf: &mut [u8], sealed: Option<u64>) -> Measurement {
    let measured = (|| -> io::Result<Measurement> {
        let (file, len) = open::regular_file(path)?;
        let Some(sealed) = sealed else {
            let (digest, size) = hash_bounded(&file, len, u64::MAX, buf)?;
            return Ok(Measurement::Hashed(Fixity { size, digest }));
        };
        if len != sealed {
            return Ok(Measurement::OtherSize(len));
        }
        match hash_up_to(&file, len, sealed, buf)? {
            Some((digest, size)) => Ok(Measurement::Hashed(Fixity { size, digest })),
            // It grew while it was being read: its size now, at least one byte more than sealed.
            None => {
                let now = file.metadata().map_or(0, |m| m.len());
                Ok(Measurement::OtherSize(now.max(sealed.saturating_add(1))))
            }
        }
    })();
    match measured {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Measurement::Vanished,
        Err(e) => Measurement::Unreadable(describe_io(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_hash_matches_one_shot_hash_across_buffer_boundaries() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let mut buf = [0u8; 7];
        let (d, n) = hash_reader(&data[..], &mut buf).unwrap();
        assert_eq!(n, 10_000);
        assert_eq!(d, Sha256Digest::of(&data));
    }

    #[test]
    fn hashing_against_a_sealed_size_stops_one_byte_past_it_however_long_the_input() {
        let mut buf = [0u8; 64];
        // An endless input (a file that keeps growing) is read no further than the limit + 1.
        assert_eq!(hash_up_to(io::repeat(7), 5, 5, &mut buf).unwrap(), None);
        assert_eq!(
            hash_up_to(io::repeat(7), 0, SEQUENTIAL_HINT_MIN_SIZE, &mut buf).unwrap(),
            None
        );
        let counted = Counting(io::repeat(1), 0);
        let mut reader = counted;
        assert_eq!(hash_up_to(&mut reader, 10, 10, &mut buf).unwrap(), None);
        assert!(reader.1 <= 11, "read {} bytes", reader.1);
        let exact = hash_up_to(&b"hello"[..], 5, 5, &mut buf).unwrap();
        assert_eq!(exact, Some((Sha256Digest::of(b"hello"), 5)));
        let short = hash_up_to(&b"hell"[..], 4, 5, &mut buf).unwrap();
        assert_eq!(short, Some((Sha256Digest::of(b"hell"), 4)));
    }

    /// A reader that counts the bytes it gives.
    struct Counting<R>(R, u64);

    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1 += n as u64;
            Ok(n)
        }
    }

    #[test]
    fn a_file_whose_size_differs_from_the_sealed_size_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"grown content").unwrap();
        let mut buf = [0u8; 64];
        assert_eq!(
            measure_file(&path, &mut buf, Some(5)),
            Measurement::OtherSize(13)
        );
        let same = measure_file(&path, &mut buf, Some(13));
        let hashed = Measurement::Hashed(Fixity {
            size: 13,
            digest: Sha256Digest::of(b"grown content"),
        });
        assert_eq!(same, hashed);
        assert_eq!(measure_file(&path, &mut buf, None), hashed);
        // A file that is not there vanished.
        let gone = dir.path().join("gone");
        assert_eq!(
            measure_file(&gone, &mut buf, Some(1)),
            Measurement::Vanished
        );
    }

    /// A reader that counts its `read` calls and gives at most `step` bytes per call.
    struct Stepping<'a> {
        data: &'a [u8],
        step: usize,
        calls: usize,
    }

    impl Read for Stepping<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.calls += 1;
            let n = self.data.len().min(self.step).min(buf.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_file_of_the_size_it_was_opened_with_costs_one_read_and_no_read_to_see_the_end() {
        let data = b"hello world";
        let whole = (Sha256Digest::of(data), 11);
        // (bytes per read, size when opened, reads expected): short reads before the size is
        // reached are not the end; a file that grew or shrank after it was opened is read to
        // its end.
        for (step, opened_with, reads) in [(64, 11, 1), (4, 11, 3), (4, 5, 4), (4, 20, 4)] {
            let mut reader = Stepping {
                data,
                step,
                calls: 0,
            };
            let mut buf = [0u8; 64];
            let got = hash_bounded(&mut reader, opened_with, u64::MAX, &mut buf).unwrap();
            assert_eq!(
                got, whole,
                "{step} bytes per read, opened with {opened_with}"
            );
            assert_eq!(
                reader.calls, reads,
                "{step} bytes per read, opened with {opened_with}"
            );
        }
        // Against a sealed size the read stops one byte past it, whatever the size at opening.
        let mut grown = Stepping {
            data,
            step: 64,
            calls: 0,
        };
        assert_eq!(hash_up_to(&mut grown, 5, 5, &mut [0u8; 64]).unwrap(), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_that_is_now_a_symbolic_link_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        std::fs::write(dir.path().join("real/f"), b"content").unwrap();
        std::os::unix::fs::symlink("real", dir.path().join("link")).unwrap();
        let mut buf = [0u8; 64];
        let hashed = Measurement::Hashed(Fixity {
            size: 7,
            digest: Sha256Digest::of(b"content"),
        });
        assert_eq!(
            measure_file(&dir.path().join("real/f"), &mut buf, Some(7)),
            hashed
        );
        match measure_file(&dir.path().join("link/f"), &mut buf, Some(7)) {
            Measurement::Unreadable(why) => {
                assert!(why.contains("link is no longer a folder"), "{why}");
            }
            other => panic!("followed the link: {other:?}"),
        }
    }

    #[test]
    fn a_folder_replaced_since_an_earlier_walk_is_opened_again() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("a");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("f"), b"old").unwrap();
        let mut buf = [0u8; 64];
        let of = |data: &[u8]| {
            Measurement::Hashed(Fixity {
                size: data.len() as u64,
                digest: Sha256Digest::of(data),
            })
        };
        assert_eq!(measure_file(&folder.join("f"), &mut buf, None), of(b"old"));
        std::fs::rename(&folder, dir.path().join("b")).unwrap();
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("f"), b"new!").unwrap();
        forget_folders();
        assert_eq!(measure_file(&folder.join("f"), &mut buf, None), of(b"new!"));
    }
}
