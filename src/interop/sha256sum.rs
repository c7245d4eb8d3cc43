//! The checksum list of GNU coreutils' `sha256sum`, as `sha256sum -c` reads it: one line per
//! file, 64 lower-case hex digits, two spaces (text mode), the name, a newline. A name holding a
//! backslash, a line feed or a carriage return is escaped as coreutils escapes it (9.x): the line
//! starts with a backslash, and the name is written with `\\`, `\n` and `\r` for those
//! characters. (A manifest's paths hold none of them, but the writer does not rely on that.)

use std::borrow::Cow;
use std::io::{self, Write};

use crate::digest::Sha256Digest;

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
}
