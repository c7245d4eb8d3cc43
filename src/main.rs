//! The `docseal` binary: parses arguments, calls the library, renders the result and maps it to
//! an exit status (0 success, 1 verification failed, 2 could not run). It does no hashing, TOML
//! or cryptography itself.

mod cli;
mod progress;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use docseal::error::Error;
use docseal::report::{self, Verbosity};
use docseal::sanitize::escape;
use docseal::{keys, seal, show, verify};
use progress::TermProgress;

/// What a command ended with, before it becomes an exit status.
enum Outcome {
    /// The command did its job.
    Done,
    /// Verification ran and found problems.
    Failed,
}

/// The one place where outcomes become exit statuses.
fn exit_status(result: &Result<Outcome, Error>) -> u8 {
    match result {
        Ok(Outcome::Done) => 0,
        Ok(Outcome::Failed) => 1,
        Err(_) => 2,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = run(cli);
    if let Err(e) = &result {
        let _ = writeln!(io::stderr(), "docseal: {}", escape(&e.to_string()));
    }
    ExitCode::from(exit_status(&result))
}

fn run(cli: Cli) -> Result<Outcome, Error> {
    // Buffered: a report of 10⁶ lines is written in large blocks, not a system call per line.
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let outcome = match cli.command {
        Command::Keygen {
            name,
            secret,
            keys_dir,
            force,
        } => {
            let args = cli::keygen_args(name, secret, keys_dir, force)?;
            let made = keys::keygen(&args.name, &args.public, &args.secret, args.force)?;
            write_out(|| {
                writeln!(out, "key ID      {}", made.id)?;
                writeln!(
                    out,
                    "public key  {}  (commit this file)",
                    made.public_path.display()
                )?;
                writeln!(
                    out,
                    "secret key  {}  (mode 0600; keep it private)",
                    made.secret_path.display()
                )
            })?;
            Ok(Outcome::Done)
        }
        Command::Seal {
            dir,
            archive,
            strip_components,
            key,
            sources,
            name,
            output,
            force,
            jobs,
            quiet,
        } => {
            let bar = TermProgress::new(quiet);
            let hashing = cli::hash_options(jobs, bar.is_shown());
            let collection = cli::seal_collection(dir, archive, strip_components)?;
            let opts = cli::seal_options(collection, key, sources, name, output, force, hashing)?;
            let done = seal::seal(&opts, &bar)?;
            let mut err = io::stderr().lock();
            for s in done.skipped.iter().filter(|_| !quiet) {
                let _ = writeln!(
                    err,
                    "docseal: warning: skipped {}: {}",
                    escape(&s.path),
                    s.kind.describe()
                );
            }
            write_out(|| {
                writeln!(
                    out,
                    "sealed {} files ({} bytes) from {} into {}",
                    done.files,
                    done.bytes,
                    opts.collection.path().display(),
                    done.manifest.display()
                )?;
                if let Some(folder) = &done.stripped {
                    writeln!(
                        out,
                        "leading folder {}/ of every entry left out of the paths (--strip-components 0 keeps it)",
                        escape(folder)
                    )?;
                }
                writeln!(out, "signed by key {}; root {}", done.key_id, done.root)?;
                if done.lacking_provenance > 0 {
                    writeln!(
                        out,
                        "{} of {} files lack provenance (origin or retrieval time recorded as unknown)",
                        done.lacking_provenance, done.files
                    )?;
                }
                if !done.skipped.is_empty() {
                    writeln!(
                        out,
                        "{} entries skipped: not regular files",
                        done.skipped.len()
                    )?;
                }
                Ok(())
            })?;
            Ok(Outcome::Done)
        }
        Command::Verify {
            manifest,
            root,
            archive,
            strip_components,
            trust,
            json,
            require_provenance,
            quiet,
            jobs,
        } => {
            let bar = TermProgress::new(quiet);
            let hashing = cli::hash_options(jobs, bar.is_shown());
            let opts = cli::verify_options(
                manifest,
                root,
                archive,
                strip_components,
                trust,
                require_provenance,
                hashing,
            );
            let rep = verify::verify(&opts, &bar)?;
            write_out(|| {
                if json {
                    serde_json::to_writer_pretty(&mut out, &rep)?;
                    writeln!(out)
                } else {
                    let verbosity = if quiet {
                        Verbosity::Quiet
                    } else {
                        Verbosity::Normal
                    };
                    report::render(&mut out, &rep, verbosity)
                }
            })?;
            Ok(if rep.success {
                Outcome::Done
            } else {
                Outcome::Failed
            })
        }
        Command::Show {
            manifest,
            paths,
            json,
        } => {
            let rep = show::show(&manifest, &paths)?;
            write_out(|| {
                if json {
                    serde_json::to_writer_pretty(&mut out, &rep)?;
                    writeln!(out)
                } else {
                    show::render(&mut out, &rep)
                }
            })?;
            Ok(Outcome::Done)
        }
    };
    write_out(|| out.flush())?;
    docseal::timing::lap("report");
    if let Some(line) = docseal::timing::summary() {
        let _ = writeln!(io::stderr(), "docseal: {line}");
    }
    outcome
}

/// Runs an output step; a closed pipe (`docseal verify | head`) is not an error.
fn write_out(f: impl FnOnce() -> io::Result<()>) -> Result<(), Error> {
    match f() {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("standard output", "cannot write to", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_is_0_done_1_failed_2_error() {
        assert_eq!(exit_status(&Ok(Outcome::Done)), 0);
        assert_eq!(exit_status(&Ok(Outcome::Failed)), 1);
        assert_eq!(exit_status(&Err(Error::Usage("x".into()))), 2);
    }
}
