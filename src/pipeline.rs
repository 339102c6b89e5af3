//! Runs the stages in order: load -> parse -> site graph -> validate ->
//! render -> write. `prepare` is everything up to writing, so `check` and
//! `serve` can share it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diagnostics::Diagnostics;
use crate::highlight::Highlighter;
use crate::highlight::disk::DiskCache;
use crate::parse::cache::{ParseCache, ParseRun};
use crate::parse::{ParseOptions, Purpose};
use crate::project::Inputs;
use crate::render::Templates;
use crate::site::{Site, SiteInputs};
use crate::{parse, render, settings, validate, write};

pub struct Prepared {
    pub site: Site,
    pub templates: Templates,
    /// What each stage took, for `-v`.
    pub timings: Timings,
}

/// What each stage of a run took, in order.
pub type Timings = Vec<(&'static str, Duration)>;

/// Times the stages of a run, one after another.
struct Stopwatch {
    timings: Timings,
    lap_started: Instant,
}

impl Stopwatch {
    fn start() -> Self {
        Stopwatch {
            timings: Timings::new(),
            lap_started: Instant::now(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        self.timings.push((stage, self.lap_started.elapsed()));
        self.lap_started = Instant::now();
    }
}

/// Why a build published nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The site has problems (errors in its pages or settings' content).
    Problems,
    /// The build could not run: no source, broken settings or layouts, an
    /// output folder it may not replace, a disk it cannot write.
    CouldNotRun,
    /// Ctrl-C.
    Interrupted,
}

/// Loads, parses, assembles and validates the site. `None` when a problem
/// stops the site from being assembled at all; otherwise the site and every
/// diagnostic found, errors included.
pub fn prepare(inputs: &Inputs) -> (Option<Prepared>, Diagnostics) {
    prepare_with(inputs, &Highlighter::new(), Purpose::Publish)
}

/// `prepare`, with a highlighter whose cache outlives this call.
pub fn prepare_with(
    inputs: &Inputs,
    highlighter: &Highlighter,
    purpose: Purpose,
) -> (Option<Prepared>, Diagnostics) {
    prepare_cached(
        inputs,
        highlighter,
        &mut ParseCache::default(),
        None,
        purpose,
    )
}

/// Loads, parses, assembles and validates the site, reusing what `cache`
/// kept from the last run where a file has not changed, and the site graph
/// of `before` (the last site, assembled without findings) where only what
/// pages keep to themselves changed (`Site::assemble_after`).
pub fn prepare_cached(
    inputs: &Inputs,
    highlighter: &Highlighter,
    cache: &mut ParseCache,
    before: Option<&Site>,
    purpose: Purpose,
) -> (Option<Prepared>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let mut clock = Stopwatch::start();
    if let Some(missing) = inputs.source_missing() {
        diagnostics.push(missing);
        return (None, diagnostics);
    }
    let Some(settings) = diagnostics.keep(settings::for_project(inputs)) else {
        return (None, diagnostics);
    };
    let helpers = diagnostics.keep(parse::erb::Helpers::load(
        inputs.helpers_folder().as_deref(),
        &settings.helpers,
        &settings.file_of("helpers"),
    ));
    let templates = diagnostics.keep_ok(Templates::load(inputs.layouts.as_deref()));
    let alerts = diagnostics.keep(parse::alert_rules::for_project(&settings, inputs));
    clock.lap("settings, layouts and alert rules");

    let (listed, fresh_listing) = cache.listed(&inputs.source, &inputs.settings_files());
    let listing = &listed.listing;
    diagnostics.extend(listed.diagnostics.iter().cloned());
    if !settings.allow_script {
        diagnostics.extend(listed.asset_scripts.iter().cloned());
    }
    clock.lap("list the source");

    let run = ParseRun {
        source: &inputs.source,
        listing,
        fresh_listing,
        options: ParseOptions::for_site(&settings, purpose),
        highlighter,
        today: inputs.today,
        tech_docs_config: &settings.tech_docs_raw,
        helpers: &helpers,
        repository_folder: settings.repository_folder.as_deref(),
    };
    let parsed = parse::cache::parse_pages(run, cache);
    diagnostics.extend(parsed.diagnostics);
    clock.lap("read and parse");

    let Some(templates) = templates else {
        return (None, diagnostics);
    };
    let site = diagnostics.keep(Site::assemble_after(
        SiteInputs {
            settings,
            today: inputs.today,
            pages: parsed.pages,
            unparsed: parsed.unparsed,
            assets: listing.assets.clone(),
            theme_assets: templates.assets.clone(),
            layout_ids: templates.ids.clone(),
            source_in_repository: parsed.source_in_repository,
            alerts,
        },
        before,
    ));
    clock.lap("site graph");
    diagnostics.extend(validate::structure(&site, &templates.layouts, &|name| {
        templates.location(name)
    }));
    clock.lap("structure");
    let timings = clock.timings;
    (
        Some(Prepared {
            site,
            templates,
            timings,
        }),
        diagnostics,
    )
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BuildSummary {
    pub pages: usize,
    pub generated: usize,
    pub assets: usize,
    /// Outputs taken unchanged from the site replaced (`write::reuse`).
    pub reused: usize,
    /// What each stage took, for `-v`.
    pub timings: Timings,
    /// What people should know that is not a problem with the site (a
    /// cache that could not be used).
    pub notes: Vec<String>,
}

#[derive(Clone, Default)]
pub struct CheckOptions {
    /// Also request every link to another site (the only network use).
    pub external: bool,
    /// Let `--external` request loopback, private and link-local
    /// addresses, which it refuses by default (a pull request's links
    /// must not reach CI's own network).
    pub allow_private_addresses: bool,
    /// Told (links checked, links to check) as `--external` goes, for a
    /// progress bar.
    pub progress: Option<validate::external::Progress>,
}

/// The checks of `check`, after `prepare`. Returns the site (when it could
/// be assembled) and every diagnostic. `purpose` says whether the pages
/// are to be published too (`build`) or only read (`check`).
pub fn check(
    inputs: &Inputs,
    options: CheckOptions,
    highlighter: &Highlighter,
    purpose: Purpose,
) -> (Option<Prepared>, Diagnostics) {
    let (mut prepared, mut diagnostics) = prepare_with(inputs, highlighter, purpose);
    let Some(p) = &mut prepared else {
        return (prepared, diagnostics);
    };
    let started = Instant::now();
    diagnostics.extend(validate::check(&p.site));
    p.timings.push(("check", started.elapsed()));
    // Only a site's own layouts (theme overrides, ERB layouts) can put
    // script into a page that no input holds alone.
    if inputs.has_own_layouts() {
        let started = Instant::now();
        diagnostics.extend(render::published_scripts(&p.site, &p.templates));
        p.timings
            .push(("check published script", started.elapsed()));
    }
    if options.external {
        diagnostics.extend(validate::external::check_project(
            &p.site,
            inputs,
            options.allow_private_addresses,
            options.progress.as_ref(),
        ));
    }
    (prepared, diagnostics)
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Build even when `check` would fail (for sites being migrated); the
    /// checks are not run at all.
    pub skip_check: bool,
    /// Replace an output folder that `manual` did not make.
    pub force: bool,
    /// Where highlighted code is kept between builds; `None` for no cache.
    pub cache: Option<PathBuf>,
}

/// Builds the site into `out`, replacing it only if everything succeeded.
pub fn build(
    inputs: &Inputs,
    out: &Path,
    options: BuildOptions,
) -> (Result<BuildSummary, Failure>, Diagnostics) {
    let mut notes = Vec::new();
    let cache_folder = options.cache.as_deref();
    let highlighter =
        Highlighter::with_disk_cache(DiskCache::open_noting(cache_folder, &mut notes));
    let (prepared, mut diagnostics) = if options.skip_check {
        prepare_with(inputs, &highlighter, Purpose::Publish)
    } else {
        check(
            inputs,
            CheckOptions::default(),
            &highlighter,
            Purpose::Publish,
        )
    };
    let Some(Prepared {
        site,
        templates,
        mut timings,
    }) = prepared
    else {
        return (Err(Failure::CouldNotRun), diagnostics);
    };
    if diagnostics.has_errors() {
        return (Err(Failure::Problems), diagnostics);
    }
    let real_out = match write::output_folder(inputs, out, options.force, cache_folder) {
        Ok(real) => real,
        Err(problem) => {
            diagnostics.push(problem);
            return (Err(Failure::CouldNotRun), diagnostics);
        }
    };
    let destination = write::Destination {
        named: out,
        real: &real_out,
        // Only where the highlight cache could be opened: the same folder.
        reuse_from: cache_folder.filter(|_| highlighter.disk_cache().is_some()),
    };
    let published = match write::publish(&site, &templates, destination) {
        Ok(published) => published,
        Err(not) => {
            diagnostics.extend(not.problems);
            let failure = match not.reason {
                write::Reason::Interrupted => Failure::Interrupted,
                write::Reason::ScriptFound => Failure::Problems,
                write::Reason::CannotWrite => Failure::CouldNotRun,
            };
            return (Err(failure), diagnostics);
        }
    };
    timings.extend(published.timings);
    notes.extend(published.notes);
    if let Some(cache) = highlighter.disk_cache() {
        let started = Instant::now();
        cache.prune(crate::highlight::disk::DEFAULT_BUDGET);
        notes.extend(cache.take_notes());
        timings.push(("prune the cache", started.elapsed()));
    }
    // Freeing every page, one allocation at a time, took a tenth of a warm
    // build; `build` ends the process, which need not wait for it.
    std::thread::spawn(move || drop((site, templates)));
    let summary = BuildSummary {
        pages: published.written.pages,
        generated: published.written.generated,
        assets: published.written.assets,
        reused: published.reused,
        timings,
        notes,
    };
    (Ok(summary), diagnostics)
}
