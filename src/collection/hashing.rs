//! Hashing what a collection holds: files and streams read through one page-aligned buffer per
//! thread (never a whole file in memory), large files read on a second thread while the first
//! hashes, on a bounded pool of `--jobs` threads. When the sealed size of a file is known (verify),
//! its size is compared first and nothing past the sealed size is ever read.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest as _, Sha256};

use super::Measurement;
use crate::digest::{Fixity, Sha256Digest};
use crate::error::{Error, Result, describe_io};

/// Size of the read buffer used when hashing a file.
pub const HASH_BUFFER_SIZE: usize = 128 * 1024;

/// Files at least this large are read on a second thread while the first one hashes, so that a
/// single large file is hashed at the speed of SHA-256 rather than of read + SHA-256.
pub const PIPELINE_MIN_SIZE: u64 = 16 * 1024 * 1024;

/// Buffers in flight between the reading and the hashing thread, and their size.
const PIPELINE_BUFFERS: usize = 4;
const PIPELINE_BUFFER_SIZE: usize = 1024 * 1024;

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
pub fn hash_reader<R: Read>(mut reader: R, buf: &mut [u8]) -> io::Result<(Sha256Digest, u64)> {
    let mut hasher = Sha256::new();
    let mut total = 0u64;
    loop {
        let n = match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((Sha256Digest::from_bytes(hasher.finalize().into()), total))
}

/// Hashes everything `reader` yields, reading on a second thread while this one hashes.
/// Memory use is bounded by a few fixed buffers, whatever the input's size.
pub fn hash_reader_pipelined<R: Read + Send>(mut reader: R) -> io::Result<(Sha256Digest, u64)> {
    use std::sync::mpsc::sync_channel;
    let (full_tx, full_rx) = sync_channel::<io::Result<(ReadBuffer, usize)>>(PIPELINE_BUFFERS);
    let (empty_tx, empty_rx) = sync_channel::<ReadBuffer>(PIPELINE_BUFFERS);
    for _ in 0..PIPELINE_BUFFERS {
        // Cannot fail: the channel has room for every buffer and its receiver is alive.
        let _ = empty_tx.send(ReadBuffer::new(PIPELINE_BUFFER_SIZE));
    }
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Ok(mut buf) = empty_rx.recv() {
                let result = loop {
                    match reader.read(buf.as_mut_slice()) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other,
                    }
                };
                let done = !matches!(result, Ok(n) if n > 0);
                if full_tx.send(result.map(|n| (buf, n))).is_err() || done {
                    return;
                }
            }
        });
        let mut hasher = Sha256::new();
        let mut total = 0u64;
        // The hashing side: ends at end of input, on a read error, or if the reader vanished.
        while let Ok(msg) = full_rx.recv() {
            let (buf, n) = msg?;
            if n == 0 {
                break;
            }
            hasher.update(buf.filled(n));
            total += n as u64;
            let _ = empty_tx.send(buf);
        }
        Ok((Sha256Digest::from_bytes(hasher.finalize().into()), total))
    })
}

/// Hashes the file at `path` without following a symbolic link at its last component.
/// Returns the digest and the number of bytes read (which is the size that is recorded).
/// Large files are read and hashed on two threads ([`hash_reader_pipelined`]).
pub fn hash_file(path: &Path, buf: &mut [u8]) -> io::Result<(Sha256Digest, u64)> {
    let (file, len) = open_no_follow(path)?;
    hash_open(file, len, buf)
}

fn hash_open<R: Read + Send>(file: R, len: u64, buf: &mut [u8]) -> io::Result<(Sha256Digest, u64)> {
    if len >= PIPELINE_MIN_SIZE {
        hash_reader_pipelined(file)
    } else {
        hash_reader(file, buf)
    }
}

/// Hashes what `reader` yields if it is no more than `limit` bytes, reading at most one byte past
/// it; `None` when there was more. `len` is the expected size (for the choice of pipeline).
fn hash_up_to<R: Read + Send>(
    reader: R,
    len: u64,
    limit: u64,
    buf: &mut [u8],
) -> io::Result<Option<(Sha256Digest, u64)>> {
    let (digest, size) = hash_open(reader.take(limit.saturating_add(1)), len, buf)?;
    Ok((size <= limit).then_some((digest, size)))
}

/// Measures the file at `path` (not following a symbolic link at its last component). With the
/// size it was sealed with, `sealed`: a file whose size on disk differs is not read at all
/// ([`Measurement::OtherSize`]), and one that grows while it is read is read no further than one
/// byte past the sealed size — so a sealed 5-byte file replaced by a 50 GiB one costs one `stat`.
pub fn measure_file(path: &Path, buf: &mut [u8], sealed: Option<u64>) -> Measurement {
    let measured = (|| -> io::Result<Measurement> {
        let (file, len) = open_no_follow(path)?;
        let Some(sealed) = sealed else {
            let (digest, size) = hash_open(file, len, buf)?;
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

#[cfg(unix)]
fn open_no_follow(path: &Path) -> io::Result<(File, u64)> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NOFOLLOW: a symlink swapped in after the walk is refused, not followed.
    // O_NONBLOCK: a FIFO swapped in after the walk cannot make the open hang.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok((file, meta.len()))
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> io::Result<(File, u64)> {
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok((File::open(path)?, meta.len()))
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
            hash_up_to(
                io::repeat(7),
                PIPELINE_MIN_SIZE,
                PIPELINE_MIN_SIZE,
                &mut buf
            )
            .unwrap(),
            None
        );
        let counted = Counting(io::repeat(1), 0);
        let mut reader = counted;
        assert_eq!(hash_up_to(&mut reader, 10, 10, &mut buf).unwrap(), None);
        assert!(reader.1 <= 11, "read {} bytes", reader.1);
        let exact = hash_up_to(&b"hello"[..], 5, 5, &mut buf).unwrap();
        assert_eq!(exact, Some((Sha256Digest::of(b"hello"), 5)));
        let short = hash_up_to(&b"hell"[..], 5, 5, &mut buf).unwrap();
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

    #[test]
    fn pipelined_hash_matches_one_shot_hash_and_passes_on_read_errors() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
        let (d, n) = hash_reader_pipelined(&data[..]).unwrap();
        assert_eq!((d, n), (Sha256Digest::of(&data), 3_000_000));
        assert_eq!(
            hash_reader_pipelined(&b""[..]).unwrap().0,
            Sha256Digest::of(b"")
        );
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk on fire"));
                }
                self.0 -= 1;
                buf[0] = 1;
                Ok(1)
            }
        }
        let err = hash_reader_pipelined(Failing(10)).unwrap_err();
        assert_eq!(err.to_string(), "disk on fire");
    }
}
