//! Stage 5, render: every file the site publishes, made from the site graph.
//!
//! [`outputs`] lists the files (every page, generated file, redirect page
//! and asset; the search index is `crate::search`'s), and a [`Renderer`]
//! makes each one from its recipe (which layout, with which context), the
//! same recipe its [`Renderer::fingerprint`] hashes. A clean build makes
//! them all; a warm build and `serve` make again only those whose
//! fingerprint changed. A fingerprint is the hash of the typed context its layout sees
//! (see `views`), so whatever an output reads is in its fingerprint by
//! construction: there is no list of "what depends on what" to keep true.

pub mod print;
pub mod published;
pub mod templates;
pub mod views;

use std::borrow::Cow;
use std::hash::{BuildHasher, Hash, Hasher};
use std::path::Path;

use tera::Context;

use crate::diagnostics::{Code, Diagnostic};
use crate::highlight;
use crate::machine_readable;
use crate::parse;
use crate::site::{Generated, REDIRECT_LAYOUT, Site};
use crate::url;
pub use templates::Templates;
use views::{GeneratedContext, PageContext, RedirectContext, SectionView, SiteView};

/// One file the site publishes (besides the search index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Output {
    Page(usize),
    Generated(Generated),
    Redirect(usize),
    Asset(usize),
    ThemeAsset(usize),
}

impl Output {
    /// The site path it is published at.
    pub fn url(self, site: &Site) -> &str {
        match self {
            Output::Page(i) => &site.pages[i].url,
            Output::Generated(file) => file.url(),
            Output::Redirect(r) => &site.redirects[r].from,
            Output::Asset(i) => &site.assets[i].url,
            Output::ThemeAsset(i) => &site.theme_assets[i].url,
        }
    }
}

/// Every file the site publishes except the search index, in a fixed order.
pub fn outputs(site: &Site) -> Vec<Output> {
    (0..site.pages.len())
        .map(Output::Page)
        .chain(site.generated.iter().copied().map(Output::Generated))
        .chain((0..site.redirects.len()).map(Output::Redirect))
        .chain((0..site.assets.len()).map(Output::Asset))
        .chain((0..site.theme_assets.len()).map(Output::ThemeAsset))
        .collect()
}

/// What an output is made of.
pub enum Made<'a> {
    Text(String),
    /// A file copied as it is (an asset).
    Copy(&'a Path),
    /// A file of the built-in theme.
    Builtin(&'static [u8]),
}

/// Makes the outputs of one site with one set of layouts. The parts every
/// page shares (the `site` context, the section lists) are made once.
pub struct Renderer<'a> {
    site: &'a Site,
    templates: &'a Templates,
    site_view: SiteView<'a>,
    sections: Vec<SectionView<'a>>,
    /// Each page's id in the print page, by the address pages link it by:
    /// worked out when the print page is first asked for, as a large
    /// manual has none.
    printed: std::sync::OnceLock<std::collections::HashMap<String, String>>,
    scripts: published::ScriptPolicy,
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, templates: &'a Templates) -> Self {
        Renderer {
            site,
            templates,
            site_view: SiteView::new(site),
            sections: views::sections_view(site),
            printed: std::sync::OnceLock::new(),
            scripts: published::ScriptPolicy::new(site),
        }
    }

    /// What `output` is made from: the one answer to "which layout, with
    /// which context", which `make` renders and `fingerprint` hashes, so
    /// the two cannot disagree about what an output depends on.
    fn recipe(&self, output: Output) -> Recipe<'_, 'a> {
        let site: &'a Site = self.site;
        match output {
            Output::Page(i) => Recipe::Layout {
                layout: site.layout_of(i),
                context: ViewContext::Page(PageContext::new(
                    site,
                    &self.site_view,
                    &self.sections,
                    i,
                )),
                source: site.pages[i].path.as_path(),
            },
            Output::Generated(file) => match file.layout() {
                Some(layout) => Recipe::Layout {
                    layout,
                    context: ViewContext::Generated(GeneratedContext::new(
                        site,
                        &self.site_view,
                        &self.sections,
                        || self.printed.get_or_init(|| print::printed_ids(site)),
                        file,
                    )),
                    source: Path::new(file.url()),
                },
                None => Recipe::Data(file),
            },
            Output::Redirect(r) => Recipe::Layout {
                layout: REDIRECT_LAYOUT,
                context: ViewContext::Redirect(RedirectContext::new(site, &self.site_view, r)),
                source: Path::new(site.redirects[r].from.as_str()),
            },
            Output::Asset(i) => Recipe::File(&site.assets[i]),
            Output::ThemeAsset(i) => Recipe::ThemeFile(&site.theme_assets[i]),
        }
    }

    /// Makes one output. Every document made here passes the script check
    /// on its final bytes (`published`) before anyone can publish it.
    pub fn make(&self, output: Output) -> Result<Made<'a>, Diagnostic> {
        match self.recipe(output) {
            Recipe::Layout {
                layout,
                context,
                source,
            } => {
                let text = self.templates.render(layout, &context.for_tera()?)?;
                let refresh_allowed = matches!(context, ViewContext::Redirect(_));
                let made_by = format!("the layout `{layout}`");
                if let Some(problem) = self.scripts.check(&text, source, &made_by, refresh_allowed)
                {
                    return Err(problem);
                }
                // Checked first: the rewrite only turns root-relative
                // addresses into relative paths, never into a scheme
                // (`url::relative_to`). Hosts show the page-not-found page
                // at any depth, where addresses relative to /404.html would
                // lead nowhere, so it keeps its own.
                let settings = &self.site.settings;
                if (settings.relative_links || settings.relative_assets)
                    && output != Output::Generated(Generated::NotFound)
                {
                    let from = self.site.href(output.url(self.site), None);
                    let which = if settings.relative_links {
                        Addresses::All
                    } else {
                        Addresses::OfFiles
                    };
                    if let Cow::Owned(relative) = relative_addresses(&text, &from, which) {
                        return Ok(Made::Text(relative));
                    }
                }
                Ok(Made::Text(text))
            }
            Recipe::Data(file) => Ok(Made::Text(generated_data(self.site, file))),
            Recipe::File(asset) => Ok(self::asset(asset)),
            Recipe::ThemeFile(asset) => {
                if asset.builtin.is_none() {
                    let problem = if published::is_document(&asset.url) {
                        self.scripts.check_file(&asset.path)
                    } else {
                        self.scripts.check_replaced_script(&asset.path)
                    };
                    if let Some(problem) = problem {
                        return Err(problem);
                    }
                }
                Ok(self::asset(asset))
            }
        }
    }

    /// A number that changes whenever what `make` would produce changes:
    /// for an output made from a layout, the hash of the layouts and of its
    /// whole context; for a generated data file, of its inputs; for an
    /// asset, of its path and the file's stamp.
    pub fn fingerprint(&self, output: Output) -> u64 {
        let mut hasher = foldhash::fast::FixedState::default().build_hasher();
        // The kind of output, not its index: a page added before this one
        // shifts every index after it, and what the output shows is all in
        // what is hashed below.
        std::mem::discriminant(&output).hash(&mut hasher);
        if let Output::Generated(file) = output {
            file.hash(&mut hasher);
        }
        self.scripts.hash(&mut hasher);
        match self.recipe(output) {
            Recipe::Layout {
                layout, context, ..
            } => {
                self.templates.digest.hash(&mut hasher);
                layout.hash(&mut hasher);
                context.hash(&mut hasher);
            }
            Recipe::Data(file) => machine_readable::hash_inputs(self.site, file, &mut hasher),
            Recipe::File(asset) | Recipe::ThemeFile(asset) => asset_stamp(asset).hash(&mut hasher),
        }
        hasher.finish()
    }
}

/// `document` (published at `from`) with each root-relative address it
/// links or loads written relative to `from`: in the address attributes,
/// `srcset`, the search index's `data-index` and a meta refresh's `url=`.
fn relative_addresses<'t>(document: &'t str, from: &str, which: Addresses) -> Cow<'t, str> {
    let relative = |address: &str| {
        (address.starts_with('/')
            && !address.starts_with("//")
            && (which == Addresses::All || is_file_address(address)))
        .then(|| url::relative_to(from, address))
    };
    parse::html::rewrite_attributes(document, |attribute| match attribute.name {
        "srcset" => {
            let mut changed = false;
            let candidates: Vec<String> = attribute
                .value
                .split(',')
                .map(|candidate| {
                    let trimmed = candidate.trim_start();
                    let (address, descriptor) = trimmed
                        .split_at(trimmed.find(char::is_whitespace).unwrap_or(trimmed.len()));
                    match relative(address) {
                        Some(new) => {
                            changed = true;
                            format!("{new}{descriptor}")
                        }
                        None => trimmed.to_string(),
                    }
                })
                .collect();
            changed.then(|| candidates.join(", "))
        }
        "content"
            if attribute.element == "meta"
                && attribute
                    .value
                    .trim_start()
                    .starts_with(|c: char| c.is_ascii_digit()) =>
        {
            let lower = attribute.value.to_ascii_lowercase();
            let at = lower.find("url=")? + 4;
            let new = relative(attribute.value[at..].trim())?;
            Some(format!("{}{new}", &attribute.value[..at]))
        }
        // A folder that search.js adds file names to, not a page.
        "data-index" if which == Addresses::All => {
            relative(attribute.value).map(|page| match page.strip_suffix("index.html") {
                Some("") => "./".to_string(),
                Some(folder) => folder.to_string(),
                None => page,
            })
        }
        name if parse::html::URL_ATTRIBUTES.contains(&name) => relative(attribute.value),
        _ => None,
    })
}

/// Which root-relative addresses `relative_addresses` rewrites.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Addresses {
    /// Every one (`relative_links`).
    All,
    /// Those of files that are not pages: stylesheets, scripts, images,
    /// downloads (`relative_assets`).
    OfFiles,
}

/// Whether a root-relative address names a file that is not a page: its
/// path ends in a name with an extension other than `.html`.
fn is_file_address(address: &str) -> bool {
    let path = address.split(['?', '#']).next().unwrap_or(address);
    let name = path.rsplit('/').next().unwrap_or("");
    name.rsplit_once('.').is_some_and(|(stem, extension)| {
        !stem.is_empty() && !matches!(extension.to_ascii_lowercase().as_str(), "html" | "htm")
    })
}

/// What one output is made from (`Renderer::recipe`): views borrowed from
/// the renderer (`'r`), files from the site (`'a`).
// Made once per output and used at once, on the stack: boxing the page's
// large context would allocate once per page for nothing.
#[allow(clippy::large_enum_variant)]
enum Recipe<'r, 'a> {
    /// A layout of the theme or the site, with the context it sees.
    Layout {
        layout: &'r str,
        context: ViewContext<'r>,
        /// What the output came from, for a script found in it.
        source: &'r Path,
    },
    /// A generated data file (JSON, robots.txt, the sitemap, CSS).
    Data(Generated),
    /// An asset of the source, copied as it is.
    File(&'a crate::site::Asset),
    /// A file of the theme: built in, or replaced in `layouts/assets/`.
    ThemeFile(&'a crate::site::Asset),
}

/// The context a layout sees, of whichever kind.
#[derive(Hash)]
#[allow(clippy::large_enum_variant)] // as `Recipe`
enum ViewContext<'r> {
    Page(PageContext<'r>),
    Generated(GeneratedContext<'r>),
    Redirect(RedirectContext<'r>),
}

impl ViewContext<'_> {
    fn for_tera(&self) -> Result<Context, Diagnostic> {
        match self {
            ViewContext::Page(view) => to_context(view),
            ViewContext::Generated(view) => to_context(view),
            ViewContext::Redirect(view) => to_context(view),
        }
    }
}

/// The generated files that are data rather than pages.
fn generated_data(site: &Site, file: Generated) -> String {
    match file {
        Generated::HighlightCss => highlight::CSS.to_string(),
        Generated::PagesJson => machine_readable::pages_json(site),
        Generated::ManualJson => machine_readable::manual_json(site),
        Generated::Robots => machine_readable::robots(site),
        Generated::Sitemap => machine_readable::sitemap(site),
        Generated::Home
        | Generated::ManualIndex
        | Generated::NotFound
        | Generated::SearchPage
        | Generated::Print => {
            unreachable!("{file:?} is made from a layout")
        }
    }
}

fn asset(asset: &crate::site::Asset) -> Made<'_> {
    match asset.builtin {
        Some(bytes) => Made::Builtin(bytes),
        None => Made::Copy(&asset.path),
    }
}

/// An asset's path and when it last changed (a built-in one never does).
fn asset_stamp(
    asset: &crate::site::Asset,
) -> (&Path, Option<std::time::SystemTime>, u64, Option<usize>) {
    if let Some(bytes) = asset.builtin {
        return (
            &asset.path,
            None,
            bytes.len() as u64,
            Some(bytes.as_ptr() as usize),
        );
    }
    let metadata = std::fs::metadata(&asset.path).ok();
    (
        &asset.path,
        metadata.as_ref().and_then(|m| m.modified().ok()),
        metadata.map_or(0, |m| m.len()),
        None,
    )
}

fn to_context(view: &impl serde::Serialize) -> Result<Context, Diagnostic> {
    Context::from_serialize(view).map_err(|e| {
        Diagnostic::error(
            Code::Template,
            "layouts",
            format!("cannot hand the page to its layout: {e}"),
        )
    })
}

/// What the script check on made outputs (`published`) finds, without
/// writing anything: `check`'s view of what `build` would refuse. Only a
/// site's own layouts (theme overrides, ERB layouts) can put script into a
/// page that no input holds alone; a caller may skip a site without them.
pub fn published_scripts(site: &Site, templates: &Templates) -> crate::diagnostics::Diagnostics {
    use rayon::prelude::*;
    let renderer = Renderer::new(site, templates);
    outputs(site)
        .par_iter()
        .filter_map(|&output| match renderer.make(output) {
            Err(problem) if problem.code == Code::HtmlUnsafe => Some(problem),
            _ => None,
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::is_file_address;

    #[test]
    fn a_file_address_names_a_file_that_is_not_a_page() {
        for file in [
            "/assets/manual.css",
            "/images/a.PNG?v=2",
            "/f/runbook.pdf#page=2",
        ] {
            assert!(is_file_address(file), "{file}");
        }
        for page in [
            "/manual.html",
            "/a/",
            "/a",
            "/a/b.htm#x",
            "/.well-known/",
            "/x/.hidden",
        ] {
            assert!(!is_file_address(page), "{page}");
        }
    }
}
