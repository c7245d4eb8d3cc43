//! The GitHub Actions presenter of `verify` (`--format github`): workflow commands
//! (`::error file=…,title=…::message`) for the first problems — GitHub shows at most 10 error
//! annotations per step — and one line saying how many more there are; and, for the file that
//! `GITHUB_STEP_SUMMARY` names, a Markdown table of every problem with the totals.
//!
//! Values are escaped exactly as the Actions toolkit escapes them (`@actions/core`, `command.ts`):
//! in a message `%`, CR and LF become `%25`, `%0D` and `%0A`; in a property also `:` and `,`
//! become `%3A` and `%2C`.

use std::io::Write;

use super::{FileReport, FileStatus, VerifyReport};
use crate::error::Result;
use crate::sanitize::escape;

/// Annotations GitHub shows per step; later ones are dropped.
pub const MAX_ANNOTATIONS: usize = 10;

/// A message escaped as the toolkit's `escapeData`.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value escaped as the toolkit's `escapeProperty`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One problem: where, a title, and what is wrong.
struct Problem {
    file: Option<String>,
    title: String,
    message: String,
}

/// Every problem of the report, in report order.
fn problems(report: &VerifyReport) -> impl Iterator<Item = Result<Problem>> + '_ {
    let signature = (!report.signature.is_valid()).then(|| {
        Ok(Problem {
            file: Some(report.manifest.clone()),
            title: "signature".into(),
            message: format!(
                "the manifest's signature is {}; files not checked",
                serde_json::to_value(report.signature.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            ),
        })
    });
    let manifest = report.manifest_problems.iter().map(|p| {
        Ok(Problem {
            file: Some(report.manifest.clone()),
            title: "manifest".into(),
            message: escape(p).into_owned(),
        })
    });
    let files = report.files.iter().filter_map(move |f| match f {
        Err(e) => Some(Err(e)),
        Ok(f) => file_problem(report, f).map(Ok),
    });
    signature.into_iter().chain(manifest).chain(files)
}

fn file_problem(report: &VerifyReport, f: FileReport) -> Option<Problem> {
    let lacking = f.lacks_provenance();
    let (title, message) = match f.status {
        FileStatus::Ok if report.require_provenance && lacking => (
            "lacking provenance",
            "origin or retrieval time unknown (required)".to_string(),
        ),
        FileStatus::Ok => return None,
        FileStatus::Moved => (
            "moved",
            format!(
                "moved from {}",
                escape(f.moved_from.as_deref().unwrap_or(""))
            ),
        ),
        status => (
            status.as_str(),
            escape(f.detail.as_deref().unwrap_or(status.as_str())).into_owned(),
        ),
    };
    let file = normalised(&format!("{}/{}", report.checked_path, escape(&f.path)));
    Some(Problem {
        file: Some(file),
        title: title.to_string(),
        message,
    })
}

/// Writes the workflow commands: an error annotation for each of the first
/// [`MAX_ANNOTATIONS`] problems, then one saying how many more there are, then a notice with
/// the totals.
pub fn write<W: Write>(w: &mut W, report: &VerifyReport) -> Result<()> {
    super::presenting(|failure| {
        let mut count = 0usize;
        for problem in problems(report) {
            let p = super::passing_on(problem, failure)?;
            count += 1;
            if count > MAX_ANNOTATIONS {
                continue;
            }
            let mut props = Vec::new();
            if let Some(file) = &p.file {
                props.push(format!("file={}", escape_property(file)));
            }
            props.push(format!(
                "title={}",
                escape_property(&format!("docseal: {}", p.title))
            ));
            writeln!(
                w,
                "::error {}::{}",
                props.join(","),
                escape_data(&p.message)
            )?;
        }
        if count > MAX_ANNOTATIONS {
            writeln!(
                w,
                "::error title=docseal::{} more problems not annotated (GitHub shows {MAX_ANNOTATIONS} per step); see the step summary or run docseal verify",
                count - MAX_ANNOTATIONS
            )?;
        }
        let verdict = if report.success {
            "verified"
        } else {
            "verification FAILED"
        };
        writeln!(
            w,
            "::notice title=docseal::{}",
            escape_data(&format!("{}; {verdict}", report.totals.summary()))
        )
    })
}

/// Appends the step summary: a Markdown table of every problem, then the totals.
pub fn write_step_summary<W: Write>(w: &mut W, report: &VerifyReport) -> Result<()> {
    super::presenting(|failure| {
        let verdict = if report.success {
            "verified"
        } else {
            "verification FAILED"
        };
        writeln!(
            w,
            "### docseal verify {}: {verdict}\n",
            cell(&report.manifest)
        )?;
        let mut header = false;
        for problem in problems(report) {
            let p = super::passing_on(problem, failure)?;
            if !header {
                writeln!(w, "| problem | file | detail |\n| --- | --- | --- |")?;
                header = true;
            }
            writeln!(
                w,
                "| {} | {} | {} |",
                cell(&p.title),
                cell(p.file.as_deref().unwrap_or("")),
                cell(&p.message)
            )?;
        }
        if header {
            writeln!(w)?;
        }
        writeln!(w, "{}\n", report.totals.summary())
    })
}

/// A `/`-separated path with `.` segments and `folder/..` pairs taken out, as GitHub matches
/// annotation paths against the repository's files (`manifests/../col/a.txt` → `col/a.txt`).
fn normalised(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for (i, segment) in path.split('/').enumerate() {
        match segment {
            "" if i == 0 => out.push(""),
            "" | "." => {}
            ".." if out.last().is_some_and(|s| *s != ".." && !s.is_empty()) => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// Text for a Markdown table cell: `|` and backslashes escaped, line breaks as spaces.
fn cell(s: &str) -> String {
    escape(s)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_as_the_actions_toolkit_escapes_them() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        // Escaping first `%` keeps the result reversible.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn annotation_paths_are_taken_relative_to_where_docseal_ran() {
        assert_eq!(normalised("manifests/../col/a.txt"), "col/a.txt");
        assert_eq!(normalised("./col/./a"), "col/a");
        assert_eq!(normalised("../../x/y"), "../../x/y");
        assert_eq!(normalised("/abs/a/../b"), "/abs/b");
    }
}
