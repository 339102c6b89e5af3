//! The one door for every file `manual` writes or deletes outside its
//! output folder: the external-links cache, baselines, `init`, `theme
//! export`, the `--since` checkout and the highlight cache folder. (The
//! output folder has its own door, `write`, which only an `OutputPath`
//! opens.)
//!
//! A pull request can commit symbolic links and name files in the
//! settings, so every write here:
//! - stays inside a folder the command may write in (`Place`), compared by
//!   real path, so a committed link to a folder elsewhere (`h -> ~`) is
//!   refused rather than followed;
//! - never writes through a link, and never replaces anything but a regular
//!   file (a device node or a FIFO is refused);
//! - refuses the project's inputs (pages, layouts, settings), which the
//!   caller names;
//! - goes through a new temporary file renamed over the target, so a crash
//!   never leaves half a file.
//!
//! Deleting is allowed only inside a folder that carries `manual`'s mark
//! (`CACHEDIR.TAG` with the line below), so a cache folder pointed at a
//! folder of the user's never deletes what `manual` did not make.

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// The cache-folder mark (<https://bford.info/cachedir/>), with a line that
/// says `manual` made it: only a folder with both is ever pruned.
pub const CACHE_TAG: &str = "CACHEDIR.TAG";
pub const CACHE_TAG_TEXT: &str = "Signature: 8a477f597d28d172789f06886806bc55\n# This folder is a cache made by manual (https://bford.info/cachedir/).\n";
const CACHE_TAG_OWNER: &str = "made by manual";

fn refused(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, message)
}

/// A folder the command may write in, by its real path.
#[derive(Debug, Clone)]
pub struct Place {
    real: PathBuf,
    /// Real paths of files and folders never written or replaced: the
    /// project's inputs.
    protected: Vec<PathBuf>,
}

impl Place {
    /// The folder `folder`, made (with its missing parents) when it does
    /// not exist. `folder` itself may be reached through links the user
    /// typed; everything below it is checked.
    pub fn new(folder: &Path) -> io::Result<Place> {
        if !folder.exists() {
            fs::create_dir_all(folder)?;
        }
        let real = fs::canonicalize(folder)?;
        if !real.is_dir() {
            return Err(refused(format!("{} is not a folder", folder.display())));
        }
        Ok(Place {
            real,
            protected: Vec::new(),
        })
    }

    /// Refuses to write `paths` or anything inside them (missing ones are
    /// skipped: nothing can be inside them yet).
    pub fn protecting<'a>(mut self, paths: impl IntoIterator<Item = &'a Path>) -> Place {
        self.protected
            .extend(paths.into_iter().filter_map(|p| fs::canonicalize(p).ok()));
        self
    }

    pub fn real_path(&self) -> &Path {
        &self.real
    }

    /// The path `relative` names below the place: only plain names, each
    /// folder on the way a real folder (made when missing), never a link.
    /// Returns the real path of the folder that holds the file, and the
    /// file's name.
    fn folder_of(&self, relative: &Path) -> io::Result<(PathBuf, std::ffi::OsString)> {
        let mut names = Vec::new();
        for component in relative.components() {
            match component {
                Component::Normal(name) => names.push(name.to_os_string()),
                Component::CurDir => {}
                _ => {
                    return Err(refused(format!(
                        "{} leaves {}",
                        relative.display(),
                        self.real.display()
                    )));
                }
            }
        }
        let Some(file) = names.pop() else {
            return Err(refused("no file name".into()));
        };
        let mut folder = self.real.clone();
        for name in names {
            folder.push(name);
            match fs::symlink_metadata(&folder) {
                Ok(m) if m.is_dir() => {}
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(refused(format!(
                        "{} is a symbolic link; manual does not write through links",
                        folder.display()
                    )));
                }
                Ok(_) => {
                    return Err(refused(format!("{} is not a folder", folder.display())));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir(&folder)?,
                Err(e) => return Err(e),
            }
        }
        // Each step was a real folder, so this is the lexical path; the
        // comparison also catches a folder swapped for a link meanwhile.
        if fs::canonicalize(&folder)? != folder {
            return Err(refused(format!(
                "{} is reached through a symbolic link",
                folder.display()
            )));
        }
        Ok((folder, file))
    }

    /// The checked path of `relative` below the place, for a file about
    /// to be written: see `write`. The folders on the way are made.
    pub fn target(&self, relative: &Path) -> io::Result<PathBuf> {
        let (folder, name) = self.folder_of(relative)?;
        let target = folder.join(&name);
        match fs::symlink_metadata(&target) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(refused(format!(
                    "{} is a symbolic link; manual does not write through links",
                    target.display()
                )));
            }
            Ok(m) if !m.is_file() => {
                return Err(refused(format!(
                    "{} is not a regular file",
                    target.display()
                )));
            }
            _ => {}
        }
        if let Some(input) = self
            .protected
            .iter()
            .find(|p| target == **p || target.starts_with(p))
        {
            return Err(refused(format!(
                "{} is one of the project's inputs ({}); manual does not overwrite them",
                target.display(),
                input.display()
            )));
        }
        Ok(target)
    }

    /// Writes `bytes` to `relative` below the place, through a new
    /// temporary file renamed over it. Returns the path written.
    pub fn write(&self, relative: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
        let target = self.target(relative)?;
        let folder = target.parent().expect("a file in a folder");
        let mut temporary = tempfile::NamedTempFile::new_in(folder)?;
        temporary.write_all(bytes)?;
        temporary.persist(&target).map_err(|e| e.error)?;
        Ok(target)
    }

    /// Creates the new file `relative`, refusing one that exists, for a
    /// file streamed rather than held.
    pub fn create_new(&self, relative: &Path) -> io::Result<fs::File> {
        use std::os::unix::fs::OpenOptionsExt;
        let target = self.target(relative)?;
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(target)
    }
}

/// Writes `bytes` to `path` as `Place` writes: `path` relative to `root`
/// when it is relative (so every folder on the way below the root is
/// checked), else in the folder the user named. `protected` are the
/// project's inputs.
pub fn write_file(root: &Path, path: &Path, protected: &[&Path], bytes: &[u8]) -> io::Result<()> {
    let (place, relative) = split(root, path)?;
    place
        .protecting(protected.iter().copied())
        .write(&relative, bytes)
        .map(drop)
}

/// The place and the relative path of `path`, as `write_file` reads it.
pub fn split(root: &Path, path: &Path) -> io::Result<(Place, PathBuf)> {
    if path.is_absolute() {
        let name = path
            .file_name()
            .ok_or_else(|| refused(format!("{} names no file", path.display())))?;
        let folder = path.parent().unwrap_or(Path::new("/"));
        Ok((Place::new(folder)?, PathBuf::from(name)))
    } else {
        Ok((Place::new(root)?, path.to_path_buf()))
    }
}

/// Whether `folder` carries `manual`'s cache mark.
pub fn is_marked(folder: &Path) -> bool {
    let tag = folder.join(CACHE_TAG);
    fs::symlink_metadata(&tag).is_ok_and(|m| m.is_file() && m.len() < 4096)
        && fs::read_to_string(&tag).is_ok_and(|t| t.contains(CACHE_TAG_OWNER))
}

/// Makes `folder` a cache folder `manual` may delete in: a new or empty
/// folder gets the mark (and a `.gitignore`); a folder with other things in
/// it and no mark is refused, since it is somebody else's.
pub fn claim_cache_folder(folder: &Path) -> io::Result<()> {
    match fs::symlink_metadata(folder) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(refused(
                "it is not a folder (or is a symbolic link)".to_string(),
            ));
        }
        Err(_) => {
            fs::create_dir_all(folder)?;
            if !fs::symlink_metadata(folder)?.is_dir() {
                return Err(refused("it is not a folder".to_string()));
            }
        }
    }
    if is_marked(folder) {
        return Ok(());
    }
    if fs::read_dir(folder)?.next().is_some() {
        return Err(refused(format!(
            "it holds files manual did not make (no {CACHE_TAG} of manual's); point --cache-dir at a new or empty folder"
        )));
    }
    let place = Place::new(folder)?;
    place.write(Path::new(CACHE_TAG), CACHE_TAG_TEXT.as_bytes())?;
    place.write(
        Path::new(".gitignore"),
        b"# Made by manual: a cache, never committed.\n*\n",
    )?;
    Ok(())
}

/// Deletes `path`, a folder or file below `folder`, only if `folder`
/// carries `manual`'s mark and no folder on the way (nor `path`) is a link.
pub fn remove_in_cache(folder: &Path, path: &Path) -> io::Result<()> {
    let not_ours = || {
        refused(format!(
            "{} is not in a cache folder manual made",
            path.display()
        ))
    };
    let relative = path.strip_prefix(folder).map_err(|_| not_ours())?;
    if !is_marked(folder)
        || relative.as_os_str().is_empty()
        || !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(not_ours());
    }
    let mut step = folder.to_path_buf();
    let mut names = relative.components().peekable();
    while let Some(name) = names.next() {
        step.push(name);
        if names.peek().is_some() && !fs::symlink_metadata(&step)?.is_dir() {
            return Err(not_ours());
        }
    }
    let metadata = fs::symlink_metadata(path)?;
    if metadata.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linked_folder_is_refused_not_followed() {
        let project = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), project.path().join("h")).unwrap();
        let place = Place::new(project.path()).unwrap();
        let e = place.write(Path::new("h/.bashrc"), b"x").unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(!elsewhere.path().join(".bashrc").exists());
    }

    #[test]
    fn a_link_at_the_file_is_refused() {
        let project = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let victim = elsewhere.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        std::os::unix::fs::symlink(&victim, project.path().join("cache.json")).unwrap();
        let place = Place::new(project.path()).unwrap();
        assert!(place.write(Path::new("cache.json"), b"x").is_err());
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
    }

    #[test]
    fn inputs_and_non_regular_files_are_refused_and_parents_are_made() {
        let project = tempfile::tempdir().unwrap();
        let source = project.path().join("source");
        fs::create_dir_all(&source).unwrap();
        fs::write(source.join("page.html.md"), "page").unwrap();
        let place = Place::new(project.path())
            .unwrap()
            .protecting([source.as_path()]);
        assert!(place.write(Path::new("source/page.html.md"), b"x").is_err());
        assert_eq!(
            fs::read_to_string(source.join("page.html.md")).unwrap(),
            "page"
        );
        assert!(place.write(Path::new("source"), b"x").is_err());
        assert!(place.write(Path::new("../x"), b"x").is_err());
        let written = place.write(Path::new("a/b/c.json"), b"data").unwrap();
        assert_eq!(fs::read(written).unwrap(), b"data");
    }

    #[test]
    fn a_folder_of_the_users_is_never_claimed_nor_pruned() {
        let folder = tempfile::tempdir().unwrap();
        let theirs = folder.path().join("highlight-mine");
        fs::create_dir_all(&theirs).unwrap();
        assert!(claim_cache_folder(folder.path()).is_err());
        assert!(!folder.path().join(".gitignore").exists());
        assert!(remove_in_cache(folder.path(), &theirs).is_err());
        assert!(theirs.exists());

        let new = folder.path().join("new-cache");
        claim_cache_folder(&new).unwrap();
        assert!(is_marked(&new));
        fs::create_dir_all(new.join("highlight-old")).unwrap();
        remove_in_cache(&new, &new.join("highlight-old")).unwrap();
        // Claimed once, it is used again.
        claim_cache_folder(&new).unwrap();
    }
}
