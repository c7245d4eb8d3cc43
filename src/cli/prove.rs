//! `docseal prove MANIFEST PATH...`: its arguments, and the proofs written — only from a manifest
//! whose signature is valid.

use std::io::{self, Write};
use std::path::PathBuf;

use docseal::audit::proof::ProveOptions;
use docseal::error::Result;
use docseal::proofs::{self, ProofTarget, ProveOutcome};
use docseal::report;

use super::{Outcome, written};

// The arguments of `prove` (the subcommand's help text is on `Command::Prove`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The manifest.
    manifest: PathBuf,
    /// The sealed files to prove (their paths inside the collection).
    #[arg(required = true)]
    paths: Vec<String>,
    /// Write the proof of the one PATH to this file.
    #[arg(
        short,
        long,
        value_name = "PROOF",
        required_unless_present = "into",
        conflicts_with = "into"
    )]
    output: Option<PathBuf>,
    /// Write one proof per PATH, to DIR/PATH.tlog-proof (the path's folders made below DIR).
    #[arg(long, value_name = "DIR")]
    into: Option<PathBuf>,
    /// Replace proof files that exist.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    trust: super::TrustArgs,
}

/// Writes the proofs; exit 1 (nothing written) when the signature is not valid.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let target = match (args.output, args.into) {
        (Some(file), _) => ProofTarget::File(file),
        (None, Some(dir)) => ProofTarget::Folder(dir),
        (None, None) => {
            return Err(docseal::Error::Usage(
                "pass -o PROOF (one path) or --into DIR".into(),
            ));
        }
    };
    let opts = ProveOptions {
        manifest: args.manifest,
        paths: args.paths,
        trust: args.trust.options(),
    };
    match proofs::prove(&opts, &target, args.force)? {
        ProveOutcome::Refused(sig) => {
            let _ = report::proof::render_refusal(&mut io::stderr().lock(), &opts.manifest, &sig);
            Ok(Outcome::Failed)
        }
        ProveOutcome::Written(r) => {
            written(report::proof::render_written(out, &r))?;
            Ok(Outcome::Done)
        }
    }
}
