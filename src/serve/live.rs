//! What `serve` keeps between rebuilds, and the fast paths that avoid
//! rebuilding everything:
//!
//! - a saved page is parsed again alone; if its title, section, type,
//!   importance, parent and description are unchanged, only it is rendered;
//!   if they changed, also the manual index, the home and not-found pages
//!   (they list sections), the pages of its
//!   old and new sections (their section lists) and its children (their
//!   breadcrumbs). It and the pages that link to it are checked again.
//! - a changed asset (served from disk) needs no rendering at all.
//! - a changed layout re-renders the pages from the parsed site, without
//!   reading or parsing any page again.
//!
//! New, deleted or renamed pages, `old_paths` and settings changes rebuild
//! everything.

use std::collections::HashMap;
use std::path::Path;

use super::ServeOptions;
use super::files::{MemorySink, Served};
use crate::diagnostics::Diagnostic;
use crate::highlight::Highlighter;
use crate::load::{self, PageSource};
use crate::machine_readable;
use crate::parse::{self, Page};
use crate::pipeline::{self, Prepared};
use crate::render::Templates;
use crate::search;
use crate::site::{HOME_URL, MANUAL_INDEX_URL, NOT_FOUND_URL, generated::PAGES_JSON_URL};

fn output_path(url: &str) -> String {
    crate::url::OutputPath::of(url)
        .map(|p| p.to_string())
        .unwrap_or_default()
}
use crate::validate;

pub struct Live {
    prepared: Prepared,
    /// From loading and parsing, by file (warnings: the site rendered).
    parse_problems: Vec<Diagnostic>,
    page_findings: Vec<Vec<Diagnostic>>,
    site_findings: Vec<Diagnostic>,
    pub files: HashMap<String, Served>,
    /// Search shards to write again: the index is brought up to date just
    /// after the reload message, so a large index never delays the page.
    stale_search_shards: std::collections::BTreeSet<String>,
}

/// Everything rebuilt, or why it could not be.
pub fn full(options: &ServeOptions, highlighter: &Highlighter) -> Result<Live, Vec<Diagnostic>> {
    let (prepared, parse_problems) = pipeline::prepare_with(&options.inputs, highlighter);
    let Some(prepared) = prepared else {
        return Err(parse_problems.sorted());
    };
    let site = &prepared.site;
    let page_findings: Vec<Vec<Diagnostic>> = (0..site.pages.len())
        .map(|i| validate::check_page(site, i).into_iter().collect())
        .collect();
    let site_findings: Vec<Diagnostic> = validate::check_site_wide(site).into_iter().collect();
    if parse_problems.has_errors() {
        let mut all: Vec<Diagnostic> = parse_problems.into_iter().collect();
        all.extend(page_findings.into_iter().flatten());
        all.extend(site_findings);
        return Err(sorted(all));
    }
    let sink = MemorySink::default();
    if let Err(errors) = pipeline::render_site(site, &prepared.templates, &sink) {
        return Err(errors.sorted());
    }
    Ok(Live {
        parse_problems: parse_problems.into_iter().collect(),
        prepared,
        page_findings,
        site_findings,
        files: sink.into_files(),
        stale_search_shards: Default::default(),
    })
}

fn sorted(problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    problems
        .into_iter()
        .collect::<crate::diagnostics::Diagnostics>()
        .sorted()
}

impl Live {
    /// Where the site is served: the settings' `base_path`.
    pub fn base_path(&self) -> &str {
        &self.prepared.site.settings.base_path
    }

    pub fn problems(&self) -> Vec<Diagnostic> {
        sorted(
            self.parse_problems
                .iter()
                .chain(self.page_findings.iter().flatten())
                .chain(&self.site_findings)
                .cloned()
                .collect(),
        )
    }

    /// Applies a save of the page at `path`. `None` when the change needs a
    /// full rebuild (or cannot be built, which the full rebuild reports);
    /// otherwise how many pages were rendered.
    pub fn update_page(&mut self, path: &Path, highlighter: &Highlighter) -> Option<usize> {
        let absolute = std::path::absolute(path).ok()?;
        let site = &self.prepared.site;
        let index = site.pages.iter().position(|p| {
            std::path::absolute(&p.path).ok().as_deref() == Some(absolute.as_path())
        })?;
        let old = &site.pages[index];
        let text = load::decode(&std::fs::read(path).ok()?).ok()?;
        let source = PageSource {
            path: old.path.clone(),
            relative: old.relative.clone(),
            text,
        };
        let options = parse::ParseOptions {
            index_words: site.settings.enable_search,
            base_path: &site.settings.base_path,
        };
        let (page, diagnostics) = parse::parse_page(source, highlighter, options);
        let mut page = page?;
        // A save is not a commit: the page's last commit is unchanged.
        page.last_commit = old.last_commit.clone();
        if diagnostics.has_errors() || old.front_matter.old_paths != page.front_matter.old_paths {
            return None;
        }
        let moved = !same_place_in_site(old, &page);
        let url = page.url.clone();
        let file = page.path.clone();
        let stem = url
            .rsplit('/')
            .next()
            .unwrap_or(&url)
            .trim_end_matches(".html")
            .to_string();
        // The search shards holding any word the page had or has now.
        let touched_shards: std::collections::BTreeSet<String> = old
            .search
            .terms
            .iter()
            .chain(&page.search.terms)
            .map(|(term, _)| search::shard_of(term))
            .collect();
        let old_section = site
            .section_of(index)
            .map(|s| s.pages.clone())
            .unwrap_or_default();
        self.prepared.site.pages[index] = page;
        let mut to_render = vec![index];
        if moved {
            self.prepared.site.regroup();
            let site = &self.prepared.site;
            to_render.extend(old_section);
            to_render.extend(
                site.section_of(index)
                    .map(|s| s.pages.clone())
                    .unwrap_or_default(),
            );
            // Children show this page's title in their breadcrumbs.
            to_render.extend((0..site.pages.len()).filter(|&i| {
                site.pages[i]
                    .front_matter
                    .parent
                    .as_deref()
                    .is_some_and(|parent| {
                        let _ = parent;
                        site.parent_page(i) == Some(index)
                    })
            }));
            to_render.sort_unstable();
            to_render.dedup();
        }
        let site = &self.prepared.site;
        let templates = &self.prepared.templates;
        let mut rendered: Vec<(String, String)> = Vec::with_capacity(to_render.len() + 2);
        for &i in &to_render {
            rendered.push((
                site.pages[i].url.clone(),
                templates.render_page(site, i).ok()?,
            ));
        }
        if moved {
            rendered.push((
                MANUAL_INDEX_URL.into(),
                templates.render_manual_index(site).ok()?,
            ));
            rendered.push((NOT_FOUND_URL.into(), templates.render_not_found(site).ok()?));
            if site.home_page.is_none() {
                rendered.push((HOME_URL.into(), templates.render_home(site).ok()?));
            }
            self.site_findings = validate::check_site_wide(site).into_iter().collect();
        }
        // Owners and review dates are in pages.json, whatever changed.
        rendered.push((PAGES_JSON_URL.into(), machine_readable::pages_json(site)));
        let count = rendered.len() - 1;
        if site.settings.enable_search {
            self.stale_search_shards.extend(touched_shards);
        }
        for (page_url, html) in rendered {
            self.files.insert(
                output_path(&page_url),
                Served::Bytes(html.into_bytes().into()),
            );
        }

        self.parse_problems.retain(|d| d.file != file);
        self.parse_problems.extend(diagnostics);
        // This page, and every page with a link that may point at it (its
        // fragments may have changed).
        for (i, other) in site.pages.iter().enumerate() {
            if i == index || other.links.iter().any(|l| l.destination.contains(&stem)) {
                self.page_findings[i] = validate::check_page(site, i).into_iter().collect();
            }
        }
        Some(count)
    }

    /// Brings the search index up to date after page edits; false when
    /// nothing was stale. Only the shards holding a word an edited page
    /// had or has are written again (a shard the page alone used
    /// disappears); page numbers stay, since an edit keeps the page's URL.
    pub fn refresh_search(&mut self) -> bool {
        if self.stale_search_shards.is_empty() {
            return false;
        }
        let stale = std::mem::take(&mut self.stale_search_shards);
        let site = &self.prepared.site;
        for shard in &stale {
            self.files.remove(&output_path(&search::shard_url(shard)));
        }
        let files = std::iter::once(search::pages_file(site))
            .chain(search::shard_files(site, |s| stale.contains(s)));
        for (url, contents) in files {
            self.files.insert(
                output_path(&url),
                Served::Bytes(contents.into_bytes().into()),
            );
        }
        true
    }

    /// A changed file that is an asset already being served: it is read
    /// from disk on each request, so nothing is rendered.
    pub fn is_known_asset(&self, path: &Path) -> bool {
        let Ok(absolute) = std::path::absolute(path) else {
            return false;
        };
        let site = &self.prepared.site;
        site.assets
            .iter()
            .chain(&site.theme_assets)
            .any(|a| std::path::absolute(&a.path).ok().as_deref() == Some(absolute.as_path()))
    }

    /// Layouts changed: load them again and render every page from the
    /// parsed site, reading and parsing no page. `None` when the layouts'
    /// own assets were added or removed (the URL map changes: rebuild
    /// fully); `Err` with the problems when the layouts do not work.
    pub fn update_layouts(
        &mut self,
        options: &ServeOptions,
    ) -> Option<Result<usize, Vec<Diagnostic>>> {
        let templates = match Templates::load(&options.inputs.layouts) {
            Ok(t) => t,
            Err(errors) => return Some(Err(errors.sorted())),
        };
        if templates.assets.len() != self.prepared.site.theme_assets.len() {
            return None;
        }
        let structure = validate::structure(&self.prepared.site, &templates);
        if structure.has_errors() {
            return Some(Err(structure.sorted()));
        }
        let sink = MemorySink::default();
        if let Err(errors) = pipeline::render_site(&self.prepared.site, &templates, &sink) {
            return Some(Err(errors.sorted()));
        }
        self.prepared.templates = templates;
        self.files = sink.into_files();
        Some(Ok(self
            .files
            .keys()
            .filter(|k| k.ends_with(".html"))
            .count()))
    }
}

/// Whether `new` sits where `old` did in every other page's HTML: the index,
/// section lists, breadcrumbs and redirects depend on these.
fn same_place_in_site(old: &Page, new: &Page) -> bool {
    let (a, b) = (&old.front_matter, &new.front_matter);
    old.title == new.title
        && a.section == b.section
        && a.page_type == b.page_type
        && a.important == b.important
        && a.parent == b.parent
        && a.old_paths == b.old_paths
        && a.description == b.description
}
