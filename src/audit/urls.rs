//! When a cited URL names the page a manifest sealed: both are parsed as the WHATWG URL standard
//! says (the `url` crate: scheme and host lower-cased, an international host in its ASCII form,
//! the scheme's default port dropped, `.` and `..` segments resolved, percent-encoding as the
//! standard writes it) and then compared with these rules, so that the ways people write one
//! address agree:
//!
//! - `http` and `https` are one scheme (sites moved to HTTPS; a citation written before or after
//!   the move names the same page); any other scheme must be equal;
//! - the fragment (`#section`) is ignored: it names a place in the page, not another page;
//! - a trailing `/` of the path is ignored (`/a/` and `/a`; `https://example.org` and
//!   `https://example.org/`);
//! - the query is compared exactly (`?a=1&b=2` is not `?b=2&a=1`: servers may answer them
//!   differently), except that an empty query (`?`) is no query;
//! - `www.` is not ignored (`www.example.org` and `example.org` are different hosts), and neither
//!   are user names, case in the path, or percent-encoding the standard keeps.
//!
//! Whether the two were written identically is kept apart ([`Match::Exact`]) from equivalent.

use serde::Serialize;

/// How a cited URL matched a sealed one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// Written identically.
    Exact,
    /// Equal under the rules above, not written identically.
    Equivalent,
}

/// The form of `url` that equivalent URLs share, or `None` when it is not an absolute URL.
pub fn match_key(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    let scheme = match parsed.scheme() {
        "https" => "http",
        other => other,
    };
    let mut key = String::with_capacity(url.len());
    key.push_str(scheme);
    key.push_str("://");
    if !parsed.username().is_empty() {
        key.push_str(parsed.username());
        key.push('@');
    }
    if let Some(host) = parsed.host_str() {
        key.push_str(host);
    }
    if let Some(port) = parsed.port() {
        key.push(':');
        key.push_str(&port.to_string());
    }
    key.push_str(parsed.path().trim_end_matches('/'));
    if let Some(q) = parsed.query().filter(|q| !q.is_empty()) {
        key.push('?');
        key.push_str(q);
    }
    Some(key)
}

/// How `cited` matches `sealed`, if it does.
pub fn matches(cited: &str, sealed: &str) -> Option<Match> {
    if cited.trim() == sealed {
        return Some(Match::Exact);
    }
    let key = match_key(cited)?;
    (match_key(sealed)? == key).then_some(Match::Equivalent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ways_people_write_one_address_match() {
        let sealed = "https://example.org/news/item";
        for cited in [
            "https://example.org/news/item",
            "http://example.org/news/item",
            "HTTPS://Example.ORG/news/item",
            "https://example.org:443/news/item",
            "https://example.org/news/item/",
            "https://example.org/news/item#comments",
            "https://example.org/news/./item",
            "https://example.org/news/item?",
            " https://example.org/news/item ",
        ] {
            assert!(matches(cited, sealed).is_some(), "{cited}");
        }
        assert_eq!(matches(sealed, sealed), Some(Match::Exact));
        assert_eq!(
            matches("http://example.org/news/item", sealed),
            Some(Match::Equivalent)
        );
        assert!(matches("https://example.org", "https://example.org/").is_some());
        assert!(
            matches(
                "https://bücher.example/a",
                "https://xn--bcher-kva.example/a"
            )
            .is_some()
        );
    }

    #[test]
    fn other_pages_do_not_match() {
        let sealed = "https://example.org/news/item?id=1&lang=en";
        for cited in [
            "https://www.example.org/news/item?id=1&lang=en",
            "https://example.org/news/Item?id=1&lang=en",
            "https://example.org/news/item?lang=en&id=1",
            "https://example.org/news/item",
            "https://example.org:8443/news/item?id=1&lang=en",
            "ftp://example.org/news/item?id=1&lang=en",
            "not a url",
        ] {
            assert_eq!(matches(cited, sealed), None, "{cited}");
        }
    }
}
