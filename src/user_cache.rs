//! The user's own cache folder, outside every project: where `seal` keeps
//! the user's key, and where a project that keeps no cache folder of its
//! own has its highlighted code and build records kept.

use std::path::{Path, PathBuf};

/// `$XDG_CACHE_HOME/manual`, or `~/.cache/manual`; `None` when neither
/// is set to an absolute path.
pub fn folder() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|home| home.join(".cache"))
        })?;
    Some(base.join("manual"))
}

/// The cache of the project at `root` in the user's cache folder: one
/// folder per project folder, named by the project folder's name (for
/// people) and a hash of its full path (so two checkouts named alike stay
/// apart).
pub fn for_project(root: &Path) -> Option<PathBuf> {
    let full = std::fs::canonicalize(root).ok()?;
    let name: String = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    let hash = blake3::hash(full.as_os_str().as_encoded_bytes()).to_hex();
    Some(
        folder()?
            .join("projects")
            .join(format!("{name}-{}", &hash.as_str()[..16])),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projects_named_alike_in_different_places_have_different_caches() {
        let one = tempfile::tempdir().unwrap();
        let two = tempfile::tempdir().unwrap();
        for dir in [&one, &two] {
            std::fs::create_dir(dir.path().join("docs")).unwrap();
        }
        if folder().is_none() {
            return;
        }
        let a = for_project(&one.path().join("docs")).unwrap();
        let b = for_project(&two.path().join("docs")).unwrap();
        assert_ne!(a, b);
        assert!(
            a.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("docs-")
        );
        assert!(a.starts_with(folder().unwrap().join("projects")));
        // The same folder however it is spelled.
        let spelled = one.path().join("docs/../docs");
        assert_eq!(for_project(&spelled).unwrap(), a);
    }
}
