//! The two kinds of key file, each a small TOML file with one strict struct: a public key
//! (`type = "docseal-public-key"`, meant to be committed) and a secret key
//! (`type = "docseal-secret-key"`, mode 0600). The `type` field is read first and chooses the
//! struct; each refuses fields it does not know, so a public key file that also carries a
//! `secret_key` is refused — with a warning that a secret sits in a file meant to be shared —
//! instead of being trusted without a word.

use std::path::Path;

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use zeroize::Zeroizing;

use super::encrypted_key::{ENCRYPTED_KEY_FORMAT_VERSION, EncryptedKeyFile};
use crate::error::{Error, Result};

/// The `type` of a public key file.
pub const PUBLIC_TYPE: &str = "docseal-public-key";
/// The `type` of a secret key file.
pub const SECRET_TYPE: &str = "docseal-secret-key";
/// The key file format version this docseal reads and writes.
pub const KEY_FORMAT_VERSION: i64 = 1;

/// The fields every key file has.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublicKeyFile {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) format_version: i64,
    pub(crate) name: String,
    pub(crate) key_id: String,
    pub(crate) algorithm: String,
    pub(crate) public_key: String,
}

/// A secret key file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SecretKeyFile {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) format_version: i64,
    pub(crate) name: String,
    pub(crate) key_id: String,
    pub(crate) algorithm: String,
    /// The seed as hex, wiped when the struct is dropped.
    pub(crate) secret_key: Zeroizing<String>,
}

/// A key file, read by the struct its `type` (and, for a secret key, its `format_version`) names.
pub(crate) enum KeyFile {
    Public(PublicKeyFile),
    Secret(SecretKeyFile),
    Encrypted(EncryptedKeyFile),
}

/// Only what chooses the struct (and, for a file that is no key at all, what else it is), read
/// leniently. Values are skipped, not copied: a secret must not be left in a stray `String`.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "type")]
    kind: Option<String>,
    format_version: Option<toml::Value>,
    encrypted_secret_key: Option<IgnoredAny>,
    secret_key: Option<IgnoredAny>,
    digest_algorithm: Option<IgnoredAny>,
    file: Option<IgnoredAny>,
    signature: Option<IgnoredAny>,
    source: Option<IgnoredAny>,
}

impl Probe {
    /// What a file without a key file's `type` is, when it is another docseal file.
    fn other_docseal_file(&self) -> Option<&'static str> {
        if self.kind.is_some() {
            None
        } else if self.digest_algorithm.is_some() || self.file.is_some() || self.signature.is_some()
        {
            Some("a docseal manifest")
        } else if self.source.is_some() {
            Some("a sources list (for `seal --sources`)")
        } else {
            None
        }
    }
}

/// Which kind of file the caller wants, for a file whose `type` names neither.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wanted {
    Public,
    Secret,
}

/// Parses key-file text; `path` is for messages.
pub(crate) fn parse(path: &Path, text: &str, wanted: Wanted) -> Result<KeyFile> {
    let probe: Probe = toml::from_str(text).map_err(|e| not_a_key_file(path, text, &e))?;
    if let Some(what) = probe.other_docseal_file() {
        return Err(Error::invalid(
            path,
            match wanted {
                Wanted::Public => format!(
                    "this is {what}, not a public key; trust a KEY.pub file or a folder of .pub files"
                ),
                Wanted::Secret => format!(
                    "this is {what}, not a secret key; pass the secret key file made by `docseal keygen` (by default ~/.config/docseal/keys/NAME.key)"
                ),
            },
        ));
    }
    let kind = match probe.kind.as_deref() {
        Some(PUBLIC_TYPE) => Wanted::Public,
        Some(SECRET_TYPE) => Wanted::Secret,
        _ => wanted,
    };
    match kind {
        Wanted::Public if probe.secret_key.is_some() => Err(Error::invalid(
            path,
            "this public key file also holds a secret_key, a secret in a file meant to be committed; \
             remove that line, keep the secret in a mode-0600 .key file, and make a new key if this file was ever shared",
        )),
        Wanted::Public => strict(path, text).map(KeyFile::Public),
        // Version 2 is the encrypted kind; a file with `encrypted_secret_key` is read as one
        // whatever its version says, so that its errors speak of the fields it has.
        Wanted::Secret
            if probe.encrypted_secret_key.is_some()
                || probe
                    .format_version
                    .as_ref()
                    .and_then(toml::Value::as_integer)
                    == Some(ENCRYPTED_KEY_FORMAT_VERSION) =>
        {
            toml::from_str(text).map(KeyFile::Encrypted).map_err(|e| {
                let mut err = Error::from_toml(path, text, &e);
                if let Error::Parse { message, .. } | Error::Invalid { message, .. } = &mut err {
                    message.push_str(DAMAGED);
                }
                err
            })
        }
        Wanted::Secret => strict(path, text).map(KeyFile::Secret),
    }
}

/// True when `text` says it is a secret key, even if it is malformed: such a file holds a
/// secret whatever else is wrong with it, so its permissions are judged before its syntax.
pub(crate) fn claims_secret(text: &str) -> bool {
    text.contains(SECRET_TYPE) || text.contains("secret_key")
}

fn strict<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    toml::from_str::<T>(text).map_err(|e| not_a_key_file(path, text, &e))
}

fn not_a_key_file(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let mut err = Error::from_toml(path, text, e);
    if let Error::Parse { message, .. } | Error::Invalid { message, .. } = &mut err {
        message.push_str(if claims_encrypted(text) {
            DAMAGED
        } else {
            "; this is not a valid docseal key file"
        });
    }
    err
}

/// Said of an encrypted key file that does not parse: most likely cut short or edited.
const DAMAGED: &str = "; this encrypted key file is damaged (truncated or edited): restore it from a copy or generate a new key";

/// True when `text` looks like an encrypted secret key file, whatever else is wrong with it.
fn claims_encrypted(text: &str) -> bool {
    text.contains(SECRET_TYPE)
        && (text.contains("encrypted_secret_key")
            || text.contains(&format!(
                "format_version = {ENCRYPTED_KEY_FORMAT_VERSION}\n"
            )))
}

/// Checks the fields every kind shares: the type, the format version (`expected_version`), the
/// algorithm and the name.
pub(crate) fn check_header(
    path: &Path,
    kind: &str,
    expected: &str,
    (format_version, expected_version): (i64, i64),
    algorithm: &str,
    name: &str,
) -> Result<()> {
    if kind != expected {
        return Err(Error::invalid(
            path,
            format!(
                "not a docseal key file (type \"{}\", expected \"{expected}\")",
                kind.escape_debug()
            ),
        ));
    }
    if format_version != expected_version {
        let known = if expected == SECRET_TYPE {
            format!(
                "versions {KEY_FORMAT_VERSION} (unencrypted) and {ENCRYPTED_KEY_FORMAT_VERSION} (encrypted)"
            )
        } else {
            format!("version {KEY_FORMAT_VERSION}")
        };
        return Err(Error::invalid(
            path,
            format!(
                "unsupported key format version {format_version}; this docseal reads {known}, upgrade docseal"
            ),
        ));
    }
    if algorithm != "ed25519" {
        return Err(Error::invalid(
            path,
            format!(
                "unsupported key algorithm \"{}\"; docseal keys are \"ed25519\"",
                algorithm.escape_debug()
            ),
        ));
    }
    super::validate_key_name(name).map_err(|m| corrupt(path, &m))
}

/// A key file whose values do not hold together.
pub(crate) fn corrupt(path: &Path, why: &str) -> Error {
    Error::invalid(
        path,
        format!("corrupt key file: {why}; restore it from a copy or generate a new key"),
    )
}

/// The key-file text: a comment line, then the fields in their fixed order. It is written into
/// one allocation made large enough at the start (never grown, so never copied), which a caller
/// holding a secret can wipe.
pub(crate) fn text(
    comment: &str,
    kind: &str,
    name: &str,
    id: &str,
    field: &str,
    hex: &str,
) -> String {
    use std::fmt::Write;
    // The fixed text is under 100 bytes.
    let capacity =
        128 + comment.len() + kind.len() + name.len() + id.len() + field.len() + hex.len();
    let mut out = String::with_capacity(capacity);
    let _ = write!(
        out,
        "# {comment}\ntype = \"{kind}\"\nformat_version = {KEY_FORMAT_VERSION}\nname = \"{name}\"\n\
         key_id = \"{id}\"\nalgorithm = \"ed25519\"\n{field} = \"{hex}\"\n"
    );
    debug_assert_eq!(
        out.capacity(),
        capacity,
        "the key-file text was reallocated"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "type = \"docseal-public-key\"\nformat_version = 1\nname = \"k\"\n\
        key_id = \"0011223344556677\"\nalgorithm = \"ed25519\"\npublic_key = \"00\"\n";

    #[test]
    fn the_type_field_chooses_the_struct() {
        let p = Path::new("k");
        assert!(matches!(
            parse(p, PUBLIC, Wanted::Secret),
            Ok(KeyFile::Public(_))
        ));
        let secret = PUBLIC
            .replace("public-key", "secret-key")
            .replace("public_key", "secret_key");
        assert!(matches!(
            parse(p, &secret, Wanted::Public),
            Ok(KeyFile::Secret(_))
        ));
    }

    #[test]
    fn a_public_key_file_holding_a_secret_is_refused() {
        let text = format!("{PUBLIC}secret_key = \"00\"\n");
        let err = parse(Path::new("k.pub"), &text, Wanted::Public)
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains("a secret in a file meant to be committed"),
            "{err}"
        );
    }

    #[test]
    fn unknown_fields_are_refused_in_either_kind() {
        let text = format!("{PUBLIC}colour = 1\n");
        let err = parse(Path::new("k.pub"), &text, Wanted::Public)
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("unknown field \"colour\""),
            "{err}"
        );
    }
}
