//! What `serve` keeps between rebuilds, and the one-page fast path: a saved
//! page whose title, section, type, importance, parent and old paths did
//! not change affects no other page's HTML, so only that page is parsed and
//! rendered again, and only it and the pages that link to it are checked
//! again. Anything else (a new or deleted page, a layout, the settings, a
//! change that moves a page in the index) rebuilds everything.

use std::collections::HashMap;
use std::path::Path;

use super::ServeOptions;
use super::files::{MemorySink, Served};
use crate::diagnostics::Diagnostic;
use crate::highlight::Highlighter;
use crate::load::{self, PageSource};
use crate::parse::{self, Page};
use crate::pipeline::{self, Prepared};
use crate::site::output_path;
use crate::validate;

pub struct Live {
    prepared: Prepared,
    /// From loading and parsing, by file (warnings: the site rendered).
    parse_problems: Vec<Diagnostic>,
    page_findings: Vec<Vec<Diagnostic>>,
    site_findings: Vec<Diagnostic>,
    pub files: HashMap<String, Served>,
}

/// Everything rebuilt, or why it could not be.
pub fn full(options: &ServeOptions, highlighter: &Highlighter) -> Result<Live, Vec<Diagnostic>> {
    let (prepared, parse_problems) = pipeline::prepare_with(&options.inputs, highlighter);
    let Some(prepared) = prepared else {
        return Err(parse_problems.sorted());
    };
    let site = &prepared.site;
    let page_findings: Vec<Vec<Diagnostic>> = (0..site.pages.len())
        .map(|i| {
            validate::check_page(site, i, options.today)
                .into_iter()
                .collect()
        })
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
    })
}

fn sorted(problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    problems
        .into_iter()
        .collect::<crate::diagnostics::Diagnostics>()
        .sorted()
}

impl Live {
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
    pub fn update_page(
        &mut self,
        path: &Path,
        options: &ServeOptions,
        highlighter: &Highlighter,
    ) -> Option<usize> {
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
        let (page, diagnostics) = parse::parse_page(source, highlighter);
        let page = page?;
        if diagnostics.has_errors() || !same_place_in_site(old, &page) {
            return None;
        }
        let url = page.url.clone();
        let file = page.path.clone();
        let stem = url
            .rsplit('/')
            .next()
            .unwrap_or(&url)
            .trim_end_matches(".html")
            .to_string();
        self.prepared.site.pages[index] = page;
        let site = &self.prepared.site;
        let html = self.prepared.templates.render_page(site, index).ok()?;
        self.files.insert(
            output_path(&url).to_string(),
            Served::Bytes(html.into_bytes().into()),
        );

        self.parse_problems.retain(|d| d.file != file);
        self.parse_problems.extend(diagnostics);
        // This page, and every page with a link that may point at it (its
        // fragments may have changed).
        for (i, other) in site.pages.iter().enumerate() {
            if i == index || other.links.iter().any(|l| l.destination.contains(&stem)) {
                self.page_findings[i] = validate::check_page(site, i, options.today)
                    .into_iter()
                    .collect();
            }
        }
        Some(1)
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
