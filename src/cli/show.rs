//! `docseal show`: its arguments, their conversion into [`ShowOptions`] (the trusted keys as for
//! `verify`, or none with `--no-verify`), the call into the audit area, the presenter, and the
//! exit status: 1 when the signature was checked and is not valid.

use std::io::Write;
use std::path::PathBuf;

use docseal::audit::{self, ShowOptions};
use docseal::error::{Error, Result};
use docseal::report;

use super::{Outcome, written};

// The arguments of `show` (the subcommand's help text is on `Command::Show`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The manifest.
    manifest: PathBuf,
    /// Only these files (paths inside the collection).
    paths: Vec<String>,
    /// Only the files retrieved from this URL (matched ignoring http/https, host case, the
    /// default port, a trailing slash and the fragment); repeatable.
    #[arg(long, value_name = "URL")]
    url: Vec<String>,
    #[command(flatten)]
    trust: super::TrustArgs,
    /// Do not check the signature: show what the manifest says, marked as unchecked (for a
    /// manifest whose keys you do not have).
    #[arg(long, conflicts_with_all = ["trust", "revoked", "threshold", "signer", "expect_name"])]
    no_verify: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// The library's options: trust `./keys` when no `--trust` is given, nothing with
    /// `--no-verify`.
    fn options(self) -> ShowOptions {
        let trust = (!self.no_verify).then(|| self.trust.options());
        ShowOptions {
            manifest: self.manifest,
            paths: self.paths,
            urls: self.url,
            trust,
        }
    }
}

/// Shows the recorded provenance, after checking the signature.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let json = args.json;
    let shown = audit::show(&args.options()).map_err(|e| match e {
        Error::NoTrustFolder { .. } | Error::NoTrustedKeys { .. } => Error::Usage(format!(
            "{e}; or pass --no-verify to read the manifest without checking its signature"
        )),
        other => other,
    })?;
    if let Some(signature) = &shown.signature {
        super::warn_about(signature);
    }
    written(if json {
        report::json::write(out, &shown)
    } else {
        report::show::render(out, &shown)
    })?;
    Ok(
        if shown.signature_checked && !shown.is_verified() || !shown.unmatched_urls.is_empty() {
            Outcome::Failed
        } else {
            Outcome::Done
        },
    )
}
