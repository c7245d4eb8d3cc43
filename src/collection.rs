//! Where a collection is — a folder on disk, or an archive file read in place — and the one call
//! that takes stock of either, so that sealing and verifying treat both alike: they differ only in
//! how the [`Inventory`] is made.

use std::path::{Path, PathBuf};

use crate::archive::{self, LeadingFolder};
use crate::error::Result;
use crate::inventory::{self, HashOptions, Inventory, Progress};
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

/// What taking stock of a collection found.
#[derive(Clone, Debug)]
pub struct Scanned {
    /// The files, skipped entries and problems.
    pub inventory: Inventory,
    /// For an archive: the leading folder stripped from every entry, if any.
    pub stripped: Option<String>,
}

/// Lists and hashes the collection. `exclude` (the manifest itself, when it lies inside a
/// collection folder) is left out; `hashing` applies to folders (an archive is one stream, read
/// in order by one thread).
pub fn scan(
    collection: &Collection,
    exclude: Option<&RelPath>,
    hashing: HashOptions,
    progress: &dyn Progress,
) -> Result<Scanned> {
    match collection {
        Collection::Folder(dir) => Ok(Scanned {
            inventory: inventory::scan_dir(dir, exclude, hashing, progress)?,
            stripped: None,
        }),
        Collection::Archive { path, leading } => {
            let scan = archive::scan_archive(path, leading, progress)?;
            Ok(Scanned {
                inventory: scan.inventory,
                stripped: scan.stripped,
            })
        }
    }
}
