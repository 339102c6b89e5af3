//! Stage 6, write: everything goes into a staging directory beside the
//! output directory, which replaces it only once the whole site is written.
//! A failed or interrupted build leaves the previous site as it was.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::url::OutputPath;

/// Where a rendered site goes. Only an `OutputPath` (made by the `url`
/// module's door) can name a file, so nothing is written outside the sink.
/// Implementations must accept writes from several threads at once.
pub trait SiteSink: Sync {
    /// Called once with every file's path before any is written.
    fn create_folders(&self, files: &mut dyn Iterator<Item = &OutputPath>) -> io::Result<()>;
    fn write(&self, file: &OutputPath, contents: &[u8]) -> io::Result<()>;
    /// Publishes the file at `from` (an asset) at `file`.
    fn copy(&self, file: &OutputPath, from: &Path) -> io::Result<()>;
    /// Where `relative` ends up, for error messages.
    fn location(&self, relative: &str) -> PathBuf;
}

impl SiteSink for Staging {
    fn create_folders(&self, files: &mut dyn Iterator<Item = &OutputPath>) -> io::Result<()> {
        Staging::create_folders(self, files)
    }

    fn write(&self, file: &OutputPath, contents: &[u8]) -> io::Result<()> {
        Staging::write(self, file, contents)
    }

    fn copy(&self, file: &OutputPath, from: &Path) -> io::Result<()> {
        Staging::copy(self, file, from)
    }

    fn location(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }
}

pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    published: bool,
}

impl Staging {
    pub fn create(target: &Path) -> io::Result<Staging> {
        if target.exists() && !target.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a directory", target.display()),
            ));
        }
        let parent = parent_of(target);
        fs::create_dir_all(&parent)?;
        recover_abandoned(target)?;
        let dir = parent.join(format!(
            ".{}.staging-{}",
            file_name(target),
            std::process::id()
        ));
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir(&dir)?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            published: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Creates, once each, the folders that files at these paths need, so
    /// that writing a file is one system call rather than a walk up its path.
    pub fn create_folders<'a>(
        &self,
        files: impl IntoIterator<Item = &'a OutputPath>,
    ) -> io::Result<()> {
        let folders: std::collections::BTreeSet<&str> =
            files.into_iter().filter_map(OutputPath::folder).collect();
        for folder in folders {
            fs::create_dir_all(self.dir.join(folder))?;
        }
        Ok(())
    }

    /// Writes a file; its folder must exist (see `create_folders`).
    pub fn write(&self, file: &OutputPath, contents: &[u8]) -> io::Result<()> {
        fs::write(self.dir.join(file.as_str()), contents)
    }

    /// Copies a file in; its folder must exist (see `create_folders`).
    pub fn copy(&self, file: &OutputPath, from: &Path) -> io::Result<()> {
        fs::copy(from, self.dir.join(file.as_str())).map(drop)
    }

    /// Puts the staged site in place of the target: the old site is moved
    /// aside, the new one renamed in, and the old one deleted. Both renames
    /// are within one directory, so each is atomic; if the second fails the
    /// old site is moved back.
    pub fn publish(mut self) -> io::Result<()> {
        let parent = parent_of(&self.target);
        let aside = parent.join(format!(
            ".{}.old-{}",
            file_name(&self.target),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            if aside.exists() {
                fs::remove_dir_all(&aside)?;
            }
            fs::rename(&self.target, &aside)?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = fs::rename(&aside, &self.target);
            }
            return Err(e);
        }
        self.published = true;
        if had_old {
            fs::remove_dir_all(&aside)?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Cleans up after a build that was killed outright (SIGKILL, power loss):
/// its staging folder is deleted, and if it died between the two renames of
/// publishing, the site it had moved aside is put back. Folders of builds
/// still running (their process exists) are left alone.
fn recover_abandoned(target: &Path) -> io::Result<()> {
    let parent = parent_of(target);
    let name = file_name(target);
    let staging_prefix = format!(".{name}.staging-");
    let old_prefix = format!(".{name}.old-");
    for entry in fs::read_dir(&parent)? {
        let entry = entry?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let (is_old, pid) = if let Some(pid) = file_name.strip_prefix(&staging_prefix) {
            (false, pid)
        } else if let Some(pid) = file_name.strip_prefix(&old_prefix) {
            (true, pid)
        } else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() || process_may_be_running(pid) {
            continue;
        }
        if is_old && !target.exists() {
            fs::rename(entry.path(), target)?;
        } else {
            fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
}

/// On Linux, whether /proc lists the process; elsewhere it is assumed to
/// be running, so nothing is deleted.
fn process_may_be_running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| "site".to_string(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_killed_build_is_cleaned_up_and_a_site_moved_aside_is_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("build");
        // A process id that cannot exist (above the kernel's maximum).
        let dead = tmp.path().join(".build.staging-4294967294");
        fs::create_dir_all(dead.join("manual")).unwrap();
        let aside = tmp.path().join(".build.old-4294967294");
        fs::create_dir_all(&aside).unwrap();
        fs::write(aside.join("index.html"), "old site").unwrap();
        let running = tmp.path().join(format!(".build.staging-{}", 1));
        fs::create_dir_all(&running).unwrap();

        let staging = Staging::create(&out).unwrap();
        assert!(!dead.exists() && !aside.exists());
        assert_eq!(
            fs::read_to_string(out.join("index.html")).unwrap(),
            "old site"
        );
        assert!(running.exists(), "process 1 is running: its folder stays");
        drop(staging);
        assert_eq!(
            fs::read_to_string(out.join("index.html")).unwrap(),
            "old site"
        );
    }

    #[test]
    fn publish_replaces_and_drop_discards() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("build");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("old.html"), "old").unwrap();

        let file = |url: &str| OutputPath::of(url).unwrap();
        let abandoned = Staging::create(&out).unwrap();
        abandoned.write(&file("/new.html"), b"new").unwrap();
        drop(abandoned);
        assert!(out.join("old.html").exists());
        assert_eq!(
            fs::read_dir(tmp.path()).unwrap().count(),
            1,
            "staging directory left behind"
        );

        let staging = Staging::create(&out).unwrap();
        let files = [file("/a/new.html"), file("/a/b/c.html"), file("/top.html")];
        staging.create_folders(&files).unwrap();
        staging.write(&files[0], b"new").unwrap();
        staging.write(&files[1], b"c").unwrap();
        staging.publish().unwrap();
        assert!(!out.join("old.html").exists());
        assert_eq!(fs::read_to_string(out.join("a/new.html")).unwrap(), "new");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
