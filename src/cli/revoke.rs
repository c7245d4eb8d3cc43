//! `docseal revoke KEY`: its arguments, the key found as `seal --key` finds it, and where the
//! revocation goes (`keys/NAME.revoked` unless `-o`).

use std::io::Write;
use std::path::PathBuf;

use docseal::error::Result;
use docseal::report;
use docseal::trust::{self, RevokeOptions, SecretKeySource};

use super::passphrase::PassphraseArgs;
use super::{Outcome, written};

// The arguments of `revoke` (the subcommand's help text is on `Command::Revoke`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The secret key to revoke: a file, the name of a key made by `docseal keygen`, or env:VAR
    /// (an environment variable holding the key file's text).
    #[arg(value_name = "KEY")]
    key: PathBuf,
    #[command(flatten)]
    passphrase: PassphraseArgs,
    /// Why the key is revoked (one line, recorded and signed).
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    /// Where to write the revocation [default: keys/NAME.revoked].
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Overwrite an existing revocation file.
    #[arg(long)]
    force: bool,
}

/// Writes the revocation and says where it went.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let made = trust::revoke(&RevokeOptions {
        key: SecretKeySource::from_arg(&args.key, args.passphrase.source()?)?,
        reason: args.reason,
        output: args.output,
        force: args.force,
    })?;
    written(report::revoke::render(out, &made))?;
    Ok(Outcome::Done)
}
