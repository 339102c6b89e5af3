//! The script check on what is published: the final bytes of every HTML
//! or SVG file a layout makes, and of every document a site's `layouts/`
//! lays over the theme, after templates, ERB layouts and overrides have
//! all run. The checks of the parse stage see each input alone; only the
//! published bytes show what two of them make together (an ERB layout
//! that writes `<scr` before `yield` and `ipt>` after it) and what no page
//! wrote (a theme override's `onload=`).
//!
//! The built-in theme's own scripts (`search.js`, `review.js`) are the
//! only script a site publishes without `allow_script`, and only while the
//! published file is the built-in one, byte for byte (by its SHA-256): a
//! replaced `search.js` runs whatever the pull request wrote.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use crate::diagnostics::{Code, Diagnostic};
use crate::parse::html;
use crate::site::Site;

/// The built-in scripts' addresses below the theme's assets.
const BUILTIN_SCRIPTS: &[&str] = &[
    "/assets/search.js",
    "/assets/review.js",
    "/assets/copy.js",
    "/assets/theme.js",
];

/// Extensions of files a browser runs as documents.
const DOCUMENTS: &[&str] = &["html", "htm", "xhtml", "svg", "xml", "xsl", "xslt"];

pub fn is_document(url: &str) -> bool {
    url.rsplit_once('.')
        .is_some_and(|(_, extension)| DOCUMENTS.contains(&extension.to_ascii_lowercase().as_str()))
}

/// What a published file may load as script: the `src` of each built-in
/// script whose published bytes are the built-in ones. Worked out once a
/// run.
pub struct ScriptPolicy {
    allow_all: bool,
    trusted_sources: HashSet<String>,
    /// The tags the built-in theme writes for them, exactly: the quick
    /// test passes these, and the scan still judges any other spelling.
    trusted_tags: Vec<String>,
    /// Built-in scripts a site's `layouts/assets/` replaces with other
    /// bytes: script of the pull request's, at an address every reader's
    /// browser trusts, so an error whether a page loads it today or not.
    replaced: Vec<std::path::PathBuf>,
}

impl std::hash::Hash for ScriptPolicy {
    /// Part of every output's fingerprint: a warm build reuses an output
    /// only if it would pass the same check again (a replaced `search.js`
    /// changes no page's context, but does change what the search page may
    /// load).
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.allow_all.hash(state);
        self.replaced.hash(state);
        let mut sources: Vec<&String> = self.trusted_sources.iter().collect();
        sources.sort();
        sources.hash(state);
    }
}

impl ScriptPolicy {
    pub fn new(site: &Site) -> ScriptPolicy {
        let mut trusted_sources = HashSet::new();
        let mut replaced = Vec::new();
        for &url in BUILTIN_SCRIPTS {
            let Some(builtin) = crate::render::templates::builtin_file(url.trim_start_matches('/'))
            else {
                continue;
            };
            let published = site.theme_assets.iter().find(|a| a.url == url);
            let same = published.is_some_and(|asset| match asset.builtin {
                Some(bytes) => bytes == builtin,
                None => read_limited(&asset.path)
                    .is_some_and(|bytes| Sha256::digest(&bytes) == Sha256::digest(builtin)),
            });
            if same {
                trusted_sources.insert(site.href(url, None));
            } else if let Some(asset) = published {
                replaced.push(asset.path.clone());
            }
        }
        let mut trusted_tags: Vec<String> = trusted_sources
            .iter()
            .map(|src| format!("<script src=\"{src}\" defer>"))
            .collect();
        trusted_tags.sort();
        ScriptPolicy {
            allow_all: site.settings.allow_script,
            trusted_sources,
            trusted_tags,
            replaced,
        }
    }

    /// The problems in one published document: `text` is published at
    /// `url`, made from `source` (the page, or the layout) with `layout`.
    /// `refresh_allowed` for redirect pages, whose refresh is their point.
    pub fn check(
        &self,
        text: &str,
        source: &std::path::Path,
        made_by: &str,
        refresh_allowed: bool,
    ) -> Option<Diagnostic> {
        if self.allow_all || !html::may_run_script(text, &self.trusted_tags) {
            return None;
        }
        let scanned = html::scan(text, "");
        let mut found = scanned.scripts.iter().filter(|(offset, _)| {
            let trusted_script = scanned.script_sources.iter().any(|(at, src)| {
                at == offset
                    && src
                        .as_deref()
                        .is_some_and(|src| self.trusted_sources.contains(src))
            });
            let allowed_refresh = refresh_allowed && scanned.refreshes.contains(offset);
            !trusted_script && !allowed_refresh
        });
        let (_, what) = found.next()?;
        let more = found.count();
        let also = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        Some(
            Diagnostic::error(
                Code::HtmlUnsafe,
                source,
                format!(
                    "the published file made by {made_by} holds {what}{also}, which runs script in every reader's browser"
                ),
            )
            .with_help(
                "the page alone is safe, so it comes from a layout, an ERB layout or a file in layouts/: remove it there; if this site must run script, set `allow_script: true` in the settings",
            ),
        )
    }

    /// A built-in script that `layouts/assets/` replaced with other bytes.
    pub fn check_replaced_script(&self, path: &std::path::Path) -> Option<Diagnostic> {
        (!self.allow_all && self.replaced.iter().any(|p| p == path)).then(|| {
            Diagnostic::error(
                Code::HtmlUnsafe,
                path,
                "this file replaces one of the built-in theme's scripts with script of its own, which every reader's browser would run",
            )
            .with_help(
                "delete it to use the built-in script; if this site must run its own script, set `allow_script: true` in the settings",
            )
        })
    }

    /// A document the site's `layouts/assets/` publishes as it is.
    pub fn check_file(&self, path: &std::path::Path) -> Option<Diagnostic> {
        if self.allow_all {
            return None;
        }
        let Some(bytes) = read_limited(path) else {
            return Some(
                Diagnostic::error(
                    Code::HtmlUnsafe,
                    path,
                    "this document could not be read whole to check it for script",
                )
                .with_help(format!(
                    "keep documents in layouts/assets/ under {} MB",
                    crate::load::MAX_PAGE_BYTES / (1024 * 1024)
                )),
            );
        };
        // A browser reads other encodings too; the markup that runs script
        // is ASCII, so a lossy reading finds it.
        self.check(
            &String::from_utf8_lossy(&bytes),
            path,
            "this file in layouts/",
            false,
        )
    }
}

/// The file's bytes, when it is a regular file no larger than a page may be.
fn read_limited(path: &std::path::Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let file = crate::load::open_regular(path).ok()?;
    file.take(crate::load::MAX_PAGE_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() as u64 <= crate::load::MAX_PAGE_BYTES).then_some(bytes)
}
