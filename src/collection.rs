//! Where a collection is — a folder on disk, or an archive file read in place — and the one call
//! that takes stock of either, so that sealing and verifying treat both alike: they differ only in
//! how their items are listed.

use std::path::{Path, PathBuf};

use crate::archive::{self, LeadingFolder};
use crate::error::Result;
use crate::inventory::{self, Expected, HashOptions, Progress, Sink};
use crate::relpath::RelPath;

/// A collection to seal or verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Collection {
    /// Every regular file below a folder.
    Folder(PathBuf),
    /// Every regular-file entry of a tar, tar.gz, tar.zst or zip archive.
    Archive {
        /// The archive file.
        path: PathBuf,
        /// How a leading folder wrapping the entries is handled.
        leading: LeadingFolder,
    },
}

impl Collection {
    /// The folder or archive file.
    pub fn path(&self) -> &Path {
        match self {
            Collection::Folder(p) | Collection::Archive { path: p, .. } => p,
        }
    }

    /// True for an archive.
    pub fn is_archive(&self) -> bool {
        matches!(self, Collection::Archive { .. })
    }
}

/// Lists and hashes the collection, handing every item to `sink` in path order. `exclude` (the
/// manifest itself, when it lies inside a collection folder) is left out; `hashing` says how
/// many threads hash files (the entries of an archive too). `expected` is the progress
/// total, when known. Returns, for an archive, the leading folder stripped from every entry.
pub fn scan(
    collection: &Collection,
    exclude: Option<&RelPath>,
    hashing: HashOptions,
    expected: Option<Expected>,
    progress: &dyn Progress,
    sink: &mut Sink<'_>,
) -> Result<Option<String>> {
    match collection {
        Collection::Folder(dir) => {
            inventory::scan_dir(dir, exclude, hashing, expected, progress, sink)?;
            Ok(None)
        }
        Collection::Archive { path, leading } => {
            let scan = archive::scan_archive(path, leading, hashing.jobs, expected, progress)?;
            for item in scan.inventory.into_items() {
                sink(item)?;
            }
            Ok(scan.stripped)
        }
    }
}
