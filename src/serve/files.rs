//! The site as `serve` holds it: every file `build` would write, in memory
//! (assets as paths, read when asked for), in immutable snapshots.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::url::{OutputPath, SitePath};
use crate::write::SiteSink;

#[derive(Debug, Clone)]
pub enum Served {
    /// Shared, so a new snapshot that changes one page copies no other.
    Bytes(Arc<[u8]>),
    /// An asset, read from the source when requested.
    File(PathBuf),
}

/// Collects a rendered site in memory; used where `build` uses a staging
/// folder, so `serve` shows exactly what `build` writes.
#[derive(Default)]
pub struct MemorySink {
    files: Mutex<HashMap<String, Served>>,
}

impl MemorySink {
    pub fn into_files(self) -> HashMap<String, Served> {
        self.files.into_inner().expect("sink lock")
    }
}

impl SiteSink for MemorySink {
    fn create_folders(&self, _: &mut dyn Iterator<Item = &OutputPath>) -> io::Result<()> {
        Ok(())
    }

    fn write(&self, file: &OutputPath, contents: &[u8]) -> io::Result<()> {
        self.files
            .lock()
            .expect("sink lock")
            .insert(file.to_string(), Served::Bytes(contents.into()));
        Ok(())
    }

    fn copy(&self, file: &OutputPath, from: &Path) -> io::Result<()> {
        self.files
            .lock()
            .expect("sink lock")
            .insert(file.to_string(), Served::File(from.to_path_buf()));
        Ok(())
    }

    fn location(&self, relative: &str) -> PathBuf {
        PathBuf::from("(memory)").join(relative)
    }
}

/// What a request path means, once decoded and made safe.
#[derive(Debug, PartialEq, Eq)]
pub enum RequestPath {
    /// A path below the site root, without the leading `/`.
    File(String),
    /// `..`, a backslash, a NUL or bad encoding: never served.
    Refused,
    /// Not below the site's base path.
    Outside,
}

/// Decodes `raw` (as sent, percent-encoded) into the file it names, through
/// the same door as every file the build writes: anything that could leave
/// the site (`..` in any encoding, backslashes, control characters) is
/// refused.
pub fn request_path(raw: &str) -> RequestPath {
    // Browsers send `//` as written; it means the same folder here.
    let mut collapsed = String::with_capacity(raw.len());
    for c in raw.chars() {
        if !(c == '/' && collapsed.ends_with('/')) {
            collapsed.push(c);
        }
    }
    match SitePath::from_url_path(&collapsed) {
        Ok(path) => RequestPath::File(path.output_path().to_string()),
        Err(_) => RequestPath::Refused,
    }
}

/// Reads an asset, refusing files that are links to outside `roots`.
pub fn read_asset(path: &Path, roots: &[PathBuf]) -> Option<Vec<u8>> {
    let real = path.canonicalize().ok()?;
    let inside = roots
        .iter()
        .filter_map(|root| root.canonicalize().ok())
        .any(|root| real.starts_with(root));
    if !inside {
        return None;
    }
    std::fs::read(real).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_decoded_and_made_safe() {
        assert_eq!(request_path("/"), RequestPath::File("index.html".into()));
        assert_eq!(
            request_path("/manual/"),
            RequestPath::File("manual/index.html".into())
        );
        assert_eq!(
            request_path("/manual/a%20b.html"),
            RequestPath::File("manual/a b.html".into())
        );
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/manual/..%2f..%2fetc",
            "/a\\..\\b",
            "/%2E%2E%5Cx",
            "/a/./b",
            "/%00",
            "/%ff",
        ] {
            assert_eq!(request_path(bad), RequestPath::Refused, "{bad}");
        }
    }

    proptest::proptest! {
        /// Whatever a client sends, a served path stays inside the site:
        /// no `..` or `.` segment, no absolute path, no backslash or NUL.
        #[test]
        fn no_request_leaves_the_site(raw in "(/|%2[eEfF]|%5[cC]|%00|\\.|\\.\\.|[a-z]|%[0-9a-fA-F]{2}|\\\\)*") {
            if let RequestPath::File(path) = request_path(&raw) {
                proptest::prop_assert!(!path.starts_with('/'), "{raw} -> {path}");
                proptest::prop_assert!(!path.contains(['\\', '\0']), "{raw} -> {path}");
                proptest::prop_assert!(
                    path.split('/').all(|segment| !segment.is_empty() && segment != ".." && segment != "."),
                    "{raw} -> {path}"
                );
            }
        }
    }
}
