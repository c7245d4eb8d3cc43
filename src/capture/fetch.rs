//! `docseal fetch`: each URL retrieved over HTTP or HTTPS with `ureq` (blocking, rustls with the
//! `ring` provider, no body decoding), its exact bytes stored under a content-addressed name and
//! its provenance recorded by [`Store`].
//!
//! What is asked and recorded: `Accept-Encoding: identity` is sent and nothing is ever decoded,
//! so a body a server encodes anyway is stored as sent, with its `Content-Encoding`. Redirects
//! are followed here, not by ureq, so that every hop is recorded (its URL and status), a loop is
//! recognised as one, and at most `max_redirects` are followed. A 4xx or 5xx answer is a failure
//! reported with its status (ureq is told not to turn it into an error, so that its headers are
//! read). The retrieval time is the moment the final response's headers arrived. A failure of one
//! URL — DNS, refused, TLS, a timeout, a redirect loop, an error status, a body too large or cut
//! off — stores nothing for it and the next URL is tried.
//!
//! Proxies: the standard variables `HTTPS_PROXY`, `HTTP_PROXY` and `ALL_PROXY` (and their lower
//! case forms) and `NO_PROXY` are honoured as ureq reads them, as curl and wget honour them: an
//! archive behind a proxy captures through it. What is recorded is the origin server's answer as
//! the proxy hands it on.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use ureq::tls::{Certificate, RootCerts, TlsConfig};

use super::sources::Redirect;
use super::store::{Record, Store, StoreError, Stored};
use crate::error::{Error, Result};
use crate::fsio;
use crate::provenance::{Capture, OriginUrl, Recorded, Timestamp};

/// What to fetch and how.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// The URLs, in order.
    pub urls: Vec<String>,
    /// The folder to store into.
    pub into: PathBuf,
    /// The sources list to record in.
    pub sources: PathBuf,
    /// Fetch a URL again even when it was captured before (the old capture stays).
    pub refetch: bool,
    /// The most redirects followed for one URL.
    pub max_redirects: u32,
    /// The largest body stored, in bytes.
    pub max_size: u64,
    /// The connect and read timeout.
    pub timeout: Duration,
    /// A PEM file of CA certificates to trust besides the built-in roots.
    pub ca_cert: Option<PathBuf>,
}

/// What became of one URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlOutcome {
    /// Stored, as `stored`.
    Stored {
        /// The URL asked for.
        url: String,
        /// What was stored.
        stored: Stored,
        /// The final URL, when redirects led elsewhere.
        final_url: Option<String>,
    },
    /// Captured before (as `path`), and not fetched again.
    Skipped {
        /// The URL asked for.
        url: String,
        /// Its latest capture.
        path: String,
    },
    /// Not stored, for `reason`.
    Failed {
        /// The URL asked for.
        url: String,
        /// Why, in one line.
        reason: String,
    },
}

/// Told of the progress of a fetch (the terminal's progress bar).
pub trait FetchProgress {
    /// `total` URLs are to be fetched.
    fn start(&self, total: u64);
    /// Fetching `url` begins.
    fn url_started(&self, url: &str);
    /// `n` more bytes of the current body were stored.
    fn bytes(&self, n: u64);
    /// The current URL is done, whatever became of it.
    fn url_done(&self);
    /// Everything is done.
    fn finish(&self);
}

/// Fetches every URL of `opts` in order, telling `outcome` what became of each. Fails only
/// when nothing can be fetched at all (a bad `--ca-cert`, an unwritable folder or sources list).
pub fn fetch(
    opts: &FetchOptions,
    progress: &dyn FetchProgress,
    outcome: &mut dyn FnMut(&UrlOutcome) -> Result<()>,
) -> Result<()> {
    let agent = agent(opts)?;
    let mut store = Store::open(&opts.into, &opts.sources, opts.max_size)?;
    progress.start(opts.urls.len() as u64);
    for url in &opts.urls {
        progress.url_started(url);
        let result = match store.captured(url) {
            Some(path) if !opts.refetch => UrlOutcome::Skipped {
                url: url.clone(),
                path: path.to_string(),
            },
            _ => match one(&agent, opts, &mut store, url, progress) {
                Ok(stored) => stored,
                Err(Failure::Url(reason)) => UrlOutcome::Failed {
                    url: url.clone(),
                    reason,
                },
                Err(Failure::Local(e)) => {
                    progress.finish();
                    return Err(e);
                }
            },
        };
        progress.url_done();
        outcome(&result)?;
    }
    progress.finish();
    Ok(())
}

/// Why one URL was not stored.
enum Failure {
    /// The URL's own failure, in one line.
    Url(String),
    /// Nothing more can be stored.
    Local(Error),
}

impl From<String> for Failure {
    fn from(reason: String) -> Self {
        Failure::Url(reason)
    }
}

/// The HTTP agent: no redirects of its own, statuses as responses, the timeouts, the roots.
fn agent(opts: &FetchOptions) -> Result<ureq::Agent> {
    let mut roots: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()).to_owned())
        .collect();
    if let Some(path) = &opts.ca_cert {
        let pem = fsio::read_text_at_most(path, "CA certificate file", fsio::SOURCES_MAX)?;
        let mut found = 0;
        for item in ureq::tls::parse_pem(pem.as_bytes()) {
            match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => {
                    roots.push(c);
                    found += 1;
                }
                Ok(_) => {}
                Err(e) => {
                    return Err(Error::invalid(
                        path,
                        format!(
                            "is not a PEM certificate file ({e}); pass the CA's certificate in PEM form"
                        ),
                    ));
                }
            }
        }
        if found == 0 {
            return Err(Error::invalid(
                path,
                "holds no PEM certificate (-----BEGIN CERTIFICATE-----); pass the CA's certificate in PEM form",
            ));
        }
    }
    let t = Some(opts.timeout);
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(format!("docseal/{}", env!("CARGO_PKG_VERSION")))
        .timeout_resolve(t)
        .timeout_connect(t)
        .timeout_send_request(t)
        .timeout_recv_response(t)
        .timeout_per_read(t)
        .tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::new_with_certs(&roots))
                .build(),
        )
        .build();
    Ok(config.into())
}

/// Fetches one URL, following redirects, and stores its body.
fn one(
    agent: &ureq::Agent,
    opts: &FetchOptions,
    store: &mut Store,
    url: &str,
    progress: &dyn FetchProgress,
) -> std::result::Result<UrlOutcome, Failure> {
    let asked = OriginUrl::parse(url)?;
    let mut current = parse_http_url(url)?;
    let mut seen = HashSet::from([current.to_string()]);
    let mut redirects = Vec::new();
    let (response, retrieved) = loop {
        let response = agent
            .get(current.as_str())
            .header("Accept-Encoding", "identity")
            .call()
            .map_err(|e| describe(&e))?;
        let retrieved = Timestamp::now_exact();
        let status = response.status().as_u16();
        if !matches!(status, 301 | 302 | 303 | 307 | 308) {
            break (response, retrieved);
        }
        let location = header(&response, "location")
            .ok_or_else(|| format!("{status} redirect without a Location header"))?;
        let next = current.join(&location).map_err(|e| {
            format!(
                "{status} redirect to \"{}\", which is not a URL: {e}",
                location.escape_debug()
            )
        })?;
        redirects.push(Redirect {
            url: OriginUrl::parse(current.as_str())?,
            status,
        });
        if !seen.insert(next.to_string()) {
            return Err(format!("redirect loop: {current} redirects back to {next}").into());
        }
        if redirects.len() > opts.max_redirects as usize {
            return Err(format!(
                "more than {} redirects (--max-redirects); the last led to {next}",
                opts.max_redirects
            )
            .into());
        }
        if !matches!(next.scheme(), "http" | "https") {
            return Err(format!("redirect to {next}, which is not http or https").into());
        }
        current = next;
    };
    let status = response.status().as_u16();
    if status >= 400 {
        let reason = response.status().canonical_reason().unwrap_or("error");
        // What the error page was, from its headers (ureq hands them on: no error of its own).
        let said: Vec<String> = [
            header(&response, "content-type"),
            header(&response, "content-length").map(|n| format!("{n} bytes")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let said = if said.is_empty() {
            String::new()
        } else {
            format!(" ({})", said.join(", "))
        };
        return Err(format!("HTTP {status} {reason} from {current}{said}").into());
    }
    if status != 200 && status != 203 {
        return Err(format!(
            "HTTP {status} from {current}: not a body to store (docseal stores 200 responses)"
        )
        .into());
    }
    let content_length = match header(&response, "content-length") {
        None => None,
        Some(v) => Some(
            v.trim()
                .parse::<u64>()
                .map_err(|_| format!("Content-Length \"{}\" is not a number", v.escape_debug()))?,
        ),
    };
    if let Some(n) = content_length.filter(|&n| n > opts.max_size) {
        return Err(format!(
            "the body is larger than --max-size ({} bytes; Content-Length says {n}); raise it to capture this",
            opts.max_size
        )
        .into());
    }
    let capture = Capture {
        final_url: Some(OriginUrl::parse(current.as_str())?),
        http_status: Some(status),
        media_type: header(&response, "content-type"),
        content_encoding: header(&response, "content-encoding"),
        etag: header(&response, "etag"),
        last_modified: header(&response, "last-modified"),
    };
    let record = Record {
        url: asked,
        retrieved: Recorded::Known(retrieved),
        capture,
        redirects,
        content_length,
        warc: None,
    };
    let mut body = response.into_body().into_reader();
    match store.store(&mut body, &record, &mut |n| progress.bytes(n)) {
        Ok(stored) => Ok(UrlOutcome::Stored {
            url: url.to_string(),
            stored,
            final_url: (current.as_str() != url).then(|| current.to_string()),
        }),
        Err(StoreError::Stream(reason)) => Err(Failure::Url(reason)),
        Err(StoreError::Local(e)) => Err(Failure::Local(e)),
    }
}

/// Checks the URLs given on the command line before anything is fetched.
pub fn check_urls(urls: &[String]) -> Result<()> {
    for url in urls {
        parse_http_url(url).map_err(|m| {
            Error::Usage(format!(
                "cannot fetch \"{}\": {m}; give absolute http:// or https:// URLs",
                url.escape_debug()
            ))
        })?;
    }
    Ok(())
}

/// The URLs of a URL list (`--from-file`): one a line, blank lines and lines starting with `#`
/// skipped, each checked before anything is fetched (an error names the line).
pub fn read_url_list(path: &std::path::Path) -> Result<Vec<String>> {
    let text = fsio::read_text_at_most(path, "URL list", fsio::SOURCES_MAX)?;
    let mut urls = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        parse_http_url(line).map_err(|m| Error::Parse {
            path: path.to_path_buf(),
            line: i + 1,
            message: format!(
                "cannot fetch \"{}\": {m}; write one absolute http:// or https:// URL a line (# starts a comment line)",
                line.escape_debug()
            ),
        })?;
        urls.push(line.to_string());
    }
    Ok(urls)
}

/// A URL docseal can fetch: absolute, `http` or `https`.
fn parse_http_url(url: &str) -> std::result::Result<url::Url, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "not an http or https URL (scheme \"{}\")",
            parsed.scheme()
        ));
    }
    Ok(parsed)
}

/// A response header's value, when it is text: non-empty, without control characters (one that
/// is not is not recorded).
fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    let value = response.headers().get(name)?.to_str().ok()?;
    (!value.is_empty() && !value.chars().any(char::is_control)).then(|| value.to_string())
}

/// One line saying why a request failed.
fn describe(e: &ureq::Error) -> String {
    use ureq::Error as E;
    match e {
        E::HostNotFound => "DNS: host not found".to_string(),
        E::Timeout(t) => format!("timed out ({t}; see --timeout)"),
        E::Tls(m) => format!("TLS error: {m}"),
        E::Rustls(r) => format!("TLS error: {r}"),
        E::Io(io) => match io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
            Some(r) => format!("TLS error: {r}"),
            None => match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".to_string(),
                std::io::ErrorKind::ConnectionReset => "connection reset by the server".to_string(),
                std::io::ErrorKind::TimedOut => "timed out (see --timeout)".to_string(),
                _ => format!("network error: {io}"),
            },
        },
        E::ConnectionFailed => "connection failed".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_urls_are_fetched() {
        assert!(parse_http_url("https://example.org/a").is_ok());
        assert!(
            parse_http_url("ftp://example.org/a")
                .unwrap_err()
                .contains("not an http")
        );
        assert!(
            parse_http_url("example.org/a")
                .unwrap_err()
                .contains("not a URL")
        );
    }
}
