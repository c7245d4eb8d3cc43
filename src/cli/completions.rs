//! `docseal completions SHELL`: the shell completion script, generated from the command-line
//! definition by `clap_complete`.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use docseal::error::{Error, Result};

use super::{Cli, Outcome, written};

// The arguments of `completions` (the subcommand's help text is on `Command::Completions`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to write the completion script for.
    shell: Shell,
}

/// Writes the completion script.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    // clap_complete panics when a write fails (a closed pipe): generate into memory first.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "docseal", &mut script);
    written(out.write_all(&script).map_err(Error::Output))?;
    Ok(Outcome::Done)
}
