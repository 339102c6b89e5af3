//! Stage 3, site graph: every URL the site will have, in one map, the one
//! resolver of links, parents and redirects against it, and the structure
//! built over the pages (sections, the manual index, breadcrumbs).

pub mod generated;
pub mod nav;
pub mod runbooks;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::load::AssetSource;
use crate::parse::Page;
use crate::parse::heading_id::HeadingIds;
use crate::settings::Settings;
use crate::url::{self, Destination, LinkRules, SitePath};
pub use generated::{
    DEFAULT_LAYOUT, Generated, HOME_LAYOUT, HOME_URL, MANUAL_INDEX_LAYOUT, MANUAL_INDEX_URL,
    NOT_FOUND_LAYOUT, NOT_FOUND_URL, REDIRECT_LAYOUT, SEARCH_INDEX_FOLDER, SEARCH_LAYOUT,
    SEARCH_PAGE_URL, SITEMAP_URL, THEME_ASSETS_PREFIX,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Page(usize),
    Asset(usize),
    ThemeAsset(usize),
    /// A redirect from an old URL; the index is into `Site::redirects`.
    Redirect(usize),
    /// A file the build makes (see `generated`).
    Generated(Generated),
    /// A page whose source could not be parsed (already an error). Its URL
    /// stays in the map so that links to it are not reported as well.
    Unparsed,
}

/// What a link destination means for this site: the one resolver, used for
/// links, parents, redirects and the settings' header and footer links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Another site (`https://`, `mailto:`, ...), checked only with `--external`.
    External(String),
    /// A scheme that runs code in the reader's browser.
    Unsafe(String),
    /// A path on this site, made absolute and percent-decoded, with the
    /// target if the site has one at exactly that URL.
    Internal {
        path: String,
        fragment: Option<String>,
        target: Option<Target>,
    },
    /// Under a prefix the settings say another system serves.
    ExternalPath {
        path: String,
        fragment: Option<String>,
    },
}

/// Where a redirect was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectOrigin {
    /// `redirects:` in the settings file.
    Settings,
    /// `old_paths:` in this page's front matter.
    Page(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Redirect {
    /// The old address, a checked site path.
    pub from: String,
    /// Where it goes, as written (never script, never control characters).
    pub to: String,
    pub origin: RedirectOrigin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    /// The file, or (for the built-in theme) where messages say it is.
    pub path: PathBuf,
    pub url: String,
    /// The contents of a file of the built-in theme, compiled in.
    pub builtin: Option<&'static [u8]>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub name: String,
    /// Its heading id on the manual index, so `/manual.html#<id>` works.
    pub id: String,
    /// Indexes into `Site::pages`: how-to pages, then `type: learn` pages,
    /// each in the navigation's order (`nav::NavKey`: weight, then title).
    pub pages: Vec<usize>,
}

impl Section {
    /// Up to `limit` pages of the section around the one at `position` (it
    /// included), in the section's order: a window that moves with the
    /// page, so no page lists its whole section.
    pub fn window(&self, position: usize, limit: usize) -> &[usize] {
        let shown = limit.min(self.pages.len());
        let start = position
            .saturating_sub(shown / 2)
            .min(self.pages.len() - shown);
        &self.pages[start..start + shown]
    }
}

/// One link in a page's breadcrumbs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crumb {
    pub title: String,
    pub path: String,
    pub fragment: Option<String>,
}

/// Everything a site graph is assembled from: it is built whole from
/// these, never patched afterwards.
pub struct SiteInputs {
    pub settings: Settings,
    /// The day the site is built for.
    pub today: chrono::NaiveDate,
    pub pages: Vec<Arc<Page>>,
    /// The URLs of pages that could not be parsed (links to them are not
    /// broken).
    pub unparsed: Vec<String>,
    pub assets: Vec<AssetSource>,
    pub theme_assets: Vec<AssetSource>,
    /// The ids each layout writes, from the layouts (`Templates::ids`).
    pub layout_ids: BTreeMap<String, Vec<String>>,
    /// The source folder's path in its repository (`source/`).
    pub source_in_repository: String,
    /// Every alert with a `runbook_url`, from the alert rule files.
    pub alerts: Vec<crate::parse::alert_rules::AlertRule>,
}

#[derive(Debug)]
pub struct Site {
    pub settings: Settings,
    /// The day the site is built for: review dates before it are overdue.
    pub today: chrono::NaiveDate,
    /// The source folder's path in its repository (`source/`), for
    /// "Edit this page" links.
    pub source_in_repository: String,
    /// Shared, so `serve` assembles a new site from unchanged pages without
    /// copying them.
    pub pages: Vec<Arc<Page>>,
    pub assets: Vec<Asset>,
    pub theme_assets: Vec<Asset>,
    /// Every URL the site has and what is there: the one map every lookup
    /// goes through. Nothing iterates it in order (suggestions take the
    /// minimum), so it is hashed rather than sorted.
    pub urls: foldhash::HashMap<String, Target>,
    /// The generated files this site has, in the order of `generated_files`.
    pub generated: Vec<Generated>,
    /// Sorted case-insensitively by name.
    pub sections: Vec<Section>,
    /// For each page in a section: (its section, its place there).
    pub page_sections: Vec<Option<(usize, usize)>>,
    /// Pages marked `important: true`, sorted by title.
    pub common_tasks: Vec<usize>,
    /// A source page at `/index.html` replaces the generated home page body.
    pub home_page: Option<usize>,
    pub redirects: Vec<Redirect>,
    /// The ids each layout writes into every page it renders (`main-content`,
    /// ...), read from the layout files, so a `#fragment` naming one is
    /// found.
    pub layout_ids: BTreeMap<String, Vec<String>>,
    /// The pages as a tree by folder, for `multipage_nav`.
    pub nav: nav::Nav,
    /// The alerts whose `runbook_url` links into the site, and where each
    /// leads.
    pub runbooks: runbooks::Runbooks,
}

pub const COMMON_TASKS_ID: &str = "common-tasks";
pub const NO_SECTION: &str = "Other";

/// Who claimed a URL, named only if a second claimant needs telling.
#[derive(Clone, Copy)]
enum Claimant<'a> {
    File(&'a std::path::Path),
    Redirect(&'a str),
    Generated(Generated),
}

impl std::fmt::Display for Claimant<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Claimant::File(path) => write!(f, "{}", path.display()),
            Claimant::Redirect(from) => write!(f, "the redirect from {from}"),
            Claimant::Generated(file) => f.write_str(file.describe()),
        }
    }
}

/// Builds the URL map, refusing any URL claimed twice or inside the search
/// index's folder.
struct UrlMap<'a> {
    urls: foldhash::HashMap<String, Target>,
    claimants: foldhash::HashMap<String, Claimant<'a>>,
    search_folder: Option<&'static str>,
    /// Output file -> the URL published there, and output folder -> a URL
    /// published inside it: a file and a folder may not share a name
    /// (`old_paths: [/manual]` beside the pages in `manual/`).
    files: foldhash::HashMap<String, String>,
    folders: foldhash::HashMap<String, String>,
}

impl<'a> UrlMap<'a> {
    /// Claims `url` for `target`, or says why it cannot have it.
    fn claim(&mut self, url: &str, target: Target, who: Claimant<'a>) -> Result<(), String> {
        if let Some(folder) = self.search_folder
            && url.starts_with(folder)
            && !matches!(who, Claimant::Generated(_))
        {
            return Err(format!("{folder} is where the search index is published"));
        }
        if let Some(first) = self.claimants.get(url) {
            return Err(format!(
                "{who} and {first} would both be published at {url}"
            ));
        }
        if let Ok(file) = crate::url::OutputPath::of(url) {
            let file = file.as_str();
            if let Some(inside) = self.folders.get(file) {
                return Err(format!(
                    "{who} would be published as the file {file}, but {inside} is published inside a folder of that name"
                ));
            }
            let mut folders = Vec::new();
            let mut rest = file;
            while let Some((folder, _)) = rest.rsplit_once('/') {
                if let Some(other) = self.files.get(folder) {
                    return Err(format!(
                        "{who} would be published inside the folder {folder}, but {other} is published as a file of that name"
                    ));
                }
                folders.push(folder);
                rest = folder;
            }
            for folder in folders {
                // Looked up before a key is made: thousands of pages share
                // a folder.
                if !self.folders.contains_key(folder) {
                    self.folders.insert(folder.to_string(), url.to_string());
                }
            }
            self.files.insert(file.to_string(), url.to_string());
        }
        self.claimants.insert(url.to_string(), who);
        self.urls.insert(url.to_string(), target);
        Ok(())
    }
}

impl Asset {
    /// The asset `source` published below `prefix`, if its address is a
    /// safe site path.
    fn published(source: &AssetSource, prefix: &str) -> Result<Asset, url::PathProblem> {
        SitePath::new(&format!("{prefix}{}", source.relative)).map(|url| Asset {
            url: url.into_string(),
            path: source.path.clone(),
            builtin: source.builtin,
        })
    }
}

/// The files the build makes for this site. The only part of the graph
/// that reads what a page keeps to itself: whether the bodies together are
/// small enough for a print page.
fn generated_files_of(
    settings: &Settings,
    pages: &[Arc<Page>],
    assets: &[Asset],
) -> Vec<Generated> {
    // A site's own home page or page-not-found page (a tech-docs site's
    // `404.html.md.erb`) replaces the generated one, as the gem has no
    // page of its own there to clash with.
    let own_page_at = |url: &str| pages.iter().any(|p| p.url == url);
    generated::generated_files(settings)
        .into_iter()
        .filter(|g| !(*g == Generated::Home && own_page_at(HOME_URL)))
        .filter(|g| !(*g == Generated::NotFound && own_page_at(g.url())))
        // `/print.html` is ours only where the site has nothing there,
        // and only for a manual small enough to be one page.
        .filter(|g| {
            !(*g == Generated::Print
                && (own_page_at(g.url())
                    || assets.iter().any(|a| a.url == g.url())
                    || pages.iter().map(|p| p.body_html.len()).sum::<usize>()
                        > generated::PRINT_MAX_BYTES))
        })
        .collect()
}

impl Site {
    /// Builds the URL map and the manual's structure. Two files that map to
    /// one URL are an error naming both; a file, asset or redirect whose
    /// address is not a safe site path is an error, and is left out.
    pub fn assemble(inputs: SiteInputs) -> (Site, Diagnostics) {
        let SiteInputs {
            settings,
            today,
            mut pages,
            unparsed,
            assets,
            theme_assets,
            layout_ids,
            source_in_repository,
            alerts,
        } = inputs;
        let mut diagnostics = Diagnostics::new();
        let mut refuse = |path: &PathBuf, problem: url::PathProblem| {
            diagnostics.push(
                Diagnostic::error(
                    Code::PathUnsafe,
                    path,
                    format!("this file's name cannot be published: {problem}"),
                )
                .with_help("rename the file"),
            );
        };
        pages.retain(|page| match SitePath::new(&page.url) {
            Ok(_) => true,
            Err(problem) => {
                refuse(&page.path, problem);
                false
            }
        });
        pages.sort_by(|a, b| a.relative.cmp(&b.relative));
        let mut to_assets = |sources: Vec<AssetSource>, prefix: &str| -> Vec<Asset> {
            sources
                .into_iter()
                .filter_map(|a| match Asset::published(&a, prefix) {
                    Ok(asset) => Some(asset),
                    Err(problem) => {
                        refuse(&a.path, problem);
                        None
                    }
                })
                .collect()
        };
        let assets = to_assets(assets, "/");
        let theme_assets = to_assets(theme_assets, THEME_ASSETS_PREFIX);

        let capacity = pages.len() + assets.len() + theme_assets.len() + 16;
        let mut map = UrlMap {
            urls: foldhash::HashMap::with_capacity_and_hasher(capacity, Default::default()),
            claimants: foldhash::HashMap::with_capacity_and_hasher(capacity, Default::default()),
            search_folder: settings.enable_search.then_some(SEARCH_INDEX_FOLDER),
            files: foldhash::HashMap::with_capacity_and_hasher(capacity, Default::default()),
            folders: foldhash::HashMap::default(),
        };
        let home_page = pages.iter().position(|p| p.url == HOME_URL);
        let generated = generated_files_of(&settings, &pages, &assets);
        for &file in &generated {
            map.claim(
                file.url(),
                Target::Generated(file),
                Claimant::Generated(file),
            )
            .expect("generated files have distinct URLs outside the search folder");
        }
        let conflict = |path: &PathBuf, message: String| {
            Diagnostic::error(Code::UrlConflict, path, message)
                .with_help("rename or remove one of them")
        };
        for (i, asset) in theme_assets.iter().enumerate() {
            let who = Claimant::File(&asset.path);
            if let Err(message) = map.claim(&asset.url, Target::ThemeAsset(i), who) {
                diagnostics.push(conflict(&asset.path, message));
            }
        }
        for (i, page) in pages.iter().enumerate() {
            let who = Claimant::File(&page.path);
            if let Err(message) = map.claim(&page.url, Target::Page(i), who) {
                diagnostics.push(conflict(&page.path, message));
            }
        }
        for (i, asset) in assets.iter().enumerate() {
            let who = Claimant::File(&asset.path);
            if let Err(message) = map.claim(&asset.url, Target::Asset(i), who) {
                diagnostics.push(conflict(&asset.path, message));
            }
        }
        for url in unparsed {
            if SitePath::new(&url).is_ok() {
                map.urls.entry(url).or_insert(Target::Unparsed);
            }
        }
        let mut redirects = Vec::new();
        for written in written_redirects(&settings, &pages) {
            let (file, line) = written.location(&settings, &pages);
            let redirect = match written.checked() {
                Ok(redirect) => redirect,
                Err((code, message, help)) => {
                    diagnostics.push(
                        Diagnostic::error(code, file, message)
                            .at(line, 1)
                            .with_help(help),
                    );
                    continue;
                }
            };
            let from = redirect.from.clone();
            match map.urls.get(&from) {
                Some(Target::Page(p)) => diagnostics.push(
                    Diagnostic::error(
                        Code::RedirectShadowsPage,
                        file,
                        format!(
                            "{from} is a redirect and also the page {}",
                            pages[*p].path.display()
                        ),
                    )
                    .at(line, 1)
                    .with_help("remove the redirect, or move or delete the page"),
                ),
                _ => {
                    let who = Claimant::Redirect(written.from);
                    match map.claim(&from, Target::Redirect(redirects.len()), who) {
                        Ok(()) => redirects.push(redirect),
                        Err(message) => diagnostics.push(
                            Diagnostic::error(Code::UrlConflict, file, message)
                                .at(line, 1)
                                .with_help("keep one redirect per old URL, away from the files the site publishes"),
                        ),
                    }
                }
            }
        }

        let nav_keys = nav::NavKey::all(&pages);
        let (sections, page_sections, common_tasks) =
            group_into_sections(&pages, &nav_keys, settings.heading_ids());
        let nav = nav::Nav::build(&pages, &nav_keys);
        drop(nav_keys);
        let urls = map.urls;
        // The claimants borrow the pages and settings moved into the site.
        drop(map.claimants);
        let site = Site {
            settings,
            today,
            source_in_repository,
            pages,
            assets,
            theme_assets,
            urls,
            generated,
            sections,
            page_sections,
            common_tasks,
            home_page,
            redirects,
            layout_ids,
            nav,
            runbooks: runbooks::Runbooks::default(),
        };
        // Where each alert's runbook link leads is an answer about the
        // whole graph: asked of it once it stands, then kept in it.
        let runbooks = runbooks::Runbooks::resolve(&site, alerts);
        (Site { runbooks, ..site }, diagnostics)
    }

    /// `assemble`, or, when `before` was assembled from inputs that differ
    /// from these only inside pages, `before`'s graph with these pages:
    /// the same site, without working out again what no page's own facts
    /// decide (`serve`, on a save of a page's body).
    ///
    /// `before` must have been assembled without findings. Every site
    /// `serve` keeps was: assembling finds only errors, and an error stops a
    /// rebuild.
    pub fn assemble_after(inputs: SiteInputs, before: Option<&Site>) -> (Site, Diagnostics) {
        match before {
            Some(before) if Site::inputs_differ_only_inside_pages(&inputs, before) => {
                (Site::with_pages_of(inputs, before), Diagnostics::new())
            }
            _ => Site::assemble(inputs),
        }
    }

    /// Whether `inputs` are those `before` was assembled from but for what
    /// pages keep to themselves (`Page::same_to_other_pages`), and make
    /// the same generated files.
    fn inputs_differ_only_inside_pages(inputs: &SiteInputs, before: &Site) -> bool {
        let SiteInputs {
            settings,
            today,
            pages,
            unparsed,
            assets,
            theme_assets,
            layout_ids,
            source_in_repository,
            alerts,
        } = inputs;
        let published = |sources: &[AssetSource], prefix: &str, then: &[Asset]| {
            sources.len() == then.len()
                && sources
                    .iter()
                    .zip(then)
                    .all(|(now, then)| Asset::published(now, prefix).is_ok_and(|a| a == *then))
        };
        // A site assembled without findings had every page's address safe
        // and, as `assemble` orders them, pages sorted by file.
        let same_pages = pages.len() == before.pages.len()
            && pages
                .iter()
                .zip(&before.pages)
                .all(|(now, then)| now.is_same_page(then) || now.same_to_other_pages(then));
        same_pages
            && unparsed.is_empty()
            && before.urls.values().all(|t| *t != Target::Unparsed)
            && *today == before.today
            && *settings == before.settings
            && *source_in_repository == before.source_in_repository
            && *layout_ids == before.layout_ids
            && *alerts == before.runbooks.alerts
            && published(assets, "/", &before.assets)
            && published(theme_assets, THEME_ASSETS_PREFIX, &before.theme_assets)
            && generated_files_of(settings, pages, &before.assets) == before.generated
    }

    /// `before`'s graph with the pages of `inputs`, which differ from its
    /// own only inside (`inputs_differ_only_inside_pages`).
    fn with_pages_of(inputs: SiteInputs, before: &Site) -> Site {
        Site {
            settings: inputs.settings,
            today: inputs.today,
            source_in_repository: inputs.source_in_repository,
            pages: inputs.pages,
            assets: before.assets.clone(),
            theme_assets: before.theme_assets.clone(),
            urls: before.urls.clone(),
            generated: before.generated.clone(),
            sections: before.sections.clone(),
            page_sections: before.page_sections.clone(),
            common_tasks: before.common_tasks.clone(),
            home_page: before.home_page,
            redirects: before.redirects.clone(),
            layout_ids: inputs.layout_ids,
            nav: before.nav.clone(),
            runbooks: before.runbooks.clone(),
        }
    }

    /// Whether this site and `before` differ only in what pages keep to
    /// themselves (`Page::same_to_other_pages`): then a page that is the
    /// same page in both (`Page::is_same_page`) has the same check results
    /// and the same output, since nothing else it reads changed. This is
    /// how `serve` makes a save's work proportional to what it touched,
    /// with no list of what depends on what: everything the graph holds
    /// is compared, derived parts included.
    pub fn differs_only_inside_pages(&self, before: &Site) -> bool {
        let Site {
            settings,
            today,
            source_in_repository,
            pages,
            assets,
            theme_assets,
            urls,
            generated,
            sections,
            page_sections,
            common_tasks,
            home_page,
            redirects,
            layout_ids,
            nav,
            runbooks,
        } = self;
        pages.len() == before.pages.len()
            && pages
                .iter()
                .zip(&before.pages)
                .all(|(now, then)| now.is_same_page(then) || now.same_to_other_pages(then))
            && *today == before.today
            && *settings == before.settings
            && *source_in_repository == before.source_in_repository
            && *assets == before.assets
            && *theme_assets == before.theme_assets
            && *generated == before.generated
            && *sections == before.sections
            && *page_sections == before.page_sections
            && *common_tasks == before.common_tasks
            && *home_page == before.home_page
            && *redirects == before.redirects
            && *layout_ids == before.layout_ids
            && *nav == before.nav
            && *runbooks == before.runbooks
            && *urls == before.urls
    }

    fn link_rules(&self) -> LinkRules<'_> {
        LinkRules {
            host: self.settings.host.as_deref(),
            base_path: &self.settings.base_path,
            external_paths: &self.settings.external_paths,
        }
    }

    /// The target at a site path; a folder (`/x/`, or `/x`, which hosts
    /// redirect to `/x/`) finds its `index.html`, as hosts serve it.
    pub fn lookup(&self, path: &str) -> Option<Target> {
        self.urls.get(path).copied().or_else(|| {
            let folder = if path.ends_with('/') {
                format!("{path}index.html")
            } else {
                format!("{path}/index.html")
            };
            self.urls.get(&folder).copied()
        })
    }

    /// Resolves `destination`, written on the page (or redirect, or
    /// settings file) at `from_url`.
    pub fn resolve(&self, from_url: &str, destination: &str) -> Resolved {
        match url::interpret(&self.link_rules(), from_url, destination) {
            Destination::External(url) => Resolved::External(url),
            Destination::Unsafe(url) => Resolved::Unsafe(url),
            Destination::ExternalPath { path, fragment } => {
                Resolved::ExternalPath { path, fragment }
            }
            Destination::Local { path, fragment } => Resolved::Internal {
                target: self.lookup(&path),
                path,
                fragment,
            },
        }
    }

    /// Where a redirect goes: the one answer its page, `check` and the
    /// chain and loop checks use. A target is resolved from the site's
    /// root, as the tech-docs gem resolves it (`new.html` from the old
    /// address `/a/old.html` is `/new.html`): a settings file has no folder.
    pub fn redirect_target(&self, redirect: &Redirect) -> Resolved {
        self.resolve("/", &redirect.to)
    }

    /// Where redirect `r` goes, as messages show it: the site path it
    /// resolves to (with its fragment), or the other site's address.
    pub fn redirect_shown(&self, r: usize) -> String {
        match self.redirect_target(&self.redirects[r]) {
            Resolved::Internal { path, fragment, .. }
            | Resolved::ExternalPath { path, fragment } => match fragment {
                Some(fragment) => format!("{path}#{fragment}"),
                None => path,
            },
            Resolved::External(url) | Resolved::Unsafe(url) => url,
        }
    }

    /// What a page's `parent` resolves to: the one answer breadcrumbs and
    /// `check` both use.
    pub fn parent(&self, page: usize) -> Option<Resolved> {
        let parent = self.pages[page].front_matter.parent.as_deref()?;
        Some(self.resolve(&self.pages[page].url, parent))
    }

    /// The page a page's `parent` names, when it names a page.
    pub fn parent_page(&self, page: usize) -> Option<usize> {
        match self.parent(page)? {
            Resolved::Internal {
                target: Some(Target::Page(p)),
                ..
            } => Some(p),
            _ => None,
        }
    }

    /// A site path (and fragment) as written into the site's files: under
    /// the base path, percent-encoded.
    pub fn href(&self, path: &str, fragment: Option<&str>) -> String {
        url::href(&self.settings.base_path, path, fragment)
    }

    /// `href` (an address on this site, base path included) on the web,
    /// with the settings' `host`; `None` without one. With `absolute_url`,
    /// the one place an absolute address is made: canonical links, the
    /// sitemap and `robots.txt`, redirects, the review report.
    pub fn on_host(&self, href: &str) -> Option<String> {
        let host = self.settings.host.as_deref()?.trim_end_matches('/');
        Some(format!("{host}{href}"))
    }

    /// The absolute address of a site path (`/x.html`) and fragment.
    pub fn absolute_url(&self, path: &str, fragment: Option<&str>) -> Option<String> {
        self.on_host(&self.href(path, fragment))
    }

    /// What the navigation tree calls a page. On a tech-docs site, as the
    /// current gem writes its tree, a page with no pages below it is named
    /// by its level-1 heading (the gem lists the page's headings there),
    /// and a page with pages below it by its `title`.
    pub fn nav_title(&self, page: usize) -> &str {
        let p = &self.pages[page];
        if self.settings.tech_docs.is_some()
            && self.nav.children.get(page).is_none_or(Vec::is_empty)
            && let Some(heading) = p.headings.iter().find(|h| h.level == 1)
        {
            return &heading.text;
        }
        &p.title
    }

    /// The page's review date, when it has passed on the site's day.
    pub fn overdue(&self, page: usize) -> Option<chrono::NaiveDate> {
        self.pages[page].review.overdue_on(self.today)
    }

    /// Who keeps a page true: its `owner_slack`, else the settings'
    /// `default_owner_slack` (as the gem does). Check, pages and the review
    /// feed all ask here.
    pub fn owner(&self, page: usize) -> Option<&str> {
        self.pages[page]
            .front_matter
            .owner_slack
            .as_deref()
            .or(self.settings.default_owner_slack.as_deref())
    }

    /// The layout that renders a page: the one it names, else the home or
    /// the default layout.
    pub fn layout_of(&self, page: usize) -> &str {
        match &self.pages[page].layout {
            Some(layout) => layout,
            None if self.home_page == Some(page) => HOME_LAYOUT,
            None => DEFAULT_LAYOUT,
        }
    }

    /// Every id a `#fragment` can name on the output at `target`: the
    /// page's headings and raw HTML ids, the manual index's sections, and
    /// the ids its layout writes. `None` for targets that are not HTML
    /// pages this site makes (their fragments are not checked).
    pub fn ids_at(&self, target: Target) -> Option<impl Iterator<Item = &str> + '_> {
        // Built from optional parts rather than boxed: `check` asks this
        // for every link with a fragment.
        let (page, manual_index, layout) = match target {
            Target::Page(i) => (Some(&*self.pages[i]), false, self.layout_of(i)),
            Target::Generated(Generated::ManualIndex) => (None, true, MANUAL_INDEX_LAYOUT),
            Target::Generated(generated) => (None, false, generated.layout()?),
            Target::Asset(_) | Target::ThemeAsset(_) | Target::Redirect(_) | Target::Unparsed => {
                return None;
            }
        };
        let sections = manual_index.then_some(&self.sections);
        Some(
            page.into_iter()
                .flat_map(Page::ids)
                .chain(sections.into_iter().flatten().map(|s| s.id.as_str()))
                .chain(manual_index.then_some(COMMON_TASKS_ID))
                .chain(
                    self.layout_ids
                        .get(layout)
                        .into_iter()
                        .flatten()
                        .map(String::as_str),
                ),
        )
    }

    /// Whether a `#fragment` to `target` names something there. `#top`
    /// scrolls to the top of any HTML page.
    pub fn has_id(&self, target: Target, id: &str) -> bool {
        id == "top"
            || self
                .ids_at(target)
                .is_none_or(|mut ids| ids.any(|i| i == id))
    }

    pub fn title_of(&self, target: Target) -> Option<&str> {
        match target {
            Target::Page(i) => Some(&self.pages[i].title),
            Target::Generated(generated) => generated.title(),
            Target::Asset(_) | Target::ThemeAsset(_) | Target::Redirect(_) | Target::Unparsed => {
                None
            }
        }
    }

    /// Recomputes the sections and common tasks after a page's title,
    /// section, type or importance changed.
    pub fn section_of(&self, page: usize) -> Option<&Section> {
        self.page_sections[page].map(|(section, _)| &self.sections[section])
    }

    /// The pages before and after a page in its section's order (the
    /// order of the manual index), for "Previous" and "Next".
    pub fn section_neighbours(&self, page: usize) -> (Option<usize>, Option<usize>) {
        let Some((section, position)) = self.page_sections[page] else {
            return (None, None);
        };
        let pages = &self.sections[section].pages;
        let previous = position.checked_sub(1).map(|p| pages[p]);
        (previous, pages.get(position + 1).copied())
    }

    /// Up to `limit` pages of a page's section around it (it included).
    pub fn section_window(&self, page: usize, limit: usize) -> &[usize] {
        match self.page_sections[page] {
            Some((section, position)) => self.sections[section].window(position, limit),
            None => &[],
        }
    }

    /// Home, then the page's `parent` chain from the top down, then its
    /// section on the manual index. Unresolvable parents and cycles end the
    /// chain (`check` reports them).
    pub fn breadcrumbs(&self, page: usize) -> Vec<Crumb> {
        let crumb = |title: &str, path: &str| Crumb {
            title: title.to_string(),
            path: path.to_string(),
            fragment: None,
        };
        let mut chain: Vec<Crumb> = Vec::new();
        let mut seen = vec![page];
        let mut current = page;
        while let Some(Resolved::Internal {
            target: Some(target),
            ..
        }) = self.parent(current)
        {
            match target {
                Target::Page(p) if !seen.contains(&p) && self.pages[p].url != HOME_URL => {
                    chain.push(crumb(&self.pages[p].title, &self.pages[p].url));
                    seen.push(p);
                    current = p;
                }
                Target::Generated(Generated::ManualIndex) => {
                    chain.push(crumb("Manual", MANUAL_INDEX_URL));
                    break;
                }
                _ => break,
            }
        }
        // Without a `parent`, the folders above the page (a tech-docs
        // site's structure) are its trail.
        if chain.is_empty() {
            chain.extend(
                self.nav
                    .ancestors(page)
                    .into_iter()
                    .filter(|&p| self.pages[p].url != HOME_URL)
                    .map(|p| crumb(&self.pages[p].title, &self.pages[p].url)),
            );
        }
        chain.reverse();
        let mut crumbs = vec![crumb("Home", "/")];
        crumbs.extend(chain);
        if let Some(section) = self.section_of(page) {
            let under_index = crumbs.last().is_some_and(|c| c.path == MANUAL_INDEX_URL);
            if crumbs.len() == 1 || under_index {
                if crumbs.len() == 1 {
                    crumbs.push(crumb("Manual", MANUAL_INDEX_URL));
                }
                crumbs.push(Crumb {
                    title: section.name.clone(),
                    path: MANUAL_INDEX_URL.into(),
                    fragment: Some(section.id.clone()),
                });
            }
        }
        crumbs
    }
}

/// A redirect as written, before its addresses are checked.
struct WrittenRedirect<'a> {
    from: &'a str,
    to: &'a str,
    origin: RedirectOrigin,
}

type Refusal = (Code, String, String);

impl WrittenRedirect<'_> {
    /// Its old address through the door, and its target free of control
    /// characters (it is written into the redirect page).
    fn checked(&self) -> Result<Redirect, Refusal> {
        if self.from.starts_with("//") || url::has_scheme(self.from) {
            return Err((
                Code::PathUnsafe,
                format!(
                    "`{}`: a redirect can only be from a path on this site",
                    self.from
                ),
                "write the old address as a path from the site's root, such as /old-page.html"
                    .into(),
            ));
        }
        let from = SitePath::from_url_path(self.from).map_err(|problem| {
            (
                Code::PathUnsafe,
                format!(
                    "the old address `{}` cannot be published: {problem}",
                    self.from.escape_debug()
                ),
                "write the old address as a path from the site's root, such as /old-page.html"
                    .into(),
            )
        })?;
        if url::runs_script(self.to) {
            return Err((
                Code::RedirectUnsafe,
                format!(
                    "the redirect from {from} goes to `{}`, which runs script",
                    self.to
                ),
                "redirect to a page".into(),
            ));
        }
        if let Some(c) = self.to.chars().find(|c| c.is_control()) {
            return Err((
                Code::RedirectUnsafe,
                format!(
                    "the redirect from {from} goes to an address with the control character U+{:04X}",
                    u32::from(c)
                ),
                "write the target on one line, with no control characters".into(),
            ));
        }
        Ok(Redirect {
            from: from.into_string(),
            to: self.to.trim().to_string(),
            origin: self.origin,
        })
    }

    fn location(&self, settings: &Settings, pages: &[Arc<Page>]) -> (PathBuf, usize) {
        match self.origin {
            RedirectOrigin::Settings => (
                settings_file(settings),
                settings.position_of(&format!("redirects.{}", self.from)).0,
            ),
            RedirectOrigin::Page(i) => (pages[i].path.clone(), pages[i].key_line("old_paths")),
        }
    }
}

fn settings_file(settings: &Settings) -> PathBuf {
    settings.file_of("redirects")
}

/// Redirects from the settings, then from each page's `old_paths`.
fn written_redirects<'a>(
    settings: &'a Settings,
    pages: &'a [Arc<Page>],
) -> Vec<WrittenRedirect<'a>> {
    let mut redirects: Vec<WrittenRedirect<'_>> = settings
        .redirects
        .iter()
        .map(|(from, to)| WrittenRedirect {
            from,
            to,
            origin: RedirectOrigin::Settings,
        })
        .collect();
    for (i, page) in pages.iter().enumerate() {
        redirects.extend(
            page.front_matter
                .old_paths
                .iter()
                .map(|old| WrittenRedirect {
                    from: old,
                    to: &page.url,
                    origin: RedirectOrigin::Page(i),
                }),
        );
    }
    redirects
}

/// The file and line where a redirect was written.
pub fn redirect_location(
    settings: &Settings,
    pages: &[Arc<Page>],
    redirect: &Redirect,
) -> (PathBuf, usize) {
    match redirect.origin {
        RedirectOrigin::Settings => {
            let key = format!("redirects.{}", redirect.from);
            let alternative = format!("redirects.{}", redirect.from.trim_start_matches('/'));
            let line = [key, alternative]
                .iter()
                .map(|k| settings.position_of(k).0)
                .find(|&line| line > 0)
                .unwrap_or(0);
            (settings_file(settings), line)
        }
        RedirectOrigin::Page(i) => (pages[i].path.clone(), pages[i].key_line("old_paths")),
    }
}

/// Pages sort by title ignoring case, then by title and URL.
fn title_key(page: &Page) -> (String, String, String) {
    (
        nav::folded(&page.title),
        page.title.clone(),
        page.url.clone(),
    )
}

/// The sections, each page's (section, place) in them, and the common tasks.
type Grouped = (Vec<Section>, Vec<Option<(usize, usize)>>, Vec<usize>);

fn group_into_sections(
    pages: &[Arc<Page>],
    nav_keys: &[nav::NavKey<'_>],
    scheme: crate::settings::HeadingIdScheme,
) -> Grouped {
    let mut by_name: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, page) in pages.iter().enumerate().filter(|(_, p)| p.is_manual_page()) {
        let name = page
            .front_matter
            .section
            .clone()
            .unwrap_or_else(|| NO_SECTION.to_string());
        by_name
            .entry((name.to_lowercase(), name))
            .or_default()
            .push(i);
    }
    let mut ids = HeadingIds::with_explicit(scheme, [COMMON_TASKS_ID]);
    let sections: Vec<Section> = by_name
        .into_iter()
        .map(|((_, name), mut members)| {
            // How-to pages, then learn pages, each in the navigation's order.
            members.sort_by(|&a, &b| {
                (pages[a].is_learn().cmp(&pages[b].is_learn()))
                    .then_with(|| nav_keys[a].order(&nav_keys[b]))
            });
            Section {
                id: ids.unique_for(&name, &name, 2),
                name,
                pages: members,
            }
        })
        .collect();
    let mut page_sections = vec![None; pages.len()];
    for (s, section) in sections.iter().enumerate() {
        for (place, &page) in section.pages.iter().enumerate() {
            page_sections[page] = Some((s, place));
        }
    }
    let mut common: Vec<usize> = (0..pages.len())
        .filter(|&i| pages[i].is_manual_page() && pages[i].front_matter.important)
        .collect();
    common.sort_by_cached_key(|&p| title_key(&pages[p]));
    (sections, page_sections, common)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site_of(pages: &[(&str, &str)]) -> Site {
        Site::assemble(inputs_of(pages)).0
    }

    fn inputs_of(pages: &[(&str, &str)]) -> SiteInputs {
        let highlighter = crate::highlight::Highlighter::new();
        let pages = pages
            .iter()
            .map(|(relative, text)| {
                let source = crate::load::PageSource {
                    path: PathBuf::from("source").join(relative),
                    relative: relative.to_string(),
                    text: text.to_string(),
                };
                let options = crate::parse::ParseOptions::default();
                Arc::new(
                    crate::parse::parse_page(source, &highlighter, options)
                        .0
                        .unwrap(),
                )
            })
            .collect();
        SiteInputs {
            settings: Settings::default(),
            today: chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(),
            pages,
            unparsed: vec![],
            assets: vec![],
            theme_assets: vec![],
            layout_ids: BTreeMap::new(),
            source_in_repository: "source/".into(),
            alerts: vec![],
        }
    }

    /// Invariant: the graph `serve` takes from the last site after a save
    /// inside a page is the graph `assemble` builds, field for field; any
    /// other save assembles it again.
    #[test]
    fn a_graph_taken_from_the_last_site_is_the_graph_assembled() {
        let page = |body: &str| format!("---\ntitle: Restart\nsection: Ops\n---\n{body}");
        let other = page("[a](/manual/a.html#steps)\n");
        let before = site_of(&[
            ("index.html.md", "---\ntitle: Home\n---\nHello.\n"),
            ("manual/a.html.md", &page("## Steps\n\nRun it.\n")),
            ("manual/b.html.md", &other),
        ]);
        for (body, taken) in [
            ("## Steps\n\nRun it twice.\n", true),
            ("## Steps\n\nRun it.\n", true),
            ("## New steps\n\nRun it.\n", false),
        ] {
            let text = page(body);
            let pages = [
                ("index.html.md", "---\ntitle: Home\n---\nHello.\n"),
                ("manual/a.html.md", text.as_str()),
                ("manual/b.html.md", other.as_str()),
            ];
            assert_eq!(
                Site::inputs_differ_only_inside_pages(&inputs_of(&pages), &before),
                taken,
                "{body}"
            );
            let (mut after, found) = Site::assemble_after(inputs_of(&pages), Some(&before));
            let (mut assembled, _) = Site::assemble(inputs_of(&pages));
            assert!(found.is_empty());
            // A hash map's order differs between two maps of one content.
            assert_eq!(after.urls, assembled.urls);
            after.urls.clear();
            assembled.urls.clear();
            assert_eq!(format!("{after:?}"), format!("{assembled:?}"), "{body}");
        }
    }

    /// Invariant: a save that changes only what a page keeps to itself
    /// leaves the rest of the site as it was, and any other save does not
    /// (`serve_equals_build` proves what serve does with the answer).
    #[test]
    fn only_a_change_inside_a_page_differs_only_inside_pages() {
        let page = |body: &str| format!("---\ntitle: Restart\nsection: Ops\n---\n{body}");
        let before = site_of(&[
            ("manual/a.html.md", &page("## Steps\n\nRun it.\n")),
            ("manual/b.html.md", &page("[a](/manual/a.html#steps)\n")),
        ]);
        let alike = |text: &str| {
            site_of(&[
                ("manual/a.html.md", text),
                ("manual/b.html.md", &page("[a](/manual/a.html#steps)\n")),
            ])
            .differs_only_inside_pages(&before)
        };
        assert!(alike(&page(
            "## Steps\n\nRun it twice, [see](/x.html).\n\n```sh\nls\n```\n"
        )));
        assert!(!alike(&page("## Other steps\n\nRun it.\n")), "a heading id");
        assert!(
            !alike(&page("## Steps\n\n<p id=\"x\">Run it.</p>\n")),
            "an id in HTML"
        );
        assert!(
            !alike("---\ntitle: Restart it\nsection: Ops\n---\n## Steps\n"),
            "the title"
        );
        let more = site_of(&[
            ("manual/a.html.md", &page("## Steps\n\nRun it.\n")),
            ("manual/b.html.md", &page("[a](/manual/a.html#steps)\n")),
            ("manual/c.html.md", &page("New.\n")),
        ]);
        assert!(!more.differs_only_inside_pages(&before), "a new page");
    }

    #[test]
    fn a_window_moves_with_the_page_and_holds_it() {
        let section = Section {
            name: "S".into(),
            id: "s".into(),
            pages: (0..20).collect(),
        };
        assert_eq!(section.window(0, 5), [0, 1, 2, 3, 4]);
        assert_eq!(section.window(10, 5), [8, 9, 10, 11, 12]);
        assert_eq!(section.window(19, 5), [15, 16, 17, 18, 19]);
        let small = Section {
            name: "S".into(),
            id: "s".into(),
            pages: vec![3, 7],
        };
        assert_eq!(small.window(1, 10), [3, 7]);
    }
}
