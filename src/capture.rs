//! Where a file came from, before it is sealed: the provenance that `seal` attaches to each entry.
//! That is the sources list, in TOML ([`sources`]) or CSV ([`csv`]), and what writes one as it
//! captures: [`fetch`] over HTTP(S), through [`store`] (a stream stored under its
//! content-addressed name, its sources entry recorded), which a WARC importer is to reuse.
//!
//! Nothing here hashes a collection or writes a manifest.

pub mod csv;
pub mod fetch;
pub mod sources;
pub mod store;
pub mod warc;

pub use sources::{Source, Sources};
