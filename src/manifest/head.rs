//! The first bytes of a would-be manifest, looked at before anything is parsed: what is plainly
//! not a manifest — an archive, a docseal key file, a sources list, a file with a NUL byte or
//! that is not UTF-8, a header too long to be one — is refused at once, saying what the file is,
//! so that junk is never read whole or handed to the TOML parser. A byte-order mark gets its own
//! message. Bounds on the header and the signature block are here too.

use std::path::Path;

use crate::error::{Error, Result};

/// The most text a manifest header (everything before the first `[[file]]` line) may hold; a
/// real one is under 1 KiB. It is parsed as one TOML document, so it is kept small.
pub const HEADER_MAX: usize = 64 * 1024;

/// The most text a signature block may hold: about 5000 signatures.
pub const SIGNATURE_BLOCK_MAX: usize = 1024 * 1024;

/// How much of a manifest file is read and looked at first: the longest header, and the line
/// that ends it.
pub const HEAD: usize = HEADER_MAX + 4096;

/// Refuses `head` (the first bytes of the file at `path`, all of it when `complete`) when it is
/// plainly not a manifest.
pub fn check(path: &Path, head: &[u8], complete: bool) -> Result<()> {
    if complete && head.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::invalid(
            path,
            "is empty, so it is not a manifest; pass the manifest docseal wrote (manifests/NAME.toml)",
        ));
    }
    if let Some(kind) = archive_kind(head) {
        return Err(Error::invalid(
            path,
            format!(
                "this looks like a {kind} archive, not a manifest; did you mean --archive? (`docseal verify MANIFEST --archive FILE`)"
            ),
        ));
    }
    if head.starts_with(b"\xef\xbb\xbf") {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            line: 1,
            message: "manifest starts with a UTF-8 byte-order mark (an editor added it), which changes the signed bytes; remove the first 3 bytes or restore the original file".to_string(),
        });
    }
    if let Some(at) = memchr::memchr(0, head) {
        return Err(nul_at(path, head, at));
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // The head may end inside a character; anything else is not UTF-8.
        Err(e) if !complete && e.error_len().is_none() => text(head),
        Err(e) => return Err(not_utf8(path, head, e.valid_up_to())),
    };
    if let Some(what) = other_docseal_file(text) {
        return Err(Error::invalid(path, what));
    }
    Ok(())
}

/// The valid UTF-8 start of `head` (which [`check`] passed, and may end inside a character).
pub fn text(head: &[u8]) -> &str {
    match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default(),
    }
}

/// True when the header ends within the first [`HEADER_MAX`] bytes of `head`: a line that is
/// exactly `[[file]]` or `[[signature]]` starts there.
pub fn ends_header(head: &str) -> bool {
    let within = &head[..head.len().min(HEADER_MAX + 1)];
    let is_end = |line: &str| line == "[[file]]" || line == "[[signature]]";
    let mut offset = 0;
    for line in head.split('\n') {
        if offset > within.len() {
            break;
        }
        if is_end(line) {
            return true;
        }
        offset += line.len() + 1;
    }
    false
}

/// The error for a NUL byte at `at` of the file bytes.
pub fn nul_at(path: &Path, bytes: &[u8], at: usize) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: line_at(bytes, at),
        message: "manifest contains a NUL byte, so it is not a text file; pass the manifest (.toml) docseal wrote".to_string(),
    }
}

/// The error for bytes that are not UTF-8 from `valid` on.
pub fn not_utf8(path: &Path, bytes: &[u8], valid: usize) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: line_at(bytes, valid),
        message: "manifest is not valid UTF-8 text".to_string(),
    }
}

fn line_at(bytes: &[u8], at: usize) -> usize {
    memchr::memchr_iter(b'\n', &bytes[..at.min(bytes.len())]).count() + 1
}

/// The kind of archive the bytes start like, by the same magic numbers the archive reader uses
/// (and a few it does not read, so that they are named too).
fn archive_kind(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0x1f, 0x8b]) {
        Some("tar.gz (gzip)")
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some("tar.zst (Zstandard)")
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some("zip")
    } else if head.get(257..262) == Some(b"ustar") && memchr::memchr(0, &head[..257]).is_some() {
        // (The name field before it is padded with NULs, which no text file holds.)
        Some("tar")
    } else if head.starts_with(b"BZh")
        && matches!(
            head.get(4..10),
            Some([0x31, 0x41, 0x59, 0x26, 0x53, 0x59] | [0x17, 0x72, 0x45, 0x38, 0x50, 0x90])
        )
    {
        Some("bzip2")
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Some("xz")
    } else {
        None
    }
}

/// What a docseal file that is not a manifest is, from its first lines.
fn other_docseal_file(text: &str) -> Option<String> {
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        return match compact.as_str() {
            "type=\"docseal-public-key\"" => Some(
                "this is a docseal public key, not a manifest; pass it with --trust, and the manifest (manifests/NAME.toml) first".to_string(),
            ),
            "type=\"docseal-secret-key\"" => Some(
                "this is a docseal secret key, not a manifest; pass the manifest (manifests/NAME.toml) instead, and keep this file private".to_string(),
            ),
            "[[source]]" => Some(
                "this is a sources list (for `docseal seal --sources`), not a manifest; pass the manifest (manifests/NAME.toml)".to_string(),
            ),
            _ => None,
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(head: &[u8]) -> String {
        check(Path::new("m.toml"), head, true)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn other_files_are_named_for_what_they_are() {
        assert!(refusal(b"\x1f\x8b\x08\0").contains("tar.gz (gzip) archive"));
        assert!(refusal(b"PK\x03\x04").contains("zip archive"));
        let pubkey = b"# docseal public key \"a\".\ntype = \"docseal-public-key\"\n";
        assert!(refusal(pubkey).contains("this is a docseal public key, not a manifest"));
        assert!(refusal(b"[[source]]\npath = \"a\"\n").contains("sources list"));
        assert!(refusal(b"\xef\xbb\xbfformat_version = 1\n").contains("byte-order mark"));
        assert!(refusal(b"a = 1\n\0\0").starts_with("m.toml:2: manifest contains a NUL byte"));
        assert!(refusal(b"a = 1\nb = \"\xff\"").starts_with("m.toml:2: manifest is not valid"));
    }

    #[test]
    fn a_tar_header_is_recognised_but_text_that_spells_ustar_is_not() {
        let mut tar = vec![0u8; 512];
        tar[..5].copy_from_slice(b"a.txt");
        tar[257..262].copy_from_slice(b"ustar");
        assert!(refusal(&tar).contains("tar archive"));
        let mut text = format!("name = \"{}\"\n", "x".repeat(300)).into_bytes();
        text[257..262].copy_from_slice(b"ustar");
        assert!(check(Path::new("m.toml"), &text, true).is_ok());
    }

    #[test]
    fn a_head_cut_inside_a_character_is_not_refused() {
        let text = "name = \"ü\"".as_bytes();
        let cut = &text[..text.len() - 2];
        assert!(check(Path::new("m.toml"), cut, false).is_ok());
        assert!(check(Path::new("m.toml"), cut, true).is_err());
        assert!(check(Path::new("m.toml"), b"format_version = 1\n", true).is_ok());
    }
}
