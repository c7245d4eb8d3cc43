//! What `sign` did ([`SignReport`]): the manifest that gained a signature, the key that made it,
//! and how many signatures the manifest now carries.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::sanitize::escape;
use crate::trust::KeyId;

/// What co-signing did.
#[derive(Clone, Debug, Serialize)]
pub struct SignReport {
    /// The manifest, rewritten with one more `[[signature]]` table.
    pub manifest: PathBuf,
    /// The key that signed.
    pub key_id: KeyId,
    /// Its name.
    pub key_name: String,
    /// How many signatures the manifest carries now.
    pub signatures: usize,
    /// Whether the manifest and its collection were verified before signing.
    pub verified_first: bool,
}

/// Writes what was signed.
pub fn render<W: Write>(w: &mut W, done: &SignReport) -> Result<()> {
    write!(
        w,
        "signed      {}{}\nkey         {} (key ID {})\nsignatures  {} (the signed body is unchanged)\n",
        escape(&done.manifest.display().to_string()),
        if done.verified_first {
            "  (verified first: signature and every file)"
        } else {
            ""
        },
        escape(&done.key_name),
        done.key_id,
        done.signatures
    )
    .map_err(Error::Output)
}
