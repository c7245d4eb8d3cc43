//! Escaping untrusted text (paths, URLs and names read from manifests and file systems) before it
//! reaches a terminal, so that a crafted name cannot move the cursor, rewrite earlier lines or
//! change colours, nor pass for another name by holding a character that shows nothing; and
//! shortening what an error message quotes ([`shorten`]), so that a 10 MB path makes a readable
//! line, not a 10 MB one.

use std::borrow::Cow;

/// `s` with every control character (C0, DEL, C1), bidirectional control and invisible character
/// (see `needs_escape`) replaced by a visible Rust-style escape such as `\u{1b}` or `\u{200b}`.
/// Text without such characters is returned as is.
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

/// Control characters, and the characters that show nothing or change how what follows is shown:
/// bidirectional controls, zero-width and other default-ignorable characters (U+200B zero-width
/// space, U+FEFF, joiners, variation selectors, tag characters, …), the other format characters
/// and the line and paragraph separators. A name holding one can look exactly like another.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' // soft hyphen
            | '\u{034F}' // combining grapheme joiner
            | '\u{061C}' // Arabic letter mark
            | '\u{0600}'..='\u{0605}' | '\u{06DD}' | '\u{070F}' | '\u{08E2}' // format marks
            | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers
            | '\u{17B4}' | '\u{17B5}' // Khmer inherent vowels
            | '\u{180B}'..='\u{180F}' // Mongolian variation selectors and vowel separator
            | '\u{200B}'..='\u{200F}' // zero-width space, joiners, LRM, RLM
            | '\u{2028}' | '\u{2029}' // line and paragraph separators
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{206F}' // word joiner, invisible operators, bidi isolates, …
            | '\u{FE00}'..='\u{FE0F}' // variation selectors
            | '\u{FEFF}' // zero-width no-break space (byte-order mark)
            | '\u{FFF0}'..='\u{FFFB}' // unassigned specials, interlinear annotation
            | '\u{110BD}' | '\u{110CD}' | '\u{13430}'..='\u{1343F}' // format marks
            | '\u{1BCA0}'..='\u{1BCA3}' // shorthand format controls
            | '\u{1D173}'..='\u{1D17A}' // musical format controls
            | '\u{E0000}'..='\u{E0FFF}' // tag characters and variation selectors supplement
        )
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

    #[test]
    fn invisible_characters_are_made_visible_so_that_no_two_names_look_alike() {
        for (raw, shown) in [
            ("a\u{200B}b.txt", "a\\u{200b}b.txt"),
            ("\u{FEFF}bom.txt", "\\u{feff}bom.txt"),
            ("x\u{200D}y", "x\\u{200d}y"),
            ("rtl\u{2067}x\u{2069}", "rtl\\u{2067}x\\u{2069}"),
            ("lrm\u{200E}", "lrm\\u{200e}"),
            ("tag\u{E0041}\u{E007F}", "tag\\u{e0041}\\u{e007f}"),
            ("soft\u{00AD}hyphen", "soft\\u{ad}hyphen"),
            ("line\u{2028}sep", "line\\u{2028}sep"),
            ("word\u{2060}joiner", "word\\u{2060}joiner"),
        ] {
            assert_eq!(escape(raw), shown, "{raw:?}");
        }
        // Visible text outside ASCII is left alone.
        for plain in [
            "Núñez.txt",
            "日本語.pdf",
            "ελληνικά",
            "emoji-📄.txt",
            "Nu\u{301}n\u{303}ez",
        ] {
            assert_eq!(escape(plain), plain);
        }
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
