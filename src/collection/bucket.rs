//! A collection in object storage: `--root s3://bucket/prefix` (or `gs://`, `az://`), and
//! `file:///path`, which is an ordinary folder read by docseal's own walker. This file parses the
//! URL and hands a bucket's scan to the backend of `bucket/remote.rs`, compiled only with the
//! `object-store` cargo feature; without it, a bucket URL is refused with the command that builds
//! it. Either way the items reach the sink in path order, judged exactly as a folder's are.

#[cfg(feature = "object-store")]
mod remote;

use std::path::PathBuf;

use super::{Expected, HashOptions, Progress, SealedSizes, Sink};
use crate::error::{Error, Result};
use crate::relpath::RelPath;

/// The object stores docseal can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// Amazon S3 or an S3-compatible server (`s3://`).
    S3,
    /// Google Cloud Storage (`gs://`).
    Gcs,
    /// Azure Blob Storage (`az://`, the container as the host).
    Azure,
}

/// A collection under a prefix of a bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// The URL as given (what reports and errors show).
    pub url: String,
    /// The object store.
    pub scheme: Scheme,
    /// The bucket (or container).
    pub bucket: String,
    /// The prefix, without leading or trailing `/`; empty for the whole bucket.
    pub prefix: String,
    /// The URL as a path, for [`super::Collection::path`].
    pub shown: PathBuf,
}

/// What a `--root` value names.
#[derive(Debug, PartialEq, Eq)]
pub enum Root {
    /// A local folder (a plain path or a `file://` URL).
    Folder(PathBuf),
    /// A prefix of a bucket.
    Bucket(Bucket),
}

/// True when `root` is written as a URL (`scheme://…`), not a path.
pub fn is_url(root: &str) -> bool {
    root.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// Parses a `--root` URL: `file:///path`, `s3://bucket[/prefix]`, `gs://…` or `az://…`.
pub fn parse(root: &str) -> Result<Root> {
    let bad = |message: String| Error::Remote {
        url: root.to_string(),
        message,
    };
    let (scheme, rest) = root
        .split_once("://")
        .ok_or_else(|| bad("not a URL".to_string()))?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "file" => {
            if !rest.starts_with('/') {
                return Err(bad(
                    "a file:// URL needs an absolute path (file:///path/to/folder)".to_string(),
                ));
            }
            return Ok(Root::Folder(PathBuf::from(rest)));
        }
        "s3" | "s3a" => Scheme::S3,
        "gs" => Scheme::Gcs,
        "az" | "azure" => Scheme::Azure,
        other => {
            return Err(bad(format!(
                "unknown scheme \"{}\"; use s3://, gs://, az:// or file://, or a folder's path",
                other.escape_debug()
            )));
        }
    };
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(bad("no bucket named (s3://BUCKET/PREFIX)".to_string()));
    }
    let prefix = prefix.trim_matches('/');
    if !prefix.is_empty() && RelPath::new(prefix).is_err() {
        return Err(bad(format!(
            "the prefix \"{}\" is not a plain relative path (no `..`, `.` or empty segments)",
            prefix.escape_debug()
        )));
    }
    Ok(Root::Bucket(Bucket {
        url: root.to_string(),
        scheme,
        bucket: bucket.to_string(),
        prefix: prefix.to_string(),
        shown: PathBuf::from(root),
    }))
}

/// Refuses a bucket URL before anything is read when docseal was built without the backend.
pub fn check_supported(bucket: &Bucket) -> Result<()> {
    if cfg!(feature = "object-store") {
        Ok(())
    } else {
        Err(Error::Remote {
            url: bucket.url.clone(),
            message: "docseal was built without the object-store feature; rebuild with `cargo install --path . --features object-store`".to_string(),
        })
    }
}

/// Lists the objects under the bucket's prefix and hashes each with one streaming GET, handing
/// the items to `sink` in path order (see [`super::scan`]).
pub fn scan_bucket(
    bucket: &Bucket,
    exclude: Option<&RelPath>,
    hashing: HashOptions,
    expected: Option<Expected>,
    sealed: Option<&mut dyn SealedSizes>,
    progress: &dyn Progress,
    sink: &mut Sink<'_>,
) -> Result<()> {
    check_supported(bucket)?;
    #[cfg(feature = "object-store")]
    return remote::scan(bucket, exclude, hashing, expected, sealed, progress, sink);
    #[cfg(not(feature = "object-store"))]
    {
        let _ = (exclude, hashing, expected, sealed, progress, sink);
        Err(Error::Internal(
            "object store without its backend".to_string(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_store_bucket_and_prefix() {
        let Root::Bucket(b) = parse("s3://docs/batch/7/").unwrap() else {
            panic!("not a bucket")
        };
        assert_eq!((b.scheme, b.bucket.as_str()), (Scheme::S3, "docs"));
        assert_eq!(b.prefix, "batch/7");
        let Root::Bucket(b) = parse("gs://docs").unwrap() else {
            panic!("not a bucket")
        };
        assert_eq!((b.scheme, b.prefix.as_str()), (Scheme::Gcs, ""));
        assert_eq!(
            parse("file:///srv/docs").unwrap(),
            Root::Folder(PathBuf::from("/srv/docs"))
        );
    }

    #[test]
    fn bad_urls_are_refused_by_name() {
        for (url, says) in [
            ("ftp://x/y", "unknown scheme \"ftp\""),
            ("s3:///prefix", "no bucket"),
            ("s3://b/a/../c", "not a plain relative path"),
            ("file://relative", "absolute path"),
        ] {
            let err = parse(url).unwrap_err().to_string();
            assert!(err.starts_with(url) && err.contains(says), "{url}: {err}");
        }
        assert!(is_url("s3://b") && !is_url("./a://b") && !is_url("docs"));
    }
}
