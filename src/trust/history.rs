//! The history a verifier trusts: a manifest's place in its collection's chain (its
//! [`Position`]: sequence number and manifest digest), the judgement of a new position against
//! one seen before (a rollback, or two different manifests signed for one sequence number), and
//! the verifier's state file (`verify --state`, `docs/history.md`): per collection name and
//! signer key, the newest position seen. The state is read through `fsio` (bounded, never
//! waiting on a FIFO), parsed strictly and written atomically; nothing here reads a manifest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::KeyId;
use crate::digest::Sha256Digest;
use crate::error::{Error, Result, line_of};
use crate::fsio::{self, Access};

/// The `type` of a state file.
pub const STATE_TYPE: &str = "docseal-state";

/// The format version of state files this docseal reads and writes.
pub const STATE_FORMAT_VERSION: i64 = 1;

/// The largest state file read: about 100 000 collections and signers.
pub const STATE_MAX: u64 = 16 << 20;

/// Where a manifest stands in its collection's chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// Its `sequence`.
    pub sequence: u64,
    /// The SHA-256 of its signed message (`docs/manifest-format.md` §7), what a successor's
    /// `previous` holds.
    pub digest: Sha256Digest,
}

/// What is wrong with `now` given `seen`, a position of the same collection trusted before
/// (`what` says where it came from, e.g. "the state file s.toml"): `None` when `now` is the same
/// manifest or a later one.
pub fn judge(seen: &Position, now: &Position, what: &str) -> Option<String> {
    if now.sequence < seen.sequence {
        Some(format!(
            "rollback: this manifest is sequence {}, older than sequence {} seen in {what}; a newer manifest was replaced by an older one (restore the newest manifest)",
            now.sequence, seen.sequence
        ))
    } else if now.sequence == seen.sequence && now.digest != seen.digest {
        Some(format!(
            "two different manifests signed for sequence {}: this one (manifest digest {}) and the one in {what} ({}); the signer made both (equivocation): find out why before trusting either",
            now.sequence,
            short(&now.digest),
            short(&seen.digest)
        ))
    } else {
        None
    }
}

fn short(d: &Sha256Digest) -> String {
    d.to_hex()[..16].to_string()
}

/// The verifier's state: the newest position seen per collection name and signer key.
#[derive(Clone, Debug)]
pub struct State {
    path: PathBuf,
    seen: BTreeMap<(String, KeyId), Position>,
    existed: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    #[serde(rename = "type")]
    kind: Spanned<String>,
    format_version: Spanned<i64>,
    #[serde(default)]
    seen: Vec<RawSeen>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeen {
    name: Spanned<String>,
    key_id: KeyId,
    sequence: u64,
    digest: Sha256Digest,
}

#[derive(Serialize)]
struct StateOut<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    format_version: i64,
    seen: Vec<SeenOut<'a>>,
}

#[derive(Serialize)]
struct SeenOut<'a> {
    name: &'a str,
    key_id: KeyId,
    sequence: u64,
    digest: Sha256Digest,
}

impl State {
    /// Reads the state file at `path`; a file that does not exist is an empty state (written on
    /// the first successful verification). A folder, FIFO or device is refused by `fsio`, a
    /// malformed file names its line.
    pub fn load(path: &Path) -> Result<Self> {
        if std::fs::symlink_metadata(path).is_err() {
            let folder = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            if !folder.is_dir() {
                return Err(Error::invalid(
                    path,
                    format!(
                        "state file not found, and its folder {} does not exist to create it in; create the folder first",
                        folder.display()
                    ),
                ));
            }
            return Ok(State {
                path: path.to_path_buf(),
                seen: BTreeMap::new(),
                existed: false,
            });
        }
        let text = fsio::read_text_at_most(path, "state file", STATE_MAX)?;
        Self::parse(path, &text)
    }

    fn parse(path: &Path, text: &str) -> Result<Self> {
        let hint = "; pass --state a file that docseal verify --state wrote, or a new file name";
        let raw: RawState =
            toml::from_str(text).map_err(|e| match Error::from_toml(path, text, &e) {
                Error::Parse {
                    path,
                    line,
                    message,
                } => Error::Parse {
                    path,
                    line,
                    message: format!("{message}{hint}"),
                },
                other => other,
            })?;
        let at = |offset: usize, message: String| Error::Parse {
            path: path.to_path_buf(),
            line: line_of(text, offset),
            message,
        };
        if raw.kind.get_ref() != STATE_TYPE {
            return Err(at(
                raw.kind.span().start,
                format!(
                    "type \"{}\" is not \"{STATE_TYPE}\", so this is not a docseal state file{hint}",
                    raw.kind.get_ref().escape_debug()
                ),
            ));
        }
        if *raw.format_version.get_ref() != STATE_FORMAT_VERSION {
            return Err(at(
                raw.format_version.span().start,
                format!(
                    "unsupported state file format version {}; this docseal reads version {STATE_FORMAT_VERSION}, upgrade docseal",
                    raw.format_version.get_ref()
                ),
            ));
        }
        let mut seen = BTreeMap::new();
        let mut lines = crate::error::Lines::new(text);
        for s in raw.seen {
            let line = lines.line_of(s.name.span().start);
            let key = (s.name.into_inner(), s.key_id);
            let position = Position {
                sequence: s.sequence,
                digest: s.digest,
            };
            if seen.insert(key.clone(), position).is_some() {
                return Err(Error::Parse {
                    path: path.to_path_buf(),
                    line,
                    message: format!(
                        "a second entry for collection \"{}\" and key {}; a state file holds one per collection and key, so it was edited: restore it",
                        key.0.escape_debug(),
                        key.1
                    ),
                });
            }
        }
        Ok(State {
            path: path.to_path_buf(),
            seen,
            existed: true,
        })
    }

    /// The state file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when the file existed when it was loaded.
    pub fn existed(&self) -> bool {
        self.existed
    }

    /// The newest position seen for collection `name` signed by `key`.
    pub fn get(&self, name: &str, key: KeyId) -> Option<&Position> {
        self.seen.get(&(name.to_string(), key))
    }

    /// Records `position` for `name` and `key`, unless a later one is recorded already.
    pub fn record(&mut self, name: &str, key: KeyId, position: Position) {
        let slot = self.seen.entry((name.to_string(), key)).or_insert(position);
        if slot.sequence < position.sequence {
            *slot = position;
        }
    }

    /// Writes the state file atomically.
    pub fn save(&self) -> Result<()> {
        let out = StateOut {
            kind: STATE_TYPE,
            format_version: STATE_FORMAT_VERSION,
            seen: self
                .seen
                .iter()
                .map(|((name, key_id), p)| SeenOut {
                    name,
                    key_id: *key_id,
                    sequence: p.sequence,
                    digest: p.digest,
                })
                .collect(),
        };
        let body = toml::to_string(&out)
            .map_err(|e| Error::Internal(format!("cannot write the state file: {e}")))?;
        let text = format!(
            "# docseal verifier state (docs/history.md): the newest manifest seen per collection\n\
             # and signer. Written by `docseal verify --state`; edit it and rollback goes unseen.\n{body}"
        );
        fsio::write_atomic(
            &self.path,
            text.as_bytes(),
            Access::Public,
            true,
            "state file",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(sequence: u64, byte: u8) -> Position {
        Position {
            sequence,
            digest: Sha256Digest::from_bytes([byte; 32]),
        }
    }

    #[test]
    fn older_is_rollback_same_place_other_digest_is_equivocation_newer_is_fine() {
        let seen = pos(3, 1);
        let back = judge(&seen, &pos(2, 9), "s").unwrap();
        assert!(back.starts_with("rollback: this manifest is sequence 2, older than sequence 3"));
        let twice = judge(&seen, &pos(3, 2), "s").unwrap();
        assert!(twice.starts_with("two different manifests signed for sequence 3"));
        assert_eq!(judge(&seen, &pos(3, 1), "s"), None);
        assert_eq!(judge(&seen, &pos(4, 7), "s"), None);
    }

    #[test]
    fn a_state_round_trips_and_keeps_the_newest_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        let mut state = State::load(&path).unwrap();
        assert!(!state.existed());
        let key = KeyId::parse("0123456789abcdef").unwrap();
        state.record("col \"x\"", key, pos(2, 1));
        state.record("col \"x\"", key, pos(1, 5));
        state.save().unwrap();
        let again = State::load(&path).unwrap();
        assert_eq!(again.get("col \"x\"", key), Some(&pos(2, 1)));
        assert!(again.existed());
    }

    #[test]
    fn a_malformed_state_names_its_line() {
        let p = Path::new("s.toml");
        let doubled = "type = \"docseal-state\"\nformat_version = 1\n\n[[seen]]\nname = \"c\"\nkey_id = \"0123456789abcdef\"\nsequence = 1\ndigest = \"".to_string()
            + &"0".repeat(64)
            + "\"\n";
        let text = format!("{doubled}{}", &doubled[41..]);
        let err = State::parse(p, &text).unwrap_err().to_string();
        assert!(err.starts_with("s.toml:12: a second entry"), "{err}");
        let err = State::parse(p, "type = \"docseal-public-key\"\nformat_version = 1\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a docseal state file"), "{err}");
        let err = State::parse(p, "junk").unwrap_err().to_string();
        assert!(
            err.starts_with("s.toml:1:") && err.ends_with("or a new file name"),
            "{err}"
        );
    }
}
