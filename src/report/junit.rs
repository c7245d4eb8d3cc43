//! The JUnit XML presenter of `verify` (`--format junit`, with `quick-junit`): one test suite
//! named after the collection, one failing test case per problem — the signature, each manifest
//! problem, each file that is not ok, each file lacking provenance when provenance is required —
//! and one summary case with the totals. Files that verified get no case of their own, so that a
//! collection of 10⁶ files gives a small report (GitLab keeps at most 500,000 cases and merges
//! cases of the same name). Case names are the paths (unique within the report, and escaped as
//! for a terminal); the class name is the collection's, which GitLab shows as the suite.

use std::io::Write;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{FileStatus, VerifyReport};
use crate::error::{Error, Result};
use crate::sanitize::escape;
use crate::trust::signature::SignatureStatus;

/// Writes the report of a verification as JUnit XML.
pub fn write<W: Write>(w: &mut W, report: &VerifyReport) -> Result<()> {
    let classname = format!("docseal.{}", escape(&report.collection_name));
    let mut suite = TestSuite::new(format!("docseal verify {}", escape(&report.manifest)));
    let mut case = |name: String, kind: &str, message: String| {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_type(kind).set_message(message);
        let mut case = TestCase::new(name, status);
        case.set_classname(classname.as_str());
        suite.add_test_case(case);
    };
    if !report.signature.is_valid() {
        let what = match report.signature.status {
            SignatureStatus::Invalid => "a signature by a trusted key does not verify".into(),
            SignatureStatus::Untrusted => "signed only by keys that are not trusted".into(),
            SignatureStatus::Unsigned => "the manifest is not signed".into(),
            SignatureStatus::Revoked => {
                "signed only by revoked or untrusted keys (a trusted key was revoked)".into()
            }
            SignatureStatus::Unmet => escape(&report.signature.unmet.join("; ")).into_owned(),
            SignatureStatus::CheckpointInvalid => {
                "the checkpoint signature of a trusted key is missing or does not verify".into()
            }
            SignatureStatus::Valid => "valid".to_string(),
        };
        case(
            "signature".into(),
            "signature",
            format!("{what}; files not checked"),
        );
    }
    for problem in &report.manifest_problems {
        case("manifest".into(), "manifest", escape(problem).into_owned());
    }
    for file in report.files.iter() {
        let file = file?;
        let lacking = file.lacks_provenance();
        if file.status == FileStatus::Ok && !(report.require_provenance && lacking) {
            continue;
        }
        let name = escape(&file.path).into_owned();
        let message = match (&file.moved_from, &file.detail) {
            (Some(from), _) if file.status != FileStatus::Misnamed => {
                format!("moved from {}", escape(from))
            }
            (_, Some(detail)) => format!("{}: {}", file.status.as_str(), escape(detail)),
            (_, None) => file.status.as_str().to_string(),
        };
        if file.status == FileStatus::Ok {
            case(
                name,
                "provenance",
                "origin or retrieval time unknown (required)".into(),
            );
        } else {
            case(name, file.status.as_str(), message);
        }
    }
    let totals = report.totals.summary();
    let status = if report.success {
        TestCaseStatus::success()
    } else {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_type("verification")
            .set_message("verification FAILED");
        s
    };
    let mut summary = TestCase::new("summary", status);
    summary
        .set_classname(classname.as_str())
        .set_system_out(totals);
    suite.add_test_case(summary);
    let mut junit = Report::new("docseal");
    junit.add_test_suite(suite);
    // quick-junit's error hides the I/O error (and so a closed pipe): serialise into memory.
    let xml = junit
        .to_string()
        .map_err(|e| Error::Internal(format!("cannot write the JUnit report: {e}")))?;
    w.write_all(xml.as_bytes())
        .and_then(|()| match xml.ends_with('\n') {
            true => Ok(()),
            false => writeln!(w),
        })
        .map_err(Error::Output)
}
