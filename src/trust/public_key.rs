//! [`PublicKey`]: an Ed25519 key that checks signatures, read from a `.pub` file (meant to be
//! committed, so that anyone can check what the key signs) and written back in the same form.

use std::path::Path;

use ed25519_dalek::VerifyingKey;

use super::KeyId;
use super::key_file::{self, KeyFile, PUBLIC_TYPE, Wanted, corrupt};
use crate::digest::{from_hex, to_hex};
use crate::error::{Error, Result};
use crate::fsio;

/// A public key that can check signatures, with the name it was generated under.
#[derive(Clone, Debug)]
pub struct PublicKey {
    name: String,
    id: KeyId,
    key: VerifyingKey,
}

impl PublicKey {
    /// The public half of a key pair made here.
    pub(crate) fn new(name: &str, key: VerifyingKey) -> Self {
        PublicKey {
            name: name.to_string(),
            id: KeyId::of(&key),
            key,
        }
    }

    /// The name the key was generated under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The Ed25519 verifying key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Loads and checks a public key file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = fsio::read_text(path, "public key file")?;
        let file = match key_file::parse(path, &text, Wanted::Public)? {
            KeyFile::Public(file) => file,
            KeyFile::Secret(_) => {
                return Err(Error::invalid(
                    path,
                    "this is a secret key, not a public key; trust the matching .pub file instead (and keep this one private)",
                ));
            }
        };
        key_file::check_header(
            path,
            &file.kind,
            PUBLIC_TYPE,
            file.format_version,
            &file.algorithm,
            &file.name,
        )?;
        let bytes = from_hex::<32>(&file.public_key)
            .ok_or_else(|| corrupt(path, "public_key is not 64 lower-case hex digits"))?;
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|_| corrupt(path, "public_key is not a valid Ed25519 point"))?;
        if key.is_weak() {
            return Err(corrupt(
                path,
                "public_key is a weak (small-order) Ed25519 key",
            ));
        }
        let id = KeyId::of(&key);
        if file.key_id != id.to_string() {
            return Err(corrupt(
                path,
                &format!(
                    "key_id {} does not match the key (whose ID is {id})",
                    file.key_id
                ),
            ));
        }
        Ok(PublicKey {
            name: file.name,
            id,
            key,
        })
    }

    /// The text of a public key file for this key.
    pub fn to_file_text(&self) -> String {
        key_file::text(
            &format!(
                "docseal public key \"{}\". Commit this file: it lets anyone check what this key signs.",
                self.name
            ),
            PUBLIC_TYPE,
            &self.name,
            &self.id.to_string(),
            "public_key",
            &to_hex(self.key.as_bytes()),
        )
    }
}
