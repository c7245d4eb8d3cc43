//! Reading a secret key file from disk: one open of the path (not following a final symbolic
//! link, never waiting on a FIFO), every check made on what that open returned (`fstat`: a
//! regular file, at most [`MAX_KEY_FILE`] bytes, and — once the text shows it is a secret key —
//! owned by this user with no group or other permission bits), and the text read from that same
//! descriptor into a buffer that is wiped when dropped. So a file swapped under the name between
//! the checks and the read cannot be used, and no copy of the key's text is left behind on the
//! heap; [`wipe_stack`] clears what the decoding left on the stack.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The largest key file docseal reads. A key file is a few hundred bytes; anything larger is not
/// one, and is refused before it is read.
pub const MAX_KEY_FILE: u64 = 64 * 1024;

/// A secret key file's text, and what `fstat` said about the descriptor it was read from.
pub(crate) struct Opened {
    /// The whole text, wiped on drop.
    pub(crate) text: Zeroizing<String>,
    meta: Metadata,
}

/// Where the default secret key lives, for messages.
const WHERE: &str = "pass the secret key file made by `docseal keygen` (by default ~/.config/docseal/keys/NAME.key)";

/// Opens `path` once and reads it, refusing what is not a regular file of a key file's size.
pub(crate) fn read(path: &Path) -> Result<Opened> {
    let mut file = open(path)?;
    let meta = file
        .metadata()
        .map_err(|e| Error::io(path, "cannot read secret key", e))?;
    if !meta.is_file() {
        return Err(Error::invalid(
            path,
            format!("{}, not a secret key file; {WHERE}", what_it_is(&meta)),
        ));
    }
    let too_large = |size: u64| {
        Error::invalid(
            path,
            format!(
                "is {size} bytes, too large for a docseal key file (a few hundred bytes); {WHERE}"
            ),
        )
    };
    if meta.len() > MAX_KEY_FILE {
        return Err(too_large(meta.len()));
    }
    // Room for the bound and one byte more, allocated once: the buffer never grows, so no copy
    // of the text is left in memory that was given back.
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_KEY_FILE as usize + 1));
    (&mut file)
        .take(MAX_KEY_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, "cannot read secret key", e))?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(too_large(bytes.len() as u64));
    }
    if std::str::from_utf8(&bytes).is_err() {
        return Err(Error::invalid(
            path,
            format!("is not a docseal key file (it is not text); {WHERE}"),
        ));
    }
    let text = String::from_utf8(std::mem::take(&mut *bytes))
        .map_err(|_| Error::Internal("text that was valid UTF-8 became invalid".to_string()))?;
    Ok(Opened {
        text: Zeroizing::new(text),
        meta,
    })
}

/// Refuses a secret key file that other users can read or that belongs to another user, judged
/// by the descriptor the text was read from.
#[cfg(unix)]
pub(crate) fn check_private(path: &Path, opened: &Opened) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let mode = opened.meta.mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::InsecureKey {
            path: path.to_path_buf(),
            mode,
        });
    }
    let me = rustix::process::geteuid().as_raw();
    if opened.meta.uid() != me {
        return Err(Error::ForeignKey {
            path: path.to_path_buf(),
            owner: opened.meta.uid(),
            user: me,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn check_private(_path: &Path, _opened: &Opened) -> Result<()> {
    Ok(())
}

#[cfg(unix)]
fn open(path: &Path) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                Error::invalid(
                    path,
                    "is a symbolic link; docseal reads a secret key only from the file itself: pass the path of the file it points to",
                )
            } else {
                Error::io(path, "cannot read secret key", e)
            }
        })
}

#[cfg(not(unix))]
fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| Error::io(path, "cannot read secret key", e))
}

/// Overwrites with zeros the stack below the caller's frame, where the frames of functions that
/// held a secret and have returned leave copies of it (a move is a copy, and one does not wipe
/// what it leaves). Best effort: it reaches the frames of the calls the caller has just made.
#[inline(never)]
pub(crate) fn wipe_stack() {
    use zeroize::Zeroize;
    let mut below = [0u8; 32 * 1024];
    below.zeroize();
    std::hint::black_box(&below);
}

/// What a file that is not a regular file is, as the start of a message.
fn what_it_is(meta: &Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_dir() {
        return "is a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "is a named pipe";
        }
        if ft.is_socket() {
            return "is a socket";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "is a device";
        }
    }
    "is not a regular file"
}
