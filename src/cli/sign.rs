//! `docseal sign`: its arguments, their conversion into [`SignOptions`] (and, for
//! `--verify-first`, into the [`VerifyOptions`] of the verification run first), and the
//! presenters of what happened.

use std::io::{self, Write};
use std::path::PathBuf;

use docseal::error::{Error, Result};
use docseal::report::{self, human::Verbosity};
use docseal::sign::{self, SignOptions};
use docseal::trust::SecretKeySource;
use docseal::verify::{self, VerifyOptions};

use super::passphrase::PassphraseArgs;
use super::progress::TermProgress;
use super::{Outcome, hash_options, written};

// The arguments of `sign` (the subcommand's help text is on `Command::Sign`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The sealed manifest to add a signature to (rewritten in place, atomically).
    manifest: PathBuf,
    /// The secret key: a file, the name of a key made by `docseal keygen`, or env:VAR (an
    /// environment variable holding the key file's text).
    #[arg(long, value_name = "SECRET")]
    key: PathBuf,
    #[command(flatten)]
    passphrase: PassphraseArgs,
    /// Sign only a manifest that verifies: its signature by a trusted key, then every file of
    /// its collection, as `docseal verify` checks them; nothing is written otherwise (exit 1).
    #[arg(long)]
    verify_first: bool,
    /// With --verify-first: the keys trusted and what is required of the signers, as for verify.
    #[command(flatten)]
    trust: super::TrustArgs,
    /// With --verify-first: the collection folder [default: the manifest's `collection`].
    #[arg(long, value_name = "DIR", requires = "verify_first")]
    root: Option<PathBuf>,
    /// With --verify-first: verify the entries of an archive file instead of a folder.
    #[arg(
        long,
        value_name = "FILE",
        requires = "verify_first",
        conflicts_with = "root"
    )]
    archive: Option<PathBuf>,
    /// No progress bar while verifying.
    #[arg(short, long)]
    quiet: bool,
}

/// Signs; with `--verify-first`, writes the signature only if the manifest verifies (printing the
/// report to standard error when it does not).
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let opts = SignOptions {
        manifest: args.manifest.clone(),
        key: SecretKeySource::from_arg(&args.key, args.passphrase.source()?)?,
        verified_first: args.verify_first,
    };
    if !args.verify_first {
        let t = &args.trust;
        if !t.trust.is_empty()
            || !t.revoked.is_empty()
            || t.threshold.is_some()
            || !t.signer.is_empty()
            || t.expect_name.is_some()
        {
            return Err(Error::Usage(
                "--trust, --revoked, --threshold, --signer and --expect-name say what --verify-first checks; add --verify-first".to_string(),
            ));
        }
        let done = sign::sign(&opts)?;
        written(report::sign::render(out, &done))?;
        return Ok(Outcome::Done);
    }
    let prepared = sign::prepare(&opts)?;
    let bar = TermProgress::new(args.quiet);
    let check = VerifyOptions {
        manifest: args.manifest.clone(),
        folder: args.root,
        archive: args.archive,
        strip_components: None,
        trust: args.trust.options(),
        require_provenance: false,
        hashing: hash_options(None, bar.is_shown()),
        paths: Vec::new(),
        history: Default::default(),
    };
    let rep = verify::verify(&check, &bar)?;
    drop(bar);
    if !rep.success {
        let mut err = io::stderr().lock();
        let _ = report::human::render(&mut err, &rep, Verbosity::Quiet);
        let _ = writeln!(
            err,
            "docseal: {}: did not verify, so it was not signed (nothing was written)",
            args.manifest.display()
        );
        return Ok(Outcome::Failed);
    }
    let done = sign::commit(prepared)?;
    written(report::sign::render(out, &done))?;
    Ok(Outcome::Done)
}
