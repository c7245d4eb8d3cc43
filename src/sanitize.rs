//! Escaping untrusted text (paths, URLs and names read from manifests and file systems) before it
//! reaches a terminal, so that a crafted name cannot move the cursor, rewrite earlier lines or
//! change colours.

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
}
