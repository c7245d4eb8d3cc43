//! The collection root digest: a Merkle tree over the manifest's sorted entries, built exactly as
//! the Merkle Tree Hash of RFC 9162 §2.1.1 (SHA-256, leaf prefix 0x00, node prefix 0x01, split at
//! the largest power of two below the count), so that inclusion proofs can be issued against it
//! (`merkle/inclusion.rs`).

pub mod inclusion;
pub mod shards;

use sha2::{Digest as _, Sha256};

use crate::digest::Sha256Digest;
use crate::manifest::{Capture, FileEntry};
use crate::provenance::{WarcOrigin, WarcVerified};

/// The leaf hash of one entry: SHA-256(0x00 || leaf bytes), where the leaf bytes (see
/// `docs/manifest-format.md` §6) are
/// `u32be(len path) path u64be(size) digest[32] field(origin) field(retrieved)`, with
/// `field(unknown) = 0x00` and `field(value) = 0x01 u32be(len value) value`, followed — only for
/// an entry with a capture field (format version 2) — by the capture section:
/// `0x01 field(final_url) status field(media_type) field(content_encoding) field(etag)
/// field(last_modified)`, `status` being `0x00` or `0x01 u16be(http_status)`, and then — only for
/// an entry with the WARC fields (format version 3) — by the WARC section:
/// `0x02 str(warc_file) str(warc_record_id) str(warc_date) verified`, `str(v)` being
/// `u32be(len v) v` and `verified` the byte of [`WarcVerified`].
pub fn leaf_hash(entry: &FileEntry) -> [u8; 32] {
    let time = entry.retrieved.known().map(ToString::to_string);
    leaf_hash_of(&LeafParts::of(entry, time.as_deref()))
}

/// What an entry's leaf bytes are made of, as it stands in the text (`None` for an unknown origin
/// or time; a time in its canonical form).
#[derive(Clone, Copy, Debug)]
pub struct LeafParts<'a> {
    /// `path`.
    pub path: &'a str,
    /// `size`.
    pub size: u64,
    /// `digest`, raw.
    pub digest: &'a [u8; 32],
    /// `origin`, unless unknown.
    pub origin: Option<&'a str>,
    /// `retrieved`, unless unknown.
    pub retrieved: Option<&'a str>,
    /// The capture fields.
    pub capture: CaptureParts<'a>,
    /// The WARC fields, when there are.
    pub warc: Option<WarcParts<'a>>,
}

impl<'a> LeafParts<'a> {
    /// The parts of a parsed entry, `retrieved` being its time as text.
    pub fn of(entry: &'a FileEntry, retrieved: Option<&'a str>) -> Self {
        LeafParts {
            path: entry.path.as_str(),
            size: entry.size,
            digest: entry.digest.as_bytes(),
            origin: entry.origin.known().map(|u| u.as_str()),
            retrieved,
            capture: CaptureParts::of(&entry.capture),
            warc: entry.warc.as_ref().map(WarcParts::of),
        }
    }
}

/// The capture fields of an entry as they stand in the text (the order of the leaf bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaptureParts<'a> {
    /// `final_url`.
    pub final_url: Option<&'a str>,
    /// `http_status`.
    pub http_status: Option<u16>,
    /// `media_type`.
    pub media_type: Option<&'a str>,
    /// `content_encoding`.
    pub content_encoding: Option<&'a str>,
    /// `etag`.
    pub etag: Option<&'a str>,
    /// `last_modified`.
    pub last_modified: Option<&'a str>,
}

impl<'a> CaptureParts<'a> {
    /// The parts of a parsed [`Capture`].
    pub fn of(c: &'a Capture) -> Self {
        CaptureParts {
            final_url: c.final_url.as_ref().map(|u| u.as_str()),
            http_status: c.http_status,
            media_type: c.media_type.as_deref(),
            content_encoding: c.content_encoding.as_deref(),
            etag: c.etag.as_deref(),
            last_modified: c.last_modified.as_deref(),
        }
    }

    /// True when no capture field is present.
    pub fn is_empty(&self) -> bool {
        *self == CaptureParts::default()
    }
}

/// The WARC fields of an entry as they stand in the text (format version 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WarcParts<'a> {
    /// `warc_file`.
    pub file: &'a str,
    /// `warc_record_id`.
    pub record_id: &'a str,
    /// `warc_date`.
    pub date: &'a str,
    /// `warc_verified`, as its byte.
    pub verified: WarcVerified,
}

impl<'a> WarcParts<'a> {
    /// The parts of a parsed [`WarcOrigin`].
    pub fn of(w: &'a WarcOrigin) -> Self {
        WarcParts {
            file: &w.file,
            record_id: &w.record_id,
            date: &w.date,
            verified: w.verified,
        }
    }
}

/// Where leaf bytes go: a hasher (the leaf hash) or a buffer (the leaf data).
trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Sha256 {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Writes the leaf bytes of `p` (§6) to `out`, piece by piece.
fn write_leaf(out: &mut impl Sink, p: &LeafParts<'_>) {
    fn str_(out: &mut impl Sink, s: &str) {
        // Manifest strings are far below 4 GiB; anything larger could not have been parsed.
        let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
        out.put(&len.to_be_bytes());
        out.put(s.as_bytes());
    }
    fn field(out: &mut impl Sink, value: Option<&str>) {
        match value {
            None => out.put(&[0x00]),
            Some(v) => {
                out.put(&[0x01]);
                str_(out, v);
            }
        }
    }
    str_(out, p.path);
    out.put(&p.size.to_be_bytes());
    out.put(p.digest);
    field(out, p.origin);
    field(out, p.retrieved);
    let c = &p.capture;
    if !c.is_empty() {
        out.put(&[0x01]);
        field(out, c.final_url);
        match c.http_status {
            None => out.put(&[0x00]),
            Some(status) => {
                out.put(&[0x01]);
                out.put(&status.to_be_bytes());
            }
        }
        field(out, c.media_type);
        field(out, c.content_encoding);
        field(out, c.etag);
        field(out, c.last_modified);
    }
    if let Some(w) = &p.warc {
        out.put(&[0x02]);
        str_(out, w.file);
        str_(out, w.record_id);
        str_(out, w.date);
        out.put(&[w.verified.bits()]);
    }
}

/// [`leaf_hash`] of an entry given by its parts, fed to the hasher piece by piece.
pub fn leaf_hash_of(parts: &LeafParts<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0x00]);
    write_leaf(&mut h, parts);
    h.finalize().into()
}

/// The leaf data of an entry (§6): the bytes whose SHA-256 after a 0x00 byte is its leaf hash,
/// and what an inclusion proof carries to say what was sealed.
pub fn leaf_data(entry: &FileEntry) -> Vec<u8> {
    let time = entry.retrieved.known().map(ToString::to_string);
    let mut out = Vec::with_capacity(64 + entry.path.as_str().len());
    write_leaf(&mut out, &LeafParts::of(entry, time.as_deref()));
    out
}

/// The leaf hash of leaf data: SHA-256(0x00 ‖ data).
pub fn hash_leaf_data(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// Reads leaf data back into the entry it describes, exactly: every value as a manifest holds it
/// (a path by §3's rules, an absolute URL, a canonical time) and no byte left over, so that one
/// entry has one leaf data. The error says what is wrong.
pub fn parse_leaf_data(data: &[u8]) -> Result<FileEntry, String> {
    use crate::provenance::{OriginUrl, Recorded, Timestamp};
    use crate::relpath::RelPath;
    struct Reader<'a>(&'a [u8]);
    impl<'a> Reader<'a> {
        fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
            if self.0.len() < n {
                return Err(format!("the leaf data ends inside the {what}"));
            }
            let (head, rest) = self.0.split_at(n);
            self.0 = rest;
            Ok(head)
        }
        fn string(&mut self, what: &str) -> Result<&'a str, String> {
            let len = u32::from_be_bytes(self.take(4, what)?.try_into().unwrap_or_default());
            let bytes = self.take(len as usize, what)?;
            std::str::from_utf8(bytes).map_err(|_| format!("the {what} is not UTF-8"))
        }
        fn field(&mut self, what: &str) -> Result<Option<&'a str>, String> {
            match self.take(1, what)? {
                [0x00] => Ok(None),
                [0x01] => self.string(what).map(Some),
                _ => Err(format!(
                    "the {what} is neither unknown (0x00) nor known (0x01)"
                )),
            }
        }
    }
    let mut r = Reader(data);
    let path = RelPath::new(r.string("path")?)?;
    let size = u64::from_be_bytes(r.take(8, "size")?.try_into().unwrap_or_default());
    let digest: [u8; 32] = r.take(32, "digest")?.try_into().unwrap_or_default();
    let origin = match r.field("origin")? {
        None => Recorded::Unknown,
        Some(u) => Recorded::Known(OriginUrl::parse(u)?),
    };
    let retrieved = match r.field("retrieval time")? {
        None => Recorded::Unknown,
        Some(t) => Recorded::Known(Timestamp::parse_canonical(t)?),
    };
    // The capture section (format version 2), present only when a capture field is.
    let mut capture = Capture::default();
    if r.0.first() == Some(&0x01) {
        r.take(1, "capture section")?;
        capture.final_url = r.field("final URL")?.map(OriginUrl::parse).transpose()?;
        capture.http_status = match r.take(1, "HTTP status")? {
            [0x00] => None,
            [0x01] => Some(u16::from_be_bytes(
                r.take(2, "HTTP status")?.try_into().unwrap_or_default(),
            )),
            _ => return Err("the HTTP status is neither unknown (0x00) nor known (0x01)".into()),
        };
        capture.media_type = r.field("media type")?.map(str::to_string);
        capture.content_encoding = r.field("content encoding")?.map(str::to_string);
        capture.etag = r.field("ETag")?.map(str::to_string);
        capture.last_modified = r.field("Last-Modified")?.map(str::to_string);
        if capture.is_empty() {
            return Err("the capture section holds no field, which docseal never writes".into());
        }
    }
    // The WARC section (format version 3), present only when the WARC fields are.
    let mut warc = None;
    if !r.0.is_empty() {
        if r.take(1, "WARC section")? != [0x02] {
            return Err(
                "the bytes after the provenance are neither a capture section (0x01) nor a WARC section (0x02)".into(),
            );
        }
        let text = |v: &str, field: &str| {
            WarcOrigin::check_text(v, field)?;
            Ok::<_, String>(v.to_string())
        };
        let file = text(r.string("WARC file")?, "warc_file")?;
        let record_id = text(r.string("WARC record ID")?, "warc_record_id")?;
        let date = text(r.string("WARC date")?, "warc_date")?;
        let bits = r.take(1, "WARC digests verified")?[0];
        let verified = WarcVerified::from_bits(bits).ok_or_else(|| {
            format!("the WARC digests verified (0x{bits:02x}) are not a set docseal writes")
        })?;
        warc = Some(WarcOrigin {
            file,
            record_id,
            date,
            verified,
        });
    }
    if !r.0.is_empty() {
        return Err(format!("{} bytes follow the leaf data", r.0.len()));
    }
    Ok(FileEntry {
        path,
        size,
        digest: Sha256Digest::from_bytes(digest),
        origin,
        retrieved,
        capture,
        warc,
    })
}

fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of a perfect subtree: `leaves.len()` must be a power of two.
pub fn perfect_root(leaves: &[[u8; 32]]) -> [u8; 32] {
    debug_assert!(leaves.len().is_power_of_two());
    mth(leaves)
}

/// The Merkle Tree Hash over leaf hashes (RFC 9162 §2.1.1), computed recursively: the reference
/// the streaming [`RootBuilder`] is tested against. The root of no entries is the SHA-256 of the
/// empty string.
#[cfg(test)]
pub(crate) fn root_of_leaves(leaves: &[[u8; 32]]) -> Sha256Digest {
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

/// The collection root digest of entries already in manifest order (for test fixtures).
#[cfg(test)]
pub(crate) fn root(entries: &[FileEntry]) -> Sha256Digest {
    use rayon::prelude::*;
    let leaves: Vec<[u8; 32]> = entries.par_iter().map(leaf_hash).collect();
    root_of_leaves(&leaves)
}

/// Builds the root digest from leaf hashes given one at a time, in order, holding only one
/// subtree hash per set bit of the count (so 20 for 10⁶ leaves): the same root as
/// the recursive Merkle Tree Hash, since RFC 9162's tree is the perfect subtrees of the count's powers of two,
/// largest first, joined from the right.
#[derive(Clone, Debug, Default)]
pub struct RootBuilder {
    /// Perfect subtrees, largest first: (hash, number of leaves).
    stack: Vec<([u8; 32], usize)>,
}

impl RootBuilder {
    /// Adds the next leaf hash.
    pub fn push(&mut self, leaf: [u8; 32]) {
        self.push_subtree(leaf, 1);
    }

    /// Adds the next `size` leaves at once by the root of their perfect subtree: `size` must be
    /// a power of two that divides the number of leaves pushed so far (as for full batches of a
    /// power-of-two size), so that the subtree is one of RFC 9162's.
    pub fn push_subtree(&mut self, hash: [u8; 32], size: usize) {
        debug_assert!(size.is_power_of_two());
        debug_assert!(self.stack.iter().all(|&(_, s)| s >= size));
        let mut top = (hash, size);
        while let Some(&(left, size)) = self.stack.last()
            && size == top.1
        {
            self.stack.pop();
            top = (node_hash(&left, &top.0), size * 2);
        }
        self.stack.push(top);
    }

    /// The root of the leaves pushed so far.
    pub fn finish(&self) -> Sha256Digest {
        let mut subtrees = self.stack.iter().rev();
        let Some(&(mut acc, _)) = subtrees.next() else {
            return Sha256Digest::of(b"");
        };
        for (left, _) in subtrees {
            acc = node_hash(left, &acc);
        }
        Sha256Digest::from_bytes(acc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(bytes: &[u8]) -> [u8; 32] {
        Sha256::digest(bytes).into()
    }

    #[test]
    fn leaf_hash_is_the_hash_of_the_specified_leaf_bytes() {
        use crate::provenance::{OriginUrl, Recorded, Timestamp};
        use crate::relpath::RelPath;
        let digest = Sha256Digest::of(b"content");
        let mut entry = FileEntry {
            path: RelPath::new("dir/\u{fc}.txt").unwrap(),
            size: 4666,
            digest,
            origin: Recorded::Unknown,
            retrieved: Recorded::Unknown,
            capture: Capture::default(),
            warc: None,
        };
        // 0x00, u32be(10) "dir/ü.txt" (ü is two bytes), u64be(4666), the digest, two unknowns.
        let mut data = vec![0x00, 0, 0, 0, 10];
        data.extend_from_slice("dir/\u{fc}.txt".as_bytes());
        data.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0x12, 0x3a]);
        data.extend_from_slice(digest.as_bytes());
        assert_eq!(
            leaf_hash(&entry),
            h(&[data.as_slice(), &[0x00, 0x00]].concat())
        );
        entry.origin = Recorded::Known(OriginUrl::parse("https://example.org/x").unwrap());
        entry.retrieved = Recorded::Known(Timestamp::parse("2024-09-30T12:00:00Z").unwrap());
        data.extend_from_slice(&[0x01, 0, 0, 0, 21]);
        data.extend_from_slice(b"https://example.org/x");
        data.extend_from_slice(&[0x01, 0, 0, 0, 20]);
        data.extend_from_slice(b"2024-09-30T12:00:00Z");
        assert_eq!(leaf_hash(&entry), h(&data));
        // Version 2: a capture section after the v1 bytes, only when a capture field is there.
        entry.capture.http_status = Some(200);
        entry.capture.etag = Some("\"x\"".into());
        data.extend_from_slice(&[0x01, 0x00, 0x01, 0x00, 200, 0x00, 0x00]);
        data.extend_from_slice(&[0x01, 0, 0, 0, 3]);
        data.extend_from_slice(b"\"x\"");
        data.push(0x00);
        assert_eq!(leaf_hash(&entry), h(&data));
    }

    #[test]
    fn leaf_data_hashes_to_the_leaf_hash_and_reads_back() {
        use crate::provenance::{OriginUrl, Recorded, Timestamp};
        use crate::relpath::RelPath;
        let mut entry = FileEntry {
            path: RelPath::new("dir/\u{fc}.txt").unwrap(),
            size: 4666,
            digest: Sha256Digest::of(b"content"),
            origin: Recorded::Unknown,
            retrieved: Recorded::Unknown,
            capture: Capture::default(),
            warc: None,
        };
        let warc = WarcOrigin {
            file: "c.warc.gz".into(),
            record_id: "<urn:uuid:1>".into(),
            date: "2016-01".into(),
            verified: WarcVerified::from_bits(5).unwrap(),
        };
        for step in 0..5 {
            if step >= 1 {
                entry.origin = Recorded::Known(OriginUrl::parse("https://example.org/x").unwrap());
                entry.retrieved =
                    Recorded::Known(Timestamp::parse("2024-09-30T12:00:00Z").unwrap());
            }
            if step == 2 {
                // The capture section of a fetched file (format version 2).
                entry.capture = Capture {
                    final_url: Some(OriginUrl::parse("https://example.org/y").unwrap()),
                    http_status: Some(200),
                    media_type: Some("text/html".into()),
                    etag: Some("W/\"e1\"".into()),
                    ..Capture::default()
                };
            }
            if step == 3 {
                // The WARC section of an imported file (format version 3), after the capture one.
                entry.warc = Some(warc.clone());
            }
            if step == 4 {
                // A WARC section without a capture section.
                entry.capture = Capture::default();
            }
            let data = leaf_data(&entry);
            assert_eq!(hash_leaf_data(&data), leaf_hash(&entry));
            assert_eq!(parse_leaf_data(&data).unwrap(), entry);
            assert!(parse_leaf_data(&data[..data.len() - 1]).is_err());
            assert!(parse_leaf_data(&[data.as_slice(), &[0]].concat()).is_err());
        }
        let mut bad = leaf_data(&entry);
        let last = bad.len() - 1;
        bad[last] = 0x06;
        assert!(
            parse_leaf_data(&bad)
                .unwrap_err()
                .contains("not a set docseal writes")
        );
        bad[4] = b'/';
        assert!(parse_leaf_data(&bad).is_err(), "an absolute path");
    }

    /// The worked example of `docs/manifest-format.md` §6, byte for byte.
    #[test]
    fn the_leaf_bytes_of_an_imported_entry_are_the_specs_worked_example() {
        let text = "[[file]]\npath = \"a.html\"\nsize = 3\n\
            digest = \"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\"\n\
            origin = \"http://127.0.0.1/a\"\nretrieved = \"2026-12-02T01:02:03Z\"\n\
            http_status = 200\nmedia_type = \"text/html\"\nwarc_file = \"c.warc.gz\"\n\
            warc_record_id = \"<urn:uuid:1>\"\nwarc_date = \"2026-12-02T01:02:03Z\"\n\
            warc_verified = [\"block\", \"payload\"]\n";
        let spec = "00000006 612e68746d6c 0000000000000003 \
            2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae \
            01 00000012 687474703a2f2f3132372e302e302e312f61 \
            01 00000014 323032362d31322d30325430313a30323a30335a \
            01 00 01 00c8 01 00000009 746578742f68746d6c 00 00 00 \
            02 00000009 632e776172632e677a 0000000c 3c75726e3a757569643a313e \
            00000014 323032362d31322d30325430313a30323a30335a 03";
        let spec: String = spec.split_whitespace().collect();
        // Both readers read the entry; both give these bytes and this hash.
        crate::manifest::differential::readers_agree(text).unwrap();
        let body = text.to_string();
        let strict = crate::manifest::strict::parse_files(
            std::path::Path::new("m.toml"),
            &body,
            0..body.len(),
        )
        .unwrap();
        let entry = &strict[0].0;
        assert_eq!(crate::digest::to_hex(&leaf_data(entry)), spec);
        assert_eq!(leaf_data(entry).len(), 175);
        assert_eq!(
            crate::digest::to_hex(&leaf_hash(entry)),
            "a2dd675214daa5ff543377d7d44155280bc944ceead560aa86d7ce67bcaa771e"
        );
        // Without the WARC fields, the leaf is version 2's: the same bytes less the section.
        let v2 = FileEntry {
            warc: None,
            ..entry.clone()
        };
        // (The WARC section: 1 + (4 + 9) + (4 + 12) + (4 + 20) + 1 = 55 bytes.)
        assert_eq!(
            crate::digest::to_hex(&leaf_data(&v2)),
            spec[..spec.len() - 2 * 55]
        );
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
    fn the_streaming_root_equals_the_recursive_one_for_every_count() {
        let leaves: Vec<[u8; 32]> = (0u32..70).map(|i| h(&i.to_be_bytes())).collect();
        for n in 0..leaves.len() {
            let mut b = RootBuilder::default();
            for l in &leaves[..n] {
                b.push(*l);
            }
            assert_eq!(b.finish(), root_of_leaves(&leaves[..n]), "{n} leaves");
        }
        // Whole subtrees of 16, then single leaves, give the same root.
        for n in 0..leaves.len() {
            let mut b = RootBuilder::default();
            let full = n / 16 * 16;
            for chunk in leaves[..full].chunks(16) {
                b.push_subtree(perfect_root(chunk), 16);
            }
            for l in &leaves[full..n] {
                b.push(*l);
            }
            assert_eq!(
                b.finish(),
                root_of_leaves(&leaves[..n]),
                "{n} leaves in subtrees"
            );
        }
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
