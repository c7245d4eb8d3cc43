//! The command line: clap's raw arguments ([`Cli`], one `Args` struct per subcommand in `cli/`),
//! their conversion into the library's options, the call into the library, the presenter, and
//! the outcome that becomes an exit status. Nothing outside the binary sees clap types.

mod audit;
mod cite;
mod completions;
mod diff;
mod export;
mod fetch;
mod identify;
mod import_warc;
mod keygen;
mod log;
mod man;
mod merge_reports;
mod passphrase;
mod passwd;
mod progress;
mod prove;
mod revoke;
mod seal;
mod show;
mod sign;
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
  docseal keygen --name archive                 keys/archive.pub, the secret key in ~/.config,
                                                encrypted with a passphrase asked twice
  docseal keygen --name ci --secret ./ci.key --unencrypted
                                                no passphrase, for automation
  docseal keygen --name ci --passphrase-file pw.txt

Environment:
  XDG_CONFIG_HOME  the secret key goes to $XDG_CONFIG_HOME/docseal/keys/NAME.key
  HOME             else to $HOME/.config/docseal/keys/NAME.key
  only the variable named by --passphrase env:VAR is read for a passphrase

Exit status:
  0  the key pair was written
  2  docseal could not run: a bad name, a key file that exists (pass --force), an unwritable
     folder, no terminal to ask on and no passphrase option, two different passphrases";

const PASSWD_HELP: &str = "\
Examples:
  docseal passwd archive                          asks the old passphrase, then the new one twice
  docseal passwd ci.key --unencrypted             remove the passphrase (the file stays 0600)
  docseal passwd ci.key --passphrase env:OLD_PW --new-passphrase-file new.txt

Environment:
  XDG_CONFIG_HOME  where a key NAME is looked up ($XDG_CONFIG_HOME/docseal/keys/NAME.key, else
                   $HOME/.config/docseal/keys/NAME.key)
  only the variables named by --passphrase env:VAR and --new-passphrase env:VAR are read

Exit status:
  0  the key file was rewritten (atomically, mode 0600)
  2  docseal could not run: wrong passphrase, a missing or damaged key file, no terminal to ask
     on and no passphrase option, two different new passphrases";

const SIGN_HELP: &str = "\
Examples:
  docseal sign manifests/col.toml --key auditor
  docseal sign manifests/col.toml --key auditor --verify-first --trust keys/archive.pub
  DOCSEAL_KEY=\"$(cat ci.key)\" docseal sign manifests/col.toml --key env:DOCSEAL_KEY

Environment:
  XDG_CONFIG_HOME  where --key NAME is looked up ($XDG_CONFIG_HOME/docseal/keys/NAME.key, else
                   $HOME/.config/docseal/keys/NAME.key)
  only the variables named by --key env:VAR and --passphrase env:VAR are read

Exit status:
  0  a signature was added (the signed body is unchanged)
  1  with --verify-first: the manifest did not verify, and nothing was written
  2  docseal could not run: a manifest that does not parse, a key that already signed it, wrong
     passphrase, a missing or damaged key";

const REVOKE_HELP: &str = "\
Examples:
  docseal revoke archive --reason \"laptop stolen\"     keys/archive.revoked, signed by the key
  docseal revoke ./ci.key -o keys/ci.revoked

Environment:
  XDG_CONFIG_HOME  where KEY (a name) is looked up ($XDG_CONFIG_HOME/docseal/keys/NAME.key, else
                   $HOME/.config/docseal/keys/NAME.key)
  only the variable named by --passphrase env:VAR is read for the key's passphrase

Exit status:
  0  the revocation was written
  2  docseal could not run: a missing or unreadable key, wrong passphrase, a revocation that
     exists (pass --force)";

const SEAL_HELP: &str = "\
Examples:
  docseal seal collection/ --key archive --sources sources.toml
  docseal seal collection/ --key archive        no sources: every file's origin and time unknown
  docseal seal --archive batch-7.tar.gz --key archive -o manifests/batch-7.toml
  docseal seal collection/ --key env:DOCSEAL_KEY --passphrase env:DOCSEAL_PASSPHRASE    in CI
  docseal seal collection/ --key archive --previous manifests/c.1.toml -o manifests/c.2.toml
                                                the next manifest of the chain, provenance kept
  docseal seal collection/ --key archive --expires 90d

Environment:
  XDG_CONFIG_HOME  where --key NAME is looked up ($XDG_CONFIG_HOME/docseal/keys/NAME.key, else
                   $HOME/.config/docseal/keys/NAME.key)
  DOCSEAL_TIMINGS  if set, how long each phase took, on standard error
  only the variables named by --key env:VAR and --passphrase env:VAR are read for the key

Exit status:
  0  the manifest was written
  2  docseal could not run: bad arguments, unreadable or malformed input, missing key, wrong
     passphrase, a file that does not match --digests, a manifest that exists (pass --force), a
     --previous manifest that does not verify, recorded provenance that would be dropped (pass
     --drop-provenance)";

const FETCH_HELP: &str = "\
Examples:
  docseal fetch https://example.org/report.pdf --into seeds     provenance in sources/seeds.toml
  docseal fetch --from-file urls.txt --into seeds --max-size 50M
  docseal seal seeds --key archive --sources sources/seeds.toml  then seal what was captured

Environment:
  HTTPS_PROXY, HTTP_PROXY, ALL_PROXY (or in lower case)
                   the proxy to fetch through, read as curl reads them
  NO_PROXY         the hosts (comma-separated) reached without the proxy

Exit status:
  0  every URL was stored, or skipped as captured before
  1  some URL failed (a line on standard error says why); the others were stored
  2  docseal could not run: bad arguments, a bad URL list or --ca-cert file, an unreadable
     sources list, a folder or sources list that cannot be written";

const IMPORT_WARC_HELP: &str = "\
Examples:
  wget --warc-file=crawl https://example.org/report.pdf        writes crawl.warc.gz
  docseal import-warc crawl.warc.gz --into seeds               provenance in sources/seeds.toml
  docseal import-warc old.warc --into seeds --include-errors   4xx/5xx responses too
  docseal seal seeds --key archive --sources sources/seeds.toml  then seal what was imported

Environment:
  none: import-warc reads no environment variable and makes no network connection

Exit status:
  0  every response and resource record was stored, or skipped (request, metadata, warcinfo,
     revisit, a 4xx/5xx response, a record imported before)
  1  some record was refused (a line on standard error names the file, the record's offset and
     why: a digest that does not match, a truncated record or gzip member); the others were stored
  2  docseal could not run: bad arguments, a file that cannot be read or is not a WARC file, an
     unreadable sources list, a folder or sources list that cannot be written";

const VERIFY_HELP: &str = "\
Examples:
  docseal verify manifests/collection.toml
  docseal verify manifests/collection.toml --signer archive --expect-name collection
  docseal verify manifests/collection.toml --threshold 2      two distinct trusted keys must sign
  docseal verify manifests/collection.toml --trust keys/archive.pub --format junit -o report.xml
  docseal verify manifests/collection.toml --archive collection.tgz --quiet
  docseal verify manifests/collection.toml report-2020.pdf     only that file, signature first
  docseal verify manifests/collection.toml --state ~/.local/state/docseal.toml   catch rollback
  docseal verify manifests/collection.toml --shard auto/16 --output shard.json   see merge-reports

Environment:
  JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID
                       with --shard auto/N, the shard index (Kubernetes, else Slurm)
  GITHUB_STEP_SUMMARY  with --format github, the file a table of every problem is appended to
  DOCSEAL_TIMINGS      if set, how long each phase took, on standard error
  NO_COLOR             docseal writes no colour whatever it is set to; the progress bar is drawn
                       only when standard error is a terminal

Exit status:
  0  success: everything verified
  1  verification failed: bad, untrusted, revoked or missing signature, signatures that do not
     meet --threshold, --signer or --expect-name, a file not ok, an expired manifest, a rollback
     or two manifests for one sequence number (--state, --since)
  2  docseal could not run: bad arguments, unreadable or malformed input (a --state file too),
     missing key, a --signer that is not among the trusted keys, a --since manifest that does
     not verify";

const MERGE_REPORTS_HELP: &str = "\
Examples:
  docseal verify m.toml --shard 0/2 --output s0.json
  docseal verify m.toml --shard 1/2 --output s1.json
  docseal verify m.toml --extras-only --output extras.json
  docseal merge-reports s0.json s1.json extras.json --format json
  docseal merge-reports shards/*.json --manifest m.toml --format junit -o report.xml

Exit status:
  0  success: every entry of every shard verified, nothing extra
  1  verification failed, as verify would say for the whole collection
  2  docseal could not run: a shard missing or given twice, no extras report or two, reports of
     another manifest or whose ranges do not tile the entries, a report malformed or changed
     (counts, subtree hashes), unreadable input";

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
  1  shown below a warning: the signature is bad, untrusted, revoked or missing, or does not
     meet --threshold, --signer or --expect-name
  2  docseal could not run: bad arguments, unreadable or malformed input, a file not in it";

const CITE_HELP: &str = "\
Examples:
  docseal cite manifests/seeds.toml 000_80e66ab45e92db63.txt
  docseal cite manifests/seeds.toml 000_80e66ab45e92db63.txt --format biblatex >> refs.bib

Exit status:
  0  written
  1  nothing written: the manifest's signature is bad, untrusted, revoked or missing, or does
     not meet --threshold, --signer or --expect-name
  2  docseal could not run: bad arguments, unreadable or malformed input, a file not in it";

const EXPORT_HELP: &str = "\
Examples:
  docseal export sha256sum manifests/seeds.toml -o seeds.sha256
  docseal export bagit manifests/seeds.toml -o seeds-bag

Exit status:
  0  written
  1  nothing written: the manifest's signature is bad, untrusted, revoked or missing, or does
     not meet --threshold, --signer or --expect-name
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
  docseal audit refs.bib -m manifests/web.toml --archive web.tar.gz    check the sealed copies in it

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
retrieval time (and what its capture recorded: the HTTP facts, the WARC record), its place in the
manifest's Merkle tree and the manifest's signed checkpoint: a few KiB that show the file belongs
to the signed collection, checked with docseal verify-proof without the rest of the collection.
Only a validly signed manifest of format version 2 or later (one with a checkpoint) is proven.

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
What the proof says of the file is printed only once all of that verified. --threshold,
--signer and --expect-name require of the checkpoint's signers what they require of a
manifest's; a revoked key vouches for no checkpoint.

Examples:
  docseal verify-proof 000.tlog-proof --trust keys/archive.pub
  docseal verify-proof 000.tlog-proof --file ~/Downloads/000.txt --json
  docseal verify-proof 000.tlog-proof --trust keys --threshold 2   two distinct keys must sign

Environment:
  NO_COLOR  docseal writes no colour whatever it is set to; nothing else is read: the check is
            offline, against the proof, the trusted keys and the file alone

Exit status:
  0  the proof verified (and the file is the sealed one)
  1  a check failed: signature, leaf data, audit path, or the file; the signatures do not meet
     --threshold, --signer or --expect-name
  2  docseal could not run: bad arguments, an unreadable or malformed proof, no trusted keys, a
     --signer that is not among the trusted keys, a --threshold above their number";

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
    /// Generate an Ed25519 key pair: a public key in keys/NAME.pub and a secret key (mode 0600,
    /// encrypted with a passphrase unless --unencrypted) in your config folder.
    #[command(after_help = KEYGEN_HELP)]
    Keygen(keygen::Args),
    /// Write a revocation of a key, signed by the key itself, to keys/NAME.revoked: once it is
    /// among the trusted keys, verify rejects every signature by that key.
    #[command(after_help = REVOKE_HELP)]
    Revoke(revoke::Args),
    /// Hash every regular file under DIR (or every regular-file entry of an archive), attach its
    /// provenance and write a signed manifest.
    #[command(after_help = SEAL_HELP)]
    Seal(seal::Args),
    /// Retrieve each URL over HTTP(S) and store the exact bytes received under a content-addressed
    /// name (NNN_<16 hex digits of the SHA-256>.EXT) in DIR, recording the provenance (URL,
    /// redirects, time, status, headers, size, SHA-256) in the folder's sources list.
    #[command(after_help = FETCH_HELP)]
    Fetch(fetch::Args),
    /// Store the payload of each response and resource record of WARC files (as wget --warc-file
    /// writes them) under a content-addressed name in DIR, recording its provenance (target URI,
    /// WARC-Date, status, headers, the WARC file and record ID, the digests checked) in the
    /// folder's sources list.
    #[command(after_help = IMPORT_WARC_HELP)]
    ImportWarc(import_warc::Args),
    /// Check a manifest's signature, then every file of the collection against it.
    #[command(after_help = VERIFY_HELP)]
    Verify(verify::Args),
    /// Merge the reports of a sharded verification (verify --shard I/N and --extras-only) into
    /// the one report an unsharded verify gives, after checking that every entry was verified
    /// exactly once, by shards of one manifest.
    #[command(after_help = MERGE_REPORTS_HELP)]
    MergeReports(merge_reports::Args),
    /// Add a signature to a sealed manifest (a co-signer's, an auditor's) without changing one
    /// signed byte: one more [[signature]] table, written atomically.
    #[command(after_help = SIGN_HELP)]
    Sign(sign::Args),
    /// Change, add or remove (--unencrypted) the passphrase of a secret key file, in place and
    /// atomically.
    #[command(after_help = PASSWD_HELP)]
    Passwd(passwd::Args),
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
        Command::Revoke(args) => revoke::run(args, &mut out),
        Command::Seal(args) => seal::run(args, &mut out),
        Command::Fetch(args) => fetch::run(args, &mut out),
        Command::ImportWarc(args) => import_warc::run(args, &mut out),
        Command::Verify(args) => verify::run(args, &mut out),
        Command::MergeReports(args) => merge_reports::run(args, &mut out),
        Command::Sign(args) => sign::run(args, &mut out),
        Command::Passwd(args) => passwd::run(args, &mut out),
        Command::Show(args) => show::run(args, &mut out),
        Command::Log(args) => log::run(args, &mut out),
        Command::Diff(args) => diff::run(args, &mut out),
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

/// The options of every command that checks a signature (`verify`, `show`, `cite`, `export`):
/// which keys are trusted, which revocations apply, and what is required of the signers.
#[derive(Debug, clap::Args)]
struct TrustArgs {
    /// A trusted public key file, or a folder of .pub files; repeatable [default: ./keys]. The
    /// folder's *.revoked files, or the NAME.revoked beside a NAME.pub, are applied too.
    #[arg(long, value_name = "KEY_OR_DIR")]
    trust: Vec<std::path::PathBuf>,
    /// A revocation made by `docseal revoke` to apply besides those found beside the trusted
    /// keys; repeatable.
    #[arg(long, value_name = "FILE")]
    revoked: Vec<std::path::PathBuf>,
    /// Require valid signatures by at least N distinct trusted keys [default: 1].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threshold: Option<u16>,
    /// Require a valid signature by this trusted key: its key ID, or the name in its .pub file;
    /// repeatable. Pin the signer in CI, where a change can add a key to ./keys.
    #[arg(long, value_name = "KEY_ID_OR_NAME")]
    signer: Vec<String>,
    /// Require the manifest to be for the collection named NAME (its `name`).
    #[arg(long, value_name = "NAME")]
    expect_name: Option<String>,
}

/// `path` if there is a file there (the sources list a capture run wrote, or found).
fn if_exists(path: &std::path::Path) -> Option<&std::path::Path> {
    std::fs::symlink_metadata(path).is_ok().then_some(path)
}

/// The trusted key files and folders given, or `./keys` when none is.
fn keys_or_default(trust: Vec<std::path::PathBuf>) -> Vec<std::path::PathBuf> {
    match trust.is_empty() {
        true => vec![std::path::PathBuf::from("keys")],
        false => trust,
    }
}

impl TrustArgs {
    /// The library's options: trust `./keys` when no `--trust` is given.
    fn options(self) -> docseal::trust::TrustOptions {
        docseal::trust::TrustOptions {
            keys: keys_or_default(self.trust),
            revoked: self.revoked,
            policy: docseal::trust::Policy {
                threshold: self.threshold.map_or(1, usize::from),
                signers: self.signer,
                expect_name: self.expect_name,
            },
        }
    }
}

/// Writes the warnings of a signature check (revocations that were ignored) on standard error.
fn warn_about(signature: &docseal::trust::signature::SignatureReport) {
    let _ = docseal::report::human::render_warnings(&mut io::stderr().lock(), signature);
}

/// Hashing options from `--jobs` and whether a progress bar is drawn (`seal` and `verify`).
fn hash_options(jobs: Option<u16>, progress_shown: bool) -> HashOptions {
    HashOptions {
        jobs: jobs.map_or_else(default_jobs, usize::from),
        jobs_chosen: jobs.is_some(),
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
