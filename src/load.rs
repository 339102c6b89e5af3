//! Stage 1, load: walk the source directory and read every page as text.
//! Assets are only listed here; their bytes are copied by the write stage.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

pub mod alerts;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};

#[derive(Debug, Clone)]
pub struct PageSource {
    pub path: PathBuf,
    /// Path below the source directory with `/` separators, e.g. `manual/x.html.md`.
    pub relative: String,
    /// UTF-8 text with any byte-order mark removed and CRLF turned into LF
    /// (line numbers are unchanged by either).
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct AssetSource {
    /// The file, or for a file of the built-in theme where messages say
    /// it is.
    pub path: PathBuf,
    pub relative: String,
    /// The contents of a file of the built-in theme, compiled in.
    pub builtin: Option<&'static [u8]>,
}

/// The files of the source folder, sorted: pages to read and parse,
/// assets to copy, and templates (partials and ERB layouts), which pages
/// use and which are never published themselves.
#[derive(Debug, Default)]
pub struct Listing {
    pub pages: Vec<Listed>,
    pub assets: Vec<AssetSource>,
    pub templates: Vec<Listed>,
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Page,
    Asset,
    Template,
}

pub use crate::project::ERB_LAYOUTS_FOLDER;

/// Whether a file (from the source folder) is in the folder of the site's
/// own ERB layouts.
pub fn in_erb_layouts(relative: &str) -> bool {
    relative
        .strip_prefix(ERB_LAYOUTS_FOLDER)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// As Middleman sorts files: `_`-prefixed files are partials and files in
/// `layouts/` are layouts (neither is published); other `.erb` files that
/// are not markdown pages are templates too, published by nothing.
fn classify(relative: &str) -> Kind {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    if name.starts_with('_') || in_erb_layouts(relative) {
        Kind::Template
    } else if relative.ends_with(".md") || relative.ends_with(".md.erb") {
        Kind::Page
    } else if relative.ends_with(".erb") {
        Kind::Template
    } else {
        Kind::Asset
    }
}

/// The largest page read; a larger one is an error (`source-too-large`).
/// Far above any real page (the tests build a 100 MB one), it bounds what
/// one file can make the build hold.
pub const MAX_PAGE_BYTES: u64 = 128 * 1024 * 1024;
/// The largest settings file or layout template read.
pub const MAX_SETTINGS_BYTES: u64 = 4 * 1024 * 1024;

/// A regular file found below a root folder.
#[derive(Debug, Clone)]
pub struct Listed {
    pub path: PathBuf,
    /// Path below the root with `/` separators.
    pub relative: String,
}

/// Every regular file below `root`, sorted, as the one walk that source and
/// layouts both use. Refused, each with an error naming it: a symbolic link
/// that resolves outside `root` (publishing it could publish any file on
/// the machine), a FIFO, socket or device (reading one blocks or never
/// ends), a link loop and anything unreadable. Names starting with `.` are
/// left out when `skip_hidden`.
pub fn list_files(root: &Path, skip_hidden: bool) -> (Vec<Listed>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let mut files = Vec::new();
    let canonical_root = root.canonicalize().ok();
    let mut walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !skip_hidden || !e.file_name().to_string_lossy().starts_with('.')
        });
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().unwrap_or(root).to_path_buf();
                let message = match err.loop_ancestor() {
                    Some(ancestor) => {
                        format!("symbolic link loop back to {}", ancestor.display())
                    }
                    None => format!(
                        "cannot read: {}",
                        err.io_error()
                            .map_or_else(|| err.to_string(), ToString::to_string)
                    ),
                };
                diagnostics.push(
                    Diagnostic::error(Code::SourceUnreadable, path, message)
                        .with_help("fix or remove this file or link"),
                );
                continue;
            }
        };
        if entry.path_is_symlink()
            && let Some(root) = &canonical_root
            && entry
                .path()
                .canonicalize()
                .is_ok_and(|target| !target.starts_with(root))
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::SourceLinkOutside,
                    entry.path(),
                    format!(
                        "symbolic link to a file or folder outside {}",
                        root.display()
                    ),
                )
                .with_help("copy what it points at into the folder, or remove the link"),
            );
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            diagnostics.push(not_regular(entry.path()));
            continue;
        }
        files.push(Listed {
            relative: relative_path(root, entry.path()),
            path: entry.path().to_path_buf(),
        });
    }
    (files, diagnostics)
}

fn not_regular(path: &Path) -> Diagnostic {
    Diagnostic::error(
        Code::SourceNotRegular,
        path,
        "this is a FIFO, socket or device, not a file; reading it could block for ever",
    )
    .with_help("remove it from the folder")
}

/// Opens a file for reading without ever blocking on it, and only if it is
/// a regular file (a FIFO swapped in after the walk is refused here too).
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    open_regular_sized(path).map(|(file, _)| file)
}

/// `open_regular`, and the file's length.
fn open_regular_sized(path: &Path) -> std::io::Result<(std::fs::File, u64)> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, socket or device)",
        ));
    }
    Ok((file, metadata.len()))
}

/// Why a text file could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    NotRegular,
    TooLarge(u64),
    /// (line, column, byte) of the first invalid byte.
    NotUtf8(usize, usize, u8),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotRegular => f.write_str("not a regular file (a FIFO, socket or device)"),
            ReadError::TooLarge(limit) => {
                write!(f, "larger than {} MiB", limit / (1024 * 1024))
            }
            ReadError::NotUtf8(line, column, byte) => write!(
                f,
                "not valid UTF-8 (byte 0x{byte:02X} at line {line}, column {column})"
            ),
        }
    }
}

/// Reads a regular file of at most `limit` bytes as text: UTF-8, with a
/// byte-order mark removed and CRLF made LF.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    use std::io::Read;
    let (file, size) = open_regular_sized(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::InvalidInput {
            ReadError::NotRegular
        } else {
            ReadError::Io(e)
        }
    })?;
    // Room for the whole file and the byte that shows it grew past the
    // limit: one read, not a series of growing ones.
    let mut bytes = Vec::with_capacity(size.min(limit) as usize + 1);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit));
    }
    decode(bytes).map_err(|(line, column, byte)| ReadError::NotUtf8(line, column, byte))
}

/// Lists the source tree in a sorted, deterministic order. Hidden files and
/// folders (names starting with `.`) and the settings file are not part of
/// the site. Pages are read by [`read_page`], once each (or, in `serve`,
/// once per change).
pub fn list(source_dir: &Path, settings_files: &[PathBuf]) -> (Listing, Diagnostics) {
    // Every file that is, or could be, a settings file: none is ever
    // published, read or not.
    let settings_files: Vec<_> = settings_files
        .iter()
        .filter_map(|p| Some((p.file_name()?, p.canonicalize().ok()?)))
        .collect();
    let (listed, diagnostics) = list_files(source_dir, true);
    let mut listing = Listing::default();
    for file in listed {
        // Only a file with a settings file's name can be one.
        if settings_files.iter().any(|(name, real)| {
            file.path.file_name() == Some(*name)
                && file.path.canonicalize().ok().as_ref() == Some(real)
        }) {
            continue;
        }
        match classify(&file.relative) {
            Kind::Page => listing.pages.push(file),
            Kind::Asset => listing.assets.push(AssetSource {
                path: file.path,
                relative: file.relative,
                builtin: None,
            }),
            Kind::Template => listing.templates.push(file),
        }
    }
    (listing, diagnostics)
}

fn relative_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads one page as the load stage does; `serve` reads a saved page
/// through here too, so it accepts exactly what `build` accepts.
pub fn read_page(path: PathBuf, relative: String) -> Result<PageSource, Diagnostic> {
    let text = read_text(&path, MAX_PAGE_BYTES).map_err(|e| match e {
        ReadError::Io(e) => Diagnostic::error(
            Code::SourceUnreadable,
            &path,
            format!("cannot read page: {e}"),
        )
        .with_help("check that the file exists and that you may read it"),
        ReadError::NotRegular => not_regular(&path),
        ReadError::TooLarge(limit) => Diagnostic::error(
            Code::SourceTooLarge,
            &path,
            format!("page is larger than {} MiB", limit / (1024 * 1024)),
        )
        .with_help("split it into several pages"),
        ReadError::NotUtf8(line, column, byte) => Diagnostic::error(
            Code::SourceNotUtf8,
            &path,
            format!("page is not valid UTF-8 (byte 0x{byte:02X})"),
        )
        .at(line, column)
        .with_help("save the file with UTF-8 encoding"),
    })?;
    Ok(PageSource {
        path,
        relative,
        text,
    })
}

/// Decodes page bytes, or says where the first invalid byte is.
pub fn decode(mut bytes: Vec<u8>) -> Result<String, (usize, usize, u8)> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) if text.contains('\r') => Ok(text.replace("\r\n", "\n")),
        Ok(text) => Ok(text),
        Err(e) => {
            let (bytes, e) = (e.as_bytes(), e.utf8_error());
            let valid = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
            let line = valid.matches('\n').count() + 1;
            let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err((line, column, bytes[e.valid_up_to()]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_strips_bom_and_crlf() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFa\r\nb\r\n".to_vec()).unwrap(),
            "a\nb\n"
        );
    }

    #[test]
    fn decode_locates_invalid_bytes() {
        assert_eq!(decode(b"ok\nab\xFFc".to_vec()).unwrap_err(), (2, 3, 0xFF));
    }

    #[test]
    fn classifies_pages_assets_and_templates_as_middleman_does() {
        assert_eq!(classify("manual/a.html.md"), Kind::Page);
        assert_eq!(classify("a.md"), Kind::Page);
        assert_eq!(classify("a.html.md.erb"), Kind::Page);
        assert_eq!(classify("x/index.html.md.erb"), Kind::Page);
        assert_eq!(classify("layout.html.erb"), Kind::Template);
        assert_eq!(classify("partials/_links.erb"), Kind::Template);
        assert_eq!(classify("docs/_intro.md"), Kind::Template);
        assert_eq!(classify("layouts/custom.erb"), Kind::Template);
        assert_eq!(classify("layouts/page.html.md"), Kind::Template);
        assert_eq!(classify("layoutsx/page.html.md"), Kind::Page);
        assert_eq!(classify("images/a.png"), Kind::Asset);
        assert_eq!(classify("images/_hidden.png"), Kind::Template);
    }
}
