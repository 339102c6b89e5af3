//! The one list of files the build makes that no source file names: the
//! site graph claims their URLs (so a page cannot shadow one), the render
//! stage makes exactly these, and `serve` serves them.

use crate::settings::Settings;

/// A file the build makes from the site rather than from one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Generated {
    /// `/index.html`, unless a source page is the home page.
    Home,
    /// `/manual.html`: every section and its pages.
    ManualIndex,
    /// `/404.html`, which hosts (and `serve`) show for unknown URLs.
    NotFound,
    /// `/search/`, with `enable_search` (where the tech-docs gem puts it).
    SearchPage,
    /// The highlighting stylesheet.
    HighlightCss,
    /// `/api/pages.json`: the tech-docs gem's review feed, which its review
    /// notifier reads: every page's title, URL, review date and owner.
    PagesJson,
    /// `/api/manual.json`: every page with what `manual` knows of it
    /// (section, last update, review dates, owner).
    ManualJson,
    /// `/robots.txt`.
    Robots,
    /// `/sitemap.xml`, when the settings give a `host`.
    Sitemap,
    /// `/print.html`: every page in navigation order as one document, to
    /// print, save as PDF or read offline; links between pages become
    /// links within it.
    Print,
}

pub const HOME_URL: &str = "/index.html";
pub const MANUAL_INDEX_URL: &str = "/manual.html";
pub const NOT_FOUND_URL: &str = "/404.html";
pub const SEARCH_PAGE_URL: &str = "/search/index.html";
pub const HIGHLIGHT_CSS_URL: &str = "/assets/highlight.css";
pub const PAGES_JSON_URL: &str = "/api/pages.json";
pub const MANUAL_JSON_URL: &str = "/api/manual.json";
pub const ROBOTS_URL: &str = "/robots.txt";
pub const SITEMAP_URL: &str = "/sitemap.xml";
pub const PRINT_URL: &str = "/print.html";
/// The most page text (HTML bytes) the print page holds. It is one document,
/// made and checked whole: a manual larger than this (some 3,000 pages of
/// the GOV.UK manual's size) is no longer a page a browser prints, and
/// would cost the build hundreds of megabytes, so it has none.
pub const PRINT_MAX_BYTES: usize = 24 * 1024 * 1024;
/// The folder the search index is written to (with `enable_search`),
/// beside the search page; nothing else may be published in it.
pub const SEARCH_INDEX_FOLDER: &str = "/search/";
/// Where the layouts' own files (`layouts/assets/`) are published.
pub const THEME_ASSETS_PREFIX: &str = "/assets/";

/// The layout (`layouts/<name>.html`) a page gets when it names none.
pub const DEFAULT_LAYOUT: &str = "manual_layout";
pub const HOME_LAYOUT: &str = "home";
pub const MANUAL_INDEX_LAYOUT: &str = "manual_index";
pub const REDIRECT_LAYOUT: &str = "redirect";
pub const NOT_FOUND_LAYOUT: &str = "not_found";
pub const SEARCH_LAYOUT: &str = "search";
pub const PRINT_LAYOUT: &str = "print";

impl Generated {
    /// The layout that renders it, for the ones made from a layout.
    pub fn layout(self) -> Option<&'static str> {
        match self {
            Generated::Home => Some(HOME_LAYOUT),
            Generated::ManualIndex => Some(MANUAL_INDEX_LAYOUT),
            Generated::NotFound => Some(NOT_FOUND_LAYOUT),
            Generated::SearchPage => Some(SEARCH_LAYOUT),
            Generated::Print => Some(PRINT_LAYOUT),
            Generated::HighlightCss
            | Generated::PagesJson
            | Generated::ManualJson
            | Generated::Robots
            | Generated::Sitemap => None,
        }
    }

    pub fn url(self) -> &'static str {
        match self {
            Generated::Home => HOME_URL,
            Generated::ManualIndex => MANUAL_INDEX_URL,
            Generated::NotFound => NOT_FOUND_URL,
            Generated::SearchPage => SEARCH_PAGE_URL,
            Generated::HighlightCss => HIGHLIGHT_CSS_URL,
            Generated::PagesJson => PAGES_JSON_URL,
            Generated::ManualJson => MANUAL_JSON_URL,
            Generated::Robots => ROBOTS_URL,
            Generated::Sitemap => SITEMAP_URL,
            Generated::Print => PRINT_URL,
        }
    }

    /// The title a link to it shows, for the ones that are pages.
    pub fn title(self) -> Option<&'static str> {
        match self {
            Generated::Home => Some("Home"),
            Generated::ManualIndex => Some("Manual"),
            Generated::SearchPage => Some("Search"),
            Generated::Print => Some("The whole manual"),
            _ => None,
        }
    }

    /// What a file or redirect at this URL would clash with, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Generated::Home => "the generated home page",
            Generated::ManualIndex => "the generated manual index",
            Generated::NotFound => "the generated page-not-found page",
            Generated::SearchPage => "the generated search page",
            Generated::HighlightCss => "the generated highlighting stylesheet",
            Generated::PagesJson => "the generated review feed",
            Generated::ManualJson => "the generated list of pages",
            Generated::Robots => "the generated robots.txt",
            Generated::Sitemap => "the generated sitemap",
            Generated::Print => "the generated print page",
        }
    }
}

/// Every generated file a site with these settings has, in a fixed order.
/// `Home` is listed always; the site graph leaves it out when a source
/// page is the home page (and the print page when a file is at its URL).
pub fn generated_files(settings: &Settings) -> Vec<Generated> {
    let mut files = vec![
        Generated::Home,
        Generated::ManualIndex,
        Generated::NotFound,
        Generated::HighlightCss,
        Generated::PagesJson,
        Generated::ManualJson,
        Generated::Robots,
        Generated::Print,
    ];
    if settings.host.is_some() {
        files.push(Generated::Sitemap);
    }
    if settings.enable_search {
        files.push(Generated::SearchPage);
    }
    files
}
