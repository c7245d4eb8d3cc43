//! The `docseal` binary: parses the arguments, runs the command (`cli`), prints an error as one
//! line on standard error and exits with the command's status (0 success, 1 verification
//! failed, 2 could not run). It does no hashing, TOML, cryptography or formatting itself.

mod cli;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use docseal::sanitize::escape;

fn main() -> ExitCode {
    let result = cli::run(cli::Cli::parse());
    if let Err(e) = &result {
        let _ = writeln!(io::stderr(), "docseal: {}", escape(&e.to_string()));
    }
    ExitCode::from(cli::exit_status(&result))
}
