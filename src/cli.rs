//! The command line: clap's raw arguments ([`Cli`], one `Args` struct per subcommand in `cli/`),
//! their conversion into the library's options, the call into the library, the presenter, and
//! the outcome that becomes an exit status. Nothing outside the binary sees clap types.

mod audit;
mod cite;
mod completions;
mod export;
mod identify;
mod keygen;
mod man;
mod progress;
mod prove;
mod seal;
mod show;
mod validate_bag;
mod verify;
mod verify_proof;

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

Environment:
  XDG_CONFIG_HOME  where --key NAME is looked up ($XDG_CONFIG_HOME/docseal/keys/NAME.key, else
                   $HOME/.config/docseal/keys/NAME.key)
  DOCSEAL_TIMINGS  if set, how long each phase took, on standard error

Exit status:
  0  the manifest was written
  2  docseal could not run: bad arguments, unreadable or malformed input, missing key, a file that
     does not match --digests, a manifest that exists (pass --force)";

const VERIFY_HELP: &str = "\
Examples:
  docseal verify manifests/collection.toml
  docseal verify manifests/collection.toml --trust keys/archive.pub --format junit -o report.xml
  docseal verify manifests/collection.toml --archive collection.tgz --quiet

Environment:
  GITHUB_STEP_SUMMARY  with --format github, the file a table of every problem is appended to
  DOCSEAL_TIMINGS      if set, how long each phase took, on standard error
  NO_COLOR             docseal writes no colour whatever it is set to; the progress bar is drawn
                       only when standard error is a terminal

Exit status:
  0  success: everything verified
  1  verification failed: bad, untrusted or missing signature, or a file not ok
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
A bag written by `docseal export bagit` carries the docseal manifest as the tag file
docseal-manifest.toml: validate-bag then also verifies it, as `docseal verify` would, against the
bag's data/ folder — its signature against the trusted keys first, then every payload file.

Examples:
  docseal validate-bag seeds-bag
  docseal validate-bag seeds-bag --trust keys/archive.pub --json
  docseal validate-bag other-bag --bagit-only

Exit status:
  0  the bag is valid, and its docseal manifest (if any) verified (warnings may have been printed)
  1  the bag is not valid, or its docseal manifest did not verify
  2  docseal could not run: the bag's folder cannot be read, no trusted keys were found, or its
     docseal manifest cannot be read";

const AUDIT_HELP: &str = "\
References are read from BibTeX/BibLaTeX (url, urldate; also howpublished = {\\url{...}} and
note = {Accessed: ...}), CSL-JSON (URL, accessed) or a list of URLs. A cited URL matches a sealed
origin ignoring http/https, host case, the default port, a trailing slash and the fragment. A copy
retrieved within one day of the cited day counts as that day (dates are written in time zones).
Only manifests whose signature is valid under the trusted keys are used.

Examples:
  docseal audit thesis.bib --manifest manifests/sources.toml
  docseal audit refs.json --manifest a.toml --manifest b.toml --check-files --json
  docseal audit urls.txt --manifest manifests/seeds.toml --root seeds

Exit status:
  0  every reference has an intact sealed copy retrieved on the cited day
  1  a reference has no such copy, an entry is malformed, or a manifest's signature is not valid
  2  docseal could not run: the bibliography or a manifest cannot be read, no trusted keys";

const IDENTIFY_HELP: &str = "\
Examples:
  docseal identify ~/Downloads/report.pdf --manifest manifests/sources.toml
  curl -s https://example.org/a | docseal identify /dev/stdin -m manifests/web.toml --json

Exit status:
  0  every document was found sealed in a validly signed manifest
  1  a document was not found, or a manifest's signature is not valid
  2  docseal could not run: a document or manifest cannot be read, no trusted keys";

const PROVE_HELP: &str = "\
A proof (c2sp.org/tlog-proof@v1) carries the file's sealed path, size, SHA-256, origin and
retrieval time, its place in the manifest's Merkle tree and the manifest's signed checkpoint: a
few KiB that show the file belongs to the signed collection, checked with docseal verify-proof
without the rest of the collection. Only a validly signed format version 2 manifest is proven.

Examples:
  docseal prove manifests/seeds.toml 000_80e66ab45e92db63.txt -o 000.tlog-proof
  docseal prove manifests/seeds.toml a.txt sub/c.txt --into proofs/    proofs/sub/c.txt.tlog-proof

Environment:
  NO_COLOR  docseal writes no colour whatever it is set to; no other variable changes what prove does

Exit status:
  0  every proof was written
  1  nothing written: the manifest's signature is bad, untrusted or missing
  2  docseal could not run: bad arguments, unreadable or malformed input, a path not in the
     manifest, a version 1 manifest, a proof file that exists (pass --force)";

const VERIFY_PROOF_HELP: &str = "\
Checks offline that the checkpoint is signed by a trusted key, that the audit path leads from
the file's leaf data to the checkpoint's root, and with --file that the file is the sealed one.
What the proof says of the file is printed only once all of that verified.

Examples:
  docseal verify-proof 000.tlog-proof --trust keys/archive.pub
  docseal verify-proof 000.tlog-proof --file ~/Downloads/000.txt --json

Environment:
  NO_COLOR  docseal writes no colour whatever it is set to; nothing else is read: the check is
            offline, against the proof, the trusted keys and the file alone

Exit status:
  0  the proof verified (and the file is the sealed one)
  1  a check failed: signature, leaf data, audit path, or the file
  2  docseal could not run: bad arguments, an unreadable or malformed proof, no trusted keys";

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
    /// Print a citation of one sealed file that carries its SHA-256: text, BibTeX, BibLaTeX,
    /// CSL-JSON or a Robust Link in HTML, from a validly signed manifest only.
    #[command(after_help = CITE_HELP)]
    Cite(cite::Args),
    /// Check a bibliography's web references against sealed manifests: for each cited URL, a
    /// sealed copy retrieved on the day it was cited as accessed, and (with --check-files) still
    /// intact.
    #[command(after_help = AUDIT_HELP)]
    Audit(audit::Args),
    /// Say which sealed entry holds the content of a loose document (same size and SHA-256) in
    /// validly signed manifests, with its recorded provenance, or that none does.
    #[command(after_help = IDENTIFY_HELP)]
    Identify(identify::Args),
    /// Write an inclusion proof of sealed files (c2sp.org/tlog-proof@v1): a few KiB that show,
    /// without the rest of the collection, that a file belongs to a validly signed manifest.
    #[command(after_help = PROVE_HELP)]
    Prove(prove::Args),
    /// Check an inclusion proof offline: the checkpoint's signature by a trusted key, the audit
    /// path to its root, the leaf data, and (with --file) the file itself.
    #[command(after_help = VERIFY_PROOF_HELP)]
    VerifyProof(verify_proof::Args),
    /// Write a validly signed manifest's entries in another tool's format.
    #[command(subcommand, after_help = EXPORT_HELP)]
    Export(export::Format),
    /// Check a BagIt bag (RFC 8493): its declaration, every payload and tag manifest, every
    /// checksum and the Payload-Oxum; and verify the docseal manifest it carries, if any.
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
        Command::Cite(args) => cite::run(args, &mut out),
        Command::Export(format) => export::run(format, &mut out),
        Command::ValidateBag(args) => validate_bag::run(args, &mut out),
        Command::Audit(args) => audit::run(args, &mut out),
        Command::Identify(args) => identify::run(args, &mut out),
        Command::Prove(args) => prove::run(args, &mut out),
        Command::VerifyProof(args) => verify_proof::run(args, &mut out),
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
