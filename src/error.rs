//! The one error type of the library: every variant names the file it is about and, where the
//! problem is in a text file, the line; its message is one line that ends with what to do next.

use std::io;
use std::path::{Path, PathBuf};

use crate::sanitize::path_text;

/// Anything that stops a docseal command from running to its end.
///
/// A verification that finds a modified or missing file is *not* an error: it is a
/// [`crate::report::VerifyReport`] whose [`is_success`](crate::report::VerifyReport::is_success)
/// is false. Errors are the cases where docseal could not do its job at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read, written or created.
    #[error("{}: {doing}: {}", path_text(.path), describe_io(.source))]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What docseal was doing, e.g. "cannot read".
        doing: &'static str,
        /// The operating system's error.
        source: io::Error,
    },
    /// A text file (manifest, sources list, key file) is malformed at a given line.
    #[error("{}:{line}: {message}", path_text(.path))]
    Parse {
        /// The file.
        path: PathBuf,
        /// The 1-based line the problem is on.
        line: usize,
        /// What is wrong and what to do.
        message: String,
    },
    /// A file or folder is unusable as a whole (no single line to point at).
    #[error("{}: {message}", path_text(.path))]
    Invalid {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// A file that docseal would write already exists, and overwriting was not asked for.
    #[error("{}: {what} already exists; pass --force to overwrite it", path_text(.path))]
    Exists {
        /// The existing file.
        path: PathBuf,
        /// What kind of file it is, e.g. "secret key".
        what: &'static str,
    },
    /// A secret key file can be read by other users.
    #[error(
        "{}: secret key is readable by other users (mode {mode:04o}); run `chmod 600 {}` and check who has seen it",
        path_text(.path), path_text(.path)
    )]
    InsecureKey {
        /// The secret key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// No trusted public key was found where docseal looked.
    #[error("no trusted public keys in {}; pass --trust KEY.pub (or a folder of .pub files)", describe_paths(.looked_in))]
    NoTrustedKeys {
        /// The files and folders that were searched.
        looked_in: Vec<PathBuf>,
    },
    /// The request itself is inconsistent (e.g. an unknown file name given to `show`).
    #[error("{0}")]
    Usage(String),
}

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, doing: &'static str, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            doing,
            source,
        }
    }

    /// An [`Error::Invalid`] for `path`.
    pub fn invalid(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }

    /// An [`Error::Parse`] for `path` at the line that holds byte `offset` of `text`.
    pub fn at_offset(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.to_path_buf(),
            line: line_of(text, offset),
            message: message.into(),
        }
    }

    /// Turns a `toml` parse error into a one-line [`Error::Parse`] naming `path` and the line.
    pub fn from_toml(path: &Path, text: &str, err: &toml::de::Error) -> Self {
        let message = one_line(err.message());
        match err.span() {
            Some(span) => Error::at_offset(path, text, span.start, message),
            None => Error::invalid(path, message),
        }
    }
}

/// The 1-based line number of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Collapses a possibly multi-line message into one line.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A short, lower-case description of an I/O error, without the "(os error N)" noise.
pub fn describe_io(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "not found".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::AlreadyExists => "already exists".to_string(),
        io::ErrorKind::IsADirectory => "is a folder, not a file".to_string(),
        io::ErrorKind::NotADirectory => "is not a folder".to_string(),
        io::ErrorKind::InvalidData => "contains invalid data".to_string(),
        io::ErrorKind::UnexpectedEof => "ended unexpectedly".to_string(),
        _ => {
            let text = err.to_string();
            let text = match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            };
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    }
}

fn describe_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "(nowhere)".to_string();
    }
    paths
        .iter()
        .map(|p| path_text(p))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_of_counts_newlines_before_the_offset() {
        let text = "a\nb\nc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 4), 3);
        assert_eq!(line_of(text, 100), 3);
    }

    #[test]
    fn io_errors_read_as_plain_lower_case_text() {
        let err = io::Error::from(io::ErrorKind::PermissionDenied);
        assert_eq!(describe_io(&err), "permission denied");
        let e = Error::io("x/y", "cannot read", err);
        assert_eq!(e.to_string(), "x/y: cannot read: permission denied");
    }
}
