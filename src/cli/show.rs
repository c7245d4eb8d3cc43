//! `docseal show`: its arguments, the call into the audit area, and the presenter.

use std::io::Write;
use std::path::PathBuf;

use docseal::audit;
use docseal::error::Result;
use docseal::report;

use super::{Outcome, written};

// The arguments of `show` (the subcommand's help text is on `Command::Show`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The manifest.
    manifest: PathBuf,
    /// Only these files (paths inside the collection).
    paths: Vec<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Shows the recorded provenance.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let shown = audit::show(&args.manifest, &args.paths)?;
    written(if args.json {
        report::json::write(out, &shown)
    } else {
        report::show::render(out, &shown)
    })?;
    Ok(Outcome::Done)
}
