//! The command line: clap's raw arguments ([`Cli`]) and their conversion into the library's
//! options. Nothing outside this file sees clap types.

use std::path::PathBuf;

use clap::{ArgGroup, Parser, Subcommand};

use docseal::archive::{self, LeadingFolder};
use docseal::collection::Collection;
use docseal::error::{Error, Result};
use docseal::inventory::{self, HashOptions};
use docseal::keys;
use docseal::seal::{self, SealOptions};
use docseal::verify::VerifyOptions;

const EXIT_STATUS: &str = "\
Exit status:
  0  success: everything verified
  1  verification failed: bad, untrusted or missing signature, or a file not ok
  2  docseal could not run: bad arguments, unreadable or malformed input, missing key";

/// Seal a collection of documents with per-file provenance in a signed manifest, and verify it.
#[derive(Debug, Parser)]
#[command(name = "docseal", version, after_help = EXIT_STATUS, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate an Ed25519 key pair: a public key in keys/NAME.pub and a secret key (mode 0600)
    /// in your config folder.
    #[command(after_help = EXIT_STATUS)]
    Keygen {
        /// The key's name (letters, digits, '.', '_', '-').
        #[arg(long)]
        name: String,
        /// Where to write the secret key [default: ~/.config/docseal/keys/NAME.key].
        #[arg(long, value_name = "PATH")]
        secret: Option<PathBuf>,
        /// The folder for the public key, meant to be committed.
        #[arg(long, value_name = "DIR", default_value = "keys")]
        keys_dir: PathBuf,
        /// Overwrite existing key files.
        #[arg(long)]
        force: bool,
    },
    /// Hash every regular file under DIR (or every regular-file entry of an archive), attach its
    /// provenance and write a signed manifest.
    #[command(after_help = EXIT_STATUS)]
    #[command(group(ArgGroup::new("collection").required(true).args(["dir", "archive"])))]
    Seal {
        /// The collection folder.
        dir: Option<PathBuf>,
        /// Seal the entries of a .tar, .tar.gz/.tgz, .tar.zst or .zip file instead of a folder,
        /// exactly as if it had been unpacked (nothing is unpacked or written but the manifest).
        #[arg(long, value_name = "FILE")]
        archive: Option<PathBuf>,
        /// Strip exactly N leading folders from the archive's entry paths [default: strip a single
        /// folder that wraps every entry; 0 keeps the paths as they are].
        #[arg(long, value_name = "N")]
        strip_components: Option<usize>,
        /// The secret key: a file, or the name of a key made by `docseal keygen`.
        #[arg(long, value_name = "SECRET")]
        key: PathBuf,
        /// TOML sources list: one [[source]] table (path, url, retrieved) per file.
        #[arg(long, value_name = "SOURCES")]
        sources: Option<PathBuf>,
        /// The collection name [default: DIR's folder name, or the archive's file name without
        /// its extensions].
        #[arg(long)]
        name: Option<String>,
        /// Where to write the manifest [default: manifests/NAME.toml].
        #[arg(short, long, value_name = "MANIFEST")]
        output: Option<PathBuf>,
        /// Overwrite an existing manifest.
        #[arg(long)]
        force: bool,
        /// Number of files hashed at once [default: the number of CPUs].
        #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
        /// No progress bar and no warnings; errors still go to standard error.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Check a manifest's signature, then every file of the collection against it.
    #[command(after_help = EXIT_STATUS)]
    Verify {
        /// The manifest.
        manifest: PathBuf,
        /// The collection folder [default: the manifest's `collection`, relative to the manifest;
        /// when that names a file, it is read as an archive].
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Verify the entries of a .tar, .tar.gz/.tgz, .tar.zst or .zip file instead of a folder,
        /// without unpacking it.
        #[arg(long, value_name = "FILE", conflicts_with = "root")]
        archive: Option<PathBuf>,
        /// Strip exactly N leading folders from the archive's entry paths [default: strip a single
        /// folder that wraps every entry, unless the manifest's paths all lie in it too].
        #[arg(long, value_name = "N")]
        strip_components: Option<usize>,
        /// A trusted public key file, or a folder of .pub files; repeatable [default: ./keys].
        #[arg(long, value_name = "KEY_OR_DIR")]
        trust: Vec<PathBuf>,
        /// Print one JSON document (schema: docs/json-report.md) instead of the human report.
        #[arg(long)]
        json: bool,
        /// Fail unless every file has a known origin URL and retrieval time.
        #[arg(long)]
        require_provenance: bool,
        /// Print only problems (nothing when everything verified), and no progress bar.
        #[arg(short, long)]
        quiet: bool,
        /// Number of files hashed at once [default: the number of CPUs].
        #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
    },
    /// Print the provenance recorded in a manifest: its header, and each file's path, size,
    /// digest, origin URL and retrieval time.
    #[command(after_help = EXIT_STATUS)]
    Show {
        /// The manifest.
        manifest: PathBuf,
        /// Only these files (paths inside the collection).
        paths: Vec<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Resolved `keygen` arguments.
pub struct KeygenArgs {
    pub name: String,
    pub public: PathBuf,
    pub secret: PathBuf,
    pub force: bool,
}

/// Resolves keygen defaults.
pub fn keygen_args(
    name: String,
    secret: Option<PathBuf>,
    keys_dir: PathBuf,
    force: bool,
) -> Result<KeygenArgs> {
    keys::validate_key_name(&name).map_err(Error::Usage)?;
    let secret = match secret {
        Some(s) => s,
        None => keys::default_secret_path(&name)?,
    };
    Ok(KeygenArgs {
        public: keys_dir.join(format!("{name}.pub")),
        name,
        secret,
        force,
    })
}

/// The collection to seal: DIR, or `--archive FILE` (clap makes sure exactly one is given).
pub fn seal_collection(
    dir: Option<PathBuf>,
    archive: Option<PathBuf>,
    strip_components: Option<usize>,
) -> Result<Collection> {
    match (dir, archive) {
        (Some(_), None) if strip_components.is_some() => Err(Error::Usage(
            "--strip-components applies to archives; use it with --archive FILE".to_string(),
        )),
        (Some(dir), None) => Ok(Collection::Folder(dir)),
        (None, Some(path)) => Ok(Collection::Archive {
            path,
            leading: strip_components.map_or(LeadingFolder::Detect { keep: None }, |n| {
                LeadingFolder::Strip(n)
            }),
        }),
        _ => Err(Error::Usage(
            "name either a collection folder DIR or --archive FILE, not both".to_string(),
        )),
    }
}

/// Resolves seal defaults: the key by name, the collection name, the manifest path.
pub fn seal_options(
    collection: Collection,
    key: PathBuf,
    sources: Option<PathBuf>,
    name: Option<String>,
    output: Option<PathBuf>,
    force: bool,
    hashing: HashOptions,
) -> Result<SealOptions> {
    let key = resolve_secret(key)?;
    let name = match name {
        Some(n) => n,
        None => match &collection {
            Collection::Folder(dir) => seal::default_name(dir),
            Collection::Archive { path, .. } => archive::default_name(path),
        }
        .ok_or_else(|| {
            Error::Usage(format!(
                "cannot name the collection after {}; pass --name NAME",
                collection.path().display()
            ))
        })?,
    };
    let output = match output {
        Some(o) => o,
        None => {
            keys::validate_key_name(&name).map_err(|_| {
                Error::Usage(format!(
                    "collection name \"{}\" is not usable as a file name; pass -o MANIFEST",
                    name.escape_debug()
                ))
            })?;
            PathBuf::from("manifests").join(format!("{name}.toml"))
        }
    };
    Ok(SealOptions {
        collection,
        key,
        sources,
        name,
        output,
        force,
        hashing,
    })
}

/// A `--key` that is not an existing file but is a plain key name means the key of that name in
/// the config folder.
fn resolve_secret(key: PathBuf) -> Result<PathBuf> {
    if key.exists() {
        return Ok(key);
    }
    // A bare name such as `archive` (not `archive.key`, not a path) names a key made by keygen.
    if let Some(name) = key.to_str()
        && keys::validate_key_name(name).is_ok()
        && !name.ends_with(".key")
        && !name.ends_with(".pub")
    {
        let default = keys::default_secret_path(name)?;
        if default.exists() {
            return Ok(default);
        }
        return Err(Error::invalid(
            &key,
            format!(
                "secret key not found (nor {}); run `docseal keygen --name {name}` or pass the key file's path",
                default.display()
            ),
        ));
    }
    Err(Error::invalid(
        &key,
        "secret key not found; pass the path of a key made by `docseal keygen`",
    ))
}

/// Resolves verify defaults: trust ./keys when no --trust is given.
#[allow(clippy::too_many_arguments)]
pub fn verify_options(
    manifest: PathBuf,
    root: Option<PathBuf>,
    archive: Option<PathBuf>,
    strip_components: Option<usize>,
    trust: Vec<PathBuf>,
    require_provenance: bool,
    hashing: HashOptions,
) -> VerifyOptions {
    let trust = if trust.is_empty() {
        vec![PathBuf::from("keys")]
    } else {
        trust
    };
    VerifyOptions {
        manifest,
        root,
        archive,
        strip_components,
        trust,
        require_provenance,
        hashing,
    }
}

/// Hashing options from `--jobs` and whether a progress bar is drawn.
pub fn hash_options(jobs: Option<u16>, progress_shown: bool) -> HashOptions {
    HashOptions {
        jobs: jobs.map_or_else(inventory::default_jobs, usize::from),
        sizes_up_front: progress_shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
