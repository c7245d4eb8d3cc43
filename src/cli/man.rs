//! `docseal man [COMMAND]`: the manual page of docseal or of one subcommand, in roff, generated
//! from the command-line definition by `clap_mangen` (`docseal man seal | man -l -`).

use std::io::Write;

use clap::CommandFactory;

use docseal::error::{Error, Result};

use super::{Cli, Outcome, written};

// The arguments of `man` (the subcommand's help text is on `Command::Man`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The subcommand whose page to write [default: the page of docseal itself].
    command: Option<String>,
}

/// Writes the manual page.
pub fn run(args: Args, out: &mut impl Write) -> Result<Outcome> {
    let docseal = Cli::command();
    let page = match &args.command {
        None => docseal,
        Some(name) => {
            let sub = docseal
                .find_subcommand(name)
                .ok_or_else(|| {
                    let names: Vec<&str> =
                        docseal.get_subcommands().map(|c| c.get_name()).collect();
                    Error::Usage(format!(
                        "no subcommand \"{}\"; the manual pages are of: {}",
                        name.escape_debug(),
                        names.join(", ")
                    ))
                })?
                .clone();
            let name = sub.get_name().to_string();
            sub.display_name(format!("docseal-{name}"))
                .version(env!("CARGO_PKG_VERSION"))
                .bin_name(format!("docseal {name}"))
        }
    };
    let title = page
        .get_display_name()
        .unwrap_or(page.get_name())
        .to_string();
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .title(title)
        .render(&mut roff)
        .map_err(|e| Error::Internal(format!("cannot render the manual page: {e}")))?;
    written(out.write_all(&roff).map_err(Error::Output))?;
    Ok(Outcome::Done)
}
