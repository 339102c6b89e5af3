//! Outputs a build can take from the site it replaces rather than make
//! again: a warm build renders only what changed.
//!
//! After each build a record is kept in the cache folder: for every output
//! made from a layout, its fingerprint (the hash of everything its layout
//! saw, `render::Renderer::fingerprint`) and the file's stamp as written
//! (device, inode, length, time modified). The next build into the same
//! folder links an output's old file into its staging folder, instead of
//! rendering it, when the fingerprint is the same and the old file still
//! has that stamp: the file is the one this build of `manual` wrote from the
//! same inputs, untouched since.
//!
//! Nothing here trusts the project. The record is sealed with the user's
//! key (`seal`), so one committed to the cache folder is ignored; it names
//! the running executable, so a record of another build of `manual` is
//! ignored; a stamp cannot be forged by committing files, since git writes
//! them with their own inodes and times; and an old file is linked only if
//! it is a regular file (never a symbolic link) and the link turns out to be
//! that same file. Whatever fails, the output is made as if there were no
//! record, so output is the same with or without one (`tests/it/cache.rs`).

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::seal::Key;
use crate::url::OutputPath;

/// A file as the file system last saw it; any write changes the time
/// modified, and a replaced file has another inode. Unlike the parse
/// cache's `pipeline::FileStamp` it leaves out the change time, which
/// linking the file (this module's whole work) changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Stamp {
    device: u64,
    inode: u64,
    length: u64,
    modified: (i64, i64),
}

impl Stamp {
    fn of(metadata: &fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            device: metadata.dev(),
            inode: metadata.ino(),
            length: metadata.len(),
            modified: (metadata.mtime(), metadata.mtime_nsec()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Entry {
    fingerprint: u64,
    stamp: Stamp,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Record {
    /// The executable that wrote the outputs (its stamp): another build of
    /// `manual` may render the same inputs differently.
    binary: String,
    outputs: BTreeMap<String, Entry>,
}

/// The record of the build before (what may be reused) and of this one (what
/// was made or reused), for one output folder.
pub struct Reuse {
    key: Key,
    record_path: PathBuf,
    binary: String,
    /// The folder the site being replaced is in.
    old_site: PathBuf,
    previous: BTreeMap<String, Entry>,
    made: Mutex<Vec<(String, Entry)>>,
    reused: AtomicUsize,
}

/// The stamp of the running executable: a rebuilt `manual` is another one.
fn binary_stamp() -> Option<String> {
    let path = std::env::current_exe().ok()?;
    let stamp = Stamp::of(&fs::metadata(&path).ok()?);
    Some(format!(
        "{}:{}:{}:{}.{}",
        stamp.device, stamp.inode, stamp.length, stamp.modified.0, stamp.modified.1
    ))
}

impl Reuse {
    /// The record for publishing at `site` (a real path), kept in
    /// `cache_folder`. `Err` says why outputs cannot be reused, for a note;
    /// a record that is missing or not this user's and this executable's is
    /// an empty one, not an error.
    pub fn open(cache_folder: &Path, site: &Path) -> Result<Reuse, String> {
        let key = Key::load().map_err(|e| format!("{e}, so every page is made again"))?;
        let binary = binary_stamp().ok_or("the running executable cannot be found")?;
        let folder = cache_folder.join("outputs");
        let real = |folder: &Path| crate::highlight::disk::make_real_folder(folder);
        real(cache_folder)
            .and_then(|()| real(&folder))
            .map_err(|e| {
                format!(
                    "the cache folder {} cannot be used ({e}), so every page is made again",
                    folder.display()
                )
            })?;
        let name = blake3::hash(site.as_os_str().as_encoded_bytes()).to_hex();
        let record_path = folder.join(&name[..32]);
        let previous = read_record(&key, &record_path)
            .filter(|record| record.binary == binary)
            .map(|record| record.outputs)
            .unwrap_or_default();
        Ok(Reuse {
            key,
            record_path,
            binary,
            old_site: site.to_path_buf(),
            previous,
            made: Mutex::new(Vec::new()),
            reused: AtomicUsize::new(0),
        })
    }

    /// Links the old file of `file` into `staging` when it was made from the
    /// same `fingerprint` and is untouched since; false when the output
    /// must be made.
    pub fn take(&self, file: &OutputPath, fingerprint: u64, staging: &Path) -> bool {
        let Some(entry) = self.previous.get(file.as_str()) else {
            return false;
        };
        if entry.fingerprint != fingerprint {
            return false;
        }
        let old = self.old_site.join(file.as_str());
        let new = staging.join(file.as_str());
        if fs::hard_link(&old, &new).is_err() {
            return false;
        }
        // What was linked (a link's name is linked, never followed) must be
        // the very file recorded: a regular file, same inode, untouched.
        let recorded = fs::symlink_metadata(&new)
            .is_ok_and(|m| m.file_type().is_file() && Stamp::of(&m) == entry.stamp);
        if !recorded {
            let _ = fs::remove_file(&new);
            return false;
        }
        self.note(file, *entry);
        self.reused.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Records that `file` was written from `fingerprint`; `metadata` is the
    /// written file's.
    pub fn made(&self, file: &OutputPath, fingerprint: u64, metadata: &fs::Metadata) {
        self.note(
            file,
            Entry {
                fingerprint,
                stamp: Stamp::of(metadata),
            },
        );
    }

    fn note(&self, file: &OutputPath, entry: Entry) {
        self.made
            .lock()
            .expect("the reuse record")
            .push((file.as_str().to_string(), entry));
    }

    /// How many outputs were taken from the old site.
    pub fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    /// Keeps the record of this build, once it is published. `Err` says
    /// why it could not be kept, for a note.
    pub fn save(self) -> Result<(), String> {
        let record = Record {
            binary: self.binary,
            outputs: self
                .made
                .into_inner()
                .expect("the reuse record")
                .into_iter()
                .collect(),
        };
        let text = serde_json::to_vec(&record).expect("a record serialises");
        let folder = self
            .record_path
            .parent()
            .expect("the record is in a folder");
        let write = || -> std::io::Result<()> {
            let mut file = tempfile::NamedTempFile::new_in(folder)?;
            file.write_all(&self.key.sealed(&text))?;
            file.persist(&self.record_path).map_err(|e| e.error)?;
            Ok(())
        };
        write().map_err(|e| {
            format!(
                "cannot keep the record of this build in {} ({e}); the next build makes every page again",
                folder.display()
            )
        })
    }
}

fn read_record(key: &Key, path: &Path) -> Option<Record> {
    // Read before its seal is checked, so bounded: a record is about 150
    // bytes an output.
    let metadata = fs::symlink_metadata(path).ok()?;
    if !metadata.is_file() || metadata.len() > crate::highlight::disk::DEFAULT_BUDGET {
        return None;
    }
    let sealed = fs::read(path).ok()?;
    serde_json::from_slice(key.open(&sealed)?).ok()
}
