//! Safe file writing and reading. Every manifest and key is written through [`write_atomic`] — a
//! temporary file in the destination folder, fsync, then rename — so a crash or a full disk never
//! leaves a half-written file, and an existing file is never replaced unless the caller asked for
//! it. Every file a user names as input (manifest, sources list, key, archive) is opened through
//! [`open_input`] (`fsio/input.rs`), which never blocks and reads at most a bound. And the few
//! path helpers that several areas need ([`absolute`]).

mod input;

pub use input::{
    Input, KEY_FILE_MAX, MANIFEST_MAX, SOURCES_MAX, WRITER_WAIT, check_archive, open_input,
};

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Who may read a file that docseal writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Owner read/write only (0600): secret keys.
    Private,
    /// Readable by everyone (0644): manifests and public keys.
    Public,
}

/// Writes `contents` to `path` atomically.
///
/// On Linux the contents go to an unnamed file (`O_TMPFILE`) in the destination folder, which is
/// given its name (`linkat`) only once written and synced, so that a killed docseal leaves no
/// temporary file behind (when overwriting, the name is linked under a `.docseal-*.tmp` name and
/// renamed over the old file at once: a window of two system calls). Elsewhere, or where the file
/// system has no unnamed files, a named temporary file is written and renamed.
///
/// With `overwrite` false, an existing file at `path` is an [`Error::Exists`] (checked again at
/// the rename, so a file that appears meanwhile is not replaced either). `what` names the kind of
/// file in messages ("manifest", "secret key"). Missing parent folders are created; for
/// [`Access::Private`] they are created owner-only.
pub fn write_atomic(
    path: &Path,
    contents: &[u8],
    access: Access,
    overwrite: bool,
    what: &'static str,
) -> Result<()> {
    // Unbuffered: the bytes go from `contents` straight to the file, never copied into a buffer
    // that would be freed without being wiped (a secret key's text is wiped by its owner).
    write_atomic_buffered(path, access, overwrite, what, 0, |w| {
        w.write_all(contents).map_err(Error::Output)
    })
}

/// Writes what `fill` writes to `path` atomically, as [`write_atomic`] does, streaming it through
/// a buffer instead of holding it all (a report of 10⁶ files). When writing the file fails, that
/// is the error (naming `path`), whatever `fill` made of it; an error of `fill`'s own leaves
/// nothing behind either.
pub fn write_atomic_with(
    path: &Path,
    access: Access,
    overwrite: bool,
    what: &'static str,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    write_atomic_buffered(path, access, overwrite, what, 256 * 1024, fill)
}

/// [`write_atomic_with`] through a buffer of `capacity` bytes (0: every write goes to the file as
/// it is given).
fn write_atomic_buffered(
    path: &Path,
    access: Access,
    overwrite: bool,
    what: &'static str,
    capacity: usize,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    if !overwrite && fs::symlink_metadata(path).is_ok() {
        return Err(Error::Exists {
            path: path.to_path_buf(),
            what,
        });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    create_dir_all(dir, access)?;
    #[cfg(target_os = "linux")]
    if let Some(file) = unnamed::create(dir, access) {
        fill_and_sync(&file, path, capacity, fill)?;
        if unnamed::publish(&file, dir, path, overwrite, what)? {
            sync_dir(dir);
            return Ok(());
        }
        // The file system gave an unnamed file but cannot name it: write a named one below.
        // `fill` is spent: the bytes are copied from the unnamed file.
        return copy_to_named(&file, dir, path, access, overwrite, what);
    }
    let tmp = named_temporary(dir, access)?;
    fill_and_sync(tmp.as_file(), path, capacity, fill)?;
    persist(tmp, dir, path, overwrite, what)
}

/// Runs `fill` on a writer of `file` buffered by `capacity` bytes, then flushes and syncs it. A
/// `BufWriter` of capacity 0 holds nothing: each write goes to the file as it is given.
fn fill_and_sync(
    file: &fs::File,
    path: &Path,
    capacity: usize,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let mut out = Tracked {
        inner: std::io::BufWriter::with_capacity(capacity, file),
        error: None,
    };
    let filled = fill(&mut out);
    let flushed = out.flush();
    if let Some(e) = out.error.take() {
        return Err(Error::io(path, "cannot write", e));
    }
    filled?;
    flushed
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(path, "cannot write", e))
}

/// A writer that keeps the first error its inner writer gave, so that a failed write is reported
/// as a failure to write the file, not as whatever the code that wrote made of it.
struct Tracked<W: Write> {
    inner: W,
    error: Option<std::io::Error>,
}

impl<W: Write> Tracked<W> {
    fn keep<T>(&mut self, result: std::io::Result<T>) -> std::io::Result<T> {
        result.map_err(|e| {
            let copy = std::io::Error::new(e.kind(), e.to_string());
            self.error.get_or_insert(e);
            copy
        })
    }
}

impl<W: Write> Write for Tracked<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.inner.write(buf);
        self.keep(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.inner.flush();
        self.keep(result)
    }
}

/// A named temporary file in `dir` (`.docseal-*.tmp`), with the mode of `access`.
fn named_temporary(dir: &Path, access: Access) -> Result<tempfile::NamedTempFile> {
    let tmp = tempfile::Builder::new()
        .prefix(".docseal-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, "cannot create a temporary file in", e))?;
    set_mode(tmp.as_file(), access).map_err(|e| Error::io(tmp.path(), "cannot set mode of", e))?;
    Ok(tmp)
}

/// Copies the written unnamed `file` into a named temporary file and renames that to `path`.
#[cfg(target_os = "linux")]
fn copy_to_named(
    file: &fs::File,
    dir: &Path,
    path: &Path,
    access: Access,
    overwrite: bool,
    what: &'static str,
) -> Result<()> {
    use std::io::{Seek, SeekFrom};
    let tmp = named_temporary(dir, access)?;
    let mut source = file;
    let mut target = tmp.as_file();
    source
        .seek(SeekFrom::Start(0))
        .and_then(|_| std::io::copy(&mut source, &mut target))
        .and_then(|_| target.sync_all())
        .map_err(|e| Error::io(path, "cannot write", e))?;
    persist(tmp, dir, path, overwrite, what)
}

/// Renames the written and synced `tmp` to `path` (never over a file unless `overwrite`).
fn persist(
    tmp: tempfile::NamedTempFile,
    dir: &Path,
    path: &Path,
    overwrite: bool,
    what: &'static str,
) -> Result<()> {
    if overwrite {
        tmp.persist(path)
            .map_err(|e| Error::io(path, "cannot write", e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::Exists {
                    path: path.to_path_buf(),
                    what,
                }
            } else {
                Error::io(path, "cannot write", e.error)
            }
        })?;
    }
    sync_dir(dir);
    Ok(())
}

/// A file being written in `dir` that has no name yet, so that a docseal killed while writing it
/// leaves nothing behind (`O_TMPFILE`, Linux); `None` where the system has none (the caller then
/// writes a named temporary file). Give it its name with [`name_unnamed`].
pub fn create_unnamed(dir: &Path, access: Access) -> Option<fs::File> {
    #[cfg(target_os = "linux")]
    return unnamed::create(dir, access);
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (dir, access);
        None
    }
}

/// Gives a file of [`create_unnamed`] in `dir` the name `path`, never replacing a file there
/// ([`Error::Exists`]); false when the file system cannot name it (write a named file instead).
pub fn name_unnamed(file: &fs::File, dir: &Path, path: &Path, what: &'static str) -> Result<bool> {
    #[cfg(target_os = "linux")]
    {
        let named = unnamed::publish(file, dir, path, false, what)?;
        if named {
            sync_dir(dir);
        }
        Ok(named)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (file, dir, path, what);
        Ok(false)
    }
}

/// Unnamed files (`O_TMPFILE`) and giving them a name (`linkat`), through safe wrappers.
#[cfg(target_os = "linux")]
mod unnamed {
    use std::fs::{self, File};
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::{Path, PathBuf};

    use rustix::fs::{AtFlags, CWD, linkat};
    use rustix::io::Errno;

    use super::Access;
    use crate::error::{Error, Result};

    /// An unnamed file in `dir` with `access`'s mode, or `None` where the file system has none.
    pub(super) fn create(dir: &Path, access: Access) -> Option<File> {
        let mode = match access {
            Access::Private => 0o600,
            Access::Public => 0o644,
        };
        // Readable too: where the file system cannot name it, its bytes are copied out.
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .mode(mode)
            .custom_flags(libc::O_TMPFILE)
            .open(dir)
            .ok()?;
        super::set_mode(&file, access).ok()?;
        Some(file)
    }

    /// Gives `file` the name `path`; false when the system cannot link an unnamed file.
    pub(super) fn publish(
        file: &File,
        dir: &Path,
        path: &Path,
        overwrite: bool,
        what: &'static str,
    ) -> Result<bool> {
        if !overwrite {
            return match link(file, path) {
                Ok(()) => Ok(true),
                Err(Errno::EXIST) => Err(Error::Exists {
                    path: path.to_path_buf(),
                    what,
                }),
                Err(e) if unsupported(e) => Ok(false),
                Err(e) => Err(Error::io(path, "cannot write", e.into())),
            };
        }
        for attempt in 0..100u32 {
            let tmp = temporary_name(dir, attempt);
            match link(file, &tmp) {
                Ok(()) => {
                    return match fs::rename(&tmp, path) {
                        Ok(()) => Ok(true),
                        Err(e) => {
                            let _ = fs::remove_file(&tmp);
                            Err(Error::io(path, "cannot write", e))
                        }
                    };
                }
                Err(Errno::EXIST) => continue,
                Err(e) if unsupported(e) => return Ok(false),
                Err(e) => return Err(Error::io(path, "cannot write", e.into())),
            }
        }
        Err(Error::io(
            dir,
            "cannot create a temporary file in",
            std::io::ErrorKind::AlreadyExists.into(),
        ))
    }

    /// Links the unnamed `file` as `path`: through `/proc/self/fd` (any user), else with
    /// `AT_EMPTY_PATH` (which needs `CAP_DAC_READ_SEARCH`).
    fn link(file: &File, path: &Path) -> std::result::Result<(), Errno> {
        let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
        match linkat(CWD, proc_path.as_str(), CWD, path, AtFlags::SYMLINK_FOLLOW) {
            Err(Errno::NOENT) if Path::new("/proc/self/fd").is_dir() => Err(Errno::NOENT),
            Err(Errno::NOENT) => linkat(file, "", CWD, path, AtFlags::EMPTY_PATH),
            other => other,
        }
    }

    /// Errors that mean "this system cannot name an unnamed file" rather than a problem with
    /// the destination.
    fn unsupported(e: Errno) -> bool {
        matches!(
            e,
            Errno::NOENT | Errno::PERM | Errno::XDEV | Errno::OPNOTSUPP
        )
    }

    fn temporary_name(dir: &Path, attempt: u32) -> PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        dir.join(format!(
            ".docseal-{}-{nanos:x}-{attempt}.tmp",
            std::process::id()
        ))
    }
}

fn create_dir_all(dir: &Path, access: Access) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(if access == Access::Private {
            0o700
        } else {
            0o755
        });
    }
    builder
        .create(dir)
        .map_err(|e| Error::io(dir, "cannot create folder", e))
}

#[cfg(unix)]
fn set_mode(file: &fs::File, access: Access) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = match access {
        Access::Private => 0o600,
        Access::Public => 0o644,
    };
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &fs::File, _access: Access) -> std::io::Result<()> {
    Ok(())
}

/// Makes the rename durable. Failure is ignored: some file systems cannot fsync a folder.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Reads a whole small file (at most [`KEY_FILE_MAX`] bytes: key files), naming it in the error.
/// It is opened with [`open_input`], so a FIFO, a folder or a device is refused, never waited on.
pub fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    read_at_most(path, what, KEY_FILE_MAX)
}

/// Reads a whole file of at most `max` bytes, opened with [`open_input`].
pub fn read_at_most(path: &Path, what: &str, max: u64) -> Result<Vec<u8>> {
    let mut input = open_input(path, what)?;
    let mut buf = Vec::new();
    input.read_to(&mut buf, max)?;
    Ok(buf)
}

/// Reads a whole small UTF-8 text file (at most [`KEY_FILE_MAX`] bytes: key files), naming it
/// in the error; see [`read_text_at_most`] for larger ones.
pub fn read_text(path: &Path, what: &str) -> Result<String> {
    read_text_at_most(path, what, KEY_FILE_MAX)
}

/// Reads a whole UTF-8 text file of at most `max` bytes, opened with [`open_input`].
pub fn read_text_at_most(path: &Path, what: &str, max: u64) -> Result<String> {
    let bytes = read_at_most(path, what, max)?;
    String::from_utf8(bytes)
        .map_err(|_| Error::invalid(path, format!("{what} is not valid UTF-8 text")))
}

/// `path` made absolute with symbolic links resolved, for a path whose last components may not
/// exist yet (they are appended to the resolved longest existing prefix).
pub fn absolute(path: &Path) -> Option<PathBuf> {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut existing = path.as_path();
    let mut tail = Vec::new();
    loop {
        if let Ok(resolved) = fs::canonicalize(existing) {
            let mut out = resolved;
            for part in tail.iter().rev() {
                out.push(part);
            }
            return Some(out);
        }
        tail.push(existing.file_name()?.to_os_string());
        existing = existing.parent()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that `dir` holds one file (no temporary file beside it).
    fn only_file_in(dir: &Path) {
        let names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn refuses_to_overwrite_without_permission_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.toml");
        write_atomic(&p, b"one", Access::Public, false, "manifest").unwrap();
        let err = write_atomic(&p, b"two", Access::Public, false, "manifest").unwrap_err();
        assert!(matches!(err, Error::Exists { .. }));
        assert_eq!(fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"three", Access::Public, true, "manifest").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"three");
        only_file_in(dir.path());
    }

    #[test]
    fn a_writer_that_fails_midway_leaves_nothing_and_an_old_file_stands() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("report.json");
        write_atomic(&p, b"old report", Access::Public, true, "report").unwrap();
        let err = write_atomic_with(&p, Access::Public, true, "report", |w| {
            w.write_all(&[b'x'; 300_000]).map_err(Error::Output)?;
            Err(Error::Internal("an entry cannot be read again".into()))
        })
        .unwrap_err();
        assert!(matches!(err, Error::Internal(_)), "{err}");
        assert_eq!(fs::read(&p).unwrap(), b"old report");
        only_file_in(dir.path());
        // What a writer streams in pieces is the file, whole.
        write_atomic_with(&p, Access::Public, true, "report", |w| {
            for i in 0..100_000u32 {
                writeln!(w, "{i}").map_err(Error::Output)?;
            }
            Ok(())
        })
        .unwrap();
        let text = fs::read_to_string(&p).unwrap();
        assert_eq!(text.lines().count(), 100_000);
        assert!(text.ends_with("99999\n"));
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_created_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/k.key");
        write_atomic(&p, b"secret", Access::Private, false, "secret key").unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(dir.path().join("sub"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
    }
}
