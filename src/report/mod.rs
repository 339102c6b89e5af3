//! Prints diagnostics: for people (with the source line and a caret), as
//! JSON lines for tools, as GitHub workflow commands for pull requests, or
//! as a SARIF log for code scanning.

pub mod sarif;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;

use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex, Severity, display_path};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: each problem with its line of source and a caret.
    Human,
    /// One JSON object per line: severity, code, file, line, column,
    /// message, help.
    Json,
    /// GitHub Actions workflow commands, shown on the pull request.
    Github,
    /// One SARIF 2.1.0 log, for GitHub code scanning and other tools.
    Sarif,
}

pub fn print(
    diagnostics: Diagnostics,
    format: Format,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let sorted: Vec<Diagnostic> = diagnostics
        .sorted()
        .into_iter()
        .map(|d| Diagnostic {
            file: display_path(&d.file),
            ..d
        })
        .collect();
    match format {
        Format::Human => print_human(&sorted, out),
        Format::Json => sorted.iter().try_for_each(|d| {
            writeln!(
                out,
                "{}",
                serde_json::to_string(d).expect("diagnostics serialize")
            )
        }),
        Format::Github => sorted
            .iter()
            .try_for_each(|d| writeln!(out, "{}", github_command(d))),
        Format::Sarif => {
            let log = serde_json::to_string_pretty(&sarif::log(&sorted)).expect("SARIF serializes");
            writeln!(out, "{log}")
        }
    }
}

fn print_human(sorted: &[Diagnostic], out: &mut impl Write) -> std::io::Result<()> {
    // `-q`: errors only, and no counts.
    let quiet = crate::console::verbosity() == crate::console::Verbosity::Quiet;
    // Each file is read and its lines indexed once, however many
    // diagnostics it has.
    let mut sources: HashMap<PathBuf, Option<(String, LineIndex)>> = HashMap::new();
    for diagnostic in sorted.iter().filter(|d| !quiet || d.is_error()) {
        // Only a diagnostic with a line shows one: no other file is read.
        if diagnostic.line == 0 {
            writeln!(out, "{}", render_human(diagnostic, None))?;
            continue;
        }
        let source = sources.entry(diagnostic.file.clone()).or_insert_with(|| {
            crate::load::read_text(&diagnostic.file, crate::load::MAX_PAGE_BYTES)
                .ok()
                .map(|text| {
                    let index = LineIndex::new(&text);
                    (text, index)
                })
        });
        let line = source
            .as_ref()
            .and_then(|(text, index)| index.line(text, diagnostic.line));
        writeln!(out, "{}", render_human(diagnostic, line))?;
    }
    if sorted.is_empty() || quiet {
        return Ok(());
    }
    let mut by_code: BTreeMap<(&str, Severity), usize> = BTreeMap::new();
    for d in sorted {
        *by_code.entry((d.code.as_str(), d.severity)).or_default() += 1;
    }
    for ((code, severity), count) in by_code {
        writeln!(out, "{count:>5} {severity}[{code}]")?;
    }
    let errors = sorted.iter().filter(|d| d.is_error()).count();
    writeln!(
        out,
        "{errors} error(s), {} warning(s)",
        sorted.len() - errors
    )
}

/// One diagnostic for people: `path:line:col: severity[code]: message` (the
/// form editors and CI logs link), then the line of source with a caret
/// under the column, placed by display width so that it lands right under
/// wide characters and tabs, then the help. Drawn by annotate-snippets; the
/// colours are dropped where the terminal or the settings do not want them.
pub fn render_human(d: &Diagnostic, line_text: Option<&str>) -> String {
    use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
    let location = match (d.line, d.column) {
        (0, _) => d.file.display().to_string(),
        (line, 0) => format!("{}:{line}", d.file.display()),
        (line, col) => format!("{}:{line}:{col}", d.file.display()),
    };
    let (level, colour) = match d.severity {
        Severity::Error => (Level::ERROR, anstyle::AnsiColor::Red),
        Severity::Warning => (Level::WARNING, anstyle::AnsiColor::Yellow),
    };
    let bold = anstyle::Style::new().bold();
    let tint = bold.fg_color(Some(colour.into()));
    let mut shown = format!(
        "{bold}{location}:{bold:#} {tint}{}[{}]{tint:#}: {bold}{}{bold:#}",
        d.severity, d.code, d.message
    );
    let snippet = line_text.filter(|_| d.line > 0).map(|line| {
        // The column counts characters; the span is a byte range.
        let start = line
            .char_indices()
            .nth(d.column.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i);
        let end = line[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
        Snippet::source(line)
            .line_start(d.line)
            .annotation(AnnotationKind::Primary.span(start..end))
    });
    let help = d.help.as_deref().map(|help| Level::HELP.message(help));
    if snippet.is_some() || help.is_some() {
        let group = Group::with_level(level).elements(snippet).elements(help);
        shown.push('\n');
        shown.push_str(&Renderer::styled().render(&[group]));
    }
    shown
}

/// `::error file=F,line=L,col=C,title=CODE::message`, escaped as GitHub's
/// workflow command syntax requires.
fn github_command(d: &Diagnostic) -> String {
    let property = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
            .replace(':', "%3A")
            .replace(',', "%2C")
    };
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let mut location = format!("file={}", property(&d.file.to_string_lossy()));
    if d.line > 0 {
        location.push_str(&format!(",line={}", d.line));
    }
    if d.column > 0 {
        location.push_str(&format!(",col={}", d.column));
    }
    let message = match &d.help {
        Some(help) => format!("{}\n{help}", d.message),
        None => d.message.clone(),
    };
    format!(
        "::{} {location},title={}::{}",
        d.severity,
        property(d.code.as_str()),
        data(&message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;

    #[test]
    fn the_caret_lands_under_the_column_even_after_wide_characters() {
        let d = Diagnostic::error(Code::LinkBroken, "a.md", "bad thing")
            .at(2, 9)
            .with_help("do better");
        let shown =
            anstream::adapter::strip_str(&render_human(&d, Some("| 日本語 | [x](y)"))).to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines[0], "a.md:2:9: error[link-broken]: bad thing");
        let source = lines.iter().find(|l| l.starts_with("2 |")).unwrap();
        let caret = lines.iter().find(|l| l.trim_end().ends_with('^')).unwrap();
        // Three wide characters take six columns: `[` is at display column 12.
        let width = |s: &str| {
            s.chars()
                .map(|c| {
                    if ('\u{3000}'..'\u{9fff}').contains(&c) {
                        2
                    } else {
                        1
                    }
                })
                .sum::<usize>()
        };
        let caret_at = width(caret.trim_end()) - 1;
        let bracket_at = width(&source[..source.find('[').unwrap()]);
        assert_eq!(caret_at, bracket_at, "{shown}");
        assert!(shown.contains("help: do better"), "{shown}");
    }

    #[test]
    fn github_commands_escape_their_parts() {
        let d = Diagnostic::error(Code::LinkBroken, "a,b.md", "50% broken: x")
            .at(3, 4)
            .with_help("fix\nit");
        assert_eq!(
            github_command(&d),
            "::error file=a%2Cb.md,line=3,col=4,title=link-broken::50%25 broken: x%0Afix%0Ait"
        );
    }
}
