//! docseal seals a collection of files — per file its SHA-256 digest, size, origin URL and
//! retrieval time — in a human-readable TOML manifest signed with Ed25519, and later verifies a
//! collection against that manifest, saying exactly what changed, who signed and where each file
//! came from.
//!
//! The library does all the work; the `docseal` binary only parses arguments, calls
//! [`keys::keygen`], [`seal::seal`], [`verify::verify`] or [`show::show`], renders the result and
//! maps it to an exit status. The manifest format is specified in `docs/manifest-format.md`.

pub mod archive;
pub mod collection;
pub mod digest;
pub mod error;
pub mod fsio;
pub mod inventory;
pub mod keys;
pub mod manifest;
pub mod provenance;
pub mod relpath;
pub mod report;
pub mod sanitize;
pub mod seal;
pub mod show;
pub mod signature;
pub mod sources;
pub mod timing;
pub mod verify;
pub mod walk;

pub use error::{Error, Result};
