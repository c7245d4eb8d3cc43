//! `docseal verify`: its arguments, their conversion into [`VerifyOptions`], the progress bar,
//! and the presenter chosen by `--json` and `--quiet`; `--shard` and `--extras-only`, the jobs
//! of a sharded verification, and the shard report `--output` then writes.

use std::io::Write;
use std::path::PathBuf;

use docseal::error::{Error, Result};
use docseal::fsio::{self, Access};
use docseal::manifest::merkle::shards::Shard;
use docseal::report::{self, VerifyReport, human::Verbosity};
use docseal::verify::{self, HistoryOptions, VerifyOptions};

use super::progress::TermProgress;
use super::{Outcome, hash_options, written};

// The arguments of `verify` (the subcommand's help text is on `Command::Verify`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The manifest.
    manifest: PathBuf,
    /// Only these files (paths inside the collection): each is looked up in the manifest and
    /// checked alone, without walking the folder [default: every file].
    paths: Vec<String>,
    /// The collection folder, or a bucket's prefix in object storage (s3://BUCKET/PREFIX,
    /// gs://…, az://…; built with the object-store feature) or file:///PATH [default: the
    /// manifest's `collection`, relative to the manifest; when that names a file, it is read as
    /// an archive].
    #[arg(long, value_name = "DIR|URL")]
    root: Option<PathBuf>,
    /// Verify the entries of a .tar, .tar.gz/.tgz, .tar.zst or .zip file instead of a folder,
    /// without unpacking it.
    #[arg(long, value_name = "FILE", conflicts_with = "root")]
    archive: Option<PathBuf>,
    /// Strip exactly N leading folders from the archive's entry paths [default: strip a single
    /// folder that wraps every entry, unless the manifest's paths all lie in it too].
    #[arg(long, value_name = "N")]
    strip_components: Option<usize>,
    #[command(flatten)]
    trust: super::TrustArgs,
    /// How to write the report: text (for people), json (docs/json-report.md), junit (JUnit XML
    /// for CI test reports) or github (GitHub Actions annotations, and a table in the step
    /// summary when GITHUB_STEP_SUMMARY is set).
    #[arg(long, value_enum, default_value_t = Format::Text, conflicts_with = "json")]
    format: Format,
    /// The same as --format json.
    #[arg(long)]
    json: bool,
    /// Write the report to this file (atomically) and the text report to standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Fail unless every file has a known origin URL and retrieval time.
    #[arg(long)]
    require_provenance: bool,
    /// Keep the newest manifest seen per collection and signer in this file (created if
    /// missing, written after a successful verification only), and fail on a rollback to an
    /// older manifest or a second manifest signed for one sequence number.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Fail when the manifest is older than this manifest you already trust (its signature is
    /// checked too), or is another manifest for the same sequence number.
    #[arg(long, value_name = "OLD_MANIFEST")]
    since: Option<PathBuf>,
    /// Accept a manifest whose expiry time (seal --expires) has passed.
    #[arg(long)]
    allow_expired: bool,
    /// Print only problems (nothing when everything verified), and no progress bar.
    #[arg(short, long)]
    quiet: bool,
    /// Verify only shard I of N (0 ≤ I < N; `auto/N` takes I from JOB_COMPLETION_INDEX, else
    /// SLURM_ARRAY_TASK_ID): a range of entries that depends only on the manifest's entry
    /// count, I and N (docs/shards.md). With --output, the file gets the shard report that
    /// merge-reports reads. Extra files are left to one --extras-only job.
    #[arg(long, value_name = "I/N", conflicts_with = "extras_only")]
    shard: Option<String>,
    /// Only list the files present but not sealed (one walk of the folder; no sealed file is
    /// read): the one extras job of a sharded verification. With --output, the file gets its
    /// shard report.
    #[arg(long)]
    extras_only: bool,
    /// Number of files hashed at once [default: the number of CPUs; for a bucket, objects
    /// fetched at once, default 16 or the number of CPUs if more].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

/// The formats of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Format {
    Text,
    Json,
    Junit,
    Github,
}

impl Args {
    /// The library's options: trust `./keys` when no `--trust` is given.
    fn options(self, progress_shown: bool) -> VerifyOptions {
        let trust = self.trust.options();
        VerifyOptions {
            manifest: self.manifest,
            folder: self.root,
            archive: self.archive,
            strip_components: self.strip_components,
            trust,
            require_provenance: self.require_provenance,
            hashing: hash_options(self.jobs, progress_shown),
            paths: self.paths,
            history: HistoryOptions {
                state: self.state,
                since: self.since,
                allow_expired: self.allow_expired,
            },
        }
    }
}

/// Verifies, and writes the report.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let bar = TermProgress::new(args.quiet);
    let format = if args.json { Format::Json } else { args.format };
    let verbosity = if args.quiet {
        Verbosity::Quiet
    } else {
        Verbosity::Normal
    };
    let output = args.output.clone();
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let extras_only = args.extras_only;
    let opts = args.options(bar.is_shown());
    if shard.is_some() || extras_only {
        let (rep, shard_report) = match shard {
            Some(shard) => verify::verify_shard(&opts, shard, &bar)?,
            None => verify::verify_extras(&opts, &bar)?,
        };
        super::warn_about(&rep.signature);
        match &output {
            Some(path) => {
                fsio::write_atomic_with(path, Access::Public, true, "shard report", |mut w| {
                    report::json::write(&mut w, &shard_report)
                })?;
                written(report::human::render(out, &rep, verbosity))?;
            }
            None => written(write_report(out, &rep, format, verbosity))?,
        }
        return Ok(if rep.success {
            Outcome::Done
        } else {
            Outcome::Failed
        });
    }
    let rep = verify::verify(&opts, &bar)?;
    super::warn_about(&rep.signature);
    match &output {
        Some(path) => {
            fsio::write_atomic_with(path, Access::Public, true, "report", |mut w| {
                write_report(&mut w, &rep, format, verbosity)
            })?;
            written(report::human::render(out, &rep, verbosity))?;
        }
        None => written(write_report(out, &rep, format, verbosity))?,
    }
    step_summary(format, &rep)?;
    Ok(if rep.success {
        Outcome::Done
    } else {
        Outcome::Failed
    })
}

/// With `--format github`, the table of problems appended to GITHUB_STEP_SUMMARY when it is set.
pub(super) fn step_summary(format: Format, rep: &VerifyReport) -> Result<()> {
    if format == Format::Github
        && let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty())
    {
        let path = PathBuf::from(summary);
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| Error::io(&path, "cannot append the step summary to", e))?;
        report::github::write_step_summary(&mut file, rep)?;
    }
    Ok(())
}

/// `--shard I/N` or `auto/N` (I from JOB_COMPLETION_INDEX, else SLURM_ARRAY_TASK_ID).
fn parse_shard(text: &str) -> Result<Shard> {
    let usage = |why: String| Error::Usage(format!("--shard {text:?}: {why}"));
    let Some((index, count)) = text.split_once('/') else {
        return Err(usage("give I/N, e.g. --shard 0/8, or auto/N".into()));
    };
    let number = |s: &str, what: &str| {
        s.parse::<usize>()
            .map_err(|_| usage(format!("{what} {s:?} is not a whole number")))
    };
    let count = number(count, "N")?;
    let index = match index {
        "auto" => {
            let (var, value) = auto_index().ok_or_else(|| {
                usage("neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set; pass the index as I/N".into())
            })?;
            number(&value, var)?
        }
        i => number(i, "I")?,
    };
    Shard::new(index, count).map_err(usage)
}

/// The shard index the batch system gives: Kubernetes' Indexed Jobs, then Slurm's job arrays.
fn auto_index() -> Option<(&'static str, String)> {
    ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"]
        .into_iter()
        .find_map(|var| std::env::var(var).ok().map(|v| (var, v)))
}

/// Writes the report in `format`.
pub(super) fn write_report(
    w: &mut impl Write,
    rep: &VerifyReport,
    format: Format,
    verbosity: Verbosity,
) -> Result<()> {
    match format {
        Format::Text => report::human::render(w, rep, verbosity),
        Format::Json => report::json::write_verify(w, rep),
        Format::Junit => report::junit::write(w, rep),
        Format::Github => report::github::write(w, rep),
    }
}
