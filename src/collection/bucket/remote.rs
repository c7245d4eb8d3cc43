//! The object-store backend (cargo feature `object-store`): the one place where object_store's
//! async API meets docseal's threads. A current-thread tokio runtime, owned by one scan, lists the
//! objects under the prefix, sorts them into docseal's path order (stores list in their own
//! order), and reads each object with one streaming GET whose chunks go straight into SHA-256,
//! `--jobs` objects at a time (16 when it is not given), handed on in order. Memory is bounded by the listing (a key and a
//! size per object) and the chunks in flight, never by an object's size. Credentials come only
//! from the environment; without any, nothing is asked of the network (no instance metadata).

use std::sync::Arc;

use futures_util::{StreamExt, TryStreamExt, stream};
use object_store::path::Path as ObjectPath;
use object_store::{ClientConfigKey, GetOptions, ObjectStore, RetryConfig};
use sha2::{Digest, Sha256};

use super::{Bucket, Scheme};
use crate::collection::{
    Expected, HashOptions, Item, Measured, Measurement, Problem, Progress, SealedSizes, Sink,
};
use crate::digest::{Fixity, Sha256Digest};
use crate::error::{Error, Result};
use crate::relpath::RelPath;

/// Lists and hashes every object below the bucket's prefix (see [`super::scan_bucket`]).
pub fn scan(
    bucket: &Bucket,
    exclude: Option<&RelPath>,
    hashing: HashOptions,
    expected: Option<Expected>,
    mut sealed: Option<&mut dyn SealedSizes>,
    progress: &dyn Progress,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let remote = |message: String| Error::Remote {
        url: bucket.url.clone(),
        message,
    };
    let store = open(bucket)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| remote(format!("cannot start the I/O runtime: {e}")))?;
    // `parse`, not `from`: `from` percent-encodes `%`, `{`, `\\`… and would name another key.
    let prefix = match bucket.prefix.is_empty() {
        true => None,
        false => Some(
            ObjectPath::parse(&bucket.prefix)
                .map_err(|e| remote(format!("the prefix is not a key prefix: {e}")))?,
        ),
    };
    let listed: Vec<(ObjectPath, u64)> = runtime
        .block_on(
            store
                .list(prefix.as_ref())
                .map_ok(|meta| (meta.location, meta.size))
                .try_collect(),
        )
        .map_err(|e| remote(format!("cannot list the objects: {}", one_line(&e))))?;
    let mut objects = Vec::with_capacity(listed.len());
    let mut problems = Vec::new();
    for (key, size) in listed {
        // The key exactly as listed (object_store keeps a listed key's bytes as they are).
        let text = key.as_ref();
        let name = match bucket.prefix.is_empty() {
            true => Some(text),
            false => text
                .strip_prefix(bucket.prefix.as_str())
                .and_then(|k| k.strip_prefix('/')),
        };
        let Some(name) = name.map(str::to_string) else {
            continue;
        };
        match RelPath::new(&name) {
            Ok(path) if exclude.is_some_and(|x| *x == path) => {}
            Ok(path) => objects.push((path, key, size)),
            Err(reason) => problems.push(Item::Problem(Problem {
                path: name.clone(),
                fs_path: format!("{}/{}", bucket.url.trim_end_matches('/'), name).into(),
                reason: format!("object key cannot be a collection path: {reason}"),
                unreadable: false,
            })),
        }
    }
    // Docseal's path order is the byte order of the full paths (that of `walk.rs`).
    objects.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let expected = expected.unwrap_or(Expected {
        files: objects.len() as u64,
        bytes: objects.iter().map(|o| o.2).sum(),
    });
    progress.start(expected.files, expected.bytes);
    // The sealed sizes are asked in path order, as a folder's walk asks them.
    let jobs: Vec<_> = objects
        .into_iter()
        .map(|(path, key, size)| {
            let sealed_size = sealed.as_deref_mut().and_then(|s| s.size_of(&path));
            (path, key, size, sealed_size)
        })
        .collect();
    let result = runtime.block_on(async {
        let mut measured = stream::iter(jobs)
            .map(|(path, key, size, sealed_size)| {
                let store = Arc::clone(&store);
                async move {
                    let measurement = measure(&*store, &key, size, sealed_size).await;
                    (path, measurement)
                }
            })
            .buffered(in_flight(hashing));
        // Problems (names that are not collection paths) are merged in path order.
        let mut problems = problems.into_iter().peekable();
        while let Some((path, measurement)) = measured.next().await {
            while problems.peek().is_some_and(|p| p.path() < path.as_str()) {
                sink(problems.next().expect("peeked"))?;
            }
            progress.file_done(match &measurement {
                Measurement::Hashed(fx) => fx.size,
                _ => 0,
            });
            sink(Item::File(Measured { path, measurement }))?;
        }
        for problem in problems {
            sink(problem)?;
        }
        Ok(())
    });
    progress.finish();
    result
}

/// Objects fetched at once when `--jobs` is not given. A GET spends most of its time waiting
/// on the network, not hashing (all of them are hashed on one thread as their bytes arrive), so
/// the number of CPUs is too few to keep a store busy: with 2 CPUs, 2 GETs at a time.
const DEFAULT_IN_FLIGHT: usize = 16;

/// How many GETs are open at once: `--jobs` when given, else [`DEFAULT_IN_FLIGHT`] or the
/// number of CPUs, whichever is more.
fn in_flight(hashing: HashOptions) -> usize {
    match hashing.jobs_chosen {
        true => hashing.jobs.max(1),
        false => hashing.jobs.max(DEFAULT_IN_FLIGHT),
    }
}

/// Reads one object with a streaming GET into SHA-256, chunk by chunk. An object whose listed
/// size differs from its sealed size is not read; one that grows past it is not read to its end.
async fn measure(
    store: &dyn ObjectStore,
    key: &ObjectPath,
    size: u64,
    sealed: Option<u64>,
) -> Measurement {
    if sealed.is_some_and(|s| s != size) {
        return Measurement::OtherSize(size);
    }
    let limit = sealed.unwrap_or(u64::MAX);
    let got = match store.get_opts(key, GetOptions::default()).await {
        Ok(got) => got,
        Err(object_store::Error::NotFound { .. }) => return Measurement::Vanished,
        Err(e) => return Measurement::Unreadable(one_line(&e)),
    };
    let mut chunks = got.into_stream();
    let mut hasher = Sha256::new();
    let mut read = 0u64;
    while let Some(chunk) = chunks.next().await {
        match chunk {
            Ok(bytes) => {
                read += bytes.len() as u64;
                if read > limit {
                    return Measurement::OtherSize(read);
                }
                hasher.update(&bytes);
            }
            Err(e) => return Measurement::Unreadable(one_line(&e)),
        }
    }
    Measurement::Hashed(Fixity {
        size: read,
        digest: Sha256Digest::from_bytes(hasher.finalize().into()),
    })
}

/// The store for `bucket`, configured from the environment only. Refuses when no credentials are
/// set, so that no instance-metadata service is ever asked.
/// The HTTP client's timeouts, over object_store's defaults. Its default bounds a whole request,
/// body included, by 30 seconds, and a GET that takes longer is resumed by ranged retries that
/// stop 3 minutes after the first request: an object that takes longer than that to arrive (2 GB
/// at 10 MB/s) could not be verified. Here a request may take as long as its body needs, and
/// what is bounded is a stall: no byte for 30 seconds, or no connection in 5.
const CLIENT: [(ClientConfigKey, &str); 3] = [
    (ClientConfigKey::Timeout, "24h"),
    (ClientConfigKey::ReadTimeout, "30s"),
    (ClientConfigKey::ConnectTimeout, "5s"),
];

/// `builder` with the client settings of [`CLIENT`] over what the environment gave it; `set` is
/// the builder's own `with_config` for a client key (each store has its own key type).
fn configured<B>(builder: B, set: impl Fn(B, ClientConfigKey, &str) -> B) -> B {
    CLIENT
        .into_iter()
        .fold(builder, |b, (key, value)| set(b, key, value))
}

/// Retries of a failed request: a few, with object_store's backoff, for at most a minute (its
/// default, 10 retries for up to 3 minutes, kept a run against an unreachable endpoint waiting
/// that long before it said so).
fn retry() -> RetryConfig {
    RetryConfig {
        backoff: Default::default(),
        max_retries: 5,
        retry_timeout: std::time::Duration::from_secs(60),
    }
}

fn open(bucket: &Bucket) -> Result<Arc<dyn ObjectStore>> {
    // reqwest's rustls has no provider of its own here: ring, as for `fetch`. Installing fails
    // only when one is installed already, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let refuse = |needs: &str| Error::Remote {
        url: bucket.url.clone(),
        message: format!("no credentials in the environment; set {needs}"),
    };
    let built = match bucket.scheme {
        Scheme::S3 => {
            if !(set("AWS_ACCESS_KEY_ID") && set("AWS_SECRET_ACCESS_KEY")) {
                return Err(refuse("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));
            }
            let b = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(&bucket.bucket)
                .with_retry(retry());
            configured(b, |b, key, value| {
                b.with_config(object_store::aws::AmazonS3ConfigKey::Client(key), value)
            })
            .build()
            .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
        }
        Scheme::Gcs => {
            if ![
                "GOOGLE_SERVICE_ACCOUNT",
                "GOOGLE_SERVICE_ACCOUNT_PATH",
                "GOOGLE_SERVICE_ACCOUNT_KEY",
                "GOOGLE_APPLICATION_CREDENTIALS",
            ]
            .iter()
            .any(|v| set(v))
            {
                return Err(refuse(
                    "GOOGLE_APPLICATION_CREDENTIALS (or GOOGLE_SERVICE_ACCOUNT_KEY)",
                ));
            }
            let b = object_store::gcp::GoogleCloudStorageBuilder::from_env()
                .with_bucket_name(&bucket.bucket)
                .with_retry(retry());
            configured(b, |b, key, value| {
                b.with_config(object_store::gcp::GoogleConfigKey::Client(key), value)
            })
            .build()
            .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
        }
        Scheme::Azure => {
            // A key, a SAS or a bearer token: a service principal or managed identity would be
            // looked up through Azure's metadata service, which docseal never asks.
            let secret = [
                "AZURE_STORAGE_ACCOUNT_KEY",
                "AZURE_STORAGE_ACCESS_KEY",
                "AZURE_STORAGE_SAS_KEY",
                "AZURE_STORAGE_MASTER_KEY",
                "AZURE_STORAGE_TOKEN",
            ]
            .iter()
            .any(|v| set(v));
            if !(set("AZURE_STORAGE_USE_EMULATOR") || set("AZURE_STORAGE_ACCOUNT_NAME") && secret) {
                return Err(refuse(
                    "AZURE_STORAGE_ACCOUNT_NAME and AZURE_STORAGE_ACCOUNT_KEY (or AZURE_STORAGE_SAS_KEY)",
                ));
            }
            let b = object_store::azure::MicrosoftAzureBuilder::from_env()
                .with_container_name(&bucket.bucket)
                .with_retry(retry());
            configured(b, |b, key, value| {
                b.with_config(object_store::azure::AzureConfigKey::Client(key), value)
            })
            .build()
            .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
        }
    };
    built.map_err(|e| Error::Remote {
        url: bucket.url.clone(),
        message: format!("cannot configure the store: {}", one_line(&e)),
    })
}

/// An object_store error (which nests its causes) as one line.
fn one_line(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gets_in_flight_are_the_jobs_asked_for_else_at_least_sixteen() {
        let opts = |jobs, jobs_chosen| HashOptions {
            jobs,
            jobs_chosen,
            sizes_up_front: false,
        };
        assert_eq!(in_flight(opts(2, true)), 2);
        assert_eq!(in_flight(opts(1, true)), 1);
        assert_eq!(in_flight(opts(2, false)), DEFAULT_IN_FLIGHT);
        assert_eq!(in_flight(opts(64, false)), 64);
    }
}
