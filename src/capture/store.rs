//! Storing a captured stream in a folder under its content-addressed name, and recording where it
//! came from in the folder's sources list: what `docseal fetch` does with each response body, and
//! what an importer (WARC) is to reuse for each record's payload.
//!
//! The stream goes to an unnamed file in the folder (`O_TMPFILE`; elsewhere a temporary file
//! `.docseal-*.tmp`) while it is hashed (never the whole body in memory), and is given its name — `NNN_<first 16 hex digits of its SHA-256>.<ext>`,
//! [`Naming::Sha256Prefix`] — only once it is complete: a stream that fails or grows past the
//! size limit leaves nothing behind. The sources list is then rewritten atomically with one more
//! `[[source]]` table appended to its text as it was (comments and all); should that fail, the
//! stored file is removed again, so that no file is left without its entry. A run holds a lock
//! on the folder from opening the store to its end (`lock_folder`), so that two runs never
//! interleave their sequence numbers or their rewrites of the sources list.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use super::sources::{Redirect, Sources};
use crate::digest::Sha256Digest;
use crate::error::{Error, Result};
use crate::fsio::{self, Access};
use crate::provenance::{Capture, Naming, OriginUrl, Recorded, Timestamp, WarcOrigin};
use crate::relpath::RelPath;

/// What is recorded of one capture besides the stored bytes' size and digest.
#[derive(Clone, Debug)]
pub struct Record {
    /// The URL asked for (`url` in the sources list).
    pub url: OriginUrl,
    /// When the response headers arrived (unknown when a WARC record gives only a coarse date).
    pub retrieved: Recorded<Timestamp>,
    /// The status and headers of the response, and the final URL.
    pub capture: Capture,
    /// The redirects followed, in order.
    pub redirects: Vec<Redirect>,
    /// The `Content-Length` announced, if any.
    pub content_length: Option<u64>,
    /// The WARC record it was imported from, if it was.
    pub warc: Option<WarcOrigin>,
}

/// What was stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// Its name in the folder.
    pub path: RelPath,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256.
    pub digest: Sha256Digest,
}

/// Why a stream was not stored.
#[derive(Debug)]
pub enum StoreError {
    /// The stream failed or was too large: the source's fault, reported for it alone.
    Stream(String),
    /// The folder or the sources list could not be written: nothing more can be stored.
    Local(Error),
}

/// A folder that captures are stored in, with its sources list.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    sources_path: PathBuf,
    /// The sources list's text as it is on disk (empty when there is none yet).
    text: String,
    /// The URLs already captured, with the path of their latest capture.
    captured: HashMap<String, String>,
    /// The WARC records already imported (`warc_record_id`), with the path they were stored as.
    warc_records: HashMap<String, String>,
    next_sequence: u64,
    max_size: u64,
    /// The folder, locked for this run (released when the store is dropped).
    _lock: Option<fs::File>,
}

/// Locks the folder `dir` against a second `fetch` or `import-warc` storing into it at the same
/// time, which would pick the same sequence numbers and lose one run's sources entries (each
/// rewrites the list it read). An advisory `flock` on the folder itself, so that no lock file
/// lands in the collection; it is released when the run ends, however it ends. A folder already
/// locked is refused at once rather than waited for (a run never hangs on another).
#[cfg(unix)]
fn lock_folder(dir: &Path) -> Result<Option<fs::File>> {
    use rustix::fs::{FlockOperation, flock};
    let folder = fs::File::open(dir).map_err(|e| Error::io(dir, "cannot open the folder", e))?;
    match flock(&folder, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(Some(folder)),
        Err(rustix::io::Errno::WOULDBLOCK) => Err(Error::Invalid {
            path: dir.to_path_buf(),
            message: "another docseal fetch or import-warc is storing into this folder; wait for it to finish, then run this again".to_string(),
        }),
        // A file system without flock (some network file systems): go on unlocked.
        Err(_) => Ok(None),
    }
}

#[cfg(not(unix))]
fn lock_folder(_dir: &Path) -> Result<Option<fs::File>> {
    Ok(None)
}

/// The text that starts a sources list docseal writes.
const SOURCES_HEAD: &str = "\
# Sources list written by docseal fetch or import-warc: one [[source]] table per stored file,
# with what the HTTP exchange (or the WARC record) said. Seal the folder with it: docseal seal DIR --key KEY --sources THIS-FILE
naming = \"sha256-prefix\"
";

impl Store {
    /// Opens the folder `dir` (created if missing) and its sources list `sources_path` (read if
    /// it exists, and checked as `seal` reads it). Streams longer than `max_size` bytes are
    /// refused.
    pub fn open(dir: &Path, sources_path: &Path, max_size: u64) -> Result<Self> {
        let read = || -> Result<String> {
            match fs::symlink_metadata(sources_path).is_ok() {
                true => fsio::read_text_at_most(sources_path, "sources list", fsio::SOURCES_MAX),
                false => Ok(String::new()),
            }
        };
        // Checked before the folder is made, so that a bad list leaves nothing behind.
        let mut text = read()?;
        let mut sources = Sources::parse(sources_path, &text)?;
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create the folder", e))?;
        let lock = lock_folder(dir)?;
        // Read again under the lock: another run may have appended to it meanwhile.
        let now = read()?;
        if now != text {
            sources = Sources::parse(sources_path, &now)?;
            text = now;
        }
        let mut next_sequence = 0;
        let mut captured = HashMap::new();
        let mut warc_records = HashMap::new();
        for (path, source) in &sources.entries {
            if let Some(w) = &source.warc {
                warc_records.insert(w.record_id.clone(), path.as_str().to_string());
            }
            next_sequence = next_sequence.max(sequence_of(path.as_str()).map_or(0, |n| n + 1));
            if let Some(url) = source.origin.known() {
                captured.insert(url.as_str().to_string(), path.as_str().to_string());
            }
        }
        let entries = fs::read_dir(dir).map_err(|e| Error::io(dir, "cannot list", e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir, "cannot list", e))?;
            if let Some(n) = entry.file_name().to_str().and_then(sequence_of) {
                next_sequence = next_sequence.max(n + 1);
            }
        }
        Ok(Store {
            dir: dir.to_path_buf(),
            sources_path: sources_path.to_path_buf(),
            text,
            captured,
            warc_records,
            next_sequence,
            max_size,
            _lock: lock,
        })
    }

    /// The path of the latest capture of `url`, if it was captured before.
    pub fn captured(&self, url: &str) -> Option<&str> {
        self.captured.get(url).map(String::as_str)
    }

    /// The path a WARC record (by its `WARC-Record-ID`) was stored as, if it was imported before.
    pub fn imported(&self, record_id: &str) -> Option<&str> {
        self.warc_records.get(record_id).map(String::as_str)
    }

    /// Streams `body` into the folder and records it with `record`; `progress` is told of every
    /// piece read.
    pub fn store(
        &mut self,
        body: &mut dyn Read,
        record: &Record,
        progress: &mut dyn FnMut(u64),
    ) -> std::result::Result<Stored, StoreError> {
        self.store_with(body, &mut || record.clone(), progress)
    }

    /// As [`Store::store`], with the record made by `finish` once the stream has ended (a WARC
    /// import learns which digest matched only then). A read that fails with
    /// [`io::ErrorKind::InvalidData`] refuses the stream with that error's text as the reason.
    pub fn store_with(
        &mut self,
        body: &mut dyn Read,
        finish: &mut dyn FnMut() -> Record,
        progress: &mut dyn FnMut(u64),
    ) -> std::result::Result<Stored, StoreError> {
        let local = StoreError::Local;
        let mut file = Pending::create(&self.dir).map_err(local)?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match body.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                    return Err(StoreError::Stream(e.to_string()));
                }
                Err(e) => {
                    return Err(StoreError::Stream(format!(
                        "the body was cut off after {size} bytes: {e}"
                    )));
                }
            };
            size += n as u64;
            if size > self.max_size {
                return Err(StoreError::Stream(format!(
                    "the body is larger than --max-size ({} bytes); raise it to capture this",
                    self.max_size
                )));
            }
            hasher.update(&buf[..n]);
            file.file()
                .write_all(&buf[..n])
                .map_err(|e| local(Error::io(&self.dir, "cannot write a file in", e)))?;
            progress(n as u64);
        }
        let record = &finish();
        if let Some(announced) = record.content_length.filter(|&n| n != size) {
            return Err(StoreError::Stream(format!(
                "the body has {size} bytes, its Content-Length said {announced}"
            )));
        }
        file.file()
            .sync_all()
            .map_err(|e| local(Error::io(&self.dir, "cannot write a file in", e)))?;
        let digest = Sha256Digest::from_bytes(hasher.finalize().into());
        let ext = extension(
            record.capture.media_type.as_deref(),
            record.capture.content_encoding.as_deref(),
        );
        let name = loop {
            let name = Naming::Sha256Prefix.name(self.next_sequence, &digest, &ext);
            self.next_sequence += 1;
            match file
                .publish(&self.dir, &self.dir.join(&name))
                .map_err(local)?
            {
                None => break name,
                Some(again) => file = again,
            }
        };
        let stored_at = self.dir.join(&name);
        let path = RelPath::new(&name).map_err(|m| local(Error::Internal(m)))?;
        let stored = Stored { path, size, digest };
        let mut text = if self.text.is_empty() {
            SOURCES_HEAD.to_string()
        } else {
            self.text.clone()
        };
        push_source(&mut text, &stored, record);
        if let Err(e) = fsio::write_atomic(
            &self.sources_path,
            text.as_bytes(),
            Access::Public,
            true,
            "sources list",
        ) {
            let _ = fs::remove_file(&stored_at);
            return Err(local(e));
        }
        self.text = text;
        self.captured
            .insert(record.url.as_str().to_string(), name.clone());
        if let Some(w) = &record.warc {
            self.warc_records.insert(w.record_id.clone(), name.clone());
        }
        Ok(stored)
    }
}

/// A stored file being written: unnamed where the system allows (nothing is left behind if
/// docseal is killed meanwhile), else a named temporary file `.docseal-*.tmp` (removed on
/// failure).
enum Pending {
    Unnamed(fs::File),
    Named(tempfile::NamedTempFile),
}

impl Pending {
    fn create(dir: &Path) -> Result<Self> {
        if let Some(file) = fsio::create_unnamed(dir, Access::Public) {
            return Ok(Pending::Unnamed(file));
        }
        let tmp = tempfile::Builder::new()
            .prefix(".docseal-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| Error::io(dir, "cannot create a temporary file in", e))?;
        // A captured document is public, as a manifest is (the temporary file is made 0600).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(fs::Permissions::from_mode(0o644))
                .map_err(|e| Error::io(tmp.path(), "cannot set mode of", e))?;
        }
        Ok(Pending::Named(tmp))
    }

    fn file(&mut self) -> &mut fs::File {
        match self {
            Pending::Unnamed(f) => f,
            Pending::Named(t) => t.as_file_mut(),
        }
    }

    /// Gives the file the name `path` in `dir`; gives it back when that name is taken.
    fn publish(self, dir: &Path, path: &Path) -> Result<Option<Pending>> {
        match self {
            Pending::Unnamed(file) => match fsio::name_unnamed(&file, dir, path, "stored file") {
                Ok(true) => Ok(None),
                Err(Error::Exists { .. }) => Ok(Some(Pending::Unnamed(file))),
                Err(e) => Err(e),
                Ok(false) => Err(Error::invalid(
                    dir,
                    "the file system gave an unnamed file but cannot name it; fetch into a folder on another file system",
                )),
            },
            Pending::Named(tmp) => match tmp.persist_noclobber(path) {
                Ok(_) => Ok(None),
                Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                    Ok(Some(Pending::Named(e.file)))
                }
                Err(e) => Err(Error::io(path, "cannot write", e.error)),
            },
        }
    }
}

/// The sequence number that starts a name `NNN_…`, if it does.
fn sequence_of(name: &str) -> Option<u64> {
    let (digits, _) = name.split_once('_')?;
    if digits.len() < 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A TOML string holding `s` exactly.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Appends the `[[source]]` table of a stored capture.
fn push_source(out: &mut String, stored: &Stored, r: &Record) {
    if !out.ends_with('\n') {
        out.push('\n');
    }
    let _ = write!(
        out,
        "\n[[source]]\npath = {}\nurl = {}\nretrieved = \"{}\"\n",
        quote(stored.path.as_str()),
        quote(r.url.as_str()),
        r.retrieved
    );
    let c = &r.capture;
    if let Some(u) = &c.final_url {
        let _ = writeln!(out, "final_url = {}", quote(u.as_str()));
    }
    if !r.redirects.is_empty() {
        let hops: Vec<String> = r
            .redirects
            .iter()
            .map(|h| {
                format!(
                    "{{ url = {}, status = {} }}",
                    quote(h.url.as_str()),
                    h.status
                )
            })
            .collect();
        let _ = writeln!(out, "redirects = [{}]", hops.join(", "));
    }
    if let Some(s) = c.http_status {
        let _ = writeln!(out, "http_status = {s}");
    }
    let headers = [
        ("content_type", &c.media_type),
        ("content_encoding", &c.content_encoding),
        ("etag", &c.etag),
        ("last_modified", &c.last_modified),
    ];
    for (key, value) in headers {
        if let Some(v) = value {
            let _ = writeln!(out, "{key} = {}", quote(v));
        }
    }
    if let Some(n) = r.content_length {
        let _ = writeln!(out, "content_length = {n}");
    }
    if let Some(w) = &r.warc {
        w.write_toml(out, quote);
    }
    let _ = writeln!(
        out,
        "size = {}\nsha256 = \"{}\"",
        stored.size, stored.digest
    );
}

/// The extension for a body of this media type, stored with this content encoding: from a short
/// list of common types, else `bin`; an encoded body gets the encoding's extension after it
/// (`html.gz`), or `bin` for an encoding without one, since its bytes are not the type's.
pub fn extension(media_type: Option<&str>, encoding: Option<&str>) -> String {
    let essence = media_type
        .and_then(|m| m.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    let base = match essence.as_deref() {
        Some("text/html") => "html",
        Some("application/xhtml+xml") => "xhtml",
        Some("text/plain") => "txt",
        Some("text/csv") => "csv",
        Some("text/css") => "css",
        Some("text/markdown") => "md",
        Some("text/javascript" | "application/javascript") => "js",
        Some("application/json") => "json",
        Some("application/xml" | "text/xml") => "xml",
        Some("application/rss+xml") => "rss",
        Some("application/atom+xml") => "atom",
        Some("application/pdf") => "pdf",
        Some("application/epub+zip") => "epub",
        Some("application/zip") => "zip",
        Some("application/gzip") => "gz",
        Some("image/png") => "png",
        Some("image/jpeg") => "jpg",
        Some("image/gif") => "gif",
        Some("image/webp") => "webp",
        Some("image/svg+xml") => "svg",
        Some("audio/mpeg") => "mp3",
        Some("video/mp4") => "mp4",
        _ => "bin",
    };
    match encoding.map(|e| e.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "identity") => base.to_string(),
        Some("gzip" | "x-gzip") => format!("{base}.gz"),
        Some("br") => format!("{base}.br"),
        Some("zstd") => format!("{base}.zst"),
        Some(_) => "bin".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_come_from_the_media_type_and_the_encoding() {
        assert_eq!(extension(Some("text/html; charset=utf-8"), None), "html");
        assert_eq!(extension(Some("TEXT/PLAIN"), Some("identity")), "txt");
        assert_eq!(extension(Some("application/x-unknown"), None), "bin");
        assert_eq!(extension(None, None), "bin");
        assert_eq!(extension(Some("text/html"), Some("gzip")), "html.gz");
        assert_eq!(extension(Some("text/html"), Some("compress")), "bin");
    }

    #[test]
    fn sequence_numbers_have_three_digits_or_more() {
        assert_eq!(sequence_of("007_0123456789abcdef.txt"), Some(7));
        assert_eq!(sequence_of("1234_0123456789abcdef.txt"), Some(1234));
        assert_eq!(sequence_of("07_x"), None);
        assert_eq!(sequence_of("abc_x"), None);
        assert_eq!(
            Naming::Sha256Prefix.name(5, &Sha256Digest::of(b""), "bin"),
            "005_e3b0c44298fc1c14.bin"
        );
        assert_eq!(
            Naming::Sha256Prefix.name(1000, &Sha256Digest::of(b""), "bin"),
            "1000_e3b0c44298fc1c14.bin"
        );
    }
}
