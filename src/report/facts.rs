//! What a sealed file's capture recorded (the HTTP exchange of `docseal fetch`, the WARC record
//! of `docseal import-warc`) as labelled values, in one order and under one set of labels for
//! every human report that prints them (`show`, `verify-proof`, `diff`). Values are as recorded:
//! the caller escapes them for the terminal.

use crate::provenance::{Capture, WarcOrigin};

/// Width of the label column, for reports that align values after it.
pub const LABEL_WIDTH: usize = 11;

/// Every capture and WARC fact, in order, as (label, value), the value `None` where it is not
/// recorded.
pub fn all(capture: &Capture, warc: Option<&WarcOrigin>) -> [(&'static str, Option<String>); 10] {
    let verified = warc.map(|w| {
        let words = w.verified.words();
        match words.is_empty() {
            true => "none".to_string(),
            false => words.join(", "),
        }
    });
    [
        (
            "final url",
            capture.final_url.as_ref().map(|u| u.as_str().to_string()),
        ),
        ("status", capture.http_status.map(|s| s.to_string())),
        ("type", capture.media_type.clone()),
        ("encoding", capture.content_encoding.clone()),
        ("etag", capture.etag.clone()),
        ("modified", capture.last_modified.clone()),
        ("warc file", warc.map(|w| w.file.clone())),
        ("record", warc.map(|w| w.record_id.clone())),
        ("warc date", warc.map(|w| w.date.clone())),
        ("digests", verified),
    ]
}

/// The recorded facts only, in order, as (label, value).
pub fn recorded(capture: &Capture, warc: Option<&WarcOrigin>) -> Vec<(&'static str, String)> {
    all(capture, warc)
        .into_iter()
        .filter_map(|(label, value)| Some((label, value?)))
        .collect()
}

/// The facts that differ between two records, in order, as (label, old value, new value), `None`
/// where a side does not record it.
pub fn changed(
    old: (&Capture, Option<&WarcOrigin>),
    new: (&Capture, Option<&WarcOrigin>),
) -> Vec<(&'static str, Option<String>, Option<String>)> {
    all(old.0, old.1)
        .into_iter()
        .zip(all(new.0, new.1))
        .filter_map(|((label, a), (_, b))| (a != b).then_some((label, a, b)))
        .collect()
}
