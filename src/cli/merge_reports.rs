//! `docseal merge-reports`: its arguments, their conversion into [`MergeOptions`], and the
//! report of the whole verification written by the presenters `verify` uses.

use std::io::Write;
use std::path::PathBuf;

use docseal::error::Result;
use docseal::fsio::{self, Access};
use docseal::report::{self, human::Verbosity};
use docseal::verify::{self, MergeOptions};

use super::verify::{Format, step_summary, write_report};
use super::{Outcome, written};

// The arguments of `merge-reports` (the subcommand's help text is on `Command::MergeReports`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shard reports: one of each `verify --shard I/N --output FILE` job and the one of the
    /// `verify --extras-only --output FILE` job.
    #[arg(required = true, value_name = "REPORT")]
    reports: Vec<PathBuf>,
    /// Check this manifest's signature again against the trusted keys, and that it is the one the
    /// shards verified [default: read the manifest the reports name, its digest checked].
    #[arg(long, value_name = "MANIFEST")]
    manifest: Option<PathBuf>,
    #[command(flatten)]
    trust: super::TrustArgs,
    /// How to write the report: text, json (docs/json-report.md), junit or github, as verify.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to this file (atomically) and the text report to standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print only problems (nothing when everything verified).
    #[arg(short, long)]
    quiet: bool,
}

/// Merges, and writes the report.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let verbosity = if args.quiet {
        Verbosity::Quiet
    } else {
        Verbosity::Normal
    };
    let trust = args.trust.options();
    let opts = MergeOptions {
        reports: args.reports,
        manifest: args.manifest.map(|m| (m, trust)),
    };
    let rep = verify::merge_reports(&opts)?;
    match &args.output {
        Some(path) => {
            fsio::write_atomic_with(path, Access::Public, true, "report", |mut w| {
                write_report(&mut w, &rep, args.format, verbosity)
            })?;
            written(report::human::render(out, &rep, verbosity))?;
        }
        None => written(write_report(out, &rep, args.format, verbosity))?,
    }
    step_summary(args.format, &rep)?;
    Ok(if rep.success {
        Outcome::Done
    } else {
        Outcome::Failed
    })
}
