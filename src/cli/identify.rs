//! `docseal identify FILE... --manifest MANIFEST...`: its arguments and the presenter.

use std::io::Write;
use std::path::PathBuf;

use docseal::error::Result;
use docseal::{identify, report};

use super::{Outcome, written};

// The arguments of `identify` (the subcommand's help text is on `Command::Identify`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The documents to look up (a pipe or process substitution works too).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// A manifest to search; repeatable, at least one.
    #[arg(long, short, value_name = "MANIFEST", required = true)]
    manifest: Vec<PathBuf>,
    #[command(flatten)]
    trust: super::TrustArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Identifies the documents; exit 1 unless every one is found sealed.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let report = identify::identify(&args.files, &args.manifest, &args.trust.options())?;
    written(if args.json {
        report::json::write(out, &report)
    } else {
        report::identify::render(out, &report)
    })?;
    Ok(if report.success {
        Outcome::Done
    } else {
        Outcome::Failed
    })
}
