//! The fast `[[file]]` reader (`fast.rs`) against the strict TOML reader (`strict.rs`) on the
//! same text, for the property tests (`proptests.rs`) and the fuzz targets (`fuzz/`, built with
//! the `fuzzing` feature): whatever the fast reader reads, the strict one must read the same way —
//! same entries, same offsets, same Merkle leaves — and the fast reader's cheaper views of a batch
//! (`check_batch`, `fixities`) must agree with it. The fast reader may give up where the strict
//! one reads: that is its contract.

use std::path::Path;

use super::{FileEntry, batches, fast, merkle, strict};

/// Compares the readers on every batch of `[[file]]` tables of a manifest body, cut into batches
/// as a manifest is (at the lines that are exactly `[[file]]`); `Err` says how they disagree.
pub fn body_readers_agree(body: &str) -> Result<(), String> {
    let (_, ranges, _) = batches::find(body);
    for range in ranges {
        readers_agree(&body[range])?;
    }
    Ok(())
}

/// Compares the readers on one batch of `[[file]]` tables (text that starts at a `[[file]]`
/// line, as a batch does); `Err` says how they disagree.
pub fn readers_agree(text: &str) -> Result<(), String> {
    let from = 1000;
    let Some(fast) = fast::parse_batch(text, from) else {
        if fast::check_batch(text).is_some() {
            return Err("check_batch read a batch that parse_batch refused".into());
        }
        return Ok(());
    };
    // Offsets are relative to a body in which the batch starts at `from`.
    let body = format!("{}{text}", " ".repeat(from));
    let strict = strict::parse_files(Path::new("m.toml"), &body, from..body.len())
        .map_err(|e| format!("the fast reader read {fast:?}, the strict one refused: {e}"))?;
    if fast != strict {
        return Err(format!("fast read {fast:?}, strict read {strict:?}"));
    }
    let leaves = |v: &[(FileEntry, usize)]| {
        v.iter()
            .map(|(e, _)| merkle::leaf_hash(e))
            .collect::<Vec<_>>()
    };
    if leaves(&fast) != leaves(&strict) {
        return Err("the Merkle leaves differ".into());
    }
    let fixities = fast::fixities(text).ok_or("fixities refused what parse_batch read")?;
    let same = fixities.len() == fast.len()
        && fixities
            .iter()
            .zip(&fast)
            .all(|((path, size, digest), (e, _))| {
                *path == e.path.as_str() && *size == e.size && digest == e.digest.as_bytes()
            });
    if !same {
        return Err(format!("fixities read {fixities:?}, parse_batch {fast:?}"));
    }
    match fast::check_batch(text) {
        Some(checked) if checked.len() == fast.len() => Ok(()),
        Some(checked) => Err(format!(
            "check_batch read {} entries, parse_batch {}",
            checked.len(),
            fast.len()
        )),
        None => Err("check_batch refused what parse_batch read".into()),
    }
}
