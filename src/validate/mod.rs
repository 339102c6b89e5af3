//! Stage 4, validate: problems found before anything is written.
//!
//! Two kinds: `structure` finds what makes a site impossible to render (a
//! layout that does not exist); `check` finds what makes it wrong for
//! readers (owners, parents, front matter, links, redirects, content lints).
//! `build` stops on either; `build --skip-check` only on the first.

pub mod external;
mod links;
mod pages;
mod redirects;
mod runbooks;
mod suggest;

use rayon::prelude::*;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::site::{REDIRECT_LAYOUT, Site};

/// Every `check` rule over the whole site. `site.today` decides which review
/// dates are overdue.
pub fn check(site: &Site) -> Diagnostics {
    let mut diagnostics: Diagnostics = check_pages(site, |_| None).into_iter().flatten().collect();
    diagnostics.extend(check_site_wide(site));
    diagnostics
}

/// Each page's findings, in the site's page order, on every core. `known`
/// gives a page's findings without checking it again where the caller
/// knows them (`serve`, for a page unchanged in a site that differs only
/// inside pages: `Site::differs_only_inside_pages`).
pub fn check_pages(
    site: &Site,
    known: impl Fn(usize) -> Option<Diagnostics> + Sync,
) -> Vec<Diagnostics> {
    (0..site.pages.len())
        .into_par_iter()
        .map(|i| known(i).unwrap_or_else(|| check_page(site, i)))
        .collect()
}

/// The rules about one page: its front matter, owner, parent, review
/// dates, lints, and its links (against the whole site).
pub fn check_page(site: &Site, index: usize) -> Diagnostics {
    let mut found = pages::check_page(site, index);
    found.extend(links::check_page(site, index));
    found
}

/// The rules about the site as a whole: parent cycles, titles repeated in a
/// section, redirects, alerts' runbook links.
pub fn check_site_wide(site: &Site) -> Diagnostics {
    let mut found = pages::check_parent_cycles(site);
    found.extend(pages::check_duplicate_titles(site));
    found.extend(redirects::check(site));
    found.extend(links::check_settings_links(site));
    found.extend(links::unused_partial_definitions(site));
    found.extend(runbooks::check(site));
    found
}

/// What makes a site impossible, or unsafe, to publish: a layout that does
/// not exist, and (unless the settings allow it) a page that would run
/// script in readers' browsers. Runs even with `--skip-check`.
/// The cycles of a graph in which each node leads to at most one other
/// (a page to its parent, a redirect to the redirect it goes to): each
/// cycle once, starting at its smallest node. Each node is visited once, so
/// a chain as long as the site costs no more than its length.
pub(crate) fn cycles(nodes: usize, next: impl Fn(usize) -> Option<usize>) -> Vec<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done,
    }
    let mut state = vec![State::New; nodes];
    let mut found = Vec::new();
    for start in 0..nodes {
        let mut path: Vec<usize> = Vec::new();
        let mut current = Some(start);
        while let Some(node) = current {
            match state[node] {
                State::Done => break,
                State::OnPath => {
                    let position = path.iter().position(|&p| p == node).expect("on the path");
                    let cycle = &path[position..];
                    let first = cycle
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, n)| **n)
                        .map(|(i, _)| i)
                        .expect("a cycle has nodes");
                    found.push(
                        cycle[first..]
                            .iter()
                            .chain(&cycle[..first])
                            .copied()
                            .collect(),
                    );
                    break;
                }
                State::New => {
                    state[node] = State::OnPath;
                    path.push(node);
                    current = next(node);
                }
            }
        }
        for node in path {
            state[node] = State::Done;
        }
    }
    found
}

/// Script in pages: raw HTML that runs it (`html-unsafe`) and links to
/// `javascript:` addresses (`link-unsafe`).
fn scripts(site: &Site) -> Diagnostics {
    let mut found = Diagnostics::new();
    if site.settings.allow_script {
        return found;
    }
    let help = "remove it; if this site must run script, set `allow_script: true` in the settings";
    for page in &site.pages {
        for script in &page.scripts {
            let (file, line, column) = match &script.origin {
                Some(place) => (place.file.as_path(), place.line, place.column),
                None => (page.path.as_path(), script.line, script.column),
            };
            found.push(
                Diagnostic::error(
                    Code::HtmlUnsafe,
                    file,
                    format!("{} runs script in every reader's browser", script.what),
                )
                .at(line, column)
                .with_help(help),
            );
        }
        for link in page.script_links() {
            let (line, column) = link.definition.unwrap_or((link.line, link.column));
            let (file, line, column) = match &link.origin {
                Some(place) => (place.file.as_path(), place.line, place.column),
                None => (page.path.as_path(), line, column),
            };
            found.push(
                Diagnostic::error(
                    Code::LinkUnsafe,
                    file,
                    format!(
                        "the link to `{}` runs script in the reader's browser",
                        link.destination
                    ),
                )
                .at(line, column)
                .with_help("link to a page instead"),
            );
        }
    }
    // Header and footer links are on every page.
    {
        for (key, links) in [
            ("header_links", &site.settings.header_links),
            ("footer_links", &site.settings.footer_links),
        ] {
            for (title, url) in links {
                // The one rule for addresses that reach an attribute.
                let Some(problem) = crate::url::attribute_url_problem(url) else {
                    continue;
                };
                let message = if crate::url::runs_script(url) {
                    format!("`{key}` link \"{title}\" runs script on every page: `{url}`")
                } else {
                    format!(
                        "`{key}` link \"{title}\" is on every page: `{}`: {problem}",
                        url.escape_debug()
                    )
                };
                let (line, column) = site.settings.position_of(&format!("{key}.{title}"));
                found.push(
                    Diagnostic::error(Code::LinkUnsafe, site.settings.file_of(key), message)
                        .at(line, column)
                        .with_help("link to a page, or to another site with https://"),
                );
            }
        }
    }
    // A reference link's definition is reported once, however many use it.
    let mut seen = std::collections::HashSet::new();
    found
        .into_iter()
        .filter(|d| seen.insert((d.file.clone(), d.line, d.column, d.code)))
        .collect()
}

/// `layouts` are the names of the layouts that exist; `locate` says where
/// a layout file is or would be.
pub fn structure(
    site: &Site,
    layouts: &std::collections::BTreeSet<String>,
    locate: &dyn Fn(&str) -> std::path::PathBuf,
) -> Diagnostics {
    let mut diagnostics = scripts(site);
    let known = || {
        layouts
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (i, page) in site.pages.iter().enumerate() {
        let layout = site.layout_of(i);
        if !layouts.contains(layout) {
            diagnostics.push(
                Diagnostic::error(
                    Code::LayoutUnknown,
                    &page.path,
                    format!("unknown layout `{layout}`"),
                )
                .at(page.key_line("layout"), 1)
                .with_help(format!("use one of the layouts that exist: {}", known())),
            );
        }
    }
    // The generated pages the site has, and the redirect pages.
    let mut required: Vec<&str> = site.generated.iter().filter_map(|g| g.layout()).collect();
    if !site.redirects.is_empty() {
        required.push(REDIRECT_LAYOUT);
    }
    for required in required {
        if !layouts.contains(required) {
            diagnostics.push(
                Diagnostic::error(
                    Code::LayoutMissing,
                    locate(&format!("{required}.html")),
                    format!(
                        "the `{required}` layout is needed for a generated page but does not exist"
                    ),
                )
                .with_help(format!("add {required}.html to the layouts folder")),
            );
        }
    }
    diagnostics
}
