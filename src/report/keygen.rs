//! What `keygen` says it made — the key ID and where each half went, with what to do with each —
//! and what `passwd` did to a secret key file.

use std::io::Write;

use crate::error::{Error, Result};
use crate::trust::{GeneratedKey, PasswdDone};

/// Writes the key ID and the two files `keygen` wrote.
pub fn render<W: Write>(w: &mut W, made: &GeneratedKey) -> Result<()> {
    write!(
        w,
        "key ID      {}\npublic key  {}  (commit this file)\nsecret key  {}  ({}mode 0600; keep it private)\n",
        made.id,
        made.public_path.display(),
        made.secret_path.display(),
        if made.encrypted {
            "encrypted with your passphrase, "
        } else {
            "unencrypted, "
        }
    )
    .map_err(Error::Output)
}

/// Writes what `passwd` did to a secret key file.
pub fn render_passwd<W: Write>(w: &mut W, done: &PasswdDone) -> Result<()> {
    let now = match (done.was_encrypted, done.encrypted) {
        (_, false) => "written without a passphrase (mode 0600; keep it private)",
        (false, true) => "now encrypted with a passphrase (mode 0600)",
        (true, true) => "passphrase changed (mode 0600)",
    };
    write!(
        w,
        "key ID      {}\nsecret key  {}  {now}\n",
        done.id,
        done.path.display()
    )
    .map_err(Error::Output)
}
