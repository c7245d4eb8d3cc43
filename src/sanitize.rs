//! Escaping untrusted text (paths, URLs and names read from manifests and file systems) before it
//! reaches a terminal, so that a crafted name cannot move the cursor, rewrite earlier lines or
//! change colours; and shortening what an error message quotes ([`shorten`]), so that a 10 MB
//! path makes a readable line, not a 10 MB one.

use std::borrow::Cow;

/// `s` with every control character (C0, DEL, C1) and bidirectional override replaced by a
/// visible Rust-style escape such as `\u{1b}`. Text without such characters is returned as is.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A file-system name as text: valid UTF-8 as is, each byte of an invalid sequence as `\xNN`
/// (so that a name that is not UTF-8 can still be told apart and found).
pub fn os_text(name: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

/// A path as text, with [`os_text`]'s escapes for bytes that are not UTF-8.
pub fn path_text(path: &std::path::Path) -> String {
    os_text(path.as_os_str())
}

/// The longest text an error message holds, in bytes; longer text is [`shorten`]ed.
pub const MESSAGE_MAX: usize = 1024;

/// `s` itself when it has at most [`MESSAGE_MAX`] bytes; else its start and its end (where a
/// message says what to do) with the middle replaced by `…[N bytes left out]…`.
pub fn shorten(s: &str) -> Cow<'_, str> {
    if s.len() <= MESSAGE_MAX {
        return Cow::Borrowed(s);
    }
    let mut head = MESSAGE_MAX * 5 / 8;
    while !s.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = s.len() - MESSAGE_MAX * 2 / 8;
    while !s.is_char_boundary(tail) {
        tail += 1;
    }
    Cow::Owned(format!(
        "{}…[{} bytes left out]…{}",
        &s[..head],
        tail - head,
        &s[tail..]
    ))
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_control_sequences_are_made_visible() {
        assert_eq!(escape("plain/ünï.txt"), "plain/ünï.txt");
        assert_eq!(escape("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape("x\ny"), "x\\ny");
        assert_eq!(escape("evil\u{202E}txt.exe"), "evil\\u{202e}txt.exe");
    }

    #[test]
    fn long_text_keeps_its_start_and_its_end() {
        assert_eq!(shorten("short"), "short");
        let long = format!("path \"{}\" is bad; rename it", "ü".repeat(5_000_000));
        let short = shorten(&long);
        assert!(short.len() < MESSAGE_MAX + 40, "{}", short.len());
        assert!(short.starts_with("path \"üü") && short.ends_with("üü\" is bad; rename it"));
        assert!(short.contains(" bytes left out]…"));
    }

    #[cfg(unix)]
    #[test]
    fn bytes_that_are_not_utf8_are_shown_as_hex_escapes() {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        assert_eq!(os_text(name), "caf\\xe9.txt");
        assert_eq!(os_text(std::ffi::OsStr::new("plain")), "plain");
    }
}
