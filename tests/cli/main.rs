/*!
The integration tests of the `docseal` binary: one test binary, run with `cargo test`, that drives
the real executable in temporary folders (see [`util::TestEnv`]) and checks exit statuses, the
text of messages and the JSON schemas.

Modules by what they guard: `keygen`, `seal`, `verify` and `show` the happy paths;
`bad_manifest`, `bad_input`, `inputs` (input files that are not what they claim) and
`special_files` the refusals (exit 2, one line naming the file,
nothing half-written); `tampering` that every change to a sealed collection or its manifest is
caught (exit 1); `streaming` the streaming verifier across hashing jobs and manifest batches
(byte order of paths, unsorted and non-canonical manifests, moves, quiet output); `vectors`
the manifest spec vectors in `tests/vectors/manifest/`.
*/
#![allow(clippy::unwrap_used)]

mod archive;
mod bad_input;
mod bad_manifest;
mod help;
mod inputs;
mod keygen;
mod schema;
mod seal;
mod show;
mod special_files;
mod streaming;
mod tampering;
mod util;
mod vectors;
mod verify;
