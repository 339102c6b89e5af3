//! Files for machines rather than readers: `/api/pages.json` (every page's
//! title, URL, owner, section and review dates), `/sitemap.xml` (when the
//! settings give a `host`), `/robots.txt`, and the highlighting stylesheet.
//! All are made from the parsed site, so they cost no extra parse.

use serde::Serialize;

use crate::highlight;
use crate::review;
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
    url: &'a str,
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
            let review = review::review_of(&page.front_matter).0;
            PageEntry {
                title: &page.title,
                url: &page.url,
                owner: page.front_matter.owner_slack.as_deref(),
                section: page.front_matter.section.as_deref(),
                last_reviewed_on: review.last_reviewed_on.map(|d| d.to_string()),
                review_by: review.due.map(|d| d.to_string()),
            }
        })
        .collect();
    pages.sort_by(|a, b| a.url.cmp(b.url));
    serde_json::to_string_pretty(&serde_json::json!({ "pages": pages })).expect("pages serialize")
        + "\n"
}

pub fn sitemap(site: &Site) -> Option<String> {
    let host = site.settings.host.as_deref()?.trim_end_matches('/');
    let mut urls: Vec<&str> = site.pages.iter().map(|p| p.url.as_str()).collect();
    urls.push(crate::site::MANUAL_INDEX_URL);
    if site.home_page.is_none() {
        urls.push(crate::site::HOME_URL);
    }
    urls.sort_unstable();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for url in urls {
        let location = html_escape::encode_text(&format!("{host}{url}")).into_owned();
        xml.push_str(&format!("  <url><loc>{location}</loc></url>\n"));
    }
    xml.push_str("</urlset>\n");
    Some(xml)
}

pub fn robots(site: &Site) -> String {
    let mut robots = String::from("User-agent: *\nAllow: /\n");
    if let Some(host) = &site.settings.host {
        robots.push_str(&format!(
            "Sitemap: {}{SITEMAP_URL}\n",
            host.trim_end_matches('/')
        ));
    }
    robots
}
