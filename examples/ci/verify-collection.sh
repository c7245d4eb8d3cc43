#!/usr/bin/env bash
# Verify a sealed collection in CI with a pinned signer, and write a JUnit report.
#
#   examples/ci/verify-collection.sh MANIFEST SIGNER.pub REPORT.xml [--format github]
#
# Exits with docseal's status: 0 verified, 1 verification failed, 2 docseal could not run. The
# JUnit report is written in every case docseal could run; the GitHub and GitLab examples beside
# this script upload it. DOCSEAL names the docseal program (default: target/release/docseal).
# DOCSEAL_SIGNER, when set, is the key ID that must have signed (--signer): set it where a pull
# request cannot change it (a repository or CI/CD variable), since the .pub file is in the
# repository a pull request edits.
set -uo pipefail
if [ "$#" -lt 3 ]; then
  echo "usage: $0 MANIFEST SIGNER.pub REPORT.xml [--format github]" >&2
  exit 2
fi
manifest=$1 signer=$2 report=$3
shift 3
docseal=${DOCSEAL:-target/release/docseal}
pin=(--trust "$signer")
if [ -n "${DOCSEAL_SIGNER:-}" ]; then
  pin+=(--signer "$DOCSEAL_SIGNER")
fi
# The JUnit report goes to the file, the text report to the job's log.
"$docseal" verify "$manifest" "${pin[@]}" --format junit -o "$report"
status=$?
if [ "$status" -ne 2 ] && [ "${1:-}" = "--format" ] && [ "${2:-}" = "github" ]; then
  # Annotations on the pull request, and a table in the job summary (GITHUB_STEP_SUMMARY).
  "$docseal" verify "$manifest" "${pin[@]}" --format github --quiet || true
fi
exit "$status"
