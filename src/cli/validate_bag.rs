//! `docseal validate-bag BAG`: its arguments and the presenter.

use std::io::Write;
use std::path::PathBuf;

use docseal::error::Result;
use docseal::interop::bagit;
use docseal::report;

use super::{Outcome, written};

// The arguments of `validate-bag` (the subcommand's help text is on `Command::ValidateBag`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The bag's folder.
    bag: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Checks the bag; exit 1 when it is not valid.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let checked = bagit::validate(&args.bag)?;
    written(if args.json {
        report::json::write(out, &checked)
    } else {
        report::bag::render(out, &checked)
    })?;
    Ok(if checked.valid {
        Outcome::Done
    } else {
        Outcome::Failed
    })
}
