//! The baseline: a committed JSON file of the findings a manual had when
//! `check` was switched on, so that CI fails only on new ones while the list
//! shrinks as pages are fixed (as ESLint's suppressions and PHPStan's
//! baselines work). Entries are matched by [`FindingKey`], so text added
//! above a finding does not bring it back; the fingerprint is a checksum of
//! the entry's file, code and message, which catches an entry edited by hand.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Counts;
use crate::diagnostics::{Code, Diagnostic, FindingKey};

const VERSION: u32 = 1;

/// The file as written: sorted, one entry per distinct finding.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    file: String,
    code: String,
    message: String,
    fingerprint: String,
    /// How many times the finding occurs in the file.
    count: usize,
}

/// A baseline that was read, with the path it came from.
#[derive(Debug)]
pub struct Baseline {
    pub path: PathBuf,
    pub counts: Counts,
}

/// Reads a baseline. Every problem with the file is an error naming it
/// (and its line and column, where the JSON says).
pub fn read(path: &Path) -> Result<Baseline, Diagnostic> {
    let invalid = |message: String| {
        Diagnostic::error(Code::BaselineInvalid, path, message).with_help(
            "write it again with `manual check --write-baseline FILE`, or fix the entry named",
        )
    };
    let text = crate::load::read_text(path, crate::load::MAX_PAGE_BYTES).map_err(|e| {
        Diagnostic::error(
            Code::BaselineInvalid,
            path,
            format!("cannot read the baseline: {e}"),
        )
        .with_help("write one with `manual check --write-baseline FILE`, or fix the path")
    })?;
    let mut json = serde_json::Deserializer::from_str(&text);
    let file: BaselineFile = serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let at = e.path().to_string();
        let inner = e.into_inner();
        let (line, column) = (inner.line(), inner.column());
        let place = if at == "." {
            String::new()
        } else {
            format!(" at `{at}`")
        };
        invalid(format!("not a baseline{place}: {inner}")).at(line, column)
    })?;
    if file.version != VERSION {
        return Err(invalid(format!(
            "baseline version {} is not one this manual reads (it reads {VERSION})",
            file.version
        )));
    }
    let mut counts = Counts::new();
    for (index, entry) in file.findings.into_iter().enumerate() {
        let key = FindingKey {
            file: entry.file,
            code: entry.code,
            subject: entry.message,
        };
        if key.fingerprint() != entry.fingerprint {
            return Err(invalid(format!(
                "finding {index}'s fingerprint does not match its file, code and message (was it edited?)"
            )));
        }
        if entry.count == 0 {
            return Err(invalid(format!("finding {index} has a count of 0")));
        }
        *counts.entry(key).or_default() += entry.count;
    }
    Ok(Baseline {
        path: path.to_path_buf(),
        counts,
    })
}

/// The file's text for these counts: sorted by file, code and message, so
/// that the same findings always give the same bytes.
pub fn render(counts: &Counts) -> String {
    let file = BaselineFile {
        version: VERSION,
        findings: counts
            .iter()
            .filter(|(_, count)| **count > 0)
            .map(|(key, count)| Entry {
                file: key.file.clone(),
                code: key.code.clone(),
                message: key.subject.clone(),
                fingerprint: key.fingerprint(),
                count: *count,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&file).expect("a baseline serializes");
    text.push('\n');
    text
}

/// Writes the baseline through the write door (a temporary file renamed
/// over it; never through a link, never over a project input in
/// `protected`). A file already there is replaced only if it is a
/// baseline: `--write-baseline` pointed at a page or a settings file by
/// mistake must not eat it.
pub fn write(path: &Path, counts: &Counts, protected: &[&Path]) -> std::io::Result<()> {
    let exists_with_text = std::fs::symlink_metadata(path).is_ok_and(|m| m.len() > 0);
    if exists_with_text && read(path).is_err() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "it exists and is not a baseline manual can read; name a new file, or delete this one first",
        ));
    }
    crate::safe_write::write_file(Path::new("."), path, protected, render(counts).as_bytes())
}

/// The baselined findings that no longer occur as often as recorded: each
/// key with how many of it were fixed.
pub fn fixed(baseline: &Counts, still_found: &Counts) -> Vec<(FindingKey, usize)> {
    baseline
        .iter()
        .filter_map(|(key, recorded)| {
            let now = still_found.get(key).copied().unwrap_or(0);
            (now < *recorded).then(|| (key.clone(), recorded - now))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(file: &str, subject: &str) -> FindingKey {
        FindingKey {
            file: file.into(),
            code: "link-broken".into(),
            subject: subject.into(),
        }
    }

    #[test]
    fn a_written_baseline_reads_back_as_the_same_counts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        let mut counts = Counts::new();
        counts.insert(key("b.md", "x"), 2);
        counts.insert(key("a.md", "y"), 1);
        write(&path, &counts, &[]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.find("a.md").unwrap() < text.find("b.md").unwrap());
        assert_eq!(read(&path).unwrap().counts, counts);
    }

    #[test]
    fn a_broken_baseline_is_an_error_naming_the_file_and_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        std::fs::write(
            &path,
            "{\n  \"version\": 1,\n  \"findings\": [\n    {\"file\": 3}\n  ]\n}\n",
        )
        .unwrap();
        let error = read(&path).unwrap_err();
        assert_eq!(error.code, Code::BaselineInvalid);
        assert_eq!(error.file, path);
        assert_eq!(error.line, 4);
        assert!(
            error.message.contains("findings[0].file"),
            "{}",
            error.message
        );

        let mut counts = Counts::new();
        counts.insert(key("a.md", "y"), 1);
        let edited = render(&counts).replace("\"y\"", "\"z\"");
        std::fs::write(&path, edited).unwrap();
        assert!(read(&path).unwrap_err().message.contains("fingerprint"));

        let missing = read(&dir.path().join("nope.json")).unwrap_err();
        assert!(missing.message.contains("cannot read"));
    }

    #[test]
    fn fixed_counts_what_is_gone() {
        let mut baseline = Counts::new();
        baseline.insert(key("a.md", "x"), 3);
        baseline.insert(key("a.md", "y"), 1);
        let mut now = Counts::new();
        now.insert(key("a.md", "x"), 1);
        assert_eq!(
            fixed(&baseline, &now),
            vec![(key("a.md", "x"), 2), (key("a.md", "y"), 1)]
        );
    }
}
