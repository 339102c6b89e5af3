//! Prints diagnostics: for people (with the source line and a caret), as
//! JSON lines for tools, or as GitHub workflow commands for pull requests.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;

use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex, Severity, display_path};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
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
    }
}

fn print_human(sorted: &[Diagnostic], out: &mut impl Write) -> std::io::Result<()> {
    // Each file is read and its lines indexed once, however many
    // diagnostics it has.
    let mut sources: HashMap<PathBuf, Option<(String, LineIndex)>> = HashMap::new();
    for diagnostic in sorted {
        // Only a diagnostic with a line shows one: no other file is read.
        if diagnostic.line == 0 {
            writeln!(out, "{}", diagnostic.render_human(None))?;
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
        writeln!(out, "{}", diagnostic.render_human(line))?;
    }
    if sorted.is_empty() {
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
