//! Pull-request scope (`check --since REV`): the findings a change is
//! answerable for. That is every finding in a file the change touched, and
//! every finding elsewhere that the site at REV did not have: a page that
//! did not change but links to a heading the change renamed, or names a
//! parent the change deleted. The second part is computed, not guessed:
//! the project's inputs at REV are written to a temporary folder from git's
//! objects and checked as they were, and the two sets of findings compared.
//!
//! Git is run as a command, as in `history`: every checkout has it, and it
//! reads shallow clones and partial fetches exactly as the user's git does.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use super::Counts;
use crate::diagnostics::{Code, Diagnostic, project_path};
use crate::highlight::Highlighter;
use crate::pipeline::{self, CheckOptions};
use crate::project::Inputs;

/// What a change since a revision touched, and what the site had then.
#[derive(Debug)]
pub struct Scope {
    /// The revision compared with (the merge base with HEAD, when git can
    /// find one).
    pub base: String,
    /// Files changed, added or not yet committed, from the project root.
    pub changed: BTreeSet<String>,
    /// The findings of the site at `base`.
    pub before: Counts,
}

impl Scope {
    /// Whether the change answers for a finding that the site at the base
    /// revision did not have: always, except a link to another site in a
    /// file it did not touch (those were not requested at the base
    /// revision, which would double the requests, so they count only where
    /// the change is).
    pub fn answers_for(&self, finding: &Diagnostic) -> bool {
        !is_external(finding.code)
            || self
                .changed
                .contains(&project_path(&finding.file, Path::new(".")))
    }
}

fn is_external(code: Code) -> bool {
    matches!(
        code,
        Code::LinkExternalBroken | Code::LinkExternalUnreachable | Code::ExternalCache
    )
}

/// Compares the project (the current folder) with `revision`.
pub fn since(inputs: &Inputs, revision: &str) -> Result<Scope, Diagnostic> {
    let unavailable = |message: String, help: &str| {
        Diagnostic::error(Code::ScopeUnavailable, ".", message).with_help(help.to_string())
    };
    if revision.starts_with('-') {
        return Err(unavailable(
            format!("`{revision}` is not a revision"),
            "give a commit, branch or tag, such as origin/main",
        ));
    }
    git(&["rev-parse", "--is-inside-work-tree"]).map_err(|e| {
        unavailable(
            format!("--since needs a git checkout: {e}"),
            "run check in a clone of the manual's repository, with git installed",
        )
    })?;
    let commit = format!("{revision}^{{commit}}");
    let resolved = git(&["rev-parse", "--verify", "--quiet", &commit]).map_err(|_| {
        unavailable(
            format!("the revision `{revision}` is not in this clone"),
            &format!("fetch it first; in a shallow clone: git fetch --depth=1 origin {revision}"),
        )
    })?;
    let resolved = resolved.trim().to_string();
    // A pull request is answerable for what it changed since it branched:
    // the merge base, when history reaches it (a shallow clone may not;
    // then the revision itself, which CI sets to the base commit).
    let base = git(&["merge-base", &resolved, "HEAD"])
        .map(|out| out.trim().to_string())
        .unwrap_or(resolved);

    let mut changed = BTreeSet::new();
    let diff = git(&[
        "diff",
        "--name-only",
        "--no-renames",
        "--relative",
        "-z",
        &base,
        "--",
    ])
    .map_err(|e| {
        unavailable(
            format!("git cannot compare with `{revision}`: {e}"),
            "check the revision",
        )
    })?;
    let untracked = git(&["ls-files", "--others", "--exclude-standard", "-z"]).map_err(|e| {
        unavailable(
            format!("git cannot list new files: {e}"),
            "check the checkout",
        )
    })?;
    for name in diff.split('\0').chain(untracked.split('\0')) {
        if !name.is_empty() {
            changed.insert(name.to_string());
        }
    }

    let folder = tempfile::tempdir().map_err(|e| {
        unavailable(
            format!("cannot make a temporary folder for the site at `{revision}`: {e}"),
            "check that the temporary folder (TMPDIR) can be written",
        )
    })?;
    let before_inputs = inputs_at(inputs, folder.path()).map_err(|path| {
        unavailable(
            format!(
                "--since compares the project's files, and {} is outside the project",
                path.display()
            ),
            "run check from the folder that holds the source, layouts and settings",
        )
    })?;
    let wanted: Vec<PathBuf> = input_paths(inputs);
    write_tree(&base, &wanted, folder.path()).map_err(|e| {
        unavailable(
            format!("cannot read the files at `{revision}`: {e}"),
            "check the checkout",
        )
    })?;
    let (_, diagnostics) = pipeline::check(
        &before_inputs,
        CheckOptions::default(),
        &Highlighter::new(),
        crate::parse::Purpose::Check,
    );
    let findings = diagnostics.sorted();
    Ok(Scope {
        base,
        changed,
        before: super::count(&findings, folder.path()),
    })
}

/// The inputs of the project at the same places under `root`.
fn inputs_at(inputs: &Inputs, root: &Path) -> Result<Inputs, PathBuf> {
    let place = |path: &Path| -> Result<PathBuf, PathBuf> {
        if inside(path) {
            Ok(root.join(path))
        } else {
            Err(path.to_path_buf())
        }
    };
    Ok(Inputs {
        root: root.to_path_buf(),
        source: place(&inputs.source)?,
        layouts: inputs.layouts.as_deref().map(place).transpose()?,
        settings: inputs.settings.as_deref().map(place).transpose()?,
        today: inputs.today,
        // Rule files in the project are read as they were; a folder beside
        // it is the same for both checks.
        alerts: inputs
            .alerts
            .iter()
            .map(|path| place(path).unwrap_or_else(|_| path.clone()))
            .collect(),
        env: inputs.env.clone(),
    })
}

/// Everything that can change what `check` finds, from the project root.
fn input_paths(inputs: &Inputs) -> Vec<PathBuf> {
    let mut paths = vec![inputs.source.clone(), PathBuf::from("config.rb")];
    paths.extend(inputs.layouts.clone());
    paths.extend(inputs.settings_files());
    paths.retain(|p| inside(p));
    paths
}

/// A relative path that stays below the folder it starts from.
fn inside(path: &Path) -> bool {
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Writes the files under `paths` as they were at `revision` into
/// `folder`: regular files only (a symbolic link in history could point
/// anywhere), each at a path git lists below the project.
fn write_tree(revision: &str, paths: &[PathBuf], folder: &Path) -> std::io::Result<()> {
    let mut args: Vec<String> = ["ls-tree", "-r", "-z", revision, "--"]
        .map(String::from)
        .to_vec();
    args.extend(paths.iter().map(|p| p.to_string_lossy().into_owned()));
    let listing = git(&args.iter().map(String::as_str).collect::<Vec<_>>())?;
    let mut files = Vec::new();
    for record in listing.split('\0').filter(|r| !r.is_empty()) {
        // `<mode> <type> <object>\t<path>`
        let Some((meta, path)) = record.split_once('\t') else {
            continue;
        };
        let mut meta = meta.split(' ');
        let (Some(mode), Some("blob"), Some(object)) = (meta.next(), meta.next(), meta.next())
        else {
            continue;
        };
        let path = Path::new(path);
        if (mode == "100644" || mode == "100755") && inside(path) {
            files.push((object.to_string(), path.to_path_buf()));
        }
    }
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped");
    let objects: Vec<String> = files.iter().map(|(object, _)| object.clone()).collect();
    let feeder = std::thread::spawn(move || -> std::io::Result<()> {
        for object in objects {
            writeln!(stdin, "{object}")?;
        }
        Ok(())
    });
    let mut out = BufReader::new(child.stdout.take().expect("piped"));
    let place = crate::safe_write::Place::new(folder)?;
    for (_, target) in &files {
        let mut header = String::new();
        out.read_line(&mut header)?;
        // `<object> blob <size>`
        let size: u64 = header
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                std::io::Error::other(format!("git cat-file said `{}`", header.trim()))
            })?;
        // Streamed, and cut one byte past the largest file `load` reads:
        // the check at the revision then reports the file as too large, as
        // it would in a checkout, without a 1 GB page being written here.
        let mut file = place.create_new(target)?;
        let kept = size.min(crate::load::MAX_PAGE_BYTES + 1);
        std::io::copy(&mut (&mut out).take(kept), &mut file)?;
        std::io::copy(&mut (&mut out).take(size - kept), &mut std::io::sink())?;
        let mut newline = [0u8; 1];
        out.read_exact(&mut newline)?;
    }
    feeder
        .join()
        .map_err(|_| std::io::Error::other("git cat-file's input failed"))??;
    child.wait()?;
    Ok(())
}

/// Runs git in the current folder; its output, or what it said was wrong.
fn git(args: &[&str]) -> std::io::Result<String> {
    let output = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .output()?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        let said = String::from_utf8_lossy(&output.stderr);
        Err(std::io::Error::other(said.trim().to_string()))
    }
}
