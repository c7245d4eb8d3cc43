//! The one error type of the library. Each variant is a kind a caller can match on; a variant
//! about a file names the file and, where the problem is in a text file, the line. Its message
//! is one line that ends with what to do next, of at most about 1 KiB per quoted part (a huge
//! path or value is shortened in the middle: `sanitize::shorten`).

use std::io;
use std::path::{Path, PathBuf};

use crate::sanitize::{escape, path_text, shorten};

/// Anything that stops a docseal command from running to its end.
///
/// A verification that finds a modified or missing file is *not* an error: it is a
/// `VerifyReport` (in `report`) whose `is_success` is false. Errors are the cases where docseal
/// could not do its job at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read, written or created.
    #[error("{}: {doing}: {}", short_path(.path), describe_io(.source))]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What docseal was doing, e.g. "cannot read".
        doing: &'static str,
        /// The operating system's error.
        source: io::Error,
    },
    /// A text file (manifest, sources list, key file) is malformed at a given line.
    #[error("{}:{line}: {}", short_path(.path), shorten(.message))]
    Parse {
        /// The file.
        path: PathBuf,
        /// The 1-based line the problem is on.
        line: usize,
        /// What is wrong and what to do.
        message: String,
    },
    /// A file or folder is unusable as a whole (no single line to point at).
    #[error("{}: {}", short_path(.path), shorten(.message))]
    Invalid {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// A file that docseal would write already exists, and overwriting was not asked for.
    #[error("{}: {what} already exists; pass --force to overwrite it", short_path(.path))]
    Exists {
        /// The existing file.
        path: PathBuf,
        /// What kind of file it is, e.g. "secret key".
        what: &'static str,
    },
    /// A secret key file can be read by other users.
    #[error(
        "{}: secret key is readable by other users (mode {mode:04o}); run `chmod 600 {}` and check who has seen it",
        short_path(.path), short_path(.path)
    )]
    InsecureKey {
        /// The secret key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A secret key file belongs to another user.
    #[error(
        "{}: secret key belongs to another user (uid {owner}, and you are uid {user}); sign with a key of your own (`docseal keygen`), or have its owner sign",
        path_text(.path)
    )]
    ForeignKey {
        /// The secret key file.
        path: PathBuf,
        /// The user ID that owns it.
        owner: u32,
        /// The effective user ID of this process.
        user: u32,
    },
    /// An encrypted secret key file is intact, but the passphrase given does not open it.
    #[error(
        "{}: wrong passphrase for secret key \"{}\"; give the passphrase it was made with (a forgotten one cannot be recovered: make a new key with `docseal keygen`)",
        short_path(.path), escape(.name)
    )]
    WrongPassphrase {
        /// The secret key file (or `env:VAR`).
        path: PathBuf,
        /// The key's name.
        name: String,
    },
    /// No trusted public key was found where docseal looked.
    #[error("no trusted public keys in {}; pass --trust KEY.pub (or a folder of .pub files)", describe_paths(.looked_in))]
    NoTrustedKeys {
        /// The files and folders that were searched.
        looked_in: Vec<PathBuf>,
    },
    /// Two trusted key files hold the same key, or two keys with the same key ID.
    #[error(
        "{}: {} as {}; trust each key through one file, so that its name is not a choice: remove one of the two",
        path_text(.path),
        if *.same_key { format!("holds the same key (key ID {})", .key_id) } else { format!("holds another key with the same key ID {}", .key_id) },
        path_text(.other)
    )]
    DuplicateTrustedKey {
        /// The second file.
        path: PathBuf,
        /// The first file.
        other: PathBuf,
        /// The key ID they share.
        key_id: String,
        /// True when they hold the very same key, false when only the IDs are equal.
        same_key: bool,
    },
    /// A folder of trusted keys (by default `./keys`) does not exist.
    #[error(
        "no trusted keys found in {} (there is no such folder here); pass --trust KEY.pub or a folder of .pub files, or run docseal where that folder is",
        folder_text(.path)
    )]
    NoTrustFolder {
        /// The folder.
        path: PathBuf,
    },
    /// A file was asked for by its collection path, and the manifest does not hold it.
    #[error(
        "{}: no file \"{}\" in this manifest; run `docseal show {}` to list its files",
        short_path(.manifest), shorten(&escape(.path)), short_path(.manifest)
    )]
    NotInManifest {
        /// The manifest.
        manifest: PathBuf,
        /// The path asked for, as given.
        path: String,
    },
    /// A report or result could not be written to standard output.
    #[error("standard output: cannot write to: {}", describe_io(.0))]
    Output(#[source] io::Error),
    /// The operating system's random source failed (making a key).
    #[error("cannot get random bytes from the operating system: {0}")]
    Random(String),
    /// The pool of hashing threads could not be started.
    #[error("cannot start {jobs} hashing threads: {reason}")]
    Threads {
        /// How many were asked for.
        jobs: usize,
        /// What the operating system said.
        reason: String,
    },
    /// docseal broke one of its own rules: a bug, not a problem with the input.
    #[error("internal error: {0}; please report this as a bug")]
    Internal(String),
    /// The arguments are inconsistent with each other or with what they name.
    #[error("{}", shorten(.0))]
    Usage(String),
    /// A collection in object storage (`--root s3://…`) could not be listed or reached, or no
    /// credentials for it are set.
    #[error("{url}: {}", shorten(.message))]
    Remote {
        /// The collection's URL, as given.
        url: String,
        /// What went wrong, and what to do.
        message: String,
    },
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

    /// True when writing output failed because the reader went away (`docseal verify | head`),
    /// which is not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
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
        let message = toml_message(err);
        match err.span() {
            Some(span) => Error::at_offset(path, text, span.start, message),
            None => Error::invalid(path, message),
        }
    }
}

/// The 1-based line number of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    memchr::memchr_iter(b'\n', &text.as_bytes()[..end]).count() + 1
}

/// Line numbers of many offsets in one text, in linear time when they come in increasing order
/// (as the entries of a file do): each count goes on from the previous offset, where
/// [`line_of`] for every entry would count from the start each time, which is quadratic in the
/// file's length.
#[derive(Clone, Debug)]
pub struct Lines<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    /// Line numbers in `text`.
    pub fn new(text: &'a str) -> Self {
        Lines {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line number of byte `offset` (counted from the start again when it is before
    /// the previous one).
    pub fn line_of(&mut self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        if end < self.offset {
            (self.offset, self.line) = (0, 1);
        }
        self.line += memchr::memchr_iter(b'\n', &self.text[self.offset..end]).count();
        self.offset = end;
        self.line
    }
}

/// A `toml` error's message on one line, with a hint for an unknown field.
pub(crate) fn toml_message(err: &toml::de::Error) -> String {
    with_hint(&one_line(err.message()))
}

/// Adds what to do to serde's "unknown field `x`, expected one of `a`, `b`" message: the
/// closest known field, if one is close.
pub(crate) fn with_hint(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let Some((field, expected)) = rest.split_once("`, expected ") else {
        return message.to_string();
    };
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let closest = known
        .iter()
        .map(|k| (edit_distance(field, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min();
    match closest {
        Some((_, k)) => format!("unknown field \"{field}\"; did you mean \"{k}\"?"),
        None => format!(
            "unknown field \"{field}\"; docseal refuses fields it does not know (known here: {})",
            known.join(", ")
        ),
    }
}

/// Levenshtein distance, for suggestions between short field names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
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

/// A folder for a message: a relative one as `./keys`, so that it reads as a place.
fn folder_text(path: &Path) -> String {
    let text = path_text(path);
    match path.components().next() {
        Some(std::path::Component::Normal(_)) => format!("./{text}"),
        _ => text,
    }
}

/// A path for a message: [`path_text`], [`shorten`]ed.
fn short_path(path: &Path) -> String {
    shorten(&path_text(path)).into_owned()
}

fn describe_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "(nowhere)".to_string();
    }
    paths
        .iter()
        .map(|p| short_path(p))
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
        let mut lines = Lines::new(text);
        for offset in [0, 1, 2, 4, 100, 2, 0, 4] {
            assert_eq!(lines.line_of(offset), line_of(text, offset), "{offset}");
        }
    }

    #[test]
    fn unknown_fields_get_the_closest_known_field_as_a_hint() {
        let m = "unknown field `digets`, expected one of `path`, `size`, `digest`";
        assert_eq!(
            with_hint(m),
            "unknown field \"digets\"; did you mean \"digest\"?"
        );
        let m = "unknown field `colour`, expected `path` or `size`";
        assert!(
            with_hint(m).starts_with("unknown field \"colour\"; docseal refuses"),
            "{}",
            with_hint(m)
        );
        assert_eq!(with_hint("invalid type"), "invalid type");
    }

    #[test]
    fn io_errors_read_as_plain_lower_case_text() {
        let err = io::Error::from(io::ErrorKind::PermissionDenied);
        assert_eq!(describe_io(&err), "permission denied");
        let e = Error::io("x/y", "cannot read", err);
        assert_eq!(e.to_string(), "x/y: cannot read: permission denied");
    }
}
