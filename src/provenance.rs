//! Provenance values: where a file came from ([`OriginUrl`]), when it was retrieved
//! ([`Timestamp`]), and [`Recorded`], which keeps "unknown" distinct from any value — docseal
//! never invents an origin or a time it was not given; what an HTTP exchange said ([`Capture`])
//! and the WARC record a file came from ([`WarcOrigin`]), shared by `capture` and `manifest`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// The word that stands for an unknown value in manifests and sources lists.
pub const UNKNOWN: &str = "unknown";

/// An instant in UTC, read from and written as RFC 3339.
///
/// [`Timestamp::parse`] accepts any RFC 3339 time with an offset and converts it to UTC;
/// [`Timestamp::parse_canonical`] (used for manifests) accepts only the one form docseal writes:
/// UTC with `Z`, fractional seconds only when non-zero and without trailing zeros.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// Now, in UTC, to the nanosecond (for a moment observed, such as a response's arrival).
    pub fn now_exact() -> Self {
        Timestamp(OffsetDateTime::now_utc())
    }

    /// Now, in UTC, to the whole second.
    pub fn now() -> Self {
        let now = OffsetDateTime::now_utc();
        Timestamp(now.replace_nanosecond(0).unwrap_or(now))
    }

    /// Parses any RFC 3339 date-time with an offset, converting it to UTC.
    ///
    /// A time with more than nine fractional digits is refused: docseal records nanoseconds, and
    /// never changes a recorded value without a word.
    pub fn parse(s: &str) -> Result<Self, String> {
        if let Some(dot) = s.find('.') {
            let digits = s[dot + 1..].bytes().take_while(u8::is_ascii_digit).count();
            if digits > 9 {
                return Err(format!(
                    "time \"{}\" has {digits} fractional digits, more than the nanoseconds (9) docseal records; shorten it yourself, so that nothing is changed without your word",
                    s.escape_debug()
                ));
            }
        }
        let t = OffsetDateTime::parse(s, &Rfc3339).map_err(|_| {
            format!(
                "\"{}\" is not an RFC 3339 time; write e.g. \"2024-09-30T14:05:00Z\" or \"unknown\"",
                s.escape_debug()
            )
        })?;
        Ok(Timestamp(t.to_offset(UtcOffset::UTC)))
    }

    /// Parses a time that must already be in docseal's canonical form.
    pub fn parse_canonical(s: &str) -> Result<Self, String> {
        let t = Self::parse(s)?;
        if t.to_string() != s {
            return Err(format!(
                "time \"{}\" is not in canonical form; docseal writes it as \"{t}\"",
                s.escape_debug()
            ));
        }
        Ok(t)
    }

    /// The underlying `time` value (always UTC).
    pub fn as_offset_date_time(&self) -> OffsetDateTime {
        self.0
    }

    /// An expiry as `seal --expires` takes it, relative to `now`: a duration (`90d`, `12h`, `30m`,
    /// `45s`, `2w`: a whole number and one unit; a day is 86 400 s) or an RFC 3339 time. It must lie
    /// after `now`. (Written here rather than taken from `humantime`: docseal needs five fixed
    /// units, and `humantime` also accepts months and years, whose lengths it must guess.)
    pub fn parse_expiry(s: &str, now: Timestamp) -> Result<Self, String> {
        let unit = s.chars().last().filter(char::is_ascii_alphabetic);
        let at = match unit {
            Some(u) if s.len() > 1 && s[..s.len() - 1].bytes().all(|b| b.is_ascii_digit()) => {
                let seconds: i64 = match u {
                    's' => 1,
                    'm' => 60,
                    'h' => 3600,
                    'd' => 86_400,
                    'w' => 7 * 86_400,
                    _ => return Err(expiry_help(s)),
                };
                let n: i64 = s[..s.len() - 1].parse().map_err(|_| expiry_help(s))?;
                let span = n
                    .checked_mul(seconds)
                    .map(time::Duration::seconds)
                    .ok_or_else(|| expiry_help(s))?;
                now.0
                    .checked_add(span)
                    .map(Timestamp)
                    .ok_or_else(|| expiry_help(s))?
            }
            _ if s.contains('T') || s.contains('t') => Timestamp::parse(s)?,
            _ => return Err(expiry_help(s)),
        };
        if at <= now {
            return Err(format!(
                "expiry {at} is not in the future (it is now {now}); give a later time or a duration such as 90d"
            ));
        }
        Ok(at)
    }
}

fn expiry_help(s: &str) -> String {
    format!(
        "\"{}\" is not a duration or a time; write e.g. 90d, 12h, 30m, 2w or an RFC 3339 time such as 2027-01-31T00:00:00Z",
        s.escape_debug()
    )
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.format(&Rfc3339) {
            Ok(s) => f.write_str(&s),
            Err(_) => Err(fmt::Error),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An absolute URL that a file was retrieved from, kept exactly as given.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OriginUrl(String);

impl OriginUrl {
    /// Validates `s` as an absolute URL (it must have a scheme, e.g. `https:`).
    pub fn parse(s: &str) -> Result<Self, String> {
        let shown = s.escape_debug();
        if s.trim() != s || s.is_empty() {
            return Err(format!(
                "URL \"{shown}\" is empty or has surrounding spaces; write the absolute URL, or \"unknown\""
            ));
        }
        if let Some(c) = s.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "URL \"{shown}\" contains {}, which a URL cannot hold (WHATWG URL standard); percent-encode it (e.g. %20 for a space), or write \"unknown\"",
                if c == ' ' {
                    "a space".to_string()
                } else {
                    format!("the character {}", c.escape_unicode())
                }
            ));
        }
        match url::Url::parse(s) {
            Ok(_) => Ok(OriginUrl(s.to_string())),
            Err(url::ParseError::RelativeUrlWithoutBase) => Err(format!(
                "URL \"{shown}\" is not absolute; write it with its scheme, e.g. \"https://example.org/page\", or \"unknown\""
            )),
            Err(e) => Err(format!(
                "URL \"{shown}\" is not a valid absolute URL ({e}); write the full URL, or \"unknown\""
            )),
        }
    }

    /// The URL as recorded.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<OriginUrl> for String {
    fn from(u: OriginUrl) -> String {
        u.0
    }
}

impl fmt::Display for OriginUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for OriginUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OriginUrl({:?})", self.0)
    }
}

impl Serialize for OriginUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// A provenance field that is either known or explicitly recorded as unknown.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum Recorded<T> {
    /// The value is known.
    Known(T),
    /// Nobody knows it; written as `"unknown"`.
    #[default]
    Unknown,
}

impl<T> Recorded<T> {
    /// The value, if known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Recorded::Known(v) => Some(v),
            Recorded::Unknown => None,
        }
    }

    /// The value, if known, by value.
    pub fn into_known(self) -> Option<T> {
        match self {
            Recorded::Known(v) => Some(v),
            Recorded::Unknown => None,
        }
    }

    /// True when the value is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Recorded::Unknown)
    }
}

impl<T: fmt::Display> fmt::Display for Recorded<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recorded::Known(v) => v.fmt(f),
            Recorded::Unknown => f.write_str(UNKNOWN),
        }
    }
}

/// JSON and other serialisations write an unknown value as `null`.
impl<T: Serialize> Serialize for Recorded<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Recorded::Known(v) => s.serialize_some(v),
            Recorded::Unknown => s.serialize_none(),
        }
    }
}

/// An origin as written in a manifest: `"unknown"` or an absolute URL.
impl FromStr for Recorded<OriginUrl> {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == UNKNOWN {
            Ok(Recorded::Unknown)
        } else {
            OriginUrl::parse(s).map(Recorded::Known)
        }
    }
}

/// Parses a manifest's retrieval time: `"unknown"` or a canonical UTC time.
pub fn parse_recorded_time_canonical(s: &str) -> Result<Recorded<Timestamp>, String> {
    if s == UNKNOWN {
        Ok(Recorded::Unknown)
    } else {
        Timestamp::parse_canonical(s).map(Recorded::Known)
    }
}

/// Parses a sources list's retrieval time: `"unknown"` or any RFC 3339 time with an offset.
pub fn parse_recorded_time(s: &str) -> Result<Recorded<Timestamp>, String> {
    if s == UNKNOWN {
        Ok(Recorded::Unknown)
    } else {
        Timestamp::parse(s).map(Recorded::Known)
    }
}

/// Deserialises a manifest origin field with validation.
pub(crate) fn de_origin<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Recorded<OriginUrl>, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

/// Deserialises a manifest retrieval-time field with validation.
pub(crate) fn de_time_canonical<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Recorded<Timestamp>, D::Error> {
    let s = String::deserialize(d)?;
    parse_recorded_time_canonical(&s).map_err(serde::de::Error::custom)
}

/// The facts of the HTTP exchange that captured a file (`docseal fetch`), each optional: the
/// capture fields of a version-2 `[[file]]` table, covered by its Merkle leaf (§6). The WARC
/// record a file came from is a [`WarcOrigin`], beside it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Capture {
    /// The URL the body came from, after redirects (`final_url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_url: Option<OriginUrl>,
    /// The HTTP status of the final response (`http_status`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Its `Content-Type`, as sent (`media_type`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Its `Content-Encoding`, as sent: the stored bytes are encoded so (`content_encoding`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_encoding: Option<String>,
    /// Its `ETag`, as sent (`etag`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// Its `Last-Modified`, as sent (`last_modified`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl Capture {
    /// The capture fields' names, in the order a `[[file]]` table holds them.
    pub const FIELDS: [&'static str; 6] = [
        "final_url",
        "http_status",
        "media_type",
        "content_encoding",
        "etag",
        "last_modified",
    ];

    /// True when no capture fact is recorded (every version-1 entry).
    pub fn is_empty(&self) -> bool {
        *self == Capture::default()
    }
}

/// A retrieval time from a `WARC-Date`: the instant when it is given to the second or finer,
/// unknown when it is a coarse W3C date (`2016`, `2016-01`, `2016-01-02`, `2016-01-02T10:00Z`),
/// as WARC 1.1 allows; anything else is refused.
pub fn parse_warc_date(s: &str) -> Result<Recorded<Timestamp>, String> {
    if let Ok(t) = Timestamp::parse(s) {
        return Ok(Recorded::Known(t));
    }
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    let coarse = match s.split_once('T') {
        None => {
            let parts: Vec<&str> = s.split('-').collect();
            matches!(parts.as_slice(), [y] if digits(y, 4))
                || matches!(parts.as_slice(), [y, m] if digits(y, 4) && digits(m, 2))
                || matches!(parts.as_slice(), [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2))
        }
        Some((day, time)) => {
            let ok_day = time::Date::parse(
                day,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .is_ok();
            let ok_time = time
                .strip_suffix('Z')
                .and_then(|t| t.split_once(':'))
                .is_some_and(|(h, m)| digits(h, 2) && digits(m, 2) && h < "24" && m < "60");
            ok_day && ok_time
        }
    };
    if coarse {
        Ok(Recorded::Unknown)
    } else {
        Err(format!(
            "WARC-Date \"{}\" is not a W3C date such as 2016-01-02T10:00:00Z or 2016-01",
            s.escape_debug()
        ))
    }
}

/// The WARC record a file was imported from (`docseal import-warc`): `warc_file`,
/// `warc_record_id`, `warc_date` and `warc_verified`, all four or none, in a sources list and in a
/// version-3 `[[file]]` table, covered by its Merkle leaf (`docs/manifest-format.md` §6).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct WarcOrigin {
    /// The WARC file's name (without its folder).
    pub file: String,
    /// The record's `WARC-Record-ID`, as written (`<urn:uuid:…>`).
    pub record_id: String,
    /// The record's `WARC-Date`, as written: it keeps a coarse date (`2016-01`) that `retrieved`
    /// cannot hold, in which case `retrieved` is unknown.
    pub date: String,
    /// The record's digests that were checked and matched.
    pub verified: WarcVerified,
}

impl WarcOrigin {
    /// The four fields' names, in the order a `[[file]]` table holds them.
    pub const FIELDS: [&'static str; 4] =
        ["warc_file", "warc_record_id", "warc_date", "warc_verified"];

    /// Appends the four `key = value` lines, in their order, each string written by `quote` (the
    /// sources list's writer and the manifest's quote alike; `warc_verified` is
    /// [`WarcVerified`]'s array).
    pub fn write_toml(&self, out: &mut String, quote: impl Fn(&str) -> String) {
        for (key, value) in [
            ("warc_file", &self.file),
            ("warc_record_id", &self.record_id),
            ("warc_date", &self.date),
        ] {
            out.push_str(key);
            out.push_str(" = ");
            out.push_str(&quote(value));
            out.push('\n');
        }
        out.push_str("warc_verified = ");
        out.push_str(&self.verified.to_string());
        out.push('\n');
    }

    /// Checks a WARC text field (`warc_file`, `warc_record_id`, `warc_date`): non-empty, no
    /// control characters, and for `warc_date` a date as WARC 1.1 writes one
    /// ([`parse_warc_date`]).
    pub fn check_text(value: &str, field: &str) -> Result<(), String> {
        if value.is_empty() || value.chars().any(char::is_control) {
            return Err(format!(
                "{field} must be the WARC header's text: not empty, no control characters"
            ));
        }
        if field == "warc_date" {
            parse_warc_date(value).map_err(|m| format!("warc_date: {m}"))?;
        }
        Ok(())
    }
}

/// Which digests of a WARC record were checked and matched: a bit set whose byte is the last of
/// a leaf's WARC section (`docs/manifest-format.md` §6) — `block` (`WARC-Block-Digest`, 0x01),
/// and at most one of `payload` (`WARC-Payload-Digest` over the body as transferred, chunks and
/// all, as wget computes it; 0x02) and `payload-dechunked` (over the de-chunked body; 0x04).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct WarcVerified(u8);

impl WarcVerified {
    /// The block digest matched.
    pub const BLOCK: u8 = 0x01;
    /// The payload digest matched the body as transferred.
    pub const PAYLOAD: u8 = 0x02;
    /// The payload digest matched the de-chunked body.
    pub const PAYLOAD_DECHUNKED: u8 = 0x04;

    const WORDS: [(u8, &'static str); 3] = [
        (Self::BLOCK, "block"),
        (Self::PAYLOAD, "payload"),
        (Self::PAYLOAD_DECHUNKED, "payload-dechunked"),
    ];

    /// The set of a byte, if it is one docseal writes (no unknown bit, not both payload words).
    pub fn from_bits(bits: u8) -> Option<Self> {
        let both = Self::PAYLOAD | Self::PAYLOAD_DECHUNKED;
        (bits & !(Self::BLOCK | both) == 0 && bits & both != both).then_some(WarcVerified(bits))
    }

    /// The byte.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// Adds one digest that matched.
    pub fn with(self, bit: u8) -> Self {
        WarcVerified(self.0 | bit)
    }

    /// The words, in their one order: `block` first, then the payload word.
    pub fn words(self) -> Vec<&'static str> {
        Self::WORDS
            .iter()
            .filter(|(bit, _)| self.0 & bit != 0)
            .map(|(_, w)| *w)
            .collect()
    }

    /// Reads the words of a `warc_verified` array: known words, `block` first, at most one payload
    /// word, none twice — exactly what [`WarcVerified::words`] gives.
    pub fn from_words<S: AsRef<str>>(words: &[S]) -> Result<Self, String> {
        let mut bits = 0u8;
        for w in words {
            let w = w.as_ref();
            let bit = Self::WORDS
                .iter()
                .find(|(_, word)| *word == w)
                .map(|(bit, _)| *bit)
                .ok_or_else(|| {
                    format!(
                        "warc_verified holds \"{}\"; its words are \"block\", \"payload\" and \"payload-dechunked\"",
                        w.escape_debug()
                    )
                })?;
            bits |= bit;
        }
        let set = Self::from_bits(bits).filter(|s| {
            s.words().len() == words.len()
                && s.words().iter().zip(words).all(|(a, b)| *a == b.as_ref())
        });
        set.ok_or_else(|| {
            "warc_verified must be [], [\"block\"], [\"payload\"], [\"payload-dechunked\"], or \"block\" followed by one payload word (each word once, \"block\" first)".to_string()
        })
    }
}

impl fmt::Display for WarcVerified {
    /// The TOML array docseal writes: `["block", "payload"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<String> = self.words().iter().map(|w| format!("\"{w}\"")).collect();
        write!(f, "[{}]", words.join(", "))
    }
}

impl Serialize for WarcVerified {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.words())
    }
}

/// A naming scheme a collection may declare (`naming` in the header).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Naming {
    /// `NNN_<the first 16 hex digits of the SHA-256 of the file>.<ext>`: the names `docseal
    /// fetch` gives (`docs/manifest-format.md` §2.1).
    #[serde(rename = "sha256-prefix")]
    Sha256Prefix,
}

impl Naming {
    /// The name written in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            Naming::Sha256Prefix => "sha256-prefix",
        }
    }

    /// Parses a scheme's name.
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        match s {
            "sha256-prefix" => Ok(Naming::Sha256Prefix),
            other => Err(format!(
                "unknown naming scheme \"{}\"; this docseal knows \"sha256-prefix\"",
                other.escape_debug()
            )),
        }
    }

    /// The name of the `sequence`-th file docseal stores with this `digest` and extension:
    /// `NNN_<16 hex digits>.ext` (three digits at least).
    pub fn name(self, sequence: u64, digest: &crate::digest::Sha256Digest, ext: &str) -> String {
        match self {
            Naming::Sha256Prefix => format!("{sequence:03}_{}.{ext}", &digest.to_hex()[..16]),
        }
    }

    /// Whether `path`'s file name fits the scheme for a file of this `digest`: `None` when it
    /// does, else what the name should hold.
    pub fn misfit(self, path: &str, digest: &crate::digest::Sha256Digest) -> Option<String> {
        match self {
            Naming::Sha256Prefix => {
                let hex = digest.to_hex();
                let want = &hex[..16];
                let name = path.rsplit('/').next().unwrap_or_default();
                let fits = name.split_once('_').is_some_and(|(seq, rest)| {
                    seq.len() >= 3
                        && seq.bytes().all(|b| b.is_ascii_digit())
                        && rest.split_once('.').map_or(rest, |(h, _)| h) == want
                });
                (!fits).then(|| format!("NNN_{want}.EXT"))
            }
        }
    }
}

impl<'de> Deserialize<'de> for Naming {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Naming::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_with_spaces_or_control_characters_are_refused() {
        for bad in [
            "https://example.org/a b",
            "https://example.org/a\tb",
            "https://example.org/\u{7}",
            "https://example.org/\u{85}x",
            "https://exa mple.org/",
        ] {
            let err = OriginUrl::parse(bad).unwrap_err();
            assert!(err.contains("which a URL cannot hold"), "{bad:?}: {err}");
        }
        assert!(OriginUrl::parse("https://example.org/a%20b").is_ok());
        assert!(OriginUrl::parse("https://example.org/ünï").is_ok());
    }

    #[test]
    fn a_time_finer_than_nanoseconds_is_refused_not_truncated() {
        let err = Timestamp::parse("2024-09-30T14:05:00.1234567891Z").unwrap_err();
        assert!(err.contains("has 10 fractional digits"), "{err}");
        let t = Timestamp::parse("2024-09-30T14:05:00.123456789Z").unwrap();
        assert_eq!(t.to_string(), "2024-09-30T14:05:00.123456789Z");
    }

    #[test]
    fn expiries_are_durations_from_now_or_times_after_it() {
        let now = Timestamp::parse("2026-12-01T00:00:00Z").unwrap();
        let at = |s| Timestamp::parse_expiry(s, now).map(|t| t.to_string());
        assert_eq!(at("90d").unwrap(), "2027-03-01T00:00:00Z");
        assert_eq!(at("12h").unwrap(), "2026-12-01T12:00:00Z");
        assert_eq!(at("2w").unwrap(), "2026-12-15T00:00:00Z");
        assert_eq!(
            at("2027-01-01T01:00:00+01:00").unwrap(),
            "2027-01-01T00:00:00Z"
        );
        for bad in [
            "",
            "d",
            "90",
            "9x",
            "-1d",
            "1.5d",
            "90 d",
            "99999999999999999w",
        ] {
            assert!(
                at(bad).unwrap_err().contains("is not a duration"),
                "{bad:?}"
            );
        }
        assert!(at("0s").unwrap_err().contains("not in the future"));
        assert!(
            at("2020-01-01T00:00:00Z")
                .unwrap_err()
                .contains("not in the future")
        );
    }

    #[test]
    fn times_with_offsets_are_converted_to_utc() {
        let t = Timestamp::parse("2024-09-30T14:05:00+02:00").unwrap();
        assert_eq!(t.to_string(), "2024-09-30T12:05:00Z");
    }

    #[test]
    fn canonical_times_round_trip_and_others_are_refused() {
        for ok in ["2024-09-30T12:05:00Z", "2024-09-30T12:05:00.5Z"] {
            assert_eq!(Timestamp::parse_canonical(ok).unwrap().to_string(), ok);
        }
        for bad in ["2024-09-30T14:05:00+02:00", "2024-09-30T12:05:00.500Z"] {
            assert!(Timestamp::parse_canonical(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn non_rfc3339_times_are_refused() {
        for bad in [
            "2024-09-30",
            "2024-09-30 12:05:00",
            "2024-09-30T12:05:00",
            "yesterday",
            "",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn origins_must_be_absolute_urls() {
        assert!(OriginUrl::parse("https://viewusglobal.com/asia/article/74722").is_ok());
        for bad in [
            "viewusglobal.com/asia",
            "/asia/article",
            "",
            " https://x.org/",
            "http://",
        ] {
            assert!(OriginUrl::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn warc_dates_keep_their_precision_or_are_unknown() {
        assert_eq!(
            parse_warc_date("2026-12-02T01:02:03Z").unwrap().to_string(),
            "2026-12-02T01:02:03Z"
        );
        assert_eq!(
            parse_warc_date("2026-12-02T01:02:03.123456Z")
                .unwrap()
                .to_string(),
            "2026-12-02T01:02:03.123456Z"
        );
        for coarse in ["2016", "2016-01", "2016-01-02", "2016-01-02T10:00Z"] {
            assert!(parse_warc_date(coarse).unwrap().is_unknown(), "{coarse}");
        }
        for bad in [
            "2016-1",
            "yesterday",
            "2016-01-02T25:00Z",
            "2016-13-02T10:00Z",
            "",
        ] {
            assert!(parse_warc_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn warc_verified_takes_exactly_the_words_import_warc_writes() {
        for (words, bits) in [
            (&[][..], 0u8),
            (&["block"][..], 1),
            (&["payload"][..], 2),
            (&["payload-dechunked"][..], 4),
            (&["block", "payload"][..], 3),
            (&["block", "payload-dechunked"][..], 5),
        ] {
            let v = WarcVerified::from_words(words).unwrap();
            assert_eq!(v.bits(), bits);
            assert_eq!(v.words(), words);
            assert_eq!(WarcVerified::from_bits(bits), Some(v));
        }
        for bad in [
            &["bogus"][..],
            &["payload", "block"][..],
            &["block", "block"][..],
            &["payload", "payload-dechunked"][..],
            &["block", "payload", "payload-dechunked"][..],
        ] {
            assert!(WarcVerified::from_words(bad).is_err(), "{bad:?}");
        }
        assert!(
            WarcVerified::from_words(&["bogus"])
                .unwrap_err()
                .contains("holds \"bogus\"")
        );
        for bits in [6u8, 7, 8, 0x80] {
            assert_eq!(WarcVerified::from_bits(bits), None, "{bits}");
        }
        assert_eq!(
            WarcVerified::from_words(&["block", "payload"])
                .unwrap()
                .to_string(),
            "[\"block\", \"payload\"]"
        );
    }

    #[test]
    fn unknown_is_kept_distinct_from_any_value() {
        assert_eq!(
            "unknown".parse::<Recorded<OriginUrl>>().unwrap(),
            Recorded::Unknown
        );
        assert_eq!(parse_recorded_time("unknown").unwrap(), Recorded::Unknown);
        assert_eq!(Recorded::<OriginUrl>::Unknown.to_string(), "unknown");
    }
}
