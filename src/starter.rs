//! `manual init`: a new manual that builds, checks and serves with no
//! problem at all. The files are the repository's `starter/` folder,
//! compiled in: a settings file with every key, a first page with every
//! front matter key, and a `.gitignore` for the output.

use std::path::{Path, PathBuf};

/// (path in the new manual, contents). `{{today}}` in a page becomes the
/// day `init` runs, so its review date starts current.
const FILES: &[(&str, &str)] = &[
    ("site.yml", include_str!("../starter/site.yml")),
    (
        "source/manual/first-page.html.md",
        include_str!("../starter/source/manual/first-page.html.md"),
    ),
    (".gitignore", include_str!("../starter/gitignore")),
];

#[derive(Debug)]
pub enum InitError {
    /// These files exist, and `--force` was not given: nothing was written.
    Exists(Vec<PathBuf>),
    Io(PathBuf, std::io::Error),
}

/// Writes the new manual into `dir`; `today` is `YYYY-MM-DD`. Returns the
/// files written.
pub fn write(dir: &Path, today: &str, force: bool) -> Result<Vec<PathBuf>, InitError> {
    let paths: Vec<PathBuf> = FILES.iter().map(|(name, _)| dir.join(name)).collect();
    let existing: Vec<PathBuf> = paths
        .iter()
        .filter(|p| std::fs::symlink_metadata(p).is_ok())
        .cloned()
        .collect();
    if !existing.is_empty() && !force {
        return Err(InitError::Exists(existing));
    }
    // Through the write door: `--force` replaces the starter's files, never
    // what a symbolic link in the folder points at.
    let place = crate::safe_write::Place::new(dir).map_err(|e| InitError::Io(dir.into(), e))?;
    for ((name, contents), path) in FILES.iter().zip(&paths) {
        place
            .write(
                Path::new(name),
                contents.replace("{{today}}", today).as_bytes(),
            )
            .map_err(|e| InitError::Io(path.clone(), e))?;
    }
    Ok(paths)
}
