//! Tar archives, plain or compressed with gzip or Zstandard, read as one stream with the `tar`,
//! `flate2` and `zstd` crates: each regular-file entry is hashed as it passes, nothing is
//! unpacked or written.
//!
//! The stream is wrapped in a [`Metered`] reader that watches what the `tar` crate reads on its
//! own (headers, GNU long names, pax extended headers — which it holds in memory) and stops at
//! [`METADATA_LIMIT`] bytes before one entry, so a crafted header cannot exhaust memory; it also
//! notices the end of the data, so that a tar without its end-of-archive blocks is reported as
//! truncated rather than read as a shorter collection. After the last entry the rest of the
//! stream is read too, so that the gzip or zstd checksums at its end are checked.

use std::cell::{Cell, RefCell};
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::rc::Rc;
use std::sync::{Condvar, Mutex, PoisonError, mpsc};

use sha2::{Digest as _, Sha256};

use super::{ArchiveFormat, EntryKind, RawEntry, TarSizes, damaged};
use crate::collection::hashing::{HASH_BUFFER_SIZE, hash_pool};
use crate::collection::{Measurement, Progress, SkipKind};
use crate::digest::{Fixity, Sha256Digest};
use crate::error::{Error, Result};

/// The most header data (headers, long names, pax records) read before one entry.
const METADATA_LIMIT: u64 = 16 * 1024 * 1024;

/// The most zeros the holes of an archive's GNU sparse entries may expand to, when they are to be
/// hashed without a sealed size that vouches for them (seal): a few hundred bytes of sparse map
/// can describe a petabyte of holes, and hashing zeros is work the archive's size does not bound.
/// Verify never expands a sparse entry whose sealed size differs, or that is not sealed.
pub(super) const SPARSE_HOLES_LIMIT: u64 = 64 << 30;

const BLOCK: usize = 512;

/// True for a block that starts a tar archive: a ustar/pax/GNU header (`ustar` at offset 257),
/// or an all-zero block (the end marker of an empty archive).
pub(super) fn is_tar_block(head: &[u8]) -> bool {
    head.len() >= BLOCK && (&head[257..262] == b"ustar" || head[..BLOCK].iter().all(|&b| b == 0))
}

/// What the [`Metered`] reader saw.
#[derive(Default)]
struct Meter {
    /// True while docseal itself reads an entry's data.
    in_data: Cell<bool>,
    /// Bytes of an entry docseal does not read, which the tar crate skips: data, not metadata.
    skipping: Cell<u64>,
    /// Bytes read by the tar crate itself since the last entry.
    outside: Cell<u64>,
    /// The stream ended (a read returned nothing).
    hit_eof: Cell<bool>,
    /// The metadata limit was passed.
    over_limit: Cell<bool>,
    /// The error the decompressor (or the file) gave, if any.
    stream_error: RefCell<Option<io::Error>>,
}

struct Metered<R> {
    inner: R,
    meter: Rc<Meter>,
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) => {
                let copy = io::Error::new(e.kind(), e.to_string());
                self.meter.stream_error.borrow_mut().get_or_insert(e);
                return Err(copy);
            }
        };
        if n == 0 && !buf.is_empty() {
            self.meter.hit_eof.set(true);
        }
        if !self.meter.in_data.get() {
            let skipped = self.meter.skipping.get().min(n as u64);
            self.meter.skipping.set(self.meter.skipping.get() - skipped);
            let total = self.meter.outside.get() + n as u64 - skipped;
            self.meter.outside.set(total);
            if total > METADATA_LIMIT {
                self.meter.over_limit.set(true);
                return Err(io::Error::other("tar metadata limit passed"));
            }
        }
        Ok(n)
    }
}

/// Reads every entry of the tar archive `input` (read from `path`, named in messages, from its
/// first byte and never seeked): the stream is read on this thread, and the
/// files' contents are hashed on a pool of `jobs` threads meanwhile.
pub(super) fn read(
    path: &Path,
    input: impl Read,
    format: ArchiveFormat,
    jobs: usize,
    mut sealed: Option<TarSizes<'_>>,
    progress: &dyn Progress,
) -> Result<Vec<RawEntry>> {
    let file = BufReader::with_capacity(HASH_BUFFER_SIZE, input);
    let stream: Box<dyn Read> = match format {
        ArchiveFormat::TarGz => Box::new(flate2::bufread::MultiGzDecoder::new(file)),
        ArchiveFormat::TarZst => Box::new(
            zstd::stream::read::Decoder::with_buffer(file)
                .map_err(|e| Error::io(path, "cannot start the zstd decoder for", e))?,
        ),
        _ => Box::new(file),
    };
    let meter = Rc::new(Meter::default());
    let mut metered = Metered {
        inner: stream,
        meter: Rc::clone(&meter),
    };
    let fail = |e: io::Error| stream_failure(path, format, &meter, &e);

    // A compressed archive must hold a tar.
    let mut head = Vec::with_capacity(BLOCK);
    (&mut metered)
        .take(BLOCK as u64)
        .read_to_end(&mut head)
        .map_err(fail)?;
    if !is_tar_block(&head) {
        return Err(Error::invalid(
            path,
            format!(
                "is {} but what it holds is not a tar archive; docseal reads tar, tar.gz, tar.zst and zip archives",
                compressed(format)
            ),
        ));
    }
    let mut archive = tar::Archive::new(io::Cursor::new(head).chain(metered));
    let mut found = Vec::new();
    let (done, results) = mpsc::channel::<(usize, Measurement)>();
    let permits = Permits::new(2 * jobs.max(1) + 2);
    let buffers = Buffers::default();
    let mut holes = 0u64;
    hash_pool(jobs)?.in_place_scope(|scope| -> Result<()> {
        for item in archive.entries().map_err(fail)? {
            let mut entry = item.map_err(fail)?;
            meter.outside.set(0);
            let name = entry.path_bytes().into_owned();
            let t = entry.header().entry_type();
            meter.in_data.set(true);
            let is_file = t.is_file() || t.is_contiguous() || t.is_gnu_sparse();
            let declared = entry.size();
            let plan = match is_file {
                true => plan(&entry, sealed.as_mut(), &name, &mut holes)
                    .map_err(|why| Error::invalid(path, why))?,
                false => Plan::Read,
            };
            let kind = if let Plan::Skip(stored) = plan {
                // Not read: the tar crate skips its stored bytes, which are data, not metadata.
                meter.skipping.set(stored);
                progress.file_done(0);
                Some(EntryKind::File(Measurement::OtherSize(declared)))
            } else if is_file {
                // Read here, hashed on the pool; the measurement fills this entry in at the end.
                let slot = found.len();
                let spawn = |job: HashJob| {
                    permits.acquire();
                    let (done, permits, buffers) = (done.clone(), &permits, &buffers);
                    scope.spawn(move |_| {
                        let (digest, size) = job.hash(buffers);
                        progress.file_done(size);
                        permits.release();
                        // The receiver is read after the scope, which waits for every job.
                        let _ = done.send((slot, Measurement::Hashed(Fixity { size, digest })));
                    });
                };
                let size = if declared <= PIECE as u64 {
                    let mut data = buffers.take();
                    entry.read_to_end(&mut data).map_err(fail)?;
                    let size = data.len() as u64;
                    spawn(HashJob::Whole(data));
                    size
                } else {
                    // The job starts first and hashes the pieces as they are read.
                    let (pieces, receive) = mpsc::sync_channel(PIECES_AHEAD);
                    spawn(HashJob::Pieces(receive));
                    stream_pieces(&mut entry, &pieces, &buffers).map_err(fail)?
                };
                if size != declared {
                    return Err(truncated(path, format));
                }
                Some(EntryKind::File(Measurement::Vanished))
            } else {
                io::copy(&mut entry, &mut io::sink()).map_err(fail)?;
                if meter.hit_eof.get() {
                    return Err(truncated(path, format));
                }
                match t {
                    _ if t.is_dir() => Some(EntryKind::Dir),
                    _ if t.is_symlink() => Some(EntryKind::Skip(SkipKind::Symlink)),
                    _ if t.is_hard_link() => Some(EntryKind::Skip(SkipKind::Hardlink)),
                    _ if t.is_fifo() => Some(EntryKind::Skip(SkipKind::Fifo)),
                    _ if t.is_character_special() || t.is_block_special() => {
                        Some(EntryKind::Skip(SkipKind::Device))
                    }
                    // A pax global header or a GNU volume label describes the archive, not a file.
                    _ if t.is_pax_global_extensions() || t.as_byte() == b'V' => None,
                    _ => Some(EntryKind::Skip(SkipKind::Other)),
                }
            };
            meter.in_data.set(false);
            if let Some(kind) = kind {
                found.push(RawEntry::new(&name, kind));
            }
        }
        Ok(())
    })?;
    drop(done);
    for (slot, measurement) in results.try_iter() {
        if let Some(entry) = found.get_mut(slot) {
            entry.kind = EntryKind::File(measurement);
        }
    }
    // The entries ended: at the end-of-archive blocks, or — for a truncated archive — at the
    // end of the data.
    if meter.hit_eof.get() {
        return Err(truncated(path, format));
    }
    // Read the rest (padding, then the compressed stream's end and checksum).
    meter.in_data.set(true);
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(fail)?;
    Ok(found)
}

/// Whether a regular-file entry's data is read.
enum Plan {
    Read,
    /// Left unread: this many bytes of the stream (its stored data and padding) are skipped.
    Skip(u64),
}

/// Decides, from its header alone, whether a regular-file entry is read: not when verify knows
/// it by another size (it is modified, and the size shows it), nor when it is a GNU sparse entry
/// verify has no sealed size for (its holes would be hashed for nothing). The holes of the sparse
/// entries that are read without a sealed size (seal) are added to `holes`, and refused past
/// [`SPARSE_HOLES_LIMIT`].
fn plan<R: Read>(
    entry: &tar::Entry<'_, R>,
    sealed: Option<&mut TarSizes<'_>>,
    name: &[u8],
    holes: &mut u64,
) -> std::result::Result<Plan, String> {
    let declared = entry.size();
    let sparse = entry.header().entry_type().is_gnu_sparse();
    // A sparse entry's header gives its stored size; the data of any other is its size.
    let stored = match sparse {
        true => entry.header().entry_size().unwrap_or(declared),
        false => declared,
    };
    let skip = Plan::Skip(stored.div_ceil(BLOCK as u64) * BLOCK as u64);
    let hole = declared.saturating_sub(stored);
    match sealed.map(|s| s.of(name)) {
        Some(sizes) if !sizes.is_empty() && !sizes.contains(&declared) => Ok(skip),
        Some(sizes) if sizes.is_empty() && hole > 0 => Ok(skip),
        Some(_) => Ok(Plan::Read),
        None => {
            *holes = holes.saturating_add(hole);
            if *holes > SPARSE_HOLES_LIMIT {
                return Err(format!(
                    "its GNU sparse entries expand to more than {} GiB of holes (zeros that would all be hashed); docseal refuses so much work from so small an archive — unpack it with GNU tar and seal the folder if it is genuine",
                    SPARSE_HOLES_LIMIT >> 30
                ));
            }
            Ok(Plan::Read)
        }
    }
}

/// Files up to this size are read whole and hashed as one job; a larger one is handed to its job
/// in pieces of this size while it is read.
const PIECE: usize = 1 << 20;

/// Pieces of one large file read ahead of its hashing job.
const PIECES_AHEAD: usize = 4;

/// What a hashing job hashes: a whole small file, or the pieces of a large one as they come.
enum HashJob {
    Whole(Vec<u8>),
    Pieces(mpsc::Receiver<Vec<u8>>),
}

impl HashJob {
    /// The digest and size of what it was given; its buffers go back to `buffers`.
    fn hash(self, buffers: &Buffers) -> (Sha256Digest, u64) {
        match self {
            HashJob::Whole(data) => {
                let hashed = (Sha256Digest::of(&data), data.len() as u64);
                buffers.give(data);
                hashed
            }
            HashJob::Pieces(pieces) => {
                let mut hasher = Sha256::new();
                let mut size = 0;
                for piece in pieces {
                    hasher.update(&piece);
                    size += piece.len() as u64;
                    buffers.give(piece);
                }
                (Sha256Digest::from_bytes(hasher.finalize().into()), size)
            }
        }
    }
}

/// Read buffers of [`PIECE`] bytes, handed back by the hashing jobs to be filled again (a fresh
/// 1 MiB allocation per file costs the kernel a round of page faults and zeroing, as much as the
/// copy itself). Never more exist than jobs and pieces in flight.
#[derive(Default)]
struct Buffers(Mutex<Vec<Vec<u8>>>);

impl Buffers {
    fn take(&self) -> Vec<u8> {
        let free = self.0.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let mut buffer = free.unwrap_or_else(|| Vec::with_capacity(PIECE));
        buffer.clear();
        buffer
    }

    fn give(&self, buffer: Vec<u8>) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(buffer);
    }
}

/// Reads `entry` to its end in pieces, sending each to its hashing job; returns the size read.
fn stream_pieces(
    entry: &mut impl Read,
    pieces: &mpsc::SyncSender<Vec<u8>>,
    buffers: &Buffers,
) -> io::Result<u64> {
    let mut size = 0u64;
    loop {
        let mut piece = buffers.take();
        (&mut *entry).take(PIECE as u64).read_to_end(&mut piece)?;
        if piece.is_empty() {
            buffers.give(piece);
            return Ok(size);
        }
        size += piece.len() as u64;
        if pieces.send(piece).is_err() {
            return Err(io::Error::other("the hashing job stopped"));
        }
    }
}

/// A count of hashing jobs allowed in flight, so that the read-ahead (at most [`PIECE`] bytes per
/// job) stays bounded however fast the archive is read.
struct Permits {
    free: Mutex<usize>,
    freed: Condvar,
}

impl Permits {
    fn new(n: usize) -> Self {
        Permits {
            free: Mutex::new(n),
            freed: Condvar::new(),
        }
    }

    fn acquire(&self) {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
    }

    fn release(&self) {
        *self.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.freed.notify_one();
    }
}

fn compressed(format: ArchiveFormat) -> &'static str {
    match format {
        ArchiveFormat::TarGz => "gzip-compressed",
        ArchiveFormat::TarZst => "zstd-compressed",
        _ => "a tar archive",
    }
}

fn truncated(path: &Path, format: ArchiveFormat) -> Error {
    damaged(
        path,
        format!(
            "{} archive ends early (truncated, or an entry's declared size is larger than its data)",
            format.describe()
        ),
    )
}

/// The error for a failure while reading the stream: the decompressor's, the tar crate's, or
/// the metadata limit.
fn stream_failure(path: &Path, format: ArchiveFormat, meter: &Meter, err: &io::Error) -> Error {
    if let Some(e) = meter.stream_error.borrow().as_ref() {
        let codec = match format {
            ArchiveFormat::TarGz => "gzip stream",
            ArchiveFormat::TarZst => "zstd stream",
            _ => "file",
        };
        if e.kind() == io::ErrorKind::UnexpectedEof {
            return damaged(path, format!("{codec} ends early (truncated)"));
        }
        if format == ArchiveFormat::Tar {
            return Error::io(
                path,
                "cannot read archive",
                io::Error::new(e.kind(), e.to_string()),
            );
        }
        return damaged(path, format!("{codec} is corrupt ({e})"));
    }
    if meter.over_limit.get() {
        return Error::invalid(
            path,
            format!(
                "a tar entry's headers (long name or pax records) exceed {} MiB; docseal refuses to hold them in memory",
                METADATA_LIMIT / (1024 * 1024)
            ),
        );
    }
    if meter.hit_eof.get() {
        return truncated(path, format);
    }
    damaged(
        path,
        format!("{} header is invalid ({err})", format.describe()),
    )
}
