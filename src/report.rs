//! Prints diagnostics for people, with the offending source line.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use crate::diagnostics::{Diagnostic, Diagnostics, Severity, display_path};

pub fn print_human(diagnostics: Diagnostics, out: &mut impl Write) -> std::io::Result<()> {
    let mut sources: HashMap<PathBuf, Option<String>> = HashMap::new();
    let sorted = diagnostics.sorted();
    for diagnostic in &sorted {
        let source = sources.entry(diagnostic.file.clone()).or_insert_with(|| {
            std::fs::read(&diagnostic.file)
                .ok()
                .and_then(|b| crate::load::decode(&b).ok())
        });
        let shown = Diagnostic {
            file: display_path(&diagnostic.file),
            ..diagnostic.clone()
        };
        writeln!(out, "{}", shown.render_human(source.as_deref()))?;
    }
    let errors = sorted
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = sorted.len() - errors;
    if !sorted.is_empty() {
        writeln!(out, "{errors} error(s), {warnings} warning(s)")?;
    }
    Ok(())
}
