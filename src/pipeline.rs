//! Runs the stages in order: load -> parse -> site graph -> validate ->
//! render -> write. `prepare` is everything up to writing, so `check` and
//! `serve` can share it.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::highlight::Highlighter;
use crate::parse::Purpose;
use crate::parse::cache::ParseCache;
use crate::project::Inputs;
use crate::render::{self, Made, Output, Renderer, Templates};
use crate::site::Site;
use crate::url::OutputPath;
use crate::write::{Reuse, SiteSink, Staging};
use crate::{interrupt, load, parse, safe_write, search, settings, validate, write};

/// Outside a checkout, the source folder as given (`source` -> `source/`)
/// is the best guess at its place in the repository.
fn path_as_prefix(source: &Path) -> String {
    if source.is_absolute() {
        return String::new();
    }
    let parts: Vec<_> = source
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(part) => Some(part.to_string_lossy()),
            _ => None,
        })
        .collect();
    parts.iter().map(|p| format!("{p}/")).collect()
}

pub struct Prepared {
    pub site: Site,
    pub templates: Templates,
    /// What each stage took, for `-v`.
    pub timings: Timings,
}

/// What each stage of a run took, in order.
pub type Timings = Vec<(&'static str, std::time::Duration)>;

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
    prepare_cached(inputs, highlighter, &mut ParseCache::default(), purpose)
}

/// An error when `path` is a symbolic link that resolves outside `root`.
fn link_out_of_project(path: &Path, root: &Path) -> Option<Diagnostic> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return None;
    }
    let inside = match (path.canonicalize(), root.canonicalize()) {
        (Ok(target), Ok(root)) => target.starts_with(root),
        _ => false,
    };
    (!inside).then(|| {
        Diagnostic::error(
            Code::SourceLinkOutside,
            path,
            "the settings file is a symbolic link to a file outside the project",
        )
        .with_help("put the settings in the project, or pass --config with the file")
    })
}

/// Loads, parses, assembles and validates the site, reusing what `cache`
/// kept from the last run where a file has not changed.
pub fn prepare_cached(
    inputs: &Inputs,
    highlighter: &Highlighter,
    cache: &mut ParseCache,
    purpose: Purpose,
) -> (Option<Prepared>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let mut timings = Timings::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |name: &'static str, timings: &mut Timings| {
        timings.push((name, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    if !inputs.source.is_dir() {
        diagnostics.push(
            Diagnostic::error(
                Code::SourceMissing,
                &inputs.source,
                format!(
                    "no source folder at {}",
                    std::path::absolute(&inputs.source)
                        .unwrap_or_else(|_| inputs.source.clone())
                        .display()
                ),
            )
            .with_help(
                "run `manual init` to start a manual here, or pass -C DIR (the manual's folder) or --source DIR",
            ),
        );
        return (None, diagnostics);
    }
    let settings_path = inputs.settings_path();
    let tech_docs_path = inputs.tech_docs_path();
    // `init` writes `site.yml` at the root; a guide followed from memory
    // can add `source/site.yml` too, which would then be silently unread.
    if inputs.settings.is_none() {
        let [root, source] = inputs.settings_candidates();
        if root.is_file() && source.is_file() {
            diagnostics.push(
                Diagnostic::warning(
                    Code::SettingsUnused,
                    &source,
                    format!(
                        "this settings file is not read: the settings are in {}",
                        root.display()
                    ),
                )
                .with_help(format!(
                    "move its keys into {} and delete it (it is never published)",
                    root.display()
                )),
            );
        }
    }
    // A settings file that is a link (a pull request can commit one) must
    // lead to a file in the project: it is read, and its lines quoted.
    for path in std::iter::once(&settings_path).chain(&tech_docs_path) {
        if let Some(problem) = link_out_of_project(path, &inputs.root) {
            diagnostics.push(problem);
            return (None, diagnostics);
        }
    }
    let settings = match settings::load_files(settings::Files {
        ours: &settings_path,
        ours_required: inputs.settings.is_some()
            && tech_docs_path.as_deref() != inputs.settings.as_deref(),
        tech_docs: tech_docs_path.as_deref(),
        project_root: &inputs.root,
        env: &inputs.env,
    }) {
        Ok((settings, warnings)) => {
            diagnostics.extend(warnings);
            settings
        }
        Err(errors) => {
            diagnostics.extend(errors);
            return (None, diagnostics);
        }
    };
    let (helpers, helper_problems) = parse::erb::Helpers::load(
        inputs.helpers_folder().as_deref(),
        &settings.helpers,
        &settings.file_of("helpers"),
    );
    diagnostics.extend(helper_problems);
    let templates = match Templates::load(inputs.layouts.as_deref()) {
        Ok(t) => Some(t),
        Err(errors) => {
            diagnostics.extend(errors);
            None
        }
    };

    let alerts = {
        let named = load::alerts::named(
            &settings.alert_rules,
            &settings.file_of("alert_rules"),
            |i| settings.position_of(&format!("alert_rules[{i}]")),
            &inputs.alerts,
        );
        let (files, problems) = load::alerts::read(&named, &inputs.root);
        diagnostics.extend(problems);
        let mut alerts = Vec::new();
        for (path, text) in files {
            let (found, problems) = parse::alert_rules::read(&path, &text);
            diagnostics.extend(problems);
            alerts.extend(found);
        }
        alerts
    };
    lap("settings, layouts and alert rules", &mut timings);
    let settings_files = inputs.settings_files();
    let settings_files: Vec<&Path> = settings_files.iter().map(PathBuf::as_path).collect();
    let (listed, fresh_listing) = cache.listed(&inputs.source, &settings_files);
    let listing = &listed.listing;
    diagnostics.extend(listed.diagnostics.iter().cloned());
    if !settings.allow_script {
        diagnostics.extend(listed.asset_scripts.iter().cloned());
    }

    lap("list the source", &mut timings);
    let options = parse::ParseOptions {
        purpose,
        index_words: settings.enable_search,
        base_path: &settings.base_path,
        heading_ids: settings.heading_ids(),
        directory_indexes: settings.directory_indexes(),
        gem_markdown: settings.tech_docs.is_some(),
        layout_rules: &settings.middleman_layouts,
    };
    let parsed = parse::cache::parse_pages(
        parse::cache::ParseRun {
            source: &inputs.source,
            listing,
            fresh_listing,
            options,
            highlighter,
            today: inputs.today,
            tech_docs_config: &settings.tech_docs_raw,
            helpers: &helpers,
        },
        cache,
    );
    diagnostics.extend(parsed.diagnostics);
    let (pages, unparsed) = (parsed.pages, parsed.unparsed);
    // Outside a checkout, a `github_repo` written with a folder (the
    // gem's own documentation) says where the site is in its repository.
    let source_in_repository = match (parsed.repository_prefix, &settings.repository_folder) {
        (Some(prefix), _) => prefix,
        (None, Some(folder)) => format!("{folder}/{}", path_as_prefix(&inputs.source)),
        (None, None) => path_as_prefix(&inputs.source),
    };

    lap("read and parse", &mut timings);
    let Some(templates) = templates else {
        return (None, diagnostics);
    };
    let (site, site_diagnostics) = Site::assemble(crate::site::SiteInputs {
        settings,
        today: inputs.today,
        pages,
        unparsed,
        assets: listing.assets.clone(),
        theme_assets: templates.assets.clone(),
        layout_ids: templates.ids.clone(),
        source_in_repository,
        alerts,
    });
    diagnostics.extend(site_diagnostics);
    lap("site graph", &mut timings);
    diagnostics.extend(validate::structure(&site, &templates.layouts, &|name| {
        templates.location(name)
    }));
    lap("structure", &mut timings);
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
    if let Some(p) = &mut prepared {
        let started = std::time::Instant::now();
        diagnostics.extend(validate::check(&p.site));
        p.timings.push(("check", started.elapsed()));
        // Layouts of the site's own (theme overrides, ERB layouts) can put
        // script into a page that no input holds alone; only the made page
        // shows it. The built-in theme alone cannot, so a site without
        // either skips the work.
        if inputs.layouts.is_some() || inputs.source.join(load::ERB_LAYOUTS_FOLDER).is_dir() {
            let started = std::time::Instant::now();
            diagnostics.extend(published_scripts(&p.site, &p.templates));
            p.timings
                .push(("check published script", started.elapsed()));
        }
        if options.external {
            let settings = &p.site.settings.external_links;
            // Inside the project, through the write door: the settings
            // refuse any other path, and a linked folder is not followed.
            let protected = inputs.protected_inputs();
            let door = safe_write::Place::new(&inputs.root)
                .map(|place| place.protecting(protected.iter().map(|input| input.path.as_path())));
            diagnostics.extend(validate::external::check(
                &p.site,
                settings,
                door.as_ref().ok(),
                Path::new(&settings.cache_file),
                options.allow_private_addresses,
                options.progress.as_ref(),
            ));
        }
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
    let highlighter =
        Highlighter::with_disk_cache(open_cache(options.cache.as_deref(), &mut notes));
    let (prepared, mut diagnostics) = if options.skip_check {
        prepare_with(inputs, &highlighter, Purpose::Publish)
    } else {
        let check_options = CheckOptions::default();
        check(inputs, check_options, &highlighter, Purpose::Publish)
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
    let cache_folder = options.cache.as_deref();
    let real_out = match output_folder(inputs, out, options.force, cache_folder) {
        Ok(real) => real,
        Err(problem) => {
            diagnostics.push(problem);
            return (Err(Failure::CouldNotRun), diagnostics);
        }
    };
    if interrupt::requested() {
        diagnostics.push(interrupted(out));
        return (Err(Failure::Interrupted), diagnostics);
    }
    let mut staging = match Staging::create(&real_out) {
        Ok(s) => s,
        Err(e) => {
            diagnostics.push(write_error(out, &e));
            return (Err(Failure::CouldNotRun), diagnostics);
        }
    };
    // Only where the highlight cache could be opened: the same folder, and
    // one note when it cannot be used.
    if let Some(folder) = cache_folder.filter(|_| highlighter.disk_cache().is_some()) {
        match Reuse::open(folder, &real_out) {
            Ok(reuse) => staging = staging.reusing(reuse),
            Err(note) => notes.push(note),
        }
    }
    let started = std::time::Instant::now();
    let rendered = render_site(&site, &templates, &staging);
    timings.push(("render and write", started.elapsed()));
    let reuse = staging.take_reuse();
    if interrupt::requested() {
        // One report, not one per page left unwritten; dropping `staging`
        // deletes it.
        diagnostics.push(interrupted(out));
        return (Err(Failure::Interrupted), diagnostics);
    }
    let mut summary = match rendered {
        Ok(summary) => summary,
        Err(errors) => {
            // Script found in a published file is a problem with the site,
            // like any finding of `check`; anything else kept it from
            // being written at all.
            let failure = if errors.iter().all(|d| d.code == Code::HtmlUnsafe) {
                Failure::Problems
            } else {
                Failure::CouldNotRun
            };
            diagnostics.extend(errors);
            return (Err(failure), diagnostics);
        }
    };
    // Once begun, publishing finishes (see `interrupt`).
    let started = std::time::Instant::now();
    if let Err(e) = staging.publish() {
        diagnostics.push(write_error(out, &e));
        return (Err(Failure::CouldNotRun), diagnostics);
    }
    timings.push(("publish", started.elapsed()));
    if let Some(reuse) = reuse {
        summary.reused = reuse.reused();
        if let Err(note) = reuse.save() {
            notes.push(note);
        }
    }
    if let Some(cache) = highlighter.disk_cache() {
        let started = std::time::Instant::now();
        cache.prune(crate::highlight::disk::DEFAULT_BUDGET);
        notes.extend(cache.take_notes());
        timings.push(("prune the cache", started.elapsed()));
    }
    // Freeing every page, one allocation at a time, took a tenth of a warm
    // build; `build` ends the process, which need not wait for it.
    std::thread::spawn(move || drop((site, templates)));
    summary.timings = timings;
    summary.notes = notes;
    (Ok(summary), diagnostics)
}

/// The highlight cache in `folder` (`Inputs::cache_folder`), or `None` with
/// a note saying why it is not used. The folder is used only as a real
/// folder, never through a link (see `highlight::disk`).
pub fn open_cache(
    folder: Option<&Path>,
    notes: &mut Vec<String>,
) -> Option<crate::highlight::disk::DiskCache> {
    match crate::highlight::disk::DiskCache::open(folder?) {
        Ok(cache) => Some(cache),
        Err(note) => {
            notes.push(note);
            None
        }
    }
}

/// What the script check on made outputs finds (`render::published`),
/// without writing anything: `check`'s view of what `build` would refuse.
fn published_scripts(site: &Site, templates: &Templates) -> Diagnostics {
    let renderer = Renderer::new(site, templates);
    render::outputs(site)
        .par_iter()
        .filter_map(|&output| match renderer.make(output) {
            Err(problem) if problem.code == Code::HtmlUnsafe => Some(problem),
            _ => None,
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// The output file of a URL in the site's map. Every URL was checked when
/// it entered the map, so an error here is a bug, reported rather than
/// written.
fn output_of(url: &str) -> Result<OutputPath, Diagnostic> {
    OutputPath::of(url).map_err(|problem| {
        Diagnostic::error(
            Code::PathUnsafe,
            url,
            format!("refused to write {url:?}: {problem}"),
        )
    })
}

/// Renders every file of the site into `sink` (a staging folder for
/// `build`, memory for `serve`), on every core; each file goes to the sink
/// as soon as it is made, so rendered HTML is never all held at once. The
/// one render loop: `build` and `serve` both run it, and an output the
/// sink still holds from its fingerprint is not made again.
pub fn render_site(
    site: &Site,
    templates: &Templates,
    sink: &dyn SiteSink,
) -> Result<BuildSummary, Diagnostics> {
    let renderer = Renderer::new(site, templates);
    let outputs = render::outputs(site);
    let search_files = if site.settings.enable_search && sink.wants_search_index() {
        search::files(site)
    } else {
        Vec::new()
    };
    let every_url = outputs
        .iter()
        .map(|output| output.url(site))
        .chain(search_files.iter().map(|(url, _)| url.as_str()));
    let mut every_file = Vec::new();
    for url in every_url {
        every_file.push(output_of(url).map_err(|d| Diagnostics::from_iter([d]))?);
    }
    sink.create_folders(&mut every_file.iter())
        .map_err(|e| Diagnostics::from_iter([write_error(&sink.location(""), &e)]))?;

    let made = outputs.par_iter().map(|&output| {
        if interrupt::requested() {
            return Err(interrupted(&sink.location("")));
        }
        let file = output_of(output.url(site))?;
        // An output made from the site's inputs (not an asset, which is
        // copied) may be taken as it is from the site being replaced.
        let from_inputs = !matches!(output, Output::Asset(_) | Output::ThemeAsset(_));
        let fingerprint = ((from_inputs || sink.fingerprints_assets()) && sink.can_reuse())
            .then(|| renderer.fingerprint(output));
        if let Some(fingerprint) = fingerprint
            && sink.reuse(&file, fingerprint)
        {
            return Ok(());
        }
        let written = match renderer.make(output)? {
            Made::Text(text) => match fingerprint {
                Some(fingerprint) => sink.write_made(&file, text.as_bytes(), fingerprint),
                None => sink.write(&file, text.as_bytes()),
            },
            Made::Copy(from) => match fingerprint {
                Some(fingerprint) => sink.copy_made(&file, from, fingerprint),
                None => sink.copy(&file, from),
            },
            Made::Builtin(bytes) => match fingerprint {
                Some(fingerprint) => sink.write_made(&file, bytes, fingerprint),
                None => sink.write(&file, bytes),
            },
        };
        written.map_err(|e| write_error(&sink.location(file.as_str()), &e))
    });
    let search = search_files.par_iter().map(|(url, text)| {
        let file = output_of(url)?;
        sink.write(&file, text.as_bytes())
            .map_err(|e| write_error(&sink.location(file.as_str()), &e))
    });
    let errors: Diagnostics = made
        .chain(search)
        .filter_map(Result::err)
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    if errors.has_errors() {
        return Err(errors);
    }
    Ok(BuildSummary {
        pages: site.pages.len(),
        generated: site.generated.len() + site.redirects.len() + search_files.len(),
        assets: site.assets.len() + site.theme_assets.len(),
        reused: 0,
        timings: Timings::new(),
        notes: Vec::new(),
    })
}

fn interrupted(out: &Path) -> Diagnostic {
    Diagnostic::error(
        Code::Interrupted,
        out,
        "stopped by Ctrl-C; the site was not replaced",
    )
    .with_help("run the build again")
}

fn write_error(path: &Path, error: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::WriteFailed,
        path,
        format!("cannot write the site: {error}"),
    )
    .with_help("check that the output folder's parent exists and is writable, or pass --out DIR")
}

/// Publishing replaces the output folder whole, so it must not be or hold
/// the project, its inputs or its settings, nor lie inside the inputs; and
/// it must be a folder `manual` made, unless `force`. Returns the real path
/// to publish at.
fn output_folder(
    inputs: &Inputs,
    out: &Path,
    force: bool,
    cache: Option<&Path>,
) -> Result<PathBuf, Diagnostic> {
    let inputs_read = inputs.protected_inputs();
    let mut protected = vec![write::Protected {
        path: &inputs.root,
        what: "the project folder",
        may_hold_output: true,
    }];
    protected.extend(inputs_read.iter().map(|input| write::Protected {
        path: &input.path,
        what: input.what,
        may_hold_output: false,
    }));
    if let Some(cache) = cache {
        protected.push(write::Protected {
            path: cache,
            what: "the cache folder",
            may_hold_output: false,
        });
    }
    write::check_output(out, &protected, force)
        .map_err(|(code, message, help)| Diagnostic::error(code, out, message).with_help(help))
}
