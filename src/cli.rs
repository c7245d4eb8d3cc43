//! The command line: clap's raw arguments ([`Cli`], one `Args` struct per subcommand in `cli/`),
//! their conversion into the library's options, the call into the library, the presenter, and
//! the outcome that becomes an exit status. Nothing outside the binary sees clap types.

mod cite;
mod completions;
mod diff;
mod export;
mod keygen;
mod log;
mod man;
mod progress;
mod seal;
mod show;
mod validate_bag;
mod verify;

use std::io::{self, Write};

use clap::{Parser, Subcommand};

use docseal::collection::{HashOptions, default_jobs};
use docseal::error::{Error, Result};

const EXIT_STATUS: &str = "\
Exit status:
  0  success: everything verified
  1  verification failed: bad, untrusted or missing signature, or a file not ok
  2  docseal could not run: bad arguments, unreadable or malformed input, missing key";

const KEYGEN_HELP: &str = "\
Examples:
  docseal keygen --name archive                 keys/archive.pub and the secret key in ~/.config
  docseal keygen --name ci --secret ./ci.key    the secret key at a path of your choice

Environment:
  XDG_CONFIG_HOME  the secret key goes to $XDG_CONFIG_HOME/docseal/keys/NAME.key
  HOME             else to $HOME/.config/docseal/keys/NAME.key

Exit status:
  0  the key pair was written
  2  docseal could not run: a bad name, a key file that exists (pass --force), an unwritable folder";

const SEAL_HELP: &str = "\
Examples:
  docseal seal collection/ --key archive --sources sources.toml
  docseal seal collection/ --key archive        no sources: every file's origin and time unknown
  docseal seal --archive batch-7.tar.gz --key archive -o manifests/batch-7.toml
  docseal seal collection/ --key archive --previous manifests/c.1.toml -o manifests/c.2.toml
                                                the next manifest of the chain, provenance kept
  docseal seal collection/ --key archive --expires 90d

Environment:
  XDG_CONFIG_HOME  where --key NAME is looked up ($XDG_CONFIG_HOME/docseal/keys/NAME.key, else
                   $HOME/.config/docseal/keys/NAME.key)
  DOCSEAL_TIMINGS  if set, how long each phase took, on standard error

Exit status:
  0  the manifest was written
  2  docseal could not run: bad arguments, unreadable or malformed input, missing key, a file that
     does not match --digests, a manifest that exists (pass --force), a --previous manifest that
     does not verify, recorded provenance that would be dropped (pass --drop-provenance)";

const VERIFY_HELP: &str = "\
Examples:
  docseal verify manifests/collection.toml
  docseal verify manifests/collection.toml --trust keys/archive.pub --format junit -o report.xml
  docseal verify manifests/collection.toml --archive collection.tgz --quiet
  docseal verify manifests/collection.toml --state ~/.local/state/docseal.toml   catch rollback

Environment:
  GITHUB_STEP_SUMMARY  with --format github, the file a table of every problem is appended to
  DOCSEAL_TIMINGS      if set, how long each phase took, on standard error
  NO_COLOR             docseal writes no colour whatever it is set to; the progress bar is drawn
                       only when standard error is a terminal

Exit status:
  0  success: everything verified
  1  verification failed: bad, untrusted or missing signature, a file not ok, an expired manifest,
     a rollback or two manifests for one sequence number (--state, --since)
  2  docseal could not run: bad arguments, unreadable or malformed input (a --state file too),
     missing key, a --since manifest that does not verify";

const LOG_HELP: &str = "\
Examples:
  docseal log manifests/seeds.*.toml
  docseal log manifests/seeds.1.toml manifests/seeds.2.toml --json

Exit status:
  0  every signature is valid and every link of the chain holds
  1  a signature is not valid, or the chain has a broken link, a gap, two manifests for one
     sequence number or a manifest of another collection
  2  docseal could not run: bad arguments, unreadable or malformed input, missing key";

const DIFF_HELP: &str = "\
Examples:
  docseal diff manifests/seeds.1.toml manifests/seeds.2.toml
  docseal diff manifests/seeds.1.toml manifests/seeds.2.toml --json

Exit status:
  0  compared (whatever changed)
  1  nothing compared: a manifest's signature is bad, untrusted or missing
  2  docseal could not run: bad arguments, unreadable or malformed input, missing key";

const SHOW_HELP: &str = "\
Examples:
  docseal show manifests/seeds.toml
  docseal show manifests/seeds.toml 004_ab707ea270bec5cc.txt --json
  docseal show --no-verify manifests/other.toml    a manifest whose keys you do not have

Exit status:
  0  shown: the signature is valid (or --no-verify was given, and the output says so)
  1  shown below a warning: the signature is bad, untrusted or missing
  2  docseal could not run: bad arguments, unreadable or malformed input, a file not in it";

const CITE_HELP: &str = "\
Examples:
  docseal cite manifests/seeds.toml 000_80e66ab45e92db63.txt
  docseal cite manifests/seeds.toml 000_80e66ab45e92db63.txt --format biblatex >> refs.bib

Exit status:
  0  written
  1  nothing written: the manifest's signature is bad, untrusted or missing
  2  docseal could not run: bad arguments, unreadable or malformed input, a file not in it";

const EXPORT_HELP: &str = "\
Examples:
  docseal export sha256sum manifests/seeds.toml -o seeds.sha256
  docseal export bagit manifests/seeds.toml -o seeds-bag

Exit status:
  0  written
  1  nothing written: the manifest's signature is bad, untrusted or missing
  2  docseal could not run: bad arguments, unreadable or malformed input, a collection file that
     does not match the manifest";

const VALIDATE_BAG_HELP: &str = "\
Examples:
  docseal validate-bag seeds-bag
  docseal validate-bag seeds-bag --json

Exit status:
  0  the bag is valid (warnings may have been printed)
  1  the bag is not valid
  2  docseal could not run: the bag's folder cannot be read";

const COMPLETIONS_HELP: &str = "\
Examples:
  docseal completions bash > ~/.local/share/bash-completion/completions/docseal
  docseal completions zsh > ~/.zfunc/_docseal

Exit status:
  0  written
  2  docseal could not run: bad arguments";

const MAN_HELP: &str = "\
Examples:
  docseal man | man -l -
  docseal man seal > docseal-seal.1

Exit status:
  0  written
  2  docseal could not run: bad arguments, a subcommand that does not exist";

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
    #[command(after_help = KEYGEN_HELP)]
    Keygen(keygen::Args),
    /// Hash every regular file under DIR (or every regular-file entry of an archive), attach its
    /// provenance and write a signed manifest.
    #[command(after_help = SEAL_HELP)]
    Seal(seal::Args),
    /// Check a manifest's signature, then every file of the collection against it.
    #[command(after_help = VERIFY_HELP)]
    Verify(verify::Args),
    /// Check a manifest's signature against the trusted keys (as verify does), then print the
    /// provenance it records: its header, and each file's path, size, digest, origin URL and
    /// retrieval time.
    #[command(after_help = SHOW_HELP)]
    Show(show::Args),
    /// Show a chain of manifests in sequence order (sequence, created, expires, signers, files,
    /// root) and check its links: each manifest's `previous` is the digest of the one before.
    #[command(after_help = LOG_HELP)]
    Log(log::Args),
    /// List the files added, removed, changed, moved and whose provenance changed between two
    /// validly signed manifests.
    #[command(after_help = DIFF_HELP)]
    Diff(diff::Args),
    /// Print a citation of one sealed file that carries its SHA-256: text, BibTeX, BibLaTeX,
    /// CSL-JSON or a Robust Link in HTML, from a validly signed manifest only.
    #[command(after_help = CITE_HELP)]
    Cite(cite::Args),
    /// Write a validly signed manifest's entries in another tool's format.
    #[command(subcommand, after_help = EXPORT_HELP)]
    Export(export::Format),
    /// Check a BagIt bag (RFC 8493): its declaration, every payload and tag manifest, every
    /// checksum and the Payload-Oxum.
    #[command(after_help = VALIDATE_BAG_HELP)]
    ValidateBag(validate_bag::Args),
    /// Print the shell completion script for bash, zsh, fish, elvish or PowerShell.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(completions::Args),
    /// Print the manual page of docseal or of one of its subcommands (roff: `| man -l -`).
    #[command(after_help = MAN_HELP)]
    Man(man::Args),
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
        Command::Log(args) => log::run(args, &mut out),
        Command::Diff(args) => diff::run(args, &mut out),
        Command::Cite(args) => cite::run(args, &mut out),
        Command::Export(format) => export::run(format, &mut out),
        Command::ValidateBag(args) => validate_bag::run(args, &mut out),
        Command::Completions(args) => completions::run(args, &mut out),
        Command::Man(args) => man::run(args, &mut out),
    };
    written(out.flush().map_err(Error::Output))?;
    docseal::timing::lap("report");
    if let Some(line) = docseal::timing::summary() {
        let _ = writeln!(io::stderr(), "docseal: {line}");
    }
    outcome
}

/// The trusted keys: those given with `--trust`, else the folder `./keys`.
fn trusted_or_default(trust: Vec<std::path::PathBuf>) -> Vec<std::path::PathBuf> {
    if trust.is_empty() {
        vec![std::path::PathBuf::from("keys")]
    } else {
        trust
    }
}

/// Hashing options from `--jobs` and whether a progress bar is drawn (`seal` and `verify`).
fn hash_options(jobs: Option<u16>, progress_shown: bool) -> HashOptions {
    HashOptions {
        jobs: jobs.map_or_else(default_jobs, usize::from),
        sizes_up_front: progress_shown,
    }
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
