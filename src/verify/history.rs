//! The history checks of `verify`, for a manifest whose signature is valid: its expiry
//! (`expires`, against this machine's clock, unless `--allow-expired`), and its place in the
//! chain against what the verifier trusted before — the state file (`--state`: per collection
//! and signer, the newest sequence seen and its manifest digest) or one manifest the user
//! trusts (`--since`, its signature checked too). Each finding is a manifest problem of the
//! report (a verification failure, exit 1); the state is written, atomically, only after a
//! verification that succeeded.

use std::path::PathBuf;

use crate::audit::chain;
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::provenance::Timestamp;
use crate::trust::Trust;
use crate::trust::history::{self, Position, State};
use crate::trust::signature::SignatureReport;

/// The history options of a verification.
#[derive(Clone, Debug, Default)]
pub struct HistoryOptions {
    /// The verifier's state file (`--state`), created if missing.
    pub state: Option<PathBuf>,
    /// A manifest the user trusts, which this one must not be older than (`--since`).
    pub since: Option<PathBuf>,
    /// Accept a manifest whose `expires` has passed.
    pub allow_expired: bool,
}

/// What the history checks hold between the signature check and the end of the verification.
pub(super) struct History {
    state: Option<State>,
    since: Option<(PathBuf, String, Option<Position>)>,
    allow_expired: bool,
    /// The collection name and position of the manifest checked, for the state.
    checked: Option<(String, Position)>,
}

impl History {
    /// Reads the state file and the `--since` manifest (before anything else, so that a bad one
    /// is an error whatever the manifest is).
    pub(super) fn load(opts: &HistoryOptions, trusted: &Trust) -> Result<Self> {
        let state = opts.state.as_deref().map(State::load).transpose()?;
        let since = match &opts.since {
            None => None,
            Some(path) => {
                let (m, _) = chain::load_verified(path, trusted, "--since")?;
                Some((path.clone(), m.header.name.clone(), chain::position(&m)))
            }
        };
        Ok(History {
            state,
            since,
            allow_expired: opts.allow_expired,
            checked: None,
        })
    }

    /// The problems of a validly signed `manifest`'s history.
    pub(super) fn problems(
        &mut self,
        manifest: &Manifest,
        sig: &SignatureReport,
    ) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let h = &manifest.header;
        if let Some(expires) = h.expires {
            let now = Timestamp::now();
            if expires <= now && !self.allow_expired {
                problems.push(format!(
                    "expired: this manifest expired at {expires} (it is now {now}); reseal the collection, or pass --allow-expired to accept it"
                ));
            }
        }
        if self.state.is_none() && self.since.is_none() {
            return Ok(problems);
        }
        let Some(now) = chain::position(manifest) else {
            problems.push(
                "this manifest records no sequence number, so it cannot be checked for rollback; reseal it (docseal seal writes one)".to_string(),
            );
            return Ok(problems);
        };
        self.checked = Some((h.name.clone(), now));
        if let Some((path, name, seen)) = &self.since {
            if *name != h.name {
                return Err(Error::invalid(
                    path,
                    format!(
                        "is a manifest of collection \"{}\", and the manifest verified is of \"{}\"; pass a manifest of the same collection to --since",
                        name.escape_debug(),
                        h.name.escape_debug()
                    ),
                ));
            }
            let seen = seen.ok_or_else(|| {
                Error::invalid(
                    path,
                    "records no sequence number, so nothing can be checked against it; pass a manifest with a sequence to --since",
                )
            })?;
            let what = format!("the --since manifest {}", path.display());
            problems.extend(history::judge(&seen, &now, &what));
        }
        if let Some(state) = &self.state {
            for signer in &sig.signers {
                if let Some(seen) = state.get(&h.name, signer.key_id) {
                    let what = format!(
                        "the state file {} (for key {})",
                        state.path().display(),
                        signer.key_id
                    );
                    problems.extend(history::judge(seen, &now, &what));
                }
            }
        }
        Ok(problems)
    }

    /// After the verification: records a successful one in the state file.
    pub(super) fn finish(self, sig: &SignatureReport, success: bool) -> Result<()> {
        let (Some(mut state), true, Some((name, now))) = (self.state, success, self.checked) else {
            return Ok(());
        };
        for signer in &sig.signers {
            state.record(&name, signer.key_id, now);
        }
        state.save()
    }
}
