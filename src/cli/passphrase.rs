//! The passphrase options of every command that reads or writes a secret key
//! (`--passphrase-file FILE`, `--passphrase env:VAR`, and for `passwd` their `--new-` twins), and
//! the terminal prompt behind them when neither is given: read without echo (`rpassword`, on the
//! controlling terminal), and only when standard input is a terminal — in a pipe, a cron job or CI
//! docseal says at once how to give the passphrase instead of waiting for an answer.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use zeroize::Zeroizing;

use docseal::error::{Error, Result, describe_io};
use docseal::trust::{Ask, PassphraseSource};

/// Where the passphrase of a secret key comes from.
#[derive(Debug, clap::Args)]
pub struct PassphraseArgs {
    /// Read the passphrase from FILE: its whole contents but one trailing newline [default: ask
    /// on the terminal].
    #[arg(long, value_name = "FILE", conflicts_with = "passphrase")]
    passphrase_file: Option<PathBuf>,
    /// Read the passphrase from the environment variable VAR, written env:VAR (a passphrase is
    /// never taken from the command line itself, nor from a variable not named here).
    #[arg(long, value_name = "env:VAR")]
    passphrase: Option<String>,
}

impl PassphraseArgs {
    /// The source these options name: a file, a variable, else the terminal.
    pub fn source(self) -> Result<PassphraseSource> {
        source("--passphrase", self.passphrase_file, self.passphrase)
    }
}

/// Where `passwd`'s new passphrase comes from, or that there is none.
#[derive(Debug, clap::Args)]
pub struct NewPassphraseArgs {
    /// Read the new passphrase from FILE: its whole contents but one trailing newline [default:
    /// ask twice on the terminal].
    #[arg(long, value_name = "FILE", conflicts_with_all = ["new_passphrase", "unencrypted"])]
    new_passphrase_file: Option<PathBuf>,
    /// Read the new passphrase from the environment variable VAR, written env:VAR.
    #[arg(long, value_name = "env:VAR", conflicts_with = "unencrypted")]
    new_passphrase: Option<String>,
    /// Remove the passphrase: write the key unencrypted (for automation; the file stays 0600).
    #[arg(long)]
    unencrypted: bool,
}

impl NewPassphraseArgs {
    /// The new passphrase's source, or `None` for `--unencrypted`.
    pub fn source(self) -> Result<Option<PassphraseSource>> {
        if self.unencrypted {
            return Ok(None);
        }
        source(
            "--new-passphrase",
            self.new_passphrase_file,
            self.new_passphrase,
        )
        .map(Some)
    }
}

fn source(flag: &str, file: Option<PathBuf>, env: Option<String>) -> Result<PassphraseSource> {
    match (file, env) {
        (Some(path), _) => Ok(PassphraseSource::File(path)),
        (None, Some(value)) => PassphraseSource::from_env_arg(flag, &value),
        (None, None) => Ok(PassphraseSource::Ask(Arc::new(Terminal))),
    }
}

/// Asks on the terminal, without echo.
struct Terminal;

impl Ask for Terminal {
    fn ask(&self, what: &str, new: bool) -> Result<Zeroizing<String>> {
        if !std::io::stdin().is_terminal() {
            return Err(Error::Usage(format!(
                "the passphrase of {what} is needed and standard input is not a terminal to ask on; pass {}",
                if new {
                    "--passphrase-file FILE or --passphrase env:VAR (or --unencrypted for a key without a passphrase)"
                } else {
                    "--passphrase-file FILE or --passphrase env:VAR"
                }
            )));
        }
        if !new {
            return read(&format!("Passphrase for {what}: "));
        }
        let first = read(&format!("New passphrase for {what}: "))?;
        let again = read("The same passphrase again: ")?;
        if *first != *again {
            return Err(Error::Usage(
                "the two passphrases differ; nothing was written, run the command again"
                    .to_string(),
            ));
        }
        Ok(first)
    }
}

fn read(prompt: &str) -> Result<Zeroizing<String>> {
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| {
            Error::Usage(format!(
                "cannot read the passphrase from the terminal: {}; pass --passphrase-file FILE or --passphrase env:VAR",
                describe_io(&e)
            ))
        })
}
