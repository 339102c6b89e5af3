//! SARIF 2.1.0, the format GitHub code scanning (and other tools) read:
//! one rule per diagnostic code, described by its one-line summary and by
//! its row on the manual's check page, which is compiled in so that the
//! page stays the one full description of each code; one result per
//! finding, with its file, line, column, level and fingerprint.

use std::path::Path;

use serde_json::{Value, json};

use crate::diagnostics::{Code, Diagnostic, Severity};

/// The manual's page that documents every code, one table row each, the
/// code cell carrying the code as its id.
const CHECK_PAGE: &str = include_str!("../../source/manual/check-the-manual.html.md");

/// Where this repository's manual is published: the package's home page
/// (Cargo.toml), or empty while it is published nowhere, in which case the
/// log links nowhere rather than to a placeholder (every rule's full text is
/// in the log anyway).
const HOMEPAGE: &str = env!("CARGO_PKG_HOMEPAGE");

/// The check page's description of `code`: the last cell of its row,
/// as markdown.
pub fn documented(code: Code) -> Option<&'static str> {
    let start = format!("| <code id=\"{0}\">{0}</code> |", code.as_str());
    let row = CHECK_PAGE.lines().find(|line| line.starts_with(&start))?;
    let cells: Vec<&str> = row.trim_matches('|').split(" | ").collect();
    cells.last().map(|cell| cell.trim())
}

/// The address of `code`'s row on the published check page, if the manual
/// is published.
pub fn help_uri(code: Code) -> Option<String> {
    (!HOMEPAGE.is_empty()).then(|| {
        format!(
            "{}/manual/check-the-manual.html#{}",
            HOMEPAGE.trim_end_matches('/'),
            code.as_str()
        )
    })
}

/// The whole log for `findings` (named from the current folder, the
/// project's root).
pub fn log(findings: &[Diagnostic]) -> Value {
    let rules: Vec<Value> = Code::ALL.iter().map(|code| rule(*code)).collect();
    let results: Vec<Value> = findings.iter().map(result).collect();
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "manual",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    if !HOMEPAGE.is_empty() {
        run["tool"]["driver"]["informationUri"] = json!(HOMEPAGE);
    }
    if let Some(root) = root_uri() {
        run["originalUriBaseIds"] = json!({ "%SRCROOT%": { "uri": root } });
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    })
}

fn rule(code: Code) -> Value {
    let summary = code.summary();
    let full = documented(code).unwrap_or(summary);
    let mut rule = json!({
        "id": code.as_str(),
        "shortDescription": { "text": summary },
        "fullDescription": { "text": plain(full) },
        "help": { "text": plain(full), "markdown": full },
    });
    if let Some(uri) = help_uri(code) {
        rule["help"] = json!({
            "text": format!("{} See {uri}", plain(full)),
            "markdown": format!("{full}\n\n[What `{}` means and how to fix it]({uri})", code.as_str()),
        });
        rule["helpUri"] = json!(uri);
    }
    // SARIF wants a name only where it says more than the id.
    if code.as_str().contains('-') {
        rule["name"] = json!(rule_name(code));
    }
    rule
}

/// `link-broken` as `LinkBroken`: SARIF's rule names are identifiers.
fn rule_name(code: Code) -> String {
    code.as_str()
        .split('-')
        .map(|word| {
            let mut letters = word.chars();
            letters
                .next()
                .map(|first| first.to_uppercase().chain(letters).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// Markdown's inline code marks dropped, for plain-text readers.
fn plain(markdown: &str) -> String {
    markdown.replace('`', "")
}

fn result(finding: &Diagnostic) -> Value {
    let code = finding.code;
    let rule_index = Code::ALL
        .iter()
        .position(|c| *c == code)
        .expect("every code is in ALL");
    let message = match &finding.help {
        Some(help) => format!("{}\nhelp: {help}", finding.message),
        None => finding.message.clone(),
    };
    let mut physical = json!({
        "artifactLocation": {
            "uri": file_uri(&finding.file),
            "uriBaseId": "%SRCROOT%",
        }
    });
    if finding.line > 0 {
        let mut region = json!({ "startLine": finding.line });
        if finding.column > 0 {
            region["startColumn"] = json!(finding.column);
        }
        physical["region"] = region;
    }
    json!({
        "ruleId": code.as_str(),
        "ruleIndex": rule_index,
        "level": match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        "message": { "text": message },
        "locations": [{ "physicalLocation": physical }],
        "partialFingerprints": {
            "manualFinding/v1": finding.key(Path::new(".")).fingerprint(),
        },
    })
}

/// A path from the project root as a relative URI reference: each segment
/// percent-encoded (a space, `#` or `%` in a file name stays part of it).
fn file_uri(file: &Path) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    crate::diagnostics::project_path(file, Path::new("."))
        .split('/')
        .map(|segment| percent_encoding::utf8_percent_encode(segment, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// The project root as a `file:` URI ending in `/`, which SARIF requires of
/// a base.
fn root_uri() -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let mut uri = url::Url::from_directory_path(cwd).ok()?.to_string();
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Some(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_row_on_the_check_page() {
        let missing: Vec<&str> = Code::ALL
            .iter()
            .filter(|code| documented(**code).is_none())
            .map(|code| code.as_str())
            .collect();
        assert_eq!(missing, Vec::<&str>::new());
        assert!(
            documented(Code::LinkBroken)
                .unwrap()
                .contains("goes to a page")
        );
    }

    #[test]
    fn file_names_are_encoded_segment_by_segment() {
        assert_eq!(
            file_uri(Path::new("./source/a b#c.html.md")),
            "source/a%20b%23c.html.md"
        );
        assert_eq!(rule_name(Code::LinkFragmentMissing), "LinkFragmentMissing");
    }
}
