//! Stage 6, write: everything goes into a staging directory beside the
//! output directory, which replaces it only once the whole site is written.
//! A failed or interrupted build leaves the previous site as it was.

mod publish;
mod render_loop;
pub mod reuse;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::diagnostics::Code;
use crate::render::Output;
use crate::url::OutputPath;
pub use publish::{Destination, NotPublished, Published, Reason, publish};
pub use render_loop::{Written, output_folder, render_site};
pub use reuse::Reuse;

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
    /// Whether the sink can take outputs from the site it replaces, so that
    /// fingerprints are worth working out.
    fn can_reuse(&self) -> bool {
        false
    }
    /// The fingerprint of `output` when the sink knows it without it being
    /// worked out: it is the one the sink's last render gave it, since
    /// nothing it is made from changed (`serve`).
    fn known_fingerprint(&self, _output: Output, _file: &OutputPath) -> Option<u64> {
        None
    }
    /// Puts the output made last time from `fingerprint` at `file`, if it
    /// can; false when the output must be made.
    fn reuse(&self, _file: &OutputPath, _fingerprint: u64) -> bool {
        false
    }
    /// Writes a file made from the inputs `fingerprint` stands for.
    fn write_made(&self, file: &OutputPath, contents: &[u8], _fingerprint: u64) -> io::Result<()> {
        self.write(file, contents)
    }
    /// Whether assets are fingerprinted too. A folder of files copies an
    /// asset faster than it can tell it is unchanged; `serve`, which holds
    /// the site in memory, does not copy, and must know which changed.
    fn fingerprints_assets(&self) -> bool {
        false
    }
    /// Publishes an asset whose inputs `fingerprint` stands for.
    fn copy_made(&self, file: &OutputPath, from: &Path, _fingerprint: u64) -> io::Result<()> {
        self.copy(file, from)
    }
    /// Whether the search index is written with the rest: `serve` brings
    /// it up to date after the reload instead, so a large index never
    /// delays it.
    fn wants_search_index(&self) -> bool {
        true
    }
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

    fn can_reuse(&self) -> bool {
        self.reuse.is_some()
    }

    fn reuse(&self, file: &OutputPath, fingerprint: u64) -> bool {
        self.reuse
            .as_ref()
            .is_some_and(|reuse| reuse.take(file, fingerprint, &self.dir))
    }

    fn write_made(&self, file: &OutputPath, contents: &[u8], fingerprint: u64) -> io::Result<()> {
        let Some(reuse) = &self.reuse else {
            return self.write(file, contents);
        };
        let mut written = fs::File::create(self.dir.join(file.as_str()))?;
        written.write_all(contents)?;
        reuse.made(file, fingerprint, &written.metadata()?);
        Ok(())
    }
}

/// A file `build` writes into every site it publishes: a folder without it
/// was not made by `manual`, and is not replaced unless `--force` says so.
pub const MARKER: &str = ".manual-site";
const MARKER_TEXT: &str = "This folder was written by `manual build`, which replaces it whole.\n";

/// How the staged site takes the output folder's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Swap {
    /// Staging beside the output folder, swapped in with two renames in
    /// their parent folder, each atomic.
    Beside,
    /// The output folder is a mount point, which cannot be renamed: staging
    /// inside it; the old entries are moved into a folder inside it, the new
    /// ones moved in, and the old ones deleted. Each entry's move is atomic,
    /// the whole is not: a reader may briefly see a mix of old and new.
    Inside,
}

pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    swap: Swap,
    published: bool,
    /// What may be taken from the site being replaced.
    reuse: Option<Reuse>,
}

impl Staging {
    /// Makes the staging folder for publishing at `target` (which should
    /// have passed [`check_output`]). It starts with the marker file, and
    /// with the mode and group of the folder it will replace.
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
        let swap = if target.is_dir() && is_mount_point(target) {
            Swap::Inside
        } else {
            Swap::Beside
        };
        let dir = match swap {
            Swap::Beside => parent.join(format!(
                ".{}.staging-{}",
                file_name(target),
                std::process::id()
            )),
            Swap::Inside => target.join(format!(".manual-staging-{}", std::process::id())),
        };
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir(&dir)?;
        let staging = Staging {
            dir,
            target: target.to_path_buf(),
            swap,
            published: false,
            reuse: None,
        };
        fs::write(staging.dir.join(MARKER), MARKER_TEXT)?;
        if swap == Swap::Beside
            && let Ok(old) = fs::metadata(target)
        {
            use std::os::unix::fs::MetadataExt;
            fs::set_permissions(&staging.dir, old.permissions())?;
            // Only the owner or root may change the group; a build by
            // another member of the group keeps its own.
            let _ = std::os::unix::fs::chown(&staging.dir, None, Some(old.gid()));
        }
        Ok(staging)
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Takes unchanged outputs from the site being replaced, as `reuse`
    /// allows.
    pub fn reusing(mut self, reuse: Reuse) -> Staging {
        self.reuse = Some(reuse);
        self
    }

    /// The record of what this build made and reused, to keep once it is
    /// published.
    pub fn take_reuse(&mut self) -> Option<Reuse> {
        self.reuse.take()
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

    /// Copies a file in; its folder must exist (see `create_folders`). The
    /// source is opened as the load stage opens files: never blocking, and
    /// only if it is still a regular file.
    pub fn copy(&self, file: &OutputPath, from: &Path) -> io::Result<()> {
        let mut source = crate::load::open_regular(from)?;
        let mut target = fs::File::create(self.dir.join(file.as_str()))?;
        io::copy(&mut source, &mut target).map(drop)
    }

    /// Puts the staged site in place of the target.
    pub fn publish(mut self) -> io::Result<()> {
        match self.swap {
            Swap::Beside => self.publish_beside(),
            Swap::Inside => self.publish_inside(),
        }
    }

    /// The old site is moved aside, the new one renamed in, and the old one
    /// deleted. Both renames are within one directory, so each is atomic;
    /// if the second fails the old site is moved back.
    fn publish_beside(&mut self) -> io::Result<()> {
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

    /// Entry by entry inside a mount point (see [`Swap::Inside`]).
    fn publish_inside(&mut self) -> io::Result<()> {
        let old = self
            .target
            .join(format!(".manual-old-{}", std::process::id()));
        if old.exists() {
            fs::remove_dir_all(&old)?;
        }
        fs::create_dir(&old)?;
        for entry in fs::read_dir(&self.target)? {
            let entry = entry?;
            let path = entry.path();
            if path != self.dir && path != old {
                fs::rename(&path, old.join(entry.file_name()))?;
            }
        }
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            fs::rename(entry.path(), self.target.join(entry.file_name()))?;
        }
        fs::remove_dir(&self.dir)?;
        self.published = true;
        fs::remove_dir_all(&old)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Whether `path` is a mount point: on another device than its parent, or
/// listed as one (a bind mount of a folder on the same device).
fn is_mount_point(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(real) = path.canonicalize() else {
        return false;
    };
    let Some(parent) = real.parent() else {
        return true;
    };
    if let (Ok(a), Ok(b)) = (fs::metadata(&real), fs::metadata(parent))
        && a.dev() != b.dev()
    {
        return true;
    }
    // /proc/self/mountinfo: the fifth field is the mount point, with space,
    // tab, newline and backslash written as octal escapes.
    let Ok(table) = fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    let wanted = real.to_string_lossy();
    table
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .any(|field| {
            field
                .replace("\\040", " ")
                .replace("\\011", "\t")
                .replace("\\012", "\n")
                .replace("\\134", "\\")
                == wanted
        })
}

/// `path` made absolute with `..` and every symbolic link resolved, even
/// where it does not exist yet: the longest part that exists is resolved by
/// the file system, the rest is applied as written.
pub fn canonical(path: &Path) -> io::Result<PathBuf> {
    use std::path::Component;
    let absolute = std::path::absolute(path)?;
    let mut resolved = PathBuf::from("/");
    let mut exists = true;
    for component in absolute.components() {
        match component {
            Component::RootDir | Component::Prefix(_) | Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(part) => {
                resolved.push(part);
                if exists {
                    match resolved.canonicalize() {
                        Ok(real) => resolved = real,
                        Err(_) => exists = false,
                    }
                }
            }
        }
    }
    Ok(resolved)
}

/// Something the output folder must never replace.
pub struct Protected<'a> {
    pub path: &'a Path,
    /// In words: "the source folder".
    pub what: &'static str,
    /// Whether the output may lie inside it (it may inside the project
    /// folder, as `build/` does, but not inside the source or layouts,
    /// whose files would be read back as input).
    pub may_hold_output: bool,
}

/// Why an output folder was refused: a code, a message and a help line.
pub type Refusal = (Code, String, String);

/// Decides whether publishing may replace `out`, comparing real paths (so
/// `..` and symbolic links cannot disguise the project). Returns the real
/// path to publish at.
pub fn check_output(
    out: &Path,
    protected: &[Protected<'_>],
    force: bool,
) -> Result<PathBuf, Refusal> {
    let real = canonical(out).map_err(|e| {
        (
            Code::WriteFailed,
            format!("cannot find where {} is: {e}", out.display()),
            "pass an --out folder that can be written".into(),
        )
    })?;
    if real.parent().is_none() {
        return Err((
            Code::OutputOverlapsInput,
            "the output folder is the root of the file system".into(),
            "pass an --out folder of its own, such as build".into(),
        ));
    }
    for item in protected {
        let Ok(input) = canonical(item.path) else {
            continue;
        };
        if input.starts_with(&real) {
            let relation = if input == real { "is" } else { "contains" };
            return Err((
                Code::OutputOverlapsInput,
                format!(
                    "the output folder {relation} {} ({}), which publishing would delete",
                    item.what,
                    input.display()
                ),
                "pass an --out folder of its own, such as build".into(),
            ));
        }
        if !item.may_hold_output && real.starts_with(&input) {
            return Err((
                Code::OutputOverlapsInput,
                format!(
                    "the output folder is inside {} ({}), so the site would be read back as input",
                    item.what,
                    input.display()
                ),
                "pass an --out folder outside the source and layouts folders, such as build".into(),
            ));
        }
    }
    if !force && real.is_dir() && !real.join(MARKER).exists() {
        let mut entries = fs::read_dir(&real).map_err(|e| {
            (
                Code::WriteFailed,
                format!("cannot read the output folder: {e}"),
                "check that you may read and write it".into(),
            )
        })?;
        if entries.next().is_some() {
            return Err((
                Code::OutputNotOurs,
                format!(
                    "the output folder {} holds files that `manual` did not write; publishing would delete them",
                    real.display()
                ),
                "pass an empty or new --out folder, or --force to replace this one".into(),
            ));
        }
    }
    Ok(real)
}

/// Cleans up after a build that was killed outright (SIGKILL, power loss):
/// its staging folder is deleted, and if it died while publishing, the site
/// it had moved aside is put back. Folders of builds still running (their
/// process exists) are left alone.
fn recover_abandoned(target: &Path) -> io::Result<()> {
    let parent = parent_of(target);
    let name = file_name(target);
    let places = [
        (parent.clone(), format!(".{name}.staging-"), false),
        (parent, format!(".{name}.old-"), true),
        (target.to_path_buf(), ".manual-staging-".to_string(), false),
        (target.to_path_buf(), ".manual-old-".to_string(), true),
    ];
    for (folder, prefix, is_old) in places {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let entry = entry?;
            let entry_name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = entry_name.strip_prefix(&prefix) else {
                continue;
            };
            let Ok(pid) = pid.parse::<u32>() else {
                continue;
            };
            if pid == std::process::id() || process_may_be_running(pid) {
                continue;
            }
            if is_old && folder == target {
                restore_inside(target, &entry.path())?;
            } else if is_old && !target.exists() {
                fs::rename(entry.path(), target)?;
            } else {
                fs::remove_dir_all(entry.path())?;
            }
        }
    }
    Ok(())
}

/// A build died while swapping entries inside a mount point: the old
/// entries go back in place of any new ones.
fn restore_inside(target: &Path, old: &Path) -> io::Result<()> {
    for current in fs::read_dir(target)? {
        let current = current?;
        let name = current.file_name().to_string_lossy().into_owned();
        if name.starts_with(".manual-old-") || name.starts_with(".manual-staging-") {
            continue;
        }
        if current.file_type()?.is_dir() {
            fs::remove_dir_all(current.path())?;
        } else {
            fs::remove_file(current.path())?;
        }
    }
    for kept in fs::read_dir(old)? {
        let kept = kept?;
        fs::rename(kept.path(), target.join(kept.file_name()))?;
    }
    fs::remove_dir(old)
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
