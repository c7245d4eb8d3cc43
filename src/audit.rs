//! What can be shown or proven from a sealed manifest without reading the collection: today
//! [`show()`], the recorded provenance of every file or of the files asked for, after the
//! manifest's signature was checked against the trusted keys. Citations, checkpoints and
//! inclusion proofs are to come here.
//!
//! Nothing here reads the collection or formats text (the presenters are in `report/`).

pub mod show;

pub use show::{ShowOptions, ShowReport, show};
