//! What `serve` keeps between rebuilds, and the one way it rebuilds.
//!
//! Every rebuild runs the stages `build` runs, in full: list the source,
//! parse, assemble the site graph, validate, render. Two things make it
//! fast without making it different: `pipeline::prepare_cached` re-reads and
//! re-parses only the files whose stamp changed or that the watcher named,
//! and an output is made again only when its fingerprint (the hash of the
//! context its layout sees, see `render`) changed. New, deleted and renamed
//! pages, settings and layouts all take this same path, so what `serve`
//! serves is what `build` writes by construction; `tests/it/serve_equals_build.rs`
//! checks it over random sequences of edits.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use super::files::{Packed, Served};
use crate::diagnostics::Diagnostic;
use crate::highlight::Highlighter;
use crate::parse::Page;
use crate::parse::cache::ParseCache;
use crate::pipeline::{self, Prepared};
use crate::project::Inputs;
use crate::render::Output;
use crate::search;
use crate::site::Generated;
use crate::url::OutputPath;
use crate::validate;
use crate::write::SiteSink;

/// The render loop's sink in `serve`: an output whose fingerprint is
/// unchanged stays as it is served; the others are made, packed, and
/// replace it after the render.
struct ServedSink<'a> {
    previous: &'a HashMap<String, Made1>,
    /// When the site differs from the one last rendered only inside pages
    /// (with the same layouts): by page, whether the page is the same page.
    /// Then its output, and every output made from what pages show one
    /// another (all but the print page, which holds every body), is made
    /// from what it was made from last time: its fingerprint is the one it
    /// had.
    carried: Option<&'a [bool]>,
    made: std::sync::Mutex<Vec<(String, Made1)>>,
    kept: std::sync::Mutex<Vec<String>>,
}

impl ServedSink<'_> {
    fn put(&self, file: &OutputPath, fingerprint: u64, served: Served) {
        self.made.lock().expect("sink lock").push((
            file.to_string(),
            Made1 {
                fingerprint,
                served,
            },
        ));
    }
}

impl SiteSink for ServedSink<'_> {
    fn create_folders(&self, _: &mut dyn Iterator<Item = &OutputPath>) -> std::io::Result<()> {
        Ok(())
    }

    fn write(&self, file: &OutputPath, contents: &[u8]) -> std::io::Result<()> {
        // Only reached for an output with no fingerprint, which `serve`
        // does not have (it fingerprints everything); never taken as kept.
        self.put(file, NOT_FINGERPRINTED, Served::Made(Packed::new(contents)));
        Ok(())
    }

    fn copy(&self, file: &OutputPath, from: &std::path::Path) -> std::io::Result<()> {
        self.put(file, NOT_FINGERPRINTED, Served::File(from.to_path_buf()));
        Ok(())
    }

    fn location(&self, relative: &str) -> PathBuf {
        PathBuf::from(relative)
    }

    fn can_reuse(&self) -> bool {
        true
    }

    fn fingerprints_assets(&self) -> bool {
        true
    }

    fn wants_search_index(&self) -> bool {
        false
    }

    fn known_fingerprint(&self, output: Output, file: &OutputPath) -> Option<u64> {
        let same_page = |i: usize| self.carried?.get(i).copied();
        let carried = match output {
            Output::Page(i) => same_page(i) == Some(true),
            Output::Generated(Generated::Print) => false,
            Output::Generated(_) | Output::Redirect(_) => self.carried.is_some(),
            Output::Asset(_) | Output::ThemeAsset(_) => false,
        };
        carried
            .then(|| self.previous.get(file.as_str()))
            .flatten()
            .map(|made| made.fingerprint)
    }

    fn reuse(&self, file: &OutputPath, fingerprint: u64) -> bool {
        let same = self.previous.get(file.as_str()).is_some_and(|made| {
            made.fingerprint == fingerprint && fingerprint != NOT_FINGERPRINTED
        });
        if same {
            self.kept.lock().expect("sink lock").push(file.to_string());
        }
        same
    }

    fn write_made(
        &self,
        file: &OutputPath,
        contents: &[u8],
        fingerprint: u64,
    ) -> std::io::Result<()> {
        self.put(file, fingerprint, Served::Made(Packed::new(contents)));
        Ok(())
    }

    fn copy_made(
        &self,
        file: &OutputPath,
        from: &std::path::Path,
        fingerprint: u64,
    ) -> std::io::Result<()> {
        self.put(file, fingerprint, Served::File(from.to_path_buf()));
        Ok(())
    }
}

/// The fingerprint of an output made without one: matches nothing.
const NOT_FINGERPRINTED: u64 = 0;

/// One output as served, with the fingerprint it was made from.
#[derive(Clone)]
struct Made1 {
    fingerprint: u64,
    served: Served,
}

pub struct Live {
    cache: ParseCache,
    prepared: Option<Prepared>,
    /// What `check` found on each page of `prepared`'s site, by page.
    page_problems: Vec<crate::diagnostics::Diagnostics>,
    outputs: HashMap<String, Made1>,
    /// The search index's files.
    search_files: HashMap<String, Served>,
    /// The pages the search index was last made from, in its order (a
    /// page's number in the index is its place here).
    search_basis: Vec<Arc<Page>>,
    problems: Vec<Diagnostic>,
}

/// What a successful rebuild changed.
#[derive(Debug, Default)]
pub struct Changes {
    /// Output paths made again, added or removed.
    pub files: Vec<String>,
    /// Pages in the site.
    pub pages: usize,
}

impl Changes {
    /// Whether only stylesheets changed: the browser can swap them in
    /// without reloading the page.
    pub fn css_only(&self) -> bool {
        !self.files.is_empty() && self.files.iter().all(|f| f.ends_with(".css"))
    }
}

impl Live {
    pub fn new() -> Live {
        Live {
            cache: ParseCache::keeping(),
            prepared: None,
            page_problems: Vec::new(),
            outputs: HashMap::new(),
            search_files: HashMap::new(),
            search_basis: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Where the site is served: the settings' `base_path`.
    pub fn base_path(&self) -> &str {
        self.prepared
            .as_ref()
            .map_or("", |p| p.site.settings.base_path.as_str())
    }

    /// What `check` would report for the site now being served.
    pub fn problems(&self) -> &[Diagnostic] {
        &self.problems
    }

    /// Every file being served, by output path.
    pub fn files(&self) -> HashMap<String, Served> {
        self.outputs
            .iter()
            .map(|(path, made)| (path.clone(), made.served.clone()))
            .chain(
                self.search_files
                    .iter()
                    .map(|(path, served)| (path.clone(), served.clone())),
            )
            .collect()
    }

    /// Rebuilds after `changed` files changed (the watcher's report);
    /// `in_place` when every change was an edit of a file's contents, so the
    /// source folder need not be listed again. On failure the files served
    /// stay the last good ones and the problems say why.
    pub fn rebuild(
        &mut self,
        inputs: &Inputs,
        highlighter: &Highlighter,
        changed: &[PathBuf],
        in_place: bool,
    ) -> Result<Changes, Vec<Diagnostic>> {
        self.cache.note_changes(&inputs.source, changed, in_place);
        let started = std::time::Instant::now();
        let (prepared, mut diagnostics) = pipeline::prepare_cached(
            inputs,
            highlighter,
            &mut self.cache,
            self.prepared.as_ref().map(|before| &before.site),
            crate::parse::Purpose::Publish,
        );
        let prepared_in = started.elapsed();
        // The problems are always what `check` reports. As with
        // `build --skip-check`, what stops a build stops a rebuild, while
        // `check`'s findings never stop a page being served.
        let stopped = diagnostics.has_errors();
        // A page the save did not touch, in a site that changed only inside
        // pages, has the findings and the output it had.
        let unchanged = match (&prepared, &self.prepared) {
            (Some(now), Some(before)) if now.site.differs_only_inside_pages(&before.site) => now
                .site
                .pages
                .iter()
                .zip(&before.site.pages)
                .map(|(now, then)| now.is_same_page(then))
                .collect(),
            _ => Vec::new(),
        };
        let mut page_problems = Vec::new();
        if let Some(prepared) = &prepared {
            page_problems = validate::check_pages(&prepared.site, |i| {
                (unchanged.get(i) == Some(&true)).then(|| self.page_problems[i].clone())
            });
            diagnostics.extend(page_problems.iter().flat_map(|found| found.iter().cloned()));
            diagnostics.extend(validate::check_site_wide(&prepared.site));
        }
        let checked_in = started.elapsed() - prepared_in;
        let Some(prepared) = prepared.filter(|_| !stopped) else {
            return Err(diagnostics.sorted());
        };

        let site = &prepared.site;
        let same_templates = self
            .prepared
            .as_ref()
            .is_some_and(|before| before.templates.digest == prepared.templates.digest);
        let sink = ServedSink {
            previous: &self.outputs,
            carried: (same_templates && !unchanged.is_empty()).then_some(&unchanged[..]),
            made: Default::default(),
            kept: Default::default(),
        };
        if let Err(render_errors) = crate::write::render_site(site, &prepared.templates, &sink) {
            diagnostics.extend(render_errors);
            return Err(diagnostics.sorted());
        }
        let new_outputs = sink.made.into_inner().expect("sink lock");
        let kept = sink.kept.into_inner().expect("sink lock");
        for (stage, took) in &prepared.timings {
            crate::detailln!("    {stage} {:.1} ms", took.as_secs_f64() * 1000.0);
        }
        // `-v`: where a rebuild's time went.
        crate::detailln!(
            "  prepare {:.1} ms, check {:.1} ms, render {} of {} outputs {:.1} ms",
            prepared_in.as_secs_f64() * 1000.0,
            checked_in.as_secs_f64() * 1000.0,
            new_outputs.len(),
            new_outputs.len() + kept.len(),
            (started.elapsed() - prepared_in - checked_in).as_secs_f64() * 1000.0
        );

        let mut changes = Changes {
            files: new_outputs.iter().map(|(path, _)| path.clone()).collect(),
            pages: site.pages.len(),
        };
        let present: BTreeSet<&String> = kept
            .iter()
            .chain(new_outputs.iter().map(|(path, _)| path))
            .collect();
        let removed: Vec<String> = self
            .outputs
            .keys()
            .filter(|path| !present.contains(path))
            .cloned()
            .collect();
        for path in removed {
            self.outputs.remove(&path);
            changes.files.push(path);
        }
        self.outputs.extend(new_outputs);
        changes.files.sort();
        self.problems = diagnostics.sorted();
        self.prepared = Some(prepared);
        self.page_problems = page_problems;
        Ok(changes)
    }

    /// Brings the search index up to date with the site being served;
    /// false when it already was. Kept apart from `rebuild` so that a
    /// large index never delays the reload. When the pages and their order
    /// are unchanged but for edits, only the shards holding a word an edited
    /// page had or has are made again.
    pub fn refresh_search(&mut self) -> bool {
        let Some(prepared) = &self.prepared else {
            return false;
        };
        let site = &prepared.site;
        if !site.settings.enable_search {
            let had = !self.search_files.is_empty();
            self.search_files.clear();
            self.search_basis.clear();
            return had;
        }
        let basis = search::page_order(site)
            .into_iter()
            .map(|i| site.pages[i].clone())
            .collect::<Vec<_>>();
        let same_order = basis.len() == self.search_basis.len()
            && basis
                .iter()
                .zip(&self.search_basis)
                .all(|(new, old)| new.url == old.url);
        let edited: Vec<(usize, &Arc<Page>, &Arc<Page>)> = basis
            .iter()
            .zip(&self.search_basis)
            .enumerate()
            .filter(|(_, (new, old))| !Arc::ptr_eq(new, old))
            .map(|(number, (new, old))| (number, new, old))
            .collect();
        if same_order && edited.is_empty() && !self.search_files.is_empty() {
            return false;
        }
        let (pages_url, pages_json) = search::pages_file(site);
        if same_order && !self.search_files.is_empty() {
            let stale: BTreeSet<String> = edited
                .iter()
                .flat_map(|(_, new, old)| new.search.terms.iter().chain(&old.search.terms))
                .map(|(term, _)| search::shard_of(term))
                .collect();
            for shard in &stale {
                self.search_files.remove(&output(&search::shard_url(shard)));
            }
            let edited_numbers: BTreeSet<usize> = edited.iter().map(|(n, _, _)| *n).collect();
            let remade = search::shard_files(site, |s| stale.contains(s))
                .into_iter()
                .chain(search::section_files(site, |n| edited_numbers.contains(&n)));
            for (url, text) in remade {
                self.search_files
                    .insert(output(&url), Served::Made(Packed::new(text.as_bytes())));
            }
        } else {
            self.search_files = search::shard_files(site, |_| true)
                .into_iter()
                .chain(search::section_files(site, |_| true))
                .map(|(url, text)| (output(&url), Served::Made(Packed::new(text.as_bytes()))))
                .collect();
        }
        self.search_files.insert(
            output(&pages_url),
            Served::Made(Packed::new(pages_json.as_bytes())),
        );
        self.search_basis = basis;
        true
    }
}

impl Default for Live {
    fn default() -> Self {
        Live::new()
    }
}

fn output(url: &str) -> String {
    OutputPath::of(url)
        .map(|p| p.to_string())
        .unwrap_or_default()
}
