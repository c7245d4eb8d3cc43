//! Zip archives, read with the `zip` crate through the central directory of the (seekable) file.
//!
//! Before any data is read, every entry's local header is checked against the central directory
//! (signature, name, and — unless the entry is streamed with a data descriptor — CRC-32 and
//! sizes), the entries' byte ranges are checked not to overlap, and the entries the central
//! directory lists (local header, data, data descriptor) must tile the file from its first byte to
//! the central directory: an archive that shows one thing to a reader of its central directory and
//! another to a streaming reader (a local entry no record lists), or whose entries share data (the
//! overlapping "zip bomb" construction), is refused as damaged. Then each
//! regular-file entry is streamed through the hasher, reading at most one byte more than its
//! declared size: an entry whose data is not what the central directory declares (size or
//! CRC-32) is unreadable, with the reason.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use zip::result::ZipError;

use super::{EntryKind, RawEntry, damaged};
use crate::collection::hashing::{HASH_BUFFER_SIZE, hash_pool, hash_reader, with_thread_buffer};
use crate::collection::{Measurement, Progress, SkipKind};
use crate::digest::Fixity;
use crate::error::{Error, Result, describe_io};

const LOCAL_HEADER_SIGNATURE: u32 = 0x0403_4b50;
const LOCAL_HEADER_LEN: usize = 30;
/// The flag bit saying that CRC-32 and sizes follow the data (a streamed entry).
const DATA_DESCRIPTOR_FLAG: u16 = 1 << 3;
/// A 32-bit size field with this value is in the zip64 extra field instead.
const ZIP64_MARKER: u32 = u32::MAX;

/// What the central directory says about one entry.
struct Listed {
    name: Vec<u8>,
    size: u64,
    compressed_size: u64,
    crc32: u32,
    header_start: u64,
    data_start: u64,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    Skip(SkipKind),
}

/// Reads every entry of the zip archive at `path`, hashing entries on `jobs` threads.
/// `sealed` is given the listed entries (their regular files not yet read) and answers, for
/// each, its sealed size, if known: an entry whose declared size differs is not read.
pub(super) fn read(
    path: &Path,
    jobs: usize,
    progress: &dyn Progress,
    sealed: impl FnOnce(&[RawEntry]) -> Vec<Option<u64>>,
) -> Result<Vec<RawEntry>> {
    let open = || {
        File::open(path)
            .map(|f| BufReader::with_capacity(HASH_BUFFER_SIZE, f))
            .map_err(|e| Error::io(path, "cannot read archive", e))
    };
    let mut zip = zip::ZipArchive::new(OwnHandle::open(path)?).map_err(|e| zip_failure(path, e))?;
    let mut local = open()?;
    let mut listed = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| zip_failure(path, e))?;
        let kind = classify(entry.is_dir(), entry.unix_mode());
        let item = Listed {
            name: entry.name_raw().to_vec(),
            size: entry.size(),
            compressed_size: entry.compressed_size(),
            crc32: entry.crc32(),
            header_start: entry.header_start(),
            data_start: entry.data_start().unwrap_or(entry.header_start()),
            kind,
        };
        drop(entry);
        check_local_header(&mut local, path, i, &item)?;
        listed.push(item);
    }
    check_no_overlap(path, &listed)?;
    let central_start = zip.central_directory_start();
    let records = central_records(&mut local, path, central_start)?;
    check_tiling(&mut local, path, &records, central_start)?;
    let hidden = hidden_duplicates(&records, &listed);
    let unread: Vec<RawEntry> = listed
        .iter()
        .map(|item| RawEntry::new(&item.name, listed_kind(item.kind)))
        .collect();
    let sizes = sealed(&unread);
    drop(unread);

    // Entries are hashed in parallel, one entry per task (rayon's default splitting gave a run of
    // neighbouring entries to one thread, so large entries that sat together were hashed on one
    // core), each thread reading through its own handle on the file (a clone of the archive opens
    // it again) and its own read buffer.
    let jobs = jobs.max(1);
    let handles: Vec<Mutex<zip::ZipArchive<OwnHandle>>> =
        (0..jobs).map(|_| Mutex::new(zip.clone())).collect();
    drop(zip);
    let kinds: Vec<EntryKind> = hash_pool(jobs)?.install(|| {
        listed
            .par_iter()
            .enumerate()
            .with_max_len(1)
            .map(|(i, item)| match sizes.get(i).copied().flatten() {
                Some(size) if item.kind == Kind::File && size != item.size => {
                    progress.file_done(0);
                    Ok(EntryKind::File(Measurement::OtherSize(item.size)))
                }
                _ => {
                    // This thread's handle: only this thread takes its lock.
                    let thread = rayon::current_thread_index().unwrap_or(0) % jobs;
                    let mut zip = handles[thread].lock().unwrap_or_else(|e| e.into_inner());
                    entry_kind(path, &mut zip, i, item, progress)
                }
            })
            .collect::<Result<_>>()
    })?;
    let mut found: Vec<RawEntry> = listed
        .iter()
        .zip(kinds)
        .map(|(item, kind)| RawEntry::new(&item.name, kind))
        .collect();
    for (name, kind) in hidden {
        found.push(RawEntry::new(&name, kind));
    }
    Ok(found)
}

/// What a listed entry is, before its data is read.
fn listed_kind(kind: Kind) -> EntryKind {
    match kind {
        Kind::Dir => EntryKind::Dir,
        Kind::Skip(k) => EntryKind::Skip(k),
        Kind::File => EntryKind::File(Measurement::Vanished),
    }
}

/// What entry `i` is; a regular file is hashed (reading at most one byte more than declared).
fn entry_kind(
    path: &Path,
    zip: &mut zip::ZipArchive<OwnHandle>,
    i: usize,
    item: &Listed,
    progress: &dyn Progress,
) -> Result<EntryKind> {
    Ok(match item.kind {
        Kind::Dir => EntryKind::Dir,
        Kind::Skip(k) => EntryKind::Skip(k),
        Kind::File => {
            let measurement = match zip.by_index(i) {
                Ok(mut data) => {
                    let limited = (&mut data).take(item.size.saturating_add(1));
                    with_thread_buffer(|buf| measure(hash_reader(limited, buf), item.size))
                }
                Err(ZipError::UnsupportedArchive(why)) => Measurement::Unreadable(format!(
                    "docseal cannot read this zip entry ({}); rebuild the archive with plain deflate, unencrypted",
                    why.to_lowercase()
                )),
                Err(e) => return Err(zip_failure(path, e)),
            };
            if let Measurement::Hashed(fx) = &measurement {
                progress.file_done(fx.size);
            } else {
                progress.file_done(0);
            }
            EntryKind::File(measurement)
        }
    })
}

/// A buffered handle on the archive file that, when cloned, opens the file again (on first use):
/// threads reading entries in parallel each seek and read through their own. A file at the path
/// that is no longer the one first opened (same device and inode) is an error.
struct OwnHandle {
    path: Arc<PathBuf>,
    identity: (u64, u64),
    file: Option<BufReader<File>>,
}

impl OwnHandle {
    fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, "cannot read archive", e))?;
        let meta = file
            .metadata()
            .map_err(|e| Error::io(path, "cannot read archive", e))?;
        Ok(OwnHandle {
            path: Arc::new(path.to_path_buf()),
            identity: identity(&meta),
            file: Some(BufReader::with_capacity(HASH_BUFFER_SIZE, file)),
        })
    }

    fn handle(&mut self) -> io::Result<&mut BufReader<File>> {
        if self.file.is_none() {
            let file = File::open(self.path.as_path())?;
            if identity(&file.metadata()?) != self.identity {
                return Err(io::Error::other(
                    "the archive file was replaced while it was being read",
                ));
            }
            self.file = Some(BufReader::with_capacity(HASH_BUFFER_SIZE, file));
        }
        match self.file.as_mut() {
            Some(f) => Ok(f),
            None => Err(io::Error::other("archive file not open")),
        }
    }
}

impl Clone for OwnHandle {
    fn clone(&self) -> Self {
        OwnHandle {
            path: Arc::clone(&self.path),
            identity: self.identity,
            file: None,
        }
    }
}

impl Read for OwnHandle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.handle()?.read(buf)
    }
}

impl Seek for OwnHandle {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.handle()?.seek(pos)
    }
}

/// The device and inode of a file (zeros where the platform has none).
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        (0, 0)
    }
}

/// One record of the central directory, as docseal reads it itself: the `zip` crate keeps only
/// the last record of a repeated name, and the tiling check needs every record.
struct Record {
    name: Vec<u8>,
    header_start: u64,
    compressed_size: u64,
    crc32: u32,
    flags: u16,
}

/// Every record of the central directory starting at `start`.
fn central_records<R: Read + Seek>(local: &mut R, path: &Path, start: u64) -> Result<Vec<Record>> {
    const CENTRAL_SIGNATURE: &[u8; 4] = b"PK\x01\x02";
    const CENTRAL_LEN: usize = 46;
    let broken = || damaged(path, "zip central directory is cut off");
    local.seek(SeekFrom::Start(start)).map_err(|_| broken())?;
    let mut records = Vec::new();
    let mut fixed = [0u8; CENTRAL_LEN];
    loop {
        match local.read_exact(&mut fixed) {
            Ok(()) if &fixed[..4] == CENTRAL_SIGNATURE => {}
            _ => break,
        }
        let u16_at = |o: usize| u16::from_le_bytes([fixed[o], fixed[o + 1]]);
        let u32_at =
            |o: usize| u32::from_le_bytes([fixed[o], fixed[o + 1], fixed[o + 2], fixed[o + 3]]);
        let mut name = vec![0u8; usize::from(u16_at(28))];
        local.read_exact(&mut name).map_err(|_| broken())?;
        let mut extra = vec![0u8; usize::from(u16_at(30))];
        local.read_exact(&mut extra).map_err(|_| broken())?;
        local
            .seek(SeekFrom::Current(i64::from(u16_at(32))))
            .map_err(|_| broken())?;
        // Fields set to the zip64 marker are in the zip64 extra field, in this order.
        let mut wide = zip64_fields(&extra).into_iter();
        let mut field = |narrow: u32| {
            if narrow == ZIP64_MARKER {
                wide.next()
            } else {
                Some(u64::from(narrow))
            }
        };
        let _size = field(u32_at(24));
        let compressed_size = field(u32_at(20));
        let header_start = field(u32_at(42));
        let (Some(compressed_size), Some(header_start)) = (compressed_size, header_start) else {
            return Err(damaged(
                path,
                "zip central directory names a zip64 size or offset its record does not hold",
            ));
        };
        records.push(Record {
            name,
            header_start,
            compressed_size,
            crc32: u32_at(16),
            flags: u16_at(8),
        });
    }
    Ok(records)
}

/// The 64-bit values of the zip64 extended-information extra field (id 1), in order. When there
/// are several, the last counts, as for the `zip` crate (whose writer, for a `large_file` entry,
/// leaves a placeholder field before the real one).
fn zip64_fields(extra: &[u8]) -> Vec<u64> {
    let mut at = 0;
    let mut found = Vec::new();
    while at + 4 <= extra.len() {
        let id = u16::from_le_bytes([extra[at], extra[at + 1]]);
        let len = usize::from(u16::from_le_bytes([extra[at + 2], extra[at + 3]]));
        let body = extra.get(at + 4..at + 4 + len).unwrap_or(&[]);
        if id == 1 {
            found = body
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect();
        }
        at += 4 + len;
    }
    found
}

/// Requires the entries the central directory lists to tile the file from its first byte to the
/// central directory: each local header, its data, and its data descriptor (if it has one) follow
/// one another with no byte left over. Bytes no record accounts for may hold an entry that a
/// streaming reader (`bsdtar -xf -`) unpacks and a central-directory reader never sees.
fn check_tiling<R: Read + Seek>(
    local: &mut R,
    path: &Path,
    records: &[Record],
    central_start: u64,
) -> Result<()> {
    let mut order: Vec<&Record> = records.iter().collect();
    order.sort_by_key(|r| r.header_start);
    let unlisted = |from: u64, to: u64| {
        damaged(
            path,
            format!(
                "zip bytes {from}..{to} belong to no entry of the central directory (an entry hidden from some readers, or a damaged archive)"
            ),
        )
    };
    let mut at = 0u64;
    for (k, record) in order.iter().enumerate() {
        if record.header_start != at {
            return Err(unlisted(
                at.min(record.header_start),
                at.max(record.header_start),
            ));
        }
        let mut fixed = [0u8; LOCAL_HEADER_LEN];
        local
            .seek(SeekFrom::Start(at))
            .and_then(|_| local.read_exact(&mut fixed))
            .map_err(|_| damaged(path, "zip archive ends early (truncated)"))?;
        let len = |o: usize| u64::from(u16::from_le_bytes([fixed[o], fixed[o + 1]]));
        let data_end = at
            .saturating_add(LOCAL_HEADER_LEN as u64 + len(26) + len(28))
            .saturating_add(record.compressed_size);
        let next = order.get(k + 1).map_or(central_start, |r| r.header_start);
        at = data_end;
        if record.flags & DATA_DESCRIPTOR_FLAG != 0 && next > data_end {
            at = data_end
                + descriptor_len(local, data_end, next - data_end, record.crc32)
                    .ok_or_else(|| unlisted(data_end, next))?;
        }
    }
    if at != central_start {
        return Err(unlisted(at.min(central_start), at.max(central_start)));
    }
    Ok(())
}

/// The length of the data descriptor at `at` when it fills the `gap` bytes before the next
/// entry exactly: 12 or 20 bytes (32- or 64-bit sizes), 16 or 24 with its optional signature,
/// holding the entry's CRC-32. A local header takes at least 30 bytes, so no entry fits beside it.
fn descriptor_len<R: Read + Seek>(local: &mut R, at: u64, gap: u64, crc32: u32) -> Option<u64> {
    const SIGNATURE: &[u8; 4] = b"PK\x07\x08";
    if !(12..=24).contains(&gap) {
        return None;
    }
    let mut bytes = vec![0u8; usize::try_from(gap).ok()?];
    local.seek(SeekFrom::Start(at)).ok()?;
    local.read_exact(&mut bytes).ok()?;
    let signed = bytes.starts_with(SIGNATURE);
    let (lens, crc_at) = if signed { ([16, 24], 4) } else { ([12, 20], 0) };
    let crc = u32::from_le_bytes(bytes.get(crc_at..crc_at + 4)?.try_into().ok()?);
    (lens.contains(&gap) && crc == crc32).then_some(gap)
}

/// The central directory records that the `zip` crate folds together because they repeat a
/// name (it keeps only the last): one entry each, so that the name is reported as ambiguous.
fn hidden_duplicates(records: &[Record], listed: &[Listed]) -> Vec<(Vec<u8>, EntryKind)> {
    if records.len() <= listed.len() {
        return Vec::new();
    }
    let mut hidden = Vec::new();
    for item in listed {
        let copies = records.iter().filter(|r| r.name == item.name).count();
        for _ in 1..copies {
            let kind = match item.kind {
                Kind::Dir => EntryKind::Dir,
                Kind::Skip(k) => EntryKind::Skip(k),
                Kind::File => EntryKind::File(Measurement::Unreadable(
                    "the archive holds several entries with this name".to_string(),
                )),
            };
            hidden.push((item.name.clone(), kind));
        }
    }
    hidden
}

/// What hashing an entry of declared size `declared` gave.
fn measure(hashed: io::Result<(crate::digest::Sha256Digest, u64)>, declared: u64) -> Measurement {
    match hashed {
        Ok((digest, size)) if size == declared => Measurement::Hashed(Fixity { size, digest }),
        Ok((_, size)) => Measurement::Unreadable(format!(
            "damaged in the archive: the central directory declares {declared} bytes but the entry holds {}",
            if size > declared {
                "more".to_string()
            } else {
                size.to_string()
            }
        )),
        Err(e) if e.to_string().contains("checksum") => Measurement::Unreadable(
            "damaged in the archive: its data does not match its CRC-32".to_string(),
        ),
        Err(e) => Measurement::Unreadable(format!("damaged in the archive: {}", describe_io(&e))),
    }
}

/// The kind of an entry from its name and Unix mode bits. Zip has no device, FIFO or socket
/// entries: their mode bits are an accident of how the data was read (`zip` records a FIFO for
/// data read from a pipe, `printf x | zip out.zip -`), and Info-ZIP's `unzip` extracts such an
/// entry as a regular file with its data — so docseal reads it as one too. Only folders and
/// symbolic links are not files.
fn classify(is_dir: bool, mode: Option<u32>) -> Kind {
    const S_IFMT: u32 = 0o170_000;
    match mode.map(|m| m & S_IFMT) {
        _ if is_dir => Kind::Dir,
        Some(0o040_000) => Kind::Dir,
        Some(0o120_000) => Kind::Skip(SkipKind::Symlink),
        _ => Kind::File,
    }
}

/// Checks that the local header of entry `i` says what the central directory says.
fn check_local_header<R: Read + Seek>(
    local: &mut R,
    path: &Path,
    i: usize,
    item: &Listed,
) -> Result<()> {
    let shown = String::from_utf8_lossy(&item.name);
    let disagree = |what: &str| {
        damaged(
            path,
            format!(
                "zip entry {} (\"{}\"): its local header and the central directory disagree about its {what}",
                i + 1,
                shown.escape_debug()
            ),
        )
    };
    let mut fixed = [0u8; LOCAL_HEADER_LEN];
    local
        .seek(SeekFrom::Start(item.header_start))
        .and_then(|_| local.read_exact(&mut fixed))
        .map_err(|_| disagree("position (no local header there)"))?;
    let u16_at = |o: usize| u16::from_le_bytes([fixed[o], fixed[o + 1]]);
    let u32_at =
        |o: usize| u32::from_le_bytes([fixed[o], fixed[o + 1], fixed[o + 2], fixed[o + 3]]);
    if u32_at(0) != LOCAL_HEADER_SIGNATURE {
        return Err(disagree("position (no local header there)"));
    }
    let mut name = vec![0u8; usize::from(u16_at(26))];
    local.read_exact(&mut name).map_err(|_| disagree("name"))?;
    if name != item.name {
        return Err(disagree("name"));
    }
    if u16_at(6) & DATA_DESCRIPTOR_FLAG == 0 {
        if u32_at(14) != item.crc32 {
            return Err(disagree("CRC-32"));
        }
        let sizes = [(u32_at(18), item.compressed_size), (u32_at(22), item.size)];
        if sizes
            .iter()
            .any(|&(local, central)| local != ZIP64_MARKER && u64::from(local) != central)
        {
            return Err(disagree("size"));
        }
    }
    Ok(())
}

/// Refuses an archive in which two entries share bytes.
fn check_no_overlap(path: &Path, listed: &[Listed]) -> Result<()> {
    let mut ranges: Vec<Range<u64>> = listed
        .iter()
        .map(|l| l.header_start..l.data_start.saturating_add(l.compressed_size))
        .collect();
    ranges.sort_by_key(|r| r.start);
    if ranges.windows(2).any(|w| w[1].start < w[0].end) {
        return Err(damaged(
            path,
            "zip entries overlap one another (a crafted archive, such as an overlapping zip bomb)",
        ));
    }
    Ok(())
}

fn zip_failure(path: &Path, err: ZipError) -> Error {
    match err {
        ZipError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            damaged(path, "zip archive ends early (truncated)")
        }
        ZipError::Io(e) => Error::io(path, "cannot read archive", e),
        ZipError::InvalidArchive(why) => damaged(path, format!("zip archive is invalid ({why})")),
        ZipError::UnsupportedArchive(why) => Error::invalid(
            path,
            format!("docseal cannot read this zip archive ({why}); rebuild it as a plain zip"),
        ),
        other => damaged(path, format!("zip archive is invalid ({other})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_mode_bits_decide_what_an_entry_is() {
        assert!(classify(false, None) == Kind::File);
        assert!(classify(false, Some(0o100_644)) == Kind::File);
        assert!(classify(true, Some(0o100_644)) == Kind::Dir);
        assert!(classify(false, Some(0o040_755)) == Kind::Dir);
        assert!(classify(false, Some(0o120_777)) == Kind::Skip(SkipKind::Symlink));
        assert!(classify(false, Some(0o010_600)) == Kind::File);
        assert!(classify(false, Some(0o020_644)) == Kind::File);
    }

    #[test]
    fn a_short_long_or_corrupt_entry_is_unreadable() {
        let d = crate::digest::Sha256Digest::of(b"");
        assert!(matches!(measure(Ok((d, 5)), 5), Measurement::Hashed(_)));
        assert!(
            matches!(measure(Ok((d, 4)), 5), Measurement::Unreadable(w) if w.contains("holds 4"))
        );
        assert!(
            matches!(measure(Ok((d, 6)), 5), Measurement::Unreadable(w) if w.contains("holds more"))
        );
        let crc = io::Error::new(io::ErrorKind::InvalidData, "Invalid checksum");
        assert!(matches!(measure(Err(crc), 5), Measurement::Unreadable(w) if w.contains("CRC-32")));
    }
}
