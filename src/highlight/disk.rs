//! Highlighted code blocks kept between runs, in a folder under the project
//! (see `project::Inputs::cache_folder` for where): highlighting is most of
//! a build's work, and code rarely changes.
//!
//! Every entry is in one file, the pack, in a folder named for this build of
//! `manual` (its version, grammars, theme and classes), so a cache from
//! another version is never read. A build reads the pack's index once (each
//! entry's key and place; an entry itself is read from the file when a
//! block uses it, so the pack is never held whole) and writes the pack
//! once, when something was added: one file rather than one per block,
//! which on a disk made a first build of 10,000 pages seconds slower. An entry is
//! named by the hash of its language and code. Nothing in the pack is
//! trusted: a pull request can commit one, and a crash can leave half of
//! one. So an entry is used only if it is nothing but `<span class="...">`
//! tags around text that is exactly the block's code: a bad entry can at
//! worst colour the code wrongly, never change a character of it or carry
//! markup. The pack is written through a temporary file and renamed, so two
//! builds at once never see half of one. It holds what this build used and
//! added first, then what earlier builds used, until the size budget: the
//! entries least recently used go first.
//!
//! Problems with the cache never fail a build: they are noted once, and the
//! block is highlighted as if there were no cache.

use std::collections::HashSet;
use std::fs;
use std::io::{BufRead, Read, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

/// Hash of this build's grammars, theme and classes, and its version.
const STAMP: &str = env!("MANUAL_HIGHLIGHT_STAMP");

/// The file, in this version's folder, that holds the entries.
const PACK: &str = "pack";

/// The most the pack holds.
pub const DEFAULT_BUDGET: u64 = 256 * 1024 * 1024;

pub struct DiskCache {
    /// `<folder>/highlight-<STAMP>`.
    entries: PathBuf,
    folder: PathBuf,
    notes: Mutex<Vec<String>>,
    /// The pack as last read or written (`serve` writes it more than once).
    pack: RwLock<Pack>,
    /// What this run did with the entries, for the next pack.
    run: Mutex<Run>,
}

#[derive(Default)]
struct Run {
    /// Keys of pack entries used.
    used: HashSet<Key>,
    /// Keys of pack entries that did not hold their code.
    bad: HashSet<Key>,
    /// Entries highlighted this run, in order.
    added: Vec<(String, String)>,
}

/// An entry's key as the 32 bytes its 64 hex digits name, held once per
/// entry in a sorted list beside the pack's text: reading a pack of small
/// entries then costs little more than the text (with the hex as `String`s
/// in a list and a map, a pack took about nine times its size).
type Key = [u8; 32];

fn key_bytes(hex: &str) -> Option<Key> {
    let hex = hex.as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let mut key = [0u8; 32];
    for (byte, pair) in key.iter_mut().zip(hex.chunks(2)) {
        let digit = |c: u8| (c as char).to_digit(16);
        *byte = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
    }
    Some(key)
}

/// Appends `key` as 64 hex digits, allocating nothing.
fn push_hex(text: &mut String, key: &Key) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for byte in key {
        text.push(DIGITS[usize::from(byte >> 4)] as char);
        text.push(DIGITS[usize::from(byte & 15)] as char);
    }
}

/// The pack as read: its file, held open, and each entry's key and place
/// in it, sorted by key (entries are in the file in the pack's order, most
/// recently used first). An entry is read from the file when it is used, so
/// the pack is never held whole: it was what made a warm build heavier
/// than a clean one.
#[derive(Default)]
struct Pack {
    file: Option<fs::File>,
    entries: Vec<(Key, u32, u32)>,
}

/// The longest line that can head an entry: 64 hex digits, a space and a
/// length.
const LONGEST_HEADER: usize = 64 + 1 + 20 + 1;

impl Pack {
    /// Reads the pack's index; what cannot be read as entries is left out.
    fn read(path: &Path) -> Pack {
        let regular = |m: &fs::Metadata| m.is_file() && m.len() <= DEFAULT_BUDGET;
        if !fs::symlink_metadata(path).is_ok_and(|m| regular(&m)) {
            return Pack::default();
        }
        let opened = fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path);
        match opened {
            Ok(file) if file.metadata().is_ok_and(|m| regular(&m)) => Pack::of(file),
            _ => Pack::default(),
        }
    }

    /// Indexes the entries of `file`, reading it once from the start. Each
    /// entry: its key, a space, its length in bytes, a newline, the entry
    /// and a newline. The budget keeps offsets within `u32`.
    fn of(file: fs::File) -> Pack {
        let mut entries = Vec::new();
        let mut reader = std::io::BufReader::new(&file);
        let mut header = Vec::with_capacity(LONGEST_HEADER);
        let mut entry = Vec::new();
        let mut at = 0usize;
        loop {
            header.clear();
            let read = (&mut reader)
                .take(LONGEST_HEADER as u64)
                .read_until(b'\n', &mut header);
            if !matches!(read, Ok(n) if n > 0 && header.ends_with(b"\n")) {
                break;
            }
            let Some((key, length)) = std::str::from_utf8(&header[..header.len() - 1])
                .ok()
                .and_then(|line| line.split_once(' '))
                .and_then(|(key, length)| Some((key_bytes(key)?, length.parse::<usize>().ok()?)))
            else {
                break;
            };
            let start = at + header.len();
            let end = start.saturating_add(length);
            if end >= u32::MAX as usize {
                break;
            }
            entry.resize(length + 1, 0);
            if reader.read_exact(&mut entry).is_err()
                || entry.pop() != Some(b'\n')
                || std::str::from_utf8(&entry).is_err()
            {
                break;
            }
            entries.push((key, start as u32, end as u32));
            at = end + 1;
        }
        // A key written twice keeps its first, most recent, place.
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        entries.dedup_by(|later, first| later.0 == first.0);
        entries.shrink_to_fit();
        Pack {
            file: Some(file),
            entries,
        }
    }

    /// The entry at `start..end` of the file, read now (the file is the
    /// one indexed, held open, so a pack written since does not move it).
    fn entry(&self, start: u32, end: u32) -> Option<String> {
        let file = self.file.as_ref()?;
        let mut bytes = vec![0; (end - start) as usize];
        file.read_exact_at(&mut bytes, u64::from(start)).ok()?;
        String::from_utf8(bytes).ok()
    }

    fn find(&self, key: &Key) -> Option<String> {
        let at = self.entries.binary_search_by(|e| e.0.cmp(key)).ok()?;
        let (_, start, end) = self.entries[at];
        self.entry(start, end)
    }

    /// The entries in the pack's order.
    fn in_order(&self) -> Vec<&(Key, u32, u32)> {
        let mut order: Vec<&(Key, u32, u32)> = self.entries.iter().collect();
        order.sort_unstable_by_key(|entry| entry.1);
        order
    }
}

#[cfg(test)]
fn entry_text(key: &str, html: &str) -> String {
    format!("{key} {}\n{html}\n", html.len())
}

impl DiskCache {
    /// The cache in `folder` (`Inputs::cache_folder`), or `None` with a
    /// note in `notes` saying why it is not used.
    pub fn open_noting(folder: Option<&Path>, notes: &mut Vec<String>) -> Option<DiskCache> {
        match DiskCache::open(folder?) {
            Ok(cache) => Some(cache),
            Err(note) => {
                notes.push(note);
                None
            }
        }
    }

    /// Opens (making it when missing) the cache in `folder`. `Err` says why
    /// it cannot be used, for a note.
    pub fn open(folder: &Path) -> Result<DiskCache, String> {
        let shown = folder.display();
        // A new or empty folder is marked as manual's (and ignored by git);
        // one of the user's, without the mark, is never written or pruned.
        crate::safe_write::claim_cache_folder(folder).map_err(|e| {
            format!("the cache folder {shown} cannot be used ({e}); building without it")
        })?;
        let entries = folder.join(format!("highlight-{STAMP}"));
        make_real_folder(&entries).map_err(|e| {
            format!("the cache folder {shown} cannot be used ({e}); building without it")
        })?;
        Ok(DiskCache {
            pack: RwLock::new(Pack::read(&entries.join(PACK))),
            entries,
            folder: folder.to_path_buf(),
            notes: Mutex::new(Vec::new()),
            run: Mutex::new(Run::default()),
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

    /// The highlighted HTML of `code` (inside `<code>`) if a valid entry
    /// holds it.
    pub fn get(&self, key: &str, code: &str) -> Option<String> {
        let pack = self.pack.read().expect("cache pack");
        let key = key_bytes(key)?;
        let html = pack.find(&key)?;
        let mut run = self.run.lock().expect("cache run");
        if holds_exactly(&html, code) {
            run.used.insert(key);
            return Some(html);
        }
        run.bad.insert(key);
        drop(run);
        drop(pack);
        self.note(format!(
            "a cache entry in {} did not match its code and was not used",
            self.folder.display()
        ));
        None
    }

    /// Keeps a block highlighted this run, for the pack `save` writes.
    pub fn put(&self, key: &str, html: &str) {
        self.run
            .lock()
            .expect("cache run")
            .added
            .push((key.to_string(), html.to_string()));
    }

    /// Writes the pack when this run added to it or found a bad entry:
    /// what was added, then what was used, then the rest in the old order,
    /// as long as it fits in `budget` bytes.
    fn save(&self, budget: u64) {
        let run = std::mem::take(&mut *self.run.lock().expect("cache run"));
        if run.added.is_empty() && run.bad.is_empty() {
            return;
        }
        let mut pack = self.pack.write().expect("cache pack");
        // Old entries are copied from the old pack's file straight into the
        // new one, one at a time. They are unique already; only the keys
        // added this run are remembered, to leave their old copies out.
        let mut added_keys: HashSet<Key> = HashSet::with_capacity(run.added.len());
        let added: Vec<(Key, &str)> = run
            .added
            .iter()
            .filter_map(|(key, html)| Some((key_bytes(key)?, html.as_str())))
            .filter(|(key, _)| added_keys.insert(*key))
            .collect();
        let order = pack.in_order();
        let used = order
            .iter()
            .filter(|entry| run.used.contains(&entry.0) && !added_keys.contains(&entry.0));
        let rest = order.iter().filter(|entry| {
            !run.used.contains(&entry.0)
                && !run.bad.contains(&entry.0)
                && !added_keys.contains(&entry.0)
        });
        let old = used.chain(rest).filter_map(|&&(key, start, end)| {
            Some((key, std::borrow::Cow::Owned(pack.entry(start, end)?)))
        });
        let entries = added
            .into_iter()
            .map(|(key, html)| (key, std::borrow::Cow::Borrowed(html)))
            .chain(old);
        let write = || -> std::io::Result<fs::File> {
            let file = tempfile::NamedTempFile::new_in(&self.entries)?;
            let mut out = std::io::BufWriter::new(&file);
            let mut written = 0usize;
            let mut header = String::with_capacity(LONGEST_HEADER);
            for (key, html) in entries {
                header.clear();
                push_hex(&mut header, &key);
                header.push(' ');
                header.push_str(&html.len().to_string());
                header.push('\n');
                let entry_length = header.len() + html.len() + 1;
                if written + entry_length > budget as usize {
                    break;
                }
                out.write_all(header.as_bytes())?;
                out.write_all(html.as_bytes())?;
                out.write_all(b"\n")?;
                written += entry_length;
            }
            out.flush()?;
            drop(out);
            file.persist(self.entries.join(PACK)).map_err(|e| e.error)
        };
        match write() {
            // What a later save in this run starts from: the pack just
            // written, indexed again from its file.
            Ok(written) => {
                drop(order);
                *pack = Pack::default();
                if let Ok(()) = std::io::Seek::rewind(&mut &written) {
                    *pack = Pack::of(written);
                }
            }
            Err(e) => {
                drop(order);
                drop(pack);
                self.note(format!(
                    "cannot write to the cache folder {} ({e}); the next build highlights again",
                    self.folder.display()
                ));
            }
        }
    }

    /// After a build: writes the pack (within `budget` bytes) if it
    /// changed, and removes the folders of other versions of `manual`.
    pub fn prune(&self, budget: u64) {
        self.save(budget);
        // Folders inside this version's are an older layout's (an entry a
        // file): the pack holds everything now.
        for old in fs::read_dir(&self.entries).into_iter().flatten().flatten() {
            if old.file_type().is_ok_and(|t| t.is_dir()) {
                let _ = crate::safe_write::remove_in_cache(&self.folder, &old.path());
            }
        }
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
                && crate::safe_write::remove_in_cache(&self.folder, &folder.path()).is_ok()
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
    fn a_stored_entry_is_found_by_the_next_run_and_a_tampered_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("c");
        let code = "x = 1\n";
        let key = key("ruby", code);
        let html = "x = <span class=\"c3\">1</span>\n";
        let cache = DiskCache::open(&folder).unwrap();
        assert_eq!(cache.get(&key, code), None);
        cache.put(&key, html);
        cache.prune(DEFAULT_BUDGET);
        let cache = DiskCache::open(&folder).unwrap();
        assert_eq!(cache.get(&key, code).as_deref(), Some(html));

        let pack = cache.entries.join(PACK);
        let bad = "x = <img src=x onerror=alert(1)>1\n";
        fs::write(&pack, entry_text(&key, bad)).unwrap();
        let cache = DiskCache::open(&folder).unwrap();
        assert_eq!(cache.get(&key, code), None);
        assert_eq!(cache.take_notes().len(), 1);
        cache.prune(DEFAULT_BUDGET);
        assert!(
            !fs::read_to_string(&pack).unwrap().contains("onerror"),
            "the bad entry is dropped"
        );
        // Half a pack: what is whole is read, the rest is not.
        let two = entry_text(&key, html) + &entry_text(&"f".repeat(64), "y\n");
        fs::write(&pack, &two[..two.len() - 2]).unwrap();
        let cache = DiskCache::open(&folder).unwrap();
        assert_eq!(cache.pack.read().unwrap().entries.len(), 1);
        assert_eq!(cache.get(&key, code).as_deref(), Some(html));
    }

    #[test]
    fn a_second_save_in_one_run_keeps_what_the_first_wrote() {
        // As `serve` does: a save after each rebuild that highlighted.
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("c");
        let cache = DiskCache::open(&folder).unwrap();
        let (a, b) = ("a = 1\n", "b = 2\n");
        cache.put(&key("ruby", a), a);
        cache.prune(DEFAULT_BUDGET);
        cache.put(&key("ruby", b), b);
        cache.prune(DEFAULT_BUDGET);
        let next = DiskCache::open(&folder).unwrap();
        assert_eq!(next.get(&key("ruby", a), a).as_deref(), Some(a));
        assert_eq!(next.get(&key("ruby", b), b).as_deref(), Some(b));
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
    fn the_pack_keeps_the_most_recently_used_entries_under_the_budget() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("c");
        let old_version = folder.join("highlight-0000");
        fs::create_dir_all(&old_version).unwrap();
        fs::write(old_version.join(PACK), "x").unwrap();
        // An earlier build of manual marked the folder as its own.
        fs::write(
            folder.join(crate::safe_write::CACHE_TAG),
            crate::safe_write::CACHE_TAG_TEXT,
        )
        .unwrap();
        let blocks: Vec<(String, String)> = (0..10)
            .map(|i| {
                let code = format!("{i:0>100}\n");
                (key("text", &code), code)
            })
            .collect();
        // Each entry is 64 + 1 + 3 + 1 + 101 + 1 = 171 bytes.
        let budget = 171 * 6;
        // The first run highlights blocks 0 to 5; the second uses 0 and 1
        // and adds 6 to 9: the pack then holds the added, then the used.
        let first = DiskCache::open(&folder).unwrap();
        for (key, code) in &blocks[..6] {
            first.put(key, code);
        }
        first.prune(budget);
        assert!(!old_version.exists());
        let second = DiskCache::open(&folder).unwrap();
        for (key, code) in &blocks[..2] {
            assert!(second.get(key, code).is_some());
        }
        for (key, code) in &blocks[6..] {
            second.put(key, code);
        }
        second.prune(budget);
        let third = DiskCache::open(&folder).unwrap();
        let kept: Vec<bool> = blocks
            .iter()
            .map(|(key, code)| third.get(key, code).is_some())
            .collect();
        assert_eq!(
            kept,
            [
                true, true, false, false, false, false, true, true, true, true
            ]
        );
    }
}
