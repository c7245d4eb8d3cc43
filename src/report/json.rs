//! The JSON presenter: any report as one pretty-printed JSON document and a newline — the
//! schemas are the serde form of the report types (`docs/json-report.md`).

use std::io::Write;

use serde::Serialize;

use super::VerifyReport;
use crate::error::{Error, Result};

/// Writes `value` as one JSON document.
pub fn write<W: Write, T: Serialize>(w: &mut W, value: &T) -> Result<()> {
    write_with(w, value, || None)
}

/// Writes the report of a verification as one JSON document. An entry that cannot be read again
/// from the manifest is reported as the error it is, not as a failed write.
pub fn write_verify<W: Write>(w: &mut W, report: &VerifyReport) -> Result<()> {
    write_with(w, report, || report.files.take_failure())
}

fn write_with<W: Write, T: Serialize>(
    w: &mut W,
    value: &T,
    failure: impl FnOnce() -> Option<Error>,
) -> Result<()> {
    match serde_json::to_writer_pretty(&mut *w, value) {
        Ok(()) => writeln!(w).map_err(Error::Output),
        Err(e) => Err(failure().unwrap_or_else(|| {
            if e.is_io() {
                Error::Output(e.into())
            } else {
                Error::Internal(format!("cannot write the JSON report: {e}"))
            }
        })),
    }
}
