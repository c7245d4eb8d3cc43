//! Exporting, the orchestrator of `export`: the trusted keys and the manifest's signatures first
//! (`trust`, `manifest`), then — only for a validly signed manifest — its entries written in
//! another tool's format (`interop`): a `sha256sum` list to standard output or atomically to a
//! file (`fsio`), or a BagIt bag built in a temporary folder beside its destination and renamed
//! into place once complete. A list of digests taken from a manifest nobody vouches for would
//! launder them, so nothing is written unless the signature is valid; a bag's payload is checked
//! against the manifest as it is copied. It parses, hashes and formats nothing itself.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fsio::{self, Access};
use crate::interop::{bagit, sha256sum};
use crate::manifest::Manifest;
use crate::report::export::ExportReport;
use crate::trust::signature::SignatureReport;
use crate::trust::{Trust, TrustOptions};

/// The name of the docseal manifest inside a bag.
pub const BAG_MANIFEST: &str = bagit::DOCSEAL_MANIFEST;

/// What to export, against which keys, and where.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// The manifest file.
    pub manifest: PathBuf,
    /// The trusted keys, the revocations, and what is required of the signers.
    pub trust: TrustOptions,
    /// Write to this file (atomically) instead of the given writer.
    pub output: Option<PathBuf>,
    /// Replace an existing output file.
    pub force: bool,
}

/// Loads the manifest, checking its signatures against the trusted keys.
fn load(opts: &ExportOptions) -> Result<(Manifest, SignatureReport)> {
    Manifest::load_trusted(&opts.manifest, &Trust::load(&opts.trust)?)
}

/// Writes the manifest's entries as a `sha256sum` list (`sha256sum -c` checks the collection
/// with it, from the collection folder), to `out` or to `opts.output`.
pub fn sha256sum(opts: &ExportOptions, out: &mut dyn Write) -> Result<ExportReport> {
    let (manifest, sig) = load(opts)?;
    let mut report = ExportReport {
        manifest: opts.manifest.clone(),
        signature: sig,
        files: 0,
        output: opts.output.clone(),
    };
    if !report.signature.is_valid() {
        return Ok(report);
    }
    if let Some(path) = &opts.output
        && !opts.force
        && std::fs::symlink_metadata(path).is_ok()
    {
        return Err(Error::Exists {
            path: path.clone(),
            what: "checksum list",
        });
    }
    let mut lines = |sink: &mut dyn Write| -> Result<()> {
        for entry in manifest.entries() {
            let entry = entry?;
            sha256sum::write_line(sink, &entry.digest, entry.path.as_str())
                .map_err(Error::Output)?;
            report.files += 1;
        }
        Ok(())
    };
    match &opts.output {
        Some(path) => {
            fsio::write_atomic_with(path, Access::Public, opts.force, "checksum list", lines)?
        }
        None => lines(out)?,
    }
    Ok(report)
}

/// Writes a BagIt bag at `opts.output` (which must not exist): `data/` holds a copy of every
/// sealed file of the collection folder `root` (by default the manifest's `collection`, looked
/// up only once the signature is valid), each checked against the manifest as it is copied, with `manifest-sha256.txt`, `bag-info.txt` (with `Payload-Oxum`), the docseal
/// manifest as the tag file [`BAG_MANIFEST`], and `tagmanifest-sha256.txt`.
pub fn bagit(opts: &ExportOptions, root: Option<&Path>) -> Result<ExportReport> {
    let output = opts
        .output
        .clone()
        .ok_or_else(|| Error::Usage("a bag is a folder: name it with -o BAG".into()))?;
    let (manifest, sig) = load(opts)?;
    let mut report = ExportReport {
        manifest: opts.manifest.clone(),
        signature: sig,
        files: 0,
        output: Some(output.clone()),
    };
    if !report.signature.is_valid() {
        return Ok(report);
    }
    if std::fs::symlink_metadata(&output).is_ok() {
        return Err(Error::invalid(
            &output,
            "already exists; name a new folder for the bag (docseal never writes into an existing one)",
        ));
    }
    let collection = match root {
        Some(root) => root.to_path_buf(),
        None => opts
            .manifest
            .parent()
            .unwrap_or(Path::new(""))
            .join(&manifest.header.collection_path),
    };
    if !collection.is_dir() {
        return Err(Error::invalid(
            &collection,
            "is not a collection folder; pass the folder with --root DIR",
        ));
    }
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let building = tempfile::Builder::new()
        .prefix(".docseal-bag-")
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, "cannot create a temporary folder in", e))?;
    let bag = building.path();
    let mut manifest_text = String::new();
    let mut bytes = 0u64;
    for entry in manifest.entries() {
        let entry = entry?;
        let from = entry.path.under(&collection);
        let to = entry.path.under(&bag.join("data"));
        if let Some(folder) = to.parent() {
            std::fs::create_dir_all(folder)
                .map_err(|e| Error::io(folder, "cannot create folder", e))?;
        }
        let copied = bagit::copy_payload_file(&from, &to)
            .map_err(|e| Error::io(&from, "cannot copy into the bag", e))?;
        if copied.size != entry.size || copied.digest != entry.digest {
            return Err(Error::invalid(
                &from,
                "does not match the manifest; run `docseal verify` and seal again, nothing was written",
            ));
        }
        manifest_text.push_str(&bagit::manifest_line(
            &entry.digest.to_hex(),
            &format!("data/{}", entry.path),
        ));
        bytes += entry.size;
        report.files += 1;
    }
    let sealed = fsio::read_at_most(&opts.manifest, "manifest", fsio::MANIFEST_MAX)?;
    let info = bagit::bag_info(&[
        (
            "Bag-Software-Agent",
            format!("docseal {}", env!("CARGO_PKG_VERSION")),
        ),
        (
            "Bagging-Date",
            crate::provenance::Timestamp::now().to_string()[..10].to_string(),
        ),
        ("External-Identifier", manifest.header.name.clone()),
        ("Payload-Oxum", format!("{bytes}.{}", report.files)),
    ]);
    let tag_files: [(&str, &[u8]); 4] = [
        ("bagit.txt", bagit::DECLARATION.as_bytes()),
        ("bag-info.txt", info.as_bytes()),
        ("manifest-sha256.txt", manifest_text.as_bytes()),
        (BAG_MANIFEST, &sealed),
    ];
    let mut tag_manifest = String::new();
    for (name, contents) in tag_files {
        let path = bag.join(name);
        std::fs::write(&path, contents).map_err(|e| Error::io(&path, "cannot write", e))?;
        tag_manifest.push_str(&bagit::manifest_line(&bagit::tag_checksum(contents), name));
    }
    let path = bag.join("tagmanifest-sha256.txt");
    std::fs::write(&path, &tag_manifest).map_err(|e| Error::io(&path, "cannot write", e))?;
    let built = building.keep();
    if let Err(e) = std::fs::rename(&built, &output) {
        let _ = std::fs::remove_dir_all(&built);
        return Err(Error::io(&output, "cannot write", e));
    }
    Ok(report)
}
