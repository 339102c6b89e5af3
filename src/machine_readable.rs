//! Files for machines rather than readers: `/api/pages.json` (the tech-docs
//! gem's review feed), `/api/manual.json` (every page's title, URL, owner,
//! section and review dates), `/sitemap.xml` (when the settings give a
//! `host`), `/robots.txt`, and the highlighting stylesheet. All are made
//! from the parsed site, so they cost no extra parse.

use std::hash::{Hash, Hasher};

use serde::Serialize;

use crate::site::generated::PAGES_JSON_URL;
use crate::site::{Generated, HOME_URL, MANUAL_INDEX_URL, SITEMAP_URL, Site};

/// Hashes what a data file is made from (for `serve`'s fingerprints): the
/// same entries it is written from, without writing them out.
pub fn hash_inputs(site: &Site, file: Generated, state: &mut impl Hasher) {
    match file {
        Generated::PagesJson => review_entries(site).hash(state),
        Generated::ManualJson => page_entries(site).hash(state),
        Generated::Sitemap => sitemap_entries(site).hash(state),
        Generated::Robots => robots(site).hash(state),
        // The same for every site this binary builds.
        Generated::HighlightCss => {}
        Generated::Home
        | Generated::ManualIndex
        | Generated::NotFound
        | Generated::SearchPage
        | Generated::Print => {
            unreachable!("{file:?} is made from a layout")
        }
    }
}

#[derive(Serialize, Hash)]
struct PageEntry<'a> {
    title: &'a str,
    /// The path readers request, `base_path` included.
    url: String,
    /// Date of the last commit that changed the page, when built from git.
    last_updated: Option<&'a str>,
    owner: Option<&'a str>,
    section: Option<&'a str>,
    last_reviewed_on: Option<String>,
    /// When the page is due for review (`review_by`, or `last_reviewed_on`
    /// plus `review_in`), as YYYY-MM-DD.
    review_by: Option<String>,
    /// The alerts whose `runbook_url` links to the page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alerts: Vec<AlertEntry<'a>>,
}

#[derive(Serialize, Hash)]
struct AlertEntry<'a> {
    name: &'a str,
    severity: Option<&'a str>,
    /// The heading id the alert links to, when it names one.
    fragment: Option<&'a str>,
    /// Where the alert is written: the rule file and line.
    file: String,
    line: usize,
}

/// One page in the review feed, in the gem's shape.
#[derive(Serialize, Hash)]
struct ReviewEntry<'a> {
    title: &'a str,
    /// The page's whole address when the settings give a `host` (as the
    /// gem writes it), else its path.
    url: String,
    /// YYYY-MM-DD, or null for a page with no review date.
    review_by: Option<String>,
    /// The page's owner, or the settings' `default_owner_slack`.
    owner_slack: Option<&'a str>,
}

/// The tech-docs gem's review feed: a JSON array of `{title, url,
/// review_by, owner_slack}`, which its review notifier reads to post
/// overdue pages to Slack: every page with a title, as the current gem
/// lists every resource with one. Pages in URL order.
pub fn pages_json(site: &Site) -> String {
    serde_json::to_string_pretty(&review_entries(site)).expect("pages serialize") + "\n"
}

fn review_entries(site: &Site) -> Vec<ReviewEntry<'_>> {
    // As the current gem writes it (`get_path_to_resource`): the page's
    // address, or with `relative_links` its path from the feed itself (the
    // gem's older versions put the host in front).
    let feed = site.href(PAGES_JSON_URL, None);
    let mut entries: Vec<ReviewEntry<'_>> = site
        .pages
        .iter()
        .enumerate()
        .map(|(i, page)| ReviewEntry {
            title: &page.title,
            url: if site.settings.relative_links {
                crate::url::relative_to(&feed, &site.href(&page.url, None))
            } else {
                site.href(&page.url, None)
            },
            review_by: page.review.due.map(|d| d.to_string()),
            owner_slack: site.owner(i),
        })
        .collect();
    entries.sort_by(|a, b| a.url.cmp(&b.url));
    entries
}

/// Pages in URL order, with what `manual` knows of each. Whether a page is
/// overdue depends on the day it is read, so it is left to the reader:
/// compare `review_by` with today.
pub fn manual_json(site: &Site) -> String {
    let pages = page_entries(site);
    serde_json::to_string_pretty(&serde_json::json!({ "pages": pages })).expect("pages serialize")
        + "\n"
}

fn page_entries(site: &Site) -> Vec<PageEntry<'_>> {
    let mut pages: Vec<PageEntry<'_>> = site
        .pages
        .iter()
        .enumerate()
        .map(|(i, page)| {
            let review = page.review;
            PageEntry {
                title: &page.title,
                url: site.href(&page.url, None),
                last_updated: page.last_commit.as_ref().map(|c| c.date.as_str()),
                owner: site.owner(i),
                section: page.front_matter.section.as_deref(),
                last_reviewed_on: review.last_reviewed_on.map(|d| d.to_string()),
                review_by: review.due.map(|d| d.to_string()),
                alerts: site
                    .runbooks
                    .alerts_on(site, i)
                    .into_iter()
                    .map(|on| AlertEntry {
                        name: &on.alert.name,
                        severity: on.alert.severity.as_deref(),
                        fragment: on.fragment,
                        file: on.alert.file.display().to_string(),
                        line: on.alert.line,
                    })
                    .collect(),
            }
        })
        .collect();
    pages.sort_by(|a, b| a.url.cmp(&b.url));
    pages
}

/// The sitemap; empty without a `host` (the site graph then has none).
pub fn sitemap(site: &Site) -> String {
    let Some((_, _, urls)) = sitemap_entries(site) else {
        return String::new();
    };
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (url, last_updated) in urls {
        let location = site.absolute_url(url, None).unwrap_or_default();
        let location = html_escape::encode_text(&location);
        match last_updated {
            Some(date) => xml.push_str(&format!(
                "  <url><loc>{location}</loc><lastmod>{date}</lastmod></url>\n"
            )),
            None => xml.push_str(&format!("  <url><loc>{location}</loc></url>\n")),
        }
    }
    xml.push_str("</urlset>\n");
    xml
}

/// The host, the base path, and each page's site path and last-updated
/// date, sorted.
type SitemapEntries<'a> = (&'a str, &'a str, Vec<(&'a str, Option<&'a str>)>);

fn sitemap_entries(site: &Site) -> Option<SitemapEntries<'_>> {
    let host = site.settings.host.as_deref()?.trim_end_matches('/');
    let mut urls: Vec<(&str, Option<&str>)> = site
        .pages
        .iter()
        .map(|p| {
            (
                p.url.as_str(),
                p.last_commit.as_ref().map(|c| c.date.as_str()),
            )
        })
        .collect();
    urls.push((MANUAL_INDEX_URL, None));
    if site.home_page.is_none() {
        urls.push((HOME_URL, None));
    }
    urls.sort_unstable();
    Some((host, &site.settings.base_path, urls))
}

/// Crawlers read `robots.txt` only at the host's root, so a site under a
/// `base_path` still writes one (for a host that serves it at the root) but
/// its sitemap line carries the full path.
pub fn robots(site: &Site) -> String {
    let mut robots = String::from("User-agent: *\nAllow: /\n");
    if let Some(sitemap) = site.absolute_url(SITEMAP_URL, None) {
        robots.push_str(&format!("Sitemap: {sitemap}\n"));
    }
    robots
}
