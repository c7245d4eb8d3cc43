/*!
The integration tests of the `docseal` binary: one test binary, run with `cargo test`, that drives
the real executable in temporary folders (see [`util::TestEnv`]) and checks exit statuses, the
text of messages and the JSON schemas.

Modules by what they guard: `keygen`, `seal`, `verify` and `show` the happy paths (and `show`'s
signature check); `bad_manifest`, `bad_input`, `inputs` (input files that are not what they claim) and
`special_files` the refusals (exit 2, one line
naming the file, nothing half-written); `trusted_keys` what `verify` trusts (one file per key,
canonical keys only); `policy` what it requires of the signers (`--threshold`, `--signer`,
`--expect-name`) and the key committed by a pull request that pinning stops; `revocation`
`docseal revoke` and revoked, forged and malformed revocations; `secret_keys` what `seal --key` reads (one open, checked, bounded);
`vectors` Wycheproof and RFC 8032 through docseal's own key and signature checks;
`manifest_vectors` the manifest spec vectors in `tests/vectors/manifest/`; `tampering`
that every change to a sealed collection or its manifest is caught (exit 1); `names` paths
that clash on other file systems and invisible characters; `properties` seal and verify on
random trees and random one-byte edits (proptest); `streaming` the
streaming verifier across hashing jobs and manifest batches (byte order of paths, unsorted and
non-canonical manifests, moves, quiet output); `capture` provenance lists (CSV); `fetch`
`docseal fetch` against a loopback HTTP(S) server (`server`), sealed and verified; `warc`
`docseal import-warc` of real wget WARC files (and its progress bar on a terminal); `warc_sealed`
the WARC record under the signature (format version 3); `versions` that the committed version 1
and 2 manifests still verify and that `seal` writes version 3; `bagit` the
BagIt validator against the Library of Congress conformance suite; `ci` the JUnit and GitHub
Actions reports; `cite` citations that carry the digest; `history` chains, rollback, expiry, `log` and `diff`; `proofs` checkpoints and inclusion proofs (prove, verify-proof); `examples` the CI examples in examples/ci/; `interop` other tools' formats
(`export sha256sum` checked by the real `sha256sum -c`), completions and manual pages;
`architecture` that docs/architecture.md matches the tree and the dependency rule holds.
*/
#![allow(clippy::unwrap_used)]

mod architecture;
mod archive;
mod audit;
mod bad_input;
mod bad_manifest;
mod bagit;
mod capture;
mod ci;
mod cite;
mod encrypted_keys;
mod examples;
mod fetch;
mod help;
mod history;
mod inputs;
mod interop;
mod keygen;
mod manifest_vectors;
mod names;
mod object_store;
mod policy;
mod proofs;
mod properties;
mod revocation;
mod schema;
mod seal;
mod secret_keys;
mod server;
mod shards;
mod show;
mod sign;
mod special_files;
mod streaming;
mod tampering;
mod trusted_keys;
mod util;
mod vectors;
mod verify;
mod versions;
mod warc;
mod warc_sealed;
