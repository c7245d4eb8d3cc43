//! Shards of a manifest's entries (`verify --shard I/N`): the range of entries shard `I` of `N`
//! verifies, a pure function of the entry count, `I` and `N` — so a retried shard redoes exactly
//! the same work — and the complete RFC 9162 subtrees that range is made of, whose hashes let a
//! merge rebuild the collection root from the shards (`docs/shards.md`).
//!
//! The entries are cut into granules of `g` entries, `g` the largest power of two with
//! `g · 8 · N ≤ n` (1 when `n < 8N`), and shard `I` takes granules `⌊I·G/N⌋ .. ⌊(I+1)·G/N⌋`
//! of the `G = ⌈n/g⌉`, clipped to `n`. Every boundary is a multiple of `g`, so each shard's range
//! decomposes into a few aligned power-of-two blocks, each a subtree of the tree over all `n`
//! leaves; and shards differ in size by at most one granule, about an eighth of a shard.

use std::fmt;
use std::ops::Range;

use super::{hash_leaf_data, leaf_hash, perfect_root};
use crate::digest::{Fixity, Sha256Digest};
use crate::manifest::FileEntry;

/// Shard `index` of `count` (`0 ≤ index < count`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 0.
    pub index: usize,
    /// How many shards.
    pub count: usize,
}

impl Shard {
    /// Shard `index` of `count`; `Err` (a sentence) unless `count ≥ 1` and `index < count`.
    pub fn new(index: usize, count: usize) -> Result<Shard, String> {
        if count == 0 {
            return Err("the number of shards must be at least 1".into());
        }
        if index >= count {
            return Err(format!(
                "shard {index} of {count} does not exist: shards are numbered 0 to {}",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// The entries of `n` that this shard verifies.
    pub fn range(self, n: usize) -> Range<usize> {
        let g = granule(n, self.count);
        let granules = n.div_ceil(g);
        let at = |i: usize| (g * (i * granules / self.count)).min(n);
        at(self.index)..at(self.index + 1)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The granule: the largest power of two `g` with `g · 8 · count ≤ n`, or 1 when `n < 8·count`.
pub fn granule(n: usize, count: usize) -> usize {
    let per = count.saturating_mul(8).max(1);
    let mut g = 1usize;
    while g
        .checked_mul(2)
        .and_then(|d| d.checked_mul(per))
        .is_some_and(|x| x <= n)
    {
        g *= 2;
    }
    g
}

/// The complete subtrees of RFC 9162's tree that make up `range` (of any tree with at least
/// `range.end` leaves): `(start, size)` in order, each `size` a power of two dividing `start` —
/// the largest such block at each step.
pub fn subtrees(range: Range<usize>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = range.start;
    while at < range.end {
        let align = if at == 0 {
            usize::MAX
        } else {
            1 << at.trailing_zeros()
        };
        let mut size = 1usize;
        while size * 2 <= align && at + size * 2 <= range.end {
            size *= 2;
        }
        out.push((at, size));
        at += size;
    }
    out
}

/// The leaf of `entry` as its file was found: the sealed entry with the size and digest measured
/// (`found`), or — for a file not measured (missing, unreadable, found changed by its size
/// alone) — the hash of empty leaf data, `SHA-256(0x00)`, which no entry's leaf equals.
pub fn found_leaf(entry: &FileEntry, found: Option<Fixity>) -> [u8; 32] {
    match found {
        Some(fx) if fx.size == entry.size && fx.digest == entry.digest => leaf_hash(entry),
        Some(fx) => leaf_hash(&FileEntry {
            size: fx.size,
            digest: fx.digest,
            ..entry.clone()
        }),
        None => hash_leaf_data(&[]),
    }
}

/// The hashes of the subtrees of `range` ([`subtrees`]), from the leaves of the range in order
/// (`leaves[0]` is the leaf at `range.start`).
pub fn subtree_hashes(
    range: Range<usize>,
    leaves: &[[u8; 32]],
) -> Vec<(usize, usize, Sha256Digest)> {
    let first = range.start;
    subtrees(range)
        .into_iter()
        .map(|(start, size)| {
            let hash = perfect_root(&leaves[start - first..start - first + size]);
            (start, size, Sha256Digest::from_bytes(hash))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{RootBuilder, root_of_leaves};
    use super::*;

    fn leaves(n: usize) -> Vec<[u8; 32]> {
        (0..n as u32)
            .map(|i| {
                let mut l = [0u8; 32];
                l[..4].copy_from_slice(&i.to_be_bytes());
                l
            })
            .collect()
    }

    #[test]
    fn the_granule_is_the_largest_power_of_two_with_eight_granules_per_shard() {
        assert_eq!(granule(0, 1), 1);
        assert_eq!(granule(7, 1), 1);
        assert_eq!(granule(16, 1), 2);
        assert_eq!(granule(10_000, 7), 128);
        assert_eq!(granule(10_000, 16), 64);
        assert_eq!(granule(usize::MAX, usize::MAX), 1);
    }

    #[test]
    fn fewer_entries_than_shards_leaves_some_shards_empty() {
        let ranges: Vec<_> = (0..5).map(|i| Shard::new(i, 5).unwrap().range(3)).collect();
        assert_eq!(ranges, [0..0, 0..1, 1..1, 1..2, 2..3]);
    }

    #[test]
    fn bad_shards_are_refused() {
        assert!(Shard::new(0, 0).is_err());
        assert!(Shard::new(3, 3).is_err());
        assert!(Shard::new(2, 3).is_ok());
    }

    proptest! {
        #[test]
        fn shards_tile_the_entries_in_order_aligned_to_the_granule(
            n in 0usize..200_000, count in 1usize..300,
        ) {
            let g = granule(n, count);
            let mut next = 0;
            for index in 0..count {
                let r = Shard::new(index, count).unwrap().range(n);
                prop_assert_eq!(r.start, next);
                prop_assert!(r.start <= r.end);
                prop_assert!(r.start.is_multiple_of(g));
                prop_assert!(r.end.is_multiple_of(g) || r.end == n);
                // A pure function: the same again.
                prop_assert_eq!(Shard::new(index, count).unwrap().range(n), r.clone());
                next = r.end;
            }
            prop_assert_eq!(next, n);
        }

        #[test]
        fn the_shards_subtrees_rebuild_the_root(n in 0usize..3000, count in 1usize..40) {
            let all = leaves(n);
            let mut builder = RootBuilder::default();
            for index in 0..count {
                let r = Shard::new(index, count).unwrap().range(n);
                let mut covered = r.start;
                for (start, size) in subtrees(r.clone()) {
                    prop_assert_eq!(start, covered);
                    prop_assert!(size.is_power_of_two() && start.is_multiple_of(size));
                    builder.push_subtree(perfect_root(&all[start..start + size]), size);
                    covered += size;
                }
                prop_assert_eq!(covered, r.end);
            }
            prop_assert_eq!(builder.finish(), root_of_leaves(&all));
        }
    }
}
