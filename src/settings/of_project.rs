//! The settings of a project: which files hold them (`project::Inputs`),
//! read whole, with what a project's layout of them can get wrong.

use std::path::Path;

use super::{Files, Settings, load_files};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::project::Inputs;

/// Reads the project's settings files: the settings (`None` when an error
/// stops the site being read at all) and every problem found.
pub fn for_project(inputs: &Inputs) -> (Option<Settings>, Diagnostics) {
    let mut found = Diagnostics::new();
    let settings_path = inputs.settings_path();
    let tech_docs_path = inputs.tech_docs_path();
    if inputs.settings.is_none() {
        found.extend(unread_settings_file(inputs));
    }
    // A settings file that is a link (a pull request can commit one) must
    // lead to a file in the project: it is read, and its lines quoted.
    for path in std::iter::once(&settings_path).chain(&tech_docs_path) {
        if let Some(problem) = link_out_of_project(path, &inputs.root) {
            found.push(problem);
            return (None, found);
        }
    }
    let loaded = load_files(Files {
        ours: &settings_path,
        ours_required: inputs.settings.is_some()
            && tech_docs_path.as_deref() != inputs.settings.as_deref(),
        tech_docs: tech_docs_path.as_deref(),
        project_root: &inputs.root,
        env: &inputs.env,
    });
    let settings = found.keep_ok(loaded).map(|loaded| found.keep(loaded));
    (settings, found)
}

/// `init` writes `site.yml` at the root; a guide followed from memory can
/// add `source/site.yml` too, which would then be silently unread.
fn unread_settings_file(inputs: &Inputs) -> Option<Diagnostic> {
    let [root, source] = inputs.settings_candidates();
    (root.is_file() && source.is_file()).then(|| {
        Diagnostic::warning(
            Code::SettingsUnused,
            &source,
            format!(
                "this settings file is not read: the settings are in {}",
                root.display()
            ),
        )
        .with_help(format!(
            "move its keys into {} and delete it (it is never published)",
            root.display()
        ))
    })
}

/// An error when `path` is a symbolic link that resolves outside `root`.
fn link_out_of_project(path: &Path, root: &Path) -> Option<Diagnostic> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return None;
    }
    let inside = match (path.canonicalize(), root.canonicalize()) {
        (Ok(target), Ok(root)) => target.starts_with(root),
        _ => false,
    };
    (!inside).then(|| {
        Diagnostic::error(
            Code::SourceLinkOutside,
            path,
            "the settings file is a symbolic link to a file outside the project",
        )
        .with_help("put the settings in the project, or pass --config with the file")
    })
}
