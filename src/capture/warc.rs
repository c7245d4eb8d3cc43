//! `docseal import-warc`: the payload of each `response` record (the HTTP body) and the block of
//! each `resource` record of WARC files, stored under a content-addressed name by [`Store`] with
//! the record's provenance: `WARC-Target-URI` as the origin, `WARC-Date` as the retrieval time,
//! the HTTP status and headers, the WARC file's name and the record's `WARC-Record-ID`.
//!
//! Written here rather than taken from a crate: the `warc` crate rejects WARC 1.1 dates, cannot
//! open files with `from_path` and checks no digest, and no other Rust crate reads real files
//! (wget's `<…>` target URIs, gzip member per record or whole-file gzip) while streaming. This
//! reader is bounded in memory whatever the record sizes: a record's header and an HTTP head are
//! capped at [`HEAD_MAX`] bytes, and every block is streamed — to the store while it is hashed, or
//! past when it is skipped.
//!
//! Digests: `WARC-Block-Digest` is checked over the whole block, `WARC-Payload-Digest` over the
//! payload as transferred (wget computes it over the raw chunked bytes) and, for a chunked body,
//! also over the de-chunked body (as other tools compute it); either matching is accepted and the
//! sources list records which (`warc_verified`). `sha1:` and `sha256:` are checked, in base32 or
//! hex; another algorithm is left unchecked (and not listed as verified). A record whose digest
//! matches neither is refused (nothing stored) and the rest of the file goes on. The body stored is
//! the one a client receives: de-chunked, never content-decoded (its `Content-Encoding` is
//! recorded, as `fetch` does).
//!
//! Dates: a `WARC-Date` to the second (or finer) is the retrieval time. WARC 1.1 also allows coarse
//! dates (`2016`, `2016-01`, `2016-01-02`, `2016-01-02T10:00Z`); docseal's retrieval times are
//! instants, and it never invents precision, so such a record's `retrieved` is `unknown` and the
//! date is kept as written in `warc_date` (always recorded).
//!
//! Offsets in messages are those of the record in the file; in a gzip file, the byte where the
//! gzip member holding the record starts, and the record's offset in the decompressed stream. A
//! truncated record or gzip member, or bytes that are not a record where one should start, end the
//! file: the records before stay imported, nothing of the broken one is written.

use std::cell::{Cell, RefCell};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use sha1::Sha1;
use sha2::{Digest as _, Sha256};

use super::store::{Record, Store, StoreError, Stored};
use crate::error::{Error, Result};
use crate::fsio;
use crate::provenance::{Capture, OriginUrl, WarcOrigin, WarcVerified, parse_warc_date};

/// The largest WARC record header, HTTP head or chunk-size line read (bytes).
pub const HEAD_MAX: usize = 64 * 1024;

/// What to import and how.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The WARC files, in order.
    pub files: Vec<PathBuf>,
    /// The folder to store into.
    pub into: PathBuf,
    /// The sources list to record in.
    pub sources: PathBuf,
    /// Import responses with a 4xx or 5xx status too.
    pub include_errors: bool,
    /// The largest payload stored, in bytes.
    pub max_size: u64,
}

/// Why a record was skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
    /// A record of a type that carries no document (`request`, `metadata`, `warcinfo`,
    /// `revisit`, …), by its `WARC-Type`.
    Type(String),
    /// A response with a 4xx or 5xx status (without `--include-errors`).
    ErrorStatus(u16),
    /// Imported before, as this path.
    Imported(String),
}

/// What became of one record (or of a file that could not be read on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Stored.
    Stored {
        /// The target URI.
        url: String,
        /// What was stored.
        stored: Stored,
        /// The digests that matched.
        verified: WarcVerified,
    },
    /// Skipped, for this reason.
    Skipped(Skip),
    /// Not stored; `reason` says why, `at` where (the file and the record's offset).
    Failed {
        /// The file and the offset of the record, for the message.
        at: String,
        /// Why, in one line.
        reason: String,
    },
}

/// What an import tells whoever shows its progress (the binary's bar on a terminal).
pub trait ImportProgress {
    /// The WARC files to read hold `bytes` in all (as stored: compressed, for a gzip file).
    fn start(&self, bytes: u64);
    /// Reading the file called `name` begins.
    fn file_started(&self, name: &str);
    /// A record is done, whatever became of it, and `read` bytes of the current file are read.
    fn record_done(&self, read: u64);
    /// The current file is done; it held `bytes`.
    fn file_done(&self, bytes: u64);
    /// Everything is done.
    fn finish(&self);
}

/// No progress shown.
impl ImportProgress for () {
    fn start(&self, _: u64) {}
    fn file_started(&self, _: &str) {}
    fn record_done(&self, _: u64) {}
    fn file_done(&self, _: u64) {}
    fn finish(&self) {}
}

/// Imports every record of every file of `opts`, telling `outcome` what became of each and
/// `progress` how far it is. Fails only when nothing can be imported: a file that cannot be
/// opened or is not a WARC file (every file is checked before anything is stored), an unwritable
/// folder or sources list.
pub fn import(
    opts: &ImportOptions,
    progress: &dyn ImportProgress,
    outcome: &mut dyn FnMut(&RecordOutcome) -> Result<()>,
) -> Result<()> {
    let mut opened = Vec::new();
    for path in &opts.files {
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        opened.push((open(path)?, size));
    }
    let mut store = Store::open(&opts.into, &opts.sources, opts.max_size)?;
    progress.start(opened.iter().map(|(_, size)| size).sum());
    for (warc, size) in opened {
        progress.file_started(&warc.name);
        let file_pos = warc.file_pos.clone();
        warc.import_all(opts, &mut store, &mut |o| {
            let r = outcome(o);
            progress.record_done(file_pos.get());
            r
        })?;
        progress.file_done(size);
    }
    progress.finish();
    Ok(())
}

/// A reader that counts the bytes consumed from it.
struct Counting<R> {
    inner: R,
    pos: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos.set(self.pos.get() + n as u64);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.pos.set(self.pos.get() + n as u64);
        self.inner.consume(n);
    }
}

/// The gzip members of a file one after another (as `MultiGzDecoder` reads them), knowing where
/// the current member starts in the file.
struct Members {
    decoder: Option<flate2::bufread::GzDecoder<Counting<BufReader<fsio::Input>>>>,
    file_pos: Rc<Cell<u64>>,
    member_start: Rc<Cell<u64>>,
}

impl Read for Members {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(decoder) = self.decoder.as_mut() else {
                return Ok(0);
            };
            let n = decoder.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            let mut rest = self.decoder.take().map(|d| d.into_inner());
            if let Some(inner) = rest.as_mut()
                && !inner.fill_buf()?.is_empty()
            {
                self.member_start.set(self.file_pos.get());
                self.decoder = rest.map(flate2::bufread::GzDecoder::new);
            }
        }
    }
}

/// An opened WARC file.
struct Warc {
    path: PathBuf,
    name: String,
    reader: Counting<Box<dyn BufRead>>,
    pos: Rc<Cell<u64>>,
    /// How many bytes of the file itself were read (compressed, in a gzip file).
    file_pos: Rc<Cell<u64>>,
    /// Where the current gzip member starts, in a gzip file.
    member_start: Option<Rc<Cell<u64>>>,
}

/// Opens a WARC file (plain or gzip) and checks that it starts like one.
fn open(path: &Path) -> Result<Warc> {
    let input = fsio::open_input(path, "WARC")?;
    let file_pos = Rc::new(Cell::new(0));
    let mut file = Counting {
        inner: BufReader::with_capacity(64 * 1024, input),
        pos: file_pos.clone(),
    };
    let head = file
        .fill_buf()
        .map_err(|e| Error::io(path, "cannot read", e))?;
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let (inner, member_start): (Box<dyn BufRead>, _) = if gzip {
        let member_start = Rc::new(Cell::new(0));
        let members = Members {
            decoder: Some(flate2::bufread::GzDecoder::new(file)),
            file_pos: file_pos.clone(),
            member_start: member_start.clone(),
        };
        (
            Box::new(BufReader::with_capacity(64 * 1024, members)),
            Some(member_start),
        )
    } else {
        (Box::new(file), None)
    };
    let pos = Rc::new(Cell::new(0));
    let mut reader = Counting {
        inner,
        pos: pos.clone(),
    };
    // A read error here (a truncated first gzip member) is reported as that record's, later.
    if let Ok(start) = reader.fill_buf() {
        let start = start.to_vec();
        let not = |what: &str| {
            Error::invalid(
                path,
                format!(
                    "is not a WARC file ({what}); pass a .warc or .warc.gz file as wget --warc-file writes it"
                ),
            )
        };
        if start.is_empty() {
            return Err(not("it is empty"));
        }
        if !b"WARC/".starts_with(&start[..start.len().min(5)]) {
            return Err(not("it does not start with WARC/"));
        }
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    // Its name goes into the sources list and the manifest (`warc_file`), which refuse what it
    // could not hold.
    if WarcOrigin::check_text(&name, "warc_file").is_err() {
        return Err(Error::invalid(
            path,
            "its name holds control characters, which a sources list cannot record; rename the file",
        ));
    }
    Ok(Warc {
        path: path.to_path_buf(),
        name,
        reader,
        pos,
        file_pos,
        member_start,
    })
}

/// A record's header fields, in order.
struct Header {
    fields: Vec<(String, String)>,
}

impl Header {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a record could not be read.
enum Broken {
    /// The file cannot be read on (truncated, not a record): the rest of it is abandoned.
    File(String),
    /// This record is refused; the next one follows.
    Record(String),
}

fn io_broken(e: &io::Error) -> Broken {
    Broken::File(read_failure(e))
}

/// Why the file cannot be read on, in words.
fn read_failure(e: &io::Error) -> String {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        "the file ends inside the record (truncated)".to_string()
    } else {
        format!("cannot read on: {e}")
    }
}

/// Reads one line (up to `\n`) into `line` through `r`, at most `*budget` bytes; false at the end
/// of the input before any byte.
fn read_line(r: &mut dyn BufRead, line: &mut Vec<u8>, budget: &mut usize) -> io::Result<bool> {
    line.clear();
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            if line.is_empty() {
                return Ok(false);
            }
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let (n, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if n > *budget {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a header is longer than {HEAD_MAX} bytes"),
            ));
        }
        *budget -= n;
        line.extend_from_slice(&buf[..n]);
        r.consume(n);
        if done {
            return Ok(true);
        }
    }
}

impl Warc {
    /// Where the record starting at `offset` is, for messages.
    fn at(&self, offset: u64) -> String {
        match &self.member_start {
            None => format!("{}: record at byte {offset}", self.path.display()),
            Some(m) => format!(
                "{}: record at byte {offset} of the decompressed stream (gzip member at byte {})",
                self.path.display(),
                m.get()
            ),
        }
    }

    fn import_all(
        mut self,
        opts: &ImportOptions,
        store: &mut Store,
        outcome: &mut dyn FnMut(&RecordOutcome) -> Result<()>,
    ) -> Result<()> {
        loop {
            // Find where the next record starts (reading may start the next gzip member).
            match self.reader.fill_buf() {
                Ok([]) => return Ok(()),
                Ok(_) => {}
                Err(e) => {
                    let at = self.at(self.pos.get());
                    let reason = read_failure(&e);
                    return outcome(&RecordOutcome::Failed { at, reason });
                }
            }
            let offset = self.pos.get();
            let at = self.at(offset);
            match self.one(opts, store) {
                Ok(o) => outcome(&o)?,
                Err(Failure::Local(e)) => return Err(e),
                Err(Failure::Broken(Broken::Record(reason))) => {
                    outcome(&RecordOutcome::Failed { at, reason })?
                }
                Err(Failure::Broken(Broken::File(reason))) => {
                    return outcome(&RecordOutcome::Failed { at, reason });
                }
            }
        }
    }

    /// Reads one record and imports or skips it.
    fn one(
        &mut self,
        opts: &ImportOptions,
        store: &mut Store,
    ) -> std::result::Result<RecordOutcome, Failure> {
        let header = self.header()?;
        let length: u64 = header
            .get("Content-Length")
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| {
                Broken::File(
                    "the record has no valid Content-Length, so the file cannot be read on"
                        .to_string(),
                )
            })?;
        let mut block = Block::new(&mut self.reader, length, header.get("WARC-Block-Digest"));
        let result = Self::record(&self.name, &header, &mut block, opts, store);
        // The rest of the block and the record's end, whatever became of the record (a stored
        // one was checked before it was stored).
        block.raw.end()?;
        result
    }

    /// Reads a record's header: the version line and the fields.
    fn header(&mut self) -> std::result::Result<Header, Broken> {
        let mut budget = HEAD_MAX;
        let mut line = Vec::new();
        let text = |line: &[u8]| String::from_utf8_lossy(line).trim_end().to_string();
        let bad = |e: io::Error| match e.kind() {
            io::ErrorKind::InvalidData => Broken::File(e.to_string()),
            _ => io_broken(&e),
        };
        if !read_line(&mut self.reader, &mut line, &mut budget).map_err(bad)? {
            return Err(Broken::File(
                "the file ends where a record should start".to_string(),
            ));
        }
        let version = text(&line);
        if version != "WARC/1.0" && version != "WARC/1.1" {
            return Err(Broken::File(format!(
                "\"{}\" where a record should start: not WARC/1.0 or WARC/1.1",
                version.escape_debug()
            )));
        }
        let mut fields: Vec<(String, String)> = Vec::new();
        loop {
            if !read_line(&mut self.reader, &mut line, &mut budget).map_err(bad)? {
                return Err(io_broken(&io::ErrorKind::UnexpectedEof.into()));
            }
            let l = text(&line);
            if l.is_empty() {
                break;
            }
            if line[0] == b' ' || line[0] == b'\t' {
                if let Some((_, v)) = fields.last_mut() {
                    v.push(' ');
                    v.push_str(l.trim());
                }
                continue;
            }
            let Some((name, value)) = l.split_once(':') else {
                return Err(Broken::File(format!(
                    "header line \"{}\" has no colon",
                    l.escape_debug()
                )));
            };
            fields.push((name.trim().to_string(), value.trim().to_string()));
        }
        Ok(Header { fields })
    }

    /// Imports or skips a record whose block is `block`.
    fn record(
        name: &str,
        header: &Header,
        block: &mut Block<'_>,
        opts: &ImportOptions,
        store: &mut Store,
    ) -> std::result::Result<RecordOutcome, Failure> {
        let kind = header.get("WARC-Type").unwrap_or("").to_ascii_lowercase();
        if kind != "response" && kind != "resource" {
            let kind = if kind.is_empty() { "untyped" } else { &kind };
            return Ok(RecordOutcome::Skipped(Skip::Type(kind.to_string())));
        }
        let refuse = |m: String| Failure::Broken(Broken::Record(m));
        let record_id = header
            .get("WARC-Record-ID")
            .ok_or_else(|| refuse("the record has no WARC-Record-ID".to_string()))?;
        WarcOrigin::check_text(record_id, "its WARC-Record-ID").map_err(refuse)?;
        if let Some(path) = store.imported(record_id) {
            return Ok(RecordOutcome::Skipped(Skip::Imported(path.to_string())));
        }
        let target = header
            .get("WARC-Target-URI")
            .ok_or_else(|| refuse("the record has no WARC-Target-URI".to_string()))?;
        let target = target
            .strip_prefix('<')
            .and_then(|t| t.strip_suffix('>'))
            .unwrap_or(target);
        // wget writes its arguments and log as `resource` records of `metadata://` URIs: about
        // the crawl, not documents of it.
        if kind == "resource" && target.starts_with("metadata://") {
            return Ok(RecordOutcome::Skipped(Skip::Type(
                "metadata resource".to_string(),
            )));
        }
        let url = OriginUrl::parse(target).map_err(|m| refuse(format!("WARC-Target-URI: {m}")))?;
        let date = header
            .get("WARC-Date")
            .ok_or_else(|| refuse("the record has no WARC-Date".to_string()))?;
        let retrieved = parse_warc_date(date).map_err(refuse)?;
        let payload_digest = header.get("WARC-Payload-Digest").and_then(Expected::parse);
        let record_type = header.get("Content-Type");
        let http = kind == "response"
            && record_type.is_some_and(|t| t.to_ascii_lowercase().starts_with("application/http"));
        let mut capture = Capture::default();
        let mut content_length = None;
        let mut chunked = false;
        if http {
            // An interim response (`100 Continue`) may come before the final one, in one block.
            let head = loop {
                let head = block
                    .raw
                    .head()
                    .map_err(|e| Failure::Broken(head_broken(&e)))?;
                let mut headers = [httparse::EMPTY_HEADER; 128];
                let mut interim = httparse::Response::new(&mut headers);
                let parsed = interim.parse(&head);
                let code = interim.code.unwrap_or(0);
                if !(matches!(parsed, Ok(httparse::Status::Complete(_)))
                    && (100..200).contains(&code)
                    && code != 101)
                {
                    break head;
                }
            };
            let mut headers = [httparse::EMPTY_HEADER; 128];
            let mut response = httparse::Response::new(&mut headers);
            match response.parse(&head) {
                Ok(httparse::Status::Complete(_)) => {}
                Ok(httparse::Status::Partial) => {
                    return Err(refuse("its HTTP head is incomplete".to_string()));
                }
                Err(e) => return Err(refuse(format!("its HTTP head is malformed ({e})"))),
            }
            let status = response.code.unwrap_or(0);
            if status >= 400 && !opts.include_errors {
                return Ok(RecordOutcome::Skipped(Skip::ErrorStatus(status)));
            }
            let get = |name: &str| {
                response
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case(name))
                    .and_then(|h| std::str::from_utf8(h.value).ok())
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty() && !v.chars().any(char::is_control))
            };
            chunked = get("Transfer-Encoding")
                .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
            content_length = if chunked {
                None
            } else {
                get("Content-Length").and_then(|v| v.parse().ok())
            };
            capture = Capture {
                final_url: None,
                http_status: Some(status),
                media_type: get("Content-Type"),
                content_encoding: get("Content-Encoding"),
                etag: get("ETag"),
                last_modified: get("Last-Modified"),
            };
        } else {
            capture.media_type = record_type
                .map(str::to_string)
                .filter(|t| !t.is_empty() && !t.chars().any(char::is_control));
        }
        let verified = RefCell::new(WarcVerified::default());
        let mut body = Body {
            raw: &mut block.raw,
            payload: payload_digest,
            chunked: chunked.then(Dechunk::default),
            verified: &verified,
            done: false,
        };
        let origin = WarcOrigin {
            file: name.to_string(),
            record_id: record_id.to_string(),
            date: date.to_string(),
            verified: WarcVerified::default(),
        };
        let mut finish = || Record {
            url: url.clone(),
            retrieved: retrieved.clone(),
            capture: capture.clone(),
            redirects: Vec::new(),
            content_length,
            warc: Some(WarcOrigin {
                verified: *verified.borrow(),
                ..origin.clone()
            }),
        };
        match store.store_with(&mut body, &mut finish, &mut |_| {}) {
            Ok(stored) => Ok(RecordOutcome::Stored {
                url: url.to_string(),
                stored,
                verified: *verified.borrow(),
            }),
            Err(StoreError::Local(e)) => Err(Failure::Local(e)),
            Err(StoreError::Stream(reason)) => Err(refuse(reason)),
        }
    }
}

/// Why a record was not imported.
enum Failure {
    Broken(Broken),
    Local(Error),
}

impl From<Broken> for Failure {
    fn from(b: Broken) -> Self {
        Failure::Broken(b)
    }
}

fn head_broken(e: &io::Error) -> Broken {
    match e.kind() {
        io::ErrorKind::InvalidData => Broken::Record(e.to_string()),
        _ => io_broken(e),
    }
}

/// A digest a record declares: its algorithm and value.
#[derive(Clone, Debug)]
struct Expected {
    algorithm: Algorithm,
    value: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Algorithm {
    Sha1,
    Sha256,
}

impl Expected {
    /// `sha1:BASE32`, `sha256:HEX` and so on; `None` for another algorithm (left unchecked) or a
    /// value that is neither base32 nor hex of the right length (also unchecked would hide a
    /// broken record: such a value never matches, see [`Expected::bad`]).
    fn parse(s: &str) -> Option<Expected> {
        let (algorithm, value) = s.trim().split_once(':')?;
        let algorithm = match algorithm.to_ascii_lowercase().replace('-', "").as_str() {
            "sha1" => Algorithm::Sha1,
            "sha256" => Algorithm::Sha256,
            _ => return None,
        };
        let len = match algorithm {
            Algorithm::Sha1 => 20,
            Algorithm::Sha256 => 32,
        };
        let upper = value.trim().to_ascii_uppercase();
        let decoded = data_encoding::HEXUPPER
            .decode(upper.as_bytes())
            .ok()
            .filter(|v| v.len() == len)
            .or_else(|| {
                data_encoding::BASE32_NOPAD
                    .decode(upper.trim_end_matches('=').as_bytes())
                    .ok()
                    .filter(|v| v.len() == len)
            })
            // An unreadable value is kept as something no digest equals: the record is refused.
            .unwrap_or_default();
        Some(Expected {
            algorithm,
            value: decoded,
        })
    }

    fn hasher(&self) -> Hasher {
        match self.algorithm {
            Algorithm::Sha1 => Hasher::Sha1(Sha1::new()),
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
        }
    }

    fn name(&self) -> &'static str {
        match self.algorithm {
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha256 => "sha256",
        }
    }
}

#[derive(Clone)]
enum Hasher {
    Sha1(Sha1),
    Sha256(Sha256),
}

impl Hasher {
    fn update(&mut self, b: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(b),
            Hasher::Sha256(h) => h.update(b),
        }
    }
    fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
        }
    }
}

/// A record's block: exactly its Content-Length bytes of the file, hashed for the block digest.
struct Block<'a> {
    raw: Raw<'a>,
}

impl<'a> Block<'a> {
    fn new(reader: &'a mut dyn BufRead, length: u64, digest: Option<&str>) -> Self {
        let expected = digest.and_then(Expected::parse);
        Block {
            raw: Raw {
                block_hasher: expected.as_ref().map(Expected::hasher),
                block: expected,
                payload_hasher: None,
                left: length,
                reader,
                fatal: RefCell::new(None),
                ended: None,
            },
        }
    }
}

/// The bytes of a block as read, with the hashes over them.
struct Raw<'a> {
    reader: &'a mut dyn BufRead,
    left: u64,
    block: Option<Expected>,
    block_hasher: Option<Hasher>,
    /// The payload digest over the bytes as transferred, once the HTTP head is read.
    payload_hasher: Option<Hasher>,
    /// A failure of the file itself (truncated), which ends it.
    fatal: RefCell<Option<String>>,
    /// Once the rest of the block and the CRLF CRLF after it were read ([`Raw::end`]): whether
    /// they were there.
    ended: Option<std::result::Result<(), String>>,
}

impl Raw<'_> {
    /// Reads the HTTP head (up to and with the blank line), at most [`HEAD_MAX`] bytes.
    fn head(&mut self) -> io::Result<Vec<u8>> {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && !head.ends_with(b"\n\n") {
            if head.len() >= HEAD_MAX {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("its HTTP head is longer than {HEAD_MAX} bytes"),
                ));
            }
            if self.read(&mut byte)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "its block ends inside the HTTP head",
                ));
            }
            head.push(byte[0]);
        }
        Ok(head)
    }

    /// Reads the rest of the block and the CRLF CRLF that ends the record, once. Anything else
    /// there means that the Content-Length is wrong, and the file cannot be read on.
    fn end(&mut self) -> std::result::Result<(), Broken> {
        if self.ended.is_none() {
            let ended = self.read_end();
            self.ended = Some(ended);
        }
        self.ended.clone().unwrap_or(Ok(())).map_err(Broken::File)
    }

    /// What [`Raw::end`] reads, and why the file cannot be read on when it fails.
    fn read_end(&mut self) -> std::result::Result<(), String> {
        io::copy(self, &mut io::sink()).map_err(|e| read_failure(&e))?;
        if let Some(reason) = self.fatal.borrow_mut().take() {
            return Err(reason);
        }
        let mut end = [0u8; 4];
        self.reader
            .read_exact(&mut end)
            .map_err(|e| read_failure(&e))?;
        if &end != b"\r\n\r\n" {
            return Err(
                "the record's block is not followed by CRLF CRLF: its Content-Length is wrong"
                    .to_string(),
            );
        }
        Ok(())
    }

    /// One byte, for chunk-size lines; `None` at the block's end.
    fn byte(&mut self) -> io::Result<Option<u8>> {
        let mut b = [0u8; 1];
        Ok((self.read(&mut b)? == 1).then_some(b[0]))
    }
}

impl Read for Raw<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = match self.reader.read(&mut buf[..want]) {
            Ok(0) => {
                let e = io::Error::from(io::ErrorKind::UnexpectedEof);
                *self.fatal.borrow_mut() = Some(read_failure(&e));
                return Err(e);
            }
            Ok(n) => n,
            Err(e) => {
                *self.fatal.borrow_mut() = Some(read_failure(&e));
                return Err(e);
            }
        };
        self.left -= n as u64;
        if let Some(h) = self.block_hasher.as_mut() {
            h.update(&buf[..n]);
        }
        if let Some(h) = self.payload_hasher.as_mut() {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// Where a de-chunker is in a chunked body.
#[derive(Default)]
struct Dechunk {
    /// Bytes left in the current chunk.
    left: u64,
    /// The last chunk was read.
    done: bool,
    hasher: Option<Hasher>,
}

/// The body of a record as stored (de-chunked when chunked), checking the digests at its end.
struct Body<'r, 'a> {
    raw: &'r mut Raw<'a>,
    payload: Option<Expected>,
    chunked: Option<Dechunk>,
    verified: &'r RefCell<WarcVerified>,
    done: bool,
}

fn invalid(m: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, m)
}

impl Body<'_, '_> {
    /// Starts hashing the payload (the bytes from here on).
    fn start(&mut self) {
        if self.raw.payload_hasher.is_none()
            && let Some(p) = &self.payload
        {
            self.raw.payload_hasher = Some(p.hasher());
            if let Some(d) = self.chunked.as_mut() {
                d.hasher = Some(p.hasher());
            }
        }
    }

    /// A chunk-size line's value (the extensions after `;` ignored).
    fn chunk_size(&mut self) -> io::Result<u64> {
        let mut line = Vec::new();
        loop {
            match self.raw.byte()? {
                None => {
                    return Err(invalid(
                        "its chunked body ends inside a chunk-size line".into(),
                    ));
                }
                Some(b'\n') => break,
                Some(b) if line.len() < 1024 => line.push(b),
                Some(_) => {
                    return Err(invalid(
                        "its chunked body has a chunk-size line over 1 KiB".into(),
                    ));
                }
            }
        }
        let text = String::from_utf8_lossy(&line);
        let size = text.split(';').next().unwrap_or("").trim();
        u64::from_str_radix(size, 16).map_err(|_| {
            invalid(format!(
                "its chunked body has a bad chunk size \"{}\"",
                size.escape_debug()
            ))
        })
    }

    /// Checks the digests once the body has ended.
    fn check(&mut self) -> io::Result<()> {
        // The record must end where its Content-Length says before anything of it is stored:
        // a failure here is the file's, and ends it (`one` asks `end` again).
        if let Err(Broken::File(reason) | Broken::Record(reason)) = self.raw.end() {
            return Err(invalid(reason));
        }
        let mut verified = WarcVerified::default();
        if let (Some(want), Some(h)) = (&self.raw.block, self.raw.block_hasher.take()) {
            if h.finish() != want.value {
                return Err(invalid(format!(
                    "its WARC-Block-Digest ({}) does not match its block; the record is damaged",
                    want.name()
                )));
            }
            verified = verified.with(WarcVerified::BLOCK);
        }
        if let (Some(want), Some(raw)) = (&self.payload, self.raw.payload_hasher.take()) {
            let dechunked = self.chunked.as_mut().and_then(|d| d.hasher.take());
            if raw.finish() == want.value {
                verified = verified.with(WarcVerified::PAYLOAD);
            } else if dechunked.is_some_and(|h| h.finish() == want.value) {
                verified = verified.with(WarcVerified::PAYLOAD_DECHUNKED);
            } else {
                return Err(invalid(format!(
                    "its WARC-Payload-Digest ({}) matches neither the payload as transferred nor de-chunked; the record is damaged",
                    want.name()
                )));
            }
        }
        *self.verified.borrow_mut() = verified;
        Ok(())
    }
}

impl Read for Body<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        self.start();
        let n = match self.chunked.as_ref().map(|d| (d.left, d.done)) {
            None => self.raw.read(buf)?,
            Some((_, true)) => 0,
            Some((0, false)) => {
                let size = self.chunk_size()?;
                if size == 0 {
                    // The trailer lines and the final blank line stay in the raw payload.
                    if let Some(d) = self.chunked.as_mut() {
                        d.done = true;
                    }
                    0
                } else {
                    if let Some(d) = self.chunked.as_mut() {
                        d.left = size;
                    }
                    return self.read(buf);
                }
            }
            Some((left, false)) => {
                let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                let n = self.raw.read(&mut buf[..want])?;
                if n == 0 {
                    return Err(invalid("its chunked body ends inside a chunk".into()));
                }
                if let Some(d) = self.chunked.as_mut() {
                    d.left -= n as u64;
                    if let Some(h) = d.hasher.as_mut() {
                        h.update(&buf[..n]);
                    }
                    if d.left == 0 {
                        let end = (self.raw.byte()?, self.raw.byte()?);
                        if end != (Some(b'\r'), Some(b'\n')) {
                            return Err(invalid(
                                "its chunked body has a chunk not followed by CRLF".into(),
                            ));
                        }
                    }
                }
                n
            }
        };
        if n == 0 {
            self.done = true;
            self.check()?;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_read_in_base32_and_hex() {
        let sha1_empty = Sha1::digest(b"").to_vec();
        let e = Expected::parse("sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ").unwrap();
        assert_eq!(e.value, sha1_empty);
        let e = Expected::parse("sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709").unwrap();
        assert_eq!(e.value, sha1_empty);
        let e = Expected::parse(
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        )
        .unwrap();
        assert_eq!(e.value, Sha256::digest(b"").to_vec());
        assert!(Expected::parse("md5:d41d8cd98f00b204e9800998ecf8427e").is_none());
        assert!(Expected::parse("sha1:nonsense").unwrap().value.is_empty());
    }
}
