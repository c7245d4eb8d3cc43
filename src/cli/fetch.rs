//! `docseal fetch`: its arguments, their conversion into [`FetchOptions`] (the URLs from the
//! command line and `--from-file`, the default sources list beside the folder, the size and time
//! limits), the progress bar, and the line for each URL as it is done.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use docseal::capture::fetch::{self, FetchOptions, UrlOutcome};
use docseal::error::{Error, Result};
use docseal::report::fetch::{FetchTotals, render_outcome, render_totals};

use super::progress::FetchBar;
use super::{Outcome, written};

// The arguments of `fetch` (the subcommand's help text is on `Command::Fetch`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The URLs to capture (http:// or https://).
    urls: Vec<String>,
    /// The folder to store the captured files in (created if missing).
    #[arg(long, value_name = "DIR")]
    into: PathBuf,
    /// Also capture the URLs in FILE: one a line; blank lines and lines starting with # are
    /// skipped.
    #[arg(long, value_name = "FILE")]
    from_file: Option<PathBuf>,
    /// The sources list to record the provenance in [default: sources/NAME.toml beside DIR,
    /// NAME being DIR's name].
    #[arg(long, value_name = "FILE")]
    sources: Option<PathBuf>,
    /// Capture URLs again that the sources list already holds (the earlier capture stays).
    #[arg(long)]
    refetch: bool,
    /// The most redirects followed for one URL.
    #[arg(long, value_name = "N", default_value_t = 10)]
    max_redirects: u32,
    /// The largest body stored, in bytes, or with a suffix K, M or G (powers of 1024).
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    max_size: u64,
    /// Seconds to wait to connect, and for each read from the server.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    timeout: f64,
    /// Trust the CA certificates in this PEM file besides the built-in Mozilla roots.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// No progress bar; the line for each URL is still written.
    #[arg(short, long)]
    quiet: bool,
}

/// `N`, `NK`, `NM` or `NG` bytes.
pub(super) fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let (digits, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => s.split_at(i),
        None => (s, ""),
    };
    let shift = match unit {
        "" => 0,
        "K" | "k" => 10,
        "M" | "m" => 20,
        "G" | "g" => 30,
        _ => {
            return Err(format!(
                "\"{s}\" is not a size; write e.g. 5000000, 500K, 20M or 2G"
            ));
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| format!("\"{s}\" is not a size; write e.g. 5000000, 500K, 20M or 2G"))
}

/// The default sources list of a folder: `sources/NAME.toml` beside it.
pub(super) fn default_sources(dir: &Path) -> Result<PathBuf> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| *n != "." && *n != "..")
        .ok_or_else(|| {
            Error::Usage(format!(
                "cannot name the sources list after {}; pass --sources FILE",
                dir.display()
            ))
        })?;
    let parent = dir.parent().unwrap_or(Path::new(""));
    Ok(parent.join("sources").join(format!("{name}.toml")))
}

impl Args {
    fn options(self) -> Result<FetchOptions> {
        fetch::check_urls(&self.urls)?;
        let mut urls = self.urls;
        if let Some(file) = &self.from_file {
            urls.extend(fetch::read_url_list(file)?);
        }
        if urls.is_empty() {
            return Err(Error::Usage(
                "no URL to fetch; give URLs, or --from-file FILE with one a line".to_string(),
            ));
        }
        if !(self.timeout.is_finite() && self.timeout > 0.0 && self.timeout <= 86_400.0) {
            return Err(Error::Usage(format!(
                "--timeout {} is not a number of seconds between 0 and 86400",
                self.timeout
            )));
        }
        let sources = match self.sources {
            Some(s) => s,
            None => default_sources(&self.into)?,
        };
        Ok(FetchOptions {
            urls,
            into: self.into,
            sources,
            refetch: self.refetch,
            max_redirects: self.max_redirects,
            max_size: self.max_size,
            timeout: Duration::from_secs_f64(self.timeout),
            ca_cert: self.ca_cert,
        })
    }
}

/// Fetches every URL, saying what became of each; fails (exit 1) when any URL failed.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let bar = FetchBar::new(args.quiet);
    let opts = args.options()?;
    let mut totals = FetchTotals::default();
    fetch::fetch(&opts, &bar, &mut |o: &UrlOutcome| {
        totals.add(o);
        let result = bar.suspend(|| {
            let r = render_outcome(out, &mut io::stderr().lock(), o);
            let _ = out.flush();
            r
        });
        written(result)
    })?;
    written(render_totals(out, &totals, super::if_exists(&opts.sources)))?;
    Ok(if totals.failed > 0 {
        Outcome::Failed
    } else {
        Outcome::Done
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("2K"), Ok(2048));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert!(parse_size("1.5G").is_err());
        assert!(parse_size("-1").is_err());
    }

    #[test]
    fn the_default_sources_list_sits_beside_the_folder() {
        assert_eq!(
            default_sources(Path::new("seeds")).unwrap(),
            Path::new("sources/seeds.toml")
        );
        assert_eq!(
            default_sources(Path::new("data/seeds/")).unwrap(),
            Path::new("data/sources/seeds.toml")
        );
        assert!(default_sources(Path::new(".")).is_err());
    }
}
