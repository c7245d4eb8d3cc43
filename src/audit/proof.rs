//! Inclusion proofs of single sealed files, in the c2sp.org/tlog-proof@v1 format
//! (`docs/manifest-format.md` §13): the entry's leaf data (on the `extra` line), its index, its
//! audit path, and the manifest's signed checkpoint — so that one file can be shown to belong to
//! a signed collection without the rest of the collection. [`prove`] makes them in one pass over
//! the entries of a validly signed manifest; [`check`] checks one offline against trusted keys.
//!
//! Nothing here reads the collection; the file a proof is checked against (`verify-proof
//! --file`) is hashed by the orchestrator (`src/proofs.rs`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding as _};

use crate::digest::Sha256Digest;
use crate::error::{Error, Result};
use crate::manifest::merkle::{self, RootBuilder, inclusion::PathBuilder};
use crate::manifest::{FileEntry, Manifest, checkpoint};
use crate::relpath::RelPath;
use crate::trust::note::{self, NoteVerdict, SignatureLine};
use crate::trust::signature::SignatureReport;
use crate::trust::{PublicKey, Trust, TrustOptions};

/// The first line of every proof.
pub const PROOF_LINE: &str = "c2sp.org/tlog-proof@v1";

/// The most docseal reads of a proof file: a real one is well under 4 KiB.
pub const PROOF_MAX: u64 = 64 * 1024;

/// The most hashes an audit path may hold (a tree of 2⁶⁴ leaves has 64 levels).
const PATH_MAX: usize = 64;

/// The file name extension c2sp.org/tlog-proof recommends.
pub const EXTENSION: &str = "tlog-proof";

/// One inclusion proof, as its file says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// The entry's leaf data (§6), what the `extra` line carries.
    pub leaf_data: Vec<u8>,
    /// The entry's zero-based position in the manifest.
    pub index: u64,
    /// The audit path, the leaf's sibling first.
    pub path: Vec<[u8; 32]>,
    /// The checkpoint's origin (`docseal/<name>/<sequence>`).
    pub origin: String,
    /// The checkpoint's entry count.
    pub count: u64,
    /// The checkpoint's root.
    pub root: Sha256Digest,
    /// The checkpoint's signature lines.
    pub signatures: Vec<SignatureLine>,
}

impl Proof {
    /// The checkpoint's note text (what its signatures cover).
    pub fn note_text(&self) -> String {
        checkpoint::text_of(&self.origin, self.count, &self.root)
    }

    /// The proof file's text.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{PROOF_LINE}\nextra {}\nindex {}\n",
            Base64::encode_string(&self.leaf_data),
            self.index
        );
        for hash in &self.path {
            out.push_str(&Base64::encode_string(hash));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.note_text());
        out.push('\n');
        for line in &self.signatures {
            out.push_str(&format!(
                "{}{} {}\n",
                note::SIGNATURE_DASH,
                line.name,
                Base64::encode_string(&line.bytes)
            ));
        }
        out
    }

    /// Reads a proof file's text; `file` is only used in messages, which name the line.
    pub fn parse(file: &Path, text: &str) -> Result<Proof> {
        let bad = |line: usize, message: String| Error::Parse {
            path: file.to_path_buf(),
            line,
            message,
        };
        if let Some(at) = text.find(|c: char| c.is_control() && c != '\n') {
            let line = text[..at].matches('\n').count() + 1;
            return Err(bad(
                line,
                "a proof holds no control character but the newline (a CR: restore the file as docseal wrote it)".into(),
            ));
        }
        let Some(body) = text.strip_suffix('\n') else {
            return Err(bad(
                text.matches('\n').count() + 1,
                "a proof ends with a newline; the file was cut short".into(),
            ));
        };
        let lines: Vec<&str> = body.split('\n').collect();
        let mut at = 0;
        let next = |at: &mut usize| {
            let line = lines.get(*at).copied();
            *at += 1;
            line
        };
        if next(&mut at) != Some(PROOF_LINE) {
            return Err(bad(
                1,
                format!("not an inclusion proof: the first line of a proof is \"{PROOF_LINE}\""),
            ));
        }
        let leaf_data = next(&mut at)
            .and_then(|l| l.strip_prefix("extra "))
            .ok_or_else(|| {
                bad(
                    2,
                    "no \"extra\" line: a docseal proof carries the entry's leaf data there (make it with docseal prove)".into(),
                )
            })
            .and_then(|b64| {
                Base64::decode_vec(b64)
                    .map_err(|_| bad(2, "the extra line is not canonical padded base64".into()))
            })?;
        let index = next(&mut at)
            .and_then(|l| l.strip_prefix("index "))
            .and_then(decimal)
            .ok_or_else(|| {
                bad(
                    3,
                    "the third line is \"index N\", N a decimal with no leading zero".into(),
                )
            })?;
        let mut path = Vec::new();
        loop {
            let line_no = at + 1;
            match next(&mut at) {
                None => return Err(bad(line_no, "the proof ends before its checkpoint".into())),
                Some("") => break,
                Some(line) => {
                    let hash = hash32(line).ok_or_else(|| {
                        bad(
                            line_no,
                            "an audit path line is the base64 of a 32-byte hash".into(),
                        )
                    })?;
                    if path.len() == PATH_MAX {
                        return Err(bad(
                            line_no,
                            format!("an audit path holds at most {PATH_MAX} hashes"),
                        ));
                    }
                    path.push(hash);
                }
            }
        }
        let origin_line = at + 1;
        let origin = next(&mut at)
            .filter(|o| checkpoint::parse_origin(o).is_some())
            .ok_or_else(|| {
                bad(
                    origin_line,
                    "the checkpoint's origin is not a docseal manifest's (docseal/<percent-encoded name>/<sequence>)".into(),
                )
            })?
            .to_string();
        let count = next(&mut at).and_then(decimal).ok_or_else(|| {
            bad(
                origin_line + 1,
                "the checkpoint's second line is the entry count, a decimal with no leading zero"
                    .into(),
            )
        })?;
        let root = next(&mut at).and_then(hash32).ok_or_else(|| {
            bad(
                origin_line + 2,
                "the checkpoint's third line is the base64 of its 32-byte root".into(),
            )
        })?;
        if next(&mut at) != Some("") {
            return Err(bad(
                origin_line + 3,
                "a docseal checkpoint has three lines then a blank line (no extension lines)"
                    .into(),
            ));
        }
        let mut signatures = Vec::new();
        while let Some(line) = next(&mut at) {
            let parsed = note::parse_signature_line(line).map_err(|m| bad(at, m))?;
            signatures.push(parsed);
        }
        if signatures.is_empty() {
            return Err(bad(at, "the checkpoint has no signature line".into()));
        }
        Ok(Proof {
            leaf_data,
            index,
            path,
            origin,
            count,
            root: Sha256Digest::from_bytes(root),
            signatures,
        })
    }
}

/// A decimal with no leading zero (but `0`).
fn decimal(s: &str) -> Option<u64> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    canonical.then(|| s.parse().ok()).flatten()
}

fn hash32(s: &str) -> Option<[u8; 32]> {
    let mut out = [0; 32];
    match Base64::decode(s, &mut out) {
        Ok(d) if d.len() == 32 => Some(out),
        _ => None,
    }
}

/// What to prove, from which manifest, against which keys.
#[derive(Clone, Debug)]
pub struct ProveOptions {
    /// The manifest file.
    pub manifest: PathBuf,
    /// The sealed paths to prove.
    pub paths: Vec<String>,
    /// Trusted public key files or folders of `.pub` files.
    pub trust: TrustOptions,
}

/// What [`prove`] made.
#[derive(Clone, Debug)]
pub enum Proven {
    /// One proof per path asked for, in the order asked.
    Proofs(Vec<(String, Proof)>),
    /// The manifest's signature is not valid under the trusted keys: nothing was proven.
    Refused(Box<SignatureReport>),
}

/// Checks the manifest's signatures against the trusted keys and makes the proof of every path
/// asked for, in one pass over the entries: the root builder's subtrees when an asked entry comes
/// past give its left siblings, the leaves after it its right ones (`manifest/merkle/inclusion.rs`).
pub fn prove(opts: &ProveOptions) -> Result<Proven> {
    let trusted = Trust::load(&opts.trust)?;
    let (manifest, sig) = Manifest::load_trusted(&opts.manifest, &trusted)?;
    if !sig.is_valid() {
        return Ok(Proven::Refused(Box::new(sig)));
    }
    let Some(text) = manifest.checkpoint_text() else {
        return Err(Error::invalid(
            &opts.manifest,
            "is a format version 1 manifest, which has no checkpoint, so no file of it can be proven; reseal the collection",
        ));
    };
    let origin = text.split('\n').next().unwrap_or_default().to_string();
    let mut wanted: HashMap<&str, usize> = HashMap::new();
    for (i, p) in opts.paths.iter().enumerate() {
        RelPath::new(p).map_err(|m| {
            Error::invalid(
                &opts.manifest,
                format!("cannot prove \"{}\": {m}", p.escape_debug()),
            )
        })?;
        wanted.entry(p.as_str()).or_insert(i);
    }
    let count = manifest.summary.count as u64;
    let mut root = RootBuilder::default();
    let mut building: Vec<(usize, FileEntry, u64, PathBuilder)> = Vec::new();
    for (index, entry) in manifest.entries().enumerate() {
        let entry = entry?;
        let leaf = merkle::leaf_hash(&entry);
        for (_, _, _, path) in &mut building {
            path.push(leaf);
        }
        if let Some(&slot) = wanted.get(entry.path.as_str()) {
            let path = PathBuilder::start(index as u64, count, &root);
            building.push((slot, entry, index as u64, path));
        }
        root.push(leaf);
    }
    if root.finish() != manifest.header.root_digest {
        return Err(Error::invalid(
            &opts.manifest,
            "its recorded root does not match its entries (docseal verify reports it), so no proof would verify; reseal the collection",
        ));
    }
    let mut found: Vec<Option<(FileEntry, u64, PathBuilder)>> = vec![None; opts.paths.len()];
    for (slot, entry, index, path) in building {
        found[slot] = Some((entry, index, path));
    }
    let signatures: Vec<SignatureLine> = manifest
        .signatures
        .iter()
        .filter_map(|s| s.checkpoint)
        .map(|cp| SignatureLine {
            name: origin.clone(),
            bytes: cp.0.to_vec(),
        })
        .collect();
    let mut proofs = Vec::with_capacity(wanted.len());
    // Each path once, in the order first asked for.
    for (i, p) in opts.paths.iter().enumerate() {
        let slot = wanted[p.as_str()];
        if slot != i {
            continue;
        }
        let Some((entry, index, path)) = &found[slot] else {
            return Err(Error::NotInManifest {
                manifest: opts.manifest.clone(),
                path: p.clone(),
            });
        };
        let path = path
            .finish()
            .ok_or_else(|| Error::Internal("an audit path was left unfinished".into()))?;
        proofs.push((
            p.clone(),
            Proof {
                leaf_data: merkle::leaf_data(entry),
                index: *index,
                path,
                origin: origin.clone(),
                count,
                root: manifest.header.root_digest,
                signatures: signatures.clone(),
            },
        ));
    }
    Ok(Proven::Proofs(proofs))
}

/// What checking a proof found, before any file is looked at.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The collection's name and the manifest's sequence, from the checkpoint's origin.
    pub collection: String,
    /// The manifest's sequence.
    pub sequence: u64,
    /// The verdict on the checkpoint's signatures.
    pub signature: NoteVerdict,
    /// The sealed entry the leaf data describes, or why it does not describe one.
    pub leaf: std::result::Result<FileEntry, String>,
    /// True when the audit path leads from the leaf data's hash at the index to the root.
    pub included: bool,
}

impl Checked {
    /// True when the signature is valid, the leaf data an entry and the entry included.
    pub fn verified(&self) -> bool {
        self.signature.status == crate::trust::signature::SignatureStatus::Valid
            && self.leaf.is_ok()
            && self.included
    }
}

/// Checks `proof` offline: the checkpoint's signatures against `trusted` (under its origin as key
/// name), the leaf data (it must read as an entry), and the audit path from its hash to the
/// checkpoint's root (RFC 9162 §2.1.3.2).
pub fn check(proof: &Proof, trusted: &[PublicKey]) -> Checked {
    let (collection, sequence) = checkpoint::parse_origin(&proof.origin).unwrap_or_default();
    let text = proof.note_text();
    let signature = note::verdict(&proof.origin, &text, &proof.signatures, trusted);
    let leaf = merkle::parse_leaf_data(&proof.leaf_data);
    let included = merkle::inclusion::verify(
        proof.index,
        proof.count,
        &merkle::hash_leaf_data(&proof.leaf_data),
        &proof.path,
        proof.root.as_bytes(),
    );
    Checked {
        collection,
        sequence,
        signature,
        leaf,
        included,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proof() -> Proof {
        Proof {
            leaf_data: vec![0, 0, 0, 1, b'a'],
            index: 1,
            path: vec![[7; 32], [9; 32]],
            origin: "docseal/a%20b/2".into(),
            count: 3,
            root: Sha256Digest::of(b"r"),
            signatures: vec![SignatureLine {
                name: "docseal/a%20b/2".into(),
                bytes: vec![5; 68],
            }],
        }
    }

    #[test]
    fn a_proof_reads_back_as_written() {
        let p = proof();
        let text = p.to_text();
        assert!(text.starts_with("c2sp.org/tlog-proof@v1\nextra AAAAAWE=\nindex 1\n"));
        assert!(text.contains("\n\ndocseal/a%20b/2\n3\n"));
        assert_eq!(Proof::parse(Path::new("p"), &text).unwrap(), p);
    }

    #[test]
    fn what_a_docseal_proof_never_holds_is_refused_with_its_line() {
        let text = proof().to_text();
        let lines: Vec<&str> = text.split('\n').collect();
        let origin = lines
            .iter()
            .position(|l| l.starts_with("docseal/"))
            .unwrap();
        let refused = |changed: String, line: usize, message: &str| {
            let err = Proof::parse(Path::new("p"), &changed)
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(&format!("p:{line}: ")) && err.contains(message),
                "{err}"
            );
        };
        let replace = |n: usize, with: &str| {
            let mut l = lines.clone();
            l[n] = with;
            l.join("\n")
        };
        refused(
            replace(origin, "example.com/log"),
            origin + 1,
            "not a docseal manifest's",
        );
        refused(replace(origin + 1, "03"), origin + 2, "entry count");
        refused(replace(origin + 3, "ext"), origin + 4, "no extension lines");
        refused(replace(3, "AAAA"), 4, "32-byte hash");
        refused(
            replace(origin + 4, "- docseal/a%20b/2 AAAA"),
            origin + 5,
            "em dash",
        );
        let unsigned = text[..text.rfind('\u{2014}').unwrap()].to_string();
        refused(unsigned, origin + 5, "no signature line");
    }
}
