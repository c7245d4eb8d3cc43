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
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use super::{ArchiveFormat, EntryKind, RawEntry, damaged};
use crate::digest::{Fixity, HASH_BUFFER_SIZE, ReadBuffer, hash_reader};
use crate::error::{Error, Result};
use crate::inventory::{Measurement, Progress};
use crate::walk::SkipKind;

/// The most header data (headers, long names, pax records) read before one entry.
const METADATA_LIMIT: u64 = 16 * 1024 * 1024;

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
            let total = self.meter.outside.get() + n as u64;
            self.meter.outside.set(total);
            if total > METADATA_LIMIT {
                self.meter.over_limit.set(true);
                return Err(io::Error::other("tar metadata limit passed"));
            }
        }
        Ok(n)
    }
}

/// Reads every entry of the tar archive at `path`.
pub(super) fn read(
    path: &Path,
    format: ArchiveFormat,
    progress: &dyn Progress,
) -> Result<Vec<RawEntry>> {
    let file = File::open(path).map_err(|e| Error::io(path, "cannot read archive", e))?;
    let file = BufReader::with_capacity(HASH_BUFFER_SIZE, file);
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
    let mut buf = ReadBuffer::new(HASH_BUFFER_SIZE);
    for item in archive.entries().map_err(fail)? {
        let mut entry = item.map_err(fail)?;
        meter.outside.set(0);
        let name = entry.path_bytes().into_owned();
        let t = entry.header().entry_type();
        meter.in_data.set(true);
        let kind = if t.is_file() || t.is_contiguous() || t.is_gnu_sparse() {
            let declared = entry.size();
            let (digest, size) = hash_reader(&mut entry, buf.as_mut_slice()).map_err(fail)?;
            if size != declared {
                return Err(truncated(path, format));
            }
            progress.file_done(size);
            Some(EntryKind::File(Measurement::Hashed(Fixity {
                size,
                digest,
            })))
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
