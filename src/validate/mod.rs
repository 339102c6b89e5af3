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
mod suggest;

use rayon::prelude::*;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::render::{
    HOME_LAYOUT, MANUAL_INDEX_LAYOUT, NOT_FOUND_LAYOUT, REDIRECT_LAYOUT, SEARCH_LAYOUT, Templates,
};
use crate::site::Site;

/// Every `check` rule over the whole site. `site.today` decides which review
/// dates are overdue.
pub fn check(site: &Site) -> Diagnostics {
    let per_page: Vec<Diagnostics> = (0..site.pages.len())
        .into_par_iter()
        .map(|i| check_page(site, i))
        .collect();
    let mut diagnostics: Diagnostics = per_page.into_iter().flatten().collect();
    diagnostics.extend(check_site_wide(site));
    diagnostics
}

/// The rules about one page: its front matter, owner, parent, review
/// dates, lints, and its links (against the whole site).
pub fn check_page(site: &Site, index: usize) -> Diagnostics {
    let mut found = pages::check_page(site, index);
    found.extend(links::check_page(site, index));
    found
}

/// The rules about the site as a whole: parent cycles and redirects.
pub fn check_site_wide(site: &Site) -> Diagnostics {
    let mut found = pages::check_parent_cycles(site);
    found.extend(redirects::check(site));
    found.extend(links::check_settings_links(site));
    found
}

pub fn structure(site: &Site, templates: &Templates) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let known = || {
        templates
            .layouts
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (i, page) in site.pages.iter().enumerate() {
        let layout = Templates::layout_for(page, site.home_page == Some(i));
        if !templates.layouts.contains(layout) {
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
    let mut required = vec![HOME_LAYOUT, MANUAL_INDEX_LAYOUT, NOT_FOUND_LAYOUT];
    if !site.redirects.is_empty() {
        required.push(REDIRECT_LAYOUT);
    }
    if site.settings.enable_search {
        required.push(SEARCH_LAYOUT);
    }
    for required in required {
        if !templates.layouts.contains(required) {
            diagnostics.push(
                Diagnostic::error(
                    Code::LayoutMissing,
                    templates.dir().join(format!("{required}.html")),
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
