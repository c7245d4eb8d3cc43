//! Walking a collection folder: every regular file below it, as a validated [`RelPath`], in
//! sorted order. Symbolic links are never followed; links, FIFOs, sockets and devices are listed
//! as skipped; names that cannot be recorded (not UTF-8, or breaking the path rules) are problems.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result, describe_io};
use crate::relpath::RelPath;

/// What a skipped entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Debug, Serialize)]
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
    pub fs_path: PathBuf,
    /// What is wrong.
    pub reason: String,
    /// True when the problem is that the entry could not be read (vs. an unrecordable name).
    pub unreadable: bool,
}

/// Everything found under a root.
#[derive(Clone, Debug, Default)]
pub struct Walk {
    /// Regular files, sorted by path. (Their paths on disk are [`RelPath::under`] the root: not
    /// kept, as they would double the memory per file.)
    pub files: Vec<RelPath>,
    /// Entries that are not regular files, sorted by path.
    pub skipped: Vec<Skipped>,
    /// Entries that could not be listed or named.
    pub problems: Vec<Problem>,
}

/// Walks `root`. `exclude` is a collection path to leave out (the manifest itself, when it lies
/// inside the collection). Fails only if `root` itself is not a readable folder.
pub fn walk(root: &Path, exclude: Option<&RelPath>) -> Result<Walk> {
    let meta =
        fs::metadata(root).map_err(|e| Error::io(root, "cannot read collection folder", e))?;
    if !meta.is_dir() {
        return Err(Error::invalid(
            root,
            "is not a folder; name the collection folder",
        ));
    }
    let mut out = Walk::default();
    let mut stack: Vec<(PathBuf, String)> = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if prefix.is_empty() => {
                return Err(Error::io(root, "cannot read collection folder", e));
            }
            Err(e) => {
                out.problems.push(Problem {
                    path: prefix.trim_end_matches('/').to_string(),
                    fs_path: dir.clone(),
                    reason: format!("cannot read folder: {}", describe_io(&e)),
                    unreadable: true,
                });
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    out.problems.push(Problem {
                        path: prefix.trim_end_matches('/').to_string(),
                        fs_path: dir.clone(),
                        reason: format!("cannot list folder: {}", describe_io(&e)),
                        unreadable: true,
                    });
                    continue;
                }
            };
            let fs_path = entry.path();
            let name = entry.file_name();
            let rel = format!("{prefix}{}", crate::sanitize::os_text(&name));
            let Some(name) = name.to_str() else {
                out.problems.push(Problem {
                    path: rel,
                    fs_path,
                    reason: "file name is not valid UTF-8; rename it (manifest paths are UTF-8)"
                        .to_string(),
                    unreadable: false,
                });
                continue;
            };
            let file_type = match entry.file_type() {
                Ok(t) => t,
                Err(e) => {
                    out.problems.push(Problem {
                        path: rel,
                        fs_path,
                        reason: format!("cannot read file type: {}", describe_io(&e)),
                        unreadable: true,
                    });
                    continue;
                }
            };
            if file_type.is_dir() {
                stack.push((fs_path, format!("{prefix}{name}/")));
            } else if file_type.is_file() {
                match RelPath::new(&rel) {
                    Ok(path) if Some(&path) == exclude => {}
                    Ok(path) => out.files.push(path),
                    Err(reason) => out.problems.push(Problem {
                        path: rel,
                        fs_path,
                        reason: format!("{reason}; rename the file"),
                        unreadable: false,
                    }),
                }
            } else {
                out.skipped.push(Skipped {
                    path: rel,
                    kind: skip_kind(&file_type),
                });
            }
        }
    }
    out.files.sort();
    out.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    out.problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
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
    let file = absolute(file)?;
    let rest = file.strip_prefix(&root).ok()?;
    let parts: Option<Vec<&str>> = rest.components().map(|c| c.as_os_str().to_str()).collect();
    RelPath::new(&parts?.join("/")).ok()
}

/// `path` made absolute with symbolic links resolved, for a path whose last components may not
/// exist yet (they are appended to the resolved longest existing prefix).
pub fn absolute(path: &Path) -> Option<PathBuf> {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut existing = path.as_path();
    let mut tail = Vec::new();
    loop {
        if let Ok(resolved) = fs::canonicalize(existing) {
            let mut out = resolved;
            for part in tail.iter().rev() {
                out.push(part);
            }
            return Some(out);
        }
        tail.push(existing.file_name()?.to_os_string());
        existing = existing.parent()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn path_inside_finds_a_file_under_the_root_only() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("col")).unwrap();
        let inside = path_inside(&dir.path().join("col"), &dir.path().join("col/m/x.toml"));
        assert_eq!(inside.unwrap().as_str(), "m/x.toml");
        assert!(path_inside(&dir.path().join("col"), &dir.path().join("x.toml")).is_none());
    }
}
