//! `docseal diff OLD NEW`: its arguments, and what changed between two validly signed manifests
//! as text or JSON; exit 1 (nothing compared) when a signature is not valid.

use std::io::Write;
use std::path::PathBuf;

use docseal::audit::{self, DiffOptions};
use docseal::error::Result;
use docseal::report;

use super::{Outcome, written};

// The arguments of `diff` (the subcommand's help text is on `Command::Diff`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The older manifest.
    old: PathBuf,
    /// The newer manifest.
    new: PathBuf,
    #[command(flatten)]
    trust: super::TrustArgs,
    /// Print JSON instead of text (docs/history.md).
    #[arg(long)]
    json: bool,
}

/// Compares the two manifests.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let diff = audit::diff(&DiffOptions {
        old: args.old,
        new: args.new,
        trust: args.trust.options(),
    })?;
    written(if args.json {
        report::json::write(out, &diff)
    } else {
        report::history::render_diff(out, &diff)
    })?;
    Ok(if diff.compared {
        Outcome::Done
    } else {
        Outcome::Failed
    })
}
