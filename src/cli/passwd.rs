//! `docseal passwd`: its arguments (the old passphrase's options, the new one's, or
//! `--unencrypted`), and their conversion into [`PasswdOptions`].

use std::io::Write;
use std::path::PathBuf;

use docseal::error::{Error, Result};
use docseal::report;
use docseal::trust::{self, PasswdOptions, SecretKey};

use super::passphrase::{NewPassphraseArgs, PassphraseArgs};
use super::{Outcome, written};

// The arguments of `passwd` (the subcommand's help text is on `Command::Passwd`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The secret key file, or the name of a key made by `docseal keygen`.
    key: PathBuf,
    #[command(flatten)]
    old: PassphraseArgs,
    #[command(flatten)]
    new: NewPassphraseArgs,
}

/// Rewrites the key file and says what it is now.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    if args.key.to_str().is_some_and(|k| k.starts_with("env:")) {
        return Err(Error::Usage(
            "passwd rewrites a key file, and env:VAR is not one; decrypt or encrypt the file it came from".to_string(),
        ));
    }
    let opts = PasswdOptions {
        path: SecretKey::locate(&args.key)?,
        old: args.old.source()?,
        new: args.new.source()?,
    };
    let done = trust::change_passphrase(&opts)?;
    written(report::keygen::render_passwd(out, &done))?;
    Ok(Outcome::Done)
}
