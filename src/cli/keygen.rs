//! `docseal keygen`: its arguments (the passphrase options shared with every command that uses a
//! secret key), and their conversion into the library's key options.

use std::io::Write;
use std::path::PathBuf;

use docseal::error::Result;
use docseal::report;
use docseal::trust;

use super::passphrase::PassphraseArgs;
use super::{Outcome, written};

// The arguments of `keygen` (the subcommand's help text is on `Command::Keygen`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The key's name (letters, digits, '.', '_', '-').
    #[arg(long)]
    name: String,
    /// Where to write the secret key [default: ~/.config/docseal/keys/NAME.key].
    #[arg(long, value_name = "PATH")]
    secret: Option<PathBuf>,
    /// The folder for the public key, meant to be committed.
    #[arg(long, value_name = "DIR", default_value = "keys")]
    keys_dir: PathBuf,
    /// Overwrite existing key files.
    #[arg(long)]
    force: bool,
    /// Write the secret key without a passphrase (for automation; it is still mode 0600).
    #[arg(long, conflicts_with_all = ["passphrase_file", "passphrase"])]
    unencrypted: bool,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

/// Makes the key pair and says where each half went.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let passphrase = match args.unencrypted {
        true => None,
        false => Some(args.passphrase.source()?),
    };
    let opts = trust::keygen_options(
        args.name,
        args.secret,
        &args.keys_dir,
        args.force,
        passphrase,
    )?;
    let made = trust::keygen(&opts)?;
    written(report::keygen::render(out, &made))?;
    Ok(Outcome::Done)
}
