//! BagIt bags (RFC 8493), checked as the RFC says: `bagit.txt` exactly as specified, every payload
//! manifest listing every payload file with the right checksum, every tag manifest right,
//! `Payload-Oxum` right, no path out of the bag, tag files decoded in the declared encoding
//! (UTF-8, UTF-16 or ISO-8859-1). What the RFC calls a SHOULD, or what only a case- or
//! normalization-insensitive file system makes ambiguous, is a warning; anything else is an
//! error.
//!
//! Paths in manifests and `fetch.txt` are percent-decoded for `%0A`, `%0D` and `%25` only; any
//! other `%` stands for itself (many tools do not encode `%`, so both are read). The payload is
//! walked as docseal walks a collection: sorted, links never followed.
//!
//! For writing a bag, this file gives the pieces in the form [`validate`] checks: the
//! declaration, manifest lines with encoded paths, `bag-info.txt`, and the copy of one payload
//! file, hashed as it is copied. Putting them together is the `export` orchestrator's job.
//!
//! Why not a crate: the BagIt crates on crates.io either only create bags or need an async
//! runtime and a nightly compiler; this file is the part docseal needs.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::collection::walk::{Found, Walker};
use crate::digest::to_hex;
use crate::error::{Error, Result};

/// The `bagit.txt` docseal writes.
pub const DECLARATION: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/// A path as a manifest line holds it: `%`, LF and CR percent-encoded, as RFC 8493 requires.
pub fn encode_path(path: &str) -> String {
    path.replace('%', "%25")
        .replace('\n', "%0A")
        .replace('\r', "%0D")
}

/// One manifest line: checksum, two spaces, the encoded path.
pub fn manifest_line(checksum: &str, path: &str) -> String {
    format!("{checksum}  {}\n", encode_path(path))
}

/// The text of `bag-info.txt` for `fields`, in order (values on one line each).
pub fn bag_info(fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .map(|(label, value)| format!("{label}: {}\n", value.replace(['\n', '\r'], " ")))
        .collect()
}

/// The SHA-256 checksum (hex) of a tag file's bytes.
pub fn tag_checksum(bytes: &[u8]) -> String {
    crate::digest::Sha256Digest::of(bytes).to_hex()
}

/// Copies the regular file `from` to the new file `to` (never following a link at `from`),
/// returning the size and SHA-256 digest of the bytes copied.
pub fn copy_payload_file(from: &Path, to: &Path) -> std::io::Result<crate::digest::Fixity> {
    use sha2::Digest;
    use std::io::Write;
    if !std::fs::symlink_metadata(from)?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut source = std::fs::File::open(from)?;
    let mut target = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 128 * 1024];
    let mut size = 0u64;
    loop {
        let n = match source.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        target.write_all(&buf[..n])?;
        size += n as u64;
    }
    target.sync_all()?;
    Ok(crate::digest::Fixity {
        size,
        digest: crate::digest::Sha256Digest::from_bytes(hasher.finalize().into()),
    })
}

/// What checking a bag found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BagReport {
    /// The bag's folder.
    pub bag: String,
    /// `BagIt-Version` from `bagit.txt`, if it could be read.
    pub version: Option<String>,
    /// The algorithms of the payload manifests.
    pub algorithms: Vec<String>,
    /// Payload files found under `data/`.
    pub payload_files: usize,
    /// Their total size in bytes.
    pub payload_bytes: u64,
    /// What makes the bag invalid.
    pub errors: Vec<String>,
    /// What the RFC advises against, or is ambiguous on some file systems.
    pub warnings: Vec<String>,
    /// The docseal manifest the bag carries as a tag file, if it does (see
    /// [`DOCSEAL_MANIFEST`]); this check does not verify it (`validate-bag` does, through
    /// `docseal::verify::validate_bag`).
    pub docseal_manifest: Option<String>,
    /// True when there is no error.
    pub valid: bool,
}

/// The name of the docseal manifest a bag written by docseal carries as a tag file, so that the
/// provenance and the signatures travel with the bag.
pub const DOCSEAL_MANIFEST: &str = "docseal-manifest.toml";

/// The checksum algorithms a manifest may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Algorithm {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Algorithm {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "md5" => Algorithm::Md5,
            "sha1" => Algorithm::Sha1,
            "sha224" => Algorithm::Sha224,
            "sha256" => Algorithm::Sha256,
            "sha384" => Algorithm::Sha384,
            "sha512" => Algorithm::Sha512,
            _ => return None,
        })
    }

    fn hex_len(self) -> usize {
        match self {
            Algorithm::Md5 => 32,
            Algorithm::Sha1 => 40,
            Algorithm::Sha224 => 56,
            Algorithm::Sha256 => 64,
            Algorithm::Sha384 => 96,
            Algorithm::Sha512 => 128,
        }
    }

    /// The checksum of the file at `path`, as lower-case hex.
    fn file(self, path: &Path) -> std::io::Result<String> {
        use sha2::Digest;
        fn run<D: Digest>(path: &Path) -> std::io::Result<String> {
            let mut file = std::fs::File::open(path)?;
            let mut hasher = D::new();
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match file.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => hasher.update(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(to_hex(&hasher.finalize()))
        }
        match self {
            Algorithm::Md5 => run::<md5::Md5>(path),
            Algorithm::Sha1 => run::<sha1::Sha1>(path),
            Algorithm::Sha224 => run::<sha2::Sha224>(path),
            Algorithm::Sha256 => run::<sha2::Sha256>(path),
            Algorithm::Sha384 => run::<sha2::Sha384>(path),
            Algorithm::Sha512 => run::<sha2::Sha512>(path),
        }
    }
}

/// The encodings a bag's tag files may be declared in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16,
    Latin1,
}

/// Names operating systems leave in folders, which a bag made on another system may list.
const SYSTEM_FILES: &[&str] = &[".DS_Store", "Thumbs.db", "desktop.ini", "._.DS_Store"];

/// Tag files read at most this large (a manifest of 10⁶ lines is about 100 MB).
const TAG_FILE_LIMIT: u64 = 512 * 1024 * 1024;

/// Checks the bag in folder `bag`. `Err` only when the folder cannot be read at all.
pub fn validate(bag: &Path) -> Result<BagReport> {
    let meta = std::fs::metadata(bag).map_err(|e| Error::io(bag, "cannot read bag", e))?;
    if !meta.is_dir() {
        return Err(Error::invalid(
            bag,
            "is not a folder; name the bag's folder",
        ));
    }
    let mut r = BagReport {
        bag: bag.display().to_string(),
        ..BagReport::default()
    };
    let encoding = read_declaration(bag, &mut r);
    let tag_names = root_names(bag)?;
    let payload = payload_files(bag, &mut r);
    let fetched = match tag_names.contains("fetch.txt") {
        true => read_fetch(bag, encoding, &mut r),
        false => BTreeSet::new(),
    };
    let mut manifests = 0;
    let mut missing_system_files = 0;
    for name in &tag_names {
        let Some(algorithm) = name
            .strip_prefix("manifest-")
            .and_then(|n| n.strip_suffix(".txt"))
        else {
            continue;
        };
        match Algorithm::from_name(algorithm) {
            Some(a) => {
                manifests += 1;
                r.algorithms.push(algorithm.to_string());
                let missing =
                    check_payload_manifest(bag, name, a, encoding, &payload, &fetched, &mut r);
                missing_system_files = missing_system_files.max(missing);
            }
            None => r
                .warnings
                .push(format!("{name}: unknown algorithm, not checked")),
        }
    }
    if manifests == 0 {
        r.errors
            .push("no payload manifest (manifest-ALGORITHM.txt) with a known algorithm".into());
    }
    for name in &tag_names {
        let Some(algorithm) = name
            .strip_prefix("tagmanifest-")
            .and_then(|n| n.strip_suffix(".txt"))
        else {
            continue;
        };
        match Algorithm::from_name(algorithm) {
            Some(a) => check_tag_manifest(bag, name, a, encoding, &mut r),
            None => r
                .warnings
                .push(format!("{name}: unknown algorithm, not checked")),
        }
    }
    if tag_names.contains("bag-info.txt") {
        check_bag_info(bag, encoding, missing_system_files, &mut r);
    }
    if tag_names.contains(DOCSEAL_MANIFEST) {
        r.docseal_manifest = Some(bag.join(DOCSEAL_MANIFEST).display().to_string());
    }
    r.valid = r.errors.is_empty();
    Ok(r)
}

/// Reads `bagit.txt`: exactly `BagIt-Version: M.N` and `Tag-File-Character-Encoding: ENC`.
fn read_declaration(bag: &Path, r: &mut BagReport) -> Encoding {
    let bytes = match read_limited(&bag.join("bagit.txt")) {
        Ok(b) => b,
        Err(e) => {
            r.errors.push(format!("bagit.txt: {e}"));
            return Encoding::Utf8;
        }
    };
    if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
        r.errors
            .push("bagit.txt starts with a byte-order mark, which RFC 8493 forbids".into());
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        r.errors.push("bagit.txt is not UTF-8".into());
        return Encoding::Utf8;
    };
    let lines: Vec<&str> = lines(text.trim_start_matches('\u{feff}')).collect();
    match lines
        .first()
        .and_then(|l| l.strip_prefix("BagIt-Version: "))
    {
        Some(v) if is_version(v) => r.version = Some(v.to_string()),
        Some(v) => r.errors.push(format!(
            "bagit.txt: \"{}\" is not a version (M.N)",
            v.escape_debug()
        )),
        None => r
            .errors
            .push("bagit.txt: the first line is not exactly \"BagIt-Version: M.N\"".into()),
    }
    let encoding = lines
        .get(1)
        .and_then(|l| l.strip_prefix("Tag-File-Character-Encoding: "));
    if lines.len() > 2 {
        r.errors
            .push("bagit.txt: more than the two lines RFC 8493 allows".into());
    }
    match encoding.map(str::to_ascii_uppercase).as_deref() {
        Some("UTF-8") => Encoding::Utf8,
        Some("UTF-16") => Encoding::Utf16,
        Some("ISO-8859-1") => Encoding::Latin1,
        Some(other) => {
            r.errors.push(format!(
                "bagit.txt: tag file encoding \"{}\" is not one docseal reads (UTF-8, UTF-16, ISO-8859-1)",
                other.escape_debug()
            ));
            Encoding::Utf8
        }
        None => {
            r.errors.push(
                "bagit.txt: the second line is not exactly \"Tag-File-Character-Encoding: ENCODING\""
                    .into(),
            );
            Encoding::Utf8
        }
    }
}

fn is_version(v: &str) -> bool {
    v.split_once('.').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    })
}

/// Lines without their `\n` or `\r\n`.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty())
}

/// A tag file's bytes, read as every input is (never waiting on a FIFO, at most
/// [`TAG_FILE_LIMIT`] bytes); the error as a reason, for the report.
fn read_limited(path: &Path) -> std::result::Result<Vec<u8>, String> {
    crate::fsio::read_at_most(path, "tag file", TAG_FILE_LIMIT).map_err(|e| match e {
        Error::Io { source, .. } => crate::error::describe_io(&source),
        other => other.to_string(),
    })
}

/// A tag file's text in the bag's declared encoding.
fn read_tag_file(
    bag: &Path,
    name: &str,
    encoding: Encoding,
) -> std::result::Result<String, String> {
    let bytes = read_limited(&bag.join(name))?;
    match encoding {
        Encoding::Utf8 => String::from_utf8(bytes)
            .map(|s| s.trim_start_matches('\u{feff}').to_string())
            .map_err(|_| "is not UTF-8, as bagit.txt declares".into()),
        Encoding::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        Encoding::Utf16 => {
            let (little, body) = match bytes.get(..2) {
                Some([0xff, 0xfe]) => (true, &bytes[2..]),
                Some([0xfe, 0xff]) => (false, &bytes[2..]),
                _ => (false, &bytes[..]),
            };
            if body.len() % 2 != 0 {
                return Err("is not UTF-16 (an odd number of bytes)".into());
            }
            let units: Vec<u16> = body
                .chunks_exact(2)
                .map(|p| match little {
                    true => u16::from_le_bytes([p[0], p[1]]),
                    false => u16::from_be_bytes([p[0], p[1]]),
                })
                .collect();
            String::from_utf16(&units).map_err(|_| "is not UTF-16, as bagit.txt declares".into())
        }
    }
}

/// The names of the files at the top of the bag.
fn root_names(bag: &Path) -> Result<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(bag).map_err(|e| Error::io(bag, "cannot read bag", e))? {
        let entry = entry.map_err(|e| Error::io(bag, "cannot read bag", e))?;
        if entry.file_type().is_ok_and(|t| t.is_file())
            && let Some(name) = entry.file_name().to_str()
        {
            names.insert(name.to_string());
        }
    }
    Ok(names)
}

/// Every regular file under `data/`, as `data/…` paths, with their sizes.
fn payload_files(bag: &Path, r: &mut BagReport) -> BTreeMap<String, u64> {
    let mut files = BTreeMap::new();
    let data = bag.join("data");
    let walker = match Walker::new(&data, None) {
        Ok(w) => w,
        Err(_) => {
            r.errors.push("no payload folder data/".into());
            return files;
        }
    };
    for found in walker {
        match found {
            Found::File(path) => {
                let size = std::fs::symlink_metadata(path.under(&data)).map_or(0, |m| m.len());
                r.payload_bytes += size;
                files.insert(format!("data/{path}"), size);
            }
            Found::Skipped(s) => r.warnings.push(format!(
                "data/{}: {}, not part of the payload",
                s.path,
                s.kind.describe()
            )),
            Found::Problem(p) => r.errors.push(format!("data/{}: {}", p.path, p.reason)),
        }
    }
    r.payload_files = files.len();
    files
}

/// A manifest or fetch path decoded (`%0A`, `%0D`, `%25`) and checked to stay in the bag;
/// `None` (with an error recorded) for one that does not.
fn bag_path(raw: &str, file: &str, r: &mut BagReport) -> Option<String> {
    let mut path = raw.to_string();
    for (code, c) in [("%0A", "\n"), ("%0a", "\n"), ("%0D", "\r"), ("%0d", "\r")] {
        path = path.replace(code, c);
    }
    let path = path.replace("%25", "%");
    let path = match path.strip_prefix("./") {
        Some(rest) => {
            r.warnings
                .push(format!("{file}: \"{}\" starts with ./", raw.escape_debug()));
            rest.to_string()
        }
        None => path,
    };
    let out_of_scope = path.starts_with('/')
        || path.starts_with('~')
        || path.contains('\\')
        || path.split('/').any(|s| s == ".." || s.is_empty())
        || (path.len() >= 2 && path.as_bytes()[1] == b':');
    if out_of_scope {
        r.errors.push(format!(
            "{file}: \"{}\" is not a path inside the bag",
            raw.escape_debug()
        ));
        return None;
    }
    Some(path)
}

/// The lines of a manifest as (checksum, path), checked for form.
fn manifest_lines(
    bag: &Path,
    name: &str,
    algorithm: Algorithm,
    encoding: Encoding,
    r: &mut BagReport,
) -> Vec<(String, String)> {
    let text = match read_tag_file(bag, name, encoding) {
        Ok(t) => t,
        Err(e) => {
            r.errors.push(format!("{name}: {e}"));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (i, line) in lines(&text).enumerate() {
        let Some((checksum, rest)) = line.split_once([' ', '\t']) else {
            r.errors
                .push(format!("{name}:{}: not \"CHECKSUM PATH\"", i + 1));
            continue;
        };
        let mut raw = rest.trim_start_matches([' ', '\t']);
        if let Some(binary) = raw.strip_prefix('*') {
            r.warnings.push(format!(
                "{name}:{}: the path is marked binary with '*' as md5sum writes it",
                i + 1
            ));
            raw = binary;
        }
        let checksum = checksum.to_ascii_lowercase();
        if checksum.len() != algorithm.hex_len() || !checksum.bytes().all(|c| c.is_ascii_hexdigit())
        {
            r.errors.push(format!(
                "{name}:{}: \"{checksum}\" is not a checksum",
                i + 1
            ));
            continue;
        }
        let Some(path) = bag_path(raw, name, r) else {
            continue;
        };
        match seen.get(&path) {
            Some(first) if *first != checksum => r.errors.push(format!(
                "{name}: \"{}\" is listed twice with different checksums",
                path.escape_debug()
            )),
            Some(_) if r.version.as_deref() == Some("1.0") => r.errors.push(format!(
                "{name}: \"{}\" is listed twice (RFC 8493 lists each file once)",
                path.escape_debug()
            )),
            Some(_) => r.warnings.push(format!(
                "{name}: \"{}\" is listed twice",
                path.escape_debug()
            )),
            None => {
                seen.insert(path.clone(), checksum.clone());
                out.push((checksum, path));
            }
        }
    }
    out
}

fn check_payload_manifest(
    bag: &Path,
    name: &str,
    algorithm: Algorithm,
    encoding: Encoding,
    payload: &BTreeMap<String, u64>,
    fetched: &BTreeSet<String>,
    r: &mut BagReport,
) -> usize {
    let mut missing_system_files = 0;
    let listed = manifest_lines(bag, name, algorithm, encoding, r);
    let listed_names: BTreeSet<&str> = listed.iter().map(|(_, p)| p.as_str()).collect();
    for (checksum, path) in &listed {
        if !path.starts_with("data/") {
            r.errors.push(format!(
                "{name}: \"{}\" is not under data/",
                path.escape_debug()
            ));
            continue;
        }
        if !payload.contains_key(path) {
            let file_name = path.rsplit('/').next().unwrap_or(path);
            let folded = |p: &str| p.nfc().collect::<String>().to_lowercase();
            let twin = payload.keys().any(|p| folded(p) == folded(path));
            if SYSTEM_FILES.contains(&file_name) {
                missing_system_files += 1;
                r.warnings.push(format!(
                    "{name}: lists the system file \"{}\", which is not in the bag",
                    path.escape_debug()
                ));
            } else if twin {
                r.warnings.push(format!(
                    "{name}: \"{}\" is not in the bag, but a file whose name differs only in case or Unicode normalization is (one file on macOS and Windows)",
                    path.escape_debug()
                ));
            } else if fetched.contains(path) {
                r.errors.push(format!(
                    "{name}: \"{}\" is listed in fetch.txt but not fetched yet: the bag is incomplete",
                    path.escape_debug()
                ));
            } else {
                r.errors
                    .push(format!("{name}: \"{}\" is missing", path.escape_debug()));
            }
            continue;
        }
        match algorithm.file(&bag.join(path)) {
            Ok(actual) if actual == *checksum => {}
            Ok(_) => r.errors.push(format!(
                "{name}: \"{}\" does not match its checksum",
                path.escape_debug()
            )),
            Err(e) => r.errors.push(format!(
                "{}: cannot read: {}",
                path.escape_debug(),
                crate::error::describe_io(&e)
            )),
        }
    }
    for path in payload.keys() {
        if !listed_names.contains(path.as_str()) {
            r.errors.push(format!(
                "\"{}\" is in the payload but not in {name}",
                path.escape_debug()
            ));
        }
    }
    missing_system_files
}

fn check_tag_manifest(
    bag: &Path,
    name: &str,
    algorithm: Algorithm,
    encoding: Encoding,
    r: &mut BagReport,
) {
    for (checksum, path) in manifest_lines(bag, name, algorithm, encoding, r) {
        match algorithm.file(&bag.join(&path)) {
            Ok(actual) if actual == checksum => {}
            Ok(_) => r.errors.push(format!(
                "{name}: tag file \"{}\" does not match its checksum",
                path.escape_debug()
            )),
            Err(e) => r.errors.push(format!(
                "{name}: tag file \"{}\": {}",
                path.escape_debug(),
                crate::error::describe_io(&e)
            )),
        }
    }
}

/// The paths `fetch.txt` names (`URL LENGTH PATH` lines), each checked to stay in `data/`.
fn read_fetch(bag: &Path, encoding: Encoding, r: &mut BagReport) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    let text = match read_tag_file(bag, "fetch.txt", encoding) {
        Ok(t) => t,
        Err(e) => {
            r.errors.push(format!("fetch.txt: {e}"));
            return paths;
        }
    };
    for (i, line) in lines(&text).enumerate() {
        let mut parts = line.splitn(3, [' ', '\t']);
        let (Some(_url), Some(length), Some(raw)) = (parts.next(), parts.next(), parts.next())
        else {
            r.errors
                .push(format!("fetch.txt:{}: not \"URL LENGTH PATH\"", i + 1));
            continue;
        };
        if length != "-" && length.parse::<u64>().is_err() {
            r.errors.push(format!(
                "fetch.txt:{}: \"{length}\" is not a length or -",
                i + 1
            ));
        }
        if let Some(path) = bag_path(raw, "fetch.txt", r) {
            if path.starts_with("data/") {
                paths.insert(path);
            } else {
                r.errors.push(format!(
                    "fetch.txt: \"{}\" is not under data/",
                    path.escape_debug()
                ));
            }
        }
    }
    paths
}

/// `bag-info.txt`: `Label: value` lines (continued by lines that start with white space); its
/// `Payload-Oxum`, when present, must give the payload's bytes and files — or count, beside
/// them, the `missing_system_files` that a manifest lists (a warning, as for the files).
fn check_bag_info(bag: &Path, encoding: Encoding, missing_system_files: usize, r: &mut BagReport) {
    let text = match read_tag_file(bag, "bag-info.txt", encoding) {
        Ok(t) => t,
        Err(e) => {
            r.errors.push(format!("bag-info.txt: {e}"));
            return;
        }
    };
    for line in lines(&text) {
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((label, value)) = line.split_once(':') else {
            r.warnings.push(format!(
                "bag-info.txt: \"{}\" is not \"Label: value\"",
                line.escape_debug()
            ));
            continue;
        };
        if label.trim() != "Payload-Oxum" {
            continue;
        }
        let oxum = value.trim();
        let parsed = oxum
            .split_once('.')
            .and_then(|(b, f)| Some((b.parse::<u64>().ok()?, f.parse::<usize>().ok()?)));
        match parsed {
            Some((bytes, files)) if bytes == r.payload_bytes && files == r.payload_files => {}
            Some((bytes, files))
                if missing_system_files > 0
                    && bytes >= r.payload_bytes
                    && files == r.payload_files + missing_system_files =>
            {
                r.warnings.push(format!(
                    "bag-info.txt: Payload-Oxum {oxum} counts the missing system files"
                ));
            }
            Some(_) => r.errors.push(format!(
                "bag-info.txt: Payload-Oxum {oxum} does not match the payload ({}.{})",
                r.payload_bytes, r.payload_files
            )),
            None => r.errors.push(format!(
                "bag-info.txt: Payload-Oxum \"{}\" is not OCTETS.STREAMS",
                oxum.escape_debug()
            )),
        }
    }
}
