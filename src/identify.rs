//! The orchestrator of `identify`: each loose document hashed (opened through `fsio`, so a FIFO
//! with a writer is read and a folder or device is refused by name; `collection/hashing.rs`),
//! then looked up by content in the sealed manifests (`audit/identify.rs`).

use std::path::PathBuf;

use crate::audit::identify::{self, IdentifyReport};
use crate::collection::hashing::{self, ReadBuffer};
use crate::digest::Fixity;
use crate::error::{Error, Result};
use crate::fsio;
use crate::trust::TrustOptions;

/// Hashes `files` and finds the sealed entries holding their content in `manifests`, checked
/// as `trust` says.
pub fn identify(
    files: &[PathBuf],
    manifests: &[PathBuf],
    trust: &TrustOptions,
) -> Result<IdentifyReport> {
    let mut buf = ReadBuffer::new(hashing::HASH_BUFFER_SIZE);
    let mut measured = Vec::with_capacity(files.len());
    for path in files {
        let input = fsio::open_input(path, "document")?;
        let (digest, size) = hashing::hash_reader(input, buf.as_mut_slice())
            .map_err(|e| Error::io(path, "cannot read", e))?;
        measured.push((path.display().to_string(), Fixity { size, digest }));
    }
    identify::identify(measured, manifests, trust)
}
