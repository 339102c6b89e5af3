//! Reading the alert rule files `alert_rules:` and `--alerts` name: files,
//! folders (every `.yml` and `.yaml` below) and globs (`rules/*.yaml`,
//! `charts/**/alerts.yaml`). Through the same door as pages: a file must be
//! regular and at most `MAX_SETTINGS_BYTES`, symbolic links are not followed
//! out of the folder named, and a path from the settings (which any pull
//! request can change) must be inside the project. `--alerts`, typed by
//! whoever runs `manual`, may name a folder beside the project (another
//! repository checked out next to it).

use std::path::{Path, PathBuf};

use globset::GlobBuilder;
use walkdir::WalkDir;

use super::{MAX_SETTINGS_BYTES, read_text};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};

/// At most this many rule files are read in one run.
pub const MAX_ALERT_FILES: usize = 10_000;

/// One place alert rules are named.
#[derive(Debug, Clone)]
pub struct Named {
    /// As written: a file, a folder or a glob, relative to the project.
    pub path: String,
    /// Where it was written, for a problem with it: the settings file and
    /// the line of the entry; `None` for `--alerts`.
    pub written_at: Option<(PathBuf, usize, usize)>,
}

impl Named {
    fn problem(&self, message: String, help: &str) -> Diagnostic {
        let diagnostic = match &self.written_at {
            Some((file, _, _)) => Diagnostic::error(Code::AlertRulesInvalid, file, message),
            None => Diagnostic::error(Code::AlertRulesInvalid, "--alerts", message),
        };
        let diagnostic = match &self.written_at {
            Some((_, line, column)) => diagnostic.at(*line, *column),
            None => diagnostic,
        };
        diagnostic.with_help(help)
    }

    /// Whether the path came from the settings, which must stay inside the
    /// project.
    fn is_from_settings(&self) -> bool {
        self.written_at.is_some()
    }
}

fn has_glob(text: &str) -> bool {
    text.contains(['*', '?', '[', '{'])
}

fn is_rule_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

/// Every place alert rules are named: the settings' `alert_rules` (written
/// in `settings_file`, each at the line `position` gives for its index),
/// then `--alerts`.
pub fn named(
    from_settings: &[String],
    settings_file: &Path,
    position: impl Fn(usize) -> (usize, usize),
    from_command_line: &[PathBuf],
) -> Vec<Named> {
    from_settings
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let (line, column) = position(i);
            Named {
                path: path.clone(),
                written_at: Some((settings_file.to_path_buf(), line, column)),
            }
        })
        .chain(from_command_line.iter().map(|path| Named {
            path: path.display().to_string(),
            written_at: None,
        }))
        .collect()
}

/// The files each named path stands for, read: (path, text), in a fixed
/// order, each file once.
pub fn read(named: &[Named], project_root: &Path) -> (Vec<(PathBuf, String)>, Diagnostics) {
    let mut problems = Diagnostics::new();
    let mut files: Vec<(PathBuf, PathBuf)> = Vec::new();
    let project = project_root.canonicalize().ok();
    for entry in named {
        let (base, glob) = split_glob(&entry.path);
        let base_path = if base.is_empty() {
            PathBuf::from(".")
        } else {
            PathBuf::from(base)
        };
        // The settings' paths are the project's; `--alerts` paths are as
        // typed, from where `manual` runs.
        let base_path = if !entry.is_from_settings()
            || project_root == Path::new(".")
            || base_path.is_absolute()
        {
            base_path
        } else {
            project_root.join(base_path)
        };
        let Ok(real_base) = base_path.canonicalize() else {
            problems.push(entry.problem(
                format!("alert rules `{}` not found", entry.path),
                "name a rule file, a folder of them or a glob that exists",
            ));
            continue;
        };
        // The folder the files must stay in: the project for a path from
        // the settings, else the folder named.
        let fence = if entry.is_from_settings() {
            match &project {
                Some(project) if real_base.starts_with(project) => project.clone(),
                _ => {
                    problems.push(entry.problem(
                        format!("alert rules `{}` are outside the project", entry.path),
                        "the settings may name rule files inside the project only; name a folder beside it with `--alerts PATH` where manual is run",
                    ));
                    continue;
                }
            }
        } else if real_base.is_dir() {
            real_base.clone()
        } else {
            real_base
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        };
        let matcher = match glob {
            Some(glob) => match GlobBuilder::new(&glob).literal_separator(true).build() {
                Ok(glob) => Some(glob.compile_matcher()),
                Err(error) => {
                    problems.push(entry.problem(
                        format!("`{}` is not a glob that can be read: {error}", entry.path),
                        "write a glob such as `rules/*.yaml` or `charts/**/alerts.yaml`",
                    ));
                    continue;
                }
            },
            None => None,
        };
        let before = files.len();
        if real_base.is_file() && matcher.is_none() {
            files.push((base_path.clone(), real_base.clone()));
        } else if real_base.is_dir() {
            for item in WalkDir::new(&base_path)
                .follow_links(false)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
            {
                if item.file_type().is_dir() {
                    continue;
                }
                let path = item.path();
                let wanted = match &matcher {
                    Some(matcher) => path
                        .strip_prefix(&base_path)
                        .is_ok_and(|relative| matcher.is_match(relative)),
                    None => is_rule_file(path),
                };
                if !wanted {
                    continue;
                }
                match path.canonicalize() {
                    Ok(real) if real.starts_with(&fence) => files.push((path.to_path_buf(), real)),
                    _ => problems.push(
                        Diagnostic::error(
                            Code::AlertRulesInvalid,
                            path,
                            "this rule file is a symbolic link out of the folder named, or cannot be reached",
                        )
                        .with_help("keep rule files in the folder named; copy the file in rather than linking to it"),
                    ),
                }
                if files.len() > MAX_ALERT_FILES {
                    break;
                }
            }
        } else if !entry.is_from_settings() || real_base.starts_with(&fence) {
            files.push((base_path.clone(), real_base.clone()));
        }
        if files.len() == before {
            problems.push(entry.problem(
                format!(
                    "alert rules `{}` name no `.yml` or `.yaml` file",
                    entry.path
                ),
                "name a rule file, a folder of them or a glob that matches some",
            ));
        }
        if files.len() > MAX_ALERT_FILES {
            problems.push(entry.problem(
                format!("more than {MAX_ALERT_FILES} alert rule files are named"),
                "name the folders that hold alert rules, not a whole disk",
            ));
            files.truncate(MAX_ALERT_FILES);
            break;
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut read = Vec::new();
    for (path, real) in files {
        if !seen.insert(real) {
            continue;
        }
        match read_text(&path, MAX_SETTINGS_BYTES) {
            Ok(text) => read.push((path, text)),
            Err(error) => problems.push(
                Diagnostic::error(
                    Code::AlertRulesInvalid,
                    &path,
                    format!("this alert rule file cannot be read: it is {error}"),
                )
                .with_help("name regular YAML files of at most 4 MiB"),
            ),
        }
    }
    (read, problems)
}

/// `rules/*.yaml` as (`rules`, `*.yaml`): the folder to walk and the glob
/// its paths are matched against (relative to that folder).
fn split_glob(path: &str) -> (String, Option<String>) {
    if !has_glob(path) {
        return (path.to_string(), None);
    }
    let parts: Vec<&str> = path.split('/').collect();
    let first_glob = parts
        .iter()
        .position(|p| has_glob(p))
        .unwrap_or(parts.len());
    (
        parts[..first_glob].join("/"),
        Some(parts[first_glob..].join("/")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(path: &str, from_settings: bool) -> Named {
        Named {
            path: path.to_string(),
            written_at: from_settings.then(|| (PathBuf::from("site.yml"), 3, 5)),
        }
    }

    #[test]
    fn files_folders_and_globs_are_read_and_the_settings_stay_inside() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.yaml"), "groups: []\n").unwrap();
        let project = tempfile::tempdir().unwrap();
        let root = project.path();
        std::fs::create_dir_all(root.join("rules/deep")).unwrap();
        std::fs::write(root.join("rules/a.yaml"), "groups: []\n").unwrap();
        std::fs::write(root.join("rules/deep/b.yml"), "groups: []\n").unwrap();
        std::fs::write(root.join("rules/notes.txt"), "no").unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.yaml"),
            root.join("rules/link.yaml"),
        )
        .unwrap();
        let names = |found: &[(PathBuf, String)]| -> Vec<String> {
            found
                .iter()
                .map(|(p, _)| p.strip_prefix(root).unwrap().display().to_string())
                .collect()
        };
        let (found, problems) = read(&[named("rules", true)], root);
        assert_eq!(names(&found), ["rules/a.yaml", "rules/deep/b.yml"]);
        let problems: Vec<_> = problems.into_iter().collect();
        assert_eq!(problems.len(), 1, "the link out is refused: {problems:?}");
        let (found, _) = read(&[named("rules/*.yaml", true)], root);
        assert_eq!(names(&found), ["rules/a.yaml"]);
        let (found, _) = read(&[named("rules/**/*.yml", true)], root);
        assert_eq!(names(&found), ["rules/deep/b.yml"]);
        // The settings may not reach out of the project; `--alerts` may.
        let far = outside.path().join("secret.yaml").display().to_string();
        let (found, problems) = read(&[named(&far, true)], root);
        assert!(found.is_empty());
        assert_eq!(problems.into_iter().next().unwrap().line, 3);
        let (found, _) = read(&[named("../", true)], root);
        assert!(found.is_empty());
        let (found, problems) = read(&[named(&far, false)], root);
        assert_eq!(found.len(), 1, "{problems:?}");
    }

    #[test]
    fn a_fifo_is_an_error_not_a_hang() {
        let project = tempfile::tempdir().unwrap();
        let fifo = project.path().join("rules.yaml");
        let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid, NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
        let (found, problems) = read(&[named("rules.yaml", true)], project.path());
        assert!(found.is_empty());
        let problems: Vec<_> = problems.into_iter().collect();
        assert!(
            problems[0].message.contains("not a regular file"),
            "{problems:?}"
        );
    }
}
