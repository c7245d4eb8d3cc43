//! Other tools' formats, read and written exactly as those tools read and write them: today the
//! checksum list of GNU coreutils' `sha256sum` ([`sha256sum`]). BagIt bags come here.
//!
//! Nothing here decides whether a manifest is trusted (the orchestrators check the signature
//! before anything is exported), and nothing here formats a report.

pub mod sha256sum;
