//! Exactly TOML 1.0, and table headers spelled one way. The `toml` crate docseal parses with
//! reads TOML 1.1, which adds to 1.0 the `\xHH` and `\e` escapes, newlines and a trailing comma
//! in inline tables, and times without seconds; a manifest is TOML 1.0 (so that any TOML 1.0
//! tool, e.g. Python's `tomllib`, reads the same values), so [`check`] refuses those first, from
//! the tokens of `toml_parser`'s lexer (the crate's own, so both agree on where strings are).
//!
//! It also refuses any table header other than the exact line `[[file]]` (in the body) or
//! `[[signature]]` (in the signature block): the manifest is cut into documents at those exact
//! lines, so `[[ file ]]`, `[[file]] # note`, `[[file]] ` or `\t[[file]]` would be read
//! differently by the cutting reader and a whole-document reader; each is refused, wherever it
//! stands, with a message that names it.

use toml_parser::Source;
use toml_parser::lexer::TokenKind;

/// Checks that `text` (a manifest document: the header, a batch of entries, or the signature
/// block) uses only TOML 1.0 and that each of its table headers is the line `table_line`.
/// On failure, the byte offset in `text` of the problem and the message.
pub fn check(text: &str, table_line: &str) -> Result<(), (usize, String)> {
    let source = Source::new(text);
    let mut line_start = true;
    let mut in_value = false;
    // Nesting of arrays and inline tables in a value; for each, whether it is an inline table.
    let mut nesting: Vec<bool> = Vec::new();
    let mut last_significant = TokenKind::Newline;
    for token in source.lex() {
        let span = token.span();
        let raw = &text[span.start()..span.end()];
        let kind = token.kind();
        let in_inline_table = nesting.last() == Some(&true);
        match kind {
            TokenKind::Whitespace | TokenKind::Comment => {}
            TokenKind::Newline => {
                if in_inline_table {
                    return Err((
                        span.start(),
                        toml_1_1("a line break inside an inline table"),
                    ));
                }
                if nesting.is_empty() {
                    in_value = false;
                    line_start = true;
                }
            }
            TokenKind::LeftSquareBracket if line_start && !in_value => {
                let line_from = text[..span.start()].rfind('\n').map_or(0, |i| i + 1);
                let line_to = text[span.start()..]
                    .find('\n')
                    .map_or(text.len(), |i| span.start() + i);
                let line = &text[line_from..line_to];
                if line != table_line {
                    return Err((line_from, table_header_problem(line, table_line)));
                }
                // The rest of the line is the header itself: skip to its end.
                line_start = false;
                in_value = true;
                nesting.clear();
                last_significant = kind;
                continue;
            }
            TokenKind::Equals if !in_value => in_value = true,
            TokenKind::LeftSquareBracket => nesting.push(false),
            TokenKind::LeftCurlyBracket => nesting.push(true),
            TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket => {
                if kind == TokenKind::RightCurlyBracket && last_significant == TokenKind::Comma {
                    return Err((
                        span.start(),
                        toml_1_1("a trailing comma in an inline table"),
                    ));
                }
                nesting.pop();
            }
            TokenKind::BasicString | TokenKind::MlBasicString => {
                if let Some(at) = escape_1_1(raw) {
                    let escape = &raw[at..at + 2];
                    return Err((
                        span.start() + at,
                        toml_1_1(&format!("the escape \"{escape}\"")),
                    ));
                }
            }
            TokenKind::Atom if in_value && time_without_seconds(raw) => {
                return Err((span.start(), toml_1_1("a time without seconds")));
            }
            _ => {}
        }
        if !matches!(
            kind,
            TokenKind::Whitespace | TokenKind::Comment | TokenKind::Newline
        ) {
            line_start = false;
            last_significant = kind;
        }
    }
    Ok(())
}

fn toml_1_1(what: &str) -> String {
    format!(
        "{what} is TOML 1.1, and a manifest is TOML 1.0 (docs/manifest-format.md §1); restore the original file"
    )
}

/// The message for a table header line that is not exactly `wanted`.
fn table_header_problem(line: &str, wanted: &str) -> String {
    let without_comment = line.split('#').next().unwrap_or(line);
    let compact: String = without_comment
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let shown = crate::sanitize::escape(line);
    if compact == wanted {
        format!(
            "table header \"{shown}\" must be written exactly \"{wanted}\", alone on its line (no blanks, tabs or comment); restore the original file"
        )
    } else {
        format!("unknown table \"{shown}\"; this part of a manifest holds only {wanted} tables")
    }
}

/// The offset in a basic string token of an escape TOML 1.0 does not have (`\x`, `\e`).
fn escape_1_1(raw: &str) -> Option<usize> {
    let b = raw.as_bytes();
    let mut i = 0;
    while let Some(found) = memchr::memchr(b'\\', &b[i..]) {
        let at = i + found;
        match b.get(at + 1) {
            Some(b'x' | b'e') => return Some(at),
            _ => i = at + 2,
        }
        if i >= b.len() {
            break;
        }
    }
    None
}

/// True for a time value (`07:32`, `1979-05-27T07:32Z`, …) whose seconds are left out.
fn time_without_seconds(atom: &str) -> bool {
    let time = match atom.find(['T', 't']) {
        Some(i) if atom[..i].contains('-') => &atom[i + 1..],
        _ => atom,
    };
    let b = time.as_bytes();
    b.len() >= 5
        && b[0].is_ascii_digit()
        && b[1].is_ascii_digit()
        && b[2] == b':'
        && b[3].is_ascii_digit()
        && b[4].is_ascii_digit()
        && b.get(5) != Some(&b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> String {
        check(text, "[[file]]").unwrap_err().1
    }

    #[test]
    fn toml_1_0_documents_pass() {
        for ok in [
            "a = \"x\\u0041\\\\x\"\nb = 'lit\\x'\n# comment \\x\n",
            "[[file]]\npath = \"a\"\n\n[[file]]\npath = \"b\"\n",
            "t = { a = 1, b = [1, 2] }\nd = 1979-05-27T07:32:00Z\n",
            "m = \"\"\"\nline \\\\e \\\n  cont\"\"\"\n",
            "arr = [\n  [1],\n  [2],\n]\n",
        ] {
            assert_eq!(check(ok, "[[file]]"), Ok(()), "{ok}");
        }
    }

    #[test]
    fn toml_1_1_only_syntax_is_refused() {
        assert!(problem("p = \"\\x61.txt\"\n").contains("the escape \"\\x\" is TOML 1.1"));
        assert!(problem("t = \"t\\est\"\n").contains("the escape \"\\e\""));
        assert!(problem("t = { a = 1,\n b = 2 }\n").contains("line break inside an inline table"));
        assert!(problem("t = { a = 1, }\n").contains("trailing comma"));
        assert!(problem("t = 07:32\n").contains("time without seconds"));
        assert!(problem("t = 1979-05-27T07:32Z\n").contains("time without seconds"));
    }

    #[test]
    fn every_other_spelling_of_a_table_header_is_refused_by_name() {
        for bad in [
            "[[ file ]]",
            "[[file]] # note",
            "[[file]] ",
            "\t[[file]]",
            " [[file]]",
        ] {
            let text = format!("[[file]]\npath = \"a\"\n\n{bad}\npath = \"b\"\n");
            let (at, message) = check(&text, "[[file]]").unwrap_err();
            assert_eq!(at, text.find(bad).unwrap(), "{bad:?}");
            assert!(
                message.contains("must be written exactly \"[[file]]\""),
                "{message}"
            );
        }
        assert!(problem("[file]\n").contains("unknown table \"[file]\""));
        assert!(problem("[[files]]\n").contains("unknown table"));
    }
}
