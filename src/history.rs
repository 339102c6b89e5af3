//! Git history: the newest commit that touched each page.
//!
//! One `git log` over the whole source folder, read as it streams and
//! stopped as soon as every page has its commit: a process per page would
//! cost thousands of process starts on a large manual. No crate is used
//! because the git command line is what every checkout already has, and
//! libgit2 bindings would add a C build for one query. Outside a git
//! checkout, or without git, pages simply have no date.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commit {
    /// Full commit hash.
    pub id: String,
    /// Committer date, `YYYY-MM-DD`.
    pub date: String,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct History {
    /// Newest commit per file, keyed by the path below the source folder.
    pub commits: HashMap<String, Commit>,
    /// The source folder's path inside the repository (`source/`), for
    /// links to the file on GitHub.
    pub prefix: String,
}

/// Where the source folder is in its repository (`source/`), for links to
/// a page's file: git's answer in a checkout (`prefix`); outside one, the
/// folder the settings' `github_repo` names (the gem's own documentation
/// writes one), then the source folder as given (`source` -> `source/`).
pub fn source_in_repository(
    prefix: Option<&str>,
    repository_folder: Option<&str>,
    source: &Path,
) -> String {
    if let Some(prefix) = prefix {
        return prefix.to_string();
    }
    let as_given = if source.is_absolute() {
        String::new()
    } else {
        source
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(part) => Some(format!("{}/", part.to_string_lossy())),
                _ => None,
            })
            .collect()
    };
    match repository_folder {
        Some(folder) => format!("{folder}/{as_given}"),
        None => as_given,
    }
}

/// Reads the history of `wanted` (paths below `source`). `None` outside a
/// git checkout or when git cannot be run.
pub fn read(source: &Path, wanted: &[&str]) -> Option<History> {
    let prefix = git(source, &["rev-parse", "--show-prefix"])?;
    let mut history = History {
        commits: HashMap::with_capacity(wanted.len()),
        prefix: prefix.trim_end_matches('\n').to_string(),
    };
    let mut missing: HashSet<&str> = wanted.iter().copied().collect();
    if missing.is_empty() {
        return Some(history);
    }
    // Records start with \x1e; the header line ends in NUL, and each file
    // name after it too (-z keeps unusual file names unquoted).
    let mut child = Command::new("git")
        .arg("-C")
        .arg(source)
        .args([
            "log",
            "--format=%x1e%H %cs",
            "--name-only",
            "--relative",
            "--no-renames",
            "-z",
            "--",
            ".",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let stdout = child.stdout.take()?;
    let mut reader = BufReader::new(stdout);
    let mut record = Vec::new();
    let mut current: Option<Commit> = None;
    while !missing.is_empty() {
        record.clear();
        match reader.read_until(0, &mut record) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let field = String::from_utf8_lossy(&record);
        let field = field.trim_end_matches('\0').trim_start_matches('\n');
        if let Some(header) = field.strip_prefix('\x1e') {
            let (id, date) = header.split_once(' ')?;
            current = Some(Commit {
                id: id.to_string(),
                date: date.to_string(),
            });
        } else if let Some(commit) = &current
            && missing.remove(field)
        {
            history.commits.insert(field.to_string(), commit.clone());
        }
    }
    // Every page has its date: the rest of the history is not needed.
    let _ = child.kill();
    let _ = child.wait();
    Some(history)
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dir: &Path, args: &[&str], date: &str) {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    #[test]
    fn newest_commit_per_file_relative_to_the_source_folder() {
        let repo = tempfile::tempdir().unwrap();
        let source = repo.path().join("source");
        std::fs::create_dir_all(source.join("manual")).unwrap();
        run(
            repo.path(),
            &["init", "-q", "-b", "main"],
            "2026-01-01T00:00:00Z",
        );
        std::fs::write(source.join("manual/a.html.md"), "a").unwrap();
        std::fs::write(source.join("manual/b c.html.md"), "b").unwrap();
        run(repo.path(), &["add", "."], "2026-01-01T00:00:00Z");
        run(
            repo.path(),
            &["commit", "-q", "-m", "one"],
            "2026-01-02T10:00:00Z",
        );
        std::fs::write(source.join("manual/a.html.md"), "a2").unwrap();
        run(
            repo.path(),
            &["commit", "-q", "-am", "two"],
            "2026-03-04T10:00:00Z",
        );

        let history = read(
            &source,
            &["manual/a.html.md", "manual/b c.html.md", "manual/new.md"],
        )
        .unwrap();
        assert_eq!(history.prefix, "source/");
        assert_eq!(history.commits["manual/a.html.md"].date, "2026-03-04");
        assert_eq!(history.commits["manual/b c.html.md"].date, "2026-01-02");
        assert_ne!(
            history.commits["manual/a.html.md"].id,
            history.commits["manual/b c.html.md"].id
        );
        assert_eq!(history.commits["manual/a.html.md"].id.len(), 40);
        assert!(!history.commits.contains_key("manual/new.md"));
    }

    #[test]
    fn outside_a_checkout_there_is_no_history() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path(), &["a.md"]), None);
    }
}
