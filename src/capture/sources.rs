//! The sources list: a TOML file with one `[[source]]` table per file giving its origin URL and
//! retrieval time, which `seal` attaches to the manifest entries. Missing or `"unknown"` values
//! stay unknown; every value present is validated, and every path must name a file being sealed.
//! A list written by `docseal fetch` (`capture/store.rs`) also holds, per file, what the HTTP
//! exchange said (the final URL and the redirects, the status and headers: [`Capture`]) and the
//! size and SHA-256 of what was stored, and may declare the folder's naming scheme.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::digest::Sha256Digest;
use crate::error::{Error, Result};
use crate::fsio;
use crate::provenance::{
    Capture, Naming, OriginUrl, Recorded, Timestamp, UNKNOWN, WarcOrigin, WarcVerified,
    parse_recorded_time,
};
use crate::relpath::RelPath;

/// Provenance for one file, from the sources list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// Where it was retrieved from.
    pub origin: Recorded<OriginUrl>,
    /// When it was retrieved.
    pub retrieved: Recorded<Timestamp>,
    /// The line of its `path` in the sources file, for messages.
    pub line: usize,
    /// Other columns of a CSV list (header, value), kept as they are.
    pub notes: Vec<(String, String)>,
    /// What the HTTP exchange that captured it said (a list written by `docseal fetch`).
    pub capture: Capture,
    /// The redirects followed from the origin to the final URL, in order.
    pub redirects: Vec<Redirect>,
    /// The `Content-Length` the final response announced.
    pub content_length: Option<u64>,
    /// The size of what was stored, when the list records it.
    pub size: Option<u64>,
    /// The SHA-256 of what was stored, when the list records it.
    pub sha256: Option<Sha256Digest>,
    /// The WARC record it was imported from (a list written by `docseal import-warc`).
    pub warc: Option<WarcOrigin>,
}

impl Source {
    /// The provenance of a file known only by its origin and retrieval time.
    pub fn plain(
        origin: Recorded<OriginUrl>,
        retrieved: Recorded<Timestamp>,
        line: usize,
        notes: Vec<(String, String)>,
    ) -> Self {
        Source {
            origin,
            retrieved,
            line,
            notes,
            capture: Capture::default(),
            redirects: Vec::new(),
            content_length: None,
            size: None,
            sha256: None,
            warc: None,
        }
    }
}

/// One redirect: the URL asked for and the status it answered with (its `Location` is the next
/// URL asked for).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The URL that answered with a redirect.
    pub url: OriginUrl,
    /// Its status (301, 302, 303, 307 or 308).
    pub status: u16,
}

/// A parsed sources list.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// The file it was read from.
    pub path: PathBuf,
    /// Provenance by collection path.
    pub entries: BTreeMap<RelPath, Source>,
    /// The naming scheme the list says its files follow (`naming`, written by `docseal fetch`).
    pub naming: Option<Naming>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSources {
    naming: Option<Spanned<String>>,
    #[serde(default)]
    source: Vec<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    path: Spanned<RelPath>,
    url: Option<Spanned<String>>,
    retrieved: Option<Spanned<toml::Value>>,
    final_url: Option<Spanned<String>>,
    #[serde(default)]
    redirects: Vec<RawRedirect>,
    http_status: Option<Spanned<i64>>,
    content_type: Option<Spanned<String>>,
    content_length: Option<u64>,
    content_encoding: Option<Spanned<String>>,
    etag: Option<Spanned<String>>,
    last_modified: Option<Spanned<String>>,
    size: Option<u64>,
    sha256: Option<Sha256Digest>,
    warc_file: Option<Spanned<String>>,
    warc_record_id: Option<Spanned<String>>,
    warc_date: Option<Spanned<String>>,
    warc_verified: Option<Spanned<Vec<String>>>,
}

/// The message for a WARC field without the others.
const WARC_TOGETHER: &str =
    "warc_file, warc_record_id and warc_date go together (with warc_verified); give all or none";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRedirect {
    url: Spanned<String>,
    status: Spanned<i64>,
}

/// Adds a file's source to `entries`; a second source for one path is refused, naming the line
/// of the first.
pub(super) fn add(
    entries: &mut BTreeMap<RelPath, Source>,
    path: RelPath,
    source: Source,
) -> std::result::Result<(), String> {
    if let Some(first) = entries.get(&path) {
        return Err(format!(
            "duplicate source for \"{}\" (first at line {}); list each file once",
            path.as_str().escape_debug(),
            first.line
        ));
    }
    entries.insert(path, source);
    Ok(())
}

impl Sources {
    /// Reads and parses a sources list: CSV when its name ends in `.csv`, else TOML.
    pub fn load(path: &Path) -> Result<Self> {
        let text = fsio::read_text_at_most(path, "sources list", fsio::SOURCES_MAX)?;
        if super::csv::is_csv(path) {
            return super::csv::parse(path, &text);
        }
        Self::parse(path, &text)
    }

    /// Parses sources-list text; `path` is used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let raw: RawSources = toml::from_str(text).map_err(|e| Error::from_toml(path, text, &e))?;
        let at = |offset: usize, msg: String| Error::at_offset(path, text, offset, msg);
        let mut entries = BTreeMap::new();
        let mut lines = crate::error::Lines::new(text);
        let naming = raw
            .naming
            .map(|n| Naming::parse(n.get_ref()).map_err(|m| at(n.span().start, m)))
            .transpose()?;
        for s in raw.source {
            let start = s.path.span().start;
            let rel = s.path.into_inner();
            let origin = match s.url {
                None => Recorded::Unknown,
                Some(u) if u.get_ref() == UNKNOWN => Recorded::Unknown,
                Some(u) => Recorded::Known(
                    OriginUrl::parse(u.get_ref()).map_err(|m| at(u.span().start, m))?,
                ),
            };
            let retrieved = match s.retrieved {
                None => Recorded::Unknown,
                Some(t) => {
                    let offset = t.span().start;
                    let raw = text.get(t.span()).unwrap_or_default().to_string();
                    let text_value = match t.into_inner() {
                        toml::Value::String(s) => s,
                        // The parser keeps nanoseconds at most: a time written with more
                        // digits is checked as written, so that it is refused, not shortened.
                        toml::Value::Datetime(d) => match raw.split_once('.') {
                            Some((_, fraction))
                                if fraction.bytes().take_while(u8::is_ascii_digit).count() > 9 =>
                            {
                                raw
                            }
                            _ => d.to_string(),
                        },
                        other => {
                            return Err(at(
                                offset,
                                format!(
                                    "retrieved must be an RFC 3339 time or \"unknown\", not a {}",
                                    other.type_str()
                                ),
                            ));
                        }
                    };
                    parse_recorded_time(&text_value).map_err(|m| at(offset, m))?
                }
            };
            let line = lines.line_of(start);
            let url = |u: Spanned<String>| {
                OriginUrl::parse(u.get_ref()).map_err(|m| at(u.span().start, m))
            };
            let status = |v: Spanned<i64>, what: &str| {
                u16::try_from(*v.get_ref())
                    .ok()
                    .filter(|s| (100..=599).contains(s))
                    .ok_or_else(|| {
                        at(
                            v.span().start,
                            format!(
                                "{what} {} is not an HTTP status code (100 to 599)",
                                v.get_ref()
                            ),
                        )
                    })
            };
            let header = |v: Option<Spanned<String>>, field: &str| {
                v.map(|v| match v.get_ref() {
                    t if t.is_empty() || t.chars().any(char::is_control) => Err(at(
                        v.span().start,
                        format!(
                            "{field} must be the header's text: not empty, no control characters"
                        ),
                    )),
                    _ => Ok(v.into_inner()),
                })
                .transpose()
            };
            let capture = Capture {
                final_url: s.final_url.map(url).transpose()?,
                http_status: s
                    .http_status
                    .map(|v| status(v, "http_status"))
                    .transpose()?,
                media_type: header(s.content_type, "content_type")?,
                content_encoding: header(s.content_encoding, "content_encoding")?,
                etag: header(s.etag, "etag")?,
                last_modified: header(s.last_modified, "last_modified")?,
            };
            let redirects = s
                .redirects
                .into_iter()
                .map(|r| {
                    Ok(Redirect {
                        status: status(r.status, "redirect status")?,
                        url: url(r.url)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let warc = match (s.warc_file, s.warc_record_id, s.warc_date) {
                (None, None, None) => match s.warc_verified {
                    None => None,
                    Some(v) => return Err(at(v.span().start, WARC_TOGETHER.to_string())),
                },
                (Some(file), Some(record_id), Some(date)) => {
                    let text = |v: Spanned<String>, field: &str| {
                        WarcOrigin::check_text(v.get_ref(), field)
                            .map_err(|m| at(v.span().start, m))?;
                        Ok::<_, Error>(v.into_inner())
                    };
                    let verified = match s.warc_verified {
                        None => WarcVerified::default(),
                        Some(v) => WarcVerified::from_words(v.get_ref())
                            .map_err(|m| at(v.span().start, m))?,
                    };
                    Some(WarcOrigin {
                        file: text(file, "warc_file")?,
                        record_id: text(record_id, "warc_record_id")?,
                        date: text(date, "warc_date")?,
                        verified,
                    })
                }
                _ => return Err(at(start, WARC_TOGETHER.to_string())),
            };
            let source = Source {
                warc,
                capture,
                redirects,
                content_length: s.content_length,
                size: s.size,
                sha256: s.sha256,
                ..Source::plain(origin, retrieved, line, Vec::new())
            };
            add(&mut entries, rel, source).map_err(|m| at(start, m))?;
        }
        Ok(Sources {
            path: path.to_path_buf(),
            entries,
            naming,
        })
    }

    /// Checks that every entry names a file that is being sealed.
    pub fn check_all_present(&self, is_present: impl Fn(&RelPath) -> bool) -> Result<()> {
        match self.entries.iter().find(|(p, _)| !is_present(p)) {
            None => Ok(()),
            Some((p, s)) => Err(Error::Parse {
                path: self.path.clone(),
                line: s.line,
                message: format!(
                    "source for \"{}\", which is not a file in the collection; fix the path or remove the entry",
                    p.as_str().escape_debug()
                ),
            }),
        }
    }

    /// The provenance for `path`, or unknown for both fields.
    pub fn provenance(&self, path: &RelPath) -> (Recorded<OriginUrl>, Recorded<Timestamp>) {
        match self.entries.get(path) {
            Some(s) => (s.origin.clone(), s.retrieved.clone()),
            None => (Recorded::Unknown, Recorded::Unknown),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Sources> {
        Sources::parse(Path::new("s.toml"), text)
    }

    #[test]
    fn strings_native_datetimes_and_unknowns_are_all_read() {
        let s = parse(
            "[[source]]\npath = \"a\"\nurl = \"https://x.org/a\"\nretrieved = 2024-09-30T14:00:00+02:00\n\
             [[source]]\npath = \"b\"\nretrieved = \"2024-09-30T12:00:00Z\"\n\
             [[source]]\npath = \"c\"\nurl = \"unknown\"\nretrieved = \"unknown\"\n",
        )
        .unwrap();
        let a = &s.entries[&RelPath::new("a").unwrap()];
        assert_eq!(a.retrieved.to_string(), "2024-09-30T12:00:00Z");
        assert_eq!(a.origin.to_string(), "https://x.org/a");
        assert!(s.entries[&RelPath::new("b").unwrap()].origin.is_unknown());
        assert!(
            s.entries[&RelPath::new("c").unwrap()]
                .retrieved
                .is_unknown()
        );
    }

    #[test]
    fn bad_values_are_reported_with_their_line() {
        let e = parse("[[source]]\npath = \"a\"\nurl = \"x.org/a\"\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("s.toml:3: URL \"x.org/a\" is not absolute"),
            "{e}"
        );
        let e = parse("[[source]]\npath = \"a\"\nretrieved = \"30/09/2024\"\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("s.toml:3: \"30/09/2024\" is not an RFC 3339 time"),
            "{e}"
        );
        let e = parse("[[source]]\npath = \"a\"\nretrieved = 2024-09-30T12:00:00\n").unwrap_err();
        assert!(e.to_string().contains("s.toml:3:"), "{e}");
        let e = parse("[[source]]\npath = \"../a\"\n").unwrap_err();
        assert!(e.to_string().contains("s.toml:2:"), "{e}");
        let e = parse("[[source]]\npath = \"a\"\n[[source]]\npath = \"a\"\n").unwrap_err();
        assert!(e.to_string().contains("s.toml:4: duplicate source"), "{e}");
        let e = parse("[[source]]\npath = \"a\"\nsha = 1\n").unwrap_err();
        assert!(e.to_string().contains("s.toml:3:"), "{e}");
    }

    #[test]
    fn what_fetch_records_is_read_and_checked() {
        let s = parse(
            "naming = \"sha256-prefix\"\n[[source]]\npath = \"000_a.txt\"\nurl = \"http://x.org/a\"\n\
             retrieved = \"2026-12-02T01:02:03.5Z\"\nfinal_url = \"http://x.org/b\"\n\
             redirects = [{ url = \"http://x.org/a\", status = 301 }]\nhttp_status = 200\n\
             content_type = \"text/plain\"\ncontent_encoding = \"gzip\"\netag = '\"e\"'\n\
             last_modified = \"Wed, 02 Dec 2026 00:00:00 GMT\"\ncontent_length = 3\nsize = 3\n\
             sha256 = \"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\"\n",
        )
        .unwrap();
        assert_eq!(s.naming, Some(Naming::Sha256Prefix));
        let a = &s.entries[&RelPath::new("000_a.txt").unwrap()];
        assert_eq!(a.capture.http_status, Some(200));
        assert_eq!(a.capture.etag.as_deref(), Some("\"e\""));
        assert_eq!(a.capture.media_type.as_deref(), Some("text/plain"));
        assert_eq!(a.redirects.len(), 1);
        assert_eq!(a.redirects[0].status, 301);
        assert_eq!((a.size, a.content_length), (Some(3), Some(3)));
        assert!(a.sha256.is_some());
        let w = parse(
            "[[source]]\npath = \"a\"\nretrieved = \"unknown\"\nwarc_file = \"c.warc.gz\"\n\
             warc_record_id = \"<urn:uuid:1>\"\nwarc_date = \"2016-01\"\nwarc_verified = [\"block\"]\n",
        )
        .unwrap();
        let w = &w.entries[&RelPath::new("a").unwrap()];
        assert!(w.retrieved.is_unknown());
        assert_eq!(
            w.warc,
            Some(WarcOrigin {
                file: "c.warc.gz".into(),
                record_id: "<urn:uuid:1>".into(),
                date: "2016-01".into(),
                verified: WarcVerified::from_bits(WarcVerified::BLOCK).unwrap(),
            })
        );
        for (bad, says) in [
            ("naming = \"md5\"\n", "s.toml:1: unknown naming scheme"),
            (
                "[[source]]\npath = \"a\"\nhttp_status = 42\n",
                "s.toml:3: http_status 42",
            ),
            (
                "[[source]]\npath = \"a\"\netag = \"\"\n",
                "s.toml:3: etag must be",
            ),
            (
                "[[source]]\npath = \"a\"\nfinal_url = \"x/y\"\n",
                "s.toml:3: URL \"x/y\"",
            ),
            (
                "[[source]]\npath = \"a\"\nredirects = [{ url = \"http://x.org/\", status = 200000 }]\n",
                "s.toml:3: redirect status 200000",
            ),
            (
                "[[source]]\npath = \"a\"\nredirects = [{ url = \"http://x.org/\", code = 301 }]\n",
                "s.toml:3:",
            ),
            ("[[source]]\npath = \"a\"\nsha256 = \"abc\"\n", "s.toml:3:"),
            (
                "[[source]]\npath = \"a\"\nwarc_file = \"c.warc\"\n",
                "s.toml:2: warc_file, warc_record_id and warc_date go together",
            ),
            (
                "[[source]]\npath = \"a\"\nwarc_verified = []\n",
                "s.toml:3: warc_file, warc_record_id and warc_date go together",
            ),
            (
                "[[source]]\npath = \"a\"\nwarc_file = \"c.warc\"\nwarc_record_id = \"<urn:x>\"\n\
                 warc_date = \"2016\"\nwarc_verified = [\"bogus\"]\n",
                "s.toml:6: warc_verified holds \"bogus\"",
            ),
            (
                "[[source]]\npath = \"a\"\nwarc_file = \"c.warc\"\nwarc_record_id = \"<urn:x>\"\n\
                 warc_date = \"2016-1\"\n",
                "s.toml:5: warc_date: WARC-Date \"2016-1\" is not a W3C date",
            ),
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.to_string().starts_with(says), "{bad:?}: {e}");
        }
    }
}
