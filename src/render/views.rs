//! What each layout sees: one typed context per kind of output, serialized
//! into Tera's context. Every context derives `Hash`, so hashing it hashes
//! everything its layout can read; the two parts that are costly to hash
//! (a page's body and its front matter) hash the digest the parse gave the
//! page instead, which covers exactly what they are made from.

use std::hash::{BuildHasher, Hash, Hasher};

use serde::Serialize;

use crate::parse::{Heading, Page};
use crate::site::{Generated, MANUAL_INDEX_URL, Resolved, SEARCH_PAGE_URL, Site};

/// The site navigation shows at most this many pages of the current
/// section, around the page: a sidebar of hundreds of links helps no one,
/// and listing every page of a section on every page of it would make the
/// build quadratic in the section's size.
pub const SECTION_PAGES_SHOWN: usize = 11;
/// The home page lists this many recently updated and overdue pages.
pub const HOME_LIST: usize = 10;

#[derive(Serialize, Hash)]
pub struct LinkView {
    pub title: String,
    pub url: String,
}

#[derive(Serialize, Hash)]
pub struct PageLinkView<'a> {
    title: &'a str,
    url: String,
    description: Option<&'a str>,
    learn: bool,
    /// The page being shown (in the site navigation).
    current: bool,
}

pub fn link_to<'a>(site: &Site, page: &'a Page) -> PageLinkView<'a> {
    PageLinkView {
        title: &page.title,
        url: site.href(&page.url, None),
        description: page.description_text.as_deref(),
        learn: page.is_learn(),
        current: false,
    }
}

/// A page in a list with a date: recently updated, overdue.
#[derive(Serialize, Hash)]
pub struct DatedLinkView<'a> {
    title: &'a str,
    url: String,
    /// `YYYY-MM-DD`, and in words.
    date: String,
    date_display: String,
}

#[derive(Serialize, Hash)]
pub struct SectionLinkView<'a> {
    name: &'a str,
    url: String,
    /// Only on the page's own section: every page's fingerprint holds the
    /// site-wide list, so counts there would make a new page in one
    /// section re-render every page of every section.
    #[serde(skip_serializing_if = "Option::is_none")]
    page_count: Option<usize>,
}

#[derive(Serialize, Hash)]
pub struct SectionView<'a> {
    name: &'a str,
    id: &'a str,
    pages: Vec<PageLinkView<'a>>,
}

pub fn sections_view(site: &Site) -> Vec<SectionView<'_>> {
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

/// The site-wide part every layout sees as `site`; made once per run. It
/// hashes as the digest of what it serialises to (what a layout can see),
/// worked out once, not once per output that shows it.
#[derive(Serialize)]
pub struct SiteView<'a> {
    #[serde(skip)]
    digest: u64,
    /// Every section, for the site navigation.
    sections: Vec<SectionLinkView<'a>>,
    service_name: &'a str,
    /// The full service name when there is one, for titles and sharing.
    name: &'a str,
    /// Where the service name in the header goes.
    service_link: String,
    /// "GOV.UK" before the service name.
    govuk_logo: bool,
    /// The phase banner's tag (`Beta`), when there is one.
    phase: Option<&'a str>,
    /// Where the phase banner's "feedback" goes.
    feedback_url: Option<String>,
    /// Branches of the navigation tree open and close.
    collapsible_nav: bool,
    google_site_verification: Option<&'a str>,
    /// No page is to be indexed by search engines.
    noindex: bool,
    /// Addresses are written relative to each page (`relative_links`).
    relative_links: bool,
    /// Only those of stylesheets, scripts and images (`relative_assets`).
    relative_assets: bool,
    /// Prefix for every site URL a layout writes: `{{ site.base_path }}/x`.
    base_path: &'a str,
    /// The search page, when search is on.
    search_url: Option<String>,
    /// Where the search index is (`search.js` reads it).
    search_index: Option<String>,
    /// The whole manual on one page, when the site has it.
    print_url: Option<String>,
    description: Option<&'a str>,
    host: Option<&'a str>,
    github_repo: Option<&'a str>,
    header_links: Vec<LinkView>,
    footer_links: Vec<LinkView>,
}

impl<'a> SiteView<'a> {
    pub fn new(site: &'a Site) -> Self {
        let settings = &site.settings;
        let links = |map: &indexmap::IndexMap<String, String>| {
            map.iter()
                .map(|(title, url)| LinkView {
                    title: title.clone(),
                    url: settings.written_href(url),
                })
                .collect()
        };
        let feedback_url = settings.source_urls.report_issue_url.clone().or_else(|| {
            settings
                .github_repo
                .as_ref()
                .map(|repo| format!("https://github.com/{repo}/issues/new"))
        });
        let mut view = SiteView {
            digest: 0,
            name: settings.site_name(),
            service_link: settings
                .service_link
                .as_deref()
                .map_or_else(|| site.href("/", None), |link| settings.written_href(link)),
            govuk_logo: settings.show_govuk_logo,
            phase: settings.phase.as_deref().filter(|p| !p.trim().is_empty()),
            feedback_url,
            collapsible_nav: settings.collapsible_nav,
            google_site_verification: settings.google_site_verification.as_deref(),
            noindex: settings.prevent_indexing,
            relative_links: settings.relative_links,
            relative_assets: settings.relative_assets,
            sections: site
                .sections
                .iter()
                .map(|section| SectionLinkView {
                    name: &section.name,
                    url: site.href(MANUAL_INDEX_URL, Some(&section.id)),
                    page_count: None,
                })
                .collect(),
            service_name: &settings.service_name,
            base_path: &settings.base_path,
            search_url: settings
                .enable_search
                .then(|| site.href(SEARCH_PAGE_URL, None)),
            search_index: settings
                .enable_search
                .then(|| site.href(crate::site::SEARCH_INDEX_FOLDER, None)),
            print_url: site
                .generated
                .contains(&Generated::Print)
                .then(|| site.href(Generated::Print.url(), None)),
            description: settings.description.as_deref(),
            host: settings.host.as_deref(),
            github_repo: settings.github_repo.as_deref(),
            header_links: links(&settings.header_links),
            footer_links: links(&settings.footer_links),
        };
        view.digest = foldhash::fast::FixedState::default()
            .hash_one(serde_json::to_vec(&view).expect("the site view serialises"));
        view
    }
}

impl Hash for SiteView<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digest.hash(state);
    }
}

/// What layouts see as `page`: the resolved title and URL, every known
/// front matter key by name, and the other keys under `page.extra`. All of
/// it comes from the page's file, so it hashes as the page's digest.
#[derive(Serialize)]
pub struct PageView<'a> {
    #[serde(skip)]
    digest: u64,
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
    weight: Option<&'a serde_json::Number>,
    hide_in_navigation: bool,
    prevent_indexing: bool,
    source_url: Option<&'a str>,
    extra: &'a std::collections::BTreeMap<String, serde_json::Value>,
    /// The body's own title heading (its id and HTML), which the layout
    /// writes in place of one made from `title`.
    title_heading: Option<&'a crate::parse::TitleHeading>,
    /// The title heading is in `content` already (an ERB layout wrapped it).
    title_in_body: bool,
}

impl Hash for PageView<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digest.hash(state);
    }
}

impl<'a> PageView<'a> {
    fn new(page: &'a Page, site: &Site) -> Self {
        let fm = &page.front_matter;
        PageView {
            digest: page.digest,
            title: &page.title,
            url: site.href(&page.url, None),
            source: &page.relative,
            owner_slack: fm.owner_slack.as_deref(),
            section: fm.section.as_deref(),
            parent: fm.parent.as_deref(),
            layout: page.layout.as_deref(),
            page_type: fm.page_type.as_deref(),
            description: page.description_text.as_deref(),
            important: fm.important,
            review_by: fm.review_by.as_deref(),
            last_reviewed_on: fm.last_reviewed_on.as_deref(),
            review_in: fm.review_in.as_deref(),
            related_repos: &fm.related_repos,
            old_paths: &fm.old_paths,
            weight: fm.weight.as_ref(),
            hide_in_navigation: fm.hide_in_navigation,
            prevent_indexing: fm.prevent_indexing,
            source_url: fm.source_url.as_deref(),
            extra: &fm.extra,
            title_heading: page.title_heading.as_ref(),
            title_in_body: page.title_in_body,
        }
    }
}

/// A page's HTML body: written whole, hashed as the page's digest (the body
/// is made from the page's file and the parse options, which it covers).
pub struct Body<'a> {
    /// Unpacked only when the page is made: a warm build fingerprints
    /// every page and makes few.
    html: &'a crate::packed::PageBody,
    digest: u64,
}

impl Serialize for Body<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.html.text().map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

impl Hash for Body<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digest.hash(state);
    }
}

#[derive(Serialize, Hash)]
pub struct ReviewView<'a> {
    last_reviewed_on: Option<String>,
    /// Both forms of each date: ISO for `<time datetime>`, words for people.
    last_reviewed_on_display: Option<String>,
    due: Option<String>,
    due_display: Option<String>,
    overdue: bool,
    owner: Option<&'a str>,
    /// The owner's Slack address, with `owner_slack_workspace`.
    owner_url: Option<String>,
    /// Say when the page is due and when it is overdue (`show_expiry`).
    show_expiry: bool,
}

impl<'a> ReviewView<'a> {
    fn new(site: &'a Site, index: usize) -> Option<Self> {
        let page = &site.pages[index];
        let review = page.review;
        if review.due.is_none() && review.last_reviewed_on.is_none()
            || !site.settings.shows_review_banner()
        {
            return None;
        }
        let show_expiry = site.settings.shows_expiry();
        let owner = site.owner(index);
        let words = |d: chrono::NaiveDate| d.format("%-d %B %Y").to_string();
        Some(ReviewView {
            last_reviewed_on: review.last_reviewed_on.map(|d| d.to_string()),
            last_reviewed_on_display: review.last_reviewed_on.map(words),
            due: review.due.filter(|_| show_expiry).map(|d| d.to_string()),
            due_display: review.due.filter(|_| show_expiry).map(words),
            overdue: show_expiry && site.overdue(index).is_some(),
            owner,
            owner_url: owner.and_then(|o| site.settings.owner_url(o)),
            show_expiry,
        })
    }
}

#[derive(Serialize, Hash)]
pub struct LastUpdatedView<'a> {
    date: &'a str,
    display: String,
    commit_url: Option<String>,
}

fn display_date(iso: &str) -> String {
    crate::parse::review::parse_date(iso)
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}

/// Everything a page's layout sees.
#[derive(Serialize, Hash)]
pub struct PageContext<'a> {
    site: &'a SiteView<'a>,
    current_url: String,
    page: PageView<'a>,
    /// Addresses in the body are already under the base path: the parse
    /// stage wrote them so, with the same scan that checks them.
    content: Body<'a>,
    review: Option<ReviewView<'a>>,
    last_updated: Option<LastUpdatedView<'a>>,
    edit_url: Option<String>,
    toc: Vec<&'a Heading>,
    breadcrumbs: Vec<LinkView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    section: Option<SectionLinkView<'a>>,
    /// Pages of the section around this one (it included, marked current),
    /// for the site navigation.
    section_pages: Vec<PageLinkView<'a>>,
    /// The pages before and after this one in its section.
    previous: Option<PageLinkView<'a>>,
    next: Option<PageLinkView<'a>>,
    /// On the home page only.
    #[serde(skip_serializing_if = "Option::is_none")]
    sections: Option<&'a [SectionView<'a>]>,
    /// The navigation tree, with `multipage_nav`.
    nav: Vec<NavRow<'a>>,
    /// What the page set aside for the sidebar (`content_for :sidebar`).
    sidebar: Option<&'a str>,
    /// The page's owner (its own, or the settings' default) and their
    /// Slack address.
    owner: Option<&'a str>,
    owner_url: Option<String>,
    /// "View source", "Report problem" and "GitHub Repo", with
    /// `show_contribution_banner`.
    contribution: Option<ContributionView>,
    meta: MetaView,
    /// The alerts whose `runbook_url` links here ("Alerts that link here").
    alerts: Vec<AlertView<'a>>,
    /// The header link the page's `parent` names, as written, which is
    /// marked as the current section (as the tech-docs gem marks it).
    parent_header_link: Option<String>,
}

/// An alert that links to the page: its name, severity and the heading it
/// links to.
#[derive(Serialize, Hash)]
pub struct AlertView<'a> {
    name: &'a str,
    severity: Option<&'a str>,
    heading: Option<&'a str>,
    fragment: Option<&'a str>,
}

impl<'a> PageContext<'a> {
    pub fn new(
        site: &'a Site,
        site_view: &'a SiteView<'a>,
        sections: &'a [SectionView<'a>],
        index: usize,
    ) -> Self {
        let page = &site.pages[index];
        let settings = &site.settings;
        let section = site.section_of(index);
        let (previous, next) = site.section_neighbours(index);
        PageContext {
            site: site_view,
            current_url: site.href(&page.url, None),
            page: PageView::new(page, site),
            content: Body {
                html: &page.body_html,
                digest: page.digest,
            },
            review: ReviewView::new(site, index),
            last_updated: page.last_commit.as_ref().map(|commit| LastUpdatedView {
                date: &commit.date,
                display: display_date(&commit.date),
                commit_url: settings
                    .github_repo
                    .as_ref()
                    .map(|repo| format!("https://github.com/{repo}/commit/{}", commit.id)),
            }),
            edit_url: settings.github_repo.as_ref().map(|repo| {
                format!(
                    "https://github.com/{repo}/edit/{}/{}{}",
                    settings.github_branch(),
                    site.source_in_repository,
                    page.relative
                )
            }),
            toc: page
                .headings
                .iter()
                .filter(|h| (2..=toc_depth(site)).contains(&h.level))
                .collect(),
            breadcrumbs: site
                .breadcrumbs(index)
                .into_iter()
                .map(|crumb| LinkView {
                    url: site.href(&crumb.path, crumb.fragment.as_deref()),
                    title: crumb.title,
                })
                .collect(),
            section: section.map(|section| SectionLinkView {
                name: &section.name,
                url: site.href(MANUAL_INDEX_URL, Some(&section.id)),
                page_count: Some(section.pages.len()),
            }),
            section_pages: site
                .section_window(index, SECTION_PAGES_SHOWN)
                .iter()
                .map(|&i| PageLinkView {
                    current: i == index,
                    ..link_to(site, &site.pages[i])
                })
                .collect(),
            previous: previous.map(|i| link_to(site, &site.pages[i])),
            next: next.map(|i| link_to(site, &site.pages[i])),
            sections: (site.home_page == Some(index)).then_some(sections),
            nav: nav_rows(site, Some(index)),
            sidebar: page.sidebar_html.as_deref(),
            owner: site.owner(index),
            owner_url: site.owner(index).and_then(|o| settings.owner_url(o)),
            contribution: ContributionView::new(site, index),
            meta: MetaView::new(site, index),
            alerts: site
                .runbooks
                .alerts_on(site, index)
                .into_iter()
                .map(|on| AlertView {
                    name: &on.alert.name,
                    severity: on.alert.severity.as_deref(),
                    heading: on.heading,
                    fragment: on.fragment,
                })
                .collect(),
            parent_header_link: page.front_matter.parent.as_deref().and_then(|parent| {
                settings
                    .header_links
                    .values()
                    .find(|url| url.as_str() == parent)
                    .map(|url| settings.written_href(url))
            }),
        }
    }
}

/// The deepest heading level in a page's contents (`max_toc_heading_level`,
/// else 3); level 1 is the page's title, never listed.
fn toc_depth(site: &Site) -> u8 {
    site.settings.max_toc_heading_level.unwrap_or(3)
}

/// Up to this many pages, the navigation tree is written whole on every
/// page (so branches can be opened); above it, only the branch of the page
/// being read, so that the site's size does not square.
pub const NAV_WHOLE_TREE: usize = 1000;

/// One line of the navigation tree, written without recursion: a page with
/// children opens a list that a later `end` row closes.
#[derive(Serialize, Hash)]
pub struct NavRow<'a> {
    /// `leaf`, `branch` (a page with children: its list follows) or `end`.
    kind: &'static str,
    title: &'a str,
    url: String,
    /// The page being read.
    current: bool,
    /// The branch holds the page being read.
    open: bool,
    depth: usize,
}

/// The navigation tree as rows (with `multipage_nav`), the branch of
/// `current` open.
pub fn nav_rows(site: &Site, current: Option<usize>) -> Vec<NavRow<'_>> {
    if !site.settings.multipage_nav {
        return Vec::new();
    }
    tree_rows(site, current)
}

/// Every page of the navigation tree as rows.
fn tree_rows(site: &Site, current: Option<usize>) -> Vec<NavRow<'_>> {
    let nav = &site.nav;
    // A page left out of the tree shows its `parent`'s place.
    let placed = current.and_then(|c| {
        if nav.shown[c] {
            Some(c)
        } else {
            site.parent_page(c).filter(|&p| nav.shown[p])
        }
    });
    let mut open: Vec<usize> = placed.map(|p| nav.ancestors(p)).unwrap_or_default();
    open.extend(placed);
    let whole = nav.len <= NAV_WHOLE_TREE;
    let mut rows = Vec::new();
    fn walk<'a>(
        site: &'a Site,
        list: &[usize],
        depth: usize,
        current: Option<usize>,
        open: &[usize],
        whole: bool,
        rows: &mut Vec<NavRow<'a>>,
    ) {
        for &page in list {
            let children = &site.nav.children[page];
            let is_open = open.contains(&page);
            let expand = !children.is_empty() && (whole || is_open);
            rows.push(NavRow {
                kind: if expand { "branch" } else { "leaf" },
                title: site.nav_title(page),
                url: site.href(&site.pages[page].url, None),
                current: current == Some(page),
                open: is_open,
                depth,
            });
            if expand {
                walk(site, children, depth + 1, current, open, whole, rows);
                rows.push(NavRow {
                    kind: "end",
                    title: "",
                    url: String::new(),
                    current: false,
                    open: is_open,
                    depth,
                });
            }
        }
    }
    walk(site, &nav.roots, 0, current, &open, whole, &mut rows);
    rows
}

/// The contribution banner's links, as the gem writes them.
#[derive(Serialize, Hash)]
pub struct ContributionView {
    view_source_url: String,
    report_problem_url: String,
    repo_url: String,
}

impl ContributionView {
    fn new(site: &Site, index: usize) -> Option<Self> {
        let settings = &site.settings;
        if !settings.show_contribution_banner {
            return None;
        }
        let repo = settings.github_repo.as_deref()?;
        let page = &site.pages[index];
        let repo_url = format!("https://github.com/{repo}");
        let view_source_url = page.front_matter.source_url.clone().unwrap_or_else(|| {
            format!(
                "{repo_url}/blob/{}/{}{}",
                settings.github_branch(),
                site.source_in_repository,
                page.relative
            )
        });
        // Not `Site::absolute_url`: the gem's banner writes the host as
        // given, then the page's address, and a team's reports read so.
        let address = format!(
            "{}{}",
            settings.host.as_deref().unwrap_or_default(),
            site.href(&page.url, None)
        );
        let body = format!("Problem with '{}' ({address})", page.title);
        let subject = format!("Re: '{}'", page.title);
        let encode = |pairs: &[(&str, &str)]| {
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
        };
        let report_problem_url = match &settings.source_urls.report_issue_url {
            Some(url) => {
                let join = if url.contains('?') { '&' } else { '?' };
                format!(
                    "{url}{join}{}",
                    encode(&[("body", &body), ("subject", &subject)])
                )
            }
            None => format!(
                "{repo_url}/issues/new?{}",
                encode(&[("body", &body), ("labels", "bug"), ("title", &subject)])
            ),
        };
        Some(ContributionView {
            view_source_url,
            report_problem_url,
            repo_url,
        })
    }
}

/// What `<head>` says about a page to search engines and to sites it is
/// shared on.
#[derive(Serialize, Hash, Default)]
pub struct MetaView {
    /// The page's address on the published site, with a `host`.
    canonical: Option<String>,
    /// `noindex`: the site's `prevent_indexing` or the page's.
    noindex: bool,
}

impl MetaView {
    fn new(site: &Site, index: usize) -> Self {
        let page = &site.pages[index];
        MetaView {
            canonical: site.absolute_url(&page.url, None),
            noindex: site.settings.prevent_indexing || page.front_matter.prevent_indexing,
        }
    }
}

/// Everything a generated page's layout sees (home, manual index, not
/// found, search); each kind fills in what it shows.
#[derive(Serialize, Hash)]
pub struct GeneratedContext<'a> {
    site: &'a SiteView<'a>,
    current_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sections: Option<&'a [SectionView<'a>]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    common_tasks: Option<Vec<PageLinkView<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    common_tasks_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    search_index: Option<String>,
    /// On the home page: the pages changed last, newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    recently_updated: Option<Vec<DatedLinkView<'a>>>,
    /// On the home page: pages whose review date has passed, most overdue
    /// first, and how many there are.
    #[serde(skip_serializing_if = "Option::is_none")]
    overdue: Option<Vec<DatedLinkView<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    overdue_count: Option<usize>,
    /// The navigation tree (with `multipage_nav`); on the manual index of
    /// a site without sections, every page.
    nav: Vec<NavRow<'a>>,
    /// Where the page is published, with a `host`.
    canonical: Option<String>,
    /// On the print page: every page, by section.
    #[serde(skip_serializing_if = "Option::is_none")]
    print: Option<Vec<super::print::PrintGroup<'a>>>,
}

impl<'a> GeneratedContext<'a> {
    pub fn new(
        site: &'a Site,
        site_view: &'a SiteView<'a>,
        sections: &'a [SectionView<'a>],
        printed: impl FnOnce() -> &'a std::collections::HashMap<String, String>,
        file: Generated,
    ) -> Self {
        let mut context = GeneratedContext {
            site: site_view,
            current_url: site.href(file.url(), None),
            sections: None,
            common_tasks: None,
            common_tasks_id: None,
            search_index: None,
            recently_updated: None,
            overdue: None,
            overdue_count: None,
            nav: nav_rows(site, None),
            canonical: site.absolute_url(file.url(), None),
            print: None,
        };
        let common_tasks = || {
            site.common_tasks
                .iter()
                .map(|&i| link_to(site, &site.pages[i]))
                .collect()
        };
        match file {
            Generated::Home => {
                context.sections = Some(sections);
                context.common_tasks = Some(common_tasks());
                context.common_tasks_id = Some(crate::site::COMMON_TASKS_ID);
                let (recent, overdue, overdue_count) = home_lists(site);
                context.recently_updated = Some(recent);
                context.overdue = Some(overdue);
                context.overdue_count = Some(overdue_count);
            }
            Generated::NotFound => context.sections = Some(sections),
            Generated::ManualIndex => {
                // A site without sections (a tech-docs site) lists its
                // pages as the navigation tree.
                if sections.is_empty() {
                    context.nav = tree_rows(site, None);
                }
                context.sections = Some(sections);
                context.common_tasks = Some(common_tasks());
                context.common_tasks_id = Some(crate::site::COMMON_TASKS_ID);
            }
            Generated::SearchPage => {
                context.search_index = Some(site.href(crate::site::SEARCH_INDEX_FOLDER, None));
            }
            Generated::Print => context.print = Some(super::print::groups(site, printed())),
            Generated::HighlightCss
            | Generated::PagesJson
            | Generated::ManualJson
            | Generated::Robots
            | Generated::Sitemap => {}
        }
        context
    }
}

/// The home page's lists: the pages changed last (from git), and those
/// overdue for review on the build's day, with their number.
fn home_lists(site: &Site) -> (Vec<DatedLinkView<'_>>, Vec<DatedLinkView<'_>>, usize) {
    fn dated<'a>(site: &Site, page: &'a Page, date: String) -> DatedLinkView<'a> {
        DatedLinkView {
            title: &page.title,
            url: site.href(&page.url, None),
            date_display: display_date(&date),
            date,
        }
    }
    let mut changed: Vec<(&str, &Page)> = site
        .pages
        .iter()
        .filter_map(|p| Some((p.last_commit.as_ref()?.date.as_str(), &**p)))
        .collect();
    changed.sort_by(|a, b| b.0.cmp(a.0).then_with(|| a.1.url.cmp(&b.1.url)));
    let recent = changed
        .into_iter()
        .take(HOME_LIST)
        .map(|(date, page)| dated(site, page, date.to_string()))
        .collect();
    let mut late: Vec<(chrono::NaiveDate, &Page)> = site
        .pages
        .iter()
        .filter_map(|p| Some((p.review.overdue_on(site.today)?, &**p)))
        .collect();
    late.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.url.cmp(&b.1.url)));
    let count = late.len();
    let overdue = late
        .into_iter()
        .take(HOME_LIST)
        .map(|(due, page)| dated(site, page, due.to_string()))
        .collect();
    (recent, overdue, count)
}

/// The page left at an old URL: a meta refresh, a canonical link, and a
/// plain link for people and crawlers that do not follow the refresh.
#[derive(Serialize, Hash)]
pub struct RedirectContext<'a> {
    site: &'a SiteView<'a>,
    current_url: String,
    redirect_to: String,
    canonical: String,
}

impl<'a> RedirectContext<'a> {
    pub fn new(site: &'a Site, site_view: &'a SiteView<'a>, redirect: usize) -> Self {
        let redirect = &site.redirects[redirect];
        // Written as the resolver reads it, so the page goes where `check`
        // says it goes.
        let to = match site.redirect_target(redirect) {
            Resolved::Internal { path, fragment, .. }
            | Resolved::ExternalPath { path, fragment } => site.href(&path, fragment.as_deref()),
            Resolved::External(url) => url,
            // The site graph refuses redirects to script.
            Resolved::Unsafe(_) => site.href("/", None),
        };
        let canonical = to
            .starts_with('/')
            .then(|| site.on_host(&to))
            .flatten()
            .unwrap_or_else(|| to.clone());
        RedirectContext {
            site: site_view,
            current_url: site.href(&redirect.from, None),
            redirect_to: to,
            canonical,
        }
    }
}
