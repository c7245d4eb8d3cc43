//! Sealing, the orchestrator of `seal`: take stock of a collection (`collection`: a folder, or an
//! archive read in place), attach provenance from the sources list (`capture`), build the
//! manifest's text and root digest as the files stream past (`manifest`), sign it (`trust`) and
//! write it atomically (`fsio`; an explicit output folder must exist, the default `manifests/`
//! is created), giving a [`SealReport`] (`report`). It parses, hashes and
//! formats nothing itself. With `--previous` (`seal/previous.rs`) the manifest is chained to the
//! one it supersedes and carries over the provenance of every file whose content is unchanged.

mod previous;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::capture::{Source, Sources};
use crate::collection::{
    self, ClashKind, Collection, HashOptions, Item, Measured, Measurement, NameClash, NameClashes,
    Progress, Skipped,
};
use crate::digest::{Fixity, Sha256Digest};
use crate::error::{Error, Result};
use crate::fsio::{self, Access};
use crate::interop::sha256sum;
use crate::manifest::{
    DigestAlgorithm, FORMAT_VERSION, FileEntry, Header, Manifest, Naming, canonical, check_text,
    checkpoint, merkle,
};
use crate::provenance::Timestamp;
use crate::relpath::RelPath;
use crate::report::seal::SealReport;
use crate::timing;
use crate::trust::SecretKeySource;
use crate::trust::signature::{self, SIGNED_PREFIX};

/// What to seal and how.
#[derive(Clone, Debug)]
pub struct SealOptions {
    /// The collection: a folder or an archive file.
    pub collection: Collection,
    /// The secret key to sign with, and its passphrase.
    pub key: SecretKeySource,
    /// The sources list, if any; files without an entry get unknown provenance.
    pub sources: Option<PathBuf>,
    /// A `sha256sum` list the files must match, if any (every file listed, every listed file
    /// present, every digest equal).
    pub digests: Option<PathBuf>,
    /// The collection name.
    pub name: String,
    /// Where to write the manifest.
    pub output: PathBuf,
    /// Replace an existing manifest.
    pub force: bool,
    /// How files are hashed.
    pub hashing: HashOptions,
    /// Whether a missing folder for `output` may be created (the default `manifests/`); an
    /// output path the user gave must be in a folder that exists.
    pub create_output_folder: bool,
    /// Which naming scheme the manifest declares.
    pub naming: NamingChoice,
    /// True when the user gave the name (`--name`); with `previous` and no name given, the
    /// previous manifest's name is used.
    pub name_given: bool,
    /// The manifest this one supersedes (`--previous`), whose signature must verify under
    /// `trust`.
    pub previous: Option<PathBuf>,
    /// The trusted keys for `previous`.
    pub trust: crate::trust::TrustOptions,
    /// Seal even when recorded provenance would be dropped (naming each file).
    pub drop_provenance: bool,
    /// When the manifest expires: a duration from now (`90d`) or an RFC 3339 time.
    pub expires: Option<String>,
}

/// The naming scheme a manifest declares (`docs/manifest-format.md` §2.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NamingChoice {
    /// The scheme the sources list declares (a list written by `docseal fetch`), or none.
    #[default]
    FromSources,
    /// This scheme (`--naming SCHEME`).
    Scheme(Naming),
    /// None, whatever the sources list says (`--naming none`).
    Undeclared,
}

/// Seals `opts.collection` into a signed manifest at `opts.output`.
pub fn seal(opts: &SealOptions, progress: &dyn Progress) -> Result<SealReport> {
    timing::start();
    check_name(&opts.name)?;
    let created = Timestamp::now();
    let expires = opts
        .expires
        .as_deref()
        .map(|e| {
            Timestamp::parse_expiry(e, created).map_err(|m| Error::Usage(format!("--expires: {m}")))
        })
        .transpose()?;
    if !opts.force && std::fs::symlink_metadata(&opts.output).is_ok() {
        return Err(Error::Exists {
            path: opts.output.clone(),
            what: "manifest",
        });
    }
    let replaces = opts.force && std::fs::symlink_metadata(&opts.output).is_ok();
    let output_folder = match opts.output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let created_folder = if output_folder.is_dir() {
        None
    } else if opts.create_output_folder {
        Some(output_folder.to_path_buf())
    } else {
        return Err(Error::invalid(
            output_folder,
            format!(
                "folder not found, so the manifest {} cannot be written there; create the folder first, or pass another -o",
                opts.output.display()
            ),
        ));
    };
    let key = opts.key.load()?;
    let prev = opts
        .previous
        .as_deref()
        .map(|p| previous::Previous::load(p, &opts.trust))
        .transpose()?;
    let name = match &prev {
        Some(p) if !opts.name_given => p.name.clone(),
        Some(p) if p.name != opts.name => {
            return Err(Error::invalid(
                &p.path,
                format!(
                    "is a manifest of collection \"{}\", not \"{}\"; a chain is one collection's: leave out --name, or seal without --previous",
                    p.name.escape_debug(),
                    opts.name.escape_debug()
                ),
            ));
        }
        _ => opts.name.clone(),
    };
    let mut carry = previous::Carry::default();
    let digests = opts
        .digests
        .as_deref()
        .map(sha256sum::List::load)
        .transpose()?;
    let sources = match &opts.sources {
        Some(p) => Sources::load(p)?,
        None => Sources::default(),
    };
    if opts.collection.is_archive() {
        fsio::check_archive(opts.collection.path())?;
    }
    let exclude = opts.collection.path_of(&opts.output);
    // An archive from a pipe has no file to name: `-` says so, and verify asks for --archive.
    let collection = match opts.collection.is_piped_archive() {
        true => PIPED_COLLECTION.to_string(),
        false => relative_collection(opts.collection.path(), &opts.output)?,
    };
    let naming = match opts.naming {
        NamingChoice::FromSources => sources.naming,
        NamingChoice::Scheme(n) => Some(n),
        NamingChoice::Undeclared => None,
    };
    let mut header = Header {
        name,
        digest_algorithm: DigestAlgorithm::Sha256,
        created,
        tool: format!("docseal {}", env!("CARGO_PKG_VERSION")),
        collection_path: collection,
        sequence: Some(prev.as_ref().map_or(1, |p| p.position.sequence + 1)),
        previous: prev.as_ref().map(|p| p.position.digest),
        expires,
        root_digest: Sha256Digest::from_bytes([0; 32]),
        naming,
        format_version: FORMAT_VERSION,
    };
    // The signed message is built in one buffer as the files are hashed, in path order: the
    // prefix, the header (its root written once the entries are known, in place), the entries.
    let mut text = String::from_utf8_lossy(SIGNED_PREFIX).into_owned();
    text.push_str(&canonical::header_text(&header));
    let root_at = text
        .find(&format!("\n{}", canonical::ROOT_KEY))
        .map(|i| i + 1 + canonical::ROOT_KEY.len())
        .ok_or_else(|| Error::Internal("the manifest header has no root line".into()))?;
    let mut acc = Accumulated::default();
    let mut root = merkle::RootBuilder::default();
    let archive = opts.collection.is_archive();
    let stripped = collection::scan(
        &opts.collection,
        exclude.as_ref(),
        opts.hashing,
        None,
        None,
        progress,
        &mut |item| {
            let m = match item {
                Item::File(m) => m,
                Item::Skipped(s) => {
                    acc.skipped.push(s);
                    return Ok(());
                }
                Item::Problem(p) => {
                    let reason = if archive {
                        format!("{}; rebuild the archive without it", p.reason)
                    } else {
                        p.reason
                    };
                    return Err(Error::invalid(&p.fs_path, reason));
                }
            };
            let fixity = measured_fixity(opts, &m)?;
            if let Some(list) = &digests {
                check_listed(list, &m.path, &fixity)?;
                acc.listed.insert(m.path.clone());
            }
            let (origin, retrieved) = sources.provenance(&m.path);
            let mut capture = Default::default();
            let mut warc = None;
            let sourced = sources.entries.contains_key(&m.path);
            if let Some(source) = sources.entries.get(&m.path) {
                check_captured(&sources.path, source, &m.path, &fixity)?;
                acc.with_source.insert(m.path.clone());
                capture = source.capture.clone();
                warc = source.warc.clone();
            }
            if let Some(scheme) = naming {
                check_named(opts, scheme, &m.path, &fixity)?;
            }
            let mut entry = FileEntry {
                path: m.path,
                size: fixity.size,
                digest: fixity.digest,
                origin,
                retrieved,
                capture,
                warc,
            };
            match &prev {
                Some(p) if sourced => p.sourced(&entry, &mut carry),
                Some(p) => p.carry(&mut entry, &mut carry),
                None => {}
            }
            acc.names.add(entry.path.as_str());
            acc.files += 1;
            acc.bytes += fixity.size;
            acc.lacking_provenance += usize::from(!entry.has_provenance());
            root.push(merkle::leaf_hash(&entry));
            canonical::push_entry(&mut text, &entry);
            Ok(())
        },
    )?;
    timing::lap("files");
    sources.check_all_present(|p| acc.with_source.contains(p))?;
    if let Some(list) = &digests {
        check_all_sealed(list, &acc.listed)?;
    }
    if let Some(p) = &prev
        && !carry.dropped.is_empty()
        && !opts.drop_provenance
    {
        return Err(previous::drop_refusal(&p.path, &carry.dropped));
    }
    text.push('\n');
    header.root_digest = root.finish();
    text.replace_range(root_at..root_at + 64, &header.root_digest.to_hex());
    let name_clashes = name_clashes(opts, &mut acc.names, &text)?;
    let mut sig = signature::sign_message(&key, text.as_bytes());
    sig.checkpoint = Some(checkpoint::sign(&header, acc.files, &key));
    text.push_str(&canonical::signature_block(&sig));
    fsio::write_atomic(
        &opts.output,
        &text.as_bytes()[SIGNED_PREFIX.len()..],
        Access::Public,
        opts.force,
        "manifest",
    )?;
    timing::lap("sign and write");
    Ok(SealReport {
        collection: opts.collection.path().to_path_buf(),
        manifest: opts.output.clone(),
        files: acc.files,
        bytes: acc.bytes,
        lacking_provenance: acc.lacking_provenance,
        skipped: acc.skipped,
        key_id: key.id(),
        root_digest: header.root_digest,
        stripped,
        name_clashes,
        created_folder,
        replaced_without_previous: replaces && prev.is_none(),
        sequence: header.sequence.unwrap_or(1),
        previous: prev.map(|p| p.path),
        expires: header.expires,
        carried: carry.carried,
        dropped: carry.dropped,
        replaced_by_sources: carry.replaced,
    })
}

/// The sealed paths that are one name on other file systems: a pair equal after Unicode
/// normalisation is refused (the two names are the same to a reader, and a manifest holding both
/// is ambiguous); a pair equal ignoring case is given back, to be warned about. `text` is the
/// signed message built so far, read again for the names only when the first pass found a clash.
fn name_clashes(opts: &SealOptions, names: &mut NameClashes, text: &str) -> Result<Vec<NameClash>> {
    if !names.any() {
        return Ok(Vec::new());
    }
    let body = &text.as_bytes()[SIGNED_PREFIX.len()..];
    let built = Manifest::parse_own(&opts.output, body)?;
    let mut failure = None;
    let paths = built.fixities().map_while(|entry| match entry {
        Ok(entry) => Some(entry.path),
        Err(e) => {
            failure = Some(e);
            None
        }
    });
    let clashes = names.pairs(paths);
    if let Some(e) = failure {
        return Err(e);
    }
    if let Some(c) = clashes.iter().find(|c| c.kind == ClashKind::Nfc) {
        return Err(Error::invalid(
            opts.collection.path(),
            format!(
                "\"{}\" and \"{}\" are {}; rename one of them (a manifest never holds both of two canonically equivalent names)",
                c.paths[0].escape_debug(),
                c.paths[1].escape_debug(),
                c.kind.describe()
            ),
        ));
    }
    Ok(clashes)
}

/// What sealing counts and collects while the files stream past.
#[derive(Default)]
struct Accumulated {
    files: usize,
    bytes: u64,
    lacking_provenance: usize,
    skipped: Vec<Skipped>,
    /// The sealed paths checked against the checksum list.
    listed: HashSet<RelPath>,
    /// The sealed paths that the sources list names.
    with_source: HashSet<RelPath>,
    /// The first pass of the search for names that clash elsewhere.
    names: NameClashes,
}

/// A file whose source records what was stored (`docseal fetch` does) must still be that.
fn check_captured(list: &Path, source: &Source, path: &RelPath, fixity: &Fixity) -> Result<()> {
    let size_differs = source.size.is_some_and(|s| s != fixity.size);
    let digest_differs = source.sha256.is_some_and(|d| d != fixity.digest);
    if !size_differs && !digest_differs {
        return Ok(());
    }
    Err(Error::Parse {
        path: list.to_path_buf(),
        line: source.line,
        message: format!(
            "\"{}\" was captured as {} bytes with SHA-256 {}, but the file is {} bytes with SHA-256 {}; it changed after it was captured (restore it, or remove its size and sha256 from the list)",
            path.as_str().escape_debug(),
            source
                .size
                .map_or_else(|| "?".to_string(), |s| s.to_string()),
            source
                .sha256
                .map_or_else(|| "?".to_string(), |d| d.to_hex()),
            fixity.size,
            fixity.digest
        ),
    })
}

/// A file of a collection that declares a naming scheme must be named by it.
fn check_named(opts: &SealOptions, scheme: Naming, path: &RelPath, fixity: &Fixity) -> Result<()> {
    match scheme.misfit(path.as_str(), &fixity.digest) {
        None => Ok(()),
        Some(want) => Err(Error::invalid(
            path.under(opts.collection.path()),
            format!(
                "its name does not fit the naming scheme \"{}\" for its content ({want}); rename it, or seal with --naming none",
                scheme.as_str()
            ),
        )),
    }
}

/// A file being sealed must be in the checksum list with the digest just measured.
fn check_listed(list: &sha256sum::List, path: &RelPath, fixity: &Fixity) -> Result<()> {
    match list.entries.get(path.as_str()) {
        None => Err(Error::invalid(
            &list.path,
            format!(
                "has no line for \"{}\", which is in the collection; add it to the list or take the file out",
                path.as_str().escape_debug()
            ),
        )),
        Some((digest, line)) if *digest != fixity.digest => Err(Error::Parse {
            path: list.path.clone(),
            line: *line,
            message: format!(
                "\"{}\" does not match: the list says {}, the file is {}; the file changed after the list was made",
                path.as_str().escape_debug(),
                digest,
                fixity.digest
            ),
        }),
        Some(_) => Ok(()),
    }
}

/// Every name of the checksum list must have been sealed.
fn check_all_sealed(list: &sha256sum::List, sealed: &HashSet<RelPath>) -> Result<()> {
    for (name, (_, line)) in &list.entries {
        let found = RelPath::new(name).is_ok_and(|p| sealed.contains(&p));
        if !found {
            return Err(Error::Parse {
                path: list.path.clone(),
                line: *line,
                message: format!(
                    "\"{}\" is listed but is not a file of the collection; fix the list or restore the file",
                    name.escape_debug()
                ),
            });
        }
    }
    Ok(())
}

/// The size and digest of a file being sealed, or why it cannot be sealed.
fn measured_fixity(opts: &SealOptions, m: &Measured) -> Result<Fixity> {
    match &m.measurement {
        Measurement::Hashed(fx) => Ok(*fx),
        Measurement::Vanished => Err(Error::invalid(
            m.path.under(opts.collection.path()),
            "disappeared while it was being sealed; seal again once the collection is still",
        )),
        Measurement::OtherSize(_) => Err(Error::Internal(
            "a file was measured against a sealed size while sealing".into(),
        )),
        Measurement::Unreadable(why) if opts.collection.is_archive() => Err(Error::invalid(
            opts.collection.path(),
            format!("archive entry \"{}\" cannot be read: {why}", m.path),
        )),
        Measurement::Unreadable(why) => Err(Error::invalid(
            m.path.under(opts.collection.path()),
            format!("cannot read: {why}; fix its permissions or move it out of the collection"),
        )),
    }
}

/// A collection name must be what a manifest may hold as its `name`.
fn check_name(name: &str) -> Result<()> {
    check_text(name, "name").map_err(|_| {
        Error::Usage(format!(
            "invalid collection name \"{}\"; pass --name with a non-empty name without control characters",
            name.escape_debug()
        ))
    })
}

/// The `collection` recorded for an archive read from a pipe (docs/manifest-format.md §5).
pub const PIPED_COLLECTION: &str = "-";

/// The collection folder or archive file relative to the manifest's folder, `/`-separated.
fn relative_collection(dir: &Path, manifest: &Path) -> Result<String> {
    let fail = || {
        Error::invalid(
            dir,
            "cannot express the collection's path relative to the manifest; put both on the same file system tree",
        )
    };
    let dir = fsio::absolute(dir).ok_or_else(fail)?;
    let manifest_dir = fsio::absolute(manifest)
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
