//! The folders `serve` watches, kept watched when they are replaced.
//!
//! A watch is on a folder's inode: when the source folder is deleted and
//! made again (a `git checkout`, a script that regenerates it), the old
//! watch dies silently. So each watched folder's identity is checked after
//! every batch of changes and every half second; a folder that was replaced
//! (or appears) is watched again, and the caller rebuilds. The parents are
//! watched too, without recursion, so a folder's removal and return are
//! seen at once; their other entries are ignored.

use std::path::{Path, PathBuf};

use notify_debouncer_full::notify::RecursiveMode;

use crate::project::Inputs;

pub type Batch = notify_debouncer_full::DebounceEventResult;
type Debouncer = notify_debouncer_full::Debouncer<
    notify_debouncer_full::notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// The watcher's own debounce: it merges the events of one file within
/// this time.
const DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(5);

struct Root {
    path: PathBuf,
    /// (device, inode) when last watched; `None` when it did not exist.
    identity: Option<(u64, u64)>,
    /// Whether it has been looked at once (the first look is no change).
    seen: bool,
}

pub struct Watcher {
    debouncer: Debouncer,
    pub batches: std::sync::mpsc::Receiver<Batch>,
    roots: Vec<Root>,
    /// The settings files the site may use, watched through their folders.
    settings_files: Vec<PathBuf>,
    /// The roots' and settings files' folders, watched without recursion.
    parents: Vec<PathBuf>,
    /// The project folder (where every relative input path starts), by
    /// its path: when it is deleted and made again, the process's current
    /// folder is the deleted one, and is moved to the new one.
    project: PathBuf,
}

fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

impl Watcher {
    /// Starts watching before the first build, so no save is missed between
    /// the build and the watch.
    pub fn start(inputs: &Inputs) -> anyhow::Result<Watcher> {
        let (events, batches) = std::sync::mpsc::channel();
        let debouncer = notify_debouncer_full::new_debouncer(DEBOUNCE, None, events)?;
        // The settings file the site uses, or (when none is given) where one
        // may appear.
        // Alert rule files named with `--alerts` are watched like settings
        // files; a folder of them like the source.
        let settings_files: Vec<PathBuf> = inputs
            .settings_files()
            .iter()
            .chain(inputs.alerts.iter().filter(|p| !p.is_dir()))
            .map(|p| absolute(p))
            .collect();
        let mut watcher = Watcher {
            debouncer,
            batches,
            roots: std::iter::once(&inputs.source)
                .chain(inputs.layouts.as_ref())
                .chain(inputs.alerts.iter().filter(|p| p.is_dir()))
                .map(|p| Root {
                    path: absolute(p),
                    identity: None,
                    seen: false,
                })
                .collect(),
            settings_files,
            parents: Vec::new(),
            project: absolute(Path::new(".")),
        };
        let mut parents: Vec<PathBuf> = watcher
            .roots
            .iter()
            .map(|r| r.path.clone())
            .chain(watcher.settings_files.iter().cloned())
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            // `config/` for a tech-docs.yml that a site may not have.
            .filter(|p| p.is_dir())
            .collect();
        parents.sort();
        parents.dedup();
        for parent in &parents {
            watcher
                .debouncer
                .watch(parent, RecursiveMode::NonRecursive)
                .map_err(|e| anyhow::anyhow!("cannot watch {}: {e}", parent.display()))?;
        }
        watcher.parents = parents;
        watcher.rearm();
        Ok(watcher)
    }

    /// When the project folder was replaced (deleted and made again), moves
    /// into the new one and watches its folders again; true if it did.
    fn reenter_project(&mut self) -> bool {
        let here = identity(Path::new("."));
        let there = identity(&self.project);
        if there.is_none() || here == there {
            return false;
        }
        if std::env::set_current_dir(&self.project).is_err() {
            return false;
        }
        for parent in &self.parents {
            let _ = self.debouncer.unwatch(parent);
            let _ = self.debouncer.watch(parent, RecursiveMode::NonRecursive);
        }
        true
    }

    /// Watches again every folder that was replaced or has appeared since
    /// it was last watched; true if any was.
    pub fn rearm(&mut self) -> bool {
        let mut rearmed = self.reenter_project();
        for root in &mut self.roots {
            let now = identity(&root.path);
            if root.seen && now == root.identity {
                continue;
            }
            let _ = self.debouncer.unwatch(&root.path);
            if now.is_some() {
                let _ = self.debouncer.watch(&root.path, RecursiveMode::Recursive);
            }
            rearmed |= root.seen;
            root.seen = true;
            root.identity = now;
        }
        rearmed
    }

    /// Whether a changed path is part of the site's inputs (the parents'
    /// other entries are not).
    pub fn concerns(&self, path: &Path) -> bool {
        self.roots.iter().any(|root| path.starts_with(&root.path))
            || self.settings_files.iter().any(|f| f == path)
    }
}
