//! `docseal verify`: its arguments, their conversion into [`VerifyOptions`], the progress bar,
//! and the presenter chosen by `--json` and `--quiet`.

use std::io::Write;
use std::path::PathBuf;

use docseal::error::Result;
use docseal::report::{self, human::Verbosity};
use docseal::verify::{self, VerifyOptions};

use super::progress::TermProgress;
use super::{Outcome, hash_options, written};

// The arguments of `verify` (the subcommand's help text is on `Command::Verify`).
#[derive(Debug, clap::Args)]
pub struct Args {
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
}

impl Args {
    /// The library's options: trust `./keys` when no `--trust` is given.
    fn options(self, progress_shown: bool) -> VerifyOptions {
        let trust = super::trusted_or_default(self.trust);
        VerifyOptions {
            manifest: self.manifest,
            folder: self.root,
            archive: self.archive,
            strip_components: self.strip_components,
            trust,
            require_provenance: self.require_provenance,
            hashing: hash_options(self.jobs, progress_shown),
        }
    }
}

/// Verifies, and writes the report.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let bar = TermProgress::new(args.quiet);
    let (json, quiet) = (args.json, args.quiet);
    let opts = args.options(bar.is_shown());
    let rep = verify::verify(&opts, &bar)?;
    written(if json {
        report::json::write_verify(out, &rep)
    } else {
        let verbosity = if quiet {
            Verbosity::Quiet
        } else {
            Verbosity::Normal
        };
        report::human::render(out, &rep, verbosity)
    })?;
    Ok(if rep.success {
        Outcome::Done
    } else {
        Outcome::Failed
    })
}
