//! `docseal seal`: its arguments, their conversion into [`SealOptions`] (the collection, the key
//! found by name, the collection name and the manifest path), the progress bar, and the
//! presenters of what sealing did.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::ArgGroup;

use docseal::collection::{Collection, LeadingFolder};
use docseal::error::{Error, Result};
use docseal::manifest::Naming;
use docseal::report;
use docseal::seal::{self, NamingChoice, SealOptions};
use docseal::trust::{SecretKeySource, validate_key_name};

use super::passphrase::PassphraseArgs;
use super::progress::TermProgress;
use super::{Outcome, hash_options, written};

// The arguments of `seal` (the subcommand's help text is on `Command::Seal`).
#[derive(Debug, clap::Args)]
#[command(group(ArgGroup::new("collection").required(true).args(["dir", "archive"])))]
pub struct Args {
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
    /// The secret key: a file, the name of a key made by `docseal keygen`, or env:VAR (an
    /// environment variable holding the key file's text).
    #[arg(long, value_name = "SECRET")]
    key: PathBuf,
    #[command(flatten)]
    passphrase: PassphraseArgs,
    /// Sources list: TOML with one [[source]] table (path, url, retrieved) per file, or a .csv
    /// file with the columns path,url,retrieved (others are kept as notes). Optional:
    /// without it, or for a file it does not list, origin and retrieval time are recorded as
    /// unknown (never invented).
    #[arg(long, value_name = "SOURCES")]
    sources: Option<PathBuf>,
    /// A sha256sum list (or sha256sum --tag list) the files must match: seal fails on a file
    /// missing from it, a listed file missing from the collection, or a digest that differs.
    #[arg(long, value_name = "LIST")]
    digests: Option<PathBuf>,
    /// The collection name [default: DIR's folder name, or the archive's file name without
    /// its extensions].
    #[arg(long)]
    name: Option<String>,
    /// Where to write the manifest [default: manifests/NAME.toml].
    #[arg(short, long, value_name = "MANIFEST")]
    output: Option<PathBuf>,
    /// Declare the naming scheme the file names follow, so that verify reports a file whose name
    /// no longer fits its content as misnamed: sha256-prefix (NNN_<16 hex digits of the
    /// SHA-256>.EXT, the names docseal fetch gives), or none [default: what the sources list
    /// written by docseal fetch declares, else none].
    #[arg(long, value_name = "SCHEME", value_parser = ["sha256-prefix", "none"])]
    naming: Option<String>,
    /// Overwrite an existing manifest.
    #[arg(long)]
    force: bool,
    /// The manifest this one supersedes: the new one gets the next sequence number and its
    /// digest as `previous`, and the recorded provenance of every file whose content is
    /// unchanged (at the same path or moved), unless the sources list names that file. Its
    /// signature must verify under the --trust keys.
    #[arg(long, value_name = "OLD")]
    previous: Option<PathBuf>,
    /// With --previous: a trusted public key file, or a folder of .pub files; repeatable
    /// [default: ./keys].
    #[arg(long, value_name = "KEY_OR_DIR", requires = "previous")]
    trust: Vec<PathBuf>,
    /// With --previous: seal even when the recorded provenance of files whose content changed
    /// (and that the sources list does not name) is lost; each is named.
    #[arg(long, requires = "previous")]
    drop_provenance: bool,
    /// Make the manifest expire: a duration from now (90d, 12h, 30m, 2w) or an RFC 3339 time;
    /// verify fails an expired manifest unless --allow-expired.
    #[arg(long, value_name = "WHEN")]
    expires: Option<String>,
    /// Number of files hashed at once [default: the number of CPUs].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// No progress bar and no warnings; errors still go to standard error.
    #[arg(short, long)]
    quiet: bool,
}

impl Args {
    /// The collection to seal: DIR, or `--archive FILE` (clap makes sure exactly one is given).
    fn collection(&mut self) -> Result<Collection> {
        match (self.dir.take(), self.archive.take()) {
            (Some(_), None) if self.strip_components.is_some() => Err(Error::Usage(
                "--strip-components applies to archives; use it with --archive FILE".to_string(),
            )),
            (Some(dir), None) => Ok(Collection::Folder(dir)),
            (None, Some(path)) => Ok(Collection::Archive {
                path,
                leading: self
                    .strip_components
                    .map_or(LeadingFolder::Detect { keep: None }, LeadingFolder::Strip),
            }),
            _ => Err(Error::Usage(
                "name either a collection folder DIR or --archive FILE, not both".to_string(),
            )),
        }
    }

    /// The library's options: the key found by name, the collection name and the manifest path.
    fn options(mut self, progress_shown: bool) -> Result<SealOptions> {
        let collection = self.collection()?;
        let key = SecretKeySource::from_arg(&self.key, self.passphrase.source()?)?;
        let name = match self.name.clone() {
            Some(n) => n,
            None => collection.default_name().ok_or_else(|| {
                Error::Usage(match collection.is_piped_archive() {
                    true => format!(
                        "the archive {} is read from a pipe, which has no name to take; pass --name NAME",
                        collection.path().display()
                    ),
                    false => format!(
                        "cannot name the collection after {}; pass --name NAME",
                        collection.path().display()
                    ),
                })
            })?,
        };
        let create_output_folder = self.output.is_none();
        let name_given = self.name.is_some();
        let output = match self.output {
            Some(o) => o,
            None => {
                validate_key_name(&name).map_err(|_| {
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
            sources: self.sources,
            digests: self.digests,
            name,
            output,
            force: self.force,
            hashing: hash_options(self.jobs, progress_shown),
            create_output_folder,
            naming: match self.naming.as_deref() {
                None => NamingChoice::FromSources,
                Some("none") => NamingChoice::Undeclared,
                Some(scheme) => NamingChoice::Scheme(Naming::parse(scheme).map_err(Error::Usage)?),
            },
            name_given,
            previous: self.previous,
            trust: docseal::trust::TrustOptions::keys(super::keys_or_default(self.trust.clone())),
            drop_provenance: self.drop_provenance,
            expires: self.expires,
        })
    }
}

/// Seals, and says what was sealed (and, unless `--quiet`, what was skipped).
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let bar = TermProgress::new(args.quiet);
    let quiet = args.quiet;
    let opts = args.options(bar.is_shown())?;
    let done = seal::seal(&opts, &bar)?;
    if !quiet {
        let _ = report::seal::render_warnings(&mut io::stderr().lock(), &done);
    }
    written(report::seal::render(out, &done))?;
    Ok(Outcome::Done)
}
