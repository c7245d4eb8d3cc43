//! `docseal export FORMAT`: its arguments (one `Args` per format), their conversion into
//! [`ExportOptions`], and what is said on standard error.

use std::io::{self, Write};
use std::path::PathBuf;

use docseal::error::Result;
use docseal::export::{self, ExportOptions};
use docseal::report;

use super::Outcome;

// The formats `export` writes (each format's help text is on its variant).
#[derive(Debug, clap::Subcommand)]
pub enum Format {
    /// Write the manifest's entries as a list that `sha256sum -c` checks (GNU coreutils format),
    /// once the manifest's signature has verified; run `sha256sum -c` in the collection folder.
    Sha256sum(Args),
    /// Write a BagIt bag (RFC 8493) of a validly signed manifest: data/ holds a copy of every
    /// sealed file (checked against the manifest as it is copied), and the docseal manifest
    /// travels in it as the tag file docseal-manifest.toml.
    Bagit(BagArgs),
}

// The arguments of `export bagit`.
#[derive(Debug, clap::Args)]
pub struct BagArgs {
    /// The manifest.
    manifest: PathBuf,
    #[command(flatten)]
    trust: super::TrustArgs,
    /// The collection folder to copy from [default: the manifest's `collection`, relative to
    /// the manifest].
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// The bag's folder, which must not exist yet.
    #[arg(short, long, value_name = "BAG")]
    output: PathBuf,
}

// The arguments of one export.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The manifest.
    manifest: PathBuf,
    #[command(flatten)]
    trust: super::TrustArgs,
    /// Write the list to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Overwrite an existing output file.
    #[arg(long)]
    force: bool,
}

impl Args {
    /// The library's options: trust `./keys` when no `--trust` is given.
    fn options(self) -> ExportOptions {
        ExportOptions {
            manifest: self.manifest,
            trust: self.trust.options(),
            output: self.output,
            force: self.force,
        }
    }
}

/// Exports; exit 1 (nothing written) when the manifest's signature is not valid.
pub fn run(format: Format, out: &mut impl Write) -> Result<Outcome> {
    let done = match format {
        Format::Sha256sum(args) => match export::sha256sum(&args.options(), out) {
            // A closed pipe (`docseal export sha256sum M | head`) is not an error.
            Err(e) if e.is_broken_pipe() => return Ok(Outcome::Done),
            other => other?,
        },
        Format::Bagit(args) => {
            let opts = ExportOptions {
                manifest: args.manifest,
                trust: args.trust.options(),
                output: Some(args.output),
                force: false,
            };
            export::bagit(&opts, args.root.as_deref())?
        }
    };
    super::warn_about(&done.signature);
    let _ = report::export::render(&mut io::stderr().lock(), &done);
    Ok(if done.is_success() {
        Outcome::Done
    } else {
        Outcome::Failed
    })
}
