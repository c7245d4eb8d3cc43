//! What a folder or an archive holds right now: [`Collection`] says where a collection is, and
//! [`scan`] takes stock of either kind — every regular file measured, every other entry listed —
//! handing the items on in path order, so that sealing and verifying treat both alike: they differ
//! only in how their items are listed (`walk` and `folder` for a folder, `archive` for an archive
//! file, `bucket` for a prefix of a bucket in object storage). Hashing runs on the bounded pool of
//! `hashing` (a bucket's objects are hashed as their bytes arrive).
//!
//! Nothing here reads a manifest, a key or a sources list.

pub mod archive;
pub mod bucket;
mod folder;
pub mod hashing;
mod item;
pub mod names;
pub mod walk;

use std::path::{Path, PathBuf};

pub use archive::LeadingFolder;
pub use folder::measure_path;
pub use hashing::{HashOptions, default_jobs};
pub use item::{Inventory, Item, Measured, Measurement, Problem, SkipKind, Skipped};
pub use names::{ClashKind, NameClash, NameClashes};

use crate::error::Result;
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
    /// Every object below a prefix of a bucket in object storage (`s3://`, `gs://`, `az://`).
    Objects(bucket::Bucket),
}

impl Collection {
    /// The folder or archive file.
    pub fn path(&self) -> &Path {
        match self {
            Collection::Folder(p) | Collection::Archive { path: p, .. } => p,
            Collection::Objects(b) => &b.shown,
        }
    }

    /// True for an archive.
    pub fn is_archive(&self) -> bool {
        matches!(self, Collection::Archive { .. })
    }

    /// True for an archive read from a pipe or a FIFO (`--archive <(…)`, `/dev/stdin` in a
    /// pipeline): it has no file that a manifest could name. (A device is refused as an archive.)
    pub fn is_piped_archive(&self) -> bool {
        #[cfg(unix)]
        use std::os::unix::fs::FileTypeExt;
        self.is_archive()
            && std::fs::metadata(self.path()).is_ok_and(|m| {
                #[cfg(unix)]
                return m.file_type().is_fifo();
                #[cfg(not(unix))]
                return !m.is_file();
            })
    }

    /// The name a collection gets when none is given: a folder's last component (after
    /// resolving `.`), an archive's file name without its archive extensions
    /// (`batch-7.tar.gz` → `batch-7`).
    pub fn default_name(&self) -> Option<String> {
        let p = self.path();
        if self.is_piped_archive() && (p.starts_with("/dev") || p.starts_with("/proc")) {
            // `/dev/fd/63` (process substitution) or `/dev/stdin` names a pipe, not the
            // collection; a FIFO of the user's own keeps its name.
            return None;
        }
        match self {
            Collection::Folder(dir) => {
                let abs = crate::fsio::absolute(dir)?;
                abs.file_name()?.to_str().map(str::to_string)
            }
            Collection::Archive { path, .. } => archive::default_name(path),
            Collection::Objects(b) => b.prefix.rsplit('/').next().map(str::to_string),
        }
    }

    /// The collection path of `file` when it lies inside this collection's folder (a manifest
    /// written into its own collection, to be left out of it); `None` for an archive.
    pub fn path_of(&self, file: &Path) -> Option<RelPath> {
        match self {
            Collection::Folder(dir) => walk::path_inside(dir, file),
            Collection::Archive { .. } | Collection::Objects(_) => None,
        }
    }
}

/// Receives progress while files are hashed. Implementations must be cheap: `file_done` is called
/// once per file from the hashing threads.
pub trait Progress: Sync {
    /// Hashing starts: `files` files, `bytes` bytes in all (as listed before reading).
    fn start(&self, files: u64, bytes: u64);
    /// One file was hashed (or failed); `bytes` were read from it.
    fn file_done(&self, bytes: u64);
    /// Hashing is over.
    fn finish(&self);
}

/// A [`Progress`] that ignores everything.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _files: u64, _bytes: u64) {}
    fn file_done(&self, _bytes: u64) {}
    fn finish(&self) {}
}

/// The totals a progress bar counts towards, when known before hashing (a manifest's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    /// Number of files.
    pub files: u64,
    /// Number of bytes.
    pub bytes: u64,
}

/// The size each sealed path was sealed with (a verification's manifest), asked in path order: a
/// scan that knows it calls a file of another size [`Measurement::OtherSize`] without reading it,
/// and reads no further than one byte past it. Walking a folder and reading a manifest are both in
/// path order, so the sizes are looked up by a second cursor on the sealed entries as the walk
/// goes — streaming, in bounded memory.
pub trait SealedSizes {
    /// The sealed size of `path`, or `None` when it is not sealed. Paths come in increasing
    /// order; an answer may be `None` for a path asked out of order (it is then hashed whole).
    fn size_of(&mut self, path: &RelPath) -> Option<u64>;

    /// The sealed size of `path`, asked in any order: a tar's entries come in the stream's order.
    /// An implementation may build an index of every sealed size at the first call.
    fn size_of_unordered(&mut self, path: &RelPath) -> Option<u64>;
}

/// Receives the items of a collection one at a time, in path order; an error stops the scan.
pub type Sink<'a> = dyn FnMut(Item) -> Result<()> + 'a;

/// Lists and hashes the collection, handing every item to `sink` in path order. `exclude` (the
/// manifest itself, when it lies inside the collection folder, or the entry an archive of that
/// folder holds it as) is left out; `hashing` says how
/// many threads hash files (the entries of an archive too). `expected` is the progress
/// total, when known. `sealed`, when verifying, gives each path's sealed size: a folder's files and
/// a zip's entries of another size are not read (a tar's entries come in the stream's order, and
/// are compared with their sealed size when judged). Returns, for an archive, the leading folder stripped from
/// every entry.
pub fn scan(
    collection: &Collection,
    exclude: Option<&RelPath>,
    hashing: HashOptions,
    expected: Option<Expected>,
    sealed: Option<&mut dyn SealedSizes>,
    progress: &dyn Progress,
    sink: &mut Sink<'_>,
) -> Result<Option<String>> {
    match collection {
        Collection::Folder(dir) => {
            folder::scan_dir(dir, exclude, hashing, expected, sealed, progress, sink)?;
            Ok(None)
        }
        Collection::Archive { path, leading } => {
            let scan =
                archive::scan_archive(path, leading, hashing.jobs, expected, sealed, progress)?;
            for item in scan.inventory.into_items() {
                if exclude.is_none_or(|x| x.as_str() != item.path()) {
                    sink(item)?;
                }
            }
            Ok(scan.stripped)
        }
        Collection::Objects(b) => {
            bucket::scan_bucket(b, exclude, hashing, expected, sealed, progress, sink)?;
            Ok(None)
        }
    }
}
