//! Where the passphrase of a secret key comes from: a file (`--passphrase-file FILE`, read through
//! `fsio` — bounded, a FIFO without a writer refused after the wait, one trailing line feed
//! removed), an environment variable named explicitly (`--passphrase env:VAR`; docseal never
//! reads a passphrase from a variable it was not told about), or a question on the terminal,
//! which the binary asks (the library sees it only as [`Ask`]). Every passphrase is held in
//! memory that is wiped when dropped.

use std::fmt;
use std::io::ErrorKind;
use std::path::PathBuf;
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::fsio;

/// The most docseal reads of a passphrase file: a passphrase is a line, not a document.
pub const MAX_PASSPHRASE_FILE: u64 = 4096;

/// Asks a person for a passphrase (the binary's terminal prompt).
pub trait Ask: Send + Sync {
    /// Asks for the passphrase of `what` (`secret key "k" (k.key)`); when `new`, it is a new
    /// passphrase, asked twice, and two different answers are refused.
    fn ask(&self, what: &str, new: bool) -> Result<Zeroizing<String>>;
}

/// Where a passphrase comes from.
#[derive(Clone)]
pub enum PassphraseSource {
    /// The contents of a file, less one trailing line feed (`\n` or `\r\n`).
    File(PathBuf),
    /// The value of the environment variable of this name.
    Env(String),
    /// A question to a person.
    Ask(Arc<dyn Ask>),
}

impl fmt::Debug for PassphraseSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PassphraseSource::File(p) => write!(f, "File({})", p.display()),
            PassphraseSource::Env(v) => write!(f, "Env({v})"),
            PassphraseSource::Ask(_) => f.write_str("Ask"),
        }
    }
}

/// A passphrase, wiped when dropped.
pub struct Passphrase(Zeroizing<Vec<u8>>);

impl Passphrase {
    /// The passphrase's bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl PassphraseSource {
    /// The source that `--passphrase VALUE` (or another option named `flag`) names: VALUE must be
    /// `env:VAR`. A passphrase itself is never taken from the command line, where other users
    /// see it (`ps`) and the shell's history keeps it.
    pub fn from_env_arg(flag: &str, value: &str) -> Result<Self> {
        match value.strip_prefix("env:") {
            Some(var) if !var.is_empty() && !var.contains('=') && !var.contains('\0') => {
                Ok(PassphraseSource::Env(var.to_string()))
            }
            _ => Err(Error::Usage(format!(
                "{flag} takes env:VAR, the name of an environment variable holding the passphrase \
                 (a passphrase on the command line is visible to other users); or pass {flag}-file FILE"
            ))),
        }
    }

    /// Gets the passphrase of `what`, asking for it if it is to be asked (twice for a `new`
    /// one). An empty passphrase is refused.
    pub fn get(&self, what: &str, new: bool) -> Result<Passphrase> {
        let (bytes, from) = match self {
            PassphraseSource::File(path) => (read_file(path)?, path.display().to_string()),
            PassphraseSource::Env(var) => {
                let value = std::env::var_os(var).ok_or_else(|| {
                    Error::Usage(format!(
                        "environment variable {var} is not set (--passphrase env:{var}); set it to the passphrase"
                    ))
                })?;
                (
                    Zeroizing::new(value.into_encoded_bytes()),
                    format!("environment variable {var}"),
                )
            }
            PassphraseSource::Ask(ask) => {
                let text = ask.ask(what, new)?;
                let mut bytes = Zeroizing::new(Vec::with_capacity(text.len()));
                bytes.extend_from_slice(text.as_bytes());
                (bytes, "the terminal".to_string())
            }
        };
        if bytes.is_empty() {
            return Err(Error::Usage(format!(
                "the passphrase from {from} is empty; give a passphrase (or, for keygen and passwd, pass --unencrypted for a key without one)"
            )));
        }
        Ok(Passphrase(bytes))
    }
}

/// A passphrase file's bytes, less one trailing `\n` or `\r\n`, read into one allocation that is
/// never grown (so no copy is left behind) and wiped when dropped.
fn read_file(path: &std::path::Path) -> Result<Zeroizing<Vec<u8>>> {
    let mut input = fsio::open_input(path, "passphrase").map_err(|e| match e {
        Error::Io { source, .. } if source.kind() == ErrorKind::NotFound => Error::invalid(
            path,
            "passphrase file not found; pass the file that holds the passphrase (--passphrase-file FILE)",
        ),
        other => other,
    })?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_PASSPHRASE_FILE as usize + 1));
    input.read_to(&mut bytes, MAX_PASSPHRASE_FILE)?;
    if bytes.ends_with(b"\n") {
        bytes.pop();
        if bytes.ends_with(b"\r") {
            bytes.pop();
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_env_var_is_a_passphrase_argument() {
        assert!(matches!(
            PassphraseSource::from_env_arg("--passphrase", "env:DOCSEAL_PW"),
            Ok(PassphraseSource::Env(v)) if v == "DOCSEAL_PW"
        ));
        for bad in ["hunter2", "env:", "env:A=B"] {
            let err = PassphraseSource::from_env_arg("--passphrase", bad).unwrap_err();
            assert!(err.to_string().contains("takes env:VAR"), "{err}");
        }
    }

    #[test]
    fn a_passphrase_file_loses_one_trailing_newline_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p");
        for (text, want) in [
            ("pw\n", "pw"),
            ("pw\r\n", "pw"),
            ("pw\n\n", "pw\n"),
            (" pw ", " pw "),
        ] {
            std::fs::write(&path, text).unwrap();
            let got = PassphraseSource::File(path.clone()).get("", false).unwrap();
            assert_eq!(got.as_bytes(), want.as_bytes(), "{text:?}");
        }
        std::fs::write(&path, "\n").unwrap();
        let err = PassphraseSource::File(path).get("", false).err().unwrap();
        assert!(err.to_string().contains("is empty"), "{err}");
    }
}
