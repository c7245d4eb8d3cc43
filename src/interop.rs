//! Other tools' formats, read and written exactly as those tools read and write them: the
//! checksum list of GNU coreutils' `sha256sum` ([`sha256sum`]) and BagIt bags ([`bagit`]).
//!
//! Nothing here decides whether a manifest is trusted (the orchestrators check the signature
//! before anything is exported), and nothing here formats a report.

pub mod bagit;
pub mod sha256sum;
