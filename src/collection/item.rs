//! The things a collection holds, as every kind of collection (folder or archive) reports them:
//! a regular file with what measuring it gave, an entry that is not a regular file (skipped,
//! never read or followed), or a problem (a name that cannot be recorded, a folder that cannot be
//! read). Sealing and verifying consume these and nothing else.

use serde::{Deserialize, Serialize};

use crate::digest::Fixity;
use crate::relpath::RelPath;

/// What a skipped entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipKind {
    /// A symbolic link (never followed).
    Symlink,
    /// A hard link entry of an archive (never followed; the file it names is read on its own).
    Hardlink,
    /// A named pipe.
    Fifo,
    /// A Unix socket.
    Socket,
    /// A block or character device.
    Device,
    /// Anything else that is not a regular file or a folder.
    Other,
}

impl SkipKind {
    /// A short human description.
    pub fn describe(self) -> &'static str {
        match self {
            SkipKind::Symlink => "symbolic link (not followed)",
            SkipKind::Hardlink => "hard link (not followed)",
            SkipKind::Fifo => "named pipe",
            SkipKind::Socket => "socket",
            SkipKind::Device => "device file",
            SkipKind::Other => "special file",
        }
    }
}

/// An entry that is not a regular file and was not sealed or checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Skipped {
    /// Its path inside the collection (`/`-separated; a name that is not UTF-8 is shown lossily).
    pub path: String,
    /// What it is.
    pub kind: SkipKind,
}

/// Something under the root that cannot be recorded in a manifest.
#[derive(Clone, Debug)]
pub struct Problem {
    /// Its path inside the collection, shown lossily if not UTF-8.
    pub path: String,
    /// Its path on disk.
    pub fs_path: std::path::PathBuf,
    /// What is wrong.
    pub reason: String,
    /// True when the problem is that the entry could not be read (vs. an unrecordable name).
    pub unreadable: bool,
}

/// What measuring one file gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Measurement {
    /// Its size and digest.
    Hashed(Fixity),
    /// It was listed, but was gone when docseal came to read it.
    Vanished,
    /// It could not be read; the text says why.
    Unreadable(String),
    /// Its size (given) differs from the size it was sealed with, so it was not read, or not read
    /// to its end (it grew while it was being read). Only a verification, which knows the sealed
    /// sizes, measures this.
    OtherSize(u64),
}

/// One regular file found in the collection.
#[derive(Clone, Debug)]
pub struct Measured {
    /// Its path inside the collection.
    pub path: RelPath,
    /// What reading it gave.
    pub measurement: Measurement,
}

/// Everything found in a collection.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    /// Regular files, sorted by path.
    pub files: Vec<Measured>,
    /// Entries that are not regular files (not read), sorted by path.
    pub skipped: Vec<Skipped>,
    /// Entries that could not be listed or named.
    pub problems: Vec<Problem>,
}

/// One thing in a collection, with a regular file measured.
#[derive(Clone, Debug)]
pub enum Item {
    /// A regular file and what reading it gave.
    File(Measured),
    /// An entry that is not a regular file (not read).
    Skipped(Skipped),
    /// An entry that could not be listed or named.
    Problem(Problem),
}

impl Item {
    /// The collection path this item is about.
    pub fn path(&self) -> &str {
        match self {
            Item::File(m) => m.path.as_str(),
            Item::Skipped(s) => &s.path,
            Item::Problem(p) => &p.path,
        }
    }
}

impl Inventory {
    /// Every file, skipped entry and problem, as one list sorted by path.
    pub fn into_items(self) -> Vec<Item> {
        let mut items: Vec<Item> = self.files.into_iter().map(Item::File).collect();
        items.extend(self.skipped.into_iter().map(Item::Skipped));
        items.extend(self.problems.into_iter().map(Item::Problem));
        items.sort_by(|a, b| a.path().cmp(b.path()));
        items
    }
}
