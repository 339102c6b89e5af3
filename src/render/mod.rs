//! Stage 5, render: every file the site publishes, made from the site graph.
//!
//! [`outputs`] lists the files (every page, generated file, redirect page
//! and asset; the search index is `crate::search`'s), and a [`Renderer`]
//! makes each one. `build` makes them all; `serve` asks each one's
//! [`Renderer::fingerprint`] and makes again only those whose fingerprint
//! changed. A fingerprint is the hash of the typed context its layout sees
//! (see `views`), so whatever an output reads is in its fingerprint by
//! construction: there is no list of "what depends on what" to keep true.

pub mod published;
pub mod templates;
pub mod views;

use std::hash::{BuildHasher, Hash, Hasher};
use std::path::Path;

use tera::Context;

use crate::diagnostics::{Code, Diagnostic};
use crate::highlight;
use crate::machine_readable;
use crate::site::{Generated, REDIRECT_LAYOUT, Site};
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
    scripts: published::ScriptPolicy,
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, templates: &'a Templates) -> Self {
        Renderer {
            site,
            templates,
            site_view: SiteView::new(site),
            sections: views::sections_view(site),
            scripts: published::ScriptPolicy::new(site),
        }
    }

    /// Makes one output. Every document made here passes the script check
    /// on its final bytes (`published`) before anyone can publish it.
    pub fn make(&self, output: Output) -> Result<Made<'a>, Diagnostic> {
        let site = self.site;
        let (text, source, layout) = match output {
            Output::Page(i) => {
                let context = PageContext::new(site, &self.site_view, &self.sections, i);
                let layout = site.layout_of(i);
                let text = self.templates.render(layout, &to_context(&context)?)?;
                (text, site.pages[i].path.as_path(), layout)
            }
            Output::Generated(file) => match file.layout() {
                Some(layout) => {
                    let context =
                        GeneratedContext::new(site, &self.site_view, &self.sections, file);
                    let text = self.templates.render(layout, &to_context(&context)?)?;
                    (text, Path::new(file.url()), layout)
                }
                None => return Ok(Made::Text(generated_data(site, file))),
            },
            Output::Redirect(r) => {
                let context = RedirectContext::new(site, &self.site_view, r);
                let text = self
                    .templates
                    .render(REDIRECT_LAYOUT, &to_context(&context)?)?;
                (
                    text,
                    Path::new(site.redirects[r].from.as_str()),
                    REDIRECT_LAYOUT,
                )
            }
            Output::Asset(i) => return Ok(asset(&site.assets[i])),
            Output::ThemeAsset(i) => {
                let theme_asset = &site.theme_assets[i];
                if theme_asset.builtin.is_none() {
                    let problem = if published::is_document(&theme_asset.url) {
                        self.scripts.check_file(&theme_asset.path)
                    } else {
                        self.scripts.check_replaced_script(&theme_asset.path)
                    };
                    if let Some(problem) = problem {
                        return Err(problem);
                    }
                }
                return Ok(asset(theme_asset));
            }
        };
        let refresh_allowed = matches!(output, Output::Redirect(_));
        let made_by = format!("the layout `{layout}`");
        if let Some(problem) = self.scripts.check(&text, source, &made_by, refresh_allowed) {
            return Err(problem);
        }
        Ok(Made::Text(text))
    }

    /// A number that changes whenever what `make` would produce changes:
    /// for an output made from a layout, the hash of the layouts and of its
    /// whole context; for a generated data file, of its text; for an asset,
    /// of its path and the file's stamp.
    pub fn fingerprint(&self, output: Output) -> u64 {
        let site = self.site;
        let mut hasher = foldhash::fast::FixedState::default().build_hasher();
        // The kind of output, not its index: a page added before this one
        // shifts every index after it, and what the output shows is all in
        // what is hashed below.
        std::mem::discriminant(&output).hash(&mut hasher);
        if let Output::Generated(file) = output {
            file.hash(&mut hasher);
        }
        let layouts = self.templates.digest;
        self.scripts.hash(&mut hasher);
        match output {
            Output::Page(i) => {
                layouts.hash(&mut hasher);
                site.layout_of(i).hash(&mut hasher);
                PageContext::new(site, &self.site_view, &self.sections, i).hash(&mut hasher);
            }
            Output::Generated(file) => match file.layout() {
                Some(layout) => {
                    layouts.hash(&mut hasher);
                    layout.hash(&mut hasher);
                    GeneratedContext::new(site, &self.site_view, &self.sections, file)
                        .hash(&mut hasher);
                }
                None => machine_readable::hash_inputs(site, file, &mut hasher),
            },
            Output::Redirect(r) => {
                layouts.hash(&mut hasher);
                RedirectContext::new(site, &self.site_view, r).hash(&mut hasher);
            }
            Output::Asset(i) => asset_stamp(&site.assets[i]).hash(&mut hasher),
            Output::ThemeAsset(i) => asset_stamp(&site.theme_assets[i]).hash(&mut hasher),
        }
        hasher.finish()
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
        Generated::Home | Generated::ManualIndex | Generated::NotFound | Generated::SearchPage => {
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
