//! Opening a file a user named as input (a manifest, a sources list, a key file, an archive) so
//! that it never hangs and is never read without bound.
//!
//! [`open_input`] opens with `O_NONBLOCK` (an `open` of a FIFO without a writer would otherwise
//! block forever), then looks at what it opened (`fstat`, so no race with the name): a regular
//! file is read; a folder, a device (`/dev/null`, a terminal) or a socket is refused, naming the
//! file and what it is. A pipe or FIFO is accepted — process substitution (`<(cat s.toml)`) and
//! `/dev/stdin` under `cat m.toml |` are pipes — and read blocking from then on, as `cat` would,
//! once something writes to it: a FIFO that nobody has opened for writing is waited on for at
//! most [`WRITER_WAIT`], then refused. [`Input::read_to`] reads at most a bound, one per kind of
//! file ([`KEY_FILE_MAX`], [`SOURCES_MAX`], [`MANIFEST_MAX`]); a regular file larger than its
//! bound is refused from its size before anything is read.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The most docseal reads of a key file (public or secret): a real one is a few hundred bytes.
pub const KEY_FILE_MAX: u64 = 64 * 1024;

/// The most docseal reads of a sources list: 1 GiB, several million sources.
pub const SOURCES_MAX: u64 = 1 << 30;

/// The most docseal reads of a manifest: 4 GiB, about 25 million entries (10⁶ entries take
/// about 160 MB).
pub const MANIFEST_MAX: u64 = 4 << 30;

/// How long a FIFO that no program has opened for writing is waited on before it is refused.
pub const WRITER_WAIT: Duration = Duration::from_secs(10);

/// What an input file turned out to be, once opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Regular { len: u64 },
    Pipe,
}

/// An input file opened by [`open_input`]: a regular file, or a pipe or FIFO with a writer.
#[derive(Debug)]
pub struct Input {
    file: File,
    kind: Kind,
    /// A byte read while finding out whether a FIFO had a writer, returned first.
    pending: Option<u8>,
    path: PathBuf,
    what: String,
}

/// Opens `path` for reading as a `what` ("manifest", "sources list", "public key file",
/// "archive"), without ever blocking in `open`; see the module documentation.
pub fn open_input(path: &Path, what: &str) -> Result<Input> {
    let file = open_nonblocking(path).map_err(|e| {
        refused_open(path, what, e).unwrap_or_else(|e| Error::io(path, "cannot read", e))
    })?;
    let meta = file
        .metadata()
        .map_err(|e| Error::io(path, "cannot read", e))?;
    let kind = classify(path, what, &meta)?;
    let mut input = Input {
        file,
        kind,
        pending: None,
        path: path.to_path_buf(),
        what: what.to_string(),
    };
    if kind == Kind::Pipe {
        input.pending = wait_for_writer(&input.file, path, what)?;
    }
    set_blocking(&input.file).map_err(|e| Error::io(path, "cannot read", e))?;
    Ok(input)
}

/// For a reader that opens the file itself (the archive readers of `collection/`, until they read
/// through [`open_input`]): refuses a device or a socket named as an archive, from `stat` alone —
/// nothing is opened, so a FIFO's writer is not disturbed (an `open` and `close` here would make
/// it fail with `EPIPE`, or leave the reader's own `open` waiting for a writer that is gone). A
/// folder is left to the reader, which says to pass it as a folder. A FIFO is left to the reader
/// too, which waits in `open` for a writer: [`open_input`]'s bounded wait needs the reader to
/// read through the [`Input`] it returns.
pub fn check_archive(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Ok(()),
        #[cfg(unix)]
        Ok(meta) if std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type()) => Ok(()),
        Ok(meta) => classify(path, "archive", &meta).map(|_| ()),
        // Missing or unreadable: the reader's own message.
        Err(_) => Ok(()),
    }
}

impl Input {
    /// Appends the file's bytes to `buf` until its end, refusing a file of more than `max`
    /// bytes (counting what `buf` already holds from this file is the caller's business: `max`
    /// bounds what this call reads).
    pub fn read_to(&mut self, buf: &mut Vec<u8>, max: u64) -> Result<()> {
        if let Kind::Regular { len } = self.kind
            && len > max
        {
            return Err(self.too_large(max));
        }
        if let Kind::Regular { len } = self.kind {
            // One allocation of the right size, not a doubling one.
            buf.reserve_exact(usize::try_from(len).unwrap_or(0).saturating_add(1));
        }
        let eof = self.read_up_to(buf, max)?;
        if !eof {
            return Err(self.too_large(max));
        }
        Ok(())
    }

    /// Appends at most `n` bytes to `buf`; true when the end of the file was reached.
    pub fn read_up_to(&mut self, buf: &mut Vec<u8>, n: u64) -> Result<bool> {
        let before = buf.len();
        (&mut *self)
            .take(n)
            .read_to_end(buf)
            .map_err(|e| Error::io(&self.path, "cannot read", e))?;
        if ((buf.len() - before) as u64) < n {
            return Ok(true);
        }
        // Exactly n bytes: the end only if nothing follows.
        let mut one = [0u8; 1];
        loop {
            match self.read(&mut one) {
                Ok(0) => return Ok(true),
                Ok(_) => {
                    self.pending = Some(one[0]);
                    return Ok(false);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(&self.path, "cannot read", e)),
            }
        }
    }

    /// The size of a regular file (from `fstat`); `None` for a pipe.
    pub fn file_len(&self) -> Option<u64> {
        match self.kind {
            Kind::Regular { len } => Some(len),
            Kind::Pipe => None,
        }
    }

    /// True for a pipe or FIFO (which cannot seek).
    pub fn is_pipe(&self) -> bool {
        self.kind == Kind::Pipe
    }

    /// The opened file, for a reader that needs to seek (a zip); `None` for a pipe, or when a
    /// byte has already been read.
    pub fn into_file(self) -> Option<File> {
        (self.kind != Kind::Pipe && self.pending.is_none()).then_some(self.file)
    }

    fn too_large(&self, max: u64) -> Error {
        Error::invalid(
            &self.path,
            format!(
                "is larger than {}, the most docseal reads of {a} {what}; this is not {a} {what}",
                size_text(max),
                a = a_or_an(&self.what),
                what = self.what,
            ),
        )
    }
}

impl Read for Input {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if let Some(b) = self.pending.take() {
            out[0] = b;
            return Ok(1);
        }
        self.file.read(out)
    }
}

/// `n` bytes in KiB, MiB or GiB, for messages.
fn size_text(n: u64) -> String {
    match n {
        n if n >= 1 << 30 && n.is_multiple_of(1 << 30) => format!("{} GiB", n >> 30),
        n if n >= 1 << 20 && n.is_multiple_of(1 << 20) => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n.is_multiple_of(1 << 10) => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// The message for an `open` that failed because of what the file is (a socket: `ENXIO`).
fn refused_open(path: &Path, what: &str, e: io::Error) -> std::result::Result<Error, io::Error> {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ENXIO) {
        use std::os::unix::fs::FileTypeExt;
        if std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket()) {
            return Ok(not_a(path, what, "a socket"));
        }
    }
    let _ = (path, what);
    Err(e)
}

fn not_a(path: &Path, what: &str, it_is: &str) -> Error {
    let a = a_or_an(what);
    Error::invalid(
        path,
        format!("is {it_is}, not {a} {what}; pass the {what} file itself"),
    )
}

/// The indefinite article for `word`.
fn a_or_an(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

fn classify(path: &Path, what: &str, meta: &std::fs::Metadata) -> Result<Kind> {
    let ft = meta.file_type();
    if ft.is_file() {
        return Ok(Kind::Regular { len: meta.len() });
    }
    if ft.is_dir() {
        return Err(not_a(path, what, "a folder"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Ok(Kind::Pipe);
        }
        if ft.is_char_device() || ft.is_block_device() {
            return Err(not_a(path, what, "a device"));
        }
        if ft.is_socket() {
            return Err(not_a(path, what, "a socket"));
        }
    }
    Err(not_a(path, what, "not a regular file"))
}

#[cfg(unix)]
fn set_blocking(file: &File) -> io::Result<()> {
    use rustix::fs::{OFlags, fcntl_getfl, fcntl_setfl};
    let flags = fcntl_getfl(file)?;
    fcntl_setfl(file, flags - OFlags::NONBLOCK)?;
    Ok(())
}

#[cfg(not(unix))]
fn set_blocking(_file: &File) -> io::Result<()> {
    Ok(())
}

/// For a pipe or FIFO still in non-blocking mode: returns once a writer is there (with the first
/// byte, if one had to be read to tell), or refuses the file after [`WRITER_WAIT`] without one.
///
/// A non-blocking read tells the cases apart: data (a byte, kept), `EAGAIN` (a writer holds it
/// open but has written nothing yet: from then on it is waited on like any pipe), or end of file
/// (no writer, or one that wrote nothing and closed it). In the last case `poll` waits for a
/// writer to write or to close; a FIFO nobody opens is refused.
#[cfg(unix)]
fn wait_for_writer(file: &File, path: &Path, what: &str) -> Result<Option<u8>> {
    let deadline = Instant::now() + WRITER_WAIT;
    let mut one = [0u8; 1];
    loop {
        match (&*file).read(&mut one) {
            Ok(1) => return Ok(Some(one[0])),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(path, "cannot read", e)),
        }
        match poll_readable(file, deadline).map_err(|e| Error::io(path, "cannot read", e))? {
            Readiness::Data => continue,
            // A writer came and went without writing: an empty input.
            Readiness::HungUp => return Ok(None),
            Readiness::TimedOut => return Err(no_writer(path, what)),
        }
    }
}

#[cfg(not(unix))]
fn wait_for_writer(_file: &File, _path: &Path, _what: &str) -> Result<Option<u8>> {
    Ok(None)
}

fn no_writer(path: &Path, what: &str) -> Error {
    Error::invalid(
        path,
        format!(
            "is a FIFO that nothing wrote to within {} seconds; start the program that writes the {what} first, or pass a regular file",
            WRITER_WAIT.as_secs()
        ),
    )
}

enum Readiness {
    Data,
    HungUp,
    TimedOut,
}

#[cfg(unix)]
fn poll_readable(file: &File, deadline: Instant) -> io::Result<Readiness> {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Readiness::TimedOut);
        }
        let timeout = Timespec {
            tv_sec: left.as_secs() as _,
            tv_nsec: left.subsec_nanos() as _,
        };
        let mut fds = [PollFd::new(file, PollFlags::IN)];
        match poll(&mut fds, Some(&timeout)) {
            Ok(0) => continue,
            Ok(_) => {
                let got = fds[0].revents();
                return Ok(if got.contains(PollFlags::IN) {
                    Readiness::Data
                } else {
                    Readiness::HungUp
                });
            }
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}
