//! The `docseal` binary: parses the arguments, runs the command (`cli`), prints an error as one
//! line on standard error and exits with the command's status (0 success, 1 verification
//! failed, 2 could not run). It does no hashing, TOML, cryptography or formatting itself. It
//! catches SIGXFSZ, so that a write past a file-size limit (`ulimit -f`) fails with `EFBIG` and
//! is reported like any write error instead of killing the process.

mod cli;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use docseal::sanitize::escape;

fn main() -> ExitCode {
    #[cfg(unix)]
    {
        // A handler that does nothing but set a flag: the write then fails with EFBIG.
        let hit = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let _ = signal_hook::flag::register(signal_hook::consts::SIGXFSZ, hit);
    }
    let result = cli::run(cli::Cli::parse());
    if let Err(e) = &result {
        let _ = writeln!(io::stderr(), "docseal: {}", escape(&e.to_string()));
    }
    ExitCode::from(cli::exit_status(&result))
}
