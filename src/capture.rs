//! Where a file came from, before it is sealed: the provenance that `seal` attaches to each entry.
//! Today that is the TOML sources list ([`sources`]); fetching over HTTP(S), WARC import and CSV
//! sources are to come here, each a file of its own that yields the same [`Source`] values.
//!
//! Nothing here hashes a collection or writes a manifest.

pub mod sources;

pub use sources::{Source, Sources};
