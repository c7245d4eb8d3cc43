//! Sealing: take stock of a collection (a folder, or an archive read in place), hash every regular
//! file, attach provenance from the sources list, build the manifest with its root digest, sign it
//! and write it atomically.

use std::path::{Path, PathBuf};

use crate::collection::{self, Collection};
use crate::error::{Error, Result};
use crate::fsio::{self, Access};
use crate::inventory::{HashOptions, Measurement, Progress};
use crate::keys::{KeyId, SecretKey};
use crate::manifest::{DigestAlgorithm, FileEntry, Header, canonical, merkle};
use crate::provenance::Timestamp;
use crate::signature;
use crate::sources::Sources;
use crate::walk::{self, Skipped};

/// What to seal and how.
#[derive(Clone, Debug)]
pub struct SealOptions {
    /// The collection: a folder or an archive file.
    pub collection: Collection,
    /// The secret key file to sign with.
    pub key: PathBuf,
    /// The sources list, if any; files without an entry get unknown provenance.
    pub sources: Option<PathBuf>,
    /// The collection name.
    pub name: String,
    /// Where to write the manifest.
    pub output: PathBuf,
    /// Replace an existing manifest.
    pub force: bool,
    /// How files are hashed.
    pub hashing: HashOptions,
}

/// What sealing did.
#[derive(Clone, Debug)]
pub struct SealOutcome {
    /// The manifest written.
    pub manifest: PathBuf,
    /// Number of files sealed.
    pub files: usize,
    /// Their total size in bytes.
    pub bytes: u64,
    /// Files sealed with an unknown origin or retrieval time.
    pub lacking_provenance: usize,
    /// Entries that are not regular files and were left out.
    pub skipped: Vec<Skipped>,
    /// The key that signed.
    pub key_id: KeyId,
    /// The collection root digest.
    pub root: crate::digest::Sha256Digest,
    /// For an archive: the leading folder stripped from every entry, if any.
    pub stripped: Option<String>,
}

/// The default collection name for a folder: its last component (after resolving `.`).
pub fn default_name(dir: &Path) -> Option<String> {
    let abs = walk::absolute(dir)?;
    abs.file_name()?.to_str().map(str::to_string)
}

/// Seals `opts.collection` into a signed manifest at `opts.output`.
pub fn seal(opts: &SealOptions, progress: &dyn Progress) -> Result<SealOutcome> {
    check_name(&opts.name)?;
    if !opts.force && std::fs::symlink_metadata(&opts.output).is_ok() {
        return Err(Error::Exists {
            path: opts.output.clone(),
            what: "manifest",
        });
    }
    let key = SecretKey::load(&opts.key)?;
    let sources = match &opts.sources {
        Some(p) => Sources::load(p)?,
        None => Sources::default(),
    };
    let exclude = match &opts.collection {
        Collection::Folder(dir) => walk::path_inside(dir, &opts.output),
        Collection::Archive { .. } => None,
    };
    let scanned = collection::scan(&opts.collection, exclude.as_ref(), opts.hashing, progress)?;
    let found = scanned.inventory;
    if let Some(p) = found.problems.first() {
        let reason = if opts.collection.is_archive() {
            format!("{}; rebuild the archive without it", p.reason)
        } else {
            p.reason.clone()
        };
        return Err(Error::invalid(&p.fs_path, reason));
    }
    sources.check_all_present(|p| found.files.binary_search_by(|f| f.path.cmp(p)).is_ok())?;

    let mut files = Vec::with_capacity(found.files.len());
    let mut bytes = 0u64;
    for f in found.files {
        let fixity = match &f.measurement {
            Measurement::Hashed(fx) => *fx,
            Measurement::Vanished => {
                return Err(Error::invalid(
                    f.path.under(opts.collection.path()),
                    "disappeared while it was being sealed; seal again once the collection is still",
                ));
            }
            Measurement::Unreadable(why) if opts.collection.is_archive() => {
                return Err(Error::invalid(
                    opts.collection.path(),
                    format!("archive entry \"{}\" cannot be read: {why}", f.path),
                ));
            }
            Measurement::Unreadable(why) => {
                return Err(Error::invalid(
                    f.path.under(opts.collection.path()),
                    format!(
                        "cannot read: {why}; fix its permissions or move it out of the collection"
                    ),
                ));
            }
        };
        bytes += fixity.size;
        let (origin, retrieved) = sources.provenance(&f.path);
        files.push(FileEntry {
            path: f.path,
            size: fixity.size,
            digest: fixity.digest,
            origin,
            retrieved,
        });
    }

    let collection = relative_collection(opts.collection.path(), &opts.output)?;
    let header = Header {
        name: opts.name.clone(),
        digest_algorithm: DigestAlgorithm::Sha256,
        created: Timestamp::now(),
        tool: format!("docseal {}", env!("CARGO_PKG_VERSION")),
        collection,
        sequence: Some(1),
        previous: None,
        root: merkle::root(&files),
    };
    let body = canonical::body(&header, &files);
    let sig = signature::sign(&key, body.as_bytes());
    let text = format!("{body}{}", canonical::signature_block(&sig));
    fsio::write_atomic(
        &opts.output,
        text.as_bytes(),
        Access::Public,
        opts.force,
        "manifest",
    )?;
    Ok(SealOutcome {
        manifest: opts.output.clone(),
        files: files.len(),
        bytes,
        lacking_provenance: files.iter().filter(|f| !f.has_provenance()).count(),
        skipped: found.skipped,
        key_id: key.id(),
        root: header.root,
        stripped: scanned.stripped,
    })
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(Error::Usage(format!(
            "invalid collection name \"{}\"; pass --name with a non-empty name without control characters",
            name.escape_debug()
        )));
    }
    Ok(())
}

/// The collection folder or archive file relative to the manifest's folder, `/`-separated.
fn relative_collection(dir: &Path, manifest: &Path) -> Result<String> {
    let fail = || {
        Error::invalid(
            dir,
            "cannot express the collection's path relative to the manifest; put both on the same file system tree",
        )
    };
    let dir = walk::absolute(dir).ok_or_else(fail)?;
    let manifest_dir = walk::absolute(manifest)
        .and_then(|m| m.parent().map(Path::to_path_buf))
        .ok_or_else(fail)?;
    let from: Vec<_> = manifest_dir.components().collect();
    let to: Vec<_> = dir.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return Err(fail());
    }
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    for c in &to[common..] {
        parts.push(c.as_os_str().to_str().ok_or_else(fail)?.to_string());
    }
    let rel = if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    };
    crate::manifest::check_collection(&rel).map_err(|_| fail())?;
    Ok(rel)
}
