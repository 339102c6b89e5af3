//! Files for machines rather than readers: `/api/pages.json` (every page's
//! title, URL, owner, section and review dates), `/sitemap.xml` (when the
//! settings give a `host`), `/robots.txt`, and the highlighting stylesheet.
//! All are made from the parsed site, so they cost no extra parse.

use serde::Serialize;

use crate::highlight;
use crate::settings::Settings;
use crate::site::Site;

pub const PAGES_JSON_URL: &str = "/api/pages.json";
pub const SITEMAP_URL: &str = "/sitemap.xml";
pub const ROBOTS_URL: &str = "/robots.txt";

/// The URLs this module writes for a site with these settings.
pub fn generated_urls(settings: &Settings) -> Vec<&'static str> {
    let mut urls = vec![highlight::CSS_URL, PAGES_JSON_URL, ROBOTS_URL];
    if settings.host.is_some() {
        urls.push(SITEMAP_URL);
    }
    if settings.enable_search {
        urls.push(crate::search::SEARCH_PAGE_URL);
    }
    urls
}

/// Every generated file as (URL, contents).
pub fn files(site: &Site) -> Vec<(String, String)> {
    let mut files = vec![
        (highlight::CSS_URL.to_string(), highlight::CSS.to_string()),
        (PAGES_JSON_URL.to_string(), pages_json(site)),
        (ROBOTS_URL.to_string(), robots(site)),
    ];
    if let Some(sitemap) = sitemap(site) {
        files.push((SITEMAP_URL.to_string(), sitemap));
    }
    files
}

#[derive(Serialize)]
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
}

/// Pages in URL order. Whether a page is overdue depends on the day it is
/// read, so it is left to the reader: compare `review_by` with today.
pub fn pages_json(site: &Site) -> String {
    let mut pages: Vec<PageEntry<'_>> = site
        .pages
        .iter()
        .map(|page| {
            let review = page.review;
            PageEntry {
                title: &page.title,
                url: site.settings.href(&page.url),
                last_updated: page.last_commit.as_ref().map(|c| c.date.as_str()),
                owner: page.front_matter.owner_slack.as_deref(),
                section: page.front_matter.section.as_deref(),
                last_reviewed_on: review.last_reviewed_on.map(|d| d.to_string()),
                review_by: review.due.map(|d| d.to_string()),
            }
        })
        .collect();
    pages.sort_by(|a, b| a.url.cmp(&b.url));
    serde_json::to_string_pretty(&serde_json::json!({ "pages": pages })).expect("pages serialize")
        + "\n"
}

pub fn sitemap(site: &Site) -> Option<String> {
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
    urls.push((crate::site::MANUAL_INDEX_URL, None));
    if site.home_page.is_none() {
        urls.push((crate::site::HOME_URL, None));
    }
    urls.sort_unstable();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (url, last_updated) in urls {
        let location = format!("{host}{}", site.settings.href(url));
        let location = html_escape::encode_text(&location);
        match last_updated {
            Some(date) => xml.push_str(&format!(
                "  <url><loc>{location}</loc><lastmod>{date}</lastmod></url>\n"
            )),
            None => xml.push_str(&format!("  <url><loc>{location}</loc></url>\n")),
        }
    }
    xml.push_str("</urlset>\n");
    Some(xml)
}

/// Crawlers read `robots.txt` only at the host's root, so a site under a
/// `base_path` still writes one (for a host that serves it at the root) but
/// its sitemap line carries the full path.
pub fn robots(site: &Site) -> String {
    let mut robots = String::from("User-agent: *\nAllow: /\n");
    if let Some(host) = &site.settings.host {
        robots.push_str(&format!(
            "Sitemap: {}{}\n",
            host.trim_end_matches('/'),
            site.settings.href(SITEMAP_URL)
        ));
    }
    robots
}
