//! Highlighted code blocks kept between runs, in a folder under the project
//! (`.manual-cache/` unless `--cache-dir` moves it): highlighting is most of
//! a build's work, and code rarely changes.
//!
//! An entry is named by the hash of its language and code, in a folder named
//! for this build of `manual` (its version, grammars, theme and classes), so
//! a cache from another version is never read. Nothing in the folder is
//! trusted: a pull request can commit one, and a crash can leave half an
//! entry. So an entry is used only if it is nothing but `<span class="...">`
//! tags around text that is exactly the block's code: a bad entry can at
//! worst colour the code wrongly, never change a character of it or carry
//! markup. Entries are written through a temporary file and renamed, so two
//! builds at once never see half of one; the folder's size is bounded by
//! pruning the least recently used entries after a build. The entries a
//! build used are also written together into one file, the pack, which the
//! next build reads first: one read rather than one per block, and its
//! entries are checked in the same way.
//!
//! Problems with the cache never fail a build: they are noted once, and the
//! block is highlighted as if there were no cache.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, SystemTime};

/// Hash of this build's grammars, theme and classes, and its version.
const STAMP: &str = env!("MANUAL_HIGHLIGHT_STAMP");

/// The file, among the entries' folders, that holds the last build's.
const PACK: &str = "pack";

/// The folder the cache uses when `--cache-dir` does not name one.
pub const DEFAULT_FOLDER: &str = ".manual-cache";

/// Pruned down to this after a build.
pub const DEFAULT_BUDGET: u64 = 256 * 1024 * 1024;

/// An entry used this recently is not touched again: one write fewer per
/// hit, and the order of pruning is still right to within a day.
const TOUCH_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

pub struct DiskCache {
    /// `<folder>/highlight-<STAMP>`.
    entries: PathBuf,
    folder: PathBuf,
    /// Set after a write fails: the rest of the run does without.
    broken: AtomicBool,
    /// Set after an entry is written: a cache nothing was added to needs
    /// no pruning.
    grew: AtomicBool,
    /// For each entry folder (`00` to `ff`): not known yet or missing (0),
    /// a real folder (1), something else (2).
    subfolders: [AtomicU8; 256],
    notes: Mutex<Vec<String>>,
    /// The entries the last build used, read at once (see `Pack`).
    pack: Pack,
    /// The keys of the entries this run used, for the next pack.
    used: Mutex<Vec<String>>,
}

/// The entries one build used, in one file (`pack` in the entries'
/// folder): the next build reads one file rather than one per block.
/// Entries in it are checked as the files are, so a bad pack can do no more
/// than a bad entry.
#[derive(Default)]
struct Pack {
    text: String,
    /// Each key's entry, as a range of `text`.
    entries: std::collections::HashMap<String, std::ops::Range<usize>>,
}

impl Pack {
    /// Reads the pack; what cannot be read as entries is left out.
    fn read(path: &Path) -> Pack {
        let readable =
            fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() <= DEFAULT_BUDGET);
        let Some(text) = readable.then(|| fs::read_to_string(path).ok()).flatten() else {
            return Pack::default();
        };
        let mut entries = std::collections::HashMap::new();
        let mut at = 0;
        // Each entry: its key, a space, its length in bytes, a newline, the
        // entry and a newline.
        while let Some(line_end) = text[at..].find('\n').map(|i| at + i) {
            let Some((key, length)) = text[at..line_end].split_once(' ') else {
                break;
            };
            let Ok(length) = length.parse::<usize>() else {
                break;
            };
            let start = line_end + 1;
            let end = start.saturating_add(length);
            if key.len() != 64 || text.as_bytes().get(end) != Some(&b'\n') {
                break;
            }
            entries.insert(key.to_string(), start..end);
            at = end + 1;
        }
        Pack { text, entries }
    }
}

impl DiskCache {
    /// Opens (making it when missing) the cache in `folder`. `Err` says why
    /// it cannot be used, for a note.
    pub fn open(folder: &Path) -> Result<DiskCache, String> {
        let shown = folder.display();
        make_real_folder(folder).map_err(|e| {
            format!("the cache folder {shown} cannot be used ({e}); building without it")
        })?;
        // Tell git and backup tools that the folder is a cache.
        for (name, text) in [
            (
                ".gitignore",
                "# Made by manual: a cache, never committed.\n*\n",
            ),
            (
                "CACHEDIR.TAG",
                "Signature: 8a477f597d28d172789f06886806bc55\n# This folder is a cache made by manual (https://bford.info/cachedir/).\n",
            ),
        ] {
            let path = folder.join(name);
            if fs::symlink_metadata(&path).is_err() {
                let _ = fs::write(&path, text);
            }
        }
        let entries = folder.join(format!("highlight-{STAMP}"));
        make_real_folder(&entries).map_err(|e| {
            format!("the cache folder {shown} cannot be used ({e}); building without it")
        })?;
        Ok(DiskCache {
            pack: Pack::read(&entries.join(PACK)),
            used: Mutex::new(Vec::new()),
            entries,
            folder: folder.to_path_buf(),
            broken: AtomicBool::new(false),
            grew: AtomicBool::new(false),
            subfolders: [const { AtomicU8::new(0) }; 256],
            notes: Mutex::new(Vec::new()),
        })
    }

    /// What went wrong with the cache this run, each said once.
    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut *self.notes.lock().expect("cache notes"))
    }

    fn note(&self, note: String) {
        let mut notes = self.notes.lock().expect("cache notes");
        if !notes.contains(&note) {
            notes.push(note);
        }
    }

    /// Whether the folder of `key`'s entry is a real folder (not a link).
    fn real_subfolder(&self, key: &str) -> bool {
        let Ok(index) = u8::from_str_radix(&key[..2], 16) else {
            return false;
        };
        let known = &self.subfolders[usize::from(index)];
        match known.load(Ordering::Relaxed) {
            1 => true,
            2 => false,
            // A missing folder is looked at again: a `put` may make it.
            _ => match fs::symlink_metadata(self.entries.join(&key[..2])) {
                Ok(metadata) => {
                    let real = metadata.is_dir();
                    known.store(if real { 1 } else { 2 }, Ordering::Relaxed);
                    real
                }
                Err(_) => false,
            },
        }
    }

    fn path_of(&self, key: &str) -> PathBuf {
        self.entries.join(&key[..2]).join(key)
    }

    /// The highlighted HTML of `code` (inside `<code>`) if a valid entry
    /// holds it.
    pub fn get(&self, key: &str, code: &str) -> Option<String> {
        if let Some(range) = self.pack.entries.get(key) {
            let html = &self.pack.text[range.clone()];
            if holds_exactly(html, code) {
                self.use_entry(key);
                return Some(html.to_string());
            }
        }
        let html = self.get_file(key, code)?;
        self.use_entry(key);
        Some(html)
    }

    fn use_entry(&self, key: &str) {
        self.used.lock().expect("cache use").push(key.to_string());
    }

    /// The entry of `key` from its own file.
    fn get_file(&self, key: &str, code: &str) -> Option<String> {
        let path = self.path_of(key);
        // Never through a link in the cache's own folders (each looked at
        // once a run), nor to one.
        if !self.real_subfolder(key) {
            return None;
        }
        let mut file = {
            use std::os::unix::fs::OpenOptionsExt;
            fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
                .open(&path)
                .ok()?
        };
        let metadata = file.metadata().ok()?;
        if !metadata.is_file() || metadata.len() > (code.len() as u64 + 64) * 64 {
            return None;
        }
        let mut html = String::with_capacity(metadata.len() as usize);
        std::io::Read::read_to_string(&mut file, &mut html).ok()?;
        if !holds_exactly(&html, code) {
            self.note(format!(
                "a cache entry in {} did not match its code and was not used",
                self.folder.display()
            ));
            let _ = fs::remove_file(&path);
            return None;
        }
        if metadata
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > TOUCH_AFTER)
            && let Ok(file) = fs::File::options().append(true).open(&path)
        {
            let _ = file.set_modified(SystemTime::now());
        }
        Some(html)
    }

    pub fn put(&self, key: &str, html: &str) {
        if self.broken.load(Ordering::Relaxed) {
            return;
        }
        let write = || -> std::io::Result<()> {
            let folder = self.entries.join(&key[..2]);
            make_real_folder(&folder)?;
            let mut file = tempfile::NamedTempFile::new_in(&folder)?;
            file.write_all(html.as_bytes())?;
            file.persist(folder.join(key)).map_err(|e| e.error)?;
            self.grew.store(true, Ordering::Relaxed);
            self.use_entry(key);
            Ok(())
        };
        if let Err(e) = write() {
            self.broken.store(true, Ordering::Relaxed);
            self.note(format!(
                "cannot write to the cache folder {} ({e}); building without it",
                self.folder.display()
            ));
        }
    }

    /// Writes the entries this run used as the pack the next run reads,
    /// unless the pack already holds exactly them.
    fn write_pack(&self) {
        let mut used = std::mem::take(&mut *self.used.lock().expect("cache use"));
        used.sort_unstable();
        used.dedup();
        if used.is_empty()
            || used.len() == self.pack.entries.len()
                && used.iter().all(|k| self.pack.entries.contains_key(k))
        {
            return;
        }
        let mut text = String::new();
        for key in &used {
            let from_file;
            let html = match self.pack.entries.get(key) {
                Some(range) => &self.pack.text[range.clone()],
                None => {
                    // Written or checked this run; gone only if pruned.
                    let Ok(html) = fs::read_to_string(self.path_of(key)) else {
                        continue;
                    };
                    from_file = html;
                    &from_file
                }
            };
            text.push_str(&format!("{key} {}\n{html}\n", html.len()));
        }
        let write = || -> std::io::Result<()> {
            let mut file = tempfile::NamedTempFile::new_in(&self.entries)?;
            file.write_all(text.as_bytes())?;
            file.persist(self.entries.join(PACK)).map_err(|e| e.error)?;
            Ok(())
        };
        if let Err(e) = write() {
            self.note(format!(
                "cannot write to the cache folder {} ({e})",
                self.folder.display()
            ));
        }
    }

    /// Writes the pack the next run reads (`write_pack`), removes the
    /// folders of other versions of `manual`, then, if this run
    /// added entries, the least recently used ones until the cache is under
    /// `budget` bytes.
    pub fn prune(&self, budget: u64) {
        self.write_pack();
        let Ok(folders) = fs::read_dir(&self.folder) else {
            return;
        };
        let mut other_versions = 0;
        for folder in folders.flatten() {
            let name = folder.file_name();
            let name = name.to_string_lossy();
            let is_dir = folder.file_type().is_ok_and(|t| t.is_dir());
            if is_dir
                && name.starts_with("highlight-")
                && folder.path() != self.entries
                && fs::remove_dir_all(folder.path()).is_ok()
            {
                other_versions += 1;
            }
        }
        if other_versions > 0 {
            self.note(format!(
                "removed a cache of another version of manual from {}",
                self.folder.display()
            ));
        }
        if !self.grew.load(Ordering::Relaxed) {
            return;
        }
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = walkdir::WalkDir::new(&self.entries)
            .min_depth(2)
            .max_depth(2)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| {
                let metadata = e.metadata().ok()?;
                Some((metadata.modified().ok()?, metadata.len(), e.into_path()))
            })
            .collect();
        let mut total: u64 = entries.iter().map(|(_, size, _)| size).sum();
        if total <= budget {
            return;
        }
        entries.sort();
        // Down to 80%, so that the next builds do not prune again at once.
        let target = budget / 5 * 4;
        for (_, size, path) in entries {
            if total <= target {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                total -= size;
            }
        }
    }
}

/// The cache key of a block: a hash of its language and code.
pub fn key(language: &str, code: &str) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(language.as_bytes());
    hasher.update([0]);
    hasher.update(code.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Makes `folder` if missing; refuses one that is a symbolic link or not a
/// folder, since a link committed in its place could send the cache's
/// writes anywhere.
pub fn make_real_folder(folder: &Path) -> std::io::Result<()> {
    match fs::symlink_metadata(folder) {
        Ok(metadata) if metadata.is_dir() => Ok(()),
        Ok(_) => Err(std::io::Error::other(
            "it is not a folder (or is a symbolic link)",
        )),
        Err(_) => {
            fs::create_dir_all(folder)?;
            match fs::symlink_metadata(folder) {
                Ok(metadata) if metadata.is_dir() => Ok(()),
                _ => Err(std::io::Error::other("it is not a folder")),
            }
        }
    }
}

/// Whether `html` is only `<span class="...">` and `</span>` tags around
/// text that, unescaped, is exactly `code`: what the highlighter writes.
fn holds_exactly(html: &str, code: &str) -> bool {
    let mut rest = html;
    let mut expected = code;
    let mut depth = 0usize;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("</span>") {
            if depth == 0 {
                return false;
            }
            depth -= 1;
            rest = after;
        } else if let Some(after) = rest.strip_prefix("<span class=\"") {
            let Some(end) = after.find("\">") else {
                return false;
            };
            let class = &after[..end];
            if !class
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' ')
            {
                return false;
            }
            depth += 1;
            rest = &after[end + 2..];
        } else if rest.starts_with('<') || rest.starts_with('>') {
            return false;
        } else if rest.starts_with('&') {
            let (entity, character) = match ["&lt;", "&gt;", "&amp;", "&quot;", "&#39;", "&#x27;"]
                .iter()
                .find(|e| rest.starts_with(**e))
            {
                Some(&"&lt;") => ("&lt;", '<'),
                Some(&"&gt;") => ("&gt;", '>'),
                Some(&"&amp;") => ("&amp;", '&'),
                Some(&"&quot;") => ("&quot;", '"'),
                Some(e) => (*e, '\''),
                None => return false,
            };
            let Some(after) = expected.strip_prefix(character) else {
                return false;
            };
            expected = after;
            rest = &rest[entity.len()..];
        } else {
            let text_end = rest.find(['<', '>', '&']).unwrap_or(rest.len());
            let text = &rest[..text_end];
            let Some(after) = expected.strip_prefix(text) else {
                return false;
            };
            expected = after;
            rest = &rest[text_end..];
        }
    }
    depth == 0 && expected.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_spans_around_the_exact_code_are_accepted() {
        let code = "if a < b && c > \"d\" then\n";
        let good = "<span class=\"c2\">if</span> a &lt; b &amp;&amp; c &gt; <span class=\"c1 i\">&quot;d&quot;</span> then\n";
        assert!(holds_exactly(good, code));
        // Script, other tags or attributes, other text, half an entry.
        for bad in [
            "<script>alert(1)</script>",
            "<span class=\"c2\" onclick=\"x()\">if</span> a &lt; b &amp;&amp; c &gt; &quot;d&quot; then\n",
            "<span class=\"c2\">if</span> a &lt; b &amp;&amp; c &gt; &quot;e&quot; then\n",
            "<span class=\"c2\">if</span> a &lt; b",
            "<span class=\"c2\">if a &lt; b &amp;&amp; c &gt; &quot;d&quot; then\n",
            "<b>if</b> a &lt; b &amp;&amp; c &gt; &quot;d&quot; then\n",
            "if a < b && c > \"d\" then\n",
        ] {
            assert!(!holds_exactly(bad, code), "{bad}");
        }
    }

    #[test]
    fn a_stored_entry_is_found_and_a_tampered_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(&dir.path().join("c")).unwrap();
        let code = "x = 1\n";
        let key = key("ruby", code);
        assert_eq!(cache.get(&key, code), None);
        cache.put(&key, "x = <span class=\"c3\">1</span>\n");
        assert_eq!(
            cache.get(&key, code).as_deref(),
            Some("x = <span class=\"c3\">1</span>\n")
        );
        fs::write(cache.path_of(&key), "x = <img src=x onerror=alert(1)>1\n").unwrap();
        assert_eq!(cache.get(&key, code), None);
        assert_eq!(cache.take_notes().len(), 1);
        assert!(!cache.path_of(&key).exists(), "the bad entry is removed");
    }

    #[test]
    fn a_folder_that_is_a_link_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let link = dir.path().join("c");
        std::os::unix::fs::symlink(elsewhere.path(), &link).unwrap();
        assert!(DiskCache::open(&link).is_err());
        assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    }

    #[test]
    fn pruning_keeps_the_newest_entries_under_the_budget_and_drops_other_versions() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("c");
        let old_version = folder.join("highlight-0000");
        fs::create_dir_all(old_version.join("ab")).unwrap();
        fs::write(old_version.join("ab").join("abcd"), "x").unwrap();
        let cache = DiskCache::open(&folder).unwrap();
        let mut keys = Vec::new();
        for i in 0..10 {
            let code = format!("{i:0>100}\n");
            let key = key("text", &code);
            cache.put(&key, &code);
            let when = SystemTime::now() - Duration::from_secs(1000 - i * 10);
            fs::File::options()
                .append(true)
                .open(cache.path_of(&key))
                .unwrap()
                .set_modified(when)
                .unwrap();
            keys.push((key, code));
        }
        cache.prune(505);
        assert!(!old_version.exists());
        let kept: Vec<bool> = keys
            .iter()
            .map(|(key, code)| cache.get(key, code).is_some())
            .collect();
        // 101 bytes each: 80% of 505 is 404, so the newest 4 stay.
        assert_eq!(
            kept,
            [
                false, false, false, false, false, false, true, true, true, true
            ]
        );
    }
}
