//! What `revoke` says it made: which key is revoked, where the revocation went, and what to do
//! with it.

use std::io::Write;

use crate::error::{Error, Result};
use crate::trust::RevokedKey;

/// Writes the revoked key and the file `revoke` wrote.
pub fn render<W: Write>(w: &mut W, made: &RevokedKey) -> Result<()> {
    write!(
        w,
        "revoked     key \"{}\" ({}) as of {}\nrevocation  {}  (commit it beside the key's .pub file: verify then rejects this key)\n",
        made.name,
        made.id,
        made.revoked,
        made.path.display()
    )
    .map_err(Error::Output)
}
