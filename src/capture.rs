//! Where a file came from, before it is sealed: the provenance that `seal` attaches to each entry.
//! Today that is the sources list, in TOML ([`sources`]) or CSV ([`csv`]); fetching over HTTP(S)
//! and WARC import are to come here, each a file of its own that yields the same [`Source`]
//! values.
//!
//! Nothing here hashes a collection or writes a manifest.

pub mod csv;
pub mod sources;

pub use sources::{Source, Sources};
