//! `docseal verify-proof PROOF`: its arguments, and the report of the check, as text or JSON.

use std::io::Write;
use std::path::PathBuf;

use docseal::error::Result;
use docseal::proofs::{self, VerifyProofOptions};
use docseal::report;

use super::{Outcome, written};

// The arguments of `verify-proof` (the subcommand's help text is on `Command::VerifyProof`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The proof file (written by docseal prove).
    proof: PathBuf,
    /// Also check that this file is the sealed one: its size and SHA-256.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    #[command(flatten)]
    trust: super::TrustArgs,
    /// Write the report as JSON (docs/json-report.md).
    #[arg(long)]
    json: bool,
}

/// Checks the proof and writes the report.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let rep = proofs::verify_proof(&VerifyProofOptions {
        proof: args.proof,
        file: args.file,
        trust: args.trust.options(),
    })?;
    if args.json {
        written(report::json::write(out, &rep))?;
    } else {
        written(report::proof::render(out, &rep))?;
    }
    Ok(if rep.success {
        Outcome::Done
    } else {
        Outcome::Failed
    })
}
