//! Stage 3, site graph: every URL the site will have, in one map, and the
//! structure built over the pages (sections, the manual index, parents).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::AssetSource;
use crate::parse::Page;
use crate::parse::heading_id::HeadingIds;
use crate::settings::Settings;

pub const HOME_URL: &str = "/index.html";
pub const MANUAL_INDEX_URL: &str = "/manual.html";
/// Served by hosts (and `serve`) for any URL the site does not have.
pub const NOT_FOUND_URL: &str = "/404.html";
/// Where the layouts' own files (`layouts/assets/`) are published.
pub const THEME_ASSETS_PREFIX: &str = "/assets/";

/// The one place a page's URL is computed: `manual/x.html.md`, `manual/x.md`
/// and `manual/x.html.md.erb` all become `/manual/x.html`.
pub fn url_for_page(relative: &str) -> String {
    let stem = relative.strip_suffix(".erb").unwrap_or(relative);
    let stem = stem.strip_suffix(".md").unwrap_or(stem);
    let stem = stem.strip_suffix(".html").unwrap_or(stem);
    format!("/{stem}.html")
}

/// Output file path below the output directory for a site URL.
pub fn output_path(url: &str) -> &str {
    url.trim_start_matches('/')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Page(usize),
    Asset(usize),
    ThemeAsset(usize),
    Home,
    ManualIndex,
    /// A redirect from an old URL; the index is into `Site::redirects`.
    Redirect(usize),
    /// A generated file that is not a page: the highlighting stylesheet,
    /// `/api/pages.json`, `/robots.txt`, `/sitemap.xml`.
    Generated,
    /// The generated "page not found" page.
    NotFound,
    /// A page whose source could not be parsed (already an error). Its URL
    /// stays in the map so that links to it are not reported as well.
    Unparsed,
}

/// Where a redirect was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectOrigin {
    /// `redirects:` in the settings file.
    Settings,
    /// `old_paths:` in this page's front matter.
    Page(usize),
}

#[derive(Debug, Clone)]
pub struct Redirect {
    pub from: String,
    pub to: String,
    pub origin: RedirectOrigin,
}

#[derive(Debug, Clone)]
pub struct Asset {
    pub path: PathBuf,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub name: String,
    /// Its heading id on the manual index, so `/manual.html#<id>` works.
    pub id: String,
    /// Indexes into `Site::pages`: how-to pages, then `type: learn` pages,
    /// each sorted by title.
    pub pages: Vec<usize>,
}

impl Section {
    /// Up to `limit` other pages of the section, those nearest `page` in the
    /// section's order, in that order.
    pub fn pages_near(&self, page: usize, limit: usize) -> impl Iterator<Item = usize> + '_ {
        let position = self.pages.iter().position(|&p| p == page).unwrap_or(0);
        let others = self.pages.len().saturating_sub(1);
        let shown = limit.min(others);
        let start = position.saturating_sub(shown / 2).min(others - shown);
        self.pages
            .iter()
            .copied()
            .filter(move |&p| p != page)
            .skip(start)
            .take(shown)
    }
}

#[derive(Debug)]
pub struct Site {
    pub settings: Settings,
    /// The day the site is built for: review dates before it are overdue.
    pub today: chrono::NaiveDate,
    /// The source folder's path in its repository (`source/`), for
    /// "Edit this page" links.
    pub source_in_repository: String,
    pub pages: Vec<Page>,
    pub assets: Vec<Asset>,
    pub theme_assets: Vec<Asset>,
    pub urls: BTreeMap<String, Target>,
    /// Sorted case-insensitively by name.
    pub sections: Vec<Section>,
    /// Pages marked `important: true`, sorted by title.
    pub common_tasks: Vec<usize>,
    /// A source page at `/index.html` replaces the generated home page body.
    pub home_page: Option<usize>,
    pub redirects: Vec<Redirect>,
}

pub const COMMON_TASKS_ID: &str = "common-tasks";
pub const NO_SECTION: &str = "Other";

impl Site {
    /// Builds the URL map and the manual's structure. Two files that map to
    /// one URL are an error naming both.
    pub fn assemble(
        settings: Settings,
        today: chrono::NaiveDate,
        mut pages: Vec<Page>,
        unparsed: Vec<String>,
        assets: Vec<AssetSource>,
        theme_assets: Vec<AssetSource>,
    ) -> (Site, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        pages.sort_by(|a, b| a.relative.cmp(&b.relative));
        let assets: Vec<Asset> = assets
            .into_iter()
            .map(|a| Asset {
                url: format!("/{}", a.relative),
                path: a.path,
            })
            .collect();
        let theme_assets: Vec<Asset> = theme_assets
            .into_iter()
            .map(|a| Asset {
                url: format!("{THEME_ASSETS_PREFIX}{}", a.relative),
                path: a.path,
            })
            .collect();

        let mut urls: BTreeMap<String, Target> = BTreeMap::new();
        let mut owners: BTreeMap<String, PathBuf> = BTreeMap::new();
        let search_folder = settings
            .enable_search
            .then_some(crate::search::INDEX_FOLDER);
        let mut claim =
            |url: &str, target: Target, path: PathBuf, diagnostics: &mut Diagnostics| {
                if let Some(folder) = search_folder
                    && url.starts_with(folder)
                {
                    diagnostics.push(
                        Diagnostic::error(
                            "url-conflict",
                            &path,
                            format!("{folder} is where the search index is published"),
                        )
                        .with_help("move the file to another folder"),
                    );
                    return;
                }
                if let Some(first) = owners.get(url) {
                    diagnostics.push(
                        Diagnostic::error(
                            "url-conflict",
                            &path,
                            format!(
                                "this file and {} would both be published at {url}",
                                first.display()
                            ),
                        )
                        .with_help("rename or remove one of them"),
                    );
                    return;
                }
                owners.insert(url.to_string(), path);
                urls.insert(url.to_string(), target);
            };
        for url in crate::machine_readable::generated_urls(&settings) {
            claim(
                url,
                Target::Generated,
                format!("(the generated {url})").into(),
                &mut diagnostics,
            );
        }
        claim(
            NOT_FOUND_URL,
            Target::NotFound,
            "(the generated page-not-found page)".into(),
            &mut diagnostics,
        );
        claim(
            MANUAL_INDEX_URL,
            Target::ManualIndex,
            "(the generated manual index)".into(),
            &mut diagnostics,
        );
        for (i, asset) in theme_assets.iter().enumerate() {
            claim(
                &asset.url,
                Target::ThemeAsset(i),
                asset.path.clone(),
                &mut diagnostics,
            );
        }
        let mut home_page = None;
        for (i, page) in pages.iter().enumerate() {
            if page.url == HOME_URL {
                home_page = Some(i);
            }
            claim(
                &page.url,
                Target::Page(i),
                page.path.clone(),
                &mut diagnostics,
            );
        }
        for (i, asset) in assets.iter().enumerate() {
            claim(
                &asset.url,
                Target::Asset(i),
                asset.path.clone(),
                &mut diagnostics,
            );
        }
        for url in unparsed {
            urls.entry(url).or_insert(Target::Unparsed);
        }
        if home_page.is_none() {
            urls.insert(HOME_URL.to_string(), Target::Home);
        }
        let redirects = collect_redirects(&settings, &pages);
        for (i, redirect) in redirects.iter().enumerate() {
            let (file, line) = redirect_location(&settings, &pages, redirect);
            match urls.get(&redirect.from) {
                Some(Target::Page(p)) => diagnostics.push(
                    Diagnostic::error(
                        "redirect-shadows-page",
                        file,
                        format!("{} is a redirect and also the page {}", redirect.from, pages[*p].path.display()),
                    )
                    .at(line, 1)
                    .with_help("remove the redirect, or move or delete the page"),
                ),
                Some(_) => diagnostics.push(
                    Diagnostic::error(
                        "url-conflict",
                        file,
                        format!("the redirect from {} clashes with another file or redirect at that URL", redirect.from),
                    )
                    .at(line, 1)
                    .with_help("keep one redirect per old URL"),
                ),
                None => {
                    urls.insert(redirect.from.clone(), Target::Redirect(i));
                }
            }
        }

        let (sections, common_tasks) = group_into_sections(&pages);
        let site = Site {
            settings,
            today,
            source_in_repository: String::new(),
            pages,
            assets,
            theme_assets,
            urls,
            sections,
            common_tasks,
            home_page,
            redirects,
        };
        (site, diagnostics)
    }

    pub fn title_of(&self, url: &str) -> Option<&str> {
        match self.urls.get(url)? {
            Target::Page(i) => Some(&self.pages[*i].title),
            Target::ManualIndex => Some("Manual"),
            Target::Home => Some("Home"),
            Target::Asset(_)
            | Target::ThemeAsset(_)
            | Target::Redirect(_)
            | Target::Generated
            | Target::NotFound
            | Target::Unparsed => None,
        }
    }

    /// Recomputes the sections and common tasks after a page's title,
    /// section, type or importance changed.
    pub fn regroup(&mut self) {
        (self.sections, self.common_tasks) = group_into_sections(&self.pages);
    }

    pub fn section_of(&self, page: usize) -> Option<&Section> {
        let name = self.pages[page]
            .front_matter
            .section
            .as_deref()
            .unwrap_or(NO_SECTION);
        self.pages[page]
            .is_manual_page()
            .then(|| self.sections.iter().find(|s| s.name == name))
            .flatten()
    }

    /// Home, then the page's `parent` chain from the top down, then its
    /// section on the manual index. Unresolvable parents and cycles end the
    /// chain (`check` reports them).
    pub fn breadcrumbs(&self, page: usize) -> Vec<(String, String)> {
        let mut chain: Vec<(String, String)> = Vec::new();
        let mut seen = vec![self.pages[page].url.as_str()];
        let mut next = self.pages[page].front_matter.parent.as_deref();
        while let Some(parent) = next {
            let url = if parent.starts_with('/') {
                parent.to_string()
            } else {
                format!("/{parent}")
            };
            let Some(title) = self.title_of(&url) else {
                break;
            };
            if seen.contains(&url.as_str()) || url == HOME_URL {
                break;
            }
            chain.push((title.to_string(), url.clone()));
            next = match self.urls.get(&url) {
                Some(Target::Page(i)) => {
                    seen.push(&self.pages[*i].url);
                    self.pages[*i].front_matter.parent.as_deref()
                }
                _ => None,
            };
        }
        chain.reverse();
        let mut crumbs = vec![("Home".to_string(), "/".to_string())];
        crumbs.extend(chain);
        if let Some(section) = self.section_of(page) {
            let under_index = crumbs
                .last()
                .is_some_and(|(_, url)| url == MANUAL_INDEX_URL);
            if crumbs.len() == 1 || under_index {
                if crumbs.len() == 1 {
                    crumbs.push(("Manual".into(), MANUAL_INDEX_URL.into()));
                }
                crumbs.push((
                    section.name.clone(),
                    format!("{MANUAL_INDEX_URL}#{}", section.id),
                ));
            }
        }
        crumbs
    }
}

/// Redirects from the settings, then from each page's `old_paths`, with
/// every source made absolute.
fn collect_redirects(settings: &Settings, pages: &[Page]) -> Vec<Redirect> {
    let absolute = |url: &str| {
        if url.starts_with('/') || url.contains("://") {
            url.to_string()
        } else {
            format!("/{url}")
        }
    };
    let mut redirects: Vec<Redirect> = settings
        .redirects
        .iter()
        .map(|(from, to)| Redirect {
            from: absolute(from),
            to: to.clone(),
            origin: RedirectOrigin::Settings,
        })
        .collect();
    for (i, page) in pages.iter().enumerate() {
        redirects.extend(page.front_matter.old_paths.iter().map(|old| Redirect {
            from: absolute(old),
            to: page.url.clone(),
            origin: RedirectOrigin::Page(i),
        }));
    }
    redirects
}

/// The file and line where a redirect was written.
pub fn redirect_location(
    settings: &Settings,
    pages: &[Page],
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
            (
                settings.path.clone().unwrap_or_else(|| "site.yml".into()),
                line,
            )
        }
        RedirectOrigin::Page(i) => (pages[i].path.clone(), pages[i].key_line("old_paths")),
    }
}

fn title_key(page: &Page) -> (String, &str, &str) {
    (
        page.title.to_lowercase(),
        page.title.as_str(),
        page.url.as_str(),
    )
}

fn group_into_sections(pages: &[Page]) -> (Vec<Section>, Vec<usize>) {
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
    let mut ids = HeadingIds::with_explicit([COMMON_TASKS_ID]);
    let sections = by_name
        .into_iter()
        .map(|((_, name), mut members)| {
            members.sort_by(|&a, &b| {
                (pages[a].is_learn(), title_key(&pages[a]))
                    .cmp(&(pages[b].is_learn(), title_key(&pages[b])))
            });
            Section {
                id: ids.unique_for(&name),
                name,
                pages: members,
            }
        })
        .collect();
    let mut common: Vec<usize> = (0..pages.len())
        .filter(|&i| pages[i].is_manual_page() && pages[i].front_matter.important)
        .collect();
    common.sort_by(|&a, &b| title_key(&pages[a]).cmp(&title_key(&pages[b])));
    (sections, common)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_near_is_a_window_around_the_page() {
        let section = Section {
            name: "S".into(),
            id: "s".into(),
            pages: (0..20).collect(),
        };
        let near = |p| section.pages_near(p, 4).collect::<Vec<_>>();
        assert_eq!(near(0), [1, 2, 3, 4]);
        assert_eq!(near(10), [8, 9, 11, 12]);
        assert_eq!(near(19), [15, 16, 17, 18]);
        let small = Section {
            name: "S".into(),
            id: "s".into(),
            pages: vec![3, 7],
        };
        assert_eq!(small.pages_near(7, 10).collect::<Vec<_>>(), [3]);
        let alone = Section {
            name: "S".into(),
            id: "s".into(),
            pages: vec![3],
        };
        assert_eq!(alone.pages_near(3, 10).count(), 0);
    }

    #[test]
    fn page_urls() {
        assert_eq!(url_for_page("manual/a.html.md"), "/manual/a.html");
        assert_eq!(url_for_page("manual/a.md"), "/manual/a.html");
        assert_eq!(url_for_page("manual/a.html.md.erb"), "/manual/a.html");
        assert_eq!(url_for_page("index.html.md"), "/index.html");
        assert_eq!(output_path("/manual/a.html"), "manual/a.html");
    }
}
