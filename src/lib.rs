//! docseal seals a collection of files — per file its SHA-256 digest, size, origin URL and
//! retrieval time — in a human-readable TOML manifest signed with Ed25519, and later verifies a
//! collection against that manifest, saying exactly what changed, who signed and where each file
//! came from.
//!
//! The library does all the work; the `docseal` binary only parses arguments, calls
//! [`trust::keygen`], [`seal::seal`], [`verify::verify`] or [`audit::show()`], hands the result to a
//! presenter of [`report`] and maps it to an exit status. The manifest format is specified in
//! `docs/manifest-format.md`; where each piece of code lives, and why, in `docs/architecture.md`.
//!
//! The areas, from the bottom up (each uses only those before it):
//!
//! - values and helpers: [`digest`], [`relpath`], [`provenance`], [`sanitize`], [`fsio`],
//!   [`timing`], [`error`];
//! - [`manifest`] (what a manifest says), [`trust`] (who signed), [`collection`] (what a folder
//!   or archive holds);
//! - [`capture`] (where a file came from, before sealing), [`audit`] (what a sealed manifest
//!   shows), [`interop`] (other tools' formats);
//! - [`report`] (the results as data, and their presenters);
//! - the orchestrators [`seal`], [`verify`] and [`export`].

pub mod audit;
pub mod audit_files;
pub mod capture;
pub mod collection;
pub mod digest;
pub mod error;
pub mod export;
pub mod fsio;
pub mod identify;
pub mod interop;
pub mod manifest;
pub mod proofs;
pub mod provenance;
pub mod relpath;
pub mod report;
pub mod sanitize;
pub mod seal;
pub mod sign;
pub mod timing;
pub mod trust;
pub mod verify;

pub use error::{Error, Result};
