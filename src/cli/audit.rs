//! `docseal audit REFERENCES --manifest MANIFEST...`: its arguments and the presenter.

use std::io::Write;
use std::path::PathBuf;

use docseal::audit::citations::AuditOptions;
use docseal::audit_files::{self, FileCheck};
use docseal::error::Result;
use docseal::report;

use super::{Outcome, written};

// The arguments of `audit` (the subcommand's help text is on `Command::Audit`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The bibliography: BibTeX or BibLaTeX, CSL-JSON, or a list of URLs (one per line, each
    /// optionally followed by the day it was accessed).
    references: PathBuf,
    /// A manifest whose sealed copies count; repeatable, at least one.
    #[arg(long, short, value_name = "MANIFEST", required = true)]
    manifest: Vec<PathBuf>,
    #[command(flatten)]
    trust: super::TrustArgs,
    /// Check each sealed copy found against the file in its manifest's collection folder.
    #[arg(long, conflicts_with = "root")]
    check_files: bool,
    /// Check each sealed copy found against the file in this folder (one manifest only).
    #[arg(long, value_name = "DIR", conflicts_with = "archive")]
    root: Option<PathBuf>,
    /// Check each sealed copy found against the entry in this .tar, .tar.gz, .tar.zst or .zip
    /// (one manifest only).
    #[arg(long, value_name = "FILE", conflicts_with = "check_files")]
    archive: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Audits the references; exit 1 unless every one has an intact sealed copy retrieved on the
/// cited day.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let files = match (args.root, args.archive, args.check_files) {
        (Some(root), _, _) => FileCheck::Root(root),
        (None, Some(archive), _) => FileCheck::Archive(archive),
        (None, None, true) => FileCheck::Collections,
        (None, None, false) => FileCheck::None,
    };
    let report = audit_files::audit(
        &AuditOptions {
            references: args.references,
            manifests: args.manifest,
            trust: args.trust.options(),
        },
        &files,
    )?;
    written(if args.json {
        report::json::write(out, &report)
    } else {
        report::audit::render(out, &report)
    })?;
    Ok(if report.success {
        Outcome::Done
    } else {
        Outcome::Failed
    })
}
