//! `docseal validate-bag BAG`: its arguments and the presenter.

use std::io::Write;
use std::path::PathBuf;

use docseal::error::Result;
use docseal::report;
use docseal::verify::{self, VerifyOptions};

use super::progress::TermProgress;
use super::{Outcome, hash_options, written};

// The arguments of `validate-bag` (the subcommand's help text is on `Command::ValidateBag`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The bag's folder.
    bag: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// The keys the docseal manifest the bag carries is checked against.
    #[command(flatten)]
    trust: super::TrustArgs,
    /// Check the bag as BagIt only, not the docseal manifest it carries.
    #[arg(long)]
    bagit_only: bool,
    /// No progress bar while the docseal manifest's files are hashed.
    #[arg(short, long)]
    quiet: bool,
    /// Number of files hashed at once [default: the number of CPUs].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

/// Checks the bag, and verifies the docseal manifest it carries; exit 1 when either fails.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let bar = TermProgress::new(args.quiet || args.json);
    let verifying = (!args.bagit_only).then(|| VerifyOptions {
        // The bag's docseal manifest and data folder take the place of these.
        manifest: PathBuf::new(),
        folder: None,
        archive: None,
        strip_components: None,
        trust: args.trust.options(),
        require_provenance: false,
        hashing: hash_options(args.jobs, bar.is_shown()),
        paths: Vec::new(),
        history: Default::default(),
    });
    let checked = verify::validate_bag(&args.bag, verifying, &bar)?;
    written(if args.json {
        report::json::write(out, &checked)
    } else {
        report::bag::render(out, &checked)
    })?;
    Ok(if checked.success {
        Outcome::Done
    } else {
        Outcome::Failed
    })
}
