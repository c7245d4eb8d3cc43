//! Archive files as collections: the entries of a `.tar`, `.tar.gz`, `.tar.zst` or `.zip` file,
//! read in one streaming pass without unpacking anything, turned into the same [`Inventory`] a
//! folder scan gives — so sealing an archive and sealing its unpacked folder give the same
//! entries, and verification compares either with a manifest the same way.
//!
//! The format is recognised from the file's first bytes ([`ArchiveFormat::detect`]), never from
//! its name, and without seeking: a tar, tar.gz or tar.zst is read in one pass from the handle
//! opened once, so it can come from a pipe (`--archive /dev/stdin`, `<(cat c.tgz)`); a zip, whose
//! table of contents is at its end, must be a file. Every entry is hashed while it streams
//! through a fixed buffer: an archive of any size is read in bounded memory, and nothing is ever
//! written to disk. Regular-file entries are the collection; folders are implied; symbolic links,
//! hard links, devices and FIFOs are listed as skipped and never followed. Entry names are
//! validated as [`RelPath`]s after a single leading `./` is dropped and the leading folder rule
//! ([`LeadingFolder`]) is applied; a name that cannot be recorded (absolute, `..`, not UTF-8, …)
//! is a [`Problem`]; a name that occurs twice is unreadable (which copy is meant is ambiguous),
//! and so is a file whose path passes through a link or a file of the same archive
//! (`sub -> /elsewhere`, then `sub/c.txt`). A damaged archive — a truncated or corrupt stream, a
//! damaged tar header, a zip whose central directory and local headers disagree — is an error: a
//! report from half an archive would mislead.

mod tarball;
mod zipfile;

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::Path;

use super::{
    Expected, Inventory, Measured, Measurement, Problem, Progress, SealedSizes, SkipKind, Skipped,
};
use crate::error::{Error, Result};
use crate::relpath::{self, RelPath};

/// The archive formats docseal reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// An uncompressed POSIX (ustar, pax) or GNU tar archive.
    Tar,
    /// A tar archive compressed with gzip (`.tar.gz`, `.tgz`).
    TarGz,
    /// A tar archive compressed with Zstandard (`.tar.zst`).
    TarZst,
    /// A zip archive.
    Zip,
}

impl ArchiveFormat {
    /// Recognises the format from the first bytes of a file (at least 512 of them when the file
    /// is that long): gzip `1f 8b`, zstd `28 b5 2f fd`, zip `PK\3\4` (or `PK\5\6` for an empty
    /// zip), tar `ustar` at offset 257 or an all-zero first block (an empty tar).
    pub fn detect(head: &[u8]) -> Option<ArchiveFormat> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(ArchiveFormat::TarGz)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(ArchiveFormat::TarZst)
        } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            Some(ArchiveFormat::Zip)
        } else if tarball::is_tar_block(head) {
            Some(ArchiveFormat::Tar)
        } else {
            None
        }
    }

    /// The name used in messages.
    pub fn describe(self) -> &'static str {
        match self {
            ArchiveFormat::Tar => "tar",
            ArchiveFormat::TarGz => "tar.gz",
            ArchiveFormat::TarZst => "tar.zst",
            ArchiveFormat::Zip => "zip",
        }
    }
}

/// Whether a single folder that wraps every entry (as `tar czf x.tgz collection/` makes) is
/// taken away from the entry paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeadingFolder {
    /// Strip one leading folder when every entry lies below the same first path segment, the
    /// archive has no entry for its own root (`./`, as `tar -C DIR .` makes), and the folder's
    /// name is not `keep` (verify passes the folder the manifest's own paths all start with, so
    /// that a collection whose only content is one folder still verifies).
    Detect {
        /// A folder name never to strip.
        keep: Option<String>,
    },
    /// Strip exactly this many leading path segments (`--strip-components N`); `0` keeps every
    /// path as it is.
    Strip(usize),
}

/// What reading an archive gave.
#[derive(Clone, Debug)]
pub struct ArchiveScan {
    /// The archive's format.
    pub format: ArchiveFormat,
    /// Its entries as a collection.
    pub inventory: Inventory,
    /// The leading folder path that was stripped from every entry (`a` or `a/b`), if any.
    pub stripped: Option<String>,
}

/// What one archive entry is, as the format readers report it.
#[derive(Clone, Debug)]
pub(crate) enum EntryKind {
    /// A regular file, with what hashing it gave.
    File(Measurement),
    /// A folder: implied by the files below it, not part of the collection.
    Dir,
    /// Not a regular file: listed, never read or followed.
    Skip(SkipKind),
}

/// One entry as found in the archive, before its name is checked.
#[derive(Clone, Debug)]
pub(crate) struct RawEntry {
    /// The entry's name as UTF-8, or its lossy form when it is not UTF-8.
    pub name: String,
    /// False when the name was not valid UTF-8.
    pub utf8: bool,
    /// What it is.
    pub kind: EntryKind,
}

impl RawEntry {
    /// An entry named by raw bytes.
    pub(crate) fn new(name: &[u8], kind: EntryKind) -> Self {
        match std::str::from_utf8(name) {
            Ok(s) => RawEntry {
                name: s.to_string(),
                utf8: true,
                kind,
            },
            Err(_) => RawEntry {
                name: String::from_utf8_lossy(name).into_owned(),
                utf8: false,
                kind,
            },
        }
    }
}

/// Reads the archive at `path` — recognising its format from its content — and hashes every
/// regular-file entry as it streams past, on `jobs` threads. Never writes anything. `expected` is
/// the progress total, when known (a manifest's). `sealed` gives the sealed sizes (verify): a zip
/// entry whose declared size differs is [`Measurement::OtherSize`] without being read, and so is a
/// tar entry (looked up as the stream passes; its data is skipped, not hashed).
pub fn scan_archive(
    path: &Path,
    leading: &LeadingFolder,
    jobs: usize,
    expected: Option<Expected>,
    sealed: Option<&mut dyn SealedSizes>,
    progress: &dyn Progress,
) -> Result<ArchiveScan> {
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(Error::invalid(
            path,
            "is a folder, not an archive; pass it as DIR (or --root DIR) instead of --archive",
        ));
    }
    // Opened without ever blocking: a FIFO is read once a writer is there, and refused when none
    // comes; a device or a socket is refused by name.
    let mut file = crate::fsio::open_input(path, "archive")?;
    let mut head = Vec::with_capacity(512);
    file.read_up_to(&mut head, 512)?;
    let format = ArchiveFormat::detect(&head).ok_or_else(|| not_an_archive(path, &head))?;
    if format == ArchiveFormat::Zip && file.is_pipe() {
        // A pipe, a FIFO, a device: a zip's table of contents is at its end, reached by seeking.
        return Err(Error::invalid(
            path,
            "is a zip archive read from a pipe, but a zip can only be read from a file (its table of contents is at its end); save it to a file first and pass that",
        ));
    }
    let expected = expected.unwrap_or_default();
    progress.start(expected.files, expected.bytes);
    let entries = match format {
        // A zip lists its entries before any is read: one whose declared size differs from the
        // sealed size is not read.
        ArchiveFormat::Zip => zipfile::read(path, jobs, progress, |listed| match sealed {
            Some(sealed) => sealed_sizes(listed, leading, sealed),
            None => vec![None; listed.len()],
        })?,
        // The bytes already read to recognise the format come first: a pipe cannot seek back.
        // A tar's entries are known one at a time as the stream passes: each regular file's
        // declared size is looked up before its data is read.
        _ => tarball::read(
            path,
            io::Cursor::new(head).chain(file),
            format,
            jobs,
            sealed.map(|sealed| TarSizes { sealed, leading }),
            progress,
        )?,
    };
    progress.finish();
    let (inventory, stripped) = assemble(path, entries, leading);
    Ok(ArchiveScan {
        format,
        inventory,
        stripped,
    })
}

fn not_an_archive(path: &Path, head: &[u8]) -> Error {
    let hint = if head.is_empty() {
        " (the file is empty)"
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        " (it is xz-compressed, which docseal does not read)"
    } else if head.starts_with(b"BZh") {
        " (it is bzip2-compressed, which docseal does not read)"
    } else {
        ""
    };
    Error::invalid(
        path,
        format!(
            "not a tar, tar.gz, tar.zst or zip archive{hint}; docseal recognises archives by their content, not their name"
        ),
    )
}

/// The default collection name for an archive: its file name without its archive extensions
/// (`batch-7.tar.gz` → `batch-7`).
pub fn default_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let cut = [
        ".tar.gz",
        ".tar.zst",
        ".tar.zstd",
        ".tgz",
        ".tzst",
        ".tar",
        ".zip",
    ]
    .iter()
    .find(|ext| lower.ends_with(*ext))
    .map_or(name.len(), |ext| name.len() - ext.len());
    let stem = &name[..cut];
    (!stem.is_empty()).then(|| stem.to_string())
}

/// An entry name with a leading `./` (repeated) and a folder's trailing `/` taken away; `None`
/// for the archive's own root (`.` or `./`).
fn normalise(name: &str, is_dir: bool) -> Option<&str> {
    let mut s = name;
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    if is_dir {
        s = s.trim_end_matches('/');
    }
    if s.is_empty() || s == "." {
        return None;
    }
    Some(s)
}

/// How many leading segments to strip under the [`LeadingFolder::Detect`] rule.
fn detect_leading(entries: &[(Option<&str>, &EntryKind)], keep: Option<&str>) -> usize {
    let mut folder: Option<&str> = None;
    for (name, kind) in entries {
        let Some(name) = name else {
            return 0; // the archive names its own root: it was made from inside the collection
        };
        let first = match (relpath::first_folder(name), kind) {
            (Some(f), _) => f,
            (None, EntryKind::Dir) if RelPath::new(name).is_ok() => name,
            (None, _) => return 0,
        };
        match folder {
            None => folder = Some(first),
            Some(f) if f == first => {}
            Some(_) => return 0,
        }
    }
    match folder {
        Some(f) if Some(f) != keep => 1,
        _ => 0,
    }
}

/// The name of an entry as it can be recorded (a leading `./` and a folder's trailing `/` taken
/// away; `Some(None)` for the archive's own root), or `None` when it cannot be (not UTF-8, or not
/// a valid path).
fn usable(e: &RawEntry) -> Option<Option<&str>> {
    if !e.utf8 {
        return None;
    }
    let name = normalise(&e.name, matches!(e.kind, EntryKind::Dir));
    match name {
        Some(n) if RelPath::new(n).is_err() => None,
        _ => Some(name),
    }
}

/// How many leading segments are taken away from every entry under `leading`.
fn strip_count(entries: &[RawEntry], leading: &LeadingFolder) -> usize {
    match leading {
        LeadingFolder::Strip(n) => *n,
        LeadingFolder::Detect { keep } => {
            let view: Vec<_> = entries
                .iter()
                .filter_map(|e| usable(e).map(|name| (name, &e.kind)))
                .collect();
            detect_leading(&view, keep.as_deref())
        }
    }
}

/// The collection path of each regular-file entry, once `leading` is applied (`None` for other
/// entries and for names that cannot be recorded), as [`assemble`] will give it.
fn file_paths(entries: &[RawEntry], leading: &LeadingFolder) -> Vec<Option<RelPath>> {
    let strip = strip_count(entries, leading);
    entries
        .iter()
        .map(|e| {
            if !matches!(e.kind, EntryKind::File(_)) {
                return None;
            }
            let name = usable(e)??;
            let segments: Vec<&str> = name.split('/').collect();
            if segments.len() <= strip {
                return None;
            }
            RelPath::new(&segments[strip..].join("/")).ok()
        })
        .collect()
}

/// The sealed size of each entry of `entries` that is a regular file, looked up in `sealed` in
/// path order (the sealed sizes are asked in increasing path order).
fn sealed_sizes(
    entries: &[RawEntry],
    leading: &LeadingFolder,
    sealed: &mut dyn SealedSizes,
) -> Vec<Option<u64>> {
    let paths = file_paths(entries, leading);
    let mut order: Vec<usize> = (0..paths.len()).filter(|&i| paths[i].is_some()).collect();
    order.sort_by(|&a, &b| paths[a].cmp(&paths[b]));
    let mut sizes = vec![None; entries.len()];
    for i in order {
        if let Some(path) = &paths[i] {
            sizes[i] = sealed.size_of(path);
        }
    }
    sizes
}

/// The sealed sizes of a tar's entries, looked up by entry name before the entry's data is read.
pub(super) struct TarSizes<'a> {
    sealed: &'a mut dyn SealedSizes,
    leading: &'a LeadingFolder,
}

impl TarSizes<'_> {
    /// The sealed sizes of the paths a regular-file entry named `name` may get: under
    /// [`LeadingFolder::Detect`] whether a leading folder is stripped is known only at the end of
    /// the archive, so both its path with and without the first segment are looked up. Empty when
    /// it is sealed under neither (or its name cannot be recorded).
    pub(super) fn of(&mut self, name: &[u8]) -> Vec<u64> {
        let Some(name) = std::str::from_utf8(name)
            .ok()
            .and_then(|n| normalise(n, false))
        else {
            return Vec::new();
        };
        let segments: Vec<&str> = name.split('/').collect();
        let strips = match self.leading {
            LeadingFolder::Strip(n) => vec![*n],
            LeadingFolder::Detect { .. } => vec![0, 1],
        };
        strips
            .into_iter()
            .filter(|&strip| segments.len() > strip)
            .filter_map(|strip| RelPath::new(&segments[strip..].join("/")).ok())
            .filter_map(|path| self.sealed.size_of_unordered(&path))
            .collect()
    }
}

/// Turns the raw entries into an [`Inventory`]: names normalised, the leading folder stripped,
/// paths validated, duplicates made unreadable, everything sorted.
fn assemble(
    archive: &Path,
    entries: Vec<RawEntry>,
    leading: &LeadingFolder,
) -> (Inventory, Option<String>) {
    let mut inventory = Inventory::default();
    let problem = |name: &str, reason: String| Problem {
        path: name.to_string(),
        fs_path: archive.to_path_buf(),
        reason,
        unreadable: false,
    };
    // Names that can be recorded at all (before stripping).
    let mut usable: Vec<(Option<&str>, &RawEntry)> = Vec::with_capacity(entries.len());
    for e in &entries {
        let is_dir = matches!(e.kind, EntryKind::Dir);
        if !e.utf8 {
            inventory.problems.push(problem(
                &e.name,
                format!(
                    "archive entry \"{}\": name is not valid UTF-8; rename it (manifest paths are UTF-8)",
                    e.name.escape_debug()
                ),
            ));
            continue;
        }
        let name = normalise(&e.name, is_dir);
        if let Some(n) = name
            && let Err(reason) = RelPath::new(n)
        {
            if !is_dir {
                inventory.problems.push(problem(
                    &e.name,
                    format!("archive entry \"{}\": {reason}", e.name.escape_debug()),
                ));
            }
            continue;
        }
        usable.push((name, e));
    }
    let strip = strip_count(&entries, leading);
    let mut stripped = None;
    let mut by_path: BTreeMap<RelPath, Vec<&RawEntry>> = BTreeMap::new();
    for (name, e) in usable {
        let is_dir = matches!(e.kind, EntryKind::Dir);
        let Some(name) = name else { continue };
        let segments: Vec<&str> = name.split('/').collect();
        if segments.len() <= strip {
            if !is_dir {
                inventory.problems.push(problem(
                    &e.name,
                    format!(
                        "archive entry \"{}\" lies above the {strip} leading folder(s) being stripped; pass a smaller --strip-components",
                        e.name.escape_debug()
                    ),
                ));
            }
            continue;
        }
        if strip > 0 && stripped.is_none() {
            stripped = Some(segments[..strip].join("/"));
        }
        let rest = segments[strip..].join("/");
        match RelPath::new(&rest) {
            Ok(path) if is_dir => {
                by_path.entry(path).or_default();
            }
            Ok(path) => by_path.entry(path).or_default().push(e),
            Err(reason) if !is_dir => inventory.problems.push(problem(
                &e.name,
                format!("archive entry \"{}\": {reason}", e.name.escape_debug()),
            )),
            Err(_) => {}
        }
    }
    // Entries that are not folders: a file below one of them is not where its name says.
    let not_folders: BTreeMap<&RelPath, &EntryKind> = by_path
        .iter()
        .filter_map(|(path, found)| found.first().map(|e| (path, &e.kind)))
        .collect();
    let through = |path: &RelPath| {
        let s = path.as_str();
        s.match_indices('/').find_map(|(i, _)| {
            let above = RelPath::new(&s[..i]).ok()?;
            not_folders.get(&above).map(|kind| (above, *kind))
        })
    };
    for (path, found) in &by_path {
        match found.as_slice() {
            [] => {}
            [one] => match &one.kind {
                EntryKind::File(m) => inventory.files.push(Measured {
                    path: path.clone(),
                    measurement: match through(path) {
                        Some((above, kind)) => {
                            Measurement::Unreadable(passes_through(&above, kind))
                        }
                        None => m.clone(),
                    },
                }),
                EntryKind::Skip(kind) => inventory.skipped.push(Skipped {
                    path: path.as_str().to_string(),
                    kind: *kind,
                }),
                EntryKind::Dir => {}
            },
            many => inventory.files.push(Measured {
                path: path.clone(),
                measurement: Measurement::Unreadable(format!(
                    "the archive holds {} entries with this name; which one is meant is ambiguous, so rebuild the archive with each name once",
                    many.len()
                )),
            }),
        }
    }
    inventory.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    inventory.problems.sort_by(|a, b| a.path.cmp(&b.path));
    (inventory, stripped)
}

/// Why a file below `above`, an entry that is not a folder, is ambiguous.
fn passes_through(above: &RelPath, kind: &EntryKind) -> String {
    let what = match kind {
        EntryKind::Skip(SkipKind::Symlink) => "a symbolic link",
        EntryKind::Skip(SkipKind::Hardlink) => "a hard link",
        EntryKind::File(_) => "a regular file",
        _ => "not a folder",
    };
    format!(
        "its path passes through \"{}\", which is {what} in the archive: unpacking it would write it elsewhere (or fail), so which file is meant is ambiguous; rebuild the archive without one of the two",
        above.as_str().escape_debug()
    )
}

/// A message for an archive that is damaged, naming the archive and what to do.
pub(crate) fn damaged(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::invalid(
        path,
        format!("{what}; the archive is damaged (nothing was verified or sealed from it)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::{Fixity, Sha256Digest};

    fn file(name: &str) -> RawEntry {
        RawEntry::new(
            name.as_bytes(),
            EntryKind::File(Measurement::Hashed(Fixity {
                size: 1,
                digest: Sha256Digest::of(name.as_bytes()),
            })),
        )
    }

    fn dir(name: &str) -> RawEntry {
        RawEntry::new(name.as_bytes(), EntryKind::Dir)
    }

    fn paths(entries: Vec<RawEntry>, leading: LeadingFolder) -> (Vec<String>, Option<String>) {
        let (inv, stripped) = assemble(Path::new("x.tar"), entries, &leading);
        let files = inv.files.iter().map(|m| m.path.to_string()).collect();
        (files, stripped)
    }

    const DETECT: LeadingFolder = LeadingFolder::Detect { keep: None };

    #[test]
    fn formats_are_recognised_by_their_magic_bytes() {
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        tar[0] = b'a';
        assert_eq!(ArchiveFormat::detect(&tar), Some(ArchiveFormat::Tar));
        assert_eq!(ArchiveFormat::detect(&[0u8; 512]), Some(ArchiveFormat::Tar));
        assert_eq!(
            ArchiveFormat::detect(&[0x1f, 0x8b, 8]),
            Some(ArchiveFormat::TarGz)
        );
        assert_eq!(
            ArchiveFormat::detect(&[0x28, 0xb5, 0x2f, 0xfd, 0]),
            Some(ArchiveFormat::TarZst)
        );
        assert_eq!(
            ArchiveFormat::detect(b"PK\x03\x04rest"),
            Some(ArchiveFormat::Zip)
        );
        assert_eq!(
            ArchiveFormat::detect(b"PK\x05\x06\0\0"),
            Some(ArchiveFormat::Zip)
        );
        assert_eq!(ArchiveFormat::detect(b"%PDF-1.7"), None);
        assert_eq!(ArchiveFormat::detect(&[0u8; 100]), None);
        assert_eq!(ArchiveFormat::detect(b""), None);
    }

    #[test]
    fn a_single_wrapping_folder_is_stripped() {
        let got = paths(
            vec![dir("col/"), file("col/a.txt"), file("col/sub/b.txt")],
            DETECT,
        );
        assert_eq!(got.0, ["a.txt", "sub/b.txt"]);
        assert_eq!(got.1.as_deref(), Some("col"));
    }

    #[test]
    fn no_folder_is_stripped_when_the_archive_names_its_root_or_has_top_level_files() {
        let dotted = paths(
            vec![dir("./"), dir("./docs/"), file("./docs/a.txt")],
            DETECT,
        );
        assert_eq!(dotted.0, ["docs/a.txt"]);
        assert_eq!(dotted.1, None);
        let top = paths(vec![file("a.txt"), file("docs/b.txt")], DETECT);
        assert_eq!(top.0, ["a.txt", "docs/b.txt"]);
        let two = paths(vec![file("x/a.txt"), file("y/b.txt")], DETECT);
        assert_eq!(two.0, ["x/a.txt", "y/b.txt"]);
    }

    #[test]
    fn the_folder_the_manifest_itself_uses_is_kept() {
        let keep = LeadingFolder::Detect {
            keep: Some("docs".to_string()),
        };
        let got = paths(vec![dir("docs/"), file("docs/a.txt")], keep);
        assert_eq!(got.0, ["docs/a.txt"]);
    }

    #[test]
    fn strip_components_takes_exactly_n_segments() {
        let got = paths(
            vec![file("a/b/c.txt"), file("a/b/d/e.txt")],
            LeadingFolder::Strip(2),
        );
        assert_eq!(got.0, ["c.txt", "d/e.txt"]);
        assert_eq!(got.1.as_deref(), Some("a/b"));
        let none = paths(vec![file("a/b.txt")], LeadingFolder::Strip(0));
        assert_eq!(none.0, ["a/b.txt"]);
        let (inv, _) = assemble(
            Path::new("x"),
            vec![file("top.txt"), file("a/b.txt")],
            &LeadingFolder::Strip(1),
        );
        assert_eq!(inv.files.len(), 1);
        assert!(inv.problems[0].reason.contains("--strip-components"));
    }

    #[test]
    fn names_that_could_leave_the_collection_are_problems_even_after_stripping() {
        for bad in [
            "../evil.txt",
            "/etc/passwd",
            "col/../../evil",
            "a\\b",
            "C:/x",
        ] {
            let (inv, _) = assemble(
                Path::new("x.tar"),
                vec![file("col/ok.txt"), file(bad)],
                &LeadingFolder::Strip(1),
            );
            assert_eq!(inv.problems.len(), 1, "{bad}");
            assert_eq!(inv.problems[0].path, bad);
        }
        let (inv, _) = assemble(
            Path::new("x.tar"),
            vec![RawEntry::new(b"bad\xff", EntryKind::Dir), file("/abs")],
            &DETECT,
        );
        assert_eq!(inv.problems.len(), 2);
        assert!(inv.files.is_empty());
    }

    #[test]
    fn a_name_found_twice_is_unreadable_and_a_skipped_entry_is_listed() {
        let (inv, _) = assemble(
            Path::new("x.tar"),
            vec![
                file("a.txt"),
                file("./a.txt"),
                RawEntry::new(b"link", EntryKind::Skip(SkipKind::Symlink)),
                dir("d/"),
                dir("d/"),
            ],
            &DETECT,
        );
        assert_eq!(inv.files.len(), 1);
        assert!(
            matches!(&inv.files[0].measurement, Measurement::Unreadable(why) if why.contains("2 entries"))
        );
        assert_eq!(inv.skipped[0].path, "link");
        assert_eq!(inv.skipped[0].kind, SkipKind::Symlink);
    }

    #[test]
    fn a_file_below_a_link_or_a_file_of_the_archive_is_unreadable_never_ok() {
        let link = |name: &str, kind| RawEntry::new(name.as_bytes(), EntryKind::Skip(kind));
        let (inv, _) = assemble(
            Path::new("x.tar"),
            vec![
                link("sub", SkipKind::Symlink),
                file("sub/c.txt"),
                link("hard", SkipKind::Hardlink),
                file("hard/deeper/d.txt"),
                file("plain"),
                file("plain/e.txt"),
                file("subway/f.txt"),
                dir("real/"),
                file("real/g.txt"),
            ],
            &LeadingFolder::Strip(0),
        );
        let got: Vec<(&str, Option<&str>)> = inv
            .files
            .iter()
            .map(|m| match &m.measurement {
                Measurement::Unreadable(why) => (m.path.as_str(), Some(why.as_str())),
                _ => (m.path.as_str(), None),
            })
            .collect();
        let why = |above: &str, what: &str| {
            format!("its path passes through \"{above}\", which is {what} in the archive")
        };
        assert_eq!(got.len(), 6);
        for (path, reason) in &got {
            match *path {
                "sub/c.txt" => assert!(reason.unwrap().starts_with(&why("sub", "a symbolic link"))),
                "hard/deeper/d.txt" => {
                    assert!(reason.unwrap().starts_with(&why("hard", "a hard link")))
                }
                "plain/e.txt" => {
                    assert!(reason.unwrap().starts_with(&why("plain", "a regular file")))
                }
                "plain" | "subway/f.txt" | "real/g.txt" => assert_eq!(*reason, None, "{path}"),
                other => panic!("unexpected {other}"),
            }
        }
        let skipped: Vec<&str> = inv.skipped.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(skipped, ["hard", "sub"]);
    }

    #[test]
    fn default_names_drop_archive_extensions() {
        for (file, name) in [
            ("batch-7.tar.gz", Some("batch-7")),
            ("dir/x.TGZ", Some("x")),
            ("x.tar.zst", Some("x")),
            ("x.zip", Some("x")),
            ("x.tar", Some("x")),
            ("x.data", Some("x.data")),
            (".tar", None),
        ] {
            assert_eq!(default_name(Path::new(file)).as_deref(), name, "{file}");
        }
    }
}
