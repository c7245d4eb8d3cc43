//! `docseal import-warc`: its arguments, their conversion into [`ImportOptions`] (the default
//! sources list beside the folder, the size limit), the progress bar, and the line for each
//! record as it is done.

use std::io::{self, Write};
use std::path::PathBuf;

use docseal::capture::warc::{self, ImportOptions, RecordOutcome};
use docseal::error::{Error, Result};
use docseal::report::warc::{ImportTotals, render_record, render_totals};

use super::fetch::{default_sources, parse_size};
use super::progress::ImportBar;
use super::{Outcome, written};

// The arguments of `import-warc` (the subcommand's help text is on `Command::ImportWarc`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The WARC files (.warc, or gzip-compressed .warc.gz: a member per record or the whole file).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The folder to store the payloads in (created if missing).
    #[arg(long, value_name = "DIR")]
    into: PathBuf,
    /// The sources list to record the provenance in [default: sources/NAME.toml beside DIR,
    /// NAME being DIR's name].
    #[arg(long, value_name = "FILE")]
    sources: Option<PathBuf>,
    /// Also import responses with a 4xx or 5xx status.
    #[arg(long)]
    include_errors: bool,
    /// The largest payload stored, in bytes, or with a suffix K, M or G (powers of 1024).
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    max_size: u64,
    /// No progress bar; the line for each record is still written.
    #[arg(short, long)]
    quiet: bool,
}

/// Imports every file, saying what became of each record; fails (exit 1) when any record was
/// refused.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    if args.files.is_empty() {
        return Err(Error::Usage("no WARC file to import".to_string()));
    }
    let sources = match args.sources {
        Some(s) => s,
        None => default_sources(&args.into)?,
    };
    let opts = ImportOptions {
        files: args.files,
        into: args.into,
        sources,
        include_errors: args.include_errors,
        max_size: args.max_size,
    };
    let bar = ImportBar::new(args.quiet);
    let mut totals = ImportTotals::default();
    warc::import(&opts, &bar, &mut |o: &RecordOutcome| {
        totals.add(o);
        let r = bar.suspend(|| {
            let r = render_record(out, &mut io::stderr().lock(), o);
            let _ = out.flush();
            r
        });
        written(r)
    })?;
    written(render_totals(out, &totals, super::if_exists(&opts.sources)))?;
    Ok(if totals.failed > 0 {
        Outcome::Failed
    } else {
        Outcome::Done
    })
}
