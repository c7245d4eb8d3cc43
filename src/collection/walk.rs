//! Walking a collection folder: every regular file below it, as a validated [`RelPath`], in
//! sorted order. Symbolic links are never followed; links, FIFOs, sockets and devices are listed
//! as skipped; names that cannot be recorded (not UTF-8, or breaking the path rules) are problems.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use super::{Problem, SkipKind, Skipped};
use crate::error::{Error, Result, describe_io};
use crate::relpath::RelPath;

/// One thing found under a root, in the order a [`Walker`] yields them.
#[derive(Clone, Debug)]
pub enum Found {
    /// A regular file.
    File(RelPath),
    /// An entry that is not a regular file or a folder.
    Skipped(Skipped),
    /// An entry that cannot be recorded or a folder that cannot be read.
    Problem(Problem),
}

impl Found {
    /// The collection path this item is about (lossy for a name that is not UTF-8).
    pub fn path(&self) -> &str {
        match self {
            Found::File(p) => p.as_str(),
            Found::Skipped(s) => &s.path,
            Found::Problem(p) => &p.path,
        }
    }
}

/// One listed entry of a folder, waiting to be yielded or descended into.
struct Listed {
    /// The name as bytes, with `/` appended for a folder: sorting these keys sorts the full
    /// paths below the folder byte-wise (`a.txt` < `a/…` < `a0`).
    key: Vec<u8>,
    name: OsString,
    kind: ListedKind,
}

enum ListedKind {
    Dir,
    File,
    Other(SkipKind),
    Unknown(String),
}

/// A folder being walked: the rest of its sorted listing.
struct Level {
    dir: PathBuf,
    prefix: String,
    rest: std::vec::IntoIter<Listed>,
}

/// Walks a folder depth-first and yields every entry below it in byte-wise order of its
/// collection path, reading one folder listing at a time: memory grows with the depth and the
/// size of the largest folder, never with the size of the collection. Symbolic links are never
/// followed.
pub struct Walker {
    exclude: Option<RelPath>,
    stack: Vec<Level>,
    pending: Option<Found>,
}

impl Walker {
    /// Starts a walk of `root`. `exclude` is a collection path to leave out (the manifest itself,
    /// when it lies inside the collection). Fails only if `root` itself is not a readable folder.
    pub fn new(root: &Path, exclude: Option<&RelPath>) -> Result<Walker> {
        // The folders of an earlier walk in this process may have been replaced since.
        super::hashing::forget_folders();
        let meta =
            fs::metadata(root).map_err(|e| Error::io(root, "cannot read collection folder", e))?;
        if !meta.is_dir() {
            return Err(Error::invalid(
                root,
                "is not a folder; name the collection folder",
            ));
        }
        fs::read_dir(root).map_err(|e| Error::io(root, "cannot read collection folder", e))?;
        let (listing, problem) = list(root, "");
        Ok(Walker {
            exclude: exclude.cloned(),
            stack: vec![Level {
                dir: root.to_path_buf(),
                prefix: String::new(),
                rest: listing.into_iter(),
            }],
            pending: problem,
        })
    }
}

/// Lists one folder, sorted; a folder that cannot be (fully) listed also gives a problem.
fn list(dir: &Path, prefix: &str) -> (Vec<Listed>, Option<Found>) {
    let problem = |what: &str, e: &std::io::Error| {
        Some(Found::Problem(Problem {
            path: prefix.trim_end_matches('/').to_string(),
            fs_path: dir.to_path_buf(),
            reason: format!("{what}: {}", describe_io(e)),
            unreadable: true,
        }))
    };
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return (Vec::new(), problem("cannot read folder", &e)),
    };
    let mut listed = Vec::new();
    let mut trouble = None;
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                trouble = problem("cannot list folder", &e);
                continue;
            }
        };
        let name = entry.file_name();
        let kind = match entry.file_type() {
            Ok(t) if t.is_dir() => ListedKind::Dir,
            Ok(t) if t.is_file() => ListedKind::File,
            Ok(t) => ListedKind::Other(skip_kind(&t)),
            Err(e) => ListedKind::Unknown(format!("cannot read file type: {}", describe_io(&e))),
        };
        let mut key = name.as_encoded_bytes().to_vec();
        if matches!(kind, ListedKind::Dir) {
            key.push(b'/');
        }
        listed.push(Listed { key, name, kind });
    }
    listed.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    (listed, trouble)
}

impl Iterator for Walker {
    type Item = Found;

    fn next(&mut self) -> Option<Found> {
        if let Some(found) = self.pending.take() {
            return Some(found);
        }
        loop {
            let level = self.stack.last_mut()?;
            let Some(entry) = level.rest.next() else {
                self.stack.pop();
                continue;
            };
            let rel = format!("{}{}", level.prefix, crate::sanitize::os_text(&entry.name));
            let fs_path = level.dir.join(&entry.name);
            let Some(name) = entry.name.to_str() else {
                return Some(Found::Problem(Problem {
                    path: rel,
                    fs_path,
                    reason: "file name is not valid UTF-8; rename it (manifest paths are UTF-8)"
                        .to_string(),
                    unreadable: false,
                }));
            };
            match entry.kind {
                ListedKind::Dir => {
                    let prefix = format!("{}{name}/", level.prefix);
                    let (listing, problem) = list(&fs_path, &prefix);
                    self.stack.push(Level {
                        dir: fs_path,
                        prefix,
                        rest: listing.into_iter(),
                    });
                    if problem.is_some() {
                        return problem;
                    }
                }
                ListedKind::File => match RelPath::new(&rel) {
                    Ok(path) if Some(&path) == self.exclude.as_ref() => {}
                    Ok(path) => return Some(Found::File(path)),
                    Err(reason) => {
                        return Some(Found::Problem(Problem {
                            path: rel,
                            fs_path,
                            reason: format!("{reason}; rename the file"),
                            unreadable: false,
                        }));
                    }
                },
                ListedKind::Other(kind) => {
                    return Some(Found::Skipped(Skipped { path: rel, kind }));
                }
                ListedKind::Unknown(reason) => {
                    return Some(Found::Problem(Problem {
                        path: rel,
                        fs_path,
                        reason,
                        unreadable: true,
                    }));
                }
            }
        }
    }
}

fn skip_kind(t: &fs::FileType) -> SkipKind {
    if t.is_symlink() {
        return SkipKind::Symlink;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return SkipKind::Fifo;
        }
        if t.is_socket() {
            return SkipKind::Socket;
        }
        if t.is_block_device() || t.is_char_device() {
            return SkipKind::Device;
        }
    }
    SkipKind::Other
}

/// The collection path of `file` if it lies inside `root` (both are resolved first), so that a
/// manifest written into its own collection can be left out of it.
pub fn path_inside(root: &Path, file: &Path) -> Option<RelPath> {
    let root = fs::canonicalize(root).ok()?;
    let file = crate::fsio::absolute(file)?;
    let rest = file.strip_prefix(&root).ok()?;
    let parts: Option<Vec<&str>> = rest.components().map(|c| c.as_os_str().to_str()).collect();
    RelPath::new(&parts?.join("/")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything the walk yields, collected.
    #[derive(Default)]
    struct Walk {
        files: Vec<RelPath>,
        skipped: Vec<Skipped>,
    }

    fn walk(root: &Path, exclude: Option<&RelPath>) -> Result<Walk> {
        let mut out = Walk::default();
        for found in Walker::new(root, exclude)? {
            match found {
                Found::File(p) => out.files.push(p),
                Found::Skipped(s) => out.skipped.push(s),
                Found::Problem(p) => panic!("unexpected problem {p:?}"),
            }
        }
        Ok(out)
    }

    #[test]
    fn walk_lists_regular_files_sorted_and_skips_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b/c")).unwrap();
        fs::write(root.join("b/c/z.txt"), "z").unwrap();
        fs::write(root.join("a.txt"), "a").unwrap();
        fs::write(root.join("b.txt"), "b").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/passwd", root.join("link")).unwrap();
        let w = walk(root, None).unwrap();
        let names: Vec<_> = w.files.iter().map(RelPath::as_str).collect();
        assert_eq!(names, ["a.txt", "b.txt", "b/c/z.txt"]);
        #[cfg(unix)]
        assert_eq!(w.skipped[0].kind, SkipKind::Symlink);
        let excluded = walk(root, Some(&RelPath::new("b.txt").unwrap())).unwrap();
        assert_eq!(excluded.files.len(), 2);
    }

    #[test]
    fn the_walk_yields_paths_in_byte_order_of_the_whole_path() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for p in ["a/b", "a/c/d", "a.txt", "a0", "a-", "b", "a/c.txt"] {
            let path = root.join(p);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, p).unwrap();
        }
        let got: Vec<String> = Walker::new(root, None)
            .unwrap()
            .map(|f| f.path().to_string())
            .collect();
        let mut want = got.clone();
        want.sort();
        assert_eq!(got, want);
        assert_eq!(got.len(), 7);
    }

    #[test]
    fn path_inside_finds_a_file_under_the_root_only() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("col")).unwrap();
        let inside = path_inside(&dir.path().join("col"), &dir.path().join("col/m/x.toml"));
        assert_eq!(inside.unwrap().as_str(), "m/x.toml");
        assert!(path_inside(&dir.path().join("col"), &dir.path().join("x.toml")).is_none());
    }

    #[test]
    fn the_walk_yields_byte_order_for_many_mixed_names_and_kinds_at_every_depth() {
        // Folder names and other names are disjoint, so no name is both. Among them: `-` and `.`
        // sort before `/`, `0` and `~` after it, upper case before lower case, a space first,
        // and non-ASCII (UTF-8 bytes >= 0xC3) after everything ASCII.
        let folders = ["a", "a0", "B", "\u{e9}", "a b"];
        let names = ["a-", "a.txt", "a0x", "b", "\u{e9}.txt", "A", "a~", "a b.c"];
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 1000) as usize
        };
        let mut want: Vec<String> = Vec::new();
        for _ in 0..400 {
            let mut path = String::new();
            for _ in 0..next() % 4 {
                path.push_str(folders[next() % folders.len()]);
                path.push('/');
            }
            path.push_str(names[next() % names.len()]);
            if want.contains(&path) {
                continue;
            }
            let on_disk = root.join(&path);
            fs::create_dir_all(on_disk.parent().unwrap()).unwrap();
            // Every seventh is a symbolic link (skipped, but yielded in its place).
            #[cfg(unix)]
            if want.len() % 7 == 3 {
                std::os::unix::fs::symlink("nowhere", &on_disk).unwrap();
                want.push(path);
                continue;
            }
            fs::write(&on_disk, &path).unwrap();
            want.push(path);
        }
        want.sort();
        let got: Vec<String> = Walker::new(root, None)
            .unwrap()
            .map(|f| match f {
                Found::Problem(p) => panic!("unexpected problem {p:?}"),
                f => f.path().to_string(),
            })
            .collect();
        assert_eq!(got, want);
    }
}
