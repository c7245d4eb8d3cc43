//! `docseal log MANIFEST...`: its arguments, the chain in sequence order with every link checked,
//! as text or JSON; exit 1 when a signature is not valid or a link does not hold.

use std::io::Write;
use std::path::PathBuf;

use docseal::audit::{self, LogOptions};
use docseal::error::Result;
use docseal::report;

use super::{Outcome, written};

// The arguments of `log` (the subcommand's help text is on `Command::Log`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The manifests of one collection's chain, in any order.
    #[arg(required = true, value_name = "MANIFEST")]
    manifests: Vec<PathBuf>,
    #[command(flatten)]
    trust: super::TrustArgs,
    /// Print JSON instead of text (docs/history.md).
    #[arg(long)]
    json: bool,
}

/// Shows the chain and checks its links.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let log = audit::log(&LogOptions {
        manifests: args.manifests,
        trust: args.trust.options(),
    })?;
    written(if args.json {
        report::json::write(out, &log)
    } else {
        report::history::render_log(out, &log)
    })?;
    Ok(if log.chain_ok {
        Outcome::Done
    } else {
        Outcome::Failed
    })
}
