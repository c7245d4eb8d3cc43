//! [`RelPath`]: a path inside a collection, exactly as a manifest records it — relative,
//! `/`-separated UTF-8 — validated so that it can never name anything outside the collection.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A validated relative path inside a collection.
///
/// Rules (see `docs/manifest-format.md`): non-empty; segments separated by `/`; no empty
/// segment (so no leading, trailing or doubled `/`); no `.` or `..` segment; no backslash, NUL,
/// other control character or U+FFFD; no Windows drive prefix such as `C:`.
/// Paths order by their UTF-8 bytes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct RelPath(String);

impl RelPath {
    /// Validates `s` as a collection path.
    pub fn new(s: &str) -> Result<Self, String> {
        validate(s)?;
        Ok(RelPath(s.to_string()))
    }

    /// The path as recorded.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path joined below `root`, segment by segment.
    pub fn under(&self, root: &Path) -> PathBuf {
        let mut out = root.to_path_buf();
        for segment in self.0.split('/') {
            out.push(segment);
        }
        out
    }
}

/// The first segment of a collection path when the path lies below a folder (`a/b/c` → `a`).
pub fn first_folder(path: &str) -> Option<&str> {
    path.split_once('/').map(|(first, _)| first)
}

/// Checks `s` against every rule of a collection path.
pub(crate) fn validate(s: &str) -> Result<(), String> {
    if is_plain(s) {
        return Ok(());
    }
    check_rules(s)
}

/// Every rule, one by one, with the message for the first one broken.
fn check_rules(s: &str) -> Result<(), String> {
    let shown = s.escape_debug();
    if s.is_empty() {
        return Err("empty path; a path names a file inside the collection".to_string());
    }
    if s.starts_with('/') {
        return Err(format!(
            "absolute path \"{shown}\" is not allowed; paths are relative to the collection"
        ));
    }
    if s.contains('\\') {
        return Err(format!(
            "path \"{shown}\" contains a backslash; paths use \"/\" as separator"
        ));
    }
    if s.contains('\0') {
        return Err(format!("path \"{shown}\" contains a NUL character"));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(format!("path \"{shown}\" contains a control character"));
    }
    if s.contains('\u{FFFD}') {
        return Err(format!(
            "path \"{shown}\" contains U+FFFD, the mark of a name that was not valid UTF-8"
        ));
    }
    let bytes = s.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err(format!(
            "path \"{shown}\" starts with a drive prefix; paths are relative to the collection"
        ));
    }
    for segment in s.split('/') {
        match segment {
            "" => {
                return Err(format!(
                    "path \"{shown}\" has an empty segment (a leading, trailing or doubled \"/\")"
                ));
            }
            "." => return Err(format!("path \"{shown}\" has a \".\" segment")),
            ".." => {
                return Err(format!(
                    "path \"{shown}\" has a \"..\" segment, which would leave the collection"
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The common case, in one pass over the bytes: printable ASCII without a backslash, no drive
/// prefix, and segments that are neither empty, `.` nor `..`. A path that is not plain may still
/// be valid (non-ASCII names); [`validate`] then checks it rule by rule.
fn is_plain(s: &str) -> bool {
    let b = s.as_bytes();
    let ordinary = |segment: &[u8]| !segment.is_empty() && segment != b"." && segment != b"..";
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return false;
    }
    let mut segment_start = 0;
    for (i, &c) in b.iter().enumerate() {
        if !(0x20..0x7f).contains(&c) || c == b'\\' {
            return false;
        }
        if c == b'/' {
            if !ordinary(&b[segment_start..i]) {
                return false;
            }
            segment_start = i + 1;
        }
    }
    ordinary(&b[segment_start..])
}

impl TryFrom<String> for RelPath {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        validate(&s)?;
        Ok(RelPath(s))
    }
}

impl From<RelPath> for String {
    fn from(p: RelPath) -> String {
        p.0
    }
}

impl<'de> Deserialize<'de> for RelPath {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RelPath::try_from(s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RelPath({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_nested_paths_are_accepted() {
        for ok in [
            "a.txt",
            "dir/a.txt",
            "a/b/c d.pdf",
            ".hidden",
            "dir/..x",
            "ünïcode/名前.txt",
        ] {
            assert!(RelPath::new(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn paths_that_could_leave_the_collection_are_rejected() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/..",
            "./a",
            "a//b",
            "a/",
            "a\\b",
            "a\0b",
            "C:/x",
            "c:x",
            "a\nb",
            "a\u{FFFD}b",
        ] {
            assert!(RelPath::new(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn the_plain_fast_path_accepts_only_what_the_rules_accept() {
        // Every string of up to 4 characters over an alphabet of the characters that matter.
        let alphabet = ['a', 'C', '.', '/', '\\', ':', ' ', '\u{7f}', '\n', 'é'];
        let mut strings = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = strings
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(longer);
        }
        strings.dedup();
        let mut plain = 0;
        for s in &strings {
            if is_plain(s) {
                plain += 1;
                assert!(check_rules(s).is_ok(), "{s:?} is plain but breaks a rule");
            }
        }
        assert!(plain > 100, "only {plain} plain strings");
    }

    #[test]
    fn under_joins_each_segment() {
        let p = RelPath::new("a/b/c.txt").unwrap();
        assert_eq!(
            p.under(Path::new("/root")),
            PathBuf::from("/root/a/b/c.txt")
        );
    }

    #[test]
    fn paths_order_by_utf8_bytes() {
        let mut v = [
            RelPath::new("b").unwrap(),
            RelPath::new("B").unwrap(),
            RelPath::new("a/z").unwrap(),
            RelPath::new("a.txt").unwrap(),
        ];
        v.sort();
        let s: Vec<_> = v.iter().map(RelPath::as_str).collect();
        assert_eq!(s, ["B", "a.txt", "a/z", "b"]);
    }
}
