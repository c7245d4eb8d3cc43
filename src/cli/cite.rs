//! `docseal cite MANIFEST PATH`: its arguments, and the citation in the format asked for —
//! written only from a manifest whose signature is valid.

use std::io::{self, Write};
use std::path::PathBuf;

use docseal::audit::{self, CiteOptions};
use docseal::error::Result;
use docseal::report;
use docseal::report::cite::CiteFormat;

use super::{Outcome, written};

// The arguments of `cite` (the subcommand's help text is on `Command::Cite`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The manifest.
    manifest: PathBuf,
    /// The sealed file to cite (its path inside the collection).
    path: String,
    /// The citation's format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    trust: super::TrustArgs,
}

// The formats, as the command line names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Bibtex,
    Biblatex,
    CslJson,
    Html,
}

/// Writes the citation; exit 1 (nothing written) when the signature is not valid.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let citation = audit::cite(&CiteOptions {
        manifest: args.manifest,
        path: args.path,
        trust: args.trust.options(),
    })?;
    super::warn_about(&citation.signature);
    if !citation.is_verified() {
        let _ = report::cite::render_refusal(&mut io::stderr().lock(), &citation);
        return Ok(Outcome::Failed);
    }
    let format = match args.format {
        Format::Text => CiteFormat::Text,
        Format::Bibtex => CiteFormat::Bibtex,
        Format::Biblatex => CiteFormat::Biblatex,
        Format::CslJson => CiteFormat::CslJson,
        Format::Html => CiteFormat::Html,
    };
    written(report::cite::render(out, &citation, format))?;
    Ok(Outcome::Done)
}
