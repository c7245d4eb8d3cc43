//! Inclusion proofs in the collection root's Merkle tree (RFC 9162 §2.1.3): the audit path of one
//! entry, made in one pass over the leaves in order without holding the tree, and its
//! verification.
//!
//! The path of leaf `m` among `n` is the roots of the sibling subtrees met going from the leaf up
//! to the root (the leaf's sibling first). Those left of `m` are perfect subtrees ending at `m`:
//! exactly what a [`RootBuilder`] holds after `m` leaves, so a snapshot of it when the entry comes
//! past gives them. Those right of `m` are ranges after `m` (aligned, clipped to `n`), whose roots
//! are built from the leaves that follow, one range at a time. Memory: O(log n) hashes per path.

use super::{RootBuilder, node_hash, split_point};

/// The sibling subtrees of leaf `index` among `size` leaves, as leaf ranges `start..end`, the
/// leaf's sibling first (the order of the audit path).
fn sibling_ranges(index: u64, size: u64) -> Vec<(u64, u64)> {
    let mut ranges = Vec::new();
    let (mut lo, mut hi) = (0u64, size);
    while hi - lo > 1 {
        let k = split_point((hi - lo) as usize) as u64;
        if index < lo + k {
            ranges.push((lo + k, hi));
            hi = lo + k;
        } else {
            ranges.push((lo, lo + k));
            lo += k;
        }
    }
    ranges.reverse();
    ranges
}

/// A sibling subtree of the path: its leaf range `start..end`, and its root once known.
type Sibling = ((u64, u64), Option<[u8; 32]>);

/// The audit path of one leaf being made: started when the leaf comes past (with the root
/// builder of the leaves before it), fed every later leaf, done after the last.
#[derive(Clone, Debug)]
pub struct PathBuilder {
    /// The sibling ranges, in path order, with their roots once known.
    siblings: Vec<Sibling>,
    /// The root of the right-hand range being built, and which sibling it is.
    current: Option<(usize, RootBuilder)>,
    /// The position of the next leaf.
    next: u64,
}

impl PathBuilder {
    /// Starts the path of leaf `index` among `size`: `before` is the root builder fed exactly the
    /// `index` leaves before it (its perfect subtrees are the left siblings).
    pub fn start(index: u64, size: u64, before: &RootBuilder) -> Self {
        debug_assert!(index < size);
        let mut starts = Vec::with_capacity(before.stack.len());
        let mut at = 0u64;
        for &(hash, leaves) in &before.stack {
            starts.push((at, hash));
            at += leaves as u64;
        }
        debug_assert_eq!(at, index);
        let siblings = sibling_ranges(index, size)
            .into_iter()
            .map(|(start, end)| {
                let known = (end <= index)
                    .then(|| starts.iter().find(|&&(s, _)| s == start).map(|&(_, h)| h))
                    .flatten();
                ((start, end), known)
            })
            .collect();
        PathBuilder {
            siblings,
            current: None,
            next: index + 1,
        }
    }

    /// Feeds the next leaf (the one after the last fed, or after the proven leaf).
    pub fn push(&mut self, leaf: [u8; 32]) {
        let at = self.next;
        self.next += 1;
        if self.current.is_none()
            && let Some(i) = self.siblings.iter().position(|&((s, _), _)| s == at)
        {
            self.current = Some((i, RootBuilder::default()));
        }
        if let Some((i, builder)) = &mut self.current {
            builder.push(leaf);
            let (_, end) = self.siblings[*i].0;
            if at + 1 == end {
                self.siblings[*i].1 = Some(*builder.finish().as_bytes());
                self.current = None;
            }
        }
    }

    /// The audit path, once every leaf was fed; `None` when leaves were missing.
    pub fn finish(&self) -> Option<Vec<[u8; 32]>> {
        self.siblings.iter().map(|&(_, h)| h).collect()
    }
}

/// Verifies that `leaf` is leaf `index` of the tree of `size` leaves with root `root`, by the
/// audit `path` (RFC 9162 §2.1.3.2).
pub fn verify(index: u64, size: u64, leaf: &[u8; 32], path: &[[u8; 32]], root: &[u8; 32]) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in path {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

#[cfg(test)]
mod tests {
    use super::super::{mth, root_of_leaves};
    use super::*;
    use sha2::{Digest as _, Sha256};

    /// RFC 9162 §2.1.3.1, PATH(m, D[n]), recursively: the reference.
    fn reference_path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
        if leaves.len() <= 1 {
            return Vec::new();
        }
        let k = split_point(leaves.len());
        if m < k {
            let mut p = reference_path(m, &leaves[..k]);
            p.push(mth(&leaves[k..]));
            p
        } else {
            let mut p = reference_path(m - k, &leaves[k..]);
            p.push(mth(&leaves[..k]));
            p
        }
    }

    fn streamed_path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
        let mut before = RootBuilder::default();
        for l in &leaves[..m] {
            before.push(*l);
        }
        let mut b = PathBuilder::start(m as u64, leaves.len() as u64, &before);
        for l in &leaves[m + 1..] {
            b.push(*l);
        }
        b.finish().unwrap()
    }

    #[test]
    fn streamed_paths_equal_rfc9162s_and_verify_for_every_leaf_of_every_size() {
        let leaves: Vec<[u8; 32]> = (0u32..70)
            .map(|i| Sha256::digest(i.to_be_bytes()).into())
            .collect();
        for n in 1..leaves.len() {
            let root = *root_of_leaves(&leaves[..n]).as_bytes();
            for m in 0..n {
                let path = streamed_path(m, &leaves[..n]);
                assert_eq!(path, reference_path(m, &leaves[..n]), "leaf {m} of {n}");
                assert!(verify(m as u64, n as u64, &leaves[m], &path, &root));
                // Another leaf, index or root, or a path one hash short or long, fails.
                let other = leaves[(m + 1) % n];
                assert!(n == 1 || !verify(m as u64, n as u64, &other, &path, &root));
                // (Another size may verify with the same path and root — leaf 0 of 3 is also
                // leaf 0 of a 4-leaf tree whose last leaf is an inner node's hash — so the size is
                // bound by the checkpoint's signature, not by the path.)
                assert!(!verify(n as u64, n as u64, &leaves[m], &path, &root));
                assert!(n == 1 || !verify(m as u64, n as u64, &leaves[m], &path, &other));
                if let Some((_, shorter)) = path.split_last() {
                    assert!(!verify(m as u64, n as u64, &leaves[m], shorter, &root));
                    if n > 2 && m + 1 < n {
                        assert!(!verify(m as u64 + 1, n as u64, &leaves[m], &path, &root));
                    }
                }
                let mut longer = path.clone();
                longer.push(leaves[0]);
                assert!(!verify(m as u64, n as u64, &leaves[m], &longer, &root));
            }
        }
    }
}
