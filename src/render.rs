//! Stage 5, render: pages through the Tera layouts in `layouts/`.
//!
//! A layout is any `layouts/*.html` whose name does not start with `_`
//! (those are partials and base templates). Files in `layouts/assets/` are
//! the layouts' own CSS and images, published under `/assets/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use tera::{Context, Tera};

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::load::AssetSource;
use crate::parse::Page;
use crate::site::{
    COMMON_TASKS_ID, HOME_LAYOUT, MANUAL_INDEX_LAYOUT, MANUAL_INDEX_URL, NOT_FOUND_LAYOUT,
    NOT_FOUND_URL, REDIRECT_LAYOUT, Resolved, SEARCH_INDEX_FOLDER, SEARCH_LAYOUT, SEARCH_PAGE_URL,
    Site,
};

/// "More in this section" shows at most this many neighbours: a sidebar of
/// hundreds of links helps no one, and listing every page of a section on
/// every page of it would make the build quadratic in the section's size.
pub const SECTION_PAGES_SHOWN: usize = 10;

pub struct Templates {
    tera: Tera,
    dir: PathBuf,
    /// Names a page may choose with `layout:` (file name without `.html`).
    pub layouts: BTreeSet<String>,
    pub assets: Vec<AssetSource>,
    /// The fixed ids each layout writes (see [`layout_ids`]).
    pub ids: BTreeMap<String, Vec<String>>,
}

impl Templates {
    /// Reads and compiles every template once; all syntax errors are
    /// reported together, each with its file and line.
    pub fn load(dir: &Path) -> Result<Templates, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        let mut sources = Vec::new();
        let mut assets = Vec::new();
        if !dir.is_dir() {
            diagnostics.push(
                Diagnostic::error(Code::LayoutsMissing, dir, "layouts directory not found")
                    .with_help("pass the folder that holds your Tera layouts with --layouts"),
            );
            return Err(diagnostics);
        }
        // The same walk as the source: links out of the folder, FIFOs and
        // devices are refused, so a theme cannot publish a file from
        // elsewhere on the machine.
        let (listed, problems) = crate::load::list_files(dir, true);
        diagnostics.extend(problems);
        for file in listed {
            if let Some(asset) = file.relative.strip_prefix("assets/") {
                assets.push(AssetSource {
                    relative: asset.to_string(),
                    path: file.path,
                });
            } else if file.relative.ends_with(".html") {
                match crate::load::read_text(&file.path, crate::load::MAX_SETTINGS_BYTES) {
                    Ok(text) => sources.push((file.relative, text)),
                    Err(e) => diagnostics.push(Diagnostic::error(
                        Code::LayoutsUnreadable,
                        &file.path,
                        format!("cannot read template: {e}"),
                    )),
                }
            }
        }
        // Syntax is checked template by template, so every error is
        // reported at once; inheritance and includes only once all are
        // known (Tera checks them on each add, so one batch, in any order).
        for (name, text) in &sources {
            if let Err(e) = Tera::default().add_raw_template(name, text)
                && matches!(e.kind(), tera::ErrorKind::SyntaxError(_))
            {
                diagnostics.extend(template_diagnostics(dir, name, &e));
            }
        }
        let mut tera = Tera::default();
        if diagnostics.is_empty()
            && let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, t)| (n, t)))
        {
            diagnostics.extend(template_diagnostics(dir, "", &e));
        }
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        let layouts = sources
            .iter()
            .filter_map(|(name, _)| name.strip_suffix(".html"))
            .filter(|name| !name.starts_with('_') && !name.contains('/'))
            .map(str::to_string)
            .collect();
        let ids = layout_ids(&sources, &layouts);
        Ok(Templates {
            tera,
            dir: dir.to_path_buf(),
            layouts,
            assets,
            ids,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn render(&self, layout: &str, context: &Context) -> Result<String, Diagnostic> {
        let name = format!("{layout}.html");
        self.tera
            .render(&name, context)
            .map_err(|e| template_diagnostic(&self.dir, &name, &e))
    }

    pub fn render_page(&self, site: &Site, index: usize) -> Result<String, Diagnostic> {
        let page = &site.pages[index];
        let is_home = site.home_page == Some(index);
        let settings = &site.settings;
        let mut context = base_context(site, &page.url);
        context.insert("page", &PageView::new(page, site));
        // Addresses in the body are already under the base path (the parse
        // stage wrote them so, with the same scan that checks them).
        context.insert("content", &page.body_html);
        context.insert("review", &ReviewView::new(page, site.today));
        context.insert(
            "last_updated",
            &page.last_commit.as_ref().map(|commit| LastUpdatedView {
                date: &commit.date,
                display: display_date(&commit.date),
                commit_url: settings
                    .github_repo
                    .as_ref()
                    .map(|repo| format!("https://github.com/{repo}/commit/{}", commit.id)),
            }),
        );
        context.insert(
            "edit_url",
            &settings.github_repo.as_ref().map(|repo| {
                format!(
                    "https://github.com/{repo}/edit/{}/{}{}",
                    settings.github_branch(),
                    site.source_in_repository,
                    page.relative
                )
            }),
        );
        let toc: Vec<_> = page
            .headings
            .iter()
            .filter(|h| (2..=3).contains(&h.level))
            .collect();
        context.insert("toc", &toc);
        let breadcrumbs: Vec<_> = site
            .breadcrumbs(index)
            .into_iter()
            .map(|crumb| LinkView {
                url: site.href(&crumb.path, crumb.fragment.as_deref()),
                title: crumb.title,
            })
            .collect();
        context.insert("breadcrumbs", &breadcrumbs);
        let mut section_pages = Vec::new();
        if let Some(section) = site.section_of(index) {
            section_pages.extend(
                section
                    .pages_near(index, SECTION_PAGES_SHOWN)
                    .map(|i| link_to(site, &site.pages[i])),
            );
            context.insert(
                "section",
                &SectionLinkView {
                    name: &section.name,
                    url: site.href(MANUAL_INDEX_URL, Some(&section.id)),
                    page_count: section.pages.len(),
                },
            );
        }
        context.insert("section_pages", &section_pages);
        if is_home {
            context.insert("sections", &sections_view(site));
        }
        self.render(site.layout_of(index), &context).map_err(|d| {
            if d.file == self.dir {
                Diagnostic {
                    file: page.path.clone(),
                    ..d
                }
            } else {
                d
            }
        })
    }

    pub fn render_manual_index(&self, site: &Site) -> Result<String, Diagnostic> {
        let mut context = base_context(site, MANUAL_INDEX_URL);
        context.insert("sections", &sections_view(site));
        let common: Vec<_> = site
            .common_tasks
            .iter()
            .map(|&i| link_to(site, &site.pages[i]))
            .collect();
        context.insert("common_tasks", &common);
        context.insert("common_tasks_id", COMMON_TASKS_ID);
        self.render(MANUAL_INDEX_LAYOUT, &context)
    }

    /// The page left at an old URL: a meta refresh, a canonical link, and a
    /// plain link for people and crawlers that do not follow the refresh.
    pub fn render_redirect(
        &self,
        site: &Site,
        redirect: &crate::site::Redirect,
    ) -> Result<String, Diagnostic> {
        let mut context = base_context(site, &redirect.from);
        // Written as the resolver reads it, so the page goes where `check`
        // says it goes.
        let to = match site.resolve(&redirect.from, &redirect.to) {
            Resolved::Internal { path, fragment, .. }
            | Resolved::ExternalPath { path, fragment } => site.href(&path, fragment.as_deref()),
            Resolved::External(url) => url,
            // The site graph refuses redirects to script.
            Resolved::Unsafe(_) => site.href("/", None),
        };
        let canonical = match (&site.settings.host, to.starts_with('/')) {
            (Some(host), true) => format!("{}{to}", host.trim_end_matches('/')),
            _ => to.clone(),
        };
        context.insert("redirect_to", &to);
        context.insert("canonical", &canonical);
        self.render(REDIRECT_LAYOUT, &context)
    }

    pub fn render_not_found(&self, site: &Site) -> Result<String, Diagnostic> {
        let mut context = base_context(site, NOT_FOUND_URL);
        context.insert("sections", &sections_view(site));
        self.render(NOT_FOUND_LAYOUT, &context)
    }

    pub fn render_search(&self, site: &Site) -> Result<String, Diagnostic> {
        let mut context = base_context(site, SEARCH_PAGE_URL);
        context.insert("search_index", &site.href(SEARCH_INDEX_FOLDER, None));
        self.render(SEARCH_LAYOUT, &context)
    }

    pub fn render_home(&self, site: &Site) -> Result<String, Diagnostic> {
        let mut context = base_context(site, crate::site::HOME_URL);
        context.insert("sections", &sections_view(site));
        self.render(HOME_LAYOUT, &context)
    }
}

/// The ids each layout writes whatever the page: `id="..."` with a fixed
/// value in the layout and in every template it extends or includes, so the
/// fragment checker knows `#main-content` exists without a list kept by
/// hand. An id inside `{% if %}` counts as written.
fn layout_ids(
    sources: &[(String, String)],
    layouts: &BTreeSet<String>,
) -> BTreeMap<String, Vec<String>> {
    use std::sync::LazyLock;
    static ID: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"\sid\s*=\s*(?:"([^"{}%]*)"|'([^'{}%]*)')"#).expect("id pattern")
    });
    static USES: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"\{%-?\s*(?:extends|include)\s+["']([^"']+)["']"#)
            .expect("include pattern")
    });
    let by_name: BTreeMap<&str, &str> = sources
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    layouts
        .iter()
        .map(|layout| {
            let mut ids = BTreeSet::new();
            let mut seen = BTreeSet::new();
            let start = format!("{layout}.html");
            let mut pending = vec![start.as_str()];
            while let Some(name) = pending.pop() {
                let Some(text) = by_name.get(name).filter(|_| seen.insert(name)) else {
                    continue;
                };
                for id in ID.captures_iter(text) {
                    let value = id.get(1).or(id.get(2)).expect("a value");
                    ids.insert(value.as_str().to_string());
                }
                pending.extend(
                    USES.captures_iter(text)
                        .map(|u| u.get(1).expect("a name").as_str()),
                );
            }
            (layout.clone(), ids.into_iter().collect())
        })
        .collect()
}

fn template_diagnostic(dir: &Path, name: &str, error: &tera::Error) -> Diagnostic {
    template_diagnostics(dir, name, error).swap_remove(0)
}

/// One diagnostic per problem Tera found. Syntax and rendering errors carry
/// a span; Tera reports unknown filters, tests, functions and includes only
/// as pre-formatted text (`error: ...` then ` --> name:line:col`), so those
/// reports are read back for their locations.
fn template_diagnostics(dir: &Path, name: &str, error: &tera::Error) -> Vec<Diagnostic> {
    use tera::ErrorKind;
    let help = "fix the template; see the Tera documentation for its syntax";
    if let ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) = error.kind() {
        let file = if report.filename().is_empty() {
            name
        } else {
            report.filename()
        };
        let span = report.span();
        return vec![
            Diagnostic::error(
                Code::Template,
                dir.join(file),
                format!("template error: {}", report.message()),
            )
            .at(span.start_line, span.start_col + 1)
            .with_help(help),
        ];
    }
    let text = error.to_string();
    let mut found = Vec::new();
    let mut message: Option<&str> = None;
    for line in text.lines() {
        if let Some(m) = line.strip_prefix("error: ") {
            message = Some(m);
        } else if let (Some(m), Some(location)) = (message, line.trim_start().strip_prefix("--> "))
        {
            let mut parts = location.rsplitn(3, ':');
            let column = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
            let line_number = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
            let file = parts.next().unwrap_or(name);
            found.push(
                Diagnostic::error(
                    Code::Template,
                    dir.join(file),
                    format!("template error: {m}"),
                )
                .at(line_number, column)
                .with_help(help),
            );
            message = None;
        }
    }
    if found.is_empty() {
        let file = if name.is_empty() {
            dir.to_path_buf()
        } else {
            dir.join(name)
        };
        found.push(
            Diagnostic::error(Code::Template, file, format!("template error: {text}"))
                .with_help(help),
        );
    }
    found
}

#[derive(Serialize)]
struct LinkView {
    title: String,
    url: String,
}

fn link_to<'a>(site: &Site, page: &'a Page) -> PageLinkView<'a> {
    PageLinkView {
        title: &page.title,
        url: site.href(&page.url, None),
        description: page.front_matter.description.as_deref(),
        learn: page.is_learn(),
    }
}

#[derive(Serialize)]
struct PageLinkView<'a> {
    title: &'a str,
    url: String,
    description: Option<&'a str>,
    learn: bool,
}

#[derive(Serialize)]
struct SectionLinkView<'a> {
    name: &'a str,
    url: String,
    page_count: usize,
}

#[derive(Serialize)]
struct SectionView<'a> {
    name: &'a str,
    id: &'a str,
    pages: Vec<PageLinkView<'a>>,
}

fn sections_view(site: &Site) -> Vec<SectionView<'_>> {
    site.sections
        .iter()
        .map(|s| SectionView {
            name: &s.name,
            id: &s.id,
            pages: s
                .pages
                .iter()
                .map(|&i| link_to(site, &site.pages[i]))
                .collect(),
        })
        .collect()
}

/// What layouts see as `page`: the resolved title and URL, every known
/// front matter key by name, and the other keys under `page.extra`.
#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    url: String,
    source: &'a str,
    owner_slack: Option<&'a str>,
    section: Option<&'a str>,
    parent: Option<&'a str>,
    layout: Option<&'a str>,
    #[serde(rename = "type")]
    page_type: Option<&'a str>,
    description: Option<&'a str>,
    important: bool,
    review_by: Option<&'a str>,
    last_reviewed_on: Option<&'a str>,
    review_in: Option<&'a str>,
    related_repos: &'a [String],
    old_paths: &'a [String],
    extra: &'a std::collections::BTreeMap<String, serde_json::Value>,
}

impl<'a> PageView<'a> {
    fn new(page: &'a Page, site: &Site) -> Self {
        let fm = &page.front_matter;
        PageView {
            title: &page.title,
            url: site.href(&page.url, None),
            source: &page.relative,
            owner_slack: fm.owner_slack.as_deref(),
            section: fm.section.as_deref(),
            parent: fm.parent.as_deref(),
            layout: fm.layout.as_deref(),
            page_type: fm.page_type.as_deref(),
            description: fm.description.as_deref(),
            important: fm.important,
            review_by: fm.review_by.as_deref(),
            last_reviewed_on: fm.last_reviewed_on.as_deref(),
            review_in: fm.review_in.as_deref(),
            related_repos: &fm.related_repos,
            old_paths: &fm.old_paths,
            extra: &fm.extra,
        }
    }
}

#[derive(Serialize)]
struct SiteView<'a> {
    service_name: &'a str,
    /// Prefix for every site URL a layout writes: `{{ site.base_path }}/x`.
    base_path: &'a str,
    /// The search page, when search is on.
    search_url: Option<String>,
    description: Option<&'a str>,
    host: Option<&'a str>,
    github_repo: Option<&'a str>,
    header_links: Vec<LinkView>,
    footer_links: Vec<LinkView>,
}

fn base_context(site: &Site, current_url: &str) -> Context {
    let settings = &site.settings;
    let links = |map: &indexmap::IndexMap<String, String>| {
        map.iter()
            .map(|(title, url)| LinkView {
                title: title.clone(),
                url: settings.written_href(url),
            })
            .collect()
    };
    let mut context = Context::new();
    context.insert(
        "site",
        &SiteView {
            service_name: &settings.service_name,
            base_path: &settings.base_path,
            search_url: settings
                .enable_search
                .then(|| site.href(SEARCH_PAGE_URL, None)),
            description: settings.description.as_deref(),
            host: settings.host.as_deref(),
            github_repo: settings.github_repo.as_deref(),
            header_links: links(&settings.header_links),
            footer_links: links(&settings.footer_links),
        },
    );
    context.insert("current_url", &site.href(current_url, None));
    context
}

#[derive(Serialize)]
struct ReviewView<'a> {
    last_reviewed_on: Option<String>,
    /// Both forms of each date: ISO for `<time datetime>`, words for people.
    last_reviewed_on_display: Option<String>,
    due: Option<String>,
    due_display: Option<String>,
    overdue: bool,
    owner: Option<&'a str>,
}

impl<'a> ReviewView<'a> {
    fn new(page: &'a Page, today: chrono::NaiveDate) -> Option<Self> {
        let review = page.review;
        if review.due.is_none() && review.last_reviewed_on.is_none() {
            return None;
        }
        let words = |d: chrono::NaiveDate| d.format("%-d %B %Y").to_string();
        Some(ReviewView {
            last_reviewed_on: review.last_reviewed_on.map(|d| d.to_string()),
            last_reviewed_on_display: review.last_reviewed_on.map(words),
            due: review.due.map(|d| d.to_string()),
            due_display: review.due.map(words),
            overdue: review.due.is_some_and(|d| d < today),
            owner: page.front_matter.owner_slack.as_deref(),
        })
    }
}

#[derive(Serialize)]
struct LastUpdatedView<'a> {
    date: &'a str,
    display: String,
    commit_url: Option<String>,
}

fn display_date(iso: &str) -> String {
    crate::parse::review::parse_date(iso)
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}
