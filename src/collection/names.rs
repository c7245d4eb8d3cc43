//! Names that are distinct here but one name on other file systems: two paths equal after Unicode
//! normalisation (NFC, `Núñez.txt` typed on macOS and on Linux) or equal ignoring case (`a.txt`
//! and `A.txt`). Linux keeps both; macOS and Windows keep one, so a collection unpacked there
//! silently loses a file. [`NameClashes`] finds every such pair among a stream of paths.
//!
//! Memory stays small at 10⁶ paths: the first pass keeps two 64-bit hashes per path (of the
//! folded name and of the name itself, 16 bytes), never the names; only when a folded name repeats does a
//! second pass over the same paths collect the names whose folded form repeats, and pair them.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// How two names are one name elsewhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClashKind {
    /// Equal after Unicode normalisation (NFC): canonically equivalent, the same name to a reader.
    Nfc,
    /// Equal ignoring case (and normalisation), not otherwise.
    Case,
}

impl ClashKind {
    /// What it means, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            ClashKind::Nfc => {
                "the same name after Unicode normalisation (NFC): one file on macOS, and to a reader"
            }
            ClashKind::Case => {
                "equal ignoring case: one file on macOS and Windows, which ignore case"
            }
        }
    }
}

/// Two paths that are one name elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameClash {
    /// The two paths, in byte order.
    pub paths: [String; 2],
    /// How they are one.
    pub kind: ClashKind,
}

/// The form of a path that macOS or Windows would not tell apart: NFC of its lower case.
fn folded(path: &str) -> String {
    if path.is_ascii() {
        return path.to_ascii_lowercase();
    }
    let nfc: String = path.nfc().collect();
    nfc.to_lowercase().nfc().collect()
}

/// Finds the pairs of paths that clash ([`NameClash`]) among the paths given to [`add`], in two
/// passes (see the module documentation).
///
/// [`add`]: NameClashes::add
pub struct NameClashes {
    hasher: RandomState,
    /// (hash of the folded form, hash of the path) of every path added, until the first pass
    /// ends: 16 bytes a path. A hash map from one to the other took 53 MB at 10⁶ paths (its
    /// buckets, and the old and new tables side by side while it grew); this list is sorted
    /// once instead.
    seen: Vec<(u64, u64)>,
    /// Hashes of the folded forms that more than one distinct path has, once the first pass
    /// has ended.
    repeated: HashSet<u64>,
    /// Whether the first pass has ended.
    ended: bool,
}

impl Default for NameClashes {
    fn default() -> Self {
        NameClashes::with_capacity(0)
    }
}

impl NameClashes {
    /// Room for `paths` paths, when their number is known.
    pub fn with_capacity(paths: usize) -> Self {
        NameClashes {
            hasher: RandomState::new(),
            seen: Vec::with_capacity(paths),
            repeated: HashSet::new(),
            ended: false,
        }
    }

    /// The first pass: one path (each distinct path once). Every path is added before the first
    /// call of [`any`] or [`pairs`], which end the first pass.
    ///
    /// [`any`]: NameClashes::any
    /// [`pairs`]: NameClashes::pairs
    pub fn add(&mut self, path: &str) {
        debug_assert!(!self.ended, "a path added after the first pass ended");
        let fold = self.hasher.hash_one(folded(path));
        let exact = self.hasher.hash_one(path);
        self.seen.push((fold, exact));
    }

    /// Ends the first pass (the first time it is called): the folded forms that more than one
    /// distinct path has.
    fn end_first_pass(&mut self) {
        if self.ended {
            return;
        }
        self.ended = true;
        let mut seen = std::mem::take(&mut self.seen);
        seen.sort_unstable();
        seen.dedup();
        for two in seen.windows(2) {
            if two[0].0 == two[1].0 {
                self.repeated.insert(two[0].0);
            }
        }
    }

    /// True when the first pass found a folded name twice, so that [`pairs`] has work to do.
    ///
    /// [`pairs`]: NameClashes::pairs
    pub fn any(&mut self) -> bool {
        self.end_first_pass();
        !self.repeated.is_empty()
    }

    /// The second pass, over the same paths again (in any order): every clashing pair, sorted.
    /// Names of one NFC form are paired as [`ClashKind::Nfc`] (each with the next, in byte
    /// order); the first names of the NFC forms of one folded form as [`ClashKind::Case`].
    pub fn pairs<S: AsRef<str>>(&mut self, paths: impl IntoIterator<Item = S>) -> Vec<NameClash> {
        if !self.any() {
            return Vec::new();
        }
        let mut groups: HashMap<String, Vec<String>> = HashMap::new();
        for path in paths {
            let path = path.as_ref();
            let fold = folded(path);
            if self.repeated.contains(&self.hasher.hash_one(&fold)) {
                groups.entry(fold).or_default().push(path.to_string());
            }
        }
        let mut pairs = Vec::new();
        let pair = |a: &String, b: &String, kind| NameClash {
            paths: [a.clone(), b.clone()],
            kind,
        };
        for group in groups.into_values() {
            // Within one folded form: the names of one NFC form are paired as `nfc`, and the
            // first names of its NFC forms as `case`.
            let mut by_nfc: HashMap<String, Vec<String>> = HashMap::new();
            for path in group {
                by_nfc.entry(path.nfc().collect()).or_default().push(path);
            }
            let mut firsts = Vec::new();
            for mut same in by_nfc.into_values() {
                same.sort();
                same.dedup();
                for two in same.windows(2) {
                    pairs.push(pair(&two[0], &two[1], ClashKind::Nfc));
                }
                firsts.push(same.swap_remove(0));
            }
            firsts.sort();
            for two in firsts.windows(2) {
                pairs.push(pair(&two[0], &two[1], ClashKind::Case));
            }
        }
        pairs.sort_by(|a, b| a.paths.cmp(&b.paths));
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clashes(paths: &[&str]) -> Vec<(String, String, ClashKind)> {
        let mut c = NameClashes::default();
        for p in paths {
            c.add(p);
        }
        c.pairs(paths.iter().copied())
            .into_iter()
            .map(|p| {
                let [a, b] = p.paths;
                (a, b, p.kind)
            })
            .collect()
    }

    #[test]
    fn names_equal_after_normalisation_or_ignoring_case_are_paired() {
        let nfc = "N\u{fa}\u{f1}ez.txt"; // precomposed, as typed on Linux
        let nfd = "Nu\u{301}n\u{303}ez.txt"; // decomposed, as macOS stores it
        let got = clashes(&["a.txt", nfc, "A.TXT", "b.txt", nfd, "dir/X", "dir/x"]);
        let want = [
            ("A.TXT".to_string(), "a.txt".to_string(), ClashKind::Case),
            (nfd.to_string(), nfc.to_string(), ClashKind::Nfc),
            ("dir/X".to_string(), "dir/x".to_string(), ClashKind::Case),
        ];
        assert_eq!(got, want);
        // A decomposed name in another case is a case clash with the precomposed one.
        let got = clashes(&[nfc, "NU\u{301}N\u{303}EZ.txt"]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].2, ClashKind::Case);
    }

    #[test]
    fn distinct_names_and_a_repeated_name_are_no_clash() {
        assert!(clashes(&["a.txt", "b.txt", "a.txt", "ä.txt", "a/b", "a-b"]).is_empty());
        let mut c = NameClashes::default();
        c.add("only.txt");
        assert!(!c.any());
    }

    #[test]
    fn a_pair_equal_after_normalisation_is_found_whatever_sorts_between_its_names() {
        // Three spellings of one NFC form (precomposed, decomposed, half and half) and two
        // case variants: the case variants sort between the spellings, which are still paired.
        let nfc = "N\u{fa}\u{f1}ez";
        let nfd = "Nu\u{301}n\u{303}ez";
        let half = "Nu\u{301}\u{f1}ez";
        let got = clashes(&[nfc, "NU\u{301}N\u{303}EZ", nfd, half, "nú\u{f1}ez"]);
        let nfc_pairs = got.iter().filter(|c| c.2 == ClashKind::Nfc).count();
        assert_eq!(nfc_pairs, 2, "{got:?}");
        let case_pairs = got.iter().filter(|c| c.2 == ClashKind::Case).count();
        assert_eq!(case_pairs, 2, "{got:?}");
    }

    #[test]
    fn three_names_of_one_folded_form_give_two_pairs() {
        let got = clashes(&["readme", "README", "ReadMe"]);
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|c| c.2 == ClashKind::Case));
    }
}
