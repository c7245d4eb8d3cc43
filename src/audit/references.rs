//! Bibliographies an auditor hands docseal — BibTeX or BibLaTeX, CSL-JSON, or a plain list of URLs
//! — read into the references they make to web pages: the URL, and the day the author says it was
//! accessed. One entry at a time, so that a malformed entry is reported with its line while every
//! other entry is still read.
//!
//! BibTeX and BibLaTeX are parsed by the `biblatex` crate, which fails a whole file on one bad
//! entry: the file is split into its entries here (at each `@type{` or `@type(` outside braces,
//! to the matching close), and each entry is parsed alone, after the `@string` definitions that
//! precede it (BibTeX's rule: a string is defined before it is used). What lies between entries,
//! and `@comment` entries (JabRef's `@Comment{jabref-meta: …}`), is commentary and skipped. The
//! crate counts months and days from zero; [`CitedDate`] counts them from one. It also reads a
//! quoted value holding `{"}` as ending there, silently dropping the entry's later fields: `{"}`
//! is given to it as `{'}`. The URL is the
//! `url` field, else a `\url{…}` in `howpublished` (as BibTeX styles without a `url` field make
//! people write); the access date is `urldate`, else an "accessed …" in `note`.
//!
//! CSL-JSON is an array of items: it is split into its elements here (strings and nesting
//! followed) and each element is read by `serde_json` on its own, for the same reason and to know
//! each item's line. `accessed` is read in every shape CSL-JSON uses: `date-parts` (numbers or
//! numeric strings, one to three parts), `raw`, `literal` and EDTF strings.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::fsio;

/// The largest bibliography read (a Zotero export of 10⁵ items is about 100 MB).
pub const BIBLIOGRAPHY_MAX: u64 = 256 << 20;

/// The kinds of bibliography file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// BibTeX or BibLaTeX (`@online{key, url = …}`).
    Bibtex,
    /// A CSL-JSON array, as Zotero, Mendeley and pandoc write it.
    CslJson,
    /// One URL per line, optionally followed by the day it was accessed; `#` starts a comment.
    UrlList,
}

impl Format {
    /// The format's name, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Format::Bibtex => "BibTeX/BibLaTeX",
            Format::CslJson => "CSL-JSON",
            Format::UrlList => "list of URLs",
        }
    }
}

/// The day a reference says its page was accessed; the month and day may be unknown (a citation
/// of "2016-01"). Months and days count from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CitedDate {
    /// The year.
    pub year: i32,
    /// The month, 1–12, if cited.
    pub month: Option<u8>,
    /// The day of the month, 1–31, if cited (only with a month).
    pub day: Option<u8>,
}

impl CitedDate {
    /// A date from its parts, checked (a day only with a month; the day exists in that month).
    pub fn new(year: i32, month: Option<u8>, day: Option<u8>) -> Option<Self> {
        let month = match month {
            Some(m) => Some(time::Month::try_from(m).ok()?),
            None => None,
        };
        match (month, day) {
            (None, Some(_)) => return None,
            (Some(m), Some(d)) => {
                time::Date::from_calendar_date(year, m, d).ok()?;
            }
            _ => {}
        }
        Some(CitedDate {
            year,
            month: month.map(u8::from),
            day,
        })
    }

    /// As it is written: `2020-08-22`, `2020-08` or `2020`.
    pub fn display(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }
}

/// One reference to a web page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// The line its entry starts on.
    pub line: usize,
    /// The citation key (BibTeX), the item's `id` (CSL-JSON), or `line N` (a list of URLs).
    pub key: String,
    /// The URL cited, as written.
    pub url: String,
    /// The day it says the page was accessed, if it says.
    pub cited: Option<CitedDate>,
}

/// An entry that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Malformed {
    /// The line its entry starts on (or where the problem is).
    pub line: usize,
    /// Its key, when that much could be read.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// What a bibliography cites.
#[derive(Clone, Debug, Serialize)]
pub struct Bibliography {
    /// The file it was read from.
    pub path: PathBuf,
    /// Its format, recognised from its content.
    pub format: Format,
    /// The references to web pages, in the order they appear.
    pub references: Vec<Reference>,
    /// Entries that could not be read.
    pub malformed: Vec<Malformed>,
    /// Keys of the entries that cite no URL (books, articles): nothing to audit.
    pub without_url: Vec<String>,
}

/// Reads the bibliography at `path`, recognising its format from its content. `Err` only when
/// the file cannot be read at all (or is not text); a malformed entry is in
/// [`Bibliography::malformed`].
pub fn read(path: &Path) -> Result<Bibliography> {
    let text = fsio::read_text_at_most(path, "bibliography", BIBLIOGRAPHY_MAX)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let format = detect(text);
    let mut bib = Bibliography {
        path: path.to_path_buf(),
        format,
        references: Vec::new(),
        malformed: Vec::new(),
        without_url: Vec::new(),
    };
    match format {
        Format::Bibtex => read_bibtex(text, &mut bib),
        Format::CslJson => read_csl_json(path, text, &mut bib)?,
        Format::UrlList => read_url_list(text, &mut bib),
    }
    // A URL that is not absolute names no page: the entry is malformed, not unsealed.
    let (references, not_urls): (Vec<_>, Vec<_>) = std::mem::take(&mut bib.references)
        .into_iter()
        .partition(|r| url::Url::parse(&r.url).is_ok());
    bib.references = references;
    bib.malformed
        .extend(not_urls.into_iter().map(|r| Malformed {
            line: r.line,
            key: Some(r.key),
            message: format!(
                "\"{}\" is not an absolute URL (https://…)",
                r.url.escape_debug()
            ),
        }));
    Ok(bib)
}

/// CSL-JSON starts with `[` (or is one item, `{`); BibTeX has an `@` entry; anything else is a
/// list of URLs.
fn detect(text: &str) -> Format {
    let start = text.trim_start();
    if start.starts_with('[') || start.starts_with('{') {
        return Format::CslJson;
    }
    let has_entry = text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with('@') && l[1..].starts_with(|c: char| c.is_ascii_alphabetic())
    });
    if has_entry {
        Format::Bibtex
    } else {
        Format::UrlList
    }
}

/// The 1-based line of byte `offset` of `text`.
fn line_at(text: &str, offset: usize) -> usize {
    1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..offset.min(text.len())]).count()
}

// ---------------------------------------------------------------------------------------------
// BibTeX and BibLaTeX

/// One `@type{…}` entry of a BibTeX file, found by [`split_bibtex`].
struct RawEntry<'a> {
    /// Its type, lower-cased (`online`, `string`, `comment`).
    kind: String,
    /// Its text, from `@` to the closing delimiter.
    text: &'a str,
    /// Its byte offset in the file.
    offset: usize,
}

/// Splits BibTeX text into its entries; an entry whose delimiters never close is given up to
/// the end of the text (its parse then fails, with its line).
fn split_bibtex(text: &str) -> Vec<RawEntry<'_>> {
    let bytes = text.as_bytes();
    let mut entries = Vec::new();
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'@', &bytes[i..]) {
        let start = i + at;
        let mut j = start + 1;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
            j += 1;
        }
        let kind = text[start + 1..j].to_ascii_lowercase();
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        let close = match bytes.get(j) {
            Some(b'{') => b'}',
            Some(b'(') => b')',
            // Not an entry (an address in a comment): go on after the `@`.
            _ => {
                i = start + 1;
                continue;
            }
        };
        if kind.is_empty() {
            i = start + 1;
            continue;
        }
        // Braces nest inside the entry; it ends at the closing delimiter outside all of them. A
        // line that starts another entry ends one that never closed (its parse then fails), so
        // that one missing brace does not swallow the entries after it.
        let mut depth = 0usize;
        let mut end = bytes.len();
        for (k, &b) in bytes.iter().enumerate().skip(j + 1) {
            match b {
                b'{' => depth += 1,
                b'}' if depth > 0 => depth -= 1,
                b if b == close && depth == 0 => {
                    end = k + 1;
                    break;
                }
                b'\n' if starts_entry(&text[k + 1..]) => {
                    end = k;
                    break;
                }
                _ => {}
            }
        }
        entries.push(RawEntry {
            kind,
            text: &text[start..end],
            offset: start,
        });
        i = end;
    }
    entries
}

/// True when `line` (the text after a line break) starts an entry: `@type{` or `@type(`.
fn starts_entry(line: &str) -> bool {
    let Some(rest) = line.trim_start_matches([' ', '\t']).strip_prefix('@') else {
        return false;
    };
    let word = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    word > 0
        && rest[word..]
            .trim_start_matches([' ', '\t'])
            .starts_with(['{', '('])
}

fn read_bibtex(text: &str, bib: &mut Bibliography) {
    // The @string definitions seen so far, given to each entry's parse.
    let mut strings = String::new();
    for entry in split_bibtex(text) {
        let line = line_at(text, entry.offset);
        match entry.kind.as_str() {
            "comment" | "preamble" => continue,
            "string" => {
                match biblatex::Bibliography::parse(&format!("{strings}{}\n", entry.text)) {
                    Ok(_) => {
                        strings.push_str(entry.text);
                        strings.push('\n');
                    }
                    Err(e) => bib.malformed.push(Malformed {
                        line,
                        key: None,
                        message: format!("@string definition cannot be read: {}", e.kind),
                    }),
                }
                continue;
            }
            _ => {}
        }
        // The crate reads a quoted value holding `{"}` (BibTeX's way of writing a double quote
        // inside "…") as ending there and silently drops every later field of the entry; `{'}`
        // is the same length, so offsets in errors stay true, and no field docseal reads
        // depends on it.
        let source = format!("{strings}{}\n", entry.text.replace("{\"}", "{'}"));
        let key = bibtex_key(entry.text);
        let parsed = match biblatex::Bibliography::parse(&source) {
            Ok(parsed) => parsed,
            Err(e) => {
                // The error's place, in the file: its offset in the entry, after the strings.
                let at = e
                    .span
                    .start
                    .saturating_sub(strings.len())
                    .min(entry.text.len());
                bib.malformed.push(Malformed {
                    line: line_at(text, entry.offset + at),
                    key,
                    message: format!("@{} entry cannot be read: {}", entry.kind, e.kind),
                });
                continue;
            }
        };
        for e in parsed.iter() {
            match bibtex_reference(e, line) {
                Ok(Some(r)) => bib.references.push(r),
                Ok(None) => bib.without_url.push(e.key.clone()),
                Err(message) => bib.malformed.push(Malformed {
                    line,
                    key: Some(e.key.clone()),
                    message,
                }),
            }
        }
    }
}

/// The citation key of an entry's text (`@online{key,` → `key`), if it has one.
fn bibtex_key(entry: &str) -> Option<String> {
    let open = entry.find(['{', '('])?;
    let rest = &entry[open + 1..];
    let key = rest[..rest.find(',').unwrap_or(rest.len())].trim();
    (!key.is_empty() && !key.contains(['\n', '='])).then(|| key.to_string())
}

/// The reference an entry makes: `None` when it cites no URL.
fn bibtex_reference(
    e: &biblatex::Entry,
    line: usize,
) -> std::result::Result<Option<Reference>, String> {
    use biblatex::ChunksExt;
    let field = |name: &str| e.get(name).map(|chunks| chunks.format_verbatim());
    let url = match field("url") {
        Some(url) => Some(url.trim().to_string()),
        None => field("howpublished").and_then(|h| latex_url(&h)),
    };
    let Some(url) = url.filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let cited = match (e.get("urldate"), field("note")) {
        (Some(_), _) => match e.url_date() {
            Ok(biblatex::PermissiveType::Typed(date)) => Some(biblatex_date(&date)?),
            Ok(biblatex::PermissiveType::Chunks(chunks)) => {
                Some(parse_day(&chunks.format_verbatim()).ok_or_else(|| {
                    format!("urldate \"{}\" is not a date", chunks.format_verbatim())
                })?)
            }
            Err(err) => return Err(format!("urldate cannot be read: {err:?}")),
        },
        (None, Some(note)) => accessed_in_note(&note),
        (None, None) => None,
    };
    Ok(Some(Reference {
        line,
        key: e.key.clone(),
        url,
        cited,
    }))
}

/// The day of a `biblatex` date, whose months and days count from zero; a range cites its start.
fn biblatex_date(date: &biblatex::Date) -> std::result::Result<CitedDate, String> {
    let at = match date.value {
        biblatex::DateValue::At(d)
        | biblatex::DateValue::After(d)
        | biblatex::DateValue::Between(d, _)
        | biblatex::DateValue::Before(d) => d,
    };
    CitedDate::new(at.year, at.month.map(|m| m + 1), at.day.map(|d| d + 1))
        .ok_or_else(|| "urldate is not a date that exists".to_string())
}

/// The URL of a `\url{…}` (or `\href{…}`) in a field's text.
fn latex_url(text: &str) -> Option<String> {
    for command in ["\\url{", "\\href{", "url{"] {
        if let Some(start) = text.find(command) {
            let rest = &text[start + command.len()..];
            return rest.find('}').map(|end| rest[..end].trim().to_string());
        }
    }
    let t = text.trim();
    (t.starts_with("http://") || t.starts_with("https://")).then(|| t.to_string())
}

/// The day in a note such as `Accessed: 2020-08-22`, `accessed 22 August 2020`, `[Online;
/// accessed 22-August-2020]` or `Retrieved August 22, 2020`.
fn accessed_in_note(note: &str) -> Option<CitedDate> {
    let lower = note.to_lowercase();
    ["accessed", "retrieved", "visited", "last checked"]
        .iter()
        .filter_map(|word| lower.find(word).map(|at| at + word.len()))
        .find_map(|after| {
            let rest = note[after..].trim_start_matches([':', ' ', 'o', 'n']);
            parse_day(rest.trim_end_matches([']', '.', ')', '}']))
        })
}

// ---------------------------------------------------------------------------------------------
// Days as people write them

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_named(word: &str) -> Option<u8> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&w))
        .and_then(|i| u8::try_from(i + 1).ok())
}

/// A day written `2020-08-22` (also `2020-08-22T10:00:00Z`, `2020-08`, `2020`, `2020/08/22`),
/// `22 August 2020`, `22-Aug-2020`, `August 22, 2020` or `Aug. 22 2020`.
pub fn parse_day(s: &str) -> Option<CitedDate> {
    let s = s.trim();
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-' || c == '/')
        .filter(|w| !w.is_empty())
        .collect();
    let num = |w: &str| w.parse::<u32>().ok();
    // ISO: the first word is a year of four digits.
    if let Some(first) = words.first()
        && first.len() == 4
        && let Some(year) = num(first)
    {
        let rest: Vec<&str> = words[1..]
            .iter()
            .map(|w| w.split('T').next().unwrap_or(w))
            .collect();
        let month = rest.first().and_then(|w| num(w)).map(|m| m as u8);
        let day = rest.get(1).and_then(|w| num(w)).map(|d| d as u8);
        if rest.len() > 3 || (!rest.is_empty() && month.is_none()) {
            return None;
        }
        return CitedDate::new(year as i32, month, day);
    }
    match words.as_slice() {
        // 22 August 2020
        [d, m, y, ..] if num(d).is_some() && month_named(m).is_some() => CitedDate::new(
            i32::try_from(num(y)?).ok()?,
            month_named(m),
            Some(u8::try_from(num(d)?).ok()?),
        ),
        // August 22 2020
        [m, d, y, ..] if month_named(m).is_some() && num(d).is_some() => CitedDate::new(
            i32::try_from(num(y)?).ok()?,
            month_named(m),
            Some(u8::try_from(num(d)?).ok()?),
        ),
        // August 2020
        [m, y] if month_named(m).is_some() => {
            CitedDate::new(i32::try_from(num(y)?).ok()?, month_named(m), None)
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// CSL-JSON

/// The byte ranges of the elements of the JSON array `text` (which starts with `[` after white
/// space), or `None` when its brackets and strings do not balance.
fn split_json_array(text: &str) -> Option<Vec<std::ops::Range<usize>>> {
    let bytes = text.as_bytes();
    let open = text.find('[')?;
    let mut items = Vec::new();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut start = None;
    for (i, &b) in bytes.iter().enumerate().skip(open + 1) {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                start.get_or_insert(i);
            }
            b'{' | b'[' => {
                depth += 1;
                start.get_or_insert(i);
            }
            b'}' | b']' if depth > 0 => depth -= 1,
            b']' => {
                if let Some(s) = start.take() {
                    items.push(s..s + text[s..i].trim_end().len());
                }
                return Some(items);
            }
            b',' if depth == 0 => {
                if let Some(s) = start.take() {
                    items.push(s..s + text[s..i].trim_end().len());
                }
            }
            b if b.is_ascii_whitespace() => {}
            _ => {
                start.get_or_insert(i);
            }
        }
    }
    None
}

fn read_csl_json(path: &Path, text: &str, bib: &mut Bibliography) -> Result<()> {
    let trimmed = text.trim_start();
    let ranges = if trimmed.starts_with('{') {
        let at = text.len() - trimmed.len();
        std::iter::once(at..text.len()).collect()
    } else {
        split_json_array(text).ok_or_else(|| {
            Error::invalid(
                path,
                "is not a CSL-JSON array: its brackets or strings do not close; export the bibliography again",
            )
        })?
    };
    for range in ranges {
        let line = line_at(text, range.start);
        let item: serde_json::Value = match serde_json::from_str(&text[range.clone()]) {
            Ok(v) => v,
            Err(e) => {
                // serde_json places the error in the item; the line is placed in the file.
                let what = e.to_string();
                let what = what.split(" at line ").next().unwrap_or(&what).to_string();
                bib.malformed.push(Malformed {
                    line: line + e.line().saturating_sub(1),
                    key: None,
                    message: format!("CSL-JSON item cannot be read: {what}"),
                });
                continue;
            }
        };
        let key = item
            .get("id")
            .map(|id| match id {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .unwrap_or_else(|| format!("item at line {line}"));
        let Some(obj) = item.as_object() else {
            bib.malformed.push(Malformed {
                line,
                key: None,
                message: "CSL-JSON item is not an object".into(),
            });
            continue;
        };
        let url = match obj.get("URL") {
            None | Some(serde_json::Value::Null) => {
                bib.without_url.push(key);
                continue;
            }
            Some(serde_json::Value::String(u)) if !u.trim().is_empty() => u.trim().to_string(),
            Some(_) => {
                bib.malformed.push(Malformed {
                    line,
                    key: Some(key),
                    message: "URL is not a string".into(),
                });
                continue;
            }
        };
        let cited = match obj.get("accessed") {
            None | Some(serde_json::Value::Null) => None,
            Some(date) => match csl_date(date) {
                Some(d) => Some(d),
                None => {
                    bib.malformed.push(Malformed {
                        line,
                        key: Some(key),
                        message: format!("accessed {date} is not a date docseal can read"),
                    });
                    continue;
                }
            },
        };
        bib.references.push(Reference {
            line,
            key,
            url,
            cited,
        });
    }
    Ok(())
}

/// A CSL-JSON date: `{"date-parts": [[2020, 8, 22]]}` (numbers or numeric strings, one to three
/// parts; a range cites its start), `{"raw": "2020-08-22"}`, `{"literal": "…"}`, or an EDTF
/// string `"2020-08-22"`.
fn csl_date(date: &serde_json::Value) -> Option<CitedDate> {
    use serde_json::Value;
    match date {
        Value::String(s) => parse_day(s),
        Value::Object(o) => {
            if let Some(Value::Array(ranges)) = o.get("date-parts") {
                let Value::Array(parts) = ranges.first()? else {
                    return None;
                };
                let part = |i: usize| -> Option<Option<i64>> {
                    match parts.get(i) {
                        None => Some(None),
                        Some(Value::Number(n)) => n.as_i64().map(Some),
                        Some(Value::String(s)) => s.trim().parse().ok().map(Some),
                        Some(_) => None,
                    }
                };
                let year = i32::try_from(part(0)??).ok()?;
                let month = part(1)?.map(u8::try_from).transpose().ok()?;
                let day = part(2)?.map(u8::try_from).transpose().ok()?;
                return CitedDate::new(year, month, day);
            }
            ["raw", "literal", "edtf"]
                .iter()
                .find_map(|k| o.get(*k).and_then(Value::as_str))
                .and_then(parse_day)
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Lists of URLs

fn read_url_list(text: &str, bib: &mut Bibliography) {
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.split(" #").next().unwrap_or("").trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let (url, rest) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
        let cited = match rest.trim() {
            "" => None,
            day => match parse_day(day) {
                Some(d) => Some(d),
                None => {
                    bib.malformed.push(Malformed {
                        line,
                        key: None,
                        message: format!(
                            "\"{}\" after the URL is not a date (write the day it was accessed as 2020-08-22)",
                            day.escape_debug()
                        ),
                    });
                    continue;
                }
            },
        };
        bib.references.push(Reference {
            line,
            key: format!("line {line}"),
            url: url.to_string(),
            cited,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u8, d: u8) -> Option<CitedDate> {
        CitedDate::new(y, Some(m), Some(d))
    }

    #[test]
    fn days_are_read_as_people_write_them() {
        for s in [
            "2020-08-22",
            "2020-08-22T10:11:12Z",
            "2020/08/22",
            "22 August 2020",
            "22-Aug-2020",
            "August 22, 2020",
            "Aug. 22 2020",
        ] {
            assert_eq!(parse_day(s), day(2020, 8, 22), "{s}");
        }
        assert_eq!(parse_day("2016-01"), CitedDate::new(2016, Some(1), None));
        assert_eq!(parse_day("2016"), CitedDate::new(2016, None, None));
        for bad in ["2020-13-01", "2021-02-29", "yesterday", "", "22/08/2020"] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn csl_dates_in_all_their_shapes() {
        let v = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
        assert_eq!(
            csl_date(&v(r#"{"date-parts":[[2020,8,22]]}"#)),
            day(2020, 8, 22)
        );
        assert_eq!(
            csl_date(&v(r#"{"date-parts":[["2020","8","22"]]}"#)),
            day(2020, 8, 22)
        );
        assert_eq!(
            csl_date(&v(r#"{"date-parts":[[2020,8]]}"#)),
            CitedDate::new(2020, Some(8), None)
        );
        assert_eq!(
            csl_date(&v(r#"{"date-parts":[[2020,8,1],[2020,8,9]]}"#)),
            day(2020, 8, 1)
        );
        assert_eq!(csl_date(&v(r#"{"raw":"2020-08-22"}"#)), day(2020, 8, 22));
        assert_eq!(
            csl_date(&v(r#"{"literal":"22 August 2020"}"#)),
            day(2020, 8, 22)
        );
        assert_eq!(csl_date(&v(r#""2020-08-22""#)), day(2020, 8, 22));
        assert_eq!(csl_date(&v(r#"{"date-parts":[[2020,2,30]]}"#)), None);
        assert_eq!(csl_date(&v(r#"{"season":1}"#)), None);
    }

    #[test]
    fn notes_and_howpublished_as_people_write_them() {
        assert_eq!(accessed_in_note("Accessed: 2020-08-22"), day(2020, 8, 22));
        assert_eq!(
            accessed_in_note("[Online; accessed 22-August-2020]"),
            day(2020, 8, 22)
        );
        assert_eq!(
            accessed_in_note("Retrieved August 22, 2020."),
            day(2020, 8, 22)
        );
        assert_eq!(accessed_in_note("A fine page"), None);
        assert_eq!(
            latex_url("\\url{https://example.org/a}").as_deref(),
            Some("https://example.org/a")
        );
    }

    #[test]
    fn a_bibtex_file_is_split_into_entries_braces_counted() {
        let text = "% a comment @ here\n@string{ex = \"Example\"}\n@online{a, title = {A {nested} title}, url = {https://a.example/}}\n@misc(b, note = \"x\")\n@online{broken, url = {https://b.example/\n @Comment{jabref-meta: x}\n";
        let kinds: Vec<(String, usize)> = split_bibtex(text)
            .iter()
            .map(|e| (e.kind.clone(), line_at(text, e.offset)))
            .collect();
        assert_eq!(
            kinds,
            [
                ("string".to_string(), 2),
                ("online".to_string(), 3),
                ("misc".to_string(), 4),
                ("online".to_string(), 5),
                ("comment".to_string(), 6)
            ]
        );
    }

    #[test]
    fn a_json_array_is_split_into_its_elements() {
        let text =
            "[\n {\"id\": \"a\", \"title\": \"has ] and , and \\\" inside\"},\n {\"id\": \"b\"}\n]";
        let ranges = split_json_array(text).unwrap();
        assert_eq!(ranges.len(), 2);
        assert!(text[ranges[0].clone()].ends_with("inside\"}"));
        assert_eq!(&text[ranges[1].clone()], "{\"id\": \"b\"}");
        assert_eq!(split_json_array("[{\"a\": 1}"), None);
    }
}
