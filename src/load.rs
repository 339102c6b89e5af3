//! Stage 1, load: walk the source directory and read every page as text.
//! Assets are only listed here; their bytes are copied by the write stage.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

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
    pub path: PathBuf,
    pub relative: String,
}

#[derive(Debug, Default)]
pub struct Sources {
    pub pages: Vec<PageSource>,
    pub assets: Vec<AssetSource>,
}

enum Kind {
    Page,
    Asset,
    Skipped,
}

fn classify(relative: &str) -> Kind {
    if relative.ends_with(".md") || relative.ends_with(".md.erb") {
        Kind::Page
    } else if relative.ends_with(".erb") {
        Kind::Skipped
    } else {
        Kind::Asset
    }
}

/// Lists and reads the source tree in a sorted, deterministic order. Hidden
/// files and folders (names starting with `.`) and the settings file are not
/// part of the site.
pub fn load(source_dir: &Path, settings_file: Option<&Path>) -> (Sources, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let settings_file = settings_file.and_then(|p| p.canonicalize().ok());
    let mut page_paths = Vec::new();
    let mut sources = Sources::default();

    let canonical_source = source_dir.canonicalize().ok();
    let mut walker = WalkDir::new(source_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().unwrap_or(source_dir).to_path_buf();
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
        // A link may point anywhere; publishing what it points at outside
        // the source folder could publish any file on the machine.
        if entry.path_is_symlink()
            && let Some(source) = &canonical_source
            && entry
                .path()
                .canonicalize()
                .is_ok_and(|target| !target.starts_with(source))
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::SourceLinkOutside,
                    entry.path(),
                    "symbolic link to a file or folder outside the source folder",
                )
                .with_help("copy what it points at into the source folder, or remove the link"),
            );
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path().to_path_buf();
        if settings_file.is_some() && path.canonicalize().ok() == settings_file {
            continue;
        }
        let relative = relative_path(source_dir, &path);
        match classify(&relative) {
            Kind::Page => page_paths.push((path, relative)),
            Kind::Asset => sources.assets.push(AssetSource { path, relative }),
            Kind::Skipped => diagnostics.push(
                Diagnostic::warning(
                    Code::ErbSkipped,
                    path,
                    "ERB templates are not run, so this file is not published",
                )
                .with_help("turn it into a markdown page (`.html.md`) or remove it"),
            ),
        }
    }

    let read: Vec<Result<(PageSource, Option<Diagnostic>), Diagnostic>> = page_paths
        .into_par_iter()
        .map(|(path, relative)| read_page(path, relative))
        .collect();
    for result in read {
        match result {
            Ok((page, warning)) => {
                diagnostics.extend(warning);
                sources.pages.push(page);
            }
            Err(error) => diagnostics.push(error),
        }
    }
    (sources, diagnostics)
}

fn relative_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn read_page(
    path: PathBuf,
    relative: String,
) -> Result<(PageSource, Option<Diagnostic>), Diagnostic> {
    let bytes = std::fs::read(&path).map_err(|e| {
        Diagnostic::error(
            Code::SourceUnreadable,
            &path,
            format!("cannot read page: {e}"),
        )
        .with_help("check that the file exists and that you may read it")
    })?;
    let text = decode(&bytes).map_err(|(line, column, byte)| {
        Diagnostic::error(
            Code::SourceNotUtf8,
            &path,
            format!("page is not valid UTF-8 (byte 0x{byte:02X})"),
        )
        .at(line, column)
        .with_help("save the file with UTF-8 encoding")
    })?;
    let warning = relative
        .ends_with(".erb")
        .then(|| erb_warning(&path, &text));
    Ok((
        PageSource {
            path,
            relative,
            text,
        },
        warning,
    ))
}

/// Decodes page bytes, or says where the first invalid byte is.
pub fn decode(bytes: &[u8]) -> Result<String, (usize, usize, u8)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains('\r') => Ok(text.replace("\r\n", "\n")),
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let valid = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
            let line = valid.matches('\n').count() + 1;
            let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err((line, column, bytes[e.valid_up_to()]))
        }
    }
}

/// `.md.erb` pages are published as markdown: their `<% %>` tags are not
/// run and show as literal text. The warning points at the first tag.
fn erb_warning(path: &Path, text: &str) -> Diagnostic {
    let warning = Diagnostic::warning(
        Code::ErbNotRun,
        path,
        "ERB is not run: this page is published as markdown and its `<% %>` tags show as literal text",
    )
    .with_help("replace the ERB tags with the markdown they produce, then rename the file to `.html.md`");
    match text.find("<%") {
        Some(offset) => {
            let index = crate::diagnostics::LineIndex::new(text);
            let (line, column) = index.line_col(text, offset);
            warning.at(line, column)
        }
        None => warning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_strips_bom_and_crlf() {
        assert_eq!(decode(b"\xEF\xBB\xBFa\r\nb\r\n").unwrap(), "a\nb\n");
    }

    #[test]
    fn decode_locates_invalid_bytes() {
        assert_eq!(decode(b"ok\nab\xFFc").unwrap_err(), (2, 3, 0xFF));
    }

    #[test]
    fn classifies_pages_assets_and_erb() {
        assert!(matches!(classify("manual/a.html.md"), Kind::Page));
        assert!(matches!(classify("a.md"), Kind::Page));
        assert!(matches!(classify("a.html.md.erb"), Kind::Page));
        assert!(matches!(classify("layout.html.erb"), Kind::Skipped));
        assert!(matches!(classify("images/a.png"), Kind::Asset));
    }
}
