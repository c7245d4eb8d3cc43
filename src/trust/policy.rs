//! What a run requires of a manifest's signers, and the one verdict every command that checks a
//! signature uses (`verify`, `show`, `cite`, `export`): [`Trust`] is the keyring of the run
//! (trusted keys and their revocations) with the requirements resolved against it — at least
//! `threshold` distinct trusted keys, every pinned `--signer`, and the collection name
//! `--expect-name` — and [`Trust::check`] gives the [`SignatureReport`]. A requirement that can
//! never be met by these keys (a signer that is not trusted, a name two trusted keys carry) is
//! an error before any manifest is read; one that this manifest does not meet is a verdict,
//! [`SignatureStatus::Unmet`], saying what is missing.

use std::path::PathBuf;

use super::signature::{
    self, ManifestSignature, Requirements, SignatureReport, SignatureStatus, Signer,
};
use super::{KeyId, Keyring, TrustedKey};
use crate::error::{Error, Result};

/// What is required of the signers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Valid signatures by at least this many distinct trusted keys (at least 1).
    pub threshold: usize,
    /// Trusted keys, by key ID or by the name in their `.pub` file, that must each have signed.
    pub signers: Vec<String>,
    /// The collection name the manifest must carry.
    pub expect_name: Option<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            threshold: 1,
            signers: Vec::new(),
            expect_name: None,
        }
    }
}

/// Which keys to trust, which revocations to apply, and what to require.
#[derive(Clone, Debug)]
pub struct TrustOptions {
    /// Trusted public key files or folders of `.pub` (and `.revoked`) files.
    pub keys: Vec<PathBuf>,
    /// Revocation files to apply besides those in the folders.
    pub revoked: Vec<PathBuf>,
    /// What is required of the signers.
    pub policy: Policy,
}

impl TrustOptions {
    /// Trust `keys`, with no revocation file beyond the folders' and nothing more required than
    /// one valid signature.
    pub fn keys(keys: Vec<PathBuf>) -> Self {
        TrustOptions {
            keys,
            revoked: Vec::new(),
            policy: Policy::default(),
        }
    }
}

/// The keyring of a run with its requirements resolved: what checks a manifest's signatures.
#[derive(Clone, Debug)]
pub struct Trust {
    keyring: Keyring,
    places: Vec<PathBuf>,
    required: Requirements,
}

impl Trust {
    /// Loads the keyring ([`Keyring::load`]) and resolves the pinned signers against it: each by
    /// key ID, else by the name in its `.pub` file. A signer that no trusted key is, a name that
    /// two trusted keys carry, or a threshold above the number of trusted keys is
    /// [`Error::Usage`].
    pub fn load(opts: &TrustOptions) -> Result<Self> {
        let keyring = Keyring::load(&opts.keys, &opts.revoked)?;
        let policy = &opts.policy;
        if policy.threshold == 0 {
            return Err(Error::Usage("--threshold must be at least 1".to_string()));
        }
        let trusted = keyring.keys().len();
        if policy.threshold > trusted {
            return Err(Error::Usage(format!(
                "--threshold {} can never be met: only {trusted} {} trusted ({}); trust more keys or lower the threshold",
                policy.threshold,
                if trusted == 1 { "key is" } else { "keys are" },
                list(keyring.keys().iter())
            )));
        }
        let mut signers: Vec<Signer> = Vec::new();
        for wanted in &policy.signers {
            let key = resolve(&keyring, wanted)?;
            let signer = Signer {
                key_id: key.key.id(),
                name: key.key.name().to_string(),
            };
            if !signers.contains(&signer) {
                signers.push(signer);
            }
        }
        Ok(Trust {
            keyring,
            places: opts.keys.clone(),
            required: Requirements {
                threshold: policy.threshold,
                signers,
                collection: policy.expect_name.clone(),
            },
        })
    }

    /// The trusted key files and folders, as given.
    pub fn places(&self) -> &[PathBuf] {
        &self.places
    }

    /// The keyring.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// The verdict on the signatures of a manifest of the collection `collection` (its header's
    /// `name`), given the whole signed message: [`signature::check`], then, when that is valid,
    /// the requirements — anything not met makes it [`SignatureStatus::Unmet`].
    pub fn check(
        &self,
        collection: &str,
        signed: &signature::Signed<'_>,
        signatures: &[ManifestSignature],
    ) -> SignatureReport {
        let mut report = signature::check(signed, signatures, &self.keyring);
        report.required = self.required.clone();
        if report.status != SignatureStatus::Valid {
            return report;
        }
        let unmet = self.unmet(collection, &report.signers, &report.revoked);
        if !unmet.is_empty() {
            report.status = SignatureStatus::Unmet;
            report.unmet = unmet;
        }
        report
    }

    /// What the requirements ask and `signers` (the trusted keys whose signature verified, each
    /// once) do not give, for a manifest or a checkpoint of the collection `collection`; one
    /// sentence each, nothing when all is met. `revoked`: revoked keys that signed validly.
    pub fn unmet(&self, collection: &str, signers: &[Signer], revoked: &[Signer]) -> Vec<String> {
        let mut unmet = Vec::new();
        if let Some(expected) = &self.required.collection
            && expected != collection
        {
            unmet.push(format!(
                "the manifest is for the collection \"{}\", not \"{}\" (--expect-name)",
                collection.escape_debug(),
                expected.escape_debug()
            ));
        }
        let count = signers.len();
        if count < self.required.threshold {
            unmet.push(format!(
                "{count} distinct trusted {} signed validly, and --threshold requires {}",
                if count == 1 { "key" } else { "keys" },
                self.required.threshold
            ));
        }
        for pinned in &self.required.signers {
            if signers.contains(pinned) {
                continue;
            }
            let revoked = revoked.contains(pinned);
            unmet.push(format!(
                "the required signer \"{}\" (key {}, --signer) {}",
                pinned.name.escape_debug(),
                pinned.key_id,
                if revoked {
                    "signed, but its key is revoked"
                } else {
                    "did not sign"
                }
            ));
        }
        unmet
    }
}

/// The trusted key that `wanted` names: by key ID, else by the name in its `.pub` file.
fn resolve<'a>(keyring: &'a Keyring, wanted: &str) -> Result<&'a TrustedKey> {
    if let Ok(id) = KeyId::parse(wanted)
        && let Some(key) = keyring.find(id)
    {
        return Ok(key);
    }
    let named: Vec<&TrustedKey> = keyring
        .keys()
        .iter()
        .filter(|k| k.key.name() == wanted)
        .collect();
    match named.as_slice() {
        [key] => Ok(key),
        [] => Err(Error::Usage(format!(
            "--signer {}: not among the trusted keys ({}); name a trusted key by its key ID or the name in its .pub file, or trust its key file",
            wanted.escape_debug(),
            list(keyring.keys().iter())
        ))),
        many => Err(Error::Usage(format!(
            "--signer {}: {} trusted keys carry that name ({}); pin the signer by its key ID",
            wanted.escape_debug(),
            many.len(),
            list(many.iter().copied())
        ))),
    }
}

/// Trusted keys as `"name" (key ID, file)`.
fn list<'a>(keys: impl Iterator<Item = &'a TrustedKey>) -> String {
    keys.map(|k| {
        format!(
            "\"{}\" (key {}, {})",
            k.key.name(),
            k.key.id(),
            k.file.display()
        )
    })
    .collect::<Vec<_>>()
    .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::SecretKey;
    use crate::trust::signature::{Signed, sign, signed_message};

    fn trust(keys: &[&SecretKey], required: Requirements) -> Trust {
        Trust {
            keyring: Keyring::of(keys.iter().map(|k| k.public())),
            places: Vec::new(),
            required,
        }
    }

    #[test]
    fn a_threshold_counts_distinct_keys_and_says_how_many_signed() {
        let a = SecretKey::generate("a").unwrap();
        let b = SecretKey::generate("b").unwrap();
        let required = Requirements {
            threshold: 2,
            ..Requirements::default()
        };
        let t = trust(&[&a, &b], required);
        let msg = signed_message(b"x");
        let one = sign(&a, b"x");
        let report = t.check(
            "c",
            &Signed {
                message: &msg,
                checkpoint: None,
            },
            &[one.clone(), one.clone()],
        );
        assert_eq!(report.status, SignatureStatus::Unmet);
        assert_eq!(
            report.unmet,
            ["1 distinct trusted key signed validly, and --threshold requires 2"]
        );
        let report = t.check(
            "c",
            &Signed {
                message: &msg,
                checkpoint: None,
            },
            &[one, sign(&b, b"x")],
        );
        assert_eq!(report.status, SignatureStatus::Valid, "{report:?}");
    }

    #[test]
    fn a_pinned_signer_and_the_collection_name_are_required() {
        let a = SecretKey::generate("a").unwrap();
        let b = SecretKey::generate("b").unwrap();
        let required = Requirements {
            signers: vec![Signer {
                key_id: b.id(),
                name: "b".into(),
            }],
            collection: Some("A".into()),
            ..Requirements::default()
        };
        let t = trust(&[&a, &b], required);
        let msg = signed_message(b"x");
        let report = t.check(
            "B",
            &Signed {
                message: &msg,
                checkpoint: None,
            },
            &[sign(&a, b"x")],
        );
        assert_eq!(report.status, SignatureStatus::Unmet);
        assert_eq!(report.unmet.len(), 2, "{:?}", report.unmet);
        assert!(report.unmet[0].contains("\"B\", not \"A\""));
        assert!(report.unmet[1].contains("\"b\""));
        let report = t.check(
            "A",
            &Signed {
                message: &msg,
                checkpoint: None,
            },
            &[sign(&a, b"x"), sign(&b, b"x")],
        );
        assert_eq!(report.status, SignatureStatus::Valid);
    }

    #[test]
    fn a_signer_is_resolved_by_key_id_or_by_a_name_only_one_key_carries() {
        let a = SecretKey::generate("same").unwrap();
        let b = SecretKey::generate("same").unwrap();
        let keyring = Keyring::of([a.public(), b.public()]);
        assert_eq!(
            resolve(&keyring, &a.id().to_string()).unwrap().key.id(),
            a.id()
        );
        let err = resolve(&keyring, "same").unwrap_err().to_string();
        assert!(err.contains("2 trusted keys carry that name"), "{err}");
        let err = resolve(&keyring, "nobody").unwrap_err().to_string();
        assert!(err.contains("not among the trusted keys"), "{err}");
    }
}
