//! Content lints found while parsing, from the page's own text. Which of
//! them are reported is decided by the settings, in the validate stage.

use std::ops::Range;

use super::locate::Locator;
use crate::diagnostics::LineIndex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lint {
    Mojibake,
    HeadingSpace,
    GovukSpelling,
    /// Markdown the tech-docs gem reads differently (`dialect`).
    MarkdownDialect,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub lint: Lint,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: String,
}

/// UTF-8 text that was once read as Windows-1252 or Latin-1 and saved again.
const MOJIBAKE: &[(&str, &str, &str)] = &[
    ("\u{c2}\u{a0}", "`Â` and a no-break space", "a plain space"),
    ("\u{e2}\u{20ac}\u{2122}", "`â€™`", "’"),
    ("\u{e2}\u{20ac}\u{2dc}", "`â€˜`", "‘"),
    ("\u{e2}\u{20ac}\u{153}", "`â€œ`", "“"),
    ("\u{e2}\u{20ac}\u{9d}", "`â€` and U+009D", "”"),
    ("\u{e2}\u{20ac}\u{201c}", "`â€“`", "–"),
    ("\u{e2}\u{20ac}\u{201d}", "`â€”`", "—"),
    ("\u{e2}\u{20ac}\u{a6}", "`â€¦`", "…"),
    ("\u{c3}\u{a9}", "`Ã©`", "é"),
    ("\u{c2}\u{a3}", "`Â£`", "£"),
];

/// Scans the front matter (`front_matter`, the file's text before the body)
/// and the prose of the body (`prose`: ranges of `body` that are text
/// outside code) for mojibake, and the prose for the other lints.
pub fn scan(
    front_matter: &str,
    body: &str,
    locator: &Locator<'_>,
    prose: &[Range<usize>],
) -> Vec<Finding> {
    let lines = LineIndex::new(front_matter);
    let mut findings = Vec::new();

    // Front matter and prose; code is left alone, since code samples are
    // copied exactly and a page may show mojibake on purpose in `code`.
    // One search of each piece finds both mojibake and GOV.UK's spellings.
    for (offset, found) in found_in(front_matter) {
        if let Found::Mojibake(shown, meant) = found {
            let (line, column) = lines.line_col(front_matter, offset);
            findings.push(mojibake(line, column, shown, meant));
        }
    }
    let at = |offset: usize| locator.position(offset);
    for range in prose {
        let chunk = &body[range.clone()];
        let line_start = body[..range.start].rfind('\n').map_or(0, |i| i + 1);
        let indent = &body[line_start..range.start];
        if indent.len() <= 3
            && indent.chars().all(|c| c == ' ')
            && let Some(finding) = heading_without_space(chunk)
        {
            let (line, column) = at(range.start);
            findings.push(Finding {
                line,
                column,
                ..finding
            });
        }
        for (offset, found) in found_in(chunk) {
            let (line, column) = at(range.start + offset);
            findings.push(match found {
                Found::Mojibake(shown, meant) => mojibake(line, column, shown, meant),
                Found::Govuk(word) => Finding {
                    lint: Lint::GovukSpelling,
                    line,
                    column,
                    message: format!("`{word}` should be written `GOV.UK`"),
                    help: "write GOV.UK in capitals".into(),
                },
            });
        }
    }
    findings.sort_by_key(|f| (f.line, f.column));
    findings
}

fn heading_without_space(chunk: &str) -> Option<Finding> {
    let hashes = chunk.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let next = chunk[hashes..].chars().next()?;
    let odd_space = next != ' ' && next != '\t' && (next.is_whitespace() || next == '\u{c2}');
    // `#channel` at the start of a line is a Slack channel, not a heading;
    // `##Word` or `#Word` is a heading missing its space.
    let word = hashes >= 2 && next.is_alphanumeric() || hashes == 1 && next.is_uppercase();
    if !(odd_space || word) {
        return None;
    }
    let marker = "#".repeat(hashes);
    Some(Finding {
        lint: Lint::HeadingSpace,
        line: 0,
        column: 0,
        message: format!(
            "`{marker}` is not followed by a plain space, so this line is not a heading"
        ),
        help: format!("put one ordinary space after `{marker}`"),
    })
}

/// The ways of writing GOV.UK that `misspelt_govuk` looks for.
const GOVUK_VARIANTS: [&str; 4] = ["Gov.uk", "Gov.UK", "gov.UK", "GOV.uk"];

/// Every text the lints look for, mojibake then GOV.UK's variants, in one
/// automaton: prose comes in many small pieces, and searching each piece
/// once for all of them, rather than once per text, was a tenth of a
/// build's time.
fn patterns() -> &'static aho_corasick::AhoCorasick {
    static PATTERNS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| {
            let texts = MOJIBAKE
                .iter()
                .map(|(text, _, _)| *text)
                .chain(GOVUK_VARIANTS);
            aho_corasick::AhoCorasick::new(texts).expect("the lint patterns build")
        });
    &PATTERNS
}

fn mojibake(line: usize, column: usize, shown: &str, meant: &str) -> Finding {
    Finding {
        lint: Lint::Mojibake,
        line,
        column,
        message: format!("{shown} looks like mis-encoded text for {meant}"),
        help: format!("replace it with {meant}"),
    }
}

enum Found<'a> {
    /// How it shows, and what was meant.
    Mojibake(&'static str, &'static str),
    /// GOV.UK spelt another way, in prose (not in an address).
    Govuk(&'a str),
}

/// What the lints' texts find in `text`, by offset.
fn found_in(text: &str) -> Vec<(usize, Found<'_>)> {
    let mut found = Vec::new();
    // Mojibake is never ASCII, and every other spelling has `.uk` or `.UK`
    // in it: most pieces need no search at all.
    let bytes = text.as_bytes();
    let dot_uk = memchr::memchr_iter(b'.', bytes)
        .any(|i| matches!(bytes.get(i + 1..i + 3), Some(b"uk" | b"UK")));
    if text.is_ascii() && !dot_uk {
        return found;
    }
    for m in patterns().find_iter(text) {
        let (offset, word) = (m.start(), &text[m.range()]);
        if let Some((_, shown, meant)) = MOJIBAKE.get(m.pattern().as_usize()) {
            found.push((offset, Found::Mojibake(shown, meant)));
            continue;
        }
        let before = text[..offset].chars().next_back();
        let after = text[offset + word.len()..].chars().next();
        // Part of a host name or path (`www.Gov.uk/...`), not prose.
        let in_address = before.is_some_and(|c| c.is_alphanumeric() || "./@-".contains(c))
            || after.is_some_and(|c| c.is_alphanumeric() || "/-".contains(c));
        if !in_address {
            found.push((offset, Found::Govuk(word)));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lints(text: &str) -> Vec<(Lint, usize, usize)> {
        let rendered =
            super::super::markdown::render(text, 0, &crate::highlight::Highlighter::new(), "");
        scan("", text, &Locator::plain(text, 0), &rendered.prose)
            .into_iter()
            .map(|f| (f.lint, f.line, f.column))
            .collect()
    }

    #[test]
    fn finds_the_seed_heading() {
        let found = lints("intro\n\n###\u{c2}\u{a0}Platforms\n");
        assert_eq!(found, [(Lint::HeadingSpace, 3, 1), (Lint::Mojibake, 3, 4)]);
    }

    #[test]
    fn heading_space_cases() {
        assert_eq!(lints("###Heading\n"), [(Lint::HeadingSpace, 1, 1)]);
        assert_eq!(lints("#Heading\n"), [(Lint::HeadingSpace, 1, 1)]);
        assert!(lints("### Heading\n").is_empty());
        assert!(lints("#govuk-2ndline is the channel\n").is_empty());
        assert!(lints("```sh\n#!/usr/bin/env sh\n##x\n```\n").is_empty());
        assert!(lints("    ##indented code\n").is_empty());
        assert!(lints("Use ##this in text\n").is_empty());
    }

    #[test]
    fn mojibake_is_found_anywhere() {
        assert_eq!(
            lints("It\u{e2}\u{20ac}\u{2122}s\n"),
            [(Lint::Mojibake, 1, 3)]
        );
        assert!(lints("It’s fine\n").is_empty());
    }

    #[test]
    fn govuk_spelling_in_prose_only() {
        assert_eq!(
            lints("Welcome to Gov.uk.\n"),
            [(Lint::GovukSpelling, 1, 12)]
        );
        assert!(lints("See www.gov.uk and [x](https://www.Gov.uk/a) and `Gov.uk`\n").is_empty());
        assert!(lints("GOV.UK is right\n").is_empty());
    }
}
