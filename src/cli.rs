//! The command line: clap's raw arguments ([`Cli`], one `Args` struct per subcommand in `cli/`),
//! their conversion into the library's options, the call into the library, the presenter, and
//! the outcome that becomes an exit status. Nothing outside the binary sees clap types.

mod keygen;
mod progress;
mod seal;
mod show;
mod verify;

use std::io::{self, Write};

use clap::{Parser, Subcommand};

use docseal::error::{Error, Result};

const EXIT_STATUS: &str = "\
Exit status:
  0  success: everything verified
  1  verification failed: bad, untrusted or missing signature, or a file not ok
  2  docseal could not run: bad arguments, unreadable or malformed input, missing key";

/// Seal a collection of documents with per-file provenance in a signed manifest, and verify it.
#[derive(Debug, Parser)]
#[command(name = "docseal", version, after_help = EXIT_STATUS, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate an Ed25519 key pair: a public key in keys/NAME.pub and a secret key (mode 0600)
    /// in your config folder.
    #[command(after_help = EXIT_STATUS)]
    Keygen(keygen::Args),
    /// Hash every regular file under DIR (or every regular-file entry of an archive), attach its
    /// provenance and write a signed manifest.
    #[command(after_help = EXIT_STATUS)]
    Seal(seal::Args),
    /// Check a manifest's signature, then every file of the collection against it.
    #[command(after_help = EXIT_STATUS)]
    Verify(verify::Args),
    /// Check a manifest's signature against the trusted keys (as verify does), then print the
    /// provenance it records: its header, and each file's path, size, digest, origin URL and
    /// retrieval time.
    #[command(after_help = EXIT_STATUS)]
    Show(show::Args),
}

/// What a command ended with, before it becomes an exit status.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The command did its job.
    Done,
    /// Verification ran and found problems.
    Failed,
}

/// The one place where outcomes become exit statuses.
pub fn exit_status(result: &Result<Outcome>) -> u8 {
    match result {
        Ok(Outcome::Done) => 0,
        Ok(Outcome::Failed) => 1,
        Err(_) => 2,
    }
}

/// Runs the command, writing its result to standard output.
pub fn run(cli: Cli) -> Result<Outcome> {
    // Buffered: a report of 10⁶ lines is written in large blocks, not a system call per line.
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let outcome = match cli.command {
        Command::Keygen(args) => keygen::run(args, &mut out),
        Command::Seal(args) => seal::run(args, &mut out),
        Command::Verify(args) => verify::run(args, &mut out),
        Command::Show(args) => show::run(args, &mut out),
    };
    written(out.flush().map_err(Error::Output))?;
    docseal::timing::lap("report");
    if let Some(line) = docseal::timing::summary() {
        let _ = writeln!(io::stderr(), "docseal: {line}");
    }
    outcome
}

/// The result of a presenter; a closed pipe (`docseal verify | head`) is not an error, and the
/// verdict still counts.
fn written(result: Result<()>) -> Result<()> {
    match result {
        Err(e) if e.is_broken_pipe() => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn exit_status_is_0_done_1_failed_2_error() {
        assert_eq!(exit_status(&Ok(Outcome::Done)), 0);
        assert_eq!(exit_status(&Ok(Outcome::Failed)), 1);
        assert_eq!(exit_status(&Err(Error::Usage("x".into()))), 2);
    }
}
