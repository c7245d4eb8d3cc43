//! [`SecretKey`]: an Ed25519 key that signs manifests — generated from the operating system's
//! random source, read from a `.key` file that other users must not be able to read, and found by
//! name in the config folder where `keygen` puts it.

use std::fmt;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;

use zeroize::Zeroizing;

use super::encrypted_key::{self, ENCRYPTED_KEY_FORMAT_VERSION, EncryptedKeyFile};
use super::key_file::{self, KEY_FORMAT_VERSION, KeyFile, SECRET_TYPE, Wanted, corrupt};
use super::passphrase::{Passphrase, PassphraseSource};
use super::{KeyId, PublicKey, secret_file, validate_key_name};
use crate::digest::{decode_hex_into, to_hex};
use crate::error::{Error, Result};

/// A secret key that can sign manifests.
pub struct SecretKey {
    name: String,
    id: KeyId,
    /// Whether it was read from a file encrypted with a passphrase.
    encrypted: bool,
    /// On the heap, so that moving a `SecretKey` never copies the seed (ed25519-dalek wipes it
    /// when it is dropped).
    key: Box<SigningKey>,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({}, {})", self.name, self.id)
    }
}

impl SecretKey {
    /// Generates a new key pair from the operating system's random source.
    pub fn generate(name: &str) -> Result<Self> {
        validate_key_name(name).map_err(Error::Usage)?;
        let key = {
            let mut seed = Zeroizing::new([0u8; 32]);
            getrandom::fill(&mut seed[..]).map_err(|e| Error::Random(e.to_string()))?;
            Self::from_signing_key(name, SigningKey::from_bytes(&seed))
        };
        secret_file::wipe_stack();
        Ok(key)
    }

    fn from_signing_key(name: &str, key: SigningKey) -> Self {
        SecretKey {
            name: name.to_string(),
            id: KeyId::of(&key.verifying_key()),
            encrypted: false,
            key: Box::new(key),
        }
    }

    /// The name the key was generated under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID (of the public half).
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// Whether the key was read from a file encrypted with a passphrase.
    pub fn was_encrypted(&self) -> bool {
        self.encrypted
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey::new(&self.name, self.key.verifying_key())
    }

    /// Signs `message` (Ed25519, RFC 8032).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer;
        self.key.sign(message).to_bytes()
    }

    /// Loads an unencrypted secret key file; see [`SecretKey::load_with`].
    #[inline(always)]
    pub fn load(path: &Path) -> Result<Self> {
        Self::load_with(path, None)
    }

    /// Loads a secret key file: opened once, and only a regular file of a key file's size is read
    /// (see `secret_file`). What the text is comes first — a folder, a device, a manifest, a
    /// sources list or a public key is named as such — and a file that holds a secret key is
    /// then refused when other users can read it or it belongs to another user, before any
    /// passphrase is asked for. An encrypted key is decrypted with the passphrase from
    /// `passphrase` (none: an encrypted key is refused, saying how to give one). The text, the
    /// parsed fields, the passphrase and the seed are wiped after use.
    #[inline(always)]
    pub fn load_with(path: &Path, passphrase: Option<&PassphraseSource>) -> Result<Self> {
        let loaded = Self::load_unwiped(path, passphrase);
        // The seed passed through the stack frames of the functions that decoded it and made the
        // signing key; those frames are gone, their bytes are not.
        secret_file::wipe_stack();
        loaded
    }

    /// A secret key from the text of a key file held by the environment variable `var` (so that
    /// it never touches disk), decrypted with `passphrase` if it is encrypted.
    #[inline(always)]
    pub fn from_env(var: &str, passphrase: Option<&PassphraseSource>) -> Result<Self> {
        let loaded = Self::from_env_unwiped(var, passphrase);
        secret_file::wipe_stack();
        loaded
    }

    #[inline(never)]
    fn from_env_unwiped(var: &str, passphrase: Option<&PassphraseSource>) -> Result<Self> {
        let shown = PathBuf::from(format!("env:{var}"));
        let value = std::env::var_os(var).ok_or_else(|| {
            Error::Usage(format!(
                "environment variable {var} is not set (--key env:{var}); set it to the text of a secret key file"
            ))
        })?;
        let text = Zeroizing::new(value.into_string().map_err(|v| {
            drop(Zeroizing::new(v.into_encoded_bytes()));
            Error::invalid(
                &shown,
                "is not text; set it to the text of a secret key file made by `docseal keygen`",
            )
        })?);
        if text.len() as u64 > secret_file::MAX_KEY_FILE {
            return Err(Error::invalid(
                &shown,
                format!(
                    "holds {} bytes, too large for a docseal key file (a few hundred bytes)",
                    text.len()
                ),
            ));
        }
        Self::parse_with(&shown, &text, passphrase)
    }

    #[inline(never)]
    fn load_unwiped(path: &Path, passphrase: Option<&PassphraseSource>) -> Result<Self> {
        let opened = secret_file::read(path)?;
        // A secret key, even with a malformed line, is still a secret: its permissions come
        // first. Anything else is named for what it is, with no word about permissions.
        if key_file::claims_secret(&opened.text) {
            secret_file::check_private(path, &opened)?;
        }
        Self::parse_with(path, &opened.text, passphrase)
    }

    /// A secret key from the text of an unencrypted key file that is already read (`path` is for
    /// messages), with every check [`SecretKey::load`] makes except those on the file itself.
    /// For tests and fuzzing; to sign, load the file.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        Self::parse_with(path, text, None)
    }

    /// [`SecretKey::parse`] of either kind of secret key file, an encrypted one decrypted with
    /// the passphrase from `passphrase`, which is asked for only once everything that can be
    /// checked without it was (the file's fields, the KDF parameters, its checksum).
    pub fn parse_with(
        path: &Path,
        text: &str,
        passphrase: Option<&PassphraseSource>,
    ) -> Result<Self> {
        let file = match key_file::parse(path, text, Wanted::Secret)? {
            KeyFile::Secret(file) => file,
            KeyFile::Encrypted(file) => return Self::decrypt(path, &file, passphrase),
            // A public key is meant to be readable by everyone: say what it is instead.
            KeyFile::Public(_) => return Err(public_not_secret(path)),
        };
        key_file::check_header(
            path,
            &file.kind,
            SECRET_TYPE,
            (file.format_version, KEY_FORMAT_VERSION),
            &file.algorithm,
            &file.name,
        )?;
        let mut seed = Zeroizing::new([0u8; 32]);
        if !decode_hex_into(&file.secret_key, &mut seed[..]) {
            return Err(corrupt(path, "secret_key is not 64 lower-case hex digits"));
        }
        Self::checked(path, &file.name, &file.key_id, &seed)
    }

    fn decrypt(
        path: &Path,
        file: &EncryptedKeyFile,
        passphrase: Option<&PassphraseSource>,
    ) -> Result<Self> {
        key_file::check_header(
            path,
            &file.kind,
            SECRET_TYPE,
            (file.format_version, ENCRYPTED_KEY_FORMAT_VERSION),
            &file.algorithm,
            &file.name,
        )?;
        KeyId::parse(&file.key_id).map_err(|m| corrupt(path, &m))?;
        let sealed = encrypted_key::check(path, file)?;
        let source = passphrase.ok_or_else(|| {
            Error::Usage(format!(
                "{}: this secret key is encrypted with a passphrase; pass --passphrase-file FILE or --passphrase env:VAR",
                path.display()
            ))
        })?;
        let what = format!("secret key \"{}\" ({})", file.name, path.display());
        let given = source.get(&what, false)?;
        let seed = encrypted_key::decrypt(path, &sealed, &file.name, &given)?;
        let mut key = Self::checked(path, &file.name, &file.key_id, &seed)?;
        key.encrypted = true;
        Ok(key)
    }

    /// The key of `seed`, whose ID must be `key_id`.
    fn checked(path: &Path, name: &str, key_id: &str, seed: &[u8; 32]) -> Result<Self> {
        let key = Self::from_signing_key(name, SigningKey::from_bytes(seed));
        if key_id != key.id.to_string() {
            return Err(corrupt(
                path,
                &format!(
                    "key_id {} does not match the key (whose ID is {})",
                    key_id, key.id
                ),
            ));
        }
        Ok(key)
    }

    /// The text of a secret key file for this key encrypted with `passphrase` (format version 2).
    pub fn to_encrypted_file_text(&self, passphrase: &Passphrase) -> Result<String> {
        encrypted_key::encrypt(
            &format!(
                "docseal secret key \"{}\", encrypted with a passphrase. Keep it private: never commit, copy or share this file.",
                self.name
            ),
            &self.name,
            self.id,
            self.key.as_bytes(),
            passphrase,
        )
    }

    /// The text of a secret key file for this key, wiped when dropped.
    pub fn to_file_text(&self) -> Zeroizing<String> {
        let hex = Zeroizing::new(to_hex(self.key.as_bytes()));
        Zeroizing::new(key_file::text(
            &format!(
                "docseal secret key \"{}\". Keep it private: never commit, copy or share this file.",
                self.name
            ),
            SECRET_TYPE,
            &self.name,
            &self.id.to_string(),
            "secret_key",
            &hex,
        ))
    }

    /// The secret key file that `--key` names: an existing file as it is, or, for a bare key name
    /// such as `archive` (not `archive.key`, not a path), the key of that name that `keygen` put
    /// in the config folder ([`default_secret_path`]).
    pub fn locate(given: &Path) -> Result<PathBuf> {
        if given.exists() {
            return Ok(given.to_path_buf());
        }
        if let Some(name) = given.to_str()
            && validate_key_name(name).is_ok()
            && !name.ends_with(".key")
            && !name.ends_with(".pub")
        {
            let default = default_secret_path(name)?;
            if default.exists() {
                return Ok(default);
            }
            return Err(Error::invalid(
                given,
                format!(
                    "secret key not found (nor {}); run `docseal keygen --name {name}` or pass the key file's path",
                    default.display()
                ),
            ));
        }
        Err(Error::invalid(
            given,
            "secret key not found; pass the path of a key made by `docseal keygen`",
        ))
    }
}

fn public_not_secret(path: &Path) -> Error {
    Error::invalid(
        path,
        "this is a public key; seal needs the secret key (by default in ~/.config/docseal/keys/NAME.key)",
    )
}

/// Where `keygen` puts a secret key by default: `$XDG_CONFIG_HOME/docseal/keys/NAME.key`, else
/// `$HOME/.config/docseal/keys/NAME.key` (`%APPDATA%\docseal\keys\NAME.key` on Windows).
pub fn default_secret_path(name: &str) -> Result<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })
        .or_else(|| std::env::var_os("APPDATA").map(PathBuf::from))
        .ok_or_else(|| {
            Error::Usage(
                "cannot find a config folder (HOME is not set); pass --secret PATH".to_string(),
            )
        })?;
    Ok(base
        .join("docseal")
        .join("keys")
        .join(format!("{name}.key")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::from_hex;

    #[test]
    fn a_secret_key_file_text_parses_back_to_the_same_key() {
        let key = SecretKey::generate("t").unwrap();
        let back = SecretKey::parse(Path::new("t.key"), &key.to_file_text()).unwrap();
        assert_eq!(back.id(), key.id());
        assert_eq!(back.sign(b"m"), key.sign(b"m"));
        let public = key.public().to_file_text();
        let err = SecretKey::parse(Path::new("t.pub"), &public).unwrap_err();
        assert!(err.to_string().contains("this is a public key"), "{err}");
    }

    #[test]
    fn a_key_from_an_rfc8032_seed_has_its_public_key_and_signs_as_the_rfc_says() {
        // RFC 8032 §7.1 TEST 2: seed, public key, message, signature.
        let seed: [u8; 32] =
            from_hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb").unwrap();
        let key = SecretKey::from_signing_key("rfc", SigningKey::from_bytes(&seed));
        assert_eq!(
            to_hex(key.public().as_bytes()),
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
        );
        assert_eq!(
            to_hex(&key.sign(&[0x72])),
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da\
             085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        );
    }
}
