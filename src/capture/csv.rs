//! The CSV sources list, as a spreadsheet exports it: a header row naming the columns `path`,
//! `url` and `retrieved` (in any order; `path` required), then one row per file. Quoted fields
//! (with commas and line breaks inside), a UTF-8 byte-order mark and CRLF line endings are read;
//! an empty cell, or `unknown`, is an unknown value; other columns are kept as notes. Values are
//! validated as in the TOML list, and every error names the file and the line the row starts on.
//!
//! The `csv` crate parses; the line numbers are computed here from each record's byte offset,
//! because the crate counts lines wrongly with CRLF input.

use std::collections::BTreeMap;
use std::path::Path;

use super::sources::{Source, Sources};
use crate::error::{Error, Result, line_of};
use crate::provenance::{OriginUrl, Recorded, UNKNOWN, parse_recorded_time};
use crate::relpath::RelPath;

/// True when `path` names a CSV sources list (by its extension, in any case).
pub fn is_csv(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// Parses CSV sources-list text; `path` is used in messages.
pub fn parse(path: &Path, text: &str) -> Result<Sources> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let skipped = text.len() - body.len();
    let at = |offset: usize, message: String| Error::Parse {
        path: path.to_path_buf(),
        line: line_of(text, skipped + offset),
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(body.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| at(0, format!("cannot read the header row: {}", describe(&e))))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let Some(path_column) = column("path") else {
        return Err(at(
            0,
            "the header row has no \"path\" column; name the columns path,url,retrieved".into(),
        ));
    };
    let (url_column, time_column) = (column("url"), column("retrieved"));
    let mut entries = BTreeMap::new();
    let mut lines = crate::error::Lines::new(text);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let offset = e.position().map_or(body.len(), |p| {
                usize::try_from(p.byte()).unwrap_or(usize::MAX)
            });
            at(start_of_row(body, offset), describe(&e))
        })?;
        let offset = start_of_row(
            body,
            record
                .position()
                .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX)),
        );
        let line = lines.line_of(skipped + offset);
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        let rel = RelPath::new(cell(Some(path_column))).map_err(|m| at(offset, m))?;
        let origin = match cell(url_column) {
            "" | UNKNOWN => Recorded::Unknown,
            url => Recorded::Known(OriginUrl::parse(url).map_err(|m| at(offset, m))?),
        };
        let retrieved = match cell(time_column) {
            "" => Recorded::Unknown,
            time => parse_recorded_time(time).map_err(|m| at(offset, m))?,
        };
        let notes: Vec<(String, String)> = headers
            .iter()
            .zip(record.iter())
            .enumerate()
            .filter(|(i, (_, value))| {
                ![Some(path_column), url_column, time_column].contains(&Some(*i))
                    && !value.is_empty()
            })
            .map(|(_, (h, v))| (h.to_string(), v.to_string()))
            .collect();
        let source = Source::plain(origin, retrieved, line, notes);
        super::sources::add(&mut entries, rel, source).map_err(|m| at(offset, m))?;
    }
    Ok(Sources {
        path: path.to_path_buf(),
        entries,
        naming: None,
    })
}

/// The offset where a row's text starts: the crate's record offsets can point at the line
/// break before the row (the `\n` of a CRLF), which would count as the line before.
fn start_of_row(body: &str, offset: usize) -> usize {
    let rest = body.get(offset..).unwrap_or("");
    offset + (rest.len() - rest.trim_start_matches(['\r', '\n']).len())
}

/// The `csv` crate's error without its own (sometimes wrong) position.
fn describe(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "this row has {len} fields, the header row {expected_len}; quote a field that holds a comma"
        ),
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8 text".into(),
        _ => "not a valid CSV row".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Sources> {
        parse(Path::new("s.csv"), text)
    }

    #[test]
    fn a_spreadsheet_export_with_bom_crlf_quotes_and_notes_is_read() {
        let text = "\u{feff}path,url,retrieved,note\r\n\
                    a.txt,https://x.org/a,2024-09-30T14:00:00+02:00,\"first, with comma\"\r\n\
                    \"b, c.txt\",unknown,,\"two\r\nlines\"\r\n\
                    d.txt,,unknown,\r\n";
        let s = parse_text(text).unwrap();
        let a = &s.entries[&RelPath::new("a.txt").unwrap()];
        assert_eq!(a.retrieved.to_string(), "2024-09-30T12:00:00Z");
        assert_eq!(
            a.notes,
            [("note".to_string(), "first, with comma".to_string())]
        );
        let b = &s.entries[&RelPath::new("b, c.txt").unwrap()];
        assert!(b.origin.is_unknown() && b.retrieved.is_unknown());
        assert_eq!(b.line, 3);
        let d = &s.entries[&RelPath::new("d.txt").unwrap()];
        assert_eq!(d.line, 5, "the quoted line break counts");
    }

    #[test]
    fn bad_rows_are_reported_with_the_line_they_start_on() {
        for (text, line, message) in [
            ("path,url\r\na,x.org\r\n", 2, "is not absolute"),
            (
                "path,url,note\r\na,https://x.org,\"two\r\nlines\"\r\nc,https://x.org/c,n,extra\r\n",
                4,
                "this row has 4 fields",
            ),
            (
                "path,retrieved\na,yesterday\n",
                2,
                "is not an RFC 3339 time",
            ),
            ("url\nhttps://x.org\n", 1, "no \"path\" column"),
            (
                "path\na\nb\na\n",
                4,
                "duplicate source for \"a\" (first at line 2)",
            ),
            ("path\n../a\n", 2, "\"..\" segment"),
        ] {
            let err = parse_text(text).unwrap_err().to_string();
            assert!(err.starts_with(&format!("s.csv:{line}: ")), "{err}");
            assert!(err.contains(message), "{err}");
        }
    }
}
