//! The collection root digest: a Merkle tree over the manifest's sorted entries, built exactly as
//! the Merkle Tree Hash of RFC 9162 §2.1.1 (SHA-256, leaf prefix 0x00, node prefix 0x01, split at
//! the largest power of two below the count), so that inclusion proofs can be issued against it.

use sha2::{Digest as _, Sha256};

use crate::digest::Sha256Digest;
use crate::manifest::FileEntry;

/// The canonical leaf bytes of one entry (see `docs/manifest-format.md`):
/// `u32be(len path) path u64be(size) digest[32] field(origin) field(retrieved)`, where
/// `field(unknown) = 0x00` and `field(value) = 0x01 u32be(len value) value`.
pub fn leaf_bytes(entry: &FileEntry) -> Vec<u8> {
    let path = entry.path.as_str().as_bytes();
    let mut out = Vec::with_capacity(4 + path.len() + 8 + 32 + 160);
    push_str(&mut out, path);
    out.extend_from_slice(&entry.size.to_be_bytes());
    out.extend_from_slice(entry.digest.as_bytes());
    push_field(
        &mut out,
        entry.origin.known().map(|u| u.as_str().to_string()),
    );
    push_field(&mut out, entry.retrieved.known().map(|t| t.to_string()));
    out
}

fn push_str(out: &mut Vec<u8>, s: &[u8]) {
    // Manifest strings are far below 4 GiB; anything larger could not have been parsed.
    let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s);
}

fn push_field(out: &mut Vec<u8>, value: Option<String>) {
    match value {
        None => out.push(0x00),
        Some(v) => {
            out.push(0x01);
            push_str(out, v.as_bytes());
        }
    }
}

/// The leaf hash: SHA-256(0x00 || leaf bytes).
pub fn leaf_hash(entry: &FileEntry) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(leaf_bytes(entry));
    h.finalize().into()
}

fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The Merkle Tree Hash over leaf hashes (RFC 9162 §2.1.1). The root of no entries is the
/// SHA-256 of the empty string.
pub fn root_of_leaves(leaves: &[[u8; 32]]) -> Sha256Digest {
    if leaves.is_empty() {
        return Sha256Digest::of(b"");
    }
    Sha256Digest::from_bytes(mth(leaves))
}

fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
    if leaves.len() == 1 {
        return leaves[0];
    }
    let k = split_point(leaves.len());
    node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn split_point(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The collection root digest of entries already in manifest order.
pub fn root(entries: &[FileEntry]) -> Sha256Digest {
    let leaves: Vec<[u8; 32]> = entries.iter().map(leaf_hash).collect();
    root_of_leaves(&leaves)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(bytes: &[u8]) -> [u8; 32] {
        Sha256::digest(bytes).into()
    }

    #[test]
    fn split_point_is_the_largest_power_of_two_below_n() {
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(4), 2);
        assert_eq!(split_point(5), 4);
        assert_eq!(split_point(9), 8);
    }

    #[test]
    fn tree_shape_follows_rfc9162() {
        let l: Vec<[u8; 32]> = (0u8..3).map(|i| h(&[i])).collect();
        // MTH(d0,d1,d2) = node(node(l0,l1), l2)
        let expected = node_hash(&node_hash(&l[0], &l[1]), &l[2]);
        assert_eq!(root_of_leaves(&l).as_bytes(), &expected);
        assert_eq!(root_of_leaves(&l[..1]).as_bytes(), &l[0]);
        assert_eq!(root_of_leaves(&[]), Sha256Digest::of(b""));
    }
}
