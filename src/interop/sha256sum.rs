//! The checksum list of GNU coreutils' `sha256sum`, as `sha256sum -c` reads it: one line per
//! file, 64 lower-case hex digits, two spaces (text mode), the name, a newline. A name holding a
//! backslash, a line feed or a carriage return is escaped as coreutils escapes it (9.x): the line
//! starts with a backslash, and the name is written with `\\`, `\n` and `\r` for those
//! characters. (A manifest's paths hold none of them, but the writer does not rely on that.)
//!
//! The reader ([`List::parse`]) takes what `sha256sum` writes: that form (with ` ` or `*` for
//! text or binary mode, upper- or lower-case hex) and the `--tag` form `SHA256 (name) = hex`, each
//! possibly escaped; blank lines are skipped; anything else is an error naming its line.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::digest::Sha256Digest;
use crate::error::{Error, Result};
use crate::fsio;

/// The name as it stands in a line, and whether the line starts with the escape mark `\`.
pub fn escape_name(name: &str) -> (bool, Cow<'_, str>) {
    if !name.contains(['\\', '\n', '\r']) {
        return (false, Cow::Borrowed(name));
    }
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    (true, Cow::Owned(out))
}

/// Writes the line for one file.
pub fn write_line<W: Write + ?Sized>(
    w: &mut W,
    digest: &Sha256Digest,
    name: &str,
) -> io::Result<()> {
    let (escaped, name) = escape_name(name);
    let mark = if escaped { "\\" } else { "" };
    writeln!(w, "{mark}{digest}  {name}")
}

/// A parsed checksum list: a digest per name, with the line it is on.
#[derive(Clone, Debug, Default)]
pub struct List {
    /// The file it was read from, for messages.
    pub path: PathBuf,
    /// Digest and line by name, names as written (a leading `./` taken off).
    pub entries: BTreeMap<String, (Sha256Digest, usize)>,
}

impl List {
    /// Reads and parses a checksum list.
    pub fn load(path: &Path) -> Result<Self> {
        let text = fsio::read_text_at_most(path, "checksum list", fsio::SOURCES_MAX)?;
        Self::parse(path, &text)
    }

    /// Parses checksum-list text; `path` is for messages.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let mut entries = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let number = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let bad = |what: &str| Error::Parse {
                path: path.to_path_buf(),
                line: number,
                message: format!(
                    "{what}; a sha256sum list has lines \"HEX  NAME\" or \"SHA256 (NAME) = HEX\""
                ),
            };
            let (escaped, rest) = match line.strip_prefix('\\') {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            let (hex, name) = if let Some(tagged) = rest.strip_prefix("SHA256 (") {
                let (name, hex) = tagged
                    .rsplit_once(") = ")
                    .ok_or_else(|| bad("this --tag line has no \") = \""))?;
                (hex, name)
            } else {
                let hex = rest
                    .get(..64)
                    .ok_or_else(|| bad("this line is too short"))?;
                // A space, then a space (text mode) or `*` (binary mode).
                let name = rest
                    .get(64..)
                    .and_then(|r| r.strip_prefix(' '))
                    .and_then(|r| r.strip_prefix([' ', '*']))
                    .ok_or_else(|| bad("no \"  \" or \" *\" between the digest and the name"))?;
                (hex, name)
            };
            let digest: Sha256Digest = hex
                .to_ascii_lowercase()
                .parse()
                .map_err(|e: String| bad(&e))?;
            let name = if escaped {
                unescape(name).ok_or_else(|| {
                    bad("an escaped name holds a backslash not followed by \\, n or r")
                })?
            } else {
                name.to_string()
            };
            let name = name.strip_prefix("./").map(str::to_string).unwrap_or(name);
            if let Some((_, first)) = entries.insert(name.clone(), (digest, number)) {
                return Err(Error::Parse {
                    path: path.to_path_buf(),
                    line: number,
                    message: format!(
                        "\"{}\" is listed twice (first at line {first}); list each file once",
                        name.escape_debug()
                    ),
                });
            }
        }
        Ok(List {
            path: path.to_path_buf(),
            entries,
        })
    }
}

/// The name of an escaped line, with `\\`, `\n` and `\r` turned back; `None` for any other
/// backslash.
fn unescape(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '\\' => '\\',
            'n' => '\n',
            'r' => '\r',
            _ => return None,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_written_as_they_are_and_others_escaped_as_coreutils_does() {
        let d = Sha256Digest::of(b"x");
        let line = |name: &str| {
            let mut out = Vec::new();
            write_line(&mut out, &d, name).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(line("a b/ü.txt"), format!("{d}  a b/ü.txt\n"));
        assert_eq!(line("x\\y"), format!("\\{d}  x\\\\y\n"));
        assert_eq!(line("n\nl\rc"), format!("\\{d}  n\\nl\\rc\n"));
    }

    #[test]
    fn lists_in_either_form_read_back_what_was_written() {
        let d = Sha256Digest::of(b"x");
        let mut text = Vec::new();
        for name in ["a b.txt", "x\\y", "n\nl"] {
            write_line(&mut text, &d, name).unwrap();
        }
        let upper = d.to_hex().to_uppercase();
        text.extend(format!("\n{upper} *./bin.dat\nSHA256 (tag (1).txt) = {d}\n").bytes());
        let list = List::parse(Path::new("l"), std::str::from_utf8(&text).unwrap()).unwrap();
        let names: Vec<&str> = list.entries.keys().map(String::as_str).collect();
        assert_eq!(names, ["a b.txt", "bin.dat", "n\nl", "tag (1).txt", "x\\y"]);
        assert!(list.entries.values().all(|(digest, _)| *digest == d));
        assert_eq!(list.entries["bin.dat"].1, 5);
    }

    #[test]
    fn malformed_lines_are_refused_with_their_number() {
        let d = Sha256Digest::of(b"x");
        for (text, line) in [
            (format!("{d}  a\nnot a line\n"), 2),
            (format!("{d}a\n"), 1),
            (format!("\\{d}  a\\qb\n"), 1),
            (format!("SHA256 (a = {d}\n"), 1),
            (format!("{d}  a\n{d}  ./a\n"), 2),
        ] {
            let err = List::parse(Path::new("l"), &text).unwrap_err();
            assert!(err.to_string().starts_with(&format!("l:{line}: ")), "{err}");
        }
    }
}
