//! Runs the stages in order: load -> parse -> site graph -> validate ->
//! render -> write. `prepare` is everything up to writing, so `check` and
//! `serve` can share it.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::highlight::Highlighter;
use crate::render::Templates;
use crate::site::{Generated, Site};
use crate::url::{OutputPath, url_for_page};
use crate::write::{SiteSink, Staging};
use crate::{
    highlight, history, interrupt, load, machine_readable, parse, search, settings, validate, write,
};

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

/// Where a site's inputs are.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The project folder, which the output may never replace.
    pub root: PathBuf,
    pub source: PathBuf,
    pub layouts: PathBuf,
    /// `None` means `site.yml` in the source directory, if it exists.
    pub settings: Option<PathBuf>,
    /// The day the site is built for: review dates before it are overdue.
    pub today: NaiveDate,
}

impl Inputs {
    pub fn settings_path(&self) -> PathBuf {
        self.settings
            .clone()
            .unwrap_or_else(|| self.source.join("site.yml"))
    }
}

pub struct Prepared {
    pub site: Site,
    pub templates: Templates,
}

/// Loads, parses, assembles and validates the site. `None` when a problem
/// stops the site from being assembled at all; otherwise the site and every
/// diagnostic found, errors included.
pub fn prepare(inputs: &Inputs) -> (Option<Prepared>, Diagnostics) {
    prepare_with(inputs, &Highlighter::new())
}

/// `prepare`, with a highlighter whose cache outlives this call (`serve`
/// keeps one across rebuilds).
pub fn prepare_with(inputs: &Inputs, highlighter: &Highlighter) -> (Option<Prepared>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    if !inputs.source.is_dir() {
        diagnostics.push(
            Diagnostic::error(
                Code::SourceMissing,
                &inputs.source,
                "source directory not found",
            )
            .with_help("run from the manual's folder, or pass --source DIR"),
        );
        return (None, diagnostics);
    }
    let settings_path = inputs.settings_path();
    let settings = match settings::load(&settings_path, inputs.settings.is_some()) {
        Ok(settings) => settings,
        Err(e) => {
            diagnostics.push(e);
            return (None, diagnostics);
        }
    };
    let templates = match Templates::load(&inputs.layouts) {
        Ok(t) => Some(t),
        Err(errors) => {
            diagnostics.extend(errors);
            None
        }
    };

    let (sources, load_diagnostics) = load::load(&inputs.source, Some(&settings_path));
    diagnostics.extend(load_diagnostics);

    let options = parse::ParseOptions {
        index_words: settings.enable_search,
        base_path: &settings.base_path,
    };
    let relatives: Vec<String> = sources.pages.iter().map(|p| p.relative.clone()).collect();
    // git runs while the pages are parsed; `check` shows no pages, so it
    // needs no dates.
    let (history, parsed) = std::thread::scope(|scope| {
        let history = scope.spawn(|| {
            let wanted: Vec<&str> = relatives.iter().map(String::as_str).collect();
            highlighter
                .makes_html()
                .then(|| history::read(&inputs.source, &wanted))
                .flatten()
        });
        let parsed: Vec<_> = sources
            .pages
            .into_par_iter()
            .map(|page| {
                (
                    page.relative.clone(),
                    parse::parse_page(page, highlighter, options),
                )
            })
            .collect();
        (history.join().ok().flatten(), parsed)
    });
    let mut pages = Vec::with_capacity(parsed.len());
    let mut unparsed = Vec::new();
    for (relative, (page, page_diagnostics)) in parsed {
        diagnostics.extend(page_diagnostics);
        match page {
            Some(mut page) => {
                page.last_commit = history
                    .as_ref()
                    .and_then(|h| h.commits.get(&page.relative).cloned());
                pages.push(page);
            }
            None => unparsed.push(url_for_page(&relative)),
        }
    }

    let Some(templates) = templates else {
        return (None, diagnostics);
    };
    let theme_assets = templates.assets.clone();
    let (mut site, site_diagnostics) = Site::assemble(
        settings,
        inputs.today,
        pages,
        unparsed,
        sources.assets,
        theme_assets,
    );
    diagnostics.extend(site_diagnostics);
    site.layout_ids = templates.ids.clone();
    site.source_in_repository = match history {
        Some(history) => history.prefix,
        None => path_as_prefix(&inputs.source),
    };
    diagnostics.extend(validate::structure(&site, &templates));
    (Some(Prepared { site, templates }), diagnostics)
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BuildSummary {
    pub pages: usize,
    pub generated: usize,
    pub assets: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// Also request every link to another site (the only network use).
    pub external: bool,
}

/// The checks of `check`, after `prepare`. Returns the site (when it could
/// be assembled) and every diagnostic. `check` alone passes
/// `Highlighter::classify_only()`: it needs no highlighted HTML.
pub fn check(
    inputs: &Inputs,
    options: CheckOptions,
    highlighter: &Highlighter,
) -> (Option<Prepared>, Diagnostics) {
    let (prepared, mut diagnostics) = prepare_with(inputs, highlighter);
    if let Some(p) = &prepared {
        diagnostics.extend(validate::check(&p.site));
        if options.external {
            let settings = &p.site.settings.external_links;
            // Inside the project: the settings refuse any other path.
            let cache = inputs.root.join(&settings.cache_file);
            diagnostics.extend(validate::external::check(&p.site, settings, &cache));
        }
    }
    (prepared, diagnostics)
}

#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    /// Build even when `check` would fail (for sites being migrated); the
    /// checks are not run at all.
    pub skip_check: bool,
    /// Replace an output folder that `manual` did not make.
    pub force: bool,
}

/// Builds the site into `out`, replacing it only if everything succeeded.
pub fn build(
    inputs: &Inputs,
    out: &Path,
    options: BuildOptions,
) -> (Option<BuildSummary>, Diagnostics) {
    let highlighter = Highlighter::new();
    let (prepared, mut diagnostics) = if options.skip_check {
        prepare_with(inputs, &highlighter)
    } else {
        let check_options = CheckOptions { external: false };
        check(inputs, check_options, &highlighter)
    };
    let real_out = match output_folder(inputs, out, options.force) {
        Ok(real) => Some(real),
        Err(problem) => {
            diagnostics.push(problem);
            None
        }
    };
    let (Some(Prepared { site, templates }), Some(real_out)) = (prepared, real_out) else {
        return (None, diagnostics);
    };
    if diagnostics.has_errors() {
        return (None, diagnostics);
    }
    if interrupt::requested() {
        diagnostics.push(interrupted(out));
        return (None, diagnostics);
    }
    let staging = match Staging::create(&real_out) {
        Ok(s) => s,
        Err(e) => {
            diagnostics.push(write_error(out, &e));
            return (None, diagnostics);
        }
    };
    let rendered = render_site(&site, &templates, &staging);
    if interrupt::requested() {
        // One report, not one per page left unwritten; dropping `staging`
        // deletes it.
        diagnostics.push(interrupted(out));
        return (None, diagnostics);
    }
    match rendered {
        // Once begun, publishing finishes (see `interrupt`).
        Ok(summary) => match staging.publish() {
            Ok(()) => (Some(summary), diagnostics),
            Err(e) => {
                diagnostics.push(write_error(out, &e));
                (None, diagnostics)
            }
        },
        Err(errors) => {
            diagnostics.extend(errors);
            (None, diagnostics)
        }
    }
}

/// Renders one generated file.
pub fn render_generated(
    site: &Site,
    templates: &Templates,
    file: Generated,
) -> Result<String, Diagnostic> {
    match file {
        Generated::Home => templates.render_home(site),
        Generated::ManualIndex => templates.render_manual_index(site),
        Generated::NotFound => templates.render_not_found(site),
        Generated::SearchPage => templates.render_search(site),
        Generated::HighlightCss => Ok(highlight::CSS.to_string()),
        Generated::PagesJson => Ok(machine_readable::pages_json(site)),
        Generated::Robots => Ok(machine_readable::robots(site)),
        Generated::Sitemap => Ok(machine_readable::sitemap(site)),
    }
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
/// `build`, memory for `serve`), pages on every core; each page goes to the
/// sink as soon as it is rendered, so rendered HTML is never all held at
/// once.
pub fn render_site(
    site: &Site,
    templates: &Templates,
    sink: &dyn SiteSink,
) -> Result<BuildSummary, Diagnostics> {
    let mut generated: Vec<(String, Result<String, Diagnostic>)> = site
        .generated
        .iter()
        .map(|&file| {
            (
                file.url().to_string(),
                render_generated(site, templates, file),
            )
        })
        .collect();
    if site.settings.enable_search {
        generated.extend(
            search::files(site)
                .into_iter()
                .map(|(url, contents)| (url, Ok(contents))),
        );
    }
    for redirect in &site.redirects {
        generated.push((
            redirect.from.clone(),
            templates.render_redirect(site, redirect),
        ));
    }
    let every_url = site
        .urls
        .keys()
        .map(String::as_str)
        .chain(generated.iter().map(|(url, _)| url.as_str()));
    let mut every_file = Vec::new();
    for url in every_url {
        every_file.push(output_of(url).map_err(|d| Diagnostics::from_iter([d]))?);
    }
    sink.create_folders(&mut every_file.iter())
        .map_err(|e| Diagnostics::from_iter([write_error(&sink.location(""), &e)]))?;

    let write = |url: &str, html: &str| {
        if interrupt::requested() {
            return Err(interrupted(&sink.location("")));
        }
        let file = output_of(url)?;
        sink.write(&file, html.as_bytes())
            .map_err(|e| write_error(&sink.location(file.as_str()), &e))
    };
    let pages = (0..site.pages.len())
        .into_par_iter()
        .map(|i| write(&site.pages[i].url, &templates.render_page(site, i)?));
    let generated_pages = generated
        .par_iter()
        .map(|(url, html)| write(url, html.as_ref().map_err(Clone::clone)?));
    let assets = site
        .assets
        .par_iter()
        .chain(site.theme_assets.par_iter())
        .map(|asset| {
            let file = output_of(&asset.url)?;
            sink.copy(&file, &asset.path)
                .map_err(|e| write_error(&asset.path, &e))
        });
    let errors: Diagnostics = pages
        .chain(generated_pages)
        .chain(assets)
        .filter_map(Result::err)
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    if errors.has_errors() {
        return Err(errors);
    }
    Ok(BuildSummary {
        pages: site.pages.len(),
        generated: generated.len(),
        assets: site.assets.len() + site.theme_assets.len(),
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
fn output_folder(inputs: &Inputs, out: &Path, force: bool) -> Result<PathBuf, Diagnostic> {
    let settings = inputs.settings_path();
    let protected = [
        write::Protected {
            path: &inputs.root,
            what: "the project folder",
            may_hold_output: true,
        },
        write::Protected {
            path: &inputs.source,
            what: "the source folder",
            may_hold_output: false,
        },
        write::Protected {
            path: &inputs.layouts,
            what: "the layouts folder",
            may_hold_output: false,
        },
        write::Protected {
            path: &settings,
            what: "the settings file",
            may_hold_output: false,
        },
    ];
    write::check_output(out, &protected, force)
        .map_err(|(code, message, help)| Diagnostic::error(code, out, message).with_help(help))
}
