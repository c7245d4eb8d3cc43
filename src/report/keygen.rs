//! What `keygen` says it made: the key ID and where each half went, with what to do with each.

use std::io::Write;

use crate::error::{Error, Result};
use crate::trust::GeneratedKey;

/// Writes the key ID and the two files `keygen` wrote.
pub fn render<W: Write>(w: &mut W, made: &GeneratedKey) -> Result<()> {
    write!(
        w,
        "key ID      {}\npublic key  {}  (commit this file)\nsecret key  {}  (mode 0600; keep it private)\n",
        made.id,
        made.public_path.display(),
        made.secret_path.display()
    )
    .map_err(Error::Output)
}
