//! What can be shown or proven from a sealed manifest without reading the collection:
//! [`show()`], the recorded provenance of every file or of the files asked for, and [`cite()`],
//! what a citation of one sealed file carries — each after the manifest's signature was checked
//! against the trusted keys, and `proof`, the inclusion proof of one sealed file (made from the
//! manifest, checked offline).
//!
//! Nothing here reads the collection or formats text (the presenters are in `report/`).

pub mod citations;
pub mod cite;
pub mod identify;
pub mod proof;
pub mod references;
pub mod show;
pub mod urls;

pub use cite::{Citation, CiteOptions, cite};
pub use show::{ShowOptions, ShowReport, show};
