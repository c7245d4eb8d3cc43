//! What can be shown or proven from a sealed manifest without reading the collection:
//! [`show()`], the recorded provenance of every file or of the files asked for, and [`cite()`],
//! what a citation of one sealed file carries, [`log()`], a chain of manifests with its links
//! checked, and [`diff()`], what changed between two manifests — each after the manifests'
//! signatures were checked against the trusted keys — and `proof`, the inclusion proof of one
//! sealed file (made from the manifest, checked offline).
//!
//! Nothing here reads the collection or formats text (the presenters are in `report/`).

pub mod chain;
pub mod citations;
pub mod cite;
pub mod diff;
pub mod identify;
pub mod proof;
pub mod references;
pub mod show;
pub mod urls;

pub use chain::{LogOptions, LogReport, log};
pub use cite::{Citation, CiteOptions, cite};
pub use diff::{DiffOptions, DiffReport, diff};
pub use show::{ShowOptions, ShowReport, show};
